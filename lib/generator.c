/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "generator.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "confinement-config.h"
#include "dropin.h"
#include "explain.h"
#include "loader-cache.h"
#include "log.h"
#include "mounts.h"
#include "path-set.h"
#include "store.h"
#include "strv.h"
#include "unit-confine.h"
#include "unit-file.h"
#include "unit-lookup.h"

typedef enum OptedKind {
        OPTED_UNIT,           /* one unit, or a template confined as a whole */
        OPTED_TEMPLATE_GUARD, /* a template whose closure depends on the instance */
} OptedKind;

typedef struct Opted {
        UnitInfo info;
        UnitText text;
        char *stem;
        OptedKind kind;
} Opted;

typedef struct Run {
        const GeneratorOptions *opts;
        const char *dir;      /* where drop-ins go */
        char **search_path;
        UnitLookup *lookup;   /* one scan of the unit dirs for the whole run */
        PendingMounts *pending;
        StoreScanner *store;  /* each store path scanned once per run */
        LoaderCache *loader_cache; /* files do not change during a run */
        Opted *opted;
        size_t n_opted;
        int write_error;
} Run;

static void opted_done(Opted *o) {
        unit_info_done(&o->info);
        unit_text_done(&o->text);
        free(o->stem);
}

static bool writing(const Run *run) {
        return !run->opts->dry_run && !run->opts->explain;
}

static void note_write(Run *run, int r, const char *unit, const char *what) {
        if (r >= 0)
                return;
        log_error_errno(r, "%s: cannot write %s in %s: %m", unit, what, run->dir);
        if (run->write_error == 0)
                run->write_error = r;
}

/* Settings whose value names the instance make the closure instance-dependent. */
static bool depends_on_instance(const UnitText *t) {
        for (size_t i = 0; i < t->n; i++) {
                const UnitSetting *s = &t->items[i];
                if (!streq(s->section, "Service") && !streq(s->section, CONFINEMENT_SECTION))
                        continue;
                if (!startswith(s->key, "Exec") && !startswith(s->key, "Environment") &&
                    !streq(s->section, CONFINEMENT_SECTION))
                        continue;
                for (const char *p = s->value; (p = strchr(p, '%')); p += 2) {
                        if (p[1] == 0)
                                break;
                        if (strchr("iIjJnN", p[1]))
                                return true;
                }
        }
        return false;
}

/* The unit's text as systemd reads it: a file it stops reading early (a bad
 * line) still counts with what came before, and a file it cannot read at all
 * is skipped, as systemd does. Skipping the unit instead could leave one that
 * opted in unconfined. */
static int load_text(const UnitInfo *info, UnitText *text) {
        const char *files[strv_length(info->dropins) + 2];
        size_t n = 0;
        if (info->fragment)
                files[n++] = info->fragment;
        STRV_FOREACH(d, info->dropins)
                files[n++] = *d;
        for (size_t i = 0; i < n; i++) {
                int r = unit_text_load_file(text, files[i]);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        log_debug_errno(r, "%s: read only in part or not at all: %m", files[i]);
        }
        return 0;
}

/* Whether a unit asked for confinement (1 or 0): loads its files into o->text.
 * Out of memory is an error of the run, never a reason to pass a unit by. */
static int opted_in(Opted *o) {
        if (o->info.masked)
                return 0;
        int r = load_text(&o->info, &o->text);
        if (r < 0)
                return r;
        return unit_text_has_section(&o->text, CONFINEMENT_SECTION);
}

/* Loads a service; returns 1 and fills o when it opted in, 0 when not. */
static int load_opted(Run *run, const char *name, Opted *o) {
        *o = (Opted) {};
        int r = unit_lookup_find(run->lookup, name, &o->info);
        if (r < 0) {
                log_debug_errno(r, "%s: cannot look the unit up, skipping: %m", name);
                return 0;
        }
        r = opted_in(o);
        if (r <= 0) {
                opted_done(o);
                return r;
        }
        o->stem = dropin_name_stem(o->info.dropins);
        if (!o->stem) {
                opted_done(o);
                return -ENOMEM;
        }
        return 1;
}

static bool is_template(const char *name) {
        return unit_name_is_valid(name, UNIT_NAME_TEMPLATE);
}

/* A template confined as a whole covers its instances, unless one of them has
 * drop-ins of its own (which may change its closure). */
static bool is_instance_of(const Opted *o, const Opted *tmpl) {
        _cleanup_free_ char *t = NULL;
        return o != tmpl && o->info.instance && unit_name_template(o->info.name, &t) >= 0 &&
               streq(t, tmpl->info.name);
}

static bool instances_need_own_dropins(Run *run, const Opted *tmpl) {
        if (depends_on_instance(&tmpl->text))
                return true;
        for (size_t i = 0; i < run->n_opted; i++) {
                const Opted *o = &run->opted[i];
                if (is_instance_of(o, tmpl) && strv_length(o->info.dropins) > strv_length(tmpl->info.dropins))
                        return true;
        }
        return false;
}

