/*
 * errors.h - resolved options, and the error record every entry point fills.
 * Private: part of internal.h.
 */
#ifndef AUTHZ_ERRORS_H
#define AUTHZ_ERRORS_H

#include "base.h"

extern const authz_allocator az_default_allocator;

/* Resolved options, defaults filled in. */
struct az_limits {
    size_t max_allow, max_scopes, max_entry_len;
    unsigned flags;
    authz_allocator alloc;
};

/* Fills *lim from opts (NULL = defaults). Returns AUTHZ_OK or AUTHZ_EINVAL
 * with err filled. */
int az_limits_resolve(const authz_options *opts, struct az_limits *lim,
                      authz_error *err);

/* Sets err to success. NULL err is a no-op. */
void az_error_ok(authz_error *err);

/* Fills err: code, list, index, offset, and a message
 *   <list>[<index>] "<entry, quoted>": <what> at byte <offset>
 * `entry` may be NULL (no quote). NULL err is a no-op. Returns code. */
int az_error_entry(authz_error *err, int code, int list, size_t index,
                   const char *entry, size_t entry_len, size_t offset,
                   const char *what);

/* Fills err for an error that is not about one entry. Returns code. */
int az_error_plain(authz_error *err, int code, const char *what);

/* Fills err for catalog text at (line, column), quoting the line. */
int az_error_catalog(authz_error *err, int code, size_t line, size_t column,
                     const char *line_text, size_t line_len,
                     const char *what);

/* Appends `n` bytes of `s` to buf[*pos..cap) as a quoted, escaped string,
 * truncating with "..." past `max_quote` bytes; always NUL-terminates. */
void az_quote(char *buf, size_t cap, size_t *pos, const char *s, size_t n,
              size_t max_quote);

#endif /* AUTHZ_ERRORS_H */
