/*
 * random_clock.c - the last source of a key: what varies between processes
 * and calls (addresses, two clocks), mixed. Weak, but only flood
 * resistance depends on the key.
 */
#define _DEFAULT_SOURCE /* clock_gettime */
#include "random.h"

#include "internal.h"

#include <time.h>

static uint64_t splitmix(uint64_t *state)
{
    uint64_t z = (*state += AZ_K1);
    z = (z ^ (z >> 30)) * AZ_K2;
    z = (z ^ (z >> 27)) * AZ_K3;
    return z ^ (z >> 31);
}

int az_random_clock(uint64_t key[4])
{
    uint64_t state;
    struct timespec ts;
    int i;
    state = (uint64_t)(uintptr_t)key ^ (uint64_t)(uintptr_t)&state;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
        state ^= (uint64_t)ts.tv_sec * AZ_K2 ^ (uint64_t)ts.tv_nsec;
    if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
        state ^= (uint64_t)ts.tv_nsec * AZ_K3;
    for (i = 0; i < 4; i++)
        key[i] = splitmix(&state);
    return 1;
}
