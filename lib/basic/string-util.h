/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Basic layer: strings as the parsers build and check them (systemd keeps these in
 * basic/string-util.c and basic/utf8.c). Uses nothing of this project but libc. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable NUL-terminated string for the parsers; appending is amortised O(1), so long inputs
 * stay linear. Zero-initialise; data is NULL until the first append; free(data) when done. */
typedef struct Buffer {
        char *data;
        size_t len, cap;
} Buffer;
/* Room for extra more bytes and a NUL. */
int buffer_reserve(Buffer *b, size_t extra);
int buffer_append(Buffer *b, const char *s, size_t n);

/* A hash of s for the string-keyed tables (path sets, the run's memo): eight bytes a step,
 * mixed as in MurmurHash3's finalizer. Keys are long paths that differ at the end, and a
 * byte-wise hash showed up in profiles. */
uint64_t string_hash(const char *s);

/* v in base 10 or 16 (lower case, no leading zeros), written to end just before end; returns
 * where it starts (end - 20 at the least). For the memo keys built at every lookup, where
 * printf() cost more than the lookup. */
char *u64_digits_before(char *end, uint64_t v, unsigned base);

/* systemd's strjoin(): the strings up to a NULL, concatenated into a new string; NULL on
 * -ENOMEM. Where a hot path joined strings with asprintf("%s%s..."), without its parse of
 * the format. */
char *strjoin_real(const char *first, ...) __attribute__((sentinel));
#define strjoin(first, ...) strjoin_real((first), __VA_ARGS__, NULL)

/* How many of the n bytes at p, from the first, are ASCII: a word at a time. */
size_t ascii_prefix(const unsigned char *p, size_t n);
/* systemd's utf8_is_valid(): well-formed, shortest-form, valid code points. */
bool utf8_is_valid(const char *s);
/* systemd's string_is_safe(): no control characters, quotes, backslashes or DEL. */
bool string_is_safe(const char *s);
/* systemd's unichar_is_valid(): a code point below 0x110000, no surrogate, no non-character. */
bool unichar_is_valid(uint32_t c);
