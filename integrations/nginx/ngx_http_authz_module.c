
/*
 * ngx_http_authz_module - bearer tokens with Coder's scopes and allow lists,
 * decided inside nginx by libauthz (no subrequest, no extra hop).
 *
 *     authz_catalog FILE;             http; default: the Coder catalog
 *     authz_tokens FILE;              http, server, location
 *     authz RESOURCE ID ACTION;       location, if in location
 *     authz off;
 *
 * The tokens file (integrations/common/authz_tokens_file.h) holds one
 * "SHA256HEX SCOPES ALLOW" line per token; every line is compiled when the
 * configuration is loaded. A request presents its secret as
 * "Authorization: Bearer SECRET" or "Coder-Session-Token: SECRET"; the
 * module hashes it (OpenSSL's SHA-256), finds the token by digest (compared
 * in constant time) and checks RESOURCE ID ACTION (complex values; an empty
 * ID is an object without an id, a create). No or an unknown secret: 401
 * with "WWW-Authenticate: Bearer"; a deny: 403; an allow: the request goes
 * on. Semantics: docs/SPEC.md.
 *
 * Variables: $authz_reason (why, static text), $authz_token (the first 8 hex
 * digits of the token's digest).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

/*
 * SHA-256 through OpenSSL's SHA256_Init/Update/Final, as nginx's own
 * ngx_event_openssl.h does with its digests: deprecated in OpenSSL 3 in
 * favour of EVP, whose digest context allocates, frees and dispatches
 * through the provider on every request. These calls allocate nothing and
 * run the same code (SHA extensions where the CPU has them).
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <authz.h>
#include "authz_tokens_file.h"


typedef struct {
    ngx_str_t                  name;      /* full path */
    aztf_table                *table;
} ngx_http_authz_tokens_t;


typedef struct {
    const authz_catalog       *catalog;
    ngx_str_t                  catalog_file;
    ngx_uint_t                 catalog_used;
    ngx_array_t                files;     /* of ngx_http_authz_tokens_t * */
    ngx_int_t                  reason_index;
    ngx_int_t                  token_index;
} ngx_http_authz_main_conf_t;


typedef struct {
    ngx_http_authz_tokens_t   *tokens;
    ngx_flag_t                 enable;
    ngx_http_complex_value_t  *resource;
    ngx_http_complex_value_t  *id;
    ngx_http_complex_value_t  *action;
    ngx_flag_t                 resolved;  /* resource and action are fixed */
    authz_target               target;
    ngx_str_t                  file;      /* where "authz" was set */
    ngx_uint_t                 line;
} ngx_http_authz_loc_conf_t;


