/*
 * check_diff.c - differential test: the library against the naive reference
 * model of tests/ref_model.c, on seeded random tokens and requests.
 *
 * A *case* is one generated token (scopes, allow list, constructor and
 * options) plus REQUESTS_PER_CASE checks on it. Both sides must fail to build
 * with the same code or both build, and then give the same answer to every
 * check (authz_check and authz_check_n).
 *
 * Environment:
 *   AUTHZ_DIFF_CASES   number of cases (default 100000)
 *   AUTHZ_DIFF_SEED    base seed (default DEFAULT_SEED)
 *   AUTHZ_DIFF_FIRST   index of the first case (to replay one case:
 *                      AUTHZ_DIFF_FIRST=<i> AUTHZ_DIFF_CASES=1)
 *   AUTHZ_DIFF_REPORT  how many disagreements to print in full (default 5)
 *
 * `make test` runs a shorter differential (TEST_DIFF_CASES), `make check`
 * the default count. Run this suite alone with CK_RUN_SUITE=diff.
 */
#include "tests.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_model.h"

#define DEFAULT_CASES 100000u
#define DEFAULT_SEED UINT64_C(0x5eed2025a11c0de5)
#define HEALTH_CASES 20000u
#define REQUESTS_PER_CASE 4

#define ENTRY_CAP 320 /* longest generated entry is 262 bytes */
#define MAX_GEN_SCOPES 260
#define MAX_GEN_ALLOW 140
#define REQUEST_CAP 96

/* ------------------------------------------------------------------------ */
/* Random choices: one test_rng stream per case so any case replays alone   */
/* ------------------------------------------------------------------------ */

static uint64_t case_seed(uint64_t base, uint64_t index)
{
    test_rng p = {base ^ (index * UINT64_C(0xd1b54a32d192ed03))};
    return test_rng_next(&p);
}

static size_t below(test_rng *p, size_t n)
{
    return test_rng_below(p, n);
}

static bool chance_permille(test_rng *p, size_t permille)
{
    return below(p, 1000) < permille;
}

static const char *pick(test_rng *p, const char *const *list, size_t n)
{
    return list[below(p, n)];
}

#define PICK(p, array) pick((p), (array), sizeof(array) / sizeof((array)[0]))

/* ------------------------------------------------------------------------ */
/* Pools                                                                     */
/* ------------------------------------------------------------------------ */

/* A small pool so that allow entries and request ids hit each other often.
 * Two differ only in their last digit; one is all letters (case matters for
 * spelling); one is the nil UUID. */
static const char *const UUID_POOL[] = {
    "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "3f2504e0-4f89-41d3-9a0c-0305e82c3302",
    "abcdefab-cdef-abcd-efab-cdefabcdefab",
    "00000000-0000-0000-0000-000000000000",
};
#define UUID_POOL_SIZE (sizeof UUID_POOL / sizeof UUID_POOL[0])

/* Types that most generated scopes, entries and requests use, so that
 * grants and admissions meet often. Includes near-namesakes (workspace vs
 * workspace_dormant vs prebuilt_workspace, user vs user_secret). */
static const char *const HOT_TYPES[] = {
    "workspace", "workspace_dormant",  "prebuilt_workspace",  "template",
    "user",      "user_secret",        "organization_member", "file",
    "api_key",   "inbox_notification",
};

static const char *const BAD_SCOPES[] = {
    "",
    ":",
    "*",
    "*:read",
    "*:",
    ":*",
    "**:*",
    "*:**",
    "*:create",
    "coder:bogus",
    "coder:",
    "coder:*",
    "coder",
    "coder:all:",
    "coder:All",
    "Coder:all",
    "ALL",
    "All",
    "all ",
    " all",
    "coder:workspaces",
    "coder:workspaces.create ",
    "coder:workspaces.Create",
    "coder:no_user_data",
    "no_user_data:",
    "no_user_data:*",
    "coder:application_connect:x",
    "application_connect:*",
    "coder:templates.author.",
    "a:b:c",
    "workspace:read:x",
    "workspace::read",
    "Workspace:read",
    "workspace:read ",
    " workspace:read",
    "workspace:Read",
    "workspace:",
    ":read",
    "unknown:read",
    "workspace:bogus",
    "workspace:**",
    "workspace:* ",
    "workspace_dormant:view_insights",
    "prebuilt_workspace:read",
    "template:ssh",
    "user:share",
    "workspace:\x7f",
    "work\xc3\xa9space:read",
    "workspace:read\n",
    "workspace:\tread",
    "coder:templates.build\t",
    "workspaces:read",
    "workspace:reads",
    "user:*:*",
    "*:*:*",
    "*:all",
    "coder::all",
    "inbox_notification:*:",
    "debug_info:*",
    "debug_info:read",
    "template:view_insights",
    "no_user_data",
    "coder:apikeys.manage_self",
    "organization_skill:share",
};

static const char *const BAD_ALLOW[] = {
    "",
    ":",
    "*",
    "**",
    "workspace",
    "workspace:",
    ":*",
    "*:",
    "::",
    "Workspace:*",
    "coder:*",
    "workspaces:*",
    "workspace:**",
    "workspace:*:",
    "**:*",
    "workspace: *",
    "workspace:*\n",
    " workspace:*",
    "workspace:* ",
    "*:abcdef1234",
    "workspace:abcdef1234",
    "*:*:*",
    "*: *",
    "\x01:*",
    "unknown:3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    "workspace :3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    "workspace:3f2504e0-4f89-41d3-9a0c-0305e82c3301:",
    "workspace:3f2504e0-4f89-41d3-9a0c-0305e82c3301*",
    "workspace:urn:uuid:",
    "user:{}",
    "template:-",
    "template:null",
};

static const char *const UNKNOWN_RESOURCES[] = {
    "Workspace", "workspaces",     "*",         "",
    "coder",     "workspace ",     "user\n",    "no_user_data",
    "all",       "workspace:read", "WORKSPACE", "template\x7f",
};

