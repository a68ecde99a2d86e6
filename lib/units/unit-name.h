/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Unit names as systemd's basic/unit-name.c reads them: valid names, their instance, prefix and
 * template, unescaping. Pure string functions: they read no files. */

#include <stdbool.h>

#define UNIT_NAME_VALID_CHARS "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:-_.\\"

/* systemd's UNIT_NAME_MAX: a valid name is shorter. */
#define UNIT_NAME_MAX 256

typedef enum UnitNameFlags {
        UNIT_NAME_PLAIN = 1 << 0,    /* foo.service */
        UNIT_NAME_TEMPLATE = 1 << 1, /* foo@.service */
        UNIT_NAME_INSTANCE = 1 << 2, /* foo@bar.service */
        UNIT_NAME_ANY = UNIT_NAME_PLAIN | UNIT_NAME_TEMPLATE | UNIT_NAME_INSTANCE,
} UnitNameFlags;

/* systemd's unit name rules: [A-Za-z0-9:-_.\\], at most one '@' that is not first, a known type
 * suffix, shorter than UNIT_NAME_MAX. */
bool unit_name_is_valid(const char *name, UnitNameFlags flags);
/* Returns the UnitNameFlags kind of name or -EINVAL; *ret_instance NULL for a plain name, "" for a template. */
int unit_name_to_instance(const char *name, char **ret_instance);
/* "foo@bar.service" → "foo" (the part before '@' or the suffix). */
int unit_name_to_prefix(const char *name, char **ret);
/* "foo@bar.service" → "foo@.service". -EINVAL unless name is an instance or template. */
int unit_name_template(const char *name, char **ret);
/* Puts instance into a template or instance name. */
int unit_name_replace_instance(const char *name, const char *instance, char **ret);
/* "service" for "x.service"; NULL for an invalid name. */
const char *unit_name_type(const char *name);
/* systemd-escape's reverse: "-" → "/", "\xNN" → byte. -EINVAL on a bad escape. */
int unit_name_unescape(const char *s, char **ret);
/* As unit_name_unescape for a path: "-" → "/", else "/" + unescaped, which must be normalised. */
int unit_name_path_unescape(const char *s, char **ret);
