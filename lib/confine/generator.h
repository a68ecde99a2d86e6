/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The generator's run over all units: find every service that opted in, give
 * each a blocking drop-in first (cheap, so that a crash or a timeout leaves no
 * unit unconfined), then compute each closure and atomically replace the
 * blocking drop-in with the confinement drop-in, or with a blocking drop-in
 * that names the cause. Other units are never touched. */

#include <stdbool.h>

#define CONFINEMENT_MARKER_DIR "systemd-confinement"

typedef struct GeneratorOptions {
        char **output_dirs;  /* as systemd passes them: normal[, early, late] */
        const char *explain; /* only this unit, printed to stdout, nothing written */
        bool dry_run;        /* every unit printed to stdout, nothing written */
} GeneratorOptions;

/* Returns 0, or a negative errno when output could not be written. */
int generator_run(const GeneratorOptions *o);
