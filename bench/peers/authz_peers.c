/*
 * authz_peers.c - the authz side of the peers benchmark (bench/peers/).
 *
 *   authz_peers gen N SEED FILE   write the workload: the token's scopes,
 *                                 what each scope grants (read from the
 *                                 embedded catalog), its allow list
 *                                 (template:* plus N workspace:<uuid>) and
 *                                 NREQ requests, each with authz's decision
 *   authz_peers run FILE          the same decisions through authz_check,
 *                                 timed; prints one result line
 *
 * Every other engine reads the same FILE, builds its own encoding of the
 * token from it, checks that its decision equals the recorded one on every
 * request, then times the same requests. The workload format, one record a
 * line, fields separated by one space:
 *
 *   authz-peers 1
 *   n N
 *   scope NAME                    one per scope of the token
 *   grant SCOPE TYPE ACTION       what the catalog says SCOPE grants
 *   allow TYPE:ID                 one per allow entry (ID is a UUID or *)
 *   req TYPE ID ACTION DECISION   ID "-" means no id (a create); DECISION 0|1
 *
 * Timing, the same in every engine's harness: after the checking pass, RUNS
 * timed runs (PEERS_RUNS, default 5), each of as many decisions as last
 * PEERS_MIN_MS milliseconds (default 200, at least 256 decisions), taking the
 * requests in order and cyclically; every decision is compared with the
 * workload's while timed too. The result line gives each run's wall-clock
 * and process CPU time per decision:
 *
 *   result engine=E n=N requests=R allowed=A per_run=C wall_ns=a,b,.. cpu_ns=..
 */
#define _POSIX_C_SOURCE 200809L

#include "authz.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NREQ 4096u

static const char *const SCOPES[3] = {
    "coder:workspaces.access", "workspace:create", "workspace:start"};
/* Workspace actions granted by those scopes (with an id) and not granted. */
static const char *const GRANTED[4] = {"read", "ssh", "start",
                                       "application_connect"};
static const char *const REFUSED[3] = {"update", "delete", "stop"};

static uint64_t rng_state;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t rng_below(size_t n)
{
    return (size_t)(rng() % (uint64_t)n);
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "authz_peers: %s%s%s\n", what, detail ? ": " : "",
            detail ? detail : "");
    exit(2);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n != 0 ? n : 1);
    if (p == NULL)
        die("out of memory", NULL);
    return p;
}

