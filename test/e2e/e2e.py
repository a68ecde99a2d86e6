#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end tests under real systemd 252: boots a container with the generator
under test, starts confined services that record what they see, and asserts on
that and on what systemd reported. Usage: e2e.py GENERATOR [--keep DIR]

Every case is a function named after the rule it proves; it returns nothing and
raises AssertionError with a message. The summary line is 'N passed, N failed'.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
OPT = "/opt/e2e"  # where the fixtures appear inside the container

USERS = {"root": "", "dyn": "DynamicUser=yes\n", "static": "User=e2e-user\n"}
MODES = {"full": "full-apivfs", "chroot": "chroot-only"}
# The system under test: "/" (this machine's /usr), or a root whose /usr, and for
# the overlay its /etc and /var, boot.sh boots instead (test/versions/).
ROOT = os.environ.get("CONFINEMENT_ROOT", "/")


def in_root(path):
    """PATH as seen from here in the system under test."""
    return os.path.join(ROOT, path.lstrip("/"))


def realpath_in_root(path):
    """PATH's real path inside the system under test (symlinks resolved there)."""
    for _ in range(40):
        target = in_root(path)
        if not os.path.islink(target):
            parent = os.path.dirname(path)
            if parent == path:
                return path
            real_parent = realpath_in_root(parent)
            if real_parent != parent:
                path = os.path.join(real_parent, os.path.basename(path))
                continue
            return path
        link = os.readlink(target)
        path = os.path.normpath(link if link.startswith("/") else os.path.join(os.path.dirname(path), link))
    return path


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text).lstrip("\n"))
    os.chmod(path, mode)


