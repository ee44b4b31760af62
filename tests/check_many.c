/*
 * check_many.c - authz_check_many: allowed[i] and the count agree with
 * authz_check_target for every id, whatever the array holds (listed and
 * unlisted ids in all four spellings, NULL, empty and malformed ids,
 * duplicates, near misses), for every length around the block size, and
 * every argument error denies everything.
 *
 * Also (TCase "names"), the catalog tables behind the name lookups of the
 * string path: names spelt alike but for a few middle bytes (the shape
 * hosts generate) must spread like any others, so that resolving a name,
 * known or not, stays one short probe; checked structurally (the longest
 * run of each table), not by timing.
 */
#include "tests.h"
#include "internal.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static test_rng rng_state;

static uint64_t rng(void)
{
    return test_rng_next(&rng_state);
}

/* A random id in canonical form (lower case, 36 characters). */
static void uuid_random(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    int i;
    for (i = 0; i < 36; i++)
        out[i] = hex[rng() & 15];
    out[8] = out[13] = out[18] = out[23] = '-';
    out[36] = '\0';
}

/* Writes `id` (canonical) in spelling k: 0 as is, 1 upper case, 2 in
 * braces, 3 after "urn:uuid:" (mixed-case prefix), 4 as 32 digits. */
static void spell(const char *id, int k, char *out)
{
    size_t i, j;
    switch (k) {
    case 1:
        for (i = 0; i <= 36; i++)
            out[i] = (id[i] >= 'a' && id[i] <= 'f') ? (char)(id[i] - 32)
                                                    : id[i];
        break;
    case 2:
        snprintf(out, 40, "{%s}", id);
        break;
    case 3:
        snprintf(out, 48, "UrN:uUiD:%s", id);
        break;
    case 4:
        for (i = 0, j = 0; i < 36; i++)
            if (id[i] != '-')
                out[j++] = id[i];
        out[j] = '\0';
        break;
    default:
        memcpy(out, id, 37);
    }
}

/* The listed ids of the fixture token. */
enum { N_LISTED = 100 }; /* 110 entries: within the default limit */
static char listed[N_LISTED][37];

/* scopes coder:all (every action on every type but some), plus an allow
 * list: workspace:<id> for most ids, *:<id> for some, template:<id> for
 * some, and a few ids under two types. */
static authz_token *fixture(void)
{
    const char **allow = malloc(2 * N_LISTED * sizeof *allow);
    char (*text)[64] = malloc(2 * N_LISTED * sizeof *text);
    const char *scopes[] = {"workspace:read", "workspace:ssh",
                            "template:read"};
    authz_error err;
    authz_token *tok;
    size_t n = 0, i;
    ck_assert_ptr_nonnull(allow);
    ck_assert_ptr_nonnull(text);
    rng_state.state = 42;
    for (i = 0; i < N_LISTED; i++) {
        const char *type = i % 7 == 0 ? "*" : i % 5 == 0 ? "template"
                                                         : "workspace";
        uuid_random(listed[i]);
        snprintf(text[n], sizeof text[n], "%s:%s", type, listed[i]);
        allow[n] = text[n];
        n++;
        if (i % 11 == 0) { /* a second type for the same id */
            snprintf(text[n], sizeof text[n], "%s:%s",
                     i % 2 ? "template" : "workspace", listed[i]);
            allow[n] = text[n];
            n++;
        }
    }
    tok = authz_token_new(test_coder(), scopes, 3, allow, n, &err);
    ck_assert_msg(tok != NULL, "%s", err.message);
    free(allow);
    free(text);
    return tok;
}

/* Fills ids[0..n) (strings in buf, 48 bytes each) with a mix: listed ids
 * in every spelling, unlisted ids, near misses of listed ids, NULL, "",
 * malformed ids, and repeats. */
