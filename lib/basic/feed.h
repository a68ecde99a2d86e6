/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Basic layer: one thread that does items 0, 1, 2, ... in order while the caller is still
 * making them: the caller offers each item once it is complete, and the thread never
 * begins an item before it was offered. For work that only writes (the generator's
 * blocking drop-ins) beside work that only reads (its parse of the unit files). Uses
 * libc only. */

#include <stddef.h>

typedef struct Feed Feed;

/* Starts the thread; it calls fn(i, userdata) for each item offered. Returns 0, -ENOMEM,
 * or the error of pthread_create() (the caller then does the items itself). */
int feed_start(void (*fn)(size_t i, void *userdata), void *userdata, Feed **ret);

/* Items 0 .. n-1 are complete: the thread may do them (a sleeping thread is woken once a
 * few wait, or by feed_finish()). n never goes down; what the thread reads of them must
 * not change after. */
void feed_offer(Feed *f, size_t n);

/* No more items: returns once every offered item is done and the thread is joined, and
 * frees f. NULL is a no-op. */
void feed_finish(Feed *f);
