/*
 * fuzz_token.c - token construction from raw bytes, through the
 * length-delimited constructor authz_token_new_ex, on the embedded Coder
 * catalog.
 *
 * Input: one options byte, then lines in the framing of fuzz.h (S scope,
 * A allow entry, Q request). The options byte:
 *   bit 0     AUTHZ_PUBLIC
 *   bits 1-2  max_allow: default (128), 1, 3, 200
 *   bit 3     max_entry_len = 40
 *   bit 4     max_scopes = 2
 *   bit 5     fail allocation number (bits 6-7) + 1
 *
 * Invariants:
 *   - success or failure, and the error code, list and index, are those
 *     the reference model gives entry by entry, in the library's order
 *     (counts, then each scope, then each allow entry), with the options'
 *     limits and AUTHZ_PUBLIC (docs/SPEC.md 6.2) applied on top;
 *   - a failure returns NULL with a nonzero code, an index inside the list
 *     and an offset inside the entry;
 *   - an allocation failure gives AUTHZ_ENOMEM, and nothing leaks either way;
 *   - every check of a built token, on the input's requests and on requests
 *     made from its own entries, agrees with the model; unknown names deny.
 */
#include "fuzz.h"

struct expect {
    int code, list;
    size_t index;
};

/* What the library must answer, computed from the model one entry at a
 * time so that the options the model lacks can be applied in between. */
static struct expect expected(const fz_input *in, size_t max_scopes,
                              size_t max_allow, size_t max_entry_len,
                              bool public_only)
{
    struct expect e = {AUTHZ_OK, AUTHZ_LIST_NONE, 0};
    size_t i;
    if (in->n_scopes > max_scopes || in->n_allow > max_allow) {
        bool scopes = in->n_scopes > max_scopes;
        e.code = AUTHZ_ELIMIT;
        e.list = scopes ? AUTHZ_LIST_SCOPES : AUTHZ_LIST_ALLOW;
        e.index = scopes ? max_scopes : max_allow;
        return e;
    }
    for (i = 0; i < in->n_scopes; i++) {
        const fz_bytes *b = &in->scopes[i];
        int code = b->len > max_entry_len ? AUTHZ_ETOOLONG
                                          : fz_model_scope_code(b->model);
        if (code == AUTHZ_OK && public_only && !fz_is_public_scope(b->model))
            code = AUTHZ_ENOTPUBLIC;
        if (code != AUTHZ_OK) {
            e.code = code;
            e.list = AUTHZ_LIST_SCOPES;
            e.index = i;
            return e;
        }
    }
    for (i = 0; i < in->n_allow; i++) {
        const fz_bytes *b = &in->allow[i];
        int code = b->len > max_entry_len ? AUTHZ_ETOOLONG
                                          : fz_model_allow_code(b->model);
        if (code != AUTHZ_OK) {
            e.code = code;
            e.list = AUTHZ_LIST_ALLOW;
            e.index = i;
            return e;
        }
    }
    return e;
}

struct check_ctx {
    const authz_token *lt;
    const ref_token *mt;
};

static void check_one(const fz_request *q, void *ctx)
{
    const struct check_ctx *c = ctx;
    (void)fz_check_request(c->lt, c->mt, q);
}

