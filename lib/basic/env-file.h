/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Basic layer: systemd's env-file reader (basic/env-file.c), for EnvironmentFile= and for
 * os-release and machine-info (the specifiers). Uses env-util.h, string-util.h, strv.h. */

#include <stddef.h>

/* systemd's load_env_file(): KEY=VALUE lines with shell-like quotes and escapes, # or ; comments at
 * line start, "\" continuing a line; a later key replaces an earlier one. Invalid UTF-8 fails the
 * whole file (-EINVAL), as in systemd. Entries with invalid names (e.g. "export A=b") are kept
 * here; unit_environment() drops them as systemd does. */
int env_file_parse(const char *data, size_t size, char ***ret);
int env_file_load(const char *path, char ***ret);
