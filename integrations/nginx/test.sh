#!/bin/sh
# integrations/nginx/test.sh MODULE AUTHZ DIR - ngx_http_authz_module in
# Debian's nginx, on loopback.
#
#   MODULE  the built ngx_http_authz_module.so
#   AUTHZ   the `authz` CLI (its token-line writes the tokens files)
#   DIR     a scratch directory (emptied); each nginx gets its own prefix
#           under it
#
# `nginx -t` must load the module and refuse each kind of bad configuration
# and bad tokens line with its file and line; then two nginx instances (each
# in the foreground with its own prefix, config, pid file and logs, on a free
# loopback port, stopped by its pid) answer requests sent with curl: every
# case asserts the status and the header, body or access-log line that
# says why. Every request and every wait has a timeout. Exits non-zero when
# any case fails.
set -u

[ $# -eq 3 ] || { echo "usage: $0 MODULE AUTHZ DIR" >&2; exit 2; }
abspath() { case $1 in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }
MODULE=$(abspath "$1")
AUTHZ=$(abspath "$2")
DIR=$(abspath "$3")
HERE=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin:/sbin
# random_port, pick_ports, stop, nginx_start, nginx_main, nginx_temp_paths
# shellcheck source=tests/lib/servers.sh
. "$HERE/../../tests/lib/servers.sh"

W=3f2504e0-4f89-41d3-9a0c-0305e82c3301
W_UPPER=3F2504E0-4F89-41D3-9A0C-0305E82C3301
T=7c9e6679-7425-40de-944b-e07fc1f90ae7

pass=0
fail=0
pids=
nginx_pid=

command -v nginx >/dev/null || { echo "nginx-module: nginx is missing: apt-get install -y nginx" >&2; exit 1; }
command -v curl >/dev/null || { echo "nginx-module: curl is missing: apt-get install -y curl" >&2; exit 1; }
[ -f "$MODULE" ] || { echo "nginx-module: no module at $MODULE" >&2; exit 1; }

rm -rf "$DIR"
mkdir -p "$DIR" || exit 1
# nginx's workers (nobody, when started as root) must reach their prefix.
chmod 755 "$DIR"

cleanup() {
    for p in $pids $nginx_pid; do stop "$p"; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*" >&2
}

# ---- secrets and tokens files ------------------------------------------------

SEC=$DIR/secrets
mkdir -p "$SEC"
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
tag() { sha "$1" | cut -c1-8; }

# line NAME --scope ... --allow ...: the tokens-file line for secret NAME-secret
line() {
    name=$1
    shift
    printf '%s-secret\n' "$name" > "$SEC/$name"
    "$AUTHZ" token-line "$@" "$SEC/$name" || { echo "nginx-module: authz token-line failed" >&2; exit 1; }
}

TOKENS=$DIR/tokens
{
    echo "# tokens for the tests (authz token-line)"
    echo
    line reader --scope workspace:read,workspace:start --allow "workspace:$W"
    line creator --scope workspace:create,workspace:read,workspace:delete --allow 'workspace:*'
    line pinned --scope workspace:create,workspace:read --allow "workspace:$W"
    line templater --scope template:read --allow 'template:*'
    line operator --scope coder:workspaces.operate --allow "*:$W"
    # Empty lists, written by hand: `-`. CR LF and tabs are fine.
    printf '%s\tworkspace:read\t-\r\n' "$(sha nothing-secret)"
    printf '%s - *:*\n' "$(sha noscope-secret)"
} > "$TOKENS"

# ---- nginx ---------------------------------------------------------------------

# conf PREFIX BODY-FILE PORT UP: an nginx.conf, the http block's body from
# BODY-FILE with @PREFIX@, @PORT@ and @UP@ replaced.
conf() {
    nginx_main "$MODULE" "$1/nginx.pid" "$1/error.log" info 64
    echo "worker_processes 1;"
    echo "http {"
    nginx_temp_paths "$1"
    cat <<EOF
    log_format authz '\$request_method \$request_uri \$status "\$authz_reason" \$authz_token';
    access_log $1/access.log authz;
EOF
    sed -e "s|@PREFIX@|$1|g" -e "s|@PORT@|$3|g" -e "s|@UP@|$4|g" "$2"
    echo "}"
}

# start NAME BODY-FILE: starts nginx with prefix $DIR/NAME on a free port
# (PORT), and an upstream server on another (UP); sets NGINX_PID, PRE.
start() {
    PRE=$DIR/$1
    mkdir -p "$PRE"
    chmod 755 "$PRE"
    started=
    for _ in 1 2 3 4 5; do
        pick_ports "" PORT UP
        conf "$PRE" "$2" "$PORT" "$UP" > "$PRE/nginx.conf"
        nginx_start "$PRE" "$PRE/nginx.conf" 50 "http://127.0.0.1:$PORT/" "http://127.0.0.1:$UP/"
        case $? in
        0) started=1; break ;;
        1) ;;
        *) break ;;
        esac
    done
    NGINX_PID=$nginx_pid
    pids="$pids $nginx_pid"
    nginx_pid=
    [ -n "$started" ] || {
        cat "$PRE/nginx.stderr" "$PRE/error.log" >&2
        echo "nginx-module: nginx did not start ($1)" >&2
        exit 1
    }
}