static void model_lists(const fz_input *in, const char **scopes,
                        const char **allow)
{
    size_t i;
    for (i = 0; i < in->n_scopes; i++)
        scopes[i] = in->scopes[i].model;
    for (i = 0; i < in->n_allow; i++)
        allow[i] = in->allow[i].model;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t allow_limits[4] = {0, 1, 3, 200};
    static authz_str sv[FZ_MAX_SCOPES], av[FZ_MAX_ALLOW];
    static const char *ms[FZ_MAX_SCOPES], *ma[FZ_MAX_ALLOW];
    static fz_input input;
    fz_input *in;
    authz_options opts;
    authz_allocator alloc;
    fz_alloc st;
    authz_error err;
    authz_token *tok;
    struct expect want;
    unsigned opt;
    size_t max_allow, max_scopes, max_entry_len, i;
    bool public_only;
    int model_code = -1;
    ref_token *mt;

    if (size == 0)
        return 0;
    opt = data[0];
    in = &input;
    fz_parse_lines(in, data + 1, size - 1);

    authz_options_init(&opts);
    public_only = (opt & 1u) != 0;
    opts.flags = public_only ? AUTHZ_PUBLIC : 0u;
    opts.max_allow = allow_limits[(opt >> 1) & 3u];
    if (opt & 8u)
        opts.max_entry_len = 40;
    if (opt & 16u)
        opts.max_scopes = 2;
    memset(&st, 0, sizeof st);
    if (opt & 32u)
        st.fail_at = (opt >> 6) + 1u;
    alloc = fz_allocator(&st);
    opts.allocator = &alloc;

    max_allow = opts.max_allow != 0 ? opts.max_allow : AUTHZ_DEFAULT_MAX_ALLOW;
    max_scopes = opts.max_scopes != 0 ? opts.max_scopes
                                      : AUTHZ_DEFAULT_MAX_SCOPES;
    max_entry_len = opts.max_entry_len != 0 ? opts.max_entry_len
                                            : AUTHZ_DEFAULT_MAX_ENTRY_LEN;
    want = expected(in, max_scopes, max_allow, max_entry_len, public_only);

    /* The harness against the model: with the model's own limits, the
     * entry-by-entry expectation is the model's answer for the lists. */
    model_lists(in, ms, ma);
    mt = ref_token_new(in->n_scopes ? ms : NULL, in->n_scopes,
                       in->n_allow ? ma : NULL, in->n_allow, max_allow,
                       &model_code);
    if (!public_only && !(opt & 24u))
        FUZZ_ASSERT(model_code == want.code,
                    "harness: model code %d, expected %d", model_code,
                    want.code);

    fz_strs(in->scopes, in->n_scopes, sv);
    fz_strs(in->allow, in->n_allow, av);
    memset(&err, 0xa5, sizeof err);
    tok = authz_token_new_ex(authz_catalog_coder(),
                             in->n_scopes ? sv : NULL, in->n_scopes,
                             in->n_allow ? av : NULL, in->n_allow, &opts,
                             &err);

    for (i = 0; i < sizeof err.reserved_ / sizeof err.reserved_[0]; i++)
        FUZZ_ASSERT(err.reserved_[i] == 0, "reserved_[%zu] not zeroed", i);
    if (tok == NULL) {
        fz_assert_token_error(&err, in->n_scopes, in->n_allow, in->scopes,
                              in->allow);
        if (err.code == AUTHZ_ENOMEM) {
            FUZZ_ASSERT(st.failed, "AUTHZ_ENOMEM without a failed allocation");
        } else {
            FUZZ_ASSERT(err.code == want.code,
                        "code %d (%s), expected %d; message: %s", err.code,
                        authz_strerror(err.code), want.code, err.message);
            FUZZ_ASSERT(err.list == want.list, "list %d, expected %d",
                        err.list, want.list);
            FUZZ_ASSERT(err.index == want.index, "index %zu, expected %zu",
                        err.index, want.index);
        }
    } else {
        struct check_ctx ctx;
        FUZZ_ASSERT(!st.failed, "a token despite a failed allocation");
        FUZZ_ASSERT(err.code == AUTHZ_OK, "token with code %d", err.code);
        FUZZ_ASSERT(want.code == AUTHZ_OK,
                    "token built, expected code %d at %s[%zu]", want.code,
                    want.list == AUTHZ_LIST_SCOPES ? "scope" : "allow",
                    want.index);
        /* The options only ever narrow what the model accepts. */
        FUZZ_ASSERT(mt != NULL, "token built, model code %d", model_code);
        ctx.lt = tok;
        ctx.mt = mt;
        fz_each_request(in, fz_hash(data, size), check_one, &ctx);
        authz_token_free(tok);
    }
    FUZZ_ASSERT(st.live == 0, "%zu allocations leaked", st.live);

    ref_token_free(mt);
    fz_input_free(in);
    return 0;
}
