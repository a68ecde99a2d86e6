/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ld-search.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf-facts.h"
#include "elf-file.h"
#include "ld-path.h"
#include "loader-cache.h"
#include "log.h"
#include "macro.h"
#include "read-file.h"
#include "string-util.h"
#include "walk-memo.h"
#include "strv.h"

/* ---- The walk ---- */

#define NO_OBJECT SIZE_MAX
#define PRELOAD_FILE_MAX (16U * 1024U * 1024U)

typedef struct LoadedObject {
        char *path;        /* l_name: the path it was found as */
        char **names;      /* names it was requested by or matched (l_libname) */
        uint64_t *name_hashes; /* string_hash() of each of names, for find_loaded() */
        uint64_t path_hash, soname_hash; /* of path and of elf.soname (0: none) */
        char *origin;      /* $ORIGIN, NULL when unknown */
        ElfFile elf;
        bool elf_borrowed; /* elf belongs to the run cache */
        bool have_id;
        dev_t dev;
        ino_t ino;
        size_t loader;     /* l_loader, NO_OBJECT for the program */
        bool in_list;      /* l_reserved: already in the breadth-first list */
} LoadedObject;

typedef struct ListEntry {
        size_t object;
        bool done;
} ListEntry;

typedef struct Walk {
        const LoaderConfig *cfg;
        const char *program;
        const LoaderHost *host;   /* &host_storage, or the run cache's */
        LoaderHost host_storage;
        LoadedObject *objects;
        size_t n_objects;
        ListEntry *list;
        size_t n_list;
        const char *cache_file;
        const LdCache *cache;
        LdCache *cache_owned;     /* without a run cache */
        bool cache_tried;
        LoaderCache *run_cache;   /* cfg->run_cache */
        loader_found_fn found;
        void *userdata;
        char *error;
        WalkRecord *record;       /* what the walk reported so far, to replay (walk-memo.h); NULL: none */
        bool unrepeatable;        /* it logged more than what it reported: replay none of it */
} Walk;

_printf_(3, 4)
static int walk_fail(Walk *w, int error, const char *fmt, ...) {
        va_list ap;

        if (!w->error) {
                va_start(ap, fmt);
                if (vasprintf(&w->error, fmt, ap) < 0)
                        w->error = NULL;
                va_end(ap);
        }
        return error;
}

static char *mfree_str(char *s) {
        free(s);
        return NULL;
}

static LoadedObject *object(Walk *w, size_t i) {
        return w->objects + i;
}

static const char *object_label(Walk *w, size_t i) {
        return object(w, i)->path;
}

/* ---- The run cache (loader-cache.h): within a run, files are taken not to change, so
 * what a walk learns about a path or a file holds for every later walk. Filling it is
 * best effort: when a value cannot be stored, the walk goes on with its own copy. ---- */

static int cached_true = 1, cached_false = 0;

/* "CLASS:MACHINE:" of the walk's host in buf, without printf (a key per candidate). */
static const char *abi_tag(const LoaderHost *h, char buf[static 16]) {
        char *p = buf + 15;
        *p = 0;
        for (unsigned v = h->machine, i = 0; i < 2; v = h->elf_class, i++) {
                *--p = ':';
                p = u64_digits_before(p, v, 10);
        }
        return p;
}

/* The key "tag:" a b (with the walk's class and machine before a when abi is set) in buf:
 * loader_cache_key(). NULL without a run cache, or when the key does not fit (the walk
 * then does without the memo). */
static const char *walk_key(Walk *w, char buf[static LOADER_CACHE_KEY_MAX], const char *tag, bool abi,
                            const char *a, const char *b) {
        char abi_buf[16];
        if (!w->run_cache)
                return NULL;
        return loader_cache_key(buf, tag, abi ? abi_tag(w->host, abi_buf) : "", a, b ?: "");
}

/* stat(path): 0 or -errno. */
static int walk_stat(Walk *w, const char *path, struct stat *ret) {
        return loader_cache_stat(w->run_cache, path, ret);
}

static bool is_directory(const char *path) {
        struct stat st;
        return stat(*path ? path : ".", &st) >= 0 && S_ISDIR(st.st_mode);
}

static bool walk_is_directory(Walk *w, const char *path) {
        char buf[LOADER_CACHE_KEY_MAX];
        const char *key = walk_key(w, buf, "dir", false, path, NULL);
        const int *c = key ? loader_cache_get(w->run_cache, key) : NULL;

        if (c)
                return *c;
        bool b = is_directory(path);
        if (key)
                (void) loader_cache_put(w->run_cache, key, b ? &cached_true : &cached_false, NULL);
        return b;
}

/* The loader's part of the file's facts (elf-facts.h), read once per run with a run cache:
 * *ret then belongs to the cache and *ret_borrowed is set. Libraries such as libc are
 * parsed once per run instead of once per program. */
static int walk_read_elf(Walk *w, const char *path, ElfFile *ret, bool *ret_borrowed, const char **ret_why) {
        _cleanup_(elf_facts_freep) ElfFacts *owned = NULL;
        const ElfFacts *f;
        int r = elf_facts_get(w->run_cache, path, &f, &owned);
        if (r < 0)
                return r;
        if (ret_why && f->why)
                *ret_why = f->why;
        if (f->result < 0)
                return f->result;
        *ret_borrowed = !owned;
        *ret = f->elf;
        if (owned)
                owned->elf = (ElfFile) {};
        return 0;
}

/* The token values for object obj (NO_OBJECT: none, as for LD_LIBRARY_PATH's default dirs). */
static LdTokens tokens_of(Walk *w, size_t obj) {
        return (LdTokens) { .origin = obj == NO_OBJECT ? NULL : object(w, obj)->origin,
                            .platform = w->host->platform, .lib = w->host->lib };
}

typedef enum Verdict {
        CANDIDATE_ABSENT,      /* could not open: try the next one */
        CANDIDATE_OTHER_ABI,   /* wrong class or machine: skipped silently */
        CANDIDATE_OK,
} Verdict;

typedef struct Candidate {
        int result;       /* < 0: fatal for the whole program, error says why */
        Verdict verdict;
        int open_errno;   /* for CANDIDATE_ABSENT and CANDIDATE_OTHER_ABI */
        char *error;
} Candidate;

static void candidate_free(void *p) {
        Candidate *c = p;
        if (c)
                free(c->error);
        free(c);
}

static void candidate_freep(Candidate **c) {
        candidate_free(*c);
}

