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
    uint32_t hash; /* az_slot_hash of the name, to skip most compares */
    uint32_t id;   /* entry + 1 (actions: type << 6 | bit, + 1); 0 = empty */
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
    const struct az_slot *action_index; /* keyed by (type name, action) */
    const struct az_slot *scope_index;
    /* A parsed catalog is one block from `alloc`; the embedded catalog is
     * static data (heap = 0) and is never freed. */
    uint32_t heap;
    authz_allocator alloc;
};


/* Builds the three lookup tables of a catalog whose names, types, actions and
 * scopes are filled in. Tables are carved from `mem`, which must hold
 * az_index_slots(cat) slots. Picks the seed with the shortest worst probe. */
size_t az_index_slots(const struct authz_catalog *cat);

/* The text of one grant of a named scope, as the catalog format writes it
 * (`T:A`, `T:*`, `*:*`, with `-` when it subtracts). */
#define AZ_GRANT_TEXT_SIZE (2 * AZ_MAX_NAME_LEN + 3)
void az_grant_format(const authz_catalog *cat, const struct az_grant *g,
                     char *buf, size_t cap);

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
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
AZ_INLINE uint64_t az_load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

AZ_INLINE uint64_t az_load32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
#else
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
#endif

#define AZ_ONES UINT64_C(0x0101010101010101)  /* 1 in every byte */
#define AZ_HIGHS UINT64_C(0x8080808080808080) /* the high bit of every byte */

#define AZ_K1 0x9e3779b97f4a7c15u
#define AZ_K2 0xbf58476d1ce4e5b9u
#define AZ_K3 0x94d049bb133111ebu

/* Hash of a name for the catalog tables, over every byte of it: names up
 * to 16 bytes are read as two (possibly overlapping) words, longer ones 16
 * bytes at a time, each pair of words folded into the state with one
 * 64x64->128-bit multiply (the wyhash step, with the state in both factors
 * so that no word can zero it whatever the seed), then the last 16 bytes. Never reads outside
 * [0, n). Two names collide only by accident of the seed, never because of
 * how they are spelt, so the seed search of az_index_build keeps every run
 * short; the tables are fixed when the catalog is built, so no input at check
 * time can lengthen a probe beyond the table's longest run. */
AZ_INLINE uint64_t az_name_hash(const char *s, size_t n, uint64_t seed)
{
    uint64_t a, b;
    if (AZ_LIKELY(n <= 16)) {
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
    } else {
        const char *p = s, *end = s + n - 16;
        do {
            seed = az_fold_mul(az_load64(p) ^ seed ^ AZ_K2,
                               az_load64(p + 8) ^ seed ^ AZ_K3);
            p += 16;
        } while (p < end);
        a = az_load64(end);
        b = az_load64(end + 8);
    }
    return az_fold_mul(a ^ seed ^ AZ_K1, b ^ ((uint64_t)n * AZ_K2) ^ AZ_K3);
}

/* The action table is keyed by (type name, action name): the action's hash
 * is seeded with the type name's, so the string path finds both names with
 * one probe. Its slots hold (type << 6 | action bit) + 1. */
#define AZ_PAIR_SHIFT 6u

/* The check stored in a slot: the high half of the hash (the low bits pick
 * the slot, so they would filter nothing). */
AZ_INLINE uint32_t az_slot_hash(uint64_t h)
{
    return (uint32_t)(h >> 32);
}

/* ------------------------------------------------------------------------ */
/* Name lookups (inline: the check path uses them)                           */
/* ------------------------------------------------------------------------ */

/* Equal bytes? Names up to 16 bytes are compared with the same (possibly
 * overlapping) loads the hash makes, which cover every byte; longer ones a
 * word at a time, the last word overlapping. Never reads outside [0, n) of
 * either. */
AZ_INLINE int az_bytes_eq(const char *a, const char *b, size_t n)
{
    if (n >= 8) {
        size_t i;
        uint64_t d = az_load64(a + n - 8) ^ az_load64(b + n - 8);
        if (AZ_UNLIKELY(n > 16))
            for (i = 0; i + 8 < n; i += 8)
                d |= az_load64(a + i) ^ az_load64(b + i);
        else
            d |= az_load64(a) ^ az_load64(b);
        return d == 0;
    }
    if (n >= 4)
        return ((az_load32(a) ^ az_load32(b)) |
                (az_load32(a + n - 4) ^ az_load32(b + n - 4))) == 0;
    return n == 0 || (a[0] == b[0] && a[n - 1] == b[n - 1] &&
                      a[n >> 1] == b[n >> 1]);
}