static void mixed_ids(const char **ids, char (*buf)[48], size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint64_t r = rng() % 12;
        char *s = buf[i];
        const char *id = listed[rng() % N_LISTED];
        ids[i] = s;
        switch (r) {
        case 0:
        case 1:
        case 2:
        case 3:
            spell(id, (int)(rng() % 5), s);
            break;
        case 4: { /* unlisted */
            char fresh[37];
            uuid_random(fresh);
            spell(fresh, (int)(rng() % 5), s);
            break;
        }
        case 5: /* one digit off a listed id */
            memcpy(s, id, 37);
            s[35] = s[35] == '0' ? '1' : '0';
            break;
        case 6:
            ids[i] = NULL;
            break;
        case 7:
            s[0] = '\0';
            break;
        case 8: /* a non-hex digit, dashes misplaced, a bad length */
            memcpy(s, id, 37);
            s[rng() % 36] = (char)"g-x Z\x80"[rng() % 6];
            break;
        case 9:
            memcpy(s, id, 37);
            s[rng() % 37] = '\0';
            break;
        case 10: /* a repeat of an earlier entry */
            ids[i] = i > 0 ? ids[rng() % i] : NULL;
            break;
        default:
            snprintf(s, 48, "%s}", id);
        }
    }
}

/* authz_check_many agrees with authz_check_target on ids[0..n). */
static void agree(const authz_token *tok, const authz_target *tg,
                  const char *const *ids, size_t n)
{
    bool *got = malloc((n + 1) * sizeof *got);
    size_t i, count, want = 0;
    ck_assert_ptr_nonnull(got);
    got[n] = true; /* a canary one past the end */
    for (i = 0; i < n; i++)
        got[i] = (i & 1) != 0; /* must be overwritten */
    count = authz_check_many(tok, tg, ids, n, got);
    for (i = 0; i < n; i++) {
        bool one = authz_check_target(tok, tg, ids[i],
                                      ids[i] != NULL ? strlen(ids[i]) : 0);
        ck_assert_msg(got[i] == one, "id %zu \"%s\": many %d, target %d", i,
                      ids[i] != NULL ? ids[i] : "(null)", got[i], one);
        want += one;
    }
    ck_assert_uint_eq(count, want);
    ck_assert(got[n]);
    free(got);
}

START_TEST(test_many_agrees)
{
    static const size_t lens[] = {0,  1,  2,   7,   15,  16,  17,
                                  31, 32, 33,  63,  64,  65,  100,
                                  255, 256, 257, 1000, 4099};
    static const char *const targets[][2] = {
        {"workspace", "read"},   /* listed ids decide */
        {"workspace", "ssh"},    /* the same, another action */
        {"template", "read"},    /* template:<id> and *:<id> */
        {"workspace", "delete"}, /* no scope grants it: all false */
        {"user", "read"}};       /* nothing listed for the type */
    authz_token *tok = fixture();
    const char **ids = malloc(4099 * sizeof *ids);
    char(*buf)[48] = malloc(4099 * sizeof *buf);
    size_t l, t;
    ck_assert_ptr_nonnull(ids);
    ck_assert_ptr_nonnull(buf);
    for (t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        authz_target tg = test_target(targets[t][0], targets[t][1]);
        for (l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            mixed_ids(ids, buf, lens[l]);
            agree(tok, &tg, ids, lens[l]);
        }
    }
    free(ids);
    free(buf);
    authz_token_free(tok);
}
END_TEST

/* The answers themselves, not only agreement: every spelling of a listed
 * id is allowed, everything else denied, and the count says so. */
START_TEST(test_many_answers)
{
    authz_token *tok = fixture();
    authz_target tg = test_target("workspace", "read");
    char spelt[5][48], unlisted[37];
    const char *ids[12];
    bool got[12];
    size_t i, n;
    /* listed[1] is workspace:<id> (1 % 7 and 1 % 5 are not 0). */
    for (i = 0; i < 5; i++) {
        spell(listed[1], (int)i, spelt[i]);
        ids[i] = spelt[i];
    }
    uuid_random(unlisted);
    ids[5] = unlisted;
    ids[6] = NULL;
    ids[7] = "";
    ids[8] = "not-a-uuid";
    ids[9] = listed[0]; /* *:<id>: admits every type */
    ids[10] = listed[5]; /* template:<id> only */
    ids[11] = listed[1];
    n = authz_check_many(tok, &tg, ids, 12, got);
    ck_assert_uint_eq(n, 7);
    for (i = 0; i < 5; i++)
        ck_assert_msg(got[i], "spelling %zu of a listed id denied", i);
    ck_assert(!got[5]);
    ck_assert(!got[6]);
    ck_assert(!got[7]);
    ck_assert(!got[8]);
    ck_assert(got[9]);
    ck_assert(!got[10]);
    ck_assert(got[11]);
    authz_token_free(tok);
}
END_TEST

