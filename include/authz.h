/*
 * authz.h - token scopes and allow lists, compiled once and checked in
 * nanoseconds.
 *
 * This header is the whole public interface and its reference manual. What is
 * not declared here is not API.
 *
 * A *catalog* names the resource types, the actions each type has, and the
 * named scopes. authz_catalog_coder() is the embedded catalog of Coder; a host
 * with its own resource model parses one with authz_catalog_parse().
 *
 * A *token* is the compiled, immutable form of a list of scopes
 * ("workspace:read", "template:*", "coder:all", "coder:workspaces.create")
 * and an allow list ("workspace:<uuid>", "template:*", "*:<uuid>", "*:*").
 * authz_check() answers whether the token may perform an action on one object:
 *
 *     const char *scopes[] = { "workspace:read", "workspace:start" };
 *     const char *allow[]  = { "workspace:3f2504e0-4f89-41d3-9a0c-0305e82c3301" };
 *     authz_error err;
 *     authz_token *tok = authz_token_new(authz_catalog_coder(),
 *                                        scopes, 2, allow, 1, &err);
 *     if (tok == NULL) { fprintf(stderr, "%s\n", err.message); return; }
 *     if (authz_check(tok, "workspace", id, "start")) { ... }
 *     authz_token_free(tok);
 *
 * Rules every call follows:
 *   - Fail closed. Any error, NULL argument or unknown name is a deny (for a
 *     check) or a NULL result with an error code (for a constructor).
 *   - Exact bytes. Names are case-sensitive; nothing is trimmed or folded.
 *   - Ownership. Every *_new / *_parse result is owned by the caller and freed
 *     with the matching *_free, which accepts NULL. Input strings are copied
 *     or fully consumed before a call returns; nothing keeps a pointer to them.
 *   - Threads. Catalogs and tokens are immutable once built: any number of
 *     threads may use one at the same time without locking. There is no
 *     global mutable state. A token must not be freed while another thread
 *     still uses it, and must be freed before the catalog it was built from.
 *   - The check path (authz_check, authz_check_n, authz_check_target,
 *     authz_check_many) never allocates, never locks and does bounded work
 *     whatever the token holds and whatever names and ids it is given.
 *   - Results that must not be ignored (every decision, every status, every
 *     constructed object) are marked AUTHZ_NODISCARD.
 *
 * Naming rules:
 *   - `_n`: the same call over length-delimited arguments (a pointer and a
 *     length, no NUL needed, an embedded NUL is an ordinary byte). Every
 *     call that takes a name or an id has one; the NUL-terminated call is a
 *     thin convenience over it.
 *   - `_ex`: the same call with a trailing `const authz_options *opts`
 *     (NULL = the defaults). authz_token_decode_text, which takes options
 *     without the suffix, shipped before this rule and keeps its name.
 *   - Output text goes into a caller's buffer as `(char *buf, size_t cap,
 *     size_t *len)`: the call returns AUTHZ_OK and the length without the
 *     NUL in *len, or AUTHZ_ESPACE with the length needed (less the NUL) in
 *     *len. authz_catalog_text, which follows snprintf, shipped before this
 *     rule and keeps its form.
 *   - Lists of strings a call returns are authz_list objects, freed with
 *     authz_list_free.
 *
 * Semantics are those of docs/SPEC.md, the project's normative text (the
 * section numbers cited below are its sections); the short version is in
 * README.md.
 */
#ifndef AUTHZ_H
#define AUTHZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions                                                                  */
/* ------------------------------------------------------------------------ */

/* The release version. The Makefile, authz.pc and `authz --version` read it
 * from these three lines. */
#define AUTHZ_VERSION_MAJOR 0
#define AUTHZ_VERSION_MINOR 2
#define AUTHZ_VERSION_PATCH 0

/* The ABI version: the soname is libauthz.so.<AUTHZ_ABI_VERSION>. It changes
 * only when a shipped symbol changes meaning or a public struct shrinks, never
 * with a release alone. */
#define AUTHZ_ABI_VERSION 0

#define AUTHZ_STR_(x) #x
#define AUTHZ_STR(x) AUTHZ_STR_(x)
#define AUTHZ_VERSION_STRING                                                  \
    AUTHZ_STR(AUTHZ_VERSION_MAJOR) "." AUTHZ_STR(AUTHZ_VERSION_MINOR) "."     \
    AUTHZ_STR(AUTHZ_VERSION_PATCH)
#define AUTHZ_VERSION_NUMBER                                                  \
    (AUTHZ_VERSION_MAJOR * 10000 + AUTHZ_VERSION_MINOR * 100 +                \
     AUTHZ_VERSION_PATCH)

