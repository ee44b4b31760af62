/*
 * encode.c - the binary form of a token (docs/FORMAT.md), its base64url
 * wrapper, and a decoder that treats every byte as hostile.
 *
 *   magic "az" | version 1 | catalog fingerprint (8, LE)
 *   | varint S | S scope codes | varint E | E entries | CRC-32 (4, LE)
 *
 * The encoding of a token is unique: the decoder accepts only the canonical
 * form (minimal varints, strictly increasing order, the normal form of the
 * allow list), so decode(encode(t)) encodes to the same bytes and no two
 * byte strings decode to the same token.
 */
#include "internal.h"

#include <stdio.h>

#define AZ_FORMAT_VERSION 1
#define AZ_HEADER 11 /* magic 2, version 1, fingerprint 8 */
#define AZ_TRAILER 4 /* CRC-32 */

/* ---- CRC-32 (IEEE 802.3, reflected), a nibble at a time ----------------- */

static uint32_t crc32(const unsigned char *p, size_t n)
{
    static const uint32_t t[16] = {
        0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190,
        0x6b6b51f4, 0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344,
        0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278,
        0xbdbdf21c};
    uint32_t c = 0xffffffffu;
    size_t i;
    for (i = 0; i < n; i++) {
        c ^= p[i];
        c = (c >> 4) ^ t[c & 15];
        c = (c >> 4) ^ t[c & 15];
    }
    return ~c;
}

/* ---- writing ------------------------------------------------------------ */

struct wbuf {
    unsigned char *p;
    size_t cap, len;
};

static void wbyte(struct wbuf *w, unsigned v)
{
    if (w->len < w->cap)
        w->p[w->len] = (unsigned char)v;
    w->len++;
}

static void wvarint(struct wbuf *w, uint32_t v)
{
    while (v >= 0x80) {
        wbyte(w, (v & 0x7f) | 0x80);
        v >>= 7;
    }
    wbyte(w, v);
}

static void wle(struct wbuf *w, uint64_t v, int bytes)
{
    int i;
    for (i = 0; i < bytes; i++)
        wbyte(w, (unsigned)(v >> (8 * i)) & 0xff);
}

static uint32_t scope_code(uint32_t ref)
{
    if (ref == AZ_REF_STAR_STAR)
        return 0;
    if (ref & AZ_REF_NAMED)
        return 4 * (ref & ~AZ_REF_NAMED) + 1;
    if (az_ref_action(ref) == AZ_REF_ALL_ACTIONS)
        return 4 * az_ref_type(ref) + 2;
    return 4 * (64 * az_ref_type(ref) + az_ref_action(ref)) + 3;
}

int authz_token_encode(const authz_token *token, void *buf, size_t cap,
                       size_t *len)
{
    struct wbuf w = {buf, cap, 0};
    struct az_canon c;
    size_t i;
    if (az_output_args(token, buf, cap, len) != AUTHZ_OK)
        return AUTHZ_EINVAL;
    if (az_canon_build(token, &c) != AUTHZ_OK)
        return AUTHZ_ENOMEM;
    wbyte(&w, 'a');
    wbyte(&w, 'z');
    wbyte(&w, AZ_FORMAT_VERSION);
    wle(&w, token->cat->fingerprint, 8);
    wvarint(&w, (uint32_t)c.n_refs);
    for (i = 0; i < c.n_refs; i++)
        wvarint(&w, scope_code(c.refs[i]));
    wvarint(&w, (uint32_t)c.n_entries);
    for (i = 0; i < c.n_entries; i++) {
        const struct az_centry *e = &c.entries[i];
        uint32_t k = e->type == AZ_ANY_TYPE ? 0 : e->type + 1;
        wvarint(&w, 2 * k + (e->kind == AZ_ALLOW_UUID));
        if (e->kind == AZ_ALLOW_UUID) {
            int b;
            for (b = 7; b >= 0; b--)
                wbyte(&w, (unsigned)(e->id.hi >> (8 * b)) & 0xff);
            for (b = 7; b >= 0; b--)
                wbyte(&w, (unsigned)(e->id.lo >> (8 * b)) & 0xff);
        }
    }
    az_canon_free(token, &c);
    if (w.len + AZ_TRAILER <= cap)
        wle(&w, crc32(w.p, w.len), 4);
    else
        w.len += AZ_TRAILER;
    *len = w.len;
    return w.len <= cap ? AUTHZ_OK : AUTHZ_ESPACE;
}

