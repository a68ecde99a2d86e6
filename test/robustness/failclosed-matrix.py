#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fail-closed matrix: hostile unit trees, one per case, each with a neighbour
unit that must come out confined. For every case the built generator is run as
systemd runs it at boot (SYSTEMD_UNIT_PATH=UNITS GENERATOR OUT) and must:
exit 0 within a bounded time; log exactly one error line, naming the unit
(SYSTEMD_LOG_LEVEL=err, SYSTEMD_LOG_TARGET=console); leave that unit with one
blocking drop-in (name with "-blocked-", the impossible AssertPathExists=) and
nothing else of ours; and confine the neighbour (no "blocked" anywhere in its
drop-ins, RootDirectory= set, marker written).

Cases whose input is legal for ld.so (a DT_NEEDED cycle, a RUNPATH entry that
loops before a good one) must instead confine the unit, with what ld.so loads.

"Unreadable" for root: mode bits never stop root with CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH, which the generator has at boot. Root meets EACCES where
the file system decides (NFS with root_squash, FUSE without allow_root) or
where it runs without those capabilities; the matrix runs the generator with
both removed from its bounding set (setpriv), over an execute-only (0111)
program and over a program in a 0000 directory, which is what root_squash
does to root. Two more unreadable kinds need no privilege games: a FIFO
named as the program (open() would wait for a writer for ever) and a FIFO as
the unit's EnvironmentFile=.

