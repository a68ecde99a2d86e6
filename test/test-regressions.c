/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every input under fuzz/corpus/TARGET and fuzz/regressions/TARGET (inputs that
 * once crashed a fuzzer) fed through the fuzz target's own code, compiled here
 * against the ordinary library: in CI this runs under ASan+UBSan too
 * (build-asan), so a fixed crash that comes back fails the Check suite even
 * where clang and libFuzzer are not installed. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "test-util.h"
#include "env-file.h"
#include "unit-env.h"
#include "unit-file.h"

/* Each fuzz-*.c defines LLVMFuzzerTestOneInput (and maybe
 * LLVMFuzzerInitialize): include each under its own names. */
#define FUZZ_TARGET(name) int name##_one(const uint8_t *data, size_t size); int name##_init(int *argc, char ***argv)

FUZZ_TARGET(fuzz_unit_file);
#define LLVMFuzzerTestOneInput fuzz_unit_file_one
#define LLVMFuzzerInitialize fuzz_unit_file_init
#include "../fuzz/fuzz-unit-file.c"
#undef LLVMFuzzerTestOneInput
#undef LLVMFuzzerInitialize

FUZZ_TARGET(fuzz_exec_command);
#define LLVMFuzzerTestOneInput fuzz_exec_command_one
#include "../fuzz/fuzz-exec-command.c"
#undef LLVMFuzzerTestOneInput

FUZZ_TARGET(fuzz_elf_file);
#define LLVMFuzzerTestOneInput fuzz_elf_file_one
#include "../fuzz/fuzz-elf-file.c"
#undef LLVMFuzzerTestOneInput

FUZZ_TARGET(fuzz_dlopen_note);
#define LLVMFuzzerTestOneInput fuzz_dlopen_note_one
#include "../fuzz/fuzz-dlopen-note.c"
#undef LLVMFuzzerTestOneInput

FUZZ_TARGET(fuzz_ld_cache);
#define LLVMFuzzerTestOneInput fuzz_ld_cache_one
#include "../fuzz/fuzz-ld-cache.c"
#undef LLVMFuzzerTestOneInput

FUZZ_TARGET(fuzz_ld_path);
#define LLVMFuzzerTestOneInput fuzz_ld_path_one
#include "../fuzz/fuzz-ld-path.c"
#undef LLVMFuzzerTestOneInput

FUZZ_TARGET(fuzz_shebang);
#define LLVMFuzzerTestOneInput fuzz_shebang_one
#include "../fuzz/fuzz-shebang.c"
#undef LLVMFuzzerTestOneInput

FUZZ_TARGET(fuzz_store_scan);
#define LLVMFuzzerTestOneInput fuzz_store_scan_one
#define LLVMFuzzerInitialize fuzz_store_scan_init
#include "../fuzz/fuzz-store-scan.c"
#undef LLVMFuzzerTestOneInput
#undef LLVMFuzzerInitialize

FUZZ_TARGET(fuzz_unit_tree);
#define LLVMFuzzerTestOneInput fuzz_unit_tree_one
#define LLVMFuzzerInitialize fuzz_unit_tree_init
#include "../fuzz/fuzz-unit-tree.c"
#undef LLVMFuzzerTestOneInput
#undef LLVMFuzzerInitialize

typedef int (*fuzz_one_fn)(const uint8_t *data, size_t size);

/* fuzz/ beside this file's directory; FUZZ_DIR overrides. */
static char *fuzz_dir(void) {
        const char *e = getenv("FUZZ_DIR");
        if (e)
                return strdup(e);
        char *d = strdup(__FILE__);
        ck_assert_ptr_nonnull(d);
        char *slash = strrchr(d, '/');
        ck_assert_msg(slash, "__FILE__ is not a path: %s; set FUZZ_DIR", __FILE__);
        *slash = 0;
        char *r = asprintf_safe("%s/../fuzz", d);
        free(d);
        return r;
}

static void *read_all(const char *path, size_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        ck_assert_msg(fd >= 0 && fstat(fd, &st) == 0, "%s: %m", path);
        uint8_t *buf = malloc(st.st_size ?: 1);
        ck_assert_ptr_nonnull(buf);
        ck_assert_int_eq(read(fd, buf, st.st_size), st.st_size);
        *ret_size = st.st_size;
        return buf;
}

