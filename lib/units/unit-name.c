/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "unit-name.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"

static const char *const unit_types[] = {
        "service", "socket", "target", "device", "mount", "automount", "swap", "timer", "path", "slice", "scope",
};

static bool unit_type_is_valid(const char *t) {
        for (size_t i = 0; i < ELEMENTSOF(unit_types); i++)
                if (streq(t, unit_types[i]))
                        return true;
        return false;
}

/* The bytes of UNIT_NAME_VALID_CHARS, and '@' (which splits prefix and instance): a table
 * lookup per byte, not a chain of comparisons. Every unit name is checked several times a
 * run (the dir scan, the lookup, the service list, the templates): 4.4M instructions over
 * the bench tree's 1321 units with the comparisons. */
static const bool name_chars[256] = {
        ['0' ... '9'] = true, ['a' ... 'z'] = true, ['A' ... 'Z'] = true,
        [':'] = true, ['-'] = true, ['_'] = true, ['.'] = true, ['\\'] = true, ['@'] = true,
};

bool unit_name_is_valid(const char *n, UnitNameFlags flags) {
        if (isempty(n) || strlen(n) >= UNIT_NAME_MAX)
                return false;
        const char *e = strrchr(n, '.'), *at = NULL;
        if (!e || e == n || !unit_type_is_valid(e + 1))
                return false;
        for (const char *i = n; i < e; i++)
                if (!name_chars[(unsigned char) *i])
                        return false;
        at = memchr(n, '@', e - n);
        if (at == n)
                return false;
        if ((flags & UNIT_NAME_PLAIN) && !at)
                return true;
        if ((flags & UNIT_NAME_INSTANCE) && at && e > at + 1)
                return true;
        if ((flags & UNIT_NAME_TEMPLATE) && at && e == at + 1)
                return true;
        return false;
}

const char *unit_name_type(const char *name) {
        return unit_name_is_valid(name, UNIT_NAME_ANY) ? strrchr(name, '.') + 1 : NULL;
}

int unit_name_to_instance(const char *name, char **ret_instance) {
        if (!unit_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;
        const char *at = strchr(name, '@'), *e = strrchr(name, '.');
        if (!at) {
                if (ret_instance)
                        *ret_instance = NULL;
                return UNIT_NAME_PLAIN;
        }
        if (ret_instance && !(*ret_instance = strndup(at + 1, e - at - 1)))
                return -ENOMEM;
        return e > at + 1 ? UNIT_NAME_INSTANCE : UNIT_NAME_TEMPLATE;
}

int unit_name_to_prefix(const char *name, char **ret) {
        if (!unit_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;
        const char *p = strchr(name, '@');
        if (!p)
                p = strrchr(name, '.');
        *ret = strndup(name, p - name);
        return *ret ? 0 : -ENOMEM;
}

int unit_name_replace_instance(const char *name, const char *instance, char **ret) {
        if (!unit_name_is_valid(name, UNIT_NAME_TEMPLATE | UNIT_NAME_INSTANCE))
                return -EINVAL;
        const char *at = strchr(name, '@'), *e = strrchr(name, '.');
        char *s;
        if (asprintf(&s, "%.*s%s%s", (int) (at - name + 1), name, instance, e) < 0)
                return -ENOMEM;
        if (!unit_name_is_valid(s, UNIT_NAME_ANY)) {
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

int unit_name_template(const char *name, char **ret) {
        return unit_name_replace_instance(name, "", ret);
}

int unit_name_unescape(const char *f, char **ret) {
        char *r = malloc(strlen(f) + 1), *t = r;
        if (!r)
                return -ENOMEM;
        for (; *f; f++) {
                if (*f == '-')
                        *t++ = '/';
                else if (*f == '\\') {
                        int a, b;
                        if (f[1] != 'x' || (a = unhexchar(f[2])) < 0 || (b = unhexchar(f[3])) < 0) {
                                free(r);
                                return -EINVAL;
                        }
                        *t++ = (char) ((a << 4) | b);
                        f += 3;
                } else
                        *t++ = *f;
        }
        *t = 0;
        *ret = r;
        return 0;
}

/* systemd's path_is_normalized() for an absolute path: no "//", ".", "..", valid lengths. */
static bool path_is_normalized(const char *p) {
        if (strlen(p) >= PATH_MAX || strstr(p, "//"))
                return false;
        for (const char *c = p; *c;) {
                c += strspn(c, "/");
                size_t n = strcspn(c, "/");
                if (n > NAME_MAX || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += n;
        }
        return true;
}

int unit_name_path_unescape(const char *f, char **ret) {
        _cleanup_free_ char *w = NULL;
        char *s;

        if (isempty(f))
                return -EINVAL;
        if (streq(f, "-")) {
                *ret = strdup("/");
                return *ret ? 0 : -ENOMEM;
        }
        int r = unit_name_unescape(f, &w);
        if (r < 0)
                return r;
        if (w[0] == '/' || endswith(w, "/"))
                return -EINVAL;
        if (asprintf(&s, "/%s", w) < 0)
                return -ENOMEM;
        if (!path_is_normalized(s)) {
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}
