/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Writing drop-ins: the text of a unit's confinement drop-in, from what unit-confine.h decided
 * (the closure, the re-emitted Exec*= lines, LD_ORIGIN_PATH, a template's carried paths) and
 * the unit's own settings that must be rewritten for the root: PIDFile= (PID 1 reads it on the
 * host), ProtectSystem= (yes/full need /usr and /etc in the root), ReadWritePaths= (resolved
 * inside the root on 252), /run, /var/run and /var/lock, the mode's defaults and PrivateUsers=,
 * then Harden= (harden.h). Every line is tested against systemd-analyze's reading of it
 * (test/test-unit-render.c). */

#include "unit-confine.h"

/* The drop-in text for a unit unit_confine() succeeded on. A path that a unit file cannot
 * hold fails it (the cause in the closure, as unit_confine()'s failures). */
int unit_render_dropin(UnitConfinement *uc, char **ret);
