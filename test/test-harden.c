/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harden.h"
#include "macro.h"
#include "path-set.h"
#include "strv.h"
#include "test-util.h"
#include "unit-file.h"

static const HardenFacts no_facts = {};

/* The hardening lines for a unit made of one fragment text. */
static char *render(const char *text, ConfinementMode mode, const HardenFacts *facts) {
        _cleanup_(unit_text_done) UnitText u = {};
        ck_assert_int_eq(unit_text_load_buffer(&u, text, strlen(text), "/etc/systemd/system/a.service"), 0);
        char *out = harden_render(&u, mode, facts);
        ck_assert_ptr_nonnull(out);
        return out;
}

/* The value written for KEY, or NULL when no line sets it. */
static char *line_of(const char *out, const char *key) {
        _cleanup_free_ char *needle = NULL;
        ck_assert_int_ge(asprintf(&needle, "\n%s=", key), 0);
        const char *p = strstr(out, needle);
        if (!p)
                return NULL;
        p += strlen(needle);
        ck_assert_ptr_null(strstr(p, needle)); /* written once */
        return strndup(p, strcspn(p, "\n"));
}

static void assert_line(const char *out, const char *key, const char *want) {
        _cleanup_free_ char *got = line_of(out, key);
        ck_assert_msg(got, "%s= not written in:\n%s", key, out);
        ck_assert_str_eq(got, want);
}

static void assert_no_line(const char *out, const char *key) {
        _cleanup_free_ char *got = line_of(out, key);
        ck_assert_msg(!got, "%s=%s written in:\n%s", key, got, out);
}

START_TEST(unprivileged_unit_gets_every_setting_and_an_empty_bounding_set) {
        _cleanup_free_ char *out = render("[Service]\nUser=nobody\nExecStart=/bin/true\n", CONFINEMENT_FULL_APIVFS,
                                          &no_facts);
        assert_line(out, "NoNewPrivileges", "yes");
        assert_line(out, "ProtectClock", "yes");
        assert_line(out, "ProtectHostname", "yes");
        assert_line(out, "ProtectKernelLogs", "yes");
        assert_line(out, "RestrictSUIDSGID", "yes");
        assert_line(out, "LockPersonality", "yes");
        assert_line(out, "RestrictRealtime", "yes");
        assert_line(out, "RestrictNamespaces", "yes");
        assert_line(out, "SystemCallArchitectures", "native");
        assert_line(out, "MemoryDenyWriteExecute", "yes");
        assert_line(out, "ProtectProc", "invisible");
        assert_line(out, "ProcSubset", "pid");
        assert_line(out, "RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6");
        assert_line(out, "SystemCallFilter", "@system-service");
        assert_line(out, "SystemCallErrorNumber", "EPERM");
        assert_line(out, "CapabilityBoundingSet", "");
}
END_TEST

START_TEST(root_unit_keeps_what_dropping_privileges_needs) {
        _cleanup_free_ char *out = render("[Service]\nExecStart=/bin/true\n", CONFINEMENT_FULL_APIVFS, &no_facts);
        assert_line(out, "SystemCallFilter", "@system-service chroot");
        _cleanup_free_ char *caps = line_of(out, "CapabilityBoundingSet");
        ck_assert_ptr_nonnull(caps);
        ck_assert_msg(caps[0] == '~', "%s", caps);
        ck_assert_ptr_nonnull(strstr(caps, "CAP_SYS_ADMIN"));
        ck_assert_ptr_nonnull(strstr(caps, "CAP_NET_RAW"));
        ck_assert_ptr_nonnull(strstr(caps, "CAP_NET_ADMIN"));
        /* what root daemons of the suite use: bind a low port, switch user, chroot */
        ck_assert_ptr_null(strstr(caps, "CAP_NET_BIND_SERVICE"));
        ck_assert_ptr_null(strstr(caps, "CAP_SETUID"));
        ck_assert_ptr_null(strstr(caps, "CAP_SYS_CHROOT"));
}
END_TEST

START_TEST(user_that_may_be_root_counts_as_root) {
        const char *units[] = {
                "[Service]\nUser=root\n", "[Service]\nUser=0\n", "[Service]\nUser=%u\n",
                "[Service]\nUser=nobody\nExecStartPre=!/bin/chown nobody /x\nExecStart=/bin/true\n",
                "[Service]\nUser=nobody\nExecStart=-!!/bin/true\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                _cleanup_free_ char *out = render(units[i], CONFINEMENT_FULL_APIVFS, &no_facts);
                _cleanup_free_ char *caps = line_of(out, "CapabilityBoundingSet");
                ck_assert_msg(caps && caps[0] == '~', "%s gave %s", units[i], caps);
        }
}
END_TEST

START_TEST(dynamic_user_with_ambient_capabilities_keeps_exactly_those) {
        _cleanup_free_ char *out = render("[Service]\nDynamicUser=yes\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n"
                                          "AmbientCapabilities=CAP_NET_RAW\n", CONFINEMENT_FULL_APIVFS, &no_facts);
        assert_line(out, "CapabilityBoundingSet", "CAP_NET_BIND_SERVICE CAP_NET_RAW");
        assert_line(out, "SystemCallFilter", "@system-service");
}
END_TEST

