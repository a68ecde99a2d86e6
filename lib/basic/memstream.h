/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a writer function prints to a FILE, collected into one string: the
 * drop-in text, a JSON string being unescaped. */

#include <stdio.h>

typedef int (*memstream_writer_fn)(FILE *f, void *userdata);

/* Runs write(f, userdata) on an in-memory stream; on success *ret is the text
 * (free it). Returns write()'s negative errno, or -ENOMEM. */
int memstream_collect(memstream_writer_fn write, void *userdata, char **ret);
