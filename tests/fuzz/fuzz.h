/*
 * fuzz.h - helpers shared by the fuzz targets in tests/fuzz/.
 *
 * Every target is a libFuzzer entry point (LLVMFuzzerTestOneInput) that also
 * builds with plain gcc against tests/fuzz/replay.c, which replays a corpus.
 * A target asserts invariants with FUZZ_ASSERT, which prints what broke and
 * aborts, so libFuzzer, AFL++ and the replay program all see a crash.
 *
 * The line framing used by fuzz_token, fuzz_explain and the token half of
 * fuzz_catalog: the input is split at '\n'; the first byte of a line tags it
 *     S<scope>                  a scope entry (the rest of the line, any bytes)
 *     A<allow entry>            an allow entry
 *     Q<resource> <id> <action> a request (split at the first two spaces; a
 *                               missing field is a NULL argument)
 * and any other line is ignored. An entry cannot hold '\n', which is no loss:
 * every other control byte, NUL included, reaches the same code.
 *
 * The helpers are static inline so that each target takes only what it uses.
 *
 * Every byte range handed to the library is first copied into a heap block
 * of exactly its length, so that under ASan a read one byte past an entry is
 * a heap-buffer-overflow, not a quiet read of the next line.
 */
#ifndef AUTHZ_FUZZ_H
#define AUTHZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "ref_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond, ...)                                                \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: invariant failed: %s\n  ", __FILE__,      \
                    __LINE__, #cond);                                         \
            fprintf(stderr, __VA_ARGS__);                                     \
            fputc('\n', stderr);                                              \
            abort();                                                          \
        }                                                                     \
    } while (0)

/* Caps of the line framing: above every default limit, so the limits are
 * reachable, yet small enough to keep one execution cheap. */
#define FZ_MAX_SCOPES 300
#define FZ_MAX_ALLOW 300
#define FZ_MAX_REQUESTS 16

/* A byte range of the input, and its copies. */
typedef struct fz_bytes {
    char *exact;  /* heap copy of exactly len bytes (NULL when len is 0) */
    char *model;  /* NUL-terminated copy with NUL bytes turned into \x01,
                     which the model then treats like the library treats
                     NUL: one more byte that no name or UUID contains */
    char *cstr;   /* NUL-terminated copy cut at the first NUL: what a
                     NUL-terminated API sees */
    size_t len;
    bool present; /* false: a missing request field (a NULL argument) */
} fz_bytes;

typedef struct fz_request {
    fz_bytes resource, id, action;
} fz_request;

typedef struct fz_input {
    size_t n_scopes, n_allow, n_requests;
    fz_bytes scopes[FZ_MAX_SCOPES];
    fz_bytes allow[FZ_MAX_ALLOW];
    fz_request requests[FZ_MAX_REQUESTS];
} fz_input;

static inline void *fz_xmalloc(size_t n)
{
    void *p = malloc(n != 0 ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "fuzz: out of memory\n");
        abort();
    }
    return p;
}

static inline void fz_bytes_set(fz_bytes *b, const uint8_t *p, size_t n)
{
    size_t i;
    b->len = n;
    b->present = true;
    b->exact = NULL;
    if (n != 0) {
        b->exact = fz_xmalloc(n);
        memcpy(b->exact, p, n);
    }
    /* One block for both C-string forms: only `exact` needs its own. */
    b->model = fz_xmalloc(2 * (n + 1));
    b->cstr = b->model + n + 1;
    for (i = 0; i < n; i++)
        b->model[i] = p[i] == 0 ? '\x01' : (char)p[i];
    b->model[n] = '\0';
    if (n != 0)
        memcpy(b->cstr, p, n);
    b->cstr[n] = '\0';
}

static inline void fz_bytes_free(fz_bytes *b)
{
    free(b->exact);
    free(b->model);
    memset(b, 0, sizeof *b);
}

/* The argument forms of one field. */
static inline const char *fz_model(const fz_bytes *b)
{
    return b->present ? b->model : NULL;
}

static inline const char *fz_cstr(const fz_bytes *b)
{
    return b->present ? b->cstr : NULL;
}

/* The pointer authz_check_n gets: NULL when missing, and also for an
 * empty field, so that the ptr == NULL, len == 0 case is reached. */
