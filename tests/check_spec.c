/*
 * check_spec.c - docs/SPEC.md and the code agree.
 *
 * Reads docs/SPEC.md itself and checks the embedded catalog against its
 * tables, row by row: section 6.1 (every type and exactly its actions, in
 * order, and no other type), 6.2 (every public low-level scope public, no
 * other), 6.3 (every composite grants exactly its listed pairs), 6.4
 * (builtins and aliases: grants, what an alias normalises to, public or
 * not) and the worked examples of section 7 (through authz_check,
 * authz_explain and authz_check_many). Each row is one iteration of a loop
 * test, and a failure names its line in docs/SPEC.md.
 *
 * The document is read when the suite is built, into static storage, so
 * the loop counts are the row counts; a section that is missing or empty
 * fails test_sections.
 */
#include "tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_FILE "docs/SPEC.md"
#define MAX_ROWS 128
#define MAX_CELLS 8

struct row {
    size_t line;             /* 1-based line in docs/SPEC.md */
    char *cell[MAX_CELLS];   /* trimmed, backticks kept */
    size_t n;
};

struct section {
    const char *heading; /* the heading's text up to its title */
    struct row rows[MAX_ROWS];
    size_t n;
    int found, overflow;
};

static char spec_text[262144];
static int spec_read; /* 1 read, -1 missing or too large */

static struct section types_s = {"### 6.1 ", {{0}}, 0, 0, 0};
static struct section public_s = {"### 6.2 ", {{0}}, 0, 0, 0};
static struct section composites_s = {"### 6.3 ", {{0}}, 0, 0, 0};
static struct section named_s = {"### 6.4 ", {{0}}, 0, 0, 0};
static struct section examples_s = {"## 7. ", {{0}}, 0, 0, 0};

static char *trim(char *s)
{
    char *end;
    while (*s == ' ')
        s++;
    end = s + strlen(s);
    while (end > s && end[-1] == ' ')
        *--end = '\0';
    return s;
}

/* Splits a table line `| a | b |` into its cells, in place. */
static void table_row(char *line, struct row *r)
{
    char *p = line + 1, *bar;
    r->n = 0;
    while ((bar = strchr(p, '|')) != NULL && r->n < MAX_CELLS) {
        *bar = '\0';
        r->cell[r->n++] = trim(p);
        p = bar + 1;
    }
}

static void add_row(struct section *s, char *line, size_t lineno, int table)
{
    struct row *r;
    if (s->n == MAX_ROWS) {
        s->overflow = 1;
        return;
    }
    r = &s->rows[s->n++];
    r->line = lineno;
    if (table) {
        table_row(line, r);
    } else { /* "- type: a, b, `*`" */
        char *colon = strchr(line + 2, ':');
        r->n = 0;
        if (colon == NULL)
            return;
        *colon = '\0';
        r->cell[0] = trim(line + 2);
        r->cell[1] = trim(colon + 1);
        r->n = 2;
    }
}

/* Reads docs/SPEC.md and files the rows of the five sections. A section
 * runs from its heading to the next heading; its table's first two lines
 * (the header and the rule) are not rows. */
static void read_spec(void)
{
    struct section *all[] = {&types_s, &public_s, &composites_s, &named_s,
                             &examples_s};
    struct section *cur = NULL;
    size_t len, lineno = 0, table_lines = 0, i;
    char *p, *nl;
    FILE *f;

    if (spec_read != 0)
        return;
    spec_read = -1;
    f = fopen(test_path(SPEC_FILE), "rb");
    if (f == NULL)
        return;
    len = fread(spec_text, 1, sizeof spec_text, f);
    fclose(f);
    if (len == sizeof spec_text)
        return;
    spec_text[len] = '\0';
    spec_read = 1;

    for (p = spec_text; p < spec_text + len; p = nl + 1) {
        nl = strchr(p, '\n');
        if (nl == NULL)
            nl = spec_text + len;
        *nl = '\0';
        lineno++;
        if (p[0] == '#') {
            cur = NULL;
            for (i = 0; i < sizeof all / sizeof all[0]; i++)
                if (strncmp(p, all[i]->heading, strlen(all[i]->heading)) ==
                    0) {
                    cur = all[i];
                    cur->found = 1;
                    table_lines = 0;
                }
        } else if (cur != NULL && p[0] == '|') {
            if (++table_lines > 2)
                add_row(cur, p, lineno, 1);
        } else if (cur == &public_s && p[0] == '-' && p[1] == ' ') {
            add_row(cur, p, lineno, 0);
        }
    }
}

