/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec-command.h"
#include "generator.h"
#include "macro.h"
#include "specifier.h"
#include "strv.h"
#include "test-util.h"
#include "unit-file.h"

#define WHITESPACE " \t\n\r"

/* A scratch tree: T/units is the whole unit search path (SYSTEMD_UNIT_PATH),
 * T/out the generator's output dir. */
typedef struct Tree {
        char *top, *units, *out;
} Tree;

static void tree_init(Tree *t) {
        t->top = tu_mkdtemp();
        ck_assert_int_ge(asprintf(&t->units, "%s/units", t->top), 0);
        ck_assert_int_ge(asprintf(&t->out, "%s/out", t->top), 0);
        tu_mkdir_p(t->units);
        tu_mkdir_p(t->out);
        ck_assert_int_eq(setenv("SYSTEMD_UNIT_PATH", t->units, 1), 0);
}

static void tree_done(Tree *t) {
        tu_rm_rf(t->top);
        free(t->top);
        free(t->units);
        free(t->out);
}

static void unit(const Tree *t, const char *rel, const char *text) {
        free(tu_write(t->units, rel, text));
}

static void run_generator(const Tree *t) {
        char *dirs[] = { t->out, NULL };
        GeneratorOptions o = { .output_dirs = dirs };
        ck_assert_int_eq(generator_run(&o), 0);
}

/* Every regular file and symlink under dir, relative to it, sorted ("find -printf %P"). */
static char **files_under(const char *dir) {
        _cleanup_free_ char *list = NULL, *line = NULL;
        char **files = NULL;
        size_t size = 0;
        ck_assert_int_ge(asprintf(&list, "%s.list", dir), 0);
        tu_sh("find '%s' ! -type d -printf '%%P\\n' | LC_ALL=C sort > '%s'", dir, list);
        _cleanup_fclose_ FILE *f = fopen(list, "re");
        ck_assert_ptr_nonnull(f);
        while (getline(&line, &size, f) > 0) {
                line[strcspn(line, "\n")] = 0;
                ck_assert_int_eq(strv_extend(&files, line), 0);
        }
        unlink(list);
        return files;
}

/* The .conf files the generator wrote for one unit (names only). */
static char **dropins_of(const Tree *t, const char *unit_name) {
        _cleanup_strv_free_ char **all = files_under(t->out);
        _cleanup_free_ char *prefix = NULL;
        char **names = NULL;
        ck_assert_int_ge(asprintf(&prefix, "%s.d/", unit_name), 0);
        STRV_FOREACH(f, all) {
                const char *name = startswith(*f, prefix);
                if (name)
                        ck_assert_int_eq(strv_extend(&names, name), 0);
        }
        return names;
}

static char *read_text(const char *path) {
        char *text = NULL;
        size_t size = 0;
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        ck_assert_msg(f, "%s: %m", path);
        if (getdelim(&text, &size, 0, f) < 0) {
                ck_assert(feof(f)); /* an empty file */
                free(text);
                text = strdup("");
        }
        return text;
}

/* The destinations of BindReadOnlyPaths= in a drop-in, read as systemd 252's
 * config_parse_bind_paths() reads them (words split at ':' and blanks with
 * EXTRACT_UNQUOTE|EXTRACT_DONT_COALESCE_SEPARATORS, specifiers expanded). */
static char **bind_destinations(const char *dropin, const char *unit_name) {
        _cleanup_(unit_text_done) UnitText u = {};
        _cleanup_strv_free_ char **values = NULL;
        const Specifiers sp = { .name = unit_name };
        const ExtractFlags flags = EXTRACT_UNQUOTE | EXTRACT_DONT_COALESCE_SEPARATORS;
        char **dests = NULL;
        ck_assert_int_eq(unit_text_load_file(&u, dropin), 0);
        ck_assert_int_eq(unit_text_get_list(&u, "Service", "BindReadOnlyPaths", &values), 0);
        STRV_FOREACH(v, values)
                for (const char *p = *v;;) {
                        _cleanup_free_ char *word = NULL, *dest = NULL, *expanded = NULL, *error = NULL;
                        int r = extract_first_word(&p, &word, ":" WHITESPACE, flags);
                        ck_assert_int_ge(r, 0);
                        if (r == 0)
                                break;
                        if (p && p[-1] == ':')
                                ck_assert_int_gt(extract_first_word(&p, &dest, ":" WHITESPACE, flags), 0);
                        const char *w = dest ?: word;
                        ck_assert_int_eq(specifier_expand(w[0] == '-' ? w + 1 : w, &sp, &expanded, &error), 0);
                        ck_assert_int_eq(strv_consume(&dests, TAKE_PTR(expanded)), 0);
                }
        return dests;
}

/* What ld.so opens for program ("ldd"), lexically normalised, plus the program. */
static char **ldd_set(const char *program) {
        _cleanup_free_ char *d = tu_mkdtemp(), *out = NULL, *line = NULL;
        char **set = NULL;
        size_t size = 0;
        ck_assert_int_ge(asprintf(&out, "%s/ldd.out", d), 0);
        tu_sh("ldd '%s' | grep -v linux-vdso | "
              "sed -n -e 's/^.*=> \\(\\/.*\\) (0x[0-9a-f]*)$/\\1/p' -e 's/^[[:space:]]*\\(\\/[^ ]*\\) (0x[0-9a-f]*)$/\\1/p' | "
              "xargs -r -d '\\n' realpath -s -m > '%s'",
              program, out);
        _cleanup_fclose_ FILE *f = fopen(out, "re");
        ck_assert_ptr_nonnull(f);
        while (getline(&line, &size, f) > 0) {
                line[strcspn(line, "\n")] = 0;
                ck_assert_int_eq(strv_extend(&set, line), 0);
        }
        ck_assert_int_eq(strv_extend(&set, program), 0);
        tu_rm_rf(d);
        return set;
}

