/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "unit-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "log.h"
#include "macro.h"
#include "read-file.h"
#include "string-util.h"
#include "strv.h"

#define WHITESPACE " \t\n\r"
#define COMMENTS "#;"
#define UTF8_BOM "\xef\xbb\xbf"

static void buffer_clear(Buffer *b) {
        b->len = 0;
        if (b->data)
                b->data[0] = 0;
}

/* Reads characters from a FILE or from memory, with one character of push-back. */
typedef struct Reader {
        FILE *f;
        const unsigned char *data;
        size_t size, pos;
        int pushback;
} Reader;

static int reader_getc(Reader *r) {
        int c;

        if (r->pushback >= 0) {
                c = r->pushback;
                r->pushback = -1;
                return c;
        }
        if (r->f)
                return getc_unlocked(r->f);
        return r->pos < r->size ? r->data[r->pos++] : EOF;
}

enum { EOL_NONE = 0, EOL_LF = 1, EOL_CR = 2, EOL_NUL = 4 };

static int categorize_eol(int c) {
        return c == '\n' ? EOL_LF : c == '\r' ? EOL_CR : c == 0 ? EOL_NUL : EOL_NONE;
}

/* systemd's read_line(): \n, \r, \0 and their combinations (\r\n, \n\r, ...\0) end a line, each
 * kind at most once per line end. Returns 1 for a line, 0 at end of input, -ENOBUFS when the line
 * reaches UNIT_LINE_MAX characters, -errno on a read error. */
static int read_line(Reader *r, Buffer *line) {
        size_t count = 0;
        int previous_eol = EOL_NONE;

        buffer_clear(line);
        int k = buffer_append(line, "", 0); /* never NULL: the parser writes into it */
        if (k < 0)
                return k;
        for (;;) {
                if (line->len >= UNIT_LINE_MAX)
                        return -ENOBUFS;

                /* In memory, the run of bytes up to the line's end in one append: the same
                 * bytes, counted and limited the same, without a call per byte. */
                if (!r->f && r->pushback < 0 && previous_eol == EOL_NONE) {
                        size_t n = 0, room = UNIT_LINE_MAX - line->len;
                        while (n < room && r->pos + n < r->size && categorize_eol(r->data[r->pos + n]) == EOL_NONE)
                                n++;
                        if (n > 0) {
                                k = buffer_append(line, (const char *) r->data + r->pos, n);
                                if (k < 0)
                                        return k;
                                r->pos += n;
                                count += n;
                                continue;
                        }
                }

                int c = reader_getc(r);
                if (c == EOF) {
                        if (r->f && ferror(r->f))
                                return errno > 0 ? -errno : -EIO;
                        break;
                }

                int eol = categorize_eol(c);
                if ((previous_eol & EOL_NUL) ||
                    (eol == EOL_NONE && previous_eol != EOL_NONE) ||
                    (eol != EOL_NONE && (previous_eol & eol))) {
                        r->pushback = c;
                        break;
                }
                count++;
                if (eol != EOL_NONE) {
                        previous_eol |= eol;
                        continue;
                }
                char ch = (char) c;
                k = buffer_append(line, &ch, 1);
                if (k < 0)
                        return k;
        }
        return count > 0;
}

int unit_text_get_boolean(const UnitText *u, const char *section, const char *key) {
        const UnitSetting *s = unit_text_get_effective(u, section, key, parse_boolean, false);
        return s ? parse_boolean(s->value) : -ENOENT;
}

int unit_parse_any(const char *v) {
        (void) v;
        return 0;
}

int parse_boolean(const char *v) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        if (!v)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

static char *strstrip(char *s) {
        s += strspn(s, WHITESPACE);
        size_t n = strlen(s);
        while (n > 0 && strchr(WHITESPACE, s[n - 1]))
                n--;
        s[n] = 0;
        return s;
}

static int unit_text_append(UnitText *u, const char *section, const char *key, const char *value,
                            const char *file, unsigned line) {
        size_t ls = strlen(section) + 1, lk = strlen(key) + 1, lv = strlen(value) + 1, lf = strlen(file) + 1;

        if (u->n >= u->allocated) {
                size_t a = u->allocated ? u->allocated * 2 : 16;
                UnitSetting *items = reallocarray(u->items, a, sizeof(UnitSetting));
                if (!items)
                        return -ENOMEM;
                u->items = items;
                u->allocated = a;
        }

        /* One block per setting: section, key, value and file name back to back. */
        char *block = malloc(ls + lk + lv + lf);
        if (!block)
                return -ENOMEM;
        UnitSetting *s = &u->items[u->n++];
        *s = (UnitSetting) {
                .section = memcpy(block, section, ls),
                .key = memcpy(block + ls, key, lk),
                .value = memcpy(block + ls + lk, value, lv),
                .file = memcpy(block + ls + lk + lv, file, lf),
                .line = line,
        };
        return 0;
}

typedef struct Parser {
        UnitText *u;
        const char *file;
        char *section; /* NULL before the first header */
} Parser;

