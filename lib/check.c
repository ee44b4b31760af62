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
    const struct az_idslot *slot;
    struct az_uuid uuid;
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
    slot = az_id_find(token, &uuid);
    return slot != NULL && az_slot_entry(token, slot, type, NULL, NULL);
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
 * flight and the state of two blocks in about 1 KB of stack. */
#define MANY_BLOCK 16u

struct many_block {
    struct az_uuid uuid[MANY_BLOCK];
    uint64_t hash[MANY_BLOCK];
    uint32_t pos[MANY_BLOCK], at[MANY_BLOCK];
    size_t base, n, valid;
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

/* Decodes and hashes ids[base, base + n), denies those that are not UUIDs
 * and starts loading where each probe of the others begins. */
AZ_INLINE void many_prepare(const authz_token *token, const char *const *ids,
                            size_t base, size_t n, bool *allowed,
                            struct many_block *b)
{
    size_t k, v = 0;
    b->base = base;
    b->n = n;
    for (k = 0; k < n; k++) {
        if (!many_decode(ids[base + k], &b->uuid[v])) {
            allowed[base + k] = false;
            continue;
        }
        b->hash[v] = az_id_hash(token->key, b->uuid[v].hi, b->uuid[v].lo);
        b->pos[v] = az_reduce(b->hash[v], token->cap);
        az_id_prefetch(token, b->pos[v]);
        b->at[v++] = (uint32_t)k;
    }
    b->valid = v;
}

/* Probes a prepared block; returns how many of its ids are allowed. */
AZ_INLINE size_t many_probe(const authz_token *token, uint32_t type,
                            const struct many_block *b, bool *allowed)
{
    size_t k, granted = 0;
    for (k = 0; k < b->valid; k++) {
        const struct az_idslot *slot =
            az_id_probe(token, &b->uuid[k], b->hash[k], b->pos[k]);
        bool yes = slot != NULL && az_slot_entry(token, slot, type, NULL, NULL);
        allowed[b->base + b->at[k]] = yes;
        granted += yes;
    }
    return granted;
}

size_t authz_check_many(const authz_token *token, const authz_target *target,
                        const char *const *ids, size_t n, bool *allowed)
{
    struct many_block blk[2];
    size_t i, granted = 0;
    unsigned cur = 0;
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
    if (n == 0)
        return 0;
    many_prepare(token, ids, 0, n < MANY_BLOCK ? n : MANY_BLOCK, allowed,
                 &blk[0]);
    for (i = blk[0].n; i < n; i += blk[cur].n) {
        size_t m = n - i < MANY_BLOCK ? n - i : MANY_BLOCK;
        many_prepare(token, ids, i, m, allowed, &blk[cur ^ 1]);
        granted += many_probe(token, type, &blk[cur], allowed);
        cur ^= 1;
    }
    return granted + many_probe(token, type, &blk[cur], allowed);
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
