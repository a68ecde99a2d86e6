/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dlopen-note.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf-file.h"
#include "macro.h"
#include "memstream.h"
#include "strv.h"

/* Deeper than any real note nests; bounds the recursion on hostile input. */
#define JSON_MAX_DEPTH 16

const char *dlopen_priority_to_string(DlopenPriority p) {
        static const char *const names[] = {
                [DLOPEN_PRIORITY_REQUIRED] = "required",
                [DLOPEN_PRIORITY_RECOMMENDED] = "recommended",
                [DLOPEN_PRIORITY_SUGGESTED] = "suggested",
        };
        return p < ELEMENTSOF(names) ? names[p] : "?";
}

static void entry_done(DlopenEntry *e) {
        e->sonames = strv_free(e->sonames);
        e->feature = (free(e->feature), NULL);
        e->description = (free(e->description), NULL);
}

void dlopen_note_done(DlopenNote *note) {
        for (size_t i = 0; i < note->n_entries; i++)
                entry_done(&note->entries[i]);
        note->entries = (free(note->entries), NULL);
        note->n_entries = 0;
}

/* ---- JSON, exactly as much as the notes use ---- */

typedef struct Json {
        const char *p, *end;
} Json;

static void skip_ws(Json *j) {
        while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
                j->p++;
}

static bool eat(Json *j, char c) {
        skip_ws(j);
        if (j->p >= j->end || *j->p != c)
                return false;
        j->p++;
        return true;
}

static bool peek(Json *j, char c) {
        skip_ws(j);
        return j->p < j->end && *j->p == c;
}

static int hex4(Json *j, uint32_t *ret) {
        uint32_t v = 0;
        if (j->end - j->p < 4)
                return -EBADMSG;
        for (int i = 0; i < 4; i++) {
                char c = *j->p++;
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (d < 0)
                        return -EBADMSG;
                v = v << 4 | (uint32_t) d;
        }
        *ret = v;
        return 0;
}

static void put_utf8(FILE *f, uint32_t c) {
        if (c < 0x80)
                fputc((int) c, f);
        else if (c < 0x800)
                fprintf(f, "%c%c", 0xc0 | c >> 6, 0x80 | (c & 0x3f));
        else if (c < 0x10000)
                fprintf(f, "%c%c%c", 0xe0 | c >> 12, 0x80 | (c >> 6 & 0x3f), 0x80 | (c & 0x3f));
        else
                fprintf(f, "%c%c%c%c", 0xf0 | c >> 18, 0x80 | (c >> 12 & 0x3f), 0x80 | (c >> 6 & 0x3f),
                        0x80 | (c & 0x3f));
}

/* \uXXXX, with a surrogate pair as one code point; U+0000 is refused, since
 * the result is a C string. */
static int unicode_escape(Json *j, FILE *f) {
        uint32_t c, low;
        if (hex4(j, &c) < 0)
                return -EBADMSG;
        if (c >= 0xdc00 && c <= 0xdfff)
                return -EBADMSG;
        if (c >= 0xd800 && c <= 0xdbff) {
                if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
                        return -EBADMSG;
                j->p += 2;
                if (hex4(j, &low) < 0 || low < 0xdc00 || low > 0xdfff)
                        return -EBADMSG;
                c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        }
        if (c == 0)
                return -EBADMSG;
        put_utf8(f, c);
        return 0;
}

/* Length of the valid UTF-8 sequence at p (strict: no overlongs, no
 * surrogates, nothing above U+10FFFF), 0 if invalid. */
static size_t utf8_length(const unsigned char *p, const unsigned char *end) {
        size_t n = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
        if (n == 0 || (size_t) (end - p) < n)
                return 0;
        uint32_t c = n == 1 ? p[0] : p[0] & (0x7f >> n);
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                c = c << 6 | (p[i] & 0x3f);
        }
        static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                return 0;
        return n;
}