static int parse_section_header(Parser *p, char *l, unsigned line) {
        size_t k = strlen(l);

        if (l[k - 1] != ']') {
                log_debug("%s:%u: Invalid section header '%s', file not read further.", p->file, line, l);
                return -EBADMSG;
        }
        l[k - 1] = 0;
        if (!string_is_safe(l + 1)) {
                log_debug("%s:%u: Bad characters in section header, file not read further.", p->file, line);
                return -EBADMSG;
        }
        char *n = strdup(l + 1);
        if (!n)
                return -ENOMEM;
        free(p->section);
        p->section = n;
        /* Record the header itself, so that a section without assignments still exists. */
        return unit_text_append(p->u, n, "", "", p->file, line);
}

/* One logical line, as systemd's parse_line(). */
static int parse_line(Parser *p, char *l, unsigned line) {
        l = strstrip(l);
        if (isempty(l))
                return 0;

        /* systemd 252 stops reading the file here: a unit file then fails to load,
         * a drop-in keeps only what came before. */
        if (!utf8_is_valid(l)) {
                log_debug("%s:%u: invalid UTF-8, the rest of the file is not read.", p->file, line);
                return -EBADMSG;
        }

        if (l[0] == '[')
                return parse_section_header(p, l, line);

        if (!p->section) {
                log_debug("%s:%u: Assignment outside of section, ignoring.", p->file, line);
                return 0;
        }

        char *e = strchr(l, '=');
        if (!e || e == l) {
                log_debug("%s:%u: Missing '=' or key name, ignoring line.", p->file, line);
                return 0;
        }
        *e = 0;
        return unit_text_append(p->u, p->section, strstrip(l), strstrip(e + 1), p->file, line);
}

/* Whether the line ends in an unescaped backslash (a continuation). */
static bool ends_escaped(const char *s) {
        bool escaped = false;
        for (; *s; s++)
                escaped = escaped ? false : *s == '\\';
        return escaped;
}

static int parse_stream(UnitText *u, Reader *reader, const char *file_name) {
        Buffer line = {}, continuation = {};
        bool in_continuation = false, bom_seen = false;
        unsigned n_line = 0;
        int r;

        Parser p = { .u = u, .file = file_name };

        for (;;) {
                r = read_line(reader, &line);
                if (r <= 0) {
                        if (r == -ENOBUFS)
                                log_debug("%s:%u: Line too long, file not read further.", file_name, n_line + 1);
                        break;
                }
                n_line++;

                char *l = line.data;
                if (l[strspn(l, WHITESPACE)] && strchr(COMMENTS, l[strspn(l, WHITESPACE)]))
                        continue; /* comments are skipped even inside a continuation */

                if (!bom_seen && startswith(l, UTF8_BOM)) {
                        l += strlen(UTF8_BOM);
                        bom_seen = true;
                }

                bool escaped = ends_escaped(l);
                if (escaped)
                        l[strlen(l) - 1] = ' ';

                if (in_continuation || escaped) {
                        size_t add = strlen(l);
                        if (continuation.len + add > UNIT_LINE_MAX) {
                                log_debug("%s:%u: Continuation line too long, file not read further.",
                                          file_name, n_line);
                                r = -ENOBUFS;
                                break;
                        }
                        r = buffer_append(&continuation, l, add);
                        if (r < 0)
                                break;
                        in_continuation = true;
                        if (escaped)
                                continue;
                        l = continuation.data;
                }

                r = parse_line(&p, l, n_line);
                if (r < 0)
                        break;
                buffer_clear(&continuation);
                in_continuation = false;
        }

        if (r == 0 && in_continuation)
                r = parse_line(&p, continuation.data, ++n_line);

        free(p.section);
        free(line.data);
        free(continuation.data);
        return r < 0 ? r : 0;
}

int unit_text_load_buffer(UnitText *u, const char *data, size_t size, const char *file_name) {
        Reader reader = { .data = (const unsigned char *) data, .size = data ? size : 0, .pushback = -1 };

        return parse_stream(u, &reader, file_name ? file_name : "(buffer)");
}

/* Opens a file as systemd would read it as a unit file: regular files only (a FIFO would
 * block the generator for ever, /dev/zero feed it for ever). */
static int open_unit_file(const char *path, FILE **ret) {
        return read_file_open(path, READ_FILE_REGULAR, ret);
}

