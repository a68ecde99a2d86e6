/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Cleanup helpers in systemd's style: a variable declared with one of these is
 * released when it goes out of scope, so error paths need no goto ladders. */

#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_include)
#  if __has_include(<valgrind/valgrind.h>)
#    include <valgrind/valgrind.h>
#    define HAVE_VALGRIND_H 1
#  endif
#endif

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p) {
        free(*(void **) p);
}
static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)

/* Whether a leak checker watches this process (an ASan build, or a run under valgrind).
 * What a process holds until it exits is freed only then: the checker reports real leaks
 * alone, and a plain run does not spend the last milliseconds of its wall time handing
 * memory back one block at a time before the kernel takes it all at once (systemd frees
 * its hashmap pools at exit only "#if VALGRIND", src/basic/hashmap.c). */
static inline bool leak_checked(void) {
#if defined(__SANITIZE_ADDRESS__)
        return true;
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
        return true;
#  endif
#endif
#if HAVE_VALGRIND_H
        return RUNNING_ON_VALGRIND;
#else
        return false;
#endif
}

/* Hand ownership out of a cleanup variable: returns the value, leaves NULL. */
#define TAKE_PTR(p)                                \
        ({                                         \
                __typeof__(p) _p_ = (p);           \
                (p) = NULL;                        \
                _p_;                               \
        })
#define TAKE_FD(fd)                                \
        ({                                         \
                int _fd_ = (fd);                   \
                (fd) = -1;                         \
                _fd_;                              \
        })

/* systemd's GREEDY_REALLOC(): *p made room for at least need elements of size bytes,
 * doubling, so that an array grown one element at a time costs a few reallocs, not one
 * per element (malloc_usable_size() says what the last one made room for). The new
 * array, or NULL with *p untouched. */
static inline void *greedy_realloc(void **p, size_t need, size_t size) {
        if (*p && need <= malloc_usable_size(*p) / size)
                return *p;
        size_t n = need < 4 ? 4 : need;
        void *q = n <= SIZE_MAX / 2 / size ? reallocarray(*p, n * 2, size) : NULL;
        if (q)
                *p = q;
        return q;
}

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}
static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}
static inline bool isempty(const char *s) {
        return !s || !*s;
}
/* Returns the rest of s after prefix, or NULL when s does not start with it. */
static inline const char *startswith(const char *s, const char *prefix) {
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}
static inline bool endswith(const char *s, const char *suffix) {
        size_t ls = strlen(s), lx = strlen(suffix);
        return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

/* The value of a hex digit, or -EINVAL. */
static inline int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

/* asprintf() that returns the string, or NULL when out of memory. */
static inline char *asprintf_safe(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *asprintf_safe(const char *fmt, ...) {
        char *s;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

/* Allocation failure is not a condition a generator can recover from in a
 * meaningful way per unit, but it must still not crash: callers return -ENOMEM. */
