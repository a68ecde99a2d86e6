/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "specifier.h"
#include "test-util.h"

static char *expand_ok(const Specifiers *sp, const char *s) {
        char *r = NULL, *e = NULL;
        ck_assert_msg(specifier_expand(s, sp, &r, &e) == 0, "%s: %s", s, e ? e : "");
        free(e);
        return r;
}

static void check(const Specifiers *sp, const char *s, const char *expected) {
        char *r = expand_ok(sp, s);
        ck_assert_str_eq(r, expected);
        free(r);
}

START_TEST(name_specifiers_of_an_instance) {
        Specifiers sp = { .name = "foo-bar-baz@a\\x2db-c.service" };
        check(&sp, "%n", "foo-bar-baz@a\\x2db-c.service");
        check(&sp, "%N", "foo-bar-baz@a\\x2db-c");
        check(&sp, "%p", "foo-bar-baz");
        check(&sp, "%P", "foo/bar/baz");
        check(&sp, "%i", "a\\x2db-c");
        check(&sp, "%I", "a-b/c");
        check(&sp, "%j", "baz");
        check(&sp, "%J", "baz");
        check(&sp, "%f", "/a-b/c");
}
END_TEST

START_TEST(name_specifiers_of_a_plain_unit) {
        Specifiers sp = { .name = "dev-disk.service" };
        check(&sp, "[%i][%I]", "[][]");
        check(&sp, "%f", "/dev/disk");
        check(&sp, "%j", "disk");
        Specifiers nodash = { .name = "nginx.service" };
        check(&nodash, "%j", "nginx");
}
END_TEST

START_TEST(percent_rules_as_systemd) {
        Specifiers sp = { .name = "a.service" };
        check(&sp, "100%%", "100%");
        check(&sp, "50%", "50%");          /* trailing % stays */
        check(&sp, "%-x %/", "%-x %/");    /* % before a non-alphanumeric stays */
        char *r = NULL, *e = NULL;
        ck_assert_int_eq(specifier_expand("x%Zy", &sp, &r, &e), -EBADMSG);
        ck_assert_str_eq(e, "unknown specifier %Z");
        free(e);
        e = NULL;
        ck_assert_int_eq(specifier_expand("%9", &sp, &r, &e), -EBADMSG);
        free(e);
}
END_TEST

START_TEST(user_specifiers_are_the_managers_root_whatever_user_says) {
        Specifiers sp = { .name = "a.service" };
        check(&sp, "%u:%U:%g:%G:%h:%s", "root:0:root:0:/root:/bin/sh");
}
END_TEST

START_TEST(system_manager_dirs) {
        Specifiers sp = { .name = "a.service" };
        check(&sp, "%t %S %C %L %E %T %V %d", "/run /var/lib /var/cache /var/log /etc /tmp /var/tmp /run/credentials/a.service");
}
END_TEST

START_TEST(host_specifiers_come_from_the_host) {
        Specifiers sp = { .name = "a.service" };
        struct utsname u;
        ck_assert_int_eq(uname(&u), 0);
        check(&sp, "%v", u.release);
        check(&sp, "%H", u.nodename);
        char *b = expand_ok(&sp, "%b");
        ck_assert_int_eq(strlen(b), 32);
        free(b);
        if (strcmp(u.machine, "x86_64") == 0)
                check(&sp, "%a", "x86-64");
}
END_TEST

