/*
 * setops.c - docs/SPEC.md 5: normal forms, covers, intersection and union.
 *
 * Allow lists are handled as sets of three kinds of element: `*:*`, `T:*`,
 * and (type or `*`, id). Intersection works kind by kind, with membership
 * tests by binary search, so its cost is bounded by the sizes of its inputs
 * and of its result, never by their product.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- allow lists -------------------------------------------------------- */

/* An allow list in normal form. `ids` holds (type or AZ_ANY_TYPE, id)
 * sorted by (id, type), without duplicates or entries a `T:*` absorbs. */
struct allowset {
    struct az_allow_nf nf;
    struct az_allow *ids;
    size_t n;
};

static int wild_has(const struct allowset *s, uint32_t type)
{
    return az_bit_has(s->nf.wild, type);
}

/* Normalises `e[0..n)` in place into *s (which then points into e). */
static void allowset_build(struct allowset *s, struct az_allow *e, size_t n)
{
    size_t i, k = az_allow_normal(e, n, &s->nf, NULL, NULL);
    s->ids = e;
    if (k > 1)
        qsort(e, k, sizeof *e, az_cmp_allow);
    for (i = 0, s->n = 0; i < k; i++)
        if (s->n == 0 || e[i].type != e[s->n - 1].type ||
            e[i].id.hi != e[s->n - 1].id.hi || e[i].id.lo != e[s->n - 1].id.lo)
            e[s->n++] = e[i];
}

static int allowset_has(const struct allowset *s, const struct az_uuid *id,
                        uint32_t type)
{
    struct az_allow key;
    memset(&key, 0, sizeof key);
    key.id = *id;
    key.type = type;
    return bsearch(&key, s->ids, s->n, sizeof *s->ids, az_cmp_allow_key) !=
           NULL;
}

/* The set's entries in normal-form order (az_centry_cmp), as text. */
static authz_list *emit_allowset(const authz_catalog *cat,
                                 const struct allowset *s,
                                 const authz_allocator *alloc,
                                 authz_error *err)
{
    struct az_centry *order;
    struct az_lb lb;
    size_t i, n = s->n;
    uint32_t t;
    az_lb_init(&lb, alloc);
    if (s->nf.all) {
        az_lb_add(&lb, "*:*", 3);
        return az_lb_finish(&lb, NULL, err);
    }
    for (t = 0; t < cat->n_types; t++)
        n += (size_t)wild_has(s, t);
    /* One element more than needed, so an empty set still allocates. */
    order = alloc->malloc(alloc->ctx, (n + 1) * sizeof *order);
    if (order == NULL)
        return az_error_plain(err, AUTHZ_ENOMEM, "out of memory"), NULL;
    n = 0;
    for (t = 0; t < cat->n_types; t++)
        if (wild_has(s, t))
            az_centry_set(&order[n++], cat, t, AZ_ALLOW_WILD, NULL);
    for (i = 0; i < s->n; i++)
        az_centry_set(&order[n++], cat, s->ids[i].type, AZ_ALLOW_UUID,
                      &s->ids[i].id);
    if (n > 1)
        qsort(order, n, sizeof *order, az_centry_cmp);
    for (i = 0; i < n; i++) {
        char buf[AZ_ENTRY_TEXT_MAX];
        size_t len = az_centry_format(cat, &order[i], buf);
        az_lb_add(&lb, buf, len);
    }
    alloc->free(alloc->ctx, order);
    return az_lb_finish(&lb, NULL, err);
}

/* Parses one or two allow lists into one scratch array. */
static struct az_allow *parse_allow(const authz_catalog *cat,
                                    const struct az_input *a,
                                    const struct az_input *b,
                                    const authz_options *opts,
                                    struct az_limits *lim, authz_error *err)
{
    struct az_allow *e;
    size_t n_b = b != NULL ? b->n : 0;
    if (cat == NULL)
        return az_error_plain(err, AUTHZ_EINVAL, "catalog is NULL"), NULL;
    if (az_limits_resolve(opts, lim, err) != AUTHZ_OK ||
        az_input_check(a, lim->max_allow, AUTHZ_LIST_ALLOW, err) != 0 ||
        (b != NULL &&
         az_input_check(b, lim->max_allow, AUTHZ_LIST_ALLOW2, err) != 0))
        return NULL;
    /* One element more than needed, so an empty input still allocates. */
    e = lim->alloc.malloc(lim->alloc.ctx, (a->n + n_b + 1) * sizeof *e);
    if (e == NULL)
        return az_error_plain(err, AUTHZ_ENOMEM, "out of memory"), NULL;
    if (az_input_allow(cat, a, lim, AUTHZ_LIST_ALLOW, e, err) != 0 ||
        (b != NULL &&
         az_input_allow(cat, b, lim, AUTHZ_LIST_ALLOW2, e + a->n, err) != 0)) {
        lim->alloc.free(lim->alloc.ctx, e);
        return NULL;
    }
    return e;
}

