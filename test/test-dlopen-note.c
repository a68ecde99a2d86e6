/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "closure.h"
#include "confinement-config.h"
#include "dlopen-note.h"
#include "dlopen-search.h"
#include "macro.h"
#include "strv.h"
#include "test-util.h"
#include "unit-file.h"

static int parse(const char *json, DlopenNote *n) {
        *n = (DlopenNote) {};
        return dlopen_note_parse_json(json, strlen(json), n);
}

START_TEST(well_formed_payload_gives_every_entry_with_default_priority) {
        DlopenNote n;
        ck_assert_int_eq(parse(" [ {\"feature\":\"tpm\",\"description\":\"TPM \\\"2\\\" \\u00e9\\ud83d\\ude00\","
                               "\"priority\":\"required\",\"soname\":[\"libtss2-esys.so.0\",\"libtss2-esys.so\"]},"
                               "{\"soname\":[\"libzstd.so.1\"],\"x-later\":{\"a\":[1,-2.5e+3,true,null,\"s\"]}},"
                               "{\"soname\":[\"libfoo.so.1\"],\"priority\":\"suggested\"}]\n",
                               &n),
                         0);
        ck_assert_uint_eq(n.n_entries, 3);
        ck_assert_int_eq(n.entries[0].priority, DLOPEN_PRIORITY_REQUIRED);
        ck_assert_str_eq(n.entries[0].feature, "tpm");
        ck_assert_str_eq(n.entries[0].description, "TPM \"2\" \xc3\xa9\xf0\x9f\x98\x80");
        ck_assert_uint_eq(strv_length(n.entries[0].sonames), 2);
        ck_assert_str_eq(n.entries[0].sonames[1], "libtss2-esys.so");
        ck_assert_int_eq(n.entries[1].priority, DLOPEN_PRIORITY_RECOMMENDED); /* the format's default */
        ck_assert_ptr_null(n.entries[1].feature);
        ck_assert_int_eq(n.entries[2].priority, DLOPEN_PRIORITY_SUGGESTED);
        dlopen_note_done(&n);

        /* A descriptor is NUL-padded to 4 bytes; an empty array is valid. */
        ck_assert_int_eq(dlopen_note_parse_json("[]\0\0", 4, &n), 0);
        ck_assert_uint_eq(n.n_entries, 0);
}
END_TEST

START_TEST(anything_but_the_expected_shape_is_rejected) {
        static const char *const bad[] = {
                "", "   ", "{}", "[", "]", "[{}]", "[{\"soname\":[]}]", "[{\"soname\":\"libx.so\"}]",
                "[{\"soname\":[\"\"]}]", "[{\"soname\":[1]}]", "[{\"soname\":[\"a\"],\"priority\":\"must\"}]",
                "[{\"soname\":[\"a\"],\"soname\":[\"b\"]}]", "[{\"soname\":[\"a\"]},]", "[{\"soname\":[\"a\"],}]",
                "[{\"soname\":[\"a\"]}] x", "[{\"soname\":[\"a\"]}][]", "[{\"soname\":[\"a\tb\"]}]",
                "[{\"soname\":[\"a\\q\"]}]", "[{\"soname\":[\"a\\u0000b\"]}]", "[{\"soname\":[\"\\ud800\"]}]",
                "[{\"soname\":[\"\\udc00\"]}]", "[{\"soname\":[\"\\u12\"]}]", "[{\"soname\":[\"\xc3\"]}]",
                "[{\"soname\":[\"\xc0\xaf\"]}]", "[{\"soname\":[\"\xed\xa0\x80\"]}]", "[{\"soname\":[\"a\"],\"x\":01}]",
                "[{\"soname\":[\"a\"],\"x\":1.}]", "[{\"soname\":[\"a\"],\"x\":tru}]", "[{\"soname\":[\"a\"],\"x\":+1}]",
                "[{\"soname\":[\"a\"],\"feature\":null}]", "[{soname:[\"a\"]}]", "[{\"soname\" [\"a\"]}]",
                "[{\"soname\":[\"a\"]} {\"soname\":[\"b\"]}]", "[\"libx.so\"]", "[[{\"soname\":[\"a\"]}]]",
                "[{\"soname\":[\"a\"],\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                DlopenNote n = {};
                ck_assert_msg(parse(bad[i], &n) == -EBADMSG, "accepted: %s", bad[i]);
                ck_assert_uint_eq(n.n_entries, 0);
        }
        /* A NUL inside the payload (not padding) ends nothing: it is malformed. */
        DlopenNote n = {};
        ck_assert_int_eq(dlopen_note_parse_json("[]\0[]", 5, &n), -EBADMSG);
}
END_TEST

