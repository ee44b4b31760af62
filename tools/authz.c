/*
 * authz.c - the `authz` command: answers "would this token allow X, and
 * why?" from the shell, on the embedded Coder catalog or a catalog file.
 *
 * The table below is the whole list of commands; parsing (args.c) and help
 * are driven by it. To add a command: write its function (commands.c) and
 * add a row.
 */
#include "cli.h"

#include <string.h>

#define TOKEN_OPTIONS (OPT_SCOPE | OPT_ALLOW)
/* Commands that read a token: from its lists, or encoded (--token). */
#define READ_OPTIONS (TOKEN_OPTIONS | OPT_TOKEN)

const struct cli_command cli_commands[] = {
    {"check", cmd_check, READ_OPTIONS | OPT_JSON, 3, 3,
     "RESOURCE ID ACTION",
     "would the token allow ACTION on the object? allow, or deny: REASON",
     "Prints \"allow\" (exit 0) or \"deny: REASON\" (exit 1). ID \"\" or\n"
     "\"-\" is an object without an id, as in a create."},
    {"explain", cmd_explain, READ_OPTIONS | OPT_JSON, 3, 3,
     "RESOURCE ID ACTION",
     "the decision, its reason, the granting scope and the admitting entry",
     "Prints the decision, the reason, the first scope that grants the\n"
     "request and the allow entry that admits the object, each with its\n"
     "index in the list given (\"none\" when the check stopped earlier);\n"
     "with --token, the index in the token's lists, which are in normal form.\n"
     "Exit 0 on allow, 1 on deny."},
    {"show", cmd_show, READ_OPTIONS, 0, 0, "",
     "the token's permissions as a grid, and its allow list",
     "Prints the canonical scope list and the allow list, then a grid: one\n"
     "row per type that has any grant, one column per action; x = granted,\n"
     ". = not granted, blank = not an action of that type."},
    {"normalize", cmd_normalize, TOKEN_OPTIONS | OPT_JSON, 0, 0, "",
     "the canonical scope list and the normal form of the allow list",
     "Prints exactly two lines: \"scopes: ...\" (aliases replaced by the\n"
     "scopes they name, duplicates dropped, sorted) and \"allow: ...\" (the\n"
     "normal form: *:* alone if listed, T:* absorbs T:ID, lower-case ids,\n"
     "sorted)."},
    {"lint", cmd_lint, TOKEN_OPTIONS | OPT_JSON, 0, 0, "",
     "validate the lists as token creation would (public scopes, limits)",
     "Validates the lists as token creation does: every --scope must be a\n"
     "public name of the catalog, and the limits apply. Prints \"valid\"\n"
     "(exit 0), or the first error with a caret under the offending byte\n"
     "(stderr, exit 2). With no --scope, only the allow list and the limits\n"
     "are checked: the default is the creator's choice, not a request."},
    {"covers", cmd_covers, OPT_HAVE | OPT_WANT, 0, 0, "",
     "do the --have scopes cover the --want scopes? lists what is missing",
     "Prints \"covered\" (exit 0), or \"not covered:\" and the grants of\n"
     "--want that --have lacks (exit 1). Both lists are required.\n"
     "workspace:* covers workspace:ssh; the workspace actions listed one by\n"
     "one do not cover workspace:* (it also grants actions added later)."},
    {"catalog", cmd_catalog, OPT_DIFF, 0, 2, "[--diff OLD [NEW]]",
     "print the catalog in its text format, or what changed between two",
     "Prints the catalog (the embedded one, or --catalog FILE) in the text\n"
     "format, which parses back to the same catalog; the embedded one is\n"
     "headed by the Coder commit it matches.\n"
     "With --diff OLD [NEW]: what changed from catalog file OLD to NEW (by\n"
     "default the catalog in use), one line each: -type/+type T,\n"
     "-action/+action T:A, -scope/+scope NAME, -alias/+alias NAME = S,\n"
     "-grant/+grant NAME G, -public/+public NAME. Exit 0 when they mean\n"
     "the same, 1 when they differ."},
    {"encode", cmd_encode, TOKEN_OPTIONS, 0, 0, "",
     "the token in its base64url form, for --token and decode",
     "Prints the token in its binary form (versioned, tied to the catalog,\n"
     "checksummed) as unpadded base64url, on one line. Equal tokens give\n"
     "equal text. Only the same catalog decodes it."},
    {"decode", cmd_decode, OPT_JSON, 1, 1, "TOKEN",
     "the lists of an encoded token, as normalize prints them",
     "Decodes TOKEN (as encode prints it) and prints the two lines that\n"
     "normalize prints for the token's lists. A token that does not decode\n"
     "(bad base64url, truncated, corrupted, encoded for another catalog) is\n"
     "an error, exit 2. With --json, the object of normalize --json."},
    {"token-line", cmd_token_line, TOKEN_OPTIONS, 0, 1, "[SECRET_FILE]",
     "a line of a gateway's tokens file: SHA256HEX SCOPES ALLOW",
     "Prints \"SHA256HEX SCOPES ALLOW\", the line that the nginx module's\n"
     "authz_tokens file (and the gate's) holds for a token: the SHA-256 of\n"
     "its secret, then the lists as given. The secret is read from\n"
     "SECRET_FILE (- for standard input; one final newline is dropped);\n"
     "without one, a new secret of 32 random bytes (/dev/urandom, as\n"
     "base64url) is made and printed once on stderr. There is no option\n"
     "for the secret itself: other users could read it in the process\n"
     "list. --scope and --allow are required and are validated as token\n"
     "creation does (public scopes)."},
};
const size_t cli_n_commands = sizeof cli_commands / sizeof cli_commands[0];