/* Feeds every file of fuzz/KIND/TARGET; returns how many. */
static unsigned feed_dir(const char *kind, const char *target, fuzz_one_fn one) {
        _cleanup_free_ char *top = fuzz_dir(), *dir = asprintf_safe("%s/%s/%s", top, kind, target);
        _cleanup_closedir_ DIR *d = opendir(dir);
        unsigned n = 0;
        if (!d) {
                ck_assert_msg(errno == ENOENT, "%s: %m", dir);
                return 0;
        }
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *p = asprintf_safe("%s/%s", dir, de->d_name);
                size_t size;
                void *data = read_all(p, &size);
                fprintf(stderr, "%s: %zu bytes\n", p, size);
                ck_assert_int_eq(one(data, size), 0);
                free(data);
                n++;
        }
        return n;
}

static void feed(const char *target, fuzz_one_fn one) {
        unsigned n = feed_dir("corpus", target, one);
        ck_assert_msg(n > 0, "fuzz/corpus/%s is empty or missing", target);
        (void) feed_dir("regressions", target, one);
}

START_TEST(unit_file_inputs) {
        feed("fuzz-unit-file", fuzz_unit_file_one);
}
END_TEST

START_TEST(exec_command_inputs) {
        feed("fuzz-exec-command", fuzz_exec_command_one);
}
END_TEST

START_TEST(elf_file_inputs) {
        feed("fuzz-elf-file", fuzz_elf_file_one);
}
END_TEST

START_TEST(dlopen_note_inputs) {
        feed("fuzz-dlopen-note", fuzz_dlopen_note_one);
}
END_TEST

START_TEST(ld_cache_inputs) {
        feed("fuzz-ld-cache", fuzz_ld_cache_one);
}
END_TEST

START_TEST(ld_path_inputs) {
        feed("fuzz-ld-path", fuzz_ld_path_one);
}
END_TEST

START_TEST(shebang_inputs) {
        feed("fuzz-shebang", fuzz_shebang_one);
}
END_TEST

START_TEST(store_scan_inputs) {
        ck_assert_int_eq(fuzz_store_scan_init(NULL, NULL), 0);
        feed("fuzz-store-scan", fuzz_store_scan_one);
}
END_TEST

/* Whole unit trees (names, placement, links) through the lookup and the
 * generator's run: issue 13's classes 1, 2, 3 and 5 as trees. */
START_TEST(unit_tree_inputs) {
        ck_assert_int_eq(fuzz_unit_tree_init(NULL, NULL), 0);
        feed("fuzz-unit-tree", fuzz_unit_tree_one);
}
END_TEST

/* Found by the fail-closed matrix: a FIFO as a unit file, a drop-in or an
 * EnvironmentFile= blocked the generator for ever, /dev/zero fed it for ever.
 * Each must fail at once (CK_DEFAULT_TIMEOUT catches a hang). */
START_TEST(fifo_and_dev_zero_are_refused_without_blocking) {
        _cleanup_free_ char *dir = tu_mkdtemp(), *fifo = asprintf_safe("%s/x.service", dir);
        UnitText u = {};
        char **env = NULL;

        ck_assert_int_eq(mkfifo(fifo, 0644), 0);
        ck_assert_int_eq(unit_text_load_file(&u, fifo), -EBADFD);
        ck_assert_int_eq(unit_text_load_file(&u, "/dev/zero"), -EBADFD);
        ck_assert_int_eq(unit_text_load_file(&u, "/dev/null"), -EBADFD);
        ck_assert_int_eq(u.n, 0);
        unit_text_done(&u);
        ck_assert_int_eq(env_file_load(fifo, &env), -EBADFD);
        ck_assert_int_eq(env_file_load("/dev/zero", &env), -E2BIG);
        ck_assert_int_eq(env_file_load("/", &env), -EISDIR);
        ck_assert_int_eq(env_file_load("/dev/null", &env), 0); /* empty, as systemd reads it */
        ck_assert_ptr_nonnull(env);
        ck_assert_ptr_null(env[0]);
        strv_free(env);
        tu_rm_rf(dir);
}
END_TEST

int main(void) {
        Suite *s = suite_create("regressions");
        TCase *tc = tcase_create("fuzz inputs");
        tcase_add_test(tc, unit_file_inputs);
        tcase_add_test(tc, exec_command_inputs);
        tcase_add_test(tc, elf_file_inputs);
        tcase_add_test(tc, dlopen_note_inputs);
        tcase_add_test(tc, ld_cache_inputs);
        tcase_add_test(tc, ld_path_inputs);
        tcase_add_test(tc, shebang_inputs);
        tcase_add_test(tc, store_scan_inputs);
        tcase_add_test(tc, unit_tree_inputs);
        suite_add_tcase(s, tc);
        TCase *tc2 = tcase_create("hangs");
        tcase_add_test(tc2, fifo_and_dev_zero_are_refused_without_blocking);
        suite_add_tcase(s, tc2);
        return tu_run_suite(s);
}
