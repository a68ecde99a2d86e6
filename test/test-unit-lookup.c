/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path-util.h"
#include "strv.h"
#include "test-util.h"
#include "unit-lookup.h"
#include "unit-name.h"

static char *root, *etc, *usr;
static char **search;

static void setup(void) {
        root = tu_mkdtemp();
        ck_assert_int_ge(asprintf(&etc, "%s/etc", root), 0);
        ck_assert_int_ge(asprintf(&usr, "%s/usr", root), 0);
        tu_mkdir_p(etc);
        tu_mkdir_p(usr);
        search = NULL;
        strv_extend(&search, etc);
        strv_extend(&search, usr);
}

static void teardown(void) {
        tu_rm_rf(root);
        free(root), free(etc), free(usr);
        strv_free(search);
}

static const char *unit = "[Service]\nExecStart=/bin/true\n";

static char *rel(const char *path) { /* "etc/x" for root/etc/x */
        return (char *) path + strlen(root) + 1;
}

static void assert_joined(char **l, const char *expected, bool relative) {
        char **r = NULL;
        STRV_FOREACH(s, l)
                strv_extend(&r, relative ? rel(*s) : *s);
        char *j = strv_join(r ? r : (char *[]) { NULL }, " ");
        ck_assert_str_eq(j, expected);
        free(j);
        strv_free(r);
}

START_TEST(first_file_of_a_name_wins_across_dirs) {
        free(tu_write(etc, "a.service", unit));
        free(tu_write(usr, "a.service", unit));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "a.service", &u), 0);
        ck_assert_str_eq(rel(u.fragment), "etc/a.service");
        ck_assert(!u.masked);
        unit_info_done(&u);
}
END_TEST

START_TEST(invalid_names_are_rejected) {
        UnitInfo u;
        UnitLookup *l;
        const char *bad[] = { "a", "@a.service", "a.nope", "a b.service", ".service", "a@b@c.d" };
        free(tu_write(usr, "a.service", unit));
        ck_assert_int_eq(unit_lookup_new(search, &l), 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ck_assert_int_eq(unit_lookup(search, bad[i], &u), -EINVAL);
                ck_assert_int_eq(unit_lookup_find(l, bad[i], &u), -EINVAL);
        }
        unit_lookup_free(l);
        ck_assert(unit_name_is_valid("a@b@c.service", UNIT_NAME_INSTANCE));
}
END_TEST

START_TEST(symlink_to_dev_null_or_empty_file_masks) {
        free(tu_write(usr, "a.service", unit));
        free(tu_symlink("/dev/null", etc, "a.service"));
        free(tu_write(usr, "b.service", ""));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "a.service", &u), 0);
        ck_assert(u.masked);
        ck_assert_str_eq(rel(u.fragment), "etc/a.service");
        unit_info_done(&u);
        ck_assert_int_eq(unit_lookup(search, "b.service", &u), 0);
        ck_assert(u.masked);
        unit_info_done(&u);
}
END_TEST

START_TEST(alias_loads_its_target_and_gets_dropins_of_all_names) {
        free(tu_write(usr, "real.service", unit));
        free(tu_symlink("real.service", usr, "alias.service"));
        free(tu_write(etc, "alias.service.d/10-alias.conf", "[X-Confinement]\n"));
        free(tu_write(usr, "real.service.d/20-real.conf", "[Service]\n"));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "alias.service", &u), 0);
        ck_assert_str_eq(u.name, "real.service");
        ck_assert_str_eq(rel(u.fragment), "usr/real.service");
        assert_joined(u.aliases, "alias.service", false);
        assert_joined(u.dropins, "etc/alias.service.d/10-alias.conf usr/real.service.d/20-real.conf", true);
        unit_info_done(&u);
        /* looked up by its own name, the unit has the same aliases and drop-ins */
        ck_assert_int_eq(unit_lookup(search, "real.service", &u), 0);
        assert_joined(u.aliases, "alias.service", false);
        ck_assert_int_eq(strv_length(u.dropins), 2);
        unit_info_done(&u);
}
END_TEST

