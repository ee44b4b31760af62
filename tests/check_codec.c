/*
 * check_codec.c - canonical text and the binary form: round trips, size,
 * and a decoder that refuses every corruption it can see.
 */
#include "tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const authz_catalog *coder(void)
{
    return authz_catalog_coder();
}

/* An independent CRC-32 (bitwise), to forge encodings the decoder must
 * still refuse for reasons other than the checksum. */
static uint32_t crc32_bitwise(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static void reseal(unsigned char *p, size_t len)
{
    uint32_t c = crc32_bitwise(p, len - 4);
    p[len - 4] = (unsigned char)c;
    p[len - 3] = (unsigned char)(c >> 8);
    p[len - 2] = (unsigned char)(c >> 16);
    p[len - 1] = (unsigned char)(c >> 24);
}

static test_rng rng_state = {UINT64_C(0x9e3779b97f4a7c15)};
static uint64_t rng(void)
{
    return test_rng_next(&rng_state);
}

static const char *scope_pool[] = {
    "coder:all", "all", "*:*", "no_user_data", "workspace:*",
    "workspace:read", "workspace:ssh", "template:use", "template:*",
    "coder:workspaces.create", "coder:templates.author", "user:read",
    "application_connect", "debug_info:read", "file:create",
    "ai_gateway_key:delete", "boundary_usage:*"};
static const char *type_pool[] = {"workspace", "template", "user", "file",
                                  "*", "workspace_dormant", "api_key"};
static const char *id_pool[] = {W, T, "00000000-0000-0000-0000-000000000000",
                                "ffffffff-ffff-ffff-ffff-ffffffffffff",
                                "123e4567-e89b-12d3-a456-426614174000"};

/* A random token: up to 6 scopes, up to 12 allow entries in random
 * spellings, sometimes with wildcards. */
static authz_token *random_token(void)
{
    const char *s[8];
    char abuf[16][80];
    const char *a[16];
    size_t ns = rng() % 7, na = rng() % 13, i;
    authz_error err;
    authz_token *tok;
    for (i = 0; i < ns; i++)
        s[i] = scope_pool[rng() % (sizeof scope_pool / sizeof *scope_pool)];
    for (i = 0; i < na; i++) {
        const char *type = type_pool[rng() % 7];
        const char *id = id_pool[rng() % 5];
        unsigned r = (unsigned)(rng() % 10);
        if (r == 0)
            snprintf(abuf[i], sizeof abuf[i], "%s:*", type);
        else if (r == 1)
            snprintf(abuf[i], sizeof abuf[i], "%s:{%s}", type, id);
        else
            snprintf(abuf[i], sizeof abuf[i], "%s:%s", type, id);
        a[i] = abuf[i];
    }
    if (rng() % 20 == 0)
        a[na++] = "*:*";
    tok = authz_token_new(coder(), s, ns, a, na, &err);
    ck_assert_msg(tok != NULL, "%s", err.message);
    return tok;
}

/* Same decisions on a grid of requests. */
static void same_decisions(const authz_token *x, const authz_token *y)
{
    static const char *types[] = {"workspace", "template", "user", "file",
                                  "workspace_dormant", "api_key",
                                  "debug_info", "boundary_usage"};
    static const char *acts[] = {"read", "ssh", "use", "delete", "create"};
    static const char *ids[] = {W, T, "", "00000000000000000000000000000000",
                                "abcdef1234"};
    size_t t, a, d;
    for (t = 0; t < 8; t++)
        for (a = 0; a < 5; a++)
            for (d = 0; d < 5; d++)
                ck_assert_int_eq(authz_check(x, types[t], ids[d], acts[a]),
                                 authz_check(y, types[t], ids[d], acts[a]));
}

static size_t encode(const authz_token *tok, unsigned char *buf, size_t cap)
{
    size_t len = 0;
    ck_assert_int_eq(authz_token_encode(tok, buf, cap, &len), AUTHZ_OK);
    return len;
}

START_TEST(test_round_trips)
{
    int round;
    for (round = 0; round < 2000; round++) {
        unsigned char a[1024], b[1024];
        char text[2048], text2[2048];
        size_t la, lb, tl, tl2;
        authz_error err;
        authz_token *t = random_token(), *u;
        la = encode(t, a, sizeof a);
        u = authz_token_decode(coder(), a, la, &err);
        ck_assert_msg(u != NULL, "round %d: %s", round, err.message);
        same_decisions(t, u);
        lb = encode(u, b, sizeof b);
        ck_assert_uint_eq(la, lb);
        ck_assert_mem_eq(a, b, la);
        /* The canonical text is the same for both, and rebuilding from
         * it gives the same encoding. */
        ck_assert_int_eq(authz_token_text(t, text, sizeof text, &tl),
                         AUTHZ_OK);
        ck_assert_int_eq(authz_token_text(u, text2, sizeof text2, &tl2),
                         AUTHZ_OK);
        ck_assert_str_eq(text, text2);
        ck_assert_uint_eq(strlen(text), tl);
        {
            authz_list *ls = authz_token_scopes(t, NULL);
            authz_list *la2 = authz_token_allow(t, NULL);
            authz_str s[16], al[32];
            authz_token *v;
            size_t i;
            ck_assert(ls && la2);
            for (i = 0; i < authz_list_count(ls); i++)
                s[i] = (authz_str){authz_list_get(ls, i),
                                   strlen(authz_list_get(ls, i))};
            for (i = 0; i < authz_list_count(la2); i++)
                al[i] = (authz_str){authz_list_get(la2, i),
                                    strlen(authz_list_get(la2, i))};
            v = authz_token_new_ex(coder(), s, authz_list_count(ls), al,
                                   authz_list_count(la2), NULL, &err);
            ck_assert_msg(v != NULL, "%s", err.message);
            lb = encode(v, b, sizeof b);
            ck_assert_uint_eq(la, lb);
            ck_assert_mem_eq(a, b, la);
            same_decisions(t, v);
            authz_token_free(v);
            authz_list_free(ls);
            authz_list_free(la2);
        }
        /* And through base64url. */
        {
            char b64[2048];
            size_t bl;
            authz_token *w;
            ck_assert_int_eq(authz_token_encode_text(t, b64, sizeof b64, &bl),
                             AUTHZ_OK);
            ck_assert_uint_eq(strlen(b64), bl);
            ck_assert_uint_eq(strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh"
                                          "ijklmnopqrstuvwxyz0123456789-_"),
                              bl);
            w = authz_token_decode_text(coder(), b64, bl, NULL, &err);
            ck_assert_msg(w != NULL, "%s", err.message);
            lb = encode(w, b, sizeof b);
            ck_assert_mem_eq(a, b, la);
            authz_token_free(w);
        }
        authz_token_free(t);
        authz_token_free(u);
    }
}
END_TEST

