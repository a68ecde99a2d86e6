/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ld-cache.h"
#include "ld-search.h"
#include "macro.h"
#include "strv.h"
#include "test-util.h"

static void *slurp(const char *path, size_t *size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fstat(fd, &st), 0);
        void *p = malloc(st.st_size + 64);
        ck_assert_int_eq(read(fd, p, st.st_size), st.st_size);
        close(fd);
        *size = st.st_size;
        return p;
}

START_TEST(real_cache_lookup_agrees_with_ldconfig_p) {
        LoaderHost h;
        LdCache *c;
        char line[4096];
        size_t checked = 0;
        _cleanup_strv_free_ char **seen = calloc(1, sizeof(char *));

        ck_assert_int_eq(loader_host_init(&h, ELFCLASS64, EM_X86_64, NULL, NULL), 0);
        ck_assert_int_eq(ld_cache_load("/etc/ld.so.cache", &c), 0);
        FILE *p = popen("ldconfig -p", "r");
        ck_assert_ptr_nonnull(p);
        while (fgets(line, sizeof(line), p)) {
                char name[1024], path[2048];
                /* only plain x86-64 entries; the first one listed per name is what glibc picks */
                if (sscanf(line, " %1023s (libc6,x86-64) => %2047s", name, path) != 2 || strv_contains(seen, name))
                        continue;
                ck_assert_int_eq(strv_extend(&seen, name), 0);
                const char *got = ld_cache_lookup(c, name, &h.cache_query);
                ck_assert_msg(got && streq(got, path), "%s: lookup %s, ldconfig -p %s", name, got ?: "(none)", path);
                checked++;
        }
        pclose(p);
        ck_assert_uint_gt(checked, 10);
        ck_assert_ptr_null(ld_cache_lookup(c, "libdoes-not-exist.so.9", &h.cache_query));
        ld_cache_free(c);
        loader_host_done(&h);
}
END_TEST

START_TEST(glibc_hwcaps_entry_beats_baseline_when_supported) {
        char *d = tu_mkdtemp(), *conf, *cache, *base, *v2;
        LoaderHost h;
        LdCache *c;

        ck_assert_int_eq(loader_host_init(&h, ELFCLASS64, EM_X86_64, NULL, NULL), 0);
        base = tu_cc(d, "lib/libhwt.so.1", "int h(void){return 0;}\n", "-shared -fPIC -Wl,-soname,libhwt.so.1");
        v2 = tu_cc(d, "lib/glibc-hwcaps/x86-64-v2/libhwt.so.1", "int h(void){return 2;}\n",
                   "-shared -fPIC -Wl,-soname,libhwt.so.1");
        ck_assert_int_ge(asprintf(&conf, "%s/lib\n", d), 0);
        conf = tu_write(d, "ld.so.conf", conf);
        ck_assert_int_ge(asprintf(&cache, "%s/ld.so.cache", d), 0);
        tu_sh("ldconfig -X -C '%s' -f '%s'", cache, conf);

        ck_assert_int_eq(ld_cache_load(cache, &c), 0);
        const char *got = ld_cache_lookup(c, "libhwt.so.1", &h.cache_query);
        ck_assert_str_eq(got, strv_contains(h.hwcaps_subdirs, "x86-64-v2") ? v2 : base);

        /* a CPU without x86-64-v2: that entry is skipped, the baseline one used */
        LdCacheQuery baseline = h.cache_query;
        baseline.hwcaps = NULL;
        ck_assert_str_eq(ld_cache_lookup(c, "libhwt.so.1", &baseline), base);

        /* 32-bit lookups never see x86-64 entries */
        LoaderHost h32;
        ck_assert_int_eq(loader_host_init(&h32, ELFCLASS32, EM_386, NULL, NULL), 0);
        ck_assert_ptr_null(ld_cache_lookup(c, "libhwt.so.1", &h32.cache_query));
        loader_host_done(&h32);

        /* and ld.so agrees, when it uses that cache */
        LoaderConfig cfg = { .cache_file = cache };
        char *flags;
        ck_assert_int_ge(asprintf(&flags, "-Wl,--no-as-needed -L%s/lib -l:libhwt.so.1", d), 0);
        char *prog = tu_cc(d, "bin/prog", "int main(void){return 0;}\n", flags);
        char *error = NULL;
        ck_assert_int_eq(loader_closure(NULL, prog, NULL, NULL, &error), -ENOENT); /* not in the host's cache */
        free(error);
        ck_assert_int_eq(loader_closure(&cfg, prog, NULL, NULL, &error), 0);

        ld_cache_free(c);
        loader_host_done(&h);
        tu_rm_rf(d);
}
END_TEST

