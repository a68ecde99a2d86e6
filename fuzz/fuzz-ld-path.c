/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ld_path_list_build() and ld_expand_tokens() on arbitrary text: DT_RPATH, DT_RUNPATH and
 * DT_NEEDED strings come from any ELF file the generator meets, LD_LIBRARY_PATH from any
 * unit. Checks what fillin_rpath() promises: every dir is "" or ends in '/', and none twice. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ld-path.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const LdTokens tokens = { .origin = "/o", .platform = "haswell", .lib = "lib64" };
        static const LdTokens no_origin = { .platform = "x86_64", .lib = "lib" };

        if (size > FUZZ_MAX_INPUT)
                return 0;
        _cleanup_free_ char *text = strndup((const char *) data, size);
        if (!text)
                return 0;
        for (int pass = 0; pass < 2; pass++) {
                const LdTokens *t = pass ? &no_origin : &tokens;
                _cleanup_free_ char *expanded = ld_expand_tokens(text, t);
                if (expanded && pass == 0 && !strchr(text, '$') && !streq(expanded, text))
                        abort(); /* nothing to expand: unchanged */

                _cleanup_(ld_path_list_done) LdPathList l = {};
                if (ld_path_list_build(text, ":;", t, &l) < 0)
                        continue;
                for (size_t i = 0; i < l.n_dirs; i++) {
                        size_t n = strlen(l.dirs[i].dir);
                        if (n > 0 && l.dirs[i].dir[n - 1] != '/')
                                abort();
                        for (size_t j = 0; j < i; j++)
                                if (streq(l.dirs[i].dir, l.dirs[j].dir))
                                        abort();
                }
        }
        return 0;
}
