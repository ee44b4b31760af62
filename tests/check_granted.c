/*
 * check_granted.c - list endpoints: authz_token_granted_ids and
 * authz_token_granted_sql agree with authz_check_target on every id, and
 * the length-delimited forms of resolve, grants and explain agree with
 * their NUL-terminated forms.
 */
#include "tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define U1 "00000000-0000-4000-8000-000000000001"
#define U2 "00000000-0000-4000-8000-000000000002"
#define U3 "ffffffff-0000-4000-8000-000000000003"

/* One row: a token, a (resource, action), and the expected listing. */
struct granted_row {
    const char *scopes, *allow, *resource, *action;
    authz_granted which;
    const char *ids; /* space-separated, sorted; "" for none */
    const char *sql; /* predicate over column "w.id" */
};

static const struct granted_row granted_rows[] = {
    {"workspace:read", "*:*", "workspace", "read", AUTHZ_GRANTED_ALL, "",
     "1"},
    {"workspace:read", "workspace:*", "workspace", "read", AUTHZ_GRANTED_ALL,
     "", "1"},
    {"workspace:read", "template:*", "workspace", "read", AUTHZ_GRANTED_NONE,
     "", "0"},
    {"workspace:read", "workspace:*", "workspace", "update",
     AUTHZ_GRANTED_NONE, "", "0"},
    {"workspace:read", "(empty)", "workspace", "read", AUTHZ_GRANTED_NONE, "",
     "0"},
    {"(empty)", "*:*", "workspace", "read", AUTHZ_GRANTED_NONE, "", "0"},
    {"workspace:read", "workspace:" U2 ",workspace:" U1, "workspace", "read",
     AUTHZ_GRANTED_LISTED, U1 " " U2,
     "w.id IN ('" U1 "', '" U2 "')"},
    /* `*:<id>` counts; a listed id of another type does not; every
     * spelling is the one canonical id, once. */
    {"coder:all",
     "*:" U3 ",template:" U1 ",workspace:{" U2 "},workspace:"
     "00000000000040008000000000000002",
     "workspace", "delete", AUTHZ_GRANTED_LISTED, U2 " " U3,
     "w.id IN ('" U2 "', '" U3 "')"},
    {"coder:all", "template:" U1, "workspace", "read", AUTHZ_GRANTED_NONE, "",
     "0"},
    /* An id under several types, `*` among them. */
    {"coder:all", "template:" U1 ",*:" U1 ",workspace:" U1, "workspace",
     "ssh", AUTHZ_GRANTED_LISTED, U1, "w.id IN ('" U1 "')"},
    {"coder:all", "template:" U1 ",user:" U1 ",workspace:" U2, "template",
     "read", AUTHZ_GRANTED_LISTED, U1, "w.id IN ('" U1 "')"},
    /* The wildcard wins over listed ids of the same type. */
    {"coder:all", "workspace:" U1 ",workspace:*", "workspace", "read",
     AUTHZ_GRANTED_ALL, "", "1"},
    {"workspace:read", "workspace:" U1, "workspace_dormant", "read",
     AUTHZ_GRANTED_NONE, "", "0"},
};

START_TEST(test_granted_rows)
{
    const struct granted_row *row = &granted_rows[_i];
    authz_error err;
    authz_token *tok = test_token(test_coder(), row->scopes, row->allow, &err);
    authz_target t;
    authz_granted which;
    authz_list *ids = NULL;
    char joined[1024] = "", sql[1024];
    size_t i, len;
    ck_assert_msg(tok != NULL, "row %d: %s", _i, err.message);
    t = test_target(row->resource, row->action);
    ck_assert_int_eq(authz_token_granted_ids(tok, &t, &which, &ids, &err),
                     AUTHZ_OK);
    ck_assert_int_eq(err.code, AUTHZ_OK);
    ck_assert_msg(which == row->which, "row %d: which %d, want %d", _i,
                  (int)which, (int)row->which);
    for (i = 0; i < authz_list_count(ids); i++) {
        if (i > 0)
            strcat(joined, " ");
        strcat(joined, authz_list_get(ids, i));
        /* Every listed id is allowed by the check. */
        ck_assert(authz_check_target(tok, &t, authz_list_get(ids, i), 36));
    }
    ck_assert_msg(strcmp(joined, row->ids) == 0, "row %d: ids \"%s\"", _i,
                  joined);
    authz_list_free(ids);
    /* Without the list, the same kind. */
    ck_assert_int_eq(authz_token_granted_ids(tok, &t, &which, NULL, NULL),
                     AUTHZ_OK);
    ck_assert_int_eq(which, row->which);
    ck_assert_int_eq(
        authz_token_granted_sql(tok, &t, "w.id", sql, sizeof sql, &len),
        AUTHZ_OK);
    ck_assert_str_eq(sql, row->sql);
    ck_assert_uint_eq(len, strlen(row->sql));
    authz_token_free(tok);
}
END_TEST

