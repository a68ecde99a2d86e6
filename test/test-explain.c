/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "closure.h"
#include "explain.h"
#include "test-util.h"

static char *tree_of(PathSet *s) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(explain_print_tree(f, s), 0);
        fclose(f);
        return buf;
}

/* A real closure: a script run by ExecStart=, its interpreter, the
 * interpreter's libraries; each appears below what needed it. */
START_TEST(each_path_hangs_below_the_path_that_needed_it) {
        _cleanup_free_ char *d = tu_mkdtemp();
        _cleanup_free_ char *script = tu_write_exec(d, "bin/run", "#!/usr/bin/dash\necho hi\n");
        Closure *c = NULL;
        ck_assert_int_eq(closure_new(NULL, NULL, &c), 0);
        ck_assert_int_eq(closure_add_program(c, script, "ExecStart= of x.service"), 0);
        _cleanup_free_ char *tree = tree_of(closure_binds(c)), *want_root = NULL, *want_interp = NULL;
        ck_assert_int_ge(asprintf(&want_root, "%s  (ExecStart= of x.service)\n", script), 0);
        ck_assert_int_ge(asprintf(&want_interp, "└─ /usr/bin/dash  (#! interpreter of %s)\n", script), 0);
        ck_assert_msg(strstr(tree, want_root), "%s", tree);
        ck_assert_msg(strstr(tree, want_interp), "%s", tree);
        /* dash's libc: two levels down, reached through its link */
        _cleanup_free_ char *libdir = tu_system_lib_dir(), *libc = NULL, *mid = NULL, *last = NULL;
        char real[PATH_MAX];
        ck_assert_int_ge(asprintf(&libc, "%s/libc.so.6", libdir), 0);
        ck_assert_ptr_nonnull(realpath(libc, real));
        const char *tail = streq(real, libc) ? "  (" : " -> "; /* the arrow: a link on the way */
        ck_assert_int_ge(asprintf(&mid, "   ├─ %s%s", libc, tail), 0);
        ck_assert_int_ge(asprintf(&last, "   └─ %s%s", libc, tail), 0);
        ck_assert_msg(strstr(tree, mid) || strstr(tree, last), "%s", tree);
        c = closure_free(c);
        tu_rm_rf(d);
}
END_TEST

START_TEST(reasons_naming_each_other_in_a_ring_still_print_every_path_once) {
        PathSet *s = path_set_new();
        ck_assert_int_eq(path_set_add(s, "/a", "/a", "needed by /b"), 1);
        ck_assert_int_eq(path_set_add(s, "/b", "/b", "needed by /a"), 1);
        _cleanup_free_ char *tree = tree_of(s);
        ck_assert_msg(strstr(tree, "/a  (needed by /b)") && strstr(tree, "/b  (needed by /a)"), "%s", tree);
        ck_assert_ptr_null(strstr(strstr(tree, "/a  (") + 1, "/a  ("));
        path_set_free(s);
}
END_TEST

/* The generator does not parse shell: a program that a "sh -c" string runs by
 * name or path, that exists on the host and is not bound, gets a warning;
 * builtins, arguments and bound programs do not. */
START_TEST(programs_inside_sh_c_strings_that_the_root_lacks_are_warned_about) {
        _cleanup_free_ char *d = tu_mkdtemp();
        _cleanup_free_ char *unit = tu_write(d, "x.service",
                "[Service]\nExecStart=/bin/sh -c \"set -e; VAR=1 exec /usr/bin/env true; [ -x /x ] && echo hi\"\n"
                "ExecStartPost=/bin/bash -ec 'ls / | cat'\n");
        _cleanup_(unit_text_done) UnitText t = {};
        ck_assert_int_eq(unit_text_load_file(&t, unit), 0);
        PathSet *binds = path_set_new();
        ck_assert_int_eq(path_set_add(binds, "/usr/bin/ls", "/usr/bin/ls", "Packages="), 1);
        const Specifiers sp = { .name = "x.service" };
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        ck_assert_int_eq(explain_print_shell_warnings(f, &t, &sp, NULL, binds), 2);
        fclose(f);
        ck_assert_msg(strstr(buf, "ExecStart= runs \"/usr/bin/env\""), "%s", buf);
        ck_assert_msg(strstr(buf, "ExecStartPost= runs \"cat\" inside a sh -c string, and the root lacks /usr/bin/cat"),
                      "%s", buf);
        ck_assert_msg(!strstr(buf, "\"true\"") && !strstr(buf, "\"ls\"") && !strstr(buf, "\"echo\""), "%s", buf);
        free(buf);
        path_set_free(binds);
        tu_rm_rf(d);
}
END_TEST

/* PrivateUsers= is explained whether or not it is written. */
START_TEST(settings_are_explained_with_why_private_users_is_not_written) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        explain_print_settings(f, "[Service]\nRootDirectory=/run/confinement/%n/root\nPrivateTmp=yes\n",
                               "not written: a command keeps root");
        fclose(f);
        ck_assert_msg(strstr(buf, "#   RootDirectory=: every command runs in that root\n"), "%s", buf);
        ck_assert_msg(strstr(buf, "#   PrivateTmp=: a default of the mode"), "%s", buf);
        ck_assert_msg(strstr(buf, "#   PrivateUsers=: not written: a command keeps root\n"), "%s", buf);
        free(buf);
}
END_TEST

int main(void) {
        Suite *s = suite_create("explain");
        TCase *tc = tcase_create("tree");
        tcase_add_test(tc, each_path_hangs_below_the_path_that_needed_it);
        tcase_add_test(tc, reasons_naming_each_other_in_a_ring_still_print_every_path_once);
        tcase_add_test(tc, programs_inside_sh_c_strings_that_the_root_lacks_are_warned_about);
        tcase_add_test(tc, settings_are_explained_with_why_private_users_is_not_written);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
