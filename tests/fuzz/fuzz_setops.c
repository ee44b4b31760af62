/*
 * fuzz_setops.c - the set operations (docs/SPEC.md 5): authz_scopes_normalize,
 * authz_allow_normalize, authz_scopes_cover, authz_allow_union and
 * authz_allow_intersect, on two scope lists X and Y and two allow lists X
 * and Y.
 *
 * Input: lines, tagged by their first byte (the framing of fuzz.h, with a
 * second list of each kind and an options line):
 *     S<scope>   s<scope>       scope lists X and Y
 *     A<entry>   a<entry>       allow lists X and Y
 *     Q<resource> <id> <action> a request
 *     O<f><n>                   byte f: bit 0 AUTHZ_PUBLIC, bit 1 small
 *                               limits (4 scopes, 4 allow entries, 48 bytes
 *                               an entry), other bits ignored; byte n, when
 *                               not 0: each operation runs once more with
 *                               its n-th allocation failing
 *
 * Invariants:
 *   - an operation fails exactly when authz_token_new_ex() refuses the same
 *     list under the same options, with the same error record (code, index,
 *     offset; the second list of a pair reports AUTHZ_LIST_SCOPES2 /
 *     AUTHZ_LIST_ALLOW2, and list counts are checked before entries); with
 *     default options, the reference model gives the same code;
 *   - a normal form is sorted, has no duplicates and is a fixed point;
 *     scopes hold no alias; allow lists are `[*:*]` or hold no `*:*`, no
 *     `T:<id>` beside `T:*`, and every id in lower-case 8-4-4-4-12 form;
 *     it is what authz_token_scopes / authz_token_allow return, and a token
 *     built from it decides like the original: the same grant for every
 *     (type, action) of the catalog, the same admission for every request;
 *   - union admits what X or Y admits, intersection what X and Y both
 *     admit (decided by the reference model, and by a library token built
 *     from the result); both commute, X op X is the normal form of X, `*:*`
 *     is the identity of intersection, and a union is no longer than the
 *     two normal forms together;
 *   - X covers Y only if every (type, action) that Y grants is granted by
 *     X (a list of today's actions does not cover a wildcard), and each
 *     one missing is reported; every reported missing grant is one Y makes
 *     and X does not; covering is reflexive, X + Y covers Y, a list and its
 *     normal form cover each other, `coder:all` covers every list, every
 *     list covers the empty one, and the empty list covers no list that
 *     grants anything; a failed call leaves *covered false and *missing
 *     NULL, as the header promises;
 *   - an allocation failure returns AUTHZ_ENOMEM and leaks nothing; an
 *     operation whose allocations all succeed gives the same result.
 */
#include "fuzz.h"

#define FZ_MAX_LIST (FZ_MAX_SCOPES > FZ_MAX_ALLOW ? FZ_MAX_SCOPES : FZ_MAX_ALLOW)
#define SMALL_LIMIT 4
#define SMALL_ENTRY_LEN 48
/* Entries of each allow list whose types and ids make requests. */
#define DERIVE 3

typedef struct fz_list {
    fz_bytes e[FZ_MAX_LIST];
    authz_str s[FZ_MAX_LIST];
    const char *model[FZ_MAX_LIST];
    size_t n;
} fz_list;

/* A request as the model sees it (NULL: a missing argument). */
typedef struct req {
    const char *r, *id, *a;
} req;

#define MAX_REQS (FZ_MAX_REQUESTS + 4 * DERIVE * 2 * DERIVE + 16)

static struct input {
    fz_list sx, sy, ax, ay;
    fz_request q[FZ_MAX_REQUESTS];
    size_t n_q;
    unsigned flags, fail_at;
    /* Derived requests and the strings they point into. */
    req reqs[MAX_REQS];
    size_t n_reqs;
    char names[4 * DERIVE][300], ids[4 * DERIVE][300];
} in;

static const authz_catalog *cat;

/* ---- input -------------------------------------------------------------- */

static void list_add(fz_list *l, const uint8_t *p, size_t n)
{
    if (l->n < FZ_MAX_LIST)
        fz_bytes_set(&l->e[l->n++], p, n);
}

static void parse(const uint8_t *data, size_t size)
{
    size_t pos = 0, len, i;
    const uint8_t *line;
    fz_list *lists[4] = {&in.sx, &in.sy, &in.ax, &in.ay};
    in.sx.n = in.sy.n = in.ax.n = in.ay.n = in.n_q = 0;
    in.flags = in.fail_at = 0;
    while (fz_next_line(data, size, &pos, &line, &len)) {
        switch (line[0]) {
        case 'S': list_add(&in.sx, line + 1, len - 1); break;
        case 's': list_add(&in.sy, line + 1, len - 1); break;
        case 'A': list_add(&in.ax, line + 1, len - 1); break;
        case 'a': list_add(&in.ay, line + 1, len - 1); break;
        case 'Q':
            if (in.n_q < FZ_MAX_REQUESTS)
                fz_request_set(&in.q[in.n_q++], line + 1, len - 1);
            break;
        case 'O':
            in.flags = len > 1 ? line[1] & 3u : 0;
            in.fail_at = len > 2 ? line[2] : 0;
            break;
        default:
            break;
        }
    }
    for (i = 0; i < 4; i++) {
        size_t k;
        fz_strs(lists[i]->e, lists[i]->n, lists[i]->s);
        for (k = 0; k < lists[i]->n; k++)
            lists[i]->model[k] = lists[i]->e[k].model;
    }
}