/* Every prefix and many byte flips of a good payload: an answer, never a
 * crash or a read outside the buffer (run under ASan with -DSANITIZE=ON). */
START_TEST(truncated_and_mutated_payloads_never_crash) {
        static const char good[] = "[{\"feature\":\"f\\u00e9\",\"soname\":[\"liba.so.1\",\"libb.so\"],"
                                   "\"priority\":\"recommended\",\"x\":{\"y\":[1e5,\"z\"]}}]";
        size_t n = strlen(good);
        srand(4242);
        for (size_t len = 0; len <= n; len++) {
                char *copy = malloc(len ?: 1);
                memcpy(copy, good, len);
                DlopenNote note = {};
                int r = dlopen_note_parse_json(copy, len, &note);
                ck_assert(r == 0 || r == -EBADMSG);
                ck_assert(r == 0 || note.n_entries == 0);
                dlopen_note_done(&note);
                free(copy);
        }
        for (int round = 0; round < 20000; round++) {
                char *copy = malloc(n);
                memcpy(copy, good, n);
                for (int k = 0; k < 1 + rand() % 4; k++)
                        copy[rand() % n] = (char) (rand() % 256);
                DlopenNote note = {};
                int r = dlopen_note_parse_json(copy, n - (size_t) (rand() % 3), &note);
                ck_assert(r == 0 || r == -EBADMSG);
                dlopen_note_done(&note);
                free(copy);
        }
}
END_TEST

/* A note section as the assembler lays it out: owner "FDO", type 0x407c0c0a. */
static char *note_asm(const char *json_c_escaped) {
        char *s = NULL;
        ck_assert_int_ge(asprintf(&s,
                                  "__asm__(\".pushsection .note.dlopen,\\\"a\\\",@note\\n"
                                  ".balign 4\\n.long 4\\n.long 2f-1f\\n.long 0x407c0c0a\\n.asciz \\\"FDO\\\"\\n"
                                  "1: .asciz \\\"%s\\\"\\n2: .balign 4\\n.popsection\\n\");\n",
                                  json_c_escaped),
                         0);
        return s;
}

static char *program_with_note(const char *dir, const char *rel, const char *json, const char *extra) {
        _cleanup_free_ char *src = NULL, *n = note_asm(json);
        ck_assert_int_ge(asprintf(&src, "%sint main(void) { return 0; }\n", n), 0);
        return tu_cc(dir, rel, src, extra);
}

START_TEST(note_is_read_from_a_program_as_readelf_shows_it) {
        _cleanup_free_ char *d = tu_mkdtemp();
        _cleanup_free_ char *prog = program_with_note(
                d, "prog", "[{\\\\\\\"soname\\\\\\\":[\\\\\\\"libx.so.1\\\\\\\"],\\\\\\\"priority\\\\\\\":\\\\\\\"required\\\\\\\"}]", "");
        tu_sh("readelf -n '%s' | grep -A2 '.note.dlopen' | grep -Eq 'FDO.*(0x407c0c0a|FDO_DLOPEN_METADATA)'", prog);
        DlopenNote n = {};
        ck_assert_int_eq(dlopen_note_read(prog, &n), 0);
        ck_assert_uint_eq(n.n_entries, 1);
        ck_assert_str_eq(n.entries[0].sonames[0], "libx.so.1");
        ck_assert_int_eq(n.entries[0].priority, DLOPEN_PRIORITY_REQUIRED);
        dlopen_note_done(&n);

        /* Stripped of section headers' help: the note is still found. */
        tu_sh("cp '%s' '%s.stripped' && strip '%s.stripped'", prog, prog, prog);
        _cleanup_free_ char *stripped = NULL;
        ck_assert_int_ge(asprintf(&stripped, "%s.stripped", prog), 0);
        ck_assert_int_eq(dlopen_note_read(stripped, &n), 0);
        ck_assert_uint_eq(n.n_entries, 1);
        dlopen_note_done(&n);

        /* No note; not ELF. */
        ck_assert_int_eq(dlopen_note_read("/usr/bin/true", &n), 0);
        ck_assert_uint_eq(n.n_entries, 0);
        _cleanup_free_ char *txt = tu_write(d, "text", "hello\n");
        ck_assert_int_eq(dlopen_note_read(txt, &n), -ENOEXEC);
        tu_rm_rf(d);
}
END_TEST

