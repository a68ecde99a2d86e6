/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

#include "feed.h"
#include "test-util.h"

#define N 500

/* What the feed's thread saw of each item, and how far the offers were when it did it. */
typedef struct Seen {
        int times[N];
        size_t order[N];        /* the how-manieth item the thread did */
        size_t offered_at[N];   /* items offered when the thread began item i */
        pthread_t by[N];
        size_t n_done;
        size_t offered;         /* what the test has offered so far, set before feed_offer() */
} Seen;

static void record(size_t i, void *userdata) {
        Seen *s = userdata;
        s->offered_at[i] = __atomic_load_n(&s->offered, __ATOMIC_ACQUIRE);
        s->by[i] = pthread_self();
        s->order[i] = s->n_done++;
        s->times[i]++;
        if (i % 50 == 0)
                usleep(1000); /* now and then slower than the offers */
}

static void offer(Feed *f, Seen *s, size_t n) {
        __atomic_store_n(&s->offered, n, __ATOMIC_RELEASE);
        feed_offer(f, n);
}

START_TEST(every_offered_item_is_done_once_in_order_by_another_thread_never_before_its_offer) {
        static Seen s;
        Feed *f;
        ck_assert_int_eq(feed_start(record, &s, &f), 0);
        for (size_t n = 1; n <= N; n++) {
                offer(f, &s, n);
                if (n % 97 == 0)
                        usleep(2000); /* the thread catches up and sleeps: the next offer wakes it */
        }
        feed_finish(f);
        for (size_t i = 0; i < N; i++) {
                ck_assert_int_eq(s.times[i], 1);
                ck_assert_uint_eq(s.order[i], i);
                ck_assert_uint_gt(s.offered_at[i], i);
                ck_assert(!pthread_equal(s.by[i], pthread_self()));
        }
        /* feed_finish() joined the thread. */
        ck_assert_int_eq(tu_thread_count(), 1);
}
END_TEST

START_TEST(offers_in_batches_and_repeated_offers_do_each_item_once) {
        static Seen s;
        Feed *f;
        ck_assert_int_eq(feed_start(record, &s, &f), 0);
        offer(f, &s, 10);
        offer(f, &s, 10);
        offer(f, &s, 5); /* never goes down */
        offer(f, &s, 300);
        offer(f, &s, N);
        feed_finish(f);
        for (size_t i = 0; i < N; i++)
                ck_assert_int_eq(s.times[i], 1);
        ck_assert_uint_eq(s.n_done, N);
}
END_TEST

START_TEST(a_feed_finished_with_nothing_offered_does_nothing) {
        static Seen s;
        Feed *f;
        ck_assert_int_eq(feed_start(record, &s, &f), 0);
        feed_finish(f);
        ck_assert_uint_eq(s.n_done, 0);
        ck_assert_int_eq(tu_thread_count(), 1);
        feed_finish(NULL);
}
END_TEST

int main(void) {
        Suite *s = suite_create("feed");
        TCase *tc = tcase_create("feed");
        tcase_add_test(tc, every_offered_item_is_done_once_in_order_by_another_thread_never_before_its_offer);
        tcase_add_test(tc, offers_in_batches_and_repeated_offers_do_each_item_once);
        tcase_add_test(tc, a_feed_finished_with_nothing_offered_does_nothing);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
