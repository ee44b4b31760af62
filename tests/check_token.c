/*
 * check_token.c - construction: every error class with its code, list,
 * index and offset; messages; limits; options; allocators.
 */
#include "tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const authz_catalog *coder(void)
{
    return authz_catalog_coder();
}

static int code_of(const char *name, int *code)
{
    static const struct {
        const char *name;
        int code;
    } codes[] = {{"ESYNTAX", AUTHZ_ESYNTAX}, {"ETYPE", AUTHZ_ETYPE},
                 {"EACTION", AUTHZ_EACTION}, {"ESCOPE", AUTHZ_ESCOPE},
                 {"EUUID", AUTHZ_EUUID},     {"ELIMIT", AUTHZ_ELIMIT},
                 {"ETOOLONG", AUTHZ_ETOOLONG}};
    size_t i;
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(codes[i].name, name) == 0) {
            *code = codes[i].code;
            return 1;
        }
    return 0;
}

#define ERRORS "tests/data/errors.txt"

/* One row of tests/data/errors.txt (a loop test: each row is its own
 * iteration, and every message starts with the row's file:line). The bad
 * entry is placed at index 2, after two valid entries, so the reported
 * index is checked too. */
START_TEST(test_error_row)
{
    const struct test_table *tab = test_table(ERRORS);
    const struct test_row *row = &tab->rows[_i];
    authz_str s[3], a[3];
    authz_error err;
    authz_token *tok;
    size_t elen;
    int scope, code;
    unsigned long offset;
    char where[64], ebuf[256], *end;

    snprintf(where, sizeof where, "%s:%u", tab->path, row->line);
    ck_assert_msg(row->nfields == 4, "%s: %zu fields, want 4", where,
                  row->nfields);
    scope = strcmp(row->field[0], "scope") == 0;
    ck_assert_msg(scope || strcmp(row->field[0], "allow") == 0,
                  "%s: list \"%s\" is neither scope nor allow", where,
                  row->field[0]);
    if (strcmp(row->field[1], "(blank)") == 0)
        elen = test_unescape("", ebuf, sizeof ebuf);
    else
        elen = test_unescape(row->field[1], ebuf, sizeof ebuf);
    ck_assert_msg(code_of(row->field[2], &code), "%s: unknown code \"%s\"",
                  where, row->field[2]);
    offset = strtoul(row->field[3], &end, 10);
    ck_assert_msg(*row->field[3] != '\0' && *end == '\0',
                  "%s: offset \"%s\" is not a number", where, row->field[3]);

    s[0] = (authz_str){"workspace:read", 14};
    s[1] = (authz_str){"template:*", 10};
    a[0] = (authz_str){"workspace:" W, 46};
    a[1] = (authz_str){"template:*", 10};
    if (scope)
        s[2] = (authz_str){ebuf, elen};
    else
        a[2] = (authz_str){ebuf, elen};

    tok = authz_token_new_ex(coder(), s, scope ? 3 : 2, a, scope ? 2 : 3,
                             NULL, &err);
    ck_assert_msg(tok == NULL, "%s: %s was accepted", where, row->field[1]);
    ck_assert_msg(err.code == code, "%s: code %d, want %d (%s): %s", where,
                  err.code, code, row->field[2], err.message);
    ck_assert_msg(err.list == (scope ? AUTHZ_LIST_SCOPES : AUTHZ_LIST_ALLOW),
                  "%s: list %d", where, (int)err.list);
    ck_assert_msg(err.index == 2, "%s: index %zu, want 2", where, err.index);
    ck_assert_msg(err.offset == offset, "%s: offset %zu, want %lu: %s",
                  where, err.offset, offset, err.message);
    ck_assert_msg(strstr(err.message, scope ? "scope[2] \"" : "allow[2] \"")
                      != NULL,
                  "%s: message \"%s\" does not quote the entry", where,
                  err.message);

    /* The NUL-terminated form agrees, for entries without a NUL. */
    if (memchr(ebuf, '\0', elen) == NULL) {
        const char *cs[3] = {"workspace:read", "template:*", ebuf};
        const char *ca[3] = {"workspace:" W, "template:*", ebuf};
        authz_error err2;
        tok = authz_token_new(coder(), cs, scope ? 3 : 2, ca, scope ? 2 : 3,
                              &err2);
        ck_assert_msg(tok == NULL, "%s: accepted NUL-terminated", where);
        ck_assert_msg(err2.code == err.code && err2.offset == err.offset &&
                          strcmp(err2.message, err.message) == 0,
                      "%s: NUL-terminated form: code %d offset %zu \"%s\"",
                      where, err2.code, err2.offset, err2.message);
    }
}
END_TEST