static int find_lines(Reader *reader, const char *needle, unsigned **ret_lines, size_t *ret_n) {
        _cleanup_free_ unsigned *lines = NULL;
        size_t n = 0, len = 0, cap = strlen(needle);
        _cleanup_free_ char *buf = malloc(cap + 1);
        bool overflow = false, any = false;
        int previous_eol = EOL_NONE;
        unsigned n_line = 0;

        if (!buf)
                return -ENOMEM;
        /* Lines split as read_line() splits them, of any length: what systemd stops
         * reading at does not stop this scan. Blanks at both ends do not count. */
        for (;;) {
                /* A line already longer than needle cannot match: in memory, on to its end
                 * without looking at each byte. */
                if (overflow && !reader->f && reader->pushback < 0 && previous_eol == EOL_NONE)
                        while (reader->pos < reader->size && categorize_eol(reader->data[reader->pos]) == EOL_NONE)
                                reader->pos++;
                int c = reader_getc(reader);
                int eol = c == EOF ? EOL_NONE : categorize_eol(c);
                bool end = c == EOF || (previous_eol & EOL_NUL) || (eol == EOL_NONE && previous_eol != EOL_NONE) ||
                           (eol != EOL_NONE && (previous_eol & eol));
                if (end && (any || previous_eol != EOL_NONE)) {
                        n_line++;
                        while (len > 0 && strchr(WHITESPACE, buf[len - 1]))
                                len--;
                        if (!overflow && len == cap && memcmp(buf, needle, cap) == 0) {
                                unsigned *a = reallocarray(lines, n + 1, sizeof(unsigned));
                                if (!a)
                                        return -ENOMEM;
                                lines = a;
                                lines[n++] = n_line;
                        }
                        len = 0;
                        overflow = any = false;
                        previous_eol = EOL_NONE;
                }
                if (c == EOF)
                        break;
                any = true;
                if (eol != EOL_NONE) {
                        previous_eol |= eol;
                        continue;
                }
                if (len == 0 && strchr(WHITESPACE, c))
                        continue; /* leading blanks */
                if (len < cap)
                        buf[len++] = (char) c;
                else if (!strchr(WHITESPACE, c))
                        overflow = true; /* longer than needle; blanks after it are trailing */
        }
        if (reader->f && ferror(reader->f))
                return errno > 0 ? -errno : -EIO;
        *ret_lines = TAKE_PTR(lines);
        *ret_n = n;
        return 0;
}

int unit_file_find_lines(const char *path, const char *needle, unsigned **ret_lines, size_t *ret_n) {
        _cleanup_fclose_ FILE *f = NULL;
        int r = open_unit_file(path, &f);
        if (r < 0)
                return r;
        Reader reader = { .f = f, .pushback = -1 };
        return find_lines(&reader, needle, ret_lines, ret_n);
}

int unit_buffer_find_lines(const char *data, size_t size, const char *needle, unsigned **ret_lines, size_t *ret_n) {
        Reader reader = { .data = (const unsigned char *) data, .size = data ? size : 0, .pushback = -1 };
        return find_lines(&reader, needle, ret_lines, ret_n);
}

int unit_text_load_file(UnitText *u, const char *path) {
        _cleanup_fclose_ FILE *f = NULL;
        int r = open_unit_file(path, &f);
        if (r < 0)
                return r;
        Reader reader = { .f = f, .pushback = -1 };
        return parse_stream(u, &reader, path);
}

void unit_text_done(UnitText *u) {
        for (size_t i = 0; i < u->n; i++)
                free(u->items[i].section); /* the block holding all four strings */
        free(u->items);
        *u = (UnitText) {};
}

const UnitSetting *unit_text_get_setting(const UnitText *u, const char *section, const char *key) {
        for (size_t i = u->n; i > 0; i--) {
                const UnitSetting *s = &u->items[i - 1];
                if (streq(s->section, section) && streq(s->key, key))
                        return s;
        }
        return NULL;
}

const char *unit_text_get(const UnitText *u, const char *section, const char *key) {
        const UnitSetting *s = unit_text_get_setting(u, section, key);
        return s ? s->value : NULL;
}

int unit_text_get_list(const UnitText *u, const char *section, const char *key, char ***ret) {
        size_t start = 0, count = 0;

        /* Only what follows the last empty assignment counts. */
        for (size_t i = 0; i < u->n; i++)
                if (streq(u->items[i].section, section) && streq(u->items[i].key, key)) {
                        if (isempty(u->items[i].value)) {
                                start = i + 1;
                                count = 0;
                        } else
                                count++;
                }

        char **l = calloc(count + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        size_t k = 0;
        for (size_t i = start; i < u->n && k < count; i++)
                if (streq(u->items[i].section, section) && streq(u->items[i].key, key)) {
                        l[k] = strdup(u->items[i].value);
                        if (!l[k++])
                                return strv_free(l), -ENOMEM;
                }
        *ret = l;
        return 0;
}

bool unit_text_has_section(const UnitText *u, const char *section) {
        for (size_t i = 0; i < u->n; i++)
                if (streq(u->items[i].section, section))
                        return true;
        return false;
}

const UnitSetting *unit_text_get_effective(const UnitText *u, const char *section, const char *key,
                                           int (*parse)(const char *value), bool empty_resets) {
        const UnitSetting *current = NULL;
        for (size_t i = 0; i < u->n; i++) {
                const UnitSetting *s = &u->items[i];
                if (!streq(s->section, section) || !streq(s->key, key))
                        continue;
                if (isempty(s->value) && empty_resets)
                        current = NULL;
                else if (parse(s->value) >= 0)
                        current = s;
        }
        return current;
}

bool unit_text_has_header_at(const UnitText *u, const char *section, const char *file, unsigned line) {
        for (size_t i = 0; i < u->n; i++) {
                const UnitSetting *s = &u->items[i];
                if (s->line == line && s->key[0] == 0 && streq(s->section, section) && streq(s->file, file))
                        return true;
        }
        return false;
}
