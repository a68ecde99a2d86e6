#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# All tests: installs what is needed, builds, and runs every suite through ctest (labels in
# test/suites.cmake: unit, parity, robustness, e2e, differential, daemons, learn, man, deb,
# versions, fuzz); then the ASan pass. One kind alone: (cd build && ctest -L e2e).
# Extra arguments go to the main ctest run (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --tests
bash scripts/build.sh
(cd build && ctest --output-on-failure "$@")
# Hostile input. The Check suite again under ASan+UBSan: the tests' own helpers
# (tu_mkdtemp, tu_write, returned error strings) leak by design, so leaks are not
# checked there but on the generator's own runs, in the matrix's ASan pass.
BUILD_DIR=build-asan bash scripts/build.sh -DSANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure -L unit)
(cd build-asan && ctest --output-on-failure -R '^robustness-(failclosed-matrix|workers)$')
