/*
 * diag.c - messages on stderr, and the library's error record shown the way
 * a compiler shows one: the message, the offending entry, a caret under the
 * offending byte.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *const cli_name = "authz";

void diag(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", cli_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

_Noreturn void diag_nomem(void)
{
    diag("out of memory");
    exit(EXIT_INVALID);
}

/* Display width of one byte as diag_caret writes it. */
static size_t shown_width(unsigned char c)
{
    return c >= 0x20 && c < 0x7f ? 1 : 4;
}

void diag_caret(FILE *f, const char *p, size_t n, size_t offset)
{
    size_t i, col = 0;
    fputs("  ", f);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (shown_width(c) == 1)
            fputc(c, f);
        else
            fprintf(f, "\\x%02x", c);
        if (i < offset)
            col += shown_width(c);
    }
    fputs("\n  ", f);
    while (col-- > 0)
        fputc(' ', f);
    fputs("^\n", f);
}

/* ---- errors of an encoded token ----------------------------------------- */

static bool is_token_error(const struct cli *c, const authz_error *err)
{
    return c->token != NULL && (err->list == AUTHZ_LIST_ENCODING ||
                                err->list == AUTHZ_LIST_ENCODING_TEXT);
}

/* The library says where an offset is: in the base64url text
 * (AUTHZ_LIST_ENCODING_TEXT) or in the bytes it decodes to. A caret goes
 * under a character only in the first case, and only when the offset names
 * a character (an impossible length is reported at the length). */
bool diag_token_offset_in_text(const struct cli *c, const authz_error *err,
                               bool *at_char)
{
    bool in_text = is_token_error(c, err) &&
                   err->list == AUTHZ_LIST_ENCODING_TEXT;
    *at_char = in_text && err->offset < strlen(c->token);
    return in_text;
}

/* The command-line entry an error is about, or NULL (an error about a
 * whole list, such as too many entries, names no single entry). *list is
 * the command-line list (LIST_*) or -1. */
static const authz_str *error_entry(const struct cli *c,
                                    const authz_error *err, int *list)
{
    *list = -1;
    if (err->list < 0 ||
        (size_t)err->list >= sizeof c->source / sizeof c->source[0])
        return NULL;
    *list = c->source[err->list];
    if (*list < 0 || err->code == AUTHZ_ELIMIT ||
        err->index >= c->lists[*list].n)
        return NULL;
    return &c->lists[*list].v[err->index];
}

void diag_json_error(struct json *j, const struct cli *c,
                     const authz_error *err)
{
    int list;
    const authz_str *entry = error_entry(c, err, &list);
    bool at_char;
    json_object_begin(j);
    json_key(j, "code");
    json_uint(j, (size_t)err->code);
    json_key(j, "error");
    json_cstring(j, authz_strerror(err->code));
    json_key(j, "message");
    json_cstring(j, err->message);
    if (is_token_error(c, err)) {
        json_key(j, "list");
        json_cstring(j, "token");
        json_key(j, "offset");
        json_uint(j, err->offset);
        json_key(j, "offset_in");
        json_cstring(j, diag_token_offset_in_text(c, err, &at_char)
                            ? "text"
                            : "bytes");
    } else if (err->list == AUTHZ_LIST_CATALOG || c->cat == NULL) {
        json_key(j, "list");
        json_cstring(j, "catalog");
        json_key(j, "file");
        json_cstring(j, c->catalog_path);
        if (err->line > 0) {
            json_key(j, "line");
            json_uint(j, err->line);
            json_key(j, "column");
            json_uint(j, err->column);
        }
    } else if (list >= 0) {
        json_key(j, "list");
        json_cstring(j, cli_list_option(list));
        json_key(j, "index");
        json_uint(j, err->index);
        json_key(j, "entry");
        if (entry != NULL)
            json_string(j, entry->ptr, entry->len);
        else
            json_null(j);
        json_key(j, "offset");
        if (entry != NULL)
            json_uint(j, err->offset);
        else
            json_null(j);
    }
    json_object_end(j);
}

int diag_error(const struct cli *c, const authz_error *err,
               const authz_str *shown)
{
    int list;
    const authz_str *entry = error_entry(c, err, &list);
    authz_str text;
    bool at_char;
    if (is_token_error(c, err)) {
        /* From --token, named like a list option; decode's operand is
         * the command's only input. */
        if (c->cmd->options & OPT_TOKEN)
            diag("--token: %s", err->message);
        else
            diag("%s", err->message);
        (void)diag_token_offset_in_text(c, err, &at_char);
        if (at_char) {
            text.ptr = c->token;
            text.len = strlen(c->token);
            entry = &text;
        }
    } else if (list >= 0)
        diag("--%s: %s", cli_list_option(list), err->message);
    else if ((err->list == AUTHZ_LIST_CATALOG ||
              err->list == AUTHZ_LIST_NONE) &&
             c->cat == NULL && c->catalog_path != NULL)
        diag("%s: %s", c->catalog_path, err->message); /* while loading it */
    else
        diag("%s", err->message);
    if (shown != NULL)
        entry = shown;
    if (entry != NULL)
        diag_caret(stderr, entry->ptr, entry->len, err->offset);
    if (c->json) {
        struct json j;
        json_init(&j, stdout);
        json_object_begin(&j);
        json_key(&j, "error");
        diag_json_error(&j, c, err);
        json_object_end(&j);
        json_finish(&j);
    }
    return EXIT_INVALID;
}

int diag_fail(const struct cli *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag("%s", msg);
    if (c->json) {
        struct json j;
        json_init(&j, stdout);
        json_object_begin(&j);
        json_key(&j, "error");
        json_object_begin(&j);
        json_key(&j, "message");
        json_cstring(&j, msg);
        json_object_end(&j);
        json_object_end(&j);
        json_finish(&j);
    }
    return EXIT_INVALID;
}
