/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shebang.h"
#include "test-util.h"

static void check(const char *text, size_t size, int ret, const char *interp, const char *arg) {
        char *i = NULL, *a = NULL;
        int r = shebang_parse(text, size, &i, &a);
        ck_assert_msg(r == ret, "'%s': %d != %d", text, r, ret);
        if (r < 0)
                return;
        ck_assert_str_eq(i, interp);
        if (arg)
                ck_assert_str_eq(a, arg);
        else
                ck_assert_ptr_null(a);
        free(i);
        free(a);
}

#define CHECK(text, ret, interp, arg) check(text, strlen(text), ret, interp, arg)

START_TEST(interpreter_and_single_argument_as_the_kernel_splits_them) {
        CHECK("#!/bin/sh\necho", 0, "/bin/sh", NULL);
        CHECK("#! \t/bin/sh  \t\n", 0, "/bin/sh", NULL);
        CHECK("#!/usr/bin/env python3 -u \n", 0, "/usr/bin/env", "python3 -u");
        CHECK("#!/bin/bash -e", 0, "/bin/bash", "-e");
        CHECK("#!/usr/bin/awk\t-f\t\n", 0, "/usr/bin/awk", "-f");
}
END_TEST

START_TEST(no_hashbang_is_enoexec_and_empty_interpreter_is_ebadmsg) {
        CHECK("\177ELF", -ENOEXEC, NULL, NULL);
        CHECK("#", -ENOEXEC, NULL, NULL);
        CHECK("", -ENOEXEC, NULL, NULL);
        CHECK("#!\n/bin/sh", -EBADMSG, NULL, NULL);
        CHECK("#!   \t  ", -EBADMSG, NULL, NULL);
}
END_TEST

START_TEST(long_argument_is_cut_at_256_bytes_but_long_interpreter_fails) {
        char buf[600];

        /* argument cut by the limit: fine; the kernel keeps bytes 10..254 (byte 255 becomes NUL) */
        memset(buf, 'a', sizeof(buf));
        memcpy(buf, "#!/bin/sh ", 10);
        char *i = NULL, *a = NULL;
        ck_assert_int_eq(shebang_parse(buf, sizeof(buf), &i, &a), 0);
        ck_assert_str_eq(i, "/bin/sh");
        ck_assert_uint_eq(strlen(a), SHEBANG_BUF_SIZE - 11);
        free(i);
        free(a);

        /* interpreter path running past the limit: the kernel refuses it */
        memset(buf, 'b', sizeof(buf));
        memcpy(buf, "#!/", 3);
        ck_assert_int_eq(shebang_parse(buf, sizeof(buf), NULL, NULL), -ENAMETOOLONG);

        /* interpreter ending exactly at the last byte: still cut, a blank must follow */
        memset(buf, 'c', sizeof(buf));
        memcpy(buf, "#!/", 3);
        buf[SHEBANG_BUF_SIZE - 1] = ' ';
        ck_assert_int_eq(shebang_parse(buf, sizeof(buf), &i, NULL), 0);
        ck_assert_uint_eq(strlen(i), SHEBANG_BUF_SIZE - 3);
        free(i);

        /* a newline after byte 256 does not count */
        memset(buf, 'd', sizeof(buf));
        memcpy(buf, "#!/", 3);
        buf[300] = '\n';
        ck_assert_int_eq(shebang_parse(buf, sizeof(buf), NULL, NULL), -ENAMETOOLONG);
}
END_TEST

START_TEST(short_file_without_newline_is_fine) {
        check("#!/bin/sh", 9, 0, "/bin/sh", NULL);
        check("#!/bin/sh -x", 12, 0, "/bin/sh", "-x");
}
END_TEST

START_TEST(read_from_file_matches_kernel_exec) {
        char *d = tu_mkdtemp(), *i = NULL, *a = NULL;
        char *script = tu_write_exec(d, "s", "#!/bin/sh -e\nexit 0\n");
        ck_assert_int_eq(shebang_read(script, &i, &a), 0);
        ck_assert_str_eq(i, "/bin/sh");
        ck_assert_str_eq(a, "-e");
        tu_sh("'%s'", script); /* the kernel runs it the same way */
        ck_assert_int_eq(shebang_read("/nonexistent/x", &i, &a), -ENOENT);
        tu_rm_rf(d);
}
END_TEST

int main(void) {
        Suite *s = suite_create("shebang");
        TCase *tc = tcase_create("parse");
        tcase_add_test(tc, interpreter_and_single_argument_as_the_kernel_splits_them);
        tcase_add_test(tc, no_hashbang_is_enoexec_and_empty_interpreter_is_ebadmsg);
        tcase_add_test(tc, long_argument_is_cut_at_256_bytes_but_long_interpreter_fails);
        tcase_add_test(tc, short_file_without_newline_is_fine);
        tcase_add_test(tc, read_from_file_matches_kernel_exec);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
