/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "read-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "string-util.h"

static int open_checked(const char *path, ReadFileFlags flags, struct stat *st) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

        if (fd < 0 || fstat(fd, st) < 0)
                return -errno;
        if (S_ISDIR(st->st_mode))
                return -EISDIR;
        if (S_ISFIFO(st->st_mode) || S_ISSOCK(st->st_mode) || ((flags & READ_FILE_REGULAR) && !S_ISREG(st->st_mode)))
                return -EBADFD;
        return TAKE_FD(fd);
}

int read_file_open(const char *path, ReadFileFlags flags, FILE **ret) {
        struct stat st;
        _cleanup_close_ int fd = open_checked(path, flags, &st);
        if (fd < 0)
                return fd;
        FILE *f = fdopen(fd, "re");
        if (!f)
                return -errno;
        TAKE_FD(fd); /* owned by f now */
        *ret = f;
        return 0;
}

/* Reads fd to its end into b, at most max_size bytes. Straight read()s into a buffer
 * sized by st_size, so a file takes one read(): a stdio
 * stream costs an fcntl() and a second fstat() per file, and every unit file of a run
 * comes through here. */
static int read_all(int fd, const struct stat *st, size_t max_size, Buffer *b) {
        size_t chunk = S_ISREG(st->st_mode) && st->st_size > 0 ? (size_t) st->st_size + 1 : 4096;
        if (chunk - 1 > max_size)
                chunk = max_size + 1; /* no allocation beyond the limit, whatever st_size says */
        for (;;) {
                if (b->cap - b->len <= 1) {
                        int r = buffer_reserve(b, chunk);
                        if (r < 0)
                                return r;
                        chunk *= 2; /* grown, or not regular: double */
                }
                size_t avail = b->cap - b->len - 1, room = max_size - b->len;
                if (avail > room)
                        avail = room + 1; /* one byte more than allowed tells E2BIG */
                ssize_t k = read(fd, b->data + b->len, avail);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return 0;
                b->len += (size_t) k;
                b->data[b->len] = 0;
                if (b->len > max_size)
                        return -E2BIG;
                /* A regular file read short at exactly the size fstat() gave is at its end:
                 * no read() only to see 0 (one per unit file). Not a file of /proc (size
                 * 0) or /sys (size 4096), which are read a page at a time until 0. */
                if (S_ISREG(st->st_mode) && st->st_size > 0 && b->len == (size_t) st->st_size && (size_t) k < avail)
                        return 0;
        }
}

int read_full_file(const char *path, ReadFileFlags flags, size_t max_size, char **ret, size_t *ret_size) {
        struct stat st;
        _cleanup_close_ int fd = open_checked(path, flags, &st);
        Buffer b = {};
        int r = fd < 0 ? fd : read_all(fd, &st, max_size, &b);

        if (r >= 0 && !b.data)
                r = buffer_append(&b, "", 0);
        if (r < 0) {
                free(b.data);
                return r;
        }
        if (ret_size)
                *ret_size = b.len;
        *ret = b.data;
        return 0;
}

int read_file_head(const char *path, void *buf, size_t size, size_t *ret_n) {
        struct stat st;
        _cleanup_close_ int fd = open_checked(path, 0, &st);
        size_t n = 0;

        if (fd < 0)
                return fd;
        while (n < size) {
                ssize_t k = read(fd, (char *) buf + n, size - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += k;
        }
        *ret_n = n;
        return 0;
}
