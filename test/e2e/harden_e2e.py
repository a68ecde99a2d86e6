#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end proof of Harden= under real systemd 252: one boot (test/e2e/e2e.py's
Suite) in which confined services with Harden=yes try, one setting at a time,
what that setting takes away (set the clock, change the hostname, read the
kernel log, make a SUID file, switch personality, go realtime, make a
namespace, map W+X memory, see another process or /proc/meminfo, open a
netlink, packet or raw socket, call a system call outside @system-service, run
a 32-bit program, keep privileges through exec, hold capabilities); each again
with that one setting set by the unit itself, where it must work: the unit's
own value wins, and the attempt can succeed in this container. Then the
decisions from the closure: a setuid program keeps working, a program that
lists interfaces gets netlink, a JIT runtime keeps W+X memory.
Usage: harden_e2e.py GENERATOR [--keep DIR]
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = f"{e2e.OPT}/harden/probe"
ROOT_KEEPS_SYS_ADMIN = "CapabilityBoundingSet=~CAP_SYS_MODULE"

# name: (what the protection is, probe actions, lines both units share,
#        {action: outcome with Harden=yes}, the unit's own setting, {action: outcome with it})
# An outcome is "ok" or "err ERRNO-NAME" as the probe prints it.
SETTINGS = {
    # nspawn refuses the @clock calls to every process of the container (it has no
    # CAP_SYS_TIME): that the unit's own ProtectClock=no is what systemd applies is
    # shown by systemctl show, not by a call that succeeds.
    "clock": ("ProtectClock=: no @clock system call, not even a read-only adjtimex()",
              ["adjtime", "settime"], "", {"adjtime": "err EPERM", "settime": "err EPERM"}, "ProtectClock=no", {}),
    # ProcSubset=pid would hide /proc/kmsg in both: both units show all of /proc.
    "kernel-logs": ("ProtectKernelLogs=: /proc/kmsg is an inaccessible node",
                    ["kmsg-node"], "ProcSubset=all", {"kmsg-node": "err EACCES"},
                    "ProtectKernelLogs=no", {"kmsg-node": "ok"}),
    "suid": ("RestrictSUIDSGID=: no file with the setuid bit can be made",
             ["suid"], "StateDirectory=%N", {"suid": "err EPERM"}, "RestrictSUIDSGID=no", {"suid": "ok"}),
    "personality": ("LockPersonality=: personality() cannot change the execution domain",
                    ["personality"], "", {"personality": "err EPERM"}, "LockPersonality=no", {"personality": "ok"}),
    "realtime": ("RestrictRealtime=: no realtime scheduling",
                 ["realtime"], "", {"realtime": "err EPERM"}, "RestrictRealtime=no", {"realtime": "ok"}),
    "namespaces": ("RestrictNamespaces=: no new namespace, not even an unprivileged user namespace",
                   ["userns"], "", {"userns": "err EPERM"}, "RestrictNamespaces=no", {"userns": "ok"}),
    "wx-memory": ("MemoryDenyWriteExecute=: no memory both writable and executable",
                  ["wx-memory"], "", {"wx-memory": ("err EPERM", "err EACCES")},  # seccomp (252) or the kernel's
                  "MemoryDenyWriteExecute=no", {"wx-memory": "ok"}),                 # PR_SET_MDWE (257 and later)
    # Another user's process: as a dynamic user, PID 1 (root) is not its own.
    "proc-invisible": ("ProtectProc=invisible: other users' processes are not in /proc",
                       ["proc-pid1"], "DynamicUser=yes", {"proc-pid1": "err ENOENT"},
                       "ProtectProc=default", {"proc-pid1": "ok"}),
    "proc-subset": ("ProcSubset=pid: /proc holds the processes only, no /proc/meminfo",
                    ["proc-meminfo"], "", {"proc-meminfo": "err ENOENT"}, "ProcSubset=all", {"proc-meminfo": "ok"}),
    "address-families": ("RestrictAddressFamilies=: no netlink or packet socket, internet sockets still work",
                         ["netlink", "packet", "inet"], "",
                         {"netlink": "err EAFNOSUPPORT", "packet": "err EAFNOSUPPORT", "inet": "ok"},
                         "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
                         {"netlink": "ok", "packet": "err EAFNOSUPPORT", "inet": "ok"}),
    "raw-socket": ("CapabilityBoundingSet=: root has no CAP_NET_RAW, so no raw socket",
                   ["raw-icmp"], "", {"raw-icmp": "err EPERM"}, ROOT_KEEPS_SYS_ADMIN, {"raw-icmp": "ok"}),
    "syscall-filter": ("SystemCallFilter=@system-service: a call of @mount fails with EPERM",
                       ["umount", "inet"], "", {"umount": "err EPERM", "inet": "ok"},
                       "SystemCallFilter=@system-service @mount", {"umount": "err ENOENT", "inet": "ok"}),
}


