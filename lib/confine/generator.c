/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "generator.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "confinement-config.h"
#include "dropin.h"
#include "feed.h"
#include "explain.h"
#include "loader-cache.h"
#include "log.h"
#include "mounts.h"
#include "path-set.h"
#include "store.h"
#include "string-util.h"
#include "strv.h"
#include "unit-confine.h"
#include "unit-file.h"
#include "unit-lookup.h"
#include "unit-render.h"
#include "workers.h"

typedef enum OptedKind {
        OPTED_UNIT,           /* one unit, or a template confined as a whole */
        OPTED_TEMPLATE_GUARD, /* a template whose closure depends on the instance */
} OptedKind;

typedef struct Opted {
        UnitInfo info;
        UnitText text;
        char *stem;
        char *unread; /* an [X-Confinement] line systemd does not read: the cause to block */
        char *instance_cause; /* a template whose closure depends on the instance: why */
        OptedKind kind;
        bool masked;  /* refused by a mask in the early dir: no drop-in can reach it */
} Opted;

typedef struct Run {
        const GeneratorOptions *opts;
        OutputDir out;        /* where drop-ins go (its path also where nothing is written) */
        OutputDir early;      /* where masks go: it outranks /etc */
        char **search_path;
        UnitLookup *lookup;   /* one scan of the unit dirs for the whole run */
        char *guard_name;     /* the file name of the guards for units the generator cannot see */
        ClosureRun shared;    /* the pending mounts, store scanner and loader cache of the run */
        Opted *opted;         /* one slot per service name: none moves while the feed reads them */
        size_t n_opted;
        char *block_text;   /* the first blocking drop-in, the same for every unit */
        char *block_staged; /* a file of it that each unit's is a hard link of, or NULL */
        bool block_staged_tried;
        int write_error;    /* the first; set by the blocking thread too */
} Run;

static void opted_done(Opted *o) {
        unit_info_done(&o->info);
        unit_text_done(&o->text);
        free(o->stem);
        free(o->unread);
        free(o->instance_cause);
}

static bool writing(const Run *run) {
        return !run->opts->dry_run && !run->opts->explain;
}

