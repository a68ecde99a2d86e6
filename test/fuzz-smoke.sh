#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A short smoke run of each fuzz target (ctest -L fuzz), SECONDS each (default 20), where
# clang can link libFuzzer; elsewhere skipped (exit 77). The long runs (10 min and more each)
# are done by hand: nice -n 19 scripts/fuzz.sh all 600
set -euo pipefail
cd "$(dirname "$0")/.."
echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
        clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null || exit 77
exec bash scripts/fuzz.sh all "${1:-20}"
