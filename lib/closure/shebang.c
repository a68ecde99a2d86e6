/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "shebang.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "read-file.h"

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

/* First non-blank in [p, end), or NULL. */
static const char *skip_blanks(const char *p, const char *end) {
        for (; p < end; p++)
                if (!is_blank(*p))
                        return p;
        return NULL;
}

/* First blank or NUL in [p, end), or NULL. */
static const char *find_word_end(const char *p, const char *end) {
        for (; p < end; p++)
                if (is_blank(*p) || *p == 0)
                        return p;
        return NULL;
}

/* Where the interpreter line ends. Without a newline the line is cut at the
 * buffer's end: acceptable only if the interpreter name ends inside it. */
static int line_end(const char *buf, const char **ret) {
        const char *end = buf + SHEBANG_BUF_SIZE;
        const char *nl = memchr(buf, '\n', strnlen(buf, SHEBANG_BUF_SIZE));

        if (nl) {
                *ret = nl;
                return 0;
        }

        const char *name = skip_blanks(buf + 2, end);
        if (!name)
                return -EBADMSG;
        /* The kernel looks for a terminator up to and including the last byte. */
        if (!find_word_end(name, end))
                return -ENAMETOOLONG;
        *ret = end - 1;
        return 0;
}

int shebang_parse(const char *data, size_t size, char **ret_interp, char **ret_arg) {
        char buf[SHEBANG_BUF_SIZE] = {}; /* the kernel's buffer is zero-padded */
        const char *end, *name, *name_end, *arg = NULL;
        int r;

        memcpy(buf, data, size < sizeof(buf) ? size : sizeof(buf));
        if (size < 2 || buf[0] != '#' || buf[1] != '!')
                return -ENOEXEC;

        r = line_end(buf, &end);
        if (r < 0)
                return r;
        while (end > buf + 2 && is_blank(end[-1]))
                end--;

        name = skip_blanks(buf + 2, end);
        if (!name || name == end || *name == 0)
                return -EBADMSG;

        name_end = find_word_end(name, end) ?: end;
        if (name_end < end && *name_end != 0)
                arg = skip_blanks(name_end, end);

        _cleanup_free_ char *interp = strndup(name, name_end - name);
        /* The argument is a C string to the kernel: it stops at a NUL too. */
        _cleanup_free_ char *argument = arg ? strndup(arg, end - arg) : NULL;
        if (!interp || (arg && !argument))
                return -ENOMEM;
        if (argument && !*argument) {
                free(argument);
                argument = NULL;
        }

        if (ret_interp)
                *ret_interp = TAKE_PTR(interp);
        if (ret_arg)
                *ret_arg = TAKE_PTR(argument);
        return 0;
}

int shebang_read(const char *path, char **ret_interp, char **ret_arg) {
        char buf[SHEBANG_BUF_SIZE];
        size_t n;
        int r = read_file_head(path, buf, sizeof(buf), &n);

        return r < 0 ? r : shebang_parse(buf, n, ret_interp, ret_arg);
}
