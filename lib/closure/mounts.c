/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mounts.h"

#include <errno.h>
#include <libmount.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "strv.h"

struct PendingMounts {
        char **targets;
};

static void mnt_unref_tablep(struct libmnt_table **t) {
        mnt_unref_table(*t);
}
#define _cleanup_table_ _cleanup_(mnt_unref_tablep)

static void mnt_free_iterp(struct libmnt_iter **i) {
        mnt_free_iter(*i);
}

/* fstab entries that are mounted at boot as file systems: not swap, not
 * "none", not noauto (systemd does not mount those on its own either). */
static bool mounted_at_boot(struct libmnt_fs *fs) {
        const char *target = mnt_fs_get_target(fs);
        if (!target || target[0] != '/' || mnt_fs_is_swaparea(fs))
                return false;
        /* Not mnt_fs_match_options(): its "noauto" pattern means "auto is not set". */
        return mnt_fs_get_option(fs, "noauto", NULL, NULL) != 0;
}

static int collect_pending(struct libmnt_table *fstab, struct libmnt_table *mounted, char ***targets) {
        _cleanup_(mnt_free_iterp) struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
        struct libmnt_fs *fs;
        if (!it)
                return -ENOMEM;
        while (mnt_table_next_fs(fstab, it, &fs) == 0) {
                if (!mounted_at_boot(fs))
                        continue;
                const char *target = mnt_fs_get_target(fs);
                if (streq(target, "/") || mnt_table_find_target(mounted, target, MNT_ITER_BACKWARD))
                        continue;
                log_debug("%s is in /etc/fstab but not mounted yet: paths below it are deferred", target);
                int r = strv_extend(targets, target);
                if (r < 0)
                        return r;
        }
        return 0;
}

int pending_mounts_load(const char *fstab_path, const char *mountinfo_path, PendingMounts **ret) {
        _cleanup_table_ struct libmnt_table *fstab = mnt_new_table();
        _cleanup_table_ struct libmnt_table *mounted = mnt_new_table();
        _cleanup_free_ PendingMounts *m = calloc(1, sizeof(PendingMounts));
        if (!fstab || !mounted || !m)
                return -ENOMEM;

        if (!fstab_path)
                fstab_path = getenv("SYSTEMD_FSTAB") ?: "/etc/fstab";
        if (!mountinfo_path)
                mountinfo_path = "/proc/self/mountinfo";

        int r = mnt_table_parse_fstab(fstab, fstab_path);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r == 0) {
                r = mnt_table_parse_mtab(mounted, mountinfo_path);
                if (r < 0)
                        return r;
                r = collect_pending(fstab, mounted, &m->targets);
                if (r < 0) {
                        strv_free(m->targets);
                        return r;
                }
        }
        *ret = TAKE_PTR(m);
        return 0;
}

PendingMounts *pending_mounts_free(PendingMounts *m) {
        if (m) {
                strv_free(m->targets);
                free(m);
        }
        return NULL;
}

static bool path_is_below(const char *path, const char *prefix) {
        const char *rest = startswith(path, prefix);
        return rest && (*rest == 0 || *rest == '/');
}

const char *pending_mounts_find(const PendingMounts *m, const char *path) {
        const char *best = NULL;
        STRV_FOREACH(t, m ? m->targets : NULL)
                if (path_is_below(path, *t) && (!best || strlen(*t) > strlen(best)))
                        best = *t;
        return best;
}