START_TEST(old_format_followed_by_new_is_accepted) {
        size_t size;
        uint8_t *data = slurp("/etc/ld.so.cache", &size);
        LoaderHost h;
        LdCache *plain, *combined;

        ck_assert_int_eq(loader_host_init(&h, ELFCLASS64, EM_X86_64, NULL, NULL), 0);
        /* "ld.so-1.7.0", pad, nlibs = 0, then the new table at the next 8-byte boundary */
        uint8_t *img = calloc(1, size + 16);
        memcpy(img, "ld.so-1.7.0", 11);
        memcpy(img + 16, data, size);
        ck_assert_int_eq(ld_cache_parse(data, size, &plain), 0);
        ck_assert_int_eq(ld_cache_parse(img, size + 16, &combined), 0);
        ck_assert_uint_eq(ld_cache_size(plain), ld_cache_size(combined));
        ck_assert_str_eq(ld_cache_lookup(combined, "libc.so.6", &h.cache_query),
                         ld_cache_lookup(plain, "libc.so.6", &h.cache_query));
        ld_cache_free(plain);
        ld_cache_free(combined);
        free(img);
        free(data);
        loader_host_done(&h);
}
END_TEST

START_TEST(truncated_or_corrupt_caches_give_errors_never_crashes) {
        size_t size;
        uint8_t *data = slurp("/etc/ld.so.cache", &size);
        LoaderHost h;
        LdCache *c;

        ck_assert_int_eq(loader_host_init(&h, ELFCLASS64, EM_X86_64, NULL, NULL), 0);
        ck_assert_int_eq(ld_cache_parse("", 0, &c), -EBADMSG);
        ck_assert_int_eq(ld_cache_parse("glibc-ld.so.cache1.1", 20, &c), -EBADMSG);
        ck_assert_int_eq(ld_cache_parse(data, 100, &c), -EBADMSG); /* table cut */

        for (size_t n = 0; n < size; n += (n < 4096 ? 1 : 409)) {
                if (ld_cache_parse(data, n, &c) == 0) {
                        ld_cache_lookup(c, "libc.so.6", &h.cache_query);
                        ld_cache_free(c);
                }
        }
        srand(2);
        for (int round = 0; round < 3000; round++) {
                uint8_t *copy = malloc(size);
                memcpy(copy, data, size);
                for (int k = 0; k < 6; k++)
                        copy[rand() % (round % 2 ? 512 : size)] = rand();
                if (ld_cache_parse(copy, size, &c) == 0) {
                        ld_cache_lookup(c, "libc.so.6", &h.cache_query);
                        ld_cache_lookup(c, "libz.so.1", &h.cache_query);
                        ld_cache_free(c);
                }
                free(copy);
        }
        free(data);
        loader_host_done(&h);
}
END_TEST

int main(void) {
        Suite *s = suite_create("ld-cache");
        TCase *tc = tcase_create("cache");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, real_cache_lookup_agrees_with_ldconfig_p);
        tcase_add_test(tc, glibc_hwcaps_entry_beats_baseline_when_supported);
        tcase_add_test(tc, old_format_followed_by_new_is_accepted);
        tcase_add_test(tc, truncated_or_corrupt_caches_give_errors_never_crashes);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
