/*
 * fuzz_host.c - how a host puts authz inside its own libFuzzer harness.
 *
 * A host that stores tokens as text (a scope column and an allow column)
 * fuzzes its own loading path: the bytes of a stored record go straight into
 * authz_token_new_ex, the length-delimited constructor, without copies or
 * NUL terminators, and the harness asserts what the host relies on:
 *
 *   - the constructor returns a token exactly when err.code is AUTHZ_OK, and
 *     a failure names its list, an index inside it and an offset inside the
 *     entry, with a message;
 *   - a token that the strict creation path accepts (AUTHZ_PUBLIC) is also
 *     accepted by the loading path, and decides the same;
 *   - what the host stores (the canonical lists, or the encoded form) loads
 *     back to a token with the same encoding and the same decisions;
 *   - for every type and action of the catalog: authz_check, authz_check_n
 *     and authz_explain agree; an allow implies that the scopes grant the
 *     pair; an allowed create (no id) implies every id is allowed; unknown
 *     names deny.
 *
 * Input: line 1 is the scope column, line 2 the allow column, each split at
 * ','; every further line is a request "resource id action" (split at ' ').
 *
 * With libFuzzer (main comes from libFuzzer, so define FUZZING):
 *     clang -g -O1 -DFUZZING -fsanitize=fuzzer,address,undefined \
 *         fuzz_host.c $(pkg-config --cflags --libs authz) -o fuzz_host
 *     ./fuzz_host -max_total_time=60
 * Linked against the installed library, libFuzzer's coverage sees the
 * host's code only; to let it steer inside authz as well, compile the
 * library's sources into the harness with the same flags (as the project's
 * own targets in tests/fuzz do).
 * Without libFuzzer, a small main runs built-in inputs and any files given:
 *     cc fuzz_host.c $(pkg-config --cflags --libs authz) -o fuzz_host
 *     ./fuzz_host [FILE...]
 */
#include <authz.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An assert that NDEBUG cannot switch off: a broken invariant must crash the
 * fuzzer, whatever the build. */
#define REQUIRE(cond)                                                         \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "fuzz_host: invariant failed at line %d: %s\n",   \
                    __LINE__, #cond);                                         \
            abort();                                                          \
        }                                                                     \
    } while (0)

#define MAX_ENTRIES 1024 /* per list; more are left out of the record */
#define MAX_REQUESTS 16

static const char *const probe_ids[] = {
    "", "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    "{7C9E6679-7425-40DE-944B-E07FC1F90AE7}", "abcdef1234",
};
#define N_PROBE_IDS (sizeof probe_ids / sizeof probe_ids[0])

typedef struct record {
    authz_str scopes[MAX_ENTRIES], allow[MAX_ENTRIES];
    size_t n_scopes, n_allow;
    authz_str req[MAX_REQUESTS][3];
    size_t n_req;
} record;

/* The next line of [*p, end), without its '\n'; advances *p. */
static authz_str next_line(const char **p, const char *end)
{
    const char *start = *p;
    const char *nl = memchr(start, '\n', (size_t)(end - start));
    authz_str s = {start, (size_t)((nl != NULL ? nl : end) - start)};
    *p = nl != NULL ? nl + 1 : end;
    return s;
}

/* Splits a line at `sep` into at most `max` pieces; an empty line is an
 * empty list (as a host would store one). Returns the count. */
static size_t split(authz_str line, char sep, authz_str *out, size_t max)
{
    size_t n = 0;
    const char *p = line.ptr, *end = line.ptr + line.len;
    if (line.len == 0)
        return 0;
    while (n < max) {
        const char *q = memchr(p, sep, (size_t)(end - p));
        out[n].ptr = p;
        out[n].len = (size_t)((q != NULL ? q : end) - p);
        n++;
        if (q == NULL)
            break;
        p = q + 1;
    }
    return n;
}

static void parse_record(const uint8_t *data, size_t size, record *r)
{
    const char *p = (const char *)data, *end = p + size;
    memset(r, 0, sizeof *r);
    if (size == 0)
        return;
    r->n_scopes = split(next_line(&p, end), ',', r->scopes, MAX_ENTRIES);
    r->n_allow = split(next_line(&p, end), ',', r->allow, MAX_ENTRIES);
    while (p < end && r->n_req < MAX_REQUESTS) {
        authz_str parts[3];
        if (split(next_line(&p, end), ' ', parts, 3) == 3) {
            memcpy(r->req[r->n_req], parts, sizeof parts);
            r->n_req++;
        }
    }
}