/* Copies `s` without backticks into out[cap]. */
static const char *plain(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (; *s != '\0' && o + 1 < cap; s++)
        if (*s != '`')
            out[o++] = *s;
    out[o] = '\0';
    return out;
}

/* Splits a cell "a, b, c" (backticks dropped) into items, in place in
 * buf. */
static size_t items(const char *cell, char *buf, size_t cap, char **item,
                    size_t max)
{
    plain(cell, buf, cap);
    if (buf[0] == '\0')
        return 0;
    return test_split(buf, ',', item, max);
}

static const authz_catalog *cat(void)
{
    return authz_catalog_coder();
}

static size_t type_index(const char *name)
{
    size_t t, n = authz_catalog_type_count(cat());
    for (t = 0; t < n; t++)
        if (strcmp(authz_catalog_type_name(cat(), t), name) == 0)
            return t;
    return (size_t)-1;
}

static int scope_public(const char *scope)
{
    authz_error err;
    return authz_scope_validate(cat(), scope, strlen(scope), AUTHZ_PUBLIC,
                                &err) == AUTHZ_OK;
}

static int scope_valid(const char *scope, int *code)
{
    authz_error err;
    *code = authz_scope_validate(cat(), scope, strlen(scope), 0, &err);
    return *code == AUTHZ_OK;
}

/* A token of one scope and `*:*`; fails the test if it does not build. */
static authz_token *one_scope(const char *scope, size_t line)
{
    authz_error err;
    const char *s[1], *a[1] = {"*:*"};
    authz_token *tok;
    s[0] = scope;
    tok = authz_token_new(cat(), s, 1, a, 1, &err);
    ck_assert_msg(tok != NULL, SPEC_FILE " line %zu: scope %s: %s", line,
                  scope, err.message);
    return tok;
}

/* ---- the document has what the suite reads ---------------------------- */

/* The named scopes of the embedded catalog, from its text form. */
static size_t catalog_scope_names(char names[][64], size_t max)
{
    static char text[65536];
    size_t n = 0, len = authz_catalog_text(cat(), text, sizeof text);
    char *p, *nl;
    ck_assert_uint_lt(len, sizeof text);
    for (p = text; *p != '\0'; p = nl + 1) {
        nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        *nl = '\0';
        if (strncmp(p, "scope ", 6) == 0 || strncmp(p, "alias ", 6) == 0) {
            char *name = p + 6, *sp = strchr(name, ' ');
            ck_assert_ptr_nonnull(sp);
            *sp = '\0';
            ck_assert_uint_lt(n, max);
            snprintf(names[n++], 64, "%s", name);
        }
    }
    return n;
}

START_TEST(test_sections)
{
    struct section *all[] = {&types_s, &public_s, &composites_s, &named_s,
                             &examples_s};
    char names[128][64], buf[64];
    size_t i, j, n, documented = 0;
    int code;

    ck_assert_msg(spec_read == 1, "cannot read %s (or it is over %zu bytes)",
                  test_path(SPEC_FILE), sizeof spec_text - 1);
    for (i = 0; i < sizeof all / sizeof all[0]; i++) {
        ck_assert_msg(all[i]->found, SPEC_FILE ": no heading \"%s...\"",
                      all[i]->heading);
        ck_assert_msg(all[i]->n > 0, SPEC_FILE ": section \"%s\" has no rows",
                      all[i]->heading);
        ck_assert_msg(!all[i]->overflow,
                      SPEC_FILE ": section \"%s\" has over %d rows",
                      all[i]->heading, MAX_ROWS);
    }
    /* 6.1 has a row for every type and no more (the rows are compared
     * one by one in test_types). */
    ck_assert_msg(types_s.n == authz_catalog_type_count(cat()),
                  SPEC_FILE " 6.1 lists %zu types; the catalog has %zu",
                  types_s.n, authz_catalog_type_count(cat()));
    /* What the pinned commit removed is gone. */
    ck_assert(!scope_valid("task:read", &code));
    ck_assert_int_eq(code, AUTHZ_ETYPE);
    ck_assert(!scope_valid("task:*", &code));
    ck_assert_int_eq(code, AUTHZ_ETYPE);
    ck_assert(!scope_valid("workspace:use_shared", &code));
    ck_assert_int_eq(code, AUTHZ_EACTION);
    ck_assert(!scope_valid("workspace_dormant:use_shared", &code));
    ck_assert_int_eq(code, AUTHZ_EACTION);

    /* 6.3 and 6.4 together name every named scope, and only those. */
    n = catalog_scope_names(names, 128);
    for (i = 0; i < composites_s.n + named_s.n; i++) {
        const struct row *r = i < composites_s.n
                                  ? &composites_s.rows[i]
                                  : &named_s.rows[i - composites_s.n];
        int seen = 0;
        ck_assert_msg(r->n >= 2, SPEC_FILE " line %zu: too few cells",
                      r->line);
        plain(r->cell[0], buf, sizeof buf);
        for (j = 0; j < n; j++)
            seen |= strcmp(names[j], buf) == 0;
        ck_assert_msg(seen, SPEC_FILE " line %zu: %s is no named scope of "
                            "the catalog", r->line, buf);
        documented++;
    }
    ck_assert_msg(documented == n,
                  SPEC_FILE " 6.3 and 6.4 name %zu scopes; the catalog has %zu",
                  documented, n);
}
END_TEST

