/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "string-util.h"

size_t strv_length(char * const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

char **strv_free(char **l) {
        for (char **s = l; s && *s; s++)
                free(*s);
        free(l);
        return NULL;
}

/* The list grows by doubling (greedy_realloc()): a list built one string at a time costs
 * a few reallocs, not one per string. */
int strv_consume(char ***l, char *s) {
        size_t n = strv_length(*l);
        return strv_consume_n(l, &n, s);
}

int strv_consume_n(char ***l, size_t *count, char *s) {
        if (!s)
                return -ENOMEM;
        size_t n = *count;
        char **m = greedy_realloc((void **) l, n + 2, sizeof(char *));
        if (!m) {
                free(s);
                return -ENOMEM;
        }
        m[n] = s;
        m[n + 1] = NULL;
        *count = n + 1;
        return 0;
}

int strv_extend(char ***l, const char *s) {
        return strv_consume(l, strdup(s));
}

int strv_extend_strv(char ***l, char * const *other) {
        STRV_FOREACH(s, other) {
                int r = strv_extend(l, *s);
                if (r < 0)
                        return r;
        }
        return 0;
}

bool strv_contains(char * const *l, const char *s) {
        STRV_FOREACH(i, l)
                if (streq(*i, s))
                        return true;
        return false;
}

char **strv_copy(char * const *l) {
        char **c = calloc(1, sizeof(char *));
        if (!c)
                return NULL;
        if (strv_extend_strv(&c, l) < 0)
                return strv_free(c);
        return c;
}

int strv_split(const char *s, const char *separators, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        while (s && *s) {
                s += strspn(s, separators);
                size_t n = strcspn(s, separators);
                if (n == 0)
                        break;
                int r = strv_consume(&l, strndup(s, n));
                if (r < 0)
                        return r;
                s += n;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

char *strv_join(char * const *l, const char *sep) {
        size_t n = 1, ls = strlen(sep);
        STRV_FOREACH(s, l)
                n += strlen(*s) + ls;
        char *r = malloc(n), *p = r;
        if (!r)
                return NULL;
        *p = 0;
        STRV_FOREACH(s, l) {
                if (s != l)
                        p = stpcpy(p, sep);
                p = stpcpy(p, *s);
        }
        return r;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

void strv_sort(char **l) {
        size_t n = strv_length(l);
        if (n > 1)
                qsort(l, n, sizeof(char *), cmp_str);
}

void strv_sort_uniq(char **l) {
        strv_sort(l);
        if (!l || !l[0])
                return;
        size_t w = 1;
        for (size_t i = 1; l[i]; i++) {
                if (streq(l[i], l[w - 1])) {
                        free(l[i]);
                        continue;
                }
                l[w++] = l[i];
        }
        l[w] = NULL;
}

static char *env_match(char *entry, const char *key) {
        const char *v = startswith(entry, key);
        return v && *v == '=' ? (char *) v + 1 : NULL;
}

const char *strv_env_get(char * const *env, const char *key) {
        STRV_FOREACH(e, env) {
                const char *v = env_match(*e, key);
                if (v)
                        return v;
        }
        return NULL;
}

void strv_env_unset(char **env, const char *key) {
        char **w = env;
        for (char **e = env; e && *e; e++) {
                if (env_match(*e, key))
                        free(*e);
                else
                        *w++ = *e;
        }
        if (w)
                *w = NULL;
}

int strv_env_set(char ***env, const char *key, const char *value) {
        char *entry;
        if (!(entry = strjoin(key, "=", value)))
                return -ENOMEM;
        for (char **e = *env; e && *e; e++)
                if (env_match(*e, key)) {
                        free(*e);
                        *e = entry;
                        return 0;
                }
        return strv_consume(env, entry);
}
