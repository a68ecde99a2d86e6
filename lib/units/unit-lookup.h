/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Finding units as systemd 252 does: its unit search path, unit names (plain, template, instance),
 * which file a name loads from (first one found wins; aliases are symlinks inside the search path;
 * a symlink to /dev/null or an empty file masks), and the drop-in dirs and files of a unit. */

#include <stdbool.h>
#include <stddef.h>

#include "unit-name.h"

/* systemd's unit search path (sd_path_lookup_strv(SD_PATH_SYSTEMD_SEARCH_SYSTEM_UNIT), which honours
 * SYSTEMD_UNIT_PATH), highest priority first, without the dirs in exclude (the generator's own
 * output dirs; compared after normalising "//", "/./" and trailing slashes, and after resolving
 * symlinks where both exist). */
int unit_search_path(char * const *exclude, char ***ret);

typedef struct UnitInfo {
        char *name;         /* the primary name: for an alias, the name of the file it links to */
        char *instance;     /* for foo@bar.service: "bar"; else NULL */
        char *fragment;     /* path of the unit file systemd loads (an instance without its own file
                             * uses the template's); NULL if none found */
        /* The lists are NULL when empty. */
        char **aliases;     /* other names of the same unit (symlinks in unit dirs), sorted */
        char **dropins;     /* drop-in *.conf paths in systemd's effective order: sorted by file name;
                             * of same-named files the one in the dir systemd consults first wins (see
                             * unit_lookup()) */
        char **dropin_dirs; /* the drop-in dir names systemd consults ("foo.service.d", ...) that some
                             * unit dir lists (any, where a unit dir cannot be listed), in its order */
        bool masked;        /* the fragment is a symlink to /dev/null, or an empty file */
} UnitInfo;

/* Looks name up as systemd 252's unit loader. Drop-in dirs are consulted in systemd's order, which
 * decides between same-named files: for the primary name in every unit dir (highest priority
 * first) its own dir, then (for an instance) the template's, then the prefix dirs ("foo-bar-baz"
 * → "foo-bar-", "foo-"); then the same for each alias; then the type dir ("service.d") in every
 * unit dir. -EINVAL for an invalid name; a name with no file gives 0 with fragment NULL. */
int unit_lookup(char * const *search_path, const char *name, UnitInfo *ret);

/* The same over one scan of the unit dirs, for a run over many units: unit_lookup() and
 * unit_list_services() scan all dirs on every call. */
typedef struct UnitLookup UnitLookup;
int unit_lookup_new(char * const *search_path, UnitLookup **ret);
UnitLookup *unit_lookup_free(UnitLookup *l);
static inline void unit_lookup_freep(UnitLookup **l) {
        unit_lookup_free(*l);
}
int unit_lookup_find(const UnitLookup *l, const char *name, UnitInfo *ret);
int unit_lookup_list_services(const UnitLookup *l, char ***ret);
/* Whether the files of name (fragment and drop-ins) may contain the bytes of needle: false
 * only when each was read and none does. A run looking for one rare section passes most
 * units by with this instead of parsing them. */
bool unit_lookup_may_mention(UnitLookup *l, const char *name, const char *needle);
/* The bytes of a unit file or drop-in, each path read once per lookup (a run): the look for a
 * section, the parse and the scan of its lines all take the same read. Regular files only,
 * O_NONBLOCK (read_full_file()); at most UNIT_LOOKUP_READ_MAX bytes. -errno when the file
 * cannot be read whole that way (remembered too): the caller then reads it its own way (a
 * stream keeps what came before a read error, as systemd does). The bytes stay valid until
 * unit_lookup_forget_files() or the end of l; the file is assumed not to change during the
 * run. unit_lookup_may_mention() keeps no fragment that does not mention its needle. */
#define UNIT_LOOKUP_READ_MAX (4U * 1024U * 1024U)
int unit_lookup_read(UnitLookup *l, const char *path, const char **ret_data, size_t *ret_size);
/* Frees every file's bytes (when the run has read what it needs); a later read reads again. */
void unit_lookup_forget_files(UnitLookup *l);
void unit_info_done(UnitInfo *u);

/* The drop-in dir names ("foo-.service.d", "foo-@.service.d", "foo-@bar.service.d", "service.d")
 * that exist in some unit dir and apply to units by their prefix or type alone, so also to
 * units that do not exist yet (transient ones, instances started later). Sorted. */
int unit_lookup_shared_dirs(const UnitLookup *l, char ***ret);
/* The .conf files of the drop-in dir dname over all unit dirs, as systemd lists them: hidden
 * files skipped, the first dir's file of a name wins, sorted by file name. */
int unit_lookup_dir_files(const UnitLookup *l, const char *dname, char ***ret);
/* Every .conf file of every service drop-in dir ("*.service.d", "service.d") of the search path. */
int unit_lookup_all_dropins(const UnitLookup *l, char ***ret);

/* Every .service name that could carry an [X-Confinement] section: unit files (templates
 * included), names with their own "NAME.d/" dir holding a .conf even without a unit file (not
 * prefix dirs such as "foo-.service.d"), and instances named by symlinks in *.wants/, *.requires/,
 * *.upholds/ dirs. Aliases are not listed separately (only the primary name). Sorted, unique. */
int unit_list_services(char * const *search_path, char ***ret);
