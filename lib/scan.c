/*
 * scan.c - the byte-level shape of a scope or an allow entry: which bytes
 * may appear, and where the first colon is. The parsers above it (scope.c,
 * allow.c) call in; nothing here calls out.
 */
#include "scan.h"

#include "internal.h"

size_t az_scan(const char *s, size_t n, size_t *colon)
{
    size_t i = 0;
    *colon = n;
    /* Per byte (exact for the lowest flagged byte, since carries and
     * borrows only move toward later bytes): x + 0x5f lacks its high bit
     * when x < 0x21; x + 1 has it when x >= 0x7f; x has it when x >= 0x80.
     * A ':' is a zero byte of x ^ ':'. */
    while (n >= 8 && i < n) {
        /* The last word overlaps the one before it: its first bytes are
         * known good and hold no earlier colon, so results stay exact. */
        size_t at = i + 8 <= n ? i : n - 8;
        uint64_t x = az_load64(s + at), y = x ^ (AZ_ONES * ':');
        uint64_t bad = (~(x + AZ_ONES * 0x5f) | (x + AZ_ONES) | x) & AZ_HIGHS;
        uint64_t col = (y - AZ_ONES) & ~y & AZ_HIGHS;
        if (col != 0 && *colon == n)
            *colon = at + (size_t)(__builtin_ctzll(col) >> 3);
        if (bad != 0)
            return at + (size_t)(__builtin_ctzll(bad) >> 3);
        i = at + 8;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ':' && *colon == n)
            *colon = i;
        if (c <= 0x20 || c >= 0x7f)
            return i;
    }
    return n;
}

int az_scan_entry(const char *s, size_t n, enum az_scan_noun noun,
                  size_t *colon, size_t *offset, const char **what)
{
    static const char *const space[] = {"space in scope", "space in entry"};
    static const char *const other[] = {"unexpected byte in scope",
                                        "unexpected byte in entry"};
    size_t i = az_scan(s, n, colon);
    if (i == n)
        return AUTHZ_OK;
    *offset = i;
    *what = s[i] == ' ' ? space[noun] : other[noun];
    return AUTHZ_ESYNTAX;
}
