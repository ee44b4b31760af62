/*
 * replay.c - a main() for the fuzz targets without libFuzzer.
 *
 *   replay-<target> FILE|DIR...   runs every file given, and every regular
 *                                 file directly inside each directory
 *   replay-<target>               runs standard input once
 *
 * Built with plain gcc it replays the committed corpora in `make check`.
 * Built with afl-clang-fast it is the AFL++ harness: persistent mode
 * reading the shared-memory test case, or standard input / a file (@@)
 * when run outside afl-fuzz.
 *
 * Each input is copied into a heap block of exactly its size, as libFuzzer
 * does, so a sanitizer sees reads past its end.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t n_inputs;

static void run(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size != 0 ? size : 1);
    if (copy == NULL) {
        fprintf(stderr, "replay: out of memory\n");
        exit(2);
    }
    if (size != 0)
        memcpy(copy, data, size);
    (void)LLVMFuzzerTestOneInput(copy, size);
    free(copy);
    n_inputs++;
}

/* Reads a whole stream; exits on error. */
static uint8_t *slurp(FILE *f, const char *name, size_t *size)
{
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        size_t got;
        if (buf == NULL) {
            fprintf(stderr, "replay: out of memory reading %s\n", name);
            exit(2);
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap)
            break;
        cap *= 2;
        buf = realloc(buf, cap);
    }
    if (ferror(f)) {
        fprintf(stderr, "replay: cannot read %s\n", name);
        exit(2);
    }
    *size = len;
    return buf;
}

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    size_t size;
    if (f == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        exit(2);
    }
    data = slurp(f, path, &size);
    fclose(f);
    run(data, size);
    free(data);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (d == NULL) {
        fprintf(stderr, "replay: cannot open directory %s\n", dir);
        exit(2);
    }
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *path;
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        path = malloc(n);
        if (path == NULL)
            exit(2);
        snprintf(path, n, "%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            run_file(path);
        free(path);
    }
    closedir(d);
}

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

int main(int argc, char **argv)
{
    int i;
#ifdef __AFL_FUZZ_TESTCASE_LEN
    /* Under afl-fuzz without arguments: persistent mode over shared memory. */
    if (argc == 1 && getenv("__AFL_SHM_ID") != NULL) {
        unsigned char *buf;
        __AFL_INIT();
        buf = __AFL_FUZZ_TESTCASE_BUF;
        while (__AFL_LOOP(100000))
            run(buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
        return 0;
    }
#endif
    if (argc == 1) {
        size_t size;
        uint8_t *data = slurp(stdin, "standard input", &size);
        run(data, size);
        free(data);
        return 0;
    }
    for (i = 1; i < argc; i++) {
        if (is_dir(argv[i]))
            run_dir(argv[i]);
        else
            run_file(argv[i]);
    }
    fprintf(stderr, "replay: %zu inputs ok\n", n_inputs);
    return 0;
}
