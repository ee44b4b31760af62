/*
 * check_scope.c - scope strings to references, references to grant bits.
 */
#include "internal.h"
#include "tests.h"

#include <stdio.h>
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

/* The grant bits of each composite are exactly its docs/SPEC.md 6.3 members. */
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

/* docs/SPEC.md 6.2 exactly: these are public, and every other evaluable scope
 * (all other T:A and T:*, *:*, no_user_data) is not. */
START_TEST(test_public_names)
{
    static const char *public_names[] = {
        "coder:all", "coder:application_connect", "all", "application_connect",
        "coder:workspaces.create", "coder:workspaces.operate",
        "coder:workspaces.delete", "coder:workspaces.access",
        "coder:templates.build", "coder:templates.author",
        "coder:apikeys.manage_self",
        "workspace:read", "workspace:create", "workspace:update",
        "workspace:delete", "workspace:ssh", "workspace:start",
        "workspace:stop", "workspace:application_connect", "workspace:*",
        "template:read", "template:create", "template:update",
        "template:delete", "template:use", "template:*",
        "api_key:read", "api_key:create", "api_key:update", "api_key:delete",
        "api_key:*", "file:read", "file:create", "file:*",
        "user:read", "user:read_personal", "user:update_personal", "user:*",
        "user_secret:read", "user_secret:create", "user_secret:update",
        "user_secret:delete", "user_secret:*",
        "organization:read", "organization:update", "organization:delete",
        "organization:*", "user_skill:read", "user_skill:create",
        "user_skill:update", "user_skill:delete", "user_skill:*",
        "inbox_notification:read", "inbox_notification:update",
        "chat_model_config:read", "chat_model_config:share",
        "organization_skill:read", "organization_skill:create",
        "organization_skill:update", "organization_skill:delete",
        "organization_skill:share", "organization_skill:*"};
    const authz_catalog *cat = coder();
    size_t i, n_public = 0, n_checked = 0;
    uint32_t t, a;
    authz_error err;
    for (i = 0; i < sizeof public_names / sizeof public_names[0]; i++)
        ck_assert_msg(authz_scope_validate(cat, public_names[i],
                                           strlen(public_names[i]),
                                           AUTHZ_PUBLIC, &err) == AUTHZ_OK,
                      "%s: %s", public_names[i], err.message);
    /* Count the public low-level scopes over the whole catalog: exactly
     * the ones listed above. */
    for (t = 0; t < cat->n_types; t++) {
        const struct az_type *ty = &cat->types[t];
        char buf[300];
        for (a = 0; a <= ty->n_actions; a++) {
            const char *act = a == ty->n_actions
                                  ? "*"
                                  : az_name_ptr(cat,
                                                cat->actions[ty->first_action + a]);
            int code;
            snprintf(buf, sizeof buf, "%s:%s", az_name_ptr(cat, ty->name), act);
            code = authz_scope_validate(cat, buf, strlen(buf), AUTHZ_PUBLIC,
                                        &err);
            ck_assert_int_eq(authz_scope_validate(cat, buf, strlen(buf), 0,
                                                  NULL),
                             AUTHZ_OK);
            if (code == AUTHZ_OK) {
                n_public++;
            } else {
                ck_assert_int_eq(code, AUTHZ_ENOTPUBLIC);
                ck_assert_uint_eq(err.offset, 0);
                ck_assert_int_eq(err.list, AUTHZ_LIST_SCOPES);
            }
            n_checked++;
        }
    }
    ck_assert_uint_eq(n_public, 51);
    ck_assert_uint_gt(n_checked, 200);

    ck_assert_int_eq(authz_scope_validate(cat, "debug_info:read", 15,
                                          AUTHZ_PUBLIC, &err),
                     AUTHZ_ENOTPUBLIC);
    ck_assert_str_eq(err.message, "scope[0] \"debug_info:read\": scope is not "
                                  "public (a token may not request it) at "
                                  "byte 0");
    ck_assert_int_eq(authz_scope_validate(cat, "debug_info:read", 15, 0,
                                          &err),
                     AUTHZ_OK);
    ck_assert_int_eq(authz_scope_validate(cat, "*:*", 3, AUTHZ_PUBLIC, NULL),
                     AUTHZ_ENOTPUBLIC);
    ck_assert_int_eq(authz_scope_validate(cat, "no_user_data", 12,
                                          AUTHZ_PUBLIC, NULL),
                     AUTHZ_ENOTPUBLIC);
    ck_assert_int_eq(authz_scope_validate(cat, "template:view_insights", 22,
                                          AUTHZ_PUBLIC, NULL),
                     AUTHZ_ENOTPUBLIC);
    ck_assert_int_eq(authz_scope_validate(cat, "inbox_notification:*", 20,
                                          AUTHZ_PUBLIC, NULL),
                     AUTHZ_ENOTPUBLIC);
    /* Invalid stays invalid, with its own code and offset. */
    ck_assert_int_eq(authz_scope_validate(cat, "workspace:fly", 13,
                                          AUTHZ_PUBLIC, &err),
                     AUTHZ_EACTION);
    ck_assert_uint_eq(err.offset, 10);
    ck_assert_int_eq(authz_scope_validate(NULL, "all", 3, 0, &err),
                     AUTHZ_EINVAL);
    ck_assert_int_eq(authz_scope_validate(cat, NULL, 3, 0, &err),
                     AUTHZ_EINVAL);
    ck_assert_int_eq(authz_scope_validate(cat, "all", 3, 0x10, &err),
                     AUTHZ_EINVAL);
    {
        /* The same length limit as token construction. */
        char longer[300];
        authz_str ls = {longer, 257};
        memset(longer, 'a', sizeof longer);
        memcpy(longer, "workspace:", 10);
        ck_assert_int_eq(authz_scope_validate(cat, longer, 257, 0, &err),
                         AUTHZ_ETOOLONG);
        ck_assert_uint_eq(err.offset, 256);
        ck_assert_ptr_null(authz_token_new_ex(cat, &ls, 1, NULL, 0, NULL,
                                              &err));
        ck_assert_int_eq(err.code, AUTHZ_ETOOLONG);
        ck_assert_int_eq(authz_scope_validate(cat, longer, 256, 0, &err),
                         AUTHZ_EACTION);
    }
}
END_TEST

