#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The main job: installs what is needed, builds, and runs the generator on the
# example units in units/ (plus the system's own units, so that drop-ins for
# vendor units find them), then shows the drop-ins it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
out=$(mktemp -d /tmp/confinement-demo.XXXXXX)
SYSTEMD_UNIT_PATH="$PWD/units:" SYSTEMD_LOG_LEVEL=${SYSTEMD_LOG_LEVEL:-info} \
        build/systemd-confinement-generator "$out"
for f in "$out"/*.service.d/*.conf; do
        printf '\n===== %s\n' "${f#"$out"/}"
        cat "$f"
done
echo
echo "Drop-ins written to $out"
