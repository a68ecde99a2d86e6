/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store_scan_buffer() and store_scan_text() on arbitrary bytes, with a scanner
 * over a small fake store (a temporary directory made once, holding entries
 * with the hashes below): the scan core reads every file of a store closure,
 * and store_path_of() every path of a closure. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "macro.h"
#include "store.h"

static const char *const fuzz_store_entries[] = {
        "0c6xjdvp1vnk8g4vfv3ficv6v8p6lcbv-glibc-2.37-8",
        "7fr5rpdiwvrdrcawqbdrp6dp8h2ijrg8-bash-5.2-p15",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a",
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-z.drv",
        "00000000000000000000000000000000-0",
        "0c6xjdvp1vnk8g4vfv3ficv6v8p6lcbw-near-miss",
        "not-a-store-entry",
        ".links",
};

static char *fuzz_store_dir;
static StoreScanner *fuzz_store_scanner;

static void fuzz_store_cleanup(void) {
        if (!fuzz_store_dir)
                return;
        for (size_t i = 0; i < ELEMENTSOF(fuzz_store_entries); i++) {
                _cleanup_free_ char *p = asprintf_safe("%s/%s", fuzz_store_dir, fuzz_store_entries[i]);
                if (p)
                        (void) unlink(p);
        }
        (void) rmdir(fuzz_store_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        char tmpl[] = "/tmp/fuzz-store-XXXXXX";

        if (!mkdtemp(tmpl))
                abort();
        fuzz_store_dir = strdup(tmpl);
        if (!fuzz_store_dir)
                abort();
        atexit(fuzz_store_cleanup);
        for (size_t i = 0; i < ELEMENTSOF(fuzz_store_entries); i++) {
                _cleanup_free_ char *p = asprintf_safe("%s/%s", fuzz_store_dir, fuzz_store_entries[i]);
                _cleanup_close_ int fd = p ? open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644) : -1;
                if (fd < 0)
                        abort();
        }
        char *dirs[] = { fuzz_store_dir, NULL };
        if (store_scanner_new(dirs, &fuzz_store_scanner) < 0)
                abort();
        return 0;
}

static int fuzz_store_hit(const char *store_path, size_t offset, void *userdata) {
        size_t *size = userdata;
        /* A hit is a whole 32-byte window of the input naming an entry. */
        if (offset + STORE_HASH_LEN > *size || strncmp(store_path, fuzz_store_dir, strlen(fuzz_store_dir)) != 0)
                abort();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *text = NULL, *top = NULL;

        if (size > FUZZ_MAX_INPUT)
                return 0;
        if (!fuzz_store_scanner)
                LLVMFuzzerInitialize(NULL, NULL);

        uint8_t *copy = malloc(size ?: 1);
        if (!copy)
                return 0;
        memcpy(copy, data, size);
        if (store_scan_buffer(fuzz_store_scanner, fuzz_store_dir, copy, size, fuzz_store_hit, &size) < 0)
                abort();
        free(copy);

        /* The same bytes as text after the store's own directory, and as a path in it. */
        size_t dl = strlen(fuzz_store_dir), tl = dl + 1 + size;
        text = malloc(tl + 1);
        if (!text)
                return 0;
        memcpy(text, fuzz_store_dir, dl);
        text[dl] = '/';
        memcpy(text + dl + 1, data, size);
        text[tl] = 0;
        if (store_scan_text(fuzz_store_scanner, text, tl, fuzz_store_hit, &tl) < 0)
                abort();
        if (!memchr(data, 0, size) && store_path_of(fuzz_store_scanner, text, &top) > 0 &&
            strncmp(top, fuzz_store_dir, dl) != 0)
                abort();
        return 0;
}
