/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "workers.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"

/* Items claimed at a time: the shared counter is touched rarely, neighbouring items (which
 * often share libraries) stay in one worker's cache, and the workers still end together. */
#define CLAIM 16U
/* More processes only read the same libraries again, each into its own cache. */
#define MAX_JOBS 8U

/* What the workers share: MAP_SHARED, so every fork sees the caller's. */
/* The second pass gives each worker a stretch of its own, neighbouring items (which share
 * most of their libraries) in one worker's cache: a worker whose stretch is done takes
 * claims from the others' (that is all the balancing). */
typedef struct Stretch {
        size_t next, end;
} Stretch;

typedef struct Shared {
        size_t next_first;            /* the next items to claim in the first pass */
        Stretch stretches[MAX_JOBS];  /* the second pass: one per worker, 0 the caller's */
        unsigned jobs;                /* how many stretches there are */
        unsigned arrived;             /* processes done with their share of the first pass */
        unsigned released;            /* the first pass is complete: work() may begin */
        bool marks[];                 /* the first pass's mark of each item */
} Shared;

unsigned workers_jobs(size_t n, size_t min_per_job) {
        cpu_set_t set;
        size_t cpus = sched_getaffinity(0, sizeof set, &set) < 0 ? 1 : (size_t) CPU_COUNT(&set);
        size_t by_items = min_per_job > 0 ? n / min_per_job : n;
        size_t jobs = cpus < by_items ? cpus : by_items;
        return jobs < 1 ? 1 : jobs > MAX_JOBS ? MAX_JOBS : (unsigned) jobs;
}

static void first_claimed(const WorkSet *ws, Shared *s) {
        for (size_t from; ws->first && (from = __atomic_fetch_add(&s->next_first, CLAIM, __ATOMIC_RELAXED)) < ws->n;)
                for (size_t i = from; i < from + CLAIM && i < ws->n; i++)
                        ws->first(i, &s->marks[i], ws->userdata);
}

static void split_stretches(Shared *s, size_t n, unsigned jobs) {
        s->jobs = jobs;
        for (unsigned j = 0; j < jobs; j++)
                s->stretches[j] = (Stretch) { .next = n * j / jobs, .end = n * (j + 1) / jobs };
}

/* Worker self's second pass: its own stretch, then claims from the others'. */
static void work_claimed(const WorkSet *ws, Shared *s, unsigned self) {
        for (unsigned k = 0; ws->work && k < s->jobs; k++) {
                Stretch *st = &s->stretches[(self + k) % s->jobs];
                for (size_t from; (from = __atomic_fetch_add(&st->next, CLAIM, __ATOMIC_RELAXED)) < st->end;)
                        for (size_t i = from; i < from + CLAIM && i < st->end; i++)
                                ws->work(i, __atomic_load_n(&s->marks[i], __ATOMIC_RELAXED), ws->userdata);
        }
}

/* The wait at the end of the first pass: short (the others' last claims), so a yield,
 * then a nap once it has lasted. */
static void pause_a_little(unsigned *spins) {
        if (++*spins < 1000) {
                sched_yield();
                return;
        }
        (void) nanosleep(&(struct timespec) { .tv_nsec = 50 * 1000 }, NULL);
}

/* A forked worker: it dies with the caller, whose exit tells systemd that the output is
 * complete (nothing may be written after that), and never returns. _exit(): the caller's
 * stdio buffers and exit handlers are the caller's. */
static _Noreturn void worker(const WorkSet *ws, Shared *s, pid_t parent, unsigned self) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
                log_error_errno(-errno, "Worker %d cannot ask to die with the generator: %m", (int) getpid());
                _exit(EXIT_FAILURE);
        }
        if (getppid() != parent)
                _exit(EXIT_FAILURE); /* the generator is gone already: nothing may be written */
        first_claimed(ws, s);
        __atomic_fetch_add(&s->arrived, 1, __ATOMIC_RELEASE);
        for (unsigned spins = 0; !__atomic_load_n(&s->released, __ATOMIC_ACQUIRE);)
                pause_a_little(&spins);
        work_claimed(ws, s, self);
        _exit(ws->result && ws->result(ws->userdata) < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

/* A worker's end: 0 when it exited 0. then: what its death means, for the log. */
static int verdict(pid_t pid, int status, const char *then) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status) == 0 ? 0 : -EIO; /* the worker said why */
        log_error("Worker %d was killed by signal %s: %s", (int) pid,
                  WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "?", then);
        return -ECHILD;
}