authz_list *authz_allow_normalize(const authz_catalog *catalog,
                                  const authz_str *allow, size_t n,
                                  const authz_options *opts, authz_error *err)
{
    struct az_input in = {NULL, allow, n};
    struct az_limits lim;
    struct allowset set;
    struct az_allow *e = parse_allow(catalog, &in, NULL, opts, &lim, err);
    authz_list *out;
    if (e == NULL)
        return NULL;
    allowset_build(&set, e, n);
    out = emit_allowset(catalog, &set, &lim.alloc, err);
    lim.alloc.free(lim.alloc.ctx, e);
    return out;
}

authz_list *authz_allow_union(const authz_catalog *catalog,
                              const authz_str *a, size_t n_a,
                              const authz_str *b, size_t n_b,
                              const authz_options *opts, authz_error *err)
{
    struct az_input ia = {NULL, a, n_a}, ib = {NULL, b, n_b};
    struct az_limits lim;
    struct allowset set;
    struct az_allow *e = parse_allow(catalog, &ia, &ib, opts, &lim, err);
    authz_list *out;
    if (e == NULL)
        return NULL;
    allowset_build(&set, e, n_a + n_b);
    out = emit_allowset(catalog, &set, &lim.alloc, err);
    lim.alloc.free(lim.alloc.ctx, e);
    return out;
}

/* A growable array of entries, for results whose size is known only
 * after they are computed. */
struct allowvec {
    authz_allocator alloc;
    struct az_allow *p;
    size_t n, cap;
    int failed;
};

static void push(struct allowvec *v, uint32_t type, uint32_t kind,
                 const struct az_uuid *id)
{
    struct az_allow *e;
    if (v->failed)
        return;
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 32;
        void *p = v->alloc.realloc(v->alloc.ctx, v->p, cap * sizeof *v->p);
        if (p == NULL) {
            v->failed = 1;
            return;
        }
        v->p = p;
        v->cap = cap;
    }
    e = &v->p[v->n++];
    memset(e, 0, sizeof *e);
    e->type = type;
    e->kind = kind;
    if (id != NULL)
        e->id = *id;
}

/* Every pair (x in X, y in Y) that matches yields the more specific type
 * and id. By kind (W = `T:*`, S = `T:<id>`, A = `*:<id>`):
 *   W x W: T:* listed in both            S x W, W x S: T:<id> under T:*
 *   S x S: equal entries                 S x A, A x S: T:<id> when `*:<id>`
 *   W x A, A x W: T:<id> for each pair   A x A: `*:<id>` in both
 * (`*:*` on either side is handled by the caller.) */
static void intersect(struct allowvec *v, const authz_catalog *cat,
                      const struct allowset *x, const struct allowset *y)
{
    size_t i;
    uint32_t t;
    for (t = 0; t < cat->n_types; t++)
        if (wild_has(x, t) && wild_has(y, t))
            push(v, t, AZ_ALLOW_WILD, NULL);
    for (i = 0; i < x->n; i++) { /* x's S and A against all of y */
        const struct az_allow *e = &x->ids[i];
        if (e->type == AZ_ANY_TYPE) {
            if (allowset_has(y, &e->id, AZ_ANY_TYPE))
                push(v, AZ_ANY_TYPE, AZ_ALLOW_UUID, &e->id);
            for (t = 0; t < cat->n_types; t++)
                if (wild_has(y, t))
                    push(v, t, AZ_ALLOW_UUID, &e->id);
        } else if (wild_has(y, e->type) ||
                   allowset_has(y, &e->id, e->type) ||
                   allowset_has(y, &e->id, AZ_ANY_TYPE)) {
            push(v, e->type, AZ_ALLOW_UUID, &e->id);
        }
    }
    for (i = 0; i < y->n; i++) { /* y's S and A against x's W and A */
        const struct az_allow *e = &y->ids[i];
        if (e->type == AZ_ANY_TYPE) {
            for (t = 0; t < cat->n_types; t++)
                if (wild_has(x, t))
                    push(v, t, AZ_ALLOW_UUID, &e->id);
        } else if (wild_has(x, e->type) ||
                   allowset_has(x, &e->id, AZ_ANY_TYPE)) {
            push(v, e->type, AZ_ALLOW_UUID, &e->id);
        }
    }
}