/* ---- 6.1 ------------------------------------------------------------- */

START_TEST(test_types)
{
    const struct row *r = &types_s.rows[_i];
    char buf[1024], *act[80];
    size_t n, a, count;
    const char *name;

    ck_assert_msg(r->n == 2, SPEC_FILE " line %zu: expected 2 cells, got %zu",
                  r->line, r->n);
    name = authz_catalog_type_name(cat(), (size_t)_i);
    ck_assert_msg(name != NULL && strcmp(name, r->cell[0]) == 0,
                  SPEC_FILE " line %zu: row %d is type %s; the catalog's "
                            "type %d is %s",
                  r->line, _i, r->cell[0], _i, name ? name : "(none)");
    n = items(r->cell[1], buf, sizeof buf, act, 80);
    count = authz_catalog_action_count(cat(), (size_t)_i);
    ck_assert_msg(n == count,
                  SPEC_FILE " line %zu: %s: %zu actions listed, %zu in the "
                            "catalog",
                  r->line, name, n, count);
    for (a = 0; a < n; a++) {
        const char *have = authz_catalog_action_name(cat(), (size_t)_i, a);
        ck_assert_msg(have != NULL && strcmp(have, act[a]) == 0,
                      SPEC_FILE " line %zu: %s action %zu is %s here and %s "
                                "in the catalog",
                      r->line, name, a, act[a], have ? have : "(none)");
    }
}
END_TEST

/* ---- 6.2 ------------------------------------------------------------- */

/* The 6.2 item of a type, or NULL. */
static const struct row *public_item(const char *type)
{
    size_t i;
    for (i = 0; i < public_s.n; i++)
        if (public_s.rows[i].n == 2 &&
            strcmp(public_s.rows[i].cell[0], type) == 0)
            return &public_s.rows[i];
    return NULL;
}

static int listed(const struct row *item, const char *action)
{
    char buf[1024], *act[80];
    size_t n, i;
    if (item == NULL)
        return 0;
    n = items(item->cell[1], buf, sizeof buf, act, 80);
    for (i = 0; i < n; i++)
        if (strcmp(act[i], action) == 0)
            return 1;
    return 0;
}

/* Every name an item lists is a valid scope, and public. */
START_TEST(test_public_low_level)
{
    const struct row *r = &public_s.rows[_i];
    char buf[1024], *act[80], scope[256];
    size_t n, i;
    int code;

    ck_assert_msg(r->n == 2, SPEC_FILE " line %zu: expected \"- type: "
                             "actions\"", r->line);
    ck_assert_msg(type_index(r->cell[0]) != (size_t)-1,
                  SPEC_FILE " line %zu: %s is not a type", r->line,
                  r->cell[0]);
    ck_assert_msg(public_item(r->cell[0]) == r,
                  SPEC_FILE " line %zu: %s is listed twice", r->line,
                  r->cell[0]);
    n = items(r->cell[1], buf, sizeof buf, act, 80);
    ck_assert_msg(n > 0, SPEC_FILE " line %zu: no actions", r->line);
    for (i = 0; i < n; i++) {
        snprintf(scope, sizeof scope, "%s:%s", r->cell[0], act[i]);
        ck_assert_msg(scope_valid(scope, &code),
                      SPEC_FILE " line %zu: %s is not a valid scope (%s)",
                      r->line, scope, authz_strerror(code));
        ck_assert_msg(scope_public(scope),
                      SPEC_FILE " line %zu: %s is not public", r->line,
                      scope);
    }
}
END_TEST

