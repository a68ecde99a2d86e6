#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""systemd-confinement-learn under real systemd: in the daemon suite's throw-away
copy of this machine (daemons.py: nspawn overlay of /etc and /var, private
network), each of Debian's daemons below, as it ships, is learned unconfined
with its client as the probe and confined by what learn printed, applied as is
(--apply --runtime). It must be active, confined by the generator, and answer
its client on that first confined start (no restart). Prints per daemon the
lines learn wrote and how many it marks CHECK, and 'N passed, N failed'.
By default also haproxy and opensmtpd of the daemon suite (they chroot);
with --existing all ten of it.
Usage: learn_e2e.py GENERATOR [--keep DIR] [--only NAME,...] [--existing]"""
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "daemons"))
import daemons  # noqa: E402
from daemons import e2e  # noqa: E402

LEARN = os.path.join(HERE, "..", "..", "tools", "learn", "systemd-confinement-learn")
GENERATOR_IN = "/etc/systemd/system-generators/systemd-confinement-generator"

# Daemons no other test names. setup: what the container lacks, not the drop-in.
DAEMONS = [
    # expect: lines the learned drop-in must hold (what the generator cannot know)
    dict(name="apache2", unit="apache2.service", client="curl -fsS -o /dev/null http://127.0.0.1/",
         expect=["Packages=/etc/apache2", "Packages=/usr/bin/mkdir", "Packages=/usr/sbin/apache2",
                 "BindPaths=/var/log/apache2"]),
    dict(name="lighttpd", unit="lighttpd.service", client="curl -fsS -o /dev/null http://127.0.0.1/"),
    dict(name="dnsmasq", unit="dnsmasq.service",
         client="dig +time=2 +tries=1 @127.0.0.1 localhost A | grep -q 'status: NOERROR'"),
    # nspawn gives no CAP_SYS_TIME: chronyd -x leaves the clock alone, and the
    # unit's ConditionCapability=CAP_SYS_TIME is lifted (a container's limit, not
    # confinement's). The unit keeps ExecStart=!/usr/sbin/chronyd and User=_chrony.
    dict(name="chrony", unit="chrony.service", unitdropin="[Unit]\nConditionCapability=\n",
         setup="sed -i 's/^DAEMON_OPTS=.*/DAEMON_OPTS=\"-F 1 -x\"/' /etc/default/chrony",
         client="chronyc -n tracking | grep -q '^Reference ID'"),
    dict(name="mariadb", unit="mariadb.service", client="mariadb -NBe 'select 1' | grep -q '^1$'",
         # mariadbd is named only inside the unit's sh -c string
         expect=["Packages=/usr/sbin/mariadbd", "BindPaths=/var/lib/mysql", "BindPaths=/run/mysqld"]),
    dict(name="squid", unit="squid.service",
         client="curl -fsS -o /dev/null http://127.0.0.1:3128/squid-internal-mgr/info"),
]


def define(s, todo):
    os.symlink("/lib/systemd/system/rsyslog.service", f"{s.units}/syslog.service")
    shutil.copy(LEARN, f"{s.opt}/systemd-confinement-learn")
    # The daemon suite's clients use probe_tcp; learn runs probes with sh, so
    # it is a program here, not a bash function.
    e2e.write(f"{s.opt}/bin/probe_tcp", r"""
        #!/bin/bash
        # PORT [LINE]: what the server on 127.0.0.1:PORT says (to LINE), one attempt
        timeout 4 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 || exit 1
            [ -n "$1" ] && printf "%s\r\n\r\n" "$1" >&3
            timeout 2 cat <&3' "$1" "$2" 2>/dev/null
    """, 0o755)
    s.step(r"""
export PATH=/opt/e2e/bin:$PATH
# learn asks PID 1 over the system bus, as on any real system; e2e.target does not pull it in
systemctl start dbus.socket
echo canary > /etc/learn-host-canary
""")
    for d in todo:
        unit, name = d["unit"], d["name"]
        if d.get("unitdropin"):
            os.makedirs(f"{s.units}/{unit}.d", exist_ok=True)
            with open(f"{s.units}/{unit}.d/container.conf", "w") as f:
                f.write(d["unitdropin"])
        client = d["client"].replace("'", "'\\''")
        s.step(f"""
# ---- {name}
{d.get("setup", ":")}
timeout 300 /opt/e2e/systemd-confinement-learn {unit} --probe '{client}' --apply --runtime \\
    --generator {GENERATOR_IN} --output /results/{name}.learned > /results/{name}.learn.log 2>&1
