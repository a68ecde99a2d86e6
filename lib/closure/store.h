/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Nix/Guix store closures without the Nix database: a store path's references
 * are found as Nix finds them at build time, by scanning every file's contents,
 * every symlink target and every file name inside it for the 32-character
 * nix-base32 hash parts of the entries of its store directory (each window of
 * 32 base32 characters, as in Nix's references.cc). The closure is the
 * transitive set, which equals `nix-store -qR` for paths Nix built, and is a
 * superset where a file names a path Nix did not record (nix-store --add, a
 * string whose context was discarded). Symlinks inside a store path are read,
 * never followed. Each store path is scanned once per scanner. */

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define STORE_HASH_LEN 32

typedef struct StoreScanner StoreScanner;

/* store_dirs: absolute store directories; NULL means /nix/store, /gnu/store and
 * $NIX_STORE_DIR if set. A directory that does not exist is an empty store.
 * Store listings are read on first use, then kept for the scanner's life. */
int store_scanner_new(char * const *store_dirs, StoreScanner **ret);
StoreScanner *store_scanner_free(StoreScanner *s);
static inline void store_scanner_freep(StoreScanner **s) {
        store_scanner_free(*s);
}
#define _cleanup_store_scanner_free_ _cleanup_(store_scanner_freep)

/* If path (absolute, lexically normalised) lies in a store, at or below a
 * well-formed "<store>/<32 base32>-<name>" entry, sets *ret_top to that
 * top-level store path and returns 1; returns 0 otherwise (the store directory
 * itself, /nix/store/.links/...), -ENOMEM. Pure string check, no I/O. */
int store_path_of(const StoreScanner *s, const char *path, char **ret_top);

/* Called once per store path of a closure, the root first, then breadth-first;
 * referrer is the store path that brought it in (NULL for the root), reason
 * "root of the store closure" or "referenced by <store path>".
 * A negative return stops the walk and is returned by store_closure(). */
typedef int (*store_found_fn)(const char *store_path, const char *referrer, const char *reason, void *userdata);

/* The transitive closure of the store path that top lies in (normally top is
 * itself a top-level store path). A hash that names no entry of the store is
 * not a reference (Nix could not have recorded it either) and is ignored.
 * Returns 0, or a negative errno with *ret_error (if not NULL) set to a
 * one-line message: -EINVAL top not in a store, -ENOENT top not in the store's
 * listing or a path that vanished while scanning, -EBADMSG a store path holding
 * something other than regular files, directories and symlinks, -ELOOP
 * directories nested deeper than STORE_MAX_DEPTH, I/O errors as they come. */
#define STORE_MAX_DEPTH 512
int store_closure(StoreScanner *s, const char *top, store_found_fn found, void *userdata, char **ret_error);

/* The scanning core, for tests, fuzzing and benchmarks: calls hit for every
 * 32-byte window of buf that is the hash part of an entry of store_dir (one of
 * the scanner's stores), with that entry's store path and the window's offset,
 * in order of offset. A negative return from hit stops the scan and is
 * returned; -EINVAL if store_dir is not one of the scanner's stores. */
typedef int (*store_hit_fn)(const char *store_path, size_t offset, void *userdata);
int store_scan_buffer(StoreScanner *s, const char *store_dir, const void *buf, size_t size,
                      store_hit_fn hit, void *userdata);

/* Store references in text (a command's arguments, a unit's files): for each
 * store whose directory appears in buf followed by "/", the hash of every
 * entry of that store found in buf, as store_scan_buffer() reports it. Stores
 * whose directory buf does not name are not even listed. */
int store_scan_text(StoreScanner *s, const void *buf, size_t size, store_hit_fn hit, void *userdata);

/* What the scanner has done so far: store paths scanned (memoised ones are not
 * counted again), regular files read, bytes of file contents scanned. */
typedef struct StoreStats {
        uint64_t paths;
        uint64_t files;
        uint64_t bytes;
} StoreStats;
void store_scanner_get_stats(const StoreScanner *s, StoreStats *ret);
