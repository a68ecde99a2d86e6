/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "specifier.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "macro.h"
#include "read-file.h"
#include "string-util.h"
#include "strv.h"
#include "env-file.h"
#include "unit-name.h"

/* A lookup returns 0 with *ret (NULL = empty), -ENXIO when the value cannot be known at boot
 * (with *why), or another -errno that systemd would fail with too. */
typedef int (*SpecifierLookup)(const Specifiers *sp, char **ret, const char **why);

static void *mfree(void *p) {
        free(p);
        return NULL;
}

static int dup_value(const char *s, char **ret) {
        *ret = s ? strdup(s) : NULL;
        return s && !*ret ? -ENOMEM : 0;
}

static int need_name(const Specifiers *sp, const char **why) {
        if (sp && sp->name)
                return 0;
        *why = "no unit name given";
        return -ENXIO;
}

static int spec_name(const Specifiers *sp, char **ret, const char **why) {
        int r = need_name(sp, why);
        return r < 0 ? r : dup_value(sp->name, ret);
}

static int spec_name_without_suffix(const Specifiers *sp, char **ret, const char **why) {
        int r = need_name(sp, why);
        if (r < 0)
                return r;
        if (!unit_name_is_valid(sp->name, UNIT_NAME_ANY))
                return -EINVAL;
        *ret = strndup(sp->name, strrchr(sp->name, '.') - sp->name);
        return *ret ? 0 : -ENOMEM;
}

static int spec_prefix(const Specifiers *sp, char **ret, const char **why) {
        int r = need_name(sp, why);
        return r < 0 ? r : unit_name_to_prefix(sp->name, ret);
}

static int spec_prefix_unescaped(const Specifiers *sp, char **ret, const char **why) {
        _cleanup_free_ char *p = NULL;
        int r = spec_prefix(sp, &p, why);
        return r < 0 ? r : unit_name_unescape(p, ret);
}

static int get_instance(const Specifiers *sp, char **ret, const char **why) {
        int r = need_name(sp, why);
        if (r < 0)
                return r;
        r = unit_name_to_instance(sp->name, ret);
        return r < 0 ? r : 0;
}

static int spec_instance(const Specifiers *sp, char **ret, const char **why) {
        int r = get_instance(sp, ret, why);
        if (r >= 0 && *ret && !**ret) /* a template's empty instance */
                *ret = mfree(*ret);
        return r;
}

static int spec_instance_unescaped(const Specifiers *sp, char **ret, const char **why) {
        _cleanup_free_ char *i = NULL;
        int r = get_instance(sp, &i, why);
        return r < 0 ? r : unit_name_unescape(i ? i : "", ret);
}

static int spec_last_component(const Specifiers *sp, char **ret, const char **why) {
        _cleanup_free_ char *p = NULL;
        int r = spec_prefix(sp, &p, why);
        if (r < 0)
                return r;
        const char *dash = strrchr(p, '-');
        if (!dash) {
                *ret = TAKE_PTR(p);
                return 0;
        }
        return dup_value(dash[1] ? dash + 1 : NULL, ret);
}

static int spec_last_component_unescaped(const Specifiers *sp, char **ret, const char **why) {
        _cleanup_free_ char *c = NULL;
        int r = spec_last_component(sp, &c, why);
        return r < 0 ? r : unit_name_unescape(c ? c : "", ret);
}

static int spec_filename(const Specifiers *sp, char **ret, const char **why) {
        _cleanup_free_ char *i = NULL, *p = NULL;
        int r = get_instance(sp, &i, why);
        if (r < 0)
                return r;
        if (!isempty(i))
                return unit_name_path_unescape(i, ret);
        r = unit_name_to_prefix(sp->name, &p);
        return r < 0 ? r : unit_name_path_unescape(p, ret);
}

static int spec_real_path(const Specifiers *sp, char **ret, const char **why) {
        if (!sp || !sp->fragment)
                return -ENOENT; /* systemd fails %y without a fragment too */
        *ret = realpath(sp->fragment, NULL);
        return *ret ? 0 : -errno;
}

static int spec_real_directory(const Specifiers *sp, char **ret, const char **why) {
        _cleanup_free_ char *p = NULL;
        int r = spec_real_path(sp, &p, why);
        if (r < 0)
                return r;
        return dup_value(dirname(p), ret);
}

static int spec_credentials_dir(const Specifiers *sp, char **ret, const char **why) {
        int r = need_name(sp, why);
        if (r < 0)
                return r;
        return asprintf(ret, "/run/credentials/%s", sp->name) < 0 ? -ENOMEM : 0;
}

static int spec_cgroup(const Specifiers *sp, char **ret, const char **why) {
        *why = "deprecated cgroup specifiers depend on the running manager";
        return -ENXIO;
}

