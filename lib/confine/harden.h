/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Harden=yes in [X-Confinement]: the other half of systemd's sandbox (system
 * calls, capabilities, address families, namespaces, clock, hostname, kernel
 * logs, SUID files, personality, realtime, /proc), each written as a default
 * only where the unit's effective settings leave it unset, and only where the
 * generator can tell from the unit and its closure that it cannot stop the
 * service. Every decision and its rendering is here; man/systemd.confinement.5
 * says for each what it blocks, why it is safe and how to turn it off. */

#include <stdbool.h>
#include <stdio.h>

#include "unit-confine.h"
#include "unit-file.h"

/* What harden decides from besides the unit's text: facts about the closure. */
typedef struct HardenFacts {
        bool setuid;  /* a setuid or setgid file is bound: a program the service may run */
        bool jit;     /* a JIT runtime (JVM, LLVM, LuaJIT, V8, PCRE JIT users, ...) */
        bool netlink;   /* a netlink user: an ELF that lists interfaces (getifaddrs()), or a netlink library */
        bool net_admin; /* a netlink library (libmnl, libnl): the service configures the network */
} HardenFacts;

/* Scans the closure's bound files (directories recursively). Returns 0 or -ENOMEM. */
int harden_facts(UnitConfinement *uc, HardenFacts *ret);

/* Writes the hardening lines for a [Service] section: nothing unless Harden=yes.
 * Returns 0 or a negative errno (the unit then fails closed). */
int harden_write(FILE *f, UnitConfinement *uc);

/* The text of the lines harden_write() would write for this unit text, mode
 * and closure facts; for tests. Caller frees. NULL on -ENOMEM. */
char *harden_render(const UnitText *t, ConfinementMode mode, const HardenFacts *facts);

/* Whether the unit's effective setting is unset, as systemd reads it: no
 * assignment, or the last one that systemd accepts is empty. The rule of
 * unit_text_get_effective() (units/unit-file.h), with what systemd accepts
 * depending on each hardening setting's own values (enums, lists, and
 * CapabilityBoundingSet=, where any assignment is the unit's choice). */
bool harden_is_unset(const UnitText *t, const char *key);