static int string_body(Json *j, FILE *f) {
        while (j->p < j->end) {
                unsigned char c = (unsigned char) *j->p;
                if (c == '"') {
                        j->p++;
                        return 0;
                }
                if (c < 0x20)
                        return -EBADMSG;
                if (c == '\\') {
                        if (++j->p >= j->end)
                                return -EBADMSG;
                        const char *esc = strchr("\"\\/bfnrtu", *j->p);
                        if (!esc || !*j->p)
                                return -EBADMSG;
                        if (*j->p++ == 'u') {
                                if (unicode_escape(j, f) < 0)
                                        return -EBADMSG;
                                continue;
                        }
                        fputc("\"\\/\b\f\n\r\t"[esc - "\"\\/bfnrtu"], f);
                        continue;
                }
                size_t n = utf8_length((const unsigned char *) j->p, (const unsigned char *) j->end);
                if (n == 0)
                        return -EBADMSG;
                fwrite(j->p, 1, n, f);
                j->p += n;
        }
        return -EBADMSG;
}

static int write_string_body(FILE *f, void *userdata) {
        return string_body(userdata, f);
}

static int parse_string(Json *j, char **ret) {
        if (!eat(j, '"'))
                return -EBADMSG;
        return memstream_collect(write_string_body, j, ret);
}

static bool eat_digits(Json *j) {
        const char *start = j->p;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
                j->p++;
        return j->p > start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int skip_number(Json *j) {
        if (j->p < j->end && *j->p == '-')
                j->p++;
        if (j->p < j->end && *j->p == '0')
                j->p++;
        else if (!eat_digits(j))
                return -EBADMSG;
        if (j->p < j->end && *j->p == '.' && (j->p++, !eat_digits(j)))
                return -EBADMSG;
        if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
                j->p++;
                if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
                        j->p++;
                if (!eat_digits(j))
                        return -EBADMSG;
        }
        return 0;
}

static bool eat_word(Json *j, const char *w) {
        size_t n = strlen(w);
        if ((size_t) (j->end - j->p) < n || memcmp(j->p, w, n) != 0)
                return false;
        j->p += n;
        return true;
}

static int skip_value(Json *j, unsigned depth);

/* An array or object of an unknown key: checked and thrown away. */
static int skip_container(Json *j, char close, unsigned depth) {
        if (eat(j, close))
                return 0;
        do {
                if (close == '}') {
                        _cleanup_free_ char *key = NULL;
                        int r = parse_string(j, &key);
                        if (r < 0)
                                return r;
                        if (!eat(j, ':'))
                                return -EBADMSG;
                }
                int r = skip_value(j, depth + 1);
                if (r < 0)
                        return r;
        } while (eat(j, ','));
        return eat(j, close) ? 0 : -EBADMSG;
}

static int skip_value(Json *j, unsigned depth) {
        if (depth > JSON_MAX_DEPTH)
                return -EBADMSG;
        skip_ws(j);
        if (j->p >= j->end)
                return -EBADMSG;
        if (*j->p == '"') {
                _cleanup_free_ char *s = NULL;
                return parse_string(j, &s);
        }
        if (eat(j, '['))
                return skip_container(j, ']', depth);
        if (eat(j, '{'))
                return skip_container(j, '}', depth);
        if (eat_word(j, "true") || eat_word(j, "false") || eat_word(j, "null"))
                return 0;
        return skip_number(j);
}

static int parse_sonames(Json *j, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        if (!eat(j, '['))
                return -EBADMSG;
        do {
                char *s = NULL;
                int r = parse_string(j, &s);
                if (r < 0)
                        return r;
                if (!*s) {
                        free(s);
                        return -EBADMSG;
                }
                if (strv_consume(&l, s) < 0)
                        return -ENOMEM;
        } while (eat(j, ','));
        if (!eat(j, ']'))
                return -EBADMSG;
        *ret = TAKE_PTR(l);
        return 0;
}

static int parse_priority(Json *j, DlopenPriority *ret) {
        _cleanup_free_ char *s = NULL;
        int r = parse_string(j, &s);
        if (r < 0)
                return r;
        for (DlopenPriority p = 0; p <= DLOPEN_PRIORITY_SUGGESTED; p++)
                if (streq(s, dlopen_priority_to_string(p))) {
                        *ret = p;
                        return 0;
                }
        return -EBADMSG;
}

/* One key of an entry; a key given twice is malformed. */
static int parse_member(Json *j, DlopenEntry *e, unsigned *seen) {
        _cleanup_free_ char *key = NULL;
        int r = parse_string(j, &key);
        if (r < 0)
                return r;
        if (!eat(j, ':'))
                return -EBADMSG;
        static const char *const known[] = { "soname", "feature", "description", "priority" };
        for (unsigned i = 0; i < ELEMENTSOF(known); i++) {
                if (!streq(key, known[i]))
                        continue;
                if (*seen & (1u << i))
                        return -EBADMSG;
                *seen |= 1u << i;
                switch (i) {
                case 0:  return parse_sonames(j, &e->sonames);
                case 1:  return parse_string(j, &e->feature);
                case 2:  return parse_string(j, &e->description);
                default: return parse_priority(j, &e->priority);
                }
        }
        return skip_value(j, 2); /* a key from a later version of the format */
}

