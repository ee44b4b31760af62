/*
 * check_scope.c - scope strings to references, references to grant bits.
 */
#include "internal.h"
#include "tests.h"

#include <string.h>

static const authz_catalog *coder(void)
{
    return authz_catalog_coder();
}

static uint32_t ref_of(const char *s)
{
    uint32_t ref = 0;
    size_t off;
    const char *what;
    int code = az_scope_parse(coder(), s, strlen(s), &ref, &off, &what);
    ck_assert_msg(code == AUTHZ_OK, "%s: %s", s, what);
    return ref;
}

static uint64_t bit(const char *type, const char *action)
{
    int32_t t = az_type_find(coder(), type, strlen(type));
    int32_t a = az_action_find(coder(), (uint32_t)t, action, strlen(action));
    ck_assert_int_ge(t, 0);
    ck_assert_int_ge(a, 0);
    return (uint64_t)1 << a;
}

static int32_t type_of(const char *type)
{
    return az_type_find(coder(), type, strlen(type));
}

START_TEST(test_references)
{
    int32_t ws = type_of("workspace");
    int32_t ssh = az_action_find(coder(), (uint32_t)ws, "ssh", 3);
    uint32_t all = ref_of("coder:all");
    ck_assert_uint_eq(ref_of("*:*"), AZ_REF_STAR_STAR);
    ck_assert_uint_eq(ref_of("workspace:*"),
                      AZ_REF_LOW(ws, AZ_REF_ALL_ACTIONS));
    ck_assert_uint_eq(ref_of("workspace:ssh"), AZ_REF_LOW(ws, ssh));
    ck_assert(all & AZ_REF_NAMED);
    /* An alias keeps its own name (for reporting) and points at its
     * target. */
    ck_assert(ref_of("all") & AZ_REF_NAMED);
    ck_assert_uint_ne(ref_of("all"), all);
    ck_assert_uint_eq(coder()->scopes[ref_of("all") & ~AZ_REF_NAMED].target,
                      all & ~AZ_REF_NAMED);
}
END_TEST

/* The grant bits of each composite are exactly its SPEC 6.3 members. */
START_TEST(test_composite_bits)
{
    uint64_t masks[64];
    const authz_catalog *cat = coder();
    uint32_t i;
    int32_t tpl = type_of("template"), ws = type_of("workspace"),
            om = type_of("organization_member");
    ck_assert_uint_le(cat->n_types, 64);

    memset(masks, 0, sizeof masks);
    az_scope_apply(cat, ref_of("coder:workspaces.create"), masks);
    ck_assert(masks[tpl] == (bit("template", "read") | bit("template", "use")));
    ck_assert(masks[ws] ==
              (bit("workspace", "create") | bit("workspace", "update") |
               bit("workspace", "read") | bit("workspace", "start") |
               bit("workspace", "stop")));
    ck_assert(masks[om] == bit("organization_member", "read"));
    for (i = 0; i < cat->n_types; i++)
        if ((int32_t)i != tpl && (int32_t)i != ws && (int32_t)i != om)
            ck_assert_msg(masks[i] == 0, "type %u", i);

    memset(masks, 0, sizeof masks);
    az_scope_apply(cat, ref_of("coder:apikeys.manage_self"), masks);
    for (i = 0; i < cat->n_types; i++)
        ck_assert(masks[i] == ((int32_t)i == type_of("api_key")
                                   ? (bit("api_key", "read") |
                                      bit("api_key", "create") |
                                      bit("api_key", "update") |
                                      bit("api_key", "delete"))
                                   : 0));
}
END_TEST

/* no_user_data: whole-type grants for every type but user. */
START_TEST(test_no_user_data)
{
    uint64_t masks[64];
    const authz_catalog *cat = coder();
    uint32_t i;
    memset(masks, 0, sizeof masks);
    az_scope_apply(cat, ref_of("no_user_data"), masks);
    for (i = 0; i < cat->n_types; i++)
        ck_assert(masks[i] ==
                  ((int32_t)i == type_of("user") ? 0 : ~(uint64_t)0));
    /* Union with another scope: what no_user_data leaves out, user:read
     * still grants. */
    az_scope_apply(cat, ref_of("user:read"), masks);
    ck_assert(masks[type_of("user")] == bit("user", "read"));
}
END_TEST

START_TEST(test_wildcards_and_aliases)
{
    uint64_t a[64], b[64];
    const authz_catalog *cat = coder();
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    az_scope_apply(cat, ref_of("coder:all"), a);
    az_scope_apply(cat, ref_of("*:*"), b);
    ck_assert_mem_eq(a, b, cat->n_types * sizeof a[0]);
    memset(b, 0, sizeof b);
    az_scope_apply(cat, ref_of("all"), b);
    ck_assert_mem_eq(a, b, cat->n_types * sizeof a[0]);

    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    az_scope_apply(cat, ref_of("application_connect"), a);
    az_scope_apply(cat, ref_of("workspace:application_connect"), b);
    ck_assert_mem_eq(a, b, cat->n_types * sizeof a[0]);

    memset(a, 0, sizeof a);
    az_scope_apply(cat, ref_of("template:*"), a);
    ck_assert(a[type_of("template")] == ~(uint64_t)0);
    ck_assert(a[type_of("workspace")] == 0);
}
END_TEST

START_TEST(test_error_reports)
{
    static const struct {
        const char *s;
        int code;
        size_t off;
        const char *what;
    } cases[] = {
        {"coder:bogus", AUTHZ_ESCOPE, 0, "unknown scope"},
        {"bogus", AUTHZ_ESCOPE, 0, "unknown scope"},
        {"*:read", AUTHZ_EACTION, 2, "type \"*\" takes only action \"*\""},
        {"workspace:fly", AUTHZ_EACTION, 10, "unknown action for this type"},
        {"nope:read", AUTHZ_ETYPE, 0, "unknown type"},
        {"workspace:", AUTHZ_ESYNTAX, 10, "empty action"},
        {":read", AUTHZ_ESYNTAX, 0, "empty type"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t ref;
        size_t off = 99;
        const char *what = NULL;
        int code = az_scope_parse(coder(), cases[i].s, strlen(cases[i].s),
                                  &ref, &off, &what);
        ck_assert_int_eq(code, cases[i].code);
        ck_assert_uint_eq(off, cases[i].off);
        ck_assert_str_eq(what, cases[i].what);
    }
}
END_TEST

Suite *scope_suite(void)
{
    Suite *s = suite_create("scope");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_references);
    tcase_add_test(tc, test_composite_bits);
    tcase_add_test(tc, test_no_user_data);
    tcase_add_test(tc, test_wildcards_and_aliases);
    tcase_add_test(tc, test_error_reports);
    suite_add_tcase(s, tc);
    return s;
}