static bool covered_by_template(Run *run, const Opted *o) {
        _cleanup_free_ char *tmpl = NULL;
        if (!o->info.instance || unit_name_template(o->info.name, &tmpl) < 0)
                return false;
        for (size_t i = 0; i < run->n_opted; i++)
                if (streq(run->opted[i].info.name, tmpl))
                        return run->opted[i].kind == OPTED_UNIT;
        return false;
}

static int collect(Run *run) {
        _cleanup_strv_free_ char **names = NULL;
        int r = unit_lookup_new(run->search_path, &run->lookup);
        if (r >= 0)
                r = unit_lookup_list_services(run->lookup, &names);
        if (r < 0)
                return log_error_errno(r, "Cannot enumerate units: %m");

        STRV_FOREACH(n, names) {
                if (run->opts->explain && !streq(*n, run->opts->explain))
                        continue;
                /* Most units never name the section: a look at their bytes passes them by
                 * without parsing (a section header is never split across lines). */
                if (!unit_lookup_may_mention(run->lookup, *n, CONFINEMENT_SECTION))
                        continue;
                Opted o;
                r = load_opted(run, *n, &o);
                if (r < 0)
                        return log_oom();
                if (r == 0)
                        continue;
                Opted *a = realloc(run->opted, (run->n_opted + 1) * sizeof(Opted));
                if (!a) {
                        opted_done(&o);
                        return log_oom();
                }
                run->opted = a;
                run->opted[run->n_opted++] = o;
        }

        for (size_t i = 0; i < run->n_opted; i++)
                if (is_template(run->opted[i].info.name) && instances_need_own_dropins(run, &run->opted[i]))
                        run->opted[i].kind = OPTED_TEMPLATE_GUARD;
        return 0;
}

static char *stem_conf(const Opted *o) {
        char *s;
        return asprintf(&s, "%s.conf", o->stem) < 0 ? NULL : s;
}

/* Blocks every instance of a template that the generator did not confine on
 * its own: only the instances named in the unit tree could be resolved at boot.
 * The marker is written once an instance's confinement drop-in is in place. */
static int write_template_guard(Run *run, const Opted *o) {
        _cleanup_free_ char *text = NULL, *name = NULL, *dir = unit_escape_text(run->dir);
        if (!dir ||
            asprintf(&text,
                     "# Written by systemd-confinement-generator: the closure of %s depends on\n"
                     "# the instance, so only instances named in the unit tree are confined.\n"
                     "[Unit]\n"
                     "AssertPathExists=%s/" CONFINEMENT_MARKER_DIR "/%%n\n",
                     o->info.name, dir) < 0 ||
            asprintf(&name, "%s-instance-guard.conf", o->stem) < 0)
                return -ENOMEM;
        return dropin_write(run->dir, o->info.name, name, text);
}

static int write_initial_blocks(Run *run) {
        for (size_t i = 0; i < run->n_opted; i++) {
                Opted *o = &run->opted[i];
                _cleanup_free_ char *name = stem_conf(o), *text = NULL;
                int r;
                if (o->kind == OPTED_TEMPLATE_GUARD) {
                        note_write(run, write_template_guard(run, o), o->info.name, "the instance guard");
                        continue;
                }
                if (covered_by_template(run, o))
                        continue;
                text = dropin_blocking_text(o->info.name, "the generator did not finish computing its closure");
                if (!name || !text)
                        return log_oom();
                r = dropin_write(run->dir, o->info.name, name, text);
                note_write(run, r, o->info.name, "its blocking drop-in");
        }
        return 0;
}