static void assert_covers(char * const *binds, char * const *needed, const char *what) {
        STRV_FOREACH(n, needed)
                ck_assert_msg(strv_contains(binds, *n), "%s: %s is not bound", what, *n);
}

/* systemd's own reading of a unit with the generator's drop-ins: the unit
 * tree and the output dir copied into one dir, loaded by "systemd-analyze
 * verify" at debug level, which dumps the parsed unit. */
static char *systemd_dump(const Tree *t, const char *unit_name) {
        _cleanup_free_ char *v = NULL;
        ck_assert_int_ge(asprintf(&v, "%s/verify", t->top), 0);
        tu_sh("rm -rf '%s' && mkdir '%s' && cp -a '%s'/. '%s'/. '%s'/", v, v, t->units, t->out, v);
        return tu_systemd_dump(v, unit_name);
}

static const char *const confined_ls = "[Service]\nExecStart=/usr/bin/ls -la /\n[X-Confinement]\n";

START_TEST(unit_without_the_section_gets_nothing) {
        Tree t;
        tree_init(&t);
        unit(&t, "plain.service", "[Service]\nExecStart=/usr/bin/ls\n[X-Other]\nEnable=yes\n");
        unit(&t, "other.service", "[Service]\nExecStart=/nonexistent/program\n");
        run_generator(&t);
        _cleanup_strv_free_ char **files = files_under(t.out);
        ck_assert_msg(strv_length(files) == 0, "the generator wrote %s", files[0]);
        tree_done(&t);
}
END_TEST

/* The fds open in this process, counted in /proc/self/fd. */
static size_t open_fds(void) {
        _cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
        size_t n = 0;
        ck_assert_ptr_nonnull(d);
        for (struct dirent *de; (de = readdir(d));)
                n += de->d_name[0] != '.';
        return n;
}

/* A run leaves no fd open behind it, in its output dirs or anywhere: a process that runs the
 * generator again and again (the fuzzers) would run out (the output dirs' fds once did). */
START_TEST(a_run_leaves_no_fd_open) {
        Tree t;
        tree_init(&t);
        unit(&t, "a.service", "[Service]\nExecStart=/bin/true\n[X-Confinement]\n");
        unit(&t, "b.service", "[Service]\nExecStart=/nonexistent\n[X-Confinement]\n");
        char *dirs[] = { t.out, t.out, t.out, NULL };
        GeneratorOptions o = { .output_dirs = dirs };
        size_t before = open_fds();
        for (int i = 0; i < 3; i++)
                ck_assert_int_eq(generator_run(&o), 0);
        ck_assert_uint_eq(open_fds(), before);
        tree_done(&t);
}
END_TEST

START_TEST(opted_in_unit_gets_exactly_one_conf_whose_binds_cover_its_program) {
        Tree t;
        tree_init(&t);
        unit(&t, "confined.service", confined_ls);
        run_generator(&t);

        _cleanup_strv_free_ char **names = dropins_of(&t, "confined.service");
        ck_assert_uint_eq(strv_length(names), 1);
        ck_assert(endswith(names[0], ".conf"));
        ck_assert(!strstr(names[0], "blocked"));

        _cleanup_free_ char *path = NULL;
        ck_assert_int_ge(asprintf(&path, "%s/confined.service.d/%s", t.out, names[0]), 0);
        _cleanup_strv_free_ char **binds = bind_destinations(path, "confined.service");
        _cleanup_strv_free_ char **needed = ldd_set("/usr/bin/ls"), **sh = ldd_set("/bin/sh");
        assert_covers(binds, needed, "ExecStart=/usr/bin/ls");
        assert_covers(binds, sh, "BinSh=");

        /* systemd reads the same binds, with the root the drop-in sets */
        _cleanup_free_ char *dump = systemd_dump(&t, "confined.service");
        _cleanup_strv_free_ char **seen = tu_dump_values(dump, "BindReadOnlyPaths"), **roots = tu_dump_values(dump, "RootDirectory");
        _cleanup_strv_free_ char **seen_dests = NULL;
        STRV_FOREACH(s, seen) {
                /* "SRC:DST:rbind"; none of these paths holds a ':' */
                _cleanup_free_ char *copy = strdup(*s);
                char *dst = strchr(copy, ':');
                ck_assert_ptr_nonnull(dst);
                dst++;
                dst[strcspn(dst, ":")] = 0;
                ck_assert_int_eq(strv_extend(&seen_dests, dst), 0);
        }
        assert_covers(seen_dests, needed, "systemd's reading of the drop-in");
        ck_assert_uint_eq(strv_length(roots), 1);
        ck_assert_str_eq(roots[0], "/run/confinement/confined.service/root");

        /* the guard's marker */
        _cleanup_free_ char *marker = NULL;
        ck_assert_int_ge(asprintf(&marker, "%s/" CONFINEMENT_MARKER_DIR "/confined.service", t.out), 0);
        ck_assert_int_eq(access(marker, F_OK), 0);
        tree_done(&t);
}
END_TEST

