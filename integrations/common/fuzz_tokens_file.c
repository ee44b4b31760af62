/*
 * fuzz_tokens_file.c - the tokens-file parser (authz_tokens_file.h) on
 * arbitrary bytes, with the embedded Coder catalog.
 *
 * Invariants:
 *   - aztf_parse succeeds, or fails with a code of its own; a failure about
 *     a line names a line that lies inside the input: its offset starts a
 *     line, its number is the count of newlines before it plus one, its
 *     length stays inside the input (without the CR LF) and the column
 *     lies in it or one past its end; a duplicate names an earlier line;
 *   - on success every token line of the input (scanned here independently
 *     of the parser) is found by its digest, on its own line number, and
 *     aztf_count is the number of such lines; a digest differing from a
 *     found one in a single bit is not found unless the file holds it;
 *   - each parsed line, written back with aztf_write_line from its own
 *     fields, is the canonical line (one space between fields) and parses
 *     back to a token whose binary encoding equals the first's;
 *   - with the tokens' allocator failing at one of its calls, the parse
 *     fails with AZTF_ENOMEM and frees every token it had built;
 *   - nothing leaks (LeakSanitizer under libFuzzer).
 *
 * Built with libFuzzer (clang -fsanitize=fuzzer,address,undefined) by
 * `make fuzz-tokens-file`; replayed over corpus/ with plain $(CC) and
 * tests/fuzz/replay.c by `make check`.
 */
#include "authz_tokens_file.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(c)                                                            \
    do {                                                                      \
        if (!(c)) {                                                           \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,        \
                    __LINE__, #c);                                            \
            abort();                                                          \
        }                                                                     \
    } while (0)

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* An allocator for the tokens that counts and can fail its Nth call. */
struct counting {
    size_t calls, live, fail_at; /* fail_at 0: never */
};

static void *c_malloc(void *ctx, size_t size)
{
    struct counting *c = ctx;
    if (++c->calls == c->fail_at)
        return NULL;
    void *p = malloc(size ? size : 1);
    c->live += p != NULL;
    return p;
}

static void *c_realloc(void *ctx, void *ptr, size_t size)
{
    struct counting *c = ctx;
    if (++c->calls == c->fail_at)
        return NULL;
    void *p = realloc(ptr, size ? size : 1);
    c->live += p != NULL && ptr == NULL;
    return p;
}

static void c_free(void *ctx, void *ptr)
{
    struct counting *c = ctx;
    if (ptr == NULL)
        return;
    REQUIRE(c->live > 0);
    c->live--;
    free(ptr);
}

/* Parses again with the tokens' allocator failing at its Nth call (N
 * from the input): out of memory, with nothing of the tokens left live; or,
 * when N is past the calls a parse makes, the same count. */
static void parse_failing(const char *text, size_t size, size_t count)
{
    struct counting c = {0, 0, 0};
    authz_allocator a = {c_malloc, c_realloc, c_free, &c};
    authz_options opts;
    authz_options_init(&opts);
    opts.allocator = &a;
    aztf_error err;
    aztf_table *t = aztf_parse(authz_catalog_coder(), text, size, &opts, &err);
    REQUIRE(t != NULL && aztf_count(t) == count);
    aztf_free(t);
    REQUIRE(c.live == 0);
    size_t calls = c.calls;
    if (calls == 0)
        return;
    size_t h = size;
    for (size_t i = 0; i < size; i++)
        h = h * 31 + (unsigned char)text[i];
    c.calls = 0;
    c.fail_at = 1 + h % calls;
    t = aztf_parse(authz_catalog_coder(), text, size, &opts, &err);
    REQUIRE(t == NULL);
    REQUIRE(err.code == AZTF_ENOMEM && err.line == 0);
    REQUIRE(c.live == 0);
}

