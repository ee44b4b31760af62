/*
 * fuzz_explain.c - authz_explain against authz_check and the reference
 * model, on tokens built through the NUL-terminated constructor
 * authz_token_new.
 *
 * Input: lines in the framing of fuzz.h (S scope, A allow entry, Q request);
 * every field is cut at its first NUL, as a C string would be.
 *
 * Invariants, for the input's requests and requests made from the token's
 * own entries:
 *   - explain's answer (returned, and in out->allowed, and with out NULL)
 *     is authz_check's, which is the model's;
 *   - the reason is the first failing step of docs/SPEC.md 4, computed from the
 *     model: NULL argument, unknown resource, unknown action, empty scope
 *     list, no grant, empty allow list, not listed;
 *   - the scope named is the first scope that grants the request, in its
 *     canonical text; the allow entry named admits the request alone, is in
 *     normal form, and is the first entry of the most general kind that
 *     admits it (`*:*`, then `R:*`, then `R:<id>`, then `*:<id>`);
 *   - a construction failure has the model's code and a sane error record.
 */
#include "fuzz.h"

struct ctx {
    const authz_token *lt;
    const ref_token *mt;     /* the token */
    ref_token *grants; /* its scopes, allow list `*:*` */
    ref_token *admits; /* `coder:all`, its allow list */
    const fz_input *in;
    const char **scopes, **allow;
};

static bool str_eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Does the model say this one scope grants (r, a)? */
static bool scope_alone_grants(const char *scope, const char *r,
                               const char *a)
{
    static const char *const star[] = {"*:*"};
    int code;
    ref_token *t = ref_token_new(&scope, 1, star, 1, REF_DEFAULT_MAX_ALLOW,
                                 &code);
    bool yes = ref_check(t, r, NULL, a);
    ref_token_free(t);
    return yes;
}

static bool entry_alone_admits(const char *entry, const char *r,
                               const char *id, const char *a)
{
    static const char *const all[] = {"coder:all"};
    int code;
    ref_token *t = ref_token_new(all, 1, &entry, 1, REF_DEFAULT_MAX_ALLOW,
                                 &code);
    bool yes = ref_check(t, r, id, a);
    ref_token_free(t);
    return yes;
}

/* An allow entry's type and id: the id's canonical form when it is a UUID,
 * "*" for `*`, "" otherwise. */
static void entry_parts(const char *entry, char *type, size_t type_cap,
                        char id[37])
{
    const char *colon = strchr(entry, ':');
    size_t n = colon != NULL ? (size_t)(colon - entry) : strlen(entry);
    snprintf(type, type_cap, "%.*s", (int)n, entry);
    id[0] = '\0';
    if (colon == NULL)
        return;
    if (strcmp(colon + 1, "*") == 0)
        strcpy(id, "*");
    else if (!ref_parse_uuid(colon + 1, id))
        id[0] = '\0';
}

/* The allow entry explain must name, found by a linear scan of the list:
 * `*:*`, then `r:*`, then `r:<id>`, then `*:<id>`, each the first listed. */
static void expected_entry(const struct ctx *c, const char *r,
                           const char *id, size_t *index, char *text,
                           size_t cap)
{
    char canon[37];
    bool id_is_uuid = id != NULL && ref_parse_uuid(id, canon);
    int pass;
    *index = AUTHZ_NO_INDEX;
    text[0] = '\0';
    for (pass = 0; pass < 4; pass++) {
        size_t i;
        for (i = 0; i < c->in->n_allow; i++) {
            char type[300], eid[37];
            bool hit;
            entry_parts(c->allow[i], type, sizeof type, eid);
            switch (pass) {
            case 0: hit = str_eq(type, "*") && str_eq(eid, "*"); break;
            case 1: hit = str_eq(type, r) && str_eq(eid, "*"); break;
            case 2: hit = id_is_uuid && str_eq(type, r) && str_eq(eid, canon); break;
            default: hit = id_is_uuid && str_eq(type, "*") && str_eq(eid, canon); break;
            }
            if (hit) {
                *index = i;
                snprintf(text, cap, "%s:%s", type, eid);
                return;
            }
        }
    }
}

