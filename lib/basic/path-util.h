/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Lexical path helpers. Inside the confinement root every directory on the way
 * to a bound file is a plain directory that systemd created, never a symlink, so
 * the service resolves ".." lexically: these helpers compute the paths it sees. */

#include <stdbool.h>

/* Absolute path with "//", "/./" and "dir/.." folded lexically; NULL on -ENOMEM
 * (errno = EINVAL for a relative path). */
char *path_normalize(const char *path);
/* a + "/" + b, then normalised. */
char *path_join_normalize(const char *a, const char *b);
/* The directory part of an absolute path ("/" for "/x"). */
char *path_dirname(const char *path);
const char *path_basename(const char *path);
/* True when path equals prefix or lies below it (trailing slashes of prefix do not count). */
bool path_startswith_dir(const char *path, const char *prefix);
