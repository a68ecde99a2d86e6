/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dlopen()'s search (loader_dlopen_search(), and dlopen_search() over it) against
 * the oracle: a compiled program that really calls dlopen() and prints the l_name
 * glibc gave the object, run with the same LD_LIBRARY_PATH and working directory.
 * The cases are where a second copy of the search used to disagree with glibc: an
 * unknown $TOKEN stays literal, an empty path entry is the working directory,
 * open_verify()'s checks end the search, the run's ld.so.cache and CPU (hwcaps
 * subdirs) are the ones ld.so uses. Each case runs without and with a run cache. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlopen-search.h"
#include "ld-search.h"
#include "loader-cache.h"
#include "macro.h"
#include "strv.h"
#include "test-util.h"

#define ORACLE_SOURCE                                                              \
        "#define _GNU_SOURCE\n#include <dlfcn.h>\n#include <link.h>\n#include <stdio.h>\n" \
        "int main(int argc, char **argv) {\n"                                      \
        "        void *h = dlopen(argv[1], RTLD_NOW);\n"                           \
        "        struct link_map *m;\n"                                            \
        "        if (!h || dlinfo(h, RTLD_DI_LINKMAP, &m) != 0) {\n"               \
        "                printf(\"ERROR %s\\n\", dlerror());\n"                    \
        "                return 0;\n"                                              \
        "        }\n"                                                              \
        "        printf(\"%s\\n\", m->l_name);\n"                                  \
        "        return 0;\n"                                                      \
        "}\n"

/* What the real dlopen(name) in prog opened, or "ERROR ..." when it failed. */
static char *oracle(const char *prog, const char *cwd, const char *library_path, const char *name) {
        _cleanup_free_ char *cmd = NULL;
        char line[4096] = "";
        ck_assert_int_ge(asprintf(&cmd, "cd '%s' && env -u LD_PRELOAD %s%s%s '%s' '%s'", cwd,
                                  library_path ? "LD_LIBRARY_PATH='" : "-u LD_LIBRARY_PATH",
                                  library_path ?: "", library_path ? "'" : "", prog, name), 0);
        FILE *f = popen(cmd, "r");
        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
        ck_assert_int_eq(pclose(f), 0);
        line[strcspn(line, "\n")] = 0;
        return strdup(line);
}

/* What the search says, from cwd, with or without a run cache. */
static char *ours(const char *prog, const char *cwd, const char *library_path, const char *name, LoaderCache *run) {
        _cleanup_free_ char *old = getcwd(NULL, 0);
        char *lp[] = { (char *) library_path, NULL };
        LoaderConfig cfg = { .library_path = library_path ? lp : NULL, .run_cache = run };
        char *path = NULL, *error = NULL;
        ck_assert_int_eq(chdir(cwd), 0);
        int r = loader_dlopen_search(&cfg, prog, name, &path, NULL, NULL, &error);
        ck_assert_int_eq(chdir(old), 0);
        if (r < 0) {
                ck_assert_msg(r == -ENOENT || r == -ENOEXEC, "%s: %d", name, r);
                char *s = NULL;
                ck_assert_int_ge(asprintf(&s, "ERROR %s", error ?: ""), 0);
                free(error);
                return s;
        }
        ck_assert_ptr_null(error);
        return path;
}

/* Both agree on the file, or both fail. */
static void assert_as_dlopen(const char *prog, const char *cwd, const char *library_path, const char *name) {
        _cleanup_free_ char *want = oracle(prog, cwd, library_path, name);
        LoaderCache *run = NULL;
        ck_assert_int_eq(loader_cache_new(&run), 0);
        for (int pass = 0; pass < 3; pass++) {
                _cleanup_free_ char *got = ours(prog, cwd, library_path, name, pass ? run : NULL);
                if (startswith(want, "ERROR"))
                        ck_assert_msg(startswith(got, "ERROR"), "dlopen(%s) in %s failed (%s), the search found %s",
                                      name, prog, want, got);
                else
                        ck_assert_msg(streq(got, want), "dlopen(%s) in %s opened %s, the search says %s", name, prog,
                                      want, got);
        }
        loader_cache_free(run);
}

