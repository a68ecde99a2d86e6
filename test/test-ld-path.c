/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The path lists and tokens of glibc's elf/dl-load.c (fillin_rpath(), is_dst(),
 * _dl_dst_substitute()), case by case. The same rules are checked end to end against
 * ld.so in test-ld-search (ldd) and test-dlopen-search (a real dlopen()). */
#include <check.h>
#include <stdlib.h>

#include "ld-path.h"
#include "macro.h"
#include "test-util.h"

static const LdTokens tokens = { .origin = "/opt/app/bin", .platform = "haswell", .lib = "lib/x86_64-linux-gnu" };

/* The dirs of value, joined with '|' ("" shows as "<cwd>"). */
static char *dirs_of(const char *value, const char *separators, const LdTokens *t) {
        _cleanup_(ld_path_list_done) LdPathList l = {};
        ck_assert_int_eq(ld_path_list_build(value, separators, t, &l), 0);
        char *out = calloc(1, 4096);
        for (size_t i = 0; i < l.n_dirs; i++) {
                if (i > 0)
                        strcat(out, "|");
                strcat(out, *l.dirs[i].dir ? l.dirs[i].dir : "<cwd>");
        }
        return out;
}

#define ASSERT_DIRS(value, seps, t, want)                               \
        do {                                                            \
                _cleanup_free_ char *got = dirs_of(value, seps, t);     \
                ck_assert_str_eq(got, want);                            \
        } while (0)

START_TEST(tokens_expand_bare_and_in_braces) {
        _cleanup_free_ char *a = ld_expand_tokens("$ORIGIN/../$LIB/${PLATFORM}", &tokens);
        ck_assert_str_eq(a, "/opt/app/bin/../lib/x86_64-linux-gnu/haswell");
}
END_TEST

START_TEST(unknown_token_stays_literal) {
        _cleanup_free_ char *a = ld_expand_tokens("/x/$FOO/${BAR}/$ORIGINX/y", &tokens);
        ck_assert_str_eq(a, "/x/$FOO/${BAR}/$ORIGINX/y");
}
END_TEST

START_TEST(origin_without_value_empties_the_entry) {
        LdTokens none = tokens;
        none.origin = NULL;
        _cleanup_free_ char *a = ld_expand_tokens("/x/$ORIGIN/y", &none);
        ck_assert_str_eq(a, "");
        ASSERT_DIRS("/a:$ORIGIN/lib:/b", ":", &none, "/a/|/b/");
}
END_TEST

START_TEST(empty_entry_is_the_current_directory) {
        ASSERT_DIRS("/a::/b", ":", &tokens, "/a/|<cwd>|/b/");
        ASSERT_DIRS(":/a", ":", &tokens, "<cwd>|/a/");
}
END_TEST

START_TEST(trailing_slashes_become_one) {
        ASSERT_DIRS("/a///:/:/b/", ":", &tokens, "/a/|/|/b/");
}
END_TEST

START_TEST(repeated_dir_is_searched_once) {
        ASSERT_DIRS("/a:/a/:$ORIGIN:/opt/app/bin", ":", &tokens, "/a/|/opt/app/bin/");
}
END_TEST

START_TEST(ld_library_path_splits_at_semicolons_too) {
        ASSERT_DIRS("/a;/b:/c", ":;", &tokens, "/a/|/b/|/c/");
}
END_TEST

START_TEST(origin_token_is_found_only_as_a_token) {
        ck_assert(ld_has_origin_token("$ORIGIN/../lib"));
        ck_assert(ld_has_origin_token("/x:${ORIGIN}"));
        ck_assert(!ld_has_origin_token("$ORIGINAL/lib"));
        ck_assert(!ld_has_origin_token("/usr/lib"));
        ck_assert(!ld_has_origin_token(NULL));
}
END_TEST

int main(void) {
        Suite *s = suite_create("ld-path");
        TCase *tc = tcase_create("tokens");
        tcase_add_test(tc, tokens_expand_bare_and_in_braces);
        tcase_add_test(tc, unknown_token_stays_literal);
        tcase_add_test(tc, origin_without_value_empties_the_entry);
        tcase_add_test(tc, empty_entry_is_the_current_directory);
        tcase_add_test(tc, trailing_slashes_become_one);
        tcase_add_test(tc, repeated_dir_is_searched_once);
        tcase_add_test(tc, ld_library_path_splits_at_semicolons_too);
        tcase_add_test(tc, origin_token_is_found_only_as_a_token);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
