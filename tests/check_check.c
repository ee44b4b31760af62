/*
 * check_check.c - decisions: docs/SPEC.md table, the data-file table, argument
 * handling, the two calling forms, large and shared tokens.
 */
#define _POSIX_C_SOURCE 200809L
#include "tests.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const authz_catalog *coder(void)
{
    return authz_catalog_coder();
}

#define DECISIONS "tests/data/decisions.txt"

/* The reason column: AUTHZ_REASON_* in lower case. */
static int reason_of(const char *name, authz_reason *out)
{
    static const struct {
        const char *name;
        authz_reason reason;
    } reasons[] = {
        {"allowed", AUTHZ_REASON_ALLOWED},
        {"null_argument", AUTHZ_REASON_NULL_ARGUMENT},
        {"unknown_resource", AUTHZ_REASON_UNKNOWN_RESOURCE},
        {"unknown_action", AUTHZ_REASON_UNKNOWN_ACTION},
        {"empty_scopes", AUTHZ_REASON_EMPTY_SCOPES},
        {"no_grant", AUTHZ_REASON_NO_GRANT},
        {"empty_allow", AUTHZ_REASON_EMPTY_ALLOW},
        {"not_listed", AUTHZ_REASON_NOT_LISTED},
    };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (strcmp(reasons[i].name, name) == 0) {
            *out = reasons[i].reason;
            return 1;
        }
    return 0;
}

/* authz_explain gives the same answer and the row's reason; an allow names
 * a scope and an entry that, alone, still allow; a deny names no entry. */
static void explain_agrees(const char *where, const authz_token *tok,
                           const char *r, const char *id, const char *a,
                           int want, authz_reason reason)
{
    authz_explanation ex;
    memset(&ex, 0x5a, sizeof ex);
    ck_assert_msg(authz_explain(tok, r, id, a, &ex) == want,
                  "%s: authz_explain disagrees with the expected answer",
                  where);
    ck_assert_msg(ex.allowed == want, "%s: ex.allowed", where);
    ck_assert_msg(ex.reason == reason, "%s: reason %s, want %s", where,
                  authz_reason_str(ex.reason), authz_reason_str(reason));
    ck_assert_msg(authz_explain(tok, r, id, a, NULL) == want,
                  "%s: authz_explain without a record", where);
    if (want) {
        const char *s1[1] = {ex.scope}, *a1[1] = {ex.allow};
        authz_token *alone;
        ck_assert_msg(ex.scope_index != AUTHZ_NO_INDEX, "%s", where);
        ck_assert_msg(ex.allow_index != AUTHZ_NO_INDEX, "%s", where);
        alone = authz_token_new(coder(), s1, 1, a1, 1, NULL);
        ck_assert_msg(alone != NULL, "%s: %s / %s", where, ex.scope,
                      ex.allow);
        ck_assert_msg(authz_check(alone, r, id, a),
                      "%s: %s / %s alone deny", where, ex.scope, ex.allow);
        authz_token_free(alone);
    } else {
        ck_assert_msg(strcmp(ex.allow, "") == 0, "%s: allow \"%s\"", where,
                      ex.allow);
        ck_assert_msg(ex.allow_index == AUTHZ_NO_INDEX, "%s: allow_index",
                      where);
    }
}

/* One row of tests/data/decisions.txt (a loop test: each row is its own
 * iteration, and every message starts with the row's file:line). The row
 * is checked through authz_check, authz_check_n, the pre-resolved target,
 * authz_explain (with the row's reason), and authz_check_n with the
 * arguments copied into exact-size heap buffers (so a sanitizer sees any
 * read past their ends). */
