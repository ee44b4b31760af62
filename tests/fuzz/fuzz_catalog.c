/*
 * fuzz_catalog.c - catalog parsing (authz_catalog_parse and _ex), then a
 * token on the parsed catalog and checks against it.
 *
 * Input: catalog text, optionally followed by a line "%%" and then lines in
 * the framing of fuzz.h (S scope, A allow entry, Q request) for a token on
 * that catalog.
 *
 * Invariants:
 *   - a failed parse returns NULL with AUTHZ_ECATALOG, a line inside the
 *     text, a column inside (or just past) that line, index = line - 1 and
 *     offset = column - 1;
 *   - parsing is deterministic: the same text with a counting allocator
 *     gives the same result, and frees every allocation with the catalog;
 *   - failing any one allocation gives NULL and AUTHZ_ENOMEM, leaking
 *     nothing;
 *   - a parsed catalog means what its text says, read here by a separate
 *     naive reading of its lines: every `T:A` and `T:*` validates, is public
 *     exactly when a `public` line names it, grants (T, A) and nothing
 *     else of T; `*:*` grants every action of every type; every declared
 *     scope and alias validates, and is public as docs/SPEC.md 8.2 says (a
 *     scope when a `public` line names it, an alias when its scope is);
 *     names the text does not declare deny;
 *   - a token accepted under AUTHZ_PUBLIC rebuilds from its normal form and
 *     decodes from its encoding under AUTHZ_PUBLIC;
 *   - the token from the second part builds or fails with a sane error, and
 *     each check of it agrees with authz_explain and denies unknown names.
 */
#include "fuzz.h"

#define MAX_FIELDS 80

/* ------------------------------------------------------------------------ */
/* A naive reading of valid catalog text                                     */
/* ------------------------------------------------------------------------ */

struct field {
    const char *p;
    size_t n;
};

struct text {
    const char *p;
    size_t n;
};

/* Splits one line (up to '#') on spaces and tabs; at most MAX_FIELDS. */
static size_t split_fields(const char *p, size_t n, struct field *f)
{
    size_t i = 0, k = 0;
    while (i < n && k < MAX_FIELDS) {
        size_t start;
        if (p[i] == '#')
            break;
        if (p[i] == ' ' || p[i] == '\t') {
            i++;
            continue;
        }
        start = i;
        while (i < n && p[i] != ' ' && p[i] != '\t' && p[i] != '#')
            i++;
        f[k].p = p + start;
        f[k].n = i - start;
        k++;
    }
    return k;
}

static bool field_is(const struct field *f, const char *s, size_t n)
{
    return f->n == n && memcmp(f->p, s, n) == 0;
}

/* Calls fn for every line whose first field is `keyword`; stops when fn
 * returns true and returns true then. */
typedef bool (*line_fn)(const struct field *f, size_t nf, void *ctx);

static bool each_line(struct text t, const char *keyword, line_fn fn,
                      void *ctx)
{
    struct field f[MAX_FIELDS];
    size_t pos = 0;
    while (pos < t.n) {
        const char *nl = memchr(t.p + pos, '\n', t.n - pos);
        size_t end = nl != NULL ? (size_t)(nl - t.p) : t.n;
        size_t nf = split_fields(t.p + pos, end - pos, f);
        pos = end + 1;
        if (nf > 0 && field_is(&f[0], keyword, strlen(keyword)) &&
            fn(f, nf, ctx))
            return true;
    }
    return false;
}

struct find {
    const char *p;
    size_t n;
    const char *action;
    size_t action_n;
};

static bool type_has(const struct field *f, size_t nf, void *ctx)
{
    struct find *q = ctx;
    size_t i;
    if (nf < 2 || !field_is(&f[1], q->p, q->n))
        return false;
    if (q->action == NULL)
        return true;
    for (i = 2; i < nf; i++)
        if (field_is(&f[i], q->action, q->action_n))
            return true;
    return false;
}