START_TEST(test_text_form)
{
    const char *s[] = {"workspace:read", "all", "template:*", "all"};
    const char *a[] = {"workspace:{3F2504E0-4F89-41D3-9A0C-0305E82C3301}",
                       "template:" T, "template:*", "*:" T};
    authz_token *tok = authz_token_new(coder(), s, 4, a, 4, NULL);
    char buf[512], tiny[8];
    size_t len;
    ck_assert_int_eq(authz_token_text(tok, buf, sizeof buf, &len), AUTHZ_OK);
    ck_assert_str_eq(buf, "scopes: coder:all template:* workspace:read\n"
                          "allow: *:" T " template:* workspace:" W "\n");
    ck_assert_int_eq(authz_token_text(tok, tiny, sizeof tiny, &len),
                     AUTHZ_ESPACE);
    ck_assert_uint_eq(len, strlen(buf));
    ck_assert_str_eq(tiny, "");
    ck_assert_int_eq(authz_token_text(NULL, buf, sizeof buf, &len),
                     AUTHZ_EINVAL);
    authz_token_free(tok);

    tok = authz_token_new(coder(), NULL, 0, NULL, 0, NULL);
    ck_assert_int_eq(authz_token_text(tok, buf, sizeof buf, &len), AUTHZ_OK);
    ck_assert_str_eq(buf, "scopes:\nallow:\n");
    authz_token_free(tok);
}
END_TEST

