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
        Closure c;
        ck_assert_int_eq(closure_init(&c, NULL, NULL), 0);
        ck_assert_int_eq(closure_add_program(&c, script, "ExecStart= of x.service"), 0);
        _cleanup_free_ char *tree = tree_of(c.binds), *want_root = NULL, *want_interp = NULL;
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
        closure_done(&c);
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

int main(void) {
        Suite *s = suite_create("explain");
        TCase *tc = tcase_create("tree");
        tcase_add_test(tc, each_path_hangs_below_the_path_that_needed_it);
        tcase_add_test(tc, reasons_naming_each_other_in_a_ring_still_print_every_path_once);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