AZ_INLINE int az_name_eq(const authz_catalog *cat, struct az_name name,
                         const char *s, size_t n)
{
    return name.len == n && az_bytes_eq(cat->pool + name.off, s, n);
}

/* Each returns the index or -1, after one hash and a probe bounded by the
 * longest run of the (fixed) table, whatever the input bytes. */
AZ_INLINE int32_t az_type_find(const authz_catalog *cat, const char *s,
                               size_t n)
{
    uint64_t h = az_name_hash(s, n, cat->seed);
    uint32_t i = (uint32_t)h & cat->type_mask;
    for (;; i = (i + 1) & cat->type_mask) {
        struct az_slot slot = cat->type_index[i];
        if (slot.id == 0)
            return -1;
        if (slot.hash == az_slot_hash(h) &&
            az_name_eq(cat, cat->types[slot.id - 1].name, s, n))
            return (int32_t)(slot.id - 1);
    }
}

/* Both names of a check at once: the action's bit within the type, with
 * *type set, or -1 when the catalog has no such type or the type no such
 * action. One probe of the action table, verified by comparing both names. */
AZ_INLINE int32_t az_pair_find(const authz_catalog *cat, const char *res,
                               size_t res_len, const char *act,
                               size_t act_len, uint32_t *type)
{
    uint64_t h = az_name_hash(act, act_len,
                              az_name_hash(res, res_len, cat->seed));
    uint32_t i = (uint32_t)h & cat->action_mask;
    for (;; i = (i + 1) & cat->action_mask) {
        struct az_slot slot = cat->action_index[i];
        if (slot.id == 0)
            return -1;
        if (slot.hash == az_slot_hash(h)) {
            uint32_t t = (slot.id - 1) >> AZ_PAIR_SHIFT;
            uint32_t bit = (slot.id - 1) & (AZ_MAX_ACTIONS - 1);
            const struct az_type *ty = &cat->types[t];
            if (az_name_eq(cat, ty->name, res, res_len) &&
                az_name_eq(cat, cat->actions[ty->first_action + bit], act,
                           act_len)) {
                *type = t;
                return (int32_t)bit;
            }
        }
    }
}

/* The bit of an action within a known type, or -1. */
AZ_INLINE int32_t az_action_find(const authz_catalog *cat, uint32_t type,
                                 const char *s, size_t n)
{
    const struct az_type *ty = &cat->types[type];
    uint64_t h = az_name_hash(
        s, n, az_name_hash(az_name_ptr(cat, ty->name), ty->name.len, cat->seed));
    uint32_t i = (uint32_t)h & cat->action_mask;
    for (;; i = (i + 1) & cat->action_mask) {
        struct az_slot slot = cat->action_index[i];
        if (slot.id == 0)
            return -1;
        if (slot.hash == az_slot_hash(h) &&
            (slot.id - 1) >> AZ_PAIR_SHIFT == type) {
            uint32_t bit = (slot.id - 1) & (AZ_MAX_ACTIONS - 1);
            if (az_name_eq(cat, cat->actions[ty->first_action + bit], s, n))
                return (int32_t)bit;
        }
    }
}

AZ_INLINE int32_t az_scope_find(const authz_catalog *cat, const char *s,
                                size_t n)
{
    uint64_t h = az_name_hash(s, n, cat->seed);
    uint32_t i = (uint32_t)h & cat->scope_mask;
    for (;; i = (i + 1) & cat->scope_mask) {
        struct az_slot slot = cat->scope_index[i];
        if (slot.id == 0)
            return -1;
        if (slot.hash == az_slot_hash(h) &&
            az_name_eq(cat, cat->scopes[slot.id - 1].name, s, n))
            return (int32_t)(slot.id - 1);
    }
}

/* ------------------------------------------------------------------------ */
/* UUIDs                                                                     */
/* ------------------------------------------------------------------------ */

struct az_uuid {
    uint64_t hi, lo; /* the 32 hex digits, most significant first */
};

