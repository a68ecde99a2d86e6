/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* File systems that /etc/fstab mounts but that are not mounted yet. Generators
 * run before local-fs.target, so a path below such a mount point cannot be
 * resolved now: whatever is there at generation time is the wrong file system. */

#include <stdbool.h>

typedef struct PendingMounts PendingMounts;

/* Reads fstab (NULL: /etc/fstab, or $SYSTEMD_FSTAB as systemd does) and the
 * current mount table (NULL: /proc/self/mountinfo). A missing fstab is no error. */
int pending_mounts_load(const char *fstab, const char *mountinfo, PendingMounts **ret);
PendingMounts *pending_mounts_free(PendingMounts *m);
static inline void pending_mounts_freep(PendingMounts **m) {
        pending_mounts_free(*m);
}
#define _cleanup_pending_mounts_free_ __attribute__((cleanup(pending_mounts_freep)))

/* The pending mount point that path lies on or below (the deepest one), or NULL. */
const char *pending_mounts_find(const PendingMounts *m, const char *path);
