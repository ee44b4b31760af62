/*
 * api_server.c - a small JSON API whose every request is authorized by
 * authz, with tokens stored in SQLite.
 *
 *   cc api_server.c http.c json.c store.c -o api_server \
 *       $(pkg-config --cflags --libs authz sqlite3)
 *   ./api_server -d tokens.db mint coder:all '*:*'     prints a first secret
 *   ./api_server -d tokens.db [-p PORT] [-P PORTFILE]  serves on 127.0.0.1
 *
 * Routes (every one needs "Authorization: Bearer <secret>", else 401):
 *
 *   POST   /tokens                {"scopes": [...], "allow": [...]}
 *          Makes a token. The caller needs api_key:create; the new token's
 *          scopes must be public (AUTHZ_PUBLIC) and covered by the caller's,
 *          and its allow list must admit nothing the caller's does not: a
 *          token never mints a stronger one. A missing key means Coder's
 *          creation default (scopes ["coder:all"], allow ["*:*"]); an empty
 *          list makes a token that denies everything. Answers 201 with the
 *          secret and the lists in normal form, 400 with the library's error
 *          (message, list, index, offset, entry) for a bad entry, 403 when
 *          the caller may not mint it.
 *   GET    /tokens/self           the caller's lists in normal form
 *   DELETE /tokens/self           revokes the caller's token (204)
 *   GET    /workspaces/{id}       workspace read     (and the routes below:
 *   POST   /workspaces            workspace create    each is one
 *   POST   /workspaces/{id}/start workspace start     authz_check, 200 with
 *   ...                                               a small JSON body or
 *   GET    /templates/{id}        template read       403 with the reason)
 *
 * One request at a time, each connection closed after its answer; tokens
 * are compiled once and cached (store.c). SIGTERM or SIGINT stop it, freeing
 * everything.
 */
#define _POSIX_C_SOURCE 200809L

#include "api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_SEGMENTS 8
#define MAX_LIST 4096 /* entries of a normal-form list we copy out */

struct route {
    const char *method, *path, *resource, *action;
};

/* "{id}" matches one path segment, the object's id. */
static const struct route routes[] = {
    {"GET", "/workspaces/{id}", "workspace", "read"},
    {"PATCH", "/workspaces/{id}", "workspace", "update"},
    {"DELETE", "/workspaces/{id}", "workspace", "delete"},
    {"POST", "/workspaces", "workspace", "create"},
    {"POST", "/workspaces/{id}/start", "workspace", "start"},
    {"POST", "/workspaces/{id}/stop", "workspace", "stop"},
    {"GET", "/templates/{id}", "template", "read"},
    {"POST", "/templates", "template", "create"},
    {"GET", "/users/{id}", "user", "read"},
    {"GET", "/files/{id}", "file", "read"},
};

typedef struct segments {
    const char *ptr[MAX_SEGMENTS];
    size_t len[MAX_SEGMENTS];
    size_t n;
} segments;

/* Splits "/a/b" into segments. Refuses empty segments, "." and "..", and
 * any byte outside [A-Za-z0-9._~:-] (percent-encoding included): an id is
 * passed to the check exactly as it appears in the path. */
static bool split_path(const char *path, size_t len, bool pattern,
                       segments *out)
{
    size_t i = 0;
    out->n = 0;
    if (len == 0 || path[0] != '/')
        return false;
    while (i < len) {
        size_t start = ++i;
        while (i < len && path[i] != '/') {
            char c = path[i];
            if (!pattern &&
                !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '~' || c == ':' || c == '-'))
                return false;
            i++;
        }
        if (i == start || out->n == MAX_SEGMENTS)
            return false;
        if (path[start] == '.' &&
            (i - start == 1 || (i - start == 2 && path[start + 1] == '.')))
            return false;
        out->ptr[out->n] = path + start;
        out->len[out->n] = i - start;
        out->n++;
    }
    return true;
}