static authz_reason expected_reason(const struct ctx *c, const char *r,
                                    const char *id, const char *a)
{
    size_t t;
    if (r == NULL || a == NULL)
        return AUTHZ_REASON_NULL_ARGUMENT;
    if (!ref_find_type(r, &t))
        return AUTHZ_REASON_UNKNOWN_RESOURCE;
    if (!ref_type_has_action(t, a))
        return AUTHZ_REASON_UNKNOWN_ACTION;
    if (c->in->n_scopes == 0)
        return AUTHZ_REASON_EMPTY_SCOPES;
    if (!ref_check(c->grants, r, NULL, a))
        return AUTHZ_REASON_NO_GRANT;
    if (c->in->n_allow == 0)
        return AUTHZ_REASON_EMPTY_ALLOW;
    if (!ref_check(c->admits, r, id, a))
        return AUTHZ_REASON_NOT_LISTED;
    return AUTHZ_REASON_ALLOWED;
}

static void explain_one(const fz_request *q, void *opaque)
{
    const struct ctx *c = opaque;
    const char *r = fz_cstr(&q->resource), *id = fz_cstr(&q->id),
               *a = fz_cstr(&q->action);
    authz_explanation ex;
    bool check = authz_check(c->lt, r, id, a);
    bool model = ref_check(c->mt, r, id, a);
    bool explained;
    authz_reason want = expected_reason(c, r, id, a);

    memset(&ex, 0x5a, sizeof ex);
    explained = authz_explain(c->lt, r, id, a, &ex);
    FUZZ_ASSERT(explained == check && ex.allowed == check,
                "explain %d (out %d), check %d for (%s, %s, %s)", explained,
                ex.allowed, check, r ? r : "(null)", id ? id : "(null)",
                a ? a : "(null)");
    FUZZ_ASSERT(check == model, "check %d, model %d for (%s, %s, %s)", check,
                model, r ? r : "(null)", id ? id : "(null)",
                a ? a : "(null)");
    FUZZ_ASSERT(authz_explain(c->lt, r, id, a, NULL) == check,
                "explain without out differs");
    FUZZ_ASSERT(ex.reason == want, "reason %d (%s), expected %d (%s)",
                (int)ex.reason, authz_reason_str(ex.reason), (int)want,
                authz_reason_str(want));
    FUZZ_ASSERT(strcmp(authz_reason_str(ex.reason), "unknown reason") != 0,
                "reason %d has no text", (int)ex.reason);
    FUZZ_ASSERT(fz_strnlen(ex.scope, sizeof ex.scope) < sizeof ex.scope &&
                    fz_strnlen(ex.allow, sizeof ex.allow) < sizeof ex.allow,
                "explanation strings not NUL-terminated");

    if (want != AUTHZ_REASON_ALLOWED && want <= AUTHZ_REASON_NO_GRANT) {
        /* Stopped before a scope was found. */
        FUZZ_ASSERT(ex.scope_index == AUTHZ_NO_INDEX && ex.scope[0] == '\0',
                    "scope %zu \"%s\" named for reason %d", ex.scope_index,
                    ex.scope, (int)want);
    } else {
        size_t si = ex.scope_index, j;
        FUZZ_ASSERT(si < c->in->n_scopes, "scope index %zu of %zu", si,
                    c->in->n_scopes);
        FUZZ_ASSERT(strcmp(ex.scope, c->scopes[si]) == 0,
                    "scope text \"%s\" for scope[%zu] \"%s\"", ex.scope, si,
                    c->scopes[si]);
        FUZZ_ASSERT(scope_alone_grants(c->scopes[si], r, a),
                    "scope[%zu] \"%s\" named, but grants nothing here", si,
                    c->scopes[si]);
        for (j = 0; j < si && j < 8; j++)
            FUZZ_ASSERT(!scope_alone_grants(c->scopes[j], r, a),
                        "scope[%zu] \"%s\" named, but scope[%zu] grants", si,
                        c->scopes[si], j);
    }

    if (want != AUTHZ_REASON_ALLOWED) {
        FUZZ_ASSERT(ex.allow_index == AUTHZ_NO_INDEX && ex.allow[0] == '\0',
                    "allow %zu \"%s\" named for reason %d", ex.allow_index,
                    ex.allow, (int)want);
    } else {
        size_t wi;
        char wtext[400];
        expected_entry(c, r, id, &wi, wtext, sizeof wtext);
        FUZZ_ASSERT(ex.allow_index == wi && strcmp(ex.allow, wtext) == 0,
                    "allow entry %zu \"%s\", expected %zu \"%s\"",
                    ex.allow_index, ex.allow, wi, wtext);
        FUZZ_ASSERT(entry_alone_admits(c->allow[wi], r, id, a),
                    "allow[%zu] \"%s\" named, but does not admit", wi,
                    c->allow[wi]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *scopes[FZ_MAX_SCOPES], *allow[FZ_MAX_ALLOW];
    static const char *const star[] = {"*:*"}, *const all[] = {"coder:all"};
    static fz_input input;
    fz_input *in = &input;
    authz_error err;
    authz_token *lt;
    ref_token *mt;
    int model_code = -1;
    size_t i;

    fz_parse_lines(in, data, size);
    for (i = 0; i < in->n_scopes; i++)
        scopes[i] = in->scopes[i].cstr;
    for (i = 0; i < in->n_allow; i++)
        allow[i] = in->allow[i].cstr;

    lt = authz_token_new(authz_catalog_coder(), in->n_scopes ? scopes : NULL,
                         in->n_scopes, in->n_allow ? allow : NULL,
                         in->n_allow, &err);
    mt = ref_token_new(scopes, in->n_scopes, allow, in->n_allow,
                       REF_DEFAULT_MAX_ALLOW, &model_code);
    if (lt == NULL) {
        fz_bytes cut[FZ_MAX_SCOPES > FZ_MAX_ALLOW ? FZ_MAX_SCOPES
                                                  : FZ_MAX_ALLOW];
        const fz_bytes *list = err.list == AUTHZ_LIST_ALLOW ? in->allow
                                                            : in->scopes;
        size_t n = err.list == AUTHZ_LIST_ALLOW ? in->n_allow : in->n_scopes;
        authz_explanation ex;
        /* Offsets count in the C strings the constructor saw. */
        for (i = 0; i < n; i++) {
            cut[i] = list[i];
            cut[i].len = strlen(list[i].cstr);
        }
        fz_assert_token_error(&err, in->n_scopes, in->n_allow,
                              err.list == AUTHZ_LIST_SCOPES ? cut : in->scopes,
                              err.list == AUTHZ_LIST_ALLOW ? cut : in->allow);
        FUZZ_ASSERT(mt == NULL && err.code == model_code,
                    "library code %d (%s), model code %d", err.code,
                    err.message, model_code);
        FUZZ_ASSERT(!authz_explain(NULL, "workspace", NULL, "read", &ex) &&
                        ex.reason == AUTHZ_REASON_NULL_ARGUMENT,
                    "explain on a NULL token");
    } else {
        struct ctx c;
        int code;
        FUZZ_ASSERT(mt != NULL, "library built a token the model refuses "
                                "(model code %d)", model_code);
        c.lt = lt;
        c.mt = mt;
        c.grants = ref_token_new(scopes, in->n_scopes, star, 1,
                                 REF_DEFAULT_MAX_ALLOW, &code);
        c.admits = ref_token_new(all, 1, allow, in->n_allow,
                                 REF_DEFAULT_MAX_ALLOW, &code);
        FUZZ_ASSERT(c.grants != NULL && c.admits != NULL, "model helpers");
        c.in = in;
        c.scopes = scopes;
        c.allow = allow;
        fz_each_request(in, fz_hash(data, size), explain_one, &c);
        ref_token_free(c.grants);
        ref_token_free(c.admits);
        authz_token_free(lt);
    }
    ref_token_free(mt);
    fz_input_free(in);
    return 0;
}
