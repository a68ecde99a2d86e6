/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Where dlopen("SONAME") would find a library, for files that glibc loads at
 * run time rather than through DT_NEEDED: NSS modules named by nsswitch.conf,
 * sonames declared in an ELF .note.dlopen. A thin layer over
 * loader_dlopen_search() (ld-search.h): the one implementation of
 * _dl_map_object()'s search, which the DT_NEEDED walk uses too. */

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
 * -ENOENT when no file is found, -ENOEXEC when the caller is not ELF, no
 * loader for its ABI runs here, only an ELF of another class matches or a
 * candidate fails open_verify()'s checks (dlopen() then fails), -ENOMEM. */
int dlopen_search(const LoaderConfig *cfg, const char *caller, const char *soname, char **ret_path,
                  DlopenVia *ret_via);
const char *dlopen_via_to_string(DlopenVia v);