_printf_(3, 4)
static int candidate_fail(Candidate *c, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&c->error, fmt, ap) < 0)
                c->error = NULL;
        va_end(ap);
        return c->result = r;
}

/* The checks of glibc's open_verify() for a loader of this class and machine: anything
 * other than "cannot open" and "other class/machine" is fatal for the whole program.
 * Depends on the file only, so a run cache keeps the verdict. */
static int check_candidate(const char *path, uint8_t elf_class, uint16_t machine, Candidate *c) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        unsigned char h[sizeof(Elf64_Ehdr)] = {};
        bool is64 = elf_class == ELFCLASS64;
        size_t ehdr_size = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);

        *c = (Candidate) { .verdict = CANDIDATE_ABSENT };
        if (fd < 0) {
                c->open_errno = errno;
                return 0;
        }

        ssize_t n = pread(fd, h, ehdr_size, 0);
        if (n < 0)
                return candidate_fail(c, -errno, "%s: cannot read file data: %s", path, strerror(errno));
        if ((size_t) n < ehdr_size)
                return candidate_fail(c, -ENOEXEC, "%s: file too short", path);
        if (memcmp(h, ELFMAG, SELFMAG) != 0)
                return candidate_fail(c, -ENOEXEC, "%s: invalid ELF header", path);
        if (h[EI_CLASS] != (is64 ? ELFCLASS64 : ELFCLASS32)) {
                c->open_errno = ENOENT;
                c->verdict = CANDIDATE_OTHER_ABI;
                return 0;
        }
        if (h[EI_DATA] != ELFDATA2LSB)
                return candidate_fail(c, -ENOEXEC, "%s: ELF file data encoding not little-endian", path);
        if (h[EI_VERSION] != EV_CURRENT)
                return candidate_fail(c, -ENOEXEC, "%s: ELF file version ident does not match current one", path);
        if (h[EI_OSABI] != ELFOSABI_SYSV && h[EI_OSABI] != ELFOSABI_GNU)
                return candidate_fail(c, -ENOEXEC, "%s: ELF file OS ABI invalid", path);
        if (h[EI_ABIVERSION] != 0 && !(h[EI_OSABI] == ELFOSABI_GNU && h[EI_ABIVERSION] < 4))
                return candidate_fail(c, -ENOEXEC, "%s: ELF file ABI version invalid", path);
        for (size_t i = EI_PAD; i < EI_NIDENT; i++)
                if (h[i] != 0)
                        return candidate_fail(c, -ENOEXEC, "%s: nonzero padding in e_ident", path);

        /* e_type, e_machine, e_version and e_phentsize sit at the same place in both classes
         * up to e_version; e_phentsize differs. */
        uint16_t type, e_machine, phentsize;
        uint32_t version;
        memcpy(&type, h + offsetof(Elf64_Ehdr, e_type), 2);
        memcpy(&e_machine, h + offsetof(Elf64_Ehdr, e_machine), 2);
        memcpy(&version, h + offsetof(Elf64_Ehdr, e_version), 4);
        memcpy(&phentsize, h + (is64 ? offsetof(Elf64_Ehdr, e_phentsize) : offsetof(Elf32_Ehdr, e_phentsize)), 2);

        if (version != EV_CURRENT)
                return candidate_fail(c, -ENOEXEC, "%s: ELF file version does not match current one", path);
        if (e_machine != machine) {
                c->open_errno = ENOENT;
                c->verdict = CANDIDATE_OTHER_ABI;
                return 0;
        }
        if (type != ET_DYN && type != ET_EXEC)
                return candidate_fail(c, -ENOEXEC, "%s: only ET_DYN and ET_EXEC can be loaded", path);
        if (phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
                return candidate_fail(c, -ENOEXEC, "%s: ELF file's phentsize not the expected size", path);

        c->verdict = CANDIDATE_OK;
        return 0;
}

/* check_candidate() for this walk's loader; *ret_errno is left alone for CANDIDATE_OK. */
static int verify_candidate(Walk *w, const char *path, Verdict *ret, int *ret_errno) {
        char buf[LOADER_CACHE_KEY_MAX];
        const char *key = walk_key(w, buf, "candidate", true, path, NULL);
        const Candidate *c = key ? loader_cache_get(w->run_cache, key) : NULL;
        _cleanup_(candidate_freep) Candidate *fresh = NULL;

        if (!c) {
                fresh = calloc(1, sizeof(Candidate));
                if (!fresh)
                        return -ENOMEM;
                check_candidate(path, w->host->elf_class, w->host->machine, fresh);
                c = fresh;
                if (key && loader_cache_put(w->run_cache, key, fresh, candidate_free) >= 0)
                        fresh = NULL;
        }
        if (c->result < 0)
                return walk_fail(w, c->result, "%s", c->error ?: strerror(-c->result));
        *ret = c->verdict;
        if (c->verdict != CANDIDATE_OK)
                *ret_errno = c->open_errno;
        return 0;
}

/* How the search of one dir for one name ended, short of a fatal candidate. */
typedef struct DirSearch {
        char *found;      /* the candidate that loads, or NULL */
        bool other_class; /* a candidate of another class or machine was passed over */
        bool ends_list;   /* the dir exists and its candidate failed oddly: the list ends here */
} DirSearch;

static void dir_search_free(void *p) {
        DirSearch *d = p;
        free(d->found);
        free(d);
}

/* One dir of open_path(): every subdir this CPU selects, best first. */
static int search_dir(Walk *w, const char *dir, const char *name, DirSearch *ret) {
        bool dir_exists = false;
        int last_errno = ENOENT;

        *ret = (DirSearch) {};
        STRV_FOREACH(sub, w->host->subdirs) {
                _cleanup_free_ char *path = NULL;
                Verdict v;

                if (!(path = strjoin(dir, *sub, name)))
                        return -ENOMEM;
                int r = verify_candidate(w, path, &v, &last_errno);
                if (r < 0)
                        return r;
                if (v == CANDIDATE_OK) {
                        ret->found = TAKE_PTR(path);
                        return 0;
                }
                if (v == CANDIDATE_OTHER_ABI)
                        ret->other_class = true;

                path[strlen(path) - strlen(name)] = 0;
                dir_exists = dir_exists || walk_is_directory(w, path);
        }

        /* An existing dir whose candidate failed with an unusual error ends this list. */
        ret->ends_list = dir_exists && last_errno != ENOENT && last_errno != EACCES;
        return 0;
}