/* 10 scopes and 10 UUID entries in at most 224 bytes. */
START_TEST(test_size_target)
{
    const char *s[] = {"workspace:read", "workspace:ssh", "workspace:start",
                       "workspace:stop", "template:read", "template:use",
                       "file:read", "user:read", "api_key:read",
                       "organization:read"};
    char ids[10][64];
    const char *a[10];
    unsigned char buf[512];
    size_t i, len;
    authz_token *tok;
    for (i = 0; i < 10; i++) {
        snprintf(ids[i], sizeof ids[i],
                 "workspace:%08zx-4f89-41d3-9a0c-0305e82c3301", i);
        a[i] = ids[i];
    }
    tok = authz_token_new(coder(), s, 10, a, 10, NULL);
    len = encode(tok, buf, sizeof buf);
    ck_assert_uint_le(len, 224);
    ck_assert_int_eq(authz_token_encode(tok, buf, len - 1, &i),
                     AUTHZ_ESPACE);
    ck_assert_uint_eq(i, len);
    authz_token_free(tok);
}
END_TEST

static void expect_refused(const unsigned char *p, size_t len, int code,
                           size_t offset)
{
    authz_error err;
    authz_token *tok = authz_token_decode(coder(), p, len, &err);
    ck_assert_ptr_null(tok);
    ck_assert_msg(err.code == code, "code %d, want %d: %s", err.code, code,
                  err.message);
    ck_assert_int_eq(err.list, AUTHZ_LIST_ENCODING);
    ck_assert_msg(err.offset == offset, "offset %zu, want %zu: %s",
                  err.offset, offset, err.message);
}

START_TEST(test_corruptions)
{
    const char *s[] = {"workspace:read", "coder:all"};
    const char *a[] = {"workspace:" W, "template:*"};
    authz_token *tok = authz_token_new(coder(), s, 2, a, 2, NULL);
    unsigned char good[256], p[256];
    size_t len = encode(tok, good, sizeof good), i;
    authz_catalog *other;
    authz_error err;
    static const char other_text[] = "type workspace read\ntype template use\n";

    /* Every truncation fails cleanly. */
    for (i = 0; i < len; i++) {
        authz_token *t = authz_token_decode(coder(), good, i, &err);
        ck_assert_ptr_null(t);
        ck_assert_int_ne(err.code, AUTHZ_OK);
        ck_assert_uint_le(err.offset, i);
    }
    /* Every single-bit flip fails cleanly (the CRC sees all of them). */
    for (i = 0; i < len * 8; i++) {
        authz_token *t;
        memcpy(p, good, len);
        p[i / 8] ^= (unsigned char)(1u << (i % 8));
        t = authz_token_decode(coder(), p, len, &err);
        ck_assert_ptr_null(t);
        ck_assert_int_ne(err.code, AUTHZ_OK);
        ck_assert_uint_le(err.offset, len);
    }
    /* Named failures, each at its offset. */
    memcpy(p, good, len);
    p[0] = 'A';
    expect_refused(p, len, AUTHZ_EFORMAT, 0);
    memcpy(p, good, len);
    p[2] = 2;
    expect_refused(p, len, AUTHZ_EVERSION, 2);
    memcpy(p, good, len);
    p[len - 1] ^= 1;
    expect_refused(p, len, AUTHZ_ECHECKSUM, len - 4);
    memcpy(p, good, len);
    p[5] ^= 1;
    reseal(p, len);
    expect_refused(p, len, AUTHZ_EMISMATCH, 3);
    /* Trailing bytes, sealed: refused where the body should have ended. */
    memcpy(p, good, len - 4);
    p[len - 4] = 0;
    reseal(p, len + 1);
    expect_refused(p, len + 1, AUTHZ_EFORMAT, len - 4);
    expect_refused(NULL, 0, AUTHZ_EFORMAT, 0);

    /* Another catalog: a clear error, not a reinterpretation. */
    other = authz_catalog_parse(other_text, strlen(other_text), NULL);
    ck_assert_ptr_nonnull(other);
    ck_assert_ptr_null(authz_token_decode(other, good, len, &err));
    ck_assert_int_eq(err.code, AUTHZ_EMISMATCH);
    ck_assert(authz_catalog_fingerprint(other) !=
              authz_catalog_fingerprint(coder()));
    authz_catalog_free(other);
    authz_token_free(tok);
}
END_TEST