START_TEST(link_outside_the_search_path_is_a_linked_unit_not_an_alias) {
        char *outside = tu_write(root, "elsewhere/other.service", unit);
        free(tu_symlink(outside, etc, "linked.service"));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "linked.service", &u), 0);
        ck_assert_str_eq(u.name, "linked.service");
        ck_assert_str_eq(rel(u.fragment), "etc/linked.service");
        unit_info_done(&u);
        free(outside);
}
END_TEST

START_TEST(alias_of_another_type_is_ignored) {
        free(tu_write(usr, "real.socket", "[Socket]\n"));
        free(tu_symlink("real.socket", etc, "bad.service"));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "bad.service", &u), 0);
        ck_assert_ptr_null(u.fragment);
        unit_info_done(&u);
}
END_TEST

START_TEST(instance_uses_template_and_its_dropin_dirs) {
        free(tu_write(usr, "foo-bar@.service", unit));
        free(tu_write(etc, "foo-bar@baz.service.d/a.conf", "[Service]\n"));
        free(tu_write(usr, "foo-bar@.service.d/b.conf", "[Service]\n"));
        free(tu_write(usr, "foo-.service.d/c.conf", "[Service]\n"));
        free(tu_write(usr, "foo-bar-.service.d/d.conf", "[Service]\n")); /* not read for an instance */
        free(tu_write(etc, "service.d/e.conf", "[Service]\n"));
        free(tu_write(usr, "foo-@baz.service.d/f.conf", "[Service]\n"));
        free(tu_write(etc, "foo-@.service.d/g.conf", "[Service]\n"));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "foo-bar@baz.service", &u), 0);
        ck_assert_str_eq(u.name, "foo-bar@baz.service");
        ck_assert_str_eq(u.instance, "baz");
        ck_assert_str_eq(rel(u.fragment), "usr/foo-bar@.service");
        /* systemd 252 also reads the prefix dirs with the instance (checked with systemd-analyze
         * verify: foo-@baz.service.d and foo-@.service.d are read, foo-bar-.service.d is not) */
        assert_joined(u.dropins,
                      "etc/foo-bar@baz.service.d/a.conf usr/foo-bar@.service.d/b.conf usr/foo-.service.d/c.conf "
                      "etc/service.d/e.conf usr/foo-@baz.service.d/f.conf etc/foo-@.service.d/g.conf", true);
        assert_joined(u.dropin_dirs,
                      "foo-bar@baz.service.d foo-bar@.service.d foo-.service.d foo-@baz.service.d foo-@.service.d "
                      "service.d", false);
        unit_info_done(&u);
}
END_TEST

/* A template stands for every instance: systemd 252 reads foo-@.service.d for each instance
 * (issue 13 class 1: an [X-Confinement] there was ignored), but not foo-@x.service.d. */
START_TEST(template_gets_the_instance_prefix_dirs_every_instance_reads) {
        free(tu_write(usr, "foo-bar@.service", unit));
        free(tu_write(usr, "foo-bar@.service.d/a.conf", "[Service]\n"));
        free(tu_write(usr, "foo-.service.d/b.conf", "[Service]\n"));
        free(tu_write(etc, "foo-@.service.d/c.conf", "[X-Confinement]\n"));
        free(tu_write(etc, "foo-@x.service.d/d.conf", "[X-Confinement]\n"));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "foo-bar@.service", &u), 0);
        assert_joined(u.dropins, "usr/foo-bar@.service.d/a.conf usr/foo-.service.d/b.conf etc/foo-@.service.d/c.conf",
                      true);
        ck_assert(!strv_contains(u.dropin_dirs, "foo-@x.service.d"));
        unit_info_done(&u);
}
END_TEST

/* foo-@x.service.d applies to the instance x of every foo-*@ template: those instances are
 * units of the tree. */
START_TEST(instance_prefix_dir_with_an_instance_names_that_instance_of_each_template) {
        free(tu_write(usr, "foo-bar@.service", unit));
        free(tu_write(usr, "foo-baz-qux@.service", unit));
        free(tu_write(usr, "other@.service", unit));
        free(tu_write(etc, "foo-@x.service.d/d.conf", "[X-Confinement]\n"));
        char **l = NULL;
        ck_assert_int_eq(unit_list_services(search, &l), 0);
        ck_assert(strv_contains(l, "foo-bar@x.service"));
        ck_assert(strv_contains(l, "foo-baz-qux@x.service"));
        ck_assert(!strv_contains(l, "other@x.service"));
        ck_assert(!strv_contains(l, "foo-@x.service"));
        strv_free(l);
}
END_TEST

