/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confinement-config.h"
#include "macro.h"
#include "strv.h"
#include "test-util.h"
#include "unit-file.h"

/* Loads each (file name, text) pair in order, as the fragment and its drop-ins. */
static void load(UnitText *u, const char *const *files) {
        for (size_t i = 0; files[i]; i += 2)
                ck_assert_int_eq(unit_text_load_buffer(u, files[i + 1], strlen(files[i + 1]), files[i]), 0);
}

static int parse(const char *const *files, ConfinementConfig *ret, char **ret_error) {
        _cleanup_(unit_text_done) UnitText u = {};
        load(&u, files);
        *ret_error = NULL;
        return confinement_config_parse(&u, ret, ret_error);
}

static void assert_strv_eq(char * const *got, const char *const *want) {
        size_t n = 0;
        while (want[n])
                n++;
        ck_assert_msg(strv_length(got) == n, "%zu entries, expected %zu", strv_length(got), n);
        for (size_t i = 0; i < n; i++)
                ck_assert_str_eq(got[i], want[i]);
}

START_TEST(an_empty_section_gives_the_documented_defaults) {
        const char *files[] = { "/etc/systemd/system/a.service",
                                "[Service]\nExecStart=/bin/true\n[X-Confinement]\n", NULL };
        ConfinementConfig c;
        _cleanup_free_ char *error = NULL;
        ck_assert_int_eq(parse(files, &c, &error), 0);
        ck_assert(c.enable);
        ck_assert_int_eq(c.mode, CONFINEMENT_FULL_APIVFS);
        ck_assert_str_eq(confinement_mode_to_string(c.mode), "full-apivfs");
        ck_assert_uint_eq(strv_length(c.packages), 0);
        ck_assert_uint_eq(strv_length(c.profiles), 0);
        ck_assert_str_eq(c.bin_sh, "/bin/sh");
        ck_assert(!c.full_unit);
        ck_assert(!c.harden);
        confinement_config_done(&c);
}
END_TEST

START_TEST(keys_of_other_sections_are_not_ours) {
        const char *files[] = { "/etc/systemd/system/a.service",
                                "[Service]\nMode=nonsense\nPackages=relative\n[X-Other]\nEnable=maybe\n"
                                "[X-Confinement]\nMode=chroot-only\n",
                                NULL };
        ConfinementConfig c;
        _cleanup_free_ char *error = NULL;
        ck_assert_int_eq(parse(files, &c, &error), 0);
        ck_assert_int_eq(c.mode, CONFINEMENT_CHROOT_ONLY);
        ck_assert_str_eq(confinement_mode_to_string(c.mode), "chroot-only");
        ck_assert_uint_eq(strv_length(c.packages), 0);
        confinement_config_done(&c);
}
END_TEST

/* How systemd itself parses a boolean: PrivateTmp= (a plain boolean setting)
 * after PrivateTmp=yes and after PrivateTmp=no, in units that
 * "systemd-analyze verify" loads and dumps. A value systemd rejects leaves the
 * earlier one in place, so the two runs disagree. Returns 1, 0 or -EINVAL. */
static int systemd_parse_boolean(const char *dir, const char *value) {
        int seen[2];
        for (int before = 0; before < 2; before++) {
                _cleanup_free_ char *text = NULL, *out = NULL, *dump = NULL;
                ck_assert_int_ge(asprintf(&text, "[Service]\nExecStart=/bin/true\nPrivateTmp=%s\nPrivateTmp=%s\n",
                                          before ? "yes" : "no", value), 0);
                free(tu_write(dir, "confinement-bool-test.service", text));
                ck_assert_int_ge(asprintf(&out, "%s/dump", dir), 0);
                tu_sh("cd '%s' && SYSTEMD_LOG_LEVEL=debug systemd-analyze verify --man=no ./confinement-bool-test.service "
                      ">'%s' 2>/dev/null || true", dir, out);
                _cleanup_fclose_ FILE *f = fopen(out, "re");
                size_t size = 0;
                ck_assert_ptr_nonnull(f);
                ck_assert_int_ge(getdelim(&dump, &size, 0, f), 0);
                /* 257 made PrivateTmp= a mode: "true" dumps as "connected". */
                if (strstr(dump, "\n\t\tPrivateTmp: yes\n") || strstr(dump, "\n\t\tPrivateTmp: connected\n"))
                        seen[before] = 1;
                else if (strstr(dump, "\n\t\tPrivateTmp: no\n"))
                        seen[before] = 0;
                else
                        ck_abort_msg("no PrivateTmp in systemd's dump for %s", value);
        }
        return seen[0] == seen[1] ? seen[0] : -EINVAL;
}