START_TEST(os_release_and_machine_id_from_root) {
        char *root = tu_mkdtemp();
        free(tu_write(root, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n# c\nVARIANT_ID='x y'\n"));
        free(tu_write(root, "etc/machine-id", "0123456789abcdef0123456789abcdef\n"));
        free(tu_write(root, "etc/machine-info", "PRETTY_HOSTNAME=\"My Box\"\n"));
        Specifiers sp = { .name = "a.service", .root = root };
        check(&sp, "%o-%w-%W-[%B]-%m-%q", "debian-12-x y-[]-0123456789abcdef0123456789abcdef-My Box");
        tu_rm_rf(root);
        free(root);

        root = tu_mkdtemp(); /* no os-release at all: systemd fails */
        Specifiers none = { .name = "a.service", .root = root };
        char *r = NULL, *e = NULL;
        ck_assert_int_eq(specifier_expand("%o", &none, &r, &e), -EBADMSG);
        free(e);
        e = NULL;
        ck_assert_int_eq(specifier_expand("%m", &none, &r, &e), -EBADMSG); /* cannot know it */
        ck_assert_ptr_nonnull(strstr(e, "cannot be resolved at boot"));
        free(e);
        tu_rm_rf(root);
        free(root);
}
END_TEST

/* A FIFO at /etc/machine-id (or os-release) must not block the generator, and so the boot:
 * %m is then unknown, as when the file is missing. */
START_TEST(fifo_as_machine_id_or_os_release_fails_without_blocking) {
        char *root = tu_mkdtemp(), *p = NULL, *r = NULL, *e = NULL;
        free(tu_write(root, "etc/.keep", ""));
        ck_assert_int_ge(asprintf(&p, "%s/etc/machine-id", root), 0);
        ck_assert_int_eq(mkfifo(p, 0600), 0);
        free(p);
        ck_assert_int_ge(asprintf(&p, "%s/etc/os-release", root), 0);
        ck_assert_int_eq(mkfifo(p, 0600), 0);
        Specifiers sp = { .name = "a.service", .root = root };
        ck_assert_int_eq(specifier_expand("%m", &sp, &r, &e), -EBADMSG);
        free(e);
        e = NULL;
        ck_assert_int_eq(specifier_expand("%o", &sp, &r, &e), -EBADMSG);
        free(e);
        free(p);
        tu_rm_rf(root);
        free(root);
}
END_TEST

START_TEST(fragment_specifiers_resolve_symlinks) {
        char *dir = tu_mkdtemp(), *file = tu_write(dir, "real/a.service", "[Service]\n"), *link, *expect;
        link = tu_symlink(file, dir, "link.service");
        Specifiers sp = { .name = "a.service", .fragment = link };
        check(&sp, "%y", file);
        ck_assert_int_ge(asprintf(&expect, "%s/real", dir), 0);
        check(&sp, "%Y", expect);
        Specifiers nofrag = { .name = "a.service" };
        char *r = NULL, *e = NULL;
        ck_assert_int_eq(specifier_expand("%y", &nofrag, &r, &e), -EBADMSG);
        free(e);
        tu_rm_rf(dir);
        free(dir), free(file), free(link), free(expect);
}
END_TEST

START_TEST(systemd_failures_are_told_apart_from_ours) {
        Specifiers sp = { .name = "a@bad\\xZZ.service" };
        char *r = NULL, *e = NULL;
        bool systemd_fails = false;
        ck_assert_int_eq(specifier_expand_full("%I", &sp, 100, &r, &e, &systemd_fails), -EBADMSG);
        ck_assert(systemd_fails);
        free(e), e = NULL;
        ck_assert_int_eq(specifier_expand_full("%c", &sp, 100, &r, &e, &systemd_fails), -EBADMSG);
        ck_assert(!systemd_fails);
        free(e), e = NULL;
        ck_assert_int_eq(specifier_expand_full("%n%n%n%n%n", &sp, 40, &r, &e, &systemd_fails), -EBADMSG);
        ck_assert(systemd_fails); /* longer than the setting allows */
        free(e);
}
END_TEST

int main(void) {
        Suite *s = suite_create("specifier");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, name_specifiers_of_an_instance);
        tcase_add_test(tc, name_specifiers_of_a_plain_unit);
        tcase_add_test(tc, percent_rules_as_systemd);
        tcase_add_test(tc, user_specifiers_are_the_managers_root_whatever_user_says);
        tcase_add_test(tc, system_manager_dirs);
        tcase_add_test(tc, host_specifiers_come_from_the_host);
        tcase_add_test(tc, os_release_and_machine_id_from_root);
        tcase_add_test(tc, fifo_as_machine_id_or_os_release_fails_without_blocking);
        tcase_add_test(tc, fragment_specifiers_resolve_symlinks);
        tcase_add_test(tc, systemd_failures_are_told_apart_from_ours);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
