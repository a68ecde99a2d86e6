/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "explain.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "exec-command.h"
#include "macro.h"
#include "path-util.h"
#include "strv.h"

#define MAX_DEPTH 64 /* parents could name each other in a ring: never loop */

typedef struct Node {
        const PathEntry *entry;
        size_t parent;    /* index, or SIZE_MAX for a root */
        bool printed;
} Node;

static size_t find(const Node *nodes, size_t n, const char *dest) {
        for (size_t i = 0; i < n; i++)
                if (streq(nodes[i].entry->dest, dest))
                        return i;
        return SIZE_MAX;
}

static void print_node(FILE *f, Node *nodes, size_t n, size_t i, const char *prefix, bool last, unsigned depth) {
        const PathEntry *e = nodes[i].entry;
        bool link = !streq(e->dest, e->source);
        nodes[i].printed = true;
        fprintf(f, "%s%s%s%s%s  (%s)\n", prefix, depth == 0 ? "" : last ? "└─ " : "├─ ", e->dest,
                link ? " -> " : "", link ? e->source : "", e->reason);
        if (depth >= MAX_DEPTH)
                return;
        _cleanup_free_ char *child_prefix = asprintf_safe("%s%s", prefix, depth == 0 ? "" : last ? "   " : "│  ");
        if (!child_prefix)
                return;
        size_t last_child = SIZE_MAX;
        for (size_t c = 0; c < n; c++)
                if (nodes[c].parent == i && !nodes[c].printed)
                        last_child = c;
        for (size_t c = 0; c < n; c++)
                if (nodes[c].parent == i && !nodes[c].printed)
                        print_node(f, nodes, n, c, child_prefix, c == last_child, depth + 1);
}

int explain_print_tree(FILE *f, PathSet *binds) {
        const PathEntry **sorted = path_set_sorted(binds);
        size_t n = path_set_size(binds);
        if (!sorted)
                return -ENOMEM;
        _cleanup_free_ Node *nodes = calloc(n ? n : 1, sizeof(Node));
        if (!nodes)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                nodes[i] = (Node) { .entry = sorted[i], .parent = SIZE_MAX };
        for (size_t i = 0; i < n; i++) {
                /* The parent as its adder named it: the path the loader opened, a script's
                 * path; the set holds it normalized. One not in the set makes a root. */
                _cleanup_free_ char *p = sorted[i]->parent ? path_normalize(sorted[i]->parent) : NULL;
                size_t parent = p ? find(nodes, n, p) : SIZE_MAX;
                nodes[i].parent = parent == i ? SIZE_MAX : parent;
        }
        /* Roots first; then whatever a ring of parents left unreached. */
        for (size_t i = 0; i < n; i++)
                if (nodes[i].parent == SIZE_MAX)
                        print_node(f, nodes, n, i, "", true, 0);
        for (size_t i = 0; i < n; i++)
                if (!nodes[i].printed)
                        print_node(f, nodes, n, i, "", true, 0);
        return 0;
}

/* Why each kind of setting the generator writes is there (SPEC 4, "Settings,
 * one by one"), matched by key and a part of the value. */
static const struct {
        const char *key, *value, *why;
} setting_reasons[] = {
        { "RuntimeDirectory", "/run/lock", "the private /run's lock dir, reached as /var/lock as on the host" },
        { "RuntimeDirectory", NULL, "systemd makes the empty root and the private /run for each start, removes them after" },
        { "RootDirectory", NULL, "every command runs in that root" },
        { "TemporaryFileSystem", NULL, "the root is an empty tmpfs: only what is bound below exists" },
        { "BindPaths", ":/run ", "one private /run for the whole start (ExecStartPre= to ExecStopPost=), also /var/run" },
        { "BindPaths", ":/var/lock", "/var/lock is the private /run/lock, as the host links it" },
        { "BindPaths", ":/var/run/", "a /run dir the unit has from the host, also under its /var/run spelling" },
        { "BindPaths", ":/run/", "a /run dir the unit has from the host, also under its /run spelling" },
        { "BindPaths", NULL, "ReadWritePaths= of the unit: on 252 they resolve inside the root, so a writable bind of the host path" },
        { "BindReadOnlyPaths", "/run/systemd/journal", "syslog(3) and sd_journal: systemd 252 binds no journal socket" },
        { "BindReadOnlyPaths", NULL, "the closure, read-only (see the tree below)" },
        { "RequiresMountsFor", NULL, "ordered after the mounts that hold the bound paths" },
        { "PIDFile", NULL, "PID 1 reads the PID file on the host: the same file as the private /run holds" },
        { "ProtectSystem", NULL, "yes/full would remount an /etc or /usr the root lacks; strict protects the same inside" },
        { "Environment", "LD_ORIGIN_PATH", "$ORIGIN without /proc: ld.so reads it from LD_ORIGIN_PATH" },
        { "PrivateMounts", NULL, "a default of the mode, written only because the unit leaves it unset" },
        { "MountAPIVFS", NULL, "a default of the mode, written only because the unit leaves it unset" },
        { "PrivateDevices", NULL, "a default of the mode, written only because the unit leaves it unset" },
        { "PrivateTmp", NULL, "a default of the mode, written only because the unit leaves it unset" },
        { "ProtectControlGroups", NULL, "a default of the mode, written only because the unit leaves it unset" },
        { "ProtectKernelModules", NULL, "a default of the mode, written only because the unit leaves it unset" },
        { "ProtectKernelTunables", NULL, "a default of the mode, written only because the unit leaves it unset" },
};

