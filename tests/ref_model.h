/*
 * ref_model.h - a deliberately naive model of docs/SPEC.md sections 2,
 * 3, 4 and 6 (scopes, allow entries, the check, Coder's catalog).
 *
 * It shares no code with lib/: it is written straight from docs/SPEC.md with
 * plain string tables and linear scans, so that the differential test
 * (check_diff.c) can catch bugs in the fast library. Readability and
 * fidelity to docs/SPEC.md matter; speed does not.
 *
 * Error codes are the AUTHZ_E* values of include/authz.h.
 */
#ifndef REF_MODEL_H
#define REF_MODEL_H

#include <stdbool.h>
#include <stddef.h>

/* Limits the model applies, the library's documented defaults. */
#define REF_MAX_SCOPES 256    /* AUTHZ_DEFAULT_MAX_SCOPES */
#define REF_MAX_ENTRY_LEN 256 /* AUTHZ_DEFAULT_MAX_ENTRY_LEN, bytes */
#define REF_DEFAULT_MAX_ALLOW 128

typedef struct ref_token ref_token;

/* Builds a token from NUL-terminated scopes and allow entries. Returns NULL
 * on the first invalid input and sets *err_code (if err_code is not NULL) to
 * an AUTHZ_E* code; on success sets it to AUTHZ_OK. Order of the checks:
 * NULL arrays, list counts (scopes > REF_MAX_SCOPES, allow > max_allow),
 * then each scope in order, then each allow entry in order. */
ref_token *ref_token_new(const char *const *scopes, size_t n_scopes,
                         const char *const *allow, size_t n_allow,
                         size_t max_allow, int *err_code);

/* docs/SPEC.md section 4. */
bool ref_check(const ref_token *t, const char *resource, const char *id,
               const char *action);

void ref_token_free(ref_token *t);

/* Parses one UUID in any of the four spellings of docs/SPEC.md 3 and writes
 * its lower-case 36-character form (plus NUL) to out. */
bool ref_parse_uuid(const char *s, char out[37]);

/* The catalog of docs/SPEC.md section 6, for test generators. */
size_t ref_n_types(void);
const char *ref_type_name(size_t i);
size_t ref_n_actions(size_t type);
const char *ref_action_name(size_t type, size_t j);
/* Index of a type name, or false if it is not a catalog type. */
bool ref_find_type(const char *name, size_t *index);
bool ref_type_has_action(size_t type, const char *action);

/* Every named scope: builtins, aliases, composites. */
size_t ref_n_named_scopes(void);
const char *ref_named_scope(size_t i);

#endif /* REF_MODEL_H */
