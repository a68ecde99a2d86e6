/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* NULL-terminated string vectors, as systemd's strv: the list type used for
 * search paths, argv, key lists and environments throughout the library. */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

size_t strv_length(char * const *l);
char **strv_free(char **l);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

/* Appends a copy of s; returns 0 or -ENOMEM. *l may be NULL. */
int strv_extend(char ***l, const char *s);
/* Appends s itself (takes ownership, frees it on failure). */
int strv_consume(char ***l, char *s);
/* The same for a list whose length the caller keeps in *n (0 for a NULL list), so that a
 * long list is not counted again at every append. */
int strv_consume_n(char ***l, size_t *n, char *s);
/* Appends copies of every element of other. */
int strv_extend_strv(char ***l, char * const *other);
bool strv_contains(char * const *l, const char *s);
char **strv_copy(char * const *l);
/* Splits s at any of the separator characters, dropping empty pieces. */
int strv_split(const char *s, const char *separators, char ***ret);
/* Joins with sep; returns NULL on -ENOMEM. */
char *strv_join(char * const *l, const char *sep);
void strv_sort(char **l);
/* Sorts l and drops repeated strings: a set built by appending, in O(n log n) where a
 * strv_contains() per append is quadratic. */
void strv_sort_uniq(char **l);
/* Environment-style lookup: value of "KEY=value", or NULL. */
const char *strv_env_get(char * const *env, const char *key);
/* Sets KEY=value, replacing an existing entry. */
int strv_env_set(char ***env, const char *key, const char *value);
/* Removes KEY from the environment (systemd's UnsetEnvironment=). */
void strv_env_unset(char **env, const char *key);

#define STRV_FOREACH(s, l) for (char * const *s = (l); s && *s; s++)
