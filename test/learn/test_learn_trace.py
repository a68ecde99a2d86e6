#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""systemd-confinement-learn's reading of strace output, without a boot: paths
as each process named them, with its chroot, its cwd and dirfds applied;
forks inherit the chroot; split (unfinished/resumed) calls joined; what is
read, executed and written told apart; Exec*= words quoted so that systemd
reads them back unchanged. Exits 1 on the first failure."""
import importlib.machinery
import importlib.util
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(HERE, "..", "..", "tools", "learn", "systemd-confinement-learn")
loader = importlib.machinery.SourceFileLoader("learn", path)
spec = importlib.util.spec_from_loader("learn", loader)
learn = importlib.util.module_from_spec(spec)
loader.exec_module(learn)

TRACE = r'''100   execve("/usr/sbin/d", ["d"], 0x7ffd /* 3 vars */) = 0
100   openat(AT_FDCWD</>, "/etc/d.conf", O_RDONLY|O_CLOEXEC) = 3</etc/d.conf>
100   clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x7f) = 101
101   chroot("/var/lib/d/empty") = 0
101   openat(AT_FDCWD</var/lib/d/empty>, "/etc/inside", O_RDONLY <unfinished ...>
100   openat(3</etc/d>, "mods/a.load", O_RDONLY) = 4</etc/d/mods/a.load>
101   <... openat resumed>) = 5</var/lib/d/empty/etc/inside>
101   vfork() = 102
102   openat(AT_FDCWD</var/lib/d/empty>, "/still/chrooted", O_RDONLY) = 3</var/lib/d/empty/still/chrooted>
100   vfork() = 103
103   execve("/usr/bin/logger", ["logger", "hi"], 0x55 /* 3 vars */) = 0
100   openat(AT_FDCWD</>, "/var/log/d/x.log", O_WRONLY|O_CREAT|O_APPEND, 0640) = 6</var/log/d/x.log>
100   mkdir("/var/spool/d", 0755) = 0
100   bind(7<socket:[1]>, {sa_family=AF_UNIX, sun_path="/run/d.sock"}, 110) = 0
100   rename("/var/lib/d/a.tmp", "/var/lib/d/a") = 0
100   newfstatat(AT_FDCWD</srv/d>, "rel\"q", {st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0
100   clone(child_stack=NULL, flags=SIGCHLD) = 104
104   chdir("/var/empty") = 0
104   chroot(".") = 0
104   open("/etc/localtime", O_RDONLY) = 3</var/empty/etc/localtime>
'''

failed = 0


def check(name, cond):
    global failed
    print(("ok   " if cond else "FAIL ") + name)
    failed += not cond


with tempfile.NamedTemporaryFile("w", suffix=".trace", delete=False) as f:
    f.write(TRACE)
t = learn.Trace()
t.parse_file(f.name)
os.unlink(f.name)

check("an absolute open is read as named", "/etc/d.conf" in t.reads)
check("a dirfd-relative open is resolved against the dirfd's path", "/etc/d/mods/a.load" in t.reads)
check("after chroot() an absolute path is below the new root (split call joined)",
      "/var/lib/d/empty/etc/inside" in t.reads and "/etc/inside" not in t.reads)
check("the chroot dir itself must exist inside", "/var/lib/d/empty" in t.reads)
check("a child forked after chroot() inherits the root", "/var/lib/d/empty/still/chrooted" in t.reads)
check("the parent's root is unchanged by its child's chroot()", "/etc/d.conf" in t.reads)
check("an execve is a program run, by the program that forked it", t.execs.get("/usr/bin/logger") == {"d"})
check("O_WRONLY|O_CREAT is a write", "/var/log/d/x.log" in t.writes and "/var/log/d/x.log" not in t.reads)
check("mkdir is a write and a dir it made", "/var/spool/d" in t.writes and "/var/spool/d" in t.created_dirs)
check("a unix socket bound is a write", "/run/d.sock" in t.writes)
check("rename writes both names", {"/var/lib/d/a.tmp", "/var/lib/d/a"} <= set(t.writes))
check("a quoted name is unescaped and resolved against the cwd", '/srv/d/rel"q' in t.reads)

check("chroot(\".\") after chdir() is the cwd", "/var/empty/etc/localtime" in t.reads)
check("top_child: a tree below /etc is its dir", learn.top_child("/etc/apache2/mods/x.load") == "/etc/apache2")
check("top_child: below /usr/lib/x86_64-linux-gnu", learn.top_child(
    "/usr/lib/x86_64-linux-gnu/perl-base/strict.pm") == "/usr/lib/x86_64-linux-gnu/perl-base")
check("top_child: a file directly in a top stays a file", learn.top_child("/etc/mime.types") == "/etc/mime.types")
check("quote_word: a sh -c string is one quoted word, % doubled",
      learn.quote_word('set -f; exec "x" 100%') == '"set -f; exec \\"x\\" 100%%"')
check("quote_word: $VAR stays for systemd to expand", learn.quote_word("$DAEMON_OPTS") == "$DAEMON_OPTS")
print(f"learn trace: {'all passed' if not failed else f'{failed} failed'}")
sys.exit(1 if failed else 0)
