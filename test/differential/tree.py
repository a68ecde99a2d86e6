# SPDX-License-Identifier: LGPL-2.1-or-later
"""Random unit trees for the differential suite, reproducible from a seed.

Every file records, line by line, what it holds (section, key, value) and in
which *segment*: each file starts a segment with a mark line
(ExecStartPre=-/bin/true /opt/diff/m/ID), and every bad line is followed by a
new [Service] header and a new mark. systemd's ExecStartPre= list then says
which segments systemd parsed, and the generator's BindReadOnlyPaths= (the
mark is an existing file named as an argument, so a root of the closure)
which segments the generator parsed: the two are compared line-exactly
without modelling systemd's parser.

Each unit gets one *feature* (the thing under test) on top of benign
variation; the feature names the class of issue 13 it belongs to, so that a
violation is attributed to one class.
"""
import random

OPT = "/opt/diff"  # host work dir bound read-only into the container
MARKS = f"{OPT}/m"
PROBE = ("/bin/sh -c 'echo ran; for f in /opt/diff/canary /etc/diff-canary /usr/bin/systemctl; "
         "do test -e $$f && echo sees $$f; done; exit 0'")

# Container dirs systemd reads units from, and where the suite puts them on the host.
UNIT_DIRS = {
    "etc": "/etc/systemd/system",          # boot.sh's units dir
    "run": "/run/systemd/system",          # --bind-ro
    "ctl": "/etc/systemd/system.control",  # --bind-ro
    "usr": "/usr/lib/systemd/system",      # an overlay the driver mounts, then daemon-reload
}

# The settings the generator reads for its defaults and checks (lib/confine/unit-confine.c).
MODE_DEFAULTS = ["PrivateMounts", "MountAPIVFS", "PrivateDevices", "PrivateTmp",
                 "ProtectControlGroups", "ProtectKernelModules", "ProtectKernelTunables"]
BOOL_VALUES = ["yes", "no", "", "maybe", "1", "off", "TRUE", " yes"]
OTHER_VALUES = {
    "PrivateUsers": BOOL_VALUES,
    "ProtectSystem": ["yes", "full", "strict", "no", "", "bogus", "true"],
    "DynamicUser": ["yes", "no", "", "maybe"],
    "User": ["", "nobody", "root", "0"],
    "AmbientCapabilities": ["", "CAP_NET_BIND_SERVICE", "~"],
}
SETTINGS = MODE_DEFAULTS + list(OTHER_VALUES)

# feature -> issue 13 class ("-" for none: a violation there is a class beyond the list)
FEATURES = {
    "fragment": "-", "dropin-own": "-", "dropin-prefix": "-", "dropin-alias": "-",
    "linked": "-", "control": "-", "usr": "-", "shadowed-dropin": "-", "masked": "-",
    "template": "-", "enable-no": "-", "settings": "-", "not-opted-in": "-",
    "hidden-enable-no": "1", "hidden-optin": "1", "instance-prefix": "1",
    "instance-prefix-named": "1",
    "bad-header": "2", "long-line": "2", "continuation": "2", "non-utf8": "2", "nul": "2",
    "transient": "3", "late-instance": "3",
    "empty-value": "4", "rootdir-startonly-emptied": "4", "own-root": "-", "bad-xconf-value": "-",
    "shadowed-fragment": "-", "dropin-devnull": "-", "not-conf": "-", "linked-dropin-outside": "-",
    "started-by-alias": "-", "dropin-symlink": "-", "escaped-instance": "-", "misc-values": "-",
    "alias-prefix": "-", "dropin-dir-symlink": "-",
    "long-name": "5", "long-dropin-name": "5",
}
BAD_KINDS = ["bad-header", "long-line", "continuation", "non-utf8", "nul"]


