/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A unit file (and, after a line "--dropin--", one drop-in) read with
 * unit_text_load_buffer(), then every query the generator makes on a unit:
 * the [X-Confinement] section, the settings it checks, the Exec*= commands,
 * the service environment and ExecSearchPath=, and the env-file parser on the
 * same bytes. EnvironmentFile= is disabled: it would read files named by the
 * input (/dev/zero). */
#include <stdlib.h>
#include <string.h>

#include "confinement-config.h"
#include "exec-command.h"
#include "fuzz.h"
#include "macro.h"
#include "strv.h"
#include "env-file.h"
#include "unit-env.h"
#include "unit-file.h"

#define FUZZ_UNIT_DROPIN_MARK "\n--dropin--\n"
#define FUZZ_UNIT_MAX_COMMANDS 64

static const char *const fuzz_unit_scalar_keys[] = {
        "RootDirectory", "RootImage", "RootDirectoryStartOnly", "PermissionsStartOnly",
        "DynamicUser", "User", "PIDFile", "PrivateUsers", "PrivateMounts", "MountAPIVFS",
        "PrivateDevices", "PrivateTmp", "ProtectControlGroups", "ProtectKernelModules",
        "ProtectKernelTunables",
};

static const char *const fuzz_unit_list_keys[] = {
        "AmbientCapabilities", "ReadWritePaths", "ReadWriteDirectories", "Environment",
        "EnvironmentFile", "UnsetEnvironment", "ExecSearchPath",
};

static void fuzz_unit_queries(UnitText *u) {
        static const Specifiers sp = {
                .name = "fuzz@inst.service",
                .fragment = "/etc/systemd/system/fuzz@.service",
        };
        ConfinementConfig config;
        _cleanup_free_ char *error = NULL;
        _cleanup_strv_free_ char **env = NULL, **search = NULL;
        unsigned budget = FUZZ_UNIT_MAX_COMMANDS;

        (void) unit_text_has_section(u, CONFINEMENT_SECTION);
        if (confinement_config_parse(u, &config, &error) >= 0) {
                (void) confinement_mode_to_string(config.mode);
                confinement_config_done(&config);
        } else if (!error)
                abort(); /* a bad key or value is always named */
        error = (free(error), NULL);

        for (size_t i = 0; i < ELEMENTSOF(fuzz_unit_scalar_keys); i++) {
                const UnitSetting *s = unit_text_get_setting(u, "Service", fuzz_unit_scalar_keys[i]);
                const char *v = unit_text_get(u, "Service", fuzz_unit_scalar_keys[i]);
                if ((s == NULL) != (v == NULL))
                        abort();
                if (v)
                        (void) parse_boolean(v);
        }
        for (size_t i = 0; i < ELEMENTSOF(fuzz_unit_list_keys); i++) {
                _cleanup_strv_free_ char **values = NULL;
                if (unit_text_get_list(u, "Service", fuzz_unit_list_keys[i], &values) >= 0 && !values)
                        abort();
        }

        /* Never read the files the input names. */
        for (size_t i = 0; i < u->n; i++)
                if (u->items[i].key && streq(u->items[i].key, "EnvironmentFile"))
                        u->items[i].key = (char *) "EnvironmentFile-disabled-by-fuzzer";

        if (unit_environment(u, &sp, &env, &error) < 0)
                env = NULL;
        error = (free(error), NULL);
        (void) unit_exec_search_path(u, &sp, env, &search);

        for (size_t k = 0; k < ELEMENTSOF(exec_command_keys); k++) {
                _cleanup_strv_free_ char **values = NULL;
                if (unit_text_get_list(u, "Service", exec_command_keys[k], &values) < 0)
                        continue;
                STRV_FOREACH(v, values) {
                        ExecCommand *cmds = NULL;
                        size_t n = 0;
                        _cleanup_free_ char *e = NULL;
                        if (budget-- == 0)
                                return;
                        (void) exec_command_parse(*v, &sp, env, &cmds, &n, &e);
                        exec_command_free_many(cmds, n);
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        UnitText u = {};
        const char *text = (const char *) data, *dropin = NULL;
        size_t text_size = size, dropin_size = 0;
        _cleanup_strv_free_ char **env_file = NULL;

        if (size > FUZZ_MAX_INPUT)
                return 0;
        const char *mark = memmem(data, size, FUZZ_UNIT_DROPIN_MARK, strlen(FUZZ_UNIT_DROPIN_MARK));
        if (mark) {
                text_size = mark - text;
                dropin = mark + strlen(FUZZ_UNIT_DROPIN_MARK);
                dropin_size = size - (dropin - text);
        }

        /* Copies of exactly the given size, so ASan sees any read past the end. */
        char *a = malloc(text_size ?: 1), *b = malloc(dropin_size ?: 1);
        if (!a || !b)
                goto finish;
        memcpy(a, text, text_size);
        if (dropin)
                memcpy(b, dropin, dropin_size);

        if (unit_text_load_buffer(&u, a, text_size, "/etc/systemd/system/fuzz@.service") >= 0 && dropin)
                (void) unit_text_load_buffer(&u, b, dropin_size, "/etc/systemd/system/fuzz@.service.d/10-x.conf");
        fuzz_unit_queries(&u);
        unit_text_done(&u);

        (void) env_file_parse(a, text_size, &env_file);
finish:
        free(a);
        free(b);
        return 0;
}
