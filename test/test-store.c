/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store scanner against a real Nix store: a private store (NIX_STORE_DIR)
 * built in the test with Debian's nix-bin, offline, where every closure we find
 * must equal `nix-store -qR`; and hand-made stores for the cases Nix never
 * produces (FIFOs, loops, cycles, sparse files, deep trees). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "strv.h"
#include "test-util.h"

static char *nix_dir;   /* holds store/, state/, the .nix file */
static char *nix_store; /* the private store directory */

/* ---- helpers ---- */

static char *sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *sh_out(const char *fmt, ...) {
        char *cmd, *out = NULL;
        size_t size = 0;
        va_list ap;
        va_start(ap, fmt);
        ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
        va_end(ap);
        FILE *p = popen(cmd, "r");
        ck_assert_ptr_nonnull(p);
        FILE *m = open_memstream(&out, &size);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
                fwrite(buf, 1, n, m);
        fclose(m);
        int r = pclose(p);
        ck_assert_msg(r == 0, "command failed (%d): %s", r, cmd);
        free(cmd);
        while (size > 0 && out[size - 1] == '\n')
                out[--size] = 0;
        return out;
}

static int collect(const char *path, const char *parent, const char *reason, void *userdata) {
        char ***l = userdata;
        ck_assert_msg(!strv_contains(*l, path), "%s reported twice", path);
        ck_assert_ptr_nonnull(reason);
        return strv_extend(l, path);
}

/* Our closure of root, sorted and joined by newlines; NULL and *ret_r on error. */
static char *our_closure(StoreScanner *s, const char *root, int *ret_r) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *error = NULL;
        int r = store_closure(s, root, collect, &l, &error);
        if (ret_r)
                *ret_r = r;
        if (r < 0) {
                ck_assert_msg(ret_r, "store_closure(%s): %s", root, error);
                ck_assert_ptr_nonnull(error);
                return NULL;
        }
        strv_sort(l);
        return strv_join(l, "\n");
}

static char *nix_closure(const char *root) {
        return sh_out("nix-store -qR '%s' | LC_ALL=C sort", root);
}

static StoreScanner *nix_scanner(void) {
        StoreScanner *s;
        char *dirs[] = { nix_store, NULL };
        ck_assert_int_eq(store_scanner_new(dirs, &s), 0);
        return s;
}

static char *attr(const char *name) {
        return sh_out("cat '%s/out-%s'", nix_dir, name);
}

/* Asserts our closure of the attribute's output equals nix-store -qR; returns the closure. */
static char *assert_same_as_nix(StoreScanner *s, const char *name) {
        _cleanup_free_ char *root = attr(name), *nix = nix_closure(root);
        char *ours = our_closure(s, root, NULL);
        ck_assert_msg(streq(ours, nix), "closure of %s differs\nours:\n%s\nnix-store -qR:\n%s", root, ours, nix);
        return ours;
}

static bool has_line(const char *text, const char *line) {
        size_t l = strlen(line);
        for (const char *p = text; (p = strstr(p, line)); p++)
                if ((p == text || p[-1] == '\n') && (p[l] == '\n' || p[l] == 0))
                        return true;
        return false;
}

static size_t count_lines(const char *text) {
        size_t n = *text ? 1 : 0;
        for (const char *p = text; *p; p++)
                n += *p == '\n';
        return n;
}

/* ---- the real store, built once before the tests run ---- */

