/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "loader-cache.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "string-util.h"
#include "string-util.h"

typedef struct Entry {
        char *key; /* NULL: a free slot */
        uint64_t hash; /* of key: most probes end without comparing keys that share a long prefix */
        void *value;
        loader_cache_free_fn free_value;
} Entry;

/* Open addressing with linear probing, at most half full: entries are never removed. */
struct LoaderCache {
        Entry *slots;
        size_t n_slots; /* a power of two */
        size_t n;
};


static Entry *find_slot_hashed(Entry *slots, size_t n_slots, const char *key, uint64_t h) {
        size_t i = h & (n_slots - 1);
        while (slots[i].key && (slots[i].hash != h || !streq(slots[i].key, key)))
                i = (i + 1) & (n_slots - 1);
        return &slots[i];
}

static Entry *find_slot(Entry *slots, size_t n_slots, const char *key) {
        return find_slot_hashed(slots, n_slots, key, string_hash(key));
}

int loader_cache_new(LoaderCache **ret) {
        LoaderCache *c = calloc(1, sizeof(LoaderCache));
        if (!c)
                return -ENOMEM;
        c->n_slots = 1024;
        c->slots = calloc(c->n_slots, sizeof(Entry));
        if (!c->slots) {
                free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

LoaderCache *loader_cache_free(LoaderCache *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_slots; i++) {
                Entry *e = &c->slots[i];
                if (!e->key)
                        continue;
                if (e->free_value)
                        e->free_value(e->value);
                free(e->key);
        }
        free(c->slots);
        free(c);
        return NULL;
}

void *loader_cache_get(const LoaderCache *c, const char *key) {
        if (!c)
                return NULL;
        return find_slot(c->slots, c->n_slots, key)->value;
}

static int grow_to(LoaderCache *c, size_t n_slots) {
        Entry *slots = calloc(n_slots, sizeof(Entry));
        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_slots; i++)
                if (c->slots[i].key)
                        *find_slot_hashed(slots, n_slots, c->slots[i].key, c->slots[i].hash) = c->slots[i];
        free(c->slots);
        c->slots = slots;
        c->n_slots = n_slots;
        return 0;
}

static int grow(LoaderCache *c) {
        return grow_to(c, c->n_slots * 2);
}

void loader_cache_reserve(LoaderCache *c, size_t n) {
        size_t n_slots = c ? c->n_slots : 0;
        while (n_slots > 0 && n_slots / 2 < n)
                n_slots *= 2;
        if (c && n_slots > c->n_slots)
                (void) grow_to(c, n_slots);
}

int loader_cache_put(LoaderCache *c, const char *key, void *value, loader_cache_free_fn free_value) {
        char *k = strdup(key);
        if (!k || ((c->n + 1) * 2 > c->n_slots && grow(c) < 0)) {
                free(k);
                return -ENOMEM;
        }
        uint64_t h = string_hash(key);
        Entry *e = find_slot_hashed(c->slots, c->n_slots, key, h);
        if (e->key) { /* keep the first value: lookups may hold it already */
                free(k);
                return -EEXIST;
        }
        *e = (Entry) { .key = k, .hash = h, .value = value, .free_value = free_value };
        c->n++;
        return 0;
}

size_t loader_cache_size(const LoaderCache *c) {
        return c ? c->n : 0;
}

const char *loader_cache_key_real(char buf[static LOADER_CACHE_KEY_MAX], const char *tag, ...) {
        size_t left = LOADER_CACHE_KEY_MAX, n = strlen(tag);
        char *p = buf;
        va_list ap;

        if (n + 1 >= left)
                return NULL;
        p = mempcpy(p, tag, n);
        *p++ = ':';
        left -= n + 1;
        va_start(ap, tag);
        for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *)) {
                n = strlen(s);
                if (n >= left) {
                        va_end(ap);
                        return NULL;
                }
                p = mempcpy(p, s, n);
                left -= n;
        }
        va_end(ap);
        *p = 0;
        return buf;
}

typedef struct CachedLstat {
        int error;
        struct stat st;
} CachedLstat;

/* stat() or lstat() of path, once per run with c. A stat() starts as the lstat(): the
 * two differ only when the last component is a symlink (path_lookupat() follows every
 * other one alike, errors included), and the lstat() is what the path's resolution asks
 * next anyway (resolve_entry()). */
static int cached_stat(LoaderCache *c, const char *path, bool follow, struct stat *ret) {
        char buf[LOADER_CACHE_KEY_MAX];
        const char *key = c ? loader_cache_key(buf, follow ? "stat" : "lstat", path) : NULL;
        const CachedLstat *known = key ? loader_cache_get(c, key) : NULL;
        if (known) {
                if (known->error == 0)
                        *ret = known->st;
                return known->error;
        }
        int r;
        if (follow && c) {
                r = cached_stat(c, path, false, ret);
                if (r >= 0 && S_ISLNK(ret->st_mode))
                        r = stat(path, ret) < 0 ? -errno : 0;
        } else
                r = (follow ? stat(path, ret) : lstat(path, ret)) < 0 ? -errno : 0;
        CachedLstat *fresh = key ? malloc(sizeof(CachedLstat)) : NULL;
        if (fresh) {
                *fresh = (CachedLstat) { .error = r };
                if (r == 0)
                        fresh->st = *ret;
                if (loader_cache_put(c, key, fresh, free) < 0)
                        free(fresh);
        }
        return r;
}

