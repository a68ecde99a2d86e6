/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "confinement-config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

static const char *const known_profiles[] = { "dns", "tls", "timezone", "locale", "users", "gconv" };

static bool is_known_profile(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(known_profiles); i++)
                if (streq(name, known_profiles[i]))
                        return true;
        return false;
}

const char *confinement_mode_to_string(ConfinementMode m) {
        return m == CONFINEMENT_CHROOT_ONLY ? "chroot-only" : "full-apivfs";
}

void confinement_config_done(ConfinementConfig *c) {
        c->packages = strv_free(c->packages);
        c->profiles = strv_free(c->profiles);
        c->bin_sh = (free(c->bin_sh), NULL);
}

static int fail(char **ret_error, const UnitSetting *s, const char *what) {
        if (asprintf(ret_error, "%s:%u: %s=%s: %s", s->file, s->line, s->key, s->value, what) < 0)
                *ret_error = NULL;
        return -EINVAL;
}

static int parse_bool_key(const UnitSetting *s, bool *ret, char **ret_error) {
        int b = parse_boolean(s->value);
        if (b < 0)
                return fail(ret_error, s, "not a boolean");
        *ret = b;
        return 0;
}

/* A list key: words separated by whitespace; an empty value clears the list. */
static int parse_list_key(const UnitSetting *s, char ***list, bool want_paths, char **ret_error) {
        if (isempty(s->value)) {
                *list = strv_free(*list);
                return 0;
        }
        _cleanup_strv_free_ char **words = NULL;
        if (strv_split(s->value, " \t", &words) < 0)
                return -ENOMEM;
        STRV_FOREACH(w, words) {
                if (want_paths && (*w)[0] != '/')
                        return fail(ret_error, s, "not an absolute path");
                if (!want_paths && !is_known_profile(*w))
                        return fail(ret_error, s, "unknown profile");
                if (!strv_contains(*list, *w) && strv_extend(list, *w) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int parse_bin_sh(const UnitSetting *s, char **bin_sh, char **ret_error) {
        free(*bin_sh);
        *bin_sh = NULL;
        if (isempty(s->value))
                return 0;
        if (s->value[0] != '/')
                return fail(ret_error, s, "not an absolute path");
        *bin_sh = strdup(s->value);
        return *bin_sh ? 0 : -ENOMEM;
}

static int apply_setting(ConfinementConfig *c, const UnitSetting *s, char **ret_error) {
        if (streq(s->key, "Enable"))
                return parse_bool_key(s, &c->enable, ret_error);
        if (streq(s->key, "FullUnit"))
                return parse_bool_key(s, &c->full_unit, ret_error);
        if (streq(s->key, "DlopenRecommended"))
                return parse_bool_key(s, &c->dlopen_recommended, ret_error);
        if (streq(s->key, "Harden"))
                return parse_bool_key(s, &c->harden, ret_error);
        if (streq(s->key, "Mode")) {
                if (streq(s->value, "full-apivfs"))
                        c->mode = CONFINEMENT_FULL_APIVFS;
                else if (streq(s->value, "chroot-only"))
                        c->mode = CONFINEMENT_CHROOT_ONLY;
                else
                        return fail(ret_error, s, "expected full-apivfs or chroot-only");
                return 0;
        }
        if (streq(s->key, "Packages"))
                return parse_list_key(s, &c->packages, true, ret_error);
        if (streq(s->key, "Profiles"))
                return parse_list_key(s, &c->profiles, false, ret_error);
        if (streq(s->key, "BinSh"))
                return parse_bin_sh(s, &c->bin_sh, ret_error);
        return fail(ret_error, s, "unknown key");
}

int confinement_config_parse(const UnitText *u, ConfinementConfig *ret, char **ret_error) {
        ConfinementConfig c = {
                .enable = true,
                .mode = CONFINEMENT_FULL_APIVFS,
                .bin_sh = strdup("/bin/sh"),
        };
        if (!c.bin_sh)
                return -ENOMEM;

        for (size_t i = 0; i < u->n; i++) {
                const UnitSetting *s = &u->items[i];
                if (!streq(s->section, CONFINEMENT_SECTION) || isempty(s->key))
                        continue; /* an empty key marks the section header */
                int r = apply_setting(&c, s, ret_error);
                if (r < 0) {
                        confinement_config_done(&c);
                        return r;
                }
        }
        *ret = c;
        return 0;
}