static const char nix_expr[] =
        "{ added ? \"\" }:\n"
        "let\n"
        "  mk = name: script: attrs: derivation ({\n"
        "    inherit name; system = builtins.currentSystem; builder = \"/bin/sh\";\n"
        "    args = [ \"-c\" (\"set -e\\n\" + script) ]; PATH = \"/usr/bin:/bin\";\n"
        "  } // attrs);\n"
        "  lib = \"/lib/x86_64-linux-gnu\";\n"
        "in rec {\n"
        /* glibc's loader and libc, copied from Debian */
        "  glibc = mk \"glibc\" ''\n"
        "    mkdir -p $out/lib\n"
        "    cp -L /lib64/ld-linux-x86-64.so.2 ${lib}/libc.so.6 $out/lib/\n"
        "  '' {};\n"
        "  ncurses = mk \"ncurses\" ''\n"
        "    mkdir -p $out/lib; cp -L ${lib}/libtinfo.so.6 $out/lib/; chmod u+w $out/lib/*\n"
        "    patchelf --set-rpath $glibc/lib $out/lib/libtinfo.so.6\n"
        "  '' { inherit glibc; };\n"
        "  bash = mk \"bash\" ''\n"
        "    mkdir -p $out/bin; cp /bin/bash $out/bin/; chmod u+w $out/bin/bash\n"
        "    patchelf --set-interpreter $glibc/lib/ld-linux-x86-64.so.2 --set-rpath $ncurses/lib:$glibc/lib $out/bin/bash\n"
        "    ln -s bash $out/bin/sh\n"
        "  '' { inherit glibc ncurses; };\n"
        "  cat = mk \"cat\" ''\n"
        "    mkdir -p $out/bin; cp /bin/cat $out/bin/; chmod u+w $out/bin/cat\n"
        "    patchelf --set-interpreter $glibc/lib/ld-linux-x86-64.so.2 --set-rpath $glibc/lib $out/bin/cat\n"
        "  '' { inherit glibc; };\n"
        /* a script whose #! is a store path */
        "  hello = mk \"hello\" ''\n"
        "    mkdir -p $out/bin\n"
        "    printf '#!%s/bin/bash\\necho hello from the store\\n' $bash > $out/bin/hello\n"
        "    chmod +x $out/bin/hello\n"
        "  '' { inherit bash; };\n"
        "  neighbour = mk \"neighbour\" \"echo not referenced > $out\" {};\n"
        /* a data file naming a store path; 31 characters of a hash are no reference */
        "  app = mk \"app\" ''\n"
        "    mkdir -p $out/etc\n"
        "    printf 'command = %s/bin/hello\\n' $hello > $out/etc/app.conf\n"
        "    printf 'almost = %s\\n' $(basename $neighbour | cut -c1-31) >> $out/etc/app.conf\n"
        "  '' { inherit hello neighbour; };\n"
        /* a bare hash inside random bytes, straddling the scanner's 128 KiB reads */
        "  payload = mk \"payload\" \"echo payload > $out\" {};\n"
        "  blob = mk \"blob.bin.xz\" ''\n"
        "    h=$(basename $payload | cut -c1-32)\n"
        "    { head -c 131060 /dev/urandom; printf %s $h; head -c 70000 /dev/urandom; } > $out\n"
        "  '' { inherit payload; };\n"
        /* a store path that is a symlink */
        "  catlink = mk \"cat-link\" \"ln -s $cat/bin/cat $out\" { inherit cat; };\n"
        /* a file name, a symlink target inside a tree, a hash inside a longer base32 run */
        "  namedep = mk \"namedep\" \"echo n > $out\" {};\n"
        "  linkdep = mk \"linkdep\" \"echo l > $out\" {};\n"
        "  rundep = mk \"rundep\" \"echo r > $out\" {};\n"
        "  names = mk \"names\" ''\n"
        "    mkdir -p $out/share/by-hash $out/bin\n"
        "    touch $out/share/by-hash/$(basename $namedep | cut -c1-32)\n"
        "    ln -s $linkdep $out/bin/link\n"
        "    printf 'zz%szz0\\n' $(basename $rundep | cut -c1-32) > $out/share/run.txt\n"
        "  '' { inherit namedep linkdep rundep; };\n"
        /* a path named without string context: Nix does not record it */
        "  sneaky = mk \"sneaky\" \"echo ${added} > $out\" {};\n"
        "}\n";

static const char *const attrs[] = {
        "glibc", "ncurses", "bash", "cat", "hello", "neighbour", "app", "payload", "blob",
        "catlink", "namedep", "linkdep", "rundep", "names", "sneaky",
};

