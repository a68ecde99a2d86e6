/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A whole unit tree (names, placement in three unit dirs of different
 * priority, drop-in dirs, symlinks, contents) built in a temporary dir from the
 * input, then looked up as the generator does (unit_lookup_new(), every listed
 * service through unit_lookup_find()) and run through generator_run() with its
 * three output dirs in the same temporary dir, SYSTEMD_UNIT_PATH naming only the
 * tree's dirs. The input is records:
 *
 *   --- f DIR PATH\n CONTENT       a file (CONTENT runs to the next "\n--- " or the end)
 *   --- l DIR PATH TARGET\n        a symlink (TARGET may be /dev/null, relative, anything)
 *   --- d DIR PATH\n               a directory
 *
 * DIR is 0, 1 or 2 (highest priority first); PATH may hold one "/" (a drop-in
 * dir and its file) and any other byte but NUL, blank and newline. Beside
 * the sanitizers' findings, the generator must create nothing beside its output
 * dirs. With FUZZ_UNIT_TREE_STRICT=1 in the environment it must also return 0,
 * and a service whose files hold a line "[X-Confinement]" must get a drop-in
 * (SPEC 1, "the line counts"; SPEC 5: never unconfined, the blocking drop-in
 * always writable): off by default while issue 13's classes 2 and 5 are open,
 * since the fuzzer stops at them within seconds. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "generator.h"
#include "log.h"
#include "macro.h"
#include "strv.h"
#include "unit-lookup.h"

#define FUZZ_TREE_MAX_RECORDS 64
#define FUZZ_TREE_DIRS 3

static char fuzz_tree_top[] = "/tmp/fuzz-unit-tree.XXXXXX";
static char fuzz_tree_dirs[FUZZ_TREE_DIRS][PATH_MAX];
static char fuzz_tree_out[3][PATH_MAX];
static bool fuzz_tree_strict;

static int fuzz_tree_rm(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        (void) remove(p);
        return 0;
}

static void fuzz_tree_reset(void) {
        char p[PATH_MAX + 16];
        snprintf(p, sizeof p, "%s/t", fuzz_tree_top);
        (void) nftw(p, fuzz_tree_rm, 16, FTW_DEPTH | FTW_PHYS);
        (void) mkdir(p, 0755);
        for (size_t i = 0; i < FUZZ_TREE_DIRS; i++)
                (void) mkdir(fuzz_tree_dirs[i], 0755);
        for (size_t i = 0; i < 3; i++)
                (void) mkdir(fuzz_tree_out[i], 0755);
}

static void fuzz_tree_cleanup(void) {
        (void) nftw(fuzz_tree_top, fuzz_tree_rm, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc, (void) argv;
        if (!mkdtemp(fuzz_tree_top))
                abort();
        atexit(fuzz_tree_cleanup);
        for (size_t i = 0; i < FUZZ_TREE_DIRS; i++)
                snprintf(fuzz_tree_dirs[i], sizeof fuzz_tree_dirs[i], "%s/t/u%zu", fuzz_tree_top, i);
        static const char *const out[] = { "normal", "early", "late" };
        for (size_t i = 0; i < 3; i++)
                snprintf(fuzz_tree_out[i], sizeof fuzz_tree_out[i], "%s/t/%s", fuzz_tree_top, out[i]);
        /* no trailing ':': the host's own units stay out */
        char path[3 * PATH_MAX + 4];
        snprintf(path, sizeof path, "%s:%s:%s", fuzz_tree_dirs[0], fuzz_tree_dirs[1], fuzz_tree_dirs[2]);
        setenv("SYSTEMD_UNIT_PATH", path, 1);
        fuzz_tree_strict = getenv("FUZZ_UNIT_TREE_STRICT") && streq(getenv("FUZZ_UNIT_TREE_STRICT"), "1");
        /* the generator's log lines go nowhere unless asked for */
        setenv("SYSTEMD_LOG_TARGET", "null", 0);
        log_setup("fuzz-unit-tree", false);
        return 0;
}

/* Creates the parent of a "dir/file" path. Names that would leave the unit dir
 * ("..", absolute) are dropped: the tree must stay inside the temp dir. */
static int fuzz_tree_path(size_t dir, const char *name, char *ret, size_t n) {
        if (streq(name, "") || strstr(name, "..") || name[0] == '/')
                return -EINVAL;
        const char *slash = strchr(name, '/');
        if (slash && strchr(slash + 1, '/'))
                return -EINVAL;
        if (snprintf(ret, n, "%s/%s", fuzz_tree_dirs[dir], name) >= (int) n)
                return -ENAMETOOLONG;
        if (slash) {
                char d[PATH_MAX];
                snprintf(d, sizeof d, "%s/%.*s", fuzz_tree_dirs[dir], (int) (slash - name), name);
                (void) mkdir(d, 0755);
        }
        return 0;
}

static void fuzz_tree_record(const char *head, const char *body, size_t body_len) {
        char kind, name[1024], target[1024] = "", path[PATH_MAX];
        unsigned dir;
        /* the name ends at the first blank: names with blanks come from symlink targets */
        if (sscanf(head, "%c %u %1023s %1023s", &kind, &dir, name, target) < 3 || dir >= FUZZ_TREE_DIRS)
                return;
        if (fuzz_tree_path(dir, name, path, sizeof path) < 0)
                return;
        if (kind == 'f') {
                FILE *f = fopen(path, "we");
                if (f) {
                        fwrite(body, 1, body_len, f);
                        fclose(f);
                }
        } else if (kind == 'l' && target[0])
                (void) symlink(target, path);
        else if (kind == 'd')
                (void) mkdir(path, 0755);
}

static bool fuzz_tree_has_line(const char *path, const char *line) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char buf[4096];
        if (!f)
                return false;
        while (fgets(buf, sizeof buf, f)) {
                char *s = buf + strspn(buf, " \t");
                s[strcspn(s, "\r\n")] = 0;
                size_t l = strlen(s);
                while (l > 0 && strchr(" \t", s[l - 1]))
                        s[--l] = 0;
                if (streq(s, line))
                        return true;
        }
        return false;
}