static bool segments_are(const segments *s, const char *method,
                         const char *want_method, const char *pattern,
                         const char **id, size_t *id_len)
{
    segments pat;
    size_t i;
    if (strcmp(method, want_method) != 0 ||
        !split_path(pattern, strlen(pattern), true, &pat) || pat.n != s->n)
        return false;
    *id = "";
    *id_len = 0;
    for (i = 0; i < s->n; i++) {
        if (pat.len[i] == 4 && memcmp(pat.ptr[i], "{id}", 4) == 0) {
            *id = s->ptr[i];
            *id_len = s->len[i];
        } else if (pat.len[i] != s->len[i] ||
                   memcmp(pat.ptr[i], s->ptr[i], s->len[i]) != 0) {
            return false;
        }
    }
    return true;
}

/* ---- responses ----------------------------------------------------------- */

static void send_json(int fd, int status, const char *headers, jbuf *b)
{
    static const char oom[] = "{\"error\": \"out of memory\"}\n";
    if (b->failed)
        http_respond(fd, 500, NULL, oom, strlen(oom));
    else
        http_respond(fd, status, headers, b->ptr, b->len);
    jbuf_free(b);
}

static void send_error(int fd, int status, const char *headers,
                       const char *error)
{
    jbuf b = {0};
    jbuf_raw(&b, "{\"error\": ");
    jbuf_str(&b, error, strlen(error));
    jbuf_raw(&b, "}\n");
    send_json(fd, status, headers, &b);
}

/* 400 for an entry the library refused, quoting it. */
static void send_authz_error(int fd, const authz_error *err,
                             const token_request *tr)
{
    const authz_str *list = err->list == AUTHZ_LIST_SCOPES ? tr->scopes
                            : err->list == AUTHZ_LIST_ALLOW ? tr->allow
                                                            : NULL;
    size_t n = err->list == AUTHZ_LIST_SCOPES  ? tr->n_scopes
               : err->list == AUTHZ_LIST_ALLOW ? tr->n_allow
                                               : 0;
    jbuf b = {0};
    jbuf_raw(&b, "{\"error\": ");
    jbuf_str(&b, authz_strerror(err->code), strlen(authz_strerror(err->code)));
    jbuf_raw(&b, ", \"message\": ");
    jbuf_str(&b, err->message, strlen(err->message));
    jbuf_fmt(&b, ", \"list\": \"%s\", \"index\": %zu, \"offset\": %zu",
             err->list == AUTHZ_LIST_SCOPES  ? "scopes"
             : err->list == AUTHZ_LIST_ALLOW ? "allow"
                                             : "",
             err->index, err->offset);
    if (list != NULL && err->index < n) {
        jbuf_raw(&b, ", \"entry\": ");
        jbuf_str(&b, list[err->index].ptr, list[err->index].len);
    }
    jbuf_raw(&b, "}\n");
    send_json(fd, 400, NULL, &b);
}

/* ---- tokens ---------------------------------------------------------------- */

static size_t list_strs(const authz_list *list, authz_str *out)
{
    size_t i, n = authz_list_count(list);
    if (n > MAX_LIST)
        n = MAX_LIST; /* never reached: the library's limits are lower */
    for (i = 0; i < n; i++) {
        out[i].ptr = authz_list_get(list, i);
        out[i].len = strlen(out[i].ptr);
    }
    return n;
}

static bool lists_equal(const authz_list *a, const authz_list *b)
{
    size_t i;
    if (authz_list_count(a) != authz_list_count(b))
        return false;
    for (i = 0; i < authz_list_count(a); i++)
        if (strcmp(authz_list_get(a, i), authz_list_get(b, i)) != 0)
            return false;
    return true;
}

/* May `caller` hand out `tok`? Its scopes must cover the new ones, and the
 * new allow list must be its own intersection with the caller's. NULL if
 * so, else why not (a static string), with the missing grants in *missing
 * when that is the reason. */