static void print_version(FILE *f)
{
    if (strcmp(authz_version(), AUTHZ_VERSION_STRING) == 0)
        fprintf(f, "%s %s\n", cli_name, AUTHZ_VERSION_STRING);
    else
        fprintf(f, "%s %s (library %s)\n", cli_name, AUTHZ_VERSION_STRING,
                authz_version());
}

static void print_synopsis(FILE *f, const struct cli_command *cmd)
{
    fprintf(f, "%s [--catalog FILE] %s", cli_name, cmd->name);
    if (cmd->options & OPT_TOKEN)
        fputs(" {[--scope S]... [--allow A]... | --token TOKEN}", f);
    else {
        if (cmd->options & OPT_SCOPE)
            fputs(" [--scope S]...", f);
        if (cmd->options & OPT_ALLOW)
            fputs(" [--allow A]...", f);
    }
    if (cmd->options & OPT_HAVE)
        fputs(" --have S...", f);
    if (cmd->options & OPT_WANT)
        fputs(" --want S...", f);
    if (cmd->options & OPT_JSON)
        fputs(" [--json]", f);
    if (cmd->operands[0] != '\0')
        fprintf(f, " %s", cmd->operands);
    fputc('\n', f);
}

static void print_help(FILE *f)
{
    size_t i;
    fputs("Usage: ", f);
    for (i = 0; i < cli_n_commands; i++) {
        if (i > 0)
            fputs("       ", f);
        print_synopsis(f, &cli_commands[i]);
    }
    fprintf(f, "       %s --version | --help | COMMAND --help\n", cli_name);
    fputs("\nToken scopes and allow lists: decide, explain, normalise, "
          "validate, encode and\ndecode them.\n\nCommands:\n", f);
    for (i = 0; i < cli_n_commands; i++)
        fprintf(f, "  %-10s %s\n", cli_commands[i].name,
                cli_commands[i].summary);
    fputs("\nOptions:\n", f);
    cli_print_options(f, OPT_CATALOG | OPT_HELP | OPT_VERSION);
    fputs("\n--scope, --allow, --have and --want repeat, and each value is "
          "also split on\ncommas. With no --scope the token has every "
          "permission (coder:all in the\nCoder catalog, *:* in another); "
          "with no --allow, *:*.\n"
          "\n--token TOKEN (check, explain, show) gives the token encoded, "
          "as encode prints\nit, instead of --scope and --allow.\n"
          "\nExit status: 0 allow, valid or covered; 1 deny or not covered; "
          "2 invalid\ninput or usage (with a message on stderr).\n",
          f);
}

static void print_command_help(FILE *f, const struct cli_command *cmd)
{
    fputs("Usage: ", f);
    print_synopsis(f, cmd);
    fprintf(f, "\n%s\n\nOptions:\n", cmd->help);
    cli_print_options(f, cmd->options | OPT_CATALOG | OPT_HELP);
}

/* What the command line asked for, other than running a command. */
static int act(const struct cli *c, enum cli_action action)
{
    switch (action) {
    case CLI_HELP:
        if (c->cmd != NULL)
            print_command_help(stdout, c->cmd);
        else
            print_help(stdout);
        return EXIT_YES;
    case CLI_VERSION:
        print_version(stdout);
        return EXIT_YES;
    case CLI_USAGE:
        diag("%s", c->usage);
        if (c->cmd != NULL)
            fprintf(stderr, "Try '%s %s --help'.\n", cli_name, c->cmd->name);
        else
            fprintf(stderr, "Try '%s --help'.\n", cli_name);
        return EXIT_INVALID;
    case CLI_NOMEM:
        diag_nomem();
    case CLI_RUN:
    default:
        return -1;
    }
}

int main(int argc, char **argv)
{
    struct cli c;
    int status = act(&c, cli_parse(&c, cli_commands, cli_n_commands, argc,
                                   argv));
    if (status < 0)
        status = cli_prepare(&c);
    if (status < 0)
        status = c.cmd->run(&c);
    cli_free(&c);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        diag("error writing the output");
        status = EXIT_INVALID;
    }
    return status;
}
