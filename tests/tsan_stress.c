/*
 * tsan_stress.c - the library under ThreadSanitizer (`make tsan`).
 *
 * 8 threads check a set of shared tokens (authz_check, authz_check_n,
 * authz_explain, authz_check_target with shared resolved targets) and
 * compare every answer with the one computed before the threads started,
 * while 2 other threads build and free tokens of their own (from the
 * embedded catalog and from a catalog they parse), check them, round-trip
 * them through the binary form, and parse and free catalogs. A compiled token is immutable and the library
 * has no mutable global state, so TSan must report nothing and every answer
 * must be the same as in a single thread.
 *
 *   tsan_stress [rounds]     default 200 rounds per checker thread
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"

#define W "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define T "7c9e6679-7425-40de-944b-e07fc1f90ae7"

#define CHECKERS 8
#define BUILDERS 2
#define N_SHARED 4
#define HEAVY_IDS 100

struct request {
    const char *resource, *id, *action;
};

static const struct request REQUESTS[] = {
    {"workspace", W, "read"},     {"workspace", T, "read"},
    {"workspace", W, "ssh"},      {"workspace", "", "create"},
    {"workspace", NULL, "create"}, {"template", T, "use"},
    {"template", W, "read"},      {"user", W, "read"},
    {"user", T, "update_personal"}, {"workspace_dormant", W, "read"},
    {"api_key", "abcdef1234", "read"}, {"workspace", W, "fly"},
    {"Workspace", W, "read"},     {"file", "{" W "}", "create"},
    {"organization_member", "urn:uuid:" T, "read"},
    {"workspace", "3F2504E04F8941D39A0C0305E82C3301", "start"},
};
#define N_REQUESTS (sizeof REQUESTS / sizeof REQUESTS[0])

static const char CATALOG_TEXT[] =
    "type workspace create read update delete start stop ssh\n"
    "type template create read update delete use\n"
    "scope myapp:deploy = workspace:create workspace:read template:use\n"
    "scope myapp:most = *:* -template:delete\n"
    "alias deploy = myapp:deploy\n"
    "public workspace:read workspace:* template:read myapp:deploy deploy\n";

static authz_token *shared[N_SHARED];
static bool expected[N_SHARED][N_REQUESTS];
static authz_target targets[N_REQUESTS]; /* resolved once, shared */
static atomic_size_t mismatches, built, checks;
static atomic_int checkers_done;
static size_t rounds = 200;

static char heavy_text[HEAVY_IDS][64];

static authz_token *make_token(const authz_catalog *cat, const char **scopes,
                               size_t ns, const char **allow, size_t na)
{
    authz_error err;
    authz_token *tok = authz_token_new(cat, scopes, ns, allow, na, &err);
    if (tok == NULL) {
        fprintf(stderr, "tsan_stress: token: %s\n", err.message);
        exit(2);
    }
    return tok;
}

static void build_shared(void)
{
    const char *s0[] = {"workspace:read", "workspace:ssh"};
    const char *a0[] = {"workspace:" W};
    const char *s1[] = {"coder:all"};
    const char *a1[] = {"*:" W, "template:" T, "file:*"};
    const char *s2[] = {"no_user_data", "user:read", "coder:workspaces.access"};
    const char *a2[] = {"*:*"};
    const char *s3[] = {"workspace:*", "template:use", "user:*",
                        "organization_member:read"};
    const char *a3[HEAVY_IDS + 2];
    size_t i, k;
    for (i = 0; i < HEAVY_IDS; i++) {
        snprintf(heavy_text[i], sizeof heavy_text[i],
                 "%s:%08zx-0000-4000-8000-%012zx",
                 i % 3 == 0 ? "workspace" : i % 3 == 1 ? "template" : "*",
                 i * 2654435761u % 0xffffffffu, i);
        a3[i] = heavy_text[i];
    }
    a3[HEAVY_IDS] = "workspace:" W;
    a3[HEAVY_IDS + 1] = "*:" T;
    shared[0] = make_token(authz_catalog_coder(), s0, 2, a0, 1);
    shared[1] = make_token(authz_catalog_coder(), s1, 1, a1, 3);
    shared[2] = make_token(authz_catalog_coder(), s2, 3, a2, 1);
    {
        authz_options opts;
        authz_error err;
        authz_str sv[4], av[HEAVY_IDS + 2];
        for (i = 0; i < 4; i++) {
            sv[i].ptr = s3[i];
            sv[i].len = strlen(s3[i]);
        }
        for (i = 0; i < HEAVY_IDS + 2; i++) {
            av[i].ptr = a3[i];
            av[i].len = strlen(a3[i]);
        }
        authz_options_init(&opts);
        opts.max_allow = HEAVY_IDS + 2;
        shared[3] = authz_token_new_ex(authz_catalog_coder(), sv, 4, av,
                                       HEAVY_IDS + 2, &opts, &err);
        if (shared[3] == NULL) {
            fprintf(stderr, "tsan_stress: heavy token: %s\n", err.message);
            exit(2);
        }
    }
    for (i = 0; i < N_REQUESTS; i++) {
        /* Unknown names give a target that denies, as the check does;
         * the expected answers below say which. */
        int status = authz_target_resolve(authz_catalog_coder(),
                                          REQUESTS[i].resource,
                                          REQUESTS[i].action, &targets[i]);
        if (status != AUTHZ_OK && status != AUTHZ_ETYPE &&
            status != AUTHZ_EACTION) {
            fprintf(stderr, "tsan_stress: resolve: %s\n",
                    authz_strerror(status));
            exit(2);
        }
    }
    for (k = 0; k < N_SHARED; k++)
        for (i = 0; i < N_REQUESTS; i++)
            expected[k][i] = authz_check(shared[k], REQUESTS[i].resource,
                                         REQUESTS[i].id, REQUESTS[i].action);
}

