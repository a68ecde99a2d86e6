#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Debian's daemons confined as they ship: each stock unit, started in a
throw-away copy of this machine (nspawn overlay of /etc and /var, private
network, host /usr read-only) first unconfined, then with one drop-in that
adds only what the generator cannot know, must answer a real client from
outside its root both times. Prints a table and 'N passed, N failed'.
With --harden, a third start adds Harden=yes to the drop-in: the daemon must
answer again, and the table gives its exposure with Harden= too.
Usage: daemons.py GENERATOR [--keep DIR] [--only NAME,...] [--harden]"""
import os
import re
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import e2e  # noqa: E402


def postgresql_version():
    """The major version of the postgresql the system under test ships (its one
    cluster dir in /etc/postgresql, made by the package): 15 on Debian 12, 17 on 13."""
    versions = sorted(os.listdir(e2e.in_root("/etc/postgresql")), key=int) if os.path.isdir(
        e2e.in_root("/etc/postgresql")) else []
    return versions[-1] if versions else "15"


# name, unit, what it is, the drop-in a user writes, a client command (run
# outside the root, in the container) that exits 0 only on a real answer.
# Optional: dropin_unit, where the user puts the drop-in (a template's
# "foo@.service" confines every instance); start, the unit started as Debian
# starts the daemon (its instance pulled in by another unit).
DAEMONS = [
    dict(name="nginx", unit="nginx.service", kind="web server",
         dropin="""
            [X-Confinement]
            Packages=/etc/nginx /usr/share/nginx /var/www
            Profiles=users
            [Service]
            BindPaths=/var/log/nginx /var/lib/nginx
         """,
         client="curl -fsS -o /dev/null http://127.0.0.1/"),
    dict(name="memcached", unit="memcached.service", kind="key-value cache",
         dropin="""
            [X-Confinement]
            # the wrapper is a Perl script (its interpreter's modules) that runs memcached by name
            Packages=/etc/memcached.conf /usr/lib/x86_64-linux-gnu/perl-base /usr/bin/memcached
            Profiles=users
         """,
         client="probe_tcp 11211 version | grep -q '^VERSION '"),
    dict(name="redis", unit="redis-server.service", kind="key-value store",
         dropin="""
            [X-Confinement]
            Packages=/etc/redis
            # redis 8 sets the locale it is given (LANG=C.UTF-8 where none is configured)
            Profiles=locale
         """,
         client="redis-cli -h 127.0.0.1 ping | grep -q PONG"),
    dict(name="mosquitto", unit="mosquitto.service", kind="message broker",
         dropin="""
            [X-Confinement]
            Packages=/etc/mosquitto
            Profiles=users
            [Service]
            BindPaths=/var/log/mosquitto /var/lib/mosquitto
         """,
         client="mosquitto_pub -h 127.0.0.1 -t e2e -m hello"),
    dict(name="haproxy", unit="haproxy.service", kind="load balancer",
         dropin="""
            [X-Confinement]
            # haproxy.cfg chroots into /var/lib/haproxy
            Packages=/etc/haproxy /var/lib/haproxy
            Profiles=users
            [Service]
            # made by tmpfiles on the host; the service's own /run is private
            BindPaths=/run/haproxy
         """,
         # Debian's haproxy.cfg has no frontend: give it one that answers.
         setup="printf 'frontend stats\\n    bind 127.0.0.1:8404\\n    mode http\\n    stats enable\\n"
               "    stats uri /stats\\n' >> /etc/haproxy/haproxy.cfg",
         client="probe_tcp 8404 'GET /stats HTTP/1.0' | grep -q '^HTTP/1.. 200'"),
    dict(name="unbound", unit="unbound.service", kind="DNS server",
         dropin="""
            [X-Confinement]
            # its ExecStartPre= helper script runs these by name
            Packages=/etc/unbound /usr/share/dns /usr/bin/setpriv /usr/bin/cp /usr/bin/mv
            Profiles=users
            [Service]
            BindPaths=/var/lib/unbound
         """,
         client="dig +time=2 +tries=1 @127.0.0.1 localhost A | grep -q 'status: NOERROR'"),
    dict(name="sshd", unit="ssh.service", kind="SSH server",
         dropin="""
            [X-Confinement]
            # OpenSSH 10 (Debian 13) runs each session by path: /usr/lib/openssh/sshd-session
            Packages=/etc/ssh /usr/share/openssh /usr/lib/openssh
            Profiles=users
         """,
         client="probe_tcp 22 | grep -q '^SSH-2.0-OpenSSH'"),
    dict(name="rsyslog", unit="rsyslog.service", kind="syslog daemon",
         dropin="""
            [X-Confinement]
            Packages=/etc/rsyslog.conf /etc/rsyslog.d /usr/lib/x86_64-linux-gnu/rsyslog
            # rsyslog.conf's $FileOwner root: it exits when it cannot look root up
            Profiles=users
            [Service]
            BindPaths=/var/log
         """,
         # syslog.socket starts rsyslog again, unconfined, as soon as anything logs
         # after the stop: stopped with it, and started again by the service's Requires=
         sockets="syslog.socket",
         client="logger -t e2e-syslog \"probe-$$\" && sleep 1 && grep -q \"probe-$$\" /var/log/syslog"),
    dict(name="opensmtpd", unit="opensmtpd.service", kind="mail transfer agent",
         dropin="""
            [X-Confinement]
            Packages=/etc/smtpd.conf /etc/aliases /etc/mailname /etc/hosts /var/lib/opensmtpd/empty
            # 7.6 (Debian 13) opens the system CA file at start
            Profiles=users tls
            [Service]
            BindPaths=/var/spool/smtpd
         """,
         # The package's debconf makes /etc/mailname only where it asked; a fresh
         # machine may have none, and a named path that does not exist refuses the unit.
         setup="[ -s /etc/mailname ] || echo localhost > /etc/mailname",
         client="probe_tcp 25 QUIT | grep -q '^220 '"),
    # Debian starts the cluster through postgresql.service, whose Wants= link to
    # postgresql@VERSION-main.service Debian's postgresql-generator makes at boot, in
    # parallel with ours: the drop-in on the template confines it all the same.
    dict(name="postgresql", unit=f"postgresql@{postgresql_version()}-main.service", kind="relational database",
         dropin_unit="postgresql@.service", start="postgresql.service",
         dropin="""
            [X-Confinement]
            # pg_ctlcluster is a Perl script (its modules) that runs install and id by name
            Packages=/etc/postgresql /etc/postgresql-common /usr/lib/postgresql /usr/share/postgresql /usr/share/postgresql-common /usr/share/perl5 /usr/share/perl /usr/lib/x86_64-linux-gnu/perl /usr/lib/x86_64-linux-gnu/perl-base /usr/bin/install /usr/bin/id
            # postgresql.conf names the locale initdb ran with: C.UTF-8 where none is configured
            Profiles=users locale timezone dns
            [Service]
            # data, logs, and the socket dir clients use (made by tmpfiles on the host)
            BindPaths=/var/lib/postgresql /var/log/postgresql /run/postgresql
            # the certificate a cluster made with ssl-cert installed serves (ssl = on on 13)
            BindReadOnlyPaths=-/etc/ssl/certs/ssl-cert-snakeoil.pem -/etc/ssl/private/ssl-cert-snakeoil.key
         """,
         client="runuser -u postgres -- psql -tA -c 'select 1' | grep -q '^1$'"),
    # Debian's redis-server@.service, one instance per /etc/redis/redis-NAME.conf,
    # started by systemctl start after boot; the drop-in is on the template.
    dict(name="redis@", unit="redis-server@e2e.service", kind="key-value store, template",
         dropin_unit="redis-server@.service",
         dropin="""
            [X-Confinement]
            # the instance's config, /etc/redis/redis-%i.conf (redis's own dir, bound whole)
            Packages=/etc/redis
            # redis 8 sets the locale it is given (LANG=C.UTF-8 where none is configured)
            Profiles=locale
         """,
         setup="install -o redis -g redis -m 640 /dev/null /etc/redis/redis-e2e.conf && "
               "sed -e 's/^port 6379/port 6390/' -e 's|^pidfile .*|pidfile /run/redis-e2e/redis-server.pid|' "
               "-e 's|^logfile .*|logfile /var/log/redis/redis-server-e2e.log|' /etc/redis/redis.conf "
               "> /etc/redis/redis-e2e.conf",
         client="redis-cli -h 127.0.0.1 -p 6390 ping | grep -q PONG"),
]


def dropin_text(d):
    """The user's drop-in, exactly as written above: [X-Confinement] keys, and the unit's own
    settings (BindPaths= for the dirs it writes) under [Service], as the README tells users."""
    return e2e.textwrap.dedent(d["dropin"]).strip() + "\n"


HARDEN_STEP = """
mkdir -p /run/systemd/system/{unit}.d
cat > /run/systemd/system/{unit}.d/harden.conf <<'DROPIN'
[X-Confinement]
Harden=yes
DROPIN
systemctl daemon-reload
# restart: a socket-activated daemon (rsyslog) may have been started again
systemctl restart {unit}; ready '{client}'; echo $? > /results/{name}.hardened
pid=$(systemctl show -P MainPID {unit})
if [ "$pid" -gt 0 ] && [ -e /proc/$pid/root/usr ] && [ ! -e /proc/$pid/root/etc/daemons-host-canary ]; then
    echo yes; else echo "no (MainPID $pid)"; fi > /results/{name}.hardened-in-root
