#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every instance of an opted-in template confined (SPEC 2, templates; issue 14),
under real systemd 252: instances started by a target's Wants=, by `systemctl
start` after boot, and by a .wants link that another generator made (a tiny
generator beside ours, which ours cannot see) each run confined (the host's
files invisible) and read their own config file, bound through a specifier
(BindReadOnlyPaths=-.../%i.conf in the template's drop-in). A template whose
executable depends on the instance confines the instance the unit tree names
and refuses the others, the cause in `systemctl status`.
Usage: templates_e2e.py GENERATOR [--keep DIR]

Prints 'e2e-templates: N passed, N failed'."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402

OPT = e2e.OPT
CONFINED_TEST = "/bin/sh -c 'test -e /usr/bin/systemctl && echo unconfined || echo confined'"
INSTANCES = {"wants": "by_a_targets_wants", "later": "by_systemctl_start_after_boot",
             "gen": "by_another_generators_wants_link"}


def define_cases(s):
    units, opt = s.units, s.opt
    checks = []
    # The stock template and the user's drop-in on the template, as `systemctl edit tw@.service` writes it.
    s.unit("tw@.service", f"""
        [Service]
        Type=oneshot
        RemainAfterExit=yes
        ExecStartPre={CONFINED_TEST}
        ExecStart=/bin/cat {OPT}/tcfg/%i.conf
        StandardOutput=append:/results/tw-%i.out
    """)
    e2e.write(f"{units}/tw@.service.d/override.conf", "[X-Confinement]\n")
    for inst in INSTANCES:
        e2e.write(f"{opt}/tcfg/{inst}.conf", f"config of {inst}\n")
    e2e.write(f"{opt}/tcfg/secret.txt", "not for the instances\n")
    s.boot_wants.append("tw@wants.service")
    # Another generator, run in parallel with ours: its link is invisible to ours.
    e2e.write(f"{s.work}/e2e-wants-generator", """
        #!/bin/sh
        mkdir -p "$1/e2e.target.wants"
        ln -s /etc/systemd/system/tw@.service "$1/e2e.target.wants/tw@gen.service"
    """, 0o755)
    s.extra_binds.append((f"{s.work}/e2e-wants-generator", "/etc/systemd/system-generators/e2e-wants-generator"))
    # The boot's own starts may still run: wait for their jobs (a start of an active unit is a no-op).
    s.step("timeout 60 systemctl start tw@wants.service tw@gen.service")
    s.step("timeout 60 systemctl start tw@later.service; echo $? > /results/cases/tw@later.service.rc")
    for inst in INSTANCES:
        s.step(f"record tw@{inst}.service")

    for inst, how in INSTANCES.items():
        def check(inst=inst):
            unit = f"tw@{inst}.service"
            show = s.show(unit)
            assert show["ActiveState"] == "active", s.read(f"cases/{unit}.status")
            out = s.read(f"tw-{inst}.out").split("\n")
            assert out[0] == "confined", out
            assert out[1] == f"config of {inst}", out
            assert "/run/systemd/generator/tw@.service.d/zz-confinement.conf" in show["DropInPaths"], show
        check.__name__ = f"instance_started_{how}_runs_confined_with_its_config_bound_by_specifier"
        checks.append(check)

    def template_dropin_carries_the_specifier_for_systemd():
        text = s.dropin("tw@.service")
        assert f"BindReadOnlyPaths=-{OPT}/tcfg/%i.conf" in text, text
        assert "secret.txt" not in text, text
    checks.append(template_dropin_carries_the_specifier_for_systemd)

    # An executable that depends on the instance: the named instance only.
    for inst in ("one", "two"):
        e2e.write(f"{opt}/bin-{inst}/prog", "#!/bin/sh\ntest -e /usr/bin/systemctl && echo unconfined || echo confined\n",
                  0o755)
    s.unit("te@.service", f"""
        [Service]
        Type=oneshot
        ExecStart={OPT}/bin-%i/prog
        StandardOutput=file:/results/te-%i.out
        [X-Confinement]
    """)
    os.makedirs(f"{units}/e2e-named.target.wants", exist_ok=True)
    os.symlink("../te@.service", f"{units}/e2e-named.target.wants/te@one.service")
    s.start("te@one.service", "te@two.service")

    def instance_dependent_executable_confines_the_named_instance():
        assert s.rc("te@one.service") == 0, s.read("cases/te@one.service.status")
        assert s.read("te-one.out").strip() == "confined"

    def instance_dependent_executable_refuses_unnamed_instances_with_the_cause():
        assert s.rc("te@two.service") != 0
        assert not os.path.exists(f"{s.results}/te-two.out"), s.read("te-two.out")
        status = s.read("cases/te@two.service.status")
        assert "executable-depends-on-instance" in status, status
    checks += [instance_dependent_executable_confines_the_named_instance,
               instance_dependent_executable_refuses_unnamed_instances_with_the_cause]
    return checks


def prepare(s):
    e2e.write(f"{s.work}/sysusers.conf", "u e2e-user - \"e2e static user\"\n")
    return define_cases(s)


def main():
    e2e.main_for("e2e-templates", "confinement-templates-e2e.", prepare)


if __name__ == "__main__":
    main()
