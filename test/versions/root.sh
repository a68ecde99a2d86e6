#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Makes (once) and refreshes a Debian root for RELEASE under CACHE (default
# /var/cache/confinement-roots), the way a new user gets one: debootstrap from
# this machine's package mirror, then this repo's own scripts/install-deps.sh
# --tests run inside it. A root is made in a temporary dir and renamed when
# debootstrap completed, so a present root is always whole and is reused;
# install-deps.sh installs only what is missing, so a second run costs seconds.
# Prints the root's path on stdout.
#
# usage: root.sh trixie|sid
set -euo pipefail
release=$1
cache=${CONFINEMENT_ROOTS:-/var/cache/confinement-roots}
here=$(cd "$(dirname "$0")/../.." && pwd)
root=$cache/$release

# The mirror the host's apt uses (deb822 URIs: or one-line deb), so a CI machine
# behind its own mirror needs no setting here.
mirror() {
        local m
        m=$(grep -hoE '^(URIs:\s*|deb\s+(\[[^]]*\]\s+)?)https?://[^ ]*/debian/?(\s|$)' \
                /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
                /etc/apt/sources.list 2>/dev/null | grep -oE 'https?://[^ ]*' | head -n1) || true
        echo "${m:-http://deb.debian.org/debian}"
}

if [[ ! -d $root ]]; then
        command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
        mkdir -p "$cache"
        tmp=$(mktemp -d "$cache/.$release.XXXXXX")
        chmod 0755 "$tmp"  # it becomes /: mktemp's 0700 would lock out every user but root
        # bookworm's debootstrap has no script for testing: sid's works for it.
        suite=$release script=()
        [[ $release == sid || $release == testing ]] && { suite=testing; script=(/usr/share/debootstrap/scripts/sid); }
        echo "root.sh: debootstrap $suite from $(mirror) into $root" >&2
        debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,ca-certificates \
                "$suite" "$tmp" "$(mirror)" "${script[@]}" >"$tmp.log" 2>&1 ||
                { tail -n 30 "$tmp.log" >&2; exit 1; }
        # A fresh install has no locale configured: that is the case Profiles=locale
        # must handle (systemd gives services LANG=C.UTF-8 then).
        rm -f "$tmp/etc/locale.conf" "$tmp/etc/default/locale"
        # The mirror may be a dated snapshot, whose testing Release file has
        # expired: apt refuses it unless told (debootstrap does not check).
        echo 'Acquire::Check-Valid-Until "false";' > "$tmp/etc/apt/apt.conf.d/99confinement-snapshot"
        mv "$tmp" "$root"
        rm -f "$tmp.log"
fi

# This repo's install-deps.sh, as the README tells a new user to run it.
run_in() {
        systemd-nspawn -q --register=no --keep-unit -D "$root" --bind-ro="$here:/src" "$@"
}
log=$cache/$release.install-deps.log
run_in bash /src/scripts/install-deps.sh --tests >"$log" 2>&1 || { tail -n 30 "$log" >&2; exit 1; }
echo "$root"
