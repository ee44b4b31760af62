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

/* Ids decoded, hashed and prefetched ahead of their probes, a block at a
 * time: while one block is probed, the next one's slots are on their way
 * (software pipelining), so on large allow lists most of the latency of
 * the cache misses is hidden. 16 ids per block keep enough misses in
 * flight and the state of two blocks in under 1 KB of stack. */
#define MANY_BLOCK 16u
#define MANY_NONE UINT32_MAX /* pos[] of an id that is not a UUID */

struct many_block {
    struct az_uuid uuid[MANY_BLOCK];
    uint64_t hash[MANY_BLOCK];
    uint32_t pos[MANY_BLOCK]; /* first slot of the probe, or MANY_NONE */
};

/* Decodes a NUL-terminated id as decide() does: 1 with *u set, or 0 for
 * NULL, an empty string or anything that is not a UUID. */
AZ_INLINE int many_decode(const char *id, struct az_uuid *u)
{
    size_t n, bad;
    if (id == NULL)
        return 0;
    n = strlen(id);
    if (AZ_LIKELY(n == 36))
        return az_uuid_dashed(id, u);
    return n != 0 && az_uuid_parse(id, n, u, &bad);
}

/* Decodes and hashes ids[0, n), marks those that are not UUIDs and starts
 * loading where the probes of the others begin. The token's fields are
 * read once: strlen() would otherwise make the compiler reload them. */
AZ_INLINE void many_prepare(const authz_token *token, const char *const *ids,
                            size_t n, struct many_block *b)
{
    const uint64_t key[4] = {token->key[0], token->key[1], token->key[2],
                             token->key[3]};
    const uint32_t cap = token->cap;
    const uint8_t *ctrl = token->ctrl;
    const struct az_idslot *slots = token->slots;
    size_t k;
    for (k = 0; k < n; k++) {
        struct az_uuid *u = &b->uuid[k];
        if (AZ_UNLIKELY(!many_decode(ids[k], u))) {
            b->pos[k] = MANY_NONE;
            continue;
        }
        b->hash[k] = az_id_hash(key, u->hi, u->lo);
        b->pos[k] = az_reduce(b->hash[k], cap);
        az_prefetch(ctrl + b->pos[k]);
        az_prefetch(slots + b->pos[k]);
    }
}

/* Probes a prepared block of n ids into allowed[0, n); returns how many
 * are allowed. */
AZ_INLINE size_t many_probe(const authz_token *token, uint32_t type,
                            const struct many_block *b, size_t n,
                            bool *allowed)
{
    size_t k, granted = 0;
    for (k = 0; k < n; k++) {
        bool yes = AZ_LIKELY(b->pos[k] != MANY_NONE) &&
                   az_id_admits(token, &b->uuid[k], b->hash[k], b->pos[k],
                                type);
        allowed[k] = yes;
        granted += yes;
    }
    return granted;
}

size_t authz_check_many(const authz_token *token, const authz_target *target,
                        const char *const *ids, size_t n, bool *allowed)
{
    struct many_block blk[2], *cur = &blk[0], *next = &blk[1], *t;
    size_t i, m, m2, granted = 0;
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
    /* ids[i, i + m) are prepared in *cur; the next block is prepared
     * before they are probed. */
    m = n < MANY_BLOCK ? n : MANY_BLOCK;
    many_prepare(token, ids, m, cur);
    for (i = 0; m > 0; i += m, m = m2) {
        size_t left = n - i - m;
        m2 = left < MANY_BLOCK ? left : MANY_BLOCK;
        many_prepare(token, ids + i + m, m2, next);
        granted += many_probe(token, type, cur, m, allowed + i);
        t = cur;
        cur = next;
        next = t;
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
