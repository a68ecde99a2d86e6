/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Where dlopen("SONAME") would find a library, for files that glibc loads at
 * run time rather than through DT_NEEDED: NSS modules named by nsswitch.conf,
 * sonames declared in an ELF .note.dlopen. The search is _dl_map_object()'s for
 * a name without a slash, seen from the object that calls dlopen(): its
 * DT_RPATH (when it has no DT_RUNPATH), LD_LIBRARY_PATH from the unit,
 * its DT_RUNPATH, /etc/ld.so.cache, the default dirs (the last two skipped for
 * DF_1_NODEFLIB), each dir with the hwcaps subdirs this CPU selects. The
 * RPATH chain of the objects that loaded the caller is not followed. */

#include "ld-search.h"

typedef enum DlopenVia {
        DLOPEN_VIA_PATH,            /* the name has a slash */
        DLOPEN_VIA_RPATH,
        DLOPEN_VIA_LIBRARY_PATH,
        DLOPEN_VIA_RUNPATH,
        DLOPEN_VIA_CACHE,           /* the caller must also see /etc/ld.so.cache */
        DLOPEN_VIA_DEFAULT_DIRS,
} DlopenVia;

/* caller: the ELF object that calls dlopen(), or NULL for glibc itself (no
 * RPATH/RUNPATH; class and machine of this host). Returns 0 with *ret_path
 * (the path as the loader opens it, not its realpath) and *ret_via set,
 * -ENOENT when no usable file is found, -ENOEXEC when the caller is not ELF
 * or no loader for its ABI runs here, -ENOMEM. */
int dlopen_search(const LoaderConfig *cfg, const char *caller, const char *soname, char **ret_path,
                  DlopenVia *ret_via);
const char *dlopen_via_to_string(DlopenVia v);
