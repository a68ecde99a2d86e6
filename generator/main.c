/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* systemd-confinement-generator: confines services that ask for it with an
 * [X-Confinement] section. See systemd-confinement-generator(8). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator.h"
#include "log.h"
#include "macro.h"

static int usage(void) {
        fprintf(stderr,
                "usage: systemd-confinement-generator NORMAL_DIR [EARLY_DIR LATE_DIR]\n"
                "       systemd-confinement-generator --explain UNIT\n"
                "       systemd-confinement-generator --dry-run\n");
        return EXIT_FAILURE;
}

int main(int argc, char *argv[]) {
        char *no_dirs[] = { (char *) "/nonexistent", NULL };
        GeneratorOptions o = { .output_dirs = argv + 1 };

        bool interactive = argc >= 2 && (streq(argv[1], "--explain") || streq(argv[1], "--dry-run"));
        log_setup("systemd-confinement-generator", !interactive);
        if (argc == 3 && streq(argv[1], "--explain"))
                o = (GeneratorOptions) { .output_dirs = no_dirs, .explain = argv[2] };
        else if (argc == 2 && streq(argv[1], "--dry-run"))
                o = (GeneratorOptions) { .output_dirs = no_dirs, .dry_run = true };
        else if (argc != 2 && argc != 4)
                return usage();

        return generator_run(&o) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