static char *lib(const char *dir, const char *rel, const char *soname, const char *extra) {
        _cleanup_free_ char *flags = NULL;
        ck_assert_int_ge(asprintf(&flags, "-shared -fPIC -Wl,-soname,%s %s", soname, extra ?: ""), 0);
        return tu_cc(dir, rel, "int dl_test_symbol = 1;\n", flags);
}

static char *caller(const char *dir, const char *rel, const char *link_flags) {
        _cleanup_free_ char *flags = NULL;
        ck_assert_int_ge(asprintf(&flags, "%s -ldl", link_flags ?: ""), 0);
        return tu_cc(dir, rel, ORACLE_SOURCE, flags);
}

START_TEST(unknown_token_stays_literal_as_glibc_keeps_it) {
        _cleanup_free_ char *d = tu_mkdtemp();
        free(lib(d, "bin/$UNKNOWN/lib/libdl1.so", "libdl1.so", NULL));
        free(lib(d, "bin/${ALSO}x/libdl1b.so", "libdl1b.so", NULL));
        _cleanup_free_ char *prog = caller(d, "bin/prog", "'-Wl,-rpath,$ORIGIN/$UNKNOWN/lib:$ORIGIN/${ALSO}x'");
        assert_as_dlopen(prog, d, NULL, "libdl1.so");
        assert_as_dlopen(prog, d, NULL, "libdl1b.so");
        tu_rm_rf(d);
}
END_TEST

START_TEST(empty_path_entry_is_the_working_directory) {
        _cleanup_free_ char *d = tu_mkdtemp(), *cwd = NULL;
        free(lib(d, "cwd/libdl2.so", "libdl2.so", NULL));
        _cleanup_free_ char *prog = caller(d, "bin/prog", NULL);
        ck_assert_int_ge(asprintf(&cwd, "%s/cwd", d), 0);
        assert_as_dlopen(prog, cwd, ":/nonexistent", "libdl2.so");
        assert_as_dlopen(prog, cwd, "/nonexistent::", "libdl2.so");
        assert_as_dlopen(prog, d, "/nonexistent:", "libdl2.so"); /* not in this cwd: both fail */
        tu_rm_rf(d);
}
END_TEST

START_TEST(open_verify_failure_ends_the_search_other_class_is_skipped) {
        _cleanup_free_ char *d = tu_mkdtemp(), *lp = NULL;
        free(tu_write(d, "a/libdl3.so", "not ELF\n"));
        free(lib(d, "b/libdl3.so", "libdl3.so", NULL));
        free(lib(d, "a/libdl4.so", "libdl4.so", "-m32"));
        free(lib(d, "b/libdl4.so", "libdl4.so", NULL));
        _cleanup_free_ char *prog = caller(d, "bin/prog", NULL);
        ck_assert_int_ge(asprintf(&lp, "%s/a:%s/b", d, d), 0);
        assert_as_dlopen(prog, d, lp, "libdl3.so");
        assert_as_dlopen(prog, d, lp, "libdl4.so");
        _cleanup_free_ char *text = NULL;
        ck_assert_int_ge(asprintf(&text, "%s/a/libdl3.so", d), 0);
        assert_as_dlopen(prog, d, NULL, text); /* a path: open_verify() only */
        tu_rm_rf(d);
}
END_TEST

