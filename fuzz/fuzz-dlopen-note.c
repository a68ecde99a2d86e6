/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ELF dlopen metadata (.note.dlopen) on arbitrary bytes: the JSON payload, a note
 * walk in either byte order, and a whole ELF image (section headers or PT_NOTE
 * segments). Every library of a closure is read for it. The first byte picks the
 * layer, so that one corpus covers all three; the walk must stay linear in the
 * input (libFuzzer's -timeout catches a quadratic one). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dlopen-note.h"
#include "fuzz.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        DlopenNote note = {};
        int r;

        if (size < 1 || size > FUZZ_MAX_INPUT)
                return 0;
        uint8_t mode = data[0] % 4;
        data++, size--;
        /* A copy of exactly size bytes, so ASan sees any read past the end. */
        uint8_t *copy = malloc(size ?: 1);
        if (!copy)
                return 0;
        memcpy(copy, data, size);
        if (mode == 0)
                r = dlopen_note_parse_json((const char *) copy, size, &note);
        else if (mode == 1 || mode == 2)
                r = dlopen_note_parse_notes(copy, size, mode == 2, &note);
        else
                r = dlopen_note_parse_elf(copy, size, &note);
        if (r == 0) {
                /* Touch everything the closure reads. */
                size_t n = 0;
                for (size_t i = 0; i < note.n_entries; i++) {
                        const DlopenEntry *e = note.entries + i;
                        if (strv_length(e->sonames) == 0)
                                abort(); /* an entry always names a library */
                        STRV_FOREACH(s, e->sonames)
                                n += strlen(*s);
                        n += e->feature ? strlen(e->feature) : 0;
                        n += e->description ? strlen(e->description) : 0;
                        (void) dlopen_priority_to_string(e->priority);
                }
                (void) n;
        } else if (r != -EBADMSG && r != -ENOEXEC && r != -ENOMEM)
                abort();
        dlopen_note_done(&note);
        free(copy);
        return 0;
}