START_TEST(unit_that_cannot_be_confined_gets_only_a_blocking_dropin_named_by_its_cause) {
        Tree t;
        tree_init(&t);
        unit(&t, "broken.service", "[Service]\nExecStart=/nonexistent/program\n[X-Confinement]\n");
        unit(&t, "bad-key.service", "[Service]\nExecStart=/usr/bin/ls\n[X-Confinement]\nFrobnicate=yes\n");
        unit(&t, "confined.service", confined_ls);
        unit(&t, "plain.service", "[Service]\nExecStart=/usr/bin/ls\n");
        run_generator(&t);

        static const struct {
                const char *unit, *slug;
        } cases[] = { { "broken.service", "missing-executable" }, { "bad-key.service", "bad-setting" } };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strv_free_ char **names = dropins_of(&t, cases[i].unit);
                _cleanup_free_ char *suffix = NULL;
                ck_assert_int_ge(asprintf(&suffix, "-blocked-%s.conf", cases[i].slug), 0);
                ck_assert_msg(strv_length(names) == 1, "%s: %zu drop-ins", cases[i].unit, strv_length(names));
                ck_assert_msg(endswith(names[0], suffix), "%s: %s", cases[i].unit, names[0]);

                /* systemd reads a root that cannot exist and the cause in Description= */
                _cleanup_free_ char *dump = systemd_dump(&t, cases[i].unit);
                _cleanup_strv_free_ char **roots = tu_dump_values(dump, "RootDirectory"), **desc = tu_dump_values(dump, "Description"),
                                         **asserts = tu_dump_values(dump, "AssertPathExists");
                ck_assert_uint_eq(strv_length(roots), 1);
                struct stat st;
                ck_assert_int_eq(stat(roots[0], &st), -1);
                ck_assert_uint_eq(strv_length(desc), 1);
                ck_assert_msg(startswith(desc[0], "Blocked by systemd-confinement-generator: "), "%s", desc[0]);
                ck_assert_uint_ge(strv_length(asserts), 1);
                STRV_FOREACH(a, asserts) {
                        _cleanup_free_ char *p = strndup(*a, strcspn(*a, " "));
                        ck_assert_int_eq(stat(p, &st), -1);
                }
        }
        /* the others are unaffected by their neighbours' failures */
        _cleanup_strv_free_ char **ok = dropins_of(&t, "confined.service"), **plain = dropins_of(&t, "plain.service");
        ck_assert_uint_eq(strv_length(ok), 1);
        ck_assert(!strstr(ok[0], "blocked"));
        ck_assert_uint_eq(strv_length(plain), 0);
        tree_done(&t);
}
END_TEST

START_TEST(blocking_dropin_still_blocks_when_the_cause_is_not_utf8) {
        /* The unit file is plain ASCII; the cause quotes the #! line of its
         * script, which names a Latin-1 path that does not exist. */
        Tree t;
        tree_init(&t);
        _cleanup_free_ char *script = tu_write_exec(t.top, "bin/s.sh", "#!/opt/caf\xe9/sh\n"), *text = NULL;
        ck_assert_int_ge(asprintf(&text, "[Service]\nExecStart=%s\n[X-Confinement]\n", script), 0);
        unit(&t, "latin1.service", text);
        run_generator(&t);
        _cleanup_strv_free_ char **names = dropins_of(&t, "latin1.service");
        ck_assert_uint_eq(strv_length(names), 1);
        ck_assert_msg(endswith(names[0], "-blocked-missing-executable.conf"), "%s", names[0]);

        _cleanup_free_ char *dump = systemd_dump(&t, "latin1.service");
        _cleanup_strv_free_ char **roots = tu_dump_values(dump, "RootDirectory"), **asserts = tu_dump_values(dump, "AssertPathExists");
        ck_assert_uint_eq(strv_length(roots), 1);
        ck_assert_msg(!streq(roots[0], "/") && strv_length(asserts) >= 1,
                      "systemd reads RootDirectory=%s and %zu assertions: the unit would start unconfined", roots[0],
                      strv_length(asserts));
        tree_done(&t);
}
END_TEST

START_TEST(user_dropin_named_like_ours_makes_the_generator_choose_a_later_name) {
        Tree t;
        tree_init(&t);
        unit(&t, "vendor.service", "[Service]\nExecStart=/usr/bin/ls\n");
        /* opted in by the user's own drop-in, which has the generator's default name */
        unit(&t, "vendor.service.d/zz-confinement.conf", "[X-Confinement]\nMode=chroot-only\n");
        unit(&t, "vendor.service.d/~late.conf", "[Service]\nEnvironment=A=1\n");
        run_generator(&t);

        _cleanup_strv_free_ char **names = dropins_of(&t, "vendor.service");
        ck_assert_uint_eq(strv_length(names), 1);
        ck_assert_str_ne(names[0], "zz-confinement.conf");
        ck_assert_msg(strcmp(names[0], "zz-confinement.conf") > 0 && strcmp(names[0], "~late.conf") > 0,
                      "%s sorts before a user's drop-in", names[0]);
        ck_assert(!strstr(names[0], "blocked"));

        /* systemd reads ours last: the mode's settings it writes are the ones in force */
        _cleanup_free_ char *dump = systemd_dump(&t, "vendor.service");
        _cleanup_strv_free_ char **roots = tu_dump_values(dump, "RootDirectory"), **api = tu_dump_values(dump, "MountAPIVFS");
        ck_assert_str_eq(roots[0], "/run/confinement/vendor.service/root");
        ck_assert_str_eq(api[0], "no"); /* chroot-only, from the user's drop-in */
        tree_done(&t);
}
END_TEST

/* SPEC 4, the settings table: "set" as systemd reads it. An empty or bad value
 * leaves a setting unset (systemd ignores it), so the mode's default still
 * applies: PrivateDevices= empty left the host's /dev inside on 252. */
