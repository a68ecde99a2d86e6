/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "closure.h"
#include "macro.h"
#include "path-set.h"
#include "strv.h"
#include "test-util.h"

/* The files ld.so opens for a program, as ldd prints them: "name => /path"
 * lines, the interpreter line, minus linux-vdso; plus the program itself at
 * the path it is run as. ldd prints a path found through $ORIGIN/../lib as
 * "DIR/bin/../lib/x.so"; inside the root every directory is a plain one, so
 * such a path is compared in its lexical form, which coreutils' "realpath -s"
 * gives. Sorted. */
static char **ldd_set(const char *program, const char *as) {
        _cleanup_free_ char *d = tu_mkdtemp(), *out = NULL, *line = NULL;
        char **set = NULL;
        size_t size = 0;
        ck_assert_int_ge(asprintf(&out, "%s/ldd.out", d), 0);
        tu_sh("ldd '%s' > '%s.raw' && grep -v 'linux-vdso' '%s.raw' | "
              "sed -n -e 's/^.*=> \\(\\/.*\\) (0x[0-9a-f]*)$/\\1/p' -e 's/^[[:space:]]*\\(\\/[^ ]*\\) (0x[0-9a-f]*)$/\\1/p' | "
              "xargs -r -d '\\n' realpath -s -m > '%s'",
              program, out, out, out);
        _cleanup_fclose_ FILE *raw = NULL;
        _cleanup_free_ char *raw_path = NULL;
        ck_assert_int_ge(asprintf(&raw_path, "%s.raw", out), 0);
        raw = fopen(raw_path, "re");
        ck_assert_ptr_nonnull(raw);
        while (getline(&line, &size, raw) > 0)
                ck_assert_msg(!strstr(line, "not found"), "ldd %s: %s", program, line);
        _cleanup_fclose_ FILE *f = fopen(out, "re");
        ck_assert_ptr_nonnull(f);
        while (getline(&line, &size, f) > 0) {
                line[strcspn(line, "\n")] = 0;
                ck_assert_int_eq(strv_extend(&set, line), 0);
        }
        ck_assert_int_eq(strv_extend(&set, as ?: program), 0);
        strv_sort(set);
        tu_rm_rf(d);
        return set;
}

/* The closure's destinations, without the loader's own files (which ldd does
 * not list). Sorted. */
static char **closure_set(Closure *c) {
        char **set = NULL;
        for (const PathEntry **e = path_set_sorted(closure_binds(c)); e && *e; e++)
                if (!streq((*e)->dest, "/etc/ld.so.cache") && !streq((*e)->dest, "/etc/ld.so.preload"))
                        ck_assert_int_eq(strv_extend(&set, (*e)->dest), 0);
        return set;
}

static char *strv_lines(char * const *l) {
        _cleanup_free_ char *j = strv_join(l, "\n  ");
        char *s;
        ck_assert_int_ge(asprintf(&s, "  %s", j ?: ""), 0);
        return s;
}

static void assert_sets_equal(char **got, char **want, const char *what) {
        strv_sort(got);
        strv_sort(want);
        bool same = strv_length(got) == strv_length(want);
        for (size_t i = 0; same && got[i]; i++)
                same = streq(got[i], want[i]);
        if (!same) {
                _cleanup_free_ char *g = strv_lines(got), *w = strv_lines(want);
                ck_abort_msg("%s: closure\n%s\nexpected\n%s", what, g, w);
        }
}

/* Set union, keeping it sorted and unique. */
static void set_add_all(char ***set, char * const *more) {
        STRV_FOREACH(m, more)
                if (!strv_contains(*set, *m))
                        ck_assert_int_eq(strv_extend(set, *m), 0);
        strv_sort(*set);
}

static void init(Closure **c, const char *path) {
        _cleanup_free_ char *p = NULL;
        ck_assert_int_ge(asprintf(&p, "PATH=%s", path ?: "/usr/local/bin:/usr/bin:/bin"), 0);
        char *env[] = { p, NULL };
        ck_assert_int_eq(closure_new(env, NULL, c), 0);
}

static char *real(const char *path) {
        char *r = realpath(path, NULL);
        ck_assert_msg(r, "realpath(%s): %m", path);
        return r;
}

