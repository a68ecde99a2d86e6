# SPDX-License-Identifier: LGPL-2.1-or-later
# A small real Nix store for the end-to-end test, built offline from Debian's files:
# a glibc, a cat patched to load it, a data file, and a neighbour nothing references.
# Build: nix-build --option sandbox false --option build-users-group "" --option substituters "" store.nix
let
  run = name: inputs: script: derivation {
    inherit name;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" script ];
    PATH = "/usr/bin:/bin";
    passthru = inputs;
  };
  glibc = run "e2e-glibc" [] ''
    mkdir -p $out/lib
    cp -L /lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2 $out/lib/
  '';
  cat = run "e2e-cat" [ glibc ] ''
    mkdir -p $out/bin
    cp /usr/bin/cat $out/bin/cat
    chmod u+w $out/bin/cat
    patchelf --set-interpreter ${glibc}/lib/ld-linux-x86-64.so.2 --set-rpath ${glibc}/lib $out/bin/cat
  '';
  data = run "e2e-data" [] ''
    mkdir -p $out
    echo "hello from the store" > $out/greeting
  '';
  neighbour = run "e2e-neighbour" [ glibc ] ''
    mkdir -p $out
    echo "${glibc} is mine, nobody names me" > $out/note
  '';
in { inherit cat data neighbour; }
