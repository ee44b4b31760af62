/*
 * api.h - the SQLite store of the example API server (store.c): API keys
 * shaped as Coder shapes them, with hashed secrets, and the workspaces the
 * API serves. api_server.c puts it behind HTTP.
 */
#ifndef API_H
#define API_H

#include <authz.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An API key is "<id>-<secret>": a 10-character id, which names the key
 * and is not secret (logs may show it), and a 22-character secret, both
 * random letters and digits. The database keeps the id and the SHA-256 of
 * the secret, never the secret. */
#define KEY_ID_LEN 10
#define KEY_SECRET_LEN 22
#define KEY_SECRET_MAX 128 /* accepted when presented */
#define KEY_LEN (KEY_ID_LEN + 1 + KEY_SECRET_LEN)

#define UUID_LEN 36

typedef struct store store;

/* What authenticating a bearer key gave. */
typedef enum key_status {
    KEY_OK,
    KEY_MALFORMED, /* not "<id>-<secret>" */
    KEY_UNKNOWN,   /* no such id, or the secret's digest differs */
    KEY_EXPIRED,
    KEY_BUSY,      /* the database is locked: answer 503, try again */
    KEY_ERROR      /* the database failed, or the row does not compile */
} key_status;

typedef struct key_info {
    char id[KEY_ID_LEN + 1];
    int64_t created_at, expires_at; /* Unix seconds */
} key_info;

/* Creates the database (mode 0600) and its tables if need be; false with a
 * message on stderr on failure. Call once, before serving. */
bool store_init(const char *path);

/* This thread's connection to the database at path, opened on first use
 * (each thread has its own connection and its own cache of compiled
 * tokens). NULL on failure (logged). */
store *store_thread(const char *path);

/* Closes every thread's connection and frees their caches. Call after the
 * threads have stopped. */
void store_close_all(void);

/* Authenticates "<id>-<secret>" (len bytes): one indexed read of the key's
 * row, the secret's SHA-256 compared with the stored digest in constant
 * time, the expiry checked against the clock. On KEY_OK, *token is the
 * compiled token, owned by this thread's cache and valid until its next
 * store call, and *info describes the key. The cache is keyed by id and the
 * row's version, so a row deleted or changed by any process stops allowing
 * on the very next request. */
key_status store_authenticate(store *s, const char *bearer, size_t len,
                              const authz_token **token, key_info *info);

/* Stores a key for `tok` (its lists in normal form), valid until
 * `expires_at`; writes "<id>-<secret>" into key[KEY_LEN + 1] and the key's
 * times into *info. KEY_OK, KEY_BUSY or KEY_ERROR. */
key_status store_add_key(store *s, const authz_token *tok, int64_t expires_at,
                         char *key, key_info *info);

/* Deletes the key with this id. KEY_OK, KEY_UNKNOWN (already gone),
 * KEY_BUSY or KEY_ERROR. */
key_status store_delete_key(store *s, const char *id);

/* ---- workspaces ------------------------------------------------------------ */

/* The canonical spelling of a UUID id (36 characters, lower case) from any
 * of the spellings authz_check accepts; false when `in` is not a UUID. */
bool uuid_canonical(const char *in, size_t len, char out[UUID_LEN + 1]);

/* A workspace row: id (canonical UUID) and name. */
typedef struct workspace {
    char id[UUID_LEN + 1];
    char *name; /* malloc'd */
} workspace;

/* Reads one workspace. KEY_OK, KEY_UNKNOWN (no such row), KEY_BUSY or
 * KEY_ERROR. Free w->name. */
key_status store_get_workspace(store *s, const char *id, workspace *w);

/* Inserts one (KEY_UNKNOWN stands for "the id exists already"). */
key_status store_add_workspace(store *s, const char *id, const char *name);

/* Renames one; KEY_UNKNOWN when there is none. */
key_status store_rename_workspace(store *s, const char *id,
                                  const char *name);

/* Deletes one; KEY_UNKNOWN when there is none. */
key_status store_delete_workspace(store *s, const char *id);

/* The workspaces matching `predicate`, an SQL expression over the column
 * `id` (as authz_token_granted_sql writes it), sorted by id, at most `max`.
 * Calls `each` for every row. KEY_OK, KEY_BUSY or KEY_ERROR. */
key_status store_list_workspaces(store *s, const char *predicate, size_t max,
                                 void (*each)(void *ctx, const char *id,
                                              const char *name),
                                 void *ctx);

/* Fills buf with `n` random letters and digits (libsodium's generator). */
void random_alnum(char *buf, size_t n);

#endif