static ngx_int_t ngx_http_authz_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_authz_subrequest_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_authz_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_authz_add_variables(ngx_conf_t *cf);
static ngx_int_t ngx_http_authz_init(ngx_conf_t *cf);
static void *ngx_http_authz_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_authz_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_authz_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_authz_catalog(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_authz_tokens(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_authz(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);


static ngx_command_t  ngx_http_authz_commands[] = {

    { ngx_string("authz_catalog"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_authz_catalog,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("authz_tokens"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_authz_tokens,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("authz"),
      NGX_HTTP_LOC_CONF|NGX_HTTP_LIF_CONF|NGX_CONF_TAKE13,
      ngx_http_authz,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_authz_module_ctx = {
    ngx_http_authz_add_variables,          /* preconfiguration */
    ngx_http_authz_init,                   /* postconfiguration */

    ngx_http_authz_create_main_conf,       /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_authz_create_loc_conf,        /* create location configuration */
    ngx_http_authz_merge_loc_conf          /* merge location configuration */
};


ngx_module_t  ngx_http_authz_module = {
    NGX_MODULE_V1,
    &ngx_http_authz_module_ctx,            /* module context */
    ngx_http_authz_commands,               /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


#define NGX_HTTP_AUTHZ_VAR_REASON  0
#define NGX_HTTP_AUTHZ_VAR_TOKEN   1

static ngx_http_variable_t  ngx_http_authz_vars[] = {

    { ngx_string("authz_reason"), NULL, ngx_http_authz_variable,
      NGX_HTTP_AUTHZ_VAR_REASON, 0, 0 },

    { ngx_string("authz_token"), NULL, ngx_http_authz_variable,
      NGX_HTTP_AUTHZ_VAR_TOKEN, 0, 0 },

      ngx_http_null_variable
};


/* Reasons of the module's own; the library's come from authz_reason_str. */
static const char  ngx_http_authz_no_secret[] = "no bearer token";
static const char  ngx_http_authz_malformed[] = "malformed credentials";
static const char  ngx_http_authz_unknown[] = "unknown token";

static ngx_str_t  ngx_http_authz_session_header =
    ngx_string("Coder-Session-Token");


static ngx_int_t
ngx_http_authz_sha256(const u_char *data, size_t len, u_char *digest)
{
    SHA256_CTX  c;

    if (SHA256_Init(&c) != 1
        || SHA256_Update(&c, data, len) != 1
        || SHA256_Final(digest, &c) != 1)
    {
        OPENSSL_cleanse(&c, sizeof(SHA256_CTX));
        return NGX_ERROR;
    }

    /* the context held the secret's last block */
    OPENSSL_cleanse(&c, sizeof(SHA256_CTX));

    return NGX_OK;
}


static int
ngx_http_authz_memcmp(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n);
}


static void
ngx_http_authz_set_var(ngx_http_request_t *r, ngx_int_t index,
    const char *text, size_t len)
{
    ngx_http_variable_value_t  *v;

    v = &r->variables[index];
    v->data = (u_char *) text;
    v->len = len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
}


static void
ngx_http_authz_set_reason(ngx_http_request_t *r,
    ngx_http_authz_main_conf_t *amcf, const char *text)
{
    ngx_http_authz_set_var(r, amcf->reason_index, text, ngx_strlen(text));
}


/*
 * The secret: "Authorization: Bearer SECRET" or "Coder-Session-Token:
 * SECRET". NGX_DECLINED: none given; NGX_ERROR: malformed or ambiguous (two
 * credentials); NGX_OK: *secret set (non-empty, no blanks).
 */
static ngx_int_t
ngx_http_authz_secret(ngx_http_request_t *r, ngx_str_t *secret)
{
    u_char           *p, *last;
    ngx_uint_t        i, found;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h, *session;

    session = NULL;
    found = 0;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == ngx_http_authz_session_header.len
            && ngx_strncasecmp(h[i].key.data,
                               ngx_http_authz_session_header.data,
                               ngx_http_authz_session_header.len) == 0)
        {
            session = &h[i];
            found++;
        }
    }

    if (found > 1) {
        return NGX_ERROR;
    }

    if (r->headers_in.authorization == NULL) {

        if (session == NULL) {
            return NGX_DECLINED;
        }

        p = session->value.data;
        last = p + session->value.len;

    } else {

        if (session != NULL) {
            return NGX_ERROR;
        }

        p = r->headers_in.authorization->value.data;
        last = p + r->headers_in.authorization->value.len;

        if (last - p < 7
            || ngx_strncasecmp(p, (u_char *) "Bearer ", 7) != 0)
        {
            return NGX_ERROR;
        }

        p += 7;
    }

    while (p < last && (*p == ' ' || *p == '\t')) {
        p++;
    }

    while (last > p && (last[-1] == ' ' || last[-1] == '\t')) {
        last--;
    }

    if (p == last) {
        return NGX_ERROR;
    }

    secret->data = p;
    secret->len = last - p;

    for ( /* void */ ; p < last; p++) {
        if (*p <= ' ' || *p == 0x7f) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_authz_unauthorized(ngx_http_request_t *r, ngx_uint_t invalid)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
    ngx_str_set(&h->key, "WWW-Authenticate");

    if (invalid) {
        ngx_str_set(&h->value, "Bearer error=\"invalid_token\"");

    } else {
        ngx_str_set(&h->value, "Bearer");
    }

    r->headers_out.www_authenticate = h;

    return NGX_HTTP_UNAUTHORIZED;
}


static ngx_int_t
ngx_http_authz_handler(ngx_http_request_t *r)
{
    bool                         allowed;
    u_char                       digest[AZTF_DIGEST_LEN];
    ngx_int_t                    rc;
    ngx_str_t                    secret, resource, id, action;
    authz_explanation            x;
    const aztf_entry            *e;
    ngx_http_authz_loc_conf_t   *alcf;
    ngx_http_authz_main_conf_t  *amcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_authz_module);

    if (!alcf->enable) {
        return NGX_DECLINED;
    }

    amcf = ngx_http_get_module_main_conf(r, ngx_http_authz_module);

    rc = ngx_http_authz_secret(r, &secret);

    if (rc == NGX_DECLINED) {
        ngx_http_authz_set_reason(r, amcf, ngx_http_authz_no_secret);
        return ngx_http_authz_unauthorized(r, 0);
    }

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "authz: malformed credentials");
        ngx_http_authz_set_reason(r, amcf, ngx_http_authz_malformed);
        return ngx_http_authz_unauthorized(r, 1);
    }

    if (ngx_http_authz_sha256(secret.data, secret.len, digest) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "authz: SHA-256 failed");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    e = aztf_find(alcf->tokens->table, digest, ngx_http_authz_memcmp);

    if (e == NULL) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "authz: unknown token");
        ngx_http_authz_set_reason(r, amcf, ngx_http_authz_unknown);
        return ngx_http_authz_unauthorized(r, 1);
    }

    ngx_http_authz_set_var(r, amcf->token_index, e->tag, 8);

    if (ngx_http_complex_value(r, alcf->resource, &resource) != NGX_OK
        || ngx_http_complex_value(r, alcf->id, &id) != NGX_OK
        || ngx_http_complex_value(r, alcf->action, &action) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (alcf->resolved) {
        allowed = authz_check_target(e->token, &alcf->target,
                                     (const char *) id.data, id.len);

    } else {
        allowed = authz_check_n(e->token,
                                (const char *) resource.data, resource.len,
                                (const char *) id.data, id.len,
                                (const char *) action.data, action.len);
    }

    if (allowed) {
        ngx_http_authz_set_reason(r, amcf,
                                  authz_reason_str(AUTHZ_REASON_ALLOWED));
        return NGX_OK;
    }

    /* Why, for the log and $authz_reason: the deny path only. */
    if (authz_explain_n(e->token, (const char *) resource.data, resource.len,
                        (const char *) id.data, id.len,
                        (const char *) action.data, action.len, &x))
    {
        /* explain and check disagree: cannot happen; stay closed. */
        x.reason = AUTHZ_REASON_NULL_ARGUMENT;
    }

    ngx_http_authz_set_reason(r, amcf, authz_reason_str(x.reason));

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "authz: token %s denied %V:%V on \"%V\": %s",
                  e->tag, &resource, &action, &id,
                  authz_reason_str(x.reason));

    return NGX_HTTP_FORBIDDEN;
}


