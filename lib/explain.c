/*
 * explain.c - the check again, step by step, saying which step decided and
 * which scope and allow entry were involved. It must give the answer of
 * authz_check_n for every input; the tests compare the two on every table
 * row and the differential test on random ones.
 */
#include "internal.h"

static bool decide(authz_explanation *out, authz_reason reason)
{
    out->reason = reason;
    out->allowed = reason == AUTHZ_REASON_ALLOWED;
    return out->allowed;
}

/* The admitting entry, by its slot tag (type + 1, or AZ_TAG_ANY). */
static void allow_text(authz_explanation *out, const authz_catalog *cat,
                       uint32_t tag, const struct az_uuid *id,
                       uint32_t index)
{
    _Static_assert(sizeof out->allow >= AZ_ENTRY_TEXT_MAX,
                   "explanation has room for an allow entry");
    az_entry_format(cat, tag == AZ_TAG_ANY ? AZ_ANY_TYPE : tag - 1, id,
                    out->allow);
    out->allow_index = index;
}

bool authz_explain_n(const authz_token *token, const char *resource,
                     size_t resource_len, const char *id, size_t id_len,
                     const char *action, size_t action_len,
                     authz_explanation *out)
{
    authz_explanation scratch;
    const authz_catalog *cat;
    const struct az_idslot *slot;
    struct az_uuid uuid;
    int32_t type, bit;
    size_t bad;
    uint32_t i, tag, index;

    if (out == NULL)
        out = &scratch;
    memset(out, 0, sizeof *out);
    out->scope_index = AUTHZ_NO_INDEX;
    out->allow_index = AUTHZ_NO_INDEX;

    if (token == NULL || resource == NULL || action == NULL)
        return decide(out, AUTHZ_REASON_NULL_ARGUMENT);
    cat = token->cat;
    type = az_type_find(cat, resource, resource_len);
    if (type < 0)
        return decide(out, AUTHZ_REASON_UNKNOWN_RESOURCE);
    bit = az_action_find(cat, (uint32_t)type, action, action_len);
    if (bit < 0)
        return decide(out, AUTHZ_REASON_UNKNOWN_ACTION);
    if (token->n_scopes == 0)
        return decide(out, AUTHZ_REASON_EMPTY_SCOPES);
    for (i = 0; i < token->n_scopes; i++) {
        if (az_scope_grants(cat, token->scope_refs[i], (uint32_t)type,
                            (uint32_t)bit)) {
            out->scope_index = i;
            az_scope_format(cat, token->scope_refs[i], out->scope,
                            sizeof out->scope);
            break;
        }
    }
    if (out->scope_index == AUTHZ_NO_INDEX)
        return decide(out, AUTHZ_REASON_NO_GRANT);
    if (token->n_allow == 0)
        return decide(out, AUTHZ_REASON_EMPTY_ALLOW);

    if (token->allow_all) {
        allow_text(out, cat, AZ_TAG_ANY, NULL, token->allow_all_index);
        return decide(out, AUTHZ_REASON_ALLOWED);
    }
    for (i = 0; i < token->n_wild; i++) {
        if (token->wild[i].tag == (uint32_t)type) {
            allow_text(out, cat, (uint32_t)type + 1, NULL,
                       token->wild[i].index);
            return decide(out, AUTHZ_REASON_ALLOWED);
        }
    }
    if (id != NULL && id_len == SIZE_MAX) /* as authz_check_n */
        id_len = strlen(id);
    if (id == NULL || id_len == 0 || !az_uuid_parse(id, id_len, &uuid, &bad))
        return decide(out, AUTHZ_REASON_NOT_LISTED);
    slot = az_id_find(token, &uuid);
    if (slot == NULL || !az_slot_entry(token, slot, (uint32_t)type, &tag, &index))
        return decide(out, AUTHZ_REASON_NOT_LISTED);
    allow_text(out, cat, tag, &uuid, index);
    return decide(out, AUTHZ_REASON_ALLOWED);
}

bool authz_explain(const authz_token *token, const char *resource,
                   const char *id, const char *action,
                   authz_explanation *out)
{
    return authz_explain_n(token, resource,
                           resource != NULL ? strlen(resource) : 0, id,
                           id != NULL ? strlen(id) : 0, action,
                           action != NULL ? strlen(action) : 0, out);
}

const char *authz_reason_str(authz_reason reason)
{
    switch (reason) {
    case AUTHZ_REASON_ALLOWED: return "allowed";
    case AUTHZ_REASON_NULL_ARGUMENT: return "null argument";
    case AUTHZ_REASON_UNKNOWN_RESOURCE: return "unknown resource";
    case AUTHZ_REASON_UNKNOWN_ACTION: return "unknown action for this type";
    case AUTHZ_REASON_EMPTY_SCOPES: return "empty scope list";
    case AUTHZ_REASON_NO_GRANT: return "no scope grants it";
    case AUTHZ_REASON_EMPTY_ALLOW: return "empty allow list";
    case AUTHZ_REASON_NOT_LISTED: return "not in the allow list";
    default: return "unknown reason";
    }
}
