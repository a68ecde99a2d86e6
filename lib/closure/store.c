/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "path-util.h"
#include "strv.h"

/* cat's buffer size: a chunk stays in L2 between read() and the scan. */
#define READ_CHUNK (128 * 1024)
#define NO_ENTRY UINT32_MAX

/* nix-base32: digits and lower-case letters except e, o, u, t. */
static const bool is_base32[256] = {
        ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
        ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['f'] = 1, ['g'] = 1,
        ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['p'] = 1,
        ['q'] = 1, ['r'] = 1, ['s'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

typedef struct Entry {
        char hash[STORE_HASH_LEN];
        char *path;          /* "<store>/<hash>-<name>" */
        uint32_t *refs;      /* indices of the entries it references, once scanned */
        size_t n_refs;
        bool scanned;
        uint32_t mark;       /* scan serial that last found it, to record each ref once */
        uint32_t visited;    /* closure walk generation */
        uint32_t referrer;   /* who brought it into the current walk */
} Entry;

typedef struct Store {
        char *dir;
        bool loaded;
        Entry *entries;
        size_t n_entries;
        uint32_t *slots;     /* open addressing: entry index + 1, 0 = free */
        size_t mask;
        unsigned shift;
        uint64_t *filter;    /* one bit per mix() prefix of a hash: most lookups stop here */
        unsigned filter_shift;
} Store;

struct StoreScanner {
        Store *stores;
        size_t n_stores;
        uint8_t *buf;        /* STORE_HASH_LEN - 1 bytes carried over + READ_CHUNK */
        uint32_t serial, generation;
        StoreStats stats;
};

static void *mfree(void *p) {
        free(p);
        return NULL;
}

static size_t min_size(size_t a, size_t b) {
        return a < b ? a : b;
}

static bool is_hash(const char *s) {
        for (size_t i = 0; i < STORE_HASH_LEN; i++)
                if (!is_base32[(uint8_t) s[i]])
                        return false;
        return true;
}

/* "<hash>-<name>": what Nix would accept as a store entry's file name. */
static bool is_entry_name(const char *s, size_t len) {
        return len > STORE_HASH_LEN + 1 && is_hash(s) && s[STORE_HASH_LEN] == '-';
}

/* Real hashes are uniformly random, so a few of their bytes spread well; the
 * multiply spreads the rest (long runs of one character, say). */
static uint64_t mix(const char *hash) {
        uint64_t a, b;
        memcpy(&a, hash, 8);
        memcpy(&b, hash + STORE_HASH_LEN - 8, 8);
        return (a ^ (b << 1)) * UINT64_C(0x9E3779B97F4A7C15);
}

static bool filter_test(const Store *st, uint64_t m) {
        uint64_t bit = m >> st->filter_shift;
        return st->filter[bit >> 6] & (UINT64_C(1) << (bit & 63));
}

static Entry *store_lookup_mixed(const Store *st, const char *hash, uint64_t m) {
        if (!st->slots)
                return NULL;
        for (size_t i = (size_t) (m >> st->shift);; i = (i + 1) & st->mask) {
                uint32_t v = st->slots[i];
                if (v == 0)
                        return NULL;
                if (memcmp(st->entries[v - 1].hash, hash, STORE_HASH_LEN) == 0)
                        return &st->entries[v - 1];
        }
}

static Entry *store_lookup(const Store *st, const char *hash) {
        return store_lookup_mixed(st, hash, mix(hash));
}

static void entry_done(Entry *e) {
        free(e->path);
        free(e->refs);
}

/* Several entries can share a hash: the path itself and Nix's "<path>.lock",
 * ".chroot" or ".check" siblings, which always have longer names. */
static int store_build_table(Store *st) {
        size_t size = 16;
        unsigned bits = 4;
        while (size < 2 * st->n_entries) {
                size *= 2;
                bits++;
        }
        st->slots = calloc(size, sizeof(uint32_t));
        if (!st->slots)
                return -ENOMEM;
        st->mask = size - 1;
        st->shift = 64 - bits;
        /* 32 filter bits per entry (at least 2^16): a window that is no hash
         * passes with a chance of about 1/32, at the cost of one bit test. */
        unsigned fbits = bits + 4 > 16 ? bits + 4 : 16;
        st->filter = calloc((size_t) 1 << (fbits - 6), sizeof(uint64_t));
        if (!st->filter)
                return -ENOMEM;
        st->filter_shift = 64 - fbits;

        size_t k = 0;
        for (size_t i = 0; i < st->n_entries; i++) {
                Entry *e = &st->entries[i], *old = store_lookup(st, e->hash);
                if (old) {
                        if (strlen(e->path) < strlen(old->path)) {
                                char *t = old->path;
                                old->path = e->path;
                                e->path = t;
                        }
                        entry_done(e);
                        continue;
                }
                st->entries[k] = *e;
                uint64_t m = mix(e->hash), bit = m >> st->filter_shift;
                st->filter[bit >> 6] |= UINT64_C(1) << (bit & 63);
                size_t j = (size_t) (m >> st->shift);
                while (st->slots[j] != 0)
                        j = (j + 1) & st->mask;
                st->slots[j] = (uint32_t) k + 1;
                k++;
        }
        st->n_entries = k;
        return 0;
}

static int store_add_entry(Store *st, size_t *allocated, const char *name) {
        if (st->n_entries >= NO_ENTRY - 1)
                return -E2BIG;
        if (st->n_entries == *allocated) {
                size_t n = *allocated ? *allocated * 2 : 256;
                Entry *e = reallocarray(st->entries, n, sizeof(Entry));
                if (!e)
                        return -ENOMEM;
                st->entries = e;
                *allocated = n;
        }
        Entry *e = &st->entries[st->n_entries];
        *e = (Entry) { .referrer = NO_ENTRY };
        memcpy(e->hash, name, STORE_HASH_LEN);
        if (asprintf(&e->path, "%s/%s", st->dir, name) < 0)
                return -ENOMEM;
        st->n_entries++;
        return 0;
}

static void store_unload(Store *st) {
        for (size_t i = 0; i < st->n_entries; i++)
                entry_done(&st->entries[i]);
        st->entries = mfree(st->entries);
        st->slots = mfree(st->slots);
        st->filter = mfree(st->filter);
        st->n_entries = 0;
        st->loaded = false;
}

/* The candidates: every "<hash>-<name>" entry of the store directory, read once. */
static int store_load(Store *st) {
        if (st->loaded)
                return 0;
        _cleanup_closedir_ DIR *d = opendir(st->dir);
        if (!d) {
                if (errno != ENOENT && errno != ENOTDIR)
                        return -errno;
                st->loaded = true; /* no store here: nothing can reference it */
                return 0;
        }
        size_t allocated = 0;
        int r = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        r = -errno;
                        break;
                }
                if (!is_entry_name(de->d_name, strlen(de->d_name)))
                        continue;
                r = store_add_entry(st, &allocated, de->d_name);
                if (r < 0)
                        break;
        }
        if (r >= 0)
                r = store_build_table(st);
        if (r < 0) {
                store_unload(st); /* a later call may try again */
                return r;
        }
        st->loaded = true;
        return 0;
}