/* Per type (a 6.1 row): T:A and T:* are public exactly when 6.2 lists
 * them. */
START_TEST(test_internal_low_level)
{
    const struct row *r = &types_s.rows[_i];
    const char *type = authz_catalog_type_name(cat(), (size_t)_i);
    const struct row *item;
    size_t a, n = authz_catalog_action_count(cat(), (size_t)_i);
    char scope[256];

    ck_assert_msg(type != NULL, SPEC_FILE " line %zu: no type %d", r->line,
                  _i);
    item = public_item(type);

    for (a = 0; a <= n; a++) {
        const char *act =
            a == n ? "*" : authz_catalog_action_name(cat(), (size_t)_i, a);
        int want = listed(item, act);
        snprintf(scope, sizeof scope, "%s:%s", type, act);
        ck_assert_msg(scope_public(scope) == want,
                      SPEC_FILE " line %zu: %s is %s in the catalog but %s "
                                "in section 6.2 (line %zu)",
                      item != NULL ? item->line : r->line, scope,
                      want ? "internal" : "public",
                      want ? "listed" : "not listed",
                      item != NULL ? item->line : 0);
    }
    if (_i == 0)
        ck_assert_msg(!scope_public("*:*"), "*:* must not be public");
}
END_TEST

/* ---- 6.3 and 6.4 ----------------------------------------------------- */

/* Does a grant list ("T:A", "T:*", "*:*", "-T:A", space- or
 * comma-separated) give (type, action)? Positive minus negative, as one
 * scope computes it. */
static int grant_list_has(char *const *g, size_t n, const char *type,
                          const char *action)
{
    int plus = 0, minus = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        const char *s = g[i][0] == '-' ? g[i] + 1 : g[i];
        const char *colon = strchr(s, ':');
        size_t tlen;
        int hit;
        if (colon == NULL)
            continue;
        tlen = (size_t)(colon - s);
        hit = ((tlen == 1 && s[0] == '*') ||
               (strlen(type) == tlen && memcmp(s, type, tlen) == 0)) &&
              (strcmp(colon + 1, "*") == 0 || strcmp(colon + 1, action) == 0);
        if (hit && g[i][0] == '-')
            minus = 1;
        else if (hit)
            plus = 1;
    }
    return plus && !minus;
}

/* The token of `scope` alone grants exactly the pairs of the list, over
 * every (type, action) of the catalog. */
static void expect_grants(const char *scope, char *const *g, size_t n,
                          size_t line)
{
    authz_token *tok = one_scope(scope, line);
    size_t t, a, nt = authz_catalog_type_count(cat());
    for (t = 0; t < nt; t++) {
        const char *type = authz_catalog_type_name(cat(), t);
        size_t na = authz_catalog_action_count(cat(), t);
        for (a = 0; a < na; a++) {
            const char *act = authz_catalog_action_name(cat(), t, a);
            int want = grant_list_has(g, n, type, act);
            ck_assert_msg(authz_token_grants(tok, type, act) == want,
                          SPEC_FILE " line %zu: %s %s %s:%s", line, scope,
                          want ? "does not grant" : "grants", type, act);
        }
    }
    authz_token_free(tok);
}

/* Every listed grant names a type and an action of the catalog. */
static void expect_valid_grants(char *const *g, size_t n, size_t line)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const char *s = g[i][0] == '-' ? g[i] + 1 : g[i];
        int code;
        ck_assert_msg(scope_valid(s, &code),
                      SPEC_FILE " line %zu: grant %s is not a valid scope "
                                "(%s)",
                      line, g[i], authz_strerror(code));
    }
}

START_TEST(test_composites)
{
    const struct row *r = &composites_s.rows[_i];
    char name[128], buf[2048], *g[64];
    size_t n;

    ck_assert_msg(r->n == 2, SPEC_FILE " line %zu: expected 2 cells",
                  r->line);
    plain(r->cell[0], name, sizeof name);
    n = items(r->cell[1], buf, sizeof buf, g, 64);
    ck_assert_msg(n > 0, SPEC_FILE " line %zu: no grants", r->line);
    expect_valid_grants(g, n, r->line);
    ck_assert_msg(scope_public(name), SPEC_FILE " line %zu: %s is not public",
                  r->line, name);
    expect_grants(name, g, n, r->line);
}
END_TEST

