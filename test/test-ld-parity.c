/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* For every ELF program of the host in /usr/bin, /usr/sbin and /usr/lib/systemd, the files
 * loader_closure() reports must be the files ldd resolves (plus the interpreter). */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ld-search.h"
#include "macro.h"
#include "strv.h"
#include "test-util.h"

static char **programs;

static bool is_elf(const char *path) {
        unsigned char m[4] = {};
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        size_t n = fread(m, 1, 4, f);
        fclose(f);
        return n == 4 && memcmp(m, "\177ELF", 4) == 0;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        if (type == FTW_F && S_ISREG(st->st_mode) && (st->st_mode & 0111) && is_elf(path))
                ck_assert_int_eq(strv_extend(&programs, path), 0);
        return 0;
}

static int collect(const char *path, const char *parent, const char *reason, void *userdata) {
        if (streq(path, "/etc/ld.so.cache") || streq(path, "/etc/ld.so.preload"))
                return 0;
        return strv_extend(userdata, path);
}

typedef struct LddResult {
        char **paths;
        int missing;
        bool not_dynamic;
        bool failed;
} LddResult;

static void run_ldd(const char *prog, LddResult *ret) {
        char *cmd, line[4096];

        *ret = (LddResult) { .paths = calloc(1, sizeof(char *)) };
        ck_assert_int_ge(asprintf(&cmd, "env -i PATH=/usr/bin:/bin ldd '%s' 2>&1; echo \"exit=$?\"", prog), 0);
        FILE *p = popen(cmd, "r");
        ck_assert_ptr_nonnull(p);
        while (fgets(line, sizeof(line), p)) {
                line[strcspn(line, "\n")] = 0;
                const char *arrow = strstr(line, "=> ");
                if (startswith(line, "exit="))
                        ret->failed = !streq(line, "exit=0");
                else if (strstr(line, "not a dynamic executable") || strstr(line, "statically linked"))
                        ret->not_dynamic = true;
                else if (arrow && startswith(arrow + 3, "not found"))
                        ret->missing++;
                else if (arrow && arrow[3] == '/')
                        strv_consume(&ret->paths, strndup(arrow + 3, strcspn(arrow + 3, " ")));
                else if (line[0] == '\t' && line[1] == '/')
                        strv_consume(&ret->paths, strndup(line + 1, strcspn(line + 1, " ")));
        }
        pclose(p);
        free(cmd);
        strv_sort(ret->paths);
}

static bool is_setid(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID));
}

/* NULL when the two agree, else the name of an accepted difference or "UNEXPLAINED". */
static const char *compare(const char *prog, char **ours, int r, const char *error, const LddResult *ldd) {
        if (ldd->not_dynamic)
                return strv_length(ours) == 0 && r == 0 ? NULL : "UNEXPLAINED";
        if (ldd->missing > 0)
                /* ldd's "not found" must be our error */
                return r < 0 && strstr(error, "not found") ? NULL : "UNEXPLAINED";
        if (ldd->failed)
                return r < 0 ? NULL : "UNEXPLAINED";
        if (r < 0)
                return "UNEXPLAINED";

        _cleanup_free_ char *a = strv_join(ours, " "), *b = strv_join(ldd->paths, " ");
        if (streq(a, b))
                return NULL;
        if (is_setid(prog))
                return "setuid/setgid program (ldd runs it unprivileged, ld.so would not)";
        return "UNEXPLAINED";
}

START_TEST(every_host_program_matches_ldd) {
        const char *roots[] = { "/usr/bin", "/usr/sbin", "/usr/lib/systemd" };
        size_t identical = 0, total = 0, unexplained = 0;

        programs = calloc(1, sizeof(char *));
        for (size_t i = 0; i < ELEMENTSOF(roots); i++)
                nftw(roots[i], visit, 32, FTW_PHYS);
        strv_sort(programs);

        STRV_FOREACH(p, programs) {
                _cleanup_strv_free_ char **ours = calloc(1, sizeof(char *));
                _cleanup_free_ char *error = NULL;
                LddResult ldd;

                int r = loader_closure(NULL, *p, collect, &ours, &error);
                strv_sort(ours);
                run_ldd(*p, &ldd);
                total++;

                const char *why = compare(*p, ours, r, error, &ldd);
                if (!why)
                        identical++;
                else {
                        _cleanup_free_ char *a = strv_join(ours, " "), *b = strv_join(ldd.paths, " ");
                        printf("DIFF %s [%s]\n  walk: %s%s%s\n  ldd:  %s%s\n", *p, why, a,
                               r < 0 ? " error: " : "", r < 0 ? error : "", b,
                               ldd.missing ? " (+ not found)" : "");
                        if (streq(why, "UNEXPLAINED"))
                                unexplained++;
                }
                strv_free(ldd.paths);
        }

        printf("ldd parity: %zu/%zu identical\n", identical, total);
        fflush(stdout);
        ck_assert_uint_gt(total, 0);
        ck_assert_msg(unexplained == 0, "%zu programs differ from ldd without a named reason", unexplained);
        programs = strv_free(programs);
}
END_TEST

int main(void) {
        Suite *s = suite_create("ld-parity");
        TCase *tc = tcase_create("host");
        tcase_set_timeout(tc, 600);
        tcase_add_test(tc, every_host_program_matches_ldd);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