/* The constructor option applies the same rule to every scope. */
START_TEST(test_public_option)
{
    authz_options opts;
    authz_error err;
    authz_str s[] = {{"workspace:read", 14}, {"coder:all", 9},
                     {"debug_info:read", 15}};
    authz_str a[] = {{"*:*", 3}};
    authz_token *tok;
    authz_options_init(&opts);
    opts.flags = AUTHZ_PUBLIC;
    tok = authz_token_new_ex(coder(), s, 2, a, 1, &opts, &err);
    ck_assert_ptr_nonnull(tok);
    authz_token_free(tok);
    ck_assert_ptr_null(authz_token_new_ex(coder(), s, 3, a, 1, &opts, &err));
    ck_assert_int_eq(err.code, AUTHZ_ENOTPUBLIC);
    ck_assert_int_eq(err.list, AUTHZ_LIST_SCOPES);
    ck_assert_uint_eq(err.index, 2);
    ck_assert_uint_eq(err.offset, 0);
    /* Without the flag the same token builds: evaluation accepts it. */
    tok = authz_token_new_ex(coder(), s, 3, a, 1, NULL, &err);
    ck_assert_ptr_nonnull(tok);
    ck_assert(authz_check(tok, "debug_info", W, "read"));
    authz_token_free(tok);
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
    tcase_add_test(tc, test_public_names);
    tcase_add_test(tc, test_public_option);
    suite_add_tcase(s, tc);
    return s;
}
