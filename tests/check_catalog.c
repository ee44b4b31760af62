/*
 * check_catalog.c - catalog text: the embedded catalog is its file, errors
 * carry line and column, custom catalogs work end to end.
 */
#include "internal.h"
#include "tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static authz_catalog *parse_ok(const char *text)
{
    authz_error err;
    authz_catalog *cat = authz_catalog_parse(text, strlen(text), &err);
    ck_assert_msg(cat != NULL, "%s", err.message);
    ck_assert_int_eq(err.code, AUTHZ_OK);
    return cat;
}

/* One source of truth: the data compiled into the library equals a run-time
 * parse of catalog/coder.catalog, table for table. */
START_TEST(test_embedded_is_the_file)
{
    size_t len;
    char *text = test_slurp(test_path("catalog/coder.catalog"), &len);
    authz_error err;
    authz_catalog *cat = authz_catalog_parse(text, len, &err);
    const authz_catalog *emb = authz_catalog_coder();
    ck_assert_msg(cat != NULL, "%s", err.message);
    ck_assert(cat->seed == emb->seed);
    ck_assert(cat->fingerprint == emb->fingerprint);
    ck_assert(authz_catalog_fingerprint(cat) != 0);
    ck_assert_uint_eq(cat->n_types, emb->n_types);
    ck_assert_uint_eq(cat->n_actions, emb->n_actions);
    ck_assert_uint_eq(cat->n_scopes, emb->n_scopes);
    ck_assert_uint_eq(cat->n_grants, emb->n_grants);
    ck_assert_uint_eq(cat->type_mask, emb->type_mask);
    ck_assert_uint_eq(cat->action_mask, emb->action_mask);
    ck_assert_uint_eq(cat->scope_mask, emb->scope_mask);
    ck_assert_uint_eq(cat->pool_len, emb->pool_len);
    ck_assert_mem_eq(cat->pool, emb->pool, cat->pool_len);
    ck_assert_mem_eq(cat->types, emb->types,
                     cat->n_types * sizeof *cat->types);
    ck_assert_mem_eq(cat->actions, emb->actions,
                     cat->n_actions * sizeof *cat->actions);
    ck_assert_mem_eq(cat->scopes, emb->scopes,
                     cat->n_scopes * sizeof *cat->scopes);
    ck_assert_mem_eq(cat->grants, emb->grants,
                     cat->n_grants * sizeof *cat->grants);
    ck_assert_mem_eq(cat->type_index, emb->type_index,
                     (cat->type_mask + 1) * sizeof *cat->type_index);
    ck_assert_mem_eq(cat->action_index, emb->action_index,
                     (cat->action_mask + 1) * sizeof *cat->action_index);
    ck_assert_mem_eq(cat->scope_index, emb->scope_index,
                     (cat->scope_mask + 1) * sizeof *cat->scope_index);
    authz_catalog_free(cat);
    free(text);
}
END_TEST

/* docs/SPEC.md 6.1 by count: 55 types, and the action counts of a few. */
START_TEST(test_embedded_shape)
{
    const authz_catalog *cat = authz_catalog_coder();
    static const struct {
        const char *type;
        uint32_t n;
    } counts[] = {{"user", 6},           {"workspace", 12},
                  {"workspace_dormant", 12}, {"prebuilt_workspace", 2},
                  {"template", 6},       {"assign_org_role", 6},
                  {"debug_info", 1},     {"ai_gateway_key", 4}};
    size_t i;
    ck_assert_uint_eq(cat->n_types, 55);
    for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        int32_t t = az_type_find(cat, counts[i].type, strlen(counts[i].type));
        ck_assert_int_ge(t, 0);
        ck_assert_uint_eq(cat->types[t].n_actions, counts[i].n);
    }
    /* Every type and action resolves to itself through the tables. */
    for (i = 0; i < cat->n_types; i++) {
        const struct az_type *t = &cat->types[i];
        uint32_t a;
        ck_assert_int_eq(az_type_find(cat, az_name_ptr(cat, t->name),
                                      t->name.len),
                         (int32_t)i);
        for (a = 0; a < t->n_actions; a++) {
            struct az_name n = cat->actions[t->first_action + a];
            ck_assert_int_eq(az_action_find(cat, (uint32_t)i,
                                            az_name_ptr(cat, n), n.len),
                             (int32_t)a);
        }
    }
    authz_catalog_free((authz_catalog *)cat); /* a no-op */
    authz_catalog_free(NULL);
    ck_assert_int_eq(authz_check(NULL, "workspace", W, "read"), 0);
}
END_TEST

