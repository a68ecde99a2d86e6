/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "memstream.h"

#include <errno.h>
#include <stdio_ext.h>
#include <stdlib.h>

#include "string-util.h"

/* Where the stream's bytes go: a string grown as they come. */
static ssize_t sink_write(void *cookie, const char *s, size_t n) {
        if (buffer_append(cookie, s, n) < 0) {
                errno = ENOMEM;
                return -1;
        }
        return (ssize_t) n;
}

/* A cookie stream, not open_memstream(): that one starts with a zeroed 8 KiB buffer
 * (calloc()), which cost more than rendering a drop-in of 2 KiB. This one buffers in
 * the caller's stack and hands the sink all of a short text at once, at fclose(). */
int memstream_collect(memstream_writer_fn write, void *userdata, char **ret) {
        Buffer sink = {};
        char buf[BUFSIZ];
        FILE *f = fopencookie(&sink, "w", (cookie_io_functions_t) { .write = sink_write });
        if (!f)
                return -ENOMEM;
        /* Only this thread knows f: no lock taken and released at every write to it. */
        (void) __fsetlocking(f, FSETLOCKING_BYCALLER);
        int r = setvbuf(f, buf, _IOFBF, sizeof buf) != 0 ? -ENOMEM : write(f, userdata);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r >= 0 && !sink.data)
                r = buffer_append(&sink, "", 0);
        if (r < 0) {
                free(sink.data);
                return r;
        }
        *ret = sink.data;
        return 0;
}