/* Forged bodies with a valid checksum: only the canonical form decodes. */
static size_t forge(unsigned char *p, const unsigned char *body, size_t n)
{
    uint64_t fp = authz_catalog_fingerprint(coder());
    int i;
    p[0] = 'a';
    p[1] = 'z';
    p[2] = 1;
    for (i = 0; i < 8; i++)
        p[3 + i] = (unsigned char)(fp >> (8 * i));
    memcpy(p + 11, body, n);
    reseal(p, 11 + n + 4);
    return 11 + n + 4;
}

START_TEST(test_non_canonical)
{
    /* Codes: `*:*` = 0; named scope i = 4i+1; T:* = 4t+2; T:A =
     * 4(64t+a)+3. Type indices: user 0, workspace 1, template 19; 55 types. */
    static const struct {
        unsigned char body[40];
        size_t n;
        int code;
        size_t offset; /* from the start of the body */
    } cases[] = {
        {{0, 0}, 2, AUTHZ_OK, 0},                    /* empty token */
        {{1, 0, 0}, 3, AUTHZ_OK, 0},                 /* [*:*], [] */
        {{0, 1, 0}, 3, AUTHZ_OK, 0},                 /* [], [*:*] */
        {{1, 6, 0}, 3, AUTHZ_OK, 0},                 /* [workspace:*] */
        {{0, 1, 4}, 3, AUTHZ_OK, 0},                 /* [], [workspace:*] */
        {{2, 0, 0, 0}, 4, AUTHZ_EFORMAT, 2},         /* *:* twice */
        {{2, 6, 0, 0}, 4, AUTHZ_EFORMAT, 2},         /* order */
        {{1, 4 * 3 + 1, 0}, 3, AUTHZ_EFORMAT, 1},    /* the alias "all" */
        {{1, 0x8d, 0x03, 0}, 4, AUTHZ_EFORMAT, 1},   /* no scope 99 */
        {{1, 0x82, 0x80, 0x00, 0}, 5, AUTHZ_EFORMAT, 1}, /* overlong */
        {{1, 0xff, 0xff, 0xff, 0xff, 0x7f, 0}, 7, AUTHZ_EFORMAT, 1},
        {{1, 0xf2, 0x01, 0}, 4, AUTHZ_EFORMAT, 1},   /* type 60: none */
        {{1, 0x83, 0x01, 0}, 4, AUTHZ_EFORMAT, 1},   /* user, action 32 */
        {{0, 2, 4, 4}, 4, AUTHZ_EFORMAT, 3},         /* duplicate entry */
        {{0, 2, 0, 4}, 4, AUTHZ_EFORMAT, 2},         /* *:* not alone */
        {{0, 2, 4, 2}, 4, AUTHZ_EFORMAT, 3},         /* user:* after ws:* */
        {{0, 1, 122}, 3, AUTHZ_EFORMAT, 2},          /* type 60: none */
        {{0, 1, 3}, 3, AUTHZ_EFORMAT, 3},            /* id cut short */
        {{0, 0x7f, 0}, 3, AUTHZ_EFORMAT, 1},         /* count > data */
        {{100, 0}, 2, AUTHZ_EFORMAT, 0},             /* count > data */
        {{0, 0, 0}, 3, AUTHZ_EFORMAT, 2},            /* trailing byte */
        {{0}, 1, AUTHZ_EFORMAT, 5},                  /* shorter than any */
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char p[128];
        size_t len;
        authz_error err;
        authz_token *tok;
        len = forge(p, cases[i].body, cases[i].n);
        tok = authz_token_decode(coder(), p, len, &err);
        ck_assert_msg(err.code == cases[i].code, "case %zu: %d: %s", i,
                      err.code, err.message);
        if (cases[i].code == AUTHZ_OK) {
            unsigned char q[128];
            size_t ql = encode(tok, q, sizeof q);
            ck_assert_uint_eq(ql, len);
            ck_assert_mem_eq(q, p, len);
            authz_token_free(tok);
        } else {
            ck_assert_ptr_null(tok);
            ck_assert_msg(err.offset == 11 + cases[i].offset,
                          "case %zu: offset %zu: %s", i, err.offset,
                          err.message);
        }
    }
}
END_TEST

