/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "elf-file.h"
#include "macro.h"
#include "strv.h"
#include "test-util.h"

static void *slurp(const char *path, size_t *size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fstat(fd, &st), 0);
        void *p = malloc(st.st_size);
        ck_assert_int_eq(read(fd, p, st.st_size), st.st_size);
        close(fd);
        *size = st.st_size;
        return p;
}

/* An ELF file made to order, in either class and byte order: its program headers at phoff
 * (n_loads PT_LOADs that map none of it, then PT_DYNAMIC), its dynamic section at dynoff
 * (DT_STRTAB, DT_SONAME, n_needed DT_NEEDED, DT_NULL unless no_dt_null) and its strings
 * at stroff. PT_DYNAMIC's and DT_STRTAB's addresses are in no PT_LOAD, so both are read at
 * those file offsets. dyn_filesz 0: the section's own size. */
typedef struct Shape {
        bool is64, big_endian;
        uint64_t phoff, dynoff, stroff, dyn_filesz;
        size_t n_loads, n_needed, size;
        bool no_dt_null;
} Shape;

static void put(uint8_t *p, size_t n, uint64_t v, bool big_endian) {
        for (size_t i = 0; i < n; i++)
                p[big_endian ? n - 1 - i : i] = (uint8_t) (v >> (8 * i));
}

#define PUT(s, base, T, f, v) \
        put((base) + offsetof(T, f), sizeof(((T *) NULL)->f), (v), (s)->big_endian)
#define PUT_CLASS(s, base, T, f, v) \
        ((s)->is64 ? PUT(s, base, Elf64_##T, f, v) : PUT(s, base, Elf32_##T, f, v))

static size_t shape_phentsize(const Shape *s) {
        return s->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
}

static size_t shape_dynentsize(const Shape *s) {
        return s->is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
}

static uint8_t *make_elf(const Shape *s) {
        uint8_t *img = calloc(1, s->size);
        ck_assert_ptr_nonnull(img);

        memcpy(img, ELFMAG, SELFMAG);
        img[EI_CLASS] = s->is64 ? ELFCLASS64 : ELFCLASS32;
        img[EI_DATA] = s->big_endian ? ELFDATA2MSB : ELFDATA2LSB;
        img[EI_VERSION] = EV_CURRENT;
        PUT_CLASS(s, img, Ehdr, e_type, ET_DYN);
        PUT_CLASS(s, img, Ehdr, e_machine, s->is64 ? EM_X86_64 : EM_386);
        PUT_CLASS(s, img, Ehdr, e_version, EV_CURRENT);
        PUT_CLASS(s, img, Ehdr, e_phoff, s->phoff);
        PUT_CLASS(s, img, Ehdr, e_phentsize, shape_phentsize(s));
        PUT_CLASS(s, img, Ehdr, e_phnum, s->n_loads + 1);

        /* strings: "", the soname, then one name per DT_NEEDED */
        size_t at = s->stroff + 1, soname = 1;
        at += sprintf((char *) img + at, "libshape.so.1") + 1;
        size_t names = at;
        for (size_t i = 0; i < s->n_needed; i++)
                at += sprintf((char *) img + at, "libneed%zu.so", i) + 1;
        ck_assert_uint_le(at, s->size);

        uint8_t *d = img + s->dynoff;
        size_t n_dyn = 0, dynent = shape_dynentsize(s);
#define DYN(tag, val) (PUT_CLASS(s, d + n_dyn * dynent, Dyn, d_tag, (tag)), \
                       PUT_CLASS(s, d + n_dyn * dynent, Dyn, d_un, (val)), n_dyn++)
        DYN(DT_STRTAB, s->stroff);
        DYN(DT_SONAME, soname);
        for (size_t i = 0, o = names; i < s->n_needed; i++, o += strlen((char *) img + o) + 1)
                DYN(DT_NEEDED, o - s->stroff);
        if (!s->no_dt_null)
                DYN(DT_NULL, 0);
#undef DYN
        ck_assert_uint_le(s->dynoff + n_dyn * dynent, s->size);

        uint8_t *ph = img + s->phoff;
        for (size_t i = 0; i <= s->n_loads; i++, ph += shape_phentsize(s)) {
                bool dyn = i == s->n_loads;
                PUT_CLASS(s, ph, Phdr, p_type, dyn ? PT_DYNAMIC : PT_LOAD);
                PUT_CLASS(s, ph, Phdr, p_offset, dyn ? s->dynoff : 0);
                PUT_CLASS(s, ph, Phdr, p_vaddr, dyn ? 0x6fff0000 : 0x70000000 + i * 0x10000);
                PUT_CLASS(s, ph, Phdr, p_filesz, dyn ? (s->dyn_filesz ?: n_dyn * dynent) : 0x100);
        }
        ck_assert_uint_le(s->phoff + (s->n_loads + 1) * shape_phentsize(s), s->size);
        return img;
}

/* Writes the first n bytes of img to a file in dir. */
static char *write_image(const char *dir, const uint8_t *img, size_t n) {
        char *path;
        ck_assert_int_ge(asprintf(&path, "%s/image", dir), 0);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, img, n), (ssize_t) n);
        close(fd);
        return path;
}