/* search_dir(), once per run for a dir and a name with a run cache: programs share their
 * RPATHs and default dirs, and each dir costs a probe per hwcaps subdir (some thirty). A
 * fatal candidate is not kept; the candidate cache repeats its error. */
static int search_dir_cached(Walk *w, const char *dir, const char *name, DirSearch *storage,
                             const DirSearch **ret) {
        char buf[LOADER_CACHE_KEY_MAX];
        const char *key = walk_key(w, buf, "search", true, dir, name);
        const DirSearch *c = key ? loader_cache_get(w->run_cache, key) : NULL;

        if (c) {
                *ret = c;
                return 0;
        }
        int r = search_dir(w, dir, name, storage);
        if (r < 0)
                return r;
        *ret = storage;
        DirSearch *kept = key ? malloc(sizeof(DirSearch)) : NULL;
        if (kept) {
                *kept = *storage;
                if (loader_cache_put(w->run_cache, key, kept, dir_search_free) >= 0) {
                        *storage = (DirSearch) {};
                        *ret = kept;
                } else
                        free(kept);
        }
        return 0;
}

/* open_path(): every dir, every subdir of it, first good candidate wins.
 * Returns 1 with *ret_path and *ret_dir set, 0 when not found, or < 0. */
static int search_list(Walk *w, const LdPathList *l, const char *name, bool *other_class,
                       char **ret_path, const LdPathDir **ret_dir) {
        for (size_t i = 0; i < l->n_dirs; i++) {
                const LdPathDir *d = l->dirs + i;
                DirSearch storage = {};
                const DirSearch *s;

                int r = search_dir_cached(w, d->dir, name, &storage, &s);
                if (r < 0)
                        return r;
                if (s->other_class)
                        *other_class = true;
                if (s->found) {
                        *ret_path = strdup(s->found);
                        free(storage.found);
                        if (!*ret_path)
                                return -ENOMEM;
                        *ret_dir = d;
                        return 1;
                }
                if (s->ends_list)
                        return 0;
        }
        return 0;
}

/* DT_RPATH counts only for objects without DT_RUNPATH. */
static const char *object_rpath(const LoadedObject *o) {
        return o->elf.runpath ? NULL : o->elf.rpath;
}

static int try_list(Walk *w, size_t obj, const char *value, const char *separators, const char *what,
                    const char *name, bool *other_class, char **ret_path, char **ret_via) {
        LdTokens t = tokens_of(w, obj);
        _cleanup_(ld_path_list_done) LdPathList l = {};
        const LdPathDir *d;

        int r = ld_path_list_build(value, separators, &t, &l);
        if (r >= 0)
                r = search_list(w, &l, name, other_class, ret_path, &d);
        if (r > 0 && asprintf(ret_via, "%s %s", what, d->raw) < 0)
                r = -ENOMEM;
        return r;
}

static int try_rpaths(Walk *w, size_t loader, const char *name, bool *other_class, char **ret_path, char **ret_via) {
        bool did_main = false;
        int r;

        for (size_t l = loader; l != NO_OBJECT; l = object(w, l)->loader) {
                const char *rpath = object_rpath(object(w, l));
                if (!rpath || !*rpath)
                        continue;

                /* Name the object when the RPATH is inherited from up the chain. */
                _cleanup_free_ char *what = NULL;
                if (l == loader ? !(what = strdup("DT_RPATH")) : asprintf(&what, "DT_RPATH of %s", object_label(w, l)) < 0)
                        return -ENOMEM;
                r = try_list(w, l, rpath, ":", what, name, other_class, ret_path, ret_via);
                if (r != 0)
                        return r;
                did_main = did_main || l == 0;
        }

        /* The executable's DT_RPATH is searched last even when it is not on the loader chain. */
        const char *main_rpath = object_rpath(object(w, 0));
        if (did_main || !main_rpath || !*main_rpath)
                return 0;

        _cleanup_free_ char *what = NULL;
        if (asprintf(&what, "DT_RPATH of %s", object_label(w, 0)) < 0)
                return -ENOMEM;
        return try_list(w, 0, main_rpath, ":", what, name, other_class, ret_path, ret_via);
}

static int try_library_path(Walk *w, const char *name, bool *other_class, char **ret_path, char **ret_via) {
        if (strv_length(w->cfg->library_path) == 0)
                return 0;

        _cleanup_free_ char *joined = strv_join(w->cfg->library_path, ":");
        if (!joined)
                return -ENOMEM;
        if (!*joined)
                return 0;
        /* $ORIGIN in LD_LIBRARY_PATH means the program's. */
        return try_list(w, 0, joined, ":;", "LD_LIBRARY_PATH", name, other_class, ret_path, ret_via);
}

/* One file ld.so opens, told the caller: a loader_found_fn, also for replays of a
 * recorded walk (walk-memo.h). */
static int emit(const char *path, const char *parent, const char *reason, void *userdata) {
        Walk *w = userdata;
        log_debug("ld.so opens %s (%s)", path, reason);
        int r = w->found ? w->found(path, parent, reason, w->userdata) : 0;
        return r < 0 ? walk_fail(w, r, "%s: aborted by caller", path) : 0;
}

/* parent: the object whose request made ld.so open path; NO_OBJECT for none (the preload
 * file). The reason is head, the parent's name and tail (may be NULL); head alone without
 * a parent. Recorded apart, so that a replay puts another program's name in the program's
 * place. */
static int report(Walk *w, const char *path, size_t parent, const char *head, const char *tail) {
        const char *label = parent == NO_OBJECT ? NULL : object_label(w, parent);
        if (w->record && walk_record_add(w->record, path, parent == 0, label, head, tail) < 0)
                w->record = walk_record_free(w->record); /* only slower */
        _cleanup_free_ char *reason = strjoin(head, label ?: "", tail ?: "");
        if (!reason)
                return -ENOMEM;
        return emit(path, label, reason, w);
}

typedef struct CachedLdCache {
        bool exists;
        LdCache *cache; /* NULL when unusable */
} CachedLdCache;

static void cached_ld_cache_free(void *p) {
        CachedLdCache *c = p;
        ld_cache_free(c->cache);
        free(c);
}

