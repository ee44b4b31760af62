/*
 * authz_tokens_file.c - the tokens-file parser, table and line writer (see
 * authz_tokens_file.h for the format).
 */
#include "authz_tokens_file.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct aztf_table {
    aztf_entry *entries; /* in file order */
    size_t n;
    uint32_t *slots;     /* open addressing: entry index + 1, 0 = empty */
    size_t mask;         /* slot count - 1; the count is a power of two, at
                            least twice n, so a probe always meets an empty
                            slot */
};

/* A growable vector of list entries, reused from line to line. */
struct strvec {
    authz_str *v;
    size_t cap;
};

static const char hexdigits[] = "0123456789abcdef";

const char *aztf_strerror(int code)
{
    switch (code) {
    case AZTF_OK: return "success";
    case AZTF_EINVAL: return "invalid argument";
    case AZTF_ENOMEM: return "out of memory";
    case AZTF_EFIELDS: return "expected three fields: SHA256HEX SCOPES ALLOW";
    case AZTF_EDIGEST: return "bad digest";
    case AZTF_EDUPLICATE: return "duplicate digest";
    case AZTF_ETOKEN: return "invalid token";
    case AZTF_ESPACE: return "buffer too small";
    default: return "unknown error";
    }
}

int aztf_ct_memcmp(const void *a, const void *b, size_t n)
{
    const volatile unsigned char *x = a;
    const volatile unsigned char *y = b;
    unsigned char acc = 0;
    for (size_t i = 0; i < n; i++)
        acc = (unsigned char)(acc | (x[i] ^ y[i]));
    /* 1 when any bit differs, without a branch on the data. */
    return (int)((unsigned)(acc + 0xffu) >> 8);
}

/* The slot of a digest: its four 64-bit words, each times its own odd
 * constant, summed (independent multiplies), then one xor-shift-multiply
 * round (SplitMix64's) so the high bits reach the low ones. Digests that
 * are not uniformly random (hand-written, or alike in some bytes) then
 * spread over the table instead of forming one long probe cluster. */
static size_t slot_of(const unsigned char *d, size_t mask)
{
    static const uint64_t k[4] = {
        UINT64_C(0x9e3779b97f4a7c15), UINT64_C(0xbf58476d1ce4e5b9),
        UINT64_C(0x94d049bb133111eb), UINT64_C(0xd6e8feb86659fd93)};
    uint64_t h = 0;
    for (int w = 0; w < 4; w++) {
        uint64_t x; /* in the host's byte order: the table never leaves it */
        memcpy(&x, d + 8 * w, sizeof x);
        h += x * k[w];
    }
    h ^= h >> 31;
    h *= UINT64_C(0x94d049bb133111eb);
    h ^= h >> 29;
    return (size_t)(h & (uint64_t)mask);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Fills the error record for line `lineno` starting at `line` (`line_len`
 * bytes) of `text`, column `col` (1-based). */
static void set_err(aztf_error *err, int code, const char *text,
                    const char *line, size_t line_len, size_t lineno,
                    size_t col, const char *fmt, const char *arg)
{
    if (err == NULL)
        return;
    err->code = code;
    err->line = lineno;
    err->column = col;
    err->line_offset = (size_t)(line - text);
    err->line_len = line_len;
    if (arg != NULL)
        snprintf(err->message, sizeof err->message, fmt, arg);
    else
        snprintf(err->message, sizeof err->message, "%s", fmt);
}

static void clear_err(aztf_error *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof *err);
}

/* Splits field [p, p+n) into entries; "-" is the empty list. */
static int split_list(const char *p, size_t n, struct strvec *vec,
                      size_t *count)
{
    const char *end = p + n;
    size_t k = 0;

    if (n == 1 && p[0] == '-') {
        *count = 0;
        return AZTF_OK;
    }
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        if (k == vec->cap) {
            size_t cap = vec->cap ? 2 * vec->cap : 16;
            authz_str *v = realloc(vec->v, cap * sizeof *v);
            if (v == NULL)
                return AZTF_ENOMEM;
            vec->v = v;
            vec->cap = cap;
        }
        vec->v[k].ptr = p;
        vec->v[k].len = (size_t)(stop - p);
        k++;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    *count = k;
    return AZTF_OK;
}

/* The first blank (space or tab) in [q, e), or e. */
static const char *next_blank(const char *q, const char *e)
{
    const char *sp = memchr(q, ' ', (size_t)(e - q));
    const char *lim = sp ? sp : e;
    const char *tab = memchr(q, '\t', (size_t)(lim - q));
    return tab ? tab : lim;
}

/* Counts the lines, the most tokens the text can hold, to size the table
 * once. */
static size_t count_lines(const char *text, size_t len)
{
    size_t n = 1;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            break;
        n++;
        p = nl + 1;
    }
    return n;
}

void aztf_free(aztf_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++)
        authz_token_free(t->entries[i].token);
    free(t->entries);
    free(t->slots);
    free(t);
}

size_t aztf_count(const aztf_table *t)
{
    return t ? t->n : 0;
}