/* Many copies of one id, and arrays of nothing but bad ids. */
START_TEST(test_many_adversarial)
{
    authz_token *tok = fixture();
    authz_target tg = test_target("workspace", "read");
    const char **ids = malloc(1000 * sizeof *ids);
    char(*buf)[48] = malloc(1000 * sizeof *buf);
    bool *got = malloc(1000 * sizeof *got);
    size_t i;
    ck_assert_ptr_nonnull(ids);
    ck_assert_ptr_nonnull(buf);
    ck_assert_ptr_nonnull(got);
    for (i = 0; i < 1000; i++)
        ids[i] = listed[1];
    ck_assert_uint_eq(authz_check_many(tok, &tg, ids, 1000, got), 1000);
    agree(tok, &tg, ids, 1000);
    for (i = 0; i < 1000; i++) {
        ids[i] = i % 3 == 0 ? NULL : i % 3 == 1 ? "" : buf[i];
        memset(buf[i], 'f', 47);
        buf[i][i % 48] = '\0'; /* every length from 0 to 47 */
    }
    ck_assert_uint_eq(authz_check_many(tok, &tg, ids, 1000, got), 0);
    for (i = 0; i < 1000; i++)
        ck_assert(!got[i]);
    agree(tok, &tg, ids, 1000);
    /* Ids one bit away from listed ones, in every position. */
    for (i = 0; i < 1000; i++) {
        char *s = buf[i];
        size_t pos = i % 36;
        memcpy(s, listed[i % N_LISTED], 37);
        if (s[pos] != '-')
            s[pos] = (char)(s[pos] ^ (s[pos] >= 'a' ? 0x02 : 0x01));
        ids[i] = s;
    }
    agree(tok, &tg, ids, 1000);
    free(ids);
    free(buf);
    free(got);
    authz_token_free(tok);
}
END_TEST

/* `*:*`, `T:*`: every element allowed, NULL ids included (as for
 * authz_check_target: an object without an id is admitted by them). */
START_TEST(test_many_wildcards)
{
    const char *scopes[] = {"workspace:read"};
    const char *all[] = {"*:*"};
    const char *wild[] = {"workspace:*"};
    const char *ids[] = {NULL, "", "x", W};
    authz_target tg = test_target("workspace", "read");
    authz_token *tok;
    bool got[4];
    size_t i;
    tok = authz_token_new(test_coder(), scopes, 1, all, 1, NULL);
    ck_assert_ptr_nonnull(tok);
    ck_assert_uint_eq(authz_check_many(tok, &tg, ids, 4, got), 4);
    for (i = 0; i < 4; i++)
        ck_assert(got[i]);
    agree(tok, &tg, ids, 4);
    authz_token_free(tok);
    tok = authz_token_new(test_coder(), scopes, 1, wild, 1, NULL);
    ck_assert_ptr_nonnull(tok);
    ck_assert_uint_eq(authz_check_many(tok, &tg, ids, 4, got), 4);
    agree(tok, &tg, ids, 4);
    /* The wildcard is for workspaces: templates are still denied. */
    tg = test_target("template", "read");
    ck_assert_uint_eq(authz_check_many(tok, &tg, ids, 4, got), 0);
    for (i = 0; i < 4; i++)
        ck_assert(!got[i]);
    authz_token_free(tok);
}
END_TEST

/* NULL token, target, ids; an unresolved target; a target of another
 * catalog: every allowed[i] false, 0 returned. NULL allowed: 0. */
