/*
 * random.h - the sources of a token's random key, one file each
 * (random_<source>.c), tried in order by az_random_key (random.c). Each
 * returns 1 when it filled the key, 0 when it is missing on this platform
 * or refused. Private.
 */
#ifndef AUTHZ_RANDOM_H
#define AUTHZ_RANDOM_H

#include <stdint.h>

int az_random_rdrand(uint64_t key[4]);     /* x86-64 RDRAND (GCC) */
int az_random_getrandom(uint64_t key[4]);  /* Linux getrandom(2) */
int az_random_arc4random(uint64_t key[4]); /* the BSDs and macOS */
/* Clocks and addresses: never refuses, and is the weakest. */
int az_random_clock(uint64_t key[4]);

#endif /* AUTHZ_RANDOM_H */