START_TEST(emptied_or_bad_mode_settings_still_get_the_mode_defaults) {
        static const char *const keys[] = { "PrivateDevices", "PrivateTmp", "ProtectControlGroups",
                                            "ProtectKernelModules", "ProtectKernelTunables", "MountAPIVFS" };
        Tree t;
        tree_init(&t);
        unit(&t, "emptied.service", "[Service]\nExecStart=/usr/bin/ls\n[X-Confinement]\n");
        unit(&t, "emptied.service.d/50-empty.conf",
             "[Service]\nPrivateDevices=\nPrivateTmp=\nProtectControlGroups=bogus\nProtectKernelModules=\n"
             "ProtectKernelTunables=\nMountAPIVFS=yes\nMountAPIVFS=\n");
        /* systemd ignores "" and "maybe" for a boolean: the unit's own no stands */
        unit(&t, "kept-no.service", "[Service]\nExecStart=/usr/bin/ls\nPrivateDevices=no\nPrivateDevices=\n"
                                    "PrivateTmp=no\nPrivateTmp=maybe\n[X-Confinement]\n");
        run_generator(&t);

        _cleanup_free_ char *dump = systemd_dump(&t, "emptied.service");
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                _cleanup_strv_free_ char **v = tu_dump_values(dump, keys[i]);
                /* systemd 257 dumps PrivateTmp=yes as "connected" */
                ck_assert_msg(v && (streq(v[0], "yes") || (streq(keys[i], "PrivateTmp") && streq(v[0], "connected"))),
                              "%s: %s", keys[i], v ? v[0] : "(not in the dump)");
        }
        _cleanup_free_ char *dump_no = systemd_dump(&t, "kept-no.service");
        _cleanup_strv_free_ char **dev = tu_dump_values(dump_no, "PrivateDevices"), **tmp = tu_dump_values(dump_no, "PrivateTmp");
        ck_assert_str_eq(dev[0], "no");
        ck_assert_str_eq(tmp[0], "no");
        tree_done(&t);
}
END_TEST

/* RootDirectoryStartOnly=yes then an empty or bad value keeps yes in systemd
 * 252 (systemctl show): still a conflict. An emptied RootDirectory= is unset. */
START_TEST(conflict_checks_read_the_settings_as_systemd_does) {
        Tree t;
        tree_init(&t);
        unit(&t, "rdso.service", "[Service]\nExecStart=/usr/bin/ls\nRootDirectoryStartOnly=yes\n[X-Confinement]\n");
        unit(&t, "rdso.service.d/50-empty.conf", "[Service]\nRootDirectoryStartOnly=\n");
        unit(&t, "rdso-bad.service", "[Service]\nExecStart=/usr/bin/ls\nRootDirectoryStartOnly=yes\n"
                                     "RootDirectoryStartOnly=perhaps\n[X-Confinement]\n");
        unit(&t, "rd-reset.service", "[Service]\nExecStart=/usr/bin/ls\nRootDirectory=/srv/x\nRootDirectory=\n"
                                     "RootDirectoryStartOnly=yes\nRootDirectoryStartOnly=no\n[X-Confinement]\n");
        run_generator(&t);
        _cleanup_strv_free_ char **a = dropins_of(&t, "rdso.service"), **b = dropins_of(&t, "rdso-bad.service"),
                                 **c = dropins_of(&t, "rd-reset.service");
        ck_assert_msg(a && strstr(a[0], "blocked-conflicting-setting"), "%s", a ? a[0] : "none");
        ck_assert_msg(b && strstr(b[0], "blocked-conflicting-setting"), "%s", b ? b[0] : "none");
        ck_assert_msg(c && !strstr(c[0], "blocked"), "%s", c ? c[0] : "none");
        tree_done(&t);
}
END_TEST

static char *dropin_text(const Tree *t, const char *unit_name) {
        _cleanup_strv_free_ char **names = dropins_of(t, unit_name);
        _cleanup_free_ char *p = NULL;
        ck_assert_uint_eq(strv_length(names), 1);
        ck_assert_int_ge(asprintf(&p, "%s/%s.d/%s", t->out, unit_name, names[0]), 0);
        return read_text(p);
}

/* SPEC 4 "Binds": who can change the directories that hold a bound path, not
 * who owns the path. A file in a user's dir (or reached through a link into
 * one, or in a dir anyone may write) blocks the unit, naming dir and owner; the
 * user's dir bound whole (as Debian's /etc/postgresql) and a root file in a
 * sticky root dir are fine. */
START_TEST(bind_in_a_directory_a_non_root_user_can_change_blocks_the_unit) {
        if (geteuid() != 0)
                return; /* needs chown */
        Tree t;
        tree_init(&t);
        _cleanup_free_ char *top = NULL;
        ck_assert_int_ge(asprintf(&top, "%s/fx", t.top), 0);
        free(tu_write(top, "user/conf", "x\n"));
        free(tu_write(top, "open/conf", "x\n"));
        free(tu_write(top, "sticky/conf", "x\n"));
        free(tu_symlink("user", top, "link"));
        tu_sh("chmod 755 '%s' '%s' && chown 1000:1000 '%s/user' && chmod 777 '%s/open' && chmod 1777 '%s/sticky'",
              t.top, top, top, top, top);
        static const struct {
                const char *name, *package;
                bool blocked;
                const char *cause;
        } cases[] = {
                { "in-user-dir.service", "user/conf", true, "/fx/user belongs to " },
                { "via-link.service", "link/conf", true, "/fx/user belongs to " },
                { "in-open-dir.service", "open/conf", true, "/fx/open (mode 0777, group 0) is writable" },
                { "user-dir-whole.service", "user", false, NULL },
                { "in-sticky-dir.service", "sticky/conf", false, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = NULL;
                ck_assert_int_ge(asprintf(&text, "[Service]\nExecStart=/usr/bin/ls\n[X-Confinement]\nPackages=%s/%s\n",
                                          top, cases[i].package), 0);
                unit(&t, cases[i].name, text);
        }
        run_generator(&t);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strv_free_ char **names = dropins_of(&t, cases[i].name);
                _cleanup_free_ char *text = dropin_text(&t, cases[i].name);
                ck_assert_msg(!!strstr(names[0], "blocked-unsafe-path") == cases[i].blocked, "%s: %s",
                              cases[i].name, names[0]);
                ck_assert_msg(!cases[i].cause || strstr(text, cases[i].cause), "%s: %s", cases[i].name, text);
                /* "NAME (uid 1000)" where /etc/passwd has the user, "uid 1000" where not
                 * (a fresh debootstrap root) */
                ck_assert_msg((!strstr(cases[i].package, "user/") && !strstr(cases[i].package, "link/")) ||
                              strstr(text, "uid 1000"), "%s: the owner is not named: %s", cases[i].name, text);
        }
        tree_done(&t);
}
END_TEST

