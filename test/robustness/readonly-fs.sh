#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The generator writes only below its output directory. It runs in a private
# mount namespace (unshare -m) where every mount except /proc, /sys, /dev is
# remounted read-only (one by one: a remount,bind,ro is not recursive) and the
# output dir is a fresh tmpfs, over a unit tree with confined and failing units,
# under strace. Checks, from the trace of the whole run: every path opened for
# writing (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, creat) and every path created,
# renamed, removed, linked, chmod'ed, chown'ed, truncated or re-timed lies under
# the output dir; no call failed with EROFS (a write it tried elsewhere); and the
# run itself: exit 0, the expected drop-ins written, one error per failing unit.
#
# usage: readonly-fs.sh GENERATOR      (root; needs unshare, strace, python3, cc)
set -euo pipefail

gen=$(readlink -f "$1")
work=$(mktemp -d /tmp/readonly-fs.XXXXXX)
trap 'umount -R "$work/out" "$work/log" 2>/dev/null || true; rm -rf "$work"' EXIT
units=$work/units
mkdir -p "$units/multi-user.target.wants" "$units/user-dropin.service.d" "$work/out" "$work/log" "$work/files"

# The unit tree: confined units of each kind and failing ones.
printf '[Service]\nExecStart=/bin/true /etc/hostname\n[X-Confinement]\n' > "$units/plain.service"
printf '#!/bin/sh\necho hi\n' > "$work/files/script"
chmod 755 "$work/files/script"
printf '[Service]\nExecStart=%s\n[X-Confinement]\nPackages=/etc/default\nFullUnit=yes\n' "$work/files/script" \
        > "$units/script.service"
printf '[Service]\nExecStart=/bin/true\n' > "$units/user-dropin.service"
printf '[X-Confinement]\nMode=chroot-only\n' > "$units/user-dropin.service.d/50-confine.conf"
printf '[Service]\nExecStart=%s/files/%%i\n[X-Confinement]\n' "$work" > "$units/tmpl@.service"
ln -s ../tmpl@.service "$units/multi-user.target.wants/tmpl@script.service"
printf '[Service]\nExecStart=/nonexistent/program\n[X-Confinement]\n' > "$units/missing.service"
printf '[Service]\nExecStart=/bin/true\n[X-Confinement]\nMode=sandbox\n' > "$units/bad-mode.service"
printf '[Service]\nExecStart=/bin/true\n[X-Confinement]\nEnable=no\n' > "$units/disabled.service"
printf '[Service]\nExecStart=/bin/true\n' > "$units/not-opted.service"
printf '#!%s/files/loop\n' "$work" > "$work/files/loop"
chmod 755 "$work/files/loop"
printf '[Service]\nExecStart=%s/files/loop\n[X-Confinement]\n' "$work" > "$units/loop.service"

# Inside the namespace: everything read-only but the output dir and the trace's
# tmpfs; the generator under strace; then the checks on the trace and the output.
unshare -m --propagation private env WORK="$work" GEN="$gen" bash -euo pipefail -c '
mount -t tmpfs -o mode=0755 tmpfs "$WORK/out"
mount -t tmpfs -o mode=0755 tmpfs "$WORK/log"
n=0
while read -r mp; do
        mp=$(printf "%b" "$mp") # mountinfo escapes blanks as \040
        case $mp in
        /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|"$WORK/out"|"$WORK/log") continue ;;
        esac
        mount -o remount,bind,ro "$mp" 2>/dev/null && n=$((n + 1)) || echo "note: $mp stays as it is" >&2
