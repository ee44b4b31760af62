/*
 * check_tokens_file.c - unit tests of the tokens-file parser, table and
 * line writer (authz_tokens_file.h), with the Check framework.
 */
#include "authz_tokens_file.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define T "7c9e6679-7425-40de-944b-e07fc1f90ae7"

/* 64 hex digits: `c` repeated, ending in `last`. */
static const char *hex(char c, char last)
{
    static char buf[8][65];
    static int k;
    char *b = buf[k++ & 7];
    memset(b, c, 64);
    b[63] = last;
    b[64] = '\0';
    return b;
}

static void digest_of(const char *h, unsigned char *d)
{
    for (int i = 0; i < 32; i++) {
        unsigned v;
        ck_assert_int_eq(sscanf(h + 2 * i, "%2x", &v), 1);
        d[i] = (unsigned char)v;
    }
}

static const aztf_entry *find_hex(const aztf_table *t, const char *h)
{
    unsigned char d[32];
    digest_of(h, d);
    return aztf_find(t, d, NULL);
}

static aztf_table *parse(const char *text, aztf_error *err)
{
    return aztf_parse(authz_catalog_coder(), text, strlen(text), NULL, err);
}

/* Parses text that must fail; returns the error. */
static aztf_error parse_bad(const char *text)
{
    aztf_error err;
    aztf_table *t = parse(text, &err);
    ck_assert_ptr_null(t);
    ck_assert_int_ne(err.code, AZTF_OK);
    ck_assert_str_ne(err.message, "");
    return err;
}

START_TEST(good_file)
{
    char text[2048];
    snprintf(text, sizeof text,
             "# tokens\n"
             "\n"
             "   \t\n"
             "  # an indented comment\n"
             "%s workspace:read,workspace:start workspace:" W "\n"
             "%s\tcoder:all\t\t*:*\r\n"
             "  %s workspace:read -   \n"
             "%s - *:*\n"
             "%s workspace:create workspace:*", /* no final newline */
             hex('a', '1'), hex('b', '2'), hex('c', '3'), hex('d', '4'),
             hex('e', '5'));
    aztf_error err;
    aztf_table *t = parse(text, &err);
    ck_assert_msg(t != NULL, "%s", err.message);
    ck_assert_int_eq(err.code, AZTF_OK);
    ck_assert_uint_eq(aztf_count(t), 5);

    const aztf_entry *e = find_hex(t, hex('a', '1'));
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->line, 5);
    ck_assert_str_eq(e->tag, "aaaaaaaa");
    ck_assert(authz_check(e->token, "workspace", W, "start"));
    ck_assert(!authz_check(e->token, "workspace", W, "stop"));
    ck_assert(!authz_check(e->token, "workspace", T, "read"));

    e = find_hex(t, hex('b', '2'));
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->line, 6);
    ck_assert(authz_check(e->token, "template", T, "delete"));

    /* `-` is the empty list: a token that denies everything. */
    e = find_hex(t, hex('c', '3'));
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->line, 7);
    ck_assert(!authz_check(e->token, "workspace", W, "read"));
    authz_explanation x;
    ck_assert(!authz_explain(e->token, "workspace", W, "read", &x));
    ck_assert_int_eq(x.reason, AUTHZ_REASON_EMPTY_ALLOW);
    e = find_hex(t, hex('d', '4'));
    ck_assert_ptr_nonnull(e);
    ck_assert(!authz_explain(e->token, "workspace", W, "read", &x));
    ck_assert_int_eq(x.reason, AUTHZ_REASON_EMPTY_SCOPES);

    e = find_hex(t, hex('e', '5'));
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->line, 9);
    ck_assert(authz_check_n(e->token, "workspace", 9, NULL, 0, "create", 6));

    /* Unknown digests, one differing in the last byte only. */
    ck_assert_ptr_null(find_hex(t, hex('a', '0')));
    ck_assert_ptr_null(find_hex(t, hex('f', 'f')));
    ck_assert_ptr_null(aztf_find(t, NULL, NULL));
    ck_assert_ptr_null(aztf_find(NULL, (const unsigned char *)text, NULL));
    aztf_free(t);
}
END_TEST

