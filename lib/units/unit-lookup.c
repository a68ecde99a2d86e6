/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "unit-lookup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-path.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "read-file.h"
#include "string-util.h"
#include "strv.h"

#define FOLLOW_MAX 8

/* A dir as same_dir() compares it: normalised, and resolved when it exists. */
typedef struct DirId {
        char *normal;
        char *real;
} DirId;

static int dir_id_init(DirId *id, const char *path) {
        _cleanup_free_ char *cwd = path[0] == '/' ? NULL : getcwd(NULL, 0);
        if (path[0] != '/' && !cwd)
                return -errno;
        /* An output dir given by hand may be relative to where we run. */
        *id = (DirId) { .normal = cwd ? path_join_normalize(cwd, path) : path_normalize(path) };
        if (!id->normal)
                return -ENOMEM;
        id->real = realpath(id->normal, NULL);
        return 0;
}

static void dir_id_done(DirId *id) {
        free(id->normal);
        free(id->real);
}

static bool same_dir(const DirId *a, const DirId *b) {
        return streq(a->normal, b->normal) || (a->real && b->real && streq(a->real, b->real));
}

/* Each dir is resolved once: realpath() costs a readlink() per path component. */
static int filter_search_path(char * const *all, char * const *exclude, char ***l) {
        size_t n = strv_length(exclude);
        DirId ex[n + 1];
        int r = 0;

        for (size_t i = 0; i < n; i++)
                ex[i] = (DirId) {};
        for (size_t i = 0; i < n && r >= 0; i++)
                r = dir_id_init(&ex[i], exclude[i]);
        STRV_FOREACH(d, all) {
                DirId id;
                bool skip = false;
                if (r < 0 || (r = dir_id_init(&id, *d)) < 0)
                        break;
                for (size_t i = 0; i < n; i++)
                        skip = skip || same_dir(&id, &ex[i]);
                dir_id_done(&id);
                if (!skip)
                        r = strv_extend(l, *d);
        }
        for (size_t i = 0; i < n; i++)
                dir_id_done(&ex[i]);
        return r;
}

int unit_search_path(char * const *exclude, char ***ret) {
        _cleanup_strv_free_ char **all = NULL, **l = calloc(1, sizeof(char *));
        int r;

        if (!l)
                return -ENOMEM;
        r = sd_path_lookup_strv(SD_PATH_SYSTEMD_SEARCH_SYSTEM_UNIT, NULL, &all);
        if (r < 0)
                return r;
        r = filter_search_path(all, exclude, &l);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

/* ---- A hash table of strings kept elsewhere, each with a number. ---- */

typedef struct StrSlot {
        const char *key; /* NULL: a free slot */
        uint64_t value;
} StrSlot;

/* Open addressing, at most half full: a look-up is a hash and, as a rule, one strcmp(), where
 * a binary search over a unit tree's names took a dozen. */
typedef struct StrTable {
        StrSlot *slots; /* NULL when empty */
        size_t mask;    /* the number of slots (a power of two) less one */
} StrTable;

/* Room for n keys. */
static int str_table_init(StrTable *t, size_t n) {
        size_t size = 8;
        *t = (StrTable) {};
        if (n == 0)
                return 0;
        while (size < 2 * n)
                size *= 2;
        t->slots = calloc(size, sizeof(StrSlot));
        if (!t->slots)
                return -ENOMEM;
        t->mask = size - 1;
        return 0;
}

/* key's slot in a table with room: its own, or the free one where it would go. */
static StrSlot *str_table_slot(const StrTable *t, const char *key) {
        size_t k = string_hash(key) & t->mask;
        while (t->slots[k].key && !streq(t->slots[k].key, key))
                k = (k + 1) & t->mask;
        return &t->slots[k];
}

static const StrSlot *str_table_get(const StrTable *t, const char *key) {
        const StrSlot *s = t->slots ? str_table_slot(t, key) : NULL;
        return s && s->key ? s : NULL;
}

/* ---- The name map: which file or other name each unit name in the search path stands for. ---- */

typedef enum FragmentState {
        FRAGMENT_UNKNOWN = 0,
        FRAGMENT_MISSING,  /* stat() failed */
        FRAGMENT_MASKED,   /* a device (/dev/null) or an empty file */
        FRAGMENT_LOADS,
} FragmentState;

typedef struct NameEntry {
        char *name;
        char *target; /* an absolute path (the fragment) or another unit name (an alias) */
        char *id;     /* the unit this name loads as (after aliases), NULL if none: see index_ids() */
        size_t order; /* dir priority, then readdir order: the first one wins */
        FragmentState state; /* for a target that is a path: what stat() found, once per run */
} NameEntry;

/* The "*.d" entries of one unit dir, seen by the same readdir() as its units: a drop-in dir
 * not among them does not exist, and needs no stat() (a few thousand per run otherwise). */
typedef struct DirListing {
        bool listed;      /* false: the dir could not be read, so every name is probed */
        char **dot_d;     /* names ending in ".d" that are, or may be, directories */
} DirListing;

/* The bits of a value of NameMap.dot_dirs: a dir past them is probed for every name. */
#define LISTED_DIRS_MAX 64

typedef struct NameMap {
        NameEntry *entries; /* sorted by name */
        size_t n;
        StrTable names;  /* each entry's name, to its index */
        size_t *by_id;   /* the entries with an id, sorted by id, then by place: see aliases_of() */
        size_t n_by_id;
        StrTable ids;    /* each id, to the first place in by_id that has it */
        char **search_path;
        char **expanded; /* the search path and its dirs with symlinks resolved */
        DirListing *listings; /* one per search_path entry */
        StrTable dot_dirs;    /* every listed ".d" name, to a bit for each dir that lists it (bit i:
                               * search path entry i): see index_dot_dirs() */
        bool probe_all;       /* some dir is not listed (or past LISTED_DIRS_MAX): any name may be there */
} NameMap;

static void name_map_done(NameMap *m) {
        for (size_t i = 0; i < m->n; i++) {
                free(m->entries[i].name);
                free(m->entries[i].target);
                free(m->entries[i].id);
        }
        free(m->entries);
        free(m->names.slots);
        free(m->by_id);
        free(m->ids.slots);
        strv_free(m->expanded);
        for (size_t i = 0; m->listings && m->search_path && m->search_path[i]; i++)
                strv_free(m->listings[i].dot_d);
        free(m->listings);
        free(m->dot_dirs.slots);
        *m = (NameMap) {};
}

static const NameEntry *name_map_get(const NameMap *m, const char *name) {
        const StrSlot *s = str_table_get(&m->names, name);
        return s ? &m->entries[s->value] : NULL;
}

static bool stat_null_or_empty(const struct stat *st) {
        return S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) || (S_ISREG(st->st_mode) && st->st_size == 0);
}