static int reap(pid_t pid) {
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(-errno, "Cannot wait for worker %d: %m", (int) pid);
        return verdict(pid, status, "the items it had begun are not done");
}

/* The caller at the end of the first pass: waits for every worker to arrive. A worker that
 * ends before (it cannot have finished) is reaped here, its pid set to 0: returns its
 * verdict, and the first pass is not complete. */
static int wait_arrivals(Shared *s, pid_t *pids, unsigned forked) {
        for (unsigned spins = 0; __atomic_load_n(&s->arrived, __ATOMIC_ACQUIRE) < forked + 1;) {
                for (unsigned j = 0; j < forked; j++) {
                        int status;
                        if (pids[j] > 0 && waitpid(pids[j], &status, WNOHANG) == pids[j]) {
                                int r = verdict(pids[j], status, "in the first pass, which is done again, "
                                                "then every item, by one process");
                                pids[j] = 0;
                                return r < 0 ? r : -ECHILD;
                        }
                }
                pause_a_little(&spins);
        }
        return 0;
}

static void run_alone(const WorkSet *ws, Shared *s) {
        s->next_first = 0;
        split_stretches(s, ws->n, 1);
        first_claimed(ws, s);
        work_claimed(ws, s, 0);
}

int workers_run(const WorkSet *ws, unsigned jobs) {
        size_t size = sizeof(Shared) + ws->n * sizeof(bool);
        Shared *s = jobs > 1 ? mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) : MAP_FAILED;
        if (s == MAP_FAILED) {
                /* One process: the same passes, in its own memory. */
                _cleanup_free_ Shared *alone = calloc(1, size);
                if (!alone)
                        return log_oom();
                run_alone(ws, alone);
                return 0;
        }

        pid_t pids[MAX_JOBS], self = getpid();
        unsigned forked = 0;
        if (jobs > MAX_JOBS)
                jobs = MAX_JOBS;
        /* Split for all: the stretch of a worker that could not be forked is taken by the
         * others once theirs are done. */
        split_stretches(s, ws->n, jobs);
        for (unsigned j = 1; j < jobs; j++) {
                pid_t pid = fork();
                if (pid == 0)
                        worker(ws, s, self, j);
                if (pid < 0) {
                        log_debug_errno(-errno, "Cannot fork a worker, going on with %u: %m", forked + 1);
                        break;
                }
                pids[forked++] = pid;
        }

        first_claimed(ws, s);
        __atomic_fetch_add(&s->arrived, 1, __ATOMIC_RELEASE);
        int r = wait_arrivals(s, pids, forked);
        if (r < 0) {
                /* Which items the dead worker had begun is not known: the others go, and the
                 * whole of it is done again here, alone (ws->first may be done twice). */
                for (unsigned j = 0; j < forked; j++)
                        if (pids[j] > 0)
                                (void) kill(pids[j], SIGKILL);
                for (unsigned j = 0; j < forked; j++)
                        while (pids[j] > 0 && waitpid(pids[j], NULL, 0) < 0 && errno == EINTR)
                                ;
                run_alone(ws, s);
                (void) munmap(s, size);
                return r;
        }
        __atomic_store_n(&s->released, 1, __ATOMIC_RELEASE);
        work_claimed(ws, s, 0);

        for (unsigned j = 0; j < forked; j++) {
                int k = reap(pids[j]);
                if (r == 0)
                        r = k;
        }
        (void) munmap(s, size);
        return r;
}
