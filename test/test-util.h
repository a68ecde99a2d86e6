/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers shared by the Check tests: scratch directories and real fixtures
 * (files, symlinks, programs compiled by the system compiler during the test). */

#include <check.h>

/* Creates a fresh directory under $TMPDIR; the caller frees the string. */
char *tu_mkdtemp(void);
/* Removes a tree made by the test (rm -rf). */
void tu_rm_rf(const char *dir);
/* Writes text to dir/rel (parent dirs created) and returns the full path. */
char *tu_write(const char *dir, const char *rel, const char *text);
/* Like tu_write, then chmod 0755. */
char *tu_write_exec(const char *dir, const char *rel, const char *text);
/* Creates dir/rel as a symlink to target (parent dirs created); returns the path. */
char *tu_symlink(const char *target, const char *dir, const char *rel);
/* Creates directories like mkdir -p. */
void tu_mkdir_p(const char *path);
/* Runs a shell command; fails the test when it exits non-zero. */
void tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Compiles C source with "cc SRC -o dir/rel EXTRA" (EXTRA: flags such as
 * -shared -Wl,-rpath,...), returns the output path. */
char *tu_cc(const char *dir, const char *rel, const char *source, const char *extra_flags);
/* The dir this system's ld.so finds libc.so.6 in (the first multiarch dir of
 * its ld.so.cache), as ldd shows it; the caller frees the string. */
char *tu_system_lib_dir(void);
/* The unit as systemd's own loader reads it: "systemd-analyze verify" at debug level, run in
 * dir where the unit file and its "UNIT.d/" drop-in dirs lie, dumps the parsed unit
 * ("\t\tBindReadOnlyPaths: SRC:DST:rbind", "\t\tDescription: ..."). Returns the whole dump. */
char *tu_systemd_dump(const char *dir, const char *unit);
/* The values of the dump's "\t\tKEY: " lines, in order (NULL when there are none). */
char **tu_dump_values(const char *dump, const char *key);
/* The threads this process has now (the entries of /proc/self/task). */
int tu_thread_count(void);
/* Runs a Suite with CK_NORMAL output and returns the process exit code. */
int tu_run_suite(Suite *s);
