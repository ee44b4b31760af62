/*
 * options.c - authz_options resolved into limits: defaults, ceilings,
 * reserved fields, flags and the allocator.
 */
#include "internal.h"

void authz_options_init(authz_options *opts)
{
    if (opts != NULL)
        memset(opts, 0, sizeof *opts);
}

#define AZ_KNOWN_FLAGS AUTHZ_PUBLIC

int az_limits_resolve(const authz_options *opts, struct az_limits *lim,
                      authz_error *err)
{
    size_t i;
    lim->max_allow = AUTHZ_DEFAULT_MAX_ALLOW;
    lim->max_scopes = AUTHZ_DEFAULT_MAX_SCOPES;
    lim->max_entry_len = AUTHZ_DEFAULT_MAX_ENTRY_LEN;
    lim->flags = 0;
    lim->alloc = az_default_allocator;
    if (opts == NULL)
        return AUTHZ_OK;

    /* Reserved room must be zero: a caller built against a newer header
     * that set a field this release does not know gets an error, not a
     * silently weaker behaviour. */
    if (opts->reserved_u_ != 0)
        return az_error_plain(err, AUTHZ_EINVAL, "reserved option set");
    for (i = 0; i < sizeof opts->reserved_ / sizeof opts->reserved_[0]; i++)
        if (opts->reserved_[i] != NULL)
            return az_error_plain(err, AUTHZ_EINVAL, "reserved option set");
    if (opts->flags & ~AZ_KNOWN_FLAGS)
        return az_error_plain(err, AUTHZ_EINVAL, "unknown option flag");

    if (opts->max_allow != 0)
        lim->max_allow = opts->max_allow;
    if (opts->max_scopes != 0)
        lim->max_scopes = opts->max_scopes;
    if (opts->max_entry_len != 0)
        lim->max_entry_len = opts->max_entry_len;
    if (lim->max_allow > AUTHZ_MAX_ENTRIES_CEILING ||
        lim->max_scopes > AUTHZ_MAX_ENTRIES_CEILING)
        return az_error_plain(err, AUTHZ_EINVAL,
                              "entry limit above AUTHZ_MAX_ENTRIES_CEILING");
    if (lim->max_entry_len > AUTHZ_MAX_ENTRY_LEN_CEILING)
        return az_error_plain(err, AUTHZ_EINVAL,
                              "entry length limit above "
                              "AUTHZ_MAX_ENTRY_LEN_CEILING");
    if (opts->allocator != NULL) {
        const authz_allocator *a = opts->allocator;
        if (a->malloc == NULL || a->realloc == NULL || a->free == NULL)
            return az_error_plain(err, AUTHZ_EINVAL,
                                  "allocator with a NULL function");
        lim->alloc = *a;
    }
    lim->flags = opts->flags;
    return AUTHZ_OK;
}
