#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Differential suite: the generator against systemd's own reading of random unit trees.

For each seed, a tree of units (test/differential/tree.py) is spread over
/etc/systemd/system, /run/systemd/system, /etc/systemd/system.control,
/usr/lib/systemd/system and linked files, booted with the generator under real
systemd (test/e2e/boot.sh, one boot per seed), and systemd is asked what it made
of each unit (systemctl show before and after a start; a transient unit through
systemd-run; instances that the tree does not name). Then, per unit:

 (a) if a file systemd consults for it (FragmentPath, DropInPaths) has a line
     "[X-Confinement]", it ran confined (a RootDirectory= from the generator's
     drop-in, and it saw no host canary) or no command of it ran; and where
     systemd never parsed that line, it is refused (SPEC 1, "the line counts");
     unless the effective Enable= is no. A unit without such a line is untouched.
 (b) the segments of the unit's files the generator read (each file segment has
     a mark file as an ExecStartPre= argument, which the generator binds) are
     exactly those systemd read (the marks in its ExecStartPre=).
 (c) for confined units, each setting of SPEC 4's table has the value the table
     says: the mode's defaults only where the unit leaves the setting unset,
     PrivateUsers=yes only for unprivileged units without capabilities
     whose commands all run as the user (no "+", "!", "!!", PermissionsStartOnly=),
     ProtectSystem=yes/full as strict. The unit's own values are systemd's, read
     in the same boot after a daemon-reload with the generator masked.

Limits: (b) is seen only for units the generator confined (a blocking drop-in
binds nothing); a debug line per unit naming each file and line range the
generator read would extend it to blocked units. /usr is the host's, read-only:
the driver mounts an overlay with the tree's /usr/lib units and reloads, so all
queries are of the generator's run at that daemon-reload (the boot-time run saw
the other dirs only). The top-level service.d/ never gets [X-Confinement] here:
it would confine every service of the boot, the driver's too.

Usage:
  differential.py GENERATOR [--seeds A-B|A,B,...] [--units N] [--expect CLASSES]
                  [--expect-file FILE] [--keep DIR]
The full run (at least 1000 units): differential.py GENERATOR --seeds 1-17 --units 60
--expect takes issue 13's classes ("1,2,3") whose violations are reported but
do not fail the run; a violation on a unit whose feature has no class is a
class beyond issue 13 and always fails. Prints seed, unit, class and evidence
of each violation, and files of a reproducer under WORK/repro/.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import tree as T  # noqa: E402

BOOT = os.path.join(HERE, "..", "e2e", "boot.sh")
PROPS = ["LoadState", "ActiveState", "Result", "AssertResult", "FragmentPath", "DropInPaths",
         "RootDirectory", "RootImage", "RootDirectoryStartOnly", "ExecStartPre", "PermissionsStartOnly"] \
    + [k + "Ex" for k in ("ExecCondition", "ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload",
                               "ExecStop", "ExecStopPost")] + T.SETTINGS
GEN_DIRS = ("/run/systemd/generator", "/run/systemd/generator.early", "/run/systemd/generator.late")
GEN_NAME = "systemd-confinement-generator"


def host_dir(work, container_path):
    for key, d in T.UNIT_DIRS.items():
        if container_path.startswith(d + "/"):
            return os.path.join(work, key, container_path[len(d) + 1:])
    assert container_path.startswith(T.OPT + "/"), container_path
    return os.path.join(work, "opt", container_path[len(T.OPT) + 1:])


