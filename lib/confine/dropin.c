/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dropin.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "string-util.h"
#include "strv.h"
#include "unit-file.h"

#define DEFAULT_STEM "zz-confinement"
#define BLOCKED_PATH "/dev/null/blocked-by-systemd-confinement-generator"

/* Length of the valid UTF-8 sequence at s, or 0 (systemd rejects a unit file
 * line that is not valid UTF-8, and with it the rest of the file). */
static size_t utf8_sequence_length(const char *s) {
        if ((unsigned char) s[0] < 0x80) /* ASCII: most paths are nothing else */
                return s[0] ? 1 : 0;
        char buf[5] = {};
        size_t n = (unsigned char) s[0] >= 0xf0 ? 4 : (unsigned char) s[0] >= 0xe0 ? 3 : 2;
        if (strnlen(s, n) < n)
                return 0;
        memcpy(buf, s, n);
        return utf8_is_valid(buf) ? n : 0;
}

/* The ASCII bytes unit_escape_path() changes or refuses; every byte of a multi-byte
 * sequence is special too (checked there). */
#define PATH_SPECIAL_ASCII "\\: \t%\n\r\"'"

/* A path with none of them is written as it is. Every bound path asks: the whole path
 * checked for non-ASCII a word at a time, then strcspn() (SSE4.2 in glibc) for the rest,
 * instead of a table lookup per byte (6.3M instructions over the bench tree's 30,801
 * paths, 4.8M now). */
bool unit_path_is_plain(const char *path) {
        size_t n = strlen(path);
        return ascii_prefix((const unsigned char *) path, n) == n && strcspn(path, PATH_SPECIAL_ASCII) == n;
}

char *unit_escape_path(const char *path) {
        /* Each byte becomes at most two, plus the quotes. */
        _cleanup_free_ char *r = malloc(strlen(path) * 2 + 3);
        bool quote = strpbrk(path, " \t") != NULL; /* a trailing blank would be stripped */
        char *w = r;
        if (!r)
                return NULL;
        if (quote)
                *w++ = '"';
        for (const char *p = path; *p;) {
                /* ASCII, nearly every byte of a path: no decoding. */
                size_t n = (unsigned char) *p < 0x80 ? 1 : utf8_sequence_length(p);
                /* systemd 262 refuses a bind path holding a quote, escaped or
                 * not ("Failed to parse BindReadOnlyPaths=, ignoring"): the bind
                 * would be silently missing, so no supported version gets one. */
                char c = *p;
                if (n == 0 || c == '\n' || c == '\r' || c == '"' || c == '\'') {
                        errno = EINVAL;
                        return NULL;
                }
                if (c == '%')
                        *w++ = '%';
                else if (c == '\\' || c == ':' || (!quote && (c == ' ' || c == '\t')))
                        *w++ = '\\';
                if (n == 1)
                        *w++ = c;
                else
                        w = mempcpy(w, p, n);
                p += n;
        }
        if (quote)
                *w++ = '"';
        *w = 0;
        return TAKE_PTR(r);
}

char *unit_escape_text(const char *text) {
        _cleanup_free_ char *r = malloc(strlen(text) * 2 + 1);
        char *w = r;
        if (!r)
                return NULL;
        for (const char *p = text; *p;) {
                size_t n = utf8_sequence_length(p);
                if (n == 0) {
                        /* Not UTF-8: systemd would drop the line and all after it. */
                        *w++ = '?';
                        p++;
                        continue;
                }
                if (*p == '%')
                        *w++ = '%';
                /* One line per setting: a newline would end the value early. */
                if (n == 1 && (*p == '\n' || *p == '\r' || *p == '\\'))
                        *w++ = ' ';
                else
                        w = mempcpy(w, p, n);
                p += n;
        }
        *w = 0;
        return TAKE_PTR(r);
}

char *dropin_name_stem(char * const *dropin_paths) {
        const char *last = NULL;
        STRV_FOREACH(p, dropin_paths) {
                const char *base = strrchr(*p, '/');
                base = base ? base + 1 : *p;
                if (!last || strcmp(base, last) > 0)
                        last = base;
        }
        if (!last || strcmp(DEFAULT_STEM, last) > 0)
                return strdup(DEFAULT_STEM);

        /* Another file sorts at or after ours: keep its stem and add "~", which
         * sorts after the "." of its ".conf", so stem + anything sorts after it. */
        char *stem;
        size_t n = strlen(last);
        if (endswith(last, ".conf"))
                n -= strlen(".conf");
        if (n + 1 + strlen(DEFAULT_STEM) > DROPIN_STEM_MAX) {
                /* A long name: cut it where a "~" sorts after it instead, so that ours stays
                 * short enough for NAME_MAX with any suffix (a 240-character drop-in once made
                 * the generator's name too long to write, and the unit ran unconfined). */
                n = 0;
                while (last[n] && (unsigned char) last[n] >= '~')
                        n++;
                if (!last[n] || n + 1 + strlen(DEFAULT_STEM) > DROPIN_STEM_MAX) {
                        errno = ENAMETOOLONG;
                        return NULL;
                }
        }
        if (asprintf(&stem, "%.*s~" DEFAULT_STEM, (int) n, last) < 0)
                return NULL;
        return stem;
}

