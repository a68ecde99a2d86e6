/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "elf-file.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "strv.h"

/* Returns -EBADMSG and says why, for the caller's one-line error message. */
#define MALFORMED(why_ptr, text) ({ if (why_ptr) *(why_ptr) = (text); -EBADMSG; })

static uint64_t min_u64(uint64_t a, uint64_t b) {
        return a < b ? a : b;
}

/* Bytes of a file read with pread(), as ld.so reads a few headers instead of mapping
 * the whole file: chunks of at least CHUNK_SIZE bytes, kept until the parse ends. 8 KiB:
 * over the bench's 1321 programs and their libraries one process read 21 MB in 1,700
 * preads (5.4 ms) with 16 KiB chunks, 14.5 MB in 2,000 (4.0 ms) with 8 KiB, 10.6 MB in
 * 2,800 (3.8 ms) with 4 KiB; on a cold cache each pread is a disk read (FADV_RANDOM), so
 * the fewer the better once the copying stops mattering. */
#define CHUNK_SIZE (8U * 1024U)
#define MAX_CHUNKS 256U /* then the file is unusual enough to be refused */

typedef struct Chunk {
        uint64_t offset;
        size_t size;
        uint8_t *data;
} Chunk;

typedef struct Reader {
        int fd;
        Chunk chunks[MAX_CHUNKS];
        size_t n_chunks;
        int error; /* a failed read: the parse's error, not "malformed" */
} Reader;

static void reader_done(Reader *r) {
        for (size_t i = 0; i < r->n_chunks; i++)
                free(r->chunks[i].data);
        r->n_chunks = 0;
}

/* A bounds-checked, endian-aware view of the file: in memory (data), or read on
 * demand (reader). */
typedef struct Image {
        const uint8_t *data;
        Reader *reader;
        size_t size;
        bool big_endian;
        bool is64;
} Image;

/* The chunk read already that holds the n bytes at offset, or NULL. */
static const Chunk *reader_find(const Reader *r, uint64_t offset, size_t n) {
        for (size_t i = 0; i < r->n_chunks; i++) {
                const Chunk *c = r->chunks + i;
                if (offset >= c->offset && n <= c->size && offset - c->offset <= c->size - n)
                        return c;
        }
        return NULL;
}

/* A new chunk holding the n bytes at offset, read from the file. */
static const Chunk *reader_read(Reader *r, uint64_t file_size, uint64_t offset, size_t n) {
        if (r->n_chunks >= MAX_CHUNKS) {
                r->error = r->error ?: -E2BIG;
                return NULL;
        }
        uint64_t start = offset & ~(uint64_t) 4095;
        uint64_t size = offset - start + n;
        if (size < CHUNK_SIZE)
                size = CHUNK_SIZE;
        if (size > file_size - start)
                size = file_size - start;
        uint8_t *buf = malloc(size ?: 1);
        if (!buf) {
                r->error = -ENOMEM;
                return NULL;
        }
        for (size_t done = 0; done < size;) {
                ssize_t k = pread(r->fd, buf + done, size - done, (off_t) (start + done));
                if (k <= 0) {
                        r->error = k < 0 ? -errno : -EIO; /* shorter than fstat() said: it changed */
                        free(buf);
                        return NULL;
                }
                done += (size_t) k;
        }
        r->chunks[r->n_chunks] = (Chunk) { .offset = start, .size = size, .data = buf };
        return r->chunks + r->n_chunks++;
}

/* The chunk holding the n bytes at offset: one read already, or a new one. */
static const Chunk *reader_chunk(Reader *r, uint64_t file_size, uint64_t offset, size_t n) {
        const Chunk *c = reader_find(r, offset, n);
        return c ?: reader_read(r, file_size, offset, n);
}

static const uint8_t *reader_bytes(Reader *r, uint64_t file_size, uint64_t offset, size_t n) {
        const Chunk *c = reader_chunk(r, file_size, offset, n);
        return c ? c->data + (offset - c->offset) : NULL;
}

/* n bytes at offset, or NULL when they are outside the file (or cannot be read). */
static const uint8_t *image_bytes(const Image *im, uint64_t offset, size_t n) {
        if (offset > im->size || n > im->size - offset)
                return NULL;
        return im->reader ? reader_bytes(im->reader, im->size, offset, n) : im->data + offset;
}

