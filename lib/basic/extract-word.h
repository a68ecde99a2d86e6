/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Basic layer: systemd's word splitter (basic/extract-word.c), which Exec*= lines and the other
 * unit settings use. Uses string-util.h only. */

/* systemd's extract_first_word() flags, the subset the unit settings use. */
typedef enum ExtractFlags {
        EXTRACT_RELAX = 1 << 0,          /* allow unbalanced quotes, eat a trailing backslash */
        EXTRACT_CUNESCAPE = 1 << 1,      /* unescape C sequences */
        EXTRACT_UNESCAPE_RELAX = 1 << 2, /* keep unknown escapes and a trailing backslash verbatim */
        EXTRACT_UNQUOTE = 1 << 5,        /* quotes group words and are removed */
        EXTRACT_DONT_COALESCE_SEPARATORS = 1 << 6,
} ExtractFlags;

/* Returns 1 and the next word in *ret, 0 at the end (*ret NULL), -EINVAL on bad quoting or
 * escapes. separators NULL means whitespace. */
int extract_first_word(const char **p, char **ret, const char *separators, ExtractFlags flags);
/* As systemd's extract_first_word_and_warn(): an unknown escape is retried and kept verbatim. */
int extract_first_word_relaxed(const char **p, char **ret, const char *separators, ExtractFlags flags);
