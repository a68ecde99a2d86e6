/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exec-command.h"
#include "strv.h"
#include "test-util.h"

static const Specifiers sp = { .name = "foo-bar@my\\x2dinst.service", .fragment = NULL };

typedef struct Parsed {
        ExecCommand *c;
        size_t n;
        char *error;
        int r;
} Parsed;

static Parsed parse_env(const char *value, char **env) {
        Parsed p = {};
        p.r = exec_command_parse(value, &sp, env, &p.c, &p.n, &p.error);
        return p;
}

static Parsed parse(const char *value) {
        return parse_env(value, NULL);
}

static void done(Parsed *p) {
        exec_command_free_many(p->c, p->n);
        free(p->error);
}

static void assert_argv(char **argv, const char *joined) {
        char *j = strv_join(argv, "|");
        ck_assert_str_eq(j, joined);
        free(j);
}

START_TEST(prefixes_set_flags_and_are_removed) {
        Parsed p = parse("-:+/bin/a x");
        ck_assert_int_eq(p.r, 0);
        ck_assert_int_eq(p.n, 1);
        ck_assert_str_eq(p.c[0].path, "/bin/a");
        ck_assert_uint_eq(p.c[0].flags, EXEC_IGNORE_FAILURE | EXEC_NO_ENV_EXPAND | EXEC_PRIVILEGED);
        done(&p);
        p = parse("!!/bin/b");
        ck_assert_uint_eq(p.c[0].flags, EXEC_AMBIENT_MAGIC);
        done(&p);
        p = parse("!/bin/b");
        ck_assert_uint_eq(p.c[0].flags, EXEC_NO_SETUID);
        done(&p);
}
END_TEST

START_TEST(at_prefix_takes_argv0_from_the_next_word) {
        Parsed p = parse("@/usr/sbin/daemon my-name --flag");
        ck_assert_int_eq(p.r, 0);
        ck_assert_str_eq(p.c[0].path, "/usr/sbin/daemon");
        assert_argv(p.c[0].argv, "my-name|--flag");
        ck_assert_uint_eq(p.c[0].flags, EXEC_ARGV0);
        done(&p);
        p = parse("@/bin/x");
        ck_assert_int_eq(p.r, -EBADMSG); /* no argv[0] */
        ck_assert_ptr_nonnull(p.error);
        done(&p);
}
END_TEST

START_TEST(quotes_group_words_and_c_escapes_are_decoded) {
        Parsed p = parse("/bin/echo \"a b\" 'c d' e\\tf \"g\\x41\" \\u00e9 x\"y z\"w");
        ck_assert_int_eq(p.r, 0);
        assert_argv(p.c[0].argv, "/bin/echo|a b|c d|e\tf|gA|\xc3\xa9|xy zw");
        done(&p);
}
END_TEST

START_TEST(unknown_escape_is_kept_verbatim) {
        Parsed p = parse("/bin/echo a\\qb");
        ck_assert_int_eq(p.r, 0);
        assert_argv(p.c[0].argv, "/bin/echo|a\\qb");
        done(&p);
}
END_TEST

START_TEST(lone_semicolon_separates_commands_and_escaped_one_is_literal) {
        Parsed p = parse("/bin/a 1 ; /bin/b \\; 2 ;");
        ck_assert_int_eq(p.r, 0);
        ck_assert_int_eq(p.n, 2);
        assert_argv(p.c[0].argv, "/bin/a|1");
        assert_argv(p.c[1].argv, "/bin/b|;|2");
        done(&p);
        p = parse("/bin/a x;y");
        assert_argv(p.c[0].argv, "/bin/a|x;y");
        done(&p);
}
END_TEST

START_TEST(dollar_var_alone_splits_into_words) {
        char *env[] = { "OPTS=-a  \"b c\" -d", "CONFIG=/etc/x.conf", NULL };
        Parsed p = parse_env("/usr/sbin/d $OPTS -f $CONFIG $UNSET", env);
        ck_assert_int_eq(p.r, 0);
        assert_argv(p.c[0].argv, "/usr/sbin/d|-a|b c|-d|-f|/etc/x.conf");
        done(&p);
}
END_TEST

START_TEST(braced_var_inside_a_word_is_replaced_as_is) {
        char *env[] = { "DIR=/opt/a b", NULL };
        Parsed p = parse_env("/bin/x --dir=${DIR}/sub ${NOPE}end $$HOME ${DIR:-x}", env);
        ck_assert_int_eq(p.r, 0);
        assert_argv(p.c[0].argv, "/bin/x|--dir=/opt/a b/sub|end|$HOME|${DIR:-x}");
        done(&p);
}
END_TEST

START_TEST(colon_prefix_disables_env_expansion) {
        char *env[] = { "A=1", NULL };
        Parsed p = parse_env(":/bin/x $A ${A}", env);
        assert_argv(p.c[0].argv, "/bin/x|$A|${A}");
        done(&p);
}
END_TEST

START_TEST(executable_path_is_not_env_expanded) {
        char *env[] = { "A=/bin/real", NULL };
        Parsed p = parse_env("$A x", env);
        ck_assert_int_eq(p.r, 0);
        ck_assert_str_eq(p.c[0].path, "$A"); /* a bare name, looked up literally by systemd */
        assert_argv(p.c[0].argv, "/bin/real|x");
        done(&p);
}
END_TEST

