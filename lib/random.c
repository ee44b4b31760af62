/*
 * random.c - the random key of each token's allow set, from the first
 * source that gives one. The key only makes hash flooding impractical; no
 * decision depends on it, so the last source never fails.
 */
#include "random.h"

#include "internal.h"

void az_random_key(uint64_t key[4])
{
    /* A system call per token costs microseconds on some virtual machines;
     * the CPU's generator costs tens of nanoseconds. */
    if (az_random_rdrand(key) || az_random_getrandom(key) ||
        az_random_arc4random(key))
        return;
    /* The OS said no (seccomp, an early-boot pool). */
    (void)az_random_clock(key);
}
