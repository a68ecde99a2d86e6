#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The generator's worker processes (lib/basic/workers.h) against the generator alone.

1. Same output: over a tree of 600 opted-in units (real ELF programs, #! scripts, missing
   programs that get blocked, Enable=no), a run with every CPU (several workers, seen with
   strace as forks) writes exactly the files, names and bytes that a run pinned to one CPU
   (taskset: one process) writes.
2. A worker that dies: SIGKILL to a forked worker in the middle of a run over 3000 units.
   The run fails and says which worker died and how; every opted-in unit still has a
   whole drop-in, its final one or the first blocking one, and the units left blocked
   number no more than a worker claims at a time (the dead worker's).

Needs two CPUs; with one it says so and exits 77 (skipped).
Usage: workers-test.py GENERATOR"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402

CLAIM = 16  # lib/basic/workers.c


def elf_programs(limit):
    found = []
    for name in sorted(os.listdir("/usr/bin")):
        p = os.path.join("/usr/bin", name)
        try:
            if not os.path.isfile(p) or not os.access(p, os.X_OK):
                continue
            with open(p, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(p)
        except OSError:
            continue
        if len(found) == limit:
            break
    return found


def make_mixed_tree(d, scripts, n=600):
    programs = elf_programs(200)
    os.makedirs(scripts, exist_ok=True)
    for k in range(3):
        with open(f"{scripts}/s{k}", "w") as f:
            f.write(f"#!/bin/sh\nexec {programs[k]} \"$@\"\n")
        os.chmod(f"{scripts}/s{k}", 0o755)
    units = []
    for i in range(n):
        kind = i % 10
        confinement = ""
        if kind == 0:
            exe = f"/usr/bin/does-not-exist-{i}"
        elif kind == 1:
            exe, confinement = programs[i % len(programs)], "Enable=no\n"
        elif kind == 2:
            exe = f"{scripts}/s{i % 3}"
        else:
            exe = programs[i % len(programs)]
        name = f"w{i:04d}.service"
        with open(f"{d}/{name}", "w") as f:
            f.write(f"[Service]\nExecStart={exe} --flag\n[X-Confinement]\n{confinement}")
        units.append(name)
    return units


def tree_bytes(root):
    """{relative path: bytes, or the link's target}: everything a run wrote."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    out[rel] = ("file", f.read())
            else:
                out[rel] = ("dir", None)
    return out


def forks_of(generator, units, out):
    """How many processes one run forked, counted by strace (None without strace)."""
    if not shutil.which("strace"):
        return None
    log = out + ".strace"
    env = harness.generator_env(units)
    # LeakSanitizer stops the world with ptrace, which it cannot under strace: an ASan build
    # checks its leaks in the runs above.
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
    p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=fork,vfork,clone,clone3", "-o", log, generator, out],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert p.returncode == 0, f"under strace: exit {p.returncode}: {p.stderr.decode(errors='replace')[-2000:]}"
    with open(log) as f:
        return sum(1 for line in f if "clone" in line or "fork" in line)


def same_output(generator, tmp):
    units, scripts = f"{tmp}/units", f"{tmp}/scripts"
    os.mkdir(units)
    make_mixed_tree(units, scripts)
    outs = {}
    for label, prefix in (("one CPU", ["taskset", "-c", str(min(os.sched_getaffinity(0)))]), ("every CPU", [])):
        out = f"{tmp}/out-{len(outs)}"
        os.mkdir(out)
        rc, err, secs = harness.run_generator(generator, units, out, prefix=prefix)
        assert rc == 0, f"{label}: exit {rc}: {err}"
        outs[label] = tree_bytes(out)
        print(f"workers test: {label}: {len(outs[label])} entries written in {secs:.2f}s")
    a, b = outs["one CPU"], outs["every CPU"]
    differ = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    assert not differ, f"{len(differ)} entries differ, first: {differ[:5]}"
    finals = sum(1 for k, v in a.items() if k.endswith("/zz-confinement.conf") and b"BindReadOnlyPaths=" in v[1])
    blocked = sum(1 for k in a if "-blocked-" in k)
    assert finals >= 400 and blocked >= 60, f"the tree did not exercise both paths: {finals} final, {blocked} blocked"
    out = f"{tmp}/out-strace"
    os.mkdir(out)
    forks = forks_of(generator, units, out)
    if forks is not None:
        assert forks >= 1, "a run with every CPU forked no worker"
        assert tree_bytes(out) == b, "the run under strace wrote something else"
    print(f"PASS same output with and without workers ({finals} confined, {blocked} blocked, "
          f"{forks if forks is not None else '?'} workers forked)")


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def dead_worker(generator, tmp):
    units = f"{tmp}/units-big"
    os.mkdir(units)
    opted = []
    for i in range(3000):
        name = f"u{i:05d}.service"
        exe = "/usr/bin/true" if i % 7 else f"/usr/bin/does-not-exist-{i}"
        with open(f"{units}/{name}", "w") as f:
            f.write(f"[Service]\nExecStart={exe} /etc/hostname\n[X-Confinement]\n")
        opted.append(name)
    for attempt in range(5):
        out = f"{tmp}/out-kill{attempt}"
        os.mkdir(out)
        p = subprocess.Popen([generator, out], env=harness.generator_env(units), stderr=subprocess.PIPE)
        victim = None
        deadline = time.monotonic() + 30
        while victim is None and p.poll() is None and time.monotonic() < deadline:
            kids = children_of(p.pid)
            if kids:
                victim = kids[0]
                time.sleep(0.01)  # into its share of the closure work
                os.kill(victim, signal.SIGKILL)
        err = p.communicate()[1].decode(errors="replace")
        if victim is None:
            print(f"workers test: attempt {attempt}: the run ended before a worker was seen, again")
            continue
        assert p.returncode != 0, "the run succeeded although a worker was killed"
        assert f"Worker {victim} was killed by signal" in err, err
        finals, blocked, without = 0, [], []
        for unit in opted:
            confs = {n: t for n, t in harness.dropins(out, unit).items() if n.endswith(".conf")}
            if not confs:
                without.append(unit)
            elif any(harness.BLOCK_MARK in t and "did not finish computing" in t for t in confs.values()):
                blocked.append(unit)
            else:
                assert all(t.endswith("\n") for t in confs.values()), f"{unit}: a drop-in is not whole"
                finals += 1
        assert not without, f"{len(without)} opted-in units without a drop-in: {without[:5]}"
        assert len(blocked) <= CLAIM, f"{len(blocked)} units left blocked, more than one claim"
        print(f"PASS a killed worker fails the run and leaves {len(blocked)} units blocked, "
              f"{finals} confined or blocked with their cause")
        return
    raise AssertionError("no worker seen in 5 runs")


def main():
    generator = os.path.abspath(sys.argv[1])
    if len(os.sched_getaffinity(0)) < 2:
        print("SKIP workers test: one CPU, so the generator forks no worker")
        sys.exit(77)
    with tempfile.TemporaryDirectory() as tmp:
        same_output(generator, tmp)
        dead_worker(generator, tmp)


if __name__ == "__main__":
    main()