START_TEST(specifiers_expand_in_path_and_arguments) {
        Parsed p = parse("/opt/%p/bin/%I --unit=%n --inst=%i 100%%");
        ck_assert_int_eq(p.r, 0);
        ck_assert_str_eq(p.c[0].path, "/opt/foo-bar/bin/my-inst");
        assert_argv(p.c[0].argv, "/opt/foo-bar/bin/my-inst|--unit=foo-bar@my\\x2dinst.service|--inst=my\\x2dinst|100%");
        done(&p);
        /* the escaped instance has a backslash: not a safe executable name */
        p = parse("/opt/%i");
        ck_assert_int_eq(p.r, -EBADMSG);
        done(&p);
}
END_TEST

START_TEST(unknown_specifier_rejects_the_line_unless_dash) {
        Parsed p = parse("/bin/a %Z");
        ck_assert_int_eq(p.r, -EBADMSG);
        ck_assert_ptr_nonnull(strstr(p.error, "%Z"));
        done(&p);
        p = parse("/bin/ok ; -/bin/a %Z");
        ck_assert_int_eq(p.r, 0);
        ck_assert_int_eq(p.n, 1); /* systemd drops the '-' command, keeps the one before */
        done(&p);
}
END_TEST

START_TEST(bare_name_is_kept_and_path_simplified) {
        Parsed p = parse("sshd -D ; //usr//./bin/x/");
        ck_assert_int_eq(p.r, -EBADMSG); /* trailing slash: a directory */
        ck_assert_int_eq(p.n, 1);
        ck_assert_str_eq(p.c[0].path, "sshd");
        done(&p);
        p = parse("//usr//./bin/x a");
        ck_assert_str_eq(p.c[0].path, "/usr/bin/x");
        ck_assert_str_eq(p.c[0].argv[0], "//usr//./bin/x"); /* argv[0] as written */
        done(&p);
}
END_TEST

START_TEST(invalid_executables_are_rejected) {
        const char *bad[] = { "bin/x", "-", "/bin/a\\\\b", "\"\"", "/bin/x 'unbalanced" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                Parsed p = parse(bad[i]);
                if (i == 1) /* "-" alone: an empty path, '-' makes systemd only warn */
                        ck_assert_int_eq(p.r, 0);
                else
                        ck_assert_msg(p.r == -EBADMSG, "%s accepted", bad[i]);
                ck_assert_int_eq(p.n, 0);
                done(&p);
        }
}
END_TEST

START_TEST(unbalanced_first_word_is_ignored_as_systemd_does) {
        Parsed p = parse("\"/bin/a b");
        ck_assert_int_eq(p.r, 0);
        ck_assert_int_eq(p.n, 0);
        done(&p);
}
END_TEST

START_TEST(empty_value_appends_nothing) {
        Parsed p = parse("");
        ck_assert_int_eq(p.r, 0);
        ck_assert_int_eq(p.n, 0);
        done(&p);
}
END_TEST

START_TEST(extract_first_word_dont_coalesce_gives_empty_words) {
        const char *s = "a::b:";
        char *w;
        const char *expect[] = { "a", "", "b", "" };
        for (size_t i = 0; i < 4; i++) {
                ck_assert_int_eq(extract_first_word(&s, &w, ":", EXTRACT_DONT_COALESCE_SEPARATORS), 1);
                ck_assert_str_eq(w, expect[i]);
                free(w);
        }
        ck_assert_int_eq(extract_first_word(&s, &w, ":", EXTRACT_DONT_COALESCE_SEPARATORS), 0);
}
END_TEST

START_TEST(hostile_values_never_crash) {
        unsigned seed = 7;
        const char alphabet[] = "\\\"' ;$%{}@-:+!/ax\tn01u";
        for (int round = 0; round < 3000; round++) {
                char buf[64];
                size_t n = rand_r(&seed) % (sizeof buf - 1);
                for (size_t i = 0; i < n; i++)
                        buf[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
                buf[n] = 0;
                char *env[] = { "a=x y", "x=\"q", NULL };
                Parsed p = parse_env(buf, env);
                done(&p);
        }
}
END_TEST

int main(void) {
        Suite *s = suite_create("exec-command");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, prefixes_set_flags_and_are_removed);
        tcase_add_test(tc, at_prefix_takes_argv0_from_the_next_word);
        tcase_add_test(tc, quotes_group_words_and_c_escapes_are_decoded);
        tcase_add_test(tc, unknown_escape_is_kept_verbatim);
        tcase_add_test(tc, lone_semicolon_separates_commands_and_escaped_one_is_literal);
        tcase_add_test(tc, dollar_var_alone_splits_into_words);
        tcase_add_test(tc, braced_var_inside_a_word_is_replaced_as_is);
        tcase_add_test(tc, colon_prefix_disables_env_expansion);
        tcase_add_test(tc, executable_path_is_not_env_expanded);
        tcase_add_test(tc, specifiers_expand_in_path_and_arguments);
        tcase_add_test(tc, unknown_specifier_rejects_the_line_unless_dash);
        tcase_add_test(tc, bare_name_is_kept_and_path_simplified);
        tcase_add_test(tc, invalid_executables_are_rejected);
        tcase_add_test(tc, unbalanced_first_word_is_ignored_as_systemd_does);
        tcase_add_test(tc, empty_value_appends_nothing);
        tcase_add_test(tc, extract_first_word_dont_coalesce_gives_empty_words);
        tcase_add_test(tc, hostile_values_never_crash);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
