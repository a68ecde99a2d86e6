/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The dynamic string tokens and path lists of glibc's elf/dl-load.c: $ORIGIN, $PLATFORM and
 * $LIB in DT_NEEDED names and in DT_RPATH, DT_RUNPATH and LD_LIBRARY_PATH entries
 * (_dl_dst_substitute()), and a path list split into the dirs searched, as
 * fillin_rpath() builds it. Pure text: what a dir holds is ld-search.c's business. */

#include <stdbool.h>
#include <stddef.h>

/* A directory to search, with the entry it came from for the reason string. */
typedef struct LdPathDir {
        char *dir;         /* expanded, "" (the current directory) or ending in '/' */
        const char *raw;   /* the entry as written (owned by the list) */
} LdPathDir;

typedef struct LdPathList {
        char **raw;        /* every entry as written */
        LdPathDir *dirs;
        size_t n_dirs;
} LdPathList;

/* The values of the tokens for one object: origin NULL when unknown. */
typedef struct LdTokens {
        const char *origin;   /* the object's dir: $ORIGIN */
        const char *platform; /* $PLATFORM */
        const char *lib;      /* $LIB */
} LdTokens;

/* input with $ORIGIN, $PLATFORM and $LIB (also as ${...}) replaced; an unknown token stays
 * literal, as in glibc. "" when a token has no value (an unknown origin): glibc then drops
 * the entry. NULL on -ENOMEM. */
char *ld_expand_tokens(const char *input, const LdTokens *t);

/* Whether s names $ORIGIN. */
bool ld_has_origin_token(const char *s);

/* Splits value at any of separators as fillin_rpath() does: each piece expanded, trailing
 * slashes cut to one, pieces that expand to nothing dropped, literal empty pieces kept (the
 * current directory), each dir once. Returns 0 or -ENOMEM; release with ld_path_list_done(). */
int ld_path_list_build(const char *value, const char *separators, const LdTokens *t, LdPathList *ret);
void ld_path_list_done(LdPathList *l);