START_TEST(test_custom_catalog)
{
    authz_catalog *cat = parse_ok(
        "# a small API\n"
        "type workspace create read update delete start stop ssh\n"
        "type template\tcreate read update delete use   # trailing comment\n"
        "\n"
        "scope myapp:all = *:*\n"
        "scope myapp:deploy = workspace:create workspace:read template:use\n"
        "scope myapp:no_templates = *:* -template:*\n"
        "scope myapp:readonly = workspace:* -workspace:update "
        "-workspace:delete\n"
        "alias deploy = myapp:deploy\n"
        "public workspace:read workspace:* template:read myapp:deploy "
        "deploy\n");
    const char *s1[] = {"deploy"}, *s2[] = {"myapp:no_templates"},
               *s3[] = {"myapp:readonly"}, *a[] = {"*:*"};
    authz_token *tok = authz_token_new(cat, s1, 1, a, 1, NULL);
    ck_assert_ptr_nonnull(tok);
    ck_assert(authz_check(tok, "workspace", "", "create"));
    ck_assert(authz_check(tok, "template", W, "use"));
    ck_assert(!authz_check(tok, "template", W, "update"));
    ck_assert(!authz_check(tok, "user", W, "read")); /* not in this catalog */
    authz_token_free(tok);

    tok = authz_token_new(cat, s2, 1, a, 1, NULL);
    ck_assert(authz_check(tok, "workspace", W, "ssh"));
    ck_assert(!authz_check(tok, "template", W, "read"));
    authz_token_free(tok);

    tok = authz_token_new(cat, s3, 1, a, 1, NULL);
    ck_assert(authz_check(tok, "workspace", W, "ssh"));
    ck_assert(!authz_check(tok, "workspace", W, "update"));
    ck_assert(!authz_check(tok, "workspace", W, "delete"));
    ck_assert(!authz_check(tok, "template", W, "read"));
    authz_token_free(tok);

    /* The scope namespace of this catalog is "myapp", not "coder". */
    {
        const char *bad[] = {"myapp:bogus"}, *bad2[] = {"coder:all"};
        authz_error err;
        ck_assert_ptr_null(authz_token_new(cat, bad, 1, a, 1, &err));
        ck_assert_int_eq(err.code, AUTHZ_ESCOPE);
        ck_assert_ptr_null(authz_token_new(cat, bad2, 1, a, 1, &err));
        ck_assert_int_eq(err.code, AUTHZ_ETYPE);
    }
    authz_catalog_free(cat);
}
END_TEST

/* no_user_data stays honest when a type is added: it covers the new type. */
START_TEST(test_no_user_data_grows)
{
    size_t len;
    char *text = test_slurp(test_path("catalog/coder.catalog"), &len);
    char *grown = malloc(len + 64);
    char *at = strstr(text, "\n# Builtins.");
    authz_catalog *cat;
    const char *s[] = {"no_user_data"}, *a[] = {"*:*"};
    authz_token *tok;
    size_t head;
    ck_assert_ptr_nonnull(at);
    head = (size_t)(at - text) + 1;
    memcpy(grown, text, head);
    memcpy(grown + head, "type gadget read frob\n", 22);
    memcpy(grown + head + 22, text + head, len - head);
    grown[len + 22] = '\0';
    cat = parse_ok(grown);
    tok = authz_token_new(cat, s, 1, a, 1, NULL);
    ck_assert_ptr_nonnull(tok);
    ck_assert(authz_check(tok, "gadget", W, "frob"));
    ck_assert(!authz_check(tok, "user", W, "read"));
    authz_token_free(tok);
    authz_catalog_free(cat);
    free(grown);
    free(text);
}
END_TEST

