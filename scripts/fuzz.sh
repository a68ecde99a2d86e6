#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs the libFuzzer targets of fuzz/ for a given time each, one after the other:
#
#   scripts/fuzz.sh TARGET|all SECONDS
#
# TARGET is a file name under fuzz/ without ".c" (fuzz-elf-file) or "all".
# Builds them first (CC=clang, -DFUZZ=ON) in $FUZZ_BUILD_DIR (default
# build-fuzz). Each target starts from a copy of fuzz/corpus/TARGET and
# fuzz/regressions/TARGET in $FUZZ_OUT_DIR (default $FUZZ_BUILD_DIR/runs), so the
# committed corpus is only changed with FUZZ_UPDATE_CORPUS=1, which merges what
# the run found into it (libFuzzer -merge=1 keeps only inputs adding coverage).
# Prints per target the executions, the coverage (cov: edges, ft: features, from
# libFuzzer's final status line), the crashes (a crash, leak, timeout or OOM
# stops the target; the input is kept in the run dir and named here) and the
# time. Exits 1 when any target crashed. Run it with `nice -n 19` on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ ]]; then
        echo "usage: $0 TARGET|all SECONDS" >&2
        exit 2
fi
build=${FUZZ_BUILD_DIR:-build-fuzz}
out=${FUZZ_OUT_DIR:-$build/runs}
rss=${FUZZ_RSS_LIMIT_MB:-2048}
seconds=$2

if [[ $1 == all ]]; then
        targets=()
        for f in fuzz/fuzz-*.c; do
                targets+=("$(basename "$f" .c)")
        done
else
        [[ -f fuzz/$1.c ]] || { echo "no such target: fuzz/$1.c" >&2; exit 2; }
        targets=("$1")
fi

CC=${CC:-clang} cmake -S . -B "$build" -DFUZZ=ON -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >/dev/null

failed=0
summary=()
for t in "${targets[@]}"; do
        run=$out/$t
        rm -rf "$run"
        mkdir -p "$run/corpus" "$run/artifacts"
        for d in "fuzz/corpus/$t" "fuzz/regressions/$t"; do
                [[ -d $d ]] && find "$d" -maxdepth 1 -type f -exec cp -t "$run/corpus" {} +
        done
        log=$run/fuzz.log
        start=$(date +%s)
        rc=0
        # -timeout: an input that takes 10 s is a hang; -max_len: big enough for
        # the seed ELF files, small enough to keep the rate up.
        "$build/$t" -max_total_time="$seconds" -rss_limit_mb="$rss" -timeout=10 -max_len=32768 \
                -print_final_stats=1 -artifact_prefix="$run/artifacts/" "$run/corpus" >"$log" 2>&1 || rc=$?
        elapsed=$(( $(date +%s) - start ))
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
        cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n1 || true)
        crashes=$(find "$run/artifacts" -type f | wc -l)
        if [[ $rc -ne 0 && $crashes -eq 0 ]]; then
                crashes=1 # died without an artifact (e.g. the fuzzer itself failed)
        fi
        line="$t: executions ${execs:-?}, ${cov:-cov: ? ft: ?}, crashes $crashes, ${elapsed}s"
        if [[ $crashes -gt 0 ]]; then
                failed=1
                line+=" (log $log; inputs: $(find "$run/artifacts" -type f | tr '\n' ' '))"
                grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer|LeakSanitizer)|runtime error:' "$log" >&2 || true
        fi
        echo "$line"
        summary+=("$line")
        if [[ ${FUZZ_UPDATE_CORPUS:-0} == 1 && $crashes -eq 0 ]]; then
                mkdir -p "fuzz/corpus/$t"
                "$build/$t" -merge=1 -max_len=32768 -rss_limit_mb="$rss" "fuzz/corpus/$t" "$run/corpus" >>"$log" 2>&1
        fi
done
if [[ ${#summary[@]} -gt 1 ]]; then
        echo "--- summary"
        printf '%s\n' "${summary[@]}"
fi
exit $failed