/* A value 252 cannot parse but 257 can (PrivateTmp=disconnected): full-apivfs
 * writes its yes over it, chroot-only leaves it to the unit (systemd's own
 * default is no): more confinement under either version, never less. */
START_TEST(newer_enum_values_never_lose_confinement) {
        Tree t;
        tree_init(&t);
        unit(&t, "full.service", "[Service]\nExecStart=/usr/bin/ls\nPrivateTmp=disconnected\n[X-Confinement]\n");
        unit(&t, "chroot.service", "[Service]\nExecStart=/usr/bin/ls\nPrivateTmp=disconnected\n"
                                   "ProtectControlGroups=strict\n[X-Confinement]\nMode=chroot-only\n");
        run_generator(&t);
        _cleanup_free_ char *full = dropin_text(&t, "full.service"), *chroot = dropin_text(&t, "chroot.service");
        ck_assert_msg(strstr(full, "\nPrivateTmp=yes\n"), "%s", full);
        ck_assert_msg(!strstr(chroot, "PrivateTmp=no") && !strstr(chroot, "ProtectControlGroups=no"), "%s", chroot);
        ck_assert_msg(strstr(chroot, "\nPrivateDevices=no\n"), "%s", chroot);
        tree_done(&t);
}
END_TEST

START_TEST(enable_no_in_a_later_dropin_leaves_no_dropin) {
        Tree t;
        tree_init(&t);
        unit(&t, "off.service", confined_ls);
        unit(&t, "off.service.d/50-off.conf", "[X-Confinement]\nEnable=no\n");
        unit(&t, "on-again.service", "[Service]\nExecStart=/usr/bin/ls\n[X-Confinement]\nEnable=no\n");
        unit(&t, "on-again.service.d/50-on.conf", "[X-Confinement]\nEnable=yes\n");
        run_generator(&t);
        _cleanup_strv_free_ char **off = dropins_of(&t, "off.service"), **on = dropins_of(&t, "on-again.service");
        ck_assert_msg(strv_length(off) == 0, "Enable=no, yet %s", off ? off[0] : "");
        ck_assert_uint_eq(strv_length(on), 1);
        ck_assert(!strstr(on[0], "blocked"));
        tree_done(&t);
}
END_TEST

START_TEST(masked_units_are_skipped) {
        Tree t;
        tree_init(&t);
        free(tu_symlink("/dev/null", t.units, "masked.service"));
        unit(&t, "masked.service.d/confine.conf", "[Service]\nExecStart=/usr/bin/ls\n[X-Confinement]\n");
        unit(&t, "empty.service", "");
        unit(&t, "empty.service.d/confine.conf", "[Service]\nExecStart=/usr/bin/ls\n[X-Confinement]\n");
        run_generator(&t);
        _cleanup_strv_free_ char **files = files_under(t.out);
        ck_assert_msg(strv_length(files) == 0, "the generator wrote %s", files[0]);
        tree_done(&t);
}
END_TEST

START_TEST(template_with_instance_in_execstart_gets_per_instance_dropins_and_a_guard) {
        Tree t;
        tree_init(&t);
        unit(&t, "run@.service", "[Service]\nExecStart=/usr/bin/%i --version\n[X-Confinement]\n");
        free(tu_symlink("../run@.service", t.units, "multi-user.target.wants/run@ls.service"));
        free(tu_symlink("../run@.service", t.units, "multi-user.target.wants/run@id.service"));
        run_generator(&t);

        const char *const instances[] = { "ls", "id" };
        for (size_t i = 0; i < ELEMENTSOF(instances); i++) {
                _cleanup_free_ char *name = NULL, *program = NULL, *path = NULL;
                ck_assert_int_ge(asprintf(&name, "run@%s.service", instances[i]), 0);
                ck_assert_int_ge(asprintf(&program, "/usr/bin/%s", instances[i]), 0);
                _cleanup_strv_free_ char **names = dropins_of(&t, name);
                ck_assert_msg(strv_length(names) == 1, "%s: %zu drop-ins", name, strv_length(names));
                ck_assert(!strstr(names[0], "blocked"));
                ck_assert_int_ge(asprintf(&path, "%s/%s.d/%s", t.out, name, names[0]), 0);
                _cleanup_strv_free_ char **binds = bind_destinations(path, name), **needed = ldd_set(program);
                assert_covers(binds, needed, name);
                /* and not the other instance's program */
                ck_assert(!strv_contains(binds, i == 0 ? "/usr/bin/id" : "/usr/bin/ls"));
        }

        /* the template's guard: systemd asserts a path that exists for the named
         * instances and not for any other */
        _cleanup_strv_free_ char **guard = dropins_of(&t, "run@.service");
        ck_assert_uint_eq(strv_length(guard), 1);
        const char *const probes[] = { "ls", "id", "cat" };
        for (size_t i = 0; i < ELEMENTSOF(probes); i++) {
                _cleanup_free_ char *name = NULL, *dump = NULL;
                ck_assert_int_ge(asprintf(&name, "run@%s.service", probes[i]), 0);
                dump = systemd_dump(&t, name);
                _cleanup_strv_free_ char **asserts = tu_dump_values(dump, "AssertPathExists");
                ck_assert_msg(strv_length(asserts) >= 1, "%s: no assertion", name);
                bool all_hold = true;
                STRV_FOREACH(a, asserts) {
                        _cleanup_free_ char *p = strndup(*a, strcspn(*a, " "));
                        /* the verify copy holds the same files as the output dir */
                        all_hold = all_hold && access(p, F_OK) == 0;
                }
                ck_assert_msg(all_hold == (i < 2), "%s: assertions %s", name, all_hold ? "hold" : "fail");
        }
        tree_done(&t);
}
END_TEST