#if defined(_WIN32) && defined(AUTHZ_BUILDING_DLL)
#define AUTHZ_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define AUTHZ_API __attribute__((visibility("default")))
#else
#define AUTHZ_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#define AUTHZ_NODISCARD __attribute__((warn_unused_result))
#else
#define AUTHZ_NODISCARD
#endif

/* The version of the library actually linked, e.g. "0.1.0". Static string;
 * thread-safe. Compare with AUTHZ_VERSION_STRING to detect a mismatch between
 * the header a program was built with and the library it runs with. */
AUTHZ_API const char *authz_version(void);

/* The same as a number: AUTHZ_VERSION_NUMBER of the linked library. */
AUTHZ_API unsigned authz_version_number(void);

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* Status codes. 0 is success; every other value is an error class. New codes
 * may be added in later releases: treat any unknown nonzero code as an error. */
enum {
    AUTHZ_OK = 0,
    AUTHZ_EINVAL = 1,   /* invalid argument: NULL where a value is needed,
                           an unknown option flag */
    AUTHZ_ENOMEM = 2,   /* an allocation failed */
    AUTHZ_ESYNTAX = 3,  /* malformed entry: empty part, space, control or
                           non-ASCII byte, allow entry without a colon */
    AUTHZ_ETYPE = 4,    /* unknown resource type */
    AUTHZ_EACTION = 5,  /* unknown action for that type, or `*:A` with A != `*` */
    AUTHZ_ESCOPE = 6,   /* unknown named scope: "coder:bogus", or a word
                           without a colon that names no scope ("bogus") */
    AUTHZ_EUUID = 7,    /* allow-list id that is neither `*` nor a UUID */
    AUTHZ_ELIMIT = 8,   /* too many entries in a list */
    AUTHZ_ETOOLONG = 9, /* one entry (or catalog line) longer than allowed */
    AUTHZ_ECATALOG = 10, /* catalog text: bad keyword, name, duplicate, ... */
    AUTHZ_ENOTPUBLIC = 11, /* a valid scope that a token may not request */
    AUTHZ_EFORMAT = 12,    /* encoded token: malformed, truncated, trailing
                              bytes, not in canonical form */
    AUTHZ_EVERSION = 13,   /* encoded token: unsupported format version */
    AUTHZ_EMISMATCH = 14,  /* encoded token: built for another catalog */
    AUTHZ_ECHECKSUM = 15,  /* encoded token: integrity check failed */
    AUTHZ_ESPACE = 16      /* output buffer too small (see the length) */
};

/* Which input an error is about. */
enum {
    AUTHZ_LIST_NONE = 0,   /* an argument or option */
    AUTHZ_LIST_SCOPES = 1, /* the scope list */
    AUTHZ_LIST_ALLOW = 2,  /* the allow list */
    AUTHZ_LIST_CATALOG = 3, /* catalog text; see line and column */
    AUTHZ_LIST_SCOPES2 = 4, /* the second scope list of authz_scopes_cover */
    AUTHZ_LIST_ALLOW2 = 5,  /* the second allow list of intersect / union */
    AUTHZ_LIST_ENCODING = 6, /* an encoded token; offset is its byte offset */
    AUTHZ_LIST_ENCODING_TEXT = 7 /* the base64url text of one; offset is in
                                    the text */
};

/* Size of authz_error.message, including its terminating NUL. */
#define AUTHZ_ERROR_MESSAGE_SIZE 256

/* An optional out-record that says what went wrong and where. Every function
 * that takes one writes all of its fields on failure (and sets code to
 * AUTHZ_OK on success), so the caller need not initialise it.
 *
 * The message quotes the offending entry, escaping bytes that are not
 * printable ASCII and truncating long ones, e.g.
 *     allow[3] "workspace:3f25-zz": invalid UUID at byte 10
 */
typedef struct authz_error {
    int code;      /* AUTHZ_OK or an AUTHZ_E* code */
    int list;      /* an AUTHZ_LIST_* value */
    size_t index;  /* 0-based index of the offending entry in that list */
    size_t offset; /* 0-based byte offset inside that entry */
    size_t line;   /* AUTHZ_LIST_CATALOG: 1-based line; otherwise 0 */
    size_t column; /* AUTHZ_LIST_CATALOG: 1-based byte column; otherwise 0 */
    char message[AUTHZ_ERROR_MESSAGE_SIZE]; /* NUL-terminated */
    size_t reserved_[8]; /* room for later fields; zeroed */
} authz_error;

/* A static, human-readable description of a status code ("invalid UUID").
 * Never NULL: unknown codes give "unknown error". Thread-safe. */
AUTHZ_API const char *authz_strerror(int code);

/* ------------------------------------------------------------------------ */
/* Memory and options                                                        */
/* ------------------------------------------------------------------------ */

