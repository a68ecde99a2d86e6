/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* %-specifiers in unit settings, resolved at generator time as systemd 252's system manager
 * resolves them when it loads the unit (unit_full_printf): names (%n %N %p %P %i %I %j %J %f),
 * the manager's dirs (%t %S %C %L %E %T %V %d), the host (%H %l %q %m %b %v %a and the
 * os-release ones %o %w %W %B %M %A), the fragment (%y %Y), and the manager's own user:
 * in 252 %u %U %g %G %h %s are root, 0, root, 0, /root, /bin/sh for every unit, whatever User=
 * says (systemd.unit(5): "not influenced by the User= setting"). */

#include <stdbool.h>
#include <stddef.h>

typedef struct Specifiers {
        const char *name;     /* the unit's primary name, e.g. "foo@bar.service" */
        const char *fragment; /* its unit file, for %y %Y; may be NULL */
        const char *root;     /* where /etc is read from (os-release, machine-info, machine-id);
                               * NULL or "/" for the host. Tests point it elsewhere. */
} Specifiers;

/* Expands s with systemd's rules: "%%" → "%", a known letter → its value, an unknown letter or
 * digit → error, "%" before anything else (or at the end) stays. -EBADMSG with *ret_error
 * ("unknown specifier %q", "specifier %c cannot be resolved at boot: ...") when it cannot. */
int specifier_expand(const char *s, const Specifiers *sp, char **ret, char **ret_error);

/* As specifier_expand(), with systemd's length limit for the setting (it fails longer results),
 * and *ret_systemd_fails telling an error systemd itself makes (unknown specifier, too long, bad
 * instance escape: systemd ignores or rejects the setting) from one only the generator has
 * (a value it cannot know at boot). */
int specifier_expand_full(const char *s, const Specifiers *sp, size_t max_length, char **ret,
                          char **ret_error, bool *ret_systemd_fails);

/* The limits systemd 252 uses for command arguments and for paths (the executable,
 * EnvironmentFile=); environment assignments use sysconf(_SC_ARG_MAX). */
#define SPECIFIER_MAX_LINE (1024U * 1024U)
#define SPECIFIER_MAX_PATH (4096U - 1U)

/* Templates (SPEC 2): a template's closure is computed once for all instances, with the name
 * "TEMPLATE@SENTINEL.service", so that whatever depends on the instance (%i %I %n %N %f, and
 * $VARs set from them) holds the sentinel: such a path is no file of the host, and is handed
 * back to systemd with its specifiers, to be expanded at each start. */
#define SPECIFIER_INSTANCE_SENTINEL "QQconfinementQQ-QQinstanceQQ"
/* "foo@.service" → "foo@" SPECIFIER_INSTANCE_SENTINEL ".service". */
int specifier_sentinel_name(const char *template, char **ret);
/* Whether s holds the sentinel in either form (%i's escaped one, %I's unescaped one). */
bool specifier_has_sentinel(const char *s);
/* s, expanded with sentinel_name, made back into a word of a path list setting
 * (BindReadOnlyPaths=) that systemd expands at each start: the sentinel's forms become
 * %n %N %i %I, a literal '%' is doubled. -EINVAL when the literal text holds characters that
 * would need quoting in such a word (blanks, quotes, ':', '\\', control characters). */
int specifier_unexpand_path(const char *s, const char *sentinel_name, char **ret);