static int build_store(void) {
        char *p;
        if (asprintf(&nix_store, "%s/store", nix_dir) < 0)
                return -ENOMEM;
        setenv("NIX_STORE_DIR", nix_store, 1);
        if (asprintf(&p, "%s/state", nix_dir) < 0)
                return -ENOMEM;
        setenv("NIX_STATE_DIR", p, 1);
        free(p);
        if (asprintf(&p, "%s/log", nix_dir) < 0)
                return -ENOMEM;
        setenv("NIX_LOG_DIR", p, 1);
        free(p);
        if (asprintf(&p, "%s/etc", nix_dir) < 0) /* no host nix.conf */
                return -ENOMEM;
        setenv("NIX_CONF_DIR", p, 1);
        free(p);

        if (asprintf(&p, "set -e; cd '%s'; mkdir -p etc\n"
                     "cat > test.nix <<'EOF'\n%sEOF\n"
                     "echo 'see %s/' > added-target\n", nix_dir, nix_expr, nix_store) < 0)
                return -ENOMEM;
        int r = system(p);
        free(p);
        if (r != 0)
                return -EIO;
        /* added: a path from nix-store --add; added-ref names it, Nix records nothing */
        if (asprintf(&p, "set -e; cd '%s'\n"
                     "nix-store --add added-target > out-added\n"
                     "printf 'uses %%s\\n' $(cat out-added) > added-ref\n"
                     "nix-store --add added-ref > out-addedref\n", nix_dir) < 0)
                return -ENOMEM;
        r = system(p);
        free(p);
        if (r != 0)
                return -EIO;
        for (size_t i = 0; i < ELEMENTSOF(attrs); i++) {
                if (asprintf(&p, "cd '%s' && nix-build --option sandbox false --option build-users-group '' "
                             "--option substituters '' --no-out-link --argstr added \"$(cat out-added)\" "
                             "-A %s test.nix > out-%s 2> build-%s.log || { cat build-%s.log; exit 1; }",
                             nix_dir, attrs[i], attrs[i], attrs[i], attrs[i]) < 0)
                        return -ENOMEM;
                r = system(p);
                free(p);
                if (r != 0)
                        return -EIO;
        }
        return 0;
}

START_TEST(patched_programs_reference_their_interpreter_and_rpath_store_paths) {
        _cleanup_(store_scanner_freep) StoreScanner *s = nix_scanner();
        _cleanup_free_ char *bash = attr("bash"), *glibc = attr("glibc"), *ncurses = attr("ncurses");

        /* the patching is real: the program loads from the store and runs */
        _cleanup_free_ char *out = sh_out("'%s/bin/bash' -c 'echo \"$(< /proc/$$/maps)\"' </dev/null", bash);
        ck_assert_msg(strstr(out, glibc) && strstr(out, ncurses), "bash does not load from the store:\n%s", out);

        free(assert_same_as_nix(s, "glibc"));
        free(assert_same_as_nix(s, "ncurses"));
        free(assert_same_as_nix(s, "cat"));
        _cleanup_free_ char *c = assert_same_as_nix(s, "bash");
        ck_assert(has_line(c, bash) && has_line(c, glibc) && has_line(c, ncurses));
        ck_assert_uint_eq(count_lines(c), 3);
}
END_TEST

START_TEST(shebang_naming_a_store_path_is_a_reference) {
        _cleanup_(store_scanner_freep) StoreScanner *s = nix_scanner();
        _cleanup_free_ char *hello = attr("hello"), *bash = attr("bash");
        _cleanup_free_ char *out = sh_out("'%s/bin/hello'", hello);
        ck_assert_str_eq(out, "hello from the store");
        _cleanup_free_ char *c = assert_same_as_nix(s, "hello");
        ck_assert(has_line(c, bash));
}
END_TEST

START_TEST(data_file_naming_a_store_path_is_a_reference_but_31_hash_chars_are_not) {
        _cleanup_(store_scanner_freep) StoreScanner *s = nix_scanner();
        _cleanup_free_ char *hello = attr("hello"), *neighbour = attr("neighbour");
        _cleanup_free_ char *c = assert_same_as_nix(s, "app");
        ck_assert(has_line(c, hello));
        ck_assert(!has_line(c, neighbour));
}
END_TEST

START_TEST(chain_four_deep_is_followed_transitively) {
        _cleanup_(store_scanner_freep) StoreScanner *s = nix_scanner();
        /* app -> hello -> bash -> ncurses -> glibc */
        _cleanup_free_ char *c = assert_same_as_nix(s, "app");
        _cleanup_free_ char *glibc = attr("glibc"), *ncurses = attr("ncurses");
        ck_assert(has_line(c, glibc) && has_line(c, ncurses));
        ck_assert_uint_eq(count_lines(c), 5);
}
END_TEST

START_TEST(bare_hash_in_binary_blob_across_read_chunks_is_a_reference) {
        _cleanup_(store_scanner_freep) StoreScanner *s = nix_scanner();
        _cleanup_free_ char *payload = attr("payload");
        _cleanup_free_ char *c = assert_same_as_nix(s, "blob");
        ck_assert(has_line(c, payload));
        ck_assert_uint_eq(count_lines(c), 2);
}
END_TEST

