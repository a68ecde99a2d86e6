/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "read-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "string-util.h"

static int open_checked(const char *path, ReadFileFlags flags) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || ((flags & READ_FILE_REGULAR) && !S_ISREG(st.st_mode)))
                return -EBADFD;
        return TAKE_FD(fd);
}

int read_file_open(const char *path, ReadFileFlags flags, FILE **ret) {
        _cleanup_close_ int fd = open_checked(path, flags);
        if (fd < 0)
                return fd;
        FILE *f = fdopen(fd, "re");
        if (!f)
                return -errno;
        TAKE_FD(fd); /* owned by f now */
        *ret = f;
        return 0;
}

int read_full_file(const char *path, ReadFileFlags flags, size_t max_size, char **ret, size_t *ret_size) {
        _cleanup_fclose_ FILE *f = NULL;
        Buffer b = {};
        char chunk[65536];
        size_t n;
        int r = read_file_open(path, flags, &f);

        while (r >= 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
                r = b.len + n > max_size ? -E2BIG : buffer_append(&b, chunk, n);
        if (r >= 0 && ferror(f))
                r = errno > 0 ? -errno : -EIO;
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
        _cleanup_close_ int fd = open_checked(path, 0);
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