static const char *const UNKNOWN_ACTIONS[] = {
    "*",    "fly", "",      "Read",      "read ",  "create_agent ",
    "READ", "all", "ssh\t", "workspace", "read:*",
};

static const char *const NON_UUID_IDS[] = {
    "abcdef1234", "*",        "workspace", "0",
    "null",       "3f2504e0", "{}",        "3f2504e0-4f89-41d3-9a0c",
    "\t",         " ",
};

static const char *hot_type(test_rng *p)
{
    return PICK(p, HOT_TYPES);
}

static const char *any_type(test_rng *p)
{
    return ref_type_name(below(p, ref_n_types()));
}

static const char *some_type(test_rng *p)
{
    return chance_permille(p, 800) ? hot_type(p) : any_type(p);
}

static const char *random_action_of(test_rng *p, const char *type)
{
    size_t t;
    if (!ref_find_type(type, &t))
        return "read";
    return ref_action_name(t, below(p, ref_n_actions(t)));
}

/* ------------------------------------------------------------------------ */
/* Text helpers                                                              */
/* ------------------------------------------------------------------------ */

static char ascii_upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char flip_case(char c)
{
    return (c >= 'a' && c <= 'z') ? ascii_upper(c) : ascii_lower(c);
}

/* Random hex digits (lower case) into out[0..n), NUL-terminated. */
static void random_hex(test_rng *p, char *out, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++)
        out[i] = digits[below(p, 16)];
    out[n] = '\0';
}

static void random_uuid(test_rng *p, char out[37])
{
    char hex[33];
    random_hex(p, hex, 32);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
             hex + 16, hex + 20);
}

/* The 32 hex digits of a canonical UUID. */
static void strip_dashes(const char *uuid36, char out[33])
{
    size_t k = 0;
    for (const char *c = uuid36; *c != '\0'; c++)
        if (*c != '-')
            out[k++] = *c;
    out[k] = '\0';
}

/* One of the four accepted spellings of a canonical UUID, in lower, upper
 * or mixed case. */
static void spell_uuid(test_rng *p, const char *canonical, char *out,
                       size_t cap)
{
    char body[37];
    size_t style = below(p, 3); /* 0 lower, 1 upper, 2 mixed */
    for (size_t i = 0; i <= 36; i++) {
        char c = canonical[i];
        if (style == 1 || (style == 2 && below(p, 2) == 0))
            c = ascii_upper(c);
        body[i] = c;
    }

    size_t form = below(p, 100);
    if (form < 45) {
        snprintf(out, cap, "%s", body);
    } else if (form < 60) {
        snprintf(out, cap, "{%s}", body);
    } else if (form < 75) {
        char prefix[10] = "urn:uuid:";
        for (size_t i = 0; i < 9; i++)
            if (below(p, 3) == 0)
                prefix[i] = ascii_upper(prefix[i]);
        snprintf(out, cap, "%s%s", prefix, body);
    } else {
        char hex[33];
        strip_dashes(body, hex);
        snprintf(out, cap, "%s", hex);
    }
}

/* A near miss: looks like a UUID spelling but is not one of the four. */
static void spell_bad_uuid(test_rng *p, const char *canonical, char *out,
                           size_t cap)
{
    char hex[33];
    char body[37];
    strip_dashes(canonical, hex);
    snprintf(body, sizeof body, "%s", canonical);

    switch (below(p, 24)) {
    case 0:
        snprintf(out, cap, "abcdef1234");
        break;
    case 1:
        snprintf(out, cap, "{%s}", hex);
        break;
    case 2:
        snprintf(out, cap, "[%s]", body);
        break;
    case 3:
        snprintf(out, cap, "(%s)", body);
        break;
    case 4:
        snprintf(out, cap, "{%s]", body);
        break;
    case 5:
        snprintf(out, cap, "x%sx", body);
        break; /* google/uuid takes this */
    case 6:
        snprintf(out, cap, "urn:uuid:%s", hex);
        break;
    case 7:
        snprintf(out, cap, "urn:uuid:{%s}", body);
        break;
    case 8:
        snprintf(out, cap, "uuid:%s", body);
        break;
    case 9:
        body[8] = body[9];
        body[9] = '-';
        snprintf(out, cap, "%s", body);
        break;
    case 10:
        body[below(p, 8)] = 'g';
        snprintf(out, cap, "%s", body);
        break;
    case 11:
        body[35] = '\0';
        snprintf(out, cap, "%s", body);
        break;
    case 12:
        snprintf(out, cap, "%s0", body);
        break;
    case 13:
        hex[31] = '\0';
        snprintf(out, cap, "%s", hex);
        break;
    case 14:
        snprintf(out, cap, "%s0", hex);
        break;
    case 15:
        body[8] = body[13] = body[18] = body[23] = '_';
        snprintf(out, cap, "%s", body);
        break;
    case 16:
        snprintf(out, cap, "urn:uuid-%s", body);
        break;
    case 17:
        snprintf(out, cap, "urn:uuie:%s", body);
        break;
    case 18:
        snprintf(out, cap, "{%s", body);
        break;
    case 19:
        snprintf(out, cap, "%s}", body);
        break;
    case 20:
        body[8] = body[13] = body[18] = body[23] = '+';
        snprintf(out, cap, "%s", body);
        break;
    case 21:
        snprintf(out, cap, "0x%s", hex);
        break;
    case 22:
        body[0] = '\xc3';
        snprintf(out, cap, "%s", body);
        break;
    default:
        snprintf(out, cap, "{urn:uuid:%s}", body);
        break;
    }
}

