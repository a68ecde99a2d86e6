#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The .deb that "cpack -G DEB" makes: its paths and Depends, then installed on
# this machine with dpkg -i: the installed generator confines a test unit when
# run by hand, its man pages are found, and a container booted with nothing
# but the host's /usr (so the generator systemd runs is the packaged one in
# /usr/lib/systemd/system-generators, reached as /lib/... on merged /usr)
# starts a confined unit in its root. dpkg -r at the end, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
work=$(mktemp -d /tmp/confinement-deb.XXXXXX)
gendir=$(pkg-config --variable=systemdsystemgeneratordir systemd)
gen=$gendir/systemd-confinement-generator
pkg=systemd-confinement-generator
installed=0
fail() { echo "deb-check: FAIL: $*" >&2; exit 1; }
cleanup() {
        [[ $installed == 1 ]] && dpkg -r "$pkg" >/dev/null
        rm -rf "$work"
}
trap cleanup EXIT

if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        fail "$pkg is installed on this machine already; not touching it"
fi

cmake -S "$src" -B "$work/build" -DCMAKE_INSTALL_PREFIX=/usr -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j2 >/dev/null
(cd "$work/build" && cpack -G DEB >/dev/null)
deb=$(ls "$work"/build/*.deb)
echo "deb-check: built $(basename "$deb")"

listing=$(dpkg-deb -c "$deb")
contents=$(awk '{print $6}' <<<"$listing")
for path in ".$gen" ./usr/share/man/man5/systemd.confinement.5 ./usr/share/man/man8/systemd-confinement-generator.8 \
            ./usr/share/doc/$pkg/copyright ./usr/bin/systemd-confinement-learn \
            ./usr/share/man/man1/systemd-confinement-learn.1; do
        grep -qx -- "$path" <<<"$contents" || fail "$path not in the package: $contents"
done
grep -q -- "^-rwxr-xr-x root/root .* \.$gen\$" <<<"$listing" || fail "generator not 0755 root:root"
grep -E '^\./(home|tmp|etc|usr/lib/systemd/system-generators)/' <<<"$contents" && fail "unexpected paths"
grep -E '^\./usr/bin/.' <<<"$contents" | grep -vx './usr/bin/systemd-confinement-learn' && fail "unexpected programs"
depends=$(dpkg-deb -f "$deb" Depends)
for d in libc6 libmount1 libsystemd0 systemd; do
        grep -qw "$d" <<<"$depends" || fail "Depends: $depends lacks $d"
done
# Not piped into grep -q: under pipefail its early exit can SIGPIPE dpkg-deb.
fields=$(dpkg-deb -f "$deb" Maintainer Description)
[[ -n $fields ]] || fail "no Maintainer/Description"
dpkg-deb --ctrl-tarfile "$deb" >/dev/null
echo "deb-check: paths and Depends ($depends) are right"

dpkg -i "$deb" >/dev/null
installed=1
[[ -x $gen ]] || fail "$gen not installed"
[[ -z $(MANWIDTH=80 man --warnings systemd.confinement 2>&1 >/dev/null) ]] || fail "man systemd.confinement warns"
man -w systemd-confinement-generator >/dev/null || fail "man page 8 not found"

# The installed binary, by hand, on a unit of its own.
mkdir -p "$work/units" "$work/out"
cat > "$work/units/deb-case.service" <<'UNIT'
[Unit]
AssertPathExists=/run/systemd/generator/systemd-confinement/%n
[Service]
Type=oneshot
ExecStart=/usr/bin/ls -1 /
StandardOutput=file:/results/ls.out
[X-Confinement]
Profiles=timezone
UNIT
SYSTEMD_UNIT_PATH="$work/units:" "$gen" "$work/out"
grep -q '^RootDirectory=' "$work/out/deb-case.service.d/"*.conf || fail "no drop-in written by $gen"
grep -q '^BindReadOnlyPaths=.*:/usr/bin/ls$\|^BindReadOnlyPaths=/usr/bin/ls$' "$work/out/deb-case.service.d/"*.conf ||
        fail "drop-in does not bind /usr/bin/ls"
echo "deb-check: $gen writes the drop-in"

# A boot whose only generator of ours is the packaged one.
cat > "$work/units/e2e.target" <<'UNIT'
[Unit]
Wants=deb-driver.service
UNIT
cat > "$work/units/deb-driver.service" <<'UNIT'
[Unit]
After=basic.target
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'cp -r /run/systemd/generator /results/generator; systemctl start deb-case.service; echo $? > /results/rc'
UNIT
bash test/e2e/boot.sh --timeout 180 "$work/units" "$work/results" || fail "boot failed: $(tail -20 "$work/results/console.log")"
[[ $(cat "$work/results/rc" 2>/dev/null) == 0 ]] || fail "deb-case.service did not start: $(cat "$work/results/rc" 2>/dev/null)"
ls "$work/results/generator/deb-case.service.d/" | grep -q confinement || fail "no drop-in at boot"
grep -qx usr "$work/results/ls.out" || fail "ls / inside: $(cat "$work/results/ls.out")"
grep -qx home "$work/results/ls.out" && fail "the host's /home is visible inside: $(cat "$work/results/ls.out")"
echo "deb-check: booted; the packaged generator confined deb-case.service (/ holds: $(tr '\n' ' ' <"$work/results/ls.out"))"

dpkg -r "$pkg" >/dev/null
installed=0
[[ -e $gen ]] && fail "$gen left behind by dpkg -r"
echo "deb-check: removed cleanly; all good"
