#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Opting in as systemd 252 reads the unit tree (SPEC 1 and 5), under real systemd:
each case failed with the generator before these rules (the unit ran with the
host's root) and must now run confined (the host's files invisible) or refuse
to start. Usage: lookup_e2e.py GENERATOR [--keep DIR]

- instance-prefix dirs ("foo-@.service.d", "foo-@bar.service.d") opt instances in;
  a hidden drop-in (".x.conf") is no drop-in;
- an [X-Confinement] line that systemd does not read (after an invalid section
  header, after a line over 1 MiB, folded into a value by a trailing backslash)
  blocks the unit, the cause naming file and line;
- units the generator cannot see (a transient unit, an instance of a template
  made after boot) that an opted-in prefix dir matches refuse to start, while
  instances of a template confined as a whole still start confined;
- a user's drop-in with a 236-character name sorting last does not push the
  generator's name past NAME_MAX; a unit whose name leaves no room for "NAME.d/"
  is masked.

Prints 'e2e-lookup: N passed, N failed'."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402

CONFINED_TEST = "/bin/sh -c 'test -e /usr/bin/systemctl && echo unconfined || echo confined'"
LONG_DROPIN = "z" * 236 + ".conf"
LONG_UNIT = "c5" + "n" * (254 - 2 - len(".service")) + ".service"  # 254 characters


def oneshot(name, extra=""):
    return f"""
        [Service]
        Type=oneshot
        ExecStart={CONFINED_TEST}
        StandardOutput=file:/results/{name}.out
        {extra}
    """


