/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loader walk against real fixtures, each compared with what glibc's own
 * ld.so resolves for it (ldd, i.e. ld.so --list, run with the same environment). */
#include <check.h>
#include <sys/stat.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf-file.h"
#include "ld-search.h"
#include "loader-cache.h"
#include "macro.h"
#include "strv.h"
#include "test-util.h"
#include "walk-memo.h"

typedef struct Found {
        char **paths;
        char **reasons;
        const char *skip_cache, *skip_preload;
        bool saw_cache, saw_preload;
} Found;

static int collect(const char *path, const char *parent, const char *reason, void *userdata) {
        Found *f = userdata;
        if (streq(path, f->skip_cache)) {
                f->saw_cache = true;
                return 0;
        }
        if (streq(path, f->skip_preload)) {
                f->saw_preload = true;
                return 0;
        }
        ck_assert_int_eq(strv_extend(&f->paths, path), 0);
        ck_assert_int_eq(strv_extend(&f->reasons, reason), 0);
        return 0;
}

static int run_closure(const LoaderConfig *cfg, const char *prog, Found *f, char **ret_error) {
        *f = (Found) {
                .skip_cache = cfg && cfg->cache_file ? cfg->cache_file : "/etc/ld.so.cache",
                .skip_preload = cfg && cfg->preload_file ? cfg->preload_file : "/etc/ld.so.preload",
        };
        f->paths = calloc(1, sizeof(char *));
        f->reasons = calloc(1, sizeof(char *));
        return loader_closure(cfg, prog, collect, f, ret_error);
}

static void found_done(Found *f) {
        strv_free(f->paths);
        strv_free(f->reasons);
}

/* What ldd resolves: "=> /path" targets and the interpreter line; "not found" counted. */
static char **ldd_paths(const char *env, const char *prog, const char *optional, int *ret_missing, bool *ret_failed) {
        char *cmd, line[4096];
        char **l = calloc(1, sizeof(char *));
        int missing = 0;

        ck_assert_int_ge(asprintf(&cmd, "env -i PATH=/usr/bin:/bin %s ldd '%s' 2>&1; echo \"exit=$?\"",
                                  env ?: "", prog), 0);
        FILE *p = popen(cmd, "r");
        ck_assert_ptr_nonnull(p);
        *ret_failed = false;
        while (fgets(line, sizeof(line), p)) {
                line[strcspn(line, "\n")] = 0;
                const char *arrow = strstr(line, "=> ");
                if (startswith(line, "exit=")) {
                        *ret_failed = !streq(line, "exit=0");
                        continue;
                }
                if (arrow) {
                        arrow += 3;
                        if (startswith(arrow, "not found")) {
                                /* ldd lists a missing DT_AUXILIARY too, though it is optional */
                                if (!optional || !strstr(line, optional))
                                        missing++;
                                continue;
                        }
                        ck_assert_int_eq(strv_consume(&l, strndup(arrow, strcspn(arrow, " "))), 0);
                } else if (line[0] == '\t' && line[1] == '/')
                        ck_assert_int_eq(strv_consume(&l, strndup(line + 1, strcspn(line + 1, " "))), 0);
        }
        pclose(p);
        free(cmd);
        *ret_missing = missing;
        strv_sort(l);
        return l;
}

static char *joined(char **l) {
        char *s = strv_join(l, " ");
        ck_assert_ptr_nonnull(s);
        return s;
}

/* Our walk and ldd agree: the same files, or both fail. */
static void assert_same_as_ldd_optional(const LoaderConfig *cfg, const char *env, const char *prog, const char *optional) {
        Found f;
        char *error = NULL;
        int missing;
        bool ldd_failed;
        int r = run_closure(cfg, prog, &f, &error);
        char **expected = ldd_paths(env, prog, optional, &missing, &ldd_failed);

        if (missing > 0 || ldd_failed)
                ck_assert_msg(r < 0, "ldd finds no library or fails for %s, the walk succeeded with: %s",
                              prog, joined(f.paths));
        else {
                ck_assert_msg(r == 0, "walk of %s failed: %s", prog, error);
                strv_sort(f.paths);
                char *a = joined(f.paths), *b = joined(expected);
                ck_assert_msg(streq(a, b), "%s:\n walk: %s\n ldd:  %s", prog, a, b);
                free(a);
                free(b);
        }
        strv_free(expected);
        found_done(&f);
        free(error);
}

static void assert_same_as_ldd(const LoaderConfig *cfg, const char *env, const char *prog) {
        assert_same_as_ldd_optional(cfg, env, prog, NULL);
}

static const char *reason_of(Found *f, const char *suffix) {
        for (size_t i = 0; f->paths[i]; i++)
                if (endswith(f->paths[i], suffix))
                        return f->reasons[i];
        return NULL;
}

#define MAIN_SRC "int main(void){return 0;}\n"