/* conf_files_list() skips hidden files (FOREACH_DIRENT): a hidden Enable=no once turned
 * confinement off. */
START_TEST(hidden_files_are_not_dropins) {
        free(tu_write(usr, "a.service", unit));
        free(tu_write(etc, "a.service.d/.off.conf", "[X-Confinement]\nEnable=no\n"));
        free(tu_write(etc, "a.service.d/on.conf", "[X-Confinement]\n"));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "a.service", &u), 0);
        assert_joined(u.dropins, "etc/a.service.d/on.conf", true);
        unit_info_done(&u);
}
END_TEST

START_TEST(shared_dirs_are_the_prefix_and_type_dirs) {
        free(tu_write(usr, "a.service", unit));
        free(tu_write(etc, "a.service.d/x.conf", "[Service]\n"));
        free(tu_write(etc, "foo-.service.d/x.conf", "[Service]\n"));
        free(tu_write(usr, "foo-@.service.d/x.conf", "[Service]\n"));
        free(tu_write(usr, "foo-@i.service.d/x.conf", "[Service]\n"));
        free(tu_write(usr, "service.d/.hidden.conf", "[Service]\n"));
        free(tu_write(etc, "service.d/y.conf", "[Service]\n"));
        free(tu_write(usr, "service.d/y.conf", "[Service]\n"));
        UnitLookup *l;
        char **dirs = NULL, **files = NULL, **all = NULL;
        ck_assert_int_eq(unit_lookup_new(search, &l), 0);
        ck_assert_int_eq(unit_lookup_shared_dirs(l, &dirs), 0);
        assert_joined(dirs, "foo-.service.d foo-@.service.d foo-@i.service.d service.d", false);
        ck_assert_int_eq(unit_lookup_dir_files(l, "service.d", &files), 0);
        assert_joined(files, "etc/service.d/y.conf", true);
        ck_assert_int_eq(unit_lookup_all_dropins(l, &all), 0);
        ck_assert_int_eq(strv_length(all), 5);
        strv_free(dirs), strv_free(files), strv_free(all);
        unit_lookup_free(l);
}
END_TEST

/* Each unit file is read once per run: the look for the section, the parse and the line
 * scan share one read (a file changed during the run is not read again); a fragment that
 * does not name the section is not kept; a FIFO is refused without blocking. */
START_TEST(unit_file_bytes_are_read_once_per_run) {
        char *a = tu_write(usr, "a.service", "[Service]\nExecStart=/bin/true\n[X-Confinement]\n");
        char *b = tu_write(usr, "b.service", unit), *fifo = NULL;
        ck_assert_int_ge(asprintf(&fifo, "%s/c.service", usr), 0);
        ck_assert_int_eq(mkfifo(fifo, 0644), 0);
        UnitLookup *l;
        const char *data;
        size_t size;
        ck_assert_int_eq(unit_lookup_new(search, &l), 0);
        ck_assert(unit_lookup_may_mention(l, "a.service", "X-Confinement"));
        ck_assert(!unit_lookup_may_mention(l, "b.service", "X-Confinement"));
        free(tu_write(usr, "a.service", "changed\n"));
        free(tu_write(usr, "b.service", "changed\n"));
        ck_assert_int_eq(unit_lookup_read(l, a, &data, &size), 0);
        ck_assert_uint_eq(size, strlen("[Service]\nExecStart=/bin/true\n[X-Confinement]\n"));
        ck_assert(strstr(data, "[X-Confinement]"));
        ck_assert_int_eq(unit_lookup_read(l, b, &data, &size), 0);
        ck_assert_str_eq(data, "changed\n"); /* not kept: read again */
        ck_assert_int_eq(unit_lookup_read(l, fifo, &data, &size), -EBADFD);
        unit_lookup_forget_files(l);
        ck_assert_int_eq(unit_lookup_read(l, a, &data, &size), 0);
        ck_assert_str_eq(data, "changed\n");
        unit_lookup_free(l);
        free(a), free(b), free(fifo);
}
END_TEST

