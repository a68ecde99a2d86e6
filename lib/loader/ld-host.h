/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The host facts of glibc's name search (ld-search.h walks with them). */

#include <stdbool.h>
#include <stdint.h>

#include "ld-cache.h"

/* What the ld.so for an ELF class/machine derives from this CPU, as glibc 2.36 computes it
 * (compare with "ld.so --list-diagnostics"). Exposed for tests and debug output. */
typedef struct LoaderHost {
        uint8_t elf_class;        /* the ABI of this ld.so: ELFCLASS64 + EM_X86_64, ELFCLASS32 + EM_386 */
        uint16_t machine;
        const char *platform;     /* $PLATFORM, e.g. "haswell", "x86_64", "i686" */
        const char *lib;          /* $LIB, e.g. "lib/x86_64-linux-gnu" */
        uint64_t hwcap;           /* legacy dl_hwcap & dl_hwcap_mask */
        char **hwcaps_subdirs;    /* active glibc-hwcaps subdirs, best first */
        char **subdirs;           /* every subdir tried in a search dir, in order, "" last */
        char **system_dirs;       /* default dirs, each ending in '/' */
        LdCacheQuery cache_query; /* its hwcaps is hwcaps_subdirs */
} LoaderHost;

/* Whether ld.so of glibc VERSION ("2.36") searches the legacy hwcaps subdirs
 * (tls/, x86_64/, haswell/...): before 2.37 only. */
bool glibc_searches_legacy_hwcaps(const char *version);

/* Fills *ret for a program of this class/machine whose PT_INTERP is interp (may be NULL).
 * -ENOEXEC when no glibc loader for it can run here. */
int loader_host_init(LoaderHost *ret, uint8_t elf_class, uint16_t machine, const char *interp, char **default_dirs);
void loader_host_done(LoaderHost *h);