START_TEST(empty_files)
{
    aztf_error err;
    const char *texts[] = {"", "\n", "# only a comment", "\r\n\r\n  \n"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        aztf_table *t = parse(texts[i], &err);
        ck_assert_ptr_nonnull(t);
        ck_assert_uint_eq(aztf_count(t), 0);
        ck_assert_ptr_null(find_hex(t, hex('0', '0')));
        aztf_free(t);
    }
    aztf_table *t = aztf_parse(authz_catalog_coder(), NULL, 0, NULL, &err);
    ck_assert_ptr_nonnull(t);
    aztf_free(t);
    ck_assert_ptr_null(aztf_parse(NULL, "", 0, NULL, &err));
    ck_assert_int_eq(err.code, AZTF_EINVAL);
    ck_assert_ptr_null(aztf_parse(authz_catalog_coder(), NULL, 3, NULL, &err));
    ck_assert_int_eq(err.code, AZTF_EINVAL);
    aztf_free(NULL);
}
END_TEST

START_TEST(bad_fields)
{
    char text[1024];
    /* Too few: the caret goes past the end of the line. */
    snprintf(text, sizeof text, "# c\n%s workspace:read\n", hex('a', 'a'));
    aztf_error err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_EFIELDS);
    ck_assert_uint_eq(err.line, 2);
    ck_assert_uint_eq(err.column, 80);
    ck_assert_uint_eq(err.line_offset, 4);
    ck_assert_uint_eq(err.line_len, 79);
    ck_assert_ptr_nonnull(strstr(err.message, "found fewer"));

    /* Too many: the caret is under the fourth field. */
    snprintf(text, sizeof text, "%s workspace:read *:* extra\r\n",
             hex('a', 'a'));
    err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_EFIELDS);
    ck_assert_uint_eq(err.line, 1);
    ck_assert_uint_eq(err.column, 85);
    ck_assert_uint_eq(err.line_len, 89); /* without the CR */
    ck_assert_ptr_nonnull(strstr(err.message, "found more"));

    /* A trailing comment is a fourth field too. */
    snprintf(text, sizeof text, "%s workspace:read *:* # note\n",
             hex('a', 'a'));
    err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_EFIELDS);
    ck_assert_uint_eq(err.column, 85);

    /* One field. */
    err = parse_bad("ws-reader\n");
    ck_assert_int_eq(err.code, AZTF_EFIELDS);
    ck_assert_uint_eq(err.column, 10);
}
END_TEST

START_TEST(bad_digests)
{
    char text[1024];
    char h[80];

    /* Upper-case hex, at byte 5 of the digest. */
    snprintf(h, sizeof h, "%s", hex('a', 'a'));
    h[4] = 'A';
    snprintf(text, sizeof text, "\n  %s workspace:read *:*\n", h);
    aztf_error err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_EDIGEST);
    ck_assert_uint_eq(err.line, 2);
    ck_assert_uint_eq(err.column, 7);
    ck_assert_ptr_nonnull(strstr(err.message, "lower-case"));

    /* Not hex. */
    h[4] = 'g';
    snprintf(text, sizeof text, "%s workspace:read *:*\n", h);
    err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_EDIGEST);
    ck_assert_uint_eq(err.column, 5);

    /* The secret itself instead of its hash. */
    err = parse_bad("ws-reader workspace:read *:*\n");
    ck_assert_int_eq(err.code, AZTF_EDIGEST);
    ck_assert_uint_eq(err.column, 1); /* the "w" */

    /* 63 and 65 digits. */
    snprintf(text, sizeof text, "%.63s workspace:read *:*\n", hex('a', 'a'));
    err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_EDIGEST);
    ck_assert_uint_eq(err.column, 1);
    ck_assert_ptr_nonnull(strstr(err.message, "shorter"));
    snprintf(text, sizeof text, "%sa workspace:read *:*\n", hex('a', 'a'));
    err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_EDIGEST);
    ck_assert_uint_eq(err.column, 65);
    ck_assert_ptr_nonnull(strstr(err.message, "longer"));
}
END_TEST

START_TEST(duplicates)
{
    char text[1024];
    snprintf(text, sizeof text,
             "%s workspace:read *:*\n%s workspace:read *:*\n"
             "# c\n%s template:read *:*\n",
             hex('a', '1'), hex('b', '2'), hex('a', '1'));
    aztf_error err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_EDUPLICATE);
    ck_assert_uint_eq(err.line, 4);
    ck_assert_uint_eq(err.first_line, 1);
    ck_assert_uint_eq(err.column, 1);
    ck_assert_str_eq(err.message,
                     "duplicate digest: the same secret is on line 1");
}
END_TEST