START_TEST(store_path_that_is_a_symlink_references_its_target) {
        _cleanup_(store_scanner_freep) StoreScanner *s = nix_scanner();
        _cleanup_free_ char *link = attr("catlink"), *cat = attr("cat");
        struct stat st;
        ck_assert_int_eq(lstat(link, &st), 0);
        ck_assert(S_ISLNK(st.st_mode));
        _cleanup_free_ char *c = assert_same_as_nix(s, "catlink");
        ck_assert(has_line(c, cat));
        ck_assert_uint_eq(count_lines(c), 3);
}
END_TEST

START_TEST(file_names_inner_symlink_targets_and_hashes_in_longer_runs_are_references) {
        _cleanup_(store_scanner_freep) StoreScanner *s = nix_scanner();
        _cleanup_free_ char *c = assert_same_as_nix(s, "names");
        ck_assert_uint_eq(count_lines(c), 4);
}
END_TEST

START_TEST(unreferenced_neighbour_stays_out_of_every_closure) {
        _cleanup_(store_scanner_freep) StoreScanner *s = nix_scanner();
        _cleanup_free_ char *neighbour = attr("neighbour");
        for (size_t i = 0; i < ELEMENTSOF(attrs); i++) {
                if (streq(attrs[i], "neighbour") || streq(attrs[i], "sneaky"))
                        continue;
                _cleanup_free_ char *c = assert_same_as_nix(s, attrs[i]);
                ck_assert_msg(!has_line(c, neighbour), "%s pulls in the neighbour", attrs[i]);
        }
        _cleanup_free_ char *c = assert_same_as_nix(s, "neighbour");
        ck_assert_str_eq(c, neighbour);
}
END_TEST

START_TEST(unrecorded_references_are_included_as_a_superset) {
        _cleanup_(store_scanner_freep) StoreScanner *s = nix_scanner();
        _cleanup_free_ char *added = sh_out("cat '%s/out-added'", nix_dir);
        _cleanup_free_ char *ref = sh_out("cat '%s/out-addedref'", nix_dir);
        _cleanup_free_ char *sneaky = attr("sneaky");

        /* nix-store --add records nothing; a derivation output without string context neither */
        _cleanup_free_ char *nix1 = nix_closure(ref), *nix2 = nix_closure(sneaky);
        ck_assert_str_eq(nix1, ref);
        ck_assert_str_eq(nix2, sneaky);

        _cleanup_free_ char *c1 = our_closure(s, ref, NULL), *c2 = our_closure(s, sneaky, NULL);
        ck_assert(has_line(c1, ref) && has_line(c1, added));
        ck_assert(has_line(c2, sneaky) && has_line(c2, added));
        ck_assert_uint_eq(count_lines(c1), 2);
        ck_assert_uint_eq(count_lines(c2), 2);
}
END_TEST

static int count_calls(const char *path, const char *parent, const char *reason, void *userdata) {
        (*(unsigned *) userdata)++;
        return 0;
}

START_TEST(each_store_path_is_scanned_once_per_scanner) {
        _cleanup_(store_scanner_freep) StoreScanner *s = nix_scanner();
        _cleanup_free_ char *app = attr("app"), *bash = attr("bash");
        StoreStats a, b;
        unsigned n1 = 0, n2 = 0, n3 = 0;

        ck_assert_int_eq(store_closure(s, app, count_calls, &n1, NULL), 0);
        store_scanner_get_stats(s, &a);
        ck_assert_int_eq(store_closure(s, app, count_calls, &n2, NULL), 0);
        ck_assert_int_eq(store_closure(s, bash, count_calls, &n3, NULL), 0);
        store_scanner_get_stats(s, &b);
        ck_assert_uint_eq(n1, 5);
        ck_assert_uint_eq(n2, 5);
        ck_assert_uint_eq(n3, 3);
        ck_assert_uint_eq(a.paths, 5);
        ck_assert_uint_eq(b.paths, 5);
        ck_assert_uint_eq(b.bytes, a.bytes);
}
END_TEST

START_TEST(default_store_dirs_include_nix_store_dir) {
        _cleanup_(store_scanner_freep) StoreScanner *s = NULL;
        _cleanup_free_ char *hello = attr("hello"), *top = NULL;
        _cleanup_free_ char *inner = NULL;
        ck_assert_int_eq(asprintf(&inner, "%s/bin/hello", hello), (int) strlen(hello) + 10);
        ck_assert_int_eq(store_scanner_new(NULL, &s), 0); /* NIX_STORE_DIR is set by main() */
        ck_assert_int_eq(store_path_of(s, inner, &top), 1);
        ck_assert_str_eq(top, hello);
        _cleanup_free_ char *c = our_closure(s, hello, NULL), *nix = nix_closure(hello);
        ck_assert_str_eq(c, nix);
}
END_TEST

