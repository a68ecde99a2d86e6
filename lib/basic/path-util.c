/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "path-util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

char *path_normalize(const char *path) {
        if (!path || path[0] != '/') {
                errno = EINVAL;
                return NULL;
        }
        char *r = malloc(strlen(path) + 2);
        if (!r)
                return NULL;
        size_t n = 0; /* r[0..n) is the result so far, never ending in '/' */
        for (const char *p = path; *p;) {
                while (*p == '/')
                        p++;
                size_t len = strcspn(p, "/");
                if (len == 0)
                        break;
                if (len == 1 && p[0] == '.') {
                        /* nothing */
                } else if (len == 2 && p[0] == '.' && p[1] == '.') {
                        while (n > 0 && r[n - 1] != '/')
                                n--;
                        if (n > 0)
                                n--; /* drop the '/' too; ".." of "/" is "/" */
                } else {
                        r[n++] = '/';
                        memcpy(r + n, p, len);
                        n += len;
                }
                p += len;
        }
        if (n == 0)
                r[n++] = '/';
        r[n] = 0;
        return r;
}

char *path_join_normalize(const char *a, const char *b) {
        _cleanup_free_ char *j = NULL;
        if (asprintf(&j, "%s/%s", a, b) < 0)
                return NULL;
        return path_normalize(j);
}

const char *path_basename(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

char *path_dirname(const char *path) {
        const char *s = strrchr(path, '/');
        if (!s || s == path)
                return strdup("/");
        return strndup(path, (size_t) (s - path));
}

bool path_startswith_dir(const char *path, const char *prefix) {
        size_t l = strlen(prefix);
        while (l > 1 && prefix[l - 1] == '/') /* "/a/" is the directory /a */
                l--;
        if (l == 1 && prefix[0] == '/')
                return path[0] == '/';
        return strncmp(path, prefix, l) == 0 && (path[l] == 0 || path[l] == '/');
}