class Suite:
    def __init__(self, generator, work):
        self.generator = generator
        self.work = work
        self.units = os.path.join(work, "units")
        self.opt = os.path.join(work, "opt")
        self.results = os.path.join(work, "results")
        self.driver = []  # shell lines run inside the container, in order
        self.boot_wants = []  # units e2e.target pulls in at boot, beside the driver
        self.extra_binds = []  # extra (source, destination) read-only binds into the container
        self.rw_binds = []  # extra (source, destination) writable binds into the container
        self.overlay = False  # a throw-away copy of this machine's /etc and /var, private network
        for d in (self.units, self.opt, self.results):
            os.makedirs(d, exist_ok=True)

    # -- writing the boot ------------------------------------------------
    def unit(self, name, text):
        write(os.path.join(self.units, name), text)

    def start(self, *names):
        """Start units from the driver and record the result of each."""
        for n in names:
            self.driver.append(f"start_case {n}")

    def step(self, line):
        self.driver.append(line)

    def fixtures(self):
        subprocess.run(["cc", "-O2", "-o", f"{self.opt}/probe", f"{HERE}/probe.c"], check=True)
        write(f"{self.opt}/data/eek", "eek\n")
        write(f"{self.opt}/data/gotme", "got me\n")
        os.symlink(f"{OPT}/data/gotme", f"{self.opt}/link-to-gotme")
        write(f"{self.opt}/env-script", """
            #!/usr/bin/env bash
            echo "bash ${BASH_VERSINFO[0]}" > /run/pre-ran
        """, 0o755)
        # A program whose library exists nowhere at boot.
        write(f"{self.work}/lib/fix.c", "int fix(void) { return 1; }\n")
        write(f"{self.work}/lib/main.c", "int fix(void); int main(void) { return fix(); }\n")
        subprocess.run(["cc", "-shared", "-fPIC", "-o", f"{self.work}/lib/libe2emissing.so",
                        f"{self.work}/lib/fix.c"], check=True)
        subprocess.run(["cc", "-o", f"{self.opt}/needs-missing-lib", f"{self.work}/lib/main.c",
                        f"-L{self.work}/lib", "-le2emissing"], check=True)
        # A program that finds its library through $ORIGIN, run through a symlink.
        write(f"{self.work}/origin/lib.c", "int origin_lib(void) { return 42; }\n")
        write(f"{self.work}/origin/main.c", "#include <stdio.h>\nint origin_lib(void);\n"
              "int main(void) { printf(\"origin lib says %d\\n\", origin_lib()); return 0; }\n")
        os.makedirs(f"{self.opt}/app/lib", exist_ok=True)
        os.makedirs(f"{self.opt}/app/bin", exist_ok=True)
        os.makedirs(f"{self.opt}/bin", exist_ok=True)
        subprocess.run(["cc", "-shared", "-fPIC", "-o", f"{self.opt}/app/lib/liborigin.so",
                        f"{self.work}/origin/lib.c"], check=True)
        subprocess.run(["cc", "-o", f"{self.opt}/app/bin/origin-prog", f"{self.work}/origin/main.c",
                        f"-L{self.opt}/app/lib", "-lorigin", "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib"],
                       check=True)
        os.symlink("../app/bin/origin-prog", f"{self.opt}/bin/origin-link")
        shutil.copy(f"{HERE}/lowport-daemon.pl", f"{self.opt}/lowport-daemon.pl")
        self.store = self.build_store()
        write(f"{self.work}/sysusers.conf", "u e2e-user - \"e2e static user\"\n")

    def build_store(self):
        """A real Nix store built offline (test/e2e/store.nix); None without nix-build."""
        if not shutil.which("nix-build"):
            return None
        out = os.path.join(self.work, "store-result")
        subprocess.run(["nix-build", "--option", "sandbox", "false", "--option", "build-users-group", "",
                        "--option", "substituters", "", f"{HERE}/store.nix", "-o", out],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        paths = dict(cat=os.path.realpath(out), data=os.path.realpath(out + "-2"),
                     neighbour=os.path.realpath(out + "-3"))
        qr = subprocess.run(["nix-store", "-qR", paths["cat"], paths["data"]], check=True,
                            capture_output=True, text=True).stdout.split()
        paths["closure"] = set(qr)
        return paths

    def boot(self):
        driver = textwrap.dedent("""\
            #!/bin/bash
            # Runs inside the container, unconfined; records what systemd reports.
            exec 2>&1
            mkdir -p /results/cases
            cp -r /run/systemd/generator /results/generator
            start_case() {
                timeout 60 systemctl start "$1"; echo "$?" > "/results/cases/$1.rc"
                record "$1"
            }
            ask_memcached() {  # PORT: the first line memcached answers to "version", retried for 5 s
                for try in $(seq 50); do
                    line=$( (exec 3<>/dev/tcp/127.0.0.1/$1 && printf 'version\\r\\n' >&3 && read -t 5 l <&3 && echo "$l") 2>/dev/null)
                    [ -n "$line" ] && break
                    sleep 0.1
                done
                echo "${line:-no answer}"
            }
            record() {
                systemctl show "$1" -p ActiveState -p Result -p ExecMainStatus -p AssertResult \\
                    -p Description -p DropInPaths > "/results/cases/$1.show"
                systemctl status --no-pager -l "$1" > "/results/cases/$1.status" 2>&1
            }
            """) + "\n".join(self.driver) + "\n"
        write(f"{self.opt}/driver.sh", driver, 0o755)
        # Debian 13 on ships ldconfig.service, which makes /etc/ld.so.cache in the
        # volatile /etc after the generator's first run: every later daemon-reload
        # would change the drop-ins copied above. Keep the boot's first state, as on 12.
        if not os.path.exists(f"{self.units}/ldconfig.service"):
            os.symlink("/dev/null", f"{self.units}/ldconfig.service")
        self.unit("e2e.target", f"""
            [Unit]
            Description=end-to-end tests
            Wants=e2e-driver.service {" ".join(self.boot_wants)}
        """)
        self.unit("e2e-driver.service", f"""
            [Unit]
            After=basic.target
            SuccessAction=poweroff-force
            FailureAction=poweroff-force
            [Service]
            Type=oneshot
            ExecStart={OPT}/driver.sh
            StandardOutput=file:/results/driver.log
            TimeoutStartSec=600
        """)
        cmd = [f"{HERE}/boot.sh", "--timeout", "600", "--bind-ro", f"{self.opt}:{OPT}",
               "--bind-ro", f"{self.work}/sysusers.conf:/etc/sysusers.d/e2e.conf"]
        if self.generator:
            cmd += ["--generator", self.generator]
        if self.overlay:
            cmd += ["--overlay"]
        for src, dst in self.extra_binds:
            cmd += ["--bind-ro", f"{src}:{dst}"]
        for src, dst in self.rw_binds:
            cmd += ["--bind", f"{src}:{dst}"]
        if getattr(self, "store", None):
            cmd += ["--bind-ro", "/nix/store"]
        # java is reached through /etc/alternatives, which the volatile /etc lacks.
        import glob
        for d in ["/etc/alternatives", "/etc/ssl/certs/java"] + \
                [p[len(ROOT.rstrip("/")):] for p in glob.glob(in_root("/etc/java-*-openjdk"))]:
            if os.path.isdir(in_root(d)):
                cmd += ["--bind-ro", f"{in_root(d)}:{d}"]
        cmd += [self.units, self.results]
        return subprocess.run(cmd).returncode

    # -- reading what happened -------------------------------------------
    def read(self, rel, default=None):
        try:
            with open(os.path.join(self.results, rel)) as f:
                return f.read()
        except FileNotFoundError:
            if default is not None:
                return default
            raise AssertionError(f"{rel}: not written (the service did not run?)")

    def show(self, unit):
        props = {}
        for line in self.read(f"cases/{unit}.show").splitlines():
            k, _, v = line.partition("=")
            props[k] = v
        return props

    def rc(self, unit):
        return int(self.read(f"cases/{unit}.rc").strip())

    def dropin(self, unit):
        d = os.path.join(self.results, "generator", unit + ".d")
        texts = []
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            with open(os.path.join(d, name)) as f:
                texts.append(f.read())
        return "\n".join(texts)

    def binds(self, unit, optional=True):
        """(source, dest) of every BindReadOnlyPaths= in the unit's drop-in, but the
        one that covers the root's own RuntimeDirectory= at /run/confinement/%n/root
        (the probe does not walk /run/confinement); without optional, not those
        with a "-" prefix, which systemd skips where the source does not exist
        (the journal's syslog socket where no syslog daemon is installed)."""
        out = []
        for line in self.dropin(unit).splitlines():
            if not line.startswith("BindReadOnlyPaths=") or line.endswith(":/run/confinement/%n/root"):
                continue
            for word in re.findall(r"(?:\\.|[^\s\\])+", line[len("BindReadOnlyPaths="):]):
                if word.startswith("-") and not optional:
                    continue
                word = word.lstrip("-")
                parts = re.split(r"(?<!\\):", word)
                src = re.sub(r"\\(.)", r"\1", parts[0]).replace("%%", "%")
                dst = re.sub(r"\\(.)", r"\1", parts[1]).replace("%%", "%") if len(parts) > 1 else src
                out.append((src, dst))
        return out

    def walk(self, name):
        entries = {}
        for line in self.read(f"{name}.walk").splitlines():
            t, mode, uid, w, onroot, path = line.split(" ", 5)
            entries[path] = dict(type=t, mode=int(mode, 8), uid=int(uid), writable=w == "1",
                                 onroot=onroot == "1")
        return entries


def ancestors(path):
    parts = path.strip("/").split("/")
    return {"/" + "/".join(parts[:i]) for i in range(len(parts))} | {"/"}


def under(path, top):
    return path == top or path.startswith(top.rstrip("/") + "/")


# Mount points that systemd itself creates, empty, for ProtectSystem=/ProtectHome=
# (DynamicUser=yes implies both): they hold nothing of the host.
SYSTEMD_EMPTY_MOUNT_POINTS = {"/etc", "/usr", "/root", "/home", "/run/user", "/boot", "/efi",
                              "/dev", "/proc", "/sys"}


def is_empty_dir(tree, path):
    return tree[path]["type"] == "d" and not any(p.startswith(path + "/") for p in tree)


def check_tree(s, case, unit, mode, user, private_tmp, declared):
    """The rules every confined service's view obeys (SPEC 4, 'What the service sees')."""
    tree = s.walk(case)
    binds = s.binds(unit)
    dests = {d for _, d in binds} | {"/run/systemd/journal/socket", "/run/systemd/journal/stdout",
                                     "/run/systemd/journal/dev-log", "/run/systemd/journal/syslog",
                                     "/run/systemd/system"}
    allowed_parents = set().union(*(ancestors(d) for d in dests | set(declared)))
    api = ["/run", "/var/run", "/var/lock"]  # /var/lock: the private /run/lock, as the host links it
    if mode == "full":
        api += ["/dev", "/proc", "/sys"]
    if private_tmp:
        api += ["/tmp", "/var/tmp"]
    allowed_parents |= set().union(*(ancestors(a) for a in api))
    problems = []
    exposure = 0
    for path, e in tree.items():
        visible_ok = ((path in SYSTEMD_EMPTY_MOUNT_POINTS and is_empty_dir(tree, path))
                      or path in allowed_parents or any(under(path, d) for d in dests)
                      or any(under(path, a) for a in api) or any(under(path, d) for d in declared))
        if not visible_ok:
            exposure += 1
            problems.append(f"visible but not in the closure: {path}")
        if e["type"] == "f" and e["mode"] & 0o6000:
            problems.append(f"setuid/setgid file visible: {path}")
        if e["writable"]:
            writable_ok = (any(under(path, d) for d in declared)
                           or under(path, "/run") or under(path, "/var/run") or under(path, "/var/lock")
                           or (private_tmp and (under(path, "/tmp") or under(path, "/var/tmp")))
                           or (mode == "full" and (under(path, "/dev") or under(path, "/proc")
                                                   or under(path, "/sys")))
                           or (user == "root" and e["onroot"]))
            if not writable_ok:
                problems.append(f"writable: {path}")
    if mode == "chroot":
        for p in ("/dev", "/proc", "/sys"):
            if p in tree and not is_empty_dir(tree, p):
                problems.append(f"{p} is mounted in chroot-only")
    if not private_tmp and "/tmp/e2e-host-canary" in tree:
        problems.append("the host's /tmp leaked in")
    for d in {d for _, d in s.binds(unit, optional=False)}:
        if d not in tree:
            problems.append(f"bound path missing inside: {d}")
    assert not problems, f"{case}: " + "; ".join(problems[:15]) + (
        f" (+{len(problems) - 15} more)" if len(problems) > 15 else "")
    return exposure


def define_cases(s):
    """Writes the units and the driver steps; returns the list of checks."""
    checks = []
    probe = f"{OPT}/probe"
    s.step("mkdir -p /var/tmp; echo canary > /tmp/e2e-host-canary; echo canary > /var/tmp/e2e-host-canary")

    # 1. The matrix: user x PrivateTmp x mode; the walk of each is checked path by path.
    for user, user_line in USERS.items():
        for tmp in ("ptmp", "noptmp"):
            for mode, mode_value in MODES.items():
                name = f"m-{user}-{tmp}-{mode}"
                s.unit(f"{name}.service", f"""
                    [Service]
                    Type=oneshot
                    ExecStart={probe} walk
                    StandardOutput=file:/results/{name}.walk
                    StateDirectory={name}
                    RuntimeDirectory={name}-rt
                    PrivateTmp={"yes" if tmp == "ptmp" else "no"}
                    {user_line}
                    [X-Confinement]
                    Mode={mode_value}
                """)
                s.start(f"{name}.service")
                private = tmp == "ptmp" or user == "dyn"

                def check(name=name, user=user, mode=mode, private=private):
                    assert s.rc(f"{name}.service") == 0, s.read(f"cases/{name}.service.status")
                    exposure = check_tree(s, name, f"{name}.service", mode, user, private,
                                          [f"/var/lib/{name}", f"/run/{name}-rt"])
                    s.exposure[name] = exposure
                check.__name__ = f"matrix_{user}_{tmp}_{mode}_sees_only_closure_and_declared_dirs"
                checks.append(check)

    # 2. The cases of NixOS's test.
    s.unit("bind-etc.service", f"""
        [Service]
        Type=oneshot
        BindReadOnlyPaths=/etc
        ExecStart=/bin/sh -c 'test -s /etc/passwd && echo passwd-readable'
        StandardOutput=file:/results/bind-etc.out
        [X-Confinement]
    """)
    s.start("bind-etc.service")

    def units_own_bind_of_etc_still_works():
        assert s.read("bind-etc.out").strip() == "passwd-readable"
    checks.append(units_own_bind_of_etc_still_works)

    s.unit("symlink-pkg.service", f"""
        [Service]
        Type=oneshot
        ExecStart=/bin/sh -c 'read x < {OPT}/link-to-gotme; echo "$x"'
        StandardOutput=file:/results/symlink-pkg.out
        [X-Confinement]
        Packages={OPT}/link-to-gotme
    """)
    s.start("symlink-pkg.service")

    def symlinked_package_path_is_readable_at_the_link():
        assert s.read("symlink-pkg.out").strip() == "got me"
    checks.append(symlinked_package_path_is_readable_at_the_link)

    s.unit("state.service", f"""
        [Service]
        Type=oneshot
        StateDirectory=e2e-state
        ExecStart=/bin/sh -c 'if [ -e /tmp/canary ]; then echo tmp-survived; fi; echo run >> /var/lib/e2e-state/runs; while read l; do echo "$l"; done < /var/lib/e2e-state/runs; echo x > /tmp/canary'
        StandardOutput=append:/results/state.out
        [X-Confinement]
    """)
    s.start("state.service")
    s.step("systemctl restart state.service; echo $? > /results/cases/state-restart.rc")

    def state_directory_persists_across_restart_while_tmp_is_fresh():
        out = s.read("state.out").split()
        assert "tmp-survived" not in out, out
        assert out.count("run") == 3, out  # 1 line, then 2 lines after the restart
    checks.append(state_directory_persists_across_restart_while_tmp_is_fresh)

    s.unit("nobinsh.service", f"""
        [Service]
        Type=oneshot
        ExecStart={probe} walk
        StandardOutput=file:/results/nobinsh.walk
        [X-Confinement]
        BinSh=
    """)
    s.start("nobinsh.service")

    def empty_binsh_gives_no_bin_sh():
        tree = s.walk("nobinsh")
        assert "/bin/sh" not in tree and f"{OPT}/probe" in tree
    checks.append(empty_binsh_gives_no_bin_sh)

    s.unit("binsh-bash.service", f"""
        [Service]
        Type=oneshot
        ExecStart=/bin/sh -c 'echo "sh is bash $${{BASH_VERSINFO[0]}}"'
        StandardOutput=file:/results/binsh-bash.out
        [X-Confinement]
        BinSh=/usr/bin/bash
    """)
    s.start("binsh-bash.service")

    def binsh_can_be_another_program():
        out = s.read("binsh-bash.out")
        assert "sh is bash 5" in out, out
    checks.append(binsh_can_be_another_program)

    for name, full in (("env-default", "no"), ("env-full", "yes")):
        s.unit(f"{name}.service", f"""
            [Service]
            Type=oneshot
            Environment=FOOBAR={OPT}/data/eek
            ExecStart=/bin/sh -c 'if read x < "$FOOBAR"; then echo "$x"; else echo missing; fi'
            StandardOutput=file:/results/{name}.out
            [X-Confinement]
            FullUnit={full}
        """)
        s.start(f"{name}.service")

    def only_exec_programs_are_in_by_default():
        assert s.read("env-default.out").split("\n")[-2] == "missing", s.read("env-default.out")

    def full_unit_adds_files_named_in_environment():
        assert s.read("env-full.out").strip() == "eek"
    checks += [only_exec_programs_are_in_by_default, full_unit_adds_files_named_in_environment]

    s.unit("syscall-filter.service", f"""
        [Service]
        Type=oneshot
        SystemCallFilter=~mkdir mkdirat
        SystemCallErrorNumber=EPERM
        ExecStart={probe} mkdir /tmp/x
        StandardOutput=file:/results/syscall-filter.out
        [X-Confinement]
    """)
    s.start("syscall-filter.service")

    def units_own_system_call_filter_still_applies():
        assert s.read("syscall-filter.out").strip() == "mkdir EPERM", s.read("syscall-filter.out")
    checks.append(units_own_system_call_filter_still_applies)

    # 3. Beyond NixOS's test.
    s.unit("tmpl@.service", f"""
        [Service]
        Type=oneshot
        ExecStart=/bin/sh -c 'echo %i > /run/instance; read x < /run/instance; echo "%i saw $x"'
        ExecStart={probe} exists /run/confinement/%n
        StandardOutput=append:/results/tmpl-%i.out
        [X-Confinement]
    """)
    os.makedirs(f"{s.units}/e2e-instances.target.wants", exist_ok=True)
    for inst in ("a", "b"):
        os.symlink("../tmpl@.service", f"{s.units}/e2e-instances.target.wants/tmpl@{inst}.service")
    # An instance with a drop-in of its own that sorts after the generator's usual
    # name: its drop-in gets another name than the template's guard expects.
    write(f"{s.units}/tmpl@b.service.d/zzzz-extra.conf", "[Service]\nEnvironment=E2E_EXTRA=1\n")
    s.step("timeout 60 systemctl start tmpl@a.service tmpl@b.service")
    s.step("record tmpl@a.service; record tmpl@b.service")
    s.start("tmpl@unnamed.service")

    def template_instances_each_get_their_own_root():
        for inst in ("a", "b"):
            out = s.read(f"tmpl-{inst}.out").split("\n")
            assert out[0] == f"{inst} saw {inst}", out
            assert out[1] == "yes", out

    def instance_unknown_at_boot_runs_confined_when_only_arguments_name_the_instance():
        # SPEC 2, templates: %i in arguments does not make the closure instance-dependent.
        assert s.rc("tmpl@unnamed.service") == 0, s.read("cases/tmpl@unnamed.service.status")
        out = s.read("tmpl-unnamed.out").split("\n")
        assert out[0] == "unnamed saw unnamed" and out[1] == "yes", out
    checks += [template_instances_each_get_their_own_root,
               instance_unknown_at_boot_runs_confined_when_only_arguments_name_the_instance]

    s.unit("whole@.service", f"""
        [Service]
        Type=oneshot
        ExecStart={probe} walk
        StandardOutput=file:/results/whole.walk
        [X-Confinement]
    """)
    s.start("whole@anything.service")

    def template_without_instance_specifiers_confines_every_instance():
        tree = s.walk("whole")
        assert "/etc/os-release" not in tree and "/usr/bin/systemctl" not in tree, "not confined"
        assert f"{OPT}/probe" in tree
    checks.append(template_without_instance_specifiers_confines_every_instance)

    s.unit("vendor.service", f"""
        [Service]
        Type=oneshot
        ExecStart={probe} walk
        StandardOutput=file:/results/vendor.walk
    """)
    write(f"{s.units}/vendor.service.d/confine.conf", "[X-Confinement]\nMode=chroot-only\n")
    s.start("vendor.service")

    def vendor_unit_is_confined_by_a_dropin_alone():
        tree = s.walk("vendor")
        assert "/usr/bin/systemctl" not in tree and "/proc" not in tree, "not confined"
    checks.append(vendor_unit_is_confined_by_a_dropin_alone)

    s.unit("disabled.service", f"""
        [Service]
        Type=oneshot
        ExecStart=/bin/sh -c 'test -e /usr/bin/systemctl && echo yes || echo no'
        StandardOutput=file:/results/disabled.out
        [X-Confinement]
    """)
    write(f"{s.units}/disabled.service.d/50-off.conf", "[X-Confinement]\nEnable=no\n")
    s.start("disabled.service")

    def enable_no_in_later_dropin_turns_confinement_off():
        assert s.read("disabled.out").strip() == "yes"
    checks.append(enable_no_in_later_dropin_turns_confinement_off)

    s.unit("reload.service", f"""
        [Service]
        Type=oneshot
        ExecStart=/bin/sh -c 'test -e /usr/bin/systemctl && echo yes || echo no'
        StandardOutput=append:/results/reload.out
    """)
    s.start("reload.service")
    s.step("mkdir -p /run/systemd/system/reload.service.d && "
           "printf '[X-Confinement]\\n' > /run/systemd/system/reload.service.d/confine.conf && "
           "systemctl daemon-reload && ls -R /run/systemd/generator/reload.service.d > /results/reload-gen.txt 2>&1")
    s.start("reload.service")

    def change_is_picked_up_by_daemon_reload():
        assert s.read("reload.out").split() == ["yes", "no"], s.read("reload.out") + s.read("reload-gen.txt", "")
    checks.append(change_is_picked_up_by_daemon_reload)

    s.unit("env-shebang.service", f"""
        [Service]
        Type=oneshot
        ExecStartPre={OPT}/env-script
        ExecStart=/bin/sh -c 'read x < /run/pre-ran; echo "$x"'
        StandardOutput=file:/results/env-shebang.out
        [X-Confinement]
    """)
    s.start("env-shebang.service")

    def exec_start_pre_script_with_env_shebang_runs_and_run_persists():
        assert s.read("env-shebang.out").strip() == "bash 5"
    checks.append(exec_start_pre_script_with_env_shebang_runs_and_run_persists)

    if os.path.exists(in_root("/usr/bin/memcached")):
        s.unit("e2e-memcached.service", """
            [Service]
            DynamicUser=yes
            ExecStart=/usr/bin/memcached -l 127.0.0.1 -p 11211 -U 0
            [X-Confinement]
        """)
        s.start("e2e-memcached.service")
        s.step("ask_memcached 11211 > /results/memcached.out")
        s.step("record e2e-memcached.service")

    def real_daemon_memcached_answers_a_client_when_confined():
        assert os.path.exists(in_root("/usr/bin/memcached")), "memcached is not installed"
        assert s.show("e2e-memcached.service")["ActiveState"] == "active"
        assert s.read("memcached.out").startswith("VERSION "), s.read("memcached.out")
        assert "BindReadOnlyPaths=" in s.dropin("e2e-memcached.service")
    checks.append(real_daemon_memcached_answers_a_client_when_confined)

    # $ORIGIN of a program reached through a symlink, and java (SPEC 3, "Symlinks").
    for mode, mode_value in MODES.items():
        s.unit(f"origin-{mode}.service", f"""
            [Service]
            Type=oneshot
            ExecStart={OPT}/bin/origin-link
            StandardOutput=file:/results/origin-{mode}.out
            [X-Confinement]
            Mode={mode_value}
        """)
        s.start(f"origin-{mode}.service")

        def check(mode=mode):
            assert s.read(f"origin-{mode}.out").strip() == "origin lib says 42", \
                s.read(f"cases/origin-{mode}.service.status")
        check.__name__ = f"origin_of_symlinked_program_resolves_as_outside_in_{mode}"
        checks.append(check)

    java_home = realpath_in_root("/usr/bin/java").rsplit("/bin/", 1)[0] if os.path.exists(in_root("/usr/bin/java")) else None
    if java_home:
        s.unit("java.service", f"""
            [Service]
            Type=oneshot
            ExecStart=/usr/bin/java -version
            StandardError=file:/results/java.out
            [X-Confinement]
            Packages={java_home}
        """)
        s.start("java.service")

    def java_through_alternatives_links_runs_confined():
        assert java_home, "no java installed"
        out = s.read("java.out")
        assert "version" in out and "Runtime Environment" in out, out + s.read("cases/java.service.status")
        assert f"@\"{realpath_in_root('/usr/bin/java')}\" /usr/bin/java" in s.dropin("java.service")
    checks.append(java_through_alternatives_links_runs_confined)

    # A service built by Nix, in a unit that also runs an FHS program (issue 5).
    if s.store:
        st = s.store
        s.unit("store.service", f"""
            [Service]
            Type=oneshot
            ExecStart={st['cat']}/bin/cat {st['data']}/greeting
            ExecStart={probe} walk
            StandardOutput=append:/results/store.out
            [X-Confinement]
        """)
        s.start("store.service")

    def store_service_runs_and_sees_exactly_its_nix_closure():
        st = s.store
        assert st, "nix-build is not installed"
        lines = s.read("store.out").split("\n", 1)
        assert lines[0] == "hello from the store", lines[0] + s.read("cases/store.service.status")
        with open(f"{s.results}/store.walk", "w") as f:
            f.write(lines[1])
        tree = s.walk("store")
        seen = {p for p in tree if p.startswith("/nix/store/") and p.count("/") == 3}
        assert seen == st["closure"], f"seen {sorted(seen)}, nix-store -qR {sorted(st['closure'])}"
        assert st["neighbour"] not in tree
        check_tree(s, "store", "store.service", "full", "root", True, [])
    checks.append(store_service_runs_and_sees_exactly_its_nix_closure)

    # A program on a file system that fstab mounts after generators ran (issue 9).
    os.makedirs(f"{s.work}/late-src", exist_ok=True)
    shutil.copy(f"{s.opt}/probe", f"{s.work}/late-src/probe")
    write(f"{s.work}/fstab", "/srv/late-src /opt/late none bind,ro 0 0\n")
    s.extra_binds += [(f"{s.work}/late-src", "/srv/late-src"), (f"{s.work}/fstab", "/etc/fstab")]
    shutil.copy(f"{os.path.dirname(HERE)}/../units/systemd-confinement-reload.service", s.units)
    s.unit("late.service", f"""
        [Service]
        Type=oneshot
        RemainAfterExit=yes
        ExecStart=/opt/late/probe walk
        StandardOutput=file:/results/late.walk
        [X-Confinement]
    """)
    s.boot_wants.append("late.service")
    s.step("journalctl -b -o cat | grep -i confinement > /results/generator-log.txt; record late.service")

    def program_on_late_fstab_mount_is_confined_on_the_same_boot():
        # Only a deferred unit's blocking drop-in pulls the reload unit in.
        log = s.read("generator-log.txt")
        assert "Finished systemd-confinement-reload.service" in log, log
        assert s.show("late.service")["ActiveState"] == "active", s.read("cases/late.service.status")
        tree = s.walk("late")
        assert "/opt/late/probe" in tree and "/usr/bin/systemctl" not in tree, "not confined"
    checks.append(program_on_late_fstab_mount_is_confined_on_the_same_boot)

    # Issue 9: what happens around the generator must never unconfine a unit.
    confined_test = "/bin/sh -c 'test -e /usr/bin/systemctl && echo unconfined || echo confined'"
    s.unit("guard.service", f"""
        [Unit]
        AssertPathExists=/run/systemd/generator/systemd-confinement/%n
        [Service]
        Type=oneshot
        ExecStart={confined_test}
        StandardOutput=file:/results/guard.out
        [X-Confinement]
    """)
    s.start("guard.service")

    def guard_line_lets_the_confined_unit_start_with_the_generator():
        assert s.rc("guard.service") == 0, s.read("cases/guard.service.status")
        assert s.read("guard.out").strip() == "confined"
    checks.append(guard_line_lets_the_confined_unit_start_with_the_generator)

    # A user's drop-in bearing the generator's file name, in the highest-priority dir.
    s.unit("name-clash.service", f"""
        [Service]
        Type=oneshot
        ExecStart={confined_test}
        StandardOutput=append:/results/name-clash.out
        [X-Confinement]
    """)
    # A unit that must stay blocked although a later drop-in clears every assertion.
    s.unit("clear-asserts.service", f"""
        [Service]
        Type=oneshot
        ExecStart=/usr/bin/e2e-missing-program
        ExecStartPre=+/bin/sh -c 'echo ran > /results/clear-asserts.plus'
        [X-Confinement]
    """)
    # Another root in a drop-in: fails closed, naming that file.
    s.unit("own-root.service", f"""
        [Service]
        Type=oneshot
        ExecStart={confined_test}
        StandardOutput=file:/results/own-root.out
        [X-Confinement]
    """)
    # The unit's own word on a mode default wins: PrivateTmp=no in a later drop-in in /etc.
    s.unit("own-privatetmp.service", f"""
        [Service]
        Type=oneshot
        ExecStart={probe} walk
        StandardOutput=file:/results/own-privatetmp.walk
        [X-Confinement]
    """)
    write(f"{s.units}/own-privatetmp.service.d/zzzz-late.conf", "[Service]\nPrivateTmp=no\n")
    s.step("mkdir -p /etc/systemd/system.control/name-clash.service.d /run/systemd/system/clear-asserts.service.d"
           " /run/systemd/system/own-root.service.d")
    s.step("printf '[Service]\\nEnvironment=E2E=1\\n' > /etc/systemd/system.control/name-clash.service.d/zz-confinement.conf")
    s.step("printf '[Unit]\\nAssertPathExists=\\n' > /run/systemd/system/clear-asserts.service.d/zzzzzz-clear.conf")
    s.step("printf '[Service]\\nRootDirectory=/srv\\n' > /run/systemd/system/own-root.service.d/50-root.conf")
    s.step("systemctl daemon-reload")
    s.start("name-clash.service", "clear-asserts.service", "own-root.service", "own-privatetmp.service")

    def users_dropin_with_the_generators_file_name_does_not_unconfine():
        assert s.read("name-clash.out").strip() == "confined", s.read("cases/name-clash.service.status")
        names = [p.rsplit("/", 1)[1] for p in s.show("name-clash.service")["DropInPaths"].split()]
        assert "zz-confinement.conf" in names and len(names) == 2 and names[-1] > "zz-confinement.conf", names

    def later_dropin_clearing_all_assertions_does_not_unblock():
        assert s.rc("clear-asserts.service") != 0
        assert not os.path.exists(f"{s.results}/clear-asserts.plus"), "a + command ran"
        assert "blocked-missing-executable" in s.read("cases/clear-asserts.service.status")

    def root_directory_in_another_dropin_fails_closed_naming_the_file():
        assert s.rc("own-root.service") != 0
        status = s.read("cases/own-root.service.status")
        assert "/run/systemd/system/own-root.service.d/50-root.conf" in status, status
        assert not os.path.exists(f"{s.results}/own-root.out")

    def units_own_privatetmp_no_overrides_the_mode_default():
        tree = s.walk("own-privatetmp")
        assert "/tmp" not in tree and "/var/tmp" not in tree, [p for p in tree if "tmp" in p]
        assert "PrivateTmp=" not in s.dropin("own-privatetmp.service")
    checks += [users_dropin_with_the_generators_file_name_does_not_unconfine,
               later_dropin_clearing_all_assertions_does_not_unblock,
               root_directory_in_another_dropin_fails_closed_naming_the_file,
               units_own_privatetmp_no_overrides_the_mode_default]

    # Daemons that a user namespace would break: PrivateUsers= must stay off for them.
    if os.path.exists(in_root("/usr/bin/memcached")):
        s.unit("lowport.service", f"""
            [Service]
            ExecStart={OPT}/lowport-daemon.pl 97 65534
            [X-Confinement]
        """)
        s.unit("lowport-caps.service", """
            [Service]
            User=nobody
            AmbientCapabilities=CAP_NET_BIND_SERVICE
            ExecStart=/usr/bin/memcached -l 127.0.0.1 -p 98 -U 0
            [X-Confinement]
        """)
        s.start("lowport.service", "lowport-caps.service")
        s.step("ask_memcached 97 > /results/port97.out; ask_memcached 98 > /results/port98.out")
        s.step("record lowport.service; record lowport-caps.service")

    def root_daemon_on_low_port_that_drops_to_its_user_runs_confined():
        assert s.read("port97.out").strip() == "HELLO uid=65534", s.read("cases/lowport.service.status")
        assert "PrivateUsers" not in s.dropin("lowport.service")

    def unprivileged_daemon_granted_capabilities_gets_no_user_namespace():
        assert s.read("port98.out").startswith("VERSION"), s.read("cases/lowport-caps.service.status")
        assert "PrivateUsers" not in s.dropin("lowport-caps.service")
    checks += [root_daemon_on_low_port_that_drops_to_its_user_runs_confined,
               unprivileged_daemon_granted_capabilities_gets_no_user_namespace]

    # Many starts racing daemon-reload: each one confined, none failing.
    for i in range(8):
        s.unit(f"race-{i}.service", f"""
            [Service]
            Type=oneshot
            ExecStart={confined_test}
            StandardOutput=append:/results/race.out
            [X-Confinement]
        """)
    s.step("for round in 1 2 3 4 5; do"
           " for i in 0 1 2 3 4 5 6 7; do (systemctl start race-$i.service; echo $? >> /results/race.rc) & done;"
           " systemctl daemon-reload; wait; done")

    def starts_racing_daemon_reload_are_all_confined():
        out = s.read("race.out").split()
        rcs = s.read("race.rc").split()
        assert len(rcs) == 40 and set(rcs) == {"0"}, rcs
        assert len(out) == 40 and set(out) == {"confined"}, out
    checks.append(starts_racing_daemon_reload_are_all_confined)

    # 4. Fail closed, for real.
    fail_cases = {
        "fc-missing": "ExecStart=/usr/bin/e2e-does-not-exist\n",
        "fc-rdso": f"RootDirectoryStartOnly=yes\nExecStart={probe} exists /\n",
        "fc-lib": f"ExecStart={OPT}/needs-missing-lib\n",
    }
    for name, body in fail_cases.items():
        s.unit(f"{name}.service", f"""
            [Service]
            Type=oneshot
            ExecStartPre=+/bin/sh -c 'echo ran > /results/{name}.plus'
            ExecStartPre=-/bin/sh -c 'echo ran > /results/{name}.minus'
            {body}
            [X-Confinement]
        """)
        s.start(f"{name}.service")
    s.unit("neighbour.service", f"""
        [Service]
        Type=oneshot
        ExecStart=/bin/sh -c 'echo neighbour-ran'
        StandardOutput=file:/results/neighbour.out
    """)
    s.start("neighbour.service")

    causes = {"fc-missing": "missing-executable", "fc-rdso": "conflicting-setting",
              "fc-lib": "missing-library"}
    for name, slug in causes.items():
        def check(name=name, slug=slug):
            assert s.rc(f"{name}.service") != 0, "systemctl start succeeded"
            for suffix in ("plus", "minus"):
                assert not os.path.exists(f"{s.results}/{name}.{suffix}"), f"a {suffix} command ran"
            status = s.read(f"cases/{name}.service.status")
            assert "Blocked by systemd-confinement-generator" in status, status
            assert f"blocked-{slug}" in status, status
        check.__name__ = f"failclosed_{name.replace('-', '_')}_never_starts_and_status_says_why"
        checks.append(check)

    def unconfined_neighbour_still_runs():
        assert s.read("neighbour.out").strip() == "neighbour-ran"
    checks.append(unconfined_neighbour_still_runs)

    # 5. systemd's own view: verify, and the exposure score with and without.
    for name, section in (("sec-confined", "[X-Confinement]\n"), ("sec-plain", "")):
        s.unit(f"{name}.service", f"""
            [Service]
            ExecStart={probe} walk
            StandardOutput=null
            {section}
        """)
    s.step("systemd-analyze verify m-root-ptmp-full.service state.service > /results/verify.out 2>&1;"
           " echo $? > /results/verify.rc")
    s.step("for u in sec-confined sec-plain; do systemd-analyze security --no-pager $u.service"
           " > /results/$u.security 2>&1; done")

    def systemd_analyze_verify_accepts_the_dropins():
        out = s.read("verify.out")
        assert s.read("verify.rc").strip() == "0", out
        assert "confinement" not in out, out
    checks.append(systemd_analyze_verify_accepts_the_dropins)

    def security_exposure_is_lower_when_confined():
        scores = {}
        for u in ("sec-confined", "sec-plain"):
            m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", s.read(f"{u}.security"))
            assert m, s.read(f"{u}.security")
            scores[u] = float(m.group(1))
        s.scores = scores
        assert scores["sec-confined"] < scores["sec-plain"], scores
    checks.append(security_exposure_is_lower_when_confined)
    return checks


def define_cases_without_generator(s):
    """Where the generator is not installed, the guard line keeps the unit from starting."""
    s.unit("guard.service", f"""
        [Unit]
        AssertPathExists=/run/systemd/generator/systemd-confinement/%n
        [Service]
        Type=oneshot
        ExecStart=/bin/sh -c 'echo ran'
        StandardOutput=file:/results/guard.out
        [X-Confinement]
    """)
    s.unit("unguarded.service", f"""
        [Service]
        Type=oneshot
        ExecStart=/bin/sh -c 'echo ran'
        StandardOutput=file:/results/unguarded.out
        [X-Confinement]
    """)
    s.start("guard.service", "unguarded.service")

    def guard_line_keeps_unit_from_starting_without_the_generator():
        assert s.rc("guard.service") != 0
        assert not os.path.exists(f"{s.results}/guard.out"), "the guarded unit ran unconfined"
        # Without the guard systemd ignores [X-Confinement]: this is what the guard is for.
        assert s.read("unguarded.out").strip() == "ran"
    return [guard_line_keeps_unit_from_starting_without_the_generator]


def run_checks(checks):
    """Runs every check, printing PASS or FAIL with the reason; returns (passed, failed)."""
    passed = failed = 0
    for check in checks:
        try:
            check()
            passed += 1
            print(f"PASS {check.__name__}")
        except Exception as e:  # a case's failure must not hide the others
            failed += 1
            msg = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
            print(f"FAIL {check.__name__}: {msg}")
    return passed, failed


def main_for(label, prefix, prepare):
    """main() of a suite with one boot: prepare(suite) writes its fixtures and
    units and returns its checks. Usage: SCRIPT GENERATOR [--keep DIR]."""
    generator = os.path.abspath(sys.argv[1])
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    work = keep or tempfile.mkdtemp(prefix=prefix)
    if keep:
        shutil.rmtree(work, ignore_errors=True)
    s = Suite(generator, work)
    checks = prepare(s)
    rc = s.boot()
    print(f"{label}: boot finished with {rc}; results in {s.results}")
    passed, failed = run_checks(checks)
    if failed:
        print("driver log:\n" + s.read("driver.log", ""))
    print(f"{label}: {passed} passed, {failed} failed")
    if not keep and not failed:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed or rc != 0 else 0)


