/*
 * internal.h - private structures shared by the library's modules.
 *
 * Data flows one way: catalog text -> catalog (catalog_parse.c, catalog.c);
 * scope and allow strings -> token (scope.c, allow.c, token.c); token ->
 * decision (check.c). Nothing here is API.
 */
#ifndef AUTHZ_INTERNAL_H
#define AUTHZ_INTERNAL_H

#include "authz.h"

#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define AZ_LIKELY(x) __builtin_expect(!!(x), 1)
#define AZ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define AZ_INLINE static inline __attribute__((always_inline))
#else
#define AZ_LIKELY(x) (x)
#define AZ_UNLIKELY(x) (x)
#define AZ_INLINE static inline
#endif

/* ------------------------------------------------------------------------ */
/* Catalog                                                                   */
/* ------------------------------------------------------------------------ */

/* Limits of the compiled form. Actions index a 64-bit mask; the type count
 * bounds the per-token mask array and the stack bitset used while building. */
#define AZ_MAX_ACTIONS 64u
#define AZ_MAX_TYPES 4096u
#define AZ_MAX_NAME_LEN 128u

/* In a grant: the `*` type, and the `*` action. */
#define AZ_ANY_TYPE UINT32_MAX
#define AZ_ALL_ACTIONS UINT32_MAX

struct az_name {
    uint32_t off; /* into catalog->pool, NUL-terminated there */
    uint32_t len;
};

struct az_type {
    struct az_name name;
    uint32_t first_action; /* into catalog->actions */
    uint32_t n_actions;
    uint64_t public_mask;  /* actions whose `T:A` is a public scope */
    uint32_t public_wild;  /* 1 when `T:*` is a public scope */
    uint32_t pad_;
};

enum { AZ_SCOPE_NAMED = 0, AZ_SCOPE_ALIAS = 1 };

struct az_scope {
    struct az_name name;
    uint32_t kind;        /* AZ_SCOPE_NAMED or AZ_SCOPE_ALIAS */
    uint32_t target;      /* alias: index of the named scope it stands for */
    uint32_t first_grant; /* named: into catalog->grants */
    uint32_t n_grants;
    uint32_t is_public;
    uint32_t has_negative; /* some grant subtracts */
};

struct az_grant {
    uint32_t type;   /* type index or AZ_ANY_TYPE */
    uint32_t action; /* action bit or AZ_ALL_ACTIONS */
    uint32_t negative;
};

/* One slot of a catalog lookup table: open addressing, linear probing, a
 * power-of-two size at least twice the entry count so every probe ends. */
struct az_slot {
    uint32_t hash; /* low bits of the full hash, to skip most memcmp calls */
    uint32_t id;   /* entry index + 1; 0 = empty */
};

struct authz_catalog {
    uint64_t seed; /* of the name hash; chosen at build to keep probes short */
    uint64_t fingerprint; /* az_catalog_fingerprint of the content */
    uint32_t n_types, n_actions, n_scopes, n_grants;
    uint32_t type_mask, action_mask, scope_mask; /* table size - 1 */
    uint32_t pool_len;
    const char *pool;
    const struct az_type *types;
    const struct az_name *actions;
    const struct az_scope *scopes;
    const struct az_grant *grants;
    const struct az_slot *type_index;
    const struct az_slot *action_index; /* keyed by (type, action name) */
    const struct az_slot *scope_index;
    /* A parsed catalog is one block from `alloc`; the embedded catalog is
     * static data (heap = 0) and is never freed. */
    uint32_t heap;
    authz_allocator alloc;
};

/* Lookups; each returns the index or -1. Bounded by the longest probe run of
 * the (fixed) table, whatever the input bytes. */
int32_t az_type_find(const authz_catalog *cat, const char *s, size_t n);
int32_t az_action_find(const authz_catalog *cat, uint32_t type,
                       const char *s, size_t n);
int32_t az_scope_find(const authz_catalog *cat, const char *s, size_t n);

/* Builds the three lookup tables of a catalog whose names, types, actions and
 * scopes are filled in. Tables are carved from `mem`, which must hold
 * az_index_slots(cat) slots. Picks the seed with the shortest worst probe. */
size_t az_index_slots(const struct authz_catalog *cat);

/* FNV-1a over everything an encoded token refers to, in order. */
uint64_t az_catalog_fingerprint(const struct authz_catalog *cat);
void az_index_build(struct authz_catalog *cat, struct az_slot *mem);

AZ_INLINE const char *az_name_ptr(const authz_catalog *cat, struct az_name n)
{
    return cat->pool + n.off;
}

/* ------------------------------------------------------------------------ */
/* Hashing                                                                   */
/* ------------------------------------------------------------------------ */

/* 64x64 -> 128-bit multiply, folded: the mixing step of wyhash and foldhash. */
AZ_INLINE uint64_t az_fold_mul(uint64_t a, uint64_t b)
{
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 az_u128;
    az_u128 p = (az_u128)a * b;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
#else
    uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
    uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
    uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo,
             hh = a_hi * b_hi;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    uint64_t lo = (ll & 0xffffffffu) | (mid << 32);
    uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return lo ^ hi;
#endif
}

