/*
 * uuid.c - the four UUID spellings that Go's google/uuid accepts, the
 * canonical form they all normalise to, and where a bad one goes wrong.
 * The decoding itself is inline in internal.h, for the check path.
 */
#include "internal.h"

#define X 0xf0 /* not a hex digit */
const unsigned char az_hexval[256] = {
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

static int is_dash_pos(size_t i)
{
    return i == 8 || i == 13 || i == 18 || i == 23;
}

/* The offset of the first byte of a dashed form that is out of place. */
static size_t first_bad_dashed(const char *s)
{
    size_t i;
    for (i = 0; i < 36; i++) {
        int dash = is_dash_pos(i);
        if (dash ? s[i] != '-' : az_hexval[(unsigned char)s[i]] > 15)
            return i;
    }
    return 0;
}

static size_t first_bad_plain(const char *s)
{
    size_t i;
    for (i = 0; i < 32; i++)
        if (az_hexval[(unsigned char)s[i]] > 15)
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
        if (AZ_LIKELY(az_uuid_dashed(s, out)))
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
        if (az_uuid_dashed(s + 1, out))
            return 1;
        *bad = 1 + first_bad_dashed(s + 1);
        return 0;
    case 45:
        if (!prefix_ci(s, "urn:uuid:", 9, bad))
            return 0;
        if (az_uuid_dashed(s + 9, out))
            return 1;
        *bad = 9 + first_bad_dashed(s + 9);
        return 0;
    case 32:
        if (az_uuid_plain(s, out))
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
    int i, o = 0;
    for (i = 0; i < 32; i++) {
        uint64_t word = i < 16 ? u->hi : u->lo;
        if (is_dash_pos((size_t)o))
            out[o++] = '-';
        out[o++] = digits[(word >> (60 - 4 * (i & 15))) & 15];
    }
    out[36] = '\0';
}
