/*
 * catalog.c - name lookups in a compiled catalog, and the tables behind them.
 *
 * Each lookup hashes the name once (az_name_hash, over every byte), then
 * probes an open-addressing table (at most half full); a (type, action)
 * pair is found with one probe of the action table, keyed by both names.
 * The tables are fixed when the catalog is built, so the work per lookup is
 * bounded by the table's longest cluster of occupied slots, whatever the
 * bytes asked for; az_index_build picks the hash seed whose entries sit
 * closest to their first slots, which keeps the clusters short.
 */
#include "internal.h"

/* Smallest power of two >= 2 * n (at least 8): a load factor of at most one
 * half keeps runs short and guarantees an empty slot. */
static uint32_t table_size(uint32_t n)
{
    uint32_t size = 8;
    while (size < 2 * n)
        size <<= 1;
    return size;
}

size_t az_index_slots(const struct authz_catalog *cat)
{
    return (size_t)table_size(cat->n_types) + table_size(cat->n_actions) +
           table_size(cat->n_scopes);
}

/* Inserts id+1 at the first free slot from h; returns the run length. */
static uint32_t insert(struct az_slot *table, uint32_t mask, uint64_t h,
                       uint32_t id)
{
    uint32_t i = (uint32_t)h & mask, run = 1;
    while (table[i].id != 0) {
        i = (i + 1) & mask;
        run++;
    }
    table[i].hash = az_slot_hash(h);
    table[i].id = id + 1;
    return run;
}

/* Fills the three tables for cat->seed; returns the longest run. */
static uint32_t fill(struct authz_catalog *cat, struct az_slot *types,
                     struct az_slot *actions, struct az_slot *scopes)
{
    uint32_t worst = 0, run, t, a, s;
    memset(types, 0, (cat->type_mask + 1) * sizeof *types);
    memset(actions, 0, (cat->action_mask + 1) * sizeof *actions);
    memset(scopes, 0, (cat->scope_mask + 1) * sizeof *scopes);
    for (t = 0; t < cat->n_types; t++) {
        struct az_name name = cat->types[t].name;
        uint64_t th = az_name_hash(cat->pool + name.off, name.len, cat->seed);
        run = insert(types, cat->type_mask, th, t);
        worst = run > worst ? run : worst;
        for (a = 0; a < cat->types[t].n_actions; a++) {
            name = cat->actions[cat->types[t].first_action + a];
            run = insert(actions, cat->action_mask,
                         az_name_hash(cat->pool + name.off, name.len, th),
                         t << AZ_PAIR_SHIFT | a);
            worst = run > worst ? run : worst;
        }
    }
    for (s = 0; s < cat->n_scopes; s++) {
        struct az_name name = cat->scopes[s].name;
        run = insert(scopes, cat->scope_mask,
                     az_name_hash(cat->pool + name.off, name.len, cat->seed),
                     s);
        worst = run > worst ? run : worst;
    }
    return worst;
}

void az_index_build(struct authz_catalog *cat, struct az_slot *mem)
{
    struct az_slot *types = mem;
    struct az_slot *actions, *scopes;
    uint64_t best_seed = 0, seed;
    uint32_t best = UINT32_MAX, tries;

    cat->type_mask = table_size(cat->n_types) - 1;
    cat->action_mask = table_size(cat->n_actions) - 1;
    cat->scope_mask = table_size(cat->n_scopes) - 1;
    actions = types + cat->type_mask + 1;
    scopes = actions + cat->action_mask + 1;

    /* Deterministic: the same catalog text always gives the same tables, so
     * the generated embedded catalog equals a run-time parse of its text. */
    for (tries = 0, seed = 0; tries < 16; tries++, seed += AZ_K1) {
        uint32_t worst;
        cat->seed = seed;
        worst = fill(cat, types, actions, scopes);
        if (worst < best) {
            best = worst;
            best_seed = seed;
        }
    }
    cat->seed = best_seed;
    fill(cat, types, actions, scopes);
    cat->type_index = types;
    cat->action_index = actions;
    cat->scope_index = scopes;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *u = p;
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ u[i]) * UINT64_C(0x100000001b3);
    return h;
}

static uint64_t fnv32(uint64_t h, uint32_t v)
{
    unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                           (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    return fnv(h, le, 4);
}

uint64_t az_catalog_fingerprint(const struct authz_catalog *cat)
{
    uint64_t h = fnv(UINT64_C(0xcbf29ce484222325), "authz catalog 1", 15);
    uint32_t i, j;
    h = fnv32(h, cat->n_types);
    for (i = 0; i < cat->n_types; i++) {
        const struct az_type *t = &cat->types[i];
        h = fnv(h, cat->pool + t->name.off, t->name.len + 1);
        h = fnv32(h, t->n_actions);
        for (j = 0; j < t->n_actions; j++) {
            struct az_name a = cat->actions[t->first_action + j];
            h = fnv(h, cat->pool + a.off, a.len + 1);
        }
    }
    h = fnv32(h, cat->n_scopes);
    for (i = 0; i < cat->n_scopes; i++) {
        const struct az_scope *s = &cat->scopes[i];
        h = fnv(h, cat->pool + s->name.off, s->name.len + 1);
        h = fnv32(h, s->kind);
        h = fnv32(h, s->kind == AZ_SCOPE_ALIAS ? s->target : s->n_grants);
        for (j = 0; s->kind == AZ_SCOPE_NAMED && j < s->n_grants; j++) {
            const struct az_grant *g = &cat->grants[s->first_grant + j];
            h = fnv32(fnv32(fnv32(h, g->type), g->action), g->negative);
        }
    }
    return h;
}

uint64_t authz_catalog_fingerprint(const authz_catalog *catalog)
{
    return catalog != NULL ? catalog->fingerprint : 0;
}

void authz_catalog_free(authz_catalog *catalog)
{
    if (catalog == NULL || !catalog->heap)
        return; /* NULL, or the embedded catalog: static data */
    catalog->alloc.free(catalog->alloc.ctx, catalog);
}
