/*
 * gen_catalog.c - build-time tool: compiles a catalog file into C data.
 *
 *   gen-catalog INPUT.catalog OUTPUT.c
 *
 * It parses INPUT with the library's own parser and writes the resulting
 * catalog (arrays, lookup tables and name pool) as static const data behind
 * authz_catalog_coder(). One source of truth, and no file read at run time.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    if (f == NULL)
        return NULL;
    do {
        if (n == cap) {
            char *p = realloc(buf, cap = cap ? 2 * cap : 65536);
            if (p == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    if (ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void slots(FILE *out, const char *name, const struct az_slot *s,
                  uint32_t mask)
{
    uint32_t i;
    fprintf(out, "static const struct az_slot %s[%u] = {\n", name, mask + 1);
    for (i = 0; i <= mask; i++)
        fprintf(out, "    {%uu, %uu},\n", s[i].hash, s[i].id);
    fprintf(out, "};\n\n");
}

int main(int argc, char **argv)
{
    authz_error err;
    authz_catalog *cat;
    FILE *out;
    char *text;
    size_t len;
    uint32_t i;
    int write_failed;

    if (argc != 3) {
        fprintf(stderr, "usage: gen-catalog INPUT.catalog OUTPUT.c\n");
        return 2;
    }
    text = slurp(argv[1], &len);
    if (text == NULL) {
        perror(argv[1]);
        return 1;
    }
    cat = authz_catalog_parse(text, len, &err);
    free(text);
    if (cat == NULL) {
        fprintf(stderr, "%s: %s\n", argv[1], err.message);
        return 1;
    }
    out = fopen(argv[2], "w");
    if (out == NULL) {
        perror(argv[2]);
        return 1;
    }

    fprintf(out, "/* Generated from %s by tools/gen_catalog.c. Do not edit:"
                 " edit the catalog file. */\n#include \"internal.h\"\n\n",
            argv[1]);

    fprintf(out, "static const char pool[%u] = {", cat->pool_len);
    for (i = 0; i < cat->pool_len; i++)
        fprintf(out, "%s%d,", i % 16 ? " " : "\n    ", cat->pool[i]);
    fprintf(out, "\n};\n\n");

    fprintf(out, "static const struct az_type types[%u] = {\n", cat->n_types);
    for (i = 0; i < cat->n_types; i++) {
        const struct az_type *t = &cat->types[i];
        fprintf(out,
                "    {{%uu, %uu}, %uu, %uu, UINT64_C(0x%016llx), %uu, 0}, "
                "/* %s */\n",
                t->name.off, t->name.len, t->first_action, t->n_actions,
                (unsigned long long)t->public_mask, t->public_wild,
                az_name_ptr(cat, t->name));
    }
    fprintf(out, "};\n\n");

    fprintf(out, "static const struct az_name actions[%u] = {\n",
            cat->n_actions);
    for (i = 0; i < cat->n_actions; i++)
        fprintf(out, "    {%uu, %uu}, /* %s */\n", cat->actions[i].off,
                cat->actions[i].len, az_name_ptr(cat, cat->actions[i]));
    fprintf(out, "};\n\n");

    if (cat->n_scopes > 0) {
        fprintf(out, "static const struct az_scope scopes[%u] = {\n",
                cat->n_scopes);
        for (i = 0; i < cat->n_scopes; i++) {
            const struct az_scope *s = &cat->scopes[i];
            fprintf(out, "    {{%uu, %uu}, %uu, %uu, %uu, %uu, %uu, %uu}, "
                         "/* %s */\n",
                    s->name.off, s->name.len, s->kind, s->target,
                    s->first_grant, s->n_grants, s->is_public,
                    s->has_negative, az_name_ptr(cat, s->name));
        }
        fprintf(out, "};\n\n");
    }
    if (cat->n_grants > 0) {
        fprintf(out, "static const struct az_grant grants[%u] = {\n",
                cat->n_grants);
        for (i = 0; i < cat->n_grants; i++)
            fprintf(out, "    {%uu, %uu, %uu},\n", cat->grants[i].type,
                    cat->grants[i].action, cat->grants[i].negative);
        fprintf(out, "};\n\n");
    }
    slots(out, "type_index", cat->type_index, cat->type_mask);
    slots(out, "action_index", cat->action_index, cat->action_mask);
    slots(out, "scope_index", cat->scope_index, cat->scope_mask);

    fprintf(out,
            "static const struct authz_catalog catalog = {\n"
            "    .seed = UINT64_C(0x%016llx),\n"
            "    .fingerprint = UINT64_C(0x%016llx),\n"
            "    .n_types = %uu, .n_actions = %uu, .n_scopes = %uu,"
            " .n_grants = %uu,\n"
            "    .type_mask = %uu, .action_mask = %uu, .scope_mask = %uu,\n"
            "    .pool_len = %uu, .pool = pool,\n"
            "    .types = types, .actions = actions,\n"
            "    .scopes = %s, .grants = %s,\n"
            "    .type_index = type_index, .action_index = action_index,\n"
            "    .scope_index = scope_index,\n"
            "    .heap = 0,\n"
            "};\n\n"
            "const authz_catalog *authz_catalog_coder(void)\n"
            "{\n    return &catalog;\n}\n",
            (unsigned long long)cat->seed,
            (unsigned long long)cat->fingerprint, cat->n_types, cat->n_actions,
            cat->n_scopes, cat->n_grants, cat->type_mask, cat->action_mask,
            cat->scope_mask, cat->pool_len,
            cat->n_scopes ? "scopes" : "NULL",
            cat->n_grants ? "grants" : "NULL");
    authz_catalog_free(cat);
    /* A failed write sets the error flag; fclose reports only the last
     * flush. */
    write_failed = ferror(out) != 0;
    if (fclose(out) != 0 || write_failed) {
        perror(argv[2]);
        return 1;
    }
    return 0;
}
