/*
 * api_server.c - a small JSON API whose every request is authorized by
 * authz, with API keys and workspaces in SQLite.
 *
 *   cc api_server.c store.c ../common/serve.c -I../common -o api_server \
 *       $(pkg-config --cflags --libs authz libmicrohttpd jansson libsodium \
 *         sqlite3) -lpthread
 *   ./api_server -d api.db mint coder:all '*:*'      prints a first key
 *   ./api_server -d api.db [-p PORT] [-P PORTFILE] [-a ADDR] [-j THREADS]
 *                [-T DEADLINE_MS]
 *
 * Every route needs "Authorization: Bearer <id>-<secret>" (else 401) and is
 * authorized by authz before anything else happens (else 403 with the
 * reason). A locked database answers 503 with Retry-After.
 *
 *   POST   /tokens                 api_key:create
 *          {"scopes": [...], "allow": [...], "lifetime_seconds": N}, each
 *          optional. Makes a key. Its scopes must be public (AUTHZ_PUBLIC)
 *          and covered by the caller's, its allow list must admit nothing
 *          the caller's does not, and it expires no later than the caller:
 *          a key never mints a stronger one. A missing list means Coder's
 *          creation default (["coder:all"], ["*:*"]); an empty one makes a
 *          key that denies everything. 201 with the key (shown once) and
 *          its lists in normal form, 400 with the library's error (message,
 *          list, index, offset, entry) for a bad entry, 403 when the caller
 *          may not mint it.
 *   GET    /tokens/self            api_key:read   on the key's own id
 *   DELETE /tokens/self            api_key:delete on the key's own id
 *          Key ids are not UUIDs (Coder's are 10 letters and digits), and an
 *          allow list names objects by UUID: only `api_key:*` or `*:*`
 *          admits a key id. A key without one cannot read or revoke itself.
 *   GET    /workspaces             the workspaces the key may read, found
 *                                  by an SQL predicate (authz_token_granted_sql)
 *   POST   /workspaces             workspace:create {"name": "...", "id": uuid}
 *   GET    /workspaces/{id}        workspace:read
 *   PATCH  /workspaces/{id}        workspace:update {"name": "..."}
 *   DELETE /workspaces/{id}        workspace:delete
 *   POST   /workspaces/{id}/start  workspace:start
 *   POST   /workspaces/{id}/stop   workspace:stop
 *   GET    /templates/{id}, POST /templates, GET /users/{id},
 *   GET    /files/{id}             the check alone, answered with its result
 *
 * HTTP is libmicrohttpd's, on a thread pool with per-connection limits and
 * a whole-request deadline (../common/serve.c); JSON is jansson's; SHA-256,
 * constant-time comparison and randomness are libsodium's. The server
 * never reads a method-override header (X-HTTP-Method-Override and the
 * like): the method authorized is the method run. SIGTERM or SIGINT stop
 * it, freeing everything.
 */
#define _POSIX_C_SOURCE 200809L

#include "api.h"
#include "serve.h"

#include <jansson.h>
#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_SEGMENTS 8
#define MAX_BODY 16384          /* a key or workspace request is far smaller */
#define MAX_ENTRIES 1024        /* per JSON array; the library's limits are lower */
#define MAX_NAME 200            /* bytes of a workspace name */
#define MAX_LIST_ROWS 1000      /* rows GET /workspaces answers */
#define DEFAULT_LIFETIME (30 * 24 * 3600)
#define MAX_LIFETIME (365 * 24 * 3600)

static const char *db_path;
static authz_target workspace_read; /* resolved once, for the list */

/* ---- routes -------------------------------------------------------------- */

enum handler {
    H_TOKENS_CREATE,
    H_TOKENS_SELF,
    H_TOKENS_REVOKE,
    H_WS_LIST,
    H_WS_CREATE,
    H_WS_GET,
    H_WS_RENAME,
    H_WS_DELETE,
    H_WS_ACTION,
    H_CHECK_ONLY
};

struct route {
    const char *method, *path, *resource, *action;
    enum handler h;
    bool body; /* reads a JSON body */
};