static FragmentState fragment_state(int stat_result, const struct stat *st) {
        return stat_result < 0 ? FRAGMENT_MISSING : stat_null_or_empty(st) ? FRAGMENT_MASKED : FRAGMENT_LOADS;
}

static int name_map_add(NameMap *m, char *name, char *target, FragmentState state, size_t *allocated) {
        if (!name || !target) {
                free(name);
                free(target);
                return -ENOMEM;
        }
        if (m->n >= *allocated) {
                size_t a = *allocated ? *allocated * 2 : 64;
                NameEntry *e = reallocarray(m->entries, a, sizeof(NameEntry));
                if (!e) {
                        free(name);
                        free(target);
                        return -ENOMEM;
                }
                m->entries = e;
                *allocated = a;
        }
        m->entries[m->n] = (NameEntry) { .name = name, .target = target, .order = m->n, .state = state };
        m->n++;
        return 0;
}

static bool type_may_alias(const char *type) {
        return strv_contains((char **) (const char *[]) { "service", "socket", "target", "device", "timer", "path", NULL },
                             type);
}

static bool type_may_template(const char *type) {
        return strv_contains((char **) (const char *[]) { "service", "socket", "target", "timer", "path", NULL }, type);
}

/* systemd's unit_validate_alias_symlink_or_warn(): may src be an alias of dst? */
static bool alias_is_valid(const char *src, const char *dst) {
        _cleanup_free_ char *si = NULL, *di = NULL;
        int sk = unit_name_to_instance(src, &si), dk;

        if (sk < 0 || !type_may_alias(unit_name_type(src)))
                return false;
        if (sk != UNIT_NAME_PLAIN && !type_may_template(unit_name_type(src)))
                return false;
        if (streq(src, dst) || (dk = unit_name_to_instance(dst, &di)) < 0)
                return false;
        if (!(dk == sk || (sk == UNIT_NAME_INSTANCE && dk == UNIT_NAME_TEMPLATE)))
                return false;
        if (dk == UNIT_NAME_INSTANCE && !streq(si, di))
                return false;
        return streq(unit_name_type(src), unit_name_type(dst));
}

/* The target of dir/name with "." and ".." gone and the dirs on the way resolved (as systemd's
 * chase with CHASE_NOFOLLOW|CHASE_NONEXISTENT). */
static char *symlink_destination(const char *dir, const char *name) {
        char target[PATH_MAX + 1], *joined, *norm;
        _cleanup_free_ char *path = NULL;
        ssize_t k;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return NULL;
        k = readlink(path, target, PATH_MAX);
        if (k < 0)
                return NULL;
        target[k] = 0;
        if (asprintf(&joined, "%s%s%s", target[0] == '/' ? "" : dir, target[0] == '/' ? "" : "/", target) < 0)
                return NULL;
        norm = path_normalize(joined);
        free(joined);
        if (!norm)
                return NULL;

        _cleanup_free_ char *d = strdup(norm), *resolved = NULL;
        if (!d)
                return norm;
        resolved = realpath(dirname(d), NULL);
        if (!resolved || streq(norm, "/"))
                return norm;
        char *r;
        const char *base = strrchr(norm, '/') + 1;
        if (asprintf(&r, "%s%s%s", resolved, streq(resolved, "/") ? "" : "/", base) < 0)
                r = NULL;
        free(norm);
        return r;
}

static bool in_search_path(const NameMap *m, const char *path) {
        STRV_FOREACH(d, m->expanded)
                /* systemd's path_startswith_strv(): the dir itself counts as inside. */
                if (path_startswith_dir(path, *d))
                        return true;
        return false;
}

/* What a symlink in a unit dir stands for: another name (an alias inside the search path), or
 * the link itself (a linked unit file or a mask). NULL for an invalid alias, which systemd skips. */
static char *symlink_target(const NameMap *m, const char *dir, const char *name) {
        _cleanup_free_ char *dst = symlink_destination(dir, name);
        char *r;

        if (!dst)
                return NULL;
        if (in_search_path(m, dst)) {
                const char *base = strrchr(dst, '/') + 1;
                if (!alias_is_valid(name, base)) {
                        log_debug("%s/%s: invalid alias of %s, ignored as systemd does.", dir, name, base);
                        return NULL;
                }
                return strdup(base);
        }
        return asprintf(&r, "%s/%s", dir, name) < 0 ? NULL : r;
}

static int d_type_of(DIR *d, struct dirent *de) {
        struct stat st;
        if (de->d_type != DT_UNKNOWN)
                return de->d_type;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return DT_UNKNOWN;
        return S_ISREG(st.st_mode) ? DT_REG : S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : DT_UNKNOWN;
}

