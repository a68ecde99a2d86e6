/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "profiles.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dlopen-search.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "read-file.h"
#include "strv.h"

#define NSSWITCH_CONF "/etc/nsswitch.conf"

static const char *const locale_categories[] = {
        "LC_ALL",   "LC_CTYPE",   "LC_NUMERIC", "LC_TIME",    "LC_COLLATE",     "LC_MONETARY",       "LC_MESSAGES",
        "LC_PAPER", "LC_NAME",    "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT", "LC_IDENTIFICATION", "LANG",
};

/* True when path, followed to its end, exists now. A link into /run whose
 * target appears only once a daemon starts (resolv.conf -> systemd-resolved's
 * stub) is absent at boot: the profile then goes without it. */
static int exists(const char *path, const char *reason) {
        struct stat st;
        if (stat(path, &st) >= 0)
                return 1;
        if (errno == ENOENT || errno == ENOTDIR) {
                log_debug("  %s: not on this host, skipped (%s)", path, reason);
                return 0;
        }
        return 1; /* ELOOP, EACCES...: closure_add_file() says what is wrong */
}

static int add_optional_file(Closure *c, const char *path, const char *reason) {
        int r = exists(path, reason);
        return r <= 0 ? r : closure_add_file(c, path, reason);
}

/* A directory with everything under it, links inside reproduced. */
static int add_optional_dir(Closure *c, const char *path, const char *reason) {
        int r = exists(path, reason);
        return r <= 0 ? r : closure_add_package(c, path, reason);
}