static void check_failure(const authz_error *err, const record *r)
{
    REQUIRE(err->code != AUTHZ_OK);
    REQUIRE(memchr(err->message, '\0', sizeof err->message) != NULL);
    REQUIRE(err->message[0] != '\0');
    REQUIRE(strcmp(authz_strerror(err->code), "unknown error") != 0);
    if (err->list == AUTHZ_LIST_SCOPES) {
        REQUIRE(err->index < r->n_scopes);
        REQUIRE(err->offset <= r->scopes[err->index].len);
    } else {
        REQUIRE(err->list == AUTHZ_LIST_ALLOW);
        REQUIRE(err->index < r->n_allow);
        REQUIRE(err->offset <= r->allow[err->index].len);
    }
}

/* Every decision of `tok` on the catalog's types and actions, and the
 * invariants that tie check, check_n, explain and grants together. Returns
 * a digest of the decisions so that two tokens can be compared. */
static uint64_t decisions(const authz_token *tok)
{
    const authz_catalog *cat = authz_catalog_coder();
    uint64_t digest = 1469598103934665603u; /* FNV-1a over the bits */
    size_t t, a, i;
    for (t = 0; t < authz_catalog_type_count(cat); t++) {
        const char *type = authz_catalog_type_name(cat, t);
        for (a = 0; a < authz_catalog_action_count(cat, t); a++) {
            const char *action = authz_catalog_action_name(cat, t, a);
            bool grants = authz_token_grants(tok, type, action);
            bool create_allowed = false;
            for (i = 0; i < N_PROBE_IDS; i++) {
                const char *id = probe_ids[i];
                authz_explanation ex;
                bool allowed = authz_check(tok, type, id, action);
                REQUIRE(authz_explain(tok, type, id, action, &ex) == allowed);
                REQUIRE(ex.allowed == allowed);
                REQUIRE((ex.reason == AUTHZ_REASON_ALLOWED) == allowed);
                REQUIRE(authz_check_n(tok, type, strlen(type), id,
                                      strlen(id), action,
                                      strlen(action)) == allowed);
                REQUIRE(!allowed || grants);
                if (i == 0)
                    create_allowed = allowed;
                else
                    REQUIRE(!create_allowed || allowed);
                digest = (digest ^ (allowed ? 1u : 0u)) * 1099511628211u;
            }
        }
    }
    /* Unknown names deny, even under coder:all. */
    REQUIRE(!authz_check(tok, "no_such_type", "", "read"));
    REQUIRE(!authz_check(tok, "workspace", "", "no_such_action"));
    REQUIRE(!authz_check(tok, "Workspace", "", "read"));
    REQUIRE(!authz_check(tok, NULL, "", "read"));
    REQUIRE(!authz_check(tok, "workspace", "", NULL));
    return digest;
}

/* The encoding of a token, for comparisons; NULL-terminated heap copy. */
static unsigned char *encode(const authz_token *tok, size_t *len)
{
    unsigned char *buf;
    size_t need = 0;
    int rc = authz_token_encode(tok, NULL, 0, &need);
    REQUIRE(rc == AUTHZ_ESPACE || rc == AUTHZ_OK);
    buf = malloc(need + 1);
    REQUIRE(buf != NULL);
    REQUIRE(authz_token_encode(tok, buf, need + 1, len) == AUTHZ_OK);
    REQUIRE(*len == need);
    return buf;
}

/* A host stores the canonical lists; loading them must give the same
 * token. */
