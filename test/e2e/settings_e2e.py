#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Under real systemd (PID 1 in a container), one boot:

- "Unset" as systemd reads it (SPEC 4, the settings table): a unit whose drop-in
  says PrivateDevices= (empty) still gets a private /dev in full-apivfs: a device
  node the driver makes in the container's /dev before the start is absent inside.
  PrivateDevices=no then PrivateDevices= keeps no in systemd: that node is there.
- Safe paths (SPEC 4, "Binds"): a file bound from a directory that a non-root
  user owns blocks the unit; `systemctl status` names the directory and its
  owner, and no command runs. That user's directory bound whole is confined.
- Logging (SPEC 6): with no SYSTEMD_LOG_TARGET in PID 1's environment, the
  generator's error line for the blocked unit reaches /dev/kmsg (a FIFO bound
  there, read from the host while the container runs).
Usage: settings_e2e.py GENERATOR [--keep DIR]

Prints 'e2e-settings: N passed, N failed'."""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402

USER_UID = 1000  # owns the unsafe directory; it need not exist in the container


class KmsgFifo:
    """A FIFO standing in for /dev/kmsg; read (opened read-write, so it never sees
    end of file) by a thread while the container runs."""

    def __init__(self, path):
        self.path = path
        os.mkfifo(path)
        self.fd = os.open(path, os.O_RDWR)
        self.lines = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            *done, buf = buf.split(b"\n")
            self.lines += [d.decode(errors="replace") for d in done]


def define_cases(s):
    checks = []
    # -- class 4: PrivateDevices= empty ------------------------------------
    s.step("mknod /dev/e2e-host-node c 1 3")
    for name, own in (("pd-empty", "[Service]\nPrivateDevices=\n"),
                      ("pd-no-then-empty", "[Service]\nPrivateDevices=no\nPrivateDevices=\n")):
        s.unit(f"{name}.service", f"""
            [Service]
            Type=oneshot
            ExecStart=/bin/sh -c 'if test -e /dev/e2e-host-node; then echo host-dev; else echo private-dev; fi'
            StandardOutput=file:/results/{name}.out
            [X-Confinement]
        """)
        e2e.write(os.path.join(s.units, f"{name}.service.d", "50-own.conf"), own)
        s.start(f"{name}.service")

    def emptied_private_devices_still_gives_a_private_dev():
        assert s.rc("pd-empty.service") == 0, s.read("cases/pd-empty.service.status")
        assert s.read("pd-empty.out").strip() == "private-dev", s.read("pd-empty.out")

    def private_devices_no_then_empty_stays_no_as_systemd_reads_it():
        assert s.rc("pd-no-then-empty.service") == 0, s.read("cases/pd-no-then-empty.service.status")
        assert s.read("pd-no-then-empty.out").strip() == "host-dev", s.read("pd-no-then-empty.out")
    checks += [emptied_private_devices_still_gives_a_private_dev,
               private_devices_no_then_empty_stays_no_as_systemd_reads_it]

    # -- class 6: a bound file in a dir a non-root user owns ----------------
    user_dir = os.path.join(s.work, "userdir")
    e2e.write(f"{user_dir}/conf", "user's config\n")
    os.chown(user_dir, USER_UID, USER_UID)
    os.chmod(user_dir, 0o755)
    s.extra_binds.append((user_dir, "/opt/userdir"))
    for name, package in (("unsafe-file", "/opt/userdir/conf"), ("user-dir-whole", "/opt/userdir")):
        # A "+" command that could only write there if it ran unconfined.
        pre = f"ExecStartPre=-+/bin/sh -c 'echo ran > /results/{name}.ran'" if name == "unsafe-file" else ""
        s.unit(f"{name}.service", f"""
            [Service]
            Type=oneshot
            {pre}
            ExecStart=/bin/cat /opt/userdir/conf
            StandardOutput=file:/results/{name}.out
            [X-Confinement]
            Packages={package}
        """)
        s.start(f"{name}.service")

    def file_in_a_users_directory_blocks_the_unit_naming_dir_and_owner():
        unit = "unsafe-file.service"
        assert s.rc(unit) != 0, f"systemctl start {unit} succeeded"
        assert not os.path.exists(f"{s.results}/unsafe-file.ran"), "a command of the blocked unit ran"
        assert not os.path.exists(f"{s.results}/unsafe-file.out"), "the blocked unit ran"
        status = s.read(f"cases/{unit}.status")
        assert "zz-confinement-blocked-unsafe-path.conf" in status, status
        assert "/opt/userdir belongs to" in status and f"uid {USER_UID}" in status, status

    def users_directory_bound_whole_is_confined():
        assert s.rc("user-dir-whole.service") == 0, s.read("cases/user-dir-whole.service.status")
        assert s.read("user-dir-whole.out") == "user's config\n"
    checks += [file_in_a_users_directory_blocks_the_unit_naming_dir_and_owner,
               users_directory_bound_whole_is_confined]

    # -- class 7: the generator's error line reaches /dev/kmsg --------------
    s.step("tr '\\0' '\\n' < /proc/1/environ > /results/pid1.environ")
    s.unit("kmsg-blocked.service", """
        [Service]
        ExecStart=/nonexistent/e2e-program
        [X-Confinement]
    """)

    def generator_error_reaches_kmsg_with_no_log_target_set():
        env = s.read("pid1.environ")
        assert "SYSTEMD_LOG_TARGET" not in env, env
        lines = [line for line in s.kmsg.lines if "systemd-confinement-generator[" in line]
        for unit, cause in (("kmsg-blocked.service", "/nonexistent/e2e-program"),
                            ("unsafe-file.service", "/opt/userdir belongs to")):
            hits = [line for line in lines if line.startswith("<3>") and unit in line and cause in line]
            assert hits, f"no error line for {unit} in /dev/kmsg; generator lines:\n" + "\n".join(lines[:20])
    checks.append(generator_error_reaches_kmsg_with_no_log_target_set)
    return checks


def prepare(s):
    e2e.write(f"{s.work}/sysusers.conf", "u e2e-user - \"e2e static user\"\n")
    s.kmsg = KmsgFifo(os.path.join(s.work, "kmsg"))
    s.rw_binds.append((s.kmsg.path, "/dev/kmsg"))
    return define_cases(s)


def main():
    e2e.main_for("e2e-settings", "confinement-settings-e2e.", prepare)


if __name__ == "__main__":
    main()
