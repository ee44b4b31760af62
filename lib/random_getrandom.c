/*
 * random_getrandom.c - the key from the Linux kernel, without blocking.
 */
#define _DEFAULT_SOURCE /* getrandom */
#include "random.h"

#if defined(__linux__)
#include <sys/random.h>

int az_random_getrandom(uint64_t key[4])
{
    return getrandom(key, 4 * sizeof key[0], GRND_NONBLOCK) ==
           (ssize_t)(4 * sizeof key[0]);
}
#else
int az_random_getrandom(uint64_t key[4])
{
    (void)key;
    return 0;
}
#endif