START_TEST(units_own_value_is_kept_even_a_weaker_one) {
        _cleanup_free_ char *out = render("[Service]\nUser=nobody\nProtectClock=no\nProtectProc=default\n"
                                          "SystemCallFilter=@system-service @privileged\n"
                                          "RestrictAddressFamilies=AF_UNIX AF_NETLINK\nNoNewPrivileges=false\n",
                                          CONFINEMENT_FULL_APIVFS, &no_facts);
        assert_no_line(out, "ProtectClock");
        assert_no_line(out, "ProtectProc");
        assert_no_line(out, "SystemCallFilter");
        assert_no_line(out, "SystemCallErrorNumber"); /* it would change how the unit's own filter fails */
        assert_no_line(out, "RestrictAddressFamilies");
        assert_no_line(out, "NoNewPrivileges");
        assert_line(out, "ProtectHostname", "yes");
}
END_TEST

START_TEST(empty_assignment_counts_as_unset) {
        _cleanup_free_ char *out = render("[Service]\nUser=nobody\nProtectClock=no\nProtectClock=\n"
                                          "SystemCallFilter=@mount\nSystemCallFilter=\n",
                                          CONFINEMENT_FULL_APIVFS, &no_facts);
        assert_line(out, "ProtectClock", "yes");
        assert_line(out, "SystemCallFilter", "@system-service");
}
END_TEST

START_TEST(unparseable_assignment_is_ignored_and_the_one_before_counts) {
        _cleanup_free_ char *out = render("[Service]\nUser=nobody\nProtectHostname=no\nProtectHostname=maybe\n"
                                          "ProtectProc=invisible-ish\nProcSubset=yes\n",
                                          CONFINEMENT_FULL_APIVFS, &no_facts);
        assert_no_line(out, "ProtectHostname");
        assert_line(out, "ProtectProc", "invisible");
        assert_line(out, "ProcSubset", "pid");
}
END_TEST

/* An empty CapabilityBoundingSet= means no capabilities, and later
 * assignments are OR-ed: any assignment of the unit's stands. */
START_TEST(any_capability_bounding_set_assignment_is_the_units) {
        _cleanup_free_ char *out = render("[Service]\nCapabilityBoundingSet=\n", CONFINEMENT_FULL_APIVFS, &no_facts);
        assert_no_line(out, "CapabilityBoundingSet");
}
END_TEST

START_TEST(setuid_program_in_closure_keeps_new_privileges_and_root_capabilities) {
        const HardenFacts facts = { .setuid = true };
        _cleanup_free_ char *out = render("[Service]\nUser=nobody\n", CONFINEMENT_FULL_APIVFS, &facts);
        assert_no_line(out, "NoNewPrivileges");
        _cleanup_free_ char *caps = line_of(out, "CapabilityBoundingSet");
        ck_assert_msg(caps && caps[0] == '~', "%s", caps);
        assert_line(out, "RestrictSUIDSGID", "yes"); /* running one is fine, making one is not */
}
END_TEST

START_TEST(jit_runtime_in_closure_keeps_writable_executable_memory_and_full_proc) {
        const HardenFacts facts = { .jit = true };
        _cleanup_free_ char *out = render("[Service]\nUser=nobody\n", CONFINEMENT_FULL_APIVFS, &facts);
        assert_no_line(out, "MemoryDenyWriteExecute");
        assert_no_line(out, "ProcSubset");
        assert_line(out, "ProtectProc", "invisible");
}
END_TEST

START_TEST(interface_lister_in_closure_allows_netlink_but_not_net_admin) {
        const HardenFacts facts = { .netlink = true };
        _cleanup_free_ char *out = render("[Service]\n", CONFINEMENT_FULL_APIVFS, &facts);
        assert_line(out, "RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6 AF_NETLINK");
        _cleanup_free_ char *caps = line_of(out, "CapabilityBoundingSet");
        ck_assert_ptr_nonnull(strstr(caps, "CAP_NET_ADMIN"));
}
END_TEST

START_TEST(netlink_library_in_closure_allows_netlink_and_net_admin) {
        const HardenFacts facts = { .netlink = true, .net_admin = true };
        _cleanup_free_ char *out = render("[Service]\n", CONFINEMENT_FULL_APIVFS, &facts);
        assert_line(out, "RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6 AF_NETLINK");
        _cleanup_free_ char *caps = line_of(out, "CapabilityBoundingSet");
        ck_assert_ptr_null(strstr(caps, "CAP_NET_ADMIN"));
}
END_TEST

START_TEST(chroot_only_has_no_proc_to_protect_nor_its_hostname_file) {
        _cleanup_free_ char *out = render("[Service]\nUser=nobody\n", CONFINEMENT_CHROOT_ONLY, &no_facts);
        assert_no_line(out, "ProtectProc");
        assert_no_line(out, "ProcSubset");
        assert_no_line(out, "ProtectHostname"); /* 226/NAMESPACE without /proc/sys/kernel/hostname */
        assert_line(out, "ProtectClock", "yes");
}
END_TEST