static inline const char *fz_ptr(const fz_bytes *b)
{
    return b->present ? b->exact : NULL;
}

static inline bool fz_has_nul(const fz_bytes *b)
{
    return b->present && b->len > 0 && memchr(b->exact, 0, b->len) != NULL;
}

/* Splits a request line at its first two spaces. */
static inline void fz_request_set(fz_request *q, const uint8_t *p, size_t n)
{
    const uint8_t *sp1 = memchr(p, ' ', n), *sp2;
    memset(q, 0, sizeof *q);
    if (sp1 == NULL) {
        fz_bytes_set(&q->resource, p, n);
        return;
    }
    fz_bytes_set(&q->resource, p, (size_t)(sp1 - p));
    n -= (size_t)(sp1 - p) + 1;
    p = sp1 + 1;
    sp2 = memchr(p, ' ', n);
    if (sp2 == NULL) {
        fz_bytes_set(&q->id, p, n);
        return;
    }
    fz_bytes_set(&q->id, p, (size_t)(sp2 - p));
    fz_bytes_set(&q->action, sp2 + 1, n - (size_t)(sp2 - p) - 1);
}

/* The next non-empty line of data[0..size) from *pos on (without its
 * '\n'): false when there is none. Advances *pos past it. */
static inline bool fz_next_line(const uint8_t *data, size_t size, size_t *pos,
                                const uint8_t **line, size_t *len)
{
    while (*pos < size) {
        const uint8_t *nl;
        *line = data + *pos;
        nl = memchr(*line, '\n', size - *pos);
        *len = nl != NULL ? (size_t)(nl - *line) : size - *pos;
        *pos += *len + 1;
        if (*len != 0)
            return true;
    }
    return false;
}

static inline void fz_parse_lines(fz_input *in, const uint8_t *data, size_t size)
{
    size_t pos = 0, len;
    const uint8_t *line;
    /* Only the counts: every entry is written in full when it is added. */
    in->n_scopes = in->n_allow = in->n_requests = 0;
    while (fz_next_line(data, size, &pos, &line, &len)) {
        switch (line[0]) {
        case 'S':
            if (in->n_scopes < FZ_MAX_SCOPES)
                fz_bytes_set(&in->scopes[in->n_scopes++], line + 1, len - 1);
            break;
        case 'A':
            if (in->n_allow < FZ_MAX_ALLOW)
                fz_bytes_set(&in->allow[in->n_allow++], line + 1, len - 1);
            break;
        case 'Q':
            if (in->n_requests < FZ_MAX_REQUESTS)
                fz_request_set(&in->requests[in->n_requests++], line + 1,
                               len - 1);
            break;
        default:
            break;
        }
    }
}

static inline void fz_input_free(fz_input *in)
{
    size_t i;
    for (i = 0; i < in->n_scopes; i++)
        fz_bytes_free(&in->scopes[i]);
    for (i = 0; i < in->n_allow; i++)
        fz_bytes_free(&in->allow[i]);
    for (i = 0; i < in->n_requests; i++) {
        fz_bytes_free(&in->requests[i].resource);
        fz_bytes_free(&in->requests[i].id);
        fz_bytes_free(&in->requests[i].action);
    }
}

/* authz_str views of a list (exact copies). */
static inline void fz_strs(const fz_bytes *b, size_t n, authz_str *out)
{
    size_t i;
    for (i = 0; i < n; i++) {
        out[i].ptr = b[i].exact;
        out[i].len = b[i].len;
    }
}

/* ------------------------------------------------------------------------ */
/* A counting allocator that can fail the Nth call                           */
/* ------------------------------------------------------------------------ */

typedef struct fz_alloc {
    size_t calls, live, fail_at; /* fail_at 0 = never */
    bool failed;
} fz_alloc;

static inline void *fz_alloc_malloc(void *ctx, size_t size)
{
    fz_alloc *a = ctx;
    void *p;
    if (++a->calls == a->fail_at) {
        a->failed = true;
        return NULL;
    }
    p = malloc(size != 0 ? size : 1);
    if (p != NULL)
        a->live++;
    return p;
}

