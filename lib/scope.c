/*
 * scope.c - one scope string to a reference, and a reference to grant bits.
 *
 * docs/SPEC.md 2, in its order: a named scope (builtin, alias, composite),
 * then a low-level `R:A` split at the first colon, then `*:*`. Everything
 * else is an error that names the offending byte.
 */
#include "internal.h"
#include "scan.h"

#include <stdio.h>

/* True when some named scope is written `prefix:...`: then an unknown
 * `prefix:x` is a mistyped scope name ("coder:bogus"), not an unknown type. */
static int is_scope_namespace(const authz_catalog *cat, const char *s,
                              size_t n)
{
    uint32_t i;
    for (i = 0; i < cat->n_scopes; i++) {
        struct az_name name = cat->scopes[i].name;
        if (name.len > n && memcmp(cat->pool + name.off, s, n) == 0 &&
            cat->pool[name.off + n] == ':')
            return 1;
    }
    return 0;
}

int az_scope_parse(const authz_catalog *cat, const char *s, size_t n,
                   uint32_t *ref, size_t *offset, const char **what)
{
    const char *act;
    size_t type_len, act_len;
    int32_t type, action, named;

    *offset = 0;
    if (n == 0) {
        *what = "empty scope";
        return AUTHZ_ESYNTAX;
    }
    if (az_scan_entry(s, n, AZ_SCAN_SCOPE, &type_len, offset, what) !=
        AUTHZ_OK)
        return AUTHZ_ESYNTAX;

    named = az_scope_find(cat, s, n);
    if (named >= 0) {
        *ref = AZ_REF_NAMED | (uint32_t)named;
        return AUTHZ_OK;
    }

    if (type_len == n) {
        *what = "unknown scope";
        return AUTHZ_ESCOPE;
    }
    act = s + type_len + 1;
    act_len = n - type_len - 1;
    if (type_len == 0) {
        *what = "empty type";
        return AUTHZ_ESYNTAX;
    }
    if (act_len == 0) {
        *offset = n;
        *what = "empty action";
        return AUTHZ_ESYNTAX;
    }

    if (type_len == 1 && s[0] == '*') {
        if (act_len == 1 && act[0] == '*') {
            *ref = AZ_REF_STAR_STAR;
            return AUTHZ_OK;
        }
        *offset = 2;
        *what = "type \"*\" takes only action \"*\"";
        return AUTHZ_EACTION;
    }

    type = az_type_find(cat, s, type_len);
    if (type < 0) {
        if (is_scope_namespace(cat, s, type_len)) {
            *what = "unknown scope";
            return AUTHZ_ESCOPE;
        }
        *what = "unknown type";
        return AUTHZ_ETYPE;
    }
    if (act_len == 1 && act[0] == '*') {
        *ref = AZ_REF_LOW(type, AZ_REF_ALL_ACTIONS);
        return AUTHZ_OK;
    }
    action = az_action_find(cat, (uint32_t)type, act, act_len);
    if (action < 0) {
        *offset = type_len + 1;
        *what = "unknown action for this type";
        return AUTHZ_EACTION;
    }
    *ref = AZ_REF_LOW(type, action);
    return AUTHZ_OK;
}

static uint64_t grant_bits(uint32_t action)
{
    return action == AZ_ALL_ACTIONS ? ~(uint64_t)0 : (uint64_t)1 << action;
}

uint32_t az_ref_canonical(const authz_catalog *cat, uint32_t ref)
{
    if ((ref & AZ_REF_NAMED) && ref != AZ_REF_STAR_STAR) {
        const struct az_scope *sc = &cat->scopes[ref & ~AZ_REF_NAMED];
        if (sc->kind == AZ_SCOPE_ALIAS)
            return AZ_REF_NAMED | sc->target;
    }
    return ref;
}

const struct az_scope *az_ref_scope(const authz_catalog *cat, uint32_t ref)
{
    const struct az_scope *sc = &cat->scopes[ref & ~AZ_REF_NAMED];
    return sc->kind == AZ_SCOPE_ALIAS ? &cat->scopes[sc->target] : sc;
}