/* A custom allocator. All three functions are required; ctx is passed back
 * unchanged. The library frees an object with the allocator it was built
 * with, so the allocator must outlive every object built with it. The
 * functions may be called from any thread that builds or frees objects. */
typedef struct authz_allocator {
    void *(*malloc)(void *ctx, size_t size);
    void *(*realloc)(void *ctx, void *ptr, size_t size);
    void (*free)(void *ctx, void *ptr);
    void *ctx;
} authz_allocator;

/* Flags for authz_options.flags and authz_scope_validate(). */
#define AUTHZ_PUBLIC 0x1u /* accept only the catalog's public scope names:
                             what token *creation* may request
                             (docs/SPEC.md section 2) */

/* Default limits. A host may raise or lower them through authz_options. */
#define AUTHZ_DEFAULT_MAX_ALLOW 128       /* Coder's limit */
#define AUTHZ_DEFAULT_MAX_SCOPES 256
#define AUTHZ_DEFAULT_MAX_ENTRY_LEN 256   /* bytes per scope or allow entry */
/* Hard ceilings, whatever the options say. */
#define AUTHZ_MAX_ENTRIES_CEILING 16777216u
#define AUTHZ_MAX_ENTRY_LEN_CEILING 65536u

/* Options for authz_token_new_ex(). Initialise with authz_options_init() (or
 * zero it: every zero field means "the default"), then set what you need.
 * Fields are only ever added at the end, inside the reserved room. */
typedef struct authz_options {
    /* Most allow entries accepted, counted before duplicates are removed.
     * 0 = AUTHZ_DEFAULT_MAX_ALLOW. At most AUTHZ_MAX_ENTRIES_CEILING. */
    size_t max_allow;
    /* Most scopes accepted. 0 = AUTHZ_DEFAULT_MAX_SCOPES. */
    size_t max_scopes;
    /* Longest scope or allow entry, in bytes. 0 = AUTHZ_DEFAULT_MAX_ENTRY_LEN.
     * At most AUTHZ_MAX_ENTRY_LEN_CEILING. */
    size_t max_entry_len;
    /* Allocator for the token; NULL = the C library's malloc/realloc/free.
     * The pointed-to struct is copied. */
    const authz_allocator *allocator;
    /* AUTHZ_PUBLIC, or 0. Unknown bits are an error (AUTHZ_EINVAL), so a
     * flag that a newer release adds is never silently ignored by an older
     * one. With AUTHZ_PUBLIC every scope must be public, else the token is
     * refused with AUTHZ_ENOTPUBLIC: use it where tokens are created, and
     * leave it off where stored tokens are loaded for checking. */
    unsigned flags;
    unsigned reserved_u_;
    void *reserved_[7]; /* must be zero */
} authz_options;

/* Fills *opts with the defaults (all zero). NULL is a no-op. */
AUTHZ_API void authz_options_init(authz_options *opts);

/* ------------------------------------------------------------------------ */
/* Catalogs                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct authz_catalog authz_catalog; /* opaque, immutable */

/* The embedded Coder catalog (docs/SPEC.md section 6): static data, built
 * into the library from catalog/coder.catalog. Never NULL; never free it.
 * Thread-safe. */
AUTHZ_API const authz_catalog *authz_catalog_coder(void);

/* Parses a catalog from text (the format of catalog/coder.catalog: `type`,
 * `scope`, `alias` and `public` lines; docs/SPEC.md section 8). `text` holds `len`
 * bytes and needs no NUL; it may be NULL only when len is 0.
 *
 * Returns a new catalog, or NULL with err filled: AUTHZ_ECATALOG with line,
 * column and a message quoting the line; AUTHZ_ETOOLONG past 16 MiB;
 * AUTHZ_ENOMEM. Thread-safe. */
AUTHZ_API AUTHZ_NODISCARD authz_catalog *
authz_catalog_parse(const char *text, size_t len, authz_error *err);

/* As authz_catalog_parse(), with options (only `allocator` applies; the
 * catalog is freed with it). `opts` may be NULL. */
AUTHZ_API AUTHZ_NODISCARD authz_catalog *
authz_catalog_parse_ex(const char *text, size_t len,
                       const authz_options *opts, authz_error *err);

/* Frees a parsed catalog. NULL and the embedded catalog are no-ops. Free
 * every token built from a catalog before the catalog. */
AUTHZ_API void authz_catalog_free(authz_catalog *catalog);

/* Introspection. Types and actions are numbered from 0 in declaration
 * order. Names are owned by the catalog. Out-of-range indices and a NULL
 * catalog give 0 or NULL. Thread-safe. */
AUTHZ_API size_t authz_catalog_type_count(const authz_catalog *catalog);
AUTHZ_API const char *authz_catalog_type_name(const authz_catalog *catalog,
                                              size_t type);
