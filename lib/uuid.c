/*
 * uuid.c - the four UUID spellings that Go's google/uuid accepts, and the
 * canonical form they all normalise to.
 *
 * The 36-character form is what checks see almost always, so it is decoded
 * without branches on the digits: an invalid byte maps to a value with high
 * bits set, ORed into a flag tested once at the end.
 */
#include "internal.h"

#define X 0xf0 /* not a hex digit */
static const unsigned char hexval[256] = {
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, X, X, X, X, X, X,
    X, 10, 11, 12, 13, 14, 15, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, 10, 11, 12, 13, 14, 15, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
};
#undef X

/* Where the 32 digits of the 36-character form sit. */
static const unsigned char dashed_pos[32] = {
    0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11, 12, 14, 15, 16, 17,
    19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
};

static int is_dash_pos(size_t i)
{
    return i == 8 || i == 13 || i == 18 || i == 23;
}

/* Decodes 32 digits found at s[pos[i]] (or s[i] when pos is NULL). */
static int decode(const char *s, const unsigned char *pos,
                  struct az_uuid *out)
{
    uint64_t hi = 0, lo = 0;
    unsigned bad = 0;
    int i;
    for (i = 0; i < 16; i++) {
        unsigned v = hexval[(unsigned char)s[pos ? pos[i] : i]];
        bad |= v;
        hi = hi << 4 | (v & 15);
    }
    for (i = 16; i < 32; i++) {
        unsigned v = hexval[(unsigned char)s[pos ? pos[i] : i]];
        bad |= v;
        lo = lo << 4 | (v & 15);
    }
    out->hi = hi;
    out->lo = lo;
    return (bad & 0xf0) == 0;
}

static int decode_dashed(const char *s, struct az_uuid *out)
{
    if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return 0;
    return decode(s, dashed_pos, out);
}

/* The offset of the first byte of a dashed form that is out of place. */
static size_t first_bad_dashed(const char *s)
{
    size_t i;
    for (i = 0; i < 36; i++) {
        int dash = is_dash_pos(i);
        if (dash ? s[i] != '-' : hexval[(unsigned char)s[i]] > 15)
            return i;
    }
    return 0;
}

static size_t first_bad_plain(const char *s)
{
    size_t i;
    for (i = 0; i < 32; i++)
        if (hexval[(unsigned char)s[i]] > 15)
            return i;
    return 0;
}

static int prefix_ci(const char *s, const char *lower, size_t n, size_t *bad)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lower[i]) {
            *bad = i;
            return 0;
        }
    }
    return 1;
}

int az_uuid_parse(const char *s, size_t n, struct az_uuid *out, size_t *bad)
{
    *bad = 0;
    switch (n) {
    case 36:
        if (AZ_LIKELY(decode_dashed(s, out)))
            return 1;
        *bad = first_bad_dashed(s);
        return 0;
    case 38:
        if (s[0] != '{') {
            *bad = 0;
            return 0;
        }
        if (s[37] != '}') {
            *bad = 37;
            return 0;
        }
        if (decode_dashed(s + 1, out))
            return 1;
        *bad = 1 + first_bad_dashed(s + 1);
        return 0;
    case 45:
        if (!prefix_ci(s, "urn:uuid:", 9, bad))
            return 0;
        if (decode_dashed(s + 9, out))
            return 1;
        *bad = 9 + first_bad_dashed(s + 9);
        return 0;
    case 32:
        if (decode(s, NULL, out))
            return 1;
        *bad = first_bad_plain(s);
        return 0;
    default:
        return 0;
    }
}

void az_uuid_format(const struct az_uuid *u, char out[37])
{
    static const char digits[] = "0123456789abcdef";
    int i;
    for (i = 0; i < 32; i++) {
        uint64_t word = i < 16 ? u->hi : u->lo;
        int shift = 60 - 4 * (i & 15);
        out[dashed_pos[i]] = digits[(word >> shift) & 15];
    }
    out[8] = out[13] = out[18] = out[23] = '-';
    out[36] = '\0';
}