/* A library named NAME.so exporting function fn, built into dir/rel. */
static char *make_lib(const char *dir, const char *rel, const char *soname, const char *fn, const char *flags) {
        char *src, *f;
        ck_assert_int_ge(asprintf(&src, "int %s(void){return 1;}\n", fn), 0);
        ck_assert_int_ge(asprintf(&f, "-shared -fPIC -Wl,--no-as-needed -Wl,-soname,%s %s", soname, flags ?: ""), 0);
        char *p = tu_cc(dir, rel, src, f);
        free(src);
        free(f);
        return p;
}

/* A program linked against every library named in flags, used or not. */
static char *cc_prog(const char *dir, const char *rel, const char *flags) {
        char *f, *p;
        ck_assert_int_ge(asprintf(&f, "-Wl,--no-as-needed %s", flags ?: ""), 0);
        p = tu_cc(dir, rel, MAIN_SRC, f);
        free(f);
        return p;
}

START_TEST(needed_chain_three_deep_via_runpath_origin) {
        char *d = tu_mkdtemp(), *flags;
        make_lib(d, "lib/libc3.so.1", "libc3.so.1", "c3", NULL);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,'$ORIGIN' -L%s/lib -l:libc3.so.1", d), 0);
        make_lib(d, "lib/libb3.so.1", "libb3.so.1", "b3", flags);
        free(flags);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,'$ORIGIN' -L%s/lib -l:libb3.so.1", d), 0);
        make_lib(d, "lib/liba3.so.1", "liba3.so.1", "a3", flags);
        free(flags);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib' -L%s/lib -l:liba3.so.1", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd(NULL, NULL, prog);

        Found f;
        char *error = NULL;
        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), 0);
        ck_assert_str_eq(f.paths[0], "/lib64/ld-linux-x86-64.so.2");
        ck_assert_ptr_nonnull(strstr(reason_of(&f, "liba3.so.1"), "via DT_RUNPATH $ORIGIN/../lib"));
        ck_assert_ptr_nonnull(strstr(reason_of(&f, "libc3.so.1"), "of "));
        ck_assert_msg(f.saw_cache, "libc.so.6 is found through the cache, which must be reported");
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(rpath_of_executable_is_inherited_by_dependencies) {
        char *d = tu_mkdtemp(), *flags;
        make_lib(d, "lib/libinh2.so", "libinh2.so", "i2", NULL);
        ck_assert_int_ge(asprintf(&flags, "-L%s/lib -l:libinh2.so", d), 0);
        make_lib(d, "lib/libinh1.so", "libinh1.so", "i1", flags); /* no RPATH of its own */
        free(flags);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--disable-new-dtags,-rpath,'$ORIGIN/../lib' -L%s/lib -l:libinh1.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd(NULL, NULL, prog);
        Found f;
        char *error = NULL;
        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), 0);
        ck_assert_ptr_nonnull(strstr(reason_of(&f, "libinh2.so"), "DT_RPATH of"));
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(runpath_is_not_inherited_by_dependencies) {
        char *d = tu_mkdtemp(), *flags, *error = NULL;
        make_lib(d, "lib/libnr2.so", "libnr2.so", "n2", NULL);
        ck_assert_int_ge(asprintf(&flags, "-L%s/lib -l:libnr2.so", d), 0);
        make_lib(d, "lib/libnr1.so", "libnr1.so", "n1", flags);
        free(flags);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib' -L%s/lib -l:libnr1.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd(NULL, NULL, prog);
        Found f;
        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), -ENOENT);
        ck_assert_msg(strstr(error, "libnr2.so needed by ") && strstr(error, "libnr1.so: not found"), "%s", error);
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(runpath_of_library_disables_executables_rpath) {
        char *d = tu_mkdtemp(), *flags, *error = NULL;
        make_lib(d, "lib/librr2.so", "librr2.so", "r2", NULL);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,/nonexistent -L%s/lib -l:librr2.so", d), 0);
        make_lib(d, "lib/librr1.so", "librr1.so", "r1", flags);
        free(flags);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--disable-new-dtags,-rpath,'$ORIGIN/../lib' -L%s/lib -l:librr1.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd(NULL, NULL, prog);
        Found f;
        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), -ENOENT);
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(nodeflib_object_skips_cache_hits_in_default_dirs) {
        char *d = tu_mkdtemp(), *flags, *error = NULL;
        /* libz.so.1 is in the cache and in /lib/x86_64-linux-gnu: both are off limits */
        make_lib(d, "lib/libnodef.so", "libnodef.so", "nd", "-Wl,-z,nodefaultlib -lz");
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../lib' -L%s/lib -l:libnodef.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd(NULL, NULL, prog);
        Found f;
        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), -ENOENT);
        ck_assert_msg(strstr(error, "libz.so.1 needed by"), "%s", error);
        found_done(&f);
        free(error);

        /* The program itself is not NODEFLIB: the same library through it is found. */
        char *prog2 = cc_prog(d, "bin/prog2", "-lz");
        assert_same_as_ldd(NULL, NULL, prog2);
        tu_rm_rf(d);
}
END_TEST

