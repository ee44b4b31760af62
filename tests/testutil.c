/*
 * testutil.c - helpers shared by the suites, and the runner's main().
 */
#include "tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AUTHZ_SOURCE_DIR
#define AUTHZ_SOURCE_DIR "."
#endif

const char *test_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", AUTHZ_SOURCE_DIR, rel);
    return buf;
}

char *test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long size;
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    ck_assert_int_ge(size, 0);
    rewind(f);
    buf = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    buf[size] = '\0';
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static char *trim(char *s)
{
    char *end;
    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    return s;
}

size_t test_split(char *line, char sep, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        char *q = strchr(p, sep);
        if (q != NULL)
            *q = '\0';
        fields[n++] = trim(p);
        if (q == NULL)
            break;
        p = q + 1;
    }
    return n;
}

size_t test_unescape(const char *s, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    while (s[i] != '\0' && o + 40 < cap) {
        if (s[i] == '\\' && s[i + 1] == 'x') {
            char hex[3] = {s[i + 2], s[i + 3], '\0'};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 4;
        } else if (s[i] == '$' && (s[i + 1] == 'W' || s[i + 1] == 'T')) {
            memcpy(out + o, s[i + 1] == 'W' ? W : T, 36);
            o += 36;
            i += 2;
        } else {
            out[o++] = s[i++];
        }
    }
    ck_assert_msg(s[i] == '\0', "test string too long: %s", s);
    out[o] = '\0';
    return o;
}

#define TEST_MAX_TABLES 4
static struct test_table_slot {
    struct test_table table;
    char *text;
} tables[TEST_MAX_TABLES];

