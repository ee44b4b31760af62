/*
 * check.c - the decision (docs/SPEC.md 4), in the cheapest order: resolve the
 * names (one probe finds both), test the scope bit, test the allow-list
 * wildcards, and only then decode the id and probe the id set once.
 * Nothing here allocates, locks or writes.
 */
#include "internal.h"

/* An id length not yet measured: a NUL-terminated id is measured only when
 * the decision needs it. */
#define UNMEASURED SIZE_MAX

/* The part after name resolution: shared by every entry point. */
AZ_INLINE bool decide(const authz_token *token, uint32_t type, uint32_t bit,
                      const char *id, size_t id_len)
{
    struct az_uuid uuid;
    uint64_t h;
    size_t bad;
    if (!az_token_grants(token, type, bit))
        return false;
    if (az_token_admits_all(token, type))
        return true;
    if (id == NULL)
        return false;
    if (id_len == UNMEASURED)
        id_len = strlen(id);
    if (AZ_LIKELY(id_len == 36)) {
        if (!az_uuid_dashed(id, &uuid))
            return false;
    } else if (id_len == 0 || !az_uuid_parse(id, id_len, &uuid, &bad)) {
        return false;
    }
    h = az_id_hash(token->key, uuid.hi, uuid.lo);
    return az_id_admits(token, &uuid, h, az_reduce(h, token->cap), type);
}

AZ_INLINE bool check(const authz_token *token, const char *resource,
                     size_t resource_len, const char *id, size_t id_len,
                     const char *action, size_t action_len)
{
    uint32_t type;
    int32_t bit;
    if (AZ_UNLIKELY(token == NULL || resource == NULL || action == NULL))
        return false;
    bit = az_pair_find(token->cat, resource, resource_len, action, action_len,
                       &type);
    if (bit < 0)
        return false;
    return decide(token, type, (uint32_t)bit, id, id_len);
}

bool authz_check_n(const authz_token *token, const char *resource,
                   size_t resource_len, const char *id, size_t id_len,
                   const char *action, size_t action_len)
{
    return check(token, resource, resource_len, id, id_len, action,
                 action_len);
}

bool authz_check(const authz_token *token, const char *resource,
                 const char *id, const char *action)
{
    uint32_t type;
    int32_t bit;
    if (AZ_UNLIKELY(token == NULL))
        return false;
    if (AZ_UNLIKELY(resource == NULL))
        return false;
    if (AZ_UNLIKELY(action == NULL))
        return false;
    bit = az_pair_find(token->cat, resource, strlen(resource), action,
                       strlen(action), &type);
    if (bit < 0)
        return false;
    return decide(token, type, (uint32_t)bit, id, UNMEASURED);
}

int authz_target_resolve_n(const authz_catalog *catalog, const char *resource,
                           size_t resource_len, const char *action,
                           size_t action_len, authz_target *out)
{
    int32_t type, bit;
    if (out == NULL)
        return AUTHZ_EINVAL;
    memset(out, 0, sizeof *out);
    if (catalog == NULL || resource == NULL || action == NULL)
        return AUTHZ_EINVAL;
    type = az_type_find(catalog, resource, resource_len);
    if (type < 0)
        return AUTHZ_ETYPE;
    bit = az_action_find(catalog, (uint32_t)type, action, action_len);
    if (bit < 0)
        return AUTHZ_EACTION;
    out->catalog_ = catalog;
    out->type_ = (uint32_t)type;
    out->action_ = (uint32_t)bit;
    out->valid_ = 1;
    return AUTHZ_OK;
}

int authz_target_resolve(const authz_catalog *catalog, const char *resource,
                         const char *action, authz_target *out)
{
    return authz_target_resolve_n(
        catalog, resource, resource != NULL ? strlen(resource) : 0, action,
        action != NULL ? strlen(action) : 0, out);
}

bool authz_check_target(const authz_token *token, const authz_target *target,
                        const char *id, size_t id_len)
{
    if (AZ_UNLIKELY(!az_target_fits(token, target)))
        return false;
    return decide(token, target->type_, target->action_, id, id_len);
}

/* The batch overlaps the work of consecutive ids: each id is decoded,
 * hashed and its probe's first lines prefetched MANY_AHEAD ids before it
 * is probed (software pipelining), so on large allow lists the cache
 * misses of several probes are in flight at once, and the decoding of
 * later ids runs beside the probes of earlier ones. */
#define MANY_AHEAD 16u /* a power of two */
#define MANY_NONE UINT32_MAX /* pos of an id that is not a UUID */

struct many_ahead {
    struct az_uuid uuid;
    uint64_t hash;
    uint32_t pos; /* first slot of the probe, or MANY_NONE */
};

/* Decodes a NUL-terminated id as decide() does, hashes it and starts
 * loading where its probe begins; a NULL, empty or non-UUID id is marked
 * MANY_NONE. */
AZ_INLINE void many_prepare(const authz_token *token, const char *id,
                            struct many_ahead *a)
{
    size_t n, bad;
    int ok = 0;
    if (id != NULL) {
        n = strlen(id);
        ok = AZ_LIKELY(n == 36) ? az_uuid_dashed(id, &a->uuid)
                                : n != 0 && az_uuid_parse(id, n, &a->uuid, &bad);
    }
    if (AZ_UNLIKELY(!ok)) {
        a->pos = MANY_NONE;
        return;
    }
    a->hash = az_id_hash(token->key, a->uuid.hi, a->uuid.lo);
    a->pos = az_reduce(a->hash, token->cap);
    az_prefetch(token->ctrl + a->pos);
    az_prefetch(token->slots + a->pos);
}

size_t authz_check_many(const authz_token *token, const authz_target *target,
                        const char *const *ids, size_t n, bool *allowed)
{
    struct many_ahead ring[MANY_AHEAD];
    size_t i, granted = 0;
    uint32_t type;
    if (allowed == NULL)
        return 0;
    if (AZ_UNLIKELY(!az_target_fits(token, target) || ids == NULL) ||
        !az_token_grants(token, target->type_, target->action_)) {
        for (i = 0; i < n; i++)
            allowed[i] = false;
        return 0;
    }
    type = target->type_;
    if (az_token_admits_all(token, type)) {
        for (i = 0; i < n; i++)
            allowed[i] = true; /* as decide(): no id needed */
        return n;
    }
    for (i = 0; i < n && i < MANY_AHEAD; i++)
        many_prepare(token, ids[i], &ring[i]);
    for (i = 0; i < n; i++) {
        struct many_ahead *a = &ring[i % MANY_AHEAD];
        bool yes = AZ_LIKELY(a->pos != MANY_NONE) &&
                   az_id_admits(token, &a->uuid, a->hash, a->pos, type);
        allowed[i] = yes;
        granted += yes;
        if (i + MANY_AHEAD < n)
            many_prepare(token, ids[i + MANY_AHEAD], a);
    }
    return granted;
}

bool authz_token_grants_n(const authz_token *token, const char *resource,
                          size_t resource_len, const char *action,
                          size_t action_len)
{
    uint32_t type;
    int32_t bit;
    if (token == NULL || resource == NULL || action == NULL)
        return false;
    bit = az_pair_find(token->cat, resource, resource_len, action,
                       action_len, &type);
    return bit >= 0 && az_token_grants(token, type, (uint32_t)bit);
}

bool authz_token_grants(const authz_token *token, const char *resource,
                        const char *action)
{
    if (token == NULL || resource == NULL || action == NULL)
        return false;
    return authz_token_grants_n(token, resource, strlen(resource), action,
                                strlen(action));
}