START_TEST(ld_library_path_is_searched_before_runpath) {
        char *d = tu_mkdtemp(), *flags, *env;
        make_lib(d, "lib/libllp.so", "libllp.so", "l1", NULL);
        make_lib(d, "other/libllp.so", "libllp.so", "l1", NULL);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib' -L%s/lib -l:libllp.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);
        char *other;
        ck_assert_int_ge(asprintf(&other, "%s/other", d), 0);
        char *llp[] = { other, NULL };
        LoaderConfig cfg = { .library_path = llp };

        ck_assert_int_ge(asprintf(&env, "LD_LIBRARY_PATH=%s", other), 0);
        assert_same_as_ldd(&cfg, env, prog);
        Found f;
        char *error = NULL;
        ck_assert_int_eq(run_closure(&cfg, prog, &f, &error), 0);
        ck_assert_ptr_nonnull(strstr(reason_of(&f, "other/libllp.so"), "LD_LIBRARY_PATH"));
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(ld_preload_is_loaded_before_needed) {
        char *d = tu_mkdtemp(), *env, *error = NULL;
        char *pre = make_lib(d, "pre/libpre.so", "libpre.so", "p1", NULL);
        make_lib(d, "pre/libpre2.so", "libpre2.so", "p2", NULL);
        char *prog = cc_prog(d, "bin/prog", "-lz");
        char *predir;
        ck_assert_int_ge(asprintf(&predir, "%s/pre", d), 0);
        /* one by path, one by name found through LD_LIBRARY_PATH, separated as glibc does */
        char *entry;
        ck_assert_int_ge(asprintf(&entry, "%s libpre2.so", pre), 0);
        char *preload[] = { entry, NULL }, *llp[] = { predir, NULL };
        LoaderConfig cfg = { .preload = preload, .library_path = llp };

        ck_assert_int_ge(asprintf(&env, "LD_PRELOAD='%s' LD_LIBRARY_PATH=%s", entry, predir), 0);
        assert_same_as_ldd(&cfg, env, prog);
        Found f;
        ck_assert_int_eq(run_closure(&cfg, prog, &f, &error), 0);
        ck_assert_str_eq(f.paths[1], pre);
        ck_assert(endswith(f.paths[2], "pre/libpre2.so"));
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(preload_file_entries_are_loaded_and_the_file_reported) {
        char *d = tu_mkdtemp(), *text, *error = NULL;
        char *pre = make_lib(d, "pre/libpf.so", "libpf.so", "pf", NULL);
        ck_assert_int_ge(asprintf(&text, "# comment libnotthis.so\n%s # trailing\n\t/nonexistent/libgone.so:", pre), 0);
        char *file = tu_write(d, "ld.so.preload", text);
        LoaderConfig cfg = { .preload_file = file };
        Found f;

        ck_assert_int_eq(run_closure(&cfg, "/usr/bin/true", &f, &error), 0);
        ck_assert(f.saw_preload);
        ck_assert_str_eq(f.paths[1], pre);
        ck_assert_ptr_null(reason_of(&f, "libnotthis.so"));
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

/* A FIFO where ld.so.preload is expected: the generator runs at boot and must not wait for
 * a writer that never comes (the Check timeout fails the test if it does). */
START_TEST(preload_file_that_is_a_fifo_does_not_block_the_walk) {
        _cleanup_free_ char *d = tu_mkdtemp(), *fifo = NULL;
        char *error = NULL;
        ck_assert_int_ge(asprintf(&fifo, "%s/ld.so.preload", d), 0);
        ck_assert_int_eq(mkfifo(fifo, 0644), 0);
        LoaderConfig cfg = { .preload_file = fifo };
        Found f;

        ck_assert_int_eq(run_closure(&cfg, "/usr/bin/true", &f, &error), 0);
        ck_assert_ptr_nonnull(reason_of(&f, "libc.so.6"));
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(missing_library_error_names_the_requester) {
        char *d = tu_mkdtemp(), *error = NULL;
        make_lib(d, "lib/libmissing.so.1", "libmissing.so.1", "m1", NULL);
        char *flags;
        ck_assert_int_ge(asprintf(&flags, "-L%s/lib -l:libmissing.so.1", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);
        tu_sh("rm '%s/lib/libmissing.so.1'", d);
        Found f;

        assert_same_as_ldd(NULL, NULL, prog);
        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), -ENOENT);
        char *expected;
        ck_assert_int_ge(asprintf(&expected, "libmissing.so.1 needed by %s: not found", prog), 0);
        ck_assert_str_eq(error, expected);
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(truncated_library_is_a_malformed_elf_error) {
        char *d = tu_mkdtemp(), *error = NULL, *flags;
        make_lib(d, "lib/libtrunc.so", "libtrunc.so", "t1", NULL);
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../lib' -L%s/lib -l:libtrunc.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);
        tu_sh("truncate -s 200 '%s/lib/libtrunc.so'", d);
        Found f;

        ck_assert_int_lt(run_closure(NULL, prog, &f, &error), 0);
        ck_assert_msg(strstr(error, "libtrunc.so: malformed ELF"), "%s", error);
        found_done(&f);
        free(error);

        tu_sh("head -c 100 /usr/bin/true > '%s/bin/short' && chmod +x '%s/bin/short'", d, d);
        char *shortp;
        ck_assert_int_ge(asprintf(&shortp, "%s/bin/short", d), 0);
        ck_assert_int_eq(run_closure(NULL, shortp, &f, &error), -EBADMSG);
        ck_assert_msg(strstr(error, "malformed ELF: truncated program headers"), "%s", error);
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(non_elf_candidate_is_fatal_as_in_glibc) {
        char *d = tu_mkdtemp(), *error = NULL, *flags;
        make_lib(d, "lib/libtext.so", "libtext.so", "x1", NULL);
        tu_write(d, "first/libtext.so", "/* GNU ld script: text, longer than an ELF header, not an ELF object */\n"
                 "GROUP ( /lib/x86_64-linux-gnu/libtext.so.1 )\n");
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../first:$ORIGIN/../lib' -L%s/lib -l:libtext.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);
        Found f;

        assert_same_as_ldd(NULL, NULL, prog);
        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), -ENOEXEC);
        ck_assert_msg(strstr(error, "first/libtext.so: invalid ELF header"), "%s", error);
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(library_symlink_is_reported_as_its_link_path) {
        char *d = tu_mkdtemp(), *flags, *error = NULL;
        make_lib(d, "lib/liblink.so.1.2.3", "liblink.so.1", "k1", NULL);
        tu_symlink("liblink.so.1.2.3", d, "lib/liblink.so.1");
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../lib' -L%s/lib -l:liblink.so.1", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);
        Found f;

        assert_same_as_ldd(NULL, NULL, prog);
        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), 0);
        ck_assert_ptr_nonnull(reason_of(&f, "/lib/liblink.so.1"));
        ck_assert_ptr_null(reason_of(&f, "liblink.so.1.2.3"));
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(origin_of_library_is_relative_to_symlink_location) {
        char *d = tu_mkdtemp(), *flags;
        /* real file in store/, reached as a/libori.so; its dep exists only next to the link */
        make_lib(d, "a/libodep.so", "libodep.so", "od", NULL);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,'$ORIGIN' -L%s/a -l:libodep.so", d), 0);
        make_lib(d, "store/libori.so", "libori.so", "or", flags);
        free(flags);
        tu_symlink("../store/libori.so", d, "a/libori.so");
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../a' -L%s/a -l:libori.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd(NULL, NULL, prog);
        tu_rm_rf(d);
}
END_TEST

START_TEST(origin_of_program_is_its_real_directory) {
        char *d = tu_mkdtemp(), *flags, *error = NULL;
        make_lib(d, "real/lib/libpo.so", "libpo.so", "po", NULL);
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../lib' -L%s/real/lib -l:libpo.so", d), 0);
        cc_prog(d, "real/bin/prog", flags);
        char *link = tu_symlink("../real/bin/prog", d, "elsewhere/prog");
        Found f;

        ck_assert_int_eq(loader_program_uses_origin(NULL, link), 1);
        ck_assert_int_eq(loader_program_uses_origin(NULL, "/usr/bin/true"), 0);
        /* The kernel execs the link; /proc/self/exe, hence $ORIGIN, is the real place. */
        ck_assert_int_eq(run_closure(NULL, link, &f, &error), 0);
        ck_assert_ptr_nonnull(reason_of(&f, "real/bin/../lib/libpo.so"));
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(cycle_between_two_libraries_terminates) {
        char *d = tu_mkdtemp(), *flags;
        make_lib(d, "lib/libcyca.so", "libcyca.so", "ca", NULL); /* stub to link libcycb */
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN' -L%s/lib -l:libcyca.so", d), 0);
        make_lib(d, "lib/libcycb.so", "libcycb.so", "cb", flags);
        free(flags);
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN' -L%s/lib -l:libcycb.so", d), 0);
        make_lib(d, "lib/libcyca.so", "libcyca.so", "ca", flags);
        free(flags);
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../lib' -L%s/lib -l:libcyca.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd(NULL, NULL, prog);
        tu_rm_rf(d);
}
END_TEST

START_TEST(lib_and_platform_tokens_expand_as_glibc_does) {
        char *d = tu_mkdtemp(), *flags, *error = NULL;
        LoaderHost h;
        ck_assert_int_eq(loader_host_init(&h, 2, 62, NULL, NULL), 0);
        char *plat;
        ck_assert_int_ge(asprintf(&plat, "p/%s/libplat.so", h.platform), 0);
        make_lib(d, "l/lib/x86_64-linux-gnu/libtok.so", "libtok.so", "tk", NULL);
        make_lib(d, plat, "libplat.so", "pl", NULL);
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../l/$LIB:$ORIGIN/../p/${PLATFORM}' "
                                  "-L%s/l/lib/x86_64-linux-gnu -L%s/p/%s -l:libtok.so -l:libplat.so", d, d, h.platform), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd(NULL, NULL, prog);
        Found f;
        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), 0);
        ck_assert_ptr_nonnull(reason_of(&f, plat));
        found_done(&f);
        loader_host_done(&h);
        tu_rm_rf(d);
}
END_TEST

START_TEST(glibc_hwcaps_subdir_beats_the_plain_dir) {
        char *d = tu_mkdtemp(), *flags;
        LoaderHost h;
        ck_assert_int_eq(loader_host_init(&h, 2, 62, NULL, NULL), 0);
        make_lib(d, "lib/libhw.so", "libhw.so", "hw", NULL);
        make_lib(d, "lib/glibc-hwcaps/x86-64-v2/libhw.so", "libhw.so", "hw", NULL);
        make_lib(d, "lib/tls/libhw.so", "libhw.so", "hw", NULL);
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../lib' -L%s/lib -l:libhw.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd(NULL, NULL, prog);
        Found f;
        char *error = NULL;
        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), 0);
        if (strv_contains(h.hwcaps_subdirs, "x86-64-v2"))
                ck_assert_ptr_nonnull(reason_of(&f, "glibc-hwcaps/x86-64-v2/libhw.so"));
        else
                ck_assert_ptr_nonnull(reason_of(&f, "lib/tls/libhw.so")); /* legacy subdir next */
        found_done(&f);
        loader_host_done(&h);
        tu_rm_rf(d);
}
END_TEST