START_TEST(test_errors)
{
    static const struct {
        const char *text;
        size_t line, column;
        const char *what;
    } cases[] = {
        {"", 1, 1, "catalog declares no type"},
        {"# only a comment\n", 1, 1, "catalog declares no type"},
        {"tpye a read\n", 1, 1, "unknown keyword"},
        {"type a read\nTYPE b read\n", 2, 1, "unknown keyword"},
        {"type\n", 1, 5, "type needs a name and actions"},
        {"type a\n", 1, 6, "type needs at least one action"},
        {"type a read\ntype a write\n", 2, 6, "duplicate type"},
        {"type a read read\n", 1, 13, "duplicate action"},
        {"type A read\n", 1, 6, "invalid type name"},
        {"type a re-ad\n", 1, 10, "invalid action name"},
        {"type a:b read\n", 1, 7, "invalid type name"},
        {"type a read\r\n", 1, 12, "carriage return"},
        {"type a read\x01\n", 1, 12, "unexpected byte"},
        {"type a read # caf\xc3\xa9\n", 1, 18, "unexpected byte"},
        {"type a read\nscope s = a:write\n", 2, 13,
         "unknown action for this type"},
        {"type a read\nscope s = b:read\n", 2, 11, "unknown type"},
        {"type a read\nscope s = *:read\n", 2, 13, "takes only action"},
        {"type a read\nscope s = a\n", 2, 11, "grant must be"},
        {"type a read\nscope s a:read\n", 2, 9, "expected: scope NAME ="},
        {"type a read\nscope s =\n", 2, 9, "expected: scope NAME ="},
        {"type a read\nscope s = -a:read\n", 2, 11, "scope grants nothing"},
        {"type a read\nscope s = *:* -*:*\n", 2, 15, "cannot subtract"},
        {"type a read\nscope a:x = a:read\n", 2, 7, "collides"},
        {"type a read\nscope s = a:read\nscope s = a:*\n", 3, 7,
         "duplicate scope"},
        {"type a read\nscope :s = a:read\n", 2, 7, "invalid scope name"},
        {"type a read\nscope s: = a:read\n", 2, 8, "invalid scope name"},
        {"type a read\nalias x = nothing\n", 2, 11, "undeclared scope"},
        {"type a read\nscope s = a:read\nalias x = s\nalias y = x\n", 4, 11,
         "alias to an alias"},
        {"type a read\nscope s = a:read\nalias s = s\n", 3, 7,
         "duplicate scope"},
        {"type a read\nscope s = a:read\nalias x = s extra\n", 3, 9,
         "expected: alias NAME = SCOPE"},
        {"type a read\npublic nothing\n", 2, 8, "unknown scope"},
        {"type a read\npublic a:write\n", 2, 10, "unknown action"},
        {"type a read\npublic *:*\n", 2, 8, "cannot be public"},
        {"type a read\npublic\n", 2, 7, "public needs names"},
        /* The repro of the review: an alias would publish an internal
         * scope. */
        {"type w read write\nscope internal = *:*\nalias easy = internal\n"
         "public easy\n",
         4, 8, "alias of a scope that is not public"},
        {"type w read\nscope s = w:read\nalias x = s\npublic w:read x s\n",
         4, 15, "alias of a scope that is not public"},
        {"type a read\nscope s = a:read\ntype b read\n", 3, 1,
         "type declared after"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        authz_error err;
        authz_catalog *cat = authz_catalog_parse(
            cases[i].text, strlen(cases[i].text), &err);
        ck_assert_msg(cat == NULL, "case %zu accepted", i);
        ck_assert_int_eq(err.code, AUTHZ_ECATALOG);
        ck_assert_int_eq(err.list, AUTHZ_LIST_CATALOG);
        ck_assert_msg(err.line == cases[i].line &&
                          err.column == cases[i].column,
                      "case %zu: at %zu:%zu, want %zu:%zu (%s)", i, err.line,
                      err.column, cases[i].line, cases[i].column,
                      err.message);
        ck_assert_msg(strstr(err.message, cases[i].what) != NULL,
                      "case %zu: %s", i, err.message);
    }
}
END_TEST

/* An alias and its scope get the same answer under AUTHZ_PUBLIC, whichever
 * of them the `public` line names; and a token accepted under AUTHZ_PUBLIC
 * rebuilds from its own normal form under AUTHZ_PUBLIC. */
START_TEST(test_public_aliases)
{
    static const char text[] =
        "type w read write\n"
        "scope inside = *:*\n"
        "scope outside = w:read\n"
        "alias in = inside\n"
        "alias out = outside\n"
        "alias out2 = outside\n"
        "public outside out\n";
    static const struct {
        const char *scope;
        int code;
    } rows[] = {
        {"inside", AUTHZ_ENOTPUBLIC}, {"in", AUTHZ_ENOTPUBLIC},
        {"outside", AUTHZ_OK},        {"out", AUTHZ_OK},
        {"out2", AUTHZ_OK}, /* not listed, but its scope is public */
    };
    authz_error err;
    authz_catalog *cat = authz_catalog_parse(text, sizeof text - 1, &err);
    authz_options opts;
    size_t i;
    ck_assert_msg(cat != NULL, "%s", err.message);
    authz_options_init(&opts);
    opts.flags = AUTHZ_PUBLIC;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        authz_str s = {rows[i].scope, strlen(rows[i].scope)};
        authz_str a = {"w:*", 3};
        authz_token *tok, *again;
        authz_list *norm;
        authz_str ns;
        ck_assert_int_eq(authz_scope_validate(cat, s.ptr, s.len, AUTHZ_PUBLIC,
                                              &err),
                         rows[i].code);
        tok = authz_token_new_ex(cat, &s, 1, &a, 1, &opts, &err);
        ck_assert_int_eq(err.code, rows[i].code);
        if (tok == NULL)
            continue;
        norm = authz_token_scopes(tok, &err);
        ck_assert_ptr_nonnull(norm);
        ck_assert_uint_eq(authz_list_count(norm), 1);
        ns.ptr = authz_list_get(norm, 0);
        ns.len = strlen(ns.ptr);
        ck_assert_str_eq(ns.ptr, "outside");
        again = authz_token_new_ex(cat, &ns, 1, &a, 1, &opts, &err);
        ck_assert_msg(again != NULL, "%s: normal form refused: %s",
                      rows[i].scope, err.message);
        authz_token_free(again);
        authz_list_free(norm);
        authz_token_free(tok);
    }
    authz_catalog_free(cat);
}
END_TEST