START_TEST(test_decision_row)
{
    const struct test_table *tab = test_table(DECISIONS);
    const struct test_row *row = &tab->rows[_i];
    const char *scopes, *allow, *r, *a, *id;
    char where[64], rbuf[128], abuf[128], idbuf[128];
    char *rcopy, *idcopy, *acopy;
    authz_error err;
    authz_token *tok;
    authz_reason reason;
    authz_target tg;
    size_t rlen, idlen, alen;
    int want, got, rc;

    snprintf(where, sizeof where, "%s:%u", tab->path, row->line);
    ck_assert_msg(row->nfields == 7, "%s: %zu fields, want 7", where,
                  row->nfields);
    scopes = row->field[0];
    allow = row->field[1];
    tok = test_token(coder(), scopes, allow, &err);
    ck_assert_msg(tok != NULL, "%s: %s", where, err.message);
    ck_assert_msg(err.code == AUTHZ_OK, "%s: err.code %d", where, err.code);
    if (strcmp(row->field[2], "(unknown)") == 0)
        rlen = (size_t)sprintf(rbuf, "x");
    else
        rlen = test_unescape(row->field[2], rbuf, sizeof rbuf);
    alen = test_unescape(row->field[4], abuf, sizeof abuf);
    r = rbuf;
    a = abuf;
    if (strcmp(row->field[3], "(none)") == 0) {
        id = "";
        idlen = 0;
    } else if (strcmp(row->field[3], "(null)") == 0) {
        id = NULL;
        idlen = 0;
    } else {
        idlen = test_unescape(row->field[3], idbuf, sizeof idbuf);
        id = idbuf;
    }
    want = strcmp(row->field[5], "allow") == 0;
    ck_assert_msg(want || strcmp(row->field[5], "deny") == 0,
                  "%s: expect \"%s\" is neither allow nor deny", where,
                  row->field[5]);
    ck_assert_msg(reason_of(row->field[6], &reason),
                  "%s: unknown reason \"%s\"", where, row->field[6]);
    ck_assert_msg((reason == AUTHZ_REASON_ALLOWED) == want,
                  "%s: reason %s contradicts %s", where, row->field[6],
                  row->field[5]);

    got = authz_check(tok, r, id, a);
    ck_assert_msg(got == want, "%s: %s | %s | %s %s %s: got %s, want %s",
                  where, scopes, allow, r, id ? id : "(null)", a,
                  got ? "allow" : "deny", row->field[5]);
    ck_assert_msg(authz_check_n(tok, r, rlen, id, idlen, a, alen) == want,
                  "%s: authz_check_n disagrees", where);
    explain_agrees(where, tok, r, id, a, want, reason);
    /* The pre-resolved form agrees; unknown names leave a target that
     * denies. */
    rc = authz_target_resolve(coder(), r, a, &tg);
    ck_assert_msg(authz_check_target(tok, &tg, id, idlen) == want,
                  "%s: authz_check_target disagrees", where);
    ck_assert_msg(rc == AUTHZ_OK || !want, "%s: allowed an unresolved target",
                  where);
    rcopy = malloc(rlen ? rlen : 1);
    acopy = malloc(alen ? alen : 1);
    idcopy = malloc(idlen ? idlen : 1);
    ck_assert(rcopy != NULL && acopy != NULL && idcopy != NULL);
    memcpy(rcopy, r, rlen);
    memcpy(acopy, a, alen);
    if (id != NULL)
        memcpy(idcopy, id, idlen);
    ck_assert_msg(authz_check_n(tok, rcopy, rlen, id ? idcopy : NULL, idlen,
                                acopy, alen) == want,
                  "%s: authz_check_n on exact-size copies disagrees", where);
    free(rcopy);
    free(acopy);
    free(idcopy);
    authz_token_free(tok);
}
END_TEST

/* The table itself: read, not shrunk unnoticed, not all one answer, and
 * every reason present. */
START_TEST(test_decision_table_shape)
{
    const struct test_table *tab = test_table(DECISIONS);
    size_t i, allows = 0;
    unsigned seen = 0;
    ck_assert_msg(tab->loaded, "cannot read %s", tab->path);
    for (i = 0; i < tab->nrows; i++) {
        authz_reason reason;
        if (tab->rows[i].nfields != 7 ||
            !reason_of(tab->rows[i].field[6], &reason))
            continue; /* the row's own iteration reports it */
        allows += reason == AUTHZ_REASON_ALLOWED;
        seen |= 1u << reason;
    }
    ck_assert_uint_ge(tab->nrows, 120);
    ck_assert_uint_ge(allows, 40);
    ck_assert_uint_ge(tab->nrows - allows, 40);
    /* null_argument cannot be written in a row (the token is never NULL
     * and a resource or action is always given); every other reason is. */
    ck_assert_msg(seen == (0xffu & ~(1u << AUTHZ_REASON_NULL_ARGUMENT)),
                  "reasons seen: %#x", seen);
}
END_TEST

