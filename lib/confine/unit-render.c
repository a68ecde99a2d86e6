/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "unit-render.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dropin.h"
#include "extract-word.h"
#include "harden.h"
#include "memstream.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"

/* Settings that the mode turns on or off, unless the unit says otherwise. All
 * are booleans; on 252 an empty MountAPIVFS= resets it to unset, while the
 * others' parser (config_parse_bool) rejects "" and keeps the earlier value. */
static const struct {
        const char *key;
        bool empty_resets;
} mode_defaults[] = {
        { "PrivateMounts", false },        { "MountAPIVFS", true },
        { "PrivateDevices", false },       { "PrivateTmp", false },
        { "ProtectControlGroups", false }, { "ProtectKernelModules", false },
        { "ProtectKernelTunables", false },
};

static int parse_protect_system(const char *v) {
        return streq(v, "full") || streq(v, "strict") ? 0 : parse_boolean(v);
}

static void write_mode_defaults(FILE *f, const UnitConfinement *uc) {
        const char *on = uc->config.mode == CONFINEMENT_FULL_APIVFS ? "yes" : "no";
        /* "Unset" as systemd reads the unit: an empty or bad value does not count.
         * A non-boolean word may be a newer systemd's value (257: PrivateTmp=
         * disconnected, ProtectControlGroups=private|strict): for "yes" it counts
         * as unset, so our yes replaces it (252 would ignore it: host /tmp); for
         * "no" it counts as set, since systemd's own default is no anyway and
         * 257's value is more than our no. Fail closed under either. */
        int (*parse)(const char *) = uc->config.mode == CONFINEMENT_FULL_APIVFS ? parse_boolean : unit_parse_any;
        for (size_t i = 0; i < ELEMENTSOF(mode_defaults); i++)
                if (!unit_text_get_effective(uc->text, "Service", mode_defaults[i].key, parse,
                                             mode_defaults[i].empty_resets))
                        fputs(mode_defaults[i].key, f), fputc('=', f), fputs(on, f), fputc('\n', f);
        if (unit_text_get_boolean(uc->text, "Service", "PrivateUsers") < 0 && unit_confine_private_users_is_safe(uc))
                fputs("PrivateUsers=yes\n", f);
}

/* ProtectSystem=yes/full remount /usr (and /etc) read-only, which fails when
 * the root has no /etc or /usr (226/NAMESPACE on 252). Inside the root every
 * host path is a read-only bind already; strict gives at least the same
 * protection, keeps the unit's writable binds writable, and needs no path. */