AUTHZ_API size_t authz_catalog_action_count(const authz_catalog *catalog,
                                            size_t type);
AUTHZ_API const char *authz_catalog_action_name(const authz_catalog *catalog,
                                                size_t type, size_t action);

/* Writes the catalog in its text format, which parses back to an identical
 * catalog. Like snprintf: writes at most cap bytes including a NUL (buf may
 * be NULL when cap is 0) and returns the length of the whole text, so a
 * return >= cap means it was cut. Thread-safe. */
AUTHZ_API size_t authz_catalog_text(const authz_catalog *catalog, char *buf,
                                    size_t cap);

/* ------------------------------------------------------------------------ */
/* Tokens                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct authz_token authz_token; /* opaque, immutable once built */

/* A length-delimited string: `len` bytes at `ptr`, no NUL needed. `ptr` may
 * be NULL only when `len` is 0. */
typedef struct authz_str {
    const char *ptr;
    size_t len;
} authz_str;

/* Compiles a token from NUL-terminated scope and allow-list strings.
 *
 * catalog  the catalog that names types, actions and scopes; required. The
 *          token refers to it: free the token before a parsed catalog.
 * scopes   n_scopes strings; may be NULL only when n_scopes is 0.
 * allow    n_allow strings; may be NULL only when n_allow is 0.
 * err      optional; filled on failure (and its code set to AUTHZ_OK on
 *          success).
 *
 * Returns a new token, or NULL on any error: an entry that does not parse,
 * more than AUTHZ_DEFAULT_MAX_ALLOW allow entries, a NULL entry, an
 * allocation failure. Zero scopes or zero allow entries are *not* errors:
 * the token then denies every check.
 *
 * Thread-safe: concurrent calls share nothing but the (immutable) catalog. */
AUTHZ_API AUTHZ_NODISCARD authz_token *
authz_token_new(const authz_catalog *catalog,
                const char *const *scopes, size_t n_scopes,
                const char *const *allow, size_t n_allow,
                authz_error *err);

/* The general constructor: length-delimited entries (embedded NUL bytes are
 * simply invalid input, never a terminator) and options. `opts` may be NULL
 * for the defaults. Otherwise as authz_token_new(). This is the entry point
 * for network buffers and fuzzers. */
AUTHZ_API AUTHZ_NODISCARD authz_token *
authz_token_new_ex(const authz_catalog *catalog,
                   const authz_str *scopes, size_t n_scopes,
                   const authz_str *allow, size_t n_allow,
                   const authz_options *opts, authz_error *err);

/* Validates one scope (`len` bytes, no NUL needed) as token construction
 * would. flags = 0 accepts every scope the catalog can evaluate, including
 * internal ones such as `debug_info:read` or `no_user_data`; AUTHZ_PUBLIC
 * accepts only the public names (docs/SPEC.md section 2), and refuses the
 * others with AUTHZ_ENOTPUBLIC.
 *
 * Returns AUTHZ_OK or an error code, with err (optional) filled as for
 * authz_token_new (list AUTHZ_LIST_SCOPES, index 0); the default entry
 * length limit applies (AUTHZ_ETOOLONG past 256 bytes). Thread-safe. */
AUTHZ_API AUTHZ_NODISCARD int authz_scope_validate(const authz_catalog *catalog,
                                   const char *scope, size_t len,
                                   unsigned flags, authz_error *err);

/* Frees a token with the allocator it was built with. NULL is a no-op. */
AUTHZ_API void authz_token_free(authz_token *token);

/* ------------------------------------------------------------------------ */
/* Checks                                                                    */
/* ------------------------------------------------------------------------ */

/* May `token` perform `action` on the object of type `resource` whose id is
 * `id`? Returns true to allow, false to deny.
 *
 * Allows exactly when some scope grants (resource, action) and the allow list
 * admits the object: it holds `*:*` or `resource:*`, or `id` is a UUID (in
 * any of the four accepted spellings) listed as `resource:<id>` or `*:<id>`.
 *
 * Denies when token, resource or action is NULL; when resource is not a type
 * of the token's catalog or action is not one of that type's actions (even
 * under `coder:all`); when the scope or allow list is empty. An `id` that is
 * NULL or "" (an object without an id, as in a create) or that is not a UUID
 * is admitted only by `*:*` or `resource:*`.
 *
 * Never allocates, never locks; thread-safe on a shared token. */
AUTHZ_API AUTHZ_NODISCARD bool authz_check(const authz_token *token, const char *resource,
                           const char *id, const char *action);

