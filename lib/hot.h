/*
 * hot.h - the check path's inline code, in one place: name hashing and the
 * catalog lookups, the UUID decoders, the allow-set probe and the reader of
 * an id slot. Everything here runs in bounded time and never allocates.
 * Private: part of internal.h.
 */
#ifndef AUTHZ_HOT_H
#define AUTHZ_HOT_H

#include "catalog.h"
#include "uuid.h"
#include "token.h"

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
_Static_assert(1u << AZ_PAIR_SHIFT == AZ_MAX_ACTIONS,
               "an action bit fills the low bits of a pair's id");

/* The check stored in a slot: the high half of the hash (the low bits pick
 * the slot, so they would filter nothing). */
AZ_INLINE uint32_t az_slot_hash(uint64_t h)
{
    return (uint32_t)(h >> 32);
}

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
/* x86-64 (where SSE2 is always there): 16 digits per vector. Adding
 * 0x80 - '0' moves '0'-'9' to the ten smallest signed bytes, and adding
 * 0x80 - 'a' to a byte with bit 5 set moves 'a'-'f' (and 'A'-'F') to the
 * six smallest, so one signed compare finds the bytes above each range (a
 * byte >= 0x80 lands above both); a digit's value is (c & 15), plus 9 for
 * a letter; then each pair of digits becomes one byte and the two vectors
 * are packed into the 16 bytes of the UUID, most significant first. */
#include <emmintrin.h>
#define AZ_UUID_SIMD 1

AZ_INLINE __m128i az_hex16(__m128i x, __m128i *bad)
{
    __m128i not_digit = _mm_cmpgt_epi8(
        _mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - '0'))),
        _mm_set1_epi8((char)(0x80 + 9)));
    __m128i not_alpha = _mm_cmpgt_epi8(
        _mm_add_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)),
                     _mm_set1_epi8((char)(0x80 - 'a'))),
        _mm_set1_epi8((char)(0x80 + 5)));
    __m128i v = _mm_add_epi8(_mm_and_si128(x, _mm_set1_epi8(0x0f)),
                             _mm_andnot_si128(not_alpha, _mm_set1_epi8(9)));
    *bad = _mm_or_si128(*bad, _mm_and_si128(not_digit, not_alpha));
    v = _mm_or_si128(_mm_slli_epi16(v, 4), _mm_srli_epi16(v, 8));
    return _mm_and_si128(v, _mm_set1_epi16(0x00ff));
}

