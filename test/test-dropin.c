/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dropin.h"
#include "exec-command.h"
#include "macro.h"
#include "specifier.h"
#include "strv.h"
#include "test-util.h"
#include "unit-file.h"

#define WHITESPACE " \t\n\r"
#define TEST_UNIT "confinement-dropin-test.service"

/* Paths with every byte that means something to systemd's unit file parser or
 * to BindPaths='s "SRC:DST:OPTIONS" words. */
static const char *const awkward_names[] = {
        "plain",       "with space",   "two  spaces",  "with:colon",   "a:b:c",        "per%cent",
        "%n-not-a-specifier", "%%",    "back\\slash",  "\\x41-not-hex",
        "tab\there",   " leading-space", "semi;colon", "#hash",        "equals=sign",  "$VAR",
        "\xc3\xa9t\xc3\xa9", "ctrl\001char", "trailing-backslash\\", "-dash",    "rbind",
};

/* What systemd 252's config_parse_bind_paths() makes of one value: words split
 * at ":" and whitespace with EXTRACT_UNQUOTE|EXTRACT_DONT_COALESCE_SEPARATORS,
 * a destination after an unescaped ":", then specifiers expanded. Returns
 * "SRC:DST" entries (unescaped), like the dump. */
static int parse_bind_paths(const char *value, char ***ret) {
        _cleanup_strv_free_ char **binds = NULL;
        const Specifiers sp = { .name = TEST_UNIT };
        const ExtractFlags flags = EXTRACT_UNQUOTE | EXTRACT_DONT_COALESCE_SEPARATORS;
        for (const char *p = value;;) {
                _cleanup_free_ char *source = NULL, *dest = NULL, *s = NULL, *d = NULL, *error = NULL;
                int r = extract_first_word(&p, &source, ":" WHITESPACE, flags);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (specifier_expand(source, &sp, &s, &error) < 0)
                        return -EBADMSG;
                if (p && p[-1] == ':') {
                        r = extract_first_word(&p, &dest, ":" WHITESPACE, flags);
                        if (r <= 0)
                                return r < 0 ? r : -EINVAL;
                        if (specifier_expand(dest, &sp, &d, &error) < 0)
                                return -EBADMSG;
                        if (p && p[-1] == ':')
                                return -EINVAL; /* options: never written by the generator */
                }
                _cleanup_free_ char *entry = NULL;
                if (asprintf(&entry, "%s:%s", s, d ?: s) < 0)
                        return -ENOMEM;
                if (strv_consume(&binds, TAKE_PTR(entry)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(binds);
        return 0;
}

START_TEST(escaped_path_round_trips_through_the_bind_paths_word_splitter) {
        _cleanup_free_ char *d = tu_mkdtemp();
        for (size_t i = 0; i < ELEMENTSOF(awkward_names); i++)
                for (size_t j = 0; j < ELEMENTSOF(awkward_names); j += 5) {
                        _cleanup_free_ char *src = NULL, *dst = NULL, *esrc = NULL, *edst = NULL, *value = NULL,
                                            *want = NULL;
                        _cleanup_strv_free_ char **parsed = NULL;
                        ck_assert_int_ge(asprintf(&src, "%s/%s", d, awkward_names[i]), 0);
                        ck_assert_int_ge(asprintf(&dst, "/inside/%s/x", awkward_names[j]), 0);
                        esrc = unit_escape_path(src);
                        edst = unit_escape_path(dst);
                        ck_assert_ptr_nonnull(esrc);
                        ck_assert_ptr_nonnull(edst);
                        /* two binds on one line, as a list setting may hold */
                        ck_assert_int_ge(asprintf(&value, "%s:%s %s", esrc, edst, esrc), 0);
                        ck_assert_msg(parse_bind_paths(value, &parsed) == 0, "cannot parse back %s", value);
                        ck_assert_int_ge(asprintf(&want, "%s:%s", src, dst), 0);
                        ck_assert_uint_eq(strv_length(parsed), 2);
                        ck_assert_str_eq(parsed[0], want);
                        free(want);
                        ck_assert_int_ge(asprintf(&want, "%s:%s", src, src), 0);
                        ck_assert_str_eq(parsed[1], want);
                }
        tu_rm_rf(d);
}
END_TEST

/* Writes a unit into dir whose [Service] holds one BindReadOnlyPaths= line per
 * bind (escaped by unit_escape_path), as the generator writes them. */
static void write_unit_with_binds(const char *dir, char * const *sources, char * const *dests) {
        _cleanup_free_ char *text = NULL, *path = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        fputs("[Unit]\nDescription=binds\n[Service]\nType=oneshot\nExecStart=/bin/true\n", f);
        for (size_t i = 0; sources[i]; i++) {
                _cleanup_free_ char *s = unit_escape_path(sources[i]), *t = unit_escape_path(dests[i]);
                ck_assert_ptr_nonnull(s);
                ck_assert_ptr_nonnull(t);
                fprintf(f, "BindReadOnlyPaths=%s:%s\n", s, t);
                fprintf(f, "BindReadOnlyPaths=%s\n", s); /* the same path as its own destination */
        }
        fclose(f);
        path = tu_write(dir, TEST_UNIT, text);
}

START_TEST(systemd_reads_escaped_bind_paths_back_unchanged) {
        _cleanup_free_ char *d = tu_mkdtemp(), *dump = NULL;
        _cleanup_strv_free_ char **sources = NULL, **dests = NULL, **seen = NULL;
        for (size_t i = 0; i < ELEMENTSOF(awkward_names); i++) {
                char *src, *dst;
                ck_assert_int_ge(asprintf(&src, "%s/src/%s", d, awkward_names[i]), 0);
                ck_assert_int_ge(asprintf(&dst, "/dst/%s:%s", awkward_names[i], awkward_names[ELEMENTSOF(awkward_names) - 1 - i]), 0);
                free(tu_write(d, src + strlen(d) + 1, "a real file\n"));
                ck_assert_int_eq(strv_consume(&sources, src), 0);
                ck_assert_int_eq(strv_consume(&dests, dst), 0);
        }
        write_unit_with_binds(d, sources, dests);
        dump = tu_systemd_dump(d, TEST_UNIT);
        seen = tu_dump_values(dump, "BindReadOnlyPaths");
        ck_assert_msg(strv_length(seen) == 2 * strv_length(sources), "systemd read %zu of %zu binds:\n%s",
                      strv_length(seen), 2 * strv_length(sources), dump);
        for (size_t i = 0; sources[i]; i++) {
                _cleanup_free_ char *pair = NULL, *self = NULL;
                ck_assert_int_ge(asprintf(&pair, "%s:%s:rbind", sources[i], dests[i]), 0);
                ck_assert_int_ge(asprintf(&self, "%s:%s:rbind", sources[i], sources[i]), 0);
                ck_assert_str_eq(seen[2 * i], pair);
                ck_assert_str_eq(seen[2 * i + 1], self);
        }
        tu_rm_rf(d);
}
END_TEST

START_TEST(path_systemd_cannot_read_back_is_refused_not_written) {
        /* The rule: a path either comes back from systemd unchanged, or
         * unit_escape_path() refuses it (EINVAL), so that the unit is blocked
         * instead of silently missing a bind. A newline ends the line; a blank
         * at the end of a line is stripped by systemd's parser, leaving a
         * dangling backslash; a byte that is not UTF-8 makes systemd drop the
         * whole assignment. */
        static const char *const names[] = { "new\nline", "carriage\rreturn", "trailing-space ", "trailing-tab\t",
                                             "not-utf8-\xff" };
        _cleanup_free_ char *failures = NULL;
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *d = tu_mkdtemp(), *src = NULL, *esc = NULL, *dump = NULL, *want = NULL;
                _cleanup_strv_free_ char **seen = NULL;
                ck_assert_int_ge(asprintf(&src, "%s/%s", d, names[i]), 0);
                errno = 0;
                esc = unit_escape_path(src);
                if (!esc) {
                        ck_assert_int_eq(errno, EINVAL);
                        tu_rm_rf(d);
                        continue;
                }
                char *sources[] = { src, NULL };
                write_unit_with_binds(d, sources, sources);
                dump = tu_systemd_dump(d, TEST_UNIT);
                seen = tu_dump_values(dump, "BindReadOnlyPaths");
                ck_assert_int_ge(asprintf(&want, "%s:%s:rbind", src, src), 0);
                if (strv_length(seen) != 2 || !streq(seen[0], want) || !streq(seen[1], want)) {
                        char *f;
                        ck_assert_int_ge(asprintf(&f, "%s\n  unit_escape_path(\"%s\") gave \"%s\", which systemd does not read back (%zu of 2 binds seen)",
                                                  failures ?: "", src, esc, strv_length(seen)), 0);
                        free(failures);
                        failures = f;
                }
                tu_rm_rf(d);
        }
        ck_assert_msg(!failures, "%s", failures);
}
END_TEST

static int systemd_version(void) {
        int v = 0;
        FILE *p = popen("systemd-analyze --version", "r");
        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(fscanf(p, "systemd %d", &v), 1);
        pclose(p);
        return v;
}

/* unit_path_is_plain() says "written as it is" exactly where unit_escape_path() would give
 * the same ASCII bytes back: every byte value, at every place across the word steps of its
 * scan, in paths long and short. */
START_TEST(plain_path_is_one_escaping_gives_back_unchanged) {
        for (unsigned b = 1; b < 256; b++)
                for (size_t len = 1; len < 70; len += 3)
                        for (size_t at = 0; at < len; at++) {
                                char path[80];
                                memset(path, 'a', len);
                                path[0] = '/';
                                path[at] = (char) b;
                                path[len] = 0;
                                _cleanup_free_ char *esc = unit_escape_path(path);
                                bool same = esc && streq(esc, path);
                                ck_assert_msg(unit_path_is_plain(path) == (b < 0x80 && same),
                                              "byte 0x%02x at %zu of %zu", b, at, len);
                        }
}
END_TEST

START_TEST(quote_in_a_path_is_refused_as_systemd_262_drops_such_binds) {
        static const char *const names[] = { "double\"quote", "single'quote" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *d = tu_mkdtemp(), *src = NULL, *text = NULL, *dump = NULL;
                _cleanup_strv_free_ char **seen = NULL;
                ck_assert_int_ge(asprintf(&src, "%s/%s", d, names[i]), 0);
                free(tu_write(d, names[i], "a real file\n"));
                errno = 0;
                ck_assert_ptr_null(unit_escape_path(src));
                ck_assert_int_eq(errno, EINVAL);
                /* The oracle: the escaping systemd's word splitter takes (a
                 * backslash before the quote), as this generator wrote it before. */
                char esc[PATH_MAX * 2], *w = esc;
                for (const char *p = src; *p; p++) {
                        if (*p == '"' || *p == '\'')
                                *w++ = '\\';
                        *w++ = *p;
                }
                *w = 0;
                ck_assert_int_ge(asprintf(&text, "[Service]\nType=oneshot\nExecStart=/bin/true\n"
                                                 "BindReadOnlyPaths=%s\n", esc), 0);
                free(tu_write(d, TEST_UNIT, text));
                dump = tu_systemd_dump(d, TEST_UNIT);
                seen = tu_dump_values(dump, "BindReadOnlyPaths");
                if (systemd_version() >= 262)
                        ck_assert_msg(strv_length(seen) == 0, "systemd %d took back %s", systemd_version(), src);
                else
                        ck_assert_msg(strv_length(seen) == 1, "systemd %d: %s", systemd_version(), dump);
                tu_rm_rf(d);
        }
}
END_TEST

START_TEST(newline_in_a_path_is_einval) {
        errno = 0;
        ck_assert_ptr_null(unit_escape_path("/a\nb"));
        ck_assert_int_eq(errno, EINVAL);
        errno = 0;
        ck_assert_ptr_null(unit_escape_path("/a\rb"));
        ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* --- drop-in names ------------------------------------------------------- */

/* Names a unit's drop-in dirs may already hold, in no particular order. */
static const char *const existing_dropins[] = {
        "override.conf",
        "50-limits.conf",
        "zz-confinement.conf",
        "zz-confinement-blocked-missing-executable.conf",
        "zz-confinement~zz-confinement.conf",
        "zz~.conf",
        "~.conf",
        "~~~~.conf",
        "\xc3\xa9t\xc3\xa9.conf",         /* été */
        "\xe2\x9c\x93-check.conf",        /* ✓ */
        "\xf0\x9f\x98\x80.conf",          /* an emoji: 4-byte UTF-8 */
        "zz-confinement\xc3\xa9.conf",
};

static void check_stem_sorts_last(char * const *names) {
        _cleanup_strv_free_ char **paths = NULL;
        STRV_FOREACH(n, names) {
                char *p;
                /* full paths, from different dirs: only the file name counts */
                ck_assert_int_ge(asprintf(&p, "/etc/systemd/system/x.service.d/%s", *n), 0);
                ck_assert_int_eq(strv_consume(&paths, p), 0);
        }
        _cleanup_free_ char *stem = dropin_name_stem(paths);
        ck_assert_ptr_nonnull(stem);
        static const char *const suffixes[] = { ".conf", "-blocked-missing-executable.conf", "-instance-guard.conf",
                                                "", "!" };
        STRV_FOREACH(n, names)
                for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                        _cleanup_free_ char *ours = NULL;
                        ck_assert_int_ge(asprintf(&ours, "%s%s", stem, suffixes[i]), 0);
                        ck_assert_msg(strcmp(ours, *n) > 0, "\"%s\" does not sort after \"%s\"", ours, *n);
                }
}

START_TEST(stem_sorts_after_every_existing_name_by_strcmp) {
        _cleanup_strv_free_ char **names = NULL;
        check_stem_sorts_last(names); /* no drop-ins at all */
        for (size_t i = 0; i < ELEMENTSOF(existing_dropins); i++) {
                ck_assert_int_eq(strv_extend(&names, existing_dropins[i]), 0);
                check_stem_sorts_last(names); /* each prefix of the list */
                _cleanup_strv_free_ char **one = NULL;
                ck_assert_int_eq(strv_extend(&one, existing_dropins[i]), 0);
                check_stem_sorts_last(one); /* each name alone */
        }
        /* a file named like ours that is not .conf-suffixed in the list */
        _cleanup_strv_free_ char **odd = NULL;
        ck_assert_int_eq(strv_extend(&odd, "zz-confinement"), 0);
        check_stem_sorts_last(odd);
}
END_TEST

/* systemd itself decides: every existing drop-in sets Description= to its own
 * name, ours last; the Description= that systemd ends up with is the one of
 * the file it read last. */
static void check_systemd_reads_ours_last(const char *our_suffix) {
        _cleanup_free_ char *d = tu_mkdtemp(), *dump = NULL, *stem = NULL, *ours = NULL;
        _cleanup_strv_free_ char **paths = NULL, **descriptions = NULL;
        free(tu_write(d, TEST_UNIT, "[Unit]\nDescription=the unit file\n[Service]\nExecStart=/bin/true\n"));
        for (size_t i = 0; i < ELEMENTSOF(existing_dropins); i++) {
                _cleanup_free_ char *rel = NULL, *text = NULL;
                ck_assert_int_ge(asprintf(&rel, TEST_UNIT ".d/%s", existing_dropins[i]), 0);
                ck_assert_int_ge(asprintf(&text, "[Unit]\nDescription=from %zu\n", i), 0);
                ck_assert_int_eq(strv_consume(&paths, tu_write(d, rel, text)), 0);
        }
        stem = dropin_name_stem(paths);
        ck_assert_ptr_nonnull(stem);
        ck_assert_int_ge(asprintf(&ours, TEST_UNIT ".d/%s%s", stem, our_suffix), 0);
        free(tu_write(d, ours, "[Unit]\nDescription=from the generator\n"));

        dump = tu_systemd_dump(d, TEST_UNIT);
        descriptions = tu_dump_values(dump, "Description");
        ck_assert_uint_eq(strv_length(descriptions), 1);
        ck_assert_msg(streq(descriptions[0], "from the generator"), "systemd read %s last, not %s",
                      descriptions[0], ours);
        tu_rm_rf(d);
}

/* A user's drop-in with a long name sorting last once made ours exceed NAME_MAX (issue 13
 * class 5): the stem stays short enough for any suffix and still sorts last. */
START_TEST(stem_stays_within_name_max_after_a_long_name) {
        static const char *const longs[] = { "z", "~", "\xc3\xa9" };
        for (size_t i = 0; i < ELEMENTSOF(longs); i++) {
                _cleanup_free_ char *name = calloc(1, 256), *path = NULL;
                while (strlen(name) + strlen(longs[i]) + strlen(".conf") <= 250)
                        strcat(name, longs[i]);
                strcat(name, ".conf");
                ck_assert_int_ge(asprintf(&path, "/etc/x.service.d/%s", name), 0);
                _cleanup_free_ char *stem = dropin_name_stem((char *[]) { path, NULL });
                if (!stem) { /* only a name of bytes >= '~' up to the end leaves no room */
                        ck_assert_int_eq(errno, ENAMETOOLONG);
                        ck_assert(!streq(longs[i], "z"));
                        continue;
                }
                ck_assert_uint_le(strlen(stem), DROPIN_STEM_MAX);
                ck_assert_msg(strcmp(stem, name) > 0, "%s sorts before %s", stem, name);
                _cleanup_free_ char *blocked = dropin_blocking_name(stem, "unreadable-executable");
                ck_assert_uint_le(strlen(blocked), 255);
        }
}
END_TEST

START_TEST(systemd_reads_the_stem_conf_after_every_existing_dropin) {
        check_systemd_reads_ours_last(".conf");
}
END_TEST

START_TEST(systemd_reads_stem_plus_any_suffix_after_every_existing_dropin) {
        check_systemd_reads_ours_last("-blocked-missing-executable.conf");
        check_systemd_reads_ours_last("-blocked-a.conf");
}
END_TEST

/* --- writing ------------------------------------------------------------- */

static char **list_dir(const char *path) {
        char **names = NULL;
        _cleanup_closedir_ DIR *d = opendir(path);
        ck_assert_ptr_nonnull(d);
        for (struct dirent *de; (de = readdir(d));)
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        ck_assert_int_eq(strv_extend(&names, de->d_name), 0);
        strv_sort(names);
        return names;
}

static char *read_file(const char *path) {
        char *text = NULL;
        size_t size = 0;
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_ge(getdelim(&text, &size, 0, f), 0);
        return text;
}

/* The output dir d, opened as the generator opens its own. */
static OutputDir out_at(const char *d) {
        OutputDir o;
        (void) output_dir_open(&o, d);
        return o;
}

START_TEST(write_leaves_only_the_final_conf_and_replaces_by_rename) {
        _cleanup_free_ char *d = tu_mkdtemp(), *unit_dir = NULL, *final = NULL, *old_text = NULL, *new_text = NULL;
        _cleanup_strv_free_ char **names = NULL;
        ck_assert_int_ge(asprintf(&unit_dir, "%s/" TEST_UNIT ".d", d), 0);
        ck_assert_int_ge(asprintf(&final, "%s/zz-confinement.conf", unit_dir), 0);
        OutputDir o = out_at(d);

        ck_assert_int_eq(dropin_write(&o, TEST_UNIT, "zz-confinement.conf", "[Unit]\nDescription=first\n"), 0);
        names = list_dir(unit_dir);
        ck_assert_uint_eq(strv_length(names), 1);
        ck_assert_str_eq(names[0], "zz-confinement.conf");
        old_text = read_file(final);
        ck_assert_str_eq(old_text, "[Unit]\nDescription=first\n");
        struct stat st;
        ck_assert_int_eq(stat(final, &st), 0);
        ck_assert_int_eq(st.st_mode & 07777, 0644);

        /* A reader that opened the old file keeps reading the old file: the new
         * one came in by rename(), never by rewriting the old one in place. */
        _cleanup_close_ int old_fd = open(final, O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(old_fd, 0);
        struct stat old_st;
        ck_assert_int_eq(fstat(old_fd, &old_st), 0);

        ck_assert_int_eq(dropin_write(&o, TEST_UNIT, "zz-confinement.conf", "[Unit]\nDescription=second\n"), 0);
        new_text = read_file(final);
        ck_assert_str_eq(new_text, "[Unit]\nDescription=second\n");
        ck_assert_int_eq(stat(final, &st), 0);
        ck_assert_int_ne(st.st_ino, old_st.st_ino);
        char buf[64] = {};
        ck_assert_int_gt(pread(old_fd, buf, sizeof buf - 1, 0), 0);
        ck_assert_str_eq(buf, "[Unit]\nDescription=first\n");

        strv_free(names);
        names = list_dir(unit_dir);
        ck_assert_uint_eq(strv_length(names), 1);
        ck_assert_str_eq(names[0], "zz-confinement.conf");

        /* systemd reads what was written */
        free(tu_write(d, TEST_UNIT, "[Service]\nExecStart=/bin/true\n"));
        _cleanup_free_ char *dump = tu_systemd_dump(d, TEST_UNIT);
        _cleanup_strv_free_ char **desc = tu_dump_values(dump, "Description");
        ck_assert_uint_eq(strv_length(desc), 1);
        ck_assert_str_eq(desc[0], "second");

        /* and removal takes it away; removing again is no error */
        ck_assert_int_eq(dropin_remove(&o, TEST_UNIT, "zz-confinement.conf"), 0);
        ck_assert_int_eq(access(final, F_OK), -1);
        ck_assert_int_eq(dropin_remove(&o, TEST_UNIT, "zz-confinement.conf"), 0);
        output_dir_close(&o);
        tu_rm_rf(d);
}
END_TEST

START_TEST(write_replaces_a_file_the_writer_cannot_open_for_writing) {
        /* A read-only pre-existing file (as a crashed run or an admin may leave) is
         * replaced too: rename() needs only the directory to be writable. */
        _cleanup_free_ char *d = tu_mkdtemp(), *final = NULL, *text = NULL;
        final = tu_write(d, TEST_UNIT ".d/zz-confinement.conf", "old\n");
        ck_assert_int_eq(chmod(final, 0), 0);
        OutputDir o = out_at(d);
        ck_assert_int_eq(dropin_write(&o, TEST_UNIT, "zz-confinement.conf", "new\n"), 0);
        text = read_file(final);
        ck_assert_str_eq(text, "new\n");
        output_dir_close(&o);
        tu_rm_rf(d);
}
END_TEST

START_TEST(write_into_a_missing_output_dir_fails_and_creates_nothing) {
        _cleanup_free_ char *d = tu_mkdtemp(), *missing = NULL;
        _cleanup_strv_free_ char **names = NULL;
        ck_assert_int_ge(asprintf(&missing, "%s/does-not-exist", d), 0);
        OutputDir o = out_at(missing);
        ck_assert_int_eq(o.fd, -ENOENT);
        ck_assert_int_eq(dropin_write(&o, TEST_UNIT, "zz-confinement.conf", "x\n"), -ENOENT);
        ck_assert_int_eq(dropin_marker(&o, "m", TEST_UNIT), -ENOENT);
        ck_assert_int_eq(dropin_mask_unit(&o, TEST_UNIT), -ENOENT);
        names = list_dir(d);
        ck_assert_uint_eq(strv_length(names), 0);
        tu_rm_rf(d);
}
END_TEST

/* One staged file, a hard link per unit: each unit's drop-in is whole from the moment its
 * name appears, systemd reads it, and replacing one unit's (rename of a new file) leaves
 * the others as they were. */
START_TEST(linked_dropins_share_one_whole_file_and_replacing_one_leaves_the_others) {
        _cleanup_free_ char *d = tu_mkdtemp(), *staged = NULL, *a = NULL, *b = NULL, *ta = NULL, *tb = NULL;
        const char *text = "[Unit]\nDescription=staged\n";
        OutputDir o = out_at(d);
        ck_assert_int_eq(dropin_stage(&o, text, &staged), 0);
        ck_assert_int_eq(dropin_write_linked(&o, "a.service", "zz-confinement.conf", staged, text), 0);
        ck_assert_int_eq(dropin_write_linked(&o, "b.service", "zz-confinement.conf", staged, text), 0);
        ck_assert_ptr_null(strchr(staged, '/')); /* in the output dir itself */
        ck_assert_int_eq(faccessat(o.fd, staged, F_OK, 0), 0);
        dropin_unstage(&o, staged);
        ck_assert_int_eq(faccessat(o.fd, staged, F_OK, 0), -1);
        ck_assert_int_ge(asprintf(&a, "%s/a.service.d/zz-confinement.conf", d), 0);
        ck_assert_int_ge(asprintf(&b, "%s/b.service.d/zz-confinement.conf", d), 0);
        struct stat sa, sb;
        ck_assert_int_eq(stat(a, &sa), 0);
        ck_assert_int_eq(stat(b, &sb), 0);
        ck_assert_int_eq(sa.st_ino, sb.st_ino);
        ck_assert_int_eq(sa.st_nlink, 2);
        ck_assert_int_eq(sa.st_mode & 07777, 0644);
        /* only the unit dirs are left in the output dir */
        _cleanup_strv_free_ char **names = list_dir(d);
        ck_assert_uint_eq(strv_length(names), 2);

        free(tu_write(d, "a.service", "[Service]\nExecStart=/bin/true\n"));
        _cleanup_free_ char *dump = tu_systemd_dump(d, "a.service");
        _cleanup_strv_free_ char **desc = tu_dump_values(dump, "Description");
        ck_assert_uint_eq(strv_length(desc), 1);
        ck_assert_str_eq(desc[0], "staged");

        ck_assert_int_eq(dropin_write(&o, "a.service", "zz-confinement.conf", "[Unit]\nDescription=own\n"), 0);
        ta = read_file(a);
        tb = read_file(b);
        ck_assert_str_eq(ta, "[Unit]\nDescription=own\n");
        ck_assert_str_eq(tb, text);

        /* a file in the way is replaced by a whole copy; no staged file: a plain write */
        ck_assert_int_eq(dropin_write_linked(&o, "a.service", "zz-confinement.conf", "/nonexistent/staged", text), 0);
        free(ta);
        ta = read_file(a);
        ck_assert_str_eq(ta, text);
        ck_assert_int_eq(dropin_write_linked(&o, "c.service", "zz-confinement.conf", NULL, text), 0);
        output_dir_close(&o);
        tu_rm_rf(d);
}
END_TEST

/* Files are made 0644 directly; a umask that takes bits away is undone. */
START_TEST(dropins_are_0644_whatever_the_umask) {
        _cleanup_free_ char *d = tu_mkdtemp(), *p = NULL;
        OutputDir o = out_at(d);
        mode_t old = umask(0077);
        ck_assert_int_eq(dropin_write(&o, TEST_UNIT, "zz-confinement.conf", "x\n"), 0);
        umask(old);
        ck_assert_int_ge(asprintf(&p, "%s/" TEST_UNIT ".d/zz-confinement.conf", d), 0);
        struct stat st;
        ck_assert_int_eq(stat(p, &st), 0);
        ck_assert_int_eq(st.st_mode & 07777, 0644);
        output_dir_close(&o);
        tu_rm_rf(d);
}
END_TEST

/* AssertPathExists= asks only that the marker exists: the first marker makes its subdir, an
 * instance's subdir below it is made the same way, and a marker already there (an earlier
 * run into the same dir) counts. */
START_TEST(marker_makes_its_subdir_once_and_an_existing_one_counts) {
        _cleanup_free_ char *d = tu_mkdtemp(), *p = NULL, *q = NULL;
        OutputDir o = out_at(d);
        ck_assert_int_eq(dropin_marker(&o, "m", "a.service"), 0);
        ck_assert_int_eq(dropin_marker(&o, "m", "b.service"), 0);
        ck_assert_int_eq(dropin_marker(&o, "m", "a.service"), 0);
        ck_assert_int_eq(dropin_marker(&o, "m/sub", "x@y.service"), 0);
        ck_assert_int_ge(asprintf(&p, "%s/m/a.service", d), 0);
        ck_assert_int_ge(asprintf(&q, "%s/m/sub/x@y.service", d), 0);
        struct stat st;
        ck_assert_int_eq(stat(p, &st), 0);
        ck_assert(S_ISREG(st.st_mode));
        ck_assert_int_eq(st.st_size, 0);
        ck_assert_int_eq(stat(q, &st), 0);
        _cleanup_strv_free_ char **names = list_dir(d);
        ck_assert_uint_eq(strv_length(names), 1);
        output_dir_close(&o);
        tu_rm_rf(d);
}
END_TEST

/* --- the blocking drop-in ------------------------------------------------ */

START_TEST(blocking_text_asserts_a_path_that_cannot_exist_and_uses_it_as_root) {
        _cleanup_free_ char *text = dropin_blocking_text(TEST_UNIT, "ExecStart=/x: missing");
        ck_assert_ptr_nonnull(text);
        _cleanup_(unit_text_done) UnitText u = {};
        ck_assert_int_eq(unit_text_load_buffer(&u, text, strlen(text), "blocking.conf"), 0);

        const char *assert_path = unit_text_get(&u, "Unit", "AssertPathExists");
        const char *root = unit_text_get(&u, "Service", "RootDirectory");
        ck_assert_ptr_nonnull(assert_path);
        ck_assert_ptr_nonnull(root);
        ck_assert(assert_path[0] == '/');
        /* The kernel says it cannot exist: a path below a non-directory. */
        struct stat st;
        ck_assert_int_eq(stat(assert_path, &st), -1);
        ck_assert_int_eq(errno, ENOTDIR);
        ck_assert_int_eq(stat(root, &st), -1);
        ck_assert_int_eq(errno, ENOTDIR);
        ck_assert_int_eq(mkdir(root, 0755), -1); /* and root cannot create it */
        ck_assert_int_eq(errno, ENOTDIR);
}
END_TEST

START_TEST(blocking_text_puts_the_cause_in_description_as_systemd_reads_it) {
        static const struct {
                const char *cause;
                const char *seen; /* what systemd's Description= must hold after the prefix */
        } cases[] = {
                { "ExecStart=/usr/bin/x: not found", "ExecStart=/usr/bin/x: not found" },
                { "100% sure, %n and %i are not specifiers here", "100% sure, %n and %i are not specifiers here" },
                { "first line\nsecond line", "first line second line" },
                { "ends in a backslash\\", "ends in a backslash" }, /* systemd strips the blank */
                { "carriage\rreturn", "carriage return" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *d = tu_mkdtemp(), *text = NULL, *dump = NULL, *want = NULL;
                _cleanup_strv_free_ char **desc = NULL, **asserts = NULL, **roots = NULL;
                text = dropin_blocking_text(TEST_UNIT, cases[i].cause);
                ck_assert_ptr_nonnull(text);
                free(tu_write(d, TEST_UNIT, "[Unit]\nDescription=unit\n[Service]\nExecStart=/bin/true\n"));
                free(tu_write(d, TEST_UNIT ".d/zz-confinement-blocked-x.conf", text));
                dump = tu_systemd_dump(d, TEST_UNIT);
                desc = tu_dump_values(dump, "Description");
                roots = tu_dump_values(dump, "RootDirectory");
                ck_assert_int_ge(asprintf(&want, "Blocked by systemd-confinement-generator: %s", cases[i].seen), 0);
                ck_assert_uint_eq(strv_length(desc), 1);
                ck_assert_str_eq(desc[0], want);
                /* systemd took the root from the drop-in: the unit cannot start */
                ck_assert_uint_eq(strv_length(roots), 1);
                _cleanup_(unit_text_done) UnitText u = {};
                ck_assert_int_eq(unit_text_load_buffer(&u, text, strlen(text), "blocking.conf"), 0);
                ck_assert_str_eq(roots[0], unit_text_get(&u, "Service", "RootDirectory"));
                struct stat st;
                ck_assert_int_eq(stat(roots[0], &st), -1);
                tu_rm_rf(d);
        }
}
END_TEST

START_TEST(blocking_text_blocks_whatever_bytes_the_cause_holds) {
        /* A cause quotes paths from the disk (a #! line, a DT_NEEDED name, an
         * EnvironmentFile=), which may hold any bytes. systemd 252 stops reading a
         * drop-in at a line that is not UTF-8, so whatever follows such a line is
         * lost: the assertion and the root must still be in force. */
        static const char *const causes[] = { "/opt/caf\xe9/sh (#! interpreter of /srv/x.sh) does not exist",
                                              "lib\xff\xfe.so needed by /usr/bin/x: not found", "plain ASCII" };
        for (size_t i = 0; i < ELEMENTSOF(causes); i++) {
                _cleanup_free_ char *d = tu_mkdtemp(), *text = NULL, *dump = NULL;
                _cleanup_strv_free_ char **asserts = NULL, **roots = NULL;
                _cleanup_(unit_text_done) UnitText u = {};
                text = dropin_blocking_text(TEST_UNIT, causes[i]);
                ck_assert_ptr_nonnull(text);
                free(tu_write(d, TEST_UNIT, "[Service]\nExecStart=/bin/true\n"));
                free(tu_write(d, TEST_UNIT ".d/zz-confinement-blocked-x.conf", text));
                dump = tu_systemd_dump(d, TEST_UNIT);
                asserts = tu_dump_values(dump, "AssertPathExists");
                roots = tu_dump_values(dump, "RootDirectory");
                ck_assert_int_eq(unit_text_load_buffer(&u, text, strlen(text), "blocking.conf"), 0);
                ck_assert_msg(strv_length(asserts) == 1 && strv_length(roots) == 1 &&
                                      streq(roots[0], unit_text_get(&u, "Service", "RootDirectory")),
                              "cause \"%s\": systemd reads %zu assertions and RootDirectory=%s from the blocking drop-in",
                              causes[i], strv_length(asserts), roots ? roots[0] : "(none)");
                tu_rm_rf(d);
        }
}
END_TEST

START_TEST(blocking_name_carries_the_slug_after_the_stem) {
        _cleanup_free_ char *name = dropin_blocking_name("zz-confinement", "missing-executable");
        ck_assert_str_eq(name, "zz-confinement-blocked-missing-executable.conf");
        ck_assert(endswith(name, ".conf"));
}
END_TEST

int main(void) {
        Suite *s = suite_create("dropin");
        TCase *tc = tcase_create("escaping");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, escaped_path_round_trips_through_the_bind_paths_word_splitter);
        tcase_add_test(tc, systemd_reads_escaped_bind_paths_back_unchanged);
        tcase_add_test(tc, plain_path_is_one_escaping_gives_back_unchanged);
        tcase_add_test(tc, quote_in_a_path_is_refused_as_systemd_262_drops_such_binds);
        tcase_add_test(tc, path_systemd_cannot_read_back_is_refused_not_written);
        suite_add_tcase(s, tc);
        tc = tcase_create("names");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, stem_sorts_after_every_existing_name_by_strcmp);
        tcase_add_test(tc, stem_stays_within_name_max_after_a_long_name);
        tcase_add_test(tc, systemd_reads_the_stem_conf_after_every_existing_dropin);
        tcase_add_test(tc, systemd_reads_stem_plus_any_suffix_after_every_existing_dropin);
        tcase_add_test(tc, blocking_name_carries_the_slug_after_the_stem);
        suite_add_tcase(s, tc);
        tc = tcase_create("writing");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, write_leaves_only_the_final_conf_and_replaces_by_rename);
        tcase_add_test(tc, write_replaces_a_file_the_writer_cannot_open_for_writing);
        tcase_add_test(tc, write_into_a_missing_output_dir_fails_and_creates_nothing);
        tcase_add_test(tc, linked_dropins_share_one_whole_file_and_replacing_one_leaves_the_others);
        tcase_add_test(tc, dropins_are_0644_whatever_the_umask);
        tcase_add_test(tc, marker_makes_its_subdir_once_and_an_existing_one_counts);
        tcase_add_test(tc, blocking_text_asserts_a_path_that_cannot_exist_and_uses_it_as_root);
        tcase_add_test(tc, blocking_text_puts_the_cause_in_description_as_systemd_reads_it);
        tcase_add_test(tc, blocking_text_blocks_whatever_bytes_the_cause_holds);
        tcase_add_test(tc, newline_in_a_path_is_einval);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
