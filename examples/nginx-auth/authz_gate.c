/*
 * authz_gate.c - an authorization backend for nginx's auth_request module.
 *
 * nginx asks it, in a subrequest, whether the original request may pass:
 * the subrequest carries the original method and URI (X-Original-Method,
 * X-Original-URI; see nginx.conf) and the client's Authorization header.
 * The gate maps method + path to (resource, id, action) with a route table,
 * finds the bearer token in a table loaded at start, and answers
 *
 *   204  allowed: nginx passes the request on to the upstream
 *   401  no bearer credentials (with WWW-Authenticate: Bearer)
 *   403  anything else: out of scope, not on the allow list, unknown or
 *        malformed token, unknown route, odd path; the reason is in the
 *        X-Authz-Reason header, which nginx.conf copies to the client
 *
 * Fail closed: nginx turns any other answer, or none, into a 500.
 *
 *   cc authz_gate.c $(pkg-config --cflags --libs authz) -o authz_gate
 *   ./authz_gate -t tokens.conf [-a 127.0.0.1] [-p PORT] [-P PORTFILE]
 *
 * The token table (tokens.conf) has one token a line: the secret, its scope
 * list and its allow list, the lists comma-separated, `-` for an empty list:
 *     ws-reader  workspace:read,workspace:start  workspace:<uuid>
 * Each line is compiled to an authz token once, at start; a line that does
 * not compile stops the gate with the library's message. A real gateway
 * would load hashed secrets from its database; the checks stay the same.
 *
 * One request at a time on one thread, each connection closed after its
 * answer: enough for an example, since a check costs nanoseconds. Port 0
 * (the default) picks a free port; -P writes the port chosen to a file.
 */
#define _POSIX_C_SOURCE 200809L

#include <authz.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_HEAD 8192     /* request line and headers */
#define MAX_SEGMENTS 8    /* path segments a route may have */
#define IO_TIMEOUT_SEC 5  /* per read or write on a connection */
#define MAX_LINE 4096     /* one line of the token table */

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

/* Refuses what a server behind nginx might read differently from the gate:
 * "." and ".." segments, percent-encoding, any byte outside
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

/* ---- the token table --------------------------------------------------- */

struct gate_token {
    char *secret;
    size_t secret_len;
    authz_token *token;
};

static struct gate_token *tokens;
static size_t n_tokens;

static void free_tokens(void)
{
    size_t i;
    for (i = 0; i < n_tokens; i++) {
        free(tokens[i].secret);
        authz_token_free(tokens[i].token);
    }
    free(tokens);
    tokens = NULL;
    n_tokens = 0;
}

/* Splits a comma-separated list in place; "-" is the empty list. */
static size_t split_list(char *text, authz_str *out, size_t max)
{
    size_t n = 0;
    if (strcmp(text, "-") == 0)
        return 0;
    for (;;) {
        char *comma = strchr(text, ',');
        if (n == max)
            return max + 1;
        out[n].ptr = text;
        out[n].len = comma != NULL ? (size_t)(comma - text) : strlen(text);
        n++;
        if (comma == NULL)
            return n;
        text = comma + 1;
    }
}

static bool is_secret_byte(char c)
{
    /* RFC 6750 b64token, so a secret fits a Bearer header unquoted. */
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || strchr("-._~+/", c) != NULL;
}