/* Small edits that turn a valid entry into a (usually) invalid one. */
static void mutate(test_rng *p, char *s, size_t cap)
{
    static const char controls[] = {'\t', '\n', '\r', '\x01', '\x7f', '\x1f'};
    size_t len = strlen(s);
    if (len == 0 || len + 3 >= cap) {
        snprintf(s, cap, "%s", "");
        return;
    }
    size_t at = below(p, len);
    switch (below(p, 11)) {
    case 0: /* flip the case of a letter */
        for (size_t k = 0; k < len; k++) {
            size_t i = (at + k) % len;
            if (is_letter(s[i])) {
                s[i] = flip_case(s[i]);
                break;
            }
        }
        break;
    case 1:
        strcat(s, " ");
        break;
    case 2:
        memmove(s + 1, s, len + 1);
        s[0] = ' ';
        break;
    case 3:
        s[at] = (char)(0x21 + below(p, 0x7e - 0x21 + 1));
        break;
    case 4:
        memmove(s + at, s + at + 1, len - at);
        break;
    case 5:
        memmove(s + at + 1, s + at, len - at + 1);
        s[at] = controls[below(p, sizeof controls)];
        break;
    case 6:
        memmove(s + at + 1, s + at, len - at + 1);
        s[at] = ':';
        break;
    case 7:
        strcat(s, ":x");
        break;
    case 8:
        s[at] = '\0';
        break;
    case 9:
        memmove(s + at + 1, s + at, len - at + 1);
        break; /* doubles s[at] */
    default:
        memmove(s + at + 1, s + at, len - at + 1);
        s[at] = (char)(0x80 + below(p, 0x80));
        break;
    }
}

/* An entry of 250..262 bytes around the 256-byte default limit: `prefix`
 * followed by filler. */