START_TEST(legacy_hwcaps_subdirs_are_searched_only_before_glibc_2_37) {
        char *d = tu_mkdtemp(), *flags;
        make_lib(d, "lib/libleg.so", "libleg.so", "leg", NULL);
        make_lib(d, "lib/tls/libleg.so", "libleg.so", "leg", NULL);
        make_lib(d, "lib/x86_64/libleg.so", "libleg.so", "leg", NULL);
        make_lib(d, "lib/haswell/libleg.so", "libleg.so", "leg", NULL);
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../lib' -L%s/lib -l:libleg.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        /* This system's ld.so is the oracle, whichever glibc it is. */
        assert_same_as_ldd(NULL, NULL, prog);
        Found f;
        char *error = NULL;
        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), 0);
        bool plain = reason_of(&f, "lib/libleg.so") != NULL;
        if (glibc_searches_legacy_hwcaps(gnu_get_libc_version()))
                ck_assert_msg(!plain, "glibc %s takes a legacy subdir first", gnu_get_libc_version());
        else
                ck_assert_msg(plain, "glibc %s searches no legacy subdir", gnu_get_libc_version());
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(legacy_hwcaps_end_with_glibc_2_37) {
        ck_assert(glibc_searches_legacy_hwcaps("2.36"));
        ck_assert(glibc_searches_legacy_hwcaps("2.28"));
        ck_assert(!glibc_searches_legacy_hwcaps("2.37"));
        ck_assert(!glibc_searches_legacy_hwcaps("2.41"));
        ck_assert(!glibc_searches_legacy_hwcaps("2.43"));
        ck_assert(!glibc_searches_legacy_hwcaps("3.0"));
        ck_assert(!glibc_searches_legacy_hwcaps("garbage"));
}
END_TEST