/* Hex digit values; 0xf0 marks a byte that is not a hex digit. */
extern const unsigned char az_hexval[256];

/* Eight hex digits (s[0] most significant) to a 32-bit value, eight bytes
 * at a time. Each byte is tested for '0'-'9' and, with bit 5 set,
 * 'a'-'f', by adding constants that carry into its high bit exactly when
 * it is in range (no carry crosses bytes, as no byte has its high bit set);
 * then (c & 15) + 9 * (c >> 6) is the digit for all three ranges, and three
 * shift-and-mask steps pack the nibbles. A byte that is not a hex digit
 * sets its high bit in *bad. */
AZ_INLINE uint64_t az_hex8(const char *s, uint64_t *bad)
{
    uint64_t x = az_load64(s), y = x | AZ_ONES * 0x20, v;
    uint64_t digit = (x + AZ_ONES * (0x80 - 0x30)) &
                     ~(x + AZ_ONES * (0x7f - 0x39));
    uint64_t alpha = (y + AZ_ONES * (0x80 - 0x61)) &
                     ~(y + AZ_ONES * (0x7f - 0x66));
    *bad |= (~(digit | alpha) | x) & AZ_HIGHS;
    v = (x & AZ_ONES * 0x0f) + ((x >> 6) & AZ_ONES) * 9;
    v = ((v << 4) | (v >> 8)) & UINT64_C(0x00ff00ff00ff00ff);
    v = ((v << 8) | (v >> 16)) & UINT64_C(0x0000ffff0000ffff);
    return ((v << 16) | (v >> 32)) & UINT64_C(0xffffffff);
}

#if defined(__SSE2__) && defined(__x86_64__) && \
    (defined(__GNUC__) || defined(__clang__))
/* x86-64 (where SSE2 is always there): 16 digits per vector. Each byte is
 * tested for '0'-'9' and, with bit 5 set, 'a'-'f' (signed compares, so a
 * byte >= 0x80 fails both); its value is (c & 15), plus 9 for a letter;
 * then each pair of digits becomes one byte and the two vectors are packed
 * into the 16 bytes of the UUID, most significant first. */
#include <emmintrin.h>
#define AZ_UUID_SIMD 1

AZ_INLINE __m128i az_hex16(__m128i x, __m128i *ok)
{
    __m128i low = _mm_or_si128(x, _mm_set1_epi8(0x20));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(low, _mm_set1_epi8('a' - 1)),
                                  _mm_cmplt_epi8(low, _mm_set1_epi8('f' + 1)));
    __m128i v = _mm_add_epi8(_mm_and_si128(x, _mm_set1_epi8(0x0f)),
                             _mm_and_si128(alpha, _mm_set1_epi8(9)));
    *ok = _mm_and_si128(*ok, _mm_or_si128(digit, alpha));
    v = _mm_or_si128(_mm_slli_epi16(v, 4), _mm_srli_epi16(v, 8));
    return _mm_and_si128(v, _mm_set1_epi16(0x00ff));
}

/* The 32 digits held in two vectors (d[0..15], d[16..31]) to *out. */
AZ_INLINE int az_hex32(__m128i a, __m128i b, struct az_uuid *out)
{
    __m128i ok = _mm_set1_epi8(-1);
    __m128i bytes = _mm_packus_epi16(az_hex16(a, &ok), az_hex16(b, &ok));
    out->hi = __builtin_bswap64((uint64_t)_mm_cvtsi128_si64(bytes));
    out->lo = __builtin_bswap64(
        (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(bytes, bytes)));
    return _mm_movemask_epi8(ok) == 0xffff;
}