/* systemd's unit_file_find_dirs(): in each unit dir the unit's own dir, then its prefix dirs,
 * longest first; of same-named files the one consulted first wins: the more specific dir's in
 * the same unit dir, any dir's of a unit dir of higher priority. */
/* However many files a run reads, each path keeps its own bytes until forgotten (the files'
 * table grows past its first 64 buckets here). */
START_TEST(each_file_read_keeps_its_own_bytes) {
        enum { N = 300 };
        char *paths[N];
        UnitLookup *l;
        const char *data;
        size_t size;
        for (int i = 0; i < N; i++) {
                char name[32], text[32];
                snprintf(name, sizeof name, "u%d.service", i);
                snprintf(text, sizeof text, "[Service]\n#%d\n", i);
                paths[i] = tu_write(usr, name, text);
        }
        ck_assert_int_eq(unit_lookup_new(search, &l), 0);
        for (int round = 0; round < 2; round++)
                for (int i = 0; i < N; i++) {
                        char text[32];
                        snprintf(text, sizeof text, "[Service]\n#%d\n", i);
                        ck_assert_int_eq(unit_lookup_read(l, paths[i], &data, &size), 0);
                        ck_assert_uint_eq(size, strlen(text));
                        ck_assert(memcmp(data, text, size) == 0);
                        if (round == 0 && i % 2 == 0)
                                free(tu_write(usr, path_basename(paths[i]), "changed\n"));
                }
        unit_lookup_forget_files(l);
        ck_assert_int_eq(unit_lookup_read(l, paths[0], &data, &size), 0);
        ck_assert_uint_eq(size, strlen("changed\n"));
        unit_lookup_free(l);
        for (int i = 0; i < N; i++)
                free(paths[i]);
}
END_TEST

START_TEST(prefix_dirs_of_a_dashed_name) {
        free(tu_write(usr, "foo-bar-baz.service", unit));
        free(tu_write(usr, "foo-bar-baz.service.d/x.conf", "[Service]\n"));
        free(tu_write(usr, "foo-bar-.service.d/x.conf", "[Service]\n"));
        free(tu_write(usr, "foo-bar-.service.d/y.conf", "[Service]\n"));
        free(tu_write(etc, "foo-.service.d/y.conf", "[Service]\n"));
        free(tu_write(usr, "foo-.service.d/z.conf", "[Service]\n"));
        free(tu_write(usr, "service.d/z.conf", "[Service]\n"));
        free(tu_write(usr, "foo-baz-.service.d/w.conf", "[Service]\n"));     /* not a prefix */
        free(tu_write(etc, "foo-bar-baz-.service.d/w.conf", "[Service]\n")); /* longer than the name */
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "foo-bar-baz.service", &u), 0);
        assert_joined(u.dropin_dirs, "foo-bar-baz.service.d foo-bar-.service.d foo-.service.d service.d", false);
        assert_joined(u.dropins, "usr/foo-bar-baz.service.d/x.conf etc/foo-.service.d/y.conf usr/foo-.service.d/z.conf",
                      true);
        unit_info_done(&u);
}
END_TEST

/* A drop-in dir that is a symlink counts, read where it leads (systemd's unit_file_find_dir()
 * chases the path); a file named like a drop-in dir is none. */
START_TEST(symlinked_dropin_dir_is_read_at_its_target) {
        free(tu_write(usr, "a.service", unit));
        free(tu_write(root, "elsewhere/x.conf", "[Service]\n"));
        char *target = NULL;
        ck_assert_int_ge(asprintf(&target, "%s/elsewhere", root), 0);
        free(tu_symlink(target, etc, "a.service.d"));
        free(tu_write(usr, "a.service.d", "not a dir\n"));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "a.service", &u), 0);
        assert_joined(u.dropins, "elsewhere/x.conf", true);
        unit_info_done(&u);
        free(target);
}
END_TEST

/* Every dir of the search path is consulted, however long the path (the index of drop-in
 * dirs keeps one bit for each of the first 64 dirs and probes those after). */
