/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Basic layer: environment blocks as systemd's basic/env-util.c handles them. */

#include <stdbool.h>
#include <stddef.h>

/* sysconf(_SC_ARG_MAX), systemd's limit for one environment assignment. */
size_t env_arg_max(void);

/* systemd's env_assignment_is_valid() and env_name_is_valid(). */
bool env_assignment_is_valid(const char *e);
bool env_name_is_valid(const char *e);
/* "KEY=value" (taken over, NULL meaning out of memory) into *env, replacing an entry of the same
 * key, as systemd's strv_env_replace_consume(). */
int env_replace(char ***env, char *assignment);
