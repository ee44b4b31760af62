/*
 * bench.c - the performance figures of issue 6, and the targets they are
 * held to. Not a test: nothing here fails a build; it prints numbers and a
 * PASS/MISS verdict per target.
 *
 *   bench                  the full run (`make bench`), about 10 seconds
 *   bench --quick          fewer runs and shorter ones, for a first look
 *   bench --runs=N         N timed runs per figure (default 11)
 *   bench --wall           time runs by the wall clock, not by this
 *                          thread's CPU time (the default: the machine is
 *                          shared, and time spent descheduled is not ours)
 *   bench --callgrind=OUT  instruction counts: run under
 *                          valgrind --tool=callgrind --callgrind-out-file=OUT
 *                          --dump-before=bench_cg_mark --toggle-collect=...
 *                          (`make bench-callgrind` does exactly that)
 *   bench --profile[=CASE] one case at 128 entries for 5 s, to run under
 *                          `perf record`; CASE is mixed (default), wildcard,
 *                          create, denied, floor or build; or many: the
 *                          batch figures alone (not under perf)
 *
 * What is measured, each as the median (and inter-quartile range) of RUNS
 * runs, the implementations interleaved run by run so that a noisy
 * neighbour hurts all of them alike, timed by this thread's CPU time
 * (--wall: the wall clock):
 *
 *   - ns per authz_check() with C-string arguments, on one request array per
 *     allow-list size, built once from a fixed seed. Four cases:
 *       mixed    (workspace, id, read|ssh|start|application_connect), half
 *                the ids listed and half not, in random order;
 *       wildcard (template, id, read), admitted by `template:*`;
 *       create   (workspace, NULL or "", create): granted, but an object
 *                without an id is admitted only by `*:*` or `workspace:*`;
 *       denied   (workspace, id, update|delete|stop|share): no scope grants.
 *   - the same requests through the naive reference model (tests/ref_model.c)
 *     and the ratio;
 *   - a floor, on the same mixed requests: only the work no implementation
 *     can skip (decode the 36-character id, probe an open-addressing table of
 *     the same ids once, test one grant bit for an already resolved
 *     (type, action)), and the ratio check/floor;
 *   - ns per token construction, bytes per token and per allow entry (from a
 *     counting allocator passed in authz_options), allocations per check
 *     (that allocator, and malloc/calloc/realloc/free wrapped at link time
 *     with ld --wrap when built with -DBENCH_WRAP_MALLOC), checks per second
 *     with 1 and 2 threads sharing one token;
 *   - issue 14: authz_check_many against a loop of authz_check_target on
 *     one target; catalogs whose names are spelt alike (4096 types
 *     tenantxx00001xworkspace..., 65,536 scopes appscopex00001xreadonly...)
 *     against random names of the same sizes and lengths: parse time,
 *     checks on known and unknown types, tokens with a known or unknown
 *     scope.
 *
 * Every implementation's answers are checked against docs/SPEC.md's before and
 * during timing; a wrong answer stops the bench. Only the public API of
 * include/authz.h is used.
 */
#define _POSIX_C_SOURCE 200809L

#include "authz.h"
#include "ref_model.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#elif defined(__GNUC__)
#define NOINLINE __attribute__((noinline, noclone))
#else
#define NOINLINE
#endif
#if defined(__clang__)
#define UNROLL16 _Pragma("unroll 16")
#elif defined(__GNUC__)
#define UNROLL16 _Pragma("GCC unroll 16")
#else
#define UNROLL16
#endif

/* ------------------------------------------------------------------------ */
/* Parameters                                                                */
/* ------------------------------------------------------------------------ */

#define NREQ 8192u /* requests per workload (a power of two) */
#define NSIZES 5u
static const size_t SIZES[NSIZES] = {1, 16, 128, 10000, 100000};
#define SIZE_TARGET 2u /* index of 128 in SIZES */
#define SIZE_LARGEST 4u

enum { C_MIXED, C_WILD, C_CREATE, C_DENIED, NCASES };
static const char *const CASE_NAME[NCASES] = {
    "hit/miss mixed", "wildcard (template:*)", "create, no id",
    "denied by scope"};

static const char *const SCOPES[3] = {
    "coder:workspaces.access", "workspace:create", "workspace:start"};
/* Actions of the mixed case (all granted) and of the denied case (none). */
static const char *const GRANTED[4] = {"read", "ssh", "start",
                                       "application_connect"};
static const char *const REFUSED[4] = {"update", "delete", "stop", "share"};

struct config {
    int runs;            /* timed runs per figure */
    double lib_budget;   /* ns per run of a fast implementation */
    double ref_budget;   /* ns per run of the reference model */
    size_t thread_iters; /* checks per thread per run */
};

static struct config CFG = {11, 6e6, 20e6, 1u << 20};

/* ------------------------------------------------------------------------ */
/* Small tools                                                               */
/* ------------------------------------------------------------------------ */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The clock of the single-threaded timed runs: this thread's CPU time by
 * default, so that time spent descheduled while other processes use the
 * shared CPUs is not counted (their effect on caches still is); the wall
 * clock with --wall. The thread-scaling figures always use the wall
 * clock. */
static bool wall_clock;

static uint64_t run_ns(void)
{
    struct timespec ts;
    if (wall_clock || clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return now_ns();
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The machine is shared: how busy were its CPUs with other work? Reads the
 * "cpu" line of /proc/stat (jiffies) and this process's CPU time. */
struct busy {
    unsigned long long total, idle;
    uint64_t self_ns;
    bool ok;
};

static struct busy busy_now(void)
{
    struct busy b = {0, 0, 0, false};
    unsigned long long v[8] = {0};
    struct timespec ts;
    FILE *f = fopen("/proc/stat", "r");
    if (f != NULL) {
        b.ok = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                      &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8;
        fclose(f);
    }
    b.total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    b.idle = v[3] + v[4];
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    b.self_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return b;
}

/* CPUs' worth of work done by other processes between a and b (-1 when
 * unknown). A jiffy is 1/100 s on Linux (USER_HZ). */
static double busy_others(struct busy a, struct busy b)
{
    double total, busy, self;
    if (!a.ok || !b.ok || b.total <= a.total)
        return -1;
    total = (double)(b.total - a.total);
    busy = total - (double)(b.idle - a.idle);
    self = (double)(b.self_ns - a.self_ns) / 1e7;
    busy -= self;
    if (busy < 0)
        busy = 0;
    /* total jiffies across CPUs / wall jiffies = number of CPUs */
    return busy / total;
}

static uint64_t rng_state = 0x5eed0e252defu;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t rng_below(size_t n)
{
    return (size_t)(rng() % (uint64_t)n);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n != 0 ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "bench: out of memory\n");
        exit(2);
    }
    return p;
}

static void die(const char *what)
{
    fprintf(stderr, "bench: %s\n", what);
    exit(2);
}

