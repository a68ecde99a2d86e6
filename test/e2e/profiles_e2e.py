#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end proof of Profiles= under real systemd 252: boots its own
container (test/e2e/e2e.py's Suite) in which confined services resolve a host
name through NSS and /etc/hosts, verify a TLS server against a CA in the
system trust store, and format local time in the container's zone; each with
its profile, and each again without it, where it must fail.
Usage: profiles_e2e.py GENERATOR [--keep DIR]

The container's /etc is volatile, so the driver writes /etc/hosts,
/etc/nsswitch.conf, /etc/localtime and the trust store (update-ca-certificates
with the test CA) and then reloads systemd, which reruns the generator:
profiles are resolved from the files as they are when it runs.
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

PROF = f"{e2e.OPT}/prof"
PORT = 24433
ZONE = "Asia/Tokyo"  # JST, never the UTC a root without /etc/localtime falls back to


def make_ca(d):
    """A CA and a server certificate for 127.0.0.1 signed by it."""
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=e2e test CA",
            "-keyout", f"{d}/ca.key", "-out", f"{d}/local-ca/e2e-ca.crt")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", f"{d}/server.key", "-out", f"{d}/server.csr")
    e2e.write(f"{d}/san.ext", "subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", f"{d}/server.csr", "-CA", f"{d}/local-ca/e2e-ca.crt", "-CAkey", f"{d}/ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", f"{d}/san.ext", "-out", f"{d}/server.crt")


def fixtures(s):
    d = f"{s.opt}/prof"
    os.makedirs(f"{d}/local-ca", exist_ok=True)
    make_ca(d)
    if os.path.exists("/etc/ssl/openssl.cnf"):
        shutil.copy("/etc/ssl/openssl.cnf", f"{d}/openssl.cnf")
    e2e.write(f"{s.work}/sysusers.conf", "")


def setup_steps(s):
    """The container's /etc as a host would have it, then the generator again."""
    s.step(f"""
        printf '127.0.0.1 localhost\\n192.0.2.7 e2e-host\\n' > /etc/hosts
        printf 'passwd: files\\ngroup: files\\nhosts: files dns\\n' > /etc/nsswitch.conf
        ln -sf /usr/share/zoneinfo/{ZONE} /etc/localtime
        mkdir -p /etc/ssl/certs
        [ -f {PROF}/openssl.cnf ] && cp {PROF}/openssl.cnf /etc/ssl/openssl.cnf
        : > /etc/ca-certificates.conf
        update-ca-certificates --localcertsdir {PROF}/local-ca > /results/update-ca.log 2>&1
        ls -l /etc/ssl/certs >> /results/update-ca.log
        openssl s_server -accept 127.0.0.1:{PORT} -cert {PROF}/server.crt -key {PROF}/server.key -quiet \\
            > /results/s_server.log 2>&1 &
        for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/{PORT}) 2>/dev/null && break; sleep 0.1; done
        systemctl daemon-reload
        rm -rf /results/generator && cp -r /run/systemd/generator /results/generator
    """.strip())


def define_cases(s):
    checks = []
    setup_steps(s)
    commands = {
        "dns": "/usr/bin/getent hosts e2e-host",
        "tls": f"/usr/bin/openssl s_client -connect 127.0.0.1:{PORT} -verify_return_error -verify_ip 127.0.0.1 -brief",
        "timezone": "/usr/bin/date +%%Z",
    }
    for profile, command in commands.items():
        for with_profile in (True, False):
            name = f"prof-{profile}-{'with' if with_profile else 'without'}"
            s.unit(f"{name}.service", f"""
                [Service]
                Type=oneshot
                DynamicUser=yes
                StandardInput=null
                ExecStart={command}
                StandardOutput=file:/results/{name}.out
                StandardError=file:/results/{name}.err
                UnsetEnvironment=TZ
                [X-Confinement]
                {"Profiles=" + profile if with_profile else ""}
            """)
            s.start(f"{name}.service")

    def out(name):
        return s.read(f"{name}.out", "") + s.read(f"{name}.err", "")

    def dropin_has(name, path):
        return any(dst == path for _, dst in s.binds(f"{name}.service"))

    def dns_profile_resolves_a_host_name_through_nss_and_etc_hosts():
        name = "prof-dns-with"
        assert s.rc(f"{name}.service") == 0, s.read(f"cases/{name}.service.status") + out(name)
        assert "192.0.2.7" in out(name) and "e2e-host" in out(name), out(name)
        assert dropin_has(name, "/etc/hosts") and dropin_has(name, "/etc/nsswitch.conf"), s.dropin(f"{name}.service")

    def without_dns_profile_the_host_name_does_not_resolve():
        name = "prof-dns-without"
        assert s.rc(f"{name}.service") != 0, out(name)
        assert "192.0.2.7" not in out(name), out(name)

    def tls_profile_verifies_a_server_against_the_system_trust_store():
        name = "prof-tls-with"
        assert s.rc(f"{name}.service") == 0, s.read(f"cases/{name}.service.status") + out(name)
        assert "Verification: OK" in out(name), out(name)
        # The CA's link in /etc/ssl/certs leads out of the store's dirs: its target is bound too.
        assert any(src.endswith("/local-ca/e2e-ca.crt") for src, _ in s.binds(f"{name}.service")), \
            s.dropin(f"{name}.service")

    def without_tls_profile_verification_fails():
        name = "prof-tls-without"
        assert s.rc(f"{name}.service") != 0, out(name)
        assert "Verification: OK" not in out(name), out(name)

    def timezone_profile_formats_local_time_in_the_hosts_zone():
        name = "prof-timezone-with"
        assert s.rc(f"{name}.service") == 0, s.read(f"cases/{name}.service.status") + out(name)
        assert out(name).strip() == "JST", out(name)

    def without_timezone_profile_local_time_is_utc():
        name = "prof-timezone-without"
        assert s.rc(f"{name}.service") == 0, out(name)
        assert out(name).strip() == "UTC", out(name)

    checks += [dns_profile_resolves_a_host_name_through_nss_and_etc_hosts,
               without_dns_profile_the_host_name_does_not_resolve,
               tls_profile_verifies_a_server_against_the_system_trust_store,
               without_tls_profile_verification_fails,
               timezone_profile_formats_local_time_in_the_hosts_zone,
               without_timezone_profile_local_time_is_utc]
    return checks


def prepare(s):
    fixtures(s)
    return define_cases(s)


def main():
    e2e.main_for("profiles e2e", "confinement-profiles-e2e.", prepare)


if __name__ == "__main__":
    main()
