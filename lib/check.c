/*
 * check.c - the decision. SPEC section 4, in the cheapest order: resolve the
 * names (one hash probe each), test the scope bit, test the allow-list
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

const struct az_idslot *az_id_find(const authz_token *tok,
                                   const struct az_uuid *id)
{
    uint32_t i = az_reduce(az_id_hash(tok->key, id->hi, id->lo), tok->cap);
    for (;;) {
        const struct az_idslot *slot = &tok->slots[i];
        if (slot->tag == 0)
            return NULL;
        if (slot->hi == id->hi && slot->lo == id->lo)
            return slot;
        i = i + 1 == tok->cap ? 0 : i + 1;
    }
}

bool authz_check_n(const authz_token *token, const char *resource,
                   size_t resource_len, const char *id, size_t id_len,
                   const char *action, size_t action_len)
{
    const authz_catalog *cat;
    const struct az_idslot *slot;
    struct az_uuid uuid;
    int32_t type, bit;
    size_t bad;

    if (AZ_UNLIKELY(token == NULL || resource == NULL || action == NULL))
        return false;
    cat = token->cat;
    type = az_type_find(cat, resource, resource_len);
    if (type < 0)
        return false;
    bit = az_action_find(cat, (uint32_t)type, action, action_len);
    if (bit < 0)
        return false;
    if (!(token->masks[type] >> bit & 1))
        return false;
    if (token->allow_all || (token->allow_wild[type / 64] >> (type % 64) & 1))
        return true;
    if (id == NULL || id_len == 0)
        return false;
    if (!az_uuid_parse(id, id_len, &uuid, &bad))
        return false;
    slot = az_id_find(token, &uuid);
    return slot != NULL && slot_admits(token, slot, (uint32_t)type + 1);
}

bool authz_check(const authz_token *token, const char *resource,
                 const char *id, const char *action)
{
    if (token == NULL || resource == NULL || action == NULL)
        return false;
    return authz_check_n(token, resource, strlen(resource), id,
                         id != NULL ? strlen(id) : 0, action,
                         strlen(action));
}

bool authz_token_grants(const authz_token *token, const char *resource,
                        const char *action)
{
    int32_t type, bit;
    if (token == NULL || resource == NULL || action == NULL)
        return false;
    type = az_type_find(token->cat, resource, strlen(resource));
    if (type < 0)
        return false;
    bit = az_action_find(token->cat, (uint32_t)type, action, strlen(action));
    return bit >= 0 && (token->masks[type] >> bit & 1);
}