/* A random lower-case 36-character UUID, version 4. */
static void uuid_random(char out[37])
{
    static const char digits[] = "0123456789abcdef";
    uint64_t hi = rng(), lo = rng();
    int i, k = 0;
    hi = (hi & ~(uint64_t)0xf000) | 0x4000;
    lo = (lo & ~((uint64_t)3 << 62)) | ((uint64_t)2 << 62);
    for (i = 0; i < 32; i++) {
        uint64_t w = i < 16 ? hi : lo;
        if (k == 8 || k == 13 || k == 18 || k == 23)
            out[k++] = '-';
        out[k++] = digits[(w >> (60 - 4 * (i & 15))) & 15];
    }
    out[36] = '\0';
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static authz_token *make_token(const char *const *scopes, size_t n_scopes,
                               const char *const *allow, size_t n_allow)
{
    authz_error err;
    authz_options opts;
    authz_str *sc = xmalloc((n_scopes + 1) * sizeof *sc);
    authz_str *al = xmalloc((n_allow + 1) * sizeof *al);
    authz_token *t;
    size_t i;
    for (i = 0; i < n_scopes; i++) {
        sc[i].ptr = scopes[i];
        sc[i].len = strlen(scopes[i]);
    }
    for (i = 0; i < n_allow; i++) {
        al[i].ptr = allow[i];
        al[i].len = strlen(allow[i]);
    }
    authz_options_init(&opts);
    opts.max_allow = n_allow > AUTHZ_DEFAULT_MAX_ALLOW ? n_allow : 0;
    t = authz_token_new_ex(authz_catalog_coder(), sc, n_scopes, al, n_allow,
                           &opts, &err);
    free(sc);
    free(al);
    if (t == NULL)
        die("authz_token_new_ex", err.message);
    return t;
}

/* ------------------------------------------------------------------------ */
/* gen                                                                       */
/* ------------------------------------------------------------------------ */

struct req {
    const char *res, *id, *act;
    int intended; /* the answer the job is built to have */
};

static int gen(size_t n, uint64_t seed, const char *path)
{
    const authz_catalog *cat = authz_catalog_coder();
    char *ids = xmalloc(37 * n), *req_ids = xmalloc(37 * (size_t)NREQ);
    char *entries = xmalloc(48 * (n + 1));
    const char **allow = xmalloc((n + 1) * sizeof *allow);
    struct req *reqs = xmalloc(NREQ * sizeof *reqs);
    const char *all[1] = {"*:*"};
    authz_token *tok;
    size_t i, s, t, a;
    unsigned allowed = 0;
    FILE *f;

    rng_state = seed;
    strcpy(entries, "template:*");
    allow[0] = entries;
    for (i = 0; i < n; i++) {
        char *e = entries + 48 * (i + 1);
        uuid_random(ids + 37 * i);
        memcpy(e, "workspace:", 10);
        memcpy(e + 10, ids + 37 * i, 37);
        allow[i + 1] = e;
    }

    /* The mix: 45% listed workspaces with a granted action, 35% unlisted
     * ones, 10% listed ones with an action no scope grants, 8% templates
     * (read is granted, update is not), 2% creates without an id. */
    for (i = 0; i < NREQ; i++) {
        char *id = req_ids + 37 * i;
        struct req *r = &reqs[i];
        size_t k = rng_below(100);
        r->res = "workspace";
        r->id = id;
        if (k < 45) {
            memcpy(id, ids + 37 * rng_below(n), 37);
            r->act = GRANTED[rng_below(4)];
            r->intended = 1;
        } else if (k < 80) {
            uuid_random(id);
            r->act = GRANTED[rng_below(4)];
            r->intended = 0;
        } else if (k < 90) {
            memcpy(id, ids + 37 * rng_below(n), 37);
            r->act = REFUSED[rng_below(3)];
            r->intended = 0;
        } else if (k < 98) {
            uuid_random(id);
            r->res = "template";
            r->intended = rng_below(4) != 0;
            r->act = r->intended ? "read" : "update";
        } else {
            r->id = NULL;
            r->act = "create";
            r->intended = 0;
        }
    }

    f = fopen(path, "w");
    if (f == NULL)
        die("cannot write", path);
    fprintf(f, "authz-peers 1\nn %zu\n", n);
    for (s = 0; s < 3; s++)
        fprintf(f, "scope %s\n", SCOPES[s]);
    /* What each scope grants, asked of the library itself: a token with
     * that one scope and `*:*`, every (type, action) of the catalog. */
    for (s = 0; s < 3; s++) {
        authz_token *one = make_token(&SCOPES[s], 1, all, 1);
        for (t = 0; t < authz_catalog_type_count(cat); t++) {
            const char *tn = authz_catalog_type_name(cat, t);
            for (a = 0; a < authz_catalog_action_count(cat, t); a++) {
                const char *an = authz_catalog_action_name(cat, t, a);
                if (authz_token_grants(one, tn, an))
                    fprintf(f, "grant %s %s %s\n", SCOPES[s], tn, an);
            }
        }
        authz_token_free(one);
    }
    for (i = 0; i < n + 1; i++)
        fprintf(f, "allow %s\n", allow[i]);

    tok = make_token(SCOPES, 3, allow, n + 1);
    for (i = 0; i < NREQ; i++) {
        const struct req *r = &reqs[i];
        int d = authz_check(tok, r->res, r->id, r->act);
        if (d != r->intended) {
            fprintf(stderr, "authz_peers: authz says %s to %s %s %s, the job "
                            "was built for %s\n",
                    d ? "allow" : "deny", r->act, r->res,
                    r->id ? r->id : "(no id)", r->intended ? "allow" : "deny");
            exit(1);
        }
        allowed += (unsigned)d;
        fprintf(f, "req %s %s %s %d\n", r->res, r->id ? r->id : "-", r->act,
                d);
    }
    if (fclose(f) != 0)
        die("write failed", path);
    authz_token_free(tok);
    fprintf(stderr, "authz_peers: %s: %zu allow entries, %u requests, %u "
                    "allowed\n",
            path, n + 1, NREQ, allowed);
    free(ids);
    free(req_ids);
    free(entries);
    free(allow);
    free(reqs);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* run                                                                       */
/* ------------------------------------------------------------------------ */

struct work {
    size_t n;
    char **scopes, **allow;
    size_t n_scopes, n_allow;
    struct rreq {
        char *res, *id, *act;
        int decision;
    } *reqs;
    size_t n_reqs;
};

static char *xstrdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *p = xmalloc(len);
    memcpy(p, s, len);
    return p;
}

static void push(char ***v, size_t *n, const char *s)
{
    char **nv = realloc(*v, (*n + 1) * sizeof **v);
    if (nv == NULL)
        die("out of memory", NULL);
    *v = nv;
    (*v)[(*n)++] = xstrdup(s);
}

static void load(struct work *w, const char *path)
{
    char line[512];
    size_t cap = 0, lineno = 0;
    FILE *f = fopen(path, "r");
    memset(w, 0, sizeof *w);
    if (f == NULL)
        die("cannot read", path);
    while (fgets(line, sizeof line, f) != NULL) {
        char a[128], b[128], c[128];
        int d;
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (lineno == 1) {
            if (strcmp(line, "authz-peers 1") != 0)
                die("not a workload file", path);
        } else if (sscanf(line, "n %zu", &w->n) == 1) {
        } else if (sscanf(line, "scope %127s", a) == 1) {
            push(&w->scopes, &w->n_scopes, a);
        } else if (sscanf(line, "grant %127s %127s %127s", a, b, c) == 3) {
        } else if (sscanf(line, "allow %127s", a) == 1) {
            push(&w->allow, &w->n_allow, a);
        } else if (sscanf(line, "req %127s %127s %127s %d", a, b, c, &d) ==
                   4) {
            struct rreq *r;
            if (w->n_reqs == cap) {
                cap = cap ? 2 * cap : 1024;
                w->reqs = realloc(w->reqs, cap * sizeof *w->reqs);
                if (w->reqs == NULL)
                    die("out of memory", NULL);
            }
            r = &w->reqs[w->n_reqs++];
            r->res = xstrdup(a);
            r->id = strcmp(b, "-") == 0 ? NULL : xstrdup(b);
            r->act = xstrdup(c);
            r->decision = d;
        } else {
            die("bad workload line", line);
        }
    }
    fclose(f);
    if (w->n_reqs == 0)
        die("no requests in", path);
}

static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* `count` decisions, the requests taken in order from *next on, cyclically;
 * returns how many disagreed with the workload (0, or the run is void). */
static size_t decide_run(const authz_token *tok, const struct work *w,
                         size_t *next, size_t count)
{
    size_t bad = 0, i = *next, k;
    for (k = 0; k < count; k++) {
        const struct rreq *r = &w->reqs[i];
        bad += (size_t)(authz_check(tok, r->res, r->id, r->act) !=
                        (r->decision != 0));
        if (++i == w->n_reqs)
            i = 0;
    }
    *next = i;
    return bad;
}

static int run(const char *path)
{
    struct work w;
    authz_token *tok;
    const char *env;
    int runs = 5, k;
    double min_ms = 200;
    unsigned allowed = 0;
    size_t i, count, next = 0;
    uint64_t t0, dt;

    if ((env = getenv("PEERS_RUNS")) != NULL && atoi(env) > 0)
        runs = atoi(env);
    if ((env = getenv("PEERS_MIN_MS")) != NULL && atof(env) > 0)
        min_ms = atof(env);
    load(&w, path);
    /* Built once, outside the timed loop, like every engine's policy. */
    tok = make_token((const char *const *)w.scopes, w.n_scopes,
                     (const char *const *)w.allow, w.n_allow);

    /* Every decision against the workload's before anything is timed. */
    t0 = now_ns();
    for (i = 0; i < w.n_reqs; i++) {
        const struct rreq *r = &w.reqs[i];
        int d = authz_check(tok, r->res, r->id, r->act);
        if (d != r->decision) {
            fprintf(stderr, "authz_peers: request %zu (%s %s %s): authz "
                            "says %d, the workload says %d\n",
                    i, r->res, r->id ? r->id : "-", r->act, d, r->decision);
            return 1;
        }
        allowed += (unsigned)d;
    }
    dt = now_ns() - t0;
    /* As many decisions per run as make it last min_ms (at least 256). */
    count = (size_t)(min_ms * 1e6 / ((double)(dt + 1) / (double)w.n_reqs));
    if (count < 256)
        count = 256;

    printf("result engine=authz n=%zu requests=%zu allowed=%u per_run=%zu",
           w.n, w.n_reqs, allowed, count);
    {
        double *wall = xmalloc((size_t)runs * sizeof *wall);
        double *cpu = xmalloc((size_t)runs * sizeof *cpu);
        for (k = 0; k < runs; k++) {
            uint64_t c0 = cpu_ns();
            t0 = now_ns();
            if (decide_run(tok, &w, &next, count) != 0)
                die("a decision changed while timed", NULL);
            wall[k] = (double)(now_ns() - t0) / (double)count;
            cpu[k] = (double)(cpu_ns() - c0) / (double)count;
        }
        for (k = 0; k < runs; k++)
            printf("%s%.1f", k ? "," : " wall_ns=", wall[k]);
        for (k = 0; k < runs; k++)
            printf("%s%.1f", k ? "," : " cpu_ns=", cpu[k]);
        printf("\n");
        free(wall);
        free(cpu);
    }
    authz_token_free(tok);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "gen") == 0) {
        long n = atol(argv[2]);
        if (n < 1)
            die("N must be at least 1", argv[2]);
        return gen((size_t)n, (uint64_t)strtoull(argv[3], NULL, 0), argv[4]);
    }
    if (argc == 3 && strcmp(argv[1], "run") == 0)
        return run(argv[2]);
    fprintf(stderr, "usage: authz_peers gen N SEED FILE\n"
                    "       authz_peers run FILE\n");
    return 2;
}