/* Does the text declare type r, and action a of it (a NULL: type only)?
 * Lines of more than MAX_FIELDS fields are read in part: callers only ask
 * about names the reading has seen, or ask to confirm a deny. */
static bool text_declares(struct text t, const char *r, size_t rn,
                          const char *a, size_t an)
{
    struct find q;
    q.p = r;
    q.n = rn;
    q.action = a;
    q.action_n = an;
    return each_line(t, "type", type_has, &q);
}

static bool public_has(const struct field *f, size_t nf, void *ctx)
{
    const struct field *want = ctx;
    size_t i;
    for (i = 1; i < nf; i++)
        if (field_is(&f[i], want->p, want->n))
            return true;
    return false;
}

/* The names of the `public` lines, collected once per input: looked up for
 * every scope the checks below validate. */
#define MAX_PUBLIC 1024
static struct field public_names[MAX_PUBLIC];
static size_t n_public;
static bool public_overflow;

static bool collect_public(const struct field *f, size_t nf, void *ctx)
{
    size_t i;
    (void)ctx;
    for (i = 1; i < nf; i++) {
        if (n_public == MAX_PUBLIC || nf == MAX_FIELDS) {
            public_overflow = true;
            return true;
        }
        public_names[n_public++] = f[i];
    }
    return false;
}

static bool text_public(struct text t, const char *name)
{
    struct field want;
    size_t i;
    want.p = name;
    want.n = strlen(name);
    if (public_overflow)
        return each_line(t, "public", public_has, &want);
    for (i = 0; i < n_public; i++)
        if (field_is(&public_names[i], want.p, want.n))
            return true;
    return false;
}

/* ------------------------------------------------------------------------ */
/* What a parsed catalog must mean                                           */
/* ------------------------------------------------------------------------ */

struct sem {
    const authz_catalog *cat;
    struct text text;
    size_t types_seen;
    authz_token *star; /* scopes `*:*`, allow list `*:*` */
};

static authz_token *token1(const authz_catalog *cat, const char *scope,
                           const char *allow)
{
    authz_error err;
    authz_token *tok = authz_token_new(cat, &scope, 1, &allow, 1, &err);
    FUZZ_ASSERT(tok != NULL, "token {%s} {%s}: %s", scope, allow,
                err.message);
    return tok;
}

/* For one `type T A...` line: T:A and T:* validate, are public exactly when
 * listed, and grant exactly what they name. */
static bool check_type(const struct field *f, size_t nf, void *ctx)
{
    struct sem *s = ctx;
    char name[132], scope[300], allow[140];
    authz_token *one, *star;
    authz_error err;
    size_t i, j;

    if (nf < 3 || nf >= MAX_FIELDS || f[1].n > 128)
        return false; /* not a valid line: the parse would have failed */
    if (s->types_seen++ >= 4)
        return true;
    snprintf(name, sizeof name, "%.*s", (int)f[1].n, f[1].p);
    snprintf(allow, sizeof allow, "%s:*", name);
    FUZZ_ASSERT(authz_scope_validate(s->cat, allow, strlen(allow), 0, &err) ==
                    AUTHZ_OK,
                "%s: %s", allow, err.message);
    FUZZ_ASSERT(authz_scope_validate(s->cat, allow, strlen(allow),
                                     AUTHZ_PUBLIC, &err) ==
                    (text_public(s->text, allow) ? AUTHZ_OK
                                                 : AUTHZ_ENOTPUBLIC),
                "%s public: code %d", allow, err.code);
    star = s->star;
    for (i = 2; i < nf && i < 6; i++) {
        if (f[i].n > 128)
            continue;
        snprintf(scope, sizeof scope, "%s:%.*s", name, (int)f[i].n, f[i].p);
        FUZZ_ASSERT(authz_scope_validate(s->cat, scope, strlen(scope), 0,
                                         &err) == AUTHZ_OK,
                    "%s: %s", scope, err.message);
        FUZZ_ASSERT(authz_scope_validate(s->cat, scope, strlen(scope),
                                         AUTHZ_PUBLIC, &err) ==
                        (text_public(s->text, scope) ? AUTHZ_OK
                                                     : AUTHZ_ENOTPUBLIC),
                    "%s public: code %d", scope, err.code);
        one = token1(s->cat, scope, allow);
        for (j = 2; j < nf; j++) {
            bool want = j == i;
            FUZZ_ASSERT(authz_check_n(one, f[1].p, f[1].n, NULL, 0, f[j].p,
                                      f[j].n) == want,
                        "{%s} on action %.*s: expected %d", scope,
                        (int)f[j].n, f[j].p, want);
            FUZZ_ASSERT(authz_check_n(star, f[1].p, f[1].n, "", 0, f[j].p,
                                      f[j].n),
                        "*:* denies %s:%.*s", name, (int)f[j].n, f[j].p);
        }
        /* Upper case is never part of a catalog name. */
        FUZZ_ASSERT(!authz_check_n(one, f[1].p, f[1].n, NULL, 0, "Zz", 2) &&
                        !authz_check_n(star, "Zz", 2, NULL, 0, f[i].p,
                                       f[i].n),
                    "an undeclared name allowed");
        authz_token_free(one);
    }
    return false;
}

