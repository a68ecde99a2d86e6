/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reads /etc/ld.so.cache as glibc 2.36's ld.so does: the "glibc-ld.so.cache1.1"
 * format, alone or after the old "ld.so-1.7.0" table, with its extension
 * section naming glibc-hwcaps subdirectories, and looks a soname up with the
 * same binary search and the same preference rules. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct LdCache LdCache;

/* What the loader that does the lookup accepts: depends on the ELF class and
 * machine of the program (one ld.so per ABI) and on the CPU. */
typedef struct LdCacheQuery {
        uint32_t flags;           /* the loader's own entry flags, e.g. 0x0303 for x86-64 libc6 */
        bool accept_flags_elf;    /* also accept flags 1 and 3 (glibc's generic rule, used on i386) */
        char * const *hwcaps;     /* active glibc-hwcaps subdirs, most preferred first (NULL: none) */
        uint64_t hwcap;           /* legacy hwcap bits: dl_hwcap & hwcap_mask */
        uint64_t platform_mask;   /* legacy platform bits (_DL_HWCAP_PLATFORM) */
        uint64_t platform;        /* 1 << platform bit, or UINT64_MAX when the platform is unknown */
        uint32_t isa_levels;      /* x86 ISA levels the CPU supports: bit 0 baseline, 1 v2, 2 v3, 3 v4 */
} LdCacheQuery;

/* Parses a cache image (copied; data may be freed afterwards). Returns 0,
 * -EBADMSG when it is not a usable cache (unknown magic, truncated, wrong
 * endianness, bad extension directory), -ENOMEM. */
int ld_cache_parse(const void *data, size_t size, LdCache **ret);
/* Reads (read-file.h: a FIFO or device is refused, never waited on) and parses the file at
 * path; -errno when it cannot be read. */
int ld_cache_load(const char *path, LdCache **ret);
LdCache *ld_cache_free(LdCache *c);
static inline void ld_cache_freep(LdCache **c) {
        ld_cache_free(*c);
}
#define _cleanup_ld_cache_free_ __attribute__((cleanup(ld_cache_freep)))

/* The path glibc would pick for soname, or NULL. Points into c. */
const char *ld_cache_lookup(const LdCache *c, const char *soname, const LdCacheQuery *q);

/* Number of library entries (of the table that lookups use). */
size_t ld_cache_size(const LdCache *c);
