/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* shebang_parse() on arbitrary bytes: the first 256 bytes of any file the
 * generator meets as a program. */
#include <stdlib.h>

#include "fuzz.h"
#include "macro.h"
#include "shebang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *interp = NULL, *arg = NULL;

        if (size > FUZZ_MAX_INPUT)
                return 0;
        if (shebang_parse((const char *) data, size, &interp, &arg) < 0)
                return 0;
        /* On success the interpreter is a non-empty string. */
        if (!interp || interp[0] == 0)
                abort();
        return 0;
}
