/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A memo for one generator run: what loader_closure() learns about files (parsed
 * ELF objects, which search candidates exist, the parsed ld.so.cache, the CPU's
 * features, real paths) is worth keeping while the run goes over hundreds of
 * programs that share their libraries. It assumes the files do not change during
 * the run, which is why only a generator run creates one: callers that change
 * files between calls (the tests) pass none and get fresh reads every time.
 *
 * A string-keyed map; each entry owns its value and frees it with the function
 * given when it was put. ld-search.c decides what the keys and values mean. */

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

typedef struct LoaderCache LoaderCache;

typedef void (*loader_cache_free_fn)(void *value);

int loader_cache_new(LoaderCache **ret);
LoaderCache *loader_cache_free(LoaderCache *c);
static inline void loader_cache_freep(LoaderCache **c) {
        loader_cache_free(*c);
}
#define _cleanup_loader_cache_free_ __attribute__((cleanup(loader_cache_freep)))

/* The value stored under key, or NULL. */
void *loader_cache_get(const LoaderCache *c, const char *key);
/* Stores value (not NULL) under key, which must not be there yet, and takes it over, to
 * free it with free_value (may be NULL) with the cache. On failure (-ENOMEM, -EEXIST) the
 * caller keeps it: a cache that cannot grow only makes the run slower. */
int loader_cache_put(LoaderCache *c, const char *key, void *value, loader_cache_free_fn free_value);
size_t loader_cache_size(const LoaderCache *c);
/* Makes room for n entries in all, at once: a table that doubles its way up touches
 * (page faults) and rehashes every size on the way, and does so again in each forked
 * worker. Best effort: without the room the table grows as needed. */
void loader_cache_reserve(LoaderCache *c, size_t n);

/* A key "tag:" and the parts that follow, up to a NULL, built in buf without printf or
 * malloc: most lookups hit, and formatting a key per lookup once cost more than the lookup.
 * NULL when it does not fit (the caller then does without the memo). */
#define LOADER_CACHE_KEY_MAX 512
const char *loader_cache_key_real(char buf[static LOADER_CACHE_KEY_MAX], const char *tag, ...)
        __attribute__((sentinel));
#define loader_cache_key(buf, tag, ...) loader_cache_key_real((buf), (tag), __VA_ARGS__, NULL)


/* realpath(path) into *ret (malloc'd), resolved one component at a time as the kernel
 * does, each (real dir, name) looked at once per run: realpath() costs a readlink() per
 * component, and every unit's program sits in the same few dirs. Without a cache (c
 * NULL), plain realpath(). -errno as realpath() fails (-ENOENT, -ENOTDIR, -ELOOP...). */
int loader_cache_realpath(LoaderCache *c, const char *path, char **ret);
/* The same into buf, without a copy of its own when the run knows it already;
 * -ENAMETOOLONG when it does not fit. */
int loader_cache_realpath_into(LoaderCache *c, const char *path, char buf[static PATH_MAX]);

/* lstat(path) once per run with c (NULL: plain lstat()); 0 or -errno. */
int loader_cache_lstat(LoaderCache *c, const char *path, struct stat *ret);
/* stat(path) once per run with c (NULL: plain stat()); 0 or -errno. */
int loader_cache_stat(LoaderCache *c, const char *path, struct stat *ret);
