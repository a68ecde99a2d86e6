/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Parses a "#!" line exactly as the Linux kernel's binfmt_script does: only the
 * first 256 bytes (BINPRM_BUF_SIZE) count; blanks are spaces and tabs; the
 * interpreter ends at a blank; the rest of the line, trimmed, is one optional
 * argument. */

#include <stddef.h>

#define SHEBANG_BUF_SIZE 256

/* Returns 0 with *ret_interp set and *ret_arg set or NULL (either pointer may be NULL),
 * -ENOEXEC when buf does not start with "#!" (not a script),
 * -EBADMSG when there is "#!" but no interpreter name (execve fails),
 * -ENAMETOOLONG when the 256-byte limit cuts the interpreter path (the kernel
 *  refuses to run a truncated path: execve fails with ENOEXEC), -ENOMEM. */
int shebang_parse(const char *buf, size_t size, char **ret_interp, char **ret_arg);

/* Reads the first SHEBANG_BUF_SIZE bytes of path and parses them; -errno on I/O errors. */
int shebang_read(const char *path, char **ret_interp, char **ret_arg);