typedef int (*hit_fn)(Entry *e, size_t offset, void *userdata);

/* Nix's rule (references.cc): every 32-byte window made only of base32
 * characters is looked up, also each window of a longer run. A byte outside the
 * alphabet rules out every window holding it, so most of binary data is skipped
 * 32 bytes at a time; "good" remembers how far a run is already checked, so a
 * long run costs one byte test per window. */
static int scan_core(const Store *st, const uint8_t *p, size_t n, size_t base, hit_fn hit, void *userdata) {
        size_t i = 0, good = 0; /* p[i..good) are known base32 */

        if (st->n_entries == 0)
                return 0;
        while (n >= STORE_HASH_LEN && i <= n - STORE_HASH_LEN) {
                size_t end = i + STORE_HASH_LEN, k = end;
                if (good < i)
                        good = i;
                while (k > good && is_base32[p[k - 1]])
                        k--;
                if (k > good) { /* p[k - 1] is not base32 */
                        i = good = k;
                        continue;
                }
                good = end;
                uint64_t m = mix((const char *) p + i);
                Entry *e = filter_test(st, m) ? store_lookup_mixed(st, (const char *) p + i, m) : NULL;
                if (e) {
                        int r = hit(e, base + i, userdata);
                        if (r < 0)
                                return r;
                }
                i++;
        }
        return 0;
}

