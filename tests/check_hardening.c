/*
 * check_hardening.c - hostile-input properties that the decision tables do
 * not reach: no byte is read outside an input (guard pages: scopes, allow
 * entries, catalog text, check arguments, encoded tokens, set-operation
 * lists). That no allow list makes a check slow (hash flooding) is a
 * timing test: tests/timing_flood.c, `make check-timing`.
 *
 * The exported-symbol list and the header's C and C++ compilation are
 * checked by make rules (mk/sanitize.mk: abi-check, header-check), which
 * know where the shared library was built.
 */
#define _DEFAULT_SOURCE /* mmap, MAP_ANONYMOUS, sysconf */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ref_model.h"
#include "tests.h"

/* ------------------------------------------------------------------------ */
/* Guard pages                                                               */
/* ------------------------------------------------------------------------ */

/* [PROT_NONE][n_rw read-write pages][PROT_NONE]: an input copied flush
 * against either inaccessible page crashes the test on a read one byte
 * past its end (guard_end) or before its start (guard_start). */
struct guard {
    char *base;
    size_t page, rw, total;
};

static void guard_init(struct guard *g, size_t max_len)
{
    long page = sysconf(_SC_PAGESIZE);
    ck_assert_int_gt(page, 0);
    g->page = (size_t)page;
    g->rw = (max_len + g->page - 1) / g->page * g->page;
    if (g->rw == 0)
        g->rw = g->page;
    g->total = g->rw + 2 * g->page;
    g->base = mmap(NULL, g->total, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_msg(g->base != MAP_FAILED, "mmap failed");
    ck_assert_int_eq(mprotect(g->base, g->page, PROT_NONE), 0);
    ck_assert_int_eq(mprotect(g->base + g->page + g->rw, g->page, PROT_NONE),
                     0);
}

static void guard_free(struct guard *g)
{
    munmap(g->base, g->total);
}

/* n bytes of s, ending at the upper guard page. */
static const char *guard_end(struct guard *g, const char *s, size_t n)
{
    char *p = g->base + g->page + g->rw - n;
    ck_assert_uint_le(n, g->rw);
    memcpy(p, s, n);
    return p;
}

/* n bytes of s, starting right after the lower guard page. */
static const char *guard_start(struct guard *g, const char *s, size_t n)
{
    char *p = g->base + g->page;
    ck_assert_uint_le(n, g->rw);
    memcpy(p, s, n);
    return p;
}

/* The accepted spellings of W, and some that are not quite. */
static const char *const ID_SPELLINGS[] = {
    W,
    "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
    ("{" W "}"),
    ("urn:uuid:" W),
    "URN:UUID:3F2504E0-4F89-41D3-9A0C-0305E82C3301",
    "3f2504e04f8941d39a0c0305e82c3301",
    "{3f2504e04f8941d39a0c0305e82c3301}",
    "3f2504e0-4f89-41d3-9a0c-0305e82c330",
    "3f2504e0-4f89-41d3-9a0c-0305e82c33011",
    "3f2504e0x4f89-41d3-9a0c-0305e82c3301",
    "{3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    "urn:uuid:3f2504e0-4f89-41d3-9a0c-0305e82c330",
    "urn:uuid:{3f2504e0-4f89-41d3-9a0c-0305e82c33}",
    "abcdef1234",
};
#define N_SPELLINGS (sizeof ID_SPELLINGS / sizeof ID_SPELLINGS[0])

/* Runs one scope through validation and token construction at both edges,
 * and every prefix of it (a parser that trusts a length it has not checked
 * reads past a short input). */
static void scope_at_edges(struct guard *g, const char *scope)
{
    size_t len = strlen(scope), n;
    authz_str allow = {"*:*", 3};
    for (n = 0; n <= len; n++) {
        int edge;
        for (edge = 0; edge < 2; edge++) {
            const char *p = edge ? guard_end(g, scope, n)
                                 : guard_start(g, scope, n);
            authz_str s = {p, n};
            authz_error err;
            authz_token *tok;
            int code = authz_scope_validate(authz_catalog_coder(), p, n, 0,
                                            &err);
            int pub = authz_scope_validate(authz_catalog_coder(), p, n,
                                           AUTHZ_PUBLIC, &err);
            /* A scope that does not parse fails the same way under
             * AUTHZ_PUBLIC; one that does is public or not. */
            ck_assert_int_eq(pub == AUTHZ_OK || pub == AUTHZ_ENOTPUBLIC
                                 ? AUTHZ_OK
                                 : pub,
                             code);
            tok = authz_token_new_ex(authz_catalog_coder(), &s, 1, &allow, 1,
                                     NULL, &err);
            ck_assert_msg((tok != NULL) == (code == AUTHZ_OK),
                          "validate and construct disagree on %.*s", (int)n,
                          scope);
            authz_token_free(tok);
        }
    }
}

START_TEST(test_guard_scopes)
{
    static const char *const extra[] = {
        "*:*", "*:read", "coder:bogus", "coder:", "workspace:", ":read",
        "workspace:read ", "a:b:c", "workspace::read", "Workspace:read",
        "workspace:\x01", "inbox_notification:*", "no_user_data:*",
        "coder:workspaces.create.x",
    };
    struct guard g;
    size_t i, t, a;
    char buf[300];
    guard_init(&g, 4096);
    for (i = 0; i < ref_n_named_scopes(); i++)
        scope_at_edges(&g, ref_named_scope(i));
    for (i = 0; i < sizeof extra / sizeof extra[0]; i++)
        scope_at_edges(&g, extra[i]);
    for (t = 0; t < ref_n_types(); t++) {
        snprintf(buf, sizeof buf, "%s:*", ref_type_name(t));
        scope_at_edges(&g, buf);
        for (a = 0; a < ref_n_actions(t); a++) {
            snprintf(buf, sizeof buf, "%s:%s", ref_type_name(t),
                     ref_action_name(t, a));
            scope_at_edges(&g, buf);
        }
    }
    /* Over the length limit, at the edge. */
    memset(buf, 'a', sizeof buf);
    memcpy(buf, "workspace:", 10);
    {
        authz_str s = {guard_end(&g, buf, 257), 257}, al = {"*:*", 3};
        authz_error err;
        ck_assert_ptr_null(authz_token_new_ex(authz_catalog_coder(), &s, 1,
                                              &al, 1, NULL, &err));
        ck_assert_int_eq(err.code, AUTHZ_ETOOLONG);
    }
    guard_free(&g);
}
END_TEST

START_TEST(test_guard_allow)
{
    static const char *const types[] = {"workspace", "*", "template",
                                        "workspace_dormant", "bogus", ""};
    struct guard g;
    size_t i, k, n;
    char entry[128];
    guard_init(&g, 4096);
    for (i = 0; i < sizeof types / sizeof types[0]; i++) {
        for (k = 0; k <= N_SPELLINGS; k++) {
            size_t len;
            snprintf(entry, sizeof entry, "%s:%s", types[i],
                     k < N_SPELLINGS ? ID_SPELLINGS[k] : "*");
            len = strlen(entry);
            for (n = 0; n <= len; n++) {
                int edge;
                for (edge = 0; edge < 2; edge++) {
                    authz_str sc = {"coder:all", 9};
                    authz_str al = {edge ? guard_end(&g, entry, n)
                                         : guard_start(&g, entry, n),
                                    n};
                    authz_error err;
                    authz_token *tok = authz_token_new_ex(
                        authz_catalog_coder(), &sc, 1, &al, 1, NULL, &err);
                    if (tok == NULL)
                        ck_assert_uint_le(err.offset, n);
                    authz_token_free(tok);
                }
            }
        }
    }
    guard_free(&g);
}
END_TEST

/* Every prefix of the text at the upper edge, and the whole at the lower. */
static void catalog_prefixes(struct guard *g, const char *text, size_t len,
                             size_t step)
{
    size_t n = 0;
    for (;;) {
        authz_error err;
        authz_catalog *cat =
            authz_catalog_parse(guard_end(g, text, n), n, &err);
        if (cat == NULL)
            ck_assert_int_eq(err.code, AUTHZ_ECATALOG);
        authz_catalog_free(cat);
        if (n == len)
            break;
        n = n + step < len ? n + step : len;
    }
    {
        authz_error err;
        authz_catalog_free(
            authz_catalog_parse(guard_start(g, text, len), len, &err));
    }
}

START_TEST(test_guard_catalog)
{
    static const char *const small[] = {
        ("type a read write\nscope s = a:read -a:write a:*\n"
         "alias t = s\npublic s t a:read a:*\n"),
        "type a read # comment", "type a read\t", "type", "type a",
        "type a read\nscope", "type a read\nscope s =", "type a read\nscope s = a:",
        "type a read\nscope s = -a:*", "type a read\npublic a:", "#",
        "type a read\nalias x = s", "type a read\r", "type a read\x01",
        "type a read\nscope s = *:* -a:read", "\n\n\n", "type a rea\xc3",
    };
    struct guard g;
    size_t len, i;
    char *coder = test_slurp(test_path("catalog/coder.catalog"), &len);
    guard_init(&g, len + 1);
    /* Every byte position of the first part (every kind of line), and
     * every 7th byte of the rest, keep the test quick. */
    catalog_prefixes(&g, coder, len < 1500 ? len : 1500, 1);
    catalog_prefixes(&g, coder, len, 7);
    for (i = 0; i < sizeof small / sizeof small[0]; i++)
        catalog_prefixes(&g, small[i], strlen(small[i]), 1);
    /* The whole file, with no newline at its end. */
    {
        authz_error err;
        size_t n = len;
        authz_catalog *cat;
        while (n > 0 && coder[n - 1] == '\n')
            n--;
        cat = authz_catalog_parse(guard_end(&g, coder, n), n, &err);
        ck_assert_msg(cat != NULL, "%s", err.message);
        authz_catalog_free(cat);
    }
    guard_free(&g);
    free(coder);
}
END_TEST

/* A check whose resource, id and action each end at a guard page. */
static void check_at_edges(struct guard *res, struct guard *idg,
                           struct guard *act, const authz_token *tok,
                           const char *r, size_t rn, const char *id,
                           size_t idn, const char *a, size_t an)
{
    bool want = authz_check_n(tok, r, rn, id, idn, a, an);
    int edge;
    for (edge = 0; edge < 2; edge++) {
        const char *pr = edge ? guard_end(res, r, rn) : guard_start(res, r, rn);
        const char *pi = edge ? guard_end(idg, id, idn)
                              : guard_start(idg, id, idn);
        const char *pa = edge ? guard_end(act, a, an) : guard_start(act, a, an);
        ck_assert_int_eq(authz_check_n(tok, pr, rn, pi, idn, pa, an), want);
    }
}

START_TEST(test_guard_check)
{
    const char *scopes[] = {"coder:all"};
    const char *allow[] = {"workspace:" W, "*:" T, "template:" W,
                           "user:" W, "file:*"};
    struct guard gr, gi, ga;
    authz_error err;
    authz_token *tok = authz_token_new(authz_catalog_coder(), scopes, 1,
                                       allow, 5, &err);
    size_t t, a, k, n;
    ck_assert_msg(tok != NULL, "%s", err.message);
    guard_init(&gr, 4096);
    guard_init(&gi, 4096);
    guard_init(&ga, 4096);
    /* Every type and action, with every spelling of an id. */
    for (t = 0; t < ref_n_types(); t++) {
        const char *r = ref_type_name(t);
        for (a = 0; a < ref_n_actions(t); a++) {
            const char *act = ref_action_name(t, a);
            for (k = 0; k < N_SPELLINGS; k++)
                check_at_edges(&gr, &gi, &ga, tok, r, strlen(r),
                               ID_SPELLINGS[k], strlen(ID_SPELLINGS[k]), act,
                               strlen(act));
        }
    }
    /* Every prefix of each argument, the others whole; the id also
     * through a resolved target. */
    {
        authz_target target;
        ck_assert_int_eq(authz_target_resolve(authz_catalog_coder(),
                                              "workspace", "read", &target),
                         AUTHZ_OK);
        for (k = 0; k < N_SPELLINGS; k++) {
            for (n = 0; n <= strlen(ID_SPELLINGS[k]); n++) {
                bool want = authz_check_n(tok, "workspace", 9,
                                          ID_SPELLINGS[k], n, "read", 4);
                check_at_edges(&gr, &gi, &ga, tok, "workspace", 9,
                               ID_SPELLINGS[k], n, "read", 4);
                ck_assert_int_eq(
                    authz_check_target(tok, &target,
                                       guard_end(&gi, ID_SPELLINGS[k], n), n),
                    want);
                ck_assert_int_eq(
                    authz_check_target(
                        tok, &target, guard_start(&gi, ID_SPELLINGS[k], n), n),
                    want);
            }
        }
    }
    for (n = 0; n <= strlen("workspace_dormant"); n++)
        check_at_edges(&gr, &gi, &ga, tok, "workspace_dormant", n, W, 36,
                       "application_connect", 19);
    for (n = 0; n <= strlen("application_connect"); n++)
        check_at_edges(&gr, &gi, &ga, tok, "workspace", 9, W, 36,
                       "application_connect", n);
    /* NUL-terminated arguments whose NUL is the last readable byte. */
    {
        authz_explanation ex;
        const char *r = guard_end(&gr, "workspace", 10);
        const char *id = guard_end(&gi, "{" W "}", 39);
        const char *act = guard_end(&ga, "ssh", 4);
        ck_assert(authz_check(tok, r, id, act));
        ck_assert(authz_explain(tok, r, id, act, &ex));
        ck_assert_str_eq(ex.allow, "workspace:" W);
    }
    guard_free(&gr);
    guard_free(&gi);
    guard_free(&ga);
    authz_token_free(tok);
}
END_TEST

/* Encoded tokens, binary and base64url, and every prefix of them. */
START_TEST(test_guard_decode)
{
    const char *scopes[] = {"coder:workspaces.access", "template:use",
                            "no_user_data"};
    const char *allow[] = {"*:" W, "template:" T, "user:*",
                           "workspace:" T};
    authz_error err;
    authz_token *tok = authz_token_new(authz_catalog_coder(), scopes, 3,
                                       allow, 4, &err);
    unsigned char bin[1024];
    char text[2048];
    size_t bn, tn, n;
    struct guard g;
    ck_assert_msg(tok != NULL, "%s", err.message);
    ck_assert_int_eq(authz_token_encode(tok, bin, sizeof bin, &bn), AUTHZ_OK);
    ck_assert_int_eq(authz_token_encode_text(tok, text, sizeof text, &tn),
                     AUTHZ_OK);
    authz_token_free(tok);
    guard_init(&g, sizeof text);
    for (n = 0; n <= bn; n++) {
        int edge;
        for (edge = 0; edge < 2; edge++) {
            const char *p = edge ? guard_end(&g, (const char *)bin, n)
                                 : guard_start(&g, (const char *)bin, n);
            tok = authz_token_decode(authz_catalog_coder(), p, n, &err);
            ck_assert_msg((tok != NULL) == (n == bn),
                          "%zu of %zu bytes: %s", n, bn, err.message);
            if (tok == NULL)
                ck_assert_uint_le(err.offset, n);
            authz_token_free(tok);
        }
    }
    for (n = 0; n <= tn; n++) {
        int edge;
        for (edge = 0; edge < 2; edge++) {
            const char *p = edge ? guard_end(&g, text, n)
                                 : guard_start(&g, text, n);
            tok = authz_token_decode_text(authz_catalog_coder(), p, n, NULL,
                                          &err);
            ck_assert_msg((tok != NULL) == (n == tn), "%zu of %zu chars", n,
                          tn);
            authz_token_free(tok);
        }
    }
    guard_free(&g);
}
END_TEST

/* A set operation's outcome, kept to compare the guarded call with the same
 * call on ordinary heap copies. */
struct setop_result {
    int code;          /* err.code */
    int covered;       /* authz_scopes_cover only */
    authz_list *list;  /* NULL when the call failed */
};

static void setop_result_eq(const char *what, const char *a, size_t an,
                            const char *b, const struct setop_result *guarded,
                            const struct setop_result *plain)
{
    size_t i, n;
    ck_assert_msg(guarded->code == plain->code,
                  "%s(\"%.*s\", \"%s\"): code %d guarded, %d unguarded",
                  what, (int)an, a, b, guarded->code, plain->code);
    ck_assert_msg(guarded->covered == plain->covered,
                  "%s(\"%.*s\", \"%s\"): covered %d guarded, %d unguarded",
                  what, (int)an, a, b, guarded->covered, plain->covered);
    ck_assert_msg((guarded->list == NULL) == (plain->list == NULL),
                  "%s(\"%.*s\", \"%s\"): a list on one side only", what,
                  (int)an, a, b);
    n = authz_list_count(plain->list);
    ck_assert_msg(authz_list_count(guarded->list) == n,
                  "%s(\"%.*s\", \"%s\"): %zu entries guarded, %zu "
                  "unguarded",
                  what, (int)an, a, b, authz_list_count(guarded->list), n);
    for (i = 0; i < n; i++)
        ck_assert_msg(strcmp(authz_list_get(guarded->list, i),
                             authz_list_get(plain->list, i)) == 0,
                      "%s(\"%.*s\", \"%s\"): entry %zu \"%s\" guarded, "
                      "\"%s\" unguarded",
                      what, (int)an, a, b, i, authz_list_get(guarded->list, i),
                      authz_list_get(plain->list, i));
}

enum setop { INTERSECT, UNION, COVER, NORMALIZE_SCOPES, NORMALIZE_ALLOW };

static struct setop_result run_setop(enum setop op, const authz_str *a,
                                     const authz_str *b)
{
    const authz_catalog *cat = authz_catalog_coder();
    struct setop_result r = {0, 0, NULL};
    authz_error err;
    bool covered = false;
    err.code = -1;
    switch (op) {
    case INTERSECT:
        r.list = authz_allow_intersect(cat, a, 1, b, 1, NULL, &err);
        break;
    case UNION:
        r.list = authz_allow_union(cat, a, 1, b, 1, NULL, &err);
        break;
    case COVER: {
        int rc = authz_scopes_cover(cat, a, 1, b, 1, &covered, NULL, NULL,
                                    &err);
        ck_assert_int_eq(rc, err.code);
        ck_assert(rc == AUTHZ_OK || !covered);
        r.covered = covered;
        break;
    }
    case NORMALIZE_SCOPES:
        r.list = authz_scopes_normalize(cat, a, 1, NULL, &err);
        break;
    case NORMALIZE_ALLOW:
        r.list = authz_allow_normalize(cat, a, 1, NULL, &err);
        break;
    }
    r.code = err.code;
    return r;
}

/* Every prefix of each entry placed flush against a guard page, as the first
 * operand, with whole entries as the second; each result must equal the same
 * call's on ordinary heap copies, so a call cannot pass here by failing. The
 * counts at the end keep the inputs from drifting into all-error ones. */
START_TEST(test_guard_setops)
{
    static const char *const entries[] = {
        "workspace:" W, "*:{" W "}", "template:urn:uuid:" T, "*:*",
        "workspace:*", "user:3f2504e04f8941d39a0c0305e82c3301",
        "coder:all", "workspace:read", "all", "coder:workspaces.create",
    };
    static const char *const names[] = {
        "authz_allow_intersect", "authz_allow_union", "authz_scopes_cover",
        "authz_scopes_normalize", "authz_allow_normalize",
    };
    const size_t n_entries = sizeof entries / sizeof entries[0];
    struct guard ga, gb;
    size_t i, j, n, lists = 0, covered = 0;
    guard_init(&ga, 4096);
    guard_init(&gb, 4096);
    for (i = 0; i < n_entries; i++) {
        size_t len = strlen(entries[i]);
        for (n = 0; n <= len; n++) {
            char *copy = malloc(n ? n : 1);
            authz_str a = {guard_end(&ga, entries[i], n), n};
            authz_str pa = {copy, n};
            ck_assert_ptr_nonnull(copy);
            memcpy(copy, entries[i], n);
            for (j = 0; j < n_entries; j++) {
                size_t blen = strlen(entries[j]);
                char *bcopy = malloc(blen);
                authz_str b = {guard_start(&gb, entries[j], blen), blen};
                authz_str pb = {bcopy, blen};
                enum setop op;
                ck_assert_ptr_nonnull(bcopy);
                memcpy(bcopy, entries[j], blen);
                for (op = INTERSECT; op <= COVER; op++) {
                    struct setop_result g = run_setop(op, &a, &b);
                    struct setop_result p = run_setop(op, &pa, &pb);
                    setop_result_eq(names[op], entries[i], n, entries[j], &g,
                                    &p);
                    lists += g.list != NULL;
                    covered += (size_t)g.covered;
                    authz_list_free(g.list);
                    authz_list_free(p.list);
                }
                free(bcopy);
            }
            for (enum setop op = NORMALIZE_SCOPES; op <= NORMALIZE_ALLOW;
                 op++) {
                struct setop_result g = run_setop(op, &a, NULL);
                struct setop_result p = run_setop(op, &pa, NULL);
                setop_result_eq(names[op], entries[i], n, "", &g, &p);
                lists += g.list != NULL;
                authz_list_free(g.list);
                authz_list_free(p.list);
            }
            free(copy);
        }
    }
    guard_free(&ga);
    guard_free(&gb);
    /* Whole entries succeed: each allow entry with each (union), each scope
     * covers itself; a run of only failures would not get here. */
    ck_assert_uint_ge(lists, 2 * n_entries);
    ck_assert_uint_ge(covered, 4);
}
END_TEST

Suite *hardening_suite(void)
{
    Suite *s = suite_create("hardening");
    TCase *tc = tcase_create("guard_pages");
    /* Generous: valgrind runs every parse here some 50 times slower. */
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_guard_scopes);
    tcase_add_test(tc, test_guard_allow);
    tcase_add_test(tc, test_guard_catalog);
    tcase_add_test(tc, test_guard_check);
    tcase_add_test(tc, test_guard_decode);
    tcase_add_test(tc, test_guard_setops);
    suite_add_tcase(s, tc);
    return s;
}