START_TEST(test_named_scopes)
{
    const struct row *r = &named_s.rows[_i];
    char name[128], kind[128], grants[256], *g[16];
    const char *target = NULL;
    authz_str in;
    authz_list *norm;
    authz_error err;
    size_t n;
    int pub;

    ck_assert_msg(r->n == 4, SPEC_FILE " line %zu: expected 4 cells",
                  r->line);
    plain(r->cell[0], name, sizeof name);
    plain(r->cell[1], kind, sizeof kind);
    plain(r->cell[2], grants, sizeof grants);
    ck_assert_msg(strcmp(r->cell[3], "yes") == 0 ||
                      strcmp(r->cell[3], "no") == 0,
                  SPEC_FILE " line %zu: public must be yes or no", r->line);
    pub = strcmp(r->cell[3], "yes") == 0;
    if (strcmp(kind, "builtin") == 0)
        target = name;
    else if (strncmp(kind, "alias of ", 9) == 0)
        target = kind + 9;
    else
        ck_abort_msg(SPEC_FILE " line %zu: kind must be builtin or "
                               "\"alias of NAME\"", r->line);

    /* Public as the table says; an alias as its scope. */
    ck_assert_msg(scope_public(name) == pub,
                  SPEC_FILE " line %zu: %s is %s", r->line, name,
                  pub ? "not public" : "public");
    ck_assert_msg(scope_public(target) == pub,
                  SPEC_FILE " line %zu: %s and %s differ in being public",
                  r->line, name, target);

    /* The normal form writes the scope, never the alias. */
    in.ptr = name;
    in.len = strlen(name);
    norm = authz_scopes_normalize(cat(), &in, 1, NULL, &err);
    ck_assert_msg(norm != NULL, SPEC_FILE " line %zu: %s", r->line,
                  err.message);
    ck_assert_uint_eq(authz_list_count(norm), 1);
    ck_assert_msg(strcmp(authz_list_get(norm, 0), target) == 0,
                  SPEC_FILE " line %zu: %s normalises to %s, not %s", r->line,
                  name, authz_list_get(norm, 0), target);
    authz_list_free(norm);

    n = test_split(grants, ' ', g, 16);
    expect_valid_grants(g, n, r->line);
    expect_grants(name, g, n, r->line);
}
END_TEST

/* ---- 7 --------------------------------------------------------------- */

/* A cell of section 7 in the notation of test_token: `W` and `T` alone or
 * after a colon become $W / $T; backticks go. */
static void example_list(const char *cell, char *out, size_t cap)
{
    char buf[512], *item[16];
    size_t n, i, o = 0;
    if (strcmp(cell, "(empty)") == 0) {
        snprintf(out, cap, "(empty)");
        return;
    }
    n = items(cell, buf, sizeof buf, item, 16);
    out[0] = '\0';
    for (i = 0; i < n; i++) {
        size_t len = strlen(item[i]);
        int id = len >= 2 && item[i][len - 2] == ':' &&
                 (item[i][len - 1] == 'W' || item[i][len - 1] == 'T');
        o += (size_t)snprintf(out + o, cap - o, "%s%.*s%s%s", i ? "," : "",
                              (int)(id ? len - 1 : len), item[i],
                              id ? "$" : "", id ? item[i] + len - 1 : "");
        ck_assert_uint_lt(o, cap);
    }
}

static const char *example_id(const char *cell, char *out, size_t cap)
{
    plain(cell, out, cap);
    if (strcmp(out, "(none)") == 0)
        return "";
    if (strcmp(out, "W") == 0)
        return W;
    if (strcmp(out, "T") == 0)
        return T;
    return out;
}

static authz_token *example_token(const struct row *r)
{
    char scopes[512], allow[512];
    authz_error err;
    authz_token *tok;
    ck_assert_msg(r->n == 7, SPEC_FILE " line %zu: expected 7 cells, got %zu",
                  r->line, r->n);
    example_list(r->cell[0], scopes, sizeof scopes);
    example_list(r->cell[1], allow, sizeof allow);
    tok = test_token(cat(), scopes, allow, &err);
    ck_assert_msg(tok != NULL, SPEC_FILE " line %zu: %s", r->line,
                  err.message);
    return tok;
}