/* 1 + the value of each lower-case hex digit; 0 for every other byte. */
static const unsigned char hexv[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,
    ['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
    ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* The value of a lower-case hex digit, or -1. */
static int hexval(char c)
{
    return (int)hexv[(unsigned char)c] - 1;
}

/* The digest field: exactly 64 lower-case hex digits. Returns 0 and fills
 * out, or the 0-based offset + 1 of the fault with *why set. */
static size_t parse_digest(const char *p, size_t n, unsigned char *out,
                           const char **why)
{
    for (size_t i = 0; i < n && i < 2 * AZTF_DIGEST_LEN; i += 2) {
        int hi = hexval(p[i]);
        int lo = i + 1 < n ? hexval(p[i + 1]) : 0;
        if (hi < 0 || lo < 0) {
            size_t at = hi < 0 ? i : i + 1;
            *why = p[at] >= 'A' && p[at] <= 'F'
                       ? "the SHA-256 digest must be lower-case hex"
                       : "the SHA-256 digest must be 64 lower-case hex digits";
            return at + 1;
        }
        out[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    if (n != 2 * AZTF_DIGEST_LEN) {
        *why = n < 2 * AZTF_DIGEST_LEN
                   ? "the SHA-256 digest is shorter than 64 hex digits"
                   : "the SHA-256 digest is longer than 64 hex digits";
        return n < 2 * AZTF_DIGEST_LEN ? 1 : 2 * AZTF_DIGEST_LEN + 1;
    }
    return 0;
}

aztf_table *aztf_parse(const authz_catalog *catalog, const char *text,
                       size_t len, const authz_options *opts,
                       aztf_error *err)
{
    clear_err(err);
    if (catalog == NULL || (text == NULL && len != 0)) {
        if (err) {
            err->code = AZTF_EINVAL;
            snprintf(err->message, sizeof err->message, "%s",
                     aztf_strerror(AZTF_EINVAL));
        }
        return NULL;
    }
    if (len == 0)
        text = ""; /* NULL + 0 is undefined */
    aztf_table *t = calloc(1, sizeof *t);
    struct strvec sv = {NULL, 0}, av = {NULL, 0};
    if (t == NULL)
        goto nomem;
    size_t cand = count_lines(text, len);
    if (cand > UINT32_MAX - 1)
        goto nomem;
    size_t slots = 16;
    while (slots < 2 * cand)
        slots *= 2;
    t->mask = slots - 1;
    t->slots = calloc(slots, sizeof *t->slots);
    t->entries = calloc(cand, sizeof *t->entries);
    if (t->slots == NULL || t->entries == NULL)
        goto nomem;

    const char *p = text, *end = text + len;
    size_t lineno = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line = p;
        const char *e = nl ? nl : end;
        p = nl ? nl + 1 : end;
        lineno++;
        if (e > line && e[-1] == '\r')
            e--;
        size_t line_len = (size_t)(e - line);

        const char *f[4];
        size_t fl[4], nf = 0;
        const char *q = line;
        while (q < e) {
            while (q < e && is_blank(*q))
                q++;
            if (q == e)
                break;
            if (nf == 0 && *q == '#')
                break;
            const char *s = q;
            q = next_blank(q, e);
            f[nf] = s;
            fl[nf] = (size_t)(q - s);
            nf++;
            if (nf == 4)
                break;
        }
        if (nf == 0)
            continue;
        if (nf != 3) {
            size_t col = nf == 4 ? (size_t)(f[3] - line) + 1 : line_len + 1;
            set_err(err, AZTF_EFIELDS, text, line, line_len, lineno, col,
                    nf == 4 ? "expected three fields (SHA256HEX SCOPES "
                              "ALLOW), found more"
                            : "expected three fields (SHA256HEX SCOPES "
                              "ALLOW), found fewer",
                    NULL);
            goto fail;
        }

        aztf_entry *ent = &t->entries[t->n];
        const char *why = NULL;
        size_t bad = parse_digest(f[0], fl[0], ent->digest, &why);
        if (bad) {
            set_err(err, AZTF_EDIGEST, text, line, line_len, lineno,
                    (size_t)(f[0] - line) + bad, why, NULL);
            goto fail;
        }

        size_t i = slot_of(ent->digest, t->mask);
        while (t->slots[i] != 0) {
            const aztf_entry *o = &t->entries[t->slots[i] - 1];
            if (memcmp(o->digest, ent->digest, AZTF_DIGEST_LEN) == 0) {
                char first[32];
                snprintf(first, sizeof first, "%zu", o->line);
                set_err(err, AZTF_EDUPLICATE, text, line, line_len, lineno,
                        (size_t)(f[0] - line) + 1,
                        "duplicate digest: the same secret is on line %s",
                        first);
                if (err)
                    err->first_line = o->line;
                goto fail;
            }
            i = (i + 1) & t->mask;
        }

        size_t ns = 0, na = 0;
        if (split_list(f[1], fl[1], &sv, &ns) != AZTF_OK ||
            split_list(f[2], fl[2], &av, &na) != AZTF_OK)
            goto nomem;
        authz_error lerr;
        ent->token = authz_token_new_ex(catalog, sv.v, ns, av.v, na, opts,
                                        &lerr);
        if (ent->token == NULL) {
            if (lerr.code == AUTHZ_ENOMEM)
                goto nomem;
            /* The caret goes under the byte the library names. */
            size_t col = (size_t)(f[1] - line) + 1;
            const struct strvec *v = NULL;
            size_t nv = 0;
            if (lerr.list == AUTHZ_LIST_SCOPES) {
                v = &sv, nv = ns, col = (size_t)(f[1] - line) + 1;
            } else if (lerr.list == AUTHZ_LIST_ALLOW) {
                v = &av, nv = na, col = (size_t)(f[2] - line) + 1;
            }
            if (v != NULL && nv > 0) {
                size_t k = lerr.index < nv ? lerr.index : nv - 1;
                size_t off = lerr.offset <= v->v[k].len ? lerr.offset
                                                        : v->v[k].len;
                col = (size_t)(v->v[k].ptr - line) + off + 1;
            }
            set_err(err, AZTF_ETOKEN, text, line, line_len, lineno, col,
                    "%s", lerr.message);
            if (err)
                err->lib = lerr;
            goto fail;
        }
        ent->line = lineno;
        for (size_t k = 0; k < 4; k++) {
            ent->tag[2 * k] = hexdigits[ent->digest[k] >> 4];
            ent->tag[2 * k + 1] = hexdigits[ent->digest[k] & 15];
        }
        ent->tag[8] = '\0';
        t->n++;
        t->slots[i] = (uint32_t)t->n;
    }
    free(sv.v);
    free(av.v);
    return t;

nomem:
    if (err) {
        err->code = AZTF_ENOMEM;
        snprintf(err->message, sizeof err->message, "%s",
                 aztf_strerror(AZTF_ENOMEM));
    }
fail:
    free(sv.v);
    free(av.v);
    aztf_free(t);
    return NULL;
}

const aztf_entry *aztf_find(const aztf_table *t, const unsigned char *digest,
                            aztf_memcmp_fn cmp)
{
    if (t == NULL || digest == NULL)
        return NULL;
    if (cmp == NULL)
        cmp = aztf_ct_memcmp;
    const aztf_entry *found = NULL;
    /* Every candidate of the cluster is compared in full; the walk does not
     * stop at a match. */
    for (size_t i = slot_of(digest, t->mask); t->slots[i] != 0;
         i = (i + 1) & t->mask) {
        const aztf_entry *e = &t->entries[t->slots[i] - 1];
        if (cmp(e->digest, digest, AZTF_DIGEST_LEN) == 0)
            found = e;
    }
    return found;
}

/* Can the format hold this entry? */
static int writable(const authz_str *s)
{
    if (s->ptr == NULL || s->len == 0 || (s->len == 1 && s->ptr[0] == '-'))
        return 0;
    for (size_t i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->ptr[i];
        if (c == ',' || c <= ' ' || c == 0x7f)
            return 0;
    }
    return 1;
}

static size_t list_len(const authz_str *v, size_t n)
{
    if (n == 0)
        return 1;
    size_t l = n - 1;
    for (size_t i = 0; i < n; i++)
        l += v[i].len;
    return l;
}

static char *put_list(char *o, const authz_str *v, size_t n)
{
    if (n == 0) {
        *o++ = '-';
        return o;
    }
    for (size_t i = 0; i < n; i++) {
        if (i)
            *o++ = ',';
        memcpy(o, v[i].ptr, v[i].len);
        o += v[i].len;
    }
    return o;
}

int aztf_write_line(const unsigned char *digest, const authz_str *scopes,
                    size_t n_scopes, const authz_str *allow, size_t n_allow,
                    char *buf, size_t cap, size_t *len)
{
    if (len == NULL)
        return AZTF_EINVAL;
    *len = 0;
    if (cap > 0 && buf != NULL)
        buf[0] = '\0';
    if (digest == NULL || (scopes == NULL && n_scopes) ||
        (allow == NULL && n_allow) || (buf == NULL && cap))
        return AZTF_EINVAL;
    for (size_t i = 0; i < n_scopes; i++)
        if (!writable(&scopes[i]))
            return AZTF_EINVAL;
    for (size_t i = 0; i < n_allow; i++)
        if (!writable(&allow[i]))
            return AZTF_EINVAL;
    size_t need = 2 * AZTF_DIGEST_LEN + 1 + list_len(scopes, n_scopes) + 1 +
                  list_len(allow, n_allow) + 1;
    *len = need;
    if (need >= cap)
        return AZTF_ESPACE;
    char *o = buf;
    for (size_t i = 0; i < AZTF_DIGEST_LEN; i++) {
        *o++ = hexdigits[digest[i] >> 4];
        *o++ = hexdigits[digest[i] & 15];
    }
    *o++ = ' ';
    o = put_list(o, scopes, n_scopes);
    *o++ = ' ';
    o = put_list(o, allow, n_allow);
    *o++ = '\n';
    *o = '\0';
    return AZTF_OK;
}
