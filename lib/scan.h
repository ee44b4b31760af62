/*
 * scan.h - the byte-level shape of a scope or an allow entry, under both
 * parsers (scope.c, allow.c). Private.
 */
#ifndef AUTHZ_SCAN_H
#define AUTHZ_SCAN_H

#include <stddef.h>

/* Scans an entry eight bytes at a time: returns the offset of the first
 * byte outside 0x21-0x7e (space, control, DEL, non-ASCII), or n, and sets
 * *colon to the offset of the first ':' (or n). */
size_t az_scan(const char *s, size_t n, size_t *colon);

/* What the entry is called in messages. */
enum az_scan_noun { AZ_SCAN_SCOPE, AZ_SCAN_ENTRY };

/* The shape scopes and allow entries share (docs/SPEC.md sections 2 and 3):
 * printable ASCII without spaces, split at the first colon. Returns
 * AUTHZ_OK with *colon at the first ':' (n when there is none), or
 * AUTHZ_ESYNTAX with *offset at the first byte outside that set and *what
 * naming it ("space in scope", "unexpected byte in entry"). */
int az_scan_entry(const char *s, size_t n, enum az_scan_noun noun,
                  size_t *colon, size_t *offset, const char **what);

#endif /* AUTHZ_SCAN_H */