static bool load_tokens(const char *path)
{
    enum { MAX_LIST = 256 };
    static authz_str scopes[MAX_LIST], allow[MAX_LIST];
    char line[MAX_LINE];
    size_t lineno = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "authz_gate: cannot open %s: %s\n", path,
                strerror(errno));
        return false;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *fields[4], *save = NULL, *p;
        size_t n_fields = 0, n_scopes, n_allow, i;
        struct gate_token *grown;
        authz_error err;
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            fprintf(stderr, "%s:%zu: line too long\n", path, lineno);
            goto fail;
        }
        for (p = strtok_r(line, " \t\r\n", &save); p != NULL && n_fields < 4;
             p = strtok_r(NULL, " \t\r\n", &save))
            fields[n_fields++] = p;
        if (n_fields == 0 || fields[0][0] == '#')
            continue;
        if (n_fields != 3) {
            fprintf(stderr, "%s:%zu: expected `secret scopes allow`\n", path,
                    lineno);
            goto fail;
        }
        for (p = fields[0]; *p != '\0'; p++)
            if (!is_secret_byte(*p)) {
                fprintf(stderr, "%s:%zu: the secret may hold only "
                        "[A-Za-z0-9-._~+/]\n", path, lineno);
                goto fail;
            }
        for (i = 0; i < n_tokens; i++)
            if (strcmp(tokens[i].secret, fields[0]) == 0) {
                fprintf(stderr, "%s:%zu: duplicate secret\n", path, lineno);
                goto fail;
            }
        n_scopes = split_list(fields[1], scopes, MAX_LIST);
        n_allow = split_list(fields[2], allow, MAX_LIST);
        if (n_scopes > MAX_LIST || n_allow > MAX_LIST) {
            fprintf(stderr, "%s:%zu: more than %d entries in a list\n", path,
                    lineno, MAX_LIST);
            goto fail;
        }
        grown = realloc(tokens, (n_tokens + 1) * sizeof *tokens);
        if (grown == NULL)
            goto oom;
        tokens = grown;
        tokens[n_tokens].secret = malloc(strlen(fields[0]) + 1);
        if (tokens[n_tokens].secret == NULL)
            goto oom;
        strcpy(tokens[n_tokens].secret, fields[0]);
        tokens[n_tokens].secret_len = strlen(fields[0]);
        /* Loading stored tokens: every scope the catalog can evaluate is
         * accepted (no AUTHZ_PUBLIC; that belongs where tokens are made). */
        tokens[n_tokens].token = authz_token_new_ex(
            authz_catalog_coder(), scopes, n_scopes, allow, n_allow, NULL,
            &err);
        if (tokens[n_tokens].token == NULL) {
            free(tokens[n_tokens].secret);
            fprintf(stderr, "%s:%zu: %s\n", path, lineno, err.message);
            goto fail;
        }
        n_tokens++;
    }
    fclose(f);
    return true;
oom:
    fprintf(stderr, "authz_gate: out of memory\n");
fail:
    fclose(f);
    return false;
}

/* Compares every entry in full, so the time taken does not tell how much
 * of a guessed secret was right. */
static const authz_token *find_token(const char *secret, size_t len)
{
    const authz_token *found = NULL;
    size_t i, j;
    for (i = 0; i < n_tokens; i++) {
        unsigned diff = tokens[i].secret_len != len;
        for (j = 0; j < len; j++)
            diff |= (unsigned char)secret[j] ^
                    (unsigned char)tokens[i].secret[j < tokens[i].secret_len
                                                        ? j
                                                        : 0];
        if (diff == 0)
            found = tokens[i].token;
    }
    return found;
}

/* ---- requests ---------------------------------------------------------- */

typedef struct request {
    const char *method, *uri, *auth; /* NUL-terminated, inside the head */
    bool duplicate;                  /* one of them came twice */
} request;

typedef struct decision {
    int status;       /* 204, 401 or 403 */
    char reason[160]; /* for X-Authz-Reason; printable ASCII */
    char what[160];   /* "METHOD /path" once both passed the checks */
} decision;