/* The first n bytes of img parsed in memory and read from a file give r, and when
 * r < 0 the reason why. */
static void assert_parse_both_ways(const char *dir, const uint8_t *img, size_t n, int r, const char *why) {
        ElfFile e;
        const char *w = NULL;
        uint8_t *copy = malloc(n ?: 1); /* exact size, so ASan sees overreads */
        memcpy(copy, img, n);
        ck_assert_int_eq(elf_file_parse_full(copy, n, &e, &w), r);
        if (r < 0)
                ck_assert_str_eq(w, why);
        else
                elf_file_done(&e);
        free(copy);

        char *path = write_image(dir, img, n);
        w = NULL;
        ck_assert_int_eq(elf_file_read_full(path, &e, &w), r);
        if (r < 0)
                ck_assert_str_eq(w, why);
        else
                elf_file_done(&e);
        free(path);
}

static void assert_shape_facts(const Shape *s, const ElfFile *e) {
        ck_assert_int_eq(e->elf_class, s->is64 ? ELFCLASS64 : ELFCLASS32);
        ck_assert_int_eq(e->data, s->big_endian ? ELFDATA2MSB : ELFDATA2LSB);
        ck_assert_int_eq(e->machine, s->is64 ? EM_X86_64 : EM_386);
        ck_assert_int_eq(e->type, ET_DYN);
        ck_assert(e->has_dynamic);
        ck_assert_str_eq(e->soname, "libshape.so.1");
        ck_assert_uint_eq(strv_length(e->needed), s->n_needed);
        ck_assert_uint_eq(e->n_dependencies, s->n_needed);
        for (size_t i = 0; i < s->n_needed; i++) {
                char name[32];
                snprintf(name, sizeof name, "libneed%zu.so", i);
                ck_assert_str_eq(e->needed[i], name);
                ck_assert_str_eq(e->dependencies[i].name, name);
                ck_assert_int_eq(e->dependencies[i].kind, ELF_DEPENDENCY_NEEDED);
        }
}

/* Where the file's reads (8 KiB chunks from a page boundary, the first one from offset 0)
 * cut the tables. The strings come before the dynamic section, which ends the data. */
static const Shape shapes[] = {
        /* all in the first 8 KiB, the file's first read */
        { .phoff = 64, .stroff = 1024, .dynoff = 2048, .n_loads = 12, .n_needed = 20, .size = 6000 },
        /* the program headers across the end of the first read, an ELF32 entry cut there */
        { .phoff = 8192 - 5 * 32 - 4, .stroff = 1024, .dynoff = 9216, .n_loads = 12, .n_needed = 20, .size = 12000 },
        /* the dynamic section across the end of the first read: an entry cut there, or
         * (ELF64) the first tag that is not all in it */
        { .phoff = 64, .stroff = 4096, .dynoff = 8192 - 20, .n_loads = 3, .n_needed = 20, .size = 12000 },
        /* both, an ELF64 entry cut at 8 KiB; the dynamic section across the end of the
         * read that the program headers past 8 KiB made */
        { .phoff = 8192 - 128, .stroff = 9000, .dynoff = 16384 - 20, .n_loads = 9, .n_needed = 40, .size = 24576 },
};