/* authz_catalog_diff: nothing between a catalog and itself or its text;
 * each kind of change, both ways; NULL is an error. */
START_TEST(test_diff)
{
    static const char a_text[] = "type doc read write\n"
                                 "scope edit = doc:read doc:write\n"
                                 "public doc:read edit\n";
    static const char b_text[] = "type doc read share\n"
                                 "scope edit = doc:read -doc:share *:*\n"
                                 "public doc:read doc:*\n";
    static const char *want_ab[] = {"-action doc:write", "+action doc:share",
                                    "-grant edit doc:write",
                                    "+grant edit -doc:share",
                                    "+grant edit *:*", "-public edit",
                                    "+public doc:*"};
    authz_error err;
    authz_catalog *a = authz_catalog_parse(a_text, sizeof a_text - 1, &err);
    authz_catalog *b = authz_catalog_parse(b_text, sizeof b_text - 1, &err);
    authz_list *d;
    size_t i, len = authz_catalog_text(authz_catalog_coder(), NULL, 0);
    char *text = malloc(len + 1);
    authz_catalog *again;
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    d = authz_catalog_diff(a, b, &err);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(authz_list_count(d), sizeof want_ab / sizeof *want_ab);
    for (i = 0; i < authz_list_count(d); i++)
        ck_assert_str_eq(authz_list_get(d, i), want_ab[i]);
    authz_list_free(d);
    d = authz_catalog_diff(a, a, &err);
    ck_assert_uint_eq(authz_list_count(d), 0);
    ck_assert_int_eq(err.code, AUTHZ_OK);
    authz_list_free(d);
    /* The embedded catalog and its own text mean the same. */
    ck_assert_ptr_nonnull(text);
    authz_catalog_text(authz_catalog_coder(), text, len + 1);
    again = authz_catalog_parse(text, len, &err);
    ck_assert_ptr_nonnull(again);
    d = authz_catalog_diff(authz_catalog_coder(), again, &err);
    ck_assert_uint_eq(authz_list_count(d), 0);
    authz_list_free(d);
    authz_catalog_free(again);
    free(text);
    ck_assert_ptr_null(authz_catalog_diff(NULL, a, &err));
    ck_assert_int_eq(err.code, AUTHZ_EINVAL);
    ck_assert_ptr_null(authz_catalog_diff(a, NULL, &err));
    authz_catalog_free(b);
    authz_catalog_free(a);
}
END_TEST

