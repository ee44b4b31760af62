/* demo.c - `make demo`: the worked examples of docs/SPEC.md section 7 on the
 * embedded Coder catalog, each with the library's own explanation. */
#include <authz.h>
#include <stdio.h>
#include <string.h>

#define W "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define T "7c9e6679-7425-40de-944b-e07fc1f90ae7"

struct request {
    const char *scope, *allow, *resource, *id, *action;
};

static const struct request requests[] = {
    {"workspace:read", "workspace:" W, "workspace", W, "read"},
    {"workspace:read", "workspace:" W, "workspace", T, "read"},
    {"workspace:read", "workspace:" W, "workspace", W, "update"},
    {"workspace:read", "workspace:" W, "workspace", "", "create"},
    {"workspace:create", "workspace:*", "workspace", "", "create"},
    {"workspace:*", "*:*", "workspace", W, "ssh"},
    {"workspace:*", "*:*", "workspace_dormant", W, "read"},
    {"coder:all", "template:" T, "workspace", W, "read"},
    {"coder:all", "*:" W, "template", W, "read"},
    {"coder:workspaces.access", "*:*", "workspace", W, "ssh"},
    {"coder:workspaces.access", "*:*", "workspace", W, "delete"},
    {"all", "*:*", "user_secret", W, "delete"},
    {"workspace:read", NULL, "workspace", W, "read"},
    {NULL, "*:*", "workspace", W, "read"},
    {"coder:all", "*:*", "workspace", W, "fly"},
    {"api_key:*", "api_key:" W, "api_key", "abcdef1234", "read"},
    {"workspace:read", "workspace:{3F2504E0-4F89-41D3-9A0C-0305E82C3301}",
     "workspace", W, "read"},
};

static const char *short_id(const char *id)
{
    return strcmp(id, W) == 0 ? "W" : strcmp(id, T) == 0 ? "T"
                                   : *id == '\0'          ? "\"\""
                                                          : id;
}

int main(void)
{
    size_t i;
    printf("authz %s, embedded Coder catalog (W = %s, T = %s)\n\n",
           authz_version(), W, T);
    for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        const struct request *r = &requests[i];
        authz_explanation ex;
        authz_error err;
        authz_token *tok = authz_token_new(authz_catalog_coder(), &r->scope,
                                           r->scope ? 1 : 0, &r->allow,
                                           r->allow ? 1 : 0, &err);
        if (tok == NULL) {
            fprintf(stderr, "demo: %s\n", err.message);
            return 1;
        }
        bool allowed = authz_explain(tok, r->resource, r->id, r->action, &ex);
        printf("scopes [%s]  allow [%s]\n  %s %s %s -> %s",
               r->scope ? r->scope : "", r->allow ? r->allow : "",
               r->resource, short_id(r->id), r->action,
               allowed ? "allow" : "deny");
        if (allowed)
            printf(" (granted by %s, admitted by %s)\n", ex.scope, ex.allow);
        else
            printf(" (%s)\n", authz_reason_str(ex.reason));
        authz_token_free(tok);
    }
    return 0;
}
