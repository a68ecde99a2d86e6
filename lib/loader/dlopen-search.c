/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dlopen-search.h"

#include <errno.h>
#include <stdlib.h>

#include "log.h"
#include "macro.h"
#include "strv.h"

const char *dlopen_via_to_string(DlopenVia v) {
        static const char *const names[] = {
                [DLOPEN_VIA_PATH] = "path",
                [DLOPEN_VIA_RPATH] = "DT_RPATH",
                [DLOPEN_VIA_LIBRARY_PATH] = "LD_LIBRARY_PATH",
                [DLOPEN_VIA_RUNPATH] = "DT_RUNPATH",
                [DLOPEN_VIA_CACHE] = "ld.so.cache",
                [DLOPEN_VIA_DEFAULT_DIRS] = "default dirs",
        };
        return v < ELEMENTSOF(names) ? names[v] : "?";
}

/* The step of the search named by loader_dlopen_search()'s via text. */
static DlopenVia via_of(const char *via) {
        if (startswith(via, "DT_RPATH"))
                return DLOPEN_VIA_RPATH;
        if (startswith(via, "LD_LIBRARY_PATH"))
                return DLOPEN_VIA_LIBRARY_PATH;
        if (startswith(via, "DT_RUNPATH"))
                return DLOPEN_VIA_RUNPATH;
        if (startswith(via, "ld.so.cache"))
                return DLOPEN_VIA_CACHE;
        if (startswith(via, "default dir"))
                return DLOPEN_VIA_DEFAULT_DIRS;
        return DLOPEN_VIA_PATH;
}

int dlopen_search(const LoaderConfig *cfg, const char *caller, const char *soname, char **ret_path,
                  DlopenVia *ret_via) {
        _cleanup_free_ char *via = NULL, *error = NULL;
        if (isempty(soname))
                return -ENOENT;
        int r = loader_dlopen_search(cfg, caller, soname, ret_path, &via, NULL, &error);
        if (r < 0) {
                if (r != -ENOMEM)
                        log_debug("dlopen(\"%s\") from %s: %s", soname, caller ?: "glibc", error ?: strerror(-r));
                return r;
        }
        *ret_via = via_of(via);
        return 0;
}
