/*
 * token.h - scope references, parsed entries, caller lists, and the compiled
 * token (its probing code is in hot.h).
 * Private: part of internal.h.
 */
#ifndef AUTHZ_TOKEN_H
#define AUTHZ_TOKEN_H

#include "catalog.h"
#include "uuid.h"
#include "errors.h"

/* A scope as the token remembers it, in the order given:
 *   AZ_REF_STAR_STAR          `*:*`
 *   AZ_REF_NAMED | i          named scope i of the catalog (maybe an alias)
 *   type << 7 | action        `T:A`, action 0..63, or AZ_REF_ALL_ACTIONS */
#define AZ_REF_STAR_STAR UINT32_MAX
#define AZ_REF_NAMED 0x80000000u
#define AZ_REF_ALL_ACTIONS 64u
#define AZ_REF_LOW(type, action) ((uint32_t)(type) << 7 | (uint32_t)(action))

/* The two halves of a `T:A` reference (not AZ_REF_STAR_STAR or NAMED). */
AZ_INLINE uint32_t az_ref_type(uint32_t ref)
{
    return ref >> 7;
}

AZ_INLINE uint32_t az_ref_action(uint32_t ref) /* or AZ_REF_ALL_ACTIONS */
{
    return ref & 127u;
}

/* Parses one scope. Returns AUTHZ_OK with *ref set, or an error code with
 * *offset at the offending byte and *what naming the problem. */
int az_scope_parse(const authz_catalog *cat, const char *s, size_t n,
                   uint32_t *ref, size_t *offset, const char **what);

/* ORs the grants of one scope into masks[n_types]. */
void az_scope_apply(const authz_catalog *cat, uint32_t ref, uint64_t *masks);

/* May a token request this scope at creation (docs/SPEC.md 2)? */
int az_scope_is_public(const authz_catalog *cat, uint32_t ref);

/* Does one scope grant (type, action bit)? Agrees with az_scope_apply. */
int az_scope_grants(const authz_catalog *cat, uint32_t ref, uint32_t type,
                    uint32_t action);

/* What named scope `sc` (not an alias) grants on type `t`: its grants on t
 * and on `*`, minus what it subtracts on t, within this scope only
 * (another scope of the token may still grant what this one subtracts).
 * Action bits, all ones for a wildcard; *wild (optional) is set when the
 * scope grants `t:*` and subtracts nothing from it. The one statement of
 * what a scope that subtracts grants: the token's masks, explain and the
 * set operations all read it through here. */
uint64_t az_scope_type_grants(const authz_catalog *cat,
                              const struct az_scope *sc, uint32_t t,
                              int *wild);

/* The canonical form of a scope reference: an alias becomes its scope. */
uint32_t az_ref_canonical(const authz_catalog *cat, uint32_t ref);

/* The scope a reference names, an alias resolved (ref & AZ_REF_NAMED). */
const struct az_scope *az_ref_scope(const authz_catalog *cat, uint32_t ref);

/* Writes the canonical text of a scope reference (names as the catalog
 * spells them; an alias stays the alias). */
void az_scope_format(const authz_catalog *cat, uint32_t ref, char *buf,
                     size_t cap);

/* A parsed allow entry. */
struct az_allow {
    struct az_uuid id;
    uint32_t type;  /* type index or AZ_ANY_TYPE */
    uint32_t kind;  /* AZ_ALLOW_UUID or AZ_ALLOW_WILD */
    uint32_t index; /* position in the list given */
};
enum { AZ_ALLOW_UUID = 0, AZ_ALLOW_WILD = 1 };

int az_allow_parse(const authz_catalog *cat, const char *s, size_t n,
                   struct az_allow *out, size_t *offset, const char **what);

/* The text of an allow entry: `type:<lower-case uuid>`, or `type:*` when
 * id is NULL; type may be AZ_ANY_TYPE (`*`). Returns the length. */
size_t az_entry_format(const authz_catalog *cat, uint32_t type,
                       const struct az_uuid *id,
                       char out[AZ_ENTRY_TEXT_MAX]);

/* Bitsets over type indices, in 64-bit words. */
AZ_INLINE int az_bit_has(const uint64_t *set, uint32_t i)
{
    return (int)(set[i / 64] >> (i % 64) & 1);
}

AZ_INLINE void az_bit_set(uint64_t *set, uint32_t i)
{
    set[i / 64] |= (uint64_t)1 << (i % 64);
}

/* The allow-list normal form (docs/SPEC.md section 3) of parsed entries: `*:*`
 * absorbs every entry, `T:*` absorbs every `T:<id>`. */
struct az_allow_nf {
    int all;            /* `*:*` listed */
    uint32_t all_index; /* list index of the first `*:*` */
    uint64_t wild[AZ_MAX_TYPES / 64]; /* types listed as `T:*` (not if all) */
};

struct az_tagidx;