echo $? > /results/{name}.learn-rc
systemctl is-active {unit} > /results/{name}.active
# the process that answers runs in the root: the host's canary is not in its view
pid=$(systemctl show -P MainPID {unit})
if [ "$pid" -gt 0 ] && [ -e /proc/$pid/root/usr ] && [ ! -e /proc/$pid/root/etc/learn-host-canary ]; then
    echo yes; else echo "no (MainPID $pid)"; fi > /results/{name}.in-root
timeout 20 bash -c '{client}' >/dev/null 2>&1; echo $? > /results/{name}.confined
systemctl show {unit} -p DropInPaths -p NRestarts -p ActiveState > /results/{name}.show
systemctl status --no-pager -l -n 30 {unit} > /results/{name}.status 2>&1
cp /run/systemd/generator/{unit}.d/*.conf /results/{name}.generated 2>/dev/null
systemctl stop {unit}
""")


def check(s, d):
    n = d["name"]
    problems = []
    if s.read(f"{n}.learn-rc", "x").strip() != "0":
        problems.append("learn --apply failed")
    if s.read(f"{n}.active", "").strip() != "active":
        problems.append("not active after learn --apply")
    if s.read(f"{n}.confined", "1").strip() != "0":
        problems.append("its client got no answer")
    if s.read(f"{n}.in-root", "").strip() != "yes":
        problems.append("the process that answered is not in the root: " + s.read(f"{n}.in-root", "(not checked)").strip())
    show = s.read(f"{n}.show", "")
    if "zz-confinement.conf" not in show or "50-confinement-learned.conf" not in show:
        problems.append("not confined by the generator with the learned drop-in")
    if "NRestarts=0" not in show:
        problems.append("restarted: not the first confined start")
    learned = s.read(f"{n}.learned", "").splitlines()
    problems += [f"learned no line {e}" for e in d.get("expect", []) if e not in learned]
    gen = s.read(f"{n}.generated", "")
    if "RootDirectory=" not in gen:
        problems.append("the generator wrote no root")
    if n == "chrony" and "PrivateUsers=yes" in gen:
        problems.append("PrivateUsers=yes for a unit with an ExecStart=! command")
    return problems


def main():
    generator = os.path.abspath(sys.argv[1])
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
    # Of the daemon suite's: by default the two that chroot (haproxy, opensmtpd:
    # the trace must follow them), with --existing all of them.
    # opensmtpd's processes chroot into /var/lib/opensmtpd/empty: seen only if the trace follows them.
    expect = dict(opensmtpd=["Packages=/var/lib/opensmtpd", "BindPaths=/var/spool/smtpd"])
    existing = [dict(name=d["name"], unit=d["unit"], client=d["client"], setup=d.get("setup", ":"),
                     expect=expect.get(d["name"], []))
                for d in daemons.DAEMONS if "--existing" in sys.argv or d["name"] in ("haproxy", "opensmtpd")]
    todo = DAEMONS + existing
    todo = [d for d in todo if not only or d["name"] in only]
    work = keep or tempfile.mkdtemp(prefix="confinement-learn.")
    if keep:
        shutil.rmtree(work, ignore_errors=True)
    s = e2e.Suite(generator, work)
    s.overlay = True
    s.fixtures()
    define(s, todo)
    rc = s.boot()
    print(f"learn: boot finished with {rc}; results in {s.results}")
    passed = failed = 0
    print(f"{'daemon':<12} {'result':<7} {'lines':<6} {'to check':<9}")
    for d in todo:
        n = d["name"]
        learned = s.read(f"{n}.learned", "")
        lines = [l for l in learned.splitlines() if l and not l.startswith(("#", "["))]
        checks = learned.count("# CHECK")
        problems = check(s, d)
        passed, failed = passed + (not problems), failed + bool(problems)
        print(f"{n:<12} {'ok' if not problems else 'FAIL':<7} {len(lines):<6} {checks:<9}")
        print("    " + learned.replace("\n", "\n    ").rstrip())
        if problems:
            print("    problems: " + "; ".join(problems))
            print("    " + s.read(f"{n}.learn.log", "(no log)").replace("\n", "\n    ")[-3000:])
            print("    " + s.read(f"{n}.status", "(no status)").replace("\n", "\n    ")[:2000])
    print(f"learn: {passed} passed, {failed} failed")
    sys.exit(1 if failed or rc else 0)


if __name__ == "__main__":
    main()