/* The bytes from offset on that are in memory once its first n are, at most max (>= n):
 * a table decoded from them takes one look-up, not one per field, and reads only what
 * reading its first field would (the chunk that holds it). NULL as image_bytes(); else
 * *ret_avail, from n to max, says how many. */
static const uint8_t *image_view(const Image *im, uint64_t offset, size_t n, uint64_t max, uint64_t *ret_avail) {
        if (offset > im->size || n > im->size - offset)
                return NULL;
        if (!im->reader) {
                *ret_avail = min_u64(im->size - offset, max);
                return im->data + offset;
        }
        const Chunk *c = reader_chunk(im->reader, im->size, offset, n);
        if (!c)
                return NULL;
        *ret_avail = min_u64(c->size - (offset - c->offset), max);
        return c->data + (offset - c->offset);
}

/* Where a PT_LOAD segment's file bytes sit, to turn addresses into offsets. */
typedef struct Segment {
        uint64_t vaddr, offset, filesz;
} Segment;

typedef struct Layout {
        Segment *loads;
        size_t n_loads;
        bool have_interp;
        uint64_t interp_offset, interp_size;
        bool have_dynamic;
        uint64_t dynamic_vaddr, dynamic_offset, dynamic_size;
} Layout;

/* The n-byte field (2, 4 or 8) at p, in the file's byte order. */
static uint64_t image_decode(const Image *im, const uint8_t *p, size_t n) {
        /* The file's byte order as the host's (every ELF file of a little-endian host
         * but the odd foreign one): one load. */
        if (im->big_endian == (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)) {
                switch (n) {
                case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
                case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
                case 8: { uint64_t v; memcpy(&v, p, 8); return v; }
                }
        }
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++) {
                size_t k = im->big_endian ? i : n - 1 - i;
                v = (v << 8) | p[k];
        }
        return v;
}

static bool image_read(const Image *im, uint64_t offset, size_t n, uint64_t *ret) {
        const uint8_t *p = image_bytes(im, offset, n);
        if (!p)
                return false;
        *ret = image_decode(im, p, n);
        return true;
}

/* Reads field f of the struct type T (from <elf.h>) found at offset base. */
#define READ_FIELD(im, base, T, f, ret) \
        image_read((im), (uint64_t) (base) + offsetof(T, f), sizeof(((T *) NULL)->f), (ret))
