/*
 * check.c - the decision. SPEC section 4, in the cheapest order: resolve the
 * names (one hash probe each), test the scope bit, test the allow-list
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
    const authz_catalog *cat;
    int32_t type, bit;
    if (AZ_UNLIKELY(token == NULL || resource == NULL || action == NULL))
        return false;
    cat = token->cat;
    type = az_type_find(cat, resource, resource_len);
    if (type < 0)
        return false;
    bit = az_action_find(cat, (uint32_t)type, action, action_len);
    if (bit < 0)
        return false;
    return decide(token, (uint32_t)type, (uint32_t)bit, id, id_len);
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
    if (AZ_UNLIKELY(token == NULL || resource == NULL || action == NULL))
        return false;
    return check(token, resource, strlen(resource), id, UNMEASURED, action,
                 strlen(action));
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

size_t authz_check_many(const authz_token *token, const authz_target *target,
                        const char *const *ids, size_t n, bool *allowed)
{
    size_t i, granted = 0;
    if (allowed == NULL)
        return 0;
    if (AZ_UNLIKELY(token == NULL || target == NULL || !target->valid_ ||
                    target->catalog_ != token->cat || ids == NULL)) {
        for (i = 0; i < n; i++)
            allowed[i] = false;
        return 0;
    }
    for (i = 0; i < n; i++) {
        allowed[i] = decide(token, target->type_, target->action_, ids[i],
                            UNMEASURED);
        granted += allowed[i];
    }
    return granted;
}

bool authz_token_grants_n(const authz_token *token, const char *resource,
                          size_t resource_len, const char *action,
                          size_t action_len)
{
    int32_t type, bit;
    if (token == NULL || resource == NULL || action == NULL)
        return false;
    type = az_type_find(token->cat, resource, resource_len);
    if (type < 0)
        return false;
    bit = az_action_find(token->cat, (uint32_t)type, action, action_len);
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
