/*
 * bench_tokens_file.c - how long aztf_parse takes to load a tokens file of N
 * tokens (default 10,000): each line two scopes and one UUID in the allow
 * list, as `authz token-line` writes them. Prints the median of 11 loads.
 *
 *   bench_tokens_file [N [FILE]]   FILE: also write the text there
 */
#define _POSIX_C_SOURCE 200809L

#include "authz_tokens_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 11

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 10000;
    size_t cap = n * 160 + 1, len = 0;
    char *text = malloc(cap);
    uint64_t x = 0x9e3779b97f4a7c15u;
    if (text == NULL || n == 0)
        return 2;
    for (size_t i = 0; i < n; i++) {
        unsigned char d[AZTF_DIGEST_LEN];
        char id[64];
        for (size_t k = 0; k < sizeof d; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            d[k] = (unsigned char)x;
        }
        snprintf(id, sizeof id, "workspace:%08x-4f89-41d3-9a0c-%012zx",
                 (unsigned)(x >> 32), i);
        authz_str scopes[] = {{"workspace:read", 14}, {"workspace:start", 15}};
        authz_str allow[] = {{id, strlen(id)}};
        size_t l;
        if (aztf_write_line(d, scopes, 2, allow, 1, text + len, cap - len,
                            &l) != AZTF_OK)
            return 2;
        len += l;
    }
    if (argc > 2) {
        FILE *f = fopen(argv[2], "wb");
        if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0)
            return 2;
    }
    double t[RUNS];
    for (int r = 0; r < RUNS; r++) {
        aztf_error err;
        double t0 = now();
        aztf_table *tab =
            aztf_parse(authz_catalog_coder(), text, len, NULL, &err);
        t[r] = now() - t0;
        if (tab == NULL || aztf_count(tab) != n) {
            fprintf(stderr, "parse failed: %s\n", err.message);
            return 1;
        }
        aztf_free(tab);
    }
    qsort(t, RUNS, sizeof t[0], cmp_double);
    printf("aztf_parse: %zu tokens (%zu bytes): median %.2f ms, min %.2f ms "
           "of %d loads (%.0f ns per token)\n",
           n, len, t[RUNS / 2] * 1e3, t[0] * 1e3, RUNS,
           t[RUNS / 2] * 1e9 / (double)n);
    free(text);
    return 0;
}