/* authz_catalog_diff at the edges: a public `T:A` of two names of the
 * longest length (longer than a token entry may be) is the same in a
 * catalog and itself; a grant written twice is one difference, not two;
 * the list comes from the allocator the first catalog was parsed with,
 * and a failing allocation leaks nothing. */
START_TEST(test_diff_edges)
{
    static const char b_text[] = "type w read write\nscope s = w:write\n";
    char a_text[1024], type[AZ_MAX_NAME_LEN + 1], act[AZ_MAX_NAME_LEN + 1];
    struct test_alloc st = {0, 0, 0, 0};
    authz_options opts;
    authz_error err;
    authz_catalog *a, *b, *big;
    authz_list *d;
    size_t calls;
    memset(type, 't', AZ_MAX_NAME_LEN);
    type[AZ_MAX_NAME_LEN] = 0;
    memset(act, 'a', AZ_MAX_NAME_LEN);
    act[AZ_MAX_NAME_LEN] = 0;
    snprintf(a_text, sizeof a_text, "type %s %s\npublic %s:%s %s:*\n", type,
             act, type, act, type);
    big = authz_catalog_parse(a_text, strlen(a_text), &err);
    ck_assert_msg(big != NULL, "%s", err.message);
    d = authz_catalog_diff(big, big, &err);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(authz_list_count(d), 0);
    authz_list_free(d);
    authz_catalog_free(big);

    authz_options_init(&opts);
    opts.allocator = test_allocator(&st);
    snprintf(a_text, sizeof a_text,
             "type w read write\nscope s = w:read w:read\n");
    a = authz_catalog_parse_ex(a_text, strlen(a_text), &opts, &err);
    b = authz_catalog_parse(b_text, sizeof b_text - 1, &err);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    calls = st.calls;
    d = authz_catalog_diff(a, b, &err);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_gt(st.calls, calls); /* a's allocator made the list */
    ck_assert_uint_eq(authz_list_count(d), 2);
    ck_assert_str_eq(authz_list_get(d, 0), "-grant s w:read");
    ck_assert_str_eq(authz_list_get(d, 1), "+grant s w:write");
    authz_list_free(d);
    ck_assert_uint_eq(st.live, 1); /* the catalog alone */
    st.fail_at = st.calls + 1;
    ck_assert_ptr_null(authz_catalog_diff(a, b, &err));
    ck_assert_int_eq(err.code, AUTHZ_ENOMEM);
    ck_assert_uint_eq(st.live, 1);
    authz_catalog_free(b);
    authz_catalog_free(a);
    ck_assert_uint_eq(st.live, 0);
}
END_TEST