static inline void *fz_alloc_realloc(void *ctx, void *ptr, size_t size)
{
    fz_alloc *a = ctx;
    void *p;
    if (++a->calls == a->fail_at) {
        a->failed = true;
        return NULL;
    }
    p = realloc(ptr, size != 0 ? size : 1);
    if (p != NULL && ptr == NULL)
        a->live++;
    return p;
}

static inline void fz_alloc_free(void *ctx, void *ptr)
{
    fz_alloc *a = ctx;
    if (ptr == NULL)
        return;
    FUZZ_ASSERT(a->live > 0, "free without a live allocation");
    a->live--;
    free(ptr);
}

static inline authz_allocator fz_allocator(fz_alloc *state)
{
    authz_allocator a;
    a.malloc = fz_alloc_malloc;
    a.realloc = fz_alloc_realloc;
    a.free = fz_alloc_free;
    a.ctx = state;
    return a;
}

/* ------------------------------------------------------------------------ */
/* Invariants of an error record                                             */
/* ------------------------------------------------------------------------ */

/* strlen bounded by cap (strnlen is POSIX, not C11). */
static inline size_t fz_strnlen(const char *s, size_t cap)
{
    const char *nul = memchr(s, '\0', cap);
    return nul != NULL ? (size_t)(nul - s) : cap;
}

static inline void fz_assert_message(const authz_error *err)
{
    size_t n = fz_strnlen(err->message, sizeof err->message);
    FUZZ_ASSERT(n < sizeof err->message, "message not NUL-terminated");
    if (err->code != AUTHZ_OK)
        FUZZ_ASSERT(n > 0, "empty message for code %d", err->code);
}

/* A failed token construction: a known code, and when it names an entry,
 * an index inside its list and an offset inside (or just past) the entry. */
static inline void fz_assert_token_error(const authz_error *err, size_t n_scopes,
                                  size_t n_allow, const fz_bytes *scopes,
                                  const fz_bytes *allow)
{
    FUZZ_ASSERT(err->code > AUTHZ_OK && err->code <= AUTHZ_ENOTPUBLIC,
                "code %d", err->code);
    FUZZ_ASSERT(strcmp(authz_strerror(err->code), "unknown error") != 0,
                "code %d has no text", err->code);
    fz_assert_message(err);
    if (err->list == AUTHZ_LIST_SCOPES || err->list == AUTHZ_LIST_ALLOW) {
        size_t count = err->list == AUTHZ_LIST_SCOPES ? n_scopes : n_allow;
        FUZZ_ASSERT(err->index < count, "index %zu of %zu entries (code %d)",
                    err->index, count, err->code);
        if (err->code != AUTHZ_ELIMIT) {
            const fz_bytes *e = err->list == AUTHZ_LIST_SCOPES
                                    ? &scopes[err->index]
                                    : &allow[err->index];
            FUZZ_ASSERT(err->offset <= e->len,
                        "offset %zu past entry of %zu bytes (code %d)",
                        err->offset, e->len, err->code);
        }
    } else {
        FUZZ_ASSERT(err->list == AUTHZ_LIST_NONE, "list %d", err->list);
    }
}

/* ------------------------------------------------------------------------ */
/* docs/SPEC.md 2 and 6.2: which scopes a token may request                  */
/* ------------------------------------------------------------------------ */

static inline bool fz_is_public_scope(const char *s)
{
    static const char *const names[] = {
        "all", "application_connect", "coder:all", "coder:application_connect",
        "coder:workspaces.create", "coder:workspaces.operate",
        "coder:workspaces.delete", "coder:workspaces.access",
        "coder:templates.build", "coder:templates.author",
        "coder:apikeys.manage_self",
        "workspace:read", "workspace:create", "workspace:update",
        "workspace:delete", "workspace:ssh", "workspace:start",
        "workspace:stop", "workspace:application_connect", "workspace:*",
        "template:read", "template:create", "template:update",
        "template:delete", "template:use", "template:*",
        "api_key:read", "api_key:create", "api_key:update", "api_key:delete",
        "api_key:*",
        "file:read", "file:create", "file:*",
        "user:read", "user:read_personal", "user:update_personal", "user:*",
        "user_secret:read", "user_secret:create", "user_secret:update",
        "user_secret:delete", "user_secret:*",
        "organization:read", "organization:update", "organization:delete",
        "organization:*",
        "organization_skill:read", "organization_skill:create",
        "organization_skill:update", "organization_skill:delete",
        "organization_skill:share", "organization_skill:*",
        "chat_model_config:read", "chat_model_config:share",
        "user_skill:read", "user_skill:create", "user_skill:update",
        "user_skill:delete", "user_skill:*",
        "inbox_notification:read", "inbox_notification:update",
    };
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return false;
}