/* Out-of-order scopes and entries, and a T:<id> that T:* absorbs. */
START_TEST(test_order_enforced)
{
    unsigned char body[64], p[128];
    size_t n = 0, len;
    authz_error err;
    int i;
    /* Scopes: workspace:* (code 6) then user:* (code 2): "workspace:*" >
     * "user:*", so out of order. */
    body[n++] = 2;
    body[n++] = 6;
    body[n++] = 2;
    body[n++] = 0;
    len = forge(p, body, n);
    ck_assert_ptr_null(authz_token_decode(coder(), p, len, &err));
    ck_assert_int_eq(err.code, AUTHZ_EFORMAT);
    ck_assert_uint_eq(err.offset, 13);
    /* Entries: workspace:* (k=2, wild: 4) then workspace:<id> (5). */
    n = 0;
    body[n++] = 0;
    body[n++] = 2;
    body[n++] = 4;
    body[n++] = 5;
    for (i = 0; i < 16; i++)
        body[n++] = (unsigned char)i;
    len = forge(p, body, n);
    ck_assert_ptr_null(authz_token_decode(coder(), p, len, &err));
    ck_assert_int_eq(err.code, AUTHZ_EFORMAT);
    ck_assert_uint_eq(err.offset, 14);
}
END_TEST

START_TEST(test_base64_errors)
{
    const char *s[] = {"coder:all"}, *a[] = {"*:*"};
    authz_token *tok = authz_token_new(coder(), s, 1, a, 1, NULL);
    char b64[128], bad[128];
    size_t bl;
    authz_error err;
    ck_assert_int_eq(authz_token_encode_text(tok, b64, sizeof b64, &bl),
                     AUTHZ_OK);
    memcpy(bad, b64, bl + 1);
    bad[5] = '+';
    ck_assert_ptr_null(authz_token_decode_text(coder(), bad, bl, NULL, &err));
    ck_assert_int_eq(err.code, AUTHZ_EFORMAT);
    ck_assert_int_eq(err.list, AUTHZ_LIST_ENCODING_TEXT);
    ck_assert_uint_eq(err.offset, 5);
    /* A valid text whose bytes are wrong: the offset is in the bytes. */
    memcpy(bad, b64, bl + 1);
    bad[0] = bad[0] == 'A' ? 'B' : 'A';
    ck_assert_ptr_null(authz_token_decode_text(coder(), bad, bl, NULL, &err));
    ck_assert_int_eq(err.list, AUTHZ_LIST_ENCODING);
    ck_assert_uint_eq(err.offset, 0);
    bad[5] = '=';
    ck_assert_ptr_null(authz_token_decode_text(coder(), bad, bl, NULL, &err));
    ck_assert_uint_eq(err.offset, 5);
    /* A length no byte string has, and leftover bits that are not zero. */
    ck_assert_ptr_null(authz_token_decode_text(coder(), b64, 1, NULL, &err));
    ck_assert_int_eq(err.code, AUTHZ_EFORMAT);
    memcpy(bad, b64, bl + 1);
    bad[bl - 1] = bad[bl - 1] == 'B' ? 'C' : 'B';
    ck_assert_ptr_null(authz_token_decode_text(coder(), bad, bl, NULL, &err));
    ck_assert_int_ne(err.code, AUTHZ_OK);
    ck_assert_int_eq(authz_token_encode_text(tok, b64, 4, &bl), AUTHZ_ESPACE);
    ck_assert_str_eq(b64, "");
    authz_token_free(tok);
}
END_TEST