START_TEST(other_class_candidate_is_skipped) {
        char *d = tu_mkdtemp(), *flags;
        make_lib(d, "lib/libcls.so", "libcls.so", "cl", NULL);
        tu_write(d, "lib32/c.c", "int cl(void){return 2;}\n");
        tu_sh("cd '%s/lib32' && cc -m32 -fPIC -c c.c -o c.o && ld -m elf_i386 -shared -soname libcls.so -o libcls.so c.o", d);
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../lib32:$ORIGIN/../lib' -L%s/lib -l:libcls.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd(NULL, NULL, prog);
        tu_rm_rf(d);
}
END_TEST

START_TEST(i386_program_uses_the_32bit_loader_dirs) {
        if (access("/lib/ld-linux.so.2", X_OK) < 0)
                return;
        char *d = tu_mkdtemp();
        tu_write(d, "s.S", ".globl _start\n_start:\n movl $1,%eax\n xorl %ebx,%ebx\n int $0x80\n");
        tu_write(d, "g.c", "int g32(void){return 2;}\n");
        tu_sh("cd '%s' && cc -m32 -c s.S -o s.o && cc -m32 -fPIC -c g.c -o g.o && mkdir -p lib && "
              "ld -m elf_i386 -shared -soname libg32.so -o lib/libg32.so g.o --no-as-needed /usr/lib32/libm.so.6 && "
              "ld -m elf_i386 -dynamic-linker /lib/ld-linux.so.2 -rpath '$ORIGIN/lib' -o p32 s.o lib/libg32.so", d);
        char *prog;
        ck_assert_int_ge(asprintf(&prog, "%s/p32", d), 0);

        assert_same_as_ldd(NULL, NULL, prog);
        tu_rm_rf(d);
}
END_TEST

