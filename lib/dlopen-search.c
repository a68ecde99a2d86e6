/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dlopen-search.h"

#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf-file.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
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

/* A file the loader would accept: ELF of the caller's class and machine.
 * Anything else is skipped, as open_verify() skips other ABIs. */
static bool usable(const LoaderHost *h, const char *path) {
        unsigned char e[sizeof(Elf64_Ehdr)] = {};
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 || pread(fd, e, sizeof e, 0) < (ssize_t) sizeof(Elf32_Ehdr))
                return false;
        uint16_t machine;
        memcpy(&machine, e + offsetof(Elf64_Ehdr, e_machine), sizeof machine);
        return memcmp(e, ELFMAG, SELFMAG) == 0 && e[EI_CLASS] == h->elf_class && machine == h->machine;
}

/* Length of the token "$NAME" or "${NAME}" at p, 0 when p holds another one. */
static size_t token_length(const char *p, const char *name) {
        size_t n = strlen(name);
        if (p[1] == '{' && strncmp(p + 2, name, n) == 0 && p[2 + n] == '}')
                return n + 3;
        if (strncmp(p + 1, name, n) == 0 && !(isalnum((unsigned char) p[1 + n]) || p[1 + n] == '_'))
                return n + 1;
        return 0;
}

/* $ORIGIN, $LIB and $PLATFORM as ld.so expands them; NULL when the entry
 * cannot be used (an unknown token, $ORIGIN without a caller) or on -ENOMEM. */
static char *expand(const LoaderHost *h, const char *origin, const char *dir) {
        const char *names[] = { "ORIGIN", "LIB", "PLATFORM" }, *values[] = { origin, h->lib, h->platform };
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        bool ok = f;
        for (const char *p = dir; ok && *p;) {
                size_t len = 0, i;
                if (*p != '$') {
                        fputc(*p++, f);
                        continue;
                }
                for (i = 0; i < ELEMENTSOF(names) && len == 0; i++)
                        len = token_length(p, names[i]);
                ok = len > 0 && values[i - 1];
                if (ok)
                        fputs(values[i - 1], f);
                p += len;
        }
        if (f && fclose(f) != 0)
                ok = false;
        if (!ok)
                buf = (free(buf), NULL);
        return buf;
}

/* Every dir of a colon list, every hwcaps subdir of it: the first usable file. */
static int search_dirs(const LoaderHost *h, const char *origin, const char *list, const char *soname,
                       char **ret_path) {
        _cleanup_strv_free_ char **dirs = NULL;
        if (strv_split(list, ":;", &dirs) < 0)
                return -ENOMEM;
        STRV_FOREACH(d, dirs) {
                _cleanup_free_ char *dir = expand(h, origin, *d);
                if (!dir)
                        continue;
                STRV_FOREACH(sub, h->subdirs) {
                        _cleanup_free_ char *p = asprintf_safe("%s%s%s%s", dir, endswith(dir, "/") ? "" : "/",
                                                               *sub, soname);
                        if (!p)
                                return -ENOMEM;
                        if (usable(h, p)) {
                                *ret_path = TAKE_PTR(p);
                                return 1;
                        }
                }
        }
        return 0;
}

static bool in_system_dir(const LoaderHost *h, const char *path) {
        STRV_FOREACH(d, h->system_dirs)
                if (startswith(path, *d))
                        return true;
        return false;
}

static int search_cache(const LoaderConfig *cfg, const LoaderHost *h, bool nodeflib, const char *soname,
                        char **ret_path) {
        _cleanup_ld_cache_free_ LdCache *cache = NULL;
        if (ld_cache_load(cfg->cache_file ?: "/etc/ld.so.cache", &cache) < 0)
                return 0; /* ld.so ignores an unusable cache */
        const char *hit = ld_cache_lookup(cache, soname, &h->cache_query);
        if (!hit || (nodeflib && in_system_dir(h, hit)) || !usable(h, hit))
                return 0;
        *ret_path = strdup(hit);
        return *ret_path ? 1 : -ENOMEM;
}

static int search(const LoaderConfig *cfg, const LoaderHost *h, const ElfFile *caller, const char *origin,
                  const char *soname, char **ret_path, DlopenVia *ret_via) {
        _cleanup_free_ char *library_path = strv_join(cfg->library_path, ":");
        int r = 0;
        if (!library_path)
                return -ENOMEM;
        if (caller && caller->rpath && !caller->runpath && (r = search_dirs(h, origin, caller->rpath, soname, ret_path)))
                return *ret_via = DLOPEN_VIA_RPATH, r;
        if ((r = search_dirs(h, origin, library_path, soname, ret_path)))
                return *ret_via = DLOPEN_VIA_LIBRARY_PATH, r;
        if (caller && caller->runpath && (r = search_dirs(h, origin, caller->runpath, soname, ret_path)))
                return *ret_via = DLOPEN_VIA_RUNPATH, r;
        bool nodeflib = caller && caller->nodeflib;
        if ((r = search_cache(cfg, h, nodeflib, soname, ret_path)))
                return *ret_via = DLOPEN_VIA_CACHE, r;
        if (nodeflib)
                return 0;
        _cleanup_free_ char *defaults = strv_join(h->system_dirs, ":");
        if (!defaults)
                return -ENOMEM;
        if ((r = search_dirs(h, origin, defaults, soname, ret_path)))
                return *ret_via = DLOPEN_VIA_DEFAULT_DIRS, r;
        return 0;
}

int dlopen_search(const LoaderConfig *cfg, const char *caller, const char *soname, char **ret_path,
                  DlopenVia *ret_via) {
        ElfFile elf = {};
        LoaderHost h = {};
        _cleanup_free_ char *origin = caller ? path_dirname(caller) : NULL;
        int r;

        if (isempty(soname))
                return -ENOENT;
        /* Without a caller the dlopen() is glibc's own (NSS): the host's ABI. */
        r = elf_file_read(caller ?: "/proc/self/exe", &elf);
        if (r < 0)
                return r == -ENOMEM ? r : -ENOEXEC;
        r = loader_host_init(&h, elf.elf_class, elf.machine, elf.interp, cfg->default_dirs);
        if (r >= 0 && strchr(soname, '/')) {
                r = usable(&h, soname) ? 1 : 0;
                if (r > 0 && !(*ret_path = strdup(soname)))
                        r = -ENOMEM;
                *ret_via = DLOPEN_VIA_PATH;
        } else if (r >= 0)
                r = search(cfg, &h, caller ? &elf : NULL, origin, soname, ret_path, ret_via);
        loader_host_done(&h);
        elf_file_done(&elf);
        if (r == 0)
                return -ENOENT;
        return r < 0 ? r : 0;
}