done < <(awk "{print \$5}" /proc/self/mountinfo)
touch /readonly-fs-probe 2>/dev/null && { echo "FAIL: / is still writable"; exit 1; }
echo "$n mounts read-only"
cd /
rc=0
# LeakSanitizer cannot run under ptrace: an ASan build is checked for leaks by ctest.
ASAN_OPTIONS=detect_leaks=0 SYSTEMD_UNIT_PATH="$WORK/units" SYSTEMD_LOG_LEVEL=err SYSTEMD_LOG_TARGET=console \
        timeout 120 strace -f -qq -y -s 4096 -o "$WORK/log/trace" \
        -e trace=%file,creat,ftruncate,fchmod,fchown \
        "$GEN" "$WORK/out" 2> "$WORK/log/stderr" || rc=$?
WORK=$WORK RC=$rc python3 - <<"EOF"
import os, re, sys

work, out = os.environ["WORK"], os.environ["WORK"] + "/out"
problems = []
if os.environ["RC"] != "0":
    problems.append("generator exit status " + os.environ["RC"])

MUTATING = {"mkdir", "mkdirat", "rename", "renameat", "renameat2", "unlink", "unlinkat", "rmdir",
            "link", "linkat", "symlink", "symlinkat", "chmod", "fchmodat", "chown", "lchown",
            "fchownat", "truncate", "mknod", "mknodat", "utime", "utimes", "utimensat", "futimesat",
            "setxattr", "lsetxattr", "removexattr", "lremovexattr", "creat"}
OPENS = {"open", "openat", "openat2"}
line_re = re.compile(r"^(\d+)\s+(\w+)\((.*)\)\s+=\s+(.*)$")
path_re = re.compile(r"(?:(AT_FDCWD|-?\d+)(?:<([^>]*)>)?,\s*)?\"((?:[^\"\\\\]|\\\\.)*)\"")
writes = checked = 0
for line in open(work + "/log/trace"):
    m = line_re.match(line.rstrip("\n"))
    if not m:
        continue
    call, args, ret = m.group(2), m.group(3), m.group(4)
    if "EROFS" in ret:
        problems.append("tried to write on a read-only mount: " + line.strip())
    if call in OPENS:
        mutating = re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", args)
    else:
        mutating = call in MUTATING
    if not mutating:
        continue
    checked += 1
    paths = []
    for i, p in enumerate(path_re.finditer(args)):
        if call.startswith("symlink") and i == 0:
            continue  # the link target is text, not a path written
        name = p.group(3)
        base = p.group(2) if p.group(2) is not None else "/"
        paths.append(os.path.normpath(name if name.startswith("/") else os.path.join(base, name)))
    # fd-only calls (ftruncate, fchmod, fchown) carry the path in the fd decoration
    if not paths:
        paths = [os.path.normpath(d) for d in re.findall(r"^-?\d+<([^>]*)>", args)]
    for p in paths:
        if p != out and not p.startswith(out + "/"):
            problems.append("write outside the output dir: " + line.strip())
        else:
            writes += 1

# What the run produced.
def confs(unit):
    d = os.path.join(out, unit + ".d")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []

for unit in ("plain.service", "script.service", "user-dropin.service", "tmpl@script.service"):
    names = confs(unit)
    if not any(n.endswith(".conf") and "blocked" not in n for n in names) or any("blocked" in n for n in names):
        problems.append(f"{unit}: not confined: {names}")
for unit in ("missing.service", "bad-mode.service", "loop.service"):
    if not any("-blocked-" in n for n in confs(unit)):
        problems.append(f"{unit}: not blocked: {confs(unit)}")
for unit in ("disabled.service", "not-opted.service"):
    if confs(unit):
        problems.append(f"{unit}: has drop-ins: {confs(unit)}")
errors = [l for l in open(work + "/log/stderr").read().splitlines() if l.strip()]
if len(errors) != 3:
    problems.append("want 3 error lines, have:\n  " + "\n  ".join(errors))

print(f"{checked} writing calls traced, {writes} paths written, all checked against {out}")
for p in problems:
    print("FAIL: " + p)
print("readonly-fs: " + ("FAILED" if problems else "passed"))
sys.exit(1 if problems else 0)
EOF
'