static Shape shape_variant(size_t i, bool is64, bool big_endian) {
        Shape s = shapes[i];
        s.is64 = is64;
        s.big_endian = big_endian;
        return s;
}

#define FOREACH_SHAPE(s)                                                                     \
        for (size_t _i = 0; _i < ELEMENTSOF(shapes) * 4; _i++)                               \
                for (Shape s = shape_variant(_i / 4, _i & 1, _i & 2), *_once = &s; _once; _once = NULL)

START_TEST(reads_needed_runpath_soname_and_nodeflib) {
        char *d = tu_mkdtemp();
        char *lib = tu_cc(d, "libx.so", "int x(void){return 0;}\n",
                          "-shared -fPIC -Wl,--no-as-needed -Wl,-soname,libx.so.7 -Wl,--enable-new-dtags,"
                          "-rpath,'$ORIGIN/a:/b' -Wl,-z,nodefaultlib -lz -lm");
        ElfFile e;

        ck_assert_int_eq(elf_file_read(lib, &e), 0);
        ck_assert_int_eq(e.elf_class, ELFCLASS64);
        ck_assert_int_eq(e.machine, EM_X86_64);
        ck_assert_int_eq(e.type, ET_DYN);
        ck_assert(e.has_dynamic);
        ck_assert_ptr_null(e.interp);
        ck_assert_str_eq(e.soname, "libx.so.7");
        ck_assert_str_eq(e.runpath, "$ORIGIN/a:/b");
        ck_assert_ptr_null(e.rpath);
        ck_assert(e.nodeflib);
        ck_assert_str_eq(e.needed[0], "libz.so.1");
        ck_assert_str_eq(e.needed[1], "libm.so.6");
        ck_assert_ptr_nonnull(strv_contains(e.needed, "libc.so.6") ? "" : NULL);
        elf_file_done(&e);
        tu_rm_rf(d);
}
END_TEST

START_TEST(reads_interp_and_rpath_of_a_program) {
        char *d = tu_mkdtemp();
        char *prog = tu_cc(d, "prog", "int main(void){return 0;}\n", "-Wl,--disable-new-dtags,-rpath,/x/lib");
        ElfFile e;

        ck_assert_int_eq(elf_file_read(prog, &e), 0);
        ck_assert_str_eq(e.interp, "/lib64/ld-linux-x86-64.so.2");
        ck_assert_str_eq(e.rpath, "/x/lib");
        ck_assert_ptr_null(e.runpath);
        ck_assert(!e.nodeflib);
        elf_file_done(&e);
        tu_rm_rf(d);
}
END_TEST

START_TEST(reads_32bit_objects) {
        char *d = tu_mkdtemp(), *lib;
        tu_write(d, "g.c", "int g(void){return 2;}\n");
        tu_sh("cd '%s' && cc -m32 -fPIC -c g.c -o g.o && ld -m elf_i386 -shared -soname libg32.so.1 "
              "-rpath /r32 -o libg32.so g.o --no-as-needed /usr/lib32/libc.so.6", d);
        ck_assert_int_ge(asprintf(&lib, "%s/libg32.so", d), 0);
        ElfFile e;

        ck_assert_int_eq(elf_file_read(lib, &e), 0);
        ck_assert_int_eq(e.elf_class, ELFCLASS32);
        ck_assert_int_eq(e.machine, EM_386);
        ck_assert_str_eq(e.soname, "libg32.so.1");
        ck_assert_str_eq(e.runpath, "/r32");
        ck_assert_str_eq(e.needed[0], "libc.so.6");
        elf_file_done(&e);
        tu_rm_rf(d);
}
END_TEST

