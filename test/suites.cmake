# SPDX-License-Identifier: LGPL-2.1-or-later
# Every test suite as a ctest test, under a label for its kind:
#   unit          the Check suites (test/test-*.c) and the learn tool's trace reader
#   parity        ldd parity of the drop-ins (test/ldd-parity-dropin.py)
#   robustness    hostile input and kills (test/robustness/)
#   e2e           the suites that boot a container with systemd as PID 1 (test/e2e/)
#   differential  random unit trees against systemd's reading (test/differential/)
#   daemons       real daemons confined, then hardened (test/daemons/)
#   learn         systemd-confinement-learn under real systemd (test/learn/)
#   man, deb      the man pages and the Debian package
#   versions      the suites again under systemd 257 and 262 (test/versions/)
#   fuzz          a short smoke run of each fuzz target (scripts/fuzz.sh)
# "ctest" runs them all, "ctest -L e2e" one kind. Suites that boot containers or need root
# take the "nspawn" lock, so "ctest -j" never boots two at once. The generator they test is
# this build's; in an ASan build (-DSANITIZE=ON) that is the sanitized one.

set(CONFINEMENT_GENERATOR $<TARGET_FILE:systemd-confinement-generator>)

# confinement_test(NAME LABELS <labels> [BOOTS] [TIMEOUT <s>] COMMAND <command...>)
function(confinement_test name)
  cmake_parse_arguments(T "BOOTS" "TIMEOUT" "LABELS;COMMAND" ${ARGN})
  add_test(NAME ${name} COMMAND ${T_COMMAND} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
                       SKIP_RETURN_CODE 77)
  if(T_BOOTS)
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK nspawn)
  endif()
endfunction()

set(PY ${Python3_EXECUTABLE})
set(SRC ${CMAKE_SOURCE_DIR})

confinement_test(ldd-parity LABELS parity TIMEOUT 1800
                 COMMAND ${PY} ${SRC}/test/ldd-parity-dropin.py ${CONFINEMENT_GENERATOR})

confinement_test(robustness-kill LABELS robustness TIMEOUT 1800
                 COMMAND ${PY} ${SRC}/test/robustness/kill-test.py ${CONFINEMENT_GENERATOR} 40)
confinement_test(robustness-workers LABELS robustness TIMEOUT 600
                 COMMAND ${PY} ${SRC}/test/robustness/workers-test.py ${CONFINEMENT_GENERATOR})
# scripts/test.sh runs it again in the ASan build, where the generator's own leaks are checked.
confinement_test(robustness-failclosed-matrix LABELS robustness TIMEOUT 1800
                 COMMAND ${PY} ${SRC}/test/robustness/failclosed-matrix.py ${CONFINEMENT_GENERATOR})
confinement_test(robustness-readonly-fs LABELS robustness BOOTS TIMEOUT 1800
                 COMMAND bash ${SRC}/test/robustness/readonly-fs.sh ${CONFINEMENT_GENERATOR})

foreach(suite e2e lookup_e2e templates_e2e profiles_e2e harden_e2e failclosed_e2e hostile_e2e settings_e2e)
  string(REPLACE "_e2e" "" short ${suite})
  if(NOT short STREQUAL "e2e")
    set(short e2e-${short})
  endif()
  confinement_test(${short} LABELS e2e BOOTS TIMEOUT 3600
                   COMMAND ${PY} ${SRC}/test/e2e/${suite}.py ${CONFINEMENT_GENERATOR})
endforeach()

# Random unit trees against systemd's reading, strict (8 boots, ~500 units; the full run of
# 1000+ units: --seeds 1-17). A class found open again can be listed in
# test/differential/known-violations and passed with --expect-file while it is fixed.
confinement_test(differential LABELS differential BOOTS TIMEOUT 5400
                 COMMAND ${PY} ${SRC}/test/differential/differential.py ${CONFINEMENT_GENERATOR}
                         --seeds 1-8 --units 60)
# the daemons confined, then each again with Harden=yes added
confinement_test(daemons LABELS daemons BOOTS TIMEOUT 5400
                 COMMAND ${PY} ${SRC}/test/daemons/daemons.py ${CONFINEMENT_GENERATOR} --harden)
confinement_test(learn-e2e LABELS learn BOOTS TIMEOUT 3600
                 COMMAND ${PY} ${SRC}/test/learn/learn_e2e.py ${CONFINEMENT_GENERATOR})
confinement_test(man LABELS man TIMEOUT 600 COMMAND bash ${SRC}/test/man-check.sh)
confinement_test(deb LABELS deb TIMEOUT 1800 COMMAND bash ${SRC}/test/deb-check.sh)
# The same suites under Debian 13 (systemd 257, glibc 2.41) and testing (262, 2.43) as
# PID 1, in debootstrap roots cached under /var/cache/confinement-roots.
confinement_test(versions LABELS versions BOOTS TIMEOUT 14400 COMMAND bash ${SRC}/test/versions/run.sh)
# A short smoke run of each fuzz target where clang can link libFuzzer (else skipped, 77).
confinement_test(fuzz-smoke LABELS fuzz TIMEOUT 3600 COMMAND bash ${SRC}/test/fuzz-smoke.sh 20)

# lib/'s folders use only the ones below them: a new include upwards (a cycle) fails here.
confinement_test(check-layers LABELS unit TIMEOUT 60 COMMAND ${PY} ${SRC}/test/check-layers.py)
