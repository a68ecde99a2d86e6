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

/* Items claimed at a time: the shared counter is touched rarely, neighbouring items (which
 * often share libraries) stay in one worker's cache, and the workers still end together. */
#define CLAIM 16U
/* More processes only read the same libraries again, each into its own cache. */
#define MAX_JOBS 8U

unsigned workers_jobs(size_t n, size_t min_per_job) {
        cpu_set_t set;
        size_t cpus = sched_getaffinity(0, sizeof set, &set) < 0 ? 1 : (size_t) CPU_COUNT(&set);
        size_t by_items = min_per_job > 0 ? n / min_per_job : n;
        size_t jobs = cpus < by_items ? cpus : by_items;
        return jobs < 1 ? 1 : jobs > MAX_JOBS ? MAX_JOBS : (unsigned) jobs;
}

static void work_claimed(const WorkSet *ws, size_t *next) {
        for (;;) {
                size_t from = __atomic_fetch_add(next, CLAIM, __ATOMIC_RELAXED);
                if (from >= ws->n)
                        return;
                for (size_t i = from; i < from + CLAIM && i < ws->n; i++)
                        ws->work(i, ws->userdata);
        }
}

/* A forked worker: it dies with the caller, whose exit tells systemd that the output is
 * complete (nothing may be written after that), and never returns. _exit(): the caller's
 * stdio buffers and exit handlers are the caller's. */
static _Noreturn void worker(const WorkSet *ws, size_t *next, pid_t parent) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(EXIT_FAILURE);
        work_claimed(ws, next);
        _exit(ws->result && ws->result(ws->userdata) < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

static int reap(pid_t pid) {
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(-errno, "Cannot wait for worker %d: %m", (int) pid);
        if (WIFEXITED(status))
                return WEXITSTATUS(status) == 0 ? 0 : -EIO; /* the worker said why */
        log_error("Worker %d was killed by signal %s: the items it had begun are not done",
                  (int) pid, WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "?");
        return -ECHILD;
}

int workers_run(const WorkSet *ws, unsigned jobs) {
        size_t local = 0, *next = &local;
        if (jobs > 1) {
                void *m = mmap(NULL, sizeof(size_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
                if (m == MAP_FAILED)
                        jobs = 1;
                else
                        next = m;
        }

        pid_t pids[MAX_JOBS], self = getpid();
        unsigned forked = 0;
        for (unsigned j = 1; j < jobs && j < MAX_JOBS; j++) {
                pid_t pid = fork();
                if (pid == 0)
                        worker(ws, next, self);
                if (pid < 0) {
                        log_debug_errno(-errno, "Cannot fork a worker, going on with %u: %m", forked + 1);
                        break;
                }
                pids[forked++] = pid;
        }
        work_claimed(ws, next);

        int r = 0;
        for (unsigned j = 0; j < forked; j++) {
                int k = reap(pids[j]);
                if (r == 0)
                        r = k;
        }
        if (next != &local)
                (void) munmap(next, sizeof(size_t));
        return r;
}