START_TEST(booleans_are_parsed_as_systemd_parses_them) {
        static const char *const values[] = { "yes", "no",  "true", "false", "on", "off", "1",   "0",     "y",
                                              "n",   "t",   "f",    "YES",   "True", "oN", "OFF", "2",    "maybe",
                                              "yes please", "-1",  "ja",    "enable", "" };
        _cleanup_free_ char *d = tu_mkdtemp();
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                int want = systemd_parse_boolean(d, values[i]);
                for (int k = 0; k < 3; k++) {
                        const char *key = k == 2 ? "Harden" : k ? "FullUnit" : "Enable";
                        _cleanup_free_ char *text = NULL, *error = NULL;
                        ck_assert_int_ge(asprintf(&text, "[X-Confinement]\n%s=%s\n", key, values[i]), 0);
                        const char *files[] = { "/etc/systemd/system/a.service", text, NULL };
                        ConfinementConfig c;
                        int r = parse(files, &c, &error);
                        if (want < 0) {
                                ck_assert_msg(r == -EINVAL, "%s=%s: systemd rejects it, we gave %d", key, values[i], r);
                                ck_assert_ptr_nonnull(error);
                                continue;
                        }
                        ck_assert_msg(r == 0, "%s=%s: systemd reads %d, we failed: %s", key, values[i], want, error);
                        ck_assert_msg((k == 2 ? c.harden : k ? c.full_unit : c.enable) == (want == 1),
                                      "%s=%s: systemd reads %d", key,
                                      values[i], want);
                        confinement_config_done(&c);
                }
        }
        tu_rm_rf(d);
}
END_TEST

START_TEST(list_keys_accumulate_over_lines_and_files_and_an_empty_value_resets) {
        const char *files[] = {
                "/usr/lib/systemd/system/a.service",
                "[X-Confinement]\nPackages=/etc/a /etc/b\nPackages=/etc/c\nProfiles=dns tls\n",
                "/etc/systemd/system/a.service.d/10-more.conf",
                "[X-Confinement]\nPackages=\t/etc/d   /etc/e\nProfiles=timezone\n",
                NULL,
        };
        ConfinementConfig c;
        _cleanup_free_ char *error = NULL;
        ck_assert_int_eq(parse(files, &c, &error), 0);
        assert_strv_eq(c.packages, (const char *const[]) { "/etc/a", "/etc/b", "/etc/c", "/etc/d", "/etc/e", NULL });
        assert_strv_eq(c.profiles, (const char *const[]) { "dns", "tls", "timezone", NULL });
        confinement_config_done(&c);

        const char *reset[] = {
                "/usr/lib/systemd/system/a.service",
                "[X-Confinement]\nPackages=/etc/a /etc/b\nProfiles=dns\n",
                "/etc/systemd/system/a.service.d/10-reset.conf",
                "[X-Confinement]\nPackages=\nPackages=/etc/z\nProfiles=\n",
                NULL,
        };
        ck_assert_int_eq(parse(reset, &c, &error), 0);
        assert_strv_eq(c.packages, (const char *const[]) { "/etc/z", NULL });
        ck_assert_uint_eq(strv_length(c.profiles), 0);
        confinement_config_done(&c);
}
END_TEST

START_TEST(later_files_override_scalar_keys) {
        const char *files[] = {
                "/usr/lib/systemd/system/a.service",
                "[X-Confinement]\nMode=chroot-only\nBinSh=/bin/bash\nFullUnit=yes\n",
                "/etc/systemd/system/a.service.d/override.conf",
                "[X-Confinement]\nMode=full-apivfs\nBinSh=\n",
                "/run/systemd/system/a.service.d/zz.conf",
                "[X-Confinement]\nEnable=no\nFullUnit=off\n",
                NULL,
        };
        ConfinementConfig c;
        _cleanup_free_ char *error = NULL;
        ck_assert_int_eq(parse(files, &c, &error), 0);
        ck_assert_int_eq(c.mode, CONFINEMENT_FULL_APIVFS);
        ck_assert_ptr_null(c.bin_sh); /* empty: no /bin/sh inside */
        ck_assert(!c.enable);
        ck_assert(!c.full_unit);
        confinement_config_done(&c);

        const char *back[] = {
                "/usr/lib/systemd/system/a.service", "[X-Confinement]\nEnable=no\nBinSh=\n",
                "/etc/systemd/system/a.service.d/override.conf", "[X-Confinement]\nEnable=yes\nBinSh=/bin/dash\n",
                NULL,
        };
        ck_assert_int_eq(parse(back, &c, &error), 0);
        ck_assert(c.enable);
        ck_assert_str_eq(c.bin_sh, "/bin/dash");
        confinement_config_done(&c);
}
END_TEST

/* Each bad setting sits on line 4 of the second file: the error must name that
 * file, that line and the key. */
