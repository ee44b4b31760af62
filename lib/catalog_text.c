/*
 * catalog_text.c - reading a compiled catalog back: names by index, and the
 * catalog as text in the format catalog_parse.c reads.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

size_t authz_catalog_type_count(const authz_catalog *catalog)
{
    return catalog != NULL ? catalog->n_types : 0;
}

const char *authz_catalog_type_name(const authz_catalog *catalog,
                                    size_t type)
{
    if (catalog == NULL || type >= catalog->n_types)
        return NULL;
    return az_name_ptr(catalog, catalog->types[type].name);
}

size_t authz_catalog_action_count(const authz_catalog *catalog, size_t type)
{
    if (catalog == NULL || type >= catalog->n_types)
        return 0;
    return catalog->types[type].n_actions;
}

const char *authz_catalog_action_name(const authz_catalog *catalog,
                                      size_t type, size_t action)
{
    const struct az_type *t;
    if (catalog == NULL || type >= catalog->n_types)
        return NULL;
    t = &catalog->types[type];
    if (action >= t->n_actions)
        return NULL;
    return az_name_ptr(catalog, catalog->actions[t->first_action + action]);
}

/* An snprintf that keeps counting past the end of the buffer. */
struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *at = o->len < o->cap ? o->buf + o->len : NULL;
    va_start(ap, fmt);
    n = vsnprintf(at, at != NULL ? o->cap - o->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

void az_grant_format(const authz_catalog *cat, const struct az_grant *g,
                     char *buf, size_t cap)
{
    const struct az_type *t;
    if (g->type == AZ_ANY_TYPE) {
        snprintf(buf, cap, "%s*:*", g->negative ? "-" : "");
        return;
    }
    t = &cat->types[g->type];
    snprintf(buf, cap, "%s%s:%s", g->negative ? "-" : "",
             az_name_ptr(cat, t->name),
             g->action == AZ_ALL_ACTIONS
                 ? "*"
                 : az_name_ptr(cat, cat->actions[t->first_action + g->action]));
}

static void put_grant(struct out *o, const authz_catalog *cat,
                      const struct az_grant *g)
{
    char text[AZ_GRANT_TEXT_SIZE];
    az_grant_format(cat, g, text, sizeof text);
    put(o, " %s", text);
}

/* Declarations in index order reproduce the pool and tables exactly:
 * types with their actions, then scopes and aliases as they were declared,
 * then what is public. */
size_t authz_catalog_text(const authz_catalog *catalog, char *buf,
                          size_t cap)
{
    struct out o = {buf, cap, 0};
    uint32_t t, a, s, g;
    int any_public = 0;
    if (buf != NULL && cap > 0)
        buf[0] = '\0';
    if (catalog == NULL)
        return 0;
    for (t = 0; t < catalog->n_types; t++) {
        const struct az_type *ty = &catalog->types[t];
        put(&o, "type %s", az_name_ptr(catalog, ty->name));
        for (a = 0; a < ty->n_actions; a++)
            put(&o, " %s",
                az_name_ptr(catalog, catalog->actions[ty->first_action + a]));
        put(&o, "\n");
    }
    for (s = 0; s < catalog->n_scopes; s++) {
        const struct az_scope *sc = &catalog->scopes[s];
        if (s == 0)
            put(&o, "\n");
        if (sc->kind == AZ_SCOPE_ALIAS) {
            put(&o, "alias %s = %s\n", az_name_ptr(catalog, sc->name),
                az_name_ptr(catalog, catalog->scopes[sc->target].name));
            continue;
        }
        put(&o, "scope %s =", az_name_ptr(catalog, sc->name));
        for (g = 0; g < sc->n_grants; g++)
            put_grant(&o, catalog, &catalog->grants[sc->first_grant + g]);
        put(&o, "\n");
    }
    for (s = 0; s < catalog->n_scopes; s++) {
        if (!catalog->scopes[s].is_public)
            continue;
        put(&o, any_public ? " %s" : "\npublic %s",
            az_name_ptr(catalog, catalog->scopes[s].name));
        any_public = 1;
    }
    if (any_public)
        put(&o, "\n");
    for (t = 0; t < catalog->n_types; t++) {
        const struct az_type *ty = &catalog->types[t];
        const char *name = az_name_ptr(catalog, ty->name);
        if (ty->public_mask == 0 && !ty->public_wild)
            continue;
        put(&o, "public");
        for (a = 0; a < ty->n_actions; a++)
            if (ty->public_mask >> a & 1)
                put(&o, " %s:%s", name,
                    az_name_ptr(catalog,
                                catalog->actions[ty->first_action + a]));
        if (ty->public_wild)
            put(&o, " %s:*", name);
        put(&o, "\n");
    }
    return o.len;
}
