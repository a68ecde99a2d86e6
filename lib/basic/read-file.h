/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Basic layer: reading files of the host the way the generator must, whatever they turn out
 * to be. Every open is O_NONBLOCK (a FIFO put where a file is expected must not block the boot
 * for ever) and O_NOCTTY; a directory is -EISDIR, a FIFO or socket -EBADFD. Uses libc only. */

#include <stddef.h>
#include <stdio.h>

typedef enum ReadFileFlags {
        READ_FILE_REGULAR = 1 << 0, /* anything but a regular file is -EBADFD (/dev/zero too) */
} ReadFileFlags;

/* Opens path for reading, as a stream. */
int read_file_open(const char *path, ReadFileFlags flags, FILE **ret);

/* The whole file, NUL-terminated (*ret_size without the NUL; ret_size may be NULL). More than
 * max_size bytes is -E2BIG, as systemd's read_full_file() with READ_FULL_BYTES_MAX: a device
 * that never ends (/dev/zero) cannot feed the generator for ever. */
int read_full_file(const char *path, ReadFileFlags flags, size_t max_size, char **ret, size_t *ret_size);

/* Up to size bytes from the start of path into buf (a FIFO, socket or directory refused as
 * above), with the count in *ret_n. */
int read_file_head(const char *path, void *buf, size_t size, size_t *ret_n);
