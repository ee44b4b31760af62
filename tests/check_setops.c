/*
 * check_setops.c - docs/SPEC.md section 5 (normal forms, covers, intersection,
 * union), catalog introspection and its text form.
 */
#include "tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const authz_catalog *coder(void)
{
    return authz_catalog_coder();
}

/* Splits a comma-separated list (after $W/$T expansion) into authz_str. */
struct strs {
    authz_str s[64];
    char buf[64][128];
    size_t n;
};

static void strs(struct strs *out, const char *list)
{
    char tmp[4096];
    char *f[64];
    size_t i;
    out->n = 0;
    if (strcmp(list, "(empty)") == 0)
        return;
    snprintf(tmp, sizeof tmp, "%s", list);
    out->n = test_split(tmp, ',', f, 64);
    for (i = 0; i < out->n; i++) {
        out->s[i].len = test_unescape(f[i], out->buf[i], sizeof out->buf[i]);
        out->s[i].ptr = out->buf[i];
    }
}

/* Joins a list with spaces, "(empty)" when it has no element. */
static const char *joined(const authz_list *l)
{
    static char buf[8192];
    size_t i, pos = 0;
    buf[0] = '\0';
    if (authz_list_count(l) == 0)
        return "(empty)";
    for (i = 0; i < authz_list_count(l); i++)
        pos += (size_t)snprintf(buf + pos, sizeof buf - pos, "%s%s",
                                i ? " " : "", authz_list_get(l, i));
    return buf;
}

static void expect_list(authz_list *l, const char *want)
{
    char w[8192];
    ck_assert_ptr_nonnull(l);
    test_unescape(want, w, sizeof w);
    ck_assert_str_eq(joined(l), w);
    authz_list_free(l);
}

START_TEST(test_normalize_scopes)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"(empty)", "(empty)"},
        {"workspace:read", "workspace:read"},
        {"all,coder:all,all", "coder:all"},
        {"application_connect,workspace:read,template:*",
         "coder:application_connect template:* workspace:read"},
        {"workspace:read,workspace:read,workspace_dormant:read",
         "workspace:read workspace_dormant:read"},
        {"*:*,no_user_data,debug_info:read",
         "*:* debug_info:read no_user_data"},
        {"coder:workspaces.create,coder:all",
         "coder:all coder:workspaces.create"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strs in;
        strs(&in, cases[i].in);
        expect_list(authz_scopes_normalize(coder(), in.s, in.n, NULL, NULL),
                    cases[i].out);
    }
}
END_TEST

START_TEST(test_normalize_allow)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"(empty)", "(empty)"},
        {"workspace:$W,*:*,template:*", "*:*"},
        {"workspace:$W,workspace:*,template:$W",
         "template:$W workspace:*"},
        {"workspace:{3F2504E0-4F89-41D3-9A0C-0305E82C3301},"
         "workspace:3f2504e04f8941d39a0c0305e82c3301,workspace:$W",
         "workspace:$W"},
        /* `*:<id>` does not absorb `T:<id>`; `*` sorts first. */
        {"workspace:$W,*:$W,*:$T", "*:$W *:$T workspace:$W"},
        /* (type, id) order: a type that is a prefix of another first. */
        {"workspace_dormant:$W,workspace:$T,workspace:$W",
         "workspace:$W workspace:$T workspace_dormant:$W"},
        {"workspace:urn:uuid:$T", "workspace:$T"},
    };
    static const char small[] = "type t read\ntype t1 read\ntype t.x read\n";
    authz_catalog *cat = authz_catalog_parse(small, strlen(small), NULL);
    struct strs in;
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        strs(&in, cases[i].in);
        expect_list(authz_allow_normalize(coder(), in.s, in.n, NULL, NULL),
                    cases[i].out);
    }
    /* By (type, id), not by the joined text: "t" < "t.x" < "t1" although
     * "t1:" < "t:" as bytes. */
    ck_assert_ptr_nonnull(cat);
    strs(&in, "t1:*,t:$W,t.x:$T,t:$T");
    expect_list(authz_allow_normalize(cat, in.s, in.n, NULL, NULL),
                "t:$W t:$T t.x:$T t1:*");
    authz_catalog_free(cat);
}
END_TEST