START_TEST(filter_loads_filtee_and_missing_auxiliary_is_ignored) {
        char *d = tu_mkdtemp(), *flags;
        make_lib(d, "lib/libfiltee.so", "libfiltee.so", "fe", NULL);
        make_lib(d, "lib/libfilter.so", "libfilter.so", "fe",
                 "-Wl,-rpath,'$ORIGIN' -Wl,--filter=libfiltee.so -Wl,--auxiliary=libnoaux.so");
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../lib' -L%s/lib -l:libfilter.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd_optional(NULL, NULL, prog, "libnoaux.so");
        Found f;
        char *error = NULL;
        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), 0);
        ck_assert_ptr_nonnull(strstr(reason_of(&f, "libfiltee.so"), "DT_FILTER"));
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(loaded_soname_is_reused_instead_of_searching) {
        char *d = tu_mkdtemp(), *flags;
        /* the program asks for "libdup.so", whose SONAME libdup.so.1 then satisfies libuser's
         * request even though another libdup.so.1 comes first in libuser's own RUNPATH */
        make_lib(d, "lib/libdup.so", "libdup.so.1", "du", NULL);
        make_lib(d, "other/libdup.so.1", "libdup.so.1", "du", NULL);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/../other' -L%s/other -l:libdup.so.1", d), 0);
        make_lib(d, "lib/libuser.so", "libuser.so", "us", flags);
        free(flags);
        ck_assert_int_ge(asprintf(&flags, "-Wl,-rpath,'$ORIGIN/../lib' -L%s/lib -l:libdup.so -l:libuser.so", d), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd(NULL, NULL, prog);
        tu_rm_rf(d);
}
END_TEST

START_TEST(needed_name_with_slash_is_used_as_path) {
        char *d = tu_mkdtemp(), *flags;
        char *lib = tu_cc(d, "lib/libnoso.so", "int ns(void){return 0;}\n", "-shared -fPIC");
        ck_assert_int_ge(asprintf(&flags, "'%s'", lib), 0);
        char *prog = cc_prog(d, "bin/prog", flags);

        assert_same_as_ldd(NULL, NULL, prog);
        tu_rm_rf(d);
}
END_TEST

START_TEST(static_program_needs_only_itself) {
        char *d = tu_mkdtemp(), *error = NULL;
        char *prog = cc_prog(d, "bin/static", "-static");
        Found f;

        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), 0);
        ck_assert_int_eq(strv_length(f.paths), 0);
        ck_assert(!f.saw_cache);
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(foreign_machine_cannot_run_here) {
        char *d = tu_mkdtemp(), *error = NULL;
        char *prog = cc_prog(d, "bin/prog", NULL);
        /* e_machine := 183 (aarch64) */
        tu_sh("printf '\\267\\000' | dd of='%s' bs=1 seek=18 conv=notrunc status=none", prog);
        Found f;

        ck_assert_int_eq(run_closure(NULL, prog, &f, &error), -ENOEXEC);
        ck_assert_msg(strstr(error, "ELF for machine 183") && strstr(error, "cannot run here"), "%s", error);
        found_done(&f);
        tu_rm_rf(d);
}
END_TEST

START_TEST(host_matches_ld_so_list_diagnostics) {
        FILE *p = popen("/lib64/ld-linux-x86-64.so.2 --list-diagnostics", "r");
        char line[512], platform[64] = "", subdirs[256] = "";
        unsigned long active = 0, hwcap = 0;
        LoaderHost h;

        ck_assert_ptr_nonnull(p);
        while (fgets(line, sizeof(line), p)) {
                sscanf(line, "dl_platform=\"%63[^\"]\"", platform);
                sscanf(line, "dl_hwcap=0x%lx", &hwcap);
                sscanf(line, "dl_hwcaps_subdirs_active=0x%lx", &active);
                sscanf(line, "dl_hwcaps_subdirs=\"%255[^\"]\"", subdirs);
        }
        pclose(p);

        ck_assert_int_eq(loader_host_init(&h, 2, 62, NULL, NULL), 0);
        ck_assert_str_eq(h.platform, platform);
        ck_assert_uint_eq(h.hwcap, hwcap);
        /* active is a bitmask over "x86-64-v4:x86-64-v3:x86-64-v2" counted from the end */
        size_t n = 0;
        for (unsigned long a = active; a; a >>= 1)
                n += a & 1;
        ck_assert_uint_eq(strv_length(h.hwcaps_subdirs), n);
        loader_host_done(&h);
}
END_TEST

/* The run's realpath resolves as realpath(3) does (links absolute and relative, up
 * and through dirs, "..", ".", loops, a missing or non-dir component), and a second
 * lookup of the same path is served from the run cache. */
START_TEST(run_realpath_equals_realpath) {
        _cleanup_free_ char *d = tu_mkdtemp();
        _cleanup_free_ char *f = tu_write(d, "real/dir/file", "x\n");
        free(tu_symlink("real/dir", d, "rel-dir"));
        free(tu_symlink("../real/dir/file", d, "links/up"));
        free(tu_symlink(d, d, "links/abs-top"));
        free(tu_symlink("loop-b", d, "links/loop-a"));
        free(tu_symlink("loop-a", d, "links/loop-b"));
        free(tu_symlink("chain-2", d, "links/chain-1"));
        free(tu_symlink("../rel-dir/./file", d, "links/chain-2"));
        const char *rels[] = { "real/dir/file", "rel-dir/file", "links/up", "links/abs-top/rel-dir/../dir/file",
                               "links/chain-1", "real/./dir/../dir/file", "links/loop-a", "real/missing",
                               "real/dir/file/more", "rel-dir", "links/../links/up", "real/dir/file/",
                               "rel-dir/", "links/up/", "real//dir///file", NULL };
        LoaderCache *c = NULL;
        ck_assert_int_eq(loader_cache_new(&c), 0);
        for (int pass = 0; pass < 2; pass++)
                for (const char **r = rels; *r; r++) {
                        _cleanup_free_ char *p = NULL, *got = NULL, *want = NULL;
                        ck_assert_int_ge(asprintf(&p, "%s/%s", d, *r), 0);
                        want = realpath(p, NULL);
                        int e = want ? 0 : -errno;
                        int k = loader_cache_realpath(c, p, &got);
                        ck_assert_msg(k == e, "%s: %d, realpath() %d", p, k, e);
                        if (want)
                                ck_assert_str_eq(got, want);
                }
        loader_cache_free(c);
        tu_rm_rf(d);
}
END_TEST