/* ---- hand-made stores ---- */

/* A valid, distinct hash for i. */
static void make_hash(unsigned i, char out[STORE_HASH_LEN + 1]) {
        static const char alphabet[] = "0123456789abcdfghijklmnpqrsvwxyz";
        uint64_t x = 0x9E3779B97F4A7C15ULL * (i + 1);
        for (size_t k = 0; k < STORE_HASH_LEN; k++) {
                x ^= x >> 29;
                x *= 0xBF58476D1CE4E5B9ULL;
                out[k] = alphabet[(x >> 40) & 31];
        }
        out[STORE_HASH_LEN] = 0;
}

typedef struct Fake {
        char *dir, *store;
        char hash[8][STORE_HASH_LEN + 1];
        char *path[8];
} Fake;

/* A store with eight entries "<hash i>-p<i>", each an empty file until a test
 * replaces it. */
static void fake_setup(Fake *f) {
        f->dir = tu_mkdtemp();
        ck_assert_int_ge(asprintf(&f->store, "%s/store", f->dir), 0);
        tu_mkdir_p(f->store);
        for (unsigned i = 0; i < 8; i++) {
                make_hash(i, f->hash[i]);
                ck_assert_int_ge(asprintf(&f->path[i], "%s/%s-p%u", f->store, f->hash[i], i), 0);
                tu_sh(": > '%s'", f->path[i]);
        }
}

static void fake_done(Fake *f) {
        tu_rm_rf(f->dir);
        free(f->dir);
        free(f->store);
        for (unsigned i = 0; i < 8; i++)
                free(f->path[i]);
}

static StoreScanner *fake_scanner(Fake *f) {
        StoreScanner *s;
        char *dirs[] = { f->store, NULL };
        ck_assert_int_eq(store_scanner_new(dirs, &s), 0);
        return s;
}

typedef struct Hits {
        size_t n;
        size_t offset[16];
        char *path[16];
} Hits;

static int record_hit(const char *path, size_t offset, void *userdata) {
        Hits *h = userdata;
        ck_assert_uint_lt(h->n, 16);
        h->offset[h->n] = offset;
        h->path[h->n++] = strdup(path);
        return 0;
}

static void hits_done(Hits *h) {
        for (size_t i = 0; i < h->n; i++)
                free(h->path[i]);
        h->n = 0;
}

static void scan_expect(StoreScanner *s, Fake *f, const char *buf, size_t n_expected, ...) {
        Hits h = {};
        va_list ap;
        ck_assert_int_eq(store_scan_buffer(s, f->store, buf, strlen(buf), record_hit, &h), 0);
        ck_assert_msg(h.n == n_expected, "'%s': %zu hits, expected %zu", buf, h.n, n_expected);
        va_start(ap, n_expected);
        for (size_t i = 0; i < n_expected; i++) {
                unsigned idx = va_arg(ap, unsigned);
                size_t off = va_arg(ap, size_t);
                ck_assert_str_eq(h.path[i], f->path[idx]);
                ck_assert_uint_eq(h.offset[i], off);
        }
        va_end(ap);
        hits_done(&h);
}

START_TEST(every_32_char_window_of_a_base32_run_is_looked_up_as_nix_does) {
        Fake f;
        fake_setup(&f);
        _cleanup_(store_scanner_freep) StoreScanner *s = fake_scanner(&f);
        char buf[512];
        const char *h0 = f.hash[0], *h1 = f.hash[1];

        scan_expect(s, &f, h0, 1, 0u, (size_t) 0);
        snprintf(buf, sizeof(buf), "zz%szz", h0); /* inside a longer run */
        scan_expect(s, &f, buf, 1, 0u, (size_t) 2);
        snprintf(buf, sizeof(buf), "%s%s", h0, h1); /* two back to back */
        scan_expect(s, &f, buf, 2, 0u, (size_t) 0, 1u, (size_t) 32);
        snprintf(buf, sizeof(buf), "/nix/store/%s-x\n\xff%s", h1, h0);
        scan_expect(s, &f, buf, 2, 1u, (size_t) 11, 0u, (size_t) 47);
        snprintf(buf, sizeof(buf), "%.31s", h0); /* 31 characters */
        scan_expect(s, &f, buf, 0);
        snprintf(buf, sizeof(buf), "%s", h0);
        buf[7] = 'e'; /* not in the alphabet */
        scan_expect(s, &f, buf, 0);
        for (size_t i = 0; i < STORE_HASH_LEN; i++)
                buf[i] = (char) (h0[i] >= 'a' ? h0[i] - 32 : h0[i]); /* upper case */
        buf[STORE_HASH_LEN] = 0;
        scan_expect(s, &f, buf, strcmp(buf, h0) == 0 ? 1 : 0, 0u, (size_t) 0);
        scan_expect(s, &f, "", 0);
        fake_done(&f);
}
END_TEST