START_TEST(reads_filter_and_auxiliary_in_order) {
        char *d = tu_mkdtemp();
        char *lib = tu_cc(d, "libf.so", "int f(void){return 0;}\n",
                          "-shared -fPIC -Wl,--filter=libfiltee.so -Wl,--auxiliary=libaux.so");
        ElfFile e;

        ck_assert_int_eq(elf_file_read(lib, &e), 0);
        bool filter = false, aux = false;
        for (size_t i = 0; i < e.n_dependencies; i++) {
                filter = filter || (e.dependencies[i].kind == ELF_DEPENDENCY_FILTER &&
                                    streq(e.dependencies[i].name, "libfiltee.so"));
                aux = aux || (e.dependencies[i].kind == ELF_DEPENDENCY_AUXILIARY &&
                              streq(e.dependencies[i].name, "libaux.so"));
        }
        ck_assert(filter && aux);
        elf_file_done(&e);
        tu_rm_rf(d);
}
END_TEST

START_TEST(not_elf_is_enoexec) {
        ElfFile e;
        ck_assert_int_eq(elf_file_parse("#!/bin/sh\n", 10, &e), -ENOEXEC);
        ck_assert_int_eq(elf_file_parse("", 0, &e), -ENOEXEC);
        ck_assert_int_eq(elf_file_parse("\177EL", 3, &e), -ENOEXEC);
        ck_assert_int_eq(elf_file_parse("\177ELF", 4, &e), -EBADMSG);
}
END_TEST

/* Every prefix of a real library, and bytes flipped all over it: an error or a
 * result, never a crash (run under the sanitizers with -DSANITIZE=ON). */
START_TEST(truncated_and_corrupted_input_never_crashes) {
        size_t size;
        uint8_t *data = slurp("/lib/x86_64-linux-gnu/libz.so.1", &size);
        const char *why = NULL;
        ElfFile e;

        for (size_t n = 0; n < size; n += (n < 8192 ? 1 : 997)) {
                uint8_t *copy = malloc(n ?: 1); /* exact size, so ASan sees overreads */
                memcpy(copy, data, n);
                if (elf_file_parse_full(copy, n, &e, &why) == 0)
                        elf_file_done(&e);
                free(copy);
        }

        srand(1);
        for (int round = 0; round < 2000; round++) {
                uint8_t *copy = malloc(size);
                memcpy(copy, data, size);
                for (int k = 0; k < 8; k++)
                        copy[rand() % (round % 2 ? 4096 : size)] = rand();
                if (elf_file_parse(copy, size, &e) == 0)
                        elf_file_done(&e);
                free(copy);
        }
        free(data);
}
END_TEST

START_TEST(truncated_dynamic_section_is_named) {
        size_t size;
        uint8_t *data = slurp("/usr/bin/true", &size);
        const char *why = NULL;
        ElfFile e;
        bool named = false;

        /* find a length that cuts into the dynamic section or its strings */
        for (size_t n = size; n > 64 && !named; n -= 16) {
                int r = elf_file_parse_full(data, n, &e, &why);
                if (r == 0)
                        elf_file_done(&e);
                else {
                        ck_assert_int_eq(r, -EBADMSG);
                        ck_assert_ptr_nonnull(why);
                        named = true;
                }
        }
        ck_assert(named);
        free(data);
}
END_TEST

START_TEST(big_endian_elf_is_parsed) {
        /* a minimal big-endian ELF64 header with one PT_INTERP */
        uint8_t img[64 + 56 + 16] = {};
        memcpy(img, ELFMAG, SELFMAG);
        img[EI_CLASS] = ELFCLASS64, img[EI_DATA] = ELFDATA2MSB, img[EI_VERSION] = EV_CURRENT;
        img[17] = ET_EXEC;          /* e_type */
        img[19] = EM_PPC64;         /* e_machine */
        img[23] = EV_CURRENT;       /* e_version */
        img[39] = 64;               /* e_phoff */
        img[55] = 56;               /* e_phentsize */
        img[57] = 1;                /* e_phnum */
        img[64 + 3] = PT_INTERP;    /* p_type */
        img[64 + 15] = 120;         /* p_offset */
        img[64 + 39] = 8;           /* p_filesz */
        memcpy(img + 120, "/ld.so1", 8);
        ElfFile e;

        ck_assert_int_eq(elf_file_parse(img, sizeof(img), &e), 0);
        ck_assert_int_eq(e.machine, EM_PPC64);
        ck_assert_str_eq(e.interp, "/ld.so1");
        elf_file_done(&e);
}
END_TEST

