/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "closure.h"
#include "explain.h"
#include "macro.h"
#include "strv.h"
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

/* The line of the tree that shows dest, and its depth (3 characters per level; the
 * box-drawing characters are one each). */
static size_t depth_of_line(const char *line, const char *dest) {
        const char *at = strstr(line, dest);
        size_t chars = 0;
        ck_assert_ptr_nonnull(at);
        for (const char *p = line; p < at; p++)
                chars += ((unsigned char) *p & 0xC0) != 0x80;
        return chars / 3;
}

/* The depth of the line that shows dest (followed by two blanks or an arrow), and the
 * line of the nearest path above it one level up: its parent in the tree. */
static size_t tree_position(const char *tree, const char *dest, char **ret_parent_line) {
        _cleanup_strv_free_ char **lines = NULL;
        ck_assert_int_eq(strv_split(tree, "\n", &lines), 0);
        _cleanup_free_ char *two = asprintf_safe("%s  (", dest), *arrow = asprintf_safe("%s -> ", dest);
        for (size_t i = 0; lines[i]; i++) {
                if (!strstr(lines[i], two) && !strstr(lines[i], arrow))
                        continue;
                size_t depth = depth_of_line(lines[i], dest);
                *ret_parent_line = NULL;
                for (size_t j = i; depth > 0 && j-- > 0;)
                        if (strlen(lines[j]) > 0 && strchr(lines[j], '/') &&
                            depth_of_line(lines[j], "/") == depth - 1) {
                                *ret_parent_line = strdup(lines[j]);
                                break;
                        }
                return depth;
        }
        ck_abort_msg("%s not in the tree:\n%s", dest, tree);
        return 0;
}

/* The parent is kept with each path, never read back from the reason: a script whose
 * path holds " of /" still has its interpreter below it (read from the reason "#!
 * interpreter of D/a of /run", the parent would be "/run"). */
START_TEST(a_path_holding_of_still_hangs_below_the_path_that_needed_it) {
        _cleanup_free_ char *d = tu_mkdtemp();
        _cleanup_free_ char *script = tu_write_exec(d, "a of /run", "#!/usr/bin/dash\necho hi\n");
        _cleanup_(closure_freep) Closure *c = NULL;
        ck_assert_int_eq(closure_new(NULL, NULL, &c), 0);
        ck_assert_int_eq(closure_add_program(c, script, "ExecStart= of x.service"), 0);
        _cleanup_free_ char *tree = tree_of(closure_binds(c)), *parent = NULL;
        ck_assert_msg(tree_position(tree, "/usr/bin/dash", &parent) == 1, "%s", tree);
        ck_assert_msg(parent && strstr(parent, script) == parent, "%s", tree);
        tu_rm_rf(d);
}
END_TEST

/* A library found through the DT_RPATH of the program that loaded its requester hangs
 * below the requester, the object ld.so searched for (the reason also names the program
 * whose DT_RPATH found it, as "via DT_RPATH of PROG": the last " of /" in it). */
START_TEST(a_library_found_through_an_inherited_rpath_hangs_below_its_requester) {
        _cleanup_free_ char *d = tu_mkdtemp();
        _cleanup_free_ char *lib = asprintf_safe("%s/lib", d), *flags_a = NULL, *flags_p = NULL;
        free(tu_cc(d, "lib/libb.so", "int b(void) { return 1; }\n", "-shared -fPIC"));
        flags_a = asprintf_safe("-shared -fPIC -L'%s' -lb", lib); /* no DT_RPATH of its own */
        free(tu_cc(d, "lib/liba.so", "int b(void);\nint a(void) { return b() + 1; }\n", flags_a));
        flags_p = asprintf_safe("-L'%s' -la '-Wl,-rpath-link,%s' '-Wl,--disable-new-dtags,-rpath,$ORIGIN/../lib'", lib, lib);
        _cleanup_free_ char *prog = tu_cc(d, "bin/prog", "int a(void);\nint main(void) { return a() != 2; }\n", flags_p);
        tu_sh("'%s'", prog); /* it runs: libb resolves through prog's DT_RPATH */
        _cleanup_(closure_freep) Closure *c = NULL;
        ck_assert_int_eq(closure_new(NULL, NULL, &c), 0);
        ck_assert_int_eq(closure_add_program(c, prog, "ExecStart= of x.service"), 0);
        _cleanup_free_ char *tree = tree_of(closure_binds(c)), *parent = NULL;
        _cleanup_free_ char *liba = asprintf_safe("%s/liba.so", lib), *libb = asprintf_safe("%s/libb.so", lib);
        ck_assert_msg(strstr(tree, "via DT_RPATH of "), "%s", tree);
        ck_assert_msg(tree_position(tree, libb, &parent) == 2, "%s", tree);
        ck_assert_msg(parent && strstr(parent, liba), "%s", tree);
        tu_rm_rf(d);
}
END_TEST

START_TEST(reasons_naming_each_other_in_a_ring_still_print_every_path_once) {
        PathSet *s = path_set_new();
        ck_assert_int_eq(path_set_add(s, "/a", "/a", "/b", "needed by /b"), 1);
        ck_assert_int_eq(path_set_add(s, "/b", "/b", "/a", "needed by /a"), 1);
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
        ck_assert_int_eq(path_set_add(binds, "/usr/bin/ls", "/usr/bin/ls", NULL, "Packages="), 1);
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
        tcase_add_test(tc, a_path_holding_of_still_hangs_below_the_path_that_needed_it);
        tcase_add_test(tc, a_library_found_through_an_inherited_rpath_hangs_below_its_requester);
        tcase_add_test(tc, reasons_naming_each_other_in_a_ring_still_print_every_path_once);
        tcase_add_test(tc, programs_inside_sh_c_strings_that_the_root_lacks_are_warned_about);
        tcase_add_test(tc, settings_are_explained_with_why_private_users_is_not_written);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
