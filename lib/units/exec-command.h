/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Exec*= command lines as systemd 252 parses them (config_parse_exec: prefixes, quoting, C
 * escapes, specifiers, ";" between commands) and as it expands them at exec time (replace_env_argv:
 * "$VAR" alone splits into words, "${VAR}" inside a word is replaced as is). The word
 * splitter they use, extract_first_word(), is in extract-word.h. */

#include <stdbool.h>
#include <stddef.h>

#include "extract-word.h"
#include "specifier.h"

enum {
        EXEC_IGNORE_FAILURE = 1 << 0, /* - */
        EXEC_NO_ENV_EXPAND = 1 << 1,  /* : */
        EXEC_PRIVILEGED = 1 << 2,     /* + */
        EXEC_NO_SETUID = 1 << 3,      /* ! */
        EXEC_AMBIENT_MAGIC = 1 << 4,  /* !! */
        EXEC_ARGV0 = 1 << 5,          /* @ */
};

/* path: the executable as written after specifier expansion and path simplification (not
 * environment expansion: systemd does not expand it); it may be a bare name, which systemd looks
 * up in ExecSearchPath= or its default PATH (unit_exec_search_path()). argv: as systemd passes it,
 * after $VAR expansion unless EXEC_NO_ENV_EXPAND; with '@', argv[0] is the word after the path. */
typedef struct ExecCommand {
        char *path;
        char **argv;
        unsigned flags;
} ExecCommand;

/* Parses one Exec*= value and appends its commands to *cmds (*n of them). An empty value appends nothing
 * (the caller resets its list, as systemd does). A value systemd rejects gives -EBADMSG with
 * *ret_error; where systemd only drops the rest of the line with a warning (a '-' command that
 * fails to parse, an unparsable first word) the commands before it are kept and 0 is returned.
 * A specifier that cannot be known at boot is always -EBADMSG. env: the unit's environment
 * (unit_environment()). */
int exec_command_parse(const char *value, const Specifiers *sp, char * const *env, ExecCommand **cmds,
                       size_t *n, char **ret_error);
void exec_command_free_many(ExecCommand *c, size_t n);

/* systemd's replace_env_argv(): "$VAR" as a whole word becomes the words of its value (split at
 * whitespace, quotes honoured) or nothing; "${VAR}" elsewhere is replaced by the value (unset: "");
 * "$$" becomes "$". */
int replace_env_argv(char * const *argv, char * const *env, char ***ret);

/* The settings that hold commands, in the order systemd runs them (systemd.service(5)). */
#define EXEC_COMMAND_N_KEYS 7
extern const char *const exec_command_keys[EXEC_COMMAND_N_KEYS];
