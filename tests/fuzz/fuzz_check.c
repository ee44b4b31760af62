/*
 * fuzz_check.c - the check with arbitrary resource, id and action bytes, on
 * a fixed set of tokens of the embedded Coder catalog.
 *
 * Input: byte 0 is the resource length, byte 1 the id length (0xff: a NULL
 * id), then the resource bytes, the id bytes, and the action (the rest).
 * Lengths past the end are cut to what is there.
 *
 * Invariants, on every fixed token:
 *   - authz_check_n on the exact bytes agrees with the reference model (which
 *     sees an embedded NUL as another byte no name or UUID holds);
 *   - authz_check on the NUL-terminated forms agrees with the model and with
 *     authz_check_n on the same strings;
 *   - a resource that is no catalog type, or an action that is not one of its
 *     actions, denies, as does any name holding a NUL byte;
 *   - when the id is a UUID, every accepted spelling of it gets the same
 *     answer (docs/SPEC.md 3: all spellings are the same id, at checks too);
 *   - authz_target_resolve on the NUL-terminated names succeeds exactly for
 *     a catalog type and one of its actions (else ETYPE, EACTION, EINVAL),
 *     and authz_check_target then answers as authz_check_n; a target of
 *     another catalog, or an unresolved one, denies.
 */
#include "fuzz.h"

#define W "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define T "7c9e6679-7425-40de-944b-e07fc1f90ae7"

struct fixed {
    const char *scopes[4];
    const char *allow[8];
};

static const struct fixed FIXED[] = {
    {{"workspace:read"}, {"workspace:" W}},
    {{"coder:all"}, {"*:*"}},
    {{"coder:workspaces.access", "template:use"}, {"*:" W, "template:" T}},
    {{"no_user_data"},
     {"workspace:*", "*:{7C9E6679-7425-40DE-944B-E07FC1F90AE7}"}},
    {{"api_key:*", "user:read_personal"},
     {"api_key:" W, "user:URN:UUID:7c9e6679-7425-40de-944b-e07fc1f90ae7"}},
    {{NULL}, {"*:*"}},
    {{"all"}, {NULL}},
    {{"*:*", "coder:templates.author"},
     {"workspace:" W, "template:" W, "user:3F2504E04F8941D39A0C0305E82C3301",
      "*:" T, "file:*", "workspace_dormant:" T, "template:" T}},
    {{"workspace:*", "template:read", "workspace_dormant:ssh"},
     {NULL}}, /* the id-heavy token; its list is generated */
};
#define N_FIXED (sizeof FIXED / sizeof FIXED[0])
#define HEAVY (N_FIXED - 1)
#define HEAVY_IDS 128

static authz_token *lib_tok[N_FIXED];
static authz_catalog *other_catalog; /* has workspace:read, but is not Coder's */
static ref_token *model_tok[N_FIXED];
static char heavy_text[HEAVY_IDS][64];

static size_t count(const char *const *list, size_t cap)
{
    size_t n = 0;
    while (n < cap && list[n] != NULL)
        n++;
    return n;
}

/* The id-heavy token: ids that differ only in their top bits, in the low
 * bits, or in one half, under three types and `*`, plus W and T. */
static void heavy_list(const char **allow)
{
    static const char *const types[] = {"workspace", "template",
                                        "workspace_dormant", "*"};
    size_t i;
    for (i = 0; i < HEAVY_IDS - 2; i++) {
        unsigned long long hi, lo;
        switch (i % 3) {
        case 0: hi = (unsigned long long)i << 56; lo = 0; break;
        case 1: hi = 0x3f2504e04f8941d3ull; lo = (unsigned long long)i; break;
        default: hi = (unsigned long long)i << 32; lo = (unsigned long long)i << 40; break;
        }
        snprintf(heavy_text[i], sizeof heavy_text[i],
                 "%s:%08llx-%04llx-%04llx-%04llx-%012llx", types[i % 4],
                 hi >> 32, (hi >> 16) & 0xffffu, hi & 0xffffu, lo >> 48,
                 lo & 0xffffffffffffull);
        allow[i] = heavy_text[i];
    }
    allow[HEAVY_IDS - 2] = "workspace:" W;
    allow[HEAVY_IDS - 1] = "*:" T;
}

