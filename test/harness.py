# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the Python suites that run the generator outside a boot share: a scratch unit tree,
running the generator over it as systemd runs it, and reading what it wrote as systemd reads
it. (The suites that boot a container, test/e2e/, let systemd run the generator instead.)

Import from a script under test/ with:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "<up to test/>"))
    import harness
"""

import os
import subprocess
import time

# The assertion every blocking drop-in holds (SPEC 5): the unit cannot start.
BLOCK_MARK = "AssertPathExists=/dev/null/blocked-by-systemd-confinement-generator"
# The root every confining drop-in sets.
ROOT_LINE = "RootDirectory=/run/confinement/%n/root"


class UnitTree:
    """top/units (the unit search path), top/files (fixtures), top/out (the generator's
    output dir); all made here."""

    def __init__(self, top):
        self.top = top
        self.units = os.path.join(top, "units")
        self.files = os.path.join(top, "files")
        self.out = os.path.join(top, "out")
        for d in (self.units, self.files, self.out):
            os.makedirs(d, exist_ok=True)

    def path(self, rel):
        return os.path.join(self.files, rel)

    def unit(self, name, text):
        p = os.path.join(self.units, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        return p

    def write(self, rel, text, mode=0o644):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, mode)
        return p

    def cc(self, rel, source, *flags):
        """Compiles source to files/rel with the system compiler; returns the path."""
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        src = p + ".c"
        with open(src, "w") as f:
            f.write(source)
        subprocess.run(["cc", "-o", p, src, *flags], check=True)
        os.unlink(src)
        return p

    def run(self, generator, **kw):
        return run_generator(generator, self.units, self.out, **kw)

    def dropins(self, unit):
        return dropins(self.out, unit)


def generator_env(units, log_level="err", log_target="console"):
    """An environment as bare as the one systemd gives a generator, with the unit search path
    pointed at units (and ASAN_OPTIONS kept, for a sanitized build)."""
    env = dict(PATH=os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), SYSTEMD_UNIT_PATH=units,
               SYSTEMD_LOG_LEVEL=log_level, SYSTEMD_LOG_TARGET=log_target)
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    return env


def run_generator(generator, units, out, prefix=(), timeout=None, log_level="err"):
    """Runs GENERATOR OUT over the units dir. Returns (exit status, stderr, seconds); the
    status is None when it ran past timeout."""
    start = time.monotonic()
    try:
        p = subprocess.run([*prefix, generator, out], env=generator_env(units, log_level),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return None, (e.stderr or b"").decode(errors="replace"), timeout
    return p.returncode, p.stderr.decode(errors="replace"), time.monotonic() - start


def dropins(out, unit):
    """{file name: text} of what the generator wrote in out/UNIT.d, sorted by name."""
    d = os.path.join(out, unit + ".d")
    if not os.path.isdir(d):
        return {}
    return {n: open(os.path.join(d, n), encoding="utf-8", errors="replace").read()
            for n in sorted(os.listdir(d))}


def is_blocking(name, text):
    return "-blocked-" in name and name.endswith(".conf") and BLOCK_MARK in text


def split_words(value):
    """systemd's extract_first_word(UNQUOTE) over a BindPaths= value, keeping track of
    which ':' were not escaped: returns a list of words, each a list of segments split at
    unescaped ':' (the SRC:DST:OPTS of BindPaths=)."""
    words, segments, cur = [], [], []
    quote = None
    in_word = False
    i = 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            cur.append(value[i + 1])
            in_word = True
            i += 2
            continue
        if quote:
            if c == quote:
                quote = None
            else:
                cur.append(c)
        elif c in "\"'":
            quote = c
            in_word = True
        elif c in " \t":
            if in_word:
                segments.append("".join(cur))
                words.append(segments)
            segments, cur, in_word = [], [], False
        elif c == ":":
            segments.append("".join(cur))
            cur, in_word = [], True
        else:
            cur.append(c)
            in_word = True
        i += 1
    if in_word:
        segments.append("".join(cur))
        words.append(segments)
    return words


def unspecifier(s):
    return s.replace("%%", "%")


def settings(text):
    """(key, value) of each assignment line of a drop-in, in order."""
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith(("#", ";", "[")):
            yield key.strip(), value.strip()


def bind_destinations(text, key="BindReadOnlyPaths"):
    """The destinations of the drop-in's KEY= (BindReadOnlyPaths=) as systemd reads them."""
    dests = set()
    for k, value in settings(text):
        if k != key:
            continue
        for segments in split_words(value):
            src = segments[0]
            dst = segments[1] if len(segments) > 1 and segments[1] else src
            if dst.startswith("-") and dst is src:
                dst = dst[1:]
            dests.add(os.path.normpath(unspecifier(dst)))
    return dests