START_TEST(test_null_arguments)
{
    const char *s[] = {"coder:all"}, *a[] = {"*:*"};
    authz_token *tok = authz_token_new(coder(), s, 1, a, 1, NULL);
    ck_assert_ptr_nonnull(tok);
    ck_assert(authz_check(tok, "workspace", W, "read"));
    ck_assert(!authz_check(NULL, "workspace", W, "read"));
    ck_assert(!authz_check(tok, NULL, W, "read"));
    ck_assert(!authz_check(tok, "workspace", W, NULL));
    ck_assert(authz_check(tok, "workspace", NULL, "read"));
    ck_assert(!authz_check_n(NULL, "workspace", 9, W, 36, "read", 4));
    ck_assert(!authz_check_n(tok, NULL, 0, W, 36, "read", 4));
    ck_assert(!authz_check_n(tok, "workspace", 9, W, 36, NULL, 0));
    ck_assert(authz_check_n(tok, "workspace", 9, NULL, 0, "read", 4));
    /* Lengths are honoured: a prefix of a name is not the name. */
    ck_assert(!authz_check_n(tok, "workspace", 8, W, 36, "read", 4));
    ck_assert(!authz_check_n(tok, "workspace", 9, W, 36, "read", 3));
    ck_assert(!authz_check_n(tok, "workspace", 0, W, 36, "read", 4));
    ck_assert(authz_check_n(tok, "workspacexyz", 9, W, 36, "readxyz", 4));
    ck_assert(!authz_check_n(tok, "workspace\0", 10, W, 36, "read", 4));
    authz_token_free(tok);
}
END_TEST

START_TEST(test_check_n_id_lengths)
{
    const char *s[] = {"coder:all"}, *a[] = {"workspace:" W};
    authz_token *tok = authz_token_new(coder(), s, 1, a, 1, NULL);
    char id[64];
    ck_assert_ptr_nonnull(tok);
    memcpy(id, W "tail", 40);
    ck_assert(authz_check_n(tok, "workspace", 9, id, 36, "read", 4));
    ck_assert(!authz_check_n(tok, "workspace", 9, id, 37, "read", 4));
    ck_assert(!authz_check_n(tok, "workspace", 9, id, 35, "read", 4));
    ck_assert(!authz_check_n(tok, "workspace", 9, id, 0, "read", 4));
    authz_token_free(tok);
}
END_TEST

/* Every type and action of the catalog: coder:all with *:* allows each
 * (type, action) the catalog declares, and nothing with a made-up action. */
START_TEST(test_every_declared_action)
{
    static const struct {
        const char *type, *actions;
    } some[] = {
        {"user", "create read update delete read_personal update_personal"},
        {"workspace", "create read update delete start stop ssh "
                      "application_connect create_agent delete_agent "
                      "update_agent share"},
        {"chat_model_config", "create read update delete share"},
        {"chat_project_memory", "create read delete"},
        {"organization_skill", "create read update delete share"},
        {"assign_org_role", "assign unassign create read update delete"},
        {"workspace_agent_devcontainers", "create"},
        {"boundary_usage", "read update delete"},
    };
    const char *s[] = {"coder:all"}, *a[] = {"*:*"};
    authz_token *tok = authz_token_new(coder(), s, 1, a, 1, NULL);
    size_t i;
    for (i = 0; i < sizeof some / sizeof some[0]; i++) {
        char buf[256], *act[32];
        size_t n, j;
        snprintf(buf, sizeof buf, "%s", some[i].actions);
        n = test_split(buf, ' ', act, 32);
        for (j = 0; j < n; j++)
            ck_assert_msg(authz_check(tok, some[i].type, W, act[j]),
                          "%s:%s", some[i].type, act[j]);
        ck_assert(!authz_check(tok, some[i].type, W, "fly"));
    }
    ck_assert(!authz_check(tok, "workspace_agent_devcontainers", W, "read"));
    authz_token_free(tok);
}
END_TEST

/* The allow list at the default limit: every listed id is admitted under
 * its own type only, and unlisted ids are not. */
static void make_id(unsigned long long n, char out[37])
{
    snprintf(out, 37, "%08llx-0000-4000-8000-%012llx", n & 0xffffffffull,
             n * 2654435761ull & 0xffffffffffffull);
}

START_TEST(test_full_list)
{
    char ids[128][37], entries[128][64];
    const char *a[128], *s[] = {"coder:all"};
    authz_token *tok;
    size_t i;
    for (i = 0; i < 128; i++) {
        make_id(i, ids[i]);
        snprintf(entries[i], sizeof entries[i], "%s:%.36s",
                 i % 2 ? "workspace" : "template", ids[i]);
        a[i] = entries[i];
    }
    tok = authz_token_new(coder(), s, 1, a, 128, NULL);
    ck_assert_ptr_nonnull(tok);
    for (i = 0; i < 128; i++) {
        char other[37];
        const char *type = i % 2 ? "workspace" : "template";
        const char *wrong = i % 2 ? "template" : "workspace";
        ck_assert(authz_check(tok, type, ids[i], "read"));
        ck_assert(!authz_check(tok, wrong, ids[i], "read"));
        make_id(i + 1000, other);
        ck_assert(!authz_check(tok, type, other, "read"));
    }
    authz_token_free(tok);
}
END_TEST