def define_cases(s):
    units = s.units
    checks = []

    def confined(case, unit):
        def check():
            assert s.rc(unit) == 0, s.read(f"cases/{unit}.status")
            assert s.read(f"{case}.out").strip() == "confined", s.read(f"{case}.out")
        check.__name__ = f"{case.replace('-', '_')}_runs_confined"
        return check

    def refused(case, unit, *in_status):
        def check():
            assert s.rc(unit) != 0, f"systemctl start {unit} succeeded"
            assert not os.path.exists(f"{s.results}/{case}.out"), f"{unit} ran: " + s.read(f"{case}.out")
            status = s.read(f"cases/{unit}.status")
            for want in in_status:
                assert want in status, f"{want!r} not in: {status}"
        check.__name__ = f"{case.replace('-', '_')}_refuses_to_start"
        return check

    # -- Class 1: drop-in dirs as 252 reads them.
    # "c1pfx-@.service.d" applies to every instance of every "c1pfx-*@" template.
    s.unit("c1pfx-a@.service", oneshot("c1-every-instance"))
    e2e.write(f"{units}/c1pfx-@.service.d/confine.conf", "[X-Confinement]\n")
    s.start("c1pfx-a@x.service")
    checks.append(confined("c1-every-instance", "c1pfx-a@x.service"))

    # "c1ip-@one.service.d" applies to the instance "one" of every "c1ip-*@" template.
    s.unit("c1ip-b@.service", oneshot("c1-instance-%i"))
    e2e.write(f"{units}/c1ip-@one.service.d/confine.conf", "[X-Confinement]\n")
    s.start("c1ip-b@one.service", "c1ip-b@two.service")
    checks.append(confined("c1-instance-one", "c1ip-b@one.service"))

    def instance_prefix_dir_of_another_instance_does_not_apply():
        # systemd does not read c1ip-@one.service.d for "two": it is not opted in.
        assert "c1ip-@one.service.d" not in s.show("c1ip-b@two.service")["DropInPaths"]
        assert s.read("c1-instance-two.out").strip() == "unconfined"
    checks.append(instance_prefix_dir_of_another_instance_does_not_apply)

    def systemd_reads_the_instance_prefix_dirs():
        assert "/c1pfx-@.service.d/confine.conf" in s.show("c1pfx-a@x.service")["DropInPaths"]
        assert "/c1ip-@one.service.d/confine.conf" in s.show("c1ip-b@one.service")["DropInPaths"]
    checks.append(systemd_reads_the_instance_prefix_dirs)

    # A hidden Enable=no is not a drop-in.
    s.unit("c1hidden.service", oneshot("c1-hidden", "[X-Confinement]"))
    e2e.write(f"{units}/c1hidden.service.d/.off.conf", "[X-Confinement]\nEnable=no\n")
    s.start("c1hidden.service")
    checks.append(confined("c1-hidden", "c1hidden.service"))

    # The files the generator reads for a unit are the ones systemd reads
    # (FragmentPath and DropInPaths, less the generators' own output).
    read_units = ["c1pfx-a@x.service", "c1ip-b@one.service", "c1hidden.service", "c5longdropin.service",
                  "c3pfx-real.service", "c3pfx-tpl@later.service"]
    for u in read_units:
        s.step(f"systemctl show -P FragmentPath -P DropInPaths {u} > /results/{u}.systemd-read;"
               f" /etc/systemd/system-generators/systemd-confinement-generator --explain {u}"
               f" | grep '^# Read as systemd reads it: ' > /results/{u}.generator-read")

    def generator_reads_exactly_the_files_systemd_reads():
        def files(text):
            return {f for f in text.split() if f.startswith("/") and not f.startswith("/run/systemd/generator")}
        for u in read_units:
            ours = files(s.read(f"{u}.generator-read").partition(":")[2])
            theirs = files(s.read(f"{u}.systemd-read"))
            assert ours == theirs, f"{u}: generator {sorted(ours)} != systemd {sorted(theirs)}"
    checks.append(generator_reads_exactly_the_files_systemd_reads)

    # -- Class 2: the line counts, not the parse.
    bad = {
        "c2header": "[Service\nEnvironment=A=1\n[X-Confinement]\n",
        "c2longline": "[Service]\nEnvironment=A=" + "x" * (1024 * 1024 + 10) + "\n[X-Confinement]\n",
        "c2continued": "[Service]\nEnvironment=A=1 \\\n[X-Confinement]\n",
    }
    for name, text in bad.items():
        s.unit(f"{name}.service", oneshot(name))
        e2e.write(f"{units}/{name}.service.d/edit.conf", text)
        s.start(f"{name}.service")
        checks.append(refused(name, f"{name}.service", "blocked-unread-section",
                              f"/etc/systemd/system/{name}.service.d/edit.conf:3"))

    # -- Class 3: units the generator cannot see.
    e2e.write(f"{units}/c3pfx-.service.d/confine.conf", "[X-Confinement]\n")
    s.unit("c3pfx-real.service", oneshot("c3-real"))
    s.unit("c3pfx-tpl@.service", oneshot("c3-tpl-%i"))
    s.boot_wants.append("dbus.socket")
    s.start("c3pfx-real.service", "c3pfx-tpl@later.service")
    for unit, case in (("c3pfx-x", "c3-transient"), ("c3plain-x", "c3-control")):
        s.step(f"systemd-run --unit={unit} -p Type=oneshot -p StandardOutput=file:/results/{case}.out "
               f"{CONFINED_TEST} > /results/{case}.run 2>&1; echo $? > /results/{case}.rc")
    # A template made after boot, matched by an opted-in instance-prefix dir: 252
    # loads it on demand, without a reload and so without the generator.
    e2e.write(f"{units}/c3ip-@.service.d/confine.conf", "[X-Confinement]\n")
    s.step("mkdir -p /run/systemd/system && cat > /run/systemd/system/c3ip-new@.service <<'EOF'\n"
           + e2e.textwrap.dedent(oneshot("c3-later-template")).strip() + "\nEOF")
    s.start("c3ip-new@x.service")
    checks.append(confined("c3-real", "c3pfx-real.service"))
    checks.append(confined("c3-tpl-later", "c3pfx-tpl@later.service"))

    def transient_unit_matched_by_opted_in_prefix_dir_refuses_to_start():
        assert s.read("c3-control.rc").strip() == "0", s.read("c3-control.run")
        assert s.read("c3-control.out").strip() == "unconfined"
        assert s.read("c3-transient.rc").strip() != "0", s.read("c3-transient.run")
        assert not os.path.exists(f"{s.results}/c3-transient.out"), s.read("c3-transient.out")
    checks.append(transient_unit_matched_by_opted_in_prefix_dir_refuses_to_start)

    def later_template_matched_by_instance_prefix_dir_refuses_to_start():
        unit = "c3ip-new@x.service"
        assert "/run/systemd/system/c3ip-new@.service" in s.read(f"cases/{unit}.status"), \
            s.read(f"cases/{unit}.status")
        refused("c3-later-template", unit, "Assertion failed")()
    checks.append(later_template_matched_by_instance_prefix_dir_refuses_to_start)

    # -- Class 5: names.
    s.unit("c5longdropin.service", oneshot("c5-long-dropin", "[X-Confinement]"))
    e2e.write(f"{units}/c5longdropin.service.d/{LONG_DROPIN}", "[Service]\nEnvironment=A=1\n")
    s.start("c5longdropin.service")
    checks.append(confined("c5-long-dropin", "c5longdropin.service"))

    def generators_dropin_sorts_after_a_long_user_dropin():
        names = [p.rsplit("/", 1)[1] for p in s.show("c5longdropin.service")["DropInPaths"].split()]
        assert names[-1] > LONG_DROPIN and len(names[-1]) <= 255, names
    checks.append(generators_dropin_sorts_after_a_long_user_dropin)

    s.unit(LONG_UNIT, oneshot("c5-long-name", "[X-Confinement]"))
    # The name is too long for the driver's result files: recorded under a short one.
    s.step(f"timeout 60 systemctl start {LONG_UNIT} > /results/cases/c5-long-name.status 2>&1;"
           f" echo $? > /results/cases/c5-long-name.rc;"
           f" systemctl status --no-pager {LONG_UNIT} >> /results/cases/c5-long-name.status 2>&1")
    checks.append(refused("c5-long-name", "c5-long-name", "masked"))
    return checks


def prepare(s):
    e2e.write(f"{s.work}/sysusers.conf", "u e2e-user - \"e2e static user\"\n")
    return define_cases(s)


def main():
    e2e.main_for("e2e-lookup", "confinement-lookup-e2e.", prepare)


if __name__ == "__main__":
    main()