/* "{id}" matches one path segment, the object's id. */
static const struct route routes[] = {
    {"POST", "/tokens", "api_key", "create", H_TOKENS_CREATE, true},
    {"GET", "/tokens/self", "api_key", "read", H_TOKENS_SELF, false},
    {"DELETE", "/tokens/self", "api_key", "delete", H_TOKENS_REVOKE, false},
    {"GET", "/workspaces", "workspace", "read", H_WS_LIST, false},
    {"POST", "/workspaces", "workspace", "create", H_WS_CREATE, true},
    {"GET", "/workspaces/{id}", "workspace", "read", H_WS_GET, false},
    {"PATCH", "/workspaces/{id}", "workspace", "update", H_WS_RENAME, true},
    {"DELETE", "/workspaces/{id}", "workspace", "delete", H_WS_DELETE, false},
    {"POST", "/workspaces/{id}/start", "workspace", "start", H_WS_ACTION,
     false},
    {"POST", "/workspaces/{id}/stop", "workspace", "stop", H_WS_ACTION,
     false},
    {"GET", "/templates/{id}", "template", "read", H_CHECK_ONLY, false},
    {"POST", "/templates", "template", "create", H_CHECK_ONLY, false},
    {"GET", "/users/{id}", "user", "read", H_CHECK_ONLY, false},
    {"GET", "/files/{id}", "file", "read", H_CHECK_ONLY, false},
};

typedef struct segments {
    const char *ptr[MAX_SEGMENTS];
    size_t len[MAX_SEGMENTS];
    size_t n;
} segments;

/* Splits "/a/b" into segments. Refuses empty segments, "." and "..", and
 * any byte outside [A-Za-z0-9._~:{}-]: an id is passed to the check exactly
 * as it appears in the path. */
static bool split_path(const char *path, size_t len, segments *out)
{
    size_t i = 0;
    out->n = 0;
    if (len == 0 || path[0] != '/')
        return false;
    while (i < len) {
        size_t start = ++i;
        while (i < len && path[i] != '/') {
            char c = path[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '~' || c == ':' || c == '-' || c == '{' || c == '}'))
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

/* The route for method + path; the {id} segment copied into id. */
static const struct route *find_route(const char *method, const char *url,
                                      char *id, size_t id_cap)
{
    segments s, pat;
    size_t r, i;
    if (!split_path(url, strlen(url), &s))
        return NULL;
    for (r = 0; r < sizeof routes / sizeof routes[0]; r++) {
        bool match = true;
        if (strcmp(method, routes[r].method) != 0 ||
            !split_path(routes[r].path, strlen(routes[r].path), &pat) ||
            pat.n != s.n)
            continue;
        id[0] = '\0';
        for (i = 0; i < s.n && match; i++) {
            if (pat.len[i] == 4 && memcmp(pat.ptr[i], "{id}", 4) == 0) {
                if (s.len[i] >= id_cap)
                    return NULL;
                memcpy(id, s.ptr[i], s.len[i]);
                id[s.len[i]] = '\0';
            } else {
                match = pat.len[i] == s.len[i] &&
                        memcmp(pat.ptr[i], s.ptr[i], s.len[i]) == 0;
            }
        }
        if (match)
            return &routes[r];
    }
    return NULL;
}

/* ---- responses ----------------------------------------------------------- */

static const char *const challenge[] = {"WWW-Authenticate", "Bearer", NULL};
static const char *const retry_after[] = {"Retry-After", "1", NULL};

/* Answers with `body` (reference stolen) as JSON. */
static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
                             json_t *body, const char *const *extra)
{
    char *text = body != NULL ? json_dumps(body, JSON_PRESERVE_ORDER) : NULL;
    enum MHD_Result r;
    json_decref(body);
    if (text == NULL && status != 204) {
        static const char oom[] = "{\"error\": \"out of memory\"}";
        return serve_respond(conn, 500, "application/json", oom,
                             sizeof oom - 1, NULL);
    }
    r = serve_respond(conn, status, text != NULL ? "application/json" : NULL,
                      text, text != NULL ? strlen(text) : 0, extra);
    free(text);
    return r;
}

static enum MHD_Result reply_error(struct MHD_Connection *conn,
                                   unsigned status, const char *error,
                                   const char *const *extra)
{
    return reply(conn, status, json_pack("{s:s}", "error", error), extra);
}

/* 503 for a busy database, 500 for another failure. */
static enum MHD_Result reply_store(struct MHD_Connection *conn, key_status ks)
{
    if (ks == KEY_BUSY)
        return reply_error(conn, 503, "the database is busy; try again",
                           retry_after);
    return reply_error(conn, 500, "database error", NULL);
}

static json_t *json_list(const authz_list *list)
{
    json_t *a = json_array();
    size_t i;
    for (i = 0; a != NULL && i < authz_list_count(list); i++)
        json_array_append_new(a, json_string(authz_list_get(list, i)));
    return a;
}

/* ---- a request's state ------------------------------------------------------ */

typedef struct request {
    const struct route *route;
    char id[256];     /* the route's {id} segment */
    char *body;       /* malloc'd, MAX_BODY at most */
    size_t body_len;
    bool too_large;
} request;

static void request_done(void *cls, struct MHD_Connection *conn,
                         void **req_cls, enum MHD_RequestTerminationCode why)
{
    request *r = *req_cls;
    (void)cls;
    (void)conn;
    (void)why;
    if (r != NULL) {
        free(r->body);
        free(r);
        *req_cls = NULL;
    }
}

/* How many values the header `name` has. */
static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind,
                                    const char *key, const char *value)
{
    struct {
        const char *name;
        unsigned n;
    } *c = cls;
    (void)kind;
    (void)value;
    if (strcasecmp(key, c->name) == 0)
        c->n++;
    return MHD_YES;
}