/* ---- reading ------------------------------------------------------------ */

struct rbuf {
    const unsigned char *p;
    size_t len, pos; /* len excludes the trailer */
    authz_error *err;
};

static int bad_in(struct rbuf *r, int list, int code, size_t offset,
                  const char *what)
{
    char msg[160];
    snprintf(msg, sizeof msg, "%s at byte %zu", what, offset);
    az_error_plain(r->err, code, msg);
    if (r->err != NULL) {
        r->err->list = list;
        r->err->offset = offset;
    }
    return 0;
}

static int bad(struct rbuf *r, int code, size_t offset, const char *what)
{
    return bad_in(r, AUTHZ_LIST_ENCODING, code, offset, what);
}

/* An error in the base64url text, as opposed to the bytes it holds. */
static int bad_text(struct rbuf *r, size_t offset, const char *what)
{
    return bad_in(r, AUTHZ_LIST_ENCODING_TEXT, AUTHZ_EFORMAT, offset, what);
}

/* A minimal LEB128 of at most 32 bits. */
static int rvarint(struct rbuf *r, uint32_t *out)
{
    size_t start = r->pos;
    uint64_t v = 0;
    int shift = 0;
    for (;;) {
        unsigned char b;
        if (r->pos >= r->len)
            return bad(r, AUTHZ_EFORMAT, start, "truncated number");
        b = r->p[r->pos++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            if (b == 0 && r->pos - start > 1)
                return bad(r, AUTHZ_EFORMAT, start, "overlong number");
            break;
        }
        shift += 7;
        if (shift > 28)
            return bad(r, AUTHZ_EFORMAT, start, "number too large");
    }
    if (v > UINT32_MAX)
        return bad(r, AUTHZ_EFORMAT, start, "number too large");
    *out = (uint32_t)v;
    return 1;
}

static int scope_ref(const authz_catalog *cat, uint32_t code, uint32_t *ref)
{
    uint32_t v = code / 4;
    switch (code % 4) {
    case 0:
        *ref = AZ_REF_STAR_STAR;
        return code == 0;
    case 1: /* a named scope, never an alias: the normal form resolves them */
        *ref = AZ_REF_NAMED | v;
        return v < cat->n_scopes && cat->scopes[v].kind == AZ_SCOPE_NAMED;
    case 2:
        *ref = AZ_REF_LOW(v, AZ_REF_ALL_ACTIONS);
        return v < cat->n_types;
    default:
        *ref = AZ_REF_LOW(v / 64, v % 64);
        return v / 64 < cat->n_types &&
               v % 64 < cat->types[v / 64].n_actions;
    }
}

