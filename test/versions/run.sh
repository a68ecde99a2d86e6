#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The supported range beyond this machine: for each RELEASE (default: trixie,
# Debian 13 with systemd 257 and glibc 2.41; sid, i.e. testing, with 262 and
# 2.43) a debootstrap root (test/versions/root.sh, cached), the project built
# inside it with its own compiler and libraries, the Check suite and the ldd
# parity run there, then the root booted with its own systemd as PID 1 for the
# end-to-end, profiles, fail-closed, hostile, settings, lookup, templates,
# harden and daemon suites (boot.sh with
# CONFINEMENT_ROOT). Prints how long each stage took.
#
# usage: run.sh [RELEASE...]
set -euo pipefail
cd "$(dirname "$0")/../.."
here=$PWD
releases=("$@")
[[ ${#releases[@]} -gt 0 ]] || releases=(trixie sid)

times=() failed=()
stage() {  # NAME COMMAND...: runs it, records its duration and whether it failed
        local name=$1 start=$SECONDS rc=0; shift
        echo "== $name" >&2
        "$@" || rc=$?
        [[ $rc == 0 ]] || failed+=("$name")
        times+=("$(printf '%-24s %4ds%s' "$name" $((SECONDS - start)) "$([[ $rc == 0 ]] || echo " FAILED ($rc)")")")
}

for release in "${releases[@]}"; do
        start=$SECONDS
        root=$(bash test/versions/root.sh "$release")
        times+=("$(printf '%-24s %4ds' "$release: root" $((SECONDS - start)))")
        build=$here/build-$release
        mkdir -p "$build"
        inside() {
                systemd-nspawn -q --register=no --keep-unit -D "$root" \
                        --bind-ro="$here:/src" --bind="$build:/build" --chdir=/build "$@"
        }
        # never the suites on a binary an earlier run left: a failed build ends this release
        rm -f "$build/systemd-confinement-generator"
        stage "$release: build" inside env BUILD_DIR=/build bash /src/scripts/build.sh
        [[ -x $build/systemd-confinement-generator ]] || continue
        stage "$release: Check suite" inside ctest --output-on-failure -L unit
        stage "$release: ldd parity" inside python3 /src/test/ldd-parity-dropin.py /build/systemd-confinement-generator
        export CONFINEMENT_ROOT=$root
        gen=$build/systemd-confinement-generator
        stage "$release: e2e" python3 test/e2e/e2e.py "$gen"
        stage "$release: profiles" python3 test/e2e/profiles_e2e.py "$gen"
        stage "$release: fail-closed" python3 test/e2e/failclosed_e2e.py "$gen"
        stage "$release: hostile" python3 test/e2e/hostile_e2e.py "$gen"
        stage "$release: lookup" python3 test/e2e/lookup_e2e.py "$gen"
        stage "$release: templates" python3 test/e2e/templates_e2e.py "$gen"
        stage "$release: harden" python3 test/e2e/harden_e2e.py "$gen"
        stage "$release: settings" python3 test/e2e/settings_e2e.py "$gen"
        stage "$release: daemons" python3 test/daemons/daemons.py "$gen"
        unset CONFINEMENT_ROOT
done
printf 'versions: %s\n' "${times[@]}"
[[ ${#failed[@]} == 0 ]] || { echo "versions: failed: ${failed[*]}" >&2; exit 1; }