START_TEST(note_added_by_objcopy_is_read_too) {
        _cleanup_free_ char *d = tu_mkdtemp(), *prog = tu_cc(d, "plain", "int main(void) { return 0; }\n", "");
        const char json[] = "[{\"soname\":[\"liby.so.2\"],\"feature\":\"y\"}]";
        size_t desc = (sizeof json + 3) & ~(size_t) 3;
        _cleanup_free_ char *note = NULL;
        ck_assert_int_ge(asprintf(&note, "%s/note.bin", d), 0);
        FILE *f = fopen(note, "we");
        uint32_t h[3] = { 4, (uint32_t) sizeof json, DLOPEN_NOTE_TYPE };
        char pad[4] = {};
        fwrite(h, sizeof h, 1, f);
        fwrite("FDO", 4, 1, f);
        fwrite(json, sizeof json, 1, f);
        fwrite(pad, desc - sizeof json, 1, f);
        fclose(f);
        tu_sh("objcopy --add-section .note.dlopen='%s' "
              "'%s' '%s.noted' && readelf -n '%s.noted' | grep -Eq '0x407c0c0a|FDO_DLOPEN_METADATA'",
              note, prog, prog, prog);
        _cleanup_free_ char *noted = NULL;
        ck_assert_int_ge(asprintf(&noted, "%s.noted", prog), 0);
        DlopenNote n = {};
        ck_assert_int_eq(dlopen_note_read(noted, &n), 0);
        ck_assert_uint_eq(n.n_entries, 1);
        ck_assert_str_eq(n.entries[0].feature, "y");
        dlopen_note_done(&n);
        tu_rm_rf(d);
}
END_TEST

START_TEST(notes_in_either_byte_order_and_other_notes_are_skipped) {
        /* A GNU note, then an FDO note of another type, then ours, big-endian. */
        static const unsigned char be[] = {
                0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1, 'G', 'N', 'U', 0, 1, 2, 3, 4,
                0, 0, 0, 4, 0, 0, 0, 0, 0x40, 0x7c, 0x0c, 0x0b, 'F', 'D', 'O', 0,
                0, 0, 0, 4, 0, 0, 0, 24, 0x40, 0x7c, 0x0c, 0x0a, 'F', 'D', 'O', 0,
                '[', '{', '"', 's', 'o', 'n', 'a', 'm', 'e', '"', ':', '[', '"', 'z', '"', ']', '}', ']', 0, 0, 0, 0, 0, 0,
        };
        DlopenNote n = {};
        ck_assert_int_eq(dlopen_note_parse_notes(be, sizeof be, true, &n), 0);
        ck_assert_uint_eq(n.n_entries, 1);
        ck_assert_str_eq(n.entries[0].sonames[0], "z");
        dlopen_note_done(&n);
        /* Read little-endian, the sizes are absurd: malformed, not a crash. */
        ck_assert_int_eq(dlopen_note_parse_notes(be, sizeof be, false, &n), -EBADMSG);
        /* Every truncation. */
        for (size_t len = 0; len < sizeof be; len++) {
                int r = dlopen_note_parse_notes(be, len, true, &n);
                ck_assert(r == 0 || r == -EBADMSG);
                dlopen_note_done(&n);
        }
}
END_TEST

/* Random damage to a real ELF file with a note: header, section table, note. */
START_TEST(mutated_elf_files_never_crash) {
        _cleanup_free_ char *d = tu_mkdtemp();
        _cleanup_free_ char *prog = program_with_note(d, "prog", "[{\\\\\\\"soname\\\\\\\":[\\\\\\\"libx.so.1\\\\\\\"]}]", "");
        FILE *f = fopen(prog, "re");
        ck_assert_ptr_nonnull(f);
        fseek(f, 0, SEEK_END);
        size_t size = (size_t) ftell(f);
        rewind(f);
        unsigned char *image = malloc(size), *copy = malloc(size);
        ck_assert_uint_eq(fread(image, 1, size, f), size);
        fclose(f);
        srand(7);
        for (int round = 0; round < 5000; round++) {
                memcpy(copy, image, size);
                for (int k = 0; k < 1 + rand() % 8; k++) {
                        /* Mostly the headers and tables, where offsets and sizes live. */
                        size_t at = rand() % 2 ? (size_t) rand() % 64 : (size_t) rand() % size;
                        copy[at] = (unsigned char) rand();
                }
                DlopenNote n = {};
                size_t len = rand() % 4 ? size : (size_t) rand() % size;
                int r = dlopen_note_parse_elf(copy, len, &n);
                ck_assert(r == 0 || r == -EBADMSG || r == -ENOEXEC);
                dlopen_note_done(&n);
        }
        free(image);
        free(copy);
        tu_rm_rf(d);
}
END_TEST

