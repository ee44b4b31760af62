/*
 * ref_model.c - the naive reference model; see ref_model.h.
 *
 * Everything here is read off docs/SPEC.md. A token is two plain arrays:
 * the (type, action) grants its scopes produce and the (type, id) entries of
 * its allow list. A check scans both.
 */
#include "ref_model.h"

#include "authz.h" /* only for the AUTHZ_E* codes */

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* docs/SPEC.md 6.1: types and actions                                       */
/* ------------------------------------------------------------------------ */

#define CRUD "create", "read", "update", "delete"
#define WORKSPACE_ACTIONS                                                     \
    CRUD, "start", "stop", "ssh", "application_connect", "create_agent",      \
        "delete_agent", "update_agent", "share"

struct catalog_type {
    const char *name;
    const char *actions[16]; /* NULL-terminated */
};

static const struct catalog_type CATALOG[] = {
    {"user", {CRUD, "read_personal", "update_personal", NULL}},
    {"workspace", {WORKSPACE_ACTIONS, NULL}},
    {"workspace_dormant", {WORKSPACE_ACTIONS, NULL}},
    {"prebuilt_workspace", {"update", "delete", NULL}},
    {"chat", {CRUD, "share", NULL}},
    {"chat_automation", {CRUD, NULL}},
    {"chat_model_config", {CRUD, "share", NULL}},
    {"chat_project", {CRUD, NULL}},
    {"chat_project_memory", {"create", "read", "delete", NULL}},
    {"mcp_server_config", {CRUD, "share", NULL}},
    {"organization_skill", {CRUD, "share", NULL}},
    {"workspace_proxy", {CRUD, NULL}},
    {"workspace_build_orchestration", {CRUD, NULL}},
    {"license", {"create", "read", "delete", NULL}},
    {"audit_log", {"create", "read", NULL}},
    {"connection_log", {"read", "update", NULL}},
    {"deployment_config", {"read", "update", NULL}},
    {"deployment_stats", {"read", NULL}},
    {"replicas", {"read", NULL}},
    {"template", {CRUD, "use", "view_insights", NULL}},
    {"group", {CRUD, NULL}},
    {"group_member", {"read", NULL}},
    {"file", {"create", "read", NULL}},
    {"provisioner_daemon", {CRUD, NULL}},
    {"provisioner_jobs", {"create", "read", "update", NULL}},
    {"organization", {CRUD, NULL}},
    {"organization_member", {CRUD, NULL}},
    {"debug_info", {"read", NULL}},
    {"system", {CRUD, NULL}},
    {"api_key", {CRUD, NULL}},
    {"tailnet_coordinator", {CRUD, NULL}},
    {"assign_role", {"assign", "unassign", "read", NULL}},
    {"assign_org_role", {"assign", "unassign", CRUD, NULL}},
    {"oauth2_app", {CRUD, NULL}},
    {"oauth2_app_secret", {CRUD, NULL}},
    {"oauth2_app_code_token", {"create", "read", "delete", NULL}},
    {"notification_message", {CRUD, NULL}},
    {"notification_template", {"read", "update", NULL}},
    {"notification_preference", {"read", "update", NULL}},
    {"webpush_subscription", {"create", "read", "delete", NULL}},
    {"inbox_notification", {"create", "read", "update", NULL}},
    {"crypto_key", {CRUD, NULL}},
    {"idpsync_settings", {"read", "update", NULL}},
    {"workspace_agent_resource_monitor", {"create", "read", "update", NULL}},
    {"workspace_agent_devcontainers", {"create", NULL}},
    {"user_secret", {CRUD, NULL}},
    {"user_skill", {CRUD, NULL}},
    {"usage_event", {"create", "read", "update", NULL}},
    {"aibridge_interception", {"create", "read", "update", NULL}},
    {"ai_model_price", {"read", "update", NULL}},
    {"ai_provider", {CRUD, NULL}},
    {"ai_seat", {"create", "read", NULL}},
    {"boundary_log", {"create", "read", "delete", NULL}},
    {"boundary_usage", {"read", "update", "delete", NULL}},
    {"ai_gateway_key", {CRUD, NULL}},
};

#define N_TYPES (sizeof CATALOG / sizeof CATALOG[0])

