/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "closure.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlopen-note.h"
#include "dlopen-search.h"
#include "elf-facts.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "read-file.h"
#include "shebang.h"
#include "strv.h"

/* The kernel allows 4 levels of #! interpreters (BINPRM's recursion limit);
 * anything deeper cannot run, so it is a loop or a mistake. */
#define MAX_INTERPRETER_DEPTH 5

struct Closure {
        PathSet *binds;
        LoaderConfig loader;       /* LD_LIBRARY_PATH/LD_PRELOAD of the unit */
        char **path;               /* the unit's PATH, for #!/usr/bin/env */
        const PendingMounts *pending;
        StoreScanner *store;       /* shared by the run; NULL: stores are plain files */
        unsigned depth;            /* interpreter nesting, to stop #! loops */
        bool dlopen_recommended;   /* DlopenRecommended=: also .note.dlopen "recommended" libraries */
        char *error;               /* first failure, for the log and Description= */
        const char *error_slug;    /* e.g. "missing-executable", for the file name */
};

int closure_new(char * const *env, const ClosureRun *run, Closure **ret) {
        _cleanup_(closure_freep) Closure *c = calloc(1, sizeof(Closure));
        if (!c)
                return -ENOMEM;
        if (run) {
                c->pending = run->pending;
                c->store = run->store;
                c->loader.run_cache = run->loader_cache;
        }
        c->binds = path_set_new();
        if (!c->binds)
                return -ENOMEM;
        const char *v;
        /* Whole: ld.so splits it, and an empty entry is the working directory. */
        if ((v = strv_env_get(env, "LD_LIBRARY_PATH")) && strv_extend(&c->loader.library_path, v) < 0)
                return -ENOMEM;
        if ((v = strv_env_get(env, "LD_PRELOAD")) && strv_split(v, ": \t", &c->loader.preload) < 0)
                return -ENOMEM;
        if (strv_split(strv_env_get(env, "PATH") ?: "", ":", &c->path) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

Closure *closure_free(Closure *c) {
        if (!c)
                return NULL;
        path_set_free(c->binds);
        strv_free(c->loader.library_path);
        strv_free(c->loader.preload);
        strv_free(c->path);
        free(c->error);
        free(c);
        return NULL;
}

int closure_failv(Closure *c, int r, const char *slug, const char *fmt, va_list ap) {
        if (!c->error) {
                if (vasprintf(&c->error, fmt, ap) < 0)
                        c->error = NULL;
                c->error_slug = slug;
        }
        return r < 0 ? r : -EINVAL;
}

int closure_fail(Closure *c, int r, const char *slug, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        r = closure_failv(c, r, slug, fmt, ap);
        va_end(ap);
        return r;
}

PathSet *closure_binds(const Closure *c) {
        return c->binds;
}

const LoaderConfig *closure_loader(const Closure *c) {
        return &c->loader;
}

const char *closure_error(const Closure *c) {
        return c ? c->error : NULL;
}

const char *closure_error_slug(const Closure *c) {
        return c ? c->error_slug : NULL;
}

void closure_set_dlopen_recommended(Closure *c, bool b) {
        c->dlopen_recommended = b;
}

/* A path below a file system that fstab mounts later resolves to the wrong
 * file system now; that is its own cause, never a closure. */
static int check_not_pending(Closure *c, const char *path) {
        const char *mp = pending_mounts_find(c->pending, path);
        if (mp)
                return closure_fail(c, -EREMOTE, "mount-not-ready",
                                    "%s is on %s, which /etc/fstab mounts after generators run", path, mp);
        return 0;
}

/* Cuts the last component (and the slashes before it) off dir[0..n): the new length. */
static size_t cut_last(const char *dir, size_t n) {
        if (n <= 1)
                return n;
        /* the last component: memrchr(), not a loop, as every file added cuts its whole path */
        const char *slash = memrchr(dir + 1, '/', n - 1);
        n = slash ? (size_t) (slash - dir) : 1;
        while (n > 1 && dir[n - 1] == '/') /* and the slashes before it */
                n--;
        return n;
}

/* The deepest bound directory at or above path (above it only, with parent_only), or NULL.
 * Every file added asks, and nearly no closure binds a directory: an ancestor as long as
 * no entry is skipped unhashed (over the bench tree's 14,572 calls, 656 of 27,166
 * ancestors are looked up; 7.1M instructions before, 3.1M with memrchr() in cut_last()). */
static const PathEntry *bound_dir_above(Closure *c, const char *path, bool parent_only) {
        char dir[PATH_MAX]; /* the ancestor looked up, without a malloc */
        size_t n = strlen(path);
        if (n >= sizeof dir)
                return NULL; /* no bound path is this long: realpath() refused it */
        for (n = parent_only ? cut_last(path, n) : n; n > 1; n = cut_last(path, n)) {
                if (!path_set_may_hold_length(c->binds, n))
                        continue;
                memcpy(dir, path, n);
                dir[n] = 0;
                const PathEntry *e = path_set_get(c->binds, dir);
                if (e)
                        return e;
        }
        return NULL;
}

static const PathEntry *bound_dir_of(Closure *c, const char *path) {
        return bound_dir_above(c, path, false);
}

/* True when path is visible inside as the very same file as outside. */
static bool visible_as_is(Closure *c, const char *path) {
        const PathEntry *e = bound_dir_of(c, path);
        return e && streq(e->dest, e->source);
}

/* True when an already bound directory provides dest with the same file: its
 * real path below the directory's source, or, in a directory bound as it is on
 * the host (symlinks inside and all), a link whose target is visible too. */
static bool covered_by_bound_dir(Closure *c, const char *dest, const char *real) {
        const PathEntry *e = bound_dir_above(c, dest, true);
        if (!e)
                return false;
        const char *rest = dest + strlen(e->dest);
        size_t n = strlen(e->source);
        if (strncmp(real, e->source, n) == 0 && streq(real + n, rest))
                return true;
        return streq(e->dest, e->source) && visible_as_is(c, real);
}

/* A store path is bound whole, at itself; one that is a symlink from its
 * final target, as the NixOS module does with readlink -e. */
static int add_store_path(const char *store_path, const char *referrer, const char *reason, void *userdata) {
        Closure *c = userdata;
        _cleanup_free_ char *real = realpath(store_path, NULL);
        if (!real) {
                log_debug("  %s: dangling store path, skipped (%s)", store_path, reason);
                return errno == ENOENT ? 0 : -errno;
        }
        int r = path_set_add(c->binds, store_path, real, referrer, reason);
        if (r > 0)
                log_debug("  %s: %s", store_path, reason);
        return r < 0 ? r : 0;
}

static int add_store_closure(Closure *c, const char *top) {
        _cleanup_free_ char *error = NULL;
        if (path_set_contains(c->binds, top))
                return 0;
        int r = store_closure(c->store, top, add_store_path, c, &error);
        if (r < 0)
                return closure_fail(c, r, "store-closure", "%s", error ?: strerror(-r));
        return 0;
}

/* A file in a store (named so, or reached through a link into one) brings
 * its whole store path and everything that references. */
static int add_store_of(Closure *c, const char *path) {
        _cleanup_free_ char *top = NULL;
        if (!c->store)
                return 0;
        int r = store_path_of(c->store, path, &top);
        if (r <= 0)
                return r;
        return add_store_closure(c, top);
}

static int store_hit(const char *store_path, size_t offset, void *userdata) {
        return add_store_closure(userdata, store_path);
}

int closure_add_store_references(Closure *c, const char *text, size_t size, const char *reason) {
        if (!c->store)
                return 0;
        int r = store_scan_text(c->store, text, size, store_hit, c);
        if (r < 0 && !c->error)
                return closure_fail(c, r, "store-closure", "store references in %s: %s", reason, strerror(-r));
        return r;
}

/* realpath(), each (real dir, name) looked at once per run (loader-cache.h): units
 * share most of their files and dirs, and realpath() costs a readlink() per component. */
static int real_path(Closure *c, const char *path, char real[static PATH_MAX]) {
        return loader_cache_realpath_into(c->loader.run_cache, path, real);
}

/* parent: the path that needs this one (for --explain), NULL for a root. */
static int add_file(Closure *c, const char *path, const char *parent, const char *reason) {
        _cleanup_free_ char *dest = path_normalize(path);
        char real[PATH_MAX];
        if (!dest)
                return errno == EINVAL ? closure_fail(c, -EINVAL, "bad-path", "%s: not an absolute path", path)
                                       : -ENOMEM;
        if (path_set_contains(c->binds, dest))
                return 0;
        int r = check_not_pending(c, dest);
        if (r < 0)
                return r;
        r = real_path(c, path, real);
        if (r < 0) {
                errno = -r; /* for %m */
                if (r == -ELOOP)
                        return closure_fail(c, r, "symlink-loop", "%s (%s): too many levels of symbolic links", path, reason);
                return closure_fail(c, r, "missing-file", "%s (%s): %m", path, reason);
        }
        r = check_not_pending(c, real);
        if (r >= 0)
                r = add_store_of(c, dest);
        if (r >= 0 && !streq(dest, real))
                r = add_store_of(c, real);
        if (r < 0)
                return r;
        if (covered_by_bound_dir(c, dest, real))
                return 0;
        r = path_set_add(c->binds, dest, real, parent, reason);
        if (r < 0)
                return r;
        if (streq(dest, real))
                log_debug("  %s: %s", dest, reason);
        else
                log_debug("  %s (-> %s): %s", dest, real, reason);
        return 0;
}

int closure_add_file(Closure *c, const char *path, const char *reason) {
        return add_file(c, path, NULL, reason);
}

int closure_add_needed(Closure *c, const char *path, const char *parent, const char *reason) {
        return add_file(c, path, parent, reason);
}

static int add_elf(Closure *c, const char *path, bool as_library);
static int add_program(Closure *c, const char *path, const char *parent, const char *reason);

/* What the loader opened for one program: each object may declare the
 * libraries it dlopen()s in a .note.dlopen. */
typedef struct ElfWalk {
        Closure *closure;
        char **objects;
} ElfWalk;

static int loader_found(const char *path, const char *parent, const char *reason, void *userdata) {
        ElfWalk *w = userdata;
        int r = add_file(w->closure, path, parent, reason);
        if (r >= 0 && strv_extend(&w->objects, path) < 0)
                return -ENOMEM;
        return r;
}

static bool dlopen_wanted(const Closure *c, DlopenPriority p) {
        return p == DLOPEN_PRIORITY_REQUIRED || (p == DLOPEN_PRIORITY_RECOMMENDED && c->dlopen_recommended);
}

/* The first soname of the entry that dlopen() would find, with its own
 * closure, as a DT_NEEDED of the object. */
static int add_dlopen_entry(Closure *c, const char *object, const DlopenEntry *e) {
        STRV_FOREACH(soname, e->sonames) {
                _cleanup_free_ char *found = NULL, *reason = NULL;
                DlopenVia via;
                int r = dlopen_search(&c->loader, object, *soname, &found, &via);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue;
                if (path_set_contains(c->binds, found))
                        return 0; /* in already, with its closure (or on its way: a cycle) */
                if (asprintf(&reason, ".note.dlopen %s (%s%s%s) of %s via %s", *soname,
                             dlopen_priority_to_string(e->priority), e->feature ? ", feature " : "",
                             e->feature ?: "", object, dlopen_via_to_string(via)) < 0)
                        return -ENOMEM;
                r = add_file(c, found, object, reason);
                if (r >= 0 && via == DLOPEN_VIA_CACHE)
                        r = add_file(c, c->loader.cache_file ?: "/etc/ld.so.cache", object, reason);
                if (r >= 0)
                        r = add_elf(c, found, true);
                return r;
        }
        if (e->priority != DLOPEN_PRIORITY_REQUIRED) {
                log_debug("  %s: .note.dlopen %s library %s not found, skipped", object,
                          dlopen_priority_to_string(e->priority), e->sonames[0]);
                return 0;
        }
        _cleanup_free_ char *names = strv_join(e->sonames, ", ");
        return closure_fail(c, -ENOENT, "missing-library", "%s: .note.dlopen requires %s%s%s, not found",
                            object, names ?: e->sonames[0], e->feature ? " for feature " : "", e->feature ?: "");
}

/* A malformed or unreadable note is ignored (with a debug line): it is
 * optional metadata, and the file itself loaded fine. */
static int add_dlopen_notes(Closure *c, const char *object) {
        _cleanup_(elf_facts_freep) ElfFacts *owned = NULL;
        const ElfFacts *f;
        int r = elf_facts_get(c->loader.run_cache, object, &f, &owned);
        if (r < 0)
                return r;
        if (f->note_result < 0) {
                if (f->note_result != -ENOEXEC)
                        log_debug_errno(f->note_result, "  %s: .note.dlopen unusable, ignored: %m", object);
                return 0;
        }
        for (size_t i = 0; i < f->note.n_entries && r >= 0; i++)
                if (dlopen_wanted(c, f->note.entries[i].priority))
                        r = add_dlopen_entry(c, object, &f->note.entries[i]);
        return r;
}

static int add_elf(Closure *c, const char *path, bool as_library) {
        _cleanup_free_ char *error = NULL;
        ElfWalk w = { .closure = c };
        LoaderConfig cfg = c->loader;
        cfg.as_library = as_library;
        int r = loader_closure(&cfg, path, loader_found, &w, &error);
        if (r < 0 && !c->error) {
                const char *slug = r == -ENOENT ? "missing-library" : "bad-elf";
                r = closure_fail(c, r, slug, "%s", error ?: "ELF closure failed");
        }
        if (r >= 0)
                r = add_dlopen_notes(c, path);
        STRV_FOREACH(o, w.objects)
                if (r >= 0)
                        r = add_dlopen_notes(c, *o);
        strv_free(w.objects);
        return r;
}

char *closure_find_in_path(char * const *path, const char *name) {
        STRV_FOREACH(dir, path) {
                _cleanup_free_ char *p = NULL;
                struct stat st;
                if (asprintf(&p, "%s/%s", *dir, name) < 0)
                        return NULL;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
                        return TAKE_PTR(p);
        }
        return NULL;
}

/* "#!/usr/bin/env [-S] [-i] [VAR=x] prog ...": env looks prog up in PATH. */
static int add_env_target(Closure *c, const char *arg, const char *script) {
        _cleanup_strv_free_ char **words = NULL;
        if (strv_split(arg, " \t", &words) < 0)
                return -ENOMEM;
        STRV_FOREACH(w, words) {
                if ((*w)[0] == '-' || strchr(*w, '='))
                        continue;
                _cleanup_free_ char *reason = NULL;
                if (asprintf(&reason, "run by #!env of %s", script) < 0)
                        return -ENOMEM;
                if ((*w)[0] == '/')
                        return add_program(c, *w, script, reason);
                _cleanup_free_ char *found = closure_find_in_path(c->path, *w);
                if (!found)
                        return closure_fail(c, -ENOENT, "missing-interpreter",
                                            "%s: #! runs env %s, which is not on the unit's PATH", script, *w);
                return add_program(c, found, script, reason);
        }
        return 0;
}

static int add_script(Closure *c, const char *path) {
        _cleanup_free_ char *interp = NULL, *arg = NULL, *reason = NULL;
        int r = shebang_read(path, &interp, &arg);
        if (r < 0)
                return closure_fail(c, r, "bad-script", "%s: unusable #! line: %s", path, strerror(-r));
        if (interp[0] != '/')
                return closure_fail(c, -ENOEXEC, "bad-script", "%s: #! interpreter %s is not an absolute path", path, interp);
        if (asprintf(&reason, "#! interpreter of %s", path) < 0)
                return -ENOMEM;
        r = add_program(c, interp, path, reason);
        if (r < 0)
                return r;
        if (arg && streq(path_basename(interp), "env"))
                return add_env_target(c, arg, path);
        return 0;
}

enum file_kind { KIND_OTHER, KIND_ELF, KIND_SCRIPT };

/* ret_elf_type (may be NULL): e_type of an ELF file in the host's byte order,
 * ET_NONE when the header is too short to say. */
static int sniff_full(const char *path, enum file_kind *ret, uint16_t *ret_elf_type) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        unsigned char buf[EI_NIDENT + 2] = {};
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EISDIR;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0)
                return -errno;
        if (n >= 4 && memcmp(buf, ELFMAG, SELFMAG) == 0)
                *ret = KIND_ELF;
        else if (n >= 2 && buf[0] == '#' && buf[1] == '!')
                *ret = KIND_SCRIPT;
        else
                *ret = KIND_OTHER;
        if (ret_elf_type) {
                uint16_t type = ET_NONE;
                if (n == (ssize_t) sizeof buf)
                        memcpy(&type, buf + EI_NIDENT, sizeof type);
                *ret_elf_type = type;
        }
        return 0;
}

