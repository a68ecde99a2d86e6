/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* ELF dlopen metadata, as systemd proposes it (https://systemd.io/ELF_DLOPEN_METADATA/):
 * notes of owner "FDO" and type 0x407c0c0a, conventionally in a section named
 * .note.dlopen, each carrying a JSON array of objects
 *
 *     [{"feature":"tpm","description":"...","priority":"recommended",
 *       "soname":["libtss2-esys.so.0","libtss2-esys.so"]}]
 *
 * naming the libraries a program dlopen()s. The JSON parser accepts exactly
 * that shape (an array of objects; "soname" a non-empty array of strings; the
 * other known keys strings; unknown keys skipped when they are valid JSON) and
 * rejects anything else; input may be hostile, so every read is bounded and
 * nesting is limited. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf-file.h"

#define DLOPEN_NOTE_OWNER "FDO"
#define DLOPEN_NOTE_TYPE UINT32_C(0x407c0c0a)

typedef enum DlopenPriority {
        DLOPEN_PRIORITY_REQUIRED,
        DLOPEN_PRIORITY_RECOMMENDED, /* the default when "priority" is absent */
        DLOPEN_PRIORITY_SUGGESTED,
} DlopenPriority;

typedef struct DlopenEntry {
        char **sonames;     /* in order of preference; dlopen() tries them in turn */
        char *feature;      /* may be NULL */
        char *description;  /* may be NULL */
        DlopenPriority priority;
} DlopenEntry;

typedef struct DlopenNote {
        DlopenEntry *entries;
        size_t n_entries;
} DlopenNote;

/* Parses one note's payload (trailing NUL padding allowed) and appends its
 * entries to *note. Returns 0, -EBADMSG on anything but the expected shape,
 * -ENOMEM. On error *note is unchanged. */
int dlopen_note_parse_json(const char *json, size_t size, DlopenNote *note);

/* Parses the contents of a SHT_NOTE section or PT_NOTE segment (a sequence of
 * Elf_Nhdr with 4-byte aligned name and descriptor), in the byte order given,
 * appending the entries of every dlopen note. Other notes are skipped. */
int dlopen_note_parse_notes(const void *data, size_t size, bool big_endian, DlopenNote *note);

/* Every dlopen note of the ELF file at path (all SHT_NOTE sections, whatever
 * their name; a stripped file without section headers: the PT_NOTE segments).
 * Returns 0 (with n_entries 0 when there is none), -ENOEXEC when path is not
 * ELF, -EBADMSG when the file or a dlopen note is malformed, -errno. */
int dlopen_note_read(const char *path, DlopenNote *ret);
/* The same through a reader opened already, sharing what it read. */
int dlopen_note_read_reader(ElfReader *reader, DlopenNote *ret);
/* The same on an ELF image in memory. */
int dlopen_note_parse_elf(const void *data, size_t size, DlopenNote *ret);

void dlopen_note_done(DlopenNote *note);
const char *dlopen_priority_to_string(DlopenPriority p);
