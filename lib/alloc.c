/*
 * alloc.c - the default allocator, option defaults, and the random key of
 * each token's allow set.
 */
#define _DEFAULT_SOURCE /* getrandom, clock_gettime */
#include "internal.h"

#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
/* RDRAND, where the compiler can test for it at run time (clang 14 cannot
 * name the feature; its builds use the operating system). */
#define AZ_HAVE_RDRAND 1
#endif
#if defined(__linux__)
#include <sys/random.h>
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) ||   \
    defined(__NetBSD__)
#define AZ_HAVE_ARC4RANDOM 1
#endif

static void *std_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void *std_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    return realloc(ptr, size);
}

static void std_free(void *ctx, void *ptr)
{
    (void)ctx;
    free(ptr);
}

const authz_allocator az_default_allocator = {std_malloc, std_realloc,
                                              std_free, NULL};

void authz_options_init(authz_options *opts)
{
    if (opts != NULL)
        memset(opts, 0, sizeof *opts);
}

#define AZ_KNOWN_FLAGS AUTHZ_PUBLIC

int az_limits_resolve(const authz_options *opts, struct az_limits *lim,
                      authz_error *err)
{
    size_t i;
    lim->max_allow = AUTHZ_DEFAULT_MAX_ALLOW;
    lim->max_scopes = AUTHZ_DEFAULT_MAX_SCOPES;
    lim->max_entry_len = AUTHZ_DEFAULT_MAX_ENTRY_LEN;
    lim->flags = 0;
    lim->alloc = az_default_allocator;
    if (opts == NULL)
        return AUTHZ_OK;

    /* Reserved room must be zero: a caller built against a newer header
     * that set a field this release does not know gets an error, not a
     * silently weaker behaviour. */
    if (opts->reserved_u_ != 0)
        return az_error_plain(err, AUTHZ_EINVAL, "reserved option set");
    for (i = 0; i < sizeof opts->reserved_ / sizeof opts->reserved_[0]; i++)
        if (opts->reserved_[i] != NULL)
            return az_error_plain(err, AUTHZ_EINVAL, "reserved option set");
    if (opts->flags & ~AZ_KNOWN_FLAGS)
        return az_error_plain(err, AUTHZ_EINVAL, "unknown option flag");

    if (opts->max_allow != 0)
        lim->max_allow = opts->max_allow;
    if (opts->max_scopes != 0)
        lim->max_scopes = opts->max_scopes;
    if (opts->max_entry_len != 0)
        lim->max_entry_len = opts->max_entry_len;
    if (lim->max_allow > AUTHZ_MAX_ENTRIES_CEILING ||
        lim->max_scopes > AUTHZ_MAX_ENTRIES_CEILING)
        return az_error_plain(err, AUTHZ_EINVAL,
                              "entry limit above AUTHZ_MAX_ENTRIES_CEILING");
    if (lim->max_entry_len > AUTHZ_MAX_ENTRY_LEN_CEILING)
        return az_error_plain(err, AUTHZ_EINVAL,
                              "entry length limit above "
                              "AUTHZ_MAX_ENTRY_LEN_CEILING");
    if (opts->allocator != NULL) {
        const authz_allocator *a = opts->allocator;
        if (a->malloc == NULL || a->realloc == NULL || a->free == NULL)
            return az_error_plain(err, AUTHZ_EINVAL,
                                  "allocator with a NULL function");
        lim->alloc = *a;
    }
    lim->flags = opts->flags;
    return AUTHZ_OK;
}

static uint64_t splitmix(uint64_t *state)
{
    uint64_t z = (*state += AZ_K1);
    z = (z ^ (z >> 30)) * AZ_K2;
    z = (z ^ (z >> 27)) * AZ_K3;
    return z ^ (z >> 31);
}

#ifdef AZ_HAVE_RDRAND
__attribute__((target("rdrnd"))) static int rdrand_key(uint64_t key[4])
{
    int i, tries;
    for (i = 0; i < 4; i++) {
        unsigned long long v = 0;
        for (tries = 0; tries < 10; tries++)
            if (__builtin_ia32_rdrand64_step(&v))
                break;
        if (tries == 10)
            return 0;
        key[i] = v;
    }
    /* Some CPUs have returned all ones (or one value) with success set. */
    return key[0] != key[1] && key[1] != key[2] && key[2] != key[3] &&
           key[0] != ~(uint64_t)0;
}
#endif

void az_random_key(uint64_t key[4])
{
    uint64_t state;
    struct timespec ts;
    int i;
    /* A system call per token costs microseconds on some virtual machines;
     * the CPU's generator costs tens of nanoseconds. */
#ifdef AZ_HAVE_RDRAND
    if (__builtin_cpu_supports("rdrnd") && rdrand_key(key))
        return;
#endif
#if defined(__linux__)
    if (getrandom(key, 4 * sizeof key[0], GRND_NONBLOCK) ==
        (ssize_t)(4 * sizeof key[0]))
        return;
#elif defined(AZ_HAVE_ARC4RANDOM)
    arc4random_buf(key, 4 * sizeof key[0]);
    return;
#endif
    /* The OS said no (seccomp, an early-boot pool): fall back to what varies
     * between processes and calls. Only flood resistance depends on it. */
    state = (uint64_t)(uintptr_t)key ^ (uint64_t)(uintptr_t)&state;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
        state ^= (uint64_t)ts.tv_sec * AZ_K2 ^ (uint64_t)ts.tv_nsec;
    if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
        state ^= (uint64_t)ts.tv_nsec * AZ_K3;
    for (i = 0; i < 4; i++)
        key[i] = splitmix(&state);
}