static int parse_entry(Json *j, DlopenEntry *ret) {
        DlopenEntry e = { .priority = DLOPEN_PRIORITY_RECOMMENDED };
        unsigned seen = 0;
        int r = 0;
        if (!eat(j, '{'))
                return -EBADMSG;
        if (!peek(j, '}'))
                do
                        r = parse_member(j, &e, &seen);
                while (r >= 0 && eat(j, ','));
        if (r >= 0 && (!eat(j, '}') || !e.sonames))
                r = -EBADMSG;
        if (r < 0) {
                entry_done(&e);
                return r;
        }
        *ret = e;
        return 0;
}

/* Room for n more entries. The array grows to powers of two, so that a file of many
 * small notes costs linear time, not a copy of the whole array per entry. */
static size_t capacity_for(size_t n) {
        size_t c = 1;
        while (c < n)
                c *= 2;
        return n == 0 ? 0 : c;
}

static int reserve(DlopenNote *note, size_t more) {
        if (more > SIZE_MAX / sizeof(DlopenEntry) - note->n_entries)
                return -ENOMEM;
        size_t want = capacity_for(note->n_entries + more);
        if (want <= capacity_for(note->n_entries))
                return 0;
        DlopenEntry *n = reallocarray(note->entries, want, sizeof *n);
        if (!n)
                return -ENOMEM;
        note->entries = n;
        return 0;
}

static int append(DlopenNote *note, DlopenEntry *e) {
        int r = reserve(note, 1);
        if (r < 0)
                return r;
        note->entries[note->n_entries++] = *e;
        return 0;
}

int dlopen_note_parse_json(const char *json, size_t size, DlopenNote *note) {
        while (size > 0 && json[size - 1] == 0)
                size--;
        Json j = { .p = json, .end = json + size };
        DlopenNote parsed = {};
        int r = 0;

        if (memchr(json, 0, size) || !eat(&j, '['))
                return -EBADMSG;
        if (!peek(&j, ']'))
                do {
                        DlopenEntry e;
                        r = parse_entry(&j, &e);
                        if (r >= 0 && (r = append(&parsed, &e)) < 0)
                                entry_done(&e);
                } while (r >= 0 && eat(&j, ','));
        if (r >= 0 && !eat(&j, ']'))
                r = -EBADMSG;
        skip_ws(&j);
        if (r >= 0 && j.p != j.end)
                r = -EBADMSG;
        if (r >= 0 && parsed.n_entries > 0 && (r = reserve(note, parsed.n_entries)) >= 0) {
                memcpy(note->entries + note->n_entries, parsed.entries, parsed.n_entries * sizeof(DlopenEntry));
                note->n_entries += parsed.n_entries;
                parsed.entries = (free(parsed.entries), NULL);
                parsed.n_entries = 0;
        }
        dlopen_note_done(&parsed);
        return r;
}

/* ---- ELF notes ---- */

static uint32_t get32(const unsigned char *p, bool be) {
        return be ? (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]
                  : (uint32_t) p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];
}

static uint64_t get64(const unsigned char *p, bool be) {
        return be ? (uint64_t) get32(p, be) << 32 | get32(p + 4, be) : (uint64_t) get32(p + 4, be) << 32 | get32(p, be);
}

static uint16_t get16(const unsigned char *p, bool be) {
        return be ? (uint16_t) (p[0] << 8 | p[1]) : (uint16_t) (p[1] << 8 | p[0]);
}

static size_t align_up(size_t n, size_t a) {
        return n > SIZE_MAX - (a - 1) ? SIZE_MAX : (n + a - 1) & ~(a - 1);
}

