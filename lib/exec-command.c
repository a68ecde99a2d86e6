/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "exec-command.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "strv.h"
#include "unit-file.h"

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

static bool unichar_ok(uint32_t c) {
        return c < 0x110000 && (c & 0xfffff800) != 0xd800 && !(c >= 0xfdd0 && c <= 0xfdef) &&
               (c & 0xfffe) != 0xfffe;
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
                if (unhex_n(p + 1, n, &v) < 0 || v == 0 || (n == 8 && !unichar_ok(v)))
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

/* systemd's strv_env_get_n(): the last "NAME=" entry; the name is compared as given. */
static const char *env_get_n(char * const *env, const char *name, size_t k) {
        if (k == 0)
                return NULL;
        for (size_t i = strv_length(env); i > 0; i--)
                if (strncmp(env[i - 1], name, k) == 0 && env[i - 1][k] == '=')
                        return env[i - 1] + k + 1;
        return NULL;
}

static int append_str(Buffer *b, const char *s) {
        return s ? buffer_append(b, s, strlen(s)) : 0;
}

/* systemd's replace_env() without flags: only "${NAME}" is replaced; "$$" is "$". */
static int replace_env(const char *format, char * const *env, char **ret) {
        enum { WORD, CURLY, VARIABLE } state = WORD;
        const char *word = format, *e;
        Buffer b = {};
        int r = 0;

        for (e = format; *e && r >= 0; e++)
                switch (state) {
                case WORD:
                        if (*e == '$')
                                state = CURLY;
                        break;
                case CURLY:
                        if (*e == '{') {
                                r = buffer_append(&b, word, e - word - 1);
                                word = e - 1;
                                state = VARIABLE;
                        } else if (*e == '$') {
                                r = buffer_append(&b, word, e - word);
                                word = e + 1;
                                state = WORD;
                        } else
                                state = WORD;
                        break;
                case VARIABLE:
                        if (*e == '}') {
                                r = append_str(&b, env_get_n(env, word + 2, e - word - 2));
                                word = e + 1;
                                state = WORD;
                        } else if (*e == ':')
                                state = WORD; /* ${A:-b} is not supported here: left as written */
                        break;
                }
        if (r >= 0)
                r = buffer_append(&b, word, e - word);
        if (r < 0) {
                free(b.data);
                return r;
        }
        *ret = b.data;
        return 0;
}

static int split_value(const char *value, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (const char *p = value;;) {
                char *w;
                int r = extract_first_word(&p, &w, NULL, EXTRACT_RELAX | EXTRACT_UNQUOTE);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = strv_consume(&l, w);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int replace_env_argv(char * const *argv, char * const *env, char ***ret) {
        _cleanup_strv_free_ char **out = calloc(1, sizeof(char *));
        int r;

        if (!out)
                return -ENOMEM;
        STRV_FOREACH(a, argv) {
                if ((*a)[0] == '$' && (*a)[1] != '{' && (*a)[1] != '$') {
                        /* The whole rest of the word names the variable. */
                        const char *v = env_get_n(env, *a + 1, strlen(*a + 1));
                        _cleanup_strv_free_ char **words = NULL;
                        if (!v)
                                continue;
                        r = split_value(v, &words);
                        if (r >= 0)
                                r = strv_extend_strv(&out, words);
                } else {
                        char *w;
                        r = replace_env(*a, env, &w);
                        if (r >= 0)
                                r = strv_consume(&out, w);
                }
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

void exec_command_free_many(ExecCommand *c, size_t n) {
        for (size_t i = 0; c && i < n; i++) {
                free(c[i].path);
                strv_free(c[i].argv);
        }
        free(c);
}

/* systemd's path_is_valid(): components of at most NAME_MAX, shorter than PATH_MAX in all. */
static bool path_is_valid(const char *p) {
        if (isempty(p) || strlen(p) >= PATH_MAX)
                return false;
        for (const char *c = p; *c;) {
                size_t n = strcspn(c, "/");
                if (n > NAME_MAX)
                        return false;
                c += n;
                c += strspn(c, "/");
        }
        return true;
}

static bool filename_is_valid(const char *p) {
        return !isempty(p) && !streq(p, ".") && !streq(p, "..") && !strchr(p, '/') && strlen(p) <= NAME_MAX;
}

/* systemd's path_simplify(): drops "//", "/./" and a trailing "/"; keeps "..". */
static void path_simplify(char *path) {
        char *w = path;
        const char *c = path;
        bool absolute = *path == '/';

        if (absolute)
                *w++ = '/';
        while (*c) {
                c += strspn(c, "/");
                size_t n = strcspn(c, "/");
                if (n == 0)
                        break;
                if (!(n == 1 && c[0] == '.')) {
                        if (w > path && w[-1] != '/')
                                *w++ = '/';
                        memmove(w, c, n);
                        w += n;
                }
                c += n;
        }
        if (w == path && !absolute)
                *w++ = '.';
        *w = 0;
}

typedef struct CommandParse {
        const Specifiers *sp;
        char **ret_error;
        bool ignore; /* '-': systemd drops a command it cannot parse instead of failing the unit */
} CommandParse;

/* Returns -EBADMSG for what systemd rejects, 0 (command dropped) where '-' makes it only warn. */
static int reject(CommandParse *cp, const char *what, const char *arg) {
        if (cp->ignore) {
                log_debug("%s: %s; ignoring the command, as systemd does for '-'.", what, arg);
                return 0;
        }
        free(*cp->ret_error);
        if (asprintf(cp->ret_error, "%s: %s", what, arg) < 0)
                *cp->ret_error = NULL;
        return -EBADMSG;
}

static int expand(CommandParse *cp, const char *word, size_t max, char **ret) {
        _cleanup_free_ char *error = NULL;
        bool systemd_fails = false;
        int r = specifier_expand_full(word, cp->sp, max, ret, &error, &systemd_fails);

        if (r == -EBADMSG && !systemd_fails) {
                /* systemd knows this value, we do not: never guess. */
                free(*cp->ret_error);
                *cp->ret_error = TAKE_PTR(error);
                return -EBADMSG;
        }
        if (r == -EBADMSG)
                return reject(cp, "Failed to resolve unit specifiers", error ? error : word);
        return r < 0 ? r : 1;
}

/* The prefixes "-@:+!" before the executable, as systemd accepts them. */
static const char *parse_prefixes(const char *f, unsigned *flags) {
        for (;; f++) {
                if (*f == '-' && !(*flags & EXEC_IGNORE_FAILURE))
                        *flags |= EXEC_IGNORE_FAILURE;
                else if (*f == '@' && !(*flags & EXEC_ARGV0))
                        *flags |= EXEC_ARGV0;
                else if (*f == ':' && !(*flags & EXEC_NO_ENV_EXPAND))
                        *flags |= EXEC_NO_ENV_EXPAND;
                else if (*f == '+' && !(*flags & (EXEC_PRIVILEGED | EXEC_NO_SETUID | EXEC_AMBIENT_MAGIC)))
                        *flags |= EXEC_PRIVILEGED;
                else if (*f == '!' && !(*flags & (EXEC_PRIVILEGED | EXEC_NO_SETUID | EXEC_AMBIENT_MAGIC)))
                        *flags |= EXEC_NO_SETUID;
                else if (*f == '!' && !(*flags & (EXEC_PRIVILEGED | EXEC_AMBIENT_MAGIC))) {
                        *flags &= ~EXEC_NO_SETUID;
                        *flags |= EXEC_AMBIENT_MAGIC;
                } else
                        return f;
        }
}

static int check_executable(CommandParse *cp, const char *path) {
        if (isempty(path))
                return reject(cp, "Empty path in command line", "(nothing after the prefixes)");
        if (!string_is_safe(path))
                return reject(cp, "Executable name contains special characters", path);
        if (endswith(path, "/"))
                return reject(cp, "Executable path specifies a directory", path);
        if (!(path[0] == '/' ? path_is_valid(path) : filename_is_valid(path)))
                return reject(cp, "Neither a valid executable name nor an absolute path", path);
        return 1;
}

static bool is_ws_or_end(char c) {
        return c == 0 || strchr(WHITESPACE, c);
}

/* The arguments after the executable, up to a lone ";" (sets *semicolon) or the end. Returns 1
 * when done, 0 or -EBADMSG from reject(). */
static int parse_arguments(CommandParse *cp, const char **p, char ***argv, bool *semicolon) {
        int r;

        while (!isempty(*p)) {
                const char *s = *p;
                if (s[0] == ';' && is_ws_or_end(s[1])) {
                        *p = s + 1 + strspn(s + 1, WHITESPACE);
                        *semicolon = true;
                        return 1;
                }
                if (s[0] == '\\' && s[1] == ';' && is_ws_or_end(s[2])) {
                        *p = s + 2 + strspn(s + 2, WHITESPACE);
                        r = strv_extend(argv, ";");
                        if (r < 0)
                                return r;
                        continue;
                }

                _cleanup_free_ char *word = NULL;
                char *resolved;
                r = extract_first_word_relaxed(p, &word, NULL, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE);
                if (r == 0)
                        break;
                if (r == -EINVAL)
                        return reject(cp, "Unbalanced quoting", s);
                if (r < 0)
                        return r;
                r = expand(cp, word, SPECIFIER_MAX_LINE, &resolved);
                if (r <= 0)
                        return r;
                r = strv_consume(argv, resolved);
                if (r < 0)
                        return r;
        }
        return 1;
}

static int append_command(ExecCommand **cmds, size_t *n, char *path, char **argv, unsigned flags) {
        ExecCommand *c = reallocarray(*cmds, *n + 1, sizeof(ExecCommand));
        if (!c)
                return -ENOMEM;
        c[(*n)++] = (ExecCommand) { .path = path, .argv = argv, .flags = flags };
        *cmds = c;
        return 0;
}

/* One command starting at *p; returns 1 when it was appended or skipped, 0 when the rest of the
 * value is to be dropped, -errno. */
static int parse_one_command(const char **p, const Specifiers *sp, char * const *env, ExecCommand **cmds,
                             size_t *n, char **ret_error, bool *semicolon) {
        _cleanup_free_ char *first = NULL, *path = NULL;
        _cleanup_strv_free_ char **argv = calloc(1, sizeof(char *));
        unsigned flags = 0;
        int r;

        if (!argv)
                return -ENOMEM;
        r = extract_first_word_relaxed(p, &first, NULL, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE);
        if (r == -ENOMEM)
                return r;
        if (r <= 0) {
                /* systemd logs unbalanced quoting here and ignores the rest of the line. */
                log_debug("Cannot parse command line, ignoring it as systemd does.");
                return 0;
        }
        if (streq(first, ";")) {
                *semicolon = true;
                return 1;
        }

        const char *f = parse_prefixes(first, &flags);
        CommandParse cp = { .sp = sp, .ret_error = ret_error, .ignore = flags & EXEC_IGNORE_FAILURE };

        r = expand(&cp, f, SPECIFIER_MAX_PATH, &path);
        if (r <= 0)
                return r;
        r = check_executable(&cp, path);
        if (r <= 0)
                return r;
        if (!(flags & EXEC_ARGV0)) {
                r = strv_extend(&argv, path);
                if (r < 0)
                        return r;
        }
        path_simplify(path);

        r = parse_arguments(&cp, p, &argv, semicolon);
        if (r <= 0)
                return r;
        if (!argv[0])
                return reject(&cp, "Empty executable name or zeroeth argument", first);

        if (!(flags & EXEC_NO_ENV_EXPAND)) {
                char **expanded;
                r = replace_env_argv(argv, env, &expanded);
                if (r < 0)
                        return r;
                strv_free(argv);
                argv = expanded;
        }
        r = append_command(cmds, n, path, argv, flags);
        if (r < 0)
                return r;
        path = NULL;
        argv = NULL;
        return 1;
}

int exec_command_parse(const char *value, const Specifiers *sp, char * const *env, ExecCommand **cmds,
                       size_t *n, char **ret_error) {
        const char *p = value;
        bool semicolon;

        if (isempty(value))
                return 0;
        do {
                semicolon = false;
                int r = parse_one_command(&p, sp, env, cmds, n, ret_error, &semicolon);
                if (r <= 0)
                        return r;
        } while (semicolon);
        return 0;
}
