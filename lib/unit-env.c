/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "unit-env.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec-command.h"
#include "log.h"
#include "macro.h"
#include "strv.h"

#define WHITESPACE " \t\n\r"
#define NEWLINE "\n\r"
#define COMMENTS "#;"
#define SHELL_NEED_ESCAPE "\"\\`$"
#define ENV_NAME_CHARS "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"

static size_t arg_max(void) {
        long l = sysconf(_SC_ARG_MAX);
        return l > 0 ? (size_t) l : 2097152;
}

static bool env_name_is_valid_n(const char *e, size_t n) {
        if (n == 0 || n > arg_max() - 2 || (e[0] >= '0' && e[0] <= '9'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!e[i] || !strchr(ENV_NAME_CHARS, e[i]))
                        return false;
        return true;
}

bool env_name_is_valid(const char *e) {
        return e && env_name_is_valid_n(e, strlen(e));
}

bool env_assignment_is_valid(const char *e) {
        const char *eq = strchr(e, '=');
        return eq && env_name_is_valid_n(e, eq - e) && utf8_is_valid(eq + 1) &&
               strlen(eq + 1) <= arg_max() - 3 && strlen(e) <= arg_max() - 1;
}

/* "KEY=value" into *env, replacing an entry of the same key. */
static int env_replace(char ***env, char *assignment) {
        if (!assignment)
                return -ENOMEM;
        size_t k = strcspn(assignment, "=");
        for (char **e = *env; e && *e; e++)
                if (strncmp(*e, assignment, k) == 0 && (*e)[k] == '=') {
                        free(*e);
                        *e = assignment;
                        return 0;
                }
        return strv_consume(env, assignment);
}

static void strip_trailing(Buffer *b, size_t from) {
        if (from != SIZE_MAX && b->data) {
                b->len = from;
                b->data[from] = 0;
        }
}

typedef struct EnvParser {
        Buffer key, value;
        size_t key_ws, value_ws; /* where trailing whitespace starts, or SIZE_MAX */
        char ***env;
} EnvParser;

static int env_push(EnvParser *e) {
        int r;

        strip_trailing(&e->key, e->key_ws);
        const char *k = e->key.data ? e->key.data : "", *v = e->value.data ? e->value.data : "";
        if (!utf8_is_valid(k) || !utf8_is_valid(v))
                r = -EINVAL; /* systemd refuses the whole file */
        else {
                char *a;
                r = asprintf(&a, "%s=%s", k, v) < 0 ? -ENOMEM : env_replace(e->env, a);
        }
        e->key.len = e->value.len = 0;
        if (e->key.data)
                e->key.data[0] = 0;
        if (e->value.data)
                e->value.data[0] = 0;
        return r;
}

/* Tracks where a run of trailing whitespace begins in b. */
static int append_tracking_ws(Buffer *b, size_t *ws, char c) {
        if (!strchr(WHITESPACE, c))
                *ws = SIZE_MAX;
        else if (*ws == SIZE_MAX)
                *ws = b->len;
        return buffer_append(b, &c, 1);
}

/* systemd's parse_env_file_internal() state machine. */
int env_file_parse(const char *data, size_t size, char ***ret) {
        enum { PRE_KEY, KEY, PRE_VALUE, VALUE, VALUE_ESCAPE, SINGLE_QUOTE, DOUBLE_QUOTE, DOUBLE_QUOTE_ESCAPE,
               COMMENT, COMMENT_ESCAPE } state = PRE_KEY;
        _cleanup_strv_free_ char **env = calloc(1, sizeof(char *));
        EnvParser e = { .key_ws = SIZE_MAX, .value_ws = SIZE_MAX, .env = &env };
        int r = 0;

        if (!env)
                return -ENOMEM;
        /* systemd reads the file as a C string: it ends at the first NUL. */
        for (size_t i = 0; i < size && data[i] && r >= 0; i++) {
                char c = data[i];
                switch (state) {
                case PRE_KEY:
                        if (strchr(COMMENTS, c))
                                state = COMMENT;
                        else if (!strchr(WHITESPACE, c)) {
                                state = KEY;
                                e.key_ws = SIZE_MAX;
                                r = buffer_append(&e.key, &c, 1);
                        }
                        break;
                case KEY:
                        if (strchr(NEWLINE, c)) {
                                state = PRE_KEY; /* a key without '=' is dropped */
                                e.key.len = 0;
                        } else if (c == '=') {
                                state = PRE_VALUE;
                                e.value_ws = SIZE_MAX;
                        } else
                                r = append_tracking_ws(&e.key, &e.key_ws, c);
                        break;
                case PRE_VALUE:
                        if (strchr(NEWLINE, c)) {
                                state = PRE_KEY;
                                r = env_push(&e);
                        } else if (c == '\'')
                                state = SINGLE_QUOTE;
                        else if (c == '"')
                                state = DOUBLE_QUOTE;
                        else if (c == '\\')
                                state = VALUE_ESCAPE;
                        else if (!strchr(WHITESPACE, c)) {
                                state = VALUE;
                                r = buffer_append(&e.value, &c, 1);
                        }
                        break;
                case VALUE:
                        if (strchr(NEWLINE, c)) {
                                state = PRE_KEY;
                                strip_trailing(&e.value, e.value_ws);
                                r = env_push(&e);
                        } else if (c == '\\') {
                                state = VALUE_ESCAPE;
                                e.value_ws = SIZE_MAX;
                        } else
                                r = append_tracking_ws(&e.value, &e.value_ws, c);
                        break;
                case VALUE_ESCAPE:
                        state = VALUE;
                        if (!strchr(NEWLINE, c)) /* an escaped newline is dropped */
                                r = buffer_append(&e.value, &c, 1);
                        break;
                case SINGLE_QUOTE:
                        if (c == '\'')
                                state = PRE_VALUE;
                        else
                                r = buffer_append(&e.value, &c, 1);
                        break;
                case DOUBLE_QUOTE:
                        if (c == '"')
                                state = PRE_VALUE;
                        else if (c == '\\')
                                state = DOUBLE_QUOTE_ESCAPE;
                        else
                                r = buffer_append(&e.value, &c, 1);
                        break;
                case DOUBLE_QUOTE_ESCAPE:
                        state = DOUBLE_QUOTE;
                        if (strchr(SHELL_NEED_ESCAPE, c))
                                r = buffer_append(&e.value, &c, 1);
                        else if (c != '\n') { /* other escapes keep their backslash, as in sh */
                                char two[2] = { '\\', c };
                                r = buffer_append(&e.value, two, 2);
                        }
                        break;
                case COMMENT:
                        if (c == '\\')
                                state = COMMENT_ESCAPE;
                        else if (strchr(NEWLINE, c))
                                state = PRE_KEY;
                        break;
                case COMMENT_ESCAPE:
                        state = COMMENT;
                        break;
                }
        }

        if (r >= 0 && state >= PRE_VALUE && state <= DOUBLE_QUOTE_ESCAPE) {
                if (state == VALUE)
                        strip_trailing(&e.value, e.value_ws);
                r = env_push(&e);
        }
        free(e.key.data);
        free(e.value.data);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(env);
        return 0;
}

/* systemd's READ_FULL_BYTES_MAX: read_full_stream() fails larger files (/dev/zero). */
#define ENV_FILE_MAX (64U * 1024U * 1024U - 1U)

int env_file_load(const char *path, char ***ret) {
        /* O_NONBLOCK: a FIFO must not block the generator for ever. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        _cleanup_fclose_ FILE *f = NULL;
        struct stat st;
        Buffer b = {};
        char chunk[65536];
        size_t n;
        int r = 0;

        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
                return -EBADFD;
        f = fdopen(fd, "re");
        if (!f)
                return -errno;
        fd = -1; /* owned by f now */
        while (r >= 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
                r = b.len + n > ENV_FILE_MAX ? -E2BIG : buffer_append(&b, chunk, n);
        if (r >= 0 && ferror(f))
                r = errno > 0 ? -errno : -EIO;
        if (r >= 0)
                r = env_file_parse(b.data ? b.data : "", b.len, ret);
        free(b.data);
        return r;
}

typedef struct EnvContext {
        const UnitText *u;
        const Specifiers *sp;
        char **ret_error;
} EnvContext;

static int set_error(char **ret_error, int r, const char *what, const char *arg) {
        if (ret_error) {
                free(*ret_error);
                if (asprintf(ret_error, "%s%s", what, arg) < 0)
                        *ret_error = NULL;
        }
        return r;
}

/* Expands specifiers in one word: 1 with *ret, 0 when systemd skips the word, -EBADMSG when only
 * systemd could know the value. */
static int expand_word(EnvContext *c, const char *word, size_t max, char **ret) {
        _cleanup_free_ char *error = NULL;
        bool systemd_fails = false;
        int r = specifier_expand_full(word, c->sp, max, ret, &error, &systemd_fails);

        if (r == -EBADMSG && systemd_fails) {
                log_debug("Ignoring \"%s\" as systemd does: %s", word, error ? error : "");
                return 0;
        }
        if (r == -EBADMSG)
                return set_error(c->ret_error, r, error ? error : "specifier cannot be resolved", "");
        return r < 0 ? r : 1;
}

/* The words of every value of key, after the last empty assignment; a value whose quoting is
 * broken contributes the words before the break (systemd warns and stops there). */
static int for_each_word(EnvContext *c, const char *key, ExtractFlags flags, const char *separators,
                         int (*fn)(EnvContext *c, const char *word, void *userdata), void *userdata) {
        _cleanup_strv_free_ char **values = NULL;
        int r = unit_text_get_list(c->u, "Service", key, &values);
        if (r < 0)
                return r;
        STRV_FOREACH(v, values)
                for (const char *p = *v;;) {
                        _cleanup_free_ char *word = NULL;
                        r = extract_first_word(&p, &word, separators, flags);
                        if (r == -ENOMEM)
                                return r;
                        if (r <= 0)
                                break;
                        r = fn(c, word, userdata);
                        if (r < 0)
                                return r;
                        if (r == 0 && (flags & EXTRACT_DONT_COALESCE_SEPARATORS))
                                break; /* ExecSearchPath=: systemd drops the rest of the value */
                }
        return 0;
}

static int add_environment_word(EnvContext *c, const char *word, void *userdata) {
        char ***env = userdata, *resolved;
        int r = expand_word(c, word, arg_max(), &resolved);
        if (r <= 0)
                return r;
        if (!env_assignment_is_valid(resolved)) {
                log_debug("Ignoring invalid environment assignment \"%s\", as systemd does.", resolved);
                free(resolved);
                return 1;
        }
        return env_replace(env, resolved);
}

static bool path_is_normalized_absolute(const char *p) {
        if (p[0] != '/' || strlen(p) >= PATH_MAX || strstr(p, "//") || strstr(p, "/./") || endswith(p, "/.") ||
            strstr(p, "/../") || endswith(p, "/.."))
                return false;
        return true;
}

/* systemd's path_simplify(), for the absolute paths checked above. */
static void simplify_absolute(char *p) {
        char *w = p;
        for (const char *c = p; *c; c++) {
                if (*c == '/' && w > p && w[-1] == '/')
                        continue;
                if (*c == '/' && c[1] == '.' && (c[2] == '/' || c[2] == 0)) {
                        c++;
                        continue;
                }
                *w++ = *c;
        }
        while (w > p + 1 && w[-1] == '/')
                w--;
        if (w == p && p[0] == '/')
                w++; /* "/." is "/" */
        *w = 0;
}

/* One EnvironmentFile= value: systemd resolves specifiers in the whole value and checks the
 * path (without a "-") is absolute and normalised, else ignores the line. */
static int environment_file_entry(EnvContext *c, const char *value, char **ret) {
        char *n;
        int r = expand_word(c, value, PATH_MAX, &n);
        if (r <= 0)
                return r;
        char *path = n[0] == '-' ? n + 1 : n;
        simplify_absolute(path);
        if (!utf8_is_valid(path) || !path_is_normalized_absolute(path)) {
                log_debug("Ignoring EnvironmentFile=%s: not an absolute normalised path, as systemd does.", n);
                free(n);
                return 0;
        }
        *ret = n;
        return 1;
}

static int load_environment_glob(EnvContext *c, const char *pattern, bool ignore, char ***files_env) {
        glob_t g = {};
        int r = glob(pattern, 0, NULL, &g);

        if (r != 0) {
                globfree(&g);
                if (ignore)
                        return 0;
                return set_error(c->ret_error, r == GLOB_NOMATCH ? -ENOENT : -EIO,
                                 "EnvironmentFile= not found: ", pattern);
        }
        for (size_t i = 0; i < g.gl_pathc; i++) {
                _cleanup_strv_free_ char **vars = NULL;
                r = env_file_load(g.gl_pathv[i], &vars);
                if (r < 0 && !ignore) {
                        set_error(c->ret_error, r, "EnvironmentFile= cannot be read: ", g.gl_pathv[i]);
                        break;
                }
                r = 0;
                STRV_FOREACH(v, vars)
                        if ((r = env_replace(files_env, strdup(*v))) < 0)
                                break;
                if (r < 0)
                        break;
        }
        globfree(&g);
        return r < 0 ? r : 0;
}

static int load_environment_files(EnvContext *c, char ***files_env) {
        _cleanup_strv_free_ char **values = NULL;
        int r = unit_text_get_list(c->u, "Service", "EnvironmentFile", &values);
        if (r < 0)
                return r;
        STRV_FOREACH(v, values) {
                _cleanup_free_ char *entry = NULL;
                r = environment_file_entry(c, *v, &entry);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                bool ignore = entry[0] == '-';
                r = load_environment_glob(c, entry + ignore, ignore, files_env);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_unset_word(EnvContext *c, const char *word, void *userdata) {
        char ***unset = userdata, *k;
        int r = expand_word(c, word, arg_max(), &k);
        if (r <= 0)
                return r;
        if (!env_assignment_is_valid(k) && !env_name_is_valid(k)) {
                free(k);
                return 1;
        }
        return strv_consume(unset, k);
}

/* systemd's env_match(): "A" matches any A=..., "A=b" only exactly A=b. */
static bool env_matches(const char *entry, const char *pattern) {
        if (streq(entry, pattern))
                return true;
        if (strchr(pattern, '='))
                return false;
        size_t l = strlen(pattern);
        return strncmp(entry, pattern, l) == 0 && entry[l] == '=';
}

static void apply_unset(char **env, char * const *unset) {
        char **w = env;
        for (char **e = env; e && *e; e++) {
                bool drop = false;
                STRV_FOREACH(u, unset)
                        drop = drop || env_matches(*e, *u);
                if (drop)
                        free(*e);
                else
                        *w++ = *e;
        }
        if (w)
                *w = NULL;
}

static int merge_into(char ***env, char * const *from) {
        STRV_FOREACH(f, from) {
                if (!env_assignment_is_valid(*f)) {
                        log_debug("Ignoring invalid environment assignment \"%s\", as systemd does.", *f);
                        continue;
                }
                int r = env_replace(env, strdup(*f));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int search_path_word(EnvContext *c, const char *word, void *userdata) {
        char ***l = userdata, *k;
        int r = expand_word(c, word, PATH_MAX - 1, &k);
        if (r <= 0)
                return r;
        simplify_absolute(k);
        if (!utf8_is_valid(k) || !path_is_normalized_absolute(k)) {
                free(k);
                return 0; /* systemd ignores this entry and the rest of the value */
        }
        r = strv_consume(l, k);
        return r < 0 ? r : 1;
}

static int parse_exec_search_path(EnvContext *c, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        int r = for_each_word(c, "ExecSearchPath", EXTRACT_DONT_COALESCE_SEPARATORS, ":", search_path_word, &l);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

int unit_environment(const UnitText *u, const Specifiers *sp, char ***ret_env, char **ret_error) {
        _cleanup_strv_free_ char **env = NULL, **context_env = calloc(1, sizeof(char *)),
                                 **files_env = calloc(1, sizeof(char *)), **unset = calloc(1, sizeof(char *)),
                                 **search = NULL;
        EnvContext c = { .u = u, .sp = sp, .ret_error = ret_error };
        int r;

        if (!context_env || !files_env || !unset)
                return -ENOMEM;
        r = strv_env_set(&env, "PATH", SYSTEMD_DEFAULT_PATH);
        if (r < 0)
                return r;

        /* As exec_child(): ExecSearchPath= sets PATH, then Environment=, then EnvironmentFile=. */
        r = parse_exec_search_path(&c, &search);
        if (r < 0)
                return r;
        if (search[0]) {
                _cleanup_free_ char *joined = strv_join(search, ":");
                if (!joined)
                        return -ENOMEM;
                r = strv_env_set(&env, "PATH", joined);
                if (r < 0)
                        return r;
        }

        r = for_each_word(&c, "Environment", EXTRACT_CUNESCAPE | EXTRACT_UNQUOTE, NULL, add_environment_word,
                          &context_env);
        if (r >= 0)
                r = load_environment_files(&c, &files_env);
        if (r >= 0)
                r = merge_into(&env, context_env);
        if (r >= 0)
                r = merge_into(&env, files_env);
        if (r >= 0)
                r = for_each_word(&c, "UnsetEnvironment", EXTRACT_CUNESCAPE | EXTRACT_UNQUOTE, NULL,
                                  add_unset_word, &unset);
        if (r < 0)
                return r;
        apply_unset(env, unset);

        *ret_env = TAKE_PTR(env);
        return 0;
}

int unit_exec_search_path(const UnitText *u, const Specifiers *sp, char * const *env, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        EnvContext c = { .u = u, .sp = sp };

        int r = parse_exec_search_path(&c, &l);
        if (r < 0)
                return r;
        if (!l[0]) {
                strv_free(l);
                r = strv_split(SYSTEMD_DEFAULT_PATH, ":", &l);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}
