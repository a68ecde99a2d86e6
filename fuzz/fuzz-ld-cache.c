/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ld_cache_parse() and lookups on arbitrary bytes: /etc/ld.so.cache is read by
 * the generator at every boot, whatever state the file is in. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ld-cache.h"
#include "macro.h"

static const char *const fuzz_ld_cache_sonames[] = {
        "libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libz.so.1",
        "libfuzza.so.1", "libfuzzb.so.2", "", "lib", "libzzzzzzzz.so.99",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char *const hwcaps[] = { (char *) "x86-64-v4", (char *) "x86-64-v3", (char *) "x86-64-v2", NULL };
        /* The x86-64 loader on a CPU with every level, and the i386 one with
         * glibc's generic flags rule and a known platform. */
        const LdCacheQuery queries[] = {
                { .flags = 0x0303, .hwcaps = hwcaps, .hwcap = 0, .platform_mask = 0,
                  .platform = UINT64_MAX, .isa_levels = 0xf },
                { .flags = 0x0803, .accept_flags_elf = true, .hwcap = UINT64_C(0xffffffff),
                  .platform_mask = UINT64_C(0xff) << 48, .platform = UINT64_C(1) << 48, .isa_levels = 1 },
        };
        LdCache *c = NULL;

        if (size > FUZZ_MAX_INPUT)
                return 0;
        if (ld_cache_parse(data, size, &c) < 0)
                return 0;
        (void) ld_cache_size(c);
        for (size_t q = 0; q < ELEMENTSOF(queries); q++)
                for (size_t i = 0; i < ELEMENTSOF(fuzz_ld_cache_sonames); i++) {
                        const char *p = ld_cache_lookup(c, fuzz_ld_cache_sonames[i], &queries[q]);
                        if (p)
                                (void) strlen(p);
                }
        ld_cache_free(c);
        return 0;
}
