/*
 * catalog_parse.c - catalog text to a compiled catalog.
 *
 * The line format (see catalog/coder.catalog, which is parsed by this very
 * code at build time):
 *
 *   type T A...            a resource type and its actions, in bit order
 *   scope NAME = GRANT...  a named scope: T:A, T:*, *:*, or -T:A / -T:* to
 *                          subtract from this scope's own grants
 *   alias NAME = SCOPE     another name for a named scope
 *   public NAME...         names a token may request
 *
 * Fields are split on spaces and tabs; `#` starts a comment. Strict by
 * design: every name is declared before it is used, all `type` lines come
 * before the first scope, alias or public line (so a scope name can be
 * checked against every type it might collide with), and anything unknown
 * is an error with its line and column.
 *
 * The result is one block: the catalog header, its arrays, its lookup
 * tables and its name pool.
 */
#include "internal.h"

#include <stdio.h>

#define AZ_MAX_CATALOG_TEXT ((size_t)16 << 20)
#define AZ_MAX_SCOPES 65536u
#define AZ_MAX_FIELDS 65536u

/* A growable array in the caller's allocator. */
struct vec {
    void *p;
    size_t len, cap;
};

static int vec_reserve(const authz_allocator *a, struct vec *v, size_t elem,
                       size_t more)
{
    size_t cap;
    void *p;
    if (v->len + more <= v->cap)
        return 1;
    cap = v->cap ? v->cap : 16;
    while (cap < v->len + more)
        cap *= 2;
    p = a->realloc(a->ctx, v->p, cap * elem);
    if (p == NULL)
        return 0;
    v->p = p;
    v->cap = cap;
    return 1;
}

/* A growable name set for duplicate checks while parsing: ids into an array
 * of az_name, hashed by name (over every byte, with a random seed). */
struct nameset {
    uint32_t *slot; /* id + 1; 0 = empty */
    uint32_t mask, count;
};

struct field {
    const char *p;
    size_t len;
    size_t col; /* 1-based */
};

struct parser {
    authz_allocator alloc;
    authz_error *err;
    size_t line;
    const char *line_p;
    size_t line_len;
    int seen_scope; /* a scope, alias or public line was read */
    struct vec pool, types, actions, scopes, grants;
    struct nameset type_set, scope_set;
    uint64_t set_seed; /* random per parse: no name list collides on purpose */
    struct field *fields;
    size_t n_fields, fields_cap;
};

static int fail(struct parser *ps, size_t col, const char *what)
{
    az_error_catalog(ps->err, AUTHZ_ECATALOG, ps->line, col, ps->line_p,
                     ps->line_len, what);
    return 0;
}

static int nomem(struct parser *ps)
{
    az_error_plain(ps->err, AUTHZ_ENOMEM, "out of memory");
    return 0;
}

static const char *pool_str(const struct parser *ps, struct az_name n)
{
    return (const char *)ps->pool.p + n.off;
}

/* Finds a name in a set whose ids index `names` (an array of structs that
 * start with an az_name, `stride` bytes apart). */
static int32_t set_find(const struct parser *ps, const struct nameset *set,
                        const void *names, size_t stride, const char *s,
                        size_t n)
{
    uint32_t i;
    if (set->slot == NULL)
        return -1;
    for (i = (uint32_t)az_name_hash(s, n, ps->set_seed) & set->mask;;
         i = (i + 1) & set->mask) {
        uint32_t id = set->slot[i];
        const struct az_name *name;
        if (id == 0)
            return -1;
        name = (const struct az_name *)((const char *)names +
                                        (size_t)(id - 1) * stride);
        if (name->len == n && memcmp(pool_str(ps, *name), s, n) == 0)
            return (int32_t)(id - 1);
    }
}

