/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "env-util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "string-util.h"
#include "strv.h"

#define ENV_NAME_CHARS "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"

size_t env_arg_max(void) {
        long l = sysconf(_SC_ARG_MAX);
        return l > 0 ? (size_t) l : 2097152;
}

static bool env_name_is_valid_n(const char *e, size_t n) {
        if (n == 0 || n > env_arg_max() - 2 || (e[0] >= '0' && e[0] <= '9'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!e[i] || !strchr(ENV_NAME_CHARS, e[i]))
                        return false;
        return true;
}

bool env_name_is_valid(const char *e) {
        return e && env_name_is_valid_n(e, strlen(e));
}

bool env_assignment_is_valid(const char *e) {
        const char *eq = strchr(e, '=');
        return eq && env_name_is_valid_n(e, eq - e) && utf8_is_valid(eq + 1) &&
               strlen(eq + 1) <= env_arg_max() - 3 && strlen(e) <= env_arg_max() - 1;
}

/* "KEY=value" into *env, replacing an entry of the same key. */
int env_replace(char ***env, char *assignment) {
        if (!assignment)
                return -ENOMEM;
        size_t k = strcspn(assignment, "=");
        for (char **e = *env; e && *e; e++)
                if (strncmp(*e, assignment, k) == 0 && (*e)[k] == '=') {
                        free(*e);
                        *e = assignment;
                        return 0;
                }
        return strv_consume(env, assignment);
}