def fixtures(s):
    d = f"{s.opt}/harden"
    os.makedirs(f"{d}/suid", exist_ok=True)
    os.makedirs(f"{d}/jvm", exist_ok=True)
    subprocess.run(["cc", "-O2", "-o", f"{d}/probe", f"{HERE}/harden-probe.c"], check=True)
    subprocess.run(["cc", "-O2", "-o", f"{d}/lister", f"{HERE}/harden-lister.c"], check=True)
    subprocess.run(["cc", "-O2", "-o", f"{d}/suid/probe-suid", f"{HERE}/harden-probe.c"], check=True)
    os.chown(f"{d}/suid/probe-suid", 65534, 65534)  # setuid to nobody: root running it becomes nobody
    os.chmod(f"{d}/suid/probe-suid", 0o4755)
    # A 32-bit program (gcc-multilib): native-only system calls refuse it.
    e2e.write(f"{s.work}/hello32.c", "int main(void) { return 0; }\n")
    subprocess.run(["cc", "-m32", "-static", "-o", f"{d}/hello32", f"{s.work}/hello32.c"], check=True)
    # What the generator takes for a JVM: it keeps W+X memory and all of /proc.
    e2e.write(f"{d}/jvm/libjvm.so", "not really a JVM\n")
    e2e.write(f"{s.work}/sysusers.conf", "")


def probe_unit(s, name, actions, lines, harden="yes", mode="full-apivfs", exec_start=None):
    text = ["[Service]", "Type=oneshot", f"ExecStart={exec_start or PROBE + ' ' + ' '.join(actions)}",
            f"StandardOutput=file:/results/{name}.out"]
    text += [l for l in lines if l] + ["[X-Confinement]", f"Mode={mode}", f"Harden={harden}"]
    s.unit(f"{name}.service", "\n".join(text) + "\n")
    s.start(f"{name}.service")


def outcomes(s, name):
    got = {}
    for line in s.read(f"{name}.out").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] in ("ok", "err"):
            got[parts[0]] = " ".join(parts[1:])
    return got


def status_fields(s, name):
    text = s.read(f"{name}.out")
    nnp = re.search(r"NoNewPrivs:\s*(\d)", text)
    bnd = re.search(r"CapBnd:\s*([0-9a-f]+)", text)
    euid = re.search(r"euid (\d+)", text)
    return (int(nnp.group(1)) if nnp else None, int(bnd.group(1), 16) if bnd else None,
            int(euid.group(1)) if euid else None)


def dropin_has(s, unit, line):
    return any(l == line for l in s.dropin(unit).splitlines())