START_TEST(store_path_of_is_a_lexical_check_of_the_entry_name) {
        _cleanup_(store_scanner_freep) StoreScanner *s = NULL;
        char *dirs[] = { "/nix/store", "/gnu//store/", NULL };
        char *top = NULL;

        ck_assert_int_eq(store_scanner_new(dirs, &s), 0);
        ck_assert_int_eq(store_path_of(s, "/nix/store/0c8ynl9wgzhysx41w6ig8cfnfm04dnar-bash-5.2/bin/sh", &top), 1);
        ck_assert_str_eq(top, "/nix/store/0c8ynl9wgzhysx41w6ig8cfnfm04dnar-bash-5.2");
        free(top);
        ck_assert_int_eq(store_path_of(s, "/gnu/store/0c8ynl9wgzhysx41w6ig8cfnfm04dnar-x", &top), 1);
        ck_assert_str_eq(top, "/gnu/store/0c8ynl9wgzhysx41w6ig8cfnfm04dnar-x");
        free(top);
        ck_assert_int_eq(store_path_of(s, "/nix/store", NULL), 0);
        ck_assert_int_eq(store_path_of(s, "/nix/store/.links/abc", NULL), 0);
        ck_assert_int_eq(store_path_of(s, "/nix/storex/0c8ynl9wgzhysx41w6ig8cfnfm04dnar-x", NULL), 0);
        ck_assert_int_eq(store_path_of(s, "/nix/store/0c8ynl9wgzhysx41w6ig8cfnfm04dnar", NULL), 0);
        ck_assert_int_eq(store_path_of(s, "/nix/store/0c8ynl9wgzhysx41w6ig8cfnfm04dnar-", NULL), 0);
        ck_assert_int_eq(store_path_of(s, "/nix/store/0c8ynl9wgzhysx41w6ig8cfnfm04dnae-x", NULL), 0);
        ck_assert_int_eq(store_path_of(s, "/usr/bin/sh", NULL), 0);
}
END_TEST

/* Writes a file of size bytes holding text at offset, elsewhere a hole when
 * sparse, else 0xff bytes (no hole, so reads start at 0). */
static void write_at(const char *path, off_t size, off_t offset, const char *text, bool sparse) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(ftruncate(fd, size), 0);
        if (!sparse) {
                char *fill = malloc(size);
                ck_assert_ptr_nonnull(fill);
                memset(fill, 0xff, size);
                ck_assert_int_eq(pwrite(fd, fill, size, 0), size);
                free(fill);
        }
        ck_assert_int_eq(pwrite(fd, text, strlen(text), offset), (ssize_t) strlen(text));
        close(fd);
}

START_TEST(hashes_across_read_chunks_and_after_holes_of_sparse_files_are_found) {
        Fake f;
        fake_setup(&f);
        tu_sh("rm '%s' && mkdir '%s'", f.path[0], f.path[0]);
        _cleanup_free_ char *a = NULL, *b = NULL;
        ck_assert_int_ge(asprintf(&a, "%s/chunked", f.path[0]), 0);
        ck_assert_int_ge(asprintf(&b, "%s/sparse", f.path[0]), 0);
        /* straddles the 128 KiB read boundary */
        write_at(a, 300000, 128 * 1024 - 13, f.hash[1], false);
        /* 16 GiB, nearly all hole: found without reading 16 GiB */
        write_at(b, (off_t) 16 << 30, ((off_t) 12 << 30) + 5, f.hash[2], true);

        _cleanup_(store_scanner_freep) StoreScanner *s = fake_scanner(&f);
        time_t t0 = time(NULL);
        _cleanup_free_ char *c = our_closure(s, f.path[0], NULL);
        ck_assert_int_lt(time(NULL) - t0, 20);
        ck_assert(has_line(c, f.path[1]) && has_line(c, f.path[2]));
        ck_assert_uint_eq(count_lines(c), 3);
        fake_done(&f);
}
END_TEST