/* What a file in a package dir is (SPEC 2, Packages=): an executable program
 * (ET_EXEC or ET_DYN with an execute bit) or a shared library (ET_DYN) is
 * resolved; a relocatable object (python3's config-X.Y/python.o), a core file,
 * or an ELF file without an execute bit that is not a shared library is data:
 * bound with the dir, never resolved, never a cause to block. ld.so maps only
 * ET_EXEC and ET_DYN (elf/dl-load.c open_verify), the kernel execs nothing
 * without an execute bit. */
static bool package_elf_is_code(const struct stat *st, uint16_t type) {
        if (type == ET_DYN)
                return true;
        return type == ET_EXEC && (st->st_mode & 0111);
}

/* What the file's first bytes say it is, from the facts the loader keeps of it: the
 * program is opened once for this look, its DT_NEEDED walk and its notes. */
static int sniff_program(Closure *c, const char *path, enum file_kind *ret) {
        _cleanup_(elf_facts_freep) ElfFacts *owned = NULL;
        const ElfFacts *f;
        int r = elf_facts_get(c->loader.run_cache, path, &f, &owned);
        if (r < 0)
                return r;
        if (f->open_result < 0)
                return f->open_result;
        *ret = f->elf_magic ? KIND_ELF : f->shebang ? KIND_SCRIPT : KIND_OTHER;
        return 0;
}