grep Seccomp: /proc/$(systemctl show -p MainPID --value {unit})/status > /results/{name}.hardened-seccomp
systemctl status --no-pager -l -n 30 {unit} > /results/{name}.hardened-status 2>&1
journalctl -b --no-pager -o cat -u {unit} | tail -30 > /results/{name}.hardened-journal
systemd-analyze security --no-pager {unit} > /results/{name}.security-hardened 2>&1
cp /run/systemd/generator/{unit}.d/*.conf /results/{name}.hardened-generated 2>/dev/null
systemctl stop {unit}
"""


def define(s, daemons, harden=False):
    s.overlay = True
    # The test's unit dir hides the host's /etc/systemd/system, where the alias
    # that syslog.socket activates (syslog.service) lives.
    os.symlink("/lib/systemd/system/rsyslog.service", f"{s.units}/syslog.service")
    s.step(r"""
probe_tcp() {  # PORT [LINE]: what the server on 127.0.0.1:PORT says (to LINE), one attempt
    timeout 4 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 || exit 1
        [ -n "$1" ] && printf "%s\r\n\r\n" "$1" >&3
        timeout 2 cat <&3' "$1" "$2" 2>/dev/null
}
ready() {  # CLIENT: retried until it succeeds, for at most 20 s
    local deadline=$((SECONDS + 20))
    while [ $SECONDS -lt $deadline ]; do
        timeout 5 bash -c "$1" >/dev/null 2>&1 && return 0
        sleep 0.3
    done
    return 1
}
export -f probe_tcp
echo canary > /etc/daemons-host-canary
""")
    for d in daemons:
        unit, name = d["unit"], d["name"]
        dropin_unit, start = d.get("dropin_unit", unit), d.get("start", unit)
        text = dropin_text(d)
        d["lines"] = len([l for l in text.splitlines() if l and not l.startswith(("[", "#"))])
        client = d["client"].replace("'", "'\\''")
        s.step(f"""
# ---- {name}
{d.get("setup", ":")}
systemctl start {start}; ready '{client}'; echo $? > /results/{name}.unconfined
systemd-analyze security --no-pager {unit} > /results/{name}.security-unconfined 2>&1
systemctl stop {start} {unit} {d.get("sockets", "")}
mkdir -p /run/systemd/system/{dropin_unit}.d
cat > /run/systemd/system/{dropin_unit}.d/confine.conf <<'DROPIN'
{text}DROPIN
systemctl daemon-reload
systemctl start {start}; ready '{client}'; echo $? > /results/{name}.confined
# the process that answered runs in the root: the host's canary is not in its view
pid=$(systemctl show -P MainPID {unit})
if [ "$pid" -gt 0 ] && [ -e /proc/$pid/root/usr ] && [ ! -e /proc/$pid/root/etc/daemons-host-canary ]; then
    echo yes; else echo "no (MainPID $pid)"; fi > /results/{name}.in-root
systemctl show {unit} -p DropInPaths -p ActiveState > /results/{name}.show
systemctl status --no-pager -l -n 30 {unit} > /results/{name}.status 2>&1
systemctl status --no-pager -l -n 10 syslog.socket >> /results/{name}.status 2>&1
journalctl -b --no-pager -o cat -u {unit} | tail -30 > /results/{name}.journal
systemd-analyze security --no-pager {unit} > /results/{name}.security-confined 2>&1
cp /run/systemd/generator/{dropin_unit}.d/*.conf /results/{name}.generated 2>/dev/null
systemctl stop {start} {unit}
""")
        if harden:
            s.step(HARDEN_STEP.format(unit=unit, name=name, client=client))


def exposure(s, name, which):
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", s.read(f"{name}.security-{which}", ""))
    return float(m.group(1)) if m else None


def main():
    generator = os.path.abspath(sys.argv[1])
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
    work = keep or tempfile.mkdtemp(prefix="confinement-daemons.")
    if keep:
        shutil.rmtree(work, ignore_errors=True)
    daemons = [d for d in DAEMONS if not only or d["name"] in only]
    missing = [d["name"] for d in daemons if not os.path.exists(e2e.in_root(f"/lib/systemd/system/{d['unit'].split('@')[0]}"
                                                                 + ("@.service" if "@" in d["unit"] else "")))]
    s = e2e.Suite(generator, work)
    s.fixtures()
    harden = "--harden" in sys.argv
    define(s, daemons, harden)
    rc = s.boot()
    print(f"daemons: boot finished with {rc}; results in {s.results}")
    passed = failed = 0
    scores = []
    print(f"{'daemon':<12} {'kind':<22} {'unconfined':<11} {'confined':<9} {'drop-in lines':<14} exposure unconfined -> confined"
          + (" -> hardened" if harden else ""))
    for d in daemons:
        n = d["name"]
        unconf = s.read(f"{n}.unconfined", "1").strip() == "0"
        conf = s.read(f"{n}.confined", "1").strip() == "0"
        applied = "zz-confinement.conf" in s.read(f"{n}.show", "")
        in_root = s.read(f"{n}.in-root", "").strip() == "yes"
        hard_ok = not harden or (s.read(f"{n}.hardened", "1").strip() == "0"
                                 and "# Harden=yes" in s.read(f"{n}.hardened-generated", "")
                                 and s.read(f"{n}.hardened-in-root", "").strip() == "yes"
                                 and bool(re.search(r"Seccomp:\s*2", s.read(f"{n}.hardened-seccomp", ""))))
        ok = unconf and conf and applied and in_root and hard_ok
        passed, failed = passed + ok, failed + (not ok)
        e_u, e_c = exposure(s, n, "unconfined"), exposure(s, n, "confined")
        print(f"{n:<12} {d['kind']:<22} {'ok' if unconf else 'FAIL':<11} {'ok' if conf and applied and in_root else 'FAIL':<9} "
              f"{d['lines']:<14} {e_u} -> {e_c}" + (f" -> {exposure(s, n, 'hardened')}" if harden else "")
              + ("" if hard_ok else "  (FAIL with Harden=yes)"))
        if harden:
            scores.append(exposure(s, n, "hardened"))
        if not hard_ok:
            print("    " + s.read(f"{n}.hardened-status", "(no status)").replace("\n", "\n    ")[:3000])
        if not ok:
            if not in_root:
                print(f"    the process that answered is not in the root: {s.read(f'{n}.in-root', '(not checked)').strip()}")
            print("    " + s.read(f"{n}.status", "(no status)").replace("\n", "\n    ")[:3000])
    known = [x for x in scores if x is not None]
    if known:
        print(f"daemons: median exposure with Harden=yes {statistics.median(known):.2f}")
    if missing:
        print("not installed: " + ", ".join(missing))
    print(f"daemons: {passed} passed, {failed} failed")
    sys.exit(1 if failed or rc else 0)


if __name__ == "__main__":
    main()