static int set_add(struct parser *ps, struct nameset *set, const void *names,
                   size_t stride, uint32_t id)
{
    uint32_t i;
    if (set->slot == NULL || 2 * (set->count + 1) > set->mask + 1) {
        uint32_t size = set->slot ? 2 * (set->mask + 1) : 64, k;
        uint32_t *slot = ps->alloc.malloc(ps->alloc.ctx, size * sizeof *slot);
        if (slot == NULL)
            return nomem(ps);
        memset(slot, 0, size * sizeof *slot);
        if (set->slot != NULL) {
            for (k = 0; k <= set->mask; k++) {
                const struct az_name *name;
                if (set->slot[k] == 0)
                    continue;
                name = (const struct az_name *)((const char *)names +
                                                (size_t)(set->slot[k] - 1) *
                                                    stride);
                i = (uint32_t)az_name_hash(pool_str(ps, *name), name->len,
                                           ps->set_seed) &
                    (size - 1);
                while (slot[i] != 0)
                    i = (i + 1) & (size - 1);
                slot[i] = set->slot[k];
            }
            ps->alloc.free(ps->alloc.ctx, set->slot);
        }
        set->slot = slot;
        set->mask = size - 1;
    }
    {
        const struct az_name *name =
            (const struct az_name *)((const char *)names +
                                     (size_t)id * stride);
        i = (uint32_t)az_name_hash(pool_str(ps, *name), name->len,
                                   ps->set_seed) &
            set->mask;
    }
    while (set->slot[i] != 0)
        i = (i + 1) & set->mask;
    set->slot[i] = id + 1;
    set->count++;
    return 1;
}

/* Copies a name into the pool, NUL-terminated. */
static int intern(struct parser *ps, const char *s, size_t n,
                  struct az_name *out)
{
    if (!vec_reserve(&ps->alloc, &ps->pool, 1, n + 1))
        return nomem(ps);
    memcpy((char *)ps->pool.p + ps->pool.len, s, n);
    ((char *)ps->pool.p)[ps->pool.len + n] = '\0';
    out->off = (uint32_t)ps->pool.len;
    out->len = (uint32_t)n;
    ps->pool.len += n + 1;
    return 1;
}