void explain_print_settings(FILE *f, const char *dropin, const char *private_users_why) {
        bool printed[ELEMENTSOF(setting_reasons)] = {};
        fputs("# Why each setting is there:\n", f);
        for (const char *line = dropin; line && *line;) {
                size_t len = strcspn(line, "\n");
                _cleanup_free_ char *l = strndup(line, len);
                line += len + (line[len] == '\n');
                char *eq = l ? strchr(l, '=') : NULL;
                if (!eq || l[0] == '#' || l[0] == '[')
                        continue;
                *eq = 0;
                _cleanup_free_ char *value = asprintf_safe("%s ", eq + 1); /* ":/run " matches the last word too */
                for (size_t i = 0; value && i < ELEMENTSOF(setting_reasons); i++) {
                        if (!streq(l, setting_reasons[i].key) ||
                            (setting_reasons[i].value && !strstr(value, setting_reasons[i].value)))
                                continue;
                        if (!printed[i])
                                fprintf(f, "#   %s=%s: %s\n", l, setting_reasons[i].value ? "..." : "",
                                        setting_reasons[i].why);
                        printed[i] = true;
                        break;
                }
        }
        if (private_users_why)
                fprintf(f, "#   PrivateUsers=: %s\n", private_users_why);
}

static bool is_shell(const char *path) {
        static const char *const shells[] = { "sh", "bash", "dash", "ash", "ksh", "mksh", "zsh", "busybox" };
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        for (size_t i = 0; i < ELEMENTSOF(shells); i++)
                if (streq(base, shells[i]))
                        return true;
        return false;
}

/* The "sh -c" string of argv: the word after the first option word holding "c". */
static const char *shell_script(char **argv) {
        for (size_t i = 1; argv[i] && argv[i][0] == '-' && !streq(argv[i], "--"); i++)
                if (strchr(argv[i], 'c'))
                        return argv[i + 1];
        return NULL;
}

static bool is_builtin_or_keyword(const char *w) {
        static const char *const words[] = {
                "[", "[[", "]]", "test", "echo", "printf", "set", "unset", "export", "exit", "return", "true", "false",
                "cd", "exec", "eval", ".", ":", "read", "shift", "trap", "wait", "umask", "ulimit", "local", "if",
                "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in", "!",
                "{", "}", "kill", "command", "type", "getopts", "break", "continue", "readonly", "times", "hash",
        };
        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (streq(w, words[i]))
                        return true;
        return false;
}

/* Words after which the shell expects a command name. */
static bool leads_to_command(const char *w) {
        static const char *const words[] = { "exec", "then", "else", "elif", "do", "if", "while", "until", "!",
                                             "command", "nohup", "time", "{" };
        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (streq(w, words[i]))
                        return true;
        return false;
}

/* Where the shell would find NAME (systemd's default PATH), and whether the root has it there. */
static char *lookup_in_default_path(const char *name, const PathSet *binds, bool *bound) {
        static const char *const dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" };
        *bound = false;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *p = asprintf_safe("%s/%s", dirs[i], name);
                if (p && path_set_contains(binds, p)) {
                        *bound = true;
                        return TAKE_PTR(p);
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *p = asprintf_safe("%s/%s", dirs[i], name);
                if (p && access(p, X_OK) == 0)
                        return TAKE_PTR(p);
        }
        return NULL;
}

static int warn_script(FILE *f, const char *key, const char *script, const PathSet *binds) {
        int n = 0;
        bool command = true;
        for (const char *p = script; *p;) {
                if (strchr(" \t\n", *p)) {
                        p++;
                        continue;
                }
                if (strchr(";&|()`", *p)) {
                        command = true;
                        p++;
                        continue;
                }
                size_t len = strcspn(p, " \t\n;&|()`");
                _cleanup_free_ char *w = strndup(p, len);
                p += len;
                if (!w)
                        return -ENOMEM;
                bool was_command = command;
                command = leads_to_command(w);
                if (!was_command)
                        continue;
                if (strchr(w, '=') && w[0] != '=' && !strchr(w, '/')) {
                        command = true; /* VAR=value before the command */
                        continue;
                }
                if (strpbrk(w, "$\"'\\*?") || is_builtin_or_keyword(w))
                        continue;
                bool bound = false;
                _cleanup_free_ char *found = NULL;
                if (w[0] == '/') {
                        bound = path_set_contains(binds, w);
                        found = access(w, X_OK) == 0 ? strdup(w) : NULL;
                } else if (!strchr(w, '/'))
                        found = lookup_in_default_path(w, binds, &bound);
                if (bound || !found)
                        continue;
                fprintf(f, "# warning: %s= runs \"%s\" inside a sh -c string, and the root lacks %s:"
                           " add Packages=%s if it runs\n", key, w, found, found);
                n++;
        }
        return n;
}

int explain_print_shell_warnings(FILE *f, const UnitText *t, const Specifiers *sp, char * const *env,
                                 const PathSet *binds) {
        const char *const *keys = exec_command_keys;
        int total = 0;
        for (size_t k = 0; k < EXEC_COMMAND_N_KEYS; k++) {
                _cleanup_strv_free_ char **values = NULL;
                if (unit_text_get_list(t, "Service", keys[k], &values) < 0)
                        continue;
                STRV_FOREACH(v, values) {
                        ExecCommand *cmds = NULL;
                        size_t n = 0;
                        _cleanup_free_ char *error = NULL;
                        if (exec_command_parse(*v, sp, env, &cmds, &n, &error) < 0)
                                continue;
                        for (size_t i = 0; i < n; i++) {
                                const char *script = is_shell(cmds[i].path) ? shell_script(cmds[i].argv) : NULL;
                                int r = script ? warn_script(f, keys[k], script, binds) : 0;
                                if (r > 0)
                                        total += r;
                        }
                        exec_command_free_many(cmds, n);
                }
        }
        return total;
}