static const char *exceeds_caller(const authz_token *caller,
                                  const authz_token *tok,
                                  authz_list **missing)
{
    static authz_str a[MAX_LIST], b[MAX_LIST];
    const authz_catalog *cat = authz_catalog_coder();
    authz_list *have = authz_token_scopes(caller, NULL);
    authz_list *want = authz_token_scopes(tok, NULL);
    authz_list *have_allow = authz_token_allow(caller, NULL);
    authz_list *want_allow = authz_token_allow(tok, NULL);
    authz_list *both = NULL;
    const char *why = "internal error";
    bool covered = false;
    *missing = NULL;
    if (have == NULL || want == NULL || have_allow == NULL ||
        want_allow == NULL)
        goto out;
    if (authz_scopes_cover(cat, a, list_strs(have, a), b,
                           list_strs(want, b), &covered, missing, NULL,
                           NULL) != AUTHZ_OK)
        goto out;
    if (!covered) {
        why = "the requested scopes exceed the caller's";
        goto out;
    }
    authz_list_free(*missing);
    *missing = NULL;
    both = authz_allow_intersect(cat, a, list_strs(have_allow, a), b,
                                 list_strs(want_allow, b), NULL, NULL);
    if (both == NULL)
        goto out;
    why = lists_equal(both, want_allow)
              ? NULL
              : "the requested allow list admits objects the caller's "
                "does not";
out:
    authz_list_free(both);
    authz_list_free(have);
    authz_list_free(want);
    authz_list_free(have_allow);
    authz_list_free(want_allow);
    return why;
}

static token_request treq; /* large, and one request at a time */

/* Builds the token a creation request asks for, strictly: public scopes
 * only, the library's default limits. NULL with err filled. */
static authz_token *creation_token(token_request *tr, authz_error *err)
{
    static const char all[] = "coder:all", any[] = "*:*";
    authz_options opts;
    if (!tr->has_scopes) {
        tr->scopes[0].ptr = all;
        tr->scopes[0].len = sizeof all - 1;
        tr->n_scopes = 1;
    }
    if (!tr->has_allow) {
        tr->allow[0].ptr = any;
        tr->allow[0].len = sizeof any - 1;
        tr->n_allow = 1;
    }
    authz_options_init(&opts);
    opts.flags = AUTHZ_PUBLIC;
    return authz_token_new_ex(authz_catalog_coder(), tr->scopes,
                              tr->n_scopes, tr->allow, tr->n_allow, &opts,
                              err);
}

/* Stores tok; writes the JSON answer into b. False on a storage failure. */
static bool save_token(store *db, const authz_token *tok, char *secret,
                       jbuf *b)
{
    authz_list *scopes = authz_token_scopes(tok, NULL);
    authz_list *allow = authz_token_allow(tok, NULL);
    bool ok = scopes != NULL && allow != NULL &&
              store_add(db, scopes, allow, secret);
    if (ok) {
        jbuf_raw(b, "{\"secret\": ");
        jbuf_str(b, secret, strlen(secret));
        jbuf_raw(b, ", \"scopes\": ");
        jbuf_list(b, scopes);
        jbuf_raw(b, ", \"allow\": ");
        jbuf_list(b, allow);
        jbuf_raw(b, "}\n");
    }
    authz_list_free(scopes);
    authz_list_free(allow);
    return ok;
}

static void post_tokens(int fd, store *db, const authz_token *caller,
                        const http_request *req)
{
    char msg[160], secret[SECRET_LEN + 1];
    authz_explanation ex;
    authz_error err;
    authz_token *tok;
    authz_list *missing = NULL;
    const char *why;
    jbuf b = {0};

    if (!authz_explain(caller, "api_key", "", "create", &ex)) {
        jbuf_raw(&b, "{\"error\": \"forbidden\", \"reason\": ");
        jbuf_str(&b, authz_reason_str(ex.reason),
                 strlen(authz_reason_str(ex.reason)));
        jbuf_raw(&b, ", \"needs\": \"api_key:create\"}\n");
        send_json(fd, 403, NULL, &b);
        return;
    }
    if (!json_parse_token_request(req->body, req->body_len, &treq, msg,
                                  sizeof msg)) {
        jbuf_raw(&b, "{\"error\": \"invalid JSON\", \"message\": ");
        jbuf_str(&b, msg, strlen(msg));
        jbuf_raw(&b, "}\n");
        send_json(fd, 400, NULL, &b);
        return;
    }
    tok = creation_token(&treq, &err);
    if (tok == NULL) {
        send_authz_error(fd, &err, &treq);
        return;
    }
    why = exceeds_caller(caller, tok, &missing);
    if (why != NULL) {
        jbuf_raw(&b, "{\"error\": ");
        jbuf_str(&b, why, strlen(why));
        if (missing != NULL) {
            jbuf_raw(&b, ", \"missing\": ");
            jbuf_list(&b, missing);
        }
        jbuf_raw(&b, "}\n");
        send_json(fd, strcmp(why, "internal error") == 0 ? 500 : 403, NULL,
                  &b);
    } else if (save_token(db, tok, secret, &b)) {
        send_json(fd, 201, NULL, &b);
    } else {
        jbuf_free(&b);
        send_error(fd, 500, NULL, "cannot store the token");
    }
    authz_list_free(missing);
    authz_token_free(tok);
}