uint64_t az_scope_type_grants(const authz_catalog *cat,
                              const struct az_scope *sc, uint32_t t,
                              int *wild)
{
    const struct az_grant *g = cat->grants + sc->first_grant;
    uint64_t plus = 0, minus = 0;
    int plus_wild = 0;
    uint32_t i;
    for (i = 0; i < sc->n_grants; i++) {
        if (g[i].type != t && g[i].type != AZ_ANY_TYPE)
            continue;
        if (g[i].negative) {
            minus |= grant_bits(g[i].action);
        } else {
            plus |= grant_bits(g[i].action);
            plus_wild |= g[i].action == AZ_ALL_ACTIONS;
        }
    }
    if (wild != NULL)
        *wild = plus_wild && minus == 0;
    return plus & ~minus;
}

void az_scope_apply(const authz_catalog *cat, uint32_t ref, uint64_t *masks)
{
    uint32_t i, t;
    if (ref == AZ_REF_STAR_STAR) {
        for (t = 0; t < cat->n_types; t++)
            masks[t] = ~(uint64_t)0;
    } else if (ref & AZ_REF_NAMED) {
        const struct az_scope *sc = az_ref_scope(cat, ref);
        const struct az_grant *g = cat->grants + sc->first_grant;
        if (sc->has_negative) {
            for (t = 0; t < cat->n_types; t++)
                masks[t] |= az_scope_type_grants(cat, sc, t, NULL);
            return;
        }
        /* Without subtractions each grant stands alone. */
        for (i = 0; i < sc->n_grants; i++) {
            if (g[i].type == AZ_ANY_TYPE) {
                for (t = 0; t < cat->n_types; t++)
                    masks[t] |= grant_bits(g[i].action);
            } else {
                masks[g[i].type] |= grant_bits(g[i].action);
            }
        }
    } else {
        uint32_t a = az_ref_action(ref);
        masks[az_ref_type(ref)] |= a == AZ_REF_ALL_ACTIONS
                                       ? ~(uint64_t)0
                                       : (uint64_t)1 << a;
    }
}

/* Does this one scope grant (type, action)? The bit-level truth of
 * az_scope_apply, for one pair, without a mask array. */
int az_scope_grants(const authz_catalog *cat, uint32_t ref, uint32_t type,
                    uint32_t action)
{
    if (ref == AZ_REF_STAR_STAR)
        return 1;
    if (!(ref & AZ_REF_NAMED)) {
        uint32_t a = az_ref_action(ref);
        return az_ref_type(ref) == type &&
               (a == AZ_REF_ALL_ACTIONS || a == action);
    }
    return (az_scope_type_grants(cat, az_ref_scope(cat, ref), type, NULL) >>
            action) & 1;
}

void az_scope_format(const authz_catalog *cat, uint32_t ref, char *buf,
                     size_t cap)
{
    if (ref == AZ_REF_STAR_STAR) {
        snprintf(buf, cap, "*:*");
    } else if (ref & AZ_REF_NAMED) {
        snprintf(buf, cap, "%s",
                 az_name_ptr(cat, cat->scopes[ref & ~AZ_REF_NAMED].name));
    } else {
        const struct az_type *t = &cat->types[az_ref_type(ref)];
        uint32_t a = az_ref_action(ref);
        snprintf(buf, cap, "%s:%s", az_name_ptr(cat, t->name),
                 a == AZ_REF_ALL_ACTIONS
                     ? "*"
                     : az_name_ptr(cat, cat->actions[t->first_action + a]));
    }
}

int az_scope_is_public(const authz_catalog *cat, uint32_t ref)
{
    const struct az_type *t;
    uint32_t a;
    if (ref == AZ_REF_STAR_STAR)
        return 0;
    if (ref & AZ_REF_NAMED) {
        /* An alias is public exactly when the scope it names is (the
         * catalog parser refuses `public` on an alias of an internal
         * scope), so the two spellings always get the same answer. */
        return az_ref_scope(cat, ref)->is_public != 0;
    }
    t = &cat->types[az_ref_type(ref)];
    a = az_ref_action(ref);
    return a == AZ_REF_ALL_ACTIONS ? t->public_wild != 0
                                   : (t->public_mask >> a & 1) != 0;
}