/* Names: a-z 0-9 _ . and, in scope names only, ':' between other bytes. */
static int check_name(struct parser *ps, const struct field *f, int colons,
                      const char *kind)
{
    size_t i;
    char what[96];
    if (f->len > AZ_MAX_NAME_LEN) {
        snprintf(what, sizeof what, "%s name longer than %u bytes", kind,
                 AZ_MAX_NAME_LEN);
        return fail(ps, f->col, what);
    }
    for (i = 0; i < f->len; i++) {
        char c = f->p[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' ||
                 (colons && c == ':' && i > 0 && i + 1 < f->len);
        if (!ok) {
            snprintf(what, sizeof what,
                     "invalid %s name (use a-z 0-9 _ .%s)", kind,
                     colons ? " and inner :" : "");
            return fail(ps, f->col + i, what);
        }
    }
    return 1;
}

#define TYPES(ps) ((struct az_type *)(ps)->types.p)
#define ACTIONS(ps) ((struct az_name *)(ps)->actions.p)
#define SCOPES(ps) ((struct az_scope *)(ps)->scopes.p)
#define GRANTS(ps) ((struct az_grant *)(ps)->grants.p)

static int32_t find_type(const struct parser *ps, const char *s, size_t n)
{
    return set_find(ps, &ps->type_set, ps->types.p, sizeof(struct az_type),
                    s, n);
}

static int32_t find_scope(const struct parser *ps, const char *s, size_t n)
{
    return set_find(ps, &ps->scope_set, ps->scopes.p, sizeof(struct az_scope),
                    s, n);
}

static int32_t find_action(const struct parser *ps, uint32_t type,
                           const char *s, size_t n)
{
    const struct az_type *t = &TYPES(ps)[type];
    uint32_t a;
    for (a = 0; a < t->n_actions; a++) {
        struct az_name name = ACTIONS(ps)[t->first_action + a];
        if (name.len == n && memcmp(pool_str(ps, name), s, n) == 0)
            return (int32_t)a;
    }
    return -1;
}

static int parse_type(struct parser *ps)
{
    const struct field *f = ps->fields;
    struct az_type type;
    size_t i;
    uint32_t id = (uint32_t)ps->types.len;

    if (ps->seen_scope)
        return fail(ps, f[0].col,
                    "type declared after a scope, alias or public line");
    if (ps->n_fields < 3)
        return fail(ps, ps->n_fields < 2 ? f[0].col + f[0].len : f[1].col,
                    ps->n_fields < 2 ? "type needs a name and actions"
                                     : "type needs at least one action");
    if (!check_name(ps, &f[1], 0, "type"))
        return 0;
    if (find_type(ps, f[1].p, f[1].len) >= 0)
        return fail(ps, f[1].col, "duplicate type");
    if (id >= AZ_MAX_TYPES)
        return fail(ps, f[1].col, "too many types (the limit is 4096)");
    if (ps->n_fields - 2 > AZ_MAX_ACTIONS)
        return fail(ps, f[2 + AZ_MAX_ACTIONS].col,
                    "too many actions (the limit is 64)");

    memset(&type, 0, sizeof type);
    if (!intern(ps, f[1].p, f[1].len, &type.name))
        return 0;
    type.first_action = (uint32_t)ps->actions.len;
    if (!vec_reserve(&ps->alloc, &ps->types, sizeof type, 1) ||
        !vec_reserve(&ps->alloc, &ps->actions, sizeof(struct az_name),
                     ps->n_fields - 2))
        return nomem(ps);
    TYPES(ps)[id] = type;
    ps->types.len++;
    for (i = 2; i < ps->n_fields; i++) {
        struct az_name name;
        if (!check_name(ps, &f[i], 0, "action"))
            return 0;
        if (find_action(ps, id, f[i].p, f[i].len) >= 0)
            return fail(ps, f[i].col, "duplicate action");
        if (!intern(ps, f[i].p, f[i].len, &name))
            return 0;
        ACTIONS(ps)[ps->actions.len++] = name;
        TYPES(ps)[id].n_actions++;
    }
    return set_add(ps, &ps->type_set, ps->types.p, sizeof(struct az_type),
                   id);
}

/* A new scope or alias name: valid, unused, and not shaped like `T:A`. */
static int new_scope_name(struct parser *ps, const struct field *f)
{
    const char *colon;
    if (!check_name(ps, f, 1, "scope"))
        return 0;
    if (find_scope(ps, f->p, f->len) >= 0)
        return fail(ps, f->col, "duplicate scope or alias name");
    colon = memchr(f->p, ':', f->len);
    if (colon != NULL && find_type(ps, f->p, (size_t)(colon - f->p)) >= 0)
        return fail(ps, f->col,
                    "scope name collides with a type's T:A scopes");
    if (ps->scopes.len >= AZ_MAX_SCOPES)
        return fail(ps, f->col, "too many scopes (the limit is 65536)");
    return 1;
}

static int add_scope(struct parser *ps, const struct field *f,
                     struct az_scope *sc)
{
    uint32_t id = (uint32_t)ps->scopes.len;
    if (!intern(ps, f->p, f->len, &sc->name))
        return 0;
    if (!vec_reserve(&ps->alloc, &ps->scopes, sizeof *sc, 1))
        return nomem(ps);
    SCOPES(ps)[id] = *sc;
    ps->scopes.len++;
    return set_add(ps, &ps->scope_set, ps->scopes.p, sizeof(struct az_scope),
                   id);
}

/* Resolves `T:A`, `T:*` or `*:*` in a field (from byte `skip` on). */
static int parse_grant(struct parser *ps, const struct field *f, size_t skip,
                       struct az_grant *g)
{
    const char *s = f->p + skip, *colon;
    size_t n = f->len - skip, tlen;
    int32_t t, a;
    colon = memchr(s, ':', n);
    if (colon == NULL || colon == s || colon == s + n - 1)
        return fail(ps, f->col, "grant must be T:A, T:* or *:*");
    tlen = (size_t)(colon - s);
    if (tlen == 1 && s[0] == '*') {
        if (n - tlen - 1 != 1 || colon[1] != '*')
            return fail(ps, f->col + skip + 2,
                        "type \"*\" takes only action \"*\"");
        g->type = AZ_ANY_TYPE;
        g->action = AZ_ALL_ACTIONS;
        return 1;
    }
    t = find_type(ps, s, tlen);
    if (t < 0)
        return fail(ps, f->col + skip, "unknown type");
    g->type = (uint32_t)t;
    if (n - tlen - 1 == 1 && colon[1] == '*') {
        g->action = AZ_ALL_ACTIONS;
        return 1;
    }
    a = find_action(ps, (uint32_t)t, colon + 1, n - tlen - 1);
    if (a < 0)
        return fail(ps, f->col + skip + tlen + 1,
                    "unknown action for this type");
    g->action = (uint32_t)a;
    return 1;
}

static int parse_scope(struct parser *ps)
{
    const struct field *f = ps->fields;
    struct az_scope sc;
    size_t i;
    int positive = 0;

    if (ps->n_fields < 4 || f[2].len != 1 || f[2].p[0] != '=')
        return fail(ps, ps->n_fields < 3 ? f[0].col : f[2].col,
                    "expected: scope NAME = GRANT...");
    if (!new_scope_name(ps, &f[1]))
        return 0;
    memset(&sc, 0, sizeof sc);
    sc.kind = AZ_SCOPE_NAMED;
    sc.first_grant = (uint32_t)ps->grants.len;
    if (!vec_reserve(&ps->alloc, &ps->grants, sizeof(struct az_grant),
                     ps->n_fields - 3))
        return nomem(ps);
    for (i = 3; i < ps->n_fields; i++) {
        struct az_grant g;
        int neg = f[i].p[0] == '-';
        if (!parse_grant(ps, &f[i], neg ? 1 : 0, &g))
            return 0;
        if (neg && g.type == AZ_ANY_TYPE)
            return fail(ps, f[i].col, "cannot subtract *:*");
        g.negative = (uint32_t)neg;
        sc.has_negative |= (uint32_t)neg;
        positive |= !neg;
        GRANTS(ps)[ps->grants.len++] = g;
        sc.n_grants++;
    }
    if (!positive)
        return fail(ps, f[3].col, "scope grants nothing");
    return add_scope(ps, &f[1], &sc);
}

static int parse_alias(struct parser *ps)
{
    const struct field *f = ps->fields;
    struct az_scope sc;
    int32_t target;

    if (ps->n_fields != 4 || f[2].len != 1 || f[2].p[0] != '=')
        return fail(ps, ps->n_fields < 3 ? f[0].col : f[2].col,
                    "expected: alias NAME = SCOPE");
    if (!new_scope_name(ps, &f[1]))
        return 0;
    target = find_scope(ps, f[3].p, f[3].len);
    if (target < 0)
        return fail(ps, f[3].col, "alias to an undeclared scope");
    if (SCOPES(ps)[target].kind == AZ_SCOPE_ALIAS)
        return fail(ps, f[3].col, "alias to an alias (name the scope)");
    memset(&sc, 0, sizeof sc);
    sc.kind = AZ_SCOPE_ALIAS;
    sc.target = (uint32_t)target;
    return add_scope(ps, &f[1], &sc);
}

static int parse_public(struct parser *ps)
{
    const struct field *f = ps->fields;
    size_t i;
    if (ps->n_fields < 2)
        return fail(ps, f[0].col + f[0].len, "public needs names");
    for (i = 1; i < ps->n_fields; i++) {
        struct az_grant g;
        int32_t s = find_scope(ps, f[i].p, f[i].len);
        if (s >= 0) {
            const struct az_scope *sc = &SCOPES(ps)[s];
            /* An alias is another name for its scope: it may only make
             * public what already is (docs/SPEC.md 8.2), else a token could
             * request through the alias what its own normal form (the
             * target) is refused. */
            if (sc->kind == AZ_SCOPE_ALIAS &&
                !SCOPES(ps)[sc->target].is_public)
                return fail(ps, f[i].col,
                            "alias of a scope that is not public (make the "
                            "scope public first)");
            SCOPES(ps)[s].is_public = 1;
            continue;
        }
        if (memchr(f[i].p, ':', f[i].len) == NULL)
            return fail(ps, f[i].col, "unknown scope");
        if (!parse_grant(ps, &f[i], 0, &g))
            return 0;
        if (g.type == AZ_ANY_TYPE)
            return fail(ps, f[i].col,
                        "*:* cannot be public (name a scope that grants it)");
        if (g.action == AZ_ALL_ACTIONS)
            TYPES(ps)[g.type].public_wild = 1;
        else
            TYPES(ps)[g.type].public_mask |= (uint64_t)1 << g.action;
    }
    return 1;
}

/* Splits the current line into fields; rejects bytes that have no place in
 * a catalog. */
static int split(struct parser *ps)
{
    size_t i = 0, n = ps->line_len;
    const char *s = ps->line_p;
    ps->n_fields = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t start;
        if (c == ' ' || c == '\t') {
            i++;
            continue;
        }
        if (c == '#')
            break;
        start = i;
        while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '#') {
            c = (unsigned char)s[i];
            if (c < 0x20 || c >= 0x7f)
                return fail(ps, i + 1,
                            c == '\r' ? "carriage return (use \\n line ends)"
                                      : "unexpected byte");
            i++;
        }
        if (ps->n_fields == ps->fields_cap) {
            size_t cap = ps->fields_cap ? 2 * ps->fields_cap : 32;
            struct field *p;
            if (cap > AZ_MAX_FIELDS)
                return fail(ps, start + 1, "too many fields on one line");
            p = ps->alloc.realloc(ps->alloc.ctx, ps->fields,
                                  cap * sizeof *p);
            if (p == NULL)
                return nomem(ps);
            ps->fields = p;
            ps->fields_cap = cap;
        }
        ps->fields[ps->n_fields].p = s + start;
        ps->fields[ps->n_fields].len = i - start;
        ps->fields[ps->n_fields].col = start + 1;
        ps->n_fields++;
    }
    /* A control byte inside a comment is still rejected. */
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c >= 0x7f)
            return fail(ps, i + 1, "unexpected byte");
    }
    return 1;
}

