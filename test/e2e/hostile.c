/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
/* A hostile confined service, for hostile_e2e.py: it tries to change every file
 * it can reach. It starts from "/" and from every mount point in
 * /proc/self/mountinfo (where there is a /proc), walks each tree without
 * following symlinks, appends a line to every regular file and creates a file
 * in every directory. It prints one line per success:
 *     appended PATH        created PATH
 * and a last line "done N" with the number of paths it visited.
 * Kernel file systems (/proc, /sys, cgroups, ...) and device nodes are left
 * alone: writing there changes no file and could take the container down. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define MAX_VISITS 400000

static unsigned long visits;
static char tag[256];

static int kernel_fs(const char *path) {
        struct statfs sf;
        if (statfs(path, &sf) < 0)
                return 1;
        switch ((unsigned long) sf.f_type) {
        case 0x9fa0UL:     /* proc */
        case 0x62656572UL: /* sysfs */
        case 0x27e0ebUL:   /* cgroup */
        case 0x63677270UL: /* cgroup2 */
        case 0x1cd1UL:     /* devpts */
        case 0x19800202UL: /* mqueue */
        case 0xcafe4a11UL: /* bpf */
        case 0x74726163UL: /* tracefs */
        case 0x64626720UL: /* debugfs */
        case 0x73636673UL: /* securityfs */
        case 0x6165676cUL: /* pstore */
        case 0x62656570UL: /* configfs */
        case 0x42494e4dUL: /* binfmt_misc */
        case 0x65735543UL: /* fusectl */
                return 1;
        }
        return 0;
}

static void try_file(const char *path) {
        int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return;
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
                char line[300];
                int n = snprintf(line, sizeof line, "hostile %s was here\n", tag);
                if (write(fd, line, n) == n)
                        printf("appended %s\n", path);
        }
        close(fd);
}

static void try_dir(const char *path) {
        char name[4200];
        snprintf(name, sizeof name, "%s/hostile-%s", strcmp(path, "/") ? path : "", tag);
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0)
                return;
        printf("created %s\n", name);
        close(fd);
}

static void walk(const char *path) {
        struct stat st;
        if (++visits > MAX_VISITS || lstat(path, &st) < 0)
                return;
        if (S_ISREG(st.st_mode)) {
                if (!strstr(path, "/hostile-")) /* not what this program made */
                        try_file(path);
                return;
        }
        if (!S_ISDIR(st.st_mode) || kernel_fs(path))
                return;
        DIR *d = opendir(path);
        if (d) {
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                                continue;
                        char child[4200];
                        snprintf(child, sizeof child, "%s/%s", strcmp(path, "/") ? path : "", de->d_name);
                        walk(child);
                }
                closedir(d);
        }
        try_dir(path);
}

/* Mount point fields are octal-escaped (\040 for a space). */
static void unescape(char *s) {
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] && r[3]) {
                        *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else
                        *w++ = *r;
        }
        *w = 0;
}

int main(int argc, char *argv[]) {
        snprintf(tag, sizeof tag, "%s", argc > 1 ? argv[1] : "x");
        setvbuf(stdout, NULL, _IOLBF, 0);
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (f) {
                char *line = NULL;
                size_t n = 0;
                while (getline(&line, &n, f) > 0) {
                        char mp[4096];
                        if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
                                continue;
                        unescape(mp);
                        printf("mount %s\nmountinfo %s", mp, line);
                        walk(mp);
                }
                free(line);
                fclose(f);
        }
        walk("/");
        printf("done %lu\n", visits);
        return 0;
}
