/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "path-set.h"
#include "strv.h"
#include "test-util.h"

START_TEST(add_reports_new_and_present_and_keeps_the_first_source_and_reason) {
        _cleanup_path_set_free_ PathSet *s = path_set_new();
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_eq(path_set_size(s), 0);
        ck_assert(!path_set_contains(s, "/bin/sh"));
        ck_assert_ptr_null(path_set_get(s, "/bin/sh"));

        ck_assert_int_eq(path_set_add(s, "/bin/sh", "/usr/bin/dash", NULL, "BinSh="), 1);
        ck_assert_int_eq(path_set_add(s, "/bin/sh", "/usr/bin/bash", "/usr/bin/x", "later"), 0);
        ck_assert_uint_eq(path_set_size(s), 1);

        const PathEntry *e = path_set_get(s, "/bin/sh");
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e->dest, "/bin/sh");
        ck_assert_str_eq(e->source, "/usr/bin/dash");
        ck_assert_str_eq(e->reason, "BinSh=");
        ck_assert_ptr_null(e->parent); /* a root; the later add's parent is not taken either */

        /* The parent is kept as its adder named it. */
        ck_assert_int_eq(path_set_add(s, "/lib/libc.so.6", NULL, "/bin/../bin/sh", "DT_NEEDED"), 1);
        ck_assert_str_eq(path_set_get(s, "/lib/libc.so.6")->parent, "/bin/../bin/sh");

        /* No source: the path is its own source. */
        ck_assert_int_eq(path_set_add(s, "/usr/bin/ls", NULL, NULL, NULL), 1);
        ck_assert_str_eq(path_set_get(s, "/usr/bin/ls")->source, "/usr/bin/ls");
        ck_assert_str_eq(path_set_get(s, "/usr/bin/ls")->reason, "");

        /* Keys are compared as whole strings, not prefixes. */
        ck_assert(!path_set_contains(s, "/bin"));
        ck_assert(!path_set_contains(s, "/bin/sh/"));
        ck_assert(!path_set_contains(s, "/bin/s"));
}
END_TEST

START_TEST(null_set_is_empty) {
        ck_assert_uint_eq(path_set_size(NULL), 0);
        ck_assert(!path_set_contains(NULL, "/x"));
        ck_assert_ptr_null(path_set_free(NULL));
}
END_TEST

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

START_TEST(sorted_order_is_strcmp_order_of_every_path_under_usr) {
        /* A real file list: every path under /usr/lib and /usr/bin as find(1)
         * prints it, in find's order (not sorted), added to the set. */
        _cleanup_free_ char *d = tu_mkdtemp(), *list = NULL;
        _cleanup_strv_free_ char **paths = NULL;
        ck_assert_int_ge(asprintf(&list, "%s/list", d), 0);
        tu_sh("find /usr/bin /usr/lib -maxdepth 3 -print 2>/dev/null | head -n 30000 > '%s' || true", list);

        _cleanup_fclose_ FILE *f = fopen(list, "re");
        ck_assert_ptr_nonnull(f);
        char line[8192];
        while (fgets(line, sizeof line, f)) {
                line[strcspn(line, "\n")] = 0;
                if (*line) /* find prints each path once */
                        ck_assert_int_eq(strv_extend(&paths, line), 0);
        }
        size_t n = strv_length(paths);
        ck_assert_uint_gt(n, 1000);

        _cleanup_path_set_free_ PathSet *s = path_set_new();
        STRV_FOREACH(p, paths)
                ck_assert_int_eq(path_set_add(s, *p, NULL, NULL, "listed by find"), 1);
        ck_assert_uint_eq(path_set_size(s), n);

        /* The same list sorted by the C library's strcmp, independently. */
        qsort(paths, n, sizeof(char *), cmp_str);
        const PathEntry **sorted = path_set_sorted(s);
        ck_assert_ptr_nonnull(sorted);
        for (size_t i = 0; i < n; i++) {
                ck_assert_ptr_nonnull(sorted[i]);
                ck_assert_str_eq(sorted[i]->dest, paths[i]);
        }
        ck_assert_ptr_null(sorted[n]);
        tu_rm_rf(d);
}
END_TEST