/* Far past the default limit, through the options: 100,000 entries. */
START_TEST(test_large_list)
{
    enum { N = 100000 };
    authz_str *a = malloc(N * sizeof *a);
    char *buf = malloc((size_t)N * 48);
    authz_str s = {"workspace:read", 14};
    authz_options opts;
    authz_error err;
    authz_token *tok;
    size_t i;
    authz_options_init(&opts);
    opts.max_allow = N;
    for (i = 0; i < N; i++) {
        char id[37];
        make_id(i, id);
        a[i].len = (size_t)snprintf(buf + i * 48, 48, "workspace:%s", id);
        a[i].ptr = buf + i * 48;
    }
    tok = authz_token_new_ex(coder(), &s, 1, a, N, &opts, &err);
    ck_assert_msg(tok != NULL, "%s", err.message);
    for (i = 0; i < N; i += 7) {
        char id[37];
        make_id(i, id);
        ck_assert(authz_check(tok, "workspace", id, "read"));
        make_id(i + N, id);
        ck_assert(!authz_check(tok, "workspace", id, "read"));
    }
    authz_token_free(tok);
    free(a);
    free(buf);
}
END_TEST

/* One id listed under several types (and `*`) takes the side-array path. */
START_TEST(test_id_under_many_types)
{
    const char *s[] = {"coder:all"};
    const char *a[] = {"template:" W, "workspace:" W, "file:" W,
                       "template:" W, "user:" W, "workspace:" T};
    const char *b[] = {"template:" W, "workspace:" W, "*:" W};
    authz_token *tok = authz_token_new(coder(), s, 1, a, 6, NULL);
    ck_assert_ptr_nonnull(tok);
    ck_assert(authz_check(tok, "template", W, "read"));
    ck_assert(authz_check(tok, "workspace", W, "read"));
    ck_assert(authz_check(tok, "file", W, "read"));
    ck_assert(authz_check(tok, "user", W, "read"));
    ck_assert(!authz_check(tok, "group", W, "read"));
    ck_assert(!authz_check(tok, "workspace_dormant", W, "read"));
    ck_assert(!authz_check(tok, "template", T, "read"));
    ck_assert(authz_check(tok, "workspace", T, "read"));
    authz_token_free(tok);

    tok = authz_token_new(coder(), s, 1, b, 3, NULL);
    ck_assert_ptr_nonnull(tok);
    ck_assert(authz_check(tok, "group", W, "read"));
    ck_assert(authz_check(tok, "template", W, "read"));
    ck_assert(!authz_check(tok, "group", T, "read"));
    authz_token_free(tok);
}
END_TEST

/* Several threads check one token at once and agree with a single thread. */
struct shared {
    const authz_token *tok;
    char ids[64][37];
    int expect[64];
    long wrong;
};

static void *checker(void *arg)
{
    struct shared *sh = arg;
    long wrong = 0;
    int round, i;
    for (round = 0; round < 2000; round++)
        for (i = 0; i < 64; i++)
            wrong += authz_check(sh->tok, "workspace", sh->ids[i], "ssh") !=
                     sh->expect[i];
    return (void *)wrong;
}

START_TEST(test_threads_share_a_token)
{
    static struct shared sh;
    const char *s[] = {"workspace:ssh"};
    char entries[32][64];
    const char *a[32];
    pthread_t th[8];
    long total = 0;
    int i;
    for (i = 0; i < 64; i++) {
        make_id((unsigned long long)i, sh.ids[i]);
        sh.expect[i] = i % 2 == 0;
        if (i % 2 == 0) {
            snprintf(entries[i / 2], sizeof entries[0], "workspace:%.36s",
                     sh.ids[i]);
            a[i / 2] = entries[i / 2];
        }
    }
    sh.tok = authz_token_new(coder(), s, 1, a, 32, NULL);
    ck_assert_ptr_nonnull(sh.tok);
    for (i = 0; i < 8; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, checker, &sh), 0);
    for (i = 0; i < 8; i++) {
        void *r;
        ck_assert_int_eq(pthread_join(th[i], &r), 0);
        total += (long)r;
    }
    ck_assert_int_eq(total, 0);
    ck_assert_int_eq(checker(&sh) == NULL, 1);
    authz_token_free((authz_token *)sh.tok);
}
END_TEST