Usage: failclosed-matrix.py GENERATOR [CASE...]   Prints 'N passed, N failed'."""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
TIMEOUT = 60  # seconds; systemd kills generators after 90 s
NEIGHBOUR = "neighbour.service"

PROG_C = '#include <stdio.h>\nint lib(void);\nint main(void) { return puts("hi") < 0 || lib(); }\n'
PLAIN_C = '#include <stdio.h>\nint main(void) { return puts("hi") < 0; }\n'


class Tree(harness.UnitTree):
    def __init__(self, tmp):
        super().__init__(tmp)
        self.unit(NEIGHBOUR, "[Service]\nExecStart=/bin/true /etc/hostname\n[X-Confinement]\n")

    def lib(self, soname, *flags, source="int lib(void) { return 0; }\n"):
        return self.cc("lib/" + soname, source, "-shared", "-fPIC", "-Wl,-soname," + soname, *flags)

    def confined_unit(self, name, exec_start, extra_service="", confinement=""):
        self.unit(name, f"[Service]\n{extra_service}ExecStart={exec_start}\n[X-Confinement]\n{confinement}")


def run_generator(tree, prefix=()):
    return tree.run(GENERATOR, prefix=prefix, timeout=TIMEOUT)


def dropins(tree, unit):
    return tree.dropins(unit)


def marker(tree, unit):
    return os.path.exists(os.path.join(tree.out, "systemd-confinement", unit))


def check_blocked(tree, unit, problems):
    files = dropins(tree, unit)
    blocked = [n for n in files if harness.is_blocking(n, files[n])]
    if len(blocked) != 1:
        problems.append(f"{unit}: {len(blocked)} blocking drop-ins (want 1): {sorted(files)}")
    others = [n for n in files if n not in blocked]
    if others:
        problems.append(f"{unit}: other files of ours beside the blocking drop-in: {others}")
    if marker(tree, unit):
        problems.append(f"{unit}: marked confined although blocked")


def check_confined(tree, unit, problems, want_paths=()):
    files = dropins(tree, unit)
    confs = [n for n in files if n.endswith(".conf")]
    if not confs:
        problems.append(f"{unit}: no drop-in")
        return ""
    for n, text in files.items():
        if "blocked" in n or "blocked" in text:
            problems.append(f"{unit}: {n} blocks the unit:\n{text}")
    text = "".join(files[n] for n in confs)
    if harness.ROOT_LINE not in text:
        problems.append(f"{unit}: drop-in sets no confinement root")
    if not marker(tree, unit):
        problems.append(f"{unit}: no marker")
    for p in want_paths:
        if f"BindReadOnlyPaths={p}" not in text:
            problems.append(f"{unit}: {p} not bound")
    return text


def check_log(stderr, unit, problems, want_errors=1):
    lines = [l for l in stderr.splitlines() if l.strip()]
    if len(lines) != want_errors:
        problems.append(f"{len(lines)} log lines at level err (want {want_errors}):\n  " + "\n  ".join(lines))
    elif want_errors and unit not in lines[0]:
        problems.append(f"the error line does not name {unit}: {lines[0]}")


# Each case sets up the tree and returns (units that must be blocked, units that
# must be confined with the paths they must bind, run prefix, optional extra check).

def case_missing_executable(t):
    t.confined_unit("case.service", t.path("does-not-exist"))
    return ["case.service"], {}


def case_directory_as_executable(t):
    os.makedirs(t.path("dir"))
    t.confined_unit("case.service", t.path("dir"))
    return ["case.service"], {}


NO_DAC = ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--")


def case_unreadable_execute_only_without_dac(t):
    shutil.copy("/bin/true", t.path("xonly"))
    os.chmod(t.path("xonly"), 0o111)
    t.confined_unit("case.service", t.path("xonly"))
    return ["case.service"], {}, NO_DAC


def case_untraversable_dir_without_dac(t):
    os.makedirs(t.path("closed"))
    shutil.copy("/bin/true", t.path("closed/prog"))
    os.chmod(t.path("closed"), 0)
    t.confined_unit("case.service", t.path("closed/prog"))
    return ["case.service"], {}, NO_DAC


def case_fifo_as_executable(t):
    os.mkfifo(t.path("fifo"), 0o755)
    t.confined_unit("case.service", t.path("fifo"))
    return ["case.service"], {}


def case_fifo_as_environment_file(t):
    os.mkfifo(t.path("env-fifo"), 0o644)
    t.confined_unit("case.service", "/bin/true", extra_service=f"EnvironmentFile={t.path('env-fifo')}\n")
    return ["case.service"], {}


def case_dev_zero_as_environment_file(t):
    t.confined_unit("case.service", "/bin/true", extra_service="EnvironmentFile=/dev/zero\n")
    return ["case.service"], {}


def case_fifo_as_unit_file_is_ignored(t):
    """systemd lists only regular files and symlinks as units: nothing to block."""
    os.mkfifo(os.path.join(t.units, "case.service"))
    os.symlink("/dev/zero", os.path.join(t.units, "zero.service"))
    return [], {}


def case_fifo_as_dropin_is_ignored(t):
    """A FIFO drop-in, also where FullUnit= scans the unit's files: skipped as
    systemd skips it, the unit confined from its other files."""
    t.confined_unit("case.service", "/bin/true", confinement="FullUnit=yes\n")
    os.makedirs(os.path.join(t.units, "case.service.d"))
    os.mkfifo(os.path.join(t.units, "case.service.d", "10-fifo.conf"))
    return [], {"case.service": []}


def case_truncated_elf(t):
    prog = t.cc("prog", PLAIN_C)
    with open(prog, "r+b") as f:
        f.truncate(4096)  # headers whole, the dynamic section beyond the end
    t.confined_unit("case.service", prog)
    return ["case.service"], {}


def cycle_libs(t, extra_b=()):
    rpath = "-Wl,-rpath," + t.path("lib")
    t.lib("libcycb.so.1", source="int b(void) { return 0; }\n")
    # --no-as-needed: neither library uses the other, the DT_NEEDED entries stay anyway
    t.lib("libcyca.so.1", "-Wl,--no-as-needed", "-L" + t.path("lib"), "-l:libcycb.so.1", rpath)
    t.lib("libcycb.so.1", "-Wl,--no-as-needed", "-L" + t.path("lib"), "-l:libcyca.so.1", rpath, *extra_b,
          source="int b(void) { return 0; }\n")
    return t.cc("prog", PROG_C, "-L" + t.path("lib"), "-l:libcyca.so.1", rpath)


def case_dt_needed_cycle_is_legal(t):
    prog = cycle_libs(t)
    subprocess.run([prog], check=True, stdout=subprocess.DEVNULL)  # ld.so loads each once
    needed = subprocess.run(["readelf", "-d", t.path("lib/libcycb.so.1")], check=True, stdout=subprocess.PIPE).stdout
    assert b"[libcyca.so.1]" in needed, "no cycle was built"
    t.confined_unit("case.service", prog)
    return [], {"case.service": [t.path("lib/libcyca.so.1"), t.path("lib/libcycb.so.1")]}


def case_dt_needed_cycle_with_missing_library(t):
    t.lib("libgone.so.1", source="int gone(void) { return 0; }\n")
    prog = cycle_libs(t, ("-l:libgone.so.1",))
    os.unlink(t.path("lib/libgone.so.1"))
    t.confined_unit("case.service", prog)
    return ["case.service"], {}


def case_library_exists_nowhere(t):
    t.lib("libnowhere.so.1")
    prog = t.cc("prog", PROG_C, "-L" + t.path("lib"), "-l:libnowhere.so.1")
    os.unlink(t.path("lib/libnowhere.so.1"))
    t.confined_unit("case.service", prog)
    return ["case.service"], {}


def case_symlink_loop_in_executable_path(t):
    os.symlink("loop2", t.path("loop1"))
    os.symlink("loop1", t.path("loop2"))
    t.confined_unit("case.service", t.path("loop1/prog"))
    return ["case.service"], {}


def case_symlink_loop_as_executable(t):
    os.symlink("self", t.path("self"))
    t.confined_unit("case.service", t.path("self"))
    return ["case.service"], {}


def case_runpath_into_symlink_loop(t):
    os.symlink("libloop2", t.path("libloop1"))
    os.symlink("libloop1", t.path("libloop2"))
    t.lib("libinloop.so.1")
    prog = t.cc("prog", PROG_C, "-L" + t.path("lib"), "-l:libinloop.so.1",
                "-Wl,--enable-new-dtags,-rpath," + t.path("libloop1/sub"))
    os.unlink(t.path("lib/libinloop.so.1"))
    t.confined_unit("case.service", prog)
    return ["case.service"], {}


def case_runpath_loop_then_good_dir_is_legal(t):
    os.symlink("libloop2", t.path("libloop1"))
    os.symlink("libloop1", t.path("libloop2"))
    lib = t.lib("libafterloop.so.1")
    prog = t.cc("prog", PROG_C, "-L" + t.path("lib"), "-l:libafterloop.so.1",
                "-Wl,--enable-new-dtags,-rpath," + t.path("libloop1") + ":" + t.path("lib"))
    subprocess.run([prog], check=True, stdout=subprocess.DEVNULL)  # ld.so skips the loop
    t.confined_unit("case.service", prog)
    return [], {"case.service": [lib]}


def case_shebang_loop(t):
    a, b = t.path("a"), t.path("b")
    t.write("a", f"#!{b}\n", 0o755)
    t.write("b", f"#!{a}\n", 0o755)
    t.confined_unit("case.service", a)
    return ["case.service"], {}


def case_shebang_over_kernel_limit(t):
    t.write("long", "#!/" + "x" * 300 + "\n", 0o755)
    t.confined_unit("case.service", t.path("long"))
    return ["case.service"], {}


def case_unit_file_of_100_mb(t):
    line = "# " + "x" * 1022 + "\n"
    with open(os.path.join(t.units, "case.service"), "w") as f:
        f.write("[Service]\nExecStart=/bin/true\n[X-Confinement]\n")
        chunk = line * 1024  # 1 MiB
        for _ in range(100):
            f.write(chunk)
        f.write(f"[Service]\nExecStartPost={t.path('missing-at-the-end')}\n")
    return ["case.service"], {}


def case_ten_thousand_exec_lines(t):
    body = "".join(f"ExecStartPre=/bin/true {i}\n" for i in range(9999))
    t.unit("case.service", f"[Service]\n{body}ExecStart={t.path('missing')}\n[X-Confinement]\n")
    return ["case.service"], {}


def case_unknown_key(t):
    t.confined_unit("case.service", "/bin/true", confinement="NoSuchKey=yes\n")
    return ["case.service"], {}


def case_bad_mode(t):
    t.confined_unit("case.service", "/bin/true", confinement="Mode=sandbox\n")
    return ["case.service"], {}


def case_template_unknown_instance(t):
    """An instance-dependent template: instances named in the tree are resolved
    (good confined, bad blocked); any other instance is held by the template's
    guard, which asserts a drop-in that only a confined instance has."""
    t.cc("bin/good", PLAIN_C)
    t.unit("tmpl@.service", f"[Service]\nExecStart={t.files}/bin/%i\n[X-Confinement]\n")
    wants = os.path.join(t.units, "multi-user.target.wants")
    os.makedirs(wants)
    for i in ("good", "bad"):
        os.symlink("../tmpl@.service", os.path.join(wants, f"tmpl@{i}.service"))

    def extra(problems):
        guards = dropins(t, "tmpl@.service")
        asserts = [l.split("=", 1)[1] for text in guards.values() for l in text.splitlines()
                   if l.startswith("AssertPathExists=")]
        if len(asserts) != 1:
            problems.append(f"tmpl@.service: want one guard assertion, have {asserts}")
            return
        for inst, exists in (("good", True), ("bad", False), ("unknown", False)):
            p = asserts[0].replace("%n", f"tmpl@{inst}.service").replace("%%", "%")
            if os.path.exists(p) != exists:
                problems.append(f"guard for tmpl@{inst}.service: {p} exists={not exists}, want {exists}")
        if os.path.isdir(os.path.join(t.out, "tmpl@unknown.service.d")):
            problems.append("drop-ins written for an instance not in the tree")
    return ["tmpl@bad.service"], {"tmpl@good.service": [t.path("bin/good")]}, (), extra


CASES = {name[len("case_"):].replace("_", "-"): fn for name, fn in globals().items() if name.startswith("case_")}


def run_case(name, fn):
    with tempfile.TemporaryDirectory(prefix="failclosed-") as tmp:
        os.chmod(tmp, 0o755)
        t = Tree(tmp)
        setup = fn(t)
        blocked, confined = setup[0], setup[1]
        prefix = setup[2] if len(setup) > 2 else ()
        extra = setup[3] if len(setup) > 3 else None
        rc, stderr, elapsed = run_generator(t, prefix)
        problems = []
        if rc is None:
            problems.append(f"did not finish within {TIMEOUT} s")
        elif rc != 0:
            problems.append(f"exit status {rc}")
        check_log(stderr, blocked[0] if blocked else "", problems, want_errors=len(blocked))
        for u in blocked:
            check_blocked(t, u, problems)
        for u, paths in confined.items():
            check_confined(t, u, problems, paths)
        check_confined(t, NEIGHBOUR, problems, ["/bin/true" if os.path.realpath("/bin/true") == "/bin/true"
                                                else f"{os.path.realpath('/bin/true')}:/bin/true"])
        if extra:
            extra(problems)
        # Make the tree removable again.
        for root, dirs, _ in os.walk(tmp):
            for d in dirs:
                p = os.path.join(root, d)
                if not os.path.islink(p):
                    os.chmod(p, 0o755)
        return problems, elapsed, stderr


def main():
    global GENERATOR
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    GENERATOR = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or list(CASES)
    passed = failed = 0
    for name in names:
        problems, elapsed, stderr = run_case(name, CASES[name])
        if problems:
            failed += 1
            print(f"FAIL {name} ({elapsed:.1f}s)")
            for p in problems:
                print("    " + p.replace("\n", "\n    "))
        else:
            passed += 1
            print(f"ok   {name} ({elapsed:.1f}s): {stderr.strip()[:160]}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
