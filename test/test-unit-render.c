/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The drop-in's lines case by case, each checked against systemd's own reading of the text
 * (systemd-analyze verify's dump of the unit with the drop-in), not against the text. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "path-util.h"
#include "strv.h"
#include "test-util.h"
#include "unit-confine.h"
#include "unit-file.h"
#include "unit-render.h"

typedef struct Rendered {
        char *dir;       /* the unit dir: the fragment and NAME.d/zz-confinement.conf */
        char *dropin;    /* the text unit_render_dropin() wrote */
        char *dump_unit; /* the unit of the last dump, kept: systemd-analyze takes a while */
        char *dump;
} Rendered;

/* Confines and renders the unit name made of fragment (a template for "foo@.service"). */
static Rendered render(const char *name, const char *fragment) {
        Rendered out = { .dir = tu_mkdtemp() };
        _cleanup_free_ char *path = tu_write(out.dir, name, fragment), *rel = NULL;
        _cleanup_(unit_text_done) UnitText text = {};
        UnitInfo info = { .name = (char *) name, .fragment = path };
        UnitConfinement uc = {};

        ck_assert_int_eq(unit_text_load_buffer(&text, fragment, strlen(fragment), path), 0);
        int r = unit_confine(&uc, &info, &text, NULL);
        ck_assert_msg(r == 0, "%s: %s", name, closure_error(uc.closure) ?: strerror(-r));
        ck_assert_int_eq(unit_render_dropin(&uc, &out.dropin), 0);
        unit_confine_done(&uc);
        ck_assert_int_ge(asprintf(&rel, "%s.d/zz-confinement.conf", name), 0);
        free(tu_write(out.dir, rel, out.dropin));
        return out;
}

static void rendered_done(Rendered *r) {
        tu_rm_rf(r->dir);
        free(r->dir);
        free(r->dropin);
        free(r->dump_unit);
        free(r->dump);
}

/* What systemd reads for key in unit (an instance of a rendered template may be named). */
static char **seen(Rendered *r, const char *unit, const char *key) {
        if (!r->dump_unit || !streq(r->dump_unit, unit)) {
                free(r->dump_unit);
                free(r->dump);
                r->dump_unit = strdup(unit);
                r->dump = tu_systemd_dump(r->dir, unit);
                ck_assert_msg(strstr(r->dump, "\t\tUnit Load State: loaded\n"), "%s did not load:\n%s", unit, r->dump);
        }
        return tu_dump_values(r->dump, key);
}

static void assert_seen(Rendered *r, const char *unit, const char *key, const char *want) {
        _cleanup_strv_free_ char **v = seen(r, unit, key);
        ck_assert_msg(strv_contains(v, want), "%s: systemd reads no %s: %s from\n%s", unit, key, want, r->dropin);
}

/* systemd 257 and later dump some booleans by their new enums' names: PrivateTmp=yes
 * as "connected", PrivateUsers=yes as "self". */
static bool same_value(const char *key, const char *got, const char *want) {
        if (streq(want, "yes") && ((streq(key, "PrivateTmp") && streq(got, "connected")) ||
                                   (streq(key, "PrivateUsers") && streq(got, "self"))))
                return true;
        return streq(got, want);
}

static void assert_seen_only(Rendered *r, const char *unit, const char *key, const char *want) {
        _cleanup_strv_free_ char **v = seen(r, unit, key);
        ck_assert_msg(strv_length(v) == 1 && same_value(key, v[0], want), "%s: systemd reads %s: %s, not %s, from\n%s", unit,
                      key, v ? v[0] : "(nothing)", want, r->dropin);
}

#define TRUE_UNIT "[Service]\nExecStart=/bin/true\n"

/* SPEC 4 "Root": an empty root made for each start, with the private /run and journal sockets. */
START_TEST(root_lines_give_an_empty_root_per_start_with_a_private_run) {
        Rendered r = render("root.service", TRUE_UNIT "[X-Confinement]\n");
        assert_seen_only(&r, "root.service", "RootDirectory", "/run/confinement/root.service/root");
        /* "/" the root, and an empty /run/systemd/system so that sd_booted() holds inside */
        _cleanup_strv_free_ char **tmpfs = seen(&r, "root.service", "TemporaryFileSystem");
        ck_assert_msg(strv_length(tmpfs) == 2 && strv_contains(tmpfs, "/") &&
                      strv_contains(tmpfs, "/run/systemd/system:ro"), "TemporaryFileSystem: %s", r.dropin);
        assert_seen(&r, "root.service", "RuntimeDirectory", "confinement/root.service/root");
        assert_seen(&r, "root.service", "RuntimeDirectory", "confinement/root.service/run");
        assert_seen(&r, "root.service", "BindPaths", "/run/confinement/root.service/run:/run:rbind");
        assert_seen(&r, "root.service", "BindPaths", "/run/confinement/root.service/run:/var/run:rbind");
        /* the root's own path shows only the private /run, read-only */
        assert_seen(&r, "root.service", "BindReadOnlyPaths",
                    "/run/confinement/root.service/run:/run/confinement/root.service/root:rbind");
        assert_seen(&r, "root.service", "BindReadOnlyPaths", "-/run/systemd/journal/socket:/run/systemd/journal/socket:rbind");
        /* the socket syslog.socket passes a syslog daemon, which looks for it at its path */
        assert_seen(&r, "root.service", "BindReadOnlyPaths", "-/run/systemd/journal/syslog:/run/systemd/journal/syslog:rbind");
        /* the program itself, at the path the unit names */
        _cleanup_free_ char *real = realpath("/bin/true", NULL), *want = NULL;
        ck_assert_int_ge(asprintf(&want, "%s:/bin/true:rbind", real), 0);
        assert_seen(&r, "root.service", "BindReadOnlyPaths", want);
        rendered_done(&r);
}
END_TEST

/* One setting each, as systemd reads it back. want NULL: the drop-in names none of key. */
static const struct {
        const char *rule, *name, *fragment, *key, *want;
        bool only; /* the one value systemd reads for key, not one of several */
} settings[] = {
        { "/var/lock is a link to /run/lock on the host: in the root, the private /run's lock dir",
          "lock.service", TRUE_UNIT "[X-Confinement]\n", "BindPaths",
          "/run/confinement/lock.service/run/lock:/var/lock:rbind", false },
        { "the unit's own dir under /run is the host's, and reached under /var/run too",
          "redis.service", TRUE_UNIT "RuntimeDirectory=redis\n[X-Confinement]\n", "BindPaths",
          "-/run/redis:/var/run/redis:rbind", false },
        { "a /var/run dir the unit binds from the host is reached under /run too",
          "pg.service", TRUE_UNIT "BindPaths=/var/run/postgresql\n[X-Confinement]\n", "BindPaths",
          "-/run/postgresql:/run/postgresql:rbind", false },
        { "PID 1 reads PIDFile= on the host: one in the private /run is under CONFINEMENT_RUN there",
          "pid.service", TRUE_UNIT "PIDFile=/var/run/pid.pid\n[X-Confinement]\n", "PIDFile",
          "/run/confinement/pid.service/run/pid.pid", true },
        { "a relative PIDFile= is below /run, so in the private /run",
          "rel.service", TRUE_UNIT "PIDFile=rel/x.pid\n[X-Confinement]\n", "PIDFile",
          "/run/confinement/rel.service/run/rel/x.pid", true },
        { "a PIDFile= in a dir bound from the host is the host's file itself",
          "own.service", TRUE_UNIT "RuntimeDirectory=own\nPIDFile=/run/own/own.pid\n[X-Confinement]\n", "PIDFile",
          "/run/own/own.pid", true },
        { "a PIDFile= outside /run is left alone",
          "out.service", TRUE_UNIT "PIDFile=/srv/out.pid\n[X-Confinement]\n", "PIDFile", "/srv/out.pid", true },
        { "ProtectSystem=yes remounts /usr, absent from the root (226/NAMESPACE on 252): strict instead",
          "ps.service", TRUE_UNIT "ProtectSystem=yes\n[X-Confinement]\n", "ProtectSystem", "strict", true },
        { "ProtectSystem=full remounts /usr and /etc: strict instead",
          "ps.service", TRUE_UNIT "ProtectSystem=full\n[X-Confinement]\n", "ProtectSystem", "strict", true },
        { "ProtectSystem=strict stays", "ps.service", TRUE_UNIT "ProtectSystem=strict\n[X-Confinement]\n",
          "ProtectSystem", "strict", true },
        { "ProtectSystem=no stays", "ps.service", TRUE_UNIT "ProtectSystem=no\n[X-Confinement]\n",
          "ProtectSystem", "no", true },
        { "ReadWritePaths= resolve inside the root on 252: a writable bind of the host path instead",
          "rw.service", TRUE_UNIT "ReadWritePaths=/var/lib/rw -/var/cache/rw\n[X-Confinement]\n", "BindPaths",
          "/var/lib/rw:/var/lib/rw:rbind", false },
        { "an optional ReadWritePaths= is an optional bind",
          "rw.service", TRUE_UNIT "ReadWritePaths=/var/lib/rw -/var/cache/rw\n[X-Confinement]\n", "BindPaths",
          "-/var/cache/rw:/var/cache/rw:rbind", false },
        { "Harden=yes adds its lines to the same drop-in (which ones: test-harden.c)",
          "h.service", TRUE_UNIT "User=nobody\n[X-Confinement]\nHarden=yes\n", "RestrictSUIDSGID", "yes", true },
};

START_TEST(each_rewritten_setting_reads_back_as_systemd_reads_it) {
        for (size_t i = 0; i < ELEMENTSOF(settings); i++) {
                Rendered r = render(settings[i].name, settings[i].fragment);
                _cleanup_strv_free_ char **v = seen(&r, settings[i].name, settings[i].key);
                bool ok = settings[i].only ? strv_length(v) == 1 && same_value(settings[i].key, v[0], settings[i].want)
                                           : strv_contains(v, settings[i].want);
                ck_assert_msg(ok, "%s: systemd reads %s: %s, want %s%s, from\n%s", settings[i].rule, settings[i].key,
                              v ? v[0] : "(nothing)", settings[i].only ? "only " : "", settings[i].want, r.dropin);
                rendered_done(&r);
        }
}
END_TEST

/* RequiresMountsFor= names the dir of every bound source (path_dirname()), in strcmp()
 * order, each once: /bin/true and /usr/bin/id share libc's dir and their own. */
START_TEST(mount_dependencies_are_the_sources_dirs_sorted_each_once) {
        Rendered r = render("deps.service", TRUE_UNIT "ExecStartPost=/usr/bin/id\n[X-Confinement]\n");
        _cleanup_strv_free_ char **lines = NULL, **want = NULL, **got = NULL;
        ck_assert_int_eq(strv_split(r.dropin, "\n", &lines), 0);
        STRV_FOREACH(l, lines) {
                const char *v = startswith(*l, "BindReadOnlyPaths=");
                if (v && v[0] == '/' && !startswith(v, "/run/confinement/")) /* a closure's bind */
                        ck_assert_int_eq(strv_consume(&want, path_dirname(strndupa(v, strcspn(v, ":")))), 0);
                if ((v = startswith(*l, "RequiresMountsFor=")))
                        ck_assert_int_eq(strv_extend(&got, v), 0);
        }
        strv_sort_uniq(want);
        ck_assert_uint_ge(strv_length(want), 2);
        _cleanup_free_ char *g = strv_join(got, " "), *w = strv_join(want, " ");
        ck_assert_msg(streq(g, w), "RequiresMountsFor=%s, want %s, in\n%s", g, w, r.dropin);
        rendered_done(&r);
}
END_TEST

/* "+PATH" is relative to the root already: not a host bind. */
START_TEST(read_write_path_inside_the_root_is_left_to_systemd) {
        Rendered r = render("in.service", TRUE_UNIT "ReadWritePaths=+/inside\n[X-Confinement]\n");
        ck_assert_msg(!strstr(r.dropin, "/inside"), "%s", r.dropin);
        rendered_done(&r);
}
END_TEST

/* The mode's defaults where the unit says nothing; what it says stands. */
START_TEST(mode_defaults_fill_only_what_the_unit_leaves_unset) {
        Rendered r = render("full.service", TRUE_UNIT "PrivateDevices=no\n[X-Confinement]\n");
        assert_seen_only(&r, "full.service", "PrivateTmp", "yes");
        assert_seen_only(&r, "full.service", "MountAPIVFS", "yes");
        assert_seen_only(&r, "full.service", "ProtectKernelTunables", "yes");
        assert_seen_only(&r, "full.service", "PrivateDevices", "no");
        rendered_done(&r);
        r = render("chroot.service", TRUE_UNIT "[X-Confinement]\nMode=chroot-only\n");
        assert_seen_only(&r, "chroot.service", "PrivateTmp", "no");
        assert_seen_only(&r, "chroot.service", "MountAPIVFS", "no");
        rendered_done(&r);
}
END_TEST

/* PrivateUsers=yes only for a unit whose every command runs unprivileged. */
START_TEST(private_users_only_where_no_command_keeps_root) {
        static const struct {
                const char *text, *want;
        } cases[] = {
                { TRUE_UNIT "User=nobody\n", "yes" },
                { TRUE_UNIT "DynamicUser=yes\n", "yes" },
                { TRUE_UNIT, "no" },
                { TRUE_UNIT "User=nobody\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n", "no" },
                { TRUE_UNIT "User=nobody\nExecStartPre=+/bin/true\n", "no" },
                { TRUE_UNIT "User=nobody\nPermissionsStartOnly=yes\n", "no" },
                { TRUE_UNIT "User=nobody\nPrivateUsers=no\n", "no" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = NULL;
                ck_assert_int_ge(asprintf(&text, "%s[X-Confinement]\n", cases[i].text), 0);
                Rendered r = render("pu.service", text);
                _cleanup_strv_free_ char **v = seen(&r, "pu.service", "PrivateUsers");
                ck_assert_msg(strv_length(v) == 1 && same_value("PrivateUsers", v[0], cases[i].want),
                              "%s: PrivateUsers: %s, want %s",
                              cases[i].text, v ? v[0] : "(nothing)", cases[i].want);
                rendered_done(&r);
        }
}
END_TEST

/* Without /proc (Mode=chroot-only) glibc takes $ORIGIN from LD_ORIGIN_PATH. */
START_TEST(origin_program_without_proc_gets_ld_origin_path) {
        _cleanup_free_ char *dir = tu_mkdtemp(), *text = NULL;
        _cleanup_free_ char *prog = tu_cc(dir, "bin/origin", "int main(void) { return 0; }", "-Wl,-rpath,'$ORIGIN/../lib'");
        _cleanup_free_ char *real = realpath(prog, NULL), *bindir = NULL, *want = NULL;
        bindir = strndup(real, strrchr(real, '/') - real);
        ck_assert_int_ge(asprintf(&want, "LD_ORIGIN_PATH=%s", bindir), 0);
        ck_assert_int_ge(asprintf(&text, "[Service]\nExecStart=%s\n[X-Confinement]\nMode=chroot-only\n", prog), 0);
        Rendered r = render("origin.service", text);
        assert_seen(&r, "origin.service", "Environment", want);
        rendered_done(&r);
        /* with /proc the kernel's path serves */
        free(text);
        ck_assert_int_ge(asprintf(&text, "[Service]\nExecStart=%s\n[X-Confinement]\n", prog), 0);
        r = render("origin.service", text);
        ck_assert_msg(!strstr(r.dropin, "LD_ORIGIN_PATH"), "%s", r.dropin);
        rendered_done(&r);
        tu_rm_rf(dir);
}
END_TEST

/* SPEC 2, templates: what names the instance is carried for systemd to expand at each start. */
START_TEST(template_carries_instance_paths_that_systemd_expands_per_instance) {
        Rendered r = render("vpn@.service", "[Service]\nExecStart=/bin/true /etc/vpn/%i.conf\n"
                                            "PIDFile=/run/vpn-%i.pid\nReadWritePaths=/var/lib/vpn/%i\n[X-Confinement]\n");
        assert_seen(&r, "vpn@a.service", "BindReadOnlyPaths", "-/etc/vpn/a.conf:/etc/vpn/a.conf:rbind");
        assert_seen(&r, "vpn@a.service", "BindPaths", "/var/lib/vpn/a:/var/lib/vpn/a:rbind");
        assert_seen_only(&r, "vpn@a.service", "PIDFile", "/run/confinement/vpn@a.service/run/vpn-a.pid");
        assert_seen_only(&r, "vpn@b.service", "RootDirectory", "/run/confinement/vpn@b.service/root");
        rendered_done(&r);
}
END_TEST

int main(void) {
        Suite *s = suite_create("unit-render");
        TCase *tc = tcase_create("against systemd-analyze");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, root_lines_give_an_empty_root_per_start_with_a_private_run);
        tcase_add_test(tc, each_rewritten_setting_reads_back_as_systemd_reads_it);
        tcase_add_test(tc, mount_dependencies_are_the_sources_dirs_sorted_each_once);
        tcase_add_test(tc, read_write_path_inside_the_root_is_left_to_systemd);
        tcase_add_test(tc, mode_defaults_fill_only_what_the_unit_leaves_unset);
        tcase_add_test(tc, private_users_only_where_no_command_keeps_root);
        tcase_add_test(tc, origin_program_without_proc_gets_ld_origin_path);
        tcase_add_test(tc, template_carries_instance_paths_that_systemd_expands_per_instance);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
