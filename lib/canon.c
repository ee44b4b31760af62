/*
 * canon.c - the normal form of a compiled token: its scopes in canonical
 * text order and its allow list in docs/SPEC.md 3 order. The encoder, the
 * canonical text and the list getters all read the token through it, so
 * they cannot disagree.
 */
#include "internal.h"

#include <stdlib.h>

int az_ref_cmp(const authz_catalog *cat, uint32_t a, uint32_t b)
{
    char ta[AZ_SCOPE_TEXT_MAX], tb[AZ_SCOPE_TEXT_MAX];
    if (a == b)
        return 0;
    az_scope_format(cat, a, ta, sizeof ta);
    az_scope_format(cat, b, tb, sizeof tb);
    return strcmp(ta, tb);
}

/* Scope references sorted by their text: qsort has no context argument,
 * so each element carries its text. */
struct keyed_ref {
    const char *text;
    uint32_t ref;
};

static int cmp_keyed(const void *pa, const void *pb)
{
    const struct keyed_ref *a = pa, *b = pb;
    return strcmp(a->text, b->text);
}

static size_t count_entries(const authz_token *tok)
{
    size_t n = tok->n_wild, i;
    if (tok->allow_all)
        return 1;
    for (i = 0; i < tok->cap; i++) {
        const struct az_idslot *s = &tok->slots[i];
        if (s->tag == AZ_TAG_MULTI)
            n += tok->overflow[s->aux].tag;
        else if (s->tag != 0)
            n++;
    }
    return n;
}

int az_canon_build(const authz_token *tok, struct az_canon *c)
{
    const authz_catalog *cat = tok->cat;
    size_t n_entries = count_entries(tok), text_len = 0, i, k, size;
    struct keyed_ref *keyed;
    char *texts, buf[AZ_SCOPE_TEXT_MAX];

    memset(c, 0, sizeof *c);
    for (i = 0; i < tok->n_scopes; i++) {
        az_scope_format(cat, az_ref_canonical(cat, tok->scope_refs[i]), buf,
                        sizeof buf);
        text_len += strlen(buf) + 1;
    }
    size = n_entries * sizeof *c->entries +
           tok->n_scopes * (sizeof *keyed + sizeof *c->refs) + text_len;
    if (size == 0)
        return AUTHZ_OK;
    c->mem = tok->alloc.malloc(tok->alloc.ctx, size);
    if (c->mem == NULL)
        return AUTHZ_ENOMEM;
    c->entries = c->mem;
    keyed = (struct keyed_ref *)(c->entries + n_entries);
    c->refs = (uint32_t *)(keyed + tok->n_scopes);
    texts = (char *)(c->refs + tok->n_scopes);

    for (i = 0; i < tok->n_scopes; i++) {
        uint32_t ref = az_ref_canonical(cat, tok->scope_refs[i]);
        az_scope_format(cat, ref, texts, AZ_SCOPE_TEXT_MAX);
        keyed[i].text = texts;
        keyed[i].ref = ref;
        texts += strlen(texts) + 1;
    }
    if (tok->n_scopes > 1)
        qsort(keyed, tok->n_scopes, sizeof *keyed, cmp_keyed);
    for (i = 0; i < tok->n_scopes; i++)
        if (c->n_refs == 0 || keyed[i].ref != c->refs[c->n_refs - 1])
            c->refs[c->n_refs++] = keyed[i].ref;

    if (tok->allow_all) {
        az_centry_set(&c->entries[c->n_entries++], cat, AZ_ANY_TYPE,
                      AZ_ALLOW_WILD, NULL);
        return AUTHZ_OK;
    }
    for (i = 0; i < tok->n_wild; i++)
        az_centry_set(&c->entries[c->n_entries++], cat, tok->wild[i].tag,
                      AZ_ALLOW_WILD, NULL);
    for (i = 0; i < tok->cap; i++) {
        const struct az_idslot *s = &tok->slots[i];
        struct az_uuid id;
        id.hi = s->hi;
        id.lo = s->lo;
        if (s->tag == 0)
            continue;
        if (s->tag != AZ_TAG_MULTI) {
            az_centry_set(&c->entries[c->n_entries++], cat,
                          s->tag == AZ_TAG_ANY ? AZ_ANY_TYPE : s->tag - 1,
                          AZ_ALLOW_UUID, &id);
            continue;
        }
        for (k = 0; k < tok->overflow[s->aux].tag; k++) {
            uint32_t tag = tok->overflow[s->aux + 1 + k].tag;
            az_centry_set(&c->entries[c->n_entries++], cat,
                          tag == AZ_TAG_ANY ? AZ_ANY_TYPE : tag - 1,
                          AZ_ALLOW_UUID, &id);
        }
    }
    if (c->n_entries > 1)
        qsort(c->entries, c->n_entries, sizeof *c->entries, az_centry_cmp);
    return AUTHZ_OK;
}

