#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The man pages render with man-db and groff without a single warning.
set -euo pipefail
cd "$(dirname "$0")/.."
rc=0
for page in man/systemd.confinement.5 man/systemd-confinement-generator.8 man/systemd-confinement-learn.1; do
        err=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || { echo "man-check: $page: man failed" >&2; rc=1; }
        if [[ -n $err ]]; then
                echo "man-check: $page:" >&2
                echo "$err" >&2
                rc=1
        fi
        [[ $(MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l) -gt 20 ]] || { echo "man-check: $page renders empty" >&2; rc=1; }
done
[[ $rc == 0 ]] && echo "man-check: all pages render without warnings"
exit $rc
