/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "closure.h"
#include "macro.h"
#include "path-set.h"
#include "profiles.h"
#include "strv.h"
#include "test-util.h"

/* The closure of the named profiles (space-separated) for a unit environment. */
static int run_profiles(Closure **c, const char *profiles, char **env) {
        _cleanup_strv_free_ char **l = NULL;
        char *empty[] = { NULL };
        ck_assert_int_eq(strv_split(profiles, " ", &l), 0);
        ck_assert_int_eq(closure_new(env ?: empty, NULL, c), 0);
        return profiles_add(*c, l, env ?: empty);
}

/* dest is bound, from the file it resolves to on the host. */
static void assert_bound_as_host(Closure *c, const char *dest) {
        char real[PATH_MAX];
        const PathEntry *e = path_set_get(closure_binds(c), dest);
        ck_assert_msg(e, "%s is not bound", dest);
        ck_assert_ptr_nonnull(realpath(dest, real));
        ck_assert_str_eq(e->source, real);
}

/* Visible inside: bound itself, or below a bound dir whose source holds it. */
static bool visible(Closure *c, const char *path) {
        char real[PATH_MAX];
        if (!realpath(path, real))
                return false;
        for (const PathEntry **e = path_set_sorted(closure_binds(c)); e && *e; e++) {
                size_t n = strlen((*e)->source);
                if (streq((*e)->source, real) || (strncmp(real, (*e)->source, n) == 0 && real[n] == '/'))
                        return true;
        }
        return false;
}

/* Every file ldd lists for a library is bound at the path ld.so opens. */
static void assert_ldd_closure_bound(Closure *c, const char *library) {
        _cleanup_free_ char *d = tu_mkdtemp(), *out = NULL, *line = NULL;
        size_t size = 0;
        ck_assert_int_ge(asprintf(&out, "%s/ldd", d), 0);
        tu_sh("ldd '%s' | sed -n 's/^.*=> \\(\\/[^ ]*\\) (0x[0-9a-f]*)$/\\1/p' > '%s'", library, out);
        _cleanup_fclose_ FILE *f = fopen(out, "re");
        while (getline(&line, &size, f) > 0) {
                line[strcspn(line, "\n")] = 0;
                ck_assert_msg(path_set_contains(closure_binds(c), line), "%s, needed by %s, not bound", line, library);
        }
        tu_rm_rf(d);
}

/* A private mount namespace (Check runs each test in its own process), so a
 * test may lay out its own /etc or /usr/lib/locale as a tmpfs. */
static void private_tmpfs(const char *where) {
        static bool unshared;
        /* Without a process per test the mounts would hide the host's own. */
        ck_assert_msg(!streq_ptr(getenv("CK_FORK"), "no"), "needs CK_FORK=yes");
        if (!unshared) {
                ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
                ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
                unshared = true;
        }
        ck_assert_int_eq(mount("tmpfs", where, "tmpfs", 0, "mode=0755"), 0);
}

START_TEST(nsswitch_services_are_listed_without_actions) {
        _cleanup_free_ char *d = tu_mkdtemp();
        _cleanup_free_ char *f = tu_write(d, "nsswitch.conf",
                                          "# hosts: commented out\n"
                                          "passwd:  files systemd\n"
                                          "hosts:   files [NOTFOUND=return] mymachines [ !UNAVAIL = return ] resolve dns # trailing\n"
                                          "hosts:   myhostname files\n"
                                          "  group:\tcompat\n"
                                          "shadow: ../../evil/path files\n");
        _cleanup_strv_free_ char **hosts = NULL, **group = NULL, **shadow = NULL, **none = NULL;
        ck_assert_int_eq(profiles_nss_services(f, "hosts", &hosts), 0);
        _cleanup_free_ char *j = strv_join(hosts, " ");
        ck_assert_str_eq(j, "files mymachines resolve dns myhostname");
        ck_assert_int_eq(profiles_nss_services(f, "group", &group), 0);
        ck_assert_str_eq(group[0], "compat");
        /* A name that could leave the library dirs is no service name. */
        ck_assert_int_eq(profiles_nss_services(f, "shadow", &shadow), 0);
        ck_assert_uint_eq(strv_length(shadow), 1);
        ck_assert_int_eq(profiles_nss_services(f, "netgroup", &none), 0);
        ck_assert_ptr_null(none);
        ck_assert_int_eq(profiles_nss_services("/nonexistent/nsswitch.conf", "hosts", &none), 0);
        ck_assert_ptr_null(none);
        /* a FIFO is refused at once: waiting for a writer would block the boot */
        _cleanup_free_ char *fifo = NULL;
        ck_assert_int_ge(asprintf(&fifo, "%s/fifo.conf", d), 0);
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        ck_assert_int_eq(profiles_nss_services(fifo, "hosts", &none), -EBADFD);
        tu_rm_rf(d);
}
END_TEST

