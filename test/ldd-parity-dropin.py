#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ldd parity at the level of the drop-ins the generator writes.

For every ELF executable in /usr/bin, /usr/sbin and /usr/lib/systemd (recursively), one
unit "ExecStart=PROGRAM" with an [X-Confinement] section and "BinSh=" (so that /bin/sh
adds nothing) goes into a scratch unit dir; the generator runs once over all of them;
the destinations of each drop-in's BindReadOnlyPaths= (read back as systemd reads them)
are compared with what "ldd PROGRAM" resolves plus the program itself (for a program
reached through a symlink, "ldd REALPATH" and the link's path). /etc/ld.so.cache and
/etc/ld.so.preload are the loader's own files and the journal sockets and the bind that
covers the root's own RuntimeDirectory= are the drop-in's fixed binds: none of them counts.

Differences with a named reason are listed but do not fail: setuid/setgid programs (ld.so
runs them in secure mode), programs ldd calls not dynamic (then the drop-in must hold
only the program), programs whose libraries ldd cannot find (then the generator must have
blocked the unit), and for a program reached through a symlink that needs $ORIGIN the
bind of its real path (the command is re-executed from there).

Usage: ldd-parity-dropin.py GENERATOR
"""

import concurrent.futures
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROOTS = ["/usr/bin", "/usr/sbin", "/usr/lib/systemd"]
NOT_COUNTED = {"/etc/ld.so.cache", "/etc/ld.so.preload"}
JOURNAL_SOCKETS = {"/run/systemd/journal/socket", "/run/systemd/journal/stdout",
                   "/run/systemd/journal/dev-log", "/run/systemd/journal/syslog",
                   "/run/confinement/%n/root"}  # hides the root's second view (SPEC 4, "The root")


def is_elf_executable(path):
    try:
        st = os.stat(path)  # follows symlinks: a link to a program is a program
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o111:
        return False
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def find_programs():
    programs = []
    for root in ROOTS:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                if is_elf_executable(path):
                    programs.append(path)
    return sorted(set(programs))


def exec_start_word(path):
    """The program as one ExecStart= word: specifiers doubled, quoted when needed."""
    p = path.replace("%", "%%")
    if re.search(r"[\s\"'\\;$]", p):
        p = '"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return p


def exec_start_program(value):
    """The executable of an ExecStart= value: after the prefixes, the first word unquoted."""
    rest = value.lstrip("@-:+!")
    try:
        words = shlex.split(rest)
    except ValueError:
        return None
    return harness.unspecifier(words[0]) if words else None


def read_dropin(path):
    """(destinations of BindReadOnlyPaths=, ExecStart= values) as systemd reads them."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    return harness.bind_destinations(text), [v for k, v in harness.settings(text) if k == "ExecStart"]


LDD_PATH = re.compile(r"=>\s+(/\S.*?)\s+\(0x[0-9a-f]+\)\s*$")
LDD_INTERP = re.compile(r"^\s*(/\S+)\s+\(0x[0-9a-f]+\)\s*$")


def dlopen_required(path):
    """Sonames the ELF's .note.dlopen (owner FDO, type 0x407c0c0a) marks "required"."""
    import struct
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return []
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return []  # 64-bit little-endian only: the programs of this machine
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    sections = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    if not shoff or shstrndx >= shnum:
        return []
    strtab = sections[shstrndx][4]
    names = []
    for name_off, _, _, _, off, size in sections:
        name = data[strtab + name_off:data.index(b"\0", strtab + name_off)]
        if name != b".note.dlopen":
            continue
        pos = off
        while pos + 12 <= off + size:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            owner = data[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            desc_at = pos + 12 + ((namesz + 3) & ~3)
            desc = data[desc_at:desc_at + descsz].rstrip(b"\0")
            pos = desc_at + ((descsz + 3) & ~3)
            if owner != b"FDO" or ntype != 0x407c0c0a:
                continue
            try:
                for entry in json.loads(desc.decode()):
                    if entry.get("priority", "recommended") == "required":
                        names += entry.get("soname", [])[:1]
            except (ValueError, AttributeError):
                pass
    return names


def ldconfig_path(soname):
    """Where ld.so's cache finds SONAME for x86-64 (as dlopen() would)."""
    out = subprocess.run(["ldconfig", "-p"], stdout=subprocess.PIPE, text=True,
                         env={"LC_ALL": "C", "PATH": "/usr/sbin:/sbin:/usr/bin:/bin"}).stdout
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and m.group(1) == soname and "x86-64" in m.group(2):
            return m.group(3)
    return None


def required_dlopen_closure(program):
    """The files the generator adds for PROGRAM's required .note.dlopen libraries."""
    files = set()
    for soname in dlopen_required(program):
        path = ldconfig_path(soname)
        if path:
            files.add(os.path.normpath(path))
            files |= run_ldd(path)[1]
    return files


def run_ldd(program):
    r = subprocess.run(["ldd", program], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
    out = r.stdout.decode("utf-8", "surrogateescape")
    if "not a dynamic executable" in out or "statically linked" in out:
        return "static", set(), out
    if "not found" in out:
        return "not-found", set(), out
    files = set()
    for line in out.splitlines():
        if "linux-vdso" in line:
            continue
        m = LDD_PATH.search(line) or LDD_INTERP.match(line)
        if m:
            files.add(os.path.normpath(m.group(1)))
    if r.returncode != 0 or not files:
        return "error", files, out
    return "dynamic", files, out


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    generator = os.path.abspath(sys.argv[1])
    programs = find_programs()
    top = tempfile.mkdtemp(prefix="ldd-parity-dropin.")
    try:
        return compare(generator, programs, top)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def compare(generator, programs, top):
    tree = harness.UnitTree(top)
    out = tree.out
    names = {}
    for i, program in enumerate(programs):
        name = "parity-%05d.service" % i
        names[name] = program
        tree.unit(name, "[Service]\nExecStart=%s\n\n[X-Confinement]\nBinSh=\n" % exec_start_word(program))

    rc, stderr, _ = tree.run(generator)
    if rc != 0:
        print("generator failed (%s):\n%s" % (rc, stderr))
        return 1

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        ldd = dict(zip(programs, pool.map(lambda p: run_ldd(os.path.realpath(p)), programs)))

    identical, explained, failures = 0, [], []
    for name, program in sorted(names.items(), key=lambda kv: kv[1]):
        real = os.path.realpath(program)
        st = os.stat(program)
        setid = bool(st.st_mode & (stat.S_ISUID | stat.S_ISGID))
        kind, libs, ldd_out = ldd[program]
        d = os.path.join(out, name + ".d")
        confs = sorted(f for f in os.listdir(d) if f.endswith(".conf")) if os.path.isdir(d) else []
        blocked = [f for f in confs if "-blocked-" in f]

        def report(problem, reason=None):
            line = "%s%s: %s" % (program, " (-> %s)" % real if real != program else "", problem)
            (explained if reason else failures).append(line + (" [%s]" % reason if reason else ""))

        if len(confs) != 1:
            report("%d drop-ins: %s" % (len(confs), " ".join(confs) or "none"))
            continue
        if kind == "not-found":
            if blocked:
                report("blocked (%s); ldd cannot resolve it either" % blocked[0], "ldd: not found")
            else:
                report("ldd cannot resolve its libraries, yet the unit was confined, not blocked")
            continue
        if kind == "error":
            report("ldd failed: %s" % ldd_out.strip().replace("\n", "; "))
            continue
        if blocked:
            report("blocked (%s) although ldd resolves it" % blocked[0],
                   "setuid/setgid" if setid else None)
            continue

        dests, execs = read_dropin(os.path.join(d, confs[0]))
        got = {p for p in dests if p not in NOT_COUNTED and p not in JOURNAL_SOCKETS}
        want = {os.path.normpath(program)} | libs
        missing, extra = sorted(want - got), sorted(got - want)
        reexec = real != program and any(exec_start_program(e) == real for e in execs)
        if not missing and not extra:
            identical += 1
            continue
        if reexec and not missing and extra == [real]:
            report("bound at its real path too", "re-executed from there for $ORIGIN")
            continue
        problem = "missing %s; extra %s" % (" ".join(missing) or "-", " ".join(extra) or "-")
        if not missing and extra and set(extra) <= required_dlopen_closure(real):
            report(problem, "required .note.dlopen libraries and their closure")
            continue
        if kind == "static":
            report("ldd: not a dynamic executable, but the drop-in holds more than the program: " + problem)
        else:
            report(problem, "setuid/setgid" if setid else None)

    total = len(programs)
    print("ldd parity (drop-ins): %d/%d identical" % (identical, total))
    if explained:
        print("\nDifferences with a named reason (%d):" % len(explained))
        for line in explained:
            print("  " + line)
    if failures:
        print("\nDifferences without a reason (%d):" % len(failures))
        for line in failures:
            print("  " + line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
