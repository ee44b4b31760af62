/*
 * alloc.c - the default allocator (the C library's), used wherever a caller
 * gives none.
 */
#include "internal.h"

#include <stdlib.h>

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