/* A token with many ids of several types: the listing is exactly the set
 * of ids the check allows, among the ids the token holds and others. */
START_TEST(test_granted_matches_check)
{
    enum { N = 300 };
    static char entries[N][64];
    const char *allow[N];
    const char *scopes[] = {"coder:all"};
    const char *types[] = {"workspace", "template", "*", "user"};
    authz_token *tok;
    authz_target t;
    authz_granted which;
    authz_list *ids = NULL;
    size_t i, listed = 0, allowed = 0;
    authz_error err;
    for (i = 0; i < N; i++) {
        /* ids repeat across types: i % 97 picks the id */
        snprintf(entries[i], sizeof entries[i],
                 "%s:%08zx-0000-4000-8000-%012zx", types[i % 4], i % 97,
                 i % 97);
        allow[i] = entries[i];
    }
    authz_options opts;
    authz_options_init(&opts);
    opts.max_allow = N;
    {
        authz_str s[1] = {{scopes[0], strlen(scopes[0])}};
        authz_str a[N];
        for (i = 0; i < N; i++) {
            a[i].ptr = allow[i];
            a[i].len = strlen(allow[i]);
        }
        tok = authz_token_new_ex(test_coder(), s, 1, a, N, &opts, &err);
    }
    ck_assert_msg(tok != NULL, "%s", err.message);
    t = test_target("workspace", "read");
    ck_assert_int_eq(authz_token_granted_ids(tok, &t, &which, &ids, &err),
                     AUTHZ_OK);
    ck_assert_int_eq(which, AUTHZ_GRANTED_LISTED);
    for (i = 0; i < 200; i++) {
        char id[37];
        size_t k;
        int in_list = 0, ok;
        snprintf(id, sizeof id, "%08zx-0000-4000-8000-%012zx", i, i);
        ok = authz_check_target(tok, &t, id, 36);
        for (k = 0; k < authz_list_count(ids); k++)
            in_list |= strcmp(authz_list_get(ids, k), id) == 0;
        ck_assert_msg(ok == in_list, "id %s: check %d, listed %d", id, ok,
                      in_list);
        allowed += (size_t)ok;
    }
    for (i = 1; i < authz_list_count(ids); i++)
        ck_assert_int_lt(strcmp(authz_list_get(ids, i - 1),
                                authz_list_get(ids, i)), 0);
    listed = authz_list_count(ids);
    ck_assert_uint_eq(listed, allowed);
    ck_assert_uint_gt(listed, 0);
    authz_list_free(ids);
    authz_token_free(tok);
}
END_TEST