START_TEST(test_many_errors)
{
    const char *scopes[] = {"workspace:read"};
    const char *all[] = {"*:*"};
    const char *ids[] = {W, T, NULL};
    authz_token *tok = authz_token_new(test_coder(), scopes, 1, all, 1, NULL);
    authz_target tg = test_target("workspace", "read"), bad, other;
    authz_catalog *cat;
    authz_error err;
    bool got[3];
    ck_assert_ptr_nonnull(tok);
    memset(&bad, 0, sizeof bad);

#define ALL_FALSE(call)                                                     \
    do {                                                                    \
        got[0] = got[1] = got[2] = true;                                    \
        ck_assert_uint_eq((call), 0);                                       \
        ck_assert(!got[0] && !got[1] && !got[2]);                           \
    } while (0)

    ALL_FALSE(authz_check_many(NULL, &tg, ids, 3, got));
    ALL_FALSE(authz_check_many(tok, NULL, ids, 3, got));
    ALL_FALSE(authz_check_many(tok, &tg, NULL, 3, got));
    ALL_FALSE(authz_check_many(tok, &bad, ids, 3, got));
    cat = authz_catalog_parse("type workspace read\n", 20, &err);
    ck_assert_msg(cat != NULL, "%s", err.message);
    ck_assert_int_eq(authz_target_resolve(cat, "workspace", "read", &other),
                     AUTHZ_OK);
    ALL_FALSE(authz_check_many(tok, &other, ids, 3, got));
    ck_assert_uint_eq(authz_check_many(tok, &tg, ids, 3, NULL), 0);
    /* n = 0 touches nothing. */
    got[0] = true;
    ck_assert_uint_eq(authz_check_many(tok, &tg, ids, 0, got), 0);
    ck_assert(got[0]);
    ck_assert_uint_eq(authz_check_many(tok, &tg, NULL, 0, NULL), 0);
    /* And the good call allows all three (`*:*`). */
    ck_assert_uint_eq(authz_check_many(tok, &tg, ids, 3, got), 3);
#undef ALL_FALSE
    authz_token_free(tok);
    authz_catalog_free(cat);
}
END_TEST

/* No allocator call during the batch (the token's allocator counts). */
START_TEST(test_many_does_not_allocate)
{
    struct test_alloc st = {0, 0, 0, 0};
    authz_options opts;
    authz_str s = {"coder:all", 9}, a = {"workspace:" W, 46};
    authz_target tg = test_target("workspace", "read");
    const char *ids[40];
    bool got[40];
    authz_token *tok;
    size_t calls, i;
    authz_options_init(&opts);
    opts.allocator = test_allocator(&st);
    tok = authz_token_new_ex(test_coder(), &s, 1, &a, 1, &opts, NULL);
    ck_assert_ptr_nonnull(tok);
    for (i = 0; i < 40; i++)
        ids[i] = i % 3 == 0 ? W : i % 3 == 1 ? T : NULL;
    calls = st.calls;
    for (i = 0; i < 100; i++)
        ck_assert_uint_eq(authz_check_many(tok, &tg, ids, 40, got), 14);
    ck_assert_uint_eq(st.calls, calls);
    authz_token_free(tok);
    ck_assert_uint_eq(st.live, 0);
}
END_TEST

/* The longest run of occupied slots in a table (wrapping around). */
static uint32_t longest_run(const struct az_slot *t, uint32_t mask)
{
    uint32_t i, run = 0, worst = 0, start = 0;
    while (start <= mask && t[start].id != 0)
        start++; /* begin at an empty slot, so no run is cut in two */
    ck_assert_uint_le(start, mask);
    for (i = 1; i <= mask + 1; i++) {
        if (t[(start + i) & mask].id != 0) {
            run++;
            worst = run > worst ? run : worst;
        } else {
            run = 0;
        }
    }
    return worst;
}

/* A catalog text of `n` lines made by fmt (one %05u), after `head`. */
static char *alike_text(const char *head, const char *fmt, unsigned n,
                        size_t *len)
{
    size_t cap = strlen(head) + (size_t)n * 64 + 1, pos;
    char *text = malloc(cap);
    unsigned i;
    ck_assert_ptr_nonnull(text);
    pos = (size_t)snprintf(text, cap, "%s", head);
    for (i = 1; i <= n; i++)
        pos += (size_t)snprintf(text + pos, cap - pos, fmt, i);
    *len = pos;
    return text;
}

/* 4096 types tenantxx00001xworkspace ...: every name of the catalog and
 * none of the same shape outside it resolves, and no table has a run
 * longer than a few dozen slots (one name hash read only the first and
 * last eight bytes and the length: then all 4096 collided, whatever the
 * seed). */
