/*
 * json.c - a JSON writer, and a strict reader for exactly one shape:
 *     {"scopes": ["...", ...], "allow": ["...", ...]}
 * A general JSON library would do; the example stays dependency-free apart
 * from SQLite, and a reader that accepts one shape has little room for
 * surprises. Input is bounded by the caller (HTTP_MAX_BODY); every string
 * is checked for valid UTF-8, and escapes are decoded (\u0000 included: the
 * library then refuses the entry, with its offset).
 */
#include "api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing --------------------------------------------------------------- */

static bool jbuf_reserve(jbuf *b, size_t more)
{
    size_t cap;
    char *grown;
    if (b->failed)
        return false;
    if (b->len + more + 1 <= b->cap)
        return true;
    cap = b->cap != 0 ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    grown = realloc(b->ptr, cap);
    if (grown == NULL) {
        b->failed = true;
        return false;
    }
    b->ptr = grown;
    b->cap = cap;
    return true;
}

void jbuf_free(jbuf *b)
{
    free(b->ptr);
    memset(b, 0, sizeof *b);
}

static void jbuf_bytes(jbuf *b, const char *s, size_t len)
{
    if (!jbuf_reserve(b, len))
        return;
    memcpy(b->ptr + b->len, s, len);
    b->len += len;
    b->ptr[b->len] = '\0';
}

void jbuf_raw(jbuf *b, const char *s)
{
    jbuf_bytes(b, s, strlen(s));
}

void jbuf_fmt(jbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if (!jbuf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void jbuf_str(jbuf *b, const char *s, size_t len)
{
    size_t i;
    jbuf_raw(b, "\"");
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            jbuf_bytes(b, esc, 2);
        } else if (c < 0x20 || c > 0x7e) {
            jbuf_fmt(b, "\\u%04x", (unsigned)c);
        } else {
            jbuf_bytes(b, (const char *)&s[i], 1);
        }
    }
    jbuf_raw(b, "\"");
}

void jbuf_list(jbuf *b, const authz_list *list)
{
    size_t i;
    jbuf_raw(b, "[");
    for (i = 0; i < authz_list_count(list); i++) {
        const char *s = authz_list_get(list, i);
        if (i > 0)
            jbuf_raw(b, ", ");
        jbuf_str(b, s, strlen(s));
    }
    jbuf_raw(b, "]");
}

/* ---- reading --------------------------------------------------------------- */

typedef struct parser {
    const char *start, *p, *end;
    char *out; /* the arena's next free byte */
    char *err;
    size_t errcap;
} parser;

