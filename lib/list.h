/*
 * list.h - the builder of authz_list results.
 * Private: part of internal.h.
 */
#ifndef AUTHZ_LIST_H
#define AUTHZ_LIST_H

#include "base.h"

/* Collects strings, then sorts and de-duplicates them into an authz_list.
 * An allocation failure is remembered and reported by az_lb_finish. */
struct az_lb {
    authz_allocator alloc;
    char *buf;
    size_t len, cap;
    size_t *offs;
    size_t n, ocap;
    int failed;
};
void az_lb_init(struct az_lb *lb, const authz_allocator *alloc);
void az_lb_add(struct az_lb *lb, const char *s, size_t n);
/* Builds the list (sorted and de-duplicated by cmp, unless cmp is NULL)
 * and frees the builder, in success and failure alike. */
authz_list *az_lb_finish(struct az_lb *lb,
                         int (*cmp)(const void *, const void *),
                         authz_error *err);
int az_cmp_bytes(const void *a, const void *b); /* strcmp order */

#endif /* AUTHZ_LIST_H */