START_TEST(test_names_alike_types)
{
    const char *scopes[] = {"*:*"}, *allow[] = {"*:*"};
    size_t len;
    char *text = alike_text("", "type tenantxx%05uxworkspace read update\n",
                            4096, &len);
    authz_error err;
    authz_catalog *cat = authz_catalog_parse(text, len, &err);
    authz_token *tok;
    char name[32];
    unsigned i;
    ck_assert_msg(cat != NULL, "%s", err.message);
    ck_assert_uint_eq(cat->n_types, 4096);
    ck_assert_uint_le(longest_run(cat->type_index, cat->type_mask), 64);
    ck_assert_uint_le(longest_run(cat->action_index, cat->action_mask), 64);
    tok = authz_token_new(cat, scopes, 1, allow, 1, &err);
    ck_assert_msg(tok != NULL, "%s", err.message);
    for (i = 1; i <= 4096; i++) {
        snprintf(name, sizeof name, "tenantxx%05uxworkspace", i);
        ck_assert_int_eq(az_type_find(cat, name, 23), (int32_t)i - 1);
        ck_assert(authz_check(tok, name, NULL, "update"));
        ck_assert(!authz_check(tok, name, NULL, "delete"));
        snprintf(name, sizeof name, "tenantxx%05uxworkspace", i + 10000);
        ck_assert_int_eq(az_type_find(cat, name, 23), -1);
        ck_assert(!authz_check(tok, name, NULL, "read"));
    }
    authz_token_free(tok);
    authz_catalog_free(cat);
    free(text);
}
END_TEST

/* 65,536 scopes appscopex00001xreadonly ...: the parser's duplicate check
 * and the scope table spread them (the parse once took 72 s); a repeated
 * name is still found. */
START_TEST(test_names_alike_scopes)
{
    size_t len;
    char *text = alike_text("type t read\n",
                            "scope appscopex%05uxreadonly = t:read\n", 65536,
                            &len), *dup;
    authz_error err;
    authz_catalog *cat = authz_catalog_parse(text, len, &err);
    authz_token *tok;
    const char *allow[] = {"*:*"};
    const char *sc[1];
    ck_assert_msg(cat != NULL, "%s", err.message);
    ck_assert_uint_eq(cat->n_scopes, 65536);
    ck_assert_uint_le(longest_run(cat->scope_index, cat->scope_mask), 64);
    ck_assert_int_eq(az_scope_find(cat, "appscopex65536xreadonly", 23),
                     65535);
    ck_assert_int_eq(az_scope_find(cat, "appscopex65537xreadonly", 23), -1);
    sc[0] = "appscopex31337xreadonly";
    tok = authz_token_new(cat, sc, 1, allow, 1, &err);
    ck_assert_msg(tok != NULL, "%s", err.message);
    ck_assert(authz_check(tok, "t", NULL, "read"));
    authz_token_free(tok);
    authz_catalog_free(cat);
    /* The same list with one name twice: refused at the second. */
    dup = malloc(len + 64);
    ck_assert_ptr_nonnull(dup);
    memcpy(dup, text, len);
    len += (size_t)sprintf(dup + len,
                           "scope appscopex40000xreadonly = t:read\n");
    ck_assert_ptr_null(authz_catalog_parse(dup, len, &err));
    ck_assert_int_eq(err.code, AUTHZ_ECATALOG);
    ck_assert_ptr_nonnull(strstr(err.message, "appscopex40000xreadonly"));
    free(dup);
    free(text);
}
END_TEST

Suite *many_suite(void)
{
    Suite *s = suite_create("check_many");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_many_agrees);
    tcase_add_test(tc, test_many_answers);
    tcase_add_test(tc, test_many_adversarial);
    tcase_add_test(tc, test_many_wildcards);
    tcase_add_test(tc, test_many_errors);
    tcase_add_test(tc, test_many_does_not_allocate);
    suite_add_tcase(s, tc);
    tc = tcase_create("names");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_names_alike_types);
    tcase_add_test(tc, test_names_alike_scopes);
    suite_add_tcase(s, tc);
    return s;
}