/*
 * nginx skips the access phase for subrequests (auth_request, SSI, mirror),
 * so a location under "authz" reached by one would be served unchecked:
 * they are checked here, in the preaccess phase, with the main request's
 * headers. An allow declines, so that the phase's other handlers run.
 */
static ngx_int_t
ngx_http_authz_subrequest_handler(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    if (r == r->main) {
        return NGX_DECLINED;
    }

    rc = ngx_http_authz_handler(r);

    return rc == NGX_OK ? NGX_DECLINED : rc;
}


static ngx_int_t
ngx_http_authz_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    /* Set by the access handler; not found when it did not run. */
    v->not_found = 1;

    return NGX_OK;
}


static ngx_int_t
ngx_http_authz_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_authz_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static void
ngx_http_authz_free_table(void *data)
{
    aztf_free(data);
}


static void
ngx_http_authz_free_catalog(void *data)
{
    authz_catalog_free(data);
}


/* Reads a whole file into memory (ngx_alloc; the caller frees). */
static u_char *
ngx_http_authz_read(ngx_conf_t *cf, ngx_str_t *name, size_t *len)
{
    u_char           *buf;
    size_t            size;
    ssize_t           n;
    ngx_file_t        file;
    ngx_file_info_t   fi;

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = *name;
    file.log = cf->log;

    file.fd = ngx_open_file(name->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", name);
        return NULL;
    }

    buf = NULL;

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%V\" failed", name);
        goto done;
    }

    if (!ngx_is_file(&fi)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" is not a regular file", name);
        goto done;
    }

    size = (size_t) ngx_file_size(&fi);

    buf = ngx_alloc(size + 1, cf->log);
    if (buf == NULL) {
        goto done;
    }

    n = ngx_read_file(&file, buf, size, 0);

    if (n == NGX_ERROR || (size_t) n != size) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cannot read \"%V\" (%z of %uz bytes)",
                           name, n, size);
        ngx_free(buf);
        buf = NULL;
        goto done;
    }

    *len = size;

