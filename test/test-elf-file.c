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
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