static int field_is(const struct field *f, const char *word)
{
    size_t n = strlen(word);
    return f->len == n && memcmp(f->p, word, n) == 0;
}

static int parse_line(struct parser *ps)
{
    const struct field *f;
    if (!split(ps))
        return 0;
    if (ps->n_fields == 0)
        return 1;
    f = &ps->fields[0];
    if (field_is(f, "type"))
        return parse_type(ps);
    ps->seen_scope = 1;
    if (field_is(f, "scope"))
        return parse_scope(ps);
    if (field_is(f, "alias"))
        return parse_alias(ps);
    if (field_is(f, "public"))
        return parse_public(ps);
    return fail(ps, f->col,
                "unknown keyword (expected type, scope, alias or public)");
}

static size_t up8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* Packs the parsed arrays into one block and builds its lookup tables. */
static authz_catalog *assemble(struct parser *ps)
{
    struct authz_catalog head;
    size_t n_slots, off_types, off_actions, off_scopes, off_grants, off_slots,
        off_pool, size;
    char *block;
    struct authz_catalog *cat;

    memset(&head, 0, sizeof head);
    head.n_types = (uint32_t)ps->types.len;
    head.n_actions = (uint32_t)ps->actions.len;
    head.n_scopes = (uint32_t)ps->scopes.len;
    head.n_grants = (uint32_t)ps->grants.len;
    n_slots = az_index_slots(&head);

    off_types = up8(sizeof head);
    off_actions = off_types + up8(head.n_types * sizeof(struct az_type));
    off_scopes = off_actions + up8(head.n_actions * sizeof(struct az_name));
    off_grants = off_scopes + up8(head.n_scopes * sizeof(struct az_scope));
    off_slots = off_grants + up8(head.n_grants * sizeof(struct az_grant));
    off_pool = off_slots + n_slots * sizeof(struct az_slot);
    size = off_pool + ps->pool.len;

    block = ps->alloc.malloc(ps->alloc.ctx, size);
    if (block == NULL)
        return nomem(ps), NULL;
    cat = (struct authz_catalog *)block;
    *cat = head;
    if (head.n_types)
        memcpy(block + off_types, ps->types.p,
               head.n_types * sizeof(struct az_type));
    if (head.n_actions)
        memcpy(block + off_actions, ps->actions.p,
               head.n_actions * sizeof(struct az_name));
    if (head.n_scopes)
        memcpy(block + off_scopes, ps->scopes.p,
               head.n_scopes * sizeof(struct az_scope));
    if (head.n_grants)
        memcpy(block + off_grants, ps->grants.p,
               head.n_grants * sizeof(struct az_grant));
    memcpy(block + off_pool, ps->pool.p, ps->pool.len);
    cat->types = (const struct az_type *)(block + off_types);
    cat->actions = (const struct az_name *)(block + off_actions);
    cat->scopes = (const struct az_scope *)(block + off_scopes);
    cat->grants = (const struct az_grant *)(block + off_grants);
    cat->pool = block + off_pool;
    cat->pool_len = (uint32_t)ps->pool.len;
    cat->heap = 1;
    cat->alloc = ps->alloc;
    az_index_build(cat, (struct az_slot *)(block + off_slots));
    cat->fingerprint = az_catalog_fingerprint(cat);
    return cat;
}

