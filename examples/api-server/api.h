/*
 * api.h - the parts of the example API server: a minimal HTTP/1.1 reader and
 * writer (http.c), a strict reader for the one JSON body it accepts and a
 * JSON writer (json.c), and the SQLite token store with its cache of
 * compiled tokens (store.c). api_server.c puts them together.
 */
#ifndef API_H
#define API_H

#include <authz.h>

#include <stdbool.h>
#include <stddef.h>

/* ---- http.c ---------------------------------------------------------------- */

#define HTTP_MAX_HEAD 8192  /* request line and headers */
#define HTTP_MAX_BODY 16384 /* a token request is far smaller */

typedef struct http_request {
    char method[16];
    const char *path; /* the target up to '?', not NUL-terminated */
    size_t path_len;
    const char *auth; /* the Authorization value, NUL-terminated, or NULL */
    const char *body; /* not NUL-terminated */
    size_t body_len;
} http_request;

/* Reads one request from fd into buf (HTTP_MAX_HEAD + HTTP_MAX_BODY bytes).
 * Returns 0, or the status to answer with: 400 malformed, 408 timeout,
 * 413 body too large, 431 head too large, 501 a transfer coding. Reads time
 * out after a few seconds. */
int http_read_request(int fd, char *buf, http_request *req);

/* Writes a complete response with a JSON body (NULL for none) and optional
 * extra header lines (each ending in "\r\n"), then the connection closes. */
void http_respond(int fd, int status, const char *extra_headers,
                  const char *json, size_t json_len);

/* Closes a connection gracefully: stops writing, then reads and drops what
 * the client still sends (for a second, a bounded amount), so that a
 * request refused before its body was read gets its answer rather than a
 * connection reset. */
void http_close(int fd);

/* ---- json.c ---------------------------------------------------------------- */

/* A growing output buffer. Appends after a failed allocation are dropped
 * and `failed` stays set, so callers check once at the end. */
typedef struct jbuf {
    char *ptr;
    size_t len, cap;
    bool failed;
} jbuf;

void jbuf_free(jbuf *b);
void jbuf_raw(jbuf *b, const char *s);
void jbuf_fmt(jbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A JSON string literal of `len` bytes: quotes, escapes, and every byte
 * outside printable ASCII as \u00XX, so the output is always valid JSON. */
void jbuf_str(jbuf *b, const char *s, size_t len);
/* A JSON array of the strings of an authz_list. */
void jbuf_list(jbuf *b, const authz_list *list);

#define JSON_MAX_ENTRIES 1024 /* per array; the library's limits are lower */

/* The body of POST /tokens: {"scopes": [string...], "allow": [string...]},
 * both keys optional, nothing else. Strings are decoded into `arena`. */
typedef struct token_request {
    authz_str scopes[JSON_MAX_ENTRIES], allow[JSON_MAX_ENTRIES];
    size_t n_scopes, n_allow;
    bool has_scopes, has_allow;
    char arena[HTTP_MAX_BODY];
} token_request;

/* Parses strictly: UTF-8, no duplicate or unknown keys, no trailing bytes,
 * no nesting beyond the shape above. Returns true, or false with a message
 * naming the byte offset in errbuf. */
bool json_parse_token_request(const char *body, size_t len,
                              token_request *out, char *errbuf,
                              size_t errcap);

/* ---- store.c --------------------------------------------------------------- */

#define SECRET_PREFIX "azt_"
#define SECRET_LEN (4 + 64) /* the prefix and 32 random bytes in hex */

typedef struct store store;

/* Opens (creating if need be) the database at path. NULL with a message on
 * stderr on failure. */
store *store_open(const char *path);
/* Frees the cache's tokens, then closes the database. NULL is a no-op. */
void store_close(store *s);

/* Stores a token: a new random secret written into secret[SECRET_LEN + 1],
 * and the two lists in normal form as space-separated text. */
bool store_add(store *s, const authz_list *scopes, const authz_list *allow,
               char *secret);

/* The compiled token for a secret, from the cache or built from the
 * database (and cached). NULL when the secret is malformed or unknown, or
 * the stored lists no longer compile (logged): every one of them a deny.
 * The token stays owned by the store; valid until the next store call. */
const authz_token *store_lookup(store *s, const char *secret, size_t len);

/* Deletes a token and drops it from the cache. */
bool store_remove(store *s, const char *secret, size_t len);

#endif