START_TEST(rpath_library_path_runpath_in_glibc_order) {
        _cleanup_free_ char *d = tu_mkdtemp(), *rpath = NULL, *runpath = NULL, *lp = NULL;
        free(lib(d, "r/libdl5.so", "libdl5.so", NULL));
        free(lib(d, "l/libdl5.so", "libdl5.so", NULL));
        ck_assert_int_ge(asprintf(&rpath, "-Wl,--disable-new-dtags,-rpath,%s/r", d), 0);
        ck_assert_int_ge(asprintf(&runpath, "-Wl,--enable-new-dtags,-rpath,%s/r", d), 0);
        ck_assert_int_ge(asprintf(&lp, "%s/l", d), 0);
        _cleanup_free_ char *with_rpath = caller(d, "bin/rpath", rpath);
        _cleanup_free_ char *with_runpath = caller(d, "bin/runpath", runpath);
        assert_as_dlopen(with_rpath, d, lp, "libdl5.so");
        assert_as_dlopen(with_runpath, d, lp, "libdl5.so");
        assert_as_dlopen(with_runpath, d, NULL, "libdl5.so");
        tu_rm_rf(d);
}
END_TEST

START_TEST(cache_and_hwcaps_as_ld_so_sees_them) {
        _cleanup_free_ char *d = tu_mkdtemp(), *runpath = NULL;
        /* every glibc-hwcaps level: the best one this CPU supports wins */
        free(lib(d, "l/libdl6.so", "libdl6.so", NULL));
        free(lib(d, "l/glibc-hwcaps/x86-64-v2/libdl6.so", "libdl6.so", NULL));
        free(lib(d, "l/glibc-hwcaps/x86-64-v3/libdl6.so", "libdl6.so", NULL));
        free(lib(d, "l/glibc-hwcaps/x86-64-v4/libdl6.so", "libdl6.so", NULL));
        ck_assert_int_ge(asprintf(&runpath, "-Wl,--enable-new-dtags,-rpath,%s/l", d), 0);
        _cleanup_free_ char *prog = caller(d, "bin/prog", runpath);
        assert_as_dlopen(prog, d, NULL, "libdl6.so");
        assert_as_dlopen(prog, d, NULL, "libz.so.1");   /* ld.so.cache */
        assert_as_dlopen(prog, d, NULL, "libnothere.so.9");
        tu_rm_rf(d);
}
END_TEST

/* The layer the closure and the profiles call. */
START_TEST(dlopen_search_names_the_step_that_found_the_file) {
        _cleanup_free_ char *d = tu_mkdtemp(), *runpath = NULL;
        _cleanup_free_ char *l = lib(d, "l/libdl7.so", "libdl7.so", NULL);
        ck_assert_int_ge(asprintf(&runpath, "-Wl,--enable-new-dtags,-rpath,%s/l", d), 0);
        _cleanup_free_ char *prog = caller(d, "bin/prog", runpath);
        LoaderConfig cfg = {};
        char *path = NULL;
        DlopenVia via;
        ck_assert_int_eq(dlopen_search(&cfg, prog, "libdl7.so", &path, &via), 0);
        ck_assert_str_eq(path, l);
        ck_assert_int_eq(via, DLOPEN_VIA_RUNPATH);
        free(path);
        ck_assert_int_eq(dlopen_search(&cfg, prog, "libz.so.1", &path, &via), 0);
        ck_assert_int_eq(via, DLOPEN_VIA_CACHE);
        free(path);
        ck_assert_int_eq(dlopen_search(&cfg, prog, l, &path, &via), 0);
        ck_assert_int_eq(via, DLOPEN_VIA_PATH);
        free(path);
        ck_assert_int_eq(dlopen_search(&cfg, prog, "libnothere.so.9", &path, &via), -ENOENT);
        tu_rm_rf(d);
}
END_TEST

int main(void) {
        Suite *s = suite_create("dlopen-search");
        TCase *tc = tcase_create("against dlopen()");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, unknown_token_stays_literal_as_glibc_keeps_it);
        tcase_add_test(tc, empty_path_entry_is_the_working_directory);
        tcase_add_test(tc, open_verify_failure_ends_the_search_other_class_is_skipped);
        tcase_add_test(tc, rpath_library_path_runpath_in_glibc_order);
        tcase_add_test(tc, cache_and_hwcaps_as_ld_so_sees_them);
        tcase_add_test(tc, dlopen_search_names_the_step_that_found_the_file);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
