/*
 * check_allow.c - allow entries, and the set a token compiles them into.
 */
#include "internal.h"
#include "scan.h"
#include "tests.h"

#include <stdio.h>
#include <string.h>

static const authz_catalog *coder(void)
{
    return authz_catalog_coder();
}

static struct az_allow parse(const char *s)
{
    struct az_allow e;
    size_t off;
    const char *what;
    int code = az_allow_parse(coder(), s, strlen(s), &e, &off, &what);
    ck_assert_msg(code == AUTHZ_OK, "%s: %s", s, what);
    return e;
}

START_TEST(test_forms)
{
    struct az_allow e = parse("*:*");
    ck_assert_uint_eq(e.type, AZ_ANY_TYPE);
    ck_assert_uint_eq(e.kind, AZ_ALLOW_WILD);
    e = parse("template:*");
    ck_assert_int_eq((int32_t)e.type, az_type_find(coder(), "template", 8));
    ck_assert_uint_eq(e.kind, AZ_ALLOW_WILD);
    e = parse("*:" W);
    ck_assert_uint_eq(e.type, AZ_ANY_TYPE);
    ck_assert_uint_eq(e.kind, AZ_ALLOW_UUID);
    ck_assert(e.id.hi == UINT64_C(0x3f2504e04f8941d3));
    /* Split at the first colon: the urn prefix belongs to the id. */
    e = parse("workspace:urn:uuid:" W);
    ck_assert_int_eq((int32_t)e.type, az_type_find(coder(), "workspace", 9));
    ck_assert(e.id.lo == UINT64_C(0x9a0c0305e82c3301));
}
END_TEST

static authz_token *make(const char *const *a, size_t n)
{
    const char *s[] = {"coder:all"};
    authz_error err;
    authz_token *tok = authz_token_new(coder(), s, 1, a, n, &err);
    ck_assert_msg(tok != NULL, "%s", err.message);
    return tok;
}

/* The compiled set is the normal form: duplicates (in any spelling) go,
 * `T:*` absorbs `T:<id>`, `*:*` absorbs everything. */
START_TEST(test_normal_form)
{
    const char *dup[] = {"workspace:" W, "workspace:{3F2504E0-4F89-41D3-"
                                         "9A0C-0305E82C3301}",
                         "workspace:3f2504e04f8941d39a0c0305e82c3301"};
    const char *absorb[] = {"workspace:" W, "workspace:*", "template:" W,
                            "workspace:" T, "workspace:*"};
    const char *all[] = {"workspace:" W, "*:*", "template:*", "*:" T};
    const char *star_id[] = {"workspace:" W, "*:" W};
    authz_token *tok = make(dup, 3);
    uint32_t i, tags = 0, used = 0;
    ck_assert_uint_eq(tok->n_ids, 1);
    ck_assert_uint_eq(tok->n_allow, 3);
    for (i = 0; i < tok->cap; i++) {
        tags += tok->slots[i].tag;
        used += tok->slots[i].tag != 0;
    }
    ck_assert_uint_eq(used, 1);
    ck_assert_uint_eq(tags,
                      (uint32_t)az_type_find(coder(), "workspace", 9) + 1);
    authz_token_free(tok);

    tok = make(absorb, 5);
    ck_assert_uint_eq(tok->n_ids, 1); /* only template:W is left */
    ck_assert_uint_eq(tok->n_wild, 1);
    ck_assert_uint_eq(tok->wild[0].index, 1); /* the first workspace:* */
    ck_assert_uint_eq(tok->allow_all, 0);
    authz_token_free(tok);

    tok = make(all, 4);
    ck_assert_uint_eq(tok->allow_all, 1);
    ck_assert_uint_eq(tok->allow_all_index, 1);
    ck_assert_uint_eq(tok->n_ids, 0);
    ck_assert_uint_eq(tok->n_wild, 0);
    authz_token_free(tok);

    /* `*:<id>` does not absorb `T:<id>` in the normal form: both kept. */
    tok = make(star_id, 2);
    ck_assert_uint_eq(tok->n_ids, 1);
    ck_assert_uint_eq(tok->n_overflow, 3);
    ck_assert_uint_eq(tok->overflow[0].tag, 2);
    ck_assert_uint_eq(tok->overflow[2].tag, AZ_TAG_ANY);
    ck_assert_uint_eq(tok->overflow[2].index, 1);
    authz_token_free(tok);
}
END_TEST

/* The table always keeps an empty slot, so a probe for a missing id ends;
 * it is at most 80% full (or 8 slots); its control bytes mark exactly the
 * used slots, and the 8 after the end repeat the first 8. */
START_TEST(test_table_shape)
{
    char entries[128][64];
    const char *a[128];
    size_t n, i;
    for (n = 0; n <= 128; n += 1) {
        authz_token *tok;
        size_t used = 0;
        for (i = 0; i < n; i++) {
            snprintf(entries[i], sizeof entries[i],
                     "workspace:%08zx-1111-2222-3333-444444444444", i);
            a[i] = entries[i];
        }
        tok = make(a, n);
        ck_assert_uint_eq(tok->n_ids, n);
        ck_assert_uint_gt(tok->cap, n);
        ck_assert(tok->cap == 8 || 4 * tok->cap <= 5 * n + 4);
        for (i = 0; i < tok->cap; i++) {
            used += tok->slots[i].tag != 0;
            ck_assert_int_eq(tok->slots[i].tag != 0, tok->ctrl[i] != 0);
        }
        for (i = 0; i < 8; i++)
            ck_assert_uint_eq(tok->ctrl[tok->cap + i], tok->ctrl[i]);
        ck_assert_uint_eq(used, n);
        authz_token_free(tok);
    }
}
END_TEST

/* The word-at-a-time scan agrees with a byte loop: every byte value at
 * every position of entries of every length up to 24, with a colon before
 * or after it. */
static size_t scan_bytes(const char *s, size_t n, size_t *colon)
{
    size_t i;
    *colon = n;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ':' && *colon == n)
            *colon = i;
        if (c <= 0x20 || c >= 0x7f)
            return i;
    }
    return n;
}

START_TEST(test_scan)
{
    char buf[32];
    size_t n, pos, colon_at, wrong = 0, cases = 0;
    int c;
    for (n = 1; n <= 24; n++)
        for (pos = 0; pos < n; pos++)
            for (colon_at = 0; colon_at <= n; colon_at++)
                for (c = 0; c < 256; c++) {
                    size_t want_colon, got_colon, want, got;
                    memset(buf, 'a', sizeof buf);
                    if (colon_at < n)
                        buf[colon_at] = ':';
                    buf[pos] = (char)c;
                    want = scan_bytes(buf, n, &want_colon);
                    got = az_scan(buf, n, &got_colon);
                    wrong += got != want ||
                             (want == n && got_colon != want_colon);
                    cases++;
                }
    /* (One assertion: Check's per-assertion bookkeeping would dominate.) */
    ck_assert_uint_eq(wrong, 0);
    ck_assert_uint_gt(cases, 1000000);
}
END_TEST

Suite *allow_suite(void)
{
    Suite *s = suite_create("allow");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_forms);
    tcase_add_test(tc, test_normal_form);
    tcase_add_test(tc, test_table_shape);
    tcase_add_test(tc, test_scan);
    suite_add_tcase(s, tc);
    return s;
}