START_TEST(test_granted_errors)
{
    const char *scopes[] = {"workspace:read"}, *allow[] = {"workspace:" U1};
    authz_token *tok = authz_token_new(test_coder(), scopes, 1, allow, 1, NULL);
    authz_catalog *other;
    authz_target t = test_target("workspace", "read"), bad, foreign;
    authz_granted which = AUTHZ_GRANTED_ALL;
    authz_list *ids = (authz_list *)&which;
    authz_error err;
    char buf[64];
    size_t len = 99;
    const char *text = "type workspace read\n";
    ck_assert_ptr_nonnull(tok);
    memset(&bad, 0, sizeof bad);
    ck_assert_int_eq(authz_token_granted_ids(NULL, &t, &which, &ids, &err),
                     AUTHZ_EINVAL);
    ck_assert_int_eq(err.code, AUTHZ_EINVAL);
    ck_assert_int_eq(which, AUTHZ_GRANTED_NONE);
    ck_assert_ptr_null(ids);
    which = AUTHZ_GRANTED_ALL;
    ck_assert_int_eq(authz_token_granted_ids(tok, &bad, &which, &ids, NULL),
                     AUTHZ_EINVAL);
    ck_assert_int_eq(which, AUTHZ_GRANTED_NONE);
    ck_assert_int_eq(authz_token_granted_ids(tok, NULL, &which, &ids, NULL),
                     AUTHZ_EINVAL);
    ck_assert_int_eq(authz_token_granted_ids(tok, &t, NULL, &ids, NULL),
                     AUTHZ_EINVAL);
    /* A target resolved against another catalog. */
    other = authz_catalog_parse(text, strlen(text), NULL);
    ck_assert_ptr_nonnull(other);
    ck_assert_int_eq(authz_target_resolve(other, "workspace", "read",
                                          &foreign),
                     AUTHZ_OK);
    ck_assert_int_eq(authz_token_granted_ids(tok, &foreign, &which, &ids,
                                             NULL),
                     AUTHZ_EINVAL);
    ck_assert_int_eq(authz_token_granted_sql(tok, &foreign, "id", buf,
                                             sizeof buf, &len),
                     AUTHZ_EINVAL);
    ck_assert_str_eq(buf, "0");
    authz_catalog_free(other);

    /* Column names: plain identifiers only, one qualifier at most. */
    {
        static const char *good[] = {"id", "w.id", "_x9", "Workspaces.ID"};
        static const char *bad_cols[] = {"",      "1id",  "id;",   "w.",
                                         ".id",   "a.b.c", "id --", "i d",
                                         "\"id\"", "id)"};
        size_t i;
        char longname[200];
        for (i = 0; i < sizeof good / sizeof *good; i++)
            ck_assert_int_eq(authz_token_granted_sql(tok, &t, good[i], buf,
                                                     sizeof buf, &len),
                             AUTHZ_OK);
        for (i = 0; i < sizeof bad_cols / sizeof *bad_cols; i++) {
            strcpy(buf, "junk");
            ck_assert_msg(authz_token_granted_sql(tok, &t, bad_cols[i], buf,
                                                  sizeof buf,
                                                  &len) == AUTHZ_EINVAL,
                          "column \"%s\"", bad_cols[i]);
            ck_assert_str_eq(buf, "0");
        }
        memset(longname, 'c', 128);
        longname[128] = '\0';
        ck_assert_int_eq(authz_token_granted_sql(tok, &t, longname, NULL, 0,
                                                 &len),
                         AUTHZ_ESPACE);
        longname[128] = 'c';
        longname[129] = '\0';
        ck_assert_int_eq(authz_token_granted_sql(tok, &t, longname, buf,
                                                 sizeof buf, &len),
                         AUTHZ_EINVAL);
        ck_assert_int_eq(authz_token_granted_sql(tok, &t, NULL, buf,
                                                 sizeof buf, &len),
                         AUTHZ_EINVAL);
        ck_assert_int_eq(authz_token_granted_sql(tok, &t, "id", buf,
                                                 sizeof buf, NULL),
                         AUTHZ_EINVAL);
    }
    /* Too small a buffer: the size needed, and "0" in the buffer. */
    {
        const char *want = "id IN ('" U1 "')";
        char small[8];
        ck_assert_int_eq(authz_token_granted_sql(tok, &t, "id", small,
                                                 sizeof small, &len),
                         AUTHZ_ESPACE);
        ck_assert_uint_eq(len, strlen(want));
        ck_assert_str_eq(small, "0");
        ck_assert_int_eq(authz_token_granted_sql(tok, &t, "id", NULL, 0,
                                                 &len),
                         AUTHZ_ESPACE);
        ck_assert_uint_eq(len, strlen(want));
        ck_assert_int_eq(authz_token_granted_sql(tok, &t, "id", buf,
                                                 strlen(want), &len),
                         AUTHZ_ESPACE);
        ck_assert_int_eq(authz_token_granted_sql(tok, &t, "id", buf,
                                                 strlen(want) + 1, &len),
                         AUTHZ_OK);
        ck_assert_str_eq(buf, want);
    }
    authz_token_free(tok);
}
END_TEST

/* Allocation failure at every allocation: AUTHZ_ENOMEM, nothing listed,
 * nothing leaked; with no failure, the full answer. */
START_TEST(test_granted_enomem)
{
    struct test_alloc st;
    authz_options opts;
    const authz_str scopes[] = {{"coder:all", 9}};
    const authz_str allow[] = {{"workspace:" U1, 46}, {"*:" U2, 38}};
    authz_token *tok;
    authz_target t = test_target("workspace", "read");
    size_t n;
    memset(&st, 0, sizeof st);
    authz_options_init(&opts);
    opts.allocator = test_allocator(&st);
    tok = authz_token_new_ex(test_coder(), scopes, 1, allow, 2, &opts, NULL);
    ck_assert_ptr_nonnull(tok);
    for (n = 1;; n++) {
        authz_granted which = AUTHZ_GRANTED_ALL;
        authz_list *ids = NULL;
        authz_error err;
        size_t live = st.live;
        int rc;
        st.calls = 0;
        st.fail_at = n;
        rc = authz_token_granted_ids(tok, &t, &which, &ids, &err);
        st.fail_at = 0;
        if (rc == AUTHZ_OK) {
            ck_assert_int_eq(which, AUTHZ_GRANTED_LISTED);
            ck_assert_uint_eq(authz_list_count(ids), 2);
            authz_list_free(ids);
            ck_assert_uint_eq(st.live, live);
            break;
        }
        ck_assert_int_eq(rc, AUTHZ_ENOMEM);
        ck_assert_int_eq(err.code, AUTHZ_ENOMEM);
        ck_assert_int_eq(which, AUTHZ_GRANTED_NONE);
        ck_assert_ptr_null(ids);
        ck_assert_uint_eq(st.live, live);
    }
    ck_assert_uint_gt(n, 1);
    authz_token_free(tok);
    ck_assert_uint_eq(st.live, 0);
}
END_TEST