static int scan_unit_dir(NameMap *m, const char *dir, DirListing *listing, size_t *allocated) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;

        /* A dir that does not exist has no drop-in dirs either; an unreadable one may. */
        listing->listed = d || errno == ENOENT || errno == ENOTDIR;
        if (!d)
                return 0; /* missing or unreadable dirs are skipped, as systemd does */
        listing->dot_d = calloc(1, sizeof(char *));
        if (!listing->dot_d)
                return -ENOMEM;
        while ((de = readdir(d))) {
                int t = d_type_of(d, de);
                if (t != DT_REG && endswith(de->d_name, ".d") && strv_extend(&listing->dot_d, de->d_name) < 0)
                        return -ENOMEM;
                if ((t != DT_REG && t != DT_LNK) || !unit_name_is_valid(de->d_name, UNIT_NAME_ANY))
                        continue;
                char *target;
                FragmentState state = FRAGMENT_UNKNOWN;
                if (t == DT_LNK)
                        target = symlink_target(m, dir, de->d_name);
                else if ((target = strjoin(dir, "/", de->d_name))) {
                        /* The stat() of the fragment, from the dir already open: no walk of
                         * its path again (see stat_fragments()). */
                        struct stat st;
                        state = fragment_state(fstatat(dirfd(d), de->d_name, &st, 0), &st);
                }
                if (!target)
                        continue;
                int r = name_map_add(m, strdup(de->d_name), target, state, allocated);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cmp_entry(const void *a, const void *b) {
        const NameEntry *x = a, *y = b;
        int c = strcmp(x->name, y->name);
        return c != 0 ? c : x->order < y->order ? -1 : x->order > y->order;
}

static int index_names(NameMap *m);
static int index_ids(NameMap *m);
static int index_dot_dirs(NameMap *m);

static int name_map_build(NameMap *m, char * const *search_path) {
        size_t allocated = 0;
        int r;

        *m = (NameMap) { .search_path = (char **) search_path };
        m->listings = calloc(strv_length(search_path) + 1, sizeof(DirListing));
        if (!m->listings)
                return -ENOMEM;
        STRV_FOREACH(d, search_path) {
                r = strv_extend(&m->expanded, *d);
                if (r < 0)
                        return r;
                _cleanup_free_ char *resolved = realpath(*d, NULL);
                if (resolved && !strv_contains(m->expanded, resolved) && (r = strv_extend(&m->expanded, resolved)) < 0)
                        return r;
        }
        for (size_t i = 0; search_path[i]; i++)
                if ((r = scan_unit_dir(m, search_path[i], &m->listings[i], &allocated)) < 0)
                        return r;

        /* Keep only the first entry of each name: the highest-priority dir wins. */
        if (m->n > 1)
                qsort(m->entries, m->n, sizeof(NameEntry), cmp_entry);
        size_t w = 0;
        for (size_t i = 0; i < m->n; i++) {
                if (w > 0 && streq(m->entries[w - 1].name, m->entries[i].name)) {
                        free(m->entries[i].name);
                        free(m->entries[i].target);
                        continue;
                }
                m->entries[w++] = m->entries[i];
        }
        m->n = w;
        if ((r = index_names(m)) < 0 || (r = index_ids(m)) < 0)
                return r;
        return index_dot_dirs(m);
}

/* systemd's unit_ids_map_get(): follows aliases to the entry of a fragment path. */
static int name_map_resolve_entry(const NameMap *m, const char *name, const NameEntry **ret) {
        const char *id = NULL;

        for (unsigned n = 0; n < FOLLOW_MAX; n++) {
                const NameEntry *e = name_map_get(m, id ? id : name);
                if (!e) {
                        _cleanup_free_ char *template = NULL;
                        if (!id)
                                return -ENOENT;
                        if (unit_name_template(id, &template) < 0 || !(e = name_map_get(m, template)))
                                return -ENXIO;
                }
                if (e->target[0] == '/') {
                        *ret = e;
                        return 0;
                }
                id = e->target;
        }
        return -ELOOP;
}

static int name_map_resolve(const NameMap *m, const char *name, const char **ret_fragment) {
        const NameEntry *e;
        int r = name_map_resolve_entry(m, name, &e);
        if (r >= 0)
                *ret_fragment = e->target;
        return r;
}

/* The entry of the file name loads from: its own, else (an instance) its template's. */
static const NameEntry *fragment_entry(const NameMap *m, const char *name) {
        _cleanup_free_ char *template = NULL;
        const NameEntry *e = NULL;
        if (name_map_resolve_entry(m, name, &e) < 0 && unit_name_to_instance(name, NULL) == UNIT_NAME_INSTANCE &&
            unit_name_template(name, &template) >= 0)
                (void) name_map_resolve_entry(m, template, &e);
        return e;
}

/* Each name of the map to its entry, for name_map_get(). */
static int index_names(NameMap *m) {
        int r = str_table_init(&m->names, m->n);
        for (size_t i = 0; r >= 0 && i < m->n; i++)
                *str_table_slot(&m->names, m->entries[i].name) = (StrSlot) { .key = m->entries[i].name, .value = i };
        return r;
}

/* Each fragment path stat()ed once per run: every name of it (aliases, instances) and
 * the unit's lookup ask again. A regular file's was taken by the scan of its dir. */
static void stat_fragments(NameMap *m) {
        for (size_t i = 0; i < m->n; i++) {
                struct stat st;
                NameEntry *e = &m->entries[i];
                if (e->target[0] == '/' && e->state == FRAGMENT_UNKNOWN)
                        e->state = fragment_state(stat(e->target, &st), &st);
        }
}

/* The unit a name loads as: the file its alias chain ends at, with the name's
 * instance put into a template; NULL when it loads nothing (masked, missing). */
static int resolve_id(const NameMap *m, const char *name, char **ret) {
        const NameEntry *e;
        _cleanup_free_ char *inst = NULL;

        *ret = NULL;
        if (name_map_resolve_entry(m, name, &e) < 0 || e->state != FRAGMENT_LOADS)
                return 0;
        const char *d = path_basename(e->target);
        if (unit_name_is_valid(d, UNIT_NAME_TEMPLATE) && unit_name_to_instance(name, &inst) == UNIT_NAME_INSTANCE)
                return unit_name_replace_instance(d, inst, ret) < 0 ? 0 : 1;
        *ret = strdup(d);
        return *ret ? 1 : -ENOMEM;
}

static int cmp_by_id(const void *a, const void *b, void *userdata) {
        const NameMap *m = userdata;
        size_t i = *(const size_t *) a, j = *(const size_t *) b;
        int c = strcmp(m->entries[i].id, m->entries[j].id);
        return c != 0 ? c : (i > j) - (i < j);
}

/* Done once per map, so that finding a unit's aliases costs no file system access, and
 * a hash look-up instead of a look at every name (which made the run quadratic). */
static int index_ids(NameMap *m) {
        stat_fragments(m);
        m->by_id = calloc(m->n + 1, sizeof(size_t));
        if (!m->by_id)
                return -ENOMEM;
        for (size_t i = 0; i < m->n; i++) {
                int r = resolve_id(m, m->entries[i].name, &m->entries[i].id);
                if (r < 0)
                        return r;
                if (m->entries[i].id)
                        m->by_id[m->n_by_id++] = i;
        }
        qsort_r(m->by_id, m->n_by_id, sizeof(size_t), cmp_by_id, m);
        int r = str_table_init(&m->ids, m->n_by_id);
        for (size_t k = 0; r >= 0 && k < m->n_by_id; k++) {
                StrSlot *s = str_table_slot(&m->ids, m->entries[m->by_id[k]].id);
                if (!s->key)
                        *s = (StrSlot) { .key = m->entries[m->by_id[k]].id, .value = k };
        }
        return r;
}

/* The names (src) whose alias chain ends at the unit called dst, as systemd's unit_name_map,
 * in the map's order: from m->by_id[returned] on, while their id is dst. */
static size_t aliases_of(const NameMap *m, const char *dst) {
        const StrSlot *s = str_table_get(&m->ids, dst);
        return s ? s->value : m->n_by_id;
}

static int add_name(char ***names, const char *name) {
        return strv_contains(*names, name) ? 0 : strv_extend(names, name);
}

/* A name of the unit u, into its aliases unless it is its primary name. A template name
 * stands for u's instance (unit_merge_by_name()). Added as found, not gathered first: most
 * units have no name but their own, and a list of them cost two allocations each. */
static int add_alias(UnitInfo *u, const char *name) {
        _cleanup_free_ char *full = NULL;
        if (u->instance && unit_name_is_valid(name, UNIT_NAME_TEMPLATE) &&
            unit_name_replace_instance(name, u->instance, &full) < 0)
                return 0;
        const char *n = full ? full : name;
        return streq(n, u->name) ? 0 : add_name(&u->aliases, n);
}

/* systemd's add_names(): name itself (unless a template) and the names aliased to it, into
 * u's aliases. */
static int add_names(const NameMap *m, int kind, const char *fragment_base, const char *name, UnitInfo *u) {
        int r = kind != UNIT_NAME_TEMPLATE ? add_alias(u, name) : 0;
        size_t k = aliases_of(m, name);

        for (; r >= 0 && k < m->n_by_id && streq(m->entries[m->by_id[k]].id, name); k++) {
                _cleanup_free_ char *inst = NULL;
                const char *a = m->entries[m->by_id[k]].name;
                if (kind == UNIT_NAME_INSTANCE && unit_name_is_valid(a, UNIT_NAME_TEMPLATE)) {
                        const char *inst_fragment = NULL;
                        if (unit_name_replace_instance(a, u->instance, &inst) < 0)
                                continue;
                        /* An instance with a fragment of its own elsewhere is not an alias of ours. */
                        if (name_map_resolve(m, inst, &inst_fragment) >= 0 && fragment_base &&
                            !streq(path_basename(inst_fragment), fragment_base))
                                continue;
                }
                r = add_alias(u, inst ? inst : a);
        }
        return r;
}

/* ---- Drop-in dirs. ---- */

static bool is_dir(const char *path) {
        struct stat st;
        return stat(path, &st) >= 0 && S_ISDIR(st.st_mode);
}

/* Most units have no drop-in dir, yet systemd tries several names for each in every unit dir
 * (its own, the template's, the prefix dirs, the type dir): a name that no dir lists is passed
 * by with one hash look-up, before any path is made for it. Built once per map from the
 * listings of scan_unit_dir(). With the names made on the stack (walk_dir_names()) the
 * drop-in dirs of the bench's 1321 units cost 1.2M instructions instead of 8.7M, with
 * systemd's search path 2.0M instead of 12.9M. */
static int index_dot_dirs(NameMap *m) {
        size_t n = 0;
        for (size_t i = 0; m->search_path[i]; i++) {
                m->probe_all = m->probe_all || !m->listings[i].listed || i >= LISTED_DIRS_MAX;
                n += strv_length(m->listings[i].dot_d);
        }
        int r = str_table_init(&m->dot_dirs, n);
        for (size_t i = 0; r >= 0 && m->search_path[i] && i < LISTED_DIRS_MAX; i++)
                STRV_FOREACH(d, m->listings[i].dot_d) {
                        StrSlot *s = str_table_slot(&m->dot_dirs, *d);
                        s->key = *d;
                        s->value |= UINT64_C(1) << i;
                }
        return r;
}

/* Whether search path entry i may hold the drop-in dir of s (NULL: a name no dir lists). */
static bool dir_may_hold(const NameMap *m, size_t i, const StrSlot *s) {
        if (!m->listings[i].listed || i >= LISTED_DIRS_MAX)
                return true;
        return s && (s->value & UINT64_C(1) << i);
}

typedef struct DropinDirs {
        char **names; /* "foo.service.d", ..., as consulted, where some dir may hold them */
        char **paths; /* existing dirs, resolved, in systemd's order */
        const NameMap *map;
} DropinDirs;

/* The dir dname of search path entry i, when it is a dir: resolved into dd->paths. */
static int consult_dir(DropinDirs *dd, size_t i, const char *dname) {
        _cleanup_free_ char *path = NULL, *resolved = NULL;
        if (!dir_may_hold(dd->map, i, str_table_get(&dd->map->dot_dirs, dname)))
                return 0;
        if (!(path = strjoin(dd->map->search_path[i], "/", dname)))
                return -ENOMEM;
        if (!is_dir(path) || !(resolved = realpath(path, NULL)))
                return 0;
        return add_name(&dd->paths, resolved);
}

/* Called with each drop-in dir name of a walk; nonzero stops the walk (and is its result). */
typedef int (*DirNameVisit)(const char *dname, void *userdata);

/* The name after name in systemd's walk of prefixes, into buf: name's prefix (the part before
 * end, its '@' or type suffix) cut after its last dash but one at the end ("foo-bar-baz" →
 * "foo-bar-", "foo-bar-" → "foo-": a trailing dash is chopped once), then tail (the rest of
 * name from its '@' or type suffix on). Shorter than name, of its characters: valid, and
 * systemd's unit_prefix_is_valid() holds. False when there is no dash left but a leading one. */
static bool next_prefix_name(const char *name, const char *end, const char *tail, char *buf) {
        const char *dash = memrchr(name, '-', end - name);
        if (dash && dash + 1 == end)
                dash = memrchr(name, '-', dash - name);
        if (!dash || dash == name)
                return false;
        size_t n = dash + 1 - name;
        memcpy(buf, name, n);
        strcpy(buf + n, tail);
        return true;
}

/* systemd's unit_file_find_dirs(), as the "NAME.d" names it consults in each dir of the search
 * path, in its order: NAME.d, the template's, then the prefix dirs, recursively. name is valid.
 * Each name is made in a buffer on the stack and handed to visit: a list of them on the heap
 * was three quarters of a unit's look-up. */
static int walk_dir_names(const char *name, DirNameVisit visit, void *userdata) {
        char buf[UNIT_NAME_MAX + sizeof(".d")];
        const char *at = strchr(name, '@'), *type = strrchr(name, '.');
        bool instance = at && type > at + 1;
        strcpy(stpcpy(buf, name), ".d");
        int r = visit(buf, userdata);
        if (r != 0)
                return r;
        if (instance) { /* the template: name without its instance */
                size_t n = at + 1 - name;
                memcpy(buf, name, n);
                strcpy(buf + n, type);
                if ((r = walk_dir_names(buf, visit, userdata)) != 0)
                        return r;
        }
        if (!next_prefix_name(name, at ? at : type, instance ? at : type, buf))
                return 0;
        return walk_dir_names(buf, visit, userdata);
}

/* A template stands for every instance, also those that do not exist yet: the dirs that
 * systemd consults for any instance "foo-bar@X.service", less those that name X. For
 * "foo-bar@.service": foo-bar@.service.d, foo-.service.d, then the instance-prefix dir
 * foo-@.service.d, in the order an instance consults them (unit_file_find_dirs() of 252). */
static int walk_dir_names_every_instance(const char *template, DirNameVisit visit, void *userdata) {
        char buf[UNIT_NAME_MAX];
        const char *at = strchr(template, '@');
        int r = walk_dir_names(template, visit, userdata);
        if (r != 0 || !next_prefix_name(template, at, at, buf))
                return r;
        return walk_dir_names_every_instance(buf, visit, userdata);
}

static int walk_dir_names_of(const char *name, DirNameVisit visit, void *userdata) {
        int kind = unit_name_to_instance(name, NULL);
        if (kind < 0)
                return kind;
        if (kind == UNIT_NAME_TEMPLATE)
                return walk_dir_names_every_instance(name, visit, userdata);
        return walk_dir_names(name, visit, userdata);
}

/* A name systemd consults, into dd->names (once) when some dir may hold it. */
static int record_dir_name(const char *dname, void *userdata) {
        DropinDirs *dd = userdata;
        if (!dd->map->probe_all && !str_table_get(&dd->map->dot_dirs, dname))
                return 0;
        return add_name(&dd->names, dname);
}

/* Each dir of the search path in turn, each name recorded from dd->names[start] on in it. A
 * name recorded before start was consulted in every dir then, and would add no path again. */
static int consult_dirs(DropinDirs *dd, size_t start) {
        int r = 0;
        for (size_t i = 0; r >= 0 && dd->map->search_path[i]; i++)
                STRV_FOREACH(d, dd->names ? dd->names + start : NULL)
                        if (r >= 0)
                                r = consult_dir(dd, i, *d);
        return r;
}

static int consult_dirs_of(DropinDirs *dd, const char *name) {
        size_t start = strv_length(dd->names);
        int r = walk_dir_names_of(name, record_dir_name, dd);
        return r < 0 ? r : consult_dirs(dd, start);
}

/* The type dir ("service.d") of the unit id. */
static int consult_type_dir(DropinDirs *dd, const char *id) {
        char dname[UNIT_NAME_MAX + sizeof(".d")];
        size_t start = strv_length(dd->names);
        strcpy(stpcpy(dname, strrchr(id, '.') + 1), ".d");
        int r = record_dir_name(dname, dd);
        return r < 0 ? r : consult_dirs(dd, start);
}

static int cmp_basename(const void *a, const void *b) {
        return strcmp(path_basename(*(char * const *) a), path_basename(*(char * const *) b));
}

/* systemd's conf_files_list_strv(): *.conf of all dirs, the first dir's file of a name wins,
 * sorted by file name. */
static int list_conf_files(char * const *dirs, char ***ret) {
        _cleanup_strv_free_ char **files = calloc(1, sizeof(char *)), **seen = calloc(1, sizeof(char *));
        int r;

        if (!files || !seen)
                return -ENOMEM;
        STRV_FOREACH(dir, dirs) {
                _cleanup_closedir_ DIR *d = opendir(*dir);
                struct dirent *de;
                if (!d)
                        continue;
                while ((de = readdir(d))) {
                        char *p;
                        /* FOREACH_DIRENT() skips hidden files: ".x.conf" is no drop-in. */
                        if (de->d_name[0] == '.' || !endswith(de->d_name, ".conf") ||
                            strv_contains(seen, de->d_name))
                                continue;
                        if ((r = strv_extend(&seen, de->d_name)) < 0)
                                return r;
                        if (asprintf(&p, "%s/%s", *dir, de->d_name) < 0 || (r = strv_consume(&files, p)) < 0)
                                return -ENOMEM;
                }
        }
        if (strv_length(files) > 1)
                qsort(files, strv_length(files), sizeof(char *), cmp_basename);
        *ret = TAKE_PTR(files);
        return 0;
}

/* systemd's order: the unit's own names in every dir, then each alias's in every dir, then
 * the type dir ("service.d") in every dir. */
static int consult_all(DropinDirs *dd, const char *id, char * const *aliases) {
        int r = consult_dirs_of(dd, id);
        STRV_FOREACH(a, aliases)
                if (r >= 0)
                        r = consult_dirs_of(dd, *a);
        return r < 0 ? r : consult_type_dir(dd, id);
}

static int find_dropins(const NameMap *m, const char *id, char * const *aliases, UnitInfo *info) {
        DropinDirs dd = { .map = m };
        /* When every unit dir was listed and none lists a ".d" name (a tree without drop-ins,
         * as the bench's), no name need be made: 1.2M instructions over its 1321 units. */
        int r = m->dot_dirs.slots || m->probe_all ? consult_all(&dd, id, aliases) : 0;
        if (r >= 0 && dd.paths)
                r = list_conf_files(dd.paths, &info->dropins);
        strv_free(dd.paths);
        if (r < 0) {
                strv_free(dd.names);
                return r;
        }
        info->dropin_dirs = dd.names;
        return 0;
}

/* ---- Lookup. ---- */

static int primary_name(const char *fragment, const char *name, const char *instance, char **ret) {
        const char *base = fragment ? path_basename(fragment) : name;
        if (instance && unit_name_is_valid(base, UNIT_NAME_TEMPLATE))
                return unit_name_replace_instance(base, instance, ret);
        *ret = strdup(base);
        return *ret ? 0 : -ENOMEM;
}

static int lookup_in_map(const NameMap *m, const char *name, UnitInfo *ret) {
        _cleanup_(unit_info_done) UnitInfo u = {};
        int r;

        int kind = unit_name_to_instance(name, &u.instance); /* -EINVAL for an invalid name */
        if (kind < 0)
                return kind;
        if (kind == UNIT_NAME_TEMPLATE) {
                free(u.instance);
                u.instance = NULL;
        }
        const NameEntry *fe = fragment_entry(m, name);
        const char *fragment = fe ? fe->target : NULL;
        u.masked = fe && fe->state == FRAGMENT_MASKED;
        if ((r = primary_name(fragment, name, u.instance, &u.name)) < 0)
                return r;
        if (fragment && !(u.fragment = strdup(fragment)))
                return -ENOMEM;
        r = add_names(m, kind, NULL, name, &u);
        if (r >= 0 && fragment && !streq(path_basename(fragment), name))
                r = add_names(m, kind, path_basename(fragment), path_basename(fragment), &u);
        if (r < 0)
                return r;
        strv_sort(u.aliases);
        if ((r = find_dropins(m, u.name, u.aliases, &u)) < 0)
                return r;
        *ret = u;
        u = (UnitInfo) {};
        return 0;
}

/* ---- The bytes of unit files, read once per run. ---- */

typedef struct FileBytes {
        struct FileBytes *next; /* the next one in its bucket */
        uint64_t hash;          /* of path */
        char *data;
        size_t size;
        int error; /* what read_full_file() returned */
        char path[];
} FileBytes;

/* The files read, by path: a hash table with a list per bucket, a bucket per file at the
 * most. A tsearch() tree (a dozen strcmp() per look, over paths that share their dir) took
 * 3.7M instructions of a run over the bench's 1321 units, each file looked up three times. */
typedef struct FileTable {
        FileBytes **buckets;
        size_t n;    /* files */
        size_t mask; /* buckets (a power of two) less one */
} FileTable;

struct UnitLookup {
        NameMap map;
        char **search_path;
        FileTable files; /* the files of unit_lookup_read() */
        /* unit_lookup_may_mention()'s verdict on all drop-ins, for this needle */
        char *dropins_needle;
        bool dropins_mention;
};

int unit_lookup_new(char * const *search_path, UnitLookup **ret) {
        _cleanup_(unit_lookup_freep) UnitLookup *l = calloc(1, sizeof(UnitLookup));
        if (!l || !(l->search_path = strv_copy(search_path)))
                return -ENOMEM;
        int r = name_map_build(&l->map, l->search_path);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

static void file_bytes_free(FileBytes *f) {
        free(f->data);
        free(f);
}

static void file_table_done(FileTable *t) {
        for (size_t i = 0; t->buckets && i <= t->mask; i++)
                for (FileBytes *f = t->buckets[i], *next; f; f = next) {
                        next = f->next;
                        file_bytes_free(f);
                }
        free(t->buckets);
        *t = (FileTable) {};
}

/* The link to path's file in its bucket, or the NULL one at the bucket's end; NULL when
 * there are no buckets. */
static FileBytes **file_table_link(const FileTable *t, const char *path, uint64_t hash) {
        FileBytes **p = t->buckets ? &t->buckets[hash & t->mask] : NULL;
        while (p && *p && ((*p)->hash != hash || !streq((*p)->path, path)))
                p = &(*p)->next;
        return p;
}

/* Room for one file more, buckets doubled (and files moved to their new one) when every
 * bucket has one. */
static int file_table_reserve(FileTable *t) {
        size_t size = t->buckets ? t->mask + 1 : 0;
        if (t->n < size)
                return 0;
        size = size ? 2 * size : 64;
        FileBytes **b = calloc(size, sizeof(FileBytes *));
        if (!b)
                return -ENOMEM;
        for (size_t i = 0; t->buckets && i <= t->mask; i++)
                for (FileBytes *f = t->buckets[i], *next; f; f = next) {
                        next = f->next;
                        f->next = b[f->hash & (size - 1)];
                        b[f->hash & (size - 1)] = f;
                }
        free(t->buckets);
        t->buckets = b;
        t->mask = size - 1;
        return 0;
}

UnitLookup *unit_lookup_free(UnitLookup *l) {
        if (l) {
                file_table_done(&l->files);
                name_map_done(&l->map);
                strv_free(l->search_path);
                free(l->dropins_needle);
                free(l);
        }
        return NULL;
}

int unit_lookup_find(const UnitLookup *l, const char *name, UnitInfo *ret) {
        return lookup_in_map(&l->map, name, ret);
}

int unit_lookup(char * const *search_path, const char *name, UnitInfo *ret) {
        _cleanup_(unit_lookup_freep) UnitLookup *l = NULL;
        if (!unit_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;
        int r = unit_lookup_new(search_path, &l);
        return r < 0 ? r : unit_lookup_find(l, name, ret);
}

int unit_lookup_read(UnitLookup *l, const char *path, const char **ret_data, size_t *ret_size) {
        uint64_t hash = string_hash(path);
        FileBytes **link = file_table_link(&l->files, path, hash), *f = link ? *link : NULL;

        if (!f) {
                size_t n = strlen(path) + 1;
                if (file_table_reserve(&l->files) < 0 || !(f = malloc(sizeof(FileBytes) + n)))
                        return -ENOMEM;
                link = &l->files.buckets[hash & l->files.mask];
                *f = (FileBytes) { .next = *link, .hash = hash };
                memcpy(f->path, path, n);
                f->error = read_full_file(path, READ_FILE_REGULAR, UNIT_LOOKUP_READ_MAX, &f->data, &f->size);
                *link = f;
                l->files.n++;
        }
        if (f->error < 0)
                return f->error;
        *ret_data = f->data;
        *ret_size = f->size;
        return 0;
}

void unit_lookup_forget_files(UnitLookup *l) {
        file_table_done(&l->files);
}

/* A fragment that does not mention the needle is kept no longer: its unit is passed by, and a
 * run over the stock tree would otherwise hold every unit file it looked at. */
static void forget_file(UnitLookup *l, const char *path) {
        FileBytes **link = file_table_link(&l->files, path, string_hash(path)), *f = link ? *link : NULL;
        if (!f)
                return;
        *link = f->next;
        l->files.n--;
        file_bytes_free(f);
}

static bool file_may_mention(UnitLookup *l, const char *path, const char *needle) {
        const char *data;
        size_t size;

        /* Anything odd (not a regular file, unreadable, large) is a "maybe": the caller's full
         * read decides. */
        if (unit_lookup_read(l, path, &data, &size) < 0)
                return true;
        return memmem(data, size, needle, strlen(needle)) != NULL;
}

/* Whether any .conf in any service drop-in dir of the search path (each "*.service.d", the
 * prefix dirs included, and "service.d") may contain needle. */
static bool dropins_may_mention(UnitLookup *l, const char *needle) {
        for (size_t i = 0; l->search_path[i]; i++) {
                const DirListing *dl = &l->map.listings[i];
                if (!dl->listed)
                        return true;
                STRV_FOREACH(dname, dl->dot_d) {
                        _cleanup_free_ char *dir = NULL;
                        _cleanup_strv_free_ char **files = NULL;
                        if (!endswith(*dname, ".service.d") && !streq(*dname, "service.d"))
                                continue;
                        if (asprintf(&dir, "%s/%s", l->search_path[i], *dname) < 0 ||
                            list_conf_files((char *[]) { dir, NULL }, &files) < 0)
                                return true;
                        STRV_FOREACH(f, files)
                                if (file_may_mention(l, *f, needle))
                                        return true;
                }
        }
        return false;
}

/* The fragment as lookup_in_map() finds it. */
static const char *fragment_of(const UnitLookup *l, const char *name) {
        const NameEntry *e = fragment_entry(&l->map, name);
        return e ? e->target : NULL;
}

bool unit_lookup_may_mention(UnitLookup *l, const char *name, const char *needle) {
        UnitInfo u;

        if (!unit_name_is_valid(name, UNIT_NAME_ANY))
                return true;
        /* Drop-ins are few and shared: read once, and when none names needle a unit's
         * fragment alone decides, without looking its drop-in dirs up. */
        if (!l->dropins_needle || !streq(l->dropins_needle, needle)) {
                free(l->dropins_needle);
                l->dropins_needle = strdup(needle);
                l->dropins_mention = !l->dropins_needle || dropins_may_mention(l, needle);
        }
        if (!l->dropins_mention) {
                const char *fragment = fragment_of(l, name);
                bool may = fragment && file_may_mention(l, fragment, needle);
                if (fragment && !may)
                        forget_file(l, fragment);
                return may;
        }
        if (unit_lookup_find(l, name, &u) < 0)
                return true;
        bool may = u.masked || (u.fragment && file_may_mention(l, u.fragment, needle));
        STRV_FOREACH(d, u.dropins)
                may = may || file_may_mention(l, *d, needle);
        if (u.fragment && !may)
                forget_file(l, u.fragment); /* drop-ins are few and shared: kept */
        unit_info_done(&u);
        return may;
}

void unit_info_done(UnitInfo *u) {
        free(u->name);
        free(u->instance);
        free(u->fragment);
        strv_free(u->aliases);
        strv_free(u->dropins);
        strv_free(u->dropin_dirs);
        *u = (UnitInfo) {};
}

/* ---- Listing. ---- */

static bool has_conf_file(const char *dir) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d)))
                if (endswith(de->d_name, ".conf"))
                        return true;
        return false;
}

