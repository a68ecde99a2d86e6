/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The drop-in's lines case by case, each checked against systemd's own reading of the text
 * (systemd-analyze verify's dump of the unit with the drop-in), not against the text. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "test-util.h"
#include "unit-confine.h"
#include "unit-file.h"
#include "unit-render.h"

typedef struct Rendered {
        char *dir;    /* the unit dir: the fragment and NAME.d/zz-confinement.conf */
        char *dropin; /* the text unit_render_dropin() wrote */
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
        ck_assert_msg(r == 0, "%s: %s", name, closure_error(&uc.closure) ?: strerror(-r));
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
}

/* What systemd reads for key in unit (an instance of a rendered template may be named). */
static char **seen(const Rendered *r, const char *unit, const char *key) {
        _cleanup_free_ char *dump = tu_systemd_dump(r->dir, unit);
        ck_assert_msg(strstr(dump, "\t\tUnit Load State: loaded\n"), "%s did not load:\n%s", unit, dump);
        return tu_dump_values(dump, key);
}

static void assert_seen(const Rendered *r, const char *unit, const char *key, const char *want) {
        _cleanup_strv_free_ char **v = seen(r, unit, key);
        ck_assert_msg(strv_contains(v, want), "%s: systemd reads no %s: %s from\n%s", unit, key, want, r->dropin);
}

static void assert_seen_only(const Rendered *r, const char *unit, const char *key, const char *want) {
        _cleanup_strv_free_ char **v = seen(r, unit, key);
        ck_assert_msg(strv_length(v) == 1 && streq(v[0], want), "%s: systemd reads %s: %s, not %s, from\n%s", unit,
                      key, v ? v[0] : "(nothing)", want, r->dropin);
}

#define TRUE_UNIT "[Service]\nExecStart=/bin/true\n"

/* SPEC 4 "Root": an empty root made for each start, with the private /run and journal sockets. */
START_TEST(root_lines_give_an_empty_root_per_start_with_a_private_run) {
        Rendered r = render("root.service", TRUE_UNIT "[X-Confinement]\n");
        assert_seen_only(&r, "root.service", "RootDirectory", "/run/confinement/root.service/root");
        assert_seen_only(&r, "root.service", "TemporaryFileSystem", "/");
        assert_seen(&r, "root.service", "RuntimeDirectory", "confinement/root.service/root");
        assert_seen(&r, "root.service", "RuntimeDirectory", "confinement/root.service/run");
        assert_seen(&r, "root.service", "BindPaths", "/run/confinement/root.service/run:/run:rbind");
        assert_seen(&r, "root.service", "BindPaths", "/run/confinement/root.service/run:/var/run:rbind");
        /* the root's own path shows only the private /run, read-only */
        assert_seen(&r, "root.service", "BindReadOnlyPaths",
                    "/run/confinement/root.service/run:/run/confinement/root.service/root:rbind");
        assert_seen(&r, "root.service", "BindReadOnlyPaths", "-/run/systemd/journal/socket:/run/systemd/journal/socket:rbind");
        /* the program itself, at the path the unit names */
        _cleanup_free_ char *real = realpath("/bin/true", NULL), *want = NULL;
        ck_assert_int_ge(asprintf(&want, "%s:/bin/true:rbind", real), 0);
        assert_seen(&r, "root.service", "BindReadOnlyPaths", want);
        rendered_done(&r);
}
END_TEST

/* /var/lock is a link to /run/lock on the host: in the root, the private /run's lock dir. */
START_TEST(var_lock_is_the_private_runs_lock_dir) {
        Rendered r = render("lock.service", TRUE_UNIT "[X-Confinement]\n");
        assert_seen(&r, "lock.service", "RuntimeDirectory", "confinement/lock.service/run/lock");
        assert_seen(&r, "lock.service", "BindPaths", "/run/confinement/lock.service/run/lock:/var/lock:rbind");
        rendered_done(&r);
}
END_TEST

/* The unit's own dir under /run is the host's, and reached under /var/run too. */
START_TEST(runtime_directory_is_bound_under_var_run_as_well) {
        Rendered r = render("redis.service", TRUE_UNIT "RuntimeDirectory=redis\n[X-Confinement]\n");
        assert_seen(&r, "redis.service", "BindPaths", "-/run/redis:/var/run/redis:rbind");
        rendered_done(&r);
        r = render("pg.service", TRUE_UNIT "BindPaths=/var/run/postgresql\n[X-Confinement]\n");
        assert_seen(&r, "pg.service", "BindPaths", "-/run/postgresql:/run/postgresql:rbind");
        rendered_done(&r);
}
END_TEST

/* PID 1 reads PIDFile= on the host: one in the private /run is under CONFINEMENT_RUN there. */
START_TEST(pid_file_in_the_private_run_is_read_from_the_host_side) {
        Rendered r = render("pid.service", TRUE_UNIT "PIDFile=/var/run/pid.pid\n[X-Confinement]\n");
        assert_seen_only(&r, "pid.service", "PIDFile", "/run/confinement/pid.service/run/pid.pid");
        rendered_done(&r);
        r = render("rel.service", TRUE_UNIT "PIDFile=rel/x.pid\n[X-Confinement]\n");
        assert_seen_only(&r, "rel.service", "PIDFile", "/run/confinement/rel.service/run/rel/x.pid");
        rendered_done(&r);
}
END_TEST

START_TEST(pid_file_in_a_dir_bound_from_the_host_is_left_alone) {
        Rendered r = render("own.service", TRUE_UNIT "RuntimeDirectory=own\nPIDFile=/run/own/own.pid\n[X-Confinement]\n");
        assert_seen_only(&r, "own.service", "PIDFile", "/run/own/own.pid");
        ck_assert_msg(!strstr(r.dropin, "PIDFile="), "%s", r.dropin);
        rendered_done(&r);
        r = render("out.service", TRUE_UNIT "PIDFile=/srv/out.pid\n[X-Confinement]\n");
        assert_seen_only(&r, "out.service", "PIDFile", "/srv/out.pid");
        rendered_done(&r);
}
END_TEST

/* ProtectSystem=yes/full remount /usr and /etc, absent from the root (226/NAMESPACE on 252). */
START_TEST(protect_system_yes_and_full_become_strict_and_others_stay) {
        static const char *const cases[][2] = {
                { "yes", "strict" }, { "full", "strict" }, { "strict", "strict" }, { "no", "no" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = NULL;
                ck_assert_int_ge(asprintf(&text, TRUE_UNIT "ProtectSystem=%s\n[X-Confinement]\n", cases[i][0]), 0);
                Rendered r = render("ps.service", text);
                assert_seen_only(&r, "ps.service", "ProtectSystem", cases[i][1]);
                rendered_done(&r);
        }
}
END_TEST

/* ReadWritePaths= resolve inside the root on 252: each is a writable bind of the host path. */
START_TEST(read_write_paths_become_writable_binds) {
        Rendered r = render("rw.service", TRUE_UNIT "ReadWritePaths=/var/lib/rw -/var/cache/rw +/inside\n[X-Confinement]\n");
        assert_seen(&r, "rw.service", "BindPaths", "/var/lib/rw:/var/lib/rw:rbind");
        assert_seen(&r, "rw.service", "BindPaths", "-/var/cache/rw:/var/cache/rw:rbind");
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
                ck_assert_msg(strv_length(v) == 1 && streq(v[0], cases[i].want), "%s: PrivateUsers: %s, want %s",
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

/* Harden=yes adds its lines to the same drop-in (their choice: test-harden.c). */
START_TEST(harden_lines_are_part_of_the_dropin) {
        Rendered r = render("h.service", TRUE_UNIT "User=nobody\n[X-Confinement]\nHarden=yes\n");
        /* 252's dump has no NoNewPrivileges line: two others it shows */
        assert_seen_only(&r, "h.service", "ProtectClock", "yes");
        assert_seen_only(&r, "h.service", "RestrictSUIDSGID", "yes");
        rendered_done(&r);
}
END_TEST

int main(void) {
        Suite *s = suite_create("unit-render");
        TCase *tc = tcase_create("against systemd-analyze");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, root_lines_give_an_empty_root_per_start_with_a_private_run);
        tcase_add_test(tc, var_lock_is_the_private_runs_lock_dir);
        tcase_add_test(tc, runtime_directory_is_bound_under_var_run_as_well);
        tcase_add_test(tc, pid_file_in_the_private_run_is_read_from_the_host_side);
        tcase_add_test(tc, pid_file_in_a_dir_bound_from_the_host_is_left_alone);
        tcase_add_test(tc, protect_system_yes_and_full_become_strict_and_others_stay);
        tcase_add_test(tc, read_write_paths_become_writable_binds);
        tcase_add_test(tc, mode_defaults_fill_only_what_the_unit_leaves_unset);
        tcase_add_test(tc, private_users_only_where_no_command_keeps_root);
        tcase_add_test(tc, origin_program_without_proc_gets_ld_origin_path);
        tcase_add_test(tc, template_carries_instance_paths_that_systemd_expands_per_instance);
        tcase_add_test(tc, harden_lines_are_part_of_the_dropin);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