static void input_free(void)
{
    fz_list *lists[4] = {&in.sx, &in.sy, &in.ax, &in.ay};
    size_t i, k;
    for (i = 0; i < 4; i++)
        for (k = 0; k < lists[i]->n; k++)
            fz_bytes_free(&lists[i]->e[k]);
    for (i = 0; i < in.n_q; i++)
        fz_request_free(&in.q[i]);
}

/* The list's entries, NULL for an empty list (a NULL array with count 0
 * is valid and must be handled). */
static const authz_str *strs(const fz_list *l)
{
    return l->n != 0 ? l->s : NULL;
}

/* The options of the O line. */
static void make_opts(authz_options *o, unsigned flags,
                      const authz_allocator *alloc)
{
    authz_options_init(o);
    if (flags & 1)
        o->flags = AUTHZ_PUBLIC;
    if (flags & 2) {
        o->max_allow = SMALL_LIMIT;
        o->max_scopes = SMALL_LIMIT;
        o->max_entry_len = SMALL_ENTRY_LEN;
    }
    o->allocator = alloc;
}

/* The options a result of n entries is read back with: limits apply to
 * inputs, and a result may be longer than its input (a 32-digit id gains
 * four dashes) or hold more entries (a union up to n_x + n_y; an
 * intersection up to about n_x * n_y, as each `*:<id>` of one list meets
 * each `T:*` of the other). */
static void make_read_opts(authz_options *o, unsigned flags, size_t n)
{
    authz_options_init(o);
    if (flags & 1)
        o->flags = AUTHZ_PUBLIC;
    o->max_allow = n > AUTHZ_DEFAULT_MAX_ALLOW ? n : 0;
}

/* ---- lists -------------------------------------------------------------- */

static bool lists_equal(const authz_list *a, const authz_list *b)
{
    size_t i, n = authz_list_count(a);
    if (n != authz_list_count(b))
        return false;
    for (i = 0; i < n; i++)
        if (strcmp(authz_list_get(a, i), authz_list_get(b, i)) != 0)
            return false;
    return true;
}

/* authz_str views and C strings of a result list, in one heap block. */
typedef struct view {
    authz_str *s;
    const char **c;
    size_t n;
} view;

static view view_of(const authz_list *l)
{
    view v;
    size_t i;
    v.n = authz_list_count(l);
    v.s = fz_xmalloc((v.n + 1) * (sizeof *v.s + sizeof *v.c));
    v.c = (const char **)(void *)(v.s + v.n + 1);
    for (i = 0; i < v.n; i++) {
        v.c[i] = authz_list_get(l, i);
        v.s[i].ptr = v.c[i];
        v.s[i].len = strlen(v.c[i]);
    }
    return v;
}

/* Strictly ascending: sorted without duplicates. Scope lists and missing
 * grants sort by bytes; allow lists by (type, id), which for the
 * `type:id` text is the byte order of the type, then of the id. */
static void assert_sorted(const authz_list *l, bool by_type, const char *what)
{
    size_t i, n = authz_list_count(l);
    for (i = 1; i < n; i++) {
        const char *p = authz_list_get(l, i - 1), *q = authz_list_get(l, i);
        int c;
        if (by_type) {
            size_t pn = strcspn(p, ":"), qn = strcspn(q, ":");
            c = memcmp(p, q, pn < qn ? pn : qn);
            if (c == 0)
                c = pn < qn ? -1 : pn > qn ? 1 : strcmp(p + pn, q + qn);
        } else {
            c = strcmp(p, q);
        }
        FUZZ_ASSERT(c < 0, "%s not strictly sorted at %zu: \"%s\", \"%s\"",
                    what, i, p, q);
    }
}

/* docs/SPEC.md 6.2: the aliases, which a normal form replaces. */
static void assert_no_alias(const authz_list *l, const char *what)
{
    size_t i;
    for (i = 0; i < authz_list_count(l); i++) {
        const char *e = authz_list_get(l, i);
        FUZZ_ASSERT(strcmp(e, "all") != 0 &&
                        strcmp(e, "application_connect") != 0,
                    "%s: alias \"%s\" in a normal form", what, e);
    }
}

/* An id in normal form: `*`, or 36 lower-case hex digits and dashes in the
 * 8-4-4-4-12 layout. */
