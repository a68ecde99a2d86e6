/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strv.h"
#include "test-util.h"
#include "unit-file.h"

static int load(UnitText *u, const char *text) {
        return unit_text_load_buffer(u, text, strlen(text), "test.service");
}

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(comment_only_at_line_start) {
        UnitText u = {};
        ck_assert_int_eq(load(&u, "[Service]\n  # ExecStart=/bin/no\n;X=1\nExecStart=/bin/a # not a comment\n"), 0);
        ck_assert_str_eq(unit_text_get(&u, "Service", "ExecStart"), "/bin/a # not a comment");
        ck_assert_ptr_null(unit_text_get(&u, "Service", "X"));
        unit_text_done(&u);
}
END_TEST

START_TEST(continuation_joins_lines_and_skips_comment_lines) {
        UnitText u = {};
        ck_assert_int_eq(load(&u, "[Service]\nExecStart=/bin/a \\\n# comment inside\n  b \\\n c\n"), 0);
        /* the backslash becomes a space, following lines are appended as they are */
        ck_assert_str_eq(unit_text_get(&u, "Service", "ExecStart"), "/bin/a    b   c");
        unit_text_done(&u);
}
END_TEST

START_TEST(escaped_backslash_is_no_continuation) {
        UnitText u = {};
        ck_assert_int_eq(load(&u, "[Service]\nA=x\\\\\nB=y\\\n"), 0);
        ck_assert_str_eq(unit_text_get(&u, "Service", "A"), "x\\\\");
        /* a continuation still open at the end of the file is parsed */
        ck_assert_str_eq(unit_text_get(&u, "Service", "B"), "y");
        unit_text_done(&u);
}
END_TEST

START_TEST(whitespace_around_key_and_value_stripped) {
        UnitText u = {};
        ck_assert_int_eq(load(&u, "  [Service]  \n\t Key \t=\t value with  inner  \r\n"), 0);
        ck_assert_str_eq(unit_text_get(&u, "Service", "Key"), "value with  inner");
        unit_text_done(&u);
}
END_TEST

START_TEST(lines_outside_section_or_without_equals_are_skipped) {
        UnitText u = {};
        ck_assert_int_eq(load(&u, "A=1\n[Unit]\nnoequals\n=novalue\nB=2\n"), 0);
        ck_assert_ptr_null(unit_text_get(&u, "Unit", "A"));
        ck_assert_str_eq(unit_text_get(&u, "Unit", "B"), "2");
        ck_assert_int_eq(u.n, 2); /* the header and B */
        unit_text_done(&u);
}
END_TEST

START_TEST(last_assignment_wins_and_empty_is_returned_as_empty) {
        UnitText u = {};
        ck_assert_int_eq(load(&u, "[X-Confinement]\nMode=chroot-only\nMode=\n"), 0);
        ck_assert_str_eq(unit_text_get(&u, "X-Confinement", "Mode"), "");
        const UnitSetting *s = unit_text_get_setting(&u, "X-Confinement", "Mode");
        ck_assert_str_eq(s->file, "test.service");
        ck_assert_int_eq(s->line, 3);
        unit_text_done(&u);
}
END_TEST

START_TEST(later_file_overrides_and_list_resets_on_empty) {
        UnitText u = {};
        char **l = NULL;
        ck_assert_int_eq(unit_text_load_buffer(&u, "[X-Confinement]\nPackages=/a\nPackages=/b\n", 40, "frag"), 0);
        ck_assert_int_eq(load(&u, "[X-Confinement]\nPackages=\nPackages=/c\nPackages=/d\n"), 0);
        ck_assert_int_eq(unit_text_get_list(&u, "X-Confinement", "Packages", &l), 0);
        ck_assert_int_eq(strv_length(l), 2);
        ck_assert_str_eq(l[0], "/c");
        ck_assert_str_eq(l[1], "/d");
        strv_free(l);
        unit_text_done(&u);
}
END_TEST

