/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "explain.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "path-util.h"

#define MAX_DEPTH 64 /* reasons could name each other in a ring: never loop */

typedef struct Node {
        const PathEntry *entry;
        size_t parent;    /* index, or SIZE_MAX for a root */
        bool printed;
} Node;

/* The last absolute path named after " of " or " by " or "package " in reason. */
static char *named_path(const char *reason) {
        static const char *const marks[] = { " of /", " by /", "package /" };
        const char *best = NULL;
        for (size_t i = 0; i < ELEMENTSOF(marks); i++)
                for (const char *p = reason; (p = strstr(p, marks[i])); p++)
                        if (!best || p > best)
                                best = p + strlen(marks[i]) - 1;
        if (!best)
                return NULL;
        _cleanup_free_ char *word = strndup(best, strcspn(best, " \t"));
        return word ? path_normalize(word) : NULL;
}

static size_t find(const Node *nodes, size_t n, const char *dest) {
        for (size_t i = 0; i < n; i++)
                if (streq(nodes[i].entry->dest, dest))
                        return i;
        return SIZE_MAX;
}

static void print_node(FILE *f, Node *nodes, size_t n, size_t i, const char *prefix, bool last, unsigned depth) {
        const PathEntry *e = nodes[i].entry;
        bool link = !streq(e->dest, e->source);
        nodes[i].printed = true;
        fprintf(f, "%s%s%s%s%s  (%s)\n", prefix, depth == 0 ? "" : last ? "└─ " : "├─ ", e->dest,
                link ? " -> " : "", link ? e->source : "", e->reason);
        if (depth >= MAX_DEPTH)
                return;
        _cleanup_free_ char *child_prefix = asprintf_safe("%s%s", prefix, depth == 0 ? "" : last ? "   " : "│  ");
        if (!child_prefix)
                return;
        size_t last_child = SIZE_MAX;
        for (size_t c = 0; c < n; c++)
                if (nodes[c].parent == i && !nodes[c].printed)
                        last_child = c;
        for (size_t c = 0; c < n; c++)
                if (nodes[c].parent == i && !nodes[c].printed)
                        print_node(f, nodes, n, c, child_prefix, c == last_child, depth + 1);
}

int explain_print_tree(FILE *f, PathSet *binds) {
        const PathEntry **sorted = path_set_sorted(binds);
        size_t n = path_set_size(binds);
        if (!sorted)
                return -ENOMEM;
        _cleanup_free_ Node *nodes = calloc(n ? n : 1, sizeof(Node));
        if (!nodes)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                nodes[i] = (Node) { .entry = sorted[i], .parent = SIZE_MAX };
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = named_path(sorted[i]->reason);
                size_t parent = p ? find(nodes, n, p) : SIZE_MAX;
                nodes[i].parent = parent == i ? SIZE_MAX : parent;
        }
        /* Roots first; then whatever a ring of reasons left unreached. */
        for (size_t i = 0; i < n; i++)
                if (nodes[i].parent == SIZE_MAX)
                        print_node(f, nodes, n, i, "", true, 0);
        for (size_t i = 0; i < n; i++)
                if (!nodes[i].printed)
                        print_node(f, nodes, n, i, "", true, 0);
        return 0;
}