START_TEST(test_covers)
{
    static const struct {
        const char *have, *want;
        int covered;
        const char *missing;
    } cases[] = {
        {"workspace:*", "workspace:ssh", 1, "(empty)"},
        {"workspace:create,workspace:read,workspace:update,workspace:delete,"
         "workspace:start,workspace:stop,workspace:ssh,"
         "workspace:application_connect,workspace:create_agent,"
         "workspace:delete_agent,workspace:update_agent,workspace:share",
         "workspace:*", 0, "workspace:*"},
        {"coder:all", "coder:workspaces.create,no_user_data,*:*,debug_info:read",
         1, "(empty)"},
        {"all", "*:*", 1, "(empty)"},
        {"*:*", "coder:all", 1, "(empty)"},
        {"coder:workspaces.create", "template:use,workspace:start", 1,
         "(empty)"},
        {"coder:workspaces.create", "coder:workspaces.create", 1, "(empty)"},
        {"workspace:read", "coder:workspaces.access", 0,
         "organization_member:read template:read "
         "workspace:application_connect workspace:ssh"},
        {"no_user_data", "workspace:*,template:read,user:read", 0,
         "user:read"},
        {"no_user_data", "coder:all", 0, "*:*"},
        {"no_user_data", "no_user_data", 1, "(empty)"},
        {"workspace:*,template:*", "no_user_data", 0, NULL},
        {"(empty)", "(empty)", 1, "(empty)"},
        {"(empty)", "workspace:read", 0, "workspace:read"},
        {"application_connect", "coder:application_connect", 1, "(empty)"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strs have, want;
        authz_list *missing = NULL;
        authz_error err;
        bool covered = !cases[i].covered;
        strs(&have, cases[i].have);
        strs(&want, cases[i].want);
        ck_assert_int_eq(authz_scopes_cover(coder(), have.s, have.n, want.s,
                                            want.n, &covered, &missing, NULL,
                                            &err),
                         AUTHZ_OK);
        ck_assert_msg(covered == cases[i].covered, "case %zu", i);
        ck_assert_int_eq(authz_list_count(missing) == 0, cases[i].covered);
        if (cases[i].missing != NULL)
            ck_assert_str_eq(joined(missing), cases[i].missing);
        authz_list_free(missing);
        /* Without the list, the same answer. */
        ck_assert_int_eq(authz_scopes_cover(coder(), have.s, have.n, want.s,
                                            want.n, &covered, NULL, NULL,
                                            NULL),
                         AUTHZ_OK);
        ck_assert_int_eq(covered, cases[i].covered);
    }
}
END_TEST

/* covers agrees with checks: whenever `have` covers `want`, every
 * (type, action) that `want` grants, `have` grants too. */
START_TEST(test_covers_agrees_with_grants)
{
    static const char *scopes[] = {
        "coder:all", "no_user_data", "workspace:*", "workspace:read",
        "coder:workspaces.create", "coder:templates.author", "template:*",
        "user:read", "application_connect", "coder:apikeys.manage_self"};
    size_t h, w, t, a, n = sizeof scopes / sizeof scopes[0];
    for (h = 0; h < n; h++) {
        for (w = 0; w < n; w++) {
            authz_str hs = {scopes[h], strlen(scopes[h])};
            authz_str ws = {scopes[w], strlen(scopes[w])};
            authz_token *ht = authz_token_new(coder(), &scopes[h], 1, NULL, 0,
                                              NULL);
            authz_token *wt = authz_token_new(coder(), &scopes[w], 1, NULL, 0,
                                              NULL);
            bool covered;
            int all_granted = 1;
            ck_assert_int_eq(authz_scopes_cover(coder(), &hs, 1, &ws, 1,
                                                &covered, NULL, NULL, NULL),
                             AUTHZ_OK);
            for (t = 0; t < authz_catalog_type_count(coder()); t++) {
                const char *type = authz_catalog_type_name(coder(), t);
                for (a = 0; a < authz_catalog_action_count(coder(), t); a++) {
                    const char *act = authz_catalog_action_name(coder(), t, a);
                    if (authz_token_grants(wt, type, act) &&
                        !authz_token_grants(ht, type, act))
                        all_granted = 0;
                }
            }
            /* covered implies every grant is there; the converse fails
             * only for wildcards (a list of actions is not a wildcard). */
            if (covered)
                ck_assert_msg(all_granted, "%s covers %s", scopes[h],
                              scopes[w]);
            if (!all_granted)
                ck_assert_msg(!covered, "%s vs %s", scopes[h], scopes[w]);
            authz_token_free(ht);
            authz_token_free(wt);
        }
    }
}
END_TEST

/* A scope that subtracts leaves a list of actions, not a wildcard, even on
 * a type it names only by action: `t:* u:read -t:write` grants t:read and
 * u:read, which cover neither `t:*` nor `u:*`. (The Coder catalog's one
 * subtracting scope, no_user_data, adds only `*:*`, so this needs a catalog
 * of its own.) */
START_TEST(test_covers_subtraction)
{
    static const char text[] = "type t read write\n"
                               "type u read write\n"
                               "scope mix = t:* u:read -t:write\n";
    static const struct {
        const char *want;
        int covered;
        const char *missing;
    } cases[] = {
        {"t:read", 1, "(empty)"},      {"u:read", 1, "(empty)"},
        {"t:write", 0, "t:write"},     {"u:write", 0, "u:write"},
        {"t:*", 0, "t:*"},             {"u:*", 0, "u:*"},
        {"t:read,u:read", 1, "(empty)"}, {"mix", 1, "(empty)"},
    };
    authz_error err;
    authz_catalog *cat = authz_catalog_parse(text, strlen(text), &err);
    authz_str have = {"mix", 3};
    struct strs want;
    size_t i;
    ck_assert_msg(cat != NULL, "%s", err.message);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool covered = !cases[i].covered;
        authz_list *missing = NULL;
        strs(&want, cases[i].want);
        ck_assert_int_eq(authz_scopes_cover(cat, &have, 1, want.s, want.n,
                                            &covered, &missing, NULL, &err),
                         AUTHZ_OK);
        ck_assert_msg(covered == cases[i].covered, "mix covers %s: %d",
                      cases[i].want, covered);
        expect_list(missing, cases[i].missing);
    }
    authz_catalog_free(cat);
}
END_TEST