/* ------------------------------------------------------------------------ */
/* docs/SPEC.md 2 and 6.3: named scopes                                      */
/* ------------------------------------------------------------------------ */

/* One row per (name, type, action) grant; "*" is the wildcard. */
struct named_grant {
    const char *name;
    const char *type;
    const char *action;
};

static const struct named_grant COMPOSITES[] = {
    {"coder:workspaces.create", "template", "read"},
    {"coder:workspaces.create", "template", "use"},
    {"coder:workspaces.create", "workspace", "create"},
    {"coder:workspaces.create", "workspace", "update"},
    {"coder:workspaces.create", "workspace", "read"},
    {"coder:workspaces.create", "workspace", "start"},
    {"coder:workspaces.create", "workspace", "stop"},
    {"coder:workspaces.create", "organization_member", "read"},

    {"coder:workspaces.operate", "template", "read"},
    {"coder:workspaces.operate", "workspace", "read"},
    {"coder:workspaces.operate", "workspace", "update"},
    {"coder:workspaces.operate", "workspace", "start"},
    {"coder:workspaces.operate", "workspace", "stop"},
    {"coder:workspaces.operate", "organization_member", "read"},

    {"coder:workspaces.delete", "template", "read"},
    {"coder:workspaces.delete", "template", "use"},
    {"coder:workspaces.delete", "workspace", "read"},
    {"coder:workspaces.delete", "workspace", "delete"},
    {"coder:workspaces.delete", "organization_member", "read"},

    {"coder:workspaces.access", "template", "read"},
    {"coder:workspaces.access", "organization_member", "read"},
    {"coder:workspaces.access", "workspace", "read"},
    {"coder:workspaces.access", "workspace", "ssh"},
    {"coder:workspaces.access", "workspace", "application_connect"},

    {"coder:templates.build", "template", "read"},
    {"coder:templates.build", "file", "create"},
    {"coder:templates.build", "file", "read"},
    {"coder:templates.build", "provisioner_jobs", "read"},

    {"coder:templates.author", "template", "read"},
    {"coder:templates.author", "template", "create"},
    {"coder:templates.author", "template", "update"},
    {"coder:templates.author", "template", "delete"},
    {"coder:templates.author", "template", "view_insights"},
    {"coder:templates.author", "file", "create"},
    {"coder:templates.author", "file", "read"},

    {"coder:apikeys.manage_self", "api_key", "read"},
    {"coder:apikeys.manage_self", "api_key", "create"},
    {"coder:apikeys.manage_self", "api_key", "update"},
    {"coder:apikeys.manage_self", "api_key", "delete"},
};

#define N_COMPOSITE_ROWS (sizeof COMPOSITES / sizeof COMPOSITES[0])

struct alias {
    const char *name;
    const char *means;
};

static const struct alias ALIASES[] = {
    {"all", "coder:all"},
    {"application_connect", "coder:application_connect"},
};

/* Builtins, aliases and composites, each name once. */
static const char *const NAMED_SCOPES[] = {
    "coder:all",
    "coder:application_connect",
    "no_user_data",
    "all",
    "application_connect",
    "coder:workspaces.create",
    "coder:workspaces.operate",
    "coder:workspaces.delete",
    "coder:workspaces.access",
    "coder:templates.build",
    "coder:templates.author",
    "coder:apikeys.manage_self",
};

#define N_NAMED_SCOPES (sizeof NAMED_SCOPES / sizeof NAMED_SCOPES[0])

/* ------------------------------------------------------------------------ */
/* Catalog look-ups                                                          */
/* ------------------------------------------------------------------------ */

size_t ref_n_types(void) { return N_TYPES; }

const char *ref_type_name(size_t i) { return i < N_TYPES ? CATALOG[i].name : NULL; }

size_t ref_n_actions(size_t type)
{
    size_t n = 0;
    if (type >= N_TYPES)
        return 0;
    while (CATALOG[type].actions[n] != NULL)
        n++;
    return n;
}

const char *ref_action_name(size_t type, size_t j)
{
    return j < ref_n_actions(type) ? CATALOG[type].actions[j] : NULL;
}

bool ref_find_type(const char *name, size_t *index)
{
    for (size_t i = 0; i < N_TYPES; i++) {
        if (strcmp(CATALOG[i].name, name) == 0) {
            if (index != NULL)
                *index = i;
            return true;
        }
    }
    return false;
}