/* The marker assertions systemd finds for unit_name: 1 if all hold, 0 if one fails, -1 if none. */
static int marker_asserts_hold(const Tree *t, const char *unit_name) {
        _cleanup_free_ char *dump = systemd_dump(t, unit_name);
        _cleanup_strv_free_ char **asserts = tu_dump_values(dump, "AssertPathExists");
        int result = -1;
        STRV_FOREACH(a, asserts) {
                _cleanup_free_ char *p = strndup(*a, strcspn(*a, " "));
                if (!strstr(p, "/" CONFINEMENT_MARKER_DIR "/"))
                        continue;
                result = (result != 0) && access(p, F_OK) == 0;
        }
        return result;
}

/* SPEC 1, "Units the generator cannot see": a prefix dir that opts units in is guarded in the
 * output dir, so a unit made later (transient, a later instance) must have a marker, which only
 * the generator writes; units it handled pass. */
START_TEST(opted_in_prefix_dir_guards_units_the_generator_did_not_see) {
        Tree t;
        tree_init(&t);
        unit(&t, "foo-.service.d/confine.conf", "[X-Confinement]\n");
        unit(&t, "foo-real.service", "[Service]\nExecStart=/usr/bin/ls\n");
        unit(&t, "foo-tpl@.service", "[Service]\nExecStart=/usr/bin/ls\n");
        unit(&t, "foo-off.service", "[Service]\nExecStart=/usr/bin/ls\n");
        unit(&t, "foo-off.service.d/off.conf", "[X-Confinement]\nEnable=no\n");
        unit(&t, "bar.service", "[Service]\nExecStart=/usr/bin/ls\n");
        run_generator(&t);
        /* made after the generator ran, as a transient unit is */
        unit(&t, "foo-new.service", "[Service]\nExecStart=/usr/bin/ls\n");

        ck_assert_int_eq(marker_asserts_hold(&t, "foo-new.service"), 0);
        ck_assert_int_eq(marker_asserts_hold(&t, "foo-real.service"), 1);
        ck_assert_int_eq(marker_asserts_hold(&t, "foo-tpl@later.service"), -1); /* the template's file hides it */
        ck_assert_int_eq(marker_asserts_hold(&t, "foo-off.service"), -1);
        ck_assert_int_eq(marker_asserts_hold(&t, "bar.service"), -1);
        tree_done(&t);
}
END_TEST

/* SPEC 1, "The line counts": a section line that systemd does not read blocks the unit. */
START_TEST(section_line_systemd_does_not_read_blocks_the_unit) {
        Tree t;
        tree_init(&t);
        unit(&t, "typo.service", "[Service]\nExecStart=/usr/bin/ls\n");
        unit(&t, "typo.service.d/override.conf", "[Service\nEnvironment=A=1\n[X-Confinement]\n");
        run_generator(&t);
        _cleanup_strv_free_ char **names = dropins_of(&t, "typo.service");
        ck_assert_uint_eq(strv_length(names), 1);
        ck_assert_str_eq(names[0], "zz-confinement-blocked-unread-section.conf");
        tree_done(&t);
}
END_TEST

/* SPEC 5: a unit whose name leaves no room for "NAME.d/" is masked in the early dir. */
START_TEST(unit_name_without_room_for_a_dropin_dir_is_masked) {
        Tree t;
        tree_init(&t);
        char name[255];
        memset(name, 'n', sizeof name);
        strcpy(name + 254 - strlen(".service"), ".service");
        unit(&t, name, "[Service]\nExecStart=/usr/bin/ls\n[X-Confinement]\n");
        run_generator(&t);
        _cleanup_free_ char *path = NULL, *target = calloc(1, PATH_MAX);
        ck_assert_int_ge(asprintf(&path, "%s/%s", t.out, name), 0);
        ck_assert_int_gt(readlink(path, target, PATH_MAX - 1), 0);
        ck_assert_str_eq(target, "/dev/null");
        tree_done(&t);
}
END_TEST

/* SPEC 2, templates: %i in an argument or Packages= does not make the closure depend on the
 * instance; it is carried into the template's drop-in for systemd to expand per start. */
