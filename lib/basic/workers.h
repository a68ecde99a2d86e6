/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Basic layer: a list of independent items shared by worker processes, one per CPU the
 * run may use. The caller is one of them; the others are fork()s of it, so each starts
 * with the caller's state (its caches included) and changes only its own copy. Items are
 * claimed a few at a time from a counter in shared memory: a slow item does not hold up
 * the rest, and when a worker dies, the items it had claimed and not finished are the
 * only ones left undone. A worker starts on another CPU than the caller's where there is
 * one, and may then run on any the caller may. Processes, not threads: the work need not be thread-safe, and a
 * crash in one worker ends that worker only. The caller must have no other thread when
 * it calls (a fork copies only the calling one). Uses libc only. */

#include <stddef.h>

typedef struct WorkSet {
        size_t n; /* the items are 0 .. n-1 */
        void (*work)(size_t i, void *userdata);
        /* A worker's result once its items are done: 0, or a negative errno when something
         * it did failed (it has said what). Called in the forked workers only. */
        int (*result)(void *userdata);
        /* Optional: in the caller, once no item is left for it to claim and before it waits
         * for the workers: what only the work needed can go while they end theirs. */
        void (*caller_done)(void *userdata);
        void *userdata;
} WorkSet;

/* How many workers n items are worth: the CPUs this process may run on, no more than one
 * per min_per_job items (a fork and the cold caches of the new process cost about as much
 * as that many items), and at least 1. */
unsigned workers_jobs(size_t n, size_t min_per_job);

/* Does every item of ws, with up to jobs processes (1: in this process only, no fork).
 * When a fork fails, the workers there are (the caller at least) do all the items.
 * Returns 0, or a negative errno when a forked worker failed (-EIO) or died (-ECHILD,
 * logged here with the signal). The caller's own result is its own to take. */
int workers_run(const WorkSet *ws, unsigned jobs);