/* authz_check() over length-delimited arguments (no NUL needed). A NULL
 * pointer with length 0 is the empty string for `id`, and a deny for
 * `resource` and `action`. An `id_len` of SIZE_MAX means "NUL-terminated:
 * measure it", as in release 0.1 (kept so that no shipped behaviour
 * changes); new code passes the length, or calls authz_check(). */
AUTHZ_API AUTHZ_NODISCARD bool authz_check_n(const authz_token *token,
                             const char *resource, size_t resource_len,
                             const char *id, size_t id_len,
                             const char *action, size_t action_len);

/* A resource type and action resolved once, for hosts that check many
 * objects per request: authz_check_target() then skips the two name
 * lookups and does only what depends on the object (decode the id, probe
 * the allow list). The fields are private; the struct is a value the
 * caller owns (no allocation), valid as long as its catalog. */
typedef struct authz_target {
    const authz_catalog *catalog_; /* private */
    uint32_t type_, action_;       /* private */
    uint32_t valid_;               /* private */
    uint32_t reserved_[3];
} authz_target;

/* Resolves `resource` and `action` (NUL-terminated) against `catalog`.
 * Returns AUTHZ_OK, or AUTHZ_ETYPE / AUTHZ_EACTION / AUTHZ_EINVAL; on any
 * error *out (required) is still written, as a target that denies every
 * check, so an unchecked result fails closed. Thread-safe. */
AUTHZ_API AUTHZ_NODISCARD int authz_target_resolve(const authz_catalog *catalog,
                                   const char *resource, const char *action,
                                   authz_target *out);

/* authz_target_resolve() over length-delimited names. (Since 0.2.) */
AUTHZ_API AUTHZ_NODISCARD int
authz_target_resolve_n(const authz_catalog *catalog, const char *resource,
                       size_t resource_len, const char *action,
                       size_t action_len, authz_target *out);

/* authz_check() for a resolved target and an id of `id_len` bytes (NULL or
 * length 0: an object without an id; SIZE_MAX: NUL-terminated, as for
 * authz_check_n). Denies a NULL or unresolved target, and a target resolved
 * against another catalog than the token's. Never allocates or locks;
 * thread-safe. */
AUTHZ_API AUTHZ_NODISCARD bool authz_check_target(const authz_token *token,
                                  const authz_target *target, const char *id,
                                  size_t id_len);

/* Many objects of one type, for one action, in one call: a list endpoint
 * filtering its rows. allowed[i] (required when n > 0) is set to
 * authz_check_target(token, target, ids[i], strlen(ids[i])), a NULL ids[i]
 * being an object without an id; returns how many are allowed. A NULL
 * token, target or ids array, or a target of another catalog, sets every
 * allowed[i] to false and returns 0. Consecutive ids are decoded and
 * probed together so their memory accesses overlap: on large allow lists
 * this costs less per id than a loop of authz_check_target. Never
 * allocates or locks; thread-safe. (Since 0.2.) */
AUTHZ_API size_t authz_check_many(const authz_token *token,
                                  const authz_target *target,
                                  const char *const *ids, size_t n,
                                  bool *allowed);

/* Does the token's scope list grant `action` on type `resource`, whatever
 * its allow list says? False for NULL arguments and unknown names. Never
 * allocates; thread-safe. (For displays such as `authz show`; a request is
 * decided by authz_check.) */
AUTHZ_API AUTHZ_NODISCARD bool authz_token_grants(const authz_token *token,
                                  const char *resource, const char *action);

/* authz_token_grants() over length-delimited names. (Since 0.2.) */
AUTHZ_API AUTHZ_NODISCARD bool
authz_token_grants_n(const authz_token *token, const char *resource,
                     size_t resource_len, const char *action,
                     size_t action_len);

/* ------------------------------------------------------------------------ */
/* Set operations: normalising, covering, intersecting, uniting              */
/* ------------------------------------------------------------------------ */

/* What a server needs when one token mints another or a client negotiates
 * scopes (docs/SPEC.md section 5). Inputs are length-delimited lists, parsed
 * and validated exactly as authz_token_new_ex() would (same options, limits
 * and error record; a second list reports AUTHZ_LIST_SCOPES2 /
 * AUTHZ_LIST_ALLOW2).
 * Results are lists of NUL-terminated strings. */

typedef struct authz_list authz_list; /* opaque, immutable */

/* Number of strings; 0 for NULL. */
AUTHZ_API size_t authz_list_count(const authz_list *list);
/* String i, owned by the list; NULL when i is out of range. */
AUTHZ_API const char *authz_list_get(const authz_list *list, size_t i);
/* Frees a list (with the allocator it was built with). NULL is a no-op. */
AUTHZ_API void authz_list_free(authz_list *list);

/* The canonical scope list: each alias replaced by the scope it names,
 * duplicates dropped, sorted by bytes. NULL on error. */