AZ_INLINE __m128i az_load128(const char *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* The 8-4-4-4-12 form, the one checks see almost always: the digits are
 * gathered past the dashes by blending loads at offsets 0, 1, 2 and 19,
 * 20, and the dashes tested with one more at 8 (all inside the 36
 * bytes). */
AZ_INLINE int az_uuid_dashed(const char *s, struct az_uuid *out)
{
    const __m128i m8 = _mm_set_epi32(0, 0, -1, -1);      /* bytes 0-7 */
    const __m128i m12 = _mm_set_epi32(0, -1, -1, -1);    /* bytes 0-11 */
    const __m128i m4 = _mm_set_epi32(0, 0, 0, -1);       /* bytes 0-3 */
    __m128i a = _mm_or_si128(
        _mm_and_si128(az_load128(s), m8),
        _mm_or_si128(_mm_and_si128(az_load128(s + 1), _mm_andnot_si128(m8, m12)),
                     _mm_andnot_si128(m12, az_load128(s + 2))));
    __m128i b = _mm_or_si128(_mm_and_si128(az_load128(s + 19), m4),
                             _mm_andnot_si128(m4, az_load128(s + 20)));
    /* s[8..23] holds the four dashes at 0, 5, 10 and 15. */
    __m128i dash = _mm_cmpeq_epi8(az_load128(s + 8), _mm_set1_epi8('-'));
    return az_hex32(a, b, out) & ((_mm_movemask_epi8(dash) & 0x8421) == 0x8421);
}

/* 32 hex digits, no dashes. */
AZ_INLINE int az_uuid_plain(const char *s, struct az_uuid *out)
{
    return az_hex32(az_load128(s), az_load128(s + 16), out);
}
#else
/* The 8-4-4-4-12 form, the one checks see almost always: the 32 digits are
 * gathered into one buffer and decoded as four words. */
AZ_INLINE int az_uuid_dashed(const char *s, struct az_uuid *out)
{
    char d[32];
    uint64_t bad = 0;
    memcpy(d, s, 8);
    memcpy(d + 8, s + 9, 4);
    memcpy(d + 12, s + 14, 4);
    memcpy(d + 16, s + 19, 4);
    memcpy(d + 20, s + 24, 12);
    out->hi = az_hex8(d, &bad) << 32 | az_hex8(d + 8, &bad);
    out->lo = az_hex8(d + 16, &bad) << 32 | az_hex8(d + 24, &bad);
    return bad == 0 &&
           ((s[8] ^ '-') | (s[13] ^ '-') | (s[18] ^ '-') | (s[23] ^ '-')) == 0;
}

/* 32 hex digits, no dashes. */
AZ_INLINE int az_uuid_plain(const char *s, struct az_uuid *out)
{
    uint64_t bad = 0;
    out->hi = az_hex8(s, &bad) << 32 | az_hex8(s + 8, &bad);
    out->lo = az_hex8(s + 16, &bad) << 32 | az_hex8(s + 24, &bad);
    return bad == 0;
}
#endif

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

/* Scans an entry eight bytes at a time: returns the offset of the first
 * byte outside 0x21-0x7e (space, control, DEL, non-ASCII), or n, and sets
 * *colon to the offset of the first ':' (or n). */
size_t az_scan(const char *s, size_t n, size_t *colon);

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
    /* One byte per slot: 0 empty, else 0x80 | 7 bits of the id's hash.
     * cap + 8 bytes; the last 8 repeat the first 8, so a group of 8 can be
     * read at any slot without wrapping. */
    uint8_t *ctrl;
    struct az_tagidx *overflow; /* separate allocation; NULL when unused */
    uint32_t n_scopes;
    uint32_t n_allow;       /* entries given, before duplicates went */
    uint32_t allow_all;     /* `*:*` listed */
    uint32_t allow_all_index;
    uint32_t n_wild;
    uint32_t n_ids;         /* distinct UUIDs in the set */
    uint32_t cap;           /* slots, >= 8 and > n_ids: every probe ends */
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
 * so nobody who writes an allow list can choose ids that collide. The high
 * 32 bits pick the slot, the low 7 the control byte. */
AZ_INLINE uint64_t az_id_hash(const uint64_t key[4], uint64_t hi, uint64_t lo)
{
    return az_fold_mul(hi ^ key[0], lo ^ key[1]);
}

AZ_INLINE uint8_t az_ctrl_byte(uint64_t h)
{
    return (uint8_t)(0x80u | (h & 0x7fu));
}



/* Maps a hash onto [0, cap) without a division (Lemire's multiply-shift). */
AZ_INLINE uint32_t az_reduce(uint64_t h, uint32_t cap)
{
    return (uint32_t)(((h >> 32) * (uint64_t)cap) >> 32);
}


/* The slot holding `id`, or NULL. Linear probing, 8 control bytes at a
 * time: the bytes equal to the id's control byte are candidates (a SWAR
 * zero-byte test, whose rare false positives the key comparison rejects),
 * and the first group holding an empty byte ends the search, since an
 * insertion never skips an empty slot. */
AZ_INLINE const struct az_idslot *az_id_probe(const authz_token *tok,
                                              const struct az_uuid *id,
                                              uint64_t h, uint32_t i)
{
    uint64_t want = AZ_ONES * az_ctrl_byte(h);
    for (;;) {
        uint64_t group, x, match;
        memcpy(&group, tok->ctrl + i, 8);
        x = group ^ want;
        match = (x - AZ_ONES) & ~x & AZ_HIGHS;
        while (match != 0) {
            uint32_t j = i + (uint32_t)(__builtin_ctzll(match) >> 3);
            const struct az_idslot *slot;
            j = j >= tok->cap ? j - tok->cap : j;
            slot = &tok->slots[j];
            if (slot->hi == id->hi && slot->lo == id->lo)
                return slot;
            match &= match - 1;
        }
        if (~group & AZ_HIGHS)
            return NULL;
        i += 8;
        i = i >= tok->cap ? i - tok->cap : i;
    }
}

/* The same, from the id alone (az_id_probe takes the hash and the first
 * slot computed ahead, as authz_check_many does to prefetch). The loop is
 * az_id_probe's, written out again: gcc 12 schedules the single check 7
 * instructions longer when it goes through the helper. */
AZ_INLINE const struct az_idslot *az_id_find(const authz_token *tok,
                                             const struct az_uuid *id)
{
    uint64_t h = az_id_hash(tok->key, id->hi, id->lo);
    uint64_t want = AZ_ONES * az_ctrl_byte(h);
    uint32_t i = az_reduce(h, tok->cap);
    for (;;) {
        uint64_t group, x, match;
        memcpy(&group, tok->ctrl + i, 8);
        x = group ^ want;
        match = (x - AZ_ONES) & ~x & AZ_HIGHS;
        while (match != 0) {
            uint32_t j = i + (uint32_t)(__builtin_ctzll(match) >> 3);
            const struct az_idslot *slot;
            j = j >= tok->cap ? j - tok->cap : j;
            slot = &tok->slots[j];
            if (slot->hi == id->hi && slot->lo == id->lo)
                return slot;
            match &= match - 1;
        }
        if (~group & AZ_HIGHS)
            return NULL;
        i += 8;
        i = i >= tok->cap ? i - tok->cap : i;
    }
}

/* Hints that the control bytes and the first slot of a probe from slot i
 * will be read soon. */
AZ_INLINE void az_id_prefetch(const authz_token *tok, uint32_t i)
{
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(tok->ctrl + i);
    __builtin_prefetch(&tok->slots[i]);
#else
    (void)tok;
    (void)i;
#endif
}

/* Does the id in `slot` admit type `type`? The entry for the type itself
 * if listed, else `*:<id>`: its (tag, list index) go to *tag and *index
 * (both optional). The one reader of a slot for the check, explain and
 * the granted-id listing. An id listed under several types keeps its
 * pairs in tok->overflow, sorted by tag with `*` (AZ_TAG_ANY) last. */
AZ_INLINE int az_slot_entry(const authz_token *tok,
                            const struct az_idslot *slot, uint32_t type,
                            uint32_t *tag, uint32_t *index)
{
    const struct az_tagidx *list;
    uint32_t lo, hi, n, want = type + 1;
    if (slot->tag == want || slot->tag == AZ_TAG_ANY) {
        if (tag != NULL)
            *tag = slot->tag;
        if (index != NULL)
            *index = slot->aux;
        return 1;
    }
    if (slot->tag != AZ_TAG_MULTI)
        return 0;
    n = tok->overflow[slot->aux].tag;
    list = tok->overflow + slot->aux + 1;
    lo = 0;
    hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (list[mid].tag == want) {
            lo = mid;
            hi = n + 1;
            break;
        }
        if (list[mid].tag < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (hi != n + 1) {
        if (list[n - 1].tag != AZ_TAG_ANY)
            return 0;
        lo = n - 1;
    }
    if (tag != NULL)
        *tag = list[lo].tag;
    if (index != NULL)
        *index = list[lo].index;
    return 1;
}

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