START_TEST(test_error_table_shape)
{
    const struct test_table *tab = test_table(ERRORS);
    ck_assert_msg(tab->loaded, "cannot read %s", tab->path);
    ck_assert_uint_ge(tab->nrows, 45);
}
END_TEST

START_TEST(test_messages)
{
    const char *s[] = {"coder:all"};
    const char *a[] = {"*:*", "template:*", ("workspace:" W),
                       "workspace:3f25-zz"};
    const char *q[] = {"work\"space\\:\x01read"};
    char longer[400];
    const char *l[] = {longer};
    authz_error err;
    ck_assert_ptr_null(authz_token_new(coder(), s, 1, a, 4, &err));
    ck_assert_str_eq(err.message,
                     "allow[3] \"workspace:3f25-zz\": invalid UUID at byte 10");
    ck_assert_ptr_null(authz_token_new(coder(), q, 1, a, 1, &err));
    ck_assert_int_eq(err.code, AUTHZ_ESYNTAX);
    ck_assert_uint_eq(err.offset, 12);
    ck_assert_str_eq(err.message,
                     "scope[0] \"work\\\"space\\\\:\\x01read\": unexpected "
                     "byte in scope at byte 12");
    /* Long entries are quoted in part; the message stays bounded. */
    memset(longer, 'a', 200);
    memcpy(longer + 200, ":read", 6);
    ck_assert_ptr_null(authz_token_new(coder(), l, 1, a, 1, &err));
    ck_assert_int_eq(err.code, AUTHZ_ETYPE);
    ck_assert_ptr_nonnull(strstr(err.message, "aaa\"...: unknown type"));
    ck_assert_uint_lt(strlen(err.message), AUTHZ_ERROR_MESSAGE_SIZE);
    /* Every code has its own text; unknown codes have one too. */
    ck_assert_str_eq(authz_strerror(AUTHZ_OK), "success");
    ck_assert_str_eq(authz_strerror(AUTHZ_EUUID), "invalid UUID");
    ck_assert_str_eq(authz_strerror(AUTHZ_ELIMIT), "too many entries");
    ck_assert_str_eq(authz_strerror(-1), "unknown error");
    ck_assert_str_eq(authz_strerror(999), "unknown error");
}
END_TEST

START_TEST(test_success_resets_error)
{
    const char *s[] = {"coder:all"}, *a[] = {"*:*"};
    authz_error err;
    authz_token *tok;
    memset(&err, 0x5a, sizeof err);
    tok = authz_token_new(coder(), s, 1, a, 1, &err);
    ck_assert_ptr_nonnull(tok);
    ck_assert_int_eq(err.code, AUTHZ_OK);
    ck_assert_int_eq(err.list, AUTHZ_LIST_NONE);
    ck_assert_str_eq(err.message, "");
    authz_token_free(tok);
    authz_token_free(NULL);
}
END_TEST

