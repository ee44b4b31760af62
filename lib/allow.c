/*
 * allow.c - one allow-list entry: `*:*`, `T:*`, `T:<uuid>` or `*:<uuid>`
 * (SPEC section 3), split at the first colon.
 */
#include "internal.h"

int az_allow_parse(const authz_catalog *cat, const char *s, size_t n,
                   struct az_allow *out, size_t *offset, const char **what)
{
    const char *id;
    size_t i, type_len, id_len, bad;

    *offset = 0;
    if (n == 0) {
        *what = "empty entry";
        return AUTHZ_ESYNTAX;
    }
    i = az_scan(s, n, &type_len);
    if (i < n) {
        *offset = i;
        *what = s[i] == ' ' ? "space in entry" : "unexpected byte in entry";
        return AUTHZ_ESYNTAX;
    }
    if (type_len == n) {
        *offset = n;
        *what = "missing colon";
        return AUTHZ_ESYNTAX;
    }
    id = s + type_len + 1;
    id_len = n - type_len - 1;
    if (type_len == 0) {
        *what = "empty type";
        return AUTHZ_ESYNTAX;
    }
    if (id_len == 0) {
        *offset = n;
        *what = "empty id";
        return AUTHZ_ESYNTAX;
    }

    if (type_len == 1 && s[0] == '*') {
        out->type = AZ_ANY_TYPE;
    } else {
        int32_t type = az_type_find(cat, s, type_len);
        if (type < 0) {
            *what = "unknown type";
            return AUTHZ_ETYPE;
        }
        out->type = (uint32_t)type;
    }

    if (id_len == 1 && id[0] == '*') {
        out->kind = AZ_ALLOW_WILD;
        out->id.hi = out->id.lo = 0;
        return AUTHZ_OK;
    }
    if (!az_uuid_parse(id, id_len, &out->id, &bad)) {
        *offset = type_len + 1 + bad;
        *what = "invalid UUID";
        return AUTHZ_EUUID;
    }
    out->kind = AZ_ALLOW_UUID;
    return AUTHZ_OK;
}

int az_cmp_allow_key(const void *pa, const void *pb)
{
    const struct az_allow *a = pa, *b = pb;
    if (a->id.hi != b->id.hi)
        return a->id.hi < b->id.hi ? -1 : 1;
    if (a->id.lo != b->id.lo)
        return a->id.lo < b->id.lo ? -1 : 1;
    if (a->type != b->type) /* AZ_ANY_TYPE sorts last */
        return a->type < b->type ? -1 : 1;
    return 0;
}

int az_cmp_allow(const void *pa, const void *pb)
{
    const struct az_allow *a = pa, *b = pb;
    int c = az_cmp_allow_key(pa, pb);
    if (c != 0)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}