static void note_write(Run *run, int r, const char *unit, const char *what) {
        if (r >= 0)
                return;
        log_error_errno(r, "%s: cannot write %s in %s: %m", unit, what, run->out.path);
        int none = 0; /* the first error stays */
        (void) __atomic_compare_exchange_n(&run->write_error, &none, r, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* Each unit file is read once per run, by the lookup's look for the section
 * (unit_lookup_read()): the parse and the scan of its lines take those bytes. A
 * file that read could not take whole (unreadable, too large, not regular) is
 * read again as a stream, as before: it keeps what came before a read error. */
static int load_file(UnitLookup *l, UnitText *text, const char *file) {
        const char *data;
        size_t size;
        if (unit_lookup_read(l, file, &data, &size) < 0)
                return unit_text_load_file(text, file);
        return unit_text_load_buffer(text, data, size, file);
}

/* The unit's text as systemd reads it: a file it stops reading early (a bad
 * line) still counts with what came before, and a file it cannot read at all
 * is skipped, as systemd does. Skipping the unit instead could leave one that
 * opted in unconfined. */
static int load_text(UnitLookup *l, const UnitInfo *info, UnitText *text) {
        const char *files[strv_length(info->dropins) + 2];
        size_t n = 0;
        if (info->fragment)
                files[n++] = info->fragment;
        STRV_FOREACH(d, info->dropins)
                files[n++] = *d;
        for (size_t i = 0; i < n; i++) {
                int r = load_file(l, text, files[i]);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        log_debug_errno(r, "%s: read only in part or not at all: %m", files[i]);
        }
        return 0;
}

#define SECTION_LINE "[" CONFINEMENT_SECTION "]"

static int find_section_lines(UnitLookup *l, const char *file, unsigned **lines, size_t *n) {
        const char *data;
        size_t size;
        if (unit_lookup_read(l, file, &data, &size) < 0)
                return unit_file_find_lines(file, SECTION_LINE, lines, n);
        return unit_buffer_find_lines(data, size, SECTION_LINE, lines, n);
}
/* Where the guard of an instance-dependent template looks for an instance's marker: its
 * name is the cause that systemctl status shows for an instance the tree does not name. */
#define INSTANCE_MARKER_SUBDIR "executable-depends-on-instance"

/* "The line counts, not the parse" (SPEC 1): a line "[X-Confinement]" in a file
 * systemd consults opts the unit in, also where systemd stops reading the file
 * before it or folds it into a value (a bad header, a line over 1 MiB, a value
 * ending in "\"); 252 then starts the unit with the rest of that drop-in
 * skipped, so such a unit is blocked, naming the file and line. Returns 1 when
 * the file has the line, with *unread set to the cause of the first unread one. */
static int scan_section_lines(UnitLookup *l, const UnitText *text, const char *file, char **unread) {
        _cleanup_free_ unsigned *lines = NULL;
        size_t n = 0;
        int r = find_section_lines(l, file, &lines, &n);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* systemd cannot read it either */
        for (size_t i = 0; i < n && !*unread; i++)
                if (!unit_text_has_header_at(text, CONFINEMENT_SECTION, file, lines[i]) &&
                    asprintf(unread, "%s:%u: " SECTION_LINE " where systemd does not read it (a line before it "
                             "ends the file for systemd or continues into it)", file, lines[i]) < 0)
                        return -ENOMEM;
        return n > 0;
}

/* Whether a unit asked for confinement (1 or 0): loads its files into o->text.
 * Out of memory is an error of the run, never a reason to pass a unit by. */
static int opted_in(UnitLookup *l, Opted *o) {
        if (o->info.masked)
                return 0;
        int r = load_text(l, &o->info, &o->text);
        if (r < 0)
                return r;
        bool any = unit_text_has_section(&o->text, CONFINEMENT_SECTION);
        const char *files[strv_length(o->info.dropins) + 2];
        size_t n = 0;
        if (o->info.fragment)
                files[n++] = o->info.fragment;
        STRV_FOREACH(d, o->info.dropins)
                files[n++] = *d;
        for (size_t i = 0; i < n; i++) {
                r = scan_section_lines(l, &o->text, files[i], &o->unread);
                if (r < 0)
                        return r;
                any = any || r > 0;
        }
        return any;
}

/* Loads a service; returns 1 and fills o when it opted in, 0 when not. */
static int load_opted(Run *run, const char *name, Opted *o) {
        *o = (Opted) {};
        int r = unit_lookup_find(run->lookup, name, &o->info);
        if (r < 0) {
                log_debug_errno(r, "%s: cannot look the unit up, skipping: %m", name);
                return 0;
        }
        r = opted_in(run->lookup, o);
        if (r <= 0) {
                opted_done(o);
                return r;
        }
        o->stem = dropin_name_stem(o->info.dropins);
        if (!o->stem && errno != ENAMETOOLONG) {
                opted_done(o);
                return -ENOMEM;
        }
        return 1; /* a NULL stem: no drop-in name sorts last, the unit is masked instead */
}

static bool is_template(const char *name) {
        return unit_name_is_valid(name, UNIT_NAME_TEMPLATE);
}

/* SPEC 2, templates: a template is confined once for all its instances, unless an
 * executable (or what finds one) depends on the instance. */
static const Opted *template_of(Run *run, const Opted *o);

static int instances_need_own_dropins(Run *run, Opted *tmpl) {
        int r = unit_confine_instance_dependence(&tmpl->info, &tmpl->text, &tmpl->instance_cause);
        /* An argument carried for systemd that is a program for a named instance: the
         * program's closure depends on the instance. */
        for (size_t i = 0; r == 0 && i < run->n_opted; i++)
                if (template_of(run, &run->opted[i]) == tmpl)
                        r = unit_confine_instance_names_program(&tmpl->info, &tmpl->text, run->opted[i].info.name,
                                                                &tmpl->instance_cause);
        return r;
}

static const Opted *template_of(Run *run, const Opted *o) {
        _cleanup_free_ char *tmpl = NULL;
        if (!o->info.instance || unit_name_template(o->info.name, &tmpl) < 0)
                return NULL;
        for (size_t i = 0; i < run->n_opted; i++)
                if (streq(run->opted[i].info.name, tmpl))
                        return &run->opted[i];
        return NULL;
}

/* An instance without drop-ins of its own is confined by its template's drop-in; one with
 * drop-ins of its own (which may change its closure) gets its own, which hides the
 * template's (see hide_template_dropin()). */
static bool covered_by_template(Run *run, const Opted *o) {
        const Opted *t = template_of(run, o);
        return t && t->kind == OPTED_UNIT && strv_length(o->info.dropins) <= strv_length(t->info.dropins);
}

/* In the output dir systemd consults an instance's own dir before its template's, and of
 * same-named files the first one wins: a file named like the template's drop-in in the
 * instance's dir hides it, so only the instance's own drop-in applies. */
static void hide_template_dropin(Run *run, const Opted *o) {
        const Opted *t = template_of(run, o);
        if (!t || t->kind != OPTED_UNIT || !t->stem || !o->stem || streq(t->stem, o->stem))
                return;
        _cleanup_free_ char *name = asprintf_safe("%s.conf", t->stem);
        _cleanup_free_ char *text = asprintf_safe("# Written by systemd-confinement-generator: %s has drop-ins of its own\n"
                                                  "# and its own confinement; this file hides the one of %s.\n",
                                                  o->info.name, t->info.name);
        if (!name || !text)
                return (void) log_oom();
        note_write(run, dropin_write(&run->out, o->info.name, name, text), o->info.name, "the mask of its template's drop-in");
}

/* The opted-in units into run->opted, each offered to feed (when there is one) once it is
 * complete. */
static int collect(Run *run, Feed *feed) {
        _cleanup_strv_free_ char **names = NULL;
        int r = unit_lookup_new(run->search_path, &run->lookup);
        if (r >= 0)
                r = unit_lookup_list_services(run->lookup, &names);
        /* --explain foo@bar.service: an instance the tree need not name. */
        if (r >= 0 && run->opts->explain && unit_name_is_valid(run->opts->explain, UNIT_NAME_INSTANCE) &&
            !strv_contains(names, run->opts->explain))
                r = strv_extend(&names, run->opts->explain);
        if (r < 0)
                return log_error_errno(r, "Cannot enumerate units: %m");
        run->opted = calloc(strv_length(names) + 1, sizeof(Opted));
        if (!run->opted)
                return log_oom();

        STRV_FOREACH(n, names) {
                if (run->opts->explain && !streq(*n, run->opts->explain))
                        continue;
                /* Most units never name the section: a look at their bytes passes them by
                 * without parsing (a section header is never split across lines). */
                if (!unit_lookup_may_mention(run->lookup, *n, CONFINEMENT_SECTION))
                        continue;
                r = load_opted(run, *n, &run->opted[run->n_opted]);
                if (r < 0)
                        return log_oom();
                if (r == 0)
                        continue;
                run->n_opted++;
                if (feed)
                        feed_offer(feed, run->n_opted);
        }

        for (size_t i = 0; i < run->n_opted; i++) {
                if (!is_template(run->opted[i].info.name) || run->opted[i].unread)
                        continue;
                r = instances_need_own_dropins(run, &run->opted[i]);
                if (r < 0)
                        return log_oom();
                if (r > 0)
                        run->opted[i].kind = OPTED_TEMPLATE_GUARD;
        }
        return 0;
}

/* ---- Units the generator cannot see (SPEC 1): transient units, instances started later. ---- */

/* Whether any file of a shared drop-in dir has the section line (parsed or not). */
static int dir_opts_in(Run *run, const char *dname) {
        _cleanup_strv_free_ char **files = NULL;
        int r = unit_lookup_dir_files(run->lookup, dname, &files);
        if (r < 0)
                return r;
        STRV_FOREACH(f, files) {
                _cleanup_free_ unsigned *lines = NULL;
                size_t n = 0;
                r = find_section_lines(run->lookup, *f, &lines, &n);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0 && n > 0)
                        return 1;
        }
        return 0;
}

/* One name for every guard, after every drop-in of the search path: no user's file hides it
 * or clears its assertion by sorting after it. */
static int choose_guard_name(Run *run) {
        _cleanup_strv_free_ char **all = NULL;
        int r = unit_lookup_all_dropins(run->lookup, &all);
        if (r < 0)
                return r;
        _cleanup_free_ char *stem = dropin_name_stem(all);
        if (!stem && errno != ENAMETOOLONG)
                return -ENOMEM;
        if (!stem) /* still a guard, only one that a later file could clear */
                log_warning("No guard name within NAME_MAX sorts after every drop-in; using a fixed one.");
        return asprintf(&run->guard_name, "%s-guard.conf", stem ?: "zz-confinement") < 0 ? -ENOMEM : 0;
}

/* For every prefix dir ("foo-.service.d", "foo-@.service.d", "foo-@bar.service.d") and
 * "service.d" that opts units in, a guard of the same name in the output dir: every unit it
 * applies to must have the marker the generator writes once it confined the unit. A unit the
 * generator handled otherwise hides the guard with a file of the same name in a dir systemd
 * consults first (its own, or its template's): see write_guard_mask(). */
static int write_guards(Run *run) {
        _cleanup_strv_free_ char **dirs = NULL;
        _cleanup_free_ char *dir = unit_escape_text(run->out.path), *text = NULL;
        int r = unit_lookup_shared_dirs(run->lookup, &dirs);
        if (r < 0 || !dir)
                return r < 0 ? r : -ENOMEM;
        if (asprintf(&text,
                     "# Written by systemd-confinement-generator: drop-ins of this prefix ask for\n"
                     "# confinement, also for units that did not exist when the generator ran\n"
                     "# (transient units, instances started later); those must not start.\n"
                     "[Unit]\n"
                     "AssertPathExists=%s/" CONFINEMENT_MARKER_DIR "/%%n\n", dir) < 0)
                return -ENOMEM;
        STRV_FOREACH(d, dirs) {
                r = dir_opts_in(run, *d);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                if (!run->guard_name && (r = choose_guard_name(run)) < 0)
                        return r;
                _cleanup_free_ char *unit = strndup(*d, strlen(*d) - 2);
                if (!unit)
                        return -ENOMEM;
                log_debug("%s: opts units in by prefix; guarding the units the generator cannot see", *d);
                note_write(run, dropin_write(&run->out, unit, run->guard_name, text), *d, "its guard");
        }
        return 0;
}

/* A unit that the generator handled without a marker (Enable=no), and a template confined as
 * a whole (its instances have no marker of their own), hide the guards: in the output dir
 * systemd consults a unit's own dir, then its template's, before the prefix dirs, and of
 * same-named files the first one wins. */
static void write_guard_mask(Run *run, const Opted *o, const char *why) {
        if (!run->guard_name || !writing(run))
                return;
        _cleanup_free_ char *text = asprintf_safe("# Written by systemd-confinement-generator: %s %s;\n"
                                                  "# this file hides the guard of its prefix dirs.\n",
                                                  o->info.name, why);
        if (!text)
                return (void) log_oom();
        note_write(run, dropin_write(&run->out, o->info.name, run->guard_name, text), o->info.name,
                   "the mask of its guard");
}

static char *stem_conf(const Opted *o) {
        return o->stem ? strjoin(o->stem, ".conf") : NULL; /* no stem: masked instead (mask_out()) */
}

/* Blocks every instance of a template that the generator did not confine on
 * its own: only the instances named in the unit tree could be resolved at boot.
 * The marker is written once an instance's confinement drop-in is in place. */
static int write_template_guard(Run *run, const Opted *o) {
        _cleanup_free_ char *text = NULL, *name = NULL, *dir = unit_escape_text(run->out.path), *cause = NULL;
        /* systemctl status shows the path an assertion wanted and the drop-ins by name:
         * both carry the cause. */
        if (!dir || !(cause = unit_escape_text(o->instance_cause ?: "")) ||
            asprintf(&text,
                     "# Written by systemd-confinement-generator: the closure of %s depends on\n"
                     "# the instance (%s), so only instances named in the unit tree are confined.\n"
                     "[Unit]\n"
                     "AssertPathExists=%s/" CONFINEMENT_MARKER_DIR "/" INSTANCE_MARKER_SUBDIR "/%%n\n",
                     o->info.name, cause, dir) < 0 ||
            asprintf(&name, "%s-instance-guard-" INSTANCE_MARKER_SUBDIR ".conf", o->stem) < 0)
                return -ENOMEM;
        log_info("%s: %s; its instances that the unit tree does not name are refused", o->info.name,
                 o->instance_cause ?: "");
        return dropin_write(&run->out, o->info.name, name, text);
}

/* A unit that no drop-in can reach (its name leaves no room for "NAME.d/", or no
 * drop-in name sorts after the user's) is refused by a mask in the early dir, which
 * outranks /etc (SPEC 5). */
static void mask_out(Run *run, Opted *o, const char *cause) {
        o->masked = true;
        log_error("%s: not confined, masked: %s", o->info.name, cause);
        int r = dropin_mask_unit(&run->early, o->info.name);
        note_write(run, r, o->info.name, "its mask");
}

/* The first blocking drop-in is the same text for every unit (the cause is the same,
 * and systemctl status names the unit by the drop-in's path): written once, by the first
 * unit that needs it, and each unit's made a hard link of it, so that a unit costs a
 * mkdir() and a link(). NULL block_text: out of memory, every unit is masked instead. */
static void stage_initial_block(Run *run) {
        run->block_staged_tried = true;
        if (!(run->block_text = dropin_blocking_text(NULL, "the generator did not finish computing its closure")))
                return (void) log_oom();
        if (dropin_stage(&run->out, run->block_text, &run->block_staged) < 0)
                run->block_staged = NULL; /* each written on its own then */
}

/* The links stay; the staged name goes (systemd would skip it anyway). */
static void unstage_initial_block(Run *run) {
        dropin_unstage(&run->out, run->block_staged);
        free(run->block_staged);
        free(run->block_text);
        run->block_staged = run->block_text = NULL;
}

/* One unit's first blocking drop-in, or its mask (mask_out()) where none can reach it or
 * it cannot be written: a unit without its blocking drop-in must not start at all. Done
 * by the blocking thread, or after it, never beside another call of itself. */
static void block_initially(Run *run, Opted *o) {
        if (strlen(o->info.name) + strlen(".d") > NAME_MAX)
                return mask_out(run, o, "its name leaves no room for a drop-in dir");
        if (!o->stem)
                return mask_out(run, o, "no drop-in name within NAME_MAX sorts after its own drop-ins");
        if (o->kind == OPTED_TEMPLATE_GUARD)
                return note_write(run, write_template_guard(run, o), o->info.name, "the instance guard");
        if (covered_by_template(run, o))
                return;
        hide_template_dropin(run, o);
        if (!run->block_staged_tried)
                stage_initial_block(run);
        _cleanup_free_ char *name = stem_conf(o);
        int r = name && run->block_text ? dropin_write_linked(&run->out, o->info.name, name, run->block_staged, run->block_text)
                                        : log_oom();
        if (r < 0)
                mask_out(run, o, "its blocking drop-in cannot be written");
}

/* Whether a unit's blocking drop-in depends on no other unit: a template's on whether its
 * closure depends on the instance (known once every unit is read), an instance's on its
 * template's. */
static bool blocks_alone(const Opted *o) {
        return !o->info.instance && !is_template(o->info.name);
}

/* The blocking thread's item: the units collect() found, in its order. */
static void block_found(size_t i, void *userdata) {
        Run *run = userdata;
        if (blocks_alone(&run->opted[i]))
                block_initially(run, &run->opted[i]);
}

/* Finding the opted-in units, and their blocking drop-ins, written before any closure
 * work begins: a thread (feed.h) writes them while collect() still reads the unit files
 * (their reading only reads, the blocking only writes, the output dirs are no input of
 * the run), then this thread those that depend on other units. */
static int collect_and_block(Run *run) {
        Feed *feed = NULL;
        int r;
        if (writing(run) && (r = feed_start(block_found, run, &feed)) < 0) {
                log_debug_errno(r, "Cannot start the blocking thread, blocking after reading: %m");
                feed = NULL;
        }
        r = collect(run, feed);
        feed_finish(feed);
        for (size_t i = 0; r >= 0 && writing(run) && i < run->n_opted; i++)
                if (!feed || !blocks_alone(&run->opted[i]))
                        block_initially(run, &run->opted[i]);
        unstage_initial_block(run);
        return r;
}

/* The marker of a confined unit; an instance's also where the guard of an
 * instance-dependent template looks for it. */
static int write_marker(Run *run, const char *unit) {
        int r = dropin_marker(&run->out, CONFINEMENT_MARKER_DIR, unit);
        if (r >= 0 && unit_name_is_valid(unit, UNIT_NAME_INSTANCE))
                r = dropin_marker(&run->out, CONFINEMENT_MARKER_DIR "/" INSTANCE_MARKER_SUBDIR, unit);
        return r;
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
        int r = dropin_write(&run->out, o->info.name, name, text);
        note_write(run, r, o->info.name, "its blocking drop-in");
        if (r >= 0)
                note_write(run, dropin_remove(&run->out, o->info.name, generic), o->info.name, "drop-ins");
}

static void explain(const Opted *o, UnitConfinement *uc, const char *text) {
        Specifiers sp = { .name = o->info.name, .fragment = o->info.fragment };
        printf("# %s\n# Read as systemd reads it: %s", o->info.name, o->info.fragment ?: "(no unit file)");
        STRV_FOREACH(d, o->info.dropins)
                printf(" %s", *d);
        printf("\n%s\n", text);
        explain_print_settings(stdout, text, unit_confine_private_users_why(uc));
        explain_print_shell_warnings(stdout, &o->text, &sp, uc->env, closure_binds(uc->closure));
        printf("# Why each path is in:\n");
        if (explain_print_tree(stdout, closure_binds(uc->closure)) < 0)
                log_oom();
}

static void confine_one(Run *run, const Opted *o) {
        _cleanup_(unit_confine_done) UnitConfinement uc = {};
        _cleanup_free_ char *text = NULL, *name = stem_conf(o);
        int r = unit_confine(&uc, &o->info, &o->text, &run->shared);
        if (r == -ENOMEM || !name) {
                log_oom();
                return;
        }
        if (r < 0)
                return block_unit(run, o, closure_error(uc.closure) ?: "unknown error", closure_error_slug(uc.closure) ?: "error");
        if (!uc.config.enable) {
                log_info("%s: Enable=no, not confined", o->info.name);
                if (writing(run))
                        note_write(run, dropin_remove(&run->out, o->info.name, name), o->info.name, "drop-ins");
                write_guard_mask(run, o, "has Enable=no");
                return;
        }
        r = unit_render_dropin(&uc, &text);
        if (r < 0)
                return block_unit(run, o, closure_error(uc.closure) ?: strerror(-r), closure_error_slug(uc.closure) ?: "error");
        if (!utf8_is_valid(text)) /* systemd would ignore the file: never write it */
                return block_unit(run, o, "its drop-in would not be valid UTF-8", "bad-path");
        if (!writing(run))
                return explain(o, &uc, text);

        r = dropin_write(&run->out, o->info.name, name, text);
        note_write(run, r, o->info.name, "its confinement drop-in");
        if (r < 0)
                return;
        note_write(run, write_marker(run, o->info.name), o->info.name, "its marker");
        if (is_template(o->info.name))
                write_guard_mask(run, o, "is confined as a whole by the drop-in beside this file");
        log_debug("%s: confined, %zu paths bound", o->info.name, path_set_size(closure_binds(uc.closure)));
}

static void confine_item(size_t i, void *userdata) {
        Run *run = userdata;
        const Opted *o = &run->opted[i];
        if (o->kind == OPTED_TEMPLATE_GUARD && !writing(run))
                printf("# %s\n# Its closure depends on the instance (%s): only the instances that the "
                       "unit tree names are confined, each on its own (--explain INSTANCE); systemd "
                       "refuses the others.\n", o->info.name, o->instance_cause ?: "");
        if (o->kind == OPTED_TEMPLATE_GUARD || covered_by_template(run, o) || o->masked)
                return;
        if (o->unread) {
                block_unit(run, o, o->unread, "unread-section");
                return;
        }
        if (!o->info.fragment) {
                block_unit(run, o,
                           "its unit file is not visible to the generator (made by another generator?)",
                           "unit-file-not-found");
                return;
        }
        confine_one(run, o);
}

/* What the units' work needed. Freed only where a leak checker watches (leak_checked()):
 * by the caller as soon as its own share is done, while the workers end theirs, and at
 * the end of the run (again a no-op then). Otherwise exit() hands it back: over 1321
 * units freeing it took 2 ms, after the last drop-in and before systemd may go on. */
static void free_work(Run *run) {
        for (size_t i = 0; i < run->n_opted; i++)
                opted_done(&run->opted[i]);
        free(run->opted);
        run->opted = NULL;
        run->n_opted = 0;
        run->lookup = unit_lookup_free(run->lookup);
        run->shared.pending = pending_mounts_free(run->shared.pending);
        run->shared.store = store_scanner_free(run->shared.store);
        run->shared.loader_cache = loader_cache_free(run->shared.loader_cache);
}

static void caller_done(void *userdata) {
        if (leak_checked())
                free_work(userdata);
}

static int worker_result(void *userdata) {
        return ((Run *) userdata)->write_error;
}

/* Units a worker process must have to be worth its fork and its cold caches (its own
 * reads of the libraries the others read too): about 5 ms of closure work. */
#define UNITS_PER_JOB 64
/* What a unit adds to the run's memo, about (11 over this machine's 1321 programs, one
 * process): room made before the fork, so that no worker rehashes its way up to it. */
#define MEMO_ENTRIES_PER_UNIT 12

/* The closure work, most of a large run, shared by one worker per CPU (workers.h) once
 * every unit's blocking drop-in is in place (collect_and_block()): a worker that dies
 * leaves the units it had claimed blocked, and the run fails, as for a drop-in it could
 * not write. The guards come first: the masks of them take their name. When they cannot
 * be written, every unit keeps its blocking drop-in. --explain and --dry-run write
 * nothing and print in the unit order: one process. */
static int confine_all(Run *run) {
        WorkSet ws = { .n = run->n_opted, .work = confine_item, .result = worker_result, .caller_done = caller_done,
                       .userdata = run };
        int r = writing(run) ? write_guards(run) : 0;
        if (r < 0)
                return r;
        /* Every unit file is parsed and every guard written: their bytes are not needed
         * through the closure work (and freed before the workers fork, none of them copies
         * the pages that free() writes to). */
        if (run->lookup)
                unit_lookup_forget_files(run->lookup);
        loader_cache_reserve(run->shared.loader_cache, run->n_opted * MEMO_ENTRIES_PER_UNIT);
        return workers_run(&ws, writing(run) ? workers_jobs(run->n_opted, UNITS_PER_JOB) : 1);
}

int generator_run(const GeneratorOptions *opts) {
        Run run = { .opts = opts, .out = { .path = opts->output_dirs[0], .fd = -EBADF }, .early.fd = -EBADF };
        /* --explain and --dry-run on a running system: our own output of the last
         * run is no input (it would conflict with the drop-in being explained). */
        char *live_dirs[] = { (char *) "/run/systemd/generator", (char *) "/run/systemd/generator.early",
                              (char *) "/run/systemd/generator.late", NULL };
        int r = unit_search_path(writing(&run) ? opts->output_dirs : live_dirs, &run.search_path);
        if (r < 0)
                return log_error_errno(r, "Cannot determine the unit search path: %m");
        /* A dir that cannot be opened fails each write into it, which the run reports. */
        if (writing(&run)) {
                (void) output_dir_open(&run.out, opts->output_dirs[0]);
                (void) output_dir_open(&run.early, opts->output_dirs[1] ?: opts->output_dirs[0]);
        }

        r = pending_mounts_load(NULL, NULL, &run.shared.pending);
        if (r < 0)
                log_warning_errno(r, "Cannot read /etc/fstab or the mount table, assuming all is mounted: %m");

        /* Without a cache the run is only slower. */
        if (loader_cache_new(&run.shared.loader_cache) < 0)
                run.shared.loader_cache = NULL;

        r = store_scanner_new(NULL, &run.shared.store);
        if (r < 0)
                log_oom();
        else
                r = collect_and_block(&run);
        if (r >= 0)
                r = confine_all(&run);

        /* Closed always: a caller that runs the generator again in the same process (the
         * fuzzers do) must not run out of fds. */
        output_dir_close(&run.out);
        output_dir_close(&run.early);
        if (leak_checked()) {
                free_work(&run);
                strv_free(run.search_path);
                free(run.guard_name);
        }
        return r < 0 ? r : run.write_error;
}