/* Little-endian loads, so a hash computed by the build-time generator equals
 * the one computed at run time on any host. Compilers turn these into one
 * load on little-endian machines. */
AZ_INLINE uint64_t az_load64(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 |
           (uint64_t)u[3] << 24 | (uint64_t)u[4] << 32 | (uint64_t)u[5] << 40 |
           (uint64_t)u[6] << 48 | (uint64_t)u[7] << 56;
}

AZ_INLINE uint64_t az_load32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 |
           (uint64_t)u[3] << 24;
}

#define AZ_K1 0x9e3779b97f4a7c15u
#define AZ_K2 0xbf58476d1ce4e5b9u
#define AZ_K3 0x94d049bb133111ebu

/* Hash of a name for the catalog tables. Constant time: it reads the first
 * and last eight bytes (overlapping for short names) and the length, never
 * past `n`. Names that differ only in the middle collide, which costs a
 * memcmp, never a wrong answer. The tables are fixed when the catalog is
 * built, so no input at check time can lengthen a probe beyond the table's
 * longest run. */
AZ_INLINE uint64_t az_name_hash(const char *s, size_t n, uint64_t seed)
{
    uint64_t a, b;
    if (n >= 8) {
        a = az_load64(s);
        b = az_load64(s + n - 8);
    } else if (n >= 4) {
        a = az_load32(s);
        b = az_load32(s + n - 4);
    } else if (n > 0) {
        a = (uint64_t)(unsigned char)s[0] << 16 |
            (uint64_t)(unsigned char)s[n >> 1] << 8 |
            (uint64_t)(unsigned char)s[n - 1];
        b = 0;
    } else {
        a = b = 0;
    }
    return az_fold_mul(a ^ seed ^ AZ_K1, b ^ ((uint64_t)n * AZ_K2) ^ AZ_K3);
}

/* The action table is keyed by (type, name): the type perturbs the seed. */
AZ_INLINE uint64_t az_action_seed(uint64_t seed, uint32_t type)
{
    return seed ^ ((uint64_t)(type + 1) * AZ_K3);
}

/* ------------------------------------------------------------------------ */
/* UUIDs                                                                     */
/* ------------------------------------------------------------------------ */

struct az_uuid {
    uint64_t hi, lo; /* the 32 hex digits, most significant first */
};

/* Parses one of the four accepted spellings: 8-4-4-4-12 (any case), that
 * inside braces, that after "urn:uuid:" (prefix in any case), or 32 hex
 * digits. On failure returns 0 and sets *bad to the offset of the first byte
 * that cannot be part of a UUID (0 when the length matches no spelling). */
int az_uuid_parse(const char *s, size_t n, struct az_uuid *out, size_t *bad);

/* Writes the lower-case 36-character form plus a NUL into out[37]. */
void az_uuid_format(const struct az_uuid *u, char out[37]);

/* ------------------------------------------------------------------------ */
/* Allocation and errors                                                     */
/* ------------------------------------------------------------------------ */

extern const authz_allocator az_default_allocator;

/* Resolved options, defaults filled in. */
struct az_limits {
    size_t max_allow, max_scopes, max_entry_len;
    unsigned flags;
    authz_allocator alloc;
};

/* Fills *lim from opts (NULL = defaults). Returns AUTHZ_OK or AUTHZ_EINVAL
 * with err filled. */
int az_limits_resolve(const authz_options *opts, struct az_limits *lim,
                      authz_error *err);

/* Sets err to success. NULL err is a no-op. */
void az_error_ok(authz_error *err);

/* Fills err: code, list, index, offset, and a message
 *   <list>[<index>] "<entry, quoted>": <what> at byte <offset>
 * `entry` may be NULL (no quote). NULL err is a no-op. Returns code. */
int az_error_entry(authz_error *err, int code, int list, size_t index,
                   const char *entry, size_t entry_len, size_t offset,
                   const char *what);

/* Fills err for an error that is not about one entry. Returns code. */
int az_error_plain(authz_error *err, int code, const char *what);

/* Fills err for catalog text at (line, column), quoting the line. */
int az_error_catalog(authz_error *err, int code, size_t line, size_t column,
                     const char *line_text, size_t line_len,
                     const char *what);

/* Appends `n` bytes of `s` to buf[*pos..cap) as a quoted, escaped string,
 * truncating with "..." past `max_quote` bytes; always NUL-terminates. */
void az_quote(char *buf, size_t cap, size_t *pos, const char *s, size_t n,
              size_t max_quote);

/* ------------------------------------------------------------------------ */
/* Token                                                                     */
/* ------------------------------------------------------------------------ */

/* A scope as the token remembers it, in the order given:
 *   AZ_REF_STAR_STAR          `*:*`
 *   AZ_REF_NAMED | i          named scope i of the catalog (maybe an alias)
 *   type << 7 | action        `T:A`, action 0..63, or AZ_REF_ALL_ACTIONS */