authz_list *authz_allow_intersect(const authz_catalog *catalog,
                                  const authz_str *a, size_t n_a,
                                  const authz_str *b, size_t n_b,
                                  const authz_options *opts,
                                  authz_error *err)
{
    struct az_input ia = {NULL, a, n_a}, ib = {NULL, b, n_b};
    struct az_limits lim;
    struct allowset *sets;
    struct allowvec v;
    struct az_allow *e = parse_allow(catalog, &ia, &ib, opts, &lim, err);
    authz_list *out = NULL;
    if (e == NULL)
        return NULL;
    /* x, y and the result: three sets with their type bitsets. */
    sets = lim.alloc.malloc(lim.alloc.ctx, 3 * sizeof *sets);
    if (sets == NULL) {
        lim.alloc.free(lim.alloc.ctx, e);
        return az_error_plain(err, AUTHZ_ENOMEM, "out of memory"), NULL;
    }
    allowset_build(&sets[0], e, n_a);
    allowset_build(&sets[1], e + n_a, n_b);
    if (sets[0].nf.all || sets[1].nf.all) {
        out = emit_allowset(catalog, sets[0].nf.all ? &sets[1] : &sets[0],
                            &lim.alloc, err);
    } else {
        memset(&v, 0, sizeof v);
        v.alloc = lim.alloc;
        intersect(&v, catalog, &sets[0], &sets[1]);
        if (v.failed) {
            az_error_plain(err, AUTHZ_ENOMEM, "out of memory");
        } else {
            /* The pairs are not yet in normal form: a T:* from one pair
             * may absorb a T:<id> from another. */
            allowset_build(&sets[2], v.p, v.n);
            out = emit_allowset(catalog, &sets[2], &lim.alloc, err);
        }
        if (v.p != NULL)
            lim.alloc.free(lim.alloc.ctx, v.p);
    }
    lim.alloc.free(lim.alloc.ctx, sets);
    lim.alloc.free(lim.alloc.ctx, e);
    return out;
}

/* ---- scopes ------------------------------------------------------------- */

static uint32_t *parse_scopes(const authz_catalog *cat,
                              const struct az_input *a,
                              const struct az_input *b, size_t extra,
                              const authz_options *opts,
                              struct az_limits *lim, authz_error *err)
{
    uint32_t *refs;
    size_t n_b = b != NULL ? b->n : 0;
    if (cat == NULL)
        return az_error_plain(err, AUTHZ_EINVAL, "catalog is NULL"), NULL;
    if (az_limits_resolve(opts, lim, err) != AUTHZ_OK ||
        az_input_check(a, lim->max_scopes, AUTHZ_LIST_SCOPES, err) != 0 ||
        (b != NULL &&
         az_input_check(b, lim->max_scopes, AUTHZ_LIST_SCOPES2, err) != 0))
        return NULL;
    refs = lim->alloc.malloc(lim->alloc.ctx,
                             (a->n + n_b + 1) * sizeof *refs + extra);
    if (refs == NULL)
        return az_error_plain(err, AUTHZ_ENOMEM, "out of memory"), NULL;
    if (az_input_scopes(cat, a, lim, AUTHZ_LIST_SCOPES, refs, err) != 0 ||
        (b != NULL && az_input_scopes(cat, b, lim, AUTHZ_LIST_SCOPES2,
                                      refs + a->n, err) != 0)) {
        lim->alloc.free(lim->alloc.ctx, refs);
        return NULL;
    }
    return refs;
}

authz_list *authz_scopes_normalize(const authz_catalog *catalog,
                                   const authz_str *scopes, size_t n,
                                   const authz_options *opts,
                                   authz_error *err)
{
    struct az_input in = {NULL, scopes, n};
    struct az_limits lim;
    struct az_lb lb;
    uint32_t *refs = parse_scopes(catalog, &in, NULL, 0, opts, &lim, err);
    size_t i;
    if (refs == NULL)
        return NULL;
    az_lb_init(&lb, &lim.alloc);
    for (i = 0; i < n; i++) {
        char buf[AZ_SCOPE_TEXT_MAX];
        az_scope_format(catalog, az_ref_canonical(catalog, refs[i]), buf,
                        sizeof buf);
        az_lb_add(&lb, buf, strlen(buf));
    }
    lim.alloc.free(lim.alloc.ctx, refs);
    return az_lb_finish(&lb, az_cmp_bytes, err);
}

/* What a set of scopes grants, kept apart by kind so that a wildcard is
 * never confused with the list of today's actions. */
struct grantset {
    int all;
    uint64_t wild[AZ_MAX_TYPES / 64];
    uint64_t *mask; /* per type */
};

typedef void (*grant_fn)(void *ctx, uint32_t type, uint32_t action);

/* Calls fn for each grant of one scope, as (type or AZ_ANY_TYPE, action or
 * AZ_ALL_ACTIONS). A scope that subtracts is resolved type by type against
 * the catalog: what is left of a wildcard after a subtraction is a list of
 * actions, not a wildcard. */
