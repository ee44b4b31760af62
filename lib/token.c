/*
 * token.c - compiling scope and allow lists into a token.
 *
 * All input is parsed and checked before the token itself is allocated, so
 * a failure never leaves a half-built object. Then:
 *   - scopes become one action mask per type (all ones for `T:*`);
 *   - `*:*` and `T:*` entries become a flag and a bitset over types;
 *   - UUID entries are sorted by (id, type, index): duplicates become
 *     neighbours, and each distinct id gets one slot of an open-addressing
 *     table keyed by the id alone, so one probe finds both `T:<id>` and
 *     `*:<id>`. An id listed under several types keeps its types in a small
 *     sorted side array.
 * Allocations: one scratch block, the token block, and the side array when
 * some id has several types.
 */
#include "internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp_tagidx(const void *pa, const void *pb)
{
    const struct az_tagidx *a = pa, *b = pb;
    if (a->tag != b->tag)
        return a->tag < b->tag ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static uint32_t tag_of(uint32_t type)
{
    return type == AZ_ANY_TYPE ? AZ_TAG_ANY : type + 1;
}

static int same_id(const struct az_allow *a, const struct az_allow *b)
{
    return a->id.hi == b->id.hi && a->id.lo == b->id.lo;
}

int az_id_admits_slow(const authz_token *tok, const struct az_uuid *id,
                      uint64_t h, uint32_t i, uint32_t type)
{
    const struct az_idslot *slot = az_id_probe(tok, id, h, i);
    return slot != NULL && az_slot_entry(tok, slot, type, NULL, NULL);
}

/* Entries for one id are neighbours after sorting: the end of the run that
 * starts at i, and how many distinct types it lists. */
static size_t group_end(const struct az_allow *p, size_t i, size_t n,
                        size_t *types)
{
    size_t end = i + 1;
    *types = 1;
    for (; end < n && same_id(&p[end], &p[i]); end++)
        if (p[end].type != p[end - 1].type)
            (*types)++;
    return end;
}

/* The slot for `id` (found set) or the empty slot where it goes. */
static struct az_idslot *slot_for(authz_token *tok, const struct az_uuid *id,
                                  uint8_t *ctrl_byte, int *found)
{
    uint64_t h = az_id_hash(tok->key, id->hi, id->lo);
    uint32_t pos = az_reduce(h, tok->cap);
    *ctrl_byte = az_ctrl_byte(h);
    for (;; pos = pos + 1 == tok->cap ? 0 : pos + 1) {
        struct az_idslot *slot = &tok->slots[pos];
        if (tok->ctrl[pos] == 0) {
            *found = 0;
            tok->ctrl[pos] = *ctrl_byte;
            if (pos < AZ_CTRL_MIRROR)
                tok->ctrl[tok->cap + pos] = *ctrl_byte;
            slot->hi = id->hi;
            slot->lo = id->lo;
            return slot;
        }
        if (slot->hi == id->hi && slot->lo == id->lo) {
            *found = 1;
            return slot;
        }
    }
}

/* The common case, in one pass and list order: every id is listed under
 * one type (maybe several times; the first index is kept). Returns 0, with
 * the table cleared, when some id is listed under two types. */
static int insert_simple(authz_token *tok, const struct az_allow *e, size_t n)
{
    size_t i;
    tok->n_ids = 0;
    for (i = 0; i < n; i++) {
        uint8_t cb;
        int found;
        struct az_idslot *slot = slot_for(tok, &e[i].id, &cb, &found);
        if (!found) {
            slot->tag = tag_of(e[i].type);
            slot->aux = e[i].index;
            tok->n_ids++;
        } else if (slot->tag != tag_of(e[i].type)) {
            memset(tok->slots, 0, tok->cap * sizeof *tok->slots);
            memset(tok->ctrl, 0, tok->cap + AZ_CTRL_MIRROR);
            return 0;
        }
    }
    return 1;
}

/* The general case: sorted by (id, type, index), each id's run becomes one
 * slot, and ids with several types get their (tag, first index) pairs in
 * the side array, sorted by tag. Returns 0 if that array cannot be had. */
static int insert_grouped(authz_token *tok, struct az_allow *e, size_t n)
{
    size_t i, n_over = 0;
    qsort(e, n, sizeof *e, az_cmp_allow);
    for (i = 0; i < n;) {
        size_t types, end = group_end(e, i, n, &types);
        if (types > 1)
            n_over += 1 + types;
        i = end;
    }
    tok->overflow = tok->alloc.malloc(tok->alloc.ctx,
                                      n_over * sizeof *tok->overflow);
    if (tok->overflow == NULL)
        return 0;
    tok->bytes += n_over * sizeof *tok->overflow;
    n_over = 0;
    tok->n_ids = 0;
    for (i = 0; i < n;) {
        size_t types, end = group_end(e, i, n, &types), k;
        uint8_t cb;
        int found;
        struct az_idslot *slot = slot_for(tok, &e[i].id, &cb, &found);
        tok->n_ids++;
        if (types == 1) {
            slot->tag = tag_of(e[i].type);
            slot->aux = e[i].index;
            i = end;
            continue;
        }
        /* Header pair (count, 0), then (tag, first index) by tag;
         * AZ_TAG_ANY is the largest tag, so it comes last. */
        slot->tag = AZ_TAG_MULTI;
        slot->aux = (uint32_t)n_over;
        tok->overflow[n_over].tag = (uint32_t)types;
        tok->overflow[n_over++].index = 0;
        for (k = i; k < end; k++) {
            if (k > i && e[k].type == e[k - 1].type)
                continue; /* a duplicate: the first index is kept */
            tok->overflow[n_over].tag = tag_of(e[k].type);
            tok->overflow[n_over++].index = e[k].index;
        }
        tok->n_overflow = (uint32_t)n_over;
        i = end;
    }
    return 1;
}

#ifndef NDEBUG
/* What the probes (az_id_admits and its window, az_id_find) and
 * az_slot_entry take for granted; checked in builds without NDEBUG (every
 * `make check` build), never on the check path. */
static void assert_invariants(const authz_token *tok)
{
    uint32_t i, k, n_ids = 0;
    /* Some slot stays empty, so every probe ends. */
    assert(tok->cap >= AZ_CTRL_MIRROR && tok->cap > tok->n_ids);
    /* The last AZ_CTRL_MIRROR control bytes repeat the first, so a window
     * read at any slot needs no wrap. */
    for (i = 0; i < AZ_CTRL_MIRROR; i++)
        assert(tok->ctrl[tok->cap + i] == tok->ctrl[i]);
    for (i = 0; i < tok->cap; i++) {
        const struct az_idslot *slot = &tok->slots[i];
        assert((tok->ctrl[i] != 0) == (slot->tag != 0));
        if (slot->tag == 0)
            continue;
        n_ids++;
        if (slot->tag != AZ_TAG_MULTI)
            continue;
        /* An overflow list: its count, then tags strictly ascending, so
         * the binary search works and `*` (the largest tag) is last. */
        assert(slot->aux < tok->n_overflow);
        assert(tok->overflow[slot->aux].tag >= 2);
        for (k = 1; k < tok->overflow[slot->aux].tag; k++)
            assert(tok->overflow[slot->aux + k].tag <
                   tok->overflow[slot->aux + k + 1].tag);
    }
    assert(n_ids == tok->n_ids);
}
#endif

/* Size of a region rounded up so the next one stays 8-byte aligned. */
static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static authz_token *build(const authz_catalog *cat, const struct az_input *sl,
                          const struct az_input *al,
                          const authz_options *opts, authz_error *err)
{
    struct az_limits lim;
    struct az_scratch sc;
    authz_token *tok = NULL;

    if (cat == NULL)
        return (void)az_error_plain(err, AUTHZ_EINVAL, "catalog is NULL"),
               NULL;
    if (az_limits_resolve(opts, &lim, err) != AUTHZ_OK ||
        az_input_check(sl, lim.max_scopes, AUTHZ_LIST_SCOPES, err) != 0 ||
        az_input_check(al, lim.max_allow, AUTHZ_LIST_ALLOW, err) != 0)
        return NULL;
    if (!az_scratch_new(&sc, &lim.alloc, sl->n, al->n))
        return (void)az_error_plain(err, AUTHZ_ENOMEM, "out of memory"),
               NULL;
    if (az_input_scopes(cat, sl, &lim, AUTHZ_LIST_SCOPES, sc.refs, err) == 0 &&
        az_input_allow(cat, al, &lim, AUTHZ_LIST_ALLOW, sc.allow, err) == 0)
        tok = az_token_compile(cat, &lim, &sc, err);
    az_scratch_free(&sc, &lim.alloc);
    return tok;
}

int az_scratch_new(struct az_scratch *sc, const authz_allocator *alloc,
                   size_t n_scopes, size_t n_allow)
{
    size_t size = n_allow * (sizeof *sc->allow + sizeof *sc->wild) +
                  n_scopes * sizeof *sc->refs;
    memset(sc, 0, sizeof *sc);
    sc->n_scopes = n_scopes;
    sc->n_allow = n_allow;
    if (n_allow == 0 && n_scopes == 0)
        return 1;
    sc->mem = alloc->malloc(alloc->ctx, size);
    if (sc->mem == NULL)
        return 0;
    sc->allow = sc->mem;
    sc->wild = (struct az_tagidx *)(sc->allow + n_allow);
    sc->refs = (uint32_t *)(sc->wild + n_allow);
    return 1;
}

void az_scratch_free(struct az_scratch *sc, const authz_allocator *alloc)
{
    if (sc->mem != NULL)
        alloc->free(alloc->ctx, sc->mem);
    sc->mem = NULL;
}

authz_token *az_token_compile(const authz_catalog *cat,
                              const struct az_limits *limits,
                              struct az_scratch *sc, authz_error *err)
{
    const struct az_limits lim = *limits;
    struct az_allow_nf nf;
    size_t n_scopes = sc->n_scopes, n_allow = sc->n_allow;
    size_t i, j, n_wild, cap, words;
    size_t size, off_masks, off_bits, off_slots, off_refs, off_wild,
        off_ctrl;
    struct az_allow *parsed = sc->allow;
    struct az_tagidx *wild = sc->wild;
    uint32_t *refs = sc->refs;
    char *block;
    authz_token *tok;

    /* The normal form: UUID entries nothing absorbs stay at the front of
     * `parsed`, in order; `T:*` entries go to `wild`, sorted by type. */
    j = az_allow_normal(parsed, n_allow, &nf, wild, &n_wild);
    assert(j <= n_allow && n_wild <= n_allow);
    if (n_wild > 1)
        qsort(wild, n_wild, sizeof *wild, cmp_tagidx);

    /* Sized for the entries given (duplicates only leave it emptier): at
     * most two thirds full (at 80%, a quarter of the misses met no empty
     * slot in az_id_admits' window and took the general probe), and at
     * least one window of control bytes. */
    cap = j + j / 2 + 1;
    cap = cap < AZ_CTRL_MIRROR ? AZ_CTRL_MIRROR : cap;
    words = (cat->n_types + 63) / 64;
    off_masks = align8(sizeof *tok);
    off_bits = off_masks + align8(cat->n_types * sizeof(uint64_t));
    off_slots = off_bits + words * sizeof(uint64_t);
    off_refs = off_slots + cap * sizeof(struct az_idslot);
    off_wild = off_refs + align8(n_scopes * sizeof(uint32_t));
    off_ctrl = off_wild + n_wild * sizeof(struct az_tagidx);
    size = off_ctrl + cap + AZ_CTRL_MIRROR;

    block = lim.alloc.malloc(lim.alloc.ctx, size);
    if (block == NULL)
        goto nomem;
    memset(block, 0, size);
    tok = (authz_token *)block;
    tok->cat = cat;
    tok->alloc = lim.alloc;
    tok->masks = (uint64_t *)(block + off_masks);
    tok->allow_wild = (uint64_t *)(block + off_bits);
    tok->slots = (struct az_idslot *)(block + off_slots);
    tok->scope_refs = (uint32_t *)(block + off_refs);
    tok->wild = (struct az_tagidx *)(block + off_wild);
    tok->ctrl = (uint8_t *)(block + off_ctrl);
    tok->n_scopes = (uint32_t)n_scopes;
    tok->n_allow = (uint32_t)n_allow;
    tok->allow_all = (uint32_t)nf.all;
    tok->allow_all_index = nf.all_index;
    tok->n_wild = (uint32_t)n_wild;
    tok->cap = (uint32_t)cap;
    tok->bytes = size;

    if (n_scopes > 0)
        memcpy(tok->scope_refs, refs, n_scopes * sizeof *refs);
    for (i = 0; i < n_scopes; i++)
        az_scope_apply(cat, refs[i], tok->masks);
    if (!nf.all)
        memcpy(tok->allow_wild, nf.wild, words * sizeof(uint64_t));
    if (n_wild > 0)
        memcpy(tok->wild, wild, n_wild * sizeof *wild);

    az_random_key(tok->key);
    if (!insert_simple(tok, parsed, j) && !insert_grouped(tok, parsed, j)) {
        authz_token_free(tok);
        goto nomem;
    }
#ifndef NDEBUG
    assert_invariants(tok);
#endif
    az_error_ok(err);
    return tok;

nomem:
    az_error_plain(err, AUTHZ_ENOMEM, "out of memory");
    return NULL;
}


authz_token *authz_token_new(const authz_catalog *catalog,
                             const char *const *scopes, size_t n_scopes,
                             const char *const *allow, size_t n_allow,
                             authz_error *err)
{
    struct az_input sl = {scopes, NULL, n_scopes};
    struct az_input al = {allow, NULL, n_allow};
    return build(catalog, &sl, &al, NULL, err);
}

authz_token *authz_token_new_ex(const authz_catalog *catalog,
                                const authz_str *scopes, size_t n_scopes,
                                const authz_str *allow, size_t n_allow,
                                const authz_options *opts, authz_error *err)
{
    struct az_input sl = {NULL, scopes, n_scopes};
    struct az_input al = {NULL, allow, n_allow};
    return build(catalog, &sl, &al, opts, err);
}

void authz_token_free(authz_token *token)
{
    authz_allocator alloc;
    if (token == NULL)
        return;
    alloc = token->alloc;
    if (token->overflow != NULL)
        alloc.free(alloc.ctx, token->overflow);
    alloc.free(alloc.ctx, token);
}