/* One store path being scanned. */
typedef struct Scan {
        StoreScanner *s;
        Store *st;
        Entry *self;
        uint32_t serial;
        uint32_t *refs;
        size_t n_refs, n_alloc;
        char *where;         /* the file being read, for messages */
        size_t where_len, where_alloc;
        const char *what;    /* "contents", "symlink target", "file name" */
        char *error;
} Scan;

static void scan_done(Scan *sc) {
        free(sc->refs);
        free(sc->where);
        free(sc->error);
}

static int scan_fail(Scan *sc, int r) {
        if (!sc->error && asprintf(&sc->error, "%s: %s", sc->where ? sc->where : sc->self->path,
                                   r == -EBADMSG ? "not a regular file, directory or symlink" :
                                   r == -ELOOP ? "directories nested too deep" : strerror(-r)) < 0)
                sc->error = NULL;
        return r;
}

static int where_push(Scan *sc, const char *name, size_t *saved) {
        size_t l = strlen(name), need = sc->where_len + 1 + l + 1;
        if (need > sc->where_alloc) {
                size_t n = need * 2;
                char *w = realloc(sc->where, n);
                if (!w)
                        return -ENOMEM;
                sc->where = w;
                sc->where_alloc = n;
        }
        *saved = sc->where_len;
        if (sc->where_len > 0)
                sc->where[sc->where_len++] = '/';
        memcpy(sc->where + sc->where_len, name, l + 1);
        sc->where_len += l;
        return 0;
}

static void where_pop(Scan *sc, size_t saved) {
        sc->where_len = saved;
        sc->where[saved] = 0;
}

static int scan_hit(Entry *e, size_t offset, void *userdata) {
        Scan *sc = userdata;
        if (e == sc->self || e->mark == sc->serial)
                return 0;
        if (sc->n_refs == sc->n_alloc) {
                size_t n = sc->n_alloc ? sc->n_alloc * 2 : 8;
                uint32_t *r = reallocarray(sc->refs, n, sizeof(uint32_t));
                if (!r)
                        return -ENOMEM;
                sc->refs = r;
                sc->n_alloc = n;
        }
        e->mark = sc->serial;
        sc->refs[sc->n_refs++] = (uint32_t) (e - sc->st->entries);
        /* Nix records only references to a build's inputs; without its database we
         * cannot tell which these are, so every one is logged with its place. */
        log_debug("Store path %s references %s (%s of %s, offset %zu).",
                  sc->self->path, e->path, sc->what, sc->where, offset);
        return 0;
}

static int scan_bytes(Scan *sc, const char *what, const void *p, size_t n) {
        sc->what = what;
        return scan_core(sc->st, p, n, 0, scan_hit, sc);
}

/* Where the file has holes (zeros), skips them: no window spans a zero byte. */
static off_t next_data(int fd, off_t pos, off_t end, bool *sparse, off_t *ret_stop) {
        *ret_stop = end;
        if (!*sparse)
                return pos;
        off_t data = lseek(fd, pos, SEEK_DATA);
        if (data < 0) {
                if (errno == ENXIO)
                        return end; /* only a hole is left */
                *sparse = false;    /* no SEEK_DATA here: read it all */
                return pos;
        }
        off_t hole = lseek(fd, data, SEEK_HOLE);
        if (hole > data && hole < end)
                *ret_stop = hole;
        return data < end ? data : end;
}

