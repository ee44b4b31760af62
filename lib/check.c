/*
 * check.c - the decision. SPEC section 4, in the cheapest order: resolve the
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
    if (!(token->masks[type] >> bit & 1))
        return false;
    if (token->allow_all || (token->allow_wild[type / 64] >> (type % 64) & 1))
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
    if (AZ_UNLIKELY(token == NULL || target == NULL || !target->valid_ ||
                    target->catalog_ != token->cat))
        return false;
    return decide(token, target->type_, target->action_, id, id_len);
}

/* Ids decoded, hashed and prefetched ahead of their probes: a block of
 * this many keeps enough cache misses in flight to hide most of their
 * latency on large allow lists, and fits its state in a few cache lines. */
#define MANY_BLOCK 16u

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

size_t authz_check_many(const authz_token *token, const authz_target *target,
                        const char *const *ids, size_t n, bool *allowed)
{
    struct az_uuid uuid[MANY_BLOCK];
    uint64_t hash[MANY_BLOCK];
    uint32_t pos[MANY_BLOCK], at[MANY_BLOCK];
    size_t i, k, m, v, granted = 0;
    uint32_t type;
    if (allowed == NULL)
        return 0;
    if (AZ_UNLIKELY(token == NULL || target == NULL || !target->valid_ ||
                    target->catalog_ != token->cat || ids == NULL) ||
        !(token->masks[target->type_] >> target->action_ & 1)) {
        for (i = 0; i < n; i++)
            allowed[i] = false;
        return 0;
    }
    type = target->type_;
    if (token->allow_all || (token->allow_wild[type / 64] >> (type % 64) & 1)) {
        for (i = 0; i < n; i++)
            allowed[i] = true; /* as decide(): no id needed */
        return n;
    }
    for (i = 0; i < n; i += m) {
        m = n - i < MANY_BLOCK ? n - i : MANY_BLOCK;
        /* Decode and hash the block's ids, and start loading where each
         * probe begins (an id that is not a UUID is denied here)... */
        for (k = 0, v = 0; k < m; k++) {
            if (!many_decode(ids[i + k], &uuid[v])) {
                allowed[i + k] = false;
                continue;
            }
            hash[v] = az_id_hash(token->key, uuid[v].hi, uuid[v].lo);
            pos[v] = az_reduce(hash[v], token->cap);
            az_id_prefetch(token, pos[v]);
            at[v++] = (uint32_t)k;
        }
        /* ...then probe, by which time those lines are (mostly) in. */
        for (k = 0; k < v; k++) {
            const struct az_idslot *slot =
                az_id_probe(token, &uuid[k], hash[k], pos[k]);
            bool yes = slot != NULL &&
                       az_slot_entry(token, slot, type, NULL, NULL);
            allowed[i + at[k]] = yes;
            granted += yes;
        }
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
    return bit >= 0 && (token->masks[type] >> bit & 1);
}

bool authz_token_grants(const authz_token *token, const char *resource,
                        const char *action)
{
    if (token == NULL || resource == NULL || action == NULL)
        return false;
    return authz_token_grants_n(token, resource, strlen(resource), action,
                                strlen(action));
}
