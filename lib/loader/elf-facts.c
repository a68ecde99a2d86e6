/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "elf-facts.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"

ElfFacts *elf_facts_free(ElfFacts *f) {
        if (f) {
                elf_file_done(&f->elf);
                dlopen_note_done(&f->note);
                free(f);
        }
        return NULL;
}

static void facts_free(void *p) {
        elf_facts_free(p);
}

/* One open, then the same chunks for the header look, the loader's parse and the notes. */
static int facts_read(const char *path, ElfFacts **ret) {
        _cleanup_(elf_reader_closep) ElfReader *reader = NULL;
        ElfFacts *f = calloc(1, sizeof(ElfFacts));
        if (!f)
                return -ENOMEM;
        *ret = f;

        f->open_result = elf_reader_open(path, &reader);
        if (f->open_result < 0) {
                f->result = f->open_result;
                f->note_result = f->open_result == -EISDIR ? -ENOEXEC : f->open_result;
                return f->open_result == -ENOMEM ? -ENOMEM : 0;
        }
        uint64_t size = elf_reader_size(reader);
        const unsigned char *head = size >= 2 ? elf_reader_bytes(reader, 0, size >= SELFMAG ? SELFMAG : 2) : NULL;
        f->elf_magic = head && size >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
        f->shebang = head && head[0] == '#' && head[1] == '!';
        if (size >= 2 && !head && elf_reader_error(reader) == -ENOMEM)
                return -ENOMEM;

        f->result = elf_file_read_reader(reader, &f->elf, &f->why);
        if (f->result == -ENOMEM)
                return -ENOMEM;
        /* The notes only of a file ld.so could map: the others fail anyway. */
        f->note_result = f->result < 0 ? f->result : dlopen_note_read_reader(reader, &f->note);
        return f->note_result == -ENOMEM ? -ENOMEM : 0;
}

int elf_facts_get(LoaderCache *c, const char *path, const ElfFacts **ret, ElfFacts **ret_owned) {
        char key[128];
        struct stat st;

        *ret_owned = NULL;
        bool keyed = c && loader_cache_stat(c, path, &st) >= 0 &&
                     snprintf(key, sizeof key, "elf:%" PRIuMAX ":%" PRIuMAX ":%" PRIdMAX ":%" PRIdMAX ".%09ld",
                              (uintmax_t) st.st_dev, (uintmax_t) st.st_ino, (intmax_t) st.st_size,
                              (intmax_t) st.st_mtim.tv_sec, st.st_mtim.tv_nsec) < (int) sizeof key;
        const ElfFacts *known = keyed ? loader_cache_get(c, key) : NULL;
        if (known) {
                *ret = known;
                return 0;
        }

        ElfFacts *fresh = NULL;
        int r = facts_read(path, &fresh);
        if (r < 0) {
                elf_facts_free(fresh);
                return r;
        }
        *ret = fresh;
        if (!keyed || loader_cache_put(c, key, fresh, facts_free) < 0)
                *ret_owned = fresh;
        return 0;
}