int az_output_args(const authz_token *token, const void *buf, size_t cap,
                   const size_t *len)
{
    if (token == NULL || len == NULL || (buf == NULL && cap != 0))
        return AUTHZ_EINVAL;
    return AUTHZ_OK;
}

void az_canon_free(const authz_token *tok, struct az_canon *c)
{
    if (c->mem != NULL)
        tok->alloc.free(tok->alloc.ctx, c->mem);
    c->mem = NULL;
}

size_t az_centry_format(const authz_catalog *cat, const struct az_centry *e,
                        char buf[AZ_ENTRY_TEXT_MAX])
{
    return az_entry_format(cat, e->type,
                           e->kind == AZ_ALLOW_UUID ? &e->id : NULL, buf);
}

/* Both lists come out of the canonical view already ordered and unique. */
static authz_list *token_list(const authz_token *token, int scopes,
                              authz_error *err)
{
    struct az_canon c;
    struct az_lb lb;
    size_t i;
    if (token == NULL)
        return az_error_plain(err, AUTHZ_EINVAL, "token is NULL"), NULL;
    if (az_canon_build(token, &c) != AUTHZ_OK)
        return az_error_plain(err, AUTHZ_ENOMEM, "out of memory"), NULL;
    az_lb_init(&lb, &token->alloc);
    for (i = 0; scopes && i < c.n_refs; i++) {
        char buf[AZ_SCOPE_TEXT_MAX];
        az_scope_format(token->cat, c.refs[i], buf, sizeof buf);
        az_lb_add(&lb, buf, strlen(buf));
    }
    for (i = 0; !scopes && i < c.n_entries; i++) {
        char buf[AZ_ENTRY_TEXT_MAX];
        az_lb_add(&lb, buf, az_centry_format(token->cat, &c.entries[i], buf));
    }
    az_canon_free(token, &c);
    return az_lb_finish(&lb, NULL, err);
}

authz_list *authz_token_scopes(const authz_token *token, authz_error *err)
{
    return token_list(token, 1, err);
}

authz_list *authz_token_allow(const authz_token *token, authz_error *err)
{
    return token_list(token, 0, err);
}

struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->len + n < o->cap)
        memcpy(o->buf + o->len, s, n);
    o->len += n;
}

int authz_token_text(const authz_token *token, char *buf, size_t cap,
                     size_t *len)
{
    struct out o = {buf, cap, 0};
    struct az_canon c;
    size_t i;
    if (az_output_args(token, buf, cap, len) != AUTHZ_OK)
        return AUTHZ_EINVAL;
    if (az_canon_build(token, &c) != AUTHZ_OK)
        return AUTHZ_ENOMEM;
    put(&o, "scopes:");
    for (i = 0; i < c.n_refs; i++) {
        char text[AZ_SCOPE_TEXT_MAX];
        az_scope_format(token->cat, c.refs[i], text, sizeof text);
        put(&o, " ");
        put(&o, text);
    }
    put(&o, "\nallow:");
    for (i = 0; i < c.n_entries; i++) {
        char text[AZ_ENTRY_TEXT_MAX];
        az_centry_format(token->cat, &c.entries[i], text);
        put(&o, " ");
        put(&o, text);
    }
    put(&o, "\n");
    az_canon_free(token, &c);
    *len = o.len;
    if (o.len >= cap) {
        if (cap > 0)
            buf[0] = '\0';
        return AUTHZ_ESPACE;
    }
    buf[o.len] = '\0';
    return AUTHZ_OK;
}