START_TEST(bad_lists)
{
    char text[1024];
    const char *h = hex('a', 'a');

    /* An unknown scope: the library's code, list, index, and a caret under
     * the entry. Columns: digest 1-64, space, scopes from 66. */
    snprintf(text, sizeof text, "%s workspace:read,workspace:bogus *:*\n", h);
    aztf_error err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_ETOKEN);
    ck_assert_int_eq(err.lib.code, AUTHZ_EACTION);
    ck_assert_int_eq(err.lib.list, AUTHZ_LIST_SCOPES);
    ck_assert_uint_eq(err.lib.index, 1);
    ck_assert_uint_eq(err.line, 1);
    ck_assert_uint_eq(err.column, 66 + 15 + err.lib.offset);
    ck_assert_str_eq(err.message, err.lib.message);
    ck_assert_ptr_nonnull(strstr(err.message, "workspace:bogus"));

    /* A bad UUID in the allow list: the caret under the bad byte. */
    snprintf(text, sizeof text,
             "# x\n%s workspace:read workspace:*,workspace:3f25-zz\n", h);
    err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_ETOKEN);
    ck_assert_int_eq(err.lib.code, AUTHZ_EUUID);
    ck_assert_int_eq(err.lib.list, AUTHZ_LIST_ALLOW);
    ck_assert_uint_eq(err.lib.index, 1);
    ck_assert_uint_eq(err.line, 2);
    /* allow field at 81; second entry at 81 + 12 */
    ck_assert_uint_eq(err.column, 81 + 12 + err.lib.offset);
    ck_assert_uint_ge(err.lib.offset, 10);

    /* An empty entry between commas. */
    snprintf(text, sizeof text, "%s workspace:read,,workspace:stop *:*\n", h);
    err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_ETOKEN);
    ck_assert_int_eq(err.lib.code, AUTHZ_ESYNTAX);
    ck_assert_uint_eq(err.lib.index, 1);
    ck_assert_uint_eq(err.column, 66 + 15);

    /* `-` inside a list is an entry, not the empty list. */
    snprintf(text, sizeof text, "%s workspace:read -,*:*\n", h);
    err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_ETOKEN);
    ck_assert_int_eq(err.lib.list, AUTHZ_LIST_ALLOW);
    ck_assert_uint_eq(err.lib.index, 0);

    /* A non-public scope is accepted when loading (docs/SPEC.md). */
    snprintf(text, sizeof text, "%s debug_info:read *:*\n", h);
    aztf_table *t = parse(text, &err);
    ck_assert_ptr_nonnull(t);
    aztf_free(t);
}
END_TEST

START_TEST(long_lines)
{
    const char *h = hex('a', 'a');
    /* A 300-byte scope entry: too long for the library. */
    size_t cap = 1u << 20;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    int n = snprintf(text, cap, "%s workspace:read,", h);
    memset(text + n, 'x', 300);
    snprintf(text + n + 300, cap - (size_t)n - 300, " *:*\n");
    aztf_error err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_ETOKEN);
    ck_assert_int_eq(err.lib.code, AUTHZ_ETOOLONG);
    ck_assert_uint_eq(err.lib.index, 1);
    ck_assert_uint_le(err.column, (size_t)n + 300 + 1);
    ck_assert_uint_ge(err.column, (size_t)n + 1);

    /* 100,000 allow entries: over the library's limit. */
    size_t o = (size_t)snprintf(text, cap, "%s workspace:read ", h);
    for (int i = 0; i < 100000; i++)
        o += (size_t)snprintf(text + o, cap - o, "%s*:*", i ? "," : "");
    ck_assert_uint_lt(o + 2, cap);
    text[o++] = '\n';
    text[o] = '\0';
    err = parse_bad(text);
    ck_assert_int_eq(err.code, AZTF_ETOKEN);
    ck_assert_int_eq(err.lib.code, AUTHZ_ELIMIT);
    ck_assert_uint_eq(err.line, 1);

    /* A long comment and a long run of blanks are fine. */
    o = 0;
    text[o++] = '#';
    memset(text + o, 'c', 500000);
    o += 500000;
    text[o++] = '\n';
    memset(text + o, ' ', 100000);
    o += 100000;
    o += (size_t)snprintf(text + o, cap - o, "%s workspace:read *:*\n", h);
    aztf_table *t =
        aztf_parse(authz_catalog_coder(), text, o, NULL, &err);
    ck_assert_msg(t != NULL, "%s", err.message);
    ck_assert_uint_eq(aztf_count(t), 1);
    ck_assert_uint_eq(find_hex(t, h)->line, 2);
    aztf_free(t);
    free(text);
}
END_TEST

