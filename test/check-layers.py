#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""lib/ is in folders by stage, each using only the ones below it (lib/README.md).

Reads every #include "x.h" under lib/ and generator/, maps each header to the
folder that holds it, and fails on an include that the table below does not
allow: a new dependency upwards, which would make a cycle between folders.
Prints the folder graph it found. Run by ctest (label unit).
"""
import os
import re
import sys

# Each folder and the folders it may use (besides itself).
ALLOWED = {
    "basic": set(),
    "units": {"basic"},
    "loader": {"basic"},
    "closure": {"basic", "loader"},
    "confine": {"basic", "units", "loader", "closure"},
    "generator": {"basic", "units", "loader", "closure", "confine"},  # generator/main.c: wiring
}


def main():
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    home = {}  # header name -> folder
    files = []
    for folder in ALLOWED:
        d = os.path.join(top, "lib", folder) if folder != "generator" else os.path.join(top, "generator")
        if not os.path.isdir(d):
            print(f"check-layers: {d} is missing")
            return 1
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                files.append((folder, os.path.join(d, name)))
                if name.endswith(".h"):
                    home[name] = folder
    stray = [n for n in os.listdir(os.path.join(top, "lib")) if n.endswith((".c", ".h"))]
    problems = [f"lib/{n}: every source file belongs to a folder" for n in stray]
    graph = {f: set() for f in ALLOWED}
    for folder, path in files:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if not m:
                    continue
                header = os.path.basename(m.group(1))
                dep = home.get(header)
                if dep is None:
                    problems.append(f"{os.path.relpath(path, top)}:{n}: {header} is in no folder")
                    continue
                if dep == folder:
                    continue
                graph[folder].add(dep)
                if dep not in ALLOWED[folder]:
                    problems.append(f"{os.path.relpath(path, top)}:{n}: {folder}/ may not use {dep}/ ({header})")
    for folder, deps in graph.items():
        print(f"{folder:9} -> {', '.join(sorted(deps)) or '(nothing)'}")
    for p in problems:
        print("check-layers: " + p)
    print(f"check-layers: {len(files)} files, {'1 failed' if problems else '0 failed'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