static void *checker(void *arg)
{
    size_t round, k, i, local_checks = 0, bad = 0;
    (void)arg;
    for (round = 0; round < rounds; round++) {
        for (k = 0; k < N_SHARED; k++) {
            for (i = 0; i < N_REQUESTS; i++) {
                const struct request *q = &REQUESTS[i];
                authz_explanation ex;
                bool a = authz_check(shared[k], q->resource, q->id, q->action);
                bool b = authz_check_n(shared[k], q->resource,
                                       strlen(q->resource), q->id,
                                       q->id != NULL ? strlen(q->id) : 0,
                                       q->action, strlen(q->action));
                bool c = authz_explain(shared[k], q->resource, q->id,
                                       q->action, &ex);
                bool d = authz_check_target(shared[k], &targets[i], q->id,
                                            q->id != NULL ? strlen(q->id)
                                                          : 0);
                if (a != expected[k][i] || b != a || c != a || d != a)
                    bad++;
                local_checks += 4;
            }
        }
    }
    atomic_fetch_add(&mismatches, bad);
    atomic_fetch_add(&checks, local_checks);
    atomic_fetch_add(&checkers_done, 1);
    return NULL;
}

/* Builds, uses and frees tokens and catalogs until the checkers are done. */
static void *builder(void *arg)
{
    size_t n = 0, bad = 0, seed = (size_t)(uintptr_t)arg;
    while (atomic_load(&checkers_done) < CHECKERS || n < 20) {
        authz_error err;
        const char *s[] = {n % 2 ? "workspace:*" : "coder:workspaces.create",
                           "template:use"};
        char entry[64];
        const char *a[] = {entry, "*:" T};
        authz_token *tok;
        authz_catalog *cat;
        snprintf(entry, sizeof entry, "workspace:%08zx-0000-4000-8000-%012zx",
                 seed * 1000003u + n, n);
        tok = make_token(authz_catalog_coder(), s, 2, a, 2);
        if (!authz_check(tok, "workspace", entry + 10, "create") ||
            authz_check(tok, "workspace", W, "create"))
            bad++;
        {
            /* The binary form, round trip. */
            unsigned char bin[512];
            size_t len;
            authz_token *back = NULL;
            if (authz_token_encode(tok, bin, sizeof bin, &len) == AUTHZ_OK)
                back = authz_token_decode(authz_catalog_coder(), bin, len,
                                          &err);
            if (back == NULL ||
                !authz_check(back, "workspace", entry + 10, "create"))
                bad++;
            authz_token_free(back);
        }
        authz_token_free(tok);

        cat = authz_catalog_parse(CATALOG_TEXT, sizeof CATALOG_TEXT - 1,
                                  &err);
        if (cat == NULL) {
            fprintf(stderr, "tsan_stress: catalog: %s\n", err.message);
            exit(2);
        } else {
            const char *cs[] = {"deploy", "myapp:most"};
            const char *ca[] = {"*:" W};
            tok = make_token(cat, cs, 2, ca, 1);
            if (!authz_check(tok, "template", W, "use") ||
                authz_check(tok, "template", W, "delete") ||
                authz_check(tok, "user", W, "read"))
                bad++;
            authz_token_free(tok);
            authz_catalog_free(cat);
        }
        (void)authz_strerror((int)(n % 20));
        (void)authz_version();
        n++;
    }
    atomic_fetch_add(&mismatches, bad);
    atomic_fetch_add(&built, 2 * n);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t threads[CHECKERS + BUILDERS];
    size_t i;
    if (argc > 1)
        rounds = (size_t)strtoul(argv[1], NULL, 10);
    build_shared();
    for (i = 0; i < BUILDERS; i++)
        if (pthread_create(&threads[CHECKERS + i], NULL, builder,
                           (void *)(uintptr_t)(i + 1)) != 0)
            return 2;
    for (i = 0; i < CHECKERS; i++)
        if (pthread_create(&threads[i], NULL, checker, NULL) != 0)
            return 2;
    for (i = 0; i < CHECKERS + BUILDERS; i++)
        pthread_join(threads[i], NULL);
    for (i = 0; i < N_SHARED; i++)
        authz_token_free(shared[i]);
    printf("tsan_stress: %d checker threads, %zu checks; %d builder threads, "
           "%zu tokens built and freed; %zu mismatches\n",
           CHECKERS, atomic_load(&checks), BUILDERS, atomic_load(&built),
           atomic_load(&mismatches));
    return atomic_load(&mismatches) == 0 ? 0 : 1;
}
