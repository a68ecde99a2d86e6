/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* elf_file_parse() on arbitrary bytes: every program and library of a closure
 * goes through it, and a file in a unit's path is not trusted to be well formed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf-file.h"
#include "fuzz.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ElfFile e = {};
        const char *why = NULL;

        if (size > FUZZ_MAX_INPUT)
                return 0;
        /* A copy of exactly size bytes, so ASan sees any read past the end. */
        uint8_t *copy = malloc(size ?: 1);
        if (!copy)
                return 0;
        memcpy(copy, data, size);
        int r = elf_file_parse_full(copy, size, &e, &why);
        if (r == 0) {
                /* Touch everything the loader search reads. */
                size_t n = strv_length(e.needed);
                for (size_t i = 0; i < e.n_dependencies; i++)
                        n += strlen(e.dependencies[i].name);
                n += e.interp ? strlen(e.interp) : 0;
                n += e.rpath ? strlen(e.rpath) : 0;
                n += e.runpath ? strlen(e.runpath) : 0;
                n += e.soname ? strlen(e.soname) : 0;
                (void) n;
                elf_file_done(&e);
        } else if (r == -EBADMSG && !why)
                abort(); /* a malformed file always says why */
        (void) elf_file_strerror(r);
        free(copy);
        return 0;
}
