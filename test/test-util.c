/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test-util.h"

#include <dirent.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "read-file.h"
#include "strv.h"

char *tu_mkdtemp(void) {
        const char *t = getenv("TMPDIR");
        char *p;
        ck_assert_int_ge(asprintf(&p, "%s/confinement-test.XXXXXX", t ? t : "/tmp"), 0);
        ck_assert_ptr_nonnull(mkdtemp(p));
        return p;
}

void tu_sh(const char *fmt, ...) {
        char *cmd;
        va_list ap;
        va_start(ap, fmt);
        ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
        va_end(ap);
        int r = system(cmd);
        ck_assert_msg(r == 0, "command failed (%d): %s", r, cmd);
        free(cmd);
}

void tu_rm_rf(const char *dir) {
        if (dir && strncmp(dir, "/tmp/", 5) == 0)
                tu_sh("rm -rf '%s'", dir);
}

void tu_mkdir_p(const char *path) {
        tu_sh("mkdir -p '%s'", path);
}

static char *full_path_with_parent(const char *dir, const char *rel) {
        char *p, *d;
        ck_assert_int_ge(asprintf(&p, "%s/%s", dir, rel), 0);
        d = strdup(p);
        tu_mkdir_p(dirname(d));
        free(d);
        return p;
}

char *tu_write(const char *dir, const char *rel, const char *text) {
        char *p = full_path_with_parent(dir, rel);
        FILE *f = fopen(p, "we");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
        return p;
}

char *tu_write_exec(const char *dir, const char *rel, const char *text) {
        char *p = tu_write(dir, rel, text);
        ck_assert_int_eq(chmod(p, 0755), 0);
        return p;
}

char *tu_symlink(const char *target, const char *dir, const char *rel) {
        char *p = full_path_with_parent(dir, rel);
        ck_assert_int_eq(symlink(target, p), 0);
        return p;
}

char *tu_cc(const char *dir, const char *rel, const char *source, const char *extra_flags) {
        char *src_rel, *src, *out = full_path_with_parent(dir, rel);
        ck_assert_int_ge(asprintf(&src_rel, "%s.c", rel), 0);
        src = tu_write(dir, src_rel, source);
        tu_sh("cc -w -o '%s' '%s' %s", out, src, extra_flags ? extra_flags : "");
        free(src_rel);
        free(src);
        return out;
}

int tu_run_suite(Suite *s) {
        SRunner *sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int tu_thread_count(void) {
        DIR *d = opendir("/proc/self/task");
        ck_assert_ptr_nonnull(d);
        int n = 0;
        for (struct dirent *de; (de = readdir(d));)
                n += de->d_name[0] != '.';
        closedir(d);
        return n;
}

char *tu_system_lib_dir(void) {
        /* Where this system's ld.so finds libc through its cache: /lib/x86_64-linux-gnu
         * on Debian 12 (ld.so.conf lists it first), /usr/lib/... where it lists only that. */
        char line[4096] = "", *dir;
        FILE *p = popen("ldd /bin/sh | sed -n 's/^.*libc\\.so\\.6 => \\(\\/[^ ]*\\)\\/libc\\.so\\.6 .*$/\\1/p'", "r");
        ck_assert_ptr_nonnull(p);
        ck_assert_ptr_nonnull(fgets(line, sizeof line, p));
        pclose(p);
        line[strcspn(line, "\n")] = 0;
        ck_assert_ptr_nonnull(dir = strdup(line));
        return dir;
}

char *tu_systemd_dump(const char *dir, const char *unit) {
        char *out = NULL, *text = NULL;
        ck_assert_int_ge(asprintf(&out, "%s/verify.out", dir), 0);
        /* verify exits non-zero for unrelated reasons (other units of this
         * machine); the dump on stdout is what counts, the log goes to stderr. */
        tu_sh("cd '%s' && SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no ./'%s' >'%s' 2>'%s.log' || true",
              dir, unit, out, out);
        ck_assert_int_eq(read_full_file(out, 0, 64 << 20, &text, NULL), 0);
        free(out);
        return text;
}

char **tu_dump_values(const char *dump, const char *key) {
        char **values = NULL, *needle = NULL;
        ck_assert_int_ge(asprintf(&needle, "\n\t\t%s: ", key), 0);
        for (const char *p = dump; (p = strstr(p, needle));) {
                p += strlen(needle);
                size_t n = strcspn(p, "\n");
                ck_assert_int_eq(strv_consume(&values, strndup(p, n)), 0);
                p += n;
        }
        free(needle);
        return values;
}
