/*
 * error.c - status texts and the error record.
 */
#include "internal.h"

#include <stdio.h>

const char *authz_strerror(int code)
{
    switch (code) {
    case AUTHZ_OK: return "success";
    case AUTHZ_EINVAL: return "invalid argument";
    case AUTHZ_ENOMEM: return "out of memory";
    case AUTHZ_ESYNTAX: return "malformed entry";
    case AUTHZ_ETYPE: return "unknown resource type";
    case AUTHZ_EACTION: return "unknown action";
    case AUTHZ_ESCOPE: return "unknown scope";
    case AUTHZ_EUUID: return "invalid UUID";
    case AUTHZ_ELIMIT: return "too many entries";
    case AUTHZ_ETOOLONG: return "entry too long";
    case AUTHZ_ECATALOG: return "invalid catalog";
    case AUTHZ_ENOTPUBLIC: return "scope is not public";
    case AUTHZ_EFORMAT: return "malformed encoded token";
    case AUTHZ_EVERSION: return "unsupported encoding version";
    case AUTHZ_EMISMATCH: return "token encoded for another catalog";
    case AUTHZ_ECHECKSUM: return "encoded token checksum mismatch";
    case AUTHZ_ESPACE: return "buffer too small";
    default: return "unknown error";
    }
}

static void reset(authz_error *err, int code, int list)
{
    memset(err, 0, sizeof *err);
    err->code = code;
    err->list = list;
}

void az_error_ok(authz_error *err)
{
    if (err != NULL)
        reset(err, AUTHZ_OK, AUTHZ_LIST_NONE);
}

static void append(char *buf, size_t cap, size_t *pos, const char *s)
{
    while (*s != '\0' && *pos + 1 < cap)
        buf[(*pos)++] = *s++;
    buf[*pos] = '\0';
}

void az_quote(char *buf, size_t cap, size_t *pos, const char *s, size_t n,
              size_t max_quote)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, shown = n < max_quote ? n : max_quote;
    char esc[5];
    append(buf, cap, pos, "\"");
    for (i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            esc[2] = '\0';
        } else if (c < 0x20 || c > 0x7e) {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 15];
            esc[4] = '\0';
        } else {
            esc[0] = (char)c;
            esc[1] = '\0';
        }
        append(buf, cap, pos, esc);
    }
    append(buf, cap, pos, shown < n ? "\"..." : "\"");
}

static const char *list_name(int list)
{
    /* The second list of a two-list call has the same kind of entries; the
     * record's `list` field tells the two apart. */
    return list == AUTHZ_LIST_SCOPES || list == AUTHZ_LIST_SCOPES2 ? "scope"
           : list == AUTHZ_LIST_ALLOW || list == AUTHZ_LIST_ALLOW2 ? "allow"
                                                                   : "entry";
}

int az_error_entry(authz_error *err, int code, int list, size_t index,
                   const char *entry, size_t entry_len, size_t offset,
                   const char *what)
{
    char num[64];
    size_t pos = 0;
    if (err == NULL)
        return code;
    reset(err, code, list);
    err->index = index;
    err->offset = offset;
    snprintf(num, sizeof num, "%s[%zu]%s", list_name(list), index,
             entry != NULL ? " " : "");
    append(err->message, sizeof err->message, &pos, num);
    if (entry != NULL)
        az_quote(err->message, sizeof err->message, &pos, entry, entry_len,
                 96);
    append(err->message, sizeof err->message, &pos, ": ");
    append(err->message, sizeof err->message, &pos, what);
    if (entry != NULL) {
        snprintf(num, sizeof num, " at byte %zu", offset);
        append(err->message, sizeof err->message, &pos, num);
    }
    return code;
}

int az_error_plain(authz_error *err, int code, const char *what)
{
    size_t pos = 0;
    if (err == NULL)
        return code;
    reset(err, code, AUTHZ_LIST_NONE);
    append(err->message, sizeof err->message, &pos, what);
    return code;
}

int az_error_catalog(authz_error *err, int code, size_t line, size_t column,
                     const char *line_text, size_t line_len, const char *what)
{
    char num[64];
    size_t pos = 0;
    if (err == NULL)
        return code;
    reset(err, code, AUTHZ_LIST_CATALOG);
    err->index = line - 1;
    err->offset = column - 1;
    err->line = line;
    err->column = column;
    snprintf(num, sizeof num, "line %zu, column %zu: ", line, column);
    append(err->message, sizeof err->message, &pos, num);
    append(err->message, sizeof err->message, &pos, what);
    if (line_text != NULL) {
        append(err->message, sizeof err->message, &pos, " in ");
        az_quote(err->message, sizeof err->message, &pos, line_text, line_len,
                 80);
    }
    return code;
}