AUTHZ_API AUTHZ_NODISCARD authz_list *
authz_scopes_normalize(const authz_catalog *catalog, const authz_str *scopes,
                       size_t n, const authz_options *opts,
                       authz_error *err);

/* The normal form of an allow list (docs/SPEC.md section 3): `[*:*]` if it
 * holds `*:*`; `T:*` absorbs `T:<id>`; duplicates go; ids in lower-case
 * 36-character form; sorted by (type, id) comparing bytes. NULL on error. */
AUTHZ_API AUTHZ_NODISCARD authz_list *
authz_allow_normalize(const authz_catalog *catalog, const authz_str *allow,
                      size_t n, const authz_options *opts, authz_error *err);

/* Does `have` cover `want`: is every grant of `want` matched by a grant of
 * `have` under the scope rule of a check? `workspace:*` covers
 * `workspace:ssh`; every workspace action listed one by one does not cover
 * `workspace:*` (it would not grant actions added later); `coder:all`
 * covers everything; a composite covers each of its members.
 *
 * Returns AUTHZ_OK and sets *covered (required), or an error code with err
 * filled. If `missing` is not NULL, *missing receives the grants of `want`
 * that are not covered, as canonical `T:A`, `T:*` or `*:*` strings, sorted
 * (an empty list when covered); free it with authz_list_free. On any
 * error *covered is false (when `covered` is not NULL) and *missing NULL:
 * an unchecked failure reads as "not covered". */
AUTHZ_API AUTHZ_NODISCARD int authz_scopes_cover(const authz_catalog *catalog,
                                 const authz_str *have, size_t n_have,
                                 const authz_str *want, size_t n_want,
                                 bool *covered, authz_list **missing,
                                 const authz_options *opts, authz_error *err);

/* The objects both allow lists admit, in normal form: `[*:*]` with L gives
 * L; otherwise each pair of entries that match (types equal or one is `*`,
 * ids equal or one is `*`) yields the more specific type and id. An empty
 * result is an empty list (which, in a token, denies everything). */
AUTHZ_API AUTHZ_NODISCARD authz_list *
authz_allow_intersect(const authz_catalog *catalog, const authz_str *a,
                      size_t n_a, const authz_str *b, size_t n_b,
                      const authz_options *opts, authz_error *err);

/* The objects either list admits: both lists, in normal form. */
AUTHZ_API AUTHZ_NODISCARD authz_list *
authz_allow_union(const authz_catalog *catalog, const authz_str *a,
                  size_t n_a, const authz_str *b, size_t n_b,
                  const authz_options *opts, authz_error *err);

/* ------------------------------------------------------------------------ */
/* Granted ids: list endpoints                                               */
/* ------------------------------------------------------------------------ */

/* What a token admits of one type for one action (docs/SPEC.md 4.3). */
typedef enum authz_granted {
    AUTHZ_GRANTED_NONE = 0,  /* no object: the scopes do not grant the
                                action, or no entry admits the type */
    AUTHZ_GRANTED_ALL = 1,   /* every object, with or without an id
                                (`*:*` or `T:*` is listed) */
    AUTHZ_GRANTED_LISTED = 2 /* exactly the objects whose ids are listed */
} authz_granted;

/* Which ids may the token act on, for the (type, action) of `target`?
 * Sets *which (required) and, when `ids` is not NULL, *ids to a new list
 * (allocated with the token's allocator; free with authz_list_free) of
 * the admitted ids as canonical lower-case 36-character UUIDs, sorted and
 * without duplicates, `T:<id>` and `*:<id>` entries alike. The list is
 * empty unless *which is AUTHZ_GRANTED_LISTED. An id is in it exactly when
 * authz_check_target() allows it.
 *
 * Returns AUTHZ_OK; AUTHZ_EINVAL for a NULL token or `which`, or a target
 * that is not resolved against the token's catalog; AUTHZ_ENOMEM. On any
 * error *which is AUTHZ_GRANTED_NONE and *ids NULL, so an unchecked
 * failure lists nothing. Costs one pass over the token's id table, not a
 * check per row. Thread-safe. (Since 0.2.) */
AUTHZ_API AUTHZ_NODISCARD int
authz_token_granted_ids(const authz_token *token, const authz_target *target,
                        authz_granted *which, authz_list **ids,
                        authz_error *err);

