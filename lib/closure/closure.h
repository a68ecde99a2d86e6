/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The run-time closure of a unit: starting from its roots (programs, argument
 * files, Packages=), every file the service will open, as bind mounts of the
 * file's real path at the path the service uses (so that symlinks on the way,
 * such as /lib64/ld-linux-x86-64.so.2 or /bin/sh -> dash, keep working).
 * ELF programs go through the loader's search rules (ld-search.h), scripts
 * through their #! interpreter. The first failure is kept as a one-line cause
 * and a short slug; the caller logs it once and blocks the unit. */

#include <stdarg.h>
#include <stdbool.h>

#include "ld-search.h"
#include "mounts.h"
#include "path-set.h"
#include "store.h"

/* Opaque: other modules go through the functions below. */
typedef struct Closure Closure;

/* What all units of one generator run share, handed to each closure once; any member may be
 * NULL. The run owns them. */
typedef struct ClosureRun {
        PendingMounts *pending;    /* fstab mounts not mounted yet */
        StoreScanner *store;       /* each store path scanned once per run */
        LoaderCache *loader_cache; /* what the loader learns serves every unit */
} ClosureRun;

/* env: the unit's environment (LD_LIBRARY_PATH, LD_PRELOAD, PATH); run may be NULL. */
int closure_new(char * const *env, const ClosureRun *run, Closure **ret);
Closure *closure_free(Closure *c);
static inline void closure_freep(Closure **c) {
        closure_free(*c);
}

PathSet *closure_binds(const Closure *c);
const LoaderConfig *closure_loader(const Closure *c);
/* The first failure's one-line cause and slug, NULL before any (and for a NULL closure). */
const char *closure_error(const Closure *c);
const char *closure_error_slug(const Closure *c);
/* DlopenRecommended=: also .note.dlopen "recommended" libraries. */
void closure_set_dlopen_recommended(Closure *c, bool b);

/* Records a failure (the first one wins) and returns r. */
int closure_fail(Closure *c, int r, const char *slug, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int closure_failv(Closure *c, int r, const char *slug, const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* A file the service opens by this path: its real path is bound there. */
int closure_add_file(Closure *c, const char *path, const char *reason);
/* The same for a file that parent (a path of the closure, as its adder names it) needs, such
 * as a library of a program: --explain shows it below parent. */
int closure_add_needed(Closure *c, const char *path, const char *parent, const char *reason);
/* A program the service executes: the file, and its loader closure or interpreter. */
int closure_add_program(Closure *c, const char *path, const char *reason);
/* An absolute-path argument: an executable gets its closure, a regular file is
 * bound, anything else (a directory, nothing) is not a root. */
int closure_add_argument(Closure *c, const char *path, const char *reason);
/* A Packages= entry: a file, or a directory with the closure of every program,
 * library and script in it and the targets of the symlinks inside. */
int closure_add_package(Closure *c, const char *path, const char *reason);
/* Store references anywhere in text (an argument, a unit file): each referenced
 * store path with its whole store closure. */
int closure_add_store_references(Closure *c, const char *text, size_t size, const char *reason);
/* SPEC 4 "Binds": systemd resolves each bind source again at every start,
 * following links, so a source is bound only if every directory that holds one
 * of its components (its parents from / down, and those of each link target on
 * the way) is owned by root and writable by no one else. A sticky directory of
 * root's (/tmp, a Nix store) is safe for an entry that root owns: only the owner
 * may rename or remove it. On a violation the unit fails closed ("unsafe-path"),
 * the cause naming the path, the directory and its owner. */
int closure_check_binds_safe(Closure *c);

/* Looks name up in the unit's PATH as execvp would; returns a new string or NULL. */
char *closure_find_in_path(char * const *path, const char *name);