START_TEST(nul_and_controls)
{
    char text[256];
    const char *h = hex('a', 'a');
    int n = snprintf(text, sizeof text, "%s workspace:read *:*\n", h);
    text[70] = '\0'; /* inside "workspace:read" */
    aztf_error err;
    aztf_table *t = aztf_parse(authz_catalog_coder(), text, (size_t)n, NULL,
                               &err);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(err.code, AZTF_ETOKEN);
    ck_assert_int_eq(err.lib.code, AUTHZ_ESYNTAX);
    ck_assert_uint_eq(err.column, 71);

    /* A CR inside a line is not an end of line. */
    n = snprintf(text, sizeof text, "%s workspace:read\r*:*\n", h);
    t = aztf_parse(authz_catalog_coder(), text, (size_t)n, NULL, &err);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(err.code, AZTF_EFIELDS);
}
END_TEST

START_TEST(many_and_colliding)
{
    /* 10,000 tokens written by the writer, 64 of them alike but for their
     * last byte. */
    enum { N = 10000 };
    size_t cap = (size_t)N * 128, o = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    unsigned char d[32];
    authz_str scopes[] = {{"workspace:read", 14}};
    authz_str allow[] = {{"workspace:*", 11}};
    for (unsigned i = 0; i < N; i++) {
        memset(d, 0, sizeof d);
        if (i < 64) {
            d[31] = (unsigned char)i;
        } else {
            for (int k = 0; k < 4; k++)
                d[k] = (unsigned char)((i * 2654435761u) >> (8 * k));
            d[4] = (unsigned char)(i >> 8);
            d[5] = (unsigned char)i;
            d[6] = 1;
        }
        size_t len;
        ck_assert_int_eq(aztf_write_line(d, scopes, 1, allow, 1, text + o,
                                         cap - o, &len),
                         AZTF_OK);
        o += len;
    }
    aztf_error err;
    aztf_table *t = aztf_parse(authz_catalog_coder(), text, o, NULL, &err);
    ck_assert_msg(t != NULL, "%s", err.message);
    ck_assert_uint_eq(aztf_count(t), N);
    for (unsigned i = 0; i < 64; i++) {
        memset(d, 0, sizeof d);
        d[31] = (unsigned char)i;
        const aztf_entry *e = aztf_find(t, d, memcmp);
        ck_assert_ptr_nonnull(e);
        ck_assert_uint_eq(e->line, i + 1);
        ck_assert_int_eq(memcmp(e->digest, d, 32), 0);
    }
    memset(d, 0, sizeof d);
    d[31] = 64;
    ck_assert_ptr_null(aztf_find(t, d, NULL));
    d[31] = 0;
    d[30] = 1;
    ck_assert_ptr_null(aztf_find(t, d, NULL));
    aztf_free(t);
    free(text);
}
END_TEST

/* A comparator that counts the candidates a lookup compares. */
static size_t n_compared;

static int counting_memcmp(const void *a, const void *b, size_t n)
{
    n_compared++;
    return aztf_ct_memcmp(a, b, n);
}

START_TEST(shared_prefixes)
{
    /* Digests that are not uniformly random (hand-written, or sharing their
     * first bytes): 2,000 alike but for their last two bytes, and 2,000 alike
     * but for their first two. No lookup, of a listed digest or of one
     * absent, may walk the whole group. */
    enum { N = 4000 };
    size_t cap = (size_t)N * 100, o = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    unsigned char d[32];
    authz_str scopes[] = {{"workspace:read", 14}};
    for (unsigned i = 0; i < N; i++) {
        memset(d, 0xab, sizeof d);
        unsigned k = i % (N / 2);
        int at = i < N / 2 ? 30 : 0;
        d[at] = (unsigned char)(k >> 8);
        d[at + 1] = (unsigned char)k;
        size_t len;
        ck_assert_int_eq(aztf_write_line(d, scopes, 1, NULL, 0, text + o,
                                         cap - o, &len),
                         AZTF_OK);
        o += len;
    }
    aztf_error err;
    aztf_table *t = aztf_parse(authz_catalog_coder(), text, o, NULL, &err);
    ck_assert_msg(t != NULL, "%s", err.message);
    ck_assert_uint_eq(aztf_count(t), N);
    size_t most = 0;
    for (unsigned i = 0; i < N + 200; i++) {
        memset(d, 0xab, sizeof d);
        unsigned k = i < N ? i % (N / 2) : N / 2 + i;
        int at = i < N / 2 || i >= N + 100 ? 30 : 0;
        d[at] = (unsigned char)(k >> 8);
        d[at + 1] = (unsigned char)k;
        n_compared = 0;
        const aztf_entry *e = aztf_find(t, d, counting_memcmp);
        if (i < N) {
            ck_assert_ptr_nonnull(e);
            ck_assert_uint_eq(e->line, i + 1);
        } else {
            ck_assert_ptr_null(e);
        }
        if (n_compared > most)
            most = n_compared;
    }
    /* Uniform slots at load 1/2 keep the longest cluster to a few dozen. */
    ck_assert_uint_le(most, 64);
    aztf_free(t);
    free(text);
}
END_TEST

