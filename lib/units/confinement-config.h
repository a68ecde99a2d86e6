/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The [X-Confinement] section of a unit, merged over the unit file and its
 * drop-ins as systemd merges any section: the last assignment of a scalar key
 * wins, list keys accumulate, an empty assignment resets a list. */

#include <stdbool.h>

#include "unit-file.h"

#define CONFINEMENT_SECTION "X-Confinement"

typedef enum ConfinementMode {
        CONFINEMENT_FULL_APIVFS,
        CONFINEMENT_CHROOT_ONLY,
} ConfinementMode;

typedef struct ConfinementConfig {
        bool enable;
        ConfinementMode mode;
        char **packages;  /* absolute paths */
        char *bin_sh;     /* what /bin/sh is inside; NULL: no /bin/sh */
        char **profiles;
        bool full_unit;
        bool dlopen_recommended; /* also .note.dlopen "recommended" libraries, not only "required" */
        bool harden;             /* Harden=yes: systemd's other sandbox settings as defaults (confine/harden.h) */
} ConfinementConfig;

/* Fills *ret from the unit's text. On a bad key or value returns -EINVAL and
 * sets *ret_error to a message naming the file, line and key. */
int confinement_config_parse(const UnitText *u, ConfinementConfig *ret, char **ret_error);
void confinement_config_done(ConfinementConfig *c);
const char *confinement_mode_to_string(ConfinementMode m);