/* The same answer as an SQL predicate over `column`, for a list endpoint's
 * WHERE clause: "1" (every row), "0" (none) or
 * "column IN ('<uuid>', '<uuid>', ...)" with canonical UUIDs in sorted
 * order. `column` must be a plain identifier, optionally qualified once
 * (`id`, `w.id`: letters, digits and `_`, not starting with a digit, at
 * most 128 bytes), so the predicate needs no quoting; the UUIDs need none
 * either. The column must hold ids in the canonical form.
 *
 * Writes into buf[cap] as the naming rules say: AUTHZ_OK with the length in
 * *len (required); AUTHZ_ESPACE with the length needed in *len;
 * AUTHZ_EINVAL for NULL arguments, a bad column or target; AUTHZ_ENOMEM.
 * On every error buf holds "0" when cap >= 2, so a caller who ignores the
 * status still selects nothing. Thread-safe. (Since 0.2.) */
AUTHZ_API AUTHZ_NODISCARD int
authz_token_granted_sql(const authz_token *token, const authz_target *target,
                        const char *column, char *buf, size_t cap,
                        size_t *len);

/* What changed from catalog `from` to catalog `to`, for a host upgrading
 * its catalog (a new Coder release): one line per difference, in three
 * groups (types and their actions, then named scopes and their grants,
 * then public names), each with removals before additions, in catalog
 * order:
 *     -type T / +type T                a resource type
 *     -action T:A / +action T:A        an action of a type both have
 *     -scope NAME / +scope NAME        a named scope (composite, builtin)
 *     -alias NAME = S / +alias ...     an alias, or where it points
 *     -grant NAME G / +grant NAME G    a grant of a scope both have, G as
 *                                      the catalog text writes it
 *     -public NAME / +public NAME      a name a token may request
 * Names are compared by their bytes, not their positions. An empty list
 * means the catalogs mean the same (their fingerprints may still differ
 * if declarations moved). The list is allocated with the allocator `from`
 * was parsed with (the default one for the embedded catalog); free it with
 * authz_list_free(). Returns NULL with err filled (AUTHZ_EINVAL for
 * a NULL catalog, AUTHZ_ENOMEM). Thread-safe. (Since 0.2.) */
AUTHZ_API AUTHZ_NODISCARD authz_list *
authz_catalog_diff(const authz_catalog *from, const authz_catalog *to,
                   authz_error *err);

/* ------------------------------------------------------------------------ */
/* Canonical and binary forms                                                */
/* ------------------------------------------------------------------------ */

/* A token's scopes in normal form (as authz_scopes_normalize gives) and its
 * allow list in normal form (as authz_allow_normalize gives). Building a
 * token from these two lists gives an equal token: the same decisions and
 * the same encoding. Allocate with the token's allocator; NULL with err
 * filled (AUTHZ_ENOMEM, AUTHZ_EINVAL for a NULL token). Thread-safe. */
AUTHZ_API AUTHZ_NODISCARD authz_list *
authz_token_scopes(const authz_token *token, authz_error *err);
AUTHZ_API AUTHZ_NODISCARD authz_list *
authz_token_allow(const authz_token *token, authz_error *err);

/* Writes the token's canonical text, the two lines `authz normalize`
 * prints:
 *     scopes: <normal-form scopes, space-separated>\n
 *     allow: <normal-form allow list, space-separated>\n
 * into buf[cap] with a NUL, and the length without the NUL into *len
 * (required). Returns AUTHZ_OK; AUTHZ_ESPACE when cap is too small (then
 * *len is the size needed, less the NUL, and buf holds ""); AUTHZ_ENOMEM;
 * AUTHZ_EINVAL for NULL arguments. Thread-safe. */
AUTHZ_API AUTHZ_NODISCARD int authz_token_text(const authz_token *token, char *buf,
                               size_t cap, size_t *len);

/* The binary form: versioned, tied to the catalog's fingerprint, canonical
 * (equal tokens encode to equal bytes), integrity-checked; documented byte
 * by byte in docs/FORMAT.md. 10 scopes and 10 UUID entries take about 210
 * bytes.
 *
 * authz_token_encode writes at most cap bytes and the encoded length into
 * *len (required). Returns AUTHZ_OK; AUTHZ_ESPACE when cap is too small
 * (*len is then the size needed); AUTHZ_ENOMEM; AUTHZ_EINVAL. */
AUTHZ_API AUTHZ_NODISCARD int authz_token_encode(const authz_token *token, void *buf,
                                 size_t cap, size_t *len);

/* Decodes `len` bytes against `catalog`, treating every byte as hostile:
 * lengths are bounded before they are read, nothing past `len` is read,
 * and the result is refused with an error code and the byte offset
 * (err->list = AUTHZ_LIST_ENCODING) on a bad magic or version, a
 * fingerprint of another catalog, a checksum mismatch, truncation,
 * trailing bytes, out-of-range names, or any encoding that is not the
 * canonical one. Never allocates more than the input justifies. Limits and
 * AUTHZ_PUBLIC apply as in authz_token_new_ex (the allow-list limit to the
 * entries in normal form). Thread-safe. */
