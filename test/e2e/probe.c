/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
/* What a confined service sees, for the end-to-end tests. Runs inside the root.
 *   probe walk         one line per visible path: TYPE MODE UID WRITABLE ONROOT PATH
 *                      (WRITABLE: faccessat(W_OK) as this user; ONROOT: same file
 *                      system as "/", the root tmpfs). /proc and /sys are listed,
 *                      not entered; nor is /run/confinement (the root seen again).
 *   probe mkdir PATH   prints "mkdir ok" or "mkdir E<name>"
 *   probe exists PATH  prints "yes" or "no"
 *   probe read PATH    prints the first line of PATH or "unreadable"          */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static dev_t root_dev;

static char type_of(mode_t m) {
        return S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISREG(m) ? 'f' : S_ISCHR(m) ? 'c' :
               S_ISBLK(m) ? 'b' : S_ISSOCK(m) ? 's' : 'p';
}

static int no_descend(const char *p) {
        return !strcmp(p, "/proc") || !strcmp(p, "/sys") || !strcmp(p, "/run/confinement") ||
               !strcmp(p, "/var/run/confinement");
}

static void walk(const char *path) {
        struct stat st;
        if (lstat(path, &st) < 0)
                return;
        int w = !S_ISLNK(st.st_mode) && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
        printf("%c %04o %u %d %d %s\n", type_of(st.st_mode), (unsigned) (st.st_mode & 07777),
               (unsigned) st.st_uid, w, st.st_dev == root_dev, path);
        if (!S_ISDIR(st.st_mode) || no_descend(path))
                return;
        DIR *d = opendir(path);
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                char child[4096];
                snprintf(child, sizeof child, "%s/%s", strcmp(path, "/") ? path : "", de->d_name);
                walk(child);
        }
        closedir(d);
}

int main(int argc, char *argv[]) {
        struct stat st;
        if (argc >= 2 && !strcmp(argv[1], "walk")) {
                if (stat("/", &st) == 0)
                        root_dev = st.st_dev;
                walk("/");
        } else if (argc >= 3 && !strcmp(argv[1], "mkdir")) {
                if (mkdir(argv[2], 0755) == 0)
                        printf("mkdir ok\n");
                else
                        printf("mkdir %s\n", strerrorname_np(errno));
        } else if (argc >= 3 && !strcmp(argv[1], "exists")) {
                printf("%s\n", lstat(argv[2], &st) == 0 ? "yes" : "no");
        } else if (argc >= 3 && !strcmp(argv[1], "read")) {
                char line[512] = "";
                FILE *f = fopen(argv[2], "re");
                if (!f || !fgets(line, sizeof line, f))
                        strcpy(line, "unreadable\n");
                fputs(line, stdout);
        } else {
                fprintf(stderr, "usage: probe walk|mkdir P|exists P|read P\n");
                return 2;
        }
        return 0;
}