/* Sets w->cache from the cache file, parsed once per run with a run cache. */
static void load_ld_cache(Walk *w, bool *ret_exists) {
        char buf[LOADER_CACHE_KEY_MAX];
        const char *key = walk_key(w, buf, "ld.so.cache", false, w->cache_file, NULL);
        const CachedLdCache *c = key ? loader_cache_get(w->run_cache, key) : NULL;

        if (c) {
                *ret_exists = c->exists;
                w->cache = c->cache;
                return;
        }

        LdCache *cache = NULL;
        bool exists = access(w->cache_file, F_OK) >= 0;
        if (exists) {
                int r = ld_cache_load(w->cache_file, &cache);
                if (r < 0)
                        log_debug_errno(r, "%s unusable, ld.so ignores it: %m", w->cache_file);
        }
        *ret_exists = exists;
        w->cache = cache;

        CachedLdCache *fresh = key ? malloc(sizeof(CachedLdCache)) : NULL;
        if (fresh) {
                *fresh = (CachedLdCache) { .exists = exists, .cache = cache };
                if (loader_cache_put(w->run_cache, key, fresh, cached_ld_cache_free) >= 0)
                        return;
                free(fresh);
        }
        w->cache_owned = cache;
}

static int consult_cache(Walk *w, const char *name, size_t loader) {
        bool exists;

        if (w->cache_tried)
                return 0;
        w->cache_tried = true;

        load_ld_cache(w, &exists);
        if (!exists)
                return 0;

        _cleanup_free_ char *head = strjoin("ld.so.cache, searched for ", name, " needed by ");
        if (!head)
                return -ENOMEM;
        return report(w, w->cache_file, loader, head, NULL);
}

static bool in_system_dir(Walk *w, const char *path) {
        STRV_FOREACH(d, w->host->system_dirs)
                if (startswith(path, *d))
                        return true;
        return false;
}

/* What ld.so.cache gives for name, asked once per run for each cache and host (both kept
 * in the run's memo, so their addresses name them): every program asks for libc.so.6. */
typedef struct CachedLookup {
        const char *hit; /* into the cache, or NULL */
} CachedLookup;

/* "HEX:HEX:" of two addresses in buf, without printf (a key per search of the cache). */
static const char *two_ids(const void *a, const void *b, char buf[static 2 * 17 + 1]) {
        char *p = buf + 2 * 17;
        *p = 0;
        for (uintptr_t v = (uintptr_t) b, i = 0; i < 2; v = (uintptr_t) a, i++) {
                *--p = ':';
                p = u64_digits_before(p, v, 16);
        }
        return p;
}

static const char *cache_lookup(Walk *w, const char *name) {
        char buf[LOADER_CACHE_KEY_MAX], ids[2 * 17 + 1];
        bool kept = w->run_cache && !w->cache_owned && w->host != &w->host_storage;
        const char *key = kept ? loader_cache_key(buf, "ldcache-lookup", two_ids(w->cache, w->host, ids), name) : NULL;
        const CachedLookup *known = key ? loader_cache_get(w->run_cache, key) : NULL;
        if (known)
                return known->hit;
        const char *hit = ld_cache_lookup(w->cache, name, &w->host->cache_query);
        CachedLookup *fresh = key ? malloc(sizeof(CachedLookup)) : NULL;
        if (fresh) {
                fresh->hit = hit;
                if (loader_cache_put(w->run_cache, key, fresh, free) < 0)
                        free(fresh);
        }
        return hit;
}

static int try_cache(Walk *w, size_t loader, const char *name, bool *other_class, char **ret_path, char **ret_via) {
        int r = consult_cache(w, name, loader);
        if (r < 0 || !w->cache)
                return r;

        const char *hit = cache_lookup(w, name);
        if (!hit)
                return 0;
        if (object(w, loader)->elf.nodeflib && in_system_dir(w, hit)) {
                log_debug("%s: ld.so.cache entry %s skipped, DF_1_NODEFLIB", object_label(w, loader), hit);
                w->unrepeatable = true;
                return 0;
        }

        Verdict v;
        int e;
        r = verify_candidate(w, hit, &v, &e);
        if (r < 0)
                return r;
        if (v == CANDIDATE_OTHER_ABI)
                *other_class = true;
        if (v != CANDIDATE_OK)
                return 0;

        if (!(*ret_path = strdup(hit)) || !(*ret_via = strdup("ld.so.cache")))
                return -ENOMEM;
        return 1;
}

static int try_default_dirs(Walk *w, size_t loader, const char *name, bool *other_class, char **ret_path, char **ret_via) {
        if (object(w, loader)->elf.nodeflib)
                return 0;

        _cleanup_free_ char *joined = strv_join(w->host->system_dirs, ":");
        if (!joined)
                return -ENOMEM;
        return try_list(w, NO_OBJECT, joined, ":", "default dir", name, other_class, ret_path, ret_via);
}

/* _dl_map_object()'s search for a name without a slash. */
static int search_name(Walk *w, size_t loader, const char *name, bool *other_class, char **ret_path, char **ret_via) {
        const LoadedObject *l = object(w, loader);
        int r = 0;

        if (!l->elf.runpath)
                r = try_rpaths(w, loader, name, other_class, ret_path, ret_via);
        if (r == 0)
                r = try_library_path(w, name, other_class, ret_path, ret_via);
        if (r == 0 && l->elf.runpath && *l->elf.runpath)
                r = try_list(w, loader, l->elf.runpath, ":", "DT_RUNPATH", name, other_class, ret_path, ret_via);
        if (r == 0)
                r = try_cache(w, loader, name, other_class, ret_path, ret_via);
        if (r == 0)
                r = try_default_dirs(w, loader, name, other_class, ret_path, ret_via);
        return r;
}

/* The hashes of an object's strings, so that find_loaded() compares strings only when
 * their hashes agree: it runs for every DT_NEEDED entry against every object loaded so
 * far, and its strcmp()s were the walk's largest cost. Once its path and ELF are set. */
static void object_hash(LoadedObject *o) {
        o->path_hash = o->path ? string_hash(o->path) : 0;
        o->soname_hash = o->elf.soname ? string_hash(o->elf.soname) : 0;
}

static int object_add_name(LoadedObject *o, const char *name) {
        size_t n = strv_length(o->names);
        uint64_t *h = greedy_realloc((void **) &o->name_hashes, n + 1, sizeof(uint64_t));
        if (!h)
                return -ENOMEM;
        int r = strv_extend(&o->names, name);
        if (r >= 0)
                h[n] = string_hash(name);
        return r;
}

static bool object_has_name(const LoadedObject *o, const char *name, uint64_t hash) {
        if (o->path_hash == hash && streq_ptr(o->path, name))
                return true;
        for (size_t i = 0; o->names && o->names[i]; i++)
                if (o->name_hashes[i] == hash && streq(o->names[i], name))
                        return true;
        return false;
}

/* First loaded wins: a name matches an object's path, a name it was loaded
 * by, or its DT_SONAME (which is then remembered as a name). */