def main():
    generator = os.path.abspath(sys.argv[1])
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    work = keep or tempfile.mkdtemp(prefix="confinement-e2e.")
    if keep:
        shutil.rmtree(work, ignore_errors=True)
    s = Suite(generator, work)
    s.exposure, s.scores = {}, {}
    s.fixtures()
    checks = define_cases(s)
    rc = s.boot()
    print(f"e2e: boot finished with {rc}; results in {s.results}")
    bare = Suite(None, os.path.join(work, "no-generator"))
    bare.fixtures()
    checks += define_cases_without_generator(bare)
    rc_bare = bare.boot()
    print(f"e2e: boot without the generator finished with {rc_bare}")
    rc = rc or rc_bare
    passed, failed = run_checks(checks)
    if s.exposure:
        print("exposure (visible paths outside closure, declared dirs and API VFS): "
              + ", ".join(f"{k}={v}" for k, v in sorted(s.exposure.items())))
    if s.scores:
        print("systemd-analyze security exposure: confined %.1f, unconfined %.1f"
              % (s.scores["sec-confined"], s.scores["sec-plain"]))
    if failed:
        print("driver log:\n" + s.read("driver.log", ""))
    print(f"e2e: {passed} passed, {failed} failed")
    if not keep and not failed:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed or rc not in (0,) else 0)


if __name__ == "__main__":
    main()