START_TEST(symlinks_inside_are_read_never_followed_so_loops_and_escapes_are_harmless) {
        Fake f;
        fake_setup(&f);
        tu_sh("cd '%s' && rm %s-p0 && mkdir %s-p0 && cd %s-p0 && ln -s a b && ln -s b a && ln -s . self "
              "&& ln -s /etc etc && ln -s ../%s-p1 up && ln -s ../%s-p2/x/y/z far",
              f.store, f.hash[0], f.hash[0], f.hash[0], f.hash[1], f.hash[2]);
        tu_sh("cd '%s' && rm %s-p3 && ln -s %s-p3 %s-p3", f.store, f.hash[3], f.hash[3], f.hash[3]);
        _cleanup_(store_scanner_freep) StoreScanner *s = fake_scanner(&f);
        _cleanup_free_ char *c = our_closure(s, f.path[0], NULL);
        ck_assert(has_line(c, f.path[0]) && has_line(c, f.path[1]) && has_line(c, f.path[2]));
        ck_assert_uint_eq(count_lines(c), 3);
        /* a store path that is a link to itself: its target names itself only */
        _cleanup_free_ char *c3 = our_closure(s, f.path[3], NULL);
        ck_assert_str_eq(c3, f.path[3]);
        fake_done(&f);
}
END_TEST

START_TEST(reference_cycles_and_self_references_terminate_with_each_path_once) {
        Fake f;
        fake_setup(&f);
        tu_sh("echo '%s %s' > '%s'", f.path[1], f.path[0], f.path[0]);
        tu_sh("echo '%s' > '%s'", f.path[2], f.path[1]);
        tu_sh("echo '%s %s' > '%s'", f.path[0], f.path[1], f.path[2]);
        _cleanup_(store_scanner_freep) StoreScanner *s = fake_scanner(&f);
        _cleanup_free_ char *c = our_closure(s, f.path[1], NULL);
        ck_assert_uint_eq(count_lines(c), 3);
        fake_done(&f);
}
END_TEST

START_TEST(a_fifo_or_device_in_a_store_path_is_an_error_not_a_hang) {
        Fake f;
        fake_setup(&f);
        tu_sh("cd '%s' && rm %s-p0 && mkdir %s-p0 && mkfifo %s-p0/fifo", f.store, f.hash[0], f.hash[0], f.hash[0]);
        _cleanup_(store_scanner_freep) StoreScanner *s = fake_scanner(&f);
        int r;
        ck_assert_ptr_null(our_closure(s, f.path[0], &r));
        ck_assert_int_eq(r, -EBADMSG);
        /* the top-level entry itself a FIFO */
        tu_sh("rm '%s' && mkfifo '%s'", f.path[1], f.path[1]);
        ck_assert_ptr_null(our_closure(s, f.path[1], &r));
        ck_assert_int_eq(r, -EBADMSG);
        fake_done(&f);
}
END_TEST

START_TEST(trees_nested_deeper_than_the_limit_are_an_error) {
        Fake f;
        fake_setup(&f);
        tu_sh("cd '%s' && rm %s-p0 && mkdir %s-p0 && cd %s-p0 && for i in $(seq %d); do mkdir d && cd d; done",
              f.store, f.hash[0], f.hash[0], f.hash[0], STORE_MAX_DEPTH + 1);
        tu_sh("cd '%s' && rm %s-p1 && mkdir %s-p1 && cd %s-p1 && for i in $(seq %d); do mkdir d && cd d; done && echo %s > f",
              f.store, f.hash[1], f.hash[1], f.hash[1], STORE_MAX_DEPTH - 2, f.hash[2]);
        _cleanup_(store_scanner_freep) StoreScanner *s = fake_scanner(&f);
        int r;
        ck_assert_ptr_null(our_closure(s, f.path[0], &r));
        ck_assert_int_eq(r, -ELOOP);
        _cleanup_free_ char *c = our_closure(s, f.path[1], NULL);
        ck_assert(has_line(c, f.path[2]));
        tu_sh("rm -rf '%s'", f.path[0]); /* tu_rm_rf's rm -rf copes, but be quick */
        fake_done(&f);
}
END_TEST

static int refuse(const char *path, const char *parent, const char *reason, void *userdata) {
        return -ECANCELED;
}

