/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The environment systemd 252 gives a service's commands, as far as the unit decides it: the
 * manager's default PATH, ExecSearchPath= as PATH, Environment=, EnvironmentFile= (read now, with
 * systemd's env-file parser), UnsetEnvironment=; and where a bare executable name is looked up.
 * Not included: what the manager adds at run time (DefaultEnvironment= of system.conf, the locale,
 * $HOME/$USER for User=, INVOCATION_ID, ...). */

#include <stddef.h>

#include "specifier.h"
#include "unit-file.h"

/* systemd 252's DEFAULT_PATH as Debian builds it (split-usr). */
#define SYSTEMD_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The service's environment ([Service] settings of u). Words systemd skips with a warning (bad
 * assignment, unknown specifier) are skipped. Errors, with *ret_error: -EBADMSG for a specifier
 * that cannot be known at boot; the -errno of an EnvironmentFile= without "-" that cannot be read
 * (-ENOENT when missing). */
int unit_environment(const UnitText *u, const Specifiers *sp, char ***ret_env, char **ret_error);

/* Where systemd 252 looks up a bare executable name: the ExecSearchPath= entries if set (parsed as
 * systemd: ':'-separated, specifiers, absolute only), else SYSTEMD_DEFAULT_PATH split at ':'.
 * Not the unit's $PATH: systemd 252 ignores it for the executable (find_executable_full() with
 * use_path_envvar=false). env is accepted for interface stability and not consulted. */
int unit_exec_search_path(const UnitText *u, const Specifiers *sp, char * const *env, char ***ret);