static authz_token *decode(const authz_catalog *cat, const unsigned char *p,
                           size_t len, const authz_options *opts,
                           authz_error *err)
{
    struct rbuf r = {p, 0, 0, err};
    struct az_limits lim;
    struct az_scratch sc;
    struct az_centry prev, cur;
    uint32_t n_scopes, n_entries, i, crc, code;
    size_t at, body;
    uint64_t fp;
    authz_token *tok;

    if (cat == NULL || (p == NULL && len != 0))
        return az_error_plain(err, AUTHZ_EINVAL,
                              cat == NULL ? "catalog is NULL"
                                          : "buffer is NULL"),
               NULL;
    if (az_limits_resolve(opts, &lim, err) != AUTHZ_OK)
        return NULL;
    if (len < AZ_HEADER + 2 + AZ_TRAILER)
        return bad(&r, AUTHZ_EFORMAT, len, "truncated token"), NULL;
    if (p[0] != 'a' || p[1] != 'z')
        return bad(&r, AUTHZ_EFORMAT, p[0] != 'a' ? 0 : 1, "bad magic"),
               NULL;
    if (p[2] != AZ_FORMAT_VERSION)
        return bad(&r, AUTHZ_EVERSION, 2, "unsupported version"), NULL;
    crc = (uint32_t)p[len - 4] | (uint32_t)p[len - 3] << 8 |
          (uint32_t)p[len - 2] << 16 | (uint32_t)p[len - 1] << 24;
    if (crc32(p, len - AZ_TRAILER) != crc)
        return bad(&r, AUTHZ_ECHECKSUM, len - AZ_TRAILER,
                   "checksum mismatch"),
               NULL;
    for (fp = 0, i = 0; i < 8; i++)
        fp |= (uint64_t)p[3 + i] << (8 * i);
    if (fp != cat->fingerprint)
        return bad(&r, AUTHZ_EMISMATCH, 3,
                   "token was encoded for another catalog"),
               NULL;

    r.len = len - AZ_TRAILER;
    r.pos = AZ_HEADER;
    /* First pass: both counts, each bounded by the bytes left (every item
     * takes at least one) before anything is allocated for it. */
    at = r.pos;
    if (!rvarint(&r, &n_scopes))
        return NULL;
    if (n_scopes > r.len - r.pos)
        return bad(&r, AUTHZ_EFORMAT, at, "scope count exceeds the data"),
               NULL;
    if (n_scopes > lim.max_scopes)
        return bad(&r, AUTHZ_ELIMIT, at, "too many scopes"), NULL;
    body = r.pos;
    for (i = 0; i < n_scopes; i++)
        if (!rvarint(&r, &code))
            return NULL;
    at = r.pos;
    if (!rvarint(&r, &n_entries))
        return NULL;
    if (n_entries > r.len - r.pos)
        return bad(&r, AUTHZ_EFORMAT, at, "entry count exceeds the data"),
               NULL;
    if (n_entries > lim.max_allow)
        return bad(&r, AUTHZ_ELIMIT, at, "too many allow entries"), NULL;
    if (!az_scratch_new(&sc, &lim.alloc, n_scopes, n_entries))
        return az_error_plain(err, AUTHZ_ENOMEM, "out of memory"), NULL;

    /* Second pass: the values, in canonical order only. */
    r.pos = body;
    for (i = 0; i < n_scopes; i++) {
        at = r.pos;
        (void)rvarint(&r, &code); /* read once already */
        if (!scope_ref(cat, code, &sc.refs[i])) {
            bad(&r, AUTHZ_EFORMAT, at, "no such scope in the catalog");
            goto fail;
        }
        if ((lim.flags & AUTHZ_PUBLIC) && !az_scope_is_public(cat, sc.refs[i])) {
            bad(&r, AUTHZ_ENOTPUBLIC, at, "scope is not public");
            goto fail;
        }
        if (i > 0 && az_ref_cmp(cat, sc.refs[i - 1], sc.refs[i]) >= 0) {
            bad(&r, AUTHZ_EFORMAT, at, "scopes out of canonical order");
            goto fail;
        }
    }
    (void)rvarint(&r, &n_entries);
    memset(&prev, 0, sizeof prev);
    for (i = 0; i < n_entries; i++) {
        uint32_t k;
        struct az_allow *e = &sc.allow[i];
        at = r.pos;
        if (!rvarint(&r, &code))
            goto fail;
        k = code / 2;
        if (k > cat->n_types) {
            bad(&r, AUTHZ_EFORMAT, at, "no such type in the catalog");
            goto fail;
        }
        memset(e, 0, sizeof *e);
        e->type = k == 0 ? AZ_ANY_TYPE : k - 1;
        e->kind = code % 2 ? AZ_ALLOW_UUID : AZ_ALLOW_WILD;
        e->index = i;
        if (e->kind == AZ_ALLOW_UUID) {
            int b;
            if (r.len - r.pos < 16) {
                bad(&r, AUTHZ_EFORMAT, r.pos, "truncated id");
                goto fail;
            }
            for (b = 0; b < 8; b++)
                e->id.hi = e->id.hi << 8 | r.p[r.pos++];
            for (b = 0; b < 8; b++)
                e->id.lo = e->id.lo << 8 | r.p[r.pos++];
        }
        /* The normal form: strictly increasing; `*:*` stands alone; no
         * `T:<id>` after the `T:*` that would absorb it. */
        az_centry_set(&cur, cat, e->type, e->kind, &e->id);
        if ((i > 0 && az_centry_cmp(&prev, &cur) >= 0) ||
            (e->type == AZ_ANY_TYPE && e->kind == AZ_ALLOW_WILD &&
             n_entries != 1) ||
            (i > 0 && prev.kind == AZ_ALLOW_WILD && cur.type == prev.type)) {
            bad(&r, AUTHZ_EFORMAT, at, "allow list not in normal form");
            goto fail;
        }
        prev = cur;
    }
    if (r.pos != r.len) {
        bad(&r, AUTHZ_EFORMAT, r.pos, "trailing bytes");
        goto fail;
    }
    tok = az_token_compile(cat, &lim, &sc, err);
    az_scratch_free(&sc, &lim.alloc);
    return tok;

fail:
    az_scratch_free(&sc, &lim.alloc);
    return NULL;
}