START_TEST(template_with_instance_only_in_arguments_is_confined_once_with_carried_binds) {
        Tree t;
        tree_init(&t);
        unit(&t, "vpn@.service", "[Service]\nEnvironment=CONF=/etc/vpn/%I.conf\n"
                                 "ExecStart=/usr/bin/ls $CONF /etc/vpn/%i.key --status %t/vpn/%i.log\n"
                                 "ReadWritePaths=/var/lib/vpn/%i\nPIDFile=/run/vpn-%i.pid\n"
                                 "[X-Confinement]\nPackages=/etc/vpn/%n.d\n");
        free(tu_symlink("../vpn@.service", t.units, "multi-user.target.wants/vpn@a.service"));
        run_generator(&t);
        _cleanup_strv_free_ char **names = dropins_of(&t, "vpn@.service"), **inst = dropins_of(&t, "vpn@a.service");
        ck_assert_uint_eq(strv_length(names), 1);
        ck_assert_str_eq(names[0], "zz-confinement.conf");
        ck_assert_uint_eq(strv_length(inst), 0); /* covered by the template's */
        _cleanup_free_ char *path = NULL, *text = NULL;
        ck_assert_int_ge(asprintf(&path, "%s/vpn@.service.d/zz-confinement.conf", t.out), 0);
        text = read_text(path);
        ck_assert_msg(strstr(text, "\nBindReadOnlyPaths=-/etc/vpn/%I.conf\n"), "%s", text);
        ck_assert_msg(strstr(text, "\nBindReadOnlyPaths=-/etc/vpn/%i.key\n"), "%s", text);
        ck_assert_msg(strstr(text, "\nBindReadOnlyPaths=-/etc/vpn/%n.d\n"), "%s", text);
        ck_assert_msg(!strstr(text, "/run/vpn/"), "a path under /run was bound: %s", text);
        /* each instance its own writable dir and PID file, not the template's empty instance */
        ck_assert_msg(strstr(text, "\nBindPaths=/var/lib/vpn/%i\n"), "%s", text);
        ck_assert_msg(strstr(text, "\nPIDFile=/run/confinement/%n/run/vpn-%i.pid\n"), "%s", text);
        /* systemd expands them per instance */
        _cleanup_free_ char *dump = systemd_dump(&t, "vpn@x-y.service");
        ck_assert_msg(strstr(dump, "/etc/vpn/x/y.conf") && strstr(dump, "/etc/vpn/x-y.key") &&
                      strstr(dump, "/etc/vpn/vpn@x-y.service.d"), "%s", dump);
        tree_done(&t);
}
END_TEST

/* SPEC 2: an argument with %i that is a program for a named instance (a script given to an
 * interpreter) has a closure of its own per instance: only named instances are confined. */
START_TEST(template_whose_argument_is_a_program_for_a_named_instance_is_per_instance) {
        Tree t;
        tree_init(&t);
        _cleanup_free_ char *script = NULL, *text = NULL;
        free(tu_write_exec(t.top, "scripts/a.sh", "#!/usr/bin/perl\n"));
        ck_assert_int_ge(asprintf(&text, "[Service]\nExecStart=/bin/sh %s/scripts/%%i.sh\n[X-Confinement]\n", t.top), 0);
        unit(&t, "py@.service", text);
        free(tu_symlink("../py@.service", t.units, "multi-user.target.wants/py@a.service"));
        run_generator(&t);
        _cleanup_strv_free_ char **tmpl = dropins_of(&t, "py@.service"), **inst = dropins_of(&t, "py@a.service");
        ck_assert_uint_eq(strv_length(tmpl), 1);
        ck_assert_msg(strstr(tmpl[0], "instance-guard"), "%s", tmpl[0]);
        ck_assert_uint_eq(strv_length(inst), 1); /* confined on its own */
        ck_assert_msg(!strstr(inst[0], "blocked"), "%s", inst[0]);
        tree_done(&t);
}
END_TEST

START_TEST(dropin_only_unit_is_blocked_as_unit_file_not_found) {
        Tree t;
        tree_init(&t);
        unit(&t, "ghost.service.d/confine.conf", "[Service]\nExecStart=/usr/bin/ls\n[X-Confinement]\n");
        run_generator(&t);
        _cleanup_strv_free_ char **names = dropins_of(&t, "ghost.service");
        ck_assert_uint_eq(strv_length(names), 1);
        ck_assert_msg(endswith(names[0], "-blocked-unit-file-not-found.conf"), "%s", names[0]);
        tree_done(&t);
}
END_TEST

/* A listing of dir's tree with sizes and modification times. */
static char *tree_state(const char *dir) {
        _cleanup_free_ char *out = NULL;
        ck_assert_int_ge(asprintf(&out, "%s.state", dir), 0);
        tu_sh("if [ -e '%s' ]; then find '%s' -printf '%%p %%y %%s %%T@ %%l\\n' | LC_ALL=C sort; fi > '%s'", dir, dir, out);
        char *s = read_text(out);
        unlink(out);
        return s;
}

