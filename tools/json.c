/*
 * json.c - writing one compact JSON value as the output goes, with the
 * commas placed by the writer rather than by every caller.
 *
 * Strings are written as valid JSON whatever bytes they hold: `"` and `\`
 * escaped, control bytes and DEL as \u00XX, well-formed UTF-8 passed through,
 * and each byte that is not part of well-formed UTF-8 as \ufffd (the
 * replacement character), so a parser never sees invalid text.
 */
#include "cli.h"

#include <string.h>

void json_init(struct json *j, FILE *f)
{
    j->f = f;
    j->depth = 0;
    j->need_comma[0] = false;
    j->after_key = false;
}

/* Before any value: a comma if it follows a sibling. */
static void value_begin(struct json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->need_comma[j->depth])
        fputc(',', j->f);
    j->need_comma[j->depth] = true;
}

static void container_open(struct json *j, int c)
{
    value_begin(j);
    fputc(c, j->f);
    if (j->depth < JSON_MAX_DEPTH)
        j->depth++;
    j->need_comma[j->depth] = false;
}

static void container_close(struct json *j, int c)
{
    fputc(c, j->f);
    if (j->depth > 0)
        j->depth--;
}

void json_object_begin(struct json *j) { container_open(j, '{'); }
void json_object_end(struct json *j) { container_close(j, '}'); }
void json_array_begin(struct json *j) { container_open(j, '['); }
void json_array_end(struct json *j) { container_close(j, ']'); }

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0 (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len, i;
    unsigned lo = 0x80, hi = 0xbf;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (n < len)
        return 0;
    if (s[0] == 0xe0)
        lo = 0xa0;
    else if (s[0] == 0xed)
        hi = 0x9f;
    else if (s[0] == 0xf0)
        lo = 0x90;
    else if (s[0] == 0xf4)
        hi = 0x8f;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

static void string_body(FILE *f, const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    fputc('"', f);
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
        } else if (c == '\n') {
            fputs("\\n", f);
        } else if (c == '\t') {
            fputs("\\t", f);
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
        } else if (c < 0x80) {
            fputc(c, f);
        } else if ((len = utf8_len(s + i, n - i)) > 0) {
            fwrite(s + i, 1, len, f);
            i += len;
            continue;
        } else {
            fputs("\\ufffd", f);
        }
        i++;
    }
    fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
    value_begin(j);
    string_body(j->f, key, strlen(key));
    fputc(':', j->f);
    j->after_key = true;
}

void json_string(struct json *j, const char *s, size_t n)
{
    value_begin(j);
    string_body(j->f, s != NULL ? s : "", s != NULL ? n : 0);
}

void json_cstring(struct json *j, const char *s)
{
    if (s == NULL) {
        json_null(j);
        return;
    }
    json_string(j, s, strlen(s));
}

void json_uint(struct json *j, size_t v)
{
    value_begin(j);
    fprintf(j->f, "%zu", v);
}

void json_bool(struct json *j, bool v)
{
    value_begin(j);
    fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j)
{
    value_begin(j);
    fputs("null", j->f);
}

void json_finish(struct json *j)
{
    fputc('\n', j->f);
}
