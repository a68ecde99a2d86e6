/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The closure being built: a set of bind mounts keyed by the path the service
 * sees (the destination), each with the host path that backs it (the source,
 * the destination's real path), the path that needed it and the first reason
 * it was added, for the debug log and --explain. Lookups are O(1); iteration
 * is in sorted order. */

#include <stdbool.h>
#include <stddef.h>

typedef struct PathEntry {
        char *dest;    /* the path inside the root */
        char *source;  /* the host path bound there (realpath of dest) */
        char *parent;  /* the path that needed it, as its adder named it (--explain hangs the entry
                        * below it); NULL: a root, named by the unit or its settings */
        char *reason;  /* why it is in */
} PathEntry;           /* the set's: its four strings are one allocation, never freed on their own */

typedef struct PathSet PathSet;

PathSet *path_set_new(void);
PathSet *path_set_free(PathSet *s);
static inline void path_set_freep(PathSet **s) {
        path_set_free(*s);
}
#define _cleanup_path_set_free_ __attribute__((cleanup(path_set_freep)))

/* Adds dest, unless present. Returns 1 if added, 0 if it was there, -ENOMEM. */
int path_set_add(PathSet *s, const char *dest, const char *source, const char *parent, const char *reason);
const PathEntry *path_set_get(const PathSet *s, const char *dest);
bool path_set_contains(const PathSet *s, const char *dest);
/* False when no entry's dest is n bytes long, so no lookup of an n-byte path can hit: a
 * check without hashing, for callers that probe many paths that are rarely there. */
bool path_set_may_hold_length(const PathSet *s, size_t n);
size_t path_set_size(const PathSet *s);
/* Entries sorted by destination; valid until the set changes. NULL on -ENOMEM. */
const PathEntry **path_set_sorted(PathSet *s);