/* A token accepted under AUTHZ_PUBLIC rebuilds from its own normal form,
 * and decodes from its own encoding, under AUTHZ_PUBLIC (docs/SPEC.md
 * 8.2: an alias never publishes more than its scope). */
static void public_round_trip(const authz_catalog *cat, const char *name)
{
    authz_options opts;
    authz_error err;
    authz_str s = {name, strlen(name)}, a = {"*:*", 3};
    authz_token *tok, *again;
    authz_list *norm;
    unsigned char buf[512];
    size_t i, len;
    authz_options_init(&opts);
    opts.flags = AUTHZ_PUBLIC;
    tok = authz_token_new_ex(cat, &s, 1, &a, 1, &opts, &err);
    FUZZ_ASSERT(tok != NULL, "public scope %s refused: %s", name,
                err.message);
    norm = authz_token_scopes(tok, &err);
    FUZZ_ASSERT(norm != NULL, "normal form of %s: %s", name, err.message);
    {
        authz_str ns[4];
        size_t n = authz_list_count(norm);
        FUZZ_ASSERT(n == 1, "one scope, %zu in the normal form", n);
        for (i = 0; i < n; i++) {
            ns[i].ptr = authz_list_get(norm, i);
            ns[i].len = strlen(ns[i].ptr);
        }
        again = authz_token_new_ex(cat, ns, n, &a, 1, &opts, &err);
        FUZZ_ASSERT(again != NULL,
                    "%s is public, its normal form %s is refused: %s", name,
                    ns[0].ptr, err.message);
        authz_token_free(again);
    }
    authz_list_free(norm);
    FUZZ_ASSERT(authz_token_encode(tok, buf, sizeof buf, &len) == AUTHZ_OK,
                "encode %s", name);
    again = authz_token_decode_ex(cat, buf, len, &opts, &err);
    FUZZ_ASSERT(again != NULL, "%s is public, its encoding is refused: %s",
                name, err.message);
    authz_token_free(again);
    authz_token_free(tok);
}

/* Every declared scope or alias validates and makes a token. A scope is
 * public exactly when a `public` line names it; an alias exactly when the
 * scope it names is. */