START_TEST(effective_value_ignores_bad_values_and_resets_only_where_systemd_does) {
        UnitText u = {};
        ck_assert_int_eq(load(&u, "[Service]\nA=yes\nA=\nB=yes\nB=\nC=yes\nC=bogus\nD=\nE=no\nE=1\n"), 0);
        ck_assert_str_eq(unit_text_get_effective(&u, "Service", "A", parse_boolean, false)->value, "yes");
        ck_assert_ptr_null(unit_text_get_effective(&u, "Service", "B", parse_boolean, true));
        ck_assert_str_eq(unit_text_get_effective(&u, "Service", "C", parse_boolean, true)->value, "yes");
        ck_assert_ptr_null(unit_text_get_effective(&u, "Service", "D", parse_boolean, false));
        ck_assert_str_eq(unit_text_get_effective(&u, "Service", "E", parse_boolean, false)->value, "1");
        ck_assert_ptr_null(unit_text_get_effective(&u, "Service", "F", parse_boolean, false));
        unit_text_done(&u);
}
END_TEST

START_TEST(empty_section_still_exists) {
        UnitText u = {};
        ck_assert_int_eq(load(&u, "[Service]\nExecStart=/bin/true\n[X-Confinement]\n"), 0);
        ck_assert(unit_text_has_section(&u, "X-Confinement"));
        ck_assert(!unit_text_has_section(&u, "Install"));
        unit_text_done(&u);
}
END_TEST

START_TEST(bad_section_header_stops_the_file_keeping_what_came_before) {
        UnitText u = {};
        ck_assert_int_eq(load(&u, "[Service]\nA=1\n[Broken\nB=2\n"), -EBADMSG);
        ck_assert_str_eq(unit_text_get(&u, "Service", "A"), "1");
        ck_assert_ptr_null(unit_text_get(&u, "Service", "B"));
        unit_text_done(&u);
        ck_assert_int_eq(load(&u, "[Ser\"vice]\n"), -EBADMSG);
        unit_text_done(&u);
}
END_TEST

/* "The line counts, not the parse" (SPEC 1): every line "[X-Confinement]", numbered as the
 * parser numbers lines; those past a bad header or folded into a value have no header in
 * the parse. */
static void check_lines(const char *text, size_t size, const unsigned *want, size_t n_want, const bool *parsed) {
        _cleanup_free_ char *d = tu_mkdtemp(), *path = NULL;
        _cleanup_free_ unsigned *lines = NULL;
        size_t n = 0;
        UnitText u = {};
        ck_assert_int_ge(asprintf(&path, "%s/x.conf", d), 0);
        FILE *f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(text, 1, size, f), size);
        fclose(f);
        ck_assert_int_eq(unit_file_find_lines(path, "[X-Confinement]", &lines, &n), 0);
        ck_assert_uint_eq(n, n_want);
        (void) unit_text_load_file(&u, path);
        for (size_t i = 0; i < n; i++) {
                ck_assert_uint_eq(lines[i], want[i]);
                ck_assert_msg(unit_text_has_header_at(&u, "X-Confinement", path, lines[i]) == parsed[i],
                              "line %u", lines[i]);
        }
        unit_text_done(&u);
        /* The bytes read once (the generator's run) give the same lines and the same parse. */
        _cleanup_free_ unsigned *blines = NULL;
        size_t bn = 0;
        ck_assert_int_eq(unit_buffer_find_lines(text, size, "[X-Confinement]", &blines, &bn), 0);
        ck_assert_uint_eq(bn, n_want);
        (void) unit_text_load_buffer(&u, text, size, path);
        for (size_t i = 0; i < bn; i++) {
                ck_assert_uint_eq(blines[i], want[i]);
                ck_assert(unit_text_has_header_at(&u, "X-Confinement", path, blines[i]) == parsed[i]);
        }
        unit_text_done(&u);
        tu_rm_rf(d);
}

START_TEST(section_lines_are_found_where_systemd_stops_reading) {
        const char a[] = "[S]\rA=1\r\n  [X-Confinement]  \n\rB=2\0[X-Confinement]\n[Bad\n[X-Confinement]\n"
                         "# [X-Confinement]\n[X-Confinement] x\n";
        check_lines(a, sizeof a - 1, (unsigned[]) { 3, 5, 7 }, 3, (bool[]) { true, true, false });
        const char b[] = "[Service]\nA=x \\\n[X-Confinement]\n";
        check_lines(b, sizeof b - 1, (unsigned[]) { 3 }, 1, (bool[]) { false });
        /* past a line over systemd's limit */
        size_t big = UNIT_LINE_MAX + 10;
        _cleanup_free_ char *c = malloc(big + 64);
        ck_assert_ptr_nonnull(c);
        int k = sprintf(c, "[Service]\nA=");
        memset(c + k, 'x', big);
        k += big;
        k += sprintf(c + k, "\n[X-Confinement]\n");
        check_lines(c, k, (unsigned[]) { 3 }, 1, (bool[]) { false });
}
END_TEST