/* 64 actions per type and 4096 types are supported; one more is not. */
START_TEST(test_limits)
{
    char *text = malloc(4097 * 32 + 1024);
    size_t pos = 0;
    int i;
    authz_error err;
    authz_catalog *cat;
    authz_token *tok;
    const char *s[] = {"t0:a63", "t4095:*"}, *a[] = {"*:*"};

    pos += (size_t)sprintf(text + pos, "type t0");
    for (i = 0; i < 64; i++)
        pos += (size_t)sprintf(text + pos, " a%d", i);
    text[pos++] = '\n';
    for (i = 1; i < 4096; i++)
        pos += (size_t)sprintf(text + pos, "type t%d read\n", i);
    cat = authz_catalog_parse(text, pos, &err);
    ck_assert_msg(cat != NULL, "%s", err.message);
    tok = authz_token_new(cat, s, 2, a, 1, &err);
    ck_assert_msg(tok != NULL, "%s", err.message);
    ck_assert(authz_check(tok, "t0", W, "a63"));
    ck_assert(!authz_check(tok, "t0", W, "a62"));
    ck_assert(authz_check(tok, "t4095", W, "read"));
    ck_assert(!authz_check(tok, "t4094", W, "read"));
    authz_token_free(tok);
    authz_catalog_free(cat);

    pos += (size_t)sprintf(text + pos, "type t4096 read\n");
    ck_assert_ptr_null(authz_catalog_parse(text, pos, &err));
    ck_assert_int_eq(err.code, AUTHZ_ECATALOG);
    ck_assert_uint_eq(err.line, 4097);
    ck_assert_ptr_nonnull(strstr(err.message, "too many types"));

    pos = (size_t)sprintf(text, "type t0");
    for (i = 0; i < 65; i++)
        pos += (size_t)sprintf(text + pos, " a%d", i);
    ck_assert_ptr_null(authz_catalog_parse(text, pos, &err));
    ck_assert_int_eq(err.code, AUTHZ_ECATALOG);
    ck_assert_ptr_nonnull(strstr(err.message, "too many actions"));
    text[pos] = '\0';
    ck_assert_uint_eq(err.column, (size_t)(strstr(text, " a64") - text) + 2);
    free(text);

    ck_assert_ptr_null(authz_catalog_parse(NULL, 5, &err));
    ck_assert_int_eq(err.code, AUTHZ_EINVAL);
}
END_TEST

/* Every allocation of a catalog parse can fail cleanly. */
START_TEST(test_allocation_failures)
{
    size_t len, n;
    char *text = test_slurp(test_path("catalog/coder.catalog"), &len);
    for (n = 1;; n++) {
        struct test_alloc st = {0, 0, 0, n};
        authz_options opts;
        authz_error err;
        authz_catalog *cat;
        authz_options_init(&opts);
        opts.allocator = test_allocator(&st);
        cat = authz_catalog_parse_ex(text, len, &opts, &err);
        if (cat != NULL) {
            authz_catalog_free(cat);
            ck_assert_uint_eq(st.live, 0);
            break;
        }
        ck_assert_int_eq(err.code, AUTHZ_ENOMEM);
        ck_assert_uint_eq(st.live, 0);
        ck_assert_uint_lt(n, 10000);
    }
    ck_assert_uint_gt(n, 5);
    free(text);
}
END_TEST

Suite *catalog_suite(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("parse");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_embedded_is_the_file);
    tcase_add_test(tc, test_embedded_shape);
    tcase_add_test(tc, test_custom_catalog);
    tcase_add_test(tc, test_no_user_data_grows);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_public_aliases);
    tcase_add_test(tc, test_diff);
    tcase_add_test(tc, test_diff_edges);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}