int loader_cache_lstat(LoaderCache *c, const char *path, struct stat *ret) {
        return cached_stat(c, path, false, ret);
}

int loader_cache_stat(LoaderCache *c, const char *path, struct stat *ret) {
        return cached_stat(c, path, true, ret);
}

#define MAX_SYMLINKS 40 /* the kernel's MAXSYMLINKS */

static int resolve(LoaderCache *c, const char *path, const char *base, unsigned *links, char **ret);

/* The real path of base/name, base real already: one lstat (and a readlink for a link)
 * the first time in a run. */
static int resolve_entry(LoaderCache *c, const char *base, const char *name, unsigned *links, char **ret) {
        _cleanup_free_ char *p = NULL;
        char buf[LOADER_CACHE_KEY_MAX];
        if (!(p = strjoin(streq(base, "/") ? "" : base, "/", name)))
                return -ENOMEM;
        const char *key = loader_cache_key(buf, "rp", p);
        const char *known = key ? loader_cache_get(c, key) : NULL;
        if (known)
                return (*ret = strdup(known)) ? 0 : -ENOMEM;

        struct stat st;
        int r = loader_cache_lstat(c, p, &st);
        if (r < 0)
                return r;
        char *real;
        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlink(p, target, sizeof target - 1);
                if (n < 0)
                        return -errno;
                target[n] = 0;
                if (++*links > MAX_SYMLINKS)
                        return -ELOOP;
                r = resolve(c, target, base, links, &real);
                if (r < 0)
                        return r;
        } else if (!(real = TAKE_PTR(p)))
                return -ENOMEM;
        char *copy = key ? strdup(real) : NULL;
        if (copy && loader_cache_put(c, key, copy, free) < 0)
                free(copy);
        *ret = real;
        return 0;
}

/* path resolved from base (a real dir) when relative. Each component but the last must
 * be a directory, as for realpath(). */
static int resolve(LoaderCache *c, const char *path, const char *base, unsigned *links, char **ret) {
        _cleanup_free_ char *cur = strdup(path[0] == '/' ? "/" : base);
        if (!cur)
                return -ENOMEM;
        for (const char *p = path; *p;) {
                p += strspn(p, "/");
                size_t n = strcspn(p, "/");
                if (n == 0)
                        break;
                _cleanup_free_ char *name = strndup(p, n);
                if (!name)
                        return -ENOMEM;
                p += n;
                if (streq(name, "."))
                        continue;
                if (streq(name, "..")) {
                        char *slash = strrchr(cur, '/');
                        if (slash)
                                slash[slash == cur] = 0;
                        continue;
                }
                char *next;
                int r = resolve_entry(c, cur, name, links, &next);
                if (r < 0)
                        return r;
                free(cur);
                cur = next;
                /* Followed by more, or by a slash alone ("file/"): a dir, as for realpath(). */
                struct stat st;
                if (*p && (loader_cache_lstat(c, cur, &st) < 0 || !S_ISDIR(st.st_mode)))
                        return -ENOTDIR;
        }
        *ret = TAKE_PTR(cur);
        return 0;
}

/* The whole path's real path as the run knew it already (key: its key, for a put), or
 * NULL. Every program asks for libc's. */
static const char *realpath_known(LoaderCache *c, const char *path, char buf[static LOADER_CACHE_KEY_MAX],
                                  const char **ret_key) {
        *ret_key = c && path[0] == '/' ? loader_cache_key(buf, "realpath", path) : NULL;
        return *ret_key ? loader_cache_get(c, *ret_key) : NULL;
}

/* The real path the run did not know yet, kept under key (NULL: not kept). Failures are
 * not kept. */
static int realpath_fresh(LoaderCache *c, const char *path, const char *key, char **ret) {
        if (!c || path[0] != '/') {
                char *r = realpath(path, NULL);
                if (!r)
                        return -errno;
                *ret = r;
                return 0;
        }
        unsigned links = 0;
        int r = resolve(c, path, "/", &links, ret);
        char *copy = r >= 0 && key ? strdup(*ret) : NULL;
        if (copy && loader_cache_put(c, key, copy, free) < 0)
                free(copy);
        return r;
}

int loader_cache_realpath(LoaderCache *c, const char *path, char **ret) {
        char buf[LOADER_CACHE_KEY_MAX];
        const char *key, *known = realpath_known(c, path, buf, &key);
        if (known)
                return (*ret = strdup(known)) ? 0 : -ENOMEM;
        return realpath_fresh(c, path, key, ret);
}

int loader_cache_realpath_into(LoaderCache *c, const char *path, char buf[static PATH_MAX]) {
        char key_buf[LOADER_CACHE_KEY_MAX];
        const char *key, *known = realpath_known(c, path, key_buf, &key);
        _cleanup_free_ char *fresh = NULL;
        if (!known) {
                int r = realpath_fresh(c, path, key, &fresh);
                if (r < 0)
                        return r;
                known = fresh;
        }
        size_t n = strlen(known);
        if (n >= PATH_MAX)
                return -ENAMETOOLONG;
        memcpy(buf, known, n + 1);
        return 0;
}
