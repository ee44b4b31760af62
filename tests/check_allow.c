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
 * it is at most two thirds full, and no bigger than that needs (or
 * AZ_CTRL_MIRROR slots); its control bytes mark
 * exactly the used slots, and the AZ_CTRL_MIRROR after the end repeat the
 * first ones. */
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
        ck_assert(tok->cap == AZ_CTRL_MIRROR || 2 * tok->cap <= 3 * n + 2);
        ck_assert_uint_le(3 * n, 2 * tok->cap);
        for (i = 0; i < tok->cap; i++) {
            used += tok->slots[i].tag != 0;
            ck_assert_int_eq(tok->slots[i].tag != 0, tok->ctrl[i] != 0);
        }
        for (i = 0; i < AZ_CTRL_MIRROR; i++)
            ck_assert_uint_eq(tok->ctrl[tok->cap + i], tok->ctrl[i]);
        ck_assert_uint_eq(used, n);
        authz_token_free(tok);
    }
}
END_TEST

/* Which types id k of test_admits_window is listed under: `*` (every
 * 11th), template (every 7th), workspace (the rest, and also every 13th
 * template, which makes it an id of two types). */
static int admits_listed(size_t k, int template)
{
    int any = k % 11 == 0, tpl = !any && k % 7 == 0;
    if (any)
        return 1;
    return template ? tpl : !tpl || k % 13 == 0;
}

static unsigned scramble(size_t k)
{
    return (unsigned)((k * 2654435761u) & 0xffffffffu);
}

/* The one-window decision of the check path (az_id_admits) agrees with
 * the general probe on a table two thirds full, where some runs outgrow
 * the window: every listed id and as many unlisted ones, for workspace and
 * template, with ids listed under one type, under two and under `*`. */
START_TEST(test_admits_window)
{
    enum { N = 4000 };
    static char entries[N + N / 13 + 1][64];
    static authz_str a[N + N / 13 + 1];
    const uint32_t ws = (uint32_t)az_type_find(coder(), "workspace", 9);
    const uint32_t tpl = (uint32_t)az_type_find(coder(), "template", 8);
    size_t i, n = 0, long_runs = 0, multi = 0, checked = 0;
    authz_token *tok;
    for (i = 0; i < N; i++) {
        const char *type = i % 11 == 0  ? "*"
                           : i % 7 == 0 ? "template"
                                        : "workspace";
        snprintf(entries[n], sizeof entries[n],
                 "%s:%08x-1111-2222-3333-%012zx", type, scramble(i), i);
        a[n].ptr = entries[n];
        a[n].len = strlen(entries[n]);
        n++;
        if (i % 11 != 0 && i % 7 == 0 && i % 13 == 0) {
            snprintf(entries[n], sizeof entries[n],
                     "workspace:%08x-1111-2222-3333-%012zx", scramble(i), i);
            a[n].ptr = entries[n];
            a[n].len = strlen(entries[n]);
            n++;
        }
    }
    {
        const authz_str scope[] = {{"coder:all", 9}};
        authz_options opts;
        authz_error err;
        authz_options_init(&opts);
        opts.max_allow = n;
        tok = authz_token_new_ex(coder(), scope, 1, a, n, &opts, &err);
        ck_assert_msg(tok != NULL, "%s", err.message);
    }
    for (i = 0; i < 2 * N; i++) {
        const size_t k = i / 2;
        struct az_uuid u;
        uint64_t h;
        uint32_t pos, cand, empty;
        int t;
        char id[40];
        size_t bad;
        snprintf(id, sizeof id, "%08x-1111-2222-3333-%012zx", scramble(k),
                 i % 2 == 0 ? k : k + 0x100000);
        ck_assert(az_uuid_parse(id, 36, &u, &bad));
        h = az_id_hash(tok->key, u.hi, u.lo);
        pos = az_reduce(h, tok->cap);
        az_ctrl_window(tok, pos, az_ctrl_byte(h), &cand, &empty);
        long_runs += empty == 0;
        for (t = 0; t < 2; t++) {
            const uint32_t type = t ? tpl : ws;
            const struct az_idslot *slot = az_id_find(tok, &u);
            int want = slot != NULL &&
                       az_slot_entry(tok, slot, type, NULL, NULL);
            multi += slot != NULL && slot->tag == AZ_TAG_MULTI;
            ck_assert_msg(want == (i % 2 == 0 && admits_listed(k, t)),
                          "%s type %u: the probe says %d", id, type, want);
            ck_assert_msg(az_id_admits(tok, &u, h, pos, type) == want,
                          "%s type %u: the window says %d", id, type, !want);
            checked++;
        }
    }
    /* Runs longer than the window and ids of two types were met. */
    ck_assert_uint_gt(long_runs, 0);
    ck_assert_uint_gt(multi, 0);
    ck_assert_uint_eq(checked, 4 * N);
    authz_token_free(tok);
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
    tcase_add_test(tc, test_admits_window);
    tcase_add_test(tc, test_scan);
    suite_add_tcase(s, tc);
    return s;
}
