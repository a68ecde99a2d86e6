#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what building needs on Debian 12, 13 or testing (run as root); with
# --tests, also what the tests need. Daemons the tests use are installed without being
# started on this machine.
# usage: install-deps.sh [--tests]
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# The first of NAMES this release's archive has: names that differ between
# releases are chosen from what apt knows here, never from a release list.
first_available() {
        local p
        for p in "$@"; do
                [[ -n $(apt-cache show --no-all-versions "$p" 2>/dev/null | grep -m1 '^Package:') ]] &&
                        { echo "$p"; return 0; }
        done
        echo "install-deps.sh: none of $* is in this system's archive" >&2
        return 1
}
# clang's runtime (for -fsanitize=fuzzer) is versioned like clang itself.
clang_rt() {
        local v
        v=$(apt-cache depends clang 2>/dev/null | grep -oE -m1 'clang-[0-9]+' | cut -d- -f2)
        [[ -n $v ]] && first_available "libclang-rt-$v-dev" "libclang-common-$v-dev"
}

packages=(build-essential cmake pkg-config libsystemd-dev libmount-dev check)
if [[ ${1:-} == --tests ]]; then
        # apt-cache needs lists: a fresh debootstrap root has none.
        [[ -n $(ls /var/lib/apt/lists/ 2>/dev/null | grep _Packages) ]] || apt-get update -qq
        packages+=(systemd-container python3 clang patchelf memcached nix-bin
                   openssl ca-certificates man-db groff-base dpkg-dev binutils
                   strace libtree "$(clang_rt)" default-jre-headless
                   # the Check suite: an NSS module (test-profiles), a library to
                   # link against (test-closure), 32-bit objects (test-elf-file)
                   libnss-mymachines zlib1g-dev gcc-multilib
                   # the daemon suite: Debian's daemons as they ship, and their clients
                   "$(first_available nginx-light nginx)" postgresql redis-server openssh-server unbound dns-root-data
                   mosquitto mosquitto-clients haproxy rsyslog opensmtpd curl redis-tools
                   bind9-dnsutils postgresql-client
                   # the learn suite: daemons no other test names (chrony runs as root via "!")
                   apache2 dnsmasq chrony mariadb-server squid lighttpd)
fi
missing=()
for p in "${packages[@]}"; do
        [[ -n $p ]] || exit 1  # first_available said which
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

apt-get update -qq
# Keep package scripts from starting daemons here: the tests start them in a container.
policy=/usr/sbin/policy-rc.d
restore_policy=0
if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod +x "$policy"
        restore_policy=1
fi
trap '[[ $restore_policy == 1 ]] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}"
