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

/* systemd's load_env_file(): KEY=VALUE lines with shell-like quotes and escapes, # or ; comments at
 * line start, "\" continuing a line; a later key replaces an earlier one. Invalid UTF-8 fails the
 * whole file (-EINVAL), as in systemd. Entries with invalid names (e.g. "export A=b") are kept
 * here; unit_environment() drops them as systemd does. */
int env_file_parse(const char *data, size_t size, char ***ret);
int env_file_load(const char *path, char ***ret);

/* systemd's env_assignment_is_valid() and env_name_is_valid(). */
bool env_assignment_is_valid(const char *e);
bool env_name_is_valid(const char *e);

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