static void expand(const authz_catalog *cat, uint32_t ref, grant_fn fn,
                   void *ctx)
{
    const struct az_scope *sc;
    const struct az_grant *g;
    uint32_t i, t;
    if (ref == AZ_REF_STAR_STAR) {
        fn(ctx, AZ_ANY_TYPE, AZ_ALL_ACTIONS);
        return;
    }
    if (!(ref & AZ_REF_NAMED)) {
        uint32_t a = az_ref_action(ref);
        fn(ctx, az_ref_type(ref),
           a == AZ_REF_ALL_ACTIONS ? AZ_ALL_ACTIONS : a);
        return;
    }
    sc = az_ref_scope(cat, ref);
    g = cat->grants + sc->first_grant;
    if (!sc->has_negative) {
        for (i = 0; i < sc->n_grants; i++)
            fn(ctx, g[i].type, g[i].action);
        return;
    }
    for (t = 0; t < cat->n_types; t++) {
        uint32_t n_actions = cat->types[t].n_actions, a;
        int wild;
        uint64_t bits = az_scope_type_grants(cat, sc, t, &wild);
        if (wild) {
            fn(ctx, t, AZ_ALL_ACTIONS);
            continue;
        }
        for (a = 0; a < n_actions; a++)
            if (bits >> a & 1)
                fn(ctx, t, a);
    }
}

static void grant_add(void *ctx, uint32_t type, uint32_t action)
{
    struct grantset *gs = ctx;
    if (type == AZ_ANY_TYPE)
        gs->all = 1;
    else if (action == AZ_ALL_ACTIONS)
        az_bit_set(gs->wild, type);
    else
        gs->mask[type] |= (uint64_t)1 << action;
}

struct want_ctx {
    const authz_catalog *cat;
    const struct grantset *have;
    struct az_lb *missing; /* NULL: only the answer is wanted */
    int covered;
};

static void grant_want(void *ctx, uint32_t type, uint32_t action)
{
    struct want_ctx *w = ctx;
    const struct grantset *h = w->have;
    int ok = h->all ||
             (type != AZ_ANY_TYPE &&
              (az_bit_has(h->wild, type) ||
               (action != AZ_ALL_ACTIONS && (h->mask[type] >> action & 1))));
    if (ok)
        return;
    w->covered = 0;
    if (w->missing != NULL) {
        char buf[AZ_SCOPE_TEXT_MAX];
        uint32_t ref = type == AZ_ANY_TYPE
                           ? AZ_REF_STAR_STAR
                           : AZ_REF_LOW(type, action == AZ_ALL_ACTIONS
                                                  ? AZ_REF_ALL_ACTIONS
                                                  : action);
        az_scope_format(w->cat, ref, buf, sizeof buf);
        az_lb_add(w->missing, buf, strlen(buf));
    }
}

int authz_scopes_cover(const authz_catalog *catalog, const authz_str *have,
                       size_t n_have, const authz_str *want, size_t n_want,
                       bool *covered, authz_list **missing,
                       const authz_options *opts, authz_error *err)
{
    struct az_input ih = {NULL, have, n_have}, iw = {NULL, want, n_want};
    struct az_limits lim;
    struct grantset *gs;
    struct want_ctx w;
    struct az_lb lb;
    authz_error local;
    uint32_t *refs;
    size_t i, extra;

    if (err == NULL)
        err = &local; /* the code is returned, so it must be recorded */
    if (missing != NULL)
        *missing = NULL;
    if (covered == NULL)
        return az_error_plain(err, AUTHZ_EINVAL, "covered is NULL");
    *covered = false;
    extra = catalog != NULL
                ? sizeof *gs + catalog->n_types * sizeof(uint64_t) + 8
                : 0;
    refs = parse_scopes(catalog, &ih, &iw, extra, opts, &lim, err);
    if (refs == NULL)
        return err->code;
    /* The grant set lives after the references, 8-byte aligned. */
    gs = (struct grantset *)(((uintptr_t)(refs + n_have + n_want + 1) + 7) &
                             ~(uintptr_t)7);
    memset(gs, 0, sizeof *gs);
    gs->mask = (uint64_t *)(gs + 1);
    memset(gs->mask, 0, catalog->n_types * sizeof(uint64_t));
    for (i = 0; i < n_have; i++)
        expand(catalog, refs[i], grant_add, gs);

    w.cat = catalog;
    w.have = gs;
    w.covered = 1;
    w.missing = missing != NULL ? &lb : NULL;
    if (missing != NULL)
        az_lb_init(&lb, &lim.alloc);
    for (i = 0; i < n_want; i++)
        expand(catalog, refs[n_have + i], grant_want, &w);
    lim.alloc.free(lim.alloc.ctx, refs);
    if (missing != NULL) {
        *missing = az_lb_finish(&lb, az_cmp_bytes, err);
        if (*missing == NULL)
            return AUTHZ_ENOMEM;
    }
    *covered = w.covered != 0;
    az_error_ok(err);
    return AUTHZ_OK;
}
