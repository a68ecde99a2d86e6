#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scan rate of the store scanner (lib/closure/store.c) beside `cat` of the same bytes.
# Assembles a private Nix store (NIX_STORE_DIR, offline, nix-store --add) of
# STORE_BENCH_MB (default 256) MB of the files under STORE_BENCH_MAX_FILE
# (default 4M, a find -size) in /usr/lib/x86_64-linux-gnu, mostly libraries,
# in ~5 MB store paths, each naming the two before it in a "deps" file, so the
# closure of the last is all of them; then times, best of 3, page cache warm:
#   cat:  every regular file of the closure to /dev/null (run once first to warm)
#   scan: a fresh scanner's store_closure() of the last path (listing, walk,
#         reads, scan, as at boot), via bench/store-bench.c
# Then the scanning core alone on in-memory buffers, its worst case included.
# Cold-cache figures need /proc/sys/vm/drop_caches; they are added when it is
# writable. Needs nix-bin and a C compiler.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
size_mb=${STORE_BENCH_MB:-256}
max_file=${STORE_BENCH_MAX_FILE:-4M}
work=$(mktemp -d "${TMPDIR:-/tmp}/store-bench.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export NIX_STORE_DIR=$work/store NIX_STATE_DIR=$work/state NIX_LOG_DIR=$work/log NIX_CONF_DIR=$work/etc
mkdir -p "$work/etc" "$work/pkg"

cc -O2 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Werror -I"$src/lib/basic" -I"$src/lib/closure" \
        -o "$work/store-bench" "$src/bench/store-bench.c" "$src/lib/closure/store.c" "$src/lib/basic/strv.c" \
        "$src/lib/basic/log.c" "$src/lib/basic/path-util.c"

# Store paths of ~5 MB of libraries each, chained by their "deps" files.
echo "assembling a ${size_mb} MB store in $work ..." >&2
mapfile -t libs < <(find /usr/lib/x86_64-linux-gnu -type f -size "-$max_file" | LC_ALL=C sort)
total=0 n=0 prev1="" prev2="" cur=0
pkg=$work/pkg/p0
mkdir -p "$pkg/lib"
for f in "${libs[@]}"; do
        sz=$(stat -c %s "$f")
        cp "$f" "$pkg/lib/"
        total=$((total + sz)) cur=$((cur + sz))
        if ((cur >= 5 * 1024 * 1024 || total >= size_mb * 1024 * 1024)); then
                printf '%s\n' $prev1 $prev2 > "$pkg/deps"
                path=$(nix-store --add "$pkg")
                prev2=$prev1 prev1=$path cur=0 n=$((n + 1))
                rm -rf "$pkg"
                ((total >= size_mb * 1024 * 1024)) && break
                pkg=$work/pkg/p$n
                mkdir -p "$pkg/lib"
        fi
done
root=$prev1

# The closure's files, for cat (our closure is checked to be every path).
find "$NIX_STORE_DIR" -mindepth 1 -maxdepth 1 -name '*-p[0-9]*' -print0 > "$work/paths"
bytes=$(find "$NIX_STORE_DIR"/*-p[0-9]* -type f -printf '%s\n' | awk '{s += $1} END {print s}')

now() { date +%s.%N; }
time_cat() {
        local best=999 t0 t
        for _ in 1 2 3; do
                t0=$(now)
                find "$NIX_STORE_DIR"/*-p[0-9]* -type f -print0 | xargs -0 cat > /dev/null
                t=$(echo "$(now) - $t0" | bc -l)
                best=$(echo "if ($t < $best) $t else $best" | bc -l)
        done
        echo "$best"
}

cold=""
if [[ -w /proc/sys/vm/drop_caches ]]; then
        sync; echo 3 > /proc/sys/vm/drop_caches
        t0=$(now); find "$NIX_STORE_DIR"/*-p[0-9]* -type f -print0 | xargs -0 cat > /dev/null
        cold_cat=$(echo "$(now) - $t0" | bc -l)
        sync; echo 3 > /proc/sys/vm/drop_caches
        read -r _ _ _ cold_scan < <("$work/store-bench" "$NIX_STORE_DIR" "$root" 1)
        cold="yes"
fi

find "$NIX_STORE_DIR"/*-p[0-9]* -type f -print0 | xargs -0 cat > /dev/null   # warm up
cat_s=$(time_cat)
read -r paths files scanned scan_s < <("$work/store-bench" "$NIX_STORE_DIR" "$root" 3)

mb() { echo "scale=1; $1 / 1000000" | bc -l; }
rate() { echo "scale=0; $1 / 1000000 / $2" | bc -l; }
echo "store:  $n store paths (closure: $paths), $files files, $(mb "$scanned") MB scanned of $(mb "$bytes") MB on disk"
[[ $paths == "$n" && $scanned == "$bytes" ]] || echo "WARNING: the closure is not the whole store" >&2
printf 'warm cache, best of 3\n'
printf '  cat:  %.3f s  %5s MB/s\n' "$cat_s" "$(rate "$bytes" "$cat_s")"
printf '  scan: %.3f s  %5s MB/s\n' "$scan_s" "$(rate "$scanned" "$scan_s")"
printf '  scan time / cat time: %.2fx\n' "$(echo "$scan_s / $cat_s" | bc -l)"
"$work/store-bench" --core "$NIX_STORE_DIR"
if [[ -n $cold ]]; then
        printf 'cold cache, one run\n'
        printf '  cat:  %.3f s  %5s MB/s\n' "$cold_cat" "$(rate "$bytes" "$cold_cat")"
        printf '  scan: %.3f s  %5s MB/s\n' "$cold_scan" "$(rate "$scanned" "$cold_scan")"
        printf '  scan time / cat time: %.2fx\n' "$(echo "$cold_scan / $cold_cat" | bc -l)"
else
        echo "cold cache: not measured (/proc/sys/vm/drop_caches is not writable here)"
fi