/* The decoder allocates in proportion to its input, and every allocation
 * can fail cleanly. */
START_TEST(test_decode_allocations)
{
    const char *s[] = {"workspace:read", "template:use"};
    const char *a[] = {"workspace:" W, "template:" W, "*:" T, "file:*"};
    authz_token *tok = authz_token_new(coder(), s, 2, a, 4, NULL);
    unsigned char buf[256];
    size_t len = encode(tok, buf, sizeof buf), n;
    for (n = 1;; n++) {
        struct test_alloc st = {0, 0, 0, n};
        authz_options opts;
        authz_error err;
        authz_token *t;
        authz_options_init(&opts);
        opts.allocator = test_allocator(&st);
        t = authz_token_decode_ex(coder(), buf, len, &opts, &err);
        if (t != NULL) {
            authz_token_free(t);
            ck_assert_uint_eq(st.live, 0);
            break;
        }
        ck_assert_int_eq(err.code, AUTHZ_ENOMEM);
        ck_assert_uint_eq(st.live, 0);
        ck_assert_uint_lt(n, 50);
    }
    ck_assert_uint_gt(n, 2);
    {
        /* A body claiming many entries it does not hold: refused before
         * any allocation. */
        unsigned char body[8] = {0, 0xff, 0xff, 0x03}, p[64];
        struct test_alloc st = {0, 0, 0, 0};
        authz_options opts;
        authz_error err;
        size_t plen = forge(p, body, 4);
        authz_options_init(&opts);
        opts.allocator = test_allocator(&st);
        opts.max_allow = AUTHZ_MAX_ENTRIES_CEILING;
        ck_assert_ptr_null(authz_token_decode_ex(coder(), p, plen, &opts,
                                                 &err));
        ck_assert_int_eq(err.code, AUTHZ_EFORMAT);
        ck_assert_uint_eq(st.calls, 0);
    }
    authz_token_free(tok);
}
END_TEST

/* Options apply to decoding as to construction. */
START_TEST(test_decode_options)
{
    const char *s[] = {"debug_info:read", "workspace:read"};
    const char *a[] = {"workspace:" W, "template:" W, "file:" W};
    authz_token *tok = authz_token_new(coder(), s, 2, a, 3, NULL), *t;
    unsigned char buf[256];
    size_t len = encode(tok, buf, sizeof buf);
    authz_options opts;
    authz_error err;
    authz_options_init(&opts);
    opts.flags = AUTHZ_PUBLIC;
    ck_assert_ptr_null(authz_token_decode_ex(coder(), buf, len, &opts, &err));
    ck_assert_int_eq(err.code, AUTHZ_ENOTPUBLIC);
    ck_assert_int_eq(err.list, AUTHZ_LIST_ENCODING);
    ck_assert_uint_eq(err.offset, 12); /* the first scope code */
    authz_options_init(&opts);
    opts.max_allow = 2;
    ck_assert_ptr_null(authz_token_decode_ex(coder(), buf, len, &opts, &err));
    ck_assert_int_eq(err.code, AUTHZ_ELIMIT);
    opts.max_allow = 3;
    t = authz_token_decode_ex(coder(), buf, len, &opts, &err);
    ck_assert_ptr_nonnull(t);
    authz_token_free(t);
    authz_token_free(tok);
}
END_TEST

Suite *codec_suite(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("codec");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_round_trips);
    tcase_add_test(tc, test_text_form);
    tcase_add_test(tc, test_size_target);
    tcase_add_test(tc, test_corruptions);
    tcase_add_test(tc, test_non_canonical);
    tcase_add_test(tc, test_order_enforced);
    tcase_add_test(tc, test_base64_errors);
    tcase_add_test(tc, test_decode_allocations);
    tcase_add_test(tc, test_decode_options);
    suite_add_tcase(s, tc);
    return s;
}