# req NAME STATUS METHOD PATH [HEADER]...: one request; asserts the status
# and, for a 200, the upstream's body. Leaves $PRE/head and $PRE/body.
req() {
    name=$1 want=$2 method=$3 path=$4
    shift 4
    set -- -s -g --path-as-is --max-time 5 -o "$PRE/body" -D "$PRE/head" \
        -w '%{http_code}' -X "$method" "$@"
    [ "$method" = POST ] && set -- "$@" --data ''
    got=$(curl "$@" "http://127.0.0.1:$PORT$path")
    if [ "$got" != "$want" ]; then
        bad "$name: $method $path: status $got, want $want"
        sed 's/^/    /' "$PRE/head" >&2
        return 1
    fi
    if [ "$want" = 200 ] && ! grep -qxF "upstream: $method $path" "$PRE/body"; then
        bad "$name: $method $path: the upstream's body is missing"
        return 1
    fi
    return 0
}

# The access-log line of the last request, once nginx has written it.
last_log() {
    tail -n 1 "$PRE/access.log"
}

# expect NAME STATUS METHOD PATH REASON TAG [HEADER]...: req, then the
# access log's last line must end in "STATUS "REASON" TAG".
expect() {
    name=$1 st=$2 m=$3 p=$4 reason=$5 tg=$6
    shift 6
    lines=$(wc -l < "$PRE/access.log" 2>/dev/null || echo 0)
    req "$name" "$st" "$m" "$p" "$@" || return
    want="$m $p $st \"$reason\" $tg"
    # nginx writes the log line after the response: wait for it (2 s).
    i=0
    while [ "$(wc -l < "$PRE/access.log")" -le "$lines" ] && [ $i -lt 20 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if [ "$(last_log)" = "$want" ]; then
        ok
    else
        bad "$name: access log: '$(last_log)', want '$want'"
    fi
}

# www NAME VALUE: the last response carried WWW-Authenticate: VALUE.
www() {
    if grep -qix "WWW-Authenticate: $2$(printf '\r')" "$PRE/head"; then
        ok
    else
        bad "$1: no 'WWW-Authenticate: $2'"
        sed 's/^/    /' "$PRE/head" >&2
    fi
}

bearer() { echo "Authorization: Bearer $1-secret"; }
session() { echo "Coder-Session-Token: $1-secret"; }

# ---- nginx -t: the module loads; bad configurations are refused ----------------

T_DIR=$DIR/conftest
mkdir -p "$T_DIR"
chmod 755 "$T_DIR"

# conftest NAME OK|FAIL BODY-FILE [TEXT]...: nginx -t on a configuration;
# with FAIL each TEXT must be in its output. @CONF@ in a TEXT is the
# config file, @LINE@ the line marked "# HERE".
conftest() {
    name=$1 want=$2 body=$3
    shift 3
    conf "$T_DIR" "$body" 1 2 > "$T_DIR/nginx.conf"
    lineno=$(grep -n '# HERE' "$T_DIR/nginx.conf" | head -n 1 | cut -d: -f1)
    nginx -t -p "$T_DIR" -c "$T_DIR/nginx.conf" -e "$T_DIR/error.log" > "$T_DIR/out" 2>&1
    rc=$?
    if [ "$want" = OK ]; then
        if [ $rc -eq 0 ] && grep -q 'test is successful' "$T_DIR/out"; then
            ok
        else
            bad "nginx -t: $name: refused"
            sed 's/^/    /' "$T_DIR/out" >&2
        fi
        return
    fi
    if [ $rc -eq 0 ]; then
        bad "nginx -t: $name: accepted"
        return
    fi
    for text in "$@"; do
        text=$(printf '%s' "$text" | sed -e "s|@CONF@|$T_DIR/nginx.conf|g" -e "s|@LINE@|$lineno|g")
        if ! grep -qF -- "$text" "$T_DIR/out"; then
            bad "nginx -t: $name: the output lacks: $text"
            sed 's/^/    /' "$T_DIR/out" >&2
            return
        fi
    done
    ok
}

B=$T_DIR/body
body() { cat > "$B"; }

body <<EOF
authz_tokens $TOKENS;
server {
    listen 127.0.0.1:@PORT@;
    location / { authz workspace \$arg_id read; }
}
EOF
conftest "the module loads and a good configuration passes" OK "$B"

body <<EOF
server { listen 127.0.0.1:@PORT@; location / { authz workspace x read; } }
EOF
conf "$T_DIR" "$B" 1 2 | sed '1d' > "$T_DIR/noload.conf"
if nginx -t -p "$T_DIR" -c "$T_DIR/noload.conf" -e "$T_DIR/error.log" 2>&1 |
   grep -q 'unknown directive "authz"'; then ok; else bad "nginx -t: without load_module, authz is unknown"; fi

body <<EOF
authz_tokens $TOKENS;
server { listen 127.0.0.1:@PORT@;
    location / {
        authz workspace read;  # HERE
    }
}
EOF
conftest "authz with two arguments" FAIL "$B" 'invalid number of arguments in "authz" directive in @CONF@:@LINE@'

body <<EOF
authz_tokens $TOKENS;
server { listen 127.0.0.1:@PORT@;
    location / {
        authz on;  # HERE
    }
}
EOF
conftest "authz on" FAIL "$B" 'invalid value "on"' 'in @CONF@:@LINE@'

body <<EOF
authz_tokens $TOKENS;
server { listen 127.0.0.1:@PORT@;
    location / {
        authz widget \$arg_id read;  # HERE
    }
}
EOF
conftest "an unknown resource type" FAIL "$B" 'unknown resource type "widget" in @CONF@:@LINE@'

body <<EOF
authz_tokens $TOKENS;
server { listen 127.0.0.1:@PORT@;
    location / {
        authz workspace \$arg_id fly;  # HERE
    }
}
EOF
conftest "an unknown action" FAIL "$B" 'unknown action "fly" for "workspace"' 'in @CONF@:@LINE@'

body <<EOF
server { listen 127.0.0.1:@PORT@;
    location / {
        authz workspace \$arg_id read;  # HERE
    }
}
EOF
conftest "authz without authz_tokens" FAIL "$B" '"authz" in @CONF@:@LINE@ has no "authz_tokens"'

body <<EOF
server { listen 127.0.0.1:@PORT@;
    location / {
        authz_tokens $TOKENS;
        authz workspace \$arg_id read;
        authz workspace \$arg_id start;  # HERE
    }
}
EOF
conftest "authz twice in a location" FAIL "$B" '"authz" directive is duplicate in @CONF@:@LINE@'

body <<EOF
authz_tokens $TOKENS;
server { listen 127.0.0.1:@PORT@;
    authz workspace \$arg_id read;  # HERE
}
EOF
conftest "authz at server level" FAIL "$B" '"authz" directive is not allowed here in @CONF@:@LINE@'

body <<EOF
server { listen 127.0.0.1:@PORT@;
    authz_tokens $TOKENS;
    authz_tokens $TOKENS;  # HERE
}
EOF
conftest "authz_tokens twice" FAIL "$B" '"authz_tokens" directive is duplicate in @CONF@:@LINE@'

body <<EOF
authz_tokens $DIR/no-such-file;  # HERE
EOF
conftest "a tokens file that does not exist" FAIL "$B" "open() \"$DIR/no-such-file\" failed" 'in @CONF@:@LINE@'

body <<EOF
authz_tokens $TOKENS;
authz_catalog $DIR/catalog;  # HERE
EOF
conftest "authz_catalog after authz_tokens" FAIL "$B" '"authz_catalog" directive must come before "authz_tokens" and "authz" in @CONF@:@LINE@'

body <<EOF
server { listen 127.0.0.1:@PORT@;
    authz_catalog $DIR/catalog;  # HERE
}
EOF
conftest "authz_catalog in a server" FAIL "$B" '"authz_catalog" directive is not allowed here in @CONF@:@LINE@'

# A catalog of the host's own, and one that does not parse.
cat > "$DIR/catalog" <<EOF
type widget read write
scope acme:all = widget:*
public acme:all
EOF
printf '%s widget:read widget:*\n' "$(sha widget-secret)" > "$DIR/widget.tokens"
body <<EOF
authz_catalog $DIR/catalog;
authz_tokens $DIR/widget.tokens;
server { listen 127.0.0.1:@PORT@;
    location / { authz widget \$arg_id read; }
}
EOF
conftest "a catalog of the host's own" OK "$B"
body <<EOF
authz_tokens $DIR/widget.tokens;  # HERE
EOF
conftest "its tokens against the Coder catalog" FAIL "$B" "$DIR/widget.tokens:1:66: " 'in @CONF@:@LINE@'
body <<EOF
authz_catalog $DIR/catalog;
authz_tokens $DIR/widget.tokens;
server { listen 127.0.0.1:@PORT@;
    location / { authz workspace \$arg_id read;  # HERE
    }
}
EOF
conftest "a Coder type under the host's catalog" FAIL "$B" 'unknown resource type "workspace" in @CONF@:@LINE@'
printf 'type widget read\ntype widget write\n' > "$DIR/bad.catalog"
body <<EOF
authz_catalog $DIR/bad.catalog;  # HERE
EOF
conftest "a catalog that does not parse" FAIL "$B" "$DIR/bad.catalog:2:" 'in @CONF@:@LINE@'

# Bad tokens lines: each on line 3 of a file, after a comment and a good
# line; the message names the tokens file, the line and the column, then the
# configuration file and line of authz_tokens.
GOOD=$(sha good-secret)
badline() {
    name=$1 text=$2
    shift 2
    { echo "# a comment"; echo "$GOOD workspace:read *:*"; printf '%s\n' "$text"; } > "$DIR/bad.tokens"
    cat > "$B" <<EOF
server { listen 127.0.0.1:@PORT@;
    location / {
        authz_tokens $DIR/bad.tokens;  # HERE
        authz workspace \$arg_id read;
    }
}
EOF
    conftest "tokens: $name" FAIL "$B" "$@" 'in @CONF@:@LINE@'
}
H=$(sha some-secret)
HU=$(printf '%s' "$H" | tr 'a-f' 'A-F')
badline "two fields" "$H workspace:read" \
    "$DIR/bad.tokens:3:80: expected three fields (SHA256HEX SCOPES ALLOW), found fewer"
badline "four fields" "$H workspace:read *:* extra" \
    "$DIR/bad.tokens:3:85: expected three fields (SHA256HEX SCOPES ALLOW), found more"
badline "the secret instead of its hash" "some-secret workspace:read *:*" \
    "$DIR/bad.tokens:3:1: the SHA-256 digest must be 64 lower-case hex digits, in \"some-secret workspace:read *:*\""
badline "upper-case hex" "$HU workspace:read *:*" \
    "$DIR/bad.tokens:3:" "the SHA-256 digest must be lower-case hex"
badline "a short digest" "$(echo "$H" | cut -c1-60) workspace:read *:*" \
    "$DIR/bad.tokens:3:1: the SHA-256 digest is shorter than 64 hex digits"
badline "an unknown scope" "$H workspace:read,workspace:fly *:*" \
    "$DIR/bad.tokens:3:91: scope[1] \"workspace:fly\": unknown action for this type at byte 10"
badline "an unknown type" "$H widget:read *:*" \
    "$DIR/bad.tokens:3:66: scope[0] \"widget:read\": unknown type at byte 0"
badline "a bad UUID" "$H workspace:read workspace:3f25-zz" \
    "$DIR/bad.tokens:3:" 'allow[0] "workspace:3f25-zz": invalid UUID'
badline "an empty entry" "$H workspace:read,,workspace:start *:*" \
    "$DIR/bad.tokens:3:81: scope[1]"
badline "a duplicate digest" "$GOOD template:read *:*" \
    "$DIR/bad.tokens:3:1: duplicate digest: the same secret is on line 2"
long=$(head -c 300 /dev/zero | tr '\0' x)
badline "a 300-byte entry" "$H workspace:read,$long *:*" \
    "$DIR/bad.tokens:3:" 'scope[1]' '..."'

# ---- requests ------------------------------------------------------------------

body <<EOF
authz_tokens $TOKENS;
map \$request_method \$ws_action {
    GET     read;
    POST    start;
    DELETE  delete;
    default none;
}
server {
    listen 127.0.0.1:@PORT@;
    # As README.md's example: the check sees the normalised \$uri, the
    # upstream the raw request URI; refuse what would make them differ.
    if (\$request_uri ~* "%2f|%2e|%5c") {
        return 400;
    }
    location / { return 404; }
    location /api/v2/ {
        # A regex capture and a map.
        location ~ ^/api/v2/workspaces/([^/]+)\$ {
            authz workspace \$1 \$ws_action;
            proxy_pass http://127.0.0.1:@UP@;
        }
        location ~ ^/api/v2/workspaces/([^/]+)/(start|stop)\$ {
            authz workspace \$1 \$2;
            proxy_pass http://127.0.0.1:@UP@;
        }
        # No id: a create.
        location = /api/v2/workspaces {
            authz workspace \$arg_id create;
            proxy_pass http://127.0.0.1:@UP@;
        }
        location /api/v2/templates/ {
            authz template \$arg_id read;
            proxy_pass http://127.0.0.1:@UP@;
        }
    }
    location /nested/ {
        authz workspace "" create;
        proxy_pass http://127.0.0.1:@UP@;
        location /nested/open/ {
            authz off;
            proxy_pass http://127.0.0.1:@UP@;
        }
        location /nested/closed/ {
            proxy_pass http://127.0.0.1:@UP@;
        }
    }
    location /local/ {
        satisfy any;
        allow 127.0.0.1;
        deny all;
        authz workspace "" create;
        proxy_pass http://127.0.0.1:@UP@;
    }
    location /strict/ {
        satisfy any;
        deny all;
        authz workspace "" create;
        proxy_pass http://127.0.0.1:@UP@;
    }
    location /all/ {
        satisfy all;
        deny all;
        authz workspace "" create;
        proxy_pass http://127.0.0.1:@UP@;
    }
    # A subrequest: nginx skips the access phase for it.
    location = /sub/check {
        internal;
        authz workspace "" create;
        proxy_pass http://127.0.0.1:@UP@;
    }
    location /sub/ {
        auth_request /sub/check;
        proxy_pass http://127.0.0.1:@UP@;
    }
    location /if/ {
        if (\$arg_mode = strict) {
            authz workspace "" delete;
        }
        proxy_pass http://127.0.0.1:@UP@;
    }
}
server {
    listen 127.0.0.1:@UP@;
    default_type text/plain;
    location / {
        return 200 "upstream: \$request_method \$request_uri\n";
    }
}
EOF
start main "$B"

TR=$(tag reader-secret)
TC=$(tag creator-secret)
TP=$(tag pinned-secret)
TT=$(tag templater-secret)
TO=$(tag operator-secret)
AW=/api/v2/workspaces

expect "allowed, Bearer" 200 GET $AW/$W allowed "$TR" -H "$(bearer reader)"
expect "allowed, Coder-Session-Token" 200 GET $AW/$W allowed "$TR" -H "$(session reader)"
expect "the scheme is case-insensitive; blanks around the secret" 200 GET $AW/$W allowed "$TR" -H "Authorization: bEaReR   reader-secret  "
expect "another spelling of the UUID (regex capture)" 200 GET $AW/$W_UPPER allowed "$TR" -H "$(bearer reader)"
expect "start, from the second capture" 200 POST $AW/$W/start allowed "$TR" -H "$(bearer reader)"
expect "denied by scope (stop)" 403 POST $AW/$W/stop "no scope grants it" "$TR" -H "$(bearer reader)"
expect "denied by scope (map: DELETE is delete)" 403 DELETE $AW/$W "no scope grants it" "$TR" -H "$(bearer reader)"
expect "map: DELETE allowed to a token with delete" 200 DELETE $AW/$W allowed "$TC" -H "$(bearer creator)"
expect "map: PUT is none, an unknown action" 403 PUT $AW/$W "unknown action for this type" "$TC" -H "$(bearer creator)"
expect "denied by the allow list" 403 GET $AW/$T "not in the allow list" "$TR" -H "$(bearer reader)"
expect "an encoded traversal to a listed id is refused (README's guard)" 400 GET "$AW/$T%2F..%2F$W" - - -H "$(bearer reader)"
expect "an encoded dot is refused too" 400 GET "$AW/%2e%2e/workspaces/$W" - - -H "$(bearer reader)"
expect "an id that is not a UUID" 403 GET $AW/not-a-uuid "not in the allow list" "$TR" -H "$(bearer reader)"
expect "*:<uuid> admits the id" 200 GET $AW/$W allowed "$TO" -H "$(bearer operator)"
expect "*:<uuid> admits no other" 403 GET $AW/$T "not in the allow list" "$TO" -H "$(bearer operator)"
expect "create without an id under workspace:<uuid>" 403 POST $AW "not in the allow list" "$TP" -H "$(bearer pinned)"
expect "create without an id under workspace:*" 200 POST $AW allowed "$TC" -H "$(bearer creator)"
expect "create with \$arg_id under workspace:<uuid>" 200 POST "$AW?id=$W" allowed "$TP" -H "$(bearer pinned)"
expect "templates: \$arg_id" 200 GET "/api/v2/templates/?id=$T" allowed "$TT" -H "$(bearer templater)"
expect "templates: another token's type" 403 GET "/api/v2/templates/?id=$T" "no scope grants it" "$TR" -H "$(bearer reader)"
expect "an empty allow list" 403 GET $AW/$W "empty allow list" "$(tag nothing-secret)" -H "$(bearer nothing)"
expect "an empty scope list" 403 GET $AW/$W "empty scope list" "$(tag noscope-secret)" -H "$(bearer noscope)"

# No secret, an unknown one, malformed headers: 401 and a Bearer challenge.
expect "no token" 401 GET $AW/$W "no bearer token" "-"
www "no token" "Bearer"
expect "an unknown token" 401 GET $AW/$W "unknown token" "-" -H "Authorization: Bearer not-a-token"
www "an unknown token" 'Bearer error="invalid_token"'
expect "an unknown session token" 401 GET $AW/$W "unknown token" "-" -H "Coder-Session-Token: reader-secre"
expect "the secret's hash is not a secret" 401 GET $AW/$W "unknown token" "-" -H "Authorization: Bearer $(sha reader-secret)"
expect "another scheme" 401 GET $AW/$W "malformed credentials" "-" -H "Authorization: Basic cmVhZGVyLXNlY3JldDo="
www "another scheme" 'Bearer error="invalid_token"'
expect "Bearer without a secret" 401 GET $AW/$W "malformed credentials" "-" -H "Authorization: Bearer"
expect "Bearer and blanks only" 401 GET $AW/$W "malformed credentials" "-" -H "Authorization: Bearer   "
expect "two words" 401 GET $AW/$W "malformed credentials" "-" -H "Authorization: Bearer reader-secret creator-secret"
expect "an empty session token" 401 GET $AW/$W "malformed credentials" "-" -H "Coder-Session-Token;"
expect "both headers" 401 GET $AW/$W "malformed credentials" "-" -H "$(bearer reader)" -H "$(session reader)"
expect "two session tokens" 401 GET $AW/$W "malformed credentials" "-" -H "$(session nothing)" -H "$(session reader)"

# authz off in a nested location; inherited by another.
# (a variable that is not set is logged as "-")
expect "authz off, nested" 200 GET /nested/open/x "-" "-"
expect "inherited, no token" 401 GET /nested/closed/x "no bearer token" "-"
expect "inherited, allowed" 200 GET /nested/closed/x allowed "$TC" -H "$(bearer creator)"
expect "the outer location" 403 GET /nested/x "not in the allow list" "$TP" -H "$(bearer pinned)"

# satisfy any: the address allows alone; or the token does.
expect "satisfy any: allow 127.0.0.1, no token" 200 GET /local/x "no bearer token" "-"
expect "satisfy any: deny all, no token" 401 GET /strict/x "no bearer token" "-"
www "satisfy any: deny all, no token" "Bearer"
expect "satisfy any: deny all, a token that allows" 200 GET /strict/x allowed "$TC" -H "$(bearer creator)"
if grep -qi '^WWW-Authenticate' "$PRE/head"; then bad "satisfy any: an allowed request carries WWW-Authenticate"; else ok; fi
expect "satisfy any: deny all, a token that denies" 403 GET /strict/x "not in the allow list" "$TP" -H "$(bearer pinned)"
# (the module runs before the access module: its reason is logged)
expect "satisfy all: deny all wins over the token" 403 GET /all/x allowed "$TC" -H "$(bearer creator)"

# A location under authz reached by a subrequest (auth_request) is checked
# too, with the request's headers.
expect "subrequest: no token" 401 GET /sub/x "no bearer token" "-"
www "subrequest: no token" "Bearer"
expect "subrequest: a token that denies" 403 GET /sub/x "not in the allow list" "$TP" -H "$(bearer pinned)"
expect "subrequest: a token that allows" 200 GET /sub/x allowed "$TC" -H "$(bearer creator)"

# authz inside "if" in a location.
expect "if: not taken" 200 GET /if/x "-" "-"
expect "if: taken, denied" 403 GET "/if/x?mode=strict" "no scope grants it" "$TP" -H "$(bearer pinned)"
expect "if: taken, allowed" 200 GET "/if/x?mode=strict" allowed "$TC" -H "$(bearer creator)"

# The secret never reaches a log.
if grep -q -- '-secret' "$PRE/access.log" "$PRE/error.log"; then bad "a secret is in a log"; else ok; fi
# Denials are logged with the token's tag and the reason (info level).
if grep -q "authz: token $TR denied workspace:stop on \"$W\": no scope grants it" "$PRE/error.log"; then ok
else bad "error.log lacks the denial of workspace:stop"; fi

stop "$NGINX_PID"

# ---- reload: a changed tokens file ---------------------------------------------

RT=$DIR/reload.tokens
line reader --scope workspace:read --allow "workspace:$W" > "$RT"
body <<EOF
authz_tokens $RT;
server {
    listen 127.0.0.1:@PORT@;
    location / {
        authz workspace \$arg_id read;
        proxy_pass http://127.0.0.1:@UP@;
    }
}
server {
    listen 127.0.0.1:@UP@;
    default_type text/plain;
    location / { return 200 "upstream: \$request_method \$request_uri\n"; }
}
EOF
start reload "$B"
P="/x?id=$W"
expect "before reload: reader" 200 GET "$P" allowed "$TR" -H "$(bearer reader)"
expect "before reload: creator unknown" 401 GET "$P" "unknown token" "-" -H "$(bearer creator)"

# reload_until NAME STATUS HEADER: nginx -s reload, then wait (10 s at most)
# until every worker of the old configuration has exited (until then one
# may still take a new connection) and the request gives STATUS ten times in
# a row.
reload_until() {
    old_workers=$(pgrep -P "$(cat "$PRE/nginx.pid")")
    nginx -p "$PRE" -c "$PRE/nginx.conf" -e "$PRE/error.log" -s reload 2>> "$PRE/nginx.stderr" ||
        { bad "$1: nginx -s reload failed"; return; }
    i=0
    while [ $i -lt 100 ]; do
        alive=
        for w in $old_workers; do kill -0 "$w" 2>/dev/null && alive=1; done
        [ -z "$alive" ] && break
        sleep 0.1
        i=$((i + 1))
    done
    i=0 run=0
    while [ $i -lt 100 ] && [ $run -lt 10 ]; do
        got=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' -H "$3" "http://127.0.0.1:$PORT$P")
        if [ "$got" = "$2" ]; then run=$((run + 1)); else run=0; sleep 0.1; fi
        i=$((i + 1))
    done
    [ $run -ge 10 ] && ok || bad "$1: status $got after reload, want $2"
}

line reader --scope workspace:read --allow "workspace:$W" > "$RT.new"
line creator --scope workspace:read --allow 'workspace:*' >> "$RT.new"
mv "$RT.new" "$RT"
reload_until "reload adds a token" 200 "$(bearer creator)"
expect "after reload: creator" 200 GET "$P" allowed "$TC" -H "$(bearer creator)"
expect "after reload: reader" 200 GET "$P" allowed "$TR" -H "$(bearer reader)"

# A bad file: `nginx -s reload` (which reads the configuration first)
# refuses it; the master, sent SIGHUP anyway, logs why and keeps the old
# configuration and tokens.
{ cat "$RT"; echo "$H workspace:bogus *:*"; } > "$RT.new"
mv "$RT.new" "$RT"
msg="$RT:3:76: scope[0] \"workspace:bogus\": unknown action for this type at byte 10"
if nginx -p "$PRE" -c "$PRE/nginx.conf" -e "$PRE/error.log" -s reload > "$PRE/out" 2>&1; then
    bad "nginx -s reload accepted a bad tokens file"
elif grep -qF "$msg" "$PRE/out" && grep -qF "in $PRE/nginx.conf:" "$PRE/out"; then ok
else bad "nginx -s reload: the message lacks the tokens file's line"; cat "$PRE/out" >&2; fi
kill -HUP "$NGINX_PID"
i=0
until [ "$(grep -cF "$msg" "$PRE/error.log")" -ge 2 ] || [ $i -ge 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
[ $i -lt 100 ] && ok || bad "a bad tokens file on SIGHUP: no message in error.log"
expect "the bad reload kept the tokens" 200 GET "$P" allowed "$TC" -H "$(bearer creator)"

line creator --scope workspace:read --allow 'workspace:*' > "$RT"
reload_until "reload removes a token" 401 "$(bearer reader)"
expect "after reload: reader gone" 401 GET "$P" "unknown token" "-" -H "$(bearer reader)"
expect "after reload: creator stays" 200 GET "$P" allowed "$TC" -H "$(bearer creator)"

stop "$NGINX_PID"

if [ $fail -ne 0 ]; then
    for d in main reload; do
        echo "--- $d: error.log (last 15 lines)" >&2
        tail -n 15 "$DIR/$d/error.log" >&2
    done
fi
echo "nginx-module: $((pass + fail)) cases, $pass passed, $fail failed"
[ $fail -eq 0 ]