static size_t find_loaded(Walk *w, const char *name) {
        uint64_t hash = string_hash(name);
        for (size_t i = 0; i < w->n_objects; i++) {
                LoadedObject *o = object(w, i);
                if (object_has_name(o, name, hash))
                        return i;
                if (o->soname_hash == hash && o->elf.soname && streq(o->elf.soname, name)) {
                        if (object_add_name(o, name) < 0) {
                                log_debug("out of memory remembering soname %s", name);
                                w->unrepeatable = true;
                        }
                        return i;
                }
        }
        return NO_OBJECT;
}

static size_t find_by_file_id(Walk *w, dev_t dev, ino_t ino) {
        for (size_t i = 0; i < w->n_objects; i++)
                if (object(w, i)->have_id && object(w, i)->dev == dev && object(w, i)->ino == ino)
                        return i;
        return NO_OBJECT;
}

static char *origin_of(const char *path) {
        _cleanup_free_ char *abs = NULL;

        if (path[0] != '/') {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                if (!cwd || asprintf(&abs, "%s/%s", cwd, path) < 0)
                        return NULL;
                path = abs;
        }
        const char *slash = strrchr(path, '/');
        return strndup(path, slash == path ? 1 : (size_t) (slash - path));
}

static void object_elf_done(LoadedObject *o) {
        if (!o->elf_borrowed)
                elf_file_done(&o->elf);
        o->elf = (ElfFile) {};
}

static void object_done(LoadedObject *o) {
        free(o->path);
        free(o->origin);
        strv_free(o->names);
        free(o->name_hashes);
        object_elf_done(o);
}

/* st: the file's stat() as map_object() found it, NULL when it failed. */
static int add_object(Walk *w, const char *path, const struct stat *st, const char *name, size_t loader,
                      size_t *ret) {
        LoadedObject o = { .loader = loader };
        const char *why = NULL;
        int r;

        r = walk_read_elf(w, path, &o.elf, &o.elf_borrowed, &why);
        if (r < 0) {
                if (r == -EBADMSG)
                        return walk_fail(w, r, "%s: malformed ELF: %s", path, why ?: "unknown");
                return walk_fail(w, r, "%s: %s", path, elf_file_strerror(r));
        }
        if (o.elf.type != ET_DYN) {
                object_elf_done(&o);
                return walk_fail(w, -ENOEXEC, "%s: cannot dynamically load executable", path);
        }
        if (!o.elf.has_dynamic) {
                object_elf_done(&o);
                return walk_fail(w, -ENOEXEC, "%s: object file has no dynamic section", path);
        }
        if (o.elf.flags_1 & DF_1_PIE) {
                object_elf_done(&o);
                return walk_fail(w, -ENOEXEC, "%s: cannot dynamically load position-independent executable", path);
        }
        if (st)
                o.have_id = true, o.dev = st->st_dev, o.ino = st->st_ino;

        o.path = strdup(path);
        o.origin = origin_of(path);
        object_hash(&o);
        if (!o.path || !o.origin || object_add_name(&o, name) < 0 ||
            !greedy_realloc((void **) &w->objects, w->n_objects + 1, sizeof(LoadedObject))) {
                object_done(&o);
                return -ENOMEM;
        }
        w->objects[w->n_objects] = o;
        *ret = w->n_objects++;
        return 0;
}

static const char *kind_label(ElfDependencyKind kind) {
        switch (kind) {
        case ELF_DEPENDENCY_FILTER:
                return "DT_FILTER";
        case ELF_DEPENDENCY_AUXILIARY:
                return "DT_AUXILIARY";
        default:
                return "DT_NEEDED";
        }
}

/* _dl_map_object(): an already loaded object, or the file the search finds.
 * what describes the request for messages ("DT_NEEDED", "LD_PRELOAD"). */
static int map_object(Walk *w, size_t loader, const char *name, const char *what, size_t *ret) {
        _cleanup_free_ char *path = NULL, *via = NULL, *head = NULL;
        bool other_class = false;
        int r;

        size_t i = find_loaded(w, name);
        if (i != NO_OBJECT) {
                *ret = i;
                return 0;
        }

        if (!strchr(name, '/')) {
                r = search_name(w, loader, name, &other_class, &path, &via);
                if (r < 0)
                        return r;
        } else {
                Verdict v;
                int e;
                /* The name could be the program's own path in another walk. */
                w->unrepeatable = true;
                r = verify_candidate(w, name, &v, &e);
                if (r < 0)
                        return r;
                other_class = v == CANDIDATE_OTHER_ABI;
                if (v == CANDIDATE_OK && (!(path = strdup(name)) || !(via = strdup("its path"))))
                        return -ENOMEM;
        }

        if (!path && w->cfg->as_library) {
                /* A dlopen()ed library lives in a process that may hold this already
                 * (a JVM's own libraries need the libjvm.so the JVM loaded). */
                log_debug("%s needed by %s: not found, left to the program that loads it", name,
                          object_label(w, loader));
                w->unrepeatable = true;
                *ret = NO_OBJECT;
                return 0;
        }
        if (!path) {
                if (other_class)
                        return walk_fail(w, -ENOEXEC, "%s needed by %s: not found (only an ELF of another class)",
                                         name, object_label(w, loader));
                return walk_fail(w, -ENOENT, "%s needed by %s: not found", name, object_label(w, loader));
        }

        if (!(head = strjoin(what, " ", name, " of ")))
                return -ENOMEM;

        /* ld.so opened this path; if it is a file already loaded under another name, it is reused. */
        struct stat st;
        bool have_stat = walk_stat(w, path, &st) >= 0;
        if (have_stat && (i = find_by_file_id(w, st.st_dev, st.st_ino)) != NO_OBJECT) {
                _cleanup_free_ char *same = strjoin(" via ", via, ", same file as ", object_label(w, i));
                if (!same)
                        return -ENOMEM;
                r = report(w, path, loader, head, same);
                if (r < 0)
                        return r;
                if (object_add_name(object(w, i), name) < 0)
                        return -ENOMEM;
                *ret = i;
                return 0;
        }

        _cleanup_free_ char *tail = strjoin(" via ", via);
        if (!tail)
                return -ENOMEM;
        r = report(w, path, loader, head, tail);
        if (r < 0)
                return r;
        return add_object(w, path, have_stat ? &st : NULL, name, loader, ret);
}

