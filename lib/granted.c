/*
 * granted.c - which objects of one type may a token act on? The question of
 * a list endpoint ("list my workspaces"), answered once per request instead
 * of once per row: every id (a wildcard admits the type), none (the scope
 * does not grant the action, or nothing admits the type), or exactly the
 * UUIDs listed as `T:<id>` or `*:<id>`. docs/SPEC.md section 4.3.
 *
 * The answer is the check's, read the other way round: an id is in the list
 * exactly when authz_check_target allows it (tests/check_granted.c compares
 * the two on every id of the token and on ids it does not hold).
 */
#include "internal.h"

/* Every (type, action) decision a granted-id listing starts from. */
static int granted_kind(const authz_token *tok, const authz_target *t)
{
    if (!az_token_grants(tok, t->type_, t->action_))
        return AUTHZ_GRANTED_NONE;
    if (az_token_admits_all(tok, t->type_))
        return AUTHZ_GRANTED_ALL;
    return AUTHZ_GRANTED_LISTED;
}

int authz_token_granted_ids(const authz_token *token,
                            const authz_target *target, authz_granted *which,
                            authz_list **ids, authz_error *err)
{
    struct az_lb lb;
    authz_list *list;
    uint32_t i;
    int kind;
    if (which != NULL)
        *which = AUTHZ_GRANTED_NONE;
    if (ids != NULL)
        *ids = NULL;
    if (which == NULL || !az_target_fits(token, target))
        return az_error_plain(err, AUTHZ_EINVAL,
                              which == NULL
                                  ? "granted ids: `which` is required"
                                  : "granted ids: NULL token, or a target "
                                    "not resolved against its catalog");
    kind = granted_kind(token, target);
    az_lb_init(&lb, &token->alloc);
    if (kind == AUTHZ_GRANTED_LISTED) {
        size_t listed = 0;
        for (i = 0; i < token->cap; i++) {
            const struct az_idslot *slot = &token->slots[i];
            char text[37];
            if (slot->tag == 0 ||
                !az_slot_entry(token, slot, target->type_, NULL, NULL))
                continue;
            listed++;
            if (ids == NULL)
                continue; /* only the kind is asked for */
            az_uuid_format(&(struct az_uuid){slot->hi, slot->lo}, text);
            az_lb_add(&lb, text, 36);
        }
        if (listed == 0)
            kind = AUTHZ_GRANTED_NONE;
    }
    if (ids == NULL) {
        *which = (authz_granted)kind;
        az_error_ok(err);
        return AUTHZ_OK;
    }
    list = az_lb_finish(&lb, az_cmp_bytes, err);
    if (list == NULL)
        return AUTHZ_ENOMEM;
    *which = (authz_granted)kind;
    *ids = list;
    return AUTHZ_OK;
}

/* A plain SQL identifier, optionally qualified once (`w.id`): letters,
 * digits and `_`, not starting with a digit, at most 128 bytes. Nothing
 * that would need quoting, so the predicate can be pasted into a query. */
static int sql_identifier(const char *s)
{
    size_t i, part = 0, dots = 0;
    for (i = 0; s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i >= 128)
            return 0;
        if (c == '.') {
            if (part == 0 || ++dots > 1)
                return 0;
            part = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (part > 0 && c >= '0' && c <= '9')))
            return 0;
        part++;
    }
    return part > 0;
}

/* Appends n bytes if they fit; counts them either way. */
static void put(char *buf, size_t cap, size_t *pos, const char *s, size_t n)
{
    if (*pos + n < cap)
        memcpy(buf + *pos, s, n);
    *pos += n;
}

/* On any failure a caller who ignores the status still holds a predicate
 * that matches nothing. */
static int sql_fail(char *buf, size_t cap, size_t *len, size_t need, int code)
{
    if (buf != NULL && cap >= 2)
        memcpy(buf, "0", 2);
    else if (buf != NULL && cap == 1)
        buf[0] = '\0';
    if (len != NULL)
        *len = need;
    return code;
}

int authz_token_granted_sql(const authz_token *token,
                            const authz_target *target, const char *column,
                            char *buf, size_t cap, size_t *len)
{
    authz_granted which;
    authz_list *ids = NULL;
    size_t i, n, pos = 0;
    int status;
    if (len == NULL || (buf == NULL && cap != 0) || column == NULL ||
        !sql_identifier(column))
        return sql_fail(buf, cap, len, 0, AUTHZ_EINVAL);
    status = authz_token_granted_ids(token, target, &which, &ids, NULL);
    if (status != AUTHZ_OK)
        return sql_fail(buf, cap, len, 0, status);
    n = authz_list_count(ids);
    if (which == AUTHZ_GRANTED_ALL) {
        put(buf, cap, &pos, "1", 1);
    } else if (which == AUTHZ_GRANTED_NONE) {
        put(buf, cap, &pos, "0", 1);
    } else {
        put(buf, cap, &pos, column, strlen(column));
        put(buf, cap, &pos, " IN (", 5);
        for (i = 0; i < n; i++) {
            if (i > 0)
                put(buf, cap, &pos, ", ", 2);
            put(buf, cap, &pos, "'", 1);
            put(buf, cap, &pos, authz_list_get(ids, i), 36);
            put(buf, cap, &pos, "'", 1);
        }
        put(buf, cap, &pos, ")", 1);
    }
    authz_list_free(ids);
    if (pos >= cap)
        return sql_fail(buf, cap, len, pos, AUTHZ_ESPACE);
    buf[pos] = '\0';
    *len = pos;
    return AUTHZ_OK;
}