/* Fixture: prog dlopen()s libreq (required, found through its RUNPATH
 * $ORIGIN/lib), librec (recommended), libsug (suggested); libreq needs libdep. */
typedef struct Fixture {
        char *dir, *prog, *lib;
} Fixture;

static void fixture_setup(Fixture *fx, const char *json) {
        fx->dir = tu_mkdtemp();
        ck_assert_int_ge(asprintf(&fx->lib, "%s/lib", fx->dir), 0);
        free(tu_cc(fx->dir, "lib/libdep.so.1", "int dep(void) { return 1; }\n", "-shared -fPIC -Wl,-soname,libdep.so.1"));
        char *flags = NULL;
        ck_assert_int_ge(asprintf(&flags, "-shared -fPIC -Wl,-soname,libreq.so.1 -L%s -l:libdep.so.1 "
                                          "-Wl,--enable-new-dtags,-rpath,'$ORIGIN'", fx->lib), 0);
        free(tu_cc(fx->dir, "lib/libreq.so.1", "int dep(void); int req(void) { return dep(); }\n", flags));
        free(flags);
        free(tu_cc(fx->dir, "lib/librec.so.1", "int rec(void) { return 2; }\n", "-shared -fPIC"));
        free(tu_cc(fx->dir, "lib/libsug.so.1", "int sug(void) { return 3; }\n", "-shared -fPIC"));
        fx->prog = program_with_note(fx->dir, "bin/prog", json, "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib'");
}

static void fixture_done(Fixture *fx) {
        tu_rm_rf(fx->dir);
        free(fx->dir);
        free(fx->prog);
        free(fx->lib);
}

#define Q "\\\\\\\""
static const char fixture_json[] =
        "[{" Q "soname" Q ":[" Q "libreq-not-there.so.9" Q "," Q "libreq.so.1" Q "]," Q "priority" Q ":" Q "required" Q "},"
        "{" Q "soname" Q ":[" Q "librec.so.1" Q "]," Q "priority" Q ":" Q "recommended" Q "," Q "feature" Q ":" Q "rec" Q "},"
        "{" Q "soname" Q ":[" Q "libsug.so.1" Q "]," Q "priority" Q ":" Q "suggested" Q "}]";

static bool bound(Closure *c, const char *dir, const char *rel) {
        _cleanup_free_ char *p = NULL;
        ck_assert_int_ge(asprintf(&p, "%s/%s", dir, rel), 0);
        return path_set_contains(closure_binds(c), p);
}

START_TEST(required_dlopen_libraries_join_the_closure_with_their_own) {
        Fixture fx;
        fixture_setup(&fx, fixture_json);
        char *env[] = { (char *) "PATH=/usr/bin", NULL };
        Closure *c = NULL;
        ck_assert_int_eq(closure_new(env, NULL, &c), 0);
        ck_assert_int_eq(closure_add_program(c, fx.prog, "test"), 0);
        /* The first soname that resolves, found through the program's RUNPATH
         * $ORIGIN/../lib (bound at the normalized path, as every closure path). */
        _cleanup_free_ char *req = NULL, *dep = NULL;
        ck_assert_int_ge(asprintf(&req, "%s/lib/libreq.so.1", fx.dir), 0);
        ck_assert_msg(path_set_contains(closure_binds(c), req), "%s not bound", req);
        /* libreq's own DT_NEEDED, through libreq's RUNPATH $ORIGIN. */
        ck_assert_int_ge(asprintf(&dep, "%s/lib/libdep.so.1", fx.dir), 0);
        ck_assert_msg(path_set_contains(closure_binds(c), dep), "%s not bound", dep);
        ck_assert(!bound(c, fx.dir, "lib/librec.so.1"));
        ck_assert(!bound(c, fx.dir, "lib/libsug.so.1"));
        ck_assert_ptr_nonnull(strstr(path_set_get(closure_binds(c), req)->reason, ".note.dlopen libreq.so.1 (required)"));
        c = closure_free(c);

        /* DlopenRecommended=yes: recommended ones too, suggested never. */
        ck_assert_int_eq(closure_new(env, NULL, &c), 0);
        closure_set_dlopen_recommended(c, true);
        ck_assert_int_eq(closure_add_program(c, fx.prog, "test"), 0);
        ck_assert(bound(c, fx.dir, "lib/librec.so.1"));
        ck_assert(!bound(c, fx.dir, "lib/libsug.so.1"));
        c = closure_free(c);
        fixture_done(&fx);
}
END_TEST

