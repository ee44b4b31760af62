/*
 * args.c - the command line: one table of options shared by every command,
 * each command taking the subset its table row names.
 *
 *   authz [--catalog FILE] COMMAND [OPTION | OPERAND]... [-- OPERAND...]
 *
 * Options may come before or after operands; `--opt VALUE` and
 * `--opt=VALUE` are the same; `--` ends the options, so an operand may
 * start with a dash; a lone `-` is an operand (an ID meaning "no id").
 *
 * Parsing decides what to do and prints nothing: main (authz.c) prints the
 * help, the version or a usage error. So this file calls no other file of
 * the tool, and the files above it call down into it.
 */
#include "cli.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* What an option does with its value. */
enum {
    TAKES_ACTION, /* no value: a switch or an action (--json, --help) */
    TAKES_STRING, /* one value, kept in a `const char *` of struct cli */
    TAKES_LIST    /* repeatable, split on commas into a list */
};

struct cli_option {
    const char *name;  /* after "--" */
    char short_name;   /* after "-", or 0 */
    unsigned bit;
    int takes;         /* TAKES_* */
    size_t where;      /* TAKES_STRING: offsetof its field in struct cli;
                          TAKES_LIST: its LIST_* */
    const char *value; /* placeholder of the value, for help */
    const char *help;
};

static const struct cli_option options[] = {
    {"catalog", 0, OPT_CATALOG, TAKES_STRING,
     offsetof(struct cli, catalog_path), "FILE",
     "read the catalog from FILE (- for standard input) instead of "
     "using the embedded Coder catalog"},
    {"scope", 0, OPT_SCOPE, TAKES_LIST, LIST_SCOPE, "S",
     "a scope of the token; repeats, and splits on commas (default: "
     "every permission, coder:all in the Coder catalog)"},
    {"allow", 0, OPT_ALLOW, TAKES_LIST, LIST_ALLOW, "A",
     "an allow-list entry of the token; repeats, and splits on commas "
     "(default: *:*)"},
    {"token", 0, OPT_TOKEN, TAKES_STRING, offsetof(struct cli, token),
     "TOKEN",
     "the token in its base64url form, as encode prints it, instead of "
     "--scope and --allow"},
    {"have", 0, OPT_HAVE, TAKES_LIST, LIST_HAVE, "S",
     "a scope held; repeats, and splits on commas"},
    {"want", 0, OPT_WANT, TAKES_LIST, LIST_WANT, "S",
     "a scope wanted; repeats, and splits on commas"},
    {"json", 0, OPT_JSON, TAKES_ACTION, 0, NULL, "print one JSON object"},
    {"diff", 0, OPT_DIFF, TAKES_ACTION, 0, NULL,
     "compare catalog file OLD with NEW (default: the catalog in use)"},
    {"help", 'h', OPT_HELP, TAKES_ACTION, 0, NULL,
     "print this help and exit"},
    {"version", 0, OPT_VERSION, TAKES_ACTION, 0, NULL,
     "print the version and exit"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

/* What every command takes, and what may come before the command. */
#define COMMON_OPTIONS (OPT_CATALOG | OPT_HELP)
#define GLOBAL_OPTIONS (OPT_CATALOG | OPT_HELP | OPT_VERSION)

const char *cli_list_option(int list)
{
    size_t i;
    for (i = 0; i < N_OPTIONS; i++)
        if (options[i].takes == TAKES_LIST && options[i].where == (size_t)list)
            return options[i].name;
    return "?";
}

/* Writes text from column `indent`, wrapped at word boundaries before
 * column 80. */
static void print_wrapped(FILE *f, const char *text, size_t indent)
{
    const size_t width = 79;
    size_t col = indent;
    while (*text != '\0') {
        size_t word = strcspn(text, " ");
        if (col > indent && col + 1 + word > width) {
            fprintf(f, "\n%*s", (int)indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', f);
            col++;
        }
        fwrite(text, 1, word, f);
        col += word;
        text += word;
        text += strspn(text, " ");
    }
    fputc('\n', f);
}

void cli_print_options(FILE *f, unsigned mask)
{
    size_t i;
    for (i = 0; i < N_OPTIONS; i++) {
        const struct cli_option *o = &options[i];
        char head[64];
        if (!(mask & o->bit))
            continue;
        if (o->short_name != 0)
            snprintf(head, sizeof head, "-%c, --%s", o->short_name, o->name);
        else
            snprintf(head, sizeof head, "--%s%s%s", o->name,
                     o->takes != TAKES_ACTION ? " " : "",
                     o->takes != TAKES_ACTION ? o->value : "");
        fprintf(f, "  %-16s ", head);
        print_wrapped(f, o->help, 19);
    }
}

bool cli_list_push(struct cli_list *l, const char *p, size_t n)
{
    if (l->n == l->cap) {
        size_t cap = l->cap != 0 ? 2 * l->cap : 8;
        authz_str *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL)
            return false;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].ptr = p;
    l->v[l->n].len = n;
    l->n++;
    return true;
}

/* "a,b,,c" gives four entries, the third empty (which no list accepts, so
 * a stray comma is reported rather than silently dropped). */
static bool split_commas(struct cli_list *l, const char *value)
{
    const char *p = value, *comma;
    while ((comma = strchr(p, ',')) != NULL) {
        if (!cli_list_push(l, p, (size_t)(comma - p)))
            return false;
        p = comma + 1;
    }
    l->given = true;
    return cli_list_push(l, p, strlen(p));
}

/* A usage error: the message, kept for main to print. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static enum cli_action usage_error(struct cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->usage, sizeof c->usage, fmt, ap);
    va_end(ap);
    return CLI_USAGE;
}

static const struct cli_option *find_option(const char *arg, size_t *name_len)
{
    size_t i;
    if (arg[1] != '-') { /* a short option: "-h" */
        *name_len = strlen(arg + 1);
        for (i = 0; i < N_OPTIONS; i++)
            if (options[i].short_name != 0 && *name_len == 1 &&
                arg[1] == options[i].short_name)
                return &options[i];
        return NULL;
    }
    *name_len = strcspn(arg + 2, "=");
    for (i = 0; i < N_OPTIONS; i++)
        if (strlen(options[i].name) == *name_len &&
            memcmp(options[i].name, arg + 2, *name_len) == 0)
            return &options[i];
    return NULL;
}

