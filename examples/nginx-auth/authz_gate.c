/*
 * authz_gate.c - a forward-auth backend: the authorization service that
 * nginx (auth_request), Traefik (ForwardAuth) and Caddy (forward_auth) ask
 * about each request before they pass it on.
 *
 * The proxy sends the gate a request carrying the client's headers and the
 * original method and URI, in either spelling:
 *
 *   X-Forwarded-Method, X-Forwarded-Uri   Traefik, Caddy (and nginx when
 *                                         configured so)
 *   X-Original-Method,  X-Original-URI    nginx's usual names (nginx.conf)
 *
 * (both spellings present and disagreeing, or any of these headers twice:
 * 403). The gate maps method + path to (resource, id, action) with the
 * route table below, finds the bearer secret's SHA-256 in the tokens file,
 * and answers
 *
 *   204  allowed: the proxy passes the request on (any 2xx does)
 *   401  no bearer credentials (with WWW-Authenticate: Bearer)
 *   403  anything else: out of scope, not on the allow list, unknown token,
 *        unknown route, a path it cannot read unambiguously, a
 *        method-override header; the reason in X-Authz-Reason
 *
 * The proxies turn any other answer into an error for the client: the gate
 * fails closed.
 *
 * Method-override headers (X-HTTP-Method-Override, X-HTTP-Method,
 * X-Method-Override) make some frameworks run another method than the one
 * the gate approved. A request carrying one is refused: behind Traefik or
 * Caddy the gate cannot remove it from what the proxy forwards. nginx.conf
 * strips them besides.
 *
 *   cc -I../common -I../../integrations/common authz_gate.c ../common/serve.c \
 *       ../../integrations/common/authz_tokens_file.c -o authz_gate -pthread \
 *       $(pkg-config --cflags --libs authz libmicrohttpd libsodium)
 *   ./authz_gate -t tokens.conf [-a 127.0.0.1] [-p PORT] [-P PORTFILE]
 *                [-j THREADS] [-T DEADLINE_MS] [-q]
 *
 * The tokens file is the one the nginx module reads
 * (integrations/common/authz_tokens_file.h): `SHA256HEX SCOPES ALLOW` a
 * line, the SHA-256 of each secret, never the secret (`authz token-line`
 * writes a line). It is compiled once, at start; a bad line stops the gate
 * with its line, column and the library's message. -q logs denials only.
 */
#define _POSIX_C_SOURCE 200809L

#include "authz_tokens_file.h"
#include "serve.h"

#include <authz.h>
#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SEGMENTS 8          /* path segments a route may have */
#define MAX_URI 4096            /* of the original URI */
#define MAX_TOKENS_FILE (64u << 20)

/* ---- routes ------------------------------------------------------------ */

/* "{id}" matches one path segment, which becomes the object id. Anything not
 * in this table is denied. */
struct route {
    const char *method, *path, *resource, *action;
};

static const struct route routes[] = {
    {"GET", "/api/v2/workspaces/{id}", "workspace", "read"},
    {"PATCH", "/api/v2/workspaces/{id}", "workspace", "update"},
    {"DELETE", "/api/v2/workspaces/{id}", "workspace", "delete"},
    {"POST", "/api/v2/workspaces", "workspace", "create"},
    {"POST", "/api/v2/workspaces/{id}/start", "workspace", "start"},
    {"POST", "/api/v2/workspaces/{id}/stop", "workspace", "stop"},
    {"GET", "/api/v2/workspaces/{id}/ssh", "workspace", "ssh"},
    {"GET", "/api/v2/templates/{id}", "template", "read"},
    {"POST", "/api/v2/templates", "template", "create"},
    {"PATCH", "/api/v2/templates/{id}", "template", "update"},
    {"GET", "/api/v2/users/{id}", "user", "read"},
    {"GET", "/api/v2/files/{id}", "file", "read"},
};

typedef struct segments {
    const char *ptr[MAX_SEGMENTS];
    size_t len[MAX_SEGMENTS];
    size_t n;
} segments;

/* Splits "/a/b/c" into its segments; false for a path that does not start
 * with '/', has an empty segment ("//", a trailing '/') or too many. */
static bool split_path(const char *path, size_t len, segments *out)
{
    size_t i = 0;
    out->n = 0;
    if (len == 0 || path[0] != '/')
        return false;
    while (i < len) {
        size_t start = ++i; /* past the '/' */
        while (i < len && path[i] != '/')
            i++;
        if (i == start || out->n == MAX_SEGMENTS)
            return false;
        out->ptr[out->n] = path + start;
        out->len[out->n] = i - start;
        out->n++;
    }
    return true;
}

/* Refuses what a server behind the proxy might read differently from the
 * gate: "." and ".." segments, percent-encoding, any byte outside
 * [A-Za-z0-9._~:-]. What the gate cannot read unambiguously, it denies. */
static bool plain_segments(const segments *s)
{
    size_t i, j;
    for (i = 0; i < s->n; i++) {
        const char *p = s->ptr[i];
        if ((s->len[i] == 1 && p[0] == '.') ||
            (s->len[i] == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        for (j = 0; j < s->len[i]; j++) {
            char c = p[j];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '~' || c == ':' || c == '-'))
                return false;
        }
    }
    return true;
}