static void free_tables(void)
{
    for (size_t i = 0; i < TEST_MAX_TABLES; i++) {
        free(tables[i].text);
        free(tables[i].table.rows);
    }
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long size;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)size + 1)) != NULL) {
        if (fread(buf, 1, (size_t)size, f) == (size_t)size) {
            buf[size] = '\0';
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

const struct test_table *test_table(const char *rel)
{
    struct test_table_slot *slot = NULL;
    size_t i, cap = 0;
    unsigned lineno = 0;
    char *line, *next;

    for (i = 0; i < TEST_MAX_TABLES; i++) {
        if (tables[i].table.path != NULL &&
            strcmp(tables[i].table.path, rel) == 0)
            return &tables[i].table;
        if (slot == NULL && tables[i].table.path == NULL)
            slot = &tables[i];
    }
    if (slot == NULL)
        abort(); /* raise TEST_MAX_TABLES */
    if (slot == &tables[0])
        atexit(free_tables);
    slot->table.path = rel;
    slot->text = read_file(test_path(rel));
    if (slot->text == NULL)
        return &slot->table;
    for (line = slot->text; line != NULL && *line != '\0'; line = next) {
        struct test_row *row;
        char *fields[TEST_MAX_FIELDS];
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (slot->table.nrows == cap) {
            struct test_row *grown;
            cap = cap ? 2 * cap : 64;
            grown = realloc(slot->table.rows, cap * sizeof *grown);
            if (grown == NULL)
                abort();
            slot->table.rows = grown;
        }
        row = &slot->table.rows[slot->table.nrows++];
        memset(row, 0, sizeof *row);
        row->line = lineno;
        row->nfields = test_split(line, '|', fields, TEST_MAX_FIELDS);
        for (i = 0; i < row->nfields; i++)
            row->field[i] = fields[i];
    }
    slot->table.loaded = 1;
    return &slot->table;
}

authz_token *test_token(const authz_catalog *cat, const char *scopes,
                        const char *allow, authz_error *err)
{
    static char bufs[320][128];
    char sbuf[4096], abuf[8192];
    char *sv[64], *av[256];
    size_t ns = 0, na = 0;
    if (strcmp(scopes, "(empty)") != 0) {
        snprintf(sbuf, sizeof sbuf, "%s", scopes);
        ns = test_split(sbuf, ',', sv, 64);
    }
    if (strcmp(allow, "(empty)") != 0) {
        snprintf(abuf, sizeof abuf, "%s", allow);
        na = test_split(abuf, ',', av, 256);
    }
    for (size_t i = 0; i < ns; i++) {
        test_unescape(sv[i], bufs[i], sizeof bufs[i]);
        sv[i] = bufs[i];
    }
    for (size_t i = 0; i < na; i++) {
        test_unescape(av[i], bufs[64 + i], sizeof bufs[0]);
        av[i] = bufs[64 + i];
    }
    return authz_token_new(cat, (const char *const *)sv, ns,
                           (const char *const *)av, na, err);
}

const authz_catalog *test_coder(void)
{
    return authz_catalog_coder();
}

authz_target test_target(const char *resource, const char *action)
{
    authz_target t;
    int rc = authz_target_resolve(test_coder(), resource, action, &t);
    ck_assert_msg(rc == AUTHZ_OK, "resolving (%s, %s): %s", resource, action,
                  authz_strerror(rc));
    return t;
}

uint64_t test_rng_next(test_rng *rng)
{
    uint64_t z = (rng->state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

size_t test_rng_below(test_rng *rng, size_t n)
{
    return (size_t)(test_rng_next(rng) % n);
}

static void *counting_malloc(void *ctx, size_t size)
{
    struct test_alloc *st = ctx;
    size_t *p;
    st->calls++;
    if (st->fail_at != 0 && st->calls == st->fail_at)
        return NULL;
    p = malloc(size + sizeof(size_t) * 2);
    if (p == NULL)
        return NULL;
    p[0] = size;
    st->live++;
    st->bytes += size;
    return p + 2;
}

static void counting_free(void *ctx, void *ptr)
{
    struct test_alloc *st = ctx;
    size_t *p;
    if (ptr == NULL)
        return;
    p = (size_t *)ptr - 2;
    st->live--;
    st->bytes -= p[0];
    free(p);
}

static void *counting_realloc(void *ctx, void *ptr, size_t size)
{
    struct test_alloc *st = ctx;
    size_t *p, old;
    void *q;
    if (ptr == NULL)
        return counting_malloc(ctx, size);
    st->calls++;
    if (st->fail_at != 0 && st->calls == st->fail_at)
        return NULL;
    old = ((size_t *)ptr - 2)[0];
    q = malloc(size + sizeof(size_t) * 2);
    if (q == NULL)
        return NULL;
    p = q;
    p[0] = size;
    memcpy(p + 2, ptr, old < size ? old : size);
    st->live++;
    st->bytes += size;
    counting_free(ctx, ptr);
    return p + 2;
}

const authz_allocator *test_allocator(struct test_alloc *state)
{
    static _Thread_local authz_allocator a;
    a.malloc = counting_malloc;
    a.realloc = counting_realloc;
    a.free = counting_free;
    a.ctx = state;
    return &a;
}

/* Every suite whose file exists is run; the Makefile defines HAVE_SUITE_x
 * for each tests/check_x.c. */
int main(void)
{
    SRunner *sr = srunner_create(NULL);
    int failed;
#define SUITE(name) srunner_add_suite(sr, name##_suite())
#ifdef HAVE_SUITE_spec
    SUITE(spec);
#endif
#ifdef HAVE_SUITE_uuid
    SUITE(uuid);
#endif
#ifdef HAVE_SUITE_scope
    SUITE(scope);
#endif
#ifdef HAVE_SUITE_allow
    SUITE(allow);
#endif
#ifdef HAVE_SUITE_token
    SUITE(token);
#endif
#ifdef HAVE_SUITE_check
    SUITE(check);
#endif
#ifdef HAVE_SUITE_catalog
    SUITE(catalog);
#endif
#ifdef HAVE_SUITE_setops
    SUITE(setops);
#endif
#ifdef HAVE_SUITE_codec
    SUITE(codec);
#endif
#ifdef HAVE_SUITE_hardening
    SUITE(hardening);
#endif
#ifdef HAVE_SUITE_granted
    SUITE(granted);
#endif
#ifdef HAVE_SUITE_many
    SUITE(many);
#endif
#ifdef HAVE_SUITE_diff
    SUITE(diff);
#endif
#ifdef HAVE_SUITE_timing
    SUITE(timing);
#endif
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
