/*
 * canon.h - the normal form of a compiled token.
 * Private: part of internal.h.
 */
#ifndef AUTHZ_CANON_H
#define AUTHZ_CANON_H

#include "token.h"

/* An allow entry of the normal form, with its type's name for ordering. */
struct az_centry {
    const char *name; /* type name, or "*" */
    uint32_t name_len;
    uint32_t type;    /* type index or AZ_ANY_TYPE */
    uint32_t kind;    /* AZ_ALLOW_UUID or AZ_ALLOW_WILD */
    uint32_t pad_;
    struct az_uuid id;
};

/* Scope references in canonical text order (aliases resolved, each once)
 * and allow entries in normal-form order. */
struct az_canon {
    uint32_t *refs;
    size_t n_refs;
    struct az_centry *entries;
    size_t n_entries;
    void *mem;
};

/* Builds the normal form of a token with its allocator: AUTHZ_OK or
 * AUTHZ_ENOMEM. Free with az_canon_free. */
int az_canon_build(const authz_token *tok, struct az_canon *c);

/* The arguments of a call that writes a token into a caller's buffer: the
 * token and len required, buf NULL only with cap 0. AUTHZ_OK or
 * AUTHZ_EINVAL. */
int az_output_args(const authz_token *token, const void *buf, size_t cap,
                   const size_t *len);
void az_canon_free(const authz_token *tok, struct az_canon *c);

/* Canonical order of scope references (by their text). */
int az_ref_cmp(const authz_catalog *cat, uint32_t a, uint32_t b);

/* The order of allow entries in every list the library writes (normal
 * forms, set operations, encoded tokens): by type name, bytes compared (a
 * name that is a prefix of another first), then `T:*` before `T:<id>`,
 * then by id as a number (the order of its lower-case text). allow.c. */
int az_centry_cmp(const void *a, const void *b);
/* The entry's text, `T:<uuid>` or `T:*` (az_entry_format); its length. */
size_t az_centry_format(const authz_catalog *cat, const struct az_centry *e,
                        char buf[AZ_ENTRY_TEXT_MAX]);
void az_centry_set(struct az_centry *e, const authz_catalog *cat,
                   uint32_t type, uint32_t kind, const struct az_uuid *id);

#endif /* AUTHZ_CANON_H */
