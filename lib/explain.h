/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* --explain: the closure as a tree of why every path is in. Each bind's reason
 * names what brought it in ("DT_NEEDED libc.so.6 of /usr/bin/perl", "#!
 * interpreter of /usr/share/x/wrapper", "referenced by /nix/store/..."); a
 * path whose reason names another bound path hangs below it, the others (a
 * command, an argument, Packages=, BinSh=) are the roots. A symlink shows as
 * "LINK -> TARGET". */

#include <stdio.h>

#include "path-set.h"

int explain_print_tree(FILE *f, PathSet *binds);
