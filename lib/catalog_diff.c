/*
 * catalog_diff.c - what changed between two catalogs, for a host that
 * upgrades its Coder (or its own resource model): types, actions, named
 * scopes and aliases, the grants of named scopes, and public names, each
 * added or removed, one line each (docs/SPEC.md section 8.3).
 *
 * Names are compared by their bytes, never by index, so reordering a
 * catalog changes nothing here (it does change the fingerprint, which is
 * why an encoding never crosses catalogs).
 */
#include "internal.h"

#include <stdio.h>

/* "NAME = TARGET", and "NAME GRANT" after it. */
#define SCOPE_TEXT_SIZE (2 * AZ_MAX_NAME_LEN + 4)
#define LINE_TEXT_SIZE (SCOPE_TEXT_SIZE + AZ_GRANT_TEXT_SIZE + 1)

struct diff {
    struct az_lb lb;
};

static void line(struct diff *d, char sign, const char *what,
                 const char *text)
{
    char buf[LINE_TEXT_SIZE + 16];
    int n = snprintf(buf, sizeof buf, "%c%s %s", sign, what, text);
    /* Names are at most AZ_MAX_NAME_LEN bytes, so the line fits; were it
     * ever cut, add what was written, never more. */
    size_t len = n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    az_lb_add(&d->lb, buf, len);
}

static int32_t find_type_in(const authz_catalog *cat,
                            const authz_catalog *from, uint32_t t)
{
    struct az_name n = from->types[t].name;
    return az_type_find(cat, az_name_ptr(from, n), n.len);
}

static int32_t find_scope_in(const authz_catalog *cat,
                             const authz_catalog *from, uint32_t s)
{
    struct az_name n = from->scopes[s].name;
    return az_scope_find(cat, az_name_ptr(from, n), n.len);
}

/* Types of `x` missing from `y`, and actions of shared types missing. */
static void types_missing(struct diff *d, const authz_catalog *x,
                          const authz_catalog *y, char sign)
{
    uint32_t t, a;
    char text[2 * AZ_MAX_NAME_LEN + 2];
    for (t = 0; t < x->n_types; t++) {
        int32_t u = find_type_in(y, x, t);
        if (u < 0) {
            line(d, sign, "type", az_name_ptr(x, x->types[t].name));
            continue;
        }
        for (a = 0; a < x->types[t].n_actions; a++) {
            struct az_name n = x->actions[x->types[t].first_action + a];
            if (az_action_find(y, (uint32_t)u, az_name_ptr(x, n), n.len) >= 0)
                continue;
            az_scope_format(x, AZ_REF_LOW(t, a), text, sizeof text);
            line(d, sign, "action", text);
        }
    }
}

/* The text of a named scope or alias, as its declaration reads. */
static void scope_text(const authz_catalog *cat, uint32_t s, char *buf,
                       size_t cap)
{
    const struct az_scope *sc = &cat->scopes[s];
    if (sc->kind == AZ_SCOPE_ALIAS)
        snprintf(buf, cap, "%s = %s", az_name_ptr(cat, sc->name),
                 az_name_ptr(cat, cat->scopes[sc->target].name));
    else
        snprintf(buf, cap, "%s", az_name_ptr(cat, sc->name));
}

/* Does one of the first n grants of named scope `s` of `x` read `text`? */
static int has_grant(const authz_catalog *x, uint32_t s, uint32_t n,
                     const char *text)
{
    const struct az_scope *sc = &x->scopes[s];
    uint32_t g;
    char buf[AZ_GRANT_TEXT_SIZE];
    for (g = 0; g < n; g++) {
        az_grant_format(x, &x->grants[sc->first_grant + g], buf, sizeof buf);
        if (strcmp(buf, text) == 0)
            return 1;
    }
    return 0;
}

/* Scopes of `x` missing from `y` (or whose kind or alias target differs:
 * the texts differ then), and grants of scopes in both that `y` lacks,
 * each once however often `x` repeats it. */
static void scopes_missing(struct diff *d, const authz_catalog *x,
                           const authz_catalog *y, char sign)
{
    uint32_t s, g;
    char text[LINE_TEXT_SIZE], mine[SCOPE_TEXT_SIZE];
    for (s = 0; s < x->n_scopes; s++) {
        const struct az_scope *sc = &x->scopes[s];
        int32_t u = find_scope_in(y, x, s);
        scope_text(x, s, mine, sizeof mine);
        if (u >= 0)
            scope_text(y, (uint32_t)u, text, sizeof text);
        if (u < 0 || strcmp(mine, text) != 0) {
            line(d, sign, sc->kind == AZ_SCOPE_ALIAS ? "alias" : "scope",
                 mine);
            continue;
        }
        if (sc->kind == AZ_SCOPE_ALIAS)
            continue;
        for (g = 0; g < sc->n_grants; g++) {
            char grant[AZ_GRANT_TEXT_SIZE];
            az_grant_format(x, &x->grants[sc->first_grant + g], grant,
                            sizeof grant);
            if (has_grant(x, s, g, grant) ||
                has_grant(y, (uint32_t)u, y->scopes[u].n_grants, grant))
                continue;
            snprintf(text, sizeof text, "%s %s", mine, grant);
            line(d, sign, "grant", text);
        }
    }
}

/* Is `name` a public scope of `cat` (whatever kind of name it is)? Read
 * as a scope of that catalog, without the limits a token's entries have:
 * a `T:A` of two names of the longest length is longer than those. */
static int is_public(const authz_catalog *cat, const char *name)
{
    uint32_t ref;
    size_t offset;
    const char *what;
    return az_scope_parse(cat, name, strlen(name), &ref, &offset, &what) ==
               AUTHZ_OK &&
           az_scope_is_public(cat, ref);
}

/* Public names of `x` that are not public in `y`. */
static void public_missing(struct diff *d, const authz_catalog *x,
                           const authz_catalog *y, char sign)
{
    uint32_t t, a, s;
    char text[2 * AZ_MAX_NAME_LEN + 2];
    for (t = 0; t < x->n_types; t++) {
        const struct az_type *ty = &x->types[t];
        for (a = 0; a <= ty->n_actions; a++) {
            int pub = a == ty->n_actions ? ty->public_wild != 0
                                         : (int)(ty->public_mask >> a & 1);
            if (!pub)
                continue;
            az_scope_format(
                x, AZ_REF_LOW(t, a == ty->n_actions ? AZ_REF_ALL_ACTIONS : a),
                text, sizeof text);
            if (!is_public(y, text))
                line(d, sign, "public", text);
        }
    }
    for (s = 0; s < x->n_scopes; s++) {
        const char *name = az_name_ptr(x, x->scopes[s].name);
        if (az_scope_is_public(x, AZ_REF_NAMED | s) && !is_public(y, name))
            line(d, sign, "public", name);
    }
}

authz_list *authz_catalog_diff(const authz_catalog *from,
                               const authz_catalog *to, authz_error *err)
{
    struct diff d;
    if (from == NULL || to == NULL) {
        az_error_plain(err, AUTHZ_EINVAL, "catalog diff: NULL catalog");
        return NULL;
    }
    /* The list comes from the allocator `from` was parsed with. */
    az_lb_init(&d.lb, from->heap ? &from->alloc : &az_default_allocator);
    types_missing(&d, from, to, '-');
    types_missing(&d, to, from, '+');
    scopes_missing(&d, from, to, '-');
    scopes_missing(&d, to, from, '+');
    public_missing(&d, from, to, '-');
    public_missing(&d, to, from, '+');
    return az_lb_finish(&d.lb, NULL, err);
}