START_TEST(test_invalid_arguments)
{
    const char *s[] = {"coder:all", NULL}, *a[] = {"*:*"};
    authz_str ns[] = {{NULL, 3}};
    authz_str empty[] = {{NULL, 0}};
    authz_options opts;
    authz_error err;
    authz_token *tok;

    ck_assert_ptr_null(authz_token_new(NULL, s, 1, a, 1, &err));
    ck_assert_int_eq(err.code, AUTHZ_EINVAL);
    ck_assert_ptr_null(authz_token_new(coder(), NULL, 1, a, 1, &err));
    ck_assert_int_eq(err.code, AUTHZ_EINVAL);
    ck_assert_ptr_null(authz_token_new(coder(), s, 1, NULL, 2, &err));
    ck_assert_int_eq(err.code, AUTHZ_EINVAL);
    ck_assert_ptr_null(authz_token_new(coder(), s, 2, a, 1, &err));
    ck_assert_int_eq(err.code, AUTHZ_EINVAL);
    ck_assert_int_eq(err.list, AUTHZ_LIST_SCOPES);
    ck_assert_uint_eq(err.index, 1);
    ck_assert_ptr_null(authz_token_new_ex(coder(), ns, 1, NULL, 0, NULL,
                                          &err));
    ck_assert_int_eq(err.code, AUTHZ_EINVAL);
    /* err may be NULL. */
    ck_assert_ptr_null(authz_token_new(NULL, s, 1, a, 1, NULL));
    /* NULL with count 0 is an empty list; {NULL, 0} is the empty string. */
    tok = authz_token_new(coder(), NULL, 0, NULL, 0, &err);
    ck_assert_ptr_nonnull(tok);
    ck_assert(!authz_check(tok, "workspace", W, "read"));
    authz_token_free(tok);
    ck_assert_ptr_null(authz_token_new_ex(coder(), empty, 1, NULL, 0, NULL,
                                          &err));
    ck_assert_int_eq(err.code, AUTHZ_ESYNTAX);

    /* Options: unknown flags and reserved fields fail closed. */
    authz_options_init(&opts);
    opts.flags = 0x80000000u;
    ck_assert_ptr_null(authz_token_new_ex(coder(), NULL, 0, NULL, 0, &opts,
                                          &err));
    ck_assert_int_eq(err.code, AUTHZ_EINVAL);
    authz_options_init(&opts);
    opts.reserved_[3] = &opts;
    ck_assert_ptr_null(authz_token_new_ex(coder(), NULL, 0, NULL, 0, &opts,
                                          &err));
    ck_assert_int_eq(err.code, AUTHZ_EINVAL);
    authz_options_init(&opts);
    opts.max_allow = (size_t)AUTHZ_MAX_ENTRIES_CEILING + 1;
    ck_assert_ptr_null(authz_token_new_ex(coder(), NULL, 0, NULL, 0, &opts,
                                          &err));
    ck_assert_int_eq(err.code, AUTHZ_EINVAL);
    authz_options_init(NULL);
}
END_TEST

/* 128 entries pass, 129 fail, counted before duplicates are removed. */
START_TEST(test_allow_limit)
{
    const char *s[] = {"coder:all"};
    const char *a[200];
    authz_options opts;
    authz_str as[200];
    authz_error err;
    authz_token *tok;
    size_t i;
    for (i = 0; i < 200; i++) {
        a[i] = "workspace:" W;
        as[i] = (authz_str){a[i], strlen(a[i])};
    }
    tok = authz_token_new(coder(), s, 1, a, 128, &err);
    ck_assert_ptr_nonnull(tok);
    ck_assert(authz_check(tok, "workspace", W, "read"));
    authz_token_free(tok);
    ck_assert_ptr_null(authz_token_new(coder(), s, 1, a, 129, &err));
    ck_assert_int_eq(err.code, AUTHZ_ELIMIT);
    ck_assert_int_eq(err.list, AUTHZ_LIST_ALLOW);
    ck_assert_uint_eq(err.index, 128);
    ck_assert_str_eq(err.message,
                     "allow[128]: 129 allow entries; the limit is 128");

    authz_options_init(&opts);
    opts.max_allow = 200;
    tok = authz_token_new_ex(coder(), NULL, 0, as, 200, &opts, &err);
    ck_assert_ptr_nonnull(tok);
    authz_token_free(tok);
    opts.max_allow = 10;
    ck_assert_ptr_null(authz_token_new_ex(coder(), NULL, 0, as, 11, &opts,
                                          &err));
    ck_assert_int_eq(err.code, AUTHZ_ELIMIT);
    ck_assert_uint_eq(err.index, 10);
}
END_TEST

START_TEST(test_scope_limit_and_length)
{
    const char *many[257];
    char longer[300];
    const char *l[] = {longer};
    authz_options opts;
    authz_str ls = {longer, 0};
    authz_error err;
    authz_token *tok;
    size_t i;
    for (i = 0; i < 257; i++)
        many[i] = "workspace:read";
    tok = authz_token_new(coder(), many, 256, NULL, 0, &err);
    ck_assert_ptr_nonnull(tok);
    authz_token_free(tok);
    ck_assert_ptr_null(authz_token_new(coder(), many, 257, NULL, 0, &err));
    ck_assert_int_eq(err.code, AUTHZ_ELIMIT);
    ck_assert_int_eq(err.list, AUTHZ_LIST_SCOPES);
    ck_assert_uint_eq(err.index, 256);

    /* 256 bytes is the default entry limit; 257 is too long. */
    memset(longer, 'a', sizeof longer);
    memcpy(longer, "workspace:", 10);
    longer[256] = '\0';
    ck_assert_ptr_null(authz_token_new(coder(), l, 1, NULL, 0, &err));
    ck_assert_int_eq(err.code, AUTHZ_EACTION);
    longer[256] = 'a';
    longer[257] = '\0';
    ck_assert_ptr_null(authz_token_new(coder(), l, 1, NULL, 0, &err));
    ck_assert_int_eq(err.code, AUTHZ_ETOOLONG);
    ck_assert_uint_eq(err.offset, 256);
    ls.len = 257;
    ck_assert_ptr_null(authz_token_new_ex(coder(), &ls, 1, NULL, 0, NULL,
                                          &err));
    ck_assert_int_eq(err.code, AUTHZ_ETOOLONG);
    authz_options_init(&opts);
    opts.max_entry_len = 8;
    ls = (authz_str){"workspace:read", 14};
    ck_assert_ptr_null(authz_token_new_ex(coder(), &ls, 1, NULL, 0, &opts,
                                          &err));
    ck_assert_int_eq(err.code, AUTHZ_ETOOLONG);
    ck_assert_uint_eq(err.offset, 8);
}
END_TEST

