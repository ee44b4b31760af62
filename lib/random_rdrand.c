/*
 * random_rdrand.c - the key from the CPU (x86-64 RDRAND), where the compiler
 * can test for it at run time (clang 14 cannot name the feature; its builds
 * use the operating system).
 */
#include "random.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
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

int az_random_rdrand(uint64_t key[4])
{
    return __builtin_cpu_supports("rdrnd") && rdrand_key(key);
}
#else
int az_random_rdrand(uint64_t key[4])
{
    (void)key;
    return 0;
}
#endif
