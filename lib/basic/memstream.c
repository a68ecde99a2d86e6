/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "memstream.h"

#include <errno.h>
#include <stdio_ext.h>
#include <stdlib.h>

int memstream_collect(memstream_writer_fn write, void *userdata, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        /* Only this thread knows f: no lock taken and released at every write to it. */
        (void) __fsetlocking(f, FSETLOCKING_BYCALLER);
        int r = write(f, userdata);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}
