/*
 * store.c - tokens in SQLite, and a small cache of compiled tokens.
 *
 * A row holds the secret and the token's two lists in normal form, as
 * space-separated text (no entry can hold a space). The lists are the
 * source of truth: a compiled token is rebuilt from them when it is not in
 * the cache, so a restart, or a new catalog, costs one compile per token.
 *
 * The cache holds CACHE_SLOTS compiled tokens and evicts the least recently
 * used. Removing a token drops it from the cache too, so a revoked secret
 * stops working at once. A real server would store a hash of each secret
 * rather than the secret; the lookups stay the same.
 */
#define _POSIX_C_SOURCE 200809L

#include "api.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 64
#define MAX_STORED_ENTRIES 4096

struct cache_slot {
    char secret[SECRET_LEN + 1]; /* "" when the slot is free */
    authz_token *token;
    unsigned long used;
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *insert, *select, *remove;
    struct cache_slot cache[CACHE_SLOTS];
    unsigned long clock;
};

static bool prepare(store *s, const char *sql, sqlite3_stmt **stmt)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, stmt, NULL) == SQLITE_OK)
        return true;
    fprintf(stderr, "api_server: %s\n", sqlite3_errmsg(s->db));
    return false;
}

store *store_open(const char *path)
{
    store *s = calloc(1, sizeof *s);
    char *msg = NULL;
    if (s == NULL)
        return NULL;
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        fprintf(stderr, "api_server: %s: %s\n", path,
                s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
        store_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 2000);
    if (sqlite3_exec(s->db,
                     "CREATE TABLE IF NOT EXISTS tokens ("
                     " secret TEXT PRIMARY KEY,"
                     " scopes TEXT NOT NULL,"
                     " allow TEXT NOT NULL,"
                     " created TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)",
                     NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "api_server: %s: %s\n", path, msg);
        sqlite3_free(msg);
        store_close(s);
        return NULL;
    }
    if (!prepare(s, "INSERT INTO tokens (secret, scopes, allow) "
                    "VALUES (?1, ?2, ?3)", &s->insert) ||
        !prepare(s, "SELECT scopes, allow FROM tokens WHERE secret = ?1",
                 &s->select) ||
        !prepare(s, "DELETE FROM tokens WHERE secret = ?1", &s->remove)) {
        store_close(s);
        return NULL;
    }
    return s;
}

void store_close(store *s)
{
    size_t i;
    if (s == NULL)
        return;
    for (i = 0; i < CACHE_SLOTS; i++)
        authz_token_free(s->cache[i].token);
    sqlite3_finalize(s->insert);
    sqlite3_finalize(s->select);
    sqlite3_finalize(s->remove);
    sqlite3_close(s->db);
    free(s);
}

/* "azt_" and 64 lower-case hex digits: anything else is no secret of ours
 * and never reaches the database. */
static bool secret_ok(const char *secret, size_t len)
{
    size_t i;
    if (len != SECRET_LEN ||
        memcmp(secret, SECRET_PREFIX, strlen(SECRET_PREFIX)) != 0)
        return false;
    for (i = strlen(SECRET_PREFIX); i < len; i++)
        if (!((secret[i] >= '0' && secret[i] <= '9') ||
              (secret[i] >= 'a' && secret[i] <= 'f')))
            return false;
    return true;
}

static bool random_secret(char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[32];
    size_t i, n;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f == NULL)
        return false;
    n = fread(raw, 1, sizeof raw, f);
    fclose(f);
    if (n != sizeof raw)
        return false;
    strcpy(out, SECRET_PREFIX);
    for (i = 0; i < sizeof raw; i++) {
        out[strlen(SECRET_PREFIX) + 2 * i] = hex[raw[i] >> 4];
        out[strlen(SECRET_PREFIX) + 2 * i + 1] = hex[raw[i] & 15];
    }
    out[SECRET_LEN] = '\0';
    return true;
}

/* The list as space-separated text. */
static void join(jbuf *b, const authz_list *list)
{
    size_t i;
    jbuf_raw(b, "");
    for (i = 0; i < authz_list_count(list); i++) {
        if (i > 0)
            jbuf_raw(b, " ");
        jbuf_raw(b, authz_list_get(list, i));
    }
}

bool store_add(store *s, const authz_list *scopes, const authz_list *allow,
               char *secret)
{
    jbuf sc = {0}, al = {0};
    bool ok = false;
    join(&sc, scopes);
    join(&al, allow);
    if (!sc.failed && !al.failed && random_secret(secret)) {
        sqlite3_reset(s->insert);
        ok = sqlite3_bind_text(s->insert, 1, secret, -1, SQLITE_TRANSIENT) ==
                 SQLITE_OK &&
             sqlite3_bind_text(s->insert, 2, sc.ptr, -1, SQLITE_TRANSIENT) ==
                 SQLITE_OK &&
             sqlite3_bind_text(s->insert, 3, al.ptr, -1, SQLITE_TRANSIENT) ==
                 SQLITE_OK &&
             sqlite3_step(s->insert) == SQLITE_DONE;
        if (!ok)
            fprintf(stderr, "api_server: insert: %s\n",
                    sqlite3_errmsg(s->db));
        sqlite3_reset(s->insert);
    }
    jbuf_free(&sc);
    jbuf_free(&al);
    return ok;
}

