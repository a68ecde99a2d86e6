/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging to /dev/kmsg, as a generator at boot does, checked against the kernel's log
 * itself: the record must arrive, one per line, and logging must keep no memory per
 * record (a debug run logs a line per library of every program). glibc's dprintf() did
 * neither on /dev/kmsg: the device refuses the SEEK_CUR that dprintf() starts with, so
 * nothing was written (EINVAL) and a 4 KiB buffer was left behind each time. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "test-util.h"

#define RECORDS 20000

static long max_rss_kb(void) {
        struct rusage ru;
        ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
        return ru.ru_maxrss;
}

/* In a child: logs RECORDS debug lines to kmsg (the kernel rate-limits what it keeps);
 * exits 0 when the process grew by less than 8 MiB doing it (a buffer kept per line
 * would be 80 MiB). */
static int log_records(const char *name) {
        setenv("SYSTEMD_LOG_TARGET", "kmsg", 1);
        setenv("SYSTEMD_LOG_LEVEL", "debug", 1);
        log_setup(name, true);
        log_error("first record of %s: a line with a\nnewline inside", name);
        long before = max_rss_kb();
        for (int i = 0; i < RECORDS; i++)
                log_debug("record %d", i);
        return max_rss_kb() - before < 8 * 1024 ? 0 : 3;
}

START_TEST(kmsg_records_reach_the_kernel_log_and_cost_no_memory_each) {
        _cleanup_close_ int kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (kmsg < 0 && errno == ENOENT) {
                /* systemd-nspawn without --boot (the versions stage builds there) has none;
                 * the host's run of this suite is the one that checks. */
                fprintf(stderr, "no /dev/kmsg in this container: not checked here\n");
                return;
        }
        ck_assert_msg(kmsg >= 0, "/dev/kmsg: %s (the test runs as root)", strerror(errno));
        ck_assert_int_ge(lseek(kmsg, 0, SEEK_END), 0); /* only what comes after this */

        char name[64];
        snprintf(name, sizeof name, "test-log-%d", (int) getpid());
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0)
                _exit(log_records(name));
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: status %d", status);

        /* Records read back as "PRIO,SEQ,TIME,FLAGS;MESSAGE\n" (Documentation/ABI/testing/dev-kmsg). */
        char want[256], rec[8192];
        snprintf(want, sizeof want, ";%s[%d]: first record of %s: a line with a newline inside\n", name, (int) pid, name);
        bool found = false;
        for (;;) {
                ssize_t n = read(kmsg, rec, sizeof rec - 1);
                if (n < 0 && errno == EPIPE)
                        continue; /* records overwritten meanwhile */
                if (n <= 0)
                        break;
                rec[n] = 0;
                const char *msg = strchr(rec, ';');
                if (msg && strstr(msg, name)) {
                        ck_assert_str_eq(msg, want);
                        ck_assert_int_eq(atoi(rec) & 7, 3); /* LOG_ERR */
                        found = true;
                        break;
                }
        }
        ck_assert_msg(found, "the record never reached the kernel's log");
}
END_TEST

int main(void) {
        Suite *s = suite_create("log");
        TCase *tc = tcase_create("kmsg");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, kmsg_records_reach_the_kernel_log_and_cost_no_memory_each);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