#define CONSTANT_SPECIFIER(fn, value)                                              \
        static int fn(const Specifiers *sp, char **ret, const char **why) {        \
                return dup_value(value, ret);                                      \
        }

/* The system manager's dirs, and its own user (root), which 252 uses whatever User= says. */
CONSTANT_SPECIFIER(spec_cache_dir, "/var/cache")
CONSTANT_SPECIFIER(spec_config_dir, "/etc")
CONSTANT_SPECIFIER(spec_logs_dir, "/var/log")
CONSTANT_SPECIFIER(spec_state_dir, "/var/lib")
CONSTANT_SPECIFIER(spec_runtime_dir, "/run")
CONSTANT_SPECIFIER(spec_tmp_dir, "/tmp")
CONSTANT_SPECIFIER(spec_var_tmp_dir, "/var/tmp")
CONSTANT_SPECIFIER(spec_user_home, "/root")
CONSTANT_SPECIFIER(spec_user_shell, "/bin/sh")
CONSTANT_SPECIFIER(spec_user_name, "root")
CONSTANT_SPECIFIER(spec_zero_id, "0")

static char *root_path(const Specifiers *sp, const char *path) {
        char *p;
        const char *root = sp && sp->root && !streq(sp->root, "/") ? sp->root : "";
        return asprintf(&p, "%s%s", root, path) < 0 ? NULL : p;
}

/* A FIFO put at /etc/machine-id must not block the boot: read_file_head() refuses it. */
static int read_first_line(const char *path, char **ret) {
        char buf[4096];
        size_t n;
        int r = read_file_head(path, buf, sizeof buf - 1, &n);

        if (r < 0)
                return r;
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;
        return dup_value(buf, ret);
}

/* The host name as the kernel has it at boot; PID 1 sets it before generators run. */
static int spec_hostname(const Specifiers *sp, char **ret, const char **why) {
        struct utsname u;
        if (uname(&u) < 0)
                return -errno;
        return dup_value(isempty(u.nodename) || streq(u.nodename, "(none)") ? "localhost" : u.nodename, ret);
}

static int spec_short_hostname(const Specifiers *sp, char **ret, const char **why) {
        int r = spec_hostname(sp, ret, why);
        if (r >= 0 && *ret)
                (*ret)[strcspn(*ret, ".")] = 0;
        return r;
}

static int read_env_file_field(const Specifiers *sp, const char *file, const char *key, char **ret) {
        _cleanup_free_ char *p = root_path(sp, file);
        _cleanup_strv_free_ char **env = NULL;
        if (!p)
                return -ENOMEM;
        int r = env_file_load(p, &env);
        if (r < 0)
                return r;
        return dup_value(strv_env_get(env, key), ret);
}

static int spec_pretty_hostname(const Specifiers *sp, char **ret, const char **why) {
        if (read_env_file_field(sp, "/etc/machine-info", "PRETTY_HOSTNAME", ret) >= 0 && !isempty(*ret))
                return 0;
        *ret = mfree(*ret);
        return spec_short_hostname(sp, ret, why);
}

static bool id128_is_valid(const char *s) {
        return strlen(s) == 32 && strspn(s, "0123456789abcdefABCDEF") == 32;
}

static int spec_machine_id(const Specifiers *sp, char **ret, const char **why) {
        _cleanup_free_ char *p = root_path(sp, "/etc/machine-id"), *id = NULL;
        if (!p)
                return -ENOMEM;
        if (read_first_line(p, &id) < 0 || !id || !id128_is_valid(id)) {
                *why = "/etc/machine-id is not set up";
                return -ENXIO;
        }
        *ret = TAKE_PTR(id);
        return 0;
}

/* The boot ID without dashes, as sd_id128_to_string() prints it. */
static int spec_boot_id(const Specifiers *sp, char **ret, const char **why) {
        _cleanup_free_ char *uuid = NULL;
        if (read_first_line("/proc/sys/kernel/random/boot_id", &uuid) < 0 || !uuid) {
                *why = "/proc/sys/kernel/random/boot_id is not readable";
                return -ENXIO;
        }
        char *w = uuid;
        for (const char *c = uuid; *c; c++)
                if (*c != '-')
                        *w++ = *c;
        *w = 0;
        if (!id128_is_valid(uuid)) {
                *why = "the boot ID is malformed";
                return -ENXIO;
        }
        *ret = TAKE_PTR(uuid);
        return 0;
}

static int spec_kernel_release(const Specifiers *sp, char **ret, const char **why) {
        struct utsname u;
        return uname(&u) < 0 ? -errno : dup_value(u.release, ret);
}