/* A unit whose closure is the given (dest, source) binds; returns its facts. */
static HardenFacts facts_of(const char *const *binds) {
        UnitConfinement uc = {};
        HardenFacts facts;
        ck_assert_int_eq(closure_new(NULL, NULL, &uc.closure), 0);
        for (size_t i = 0; binds[i]; i += 2)
                ck_assert_int_ge(path_set_add(closure_binds(uc.closure), binds[i], binds[i + 1], NULL, "test"), 0);
        ck_assert_int_eq(harden_facts(&uc, &facts), 0);
        uc.closure = closure_free(uc.closure);
        return facts;
}

START_TEST(facts_find_setuid_jit_and_netlink_files_also_inside_bound_directories) {
        _cleanup_free_ char *dir = tu_mkdtemp();
        _cleanup_free_ char *plain = tu_write(dir, "bin/plain", "#!/bin/sh\n");
        _cleanup_free_ char *suid = tu_write(dir, "pkg/sub/helper", "x");
        _cleanup_free_ char *pkg = NULL, *jvm = tu_write(dir, "jvm/libjvm.so", "x");
        _cleanup_free_ char *mnl = tu_write(dir, "lib/libmnl.so.0.2.0", "x");
        _cleanup_free_ char *pcre_user = tu_write(dir, "bin/uses-pcre", "\177ELF....pcre2_jit_compile_8...");
        _cleanup_free_ char *pcre_lib = tu_write(dir, "lib/libpcre2-8.so.0", "\177ELF....pcre2_jit_compile_8...");
        _cleanup_free_ char *lister = tu_write(dir, "bin/lister", "\177ELF....getifaddrs...");
        _cleanup_free_ char *libc = tu_write(dir, "lib/libc.so.6", "\177ELF....getifaddrs...");
        _cleanup_free_ char *text = tu_write(dir, "share/doc.txt", "see getifaddrs(3) and pcre2_jit_compile");
        ck_assert_int_ge(asprintf(&pkg, "%s/pkg", dir), 0);
        ck_assert_int_eq(chmod(suid, 04755), 0);

        HardenFacts f = facts_of((const char *[]) { "/bin/plain", plain, NULL });
        ck_assert(!f.setuid && !f.jit && !f.netlink);
        f = facts_of((const char *[]) { "/pkg", pkg, NULL });
        ck_assert(f.setuid);
        f = facts_of((const char *[]) { "/usr/lib/jvm/server/libjvm.so", jvm, NULL });
        ck_assert(f.jit);
        f = facts_of((const char *[]) { "/lib/libmnl.so.0", mnl, NULL });
        ck_assert(f.netlink && f.net_admin);
        f = facts_of((const char *[]) { "/usr/sbin/lister", lister, NULL });
        ck_assert(f.netlink && !f.net_admin);
        f = facts_of((const char *[]) { "/lib/libc.so.6", libc, "/doc.txt", text, NULL });
        ck_assert_msg(!f.netlink && !f.jit, "libc defines them; a text file is no ELF");
        f = facts_of((const char *[]) { "/lib/libpcre2-8.so.0", pcre_lib, NULL });
        ck_assert_msg(!f.jit, "the PCRE library alone is no JIT user");
        f = facts_of((const char *[]) { "/usr/sbin/uses-pcre", pcre_user, NULL });
        ck_assert(f.jit);
        tu_rm_rf(dir);
}
END_TEST

int main(void) {
        Suite *s = suite_create("harden");
        TCase *tc = tcase_create("decisions");
        tcase_add_test(tc, unprivileged_unit_gets_every_setting_and_an_empty_bounding_set);
        tcase_add_test(tc, root_unit_keeps_what_dropping_privileges_needs);
        tcase_add_test(tc, user_that_may_be_root_counts_as_root);
        tcase_add_test(tc, dynamic_user_with_ambient_capabilities_keeps_exactly_those);
        tcase_add_test(tc, setuid_program_in_closure_keeps_new_privileges_and_root_capabilities);
        tcase_add_test(tc, jit_runtime_in_closure_keeps_writable_executable_memory_and_full_proc);
        tcase_add_test(tc, interface_lister_in_closure_allows_netlink_but_not_net_admin);
        tcase_add_test(tc, netlink_library_in_closure_allows_netlink_and_net_admin);
        tcase_add_test(tc, chroot_only_has_no_proc_to_protect_nor_its_hostname_file);
        suite_add_tcase(s, tc);
        tc = tcase_create("unset");
        tcase_add_test(tc, units_own_value_is_kept_even_a_weaker_one);
        tcase_add_test(tc, empty_assignment_counts_as_unset);
        tcase_add_test(tc, unparseable_assignment_is_ignored_and_the_one_before_counts);
        tcase_add_test(tc, any_capability_bounding_set_assignment_is_the_units);
        suite_add_tcase(s, tc);
        tc = tcase_create("facts");
        tcase_add_test(tc, facts_find_setuid_jit_and_netlink_files_also_inside_bound_directories);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
