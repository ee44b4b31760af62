/*
 * catalog.h - the compiled form of a catalog: limits, types, actions, named
 * scopes and their grants, the lookup tables.
 * Private: part of internal.h.
 */
#ifndef AUTHZ_CATALOG_H
#define AUTHZ_CATALOG_H

#include "base.h"

/* Limits of the compiled form. Actions index a 64-bit mask; the type count
 * bounds the per-token mask array and the stack bitset used while building. */
#define AZ_MAX_ACTIONS 64u
#define AZ_MAX_TYPES 4096u
#define AZ_MAX_NAME_LEN 128u

/* Room for the canonical text of a scope with its NUL: `type:action` (a
 * named scope is a single name). */
#define AZ_SCOPE_TEXT_MAX (2 * AZ_MAX_NAME_LEN + 2)
/* Room for the text of an allow entry with its NUL: `type:` and a UUID in
 * its 36-character form. */
#define AZ_ENTRY_TEXT_MAX (AZ_MAX_NAME_LEN + 1 + 36 + 1)

/* In a grant: the `*` type, and the `*` action. */
#define AZ_ANY_TYPE UINT32_MAX
#define AZ_ALL_ACTIONS UINT32_MAX

struct az_name {
    uint32_t off; /* into catalog->pool, NUL-terminated there */
    uint32_t len;
};

struct az_type {
    struct az_name name;
    uint32_t first_action; /* into catalog->actions */
    uint32_t n_actions;
    uint64_t public_mask;  /* actions whose `T:A` is a public scope */
    uint32_t public_wild;  /* 1 when `T:*` is a public scope */
    uint32_t pad_;
};

enum { AZ_SCOPE_NAMED = 0, AZ_SCOPE_ALIAS = 1 };

struct az_scope {
    struct az_name name;
    uint32_t kind;        /* AZ_SCOPE_NAMED or AZ_SCOPE_ALIAS */
    uint32_t target;      /* alias: index of the named scope it stands for */
    uint32_t first_grant; /* named: into catalog->grants */
    uint32_t n_grants;
    uint32_t is_public;
    uint32_t has_negative; /* some grant subtracts */
};

struct az_grant {
    uint32_t type;   /* type index or AZ_ANY_TYPE */
    uint32_t action; /* action bit or AZ_ALL_ACTIONS */
    uint32_t negative;
};

/* One slot of a catalog lookup table: open addressing, linear probing, a
 * power-of-two size at least twice the entry count so every probe ends. */
struct az_slot {
    uint32_t hash; /* az_slot_hash of the name, to skip most compares */
    uint32_t id;   /* entry + 1 (actions: type << 6 | bit, + 1); 0 = empty */
};

struct authz_catalog {
    uint64_t seed; /* of the name hash; chosen at build to keep probes short */
    uint64_t fingerprint; /* az_catalog_fingerprint of the content */
    uint32_t n_types, n_actions, n_scopes, n_grants;
    uint32_t type_mask, action_mask, scope_mask; /* table size - 1 */
    uint32_t pool_len;
    const char *pool;
    const struct az_type *types;
    const struct az_name *actions;
    const struct az_scope *scopes;
    const struct az_grant *grants;
    const struct az_slot *type_index;
    const struct az_slot *action_index; /* keyed by (type name, action) */
    const struct az_slot *scope_index;
    /* A parsed catalog is one block from `alloc`; the embedded catalog is
     * static data (heap = 0) and is never freed. */
    uint32_t heap;
    authz_allocator alloc;
};

/* Builds the three lookup tables of a catalog whose names, types, actions and
 * scopes are filled in. Tables are carved from `mem`, which must hold
 * az_index_slots(cat) slots. Picks the seed with the shortest worst probe. */
size_t az_index_slots(const struct authz_catalog *cat);

/* The text of one grant of a named scope, as the catalog format writes it
 * (`T:A`, `T:*`, `*:*`, with `-` when it subtracts). */
#define AZ_GRANT_TEXT_SIZE (2 * AZ_MAX_NAME_LEN + 3)
void az_grant_format(const authz_catalog *cat, const struct az_grant *g,
                     char *buf, size_t cap);

/* FNV-1a over everything an encoded token refers to, in order. */
uint64_t az_catalog_fingerprint(const struct authz_catalog *cat);
void az_index_build(struct authz_catalog *cat, struct az_slot *mem);

AZ_INLINE const char *az_name_ptr(const authz_catalog *cat, struct az_name n)
{
    return cat->pool + n.off;
}

#endif /* AUTHZ_CATALOG_H */