static void init(void)
{
    static bool done;
    static const char *heavy[HEAVY_IDS];
    size_t k;
    if (done)
        return;
    done = true;
    heavy_list(heavy);
    {
        static const char text[] = "type workspace read ssh\n";
        authz_error err;
        other_catalog = authz_catalog_parse(text, sizeof text - 1, &err);
        FUZZ_ASSERT(other_catalog != NULL, "%s", err.message);
    }
    for (k = 0; k < N_FIXED; k++) {
        const char *const *allow = k == HEAVY ? heavy : FIXED[k].allow;
        size_t ns = count(FIXED[k].scopes, 4);
        size_t na = k == HEAVY ? HEAVY_IDS : count(FIXED[k].allow, 8);
        authz_error err;
        int code;
        lib_tok[k] = authz_token_new(authz_catalog_coder(), FIXED[k].scopes,
                                     ns, allow, na, &err);
        model_tok[k] = ref_token_new(FIXED[k].scopes, ns, allow, na,
                                     REF_DEFAULT_MAX_ALLOW, &code);
        FUZZ_ASSERT(lib_tok[k] != NULL && model_tok[k] != NULL,
                    "fixed token %zu: %s (model code %d)", k, err.message,
                    code);
    }
}

/* The accepted spellings of a canonical lower-case UUID. */
static void spellings(const char canon[37], char out[5][46])
{
    size_t i, k = 0;
    for (i = 0; i < 36; i++)
        out[0][i] = (canon[i] >= 'a' && canon[i] <= 'f')
                        ? (char)(canon[i] - 'a' + 'A')
                        : canon[i];
    out[0][36] = '\0';
    snprintf(out[1], 46, "{%.36s}", canon);
    snprintf(out[2], 46, "uRn:UuId:%.36s", out[0]);
    for (i = 0; i < 36; i++)
        if (canon[i] != '-')
            out[3][k++] = canon[i];
    out[3][k] = '\0';
    memcpy(out[4], canon, 37);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_request q;
    authz_target target, foreign;
    size_t rn, idn, an, k;
    bool id_present = true;
    char canon[37];

    init();
    if (size < 2)
        return 0;
    rn = data[0];
    idn = data[1];
    if (idn == 0xff) {
        id_present = false;
        idn = 0;
    }
    data += 2;
    size -= 2;
    rn = rn < size ? rn : size;
    idn = idn < size - rn ? idn : size - rn;
    an = size - rn - idn;
    fz_request_make(&q, (const char *)data, rn, (const char *)data + rn, idn,
                    id_present, (const char *)data + rn + idn, an);

    {
        const char *r = fz_cstr(&q.resource), *a = fz_cstr(&q.action);
        size_t t;
        int code = authz_target_resolve(authz_catalog_coder(), r, a, &target);
        int want = r == NULL || a == NULL     ? AUTHZ_EINVAL
                   : !ref_find_type(r, &t)    ? AUTHZ_ETYPE
                   : !ref_type_has_action(t, a) ? AUTHZ_EACTION
                                                : AUTHZ_OK;
        FUZZ_ASSERT(code == want, "authz_target_resolve: %d, expected %d",
                    code, want);
        /* The other catalog has one type, workspace, with read and ssh. */
        code = authz_target_resolve(other_catalog, r, a, &foreign);
        want = r == NULL || a == NULL            ? AUTHZ_EINVAL
               : strcmp(r, "workspace") != 0     ? AUTHZ_ETYPE
               : strcmp(a, "read") != 0 && strcmp(a, "ssh") != 0
                   ? AUTHZ_EACTION
                   : AUTHZ_OK;
        FUZZ_ASSERT(code == want,
                    "authz_target_resolve on the other catalog: %d, "
                    "expected %d", code, want);
    }

    for (k = 0; k < N_FIXED; k++) {
        bool got = fz_check_request(lib_tok[k], model_tok[k], &q);
        bool named = authz_check_n(
            lib_tok[k], q.resource.cstr, strlen(q.resource.cstr),
            fz_ptr(&q.id), q.id.len, q.action.cstr, strlen(q.action.cstr));
        FUZZ_ASSERT(authz_check_target(lib_tok[k], &target, fz_ptr(&q.id),
                                       q.id.len) == named,
                    "token %zu: authz_check_target differs from "
                    "authz_check_n", k);
        FUZZ_ASSERT(!authz_check_target(lib_tok[k], &foreign, fz_ptr(&q.id),
                                        q.id.len),
                    "token %zu: a target of another catalog allowed", k);
        /* A NULL token denies whatever the arguments. */
        FUZZ_ASSERT(!authz_check_n(NULL, fz_ptr(&q.resource), q.resource.len,
                                   fz_ptr(&q.id), q.id.len,
                                   fz_ptr(&q.action), q.action.len),
                    "NULL token allowed");
        if (id_present && ref_parse_uuid(q.id.model, canon)) {
            char spelled[5][46];
            size_t s;
            spellings(canon, spelled);
            for (s = 0; s < 5; s++) {
                bool other = authz_check_n(lib_tok[k], fz_ptr(&q.resource),
                                           q.resource.len, spelled[s],
                                           strlen(spelled[s]),
                                           fz_ptr(&q.action), q.action.len);
                FUZZ_ASSERT(other == got,
                            "token %zu: id %s gives %d, spelling %s gives %d",
                            k, q.id.model, got, spelled[s], other);
            }
        }
    }
    fz_request_free(&q);
    return 0;
}
