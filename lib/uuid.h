/*
 * uuid.h - a UUID as two 64-bit halves; parsing and formatting at build time
 * (the check's decoders are in hot.h).
 * Private: part of internal.h.
 */
#ifndef AUTHZ_UUID_H
#define AUTHZ_UUID_H

#include "base.h"

struct az_uuid {
    uint64_t hi, lo; /* the 32 hex digits, most significant first */
};

/* Hex digit values; 0xf0 marks a byte that is not a hex digit. */
extern const unsigned char az_hexval[256];

/* Parses one of the four accepted spellings: 8-4-4-4-12 (any case), that
 * inside braces, that after "urn:uuid:" (prefix in any case), or 32 hex
 * digits. On failure returns 0 and sets *bad to the offset of the first byte
 * that cannot be part of a UUID (0 when the length matches no spelling). */
int az_uuid_parse(const char *s, size_t n, struct az_uuid *out, size_t *bad);

/* Writes the lower-case 36-character form plus a NUL into out[37]. */
void az_uuid_format(const struct az_uuid *u, char out[37]);

#endif /* AUTHZ_UUID_H */