class File:
    """A unit file or drop-in being written, with what each line is."""

    def __init__(self, tree, path):
        self.tree, self.path = tree, path
        self.id = f"f{len(tree.files)}"
        self.lines = []   # bytes, without the newline
        self.events = []  # (segment, section, key, value) of each parsed-as-written line
        self.xconf_lines = []  # (segment, swallowed) of each "[X-Confinement]" line
        self.segment = -1
        self.section = None
        self.eol = b"\r\n" if tree.rnd.random() < 0.1 else b"\n"
        tree.files[path] = self
        self.new_segment()

    def raw(self, b):
        self.lines.append(b)

    def header(self, name):
        self.raw(f"[{name}]".encode())
        self.section = name
        if name == "X-Confinement":
            self.xconf_lines.append((self.segment, False))

    def new_segment(self):
        self.segment += 1
        self.header("Service")
        self.raw(f"ExecStartPre=-/bin/true {MARKS}/{self.id}s{self.segment}".encode())

    def set(self, key, value, section=None):
        if section and section != self.section:
            self.header(section)
        self.raw(f"{key}={value}".encode())
        self.events.append((self.segment, self.section, key, value))

    def noise(self):
        r = self.tree.rnd.random()
        if r < 0.3:
            self.raw(b"# a comment [X-Confinement]")
        elif r < 0.5:
            self.raw(b"; another comment")
        elif r < 0.6:
            self.raw(b"")

    def bad(self, kind, swallow=b"[X-Confinement]"):
        """A line systemd reports; then a new segment (mark) so that the oracle sees
        whether reading went on. For a continuation, swallow is the line it takes."""
        if kind == "bad-header":
            self.raw(self.tree.rnd.choice([b"[Service", b"[]", b"[X-Confinement", b"[Service]x"]))
        elif kind == "long-line":
            self.raw(b"Environment=LONG=" + b"a" * ((1 << 20) + 16))
        elif kind == "continuation":
            self.raw(b"Environment=CONT=x \\")
            self.raw(swallow)
            if swallow.strip() == b"[X-Confinement]":
                self.xconf_lines.append((self.segment, True))
        elif kind == "non-utf8":
            self.raw(b"Environment=BAD=\xff\xfe")
        elif kind == "nul":
            self.raw(b"Environment=NUL=a\x00b")
        self.new_segment()

    def content(self):
        return self.eol.join(self.lines) + self.eol