authz_token *authz_token_decode_ex(const authz_catalog *catalog,
                                   const void *buf, size_t len,
                                   const authz_options *opts,
                                   authz_error *err)
{
    return decode(catalog, buf, len, opts, err);
}

authz_token *authz_token_decode(const authz_catalog *catalog,
                                const void *buf, size_t len,
                                authz_error *err)
{
    return decode(catalog, buf, len, NULL, err);
}

/* ---- base64url ---------------------------------------------------------- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int authz_token_encode_text(const authz_token *token, char *buf, size_t cap,
                            size_t *len)
{
    unsigned char stack[512], *bin = stack;
    size_t n, out, i, o = 0;
    int code;
    if (az_output_args(token, buf, cap, len) != AUTHZ_OK)
        return AUTHZ_EINVAL;
    code = authz_token_encode(token, stack, sizeof stack, &n);
    if (code == AUTHZ_ESPACE) {
        bin = token->alloc.malloc(token->alloc.ctx, n);
        if (bin == NULL)
            return AUTHZ_ENOMEM;
        code = authz_token_encode(token, bin, n, &n);
    }
    if (code != AUTHZ_OK)
        goto done;
    out = n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
    *len = out;
    if (out >= cap) {
        if (cap > 0)
            buf[0] = '\0';
        code = AUTHZ_ESPACE;
        goto done;
    }
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)bin[i] << 16 | (uint32_t)bin[i + 1] << 8 |
                     bin[i + 2];
        buf[o++] = b64[v >> 18];
        buf[o++] = b64[v >> 12 & 63];
        buf[o++] = b64[v >> 6 & 63];
        buf[o++] = b64[v & 63];
    }
    if (n - i == 1) {
        buf[o++] = b64[bin[i] >> 2];
        buf[o++] = b64[(bin[i] & 3) << 4];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)bin[i] << 8 | bin[i + 1];
        buf[o++] = b64[v >> 10];
        buf[o++] = b64[v >> 4 & 63];
        buf[o++] = b64[(v & 15) << 2];
    }
    buf[o] = '\0';
done:
    if (bin != stack)
        token->alloc.free(token->alloc.ctx, bin);
    return code;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

authz_token *authz_token_decode_text(const authz_catalog *catalog,
                                     const char *text, size_t len,
                                     const authz_options *opts,
                                     authz_error *err)
{
    struct az_limits lim;
    unsigned char *bin;
    size_t i, n = 0;
    uint32_t acc = 0;
    int bits = 0;
    authz_token *tok;
    struct rbuf r = {NULL, 0, 0, err};

    if (catalog == NULL || (text == NULL && len != 0))
        return az_error_plain(err, AUTHZ_EINVAL,
                              catalog == NULL ? "catalog is NULL"
                                              : "text is NULL"),
               NULL;
    if (az_limits_resolve(opts, &lim, err) != AUTHZ_OK)
        return NULL;
    /* 1 mod 4 characters cannot be the end of any byte string. */
    if (len % 4 == 1)
        return bad_text(&r, len, "truncated base64url"), NULL;
    bin = lim.alloc.malloc(lim.alloc.ctx, len / 4 * 3 + 3);
    if (bin == NULL)
        return az_error_plain(err, AUTHZ_ENOMEM, "out of memory"), NULL;
    for (i = 0; i < len; i++) {
        int v = b64val((unsigned char)text[i]);
        if (v < 0) {
            lim.alloc.free(lim.alloc.ctx, bin);
            return bad_text(&r, i, "not a base64url character"), NULL;
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bin[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* Unused low bits must be zero: one text per byte string. */
    if (acc != 0) {
        lim.alloc.free(lim.alloc.ctx, bin);
        return bad_text(&r, len - 1, "non-canonical base64url"), NULL;
    }
    tok = decode(catalog, bin, n, opts, err);
    lim.alloc.free(lim.alloc.ctx, bin);
    return tok;
}