START_TEST(writer)
{
    unsigned char d[32];
    for (int i = 0; i < 32; i++)
        d[i] = (unsigned char)(i * 7 + 1);
    authz_str scopes[] = {{"workspace:read", 14}, {"workspace:start", 15}};
    authz_str allow[] = {{"workspace:" W, 46}};
    char buf[512];
    size_t len;
    ck_assert_int_eq(
        aztf_write_line(d, scopes, 2, allow, 1, buf, sizeof buf, &len),
        AZTF_OK);
    ck_assert_str_eq(buf, "01080f161d242b323940474e555c636a71787f868d949ba2a9b0b7bec5ccd3da"
                          " workspace:read,workspace:start workspace:" W "\n");
    ck_assert_uint_eq(len, strlen(buf));

    /* It parses back to the same token. */
    aztf_error err;
    aztf_table *t = parse(buf, &err);
    ck_assert_ptr_nonnull(t);
    const aztf_entry *e = aztf_find(t, d, NULL);
    ck_assert_ptr_nonnull(e);
    ck_assert(authz_check(e->token, "workspace", W, "start"));
    ck_assert(!authz_check(e->token, "workspace", T, "start"));
    aztf_free(t);

    /* Empty lists are `-`. */
    ck_assert_int_eq(aztf_write_line(d, NULL, 0, NULL, 0, buf, sizeof buf,
                                     &len),
                     AZTF_OK);
    ck_assert_str_eq(buf + 64, " - -\n");

    /* Too small: the length needed, and "". */
    ck_assert_int_eq(aztf_write_line(d, scopes, 2, allow, 1, buf, 20, &len),
                     AZTF_ESPACE);
    ck_assert_uint_eq(len, 64 + 1 + 30 + 1 + 46 + 1);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(aztf_write_line(d, scopes, 2, allow, 1, buf, 64 + 79,
                                     &len),
                     AZTF_ESPACE);
    ck_assert_int_eq(aztf_write_line(d, scopes, 2, allow, 1, buf, 64 + 80,
                                     &len),
                     AZTF_OK);
    ck_assert_int_eq(aztf_write_line(d, scopes, 2, allow, 1, NULL, 0, &len),
                     AZTF_ESPACE);
    ck_assert_uint_eq(len, 64 + 79);

    /* Entries the format cannot hold. */
    authz_str bad[] = {{"", 0}, {"-", 1}, {"a,b", 3}, {"a b", 3},
                       {"a\tb", 3}, {"a\nb", 3}, {NULL, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_int_eq(aztf_write_line(d, &bad[i], 1, NULL, 0, buf,
                                         sizeof buf, &len),
                         AZTF_EINVAL);
        ck_assert_int_eq(aztf_write_line(d, NULL, 0, &bad[i], 1, buf,
                                         sizeof buf, &len),
                         AZTF_EINVAL);
    }
    ck_assert_int_eq(aztf_write_line(NULL, NULL, 0, NULL, 0, buf, sizeof buf,
                                     &len),
                     AZTF_EINVAL);
    ck_assert_int_eq(aztf_write_line(d, NULL, 0, NULL, 0, buf, sizeof buf,
                                     NULL),
                     AZTF_EINVAL);
}
END_TEST

START_TEST(ct_memcmp)
{
    unsigned char a[32] = {0}, b[32] = {0};
    ck_assert_int_eq(aztf_ct_memcmp(a, b, 32), 0);
    for (int i = 0; i < 32; i++) {
        for (int bit = 0; bit < 8; bit++) {
            b[i] = (unsigned char)(1u << bit);
            ck_assert_int_eq(aztf_ct_memcmp(a, b, 32), 1);
            b[i] = 0;
        }
    }
    ck_assert_int_eq(aztf_ct_memcmp(a, b, 0), 0);
    ck_assert_str_eq(aztf_strerror(AZTF_EDUPLICATE), "duplicate digest");
    ck_assert_str_eq(aztf_strerror(999), "unknown error");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tokens_file");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, good_file);
    tcase_add_test(tc, empty_files);
    tcase_add_test(tc, bad_fields);
    tcase_add_test(tc, bad_digests);
    tcase_add_test(tc, duplicates);
    tcase_add_test(tc, bad_lists);
    tcase_add_test(tc, long_lines);
    tcase_add_test(tc, nul_and_controls);
    tcase_add_test(tc, many_and_colliding);
    tcase_add_test(tc, shared_prefixes);
    tcase_add_test(tc, writer);
    tcase_add_test(tc, ct_memcmp);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