/* A custom allocator is used for everything, and freed with. */
START_TEST(test_custom_allocator)
{
    struct test_alloc st = {0, 0, 0, 0};
    authz_options opts;
    authz_str s[] = {{"coder:all", 9}};
    authz_str a[] = {{"workspace:" W, 46}, {"template:" W, 45}};
    authz_token *tok;
    authz_options_init(&opts);
    opts.allocator = test_allocator(&st);
    tok = authz_token_new_ex(coder(), s, 1, a, 2, &opts, NULL);
    ck_assert_ptr_nonnull(tok);
    ck_assert_uint_ge(st.calls, 2);
    ck_assert_uint_ge(st.live, 1);
    authz_token_free(tok);
    ck_assert_uint_eq(st.live, 0);
    ck_assert_uint_eq(st.bytes, 0);
}
END_TEST

/* Failing the Nth allocation, for every N until construction succeeds:
 * each failure is AUTHZ_ENOMEM, returns NULL and leaks nothing. */
START_TEST(test_allocation_failures)
{
    authz_str s[] = {{"coder:all", 9}};
    /* One id under two types, so the side array is allocated too. */
    authz_str a[] = {{"workspace:" W, 46}, {"template:" W, 45},
                     {"*:" T, 38}, {"file:*", 6}};
    size_t n;
    for (n = 1;; n++) {
        struct test_alloc st = {0, 0, 0, n};
        authz_options opts;
        authz_error err;
        authz_token *tok;
        authz_options_init(&opts);
        opts.allocator = test_allocator(&st);
        tok = authz_token_new_ex(coder(), s, 1, a, 4, &opts, &err);
        if (tok != NULL) {
            ck_assert(authz_check(tok, "template", W, "read"));
            authz_token_free(tok);
            ck_assert_uint_eq(st.live, 0);
            break;
        }
        ck_assert_int_eq(err.code, AUTHZ_ENOMEM);
        ck_assert_uint_eq(st.live, 0);
        ck_assert_uint_lt(n, 100);
    }
    ck_assert_uint_eq(n, 4); /* scratch, token, side array, then success */
}
END_TEST

START_TEST(test_version)
{
    char buf[32];
    ck_assert_str_eq(authz_version(), AUTHZ_VERSION_STRING);
    ck_assert_uint_eq(authz_version_number(), AUTHZ_VERSION_NUMBER);
    snprintf(buf, sizeof buf, "%d.%d.%d", AUTHZ_VERSION_MAJOR,
             AUTHZ_VERSION_MINOR, AUTHZ_VERSION_PATCH);
    ck_assert_str_eq(authz_version(), buf);
}
END_TEST

Suite *token_suite(void)
{
    Suite *s = suite_create("token");
    TCase *tc = tcase_create("construction");
    tcase_add_test(tc, test_error_table_shape);
    tcase_add_loop_test(tc, test_error_row, 0, (int)test_table(ERRORS)->nrows);
    tcase_add_test(tc, test_messages);
    tcase_add_test(tc, test_success_resets_error);
    tcase_add_test(tc, test_invalid_arguments);
    tcase_add_test(tc, test_allow_limit);
    tcase_add_test(tc, test_scope_limit_and_length);
    tcase_add_test(tc, test_custom_allocator);
    tcase_add_test(tc, test_allocation_failures);
    tcase_add_test(tc, test_version);
    suite_add_tcase(s, tc);
    return s;
}
