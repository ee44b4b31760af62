/*
 * token_line.c - `authz token-line`: one line of a gateway's tokens file
 * (integrations/common/authz_tokens_file.h), so that nobody hashes a secret
 * by hand. The secret is read from a file (- for standard input), never
 * from the command line, where other users would see it; without a file a
 * new one is drawn from /dev/urandom and printed once, on stderr.
 */
#include "cli.h"

#include "authz_tokens_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define SECRET_MAX 4096
#define SECRET_RANDOM_BYTES 32

/* Reads the secret: the file's bytes, less one final LF or CR LF. */
static int read_secret(const struct cli *c, const char *path, char *buf,
                       size_t *len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    size_t n;

    if (f == NULL)
        return diag_fail(c, "%s: %s", path, strerror(errno));
    n = fread(buf, 1, SECRET_MAX + 1, f);
    if (ferror(f)) {
        if (!is_stdin)
            fclose(f);
        return diag_fail(c, "%s: cannot read the secret", path);
    }
    if (!is_stdin)
        fclose(f);
    if (n > SECRET_MAX)
        return diag_fail(c, "%s: the secret is longer than %d bytes", path,
                         SECRET_MAX);
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    if (n == 0)
        return diag_fail(c, "%s: the secret is empty", path);
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)buf[i];
        if (b <= ' ' || b >= 0x7f)
            return diag_fail(c,
                             "%s: the secret has a blank, control or "
                             "non-ASCII byte at byte %zu (a header could "
                             "not carry it)",
                             path, i);
    }
    *len = n;
    return -1;
}

/* A new secret: 32 bytes from /dev/urandom as unpadded base64url. */
static int new_secret(const struct cli *c, char *buf, size_t *len)
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[SECRET_RANDOM_BYTES + 2] = {0};
    FILE *f = fopen("/dev/urandom", "rb");
    size_t n = 0;

    if (f == NULL)
        return diag_fail(c, "/dev/urandom: %s", strerror(errno));
    if (fread(raw, 1, SECRET_RANDOM_BYTES, f) != SECRET_RANDOM_BYTES) {
        fclose(f);
        return diag_fail(c, "/dev/urandom: short read");
    }
    fclose(f);
    for (size_t i = 0; i < SECRET_RANDOM_BYTES; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 |
                     raw[i + 2];
        size_t left = SECRET_RANDOM_BYTES - i;
        buf[n++] = b64[(v >> 18) & 63];
        buf[n++] = b64[(v >> 12) & 63];
        if (left > 1)
            buf[n++] = b64[(v >> 6) & 63];
        if (left > 2)
            buf[n++] = b64[v & 63];
    }
    *len = n;
    return -1;
}

int cmd_token_line(struct cli *c)
{
    const struct cli_list *s = &c->lists[LIST_SCOPE];
    const struct cli_list *a = &c->lists[LIST_ALLOW];
    char secret[SECRET_MAX + 1];
    size_t secret_len = 0, len;
    unsigned char digest[AZTF_DIGEST_LEN];
    unsigned int dlen = 0;
    authz_options opts;
    authz_error err;
    authz_token *tok;
    char *line;
    int r;

    if (!s->given || !a->given)
        return diag_fail(c, "token-line needs --scope and --allow (a tokens "
                            "file has no defaults)");
    authz_options_init(&opts);
    opts.flags = AUTHZ_PUBLIC;
    tok = authz_token_new_ex(c->cat, s->v, s->n, a->v, a->n, &opts, &err);
    if (tok == NULL)
        return diag_error(c, &err, NULL);
    authz_token_free(tok);

    r = c->n_args == 1 ? read_secret(c, c->args[0], secret, &secret_len)
                       : new_secret(c, secret, &secret_len);
    if (r >= 0)
        return r;
    if (EVP_Digest(secret, secret_len, digest, &dlen, EVP_sha256(), NULL) !=
            1 ||
        dlen != AZTF_DIGEST_LEN)
        return diag_fail(c, "SHA-256 failed");

    r = aztf_write_line(digest, s->v, s->n, a->v, a->n, NULL, 0, &len);
    if (r != AZTF_ESPACE) /* an entry with a blank or a comma: the token
                             above would have refused it already */
        return diag_fail(c, "%s", aztf_strerror(r));
    line = malloc(len + 1);
    if (line == NULL)
        diag_nomem();
    r = aztf_write_line(digest, s->v, s->n, a->v, a->n, line, len + 1, &len);
    if (r == AZTF_OK)
        fwrite(line, 1, len, stdout);
    free(line);
    if (c->n_args == 0)
        fprintf(stderr, "secret (shown once, keep it): %.*s\n",
                (int)secret_len, secret);
    for (volatile char *v = secret; v < secret + sizeof secret; v++)
        *v = 0;
    return r == AZTF_OK ? EXIT_YES : diag_fail(c, "%s", aztf_strerror(r));
}
