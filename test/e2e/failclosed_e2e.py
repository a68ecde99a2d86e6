#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fail closed under real systemd 252, for three causes of the fail-closed matrix
(test/robustness/failclosed-matrix.py) that the main end-to-end suite does not
boot: a #! loop, a bad Mode=, a truncated ELF program. Each unit also has "+",
"-", "+-" and plain commands in ExecStartPre=/ExecStartPost=/ExecStopPost=,
each of which would leave a file in /results if it ran. Asserts that
`systemctl start` fails, no command ran, and `systemctl status` names the cause
(the cause in the description, the slug in the drop-in's file name); and that a
confined neighbour in the same boot still runs. Usage: failclosed_e2e.py GENERATOR [--keep DIR]

Prints 'e2e-failclosed: N passed, N failed'."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402

OPT = e2e.OPT
COMMAND_KINDS = ("ExecStartPre=+", "ExecStartPre=-", "ExecStartPre=+-", "ExecStartPost=", "ExecStopPost=+")


def blocked_unit(s, name, exec_start, confinement=""):
    lines = ["[Service]", "Type=oneshot"]
    lines += [f"{kind}/bin/sh -c 'echo ran > /results/{name}.ran{i}'" for i, kind in enumerate(COMMAND_KINDS)]
    lines += [f"ExecStart={exec_start}", "[X-Confinement]", confinement]
    s.unit(f"{name}.service", "\n".join(lines) + "\n")
    s.start(f"{name}.service")


def define_cases(s):
    opt = s.opt
    e2e.write(f"{opt}/loop-a", f"#!{OPT}/loop-b\n", 0o755)
    e2e.write(f"{opt}/loop-b", f"#!{OPT}/loop-a\n", 0o755)
    e2e.write(f"{s.work}/trunc.c", '#include <stdio.h>\nint main(void) { return puts("ran") < 0; }\n')
    subprocess.run(["cc", "-o", f"{opt}/truncated", f"{s.work}/trunc.c"], check=True)
    with open(f"{opt}/truncated", "r+b") as f:
        f.truncate(4096)  # the dynamic section lies beyond the end

    blocked_unit(s, "fc-shebang-loop", f"{OPT}/loop-a")
    blocked_unit(s, "fc-bad-mode", "/bin/true", "Mode=sandbox")
    blocked_unit(s, "fc-truncated-elf", f"{OPT}/truncated")
    s.unit("fc-neighbour.service", """
        [Service]
        Type=oneshot
        ExecStart=/bin/sh -c 'test ! -e /etc/passwd && echo confined'
        StandardOutput=file:/results/fc-neighbour.out
        [X-Confinement]
    """)
    s.start("fc-neighbour.service")

    def check_blocked(name, slug, cause):
        unit = f"{name}.service"
        assert s.rc(unit) != 0, f"systemctl start {unit} succeeded"
        ran = [f for f in os.listdir(s.results) if f.startswith(name + ".ran")]
        assert not ran, f"{unit}: commands ran: {ran}"
        status = s.read(f"cases/{unit}.status")
        assert f"zz-confinement-blocked-{slug}.conf" in status, status
        assert "Blocked by systemd-confinement-generator:" in status and cause in status, status
        show = s.show(unit)
        assert show.get("ActiveState") in ("inactive", "failed"), show

    def shebang_loop_is_blocked_and_no_command_runs():
        check_blocked("fc-shebang-loop", "interpreter-loop", "#! interpreters nest too deeply")

    def bad_mode_is_blocked_and_no_command_runs():
        check_blocked("fc-bad-mode", "bad-setting", "Mode=sandbox")

    def truncated_elf_is_blocked_and_no_command_runs():
        check_blocked("fc-truncated-elf", "bad-elf", "malformed ELF")

    def neighbour_in_the_same_boot_runs_confined():
        assert s.rc("fc-neighbour.service") == 0, s.read("cases/fc-neighbour.service.status")
        assert s.read("fc-neighbour.out").strip() == "confined"

    return [shebang_loop_is_blocked_and_no_command_runs, bad_mode_is_blocked_and_no_command_runs,
            truncated_elf_is_blocked_and_no_command_runs, neighbour_in_the_same_boot_runs_confined]


def prepare(s):
    # Only what boot() binds: the full fixtures (probe, Nix store) are not needed here.
    e2e.write(f"{s.work}/sysusers.conf", "u e2e-user - \"e2e static user\"\n")
    return define_cases(s)


def main():
    e2e.main_for("e2e-failclosed", "confinement-failclosed-e2e.", prepare)


if __name__ == "__main__":
    main()
