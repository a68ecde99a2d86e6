#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hostile confined service must not change a single host file (SPEC 4, "The root").

Under real systemd (PID 1 in a container), one boot runs test/e2e/hostile.c as a
confined service in every combination of user (root, DynamicUser=yes, a static
non-root User=), ProtectSystem= (unset, strict), PrivateTmp= (yes, no) and Mode=
(full-apivfs, chroot-only). The service walks "/" and every mount point of its
/proc/self/mountinfo, appends to every regular file and creates a file in every
directory it reaches. Canary files live in the container's writable /etc, /var
and /opt (writable binds of this test's work dir, world-writable files so that
non-root users could change them too) and are bound in with Packages=. Afterwards
the driver, unconfined, hashes them into /results, and this script also reads
the host's copies: both must be unchanged, and no write may have succeeded under
a canary path or under the root's own directory (/run/confinement/UNIT/root).
Usage: hostile_e2e.py GENERATOR [--keep DIR]

Prints 'e2e-hostile: N passed, N failed'."""
import hashlib
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# container path -> name of the writable host dir bound there
CANARY_DIRS = {"/etc/hostile": "etc", "/var/lib/hostile": "var", "/opt/hostile": "opt"}
USERS = {"root": "", "dyn": "DynamicUser=yes\n", "static": "User=e2e-user\n"}
PACKAGES = " ".join(CANARY_DIRS)


def variants():
    """(name, unit lines, mode value): dyn implies ProtectSystem=strict and PrivateTmp=yes."""
    out = []
    for user, user_line in USERS.items():
        for ps in ("ps-unset", "ps-strict"):
            for tmp in ("ptmp", "noptmp"):
                if user == "dyn" and (ps == "ps-unset" or tmp == "noptmp"):
                    continue
                for mode, mode_value in e2e.MODES.items():
                    lines = user_line + ("ProtectSystem=strict\n" if ps == "ps-strict" else "")
                    lines += f"PrivateTmp={'yes' if tmp == 'ptmp' else 'no'}\n"
                    out.append((f"h-{user}-{ps}-{tmp}-{mode}", lines, mode_value))
    return out


def make_canaries(s):
    """Host dirs bound writable into the container; returns {host path: content}."""
    originals = {}
    for cdir, name in CANARY_DIRS.items():
        host = os.path.join(s.work, "canary", name)
        os.makedirs(f"{host}/drop", exist_ok=True)
        os.chmod(host, 0o755)
        os.chmod(f"{host}/drop", 0o777)  # a dir anyone may create files in, bound whole
        for rel in ("canary", "drop/canary"):
            text = f"canary {cdir}/{rel}\n"
            with open(f"{host}/{rel}", "w") as f:
                f.write(text)
            os.chmod(f"{host}/{rel}", 0o666)
            originals[f"{host}/{rel}"] = text
        s.rw_binds.append((host, cdir))
    binary = os.path.join(s.work, "canary", "opt", "bin", "hostile")
    os.makedirs(os.path.dirname(binary), exist_ok=True)
    subprocess.run(["cc", "-O2", "-o", binary, f"{HERE}/hostile.c"], check=True)
    with open(binary, "rb") as f:
        originals[binary] = f.read()
    return originals


def snapshot(label):
    """A driver line: every path under the canary dirs with its hash."""
    dirs = " ".join(CANARY_DIRS)
    return (f"find {dirs} | sort | while read -r p; do "
            f"if [ -f \"$p\" ]; then echo \"$p $(sha256sum < \"$p\" | cut -c1-64)\"; else echo \"$p\"; fi; "
            f"done > /results/canaries-{label}")


def define_cases(s):
    originals = make_canaries(s)
    s.step(snapshot("before"))
    names = []
    for name, lines, mode_value in variants():
        s.unit(f"{name}.service", "[Service]\nType=oneshot\n"
               f"ExecStart=/opt/hostile/bin/hostile {name}\n"
               f"StandardOutput=file:/results/{name}.out\nStandardError=file:/results/{name}.err\n"
               f"{lines}[X-Confinement]\nMode={mode_value}\nPackages={PACKAGES}\n")
        s.start(f"{name}.service")
        names.append(name)
    s.step(snapshot("after"))

    def forbidden(path):
        # /run/confinement/UNIT/root is where systemd binds the root dir again (a
        # RuntimeDirectory=). Under /var/run (a plain bind of the service's own /run)
        # the same path is only the empty mount point dir in that /run.
        parts = path.split("/")
        return (any(e2e.under(path, c) for c in CANARY_DIRS)
                or (len(parts) > 4 and parts[1] == "run" and parts[2] == "confinement" and parts[4] == "root"))

    checks = []
    for name in names:
        def check(name=name):
            assert s.rc(f"{name}.service") == 0, s.read(f"cases/{name}.service.status")
            out = s.read(f"{name}.out").splitlines()
            assert out and out[-1].startswith("done "), f"{name}: the walk did not finish: {out[-3:]}"
            assert int(out[-1].split()[1]) > 10, f"{name}: walked almost nothing: {out[-1]}"
            bad = [line for line in out if line.split(" ", 1)[0] in ("appended", "created")
                   and forbidden(line.split(" ", 1)[1])]
            assert not bad, f"{name}: wrote where it must not: {bad[:8]}"
        check.__name__ = f"{name.replace('-', '_')}_writes_through_no_mount_point"
        checks.append(check)

    def canaries_unchanged_seen_by_an_unconfined_unit():
        before, after = s.read("canaries-before"), s.read("canaries-after")
        assert before.count("\n") >= 9, f"too few canaries: {before}"
        assert before == after, f"canaries changed:\nbefore:\n{before}\nafter:\n{after}"

    def canaries_unchanged_on_the_host():
        changed = []
        for path, content in originals.items():
            with open(path, "rb" if isinstance(content, bytes) else "r") as f:
                if f.read() != content:
                    changed.append(path)
        extra = []
        for name in CANARY_DIRS.values():
            for root, dirs, files in os.walk(os.path.join(s.work, "canary", name)):
                extra += [os.path.join(root, f) for f in files + dirs if f.startswith("hostile-")]
        assert not changed and not extra, f"changed: {changed}; created: {extra}"

    checks += [canaries_unchanged_seen_by_an_unconfined_unit, canaries_unchanged_on_the_host]
    return checks


def prepare(s):
    e2e.write(f"{s.work}/sysusers.conf", "u e2e-user - \"e2e static user\"\n")
    return define_cases(s)


def main():
    e2e.main_for("e2e-hostile", "confinement-hostile-e2e.", prepare)


if __name__ == "__main__":
    main()