static int scan_fd(Scan *sc, int fd, const struct stat *stt) {
        uint8_t *buf = sc->s->buf;
        off_t pos = 0, end = stt->st_size; /* a file growing while read is read to here */
        size_t carry = 0;
        bool sparse = (uint64_t) stt->st_blocks * 512 < (uint64_t) stt->st_size;

        sc->what = "contents";
        if (end > 4 * READ_CHUNK)
                (void) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        while (pos < end) {
                off_t stop, data = next_data(fd, pos, end, &sparse, &stop);
                if (data > pos)
                        carry = 0;
                pos = data;
                while (pos < stop) {
                        ssize_t n = pread(fd, buf + carry, min_size(READ_CHUNK, (size_t) (stop - pos)), pos);
                        if (n < 0) {
                                if (errno == EINTR)
                                        continue;
                                return -errno;
                        }
                        if (n == 0)
                                return 0; /* the file shrank */
                        size_t total = carry + (size_t) n;
                        int r = scan_core(sc->st, buf, total, (size_t) pos - carry, scan_hit, sc);
                        if (r < 0)
                                return r;
                        pos += n;
                        sc->s->stats.bytes += (uint64_t) n;
                        carry = min_size(total, STORE_HASH_LEN - 1);
                        memmove(buf, buf + total - carry, carry);
                }
        }
        return 0;
}

static int scan_node(Scan *sc, int dir_fd, const char *name, unsigned depth);

static int scan_symlink(Scan *sc, int dir_fd, const char *name) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(dir_fd, name, target, sizeof(target));
        if (n < 0)
                return scan_fail(sc, -errno);
        if ((size_t) n >= sizeof(target))
                return scan_fail(sc, -ENAMETOOLONG);
        return scan_bytes(sc, "symlink target", target, (size_t) n);
}

static int scan_file(Scan *sc, int dir_fd, const char *name) {
        struct stat stt;
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return scan_fail(sc, -errno);
        if (fstat(fd, &stt) < 0)
                return scan_fail(sc, -errno);
        if (!S_ISREG(stt.st_mode)) /* swapped since lstat */
                return scan_fail(sc, -EBADMSG);
        sc->s->stats.files++;
        int r = scan_fd(sc, fd, &stt);
        return r < 0 ? scan_fail(sc, r) : 0;
}

static int scan_dir(Scan *sc, int dir_fd, const char *name, unsigned depth) {
        if (depth >= STORE_MAX_DEPTH)
                return scan_fail(sc, -ELOOP);
        int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return scan_fail(sc, -errno);
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return scan_fail(sc, r);
        }
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                return scan_fail(sc, -errno);
                        return 0;
                }
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                size_t saved;
                int r = where_push(sc, de->d_name, &saved);
                if (r < 0)
                        return r;
                r = scan_bytes(sc, "file name", de->d_name, strlen(de->d_name));
                if (r >= 0)
                        r = scan_node(sc, dirfd(d), de->d_name, depth + 1);
                if (r < 0)
                        return r;
                where_pop(sc, saved);
        }
}

/* Never follows a symlink: lstat decides, and every open is O_NOFOLLOW. */
static int scan_node(Scan *sc, int dir_fd, const char *name, unsigned depth) {
        struct stat stt;
        if (fstatat(dir_fd, name, &stt, AT_SYMLINK_NOFOLLOW) < 0)
                return scan_fail(sc, -errno);
        if (S_ISLNK(stt.st_mode))
                return scan_symlink(sc, dir_fd, name);
        if (S_ISREG(stt.st_mode))
                return scan_file(sc, dir_fd, name);
        if (S_ISDIR(stt.st_mode))
                return scan_dir(sc, dir_fd, name, depth);
        return scan_fail(sc, -EBADMSG);
}

/* Finds e's references (its own name is not part of what Nix scans). */
static int scan_entry(StoreScanner *s, Store *st, Entry *e, char **ret_error) {
        _cleanup_close_ int dir_fd = -1;
        Scan sc = { .s = s, .st = st, .self = e, .serial = ++s->serial };
        size_t saved;
        int r;

        if (e->scanned)
                return 0;
        r = where_push(&sc, e->path, &saved);
        if (r < 0)
                goto finish;
        dir_fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
                r = scan_fail(&sc, -errno);
                goto finish;
        }
        r = scan_node(&sc, dir_fd, path_basename(e->path), 0);
        if (r >= 0) {
                e->refs = TAKE_PTR(sc.refs);
                e->n_refs = sc.n_refs;
                e->scanned = true;
                s->stats.paths++;
        }
