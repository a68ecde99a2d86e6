/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ld-path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"

static bool is_identifier_char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Length of the token at s (just after '$') if it is ref or {ref}, else 0 (is_dst()). */
static size_t dst_length(const char *s, const char *ref) {
        bool curly = *s == '{';
        const char *p = s + curly;
        size_t l = strlen(ref);

        if (strncmp(p, ref, l) != 0)
                return 0;
        if (curly)
                return p[l] == '}' ? l + 2 : 0;
        return is_identifier_char(p[l]) ? 0 : l;
}

char *ld_expand_tokens(const char *input, const LdTokens *t) {
        size_t cap = strlen(input) + 1, n = 0;
        char *out = malloc(cap);

        if (!out)
                return NULL;
        for (const char *p = input; *p;) {
                const char *repl = NULL;
                size_t len = 0;

                if (*p == '$') {
                        if ((len = dst_length(p + 1, "ORIGIN")) > 0) {
                                if (!t->origin) {
                                        out[0] = 0;
                                        return out;
                                }
                                repl = t->origin;
                        } else if ((len = dst_length(p + 1, "PLATFORM")) > 0)
                                repl = t->platform;
                        else if ((len = dst_length(p + 1, "LIB")) > 0)
                                repl = t->lib;
                }
                if (!repl) {
                        out[n++] = *p++;
                        continue;
                }

                size_t rl = strlen(repl);
                char *m = realloc(out, cap += rl);
                if (!m) {
                        free(out);
                        return NULL;
                }
                out = m;
                memcpy(out + n, repl, rl);
                n += rl;
                p += 1 + len;
        }
        out[n] = 0;
        return out;
}

bool ld_has_origin_token(const char *s) {
        for (const char *p = s ? strchr(s, '$') : NULL; p; p = strchr(p + 1, '$'))
                if (dst_length(p + 1, "ORIGIN") > 0)
                        return true;
        return false;
}

/* One piece as a dir to search: "" stays "" (the current directory), else expanded and
 * ending in exactly one '/'. *ret NULL: the piece expanded to nothing and is dropped. */
static int piece_dir(const char *raw, const LdTokens *t, char **ret) {
        *ret = NULL;
        if (!*raw)
                return (*ret = strdup("")) ? 0 : -ENOMEM;
        _cleanup_free_ char *e = ld_expand_tokens(raw, t);
        if (!e)
                return -ENOMEM;
        size_t el = strlen(e);
        while (el > 1 && e[el - 1] == '/')
                el--;
        if (el > 0 && asprintf(ret, "%.*s%s", (int) el, e, e[el - 1] == '/' ? "" : "/") < 0)
                return -ENOMEM;
        return 0;
}

static bool has_dir(const LdPathList *l, const char *dir) {
        for (size_t i = 0; i < l->n_dirs; i++)
                if (streq(l->dirs[i].dir, dir))
                        return true;
        return false;
}

int ld_path_list_build(const char *value, const char *separators, const LdTokens *t, LdPathList *ret) {
        LdPathList l = {};
        int r = 0;

        for (const char *p = value;; ) {
                size_t len = strcspn(p, separators);
                char *raw = strndup(p, len);
                _cleanup_free_ char *dir = NULL;
                if (!raw || strv_consume(&l.raw, raw) < 0 || piece_dir(raw, t, &dir) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (dir && !has_dir(&l, dir)) {
                        LdPathDir *m = reallocarray(l.dirs, l.n_dirs + 1, sizeof(LdPathDir));
                        if (!m) {
                                r = -ENOMEM;
                                break;
                        }
                        l.dirs = m;
                        l.dirs[l.n_dirs++] = (LdPathDir) { .dir = TAKE_PTR(dir), .raw = raw };
                }
                if (p[len] == 0)
                        break;
                p += len + 1;
        }
        if (r < 0) {
                ld_path_list_done(&l);
                return r;
        }
        *ret = l;
        return 0;
}

void ld_path_list_done(LdPathList *l) {
        for (size_t i = 0; i < l->n_dirs; i++)
                free(l->dirs[i].dir);
        free(l->dirs);
        strv_free(l->raw);
        *l = (LdPathList) {};
}