/* Same, choosing the Elf32_ or Elf64_ variant by class. */
#define READ_CLASS_FIELD(im, base, T, f, ret)                                   \
        ((im)->is64 ? READ_FIELD(im, base, Elf64_##T, f, ret)                   \
                    : READ_FIELD(im, base, Elf32_##T, f, ret))
/* Field f of the struct found at p, in memory already. */
#define FIELD_AT(im, p, T, f) image_decode((im), (p) + offsetof(T, f), sizeof(((T *) NULL)->f))
#define CLASS_FIELD_AT(im, p, T, f) \
        ((im)->is64 ? FIELD_AT(im, p, Elf64_##T, f) : FIELD_AT(im, p, Elf32_##T, f))
/* Where field f of the struct ends: a struct read up to its field f needs that many bytes. */
#define FIELD_END(T, f) (offsetof(T, f) + sizeof(((T *) NULL)->f))
#define CLASS_FIELD_END(im, T, f) ((im)->is64 ? FIELD_END(Elf64_##T, f) : FIELD_END(Elf32_##T, f))

/* Copies the NUL-terminated string at offset, which must end before limit. */
static int image_string(const Image *im, uint64_t offset, uint64_t limit, char **ret, const char **why) {
        if (limit > im->size)
                limit = im->size;
        if (offset >= limit)
                return MALFORMED(why, "string outside the file");

        /* Read as far as the NUL, in growing steps: names are short. */
        const uint8_t *start = NULL, *nul = NULL;
        for (uint64_t n = 256; !nul; n *= 4) {
                uint64_t avail = min_u64(n, limit - offset);
                start = image_bytes(im, offset, avail);
                if (!start)
                        return im->reader && im->reader->error ? im->reader->error : MALFORMED(why, "string outside the file");
                nul = memchr(start, 0, avail);
                if (!nul && avail == limit - offset)
                        return MALFORMED(why, "unterminated string");
        }

        char *s = strndup((const char *) start, nul - start);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int parse_ident(const uint8_t *data, size_t size, Image *im, ElfFile *e, const char **why) {
        if (size < SELFMAG || memcmp(data, ELFMAG, SELFMAG) != 0)
                return -ENOEXEC;
        if (size < EI_NIDENT)
                return MALFORMED(why, "file too short");

        e->elf_class = data[EI_CLASS];
        e->data = data[EI_DATA];
        e->ident_version = data[EI_VERSION];
        e->osabi = data[EI_OSABI];
        e->abiversion = data[EI_ABIVERSION];
        for (size_t i = EI_PAD; i < EI_NIDENT; i++)
                if (data[i] != 0)
                        e->ident_padding_nonzero = true;

        if (e->elf_class != ELFCLASS32 && e->elf_class != ELFCLASS64)
                return MALFORMED(why, "unknown ELF class");
        if (e->data != ELFDATA2LSB && e->data != ELFDATA2MSB)
                return MALFORMED(why, "unknown ELF data encoding");

        *im = (Image) {
                .data = data,
                .size = size,
                .big_endian = e->data == ELFDATA2MSB,
                .is64 = e->elf_class == ELFCLASS64,
        };
        return 0;
}

/* The program header at offset at, decoded from p when the caller has its bytes in
 * memory, else read field by field. */
static int parse_program_header(const Image *im, const uint8_t *p, uint64_t at, Layout *layout, const char **why) {
        uint64_t type, offset, vaddr, filesz;

        if (p) {
                type = CLASS_FIELD_AT(im, p, Phdr, p_type);
                offset = CLASS_FIELD_AT(im, p, Phdr, p_offset);
                vaddr = CLASS_FIELD_AT(im, p, Phdr, p_vaddr);
                filesz = CLASS_FIELD_AT(im, p, Phdr, p_filesz);
        } else if (!READ_CLASS_FIELD(im, at, Phdr, p_type, &type) ||
                   !READ_CLASS_FIELD(im, at, Phdr, p_offset, &offset) ||
                   !READ_CLASS_FIELD(im, at, Phdr, p_vaddr, &vaddr) ||
                   !READ_CLASS_FIELD(im, at, Phdr, p_filesz, &filesz))
                return MALFORMED(why, "truncated program header");

        switch (type) {
        case PT_LOAD:
                if (!greedy_realloc((void **) &layout->loads, layout->n_loads + 1, sizeof(Segment)))
                        return -ENOMEM;
                layout->loads[layout->n_loads++] = (Segment) { vaddr, offset, filesz };
                break;
        case PT_INTERP:
                /* The kernel uses the first one. */
                if (!layout->have_interp) {
                        layout->have_interp = true;
                        layout->interp_offset = offset;
                        layout->interp_size = filesz;
                }
                break;
        case PT_DYNAMIC:
                /* glibc takes the last one it sees. */
                layout->have_dynamic = true;
                layout->dynamic_vaddr = vaddr;
                layout->dynamic_offset = offset;
                layout->dynamic_size = filesz;
                break;
        }
        return 0;
}

static int parse_program_headers(const Image *im, ElfFile *e, Layout *layout, const char **why) {
        /* The header's fields up to e_phnum, the last one read, in one view: they lie in
         * the chunk from offset 0 that the caller read first, all of them or none. */
        const uint8_t *h = image_bytes(im, 0, CLASS_FIELD_END(im, Ehdr, e_phnum));
        if (!h)
                return MALFORMED(why, "truncated ELF header");

        e->type = CLASS_FIELD_AT(im, h, Ehdr, e_type);
        e->machine = CLASS_FIELD_AT(im, h, Ehdr, e_machine);
        e->version = CLASS_FIELD_AT(im, h, Ehdr, e_version);
        uint64_t phoff = CLASS_FIELD_AT(im, h, Ehdr, e_phoff);
        uint64_t phentsize = CLASS_FIELD_AT(im, h, Ehdr, e_phentsize);
        uint64_t phnum = CLASS_FIELD_AT(im, h, Ehdr, e_phnum);

        if (phnum == 0)
                return 0;
        if (phentsize != (im->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
                return MALFORMED(why, "unexpected program header size");
        if (phoff > im->size || phnum * phentsize > im->size - phoff)
                return MALFORMED(why, "truncated program headers");

        /* The table in one view, as far as the chunk that holds its first field goes (all
         * of it but in an odd file); an entry past that is read field by field, as before,
         * so that the chunks read stay the same. */
        uint64_t avail;
        const uint8_t *table = image_view(im, phoff, CLASS_FIELD_END(im, Phdr, p_type), phnum * phentsize, &avail);
        if (!table)
                return MALFORMED(why, "truncated program header");
        size_t used = CLASS_FIELD_END(im, Phdr, p_filesz); /* the last field read */

        for (uint64_t at = 0; at < phnum * phentsize; at += phentsize) {
                int r = parse_program_header(im, at + used <= avail ? table + at : NULL, phoff + at, layout, why);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Maps a virtual address to a file offset through the PT_LOAD segments, as the
 * loader sees it in memory. *ret_limit is where that segment's file bytes end. */
static bool layout_address_to_offset(const Layout *layout, uint64_t addr,
                                     uint64_t *ret_offset, uint64_t *ret_limit) {
        for (size_t i = 0; i < layout->n_loads; i++) {
                const Segment *s = layout->loads + i;
                if (addr < s->vaddr || addr - s->vaddr >= s->filesz)
                        continue;
                if (s->offset > UINT64_MAX - s->filesz)
                        continue;
                *ret_offset = s->offset + (addr - s->vaddr);
                *ret_limit = s->offset + s->filesz;
                return true;
        }
        return false;
}

typedef struct DynamicEntries {
        bool have_strtab;
        uint64_t strtab;
        bool have_rpath, have_runpath, have_soname;
        uint64_t rpath, runpath, soname;
        uint64_t flags_1;
        /* (tag, string offset) of DT_NEEDED/DT_FILTER/DT_AUXILIARY, in order */
        uint64_t (*deps)[2];
        size_t n_deps;
} DynamicEntries;

static int dynamic_entries_add_dep(DynamicEntries *d, uint64_t tag, uint64_t val) {
        if (!greedy_realloc((void **) &d->deps, d->n_deps + 1, sizeof(*d->deps)))
                return -ENOMEM;
        d->deps[d->n_deps][0] = tag;
        d->deps[d->n_deps][1] = val;
        d->n_deps++;
        return 0;
}

static int collect_dynamic_entries(const Image *im, const Layout *layout, DynamicEntries *d, const char **why) {
        uint64_t start, limit;

        /* The loader reads the dynamic section where PT_DYNAMIC's address maps. */
        if (!layout_address_to_offset(layout, layout->dynamic_vaddr, &start, &limit)) {
                start = layout->dynamic_offset;
                limit = UINT64_MAX;
        }
        if (start >= im->size)
                return MALFORMED(why, "dynamic section outside the file");
        uint64_t avail = min_u64(im->size - start, limit - start);
        uint64_t size = min_u64(layout->dynamic_size, avail);
        size_t entsize = im->is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);

        /* The section in one view, as far as the chunk that holds its first tag goes (to
         * DT_NULL, but in an odd file); an entry past that is read field by field, as
         * before, so that the chunks read stay the same. No entry, no read. */
        const uint8_t *table = NULL;
        uint64_t in_view = 0;
        if (size >= entsize) {
                table = image_view(im, start, CLASS_FIELD_END(im, Dyn, d_tag), size, &in_view);
                if (!table)
                        return MALFORMED(why, "truncated dynamic section");
        }

        for (uint64_t at = start; at - start + entsize <= size; at += entsize) {
                uint64_t tag, val;
                if (at - start + entsize <= in_view) {
                        tag = CLASS_FIELD_AT(im, table + (at - start), Dyn, d_tag);
                        val = CLASS_FIELD_AT(im, table + (at - start), Dyn, d_un);
                } else if (!READ_CLASS_FIELD(im, at, Dyn, d_tag, &tag) ||
                           !READ_CLASS_FIELD(im, at, Dyn, d_un, &val))
                        return MALFORMED(why, "truncated dynamic section");

                switch (tag) {
                case DT_NULL:
                        return 0;
                case DT_STRTAB:
                        d->have_strtab = true;
                        d->strtab = val;
                        break;
                case DT_RPATH:
                        d->have_rpath = true;
                        d->rpath = val;
                        break;
                case DT_RUNPATH:
                        d->have_runpath = true;
                        d->runpath = val;
                        break;
                case DT_SONAME:
                        d->have_soname = true;
                        d->soname = val;
                        break;
                case DT_FLAGS_1:
                        d->flags_1 = val;
                        break;
                case DT_NEEDED:
                case DT_FILTER:
                case DT_AUXILIARY: {
                        int r = dynamic_entries_add_dep(d, tag, val);
                        if (r < 0)
                                return r;
                        break;
                }
                }
        }

        /* No DT_NULL: the section is cut short. */
        return MALFORMED(why, "truncated dynamic section");
}

static int dynamic_string(const Image *im, const Layout *layout, const DynamicEntries *d,
                          uint64_t index, char **ret, const char **why) {
        uint64_t offset, limit;

        if (!d->have_strtab)
                return MALFORMED(why, "dynamic section without DT_STRTAB");
        if (!layout_address_to_offset(layout, d->strtab, &offset, &limit)) {
                /* Not inside any PT_LOAD: treat the address as a file offset. */
                offset = d->strtab;
                limit = UINT64_MAX;
        }
        if (index > UINT64_MAX - offset)
                return MALFORMED(why, "dynamic string outside the file");
        return image_string(im, offset + index, limit, ret, why);
}

static ElfDependencyKind dependency_kind_from_tag(uint64_t tag) {
        return tag == DT_NEEDED ? ELF_DEPENDENCY_NEEDED :
               tag == DT_FILTER ? ELF_DEPENDENCY_FILTER : ELF_DEPENDENCY_AUXILIARY;
}

static int resolve_dynamic_strings(const Image *im, const Layout *layout, const DynamicEntries *d,
                                   ElfFile *e, const char **why) {
        int r;

        if (d->have_rpath && (r = dynamic_string(im, layout, d, d->rpath, &e->rpath, why)) < 0)
                return r;
        if (d->have_runpath && (r = dynamic_string(im, layout, d, d->runpath, &e->runpath, why)) < 0)
                return r;
        if (d->have_soname && (r = dynamic_string(im, layout, d, d->soname, &e->soname, why)) < 0)
                return r;

        if (d->n_deps > 0) {
                e->dependencies = calloc(d->n_deps, sizeof(ElfDependency));
                if (!e->dependencies)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < d->n_deps; i++) {
                ElfDependency *dep = e->dependencies + e->n_dependencies;

                r = dynamic_string(im, layout, d, d->deps[i][1], &dep->name, why);
                if (r < 0)
                        return r;
                dep->kind = dependency_kind_from_tag(d->deps[i][0]);
                e->n_dependencies++;

                if (dep->kind == ELF_DEPENDENCY_NEEDED && strv_extend(&e->needed, dep->name) < 0)
                        return -ENOMEM;
        }

        e->flags_1 = d->flags_1;
        e->nodeflib = d->flags_1 & DF_1_NODEFLIB;
        return 0;
}

static int parse_dynamic(const Image *im, const Layout *layout, ElfFile *e, const char **why) {
        DynamicEntries d = {};
        int r;

        r = collect_dynamic_entries(im, layout, &d, why);
        if (r >= 0)
                r = resolve_dynamic_strings(im, layout, &d, e, why);
        free(d.deps);
        return r;
}

static int parse_interp(const Image *im, const Layout *layout, ElfFile *e, const char **why) {
        uint64_t end;

        if (layout->interp_size == 0 ||
            __builtin_add_overflow(layout->interp_offset, layout->interp_size, &end))
                return MALFORMED(why, "bad PT_INTERP");
        return image_string(im, layout->interp_offset, end, &e->interp, why);
}

static int parse_image(const uint8_t *data, size_t size, Reader *reader, ElfFile *ret, const char **ret_why) {
        ElfFile e = {};
        Layout layout = {};
        Image im;
        int r;

        r = parse_ident(data, size, &im, &e, ret_why);
        if (r < 0)
                return r;
        if (reader)
                im = (Image) { .reader = reader, .size = size, .big_endian = im.big_endian, .is64 = im.is64 };

        r = parse_program_headers(&im, &e, &layout, ret_why);
        if (r >= 0 && layout.have_interp)
                r = parse_interp(&im, &layout, &e, ret_why);
        if (r >= 0 && layout.have_dynamic) {
                e.has_dynamic = true;
                r = parse_dynamic(&im, &layout, &e, ret_why);
        }
        free(layout.loads);
        if (r < 0 && reader && reader->error)
                r = reader->error; /* not the file's shape: the read failed */
        if (r < 0) {
                elf_file_done(&e);
                return r;
        }

        *ret = e;
        return 0;
}

int elf_file_parse_full(const void *data, size_t size, ElfFile *ret, const char **ret_why) {
        return parse_image(data, size, NULL, ret, ret_why);
}

int elf_file_parse(const void *data, size_t size, ElfFile *ret) {
        return elf_file_parse_full(data, size, ret, NULL);
}

struct ElfReader {
        Reader reader;
        uint64_t size;
};

int elf_reader_open(const char *path, ElfReader **ret) {
        struct stat st;

        /* O_NONBLOCK: never hang on a FIFO that someone named as a library. */
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        int r = fstat(fd, &st) < 0 ? -errno : S_ISDIR(st.st_mode) ? -EISDIR : !S_ISREG(st.st_mode) ? -ENOEXEC : 0;
        /* malloc(), not calloc(): the chunk table is 6 KiB, of which a file uses two or three
         * entries, and zeroing it for every file read cost more than reading the file. */
        ElfReader *er = r < 0 ? NULL : malloc(sizeof(ElfReader));
        if (r >= 0 && !er)
                r = -ENOMEM;
        if (r < 0) {
                close(fd);
                return r;
        }
        /* A few headers are read, here and there: the kernel's read-ahead past each would
         * only read (at boot: from disk) pages no one asks for. */
        (void) posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
        er->reader.fd = fd;
        er->reader.n_chunks = 0;
        er->reader.error = 0;
        er->size = (uint64_t) st.st_size;
        *ret = er;
        return 0;
}

uint64_t elf_reader_size(const ElfReader *r) {
        return r->size;
}

const void *elf_reader_bytes(ElfReader *r, uint64_t offset, size_t n) {
        if (offset > r->size || n > r->size - offset)
                return NULL;
        return reader_bytes(&r->reader, r->size, offset, n);
}

int elf_reader_error(const ElfReader *r) {
        return r->reader.error;
}

ElfReader *elf_reader_close(ElfReader *r) {
        if (r) {
                reader_done(&r->reader);
                close(r->reader.fd);
                free(r);
        }
        return NULL;
}

int elf_file_read_full(const char *path, ElfFile *ret, const char **ret_why) {
        _cleanup_(elf_reader_closep) ElfReader *er = NULL;
        int r = elf_reader_open(path, &er);
        if (r < 0)
                return r;
        return elf_file_read_reader(er, ret, ret_why);
}

int elf_file_read_reader(ElfReader *er, ElfFile *ret, const char **ret_why) {
        if (er->size == 0)
                return MALFORMED(ret_why, "file too short");
        if (er->size > SIZE_MAX)
                return -EFBIG;

        /* What ld.so reads: the headers first (its first read is 832 bytes), then the
         * dynamic section and its strings where they are; never the whole file. */
        const uint8_t *head = elf_reader_bytes(er, 0, min_u64(EI_NIDENT, er->size));
        return head ? parse_image(head, er->size, &er->reader, ret, ret_why) : er->reader.error;
}

int elf_file_read(const char *path, ElfFile *ret) {
        return elf_file_read_full(path, ret, NULL);
}

void elf_file_done(ElfFile *e) {
        if (!e)
                return;
        free(e->interp);
        strv_free(e->needed);
        for (size_t i = 0; i < e->n_dependencies; i++)
                free(e->dependencies[i].name);
        free(e->dependencies);
        free(e->rpath);
        free(e->runpath);
        free(e->soname);
        *e = (ElfFile) {};
}

const char *elf_file_strerror(int error) {
        switch (abs(error)) {
        case ENOEXEC:
                return "not an ELF file";
        case EBADMSG:
                return "malformed ELF";
        default:
                return strerror(abs(error));
        }
}