finish:
        if (r < 0 && ret_error)
                *ret_error = TAKE_PTR(sc.error);
        scan_done(&sc);
        return r;
}

/* The store that path lies under, and the rest of path after "<store>/". */
static Store *find_store(const StoreScanner *s, const char *path, const char **ret_rest) {
        for (size_t i = 0; i < s->n_stores; i++) {
                const char *rest = startswith(path, s->stores[i].dir);
                if (rest && rest[0] == '/') {
                        *ret_rest = rest + 1;
                        return &s->stores[i];
                }
        }
        return NULL;
}

int store_path_of(const StoreScanner *s, const char *path, char **ret_top) {
        const char *rest;
        if (!find_store(s, path, &rest))
                return 0;
        size_t len = strcspn(rest, "/");
        if (!is_entry_name(rest, len))
                return 0;
        if (ret_top) {
                *ret_top = strndup(path, (size_t) (rest - path) + len);
                if (!*ret_top)
                        return -ENOMEM;
        }
        return 1;
}

static Store *store_by_dir(const StoreScanner *s, const char *dir) {
        for (size_t i = 0; i < s->n_stores; i++)
                if (streq(s->stores[i].dir, dir))
                        return &s->stores[i];
        return NULL;
}

static int store_dirs_default(char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *e = getenv("NIX_STORE_DIR");
        if (strv_extend(&l, "/nix/store") < 0 || strv_extend(&l, "/gnu/store") < 0 ||
            (!isempty(e) && strv_extend(&l, e) < 0))
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

int store_scanner_new(char * const *store_dirs, StoreScanner **ret) {
        _cleanup_strv_free_ char **defaults = NULL;
        int r;

        if (!store_dirs) {
                r = store_dirs_default(&defaults);
                if (r < 0)
                        return r;
                store_dirs = defaults;
        }
        StoreScanner *s = calloc(1, sizeof(StoreScanner));
        if (!s)
                return -ENOMEM;
        s->buf = malloc(STORE_HASH_LEN - 1 + READ_CHUNK);
        s->stores = calloc(strv_length(store_dirs) + 1, sizeof(Store));
        if (!s->buf || !s->stores) {
                store_scanner_free(s);
                return -ENOMEM;
        }
        STRV_FOREACH(d, store_dirs) {
                char *n = path_normalize(*d);
                if (!n) {
                        r = errno == EINVAL ? -EINVAL : -ENOMEM;
                        store_scanner_free(s);
                        return r;
                }
                const char *dummy;
                if (streq(n, "/") || find_store(s, n, &dummy) || store_by_dir(s, n)) {
                        free(n); /* duplicate, nested, or the whole file system */
                        continue;
                }
                s->stores[s->n_stores++].dir = n;
        }
        *ret = s;
        return 0;
}

StoreScanner *store_scanner_free(StoreScanner *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_stores; i++) {
                store_unload(&s->stores[i]);
                free(s->stores[i].dir);
        }
        free(s->stores);
        free(s->buf);
        free(s);
        return NULL;
}

static int fail(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;
        if (!ret_error)
                return r;
        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return r;
}

static int queue_push(uint32_t **q, size_t *n, size_t *allocated, uint32_t v) {
        if (*n == *allocated) {
                size_t a = *allocated ? *allocated * 2 : 64;
                uint32_t *t = reallocarray(*q, a, sizeof(uint32_t));
                if (!t)
                        return -ENOMEM;
                *q = t;
                *allocated = a;
        }
        (*q)[(*n)++] = v;
        return 0;
}

/* Hands one closure member to the caller, with who brought it in. */
static int report(const Store *st, const Entry *e, store_found_fn found, void *userdata, char **ret_error) {
        _cleanup_free_ char *reason = NULL;
        if (e->referrer == NO_ENTRY)
                reason = strdup("root of the store closure");
        else if (asprintf(&reason, "referenced by %s", st->entries[e->referrer].path) < 0)
                reason = NULL;
        if (!reason)
                return -ENOMEM;
        int r = found(e->path, e->referrer == NO_ENTRY ? NULL : st->entries[e->referrer].path, reason, userdata);
        if (r < 0)
                return fail(ret_error, r, "%s: %s", e->path, strerror(-r));
        return 0;
}

