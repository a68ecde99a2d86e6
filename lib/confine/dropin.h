/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Writing drop-ins into the generator's output directory: escaping paths so that
 * systemd reads them back unchanged, choosing a file name that systemd reads
 * after every other drop-in of the unit, the blocking drop-in that keeps a unit
 * from starting, and atomic replacement (temporary name, then rename), so that a
 * generator killed at any point leaves only whole .conf files behind. */

#include <stdbool.h>
#include <stdio.h>

/* Escapes a path for one word of a space-separated path list (BindPaths=,
 * RequiresMountsFor=): backslash before '\\', ':' and blanks, '%' doubled.
 * Returns NULL for -ENOMEM; -EINVAL (a path no unit file can hold, e.g. with a
 * newline, or one a supported systemd does not take back, e.g. with a quote) is
 * reported as errno = EINVAL with a NULL return. */
char *unit_escape_path(const char *path);
/* Whether unit_escape_path() returns path unchanged (plain ASCII, nothing to escape): nearly
 * every path, written then without a copy. */
bool unit_path_is_plain(const char *path);

/* Escapes free text for a value systemd expands specifiers in (Description=). */
char *unit_escape_text(const char *text);

/* The stem of the generator's drop-in names for a unit: it sorts after the name
 * of every drop-in the unit already has (dropin_paths: full paths, any dirs), so
 * that the generator's file is read last and no same-named file can hide it. */
char *dropin_name_stem(char * const *dropin_paths);
/* The longest stem dropin_name_stem() returns (NULL with errno ENAMETOOLONG when no name that
 * short sorts last), leaving room for any suffix within NAME_MAX. */
#define DROPIN_STEM_MAX 191

/* An output dir, opened once: every file is made relative to it (openat() and the like),
 * so that no write walks the dir's own path again. Over the bench tree's 1321 units that
 * walk (4 components) cost 3-4 ms of CPU: about 8 paths per unit. A dir that cannot be
 * opened keeps the error, and every write into it returns it. */
typedef struct OutputDir {
        const char *path; /* borrowed: for messages */
        int fd;           /* O_PATH, or -errno of the open */
} OutputDir;

int output_dir_open(OutputDir *d, const char *path);
void output_dir_close(OutputDir *d);

/* Writes content to DIR/UNIT.d/NAME atomically, replacing whatever was there. */
int dropin_write(const OutputDir *dir, const char *unit, const char *name, const char *content);

/* Writes content once to a new file in dir, for dropin_write_linked(), with its name
 * (relative to dir) in *ret_name: a name that is neither a unit nor a drop-in (systemd
 * skips it), for dropin_unstage() when done. */
int dropin_stage(const OutputDir *dir, const char *content, char **ret_name);
void dropin_unstage(const OutputDir *dir, const char *staged);

/* Puts the staged file (dropin_stage(), or any path: an absolute one is taken as it is) at
 * DIR/UNIT.d/NAME as a hard link: the same drop-in for many units costs a link() each, not a
 * write. content is staged's text: where the link cannot be made (a file of that name there,
 * too many links, staged NULL) it is written as dropin_write() writes. Never writes into the
 * staged file or a link of it afterwards: every replacement is a rename() of a new file. */
int dropin_write_linked(const OutputDir *dir, const char *unit, const char *name, const char *staged,
                        const char *content);

/* Removes DIR/UNIT.d/NAME if present. */
int dropin_remove(const OutputDir *dir, const char *unit, const char *name);

/* An empty file DIR/SUBDIR/NAME, for AssertPathExists= (the marker of a confined unit).
 * SUBDIR (one component below an existing one) is made by the first marker in it. One
 * already there counts. */
int dropin_marker(const OutputDir *dir, const char *subdir, const char *name);

/* A drop-in that keeps the unit from starting: an assertion that cannot hold and
 * a root directory that cannot exist, so that no command of the unit runs, with
 * "-" or "+" or not, and the cause in Description= for systemctl status. unit NULL:
 * a text for any unit (systemctl status shows the drop-in's path, which names it). */
char *dropin_blocking_text(const char *unit, const char *cause);

/* File name of the blocking drop-in: stem + "-blocked-" + a slug of the cause
 * (systemctl status lists drop-ins by name, so the name carries the reason). */
char *dropin_blocking_name(const char *stem, const char *cause_slug);

/* Masks unit with a symlink DIR/UNIT -> /dev/null: the way to refuse a unit that no drop-in
 * can reach (a name that leaves no room for "UNIT.d/"), in the early output dir, which outranks
 * /etc. */
int dropin_mask_unit(const OutputDir *dir, const char *unit);