static int add_program(Closure *c, const char *path, const char *parent, const char *reason) {
        struct stat st;
        int stat_errno = loader_cache_stat(c->loader.run_cache, path, &st);
        if (stat_errno == -ENOENT && !pending_mounts_find(c->pending, path))
                return closure_fail(c, -ENOENT, "missing-executable", "%s (%s) does not exist", path, reason);
        int r = add_file(c, path, parent, reason);
        if (r < 0)
                return r;
        if (c->depth >= MAX_INTERPRETER_DEPTH)
                return closure_fail(c, -ELOOP, "interpreter-loop",
                                    "%s: #! interpreters nest too deeply (a loop?)", path);

        enum file_kind kind;
        if (stat_errno < 0) {
                errno = -stat_errno;
                return closure_fail(c, stat_errno, "missing-executable", "%s: %m", path);
        }
        if (S_ISDIR(st.st_mode))
                return closure_fail(c, -EISDIR, "not-executable", "%s (%s) is a directory", path, reason);
        if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
                return closure_fail(c, -EACCES, "not-executable", "%s (%s) is not an executable file", path, reason);
        r = sniff_program(c, path, &kind);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return closure_fail(c, r, "unreadable-executable", "%s: %s", path, strerror(-r));

        c->depth++;
        if (kind == KIND_ELF)
                r = add_elf(c, path, false);
        else if (kind == KIND_SCRIPT)
                r = add_script(c, path);
        else
                r = closure_fail(c, -ENOEXEC, "not-executable",
                                 "%s (%s) is neither an ELF program nor a #! script", path, reason);
        c->depth--;
        return r;
}

