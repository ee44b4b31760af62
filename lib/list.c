/*
 * list.c - authz_list: the string lists that set operations return, and the
 * builder that collects, sorts and de-duplicates them.
 */
#include "internal.h"

#include <stdlib.h>

struct authz_list {
    authz_allocator alloc;
    size_t n;
    const char **items; /* into the same block */
};

size_t authz_list_count(const authz_list *list)
{
    return list != NULL ? list->n : 0;
}

const char *authz_list_get(const authz_list *list, size_t i)
{
    return list != NULL && i < list->n ? list->items[i] : NULL;
}

void authz_list_free(authz_list *list)
{
    if (list != NULL)
        list->alloc.free(list->alloc.ctx, list);
}

void az_lb_init(struct az_lb *lb, const authz_allocator *alloc)
{
    memset(lb, 0, sizeof *lb);
    lb->alloc = *alloc;
}

static void lb_free(struct az_lb *lb)
{
    if (lb->buf != NULL)
        lb->alloc.free(lb->alloc.ctx, lb->buf);
    if (lb->offs != NULL)
        lb->alloc.free(lb->alloc.ctx, lb->offs);
    lb->buf = NULL;
    lb->offs = NULL;
}

static int grow(struct az_lb *lb, void **p, size_t *cap, size_t need,
                size_t elem)
{
    size_t n = *cap ? *cap : 16;
    void *q;
    if (need <= *cap)
        return 1;
    while (n < need)
        n *= 2;
    q = lb->alloc.realloc(lb->alloc.ctx, *p, n * elem);
    if (q == NULL)
        return 0;
    *p = q;
    *cap = n;
    return 1;
}

void az_lb_add(struct az_lb *lb, const char *s, size_t n)
{
    if (lb->failed)
        return;
    if (!grow(lb, (void **)&lb->buf, &lb->cap, lb->len + n + 1, 1) ||
        !grow(lb, (void **)&lb->offs, &lb->ocap, lb->n + 1,
              sizeof *lb->offs)) {
        lb->failed = 1;
        return;
    }
    memcpy(lb->buf + lb->len, s, n);
    lb->buf[lb->len + n] = '\0';
    lb->offs[lb->n++] = lb->len;
    lb->len += n + 1;
}

authz_list *az_lb_finish(struct az_lb *lb,
                         int (*cmp)(const void *, const void *),
                         authz_error *err)
{
    authz_list *list = NULL;
    size_t i, k, head = sizeof *list + lb->n * sizeof(const char *);
    char *data;
    if (!lb->failed)
        list = lb->alloc.malloc(lb->alloc.ctx, head + lb->len + 1);
    if (list == NULL) {
        lb_free(lb);
        az_error_plain(err, AUTHZ_ENOMEM, "out of memory");
        return NULL;
    }
    list->alloc = lb->alloc;
    list->items = (const char **)(list + 1);
    data = (char *)list + head;
    if (lb->len > 0)
        memcpy(data, lb->buf, lb->len);
    for (i = 0; i < lb->n; i++)
        list->items[i] = data + lb->offs[i];
    if (cmp != NULL && lb->n > 1) {
        qsort(list->items, lb->n, sizeof *list->items, cmp);
        for (i = 1, k = 1; i < lb->n; i++)
            if (cmp(&list->items[i], &list->items[k - 1]) != 0)
                list->items[k++] = list->items[i];
        list->n = k;
    } else {
        list->n = lb->n;
    }
    lb_free(lb);
    az_error_ok(err);
    return list;
}

int az_cmp_bytes(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}
