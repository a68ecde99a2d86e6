/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One unit, from its effective text to the text of its confinement drop-in:
 * the roots of section 2 of the spec (Exec*= commands and their argument files,
 * Packages=, BinSh=, FullUnit=), their closure, and the settings of section 4
 * (root, per-start /run, journal sockets, the mode's defaults, PIDFile=,
 * ReadWritePaths=) as decisions. A failure leaves a one-line cause and a slug
 * for the blocking drop-in in the closure; nothing is written here: unit-render.h
 * turns a UnitConfinement into the drop-in's text. */

#include "closure.h"
#include "confinement-config.h"
#include "specifier.h"
#include "unit-file.h"
#include "unit-lookup.h"

typedef struct UnitConfinement {
        const UnitInfo *info;
        const UnitText *text;
        ConfinementConfig config;
        char **env;             /* the service's environment, as systemd gives it */
        Closure *closure;       /* NULL until the environment is known or a failure is kept */
        char **exec_lines;      /* Exec*= settings re-emitted ("Key=" resets, then values) */
        char *origin_path;      /* LD_ORIGIN_PATH for $ORIGIN where there is no /proc */
        char *sentinel_name;    /* a template's name with SPECIFIER_INSTANCE_SENTINEL as instance */
        char **carried;         /* a template's paths that depend on the instance, as words of
                                 * BindReadOnlyPaths= with specifiers, for systemd to expand per start */
} UnitConfinement;

/* Computes the roots and their closure. Returns 0, or a negative errno with the cause in
 * closure_error() and closure_error_slug() of uc->closure (which may be NULL). */
int unit_confine(UnitConfinement *uc, const UnitInfo *info, const UnitText *text, const ClosureRun *run);
/* Whether PrivateUsers=yes cannot break the service (the unit leaving it unset is the renderer's
 * test): Mode=full-apivfs, every command as a non-root user, no capabilities granted. */
bool unit_confine_private_users_is_safe(const UnitConfinement *uc);
/* Why the drop-in sets PrivateUsers=yes, or why it does not (for --explain). */
const char *unit_confine_private_users_why(const UnitConfinement *uc);
void unit_confine_done(UnitConfinement *uc);

/* Whether the closure of a template depends on its instance (SPEC 2, templates): an executable
 * whose path holds an instance specifier (directly, through $VAR, or a bare name looked up in
 * an ExecSearchPath= or PATH that does), a loader variable (LD_LIBRARY_PATH, LD_PRELOAD) or an
 * EnvironmentFile= that does. 1 with *ret_cause, 0 when the template is confined once for all
 * instances (specifiers in arguments and Packages= are carried into its drop-in). */
int unit_confine_instance_dependence(const UnitInfo *info, const UnitText *text, char **ret_cause);
/* Whether an argument that the template info carries for systemd names a program for the
 * instance instance_name (a regular file with an execute bit): its closure then depends on the
 * instance, computed only for the instances the tree names (SPEC 2). 1 with *ret_cause. */
int unit_confine_instance_names_program(const UnitInfo *info, const UnitText *text, const char *instance_name,
                                        char **ret_cause);

/* Where a unit's root and per-start /run live on the host (specifiers left in). */
#define CONFINEMENT_RUNTIME_DIR "confinement/%n"
#define CONFINEMENT_ROOT "/run/confinement/%n/root"
#define CONFINEMENT_RUN "/run/confinement/%n/run"