static unsigned header_count(struct MHD_Connection *conn, const char *name)
{
    struct {
        const char *name;
        unsigned n;
    } c = {name, 0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &c);
    return c.n;
}

/* "Bearer " in any letter case (RFC 9110, 11.1). */
static const char *bearer_of(const char *auth)
{
    return auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0 ? auth + 7
                                                                : NULL;
}

/* ---- authentication and the check ---------------------------------------------- */

typedef struct caller {
    const authz_token *token; /* owned by the thread's cache */
    key_info key;
    store *db;
} caller;

/* Authenticates the request and runs its route's check. true with *c set
 * when the request may go on; false when it has been answered (*result). */
static bool authorize(struct MHD_Connection *conn, const request *r,
                      caller *c, enum MHD_Result *result)
{
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_AUTHORIZATION);
    const char *bearer = bearer_of(auth);
    const char *id, *why;
    authz_explanation ex;
    key_status ks;

    if (header_count(conn, MHD_HTTP_HEADER_AUTHORIZATION) > 1) {
        *result = reply_error(conn, 400, "more than one Authorization header",
                              NULL);
        return false;
    }
    if (bearer == NULL) {
        *result = reply_error(conn, 401, "a bearer token is required",
                              challenge);
        return false;
    }
    c->db = store_thread(db_path);
    if (c->db == NULL) {
        *result = reply_store(conn, KEY_ERROR);
        return false;
    }
    ks = store_authenticate(c->db, bearer, strlen(bearer), &c->token, &c->key);
    switch (ks) {
    case KEY_OK:
        break;
    case KEY_MALFORMED:
    case KEY_UNKNOWN:
        *result = reply_error(conn, 401, "unknown token", challenge);
        return false;
    case KEY_EXPIRED:
        *result = reply_error(conn, 401, "expired token", challenge);
        return false;
    default:
        *result = reply_store(conn, ks);
        return false;
    }
    if (r->route == NULL) {
        *result = reply_error(conn, 404, "no such route", NULL);
        return false;
    }
    if (r->route->h == H_WS_LIST)
        return true; /* the list asks the library for the ids it may read */
    /* The key's own id for /tokens/self, the path's id for the others, ""
     * for a create. */
    id = r->route->h == H_TOKENS_SELF || r->route->h == H_TOKENS_REVOKE
             ? c->key.id
             : r->id;
    if (authz_check(c->token, r->route->resource, id, r->route->action))
        return true;
    /* Denied: the slower explain says why. */
    why = authz_explain(c->token, r->route->resource, id, r->route->action,
                        &ex)
              ? "denied" /* the two never disagree; the check decides */
              : authz_reason_str(ex.reason);
    *result = reply(
        conn, 403,
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s++}", "error", "forbidden",
                  "resource", r->route->resource, "id", id, "action",
                  r->route->action, "reason", why,
                  "needs", r->route->resource, ":", r->route->action),
        NULL);
    return false;
}

/* ---- POST /tokens -------------------------------------------------------------- */

/* Reads an optional array of strings (NUL bytes and all) into out[]. */
static bool json_strings(json_t *body, const char *key, authz_str **out,
                         size_t *n, bool *present, char *msg, size_t cap)
{
    json_t *a = json_object_get(body, key), *v;
    size_t i;
    *present = a != NULL;
    *n = 0;
    *out = NULL;
    if (a == NULL)
        return true;
    if (!json_is_array(a) || json_array_size(a) > MAX_ENTRIES) {
        snprintf(msg, cap, "%s: expected an array of at most %d strings",
                 key, MAX_ENTRIES);
        return false;
    }
    *out = calloc(json_array_size(a) + 1, sizeof **out);
    if (*out == NULL) {
        snprintf(msg, cap, "out of memory");
        return false;
    }
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v)) {
            snprintf(msg, cap, "%s[%zu]: expected a string", key, i);
            return false;
        }
        (*out)[i].ptr = json_string_value(v);
        (*out)[i].len = json_string_length(v);
    }
    *n = json_array_size(a);
    return true;
}

