/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "env-file.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "env-util.h"
#include "macro.h"
#include "read-file.h"
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
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_full_file(path, 0, ENV_FILE_MAX, &data, &size);

        return r < 0 ? r : env_file_parse(data, size, ret);
}