AUTHZ_API AUTHZ_NODISCARD authz_token *
authz_token_decode(const authz_catalog *catalog, const void *buf, size_t len,
                   authz_error *err);
AUTHZ_API AUTHZ_NODISCARD authz_token *
authz_token_decode_ex(const authz_catalog *catalog, const void *buf,
                      size_t len, const authz_options *opts,
                      authz_error *err);

/* The binary form as unpadded base64url text, for headers and cookies:
 * writes it with a NUL into buf[cap] and its length without the NUL into
 * *len. Returns as authz_token_encode (AUTHZ_ESPACE: *len is the size
 * needed less the NUL). */
AUTHZ_API AUTHZ_NODISCARD int authz_token_encode_text(const authz_token *token, char *buf,
                                      size_t cap, size_t *len);

/* Decodes base64url text (no padding, no other bytes; `len` bytes, no NUL
 * needed) and then the binary form. An error in the text (a bad character,
 * an impossible length, non-zero unused bits) is AUTHZ_EFORMAT with list
 * AUTHZ_LIST_ENCODING_TEXT and its offset in the text; errors of the binary
 * form have list AUTHZ_LIST_ENCODING and offsets in the decoded bytes.
 * `opts` may be NULL. */
AUTHZ_API AUTHZ_NODISCARD authz_token *
authz_token_decode_text(const authz_catalog *catalog, const char *text,
                        size_t len, const authz_options *opts,
                        authz_error *err);

/* The catalog's fingerprint: a 64-bit hash of everything an encoded token
 * refers to (types, actions and named scopes, in order; not which names
 * are public). Tokens decode only against a catalog with the same one. */
AUTHZ_API uint64_t authz_catalog_fingerprint(const authz_catalog *catalog);

/* ------------------------------------------------------------------------ */
/* Explaining a decision                                                     */
/* ------------------------------------------------------------------------ */

/* Why a check allowed or denied, in the order the check tests them. New
 * reasons may be added; treat any unknown one as a deny. */
typedef enum authz_reason {
    AUTHZ_REASON_ALLOWED = 0,
    AUTHZ_REASON_NULL_ARGUMENT = 1,    /* token, resource or action NULL */
    AUTHZ_REASON_UNKNOWN_RESOURCE = 2, /* not a type of the catalog */
    AUTHZ_REASON_UNKNOWN_ACTION = 3,   /* not an action of that type */
    AUTHZ_REASON_EMPTY_SCOPES = 4,     /* the token has no scope */
    AUTHZ_REASON_NO_GRANT = 5,         /* no scope grants (resource, action) */
    AUTHZ_REASON_EMPTY_ALLOW = 6,      /* the token's allow list is empty */
    AUTHZ_REASON_NOT_LISTED = 7        /* the allow list does not admit it */
} authz_reason;

#define AUTHZ_NO_INDEX ((size_t)-1)

/* The out-record of authz_explain(). */
typedef struct authz_explanation {
    bool allowed;       /* the same answer authz_check() gives */
    authz_reason reason;
    /* The first scope, in the order given, that grants the request, and its
     * canonical text ("workspace:read", "coder:all", "all"); AUTHZ_NO_INDEX
     * and "" when none does or the check stopped earlier. */
    size_t scope_index;
    char scope[272];
    /* The allow entry that admits the object, in normal form ("*:*",
     * "template:*", "workspace:<lower-case uuid>"), and its index in the
     * list given (the first one, if it was listed more than once);
     * AUTHZ_NO_INDEX and "" when none does or the check stopped earlier. */
    size_t allow_index;
    char allow[176];
    size_t reserved_[8];
} authz_explanation;

/* authz_check() with the reason. Fills *out (required; if NULL the call
 * only returns the decision) and returns out->allowed. Never allocates or
 * locks; thread-safe on a shared token. Costs more than authz_check (it
 * looks for the granting scope among all scopes), so use it for logging
 * and debugging, and authz_check on the hot path. */
AUTHZ_API AUTHZ_NODISCARD bool authz_explain(const authz_token *token, const char *resource,
                             const char *id, const char *action,
                             authz_explanation *out);

/* authz_explain() over length-delimited arguments, as authz_check_n (an
 * `id_len` of 0 is an object without an id). (Since 0.2.) */
AUTHZ_API AUTHZ_NODISCARD bool
authz_explain_n(const authz_token *token, const char *resource,
                size_t resource_len, const char *id, size_t id_len,
                const char *action, size_t action_len,
                authz_explanation *out);

/* A static, lower-case phrase for a reason ("no scope grants it"). Never
 * NULL; unknown values give "unknown reason". */
AUTHZ_API const char *authz_reason_str(authz_reason reason);

#ifdef __cplusplus
}
#endif

#endif /* AUTHZ_H */