/* Parses the body as a JSON object whose keys are all in `allowed`. NULL
 * with a message. An empty body is {}. */
static json_t *parse_body(const request *r, const char *const *allowed,
                          char *msg, size_t cap)
{
    json_error_t e;
    json_t *body, *v;
    const char *key;
    if (r->body_len == 0)
        return json_object();
    body = json_loadb(r->body, r->body_len,
                      JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
    if (body == NULL) {
        snprintf(msg, cap, "%s at byte %d", e.text, e.position);
        return NULL;
    }
    if (!json_is_object(body)) {
        snprintf(msg, cap, "expected an object");
        json_decref(body);
        return NULL;
    }
    json_object_foreach(body, key, v)
    {
        const char *const *a;
        for (a = allowed; *a != NULL && strcmp(*a, key) != 0; a++)
            ;
        if (*a == NULL) {
            snprintf(msg, cap, "unknown key \"%.40s\"", key);
            json_decref(body);
            return NULL;
        }
    }
    return body;
}

/* The strings of a list, pointing into it; malloc'd. */
static authz_str *list_strs(const authz_list *list, size_t *n)
{
    size_t i;
    authz_str *out;
    *n = authz_list_count(list);
    out = calloc(*n + 1, sizeof *out);
    for (i = 0; out != NULL && i < *n; i++) {
        out[i].ptr = authz_list_get(list, i);
        out[i].len = strlen(out[i].ptr);
    }
    return out;
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
static const char *exceeds_caller(const authz_token *caller_tok,
                                  const authz_token *tok,
                                  authz_list **missing)
{
    const authz_catalog *cat = authz_catalog_coder();
    authz_list *have = authz_token_scopes(caller_tok, NULL);
    authz_list *want = authz_token_scopes(tok, NULL);
    authz_list *have_allow = authz_token_allow(caller_tok, NULL);
    authz_list *want_allow = authz_token_allow(tok, NULL);
    authz_list *both = NULL;
    authz_str *a = NULL, *b = NULL;
    size_t na, nb;
    const char *why = "internal error";
    bool covered = false;
    *missing = NULL;
    if (have == NULL || want == NULL || have_allow == NULL ||
        want_allow == NULL)
        goto out;
    a = list_strs(have, &na);
    b = list_strs(want, &nb);
    if (a == NULL || b == NULL ||
        authz_scopes_cover(cat, a, na, b, nb, &covered, missing, NULL,
                           NULL) != AUTHZ_OK)
        goto out;
    if (!covered) {
        why = "the requested scopes exceed the caller's";
        goto out;
    }
    authz_list_free(*missing);
    *missing = NULL;
    free(a);
    free(b);
    a = list_strs(have_allow, &na);
    b = list_strs(want_allow, &nb);
    if (a == NULL || b == NULL)
        goto out;
    both = authz_allow_intersect(cat, a, na, b, nb, NULL, NULL);
    if (both == NULL)
        goto out;
    why = lists_equal(both, want_allow)
              ? NULL
              : "the requested allow list admits objects the caller's "
                "does not";
out:
    free(a);
    free(b);
    authz_list_free(both);
    authz_list_free(have);
    authz_list_free(want);
    authz_list_free(have_allow);
    authz_list_free(want_allow);
    return why;
}

/* Builds the token a creation asks for, strictly: public scopes only, the
 * library's default limits; a missing list is Coder's default. NULL with
 * err filled. */
static authz_token *creation_token(const authz_str *scopes, size_t n_scopes,
                                   bool has_scopes, const authz_str *allow,
                                   size_t n_allow, bool has_allow,
                                   authz_error *err)
{
    static const authz_str all = {"coder:all", 9}, any = {"*:*", 3};
    authz_options opts;
    authz_options_init(&opts);
    opts.flags = AUTHZ_PUBLIC;
    return authz_token_new_ex(authz_catalog_coder(),
                              has_scopes ? scopes : &all,
                              has_scopes ? n_scopes : 1,
                              has_allow ? allow : &any,
                              has_allow ? n_allow : 1, &opts, err);
}

/* 400 for an entry the library refused, quoting it. */
static enum MHD_Result reply_authz_error(struct MHD_Connection *conn,
                                         const authz_error *err,
                                         const authz_str *scopes, size_t n_sc,
                                         const authz_str *allow, size_t n_al)
{
    const authz_str *list = err->list == AUTHZ_LIST_SCOPES  ? scopes
                            : err->list == AUTHZ_LIST_ALLOW ? allow
                                                            : NULL;
    size_t n = err->list == AUTHZ_LIST_SCOPES  ? n_sc
               : err->list == AUTHZ_LIST_ALLOW ? n_al
                                               : 0;
    json_t *b = json_pack(
        "{s:s, s:s, s:s, s:I, s:I}", "error", authz_strerror(err->code),
        "message", err->message, "list",
        err->list == AUTHZ_LIST_SCOPES  ? "scopes"
        : err->list == AUTHZ_LIST_ALLOW ? "allow"
                                        : "",
        "index", (json_int_t)err->index, "offset", (json_int_t)err->offset);
    if (b != NULL && list != NULL && err->index < n)
        json_object_set_new(b, "entry", json_stringn(list[err->index].ptr,
                                                     list[err->index].len));
    return reply(conn, 400, b, NULL);
}

/* The JSON answer for a stored key. */
static json_t *key_json(const char *key, const key_info *info,
                        const authz_token *tok)
{
    authz_list *scopes = authz_token_scopes(tok, NULL);
    authz_list *allow = authz_token_allow(tok, NULL);
    json_t *b = NULL;
    if (scopes != NULL && allow != NULL) {
        b = json_object();
        if (b != NULL && key != NULL)
            json_object_set_new(b, "key", json_string(key));
        if (b != NULL) {
            json_object_set_new(b, "id", json_string(info->id));
            json_object_set_new(b, "scopes", json_list(scopes));
            json_object_set_new(b, "allow", json_list(allow));
            json_object_set_new(b, "created_at",
                                json_integer((json_int_t)info->created_at));
            json_object_set_new(b, "expires_at",
                                json_integer((json_int_t)info->expires_at));
        }
    }
    authz_list_free(scopes);
    authz_list_free(allow);
    return b;
}

/* Reads a creation request and makes the token (NULL: answered). */
static enum MHD_Result post_tokens(struct MHD_Connection *conn,
                                   const request *r, const caller *c)
{
    static const char *const keys[] = {"scopes", "allow", "lifetime_seconds",
                                       NULL};
    char msg[200], key[KEY_LEN + 1];
    authz_str *scopes = NULL, *allow = NULL;
    size_t n_sc = 0, n_al = 0;
    bool has_sc, has_al;
    authz_list *missing = NULL;
    authz_token *tok = NULL;
    authz_error err;
    key_info info;
    key_status ks;
    json_t *body = parse_body(r, keys, msg, sizeof msg), *life;
    json_int_t lifetime = DEFAULT_LIFETIME;
    int64_t expires;
    const char *why;
    enum MHD_Result res;

    if (body == NULL)
        return reply(conn, 400,
                     json_pack("{s:s, s:s}", "error", "invalid JSON",
                               "message", msg),
                     NULL);
    life = json_object_get(body, "lifetime_seconds");
    if (life != NULL &&
        (!json_is_integer(life) || json_integer_value(life) < 1 ||
         json_integer_value(life) > MAX_LIFETIME)) {
        res = reply(conn, 400,
                    json_pack("{s:s, s:s}", "error", "invalid JSON", "message",
                              "lifetime_seconds: expected an integer from 1 "
                              "to 31536000"),
                    NULL);
        goto out;
    }
    if (life != NULL)
        lifetime = json_integer_value(life);
    if (!json_strings(body, "scopes", &scopes, &n_sc, &has_sc, msg,
                      sizeof msg) ||
        !json_strings(body, "allow", &allow, &n_al, &has_al, msg,
                      sizeof msg)) {
        res = reply(conn, 400,
                    json_pack("{s:s, s:s}", "error", "invalid JSON", "message",
                              msg),
                    NULL);
        goto out;
    }
    tok = creation_token(scopes, n_sc, has_sc, allow, n_al, has_al, &err);
    if (tok == NULL) {
        res = reply_authz_error(conn, &err, scopes, n_sc, allow, n_al);
        goto out;
    }
    why = exceeds_caller(c->token, tok, &missing);
    if (why != NULL) {
        json_t *b = json_pack("{s:s}", "error", why);
        if (b != NULL && missing != NULL)
            json_object_set_new(b, "missing", json_list(missing));
        res = reply(conn, strcmp(why, "internal error") == 0 ? 500 : 403, b,
                    NULL);
        goto out;
    }
    /* A key never outlives the key that made it. */
    expires = (int64_t)time(NULL) + (int64_t)lifetime;
    if (expires > c->key.expires_at)
        expires = c->key.expires_at;
    ks = store_add_key(c->db, tok, expires, key, &info);
    if (ks != KEY_OK) {
        res = reply_store(conn, ks);
        goto out;
    }
    res = reply(conn, 201, key_json(key, &info, tok), NULL);
    sodium_memzero(key, sizeof key);
out:
    authz_list_free(missing);
    authz_token_free(tok);
    free(scopes);
    free(allow);
    json_decref(body);
    return res;
}

/* ---- workspaces ----------------------------------------------------------------- */

static void add_row(void *ctx, const char *id, const char *name)
{
    json_array_append_new(ctx, json_pack("{s:s, s:s}", "id", id, "name",
                                         name));
}

/* GET /workspaces: the library turns the key into an SQL predicate over the
 * id column ("1", "0" or "id IN (...)"), and the database does the rest. */
static enum MHD_Result list_workspaces(struct MHD_Connection *conn,
                                       const caller *c)
{
    char small[4096], *pred = small;
    size_t len = 0;
    json_t *rows;
    key_status ks;
    int rc = authz_token_granted_sql(c->token, &workspace_read, "id", small,
                                     sizeof small, &len);
    if (rc == AUTHZ_ESPACE) {
        pred = malloc(len + 1);
        rc = pred == NULL ? AUTHZ_ENOMEM
                          : authz_token_granted_sql(c->token, &workspace_read,
                                                    "id", pred, len + 1, &len);
    }
    if (rc != AUTHZ_OK) {
        if (pred != small)
            free(pred);
        return reply_error(conn, 500, authz_strerror(rc), NULL);
    }
    rows = json_array();
    ks = rows != NULL ? store_list_workspaces(c->db, pred, MAX_LIST_ROWS,
                                              add_row, rows)
                      : KEY_ERROR;
    if (pred != small)
        free(pred);
    if (ks != KEY_OK) {
        json_decref(rows);
        return reply_store(conn, ks);
    }
    return reply(conn, 200, json_pack("{s:o}", "workspaces", rows), NULL);
}

/* A workspace name from the body: 1 to MAX_NAME bytes, no control bytes.
 * NULL with a message. */
static const char *body_name(json_t *body, bool required, char *msg,
                             size_t cap)
{
    json_t *v = json_object_get(body, "name");
    const char *s;
    size_t i, n;
    if (v == NULL && !required)
        return "";
    if (!json_is_string(v)) {
        snprintf(msg, cap, "name: expected a string");
        return NULL;
    }
    s = json_string_value(v);
    n = json_string_length(v);
    if (n == 0 || n > MAX_NAME) {
        snprintf(msg, cap, "name: 1 to %d bytes", MAX_NAME);
        return NULL;
    }
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            snprintf(msg, cap, "name: no control characters");
            return NULL;
        }
    return s;
}

static enum MHD_Result create_workspace(struct MHD_Connection *conn,
                                        const request *r, const caller *c)
{
    static const char *const keys[] = {"name", "id", NULL};
    char msg[200], id[UUID_LEN + 1];
    json_t *body = parse_body(r, keys, msg, sizeof msg), *jid;
    const char *name = body != NULL ? body_name(body, false, msg, sizeof msg)
                                    : NULL;
    enum MHD_Result res;
    key_status ks;
    if (name == NULL) {
        res = reply(conn, 400,
                    json_pack("{s:s, s:s}", "error", "invalid JSON", "message",
                              msg),
                    NULL);
        goto out;
    }
    jid = json_object_get(body, "id");
    if (jid != NULL) {
        if (!json_is_string(jid) ||
            !uuid_canonical(json_string_value(jid), json_string_length(jid),
                            id)) {
            res = reply(conn, 400,
                        json_pack("{s:s, s:s}", "error", "invalid JSON",
                                  "message", "id: expected a UUID"),
                        NULL);
            goto out;
        }
    } else {
        unsigned char raw[16];
        char hex[33];
        randombytes_buf(raw, sizeof raw);
        raw[6] = (unsigned char)((raw[6] & 0x0f) | 0x40); /* version 4 */
        raw[8] = (unsigned char)((raw[8] & 0x3f) | 0x80);
        sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
        uuid_canonical(hex, 32, id);
    }
    ks = store_add_workspace(c->db, id, name);
    if (ks == KEY_UNKNOWN)
        res = reply_error(conn, 409, "a workspace with this id exists", NULL);
    else if (ks != KEY_OK)
        res = reply_store(conn, ks);
    else
        res = reply(conn, 201,
                    json_pack("{s:s, s:s, s:s}", "id", id, "name", name,
                              "action", "create"),
                    NULL);
out:
    json_decref(body);
    return res;
}

static enum MHD_Result workspace_request(struct MHD_Connection *conn,
                                         const request *r, const caller *c)
{
    static const char *const keys[] = {"name", NULL};
    char id[UUID_LEN + 1], msg[200];
    workspace w;
    key_status ks;
    enum MHD_Result res;
    /* Authorized already, on the id as spelled in the path. A path id
     * that is no UUID was admitted only by workspace:* or *:*, and names
     * no row. */
    if (!uuid_canonical(r->id, strlen(r->id), id))
        return reply_error(conn, 404, "no such workspace", NULL);
    if (r->route->h == H_WS_DELETE) {
        ks = store_delete_workspace(c->db, id);
        if (ks == KEY_OK)
            return reply(conn, 204, NULL, NULL);
    } else if (r->route->h == H_WS_RENAME) {
        json_t *body = parse_body(r, keys, msg, sizeof msg);
        const char *name = body != NULL ? body_name(body, true, msg,
                                                    sizeof msg)
                                        : NULL;
        if (name == NULL) {
            json_decref(body);
            return reply(conn, 400,
                         json_pack("{s:s, s:s}", "error", "invalid JSON",
                                   "message", msg),
                         NULL);
        }
        ks = store_rename_workspace(c->db, id, name);
        res = ks == KEY_OK ? reply(conn, 200,
                                   json_pack("{s:s, s:s, s:s}", "id", id,
                                             "name", name, "action",
                                             "update"),
                                   NULL)
                           : MHD_NO;
        json_decref(body);
        if (ks == KEY_OK)
            return res;
    } else {
        ks = store_get_workspace(c->db, id, &w);
        if (ks == KEY_OK) {
            res = reply(conn, 200,
                        json_pack("{s:s, s:s, s:s}", "id", w.id, "name",
                                  w.name, "action", r->route->action),
                        NULL);
            free(w.name);
            return res;
        }
    }
    if (ks == KEY_UNKNOWN)
        return reply_error(conn, 404, "no such workspace", NULL);
    return reply_store(conn, ks);
}

/* ---- the handler ------------------------------------------------------------------ */

static enum MHD_Result run(struct MHD_Connection *conn, const request *r,
                           const caller *c)
{
    switch (r->route->h) {
    case H_TOKENS_CREATE:
        return post_tokens(conn, r, c);
    case H_TOKENS_SELF:
        return reply(conn, 200, key_json(NULL, &c->key, c->token), NULL);
    case H_TOKENS_REVOKE: {
        key_status ks = store_delete_key(c->db, c->key.id);
        if (ks == KEY_OK || ks == KEY_UNKNOWN)
            return reply(conn, 204, NULL, NULL);
        return reply_store(conn, ks);
    }
    case H_WS_LIST:
        return list_workspaces(conn, c);
    case H_WS_CREATE:
        return create_workspace(conn, r, c);
    case H_WS_GET:
    case H_WS_RENAME:
    case H_WS_DELETE:
    case H_WS_ACTION:
        return workspace_request(conn, r, c);
    case H_CHECK_ONLY:
        break;
    }
    return reply(conn, 200,
                 json_pack("{s:s, s:s, s:s}", "resource", r->route->resource,
                           "id", r->id, "action", r->route->action),
                 NULL);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **req_cls)
{
    request *r = *req_cls;
    enum MHD_Result result = MHD_NO;
    caller c;
    (void)cls;
    (void)version;

    if (r == NULL) {
        /* The head has arrived. */
        const char *cl = MHD_lookup_connection_value(
            conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        r = calloc(1, sizeof *r);
        if (r == NULL)
            return MHD_NO;
        *req_cls = r;
        r->route = find_route(method, url, r->id, sizeof r->id);
        /* A route without a body is answered on the next call, once
         * libmicrohttpd has the whole request: an answer queued now would
         * cost the connection its keep-alive. A route with a body is
         * authorized now, before a byte of the body is read. */
        if (r->route == NULL || !r->route->body)
            return MHD_YES;
        if (!authorize(conn, r, &c, &result))
            return result;
        if (cl != NULL && strtoull(cl, NULL, 10) > MAX_BODY)
            return reply_error(conn, 413, "the body is too large", NULL);
        return MHD_YES; /* the body follows */
    }
    if (*upload_size > 0) {
        if (!r->too_large && r->body_len + *upload_size <= MAX_BODY) {
            char *grown = realloc(r->body, r->body_len + *upload_size);
            if (grown == NULL)
                return MHD_NO;
            memcpy(grown + r->body_len, upload, *upload_size);
            r->body = grown;
            r->body_len += *upload_size;
        } else {
            r->too_large = true; /* read and dropped, within the deadline */
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->too_large)
        return reply_error(conn, 413, "the body is too large", NULL);
    /* The whole request is here: authorize (again, for a body: the key
     * may have been revoked while it arrived, and the token pointer must be
     * fresh), then run. */
    if (!authorize(conn, r, &c, &result))
        return result;
    return run(conn, r, &c);
}

/* ---- main ------------------------------------------------------------------------- */

/* Splits a comma-separated list ("-" is the empty list). */
static authz_str *split_commas(char *text, size_t *n)
{
    authz_str *out = calloc(strlen(text) + 1, sizeof *out);
    char *p;
    *n = 0;
    if (out == NULL || strcmp(text, "-") == 0)
        return out;
    for (p = text; p != NULL;) {
        char *comma = strchr(p, ',');
        out[*n].ptr = p;
        out[(*n)++].len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        p = comma != NULL ? comma + 1 : NULL;
    }
    return out;
}

/* `api_server -d DB mint SCOPES ALLOW [LIFETIME_SECONDS]`: the first key,
 * made on the command line (lists comma-separated, "-" for an empty one),
 * under the rules of POST /tokens except that no caller limits it. */
static int mint(char *scopes_arg, char *allow_arg, const char *life_arg)
{
    char key[KEY_LEN + 1], *end;
    size_t n_sc, n_al;
    authz_str *sc = split_commas(scopes_arg, &n_sc);
    authz_str *al = split_commas(allow_arg, &n_al);
    authz_token *tok = NULL;
    authz_error err;
    key_info info;
    store *db = NULL;
    long long life = DEFAULT_LIFETIME;
    int status = 1;
    if (life_arg != NULL) {
        errno = 0;
        life = strtoll(life_arg, &end, 10);
        if (errno != 0 || *end != '\0' || life < 1 || life > MAX_LIFETIME) {
            fprintf(stderr, "api_server: the lifetime is 1 to %d seconds\n",
                    MAX_LIFETIME);
            goto out;
        }
    }
    if (sc == NULL || al == NULL)
        goto out;
    tok = creation_token(sc, n_sc, true, al, n_al, true, &err);
    if (tok == NULL) {
        fprintf(stderr, "api_server: %s\n", err.message);
        goto out;
    }
    db = store_thread(db_path);
    if (db != NULL && store_add_key(db, tok, (int64_t)time(NULL) + life, key,
                                    &info) == KEY_OK) {
        printf("%s\n", key);
        sodium_memzero(key, sizeof key);
        status = 0;
    }
out:
    authz_token_free(tok);
    free(sc);
    free(al);
    return status;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: api_server -d DB [-a ADDR] [-p PORT] [-P PORTFILE] "
            "[-j THREADS] [-T DEADLINE_MS]\n"
            "       api_server -d DB mint SCOPES ALLOW [LIFETIME_SECONDS]\n");
    return 2;
}

int main(int argc, char **argv)
{
    serve_config cfg;
    int i, status;

    serve_defaults(&cfg, "api_server");
    for (i = 1; i < argc && argv[i][0] == '-'; i += 2) {
        int known;
        if (i + 1 == argc)
            return usage();
        if (strcmp(argv[i], "-d") == 0) {
            db_path = argv[i + 1];
            continue;
        }
        known = serve_option(&cfg, argv[i], argv[i + 1]);
        if (known != 1)
            return usage();
    }
    if (db_path == NULL ||
        (i != argc && (strcmp(argv[i], "mint") != 0 || argc - i < 3 ||
                       argc - i > 4)))
        return usage();
    if (sodium_init() < 0) {
        fprintf(stderr, "api_server: libsodium cannot start\n");
        return 1;
    }
    json_object_seed(0); /* before any thread uses jansson */
    if (!store_init(db_path))
        return 1;
    if (i != argc) {
        status = mint(argv[i + 1], argv[i + 2], argc - i == 4 ? argv[i + 3]
                                                               : NULL);
        store_close_all();
        return status;
    }
    if (authz_target_resolve(authz_catalog_coder(), "workspace", "read",
                             &workspace_read) != AUTHZ_OK) {
        fprintf(stderr, "api_server: the catalog lacks workspace:read\n");
        return 1;
    }
    cfg.handler = handle;
    cfg.completed = request_done;
    status = serve_run(&cfg);
    store_close_all();
    return status;
}
