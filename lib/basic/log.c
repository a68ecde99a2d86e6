/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum log_target { TARGET_CONSOLE, TARGET_KMSG, TARGET_NULL };

static int max_level = LOG_INFO;
static enum log_target target = TARGET_CONSOLE;
static const char *name = "systemd-confinement-generator";
static int kmsg_fd = -1;

static const char *const level_names[] = {
        "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

int log_level_from_string(const char *s) {
        if (isempty(s))
                return -EINVAL;
        if (s[0] >= '0' && s[0] <= '7' && s[1] == 0)
                return s[0] - '0';
        for (size_t i = 0; i < ELEMENTSOF(level_names); i++)
                if (strcasecmp(s, level_names[i]) == 0)
                        return (int) i;
        return -EINVAL;
}

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

static void open_kmsg(void) {
        kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (kmsg_fd < 0)
                target = TARGET_CONSOLE;
}

/* As systemd's log_setup_generator() and its "auto" target: a generator that PID 1
 * runs has stdout and stderr on /dev/null and a helper, not PID 1, as its parent
 * (seen on 252 and 257), so only /dev/kmsg reaches the journal. With no target
 * set, kmsg whenever stderr is not a terminal; a terminal keeps the console. */
void log_setup(const char *program_name, bool generator) {
        if (program_name)
                name = program_name;

        int l = log_level_from_string(getenv("SYSTEMD_LOG_LEVEL"));
        if (l >= 0)
                max_level = l;

        const char *t = getenv("SYSTEMD_LOG_TARGET");
        bool kmsg_if_unattended = getppid() == 1 || !isatty(STDERR_FILENO);
        if (!t || streq(t, "auto"))
                target = generator && kmsg_if_unattended ? TARGET_KMSG : TARGET_CONSOLE;
        else if (streq(t, "journal-or-kmsg") || streq(t, "journal"))
                target = kmsg_if_unattended ? TARGET_KMSG : TARGET_CONSOLE;
        else if (streq(t, "kmsg"))
                target = TARGET_KMSG;
        else if (streq(t, "null"))
                target = TARGET_NULL;
        else
                target = TARGET_CONSOLE;

        if (target == TARGET_KMSG)
                open_kmsg();
}

int log_internal(int level, int error, const char *fmt, ...) {
        int saved_errno = errno;
        char buf[2048];
        va_list ap;

        /* %m means the error passed in, not whatever errno happens to be. */
        errno = abs(error);
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);

        /* One record per line: a newline inside a unit-supplied string must not
         * forge a second log record. */
        for (char *p = buf; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';

        if (target == TARGET_KMSG) {
                /* One write() per record, as /dev/kmsg takes them. Not dprintf(): glibc 2.36
                 * left its stream buffer behind on every call (4 KiB a line; a debug run over
                 * 1321 units grew to 130 MB). */
                char line[sizeof buf + 64];
                int n = snprintf(line, sizeof line, "<%d>%s[%d]: %s\n", level, name, (int) getpid(), buf);
                if (n > 0)
                        (void) !write(kmsg_fd, line, (size_t) n < sizeof line ? (size_t) n : sizeof line - 1);
        } else if (target == TARGET_CONSOLE) {
                fprintf(stderr, "%s\n", buf);
        }

        errno = saved_errno;
        return -abs(error);
}
