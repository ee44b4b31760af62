/*
 * bench_c.c - the C figure beside the bindings' (make bench-bindings): the
 * same job as bindings/python/bench.py and the Go benchmarks. A token with
 * three scopes and 32 listed workspaces; "read" checks on 64 workspace ids,
 * half of them listed: one authz_check per id (single) and authz_check_target
 * over the 64 ids with a pre-resolved target (batched), and authz_check_many
 * on the 64 ids (what the Python binding's check_many calls). Prints the
 * median of 7 runs, in ns per check, of the wall time and of the thread's
 * CPU time (which a busy machine inflates less: time spent waiting for a
 * CPU is not counted), as "C<TAB>single<TAB>wall<TAB>cpu", then "batched"
 * and "many".
 */
#define _POSIX_C_SOURCE 200809L
#include <authz.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define IDS 64
#define RUNS 7

static double clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Wall and CPU time of one timed loop. */
struct span {
    double wall, cpu;
};

static struct span start(void)
{
    struct span s = {clock_ns(CLOCK_MONOTONIC), clock_ns(CLOCK_THREAD_CPUTIME_ID)};
    return s;
}

static void stop(struct span s, double n, double *wall, double *cpu)
{
    *wall = (clock_ns(CLOCK_MONOTONIC) - s.wall) / n;
    *cpu = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - s.cpu) / n;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static char idbuf[IDS][40], allowbuf[IDS / 2][64];
    const char *ids[IDS], *allow[IDS / 2 + 1];
    const char *scopes[] = {"workspace:read", "workspace:start", "template:read"};
    size_t idlen[IDS];
    long iters = argc > 1 ? atol(argv[1]) : 2000000;
    double single[RUNS], batched[RUNS], many[RUNS];
    double single_cpu[RUNS], batched_cpu[RUNS], many_cpu[RUNS];
    bool allowed[IDS];
    authz_error err;
    authz_token *tok;
    authz_target tg;
    size_t yes = 0, n = 1;

    allow[0] = "template:*";
    for (int i = 0; i < IDS; i++) {
        snprintf(idbuf[i], sizeof idbuf[i], "%08x-4f89-41d3-9a0c-0305e82c3301",
                 0x3f2504e0u + (unsigned)i);
        ids[i] = idbuf[i];
        idlen[i] = 36;
        if (i % 2 == 0) {
            snprintf(allowbuf[i / 2], sizeof allowbuf[i / 2], "workspace:%s", idbuf[i]);
            allow[n++] = allowbuf[i / 2];
        }
    }
    tok = authz_token_new(authz_catalog_coder(), scopes, 3, allow, n, &err);
    if (tok == NULL || authz_target_resolve(authz_catalog_coder(), "workspace", "read", &tg) != AUTHZ_OK) {
        fprintf(stderr, "bench_c: %s\n", err.message);
        return 1;
    }
    for (int r = 0; r < RUNS; r++) {
        struct span t0 = start();
        for (long i = 0; i < iters; i++)
            yes += authz_check(tok, "workspace", ids[i & (IDS - 1)], "read");
        stop(t0, (double)iters, &single[r], &single_cpu[r]);
        t0 = start();
        for (long i = 0; i < iters / IDS; i++)
            for (int j = 0; j < IDS; j++)
                yes += authz_check_target(tok, &tg, ids[j], idlen[j]);
        stop(t0, (double)(iters / IDS * IDS), &batched[r], &batched_cpu[r]);
        t0 = start();
        for (long i = 0; i < iters / IDS; i++)
            yes += authz_check_many(tok, &tg, ids, IDS, allowed);
        stop(t0, (double)(iters / IDS * IDS), &many[r], &many_cpu[r]);
    }
    /* Half of every pass is allowed: a wrong answer shows here. */
    if (yes != (size_t)RUNS * ((size_t)iters / 2 + (size_t)(iters / IDS * IDS))) {
        fprintf(stderr, "bench_c: %zu allowed: wrong answers\n", yes);
        return 1;
    }
    qsort(single, RUNS, sizeof single[0], cmp);
    qsort(batched, RUNS, sizeof batched[0], cmp);
    qsort(many, RUNS, sizeof many[0], cmp);
    qsort(single_cpu, RUNS, sizeof single_cpu[0], cmp);
    qsort(batched_cpu, RUNS, sizeof batched_cpu[0], cmp);
    qsort(many_cpu, RUNS, sizeof many_cpu[0], cmp);
    printf("C\tsingle\t%.1f\t%.1f\n", single[RUNS / 2], single_cpu[RUNS / 2]);
    printf("C\tbatched\t%.1f\t%.1f\n", batched[RUNS / 2], batched_cpu[RUNS / 2]);
    printf("C\tmany\t%.1f\t%.1f\n", many[RUNS / 2], many_cpu[RUNS / 2]);
    authz_token_free(tok);
    return 0;
}