static void long_entry(test_rng *p, const char *prefix, char filler, char *out,
                       size_t cap)
{
    size_t total = 250 + below(p, 13);
    size_t n = (size_t)snprintf(out, cap, "%s", prefix);
    while (n < total && n + 1 < cap)
        out[n++] = filler;
    out[n] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Generators                                                                */
/* ------------------------------------------------------------------------ */

static void gen_valid_scope(test_rng *p, char *out, size_t cap)
{
    size_t r = below(p, 1000);
    if (r < 400) {
        const char *t = hot_type(p);
        snprintf(out, cap, "%s:%s", t, random_action_of(p, t));
    } else if (r < 520) {
        const char *t = any_type(p);
        snprintf(out, cap, "%s:%s", t, random_action_of(p, t));
    } else if (r < 680) {
        snprintf(out, cap, "%s:*", some_type(p));
    } else if (r < 710) {
        snprintf(out, cap, "*:*");
    } else {
        snprintf(out, cap, "%s",
                 ref_named_scope(below(p, ref_n_named_scopes())));
    }
}

static void gen_bad_scope(test_rng *p, char *out, size_t cap)
{
    size_t r = below(p, 100);
    if (r < 45) {
        gen_valid_scope(p, out, cap);
        mutate(p, out, cap);
    } else if (r < 92) {
        snprintf(out, cap, "%s", PICK(p, BAD_SCOPES));
    } else {
        static const char *const prefixes[] = {
            "workspace:", "coder:", "*:", "template:re"};
        long_entry(p, PICK(p, prefixes), 'x', out, cap);
    }
}

/* pool_index: which UUID_POOL entry the id spells, or -1. */
/* prefer: a type the token's scopes name, used for half the typed entries
 * (tokens usually list objects of the types they grant on), or NULL. */
static void gen_valid_allow(test_rng *p, char *out, size_t cap, int *pool_index,
                            const char *prefer)
{
    char id[64];
    size_t r = below(p, 100);
    *pool_index = -1;
    if (r < 6) {
        snprintf(out, cap, "*:*");
        return;
    }
    if (r < 20) {
        snprintf(out, cap, "%s:*",
                 prefer && below(p, 2) ? prefer : some_type(p));
        return;
    }
    if (chance_permille(p, 900)) {
        size_t k = below(p, UUID_POOL_SIZE);
        spell_uuid(p, UUID_POOL[k], id, sizeof id);
        *pool_index = (int)k;
    } else {
        char fresh[37];
        random_uuid(p, fresh);
        spell_uuid(p, fresh, id, sizeof id);
    }
    if (r < 75)
        snprintf(out, cap, "%s:%s",
                 prefer && below(p, 2) ? prefer : some_type(p), id);
    else
        snprintf(out, cap, "*:%s", id);
}

static void gen_bad_allow(test_rng *p, char *out, size_t cap)
{
    size_t r = below(p, 100);
    int ignored;
    if (r < 35) {
        gen_valid_allow(p, out, cap, &ignored, NULL);
        mutate(p, out, cap);
    } else if (r < 75) {
        char id[80];
        spell_bad_uuid(p, UUID_POOL[below(p, UUID_POOL_SIZE)], id, sizeof id);
        snprintf(out, cap, "%s:%s",
                 chance_permille(p, 800) ? some_type(p) : "*", id);
    } else if (r < 95) {
        snprintf(out, cap, "%s", PICK(p, BAD_ALLOW));
    } else {
        static const char *const prefixes[] = {
            "workspace:", "*:", "template:3f2504e0"};
        long_entry(p, PICK(p, prefixes), chance_permille(p, 500) ? 'a' : '*',
                   out, cap);
    }
}

typedef struct diff_case {
    size_t index;
    uint64_t seed;
    bool use_ex;          /* authz_token_new_ex instead of authz_token_new */
    size_t opt_max_allow; /* authz_options.max_allow when use_ex; 0 = default */
    bool null_arrays;     /* pass NULL for an empty list */

    size_t n_scopes;
    const char *scopes[MAX_GEN_SCOPES]; /* NULL or points into scope_text */
    char scope_text[MAX_GEN_SCOPES][ENTRY_CAP];

    size_t n_allow;
    const char *allow[MAX_GEN_ALLOW];
    char allow_text[MAX_GEN_ALLOW][ENTRY_CAP];
    int allow_pool[MAX_GEN_ALLOW]; /* UUID_POOL index of the id, or -1 */

    /* authz_token_new_ex only: byte i of the entry is a NUL for the library
     * (the model sees \x01, another control byte, in its place); -1 = none.
     * Every entry is also followed by junk bytes that are not part of it. */
    int scope_nul_at[MAX_GEN_SCOPES];
    int allow_nul_at[MAX_GEN_ALLOW];
} diff_case;

typedef struct diff_request {
    const char *resource, *id, *action; /* NULL or point into the texts */
    char resource_text[REQUEST_CAP], id_text[REQUEST_CAP],
        action_text[REQUEST_CAP];
    bool id_from_pool; /* spells a pool UUID */
} diff_request;

/* How many entries a list gets: usually 1..4, sometimes none, sometimes a
 * count around the limit. */
static size_t gen_count(test_rng *p, size_t limit, size_t max, bool *near_limit)
{
    size_t r = below(p, 1000);
    *near_limit = false;
    if (r < 40)
        return 0;
    if (r < 52) {
        *near_limit = true;
        size_t n = limit - 3 + below(p, 7); /* limit-3 .. limit+3 */
        return n > max ? max : n;
    }
    return 1 + below(p, 4);
}

/* The catalog type that scopes[i] starts with, or NULL. */
static const char *scope_type_of(const diff_case *c, size_t i)
{
    if (i >= c->n_scopes || c->scopes[i] == NULL)
        return NULL;
    const char *colon = strchr(c->scopes[i], ':');
    for (size_t t = 0; colon != NULL && t < ref_n_types(); t++) {
        const char *name = ref_type_name(t);
        size_t n = strlen(name);
        if ((size_t)(colon - c->scopes[i]) == n &&
            strncmp(c->scopes[i], name, n) == 0)
            return name;
    }
    return NULL;
}

/* For the length-delimited path only: sometimes picks a byte of a
 * non-empty entry to become an embedded NUL, and marks it \x01 in the
 * model's text. Returns its position or -1. */
static int embed_nul(test_rng *p, bool use_ex, char *text, size_t bad_permille)
{
    size_t len = strlen(text);
    if (!use_ex || len == 0 || !chance_permille(p, bad_permille / 4))
        return -1;
    size_t at = below(p, len);
    text[at] = '\x01';
    return (int)at;
}

static void gen_case(diff_case *c, uint64_t base_seed, size_t index)
{
    test_rng p = {case_seed(base_seed, index)};
    c->index = index;
    c->seed = p.state;

    c->use_ex = chance_permille(&p, 250);
    c->opt_max_allow = 0;
    if (c->use_ex && chance_permille(&p, 500)) {
        static const size_t limits[] = {1, 2, 3, 4, 5, 127, 128, 129, 200};
        c->opt_max_allow = limits[below(&p, sizeof limits / sizeof limits[0])];
    }
    c->null_arrays = chance_permille(&p, 500);

    /* Per-entry odds of an invalid entry: low enough that most tokens
     * build, and none in long lists, which should mostly reach the limit. */
    bool near_limit;
    c->n_scopes = gen_count(&p, REF_MAX_SCOPES, MAX_GEN_SCOPES, &near_limit);
    size_t bad_permille = near_limit ? 0 : 25;
    for (size_t i = 0; i < c->n_scopes; i++) {
        char *text = c->scope_text[i];
        c->scopes[i] = text;
        if (chance_permille(&p, bad_permille / 8)) {
            c->scopes[i] = NULL;
            text[0] = '\0';
        } else if (chance_permille(&p, bad_permille)) {
            gen_bad_scope(&p, text, ENTRY_CAP);
        } else if (i > 0 && chance_permille(&p, 50)) {
            memcpy(text, c->scope_text[below(&p, i)],
                   ENTRY_CAP); /* duplicate */
        } else {
            gen_valid_scope(&p, text, ENTRY_CAP);
        }
        c->scope_nul_at[i] = embed_nul(&p, c->use_ex, text, bad_permille);
    }

    size_t allow_limit =
        c->opt_max_allow != 0 ? c->opt_max_allow : REF_DEFAULT_MAX_ALLOW;
    c->n_allow = gen_count(&p, allow_limit < 4 ? 4 : allow_limit, MAX_GEN_ALLOW,
                           &near_limit);
    bad_permille = near_limit ? 0 : 25;
    for (size_t i = 0; i < c->n_allow; i++) {
        char *text = c->allow_text[i];
        c->allow[i] = text;
        c->allow_pool[i] = -1;
        if (chance_permille(&p, bad_permille / 8)) {
            c->allow[i] = NULL;
            text[0] = '\0';
        } else if (chance_permille(&p, bad_permille)) {
            gen_bad_allow(&p, text, ENTRY_CAP);
        } else if (i > 0 && chance_permille(&p, 50)) {
            size_t j = below(&p, i); /* duplicate */
            memcpy(text, c->allow_text[j], ENTRY_CAP);
            c->allow_pool[i] = c->allow_pool[j];
        } else {
            gen_valid_allow(&p, text, ENTRY_CAP, &c->allow_pool[i],
                            scope_type_of(c, below(&p, c->n_scopes + 1)));
        }
        c->allow_nul_at[i] = embed_nul(&p, c->use_ex, text, bad_permille);
    }
}

/* A request, often aimed at what the token holds so that allows are common. */
static void gen_request(test_rng *p, const diff_case *c, diff_request *q)
{
    bool targeted = chance_permille(p, 750);
    const char *scope = NULL;
    if (targeted && c->n_scopes > 0)
        scope = c->scopes[below(p, c->n_scopes)];

    /* resource */
    char scope_type[REQUEST_CAP] = "";
    const char *scope_action = NULL;
    if (scope != NULL) {
        const char *colon = strchr(scope, ':');
        if (colon != NULL && (size_t)(colon - scope) < sizeof scope_type) {
            memcpy(scope_type, scope, (size_t)(colon - scope));
            scope_type[colon - scope] = '\0';
            scope_action = colon + 1;
        }
    }
    char allow_type[REQUEST_CAP] = "";
    size_t aimed_entry = 0;
    if (targeted && c->n_allow > 0) {
        aimed_entry = below(p, c->n_allow);
        const char *entry = c->allow[aimed_entry];
        const char *colon = entry ? strchr(entry, ':') : NULL;
        if (colon != NULL && (size_t)(colon - entry) < sizeof allow_type) {
            memcpy(allow_type, entry, (size_t)(colon - entry));
            allow_type[colon - entry] = '\0';
        }
    }
    size_t r = below(p, 100);
    q->resource = q->resource_text;
    if (r < 2)
        q->resource = NULL;
    else if (r < 7)
        snprintf(q->resource_text, REQUEST_CAP, "%s",
                 PICK(p, UNKNOWN_RESOURCES));
    else if (ref_find_type(scope_type, NULL) && r < 55)
        snprintf(q->resource_text, REQUEST_CAP, "%s", scope_type);
    else if (ref_find_type(allow_type, NULL) && r < 75)
        snprintf(q->resource_text, REQUEST_CAP, "%s", allow_type);
    else if (r < 20)
        snprintf(q->resource_text, REQUEST_CAP, "%s", any_type(p));
    else
        snprintf(q->resource_text, REQUEST_CAP, "%s", hot_type(p));

    /* action */
    size_t type_index;
    bool known_type =
        q->resource != NULL && ref_find_type(q->resource, &type_index);
    r = below(p, 100);
    q->action = q->action_text;
    if (r < 2)
        q->action = NULL;
    else if (r < 7)
        snprintf(q->action_text, REQUEST_CAP, "%s", PICK(p, UNKNOWN_ACTIONS));
    else if (r < 15 || !known_type)
        snprintf(q->action_text, REQUEST_CAP, "%s",
                 random_action_of(p, any_type(p)));
    else if (scope_action != NULL && strcmp(scope_type, q->resource) == 0 &&
             ref_type_has_action(type_index, scope_action) && r < 60)
        snprintf(q->action_text, REQUEST_CAP, "%s", scope_action);
    else
        snprintf(
            q->action_text, REQUEST_CAP, "%s",
            ref_action_name(type_index, below(p, ref_n_actions(type_index))));

    /* id */
    q->id = q->id_text;
    q->id_from_pool = false;
    r = below(p, 100);
    if (r < 7) {
        q->id = NULL;
    } else if (r < 15) {
        q->id_text[0] = '\0';
    } else if (r < 22) {
        snprintf(q->id_text, REQUEST_CAP, "%s", PICK(p, NON_UUID_IDS));
    } else if (r < 32) {
        spell_bad_uuid(p, UUID_POOL[below(p, UUID_POOL_SIZE)], q->id_text,
                       REQUEST_CAP);
    } else if (r < 38) {
        char fresh[37];
        random_uuid(p, fresh);
        spell_uuid(p, fresh, q->id_text, REQUEST_CAP);
    } else {
        size_t k = below(p, UUID_POOL_SIZE);
        if (targeted && c->n_allow > 0) {
            int aimed =
                c->allow_pool[below(p, 3) ? aimed_entry : below(p, c->n_allow)];
            if (aimed >= 0)
                k = (size_t)aimed;
        }
        spell_uuid(p, UUID_POOL[k], q->id_text, REQUEST_CAP);
        q->id_from_pool = true;
    }
}

/* ------------------------------------------------------------------------ */
/* Running one case on both sides                                            */
/* ------------------------------------------------------------------------ */

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void text_printf(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t need = t->len + (size_t)n + 1;
    if (need > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < need)
            cap *= 2;
        char *bigger = realloc(t->p, cap);
        if (bigger == NULL)
            return;
        t->p = bigger;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* s as a C string literal, or NULL. */
static void text_quote(text *t, const char *s)
{
    if (s == NULL) {
        text_printf(t, "NULL");
        return;
    }
    text_printf(t, "\"");
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            text_printf(t, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            text_printf(t, "\\x%02x\"\"", c); /* "" ends the hex escape */
        else
            text_printf(t, "%c", c);
    }
    text_printf(t, "\"");
}

static void text_list(text *t, const char *name, const char *const *list,
                      size_t n)
{
    text_printf(t, "  %s[%zu] = {", name, n);
    for (size_t i = 0; i < n; i++) {
        text_printf(t, i ? ", " : " ");
        text_quote(t, list[i]);
    }
    text_printf(t, " }\n");
}

static void describe_case(text *t, const diff_case *c, uint64_t base_seed)
{
    text_printf(t,
                "case %zu (AUTHZ_DIFF_SEED=0x%016" PRIx64
                " AUTHZ_DIFF_FIRST=%zu AUTHZ_DIFF_CASES=1)\n",
                c->index, base_seed, c->index);
    if (c->use_ex)
        text_printf(t,
                    "  constructor: authz_token_new_ex (authz_str entries, "
                    "each followed by junk "
                    "bytes; a NULL entry is {NULL,0}), "
                    "opts.max_allow=%zu\n",
                    c->opt_max_allow);
    else
        text_printf(t, "  constructor: authz_token_new, %s arrays when empty\n",
                    c->null_arrays ? "NULL" : "non-NULL");
    text_list(t, "scopes", c->scopes, c->n_scopes);
    text_list(t, "allow", c->allow, c->n_allow);
    for (size_t i = 0; c->use_ex && i < c->n_scopes; i++)
        if (c->scope_nul_at[i] >= 0)
            text_printf(t, "  scopes[%zu] byte %d is a NUL for the library\n",
                        i, c->scope_nul_at[i]);
    for (size_t i = 0; c->use_ex && i < c->n_allow; i++)
        if (c->allow_nul_at[i] >= 0)
            text_printf(t, "  allow[%zu] byte %d is a NUL for the library\n", i,
                        c->allow_nul_at[i]);
}

typedef struct diff_stats {
    size_t cases, built, build_errors;
    size_t errors_by_code[AUTHZ_ECATALOG + 1];
    size_t checks, allows, denies, uuid_only_allows, spelled_allows;
    size_t disagreements;
} diff_stats;

typedef struct diff_run {
    uint64_t base_seed;
    size_t report_limit;
    text first_report;
    diff_stats stats;
} diff_run;

static void report(diff_run *run, const text *t)
{
    run->stats.disagreements++;
    if (run->stats.disagreements <= run->report_limit)
        fprintf(stderr, "check_diff: DISAGREEMENT\n%s\n", t->p);
    if (run->first_report.p == NULL)
        text_printf(&run->first_report, "%s", t->p);
}

/* Whether the valid allow list holds a wildcard that admits resource. */
static bool wildcard_admits(const diff_case *c, const char *resource)
{
    for (size_t i = 0; i < c->n_allow; i++) {
        const char *e = c->allow[i];
        if (strcmp(e, "*:*") == 0)
            return true;
        size_t n = strlen(resource);
        if (strncmp(e, resource, n) == 0 && strcmp(e + n, ":*") == 0)
            return true;
    }
    return false;
}

static bool is_canonical_uuid(const char *s)
{
    char canon[37];
    return s != NULL && ref_parse_uuid(s, canon) && strcmp(canon, s) == 0;
}

/* Builds the model's token for c; the error code goes to *code. */
static ref_token *model_token(const diff_case *c, int *code)
{
    const char *scopes[MAX_GEN_SCOPES], *allow[MAX_GEN_ALLOW];
    /* The length-delimited path has no NULL entries: {NULL,0} is "". */
    for (size_t i = 0; i < c->n_scopes; i++)
        scopes[i] = (c->use_ex && c->scopes[i] == NULL) ? "" : c->scopes[i];
    for (size_t i = 0; i < c->n_allow; i++)
        allow[i] = (c->use_ex && c->allow[i] == NULL) ? "" : c->allow[i];
    size_t max_allow =
        c->opt_max_allow != 0 ? c->opt_max_allow : REF_DEFAULT_MAX_ALLOW;
    return ref_token_new(c->n_scopes || !c->null_arrays ? scopes : NULL,
                         c->n_scopes,
                         c->n_allow || !c->null_arrays ? allow : NULL,
                         c->n_allow, max_allow, code);
}

/* Bytes that follow every length-delimited argument: a library that reads
 * past the length sees a different, still plausible string. */
static const char JUNK[] = "_dormant:*:read";

/* s as ptr+len in buf: s's bytes (a NUL at nul_at if >= 0), then JUNK.
 * NULL stays {NULL, 0}. buf must hold strlen(s) + sizeof JUNK bytes. */
static authz_str delimited(const char *s, int nul_at, char *buf)
{
    authz_str out = {NULL, 0};
    if (s == NULL)
        return out;
    size_t len = strlen(s);
    memcpy(buf, s, len);
    memcpy(buf + len, JUNK, sizeof JUNK);
    if (nul_at >= 0)
        buf[nul_at] = '\0';
    out.ptr = buf;
    out.len = len;
    return out;
}

static authz_token *library_token(const diff_case *c, authz_error *err)
{
    if (!c->use_ex)
        return authz_token_new(
            authz_catalog_coder(),
            c->n_scopes || !c->null_arrays ? c->scopes : NULL, c->n_scopes,
            c->n_allow || !c->null_arrays ? c->allow : NULL, c->n_allow, err);

    static char scope_bytes[MAX_GEN_SCOPES][ENTRY_CAP + sizeof JUNK];
    static char allow_bytes[MAX_GEN_ALLOW][ENTRY_CAP + sizeof JUNK];
    authz_str scopes[MAX_GEN_SCOPES], allow[MAX_GEN_ALLOW];
    for (size_t i = 0; i < c->n_scopes; i++)
        scopes[i] = delimited(c->scopes[i], c->scope_nul_at[i], scope_bytes[i]);
    for (size_t i = 0; i < c->n_allow; i++)
        allow[i] = delimited(c->allow[i], c->allow_nul_at[i], allow_bytes[i]);
    authz_options opts;
    authz_options_init(&opts);
    opts.max_allow = c->opt_max_allow;
    return authz_token_new_ex(authz_catalog_coder(), scopes, c->n_scopes, allow,
                              c->n_allow, &opts, err);
}

static void check_embedded_nul(diff_run *run, const diff_case *c,
                               const authz_token *lt, const ref_token *mt,
                               diff_request *q, test_rng *p)
{
    char *texts[3] = {q->resource_text, q->id_text, q->action_text};
    const char *args[3] = {q->resource, q->id, q->action};
    size_t which = below(p, 3);
    if (args[which] == NULL || args[which][0] == '\0')
        return;
    size_t at = below(p, strlen(args[which]));
    char saved = texts[which][at];
    texts[which][at] = '\x01';
    bool model = ref_check(mt, q->resource, q->id, q->action);

    int nul[3] = {-1, -1, -1};
    nul[which] = (int)at;
    char rb[REQUEST_CAP + sizeof JUNK], ib[REQUEST_CAP + sizeof JUNK],
        ab[REQUEST_CAP + sizeof JUNK];
    authz_str r = delimited(q->resource, nul[0], rb),
              i = delimited(q->id, nul[1], ib),
              a = delimited(q->action, nul[2], ab);
    bool lib_n = authz_check_n(lt, r.ptr, r.len, i.ptr, i.len, a.ptr, a.len);
    if (lib_n != model) {
        text t = {0};
        describe_case(&t, c, run->base_seed);
        text_printf(&t, "  authz_check_n(tok, ");
        text_quote(&t, q->resource);
        text_printf(&t, ", ");
        text_quote(&t, q->id);
        text_printf(&t, ", ");
        text_quote(&t, q->action);
        text_printf(&t,
                    ") with lengths, where byte %zu of argument %zu is a NUL "
                    "for the library\n"
                    "  library=%s model=%s\n",
                    at, which, lib_n ? "allow" : "deny",
                    model ? "allow" : "deny");
        report(run, &t);
        free(t.p);
    }
    texts[which][at] = saved;
}

/* Runs one case. with_library false = model only (for the health test). */
static void run_case(diff_run *run, size_t index, bool with_library)
{
    static diff_case c; /* ~130 KB: too big for a test's stack */
    gen_case(&c, run->base_seed, index);
    test_rng p = {c.seed ^ UINT64_C(0x0123456789abcdef)};

    int model_code = -1;
    ref_token *mt = model_token(&c, &model_code);
    authz_error err;
    memset(&err, 0xa5, sizeof err);
    authz_token *lt = with_library ? library_token(&c, &err) : NULL;

    run->stats.cases++;
    if (mt != NULL) {
        run->stats.built++;
    } else {
        run->stats.build_errors++;
        if (model_code >= 0 && model_code <= AUTHZ_ECATALOG)
            run->stats.errors_by_code[model_code]++;
    }

    if (with_library) {
        bool build_agrees = (lt != NULL) == (mt != NULL) &&
                            err.code == (lt != NULL ? AUTHZ_OK : model_code);
        if (!build_agrees) {
            text t = {0};
            describe_case(&t, &c, run->base_seed);
            text_printf(&t, "  build: library=%s code=%d (%s) message=",
                        lt ? "token" : "NULL", err.code,
                        authz_strerror(err.code));
            err.message[AUTHZ_ERROR_MESSAGE_SIZE - 1] = '\0';
            text_quote(&t, err.message);
            text_printf(&t, "\n         model=%s code=%d (%s)\n",
                        mt ? "token" : "NULL", model_code,
                        authz_strerror(model_code));
            report(run, &t);
            free(t.p);
            authz_token_free(lt);
            ref_token_free(mt);
            return;
        }
    }

    for (int k = 0; k < REQUESTS_PER_CASE; k++) {
        diff_request q;
        gen_request(&p, &c, &q);
        bool model = ref_check(mt, q.resource, q.id, q.action);

        if (mt != NULL) {
            run->stats.checks++;
            if (model) {
                run->stats.allows++;
                if (!wildcard_admits(&c, q.resource)) {
                    run->stats.uuid_only_allows++;
                    if (!is_canonical_uuid(q.id))
                        run->stats.spelled_allows++;
                }
            } else {
                run->stats.denies++;
            }
        }
        if (!with_library)
            continue;

        bool lib = authz_check(lt, q.resource, q.id, q.action);
        char rb[REQUEST_CAP + sizeof JUNK], ib[REQUEST_CAP + sizeof JUNK],
            ab[REQUEST_CAP + sizeof JUNK];
        authz_str r = delimited(q.resource, -1, rb),
                  i = delimited(q.id, -1, ib), a = delimited(q.action, -1, ab);
        bool lib_n =
            authz_check_n(lt, r.ptr, r.len, i.ptr, i.len, a.ptr, a.len);
        if (lib != model || lib_n != model) {
            text t = {0};
            describe_case(&t, &c, run->base_seed);
            text_printf(&t, "  request %d: authz_check(tok, ", k);
            text_quote(&t, q.resource);
            text_printf(&t, ", ");
            text_quote(&t, q.id);
            text_printf(&t, ", ");
            text_quote(&t, q.action);
            text_printf(
                &t, ")\n  library: authz_check=%s authz_check_n=%s; model=%s\n",
                lib ? "allow" : "deny", lib_n ? "allow" : "deny",
                model ? "allow" : "deny");
            report(run, &t);
            free(t.p);
        }

        /* An embedded NUL in one argument of authz_check_n: the model sees
         * \x01 there, which no name or UUID contains either. */
        if (below(&p, 10) == 0)
            check_embedded_nul(run, &c, lt, mt, &q, &p);
    }

    authz_token_free(lt);
    ref_token_free(mt);
}

/* ------------------------------------------------------------------------ */
/* Environment                                                               */
/* ------------------------------------------------------------------------ */

static uint64_t env_u64(const char *name, uint64_t fallback)
{
    const char *s = getenv(name);
    if (s == NULL || *s == '\0')
        return fallback;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    return *end == '\0' ? (uint64_t)v : fallback;
}

static size_t env_cases(void)
{
    return (size_t)env_u64("AUTHZ_DIFF_CASES", DEFAULT_CASES);
}

static void run_init(diff_run *run)
{
    memset(run, 0, sizeof *run);
    run->base_seed = env_u64("AUTHZ_DIFF_SEED", DEFAULT_SEED);
    run->report_limit = (size_t)env_u64("AUTHZ_DIFF_REPORT", 5);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                     */
/* ------------------------------------------------------------------------ */

/* docs/SPEC.md section 7, against both sides: anchors the model itself. */
static const struct spec_example {
    const char *scope; /* NULL = empty list */
    const char *allow; /* NULL = empty list */
    const char *resource, *id, *action;
    bool allowed;
} SPEC_EXAMPLES[] = {
    {"workspace:read", "workspace:" W, "workspace", W, "read", true},
    {"workspace:read", "workspace:" W, "workspace", T, "read", false},
    {"workspace:read", "workspace:" W, "workspace", W, "update", false},
    {"workspace:read", "workspace:" W, "workspace", "", "create", false},
    {"workspace:create", "workspace:*", "workspace", "", "create", true},
    {"workspace:*", "*:*", "workspace", W, "ssh", true},
    {"workspace:*", "*:*", "workspace_dormant", W, "read", false},
    {"coder:all", "template:" T, "workspace", W, "read", false},
    {"coder:all", "*:" W, "template", W, "read", true},
    {"coder:workspaces.access", "*:*", "workspace", W, "ssh", true},
    {"coder:workspaces.access", "*:*", "workspace", W, "delete", false},
    {"all", "*:*", "user_secret", W, "delete", true},
    {"workspace:read", NULL, "workspace", W, "read", false},
    {NULL, "*:*", "workspace", W, "read", false},
    {"coder:all", "*:*", "workspace", W, "fly", false},
    {"api_key:*", "api_key:" W, "api_key", "abcdef1234", "read", false},
    {"workspace:read", "workspace:{3F2504E0-4F89-41D3-9A0C-0305E82C3301}",
     "workspace", W, "read", true},
};

START_TEST(test_spec_examples)
{
    const struct spec_example *e = &SPEC_EXAMPLES[_i];
    const char *scopes[1] = {e->scope}, *allow[1] = {e->allow};
    size_t ns = e->scope ? 1 : 0, na = e->allow ? 1 : 0;

    int code;
    ref_token *mt =
        ref_token_new(scopes, ns, allow, na, REF_DEFAULT_MAX_ALLOW, &code);
    ck_assert_msg(mt != NULL, "model rejects example %d (code %d)", _i, code);
    ck_assert_msg(ref_check(mt, e->resource, e->id, e->action) == e->allowed,
                  "model gets docs/SPEC.md 7 example %d wrong", _i);
    ref_token_free(mt);

    authz_error err;
    authz_token *lt =
        authz_token_new(authz_catalog_coder(), scopes, ns, allow, na, &err);
    ck_assert_msg(lt != NULL, "library rejects example %d: %s", _i,
                  err.message);
    ck_assert_msg(authz_check(lt, e->resource, e->id, e->action) == e->allowed,
                  "library gets docs/SPEC.md 7 example %d wrong", _i);
    authz_token_free(lt);
}
END_TEST

/* The generator must produce a healthy mix, or the differential test could
 * pass without testing anything. Model only. */
START_TEST(test_generator_health)
{
    diff_run run;
    run_init(&run);
    for (size_t i = 0; i < HEALTH_CASES; i++)
        run_case(&run, i, false);
    const diff_stats *s = &run.stats;

    fprintf(stderr,
            "check_diff health: %zu cases, %zu built, %zu errors "
            "(EINVAL %zu ESYNTAX %zu ETYPE %zu EACTION %zu ESCOPE %zu EUUID "
            "%zu ELIMIT %zu "
            "ETOOLONG %zu); %zu checks, %zu allows (%zu by UUID only, %zu of "
            "those spelled "
            "non-canonically), %zu denies\n",
            s->cases, s->built, s->build_errors,
            s->errors_by_code[AUTHZ_EINVAL], s->errors_by_code[AUTHZ_ESYNTAX],
            s->errors_by_code[AUTHZ_ETYPE], s->errors_by_code[AUTHZ_EACTION],
            s->errors_by_code[AUTHZ_ESCOPE], s->errors_by_code[AUTHZ_EUUID],
            s->errors_by_code[AUTHZ_ELIMIT], s->errors_by_code[AUTHZ_ETOOLONG],
            s->checks, s->allows, s->uuid_only_allows, s->spelled_allows,
            s->denies);

    ck_assert_uint_ge(s->build_errors * 100, s->cases * 5);  /* >= 5% errors */
    ck_assert_uint_le(s->build_errors * 100, s->cases * 40); /* <= 40% errors */
    static const int codes[] = {AUTHZ_EINVAL,  AUTHZ_ESYNTAX, AUTHZ_ETYPE,
                                AUTHZ_EACTION, AUTHZ_ESCOPE,  AUTHZ_EUUID,
                                AUTHZ_ELIMIT,  AUTHZ_ETOOLONG};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        ck_assert_msg(s->errors_by_code[codes[i]] >= 20,
                      "too few errors with code %d", codes[i]);
    ck_assert_uint_ge(s->allows * 100, s->checks * 10); /* >= 10% allows */
    ck_assert_uint_ge(s->denies * 100, s->checks * 10); /* >= 10% denies */
    ck_assert_uint_ge(s->uuid_only_allows * 100, s->checks * 2);
    ck_assert_uint_ge(s->spelled_allows * 100, s->checks * 1);
    free(run.first_report.p);
}
END_TEST

START_TEST(test_differential)
{
    diff_run run;
    run_init(&run);
    size_t first = (size_t)env_u64("AUTHZ_DIFF_FIRST", 0);
    size_t cases = env_cases();
    for (size_t i = 0; i < cases; i++)
        run_case(&run, first + i, true);

    const diff_stats *s = &run.stats;
    fprintf(stderr,
            "check_diff: %zu cases (%zu built, %zu build errors), %zu checks, "
            "%zu allows, "
            "%zu disagreements\n",
            s->cases, s->built, s->build_errors, s->checks, s->allows,
            s->disagreements);
    if (s->disagreements > 0) {
        /* Check's message buffer is bounded; the full text went to stderr. */
        ck_abort_msg(
            "%zu disagreements between library and model; first:\n%.7000s",
            s->disagreements, run.first_report.p);
    }
    free(run.first_report.p);
}
END_TEST

Suite *diff_suite(void)
{
    Suite *s = suite_create("diff");

    TCase *tc = tcase_create("spec_examples");
    tcase_add_loop_test(tc, test_spec_examples, 0,
                        (int)(sizeof SPEC_EXAMPLES / sizeof SPEC_EXAMPLES[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("generator_health");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_generator_health);
    suite_add_tcase(s, tc);

    tc = tcase_create("differential");
    /* Generous: sanitizer builds and 1,000,000+ cases must not time out. */
    double seconds = 120.0 + (double)env_cases() / 500.0;
    tcase_set_timeout(tc, seconds);
    tcase_add_test(tc, test_differential);
    suite_add_tcase(s, tc);

    return s;
}