bool ref_type_has_action(size_t type, const char *action)
{
    for (size_t j = 0; j < ref_n_actions(type); j++)
        if (strcmp(CATALOG[type].actions[j], action) == 0)
            return true;
    return false;
}

size_t ref_n_named_scopes(void) { return N_NAMED_SCOPES; }

const char *ref_named_scope(size_t i) { return i < N_NAMED_SCOPES ? NAMED_SCOPES[i] : NULL; }

/* ------------------------------------------------------------------------ */
/* UUIDs (docs/SPEC.md 3)                                                    */
/* ------------------------------------------------------------------------ */

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char to_lower_ascii(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool equal_ignoring_ascii_case(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (to_lower_ascii(a[i]) != to_lower_ascii(b[i]))
            return false;
    return true;
}

static bool is_dash_position(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

/* The 36-character 8-4-4-4-12 form, any case, at s (exactly 36 bytes). */
static bool parse_uuid36(const char *s, char out[37])
{
    for (size_t i = 0; i < 36; i++) {
        if (is_dash_position(i)) {
            if (s[i] != '-')
                return false;
            out[i] = '-';
        } else {
            if (!is_hex(s[i]))
                return false;
            out[i] = to_lower_ascii(s[i]);
        }
    }
    out[36] = '\0';
    return true;
}

bool ref_parse_uuid(const char *s, char out[37])
{
    size_t n = strlen(s);

    if (n == 36)
        return parse_uuid36(s, out);

    if (n == 38 && s[0] == '{' && s[37] == '}')
        return parse_uuid36(s + 1, out);

    if (n == 45 && equal_ignoring_ascii_case(s, "urn:uuid:", 9))
        return parse_uuid36(s + 9, out);

    if (n == 32) {
        size_t k = 0;
        for (size_t i = 0; i < 32; i++) {
            if (!is_hex(s[i]))
                return false;
            if (is_dash_position(k))
                out[k++] = '-';
            out[k++] = to_lower_ascii(s[i]);
        }
        out[36] = '\0';
        return true;
    }

    return false;
}

/* ------------------------------------------------------------------------ */
/* The token                                                                 */
/* ------------------------------------------------------------------------ */

struct grant {
    const char *type;   /* a catalog type name or "*" (static strings) */
    const char *action; /* an action name or "*" */
};

struct allow_entry {
    const char *type; /* a catalog type name or "*" */
    char id[37];      /* "*" or a lower-case 36-character UUID */
};

struct ref_token {
    struct grant *grants;
    size_t n_grants, cap_grants;
    struct allow_entry *entries;
    size_t n_entries, cap_entries;
};

/* The arrays double as they fill: a list of n costs n, not n^2, copies. */
static bool add_grant(ref_token *t, const char *type, const char *action)
{
    if (t->n_grants == t->cap_grants) {
        size_t cap = t->cap_grants != 0 ? 2 * t->cap_grants : 16;
        struct grant *bigger = realloc(t->grants, cap * sizeof *bigger);
        if (bigger == NULL)
            return false;
        t->grants = bigger;
        t->cap_grants = cap;
    }
    t->grants[t->n_grants].type = type;
    t->grants[t->n_grants].action = action;
    t->n_grants++;
    return true;
}

static bool add_entry(ref_token *t, const char *type, const char *id)
{
    if (t->n_entries == t->cap_entries) {
        size_t cap = t->cap_entries != 0 ? 2 * t->cap_entries : 16;
        struct allow_entry *bigger = realloc(t->entries, cap * sizeof *bigger);
        if (bigger == NULL)
            return false;
        t->entries = bigger;
        t->cap_entries = cap;
    }
    t->entries[t->n_entries].type = type;
    strcpy(t->entries[t->n_entries].id, id);
    t->n_entries++;
    return true;
}

/* Any byte that is not printable, non-space ASCII: space, C0 controls, DEL
 * and every byte >= 0x80, all of them malformed (docs/SPEC.md 2). No catalog
 * name can contain one; the library reports it as an "unexpected byte". */
static bool has_unexpected_byte(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f)
            return true;
    }
    return false;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The static catalog string equal to name, or NULL. Grants and entries
 * point at catalog strings so they never own memory. */
static const char *catalog_type_name(const char *name)
{
    size_t i;
    return ref_find_type(name, &i) ? CATALOG[i].name : NULL;
}

static const char *catalog_action_name(const char *type, const char *action)
{
    size_t i;
    if (!ref_find_type(type, &i))
        return NULL;
    for (size_t j = 0; CATALOG[i].actions[j] != NULL; j++)
        if (strcmp(CATALOG[i].actions[j], action) == 0)
            return CATALOG[i].actions[j];
    return NULL;
}

#define TRY_GRANT(t, type, action)                                            \
    do {                                                                      \
        if (!add_grant((t), (type), (action)))                                \
            return AUTHZ_ENOMEM;                                              \
    } while (0)

/* docs/SPEC.md 2: adds the grants of one scope, or says why it is invalid. */
static int add_scope(ref_token *t, const char *scope)
{
    if (scope == NULL)
        return AUTHZ_EINVAL;
    if (strlen(scope) > REF_MAX_ENTRY_LEN)
        return AUTHZ_ETOOLONG;
    if (has_unexpected_byte(scope))
        return AUTHZ_ESYNTAX;

    /* 2. Aliases: replace by the canonical name, then treat as a builtin. */
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++)
        if (strcmp(scope, ALIASES[i].name) == 0)
            scope = ALIASES[i].means;

    /* 1. Builtins. */
    if (strcmp(scope, "coder:all") == 0) {
        TRY_GRANT(t, "*", "*");
        return AUTHZ_OK;
    }
    if (strcmp(scope, "coder:application_connect") == 0) {
        TRY_GRANT(t, "workspace", "application_connect");
        return AUTHZ_OK;
    }
    if (strcmp(scope, "no_user_data") == 0) {
        for (size_t i = 0; i < N_TYPES; i++)
            if (strcmp(CATALOG[i].name, "user") != 0)
                TRY_GRANT(t, CATALOG[i].name, "*");
        return AUTHZ_OK;
    }

    /* 3. Composites. */
    bool is_composite = false;
    for (size_t i = 0; i < N_COMPOSITE_ROWS; i++) {
        if (strcmp(scope, COMPOSITES[i].name) == 0) {
            TRY_GRANT(t, COMPOSITES[i].type, COMPOSITES[i].action);
            is_composite = true;
        }
    }
    if (is_composite)
        return AUTHZ_OK;

    /* 4. Low-level R:A, split at the first colon. */
    /* No colon: a word that is no named scope is an unknown scope (it may
     * be a mistyped alias such as "all"), as include/authz.h says. */
    const char *colon = strchr(scope, ':');
    if (scope[0] == '\0')
        return AUTHZ_ESYNTAX;
    if (colon == NULL)
        return AUTHZ_ESCOPE;
    size_t type_len = (size_t)(colon - scope);
    const char *action = colon + 1;
    if (type_len == 0 || *action == '\0')
        return AUTHZ_ESYNTAX;

    /* Any other coder:... name is an unknown named scope ("coder" is not a
     * type). An empty name ("coder:") was already a syntax error above. */
    if (starts_with(scope, "coder:"))
        return AUTHZ_ESCOPE;

    char type[REF_MAX_ENTRY_LEN + 1];
    memcpy(type, scope, type_len);
    type[type_len] = '\0';

    if (strcmp(type, "*") == 0) {
        if (strcmp(action, "*") != 0)
            return AUTHZ_EACTION;
        TRY_GRANT(t, "*", "*");
        return AUTHZ_OK;
    }

    const char *known_type = catalog_type_name(type);
    if (known_type == NULL)
        return AUTHZ_ETYPE;
    if (strcmp(action, "*") == 0) {
        TRY_GRANT(t, known_type, "*");
        return AUTHZ_OK;
    }
    const char *known_action = catalog_action_name(known_type, action);
    if (known_action == NULL)
        return AUTHZ_EACTION;
    TRY_GRANT(t, known_type, known_action);
    return AUTHZ_OK;
}

