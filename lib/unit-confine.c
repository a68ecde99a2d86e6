/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "unit-confine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dropin.h"
#include "exec-command.h"
#include "harden.h"
#include "log.h"
#include "memstream.h"
#include "path-util.h"
#include "profiles.h"
#include "strv.h"
#include "unit-env.h"

static const char *const exec_keys[] = {
        "ExecCondition", "ExecStartPre", "ExecStart", "ExecStartPost",
        "ExecReload",    "ExecStop",     "ExecStopPost",
};

/* Settings that the mode turns on or off, unless the unit says otherwise. */
static const char *const mode_defaults[] = {
        "PrivateMounts",        "MountAPIVFS",          "PrivateDevices",        "PrivateTmp",
        "ProtectControlGroups", "ProtectKernelModules", "ProtectKernelTunables",
};

static int fail(UnitConfinement *uc, int r, const char *slug, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(UnitConfinement *uc, int r, const char *slug, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        r = closure_failv(&uc->closure, r, slug, fmt, ap);
        va_end(ap);
        return r;
}

/* Another root for the service cannot be combined with ours. */
static int check_conflicts(UnitConfinement *uc) {
        static const char *const keys[] = { "RootDirectory", "RootImage", "RootDirectoryStartOnly" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const UnitSetting *s = unit_text_get_setting(uc->text, "Service", keys[i]);
                if (!s || isempty(s->value))
                        continue;
                if (streq(keys[i], "RootDirectoryStartOnly") && parse_boolean(s->value) <= 0)
                        continue;
                return fail(uc, -EINVAL, "conflicting-setting", "%s=%s in %s conflicts with confinement",
                            s->key, s->value, s->file);
        }
        return 0;
}

static int resolve_executable(UnitConfinement *uc, const ExecCommand *cmd, char * const *search, char **ret) {
        if (cmd->path[0] == '/') {
                *ret = strdup(cmd->path);
                return *ret ? 0 : -ENOMEM;
        }
        *ret = closure_find_in_path(search, cmd->path);
        return *ret ? 0 : -ENOENT;
}

/* Inside the root the kernel records the path it executed: a program reached
 * through a symlink would take $ORIGIN (and /proc/self/exe) from the link's
 * place, unlike outside. Such a command is re-emitted to execute the real path. */
static int needs_real_path(const char *exe, char **ret_real) {
        _cleanup_free_ char *real = realpath(exe, NULL), *normalized = path_normalize(exe);
        *ret_real = NULL;
        if (!real || !normalized)
                return errno == ENOMEM ? -ENOMEM : 0;
        if (streq(real, normalized) || loader_program_uses_origin(real) <= 0)
                return 0;
        *ret_real = TAKE_PTR(real);
        return 1;
}

/* Without /proc (chroot-only; "+" commands get no API file systems) glibc takes
 * the program's $ORIGIN from LD_ORIGIN_PATH: one value must serve them all. */
static int note_origin_without_proc(UnitConfinement *uc, const char *key, const ExecCommand *cmd, const char *exe) {
        const char *pso = unit_text_get(uc->text, "Service", "PermissionsStartOnly");
        bool no_proc = uc->config.mode == CONFINEMENT_CHROOT_ONLY || (cmd->flags & EXEC_PRIVILEGED) ||
                       (pso && parse_boolean(pso) > 0 && !streq(key, "ExecStart"));
        _cleanup_free_ char *real = realpath(exe, NULL), *dir = NULL;
        if (!no_proc || !real || loader_program_uses_origin(real) <= 0)
                return 0;
        dir = path_dirname(real);
        if (!dir)
                return -ENOMEM;
        if (uc->origin_path && !streq(uc->origin_path, dir))
                return fail(uc, -EINVAL, "origin-without-proc",
                            "%s and %s both need $ORIGIN where there is no /proc; LD_ORIGIN_PATH cannot serve both",
                            uc->origin_path, dir);
        free(uc->origin_path);
        uc->origin_path = TAKE_PTR(dir);
        return 0;
}

static int add_command_roots(UnitConfinement *uc, const char *key, const ExecCommand *cmd, char * const *search,
                             char **ret_real) {
        _cleanup_free_ char *exe = NULL, *reason = NULL;
        struct stat st;
        *ret_real = NULL;
        int r = resolve_executable(uc, cmd, search, &exe);
        if (r == -ENOMEM)
                return r;
        if ((r < 0 || stat(exe, &st) < 0) && (cmd->flags & EXEC_IGNORE_FAILURE)) {
                log_debug("%s: %s=-%s does not exist; systemd ignores its failure, so it is no root",
                          uc->info->name, key, cmd->path);
                return 0;
        }
        if (r < 0)
                return fail(uc, r, "missing-executable", "%s=%s: not found in the executable search path",
                            key, cmd->path);
        if (asprintf(&reason, "%s= of %s", key, uc->info->name) < 0)
                return -ENOMEM;
        r = closure_add_program(&uc->closure, exe, reason);
        if (r < 0)
                return r;
        r = needs_real_path(exe, ret_real);
        if (r > 0)
                r = closure_add_program(&uc->closure, *ret_real, "the real path a symlinked command is run from");
        if (r >= 0)
                r = note_origin_without_proc(uc, key, cmd, exe);
        if (r < 0)
                return r;
        STRV_FOREACH(arg, cmd->argv + 1 /* argv[0] is the name, not a file */) {
                _cleanup_free_ char *why = NULL;
                if (asprintf(&why, "argument of %s= of %s", key, uc->info->name) < 0)
                        return -ENOMEM;
                r = closure_add_store_references(&uc->closure, *arg, strlen(*arg), why);
                if (r >= 0 && (*arg)[0] == '/')
                        r = closure_add_argument(&uc->closure, *arg, why);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* "Exec*=[prefixes]PATH ARGS" becomes "[prefixes]@REAL PATH ARGS": argv[0] stays
 * what the unit said, the kernel executes the real file. */
static int value_with_real_path(const char *value, const char *real, char **ret) {
        const char *p = value + strspn(value, " \t");
        size_t n_prefix = strspn(p, "-@:+!");
        bool has_argv0 = memchr(p, '@', n_prefix);
        const char *rest = p + n_prefix;
        _cleanup_free_ char *word = NULL, *quoted = malloc(strlen(real) * 2 + 3);
        char *w = quoted;

        if (!quoted)
                return -ENOMEM;
        if (has_argv0 && extract_first_word_relaxed(&rest, &word, NULL, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE) <= 0)
                return -EINVAL;
        *w++ = '"';
        for (const char *c = real; *c; c++) {
                if (*c == '%')
                        *w++ = '%';
                else if (*c == '"' || *c == '\\')
                        *w++ = '\\';
                *w++ = *c;
        }
        *w++ = '"';
        *w = 0;
        if (asprintf(ret, "%.*s%s%s%s%s", (int) n_prefix, p, has_argv0 ? "" : "@", quoted,
                     has_argv0 ? "" : " ", rest) < 0)
                return -ENOMEM;
        return 0;
}

static int add_exec_value(UnitConfinement *uc, const char *key, const char *value, const Specifiers *sp,
                          char * const *env, char * const *search, char **ret_value) {
        ExecCommand *cmds = NULL;
        size_t n = 0;
        _cleanup_free_ char *error = NULL, *real = NULL;
        int r = exec_command_parse(value, sp, env, &cmds, &n, &error);
        if (r < 0) {
                exec_command_free_many(cmds, n);
                return fail(uc, r, "bad-command", "%s=%s: %s", key, value, error ?: strerror(-r));
        }
        *ret_value = NULL;
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *r_i = NULL;
                r = add_command_roots(uc, key, &cmds[i], search, &r_i);
                if (r >= 0 && r_i && n > 1)
                        r = fail(uc, -EINVAL, "origin-via-symlink",
                                 "%s=%s: %s runs through a symlink and needs $ORIGIN; cannot run its real path "
                                 "within a ';' chain", key, value, cmds[i].path);
                if (r >= 0 && r_i)
                        real = TAKE_PTR(r_i);
        }
        exec_command_free_many(cmds, n);
        if (r >= 0 && real)
                r = value_with_real_path(value, real, ret_value);
        return r;
}

static int add_exec_roots(UnitConfinement *uc, const Specifiers *sp, char * const *env) {
        _cleanup_strv_free_ char **search = NULL;
        int r = unit_exec_search_path(uc->text, sp, env, &search);
        if (r < 0)
                return fail(uc, r, "bad-setting", "ExecSearchPath= cannot be resolved");

        for (size_t k = 0; k < ELEMENTSOF(exec_keys); k++) {
                _cleanup_strv_free_ char **values = NULL, **emitted = NULL;
                bool rewritten = false;
                r = unit_text_get_list(uc->text, "Service", exec_keys[k], &values);
                if (r < 0)
                        return r;
                STRV_FOREACH(v, values) {
                        _cleanup_free_ char *new_value = NULL;
                        r = add_exec_value(uc, exec_keys[k], *v, sp, env, search, &new_value);
                        if (r < 0)
                                return r;
                        rewritten = rewritten || new_value;
                        if (strv_consume(&emitted, asprintf_safe("%s=%s", exec_keys[k], new_value ?: *v)) < 0)
                                return -ENOMEM;
                }
                if (!rewritten)
                        continue;
                if (strv_consume(&uc->exec_lines, asprintf_safe("%s=", exec_keys[k])) < 0 ||
                    strv_extend_strv(&uc->exec_lines, emitted) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int add_bin_sh(UnitConfinement *uc) {
        char real[PATH_MAX];
        const char *sh = uc->config.bin_sh;
        if (!sh)
                return 0;
        if (!realpath(sh, real))
                return closure_fail(&uc->closure, -errno, "missing-file", "BinSh=%s: %m", sh);
        /* Bound first, so that /bin/sh inside is BinSh= even if a command names /bin/sh. */
        int r = path_set_add(uc->closure.binds, "/bin/sh", real, "BinSh=");
        if (r < 0)
                return r;
        return closure_add_program(&uc->closure, sh, "BinSh=");
}

static int add_config_roots(UnitConfinement *uc) {
        uc->closure.dlopen_recommended = uc->config.dlopen_recommended;
        int r = add_bin_sh(uc);
        if (r < 0)
                return r;
        STRV_FOREACH(p, uc->config.packages) {
                r = closure_add_package(&uc->closure, *p, "Packages=");
                if (r < 0)
                        return r;
        }
        return profiles_add(&uc->closure, uc->config.profiles, uc->env);
}

/* FullUnit=yes: files named by the unit's environment are roots too (never
 * directories: WorkingDirectory=/ must not bind /). */
static int add_environment_files(UnitConfinement *uc, char * const *env) {
        STRV_FOREACH(e, env) {
                const char *value = strchr(*e, '=');
                _cleanup_strv_free_ char **words = NULL;
                if (!value || strv_split(value + 1, ": \t", &words) < 0)
                        continue;
                STRV_FOREACH(w, words) {
                        struct stat st;
                        if ((*w)[0] != '/' || stat(*w, &st) < 0 || !S_ISREG(st.st_mode))
                                continue;
                        int r = closure_add_argument(&uc->closure, *w, "FullUnit=: named in the environment");
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* FullUnit=yes: store references anywhere in the unit's files, as NixOS's
 * fullUnit takes the closure of the whole unit. */
static int add_unit_text_references(UnitConfinement *uc) {
        const char *files[strv_length(uc->info->dropins) + 1];
        size_t n = 0;
        if (uc->info->fragment)
                files[n++] = uc->info->fragment;
        STRV_FOREACH(d, uc->info->dropins)
                files[n++] = *d;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *text = NULL, *reason = NULL;
                size_t size = 0;
                struct stat st;
                /* O_NONBLOCK and regular files only, as load_text() reads them:
                 * a FIFO would block the generator for ever. */
                _cleanup_close_ int fd = open(files[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (fd < 0 || fstat(fd, &st) < 0)
                        return fail(uc, -errno, "unreadable-unit", "%s: %m", files[i]);
                if (!S_ISREG(st.st_mode))
                        continue; /* systemd does not read it either */
                _cleanup_fclose_ FILE *f = fdopen(fd, "re");
                if (!f)
                        return fail(uc, -errno, "unreadable-unit", "%s: %m", files[i]);
                fd = -1; /* owned by f now */
                if (getdelim(&text, &size, 0, f) < 0 && ferror(f))
                        return fail(uc, -EIO, "unreadable-unit", "%s: read error", files[i]);
                if (asprintf(&reason, "FullUnit=: named in %s", files[i]) < 0)
                        return -ENOMEM;
                int r = closure_add_store_references(&uc->closure, text ?: "", text ? strlen(text) : 0, reason);
                if (r < 0)
                        return r;
        }
        return 0;
}

int unit_confine(UnitConfinement *uc, const UnitInfo *info, const UnitText *text, const ConfineContext *ctx) {
        _cleanup_free_ char *error = NULL;
        Specifiers sp = { .name = info->name, .fragment = info->fragment };
        int r;

        *uc = (UnitConfinement) { .info = info, .text = text };
        r = confinement_config_parse(text, &uc->config, &error);
        if (r < 0)
                return fail(uc, r, "bad-setting", "%s", error ?: strerror(-r));
        if (!uc->config.enable)
                return 0;
        r = check_conflicts(uc);
        if (r < 0)
                return r;
        r = unit_environment(text, &sp, &uc->env, &error);
        if (r < 0)
                return fail(uc, r, "bad-environment", "%s", error ?: strerror(-r));
        char **env = uc->env;
        r = closure_init(&uc->closure, env, ctx->pending);
        if (r < 0)
                return r;
        uc->closure.store = ctx->store;
        uc->closure.loader.run_cache = ctx->loader_cache;

        log_debug("%s: computing the closure (mode %s)", info->name, confinement_mode_to_string(uc->config.mode));
        r = add_config_roots(uc);
        if (r >= 0)
                r = add_exec_roots(uc, &sp, env);
        if (r >= 0 && uc->config.full_unit)
                r = add_environment_files(uc, env);
        if (r >= 0 && uc->config.full_unit)
                r = add_unit_text_references(uc);
        if (r < 0 && !uc->closure.error)
                return fail(uc, r, "internal-error", "closure failed: %s", strerror(-r));
        return r;
}

void unit_confine_done(UnitConfinement *uc) {
        if (!uc->info)
                return; /* never set up */
        uc->exec_lines = strv_free(uc->exec_lines);
        uc->env = strv_free(uc->env);
        uc->origin_path = (free(uc->origin_path), NULL);
        confinement_config_done(&uc->config);
        closure_done(&uc->closure);
}

static bool runs_unprivileged(const UnitText *t) {
        const char *dyn = unit_text_get(t, "Service", "DynamicUser");
        const char *user = unit_text_get(t, "Service", "User");
        if (dyn && parse_boolean(dyn) > 0)
                return true;
        return !isempty(user) && !streq(user, "root") && !streq(user, "0");
}

static bool grants_capabilities(const UnitText *t) {
        _cleanup_strv_free_ char **caps = NULL;
        if (unit_text_get_list(t, "Service", "AmbientCapabilities", &caps) < 0)
                return true; /* cannot tell: do not risk breaking the service */
        STRV_FOREACH(c, caps)
                if (!isempty(*c))
                        return true;
        return false;
}

/* PrivateUsers=yes only where it cannot break the service: a root daemon that
 * binds a low port or switches to its own user fails in a user namespace. */
static bool private_users_is_safe(const UnitConfinement *uc) {
        return uc->config.mode == CONFINEMENT_FULL_APIVFS && runs_unprivileged(uc->text) &&
               !grants_capabilities(uc->text);
}

static void write_mode_defaults(FILE *f, const UnitConfinement *uc) {
        const char *on = uc->config.mode == CONFINEMENT_FULL_APIVFS ? "yes" : "no";
        for (size_t i = 0; i < ELEMENTSOF(mode_defaults); i++)
                if (!unit_text_get(uc->text, "Service", mode_defaults[i]))
                        fprintf(f, "%s=%s\n", mode_defaults[i], on);
        if (!unit_text_get(uc->text, "Service", "PrivateUsers") && private_users_is_safe(uc))
                fputs("PrivateUsers=yes\n", f);
}

/* ProtectSystem=yes/full remount /usr (and /etc) read-only, which fails when
 * the root has no /etc or /usr (226/NAMESPACE on 252). Inside the root every
 * host path is a read-only bind already; strict gives at least the same
 * protection, keeps the unit's writable binds writable, and needs no path. */
static void write_protect_system(FILE *f, const UnitConfinement *uc) {
        const char *v = unit_text_get(uc->text, "Service", "ProtectSystem");
        if (!v || !(streq(v, "full") || parse_boolean(v) > 0))
                return;
        fprintf(f, "# ProtectSystem=%s: strict gives the same protection inside the root.\n"
                   "ProtectSystem=strict\n", v);
}

/* The unit's own dirs under /run that systemd binds from the host into the
 * root: its RuntimeDirectory= entries, and BindPaths=/ReadWritePaths= of /run. */
static int host_run_dirs(const UnitConfinement *uc, const Specifiers *sp, char ***ret) {
        static const char *const keys[] = { "RuntimeDirectory", "BindPaths", "ReadWritePaths" };
        _cleanup_strv_free_ char **dirs = NULL;
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                _cleanup_strv_free_ char **values = NULL;
                int r = unit_text_get_list(uc->text, "Service", keys[k], &values);
                if (r < 0)
                        return r;
                STRV_FOREACH(v, values)
                        for (const char *p = *v;;) {
                                _cleanup_free_ char *word = NULL, *expanded = NULL, *error = NULL, *path = NULL;
                                if (extract_first_word(&p, &word, NULL, EXTRACT_UNQUOTE) <= 0)
                                        break;
                                const char *w = word + strspn(word, "-+");
                                w = strndupa(w, strcspn(w, ":")); /* BindPaths=SRC:DST: only SRC=DST counts below */
                                if (specifier_expand(w, sp, &expanded, &error) < 0)
                                        continue;
                                path = streq(keys[k], "RuntimeDirectory") ? path_join_normalize("/run", expanded)
                                                                          : path_normalize(expanded);
                                if (path && (path_startswith_dir(path, "/run") || path_startswith_dir(path, "/var/run")) &&
                                    strv_consume(&dirs, TAKE_PTR(path)) < 0)
                                        return -ENOMEM;
                        }
        }
        *ret = TAKE_PTR(dirs);
        return 0;
}

/* PID 1 reads PIDFile= on the host. A PID file in the service's private /run
 * is CONFINEMENT_RUN on the host; one in a dir the unit binds from the host
 * (its RuntimeDirectory=, a BindPaths= of /run/x) is the host's file itself. */
static int write_pid_file(FILE *f, const UnitConfinement *uc, const Specifiers *sp) {
        const char *v = unit_text_get(uc->text, "Service", "PIDFile");
        _cleanup_free_ char *expanded = NULL, *error = NULL, *path = NULL, *escaped = NULL;
        _cleanup_strv_free_ char **host_dirs = NULL;
        if (isempty(v))
                return 0;
        int r = specifier_expand(v, sp, &expanded, &error);
        if (r < 0)
                return fail((UnitConfinement *) uc, r, "bad-setting", "PIDFile=%s: %s", v, error ?: strerror(-r));
        path = expanded[0] == '/' ? path_normalize(expanded) : path_join_normalize("/run", expanded);
        if (!path)
                return -ENOMEM;
        const char *rest = NULL;
        if (path_startswith_dir(path, "/run"))
                rest = path + strlen("/run");
        else if (path_startswith_dir(path, "/var/run"))
                rest = path + strlen("/var/run");
        if (!rest)
                return 0;
        r = host_run_dirs(uc, sp, &host_dirs);
        if (r < 0)
                return r;
        STRV_FOREACH(d, host_dirs) {
                const char *d_rest = startswith(*d, "/var/run") ?: startswith(*d, "/run");
                _cleanup_free_ char *in_run = asprintf_safe("/run%s", d_rest ?: "");
                if (in_run && path_startswith_dir(path_startswith_dir(path, "/var/run") ? path + 4 : path, in_run))
                        return 0; /* the same file on the host */
        }
        escaped = unit_escape_text(rest);
        if (!escaped)
                return -ENOMEM;
        fprintf(f, "PIDFile=%s%s\n", CONFINEMENT_RUN, escaped);
        return 0;
}

/* /var/run is a link to /run on the host and daemons use both spellings; in the
 * root both are binds of the private /run, so a dir the unit binds from the host
 * under one spelling (RuntimeDirectory=redis, BindPaths=/run/postgresql) is
 * bound at the other one too. */
static int write_var_run_mirrors(FILE *f, const UnitConfinement *uc, const Specifiers *sp) {
        _cleanup_strv_free_ char **dirs = NULL, **done = NULL;
        int r = host_run_dirs(uc, sp, &dirs);
        if (r < 0)
                return r;
        STRV_FOREACH(d, dirs) {
                bool var = path_startswith_dir(*d, "/var/run");
                const char *rest = *d + strlen(var ? "/var/run" : "/run");
                if (isempty(rest) || strv_contains(done, rest))
                        continue;
                _cleanup_free_ char *src = asprintf_safe("/run%s", rest), *esc_src = NULL, *esc_dst = NULL;
                _cleanup_free_ char *dst = asprintf_safe("%s%s", var ? "/run" : "/var/run", rest);
                if (!src || !dst || !(esc_src = unit_escape_path(src)) || !(esc_dst = unit_escape_path(dst)))
                        return -ENOMEM;
                fprintf(f, "BindPaths=-%s:%s\n", esc_src, esc_dst);
                if (strv_extend(&done, rest) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* On 252 ReadWritePaths= are resolved inside the root, where nothing from the
 * host is writable: each becomes a writable bind of the host path. */
static int write_writable_paths(FILE *f, const UnitConfinement *uc, const Specifiers *sp) {
        static const char *const keys[] = { "ReadWritePaths", "ReadWriteDirectories" };
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                _cleanup_strv_free_ char **values = NULL;
                int r = unit_text_get_list(uc->text, "Service", keys[k], &values);
                if (r < 0)
                        return r;
                STRV_FOREACH(v, values) {
                        for (const char *p = *v;;) {
                                _cleanup_free_ char *word = NULL, *expanded = NULL, *error = NULL, *esc = NULL;
                                r = extract_first_word(&p, &word, NULL, EXTRACT_UNQUOTE);
                                if (r <= 0)
                                        break;
                                const char *w = word;
                                bool optional = w[0] == '-';
                                w += optional;
                                if (w[0] == '+') /* relative to the root already */
                                        continue;
                                r = specifier_expand(w, sp, &expanded, &error);
                                if (r < 0)
                                        return fail((UnitConfinement *) uc, r, "bad-setting", "%s=%s: %s",
                                                    keys[k], *v, error ?: strerror(-r));
                                esc = unit_escape_path(expanded);
                                if (!esc)
                                        return -ENOMEM;
                                fprintf(f, "BindPaths=%s%s\n", optional ? "-" : "", esc);
                        }
                }
        }
        return 0;
}

static int write_binds(FILE *f, UnitConfinement *uc) {
        const PathEntry **sorted = path_set_sorted(uc->closure.binds);
        if (!sorted)
                return -ENOMEM;
        for (const PathEntry **e = sorted; *e; e++) {
                _cleanup_free_ char *src = unit_escape_path((*e)->source), *dst = NULL;
                if (!src)
                        return fail(uc, -EINVAL, "bad-path", "%s: a path a unit file cannot hold", (*e)->source);
                if (streq((*e)->source, (*e)->dest)) {
                        fprintf(f, "BindReadOnlyPaths=%s\n", src);
                        continue;
                }
                dst = unit_escape_path((*e)->dest);
                if (!dst)
                        return fail(uc, -EINVAL, "bad-path", "%s: a path a unit file cannot hold", (*e)->dest);
                fprintf(f, "BindReadOnlyPaths=%s:%s\n", src, dst);
        }
        return 0;
}

/* RequiresMountsFor= the directories of everything bound, so the unit is
 * ordered after whatever mounts hold them. */
static int write_mount_dependencies(FILE *f, UnitConfinement *uc) {
        _cleanup_strv_free_ char **dirs = NULL;
        const PathEntry **sorted = path_set_sorted(uc->closure.binds);
        if (!sorted)
                return -ENOMEM;
        for (const PathEntry **e = sorted; *e; e++) {
                _cleanup_free_ char *d = path_dirname((*e)->source);
                if (!d)
                        return -ENOMEM;
                if (!strv_contains(dirs, d) && strv_consume(&dirs, TAKE_PTR(d)) < 0)
                        return -ENOMEM;
        }
        strv_sort(dirs);
        STRV_FOREACH(d, dirs) {
                _cleanup_free_ char *esc = unit_escape_path(*d);
                if (!esc)
                        return fail(uc, -EINVAL, "bad-path", "%s: a path a unit file cannot hold", *d);
                fprintf(f, "RequiresMountsFor=%s\n", esc);
        }
        return 0;
}

static int write_dropin(FILE *f, void *userdata) {
        UnitConfinement *uc = userdata;
        Specifiers sp = { .name = uc->info->name, .fragment = uc->info->fragment };
        int r;

        fprintf(f,
                "# Written by systemd-confinement-generator for %s (Mode=%s):\n"
                "# an empty root with only the service's closure bound read-only.\n"
                "[Unit]\n",
                uc->info->name, confinement_mode_to_string(uc->config.mode));
        r = write_mount_dependencies(f, uc);
        if (r < 0)
                return r;
        fputs("\n[Service]\n"
              /* A root that systemd makes for each start and removes after:
               * never shared, never inside the generator dir (gone on reload). */
              "RuntimeDirectory=" CONFINEMENT_RUNTIME_DIR "/root " CONFINEMENT_RUNTIME_DIR "/run\n"
              "RootDirectory=" CONFINEMENT_ROOT "\n"
              "TemporaryFileSystem=/\n"
              /* One /run for the whole start, ExecStartPre= to ExecStopPost=,
               * also reached as /var/run, as on the host. */
              "BindPaths=" CONFINEMENT_RUN ":/run " CONFINEMENT_RUN ":/var/run\n"
              /* syslog(3) and sd_journal: 252 binds no journal socket itself. */
              "BindReadOnlyPaths=-/run/systemd/journal/socket -/run/systemd/journal/stdout "
              "-/run/systemd/journal/dev-log\n",
              f);
        write_mode_defaults(f, uc);
        write_protect_system(f, uc);
        if (uc->origin_path && !strv_env_get(uc->env, "LD_ORIGIN_PATH")) {
                _cleanup_free_ char *esc = unit_escape_text(uc->origin_path);
                if (!esc)
                        return -ENOMEM;
                fprintf(f, "Environment=\"LD_ORIGIN_PATH=%s\"\n", esc);
        }
        STRV_FOREACH(l, uc->exec_lines)
                fprintf(f, "%s\n", *l);
        r = write_pid_file(f, uc, &sp);
        if (r >= 0)
                r = write_writable_paths(f, uc, &sp);
        if (r >= 0)
                r = write_var_run_mirrors(f, uc, &sp);
        if (r >= 0)
                r = write_binds(f, uc);
        r = r < 0 ? r : harden_write(f, uc);
        return r;
}

int unit_confine_dropin_text(UnitConfinement *uc, char **ret) {
        return memstream_collect(write_dropin, uc, ret);
}