done:

    if (ngx_close_file(file.fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, cf->log, ngx_errno,
                      ngx_close_file_n " \"%V\" failed", name);
    }

    return buf;
}


static char *
ngx_http_authz_catalog(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_authz_main_conf_t *amcf = conf;

    u_char              *text;
    size_t               len;
    ngx_str_t           *value, name;
    authz_error          err;
    authz_catalog       *cat;
    ngx_pool_cleanup_t  *cln;

    if (amcf->catalog_file.data != NULL) {
        return "is duplicate";
    }

    if (amcf->catalog_used) {
        return "must come before \"authz_tokens\" and \"authz\"";
    }

    value = cf->args->elts;
    name = value[1];

    if (ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    text = ngx_http_authz_read(cf, &name, &len);
    if (text == NULL) {
        return NGX_CONF_ERROR;
    }

    cat = authz_catalog_parse((const char *) text, len, &err);
    ngx_free(text);

    if (cat == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V:%uz:%uz: %s",
                           &name, err.line, err.column, err.message);
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        authz_catalog_free(cat);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_authz_free_catalog;
    cln->data = cat;

    amcf->catalog = cat;
    amcf->catalog_file = name;

    return NGX_CONF_OK;
}


static char *
ngx_http_authz_tokens(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_authz_loc_conf_t *alcf = conf;

    u_char                       *text, *line, quoted[128];
    size_t                        len, from, n, i;
    ngx_str_t                    *value, name;
    ngx_uint_t                    k;
    aztf_error                    err;
    aztf_table                   *table;
    ngx_pool_cleanup_t           *cln;
    ngx_http_authz_tokens_t     **files, *tf;
    ngx_http_authz_main_conf_t   *amcf;

    if (alcf->tokens != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;
    name = value[1];

    if (ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_authz_module);
    amcf->catalog_used = 1;

    /* A file named in several places is loaded once. */
    files = amcf->files.elts;
    for (k = 0; k < amcf->files.nelts; k++) {
        if (files[k]->name.len == name.len
            && ngx_strncmp(files[k]->name.data, name.data, name.len) == 0)
        {
            alcf->tokens = files[k];
            return NGX_CONF_OK;
        }
    }

    text = ngx_http_authz_read(cf, &name, &len);
    if (text == NULL) {
        return NGX_CONF_ERROR;
    }

    table = aztf_parse(amcf->catalog, (const char *) text, len, NULL, &err);

    if (table == NULL) {
        if (err.line == 0) {
            ngx_free(text);
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: %s",
                               &name, err.message);
            return NGX_CONF_ERROR;
        }

        /* The line, quoted: at most 100 bytes, from up to 60 before the
         * column; other bytes than printable ASCII shown as '?'. */
        line = text + err.line_offset;
        from = err.column > 61 ? err.column - 61 : 0;
        if (from > err.line_len) {
            from = err.line_len;
        }

        n = ngx_min(err.line_len - from, 100);

        for (i = 0; i < n; i++) {
            quoted[i] = (line[from + i] >= 0x20 && line[from + i] < 0x7f)
                        ? line[from + i] : '?';
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "%V:%uz:%uz: %s, in \"%s%*s%s\"",
                           &name, err.line, err.column, err.message,
                           from ? "..." : "", n, quoted,
                           from + n < err.line_len ? "..." : "");

        ngx_free(text);
        return NGX_CONF_ERROR;
    }

    ngx_free(text);

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        aztf_free(table);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_authz_free_table;
    cln->data = table;

    tf = ngx_pcalloc(cf->pool, sizeof(ngx_http_authz_tokens_t));
    files = ngx_array_push(&amcf->files);
    if (tf == NULL || files == NULL) {
        return NGX_CONF_ERROR;
    }

    tf->name = name;
    tf->table = table;
    *files = tf;

    alcf->tokens = tf;

    ngx_log_error(NGX_LOG_DEBUG, cf->log, 0, "authz: %uz tokens from \"%V\"",
                  aztf_count(table), &name);

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_authz_known_type(const authz_catalog *cat, ngx_str_t *name)
{
    size_t       i;
    const char  *t;

    for (i = 0; i < authz_catalog_type_count(cat); i++) {
        t = authz_catalog_type_name(cat, i);
        if (ngx_strlen(t) == name->len
            && ngx_strncmp(t, name->data, name->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


static char *
ngx_http_authz(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_authz_loc_conf_t *alcf = conf;

    int                                rc;
    ngx_str_t                         *value;
    ngx_uint_t                         i;
    ngx_http_complex_value_t         **cv[3];
    ngx_http_authz_main_conf_t        *amcf;
    ngx_http_compile_complex_value_t   ccv;

    if (alcf->enable != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2) {
        if (ngx_strcmp(value[1].data, "off") == 0) {
            alcf->enable = 0;
            return NGX_CONF_OK;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\": \"authz\" takes \"off\" "
                           "or RESOURCE ID ACTION", &value[1]);
        return NGX_CONF_ERROR;
    }

    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_authz_module);
    amcf->catalog_used = 1;

    cv[0] = &alcf->resource;
    cv[1] = &alcf->id;
    cv[2] = &alcf->action;

    for (i = 0; i < 3; i++) {
        *cv[i] = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
        if (*cv[i] == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));
        ccv.cf = cf;
        ccv.value = &value[i + 1];
        ccv.complex_value = *cv[i];

        if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    /* What is fixed is checked now, and a fixed pair resolved once. */
    if (alcf->resource->lengths == NULL
        && !ngx_http_authz_known_type(amcf->catalog, &value[1]))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown resource type \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (alcf->resource->lengths == NULL && alcf->action->lengths == NULL) {
        rc = authz_target_resolve(amcf->catalog, (char *) value[1].data,
                                  (char *) value[3].data, &alcf->target);
        if (rc != AUTHZ_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "unknown action \"%V\" for \"%V\": %s",
                               &value[3], &value[1], authz_strerror(rc));
            return NGX_CONF_ERROR;
        }

        alcf->resolved = 1;
    }

    alcf->enable = 1;
    alcf->file = cf->conf_file->file.name;
    alcf->line = cf->conf_file->line;

    return NGX_CONF_OK;
}


static void *
ngx_http_authz_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_authz_main_conf_t  *amcf;

    amcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_authz_main_conf_t));
    if (amcf == NULL) {
        return NULL;
    }

    amcf->catalog = authz_catalog_coder();

    if (ngx_array_init(&amcf->files, cf->pool, 4,
                       sizeof(ngx_http_authz_tokens_t *))
        != NGX_OK)
    {
        return NULL;
    }

    return amcf;
}


static void *
ngx_http_authz_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_authz_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_authz_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->resource = NULL;
     *     conf->id = NULL;
     *     conf->action = NULL;
     *     conf->resolved = 0;
     */

    conf->tokens = NGX_CONF_UNSET_PTR;
    conf->enable = NGX_CONF_UNSET;

    return conf;
}


