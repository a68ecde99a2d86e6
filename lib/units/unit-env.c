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

#include "env-file.h"
#include "env-util.h"
#include "extract-word.h"
#include "log.h"
#include "macro.h"
#include "string-util.h"
#include "strv.h"

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
        int r = expand_word(c, word, env_arg_max(), &resolved);
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
        int r = expand_word(c, word, env_arg_max(), &k);
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