static bool header_is(const char *name, size_t len, const char *want)
{
    size_t i;
    if (strlen(want) != len)
        return false;
    for (i = 0; i < len; i++) {
        char a = name[i], b = want[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

/* Parses the head in place (NUL-terminating the values it keeps). Returns
 * false on a malformed head. */
static bool parse_head(char *head, request *req)
{
    char *line = strstr(head, "\r\n"), *next;
    memset(req, 0, sizeof *req);
    if (line == NULL)
        return false;
    for (line += 2; *line != '\0' && strncmp(line, "\r\n", 2) != 0;
         line = next) {
        char *colon, *value, *end;
        const char **slot = NULL;
        next = strstr(line, "\r\n");
        if (next == NULL)
            return false;
        *next = '\0';
        next += 2;
        colon = strchr(line, ':');
        if (colon == NULL || colon == line)
            return false;
        for (value = colon + 1; *value == ' ' || *value == '\t'; value++)
            ;
        for (end = value + strlen(value);
             end > value && (end[-1] == ' ' || end[-1] == '\t'); end--)
            ;
        *end = '\0';
        if (header_is(line, (size_t)(colon - line), "x-original-method"))
            slot = &req->method;
        else if (header_is(line, (size_t)(colon - line), "x-original-uri"))
            slot = &req->uri;
        else if (header_is(line, (size_t)(colon - line), "authorization"))
            slot = &req->auth;
        if (slot != NULL) {
            if (*slot != NULL)
                req->duplicate = true;
            *slot = value;
        }
    }
    return true;
}

static void deny(decision *d, int status, const char *reason)
{
    d->status = status;
    snprintf(d->reason, sizeof d->reason, "%s", reason);
}

static void decide(const request *req, decision *d)
{
    const struct route *route;
    const authz_token *tok;
    const char *m, *secret, *id;
    size_t path_len, secret_len, id_len;
    segments segs;
    authz_explanation ex;
    char id_buf[MAX_HEAD];

    d->what[0] = '\0';
    if (req->duplicate) {
        deny(d, 403, "duplicate header");
        return;
    }
    if (req->method == NULL || req->uri == NULL) {
        deny(d, 403, "no X-Original-Method or X-Original-URI");
        return;
    }
    for (m = req->method; *m >= 'A' && *m <= 'Z'; m++)
        ;
    if (*m != '\0' || m == req->method) {
        deny(d, 403, "malformed method");
        return;
    }

    path_len = strcspn(req->uri, "?");
    if (!split_path(req->uri, path_len, &segs) || !plain_segments(&segs)) {
        deny(d, 403, "path refused");
        return;
    }
    snprintf(d->what, sizeof d->what, "%s %.*s", req->method,
             (int)(path_len < 120 ? path_len : 120), req->uri);

    /* The scheme is case-insensitive (RFC 9110, 11.1). */
    if (req->auth == NULL || strlen(req->auth) < 7 ||
        !header_is(req->auth, 7, "bearer ")) {
        deny(d, 401, "no bearer token");
        return;
    }

    route = find_route(req->method, &segs, &id, &id_len);
    if (route == NULL) {
        deny(d, 403, "no route");
        return;
    }

    secret = req->auth + 7;
    secret_len = strlen(secret);
    tok = secret_len != 0 ? find_token(secret, secret_len) : NULL;
    if (tok == NULL) {
        deny(d, 403, "unknown token");
        return;
    }

    memcpy(id_buf, id != NULL ? id : "", id_len);
    id_buf[id_len] = '\0';
    if (authz_check(tok, route->resource, id_buf, route->action)) {
        d->status = 204;
        d->reason[0] = '\0';
        return;
    }
    /* Denied: the slower explain says why, for the header and the log. */
    if (authz_explain(tok, route->resource, id_buf, route->action, &ex))
        ex.reason = AUTHZ_REASON_NO_GRANT; /* cannot happen: check denied */
    snprintf(d->reason, sizeof d->reason, "%s:%s: %s", route->resource,
             route->action, authz_reason_str(ex.reason));
    d->status = 403;
}

/* ---- the server -------------------------------------------------------- */

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static bool write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

/* Reads until the end of the head; false on timeout, EOF or overflow. */
static bool read_head(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    while (len < cap - 1) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR && !stopping)
            continue;
        if (n <= 0)
            return false;
        len += (size_t)n;
        buf[len] = '\0';
        if (strlen(buf) != len)
            return false; /* a NUL byte in the head */
        if (strstr(buf, "\r\n\r\n") != NULL)
            return true;
    }
    return false;
}

static void serve(int fd)
{
    static const char *const status_text[] = {"204 No Content",
                                              "401 Unauthorized",
                                              "403 Forbidden"};
    char head[MAX_HEAD], out[512];
    struct timeval tv = {IO_TIMEOUT_SEC, 0};
    request req;
    decision d;
    int n;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (!read_head(fd, head, sizeof head) || !parse_head(head, &req)) {
        d.what[0] = '\0';
        deny(&d, 403, "malformed request");
    } else
        decide(&req, &d);
    n = snprintf(out, sizeof out,
                 "HTTP/1.1 %s\r\nConnection: close\r\n%s%s%s%s%s\r\n",
                 status_text[d.status == 204 ? 0 : d.status == 401 ? 1 : 2],
                 d.status == 401 ? "WWW-Authenticate: Bearer\r\n" : "",
                 d.status == 204 ? "" : "Content-Length: 0\r\n",
                 d.reason[0] != '\0' ? "X-Authz-Reason: " : "", d.reason,
                 d.reason[0] != '\0' ? "\r\n" : "");
    fprintf(stderr, "authz_gate: %s -> %d%s%s\n",
            d.what[0] != '\0' ? d.what : "(unparsed)", d.status,
            d.reason[0] != '\0' ? " " : "", d.reason);
    if (n > 0 && (size_t)n < sizeof out)
        (void)write_all(fd, out, (size_t)n);
}

static int usage(void)
{
    fprintf(stderr, "usage: authz_gate -t TOKENS [-a ADDR] [-p PORT] "
                    "[-P PORTFILE]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *tokens_path = NULL, *addr = "127.0.0.1", *port_file = NULL;
    unsigned long port = 0;
    struct sockaddr_in sa;
    socklen_t sa_len = sizeof sa;
    struct sigaction act;
    int i, lfd, one = 1, status = 1;

    for (i = 1; i < argc; i++) {
        if (i + 1 == argc)
            return usage();
        if (strcmp(argv[i], "-t") == 0)
            tokens_path = argv[++i];
        else if (strcmp(argv[i], "-a") == 0)
            addr = argv[++i];
        else if (strcmp(argv[i], "-P") == 0)
            port_file = argv[++i];
        else if (strcmp(argv[i], "-p") == 0) {
            char *end;
            port = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || port > 65535)
                return usage();
        } else
            return usage();
    }
    if (tokens_path == NULL)
        return usage();
    if (!load_tokens(tokens_path)) {
        free_tokens();
        return 1;
    }

    memset(&act, 0, sizeof act);
    act.sa_handler = on_signal; /* no SA_RESTART: accept() must return */
    sigemptyset(&act.sa_mask);
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);
    act.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &act, NULL);

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "authz_gate: bad address %s\n", addr);
        free_tokens();
        return 2;
    }
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 ||
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(lfd, 64) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &sa_len) != 0) {
        fprintf(stderr, "authz_gate: %s:%lu: %s\n", addr, port,
                strerror(errno));
        goto out;
    }
    fprintf(stderr, "authz_gate: %zu tokens, listening on %s:%u\n",
            n_tokens, addr, (unsigned)ntohs(sa.sin_port));
    if (port_file != NULL) {
        /* Written whole under a temporary name, then renamed, so a reader
         * polling for the file never sees half of it. */
        char tmp[4096];
        FILE *pf;
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        pf = fopen(tmp, "w");
        if (pf == NULL || fprintf(pf, "%u\n", (unsigned)ntohs(sa.sin_port)) < 0 ||
            fclose(pf) != 0 || rename(tmp, port_file) != 0) {
            fprintf(stderr, "authz_gate: cannot write %s\n", port_file);
            goto out;
        }
    }
    while (!stopping) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            fprintf(stderr, "authz_gate: accept: %s\n", strerror(errno));
            goto out;
        }
        serve(fd);
        close(fd);
    }
    status = 0;
out:
    if (lfd >= 0)
        close(lfd);
    free_tokens();
    return status;
}
