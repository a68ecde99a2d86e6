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
#include <unistd.h>

#include "log.h"
#include "macro.h"

/* Items claimed at a time: the shared counter is touched rarely, neighbouring items (which
 * often share libraries) stay in one worker's cache, and the workers still end together. */
#define CLAIM 16U
/* More processes only read the same libraries again, each into its own cache. */
#define MAX_JOBS 8U

/* Each worker has a stretch of its own, neighbouring items (which share most of their
 * libraries) in one worker's cache: a worker whose stretch is done takes claims from the
 * others' (that is all the balancing). MAP_SHARED, so every fork sees the caller's. */
typedef struct Stretch {
        size_t next, end;
} Stretch;

typedef struct Shared {
        Stretch stretches[MAX_JOBS];  /* one per worker, 0 the caller's */
        unsigned jobs;                /* how many stretches there are */
        cpu_set_t cpus;               /* the caller's, for a steered worker to take back */
        bool steer;                   /* cpus holds more than one: workers start elsewhere */
        int placed[MAX_JOBS];         /* worker j's start, steered or not, is settled */
} Shared;

unsigned workers_jobs(size_t n, size_t min_per_job) {
        cpu_set_t set;
        size_t cpus = sched_getaffinity(0, sizeof set, &set) < 0 ? 1 : (size_t) CPU_COUNT(&set);
        size_t by_items = min_per_job > 0 ? n / min_per_job : n;
        size_t jobs = cpus < by_items ? cpus : by_items;
        return jobs < 1 ? 1 : jobs > MAX_JOBS ? MAX_JOBS : (unsigned) jobs;
}

static void split_stretches(Shared *s, size_t n, unsigned jobs) {
        s->jobs = jobs;
        for (unsigned j = 0; j < jobs; j++)
                s->stretches[j] = (Stretch) { .next = n * j / jobs, .end = n * (j + 1) / jobs };
}

/* Worker self's share: its own stretch, then claims from the others'. */
static void work_claimed(const WorkSet *ws, Shared *s, unsigned self) {
        for (unsigned k = 0; ws->work && k < s->jobs; k++) {
                Stretch *st = &s->stretches[(self + k) % s->jobs];
                for (size_t from; (from = __atomic_fetch_add(&st->next, CLAIM, __ATOMIC_RELAXED)) < st->end;)
                        for (size_t i = from; i < from + CLAIM && i < st->end; i++)
                                ws->work(i, ws->userdata);
        }
}

/* A new worker starts on a CPU other than the one the caller runs on, where there is one:
 * left to itself, the scheduler of the 2-vCPU VM this was measured on often queued the fork
 * behind the caller on the caller's CPU, and the worker began 1.2-3 ms late or shared that
 * CPU for a while. The worker is allowed every CPU but the caller's
 * until it has started (steer_worker() moves it at once), then the caller's whole set
 * again (take_back_cpus()), so it is not pinned where the CPUs are busy (at boot, with
 * the other generators). Over the bench tree: 0.4-0.5 ms from fork() to the worker's
 * first item instead of 1.2-3 ms, and 68.9 ms against 71.2 ms for the whole run (median
 * of 30, p75 70.5 against 75.5). */
static void steer_worker(Shared *s, unsigned j, pid_t pid) {
        int cpu = s->steer ? sched_getcpu() : -1;
        if (cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &s->cpus)) {
                cpu_set_t others = s->cpus;
                CPU_CLR(cpu, &others);
                (void) sched_setaffinity(pid, sizeof others, &others); /* a failure only costs time */
        }
        __atomic_store_n(&s->placed[j], 1, __ATOMIC_RELEASE);
}

static void take_back_cpus(Shared *s, unsigned self) {
        while (!__atomic_load_n(&s->placed[self], __ATOMIC_ACQUIRE))
                sched_yield(); /* the caller, maybe on this CPU, is a system call away from it */
        if (s->steer)
                (void) sched_setaffinity(0, sizeof s->cpus, &s->cpus);
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
        take_back_cpus(s, self);
        work_claimed(ws, s, self);
        _exit(ws->result && ws->result(ws->userdata) < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

/* A worker's end: 0 when it exited 0, else what its death means, for the log. */
static int reap(pid_t pid) {
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(-errno, "Cannot wait for worker %d: %m", (int) pid);
        if (WIFEXITED(status))
                return WEXITSTATUS(status) == 0 ? 0 : -EIO; /* the worker said why */
        log_error("Worker %d was killed by signal %s: the items it had begun are not done", (int) pid,
                  WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "?");
        return -ECHILD;
}

int workers_run(const WorkSet *ws, unsigned jobs) {
        Shared *s = jobs > 1 ? mmap(NULL, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
                             : MAP_FAILED;
        if (s == MAP_FAILED) {
                Shared alone; /* one process: the same claims, in its own memory */
                split_stretches(&alone, ws->n, 1);
                work_claimed(ws, &alone, 0);
                if (ws->caller_done)
                        ws->caller_done(ws->userdata);
                return 0;
        }

        pid_t pids[MAX_JOBS], self = getpid();
        unsigned forked = 0;
        if (jobs > MAX_JOBS)
                jobs = MAX_JOBS;
        /* Split for all: the stretch of a worker that could not be forked is taken by the
         * others once theirs are done. */
        split_stretches(s, ws->n, jobs);
        s->steer = sched_getaffinity(0, sizeof s->cpus, &s->cpus) >= 0 && CPU_COUNT(&s->cpus) > 1;
        for (unsigned j = 1; j < jobs; j++) {
                pid_t pid = fork();
                if (pid == 0)
                        worker(ws, s, self, j);
                if (pid < 0) {
                        log_debug_errno(-errno, "Cannot fork a worker, going on with %u: %m", forked + 1);
                        break;
                }
                steer_worker(s, j, pid);
                pids[forked++] = pid;
        }
        work_claimed(ws, s, 0);
        if (ws->caller_done)
                ws->caller_done(ws->userdata);

        int r = 0;
        for (unsigned j = 0; j < forked; j++) {
                int k = reap(pids[j]);
                if (r == 0)
                        r = k;
        }
        (void) munmap(s, sizeof(Shared));
        return r;
}