static int add_file_list(Closure *c, const char *const *paths, size_t n, const char *reason) {
        for (size_t i = 0; i < n; i++) {
                int r = add_optional_file(c, paths[i], reason);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Absolute paths in a variable of the unit's environment (SSL_CERT_DIR=a:b). */
static int add_env_paths(Closure *c, char * const *env, const char *key, const char *reason) {
        _cleanup_strv_free_ char **words = NULL;
        const char *v = strv_env_get(env, key);
        if (!v || strv_split(v, ":", &words) < 0)
                return v ? -ENOMEM : 0;
        STRV_FOREACH(w, words) {
                if ((*w)[0] != '/')
                        continue;
                int r = add_optional_dir(c, *w, reason);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int library_found(const char *path, const char *parent, const char *reason, void *userdata) {
        return closure_add_needed(userdata, path, parent, reason);
}

/* A library glibc dlopen()s, with what ld.so loads for it. */
static int add_library(Closure *c, const char *path, const char *reason) {
        _cleanup_free_ char *error = NULL;
        LoaderConfig cfg = *closure_loader(c);
        cfg.as_library = true;
        int r = closure_add_file(c, path, reason);
        if (r < 0)
                return r;
        r = loader_closure(&cfg, path, library_found, c, &error);
        if (r < 0 && !closure_error(c))
                return closure_fail(c, r, r == -ENOENT ? "missing-library" : "bad-elf", "%s (%s): %s", path, reason,
                                    error ?: strerror(-r));
        return r;
}

/* ---- nsswitch.conf ---- */

static bool nss_service_name_ok(const char *s) {
        for (; *s; s++)
                if (!isalnum((unsigned char) *s) && *s != '_' && *s != '-')
                        return false;
        return true;
}

/* "db: svc [STATUS=action ...] svc ...": the services, without the actions. */
static int nss_line_services(const char *rest, char ***services) {
        for (const char *p = rest; *p;) {
                if (*p == '[') {
                        p += strcspn(p, "]");
                        p += *p == ']';
                        continue;
                }
                size_t n = strcspn(p, " \t[");
                if (n == 0) {
                        p++;
                        continue;
                }
                _cleanup_free_ char *word = strndup(p, n);
                if (!word)
                        return -ENOMEM;
                if (nss_service_name_ok(word) && !strv_contains(*services, word) && strv_extend(services, word) < 0)
                        return -ENOMEM;
                p += n;
        }
        return 0;
}

int profiles_nss_services(const char *nsswitch_conf, const char *db, char ***ret) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        _cleanup_strv_free_ char **services = NULL;
        size_t size = 0;

        *ret = NULL;
        /* O_NONBLOCK: a FIFO there must not block the boot (read-file.h refuses it). */
        int r = read_file_open(nsswitch_conf, 0, &f);
        if (r < 0)
                return r == -ENOENT ? 0 : r;
        while (getline(&line, &size, f) > 0) {
                line[strcspn(line, "#\n")] = 0;
                char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                *colon = 0;
                char *name = line + strspn(line, " \t");
                name[strcspn(name, " \t")] = 0;
                if (!streq(name, db))
                        continue;
                r = nss_line_services(colon + 1, &services);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(services);
        return 0;
}

/* The modules glibc dlopen()s for a database: libnss_NAME.so.2, found as
 * dlopen() finds it. "files" and "dns" are built into libc since 2.34; a
 * module the host lacks is one glibc skips too (the service is unavailable). */
static int add_nss_modules(Closure *c, const char *db, const char *profile) {
        _cleanup_strv_free_ char **services = NULL;
        int r = profiles_nss_services(NSSWITCH_CONF, db, &services);
        if (r < 0)
                return closure_fail(c, r, "unreadable-file", NSSWITCH_CONF ": %s", strerror(-r));
        STRV_FOREACH(s, services) {
                _cleanup_free_ char *soname = NULL, *path = NULL, *reason = NULL;
                DlopenVia via;
                if (streq(*s, "files") || streq(*s, "dns"))
                        continue;
                if (asprintf(&soname, "libnss_%s.so.2", *s) < 0)
                        return -ENOMEM;
                r = dlopen_search(closure_loader(c), NULL, soname, &path, &via);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        log_debug("  %s (\"%s:\" in " NSSWITCH_CONF "): not on this host, skipped", soname, db);
                        continue;
                }
                if (asprintf(&reason, "Profiles=%s: NSS module \"%s\" of \"%s:\" in " NSSWITCH_CONF ", via %s",
                             profile, *s, db, dlopen_via_to_string(via)) < 0)
                        return -ENOMEM;
                if (via == DLOPEN_VIA_CACHE) {
                        r = closure_add_file(c, closure_loader(c)->cache_file ?: "/etc/ld.so.cache", reason);
                        if (r < 0)
                                return r;
                }
                r = add_library(c, path, reason);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- the profiles ---- */

static int profile_dns(Closure *c, char * const *env) {
        static const char *const files[] = {
                "/etc/resolv.conf", NSSWITCH_CONF, "/etc/hosts", "/etc/gai.conf", "/etc/host.conf",
        };
        int r = add_file_list(c, files, ELEMENTSOF(files), "Profiles=dns: resolver configuration");
        if (r >= 0)
                r = add_env_paths(c, env, "HOSTALIASES", "Profiles=dns: $HOSTALIASES");
        if (r >= 0)
                r = add_nss_modules(c, "hosts", "dns");
        return r;
}

static int profile_tls(Closure *c, char * const *env) {
        /* The stores first: the links in /etc/ssl/certs then point into bound dirs. */
        static const char *const dirs[] = {
                "/usr/share/ca-certificates", "/usr/local/share/ca-certificates", "/etc/ssl/certs",
        };
        /* Not /usr/lib/ssl/private: it leads to the host's private keys. */
        static const char *const files[] = {
                "/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/openssl.cnf", "/usr/lib/ssl/openssl.cnf",
                "/usr/lib/ssl/certs",                 "/usr/lib/ssl/cert.pem",
        };
        const char *reason = "Profiles=tls: system trust store";
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                int r = add_optional_dir(c, dirs[i], reason);
                if (r < 0)
                        return r;
        }
        int r = add_file_list(c, files, ELEMENTSOF(files), reason);
        if (r >= 0)
                r = add_env_paths(c, env, "SSL_CERT_FILE", "Profiles=tls: $SSL_CERT_FILE");
        if (r >= 0)
                r = add_env_paths(c, env, "SSL_CERT_DIR", "Profiles=tls: $SSL_CERT_DIR");
        return r;
}

static int profile_timezone(Closure *c, char * const *env) {
        static const char *const files[] = { "/etc/localtime", "/etc/timezone" };
        const char *tz = strv_env_get(env, "TZ");
        int r = add_file_list(c, files, ELEMENTSOF(files), "Profiles=timezone: the host's zone");
        if (r >= 0)
                r = add_optional_dir(c, "/usr/share/zoneinfo", "Profiles=timezone: zone database");
        if (r >= 0)
                r = add_env_paths(c, env, "TZDIR", "Profiles=timezone: $TZDIR");
        if (r >= 0 && tz && startswith(tz, ":/")) /* TZ=:/path names a zone file */
                r = add_optional_file(c, tz + 1, "Profiles=timezone: $TZ");
        return r;
}

static int profile_users(Closure *c, char * const *env) {
        /* Not /etc/shadow or /etc/gshadow: a daemon looks users up, it does not
         * check their passwords; one that does says so with Packages=. */
        static const char *const files[] = { "/etc/passwd", "/etc/group", NSSWITCH_CONF };
        int r = add_file_list(c, files, ELEMENTSOF(files), "Profiles=users: user and group database");
        if (r >= 0)
                r = add_nss_modules(c, "passwd", "users");
        if (r >= 0)
                r = add_nss_modules(c, "group", "users");
        return r;
}

/* glibc's gconv dir is $libdir/gconv: beside the real libc.so.6. */
static int profile_gconv(Closure *c, char * const *env) {
        _cleanup_free_ char *libc = NULL, *real = NULL, *dir = NULL, *gconv = NULL;
        DlopenVia via;
        int r = add_env_paths(c, env, "GCONV_PATH", "Profiles=gconv: $GCONV_PATH");
        if (r < 0)
                return r;
        r = dlopen_search(closure_loader(c), NULL, "libc.so.6", &libc, &via);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || !(real = realpath(libc, NULL))) {
                log_debug("  libc.so.6 not found, no gconv modules (Profiles=gconv)");
                return 0;
        }
        dir = path_dirname(real);
        gconv = dir ? path_join_normalize(dir, "gconv") : NULL;
        if (!gconv)
                return -ENOMEM;
        return add_optional_dir(c, gconv, "Profiles=gconv: glibc's character set converters");
}

/* ---- locale ---- */

/* What PID 1 puts into every service's environment: /etc/locale.conf, or on
 * Debian /etc/default/locale when that is missing. */
static int read_locale_conf(char ***env) {
        static const char *const files[] = { "/etc/locale.conf", "/etc/default/locale" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_fclose_ FILE *f = NULL;
                _cleanup_free_ char *line = NULL;
                size_t size = 0;
                if (read_file_open(files[i], 0, &f) < 0)
                        continue;
                while (getline(&line, &size, f) > 0) {
                        line[strcspn(line, "\n")] = 0;
                        char *eq = strchr(line, '=');
                        if (line[0] == '#' || !eq)
                                continue;
                        *eq = 0;
                        char *v = eq + 1;
                        size_t n = strlen(v);
                        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
                                v[n - 1] = 0;
                                v++;
                        }
                        if (strv_env_set(env, line, v) < 0)
                                return -ENOMEM;
                }
                return 0;
        }
        return 0;
}

static bool is_c_locale(const char *name) {
        return isempty(name) || streq(name, "C") || streq(name, "POSIX") || startswith(name, "C.");
}

/* glibc's _nl_normalize_codeset(): "UTF-8" -> "utf8", "8859-1" -> "iso88591". */
static char *normalize_codeset(const char *codeset, size_t n) {
        _cleanup_free_ char *out = malloc(n + 4);
        bool digits = true;
        size_t k = 0;
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (isalnum((unsigned char) codeset[i])) {
                        digits = digits && isdigit((unsigned char) codeset[i]);
                        out[k++] = (char) tolower((unsigned char) codeset[i]);
                }
        out[k] = 0;
        if (!digits)
                return TAKE_PTR(out);
        return asprintf_safe("iso%s", out);
}

/* The names glibc and gettext try for "ll_CC.codeset@mod", most specific first. */
static int locale_variants(const char *name, char ***ret) {
        size_t l = strcspn(name, "_.@"), t = strcspn(name, ".@");
        const char *dot = strchr(name, '.'), *at = strchr(name, '@');
        _cleanup_free_ char *norm = dot ? normalize_codeset(dot + 1, at && at > dot ? (size_t) (at - dot - 1)
                                                                                    : strlen(dot + 1)) : NULL;
        const char *mod = at ?: "";
        char *v[] = {
                strdup(name),
                norm ? asprintf_safe("%.*s.%s%s", (int) t, name, norm, mod) : NULL,
                asprintf_safe("%.*s%s", (int) t, name, mod),
                asprintf_safe("%.*s", (int) t, name),
                asprintf_safe("%.*s%s", (int) l, name, mod),
                asprintf_safe("%.*s", (int) l, name),
        };
        int r = 0;
        for (size_t i = 0; i < ELEMENTSOF(v); i++) {
                if (v[i] && !strchr(v[i], '/') && !strv_contains(*ret, v[i]) && strv_extend(ret, v[i]) < 0)
                        r = -ENOMEM;
                free(v[i]);
        }
        return r;
}

static int add_locale_dirs(Closure *c, const char *top, char * const *names, const char *reason) {
        STRV_FOREACH(n, names) {
                _cleanup_free_ char *dir = path_join_normalize(top, *n);
                if (!dir)
                        return -ENOMEM;
                int r = add_optional_dir(c, dir, reason);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The message catalogs: gettext looks in /usr/share/locale/NAME for the
 * LC_MESSAGES locale and every entry of $LANGUAGE (ignored for C). */
static int add_messages(Closure *c, char * const *loc) {
        const char *msg = strv_env_get(loc, "LC_ALL") ?: strv_env_get(loc, "LC_MESSAGES") ?: strv_env_get(loc, "LANG");
        const char *language = strv_env_get(loc, "LANGUAGE");
        _cleanup_strv_free_ char **names = NULL, **langs = NULL;
        if (is_c_locale(msg))
                return 0;
        if (locale_variants(msg, &names) < 0 || (language && strv_split(language, ":", &langs) < 0))
                return -ENOMEM;
        STRV_FOREACH(l, langs)
                if (locale_variants(*l, &names) < 0)
                        return -ENOMEM;
        int r = add_optional_file(c, "/usr/share/locale/locale.alias", "Profiles=locale: locale aliases");
        if (r >= 0)
                r = add_locale_dirs(c, "/usr/share/locale", names, "Profiles=locale: message catalogs");
        return r;
}

/* Where the system sets no locale variable at all, PID 1 gives every service
 * LANG=C.UTF-8 (systemd's SYSTEMD_DEFAULT_LOCALE, src/core/locale-setup.c; seen
 * in 252, 257 and 262); glibc loads it from /usr/lib/locale/C.utf8. */
static int default_locale(char ***loc) {
        for (size_t i = 0; i < ELEMENTSOF(locale_categories); i++)
                if (!isempty(strv_env_get(*loc, locale_categories[i])))
                        return 0;
        if (!isempty(strv_env_get(*loc, "LANGUAGE")))
                return 0;
        return strv_env_set(loc, "LANG", "C.UTF-8") < 0 ? -ENOMEM : 0;
}

static int profile_locale(Closure *c, char * const *env) {
        _cleanup_strv_free_ char **loc = NULL, **names = NULL;
        int r = read_locale_conf(&loc);
        if (r >= 0)
                r = default_locale(&loc);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(locale_categories); i++) {
                const char *v = strv_env_get(env, locale_categories[i]);
                if (v && strv_env_set(&loc, locale_categories[i], v) < 0)
                        return -ENOMEM;
        }
        if (strv_env_get(env, "LANGUAGE") && strv_env_set(&loc, "LANGUAGE", strv_env_get(env, "LANGUAGE")) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(locale_categories); i++) {
                const char *v = strv_env_get(loc, locale_categories[i]);
                if (!isempty(v) && !streq(v, "C") && !streq(v, "POSIX") && locale_variants(v, &names) < 0)
                        return -ENOMEM;
        }
        r = add_file_list(c, (const char *const[]) { "/etc/default/locale", "/etc/locale.conf" }, 2,
                          "Profiles=locale: the system locale PID 1 passes on");
        if (r >= 0 && names)
                r = add_optional_file(c, "/usr/lib/locale/locale-archive", "Profiles=locale: locale archive");
        if (r >= 0)
                r = add_locale_dirs(c, "/usr/lib/locale", names, "Profiles=locale: compiled locales");
        if (r >= 0)
                r = add_env_paths(c, env, "LOCPATH", "Profiles=locale: $LOCPATH");
        if (r >= 0)
                r = add_messages(c, loc);
        return r;
}

int profiles_add(Closure *c, char * const *profiles, char * const *env) {
        static const struct {
                const char *name;
                int (*add)(Closure *c, char * const *env);
        } table[] = {
                { "dns", profile_dns },           { "tls", profile_tls },     { "timezone", profile_timezone },
                { "locale", profile_locale }, { "users", profile_users }, { "gconv", profile_gconv },
        };
        STRV_FOREACH(p, profiles) {
                size_t i;
                for (i = 0; i < ELEMENTSOF(table) && !streq(table[i].name, *p); i++)
                        ;
                if (i == ELEMENTSOF(table))
                        return closure_fail(c, -EINVAL, "bad-setting", "Profiles=%s: unknown profile", *p);
                log_debug("  Profiles=%s", *p);
                int r = table[i].add(c, env);
                if (r < 0)
                        return r;
        }
        return 0;
}