/* Reads e[0..n) (in list order) into *nf, and moves the UUID entries that
 * nothing absorbs to the front of e, in order; returns their count. When
 * `wild` is not NULL it receives one (type, list index) pair per `T:*`
 * type, the first listing, in list order, and *n_wild their count. */
size_t az_allow_normal(struct az_allow *e, size_t n, struct az_allow_nf *nf,
                       struct az_tagidx *wild, size_t *n_wild);

/* Order of entries by (id, type) with `*` last; az_cmp_allow then by list
 * index, so the first of equal entries sorts first. */
int az_cmp_allow_key(const void *a, const void *b);
int az_cmp_allow(const void *a, const void *b);

/* A caller's list: NUL-terminated strings or length-delimited ones. */
struct az_input {
    const char *const *cstr;
    const authz_str *str;
    size_t n;
};

/* Checks the list pointer and its count against `max` (AUTHZ_ELIMIT names
 * index `max`, the first entry over the limit). */
int az_input_check(const struct az_input *in, size_t max, int list,
                   authz_error *err);

/* Parses every entry of a list, honouring the limits and AUTHZ_PUBLIC;
 * the first bad entry is reported with `list`, its index and offset. */
int az_input_scopes(const authz_catalog *cat, const struct az_input *in,
                    const struct az_limits *lim, int list, uint32_t *refs,
                    authz_error *err);
int az_input_allow(const authz_catalog *cat, const struct az_input *in,
                   const struct az_limits *lim, int list,
                   struct az_allow *out, authz_error *err);

/* One slot of a token's allow set: keyed by the UUID alone, so `*:<id>` and
 * `T:<id>` are found by one probe. */
struct az_idslot {
    uint64_t hi, lo;
    uint32_t tag; /* 0 empty; type + 1; AZ_TAG_ANY; AZ_TAG_MULTI */
    uint32_t aux; /* list index of the entry; MULTI: offset in overflow */
};
#define AZ_TAG_ANY UINT32_MAX
#define AZ_TAG_MULTI (UINT32_MAX - 1)

/* Control bytes repeated past the last slot: the window a probe reads at
 * once (az_ctrl_window: one SSE2 compare, or two 8-byte words), and the
 * fewest slots a token has. */
#define AZ_CTRL_MIRROR 16u

/* An id listed under several types keeps its (tag, index) pairs here, sorted
 * by tag, after a header pair whose tag is the count. */
struct az_tagidx {
    uint32_t tag, index;
};

struct authz_token {
    const authz_catalog *cat;
    authz_allocator alloc;
    uint64_t key[4];       /* random key of the allow-set hash */
    uint64_t *masks;       /* per type: granted actions (all ones for T:*) */
    uint64_t *allow_wild;  /* bitset over types: `T:*` listed */
    uint32_t *scope_refs;  /* n_scopes, in the order given */
    struct az_tagidx *wild; /* `T:*` entries: (type, first index), by type */
    struct az_idslot *slots;
    /* One byte per slot: 0 empty, else 0x80 | 7 bits of the id's hash.
     * cap + AZ_CTRL_MIRROR bytes; the last AZ_CTRL_MIRROR repeat the
     * first, so a window of that many can be read at any slot without
     * wrapping. */
    uint8_t *ctrl;
    struct az_tagidx *overflow; /* separate allocation; NULL when unused */
    uint32_t n_scopes;
    uint32_t n_allow;       /* entries given, before duplicates went */
    uint32_t allow_all;     /* `*:*` listed */
    uint32_t allow_all_index;
    uint32_t n_wild;
    uint32_t n_ids;         /* distinct UUIDs in the set */
    uint32_t cap;           /* slots, >= AZ_CTRL_MIRROR and > n_ids:
                               every probe ends */
    uint32_t n_overflow;
    size_t bytes;           /* bytes held, for accounting */
};

/* Parsed input on its way into a token: scope references and allow
 * entries (filled by the caller), plus room the compiler needs. */
struct az_scratch {
    void *mem;
    uint32_t *refs;
    struct az_allow *allow;
    struct az_tagidx *wild;
    size_t n_scopes, n_allow;
};
int az_scratch_new(struct az_scratch *sc, const authz_allocator *alloc,
                   size_t n_scopes, size_t n_allow);
void az_scratch_free(struct az_scratch *sc, const authz_allocator *alloc);

/* Compiles parsed entries into a token (allocated with lim->alloc). The
 * scratch is reordered but not freed. NULL with AUTHZ_ENOMEM on failure. */
authz_token *az_token_compile(const authz_catalog *cat,
                              const struct az_limits *lim,
                              struct az_scratch *sc, authz_error *err);

/* Fills key with random bits from the operating system, or, if it refuses,
 * from clocks and addresses (never fails: a weaker key only weakens flood
 * resistance, never a decision). */
void az_random_key(uint64_t key[4]);

#endif /* AUTHZ_TOKEN_H */
