/*
 * store.c - API keys and workspaces in SQLite (api.h).
 *
 * The key table, as Coder keeps its keys:
 *
 *   api_keys(id, hashed_secret, scopes, allow, created_at, expires_at,
 *            version)
 *
 * `hashed_secret` is the SHA-256 of the secret (32 bytes): a copy of the
 * database lets nobody present a key. The lists are kept in normal form
 * (authz_token_scopes / authz_token_allow of the token they were made
 * for), space-separated (no entry can hold a space). `version` is random
 * when a row is made and changes with every update (a trigger), so that a
 * cached token is used only for the very row it was compiled from.
 *
 * Every request reads its key's row by primary key: one indexed read. The
 * digest is compared in constant time (sodium_memcmp), and the expiry
 * checked. Only compiling the lists is cached: each thread keeps its own
 * connection and CACHE_SLOTS compiled tokens keyed by (id, version), least
 * recently used evicted. A key deleted or changed through any process, or
 * by hand in the sqlite3 shell, stops allowing at once: its row is gone or
 * its version differs.
 *
 * A locked database (another process writing for longer than
 * BUSY_TIMEOUT_MS) is KEY_BUSY, which the server answers with 503: never
 * a 401 that would make a client drop a good key, and never an allow.
 */
#define _POSIX_C_SOURCE 200809L

#include "api.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CACHE_SLOTS 64
#define MAX_STORED_ENTRIES 1024
#define BUSY_TIMEOUT_MS 200

enum {
    ST_KEY_GET,
    ST_KEY_ADD,
    ST_KEY_DELETE,
    ST_WS_GET,
    ST_WS_ADD,
    ST_WS_RENAME,
    ST_WS_DELETE,
    ST_COUNT
};

static const char *const sql_text[ST_COUNT] = {
    "SELECT hashed_secret, version, created_at, expires_at, scopes, allow "
    "FROM api_keys WHERE id = ?1",
    "INSERT INTO api_keys (id, hashed_secret, scopes, allow, created_at, "
    "expires_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "DELETE FROM api_keys WHERE id = ?1",
    "SELECT name FROM workspaces WHERE id = ?1",
    "INSERT OR IGNORE INTO workspaces (id, name, created_at) "
    "VALUES (?1, ?2, ?3)",
    "UPDATE workspaces SET name = ?2 WHERE id = ?1",
    "DELETE FROM workspaces WHERE id = ?1",
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS api_keys ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " hashed_secret BLOB NOT NULL,"
    " scopes TEXT NOT NULL,"
    " allow TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " version INTEGER NOT NULL);"
    "CREATE TRIGGER IF NOT EXISTS api_keys_version AFTER UPDATE ON api_keys"
    " WHEN NEW.version = OLD.version BEGIN"
    " UPDATE api_keys SET version = OLD.version + 1 WHERE id = NEW.id;"
    " END;"
    "CREATE TABLE IF NOT EXISTS workspaces ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " name TEXT NOT NULL,"
    " created_at INTEGER NOT NULL);";

struct cache_slot {
    char id[KEY_ID_LEN + 1]; /* "" when free */
    int64_t version;
    authz_token *token;
    unsigned long used;
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    struct cache_slot cache[CACHE_SLOTS];
    unsigned long clock;
    store *next; /* every thread's store, for store_close_all */
};

static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static store *all_stores;
static _Thread_local store *this_thread;

