#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark (not a test). Prints, in one run:
#  (a) the generator's wall time over this machine's own unit tree (systemd's real search
#      path; no unit opted in), beside systemd-sysv-generator on the same machine, and the
#      ratio (goal: <= 1.0x);
#  (b) the closure of every ELF program in /usr/bin, /usr/sbin and /usr/lib/systemd: the
#      generator over one unit per program (ExecStart=PROGRAM, [X-Confinement] BinSh=), in
#      ms per confined unit and system calls per unit (strace -c -f), beside libtree over
#      the same programs (one process, all of them as arguments, -p -vv so that it resolves
#      the whole tree as the generator does) and ldd (one ld.so --list per program), and
#      the ratios (goals: at least as fast as libtree, 3x; 100x faster than ldd);
#  (c) the boot cost: the stock unit tree plus 0, 10, 100 and 1000 of those confined
#      units, the generator beside systemd-sysv-generator on the same tree.
# Times are medians of RUNS runs (default 20 for (a), 50 for (b); in (b) the generator and
# libtree take turns, 5 rounds of 10 each, so that the machine's drift falls on both, and the
# ratio of each round is printed too, to show the spread), with hyperfine when
# apt can install it, else a loop timed with date +%s%N. Installs what it needs (root).
# Output dirs and units live under BENCH_TMPDIR (default /dev/shm): at boot the generator
# writes to tmpfs (/run), so a disk file system there would time the disk, not the work.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

runs_a=${RUNS:-20}
runs_b=${RUNS_CLOSURE:-50}
rounds=${ROUNDS_CLOSURE:-5}
runs_ldd=${RUNS_LDD:-1}
build=${BUILD_DIR:-build}
sysv=/lib/systemd/system-generators/systemd-sysv-generator