/* The route for method + path, with the id segment in *id (NULL when the
 * route has none). */
static const struct route *find_route(const char *method, const segments *s,
                                      const char **id, size_t *id_len)
{
    size_t r;
    for (r = 0; r < sizeof routes / sizeof routes[0]; r++) {
        segments pat;
        size_t i;
        bool match;
        if (strcmp(routes[r].method, method) != 0 ||
            !split_path(routes[r].path, strlen(routes[r].path), &pat) ||
            pat.n != s->n)
            continue;
        *id = NULL;
        *id_len = 0;
        match = true;
        for (i = 0; i < s->n && match; i++) {
            if (pat.len[i] == 4 && memcmp(pat.ptr[i], "{id}", 4) == 0) {
                *id = s->ptr[i];
                *id_len = s->len[i];
            } else {
                match = pat.len[i] == s->len[i] &&
                        memcmp(pat.ptr[i], s->ptr[i], s->len[i]) == 0;
            }
        }
        if (match)
            return &routes[r];
    }
    return NULL;
}

/* ---- the tokens ------------------------------------------------------------- */

static aztf_table *tokens;
static bool quiet;

static bool load_tokens(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0, cap = 0;
    aztf_error err;
    if (f == NULL) {
        fprintf(stderr, "authz_gate: cannot open %s: %s\n", path,
                strerror(errno));
        return false;
    }
    for (;;) {
        size_t n;
        if (len == cap) {
            char *grown;
            cap = cap == 0 ? 65536 : cap * 2;
            grown = cap <= MAX_TOKENS_FILE ? realloc(text, cap) : NULL;
            if (grown == NULL) {
                fprintf(stderr, "authz_gate: %s: too large or out of "
                                "memory\n", path);
                free(text);
                fclose(f);
                return false;
            }
            text = grown;
        }
        n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "authz_gate: cannot read %s\n", path);
        free(text);
        fclose(f);
        return false;
    }
    fclose(f);
    /* Loading stored tokens: every scope the catalog can evaluate is
     * accepted (no AUTHZ_PUBLIC; that belongs where tokens are made). */
    tokens = aztf_parse(authz_catalog_coder(), text, len, NULL, &err);
    if (tokens == NULL) {
        fprintf(stderr, "%s:%zu:%zu: %s\n", path, err.line, err.column,
                err.message);
        if (err.line > 0 && err.line_offset + err.line_len <= len)
            fprintf(stderr, "    %.*s\n    %*s^\n", (int)err.line_len,
                    text + err.line_offset,
                    (int)(err.column > 0 ? err.column - 1 : 0), "");
    }
    free(text);
    return tokens != NULL;
}

/* ---- requests ---------------------------------------------------------- */

/* The headers the gate reads, gathered in one pass. */
typedef struct heads {
    const char *fwd_method, *fwd_uri, *orig_method, *orig_uri, *auth;
    const char *override; /* the first method-override header met */
    const char *duplicate; /* the first of ours met twice */
} heads;

static enum MHD_Result gather(void *cls, enum MHD_ValueKind kind,
                              const char *key, const char *value)
{
    static const char *const overrides[] = {
        "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"};
    heads *h = cls;
    const char **slot = NULL;
    size_t i;
    (void)kind;
    if (strcasecmp(key, "X-Forwarded-Method") == 0)
        slot = &h->fwd_method;
    else if (strcasecmp(key, "X-Forwarded-Uri") == 0)
        slot = &h->fwd_uri;
    else if (strcasecmp(key, "X-Original-Method") == 0)
        slot = &h->orig_method;
    else if (strcasecmp(key, "X-Original-URI") == 0)
        slot = &h->orig_uri;
    else if (strcasecmp(key, "Authorization") == 0)
        slot = &h->auth;
    for (i = 0; i < sizeof overrides / sizeof overrides[0]; i++)
        if (strcasecmp(key, overrides[i]) == 0 && h->override == NULL)
            h->override = overrides[i];
    if (slot != NULL) {
        if (*slot != NULL && h->duplicate == NULL)
            h->duplicate = key;
        *slot = value != NULL ? value : "";
    }
    return MHD_YES;
}

typedef struct decision {
    unsigned status;  /* 204, 401 or 403 */
    char reason[160]; /* for X-Authz-Reason; printable ASCII */
    char what[160];   /* "METHOD /path" once both passed the checks */
    char tag[9];      /* the token's tag, once found */
} decision;

static void deny(decision *d, unsigned status, const char *reason)
{
    d->status = status;
    snprintf(d->reason, sizeof d->reason, "%s", reason);
}

/* One of two spellings of a header: either, or both when they agree. */
static bool one_of(const char *a, const char *b, const char **out)
{
    if (a != NULL && b != NULL && strcmp(a, b) != 0)
        return false;
    *out = a != NULL ? a : b;
    return true;
}

