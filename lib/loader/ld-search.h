/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The files glibc 2.36's ld.so opens to start a program: PT_INTERP, LD_PRELOAD
 * and /etc/ld.so.preload, then every DT_NEEDED/DT_FILTER/DT_AUXILIARY breadth
 * first, each name resolved as elf/dl-load.c does (first loaded wins; DT_RPATH
 * up the loader chain unless DT_RUNPATH; LD_LIBRARY_PATH; DT_RUNPATH;
 * ld.so.cache; default dirs; DF_1_NODEFLIB; $ORIGIN, $LIB, $PLATFORM; in every
 * dir the glibc-hwcaps and legacy hwcaps subdirs this CPU selects). */

#include <stdbool.h>
#include <stdint.h>

#include "ld-cache.h"
#include "ld-host.h"
#include "loader-cache.h"

typedef struct LoaderConfig {
        char **library_path;      /* LD_LIBRARY_PATH entries from the unit's environment (may be NULL) */
        char **preload;           /* LD_PRELOAD entries from the unit's environment (may be NULL) */
        const char *preload_file; /* NULL = "/etc/ld.so.preload" */
        const char *cache_file;   /* NULL = "/etc/ld.so.cache" */
        char **default_dirs;      /* NULL = glibc's built-in defaults for this host */
        bool as_library;          /* "program" is a shared library some program dlopen()s: resolve its
                                   * DT_NEEDED with the standard interpreter for its class and machine,
                                   * $ORIGIN from the path given (as dlopen() takes it) */
        LoaderCache *run_cache;   /* what earlier calls of this run learnt (loader-cache.h); NULL: read
                                   * every file afresh, for callers that change files between calls */
} LoaderConfig;

/* Called for every file ld.so would open for the program, in load order, with the path as
 * the loader finds it (e.g. "/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6"; NOT
 * its realpath), the object that asked for it as the walk names it (the program, or a library
 * as ld.so found it; NULL for the preload file, which ld.so reads for every program), and a
 * short human reason ("PT_INTERP of /usr/bin/ls", "DT_NEEDED libfoo.so.1 of /x/bin/prog via
 * DT_RUNPATH $ORIGIN/../lib"). Also called for the cache file when a search consulted it (its
 * parent the object whose search did) and for the preload file when it exists and is used.
 * Not called for the program itself. A negative return aborts the walk and is returned. */
typedef int (*loader_found_fn)(const char *path, const char *parent, const char *reason, void *userdata);

/* Returns 0, or a negative errno with *ret_error set to a one-line human message naming
 * the file and the cause, e.g. "libmissing.so.1 needed by /opt/x/bin/prog: not found",
 * "/usr/bin/x: malformed ELF: truncated dynamic section", "/usr/bin/x: ELF for machine 183 cannot run here". */
int loader_closure(const LoaderConfig *cfg, const char *program, loader_found_fn found, void *userdata, char **ret_error);

/* Where dlopen(name) called from the ELF object caller (NULL: glibc itself, for NSS and
 * gconv) finds the library: the same search as for a DT_NEEDED of caller, which is object 0
 * of the walk (its DT_RPATH unless it has DT_RUNPATH, LD_LIBRARY_PATH, DT_RUNPATH,
 * ld.so.cache, default dirs, DF_1_NODEFLIB; $ORIGIN the dir of the path given; the
 * hwcaps subdirs; open_verify()'s checks, whose failures end the search as they make
 * dlopen() fail). The RPATH chain of whatever loaded the caller is not followed: it is
 * not known here. A name with a slash is only verified. Returns 0 with *ret_path (the
 * path the loader opens, not its realpath) and *ret_via (may be NULL: "DT_RPATH DIR",
 * "LD_LIBRARY_PATH DIR", "DT_RUNPATH DIR", "ld.so.cache", "default dir DIR", "its
 * path"); *ret_cache_consulted (may be NULL) says whether the search read ld.so.cache;
 * -ENOENT when nothing loads, -ENOEXEC when only an ELF of another class does or a
 * candidate is not a loadable ELF file, with *ret_error (may be NULL) saying which. */
int loader_dlopen_search(const LoaderConfig *cfg, const char *caller, const char *name, char **ret_path,
                         char **ret_via, bool *ret_cache_consulted, char **ret_error);

/* True when the program's own DT_RPATH/DT_RUNPATH uses $ORIGIN (the generator then needs the
 * program's real path to be what the kernel executes). Also true when one of its DT_NEEDED,
 * DT_FILTER or DT_AUXILIARY names uses $ORIGIN. With c (may be NULL) the file is read once per
 * run. Returns 1, 0 or a negative errno. */
int loader_program_uses_origin(LoaderCache *c, const char *program);