START_TEST(dns_binds_resolver_files_and_the_hosts_nss_modules_with_their_closures) {
        Closure *c = NULL;
        _cleanup_strv_free_ char **services = NULL;
        ck_assert_int_eq(run_profiles(&c, "dns", NULL), 0);
        ck_assert_ptr_null(closure_error(c));
        const char *files[] = { "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/hosts", "/etc/gai.conf", "/etc/host.conf" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (access(files[i], F_OK) >= 0)
                        assert_bound_as_host(c, files[i]);
        ck_assert_int_eq(profiles_nss_services("/etc/nsswitch.conf", "hosts", &services), 0);
        _cleanup_free_ char *libdir = tu_system_lib_dir(); /* where the cache leads ld.so */
        STRV_FOREACH(s, services) {
                _cleanup_free_ char *lib = NULL;
                if (streq(*s, "files") || streq(*s, "dns"))
                        continue; /* built into glibc's libc.so.6 */
                ck_assert_int_ge(asprintf(&lib, "%s/libnss_%s.so.2", libdir, *s), 0);
                if (access(lib, F_OK) < 0)
                        continue;
                assert_bound_as_host(c, lib);
                assert_ldd_closure_bound(c, lib);
        }
        /* Nothing of the users profile. */
        ck_assert(!path_set_contains(closure_binds(c), "/etc/passwd"));
        c = closure_free(c);
}
END_TEST

START_TEST(missing_optional_files_are_skipped_and_unknown_modules_too) {
        private_tmpfs("/etc");
        _cleanup_free_ char *n = tu_write("/etc", "nsswitch.conf",
                                          "hosts: files nosuchmodule mymachines dns\npasswd: compat\ngroup: files\n");
        free(tu_write("/etc", "hosts", "127.0.0.1 localhost\n"));
        /* systemd-resolved's stub appears only when it runs: not at boot. */
        free(tu_symlink("/run/nonexistent-resolved/stub-resolv.conf", "/etc", "resolv.conf"));
        free(tu_symlink("/usr/share/zoneinfo/No/Such_Zone", "/etc", "localtime"));
        Closure *c = NULL;
        ck_assert_int_eq(run_profiles(&c, "dns users timezone", NULL), 0);
        ck_assert_ptr_null(closure_error(c));
        ck_assert(!path_set_contains(closure_binds(c), "/etc/resolv.conf"));
        ck_assert(!path_set_contains(closure_binds(c), "/etc/localtime"));
        ck_assert(!path_set_contains(closure_binds(c), "/etc/passwd"));
        assert_bound_as_host(c, "/etc/hosts");
        assert_bound_as_host(c, "/etc/nsswitch.conf");
        /* Without /etc/ld.so.cache the default dirs find the modules. */
        ck_assert(!path_set_contains(closure_binds(c), "/etc/ld.so.cache"));
        assert_bound_as_host(c, "/lib/x86_64-linux-gnu/libnss_mymachines.so.2");
        assert_bound_as_host(c, "/lib/x86_64-linux-gnu/libnss_compat.so.2");
        ck_assert(!path_set_contains(closure_binds(c), "/lib/x86_64-linux-gnu/libnss_nosuchmodule.so.2"));
        ck_assert(!path_set_contains(closure_binds(c), "/lib/x86_64-linux-gnu/libnss_files.so.2"));
        c = closure_free(c);
}
END_TEST

START_TEST(a_profile_file_that_is_a_symlink_loop_fails_closed) {
        private_tmpfs("/etc");
        free(tu_symlink("/etc/hosts", "/etc", "hosts"));
        Closure *c = NULL;
        ck_assert_int_eq(run_profiles(&c, "dns", NULL), -ELOOP);
        ck_assert_str_eq(closure_error_slug(c), "symlink-loop");
        ck_assert_ptr_nonnull(strstr(closure_error(c), "/etc/hosts"));
        c = closure_free(c);
}
END_TEST

START_TEST(tls_binds_the_trust_store_with_every_link_visible_but_no_private_keys) {
        if (access("/etc/ssl/certs/ca-certificates.crt", F_OK) < 0)
                return; /* no ca-certificates on this host */
        Closure *c = NULL;
        ck_assert_int_eq(run_profiles(&c, "tls", NULL), 0);
        ck_assert_ptr_null(closure_error(c));
        assert_bound_as_host(c, "/etc/ssl/certs");
        assert_bound_as_host(c, "/usr/share/ca-certificates");
        ck_assert(visible(c, "/etc/ssl/certs/ca-certificates.crt"));
        /* Every link of the store leads to a file that is inside too. */
        _cleanup_closedir_ DIR *d = opendir("/etc/ssl/certs");
        size_t links = 0;
        for (struct dirent *de; (de = readdir(d));) {
                _cleanup_free_ char *p = NULL;
                if (de->d_type != DT_LNK)
                        continue;
                ck_assert_int_ge(asprintf(&p, "/etc/ssl/certs/%s", de->d_name), 0);
                ck_assert_msg(visible(c, p), "%s leads outside the root", p);
                links++;
        }
        ck_assert_uint_gt(links, 0);
        /* A handful of binds, not one per certificate. */
        ck_assert_uint_lt(path_set_size(closure_binds(c)), 20);
        if (access("/usr/lib/ssl/certs", F_OK) >= 0)
                assert_bound_as_host(c, "/usr/lib/ssl/certs");
        ck_assert(!path_set_contains(closure_binds(c), "/usr/lib/ssl/private"));
        ck_assert(!visible(c, "/etc/ssl/private"));
        c = closure_free(c);
}
END_TEST

START_TEST(tls_adds_the_units_own_cert_file_and_dir) {
        _cleanup_free_ char *d = tu_mkdtemp(), *ca = tu_write(d, "ca/my.pem", "x\n"), *env_file = NULL, *env_dir = NULL;
        ck_assert_int_ge(asprintf(&env_file, "SSL_CERT_FILE=%s", ca), 0);
        ck_assert_int_ge(asprintf(&env_dir, "SSL_CERT_DIR=%s/ca:/nonexistent", d), 0);
        char *env[] = { env_file, env_dir, NULL };
        Closure *c = NULL;
        ck_assert_int_eq(run_profiles(&c, "tls", env), 0);
        ck_assert(visible(c, ca));
        c = closure_free(c);
        tu_rm_rf(d);
}
END_TEST

START_TEST(timezone_binds_localtime_chain_and_the_zone_database) {
        _cleanup_free_ char *d = tu_mkdtemp(), *zone = tu_write(d, "myzone", "TZif\n"), *tz = NULL;
        ck_assert_int_ge(asprintf(&tz, "TZ=:%s", zone), 0);
        char *env[] = { tz, NULL };
        Closure *c = NULL;
        ck_assert_int_eq(run_profiles(&c, "timezone", env), 0);
        ck_assert_ptr_null(closure_error(c));
        if (access("/etc/localtime", F_OK) >= 0)
                assert_bound_as_host(c, "/etc/localtime"); /* a link: bound from the zone file */
        assert_bound_as_host(c, "/usr/share/zoneinfo");
        assert_bound_as_host(c, zone);
        c = closure_free(c);
        tu_rm_rf(d);
}
END_TEST

START_TEST(locale_binds_the_units_locales_normalized_and_their_messages) {
        private_tmpfs("/usr/lib/locale");
        tu_mkdir_p("/usr/lib/locale/de_DE.utf8/LC_MESSAGES");
        tu_mkdir_p("/usr/lib/locale/fr_FR.iso88591");
        tu_mkdir_p("/usr/lib/locale/C.utf8");
        free(tu_write("/usr/lib/locale", "locale-archive", "archive\n"));
        char *env[] = { (char *) "LANG=de_DE.UTF-8", (char *) "LC_TIME=fr_FR.8859-1", (char *) "LANGUAGE=pt_BR:es",
                        NULL };
        Closure *c = NULL;
        ck_assert_int_eq(run_profiles(&c, "locale", env), 0);
        ck_assert_ptr_null(closure_error(c));
        assert_bound_as_host(c, "/usr/lib/locale/locale-archive");
        assert_bound_as_host(c, "/usr/lib/locale/de_DE.utf8");
        assert_bound_as_host(c, "/usr/lib/locale/fr_FR.iso88591");
        ck_assert(!path_set_contains(closure_binds(c), "/usr/lib/locale/C.utf8"));
        /* Catalogs of LC_MESSAGES (from LANG) and of every $LANGUAGE entry that the host has. */
        const char *msgs[] = { "/usr/share/locale/de", "/usr/share/locale/pt_BR", "/usr/share/locale/es" };
        for (size_t i = 0; i < ELEMENTSOF(msgs); i++)
                if (access(msgs[i], F_OK) >= 0)
                        assert_bound_as_host(c, msgs[i]);
        if (access("/usr/share/locale/fr", F_OK) >= 0) /* LC_TIME is no message locale */
                ck_assert(!path_set_contains(closure_binds(c), "/usr/share/locale/fr"));
        c = closure_free(c);

        /* C.UTF-8: its compiled locale, and no catalogs. */
        char *c_env[] = { (char *) "LANG=C.UTF-8", NULL };
        ck_assert_int_eq(run_profiles(&c, "locale", c_env), 0);
        assert_bound_as_host(c, "/usr/lib/locale/C.utf8");
        for (const PathEntry **e = path_set_sorted(closure_binds(c)); e && *e; e++)
                ck_assert_msg(!startswith((*e)->dest, "/usr/share/locale/"), "%s bound for C.UTF-8", (*e)->dest);
        c = closure_free(c);
}
END_TEST

/* The system's locale files, replaced in this test's namespace by TEXT
 * (/etc/default/locale) and an empty /etc/locale.conf. */
static void system_locale(const char *text) {
        private_tmpfs("/etc/default");
        free(tu_write("/etc/default", "locale", text));
        if (access("/etc/locale.conf", F_OK) >= 0)
                ck_assert_int_eq(mount("/etc/default/locale", "/etc/locale.conf", NULL, MS_BIND, NULL), 0);
}

START_TEST(locale_binds_c_utf8_where_no_locale_is_set_as_systemd_defaults_to_it) {
        private_tmpfs("/usr/lib/locale");
        tu_mkdir_p("/usr/lib/locale/C.utf8/LC_MESSAGES");
        tu_mkdir_p("/usr/lib/locale/de_DE.utf8");
        system_locale("#  File generated by update-locale\n");
        Closure *c = NULL;
        /* Nothing set: PID 1 gives the service LANG=C.UTF-8. */
        ck_assert_int_eq(run_profiles(&c, "locale", NULL), 0);
        assert_bound_as_host(c, "/usr/lib/locale/C.utf8");
        c = closure_free(c);
        /* The unit sets only LC_TIME: LANG is still systemd's C.UTF-8. */
        char *time_env[] = { (char *) "LC_TIME=de_DE.UTF-8", NULL };
        ck_assert_int_eq(run_profiles(&c, "locale", time_env), 0);
        assert_bound_as_host(c, "/usr/lib/locale/C.utf8");
        assert_bound_as_host(c, "/usr/lib/locale/de_DE.utf8");
        c = closure_free(c);
}
END_TEST

START_TEST(locale_adds_no_c_utf8_where_the_system_sets_a_locale) {
        private_tmpfs("/usr/lib/locale");
        tu_mkdir_p("/usr/lib/locale/C.utf8");
        tu_mkdir_p("/usr/lib/locale/de_DE.utf8");
        system_locale("LANG=\"de_DE.UTF-8\"\n");
        Closure *c = NULL;
        ck_assert_int_eq(run_profiles(&c, "locale", NULL), 0);
        assert_bound_as_host(c, "/usr/lib/locale/de_DE.utf8");
        ck_assert(!path_set_contains(closure_binds(c), "/usr/lib/locale/C.utf8"));
        c = closure_free(c);
}
END_TEST

START_TEST(users_binds_passwd_and_group_with_their_modules_but_never_shadow) {
        Closure *c = NULL;
        _cleanup_strv_free_ char **services = NULL;
        ck_assert_int_eq(run_profiles(&c, "users", NULL), 0);
        ck_assert_ptr_null(closure_error(c));
        assert_bound_as_host(c, "/etc/passwd");
        assert_bound_as_host(c, "/etc/group");
        ck_assert(!path_set_contains(closure_binds(c), "/etc/shadow"));
        ck_assert(!path_set_contains(closure_binds(c), "/etc/gshadow"));
        ck_assert_int_eq(profiles_nss_services("/etc/nsswitch.conf", "passwd", &services), 0);
        _cleanup_free_ char *libdir = tu_system_lib_dir(); /* where the cache leads ld.so */
        STRV_FOREACH(s, services) {
                _cleanup_free_ char *lib = NULL;
                ck_assert_int_ge(asprintf(&lib, "%s/libnss_%s.so.2", libdir, *s), 0);
                if (streq(*s, "files") || access(lib, F_OK) < 0)
                        continue;
                assert_bound_as_host(c, lib);
                assert_ldd_closure_bound(c, lib);
        }
        c = closure_free(c);
}
END_TEST

START_TEST(gconv_binds_the_module_dir_with_the_modules_closures) {
        const char *dir = "/usr/lib/x86_64-linux-gnu/gconv";
        if (access(dir, F_OK) < 0)
                return;
        Closure *c = NULL;
        ck_assert_int_eq(run_profiles(&c, "gconv", NULL), 0);
        ck_assert_ptr_null(closure_error(c));
        assert_bound_as_host(c, dir);
        ck_assert(visible(c, "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules"));
        if (access("/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache", F_OK) >= 0)
                ck_assert(visible(c, "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache"));
        /* A module's libraries outside the dir: libc at the path ld.so opens. */
        _cleanup_free_ char *libdir = tu_system_lib_dir(), *libc = NULL;
        ck_assert_int_ge(asprintf(&libc, "%s/libc.so.6", libdir), 0);
        ck_assert(path_set_contains(closure_binds(c), libc));
        c = closure_free(c);
}
END_TEST

START_TEST(every_profile_together_on_this_host_succeeds) {
        char *env[] = { (char *) "LANG=C.UTF-8", NULL };
        Closure *c = NULL;
        ck_assert_int_eq(run_profiles(&c, "dns tls timezone locale users gconv", env), 0);
        ck_assert_ptr_null(closure_error(c));
        c = closure_free(c);
}
END_TEST

int main(void) {
        Suite *s = suite_create("profiles");
        TCase *tc = tcase_create("profiles");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, nsswitch_services_are_listed_without_actions);
        tcase_add_test(tc, dns_binds_resolver_files_and_the_hosts_nss_modules_with_their_closures);
        tcase_add_test(tc, missing_optional_files_are_skipped_and_unknown_modules_too);
        tcase_add_test(tc, a_profile_file_that_is_a_symlink_loop_fails_closed);
        tcase_add_test(tc, tls_binds_the_trust_store_with_every_link_visible_but_no_private_keys);
        tcase_add_test(tc, tls_adds_the_units_own_cert_file_and_dir);
        tcase_add_test(tc, timezone_binds_localtime_chain_and_the_zone_database);
        tcase_add_test(tc, locale_binds_the_units_locales_normalized_and_their_messages);
        tcase_add_test(tc, locale_binds_c_utf8_where_no_locale_is_set_as_systemd_defaults_to_it);
        tcase_add_test(tc, locale_adds_no_c_utf8_where_the_system_sets_a_locale);
        tcase_add_test(tc, users_binds_passwd_and_group_with_their_modules_but_never_shadow);
        tcase_add_test(tc, gconv_binds_the_module_dir_with_the_modules_closures);
        tcase_add_test(tc, every_profile_together_on_this_host_succeeds);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
