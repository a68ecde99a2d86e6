/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Whole DT_NEEDED walks, recorded once per run and replayed. ld.so's walk for a program
 * (ld-search.h) depends on the program only through the facts it reads from it: the
 * PT_INTERP, class, machine and type, the DT_NEEDED/DT_FILTER/DT_AUXILIARY list, DT_RUNPATH,
 * DT_RPATH, DT_SONAME and DT_FLAGS_1, and its $ORIGIN where one of the strings the walk
 * expands holds a token; everything else it opens is a library, the same file for every
 * program of the run (loader-cache.h). Programs that agree on all of that (and the unit's
 * LoaderConfig) open the same files in the same order: this machine's 1321 programs in
 * /usr/bin, /usr/sbin and /usr/lib/systemd start 267 distinct walks (297 programs need
 * libc alone). The first such walk is recorded: each file it reported (ld-search.h's
 * loader_found_fn), the object that asked for it, and the reason, cut where the asking
 * object's name stands; the others replay it with their own name there.
 *
 * ld-search.c decides which walks may be replayed: only those of a program named by an
 * absolute path whose own name the walk uses nowhere but as the asking object (no inherited
 * DT_RPATH of it, no name with a slash, which could be the program's own path), that ended
 * without an error and logged nothing but the files they report. */

#include <stdbool.h>

#include "elf-file.h"
#include "ld-search.h"

typedef struct WalkRecord WalkRecord;

/* Whether a token ($ORIGIN, $LIB, $PLATFORM) may appear in what the walk expands with the
 * program's $ORIGIN: its DT_RUNPATH, DT_RPATH and dependency names, and the unit's
 * LD_LIBRARY_PATH and LD_PRELOAD. Only then is the origin part of the key. */
bool walk_memo_uses_origin(const LoaderConfig *cfg, const ElfFile *program);

/* The run-cache key (loader-cache.h) of the walk of a program with these facts under cfg,
 * origin its $ORIGIN (NULL: unknown, or unused when walk_memo_uses_origin() is false).
 * Every field is length-prefixed, so that no two different inputs share a key. NULL on
 * out of memory. */
char *walk_memo_key(const LoaderConfig *cfg, const ElfFile *program, const char *origin);

int walk_record_new(WalkRecord **ret);
WalkRecord *walk_record_free(WalkRecord *r);
void walk_record_free_void(void *r);

/* One reported file: path, the asking object (by_program: the program; else parent, NULL
 * for none), and the reason, which is head, the asking object's name and tail (tail may be
 * NULL; with no asking object the reason is head alone). */
int walk_record_add(WalkRecord *r, const char *path, bool by_program, const char *parent, const char *head,
                    const char *tail);

/* Calls found for each recorded file in order, as the walk of program would: the program's
 * name where the recorded walk's stood. Stops at and returns found's first negative
 * return; -ENOMEM. */
int walk_record_replay(const WalkRecord *r, const char *program, loader_found_fn found, void *userdata);