/* A program with a DT_NEEDED chain: bin/prog -> lib/liba.so -> lib/libb.so ->
 * libm, found through RUNPATH=$ORIGIN/../lib and $ORIGIN. */
static char *build_chain(const char *d) {
        _cleanup_free_ char *lib = NULL, *flags_b = NULL, *flags_a = NULL, *flags_p = NULL;
        ck_assert_int_ge(asprintf(&lib, "%s/lib", d), 0);
        ck_assert_int_ge(asprintf(&flags_b, "-shared -fPIC -lm"), 0);
        free(tu_cc(d, "lib/libb.so", "#include <math.h>\nvolatile double x = 2;\ndouble b(void) { return cos(x); }\n",
                   flags_b));
        ck_assert_int_ge(asprintf(&flags_a, "-shared -fPIC -L'%s' -lb '-Wl,-rpath,$ORIGIN'", lib), 0);
        free(tu_cc(d, "lib/liba.so", "double b(void);\ndouble a(void) { return b() + 1; }\n", flags_a));
        ck_assert_int_ge(asprintf(&flags_p, "-L'%s' -la '-Wl,-rpath,$ORIGIN/../lib'", lib), 0);
        return tu_cc(d, "bin/prog", "double a(void);\nint main(void) { return a() > 100; }\n", flags_p);
}

START_TEST(elf_closure_equals_what_ldd_resolves_plus_the_program) {
        _cleanup_free_ char *d = tu_mkdtemp();
        _cleanup_free_ char *prog = build_chain(d);
        tu_sh("'%s'", prog); /* it runs: the chain resolves */

        static const char *const programs[] = { NULL /* prog */, "/usr/bin/ls", "/usr/bin/ssh", "/usr/bin/python3" };
        for (size_t i = 0; i < ELEMENTSOF(programs); i++) {
                const char *p = programs[i] ?: prog;
                struct stat st;
                if (stat(p, &st) < 0)
                        continue; /* not installed here */
                Closure *c = NULL;
                init(&c, NULL);
                ck_assert_int_eq(closure_add_program(c, p, "test"), 0);
                ck_assert_ptr_null(closure_error(c));
                _cleanup_strv_free_ char **got = closure_set(c), **want = ldd_set(p, NULL);
                assert_sets_equal(got, want, p);
                c = closure_free(c);
        }
        tu_rm_rf(d);
}
END_TEST

START_TEST(symlinked_program_is_bound_from_its_real_file_at_the_link_path) {
        _cleanup_free_ char *d = tu_mkdtemp();
        _cleanup_free_ char *prog = build_chain(d);
        _cleanup_free_ char *link = tu_symlink("../bin/prog", d, "sbin/link");
        _cleanup_free_ char *chain = tu_symlink("link", d, "sbin/link2"); /* a chain of two links */
        _cleanup_free_ char *prog_real = real(prog);
        tu_sh("'%s'", chain);

        Closure *c = NULL;
        init(&c, NULL);
        ck_assert_int_eq(closure_add_program(c, chain, "test"), 0);
        const PathEntry *e = path_set_get(closure_binds(c), chain);
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e->source, prog_real);
        /* ld.so takes the program's $ORIGIN from its real path, as "ldd REALPATH" */
        _cleanup_strv_free_ char **got = closure_set(c), **want = ldd_set(prog_real, chain);
        assert_sets_equal(got, want, chain);
        c = closure_free(c);

        /* a link to a program without $ORIGIN: /usr/bin/ls at another name */
        _cleanup_free_ char *ls_link = tu_symlink("/usr/bin/ls", d, "bin/my-ls");
        _cleanup_free_ char *ls_real = real("/usr/bin/ls");
        init(&c, NULL);
        ck_assert_int_eq(closure_add_program(c, ls_link, "test"), 0);
        ck_assert_str_eq(path_set_get(closure_binds(c), ls_link)->source, ls_real);
        ck_assert(!path_set_contains(closure_binds(c), "/usr/bin/ls"));
        _cleanup_strv_free_ char **got_ls = closure_set(c), **want_ls = ldd_set(ls_real, ls_link);
        assert_sets_equal(got_ls, want_ls, ls_link);
        c = closure_free(c);

        /* every library bound at a link path is bound from that link's real file */
        init(&c, NULL);
        ck_assert_int_eq(closure_add_program(c, "/usr/bin/ls", "test"), 0);
        for (const PathEntry **p = path_set_sorted(closure_binds(c)); *p; p++) {
                _cleanup_free_ char *r = real((*p)->dest);
                ck_assert_str_eq((*p)->source, r);
        }
        c = closure_free(c);
        tu_rm_rf(d);
}
END_TEST