/* ---- Walks replayed within a run (walk-memo.h) ---- */

static int record_line(const char *path, const char *parent, const char *reason, void *userdata) {
        ck_assert_int_eq(strv_consume(userdata, asprintf_safe("%s < %s: %s", path, parent ?: "-", reason)), 0);
        return 0;
}

/* Every file the walk of prog reports, "PATH < PARENT: REASON", with run cache c (NULL: a
 * fresh walk that reads everything itself). */
static char **walk_lines(LoaderCache *c, const char *prog) {
        LoaderConfig cfg = { .run_cache = c };
        char **l = calloc(1, sizeof(char *)), *error = NULL;
        ck_assert_msg(loader_closure(&cfg, prog, record_line, &l, &error) == 0, "%s: %s", prog, error);
        return l;
}

/* The walk memo's key for prog, with $ORIGIN the dir of its real path. */
static char *memo_key(const char *prog) {
        ElfFile e = {};
        LoaderConfig cfg = {};
        _cleanup_free_ char *real = realpath(prog, NULL);
        ck_assert_ptr_nonnull(real);
        *strrchr(real, '/') = 0;
        ck_assert_int_eq(elf_file_read(prog, &e), 0);
        char *k = walk_memo_key(&cfg, &e, real);
        ck_assert_ptr_nonnull(k);
        elf_file_done(&e);
        return k;
}

/* Its second walk answers as its own, naming itself: the replay equals a fresh walk,
 * and the files equal ldd's. */
static void assert_replay_is_own_walk(LoaderCache *c, const char *prog) {
        char **replayed = walk_lines(c, prog), **fresh = walk_lines(NULL, prog);
        char *a = joined(replayed), *b = joined(fresh);
        ck_assert_msg(streq(a, b), "%s:\n replayed: %s\n fresh:    %s", prog, a, b);
        LoaderConfig cfg = { .run_cache = c };
        assert_same_as_ldd(&cfg, NULL, prog);
        free(a);
        free(b);
        strv_free(replayed);
        strv_free(fresh);
}

START_TEST(programs_with_the_same_facts_share_one_walk_that_names_each) {
        _cleanup_free_ char *d = tu_mkdtemp(), *flags = NULL;
        make_lib(d, "lib/libw1.so", "libw1.so", "w1", NULL);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,%s/lib -L%s/lib -l:libw1.so", d, d), 0);
        make_lib(d, "lib/libw2.so", "libw2.so", "w2", flags);
        free(flags);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,%s/lib -L%s/lib -l:libw2.so", d, d), 0);
        _cleanup_free_ char *one = cc_prog(d, "bin/one", flags), *two = cc_prog(d, "sbin/two", flags);
        _cleanup_free_ char *k1 = memo_key(one), *k2 = memo_key(two);
        ck_assert_str_eq(k1, k2); /* so the second walk is the first one's replay */

        LoaderCache *c = NULL;
        ck_assert_int_eq(loader_cache_new(&c), 0);
        char **first = walk_lines(c, one);
        assert_replay_is_own_walk(c, two);
        _cleanup_free_ char *interp_of_one = asprintf_safe("/lib64/ld-linux-x86-64.so.2 < %s: PT_INTERP of %s", one, one);
        ck_assert_msg(strv_contains(first, interp_of_one), "%s", first[0]);
        strv_free(first);
        loader_cache_free(c);
        tu_rm_rf(d);
}
END_TEST