/* docs/SPEC.md 3: adds one allow entry, or returns why it is invalid. */
static int add_allow(ref_token *t, const char *entry)
{
    if (entry == NULL)
        return AUTHZ_EINVAL;
    if (strlen(entry) > REF_MAX_ENTRY_LEN)
        return AUTHZ_ETOOLONG;
    if (has_unexpected_byte(entry))
        return AUTHZ_ESYNTAX;

    const char *colon = strchr(entry, ':');
    if (colon == NULL)
        return AUTHZ_ESYNTAX;
    size_t type_len = (size_t)(colon - entry);
    const char *id = colon + 1;
    if (type_len == 0 || *id == '\0')
        return AUTHZ_ESYNTAX;

    char type[REF_MAX_ENTRY_LEN + 1];
    memcpy(type, entry, type_len);
    type[type_len] = '\0';

    const char *known_type = strcmp(type, "*") == 0 ? "*" : catalog_type_name(type);
    if (known_type == NULL)
        return AUTHZ_ETYPE;

    char uuid[37];
    if (strcmp(id, "*") == 0)
        strcpy(uuid, "*");
    else if (!ref_parse_uuid(id, uuid))
        return AUTHZ_EUUID;

    return add_entry(t, known_type, uuid) ? AUTHZ_OK : AUTHZ_ENOMEM;
}

