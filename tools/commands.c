/*
 * commands.c - what each command does, through the public API only.
 *
 * Every command gets a parsed command line whose catalog is loaded and
 * whose token lists hold the creation defaults when they were not given
 * (cli_prepare). Output goes to stdout; errors to stderr via diag.c.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- the catalog and the creation defaults ------------------------------ */

/* The library refuses catalog text past 16 MiB; reading one byte more is
 * enough for it to say so, and a huge or endless input (a device, a pipe)
 * is never read whole. */
#define CATALOG_READ_LIMIT ((size_t)16 * 1024 * 1024 + 1)

static char *read_input(FILE *f, size_t *len)
{
    size_t cap = 0, n = 0;
    char *buf = NULL;
    for (;;) {
        size_t got;
        if (n == cap) {
            size_t want = cap != 0 ? 2 * cap : 4096;
            char *p;
            if (want > CATALOG_READ_LIMIT)
                want = CATALOG_READ_LIMIT;
            if (want == cap)
                break;
            p = realloc(buf, want);
            if (p == NULL)
                diag_nomem();
            buf = p;
            cap = want;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    *len = n;
    return buf;
}

/* Line `line` (1-based) of text, without its newline. */
static authz_str text_line(const char *text, size_t len, size_t line)
{
    authz_str s = {text, 0};
    size_t i = 0, at = 1;
    while (at < line && i < len) {
        if (text[i++] == '\n')
            at++;
    }
    s.ptr = text + i;
    while (i + s.len < len && text[i + s.len] != '\n')
        s.len++;
    return s;
}

/* Reads and parses the catalog file `path` (- for standard input) into
 * *out. Returns -1 on success, else the exit status of the reported error. */
static int load_catalog_file(struct cli *c, const char *path,
                             authz_catalog **out)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    authz_error err;
    size_t len;
    char *text;
    int failed;

    if (f == NULL)
        return diag_fail(c, "%s: %s", path, strerror(errno));
    errno = 0;
    text = read_input(f, &len);
    failed = ferror(f) ? (errno != 0 ? errno : -1) : 0;
    if (!is_stdin)
        fclose(f);
    if (failed != 0) {
        free(text);
        return diag_fail(c, "%s: %s", path,
                         failed > 0 ? strerror(failed) : "read error");
    }
    *out = authz_catalog_parse(text, len, &err);
    if (*out == NULL) {
        int status;
        if (err.list == AUTHZ_LIST_CATALOG && err.line > 0) {
            authz_str line = text_line(text, len, err.line);
            status = diag_error(c, &err, &line);
        } else {
            status = diag_error(c, &err, NULL);
        }
        free(text);
        return status;
    }
    free(text);
    return -1;
}

static int load_catalog(struct cli *c)
{
    int status = load_catalog_file(c, c->catalog_path, &c->owned_cat);
    c->cat = c->owned_cat;
    return status;
}

/* "Every permission": `coder:all` where the catalog has a scope by that
 * name that grants everything (Coder's own catalog, embedded or loaded),
 * else the low-level `*:*`, which grants the same in any catalog. */
static const char *every_permission(const authz_catalog *cat)
{
    static const authz_str all = {"coder:all", 9}, star = {"*:*", 3};
    bool covered = false;
    if (authz_scopes_cover(cat, &all, 1, &star, 1, &covered, NULL, NULL,
                           NULL) == AUTHZ_OK &&
        covered)
        return all.ptr;
    return star.ptr;
}

int cli_prepare(struct cli *c)
{
    if (c->catalog_path != NULL) {
        int status = load_catalog(c);
        if (status >= 0)
            return status;
    } else {
        c->cat = authz_catalog_coder();
    }
    if ((c->cmd->options & OPT_SCOPE) && c->token == NULL) {
        struct cli_list *scopes = &c->lists[LIST_SCOPE];
        struct cli_list *allow = &c->lists[LIST_ALLOW];
        if (!scopes->given) {
            const char *every = every_permission(c->cat);
            if (!cli_list_push(scopes, every, strlen(every)))
                diag_nomem();
        }
        if (!allow->given && !cli_list_push(allow, "*:*", 3))
            diag_nomem();
    }
    return -1;
}

/* ---- shared pieces ------------------------------------------------------ */

/* The token of the command line: decoded from --token (or decode's
 * operand) when there is one, else compiled from --scope and --allow. */
static authz_token *build_token(const struct cli *c, unsigned flags,
                                authz_error *err)
{
    const struct cli_list *s = &c->lists[LIST_SCOPE];
    const struct cli_list *a = &c->lists[LIST_ALLOW];
    authz_options opts;
    authz_options_init(&opts);
    opts.flags = flags;
    if (c->token != NULL)
        return authz_token_decode_text(c->cat, c->token, strlen(c->token),
                                       &opts, err);
    return authz_token_new_ex(c->cat, s->v, s->n, a->v, a->n, &opts, err);
}

static void print_list(FILE *f, const char *label, const authz_list *l)
{
    size_t i;
    fputs(label, f);
    for (i = 0; i < authz_list_count(l); i++)
        fprintf(f, " %s", authz_list_get(l, i));
    fputc('\n', f);
}

/* The two lines of normalize, decode and the head of show: "scopes:" and
 * "allow:", each entry after one space (an empty list is the bare label).
 * The one formatter of a token's lists, so the commands cannot drift apart
 * (authz_token_text writes the same two lines; the tool does not use it). */
static void print_lists(FILE *f, const authz_list *scopes,
                        const authz_list *allow)
{
    print_list(f, "scopes:", scopes);
    print_list(f, "allow:", allow);
}

static void json_list(struct json *j, const authz_list *l)
{
    size_t i;
    json_array_begin(j);
    for (i = 0; i < authz_list_count(l); i++)
        json_cstring(j, authz_list_get(l, i));
    json_array_end(j);
}

/* normalize's and decode's output: the two lines, or with --json
 * {"scopes":[...],"allow":[...]}. */
static void write_normal_forms(const struct cli *c, const authz_list *scopes,
                               const authz_list *allow)
{
    if (c->json) {
        struct json j;
        json_init(&j, stdout);
        json_object_begin(&j);
        json_key(&j, "scopes");
        json_list(&j, scopes);
        json_key(&j, "allow");
        json_list(&j, allow);
        json_object_end(&j);
        json_finish(&j);
    } else {
        print_lists(stdout, scopes, allow);
    }
}

/* A built token's two lists in normal form. Returns -1 or an exit status. */
static int token_lists(const struct cli *c, const authz_token *tok,
                       authz_list **scopes, authz_list **allow)
{
    authz_error err;
    *allow = NULL;
    *scopes = authz_token_scopes(tok, &err);
    if (*scopes == NULL)
        return diag_error(c, &err, NULL);
    *allow = authz_token_allow(tok, &err);
    if (*allow == NULL) {
        authz_list_free(*scopes);
        *scopes = NULL;
        return diag_error(c, &err, NULL);
    }
    return -1;
}

/* The command line's two lists in canonical form. Returns -1 or an exit
 * status. */
static int normal_forms(const struct cli *c, authz_list **scopes,
                        authz_list **allow)
{
    const struct cli_list *s = &c->lists[LIST_SCOPE];
    const struct cli_list *a = &c->lists[LIST_ALLOW];
    authz_error err;
    *allow = NULL;
    *scopes = authz_scopes_normalize(c->cat, s->v, s->n, NULL, &err);
    if (*scopes == NULL)
        return diag_error(c, &err, NULL);
    *allow = authz_allow_normalize(c->cat, a->v, a->n, NULL, &err);
    if (*allow == NULL) {
        authz_list_free(*scopes);
        *scopes = NULL;
        return diag_error(c, &err, NULL);
    }
    return -1;
}

/* ---- check and explain -------------------------------------------------- */

/* ID "" or "-" is an object without an id. */
static const char *id_operand(const char *id)
{
    return id[0] == '\0' || strcmp(id, "-") == 0 ? NULL : id;
}

/* Decides the request of the operands. authz_check is the authority;
 * authz_explain must agree with it, and if it ever does not, the tool says
 * so rather than print a reason for another answer. Returns -1 or an exit
 * status. */
static int decide(struct cli *c, authz_explanation *ex)
{
    const char *resource = c->args[0], *id = id_operand(c->args[1]),
               *action = c->args[2];
    authz_error err;
    authz_token *tok = build_token(c, 0, &err);
    bool allowed, explained;
    if (tok == NULL)
        return diag_error(c, &err, NULL);
    allowed = authz_check(tok, resource, id, action);
    explained = authz_explain(tok, resource, id, action, ex);
    authz_token_free(tok);
    if (ex->allowed != allowed || explained != allowed)
        return diag_fail(c, "internal error: authz_explain says %s where "
                            "authz_check says %s",
                         ex->allowed ? "allow" : "deny",
                         allowed ? "allow" : "deny");
    return -1;
}

static void json_decision(struct json *j, const authz_explanation *ex)
{
    json_key(j, "allowed");
    json_bool(j, ex->allowed);
    json_key(j, "decision");
    json_cstring(j, ex->allowed ? "allow" : "deny");
    json_key(j, "reason");
    json_cstring(j, authz_reason_str(ex->reason));
    json_key(j, "reason_code");
    json_uint(j, (size_t)ex->reason);
}

int cmd_check(struct cli *c)
{
    authz_explanation ex;
    int status = decide(c, &ex);
    if (status >= 0)
        return status;
    if (c->json) {
        struct json j;
        json_init(&j, stdout);
        json_object_begin(&j);
        json_decision(&j, &ex);
        json_object_end(&j);
        json_finish(&j);
    } else if (ex.allowed) {
        puts("allow");
    } else {
        printf("deny: %s\n", authz_reason_str(ex.reason));
    }
    return ex.allowed ? EXIT_YES : EXIT_NO;
}

static void json_involved(struct json *j, const char *key, size_t index,
                          const char *text)
{
    json_key(j, key);
    if (index == AUTHZ_NO_INDEX) {
        json_null(j);
        return;
    }
    json_object_begin(j);
    json_key(j, "index");
    json_uint(j, index);
    json_key(j, "text");
    json_cstring(j, text);
    json_object_end(j);
}

static void print_involved(const char *label, size_t index, const char *text)
{
    if (index == AUTHZ_NO_INDEX)
        printf("%-9s none\n", label);
    else
        printf("%-9s [%zu] %s\n", label, index, text);
}

int cmd_explain(struct cli *c)
{
    authz_explanation ex;
    int status = decide(c, &ex);
    if (status >= 0)
        return status;
    if (c->json) {
        struct json j;
        json_init(&j, stdout);
        json_object_begin(&j);
        json_decision(&j, &ex);
        json_involved(&j, "scope", ex.scope_index, ex.scope);
        json_involved(&j, "allow", ex.allow_index, ex.allow);
        json_object_end(&j);
        json_finish(&j);
    } else {
        printf("%-9s %s\n", "decision:", ex.allowed ? "allow" : "deny");
        printf("%-9s %s\n", "reason:", authz_reason_str(ex.reason));
        print_involved("scope:", ex.scope_index, ex.scope);
        print_involved("allow:", ex.allow_index, ex.allow);
    }
    return ex.allowed ? EXIT_YES : EXIT_NO;
}

/* ---- show --------------------------------------------------------------- */

/* The grid: one row per type with any grant, one column per action name
 * that any of those types has (in catalog order of first appearance), so
 * types that share an action share its column. */
struct grid {
    size_t *rows, n_rows;
    const char **cols;
    size_t n_cols;
    size_t type_width;
};

static bool type_has_any_grant(const authz_token *tok,
                               const authz_catalog *cat, size_t t)
{
    const char *type = authz_catalog_type_name(cat, t);
    size_t a, n = authz_catalog_action_count(cat, t);
    for (a = 0; a < n; a++) {
        const char *action = authz_catalog_action_name(cat, t, a);
        if (authz_token_grants(tok, type, action))
            return true;
    }
    return false;
}

static void grid_build(struct grid *g, const authz_token *tok,
                       const authz_catalog *cat)
{
    size_t t, a, k, n_types = authz_catalog_type_count(cat), max_cols = 0;
    memset(g, 0, sizeof *g);
    g->rows = malloc((n_types + 1) * sizeof *g->rows);
    if (g->rows == NULL)
        diag_nomem();
    for (t = 0; t < n_types; t++) {
        if (!type_has_any_grant(tok, cat, t))
            continue;
        g->rows[g->n_rows++] = t;
        max_cols += authz_catalog_action_count(cat, t);
        if (strlen(authz_catalog_type_name(cat, t)) > g->type_width)
            g->type_width = strlen(authz_catalog_type_name(cat, t));
    }
    g->cols = malloc((max_cols + 1) * sizeof *g->cols);
    if (g->cols == NULL)
        diag_nomem();
    for (k = 0; k < g->n_rows; k++) {
        t = g->rows[k];
        for (a = 0; a < authz_catalog_action_count(cat, t); a++) {
            const char *name = authz_catalog_action_name(cat, t, a);
            size_t i;
            for (i = 0; i < g->n_cols && strcmp(g->cols[i], name) != 0; i++)
                ;
            if (i == g->n_cols)
                g->cols[g->n_cols++] = name;
        }
    }
}

/* ' ' when type t has no such action, else 'x' or '.'. */
static char grid_cell(const authz_token *tok, const authz_catalog *cat,
                      size_t t, const char *action)
{
    size_t a, n = authz_catalog_action_count(cat, t);
    for (a = 0; a < n; a++)
        if (strcmp(authz_catalog_action_name(cat, t, a), action) == 0)
            return authz_token_grants(tok, authz_catalog_type_name(cat, t),
                                      action)
                       ? 'x'
                       : '.';
    return ' ';
}

/* Lines are assembled, then written without trailing blanks. */
static void put_trimmed(char *line, size_t len)
{
    while (len > 0 && line[len - 1] == ' ')
        len--;
    fwrite(line, 1, len, stdout);
    fputc('\n', stdout);
}

/* Action names are long and many (Coder's workspace has 13), so the header
 * is a staircase, one name per line with a bar down to its column, and a
 * cell is one character wide: the whole Coder catalog fits in 80 columns.
 *
 *                 create
 *                 | read
 *                 | | update
 *     workspace   . x x
 *     template    . x .
 */
static void grid_print(const struct grid *g, const authz_token *tok,
                       const authz_catalog *cat)
{
    size_t i, k, first = g->type_width + 2, width = first + 2 * g->n_cols;
    char *line;
    for (i = 0; i < g->n_cols; i++)
        if (first + 2 * i + strlen(g->cols[i]) > width)
            width = first + 2 * i + strlen(g->cols[i]);
    line = malloc(width + 1);
    if (line == NULL)
        diag_nomem();

    for (i = 0; i < g->n_cols; i++) {
        memset(line, ' ', width);
        for (k = 0; k < i; k++)
            line[first + 2 * k] = '|';
        memcpy(line + first + 2 * i, g->cols[i], strlen(g->cols[i]));
        put_trimmed(line, first + 2 * i + strlen(g->cols[i]));
    }
    for (k = 0; k < g->n_rows; k++) {
        const char *type = authz_catalog_type_name(cat, g->rows[k]);
        memset(line, ' ', width);
        memcpy(line, type, strlen(type));
        for (i = 0; i < g->n_cols; i++)
            line[first + 2 * i] = grid_cell(tok, cat, g->rows[k], g->cols[i]);
        put_trimmed(line, first + 2 * g->n_cols);
    }
    free(line);
}

int cmd_show(struct cli *c)
{
    authz_list *scopes, *allow;
    authz_error err;
    authz_token *tok = build_token(c, 0, &err);
    struct grid g;
    int status;
    if (tok == NULL)
        return diag_error(c, &err, NULL);
    /* The lists as given are normalised (as normalize does); an encoded
     * token's are read back from it. */
    status = c->token != NULL ? token_lists(c, tok, &scopes, &allow)
                              : normal_forms(c, &scopes, &allow);
    if (status >= 0) {
        authz_token_free(tok);
        return status;
    }
    print_lists(stdout, scopes, allow);
    fputc('\n', stdout);
    grid_build(&g, tok, c->cat);
    if (g.n_rows == 0)
        puts("(no grants)");
    else
        grid_print(&g, tok, c->cat);
    free(g.rows);
    free(g.cols);
    authz_list_free(scopes);
    authz_list_free(allow);
    authz_token_free(tok);
    return EXIT_YES;
}

/* ---- normalize and lint ------------------------------------------------- */

int cmd_normalize(struct cli *c)
{
    authz_list *scopes, *allow;
    int status = normal_forms(c, &scopes, &allow);
    if (status >= 0)
        return status;
    write_normal_forms(c, scopes, allow);
    authz_list_free(scopes);
    authz_list_free(allow);
    return EXIT_YES;
}

int cmd_lint(struct cli *c)
{
    const struct cli_list *s = &c->lists[LIST_SCOPE];
    const struct cli_list *a = &c->lists[LIST_ALLOW];
    authz_options opts;
    authz_error err;
    authz_token *tok;
    struct json j;
    bool valid;

    authz_options_init(&opts);
    opts.flags = AUTHZ_PUBLIC;
    /* The default scope is not a request, so only given scopes are held
     * to the public names. */
    tok = authz_token_new_ex(c->cat, s->v, s->given ? s->n : 0, a->v, a->n,
                             &opts, &err);
    valid = tok != NULL;
    authz_token_free(tok);
    if (!valid) {
        struct cli quiet = *c;
        quiet.json = false;
        diag_error(&quiet, &err, NULL);
    }
    if (!c->json) {
        if (valid)
            puts("valid");
        return valid ? EXIT_YES : EXIT_INVALID;
    }
    json_init(&j, stdout);
    json_object_begin(&j);
    json_key(&j, "valid");
    json_bool(&j, valid);
    if (!valid) {
        json_key(&j, "error");
        diag_json_error(&j, c, &err);
    }
    json_object_end(&j);
    json_finish(&j);
    return valid ? EXIT_YES : EXIT_INVALID;
}

/* ---- covers and catalog ------------------------------------------------- */

int cmd_covers(struct cli *c)
{
    const struct cli_list *have = &c->lists[LIST_HAVE];
    const struct cli_list *want = &c->lists[LIST_WANT];
    authz_list *missing = NULL;
    authz_error err;
    bool covered = false;

    if (!have->given || !want->given) {
        diag("covers needs --have and --want");
        fprintf(stderr, "Try '%s covers --help'.\n", cli_name);
        return EXIT_INVALID;
    }
    c->source[AUTHZ_LIST_SCOPES] = LIST_HAVE;
    c->source[AUTHZ_LIST_SCOPES2] = LIST_WANT;
    c->source[AUTHZ_LIST_ALLOW] = -1;
    if (authz_scopes_cover(c->cat, have->v, have->n, want->v, want->n,
                           &covered, &missing, NULL, &err) != AUTHZ_OK)
        return diag_error(c, &err, NULL);
    if (covered)
        puts("covered");
    else
        print_list(stdout, "not covered:", missing);
    authz_list_free(missing);
    return covered ? EXIT_YES : EXIT_NO;
}

/* `catalog --diff OLD [NEW]`: what a host upgrading its catalog needs to
 * know, one line per difference (authz_catalog_diff); NEW defaults to the
 * catalog in use. Exit 0 when the two mean the same, 1 when they differ. */
static int catalog_diff(struct cli *c)
{
    authz_catalog *old_cat = NULL, *new_cat = NULL;
    authz_list *lines;
    authz_error err;
    size_t i, n;
    int status = load_catalog_file(c, c->args[0], &old_cat);
    if (status < 0 && c->n_args > 1)
        status = load_catalog_file(c, c->args[1], &new_cat);
    if (status >= 0) {
        authz_catalog_free(old_cat);
        return status;
    }
    lines = authz_catalog_diff(old_cat, new_cat != NULL ? new_cat : c->cat,
                               &err);
    authz_catalog_free(new_cat);
    authz_catalog_free(old_cat);
    if (lines == NULL)
        return diag_error(c, &err, NULL);
    n = authz_list_count(lines);
    for (i = 0; i < n; i++)
        printf("%s\n", authz_list_get(lines, i));
    authz_list_free(lines);
    return n == 0 ? EXIT_YES : EXIT_NO;
}

int cmd_catalog(struct cli *c)
{
    size_t len;
    char *text;
    if (c->diff)
        return catalog_diff(c);
    len = authz_catalog_text(c->cat, NULL, 0);
    text = malloc(len + 1);
    if (text == NULL)
        diag_nomem();
    authz_catalog_text(c->cat, text, len + 1);
    /* The embedded catalog says which Coder it is; the comment parses. */
    if (c->catalog_path == NULL)
        printf("# Coder's catalog at coder/coder commit %s\n\n",
               AUTHZ_CODER_COMMIT);
    fwrite(text, 1, len, stdout);
    free(text);
    return EXIT_YES;
}

/* ---- encode and decode -------------------------------------------------- */

int cmd_encode(struct cli *c)
{
    authz_error err;
    authz_token *tok = build_token(c, 0, &err);
    size_t len = 0;
    char *text;
    int code;
    if (tok == NULL)
        return diag_error(c, &err, NULL);
    code = authz_token_encode_text(tok, NULL, 0, &len);
    if (code != AUTHZ_ESPACE && code != AUTHZ_OK) {
        authz_token_free(tok);
        return diag_fail(c, "cannot encode the token: %s",
                         authz_strerror(code));
    }
    text = malloc(len + 1);
    if (text == NULL)
        diag_nomem();
    code = authz_token_encode_text(tok, text, len + 1, &len);
    authz_token_free(tok);
    if (code != AUTHZ_OK) {
        free(text);
        return diag_fail(c, "cannot encode the token: %s",
                         authz_strerror(code));
    }
    fwrite(text, 1, len, stdout);
    fputc('\n', stdout);
    free(text);
    return EXIT_YES;
}

int cmd_decode(struct cli *c)
{
    authz_list *scopes, *allow;
    authz_error err;
    authz_token *tok;
    int status;
    c->token = c->args[0];
    tok = build_token(c, 0, &err);
    if (tok == NULL)
        return diag_error(c, &err, NULL);
    status = token_lists(c, tok, &scopes, &allow);
    authz_token_free(tok);
    if (status >= 0)
        return status;
    write_normal_forms(c, scopes, allow);
    authz_list_free(scopes);
    authz_list_free(allow);
    return EXIT_YES;
}