int closure_add_program(Closure *c, const char *path, const char *reason) {
        return add_program(c, path, NULL, reason);
}

/* The service gets its own /run, /tmp and /var/tmp: what the host has there
 * (a PID file left by an earlier start) must never be bound over them. */
static bool in_private_tree(const char *path) {
        static const char *const trees[] = { "/run", "/var/run", "/tmp", "/var/tmp" };
        _cleanup_free_ char *p = path_normalize(path);
        for (size_t i = 0; p && i < ELEMENTSOF(trees); i++)
                if (path_startswith_dir(p, trees[i]))
                        return true;
        return false;
}

int closure_add_argument(Closure *c, const char *path, const char *reason) {
        struct stat st;
        enum file_kind kind;
        uint16_t elf_type;
        if (path[0] != '/' || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        if (in_private_tree(path)) {
                log_debug("  %s (%s): in the service's private /run or /tmp, not bound from the host", path, reason);
                return 0;
        }
        /* An executable relocatable object or core file is data, as in a package dir. */
        if ((st.st_mode & 0111) && sniff_full(path, &kind, &elf_type) >= 0 &&
            (kind == KIND_SCRIPT || (kind == KIND_ELF && package_elf_is_code(&st, elf_type))))
                return closure_add_program(c, path, reason);
        return closure_add_file(c, path, reason);
}

/* nftw() has no user pointer: the walk over one package dir keeps its state here. */
static struct {
        Closure *closure;
        const char *real_root; /* the dir's real path, which nftw walks */
        const char *dest_root; /* where it appears inside */
        int error;
} walk;

static int walk_entry(const char *fpath, const struct stat *st, int type, struct FTW *ftw) {
        _cleanup_free_ char *dest = path_join_normalize(walk.dest_root, fpath + strlen(walk.real_root));
        _cleanup_free_ char *reason = NULL;
        enum file_kind kind;
        uint16_t elf_type;
        int r = 0;
        if (!dest || asprintf(&reason, "in package %s", walk.dest_root) < 0)
                return walk.error = -ENOMEM, 1;
        if (type == FTW_SL) {
                /* The link itself is inside the bound dir; its target must be too. */
                char target[PATH_MAX];
                ssize_t n = readlink(fpath, target, sizeof target - 1);
                if (n <= 0)
                        return 0;
                target[n] = 0;
                _cleanup_free_ char *dir = path_dirname(dest);
                _cleanup_free_ char *abs = target[0] == '/' ? path_normalize(target) : path_join_normalize(dir, target);
                if (!abs || path_startswith_dir(abs, walk.dest_root) || access(fpath, F_OK) < 0)
                        return 0; /* inside already, or dangling: nothing to add */
                r = add_file(walk.closure, abs, walk.dest_root, reason);
        } else if (type == FTW_F && S_ISREG(st->st_mode) && sniff_full(fpath, &kind, &elf_type) >= 0) {
                if (kind == KIND_ELF && !package_elf_is_code(st, elf_type))
                        log_debug("  %s: ELF of type %u%s, data: bound with %s, not resolved", dest,
                                  (unsigned) elf_type, st->st_mode & 0111 ? "" : " without an execute bit",
                                  walk.dest_root);
                else if (kind == KIND_ELF)
                        r = add_elf(walk.closure, dest, !(st->st_mode & 0111) || strstr(fpath, ".so"));
                else if (kind == KIND_SCRIPT && (st->st_mode & 0111))
                        r = add_script(walk.closure, dest);
        }
        if (r < 0)
                return walk.error = r, 1;
        return 0;
}

int closure_add_package(Closure *c, const char *path, const char *reason) {
        struct stat st;
        int r = closure_add_file(c, path, reason);
        if (r < 0)
                return r;
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                return closure_add_argument(c, path, reason);

        const PathEntry *e = path_set_get(c->binds, path);
        _cleanup_free_ char *dest = path_normalize(path);
        _cleanup_free_ char *real = e ? strdup(e->source) : realpath(path, NULL);
        if (!dest || !real)
                return -ENOMEM;
        walk.closure = c;
        walk.real_root = real;
        walk.dest_root = dest;
        walk.error = 0;
        if (nftw(real, walk_entry, 32, FTW_PHYS) < 0 && walk.error == 0)
                return closure_fail(c, -errno, "unreadable-package", "%s: %m", path);
        return walk.error;
}

/* The owner's name from /etc/passwd itself: no NSS module may talk to a
 * daemon at boot. */
static void owner_name(uid_t uid, char *buf, size_t size) {
        _cleanup_fclose_ FILE *f = NULL;
        struct passwd *pw;
        snprintf(buf, size, "uid %u", (unsigned) uid);
        (void) read_file_open("/etc/passwd", 0, &f); /* a FIFO must not block the boot */
        while (f && (pw = fgetpwent(f)))
                if (pw->pw_uid == uid) {
                        snprintf(buf, size, "%s (uid %u)", pw->pw_name, (unsigned) uid);
                        return;
                }
}

/* dir holds entry: may anyone but root change what entry names? */
static int check_holder(Closure *c, const char *path, const char *dir, const struct stat *d,
                        const struct stat *entry) {
        char who[300];
        if (d->st_uid == 0 && !(d->st_mode & (S_IWGRP | S_IWOTH)))
                return 0;
        if (d->st_uid == 0 && (d->st_mode & S_ISVTX) && entry && entry->st_uid == 0)
                return 0; /* sticky: only root may rename or remove root's entry */
        if (d->st_uid != 0) {
                owner_name(d->st_uid, who, sizeof who);
                return closure_fail(c, -EPERM, "unsafe-path",
                                    "%s: the directory %s belongs to %s, who can replace what the path names; "
                                    "bind it with the unit's own BindReadOnlyPaths= to accept that",
                                    path, dir, who);
        }
        return closure_fail(c, -EPERM, "unsafe-path",
                            "%s: the directory %s (mode %04o, group %u) is writable by others than root, who can "
                            "replace what the path names; bind it with the unit's own BindReadOnlyPaths= to "
                            "accept that",
                            path, dir, (unsigned) (d->st_mode & 07777), (unsigned) d->st_gid);
}

/* Walks path from / as the kernel resolves it, checking each directory that
 * holds a component; a symlink restarts the walk on its target. */
static int check_path_safe(Closure *c, const char *bound, const char *path, unsigned *links) {
        _cleanup_free_ char *norm = path_normalize(path);
        char cur[PATH_MAX] = "/", child[PATH_MAX];
        size_t len = 0; /* of cur, but 0 for "/": child is cur, "/" and the component */
        struct stat d, e;
        if (!norm)
                return -ENOMEM;
        if (loader_cache_lstat(c->loader.run_cache, "/", &d) < 0)
                return 0;
        for (const char *p = norm; *p;) {
                p += strspn(p, "/");
                size_t n = strcspn(p, "/");
                if (n == 0)
                        break;
                if (len + 1 + n >= sizeof child)
                        return closure_fail(c, -ENAMETOOLONG, "bad-path", "%s: path too long", bound);
                memcpy(child, cur, len);
                child[len] = '/';
                memcpy(child + len + 1, p, n);
                child[len + 1 + n] = 0;
                /* Once per path and run: every unit's binds share their dirs. */
                bool missing = loader_cache_lstat(c->loader.run_cache, child, &e) < 0;
                int r = check_holder(c, bound, cur, &d, missing ? NULL : &e);
                if (r < 0 || missing)
                        return r; /* a missing source is systemd's to report */
                p += n;
                if (S_ISLNK(e.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t l = readlink(child, target, sizeof target - 1);
                        if (l < 0 || ++*links > 40)
                                return closure_fail(c, l < 0 ? -errno : -ELOOP, "bad-path",
                                                    "%s: cannot follow %s", bound, child);
                        target[l] = 0;
                        _cleanup_free_ char *next = NULL;
                        if (asprintf(&next, "%s/%s/%s", target[0] == '/' ? "" : cur, target, p) < 0)
                                return -ENOMEM;
                        return check_path_safe(c, bound, next, links);
                }
                len += 1 + n;
                memcpy(cur, child, len + 1);
                d = e;
        }
        return 0;
}

/* The safe-path rule once per path and run: every unit binds libc. Only a path found safe
 * is kept; an unsafe one is checked again, to name it in each unit's error. */
static int check_path_safe_cached(Closure *c, const char *path) {
        static const int safe = 1;
        LoaderCache *cache = c->loader.run_cache;
        char buf[LOADER_CACHE_KEY_MAX];
        const char *key = cache ? loader_cache_key(buf, "safe", path) : NULL;
        if (key && loader_cache_get(cache, key))
                return 0;
        unsigned links = 0;
        int r = check_path_safe(c, path, path, &links);
        if (r >= 0 && key)
                (void) loader_cache_put(cache, key, (void *) &safe, NULL);
        return r;
}

int closure_check_binds_safe(Closure *c) {
        const PathEntry **sorted = path_set_sorted(c->binds);
        if (!sorted)
                return -ENOMEM;
        for (const PathEntry **e = sorted; *e; e++) {
                int r = check_path_safe_cached(c, (*e)->source);
                if (r < 0)
                        return r;
        }
        return 0;
}