/* Whether any output dir holds something for name: NAME.d/ or a NAME file (a mask). */
static bool fuzz_tree_has_output(const char *name) {
        for (size_t i = 0; i < 3; i++) {
                char p[PATH_MAX + 300];
                struct stat st;
                snprintf(p, sizeof p, "%s/%s", fuzz_tree_out[i], name);
                if (lstat(p, &st) >= 0)
                        return true;
                snprintf(p, sizeof p, "%s/%s.d", fuzz_tree_out[i], name);
                if (lstat(p, &st) >= 0)
                        return true;
        }
        return false;
}

/* Nothing but the unit dirs and the output dirs in the temp dir. */
static void fuzz_tree_check_top(void) {
        char p[PATH_MAX + 16];
        snprintf(p, sizeof p, "%s/t", fuzz_tree_top);
        _cleanup_closedir_ DIR *d = opendir(p);
        struct dirent *de;
        while (d && (de = readdir(d)))
                if (de->d_name[0] != '.' && strlen(de->d_name) > 1 && !streq(de->d_name, "normal") &&
                    !streq(de->d_name, "early") && !streq(de->d_name, "late") &&
                    !(de->d_name[0] == 'u' && strchr("012", de->d_name[1]) && de->d_name[2] == 0))
                        abort();
}

static void fuzz_tree_lookup(void) {
        char *dirs[FUZZ_TREE_DIRS + 1] = {};
        _cleanup_(unit_lookup_freep) UnitLookup *l = NULL;
        _cleanup_strv_free_ char **names = NULL;

        for (size_t i = 0; i < FUZZ_TREE_DIRS; i++)
                dirs[i] = fuzz_tree_dirs[i];
        if (unit_lookup_new(dirs, &l) < 0 || unit_lookup_list_services(l, &names) < 0)
                return;
        STRV_FOREACH(n, names) {
                UnitInfo u = {};
                if (unit_lookup_find(l, *n, &u) < 0)
                        continue;
                (void) unit_lookup_may_mention(l, *n, "[X-Confinement]");
                if (fuzz_tree_strict && !u.masked) {
                        bool opted = u.fragment && fuzz_tree_has_line(u.fragment, "[X-Confinement]");
                        STRV_FOREACH(d, u.dropins)
                                opted = opted || fuzz_tree_has_line(*d, "[X-Confinement]");
                        if (opted && !fuzz_tree_has_output(u.name))
                                abort(); /* an opted-in unit left without a drop-in: it would run unconfined */
                }
                unit_info_done(&u);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char sep[] = "\n--- ";
        char *buf;
        size_t records = 0;

        if (size > FUZZ_MAX_INPUT / 4)
                return 0;
        fuzz_tree_reset();

        /* "--- " at the very start counts as a record head too */
        buf = malloc(size + 2);
        if (!buf)
                return 0;
        buf[0] = '\n';
        memcpy(buf + 1, data, size);
        buf[size + 1] = 0;
        for (char *p = memmem(buf, size + 1, sep, strlen(sep)); p && records < FUZZ_TREE_MAX_RECORDS; records++) {
                char *head = p + strlen(sep), *end = buf + size + 1;
                char *nl = memchr(head, '\n', end - head);
                char *body = nl ? nl + 1 : end;
                char *next = memmem(body, end - body, sep, strlen(sep));
                if (nl)
                        *nl = 0;
                if (memchr(head, 0, (nl ? nl : end) - head) == NULL)
                        fuzz_tree_record(head, body, (next ? next : end) - body);
                p = next;
        }
        free(buf);

        char *out[] = { fuzz_tree_out[0], fuzz_tree_out[1], fuzz_tree_out[2], NULL };
        GeneratorOptions o = { .output_dirs = out };
        /* Its output dirs exist and are writable, so it must not fail (SPEC 5: the blocking
         * drop-in is always writable); strict only, as a long drop-in name fails it today. */
        if (generator_run(&o) < 0 && fuzz_tree_strict)
                abort();
        fuzz_tree_check_top();
        fuzz_tree_lookup();
        return 0;
}