def define(s):
    fixtures(s)
    checks = []

    for name, (what, actions, shared, want_on, own, want_own) in SETTINGS.items():
        key = own.split("=")[0]
        for unit, lines in ((f"h-{name}", [shared]), (f"h-{name}-own", [shared, own])):
            probe_unit(s, unit, actions, lines)
            s.step(f"systemctl show -p {key} {unit}.service > /results/{unit}.prop")

        def check(name=name, want_on=want_on, own=own, want_own=want_own, key=key):
            for unit, want in ((f"h-{name}", want_on), (f"h-{name}-own", want_own)):
                assert s.rc(f"{unit}.service") == 0, s.read(f"cases/{unit}.service.status")
                got = outcomes(s, unit)
                assert all(got.get(k) in (v if isinstance(v, tuple) else (v,)) for k, v in want.items()), \
                    f"{unit}: wanted {want}, saw {got}"
            # systemd applies the unit's own value, and Harden='s where the unit has none
            prop = s.read(f"h-{name}-own.prop").strip()
            assert prop.split("=", 1)[1] != s.read(f"h-{name}.prop").strip().split("=", 1)[1], \
                f"systemd reads the same {key}= with and without the unit's own {own}: {prop}"
            assert not any(l.startswith(key + "=") and l != own for l in s.dropin(f"h-{name}-own.service").splitlines()), \
                f"the generator wrote its own {key}= beside the unit's {own}"
        check.__name__ = f"harden_{name.replace('-', '_')}_holds_and_the_units_own_setting_wins"
        check.__doc__ = what
        checks.append(check)

    # ProtectHostname=: the service cannot rename the machine. Both units keep
    # CAP_SYS_ADMIN and sethostname() (Harden=yes takes both from root), so that
    # only ProtectHostname= differs; the driver restores the name.
    s.step("orig_hostname=$(hostname)")
    for unit, lines in (("h-hostname", []), ("h-hostname-own", ["ProtectHostname=no"])):
        probe_unit(s, unit, ["rename"], [ROOT_KEEPS_SYS_ADMIN, "SystemCallFilter=@system-service sethostname"] + lines)
        s.step(f"hostname > /results/{unit}.hostname; hostname \"$orig_hostname\"")

    def harden_hostname_holds_and_the_units_own_setting_wins():
        for unit in ("h-hostname", "h-hostname-own"):
            assert s.rc(f"{unit}.service") == 0, s.read(f"cases/{unit}.service.status")
        assert s.read("h-hostname.hostname").strip() != "harden-probe-renamed", s.read("h-hostname.out")
        assert outcomes(s, "h-hostname-own") == {"rename": "ok"}, s.read("h-hostname-own.out")
        assert s.read("h-hostname-own.hostname").strip() == "harden-probe-renamed"
    checks.append(harden_hostname_holds_and_the_units_own_setting_wins)

    # SystemCallArchitectures=native: a 32-bit program cannot make a system call.
    hello32 = f"{e2e.OPT}/harden/hello32"
    probe_unit(s, "h-arch", [], [], exec_start=hello32)
    probe_unit(s, "h-arch-own", [], ["SystemCallArchitectures=native x86"], exec_start=hello32)

    def harden_architectures_native_stops_a_32_bit_program_and_the_units_own_setting_wins():
        assert s.rc("h-arch.service") != 0, s.read("cases/h-arch.service.status")
        assert s.rc("h-arch-own.service") == 0, s.read("cases/h-arch-own.service.status")
    checks.append(harden_architectures_native_stops_a_32_bit_program_and_the_units_own_setting_wins)

    # NoNewPrivileges=, and the bounding sets of root and of another user.
    probe_unit(s, "h-nnp", ["status"], [])
    probe_unit(s, "h-nnp-own", ["status"], ["NoNewPrivileges=no"])
    probe_unit(s, "h-caps-user", ["status"], ["User=nobody"])
    probe_unit(s, "h-caps-user-own", ["status"], ["User=nobody", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE"])
    probe_unit(s, "h-caps-root", ["status"], [])

    def harden_no_new_privileges_holds_for_root_and_the_units_own_setting_wins():
        assert status_fields(s, "h-nnp")[0] == 1, s.read("h-nnp.out")
        assert status_fields(s, "h-nnp-own")[0] == 0, s.read("h-nnp-own.out")

    def harden_unprivileged_unit_has_no_capabilities_and_the_units_own_set_wins():
        assert status_fields(s, "h-caps-user")[1] == 0, s.read("h-caps-user.out")
        assert status_fields(s, "h-caps-user-own")[1] == 1 << 10, s.read("h-caps-user-own.out")

    def harden_root_unit_loses_kernel_capabilities_keeps_those_for_dropping_privileges():
        bnd = status_fields(s, "h-caps-root")[1]
        assert bnd is not None, s.read("h-caps-root.out")
        for cap, bit in (("CAP_SYS_ADMIN", 21), ("CAP_SYS_MODULE", 16), ("CAP_NET_RAW", 13), ("CAP_SYS_PTRACE", 19)):
            assert not bnd & (1 << bit), f"{cap} in {bnd:x}"
        for cap, bit in (("CAP_SETUID", 7), ("CAP_NET_BIND_SERVICE", 10), ("CAP_SYS_CHROOT", 18)):
            assert bnd & (1 << bit), f"{cap} not in {bnd:x}"
    checks += [harden_no_new_privileges_holds_for_root_and_the_units_own_setting_wins,
               harden_unprivileged_unit_has_no_capabilities_and_the_units_own_set_wins,
               harden_root_unit_loses_kernel_capabilities_keeps_those_for_dropping_privileges]

    # Decisions from the closure.
    # As root: for a unit that runs as another user systemd turns no_new_privs on
    # by itself as soon as any seccomp-based setting is there (the mode's
    # PrivateDevices= already), whatever NoNewPrivileges= says.
    probe_unit(s, "h-setuid", ["euid", "status"], [], exec_start=f"{e2e.OPT}/harden/suid/probe-suid euid status")
    probe_unit(s, "h-lister", [], [], exec_start=f"{e2e.OPT}/harden/lister")
    probe_unit(s, "h-jit", ["wx-memory", "proc-meminfo"], [])
    s.unit("h-jit.service.d/jvm.conf", f"[X-Confinement]\nPackages={e2e.OPT}/harden/jvm\n")
    probe_unit(s, "h-chroot-only", ["personality", "umount"], [], mode="chroot-only")
    probe_unit(s, "h-off", ["personality", "userns", "wx-memory", "netlink", "umount", "status"], [], harden="no")

    def harden_keeps_new_privileges_where_the_closure_holds_a_setuid_program():
        nnp, _, euid = status_fields(s, "h-setuid")
        assert not dropin_has(s, "h-setuid.service", "NoNewPrivileges=yes"), s.dropin("h-setuid.service")
        assert nnp == 0 and euid == 65534, s.read("h-setuid.out")

    def harden_allows_netlink_to_a_program_that_lists_interfaces():
        assert dropin_has(s, "h-lister.service", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK")
        assert s.read("h-lister.out").startswith("lister ok"), s.read("h-lister.out")

    def harden_keeps_wx_memory_and_all_of_proc_for_a_jit_runtime():
        assert outcomes(s, "h-jit") == {"wx-memory": "ok", "proc-meminfo": "ok"}, s.read("h-jit.out")
        assert "MemoryDenyWriteExecute" not in s.dropin("h-jit.service")

    def harden_in_chroot_only_mode_protects_the_rest_without_a_proc():
        assert s.rc("h-chroot-only.service") == 0, s.read("cases/h-chroot-only.service.status")
        assert "ProtectProc" not in s.dropin("h-chroot-only.service")
        assert "ProtectHostname" not in s.dropin("h-chroot-only.service")
        assert outcomes(s, "h-chroot-only") == {"personality": "err EPERM", "umount": "err EPERM"}, \
            s.read("h-chroot-only.out")

    def harden_no_adds_nothing():
        assert "Harden" not in s.dropin("h-off.service")
        got = outcomes(s, "h-off")
        want = {"personality": "ok", "userns": "ok", "wx-memory": "ok", "netlink": "ok", "umount": "err ENOENT"}
        assert all(got.get(k) == v for k, v in want.items()), got
    checks += [harden_keeps_new_privileges_where_the_closure_holds_a_setuid_program,
               harden_allows_netlink_to_a_program_that_lists_interfaces,
               harden_keeps_wx_memory_and_all_of_proc_for_a_jit_runtime,
               harden_in_chroot_only_mode_protects_the_rest_without_a_proc,
               harden_no_adds_nothing]

    s.step("systemd-analyze verify h-clock.service h-caps-user.service h-setuid.service"
           " > /results/verify.out 2>&1; echo $? > /results/verify.rc")

    def systemd_analyze_verify_accepts_the_hardened_dropins():
        out = s.read("verify.out")
        assert s.read("verify.rc").strip() == "0", out
    checks.append(systemd_analyze_verify_accepts_the_hardened_dropins)
    return checks


if __name__ == "__main__":
    e2e.main_for("harden_e2e", "confinement-harden.", define)
