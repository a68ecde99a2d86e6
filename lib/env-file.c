/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "env-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env-util.h"
#include "macro.h"
#include "string-util.h"
#include "strv.h"

#define WHITESPACE " \t\n\r"
#define NEWLINE "\n\r"
#define COMMENTS "#;"
#define SHELL_NEED_ESCAPE "\"\\`$"

static void strip_trailing(Buffer *b, size_t from) {
        if (from != SIZE_MAX && b->data) {
                b->len = from;
                b->data[from] = 0;
        }
}

typedef struct EnvParser {
        Buffer key, value;
        size_t key_ws, value_ws; /* where trailing whitespace starts, or SIZE_MAX */
        char ***env;
} EnvParser;

static int env_push(EnvParser *e) {
        int r;

        strip_trailing(&e->key, e->key_ws);
        const char *k = e->key.data ? e->key.data : "", *v = e->value.data ? e->value.data : "";
        if (!utf8_is_valid(k) || !utf8_is_valid(v))
                r = -EINVAL; /* systemd refuses the whole file */
        else {
                char *a;
                r = asprintf(&a, "%s=%s", k, v) < 0 ? -ENOMEM : env_replace(e->env, a);
        }
        e->key.len = e->value.len = 0;
        if (e->key.data)
                e->key.data[0] = 0;
        if (e->value.data)
                e->value.data[0] = 0;
        return r;
}

/* Tracks where a run of trailing whitespace begins in b. */
static int append_tracking_ws(Buffer *b, size_t *ws, char c) {
        if (!strchr(WHITESPACE, c))
                *ws = SIZE_MAX;
        else if (*ws == SIZE_MAX)
                *ws = b->len;
        return buffer_append(b, &c, 1);
}

/* systemd's parse_env_file_internal() state machine. */
int env_file_parse(const char *data, size_t size, char ***ret) {
        enum { PRE_KEY, KEY, PRE_VALUE, VALUE, VALUE_ESCAPE, SINGLE_QUOTE, DOUBLE_QUOTE, DOUBLE_QUOTE_ESCAPE,
               COMMENT, COMMENT_ESCAPE } state = PRE_KEY;
        _cleanup_strv_free_ char **env = calloc(1, sizeof(char *));
        EnvParser e = { .key_ws = SIZE_MAX, .value_ws = SIZE_MAX, .env = &env };
        int r = 0;

        if (!env)
                return -ENOMEM;
        /* systemd reads the file as a C string: it ends at the first NUL. */
        for (size_t i = 0; i < size && data[i] && r >= 0; i++) {
                char c = data[i];
                switch (state) {
                case PRE_KEY:
                        if (strchr(COMMENTS, c))
                                state = COMMENT;
                        else if (!strchr(WHITESPACE, c)) {
                                state = KEY;
                                e.key_ws = SIZE_MAX;
                                r = buffer_append(&e.key, &c, 1);
                        }
                        break;
                case KEY:
                        if (strchr(NEWLINE, c)) {
                                state = PRE_KEY; /* a key without '=' is dropped */
                                e.key.len = 0;
                        } else if (c == '=') {
                                state = PRE_VALUE;
                                e.value_ws = SIZE_MAX;
                        } else
                                r = append_tracking_ws(&e.key, &e.key_ws, c);
                        break;
                case PRE_VALUE:
                        if (strchr(NEWLINE, c)) {
                                state = PRE_KEY;
                                r = env_push(&e);
                        } else if (c == '\'')
                                state = SINGLE_QUOTE;
                        else if (c == '"')
                                state = DOUBLE_QUOTE;
                        else if (c == '\\')
                                state = VALUE_ESCAPE;
                        else if (!strchr(WHITESPACE, c)) {
                                state = VALUE;
                                r = buffer_append(&e.value, &c, 1);
                        }
                        break;
                case VALUE:
                        if (strchr(NEWLINE, c)) {
                                state = PRE_KEY;
                                strip_trailing(&e.value, e.value_ws);
                                r = env_push(&e);
                        } else if (c == '\\') {
                                state = VALUE_ESCAPE;
                                e.value_ws = SIZE_MAX;
                        } else
                                r = append_tracking_ws(&e.value, &e.value_ws, c);
                        break;
                case VALUE_ESCAPE:
                        state = VALUE;
                        if (!strchr(NEWLINE, c)) /* an escaped newline is dropped */
                                r = buffer_append(&e.value, &c, 1);
                        break;
                case SINGLE_QUOTE:
                        if (c == '\'')
                                state = PRE_VALUE;
                        else
                                r = buffer_append(&e.value, &c, 1);
                        break;
                case DOUBLE_QUOTE:
                        if (c == '"')
                                state = PRE_VALUE;
                        else if (c == '\\')
                                state = DOUBLE_QUOTE_ESCAPE;
                        else
                                r = buffer_append(&e.value, &c, 1);
                        break;
                case DOUBLE_QUOTE_ESCAPE:
                        state = DOUBLE_QUOTE;
                        if (strchr(SHELL_NEED_ESCAPE, c))
                                r = buffer_append(&e.value, &c, 1);
                        else if (c != '\n') { /* other escapes keep their backslash, as in sh */
                                char two[2] = { '\\', c };
                                r = buffer_append(&e.value, two, 2);
                        }
                        break;
                case COMMENT:
                        if (c == '\\')
                                state = COMMENT_ESCAPE;
                        else if (strchr(NEWLINE, c))
                                state = PRE_KEY;
                        break;
                case COMMENT_ESCAPE:
                        state = COMMENT;
                        break;
                }
        }

        if (r >= 0 && state >= PRE_VALUE && state <= DOUBLE_QUOTE_ESCAPE) {
                if (state == VALUE)
                        strip_trailing(&e.value, e.value_ws);
                r = env_push(&e);
        }
        free(e.key.data);
        free(e.value.data);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(env);
        return 0;
}

/* systemd's READ_FULL_BYTES_MAX: read_full_stream() fails larger files (/dev/zero). */
#define ENV_FILE_MAX (64U * 1024U * 1024U - 1U)

int env_file_load(const char *path, char ***ret) {
        /* O_NONBLOCK: a FIFO must not block the generator for ever. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        _cleanup_fclose_ FILE *f = NULL;
        struct stat st;
        Buffer b = {};
        char chunk[65536];
        size_t n;
        int r = 0;

        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
                return -EBADFD;
        f = fdopen(fd, "re");
        if (!f)
                return -errno;
        fd = -1; /* owned by f now */
        while (r >= 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
                r = b.len + n > ENV_FILE_MAX ? -E2BIG : buffer_append(&b, chunk, n);
        if (r >= 0 && ferror(f))
                r = errno > 0 ? -errno : -EIO;
        if (r >= 0)
                r = env_file_parse(b.data ? b.data : "", b.len, ret);
        free(b.data);
        return r;
}
