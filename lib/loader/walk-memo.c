/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "walk-memo.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "string-util.h"
#include "strv.h"

/* ---- The key ---- */

typedef struct KeyBuf {
        Buffer b;
        bool failed; /* out of memory: no key */
} KeyBuf;

static void put_bytes(KeyBuf *k, const char *s, size_t n) {
        if (!k->failed && buffer_append(&k->b, s, n) < 0)
                k->failed = true;
}

/* "DECIMAL;", without printf: a key has a dozen numbers and is made for every program. */
static void put_number(KeyBuf *k, uint64_t v) {
        char buf[24], *end = buf + sizeof buf - 1;
        *end = ';';
        char *p = u64_digits_before(end, v, 10);
        put_bytes(k, p, (size_t) (end + 1 - p));
}

/* "LEN;BYTES", or "-" for NULL: a string never runs into the next field. */
static void put_string(KeyBuf *k, const char *s) {
        if (!s)
                return put_bytes(k, "-", 1);
        size_t n = strlen(s);
        put_number(k, n);
        put_bytes(k, s, n);
}

/* "-" for NULL (glibc's defaults for default_dirs), else the count and each entry. */
static void put_strv(KeyBuf *k, char * const *l) {
        if (!l)
                return put_bytes(k, "-", 1);
        put_number(k, strv_length(l));
        STRV_FOREACH(s, l)
                put_string(k, *s);
}

static bool has_token(const char *s) {
        return s && strchr(s, '$');
}

static bool strv_has_token(char * const *l) {
        STRV_FOREACH(s, l)
                if (has_token(*s))
                        return true;
        return false;
}

bool walk_memo_uses_origin(const LoaderConfig *cfg, const ElfFile *program) {
        if (has_token(program->runpath) || has_token(program->rpath) || strv_has_token(cfg->library_path) ||
            strv_has_token(cfg->preload))
                return true;
        for (size_t i = 0; i < program->n_dependencies; i++)
                if (has_token(program->dependencies[i].name))
                        return true;
        return false;
}

char *walk_memo_key(const LoaderConfig *cfg, const ElfFile *program, const char *origin) {
        KeyBuf k = {};
        put_bytes(&k, "walk:", 5);
        /* LoaderConfig: the unit's part of the walk. */
        put_strv(&k, cfg->library_path);
        put_strv(&k, cfg->preload);
        put_string(&k, cfg->preload_file);
        put_string(&k, cfg->cache_file);
        put_strv(&k, cfg->default_dirs);
        put_number(&k, cfg->as_library);
        /* The program's part: what ld-search.c reads of object 0. */
        put_number(&k, program->elf_class);
        put_number(&k, program->machine);
        put_number(&k, program->type);
        put_number(&k, program->has_dynamic);
        put_number(&k, program->flags_1);
        put_number(&k, program->nodeflib);
        put_string(&k, program->interp);
        put_string(&k, program->soname);
        put_string(&k, program->rpath);
        put_string(&k, program->runpath);
        put_number(&k, program->n_dependencies);
        for (size_t i = 0; i < program->n_dependencies; i++) {
                put_number(&k, program->dependencies[i].kind);
                put_string(&k, program->dependencies[i].name);
        }
        put_string(&k, walk_memo_uses_origin(cfg, program) ? origin : NULL);
        if (k.failed) {
                free(k.b.data);
                return NULL;
        }
        return k.b.data;
}

/* ---- The record ---- */

typedef struct WalkEvent {
        const char *path, *parent, *head, *tail; /* into text; parent NULL: none or the program */
        bool by_program;
        char text[];
} WalkEvent;

struct WalkRecord {
        WalkEvent **events;
        size_t n;
};

int walk_record_new(WalkRecord **ret) {
        WalkRecord *r = calloc(1, sizeof(WalkRecord));
        if (!r)
                return -ENOMEM;
        *ret = r;
        return 0;
}

WalkRecord *walk_record_free(WalkRecord *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n; i++)
                free(r->events[i]);
        free(r->events);
        free(r);
        return NULL;
}

void walk_record_free_void(void *r) {
        walk_record_free(r);
}

/* Copies s (NULL stays NULL) to *p and moves *p past it. */
static const char *place(char **p, const char *s) {
        if (!s)
                return NULL;
        char *at = *p;
        *p = stpcpy(at, s) + 1;
        return at;
}

int walk_record_add(WalkRecord *r, const char *path, bool by_program, const char *parent, const char *head,
                    const char *tail) {
        const char *own_parent = by_program ? NULL : parent;
        size_t size = strlen(path) + 1 + strlen(head) + 1 + (own_parent ? strlen(own_parent) + 1 : 0) +
                      (tail ? strlen(tail) + 1 : 0);
        WalkEvent *e = malloc(sizeof(WalkEvent) + size);
        if (!e || !greedy_realloc((void **) &r->events, r->n + 1, sizeof(WalkEvent *))) {
                free(e);
                return -ENOMEM;
        }
        char *p = e->text;
        e->path = place(&p, path);
        e->head = place(&p, head);
        e->parent = place(&p, own_parent);
        e->tail = place(&p, tail);
        e->by_program = by_program;
        r->events[r->n++] = e;
        return 0;
}

int walk_record_replay(const WalkRecord *r, const char *program, loader_found_fn found, void *userdata) {
        for (size_t i = 0; i < r->n; i++) {
                const WalkEvent *e = r->events[i];
                const char *parent = e->by_program ? program : e->parent;
                _cleanup_free_ char *reason = parent ? strjoin(e->head, parent, e->tail ?: "") : strdup(e->head);
                if (!reason)
                        return -ENOMEM;
                int k = found(e->path, parent, reason, userdata);
                if (k < 0)
                        return k;
        }
        return 0;
}