START_TEST(script_interpreter_is_added_recursively) {
        _cleanup_free_ char *d = tu_mkdtemp(), *inner = NULL, *outer = NULL, *text = NULL;
        inner = tu_write_exec(d, "inner", "#!/bin/sh\nexit 0\n");
        ck_assert_int_ge(asprintf(&text, "#!%s\n", inner), 0);
        outer = tu_write_exec(d, "outer", text);
        tu_sh("'%s'", outer); /* the kernel runs the nested #! chain */

        Closure *c = NULL;
        init(&c, NULL);
        ck_assert_int_eq(closure_add_program(c, outer, "test"), 0);
        _cleanup_strv_free_ char **got = closure_set(c), **want = ldd_set("/bin/sh", NULL);
        ck_assert_int_eq(strv_extend(&want, inner), 0);
        ck_assert_int_eq(strv_extend(&want, outer), 0);
        assert_sets_equal(got, want, outer);
        _cleanup_free_ char *sh_real = real("/bin/sh");
        ck_assert_str_eq(path_set_get(closure_binds(c), "/bin/sh")->source, sh_real);
        c = closure_free(c);
        tu_rm_rf(d);
}
END_TEST

START_TEST(env_hashbang_finds_its_program_in_the_closures_path) {
        _cleanup_free_ char *d = tu_mkdtemp(), *pathdir = NULL, *search = NULL;
        _cleanup_free_ char *prog = build_chain(d);
        _cleanup_free_ char *tool = tu_symlink(prog, d, "tools/mytool");
        _cleanup_free_ char *script = tu_write_exec(d, "script", "#!/usr/bin/env mytool\n");
        ck_assert_int_ge(asprintf(&pathdir, "%s/tools", d), 0);
        ck_assert_int_ge(asprintf(&search, "/nonexistent:%s:/usr/bin:/bin", pathdir), 0);
        tu_sh("PATH='%s' '%s'", search, script); /* env finds it the same way */

        Closure *c = NULL;
        init(&c, search);
        ck_assert_int_eq(closure_add_program(c, script, "test"), 0);
        _cleanup_strv_free_ char **got = closure_set(c), **want = ldd_set("/usr/bin/env", NULL);
        _cleanup_free_ char *prog_real = real(prog);
        _cleanup_strv_free_ char **tool_set = ldd_set(prog_real, tool);
        set_add_all(&want, tool_set);
        ck_assert_int_eq(strv_extend(&want, script), 0);
        assert_sets_equal(got, want, script);
        c = closure_free(c);

        /* not on the unit's PATH: env would fail, so does the closure */
        init(&c, "/usr/bin:/bin");
        ck_assert_int_lt(closure_add_program(c, script, "test"), 0);
        ck_assert_str_eq(closure_error_slug(c), "missing-interpreter");
        ck_assert_ptr_nonnull(strstr(closure_error(c), "mytool"));
        c = closure_free(c);
        tu_rm_rf(d);
}
END_TEST

START_TEST(hashbang_loop_between_two_scripts_fails_as_interpreter_loop) {
        _cleanup_free_ char *d = tu_mkdtemp(), *a = NULL, *b = NULL, *ta = NULL, *tb = NULL;
        ck_assert_int_ge(asprintf(&ta, "#!%s/b\n", d), 0);
        ck_assert_int_ge(asprintf(&tb, "#!%s/a\n", d), 0);
        a = tu_write_exec(d, "a", ta);
        b = tu_write_exec(d, "b", tb);
        /* the kernel refuses to run it (ELOOP) */
        tu_sh("! '%s' 2>/dev/null", a);

        Closure *c = NULL;
        init(&c, NULL);
        ck_assert_int_lt(closure_add_program(c, a, "test"), 0);
        ck_assert_str_eq(closure_error_slug(c), "interpreter-loop");
        c = closure_free(c);
        tu_rm_rf(d);
}
END_TEST

