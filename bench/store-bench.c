/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Driver for bench/store-bench.sh: the closure of ROOT in STORE with a fresh
 * scanner each round (as at boot: listing, walk, reads, scan), best of N. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

static int count(const char *path, const char *parent, const char *reason, void *userdata) {
        (*(unsigned *) userdata)++;
        return 0;
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int no_hit(const char *path, size_t offset, void *userdata) {
        return 0;
}

/* The core alone on 64 MB in memory: binary-like and worst-case (every byte
 * base32, so every window is looked up) inputs. */
static int core(const char *store) {
        static const char alphabet[] = "0123456789abcdfghijklmnpqrsvwxyz";
        static const char *const kinds[] = { "random bytes", "random base32 (worst case)" };
        _cleanup_(store_scanner_freep) StoreScanner *s = NULL;
        char *dirs[] = { (char *) store, NULL };
        size_t n = 64u << 20;
        _cleanup_free_ unsigned char *b = malloc(n);
        if (!b || store_scanner_new(dirs, &s) < 0)
                return EXIT_FAILURE;
        for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                srand(1);
                for (size_t i = 0; i < n; i++)
                        b[i] = k == 0 ? (unsigned char) rand() : (unsigned char) alphabet[rand() & 31];
                double t0 = now();
                if (store_scan_buffer(s, store, b, n, no_hit, NULL) < 0)
                        return EXIT_FAILURE;
                printf("  core, %-27s %6.0f MB/s\n", kinds[k], (double) n / 1e6 / (now() - t0));
        }
        return EXIT_SUCCESS;
}

int main(int argc, char *argv[]) {
        if (argc == 3 && streq(argv[1], "--core"))
                return core(argv[2]);
        if (argc < 3) {
                fprintf(stderr, "usage: %s STORE ROOT [ROUNDS] | --core STORE\n", argv[0]);
                return EXIT_FAILURE;
        }
        int rounds = argc > 3 ? atoi(argv[3]) : 3;
        char *dirs[] = { argv[1], NULL };
        double best = 1e9;
        StoreStats stats = {};
        unsigned paths = 0;

        for (int i = 0; i < rounds; i++) {
                _cleanup_(store_scanner_freep) StoreScanner *s = NULL;
                _cleanup_free_ char *error = NULL;
                paths = 0;
                double t0 = now();
                int r = store_scanner_new(dirs, &s);
                if (r >= 0)
                        r = store_closure(s, argv[2], count, &paths, &error);
                double t = now() - t0;
                if (r < 0) {
                        fprintf(stderr, "store_closure: %s\n", error ? error : strerror(-r));
                        return EXIT_FAILURE;
                }
                store_scanner_get_stats(s, &stats);
                if (t < best)
                        best = t;
        }
        /* one line, parsed by the script: paths files bytes seconds */
        printf("%u %llu %llu %.6f\n", paths, (unsigned long long) stats.files,
               (unsigned long long) stats.bytes, best);
        return EXIT_SUCCESS;
}