/* Takes the option at argv[*i] (and its value). Returns CLI_RUN to go on,
 * or what main does instead of running the command. */
static enum cli_action take_option(struct cli *c, int argc, char **argv,
                                   int *i, unsigned allowed)
{
    const char *arg = argv[*i], *value = NULL;
    size_t name_len;
    const struct cli_option *o = find_option(arg, &name_len);

    if (o == NULL)
        return usage_error(c, "unknown option '%s'", arg);
    if (!(allowed & o->bit)) {
        if (c->cmd == NULL)
            return usage_error(c, "option --%s goes after the command",
                               o->name);
        return usage_error(c, "%s does not take --%s", c->cmd->name,
                           o->name);
    }
    if (arg[1] == '-' && arg[2 + name_len] == '=') {
        if (o->takes == TAKES_ACTION)
            return usage_error(c, "option --%s takes no value", o->name);
        value = arg + 2 + name_len + 1;
    } else if (o->takes != TAKES_ACTION) {
        if (*i + 1 >= argc)
            return usage_error(c, "option --%s needs a value (%s)", o->name,
                               o->value);
        value = argv[++*i];
    }

    if (o->takes == TAKES_LIST)
        return split_commas(&c->lists[o->where], value) ? CLI_RUN : CLI_NOMEM;
    if (o->takes == TAKES_STRING) {
        const char **slot = (const char **)(void *)((char *)c + o->where);
        if (*slot != NULL)
            return usage_error(c, "option --%s given twice", o->name);
        *slot = value;
        return CLI_RUN;
    }
    switch (o->bit) {
    case OPT_JSON:
        c->json = true;
        return CLI_RUN;
    case OPT_DIFF:
        c->diff = true;
        return CLI_RUN;
    case OPT_HELP:
        return CLI_HELP;
    case OPT_VERSION:
        return CLI_VERSION;
    default:
        return CLI_RUN;
    }
}

static bool is_option(const char *arg)
{
    return arg[0] == '-' && arg[1] != '\0';
}

static const struct cli_command *find_command(const struct cli_command *cmds,
                                              size_t n, const char *name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(cmds[i].name, name) == 0)
            return &cmds[i];
    return NULL;
}

enum cli_action cli_parse(struct cli *c, const struct cli_command *commands,
                          size_t n_commands, int argc, char **argv)
{
    bool operands_only = false;
    size_t i_list;
    enum cli_action r;
    int i;

    memset(c, 0, sizeof *c);
    for (i_list = 0; i_list < sizeof c->source / sizeof c->source[0];
         i_list++)
        c->source[i_list] = -1;
    c->source[AUTHZ_LIST_SCOPES] = LIST_SCOPE;
    c->source[AUTHZ_LIST_ALLOW] = LIST_ALLOW;

    for (i = 1; i < argc && is_option(argv[i]) && strcmp(argv[i], "--") != 0;
         i++)
        if ((r = take_option(c, argc, argv, &i, GLOBAL_OPTIONS)) != CLI_RUN)
            return r;
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (i >= argc)
        return usage_error(c, "no command given");
    c->cmd = find_command(commands, n_commands, argv[i]);
    if (c->cmd == NULL)
        return usage_error(c, "unknown command '%s'", argv[i]);

    c->args = malloc((size_t)argc * sizeof *c->args);
    if (c->args == NULL)
        return CLI_NOMEM;
    for (i++; i < argc; i++) {
        if (!operands_only && strcmp(argv[i], "--") == 0) {
            operands_only = true;
        } else if (!operands_only && is_option(argv[i])) {
            r = take_option(c, argc, argv, &i,
                            c->cmd->options | COMMON_OPTIONS);
            if (r != CLI_RUN)
                return r;
        } else {
            c->args[c->n_args++] = argv[i];
        }
    }

    if (c->n_args < c->cmd->min_args)
        return usage_error(c, "%s needs %s", c->cmd->name, c->cmd->operands);
    if (c->n_args > c->cmd->max_args)
        return usage_error(c, "%s: unexpected operand '%s'", c->cmd->name,
                           c->args[c->cmd->max_args]);
    if (c->diff && c->n_args == 0)
        return usage_error(c, "%s --diff needs OLD [NEW]", c->cmd->name);
    if ((c->cmd->options & OPT_DIFF) && !c->diff && c->n_args > 0)
        return usage_error(c, "%s: unexpected operand '%s' (operands go "
                              "with --diff)",
                           c->cmd->name, c->args[0]);
    if (c->token != NULL &&
        (c->lists[LIST_SCOPE].given || c->lists[LIST_ALLOW].given))
        return usage_error(c, "%s: --token and --%s exclude each other",
                           c->cmd->name,
                           c->lists[LIST_SCOPE].given ? "scope" : "allow");
    return CLI_RUN;
}

void cli_free(struct cli *c)
{
    size_t i;
    for (i = 0; i < N_LISTS; i++)
        free(c->lists[i].v);
    free(c->args);
    authz_catalog_free(c->owned_cat);
}
