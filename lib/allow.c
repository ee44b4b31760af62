/*
 * allow.c - one allow-list entry: `*:*`, `T:*`, `T:<uuid>` or `*:<uuid>`
 * (docs/SPEC.md section 3), split at the first colon.
 */
#include "internal.h"
#include "scan.h"

#include <stdio.h>

int az_allow_parse(const authz_catalog *cat, const char *s, size_t n,
                   struct az_allow *out, size_t *offset, const char **what)
{
    const char *id;
    size_t type_len, id_len, bad;

    *offset = 0;
    if (n == 0) {
        *what = "empty entry";
        return AUTHZ_ESYNTAX;
    }
    if (az_scan_entry(s, n, AZ_SCAN_ENTRY, &type_len, offset, what) !=
        AUTHZ_OK)
        return AUTHZ_ESYNTAX;
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

size_t az_entry_format(const authz_catalog *cat, uint32_t type,
                       const struct az_uuid *id,
                       char out[AZ_ENTRY_TEXT_MAX])
{
    char uuid[37] = "*";
    int n;
    if (id != NULL)
        az_uuid_format(id, uuid);
    n = snprintf(out, AZ_ENTRY_TEXT_MAX, "%s:%s",
                 type == AZ_ANY_TYPE
                     ? "*"
                     : az_name_ptr(cat, cat->types[type].name),
                 uuid);
    return (size_t)n;
}

size_t az_allow_normal(struct az_allow *e, size_t n, struct az_allow_nf *nf,
                       struct az_tagidx *wild, size_t *n_wild)
{
    size_t i, k = 0, w = 0;
    memset(nf, 0, sizeof *nf);
    for (i = 0; i < n; i++) {
        uint32_t t = e[i].type;
        if (e[i].kind != AZ_ALLOW_WILD)
            continue;
        if (t == AZ_ANY_TYPE) {
            if (!nf->all)
                nf->all_index = e[i].index;
            nf->all = 1;
        } else if (!az_bit_has(nf->wild, t)) {
            az_bit_set(nf->wild, t);
            if (wild != NULL) {
                wild[w].tag = t;
                wild[w].index = e[i].index;
            }
            w++;
        }
    }
    if (nf->all) {
        memset(nf->wild, 0, sizeof nf->wild);
        w = 0;
    } else {
        for (i = 0; i < n; i++) {
            uint32_t t = e[i].type;
            if (e[i].kind == AZ_ALLOW_UUID &&
                (t == AZ_ANY_TYPE || !az_bit_has(nf->wild, t)))
                e[k++] = e[i];
        }
    }
    if (n_wild != NULL)
        *n_wild = w;
    return k;
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

void az_centry_set(struct az_centry *e, const authz_catalog *cat,
                   uint32_t type, uint32_t kind, const struct az_uuid *id)
{
    memset(e, 0, sizeof *e);
    e->type = type;
    e->kind = kind;
    if (type == AZ_ANY_TYPE) {
        e->name = "*";
        e->name_len = 1;
    } else {
        e->name = az_name_ptr(cat, cat->types[type].name);
        e->name_len = cat->types[type].name.len;
    }
    if (id != NULL)
        e->id = *id;
}

/* (type name, id) comparing bytes; `*` as an id sorts before any hex
 * digit, and the hex digits of the lower-case form sort as the numbers. */
int az_centry_cmp(const void *pa, const void *pb)
{
    const struct az_centry *a = pa, *b = pb;
    uint32_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
    int c = memcmp(a->name, b->name, n);
    if (c != 0)
        return c;
    if (a->name_len != b->name_len)
        return a->name_len < b->name_len ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind == AZ_ALLOW_WILD ? -1 : 1;
    if (a->id.hi != b->id.hi)
        return a->id.hi < b->id.hi ? -1 : 1;
    if (a->id.lo != b->id.lo)
        return a->id.lo < b->id.lo ? -1 : 1;
    return 0;
}