/* A name that only a prefix dir ("foo-.service.d") could carry is not a unit. */
static bool is_prefix_name(const char *name) {
        _cleanup_free_ char *prefix = NULL;
        return unit_name_to_prefix(name, &prefix) >= 0 && endswith(prefix, "-");
}

static int add_dependency_instances(const char *dir, char ***candidates) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;
        int r;

        while (d && (de = readdir(d)))
                if (endswith(de->d_name, ".service") && unit_name_is_valid(de->d_name, UNIT_NAME_INSTANCE) &&
                    (r = strv_extend(candidates, de->d_name)) < 0)
                        return r;
        return 0;
}

static int is_dname(const char *dname, void *userdata) {
        return streq(dname, userdata);
}

/* An instance-prefix dir with an instance ("foo-@bar.service.d") applies to "foo-x@bar.service"
 * for every template "foo-x@.service" whose prefixes reach "foo-": those instances are units
 * that the unit tree names. */
static int add_prefix_instances(const NameMap *m, const char *dname, char ***candidates) {
        _cleanup_free_ char *instance = NULL;
        size_t n = strlen(dname) - 2;
        if (unit_name_to_instance(strndupa(dname, n), &instance) != UNIT_NAME_INSTANCE)
                return 0;
        for (size_t i = 0; i < m->n; i++) {
                _cleanup_free_ char *inst = NULL;
                const char *t = m->entries[i].name;
                if (!endswith(t, ".service") || !unit_name_is_valid(t, UNIT_NAME_TEMPLATE) ||
                    unit_name_replace_instance(t, instance, &inst) < 0)
                        continue;
                /* The names alone decide. */
                int r = walk_dir_names(inst, is_dname, (void *) dname);
                if (r > 0 && (r = strv_extend(candidates, inst)) < 0)
                        return r;
        }
        return 0;
}