START_TEST(unusable_executables_fail_with_their_slug) {
        _cleanup_free_ char *d = tu_mkdtemp(), *missing = NULL, *dir = NULL, *l1 = NULL, *l2 = NULL, *data = NULL,
                            *noexec = NULL;
        ck_assert_int_ge(asprintf(&missing, "%s/no-such-program", d), 0);
        ck_assert_int_ge(asprintf(&dir, "%s/a-directory", d), 0);
        tu_mkdir_p(dir);
        l1 = tu_symlink("loop2", d, "loop1");
        l2 = tu_symlink("loop1", d, "loop2");
        data = tu_write_exec(d, "data", "neither ELF nor a script\n");
        noexec = tu_write(d, "noexec", "#!/bin/sh\n");

        static const struct {
                int which;
                const char *slug;
        } cases[] = {
                { 0, "missing-executable" },
                { 1, "not-executable" },
                { 2, "symlink-loop" },
                { 3, "not-executable" },
                { 4, "not-executable" },
        };
        const char *paths[] = { missing, dir, l1, data, noexec };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *p = paths[cases[i].which];
                /* the kernel cannot run it either */
                tu_sh("! '%s' 2>/dev/null", p);
                Closure *c = NULL;
                init(&c, NULL);
                ck_assert_int_lt(closure_add_program(c, p, "test"), 0);
                ck_assert_ptr_nonnull(closure_error(c));
                ck_assert_msg(streq(closure_error_slug(c), cases[i].slug), "%s: slug %s, expected %s", p, closure_error_slug(c),
                              cases[i].slug);
                ck_assert_msg(strstr(closure_error(c), p), "%s: cause \"%s\" does not name it", p, closure_error(c));
                c = closure_free(c);
        }
        tu_rm_rf(d);
}
END_TEST

START_TEST(first_failure_is_kept) {
        Closure *c = NULL;
        init(&c, NULL);
        ck_assert_int_lt(closure_add_program(c, "/nonexistent/first", "test"), 0);
        ck_assert_int_lt(closure_add_program(c, "/", "test"), 0);
        ck_assert_str_eq(closure_error_slug(c), "missing-executable");
        ck_assert_ptr_nonnull(strstr(closure_error(c), "/nonexistent/first"));
        c = closure_free(c);
}
END_TEST

START_TEST(package_dir_is_bound_with_the_closure_of_what_it_holds) {
        _cleanup_free_ char *d = tu_mkdtemp(), *pkg = NULL, *flags_lib = NULL, *flags_tool = NULL;
        ck_assert_int_ge(asprintf(&pkg, "%s/pkg", d), 0);
        ck_assert_int_ge(asprintf(&flags_lib, "-shared -fPIC -lm"), 0);
        _cleanup_free_ char *lib = tu_cc(pkg, "lib/libpkg.so",
                                         "#include <math.h>\nvolatile double x;\ndouble f(void) { return sin(x); }\n",
                                         flags_lib);
        ck_assert_int_ge(asprintf(&flags_tool, "-L'%s/lib' -lpkg '-Wl,-rpath,$ORIGIN/../lib'", pkg), 0);
        _cleanup_free_ char *tool = tu_cc(pkg, "bin/tool", "double f(void);\nint main(void) { return f() > 2; }\n",
                                          flags_tool);
        /* a plugin: a non-executable .so that needs a library of its own */
        _cleanup_free_ char *plugin = tu_cc(pkg, "plugins/plugin.so", "#include <zlib.h>\nconst char *v(void) { return zlibVersion(); }\n",
                                            "-shared -fPIC -lz");
        ck_assert_int_eq(chmod(plugin, 0644), 0);
        _cleanup_free_ char *script = tu_write_exec(pkg, "bin/run.sh", "#!/bin/bash\nexit 0\n");
        _cleanup_free_ char *inside = tu_symlink("tool", pkg, "bin/alias");
        _cleanup_free_ char *outside = tu_symlink("/usr/bin/id", pkg, "bin/id");
        _cleanup_free_ char *outside_rel = tu_symlink("../../outside.txt", pkg, "share/outside");
        _cleanup_free_ char *outside_file = tu_write(d, "outside.txt", "data\n");
        _cleanup_free_ char *dangling = tu_symlink("/nonexistent/target", pkg, "share/dangling");
        _cleanup_free_ char *data = tu_write(pkg, "share/data.txt", "data\n");
        tu_sh("'%s' && '%s'", tool, script);

        Closure *c = NULL;
        init(&c, NULL);
        ck_assert_int_eq(closure_add_package(c, pkg, "Packages="), 0);
        ck_assert_ptr_null(closure_error(c));
        _cleanup_free_ char *pkg_real = real(pkg);
        ck_assert_str_eq(path_set_get(closure_binds(c), pkg)->source, pkg_real);

        /* expected: the dir; what ld.so opens for every program and library in it
         * outside it; the interpreter of its script; the targets of its links that
         * point outside it */
        _cleanup_strv_free_ char **want = NULL, **got = closure_set(c);
        ck_assert_int_eq(strv_extend(&want, pkg), 0);
        char * const sources[] = { tool, plugin, (char *) "/bin/bash", NULL };
        STRV_FOREACH(s, sources) {
                _cleanup_strv_free_ char **l = ldd_set(*s, NULL);
                STRV_FOREACH(p, l)
                        if (!startswith(*p, pkg) && !strv_contains(want, *p))
                                ck_assert_int_eq(strv_extend(&want, *p), 0);
        }
        ck_assert_int_eq(strv_extend(&want, "/usr/bin/id"), 0);
        ck_assert_int_eq(strv_extend(&want, outside_file), 0);
        assert_sets_equal(got, want, pkg);
        c = closure_free(c);
        tu_rm_rf(d);
}
END_TEST

