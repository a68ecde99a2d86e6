/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "path-util.h"
#include "test-util.h"

/* Inside the root every directory on the way to a bound file is a plain
 * directory, so the kernel resolves ".." there exactly as path_normalize()
 * does lexically. These tests build such a tree of plain directories and ask
 * the kernel (realpath(3)) what each spelling resolves to. */

static const char *const tree_dirs[] = { "a/b/c", "a/d", "e" };

static char *make_plain_tree(void) {
        char *d = tu_mkdtemp();
        for (size_t i = 0; i < ELEMENTSOF(tree_dirs); i++) {
                _cleanup_free_ char *p = NULL;
                ck_assert_int_ge(asprintf(&p, "%s/%s", d, tree_dirs[i]), 0);
                tu_mkdir_p(p);
        }
        return d;
}

START_TEST(normalisation_agrees_with_the_kernel_on_a_tree_of_plain_directories) {
        static const char *const spellings[] = {
                "a/b/c",      "a//b///c",   "a/./b/./c/.", "a/b/c/",       "a/b/c/..",    "a/b/c/../..",
                "a/b/../d",   "a/b/c/../../d", "./a/../e",  "e/../a/./b/", "a/../a/../e", "a/b/../../e/.",
                "a/d/../b/c", ".",          "a/..",        "a/b/c/../../../e",
        };
        _cleanup_free_ char *d = make_plain_tree();

        for (size_t i = 0; i < ELEMENTSOF(spellings); i++) {
                _cleanup_free_ char *spelled = NULL, *ours = NULL;
                char kernel[PATH_MAX];
                ck_assert_int_ge(asprintf(&spelled, "%s/%s", d, spellings[i]), 0);
                ck_assert_msg(realpath(spelled, kernel), "realpath(%s): %m", spelled);
                ours = path_normalize(spelled);
                ck_assert_ptr_nonnull(ours);
                ck_assert_msg(streq(ours, kernel), "%s: path_normalize gives %s, the kernel %s", spelled, ours,
                              kernel);
        }
        tu_rm_rf(d);
}
END_TEST

START_TEST(dotdot_above_the_root_stays_at_the_root_as_in_the_kernel) {
        static const char *const spellings[] = { "/", "//", "///", "/.", "/..", "/../..", "/./../.", "/..//..//", "/tmp/../..",
                                                  "/tmp/../../tmp" };
        for (size_t i = 0; i < ELEMENTSOF(spellings); i++) {
                _cleanup_free_ char *ours = path_normalize(spellings[i]);
                char kernel[PATH_MAX];
                ck_assert_ptr_nonnull(realpath(spellings[i], kernel));
                ck_assert_ptr_nonnull(ours);
                ck_assert_msg(streq(ours, kernel), "%s: %s != %s", spellings[i], ours, kernel);
        }
}
END_TEST

START_TEST(normalisation_is_lexical_and_never_follows_symlinks) {
        /* A link "l -> a/b/c": the kernel's l/.. is a/b, the lexical one is the dir
         * holding l. Inside the root the link is a bind mount of its target on a plain
         * dir, so the lexical answer is the one the service sees. */
        _cleanup_free_ char *d = make_plain_tree();
        _cleanup_free_ char *link = tu_symlink("a/b/c", d, "l");
        _cleanup_free_ char *spelled = NULL, *ours = NULL;
        char kernel[PATH_MAX];
        ck_assert_int_ge(asprintf(&spelled, "%s/l/..", d), 0);
        ck_assert_ptr_nonnull(realpath(spelled, kernel));
        ours = path_normalize(spelled);
        ck_assert_ptr_nonnull(ours);
        ck_assert_str_eq(ours, d);
        ck_assert_str_ne(ours, kernel); /* the kernel followed the link to a/b */
        tu_rm_rf(d);
}
END_TEST

START_TEST(relative_or_null_path_is_einval) {
        errno = 0;
        ck_assert_ptr_null(path_normalize("a/b"));
        ck_assert_int_eq(errno, EINVAL);
        errno = 0;
        ck_assert_ptr_null(path_normalize(""));
        ck_assert_int_eq(errno, EINVAL);
        errno = 0;
        ck_assert_ptr_null(path_normalize(NULL));
        ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(join_normalises_the_joined_path_like_the_kernel) {
        _cleanup_free_ char *d = make_plain_tree();
        static const char *const rel[] = { "a/b/c", "../e", "a/b/../d", "/a//d/", "a/b/c/../../../e" };
        _cleanup_free_ char *base = NULL;
        ck_assert_int_ge(asprintf(&base, "%s/a", d), 0);
        for (size_t i = 0; i < ELEMENTSOF(rel); i++) {
                _cleanup_free_ char *joined = NULL, *ours = path_join_normalize(base, rel[i]);
                char kernel[PATH_MAX];
                ck_assert_int_ge(asprintf(&joined, "%s/%s", base, rel[i]), 0);
                if (!realpath(joined, kernel))
                        continue; /* a spelling that names nothing here */
                ck_assert_ptr_nonnull(ours);
                ck_assert_msg(streq(ours, kernel), "%s + %s: %s != %s", base, rel[i], ours, kernel);
        }
        tu_rm_rf(d);
}
END_TEST

START_TEST(dirname_and_basename_agree_with_libc_on_normalised_paths) {
        static const char *const paths[] = { "/", "/x", "/usr/bin", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                                             "/a b/c:d" };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_free_ char *ours = path_dirname(paths[i]);
                _cleanup_free_ char *copy1 = strdup(paths[i]), *copy2 = strdup(paths[i]);
                ck_assert_ptr_nonnull(ours);
                ck_assert_msg(streq(ours, dirname(copy1)), "dirname(%s): %s", paths[i], ours);
                if (!streq(paths[i], "/"))
                        ck_assert_str_eq(path_basename(paths[i]), basename(copy2));
        }
}
END_TEST

START_TEST(startswith_dir_matches_whole_components_only) {
        ck_assert(path_startswith_dir("/usr", "/usr"));
        ck_assert(path_startswith_dir("/usr/bin/ls", "/usr"));
        ck_assert(path_startswith_dir("/usr/bin/ls", "/usr/bin"));
        ck_assert(!path_startswith_dir("/usrx", "/usr"));
        ck_assert(!path_startswith_dir("/usr.bin/ls", "/usr"));
        ck_assert(!path_startswith_dir("/us", "/usr"));
        ck_assert(path_startswith_dir("/anything", "/"));
        ck_assert(path_startswith_dir("/", "/"));
        ck_assert(!path_startswith_dir("relative", "/"));
}
END_TEST

int main(void) {
        Suite *s = suite_create("path-util");
        TCase *tc = tcase_create("lexical");
        tcase_add_test(tc, normalisation_agrees_with_the_kernel_on_a_tree_of_plain_directories);
        tcase_add_test(tc, dotdot_above_the_root_stays_at_the_root_as_in_the_kernel);
        tcase_add_test(tc, normalisation_is_lexical_and_never_follows_symlinks);
        tcase_add_test(tc, relative_or_null_path_is_einval);
        tcase_add_test(tc, join_normalises_the_joined_path_like_the_kernel);
        tcase_add_test(tc, dirname_and_basename_agree_with_libc_on_normalised_paths);
        tcase_add_test(tc, startswith_dir_matches_whole_components_only);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