/* Whatever read of the file holds which part of a table, the file read in pieces gives the
 * same facts as the file in memory: both classes, both byte orders. */
START_TEST(tables_across_read_chunks_parse_as_in_memory) {
        char *d = tu_mkdtemp();

        FOREACH_SHAPE(s) {
                uint8_t *img = make_elf(&s);
                ElfFile e;

                ck_assert_int_eq(elf_file_parse_full(img, s.size, &e, NULL), 0);
                assert_shape_facts(&s, &e);
                elf_file_done(&e);

                char *path = write_image(d, img, s.size);
                ck_assert_int_eq(elf_file_read_full(path, &e, NULL), 0);
                assert_shape_facts(&s, &e);
                elf_file_done(&e);
                free(path);
                free(img);
        }
        tu_rm_rf(d);
        free(d);
}
END_TEST

/* A file that ends before e_phnum is malformed, however much of the header it has. */
START_TEST(truncated_elf_header_is_malformed) {
        char *d = tu_mkdtemp();

        FOREACH_SHAPE(s) {
                uint8_t *img = make_elf(&s);
                size_t end = s.is64 ? offsetof(Elf64_Ehdr, e_phnum) + 2 : offsetof(Elf32_Ehdr, e_phnum) + 2;

                for (size_t n = EI_NIDENT; n < end; n++)
                        assert_parse_both_ways(d, img, n, -EBADMSG, "truncated ELF header");
                /* the whole header, but not the program headers */
                assert_parse_both_ways(d, img, end, -EBADMSG, "truncated program headers");
                free(img);
        }
        tu_rm_rf(d);
        free(d);
}
END_TEST

/* Program headers that do not all fit in the file, by one byte, are malformed; and an entry
 * size other than the class's. */
START_TEST(truncated_program_header_table_is_malformed) {
        char *d = tu_mkdtemp();

        FOREACH_SHAPE(s) {
                size_t end = s.phoff + (s.n_loads + 1) * shape_phentsize(&s);
                s.stroff = end; /* the rest after the table, cut off with it */
                s.dynoff = end + 1024;
                s.size = s.dynoff + 1024;
                uint8_t *img = make_elf(&s);

                assert_parse_both_ways(d, img, end - 1, -EBADMSG, "truncated program headers");
                assert_parse_both_ways(d, img, end - shape_phentsize(&s), -EBADMSG, "truncated program headers");

                assert_parse_both_ways(d, img, s.size, 0, NULL);
                PUT_CLASS(&s, img, Ehdr, e_phentsize, shape_phentsize(&s) + 8);
                assert_parse_both_ways(d, img, s.size, -EBADMSG, "unexpected program header size");
                free(img);
        }
        tu_rm_rf(d);
        free(d);
}
END_TEST

/* A dynamic section without DT_NULL inside PT_DYNAMIC's bytes in the file is malformed:
 * cut by the end of the file (between entries or inside one), by p_filesz, or smaller than
 * one entry. Also where the section crosses a read of the file. */