static int parse_notes_aligned(const unsigned char *d, size_t size, bool be, size_t align, DlopenNote *note) {
        size_t off = 0;
        while (size - off >= 12) {
                uint32_t namesz = get32(d + off, be), descsz = get32(d + off + 4, be), type = get32(d + off + 8, be);
                size_t name = off + 12, desc = align_up(name + namesz, align);
                if (namesz > size || descsz > size || desc > size || size - desc < descsz)
                        return -EBADMSG;
                if (namesz == sizeof DLOPEN_NOTE_OWNER && memcmp(d + name, DLOPEN_NOTE_OWNER, namesz) == 0 &&
                    type == DLOPEN_NOTE_TYPE) {
                        int r = dlopen_note_parse_json((const char *) d + desc, descsz, note);
                        if (r < 0)
                                return r;
                }
                size_t next = align_up(desc + descsz, align);
                if (next <= off || next >= size)
                        break;
                off = next;
        }
        return 0;
}

int dlopen_note_parse_notes(const void *data, size_t size, bool big_endian, DlopenNote *note) {
        return parse_notes_aligned(data, size, big_endian, 4, note);
}

typedef struct ElfImage {
        const unsigned char *d; /* in memory, or */
        ElfReader *reader;      /* read with pread() as needed (elf-file.h) */
        size_t size;
        bool is64, be;
} ElfImage;

/* The bytes [off, off+len) of the image, or NULL when out of range. */
static const unsigned char *range(const ElfImage *e, uint64_t off, uint64_t len) {
        if (off > e->size || len > e->size - off)
                return NULL;
        return e->reader ? elf_reader_bytes(e->reader, off, len) : e->d + off;
}

static int notes_in(const ElfImage *e, uint64_t off, uint64_t len, uint64_t align, DlopenNote *note) {
        const unsigned char *p = range(e, off, len);
        if (!p)
                return -EBADMSG;
        return parse_notes_aligned(p, len, e->be, align == 8 ? 8 : 4, note);
}

typedef struct NoteRange {
        uint64_t off, len, align;
} NoteRange;

static int range_compare(const void *a, const void *b) {
        const NoteRange *x = a, *y = b;
        return x->off < y->off ? -1 : x->off > y->off ? 1 : 0;
}

/* Every byte of the file is walked once: note ranges in file order, one that
 * overlaps a range walked already skipped. Many section headers naming the same
 * large note made the walk quadratic (sections times note bytes), and gave their
 * entries again and again. */
static int parse_ranges(const ElfImage *e, NoteRange *ranges, size_t n, DlopenNote *note) {
        uint64_t done = 0;
        qsort(ranges, n, sizeof *ranges, range_compare);
        for (size_t i = 0; i < n; i++) {
                if (ranges[i].len == 0 || ranges[i].off < done)
                        continue;
                int r = notes_in(e, ranges[i].off, ranges[i].len, ranges[i].align, note);
                if (r < 0)
                        return r;
                done = ranges[i].off + ranges[i].len;
        }
        return 0;
}

/* Where a section header (SHT_NOTE) or a program header (PT_NOTE) keeps its type,
 * offset, size and alignment, for 32- and 64-bit ELF (elf(5)). */
typedef struct HeaderLayout {
        uint32_t note_type;
        size_t type, off[2], len[2], align[2]; /* [0] ELFCLASS32, [1] ELFCLASS64 */
} HeaderLayout;

static const HeaderLayout section_layout = {
        .note_type = SHT_NOTE, .type = 4, .off = { 16, 24 }, .len = { 20, 32 }, .align = { 32, 48 },
};
static const HeaderLayout segment_layout = {
        .note_type = PT_NOTE, .type = 0, .off = { 4, 8 }, .len = { 16, 32 }, .align = { 28, 48 },
};

static uint64_t header_field(const ElfImage *e, const unsigned char *h, const size_t at[2]) {
        return e->is64 ? get64(h + at[1], e->be) : get32(h + at[0], e->be);
}

/* The note ranges of count headers of entsize bytes at off (each at least need bytes). */
static int parse_headers(const ElfImage *e, const HeaderLayout *l, uint64_t off, uint64_t entsize, uint64_t count,
                         size_t need, DlopenNote *note) {
        size_t n = 0;
        _cleanup_free_ NoteRange *ranges = calloc(count ?: 1, sizeof(NoteRange));
        if (!ranges)
                return -ENOMEM;
        for (uint64_t i = 0; i < count; i++) {
                const unsigned char *h = range(e, off + i * entsize, need);
                if (!h)
                        return -EBADMSG;
                if (get32(h + l->type, e->be) != l->note_type)
                        continue;
                ranges[n++] = (NoteRange) {
                        .off = header_field(e, h, l->off),
                        .len = header_field(e, h, l->len),
                        .align = header_field(e, h, l->align),
                };
                if (!range(e, ranges[n - 1].off, ranges[n - 1].len))
                        return -EBADMSG;
        }
        return parse_ranges(e, ranges, n, note);
}

