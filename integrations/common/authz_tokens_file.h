/*
 * authz_tokens_file.h - the tokens file that gateways load: its parser, its
 * lookup table and its line writer. Plain C11; depends on authz.h only.
 *
 * One token a line, fields separated by spaces or tabs:
 *
 *     SHA256HEX SCOPES ALLOW
 *
 *   SHA256HEX  the SHA-256 of the bearer secret, 64 lower-case hex digits
 *              (the host stores a hash, never the secret)
 *   SCOPES     comma-separated scope list, `-` for an empty list
 *   ALLOW      comma-separated allow list, `-` for an empty list
 *
 * A line whose first non-blank byte is `#` is a comment; blank lines are
 * skipped; a line may end in CR LF. Nothing else may follow the third field.
 * Every list is compiled with authz_token_new_ex() against the caller's
 * catalog; an empty list is valid and makes a token that denies everything
 * (docs/SPEC.md).
 *
 * The table is keyed by the 32 raw digest bytes, which the caller computes
 * (with whatever SHA-256 it links). The table indexes by a mix of all 32
 * bytes, so that digests which are not random (hand-written ones) spread as
 * well as real ones; every candidate met while probing is
 * compared in full, in constant time, and the probe does not stop at a
 * match, so its time depends only on how many digests share the presented
 * one's neighbourhood, never on how many leading bytes match.
 *
 * Symbols are prefixed aztf_ (the authz_ prefix belongs to the library).
 */
#ifndef AZTF_H
#define AZTF_H

#include <authz.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AZTF_DIGEST_LEN 32

/* Status codes. */
enum {
    AZTF_OK = 0,
    AZTF_EINVAL = 1,     /* a NULL argument; the writer: an entry that the
                            format cannot hold (empty, `-`, a comma, a blank
                            or a control byte) */
    AZTF_ENOMEM = 2,
    AZTF_EFIELDS = 3,    /* fewer or more than three fields */
    AZTF_EDIGEST = 4,    /* the first field is not 64 lower-case hex digits */
    AZTF_EDUPLICATE = 5, /* a digest already on an earlier line */
    AZTF_ETOKEN = 6,     /* the library refused a list: see `lib` */
    AZTF_ESPACE = 7      /* the writer's buffer is too small */
};

/* Where and why a file was refused: the first bad line. */
typedef struct aztf_error {
    int code;           /* AZTF_OK or an AZTF_E* code */
    size_t line;        /* 1-based line number; 0 when not about a line */
    size_t column;      /* 1-based byte column of the fault in that line */
    size_t line_offset; /* the line's byte offset in the text */
    size_t line_len;    /* its length, without CR LF: print it with a caret
                           under `column` */
    size_t first_line;  /* AZTF_EDUPLICATE: the line that had the digest */
    authz_error lib;    /* AZTF_ETOKEN: the library's record (list, index,
                           offset, message); otherwise code AUTHZ_OK */
    char message[AUTHZ_ERROR_MESSAGE_SIZE + 64]; /* NUL-terminated; says
                           what is wrong, without the file or line */
} aztf_error;

/* One token of the table. */
typedef struct aztf_entry {
    unsigned char digest[AZTF_DIGEST_LEN];
    authz_token *token; /* compiled against the catalog given to parse */
    size_t line;        /* where it was defined */
    char tag[9];        /* the digest's first 8 hex digits and a NUL: names
                           the token in logs without revealing it */
} aztf_entry;

typedef struct aztf_table aztf_table; /* opaque; immutable once parsed */

/* Parses a whole file's bytes (`len` bytes; no NUL needed; NULL only when
 * len is 0) into a table. Tokens are built with `opts` (may be NULL; its
 * allocator, if any, is used for the tokens only) against `catalog`, which
 * must outlive the table. Returns the table, or NULL with *err (optional)
 * filled for the first bad line. An empty file gives an empty table. */
aztf_table *aztf_parse(const authz_catalog *catalog, const char *text,
                       size_t len, const authz_options *opts,
                       aztf_error *err);

/* Frees the table and its tokens. NULL is a no-op. */
void aztf_free(aztf_table *table);

/* Number of tokens. */
size_t aztf_count(const aztf_table *table);

/* Constant-time equality of two n-byte buffers: 0 when equal, as
 * CRYPTO_memcmp. A host may pass its crypto library's own. */
typedef int (*aztf_memcmp_fn)(const void *a, const void *b, size_t n);

/* The entry whose digest equals `digest` (AZTF_DIGEST_LEN bytes), or NULL.
 * `cmp` compares candidates in constant time; NULL means aztf_ct_memcmp.
 * Never allocates; thread-safe on a shared table. */
const aztf_entry *aztf_find(const aztf_table *table,
                            const unsigned char *digest, aztf_memcmp_fn cmp);

/* The built-in constant-time comparison (0 when equal, 1 otherwise). */
int aztf_ct_memcmp(const void *a, const void *b, size_t n);

/* Writes one line of the format, "HEX SCOPES ALLOW\n", into buf[cap] with a
 * NUL, and its length (without the NUL) into *len (required). Empty lists
 * are written as `-`. The entries are not checked against a catalog (build
 * a token from them first), only that the format can hold them. Returns
 * AZTF_OK; AZTF_ESPACE when cap is too small (*len is then the length
 * needed, and buf holds "" if cap > 0); AZTF_EINVAL. */
int aztf_write_line(const unsigned char *digest, const authz_str *scopes,
                    size_t n_scopes, const authz_str *allow, size_t n_allow,
                    char *buf, size_t cap, size_t *len);

/* A static description of an AZTF_* code. Never NULL. */
const char *aztf_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif /* AZTF_H */
