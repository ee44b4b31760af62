/*
 * check_hardening.c - hostile-input properties that the decision tables do
 * not reach: no byte is read outside an input (guard pages: scopes, allow
 * entries, catalog text, check arguments, encoded tokens, set-operation
 * lists), and no allow list makes a check slow (hash flooding).
 *
 * The exported-symbol list and the header's C and C++ compilation are
 * checked by make rules (mk/sanitize.mk: abi-check, header-check), which
 * know where the shared library was built.
 */
#define _DEFAULT_SOURCE /* mmap, MAP_ANONYMOUS, sysconf, clock_gettime */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ref_model.h"
#include "tests.h"

/* ------------------------------------------------------------------------ */
/* Guard pages                                                               */
/* ------------------------------------------------------------------------ */

/* [PROT_NONE][n_rw read-write pages][PROT_NONE]: an input copied flush
 * against either inaccessible page crashes the test on a read one byte
 * past its end (guard_end) or before its start (guard_start). */
struct guard {
    char *base;
    size_t page, rw, total;
};

static void guard_init(struct guard *g, size_t max_len)
{
    long page = sysconf(_SC_PAGESIZE);
    ck_assert_int_gt(page, 0);
    g->page = (size_t)page;
    g->rw = (max_len + g->page - 1) / g->page * g->page;
    if (g->rw == 0)
        g->rw = g->page;
    g->total = g->rw + 2 * g->page;
    g->base = mmap(NULL, g->total, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_msg(g->base != MAP_FAILED, "mmap failed");
    ck_assert_int_eq(mprotect(g->base, g->page, PROT_NONE), 0);
    ck_assert_int_eq(mprotect(g->base + g->page + g->rw, g->page, PROT_NONE),
                     0);
}

static void guard_free(struct guard *g)
{
    munmap(g->base, g->total);
}

/* n bytes of s, ending at the upper guard page. */
static const char *guard_end(struct guard *g, const char *s, size_t n)
{
    char *p = g->base + g->page + g->rw - n;
    ck_assert_uint_le(n, g->rw);
    memcpy(p, s, n);
    return p;
}

/* n bytes of s, starting right after the lower guard page. */
static const char *guard_start(struct guard *g, const char *s, size_t n)
{
    char *p = g->base + g->page;
    ck_assert_uint_le(n, g->rw);
    memcpy(p, s, n);
    return p;
}

/* The accepted spellings of W, and some that are not quite. */
static const char *const ID_SPELLINGS[] = {
    W,
    "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
    "{" W "}",
    "urn:uuid:" W,
    "URN:UUID:3F2504E0-4F89-41D3-9A0C-0305E82C3301",
    "3f2504e04f8941d39a0c0305e82c3301",
    "{3f2504e04f8941d39a0c0305e82c3301}",
    "3f2504e0-4f89-41d3-9a0c-0305e82c330",
    "3f2504e0-4f89-41d3-9a0c-0305e82c33011",
    "3f2504e0x4f89-41d3-9a0c-0305e82c3301",
    "{3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    "urn:uuid:3f2504e0-4f89-41d3-9a0c-0305e82c330",
    "urn:uuid:{3f2504e0-4f89-41d3-9a0c-0305e82c33}",
    "abcdef1234",
};
#define N_SPELLINGS (sizeof ID_SPELLINGS / sizeof ID_SPELLINGS[0])

/* Runs one scope through validation and token construction at both edges,
 * and every prefix of it (a parser that trusts a length it has not checked
 * reads past a short input). */
static void scope_at_edges(struct guard *g, const char *scope)
{
    size_t len = strlen(scope), n;
    authz_str allow = {"*:*", 3};
    for (n = 0; n <= len; n++) {
        int edge;
        for (edge = 0; edge < 2; edge++) {
            const char *p = edge ? guard_end(g, scope, n)
                                 : guard_start(g, scope, n);
            authz_str s = {p, n};
            authz_error err;
            authz_token *tok;
            int code = authz_scope_validate(authz_catalog_coder(), p, n, 0,
                                            &err);
            int pub = authz_scope_validate(authz_catalog_coder(), p, n,
                                           AUTHZ_PUBLIC, &err);
            /* A scope that does not parse fails the same way under
             * AUTHZ_PUBLIC; one that does is public or not. */
            ck_assert_int_eq(pub == AUTHZ_OK || pub == AUTHZ_ENOTPUBLIC
                                 ? AUTHZ_OK
                                 : pub,
                             code);
            tok = authz_token_new_ex(authz_catalog_coder(), &s, 1, &allow, 1,
                                     NULL, &err);
            ck_assert_msg((tok != NULL) == (code == AUTHZ_OK),
                          "validate and construct disagree on %.*s", (int)n,
                          scope);
            authz_token_free(tok);
        }
    }
}

START_TEST(test_guard_scopes)
{
    static const char *const extra[] = {
        "*:*", "*:read", "coder:bogus", "coder:", "workspace:", ":read",
        "workspace:read ", "a:b:c", "workspace::read", "Workspace:read",
        "workspace:\x01", "inbox_notification:*", "no_user_data:*",
        "coder:workspaces.create.x",
    };
    struct guard g;
    size_t i, t, a;
    char buf[300];
    guard_init(&g, 4096);
    for (i = 0; i < ref_n_named_scopes(); i++)
        scope_at_edges(&g, ref_named_scope(i));
    for (i = 0; i < sizeof extra / sizeof extra[0]; i++)
        scope_at_edges(&g, extra[i]);
    for (t = 0; t < ref_n_types(); t++) {
        snprintf(buf, sizeof buf, "%s:*", ref_type_name(t));
        scope_at_edges(&g, buf);
        for (a = 0; a < ref_n_actions(t); a++) {
            snprintf(buf, sizeof buf, "%s:%s", ref_type_name(t),
                     ref_action_name(t, a));
            scope_at_edges(&g, buf);
        }
    }
    /* Over the length limit, at the edge. */
    memset(buf, 'a', sizeof buf);
    memcpy(buf, "workspace:", 10);
    {
        authz_str s = {guard_end(&g, buf, 257), 257}, al = {"*:*", 3};
        authz_error err;
        ck_assert_ptr_null(authz_token_new_ex(authz_catalog_coder(), &s, 1,
                                              &al, 1, NULL, &err));
        ck_assert_int_eq(err.code, AUTHZ_ETOOLONG);
    }
    guard_free(&g);
}
END_TEST

START_TEST(test_guard_allow)
{
    static const char *const types[] = {"workspace", "*", "template",
                                        "workspace_dormant", "bogus", ""};
    struct guard g;
    size_t i, k, n;
    char entry[128];
    guard_init(&g, 4096);
    for (i = 0; i < sizeof types / sizeof types[0]; i++) {
        for (k = 0; k <= N_SPELLINGS; k++) {
            size_t len;
            snprintf(entry, sizeof entry, "%s:%s", types[i],
                     k < N_SPELLINGS ? ID_SPELLINGS[k] : "*");
            len = strlen(entry);
            for (n = 0; n <= len; n++) {
                int edge;
                for (edge = 0; edge < 2; edge++) {
                    authz_str sc = {"coder:all", 9};
                    authz_str al = {edge ? guard_end(&g, entry, n)
                                         : guard_start(&g, entry, n),
                                    n};
                    authz_error err;
                    authz_token *tok = authz_token_new_ex(
                        authz_catalog_coder(), &sc, 1, &al, 1, NULL, &err);
                    if (tok == NULL)
                        ck_assert_uint_le(err.offset, n);
                    authz_token_free(tok);
                }
            }
        }
    }
    guard_free(&g);
}
END_TEST

/* Every prefix of the text at the upper edge, and the whole at the lower. */
static void catalog_prefixes(struct guard *g, const char *text, size_t len,
                             size_t step)
{
    size_t n = 0;
    for (;;) {
        authz_error err;
        authz_catalog *cat =
            authz_catalog_parse(guard_end(g, text, n), n, &err);
        if (cat == NULL)
            ck_assert_int_eq(err.code, AUTHZ_ECATALOG);
        authz_catalog_free(cat);
        if (n == len)
            break;
        n = n + step < len ? n + step : len;
    }
    {
        authz_error err;
        authz_catalog_free(
            authz_catalog_parse(guard_start(g, text, len), len, &err));
    }
}

START_TEST(test_guard_catalog)
{
    static const char *const small[] = {
        "type a read write\nscope s = a:read -a:write a:*\n"
        "alias t = s\npublic s t a:read a:*\n",
        "type a read # comment", "type a read\t", "type", "type a",
        "type a read\nscope", "type a read\nscope s =", "type a read\nscope s = a:",
        "type a read\nscope s = -a:*", "type a read\npublic a:", "#",
        "type a read\nalias x = s", "type a read\r", "type a read\x01",
        "type a read\nscope s = *:* -a:read", "\n\n\n", "type a rea\xc3",
    };
    struct guard g;
    size_t len, i;
    char *coder = test_slurp(test_path("catalog/coder.catalog"), &len);
    guard_init(&g, len + 1);
    /* Every byte position of the first part (every kind of line), and
     * every 7th byte of the rest, keep the test quick. */
    catalog_prefixes(&g, coder, len < 1500 ? len : 1500, 1);
    catalog_prefixes(&g, coder, len, 7);
    for (i = 0; i < sizeof small / sizeof small[0]; i++)
        catalog_prefixes(&g, small[i], strlen(small[i]), 1);
    /* The whole file, with no newline at its end. */
    {
        authz_error err;
        size_t n = len;
        authz_catalog *cat;
        while (n > 0 && coder[n - 1] == '\n')
            n--;
        cat = authz_catalog_parse(guard_end(&g, coder, n), n, &err);
        ck_assert_msg(cat != NULL, "%s", err.message);
        authz_catalog_free(cat);
    }
    guard_free(&g);
    free(coder);
}
END_TEST

/* A check whose resource, id and action each end at a guard page. */
static void check_at_edges(struct guard *res, struct guard *idg,
                           struct guard *act, const authz_token *tok,
                           const char *r, size_t rn, const char *id,
                           size_t idn, const char *a, size_t an)
{
    bool want = authz_check_n(tok, r, rn, id, idn, a, an);
    int edge;
    for (edge = 0; edge < 2; edge++) {
        const char *pr = edge ? guard_end(res, r, rn) : guard_start(res, r, rn);
        const char *pi = edge ? guard_end(idg, id, idn)
                              : guard_start(idg, id, idn);
        const char *pa = edge ? guard_end(act, a, an) : guard_start(act, a, an);
        ck_assert_int_eq(authz_check_n(tok, pr, rn, pi, idn, pa, an), want);
    }
}

START_TEST(test_guard_check)
{
    const char *scopes[] = {"coder:all"};
    const char *allow[] = {"workspace:" W, "*:" T, "template:" W,
                           "user:" W, "file:*"};
    struct guard gr, gi, ga;
    authz_error err;
    authz_token *tok = authz_token_new(authz_catalog_coder(), scopes, 1,
                                       allow, 5, &err);
    size_t t, a, k, n;
    ck_assert_msg(tok != NULL, "%s", err.message);
    guard_init(&gr, 4096);
    guard_init(&gi, 4096);
    guard_init(&ga, 4096);
    /* Every type and action, with every spelling of an id. */
    for (t = 0; t < ref_n_types(); t++) {
        const char *r = ref_type_name(t);
        for (a = 0; a < ref_n_actions(t); a++) {
            const char *act = ref_action_name(t, a);
            for (k = 0; k < N_SPELLINGS; k++)
                check_at_edges(&gr, &gi, &ga, tok, r, strlen(r),
                               ID_SPELLINGS[k], strlen(ID_SPELLINGS[k]), act,
                               strlen(act));
        }
    }
    /* Every prefix of each argument, the others whole; the id also
     * through a resolved target. */
    {
        authz_target target;
        ck_assert_int_eq(authz_target_resolve(authz_catalog_coder(),
                                              "workspace", "read", &target),
                         AUTHZ_OK);
        for (k = 0; k < N_SPELLINGS; k++) {
            for (n = 0; n <= strlen(ID_SPELLINGS[k]); n++) {
                bool want = authz_check_n(tok, "workspace", 9,
                                          ID_SPELLINGS[k], n, "read", 4);
                check_at_edges(&gr, &gi, &ga, tok, "workspace", 9,
                               ID_SPELLINGS[k], n, "read", 4);
                ck_assert_int_eq(
                    authz_check_target(tok, &target,
                                       guard_end(&gi, ID_SPELLINGS[k], n), n),
                    want);
                ck_assert_int_eq(
                    authz_check_target(
                        tok, &target, guard_start(&gi, ID_SPELLINGS[k], n), n),
                    want);
            }
        }
    }
    for (n = 0; n <= strlen("workspace_dormant"); n++)
        check_at_edges(&gr, &gi, &ga, tok, "workspace_dormant", n, W, 36,
                       "application_connect", 19);
    for (n = 0; n <= strlen("application_connect"); n++)
        check_at_edges(&gr, &gi, &ga, tok, "workspace", 9, W, 36,
                       "application_connect", n);
    /* NUL-terminated arguments whose NUL is the last readable byte. */
    {
        authz_explanation ex;
        const char *r = guard_end(&gr, "workspace", 10);
        const char *id = guard_end(&gi, "{" W "}", 39);
        const char *act = guard_end(&ga, "ssh", 4);
        ck_assert(authz_check(tok, r, id, act));
        ck_assert(authz_explain(tok, r, id, act, &ex));
        ck_assert_str_eq(ex.allow, "workspace:" W);
    }
    guard_free(&gr);
    guard_free(&gi);
    guard_free(&ga);
    authz_token_free(tok);
}
END_TEST

/* Encoded tokens, binary and base64url, and every prefix of them. */
START_TEST(test_guard_decode)
{
    const char *scopes[] = {"coder:workspaces.access", "template:use",
                            "no_user_data"};
    const char *allow[] = {"*:" W, "template:" T, "user:*",
                           "workspace:" T};
    authz_error err;
    authz_token *tok = authz_token_new(authz_catalog_coder(), scopes, 3,
                                       allow, 4, &err);
    unsigned char bin[1024];
    char text[2048];
    size_t bn, tn, n;
    struct guard g;
    ck_assert_msg(tok != NULL, "%s", err.message);
    ck_assert_int_eq(authz_token_encode(tok, bin, sizeof bin, &bn), AUTHZ_OK);
    ck_assert_int_eq(authz_token_encode_text(tok, text, sizeof text, &tn),
                     AUTHZ_OK);
    authz_token_free(tok);
    guard_init(&g, sizeof text);
    for (n = 0; n <= bn; n++) {
        int edge;
        for (edge = 0; edge < 2; edge++) {
            const char *p = edge ? guard_end(&g, (const char *)bin, n)
                                 : guard_start(&g, (const char *)bin, n);
            tok = authz_token_decode(authz_catalog_coder(), p, n, &err);
            ck_assert_msg((tok != NULL) == (n == bn),
                          "%zu of %zu bytes: %s", n, bn, err.message);
            if (tok == NULL)
                ck_assert_uint_le(err.offset, n);
            authz_token_free(tok);
        }
    }
    for (n = 0; n <= tn; n++) {
        int edge;
        for (edge = 0; edge < 2; edge++) {
            const char *p = edge ? guard_end(&g, text, n)
                                 : guard_start(&g, text, n);
            tok = authz_token_decode_text(authz_catalog_coder(), p, n, NULL,
                                          &err);
            ck_assert_msg((tok != NULL) == (n == tn), "%zu of %zu chars", n,
                          tn);
            authz_token_free(tok);
        }
    }
    guard_free(&g);
}
END_TEST

/* The set operations take the same length-delimited entries. */
START_TEST(test_guard_setops)
{
    static const char *const entries[] = {
        "workspace:" W, "*:{" W "}", "template:urn:uuid:" T, "*:*",
        "workspace:*", "user:3f2504e04f8941d39a0c0305e82c3301",
        "coder:all", "workspace:read", "all", "coder:workspaces.create",
    };
    struct guard ga, gb;
    size_t i, j, n;
    guard_init(&ga, 4096);
    guard_init(&gb, 4096);
    for (i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        size_t len = strlen(entries[i]);
        for (n = 0; n <= len; n++) {
            authz_str a = {guard_end(&ga, entries[i], n), n};
            for (j = 0; j < sizeof entries / sizeof entries[0]; j++) {
                authz_str b = {guard_start(&gb, entries[j],
                                           strlen(entries[j])),
                               strlen(entries[j])};
                authz_error err;
                bool covered;
                authz_list_free(authz_allow_intersect(
                    authz_catalog_coder(), &a, 1, &b, 1, NULL, &err));
                authz_list_free(authz_allow_union(authz_catalog_coder(), &a,
                                                  1, &b, 1, NULL, &err));
                int rc = authz_scopes_cover(authz_catalog_coder(), &a, 1, &b,
                                            1, &covered, NULL, NULL, &err);
                ck_assert(rc == AUTHZ_OK || !covered);
            }
            {
                authz_error err;
                authz_list_free(authz_scopes_normalize(
                    authz_catalog_coder(), &a, 1, NULL, &err));
                authz_list_free(authz_allow_normalize(
                    authz_catalog_coder(), &a, 1, NULL, &err));
            }
        }
    }
    guard_free(&ga);
    guard_free(&gb);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Hash flooding                                                             */
/* ------------------------------------------------------------------------ */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void format_uuid(uint64_t hi, uint64_t lo, char out[37])
{
    snprintf(out, 37, "%08llx-%04llx-%04llx-%04llx-%012llx",
             (unsigned long long)(hi >> 32),
             (unsigned long long)(hi >> 16 & 0xffff),
             (unsigned long long)(hi & 0xffff),
             (unsigned long long)(lo >> 48),
             (unsigned long long)(lo & UINT64_C(0xffffffffffff)));
}

/* How the k-th id of a list is made. Ids k < n are listed; n <= k < 2n are
 * the misses a flooder would also ask about. */
enum pattern {
    RANDOM,      /* the baseline */
    MOD_TABLE,   /* lo = k * table size: all equal modulo the table */
    MOD_POW2,    /* lo = k << 32: equal modulo every power of two <= 2^32 */
    HIGH_BITS,   /* differ only in the top bits of hi */
    SAME_HI,     /* hi fixed, lo sequential */
    SAME_LO,     /* lo fixed, hi sequential */
    N_PATTERNS
};

static const char *const PATTERN_NAMES[] = {
    "random", "equal modulo the table size", "equal modulo 2^32",
    "differing only in high bits", "equal high half", "equal low half",
};

static void make_id(enum pattern p, size_t k, size_t n, uint64_t *rng,
                    char out[37])
{
    uint64_t table = n + n / 2 + 1; /* also a likely size for any table */
    uint64_t hi = 0, lo = 0, kk = (uint64_t)k;
    switch (p) {
    case RANDOM: hi = splitmix(rng); lo = splitmix(rng); break;
    case MOD_TABLE: hi = 0; lo = (kk + 1) * table; break;
    case MOD_POW2: hi = 0; lo = (kk + 1) << 32; break;
    case HIGH_BITS: hi = (kk + 1) << 48; lo = 0; break;
    case SAME_HI: hi = UINT64_C(0x3f2504e04f8941d3); lo = kk; break;
    case SAME_LO: hi = kk; lo = UINT64_C(0x9a0c0305e82c3301); break;
    default: break;
    }
    format_uuid(hi, lo, out);
}

struct flood_list {
    authz_token *tok;
    char (*ids)[37]; /* 2n: n listed, n not */
};

static void flood_build(struct flood_list *l, enum pattern p, size_t n,
                        uint64_t seed)
{
    char (*entries)[48] = malloc(n * sizeof *entries);
    authz_options opts;
    authz_error err;
    uint64_t rng = seed;
    authz_str sv[1] = {{"workspace:read", 14}};
    authz_str *av = malloc(n * sizeof *av);
    size_t k;
    ck_assert(entries != NULL && av != NULL);
    l->ids = malloc(2 * n * sizeof *l->ids);
    ck_assert_ptr_nonnull(l->ids);
    for (k = 0; k < 2 * n; k++)
        make_id(p, k, n, &rng, l->ids[k]);
    for (k = 0; k < n; k++) {
        snprintf(entries[k], sizeof entries[k], "workspace:%s", l->ids[k]);
        av[k].ptr = entries[k];
        av[k].len = strlen(entries[k]);
    }
    authz_options_init(&opts);
    opts.max_allow = n;
    l->tok = authz_token_new_ex(authz_catalog_coder(), sv, 1, av, n, &opts,
                                &err);
    ck_assert_msg(l->tok != NULL, "%s", err.message);
    free(av);
    free(entries);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Time of checking `count` ids from `first` on (wrapping), half of them
 * listed. Short on purpose: a sample well under a scheduler time slice is
 * rarely interrupted, so the median of many is stable on a busy machine. */
static double flood_sample(const struct flood_list *l, size_t n,
                           size_t first, size_t count)
{
    size_t i, allowed = 0, want = 0;
    double t0 = now_seconds();
    for (i = 0; i < count; i++)
        allowed += authz_check_n(l->tok, "workspace", 9,
                                 l->ids[(first + i) % (2 * n)], 36, "read",
                                 4);
    t0 = now_seconds() - t0;
    for (i = 0; i < count; i++)
        want += (first + i) % (2 * n) < n;
    ck_assert_uint_eq(allowed, want);
    return t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define FLOOD_SAMPLE 512 /* checks per sample */
#define FLOOD_REPS 401   /* samples per list */

/* Crafted lists against a random one of the same size: the ratio of the
 * medians of many short samples, interleaved (each round samples the same
 * stretch of ids of every list) so that machine noise and frequency changes
 * hit every list alike. */
static void flood(size_t n)
{
    const size_t reps = FLOOD_REPS;
    struct flood_list lists[N_PATTERNS];
    double *samples[N_PATTERNS], med[N_PATTERNS];
    size_t p, r;
    for (p = 0; p < N_PATTERNS; p++) {
        flood_build(&lists[p], (enum pattern)p, n, 0x5eed + p);
        samples[p] = malloc(reps * sizeof *samples[p]);
        ck_assert_ptr_nonnull(samples[p]);
        (void)flood_sample(&lists[p], n, 0, 2 * n); /* warm the caches */
    }
    for (r = 0; r < reps; r++) {
        size_t first = r * FLOOD_SAMPLE % (2 * n);
        for (p = 0; p < N_PATTERNS; p++)
            samples[p][r] = flood_sample(&lists[p], n, first, FLOOD_SAMPLE);
    }
    for (p = 0; p < N_PATTERNS; p++)
        med[p] = median(samples[p], reps);
    for (p = 1; p < N_PATTERNS; p++) {
        double ratio = med[p] / med[RANDOM];
        if (getenv("AUTHZ_FLOOD_VERBOSE") != NULL)
            fprintf(stderr, "flood n=%zu: %-28s %.1f us vs %.1f us: x%.2f\n",
                    n, PATTERN_NAMES[p], med[p] * 1e6, med[RANDOM] * 1e6,
                    ratio);
        ck_assert_msg(ratio < 2.0,
                      "n=%zu: ids %s check %.2fx slower than random ids "
                      "(%.1f us vs %.1f us per %d checks, medians of %zu)",
                      n, PATTERN_NAMES[p], ratio, med[p] * 1e6,
                      med[RANDOM] * 1e6, FLOOD_SAMPLE, reps);
    }
    for (p = 0; p < N_PATTERNS; p++) {
        authz_token_free(lists[p].tok);
        free(lists[p].ids);
        free(samples[p]);
    }
}

START_TEST(test_flood_128)
{
    flood(128);
}
END_TEST

START_TEST(test_flood_10000)
{
    flood(10000);
}
END_TEST

Suite *hardening_suite(void)
{
    Suite *s = suite_create("hardening");
    TCase *tc = tcase_create("guard_pages");
    /* Generous: valgrind runs every parse here some 50 times slower. */
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_guard_scopes);
    tcase_add_test(tc, test_guard_allow);
    tcase_add_test(tc, test_guard_catalog);
    tcase_add_test(tc, test_guard_check);
    tcase_add_test(tc, test_guard_decode);
    tcase_add_test(tc, test_guard_setops);
    suite_add_tcase(s, tc);

    tc = tcase_create("hash_flooding");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_flood_128);
    tcase_add_test(tc, test_flood_10000);
    suite_add_tcase(s, tc);
    return s;
}