static int parse_sections(const ElfImage *e, uint64_t shoff, uint16_t shentsize, uint64_t shnum, DlopenNote *note) {
        size_t need = e->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
        if (shentsize < need)
                return -EBADMSG;
        if (shnum > e->size / shentsize || !range(e, shoff, shnum * shentsize))
                return -EBADMSG;
        return parse_headers(e, &section_layout, shoff, shentsize, shnum, need, note);
}

static int parse_segments(const ElfImage *e, uint64_t phoff, uint16_t phentsize, uint16_t phnum, DlopenNote *note) {
        size_t need = e->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
        if (phnum > 0 && phentsize < need)
                return -EBADMSG;
        return parse_headers(e, &segment_layout, phoff, phentsize, phnum, need, note);
}

static int parse_image(ElfImage *e, DlopenNote *ret) {
        DlopenNote note = {};
        int r;

        const unsigned char *id = range(e, 0, EI_NIDENT);
        if (!id && e->size >= EI_NIDENT)
                return e->reader && elf_reader_error(e->reader) ? elf_reader_error(e->reader) : -EBADMSG;
        if (!id || memcmp(id, ELFMAG, SELFMAG) != 0)
                return -ENOEXEC;
        if ((id[EI_CLASS] != ELFCLASS32 && id[EI_CLASS] != ELFCLASS64) ||
            (id[EI_DATA] != ELFDATA2LSB && id[EI_DATA] != ELFDATA2MSB))
                return -EBADMSG;
        e->is64 = id[EI_CLASS] == ELFCLASS64;
        e->be = id[EI_DATA] == ELFDATA2MSB;
        const unsigned char *h = range(e, 0, e->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr));
        if (!h)
                return -EBADMSG;
        uint64_t phoff = e->is64 ? get64(h + 32, e->be) : get32(h + 28, e->be);
        uint64_t shoff = e->is64 ? get64(h + 40, e->be) : get32(h + 32, e->be);
        const unsigned char *t = h + (e->is64 ? 54 : 42); /* e_phentsize, e_phnum, e_shentsize, e_shnum */
        uint16_t phentsize = get16(t, e->be), phnum = get16(t + 2, e->be);
        uint16_t shentsize = get16(t + 4, e->be);
        uint64_t shnum = get16(t + 6, e->be);

        if (shoff != 0 && shnum == 0) {
                /* More than 0xff00 sections: the count is in section 0's sh_size. */
                const unsigned char *s0 = range(e, shoff, e->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));
                if (!s0)
                        return -EBADMSG;
                shnum = e->is64 ? get64(s0 + 32, e->be) : get32(s0 + 20, e->be);
        }
        if (shoff != 0)
                r = parse_sections(e, shoff, shentsize, shnum, &note);
        else
                r = parse_segments(e, phoff, phentsize, phnum, &note);
        if (r < 0 && e->reader && elf_reader_error(e->reader))
                r = elf_reader_error(e->reader); /* the read failed, not the file's shape */
        if (r < 0) {
                dlopen_note_done(&note);
                return r;
        }
        *ret = note;
        return 0;
}

int dlopen_note_parse_elf(const void *data, size_t size, DlopenNote *ret) {
        ElfImage e = { .d = data, .size = size };
        return parse_image(&e, ret);
}

/* Through the ELF reader: the ELF header, the section headers and the note
 * sections (or the program headers and PT_NOTE segments) read where they are. */
int dlopen_note_read(const char *path, DlopenNote *ret) {
        _cleanup_(elf_reader_closep) ElfReader *reader = NULL;
        int r = elf_reader_open(path, &reader);
        if (r < 0)
                return r == -EISDIR ? -ENOEXEC : r;
        return dlopen_note_read_reader(reader, ret);
}

int dlopen_note_read_reader(ElfReader *reader, DlopenNote *ret) {
        ElfImage e = { .reader = reader, .size = elf_reader_size(reader) };
        if (e.size == 0 || e.size > SIZE_MAX)
                return -ENOEXEC;
        return parse_image(&e, ret);
}
