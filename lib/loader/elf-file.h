/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reads the parts of an ELF file that glibc's dynamic loader looks at: class,
 * machine, type, PT_INTERP and the dynamic section (DT_NEEDED, DT_RPATH,
 * DT_RUNPATH, DT_SONAME, DT_FLAGS_1, DT_FILTER, DT_AUXILIARY). Input may be
 * hostile: every offset and size is checked against the file size. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ElfDependencyKind {
        ELF_DEPENDENCY_NEEDED,    /* DT_NEEDED */
        ELF_DEPENDENCY_FILTER,    /* DT_FILTER: the filtee must load */
        ELF_DEPENDENCY_AUXILIARY, /* DT_AUXILIARY: the filtee is optional */
} ElfDependencyKind;

typedef struct ElfDependency {
        ElfDependencyKind kind;
        char *name;
} ElfDependency;

typedef struct ElfFile {
        uint8_t elf_class;  /* ELFCLASS32 or ELFCLASS64 */
        uint8_t data;       /* ELFDATA2LSB or ELFDATA2MSB */
        uint8_t ident_version, osabi, abiversion;
        bool ident_padding_nonzero;
        uint16_t machine;   /* e_machine */
        uint16_t type;      /* e_type */
        uint32_t version;   /* e_version */

        char *interp;       /* PT_INTERP, NULL if none */
        bool has_dynamic;   /* PT_DYNAMIC present */

        /* From the dynamic section, NULL when absent. */
        char **needed;      /* DT_NEEDED, in file order */
        ElfDependency *dependencies; /* DT_NEEDED, DT_FILTER, DT_AUXILIARY in file order */
        size_t n_dependencies;
        char *rpath;
        char *runpath;
        char *soname;
        uint64_t flags_1;   /* DT_FLAGS_1 */
        bool nodeflib;      /* DF_1_NODEFLIB in DT_FLAGS_1 */
} ElfFile;

/* Parses an ELF image in memory. Returns 0, -ENOEXEC when data is not an ELF
 * file, -EBADMSG when it is malformed or truncated, -ENOMEM. On success the
 * caller releases *ret with elf_file_done(). Never reads outside data. */
int elf_file_parse(const void *data, size_t size, ElfFile *ret);

/* Like elf_file_parse() on the contents of path, read with bounded pread()s of
 * what the loader reads (never the whole file). Also returns -errno from
 * open/fstat/pread. */
int elf_file_read(const char *path, ElfFile *ret);

/* The same, also pointing *ret_why (may be NULL) at a static phrase saying what
 * is wrong on -EBADMSG, e.g. "truncated dynamic section". */
int elf_file_parse_full(const void *data, size_t size, ElfFile *ret, const char **ret_why);
int elf_file_read_full(const char *path, ElfFile *ret, const char **ret_why);

void elf_file_done(ElfFile *e);

/* Short human text for an elf_file_parse() error. */
const char *elf_file_strerror(int error);

/* The file reader under elf_file_read(), for other readers of ELF parts (the
 * .note.dlopen notes): bytes read with pread() on demand, in chunks kept until
 * close. elf_reader_open() returns -errno, -EISDIR, -ENOEXEC for a file that is
 * not regular. elf_reader_bytes() returns n bytes at offset, valid until close, or
 * NULL when they are outside the file or cannot be read (elf_reader_error() then
 * says which: 0 outside the file, or a negative errno). */
typedef struct ElfReader ElfReader;
int elf_reader_open(const char *path, ElfReader **ret);
uint64_t elf_reader_size(const ElfReader *r);
const void *elf_reader_bytes(ElfReader *r, uint64_t offset, size_t n);
int elf_reader_error(const ElfReader *r);
/* elf_file_read_full() through a reader opened already: the chunks it reads stay
 * for the reader's next user (one open and one read of the headers per file). */
int elf_file_read_reader(ElfReader *r, ElfFile *ret, const char **ret_why);
ElfReader *elf_reader_close(ElfReader *r);
static inline void elf_reader_closep(ElfReader **r) {
        elf_reader_close(*r);
}