class Tree:
    def __init__(self, seed, n_units):
        self.seed = seed
        self.rnd = random.Random(seed)
        self.files = {}      # container path -> File
        self.symlinks = {}   # container path -> target
        self.units = []      # dicts: name, feature, start (how the driver starts it)
        self.tag = f"d{seed}"
        for i in range(n_units):
            feature = self.rnd.choice(sorted(FEATURES))
            getattr(self, "make_" + feature.replace("-", "_"))(i, feature)
        if self.rnd.random() < 0.5:
            # The top-level service.d/ applies to every service of the boot (the driver's too),
            # so it only carries a mark here, never [X-Confinement].
            d = self.dropin("service.d", f"{self.tag}-all.conf")
            d.set("Environment", "SERVICE_D=1")
        self.calibration()

    # -- helpers -----------------------------------------------------------
    def dir(self):
        return UNIT_DIRS[self.rnd.choice(["etc", "etc", "run", "ctl", "usr"])]

    def fragment(self, name, where=None, xconf=True, out="%n.out"):
        f = File(self, f"{where or self.dir()}/{name}")
        f.set("Type", "oneshot")
        f.raw(b"ExecStartPre=+/bin/sh -c 'echo plus-ran'")
        f.set("ExecStart", PROBE)
        f.set("StandardOutput", f"append:/results/out/{out}")
        self.settings_noise(f)
        if xconf:
            self.xconf(f)
        return f

    def settings_noise(self, f, p=0.3):
        for s in SETTINGS:
            if self.rnd.random() < p / 3:
                values = OTHER_VALUES.get(s, BOOL_VALUES)
                v = self.rnd.choice([v for v in values if v not in ("", "maybe", "bogus", " yes", "~")])
                f.set(s, v, "Service")
            f.noise()

    def xconf(self, f, **keys):
        f.header("X-Confinement")
        if self.rnd.random() < 0.3:
            keys.setdefault("Mode", self.rnd.choice(["full-apivfs", "chroot-only"]))
        for k, v in keys.items():
            f.set(k, v, "X-Confinement")

    def dropin(self, dirname, name=None, where=None):
        name = name or f"{self.rnd.choice(['10', '50', 'override', 'zz'])}-{len(self.files)}.conf"
        return File(self, f"{where or self.dir()}/{dirname}/{name}")

    def name(self, i, fam=None):
        fam = self.rnd.randrange(4) if fam is None else fam
        return f"{self.tag}f{fam}-u{i}.service", f"{self.tag}f{fam}-"

    def add(self, name, feature, start="start", out=None):
        """key names the unit's result files (a name near NAME_MAX leaves no room for a suffix)."""
        self.units.append(dict(name=name, feature=feature, start=start, key=f"u{len(self.units)}",
                               out=out or name + ".out"))

    # -- features: each makes one or more units ----------------------------
    def make_fragment(self, i, feat):
        n, _ = self.name(i)
        self.fragment(n)
        self.add(n, feat)

    def make_not_opted_in(self, i, feat):
        n, _ = self.name(i)
        f = self.fragment(n, xconf=False)
        d = self.dropin(n + ".d")
        d.set("Environment", "X=[X-Confinement]")
        self.add(n, feat)

    def make_dropin_own(self, i, feat):
        n, _ = self.name(i)
        self.fragment(n, xconf=False)
        self.xconf(self.dropin(n + ".d"))
        self.add(n, feat)

    def make_control(self, i, feat):
        n, _ = self.name(i)
        self.fragment(n, xconf=False)
        self.xconf(self.dropin(n + ".d", where=UNIT_DIRS["ctl"]))
        self.add(n, feat)

    def make_usr(self, i, feat):
        n, _ = self.name(i)
        self.fragment(n, where=UNIT_DIRS["usr"], xconf=self.rnd.random() < 0.5)
        self.xconf(self.dropin(n + ".d", where=UNIT_DIRS["usr"]))
        self.add(n, feat)

    def make_dropin_prefix(self, i, feat):
        fam = 100 + i  # a family of its own: the prefix dir opts every member in
        n, p = self.name(i, fam)
        self.fragment(n, xconf=False)
        self.xconf(self.dropin(p + ".service.d"))
        self.add(n, feat)

    def make_dropin_alias(self, i, feat):
        n, _ = self.name(i)
        d = self.dir()
        self.fragment(n, where=d, xconf=False)
        alias = f"{self.tag}alias{i}.service"
        self.symlinks[f"{d}/{alias}"] = n
        self.xconf(self.dropin(alias + ".d"))
        self.add(n, feat)

    def make_linked(self, i, feat):
        n, _ = self.name(i)
        self.fragment(n, where=f"{OPT}/linked")
        self.symlinks[f"{self.dir()}/{n}"] = f"{OPT}/linked/{n}"
        self.add(n, feat)

    def make_shadowed_dropin(self, i, feat):
        """Same-named drop-ins: the one in the dir of higher priority hides the other."""
        n, _ = self.name(i)
        self.fragment(n, xconf=False)
        name = f"50-shadow{i}.conf"
        low = self.dropin(n + ".d", name, UNIT_DIRS["usr"])
        high = self.dropin(n + ".d", name, self.rnd.choice([UNIT_DIRS["etc"], UNIT_DIRS["run"]]))
        if self.rnd.random() < 0.5:
            self.xconf(low)
            high.set("Environment", "HIGH=1")
        else:
            self.xconf(high)
            low.set("Environment", "LOW=1")
        self.add(n, feat)

    def make_masked(self, i, feat):
        n, _ = self.name(i)
        self.symlinks[f"{UNIT_DIRS['etc']}/{n}"] = "/dev/null"
        self.fragment(n, where=UNIT_DIRS["usr"])
        self.xconf(self.dropin(n + ".d"))
        self.add(n, feat)

    def make_template(self, i, feat):
        t = f"{self.tag}t{i}@.service"
        self.fragment(t)
        named = f"{self.tag}t{i}@named.service"
        self.symlinks[f"{UNIT_DIRS['etc']}/multi-user.target.wants/{named}"] = f"../{t}"
        self.add(named, feat)
        self.add(f"{self.tag}t{i}@later.service", feat)

    def make_instance_prefix(self, i, feat, named=False):
        p = f"{self.tag}ip{i}-"
        t = f"{p}x@.service"
        self.fragment(t, xconf=False)
        inst = f"{p}x@one.service"
        self.xconf(self.dropin(f"{p}@one.service.d" if named else f"{p}@.service.d"))
        self.add(inst, feat)

    def make_instance_prefix_named(self, i, feat):
        self.make_instance_prefix(i, feat, named=True)

    def make_transient(self, i, feat):
        p = f"{self.tag}tr{i}-"
        self.xconf(self.dropin(f"{p}.service.d"))
        self.add(f"{p}x.service", feat, start="transient")

    def make_late_instance(self, i, feat):
        p = f"{self.tag}li{i}-"
        self.fragment(f"{p}x@.service", xconf=False)
        self.xconf(self.dropin(f"{p}.service.d"))
        self.add(f"{p}x@late.service", feat)

    def make_enable_no(self, i, feat):
        n, _ = self.name(i)
        self.fragment(n)
        d = self.dropin(n + ".d", "zz-off.conf")
        self.xconf(d, Enable=self.rnd.choice(["no", "false", "0", "off"]))
        self.add(n, feat)

    def make_hidden_enable_no(self, i, feat):
        n, _ = self.name(i)
        self.fragment(n)
        self.xconf(self.dropin(n + ".d", ".hidden.conf"), Enable="no")
        self.add(n, feat)

    def make_hidden_optin(self, i, feat):
        n, _ = self.name(i)
        self.fragment(n, xconf=False)
        self.xconf(self.dropin(n + ".d", ".hidden.conf"))
        self.add(n, feat)

    def make_settings(self, i, feat):
        n, _ = self.name(i)
        f = self.fragment(n, xconf=False)
        self.settings_noise(f, 1.5)
        self.xconf(f)
        self.add(n, feat)

    def make_empty_value(self, i, feat):
        """Empty and invalid values of the settings the generator reads, after valid ones or alone."""
        n, _ = self.name(i)
        f = self.fragment(n)
        d = self.dropin(n + ".d")
        for s in self.rnd.sample(SETTINGS, self.rnd.randint(1, 4)):
            values = OTHER_VALUES.get(s, BOOL_VALUES)
            if self.rnd.random() < 0.5:
                d.set(s, self.rnd.choice(values[:2]), "Service")
            d.set(s, self.rnd.choice(["", "", "maybe", "bogus"]), "Service")
        self.add(n, feat)

    def make_rootdir_startonly_emptied(self, i, feat):
        n, _ = self.name(i)
        f = self.fragment(n)
        d = self.dropin(n + ".d")
        d.set("RootDirectoryStartOnly", "yes", "Service")
        d.set("RootDirectoryStartOnly", "", "Service")
        self.add(n, feat)

    def make_shadowed_fragment(self, i, feat):
        """Two fragments of one name: the higher-priority dir's is the unit."""
        n, _ = self.name(i)
        low_x = self.rnd.random() < 0.5
        self.fragment(n, where=UNIT_DIRS["usr"], xconf=low_x)
        self.fragment(n, where=self.rnd.choice([UNIT_DIRS["etc"], UNIT_DIRS["run"], UNIT_DIRS["ctl"]]),
                      xconf=not low_x)
        self.add(n, feat)

    def make_dropin_devnull(self, i, feat):
        """A same-named drop-in linked to /dev/null in a dir of higher priority masks the other."""
        n, _ = self.name(i)
        self.fragment(n, xconf=self.rnd.random() < 0.3)
        name = f"50-masked{i}.conf"
        self.xconf(self.dropin(n + ".d", name, UNIT_DIRS["usr"]))
        high = self.rnd.choice([UNIT_DIRS["etc"], UNIT_DIRS["run"], UNIT_DIRS["ctl"]])
        self.symlinks[f"{high}/{n}.d/{name}"] = "/dev/null"
        self.add(n, feat)

    def make_not_conf(self, i, feat):
        """Files in a drop-in dir whose names do not end in .conf are not drop-ins."""
        n, _ = self.name(i)
        self.fragment(n, xconf=False)
        self.xconf(self.dropin(n + ".d", self.rnd.choice(["x.conf~", "x.conf.bak", "x.cfg", "conf", "x.conf.d"])))
        self.add(n, feat)

    def make_linked_dropin_outside(self, i, feat):
        """A linked unit: drop-ins beside its target, outside the search path, are not read."""
        n, _ = self.name(i)
        self.fragment(n, where=f"{OPT}/linked", xconf=False)
        self.symlinks[f"{self.dir()}/{n}"] = f"{OPT}/linked/{n}"
        self.xconf(self.dropin(n + ".d", "x.conf", where=f"{OPT}/linked"))
        self.add(n, feat)

    def make_started_by_alias(self, i, feat):
        n, _ = self.name(i)
        d = self.dir()
        self.fragment(n, where=d, xconf=self.rnd.random() < 0.5)
        alias = f"{self.tag}al{i}.service"
        self.symlinks[f"{d}/{alias}"] = n
        if self.rnd.random() < 0.7:
            self.xconf(self.dropin(alias + ".d"))
        self.add(alias, feat)

    def make_dropin_symlink(self, i, feat):
        """A drop-in that is a symlink to a file elsewhere (the tree's linked dir)."""
        n, _ = self.name(i)
        self.fragment(n, xconf=False)
        target = File(self, f"{OPT}/linked/dropin{i}.conf")
        self.xconf(target)
        self.symlinks[f"{self.dir()}/{n}.d/link{i}.conf"] = target.path
        self.add(n, feat)

    def make_escaped_instance(self, i, feat):
        p = f"{self.tag}es{i}-"
        self.fragment(f"{p}x@.service", xconf=self.rnd.random() < 0.5)
        inst = f"{p}x@a\\x2db-c.service"  # the instance "a-b/c" escaped
        if self.rnd.random() < 0.7:
            self.xconf(self.dropin(inst + ".d"))
        self.add(inst, feat)

    def make_misc_values(self, i, feat):
        """Empty and odd values of the other settings the generator reads (lib/confine/unit-confine.c)."""
        n, _ = self.name(i)
        f = self.fragment(n)
        d = self.dropin(n + ".d")
        choices = [("PIDFile", ""), ("PIDFile", "relative.pid"), ("PIDFile", "/run/x/%n.pid"),
                   ("ReadWritePaths", ""), ("ReadWritePaths", "-/nonexistent"), ("ReadWritePaths", "/tmp"),
                   ("ReadWriteDirectories", ""), ("BindPaths", ""), ("BindPaths", "-/nonexistent:/x"),
                   ("RuntimeDirectory", ""), ("RuntimeDirectory", "a b"), ("PermissionsStartOnly", ""),
                   ("PermissionsStartOnly", "maybe"), ("PermissionsStartOnly", "yes"), ("ExecSearchPath", ""),
                   ("ExecSearchPath", "relative"), ("Environment", ""), ("Environment", "PATH="),
                   ("Environment", "LD_PRELOAD=/nonexistent.so"), ("EnvironmentFile", "-/nonexistent"),
                   ("ExecStartPost", ""), ("ExecStartPost", "-/nonexistent/prog"), ("User", ""),
                   ("DynamicUser", ""), ("AmbientCapabilities", "")]
        for key, value in self.rnd.sample(choices, self.rnd.randint(1, 5)):
            d.set(key, value, "Service")
        self.add(n, feat)

    def make_alias_prefix(self, i, feat):
        """The prefix dirs of an alias's name count as the alias's own dirs do."""
        n = f"{self.tag}r{i}.service"
        d = self.dir()
        self.fragment(n, where=d, xconf=False)
        self.symlinks[f"{d}/{self.tag}ap{i}-x.service"] = n
        self.xconf(self.dropin(f"{self.tag}ap{i}-.service.d"))
        self.add(n, feat)

    def make_dropin_dir_symlink(self, i, feat):
        """A drop-in dir that is a symlink to a dir elsewhere."""
        n, _ = self.name(i)
        self.fragment(n, xconf=False)
        self.xconf(File(self, f"{OPT}/linked/dir{i}/x.conf"))
        self.symlinks[f"{self.dir()}/{n}.d"] = f"{OPT}/linked/dir{i}"
        self.add(n, feat)

    def make_own_root(self, i, feat):
        """RootDirectory=, RootImage=, RootDirectoryStartOnly=yes of the unit's own: fail closed."""
        n, _ = self.name(i)
        f = self.fragment(n)
        key, value = self.rnd.choice([("RootDirectory", "/"), ("RootDirectory", "/opt/diff"),
                                      ("RootImage", "/opt/diff/none.img"), ("RootDirectoryStartOnly", "yes"),
                                      ("RootDirectoryStartOnly", "on")])
        self.dropin(n + ".d").set(key, value, "Service")
        self.add(n, feat)

    def make_bad_xconf_value(self, i, feat):
        """A bad value or an unknown key in [X-Confinement]: an error, so the unit is blocked."""
        n, _ = self.name(i)
        self.fragment(n, xconf=False)
        key, value = self.rnd.choice([("Mode", "sandbox"), ("Enable", "maybe"), ("Packages", "relative/path"),
                                      ("Profiles", "nosuchprofile"), ("FullUnit", "perhaps"),
                                      ("DlopenRecommended", "2"), ("NoSuchKey", "1"), ("BinSh", "sh")])
        self.xconf(self.dropin(n + ".d"), **{key: value})
        self.add(n, feat)

    def make_long_name(self, i, feat):
        length = self.rnd.randint(246, 255)
        head = f"{self.tag}ln{i}-"
        n = head + "x" * (length - len(head) - len(".service")) + ".service"
        self.fragment(n, where=UNIT_DIRS["etc"], xconf=False, out=f"{self.tag}ln{i}.out")
        # the drop-in dir may not fit in NAME_MAX: then only the prefix dir can opt it in
        if len(n) + 2 <= 255 and self.rnd.random() < 0.5:
            self.xconf(self.dropin(n + ".d", "a.conf"))
        else:
            self.xconf(self.dropin(head + ".service.d"))
        self.add(n, feat, out=f"{self.tag}ln{i}.out")

    def make_long_dropin_name(self, i, feat):
        n, _ = self.name(i)
        self.fragment(n)
        name = "zz" + "z" * self.rnd.randint(230, 248) + ".conf"
        self.dropin(n + ".d", name).set("Environment", "LONG=1")
        self.add(n, feat)

    def _bad(self, i, feat):
        """A drop-in with a bad line before (or, as a control, after) its [X-Confinement] line."""
        n, _ = self.name(i)
        self.fragment(n, xconf=False)
        d = self.dropin(n + ".d")
        d.set("Environment", "BEFORE=1")
        if self.rnd.random() < 0.8:
            d.bad(feat)
            if not (feat == "continuation" and d.xconf_lines):
                self.xconf(d)
            if self.rnd.random() < 0.5:
                d.set("PrivateDevices", self.rnd.choice(["no", "yes"]), "Service")
        else:
            self.xconf(d)
            d.bad(feat, swallow=b"Environment=SWALLOWED=1")
        self.add(n, feat)

    make_bad_header = make_long_line = make_continuation = make_non_utf8 = make_nul = _bad

    def calibration(self):
        """Units never started, which show how systemd reads an empty value after yes
        (ignored, or reset to the default), per setting: the model of 'set' uses it."""
        self.calibration_units = {}
        for s in SETTINGS:
            if s in ("User", "AmbientCapabilities"):
                continue
            n = f"{self.tag}cal-{s}.service"
            f = File(self, f"{UNIT_DIRS['etc']}/{n}")
            f.set("ExecStart", "/bin/true")
            f.set(s, "yes", "Service")
            f.set(s, "", "Service")
            self.calibration_units[s] = n