/* uname's machine as systemd's architecture names (the common ones). */
static int spec_architecture(const Specifiers *sp, char **ret, const char **why) {
        static const char *const map[][2] = {
                { "x86_64", "x86-64" },   { "i686", "x86" },         { "i586", "x86" },
                { "i486", "x86" },        { "i386", "x86" },         { "aarch64", "arm64" },
                { "aarch64_be", "arm64-be" }, { "ppc64le", "ppc64-le" }, { "ppc64", "ppc64" },
                { "s390x", "s390x" },     { "riscv64", "riscv64" },  { "loongarch64", "loongarch64" },
                { "mips64", "mips64" },   { "alpha", "alpha" },      { "ia64", "ia64" },
        };
        struct utsname u;

        if (uname(&u) < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (streq(u.machine, map[i][0]))
                        return dup_value(map[i][1], ret);
        if (startswith(u.machine, "armv"))
                return dup_value(endswith(u.machine, "b") ? "arm-be" : "arm", ret);
        *why = "unknown machine architecture";
        return -ENXIO;
}

static int os_release_field(const Specifiers *sp, const char *key, char **ret) {
        int r = read_env_file_field(sp, "/etc/os-release", key, ret);
        if (r == -ENOENT)
                r = read_env_file_field(sp, "/usr/lib/os-release", key, ret);
        return r == -ENOENT ? -EUNATCH : r; /* systemd's error for a missing os-release */
}

#define OS_RELEASE_SPECIFIER(fn, key)                                              \
        static int fn(const Specifiers *sp, char **ret, const char **why) {        \
                return os_release_field(sp, key, ret);                             \
        }

OS_RELEASE_SPECIFIER(spec_os_id, "ID")
OS_RELEASE_SPECIFIER(spec_os_version_id, "VERSION_ID")
OS_RELEASE_SPECIFIER(spec_os_build_id, "BUILD_ID")
OS_RELEASE_SPECIFIER(spec_os_variant_id, "VARIANT_ID")
OS_RELEASE_SPECIFIER(spec_os_image_id, "IMAGE_ID")
OS_RELEASE_SPECIFIER(spec_os_image_version, "IMAGE_VERSION")

/* unit_full_printf_full()'s table in systemd 252. */
static const struct {
        char letter;
        SpecifierLookup lookup;
} specifier_table[] = {
        { 'i', spec_instance },        { 'I', spec_instance_unescaped },
        { 'j', spec_last_component },  { 'J', spec_last_component_unescaped },
        { 'n', spec_name },            { 'N', spec_name_without_suffix },
        { 'p', spec_prefix },          { 'P', spec_prefix_unescaped },
        { 'f', spec_filename },        { 'y', spec_real_path },
        { 'Y', spec_real_directory },  { 'c', spec_cgroup },
        { 'r', spec_cgroup },          { 'R', spec_cgroup },
        { 'C', spec_cache_dir },       { 'd', spec_credentials_dir },
        { 'E', spec_config_dir },      { 'L', spec_logs_dir },
        { 'S', spec_state_dir },       { 't', spec_runtime_dir },
        { 'h', spec_user_home },       { 's', spec_user_shell },
        { 'a', spec_architecture },    { 'A', spec_os_image_version },
        { 'b', spec_boot_id },         { 'B', spec_os_build_id },
        { 'H', spec_hostname },        { 'l', spec_short_hostname },
        { 'q', spec_pretty_hostname }, { 'm', spec_machine_id },
        { 'M', spec_os_image_id },     { 'o', spec_os_id },
        { 'v', spec_kernel_release },  { 'w', spec_os_version_id },
        { 'W', spec_os_variant_id },   { 'g', spec_user_name },
        { 'G', spec_zero_id },         { 'u', spec_user_name },
        { 'U', spec_zero_id },         { 'T', spec_tmp_dir },
        { 'V', spec_var_tmp_dir },
};

static SpecifierLookup find_lookup(char c) {
        for (size_t i = 0; i < ELEMENTSOF(specifier_table); i++)
                if (specifier_table[i].letter == c)
                        return specifier_table[i].lookup;
        return NULL;
}

static bool is_alnum(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Sets *ret_error to the formatted message and returns -EBADMSG. */
static int fail(char **ret_error, bool *ret_systemd_fails, bool systemd_fails, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int fail(char **ret_error, bool *ret_systemd_fails, bool systemd_fails, const char *fmt, ...) {
        va_list ap;

        if (ret_systemd_fails)
                *ret_systemd_fails = systemd_fails;
        if (ret_error) {
                free(*ret_error);
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return -EBADMSG;
}

static int expand_one(char c, const Specifiers *sp, char **value, char **ret_error, bool *ret_systemd_fails) {
        const char *why = NULL;
        SpecifierLookup lookup = find_lookup(c);

        if (!lookup)
                return fail(ret_error, ret_systemd_fails, true, "unknown specifier %%%c", c);

        int r = lookup(sp, value, &why);
        if (r == -ENOMEM)
                return r;
        if (r == -ENXIO)
                return fail(ret_error, ret_systemd_fails, false, "specifier %%%c cannot be resolved at boot: %s",
                            c, why ? why : "unknown value");
        if (r < 0)
                return fail(ret_error, ret_systemd_fails, true, "specifier %%%c cannot be resolved: %s", c,
                            strerror(-r));
        return 0;
}

int specifier_expand_full(const char *s, const Specifiers *sp, size_t max_length, char **ret,
                          char **ret_error, bool *ret_systemd_fails) {
        Buffer out = {};
        bool percent = false;
        int r = 0;

        for (const char *f = s; *f && r >= 0; f++) {
                if (!percent) {
                        if (*f == '%')
                                percent = true;
                        else
                                r = buffer_append(&out, f, 1);
                } else {
                        percent = false;
                        if (*f == '%')
                                r = buffer_append(&out, "%", 1);
                        else if (!is_alnum(*f)) {
                                char lit[2] = { '%', *f }; /* not a specifier: kept as written */
                                r = buffer_append(&out, lit, 2);
                        } else {
                                _cleanup_free_ char *value = NULL;
                                r = expand_one(*f, sp, &value, ret_error, ret_systemd_fails);
                                if (r >= 0 && value)
                                        r = buffer_append(&out, value, strlen(value));
                        }
                }
                if (r >= 0 && out.len > max_length)
                        r = fail(ret_error, ret_systemd_fails, true, "expanded value of \"%s\" is too long", s);
        }
        if (r >= 0 && percent) /* a trailing '%' stays */
                r = buffer_append(&out, "%", 1);
        if (r >= 0 && out.len > max_length)
                r = fail(ret_error, ret_systemd_fails, true, "expanded value of \"%s\" is too long", s);
        if (r >= 0 && !out.data)
                r = buffer_append(&out, "", 0);
        if (r < 0) {
                free(out.data);
                return r;
        }
        if (ret_systemd_fails)
                *ret_systemd_fails = false;
        *ret = out.data;
        return 0;
}

int specifier_expand(const char *s, const Specifiers *sp, char **ret, char **ret_error) {
        return specifier_expand_full(s, sp, SIZE_MAX, ret, ret_error, NULL);
}

int specifier_sentinel_name(const char *template, char **ret) {
        return unit_name_replace_instance(template, SPECIFIER_INSTANCE_SENTINEL, ret);
}

static const char *sentinel_unescaped(void) {
        static char u[sizeof(SPECIFIER_INSTANCE_SENTINEL)];
        if (!u[0]) {
                memcpy(u, SPECIFIER_INSTANCE_SENTINEL, sizeof u);
                for (char *c = u; *c; c++)
                        if (*c == '-')
                                *c = '/';
        }
        return u;
}

bool specifier_has_sentinel(const char *s) {
        return s && (strstr(s, SPECIFIER_INSTANCE_SENTINEL) || strstr(s, sentinel_unescaped()));
}

static bool literal_is_plain(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                unsigned char c = s[i];
                if (c <= ' ' || c == 0x7f || strchr("\"'\\:;", c))
                        return false;
        }
        return true;
}

int specifier_unexpand_path(const char *s, const char *sentinel_name, char **ret) {
        /* The name's forms only matter where the template's own name was expanded. */
        if (!sentinel_name)
                sentinel_name = "\x01@" SPECIFIER_INSTANCE_SENTINEL ".service";
        _cleanup_free_ char *without_suffix = strndup(sentinel_name, strrchr(sentinel_name, '.') - sentinel_name);
        if (!without_suffix)
                return -ENOMEM;
        /* Longest first: %n holds %N, which holds %i. */
        const char *const forms[][2] = {
                { sentinel_name, "%n" },
                { without_suffix, "%N" },
                { SPECIFIER_INSTANCE_SENTINEL, "%i" },
                { sentinel_unescaped(), "%I" },
        };
        Buffer b = {};
        int r = buffer_append(&b, "", 0);
        for (const char *p = s; r >= 0 && *p;) {
                size_t k = 0;
                while (k < ELEMENTSOF(forms) && !startswith(p, forms[k][0]))
                        k++;
                if (k < ELEMENTSOF(forms)) {
                        r = buffer_append(&b, forms[k][1], 2);
                        p += strlen(forms[k][0]);
                } else if (!literal_is_plain(p, 1))
                        r = -EINVAL;
                else {
                        r = buffer_append(&b, p, 1);
                        if (r >= 0 && *p == '%')
                                r = buffer_append(&b, "%", 1);
                        p++;
                }
        }
        if (r < 0) {
                free(b.data);
                return r;
        }
        *ret = b.data;
        return 0;
}
