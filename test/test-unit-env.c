/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "test-util.h"
#include "env-file.h"
#include "unit-env.h"

static const Specifiers sp = { .name = "web@blue.service" };

static char **env_of(const char *unit_text, int expect_r) {
        UnitText u = {};
        char **env = NULL, *error = NULL;
        ck_assert_int_eq(unit_text_load_buffer(&u, unit_text, strlen(unit_text), "t.service"), 0);
        int r = unit_environment(&u, &sp, &env, &error);
        ck_assert_msg(r == expect_r, "r=%d error=%s", r, error ? error : "");
        if (r < 0)
                ck_assert_ptr_nonnull(error);
        free(error);
        unit_text_done(&u);
        return env;
}

START_TEST(default_path_is_systemds) {
        char **env = env_of("[Service]\nExecStart=/bin/true\n", 0);
        ck_assert_str_eq(strv_env_get(env, "PATH"), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        ck_assert_int_eq(strv_length(env), 1);
        strv_free(env);
}
END_TEST

START_TEST(environment_quoting_specifiers_and_reset) {
        char **env = env_of("[Service]\nEnvironment=GONE=1\nEnvironment=\n"
                            "Environment=\"A=x y\" B=%i C='q\\tr' 1BAD=no D=%Z E=\n"
                            "Environment=B=second\n", 0);
        ck_assert_ptr_null(strv_env_get(env, "GONE"));
        ck_assert_str_eq(strv_env_get(env, "A"), "x y");
        ck_assert_str_eq(strv_env_get(env, "B"), "second");
        ck_assert_str_eq(strv_env_get(env, "C"), "q\tr");
        ck_assert_str_eq(strv_env_get(env, "E"), "");
        ck_assert_ptr_null(strv_env_get(env, "1BAD"));
        ck_assert_ptr_null(strv_env_get(env, "D")); /* unknown specifier: systemd skips the word */
        strv_free(env);
}
END_TEST

START_TEST(environment_file_overrides_environment_and_dash_skips_missing) {
        char *dir = tu_mkdtemp(), *unit;
        free(tu_write(dir, "a.env", "# comment\nA=from-file\nexport X=dropped\n  B = \"two words\" \nC='single $x'\n"
                                    "D=esc\\\ncont\nE=\"q\\\"\\n\"\n"));
        free(tu_write(dir, "b.env", "A=later-file\n"));
        ck_assert_int_ge(asprintf(&unit, "[Service]\nEnvironment=A=env Z=z\nEnvironmentFile=%s/a.env\n"
                                         "EnvironmentFile=-%s/missing.env\nEnvironmentFile=%s/b.env\n",
                                  dir, dir, dir), 0);
        char **env = env_of(unit, 0);
        ck_assert_str_eq(strv_env_get(env, "A"), "later-file");
        ck_assert_str_eq(strv_env_get(env, "Z"), "z");
        ck_assert_str_eq(strv_env_get(env, "B"), "two words");
        ck_assert_str_eq(strv_env_get(env, "C"), "single $x");
        ck_assert_str_eq(strv_env_get(env, "D"), "esccont");
        ck_assert_str_eq(strv_env_get(env, "E"), "q\"\\n");
        ck_assert_ptr_null(strv_env_get(env, "X"));
        strv_free(env);
        free(unit);

        ck_assert_int_ge(asprintf(&unit, "[Service]\nEnvironmentFile=%s/missing.env\n", dir), 0);
        ck_assert_ptr_null(env_of(unit, -ENOENT));
        free(unit);
        tu_rm_rf(dir);
        free(dir);
}
END_TEST

START_TEST(environment_file_glob_loads_every_match_in_order) {
        char *dir = tu_mkdtemp(), *unit;
        free(tu_write(dir, "conf/10.env", "A=10\nB=10\n"));
        free(tu_write(dir, "conf/20.env", "A=20\n"));
        ck_assert_int_ge(asprintf(&unit, "[Service]\nEnvironmentFile=%s/conf/*.env\n", dir), 0);
        char **env = env_of(unit, 0);
        ck_assert_str_eq(strv_env_get(env, "A"), "20");
        ck_assert_str_eq(strv_env_get(env, "B"), "10");
        strv_free(env);
        free(unit);
        tu_rm_rf(dir);
        free(dir);
}
END_TEST

START_TEST(relative_environment_file_is_ignored) {
        char **env = env_of("[Service]\nEnvironmentFile=relative.env\n", 0);
        ck_assert_int_eq(strv_length(env), 1);
        strv_free(env);
}
END_TEST

START_TEST(unset_environment_removes_names_and_exact_assignments) {
        char **env = env_of("[Service]\nEnvironment=A=1 B=2 C=3 PATH=/x\nUnsetEnvironment=A B=9 C=3\n", 0);
        ck_assert_ptr_null(strv_env_get(env, "A"));
        ck_assert_str_eq(strv_env_get(env, "B"), "2");
        ck_assert_ptr_null(strv_env_get(env, "C"));
        ck_assert_str_eq(strv_env_get(env, "PATH"), "/x");
        strv_free(env);
}
END_TEST

START_TEST(exec_search_path_sets_path_unless_environment_does) {
        char **env = env_of("[Service]\nExecSearchPath=/opt/bin:/usr/bin\n", 0);
        ck_assert_str_eq(strv_env_get(env, "PATH"), "/opt/bin:/usr/bin");
        strv_free(env);
        env = env_of("[Service]\nExecSearchPath=/opt/bin\nEnvironment=PATH=/mine\n", 0);
        ck_assert_str_eq(strv_env_get(env, "PATH"), "/mine");
        strv_free(env);
}
END_TEST

START_TEST(exec_search_path_or_default_not_the_units_path) {
        UnitText u = {};
        char **l = NULL;
        const char *t = "[Service]\nEnvironment=PATH=/ignored\n";
        ck_assert_int_eq(unit_text_load_buffer(&u, t, strlen(t), "t"), 0);
        ck_assert_int_eq(unit_exec_search_path(&u, &sp, NULL, &l), 0);
        char *j = strv_join(l, ":");
        ck_assert_str_eq(j, SYSTEMD_DEFAULT_PATH);
        free(j), strv_free(l);
        unit_text_done(&u);

        t = "[Service]\nExecSearchPath=/a:/opt/%i//bin/\nExecSearchPath=/c:relative:/d\n";
        ck_assert_int_eq(unit_text_load_buffer(&u, t, strlen(t), "t"), 0);
        ck_assert_int_eq(unit_exec_search_path(&u, &sp, NULL, &l), 0);
        j = strv_join(l, ":");
        ck_assert_str_eq(j, "/a:/opt/blue/bin:/c"); /* systemd drops the rest after a bad entry */
        free(j), strv_free(l);
        unit_text_done(&u);
}
END_TEST

START_TEST(env_file_invalid_utf8_fails_the_file) {
        char **env = NULL;
        ck_assert_int_eq(env_file_parse("A=\xff\n", 4, &env), -EINVAL);
        ck_assert_int_eq(env_file_parse("A=1\0B=2", 7, &env), 0); /* read up to the NUL */
        ck_assert_int_eq(strv_length(env), 1);
        strv_free(env);
}
END_TEST

int main(void) {
        Suite *s = suite_create("unit-env");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, default_path_is_systemds);
        tcase_add_test(tc, environment_quoting_specifiers_and_reset);
        tcase_add_test(tc, environment_file_overrides_environment_and_dash_skips_missing);
        tcase_add_test(tc, environment_file_glob_loads_every_match_in_order);
        tcase_add_test(tc, relative_environment_file_is_ignored);
        tcase_add_test(tc, unset_environment_removes_names_and_exact_assignments);
        tcase_add_test(tc, exec_search_path_sets_path_unless_environment_does);
        tcase_add_test(tc, exec_search_path_or_default_not_the_units_path);
        tcase_add_test(tc, env_file_invalid_utf8_fails_the_file);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