install_if_missing() {
        local missing=()
        for p in "$@"; do
                dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
        done
        [[ ${#missing[@]} -eq 0 ]] && return 0
        apt-get update -qq || true
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

bash scripts/install-deps.sh
install_if_missing libtree
install_if_missing hyperfine || echo "hyperfine not installable: timing with a date +%s%N loop" >&2
BUILD_DIR=$build bash scripts/build.sh >/dev/null
gen=$PWD/$build/systemd-confinement-generator
[[ -x $sysv ]] || { echo "no $sysv on this machine" >&2; exit 1; }

tmp=$(mktemp -d "${BENCH_TMPDIR:-/dev/shm}/confinement-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A command that empties the output dirs: a file, so hyperfine can run it without a shell.
# The kernel frees a removed tree's inodes and dentries a little later (RCU callbacks in
# softirq): the pause keeps the removal of the last run's thousands of files out of the
# next timed run, which at boot finds its output dirs new and empty.
cat > "$tmp/prepare.sh" <<PREPARE
rm -rf "$tmp/out" && mkdir -p "$tmp/out/normal" "$tmp/out/early" "$tmp/out/late" && sleep 0.05
PREPARE

# median_ms RUNS COMMAND...: median wall time of COMMAND in milliseconds, output dirs
# emptied before each run.
median_ms() {
        local runs=$1
        shift
        if command -v hyperfine >/dev/null; then
                hyperfine -N --style none --warmup 2 --runs "$runs" --prepare "bash $tmp/prepare.sh" \
                        --export-json "$tmp/h.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
                python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' \
                        "$tmp/h.json"
        else
                local times=() t0 t1
                for ((i = 0; i < runs + 2; i++)); do
                        bash "$tmp/prepare.sh"
                        t0=$(date +%s%N)
                        "$@" >/dev/null 2>&1 || true
                        t1=$(date +%s%N)
                        ((i >= 2)) && times+=($(((t1 - t0) / 1000)))
                done
                printf '%s\n' "${times[@]}" | sort -n |
                        awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f\n", m / 1000 }'
        fi
}

# times_into FILE RUNS COMMAND...: runs COMMAND RUNS times as median_ms does, and appends
# each wall time in milliseconds to FILE, one per line. A failing run counts (libtree exits
# non-zero for the programs it cannot resolve).
times_into() {
        local file=$1 runs=$2
        shift 2
        if command -v hyperfine >/dev/null; then
                hyperfine -N -i --style none --warmup 1 --runs "$runs" --prepare "bash $tmp/prepare.sh" \
                        --export-json "$tmp/h.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
                python3 -c 'import json,sys; print("\n".join("%.3f" % (t * 1000) for t in json.load(open(sys.argv[1]))["results"][0]["times"]))' \
                        "$tmp/h.json" >> "$file"
        else
                local t0 t1
                for ((i = 0; i < runs; i++)); do
                        bash "$tmp/prepare.sh"
                        t0=$(date +%s%N)
                        "$@" >/dev/null 2>&1 || true
                        t1=$(date +%s%N)
                        echo "$(((t1 - t0) / 1000))" | awk '{ printf "%.3f\n", $1 / 1000 }' >> "$file"
                done
        fi
}

median_of() {
        python3 -c 'import statistics,sys; print("%.2f" % statistics.median(float(l) for l in open(sys.argv[1]) if l.strip()))' "$1"
}

# cpu_of_last: "user U ms, system S ms" (means) of the last median_ms run, when hyperfine timed it.
cpu_of_last() {
        if command -v hyperfine >/dev/null && [[ -f $tmp/h.json ]]; then
                python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("user %.1f ms, system %.1f ms" % (r["user"]*1000, r["system"]*1000))' \
                        "$tmp/h.json"
        else
                echo "user/system not measured"
        fi
}

ratio() {
        python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"
}

echo "Machine: $(nproc) CPUs (the generator's closure work: one worker process per CPU, at most one per 64 confined units), $(. /etc/os-release && echo "$PRETTY_NAME"), $(systemctl --version | head -1)"
echo "Timer: $(command -v hyperfine >/dev/null && hyperfine --version || echo 'date +%s%N loop')"
echo "Output dirs: $tmp ($(stat -f -c %T "$tmp"))"
echo

# (a) ------------------------------------------------------------------------------------
services=$(systemd-analyze unit-paths 2>/dev/null | while read -r d; do
                   if [[ -d $d ]]; then find "$d" -maxdepth 1 -name '*.service' 2>/dev/null || true; fi
           done | wc -l)
bash "$tmp/prepare.sh"
(unset SYSTEMD_UNIT_PATH; SYSTEMD_LOG_LEVEL=err "$gen" "$tmp/out/normal" "$tmp/out/early" "$tmp/out/late")
confined=$(find "$tmp/out" -name '*.conf' | wc -l)
initd=$(find /etc/init.d -maxdepth 1 -type f 2>/dev/null | wc -l)

ours_a=$(median_ms "$runs_a" env -u SYSTEMD_UNIT_PATH SYSTEMD_LOG_LEVEL=err "$gen" \
                 "$tmp/out/normal" "$tmp/out/early" "$tmp/out/late")
sysv_a=$(median_ms "$runs_a" env SYSTEMD_LOG_LEVEL=err "$sysv" \
                 "$tmp/out/normal" "$tmp/out/early" "$tmp/out/late")
echo "(a) stock unit tree: $services .service files in the search path, $confined drop-ins written (units opted in), $initd scripts in /etc/init.d"
printf '    %-36s %10s ms (median of %d)\n' "systemd-confinement-generator" "$ours_a" "$runs_a"
printf '    %-36s %10s ms (median of %d)\n' "systemd-sysv-generator" "$sysv_a" "$runs_a"
echo "    ratio (ours / sysv): $(ratio "$ours_a" "$sysv_a")x (goal <= 1.0x)"
echo

# (b) ------------------------------------------------------------------------------------
mkdir -p "$tmp/units"
python3 - "$tmp/units" "$tmp/programs" <<'PY'
import os, re, stat, sys
units, listing = sys.argv[1], sys.argv[2]
programs = []
for d in ("/usr/bin", "/usr/sbin", "/usr/lib/systemd"):
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        try:
            st = os.stat(p)
            if not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o111:
                continue
            with open(p, "rb") as f:
                if f.read(4) != b"\x7fELF":
                    continue
        except OSError:
            continue
        programs.append(p)
for i, p in enumerate(programs):
    word = p.replace("%", "%%")
    if re.search(r"[\s\"'\\;$]", word):
        word = '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    with open(os.path.join(units, "bench-%05d.service" % i), "w") as f:
        f.write("[Service]\nExecStart=%s\n\n[X-Confinement]\nBinSh=\n" % word)
with open(listing, "w") as f:
    f.write("\n".join(programs) + "\n")
PY
programs=$(wc -l < "$tmp/programs")
cat > "$tmp/libtree-all.sh" <<LIBTREE
xargs -a "$tmp/programs" -d '\n' libtree -p -vv -- >/dev/null 2>&1 || true
LIBTREE
cat > "$tmp/ldd-all.sh" <<LDD
xargs -a "$tmp/programs" -d '\n' -n 1 ldd >/dev/null 2>&1 || true
LDD

bash "$tmp/prepare.sh"
SYSTEMD_UNIT_PATH="$tmp/units" SYSTEMD_LOG_LEVEL=err "$gen" "$tmp/out/normal" "$tmp/out/early" "$tmp/out/late" || true
written=$(find "$tmp/out/normal" -name '*.conf' | wc -l)
blocked=$(find "$tmp/out/normal" -name '*-blocked-*.conf' | wc -l)
binds=$(cat "$tmp"/out/normal/*.service.d/*.conf | grep -c '^BindReadOnlyPaths=' || true)

# System calls of one run, the generator alone (strace -c -f counts its children too).
bash "$tmp/prepare.sh"
SYSTEMD_UNIT_PATH="$tmp/units" SYSTEMD_LOG_LEVEL=err strace -f -c -o "$tmp/strace.txt" \
        "$gen" "$tmp/out/normal" "$tmp/out/early" "$tmp/out/late" || true
syscalls=$(awk '/^------/ { s++; next } s == 1 { c += $4 } END { print c + 0 }' "$tmp/strace.txt")
# The same count for libtree over the same programs (with its xargs and shell, a few dozen).
strace -f -c -o "$tmp/strace-libtree.txt" bash "$tmp/libtree-all.sh"
syscalls_libtree=$(awk '/^------/ { s++; next } s == 1 && $NF != "wait4" { c += $4 } END { print c + 0 }' "$tmp/strace-libtree.txt")

# The generator and libtree in alternating rounds: this VM's speed drifts by several per cent
# over a minute, and timing one after the other put the drift into the ratio.
per_round=$(((runs_b + rounds - 1) / rounds))
rm -f "$tmp/t-ours" "$tmp/t-libtree"
for ((k = 0; k < rounds; k++)); do
        # The environment set for hyperfine itself, as systemd sets it: no env(1) exec in the time.
        (export SYSTEMD_UNIT_PATH="$tmp/units" SYSTEMD_LOG_LEVEL=err
         times_into "$tmp/t-ours" "$per_round" "$gen" "$tmp/out/normal" "$tmp/out/early" "$tmp/out/late")
        ours_b_cpu=$(cpu_of_last)
        times_into "$tmp/t-libtree" "$per_round" xargs -a "$tmp/programs" -d '\n' libtree -p -vv --
        libtree_b_cpu=$(cpu_of_last)
done
# libtree's median over ours, round by round: how far the machine's drift moves the ratio.
round_ratios=$(python3 - "$tmp/t-ours" "$tmp/t-libtree" "$per_round" <<'PY'
import statistics, sys
ours, libtree = ([float(l) for l in open(f) if l.strip()] for f in sys.argv[1:3])
n = int(sys.argv[3])
print(" ".join("%.2f" % (statistics.median(libtree[i:i + n]) / statistics.median(ours[i:i + n]))
               for i in range(0, min(len(ours), len(libtree)), n)))
PY
)
runs_b=$(wc -l < "$tmp/t-ours")
ours_b=$(median_of "$tmp/t-ours")
libtree_b=$(median_of "$tmp/t-libtree")
# The same pinned to one CPU: one process, no workers (lib/basic/workers.h).
ours_b1=$(median_ms "$runs_b" env SYSTEMD_UNIT_PATH="$tmp/units" SYSTEMD_LOG_LEVEL=err taskset -c 0 "$gen" \
                 "$tmp/out/normal" "$tmp/out/early" "$tmp/out/late")
ours_b1_cpu=$(cpu_of_last)
ldd_b=$(median_ms "$runs_ldd" bash "$tmp/ldd-all.sh")
per_unit() {
        python3 -c 'import sys; print("%.3f" % (float(sys.argv[1]) / int(sys.argv[2])))' "$1" "$2"
}
echo "(b) closure of every ELF program in /usr/bin, /usr/sbin, /usr/lib/systemd: $programs programs, $written drop-ins ($blocked blocking), $binds BindReadOnlyPaths= lines"
printf '    %-36s %10s ms (median of %d, in %d rounds alternating with libtree), %s ms per confined unit\n' "systemd-confinement-generator" "$ours_b" "$runs_b" "$rounds" "$(per_unit "$ours_b" "$programs")"
printf '    %-36s %10s system calls, %s per unit (strace -c -f)\n' "" "$syscalls" "$(per_unit "$syscalls" "$programs")"
printf '    %-36s %10s\n' "" "$ours_b_cpu"
printf '    %-36s %10s ms (median of %d), %s ms per confined unit\n' "  the same on one CPU (taskset -c 0)" "$ours_b1" "$runs_b" "$(per_unit "$ours_b1" "$programs")"
printf '    %-36s %10s\n' "" "$ours_b1_cpu"
printf '    %-36s %10s ms (median of %d, in the same rounds)\n' "libtree -p -vv (all programs)" "$libtree_b" "$runs_b"
printf '    %-36s %10s\n' "" "$libtree_b_cpu"
printf '    %-36s %10s system calls, %s per program (strace -c -f)\n' "" "$syscalls_libtree" "$(per_unit "$syscalls_libtree" "$programs")"
printf '    %-36s %10s ms (median of %d)\n' "ldd (each program)" "$ldd_b" "$runs_ldd"
echo "    speed-up over libtree (libtree time / ours): $(ratio "$libtree_b" "$ours_b")x (goal >= 1x, 3x); by round: $round_ratios"
echo "    speed-up over ldd (ldd time / ours): $(ratio "$ldd_b" "$ours_b")x (goal >= 100x)"
echo

# (c) ------------------------------------------------------------------------------------
# The stock tree (SYSTEMD_UNIT_PATH ending in ':' appends systemd's own search path) plus N
# of the confined units above: what the generator adds to a boot, beside the generator
# every boot runs anyway.
echo "(c) boot cost: the stock unit tree plus N confined units, both generators on the same tree"
find "$tmp/units" -name 'bench-*.service' | sort > "$tmp/unit-list"
for n in 0 10 100 1000; do
        rm -rf "$tmp/units-$n" && mkdir -p "$tmp/units-$n"
        head -n "$n" "$tmp/unit-list" | xargs -r cp -t "$tmp/units-$n"
        ours_c=$(median_ms "$runs_a" env SYSTEMD_UNIT_PATH="$tmp/units-$n:" SYSTEMD_LOG_LEVEL=err "$gen" \
                         "$tmp/out/normal" "$tmp/out/early" "$tmp/out/late")
        sysv_c=$(median_ms "$runs_a" env SYSTEMD_UNIT_PATH="$tmp/units-$n:" SYSTEMD_LOG_LEVEL=err "$sysv" \
                         "$tmp/out/normal" "$tmp/out/early" "$tmp/out/late")
        printf '    %4d confined: %-30s %8s ms, systemd-sysv-generator %8s ms, ratio %sx\n' "$n" \
                "systemd-confinement-generator" "$ours_c" "$sysv_c" "$(ratio "$ours_c" "$sysv_c")"
done
