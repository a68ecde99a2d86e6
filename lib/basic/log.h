/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Logging as systemd's generators do it: the level comes from SYSTEMD_LOG_LEVEL
 * (a name or 0-7), the target from SYSTEMD_LOG_TARGET (console, kmsg, auto,
 * null). Unset or "auto" in a generator run means /dev/kmsg when stderr is not a
 * terminal or the parent is PID 1 (at boot, before journald exists, where stderr
 * is /dev/null), as systemd's log_setup_generator() does; stderr otherwise and
 * for the interactive commands (generator false). Messages go out to kmsg as
 * "<N>name[pid]: msg". */

#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

void log_setup(const char *program_name, bool generator);
void log_set_max_level(int level);
int log_get_max_level(void);
/* Parses "debug", "info", ... or "0".."7"; returns the level or -EINVAL. */
int log_level_from_string(const char *s);

/* Logs and returns error (negative errno, or 0), so callers can write
 * "return log_error_errno(r, ...)". %m in the format prints strerror(-error). */
int log_internal(int level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_full_errno(level, error, ...)                                       \
        ({                                                                      \
                int _lvl_ = (level);                                            \
                _lvl_ <= log_get_max_level() ? log_internal(_lvl_, (error), __VA_ARGS__) \
                                             : -abs(error);                     \
        })
#define log_debug(...) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, e, __VA_ARGS__)
#define log_oom() log_error_errno(-ENOMEM, "Out of memory.")