/* The canonical binary form of a token, malloc'ed. */
static unsigned char *encode(const authz_token *tok, size_t *len)
{
    size_t need = 0;
    int rc = authz_token_encode(tok, NULL, 0, &need);
    REQUIRE(rc == AUTHZ_ESPACE || rc == AUTHZ_OK);
    unsigned char *buf = malloc(need ? need : 1);
    REQUIRE(buf != NULL);
    REQUIRE(authz_token_encode(tok, buf, need, len) == AUTHZ_OK);
    REQUIRE(*len == need);
    return buf;
}

/* Splits a list field as the format does: "-" is empty. Returns the count;
 * v has room for `cap` entries (a field of n bytes has at most n/2 + 1). */
static size_t split(const char *p, size_t n, authz_str *v)
{
    size_t k = 0;
    if (n == 1 && p[0] == '-')
        return 0;
    const char *end = p + n;
    for (;;) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *stop = c ? c : end;
        v[k].ptr = p;
        v[k].len = (size_t)(stop - p);
        k++;
        if (c == NULL)
            break;
        p = c + 1;
    }
    return k;
}

/* One parsed line written back and parsed again. */
static void round_trip(const aztf_entry *e, const char *f1, size_t n1,
                       const char *f2, size_t n2)
{
    authz_str *sv = malloc((n1 + 1) * sizeof *sv);
    authz_str *av = malloc((n2 + 1) * sizeof *av);
    REQUIRE(sv != NULL && av != NULL);
    size_t ns = split(f1, n1, sv), na = split(f2, n2, av);

    size_t need = 0;
    int rc = aztf_write_line(e->digest, sv, ns, av, na, NULL, 0, &need);
    REQUIRE(rc == AZTF_ESPACE);
    REQUIRE(need == 2 * AZTF_DIGEST_LEN + 1 + n1 + 1 + n2 + 1);
    char *buf = malloc(need + 1);
    REQUIRE(buf != NULL);
    size_t len = 0;
    REQUIRE(aztf_write_line(e->digest, sv, ns, av, na, buf, need + 1, &len) ==
            AZTF_OK);
    REQUIRE(len == need && buf[len] == '\0' && buf[len - 1] == '\n');
    REQUIRE(buf[64] == ' ' && memcmp(buf + 65, f1, n1) == 0 &&
            buf[65 + n1] == ' ' && memcmp(buf + 66 + n1, f2, n2) == 0);

    aztf_error err;
    aztf_table *t = aztf_parse(authz_catalog_coder(), buf, len, NULL, &err);
    REQUIRE(t != NULL);
    REQUIRE(aztf_count(t) == 1);
    const aztf_entry *e2 = aztf_find(t, e->digest, NULL);
    REQUIRE(e2 != NULL && e2->line == 1 && strcmp(e2->tag, e->tag) == 0);
    size_t l1, l2;
    unsigned char *b1 = encode(e->token, &l1), *b2 = encode(e2->token, &l2);
    REQUIRE(l1 == l2 && memcmp(b1, b2, l1) == 0);
    free(b1);
    free(b2);
    aztf_free(t);
    free(buf);
    free(sv);
    free(av);
}