#define AZ_REF_STAR_STAR UINT32_MAX
#define AZ_REF_NAMED 0x80000000u
#define AZ_REF_ALL_ACTIONS 64u
#define AZ_REF_LOW(type, action) ((uint32_t)(type) << 7 | (uint32_t)(action))

/* Parses one scope. Returns AUTHZ_OK with *ref set, or an error code with
 * *offset at the offending byte and *what naming the problem. */
int az_scope_parse(const authz_catalog *cat, const char *s, size_t n,
                   uint32_t *ref, size_t *offset, const char **what);

/* ORs the grants of one scope into masks[n_types]. */
void az_scope_apply(const authz_catalog *cat, uint32_t ref, uint64_t *masks);

/* May a token request this scope at creation (SPEC 2, catalog `public`)? */
int az_scope_is_public(const authz_catalog *cat, uint32_t ref);

/* Does one scope grant (type, action bit)? Agrees with az_scope_apply. */
int az_scope_grants(const authz_catalog *cat, uint32_t ref, uint32_t type,
                    uint32_t action);

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
    struct az_tagidx *overflow; /* separate allocation; NULL when unused */
    uint32_t n_scopes;
    uint32_t n_allow;       /* entries given, before duplicates went */
    uint32_t allow_all;     /* `*:*` listed */
    uint32_t allow_all_index;
    uint32_t n_wild;
    uint32_t n_ids;         /* distinct UUIDs in the set */
    uint32_t cap;           /* slots; > n_ids, so every probe ends */
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

/* Keyed hash of an id for the allow set. Keyed with per-token random bits,
 * so nobody who writes an allow list can choose ids that collide. */
AZ_INLINE uint64_t az_id_hash(const uint64_t key[4], uint64_t hi, uint64_t lo)
{
    uint64_t h = az_fold_mul(hi ^ key[0], lo ^ key[1]);
    return az_fold_mul(h ^ key[2], key[3]);
}

/* Maps a hash onto [0, cap) without a division (Lemire's multiply-shift). */
AZ_INLINE uint32_t az_reduce(uint64_t h, uint32_t cap)
{
    return (uint32_t)(((h >> 32) * (uint64_t)cap) >> 32);
}

/* The slot holding `id`, or NULL. Used by the check and by explain. */
const struct az_idslot *az_id_find(const authz_token *tok,
                                   const struct az_uuid *id);

/* Fills key with random bits from the operating system, or, if it refuses,
 * from clocks and addresses (never fails: a weaker key only weakens flood
 * resistance, never a decision). */
void az_random_key(uint64_t key[4]);

/* ------------------------------------------------------------------------ */
/* Lists of strings (set operations)                                         */
/* ------------------------------------------------------------------------ */

/* Collects strings, then sorts and de-duplicates them into an authz_list.
 * An allocation failure is remembered and reported by az_lb_finish. */
struct az_lb {
    authz_allocator alloc;
    char *buf;
    size_t len, cap;
    size_t *offs;
    size_t n, ocap;
    int failed;
};
void az_lb_init(struct az_lb *lb, const authz_allocator *alloc);
void az_lb_add(struct az_lb *lb, const char *s, size_t n);
void az_lb_free(struct az_lb *lb);
/* Builds the list (sorted and de-duplicated by cmp, unless cmp is NULL)
 * and frees the builder, in success and failure alike. */
authz_list *az_lb_finish(struct az_lb *lb,
                         int (*cmp)(const void *, const void *),
                         authz_error *err);
int az_cmp_bytes(const void *a, const void *b);   /* strcmp order */
int az_cmp_entries(const void *a, const void *b); /* (type, id) order */

/* ------------------------------------------------------------------------ */
/* The normal form of a token                                                */
/* ------------------------------------------------------------------------ */

/* An allow entry of the normal form, with its type's name for ordering. */
struct az_centry {
    const char *name; /* type name, or "*" */
    uint32_t name_len;
    uint32_t type;    /* type index or AZ_ANY_TYPE */
    uint32_t kind;    /* AZ_ALLOW_UUID or AZ_ALLOW_WILD */
    uint32_t pad_;
    struct az_uuid id;
};

/* Scope references in canonical text order (aliases resolved, each once)
 * and allow entries in normal-form order. */
struct az_canon {
    uint32_t *refs;
    size_t n_refs;
    struct az_centry *entries;
    size_t n_entries;
    void *mem;
};

/* Builds the normal form of a token with its allocator: AUTHZ_OK or
 * AUTHZ_ENOMEM. Free with az_canon_free. */
int az_canon_build(const authz_token *tok, struct az_canon *c);
void az_canon_free(const authz_token *tok, struct az_canon *c);

/* Canonical order of scope references (by their text) and of entries. */
int az_ref_cmp(const authz_catalog *cat, uint32_t a, uint32_t b);
int az_centry_cmp(const void *a, const void *b);
void az_centry_set(struct az_centry *e, const authz_catalog *cat,
                   uint32_t type, uint32_t kind, const struct az_uuid *id);

/* The canonical form of a scope reference: an alias becomes its scope. */
uint32_t az_ref_canonical(const authz_catalog *cat, uint32_t ref);

#endif /* AUTHZ_INTERNAL_H */