START_TEST(test_worked_examples)
{
    const struct row *r = &examples_s.rows[_i];
    authz_token *tok = example_token(r);
    authz_explanation ex;
    char idbuf[128], res[64], act[64];
    const char *id = example_id(r->cell[3], idbuf, sizeof idbuf);
    int want;

    ck_assert_msg(strcmp(r->cell[5], "allow") == 0 ||
                      strcmp(r->cell[5], "deny") == 0,
                  SPEC_FILE " line %zu: result must be allow or deny",
                  r->line);
    want = strcmp(r->cell[5], "allow") == 0;
    plain(r->cell[2], res, sizeof res);
    plain(r->cell[4], act, sizeof act);
    ck_assert_msg(authz_check(tok, res, id, act) == want,
                  SPEC_FILE " line %zu: authz_check says %s", r->line,
                  want ? "deny" : "allow");
    ck_assert_msg(authz_explain(tok, res, id, act, &ex) == want,
                  SPEC_FILE " line %zu: authz_explain disagrees", r->line);
    ck_assert_msg((ex.reason == AUTHZ_REASON_ALLOWED) == want,
                  SPEC_FILE " line %zu: reason %s", r->line,
                  authz_reason_str(ex.reason));
    authz_token_free(tok);
}
END_TEST

/* Section 4.4 on the tokens of section 7: authz_check_many equals
 * authz_check_target id by id, for ids of every kind. */
START_TEST(test_batch)
{
    const struct row *r = &examples_s.rows[_i];
    authz_token *tok = example_token(r);
    authz_target target;
    char idbuf[128], res[64], act[64];
    const char *ids[] = {
        W, T, "", NULL, "abcdef1234",
        "{3F2504E0-4F89-41D3-9A0C-0305E82C3301}",
        "urn:uuid:7C9E6679-7425-40DE-944B-E07FC1F90AE7",
        "3f2504e04f8941d39a0c0305e82c3301", "3f2504e0-4f89-41d3-9a0c",
        example_id(r->cell[3], idbuf, sizeof idbuf)};
    enum { N = sizeof ids / sizeof ids[0] };
    bool allowed[N];
    size_t i, count = 0, got;
    int resolved;

    plain(r->cell[2], res, sizeof res);
    plain(r->cell[4], act, sizeof act);
    resolved = authz_target_resolve(cat(), res, act, &target) == AUTHZ_OK;
    got = authz_check_many(tok, &target, ids, N, allowed);
    for (i = 0; i < N; i++) {
        bool one = authz_check_target(tok, &target, ids[i],
                                      ids[i] != NULL ? strlen(ids[i]) : 0);
        ck_assert_msg(allowed[i] == one,
                      SPEC_FILE " line %zu: id %s: check_many %d, "
                                "check_target %d",
                      r->line, ids[i] ? ids[i] : "(null)", allowed[i], one);
        ck_assert_msg(one == authz_check(tok, res, ids[i], act),
                      SPEC_FILE " line %zu: id %s: check_target and "
                                "authz_check differ",
                      r->line, ids[i] ? ids[i] : "(null)");
        count += allowed[i];
    }
    ck_assert_uint_eq(got, count);
    if (!resolved)
        ck_assert_uint_eq(got, 0);
    authz_token_free(tok);
}
END_TEST

Suite *spec_suite(void)
{
    Suite *s = suite_create("spec");
    TCase *tc = tcase_create("docs/SPEC.md");
    read_spec();
    tcase_add_test(tc, test_sections);
    tcase_add_loop_test(tc, test_types, 0, (int)types_s.n);
    tcase_add_loop_test(tc, test_public_low_level, 0, (int)public_s.n);
    tcase_add_loop_test(tc, test_internal_low_level, 0, (int)types_s.n);
    tcase_add_loop_test(tc, test_composites, 0, (int)composites_s.n);
    tcase_add_loop_test(tc, test_named_scopes, 0, (int)named_s.n);
    tcase_add_loop_test(tc, test_worked_examples, 0, (int)examples_s.n);
    tcase_add_loop_test(tc, test_batch, 0, (int)examples_s.n);
    suite_add_tcase(s, tc);
    return s;
}