START_TEST(missing_required_library_fails_closed_missing_recommended_does_not) {
        Fixture fx;
        fixture_setup(&fx, "[{" Q "soname" Q ":[" Q "libnowhere.so.3" Q "]," Q "priority" Q ":" Q "required" Q "," Q
                           "feature" Q ":" Q "x" Q "}]");
        char *env[] = { NULL };
        Closure *c = NULL;
        ck_assert_int_eq(closure_new(env, NULL, &c), 0);
        ck_assert_int_eq(closure_add_program(c, fx.prog, "test"), -ENOENT);
        ck_assert_str_eq(closure_error_slug(c), "missing-library");
        ck_assert_ptr_nonnull(strstr(closure_error(c), "libnowhere.so.3"));
        c = closure_free(c);
        fixture_done(&fx);

        fixture_setup(&fx, "[{" Q "soname" Q ":[" Q "libnowhere.so.3" Q "]}]");
        ck_assert_int_eq(closure_new(env, NULL, &c), 0);
        closure_set_dlopen_recommended(c, true);
        ck_assert_int_eq(closure_add_program(c, fx.prog, "test"), 0);
        ck_assert_ptr_null(closure_error(c));
        c = closure_free(c);
        fixture_done(&fx);
}
END_TEST

START_TEST(search_follows_library_path_then_cache_then_default_dirs) {
        Fixture fx;
        fixture_setup(&fx, "[]");
        LoaderConfig cfg = {};
        char *path = NULL;
        DlopenVia via;
        /* glibc's own dlopen(): no RUNPATH; the cache finds libc. */
        ck_assert_int_eq(dlopen_search(&cfg, NULL, "libc.so.6", &path, &via), 0);
        ck_assert_int_eq(via, DLOPEN_VIA_CACHE);
        free(path);
        ck_assert_int_eq(dlopen_search(&cfg, NULL, "librec.so.1", &path, &via), -ENOENT);
        char *lp[] = { fx.lib, NULL };
        cfg.library_path = lp;
        ck_assert_int_eq(dlopen_search(&cfg, NULL, "librec.so.1", &path, &via), 0);
        ck_assert_int_eq(via, DLOPEN_VIA_LIBRARY_PATH);
        free(path);
        /* Without a cache, the default dirs. */
        cfg = (LoaderConfig) { .cache_file = "/nonexistent" };
        ck_assert_int_eq(dlopen_search(&cfg, NULL, "libc.so.6", &path, &via), 0);
        ck_assert_int_eq(via, DLOPEN_VIA_DEFAULT_DIRS);
        free(path);
        /* A text file named like a library fails open_verify(): dlopen() fails. */
        free(tu_write(fx.dir, "lib/libtext.so.1", "not ELF\n"));
        cfg.library_path = lp;
        ck_assert_int_eq(dlopen_search(&cfg, NULL, "libtext.so.1", &path, &via), -ENOEXEC);
        fixture_done(&fx);
}
END_TEST

/* Section headers are not trusted to be distinct: 50,000 SHT_NOTE headers naming the
 * same 64 KiB note walked it 50,000 times (3 GiB of note walk) and repeated its
 * entries; each byte is walked once now. */
