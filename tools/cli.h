/*
 * cli.h - shared by the files of the `authz` command-line tool.
 *
 * The tool uses the public API (authz.h) only. A command is a row of the
 * table in authz.c: its name, the options it takes, how many operands, and a
 * function that receives the parsed command line. Options are rows of the
 * table in args.c, so a new command or option is one row plus, for a command,
 * one function.
 */
#ifndef AUTHZ_CLI_H
#define AUTHZ_CLI_H

#include <authz.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses, the same for every command. */
enum {
    EXIT_YES = 0,    /* allow, valid, covered */
    EXIT_NO = 1,     /* deny, not covered */
    EXIT_INVALID = 2 /* invalid input or usage; a message went to stderr */
};

/* Options, as bits: a command lists the ones it takes. */
enum {
    OPT_CATALOG = 1u << 0,
    OPT_SCOPE = 1u << 1,
    OPT_ALLOW = 1u << 2,
    OPT_HAVE = 1u << 3,
    OPT_WANT = 1u << 4,
    OPT_JSON = 1u << 5,
    OPT_HELP = 1u << 6,
    OPT_VERSION = 1u << 7,
    OPT_TOKEN = 1u << 8, /* instead of --scope and --allow */
    OPT_DIFF = 1u << 9   /* catalog: compare two catalogs */
};

/* The repeatable list options. Each value is split on commas; the entries
 * point into argv (ptr+len), so nothing is copied. */
enum { LIST_SCOPE, LIST_ALLOW, LIST_HAVE, LIST_WANT, N_LISTS };

struct cli_list {
    authz_str *v;
    size_t n, cap;
    bool given; /* false: the list holds the creation default, if any */
};

struct cli;

struct cli_command {
    const char *name;
    int (*run)(struct cli *c);
    unsigned options;           /* OPT_* bits besides --catalog and --help */
    size_t min_args, max_args;  /* operands */
    const char *operands;       /* for the synopsis: "RESOURCE ID ACTION" */
    const char *summary;        /* one line, for `authz --help` */
    const char *help;           /* the rest of `authz COMMAND --help` */
};

struct cli {
    const struct cli_command *cmd;
    const char *catalog_path;   /* NULL: the embedded Coder catalog */
    const char *token;          /* the base64url token being decoded (from
                                   --token, or decode's operand); NULL */
    const authz_catalog *cat;   /* NULL while the catalog is being loaded,
                                   so an error meanwhile is the file's */
    authz_catalog *owned_cat;   /* parsed from --catalog; freed at exit */
    struct cli_list lists[N_LISTS];
    bool json;
    bool diff;                  /* catalog --diff */
    char **args;                /* operands */
    size_t n_args;
    /* Which command-line list each list of the library's error record
     * (AUTHZ_LIST_*) stands for, so an error can quote its entry; -1 when
     * none. Set by a command before it calls the library. */
    int source[AUTHZ_LIST_ALLOW2 + 1];
    char usage[512];            /* the usage error, for CLI_USAGE */
};

/* The files call one way: authz.c (main, the command table, help) calls
 * commands.c, diag.c and args.c; commands.c calls diag.c, json.c and
 * args.c; diag.c calls json.c and args.c; args.c and json.c call no other
 * file of the tool. `make check-layers` checks it. */

/* ---- args.c ------------------------------------------------------------ */

/* What main does after parsing. */
enum cli_action {
    CLI_RUN,     /* run c->cmd */
    CLI_HELP,    /* print the help of c->cmd, or the tool's when NULL */
    CLI_VERSION, /* print the version */
    CLI_USAGE,   /* report the usage error in c->usage (about c->cmd, if
                    not NULL) */
    CLI_NOMEM    /* report that memory ran out */
};

/* Parses argv into *c, finding the command among commands[n_commands].
 * Prints nothing. */
enum cli_action cli_parse(struct cli *c, const struct cli_command *commands,
                          size_t n_commands, int argc, char **argv);

/* The option name of a list ("--scope"). */
const char *cli_list_option(int list);

/* Appends one entry; false if memory runs out. */
bool cli_list_push(struct cli_list *l, const char *p, size_t n);

void cli_free(struct cli *c);

/* Help texts (authz.c writes them from the tables). */
void cli_print_options(FILE *f, unsigned options);

/* ---- authz.c ----------------------------------------------------------- */

extern const struct cli_command cli_commands[];
extern const size_t cli_n_commands;

/* ---- diag.c: messages on stderr ---------------------------------------- */

extern const char *const cli_name; /* "authz", for messages */

/* "authz: <message>\n" on stderr. */
void diag(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Reports a library error: the message, then the offending entry with a
 * caret under err->offset (the entry of the command-line list the error
 * names, or `shown` when not NULL, such as a catalog line). An error of
 * decoding c->token gets its caret only when the offset is at a character
 * of the text (see diag_token_offset_in_text). With --json, also writes
 * {"error": {...}} on stdout. Returns EXIT_INVALID. */
int diag_error(const struct cli *c, const authz_error *err,
               const authz_str *shown);

/* An error that is not the library's (a file that cannot be read): the
 * message on stderr and, with --json, {"error": {"message": ...}} on
 * stdout. Returns EXIT_INVALID. */
int diag_fail(const struct cli *c, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Does the offset of an error of decoding c->token (list
 * AUTHZ_LIST_ENCODING) count in the text, rather than in the decoded
 * binary form? *at_char: does it point at a character (a byte outside the
 * base64url alphabet, or a last character with unused bits set), so that
 * a caret under the text is meaningful? (A text of 1 modulo 4 characters
 * is refused at its length: in the text, at no character.) */
bool diag_token_offset_in_text(const struct cli *c, const authz_error *err,
                               bool *at_char);

/* Writes the error record as a JSON object (the value of "error"). */
struct json;
void diag_json_error(struct json *j, const struct cli *c,
                     const authz_error *err);

/* Writes `n` bytes of `p` on one line, non-printable bytes as \xNN, and
 * under it a caret at byte `offset` (which may be n: just past the end). */
void diag_caret(FILE *f, const char *p, size_t n, size_t offset);

/* Reports an allocation failure and exits. */
_Noreturn void diag_nomem(void);

/* ---- json.c: one JSON value, written as it goes ------------------------ */

#define JSON_MAX_DEPTH 16

struct json {
    FILE *f;
    unsigned depth;
    bool need_comma[JSON_MAX_DEPTH + 1];
    bool after_key;
};

void json_init(struct json *j, FILE *f);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s, size_t n);
void json_cstring(struct json *j, const char *s); /* NULL writes null */
void json_uint(struct json *j, size_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* Ends the document with a newline. */
void json_finish(struct json *j);

/* ---- commands.c -------------------------------------------------------- */

int cmd_check(struct cli *c);
int cmd_explain(struct cli *c);
int cmd_show(struct cli *c);
int cmd_normalize(struct cli *c);
int cmd_lint(struct cli *c);
int cmd_covers(struct cli *c);
int cmd_catalog(struct cli *c);
int cmd_encode(struct cli *c);
int cmd_decode(struct cli *c);
int cmd_token_line(struct cli *c); /* token_line.c */

/* Loads the catalog named by --catalog (or takes the embedded one) and
 * fills in the creation defaults (unless --token stands for the lists).
 * Returns -1 on success, else the exit status after a message. */
int cli_prepare(struct cli *c);

#endif /* AUTHZ_CLI_H */