START_TEST(truncated_dynamic_section_is_malformed) {
        char *d = tu_mkdtemp();

        FOREACH_SHAPE(s) {
                size_t dynent = shape_dynentsize(&s), n_dyn = 2 + s.n_needed;
                s.size = s.dynoff + (n_dyn + 1) * dynent;
                uint8_t *img = make_elf(&s);

                /* the complete section parses */
                assert_parse_both_ways(d, img, s.size, 0, NULL);
                /* the file ends before DT_NULL: at an entry's end, inside an entry */
                assert_parse_both_ways(d, img, s.size - dynent, -EBADMSG, "truncated dynamic section");
                assert_parse_both_ways(d, img, s.size - dynent / 2, -EBADMSG, "truncated dynamic section");
                assert_parse_both_ways(d, img, s.dynoff + dynent + 1, -EBADMSG, "truncated dynamic section");
                free(img);

                /* no DT_NULL at all, up to the end of the file */
                s.no_dt_null = true;
                s.size = s.dynoff + n_dyn * dynent;
                img = make_elf(&s);
                assert_parse_both_ways(d, img, s.size, -EBADMSG, "truncated dynamic section");
                free(img);

                /* DT_NULL in the file, but past p_filesz; p_filesz smaller than one entry */
                s.no_dt_null = false;
                s.size = s.dynoff + (n_dyn + 4) * dynent;
                s.dyn_filesz = n_dyn * dynent;
                img = make_elf(&s);
                assert_parse_both_ways(d, img, s.size, -EBADMSG, "truncated dynamic section");
                free(img);
                s.dyn_filesz = dynent - 1;
                img = make_elf(&s);
                assert_parse_both_ways(d, img, s.size, -EBADMSG, "truncated dynamic section");
                free(img);
        }
        tu_rm_rf(d);
        free(d);
}
END_TEST

START_TEST(dynamic_section_outside_the_file_is_malformed) {
        char *d = tu_mkdtemp();

        FOREACH_SHAPE(s) {
                uint8_t *img = make_elf(&s);
                assert_parse_both_ways(d, img, s.dynoff, -EBADMSG, "dynamic section outside the file");
                free(img);
        }
        tu_rm_rf(d);
        free(d);
}
END_TEST

/* A file that gets shorter after it was opened: the parse fails with the read's error
 * (-EIO), not as a malformed file, whether the read of the program headers or of the
 * dynamic section is the one that comes short. */
START_TEST(table_unreadable_after_open_is_the_read_error) {
        char *d = tu_mkdtemp();

        for (int which = 0; which < 4; which++) {
                Shape s = {
                        .is64 = which & 1,
                        .phoff = which & 2 ? 12288 + 64 : 64,
                        .dynoff = 20480 + 64,
                        .stroff = 4096,
                        .n_loads = 4,
                        .n_needed = 3,
                        .size = 24576,
                };
                uint8_t *img = make_elf(&s);
                char *path = write_image(d, img, s.size);
                ElfReader *er;
                ElfFile e;

                ck_assert_int_eq(elf_reader_open(path, &er), 0);
                ck_assert_ptr_nonnull(elf_reader_bytes(er, 0, SELFMAG)); /* the first 8 KiB */
                ck_assert_int_eq(truncate(path, which & 2 ? 8192 : 16384), 0);
                ck_assert_int_eq(elf_file_read_reader(er, &e, NULL), -EIO);
                elf_reader_close(er);
                free(path);
                free(img);
        }
        tu_rm_rf(d);
        free(d);
}
END_TEST

int main(void) {
        Suite *s = suite_create("elf-file");
        TCase *tc = tcase_create("parse");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, reads_needed_runpath_soname_and_nodeflib);
        tcase_add_test(tc, reads_interp_and_rpath_of_a_program);
        tcase_add_test(tc, reads_32bit_objects);
        tcase_add_test(tc, reads_filter_and_auxiliary_in_order);
        tcase_add_test(tc, not_elf_is_enoexec);
        tcase_add_test(tc, truncated_and_corrupted_input_never_crashes);
        tcase_add_test(tc, truncated_dynamic_section_is_named);
        tcase_add_test(tc, big_endian_elf_is_parsed);
        tcase_add_test(tc, tables_across_read_chunks_parse_as_in_memory);
        tcase_add_test(tc, truncated_elf_header_is_malformed);
        tcase_add_test(tc, truncated_program_header_table_is_malformed);
        tcase_add_test(tc, truncated_dynamic_section_is_malformed);
        tcase_add_test(tc, dynamic_section_outside_the_file_is_malformed);
        tcase_add_test(tc, table_unreadable_after_open_is_the_read_error);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
