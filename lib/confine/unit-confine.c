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

#include "exec-command.h"
#include "extract-word.h"
#include "log.h"
#include "path-util.h"
#include "profiles.h"
#include "read-file.h"
#include "string-util.h"
#include "strv.h"
#include "unit-env.h"

static int fail(UnitConfinement *uc, int r, const char *slug, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(UnitConfinement *uc, int r, const char *slug, const char *fmt, ...) {
        /* A failure before the closure exists (the unit's settings, its environment) is kept
         * in an empty one, where the caller reads every cause. */
        if (!uc->closure && closure_new(NULL, NULL, &uc->closure) < 0)
                return -ENOMEM;
        va_list ap;
        va_start(ap, fmt);
        r = closure_failv(uc->closure, r, slug, fmt, ap);
        va_end(ap);
        return r;
}

/* Another root for the service cannot be combined with ours. */
static int check_conflicts(UnitConfinement *uc) {
        static const char *const keys[] = { "RootDirectory", "RootImage", "RootDirectoryStartOnly" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                /* As systemd reads them: an empty path resets; a bad boolean is
                 * ignored, so RootDirectoryStartOnly=yes then "" or "bogus" is yes.
                 * Any other path counts, even one systemd might reject (fail closed). */
                bool is_bool = streq(keys[i], "RootDirectoryStartOnly");
                const UnitSetting *s = unit_text_get_effective(uc->text, "Service", keys[i],
                                                               is_bool ? parse_boolean : unit_parse_any, !is_bool);
                if (!s || (is_bool && parse_boolean(s->value) == 0))
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
static int needs_real_path(UnitConfinement *uc, const char *exe, char **ret_real) {
        LoaderCache *cache = closure_loader(uc->closure)->run_cache;
        _cleanup_free_ char *real = NULL, *normalized = path_normalize(exe);
        *ret_real = NULL;
        int r = loader_cache_realpath(cache, exe, &real);
        if (r == -ENOMEM || (!normalized && errno == ENOMEM))
                return -ENOMEM;
        if (r < 0 || !normalized || streq(real, normalized) || loader_program_uses_origin(cache, real) <= 0)
                return 0;
        *ret_real = TAKE_PTR(real);
        return 1;
}

/* Without /proc (chroot-only; "+" commands get no API file systems) glibc takes
 * the program's $ORIGIN from LD_ORIGIN_PATH: one value must serve them all. */
static int note_origin_without_proc(UnitConfinement *uc, const char *key, const ExecCommand *cmd, const char *exe) {
        bool no_proc = uc->config.mode == CONFINEMENT_CHROOT_ONLY || (cmd->flags & EXEC_PRIVILEGED) ||
                       (unit_text_get_boolean(uc->text, "Service", "PermissionsStartOnly") > 0 && !streq(key, "ExecStart"));
        LoaderCache *cache = closure_loader(uc->closure)->run_cache;
        _cleanup_free_ char *real = NULL, *dir = NULL;
        if (!no_proc)
                return 0;
        int r = loader_cache_realpath(cache, exe, &real);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || loader_program_uses_origin(cache, real) <= 0)
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

/* Under these a read-only bind would shadow what the service writes (its private /run and
 * /tmp, its *Directory= dirs): a path there that depends on the instance is not carried. */
static bool under_writable_tree(const char *path) {
        static const char *const trees[] = { "/run", "/var/run", "/tmp", "/var/tmp", "/dev", "/proc", "/sys",
                                             "/var/lib", "/var/log", "/var/cache", "/var/spool" };
        for (size_t i = 0; i < ELEMENTSOF(trees); i++)
                if (path_startswith_dir(path, trees[i]))
                        return true;
        return false;
}

/* Every directory from / down to dir is root's and writable by no one else: systemd follows
 * links in a bind source at each start, so whoever can change such a dir chooses what an
 * instance sees (SPEC 4, "Binds"). */
static bool dir_chain_is_safe(const char *dir, char **ret_unsafe) {
        _cleanup_free_ char *d = path_normalize(dir);
        for (char *end = d; d && end;) {
                struct stat st;
                end = strchr(end + 1, '/');
                if (end)
                        *end = 0;
                const char *p = d[0] ? d : "/";
                if (lstat(p, &st) < 0)
                        return true; /* a missing dir: "-" skips the bind; created later by root only */
                if (S_ISLNK(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
                        if (!S_ISLNK(st.st_mode) || stat(p, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022)) {
                                *ret_unsafe = strdup(p);
                                return false;
                        }
                }
                if (end)
                        *end = '/';
        }
        return true;
}

/* A template's path that depends on the instance (it holds the sentinel): handed to systemd
 * with its specifiers, "-" because an instance's file may not exist (SPEC 2, templates). */
static int carry_instance_path(UnitConfinement *uc, const char *path, const char *what) {
        _cleanup_free_ char *word = NULL, *dir = NULL, *unsafe = NULL;
        if (path[0] != '/' || under_writable_tree(path))
                return 0;
        /* Inside a dir that Packages= binds whole (Debian's /etc/redis is redis's own):
         * there already, and that dir itself may belong to anyone (SPEC 4, "Binds"). */
        STRV_FOREACH(p, uc->config.packages)
                if (!strchr(*p, '%') && path_startswith_dir(path, *p))
                        return 0;
        int r = specifier_unexpand_path(path, uc->sentinel_name, &word);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_warning("%s: %s %s depends on the instance and cannot be written as a bind path; not bound",
                            uc->info->name, what, path);
                return 0;
        }
        /* The dirs above the first one named by the instance must be safe to follow. */
        size_t n = strcspn(word, "%");
        dir = strndup(word, n);
        if (!dir)
                return -ENOMEM;
        *(strrchr(dir, '/') ?: dir) = 0;
        if (!dir_chain_is_safe(dir[0] ? dir : "/", &unsafe))
                return fail(uc, -EPERM, "unsafe-path", "%s %s: %s can be changed by a user other than root",
                            what, word, unsafe ?: dir);
        if (strv_contains(uc->carried, word))
                return 0;
        log_debug("%s: %s %s is bound for each instance as systemd expands it", uc->info->name, what, word);
        return strv_consume(&uc->carried, TAKE_PTR(word));
}

static int add_command_roots(UnitConfinement *uc, const char *key, const ExecCommand *cmd, char * const *search,
                             char **ret_real) {
        _cleanup_free_ char *exe = NULL, *reason = NULL;
        struct stat st;
        *ret_real = NULL;
        if (specifier_has_sentinel(cmd->path))
                return fail(uc, -EINVAL, "executable-depends-on-instance",
                            "%s=%s: the executable depends on the instance", key, cmd->path);
        int r = resolve_executable(uc, cmd, search, &exe);
        if (r == -ENOMEM)
                return r;
        if ((r < 0 || loader_cache_stat(closure_loader(uc->closure)->run_cache, exe, &st) < 0) &&
            (cmd->flags & EXEC_IGNORE_FAILURE)) {
                log_debug("%s: %s=-%s does not exist; systemd ignores its failure, so it is no root",
                          uc->info->name, key, cmd->path);
                return 0;
        }
        if (r < 0)
                return fail(uc, r, "missing-executable", "%s=%s: not found in the executable search path",
                            key, cmd->path);
        if (!(reason = strjoin(key, "= of ", uc->info->name)))
                return -ENOMEM;
        r = closure_add_program(uc->closure, exe, reason);
        if (r < 0)
                return r;
        r = needs_real_path(uc, exe, ret_real);
        if (r > 0)
                r = closure_add_program(uc->closure, *ret_real, "the real path a symlinked command is run from");
        if (r >= 0)
                r = note_origin_without_proc(uc, key, cmd, exe);
        if (r < 0)
                return r;
        STRV_FOREACH(arg, cmd->argv + 1 /* argv[0] is the name, not a file */) {
                _cleanup_free_ char *why = NULL;
                if (asprintf(&why, "argument of %s= of %s", key, uc->info->name) < 0)
                        return -ENOMEM;
                if (specifier_has_sentinel(*arg)) {
                        r = carry_instance_path(uc, *arg, why);
                        if (r < 0)
                                return r;
                        continue;
                }
                r = closure_add_store_references(uc->closure, *arg, strlen(*arg), why);
                if (r >= 0 && (*arg)[0] == '/')
                        r = closure_add_argument(uc->closure, *arg, why);
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

        for (size_t k = 0; k < ELEMENTSOF(exec_command_keys); k++) {
                _cleanup_strv_free_ char **values = NULL, **emitted = NULL;
                bool rewritten = false;
                r = unit_text_get_list(uc->text, "Service", exec_command_keys[k], &values);
                if (r < 0)
                        return r;
                STRV_FOREACH(v, values) {
                        _cleanup_free_ char *new_value = NULL;
                        r = add_exec_value(uc, exec_command_keys[k], *v, sp, env, search, &new_value);
                        if (r < 0)
                                return r;
                        rewritten = rewritten || new_value;
                        if (strv_consume(&emitted, asprintf_safe("%s=%s", exec_command_keys[k], new_value ?: *v)) < 0)
                                return -ENOMEM;
                }
                if (!rewritten)
                        continue;
                if (strv_consume(&uc->exec_lines, asprintf_safe("%s=", exec_command_keys[k])) < 0 ||
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
                return closure_fail(uc->closure, -errno, "missing-file", "BinSh=%s: %m", sh);
        /* Bound first, so that /bin/sh inside is BinSh= even if a command names /bin/sh. */
        int r = path_set_add(closure_binds(uc->closure), "/bin/sh", real, NULL, "BinSh=");
        if (r < 0)
                return r;
        return closure_add_program(uc->closure, sh, "BinSh=");
}

static int add_config_roots(UnitConfinement *uc, const Specifiers *sp) {
        closure_set_dlopen_recommended(uc->closure, uc->config.dlopen_recommended);
        int r = add_bin_sh(uc);
        if (r < 0)
                return r;
        STRV_FOREACH(p, uc->config.packages) {
                _cleanup_free_ char *expanded = NULL, *error = NULL;
                /* A template's Packages= may name the instance: bound for each start (SPEC 2). */
                if (strchr(*p, '%')) {
                        r = specifier_expand(*p, sp, &expanded, &error);
                        if (r < 0)
                                return fail(uc, r, "bad-setting", "Packages=%s: %s", *p, error ?: strerror(-r));
                        if (specifier_has_sentinel(expanded)) {
                                r = carry_instance_path(uc, expanded, "Packages=");
                                if (r < 0)
                                        return r;
                                continue;
                        }
                }
                r = closure_add_package(uc->closure, expanded ?: *p, "Packages=");
                if (r < 0)
                        return r;
        }
        return profiles_add(uc->closure, uc->config.profiles, uc->env);
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
                        if (specifier_has_sentinel(*w)) { /* a template's: bound per start (SPEC 2) */
                                int r = carry_instance_path(uc, *w, "FullUnit=: named in the environment");
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        if ((*w)[0] != '/' || stat(*w, &st) < 0 || !S_ISREG(st.st_mode))
                                continue;
                        int r = closure_add_argument(uc->closure, *w, "FullUnit=: named in the environment");
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
                /* Regular files only, as load_text() reads them. */
                int r = read_full_file(files[i], READ_FILE_REGULAR, SIZE_MAX, &text, NULL);
                if (r == -EBADFD || r == -EISDIR)
                        continue; /* systemd does not read it either */
                if (r < 0)
                        return fail(uc, r, "unreadable-unit", "%s: %s", files[i], strerror(-r));
                if (asprintf(&reason, "FullUnit=: named in %s", files[i]) < 0)
                        return -ENOMEM;
                /* Up to the first NUL, as systemd reads a unit file. */
                r = closure_add_store_references(uc->closure, text, strlen(text), reason);
                if (r < 0)
                        return r;
        }
        return 0;
}

int unit_confine(UnitConfinement *uc, const UnitInfo *info, const UnitText *text, const ClosureRun *run) {
        _cleanup_free_ char *error = NULL;
        Specifiers sp = { .name = info->name, .fragment = info->fragment };
        int r;

        *uc = (UnitConfinement) { .info = info, .text = text };
        /* A template is confined once for every instance: what depends on the instance holds
         * the sentinel, and is carried for systemd to expand (SPEC 2, templates). */
        if (unit_name_is_valid(info->name, UNIT_NAME_TEMPLATE)) {
                if (specifier_sentinel_name(info->name, &uc->sentinel_name) < 0)
                        return -ENOMEM;
                sp.name = uc->sentinel_name;
        }
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
        r = closure_new(env, run, &uc->closure);
        if (r < 0)
                return r;

        log_debug("%s: computing the closure (mode %s)", info->name, confinement_mode_to_string(uc->config.mode));
        r = add_config_roots(uc, &sp);
        if (r >= 0)
                r = add_exec_roots(uc, &sp, env);
        if (r >= 0 && uc->config.full_unit)
                r = add_environment_files(uc, env);
        if (r >= 0 && uc->config.full_unit)
                r = add_unit_text_references(uc);
        if (r >= 0)
                r = closure_check_binds_safe(uc->closure);
        if (r < 0 && !closure_error(uc->closure))
                return fail(uc, r, "internal-error", "closure failed: %s", strerror(-r));
        return r;
}

void unit_confine_done(UnitConfinement *uc) {
        if (!uc->info)
                return; /* never set up */
        uc->exec_lines = strv_free(uc->exec_lines);
        uc->env = strv_free(uc->env);
        uc->origin_path = (free(uc->origin_path), NULL);
        uc->sentinel_name = (free(uc->sentinel_name), NULL);
        uc->carried = strv_free(uc->carried);
        confinement_config_done(&uc->config);
        uc->closure = closure_free(uc->closure);
}

static bool runs_unprivileged(const UnitText *t) {
        const UnitSetting *user = unit_text_get_effective(t, "Service", "User", unit_parse_any, true);
        if (unit_text_get_boolean(t, "Service", "DynamicUser") > 0)
                return true;
        return user && !streq(user->value, "root") && !streq(user->value, "0");
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

/* A command that keeps root whatever User= says: systemd.service(5) "+" (full
 * privileges), "!" and "!!" (User= not applied: the program drops privileges
 * itself, as Debian's chrony does with ExecStart=!/usr/sbin/chronyd), and
 * PermissionsStartOnly=yes for every command but ExecStart=. */
static bool keeps_root_in_a_command(const UnitText *t) {
        if (unit_text_get_boolean(t, "Service", "PermissionsStartOnly") > 0)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(exec_command_keys); i++) {
                _cleanup_strv_free_ char **values = NULL;
                if (unit_text_get_list(t, "Service", exec_command_keys[i], &values) < 0)
                        return true; /* cannot tell: do not risk breaking the service */
                STRV_FOREACH(v, values) {
                        const char *w = *v + strspn(*v, " \t");
                        size_t n = strspn(w, "-@:+!|");
                        if (memchr(w, '+', n) || memchr(w, '!', n))
                                return true;
                }
        }
        return false;
}

/* PrivateUsers=yes only where it cannot break the service: a root daemon that
 * binds a low port or switches to its own user fails in a user namespace, and
 * so does a command that runs as root while the rest runs as User=. */
bool unit_confine_private_users_is_safe(const UnitConfinement *uc) {
        return uc->config.mode == CONFINEMENT_FULL_APIVFS && runs_unprivileged(uc->text) &&
               !grants_capabilities(uc->text) && !keeps_root_in_a_command(uc->text);
}

const char *unit_confine_private_users_why(const UnitConfinement *uc) {
        if (unit_text_get_boolean(uc->text, "Service", "PrivateUsers") >= 0)
                return "not written: the unit sets PrivateUsers= itself";
        if (uc->config.mode != CONFINEMENT_FULL_APIVFS)
                return "not written: Mode=chroot-only";
        if (!runs_unprivileged(uc->text))
                return "not written: the unit runs as root (no User=, no DynamicUser=), which a user namespace "
                       "would take away (low ports, switching to its own user)";
        if (grants_capabilities(uc->text))
                return "not written: the unit grants AmbientCapabilities=, which a user namespace voids";
        if (keeps_root_in_a_command(uc->text))
                return "not written: a command keeps root (a \"+\", \"!\" or \"!!\" prefix, or "
                       "PermissionsStartOnly=yes), and drops privileges itself";
        return "yes: every command runs as a non-root user with no capabilities, so uid 0 inside maps to "
               "nobody outside";
}

static int env_dependence(const UnitText *text, const Specifiers *sp, char * const *env, char **ret_cause) {
        static const char *const loader_vars[] = { "PATH", "LD_LIBRARY_PATH", "LD_PRELOAD" };
        _cleanup_strv_free_ char **files = NULL, **search = NULL;
        for (size_t i = 0; i < ELEMENTSOF(loader_vars); i++)
                if (specifier_has_sentinel(strv_env_get(env, loader_vars[i])))
                        return asprintf(ret_cause, "its %s depends on the instance", loader_vars[i]) < 0 ? -ENOMEM : 1;
        int r = unit_text_get_list(text, "Service", "EnvironmentFile", &files);
        if (r < 0)
                return r;
        STRV_FOREACH(f, files) {
                _cleanup_free_ char *expanded = NULL, *error = NULL;
                if (specifier_expand(*f, sp, &expanded, &error) >= 0 && specifier_has_sentinel(expanded))
                        return asprintf(ret_cause, "EnvironmentFile=%s depends on the instance", *f) < 0 ? -ENOMEM : 1;
        }
        if (unit_exec_search_path(text, sp, env, &search) >= 0)
                STRV_FOREACH(d, search)
                        if (specifier_has_sentinel(*d))
                                return (*ret_cause = strdup("its ExecSearchPath= depends on the instance")) ? 1 : -ENOMEM;
        return 0;
}

int unit_confine_instance_dependence(const UnitInfo *info, const UnitText *text, char **ret_cause) {
        _cleanup_free_ char *name = NULL, *error = NULL;
        _cleanup_strv_free_ char **env = NULL;
        *ret_cause = NULL;
        if (!unit_name_is_valid(info->name, UNIT_NAME_TEMPLATE))
                return 0;
        if (specifier_sentinel_name(info->name, &name) < 0)
                return -ENOMEM;
        Specifiers sp = { .name = name, .fragment = info->fragment };
        if (unit_environment(text, &sp, &env, &error) < 0)
                return 0; /* unit_confine() reports it */
        int r = env_dependence(text, &sp, env, ret_cause);
        if (r != 0)
                return r;
        for (size_t k = 0; k < ELEMENTSOF(exec_command_keys); k++) {
                _cleanup_strv_free_ char **values = NULL;
                if ((r = unit_text_get_list(text, "Service", exec_command_keys[k], &values)) < 0)
                        return r;
                STRV_FOREACH(v, values) {
                        ExecCommand *cmds = NULL;
                        size_t n = 0;
                        _cleanup_free_ char *err = NULL;
                        bool dep = false;
                        if (exec_command_parse(*v, &sp, env, &cmds, &n, &err) >= 0)
                                for (size_t i = 0; i < n; i++)
                                        dep = dep || specifier_has_sentinel(cmds[i].path);
                        exec_command_free_many(cmds, n);
                        if (dep)
                                return asprintf(ret_cause, "%s=%s: its executable depends on the instance",
                                                exec_command_keys[k], *v) < 0 ? -ENOMEM : 1;
                }
        }
        return 0;
}

static bool is_program(const char *path) {
        struct stat st;
        return path[0] == '/' && stat(path, &st) >= 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

/* The commands of one Exec*= value as systemd would run them for the unit called name. */
static int parse_for(const UnitInfo *info, const UnitText *text, const char *name, const char *value,
                     ExecCommand **cmds, size_t *n) {
        _cleanup_free_ char *error = NULL;
        _cleanup_strv_free_ char **env = NULL;
        Specifiers sp = { .name = name, .fragment = info->fragment };
        *cmds = NULL;
        *n = 0;
        if (unit_environment(text, &sp, &env, &error) < 0)
                return 0;
        return exec_command_parse(value, &sp, env, cmds, n, &error) < 0 ? 0 : 1;
}

int unit_confine_instance_names_program(const UnitInfo *info, const UnitText *text, const char *instance_name,
                                        char **ret_cause) {
        _cleanup_free_ char *sentinel = NULL;
        int found = 0;
        *ret_cause = NULL;
        if (specifier_sentinel_name(info->name, &sentinel) < 0)
                return -ENOMEM;
        for (size_t k = 0; k < ELEMENTSOF(exec_command_keys) && !found; k++) {
                _cleanup_strv_free_ char **values = NULL;
                if (unit_text_get_list(text, "Service", exec_command_keys[k], &values) < 0)
                        return -ENOMEM;
                STRV_FOREACH(v, values) {
                        ExecCommand *a = NULL, *b = NULL;
                        size_t na = 0, nb = 0;
                        if (parse_for(info, text, sentinel, *v, &a, &na) > 0 && parse_for(info, text, instance_name, *v, &b, &nb) > 0 &&
                            na == nb)
                                for (size_t i = 0; i < na && !found; i++)
                                        for (size_t j = 1; a[i].argv[j] && j < strv_length(b[i].argv) && !found; j++)
                                                if (specifier_has_sentinel(a[i].argv[j]) && is_program(b[i].argv[j])) {
                                                        found = asprintf(ret_cause, "%s=%s: the argument %s is a program "
                                                                         "for %s, its closure depends on the instance",
                                                                         exec_command_keys[k], *v, b[i].argv[j], instance_name) < 0
                                                                        ? -ENOMEM : 1;
                                                }
                        exec_command_free_many(a, na);
                        exec_command_free_many(b, nb);
                        if (found)
                                break;
                }
        }
        return found;
}
