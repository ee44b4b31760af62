/*
 * fuzz_decode.c - the binary token decoder (authz_token_decode and _ex,
 * authz_token_decode_text) on the embedded Coder catalog.
 *
 * Input: one mode byte, then the encoded bytes. Mode bit 0 appends the
 * CRC-32 of those bytes, so that mutations get past the checksum and reach
 * the rest of the decoder; bit 1 also decodes them as base64url text.
 *
 * Invariants:
 *   - a refusal is NULL with an encoding error code, list
 *     AUTHZ_LIST_ENCODING and an offset inside the input (never a checksum
 *     error when the harness appended the right checksum);
 *   - the encoding is canonical: a decoded token encodes to exactly the
 *     input bytes, as binary and as text;
 *   - a decoded token equals the token built from its own normal-form lists
 *     (authz_token_scopes, authz_token_allow): same encoding, and the same
 *     decisions, which are the reference model's;
 *   - failing any one allocation of a successful decode gives NULL and
 *     AUTHZ_ENOMEM, leaking nothing.
 */
#include "fuzz.h"

static uint32_t crc32_zlib(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        crc ^= p[i];
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static size_t base64url(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t i, o = 0;
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = digits[v >> 18 & 63];
        out[o++] = digits[v >> 12 & 63];
        out[o++] = digits[v >> 6 & 63];
        out[o++] = digits[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        out[o++] = digits[v >> 18 & 63];
        out[o++] = digits[v >> 12 & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = digits[v >> 18 & 63];
        out[o++] = digits[v >> 12 & 63];
        out[o++] = digits[v >> 6 & 63];
    }
    return o;
}

static void assert_refusal(const authz_error *err, size_t len, bool crc_ok)
{
    FUZZ_ASSERT(err->code == AUTHZ_EFORMAT || err->code == AUTHZ_EVERSION ||
                    err->code == AUTHZ_EMISMATCH ||
                    err->code == AUTHZ_ECHECKSUM || err->code == AUTHZ_ELIMIT,
                "decode refused with code %d (%s)", err->code, err->message);
    FUZZ_ASSERT(err->list == AUTHZ_LIST_ENCODING, "list %d", err->list);
    FUZZ_ASSERT(err->offset <= len, "offset %zu of %zu bytes", err->offset,
                len);
    if (crc_ok)
        FUZZ_ASSERT(err->code != AUTHZ_ECHECKSUM, "checksum refused");
    fz_assert_message(err);
}

/* Encodes tok and compares with want[len]. */
static void assert_encodes_to(const authz_token *tok, const uint8_t *want,
                              size_t len, const char *what)
{
    uint8_t *out = fz_xmalloc(len + 1);
    size_t n = 0;
    int code = authz_token_encode(tok, out, len + 1, &n);
    FUZZ_ASSERT(code == AUTHZ_OK && n == len && memcmp(out, want, len) == 0,
                "%s: encode code %d, %zu bytes for %zu", what, code, n, len);
    free(out);
}

static authz_str *list_strs(const authz_list *l, size_t *n)
{
    size_t i;
    authz_str *s;
    *n = authz_list_count(l);
    s = fz_xmalloc(*n * sizeof *s);
    for (i = 0; i < *n; i++) {
        s[i].ptr = authz_list_get(l, i);
        s[i].len = strlen(s[i].ptr);
    }
    return s;
}

/* The decoded token against the one built from its normal-form lists, and
 * both against the model, on requests made of those lists. */
static void compare_rebuilt(const authz_token *tok, const uint8_t *buf,
                            size_t len)
{
    authz_error err;
    authz_list *sl = authz_token_scopes(tok, &err), *al;
    authz_str *ss, *as;
    const char **ms, **ma;
    authz_options opts;
    authz_token *again;
    ref_token *mt;
    size_t ns, na, i, p;
    int code;

    FUZZ_ASSERT(sl != NULL, "authz_token_scopes: %s", err.message);
    al = authz_token_allow(tok, &err);
    FUZZ_ASSERT(al != NULL, "authz_token_allow: %s", err.message);
    ss = list_strs(sl, &ns);
    as = list_strs(al, &na);
    authz_options_init(&opts);
    opts.max_allow = na > 0 ? na : 1;
    opts.max_scopes = ns > 0 ? ns : 1;
    again = authz_token_new_ex(authz_catalog_coder(), ss, ns, as, na, &opts,
                               &err);
    FUZZ_ASSERT(again != NULL, "rebuilding a decoded token: %s", err.message);
    assert_encodes_to(again, buf, len, "rebuilt token");

    ms = fz_xmalloc((ns + 1) * sizeof *ms);
    ma = fz_xmalloc((na + 1) * sizeof *ma);
    for (i = 0; i < ns; i++)
        ms[i] = ss[i].ptr;
    for (i = 0; i < na; i++)
        ma[i] = as[i].ptr;
    mt = ref_token_new(ms, ns, ma, na, na + 1, &code);
    FUZZ_ASSERT(mt != NULL, "the model refuses the lists (code %d)", code);

    /* Every fixed pair against up to 8 listed ids, no id, and a stranger. */
    for (p = 0; p < FZ_N_PAIRS; p++) {
        for (i = 0; i <= na && i < 10; i++) {
            const char *r = FZ_PAIRS[p][0], *a = FZ_PAIRS[p][1];
            const char *id = NULL, *colon;
            bool lib, rebuilt, model;
            if (i < na && i < 8) {
                colon = strchr(ma[i], ':');
                id = colon != NULL ? colon + 1 : NULL;
            } else if (i == 9 || i == na) {
                id = "00000000-0000-4000-8000-00000000f00d";
            }
            lib = authz_check(tok, r, id, a);
            rebuilt = authz_check(again, r, id, a);
            model = ref_check(mt, r, id, a);
            FUZZ_ASSERT(lib == rebuilt && lib == model,
                        "(%s, %s, %s): decoded %d, rebuilt %d, model %d", r,
                        id ? id : "(null)", a, lib, rebuilt, model);
        }
    }
    ref_token_free(mt);
    free(ms);
    free(ma);
    free(ss);
    free(as);
    authz_list_free(sl);
    authz_list_free(al);
    authz_token_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf;
    size_t len;
    unsigned mode;
    authz_error err;
    authz_token *tok;
    authz_options opts;
    authz_allocator alloc;
    fz_alloc st;
    bool decoded;

    if (size == 0)
        return 0;
    mode = data[0];
    len = size - 1 + ((mode & 1u) ? 4u : 0u);
    buf = fz_xmalloc(len);
    if (size > 1)
        memcpy(buf, data + 1, size - 1);
    if (mode & 1u) {
        uint32_t crc = crc32_zlib(data + 1, size - 1);
        buf[size - 1] = (uint8_t)crc;
        buf[size] = (uint8_t)(crc >> 8);
        buf[size + 1] = (uint8_t)(crc >> 16);
        buf[size + 2] = (uint8_t)(crc >> 24);
    }

    memset(&st, 0, sizeof st);
    alloc = fz_allocator(&st);
    authz_options_init(&opts);
    opts.allocator = &alloc;
    tok = authz_token_decode_ex(authz_catalog_coder(), buf, len, &opts, &err);
    decoded = tok != NULL;
    if (tok == NULL) {
        assert_refusal(&err, len, (mode & 1u) != 0);
    } else {
        size_t calls = st.calls;
        FUZZ_ASSERT(err.code == AUTHZ_OK, "token with code %d", err.code);
        assert_encodes_to(tok, buf, len, "decoded token");
        compare_rebuilt(tok, buf, len);
        authz_token_free(tok);
        FUZZ_ASSERT(st.live == 0, "%zu allocations leaked", st.live);
        if (calls > 0) {
            memset(&st, 0, sizeof st);
            st.fail_at = 1 + (size_t)(fz_hash(data, size) % calls);
            tok = authz_token_decode_ex(authz_catalog_coder(), buf, len,
                                        &opts, &err);
            FUZZ_ASSERT(tok == NULL && err.code == AUTHZ_ENOMEM && st.failed,
                        "allocation %zu of %zu failed: token %p, code %d",
                        st.fail_at, calls, (void *)tok, err.code);
        }
    }
    FUZZ_ASSERT(st.live == 0, "%zu allocations leaked", st.live);

    if (mode & 2u) {
        char *text = fz_xmalloc(len / 3 * 4 + 4);
        size_t tn = base64url(buf, len, text);
        char *exact = fz_xmalloc(tn);
        authz_token *t2;
        memcpy(exact, text, tn);
        t2 = authz_token_decode_text(authz_catalog_coder(), exact, tn, NULL,
                                     &err);
        FUZZ_ASSERT((t2 != NULL) == decoded,
                    "text decoding %d, binary decoding %d", t2 != NULL,
                    decoded);
        if (t2 != NULL) {
            char *back = fz_xmalloc(tn + 1);
            size_t bn = 0;
            FUZZ_ASSERT(authz_token_encode_text(t2, back, tn + 1, &bn) ==
                                AUTHZ_OK &&
                            bn == tn && memcmp(back, exact, tn) == 0,
                        "text form does not round-trip");
            free(back);
            authz_token_free(t2);
        } else {
            FUZZ_ASSERT(err.code != AUTHZ_OK && err.code != AUTHZ_ENOMEM,
                        "text decode: code %d", err.code);
        }
        free(exact);
        free(text);
    }
    free(buf);
    return 0;
}
