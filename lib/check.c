/*
 * check.c - the decision. SPEC section 4, in the cheapest order: resolve the
 * names (one probe finds both), test the scope bit, test the allow-list
 * wildcards, and only then decode the id and probe the id set once.
 * Nothing here allocates, locks or writes.
 */
#include "internal.h"

/* Is `tag` (type + 1) admitted for the id in `slot`? */
static int slot_admits(const authz_token *tok, const struct az_idslot *slot,
                       uint32_t tag)
{
    const struct az_tagidx *list;
    uint32_t lo, hi;
    if (slot->tag == tag || slot->tag == AZ_TAG_ANY)
        return 1;
    if (slot->tag != AZ_TAG_MULTI)
        return 0;
    /* Several types listed for one id: sorted, `*` last. */
    list = tok->overflow + slot->aux + 1;
    hi = tok->overflow[slot->aux].tag;
    if (list[hi - 1].tag == AZ_TAG_ANY)
        return 1;
    lo = 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (list[mid].tag == tag)
            return 1;
        if (list[mid].tag < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

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
    return slot != NULL && slot_admits(token, slot, type + 1);
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
    if (AZ_UNLIKELY(token == NULL || resource == NULL || action == NULL))
        return false;
    return check(token, resource, strlen(resource), id, UNMEASURED, action,
                 strlen(action));
}

int authz_target_resolve(const authz_catalog *catalog, const char *resource,
                         const char *action, authz_target *out)
{
    int32_t type, bit;
    if (out == NULL)
        return AUTHZ_EINVAL;
    memset(out, 0, sizeof *out);
    if (catalog == NULL || resource == NULL || action == NULL)
        return AUTHZ_EINVAL;
    type = az_type_find(catalog, resource, strlen(resource));
    if (type < 0)
        return AUTHZ_ETYPE;
    bit = az_action_find(catalog, (uint32_t)type, action, strlen(action));
    if (bit < 0)
        return AUTHZ_EACTION;
    out->catalog_ = catalog;
    out->type_ = (uint32_t)type;
    out->action_ = (uint32_t)bit;
    out->valid_ = 1;
    return AUTHZ_OK;
}

bool authz_check_target(const authz_token *token, const authz_target *target,
                        const char *id, size_t id_len)
{
    if (AZ_UNLIKELY(token == NULL || target == NULL || !target->valid_ ||
                    target->catalog_ != token->cat))
        return false;
    return decide(token, target->type_, target->action_, id, id_len);
}

bool authz_token_grants(const authz_token *token, const char *resource,
                        const char *action)
{
    uint32_t type;
    int32_t bit;
    if (token == NULL || resource == NULL || action == NULL)
        return false;
    bit = az_pair_find(token->cat, resource, strlen(resource), action,
                       strlen(action), &type);
    return bit >= 0 && (token->masks[type] >> bit & 1);
}