/* The model's code for one entry alone (the model checks entries in order,
 * so the first failing entry decides the code of a whole list). */
static inline int fz_model_scope_code(const char *scope)
{
    int code = -1;
    ref_token *t = ref_token_new(&scope, 1, NULL, 0, REF_DEFAULT_MAX_ALLOW,
                                 &code);
    ref_token_free(t);
    return code;
}

static inline int fz_model_allow_code(const char *entry)
{
    int code = -1;
    ref_token *t = ref_token_new(NULL, 0, &entry, 1, REF_DEFAULT_MAX_ALLOW,
                                 &code);
    ref_token_free(t);
    return code;
}

/* The catalog name of a type or action that a model string names, for
 * "garbage" tests: true when resource is a catalog type and action one of
 * its actions. */
static inline bool fz_model_names_known(const char *resource, const char *action)
{
    size_t t;
    return resource != NULL && action != NULL &&
           ref_find_type(resource, &t) && ref_type_has_action(t, action);
}

/* A cheap hash of the input, to pick among variants deterministically. */
static inline uint64_t fz_hash(const uint8_t *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325u;
    size_t i;
    for (i = 0; i < size; i++) {
        h ^= data[i];
        h *= 0x100000001b3u;
    }
    return h;
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                  */
/* ------------------------------------------------------------------------ */

/* A request from byte ranges; id_present false gives a NULL id. */
static inline void fz_request_make(fz_request *q, const char *r, size_t rn,
                            const char *id, size_t idn, bool id_present,
                            const char *a, size_t an)
{
    memset(q, 0, sizeof *q);
    fz_bytes_set(&q->resource, (const uint8_t *)r, rn);
    if (id_present)
        fz_bytes_set(&q->id, (const uint8_t *)id, idn);
    fz_bytes_set(&q->action, (const uint8_t *)a, an);
}

static inline void fz_request_free(fz_request *q)
{
    fz_bytes_free(&q->resource);
    fz_bytes_free(&q->id);
    fz_bytes_free(&q->action);
}

/* One request on the library and the model, through authz_check_n on the
 * exact bytes and authz_check on the NUL-terminated forms. Both must agree
 * with the model, and a request naming no catalog type or action of it
 * must deny. Returns the authz_check_n decision. */
static inline bool fz_check_request(const authz_token *lt, const ref_token *mt,
                             const fz_request *q)
{
    const fz_bytes *r = &q->resource, *id = &q->id, *a = &q->action;
    bool lib_n = authz_check_n(lt, fz_ptr(r), r->len, fz_ptr(id), id->len,
                               fz_ptr(a), a->len);
    bool model_n = ref_check(mt, fz_model(r), fz_model(id), fz_model(a));
    bool lib_c = authz_check(lt, fz_cstr(r), fz_cstr(id), fz_cstr(a));
    /* Without a NUL byte the C strings are the model's strings: spare the
     * (slow, by design) model a second look. */
    bool model_c = fz_has_nul(r) || fz_has_nul(id) || fz_has_nul(a)
                       ? ref_check(mt, fz_cstr(r), fz_cstr(id), fz_cstr(a))
                       : model_n;

    FUZZ_ASSERT(lib_n == model_n,
                "authz_check_n=%d, model=%d for (\"%s\", \"%s\", \"%s\")",
                lib_n, model_n, fz_model(r) ? fz_model(r) : "(null)",
                fz_model(id) ? fz_model(id) : "(null)",
                fz_model(a) ? fz_model(a) : "(null)");
    FUZZ_ASSERT(lib_c == model_c,
                "authz_check=%d, model=%d for (\"%s\", \"%s\", \"%s\")",
                lib_c, model_c, fz_cstr(r) ? fz_cstr(r) : "(null)",
                fz_cstr(id) ? fz_cstr(id) : "(null)",
                fz_cstr(a) ? fz_cstr(a) : "(null)");
    if (!fz_model_names_known(fz_model(r), fz_model(a)))
        FUZZ_ASSERT(!lib_n, "unknown names allowed by authz_check_n");
    if (!fz_model_names_known(fz_cstr(r), fz_cstr(a)))
        FUZZ_ASSERT(!lib_c, "unknown names allowed by authz_check");
    /* An embedded NUL is never part of a name or a UUID. */
    if (fz_has_nul(r) || fz_has_nul(a))
        FUZZ_ASSERT(!lib_n, "a name with a NUL byte allowed");
    return lib_n;
}

/* Splits bytes at the first colon: the part before, and after. Without a
 * colon, the whole is `before` and `after` is empty. */
static inline void fz_split_colon(const fz_bytes *b, const char **before,
                           size_t *before_len, const char **after,
                           size_t *after_len)
{
    const char *p = b->exact != NULL ? b->exact : "";
    const char *colon = b->len != 0 ? memchr(p, ':', b->len) : NULL;
    *before = p;
    if (colon == NULL) {
        *before_len = b->len;
        *after = p + b->len;
        *after_len = 0;
        return;
    }
    *before_len = (size_t)(colon - p);
    *after = colon + 1;
    *after_len = b->len - *before_len - 1;
}

/* (type, action) pairs that the named scopes and composites grant or
 * nearly grant, for requests derived from a token's own entries. */
static const char *const FZ_PAIRS[][2] = {
    {"workspace", "read"},          {"workspace", "ssh"},
    {"workspace", "create"},        {"workspace", "application_connect"},
    {"workspace_dormant", "read"},  {"template", "use"},
    {"template", "view_insights"},  {"user", "read"},
    {"user", "update_personal"},    {"api_key", "delete"},
    {"file", "create"},             {"organization_member", "read"},
    {"provisioner_jobs", "read"},   {"debug_info", "read"},
    {"prebuilt_workspace", "update"}, {"inbox_notification", "create"},
};
#define FZ_N_PAIRS (sizeof FZ_PAIRS / sizeof FZ_PAIRS[0])

/* Calls fn on each request of the input and on requests derived from the
 * token's own entries: for the first scopes (R:A) and allow entries (T:I),
 * (R, I, A), (T, I, A), (R, no id, A), and two fixed pairs per allow id. */
typedef void (*fz_request_fn)(const fz_request *q, void *ctx);

static inline void fz_each_request(const fz_input *in, uint64_t pick,
                            fz_request_fn fn, void *ctx)
{
    size_t i, s, a;
    size_t ns = in->n_scopes < 3 ? in->n_scopes : 3;
    size_t na = in->n_allow < 3 ? in->n_allow : 3;
    fz_request q;
    for (i = 0; i < in->n_requests; i++)
        fn(&in->requests[i], ctx);
    for (s = 0; s < ns; s++) {
        const char *r, *act;
        size_t rn, actn;
        fz_split_colon(&in->scopes[s], &r, &rn, &act, &actn);
        fz_request_make(&q, r, rn, NULL, 0, false, act, actn);
        fn(&q, ctx);
        fz_request_free(&q);
        for (a = 0; a < na; a++) {
            const char *t, *id;
            size_t tn, idn;
            fz_split_colon(&in->allow[a], &t, &tn, &id, &idn);
            fz_request_make(&q, r, rn, id, idn, true, act, actn);
            fn(&q, ctx);
            fz_request_free(&q);
            fz_request_make(&q, t, tn, id, idn, true, act, actn);
            fn(&q, ctx);
            fz_request_free(&q);
        }
    }
    for (a = 0; a < na; a++) {
        const char *t, *id;
        size_t tn, idn, k;
        fz_split_colon(&in->allow[a], &t, &tn, &id, &idn);
        for (k = 0; k < 2; k++) {
            const char *const *pair = FZ_PAIRS[(pick >> (8 * (a * 2 + k))) %
                                               FZ_N_PAIRS];
            fz_request_make(&q, pair[0], strlen(pair[0]), id, idn, true,
                            pair[1], strlen(pair[1]));
            fn(&q, ctx);
            fz_request_free(&q);
        }
    }
}

#endif /* AUTHZ_FUZZ_H */
