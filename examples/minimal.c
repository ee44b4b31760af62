/* minimal.c - build a token, check a few requests, print the answers.
 *
 *   cc minimal.c $(pkg-config --cflags --libs authz)
 */
#include <authz.h>
#include <stdio.h>

int main(void)
{
    const char *scopes[] = {"workspace:read", "workspace:start"};
    const char *allow[] = {"workspace:3f2504e0-4f89-41d3-9a0c-0305e82c3301"};
    const char *mine = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    const char *other = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    authz_error err;
    authz_token *tok = authz_token_new(authz_catalog_coder(), scopes, 2,
                                       allow, 1, &err);
    if (tok == NULL) {
        fprintf(stderr, "authz: %s\n", err.message);
        return 1;
    }
    printf("start my workspace:    %s\n",
           authz_check(tok, "workspace", mine, "start") ? "allow" : "deny");
    printf("stop my workspace:     %s\n",
           authz_check(tok, "workspace", mine, "stop") ? "allow" : "deny");
    printf("read another one:      %s\n",
           authz_check(tok, "workspace", other, "read") ? "allow" : "deny");
    printf("create a workspace:    %s\n",
           authz_check(tok, "workspace", "", "create") ? "allow" : "deny");
    authz_token_free(tok);
    return 0;
}
