/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* --explain: the closure as a tree of why every path is in. Each bind keeps the
 * path that needed it (PathEntry.parent: the object the loader searched for, a
 * script of an interpreter, a package dir, a referring store path) and a reason
 * for the reader ("DT_NEEDED libc.so.6 of /usr/bin/perl", "#! interpreter of
 * /usr/share/x/wrapper"); a path whose parent is bound hangs below it, the others
 * (a command, an argument, Packages=, BinSh=) are the roots. The reasons are
 * never parsed: a path may hold " of /". A symlink shows as "LINK -> TARGET". */

#include <stdio.h>

#include "path-set.h"
#include "specifier.h"
#include "unit-file.h"

int explain_print_tree(FILE *f, PathSet *binds);

/* Why each kind of setting in DROPIN is there, and why PrivateUsers= is or is not. */
void explain_print_settings(FILE *f, const char *dropin, const char *private_users_why);

/* A "# warning:" line for each program that a "sh -c" string of the unit's
 * Exec*= commands runs (a bare name looked up in systemd's default PATH, or an
 * absolute path) which exists on the host and is not in BINDS: the generator
 * does not parse shell. Returns how many. */
int explain_print_shell_warnings(FILE *f, const UnitText *t, const Specifiers *sp, char * const *env,
                                 const PathSet *binds);
