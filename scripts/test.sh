#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# All tests: installs what is needed, builds, runs the Check unit tests and the
# end-to-end suite under real systemd (booted in a container).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
(cd build && ctest --output-on-failure)
python3 test/ldd-parity-dropin.py build/systemd-confinement-generator
python3 test/robustness/kill-test.py build/systemd-confinement-generator 40
python3 test/e2e/e2e.py build/systemd-confinement-generator
python3 test/e2e/profiles_e2e.py build/systemd-confinement-generator
bash test/man-check.sh
bash test/deb-check.sh