static void write_protect_system(FILE *f, const UnitConfinement *uc) {
        const UnitSetting *s = unit_text_get_effective(uc->text, "Service", "ProtectSystem", parse_protect_system,
                                                       false);
        const char *v = s ? s->value : NULL;
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

/* A path systemd would read differently than written (unit_escape_path() failed): blocked. */
static int fail_bad_path(UnitConfinement *uc, const char *path) {
        return closure_fail(uc->closure, -EINVAL, "bad-path", "%s: a path a unit file cannot hold", path);
}

/* A path the drop-in writes: escaped, and for a template expanded with the sentinel
 * instance, whose part that names the instance goes back to systemd as specifiers, so
 * that each instance gets its own (SPEC 2; expanded with an empty instance,
 * ReadWritePaths=/var/lib/foo/%i was every instance's /var/lib/foo). NULL with errno. */
static char *render_path(const char *expanded) {
        char *r = NULL;
        if (!specifier_has_sentinel(expanded))
                return unit_escape_path(expanded);
        int k = specifier_unexpand_path(expanded, NULL, &r);
        errno = k < 0 ? -k : 0;
        return r;
}

/* PID 1 reads PIDFile= on the host. A PID file in the service's private /run
 * is CONFINEMENT_RUN on the host; one in a dir the unit binds from the host
 * (its RuntimeDirectory=, a BindPaths= of /run/x) is the host's file itself. */
static int write_pid_file(FILE *f, UnitConfinement *uc, const Specifiers *sp) {
        const char *v = unit_text_get(uc->text, "Service", "PIDFile");
        _cleanup_free_ char *expanded = NULL, *error = NULL, *path = NULL, *escaped = NULL;
        _cleanup_strv_free_ char **host_dirs = NULL;
        if (isempty(v))
                return 0;
        int r = specifier_expand(v, sp, &expanded, &error);
        if (r < 0)
                return closure_fail(uc->closure, r, "bad-setting", "PIDFile=%s: %s", v, error ?: strerror(-r));
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
        if (specifier_has_sentinel(rest) ? specifier_unexpand_path(rest, NULL, &escaped) < 0
                                         : !(escaped = unit_escape_text(rest)))
                return closure_fail(uc->closure, -EINVAL, "bad-setting", "PIDFile=%s: cannot be written back", v);
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
                if (!src || !dst || !(esc_src = render_path(src)) || !(esc_dst = render_path(dst)))
                        return errno == EINVAL ? 0 : -ENOMEM; /* the unit's own dir, bound by systemd anyway */
                fprintf(f, "BindPaths=-%s:%s\n", esc_src, esc_dst);
                if (strv_extend(&done, rest) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* /var/lock is a link to /run/lock on the host (Debian's /usr/lib/tmpfiles.d/
 * legacy.conf), and daemons lock there (apache2's APACHE_LOCK_DIR): in the root
 * it is the private /run's lock dir, made for each start like /run itself. */
static void write_var_lock(FILE *f) {
        fputs("RuntimeDirectory=" CONFINEMENT_RUNTIME_DIR "/run/lock\n"
              "BindPaths=" CONFINEMENT_RUN "/lock:/var/lock\n",
              f);
}

/* On 252 ReadWritePaths= are resolved inside the root, where nothing from the
 * host is writable: each becomes a writable bind of the host path. */
static int write_writable_paths(FILE *f, UnitConfinement *uc, const Specifiers *sp) {
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
                                        return closure_fail(uc->closure, r, "bad-setting", "%s=%s: %s", keys[k], *v,
                                                            error ?: strerror(-r));
                                esc = render_path(expanded);
                                if (!esc)
                                        return errno == EINVAL ? closure_fail(uc->closure, -EINVAL, "bad-path",
                                                                              "%s=%s: a path a unit file cannot hold",
                                                                              keys[k], *v)
                                                               : -ENOMEM;
                                fprintf(f, "BindPaths=%s%s\n", optional ? "-" : "", esc);
                        }
                }
        }
        return 0;
}

/* path as unit_escape_path() has it, copied only when it changes (a drop-in holds a few
 * dozen paths, some hundreds: this is most of its writing). -errno when it cannot be. */
static int put_path(FILE *f, const char *path) {
        if (unit_path_is_plain(path)) {
                fputs(path, f);
                return 0;
        }
        _cleanup_free_ char *esc = unit_escape_path(path);
        if (!esc)
                return -errno;
        fputs(esc, f);
        return 0;
}

static int write_binds(FILE *f, UnitConfinement *uc) {
        const PathEntry **sorted = path_set_sorted(closure_binds(uc->closure));
        if (!sorted)
                return -ENOMEM;
        for (const PathEntry **e = sorted; *e; e++) {
                fputs("BindReadOnlyPaths=", f);
                if (put_path(f, (*e)->source) < 0)
                        return fail_bad_path(uc, (*e)->source);
                if (!streq((*e)->source, (*e)->dest)) {
                        fputc(':', f);
                        if (put_path(f, (*e)->dest) < 0)
                                return fail_bad_path(uc, (*e)->dest);
                }
                fputc('\n', f);
        }
        return 0;
}

/* A source's directory, as path_dirname() has it, but as a span of the source itself:
 * a drop-in's few dozen sources share a handful of dirs, and a copy of each cost a malloc. */
typedef struct DirSpan {
        const char *start;
        size_t len;
} DirSpan;

static DirSpan dir_span(const char *path) {
        const char *slash = strrchr(path, '/');
        if (!slash || slash == path)
                return (DirSpan) { "/", 1 };
        return (DirSpan) { path, (size_t) (slash - path) };
}

/* strcmp() order of the spans as strings. */
static int cmp_dir_span(const DirSpan *x, const DirSpan *y) {
        int r = memcmp(x->start, y->start, x->len < y->len ? x->len : y->len);
        return r != 0 ? r : (x->len > y->len) - (x->len < y->len);
}

/* Adds d to the sorted dirs[0..*n), unless there. A drop-in's dozen sources have three
 * dirs on average: a binary search in those beat qsort() of all sources (3.2M
 * instructions over the bench tree, for its copying merge sort) by far. */
static void dir_set_add(DirSpan *dirs, size_t *n, DirSpan d) {
        size_t lo = 0, hi = *n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = cmp_dir_span(&dirs[mid], &d);
                if (c == 0)
                        return;
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        memmove(dirs + lo + 1, dirs + lo, (*n - lo) * sizeof(DirSpan));
        dirs[lo] = d;
        (*n)++;
}

/* A RequiresMountsFor= line for each of dirs. */
static int write_dir_lines(FILE *f, UnitConfinement *uc, const DirSpan *dirs, size_t n) {
        Buffer d = {}; /* the dir NUL-terminated for put_path(): one buffer for all */
        int r = 0;
        for (size_t i = 0; i < n && r >= 0; i++) {
                d.len = 0;
                r = buffer_append(&d, dirs[i].start, dirs[i].len);
                if (r < 0)
                        break;
                fputs("RequiresMountsFor=", f);
                if (put_path(f, d.data) < 0)
                        r = fail_bad_path(uc, d.data);
                else
                        fputc('\n', f);
        }
        free(d.data);
        return r;
}

/* RequiresMountsFor= the directories of everything bound, so the unit is
 * ordered after whatever mounts hold them: sorted, each once. Over the bench tree
 * (14,572 sources, 3,981 dirs) 7.0M instructions with a strdup()ed dirname for each
 * source, a linear search, a strv and its sort; 3.9M with spans in one array, of
 * which 1.4M is the writing. */
static int write_mount_dependencies(FILE *f, UnitConfinement *uc) {
        PathSet *binds = closure_binds(uc->closure);
        const PathEntry **sorted = path_set_sorted(binds);
        size_t n = 0, n_binds = path_set_size(binds);
        _cleanup_free_ DirSpan *dirs = malloc((n_binds + 1) * sizeof(DirSpan)); /* + 1: never malloc(0) */
        if (!sorted || !dirs)
                return -ENOMEM;
        for (size_t i = 0; i < n_binds; i++)
                dir_set_add(dirs, &n, dir_span(sorted[i]->source));
        return write_dir_lines(f, uc, dirs, n);
}

static int write_dropin(FILE *f, void *userdata) {
        UnitConfinement *uc = userdata;
        /* A template's paths are rendered with the sentinel instance (render_path()). */
        Specifiers sp = { .name = uc->sentinel_name ?: uc->info->name, .fragment = uc->info->fragment };
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
              /* systemd binds every RuntimeDirectory= into the namespace at its own
               * path, recursively and writable: the root itself, with every host
               * file bound in it before /run in mount order, would be reachable,
               * writable, at CONFINEMENT_ROOT (seen on 252). A plain bind at the
               * same path outranks that recursive one (systemd keeps one mount per
               * path, BIND before BIND_RECURSIVE; 252's mount table inside shows
               * only this), so the root is never seen again: only the service's
               * own /run, read-only. */
              "BindReadOnlyPaths=" CONFINEMENT_RUN ":" CONFINEMENT_ROOT "\n"
              /* One /run for the whole start, ExecStartPre= to ExecStopPost=,
               * also reached as /var/run, as on the host. */
              "BindPaths=" CONFINEMENT_RUN ":/run " CONFINEMENT_RUN ":/var/run\n"
              /* syslog(3) and sd_journal: 252 binds no journal socket itself.
               * journal/syslog is what syslog.socket listens on: a syslog daemon
               * takes the socket systemd passes it only where it sees that path
               * as a socket (rsyslog's imuxsock stat()s it). */
              "BindReadOnlyPaths=-/run/systemd/journal/socket -/run/systemd/journal/stdout "
              "-/run/systemd/journal/dev-log -/run/systemd/journal/syslog\n"
              /* sd_booted() (sd-daemon(3)) asks whether /run/systemd/system/
               * exists; a service that finds it missing does not take the
               * sockets systemd passes it (rsyslog: "imuxsock does not run
               * because we could not acquire any socket"). An empty, read-only
               * dir says what is true without showing the host's unit files. */
              "TemporaryFileSystem=/run/systemd/system:ro\n",
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
                fputs(*l, f), fputc('\n', f);
        r = write_pid_file(f, uc, &sp);
        if (r >= 0)
                r = write_writable_paths(f, uc, &sp);
        if (r >= 0)
                r = write_var_run_mirrors(f, uc, &sp);
        if (r >= 0)
                write_var_lock(f);
        if (r >= 0)
                r = write_binds(f, uc);
        if (r >= 0 && uc->carried)
                fputs("# Named by the instance, expanded by systemd at each start:\n", f);
        STRV_FOREACH(w, uc->carried)
                fprintf(f, "BindReadOnlyPaths=-%s\n", *w);
        r = r < 0 ? r : harden_write(f, uc);
        return r;
}

int unit_render_dropin(UnitConfinement *uc, char **ret) {
        return memstream_collect(write_dropin, uc, ret);
}