static authz_token *rebuild_from_lists(const authz_token *tok)
{
    authz_list *scopes = authz_token_scopes(tok, NULL);
    authz_list *allow = authz_token_allow(tok, NULL);
    authz_str s[MAX_ENTRIES], a[MAX_ENTRIES];
    size_t i, ns, na;
    authz_token *copy;
    REQUIRE(scopes != NULL && allow != NULL);
    ns = authz_list_count(scopes);
    na = authz_list_count(allow);
    REQUIRE(ns <= MAX_ENTRIES && na <= MAX_ENTRIES);
    for (i = 0; i < ns; i++) {
        s[i].ptr = authz_list_get(scopes, i);
        s[i].len = strlen(s[i].ptr);
    }
    for (i = 0; i < na; i++) {
        a[i].ptr = authz_list_get(allow, i);
        a[i].len = strlen(a[i].ptr);
    }
    copy = authz_token_new_ex(authz_catalog_coder(), s, ns, a, na, NULL,
                              NULL);
    authz_list_free(scopes);
    authz_list_free(allow);
    REQUIRE(copy != NULL);
    return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static record r; /* large; libFuzzer runs one input at a time */
    const authz_catalog *cat = authz_catalog_coder();
    authz_options strict;
    authz_error err, strict_err;
    authz_token *tok, *public_tok, *decoded, *rebuilt;
    unsigned char *enc, *enc2;
    size_t enc_len, enc2_len, i;
    uint64_t digest;

    parse_record(data, size, &r);
    tok = authz_token_new_ex(cat, r.scopes, r.n_scopes, r.allow, r.n_allow,
                             NULL, &err);
    authz_options_init(&strict);
    strict.flags = AUTHZ_PUBLIC;
    public_tok = authz_token_new_ex(cat, r.scopes, r.n_scopes, r.allow,
                                    r.n_allow, &strict, &strict_err);
    REQUIRE((public_tok == NULL) == (strict_err.code != AUTHZ_OK));
    if (public_tok == NULL)
        check_failure(&strict_err, &r);
    if (tok == NULL) {
        check_failure(&err, &r);
        REQUIRE(public_tok == NULL); /* creation is never laxer */
        return 0;
    }
    REQUIRE(err.code == AUTHZ_OK);

    digest = decisions(tok);
    if (public_tok != NULL)
        REQUIRE(decisions(public_tok) == digest);

    enc = encode(tok, &enc_len);
    decoded = authz_token_decode(cat, enc, enc_len, &err);
    REQUIRE(decoded != NULL);
    enc2 = encode(decoded, &enc2_len);
    REQUIRE(enc2_len == enc_len && memcmp(enc, enc2, enc_len) == 0);
    REQUIRE(decisions(decoded) == digest);
    free(enc2);

    rebuilt = rebuild_from_lists(tok);
    enc2 = encode(rebuilt, &enc2_len);
    REQUIRE(enc2_len == enc_len && memcmp(enc, enc2, enc_len) == 0);
    REQUIRE(decisions(rebuilt) == digest);
    free(enc2);
    free(enc);

    /* The record's own requests, bytes as given (embedded NULs and all). */
    for (i = 0; i < r.n_req; i++) {
        const authz_str *q = r.req[i];
        bool allowed = authz_check_n(tok, q[0].ptr, q[0].len, q[1].ptr,
                                     q[1].len, q[2].ptr, q[2].len);
        REQUIRE(authz_check_n(decoded, q[0].ptr, q[0].len, q[1].ptr,
                              q[1].len, q[2].ptr, q[2].len) == allowed);
        REQUIRE(!allowed || memchr(q[0].ptr, '\0', q[0].len) == NULL);
    }

    authz_token_free(rebuilt);
    authz_token_free(decoded);
    authz_token_free(public_tok);
    authz_token_free(tok);
    return 0;
}

#ifndef FUZZING
/* Without libFuzzer: the inputs below, then every file named. */
static const char *const seeds[] = {
    "workspace:read,workspace:start\n"
    "workspace:3f2504e0-4f89-41d3-9a0c-0305e82c3301\n"
    "workspace 3f2504e0-4f89-41d3-9a0c-0305e82c3301 start\n",
    "coder:all\n*:*\n",
    "all,coder:workspaces.access\n"
    "template:*,*:{3F2504E0-4F89-41D3-9A0C-0305E82C3301}\n"
    "template  read\n",
    "debug_info:read,no_user_data\n*:*\n",
    "workspace:bogus\n*:*\n",
    "workspace:read\nworkspace:3f25-zz\n",
    "workspace:read\n\n",
    "\n*:*\n",
    "",
    "workspace:*\nurn:uuid:3f2504e0-4f89-41d3-9a0c-0305e82c3301\n",
    "workspace:*\nworkspace:urn:uuid:3F2504E04F8941D39A0C0305E82C3301\n",
    "*:read\n*:*\n",
    "workspace:read \n*:*\n",
    "a:b:c,,x\n:,*:\n",
};

static void run(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy, as libFuzzer gives, so an over-read shows
     * under valgrind or a sanitizer. */
    uint8_t *copy = malloc(size != 0 ? size : 1);
    REQUIRE(copy != NULL);
    if (size != 0)
        memcpy(copy, data, size);
    (void)LLVMFuzzerTestOneInput(copy, size);
    free(copy);
}

int main(int argc, char **argv)
{
    static const char with_nul[] = "workspace:read\0x,coder:all\n*:*\n"
                                   "work\0space 3f2504e0 read\n";
    static uint8_t file[1 << 20];
    size_t i, n = 0;
    int arg;
    for (i = 0; i < sizeof seeds / sizeof seeds[0]; i++, n++)
        run((const uint8_t *)seeds[i], strlen(seeds[i]));
    run((const uint8_t *)with_nul, sizeof with_nul - 1);
    n++;
    for (arg = 1; arg < argc; arg++, n++) {
        FILE *f = fopen(argv[arg], "rb");
        size_t len;
        if (f == NULL) {
            fprintf(stderr, "fuzz_host: cannot open %s\n", argv[arg]);
            return 2;
        }
        len = fread(file, 1, sizeof file, f);
        fclose(f);
        run(file, len);
    }
    printf("fuzz_host: %zu inputs, every invariant held\n", n);
    return 0;
}
#endif