static int list_insert(Walk *w, size_t at, size_t obj) {
        ListEntry *m = greedy_realloc((void **) &w->list, w->n_list + 1, sizeof(ListEntry));
        if (!m)
                return -ENOMEM;
        memmove(w->list + at + 1, w->list + at, (w->n_list - at) * sizeof(ListEntry));
        w->list[at] = (ListEntry) { .object = obj };
        w->n_list++;
        object(w, obj)->in_list = true;
        return 0;
}

static void list_remove(Walk *w, size_t at) {
        memmove(w->list + at, w->list + at + 1, (w->n_list - at - 1) * sizeof(ListEntry));
        w->n_list--;
}

/* A filtee goes right before its filter in the list (so it is processed
 * next); one already later in the list is moved there. */
static int place_filtee(Walk *w, size_t *cur, size_t filtee) {
        if (object(w, filtee)->in_list) {
                size_t k;
                for (k = *cur + 1; k < w->n_list && w->list[k].object != filtee; k++)
                        ;
                if (k >= w->n_list)
                        return 0; /* already earlier: nothing to do */
                list_remove(w, k);
        }
        int r = list_insert(w, *cur, filtee);
        if (r < 0)
                return r;
        (*cur)++;
        return 0;
}

static int load_dependency(Walk *w, size_t *cur, size_t obj, const ElfDependency *dep) {
        LdTokens t = tokens_of(w, obj);
        /* Most names hold no token: those are used as they are, without a copy. */
        _cleanup_free_ char *expanded = strchr(dep->name, '$') ? ld_expand_tokens(dep->name, &t) : NULL;
        const char *name = strchr(dep->name, '$') ? expanded : dep->name;
        size_t found = NO_OBJECT;
        int r;

        if (!name)
                return -ENOMEM;
        if (!*name) {
                if (dep->kind == ELF_DEPENDENCY_AUXILIARY)
                        return 0;
                return walk_fail(w, -ENOENT, "%s needed by %s: empty dynamic string token substitution",
                                 dep->name, object_label(w, obj));
        }

        r = map_object(w, obj, name, kind_label(dep->kind), &found);
        if (r < 0 && dep->kind == ELF_DEPENDENCY_AUXILIARY && r != -ENOMEM) {
                /* An auxiliary filtee is optional: glibc ignores any failure. */
                log_debug("%s", w->error ?: "auxiliary object not loaded");
                w->unrepeatable = true;
                w->error = mfree_str(w->error);
                return 0;
        }
        if (r < 0)
                return r;
        if (found == NO_OBJECT)
                return 0; /* skipped: see map_object() */

        if (dep->kind == ELF_DEPENDENCY_NEEDED) {
                if (!object(w, found)->in_list)
                        return list_insert(w, w->n_list, found);
                return 0;
        }
        return place_filtee(w, cur, found);
}

/* _dl_map_object_deps(): breadth first over the list, filtees inserted before their filter. */
static int load_dependencies(Walk *w) {
        size_t pos = 0;

        while (pos < w->n_list) {
                size_t cur = pos, obj = w->list[pos].object;
                w->list[pos].done = true;

                for (size_t i = 0; i < object(w, obj)->elf.n_dependencies; i++) {
                        int r = load_dependency(w, &cur, obj, object(w, obj)->elf.dependencies + i);
                        if (r < 0)
                                return r;
                }
                while (pos < w->n_list && w->list[pos].done)
                        pos++;
        }
        return 0;
}

static int preload_one(Walk *w, const char *name, const char *source) {
        size_t obj;
        _cleanup_free_ char *what = NULL;

        /* glibc's fixed buffer: longer names are skipped */
        if (isempty(name) || strlen(name) >= 255)
                return 0;
        if (asprintf(&what, "%s entry", source) < 0)
                return -ENOMEM;

        int r = map_object(w, 0, name, what, &obj);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                /* ld.so prints "cannot be preloaded ... ignored" and goes on. */
                log_debug("%s", w->error ?: "preload failed");
                w->unrepeatable = true;
                w->error = mfree_str(w->error);
                return 0;
        }
        if (!object(w, obj)->in_list)
                return list_insert(w, w->n_list, obj);
        return 0;
}

static int preload_from_environment(Walk *w) {
        _cleanup_free_ char *joined = NULL;
        _cleanup_strv_free_ char **names = NULL;

        if (strv_length(w->cfg->preload) == 0)
                return 0;
        joined = strv_join(w->cfg->preload, ":");
        if (!joined || strv_split(joined, " :", &names) < 0)
                return -ENOMEM;
        STRV_FOREACH(n, names) {
                int r = preload_one(w, *n, "LD_PRELOAD");
                if (r < 0)
                        return r;
        }
        return 0;
}

