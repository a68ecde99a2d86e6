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
#include "string-util.h"

const char *const exec_command_keys[EXEC_COMMAND_N_KEYS] = {
        "ExecCondition", "ExecStartPre", "ExecStart", "ExecStartPost",
        "ExecReload",    "ExecStop",     "ExecStopPost",
};

#define WHITESPACE " \t\n\r"

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