/* The check never allocates: a token built with a counting allocator sees
 * no call after construction, and the global allocator is never asked
 * (checks run with malloc failing would otherwise be needed; the library
 * calls no allocator but the token's). */
START_TEST(test_check_does_not_allocate)
{
    struct test_alloc st = {0, 0, 0, 0};
    authz_options opts;
    authz_str s = {"coder:all", 9}, a = {"workspace:" W, 46};
    authz_token *tok;
    size_t calls, i;
    authz_options_init(&opts);
    opts.allocator = test_allocator(&st);
    tok = authz_token_new_ex(coder(), &s, 1, &a, 1, &opts, NULL);
    ck_assert_ptr_nonnull(tok);
    calls = st.calls;
    for (i = 0; i < 1000; i++) {
        ck_assert(authz_check(tok, "workspace", W, "read"));
        ck_assert(!authz_check(tok, "workspace", T, "read"));
        ck_assert(!authz_check(tok, "nope", T, "read"));
    }
    ck_assert_uint_eq(st.calls, calls);
    authz_token_free(tok);
    ck_assert_uint_eq(st.live, 0);
}
END_TEST

START_TEST(test_targets_fail_closed)
{
    const char *s[] = {"coder:all"}, *a[] = {"*:*"};
    static const char other_text[] = "type workspace read\n";
    authz_catalog *other = authz_catalog_parse(other_text,
                                               strlen(other_text), NULL);
    authz_token *tok = authz_token_new(coder(), s, 1, a, 1, NULL);
    authz_target tg, zero, foreign;
    memset(&zero, 0, sizeof zero);
    ck_assert_int_eq(authz_target_resolve(coder(), "workspace", "read", &tg),
                     AUTHZ_OK);
    ck_assert(authz_check_target(tok, &tg, W, 36));
    ck_assert(authz_check_target(tok, &tg, NULL, 0));
    ck_assert(!authz_check_target(NULL, &tg, W, 36));
    ck_assert(!authz_check_target(tok, NULL, W, 36));
    ck_assert(!authz_check_target(tok, &zero, W, 36));
    /* Resolved against another catalog: deny, even with the same names. */
    ck_assert_int_eq(authz_target_resolve(other, "workspace", "read",
                                          &foreign),
                     AUTHZ_OK);
    ck_assert(!authz_check_target(tok, &foreign, W, 36));
    /* Errors leave a target that denies. */
    ck_assert_int_eq(authz_target_resolve(coder(), "workspace", "fly", &tg),
                     AUTHZ_EACTION);
    ck_assert(!authz_check_target(tok, &tg, W, 36));
    ck_assert_int_eq(authz_target_resolve(coder(), "nope", "read", &tg),
                     AUTHZ_ETYPE);
    ck_assert(!authz_check_target(tok, &tg, W, 36));
    ck_assert_int_eq(authz_target_resolve(coder(), NULL, "read", &tg),
                     AUTHZ_EINVAL);
    ck_assert(!authz_check_target(tok, &tg, W, 36));
    ck_assert_int_eq(authz_target_resolve(coder(), "workspace", "read",
                                          NULL),
                     AUTHZ_EINVAL);
    authz_token_free(tok);
    authz_catalog_free(other);
}
END_TEST