static void get_self(int fd, const authz_token *caller)
{
    authz_list *scopes = authz_token_scopes(caller, NULL);
    authz_list *allow = authz_token_allow(caller, NULL);
    jbuf b = {0};
    jbuf_raw(&b, "{\"scopes\": ");
    jbuf_list(&b, scopes);
    jbuf_raw(&b, ", \"allow\": ");
    jbuf_list(&b, allow);
    jbuf_raw(&b, "}\n");
    b.failed |= scopes == NULL || allow == NULL;
    send_json(fd, 200, NULL, &b);
    authz_list_free(scopes);
    authz_list_free(allow);
}

/* ---- requests ------------------------------------------------------------- */

static void resource_request(int fd, const authz_token *caller,
                             const struct route *r, const char *id,
                             size_t id_len)
{
    char id_buf[HTTP_MAX_HEAD];
    authz_explanation ex;
    jbuf b = {0};
    bool allowed;
    memcpy(id_buf, id, id_len);
    id_buf[id_len] = '\0';
    allowed = authz_check(caller, r->resource, id_buf, r->action);
    /* The reason costs more; only a deny needs it. */
    if (!allowed && authz_explain(caller, r->resource, id_buf, r->action, &ex))
        ex.reason = AUTHZ_REASON_NO_GRANT; /* cannot happen: check denied */
    jbuf_fmt(&b, "{%s\"resource\": \"%s\", \"id\": ",
             allowed ? "" : "\"error\": \"forbidden\", ", r->resource);
    jbuf_str(&b, id_buf, id_len);
    jbuf_fmt(&b, ", \"action\": \"%s\"", r->action);
    if (!allowed)
        jbuf_fmt(&b, ", \"reason\": \"%s\"", authz_reason_str(ex.reason));
    jbuf_raw(&b, "}\n");
    send_json(fd, allowed ? 200 : 403, NULL, &b);
}

/* "Bearer " in any letter case (RFC 9110, 11.1). */
static bool is_bearer(const char *auth)
{
    static const char want[] = "bearer ";
    size_t i;
    for (i = 0; i < sizeof want - 1; i++) {
        char c = auth[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != want[i])
            return false;
    }
    return true;
}

