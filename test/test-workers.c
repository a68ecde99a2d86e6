/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdbool.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"
#include "workers.h"

#define N 600

/* What every process did, in memory they all share: who did item i, how often. */
typedef struct Seen {
        pid_t by[N];
        int times[N];
        pid_t caller;
        int done_calls;       /* caller_done() calls, in any process */
        pid_t done_by;
        int done_items_seen;  /* items done, all processes, when caller_done() ran */
        int die_in_worker; /* a forked worker kills itself on its first item */
        int worker_result;
        int worker_cpus;   /* CPUs a forked worker may run on, at its first item */
} Seen;

static Seen *seen_new(void) {
        Seen *s = mmap(NULL, sizeof(Seen), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        ck_assert_ptr_ne(s, MAP_FAILED);
        s->caller = getpid();
        return s;
}

static void record(size_t i, void *userdata) {
        Seen *s = userdata;
        if (s->die_in_worker && getpid() != s->caller)
                raise(SIGKILL);
        s->by[i] = getpid();
        cpu_set_t set;
        if (getpid() != s->caller && sched_getaffinity(0, sizeof set, &set) == 0)
                __atomic_store_n(&s->worker_cpus, CPU_COUNT(&set), __ATOMIC_RELAXED);
        __atomic_fetch_add(&s->times[i], 1, __ATOMIC_RELAXED);
        usleep(200); /* long enough that every worker gets items */
}

static void caller_done(void *userdata) {
        Seen *s = userdata;
        int n = 0;
        for (size_t i = 0; i < N; i++)
                n += __atomic_load_n(&s->times[i], __ATOMIC_RELAXED);
        s->done_items_seen = n;
        s->done_by = getpid();
        __atomic_fetch_add(&s->done_calls, 1, __ATOMIC_RELAXED);
}

static int result(void *userdata) {
        Seen *s = userdata;
        return getpid() == s->caller ? 0 : s->worker_result;
}

static size_t processes(const Seen *s) {
        pid_t distinct[16];
        size_t n = 0;
        for (size_t i = 0; i < N; i++) {
                size_t k = 0;
                while (k < n && distinct[k] != s->by[i])
                        k++;
                if (k == n && n < 16)
                        distinct[n++] = s->by[i];
        }
        return n;
}

START_TEST(every_item_is_done_once_over_the_processes) {
        Seen *s = seen_new();
        WorkSet ws = { .n = N, .work = record, .result = result, .userdata = s };
        ck_assert_int_eq(workers_run(&ws, 3), 0);
        for (size_t i = 0; i < N; i++)
                ck_assert_int_eq(s->times[i], 1);
        ck_assert_uint_eq(processes(s), 3);
        /* Every worker is reaped: none is left for us. */
        ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
        ck_assert_int_eq(errno, ECHILD);
        munmap(s, sizeof(Seen));
}
END_TEST

START_TEST(caller_done_runs_once_in_the_caller_before_the_workers_end) {
        for (unsigned jobs = 1; jobs <= 3; jobs += 2) {
                Seen *s = seen_new();
                WorkSet ws = { .n = N, .work = record, .result = result, .caller_done = caller_done, .userdata = s };
                ck_assert_int_eq(workers_run(&ws, jobs), 0);
                ck_assert_int_eq(s->done_calls, 1);
                ck_assert_int_eq(s->done_by, getpid());
                /* Alone, after every item; with workers, at least after this process's own. */
                if (jobs == 1)
                        ck_assert_int_eq(s->done_items_seen, N);
                else
                        ck_assert_int_ge(s->done_items_seen, N / 3);
                munmap(s, sizeof(Seen));
        }
}
END_TEST

START_TEST(one_job_is_this_process_alone) {
        Seen *s = seen_new();
        WorkSet ws = { .n = N, .work = record, .userdata = s };
        ck_assert_int_eq(workers_run(&ws, 1), 0);
        for (size_t i = 0; i < N; i++) {
                ck_assert_int_eq(s->times[i], 1);
                ck_assert_int_eq(s->by[i], getpid());
        }
        munmap(s, sizeof(Seen));
}
END_TEST

START_TEST(a_worker_that_dies_fails_the_run_and_only_its_claim_is_undone) {
        Seen *s = seen_new();
        s->die_in_worker = 1;
        WorkSet ws = { .n = N, .work = record, .result = result, .userdata = s };
        ck_assert_int_eq(workers_run(&ws, 2), -ECHILD);
        size_t undone = 0, first = N;
        for (size_t i = 0; i < N; i++)
                if (s->times[i] == 0) {
                        undone++;
                        first = first < i ? first : i;
                } else
                        ck_assert_int_eq(s->by[i], getpid());
        /* The worker died on the first item of its first claim: that claim, no more. */
        ck_assert_uint_gt(undone, 0);
        ck_assert_uint_le(undone, 16);
        for (size_t i = first; i < first + undone; i++)
                ck_assert_int_eq(s->times[i], 0);
        munmap(s, sizeof(Seen));
}
END_TEST

START_TEST(a_worker_whose_result_failed_fails_the_run) {
        Seen *s = seen_new();
        s->worker_result = -EROFS;
        WorkSet ws = { .n = N, .work = record, .result = result, .userdata = s };
        ck_assert_int_eq(workers_run(&ws, 2), -EIO);
        for (size_t i = 0; i < N; i++)
                ck_assert_int_eq(s->times[i], 1);
        munmap(s, sizeof(Seen));
}
END_TEST

/* A worker is started away from the caller's CPU, but not kept away: by its first item it
 * may run on every CPU the caller may (at boot the other CPUs can be the busy ones). */
START_TEST(a_worker_may_run_on_every_cpu_of_the_caller) {
        cpu_set_t set;
        ck_assert_int_eq(sched_getaffinity(0, sizeof set, &set), 0);
        Seen *s = seen_new();
        WorkSet ws = { .n = N, .work = record, .result = result, .userdata = s };
        ck_assert_int_eq(workers_run(&ws, 2), 0);
        ck_assert_uint_eq(processes(s), 2);
        ck_assert_int_eq(s->worker_cpus, CPU_COUNT(&set));
        munmap(s, sizeof(Seen));
}
END_TEST

START_TEST(jobs_follow_the_cpus_and_the_items) {
        cpu_set_t set;
        ck_assert_int_eq(sched_getaffinity(0, sizeof set, &set), 0);
        unsigned cpus = (unsigned) CPU_COUNT(&set);
        ck_assert_uint_eq(workers_jobs(0, 64), 1);
        ck_assert_uint_eq(workers_jobs(127, 64), 1);
        ck_assert_uint_eq(workers_jobs(100000, 64), cpus < 8 ? cpus : 8);
        ck_assert_uint_eq(workers_jobs(128, 64), cpus < 2 ? cpus : 2);
        /* Pinned to one CPU (as taskset -c 0 does): one process. */
        pid_t pid = fork();
        if (pid == 0) {
                cpu_set_t one;
                CPU_ZERO(&one);
                for (int c = 0; c < CPU_SETSIZE; c++)
                        if (CPU_ISSET(c, &set)) {
                                CPU_SET(c, &one);
                                break;
                        }
                _exit(sched_setaffinity(0, sizeof one, &one) == 0 && workers_jobs(100000, 64) == 1 ? 0 : 1);
        }
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("workers");
        TCase *tc = tcase_create("workers");
        tcase_add_test(tc, every_item_is_done_once_over_the_processes);
        tcase_add_test(tc, one_job_is_this_process_alone);
        tcase_add_test(tc, a_worker_may_run_on_every_cpu_of_the_caller);
        tcase_add_test(tc, caller_done_runs_once_in_the_caller_before_the_workers_end);
        tcase_add_test(tc, a_worker_that_dies_fails_the_run_and_only_its_claim_is_undone);
        tcase_add_test(tc, a_worker_whose_result_failed_fails_the_run);
        tcase_add_test(tc, jobs_follow_the_cpus_and_the_items);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