static void check_error(const char *line, const char *key) {
        _cleanup_free_ char *text = NULL, *error = NULL, *where = NULL;
        ck_assert_int_ge(asprintf(&text, "# a comment\n[X-Confinement]\nEnable=yes\n%s\nMode=chroot-only\n", line), 0);
        const char *files[] = { "/usr/lib/systemd/system/a.service", "[X-Confinement]\n",
                                "/etc/systemd/system/a.service.d/50-bad.conf", text, NULL };
        ConfinementConfig c;
        ck_assert_int_eq(parse(files, &c, &error), -EINVAL);
        ck_assert_ptr_nonnull(error);
        ck_assert_int_ge(asprintf(&where, "/etc/systemd/system/a.service.d/50-bad.conf:4"), 0);
        ck_assert_msg(strstr(error, where), "%s: error \"%s\" does not name %s", line, error, where);
        ck_assert_msg(strstr(error, key), "%s: error \"%s\" does not name %s", line, error, key);
}

START_TEST(bad_settings_are_errors_naming_file_line_and_key) {
        check_error("Frobnicate=yes", "Frobnicate");
        check_error("enable=yes", "enable"); /* keys are case-sensitive, as systemd's */
        check_error("Mode=full", "Mode");
        check_error("Mode=Chroot-Only", "Mode");
        check_error("Mode=", "Mode");
        check_error("Packages=/etc/ok relative/path", "Packages");
        check_error("Packages=~/x", "Packages");
        check_error("BinSh=sh", "BinSh");
        check_error("Profiles=dns nonsense", "Profiles");
        check_error("Profiles=DNS", "Profiles");
        check_error("Enable=maybe", "Enable");
        check_error("FullUnit=2", "FullUnit");
}
END_TEST

START_TEST(every_documented_profile_is_accepted) {
        const char *files[] = { "/etc/systemd/system/a.service",
                                "[X-Confinement]\nProfiles=dns tls timezone locale users gconv\n", NULL };
        ConfinementConfig c;
        _cleanup_free_ char *error = NULL;
        ck_assert_int_eq(parse(files, &c, &error), 0);
        assert_strv_eq(c.profiles, (const char *const[]) { "dns", "tls", "timezone", "locale", "users", "gconv", NULL });
        confinement_config_done(&c);
}
END_TEST

START_TEST(a_unit_file_on_disk_parses_like_its_buffer) {
        /* The same text read from a real file through unit_text_load_file, with a
         * continuation line and a comment inside the section. */
        _cleanup_free_ char *d = tu_mkdtemp();
        _cleanup_free_ char *path = tu_write(d, "a.service",
                                             "[X-Confinement]\n; comment\nPackages=/etc/a \\\n  /etc/b\n#Packages=/etc/c\n");
        _cleanup_(unit_text_done) UnitText u = {};
        ck_assert_int_eq(unit_text_load_file(&u, path), 0);
        ConfinementConfig c;
        _cleanup_free_ char *error = NULL;
        ck_assert_int_eq(confinement_config_parse(&u, &c, &error), 0);
        assert_strv_eq(c.packages, (const char *const[]) { "/etc/a", "/etc/b", NULL });
        confinement_config_done(&c);
        tu_rm_rf(d);
}
END_TEST

START_TEST(harden_in_a_later_dropin_overrides_the_unit) {
        const char *files[] = {
                "/usr/lib/systemd/system/a.service", "[X-Confinement]\nHarden=yes\n",
                "/etc/systemd/system/a.service.d/10-off.conf", "[X-Confinement]\nHarden=no\n",
                "/etc/systemd/system/a.service.d/20-on.conf", "[X-Confinement]\nHarden=on\n",
                NULL,
        };
        ConfinementConfig c;
        _cleanup_free_ char *error = NULL;
        ck_assert_int_eq(parse(files, &c, &error), 0);
        ck_assert(c.harden);
        confinement_config_done(&c);
        files[5] = "[X-Confinement]\nHarden=strict\n";
        ck_assert_int_eq(parse(files, &c, &error), -EINVAL);
        ck_assert_msg(strstr(error, "20-on.conf:2: Harden=strict"), "%s", error);
}
END_TEST

int main(void) {
        Suite *s = suite_create("confinement-config");
        TCase *tc = tcase_create("parse");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, an_empty_section_gives_the_documented_defaults);
        tcase_add_test(tc, keys_of_other_sections_are_not_ours);
        tcase_add_test(tc, booleans_are_parsed_as_systemd_parses_them);
        tcase_add_test(tc, list_keys_accumulate_over_lines_and_files_and_an_empty_value_resets);
        tcase_add_test(tc, later_files_override_scalar_keys);
        tcase_add_test(tc, bad_settings_are_errors_naming_file_line_and_key);
        tcase_add_test(tc, every_documented_profile_is_accepted);
        tcase_add_test(tc, a_unit_file_on_disk_parses_like_its_buffer);
        tcase_add_test(tc, harden_in_a_later_dropin_overrides_the_unit);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