/* A random lower-case 36-character UUID (version 4 bits set). */
static void uuid_random(char out[37])
{
    static const char digits[] = "0123456789abcdef";
    static const unsigned char pos[32] = {
        0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11, 12, 14, 15, 16, 17,
        19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35};
    uint64_t hi = rng(), lo = rng();
    int i;
    hi = (hi & ~(uint64_t)0xf000) | 0x4000;
    lo = (lo & ~((uint64_t)3 << 62)) | ((uint64_t)2 << 62);
    for (i = 0; i < 32; i++) {
        uint64_t w = i < 16 ? hi : lo;
        out[pos[i]] = digits[(w >> (60 - 4 * (i & 15))) & 15];
    }
    out[8] = out[13] = out[18] = out[23] = '-';
    out[36] = '\0';
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct stats {
    double med, q1, q3, min, max;
};

static struct stats stats_of(const double *v, int n)
{
    double s[64];
    struct stats st;
    int i;
    for (i = 0; i < n; i++)
        s[i] = v[i];
    qsort(s, (size_t)n, sizeof s[0], cmp_double);
    st.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    st.q1 = s[n / 4];
    st.q3 = s[(3 * n) / 4];
    st.min = s[0];
    st.max = s[n - 1];
    return st;
}

/* "12.3 [12.1-12.6]": median and inter-quartile range. */
static const char *fmt_stats(char *buf, size_t cap, struct stats s)
{
    if (s.med >= 100000)
        snprintf(buf, cap, "%.0f [%.0f-%.0f]", s.med, s.q1, s.q3);
    else if (s.med >= 100)
        snprintf(buf, cap, "%.0f [%.0f-%.0f]", s.med, s.q1, s.q3);
    else
        snprintf(buf, cap, "%.1f [%.1f-%.1f]", s.med, s.q1, s.q3);
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Counting: the token's allocator, and the C library's through ld --wrap    */
/* ------------------------------------------------------------------------ */

/* Counts what the library asks for (requested bytes, not malloc's own
 * overhead). A header before each block remembers its size. */
struct counter {
    atomic_size_t calls; /* malloc + realloc + free calls */
    atomic_size_t live;  /* bytes held now */
    atomic_size_t peak;  /* most bytes held at once since the last reset */
};

#define HDR 16u

static void counter_add(struct counter *c, size_t n)
{
    size_t live = atomic_fetch_add(&c->live, n) + n;
    size_t peak = atomic_load(&c->peak);
    while (live > peak && !atomic_compare_exchange_weak(&c->peak, &peak, live))
        ;
}

static void *cnt_malloc(void *ctx, size_t size)
{
    struct counter *c = ctx;
    unsigned char *p;
    atomic_fetch_add(&c->calls, 1);
    p = malloc(size + HDR);
    if (p == NULL)
        return NULL;
    memcpy(p, &size, sizeof size);
    counter_add(c, size);
    return p + HDR;
}

static void cnt_free(void *ctx, void *ptr)
{
    struct counter *c = ctx;
    unsigned char *p;
    size_t size;
    atomic_fetch_add(&c->calls, 1);
    if (ptr == NULL)
        return;
    p = (unsigned char *)ptr - HDR;
    memcpy(&size, p, sizeof size);
    atomic_fetch_sub(&c->live, size);
    free(p);
}

static void *cnt_realloc(void *ctx, void *ptr, size_t size)
{
    struct counter *c = ctx;
    unsigned char *p, *q;
    size_t old;
    if (ptr == NULL)
        return cnt_malloc(ctx, size);
    atomic_fetch_add(&c->calls, 1);
    p = (unsigned char *)ptr - HDR;
    memcpy(&old, p, sizeof old);
    q = realloc(p, size + HDR);
    if (q == NULL)
        return NULL;
    memcpy(q, &size, sizeof size);
    atomic_fetch_sub(&c->live, old);
    counter_add(c, size);
    return q + HDR;
}

static void counter_init(struct counter *c)
{
    atomic_init(&c->calls, 0);
    atomic_init(&c->live, 0);
    atomic_init(&c->peak, 0);
}

/* Every call to malloc, calloc, realloc and free made by libauthz.a, the
 * reference model or this file (ld --wrap redirects the references in the
 * objects being linked; the C library's own internal calls are not seen). */
static atomic_ulong wrap_calls;

#ifdef BENCH_WRAP_MALLOC
void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *ptr, size_t size);
void __real_free(void *ptr);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
void __wrap_free(void *ptr);

void *__wrap_malloc(size_t size)
{
    atomic_fetch_add_explicit(&wrap_calls, 1, memory_order_relaxed);
    return __real_malloc(size);
}
void *__wrap_calloc(size_t n, size_t size)
{
    atomic_fetch_add_explicit(&wrap_calls, 1, memory_order_relaxed);
    return __real_calloc(n, size);
}
void *__wrap_realloc(void *ptr, size_t size)
{
    atomic_fetch_add_explicit(&wrap_calls, 1, memory_order_relaxed);
    return __real_realloc(ptr, size);
}
void __wrap_free(void *ptr)
{
    atomic_fetch_add_explicit(&wrap_calls, 1, memory_order_relaxed);
    __real_free(ptr);
}
#define WRAPPED 1
#else
#define WRAPPED 0
#endif

static unsigned long wrapped_now(void)
{
    return atomic_load(&wrap_calls);
}

/* Allocator calls seen during the library's timed check loops. */
static size_t lib_checks_done, lib_check_token_allocs;
static unsigned long lib_check_wrapped_allocs;

/* ------------------------------------------------------------------------ */
/* The floor                                                                 */
/* ------------------------------------------------------------------------ */

struct fslot {
    uint64_t hi, lo, used;
};

struct floor_table {
    struct fslot *slots;
    uint64_t mask, k0, k1;
    uint64_t grants; /* bit per (workspace) action index */
};

static unsigned char fhex[256];
static const unsigned char FPOS[32] = {
    0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11, 12, 14, 15, 16, 17,
    19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35};

static void fhex_init(void)
{
    int c;
    for (c = 0; c < 256; c++)
        fhex[c] = 0xf0;
    for (c = 0; c < 10; c++)
        fhex['0' + c] = (unsigned char)c;
    for (c = 0; c < 6; c++) {
        fhex['a' + c] = (unsigned char)(10 + c);
        fhex['A' + c] = (unsigned char)(10 + c);
    }
}

static uint64_t fold_mul(uint64_t a, uint64_t b)
{
    __extension__ typedef unsigned __int128 u128;
    u128 p = (u128)a * b;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

/* Decodes the 36-character form; the caller's buffer holds at least 37
 * bytes, so checking the NUL at [36] stands in for knowing the length. */
static inline int floor_decode(const char *s, uint64_t *hi, uint64_t *lo)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned bad = (unsigned)(u[8] ^ '-') | (unsigned)(u[13] ^ '-') |
                   (unsigned)(u[18] ^ '-') | (unsigned)(u[23] ^ '-') |
                   (unsigned)u[36];
    unsigned digits = 0;
    uint64_t h = 0, l = 0;
    int i;
    /* Straight-line code: one table load per digit. */
    UNROLL16
    for (i = 0; i < 16; i++) {
        unsigned v = fhex[u[FPOS[i]]];
        digits |= v;
        h = h << 4 | (v & 15);
    }
    UNROLL16
    for (i = 16; i < 32; i++) {
        unsigned v = fhex[u[FPOS[i]]];
        digits |= v;
        l = l << 4 | (v & 15);
    }
    *hi = h;
    *lo = l;
    return (bad | (digits & 0xf0)) == 0;
}

static NOINLINE bool floor_check(const struct floor_table *f, const char *id,
                                 unsigned bit)
{
    uint64_t hi, lo, i;
    if (!(f->grants >> bit & 1))
        return false;
    if (id == NULL || !floor_decode(id, &hi, &lo))
        return false;
    i = fold_mul(hi ^ f->k0, lo ^ f->k1) & f->mask;
    for (;;) {
        const struct fslot *s = &f->slots[i];
        if (!s->used)
            return false;
        if (s->hi == hi && s->lo == lo)
            return true;
        i = (i + 1) & f->mask;
    }
}

static void floor_build(struct floor_table *f, const char *ids, size_t n)
{
    size_t cap = 16, k;
    while (cap < 2 * n)
        cap <<= 1;
    f->slots = xmalloc(cap * sizeof *f->slots);
    memset(f->slots, 0, cap * sizeof *f->slots);
    f->mask = cap - 1;
    f->k0 = rng();
    f->k1 = rng();
    f->grants = 0xf; /* the four GRANTED actions */
    for (k = 0; k < n; k++) {
        uint64_t hi, lo, i;
        if (!floor_decode(ids + 37 * k, &hi, &lo))
            die("floor: bad id");
        i = fold_mul(hi ^ f->k0, lo ^ f->k1) & f->mask;
        while (f->slots[i].used)
            i = (i + 1) & f->mask;
        f->slots[i].hi = hi;
        f->slots[i].lo = lo;
        f->slots[i].used = 1;
    }
}

/* ------------------------------------------------------------------------ */
/* Workloads                                                                 */
/* ------------------------------------------------------------------------ */

struct req {
    const char *res, *id, *act;
    unsigned fbit;   /* floor: index of the action among GRANTED (or 63) */
    unsigned expect; /* the answer docs/SPEC.md gives */
};

struct workload {
    size_t n;            /* workspace:<uuid> entries (plus template:*) */
    char *ids;           /* n listed ids, 37 bytes each */
    char *entries;       /* allow-list text, 48 bytes each */
    const char **allow;  /* n + 1 entries: template:* first */
    char *req_ids;       /* NREQ request ids, 37 bytes each */
    struct req *reqs[NCASES];
    authz_target *targets; /* the mixed requests' (resource, action), resolved */
    authz_token *tok;
    ref_token *ref;
    struct floor_table floor;
    struct counter alloc;
    authz_allocator allocator;
};

static struct workload W[NSIZES];

static char *make_ids(size_t n)
{
    char *ids = xmalloc(37 * n);
    size_t i;
    for (i = 0; i < n; i++)
        uuid_random(ids + 37 * i);
    return ids;
}

/* "workspace:<id>" for each id, 48-byte stride. */
static const char **make_entries(const char *ids, size_t n, char **text,
                                 int with_wild)
{
    size_t total = n + (with_wild ? 1 : 0), i, k = 0;
    const char **v = xmalloc(total * sizeof *v);
    *text = xmalloc(48 * (n + 1));
    if (with_wild) {
        strcpy(*text, "template:*");
        v[k++] = *text;
    }
    for (i = 0; i < n; i++) {
        char *e = *text + 48 * (i + 1);
        memcpy(e, "workspace:", 10);
        memcpy(e + 10, ids + 37 * i, 37);
        v[k++] = e;
    }
    return v;
}

static authz_token *lib_token(const char *const *allow, size_t n_allow,
                              const authz_allocator *a, authz_error *err)
{
    authz_str sc[3], *al = xmalloc((n_allow + 1) * sizeof *al);
    authz_options opts;
    authz_token *t;
    size_t i;
    for (i = 0; i < 3; i++) {
        sc[i].ptr = SCOPES[i];
        sc[i].len = strlen(SCOPES[i]);
    }
    for (i = 0; i < n_allow; i++) {
        al[i].ptr = allow[i];
        al[i].len = strlen(allow[i]);
    }
    authz_options_init(&opts);
    opts.max_allow = n_allow > AUTHZ_DEFAULT_MAX_ALLOW ? n_allow : 0;
    opts.allocator = a;
    t = authz_token_new_ex(authz_catalog_coder(), sc, 3, al, n_allow, &opts,
                           err);
    free(al);
    return t;
}

static void workload_build(struct workload *w, size_t n, bool with_ref)
{
    authz_error err;
    size_t i, c;
    int code = 0;

    w->n = n;
    w->ids = make_ids(n);
    w->allow = make_entries(w->ids, n, &w->entries, 1);

    counter_init(&w->alloc);
    w->allocator.malloc = cnt_malloc;
    w->allocator.realloc = cnt_realloc;
    w->allocator.free = cnt_free;
    w->allocator.ctx = &w->alloc;
    w->tok = lib_token(w->allow, n + 1, &w->allocator, &err);
    if (w->tok == NULL) {
        fprintf(stderr, "bench: authz_token_new_ex: %s\n", err.message);
        exit(2);
    }
    w->ref = NULL;
    if (with_ref) {
        w->ref = ref_token_new(SCOPES, 3, w->allow, n + 1, n + 1, &code);
        if (w->ref == NULL)
            die("ref_token_new failed");
    }
    floor_build(&w->floor, w->ids, n);

    /* Half listed, half not, in random order; the same ids serve every
     * case that takes one. */
    w->req_ids = xmalloc(37 * (size_t)NREQ);
    for (c = 0; c < NCASES; c++)
        w->reqs[c] = xmalloc(NREQ * sizeof(struct req));
    for (i = 0; i < NREQ; i++) {
        char *id = w->req_ids + 37 * i;
        unsigned hit = (unsigned)(rng() & 1);
        size_t a = rng_below(4);
        struct req *r;
        if (hit)
            memcpy(id, w->ids + 37 * rng_below(n), 37);
        else
            uuid_random(id);

        r = &w->reqs[C_MIXED][i];
        r->res = "workspace";
        r->id = id;
        r->act = GRANTED[a];
        r->fbit = (unsigned)a;
        r->expect = hit;

        r = &w->reqs[C_WILD][i];
        r->res = "template";
        r->id = id;
        r->act = "read";
        r->fbit = 63;
        r->expect = 1;

        r = &w->reqs[C_CREATE][i];
        r->res = "workspace";
        r->id = (rng() & 1) ? NULL : "";
        r->act = "create";
        r->fbit = 63;
        r->expect = 0;

        r = &w->reqs[C_DENIED][i];
        r->res = "workspace";
        r->id = id;
        r->act = REFUSED[rng_below(4)];
        r->fbit = 63;
        r->expect = 0;
    }

    w->targets = xmalloc(NREQ * sizeof *w->targets);
    for (i = 0; i < NREQ; i++)
        if (authz_target_resolve(authz_catalog_coder(),
                                 w->reqs[C_MIXED][i].res,
                                 w->reqs[C_MIXED][i].act,
                                 &w->targets[i]) != AUTHZ_OK)
            die("authz_target_resolve failed");

    /* Every implementation must answer as docs/SPEC.md does before timing. */
    for (c = 0; c < NCASES; c++) {
        size_t ref_n = n <= 128 ? NREQ : 64;
        for (i = 0; i < NREQ; i++) {
            const struct req *r = &w->reqs[c][i];
            if ((unsigned)authz_check(w->tok, r->res, r->id, r->act) !=
                r->expect) {
                fprintf(stderr, "bench: authz_check disagrees: %s %s %s\n",
                        r->res, r->id ? r->id : "(null)", r->act);
                exit(2);
            }
            if (w->ref != NULL && i < ref_n &&
                (unsigned)ref_check(w->ref, r->res, r->id, r->act) !=
                    r->expect)
                die("ref_check disagrees");
            if (c == C_MIXED &&
                (unsigned)authz_check_target(
                    w->tok, &w->targets[i], r->id,
                    r->id != NULL ? strlen(r->id) : 0) != r->expect)
                die("authz_check_target disagrees");
            if (c == C_MIXED &&
                (unsigned)floor_check(&w->floor, r->id, r->fbit) != r->expect)
                die("floor disagrees");
        }
    }
}

static size_t expect_sum(const struct req *r, size_t start, size_t iters)
{
    size_t i, s = 0;
    for (i = 0; i < iters; i++)
        s += r[(start + i) & (NREQ - 1)].expect;
    return s;
}

/* ------------------------------------------------------------------------ */
/* Timed loops                                                               */
/* ------------------------------------------------------------------------ */

enum { IMPL_LIB, IMPL_FLOOR, IMPL_REF, IMPL_TARGET };

static NOINLINE size_t loop_lib(const authz_token *t, const struct req *r,
                                size_t start, size_t iters)
{
    size_t i, s = 0;
    for (i = 0; i < iters; i++) {
        const struct req *q = &r[(start + i) & (NREQ - 1)];
        s += authz_check(t, q->res, q->id, q->act);
    }
    return s;
}

static NOINLINE size_t loop_floor(const struct floor_table *f,
                                  const struct req *r, size_t start,
                                  size_t iters)
{
    size_t i, s = 0;
    for (i = 0; i < iters; i++) {
        const struct req *q = &r[(start + i) & (NREQ - 1)];
        s += floor_check(f, q->id, q->fbit);
    }
    return s;
}

/* The pre-resolved form: names resolved once (outside the loop), then only
 * what depends on the object. */
static NOINLINE size_t loop_target(const authz_token *t,
                                   const authz_target *tg,
                                   const struct req *r, size_t start,
                                   size_t iters)
{
    size_t i, s = 0;
    for (i = 0; i < iters; i++) {
        size_t k = (start + i) & (NREQ - 1);
        const char *id = r[k].id;
        s += authz_check_target(t, &tg[k], id, id != NULL ? strlen(id) : 0);
    }
    return s;
}

static NOINLINE size_t loop_ref(const ref_token *t, const struct req *r,
                                size_t start, size_t iters)
{
    size_t i, s = 0;
    for (i = 0; i < iters; i++) {
        const struct req *q = &r[(start + i) & (NREQ - 1)];
        s += ref_check(t, q->res, q->id, q->act);
    }
    return s;
}

static size_t run_impl(int impl, struct workload *w, int c, size_t start,
                       size_t iters)
{
    switch (impl) {
    case IMPL_LIB:
        return loop_lib(w->tok, w->reqs[c], start, iters);
    case IMPL_FLOOR:
        return loop_floor(&w->floor, w->reqs[c], start, iters);
    case IMPL_TARGET:
        return loop_target(w->tok, w->targets, w->reqs[c], start, iters);
    default:
        return loop_ref(w->ref, w->reqs[c], start, iters);
    }
}

/* ns per check of one run; verifies the answers. */
static double timed(int impl, struct workload *w, int c, size_t start,
                    size_t iters)
{
    size_t tok_calls = 0, got;
    unsigned long wrapped = 0;
    uint64_t t0, t1;
    if (impl == IMPL_LIB) {
        tok_calls = atomic_load(&w->alloc.calls);
        wrapped = wrapped_now();
    }
    t0 = run_ns();
    got = run_impl(impl, w, c, start, iters);
    t1 = run_ns();
    if (impl == IMPL_LIB) {
        lib_check_token_allocs += atomic_load(&w->alloc.calls) - tok_calls;
        lib_check_wrapped_allocs += wrapped_now() - wrapped;
        lib_checks_done += iters;
    }
    if (got != expect_sum(w->reqs[c], start, iters))
        die("a timed run gave a wrong answer");
    return (double)(t1 - t0) / (double)iters;
}

/* Iterations for one run of about `budget` ns. */
static size_t calibrate(int impl, struct workload *w, int c, double budget,
                        size_t lo, size_t hi)
{
    size_t probe = impl == IMPL_REF && w->n > 128 ? 4 : 2048;
    double per = timed(impl, w, c, 0, probe);
    double want = budget / (per > 0.1 ? per : 0.1);
    size_t iters = want < (double)lo ? lo
                   : want > (double)hi ? hi
                                       : (size_t)want;
    return iters;
}

struct figure {
    struct stats lib, floor, ref, target;
    double ratio_target; /* median of per-run target/floor */
    double ratio_floor; /* median of per-run check/floor */
    double ratio_ref;   /* median of per-run ref/check */
    bool has_floor, has_ref;
    size_t ref_iters;
};

static struct figure FIG[NSIZES][NCASES];

static void measure(struct workload *w, int c, struct figure *f)
{
    double lib[64], flo[64], ref[64], rf[64], rr[64], tg[64], rt[64];
    size_t it_lib, it_floor = 0, it_ref = 0, it_tg = 0;
    int r;

    f->has_floor = c == C_MIXED;
    f->has_ref = w->ref != NULL;
    it_lib = calibrate(IMPL_LIB, w, c, CFG.lib_budget, NREQ, 1u << 24);
    if (f->has_floor) {
        it_floor = calibrate(IMPL_FLOOR, w, c, CFG.lib_budget, NREQ, 1u << 24);
        it_tg = calibrate(IMPL_TARGET, w, c, CFG.lib_budget, NREQ, 1u << 24);
    }
    if (f->has_ref)
        it_ref = calibrate(IMPL_REF, w, c, CFG.ref_budget, 8, 1u << 22);
    f->ref_iters = it_ref;

    /* The library, the pre-resolved check and the floor take turns, so
     * each ratio compares runs made under the same machine state. The
     * reference model runs afterwards, in a loop of its own: at 100,000
     * entries one of its runs sweeps megabytes and would leave every
     * following run a cold cache, which is the model's cost, not theirs. */
    for (r = 0; r < CFG.runs; r++) {
        lib[r] = timed(IMPL_LIB, w, c, 0, it_lib);
        if (f->has_floor) {
            flo[r] = timed(IMPL_FLOOR, w, c, 0, it_floor);
            rf[r] = lib[r] / flo[r];
            tg[r] = timed(IMPL_TARGET, w, c, 0, it_tg);
            rt[r] = tg[r] / flo[r];
        }
    }
    for (r = 0; f->has_ref && r < CFG.runs; r++) {
        /* Each run takes the next slice of the requests. */
        ref[r] = timed(IMPL_REF, w, c, (size_t)r * it_ref, it_ref);
        rr[r] = ref[r] / lib[r];
    }
    f->lib = stats_of(lib, CFG.runs);
    if (f->has_floor) {
        f->floor = stats_of(flo, CFG.runs);
        f->ratio_floor = stats_of(rf, CFG.runs).med;
        f->target = stats_of(tg, CFG.runs);
        f->ratio_target = stats_of(rt, CFG.runs).med;
    }
    if (f->has_ref) {
        f->ref = stats_of(ref, CFG.runs);
        f->ratio_ref = stats_of(rr, CFG.runs).med;
    }
}

/* ------------------------------------------------------------------------ */
/* Construction and memory                                                   */
/* ------------------------------------------------------------------------ */

struct build_fig {
    size_t n;
    struct stats lib, ref;
};

static struct build_fig BUILD[2];

static void measure_build(struct build_fig *b, size_t n)
{
    char *ids = make_ids(n), *text;
    const char **allow = make_entries(ids, n, &text, 0);
    enum { K = 64 };
    authz_token *toks[K];
    ref_token *refs[K];
    double lib[64], ref[64];
    int r, k;

    b->n = n;
    for (r = -1; r < CFG.runs; r++) { /* run -1 warms up */
        uint64_t t0, t1, t2;
        int code;
        t0 = run_ns();
        for (k = 0; k < K; k++)
            toks[k] = authz_token_new(authz_catalog_coder(), SCOPES, 3,
                                      allow, n, NULL);
        t1 = run_ns();
        for (k = 0; k < K; k++)
            refs[k] = ref_token_new(SCOPES, 3, allow, n, n, &code);
        t2 = run_ns();
        for (k = 0; k < K; k++) {
            if (toks[k] == NULL || refs[k] == NULL)
                die("token construction failed");
            authz_token_free(toks[k]);
            ref_token_free(refs[k]);
        }
        if (r >= 0) {
            lib[r] = (double)(t1 - t0) / K;
            ref[r] = (double)(t2 - t1) / K;
        }
    }
    b->lib = stats_of(lib, CFG.runs);
    b->ref = stats_of(ref, CFG.runs);
    free(allow);
    free(text);
    free(ids);
}

struct mem_fig {
    size_t n, held, peak, calls;
};

#define NMEM 6u
static struct mem_fig MEM[NMEM];
static const size_t MEM_SIZES[NMEM] = {0, 1, 10, 128, 10000, 100000};

static void measure_memory(void)
{
    size_t m;
    for (m = 0; m < NMEM; m++) {
        size_t n = MEM_SIZES[m];
        char *ids = make_ids(n), *text;
        const char **allow = make_entries(ids, n, &text, 0);
        struct counter c;
        authz_allocator a;
        authz_error err;
        authz_token *t;
        counter_init(&c);
        a.malloc = cnt_malloc;
        a.realloc = cnt_realloc;
        a.free = cnt_free;
        a.ctx = &c;
        t = lib_token(allow, n, &a, &err);
        if (t == NULL)
            die(err.message);
        MEM[m].n = n;
        MEM[m].held = atomic_load(&c.live);
        MEM[m].peak = atomic_load(&c.peak);
        MEM[m].calls = atomic_load(&c.calls);
        authz_token_free(t);
        if (atomic_load(&c.live) != 0)
            die("authz_token_free left bytes held");
        free(allow);
        free(text);
        free(ids);
    }
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

struct worker {
    _Alignas(64) pthread_t th;
    const authz_token *tok;
    const struct req *reqs;
    size_t start, iters, got;
    uint64_t cpu_ns; /* the thread's own CPU time for its checks */
    pthread_barrier_t *bar;
};

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *worker_main(void *arg)
{
    struct worker *wk = arg;
    uint64_t t0;
    pthread_barrier_wait(wk->bar);
    t0 = thread_cpu_ns();
    wk->got = loop_lib(wk->tok, wk->reqs, wk->start, wk->iters);
    wk->cpu_ns = thread_cpu_ns() - t0;
    return NULL;
}

/* Checks per second with `nt` threads on one token; *cpu_per_check gets
 * the threads' CPU time per check (equal for 1 and 2 threads when nothing
 * is shared: a lower wall-clock ratio then means the threads did not get
 * two CPUs, not that they slowed each other down). */
static double throughput(struct workload *w, int nt, double *cpu_per_check)
{
    uint64_t cpu = 0;
    struct worker wk[2];
    pthread_barrier_t bar;
    uint64_t t0, t1;
    int i;
    pthread_barrier_init(&bar, NULL, (unsigned)nt + 1);
    for (i = 0; i < nt; i++) {
        wk[i].tok = w->tok;
        wk[i].reqs = w->reqs[C_MIXED];
        wk[i].start = (size_t)i * (NREQ / 2);
        wk[i].iters = CFG.thread_iters;
        wk[i].bar = &bar;
        if (pthread_create(&wk[i].th, NULL, worker_main, &wk[i]) != 0)
            die("pthread_create failed");
    }
    pthread_barrier_wait(&bar);
    t0 = now_ns();
    for (i = 0; i < nt; i++)
        pthread_join(wk[i].th, NULL);
    t1 = now_ns();
    pthread_barrier_destroy(&bar);
    for (i = 0; i < nt; i++) {
        if (wk[i].got != expect_sum(wk[i].reqs, wk[i].start, wk[i].iters))
            die("a thread gave a wrong answer");
        cpu += wk[i].cpu_ns;
    }
    *cpu_per_check = (double)cpu / ((double)nt * (double)CFG.thread_iters);
    return (double)nt * (double)CFG.thread_iters / ((double)(t1 - t0) / 1e9);
}

static struct stats THR[2], THR_CPU[2];
static double THR_RATIO, THR_OTHERS = -1, ALL_OTHERS = -1;
static long N_CPUS = 0;

static void measure_threads(struct workload *w)
{
    double one[64], two[64], ratio[64], c1[64], c2[64], dummy;
    size_t tok_calls = atomic_load(&w->alloc.calls);
    unsigned long wrapped = wrapped_now();
    struct busy b0;
    int r;
    (void)throughput(w, 1, &dummy); /* warm up */
    b0 = busy_now();
    for (r = 0; r < CFG.runs; r++) {
        one[r] = throughput(w, 1, &c1[r]);
        two[r] = throughput(w, 2, &c2[r]);
        ratio[r] = two[r] / one[r];
    }
    THR[0] = stats_of(one, CFG.runs);
    THR[1] = stats_of(two, CFG.runs);
    THR_CPU[0] = stats_of(c1, CFG.runs);
    THR_CPU[1] = stats_of(c2, CFG.runs);
    THR_RATIO = stats_of(ratio, CFG.runs).med;
    THR_OTHERS = busy_others(b0, busy_now());
    /* Thread creation allocates inside the C library, unseen by --wrap;
     * the token's allocator must not be called at all. */
    lib_check_token_allocs += atomic_load(&w->alloc.calls) - tok_calls;
    lib_check_wrapped_allocs += wrapped_now() - wrapped;
    lib_checks_done += (size_t)(CFG.runs * 3 + 1) * CFG.thread_iters;
}

/* ------------------------------------------------------------------------ */
/* Report                                                                    */
/* ------------------------------------------------------------------------ */

static int misses;

/* Prints one target line. `le`: the target is an upper bound. */
static void target(const char *what, double value, const char *unit,
                   double goal, bool le)
{
    bool pass = le ? value <= goal : value >= goal;
    char v[48], g[48], verdict[48];
    snprintf(v, sizeof v, "%.4g %s", value, unit);
    snprintf(g, sizeof g, "%s %.4g %s", le ? "<=" : ">=", goal, unit);
    if (pass)
        snprintf(verdict, sizeof verdict, "PASS");
    else if (le && goal > 0)
        snprintf(verdict, sizeof verdict, "MISS by %.0f%%",
                 (value / goal - 1) * 100);
    else if (!le && value > 0)
        snprintf(verdict, sizeof verdict, "MISS by %.0f%%",
                 (goal / value - 1) * 100);
    else
        snprintf(verdict, sizeof verdict, "MISS");
    if (!pass)
        misses++;
    printf("  %-52s %14s  %14s  %s\n", what, v, g, verdict);
}

static void report(void)
{
    char a[64], b[64], c[64];
    size_t s, m;
    int k;
    const struct figure *t128 = &FIG[SIZE_TARGET][C_MIXED];
    const struct figure *tbig = &FIG[SIZE_LARGEST][C_MIXED];

    printf("\nns per check (C strings), median [inter-quartile range] of %d "
           "runs\n",
           CFG.runs);
    printf("%7s  %-22s %-21s %-19s %-8s %-24s %s\n", "entries", "case",
           "authz_check", "floor", "chk/flr", "ref model", "ref/authz");
    for (s = 0; s < NSIZES; s++) {
        for (k = 0; k < NCASES; k++) {
            const struct figure *f = &FIG[s][k];
            char ratio_f[16] = "", ratio_r[24] = "";
            a[0] = b[0] = c[0] = '\0';
            fmt_stats(a, sizeof a, f->lib);
            if (f->has_floor) {
                fmt_stats(b, sizeof b, f->floor);
                snprintf(ratio_f, sizeof ratio_f, "%.2fx", f->ratio_floor);
            }
            if (f->has_ref) {
                fmt_stats(c, sizeof c, f->ref);
                snprintf(ratio_r, sizeof ratio_r,
                         f->ratio_ref < 10 ? "%.1fx" : "%.0fx",
                         f->ratio_ref);
            }
            char entries[16] = "";
            if (k == 0)
                snprintf(entries, sizeof entries, "%zu", SIZES[s]);
            printf("%7s  %-22s %-21s %-19s %-8s %-24s %s\n", entries,
                   CASE_NAME[k], a, b, ratio_f, c, ratio_r);
        }
    }
    printf("  (entries: workspace:<uuid> entries, plus template:*)\n");
    printf("\npre-resolved: authz_target_resolve once, then "
           "authz_check_target(token, target, id, strlen(id)), hit/miss mixed\n");
    for (s = 0; s < NSIZES; s++) {
        const struct figure *f = &FIG[s][C_MIXED];
        fmt_stats(a, sizeof a, f->target);
        printf("%7zu  %-21s  / floor %.2fx\n", SIZES[s], a, f->ratio_target);
    }
    printf("  (ref model at 10,000 and 100,000 entries: %zu and %zu checks "
           "per run, a different slice of the same requests each run)\n",
           FIG[3][C_MIXED].ref_iters, FIG[4][C_MIXED].ref_iters);

    printf("\ntoken construction, ns per token (3 scopes; authz_token_new, "
           "C strings; median [IQR])\n");
    for (m = 0; m < 2; m++)
        printf("  %3zu entries   authz %-24s ref model %-24s\n", BUILD[m].n,
               fmt_stats(a, sizeof a, BUILD[m].lib),
               fmt_stats(b, sizeof b, BUILD[m].ref));

    printf("\nmemory (bytes requested from the token's allocator; 3 "
           "scopes + n workspace:<uuid>)\n");
    printf("  %7s %10s %12s %12s %16s %16s\n", "n", "held", "peak (build)",
           "alloc calls", "held/entry", "marginal/entry");
    for (m = 0; m < NMEM; m++) {
        char per[24] = "-", marg[24] = "-";
        if (MEM[m].n > 0) {
            snprintf(per, sizeof per, "%.1f",
                     (double)MEM[m].held / (double)MEM[m].n);
            snprintf(marg, sizeof marg, "%.1f",
                     (double)(MEM[m].held - MEM[0].held) / (double)MEM[m].n);
        }
        printf("  %7zu %10zu %12zu %12zu %16s %16s\n", MEM[m].n, MEM[m].held,
               MEM[m].peak, MEM[m].calls, per, marg);
    }

    printf("\nallocations per check: %zu token-allocator calls and ",
           lib_check_token_allocs);
    if (WRAPPED)
        printf("%lu wrapped malloc/calloc/realloc/free calls", 
               lib_check_wrapped_allocs);
    else
        printf("(malloc not wrapped in this build)");
    printf(" in %zu timed checks\n", lib_checks_done);

    printf("\nthreads: one shared 128-entry token, mixed requests, %zu checks "
           "per thread per run\n",
           CFG.thread_iters);
    printf("  1 thread   %8.2f M checks/s [%.2f-%.2f]   thread CPU time "
           "per check %.1f ns\n",
           THR[0].med / 1e6, THR[0].q1 / 1e6, THR[0].q3 / 1e6,
           THR_CPU[0].med);
    printf("  2 threads  %8.2f M checks/s [%.2f-%.2f]   thread CPU time "
           "per check %.1f ns   ratio %.2fx\n",
           THR[1].med / 1e6, THR[1].q1 / 1e6, THR[1].q3 / 1e6,
           THR_CPU[1].med, THR_RATIO);
    if (THR_OTHERS >= 0 && N_CPUS > 0)
        printf("  other processes kept %.0f%% of the machine's %ld CPUs busy "
               "during these runs\n",
               THR_OTHERS * 100, N_CPUS);
    printf("  (equal CPU time per check means the threads do not slow each "
           "other down; a ratio below 2 then\n   means they did not get two "
           "whole CPUs of this shared machine)\n");

    printf("\ntargets (issues 6 and 14)%38s %14s  %s\n", "measured",
           "target", "verdict");
    target("check, 128 entries, hit/miss mixed", t128->lib.med, "ns", 30, 1);
    target("check / floor, 128 entries (median of run ratios)",
           t128->ratio_floor, "x", 1.25, 1);
    target("check_target / floor, 128 entries", t128->ratio_target, "x",
           1.1, 1);
    target("check at 100,000 / check at 128 entries (mixed)",
           tbig->lib.med / t128->lib.med, "x", 1.5, 1);
    target("allocations per check",
           (double)(lib_check_token_allocs + lib_check_wrapped_allocs) /
               (double)lib_checks_done,
           "", 0, 1);
    target("build a 128-entry token (3 scopes)", BUILD[1].lib.med / 1000,
           "us", 10, 1);
    for (m = 0; m < NMEM; m++)
        if (MEM[m].n == 128)
            target("bytes per allow entry, 128 entries (marginal)",
                   (double)(MEM[m].held - MEM[0].held) / 128.0, "B", 40, 1);
    target("bytes per allow entry, 100,000 entries (held/n)",
           (double)MEM[NMEM - 1].held / (double)MEM[NMEM - 1].n, "B", 40, 1);
    target("ref model / check, 128 entries, mixed", t128->ratio_ref, "x", 30,
           0);
    target("2 threads / 1 thread throughput", THR_RATIO, "x", 1.8, 0);
}

/* ------------------------------------------------------------------------ */
/* Catalog names (issue 14): spelt alike against spelt at random             */
/* ------------------------------------------------------------------------ */

/* Two catalogs of each kind, the same size and name lengths:
 *   types:  4096 types `tenantxx00001xworkspace` ... (the adversarial form:
 *           names alike but for five middle digits), each with actions
 *           read and update; the ordinary one names them with 23 random
 *           letters;
 *   scopes: one type and 65,536 scopes `appscopex00001xreadonly` ... , each
 *           granting t:read; the ordinary one with random 23-letter names.
 * Measured: parse time, and ns per authz_check of known (type, read) pairs
 * and of unknown types spelt the same way (what a gateway receives from
 * anyone), with a `*:*` token, so each check is name resolution plus a
 * few instructions. */
#define NAME_TYPES 4096u
#define NAME_SCOPES 65536u
#define NAME_REQS 4096u

enum { NK_ALIKE, NK_RANDOM };

struct name_cat {
    char *text;
    size_t len;
    char (*known)[32];   /* NAME_REQS type names in the catalog */
    char (*unknown)[32]; /* NAME_REQS type names not in it */
    const char **kp, **up;
    authz_catalog *cat;
    authz_token *tok;
};

static struct name_cat NC_TYPES[2], NC_SCOPES[2];

static void random_name(char *out, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        out[i] = (char)('a' + rng_below(26));
    out[n] = '\0';
}

/* The i-th name of a kind: "tenantxx%05uxworkspace" (23 bytes) or 23
 * random letters (distinct: the index is folded in as letters). */
static void type_name(int kind, unsigned i, char out[32])
{
    if (kind == NK_ALIKE) {
        snprintf(out, 32, "tenantxx%05uxworkspace", i);
    } else {
        random_name(out, 23);
        out[0] = (char)('a' + i % 26);
        out[1] = (char)('a' + i / 26 % 26);
        out[2] = (char)('a' + i / 676 % 26);
        out[3] = (char)('a' + i / 17576 % 26);
    }
}

static void scope_name(int kind, unsigned i, char out[32])
{
    if (kind == NK_ALIKE)
        snprintf(out, 32, "appscopex%05uxreadonly", i);
    else
        type_name(NK_RANDOM, i, out);
}

static void text_add(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        *cap = 2 * (*len + n + 1);
        *buf = realloc(*buf, *cap);
        if (*buf == NULL)
            die("out of memory");
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

static authz_catalog *name_parse(const struct name_cat *nc)
{
    authz_error err;
    authz_catalog *cat = authz_catalog_parse(nc->text, nc->len, &err);
    if (cat == NULL) {
        fprintf(stderr, "bench: catalog: %s\n", err.message);
        exit(2);
    }
    return cat;
}

static void name_build(struct name_cat *nc, int kind, bool scopes)
{
    char line[96];
    size_t cap = 0, i;
    unsigned n = scopes ? NAME_SCOPES : NAME_TYPES;
    const char *sc[1] = {"*:*"}, *al[1] = {"*:*"};
    authz_error err;
    nc->text = NULL;
    nc->len = 0;
    nc->known = xmalloc(NAME_REQS * sizeof *nc->known);
    nc->unknown = xmalloc(NAME_REQS * sizeof *nc->unknown);
    nc->kp = xmalloc(NAME_REQS * sizeof *nc->kp);
    nc->up = xmalloc(NAME_REQS * sizeof *nc->up);
    char(*types)[32] = xmalloc(n * sizeof *types); /* names declared */
    if (scopes)
        text_add(&nc->text, &nc->len, &cap, "type t read\n");
    for (i = 0; i < n; i++) {
        if (scopes) {
            scope_name(kind, (unsigned)i + 1, types[i]);
            snprintf(line, sizeof line, "scope %s = t:read\n", types[i]);
        } else {
            type_name(kind, (unsigned)i + 1, types[i]);
            snprintf(line, sizeof line, "type %s read update\n", types[i]);
        }
        text_add(&nc->text, &nc->len, &cap, line);
    }
    nc->cat = name_parse(nc);
    nc->tok = authz_token_new(nc->cat, sc, 1, al, 1, &err);
    if (nc->tok == NULL) {
        fprintf(stderr, "bench: token: %s\n", err.message);
        exit(2);
    }
    /* Known: the types of the catalog, the last one first (in the old
     * hash, the end of the longest run); unknown: the same form past the
     * end (numbers 10001...), or other random names. */
    for (i = 0; i < NAME_REQS; i++) {
        if (scopes)
            memcpy(nc->known[i],
                   types[i == 0 ? NAME_SCOPES - 1 : rng_below(NAME_SCOPES)],
                   32);
        else
            memcpy(nc->known[i],
                   types[i == 0 ? NAME_TYPES - 1 : rng_below(NAME_TYPES)],
                   32);
        if (kind == NK_RANDOM)
            random_name(nc->unknown[i], 23);
        else if (scopes)
            scope_name(NK_ALIKE, 70001 + (unsigned)i, nc->unknown[i]);
        else
            type_name(NK_ALIKE, 10001 + (unsigned)i, nc->unknown[i]);
        nc->kp[i] = nc->known[i];
        nc->up[i] = nc->unknown[i];
    }
    free(types);
    for (i = 0; i < NAME_REQS && !scopes; i++) {
        if (!authz_check(nc->tok, nc->kp[i], NULL, "read") ||
            authz_check(nc->tok, nc->up[i], NULL, "read"))
            die("name catalog: wrong answer");
    }
    for (i = 0; i < NAME_REQS && scopes; i++) {
        authz_token *t = authz_token_new(nc->cat, &nc->kp[i], 1, al, 1, &err);
        if (t == NULL ||
            authz_token_new(nc->cat, &nc->up[i], 1, al, 1, &err) != NULL ||
            err.code != AUTHZ_ESCOPE)
            die("name catalog: wrong answer");
        authz_token_free(t);
    }
}

/* A token with one scope of the catalog (known: built; unknown: refused
 * with AUTHZ_ESCOPE), freed: the scope-name lookup in context. */
static NOINLINE size_t loop_scope_names(const authz_catalog *cat,
                                        const char **names, size_t iters)
{
    const char *al[1] = {"*:*"};
    size_t i, s = 0;
    for (i = 0; i < iters; i++) {
        authz_token *t = authz_token_new(
            cat, &names[i & (NAME_REQS - 1)], 1, al, 1, NULL);
        s += t != NULL;
        authz_token_free(t);
    }
    return s;
}

static NOINLINE size_t loop_names(const authz_token *t, const char **names,
                                  size_t iters)
{
    size_t i, s = 0;
    for (i = 0; i < iters; i++)
        s += authz_check(t, names[i & (NAME_REQS - 1)], NULL, "read");
    return s;
}

struct name_fig {
    struct stats parse[2], known[2], unknown[2];
    double r_parse, r_known, r_unknown; /* medians of per-run alike/random */
};

static struct name_fig NF_TYPES, NF_SCOPES;

static double time_parse(const struct name_cat *nc)
{
    uint64_t t0 = run_ns();
    authz_catalog *cat = name_parse(nc);
    double ms = (double)(run_ns() - t0) / 1e6;
    authz_catalog_free(cat);
    return ms;
}

static double time_names(const struct name_cat *nc, const char **names,
                         size_t iters, size_t want)
{
    uint64_t t0 = run_ns();
    size_t got = nc->tok != NULL ? loop_names(nc->tok, names, iters)
                                 : loop_scope_names(nc->cat, names, iters);
    double ns = (double)(run_ns() - t0) / (double)iters;
    if (got != want)
        die("name catalog: a timed run gave a wrong answer");
    return ns;
}

static void measure_names(struct name_cat nc[2], struct name_fig *f,
                          int runs)
{
    double p[2][64], k[2][64], u[2][64], rp[64], rk[64], ru[64];
    size_t iters = (size_t)CFG.lib_budget / (nc[0].tok != NULL ? 40 : 400);
    int r, kind;
    for (r = 0; r < runs; r++) {
        for (kind = 0; kind < 2; kind++) {
            p[kind][r] = time_parse(&nc[kind]);
            k[kind][r] = time_names(&nc[kind], nc[kind].kp, iters, iters);
            u[kind][r] = time_names(&nc[kind], nc[kind].up, iters, 0);
        }
        rp[r] = p[NK_ALIKE][r] / p[NK_RANDOM][r];
        rk[r] = k[NK_ALIKE][r] / k[NK_RANDOM][r];
        ru[r] = u[NK_ALIKE][r] / u[NK_RANDOM][r];
    }
    for (kind = 0; kind < 2; kind++) {
        f->parse[kind] = stats_of(p[kind], runs);
        f->known[kind] = stats_of(k[kind], runs);
        f->unknown[kind] = stats_of(u[kind], runs);
    }
    f->r_parse = stats_of(rp, runs).med;
    f->r_known = stats_of(rk, runs).med;
    f->r_unknown = stats_of(ru, runs).med;
}

static void measure_all_names(void)
{
    int kind;
    for (kind = 0; kind < 2; kind++) {
        name_build(&NC_TYPES[kind], kind, false);
        name_build(&NC_SCOPES[kind], kind, true);
    }
    for (kind = 0; kind < 2; kind++) { /* scopes: timed through tokens */
        authz_token_free(NC_SCOPES[kind].tok);
        NC_SCOPES[kind].tok = NULL;
    }
    measure_names(NC_TYPES, &NF_TYPES, CFG.runs);
    measure_names(NC_SCOPES, &NF_SCOPES, CFG.runs < 7 ? CFG.runs : 7);
}

static void report_names(const char *what, const struct name_fig *f,
                         const char *per)
{
    char a[64], b[64];
    printf("  %s; %s\n", what, per);
    printf("    parse, ms          alike %-22s random %-22s ratio %.2fx\n",
           fmt_stats(a, sizeof a, f->parse[NK_ALIKE]),
           fmt_stats(b, sizeof b, f->parse[NK_RANDOM]), f->r_parse);
    printf("    check known, ns    alike %-22s random %-22s ratio %.2fx\n",
           fmt_stats(a, sizeof a, f->known[NK_ALIKE]),
           fmt_stats(b, sizeof b, f->known[NK_RANDOM]), f->r_known);
    printf("    check unknown, ns  alike %-22s random %-22s ratio %.2fx\n",
           fmt_stats(a, sizeof a, f->unknown[NK_ALIKE]),
           fmt_stats(b, sizeof b, f->unknown[NK_RANDOM]), f->r_unknown);
}

/* ------------------------------------------------------------------------ */
/* Batches (issue 14): authz_check_many against a loop of check_target       */
/* ------------------------------------------------------------------------ */

/* One target, (workspace, read), and the mixed requests' ids (half listed),
 * handed over in calls of BATCH ids; the loop makes one authz_check_target
 * call per id with strlen, as authz_check_many is specified. */
#define BATCH 256u

static NOINLINE size_t loop_target1(const authz_token *t,
                                    const authz_target *tg,
                                    const char *const *ids, size_t start,
                                    size_t iters)
{
    size_t i, s = 0;
    for (i = 0; i < iters; i++) {
        const char *id = ids[(start + i) & (NREQ - 1)];
        s += authz_check_target(t, tg, id, id != NULL ? strlen(id) : 0);
    }
    return s;
}

static NOINLINE size_t loop_many(const authz_token *t, const authz_target *tg,
                                 const char *const *ids, bool *out,
                                 size_t start, size_t iters)
{
    size_t i, s = 0;
    for (i = 0; i < iters; i += BATCH)
        s += authz_check_many(t, tg, ids + ((start + i) & (NREQ - 1)), BATCH,
                              out);
    return s;
}

struct many_fig {
    struct stats loop, many;
    double ratio; /* median of per-run many/loop */
};

static struct many_fig MANY[NSIZES];

static void measure_many(struct workload *w, struct many_fig *f)
{
    const char **ids = xmalloc(NREQ * sizeof *ids);
    bool *out = xmalloc(BATCH * sizeof *out);
    double lp[64], mn[64], rt[64];
    authz_target tg;
    size_t iters = ((size_t)CFG.lib_budget / 60 / NREQ + 1) * NREQ, i,
           want = 0;
    int r;
    if (authz_target_resolve(authz_catalog_coder(), "workspace", "read",
                             &tg) != AUTHZ_OK)
        die("resolve");
    for (i = 0; i < NREQ; i++) {
        ids[i] = w->reqs[C_MIXED][i].id;
        want += w->reqs[C_MIXED][i].expect;
    }
    want *= iters / NREQ;
    for (r = -1; r < CFG.runs; r++) { /* run -1 warms up */
        uint64_t t0 = run_ns(), t1, t2;
        size_t a = loop_target1(w->tok, &tg, ids, 0, iters), b;
        t1 = run_ns();
        b = loop_many(w->tok, &tg, ids, out, 0, iters);
        t2 = run_ns();
        if (a != want || b != want)
            die("batch: a timed run gave a wrong answer");
        if (r >= 0) {
            lp[r] = (double)(t1 - t0) / (double)iters;
            mn[r] = (double)(t2 - t1) / (double)iters;
            rt[r] = mn[r] / lp[r];
        }
    }
    f->loop = stats_of(lp, CFG.runs);
    f->many = stats_of(mn, CFG.runs);
    f->ratio = stats_of(rt, CFG.runs).med;
    free(ids);
    free(out);
}

static void report14(void)
{
    char a[64], b[64];
    size_t s;
    printf("\ncatalog names spelt alike (adversarial) and at random "
           "(ordinary), same sizes and lengths; median [IQR]\n");
    report_names("4096 types tenantxx00001xworkspace... (2 actions each)",
                 &NF_TYPES, "check = authz_check(*:* token, type, NULL, read)");
    report_names("65,536 scopes appscopex00001xreadonly... = t:read",
                 &NF_SCOPES,
                 "check = authz_token_new with that one scope (unknown: "
                 "AUTHZ_ESCOPE), and free");
    printf("\nbatch: (workspace, read), the mixed ids (half listed), ns per "
           "id; authz_check_many in calls of %u ids\n", BATCH);
    printf("  %7s  %-22s %-22s %s\n", "entries", "check_target loop",
           "check_many", "many/loop");
    for (s = 0; s < NSIZES; s++)
        printf("  %7zu  %-22s %-22s %.2fx\n", SIZES[s],
               fmt_stats(a, sizeof a, MANY[s].loop),
               fmt_stats(b, sizeof b, MANY[s].many), MANY[s].ratio);
    printf("\ntargets (issue 14)%45s %14s  %s\n", "", "", "");
    target("alike/random: parse 4096 types", NF_TYPES.r_parse, "x", 1.5, 1);
    target("alike/random: check, known type (4096 types)", NF_TYPES.r_known,
           "x", 1.5, 1);
    target("alike/random: check, unknown type (4096 types)",
           NF_TYPES.r_unknown, "x", 1.5, 1);
    target("alike/random: parse 65,536 scopes", NF_SCOPES.r_parse, "x", 1.5,
           1);
    target("alike/random: token, known scope (65,536 scopes)",
           NF_SCOPES.r_known, "x", 1.5, 1);
    target("alike/random: token, unknown scope (65,536 scopes)",
           NF_SCOPES.r_unknown, "x", 1.5, 1);
    target("check_many / check_target loop, 100,000 entries",
           MANY[SIZE_LARGEST].ratio, "x", 0.6, 1);
    printf("  %d target(s) missed in all\n", misses);
}

/* ------------------------------------------------------------------------ */
/* Callgrind mode                                                            */
/* ------------------------------------------------------------------------ */

/* Under `valgrind --tool=callgrind --dump-before=bench_cg_mark
 * --toggle-collect=authz_check ...`, every call dumps the counts collected
 * since the previous one, inside the toggled functions only, to OUT.<k>. */
NOINLINE void bench_cg_mark(void);
NOINLINE void bench_cg_mark(void)
{
    static volatile int sink;
    sink++;
}

struct cg_phase {
    char label[80];
    size_t iters;
    int dump; /* the dump that holds this phase: OUT.<dump> */
};

static struct cg_phase cg_ph[128];
static int cg_np, cg_dumps;

/* Ends a phase: dumps what the toggled functions did since the last mark.
 * A NULL label ends a stretch that is not reported. */
static void cg_mark(const char *label, size_t iters)
{
    bench_cg_mark();
    cg_dumps++;
    if (label != NULL && cg_np < 128) {
        snprintf(cg_ph[cg_np].label, sizeof cg_ph[cg_np].label, "%s", label);
        cg_ph[cg_np].iters = iters;
        cg_ph[cg_np].dump = cg_dumps;
        cg_np++;
    }
}

/* Reads the totals of dump OUT.<k>: Ir, and with --branch-sim=yes the
 * mispredicted conditional and indirect branches (Bcm + Bim); -1 when the
 * event was not collected. Returns 0 when the dump is missing. */
static int cg_totals(const char *prefix, int k, double *ir, double *bm)
{
    char path[512], line[512], names[16][16];
    int n_names = 0, found = 0;
    FILE *f;
    snprintf(path, sizeof path, "%s.%d", prefix, k);
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    *ir = 0;
    *bm = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        char *p, *end;
        int i;
        if (strncmp(line, "events:", 7) == 0) {
            n_names = 0;
            for (p = strtok(line + 7, " \n"); p != NULL && n_names < 16;
                 p = strtok(NULL, " \n"))
                snprintf(names[n_names++], sizeof names[0], "%s", p);
        } else if (strncmp(line, "totals:", 7) == 0 ||
                   strncmp(line, "summary:", 8) == 0) {
            p = line + (line[0] == 't' ? 7 : 8);
            found = 1;
            for (i = 0; i < n_names; i++, p = end) {
                double v = strtod(p, &end);
                if (end == p)
                    break;
                if (strcmp(names[i], "Ir") == 0)
                    *ir = v;
                else if (strcmp(names[i], "Bcm") == 0 ||
                         strcmp(names[i], "Bim") == 0)
                    *bm = (*bm < 0 ? 0 : *bm) + v;
            }
        }
    }
    fclose(f);
    return found;
}

/* Ir per call of the phase whose label starts with `label`, or -1. */
static double cg_ir(const char *prefix, const char *label)
{
    int k;
    for (k = 0; k < cg_np; k++) {
        double ir, bm;
        if (strncmp(cg_ph[k].label, label, strlen(label)) == 0 &&
            cg_totals(prefix, cg_ph[k].dump, &ir, &bm))
            return ir / (double)cg_ph[k].iters;
    }
    return -1;
}

static void cg_verdicts(const char *prefix)
{
    char l1[80], l2[80], l3[80];
    double chk, tgt, flo;
    snprintf(l1, sizeof l1, "authz_check  %6zu entries  %s", SIZES[SIZE_TARGET],
             CASE_NAME[C_MIXED]);
    snprintf(l2, sizeof l2, "check_target %6zu entries  %s", SIZES[SIZE_TARGET],
             CASE_NAME[C_MIXED]);
    snprintf(l3, sizeof l3, "floor        %6zu entries  %s", SIZES[SIZE_TARGET],
             CASE_NAME[C_MIXED]);
    chk = cg_ir(prefix, l1);
    tgt = cg_ir(prefix, l2);
    flo = cg_ir(prefix, l3);
    if (chk < 0 || tgt < 0 || flo <= 0)
        return;
    printf("\ntargets (issue 14), in instructions%28s %14s  %s\n", "measured",
           "target", "verdict");
    target("check / floor, 128 entries, hit/miss mixed (Ir)", chk / flo, "x",
           1.3, 1);
    target("check_target / floor, 128 entries (Ir)", tgt / flo, "x", 1.1, 1);
    {
        static const char *const what[4][2] = {
            {"catalog_parse  4096 types", "alike/random: parse 4096 types (Ir)"},
            {"authz_check  4096 types, %s, known",
             "alike/random: check, known type (Ir)"},
            {"authz_check  4096 types, %s, unknown",
             "alike/random: check, unknown type (Ir)"},
            {"catalog_parse  65,536 scopes",
             "alike/random: parse 65,536 scopes (Ir)"}};
        int i;
        for (i = 0; i < 4; i++) {
            char la[80], lr[80];
            double va, vr;
            if (strstr(what[i][0], "%s") != NULL) {
                snprintf(la, sizeof la, what[i][0], "alike ");
                snprintf(lr, sizeof lr, what[i][0], "random");
            } else {
                snprintf(la, sizeof la, "%s, alike ", what[i][0]);
                snprintf(lr, sizeof lr, "%s, random", what[i][0]);
            }
            va = cg_ir(prefix, la);
            vr = cg_ir(prefix, lr);
            if (va >= 0 && vr > 0)
                target(what[i][1], va / vr, "x", 1.5, 1);
        }
    }
    printf("  %d target(s) missed\n", misses);
}

static int callgrind_mode(const char *prefix)
{
    static const size_t build_n[2] = {10, 128};
    char label[80];
    size_t s, c, m;
    int k;

    /* Everything is built and checked before the first mark, so the
     * toggled functions run only inside the phases. */
    for (s = 0; s < NSIZES; s++)
        workload_build(&W[s], SIZES[s], SIZES[s] <= 128);
    cg_mark(NULL, 0);

    for (s = 0; s < NSIZES; s++) {
        struct workload *w = &W[s];
        for (c = 0; c < NCASES; c++) {
            loop_lib(w->tok, w->reqs[c], 0, NREQ);
            snprintf(label, sizeof label, "authz_check  %6zu entries  %s",
                     w->n, CASE_NAME[c]);
            cg_mark(label, NREQ);
            if (c == C_MIXED) {
                loop_floor(&w->floor, w->reqs[c], 0, NREQ);
                snprintf(label, sizeof label, "floor        %6zu entries  %s",
                         w->n, CASE_NAME[c]);
                cg_mark(label, NREQ);
                loop_target(w->tok, w->targets, w->reqs[c], 0, NREQ);
                snprintf(label, sizeof label, "check_target %6zu entries  %s",
                         w->n, CASE_NAME[c]);
                cg_mark(label, NREQ);
            }
            if (c == C_MIXED) {
                const char **ids = xmalloc(NREQ * sizeof *ids);
                bool *out = xmalloc(BATCH * sizeof *out);
                authz_target tg;
                size_t i;
                if (authz_target_resolve(authz_catalog_coder(), "workspace",
                                         "read", &tg) != AUTHZ_OK)
                    die("resolve");
                for (i = 0; i < NREQ; i++)
                    ids[i] = w->reqs[c][i].id;
                cg_mark(NULL, 0);
                loop_many(w->tok, &tg, ids, out, 0, NREQ);
                snprintf(label, sizeof label,
                         "check_many   %6zu entries  (workspace, read), "
                         "per id", w->n);
                cg_mark(label, NREQ);
                free(ids);
                free(out);
            }
            if (w->ref != NULL) {
                loop_ref(w->ref, w->reqs[c], 0, 1024);
                snprintf(label, sizeof label, "ref_check    %6zu entries  %s",
                         w->n, CASE_NAME[c]);
                cg_mark(label, 1024);
            }
        }
    }
    /* Catalog names spelt alike and at random: parse, then checks. */
    for (k = 0; k < 2; k++) {
        static const char *const kname[2] = {"alike ", "random"};
        struct name_cat *nc = &NC_TYPES[k];
        authz_catalog *cat;
        name_build(nc, k, false);
        cg_mark(NULL, 0);
        cat = name_parse(nc);
        snprintf(label, sizeof label, "catalog_parse  4096 types, %s",
                 kname[k]);
        cg_mark(label, 1);
        authz_catalog_free(cat);
        loop_names(nc->tok, nc->kp, NAME_REQS);
        snprintf(label, sizeof label, "authz_check  4096 types, %s, known",
                 kname[k]);
        cg_mark(label, NAME_REQS);
        loop_names(nc->tok, nc->up, NAME_REQS);
        snprintf(label, sizeof label, "authz_check  4096 types, %s, unknown",
                 kname[k]);
        cg_mark(label, NAME_REQS);
        nc = &NC_SCOPES[k];
        name_build(nc, k, true);
        cg_mark(NULL, 0);
        cat = name_parse(nc);
        snprintf(label, sizeof label, "catalog_parse  65,536 scopes, %s",
                 kname[k]);
        cg_mark(label, 1);
        authz_catalog_free(cat);
    }
    for (m = 0; m < 2; m++) {
        size_t n = build_n[m];
        char *ids = make_ids(n), *text;
        const char **allow = make_entries(ids, n, &text, 0);
        authz_token *toks[16];
        for (k = 0; k < 16; k++)
            toks[k] = authz_token_new(authz_catalog_coder(), SCOPES, 3, allow,
                                      n, NULL);
        snprintf(label, sizeof label,
                 "authz_token_new  3 scopes + %zu entries", n);
        cg_mark(label, 16);
        for (k = 0; k < 16; k++)
            authz_token_free(toks[k]);
        free(allow);
        free(text);
        free(ids);
    }

    printf("per call, counted by callgrind inside the function and its "
           "callees (dumps %s.<k>):\ninstructions (Ir) and, with "
           "--branch-sim=yes, mispredicted branches of callgrind's simple "
           "predictor model\n\n",
           prefix);
    printf("  %-60s %10s %12s\n", "", "Ir", "mispredicts");
    for (k = 0; k < cg_np; k++) {
        double ir, bm, it = (double)cg_ph[k].iters;
        if (!cg_totals(prefix, cg_ph[k].dump, &ir, &bm)) {
            printf("  %-60s  (no dump %s.%d: not run under callgrind?)\n",
                   cg_ph[k].label, prefix, cg_ph[k].dump);
            continue;
        }
        if (bm >= 0)
            printf("  %-60s %10.1f %12.2f\n", cg_ph[k].label, ir / it,
                   bm / it);
        else
            printf("  %-60s %10.1f\n", cg_ph[k].label, ir / it);
    }
    cg_verdicts(prefix);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Profile mode: one case at 128 entries for about 5 s, for perf record      */
/* ------------------------------------------------------------------------ */

static int profile_mode(const char *what)
{
    static const char *const names[5] = {"mixed", "wildcard", "create",
                                         "denied", "floor"};
    struct workload *w = &W[SIZE_TARGET];
    uint64_t t0;
    size_t total = 0, sum = 0;
    int c;
    for (c = 0; c < 5 && strcmp(what, names[c]) != 0; c++)
        ;
    if (strcmp(what, "many") == 0) { /* the batch figures alone */
        size_t s;
        char a[64], b[64];
        for (s = SIZE_TARGET; s < NSIZES; s++) {
            workload_build(&W[s], SIZES[s], false);
            measure_many(&W[s], &MANY[s]);
            printf("%7zu entries  loop %-22s many %-22s %.2fx\n", SIZES[s],
                   fmt_stats(a, sizeof a, MANY[s].loop),
                   fmt_stats(b, sizeof b, MANY[s].many), MANY[s].ratio);
        }
        return 0;
    }
    if (strcmp(what, "build") == 0) {
        char *ids = make_ids(128), *text;
        const char **allow = make_entries(ids, 128, &text, 0);
        t0 = now_ns();
        while (now_ns() - t0 < 5000000000u) {
            authz_token *t = authz_token_new(authz_catalog_coder(), SCOPES,
                                             3, allow, 128, NULL);
            if (t == NULL)
                die("authz_token_new failed");
            authz_token_free(t);
            total++;
        }
        printf("build at 128 entries: %.0f ns per token (with free)\n",
               (double)(now_ns() - t0) / (double)total);
        return 0;
    }
    if (c == 5)
        die("--profile=mixed|wildcard|create|denied|floor|build|many");
    workload_build(w, SIZES[SIZE_TARGET], false);
    t0 = now_ns();
    while (now_ns() - t0 < 5000000000u) {
        if (c == 4)
            sum += loop_floor(&w->floor, w->reqs[C_MIXED], 0, 1u << 20);
        else
            sum += loop_lib(w->tok, w->reqs[c], 0, 1u << 20);
        total += 1u << 20;
    }
    printf("%s at 128 entries: %.1f ns per check (%zu allowed of %zu)\n",
           what, (double)(now_ns() - t0) / (double)total, sum, total);
    return 0;
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    const char *cg = NULL, *profile = NULL;
    struct busy b_start;
    uint64_t t_start = now_ns();
    size_t s;
    int i, c;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            CFG.runs = 5;
            CFG.lib_budget = 2e6;
            CFG.ref_budget = 4e6;
            CFG.thread_iters = 1u << 18;
        } else if (strcmp(argv[i], "--wall") == 0) {
            wall_clock = true;
        } else if (strncmp(argv[i], "--callgrind=", 12) == 0) {
            cg = argv[i] + 12;
        } else if (strncmp(argv[i], "--runs=", 7) == 0) {
            CFG.runs = atoi(argv[i] + 7);
            if (CFG.runs < 3 || CFG.runs > 63)
                die("--runs=N: 3 <= N <= 63");
        } else if (strncmp(argv[i], "--profile", 9) == 0) {
            profile = argv[i][9] == '=' ? argv[i] + 10 : "mixed";
        } else {
            fprintf(stderr,
                    "usage: %s [--quick] [--wall] [--runs=N] [--callgrind=OUTFILE] [--profile"
                    "[=mixed|wildcard|create|denied|floor|build]]\n",
                    argv[0]);
            return 2;
        }
    }
    fhex_init();
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (cg != NULL)
        return callgrind_mode(cg);
    if (profile != NULL)
        return profile_mode(profile);

    N_CPUS = sysconf(_SC_NPROCESSORS_ONLN);
    b_start = busy_now();
    printf("authz bench: libauthz %s, %d runs per figure, %u requests per "
           "workload\n",
           authz_version(), CFG.runs, NREQ);
    printf("token: scopes %s, %s, %s; allow list: template:* + n "
           "workspace:<uuid>\n",
           SCOPES[0], SCOPES[1], SCOPES[2]);
    printf("cases: mixed = (workspace, id, read|ssh|start|"
           "application_connect), 50%% listed ids, random order;\n"
           "       wildcard = (template, id, read); create = (workspace, "
           "NULL|\"\", create); denied = (workspace, id, "
           "update|delete|stop|share)\n");
    printf("floor: decode the 36-char id, probe an open-addressing table "
           "(load <= 1/2) of the same ids once, test one bit\n");
    printf("clock: %s\n", wall_clock ? "wall (CLOCK_MONOTONIC)"
                                      : "this thread's CPU time "
                                        "(CLOCK_THREAD_CPUTIME_ID; threads: "
                                        "wall); --wall for the wall clock");

    for (s = 0; s < NSIZES; s++) {
        workload_build(&W[s], SIZES[s], true);
        for (c = 0; c < NCASES; c++)
            measure(&W[s], c, &FIG[s][c]);
        measure_many(&W[s], &MANY[s]);
        fprintf(stderr, "  [%zu entries measured, %.1f s]\n", SIZES[s],
                (double)(now_ns() - t_start) / 1e9);
    }
    measure_build(&BUILD[0], 10);
    measure_build(&BUILD[1], 128);
    measure_memory();
    measure_threads(&W[SIZE_TARGET]);
    measure_all_names();
    fprintf(stderr, "  [catalog names measured, %.1f s]\n",
            (double)(now_ns() - t_start) / 1e9);
    ALL_OTHERS = busy_others(b_start, busy_now());
    report();
    report14();
    printf("\n(total %.1f s", (double)(now_ns() - t_start) / 1e9);
    if (ALL_OTHERS >= 0)
        printf("; other processes kept %.0f%% of the %ld CPUs busy meanwhile",
               ALL_OTHERS * 100, N_CPUS);
    printf(")\n");
    return 0;
}