START_TEST(dropin_dirs_of_every_unit_dir_of_a_long_search_path) {
        char **path = NULL;
        for (int i = 0; i < 66; i++) {
                char *dir = NULL;
                ck_assert_int_ge(asprintf(&dir, "%s/d%02d", root, i), 0);
                tu_mkdir_p(dir);
                strv_consume(&path, dir);
        }
        free(tu_write(path[0], "a.service", unit));
        free(tu_write(path[63], "a.service.d/x.conf", "[Service]\n"));
        free(tu_write(path[65], "a.service.d/y.conf", "[Service]\n"));
        free(tu_write(path[65], "a-.service.d/z.conf", "[Service]\n")); /* no prefix dir of "a" */
        free(tu_write(path[64], "service.d/z.conf", "[Service]\n"));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(path, "a.service", &u), 0);
        assert_joined(u.dropins, "d63/a.service.d/x.conf d65/a.service.d/y.conf d64/service.d/z.conf", true);
        unit_info_done(&u);
        strv_free(path);
}
END_TEST

START_TEST(same_named_dropin_in_etc_hides_the_one_in_usr) {
        free(tu_write(usr, "a.service", unit));
        free(tu_write(usr, "a.service.d/50-x.conf", "[Service]\n"));
        free(tu_write(etc, "a.service.d/50-x.conf", "[Service]\n"));
        free(tu_write(usr, "a.service.d/10-y.conf", "[Service]\n"));
        free(tu_symlink("/dev/null", etc, "a.service.d/90-z.conf"));
        free(tu_write(usr, "a.service.d/90-z.conf", "[Service]\n"));
        free(tu_write(usr, "a.service.d/ignored.txt", ""));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "a.service", &u), 0);
        assert_joined(u.dropins, "usr/a.service.d/10-y.conf etc/a.service.d/50-x.conf etc/a.service.d/90-z.conf", true);
        unit_info_done(&u);
}
END_TEST

START_TEST(unit_dir_beats_alias_and_type_dirs_of_higher_priority_for_same_name) {
        /* systemd consults the unit's own dirs in every unit dir before its aliases' dirs and any
         * "service.d" (checked with systemd-analyze verify on 252) */
        free(tu_write(usr, "a.service", unit));
        free(tu_write(usr, "a.service.d/override.conf", "[Service]\n"));
        free(tu_write(etc, "service.d/override.conf", "[Service]\n"));
        free(tu_symlink("a.service", usr, "alias.service"));
        free(tu_write(etc, "alias.service.d/override.conf", "[Service]\n"));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "a.service", &u), 0);
        assert_joined(u.dropins, "usr/a.service.d/override.conf", true);
        unit_info_done(&u);
}
END_TEST

START_TEST(name_without_file_has_no_fragment_but_its_dropins) {
        free(tu_write(etc, "ghost.service.d/x.conf", "[X-Confinement]\n"));
        UnitInfo u;
        ck_assert_int_eq(unit_lookup(search, "ghost.service", &u), 0);
        ck_assert_ptr_null(u.fragment);
        assert_joined(u.dropins, "etc/ghost.service.d/x.conf", true);
        unit_info_done(&u);
}
END_TEST

START_TEST(list_services_names_units_dropin_only_names_and_wanted_instances) {
        free(tu_write(usr, "a.service", unit));
        free(tu_symlink("a.service", etc, "alias-of-a.service"));
        free(tu_write(usr, "t@.service", unit));
        free(tu_symlink("../t@.service", usr, "multi-user.target.wants/t@one.service"));
        free(tu_write(etc, "ghost.service.d/x.conf", "[X-Confinement]\n"));
        free(tu_write(etc, "foo-.service.d/x.conf", "[X-Confinement]\n"));
        free(tu_write(etc, "empty.service.d/README", ""));
        free(tu_write(usr, "x.socket", "[Socket]\n"));
        char **l = NULL;
        ck_assert_int_eq(unit_list_services(search, &l), 0);
        assert_joined(l, "a.service ghost.service t@.service t@one.service", false);
        strv_free(l);
}
END_TEST

