/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "path-set.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "string-util.h"

/* Lengths of dests that path_set_may_hold_length() knows exactly; longer ones always may be
 * held. Paths in a closure are a few dozen bytes long. */
#define KNOWN_LENGTHS 256

struct PathSet {
        PathEntry *entries;       /* insertion order */
        size_t n, allocated;
        uint64_t lengths[KNOWN_LENGTHS / 64]; /* bit n: some dest is n bytes long */
        size_t *buckets;          /* index + 1 into entries; 0 = empty */
        size_t n_buckets;
        const PathEntry **sorted; /* cache for path_set_sorted() */
};

PathSet *path_set_new(void) {
        return calloc(1, sizeof(PathSet));
}

PathSet *path_set_free(PathSet *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n; i++)
                free(s->entries[i].dest); /* the block of all four (path_set_add()) */
        free(s->entries);
        free(s->buckets);
        free(s->sorted);
        free(s);
        return NULL;
}

static size_t *find_bucket(const PathSet *s, const char *dest) {
        size_t mask = s->n_buckets - 1;
        for (size_t i = string_hash(dest) & mask;; i = (i + 1) & mask) {
                size_t *b = &s->buckets[i];
                if (*b == 0 || streq(s->entries[*b - 1].dest, dest))
                        return b;
        }
}

static int rehash(PathSet *s) {
        size_t n = s->n_buckets ? s->n_buckets * 2 : 64;
        size_t *b = calloc(n, sizeof(size_t));
        if (!b)
                return -ENOMEM;
        free(s->buckets);
        s->buckets = b;
        s->n_buckets = n;
        for (size_t i = 0; i < s->n; i++)
                *find_bucket(s, s->entries[i].dest) = i + 1;
        return 0;
}

const PathEntry *path_set_get(const PathSet *s, const char *dest) {
        if (!s || s->n_buckets == 0)
                return NULL;
        size_t *b = find_bucket(s, dest);
        return *b ? &s->entries[*b - 1] : NULL;
}

bool path_set_contains(const PathSet *s, const char *dest) {
        return path_set_get(s, dest) != NULL;
}

bool path_set_may_hold_length(const PathSet *s, size_t n) {
        if (!s)
                return false;
        return n >= KNOWN_LENGTHS || (s->lengths[n / 64] & (UINT64_C(1) << (n % 64)));
}

size_t path_set_size(const PathSet *s) {
        return s ? s->n : 0;
}

int path_set_add(PathSet *s, const char *dest, const char *source, const char *parent, const char *reason) {
        if (path_set_contains(s, dest))
                return 0;
        if ((s->n + 1) * 2 > s->n_buckets && rehash(s) < 0)
                return -ENOMEM;
        if (s->n == s->allocated) {
                size_t a = s->allocated ? s->allocated * 2 : 32;
                PathEntry *e = realloc(s->entries, a * sizeof(PathEntry));
                if (!e)
                        return -ENOMEM;
                s->entries = e;
                s->allocated = a;
        }
        /* The four strings in one block, dest first: one malloc() per path, not four. */
        source = source ?: dest;
        reason = reason ?: "";
        size_t nd = strlen(dest) + 1, ns = strlen(source) + 1, np = parent ? strlen(parent) + 1 : 0,
               nr = strlen(reason) + 1;
        char *block = malloc(nd + ns + np + nr);
        if (!block)
                return -ENOMEM;
        PathEntry e = { .dest = memcpy(block, dest, nd) };
        e.source = memcpy(block + nd, source, ns);
        e.parent = parent ? memcpy(block + nd + ns, parent, np) : NULL;
        e.reason = memcpy(block + nd + ns + np, reason, nr);
        s->entries[s->n++] = e;
        if (nd - 1 < KNOWN_LENGTHS)
                s->lengths[(nd - 1) / 64] |= UINT64_C(1) << ((nd - 1) % 64);
        *find_bucket(s, dest) = s->n;
        s->sorted = (free(s->sorted), NULL);
        return 1;
}

static int cmp_entry(const void *a, const void *b) {
        return strcmp((*(const PathEntry * const *) a)->dest, (*(const PathEntry * const *) b)->dest);
}

const PathEntry **path_set_sorted(PathSet *s) {
        if (s->sorted)
                return s->sorted;
        s->sorted = malloc((s->n + 1) * sizeof(PathEntry *));
        if (!s->sorted)
                return NULL;
        for (size_t i = 0; i < s->n; i++)
                s->sorted[i] = &s->entries[i];
        s->sorted[s->n] = NULL;
        qsort(s->sorted, s->n, sizeof(PathEntry *), cmp_entry);
        return s->sorted;
}
