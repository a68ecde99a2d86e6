#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Configures and builds into BUILD_DIR (default: build) with warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWERROR=ON "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
