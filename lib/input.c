/*
 * input.c - reading caller lists (NUL-terminated or length-delimited) into
 * parsed scopes and allow entries, with the limits and error reports that
 * every entry point shares.
 */
#include "internal.h"

#include <stdio.h>

/* Fetches entry i. NUL-terminated strings are measured only up to limit+1
 * bytes, so an over-long entry is rejected without reading all of it. */
static int input_get(const struct az_input *in, size_t i, size_t limit,
                     const char **p, size_t *n)
{
    *p = NULL;
    *n = 0;
    if (in->cstr != NULL) {
        const char *s = in->cstr[i];
        const char *nul;
        if (s == NULL)
            return AUTHZ_EINVAL;
        /* memchr stops at the first match (C11 7.24.5.1), so it reads no
         * further than the terminator. */
        nul = memchr(s, '\0', limit + 1);
        *p = s;
        *n = nul != NULL ? (size_t)(nul - s) : limit + 1;
    } else {
        if (in->str[i].ptr == NULL && in->str[i].len != 0)
            return AUTHZ_EINVAL;
        *p = in->str[i].ptr != NULL ? in->str[i].ptr : "";
        *n = in->str[i].len;
    }
    return *n > limit ? AUTHZ_ETOOLONG : AUTHZ_OK;
}

static int input_error(authz_error *err, int code, int list, size_t index,
                       const char *p, size_t n, size_t limit)
{
    char what[96];
    if (code == AUTHZ_EINVAL)
        return az_error_entry(err, code, list, index, NULL, 0, 0,
                              "NULL entry");
    snprintf(what, sizeof what, "entry longer than %zu bytes", limit);
    return az_error_entry(err, code, list, index, p, n < limit ? n : limit,
                          limit, what);
}

/* Entry i, within the length limit; an entry that is not is reported
 * (list, index) and its code returned. */
static int input_entry(const struct az_input *in, size_t i,
                       const struct az_limits *lim, int list, const char **p,
                       size_t *n, authz_error *err)
{
    int code = input_get(in, i, lim->max_entry_len, p, n);
    if (code != AUTHZ_OK)
        return input_error(err, code, list, i, *p, *n, lim->max_entry_len);
    return AUTHZ_OK;
}

int az_input_check(const struct az_input *in, size_t max, int list,
                   authz_error *err)
{
    char what[128];
    if (in->n > 0 && in->cstr == NULL && in->str == NULL)
        return az_error_plain(err, AUTHZ_EINVAL,
                              "list is NULL but its count is not 0");
    if (in->n <= max)
        return AUTHZ_OK;
    snprintf(what, sizeof what, "%zu %s entries; the limit is %zu", in->n,
             list == AUTHZ_LIST_SCOPES || list == AUTHZ_LIST_SCOPES2
                 ? "scope"
                 : "allow",
             max);
    return az_error_entry(err, AUTHZ_ELIMIT, list, max, NULL, 0, 0, what);
}

int az_input_scopes(const authz_catalog *cat, const struct az_input *in,
                    const struct az_limits *lim, int list, uint32_t *refs,
                    authz_error *err)
{
    size_t i;
    for (i = 0; i < in->n; i++) {
        const char *p, *what = NULL;
        size_t n, offset = 0;
        int code = input_entry(in, i, lim, list, &p, &n, err);
        if (code != AUTHZ_OK)
            return code;
        code = az_scope_parse(cat, p, n, &refs[i], &offset, &what);
        if (code == AUTHZ_OK && (lim->flags & AUTHZ_PUBLIC) &&
            !az_scope_is_public(cat, refs[i])) {
            code = AUTHZ_ENOTPUBLIC;
            what = "scope is not public (a token may not request it)";
        }
        if (code != AUTHZ_OK)
            return az_error_entry(err, code, list, i, p, n, offset, what);
    }
    return AUTHZ_OK;
}

int az_input_allow(const authz_catalog *cat, const struct az_input *in,
                   const struct az_limits *lim, int list,
                   struct az_allow *out, authz_error *err)
{
    size_t i;
    for (i = 0; i < in->n; i++) {
        const char *p, *what = NULL;
        size_t n, offset = 0;
        int code = input_entry(in, i, lim, list, &p, &n, err);
        if (code != AUTHZ_OK)
            return code;
        code = az_allow_parse(cat, p, n, &out[i], &offset, &what);
        if (code != AUTHZ_OK)
            return az_error_entry(err, code, list, i, p, n, offset, what);
        out[i].index = (uint32_t)i;
    }
    return AUTHZ_OK;
}

/* One scope, read as token construction reads each entry of its list (the
 * same limits, checks and messages), so the two cannot disagree. */
int authz_scope_validate(const authz_catalog *catalog, const char *scope,
                         size_t len, unsigned flags, authz_error *err)
{
    authz_str entry = {scope, len};
    struct az_input in = {NULL, &entry, 1};
    struct az_limits lim;
    uint32_t ref;
    int code;
    if (catalog == NULL || (scope == NULL && len != 0) ||
        (flags & ~AUTHZ_PUBLIC) != 0)
        return az_error_plain(err, AUTHZ_EINVAL,
                              catalog == NULL ? "catalog is NULL"
                              : (flags & ~AUTHZ_PUBLIC) != 0
                                  ? "unknown flag"
                                  : "scope is NULL");
    code = az_limits_resolve(NULL, &lim, err); /* the defaults */
    if (code != AUTHZ_OK)
        return code;
    lim.flags = flags;
    code = az_input_scopes(catalog, &in, &lim, AUTHZ_LIST_SCOPES, &ref, err);
    if (code != AUTHZ_OK)
        return code;
    az_error_ok(err);
    return AUTHZ_OK;
}
