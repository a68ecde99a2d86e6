#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The generator killed (SIGKILL) at many points of a run over thousands of units
leaves only whole .conf files, and never an opted-in unit without a drop-in once
any unit has its final one (every blocking drop-in is written before any closure
work, by the generator's blocking thread, in the order the units are found).
Usage: kill-test.py GENERATOR [KILLS]"""
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402

N_UNITS, N_OPTED = 3000, 2000
BLOCK_MARK = harness.BLOCK_MARK


def make_tree(d):
    for i in range(N_UNITS):
        opted = i < N_OPTED
        exe = "/usr/bin/true" if i % 7 else "/usr/bin/does-not-exist-%d" % i
        with open(f"{d}/u{i:05d}.service", "w") as f:
            f.write(f"[Service]\nExecStart={exe} /etc/hostname\n")
            if opted:
                f.write("[X-Confinement]\n")
    return [f"u{i:05d}.service" for i in range(N_OPTED)]


def check(out, opted):
    """Returns a list of problems in one killed run's output."""
    problems, finals, without = [], 0, []
    for unit in opted:
        confs = {n: text for n, text in harness.dropins(out, unit).items() if n.endswith(".conf")}
        if not confs:
            without.append(unit)
            continue
        for n, text in confs.items():
            whole = text.endswith("\n") and text.startswith("# Written by systemd-confinement-generator")
            if BLOCK_MARK in text:
                # The root, the assertion and the cause, the file complete to its last line.
                whole = (whole and "RootDirectory=/dev/null/blocked-by-systemd-confinement-generator\n" in text
                         and "\nDescription=Blocked by systemd-confinement-generator: " in text)
            else:
                finals += 1
                whole = whole and "[Service]" in text and "BindReadOnlyPaths=/usr/bin/true" in text
            if not whole:
                problems.append(f"{unit}/{n}: not a whole drop-in")
    if finals and without:
        problems.append(f"{len(without)} opted-in units without any drop-in although {finals} are final")
    if without and not unreached_by_blocking(opted, without):
        problems.append("units without a drop-in are not the ones the blocking had not reached yet")
    return problems


def unreached_by_blocking(opted, without):
    """Whether the units without a drop-in are what a run killed while it still found and
    blocked units leaves: the end of the list, as the blocking thread takes the units in
    the order they are found (lib/confine/generator.c, collect_and_block())."""
    index = {u: i for i, u in enumerate(opted)}
    missing = sorted(index[u] for u in without)
    return missing == list(range(len(opted) - len(missing), len(opted)))


def main():
    generator = os.path.abspath(sys.argv[1])
    kills = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    with tempfile.TemporaryDirectory() as tmp:
        units = os.path.join(tmp, "units")
        os.mkdir(units)
        opted = make_tree(units)
        env = harness.generator_env(units, log_target="null")
        t0 = time.monotonic()
        os.mkdir(os.path.join(tmp, "full"))
        subprocess.run([generator, os.path.join(tmp, "full")], env=env, check=True)
        full_time = time.monotonic() - t0
        assert not check(os.path.join(tmp, "full"), opted), "an uninterrupted run is not whole"
        print(f"kill test: an uninterrupted run over {N_UNITS} units takes {full_time:.2f}s")

        passed = failed = 0
        rng = random.Random(1)
        for k in range(kills):
            out = os.path.join(tmp, f"out{k}")
            os.mkdir(out)
            p = subprocess.Popen([generator, out], env=env)
            time.sleep(rng.uniform(0, full_time))
            p.send_signal(signal.SIGKILL)
            p.wait()
            problems = check(out, opted)
            if problems:
                failed += 1
                print(f"FAIL kill {k}: " + "; ".join(problems[:5]))
            else:
                passed += 1
        print(f"kill test: {passed} passed, {failed} failed")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