START_TEST(test_intersect_and_union)
{
    static const struct {
        const char *a, *b, *meet, *join;
    } cases[] = {
        {"*:*", "workspace:$W,template:*", "template:* workspace:$W", "*:*"},
        {"workspace:*", "workspace:$W", "workspace:$W", "workspace:*"},
        {"workspace:$W", "template:$W", "(empty)",
         "template:$W workspace:$W"},
        {"*:$W", "workspace:*,template:$W,file:$T",
         "template:$W workspace:$W", "*:$W file:$T template:$W workspace:*"},
        {"*:$W", "*:$W,*:$T", "*:$W", "*:$W *:$T"},
        {"workspace:*,template:*", "workspace:*,file:*", "workspace:*",
         "file:* template:* workspace:*"},
        {"workspace:*,*:$T", "workspace:$W,template:$T,*:$T",
         "*:$T template:$T workspace:$W workspace:$T",
         "*:$T template:$T workspace:*"},
        {"(empty)", "*:*", "(empty)", "*:*"},
        {"(empty)", "(empty)", "(empty)", "(empty)"},
        {"workspace:$W", "workspace:{$W}", "workspace:$W", "workspace:$W"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strs a, b;
        strs(&a, cases[i].a);
        strs(&b, cases[i].b);
        expect_list(authz_allow_intersect(coder(), a.s, a.n, b.s, b.n, NULL,
                                          NULL),
                    cases[i].meet);
        expect_list(authz_allow_intersect(coder(), b.s, b.n, a.s, a.n, NULL,
                                          NULL),
                    cases[i].meet);
        expect_list(authz_allow_union(coder(), a.s, a.n, b.s, b.n, NULL,
                                      NULL),
                    cases[i].join);
    }
}
END_TEST

/* The intersection admits exactly what both lists admit, on a grid of
 * requests. */
START_TEST(test_intersect_agrees_with_checks)
{
    static const char *lists[] = {
        "*:*", "workspace:*", "workspace:$W", "*:$W", "template:$W,*:$T",
        "workspace:*,template:$T", "file:*,*:$W", "(empty)"};
    static const char *types[] = {"workspace", "template", "file", "user"};
    static const char *ids[] = {W, T, "", "abcdef1234"};
    size_t x, y, t, d, n = sizeof lists / sizeof lists[0];
    for (x = 0; x < n; x++) {
        for (y = 0; y < n; y++) {
            struct strs a, b;
            authz_list *m;
            authz_str all = {"coder:all", 9};
            authz_str ms[64];
            authz_token *ta, *tb, *tm;
            size_t i;
            strs(&a, lists[x]);
            strs(&b, lists[y]);
            m = authz_allow_intersect(coder(), a.s, a.n, b.s, b.n, NULL,
                                      NULL);
            ck_assert_ptr_nonnull(m);
            for (i = 0; i < authz_list_count(m); i++) {
                ms[i].ptr = authz_list_get(m, i);
                ms[i].len = strlen(ms[i].ptr);
            }
            ta = authz_token_new_ex(coder(), &all, 1, a.s, a.n, NULL, NULL);
            tb = authz_token_new_ex(coder(), &all, 1, b.s, b.n, NULL, NULL);
            tm = authz_token_new_ex(coder(), &all, 1, ms,
                                    authz_list_count(m), NULL, NULL);
            ck_assert(ta && tb && tm);
            for (t = 0; t < 4; t++)
                for (d = 0; d < 4; d++) {
                    int both = authz_check(ta, types[t], ids[d], "read") &&
                               authz_check(tb, types[t], ids[d], "read");
                    ck_assert_msg(authz_check(tm, types[t], ids[d], "read") ==
                                      both,
                                  "[%s] ^ [%s] at %s %s", lists[x], lists[y],
                                  types[t], ids[d]);
                }
            authz_token_free(ta);
            authz_token_free(tb);
            authz_token_free(tm);
            authz_list_free(m);
        }
    }
}
END_TEST

START_TEST(test_errors)
{
    struct strs good, bad;
    authz_error err;
    bool covered;
    authz_list *missing = (authz_list *)&err;
    strs(&good, "workspace:read,template:*");
    strs(&bad, "workspace:read,template:fly");
    ck_assert_int_eq(authz_scopes_cover(coder(), good.s, 2, bad.s, 2,
                                        &covered, &missing, NULL, &err),
                     AUTHZ_EACTION);
    ck_assert_ptr_null(missing);
    ck_assert_int_eq(err.list, AUTHZ_LIST_SCOPES2);
    ck_assert_str_eq(err.message, "scope[1] \"template:fly\": unknown action "
                                  "for this type at byte 9");
    ck_assert_uint_eq(err.index, 1);
    ck_assert_uint_eq(err.offset, 9);
    ck_assert_int_eq(authz_scopes_cover(coder(), bad.s, 2, good.s, 2,
                                        &covered, NULL, NULL, NULL),
                     AUTHZ_EACTION);
    ck_assert_int_eq(authz_scopes_cover(coder(), good.s, 2, good.s, 2, NULL,
                                        NULL, NULL, &err),
                     AUTHZ_EINVAL);
    ck_assert_ptr_null(authz_scopes_normalize(coder(), bad.s, 2, NULL, &err));
    ck_assert_int_eq(err.list, AUTHZ_LIST_SCOPES);

    strs(&good, "workspace:*");
    strs(&bad, "*:*,workspace:zz");
    ck_assert_ptr_null(authz_allow_intersect(coder(), good.s, 1, bad.s, 2,
                                             NULL, &err));
    ck_assert_int_eq(err.code, AUTHZ_EUUID);
    ck_assert_int_eq(err.list, AUTHZ_LIST_ALLOW2);
    ck_assert_uint_eq(err.index, 1);
    ck_assert_uint_eq(err.offset, 10);
    ck_assert_ptr_null(authz_allow_union(coder(), bad.s, 2, good.s, 1, NULL,
                                         &err));
    ck_assert_int_eq(err.list, AUTHZ_LIST_ALLOW);
    ck_assert_ptr_null(authz_allow_normalize(NULL, good.s, 1, NULL, &err));
    ck_assert_int_eq(err.code, AUTHZ_EINVAL);
    ck_assert_uint_eq(authz_list_count(NULL), 0);
    ck_assert_ptr_null(authz_list_get(NULL, 0));
    authz_list_free(NULL);
}
END_TEST

/* Every allocation of every operation can fail cleanly. */
START_TEST(test_allocation_failures)
{
    struct strs a, b;
    size_t op;
    strs(&a, "workspace:*,*:$T,template:$W,all");
    strs(&b, "workspace:$W,template:$T,*:$T,file:*");
    for (op = 0; op < 5; op++) {
        size_t n;
        for (n = 1;; n++) {
            struct test_alloc st = {0, 0, 0, n};
            authz_options opts;
            authz_error err;
            authz_list *l = NULL;
            bool covered;
            int ok;
            authz_options_init(&opts);
            opts.allocator = test_allocator(&st);
            switch (op) {
            case 0:
                l = authz_scopes_normalize(coder(), a.s + 3, 1, &opts, &err);
                ok = l != NULL;
                break;
            case 1:
                l = authz_allow_normalize(coder(), b.s, 4, &opts, &err);
                ok = l != NULL;
                break;
            case 2:
                l = authz_allow_intersect(coder(), a.s, 3, b.s, 4, &opts,
                                          &err);
                ok = l != NULL;
                break;
            case 3:
                l = authz_allow_union(coder(), a.s, 3, b.s, 4, &opts, &err);
                ok = l != NULL;
                break;
            default:
                ok = authz_scopes_cover(coder(), a.s + 3, 1, a.s, 1, &covered,
                                        &l, &opts, &err) == AUTHZ_OK;
                break;
            }
            if (ok) {
                authz_list_free(l);
                ck_assert_uint_eq(st.live, 0);
                break;
            }
            ck_assert_int_eq(err.code, AUTHZ_ENOMEM);
            ck_assert_ptr_null(l);
            ck_assert_uint_eq(st.live, 0);
            ck_assert_uint_lt(n, 100);
        }
        ck_assert_uint_gt(n, 1);
    }
}
END_TEST

START_TEST(test_introspection)
{
    const authz_catalog *cat = coder();
    ck_assert_uint_eq(authz_catalog_type_count(cat), 55);
    ck_assert_str_eq(authz_catalog_type_name(cat, 0), "user");
    ck_assert_uint_eq(authz_catalog_action_count(cat, 0), 6);
    ck_assert_str_eq(authz_catalog_action_name(cat, 0, 5), "update_personal");
    ck_assert_ptr_null(authz_catalog_action_name(cat, 0, 6));
    ck_assert_ptr_null(authz_catalog_type_name(cat, 55));
    ck_assert_uint_eq(authz_catalog_action_count(cat, 55), 0);
    ck_assert_uint_eq(authz_catalog_type_count(NULL), 0);
    ck_assert_ptr_null(authz_catalog_type_name(NULL, 0));
    ck_assert(!authz_token_grants(NULL, "workspace", "read"));
}
END_TEST

/* The text form parses back to the same catalog, and prints identically. */
START_TEST(test_catalog_text_round_trip)
{
    const authz_catalog *cat = coder();
    size_t len = authz_catalog_text(cat, NULL, 0), len2, i, t;
    char *text = malloc(len + 1), *text2, small[16];
    authz_catalog *back;
    authz_error err;
    ck_assert_uint_gt(len, 1000);
    ck_assert_uint_eq(authz_catalog_text(cat, text, len + 1), len);
    ck_assert_uint_eq(strlen(text), len);
    back = authz_catalog_parse(text, len, &err);
    ck_assert_msg(back != NULL, "%s", err.message);
    len2 = authz_catalog_text(back, NULL, 0);
    text2 = malloc(len2 + 1);
    authz_catalog_text(back, text2, len2 + 1);
    ck_assert_str_eq(text, text2);
    for (t = 0; t < authz_catalog_type_count(cat); t++)
        for (i = 0; i < authz_catalog_action_count(cat, t); i++)
            ck_assert_str_eq(authz_catalog_action_name(cat, t, i),
                             authz_catalog_action_name(back, t, i));
    /* Public names survive the trip. */
    ck_assert_int_eq(authz_scope_validate(back, "user:read_personal", 18,
                                          AUTHZ_PUBLIC, NULL),
                     AUTHZ_OK);
    ck_assert_int_eq(authz_scope_validate(back, "template:view_insights", 22,
                                          AUTHZ_PUBLIC, NULL),
                     AUTHZ_ENOTPUBLIC);
    /* Truncation is snprintf-like. */
    ck_assert_uint_eq(authz_catalog_text(cat, small, sizeof small), len);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    authz_catalog_free(back);
    free(text);
    free(text2);
}
END_TEST

Suite *setops_suite(void)
{
    Suite *s = suite_create("setops");
    TCase *tc = tcase_create("sets");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_normalize_scopes);
    tcase_add_test(tc, test_normalize_allow);
    tcase_add_test(tc, test_covers);
    tcase_add_test(tc, test_covers_agrees_with_grants);
    tcase_add_test(tc, test_covers_subtraction);
    tcase_add_test(tc, test_intersect_and_union);
    tcase_add_test(tc, test_intersect_agrees_with_checks);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_allocation_failures);
    tcase_add_test(tc, test_introspection);
    tcase_add_test(tc, test_catalog_text_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