static bool check_scope_line(const struct field *f, size_t nf, void *ctx)
{
    struct sem *s = ctx;
    authz_error err;
    char name[132], target[132];
    authz_token *tok;
    bool is_public;
    int code;
    if (nf < 2 || f[1].n > 128)
        return false;
    snprintf(name, sizeof name, "%.*s", (int)f[1].n, f[1].p);
    is_public = text_public(s->text, name);
    if (field_is(&f[0], "alias", 5) && nf >= 4 && f[3].n <= 128) {
        snprintf(target, sizeof target, "%.*s", (int)f[3].n, f[3].p);
        is_public = text_public(s->text, target);
    }
    FUZZ_ASSERT(authz_scope_validate(s->cat, f[1].p, f[1].n, 0, &err) ==
                    AUTHZ_OK,
                "declared scope %s: %s", name, err.message);
    code = authz_scope_validate(s->cat, f[1].p, f[1].n, AUTHZ_PUBLIC, &err);
    FUZZ_ASSERT(code == (is_public ? AUTHZ_OK : AUTHZ_ENOTPUBLIC),
                "declared scope %s public: code %d", name, err.code);
    tok = token1(s->cat, name, "*:*");
    authz_token_free(tok);
    if (code == AUTHZ_OK)
        public_round_trip(s->cat, name);
    return false;
}

/* ------------------------------------------------------------------------ */
/* The token half                                                            */
/* ------------------------------------------------------------------------ */

struct tok_ctx {
    const authz_token *tok;
    struct text text;
};

static void check_request(const fz_request *q, void *opaque)
{
    const struct tok_ctx *c = opaque;
    const fz_bytes *r = &q->resource, *id = &q->id, *a = &q->action;
    authz_explanation ex;
    bool n = authz_check_n(c->tok, fz_ptr(r), r->len, fz_ptr(id), id->len,
                           fz_ptr(a), a->len);
    bool s = authz_check(c->tok, fz_cstr(r), fz_cstr(id), fz_cstr(a));
    bool e = authz_explain(c->tok, fz_cstr(r), fz_cstr(id), fz_cstr(a), &ex);
    FUZZ_ASSERT(s == e && ex.allowed == e, "check %d, explain %d", s, e);
    if (!fz_has_nul(r) && !fz_has_nul(a) && !fz_has_nul(id))
        FUZZ_ASSERT(n == s, "check_n %d, check %d on the same strings", n,
                    s);
    if (fz_has_nul(r) || fz_has_nul(a) || !r->present || !a->present ||
        !text_declares(c->text, r->model, r->len, a->model, a->len))
        FUZZ_ASSERT(!n, "authz_check_n allows an undeclared name");
    if (!r->present || !a->present ||
        !text_declares(c->text, r->cstr, strlen(r->cstr), a->cstr,
                       strlen(a->cstr)))
        FUZZ_ASSERT(!s, "authz_check allows an undeclared name");
}

static void token_half(const authz_catalog *cat, struct text text,
                       const uint8_t *data, size_t size)
{
    static authz_str sv[FZ_MAX_SCOPES], av[FZ_MAX_ALLOW];
    static fz_input input;
    fz_input *in = &input;
    authz_error err;
    authz_token *tok;

    fz_parse_lines(in, data, size);
    fz_strs(in->scopes, in->n_scopes, sv);
    fz_strs(in->allow, in->n_allow, av);
    tok = authz_token_new_ex(cat, sv, in->n_scopes, av, in->n_allow, NULL,
                             &err);
    if (tok == NULL) {
        fz_assert_token_error(&err, in->n_scopes, in->n_allow, in->scopes,
                              in->allow);
    } else {
        struct tok_ctx c;
        c.tok = tok;
        c.text = text;
        fz_each_request(in, fz_hash(data, size), check_request, &c);
        authz_token_free(tok);
    }
    fz_input_free(in);
}

/* ------------------------------------------------------------------------ */

