/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Everything the generator learns from one ELF file, read with one open(): what ld.so
 * reads (elf-file.h), the .note.dlopen notes (dlopen-note.h) and what the first bytes
 * say the file is. With a run cache (loader-cache.h) once per file (device, inode,
 * size, mtime) and run: the program's sniff, its DT_NEEDED walk, its $ORIGIN check and
 * its notes, and every program's copy of libc, share one read. */

#include <stdbool.h>

#include "dlopen-note.h"
#include "elf-file.h"
#include "loader-cache.h"

typedef struct ElfFacts {
        int open_result;   /* 0, or -errno of open()/fstat(); -EISDIR, -ENOEXEC: not a regular file */
        bool elf_magic;    /* the file starts with \177ELF */
        bool shebang;      /* the file starts with #! */
        int result;        /* elf_file_read_reader()'s: 0, -ENOEXEC, -EBADMSG, -errno */
        const char *why;   /* on -EBADMSG, what is wrong (static) */
        ElfFile elf;       /* when result is 0 */
        int note_result;   /* dlopen_note_read_reader()'s: 0, or why there is no note */
        DlopenNote note;   /* when note_result is 0 */
} ElfFacts;

/* The facts of path. With c, *ret belongs to the cache and *ret_owned is NULL; without
 * (or when the cache cannot keep it), *ret_owned is set to the same object, for the
 * caller to free with elf_facts_free(). Returns 0 (the file's own errors are in the
 * facts) or -ENOMEM. */
int elf_facts_get(LoaderCache *c, const char *path, const ElfFacts **ret, ElfFacts **ret_owned);

ElfFacts *elf_facts_free(ElfFacts *f);
static inline void elf_facts_freep(ElfFacts **f) {
        elf_facts_free(*f);
}