/* The service names a unit dir gives beyond its units: instances in dependency dirs, names
 * with drop-in dirs only, instances that instance-prefix dirs name. */
static int collect_other_names(const NameMap *m, char * const *search_path, char ***candidates) {
        int r;

        STRV_FOREACH(p, search_path) {
                _cleanup_closedir_ DIR *d = opendir(*p);
                struct dirent *de;
                while (d && (de = readdir(d))) {
                        _cleanup_free_ char *path = NULL, *unit = NULL;
                        bool dependencies = endswith(de->d_name, ".wants") || endswith(de->d_name, ".requires") ||
                                            endswith(de->d_name, ".upholds");
                        if (!dependencies && !endswith(de->d_name, ".service.d"))
                                continue; /* nearly every entry: a unit file */
                        if (asprintf(&path, "%s/%s", *p, de->d_name) < 0)
                                return -ENOMEM;
                        if (dependencies) {
                                if (is_dir(path) && (r = add_dependency_instances(path, candidates)) < 0)
                                        return r;
                                continue;
                        }
                        unit = strndup(de->d_name, strlen(de->d_name) - 2);
                        if (!unit)
                                return -ENOMEM;
                        if (!unit_name_is_valid(unit, UNIT_NAME_ANY) || !is_dir(path) || !has_conf_file(path))
                                continue;
                        r = 0; /* a prefix dir of a plain name ("foo-.service.d") names no unit */
                        if (!is_prefix_name(unit))
                                r = strv_extend(candidates, unit);
                        else if (unit_name_is_valid(unit, UNIT_NAME_INSTANCE))
                                r = add_prefix_instances(m, de->d_name, candidates);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* The primary name of name's unit (as lookup_in_map() makes it), appended to out. */
static int add_primary_name(const NameMap *m, const char *name, char ***out, size_t *n_out) {
        _cleanup_free_ char *instance = NULL;
        char *primary;
        int kind = unit_name_to_instance(name, &instance);
        const NameEntry *fe = fragment_entry(m, name);
        int r = primary_name(fe ? fe->target : NULL, name, kind == UNIT_NAME_INSTANCE ? instance : NULL, &primary);
        return r < 0 ? r : strv_consume_n(out, n_out, primary);
}

int unit_lookup_list_services(const UnitLookup *l, char ***ret) {
        _cleanup_strv_free_ char **others = NULL, **out = calloc(1, sizeof(char *));
        const NameMap *m = &l->map;
        size_t n_out = 0;

        if (!out)
                return -ENOMEM;
        /* The map's service names, then the few found otherwise (which may repeat them), each
         * as its primary name, into a list made a set once: a check per append made the listing
         * quadratic in the number of units, and the names made a set of their own first cost
         * 0.8M instructions over the bench's 1321 units. */
        int r = collect_other_names(m, l->search_path, &others);
        for (size_t i = 0; r >= 0 && i < m->n; i++)
                if (endswith(m->entries[i].name, ".service"))
                        r = add_primary_name(m, m->entries[i].name, &out, &n_out);
        STRV_FOREACH(c, others)
                if (r >= 0)
                        r = add_primary_name(m, *c, &out, &n_out);
        if (r < 0)
                return r;
        strv_sort_uniq(out);
        *ret = TAKE_PTR(out);
        return 0;
}

int unit_list_services(char * const *search_path, char ***ret) {
        _cleanup_(unit_lookup_freep) UnitLookup *l = NULL;
        int r = unit_lookup_new(search_path, &l);
        return r < 0 ? r : unit_lookup_list_services(l, ret);
}

/* ---- Drop-in dirs shared by units that need not exist. ---- */

static bool is_shared_dir(const char *dname) {
        if (streq(dname, "service.d"))
                return true;
        if (!endswith(dname, ".service.d"))
                return false;
        _cleanup_free_ char *unit = strndup(dname, strlen(dname) - 2);
        return unit && unit_name_is_valid(unit, UNIT_NAME_ANY) && is_prefix_name(unit);
}

static int list_dot_d(const UnitLookup *l, bool (*want)(const char *dname), char ***ret) {
        _cleanup_strv_free_ char **names = calloc(1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        for (size_t i = 0; l->search_path[i]; i++) {
                const DirListing *dl = &l->map.listings[i];
                STRV_FOREACH(d, dl->dot_d) {
                        int r = want(*d) ? add_name(&names, *d) : 0;
                        if (r < 0)
                                return r;
                }
        }
        strv_sort(names);
        *ret = TAKE_PTR(names);
        return 0;
}

int unit_lookup_shared_dirs(const UnitLookup *l, char ***ret) {
        return list_dot_d(l, is_shared_dir, ret);
}

int unit_lookup_dir_files(const UnitLookup *l, const char *dname, char ***ret) {
        _cleanup_strv_free_ char **dirs = calloc(1, sizeof(char *));
        if (!dirs)
                return -ENOMEM;
        STRV_FOREACH(p, l->search_path) {
                _cleanup_free_ char *path = NULL;
                int r;
                if (asprintf(&path, "%s/%s", *p, dname) < 0)
                        return -ENOMEM;
                if (is_dir(path) && (r = strv_consume(&dirs, TAKE_PTR(path))) < 0)
                        return r;
        }
        return list_conf_files(dirs, ret);
}

static bool is_service_dropin_dir(const char *dname) {
        return endswith(dname, ".service.d") || streq(dname, "service.d");
}

int unit_lookup_all_dropins(const UnitLookup *l, char ***ret) {
        _cleanup_strv_free_ char **names = NULL, **all = calloc(1, sizeof(char *));
        int r = list_dot_d(l, is_service_dropin_dir, &names);
        if (r < 0 || !all)
                return r < 0 ? r : -ENOMEM;
        STRV_FOREACH(n, names) {
                _cleanup_strv_free_ char **files = NULL;
                if ((r = unit_lookup_dir_files(l, *n, &files)) < 0 || (r = strv_extend_strv(&all, files)) < 0)
                        return r;
        }
        *ret = TAKE_PTR(all);
        return 0;
}