START_TEST(origin_keeps_the_walks_of_programs_in_other_dirs_apart) {
        _cleanup_free_ char *d = tu_mkdtemp(), *flags = NULL, *a = NULL, *b = NULL;
        ck_assert_int_ge(asprintf(&a, "%s/a", d), 0);
        ck_assert_int_ge(asprintf(&b, "%s/b", d), 0);
        /* the same program in a/bin and b/bin, RUNPATH $ORIGIN/../lib: each finds its own libo.so,
         * which needs a different library in each tree */
        make_lib(a, "lib/libpa.so", "libpa.so", "pa", NULL);
        make_lib(b, "lib/libpb.so", "libpb.so", "pb", NULL);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,'$ORIGIN' -L%s/lib -l:libpa.so", a), 0);
        make_lib(a, "lib/libo.so", "libo.so", "o", flags);
        free(flags);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,'$ORIGIN' -L%s/lib -l:libpb.so", b), 0);
        make_lib(b, "lib/libo.so", "libo.so", "o", flags);
        free(flags);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib' -L%s/lib -l:libo.so", a), 0);
        _cleanup_free_ char *pa = cc_prog(a, "bin/prog", flags);
        tu_sh("mkdir -p '%s/bin' && cp '%s' '%s/bin/prog'", b, pa, b);
        _cleanup_free_ char *pb = NULL;
        ck_assert_int_ge(asprintf(&pb, "%s/bin/prog", b), 0);
        _cleanup_free_ char *ka = memo_key(pa), *kb = memo_key(pb);
        ck_assert_str_ne(ka, kb);

        LoaderCache *c = NULL;
        ck_assert_int_eq(loader_cache_new(&c), 0);
        strv_free(walk_lines(c, pa));
        assert_replay_is_own_walk(c, pb);
        loader_cache_free(c);
        tu_rm_rf(d);
}
END_TEST

/* A library found through the program's own DT_RPATH is "via DT_RPATH of PROGRAM" in
 * its reason: such walks are never replayed for another program. */
START_TEST(walks_that_name_the_program_in_a_dt_rpath_are_not_replayed) {
        _cleanup_free_ char *d = tu_mkdtemp(), *flags = NULL;
        make_lib(d, "lib/libr2.so", "libr2.so", "r2", NULL);
        ck_assert_int_ge(asprintf(&flags, "-L%s/lib -l:libr2.so", d), 0);
        make_lib(d, "lib/libr1.so", "libr1.so", "r1", flags); /* no RPATH: inherits the program's */
        free(flags);
        ck_assert_int_ge(asprintf(&flags, "-Wl,--disable-new-dtags,-rpath,%s/lib -L%s/lib -l:libr1.so", d, d), 0);
        _cleanup_free_ char *one = cc_prog(d, "bin/one", flags), *two = cc_prog(d, "bin/two", flags);

        LoaderCache *c = NULL;
        ck_assert_int_eq(loader_cache_new(&c), 0);
        strv_free(walk_lines(c, one));
        assert_replay_is_own_walk(c, two);
        loader_cache_free(c);
        tu_rm_rf(d);
}
END_TEST

int main(void) {
        Suite *s = suite_create("ld-search");
        TCase *tc = tcase_create("loader");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, needed_chain_three_deep_via_runpath_origin);
        tcase_add_test(tc, rpath_of_executable_is_inherited_by_dependencies);
        tcase_add_test(tc, runpath_is_not_inherited_by_dependencies);
        tcase_add_test(tc, runpath_of_library_disables_executables_rpath);
        tcase_add_test(tc, nodeflib_object_skips_cache_hits_in_default_dirs);
        tcase_add_test(tc, ld_library_path_is_searched_before_runpath);
        tcase_add_test(tc, ld_preload_is_loaded_before_needed);
        tcase_add_test(tc, preload_file_entries_are_loaded_and_the_file_reported);
        tcase_add_test(tc, preload_file_that_is_a_fifo_does_not_block_the_walk);
        tcase_add_test(tc, missing_library_error_names_the_requester);
        tcase_add_test(tc, truncated_library_is_a_malformed_elf_error);
        tcase_add_test(tc, non_elf_candidate_is_fatal_as_in_glibc);
        tcase_add_test(tc, library_symlink_is_reported_as_its_link_path);
        tcase_add_test(tc, origin_of_library_is_relative_to_symlink_location);
        tcase_add_test(tc, origin_of_program_is_its_real_directory);
        tcase_add_test(tc, cycle_between_two_libraries_terminates);
        tcase_add_test(tc, lib_and_platform_tokens_expand_as_glibc_does);
        tcase_add_test(tc, glibc_hwcaps_subdir_beats_the_plain_dir);
        tcase_add_test(tc, legacy_hwcaps_subdirs_are_searched_only_before_glibc_2_37);
        tcase_add_test(tc, legacy_hwcaps_end_with_glibc_2_37);
        tcase_add_test(tc, other_class_candidate_is_skipped);
        tcase_add_test(tc, i386_program_uses_the_32bit_loader_dirs);
        tcase_add_test(tc, filter_loads_filtee_and_missing_auxiliary_is_ignored);
        tcase_add_test(tc, loaded_soname_is_reused_instead_of_searching);
        tcase_add_test(tc, needed_name_with_slash_is_used_as_path);
        tcase_add_test(tc, static_program_needs_only_itself);
        tcase_add_test(tc, foreign_machine_cannot_run_here);
        tcase_add_test(tc, host_matches_ld_so_list_diagnostics);
        tcase_add_test(tc, run_realpath_equals_realpath);
        tcase_add_test(tc, programs_with_the_same_facts_share_one_walk_that_names_each);
        tcase_add_test(tc, origin_keeps_the_walks_of_programs_in_other_dirs_apart);
        tcase_add_test(tc, walks_that_name_the_program_in_a_dt_rpath_are_not_replayed);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