START_TEST(test_explain_reasons)
{
    static const struct {
        const char *scopes, *allow, *r, *id, *a;
        authz_reason reason;
        size_t scope_index;
        const char *scope;
        size_t allow_index;
        const char *entry;
    } cases[] = {
        {"workspace:read", "workspace:$W", "workspace", W, "read",
         AUTHZ_REASON_ALLOWED, 0, "workspace:read", 0, "workspace:" W},
        {"template:read,all,workspace:*", "template:*,*:{$W}", "workspace",
         "3F2504E0-4F89-41D3-9A0C-0305E82C3301", "ssh", AUTHZ_REASON_ALLOWED,
         1, "all", 1, "*:" W},
        {"coder:workspaces.access", "template:*,workspace:$T,workspace:*",
         "workspace", "", "read", AUTHZ_REASON_ALLOWED, 0,
         "coder:workspaces.access", 2, "workspace:*"},
        {"coder:all", "template:$W,*:*,*:*", "user", "", "read",
         AUTHZ_REASON_ALLOWED, 0, "coder:all", 1, "*:*"},
        {"coder:all", "workspace:$W,file:$W,*:$W,workspace:$W", "workspace",
         W, "read", AUTHZ_REASON_ALLOWED, 0, "coder:all", 0,
         "workspace:" W},
        {"coder:all", "workspace:$W,file:$W,*:$W", "group", W, "read",
         AUTHZ_REASON_ALLOWED, 0, "coder:all", 2, "*:" W},
        {"workspace:read", "workspace:$W", "workspace", T, "read",
         AUTHZ_REASON_NOT_LISTED, 0, "workspace:read", AUTHZ_NO_INDEX, ""},
        {"workspace:read", "workspace:$W", "workspace", "", "read",
         AUTHZ_REASON_NOT_LISTED, 0, "workspace:read", AUTHZ_NO_INDEX, ""},
        {"workspace:read", "workspace:$W", "workspace", W, "update",
         AUTHZ_REASON_NO_GRANT, AUTHZ_NO_INDEX, "", AUTHZ_NO_INDEX, ""},
        {"no_user_data", "*:*", "user", W, "read", AUTHZ_REASON_NO_GRANT,
         AUTHZ_NO_INDEX, "", AUTHZ_NO_INDEX, ""},
        {"(empty)", "*:*", "workspace", W, "read", AUTHZ_REASON_EMPTY_SCOPES,
         AUTHZ_NO_INDEX, "", AUTHZ_NO_INDEX, ""},
        {"workspace:read", "(empty)", "workspace", W, "read",
         AUTHZ_REASON_EMPTY_ALLOW, 0, "workspace:read", AUTHZ_NO_INDEX, ""},
        {"coder:all", "*:*", "workspace", W, "fly",
         AUTHZ_REASON_UNKNOWN_ACTION, AUTHZ_NO_INDEX, "", AUTHZ_NO_INDEX,
         ""},
        {"coder:all", "*:*", "workspaces", W, "read",
         AUTHZ_REASON_UNKNOWN_RESOURCE, AUTHZ_NO_INDEX, "", AUTHZ_NO_INDEX,
         ""},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        authz_explanation ex;
        authz_token *tok = test_token(coder(), cases[i].scopes,
                                      cases[i].allow, NULL);
        ck_assert_ptr_nonnull(tok);
        ck_assert_int_eq(authz_explain(tok, cases[i].r, cases[i].id,
                                       cases[i].a, &ex),
                         cases[i].reason == AUTHZ_REASON_ALLOWED);
        ck_assert_msg(ex.reason == cases[i].reason, "case %zu: %s", i,
                      authz_reason_str(ex.reason));
        ck_assert_uint_eq(ex.scope_index, cases[i].scope_index);
        ck_assert_str_eq(ex.scope, cases[i].scope);
        ck_assert_uint_eq(ex.allow_index, cases[i].allow_index);
        ck_assert_str_eq(ex.allow, cases[i].entry);
        ck_assert_int_eq(authz_check(tok, cases[i].r, cases[i].id,
                                     cases[i].a),
                         ex.allowed);
        authz_token_free(tok);
    }
    ck_assert(!authz_explain(NULL, "workspace", W, "read", NULL));
    {
        authz_explanation ex;
        ck_assert(!authz_explain(NULL, "workspace", W, "read", &ex));
        ck_assert_int_eq(ex.reason, AUTHZ_REASON_NULL_ARGUMENT);
    }
    ck_assert_str_eq(authz_reason_str(AUTHZ_REASON_NO_GRANT),
                     "no scope grants it");
    ck_assert_str_eq(authz_reason_str((authz_reason)99), "unknown reason");
}
END_TEST

Suite *check_suite(void)
{
    Suite *s = suite_create("check");
    TCase *tc = tcase_create("decisions");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_decision_table_shape);
    tcase_add_loop_test(tc, test_decision_row, 0,
                        (int)test_table(DECISIONS)->nrows);
    tcase_add_test(tc, test_null_arguments);
    tcase_add_test(tc, test_check_n_id_lengths);
    tcase_add_test(tc, test_every_declared_action);
    tcase_add_test(tc, test_full_list);
    tcase_add_test(tc, test_large_list);
    tcase_add_test(tc, test_id_under_many_types);
    tcase_add_test(tc, test_threads_share_a_token);
    tcase_add_test(tc, test_check_does_not_allocate);
    tcase_add_test(tc, test_explain_reasons);
    tcase_add_test(tc, test_targets_fail_closed);
    suite_add_tcase(s, tc);
    return s;
}
