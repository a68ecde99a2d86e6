/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The walk memo's key and record (walk-memo.h): a replay stands for a walk only when every
 * input of the walk is the same, so two different inputs must never share a key, and a
 * replay names the program it is for. The replays themselves are compared with fresh walks
 * and with ldd in test-ld-search. */
#include <check.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "test-util.h"
#include "walk-memo.h"

static char *needed_a[] = { (char *) "libfoo.so.1", (char *) "libc.so.6", NULL };

/* A program's facts and a unit's LoaderConfig, every field set, the lists their own copies
 * so that a case may change them. */
typedef struct Inputs {
        ElfFile elf;
        ElfDependency deps[2];
        LoaderConfig cfg;
        char *library_path[3], *preload[2], *default_dirs[2];
        const char *origin;
} Inputs;

static void inputs_init(Inputs *in) {
        *in = (Inputs) {
                .elf = { .elf_class = ELFCLASS64, .machine = EM_X86_64, .type = ET_DYN, .has_dynamic = true,
                         .flags_1 = DF_1_PIE, .interp = (char *) "/lib64/ld-linux-x86-64.so.2",
                         .soname = NULL, .rpath = NULL, .runpath = (char *) "/opt/lib" },
                .deps = { { ELF_DEPENDENCY_NEEDED, needed_a[0] }, { ELF_DEPENDENCY_NEEDED, needed_a[1] } },
                .library_path = { (char *) "/a", (char *) "/b", NULL },
                .preload = { (char *) "/usr/lib/libpre.so", NULL },
                .default_dirs = { (char *) "/lib", NULL },
                .origin = "/usr/bin",
        };
        in->elf.dependencies = in->deps;
        in->elf.n_dependencies = 2;
        in->cfg = (LoaderConfig) { .library_path = in->library_path, .preload = in->preload,
                                   .default_dirs = in->default_dirs };
}

static char *key_of(const Inputs *in) {
        char *k = walk_memo_key(&in->cfg, &in->elf, in->origin);
        ck_assert_ptr_nonnull(k);
        return k;
}

/* Each case changes one input of the base; no two of them, nor the base, share a key. Where
 * two values could run together in a plain concatenation (a NULL and an empty string, a
 * list split differently, a string moved to the next field), the case says so. */
START_TEST(every_input_of_the_walk_changes_the_key) {
        char *keys[64] = {};
        size_t n = 0;
        for (int c = -1;; c++) {
                Inputs in;
                inputs_init(&in);
                char *split[] = { (char *) "/a:/b", NULL }, *empty[] = { NULL };
                switch (c) {
                case 0: in.elf.elf_class = ELFCLASS32; break;
                case 1: in.elf.machine = EM_386; break;
                case 2: in.elf.type = ET_EXEC; break;
                case 3: in.elf.has_dynamic = false; break;
                case 4: in.elf.flags_1 = 0; break;
                case 5: in.elf.nodeflib = true; break;
                case 6: in.elf.interp = NULL; break;
                case 7: in.elf.interp = (char *) "/lib/ld-linux.so.2"; break;
                case 8: in.elf.soname = (char *) ""; break;                  /* NULL against "" */
                case 9: in.elf.rpath = (char *) "/opt/lib"; break;            /* the same string one field over */
                case 10: in.elf.runpath = NULL; break;
                case 11: in.elf.runpath = (char *) ""; break;
                case 12: in.deps[0].kind = ELF_DEPENDENCY_FILTER; break;
                case 13: in.deps[1].kind = ELF_DEPENDENCY_AUXILIARY; break;
                case 14: in.deps[0].name = (char *) "libfoo.so.1libc.so"; in.deps[1].name = (char *) ".6"; break;
                case 15: in.elf.n_dependencies = 1; break;
                case 16: in.deps[0].name = (char *) "libc.so.6"; in.deps[1].name = (char *) "libfoo.so.1"; break;
                case 17: in.cfg.library_path = split; break;                /* joins to the same "/a:/b" */
                case 18: in.cfg.library_path = NULL; break;
                case 19: in.cfg.library_path = empty; break;                /* NULL against an empty list */
                case 20: in.cfg.preload = NULL; break;
                case 21: in.cfg.preload_file = "/etc/ld.so.preload"; break; /* NULL means the same file: still apart */
                case 22: in.cfg.cache_file = "/etc/other.cache"; break;
                case 23: in.cfg.default_dirs = NULL; break;                 /* glibc's own defaults */
                case 24: in.cfg.default_dirs = empty; break;
                case 25: in.cfg.as_library = true; break;
                case 26: in.elf.interp = (char *) "/lib64/ld-linux-x86-64.so.2-"; in.elf.soname = (char *) ""; break;
                case 27: in.library_path[0] = (char *) "/a/"; in.library_path[1] = (char *) "b"; break; /* "/a" "/b" run together */
                case -1: break; /* the base */
                default:
                        for (size_t i = 0; i < n; i++)
                                free(keys[i]);
                        return;
                }
                ck_assert_uint_lt(n, ELEMENTSOF(keys));
                keys[n] = key_of(&in);
                for (size_t i = 0; i < n; i++)
                        ck_assert_msg(!streq(keys[i], keys[n]), "cases %zd and %d share the key %s", (ssize_t) i - 1, c,
                                      keys[n]);
                n++;
        }
}
END_TEST

