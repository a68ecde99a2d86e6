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
#include "string-util.h"

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

/* "elf:" and the file's identity in hex, without printf: one key per lookup. */
#define FILE_KEY_MAX (sizeof "elf" + 5 * (1 + 16))

static const char *file_key(char buf[static FILE_KEY_MAX], const struct stat *st) {
        const uint64_t id[] = { st->st_dev, st->st_ino, (uint64_t) st->st_size, (uint64_t) st->st_mtim.tv_sec,
                                (uint64_t) st->st_mtim.tv_nsec };
        char *p = stpcpy(buf, "elf"), digits[16];
        for (size_t i = 0; i < ELEMENTSOF(id); i++) {
                char *d = u64_digits_before(digits + sizeof digits, id[i], 16);
                *p++ = ':';
                p = mempcpy(p, d, (size_t) (digits + sizeof digits - d));
        }
        *p = 0;
        return buf;
}

/* The facts of a file seen before under any name, or NULL. */
static const ElfFacts *facts_known(LoaderCache *c, const char *key) {
        return key ? loader_cache_get(c, key) : NULL;
}

int elf_facts_get(LoaderCache *c, const char *path, const ElfFacts **ret, ElfFacts **ret_owned) {
        char by_path_buf[LOADER_CACHE_KEY_MAX], by_id_buf[FILE_KEY_MAX];
        struct stat st;

        /* By the name first (one lookup: each name is asked for again and again), then by
         * the file's identity (a library reached under two names is read once). */
        *ret_owned = NULL;
        const char *by_path = c ? loader_cache_key(by_path_buf, "facts", path) : NULL;
        const ElfFacts *known = facts_known(c, by_path);
        if (known) {
                *ret = known;
                return 0;
        }
        const char *by_id = c && loader_cache_stat(c, path, &st) >= 0 ? file_key(by_id_buf, &st) : NULL;
        ElfFacts *fresh = NULL;
        known = facts_known(c, by_id);
        if (!known) {
                int r = facts_read(path, &fresh);
                if (r < 0) {
                        elf_facts_free(fresh);
                        return r;
                }
                known = fresh;
                if (!by_id || loader_cache_put(c, by_id, fresh, facts_free) < 0) {
                        *ret = *ret_owned = fresh; /* not kept: not to be named by path either */
                        return 0;
                }
        }
        if (by_path) /* the entry by identity owns it */
                (void) loader_cache_put(c, by_path, (void *) known, NULL);
        *ret = known;
        return 0;
}