START_TEST(cr_lf_and_nul_all_end_lines) {
        UnitText u = {};
        const char text[] = "[S]\rA=1\r\nB=2\n\rC=3\0D=4";
        ck_assert_int_eq(unit_text_load_buffer(&u, text, sizeof text - 1, "t"), 0);
        ck_assert_str_eq(unit_text_get(&u, "S", "A"), "1");
        ck_assert_str_eq(unit_text_get(&u, "S", "B"), "2");
        ck_assert_str_eq(unit_text_get(&u, "S", "C"), "3");
        ck_assert_str_eq(unit_text_get(&u, "S", "D"), "4");
        unit_text_done(&u);
}
END_TEST

/* As systemd 252 (checked with systemd-analyze verify): a line that is not valid
 * UTF-8 ends the file; what came before it stays. */
START_TEST(invalid_utf8_line_ends_the_file_keeping_what_came_before) {
        UnitText u = {};
        ck_assert_int_eq(load(&u, "[S]\nB=\xc3\xa9\nA=\xff\xfe\nC=1\n"), -EBADMSG);
        ck_assert_str_eq(unit_text_get(&u, "S", "B"), "\xc3\xa9");
        ck_assert_ptr_null(unit_text_get(&u, "S", "A"));
        ck_assert_ptr_null(unit_text_get(&u, "S", "C"));
        unit_text_done(&u);
        ck_assert_int_eq(load(&u, "[S]\nC=\xc0\x80\n"), -EBADMSG); /* overlong encoding */
        ck_assert_ptr_null(unit_text_get(&u, "S", "C"));
        unit_text_done(&u);
}
END_TEST

START_TEST(utf8_bom_is_skipped_once) {
        UnitText u = {};
        ck_assert_int_eq(load(&u, "\xef\xbb\xbf[S]\nA=1\n"), 0);
        ck_assert_str_eq(unit_text_get(&u, "S", "A"), "1");
        unit_text_done(&u);
}
END_TEST

START_TEST(line_at_systemd_limit_is_an_error) {
        UnitText u = {};
        size_t n = UNIT_LINE_MAX + 16;
        char *buf = malloc(n);
        memcpy(buf, "[S]\nA=", 6);
        memset(buf + 6, 'x', n - 6);
        /* the line "A=xxx..." is exactly UNIT_LINE_MAX long: systemd refuses it */
        ck_assert_int_eq(unit_text_load_buffer(&u, buf, 4 + UNIT_LINE_MAX, "t"), -ENOBUFS);
        unit_text_done(&u);
        ck_assert_int_eq(unit_text_load_buffer(&u, buf, 4 + UNIT_LINE_MAX - 1, "t"), 0);
        ck_assert_int_eq(strlen(unit_text_get(&u, "S", "A")), UNIT_LINE_MAX - 3);
        unit_text_done(&u);
        free(buf);
}
END_TEST

START_TEST(continuation_longer_than_limit_is_an_error_in_linear_time) {
        UnitText u = {};
        size_t lines = 600000; /* "ab\\\n" x 600000: 1.8 MB joined */
        char *buf = malloc(4 + lines * 4 + 1), *p = buf;
        p = stpcpy(p, "[S]\n");
        for (size_t i = 0; i < lines; i++)
                p = stpcpy(p, "ab\\\n");
        double t = now_s();
        ck_assert_int_eq(unit_text_load_buffer(&u, buf, p - buf, "t"), -ENOBUFS);
        ck_assert_double_lt(now_s() - t, 2.0);
        unit_text_done(&u);
        free(buf);
}
END_TEST