static ref_token *fail(ref_token *t, int *err_code, int code)
{
    ref_token_free(t);
    if (err_code != NULL)
        *err_code = code;
    return NULL;
}

ref_token *ref_token_new(const char *const *scopes, size_t n_scopes,
                         const char *const *allow, size_t n_allow,
                         size_t max_allow, int *err_code)
{
    if ((scopes == NULL && n_scopes > 0) || (allow == NULL && n_allow > 0))
        return fail(NULL, err_code, AUTHZ_EINVAL);
    if (n_scopes > REF_MAX_SCOPES || n_allow > max_allow)
        return fail(NULL, err_code, AUTHZ_ELIMIT);

    ref_token *t = calloc(1, sizeof *t);
    if (t == NULL)
        return fail(NULL, err_code, AUTHZ_ENOMEM);

    for (size_t i = 0; i < n_scopes; i++) {
        int code = add_scope(t, scopes[i]);
        if (code != AUTHZ_OK)
            return fail(t, err_code, code);
    }
    for (size_t i = 0; i < n_allow; i++) {
        int code = add_allow(t, allow[i]);
        if (code != AUTHZ_OK)
            return fail(t, err_code, code);
    }

    if (err_code != NULL)
        *err_code = AUTHZ_OK;
    return t;
}

void ref_token_free(ref_token *t)
{
    if (t == NULL)
        return;
    free(t->grants);
    free(t->entries);
    free(t);
}

/* ------------------------------------------------------------------------ */
/* The check (docs/SPEC.md 4)                                                */
/* ------------------------------------------------------------------------ */

static bool is_star(const char *s) { return strcmp(s, "*") == 0; }

static bool scope_grants(const ref_token *t, const char *resource, const char *action)
{
    for (size_t i = 0; i < t->n_grants; i++) {
        const struct grant *g = &t->grants[i];
        bool type_ok = is_star(g->type) || strcmp(g->type, resource) == 0;
        bool action_ok = is_star(g->action) || strcmp(g->action, action) == 0;
        if (type_ok && action_ok)
            return true;
    }
    return false;
}

static bool allow_list_admits(const ref_token *t, const char *resource, const char *id)
{
    char uuid[37];
    bool id_is_uuid = id != NULL && ref_parse_uuid(id, uuid);

    for (size_t i = 0; i < t->n_entries; i++) {
        const struct allow_entry *e = &t->entries[i];
        bool type_ok = is_star(e->type) || strcmp(e->type, resource) == 0;
        if (!type_ok)
            continue;
        if (is_star(e->id))
            return true; /* *:* or resource:* */
        if (id_is_uuid && strcmp(e->id, uuid) == 0)
            return true; /* resource:<id> or *:<id> */
    }
    return false;
}

bool ref_check(const ref_token *t, const char *resource, const char *id, const char *action)
{
    if (t == NULL || resource == NULL || action == NULL)
        return false;

    size_t type;
    if (!ref_find_type(resource, &type) || !ref_type_has_action(type, action))
        return false;

    return scope_grants(t, resource, action) && allow_list_admits(t, resource, id);
}