START_TEST(roots_outside_the_store_or_missing_are_errors_with_a_message) {
        Fake f;
        fake_setup(&f);
        _cleanup_(store_scanner_freep) StoreScanner *s = fake_scanner(&f);
        _cleanup_free_ char *missing = NULL, *error = NULL;
        char h[STORE_HASH_LEN + 1];
        make_hash(99, h);
        ck_assert_int_ge(asprintf(&missing, "%s/%s-gone", f.store, h), 0);
        int r;
        ck_assert_ptr_null(our_closure(s, "/usr/bin/true", &r));
        ck_assert_int_eq(r, -EINVAL);
        ck_assert_ptr_null(our_closure(s, missing, &r));
        ck_assert_int_eq(r, -ENOENT);
        /* a hash naming no entry is not a reference, and no error */
        tu_sh("echo '%s' > '%s'", missing, f.path[0]);
        _cleanup_free_ char *c = our_closure(s, f.path[0], NULL);
        ck_assert_str_eq(c, f.path[0]);
        /* a callback error stops the walk and is returned with a message */
        ck_assert_int_eq(store_closure(s, f.path[0], refuse, NULL, &error), -ECANCELED);
        ck_assert_ptr_nonnull(strstr(error, f.path[0]));
        fake_done(&f);
}
END_TEST

static Suite *store_suite(bool with_nix) {
        Suite *s = suite_create("store");
        TCase *tc = tcase_create("scanner");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, every_32_char_window_of_a_base32_run_is_looked_up_as_nix_does);
        tcase_add_test(tc, store_path_of_is_a_lexical_check_of_the_entry_name);
        tcase_add_test(tc, hashes_across_read_chunks_and_after_holes_of_sparse_files_are_found);
        tcase_add_test(tc, symlinks_inside_are_read_never_followed_so_loops_and_escapes_are_harmless);
        tcase_add_test(tc, reference_cycles_and_self_references_terminate_with_each_path_once);
        tcase_add_test(tc, a_fifo_or_device_in_a_store_path_is_an_error_not_a_hang);
        tcase_add_test(tc, trees_nested_deeper_than_the_limit_are_an_error);
        tcase_add_test(tc, roots_outside_the_store_or_missing_are_errors_with_a_message);
        suite_add_tcase(s, tc);
        if (!with_nix)
                return s;
        TCase *nix = tcase_create("nix");
        tcase_set_timeout(nix, 120);
        tcase_add_test(nix, patched_programs_reference_their_interpreter_and_rpath_store_paths);
        tcase_add_test(nix, shebang_naming_a_store_path_is_a_reference);
        tcase_add_test(nix, data_file_naming_a_store_path_is_a_reference_but_31_hash_chars_are_not);
        tcase_add_test(nix, chain_four_deep_is_followed_transitively);
        tcase_add_test(nix, bare_hash_in_binary_blob_across_read_chunks_is_a_reference);
        tcase_add_test(nix, store_path_that_is_a_symlink_references_its_target);
        tcase_add_test(nix, file_names_inner_symlink_targets_and_hashes_in_longer_runs_are_references);
        tcase_add_test(nix, unreferenced_neighbour_stays_out_of_every_closure);
        tcase_add_test(nix, unrecorded_references_are_included_as_a_superset);
        tcase_add_test(nix, each_store_path_is_scanned_once_per_scanner);
        tcase_add_test(nix, default_store_dirs_include_nix_store_dir);
        suite_add_tcase(s, nix);
        return s;
}

int main(void) {
        bool with_nix = system("command -v nix-build >/dev/null 2>&1") == 0;
        if (!with_nix)
                printf("SKIP: nix-build not installed (real-store tests skipped)\n");
        else {
                const char *t = getenv("TMPDIR");
                if (asprintf(&nix_dir, "%s/confinement-nix.XXXXXX", t ? t : "/tmp") < 0 || !mkdtemp(nix_dir))
                        return EXIT_FAILURE;
                if (build_store() < 0) {
                        fprintf(stderr, "building the test store in %s failed\n", nix_dir);
                        return EXIT_FAILURE;
                }
        }
        int r = tu_run_suite(store_suite(with_nix));
        if (with_nix && strncmp(nix_dir, "/tmp/", 5) == 0) {
                /* Nix makes store paths read-only */
                char *cmd;
                if (asprintf(&cmd, "chmod -R u+w '%s' && rm -rf '%s'", nix_dir, nix_dir) >= 0) {
                        (void) system(cmd);
                        free(cmd);
                }
        }
        return r;
}
