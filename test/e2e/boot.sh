#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boots real systemd (PID 1) in a throw-away container that shares the host's /usr
# read-only, with the units under test in /etc/systemd/system and, optionally, the
# generator under test in /etc/systemd/system-generators. Services write what they
# see to /results; the boot ends when a unit powers the container off, or at the
# timeout, and its console log is kept in RESULTS/console.log.
#
# With CONFINEMENT_ROOT=DIR in the environment (test/versions/), the /usr booted is
# DIR's (its own systemd as PID 1, its glibc and packages), and --overlay copies
# DIR's /etc and /var instead of this machine's.
#
# usage: boot.sh [--generator PATH] [--overlay] [--timeout SECS] [--bind SRC:DST]...
#                UNITS_DIR RESULTS_DIR [KERNEL_ARGS...]
set -euo pipefail

generator= overlay=0 timeout=120 binds=()
while [[ $# -gt 0 ]]; do
        case $1 in
        --generator) generator=$(readlink -f "$2"); shift 2 ;;
        --overlay) overlay=1; shift ;;
        --timeout) timeout=$2; shift 2 ;;
        --bind) binds+=("--bind=$2"); shift 2 ;;
        --bind-ro) binds+=("--bind-ro=$2"); shift 2 ;;
        *) break ;;
        esac
done
units=$(readlink -f "$1") results=$(readlink -f "$2"); shift 2

root=$(mktemp -d /tmp/confinement-e2e-root.XXXXXX)
cleanup() {
        umount -R "$root/usr" 2>/dev/null || umount -l "$root/usr" 2>/dev/null || true
        rmdir "$root/usr" "$root" 2>/dev/null || true
}
trap cleanup EXIT
sut=${CONFINEMENT_ROOT:-/}
sut=${sut%/}
mkdir -p "$root/usr" "$results"
mount --bind "$sut/usr" "$root/usr"
mount -o remount,bind,ro "$root/usr"

args=(-q --directory="$root" --volatile=yes --register=no --keep-unit
      --bind-ro="$units:/etc/systemd/system" --bind="$results:/results")
[[ -n $generator ]] && args+=(--bind-ro="$generator:/etc/systemd/system-generators/systemd-confinement-generator")
[[ $overlay == 1 ]] && args+=(--overlay="$sut/etc::/etc" --overlay="$sut/var::/var" --private-network)
# systemd 258 and later run on the unified cgroup hierarchy only; this nspawn
# gives a container that unless told, on a host with the legacy layout.
shared=$(ls "$sut"/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-*.so "$sut"/usr/lib/systemd/libsystemd-shared-*.so 2>/dev/null | head -n1 || true)
version=$(basename "${shared:-0}" .so); version=${version##*-}
[[ $version =~ ^[0-9]+$ && $version -ge 258 ]] && export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
args+=("${binds[@]}")

rc=0
timeout --kill-after=10 "$timeout" systemd-nspawn "${args[@]}" -b \
        systemd.unit=e2e.target systemd.firstboot=off systemd.show_status=no "$@" \
        >"$results/console.log" 2>&1 || rc=$?
if [[ $rc == 124 || $rc == 137 ]]; then
        echo "boot.sh: container did not power off within ${timeout}s; console log:" >&2
        tail -n 60 "$results/console.log" >&2
fi
exit $rc