/* SPEC 2, Packages=: a relocatable object (python3-dev's config-X.Y/python.o,
 * mode 0644), a static archive, a core file and an ELF program without an
 * execute bit are data: bound with the dir, never resolved, never a cause to
 * block. The program links libz: resolving it would bind libz. */
START_TEST(package_with_relocatable_objects_and_non_executable_elf_is_confined) {
        _cleanup_free_ char *d = tu_mkdtemp(), *pkg = NULL;
        ck_assert_int_ge(asprintf(&pkg, "%s/python3.11", d), 0);
        _cleanup_free_ char *obj = tu_cc(pkg, "config-3.11-x86_64-linux-gnu/python.o",
                                         "#include <zlib.h>\nconst char *v(void) { return zlibVersion(); }\n", "-c");
        ck_assert_int_eq(chmod(obj, 0644), 0);
        _cleanup_free_ char *exec_obj = tu_cc(pkg, "config-3.11-x86_64-linux-gnu/exec.o",
                                              "int f(void) { return 1; }\n", "-c");
        ck_assert_int_eq(chmod(exec_obj, 0755), 0);
        tu_sh("cd '%s/config-3.11-x86_64-linux-gnu' && ar rcs libpython3.11.a python.o", pkg);
        _cleanup_free_ char *prog = tu_cc(pkg, "share/prog",
                                          "#include <zlib.h>\nint main(void) { return !zlibVersion(); }\n",
                                          "-no-pie -lz");
        ck_assert_int_eq(chmod(prog, 0644), 0);
        /* a core file: an ELF header with e_type ET_CORE (4), executable even */
        tu_sh("cp '%s' '%s/core' && printf '\\004\\000' | dd of='%s/core' bs=1 seek=16 conv=notrunc status=none"
              " && chmod 0755 '%s/core' && od -An -tu2 -j16 -N2 '%s/core' | grep -qw 4",
              obj, pkg, pkg, pkg, pkg);
        _cleanup_free_ char *junk = tu_write(pkg, "share/junk.bin", "\177ELF junk");

        Closure *c = NULL;
        init(&c, NULL);
        ck_assert_int_eq(closure_add_package(c, pkg, "Packages="), 0);
        ck_assert_ptr_null(closure_error(c));
        _cleanup_strv_free_ char **want = NULL, **got = closure_set(c);
        ck_assert_int_eq(strv_extend(&want, pkg), 0);
        assert_sets_equal(got, want, pkg);
        c = closure_free(c);

        /* the same files named one by one */
        char * const files[] = { obj, exec_obj, prog, junk, NULL };
        STRV_FOREACH(f, files) {
                init(&c, NULL);
                ck_assert_int_eq(closure_add_package(c, *f, "Packages="), 0);
                ck_assert_ptr_null(closure_error(c));
                _cleanup_strv_free_ char **one = closure_set(c), **want_one = NULL;
                ck_assert_int_eq(strv_extend(&want_one, *f), 0);
                assert_sets_equal(one, want_one, *f);
                c = closure_free(c);
        }
        tu_rm_rf(d);
}
END_TEST

