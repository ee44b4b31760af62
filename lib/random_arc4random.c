/*
 * random_arc4random.c - the key from arc4random_buf (the BSDs and macOS),
 * which cannot fail.
 */
#include "random.h"

#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) ||     \
    defined(__NetBSD__)
#include <stdlib.h>

int az_random_arc4random(uint64_t key[4])
{
    arc4random_buf(key, 4 * sizeof key[0]);
    return 1;
}
#else
int az_random_arc4random(uint64_t key[4])
{
    (void)key;
    return 0;
}
#endif
