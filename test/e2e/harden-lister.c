/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lists the network interfaces through glibc's getifaddrs(), which asks the
 * kernel over netlink: prints "lister ok N" or "lister err ERRNO-NAME". */
#define _GNU_SOURCE
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>

int main(void) {
        struct ifaddrs *list;
        int n = 0;
        if (getifaddrs(&list) < 0) {
                printf("lister err %s\n", strerrorname_np(errno) ?: "?");
                return 0;
        }
        for (struct ifaddrs *i = list; i; i = i->ifa_next)
                n++;
        freeifaddrs(list);
        printf("lister ok %d\n", n);
        return 0;
}
