/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "extract-word.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "string-util.h"

#define WHITESPACE " \t\n\r"

static int unhex_n(const char *p, size_t n, uint32_t *ret) {
        uint32_t v = 0;
        for (size_t i = 0; i < n; i++) { /* stops at the NUL, never reads past it */
                int d = unhexchar(p[i]);
                if (d < 0)
                        return d;
                v = (v << 4) | (uint32_t) d;
        }
        *ret = v;
        return 0;
}

/* systemd's cunescape_one(): the escape after a backslash. Returns its length, with the value in
 * *ret; *byte when it is a raw byte (\x, octal) rather than a code point. No NULs. */
static int cunescape_one(const char *p, uint32_t *ret, bool *byte) {
        static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"''s ";
        uint32_t v;

        *byte = false;
        if (*p == 0)
                return -EINVAL;
        for (size_t i = 0; simple[i]; i += 2)
                if (*p == simple[i]) {
                        *ret = (unsigned char) simple[i + 1];
                        return 1;
                }
        switch (*p) {
        case 'x':
                if (unhex_n(p + 1, 2, &v) < 0 || v == 0)
                        return -EINVAL;
                *ret = v;
                *byte = true;
                return 3;
        case 'u':
        case 'U': {
                size_t n = *p == 'u' ? 4 : 8;
                if (unhex_n(p + 1, n, &v) < 0 || v == 0 || (n == 8 && !unichar_is_valid(v)))
                        return -EINVAL;
                *ret = v;
                return (int) n + 1;
        }
        }
        if (*p >= '0' && *p <= '7') {
                if (p[1] < '0' || p[1] > '7' || p[2] < '0' || p[2] > '7')
                        return -EINVAL;
                v = ((uint32_t) (p[0] - '0') << 6) | ((uint32_t) (p[1] - '0') << 3) | (uint32_t) (p[2] - '0');
                if (v == 0 || v > 255)
                        return -EINVAL;
                *ret = v;
                *byte = true;
                return 3;
        }
        return -EINVAL;
}

static int append_unichar(Buffer *b, uint32_t c) {
        char out[4];
        size_t n;

        if (c < 0x80) {
                out[0] = (char) c;
                n = 1;
        } else if (c < 0x800) {
                out[0] = (char) (0xc0 | (c >> 6));
                out[1] = (char) (0x80 | (c & 0x3f));
                n = 2;
        } else if (c < 0x10000) {
                out[0] = (char) (0xe0 | (c >> 12));
                out[1] = (char) (0x80 | ((c >> 6) & 0x3f));
                out[2] = (char) (0x80 | (c & 0x3f));
                n = 3;
        } else {
                out[0] = (char) (0xf0 | ((c >> 18) & 0x07));
                out[1] = (char) (0x80 | ((c >> 12) & 0x3f));
                out[2] = (char) (0x80 | ((c >> 6) & 0x3f));
                out[3] = (char) (0x80 | (c & 0x3f));
                n = 4;
        }
        return buffer_append(b, out, n);
}

/* The character after a backslash, at *c (which is advanced past a multi-character escape). */
static int extract_escape(const char **c, Buffer *s, char quote, ExtractFlags flags, bool *ret_end) {
        *ret_end = false;
        if (**c == 0) {
                if ((flags & EXTRACT_UNESCAPE_RELAX) && (quote == 0 || (flags & EXTRACT_RELAX))) {
                        *ret_end = true; /* a trailing backslash is kept */
                        return buffer_append(s, "\\", 1);
                }
                if (flags & EXTRACT_RELAX) {
                        *ret_end = true;
                        return 0;
                }
                return -EINVAL;
        }
        if (!(flags & EXTRACT_CUNESCAPE))
                return buffer_append(s, *c, 1);

        uint32_t u;
        bool byte;
        int r = cunescape_one(*c, &u, &byte);
        if (r >= 1) {
                *c += r - 1;
                if (byte) {
                        char ch = (char) u;
                        return buffer_append(s, &ch, 1);
                }
                return append_unichar(s, u);
        }
        if (flags & EXTRACT_UNESCAPE_RELAX) {
                char two[2] = { '\\', **c };
                return buffer_append(s, two, 2);
        }
        return -EINVAL;
}

int extract_first_word(const char **p, char **ret, const char *separators, ExtractFlags flags) {
        Buffer s = {};
        char quote = 0;
        bool backslash = false, found = flags & EXTRACT_DONT_COALESCE_SEPARATORS, end = false;
        const char *c = *p;
        int r = 0;

        *ret = NULL;
        if (!c)
                return 0;
        if (!separators)
                separators = WHITESPACE;

        /* Leading separators. */
        for (; *c; c++) {
                if (!strchr(separators, *c)) {
                        found = true;
                        break;
                }
                if (flags & EXTRACT_DONT_COALESCE_SEPARATORS) {
                        *p = c + 1;
                        goto word;
                }
        }

        for (; r >= 0; c++) {
                if (backslash) {
                        backslash = false;
                        r = extract_escape(&c, &s, quote, flags, &end);
                        if (end)
                                break;
                } else if (*c == 0) {
                        if (quote && !(flags & EXTRACT_RELAX))
                                r = -EINVAL;
                        break;
                } else if (quote) {
                        if (*c == quote)
                                quote = 0;
                        else if (*c == '\\')
                                backslash = true;
                        else
                                r = buffer_append(&s, c, 1);
                } else if ((*c == '"' || *c == '\'') && (flags & EXTRACT_UNQUOTE))
                        quote = *c;
                else if (*c == '\\')
                        backslash = true;
                else if (strchr(separators, *c)) {
                        if (flags & EXTRACT_DONT_COALESCE_SEPARATORS) {
                                *p = c + 1;
                                goto word;
                        }
                        c += strspn(c, separators);
                        *p = *c ? c : NULL;
                        goto word;
                } else
                        r = buffer_append(&s, c, 1);
        }
        if (r < 0) {
                free(s.data);
                *p = c; /* left at the offending character, as systemd does */
                return r;
        }
        *p = NULL;
        if (!found)
                return 0;
word:
        if (!s.data && buffer_append(&s, "", 0) < 0)
                return -ENOMEM;
        *ret = s.data;
        return 1;
}

int extract_first_word_relaxed(const char **p, char **ret, const char *separators, ExtractFlags flags) {
        const char *save = *p;
        int r = extract_first_word(p, ret, separators, flags);
        if (r != -EINVAL || (flags & EXTRACT_UNESCAPE_RELAX))
                return r;
        *p = save;
        return extract_first_word(p, ret, separators, flags | EXTRACT_UNESCAPE_RELAX);
}