static void assert_parse_error(const authz_error *err, const char *text,
                               size_t len)
{
    size_t line = 1, start = 0, end, i;
    FUZZ_ASSERT(err->code == AUTHZ_ECATALOG, "parse error code %d: %s",
                err->code, err->message);
    FUZZ_ASSERT(err->list == AUTHZ_LIST_CATALOG, "list %d", err->list);
    fz_assert_message(err);
    for (i = 0; i < len && line < err->line; i++) {
        if (text[i] == '\n') {
            line++;
            start = i + 1;
        }
    }
    FUZZ_ASSERT(err->line >= 1 && line == err->line,
                "line %zu of a text of %zu lines", err->line, line);
    end = start;
    while (end < len && text[end] != '\n')
        end++;
    FUZZ_ASSERT(err->column >= 1 && err->column <= end - start + 1,
                "column %zu of a line of %zu bytes", err->column,
                end - start);
    FUZZ_ASSERT(err->index == err->line - 1 && err->offset == err->column - 1,
                "index %zu / offset %zu for line %zu column %zu", err->index,
                err->offset, err->line, err->column);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sep[] = "\n%%\n";
    const uint8_t *rest = NULL;
    size_t len = size, i;
    char *text;
    authz_catalog *cat, *again;
    authz_error err, err2;
    authz_options opts;
    authz_allocator alloc;
    fz_alloc st;
    uint64_t h = fz_hash(data, size);

    for (i = 0; i + 4 <= size; i++) {
        if (memcmp(data + i, sep, 4) == 0) {
            len = i + 1; /* the catalog keeps its last newline */
            rest = data + i + 4;
            break;
        }
    }
    text = len != 0 ? fz_xmalloc(len) : NULL;
    if (len != 0)
        memcpy(text, data, len);

    memset(&st, 0, sizeof st);
    alloc = fz_allocator(&st);
    authz_options_init(&opts);
    opts.allocator = &alloc;
    memset(&err, 0xa5, sizeof err);
    cat = authz_catalog_parse_ex(text, len, &opts, &err);

    /* The same text without options: the same outcome. Skipped for long
     * texts, where a second parse would halve the execution rate. */
    if (len < 512) {
        again = authz_catalog_parse(text, len, &err2);
        FUZZ_ASSERT((again == NULL) == (cat == NULL),
                    "parse and parse_ex disagree");
        if (cat == NULL)
            FUZZ_ASSERT(err.code == err2.code && err.line == err2.line &&
                            err.column == err2.column,
                        "two parses, two errors");
        authz_catalog_free(again);
    }

    if (cat == NULL) {
        assert_parse_error(&err, text, len);
    } else {
        struct sem s;
        struct text t;
        FUZZ_ASSERT(err.code == AUTHZ_OK, "catalog with code %d", err.code);
        t.p = text;
        t.n = len;
        s.cat = cat;
        s.text = t;
        s.types_seen = 0;
        n_public = 0;
        public_overflow = false;
        each_line(t, "public", collect_public, NULL);
        s.star = token1(cat, "*:*", "*:*");
        each_line(t, "type", check_type, &s);
        authz_token_free(s.star);
        FUZZ_ASSERT(s.types_seen > 0 || len == 0, "a catalog without types");
        each_line(t, "scope", check_scope_line, &s);
        each_line(t, "alias", check_scope_line, &s);
        if (rest != NULL)
            token_half(cat, t, rest, size - (size_t)(rest - data));
        authz_catalog_free(cat);
    }
    FUZZ_ASSERT(st.live == 0, "%zu allocations leaked", st.live);

    /* Fail one allocation of the parse that just ran (for one input in
     * four: the fuzzer tries each input many times, with other N). */
    if (st.calls > 0 && (h >> 60) % 4 == 0) {
        size_t calls = st.calls;
        memset(&st, 0, sizeof st);
        st.fail_at = 1 + (size_t)(h % calls);
        cat = authz_catalog_parse_ex(text, len, &opts, &err);
        FUZZ_ASSERT(cat == NULL && err.code == AUTHZ_ENOMEM && st.failed,
                    "allocation %zu of %zu failed: catalog %p, code %d",
                    st.fail_at, calls, (void *)cat, err.code);
        FUZZ_ASSERT(st.live == 0, "%zu allocations leaked after failing "
                                  "allocation %zu", st.live, st.fail_at);
    }
    authz_catalog_free(NULL);
    free(text);
    return 0;
}