/* $ORIGIN is part of the key only where a string the walk expands holds a token; then a
 * program in another dir is another walk. */
START_TEST(origin_counts_only_where_a_token_is_used) {
        Inputs a, b;
        inputs_init(&a);
        inputs_init(&b);
        b.origin = "/usr/sbin";
        _cleanup_free_ char *ka = key_of(&a), *kb = key_of(&b);
        ck_assert_str_eq(ka, kb);
        ck_assert(!walk_memo_uses_origin(&a.cfg, &a.elf));

        const char *with_token[] = { "runpath", "rpath", "needed", "library_path", "preload", NULL };
        for (const char **w = with_token; *w; w++) {
                inputs_init(&a);
                inputs_init(&b);
                b.origin = "/usr/sbin";
                char *tok = (char *) "$ORIGIN/../lib";
                for (Inputs *in = &a; in; in = in == &a ? &b : NULL) {
                        if (streq(*w, "runpath"))
                                in->elf.runpath = tok;
                        else if (streq(*w, "rpath"))
                                in->elf.rpath = tok;
                        else if (streq(*w, "needed"))
                                in->deps[0].name = (char *) "$LIB/libfoo.so.1";
                        else if (streq(*w, "library_path"))
                                in->library_path[1] = tok;
                        else
                                in->preload[0] = tok;
                }
                ck_assert_msg(walk_memo_uses_origin(&a.cfg, &a.elf), "%s", *w);
                _cleanup_free_ char *ta = key_of(&a), *tb = key_of(&b);
                ck_assert_msg(!streq(ta, tb), "a token in %s, yet /usr/bin and /usr/sbin share a key", *w);
        }
}
END_TEST

typedef struct Seen {
        char **lines;
} Seen;

static int seen(const char *path, const char *parent, const char *reason, void *userdata) {
        Seen *s = userdata;
        ck_assert_int_eq(strv_consume(&s->lines, asprintf_safe("%s < %s: %s", path, parent ?: "-", reason)), 0);
        return strv_length(s->lines) == 99 ? -ECANCELED : 0;
}

/* A replay calls back in the recorded order; the program's name stands where the asking
 * object was the program (as parent and in the reason), a library's stays; a negative
 * return of the callback ends the replay and is returned. */
START_TEST(replay_puts_the_program_where_it_asked_and_stops_on_error) {
        WalkRecord *r = NULL;
        ck_assert_int_eq(walk_record_new(&r), 0);
        ck_assert_int_eq(walk_record_add(r, "/lib64/ld.so", true, "/usr/bin/first", "PT_INTERP of ", NULL), 0);
        ck_assert_int_eq(walk_record_add(r, "/etc/ld.so.preload", false, NULL, "read by ld.so at every start", NULL), 0);
        ck_assert_int_eq(walk_record_add(r, "/lib/libfoo.so.1", true, "/usr/bin/first", "DT_NEEDED libfoo.so.1 of ",
                                         " via ld.so.cache"), 0);
        ck_assert_int_eq(walk_record_add(r, "/lib/libbar.so", false, "/lib/libfoo.so.1", "DT_NEEDED libbar.so of ",
                                         " via default dir /lib"), 0);

        Seen s = { .lines = calloc(1, sizeof(char *)) };
        ck_assert_int_eq(walk_record_replay(r, "/usr/sbin/second", seen, &s), 0);
        const char *want[] = {
                "/lib64/ld.so < /usr/sbin/second: PT_INTERP of /usr/sbin/second",
                "/etc/ld.so.preload < -: read by ld.so at every start",
                "/lib/libfoo.so.1 < /usr/sbin/second: DT_NEEDED libfoo.so.1 of /usr/sbin/second via ld.so.cache",
                "/lib/libbar.so < /lib/libfoo.so.1: DT_NEEDED libbar.so of /lib/libfoo.so.1 via default dir /lib",
                NULL,
        };
        ck_assert_uint_eq(strv_length(s.lines), 4);
        for (size_t i = 0; want[i]; i++)
                ck_assert_str_eq(s.lines[i], want[i]);
        strv_free(s.lines);

        /* the 99th call fails: the replay stops there */
        for (int i = 0; i < 200; i++)
                ck_assert_int_eq(walk_record_add(r, "/lib/x.so", false, "/lib/y.so", "DT_NEEDED x of ", NULL), 0);
        s = (Seen) { .lines = calloc(1, sizeof(char *)) };
        ck_assert_int_eq(walk_record_replay(r, "/usr/sbin/second", seen, &s), -ECANCELED);
        ck_assert_uint_eq(strv_length(s.lines), 99);
        strv_free(s.lines);
        walk_record_free(r);
}
END_TEST

int main(void) {
        Suite *s = suite_create("walk-memo");
        TCase *tc = tcase_create("walk-memo");
        tcase_add_test(tc, every_input_of_the_walk_changes_the_key);
        tcase_add_test(tc, origin_counts_only_where_a_token_is_used);
        tcase_add_test(tc, replay_puts_the_program_where_it_asked_and_stops_on_error);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
