/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Unit file syntax as systemd 252's conf-parser reads it: lines split at \n, \r, \0 (and their
 * combinations), comments only at line start, backslash continuation lines, [Section] headers,
 * Key=Value assignments with whitespace stripped. The effective unit is the fragment followed by
 * its drop-ins, appended in order; lookups return the last assignment, as later files override. */

#include <stdbool.h>
#include <stddef.h>

/* systemd's LONG_LINE_MAX: a physical line must be shorter, a joined continuation line not longer. */
#define UNIT_LINE_MAX (1024U * 1024U)

typedef struct UnitSetting {
        char *section;
        char *key;
        char *value;
        char *file;
        unsigned line;
} UnitSetting;

/* Each [Section] header is recorded as a setting with an empty key (and value), so that a section
 * without assignments exists too: skip key[0] == 0 when iterating over items. The strings of one
 * setting share one allocation owned by the UnitText: never free them one by one. */
typedef struct UnitText {
        UnitSetting *items;
        size_t n, allocated;
} UnitText;

/* Both append to u. Lines systemd skips with a warning (no '=', no key, assignment outside a
 * section) are skipped (log_debug). Errors that make systemd stop reading the file end the load,
 * keeping what came before, as systemd does: -EBADMSG for a bad section header or invalid UTF-8,
 * -ENOBUFS for a line over the limit, -ENOMEM. For the fragment systemd then refuses the unit; a
 * drop-in's error it ignores. unit_text_load_file() also returns -errno when the file cannot be
 * opened or read (a directory gives -EISDIR). */
int unit_text_load_file(UnitText *u, const char *path);
int unit_text_load_buffer(UnitText *u, const char *data, size_t size, const char *file_name);
void unit_text_done(UnitText *u);

/* "The line counts, not the parse": the numbers of the lines of path that equal needle with
 * blanks at both ends trimmed, counted as unit_text_load_file() counts them, over the whole file
 * (also past where systemd stops reading it: a bad section header, a line over UNIT_LINE_MAX,
 * invalid UTF-8) and also where a continuation folds the line into a value. *ret_lines is
 * malloc'd (NULL when none). Regular files only, as unit_text_load_file(). */
int unit_file_find_lines(const char *path, const char *needle, unsigned **ret_lines, size_t *ret_n);
/* The same over the bytes of a file already read (see unit_text_load_buffer()). */
int unit_buffer_find_lines(const char *data, size_t size, const char *needle, unsigned **ret_lines, size_t *ret_n);
/* The header of section recorded from file at line (see UnitText). */
bool unit_text_has_header_at(const UnitText *u, const char *section, const char *file, unsigned line);

/* Last assignment of section/key or NULL; an empty assignment is returned as "". */
const char *unit_text_get(const UnitText *u, const char *section, const char *key);
const UnitSetting *unit_text_get_setting(const UnitText *u, const char *section, const char *key);
/* Every value in order; an empty assignment drops what came before it. Values are raw. *ret is
 * never NULL on success. */
int unit_text_get_list(const UnitText *u, const char *section, const char *key, char ***ret);
bool unit_text_has_section(const UnitText *u, const char *section);
/* The assignment whose value systemd ends up using, or NULL when the setting is unset (its
 * default). As systemd's parsers do, a value that parse() rejects (< 0) is ignored and the
 * earlier one stands; an empty value resets the setting to unset where empty_resets, else it is
 * rejected like any other bad value. Seen on 252 (systemctl show): PrivateDevices=yes then
 * PrivateDevices= stays yes (config_parse_bool fails on ""), MountAPIVFS=yes then MountAPIVFS=
 * is unset again, and PrivateDevices= alone leaves it unset. */
const UnitSetting *unit_text_get_effective(const UnitText *u, const char *section, const char *key,
                                           int (*parse)(const char *value), bool empty_resets);

/* The value systemd uses for a boolean setting (unit_text_get_effective() with parse_boolean()):
 * 1, 0, or -ENOENT when unset. */
int unit_text_get_boolean(const UnitText *u, const char *section, const char *key);
/* A parser for unit_text_get_effective() that takes any value (paths, names). */
int unit_parse_any(const char *v);

/* As systemd: 1/yes/y/true/t/on → 1; 0/no/n/false/f/off → 0 (case-insensitive); else -EINVAL. */
int parse_boolean(const char *v);
