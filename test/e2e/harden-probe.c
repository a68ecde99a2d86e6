/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a service may do that Harden=yes takes away: each argument names one
 * attempt, and one line "NAME ok" or "NAME err ERRNO-NAME" is printed for it.
 * It must not name getifaddrs() or PCRE's JIT: the generator would read those
 * as a need for netlink or W+X memory (the "lister" action is built into a
 * separate program for that). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/netlink.h>

static void report(const char *name, int r) {
        if (r >= 0)
                printf("%s ok\n", name);
        else
                printf("%s err %s\n", name, strerrorname_np(errno) ?: "?");
}

static int sock(int family, int type, int proto) {
        int fd = socket(family, type, proto);
        if (fd >= 0)
                close(fd);
        return fd;
}

static int try(const char *a, const char *dir) {
        if (!strcmp(a, "adjtime")) { /* a read-only query: needs no capability, only the system call */
                struct timex tx = { .modes = 0 };
                return adjtimex(&tx);
        }
        if (!strcmp(a, "settime")) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                return clock_settime(CLOCK_REALTIME, &ts);
        }
        if (!strcmp(a, "sethostname")) { /* the name it has: harmless where it works */
                char name[256] = "";
                gethostname(name, sizeof name - 1);
                return sethostname(name, strlen(name));
        }
        if (!strcmp(a, "rename")) /* the driver restores the name */
                return sethostname("harden-probe-renamed", strlen("harden-probe-renamed"));
        if (!strcmp(a, "umount")) /* @mount: the path is looked up first, so ENOENT wherever it may be called */
                return umount2("/harden-e2e-not-there", 0);
        if (!strcmp(a, "kmsg-node")) { /* /proc/kmsg made inaccessible: mode 0000 */
                struct stat st;
                if (stat("/proc/kmsg", &st) < 0)
                        return -1;
                if ((st.st_mode & 07777) == 0)
                        return errno = EACCES, -1;
                return 0;
        }
        if (!strcmp(a, "klogctl"))
                return klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
        if (!strcmp(a, "suid")) {
                char path[4096];
                snprintf(path, sizeof path, "%s/suid-file", dir);
                unlink(path);
                int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
                if (fd < 0)
                        return -1;
                close(fd);
                return chmod(path, 04755);
        }
        if (!strcmp(a, "personality")) {
                int old = personality(0xffffffff);
                int r = personality(PER_LINUX32);
                if (r >= 0)
                        personality(old);
                return r;
        }
        if (!strcmp(a, "realtime")) {
                struct sched_param p = { .sched_priority = 1 };
                int r = sched_setscheduler(0, SCHED_RR, &p);
                if (r >= 0) {
                        p.sched_priority = 0;
                        sched_setscheduler(0, SCHED_OTHER, &p);
                }
                return r;
        }
        if (!strcmp(a, "userns"))
                return unshare(CLONE_NEWUSER);
        if (!strcmp(a, "wx-memory")) {
                void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                return p == MAP_FAILED ? -1 : munmap(p, 4096);
        }
        if (!strcmp(a, "proc-pid1")) /* not this service's: its own PID is never 1 */
                return access("/proc/1/cmdline", F_OK);
        if (!strcmp(a, "proc-meminfo"))
                return access("/proc/meminfo", F_OK);
        if (!strcmp(a, "netlink"))
                return sock(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (!strcmp(a, "packet"))
                return sock(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (!strcmp(a, "raw-icmp"))
                return sock(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
        if (!strcmp(a, "inet"))
                return sock(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (!strcmp(a, "vm-read")) { /* @debug, outside @system-service; on itself it needs nothing */
                char src[8] = "x", dst[8];
                struct iovec l = { dst, sizeof dst }, r = { src, sizeof src };
                return process_vm_readv(getpid(), &l, 1, &r, 1, 0);
        }
        if (!strcmp(a, "euid"))
                return printf("euid %u\n", (unsigned) geteuid()), 0;
        if (!strcmp(a, "status")) { /* NoNewPrivs and CapBnd as the kernel has them */
                FILE *f = fopen("/proc/self/status", "re");
                char line[512];
                while (f && fgets(line, sizeof line, f))
                        if (!strncmp(line, "NoNewPrivs:", 11) || !strncmp(line, "CapBnd:", 7))
                                fputs(line, stdout);
                if (f)
                        fclose(f);
                return 0;
        }
        return errno = EINVAL, -1;
}

int main(int argc, char **argv) {
        const char *dir = getenv("STATE_DIRECTORY") ?: "/tmp";
        for (int i = 1; i < argc; i++)
                report(argv[i], try(argv[i], dir));
        return 0;
}