static void decide(const heads *h, decision *d)
{
    const struct route *route;
    const aztf_entry *entry;
    const char *method, *uri, *m, *secret, *id;
    unsigned char digest[crypto_hash_sha256_BYTES];
    size_t path_len, id_len;
    segments segs;
    authz_explanation ex;
    char id_buf[MAX_URI];

    if (h->duplicate != NULL) {
        deny(d, 403, "duplicate header");
        return;
    }
    if (h->override != NULL) {
        snprintf(d->reason, sizeof d->reason, "%s refused", h->override);
        d->status = 403;
        return;
    }
    if (!one_of(h->fwd_method, h->orig_method, &method) ||
        !one_of(h->fwd_uri, h->orig_uri, &uri)) {
        deny(d, 403, "X-Forwarded-* and X-Original-* disagree");
        return;
    }
    if (method == NULL || uri == NULL) {
        deny(d, 403, "no X-Forwarded-Method/-Uri or X-Original-Method/-URI");
        return;
    }
    for (m = method; *m >= 'A' && *m <= 'Z'; m++)
        ;
    if (*m != '\0' || m == method || m - method > 16) {
        deny(d, 403, "malformed method");
        return;
    }
    path_len = strcspn(uri, "?#");
    if (path_len >= MAX_URI || !split_path(uri, path_len, &segs) ||
        !plain_segments(&segs)) {
        deny(d, 403, "path refused");
        return;
    }
    snprintf(d->what, sizeof d->what, "%s %.*s", method,
             (int)(path_len < 120 ? path_len : 120), uri);
    route = find_route(method, &segs, &id, &id_len);
    if (route == NULL) {
        deny(d, 403, "no route");
        return;
    }
    if (h->auth == NULL || strncasecmp(h->auth, "Bearer ", 7) != 0) {
        deny(d, 401, "no bearer token");
        return;
    }
    secret = h->auth + 7;
    if (*secret == '\0') {
        deny(d, 401, "no bearer token");
        return;
    }
    crypto_hash_sha256(digest, (const unsigned char *)secret, strlen(secret));
    entry = aztf_find(tokens, digest, sodium_memcmp);
    if (entry == NULL) {
        deny(d, 403, "unknown token");
        return;
    }
    memcpy(d->tag, entry->tag, sizeof d->tag);
    memcpy(id_buf, id != NULL ? id : "", id_len);
    id_buf[id_len] = '\0';
    if (authz_check(entry->token, route->resource, id_buf, route->action)) {
        d->status = 204;
        d->reason[0] = '\0';
        return;
    }
    /* Denied: the slower explain says why, for the header and the log. */
    snprintf(d->reason, sizeof d->reason, "%s:%s: %s", route->resource,
             route->action,
             authz_explain(entry->token, route->resource, id_buf,
                           route->action, &ex)
                 ? "denied" /* the two never disagree; the check decides */
                 : authz_reason_str(ex.reason));
    d->status = 403;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **req_cls)
{
    static int first_call;
    const char *extra[5] = {NULL, NULL, NULL, NULL, NULL};
    size_t n = 0;
    heads h;
    decision d;
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload;
    if (*req_cls == NULL) {
        /* Answered on the next call, once the request is whole: an answer
         * queued now would cost the connection its keep-alive. */
        *req_cls = &first_call;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        *upload_size = 0; /* a body is none of the gate's business */
        return MHD_YES;
    }
    memset(&h, 0, sizeof h);
    memset(&d, 0, sizeof d);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, gather, &h);
    decide(&h, &d);
    if (!quiet || d.status != 204)
        fprintf(stderr, "authz_gate: %s%s%s -> %u%s%s\n",
                d.what[0] != '\0' ? d.what : "(unparsed)",
                d.tag[0] != '\0' ? " token " : "", d.tag, d.status,
                d.reason[0] != '\0' ? " " : "", d.reason);
    if (d.status == 401) {
        extra[n++] = "WWW-Authenticate";
        extra[n++] = "Bearer";
    }
    if (d.reason[0] != '\0') {
        extra[n++] = "X-Authz-Reason";
        extra[n++] = d.reason;
    }
    return serve_respond(conn, d.status, NULL, NULL, 0, extra);
}

/* ---- main ---------------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: authz_gate -t TOKENS [-a ADDR] [-p PORT] "
                    "[-P PORTFILE] [-j THREADS] [-T DEADLINE_MS] [-q]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *tokens_path = NULL;
    serve_config cfg;
    int i, status;

    serve_defaults(&cfg, "authz_gate");
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-q") == 0) {
            quiet = true;
            continue;
        }
        if (i + 1 == argc)
            return usage();
        if (strcmp(argv[i], "-t") == 0)
            tokens_path = argv[i + 1];
        else if (serve_option(&cfg, argv[i], argv[i + 1]) != 1)
            return usage();
        i++;
    }
    if (tokens_path == NULL)
        return usage();
    if (sodium_init() < 0) {
        fprintf(stderr, "authz_gate: libsodium cannot start\n");
        return 1;
    }
    if (!load_tokens(tokens_path))
        return 1;
    fprintf(stderr, "authz_gate: %zu tokens from %s\n", aztf_count(tokens),
            tokens_path);
    cfg.handler = handle;
    status = serve_run(&cfg);
    aztf_free(tokens);
    return status;
}