static key_status from_rc(sqlite3 *db, int rc, const char *what)
{
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return KEY_BUSY;
    fprintf(stderr, "api_server: %s: %s\n", what,
            db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    return KEY_ERROR;
}

static void store_free(store *s)
{
    size_t i;
    for (i = 0; i < CACHE_SLOTS; i++)
        authz_token_free(s->cache[i].token);
    for (i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    free(s);
}

static store *store_open(const char *path, int flags)
{
    store *s = calloc(1, sizeof *s);
    int rc;
    if (s == NULL)
        return NULL;
    rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "api_server: %s: %s\n", path,
                s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
        store_free(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    return s;
}

bool store_init(const char *path)
{
    struct stat st;
    char *msg = NULL;
    store *s;
    int fd, rc;
    /* The file holds no secret, but it holds which keys exist and what
     * they may do: readable by this user only. Created here, with mode
     * 0600, before SQLite opens it (SQLite would create it 0644 under the
     * usual umask); the umask covers the journal files SQLite makes next
     * to it. An existing file with wider permissions is narrowed. */
    umask(077);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "api_server: %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    if ((st.st_mode & 077) != 0) {
        fprintf(stderr, "api_server: %s was mode %03o; now 0600\n", path,
                (unsigned)(st.st_mode & 0777));
        if (fchmod(fd, 0600) != 0) {
            fprintf(stderr, "api_server: %s: %s\n", path, strerror(errno));
            close(fd);
            return false;
        }
    }
    close(fd);
    s = store_open(path, SQLITE_OPEN_READWRITE);
    if (s == NULL)
        return false;
    sqlite3_busy_timeout(s->db, 5000); /* at start, wait for others */
    rc = sqlite3_exec(s->db, schema, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "api_server: %s: %s\n", path,
                msg != NULL ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    store_free(s);
    return rc == SQLITE_OK;
}

store *store_thread(const char *path)
{
    store *s = this_thread;
    if (s != NULL)
        return s;
    /* One connection per thread, used by that thread only. */
    s = store_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    if (s == NULL)
        return NULL;
    pthread_mutex_lock(&all_lock);
    s->next = all_stores;
    all_stores = s;
    pthread_mutex_unlock(&all_lock);
    this_thread = s;
    return s;
}

void store_close_all(void)
{
    store *s, *next;
    pthread_mutex_lock(&all_lock);
    for (s = all_stores; s != NULL; s = next) {
        next = s->next;
        store_free(s);
    }
    all_stores = NULL;
    pthread_mutex_unlock(&all_lock);
    this_thread = NULL;
}

/* A prepared statement, reset, or NULL with *rc set. */
static sqlite3_stmt *stmt(store *s, int which, int *rc)
{
    if (s->st[which] == NULL) {
        *rc = sqlite3_prepare_v3(s->db, sql_text[which], -1,
                                 SQLITE_PREPARE_PERSISTENT, &s->st[which],
                                 NULL);
        if (*rc != SQLITE_OK)
            return NULL;
    }
    sqlite3_reset(s->st[which]);
    sqlite3_clear_bindings(s->st[which]);
    *rc = SQLITE_OK;
    return s->st[which];
}

void random_alnum(char *buf, size_t n)
{
    static const char set[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    size_t i;
    for (i = 0; i < n; i++)
        buf[i] = set[randombytes_uniform((uint32_t)(sizeof set - 1))];
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* Splits "<id>-<secret>"; false unless both parts have their shape. */
static bool split_key(const char *key, size_t len, const char **secret,
                      size_t *secret_len)
{
    size_t i;
    if (len < KEY_ID_LEN + 1 + KEY_SECRET_LEN ||
        len > KEY_ID_LEN + 1 + KEY_SECRET_MAX || key[KEY_ID_LEN] != '-')
        return false;
    for (i = 0; i < len; i++)
        if (i != KEY_ID_LEN && !is_alnum(key[i]))
            return false;
    *secret = key + KEY_ID_LEN + 1;
    *secret_len = len - KEY_ID_LEN - 1;
    return true;
}

/* Splits space-separated text into entries pointing into it; max + 1 when
 * there are more than max. */
static size_t split_spaces(const char *text, size_t len, authz_str *out,
                           size_t max)
{
    size_t n = 0, start = 0, i;
    if (len == 0)
        return 0;
    for (i = 0; i <= len; i++) {
        if (i == len || text[i] == ' ') {
            if (n == max)
                return max + 1;
            out[n].ptr = text + start;
            out[n].len = i - start;
            n++;
            start = i + 1;
        }
    }
    return n;
}

/* Compiles the lists of the current row of `q` (columns 4 and 5). */
static authz_token *compile_row(sqlite3_stmt *q, const char *id)
{
    authz_str *sc = calloc(2 * MAX_STORED_ENTRIES, sizeof *sc);
    authz_str *al = sc != NULL ? sc + MAX_STORED_ENTRIES : NULL;
    const char *st = (const char *)sqlite3_column_text(q, 4);
    size_t st_len = (size_t)sqlite3_column_bytes(q, 4);
    const char *at = (const char *)sqlite3_column_text(q, 5);
    size_t at_len = (size_t)sqlite3_column_bytes(q, 5);
    authz_token *tok = NULL;
    authz_error err;
    size_t n_sc, n_al;
    if (sc == NULL)
        return NULL;
    n_sc = split_spaces(st != NULL ? st : "", st_len, sc, MAX_STORED_ENTRIES);
    n_al = split_spaces(at != NULL ? at : "", at_len, al, MAX_STORED_ENTRIES);
    if (n_sc > MAX_STORED_ENTRIES || n_al > MAX_STORED_ENTRIES) {
        fprintf(stderr, "api_server: key %s: too many entries (denying "
                        "it)\n", id);
    } else {
        /* Stored keys load as they are (no AUTHZ_PUBLIC: that was
         * checked when the key was made). */
        tok = authz_token_new_ex(authz_catalog_coder(), sc, n_sc, al, n_al,
                                 NULL, &err);
        if (tok == NULL)
            fprintf(stderr, "api_server: key %s does not compile (denying "
                            "it): %s\n", id, err.message);
    }
    free(sc);
    return tok;
}

static struct cache_slot *cache_find(store *s, const char *id,
                                     int64_t version)
{
    size_t i;
    for (i = 0; i < CACHE_SLOTS; i++)
        if (s->cache[i].token != NULL && s->cache[i].version == version &&
            memcmp(s->cache[i].id, id, KEY_ID_LEN) == 0)
            return &s->cache[i];
    return NULL;
}

/* The slot to fill for id: its old version's, else a free or the least
 * recently used one. */
static struct cache_slot *cache_victim(store *s, const char *id)
{
    struct cache_slot *v = &s->cache[0];
    size_t i;
    for (i = 0; i < CACHE_SLOTS; i++)
        if (s->cache[i].token != NULL &&
            memcmp(s->cache[i].id, id, KEY_ID_LEN) == 0)
            return &s->cache[i];
    for (i = 1; i < CACHE_SLOTS && v->token != NULL; i++)
        if (s->cache[i].token == NULL || s->cache[i].used < v->used)
            v = &s->cache[i];
    return v;
}

static void cache_drop(store *s, const char *id)
{
    size_t i;
    for (i = 0; i < CACHE_SLOTS; i++)
        if (s->cache[i].token != NULL &&
            memcmp(s->cache[i].id, id, KEY_ID_LEN) == 0) {
            authz_token_free(s->cache[i].token);
            memset(&s->cache[i], 0, sizeof s->cache[i]);
        }
}

key_status store_authenticate(store *s, const char *bearer, size_t len,
                              const authz_token **token, key_info *info)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    const unsigned char *stored;
    const char *secret;
    size_t secret_len;
    struct cache_slot *slot;
    sqlite3_stmt *q;
    key_status ks = KEY_UNKNOWN;
    int64_t version;
    int rc;

    *token = NULL;
    memset(info, 0, sizeof *info);
    if (!split_key(bearer, len, &secret, &secret_len))
        return KEY_MALFORMED;
    memcpy(info->id, bearer, KEY_ID_LEN);
    info->id[KEY_ID_LEN] = '\0';
    crypto_hash_sha256(digest, (const unsigned char *)secret, secret_len);

    q = stmt(s, ST_KEY_GET, &rc);
    if (q == NULL)
        return from_rc(s->db, rc, "prepare");
    sqlite3_bind_text(q, 1, info->id, KEY_ID_LEN, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_DONE)
        goto out; /* no such key (perhaps revoked a moment ago) */
    if (rc != SQLITE_ROW) {
        ks = from_rc(s->db, rc, "read key");
        goto out;
    }
    stored = sqlite3_column_blob(q, 0);
    if (sqlite3_column_bytes(q, 0) != (int)sizeof digest || stored == NULL ||
        sodium_memcmp(stored, digest, sizeof digest) != 0)
        goto out;
    version = sqlite3_column_int64(q, 1);
    info->created_at = sqlite3_column_int64(q, 2);
    info->expires_at = sqlite3_column_int64(q, 3);
    if (info->expires_at <= (int64_t)time(NULL)) {
        ks = KEY_EXPIRED;
        goto out;
    }
    slot = cache_find(s, info->id, version);
    if (slot == NULL) {
        authz_token *tok = compile_row(q, info->id);
        if (tok == NULL) {
            ks = KEY_ERROR;
            goto out;
        }
        slot = cache_victim(s, info->id);
        authz_token_free(slot->token);
        memcpy(slot->id, info->id, KEY_ID_LEN + 1);
        slot->version = version;
        slot->token = tok;
    }
    slot->used = ++s->clock;
    *token = slot->token;
    ks = KEY_OK;
out:
    sqlite3_reset(q);
    return ks;
}

/* The list as space-separated text, malloc'd; NULL when out of memory. */
static char *join(const authz_list *list)
{
    size_t i, n = authz_list_count(list), len = 1, at = 0;
    char *out;
    for (i = 0; i < n; i++)
        len += strlen(authz_list_get(list, i)) + 1;
    out = malloc(len);
    if (out == NULL)
        return NULL;
    out[0] = '\0';
    for (i = 0; i < n; i++) {
        const char *e = authz_list_get(list, i);
        size_t el = strlen(e);
        if (i > 0)
            out[at++] = ' ';
        memcpy(out + at, e, el);
        at += el;
    }
    out[at] = '\0';
    return out;
}

key_status store_add_key(store *s, const authz_token *tok, int64_t expires_at,
                         char *key, key_info *info)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    authz_list *scopes = authz_token_scopes(tok, NULL);
    authz_list *allow = authz_token_allow(tok, NULL);
    char *sc = scopes != NULL ? join(scopes) : NULL;
    char *al = allow != NULL ? join(allow) : NULL;
    key_status ks = KEY_ERROR;
    sqlite3_stmt *q = NULL;
    int64_t version;
    int rc, tries;

    memset(info, 0, sizeof *info);
    if (sc == NULL || al == NULL)
        goto out;
    for (tries = 0; tries < 3; tries++) {
        random_alnum(key, KEY_ID_LEN);
        key[KEY_ID_LEN] = '-';
        random_alnum(key + KEY_ID_LEN + 1, KEY_SECRET_LEN);
        key[KEY_LEN] = '\0';
        crypto_hash_sha256(digest, (unsigned char *)key + KEY_ID_LEN + 1,
                           KEY_SECRET_LEN);
        randombytes_buf(&version, sizeof version);
        q = stmt(s, ST_KEY_ADD, &rc);
        if (q == NULL) {
            ks = from_rc(s->db, rc, "prepare");
            goto out;
        }
        info->created_at = (int64_t)time(NULL);
        info->expires_at = expires_at;
        sqlite3_bind_text(q, 1, key, KEY_ID_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(q, 2, digest, sizeof digest, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, sc, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, al, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 5, info->created_at);
        sqlite3_bind_int64(q, 6, expires_at);
        sqlite3_bind_int64(q, 7, version);
        rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc == SQLITE_DONE) {
            memcpy(info->id, key, KEY_ID_LEN);
            info->id[KEY_ID_LEN] = '\0';
            ks = KEY_OK;
            goto out;
        }
        if (rc != SQLITE_CONSTRAINT) { /* a clash of ids: draw again */
            ks = from_rc(s->db, rc, "insert key");
            goto out;
        }
    }
out:
    sodium_memzero(digest, sizeof digest);
    if (ks != KEY_OK)
        sodium_memzero(key, KEY_LEN + 1);
    free(sc);
    free(al);
    authz_list_free(scopes);
    authz_list_free(allow);
    return ks;
}

/* Runs a one-step statement with text parameters; the number of rows it
 * changed in *changes. */
static key_status exec_texts(store *s, int which, const char *a,
                             const char *b, int64_t c, int *changes)
{
    int rc;
    sqlite3_stmt *q = stmt(s, which, &rc);
    key_status ks;
    if (q == NULL)
        return from_rc(s->db, rc, "prepare");
    sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
    if (b != NULL)
        sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
    if (which == ST_WS_ADD)
        sqlite3_bind_int64(q, 3, c);
    rc = sqlite3_step(q);
    ks = rc == SQLITE_DONE ? KEY_OK : from_rc(s->db, rc, "write");
    *changes = sqlite3_changes(s->db);
    sqlite3_reset(q);
    return ks;
}

key_status store_delete_key(store *s, const char *id)
{
    int changes = 0;
    key_status ks = exec_texts(s, ST_KEY_DELETE, id, NULL, 0, &changes);
    cache_drop(s, id);
    return ks == KEY_OK && changes == 0 ? KEY_UNKNOWN : ks;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool uuid_canonical(const char *in, size_t len, char out[UUID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    size_t i, n = 0;
    bool dashes;
    /* The spellings the library accepts: 8-4-4-4-12, 32 digits, either in
     * braces, and urn:uuid:8-4-4-4-12. */
    if (len == UUID_LEN + 9 && memcmp(in, "urn:uuid:", 9) == 0) {
        in += 9;
        len -= 9;
    } else if (len >= 2 && in[0] == '{' && in[len - 1] == '}') {
        in++;
        len -= 2;
    }
    if (len != 32 && len != UUID_LEN)
        return false;
    dashes = len == UUID_LEN;
    for (i = 0; i < len; i++) {
        bool dash_here = dashes && (i == 8 || i == 13 || i == 18 || i == 23);
        int v;
        if (dash_here) {
            if (in[i] != '-')
                return false;
            continue;
        }
        v = hex_value(in[i]);
        if (v < 0)
            return false;
        if (n == 8 || n == 13 || n == 18 || n == 23)
            out[n++] = '-';
        out[n++] = hex[v];
    }
    out[UUID_LEN] = '\0';
    return n == UUID_LEN;
}

key_status store_get_workspace(store *s, const char *id, workspace *w)
{
    int rc;
    sqlite3_stmt *q = stmt(s, ST_WS_GET, &rc);
    key_status ks;
    memset(w, 0, sizeof *w);
    if (q == NULL)
        return from_rc(s->db, rc, "prepare");
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        memcpy(w->id, id, UUID_LEN + 1);
        w->name = strdup(name != NULL ? name : "");
        ks = w->name != NULL ? KEY_OK : KEY_ERROR;
    } else {
        ks = rc == SQLITE_DONE ? KEY_UNKNOWN : from_rc(s->db, rc, "read");
    }
    sqlite3_reset(q);
    return ks;
}

key_status store_add_workspace(store *s, const char *id, const char *name)
{
    int changes = 0;
    key_status ks = exec_texts(s, ST_WS_ADD, id, name, (int64_t)time(NULL),
                               &changes);
    return ks == KEY_OK && changes == 0 ? KEY_UNKNOWN : ks;
}

key_status store_rename_workspace(store *s, const char *id, const char *name)
{
    int changes = 0;
    key_status ks = exec_texts(s, ST_WS_RENAME, id, name, 0, &changes);
    return ks == KEY_OK && changes == 0 ? KEY_UNKNOWN : ks;
}

key_status store_delete_workspace(store *s, const char *id)
{
    int changes = 0;
    key_status ks = exec_texts(s, ST_WS_DELETE, id, NULL, 0, &changes);
    return ks == KEY_OK && changes == 0 ? KEY_UNKNOWN : ks;
}

key_status store_list_workspaces(store *s, const char *predicate, size_t max,
                                 void (*each)(void *ctx, const char *id,
                                              const char *name),
                                 void *ctx)
{
    static const char head[] = "SELECT id, name FROM workspaces WHERE ";
    static const char tail[] = " ORDER BY id LIMIT ?1";
    size_t plen = strlen(predicate);
    char *sql = malloc(sizeof head + plen + sizeof tail);
    sqlite3_stmt *q = NULL;
    key_status ks;
    int rc;
    if (sql == NULL)
        return KEY_ERROR;
    /* The predicate is the library's: "1", "0" or "id IN ('<uuid>', ...)"
     * with canonical UUIDs only, so it is safe to splice into the query. */
    memcpy(sql, head, sizeof head - 1);
    memcpy(sql + sizeof head - 1, predicate, plen);
    memcpy(sql + sizeof head - 1 + plen, tail, sizeof tail);
    rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
    free(sql);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(q);
        return from_rc(s->db, rc, "prepare list");
    }
    sqlite3_bind_int64(q, 1, (int64_t)max);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(q, 0);
        const char *name = (const char *)sqlite3_column_text(q, 1);
        each(ctx, id != NULL ? id : "", name != NULL ? name : "");
    }
    ks = rc == SQLITE_DONE ? KEY_OK : from_rc(s->db, rc, "list");
    sqlite3_finalize(q);
    return ks;
}