START_TEST(thousands_of_entries_survive_every_rehash) {
        enum { N = 50000 };
        _cleanup_path_set_free_ PathSet *s = path_set_new();
        char dest[64], source[64];

        for (unsigned i = 0; i < N; i++) {
                snprintf(dest, sizeof dest, "/d%u/f%u", i % 97, i);
                snprintf(source, sizeof source, "/src/%u", i);
                ck_assert_int_eq(path_set_add(s, dest, source, NULL, NULL), 1);
                ck_assert_uint_eq(path_set_size(s), i + 1);
                /* everything added so far is still found after this add's possible rehash */
                if ((i & (i + 1)) == 0) /* i + 1 a power of two: where the table grows */
                        for (unsigned j = 0; j <= i; j++) {
                                snprintf(dest, sizeof dest, "/d%u/f%u", j % 97, j);
                                ck_assert_msg(path_set_contains(s, dest), "lost %s after %u adds", dest, i + 1);
                        }
        }
        for (unsigned i = 0; i < N; i++) {
                snprintf(dest, sizeof dest, "/d%u/f%u", i % 97, i);
                snprintf(source, sizeof source, "/src/%u", i);
                const PathEntry *e = path_set_get(s, dest);
                ck_assert_ptr_nonnull(e);
                ck_assert_str_eq(e->source, source);
                ck_assert_int_eq(path_set_add(s, dest, "/other", NULL, NULL), 0);
        }
        ck_assert_uint_eq(path_set_size(s), N);
        for (unsigned i = N; i < N + 1000; i++) {
                snprintf(dest, sizeof dest, "/d%u/f%u", i % 97, i);
                ck_assert(!path_set_contains(s, dest));
        }
}
END_TEST

START_TEST(sorted_view_is_rebuilt_after_an_add) {
        _cleanup_path_set_free_ PathSet *s = path_set_new();
        ck_assert_int_eq(path_set_add(s, "/b", NULL, NULL, NULL), 1);
        ck_assert_int_eq(path_set_add(s, "/c", NULL, NULL, NULL), 1);
        const PathEntry **sorted = path_set_sorted(s);
        ck_assert_str_eq(sorted[0]->dest, "/b");
        ck_assert_str_eq(sorted[1]->dest, "/c");
        ck_assert_ptr_null(sorted[2]);

        ck_assert_int_eq(path_set_add(s, "/a", NULL, NULL, NULL), 1);
        sorted = path_set_sorted(s);
        ck_assert_str_eq(sorted[0]->dest, "/a");
        ck_assert_str_eq(sorted[1]->dest, "/b");
        ck_assert_str_eq(sorted[2]->dest, "/c");
        ck_assert_ptr_null(sorted[3]);

        _cleanup_path_set_free_ PathSet *empty = path_set_new();
        sorted = path_set_sorted(empty);
        ck_assert_ptr_nonnull(sorted);
        ck_assert_ptr_null(sorted[0]);
}
END_TEST

START_TEST(sorted_order_is_bytewise_for_non_ascii_bytes) {
        /* strcmp compares unsigned bytes: "\xc3\xa9" (é) and "\xff" after "~". */
        _cleanup_path_set_free_ PathSet *s = path_set_new();
        const char *const in[] = { "/\xff", "/z", "/~", "/\xc3\xa9", "/A", "/a b", "/a" };
        const char *const want[] = { "/A", "/a", "/a b", "/z", "/~", "/\xc3\xa9", "/\xff" };
        for (size_t i = 0; i < ELEMENTSOF(in); i++)
                ck_assert_int_eq(path_set_add(s, in[i], NULL, NULL, NULL), 1);
        const PathEntry **sorted = path_set_sorted(s);
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                ck_assert_str_eq(sorted[i]->dest, want[i]);
}
END_TEST

START_TEST(may_hold_length_is_false_only_for_lengths_no_entry_has) {
        _cleanup_path_set_free_ PathSet *s = path_set_new();
        char dest[400] = "/";
        ck_assert(!path_set_may_hold_length(NULL, 4));
        for (size_t n = 0; n < sizeof dest - 1; n++)
                ck_assert(path_set_may_hold_length(s, n) == (n >= 256)); /* longer: always looked up */

        const size_t lengths[] = { 1, 4, 63, 64, 65, 127, 128, 255, 256, 300 };
        for (size_t i = 0; i < ELEMENTSOF(lengths); i++) {
                memset(dest + 1, 'a', lengths[i] - 1);
                dest[lengths[i]] = 0;
                ck_assert_int_eq(path_set_add(s, dest, NULL, NULL, NULL), 1);
        }
        for (size_t n = 0; n < sizeof dest - 1; n++) {
                bool held = n >= 256;
                for (size_t i = 0; i < ELEMENTSOF(lengths); i++)
                        held = held || lengths[i] == n;
                ck_assert_msg(path_set_may_hold_length(s, n) == held, "length %zu", n);
        }
}
END_TEST

int main(void) {
        Suite *s = suite_create("path-set");
        TCase *tc = tcase_create("set");
        tcase_add_test(tc, add_reports_new_and_present_and_keeps_the_first_source_and_reason);
        tcase_add_test(tc, null_set_is_empty);
        tcase_add_test(tc, sorted_order_is_strcmp_order_of_every_path_under_usr);
        tcase_add_test(tc, thousands_of_entries_survive_every_rehash);
        tcase_add_test(tc, sorted_view_is_rebuilt_after_an_add);
        tcase_add_test(tc, sorted_order_is_bytewise_for_non_ascii_bytes);
        tcase_add_test(tc, may_hold_length_is_false_only_for_lengths_no_entry_has);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