/* The `_n` forms read exactly the bytes given: a name followed by more
 * bytes resolves as the name alone, and an embedded NUL is a byte. */
START_TEST(test_length_forms)
{
    const char *scopes[] = {"workspace:read"}, *allow[] = {"workspace:" U1};
    authz_token *tok = authz_token_new(test_coder(), scopes, 1, allow, 1, NULL);
    authz_target t;
    authz_explanation ex;
    const char *res = "workspaceQQQ", *act = "readYY", *id = U1 "zz";
    ck_assert_ptr_nonnull(tok);
    ck_assert_int_eq(authz_target_resolve_n(test_coder(), res, 9, act, 4, &t),
                     AUTHZ_OK);
    ck_assert(authz_check_target(tok, &t, id, 36));
    ck_assert_int_eq(authz_target_resolve_n(test_coder(), res, 10, act, 4, &t),
                     AUTHZ_ETYPE);
    ck_assert(!authz_check_target(tok, &t, id, 36));
    ck_assert_int_eq(authz_target_resolve_n(test_coder(), res, 9, act, 5, &t),
                     AUTHZ_EACTION);
    ck_assert_int_eq(authz_target_resolve_n(test_coder(), "work\0space", 10,
                                            act, 4, &t),
                     AUTHZ_ETYPE);
    ck_assert_int_eq(authz_target_resolve_n(NULL, res, 9, act, 4, &t),
                     AUTHZ_EINVAL);
    ck_assert_int_eq(authz_target_resolve_n(test_coder(), res, 9, act, 4, NULL),
                     AUTHZ_EINVAL);

    ck_assert(authz_token_grants_n(tok, res, 9, act, 4));
    ck_assert(!authz_token_grants_n(tok, res, 9, "update", 6));
    ck_assert(!authz_token_grants_n(tok, res, 10, act, 4));
    ck_assert(!authz_token_grants_n(NULL, res, 9, act, 4));

    ck_assert(authz_explain_n(tok, res, 9, id, 36, act, 4, &ex));
    ck_assert_int_eq(ex.reason, AUTHZ_REASON_ALLOWED);
    ck_assert_str_eq(ex.allow, "workspace:" U1);
    ck_assert(!authz_explain_n(tok, res, 9, id, 37, act, 4, &ex));
    ck_assert_int_eq(ex.reason, AUTHZ_REASON_NOT_LISTED);
    ck_assert(!authz_explain_n(tok, res, 9, id, 0, act, 4, &ex));
    ck_assert_int_eq(ex.reason, AUTHZ_REASON_NOT_LISTED);
    ck_assert(!authz_explain_n(tok, res, 9, NULL, 0, act, 4, &ex));
    ck_assert_int_eq(ex.reason, AUTHZ_REASON_NOT_LISTED);
    ck_assert(!authz_explain_n(tok, res, 10, id, 36, act, 4, &ex));
    ck_assert_int_eq(ex.reason, AUTHZ_REASON_UNKNOWN_RESOURCE);
    ck_assert(!authz_explain_n(tok, res, 9, id, 36, act, 5, &ex));
    ck_assert_int_eq(ex.reason, AUTHZ_REASON_UNKNOWN_ACTION);
    ck_assert(!authz_explain_n(tok, NULL, 0, id, 36, act, 4, &ex));
    ck_assert_int_eq(ex.reason, AUTHZ_REASON_NULL_ARGUMENT);
    /* SIZE_MAX measures a NUL-terminated id, as authz_check_n does. */
    ck_assert(authz_explain_n(tok, res, 9, U1, (size_t)-1, act, 4, &ex));
    ck_assert(authz_check_n(tok, res, 9, U1, (size_t)-1, act, 4));
    authz_token_free(tok);
}
END_TEST

Suite *granted_suite(void)
{
    Suite *s = suite_create("granted");
    TCase *tc = tcase_create("granted");
    tcase_add_loop_test(tc, test_granted_rows, 0,
                        (int)(sizeof granted_rows / sizeof *granted_rows));
    tcase_add_test(tc, test_granted_matches_check);
    tcase_add_test(tc, test_granted_errors);
    tcase_add_test(tc, test_granted_enomem);
    tcase_add_test(tc, test_length_forms);
    suite_add_tcase(s, tc);
    return s;
}