/* A file below a bound dir is that dir's, whatever the dir's length: path-set.c knows
 * the lengths of its entries up to 255 bytes exactly, and a longer dir is always
 * looked up. */
START_TEST(file_below_a_bound_dir_of_any_length_is_covered_by_it) {
        _cleanup_free_ char *d = tu_mkdtemp(), *outside = tu_write(d, "outside.txt", "x\n");
        char deep[300] = "pkg";
        while (strlen(deep) < 270) /* with d, well over 255 bytes */
                strcat(deep, "/abcdefghij");
        const char *const pkgs[] = { "pkg", deep };
        for (size_t i = 0; i < ELEMENTSOF(pkgs); i++) {
                _cleanup_free_ char *pkg = NULL, *file = NULL;
                ck_assert_int_ge(asprintf(&pkg, "%s/%s", d, pkgs[i]), 0);
                ck_assert_int_ge(asprintf(&file, "%s/sub/dir/data.txt", pkgs[i]), 0);
                _cleanup_free_ char *data = tu_write(d, file, "data\n");
                Closure *c = NULL;
                init(&c, NULL);
                ck_assert_int_eq(closure_add_package(c, pkg, "Packages="), 0);
                ck_assert_uint_eq(path_set_size(closure_binds(c)), 1);
                ck_assert_int_eq(closure_add_file(c, data, "test"), 0);
                ck_assert_msg(path_set_size(closure_binds(c)) == 1, "%s bound again below %s", data, pkg);
                ck_assert_int_eq(closure_add_file(c, outside, "test"), 0);
                ck_assert_uint_eq(path_set_size(closure_binds(c)), 2);
                c = closure_free(c);
        }
        tu_rm_rf(d);
}
END_TEST

START_TEST(package_that_is_a_file_is_bound_like_an_argument) {
        Closure *c = NULL;
        init(&c, NULL);
        ck_assert_int_eq(closure_add_package(c, "/usr/bin/id", "Packages="), 0);
        _cleanup_strv_free_ char **got = closure_set(c), **want = ldd_set("/usr/bin/id", NULL);
        assert_sets_equal(got, want, "/usr/bin/id");
        c = closure_free(c);

        init(&c, NULL);
        ck_assert_int_lt(closure_add_package(c, "/nonexistent/package", "Packages="), 0);
        ck_assert_ptr_nonnull(closure_error(c));
        c = closure_free(c);
}
END_TEST

/* A scratch dir outside /tmp: arguments under /tmp, /var/tmp and /run are never
 * bound (the service has its own), see below. */
static char *mkdtemp_outside_tmp(void) {
        char tmpl[] = "/var/lib/confinement-test.XXXXXX"; /* not the build dir: it may be in /tmp */
        ck_assert_ptr_nonnull(mkdtemp(tmpl));
        char *d = realpath(tmpl, NULL);
        ck_assert_ptr_nonnull(d);
        return d;
}

START_TEST(argument_binds_files_and_programs_and_ignores_dirs_and_missing_paths) {
        _cleanup_free_ char *d = mkdtemp_outside_tmp(), *missing = NULL;
        _cleanup_free_ char *conf = tu_write(d, "etc/app.conf", "key=value\n");
        _cleanup_free_ char *conf_link = tu_symlink("app.conf", d, "etc/link.conf");
        ck_assert_int_ge(asprintf(&missing, "%s/missing.conf", d), 0);

        Closure *c = NULL;
        init(&c, NULL);
        ck_assert_int_eq(closure_add_argument(c, d, "arg"), 0);          /* a directory */
        ck_assert_int_eq(closure_add_argument(c, "/", "arg"), 0);        /* the root: never bound */
        ck_assert_int_eq(closure_add_argument(c, missing, "arg"), 0);    /* nothing there */
        ck_assert_int_eq(closure_add_argument(c, "relative", "arg"), 0); /* not a path */
        ck_assert_int_eq(closure_add_argument(c, "/dev/null", "arg"), 0); /* not a regular file */
        ck_assert_uint_eq(path_set_size(closure_binds(c)), 0);
        ck_assert_ptr_null(closure_error(c));

        ck_assert_int_eq(closure_add_argument(c, conf_link, "arg"), 0);
        _cleanup_free_ char *conf_real = real(conf);
        ck_assert_uint_eq(path_set_size(closure_binds(c)), 1);
        ck_assert_str_eq(path_set_get(closure_binds(c), conf_link)->source, conf_real);

        /* an executable argument (setpriv ... /usr/bin/id) brings its closure */
        ck_assert_int_eq(closure_add_argument(c, "/usr/bin/id", "arg"), 0);
        _cleanup_strv_free_ char **got = closure_set(c), **want = ldd_set("/usr/bin/id", NULL);
        ck_assert_int_eq(strv_extend(&want, conf_link), 0);
        assert_sets_equal(got, want, "arguments");
        c = closure_free(c);
        tu_sh("rm -rf '%s'", d);
}
END_TEST