START_TEST(many_sections_naming_one_note_walk_it_once) {
        enum { N_SECTIONS = 50000, N_FILLER = 16 * 1024 };
        static const char json[] = "[{\"soname\":[\"libonce.so.1\"],\"priority\":\"required\"}]";
        size_t filler = 12 + 4 + N_FILLER * 4, note = 12 + 4 + sizeof json + 3;
        /* the section headers 8-aligned, as Elf64_Shdr is (UBSan checks the stores below) */
        size_t note_off = 64, notes_len = filler + note, sh_off = (note_off + notes_len + 7) & ~(size_t) 7;
        size_t size = sh_off + (size_t) (N_SECTIONS + 1) * sizeof(Elf64_Shdr);
        unsigned char *img = calloc(1, size);
        ck_assert_ptr_nonnull(img);
        Elf64_Ehdr *eh = (Elf64_Ehdr *) img;
        memcpy(eh->e_ident, ELFMAG, SELFMAG);
        eh->e_ident[EI_CLASS] = ELFCLASS64;
        eh->e_ident[EI_DATA] = ELFDATA2LSB;
        eh->e_ident[EI_VERSION] = EV_CURRENT;
        eh->e_type = ET_DYN;
        eh->e_machine = EM_X86_64;
        eh->e_shoff = sh_off;
        eh->e_shentsize = sizeof(Elf64_Shdr);
        eh->e_shnum = 0; /* more than 0xff00: the count is in section 0's sh_size */
        /* a large note of another owner, then the dlopen note */
        uint32_t *w = (uint32_t *) (img + note_off);
        w[0] = 4, w[1] = N_FILLER * 4, w[2] = 1;
        memcpy(w + 3, "XYZ", 4);
        w = (uint32_t *) (img + note_off + filler);
        w[0] = 4, w[1] = sizeof json, w[2] = DLOPEN_NOTE_TYPE;
        memcpy(w + 3, "FDO", 4);
        memcpy(w + 4, json, sizeof json);
        Elf64_Shdr *sh = (Elf64_Shdr *) (img + sh_off);
        sh[0].sh_size = N_SECTIONS + 1;
        for (size_t i = 1; i <= N_SECTIONS; i++)
                sh[i] = (Elf64_Shdr) { .sh_type = SHT_NOTE, .sh_offset = note_off, .sh_size = notes_len, .sh_addralign = 4 };

        DlopenNote n = {};
        ck_assert_int_eq(dlopen_note_parse_elf(img, size, &n), 0);
        ck_assert_uint_eq(n.n_entries, 1);
        ck_assert_str_eq(n.entries[0].sonames[0], "libonce.so.1");
        dlopen_note_done(&n);
        free(img);
}
END_TEST

START_TEST(dlopen_recommended_key_is_a_boolean_defaulting_to_no) {
        static const char *const texts[] = {
                "[Service]\nExecStart=/bin/true\n[X-Confinement]\n",
                "[Service]\nExecStart=/bin/true\n[X-Confinement]\nDlopenRecommended=yes\n",
                "[X-Confinement]\nDlopenRecommended=maybe\n",
        };
        for (int i = 0; i < 3; i++) {
                UnitText u = {};
                ConfinementConfig c = {};
                _cleanup_free_ char *error = NULL;
                ck_assert_int_eq(unit_text_load_buffer(&u, texts[i], strlen(texts[i]), "x.service"), 0);
                int k = confinement_config_parse(&u, &c, &error);
                if (i < 2) {
                        ck_assert_int_eq(k, 0);
                        ck_assert_int_eq(c.dlopen_recommended, i == 1);
                } else {
                        ck_assert_int_eq(k, -EINVAL);
                        ck_assert_ptr_nonnull(strstr(error, "DlopenRecommended=maybe"));
                }
                confinement_config_done(&c);
                unit_text_done(&u);
        }
}
END_TEST

int main(void) {
        Suite *s = suite_create("dlopen-note");
        TCase *tc = tcase_create("parser");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, well_formed_payload_gives_every_entry_with_default_priority);
        tcase_add_test(tc, anything_but_the_expected_shape_is_rejected);
        tcase_add_test(tc, truncated_and_mutated_payloads_never_crash);
        tcase_add_test(tc, notes_in_either_byte_order_and_other_notes_are_skipped);
        tcase_add_test(tc, many_sections_naming_one_note_walk_it_once);
        suite_add_tcase(s, tc);
        tc = tcase_create("ELF files");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, note_is_read_from_a_program_as_readelf_shows_it);
        tcase_add_test(tc, note_added_by_objcopy_is_read_too);
        tcase_add_test(tc, mutated_elf_files_never_crash);
        suite_add_tcase(s, tc);
        tc = tcase_create("closure");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, required_dlopen_libraries_join_the_closure_with_their_own);
        tcase_add_test(tc, missing_required_library_fails_closed_missing_recommended_does_not);
        tcase_add_test(tc, search_follows_library_path_then_cache_then_default_dirs);
        tcase_add_test(tc, dlopen_recommended_key_is_a_boolean_defaulting_to_no);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
