/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "loader-cache.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

typedef struct Entry {
        char *key; /* NULL: a free slot */
        void *value;
        loader_cache_free_fn free_value;
} Entry;

/* Open addressing with linear probing, at most half full: entries are never removed. */
struct LoaderCache {
        Entry *slots;
        size_t n_slots; /* a power of two */
        size_t n;
};


static uint64_t hash_key(const char *s) {
        uint64_t h = UINT64_C(0xcbf29ce484222325); /* FNV-1a */
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * UINT64_C(0x100000001b3);
        return h;
}

static Entry *find_slot(Entry *slots, size_t n_slots, const char *key) {
        size_t i = hash_key(key) & (n_slots - 1);
        while (slots[i].key && !streq(slots[i].key, key))
                i = (i + 1) & (n_slots - 1);
        return &slots[i];
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

static int grow(LoaderCache *c) {
        size_t n_slots = c->n_slots * 2;
        Entry *slots = calloc(n_slots, sizeof(Entry));
        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_slots; i++)
                if (c->slots[i].key)
                        *find_slot(slots, n_slots, c->slots[i].key) = c->slots[i];
        free(c->slots);
        c->slots = slots;
        c->n_slots = n_slots;
        return 0;
}

int loader_cache_put(LoaderCache *c, const char *key, void *value, loader_cache_free_fn free_value) {
        char *k = strdup(key);
        if (!k || ((c->n + 1) * 2 > c->n_slots && grow(c) < 0)) {
                free(k);
                return -ENOMEM;
        }
        Entry *e = find_slot(c->slots, c->n_slots, key);
        if (e->key) { /* keep the first value: lookups may hold it already */
                free(k);
                return -EEXIST;
        }
        *e = (Entry) { .key = k, .value = value, .free_value = free_value };
        c->n++;
        return 0;
}

size_t loader_cache_size(const LoaderCache *c) {
        return c ? c->n : 0;
}
