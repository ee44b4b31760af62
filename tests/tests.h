/*
 * tests.h - shared by the Check suites in tests/check_*.c.
 */
#ifndef AUTHZ_TESTS_H
#define AUTHZ_TESTS_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"

/* The two ids of docs/SPEC.md section 7. */
#define W "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define T "7c9e6679-7425-40de-944b-e07fc1f90ae7"

Suite *uuid_suite(void);
Suite *scope_suite(void);
Suite *allow_suite(void);
Suite *token_suite(void);
Suite *check_suite(void);
Suite *catalog_suite(void);
Suite *setops_suite(void);
Suite *codec_suite(void);
Suite *hardening_suite(void);
Suite *diff_suite(void);
Suite *timing_suite(void); /* tests/timing_flood.c: make check-timing */
Suite *granted_suite(void); /* tests/check_granted.c */
Suite *many_suite(void);    /* tests/check_many.c */
Suite *spec_suite(void);    /* tests/check_spec.c */

/* Path of a file in the source tree (tests/data/...). Static buffer. */
const char *test_path(const char *rel);

/* Reads a whole file; aborts the test on failure. Caller frees. */
char *test_slurp(const char *path, size_t *len);

/* Splits `line` in place at `sep`, trimming spaces around each field.
 * Returns the number of fields (at most max). */
size_t test_split(char *line, char sep, char **fields, size_t max);

/* Copies `in` to out[cap], decoding \xHH escapes and expanding $W / $T;
 * returns the length (the output may hold NUL bytes). */
size_t test_unescape(const char *in, char *out, size_t cap);

/* A data table (a file in tests/data): one row per line, fields separated by
 * '|' and trimmed; '#' comments and blank lines are skipped. Each row keeps
 * the line it came from, so a loop test over the rows (one iteration per
 * row) names the line of the row that failed. */
#define TEST_MAX_FIELDS 8
struct test_row {
    unsigned line;
    size_t nfields;
    const char *field[TEST_MAX_FIELDS];
};
struct test_table {
    const char *path; /* relative to the source tree, for messages */
    int loaded;       /* 0: the file could not be read (no rows) */
    size_t nrows;
    struct test_row *rows;
};

/* Loads `rel` (relative to the source tree) once per process and returns
 * the same table on later calls. Runs where a suite is built, outside any
 * test, so it reports nothing itself: a missing file gives loaded = 0,
 * which the table's own shape test asserts. */
const struct test_table *test_table(const char *rel);

/* Builds a token from comma-separated lists ("(empty)" = no entries).
 * Returns NULL with err filled on error. */
authz_token *test_token(const authz_catalog *cat, const char *scopes,
                        const char *allow, authz_error *err);

/* The embedded Coder catalog (authz_catalog_coder()). */
const authz_catalog *test_coder(void);

/* The Coder catalog's target for (resource, action); fails the test
 * (naming both) unless it resolves. */
authz_target test_target(const char *resource, const char *action);

/* The tests' one random generator (splitmix64). Seeded explicitly, so any
 * run replays; one state per stream, so a stream can replay alone. */
typedef struct test_rng {
    uint64_t state;
} test_rng;

uint64_t test_rng_next(test_rng *rng);

/* Uniform enough in [0, n); n > 0. */
size_t test_rng_below(test_rng *rng, size_t n);

/* An allocator that counts, and fails the Nth call (0 = never). */
struct test_alloc {
    size_t calls, live, bytes, fail_at;
};
extern const authz_allocator *test_allocator(struct test_alloc *state);

#endif