/* Splits space-separated text into entries pointing into it. */
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

/* Builds the token stored under `secret`; NULL when there is none or it
 * does not compile. */
static authz_token *load(store *s, const char *secret, size_t len)
{
    static authz_str scopes[MAX_STORED_ENTRIES], allow[MAX_STORED_ENTRIES];
    authz_token *tok = NULL;
    authz_error err;
    int rc;
    sqlite3_reset(s->select);
    if (sqlite3_bind_text(s->select, 1, secret, (int)len, SQLITE_TRANSIENT) !=
        SQLITE_OK)
        return NULL;
    rc = sqlite3_step(s->select);
    if (rc == SQLITE_ROW) {
        const char *sc = (const char *)sqlite3_column_text(s->select, 0);
        size_t sc_len = (size_t)sqlite3_column_bytes(s->select, 0);
        const char *al = (const char *)sqlite3_column_text(s->select, 1);
        size_t al_len = (size_t)sqlite3_column_bytes(s->select, 1);
        size_t n_sc = split_spaces(sc != NULL ? sc : "", sc_len, scopes,
                                   MAX_STORED_ENTRIES);
        size_t n_al = split_spaces(al != NULL ? al : "", al_len, allow,
                                   MAX_STORED_ENTRIES);
        /* Stored tokens are loaded as they are: no AUTHZ_PUBLIC here, that
         * was checked when the token was made. */
        if (n_sc <= MAX_STORED_ENTRIES && n_al <= MAX_STORED_ENTRIES)
            tok = authz_token_new_ex(authz_catalog_coder(), scopes, n_sc,
                                     allow, n_al, NULL, &err);
        if (tok == NULL)
            fprintf(stderr, "api_server: a stored token does not compile "
                            "(denying it): %s\n",
                    n_sc <= MAX_STORED_ENTRIES && n_al <= MAX_STORED_ENTRIES
                        ? err.message
                        : "too many entries");
    } else if (rc != SQLITE_DONE) {
        fprintf(stderr, "api_server: select: %s\n", sqlite3_errmsg(s->db));
    }
    sqlite3_reset(s->select);
    return tok;
}

/* The cache slot holding `secret`, or NULL. Every slot is compared in full,
 * so the time taken does not depend on where, or how much of, a guess
 * matched. */
static struct cache_slot *cache_find(store *s, const char *secret)
{
    struct cache_slot *found = NULL;
    size_t i, j;
    for (i = 0; i < CACHE_SLOTS; i++) {
        unsigned diff = s->cache[i].token == NULL;
        for (j = 0; j < SECRET_LEN; j++)
            diff |= (unsigned)(s->cache[i].secret[j] ^ secret[j]);
        if (diff == 0)
            found = &s->cache[i];
    }
    return found;
}

const authz_token *store_lookup(store *s, const char *secret, size_t len)
{
    struct cache_slot *slot;
    authz_token *tok;
    size_t i;
    if (!secret_ok(secret, len))
        return NULL;
    slot = cache_find(s, secret);
    if (slot == NULL) {
        tok = load(s, secret, len);
        if (tok == NULL)
            return NULL;
        slot = &s->cache[0];
        for (i = 1; i < CACHE_SLOTS && slot->token != NULL; i++)
            if (s->cache[i].token == NULL || s->cache[i].used < slot->used)
                slot = &s->cache[i];
        authz_token_free(slot->token);
        memcpy(slot->secret, secret, SECRET_LEN);
        slot->secret[SECRET_LEN] = '\0';
        slot->token = tok;
    }
    slot->used = ++s->clock;
    return slot->token;
}

bool store_remove(store *s, const char *secret, size_t len)
{
    struct cache_slot *slot;
    bool ok;
    if (!secret_ok(secret, len))
        return false;
    slot = cache_find(s, secret);
    if (slot != NULL) {
        authz_token_free(slot->token);
        memset(slot, 0, sizeof *slot);
    }
    sqlite3_reset(s->remove);
    ok = sqlite3_bind_text(s->remove, 1, secret, (int)len,
                           SQLITE_TRANSIENT) == SQLITE_OK &&
         sqlite3_step(s->remove) == SQLITE_DONE &&
         sqlite3_changes(s->db) == 1;
    sqlite3_reset(s->remove);
    return ok;
}