static void check_error(const char *text, size_t size, const aztf_error *err)
{
    REQUIRE(err->code == AZTF_ENOMEM || err->code == AZTF_EFIELDS ||
            err->code == AZTF_EDIGEST || err->code == AZTF_EDUPLICATE ||
            err->code == AZTF_ETOKEN);
    REQUIRE(err->message[0] != '\0');
    if (err->code == AZTF_ENOMEM)
        return;
    REQUIRE(err->line >= 1);
    REQUIRE(err->line_offset <= size);
    REQUIRE(err->line_len <= size - err->line_offset);
    REQUIRE(err->line_offset == 0 || text[err->line_offset - 1] == '\n');
    size_t nl = 0;
    for (size_t i = 0; i < err->line_offset; i++)
        nl += text[i] == '\n';
    REQUIRE(err->line == nl + 1);
    /* The line runs to the newline (or the end), less one CR. */
    const char *line = text + err->line_offset;
    const char *e = memchr(line, '\n', size - err->line_offset);
    size_t full = e ? (size_t)(e - line) : size - err->line_offset;
    REQUIRE(err->line_len == full ||
            (err->line_len + 1 == full && line[full - 1] == '\r'));
    REQUIRE(err->column >= 1 && err->column <= err->line_len + 1);
    if (err->code == AZTF_EDUPLICATE)
        REQUIRE(err->first_line >= 1 && err->first_line < err->line);
    else
        REQUIRE(err->first_line == 0);
    if (err->code == AZTF_ETOKEN)
        REQUIRE(err->lib.code != AUTHZ_OK);
    else
        REQUIRE(err->lib.code == AUTHZ_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    aztf_error err;
    aztf_table *t = aztf_parse(authz_catalog_coder(), size ? text : NULL,
                               size, NULL, &err);
    if (t == NULL) {
        check_error(text, size, &err);
        return 0;
    }
    REQUIRE(err.code == AZTF_OK);

    /* Every token line, scanned here: its digest, then two list fields. */
    size_t n = 0, cap = 16, lineno = 0;
    unsigned char(*digests)[AZTF_DIGEST_LEN] = malloc(cap * sizeof *digests);
    REQUIRE(digests != NULL);
    const char *p = text, *end = text + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *q = p, *e = nl ? nl : end;
        p = nl ? nl + 1 : end;
        lineno++;
        if (e > q && e[-1] == '\r')
            e--;
        while (q < e && blank(*q))
            q++;
        if (q == e || *q == '#')
            continue;
        const char *fs[3];
        size_t fn[3];
        for (int k = 0; k < 3; k++) {
            while (q < e && blank(*q))
                q++;
            REQUIRE(q < e);
            fs[k] = q;
            while (q < e && !blank(*q))
                q++;
            fn[k] = (size_t)(q - fs[k]);
        }
        while (q < e && blank(*q))
            q++;
        REQUIRE(q == e);
        REQUIRE(fn[0] == 2 * AZTF_DIGEST_LEN);
        if (n == cap) {
            cap *= 2;
            digests = realloc(digests, cap * sizeof *digests);
            REQUIRE(digests != NULL);
        }
        for (size_t i = 0; i < AZTF_DIGEST_LEN; i++) {
            int hi = hexval(fs[0][2 * i]), lo = hexval(fs[0][2 * i + 1]);
            REQUIRE(hi >= 0 && lo >= 0);
            digests[n][i] = (unsigned char)(hi << 4 | lo);
        }
        const aztf_entry *ent = aztf_find(t, digests[n], NULL);
        REQUIRE(ent != NULL);
        REQUIRE(ent->line == lineno);
        REQUIRE(memcmp(ent->digest, digests[n], AZTF_DIGEST_LEN) == 0);
        REQUIRE(memcmp(ent->tag, fs[0], 8) == 0 && ent->tag[8] == '\0');
        REQUIRE(ent->token != NULL);
        round_trip(ent, fs[1], fn[1], fs[2], fn[2]);
        n++;
    }
    REQUIRE(aztf_count(t) == n);
    parse_failing(text, size, n);

    /* Digests one bit away from each found one: absent unless listed. */
    for (size_t i = 0; i < n; i++) {
        unsigned char d[AZTF_DIGEST_LEN];
        for (size_t bit = 0; bit < 8 * AZTF_DIGEST_LEN; bit += 37) {
            memcpy(d, digests[i], sizeof d);
            d[bit / 8] ^= (unsigned char)(1u << (bit % 8));
            int listed = 0;
            for (size_t j = 0; j < n; j++)
                listed |= memcmp(digests[j], d, sizeof d) == 0;
            const aztf_entry *ent = aztf_find(t, d, NULL);
            REQUIRE((ent != NULL) == listed);
        }
    }
    free(digests);
    aztf_free(t);
    return 0;
}