/* The 32 digits held in two vectors (d[0..15], d[16..31]) to *out. */
AZ_INLINE int az_hex32(__m128i a, __m128i b, struct az_uuid *out)
{
    __m128i bad = _mm_setzero_si128();
    __m128i bytes = _mm_packus_epi16(az_hex16(a, &bad), az_hex16(b, &bad));
    out->hi = __builtin_bswap64((uint64_t)_mm_cvtsi128_si64(bytes));
    out->lo = __builtin_bswap64(
        (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(bytes, bytes)));
    return _mm_movemask_epi8(bad) == 0;
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

/* The control bytes of the AZ_CTRL_MIRROR slots from slot i, as two bit
 * masks (bit k for slot i + k): the empty ones (*empty) and the candidates
 * (*cand), those equal to `want` before the first empty one (all of them
 * if none is empty), since an insertion never skips an empty slot. With
 * SSE2 one compare each; else eight bytes at a time with a SWAR zero-byte
 * test (its false positives lie only above a true zero, so the lowest
 * empty bit is exact, and a false candidate is rejected by the key
 * comparison). */
#if defined(AZ_EXPECT_PORTABLE) && defined(AZ_UUID_SIMD)
#error "AZ_EXPECT_PORTABLE: this build was meant to leave the SSE2 code out"
#endif
#if defined(AZ_UUID_SIMD)
_Static_assert(AZ_CTRL_MIRROR == 16, "one SSE2 compare covers the window");
AZ_INLINE void az_ctrl_masks(const authz_token *tok, uint32_t i, uint8_t want,
                             uint32_t *match, uint32_t *empty)
{
    __m128i c = az_load128((const char *)tok->ctrl + i);
    *match = (uint32_t)_mm_movemask_epi8(
        _mm_cmpeq_epi8(c, _mm_set1_epi8((char)want)));
    *empty = (uint32_t)_mm_movemask_epi8(
        _mm_cmpeq_epi8(c, _mm_setzero_si128()));
}
#else
AZ_INLINE void az_ctrl_masks(const authz_token *tok, uint32_t i, uint8_t want,
                             uint32_t *match, uint32_t *empty)
{
    uint32_t k;
    *match = *empty = 0;
    for (k = 0; k < AZ_CTRL_MIRROR; k += 8) {
        uint64_t c = az_load64((const char *)tok->ctrl + i + k), x;
        x = c ^ AZ_ONES * want;
        x = (x - AZ_ONES) & ~x & AZ_HIGHS;
        c = (c - AZ_ONES) & ~c & AZ_HIGHS;
        /* the high bit of byte b to bit b: one multiply gathers them */
        *match |= (uint32_t)((x >> 7) * UINT64_C(0x0102040810204080) >> 56) << k;
        *empty |= (uint32_t)((c >> 7) * UINT64_C(0x0102040810204080) >> 56) << k;
    }
}
#endif

AZ_INLINE void az_ctrl_window(const authz_token *tok, uint32_t i, uint8_t want,
                              uint32_t *cand, uint32_t *empty)
{
    uint32_t match;
    az_ctrl_masks(tok, i, want, &match, empty);
    *cand = match & ((*empty & (0 - *empty)) - 1); /* all if none empty */
}

/* The slot holding `id`, or NULL. Linear probing, a window of control
 * bytes at a time: the bytes equal to the id's control byte are candidates
 * (az_ctrl_window), and a window with an empty byte ends the search. */
AZ_INLINE const struct az_idslot *az_id_probe(const authz_token *tok,
                                              const struct az_uuid *id,
                                              uint64_t h, uint32_t i)
{
    const uint8_t want = az_ctrl_byte(h);
    for (;;) {
        uint32_t cand, empty;
        az_ctrl_window(tok, i, want, &cand, &empty);
        for (; cand != 0; cand &= cand - 1) {
            uint32_t j = i + (uint32_t)__builtin_ctz(cand);
            const struct az_idslot *slot =
                &tok->slots[j >= tok->cap ? j - tok->cap : j];
            if (slot->hi == id->hi && slot->lo == id->lo)
                return slot;
        }
        if (empty != 0)
            return NULL;
        i += AZ_CTRL_MIRROR;
        i = i >= tok->cap ? i - tok->cap : i;
    }
}

/* The same, from the id alone (az_id_probe takes the hash and the first
 * slot, as az_id_admits computes them). */
AZ_INLINE const struct az_idslot *az_id_find(const authz_token *tok,
                                             const struct az_uuid *id)
{
    uint64_t h = az_id_hash(tok->key, id->hi, id->lo);
    return az_id_probe(tok, id, h, az_reduce(h, tok->cap));
}

/* Hints that the memory at p will be read soon. */
AZ_INLINE void az_prefetch(const void *p)
{
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

/* May `target` be used with `tok`: both given, resolved, and against the
 * token's catalog? Anything else denies. */
AZ_INLINE int az_target_fits(const authz_token *tok, const authz_target *t)
{
    return tok != NULL && t != NULL && t->valid_ && t->catalog_ == tok->cat;
}

/* docs/SPEC.md 4.1: does some scope of the token grant (type, action)? */
AZ_INLINE int az_token_grants(const authz_token *tok, uint32_t type,
                              uint32_t action)
{
    return (int)(tok->masks[type] >> action & 1);
}

/* docs/SPEC.md 4.2: is every object of `type` admitted, with or without an
 * id (`*:*` or `type:*` listed)? */
AZ_INLINE int az_token_admits_all(const authz_token *tok, uint32_t type)
{
    return tok->allow_all || az_bit_has(tok->allow_wild, type);
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

/* Does the id set admit `id` for type `type`: 1 or 0, as az_id_probe and
 * az_slot_entry together decide, h and i being its hash and first slot.
 * In linear probing an id lies between its first slot and the first empty
 * one, so one window of control bytes decides almost every probe: a miss
 * when it has an empty slot and no candidate before it, a hit when its
 * first candidate holds the id. Anything else (a candidate that is
 * another id, a run longer than the window, an id listed under several
 * types) takes the general probe. */
/* The general probe and az_slot_entry, out of line: the rare way out of
 * az_id_admits, kept apart so the check path stays small. */
int az_id_admits_slow(const authz_token *tok, const struct az_uuid *id,
                      uint64_t h, uint32_t i, uint32_t type);

AZ_INLINE int az_id_admits(const authz_token *tok, const struct az_uuid *id,
                           uint64_t h, uint32_t i, uint32_t type)
{
    const struct az_idslot *slot;
    uint32_t empty, cand;
    az_ctrl_window(tok, i, az_ctrl_byte(h), &cand, &empty);
    if (cand != 0) {
        uint32_t j = i + (uint32_t)__builtin_ctz(cand);
        slot = &tok->slots[j >= tok->cap ? j - tok->cap : j];
        if (AZ_LIKELY(((slot->hi ^ id->hi) | (slot->lo ^ id->lo)) == 0 &&
                      slot->tag != AZ_TAG_MULTI))
            return (slot->tag == type + 1) | (slot->tag == AZ_TAG_ANY);
    } else if (AZ_LIKELY(empty != 0)) {
        return 0;
    }
    return az_id_admits_slow(tok, id, h, i, type);
}

#endif /* AUTHZ_HOT_H */