START_TEST(nothing_is_written_outside_the_output_dir_and_only_whole_conf_files_in_it) {
        Tree t;
        tree_init(&t);
        unit(&t, "confined.service", confined_ls);
        unit(&t, "broken.service", "[Service]\nExecStart=/nonexistent/program\n[X-Confinement]\n");
        unit(&t, "plain.service", "[Service]\nExecStart=/usr/bin/ls\n");
        unit(&t, "run@.service", "[Service]\nExecStart=/usr/bin/%i\n[X-Confinement]\n");
        free(tu_symlink("../run@.service", t.units, "multi-user.target.wants/run@ls.service"));
        unit(&t, "ghost.service.d/confine.conf", "[X-Confinement]\n");

        const char *watched[] = { t.units, "/run/systemd/generator", "/run/systemd/generator.early",
                                  "/run/systemd/generator.late", "/run/confinement", "/etc/systemd/system" };
        char *before[ELEMENTSOF(watched)];
        for (size_t i = 0; i < ELEMENTSOF(watched); i++)
                before[i] = tree_state(watched[i]);
        _cleanup_strv_free_ char **top_before = files_under(t.top);

        run_generator(&t);
        run_generator(&t); /* a second run (daemon-reload) replaces, never adds */

        for (size_t i = 0; i < ELEMENTSOF(watched); i++) {
                _cleanup_free_ char *after = tree_state(watched[i]);
                ck_assert_msg(streq(before[i], after), "%s changed", watched[i]);
                free(before[i]);
        }
        /* in the scratch dir, everything new is under out/ */
        _cleanup_strv_free_ char **top_after = files_under(t.top);
        STRV_FOREACH(f, top_after)
                ck_assert_msg(strv_contains(top_before, *f) || startswith(*f, "out/"), "%s was written", *f);

        /* out/ holds UNIT.d/NAME.conf drop-ins and the guard markers, nothing else */
        _cleanup_strv_free_ char **files = files_under(t.out);
        ck_assert_uint_gt(strv_length(files), 0);
        STRV_FOREACH(f, files) {
                const char *base = strrchr(*f, '/');
                ck_assert_msg(base, "%s: not in a subdir", *f);
                base++;
                if (startswith(*f, CONFINEMENT_MARKER_DIR "/"))
                        continue;
                ck_assert_msg(endswith(*f, ".conf") && base[0] != '.', "%s: not a whole .conf file", *f);
                _cleanup_free_ char *dir = strndup(*f, (size_t) (base - *f - 1));
                ck_assert_msg(endswith(dir, ".service.d") && !strchr(dir, '/'), "%s: not in a UNIT.d dir", *f);
        }
        /* one drop-in per unit: the second run replaced the first one's files */
        _cleanup_strv_free_ char **c = dropins_of(&t, "confined.service"), **b = dropins_of(&t, "broken.service");
        ck_assert_uint_eq(strv_length(c), 1);
        ck_assert_uint_eq(strv_length(b), 1);
        tree_done(&t);
}
END_TEST

/* systemd.service(5): "!", "!!" and "+" run a command as root whatever User=
 * says; such a daemon drops privileges itself (Debian's chrony), which a user
 * namespace breaks, so PrivateUsers=yes is only for units that never keep root. */
START_TEST(private_users_only_for_units_whose_every_command_runs_as_the_user) {
        static const char *const cases[][2] = {
                { "plain.service", "" },          { "bang.service", "!" },
                { "bangbang.service", "!!" },     { "plus.service", "+" },
                { "minusbang.service", "-!" },
        };
        Tree t;
        tree_init(&t);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = NULL;
                ck_assert_int_ge(asprintf(&text, "[Service]\nUser=nobody\nExecStart=%s/usr/bin/true\n"
                                                 "[X-Confinement]\n", cases[i][1]), 0);
                unit(&t, cases[i][0], text);
        }
        run_generator(&t);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strv_free_ char **names = dropins_of(&t, cases[i][0]);
                ck_assert_uint_eq(strv_length(names), 1);
                _cleanup_free_ char *path = NULL;
                ck_assert_int_ge(asprintf(&path, "%s/%s.d/%s", t.out, cases[i][0], names[0]), 0);
                _cleanup_free_ char *dropin = read_text(path);
                bool plain = isempty(cases[i][1]);
                ck_assert_msg(!!strstr(dropin, "\nPrivateUsers=yes\n") == plain, "%s: %s", cases[i][0], dropin);
                /* /var/lock is the private /run's lock dir, as on the host */
                ck_assert(strstr(dropin, "BindPaths=/run/confinement/%n/run/lock:/var/lock\n"));
        }
        tree_done(&t);
}
END_TEST

int main(void) {
        Suite *s = suite_create("generator");
        TCase *tc = tcase_create("runs");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, unit_without_the_section_gets_nothing);
        tcase_add_test(tc, a_run_leaves_no_fd_open);
        tcase_add_test(tc, opted_in_unit_gets_exactly_one_conf_whose_binds_cover_its_program);
        tcase_add_test(tc, unit_that_cannot_be_confined_gets_only_a_blocking_dropin_named_by_its_cause);
        tcase_add_test(tc, blocking_dropin_still_blocks_when_the_cause_is_not_utf8);
        tcase_add_test(tc, user_dropin_named_like_ours_makes_the_generator_choose_a_later_name);
        tcase_add_test(tc, enable_no_in_a_later_dropin_leaves_no_dropin);
        tcase_add_test(tc, masked_units_are_skipped);
        tcase_add_test(tc, template_with_instance_in_execstart_gets_per_instance_dropins_and_a_guard);
        tcase_add_test(tc, dropin_only_unit_is_blocked_as_unit_file_not_found);
        tcase_add_test(tc, template_whose_argument_is_a_program_for_a_named_instance_is_per_instance);
        tcase_add_test(tc, template_with_instance_only_in_arguments_is_confined_once_with_carried_binds);
        tcase_add_test(tc, opted_in_prefix_dir_guards_units_the_generator_did_not_see);
        tcase_add_test(tc, section_line_systemd_does_not_read_blocks_the_unit);
        tcase_add_test(tc, unit_name_without_room_for_a_dropin_dir_is_masked);
        tcase_add_test(tc, nothing_is_written_outside_the_output_dir_and_only_whole_conf_files_in_it);
        tcase_add_test(tc, emptied_or_bad_mode_settings_still_get_the_mode_defaults);
        tcase_add_test(tc, conflict_checks_read_the_settings_as_systemd_does);
        tcase_add_test(tc, bind_in_a_directory_a_non_root_user_can_change_blocks_the_unit);
        tcase_add_test(tc, newer_enum_values_never_lose_confinement);
        tcase_add_test(tc, private_users_only_for_units_whose_every_command_runs_as_the_user);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