START_TEST(search_path_honours_systemd_unit_path_and_excludes_output_dirs) {
        char *gen, *env;
        ck_assert_int_ge(asprintf(&gen, "%s/gen", root), 0);
        ck_assert_int_ge(asprintf(&env, "%s:%s//:%s/", etc, gen, usr), 0);
        setenv("SYSTEMD_UNIT_PATH", env, 1);
        char **l = NULL, *exclude[] = { gen, NULL };
        ck_assert_int_eq(unit_search_path(exclude, &l), 0);
        ck_assert_int_eq(strv_length(l), 2);
        ck_assert_str_eq(l[0], etc);
        unsetenv("SYSTEMD_UNIT_PATH");
        strv_free(l);
        free(gen), free(env);
}
END_TEST

/* systemd's unit_name_is_valid(): the name before the type holds only VALID_CHARS (and the
 * one '@'); every other byte makes it invalid. */
START_TEST(unit_names_take_exactly_systemds_characters) {
        for (int c = 1; c < 256; c++) {
                char name[32];
                snprintf(name, sizeof name, "a%cb.service", c);
                bool want = c != '@' && strchr(UNIT_NAME_VALID_CHARS, c) != NULL;
                if (c == '@')
                        want = true; /* "a@b.service": an instance */
                ck_assert_msg(unit_name_is_valid(name, UNIT_NAME_ANY) == want, "byte %d", c);
        }
}
END_TEST

START_TEST(unit_name_helpers) {
        char *s;
        ck_assert_int_eq(unit_name_template("a@b.service", &s), 0);
        ck_assert_str_eq(s, "a@.service");
        free(s);
        ck_assert_int_eq(unit_name_path_unescape("dev-disk-by\\x2dlabel", &s), 0);
        ck_assert_str_eq(s, "/dev/disk/by-label");
        free(s);
        ck_assert_int_eq(unit_name_path_unescape("a--b", &s), -EINVAL); /* "a//b" is not normalised */
        ck_assert_int_eq(unit_name_to_instance("a@.service", &s), UNIT_NAME_TEMPLATE);
        ck_assert_str_eq(s, "");
        free(s);
}
END_TEST

int main(void) {
        Suite *s = suite_create("unit-lookup");
        TCase *tc = tcase_create("core");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, first_file_of_a_name_wins_across_dirs);
        tcase_add_test(tc, invalid_names_are_rejected);
        tcase_add_test(tc, symlink_to_dev_null_or_empty_file_masks);
        tcase_add_test(tc, alias_loads_its_target_and_gets_dropins_of_all_names);
        tcase_add_test(tc, link_outside_the_search_path_is_a_linked_unit_not_an_alias);
        tcase_add_test(tc, alias_of_another_type_is_ignored);
        tcase_add_test(tc, instance_uses_template_and_its_dropin_dirs);
        tcase_add_test(tc, prefix_dirs_of_a_dashed_name);
        tcase_add_test(tc, symlinked_dropin_dir_is_read_at_its_target);
        tcase_add_test(tc, dropin_dirs_of_every_unit_dir_of_a_long_search_path);
        tcase_add_test(tc, template_gets_the_instance_prefix_dirs_every_instance_reads);
        tcase_add_test(tc, instance_prefix_dir_with_an_instance_names_that_instance_of_each_template);
        tcase_add_test(tc, hidden_files_are_not_dropins);
        tcase_add_test(tc, shared_dirs_are_the_prefix_and_type_dirs);
        tcase_add_test(tc, same_named_dropin_in_etc_hides_the_one_in_usr);
        tcase_add_test(tc, unit_dir_beats_alias_and_type_dirs_of_higher_priority_for_same_name);
        tcase_add_test(tc, name_without_file_has_no_fragment_but_its_dropins);
        tcase_add_test(tc, list_services_names_units_dropin_only_names_and_wanted_instances);
        tcase_add_test(tc, search_path_honours_systemd_unit_path_and_excludes_output_dirs);
        tcase_add_test(tc, unit_names_take_exactly_systemds_characters);
        tcase_add_test(tc, unit_name_helpers);
        tcase_add_test(tc, unit_file_bytes_are_read_once_per_run);
        tcase_add_test(tc, each_file_read_keeps_its_own_bytes);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