static bool fail(parser *ps, const char *what)
{
    snprintf(ps->err, ps->errcap, "%s at byte %zu", what,
             (size_t)(ps->p - ps->start));
    return false;
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
                               *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static bool expect(parser *ps, char c, const char *what)
{
    skip_ws(ps);
    if (ps->p == ps->end || *ps->p != c)
        return fail(ps, what);
    ps->p++;
    return true;
}

/* Length of the valid UTF-8 sequence at p (no overlongs, no surrogates,
 * nothing past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
    size_t n, i;
    unsigned long cp;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2;
        cp = p[0] & 0x1fu;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3;
        cp = p[0] & 0x0fu;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4;
        cp = p[0] & 0x07u;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

static bool hex4(parser *ps, unsigned long *out)
{
    int i;
    *out = 0;
    if (ps->end - ps->p < 4)
        return fail(ps, "truncated \\u escape");
    for (i = 0; i < 4; i++) {
        char c = *ps->p++;
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return fail(ps, "bad \\u escape");
        *out = (*out << 4) | d;
    }
    return true;
}

static void put_utf8(parser *ps, unsigned long cp)
{
    if (cp < 0x80) {
        *ps->out++ = (char)cp;
    } else if (cp < 0x800) {
        *ps->out++ = (char)(0xc0 | (cp >> 6));
        *ps->out++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *ps->out++ = (char)(0xe0 | (cp >> 12));
        *ps->out++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *ps->out++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *ps->out++ = (char)(0xf0 | (cp >> 18));
        *ps->out++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *ps->out++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *ps->out++ = (char)(0x80 | (cp & 0x3f));
    }
}

/* A string, decoded into the arena. The decoded form is never longer than
 * the source (a 6-byte \u escape gives at most 3 bytes, a 12-byte pair 4),
 * so an arena as large as the body always has room. */
static bool parse_string(parser *ps, authz_str *s)
{
    if (!expect(ps, '"', "expected a string"))
        return false;
    s->ptr = ps->out;
    for (;;) {
        unsigned char c;
        size_t n;
        if (ps->p == ps->end)
            return fail(ps, "unterminated string");
        c = (unsigned char)*ps->p;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c < 0x20)
            return fail(ps, "control character in a string");
        if (c == '\\') {
            unsigned long cp, low;
            ps->p++;
            if (ps->p == ps->end)
                return fail(ps, "unterminated string");
            switch (*ps->p++) {
            case '"': *ps->out++ = '"'; break;
            case '\\': *ps->out++ = '\\'; break;
            case '/': *ps->out++ = '/'; break;
            case 'b': *ps->out++ = '\b'; break;
            case 'f': *ps->out++ = '\f'; break;
            case 'n': *ps->out++ = '\n'; break;
            case 'r': *ps->out++ = '\r'; break;
            case 't': *ps->out++ = '\t'; break;
            case 'u':
                if (!hex4(ps, &cp))
                    return false;
                if (cp >= 0xdc00 && cp <= 0xdfff)
                    return fail(ps, "lone low surrogate");
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    if (ps->end - ps->p < 2 || ps->p[0] != '\\' ||
                        ps->p[1] != 'u')
                        return fail(ps, "lone high surrogate");
                    ps->p += 2;
                    if (!hex4(ps, &low))
                        return false;
                    if (low < 0xdc00 || low > 0xdfff)
                        return fail(ps, "lone high surrogate");
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                }
                put_utf8(ps, cp);
                break;
            default:
                ps->p--;
                return fail(ps, "bad escape");
            }
            continue;
        }
        n = utf8_len((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
        if (n == 0)
            return fail(ps, "invalid UTF-8");
        memcpy(ps->out, ps->p, n);
        ps->out += n;
        ps->p += n;
    }
    s->len = (size_t)(ps->out - s->ptr);
    return true;
}

static bool parse_array(parser *ps, authz_str *items, size_t *n)
{
    *n = 0;
    if (!expect(ps, '[', "expected an array of strings"))
        return false;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return true;
    }
    for (;;) {
        if (*n == JSON_MAX_ENTRIES)
            return fail(ps, "too many entries");
        if (!parse_string(ps, &items[*n]))
            return false;
        (*n)++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        return expect(ps, ']', "expected ',' or ']'");
    }
}

bool json_parse_token_request(const char *body, size_t len,
                              token_request *out, char *errbuf,
                              size_t errcap)
{
    parser ps;
    out->n_scopes = out->n_allow = 0;
    out->has_scopes = out->has_allow = false;
    ps.start = ps.p = body != NULL ? body : "";
    ps.end = ps.start + len;
    ps.out = out->arena;
    ps.err = errbuf;
    ps.errcap = errcap;
    if (len > sizeof out->arena)
        return fail(&ps, "body too large");
    if (!expect(&ps, '{', "expected an object"))
        return false;
    skip_ws(&ps);
    if (ps.p < ps.end && *ps.p == '}') {
        ps.p++;
    } else {
        for (;;) {
            authz_str key;
            const char *key_at;
            skip_ws(&ps);
            key_at = ps.p;
            if (!parse_string(&ps, &key) ||
                !expect(&ps, ':', "expected ':'"))
                return false;
            if (key.len == 6 && memcmp(key.ptr, "scopes", 6) == 0 &&
                !out->has_scopes) {
                out->has_scopes = true;
                if (!parse_array(&ps, out->scopes, &out->n_scopes))
                    return false;
            } else if (key.len == 5 && memcmp(key.ptr, "allow", 5) == 0 &&
                       !out->has_allow) {
                out->has_allow = true;
                if (!parse_array(&ps, out->allow, &out->n_allow))
                    return false;
            } else {
                ps.p = key_at;
                return fail(&ps, "unknown or repeated key (expected "
                                 "\"scopes\" or \"allow\")");
            }
            skip_ws(&ps);
            if (ps.p < ps.end && *ps.p == ',') {
                ps.p++;
                continue;
            }
            if (!expect(&ps, '}', "expected ',' or '}'"))
                return false;
            break;
        }
    }
    skip_ws(&ps);
    if (ps.p != ps.end)
        return fail(&ps, "trailing bytes after the object");
    return true;
}