static int write_marker(Run *run, const char *unit) {
        _cleanup_free_ char *dir = NULL, *path = NULL;
        if (asprintf(&dir, "%s/" CONFINEMENT_MARKER_DIR, run->dir) < 0 || asprintf(&path, "%s/%s", dir, unit) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        FILE *f = fopen(path, "we");
        if (!f)
                return -errno;
        fputs("confined\n", f);
        return fclose(f) == 0 ? 0 : -errno;
}

/* A unit whose files are on a file system that fstab mounts later waits for
 * the reload that re-runs the generator once it is mounted. */
#define DEFERRED_SLUG "mount-not-ready"
#define RELOAD_UNIT "systemd-confinement-reload.service"

static char *blocking_text(const Opted *o, const char *cause, const char *slug) {
        _cleanup_free_ char *text = dropin_blocking_text(o->info.name, cause);
        if (!text || !streq(slug, DEFERRED_SLUG))
                return TAKE_PTR(text);
        return asprintf_safe("%s# Deferred: started after " RELOAD_UNIT " re-ran the generator.\n"
                             "Wants=" RELOAD_UNIT "\nAfter=" RELOAD_UNIT "\n", text);
}

static void block_unit(Run *run, const Opted *o, const char *cause, const char *slug) {
        if (streq(slug, DEFERRED_SLUG))
                log_warning("%s: deferred until late file systems are mounted: %s", o->info.name, cause);
        else
                log_error("%s: not confined, blocked from starting: %s", o->info.name, cause);
        if (!writing(run))
                return;
        _cleanup_free_ char *name = dropin_blocking_name(o->stem, slug), *text = NULL, *generic = stem_conf(o);
        text = blocking_text(o, cause, slug);
        if (!name || !text || !generic) {
                log_oom();
                return; /* the initial blocking drop-in stays */
        }
        int r = dropin_write(run->dir, o->info.name, name, text);
        note_write(run, r, o->info.name, "its blocking drop-in");
        if (r >= 0)
                note_write(run, dropin_remove(run->dir, o->info.name, generic), o->info.name, "drop-ins");
}

static void explain(const Opted *o, UnitConfinement *uc, const char *text) {
        Specifiers sp = { .name = o->info.name, .fragment = o->info.fragment };
        printf("# %s\n%s\n", o->info.name, text);
        explain_print_settings(stdout, text, unit_confine_private_users_why(uc));
        explain_print_shell_warnings(stdout, &o->text, &sp, uc->env, uc->closure.binds);
        printf("# Why each path is in:\n");
        if (explain_print_tree(stdout, uc->closure.binds) < 0)
                log_oom();
}

static void confine_one(Run *run, const Opted *o) {
        _cleanup_(unit_confine_done) UnitConfinement uc = {};
        _cleanup_free_ char *text = NULL, *name = stem_conf(o);
        ConfineContext ctx = { .pending = run->pending, .store = run->store, .loader_cache = run->loader_cache };
        int r = unit_confine(&uc, &o->info, &o->text, &ctx);
        if (r == -ENOMEM || !name) {
                log_oom();
                return;
        }
        if (r < 0)
                return block_unit(run, o, uc.closure.error ?: "unknown error", uc.closure.error_slug ?: "error");
        if (!uc.config.enable) {
                log_info("%s: Enable=no, not confined", o->info.name);
                if (writing(run))
                        note_write(run, dropin_remove(run->dir, o->info.name, name), o->info.name, "drop-ins");
                return;
        }
        r = unit_confine_dropin_text(&uc, &text);
        if (r < 0)
                return block_unit(run, o, uc.closure.error ?: strerror(-r), uc.closure.error_slug ?: "error");
        if (!utf8_is_valid(text)) /* systemd would ignore the file: never write it */
                return block_unit(run, o, "its drop-in would not be valid UTF-8", "bad-path");
        if (!writing(run))
                return explain(o, &uc, text);

        r = dropin_write(run->dir, o->info.name, name, text);
        note_write(run, r, o->info.name, "its confinement drop-in");
        if (r < 0)
                return;
        note_write(run, write_marker(run, o->info.name), o->info.name, "its marker");
        log_debug("%s: confined, %zu paths bound", o->info.name, path_set_size(uc.closure.binds));
}

static void confine_all(Run *run) {
        for (size_t i = 0; i < run->n_opted; i++) {
                const Opted *o = &run->opted[i];
                if (o->kind == OPTED_TEMPLATE_GUARD || covered_by_template(run, o))
                        continue;
                if (!o->info.fragment) {
                        block_unit(run, o,
                                   "its unit file is not visible to the generator (made by another generator?)",
                                   "unit-file-not-found");
                        continue;
                }
                confine_one(run, o);
        }
}

int generator_run(const GeneratorOptions *opts) {
        Run run = { .opts = opts, .dir = opts->output_dirs[0] };
        int r = unit_search_path(opts->output_dirs, &run.search_path);
        if (r < 0)
                return log_error_errno(r, "Cannot determine the unit search path: %m");

        r = pending_mounts_load(NULL, NULL, &run.pending);
        if (r < 0)
                log_warning_errno(r, "Cannot read /etc/fstab or the mount table, assuming all is mounted: %m");

        /* Without a cache the run is only slower. */
        if (loader_cache_new(&run.loader_cache) < 0)
                run.loader_cache = NULL;

        r = store_scanner_new(NULL, &run.store);
        if (r < 0)
                log_oom();
        else
                r = collect(&run);
        if (r >= 0 && writing(&run))
                r = write_initial_blocks(&run);
        if (r >= 0)
                confine_all(&run);

        for (size_t i = 0; i < run.n_opted; i++)
                opted_done(&run.opted[i]);
        free(run.opted);
        strv_free(run.search_path);
        unit_lookup_free(run.lookup);
        pending_mounts_free(run.pending);
        store_scanner_free(run.store);
        loader_cache_free(run.loader_cache);
        return r < 0 ? r : run.write_error;
}