static void handle(int fd, store *db)
{
    static char buf[HTTP_MAX_HEAD + HTTP_MAX_BODY];
    static const char challenge[] = "WWW-Authenticate: Bearer\r\n";
    http_request req;
    segments segs;
    const authz_token *caller;
    const char *secret, *id;
    size_t i, id_len;
    int rc = http_read_request(fd, buf, &req);

    if (rc != 0) {
        send_error(fd, rc, NULL, "malformed or oversized request");
        return;
    }
    if (req.auth == NULL || !is_bearer(req.auth)) {
        send_error(fd, 401, challenge, "a bearer token is required");
        return;
    }
    secret = req.auth + 7;
    caller = store_lookup(db, secret, strlen(secret));
    if (caller == NULL) {
        send_error(fd, 401, challenge, "unknown token");
        return;
    }
    if (!split_path(req.path, req.path_len, false, &segs)) {
        send_error(fd, 404, NULL, "no such route");
        return;
    }
    if (segments_are(&segs, req.method, "POST", "/tokens", &id, &id_len)) {
        post_tokens(fd, db, caller, &req);
        return;
    }
    if (segments_are(&segs, req.method, "GET", "/tokens/self", &id,
                     &id_len)) {
        get_self(fd, caller);
        return;
    }
    if (segments_are(&segs, req.method, "DELETE", "/tokens/self", &id,
                     &id_len)) {
        if (store_remove(db, secret, strlen(secret)))
            http_respond(fd, 204, NULL, NULL, 0);
        else
            send_error(fd, 500, NULL, "cannot remove the token");
        return;
    }
    for (i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (segments_are(&segs, req.method, routes[i].method, routes[i].path,
                         &id, &id_len)) {
            resource_request(fd, caller, &routes[i], id, id_len);
            return;
        }
    send_error(fd, 404, NULL, "no such route");
}

/* ---- main ------------------------------------------------------------------ */

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* `api_server -d DB mint SCOPES ALLOW`: the first token, made on the command
 * line (the lists comma-separated, "-" for an empty one), under the same
 * rules as POST /tokens except that no caller limits it. */
static int mint(store *db, char *scopes, char *allow)
{
    char secret[SECRET_LEN + 1];
    authz_error err;
    authz_token *tok;
    jbuf b = {0};
    char *p;
    treq.has_scopes = treq.has_allow = true;
    treq.n_scopes = treq.n_allow = 0;
    for (p = strcmp(scopes, "-") == 0 ? NULL : scopes; p != NULL;) {
        char *comma = strchr(p, ',');
        if (treq.n_scopes == JSON_MAX_ENTRIES)
            break;
        treq.scopes[treq.n_scopes].ptr = p;
        treq.scopes[treq.n_scopes++].len =
            comma != NULL ? (size_t)(comma - p) : strlen(p);
        p = comma != NULL ? comma + 1 : NULL;
    }
    for (p = strcmp(allow, "-") == 0 ? NULL : allow; p != NULL;) {
        char *comma = strchr(p, ',');
        if (treq.n_allow == JSON_MAX_ENTRIES)
            break;
        treq.allow[treq.n_allow].ptr = p;
        treq.allow[treq.n_allow++].len =
            comma != NULL ? (size_t)(comma - p) : strlen(p);
        p = comma != NULL ? comma + 1 : NULL;
    }
    tok = creation_token(&treq, &err);
    if (tok == NULL) {
        fprintf(stderr, "api_server: %s\n", err.message);
        return 1;
    }
    if (!save_token(db, tok, secret, &b) || b.failed) {
        authz_token_free(tok);
        jbuf_free(&b);
        return 1;
    }
    printf("%s\n", secret);
    authz_token_free(tok);
    jbuf_free(&b);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: api_server -d DB [-p PORT] [-P PORTFILE]\n"
                    "       api_server -d DB mint SCOPES ALLOW\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *db_path = NULL, *port_file = NULL;
    unsigned long port = 0;
    struct sockaddr_in sa;
    socklen_t sa_len = sizeof sa;
    struct sigaction act;
    int i, lfd = -1, one = 1, status = 1;
    store *db;

    for (i = 1; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 == argc)
            return usage();
        if (strcmp(argv[i], "-d") == 0) {
            db_path = argv[i + 1];
        } else if (strcmp(argv[i], "-P") == 0) {
            port_file = argv[i + 1];
        } else if (strcmp(argv[i], "-p") == 0) {
            char *end;
            port = strtoul(argv[i + 1], &end, 10);
            if (*end != '\0' || port > 65535)
                return usage();
        } else {
            return usage();
        }
    }
    if (db_path == NULL || (i != argc && (argc - i != 3 ||
                                          strcmp(argv[i], "mint") != 0)))
        return usage();
    db = store_open(db_path);
    if (db == NULL)
        return 1;
    if (i != argc) {
        status = mint(db, argv[i + 1], argv[i + 2]);
        store_close(db);
        return status;
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
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 ||
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(lfd, 64) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &sa_len) != 0) {
        fprintf(stderr, "api_server: 127.0.0.1:%lu: %s\n", port,
                strerror(errno));
        goto out;
    }
    fprintf(stderr, "api_server: listening on 127.0.0.1:%u\n",
            (unsigned)ntohs(sa.sin_port));
    if (port_file != NULL) {
        char tmp[4096];
        FILE *pf;
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        pf = fopen(tmp, "w");
        if (pf == NULL ||
            fprintf(pf, "%u\n", (unsigned)ntohs(sa.sin_port)) < 0 ||
            fclose(pf) != 0 || rename(tmp, port_file) != 0) {
            fprintf(stderr, "api_server: cannot write %s\n", port_file);
            goto out;
        }
    }
    while (!stopping) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            fprintf(stderr, "api_server: accept: %s\n", strerror(errno));
            goto out;
        }
        handle(fd, db);
        http_close(fd);
    }
    status = 0;
out:
    if (lfd >= 0)
        close(lfd);
    store_close(db);
    return status;
}