/* Looks up the top-level store path that top lies in. */
static int closure_root(StoreScanner *s, const char *top, Store **ret_st, Entry **ret_e, char **ret_error) {
        _cleanup_free_ char *t = NULL;
        const char *rest;
        int r = store_path_of(s, top, &t);
        if (r < 0)
                return r;
        if (r == 0)
                return fail(ret_error, -EINVAL, "%s: not in a store", top);
        Store *st = find_store(s, t, &rest);
        r = store_load(st);
        if (r < 0)
                return fail(ret_error, r, "%s: %s", st->dir, strerror(-r));
        Entry *e = store_lookup(st, rest);
        if (!e || !streq(e->path, t))
                return fail(ret_error, -ENOENT, "%s: no such store path", t);
        *ret_st = st;
        *ret_e = e;
        return 0;
}

int store_closure(StoreScanner *s, const char *top, store_found_fn found, void *userdata, char **ret_error) {
        _cleanup_free_ uint32_t *queue = NULL;
        size_t n = 0, allocated = 0;
        Store *st = NULL;
        Entry *root = NULL;
        int r;

        if (ret_error)
                *ret_error = NULL;
        r = closure_root(s, top, &st, &root, ret_error);
        if (r < 0)
                return r;
        uint32_t gen = ++s->generation;
        root->visited = gen;
        root->referrer = NO_ENTRY;
        r = queue_push(&queue, &n, &allocated, (uint32_t) (root - st->entries));
        /* Breadth-first: the reason names the nearest referrer. */
        for (size_t i = 0; r >= 0 && i < n; i++) {
                Entry *e = &st->entries[queue[i]];
                r = scan_entry(s, st, e, ret_error);
                if (r >= 0)
                        r = report(st, e, found, userdata, ret_error);
                for (size_t j = 0; r >= 0 && j < e->n_refs; j++) {
                        Entry *ref = &st->entries[e->refs[j]];
                        if (ref->visited == gen)
                                continue;
                        ref->visited = gen;
                        ref->referrer = queue[i];
                        r = queue_push(&queue, &n, &allocated, e->refs[j]);
                }
        }
        if (r == -ENOMEM && ret_error && !*ret_error)
                (void) fail(ret_error, r, "%s: out of memory", top);
        return r < 0 ? r : 0;
}

typedef struct BufferScan {
        store_hit_fn hit;
        void *userdata;
} BufferScan;

static int buffer_hit(Entry *e, size_t offset, void *userdata) {
        BufferScan *b = userdata;
        return b->hit(e->path, offset, b->userdata);
}

int store_scan_buffer(StoreScanner *s, const char *store_dir, const void *buf, size_t size,
                      store_hit_fn hit, void *userdata) {
        _cleanup_free_ char *dir = path_normalize(store_dir);
        if (!dir)
                return errno == EINVAL ? -EINVAL : -ENOMEM;
        Store *st = store_by_dir(s, dir);
        if (!st)
                return -EINVAL;
        int r = store_load(st);
        if (r < 0)
                return r;
        return scan_core(st, buf, size, 0, buffer_hit, &(BufferScan) { hit, userdata });
}

int store_scan_text(StoreScanner *s, const void *buf, size_t size, store_hit_fn hit, void *userdata) {
        for (size_t i = 0; i < s->n_stores; i++) {
                _cleanup_free_ char *prefix = NULL;
                if (asprintf(&prefix, "%s/", s->stores[i].dir) < 0)
                        return -ENOMEM;
                if (!memmem(buf, size, prefix, strlen(prefix)))
                        continue;
                int r = store_scan_buffer(s, s->stores[i].dir, buf, size, hit, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

void store_scanner_get_stats(const StoreScanner *s, StoreStats *ret) {
        *ret = s->stats;
}
