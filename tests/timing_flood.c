/*
 * timing_flood.c - no allow list makes a check slow (hash flooding): lists
 * of ids crafted to collide (equal modulo the table size or 2^32, differing
 * only in high bits, sharing a half) against a random list of the same size.
 *
 * A timing ratio, so it runs apart from the unit suites, in `make
 * check-timing` (mk/refactor.mk): on a machine shared with other work the
 * ratio can exceed its bound by chance, and a gate must not fail by chance.
 * AUTHZ_FLOOD_VERBOSE=1 prints every ratio.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests.h"

static void format_uuid(uint64_t hi, uint64_t lo, char out[37])
{
    snprintf(out, 37, "%08llx-%04llx-%04llx-%04llx-%012llx",
             (unsigned long long)(hi >> 32),
             (unsigned long long)(hi >> 16 & 0xffff),
             (unsigned long long)(hi & 0xffff),
             (unsigned long long)(lo >> 48),
             (unsigned long long)(lo & UINT64_C(0xffffffffffff)));
}

/* How the k-th id of a list is made. Ids k < n are listed; n <= k < 2n are
 * the misses a flooder would also ask about. */
enum pattern {
    RANDOM,      /* the baseline */
    MOD_TABLE,   /* lo = k * table size: all equal modulo the table */
    MOD_POW2,    /* lo = k << 32: equal modulo every power of two <= 2^32 */
    HIGH_BITS,   /* differ only in the top bits of hi */
    SAME_HI,     /* hi fixed, lo sequential */
    SAME_LO,     /* lo fixed, hi sequential */
    N_PATTERNS
};

static const char *const PATTERN_NAMES[] = {
    "random", "equal modulo the table size", "equal modulo 2^32",
    "differing only in high bits", "equal high half", "equal low half",
};

static void make_id(enum pattern p, size_t k, size_t n, test_rng *rng,
                    char out[37])
{
    uint64_t table = n + n / 2 + 1; /* also a likely size for any table */
    uint64_t hi = 0, lo = 0, kk = (uint64_t)k;
    switch (p) {
    case RANDOM: hi = test_rng_next(rng); lo = test_rng_next(rng); break;
    case MOD_TABLE: hi = 0; lo = (kk + 1) * table; break;
    case MOD_POW2: hi = 0; lo = (kk + 1) << 32; break;
    case HIGH_BITS: hi = (kk + 1) << 48; lo = 0; break;
    case SAME_HI: hi = UINT64_C(0x3f2504e04f8941d3); lo = kk; break;
    case SAME_LO: hi = kk; lo = UINT64_C(0x9a0c0305e82c3301); break;
    default: break;
    }
    format_uuid(hi, lo, out);
}

struct flood_list {
    authz_token *tok;
    char (*ids)[37]; /* 2n: n listed, n not */
};

static void flood_build(struct flood_list *l, enum pattern p, size_t n,
                        uint64_t seed)
{
    char (*entries)[48] = malloc(n * sizeof *entries);
    authz_options opts;
    authz_error err;
    test_rng rng = {seed};
    authz_str sv[1] = {{"workspace:read", 14}};
    authz_str *av = malloc(n * sizeof *av);
    size_t k;
    ck_assert(entries != NULL && av != NULL);
    l->ids = malloc(2 * n * sizeof *l->ids);
    ck_assert_ptr_nonnull(l->ids);
    for (k = 0; k < 2 * n; k++)
        make_id(p, k, n, &rng, l->ids[k]);
    for (k = 0; k < n; k++) {
        snprintf(entries[k], sizeof entries[k], "workspace:%s", l->ids[k]);
        av[k].ptr = entries[k];
        av[k].len = strlen(entries[k]);
    }
    authz_options_init(&opts);
    opts.max_allow = n;
    l->tok = authz_token_new_ex(authz_catalog_coder(), sv, 1, av, n, &opts,
                                &err);
    ck_assert_msg(l->tok != NULL, "%s", err.message);
    free(av);
    free(entries);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Time of checking `count` ids from `first` on (wrapping), half of them
 * listed. Short on purpose: a sample well under a scheduler time slice is
 * rarely interrupted, so the median of many is stable on a busy machine. */
static double flood_sample(const struct flood_list *l, size_t n,
                           size_t first, size_t count)
{
    size_t i, allowed = 0, want = 0;
    double t0 = now_seconds();
    for (i = 0; i < count; i++)
        allowed += authz_check_n(l->tok, "workspace", 9,
                                 l->ids[(first + i) % (2 * n)], 36, "read",
                                 4);
    t0 = now_seconds() - t0;
    for (i = 0; i < count; i++)
        want += (first + i) % (2 * n) < n;
    ck_assert_uint_eq(allowed, want);
    return t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define FLOOD_SAMPLE 512 /* checks per sample */
#define FLOOD_REPS 401   /* samples per list */

/* Crafted lists against a random one of the same size: the ratio of the
 * medians of many short samples, interleaved (each round samples the same
 * stretch of ids of every list) so that machine noise and frequency changes
 * hit every list alike. */
static void flood(size_t n)
{
    const size_t reps = FLOOD_REPS;
    struct flood_list lists[N_PATTERNS];
    double *samples[N_PATTERNS], med[N_PATTERNS];
    size_t p, r;
    for (p = 0; p < N_PATTERNS; p++) {
        flood_build(&lists[p], (enum pattern)p, n, 0x5eed + p);
        samples[p] = malloc(reps * sizeof *samples[p]);
        ck_assert_ptr_nonnull(samples[p]);
        (void)flood_sample(&lists[p], n, 0, 2 * n); /* warm the caches */
    }
    for (r = 0; r < reps; r++) {
        size_t first = r * FLOOD_SAMPLE % (2 * n);
        for (p = 0; p < N_PATTERNS; p++)
            samples[p][r] = flood_sample(&lists[p], n, first, FLOOD_SAMPLE);
    }
    for (p = 0; p < N_PATTERNS; p++)
        med[p] = median(samples[p], reps);
    for (p = 1; p < N_PATTERNS; p++) {
        double ratio = med[p] / med[RANDOM];
        if (getenv("AUTHZ_FLOOD_VERBOSE") != NULL)
            fprintf(stderr, "flood n=%zu: %-28s %.1f us vs %.1f us: x%.2f\n",
                    n, PATTERN_NAMES[p], med[p] * 1e6, med[RANDOM] * 1e6,
                    ratio);
        ck_assert_msg(ratio < 2.0,
                      "n=%zu: ids %s check %.2fx slower than random ids "
                      "(%.1f us vs %.1f us per %d checks, medians of %zu)",
                      n, PATTERN_NAMES[p], ratio, med[p] * 1e6,
                      med[RANDOM] * 1e6, FLOOD_SAMPLE, reps);
    }
    for (p = 0; p < N_PATTERNS; p++) {
        authz_token_free(lists[p].tok);
        free(lists[p].ids);
        free(samples[p]);
    }
}

START_TEST(test_flood_128)
{
    flood(128);
}
END_TEST

START_TEST(test_flood_10000)
{
    flood(10000);
}
END_TEST

Suite *timing_suite(void)
{
    Suite *s = suite_create("timing");
    TCase *tc = tcase_create("hash_flooding");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_flood_128);
    tcase_add_test(tc, test_flood_10000);
    suite_add_tcase(s, tc);
    return s;
}