static int preload_from_file(Walk *w) {
        const char *file = w->cfg->preload_file ?: "/etc/ld.so.preload";
        _cleanup_free_ char *text = NULL;
        _cleanup_strv_free_ char **names = NULL;
        int r;

        /* Asked once per run: most hosts have none, and every walk would ask again. */
        char buf[LOADER_CACHE_KEY_MAX];
        const char *key = walk_key(w, buf, "readable", false, file, NULL);
        const int *known = key ? loader_cache_get(w->run_cache, key) : NULL;
        bool readable = known ? *known : access(file, R_OK) >= 0;
        if (key && !known)
                (void) loader_cache_put(w->run_cache, key, readable ? &cached_true : &cached_false, NULL);
        if (!readable)
                return 0;
        r = report(w, file, NO_OBJECT, "read by ld.so at every start", NULL);
        if (r < 0)
                return r;
        /* read-file.h: never blocks on a FIFO (ld.so itself would wait for a writer; the
         * generator runs at boot). A file that cannot be read preloads nothing. */
        if (read_full_file(file, 0, PRELOAD_FILE_MAX, &text, NULL) < 0)
                return 0;

        for (char *c = strchr(text, '#'); c; c = strchr(c, '#'))
                while (*c && *c != '\n')
                        *c++ = ' ';
        if (strv_split(text, ": \t\n", &names) < 0)
                return -ENOMEM;
        STRV_FOREACH(n, names) {
                r = preload_one(w, *n, file);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_program(Walk *w, const char *program, ElfFile *elf, bool borrowed) {
        LoadedObject o = { .loader = NO_OBJECT, .elf = *elf, .elf_borrowed = borrowed };
        /* A dlopen()ed library's $ORIGIN is the directory of the path it was opened by. */
        _cleanup_free_ char *real = NULL;
        if (w->cfg->as_library)
                real = strdup(program);
        else
                (void) loader_cache_realpath(w->run_cache, program, &real);

        /* The kernel's /proc/self/exe is the real path: the program's $ORIGIN. */
        o.path = strdup(program);
        o.origin = real ? origin_of(real) : NULL;
        object_hash(&o);
        w->objects = calloc(1, sizeof(LoadedObject));
        if (!o.path || !w->objects || (real && !o.origin)) {
                free(o.path);
                free(o.origin);
                return -ENOMEM;
        }
        *elf = (ElfFile) {};
        w->objects[0] = o;
        w->n_objects = 1;
        return list_insert(w, 0, 0);
}

/* ld.so itself is loaded first and answers to its PT_INTERP path and its soname. */
static int add_interpreter(Walk *w, const char *interp) {
        LoadedObject o = { .loader = NO_OBJECT };
        const char *why = NULL;
        struct stat st;
        int r;

        r = walk_stat(w, interp, &st);
        if (r < 0)
                return walk_fail(w, r, "%s: interpreter %s: %s", w->program, interp, strerror(-r));
        r = report(w, interp, 0, "PT_INTERP of ", NULL);
        if (r < 0)
                return r;

        r = walk_read_elf(w, interp, &o.elf, &o.elf_borrowed, &why);
        if (r < 0)
                return walk_fail(w, r, "%s: interpreter %s: %s%s%s", w->program, interp,
                                 elf_file_strerror(r), why ? ": " : "", why ?: "");

        o.have_id = true, o.dev = st.st_dev, o.ino = st.st_ino;
        o.path = strdup(interp);
        object_hash(&o);
        if (!o.path || !greedy_realloc((void **) &w->objects, w->n_objects + 1, sizeof(LoadedObject))) {
                object_done(&o);
                return -ENOMEM;
        }
        w->objects[w->n_objects++] = o;
        return 0;
}

static void walk_done(Walk *w) {
        for (size_t i = 0; i < w->n_objects; i++)
                object_done(&w->objects[i]);
        free(w->objects);
        free(w->list);
        ld_cache_free(w->cache_owned);
        loader_host_done(&w->host_storage);
        free(w->error);
        walk_record_free(w->record);
}

/* The PT_INTERP that gcc writes for programs of this class and machine. */
static const char *standard_interpreter(uint8_t elf_class, uint16_t machine) {
        if (elf_class == ELFCLASS64 && machine == EM_X86_64)
                return "/lib64/ld-linux-x86-64.so.2";
        if (elf_class == ELFCLASS32 && machine == EM_386)
                return "/lib/ld-linux.so.2";
        return NULL;
}

static int program_check(Walk *w, const ElfFile *e) {
        if (e->type != ET_EXEC && e->type != ET_DYN)
                return walk_fail(w, -ENOEXEC, "%s: ELF of type %u is not a program", w->program, e->type);
        return 0;
}

static void loader_host_free(void *p) {
        loader_host_done(p);
        free(p);
}

/* loader_host_init(), once per run and kind of program with a run cache: CPU detection
 * (cpuid traps to the hypervisor in a VM) and the subdir lists are the same every time. */
static int walk_host_init(Walk *w, const ElfFile *elf, const char *interp) {
        char buf[LOADER_CACHE_KEY_MAX];
        const char *key = w->cfg->default_dirs || !w->run_cache ||
                snprintf(buf, sizeof buf, "host:%u:%u:%s", elf->elf_class, elf->machine, interp) >= (int) sizeof buf
                ? NULL : buf;
        const LoaderHost *h = key ? loader_cache_get(w->run_cache, key) : NULL;

        if (h) {
                w->host = h;
                return 0;
        }
        int r = loader_host_init(&w->host_storage, elf->elf_class, elf->machine, interp, w->cfg->default_dirs);
        if (r < 0 || !key)
                return r;

        LoaderHost *kept = malloc(sizeof(LoaderHost));
        if (!kept)
                return 0;
        *kept = w->host_storage;
        if (loader_cache_put(w->run_cache, key, kept, loader_host_free) < 0) {
                free(kept);
                return 0;
        }
        w->host_storage = (LoaderHost) {};
        w->host = kept;
        return 0;
}

/* elf: the program's, borrowed from the run cache or moved into the walk. */
static int walk_run(Walk *w, ElfFile *elf, bool borrowed) {
        const char *interp = elf->interp;
        int r;

        r = program_check(w, elf);
        if (r < 0)
                return r;
        if (!interp && w->cfg->as_library && elf->has_dynamic) {
                /* Whatever program loads it runs the standard ld.so of its kind. */
                interp = standard_interpreter(elf->elf_class, elf->machine);
                if (!interp)
                        return walk_fail(w, -ENOEXEC, "%s: ELF for machine %u cannot run here", w->program,
                                         elf->machine);
        }
        /* Static programs (and static PIE, which has no PT_INTERP) load nothing. */
        if (!interp)
                return 0;

        r = walk_host_init(w, elf, interp);
        if (r == -ENOEXEC)
                return walk_fail(w, r, "%s: ELF for machine %u (%s) cannot run here", w->program, elf->machine,
                                 elf->elf_class == ELFCLASS64 ? "64-bit" : "32-bit");
        if (r < 0)
                return r;

        r = add_program(w, w->program, elf, borrowed);
        if (r < 0)
                return r;
        r = add_interpreter(w, interp);
        if (r < 0)
                return r;
        if (!object(w, 0)->elf.has_dynamic)
                return 0;

        r = preload_from_environment(w);
        if (r >= 0)
                r = preload_from_file(w);
        if (r >= 0)
                r = load_dependencies(w);
        return r;
}

/* The key of the program's walk in the run cache (walk-memo.h), NULL when none may stand
 * for it: without a run cache, for a dlopen()ed library, for a program not named by an
 * absolute path (its $ORIGIN depends on the cwd), or one whose own DT_RPATH counts (the
 * reasons of what it finds there name it: "via DT_RPATH of PROGRAM"). */
static char *walk_memo_key_of(Walk *w, const ElfFile *elf) {
        if (!w->run_cache || w->cfg->as_library || w->program[0] != '/' || (!elf->runpath && !isempty(elf->rpath)))
                return NULL;
        _cleanup_free_ char *real = NULL, *origin = NULL;
        if (walk_memo_uses_origin(w->cfg, elf) && loader_cache_realpath(w->run_cache, w->program, &real) >= 0 &&
            !(origin = origin_of(real)))
                return NULL;
        return walk_memo_key(w->cfg, elf, origin);
}

/* The walk, or the replay of an earlier one of this run from the same facts: of one
 * process's 1,350 walks over this machine's 1321 programs, 1,017 are replays. */
static int walk_or_replay(Walk *w, ElfFile *elf, bool borrowed) {
        _cleanup_free_ char *key = walk_memo_key_of(w, elf);
        const WalkRecord *known = key ? loader_cache_get(w->run_cache, key) : NULL;
        if (known)
                return walk_record_replay(known, w->program, emit, w);

        if (key && walk_record_new(&w->record) < 0)
                w->record = NULL;
        int r = walk_run(w, elf, borrowed);
        if (r >= 0 && w->record && !w->unrepeatable &&
            loader_cache_put(w->run_cache, key, w->record, walk_record_free_void) >= 0)
                w->record = NULL;
        return r;
}

static int walk_program(Walk *w) {
        ElfFile elf = {};
        bool borrowed = false;
        const char *why = NULL;
        int r;

        r = walk_read_elf(w, w->program, &elf, &borrowed, &why);
        if (r == -EBADMSG)
                r = walk_fail(w, r, "%s: malformed ELF: %s", w->program, why ?: "unknown");
        else if (r < 0)
                r = walk_fail(w, r, "%s: %s", w->program, elf_file_strerror(r));
        else
                r = walk_or_replay(w, &elf, borrowed);
        if (!borrowed)
                elf_file_done(&elf);
        return r < 0 ? r : 0;
}

int loader_closure(const LoaderConfig *cfg, const char *program, loader_found_fn found, void *userdata, char **ret_error) {
        static const LoaderConfig empty = {};
        Walk w = {
                .cfg = cfg ?: &empty,
                .program = program,
                .host = &w.host_storage,
                .found = found,
                .userdata = userdata,
        };
        int r;

        w.cache_file = w.cfg->cache_file ?: "/etc/ld.so.cache";
        w.run_cache = w.cfg->run_cache;

        r = walk_program(&w);
        if (r < 0 && ret_error) {
                *ret_error = w.error ?: strdup(strerror(-r));
                w.error = NULL;
        }
        walk_done(&w);
        return r < 0 ? r : 0;
}

int loader_program_uses_origin(LoaderCache *c, const char *program) {
        _cleanup_(elf_facts_freep) ElfFacts *owned = NULL;
        const ElfFacts *f;
        int r = elf_facts_get(c, program, &f, &owned);
        if (r < 0)
                return r;
        if (f->result < 0)
                return f->result;

        const ElfFile *e = &f->elf;
        bool uses = ld_has_origin_token(e->runpath ?: e->rpath);
        for (size_t i = 0; i < e->n_dependencies; i++)
                uses = uses || ld_has_origin_token(e->dependencies[i].name);
        return uses;
}

/* ---- dlopen(): the same search, from the object that calls it ---- */

static int note_cache_consulted(const char *path, const char *parent, const char *reason, void *userdata) {
        *(bool *) userdata = true;
        return 0;
}

/* The calling object as object 0 of a walk: its RPATH, RUNPATH, NODEFLIB and $ORIGIN
 * (the dir of the path given, as _dl_new_object() takes l_origin from the name the
 * object was opened by); NULL: glibc itself (NSS, gconv), which has neither path list,
 * with this host's ABI. */
static int dlopen_walk_init(Walk *w, const char *caller) {
        const char *path = caller ?: "/proc/self/exe";
        ElfFile elf = {};
        bool borrowed = false;
        const char *why = NULL;
        int r = walk_read_elf(w, path, &elf, &borrowed, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return walk_fail(w, -ENOEXEC, "%s: %s", path, why ?: elf_file_strerror(r));

        /* Whatever program loads the caller runs the standard ld.so of its kind. */
        ElfFile abi = { .elf_class = elf.elf_class, .machine = elf.machine };
        const char *interp = elf.interp ?: standard_interpreter(elf.elf_class, elf.machine);
        r = interp ? walk_host_init(w, &abi, interp) : -ENOEXEC;
        if (r >= 0 && !caller) {
                if (!borrowed)
                        elf_file_done(&elf);
                elf = (ElfFile) { .elf_class = abi.elf_class, .machine = abi.machine, .type = ET_DYN, .has_dynamic = true };
                borrowed = false;
        }
        if (r >= 0)
                r = add_program(w, path, &elf, borrowed);
        if (r < 0 && !borrowed)
                elf_file_done(&elf);
        if (r == -ENOEXEC)
                return walk_fail(w, r, "%s: ELF for machine %u cannot run here", path, abi.machine);
        return r;
}

int loader_dlopen_search(const LoaderConfig *cfg, const char *caller, const char *name, char **ret_path,
                         char **ret_via, bool *ret_cache_consulted, char **ret_error) {
        static const LoaderConfig empty = {};
        LoaderConfig as_library = *(cfg ?: &empty);
        bool consulted = false;
        as_library.as_library = true; /* $ORIGIN from the path given */
        Walk w = {
                .cfg = &as_library,
                .program = caller,
                .host = &w.host_storage,
                .found = note_cache_consulted,
                .userdata = &consulted,
                .run_cache = as_library.run_cache,
                .cache_file = as_library.cache_file ?: "/etc/ld.so.cache",
        };
        _cleanup_free_ char *path = NULL, *via = NULL;
        bool other_class = false;
        int r;

        r = dlopen_walk_init(&w, caller);
        if (r >= 0 && strchr(name, '/')) {
                /* A name with a slash is opened as it is: open_verify() only. */
                Verdict v;
                int e;
                r = verify_candidate(&w, name, &v, &e);
                if (r >= 0 && v == CANDIDATE_OK && (!(path = strdup(name)) || !(via = strdup("its path"))))
                        r = -ENOMEM;
                other_class = v == CANDIDATE_OTHER_ABI;
        } else if (r >= 0)
                r = search_name(&w, 0, name, &other_class, &path, &via);
        if (r >= 0 && !path)
                r = walk_fail(&w, other_class ? -ENOEXEC : -ENOENT, "%s: not found%s", name,
                              other_class ? " (only an ELF of another class)" : "");
        if (r >= 0) {
                *ret_path = TAKE_PTR(path);
                if (ret_via)
                        *ret_via = TAKE_PTR(via);
        }
        if (ret_cache_consulted)
                *ret_cache_consulted = consulted;
        if (r < 0 && ret_error) {
                *ret_error = w.error ?: strdup(strerror(-r));
                w.error = NULL;
        }
        walk_done(&w);
        return r < 0 ? r : 0;
}