static int write_all(int fd, const char *s) {
        size_t n = strlen(s);
        while (n > 0) {
                ssize_t k = write(fd, s, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                s += k;
                n -= (size_t) k;
        }
        return 0;
}

int output_dir_open(OutputDir *d, const char *path) {
        *d = (OutputDir) { .path = path, .fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC) };
        if (d->fd < 0)
                d->fd = -errno;
        return d->fd < 0 ? d->fd : 0;
}

void output_dir_close(OutputDir *d) {
        if (d->fd >= 0)
                (void) close(d->fd);
        d->fd = -EBADF;
}

static int mkdir_unit_dir(const OutputDir *dir, const char *d) {
        if (mkdirat(dir->fd, d, 0755) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* The bits of 0644 that the process umask takes away, asked once: files are made
 * with mode 0644 and fchmod()ed only when the umask took some away (as mkstemp()'s
 * 0600 needed a fchmod() on every file). */
static mode_t umask_cut(void) {
        static bool known;
        static mode_t cut;
        if (!known) {
                mode_t m = umask(0022);
                (void) umask(m);
                cut = m & 0644;
                known = true;
        }
        return cut;
}

/* UNIT.d and UNIT.d/NAME, relative to the output dir; -ENAMETOOLONG when UNIT.d or NAME
 * cannot be a file name. */
static int dropin_paths(const char *unit, const char *name, char **ret_dir, char **ret_final) {
        if (strlen(unit) + 2 > NAME_MAX || strlen(name) > NAME_MAX)
                return -ENAMETOOLONG;
        _cleanup_free_ char *d = strjoin(unit, ".d");
        char *final = d ? strjoin(d, "/", name) : NULL;
        if (!final)
                return -ENOMEM;
        *ret_dir = TAKE_PTR(d);
        *ret_final = final;
        return 0;
}

/* A fresh temporary file in the unit dir d (NULL: the output dir itself), mode 0644, its
 * name relative to the output dir in *ret_tmp. A unit dir is made when the open finds it
 * missing: the blocking drop-ins made nearly all of them already, before any worker forked,
 * so a mkdir() first would mostly fail; the output dir is never made. A name of our own
 * with O_EXCL (a leftover of a killed run is never reused). Not ending in .conf and not a
 * unit name: systemd ignores it should we die before rename(). Short, so that a name near
 * NAME_MAX still has a temporary name beside it. */
static int open_temporary(const OutputDir *dir, const char *d, char **ret_tmp) {
        static unsigned counter;
        bool made = !d;
        /* The pid of this process: the generator's workers (workers.h) are its forks. */
        pid_t pid = getpid();
        for (unsigned attempt = 0; attempt < 1000; attempt++) {
                _cleanup_free_ char *tmp = NULL;
                if (asprintf(&tmp, "%s%s.#confinement.%d-%u", d ?: "", d ? "/" : "", (int) pid, counter++) < 0)
                        return -ENOMEM;
                int fd = openat(dir->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
                if (fd >= 0) {
                        if (umask_cut() != 0 && fchmod(fd, 0644) < 0) {
                                int r = -errno;
                                (void) unlinkat(dir->fd, tmp, 0);
                                (void) close(fd);
                                return r;
                        }
                        *ret_tmp = TAKE_PTR(tmp);
                        return fd;
                }
                if (errno == ENOENT && !made) {
                        int r = mkdir_unit_dir(dir, d);
                        if (r < 0)
                                return r;
                        made = true;
                        continue;
                }
                if (errno != EEXIST)
                        return -errno;
        }
        return -EEXIST;
}

int dropin_write(const OutputDir *dir, const char *unit, const char *name, const char *content) {
        _cleanup_free_ char *d = NULL, *tmp = NULL, *final = NULL;
        _cleanup_close_ int fd = -1;
        if (dir->fd < 0)
                return dir->fd;
        int r = dropin_paths(unit, name, &d, &final);
        if (r < 0)
                return r;
        fd = open_temporary(dir, d, &tmp);
        if (fd < 0)
                return fd;
        r = write_all(fd, content);
        if (r >= 0 && renameat(dir->fd, tmp, dir->fd, final) < 0)
                r = -errno;
        if (r < 0)
                (void) unlinkat(dir->fd, tmp, 0);
        return r;
}

int dropin_stage(const OutputDir *dir, const char *content, char **ret_name) {
        _cleanup_free_ char *tmp = NULL;
        if (dir->fd < 0)
                return dir->fd;
        _cleanup_close_ int fd = open_temporary(dir, NULL, &tmp);
        if (fd < 0)
                return fd;
        int r = write_all(fd, content);
        if (r >= 0 && close(TAKE_FD(fd)) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(dir->fd, tmp, 0);
                return r;
        }
        *ret_name = TAKE_PTR(tmp);
        return 0;
}

void dropin_unstage(const OutputDir *dir, const char *staged) {
        if (staged && dir->fd >= 0)
                (void) unlinkat(dir->fd, staged, 0);
}

int dropin_write_linked(const OutputDir *dir, const char *unit, const char *name, const char *staged, const char *content) {
        _cleanup_free_ char *d = NULL, *final = NULL;
        if (!staged || dir->fd < 0)
                return dropin_write(dir, unit, name, content);
        int r = dropin_paths(unit, name, &d, &final);
        if (r >= 0)
                r = mkdir_unit_dir(dir, d);
        if (r < 0)
                return r;
        /* link() makes the name appear with the whole file or not at all. Anything in the
         * way (a file of that name, a dir gone, a file system out of links: EMLINK) takes
         * the write of a copy, which replaces atomically too. */
        if (linkat(dir->fd, staged, dir->fd, final, 0) >= 0)
                return 0;
        return dropin_write(dir, unit, name, content);
}

int dropin_remove(const OutputDir *dir, const char *unit, const char *name) {
        _cleanup_free_ char *p = NULL;
        if (dir->fd < 0)
                return dir->fd;
        if (asprintf(&p, "%s.d/%s", unit, name) < 0)
                return -ENOMEM;
        if (unlinkat(dir->fd, p, 0) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

/* An empty file: AssertPathExists= asks only that the path exists. mknodat() makes it in
 * one system call (a file system that refuses it gets openat()), and one already there
 * from an earlier run into the same dir counts. */
static int make_marker(const OutputDir *dir, const char *path) {
        if (mknodat(dir->fd, path, S_IFREG | 0644, 0) >= 0 || errno == EEXIST)
                return 0;
        if (errno != EPERM && errno != EINVAL && errno != EOPNOTSUPP)
                return -errno;
        int fd = openat(dir->fd, path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
        return fd < 0 ? -errno : close(fd) < 0 ? -errno : 0;
}

int dropin_marker(const OutputDir *dir, const char *subdir, const char *name) {
        _cleanup_free_ char *path = NULL;
        if (dir->fd < 0)
                return dir->fd;
        if (!(path = strjoin(subdir, "/", name)))
                return -ENOMEM;
        /* The subdir is made by the first marker of the run: not a failing mkdir() per unit. */
        int r = make_marker(dir, path);
        if (r == -ENOENT) {
                if (mkdirat(dir->fd, subdir, 0755) < 0 && errno != EEXIST)
                        return -errno;
                r = make_marker(dir, path);
        }
        return r;
}

char *dropin_blocking_text(const char *unit, const char *cause) {
        _cleanup_free_ char *text = unit_escape_text(cause);
        char *s;
        if (!text)
                return NULL;
        if (asprintf(&s,
                     "# Written by systemd-confinement-generator: %s asked for confinement\n"
                     "# and it could not be set up, so the unit must not start.\n"
                     "[Service]\n"
                     "RootDirectory=" BLOCKED_PATH "\n"
                     "\n"
                     "[Unit]\n"
                     "AssertPathExists=" BLOCKED_PATH "\n"
                     "Description=Blocked by systemd-confinement-generator: %s\n",
                     unit ?: "the unit of this drop-in's dir", text) < 0)
                return NULL;
        return s;
}

char *dropin_blocking_name(const char *stem, const char *cause_slug) {
        char *s;
        /* The stem is at most DROPIN_STEM_MAX: the slug gets what NAME_MAX leaves. */
        int room = NAME_MAX - (int) strlen(stem) - (int) strlen("-blocked-.conf");
        if (asprintf(&s, "%s-blocked-%.*s.conf", stem, room > 0 ? room : 0, cause_slug) < 0)
                return NULL;
        return s;
}

int dropin_mask_unit(const OutputDir *dir, const char *unit) {
        if (dir->fd < 0)
                return dir->fd;
        if (strlen(unit) > NAME_MAX)
                return -ENAMETOOLONG;
        for (int attempt = 0; attempt < 2; attempt++) {
                if (symlinkat("/dev/null", dir->fd, unit) >= 0)
                        return 0;
                if (errno != EEXIST || unlinkat(dir->fd, unit, 0) < 0)
                        return -errno;
        }
        return -EEXIST;
}
