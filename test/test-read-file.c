/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "read-file.h"
#include "test-util.h"

START_TEST(whole_file_is_read_and_nul_terminated) {
        char *dir = tu_mkdtemp(), *p = tu_write(dir, "f", "KEY=value\n"), *data = NULL;
        size_t n = 0;
        ck_assert_int_eq(read_full_file(p, READ_FILE_REGULAR, 1024, &data, &n), 0);
        ck_assert_uint_eq(n, 10);
        ck_assert_str_eq(data, "KEY=value\n");
        free(data);
        /* An empty file is "", never NULL. */
        p = tu_write(dir, "empty", "");
        ck_assert_int_eq(read_full_file(p, 0, 1024, &data, &n), 0);
        ck_assert_ptr_nonnull(data);
        ck_assert_uint_eq(n, 0);
        free(data);
        tu_rm_rf(dir);
}
END_TEST

START_TEST(fifo_is_refused_without_blocking_and_directory_is_eisdir) {
        char *dir = tu_mkdtemp(), *fifo = NULL, *data = NULL, buf[4];
        size_t n;
        ck_assert_int_ge(asprintf(&fifo, "%s/fifo", dir), 0);
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        /* No writer: a blocking open would hang the test (and the boot) here. */
        ck_assert_int_eq(read_full_file(fifo, 0, 1024, &data, NULL), -EBADFD);
        ck_assert_int_eq(read_file_head(fifo, buf, sizeof buf, &n), -EBADFD);
        ck_assert_int_eq(read_full_file(dir, 0, 1024, &data, NULL), -EISDIR);
        ck_assert_int_eq(read_file_head(dir, buf, sizeof buf, &n), -EISDIR);
        tu_rm_rf(dir);
}
END_TEST

START_TEST(endless_device_is_e2big_and_regular_only_refuses_devices) {
        char *data = NULL;
        ck_assert_int_eq(read_full_file("/dev/zero", 0, 1 << 20, &data, NULL), -E2BIG);
        ck_assert_int_eq(read_full_file("/dev/null", READ_FILE_REGULAR, 1024, &data, NULL), -EBADFD);
        ck_assert_int_eq(read_full_file("/nonexistent/x", 0, 1024, &data, NULL), -ENOENT);
}
END_TEST

START_TEST(head_reads_at_most_size_bytes) {
        char *dir = tu_mkdtemp(), *p = tu_write(dir, "s", "#!/bin/sh\necho\n"), buf[4];
        size_t n = 0;
        ck_assert_int_eq(read_file_head(p, buf, sizeof buf, &n), 0);
        ck_assert_uint_eq(n, 4);
        ck_assert(memcmp(buf, "#!/b", 4) == 0);
        tu_rm_rf(dir);
}
END_TEST

START_TEST(proc_file_is_read_to_its_end_not_to_its_stat_size) {
        /* /proc files say size 0 and come a page per read(): read until read() says 0,
         * as a regular file whose size matches needs not. */
        char *data = NULL, buf[65536];
        size_t n = 0, m = 0;
        ck_assert_int_eq(read_full_file("/proc/self/mountinfo", 0, 1 << 24, &data, &n), 0);
        FILE *f = fopen("/proc/self/mountinfo", "re");
        ck_assert_ptr_nonnull(f);
        for (size_t k; (k = fread(buf + m, 1, sizeof buf - m, f)) > 0;)
                m += k;
        fclose(f);
        ck_assert_uint_eq(n, m);
        ck_assert_mem_eq(data, buf, n);
        free(data);
}
END_TEST

int main(void) {
        Suite *s = suite_create("read-file");
        TCase *tc = tcase_create("read");
        tcase_add_test(tc, whole_file_is_read_and_nul_terminated);
        tcase_add_test(tc, proc_file_is_read_to_its_end_not_to_its_stat_size);
        tcase_add_test(tc, fifo_is_refused_without_blocking_and_directory_is_eisdir);
        tcase_add_test(tc, endless_device_is_e2big_and_regular_only_refuses_devices);
        tcase_add_test(tc, head_reads_at_most_size_bytes);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
