/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Profiles=: named sets of run-time files that a class of service needs and
 * that no ELF header names (glibc opens them by path or dlopen()s them),
 * resolved on the host when the generator runs. Each path keeps its symlink
 * chain: the final target is bound at the path the service opens.
 *
 *   dns       /etc/resolv.conf, nsswitch.conf, hosts, gai.conf, host.conf, and
 *             the NSS modules nsswitch.conf names for "hosts", with their closures
 *   tls       the trust store as Debian lays it out: /etc/ssl/certs (links into
 *             /usr/share/ca-certificates and /usr/local/share/ca-certificates),
 *             /etc/ssl/openssl.cnf, /usr/lib/ssl's links, $SSL_CERT_FILE/_DIR
 *   timezone  /etc/localtime, /etc/timezone, /usr/share/zoneinfo
 *   locale    the locales that LANG, LC_* and LANGUAGE of the unit name (or
 *             /etc/locale.conf, which PID 1 passes on), from the locale archive
 *             or /usr/lib/locale/NAME, and their message catalogs
 *   users     /etc/passwd, /etc/group, nsswitch.conf and the NSS modules it
 *             names for "passwd" and "group"; never /etc/shadow
 *   gconv     glibc's gconv modules with gconv-modules(.cache) and closures
 *
 * A file of a profile that the host lacks is skipped with a debug line: a
 * profile says what a service may use, not what must exist. A file that is
 * there but cannot be used (a symlink loop, an NSS module whose libraries are
 * missing) fails the unit closed like any other closure failure. */

#include "closure.h"

/* Adds the files of every profile named (names as validated by
 * confinement-config). env is the unit's environment. Returns 0 or the
 * closure's error (recorded in c). */
int profiles_add(Closure *c, char * const *profiles, char * const *env);

/* The NSS services nsswitch.conf lists for database db ("hosts", "passwd"),
 * in order, without [action] items. Missing file or database: empty list. */
int profiles_nss_services(const char *nsswitch_conf, const char *db, char ***ret);
