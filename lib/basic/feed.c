/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "feed.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/* Items that wait before a sleeping thread is woken: one wake-up (a futex call on each
 * side) per item cost more than the item when the thread kept up with the offers. */
#define FEED_BATCH 16U

struct Feed {
        void (*fn)(size_t i, void *userdata);
        void *userdata;
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t offered;
        size_t n;      /* items offered; under lock */
        bool ended;    /* no more will be; under lock */
        bool waiting;  /* the thread sleeps on offered; under lock */
        size_t asleep_at; /* items done when it went to sleep; under lock */
};

/* The next items to do: from done up to what is offered, 0 once the feed ended and
 * everything offered is done. */
static size_t wait_for_items(Feed *f, size_t done) {
        pthread_mutex_lock(&f->lock);
        while (f->n == done && !f->ended) {
                f->waiting = true;
                f->asleep_at = done;
                pthread_cond_wait(&f->offered, &f->lock);
                f->waiting = false;
        }
        size_t n = f->n;
        pthread_mutex_unlock(&f->lock);
        return n - done;
}

static void *feed_thread(void *userdata) {
        Feed *f = userdata;
        for (size_t done = 0, k; (k = wait_for_items(f, done)) > 0;)
                for (; k > 0; k--)
                        f->fn(done++, f->userdata);
        return NULL;
}

int feed_start(void (*fn)(size_t i, void *userdata), void *userdata, Feed **ret) {
        Feed *f = calloc(1, sizeof(Feed));
        if (!f)
                return -ENOMEM;
        *f = (Feed) { .fn = fn, .userdata = userdata };
        pthread_mutex_init(&f->lock, NULL);
        pthread_cond_init(&f->offered, NULL);
        int r = pthread_create(&f->thread, NULL, feed_thread, f);
        if (r != 0) {
                pthread_cond_destroy(&f->offered);
                pthread_mutex_destroy(&f->lock);
                free(f);
                return -r;
        }
        *ret = f;
        return 0;
}

/* A wake-up only when the thread sleeps and a batch waits (feed_finish() wakes it for the
 * rest): the thread does the items a little later, and in runs. */
void feed_offer(Feed *f, size_t n) {
        pthread_mutex_lock(&f->lock);
        if (n > f->n) {
                f->n = n;
                if (f->waiting && n - f->asleep_at >= FEED_BATCH)
                        pthread_cond_signal(&f->offered);
        }
        pthread_mutex_unlock(&f->lock);
}

void feed_finish(Feed *f) {
        if (!f)
                return;
        pthread_mutex_lock(&f->lock);
        f->ended = true;
        pthread_cond_signal(&f->offered);
        pthread_mutex_unlock(&f->lock);
        (void) pthread_join(f->thread, NULL);
        pthread_cond_destroy(&f->offered);
        pthread_mutex_destroy(&f->lock);
        free(f);
}