START_TEST(argument_in_private_run_or_tmp_is_never_bound_from_the_host) {
        /* A PID file an earlier start left in /run, passed as "-p /run/x.pid". */
        char tmpl[] = "/tmp/confinement-test.XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(tmpl));
        _cleanup_free_ char *d = strdup(tmpl), *f = tu_write(d, "left-over.pid", "42\n");
        Closure *c = NULL;
        init(&c, NULL);
        ck_assert_int_eq(closure_add_argument(c, f, "arg"), 0);
        ck_assert_uint_eq(path_set_size(closure_binds(c)), 0);
        ck_assert_ptr_null(closure_error(c));
        c = closure_free(c);
        tu_rm_rf(d);
}
END_TEST

START_TEST(find_in_path_is_the_first_executable_regular_file) {
        _cleanup_free_ char *d = tu_mkdtemp(), *a = NULL, *b = NULL;
        ck_assert_int_ge(asprintf(&a, "%s/a", d), 0);
        ck_assert_int_ge(asprintf(&b, "%s/b", d), 0);
        free(tu_write(d, "a/tool", "not executable\n"));       /* skipped: no x bit */
        tu_mkdir_p(a);
        free(tu_write_exec(d, "b/tool", "#!/bin/sh\n"));
        _cleanup_free_ char *dir_tool = NULL;
        ck_assert_int_ge(asprintf(&dir_tool, "%s/tooldir", a), 0);
        tu_mkdir_p(dir_tool);                                    /* a dir of that name: skipped */
        char *path[] = { a, b, NULL };
        _cleanup_free_ char *found = closure_find_in_path(path, "tool");
        _cleanup_free_ char *want = NULL, *shell = NULL;
        ck_assert_int_ge(asprintf(&want, "%s/tool", b), 0);
        ck_assert_str_eq(found, want);
        ck_assert_ptr_null(closure_find_in_path(path, "tooldir"));
        ck_assert_ptr_null(closure_find_in_path(path, "nothing"));
        tu_rm_rf(d);
}
END_TEST

int main(void) {
        Suite *s = suite_create("closure");
        TCase *tc = tcase_create("programs");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, elf_closure_equals_what_ldd_resolves_plus_the_program);
        tcase_add_test(tc, symlinked_program_is_bound_from_its_real_file_at_the_link_path);
        tcase_add_test(tc, script_interpreter_is_added_recursively);
        tcase_add_test(tc, env_hashbang_finds_its_program_in_the_closures_path);
        tcase_add_test(tc, hashbang_loop_between_two_scripts_fails_as_interpreter_loop);
        tcase_add_test(tc, unusable_executables_fail_with_their_slug);
        tcase_add_test(tc, first_failure_is_kept);
        tcase_add_test(tc, find_in_path_is_the_first_executable_regular_file);
        suite_add_tcase(s, tc);
        tc = tcase_create("packages and arguments");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, package_dir_is_bound_with_the_closure_of_what_it_holds);
        tcase_add_test(tc, package_that_is_a_file_is_bound_like_an_argument);
        tcase_add_test(tc, package_with_relocatable_objects_and_non_executable_elf_is_confined);
        tcase_add_test(tc, file_below_a_bound_dir_of_any_length_is_covered_by_it);
        tcase_add_test(tc, argument_binds_files_and_programs_and_ignores_dirs_and_missing_paths);
        tcase_add_test(tc, argument_in_private_run_or_tmp_is_never_bound_from_the_host);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