def write_tree(tree, work):
    for key in list(T.UNIT_DIRS) + ["opt/m", "opt/linked", "results/out"]:
        os.makedirs(os.path.join(work, key), exist_ok=True)
    os.chmod(work, 0o755)
    for path, f in tree.files.items():
        p = host_dir(work, path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as out:
            out.write(f.content())
        for seg in range(f.segment + 1):
            open(os.path.join(work, "opt/m", f"{f.id}s{seg}"), "w").close()
    for path, target in tree.symlinks.items():
        p = host_dir(work, path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        os.symlink(target, p)
    with open(os.path.join(work, "opt/canary"), "w") as f:
        f.write("host file\n")


def driver(tree):
    props = ",".join(PROPS)
    lines = [
        "#!/bin/bash",
        "exec 2>&1",
        "echo canary > /etc/diff-canary",
        "mkdir -p /results/show /results/show0 /results/rc /results/gen",
        # /usr is the host's, read-only: an overlay puts the tree's /usr/lib units on it.
        "mount -t overlay overlay -o lowerdir=/opt/diff/usr:/usr/lib/systemd/system /usr/lib/systemd/system "
        "|| echo 'overlay failed'",
        "systemctl daemon-reload",
        f"for d in {' '.join(GEN_DIRS)}; do [ -d $d ] && cp -a $d /results/gen/; done",
        "show() { systemctl show \"$1\" -p " + props.replace(",", " -p ") + " > \"$2\"; }",
    ]
    for u in tree.units:
        n, k = shlex.quote(u["name"]), u["key"]
        if u["start"] == "transient":
            lines.append(f"timeout 30 systemd-run --quiet --unit={n} -p Type=oneshot -p RemainAfterExit=yes "
                         f"-p StandardOutput=append:/results/out/{u['out']} {T.PROBE.replace('$$', '$')}"
                         f"; echo $? > /results/rc/{k}")
            lines.append(f"show {n} /results/show/{k}")
        else:
            lines.append(f"show {n} /results/show/{k}.pre")
            lines.append(f"timeout 30 systemctl start {n}; echo $? > /results/rc/{k}")
            lines.append(f"show {n} /results/show/{k}")
    # systemd's reading of the units alone: the generator masked, reloaded.
    lines += ["mkdir -p /run/systemd/system-generators",
              f"ln -sf /dev/null /run/systemd/system-generators/{GEN_NAME}",
              "systemctl daemon-reload"]
    for u in tree.units:
        if u["start"] != "transient":
            lines.append(f"show {shlex.quote(u['name'])} /results/show0/{u['key']}")
    for n in tree.calibration_units.values():
        lines.append(f"show {n} /results/show0/{n}")
    lines.append("echo driver-done")
    return "\n".join(lines) + "\n"


def boot(tree, work, generator, timeout):
    write_tree(tree, work)
    etc = os.path.join(work, "etc")
    with open(os.path.join(etc, "e2e.target"), "w") as f:
        f.write("[Unit]\nWants=diff-driver.service dbus.socket\n")
    with open(os.path.join(etc, "diff-driver.service"), "w") as f:
        f.write("[Unit]\nAfter=basic.target dbus.socket\nSuccessAction=poweroff-force\nFailureAction=poweroff-force\n"
                f"[Service]\nType=oneshot\nExecStart={T.OPT}/driver.sh\nStandardOutput=file:/results/driver.log\n"
                "TimeoutStartSec=900\n")
    with open(os.path.join(work, "opt", "driver.sh"), "w") as f:
        f.write(driver(tree))
    os.chmod(os.path.join(work, "opt", "driver.sh"), 0o755)
    cmd = ["bash", BOOT, "--timeout", str(timeout), "--generator", generator,
           "--bind-ro", f"{work}/opt:{T.OPT}",
           "--bind-ro", f"{work}/run:{T.UNIT_DIRS['run']}",
           "--bind-ro", f"{work}/ctl:{T.UNIT_DIRS['ctl']}",
           etc, os.path.join(work, "results")]
    return subprocess.run(cmd).returncode


# -- reading what systemd did ---------------------------------------------
def read_show(path):
    props = {}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                props[k] = props[k] + "\n" + v if k in props and k.startswith("Exec") else v
    except FileNotFoundError:
        return None
    return props


def marks(text):
    return set(re.findall(re.escape(T.MARKS) + r"/(f\d+s\d+)", text or ""))


def dropin_paths(show):
    """systemctl show quotes a path with a backslash in it (an escaped instance name)."""
    try:
        return shlex.split(show.get("DropInPaths") or "")
    except ValueError:
        return (show.get("DropInPaths") or "").split()


def is_generated(path):
    return any(path == d or path.startswith(d + "/") for d in GEN_DIRS)


def generator_dropins(res, show):
    """Texts of the generator's drop-ins that systemd applies to the unit."""
    texts = []
    for p in dropin_paths(show):
        if is_generated(p):
            try:
                with open(os.path.join(res, "gen", p[len("/run/systemd/"):]), errors="replace") as f:
                    texts.append(f.read())
            except FileNotFoundError:
                texts.append("")
    return "\n".join(texts)


def parse_bool(v):
    v = v.strip().lower() if v is not None else v
    if v in ("1", "yes", "y", "true", "t", "on"):
        return True
    if v in ("0", "no", "n", "false", "f", "off"):
        return False
    return None


def valid(setting, v):
    if setting == "ProtectSystem":
        return v.strip() in ("strict", "full") or parse_bool(v) is not None
    if setting == "User":
        return v != ""
    if setting == "AmbientCapabilities":
        return True
    return parse_bool(v) is not None


class Checker:
    def __init__(self, tree, res, expect):
        self.tree, self.res, self.expect = tree, res, expect
        self.violations = []  # (kind, klass, unit, feature, evidence, expected)
        self.stats = dict(units=0, opted_in=0, confined=0, refused=0, unconfined=0, c_checked=0)
        self.notes = []  # where the suite's own reading of a setting differs from systemd's
        self.empty_resets = {}
        for s, n in tree.calibration_units.items():
            show = read_show(f"{res}/show0/{n}") or {}
            self.empty_resets[s] = show.get(s) in ("no", "")

    def violate(self, kind, u, evidence):
        klass = T.FEATURES[u["feature"]]
        expected = klass in self.expect
        self.violations.append((kind, klass, u["name"], u["feature"], evidence, expected))

    def files_of(self, show):
        paths = [show.get("FragmentPath") or ""] + dropin_paths(show)
        # /lib is a link to /usr/lib in the container, and comes first in the search path
        return [re.sub(r"^/lib/systemd/", "/usr/lib/systemd/", p) for p in paths if p and not is_generated(p)]

    def resolve(self, p):
        """A path through the tree's symlinks (a linked unit's FragmentPath is the link)."""
        for _ in range(8):
            if p not in self.tree.symlinks:
                break
            p = os.path.normpath(os.path.join(os.path.dirname(p), self.tree.symlinks[p]))
        return p

    def ran(self, n):  # n: the unit's output file name
        try:
            with open(f"{self.res}/out/{n}", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def xconf_model(self, files, parsed):
        """Effective Enable= and Mode= from the parsed [X-Confinement] lines, in systemd's order."""
        enable, mode, ambiguous = True, "full-apivfs", False
        for f in files:
            for seg, section, key, value in f.events:
                if section != "X-Confinement" or f"{f.id}s{seg}" not in parsed:
                    continue
                if key == "Enable":
                    b = parse_bool(value)
                    ambiguous |= b is None
                    enable = enable if b is None else b
                elif key == "Mode":
                    ambiguous |= value not in ("full-apivfs", "chroot-only")
                    mode = value if value in ("full-apivfs", "chroot-only") else mode
        return enable, mode, ambiguous

    def own_setting(self, files, parsed, s):
        """(set, value) of setting s as systemd applied the tree's lines to the unit."""
        is_set, value = False, None
        for f in files:
            for seg, section, key, v in f.events:
                if section != "Service" or key != s or f"{f.id}s{seg}" not in parsed:
                    continue
                if v == "" and s in ("User", "AmbientCapabilities"):
                    is_set, value = False, None
                elif v == "":
                    if self.empty_resets.get(s):
                        is_set, value = False, None
                elif valid(s, v):
                    is_set, value = True, v
        return is_set, value

    def check_unit(self, u):
        n = u["name"]
        show = read_show(f"{self.res}/show/{u['key']}")
        if show is None:
            self.violate("harness", u, "no systemctl show recorded (driver did not get there)")
            return
        self.stats["units"] += 1
        show0 = read_show(f"{self.res}/show0/{u['key']}") or {}
        paths = self.files_of(show)
        files = [self.tree.files[p] for p in map(self.resolve, paths) if p in self.tree.files]
        parsed = marks((show0 or show).get("ExecStartPre"))
        xlines = [(f, seg, sw) for f in files for seg, sw in f.xconf_lines]
        opted_in = bool(xlines)
        unparsed = [(f, seg, sw) for f, seg, sw in xlines if sw or f"{f.id}s{seg}" not in parsed]
        out = self.ran(u["out"])
        ran = out != ""
        gen = generator_dropins(self.res, show)
        root_from_gen = bool(show.get("RootDirectory")) and re.search(r"^RootDirectory=\S", gen, re.M)
        sees = re.findall(r"^sees (\S+)", out, re.M)
        confined = ran and bool(root_from_gen) and not sees
        enable, mode, ambiguous = self.xconf_model(files, parsed)
        ev = (f"files={paths} ran={ran} RootDirectory={show.get('RootDirectory')!r} sees={sees} "
              f"ActiveState={show.get('ActiveState')} AssertResult={show.get('AssertResult')} "
              f"LoadState={show.get('LoadState')}")
        if opted_in:
            self.stats["opted_in"] += 1
            self.stats["confined" if confined else "refused" if not ran else "unconfined"] += 1
            if ran and not confined and (enable or ambiguous or unparsed):
                where = "".join(f"; its [X-Confinement] line in {f.path} (segment {seg}) is where systemd did not "
                                f"read{' (taken into a continued value)' if sw else ''}" for f, seg, sw in unparsed)
                self.violate("a", u, "opted in but ran unconfined: " + ev + where)
            elif unparsed and ran:
                where = ", ".join(f"{f.path} segment {seg}{' (continued)' if sw else ''}" for f, seg, sw in unparsed)
                self.violate("a", u, f"[X-Confinement] line systemd never parsed ({where}) but the unit ran: " + ev)
        # refused by the generator: its drop-in, or a failed assertion (its guards); a unit that
        # fails on its own (PrivateTmp= with a 255-character name: systemd cannot name the dir)
        # is systemd's business, not a refusal
        elif gen or (not ran and show.get("LoadState") == "loaded" and show.get("AssertResult") == "no"
                     and u["start"] == "start"):
            self.violate("a", u, "no [X-Confinement] line in its files, yet touched or refused: "
                         + ev + f" generator drop-in: {gen[:200]!r}")
        if opted_in and ran and not (not enable and not ambiguous):
            conflict = [f"{k}={show0.get(k)}" for k in ("RootDirectory", "RootImage")
                        if show0.get(k)] + (["RootDirectoryStartOnly=yes"]
                                            if show0.get("RootDirectoryStartOnly") == "yes" else [])
            if conflict:
                self.violate("c", u, f"the unit's own {' '.join(conflict)} (systemd alone) must fail closed, "
                             f"but it ran: " + ev)
            if u["feature"] == "bad-xconf-value":
                self.violate("a", u, "a bad [X-Confinement] value must block the unit, but it ran: " + ev)
        if not confined:
            return
        # (b): the generator read the segments that systemd read.
        bound = marks(gen)
        want = parsed
        if bound != want:
            def describe(ms):
                out = []
                for m in sorted(ms):
                    fid = m.split("s")[0]
                    path = next((p for p, f in self.tree.files.items() if f.id == fid), "?")
                    out.append(f"{path}#{m.split('s')[1]}")
                return out
            self.violate("b", u, f"generator read but systemd did not: {describe(bound - want)}; "
                         f"systemd read but the generator did not: {describe(want - bound)}")
        # (c): SPEC 4's settings table.
        if ambiguous or not opted_in:
            return
        self.stats["c_checked"] += 1
        for s in T.MODE_DEFAULTS + ["PrivateUsers", "ProtectSystem"]:
            is_set, value = self.own_setting(files, parsed, s)
            own0 = show0.get(s)
            if s == "PrivateUsers":
                unpriv = (show0.get("DynamicUser") == "yes"
                          or show0.get("User", "") not in ("", "root", "0"))
                # issue 18: a command that keeps root ("+", "!", "!!": systemd shows them as
                # the flags privileged, no-setuid, ambient) or PermissionsStartOnly=yes
                # breaks in a user namespace
                keeps_root = show0.get("PermissionsStartOnly") == "yes" or any(
                    re.search(r"flags=[^;]*\b(privileged|no-setuid|ambient)\b", v or "")
                    for k, v in show0.items() if k.startswith("Exec") and k.endswith("Ex"))
                want = ("yes" if mode == "full-apivfs" and unpriv and not keeps_root
                        and not show0.get("AmbientCapabilities") else own0)
                if is_set:
                    want = own0
            elif s == "ProtectSystem":
                want = "strict" if own0 in ("yes", "full") else own0
            else:
                want = own0 if is_set else ("yes" if mode == "full-apivfs" else "no")
            if s != "ProtectSystem" and ((is_set and own0 != ("yes" if parse_bool(value) else "no"))
                                         or (not is_set and own0 != "no")):
                # systemd forces some (DynamicUser= implies PrivateTmp=): not the generator's to decide
                self.notes.append(f"{n}: {s}: the suite reads {value!r} (set: {is_set}), systemd alone {own0}; not checked")
                continue
            if show.get(s) != want:
                self.violate("c", u, f"{s}={show.get(s)} but SPEC 4 says {want} (Mode={mode}, unit's own "
                             f"{'set to ' + repr(value) if is_set else 'unset'}, systemd alone: {own0})")

    def check(self):
        for u in self.tree.units:
            self.check_unit(u)


def reproducer(tree, work, unit, show):
    """Copies the files systemd consulted for the unit to WORK/repro/UNIT and lists them."""
    out = os.path.join(work, "repro", unit)
    lines = []
    for p in [show.get("FragmentPath", "")] + dropin_paths(show):
        if not p or is_generated(p) or p not in tree.files:
            continue
        dst = os.path.join(out, p.lstrip("/"))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        data = tree.files[p].content()
        with open(dst, "wb") as f:
            f.write(data)
        shown = b"\n".join(ln if len(ln) < 120 else ln[:60] + b"...(%d bytes)" % len(ln)
                           for ln in data.split(b"\n") if b"ExecStartPre=-/bin/true" not in ln)
        lines.append(f"  --- {p}\n" + "\n".join("    " + l for l in shown.decode("utf-8", "backslashreplace").splitlines()))
    return "\n".join(lines)


def seeds_arg(s):
    out = []
    for part in s.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("generator")
    ap.add_argument("--seeds", default="1-2", type=seeds_arg)
    ap.add_argument("--units", type=int, default=60)
    ap.add_argument("--expect", default="")
    ap.add_argument("--expect-file")
    ap.add_argument("--keep")
    ap.add_argument("--timeout", type=int, default=600)
    a = ap.parse_args()
    expect = set(filter(None, a.expect.split(",")))
    if a.expect_file:
        with open(a.expect_file) as f:
            expect |= {line.split("#")[0].strip() for line in f if line.split("#")[0].strip()}
    generator = os.path.abspath(a.generator)
    top = a.keep or tempfile.mkdtemp(prefix="confinement-diff.")
    totals = dict(units=0, opted_in=0, confined=0, refused=0, unconfined=0, c_checked=0)
    all_v, boots, failed, per_feature = [], 0, False, {}
    for seed in a.seeds:
        work = os.path.join(top, f"seed-{seed}")
        shutil.rmtree(work, ignore_errors=True)
        tree = T.Tree(seed, a.units)
        rc = boot(tree, work, generator, a.timeout)
        boots += 1
        res = os.path.join(work, "results")
        done = "driver-done" in open(f"{res}/driver.log", errors="replace").read() \
            if os.path.exists(f"{res}/driver.log") else False
        if rc != 0 or not done:
            print(f"seed {seed}: boot ended with {rc}, driver finished: {done} (results in {res})")
            failed = True
        c = Checker(tree, res, expect)
        c.check()
        for k in totals:
            totals[k] += c.stats[k]
        seen = set()
        for kind, klass, unit, feature, evidence, expected in c.violations:
            tag = "expected" if expected else "VIOLATION"
            print(f"{tag} seed={seed} unit={unit} check=({kind}) class={klass} feature={feature}: {evidence}")
            if (kind, feature) not in seen:
                seen.add((kind, feature))
                key = next(u["key"] for u in tree.units if u["name"] == unit)
                print(reproducer(tree, work, unit[:100], read_show(f"{res}/show/{key}") or {}))
            all_v.append((seed, kind, klass, feature, expected))
            failed |= not expected
        for u in tree.units:
            per_feature[u["feature"]] = per_feature.get(u["feature"], 0) + 1
        for note in c.notes:
            print(f"note seed={seed} {note}")
        print(f"seed {seed}: {c.stats['units']} units, {len(c.violations)} violations "
              f"({sum(1 for v in c.violations if not v[5])} unexpected)")
    print(f"differential: {len(a.seeds)} seeds ({a.seeds[0]}..{a.seeds[-1]}), {boots} boots, "
          f"{totals['units']} units checked ({totals['opted_in']} opted in: {totals['confined']} confined, "
          f"{totals['refused']} refused, {totals['unconfined']} ran unconfined; "
          f"{totals['c_checked']} settings-checked)")
    print("  units per feature: " + ", ".join(f"{k} {v}" for k, v in sorted(per_feature.items())))
    by = {}
    for seed, kind, klass, feature, expected in all_v:
        key = (kind, klass, feature, "expected" if expected else "UNEXPECTED")
        by[key] = by.get(key, 0) + 1
    for key in sorted(by):
        print(f"  ({key[0]}) class {key[1]} {key[2]}: {by[key]} {key[3]}")
    print(f"differential: {'FAILED' if failed else 'passed'}; expected-failing classes: "
          f"{','.join(sorted(expect)) or 'none'}; work dir {top}")
    if not failed and not a.keep:
        shutil.rmtree(top, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
