/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec_command_parse() on an arbitrary Exec*= value, with a fixed unit name,
 * fragment and environment (so that %-specifiers, $VAR and ${VAR} all have
 * something to expand), and systemd's word splitter with the flag sets the
 * other unit settings use. */
#include <stdlib.h>
#include <string.h>

#include "exec-command.h"
#include "fuzz.h"
#include "macro.h"
#include "strv.h"

static int fuzz_exec_command_words(const char *value, const char *separators, ExtractFlags flags) {
        for (const char *p = value;;) {
                _cleanup_free_ char *word = NULL;
                int r = extract_first_word(&p, &word, separators, flags);
                if (r <= 0)
                        return r;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const Specifiers sp = {
                .name = "fuzz@inst\\x2dance.service",
                .fragment = "/etc/systemd/system/fuzz@.service",
        };
        static char *const env[] = {
                (char *) "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                (char *) "A=a",
                (char *) "B=two words",
                (char *) "C=\"quoted words\" 'and more' back\\\\slash",
                (char *) "EMPTY=",
                (char *) "LONG=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                NULL,
        };
        ExecCommand *cmds = NULL;
        size_t n = 0;
        _cleanup_free_ char *value = NULL, *error = NULL;
        _cleanup_strv_free_ char **expanded = NULL;

        if (size > FUZZ_MAX_INPUT)
                return 0;
        value = strndup((const char *) data, size);
        if (!value)
                return 0;

        int r = exec_command_parse(value, &sp, env, &cmds, &n, &error);
        /* Success or not, the commands parsed so far are the caller's. */
        (void) r;
        for (size_t i = 0; i < n; i++) {
                if (!cmds[i].path || !cmds[i].argv)
                        abort();
                (void) strv_length(cmds[i].argv);
        }
        exec_command_free_many(cmds, n);

        (void) fuzz_exec_command_words(value, NULL, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE);
        (void) fuzz_exec_command_words(value, NULL, EXTRACT_UNQUOTE | EXTRACT_RELAX);
        (void) fuzz_exec_command_words(value, ":", EXTRACT_DONT_COALESCE_SEPARATORS);
        for (const char *p = value;;) {
                _cleanup_free_ char *word = NULL;
                if (extract_first_word_relaxed(&p, &word, NULL, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE) <= 0)
                        break;
        }

        char *argv[] = { value, (char *) "$B", (char *) "${C}x", NULL };
        (void) replace_env_argv(argv, env, &expanded);
        return 0;
}