static void release(struct parser *ps)
{
    void *bufs[] = {ps->pool.p,         ps->types.p,         ps->actions.p,
                    ps->scopes.p,       ps->grants.p,        ps->fields,
                    ps->type_set.slot, ps->scope_set.slot};
    size_t i;
    for (i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        if (bufs[i] != NULL)
            ps->alloc.free(ps->alloc.ctx, bufs[i]);
}

authz_catalog *authz_catalog_parse_ex(const char *text, size_t len,
                                      const authz_options *opts,
                                      authz_error *err)
{
    struct parser ps;
    struct az_limits lim;
    authz_catalog *cat = NULL;
    size_t pos = 0;

    if (text == NULL && len != 0)
        return az_error_plain(err, AUTHZ_EINVAL, "text is NULL"), NULL;
    if (az_limits_resolve(opts, &lim, err) != AUTHZ_OK)
        return NULL;
    if (len > AZ_MAX_CATALOG_TEXT)
        return az_error_plain(err, AUTHZ_ETOOLONG,
                              "catalog text longer than 16 MiB"),
               NULL;

    memset(&ps, 0, sizeof ps);
    {
        uint64_t key[4];
        az_random_key(key);
        ps.set_seed = key[0];
    }
    ps.alloc = lim.alloc;
    ps.err = err;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        ps.line++;
        ps.line_p = text + pos;
        ps.line_len = end - pos;
        if (!parse_line(&ps))
            goto out;
        pos = end + 1;
    }
    if (ps.types.len == 0) {
        ps.line = ps.line ? ps.line : 1;
        ps.line_p = NULL;
        fail(&ps, 1, "catalog declares no type");
        goto out;
    }
    cat = assemble(&ps);
    if (cat != NULL)
        az_error_ok(err);
out:
    release(&ps);
    return cat;
}

authz_catalog *authz_catalog_parse(const char *text, size_t len,
                                   authz_error *err)
{
    return authz_catalog_parse_ex(text, len, NULL, err);
}