START_TEST(ten_thousand_exec_lines_and_a_100mb_file_load_in_bounded_time) {
        char *dir = tu_mkdtemp(), *path;
        ck_assert_int_ge(asprintf(&path, "%s/big.service", dir), 0);
        FILE *f = fopen(path, "we");
        fputs("[Service]\n", f);
        for (int i = 0; i < 10000; i++)
                fprintf(f, "ExecStartPre=/bin/echo %d\n", i);
        char junk[1000];
        memset(junk, 'j', sizeof junk - 1);
        junk[sizeof junk - 1] = '\n';
        for (int i = 0; i < 100 * 1000; i++) /* 100 MB of lines without '=' */
                fwrite(junk, 1, sizeof junk, f);
        fputs("ExecStart=/bin/last\n", f);
        fclose(f);

        UnitText u = {};
        char **l = NULL;
        double t = now_s();
        ck_assert_int_eq(unit_text_load_file(&u, path), 0);
        ck_assert_double_lt(now_s() - t, 20.0);
        ck_assert_int_eq(unit_text_get_list(&u, "Service", "ExecStartPre", &l), 0);
        ck_assert_int_eq(strv_length(l), 10000);
        ck_assert_str_eq(unit_text_get(&u, "Service", "ExecStart"), "/bin/last");
        strv_free(l);
        unit_text_done(&u);
        tu_rm_rf(dir);
        free(path);
        free(dir);
}
END_TEST

START_TEST(binary_junk_never_crashes) {
        unsigned seed = 12345;
        for (int round = 0; round < 200; round++) {
                size_t n = rand_r(&seed) % 5000;
                char *buf = malloc(n + 1);
                for (size_t i = 0; i < n; i++) {
                        int k = rand_r(&seed) % 10;
                        buf[i] = k == 0 ? '\n' : k == 1 ? '[' : k == 2 ? '=' : k == 3 ? '\\' : (char) rand_r(&seed);
                }
                UnitText u = {};
                (void) unit_text_load_buffer(&u, buf, n, "junk");
                unit_text_done(&u);
                free(buf);
        }
}
END_TEST

START_TEST(missing_file_and_directory_are_errors) {
        UnitText u = {};
        ck_assert_int_eq(unit_text_load_file(&u, "/nonexistent/x.service"), -ENOENT);
        ck_assert_int_eq(unit_text_load_file(&u, "/"), -EISDIR);
        unit_text_done(&u);
}
END_TEST

START_TEST(parse_boolean_as_systemd) {
        const char *yes[] = { "1", "yes", "Y", "true", "t", "ON" }, *no[] = { "0", "no", "N", "False", "f", "off" };
        for (size_t i = 0; i < 6; i++) {
                ck_assert_int_eq(parse_boolean(yes[i]), 1);
                ck_assert_int_eq(parse_boolean(no[i]), 0);
        }
        ck_assert_int_eq(parse_boolean(""), -EINVAL);
        ck_assert_int_eq(parse_boolean("yes "), -EINVAL);
        ck_assert_int_eq(parse_boolean("2"), -EINVAL);
}
END_TEST

int main(void) {
        Suite *s = suite_create("unit-file");
        TCase *tc = tcase_create("core");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, comment_only_at_line_start);
        tcase_add_test(tc, continuation_joins_lines_and_skips_comment_lines);
        tcase_add_test(tc, escaped_backslash_is_no_continuation);
        tcase_add_test(tc, whitespace_around_key_and_value_stripped);
        tcase_add_test(tc, lines_outside_section_or_without_equals_are_skipped);
        tcase_add_test(tc, last_assignment_wins_and_empty_is_returned_as_empty);
        tcase_add_test(tc, later_file_overrides_and_list_resets_on_empty);
        tcase_add_test(tc, empty_section_still_exists);
        tcase_add_test(tc, bad_section_header_stops_the_file_keeping_what_came_before);
        tcase_add_test(tc, section_lines_are_found_where_systemd_stops_reading);
        tcase_add_test(tc, cr_lf_and_nul_all_end_lines);
        tcase_add_test(tc, invalid_utf8_line_ends_the_file_keeping_what_came_before);
        tcase_add_test(tc, utf8_bom_is_skipped_once);
        tcase_add_test(tc, line_at_systemd_limit_is_an_error);
        tcase_add_test(tc, continuation_longer_than_limit_is_an_error_in_linear_time);
        tcase_add_test(tc, ten_thousand_exec_lines_and_a_100mb_file_load_in_bounded_time);
        tcase_add_test(tc, binary_junk_never_crashes);
        tcase_add_test(tc, missing_file_and_directory_are_errors);
        tcase_add_test(tc, parse_boolean_as_systemd);
        tcase_add_test(tc, effective_value_ignores_bad_values_and_resets_only_where_systemd_does);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