static char *
ngx_http_authz_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_authz_loc_conf_t *prev = parent;
    ngx_http_authz_loc_conf_t *conf = child;

    ngx_conf_merge_ptr_value(conf->tokens, prev->tokens, NULL);

    if (conf->enable == NGX_CONF_UNSET) {
        if (prev->enable == NGX_CONF_UNSET) {
            conf->enable = 0;

        } else {
            conf->enable = prev->enable;
            conf->resource = prev->resource;
            conf->id = prev->id;
            conf->action = prev->action;
            conf->resolved = prev->resolved;
            conf->target = prev->target;
            conf->file = prev->file;
            conf->line = prev->line;
        }
    }

    if (conf->enable && conf->tokens == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"authz\" in %V:%ui has no \"authz_tokens\" in its "
                      "location or around it", &conf->file, conf->line);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_authz_init(ngx_conf_t *cf)
{
    ngx_str_t                    name;
    ngx_http_handler_pt         *h;
    ngx_http_core_main_conf_t   *cmcf;
    ngx_http_authz_main_conf_t  *amcf;

    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_authz_module);

    ngx_str_set(&name, "authz_reason");
    amcf->reason_index = ngx_http_get_variable_index(cf, &name);
    if (amcf->reason_index == NGX_ERROR) {
        return NGX_ERROR;
    }

    ngx_str_set(&name, "authz_token");
    amcf->token_index = ngx_http_get_variable_index(cf, &name);
    if (amcf->token_index == NGX_ERROR) {
        return NGX_ERROR;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_authz_handler;

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_PREACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_authz_subrequest_handler;

    return NGX_OK;
}