static bool id_is_normal(const char *id)
{
    size_t i;
    if (strcmp(id, "*") == 0)
        return true;
    if (strlen(id) != 36)
        return false;
    for (i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = id[i];
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

/* The shape of an allow list in normal form (docs/SPEC.md 3): `[*:*]` alone, or
 * no `*:*`; no `T:<id>` beside a `T:*`; every id normal. */
static void assert_allow_shape(const authz_list *l, const char *what)
{
    size_t i, j, n = authz_list_count(l);
    for (i = 0; i < n; i++) {
        const char *e = authz_list_get(l, i);
        size_t tn = strcspn(e, ":");
        FUZZ_ASSERT(e[tn] == ':' && id_is_normal(e + tn + 1),
                    "%s: entry \"%s\" not in normal form", what, e);
        FUZZ_ASSERT(strcmp(e, "*:*") != 0 || n == 1,
                    "%s: `*:*` beside %zu other entries", what, n - 1);
        if (tn == 1 && e[0] == '*')
            continue; /* `*:<id>` is absorbed only by `*:*` */
        if (strcmp(e + tn + 1, "*") != 0)
            continue;
        for (j = 0; j < n; j++) { /* `T:*`: no `T:<id>` may follow */
            const char *f = authz_list_get(l, j);
            FUZZ_ASSERT(j == i || strncmp(f, e, tn + 1) != 0,
                        "%s: \"%s\" beside \"%s\"", what, f, e);
        }
    }
}

/* ---- errors ------------------------------------------------------------- */

static void assert_error(const authz_error *got, const authz_error *want,
                         int list, const char *what)
{
    int want_list = want->list == AUTHZ_LIST_NONE ? AUTHZ_LIST_NONE : list;
    FUZZ_ASSERT(got->code != AUTHZ_OK && got->code == want->code &&
                    got->list == want_list && got->index == want->index &&
                    (got->code == AUTHZ_ELIMIT || got->offset == want->offset),
                "%s: code %d list %d index %zu offset %zu (%s); expected "
                "code %d list %d index %zu offset %zu (%s)",
                what, got->code, got->list, got->index, got->offset,
                got->message, want->code, want_list, want->index,
                want->offset, want->message);
    FUZZ_ASSERT(strcmp(authz_strerror(got->code), "unknown error") != 0,
                "%s: code %d has no text", what, got->code);
    fz_assert_message(got);
}

/* The error of an operation on lists X and Y, from the errors each list
 * gets alone: counts first (X, then Y), then entries (X, then Y). */
static const authz_error *pair_error(const fz_list *x, const fz_list *y,
                                     size_t max, const authz_error *ex,
                                     const authz_error *ey, int *list_x)
{
    if (x->n > max || (ex->code != AUTHZ_OK && y->n <= max)) {
        *list_x = 1;
        return ex;
    }
    *list_x = 0;
    return ey;
}

/* ---- the catalog's (type, action) pairs --------------------------------- */

#define MAX_PAIRS 4096
static size_t n_pairs, n_types;
static size_t pair_type[MAX_PAIRS], first_pair[512], pairs_of[512];
static const char *pair_r[MAX_PAIRS], *pair_a[MAX_PAIRS];

static void pairs_init(void)
{
    size_t t, a;
    n_types = authz_catalog_type_count(cat);
    FUZZ_ASSERT(n_types < 512, "%zu types", n_types);
    for (t = 0; t < n_types; t++) {
        first_pair[t] = n_pairs;
        pairs_of[t] = authz_catalog_action_count(cat, t);
        for (a = 0; a < pairs_of[t]; a++) {
            FUZZ_ASSERT(n_pairs < MAX_PAIRS, "too many pairs");
            pair_type[n_pairs] = t;
            pair_r[n_pairs] = authz_catalog_type_name(cat, t);
            pair_a[n_pairs] = authz_catalog_action_name(cat, t, a);
            n_pairs++;
        }
    }
}

static bool find_type(const char *name, size_t n, size_t *t)
{
    for (*t = 0; *t < n_types; (*t)++)
        if (strlen(pair_r[first_pair[*t]]) == n &&
            memcmp(pair_r[first_pair[*t]], name, n) == 0)
            return true;
    return false;
}

/* What a scope token grants, pair by pair. */
static void grants_of(const authz_token *t, bool *g)
{
    size_t p;
    for (p = 0; p < n_pairs; p++)
        g[p] = authz_token_grants(t, pair_r[p], pair_a[p]);
}

/* ---- scope lists -------------------------------------------------------- */

static const authz_str STAR_STAR[] = {{"*:*", 3}};
static const authz_str CODER_ALL[] = {{"coder:all", 9}};
static const char *const STAR_STAR_C[] = {"*:*"};
static const char *const CODER_ALL_C[] = {"coder:all"};

struct scopes_result {
    authz_list *norm;
    authz_token *tok; /* the list with allow list `*:*` */
    authz_error err;
    bool grants[MAX_PAIRS];
};

static void scopes_one(const fz_list *l, const authz_options *opts,
                       const authz_options *read, struct scopes_result *out,
                       const char *what)
{
    authz_error terr;
    authz_list *again, *from_tok;
    authz_token *t2;
    bool g2[MAX_PAIRS];
    view v;
    size_t p;

    out->norm = authz_scopes_normalize(cat, strs(l), l->n, opts, &out->err);
    out->tok = authz_token_new_ex(cat, strs(l), l->n, STAR_STAR, 1, opts,
                                  &terr);
    if (in.flags == 0) {
        int code = -1;
        ref_token *m = ref_token_new(l->model, l->n, STAR_STAR_C, 1,
                                     REF_DEFAULT_MAX_ALLOW, &code);
        FUZZ_ASSERT((m != NULL) == (out->tok != NULL) &&
                        (m != NULL || code == terr.code),
                    "%s: model code %d, library code %d", what, code,
                    out->tok != NULL ? 0 : terr.code);
        ref_token_free(m);
    }
    if (out->norm == NULL) {
        FUZZ_ASSERT(out->tok == NULL, "%s: normalize refuses (code %d) what "
                    "a token accepts", what, out->err.code);
        assert_error(&out->err, &terr, AUTHZ_LIST_SCOPES, what);
        return;
    }
    FUZZ_ASSERT(out->tok != NULL, "%s: normalize accepts what a token "
                "refuses (code %d, %s)", what, terr.code, terr.message);
    FUZZ_ASSERT(out->err.code == AUTHZ_OK, "%s: success with code %d", what,
                out->err.code);
    assert_sorted(out->norm, false, what);
    assert_no_alias(out->norm, what);
    FUZZ_ASSERT(authz_list_count(out->norm) <= l->n, "%s: %zu scopes from %zu",
                what, authz_list_count(out->norm), l->n);

    from_tok = authz_token_scopes(out->tok, &terr);
    FUZZ_ASSERT(from_tok != NULL && lists_equal(from_tok, out->norm),
                "%s: authz_token_scopes differs from the normal form", what);
    authz_list_free(from_tok);

    v = view_of(out->norm);
    again = authz_scopes_normalize(cat, v.s, v.n, read, &terr);
    FUZZ_ASSERT(again != NULL && lists_equal(again, out->norm),
                "%s: the normal form is not a fixed point (code %d)", what,
                terr.code);
    authz_list_free(again);

    grants_of(out->tok, out->grants);
    t2 = authz_token_new_ex(cat, v.s, v.n, STAR_STAR, 1, read, &terr);
    FUZZ_ASSERT(t2 != NULL, "%s: normal form refused (code %d, %s)", what,
                terr.code, terr.message);
    grants_of(t2, g2);
    for (p = 0; p < n_pairs; p++)
        FUZZ_ASSERT(g2[p] == out->grants[p],
                    "%s: normal form grants %s:%s %d, the list %d", what,
                    pair_r[p], pair_a[p], g2[p], out->grants[p]);
    authz_token_free(t2);
    free(v.s);
}

/* Is `m` ("T:A", "T:*" or "*:*") a grant the missing list may report for
 * pair p? */
static bool missing_names(const authz_list *missing, size_t p)
{
    size_t i, rn = strlen(pair_r[p]);
    for (i = 0; i < authz_list_count(missing); i++) {
        const char *m = authz_list_get(missing, i);
        if (strcmp(m, "*:*") == 0)
            return true;
        if (strncmp(m, pair_r[p], rn) == 0 && m[rn] == ':' &&
            (strcmp(m + rn + 1, "*") == 0 || strcmp(m + rn + 1, pair_a[p]) == 0))
            return true;
    }
    return false;
}

static void assert_covers(const authz_str *have, size_t n_have,
                          const authz_str *want, size_t n_want,
                          const authz_options *opts, const char *what)
{
    bool covered = false;
    authz_error err;
    int rc = authz_scopes_cover(cat, have, n_have, want, n_want, &covered,
                                NULL, opts, &err);
    FUZZ_ASSERT(rc == AUTHZ_OK && covered, "%s: rc %d, covered %d (%s)", what,
                rc, covered, err.message);
}

static void cover_check(const struct scopes_result *x,
                        const struct scopes_result *y,
                        const authz_options *opts, const authz_options *read)
{
    bool covered = true, covered2 = true;
    /* A sentinel the call must overwrite, with NULL on failure. */
    authz_list *missing = (authz_list *)&missing;
    authz_error err, err2;
    int rc = authz_scopes_cover(cat, strs(&in.sx), in.sx.n, strs(&in.sy),
                                in.sy.n, &covered, &missing, opts, &err);
    int rc2 = authz_scopes_cover(cat, strs(&in.sx), in.sx.n, strs(&in.sy),
                                 in.sy.n, &covered2, NULL, opts, &err2);
    size_t max = in.flags & 2 ? SMALL_LIMIT : AUTHZ_DEFAULT_MAX_SCOPES;
    size_t p, i;
    bool all = true;

    FUZZ_ASSERT(rc == err.code && rc2 == rc, "cover: rc %d / %d, code %d",
                rc, rc2, err.code);
    if (x->norm == NULL || y->norm == NULL) {
        int is_x;
        const authz_error *want =
            pair_error(&in.sx, &in.sy, max, &x->err, &y->err, &is_x);
        FUZZ_ASSERT(missing == NULL && !covered && !covered2,
                    "cover: a failed call left results");
        assert_error(&err, want,
                     is_x ? AUTHZ_LIST_SCOPES : AUTHZ_LIST_SCOPES2, "cover");
        assert_error(&err2, want,
                     is_x ? AUTHZ_LIST_SCOPES : AUTHZ_LIST_SCOPES2, "cover");
        return;
    }
    FUZZ_ASSERT(rc == AUTHZ_OK && missing != NULL &&
                    missing != (authz_list *)&missing,
                "cover: rc %d (%s)", rc,
                err.message);
    FUZZ_ASSERT(covered == covered2, "cover: %d with missing, %d without",
                covered, covered2);
    FUZZ_ASSERT(covered == (authz_list_count(missing) == 0),
                "cover: covered %d with %zu missing", covered,
                authz_list_count(missing));
    assert_sorted(missing, false, "missing");

    for (p = 0; p < n_pairs; p++) {
        all = all && y->grants[p];
        if (y->grants[p] && !x->grants[p])
            FUZZ_ASSERT(!covered && missing_names(missing, p),
                        "cover: Y grants %s:%s, X does not, yet covered %d "
                        "and not reported", pair_r[p], pair_a[p], covered);
    }
    for (i = 0; i < authz_list_count(missing); i++) {
        const char *m = authz_list_get(missing, i);
        size_t tn = strcspn(m, ":"), t;
        if (strcmp(m, "*:*") == 0) {
            FUZZ_ASSERT(all, "cover: \"*:*\" missing, but Y does not grant "
                             "everything");
            continue;
        }
        FUZZ_ASSERT(m[tn] == ':' && find_type(m, tn, &t),
                    "cover: missing \"%s\" names no type", m);
        for (p = first_pair[t]; p < first_pair[t] + pairs_of[t]; p++) {
            if (strcmp(m + tn + 1, "*") == 0) {
                FUZZ_ASSERT(y->grants[p], "cover: \"%s\" missing, but Y "
                            "does not grant %s", m, pair_a[p]);
            } else if (strcmp(m + tn + 1, pair_a[p]) == 0) {
                FUZZ_ASSERT(y->grants[p] && !x->grants[p],
                            "cover: \"%s\" missing, but Y grants %d, X %d", m,
                            y->grants[p], x->grants[p]);
                break;
            }
        }
        FUZZ_ASSERT(strcmp(m + tn + 1, "*") == 0 ||
                        p < first_pair[t] + pairs_of[t],
                    "cover: missing \"%s\" names no action", m);
    }
    authz_list_free(missing);

    /* Reflexive; X + Y covers Y; a list and its normal form, both ways. */
    assert_covers(strs(&in.sx), in.sx.n, strs(&in.sx), in.sx.n, opts,
                  "X covers X");
    assert_covers(strs(&in.sy), in.sy.n, strs(&in.sy), in.sy.n, opts,
                  "Y covers Y");
    if (in.sx.n + in.sy.n <= max) {
        authz_str both[2 * FZ_MAX_LIST];
        memcpy(both, in.sx.s, in.sx.n * sizeof *both);
        memcpy(both + in.sx.n, in.sy.s, in.sy.n * sizeof *both);
        assert_covers(both, in.sx.n + in.sy.n, strs(&in.sy), in.sy.n, opts,
                      "X + Y covers Y");
    }
    {
        view v = view_of(x->norm);
        assert_covers(v.s, v.n, strs(&in.sx), in.sx.n, read,
                      "normal form covers X");
        assert_covers(strs(&in.sx), in.sx.n, v.s, v.n, read,
                      "X covers its normal form");
        free(v.s);
    }
    /* `coder:all` covers every list; every list covers the empty one; the
     * empty list covers no list that grants something. */
    assert_covers(CODER_ALL, 1, strs(&in.sy), in.sy.n, opts,
                  "coder:all covers Y");
    assert_covers(strs(&in.sx), in.sx.n, NULL, 0, opts, "X covers nothing");
    {
        bool grants = false;
        for (p = 0; p < n_pairs && !grants; p++)
            grants = y->grants[p];
        covered = !grants;
        rc = authz_scopes_cover(cat, NULL, 0, strs(&in.sy), in.sy.n,
                                &covered, NULL, opts, &err);
        FUZZ_ASSERT(rc == AUTHZ_OK && (!grants || !covered),
                    "the empty list covers Y, which grants: rc %d", rc);
    }
}

/* ---- allow lists -------------------------------------------------------- */

struct allow_result {
    authz_list *norm;
    authz_error err;
    ref_token *model; /* `coder:all` with the list */
};

/* The model's token for `coder:all` and an allow list (its limit raised to
 * the list's length: results may be longer than inputs). */
static ref_token *model_of(const char *const *entries, size_t n,
                           const char *what)
{
    int code = -1;
    ref_token *m = ref_token_new(CODER_ALL_C, 1, entries, n,
                                 n > REF_DEFAULT_MAX_ALLOW ? n
                                                           : REF_DEFAULT_MAX_ALLOW,
                                 &code);
    FUZZ_ASSERT(m != NULL, "%s: the model refuses a result (code %d)", what,
                code);
    return m;
}

static bool admits(const ref_token *m, const req *q)
{
    return ref_check(m, q->r, q->id, q->a);
}

/* Requests: the input's, and for the first entries of both lists, each
 * catalog type named with each id named (with the type's first action),
 * and each type with no id. */
static void derive_requests(void)
{
    const fz_list *lists[2] = {&in.ax, &in.ay};
    size_t n_names = 0, n_ids = 0, i, j, k;
    in.n_reqs = 0;
    for (i = 0; i < in.n_q; i++) {
        req *q = &in.reqs[in.n_reqs++];
        q->r = fz_model(&in.q[i].resource);
        q->id = fz_model(&in.q[i].id);
        q->a = fz_model(&in.q[i].action);
    }
    for (k = 0; k < 2; k++) {
        for (i = 0; i < lists[k]->n && i < DERIVE; i++) {
            const char *e = lists[k]->e[i].model;
            size_t tn = strcspn(e, ":"), t;
            if (find_type(e, tn, &t) && pairs_of[t] != 0) {
                /* A type name at most 255 bytes: the model string fits. */
                snprintf(in.names[n_names++], sizeof in.names[0], "%.*s",
                         (int)tn, e);
            }
            if (e[tn] == ':')
                snprintf(in.ids[n_ids++], sizeof in.ids[0], "%s", e + tn + 1);
        }
    }
    /* Two fixed types, so that `*:<id>` entries meet a type. */
    snprintf(in.names[n_names++], sizeof in.names[0], "workspace");
    snprintf(in.names[n_names++], sizeof in.names[0], "template");
    for (i = 0; i < n_names; i++) {
        size_t t;
        const char *action;
        find_type(in.names[i], strlen(in.names[i]), &t);
        action = pair_a[first_pair[t]];
        for (j = 0; j <= n_ids; j++) {
            req *q = &in.reqs[in.n_reqs++];
            q->r = in.names[i];
            q->id = j < n_ids ? in.ids[j] : NULL;
            q->a = action;
        }
    }
}

static void allow_one(const fz_list *l, const authz_options *opts,
                      struct allow_result *out, const char *what)
{
    authz_options read;
    authz_error terr;
    authz_token *tok;
    authz_list *again, *from_tok;
    ref_token *mn;
    view v;
    size_t i;

    out->model = NULL;
    out->norm = authz_allow_normalize(cat, strs(l), l->n, opts, &out->err);
    tok = authz_token_new_ex(cat, CODER_ALL, 1, strs(l), l->n, opts, &terr);
    if (in.flags == 0) {
        int code = -1;
        ref_token *m = ref_token_new(CODER_ALL_C, 1, l->model, l->n,
                                     REF_DEFAULT_MAX_ALLOW, &code);
        FUZZ_ASSERT((m != NULL) == (tok != NULL) &&
                        (m != NULL || code == terr.code),
                    "%s: model code %d, library code %d", what, code,
                    tok != NULL ? 0 : terr.code);
        ref_token_free(m);
    }
    if (out->norm == NULL) {
        FUZZ_ASSERT(tok == NULL, "%s: normalize refuses (code %d) what a "
                    "token accepts", what, out->err.code);
        assert_error(&out->err, &terr, AUTHZ_LIST_ALLOW, what);
        return;
    }
    FUZZ_ASSERT(tok != NULL, "%s: normalize accepts what a token refuses "
                "(code %d, %s)", what, terr.code, terr.message);
    FUZZ_ASSERT(out->err.code == AUTHZ_OK, "%s: success with code %d", what,
                out->err.code);
    assert_sorted(out->norm, true, what);
    assert_allow_shape(out->norm, what);
    FUZZ_ASSERT(authz_list_count(out->norm) <= l->n, "%s: %zu entries from %zu",
                what, authz_list_count(out->norm), l->n);

    from_tok = authz_token_allow(tok, &terr);
    FUZZ_ASSERT(from_tok != NULL && lists_equal(from_tok, out->norm),
                "%s: authz_token_allow differs from the normal form", what);
    authz_list_free(from_tok);

    v = view_of(out->norm);
    make_read_opts(&read, in.flags, v.n);
    again = authz_allow_normalize(cat, v.s, v.n, &read, &terr);
    FUZZ_ASSERT(again != NULL && lists_equal(again, out->norm),
                "%s: the normal form is not a fixed point (code %d)", what,
                terr.code);
    authz_list_free(again);

    /* The list decides like its normal form, and the library like the
     * model, on every request. */
    out->model = model_of(l->model, l->n, what);
    mn = model_of(v.c, v.n, what);
    for (i = 0; i < in.n_reqs; i++) {
        const req *q = &in.reqs[i];
        bool m = admits(out->model, q);
        FUZZ_ASSERT(admits(mn, q) == m,
                    "%s: normal form %d, list %d on (%s, %s, %s)", what, !m, m,
                    q->r ? q->r : "(null)", q->id ? q->id : "(null)",
                    q->a ? q->a : "(null)");
        FUZZ_ASSERT(authz_check(tok, q->r, q->id, q->a) == m,
                    "%s: check %d, model %d on (%s, %s, %s)", what, !m, m,
                    q->r ? q->r : "(null)", q->id ? q->id : "(null)",
                    q->a ? q->a : "(null)");
    }
    ref_token_free(mn);
    authz_token_free(tok);
    free(v.s);
}

typedef authz_list *(*pair_op)(const authz_catalog *, const authz_str *,
                               size_t, const authz_str *, size_t,
                               const authz_options *, authz_error *);

/* Union (admits what X or Y admits) or intersection (what both admit). */
static void pair_check(pair_op op, bool is_union, const struct allow_result *x,
                       const struct allow_result *y, const authz_options *opts,
                       const char *what)
{
    authz_options read;
    authz_error err, e2;
    authz_token *tok;
    authz_list *r = op(cat, strs(&in.ax), in.ax.n, strs(&in.ay), in.ay.n,
                       opts, &err);
    authz_list *r2, *again;
    size_t max = in.flags & 2 ? SMALL_LIMIT : AUTHZ_DEFAULT_MAX_ALLOW;
    ref_token *m;
    view v;
    size_t i;

    if (x->norm == NULL || y->norm == NULL) {
        int is_x;
        const authz_error *want =
            pair_error(&in.ax, &in.ay, max, &x->err, &y->err, &is_x);
        FUZZ_ASSERT(r == NULL, "%s: a result from an invalid list", what);
        assert_error(&err, want, is_x ? AUTHZ_LIST_ALLOW : AUTHZ_LIST_ALLOW2,
                     what);
        return;
    }
    FUZZ_ASSERT(r != NULL && err.code == AUTHZ_OK, "%s: code %d (%s)", what,
                err.code, err.message);
    assert_sorted(r, true, what);
    assert_allow_shape(r, what);
    if (is_union)
        FUZZ_ASSERT(authz_list_count(r) <= authz_list_count(x->norm) +
                                               authz_list_count(y->norm),
                    "union: %zu entries from %zu and %zu", authz_list_count(r),
                    authz_list_count(x->norm), authz_list_count(y->norm));

    /* Commutes. */
    r2 = op(cat, strs(&in.ay), in.ay.n, strs(&in.ax), in.ax.n, opts, &e2);
    FUZZ_ASSERT(r2 != NULL && lists_equal(r, r2), "%s: Y op X differs", what);
    authz_list_free(r2);
    /* X op X is the normal form of X. */
    r2 = op(cat, strs(&in.ax), in.ax.n, strs(&in.ax), in.ax.n, opts, &e2);
    FUZZ_ASSERT(r2 != NULL && lists_equal(r2, x->norm),
                "%s: X op X is not the normal form of X", what);
    authz_list_free(r2);
    if (!is_union) {
        r2 = op(cat, strs(&in.ax), in.ax.n, STAR_STAR, 1, opts, &e2);
        FUZZ_ASSERT(r2 != NULL && lists_equal(r2, x->norm),
                    "%s: X and *:* is not the normal form of X", what);
        authz_list_free(r2);
    }

    v = view_of(r);
    make_read_opts(&read, in.flags, v.n);
    again = authz_allow_normalize(cat, v.s, v.n, &read, &e2);
    FUZZ_ASSERT(again != NULL && lists_equal(again, r),
                "%s: the result is not in normal form (code %d)", what,
                e2.code);
    authz_list_free(again);

    /* The result decides as the truth table says, in the model and in a
     * library token built from it. */
    m = model_of(v.c, v.n, what);
    tok = authz_token_new_ex(cat, CODER_ALL, 1, v.s, v.n, &read, &e2);
    FUZZ_ASSERT(tok != NULL, "%s: a token refuses the result (code %d, %s)",
                what, e2.code, e2.message);
    for (i = 0; i < in.n_reqs; i++) {
        const req *q = &in.reqs[i];
        bool ax = admits(x->model, q), ay = admits(y->model, q);
        bool want = is_union ? (ax || ay) : (ax && ay);
        FUZZ_ASSERT(admits(m, q) == want &&
                        authz_check(tok, q->r, q->id, q->a) == want,
                    "%s: model %d, library %d, but X %d and Y %d on "
                    "(%s, %s, %s)", what, admits(m, q),
                    authz_check(tok, q->r, q->id, q->a), ax, ay,
                    q->r ? q->r : "(null)", q->id ? q->id : "(null)",
                    q->a ? q->a : "(null)");
    }
    authz_token_free(tok);
    ref_token_free(m);
    free(v.s);
    authz_list_free(r);
}

/* ---- allocation failure ------------------------------------------------- */

enum { OP_NORM_SCOPES, OP_NORM_ALLOW, OP_UNION, OP_INTERSECT, OP_COVER,
       N_OPS };

/* Runs operation `op` under `opts`: the list it returns (for cover, the
 * missing grants), its error record in *err, and for cover the answer in
 * *covered (false for the others). */
static authz_list *run_op(int op, const authz_options *opts, authz_error *err,
                          bool *covered)
{
    authz_list *l = NULL;
    *covered = false;
    switch (op) {
    case OP_NORM_SCOPES:
        l = authz_scopes_normalize(cat, strs(&in.sx), in.sx.n, opts, err);
        break;
    case OP_NORM_ALLOW:
        l = authz_allow_normalize(cat, strs(&in.ax), in.ax.n, opts, err);
        break;
    case OP_UNION:
        l = authz_allow_union(cat, strs(&in.ax), in.ax.n, strs(&in.ay),
                              in.ay.n, opts, err);
        break;
    case OP_INTERSECT:
        l = authz_allow_intersect(cat, strs(&in.ax), in.ax.n, strs(&in.ay),
                                  in.ay.n, opts, err);
        break;
    default: {
        int code = authz_scopes_cover(cat, strs(&in.sx), in.sx.n,
                                      strs(&in.sy), in.sy.n, covered, &l,
                                      opts, err);
        FUZZ_ASSERT(code == err->code, "cover returned %d, err %d", code,
                    err->code);
        break;
    }
    }
    FUZZ_ASSERT((l != NULL) == (err->code == AUTHZ_OK),
                "op %d: list %p with code %d", op, (void *)l, err->code);
    return l;
}

static void alloc_failure(void)
{
    int op;
    for (op = 0; op < N_OPS; op++) {
        authz_options plain, failing;
        authz_allocator a;
        fz_alloc state;
        authz_list *want, *got;
        authz_error want_err, err;
        bool want_covered, covered;
        int want_code, code;

        make_opts(&plain, in.flags, NULL);
        want = run_op(op, &plain, &want_err, &want_covered);
        want_code = want_err.code;
        memset(&state, 0, sizeof state);
        state.fail_at = in.fail_at;
        a = fz_allocator(&state);
        make_opts(&failing, in.flags, &a);
        got = run_op(op, &failing, &err, &covered);
        code = err.code;
        if (state.failed && want_code == AUTHZ_OK) {
            FUZZ_ASSERT(got == NULL && code == AUTHZ_ENOMEM &&
                            err.list == AUTHZ_LIST_NONE && !covered,
                        "op %d: allocation %u failed: code %d, list %d, "
                        "covered %d", op, in.fail_at, code, err.list, covered);
        } else if (!state.failed) {
            FUZZ_ASSERT(code == want_code && covered == want_covered &&
                            (got == NULL || lists_equal(got, want)),
                        "op %d: code %d with the counting allocator, %d "
                        "without", op, code, want_code);
        } else {
            /* An invalid input may fail on memory before its error. */
            FUZZ_ASSERT(code == want_code || code == AUTHZ_ENOMEM,
                        "op %d: code %d, expected %d or ENOMEM", op, code,
                        want_code);
        }
        authz_list_free(got);
        authz_list_free(want);
        FUZZ_ASSERT(state.live == 0, "op %d: %zu allocations leaked", op,
                    state.live);
    }
}

/* ------------------------------------------------------------------------ */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct scopes_result sx, sy;
    struct allow_result ax, ay;
    authz_options opts, read;
    const authz_options *o;

    if (cat == NULL) {
        cat = authz_catalog_coder();
        pairs_init();
    }
    parse(data, size);
    make_opts(&opts, in.flags, NULL);
    make_read_opts(&read, in.flags, 0);
    o = in.flags == 0 ? NULL : &opts; /* NULL options are the defaults */
    derive_requests();

    scopes_one(&in.sx, o, &read, &sx, "normalize scopes X");
    scopes_one(&in.sy, o, &read, &sy, "normalize scopes Y");
    cover_check(&sx, &sy, o, &read);

    allow_one(&in.ax, o, &ax, "normalize allow X");
    allow_one(&in.ay, o, &ay, "normalize allow Y");
    pair_check(authz_allow_union, true, &ax, &ay, o, "union");
    pair_check(authz_allow_intersect, false, &ax, &ay, o, "intersect");

    if (in.fail_at != 0)
        alloc_failure();

    authz_list_free(sx.norm);
    authz_list_free(sy.norm);
    authz_token_free(sx.tok);
    authz_token_free(sy.tok);
    authz_list_free(ax.norm);
    authz_list_free(ay.norm);
    ref_token_free(ax.model);
    ref_token_free(ay.model);
    input_free();
    return 0;
}
