#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what building needs on Debian 12 (run as root); with --tests, also
# what the tests need. Daemons the tests use are installed without being
# started on this machine.
# usage: install-deps.sh [--tests]
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(build-essential cmake pkg-config libsystemd-dev libmount-dev check)
if [[ ${1:-} == --tests ]]; then
        packages+=(systemd-container python3 clang patchelf memcached nix-bin
                   openssl ca-certificates man-db groff-base dpkg-dev binutils
                   strace libclang-rt-14-dev openjdk-17-jre-headless
                   # the Check suite: an NSS module (test-profiles), a library to
                   # link against (test-closure), 32-bit objects (test-elf-file)
                   libnss-mymachines zlib1g-dev gcc-multilib
                   # the daemon suite: Debian's daemons as they ship, and their clients
                   nginx-light postgresql redis-server openssh-server unbound dns-root-data
                   mosquitto mosquitto-clients haproxy rsyslog opensmtpd curl redis-tools
                   dnsutils postgresql-client
                   # the learn suite: daemons no other test names (chrony runs as root via "!")
                   apache2 dnsmasq chrony mariadb-server squid lighttpd)
fi
missing=()
for p in "${packages[@]}"; do
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
