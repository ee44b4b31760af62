#!/bin/sh
# test.sh - nginx + authz_gate end to end, on loopback.
#
#   sh examples/nginx-auth/test.sh [GATE]
#
# GATE is a built authz_gate; without it the script builds one from
# authz_gate.c against the installed library (pkg-config authz
# libmicrohttpd libsodium). It needs /usr/bin/python3 for the slow clients
# (../common/dribble.py). It installs
# nginx and curl when they are missing (Debian, as root or through sudo),
# starts nginx in the foreground with its own prefix, config, pid file and
# logs in a temporary directory, and the gate on a free port; sends requests
# through nginx with curl; stops all it started on exit. Every request has a
# timeout, and so has every wait. WRAP, if set, prefixes the gate's command
# (e.g. WRAP='valgrind -q --leak-check=full --error-exitcode=9'). Exits
# non-zero when any check fails.
set -u

here=$(cd "$(dirname "$0")" && pwd)
W=3f2504e0-4f89-41d3-9a0c-0305e82c3301
W_UPPER=3F2504E0-4F89-41D3-9A0C-0305E82C3301
T=7c9e6679-7425-40de-944b-e07fc1f90ae7
WRAP=${WRAP:-}
# random_port, pick_ports, stop, wait_file, nginx_start
# shellcheck source=tests/lib/servers.sh
. "$here/../../tests/lib/servers.sh"

pass=0
fail=0
nginx_pid=
gate_pid=
gate2_pid=
policy_rc=
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authz-nginx.XXXXXX") || exit 1
# nginx's workers drop root and must reach their temp directories.
chmod 755 "$tmp"

cleanup() {
    stop "$nginx_pid"
    stop "$gate_pid"
    stop "$gate2_pid"
    [ -n "$policy_rc" ] && rm -f "$policy_rc"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

die() {
    echo "nginx-auth: $*" >&2
    echo "nginx-auth: $pass passed, $((fail + 1)) failed"
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif sudo -n true 2>/dev/null; then sudo "$@"
    else return 1
    fi
}

# Installs Debian packages. Services a package would start are held back
# (policy-rc.d, as in container images), so that installing nginx does not
# leave a system nginx running on port 80.
apt_install() {
    echo "nginx-auth: installing $*" >&2
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy_rc=/usr/sbin/policy-rc.d
        as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d &&
            chmod 755 /usr/sbin/policy-rc.d' || die "cannot install $* (not root)"
    fi
    { as_root apt-get update -q &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; } \
        > "$tmp/apt.log" 2>&1 || { tail -20 "$tmp/apt.log" >&2; die "cannot install $*"; }
    [ -n "$policy_rc" ] && as_root rm -f "$policy_rc" && policy_rc=
}

PATH=$PATH:/usr/sbin:/sbin
missing=
command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
# shellcheck disable=SC2086
[ -z "$missing" ] || apt_install $missing
nginx -V 2>&1 | grep -q -- --with-http_auth_request_module ||
    die "this nginx lacks the auth_request module"

gate=${1:-}
if [ -z "$gate" ]; then
    gate=$tmp/authz_gate
    # shellcheck disable=SC2046
    ${CC:-cc} -std=c11 -O2 -I"$here/../common" -I"$here/../../integrations/common" \
        "$here/authz_gate.c" "$here/../common/serve.c" \
        "$here/../../integrations/common/authz_tokens_file.c" -o "$gate" -pthread \
        $(pkg-config --cflags --libs authz libmicrohttpd libsodium) || die "cannot build authz_gate"
fi

# ---- start the gate and nginx ----------------------------------------------

$WRAP "$gate" -t "$here/tokens.conf" -P "$tmp/gate.port" 2> "$tmp/gate.log" &
gate_pid=$!
wait_file "$tmp/gate.port" "$gate_pid" 200 || { cat "$tmp/gate.log" >&2; die "authz_gate did not start"; }
gate_port=$(cat "$tmp/gate.port")

# nginx cannot report a port it chose, so pick two and retry on a clash.
started=
port=
up_port=
for _ in 1 2 3 4 5; do
    pick_ports "$gate_port" port up_port
    sed -e "s|@PREFIX@|$tmp|g" -e "s|@LISTEN_PORT@|$port|g" \
        -e "s|@UPSTREAM_PORT@|$up_port|g" -e "s|@GATE_PORT@|$gate_port|g" \
        "$here/nginx.conf" > "$tmp/nginx.conf"
    nginx_start "$tmp" "$tmp/nginx.conf" 50 "http://127.0.0.1:$port/" "http://127.0.0.1:$up_port/"
    case $? in
    0) started=1; break ;;
    1) ;;
    *) break ;;
    esac
done
[ -n "$started" ] || { cat "$tmp/nginx.stderr" "$tmp/error.log" >&2; die "nginx did not start"; }

# ---- requests ---------------------------------------------------------------

# expect NAME STATUSES METHOD PATH AUTH [REASON]
#   STATUSES  the accepted status codes, space-separated ("401 403")
#   AUTH      the Authorization header value; "" sends none
#   REASON    a text the X-Authz-Reason header must contain
# A 200 must also carry the upstream's body for this method and path.
expect() {
    name=$1 want=$2 method=$3 path=$4 auth=$5 reason=${6:-}
    set -- -s -g --path-as-is --max-time 5 -o "$tmp/body" -D "$tmp/head" \
        -w '%{http_code}' -X "$method"
    [ -n "$auth" ] && set -- "$@" -H "Authorization: $auth"
    [ "$method" = POST ] && set -- "$@" --data ''
    got=$(curl "$@" "http://127.0.0.1:$port$path")
    ok=
    for w in $want; do [ "$got" = "$w" ] && ok=1; done
    if [ -n "$ok" ] && [ "$got" = 200 ] &&
       { ! grep -qxF "upstream: $method $path" "$tmp/body" ||
         ! grep -qxF "override: []" "$tmp/body"; }; then
        ok=
        why="the upstream's body is missing, or it saw a method override"
    else
        why="status $got, want $want"
    fi
    if [ -n "$ok" ] && [ -n "$reason" ] &&
       ! grep -i '^X-Authz-Reason:' "$tmp/head" | grep -qF "$reason"; then
        ok=
        why="X-Authz-Reason lacks \"$reason\""
    fi
    if [ -n "$ok" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $name: $method $path: $why" >&2
        sed 's/^/    /' "$tmp/head" >&2
    fi
}

# Allowed: the request reaches the upstream.
expect "read a listed workspace" 200 GET /api/v2/workspaces/$W "Bearer ws-reader"
expect "start a listed workspace" 200 POST /api/v2/workspaces/$W/start "Bearer ws-reader"
expect "another spelling of the same UUID" 200 GET /api/v2/workspaces/$W_UPPER "Bearer ws-reader"
expect "the query string is not part of the route" 200 GET "/api/v2/workspaces/$W?fields=all" "Bearer ws-reader"
expect "create under workspace:*" 200 POST /api/v2/workspaces "Bearer ws-creator"
expect "coder:all with *:<uuid>" 200 GET /api/v2/templates/$T "Bearer coder-all-one-id"
expect "a composite scope" 200 POST /api/v2/workspaces/$W/stop "Bearer operator"
expect "the scheme is case-insensitive" 200 GET /api/v2/workspaces/$W "bearer ws-reader"

# Denied by the library, with its reason.
expect "out of scope" 403 POST /api/v2/workspaces/$W/stop "Bearer ws-reader" "workspace:stop: no scope grants it"
expect "an id outside the allow list" 403 GET /api/v2/workspaces/$T "Bearer ws-reader" "not in the allow list"
expect "create under workspace:<uuid>" 403 POST /api/v2/workspaces "Bearer ws-pinned-creator" "workspace:create: not in the allow list"
expect "another type, same id" 403 GET /api/v2/templates/$W "Bearer ws-reader" "no scope grants it"
expect "*:<uuid> admits that id only" 403 GET /api/v2/templates/$W "Bearer coder-all-one-id" "not in the allow list"
expect "not part of the composite" 403 DELETE /api/v2/workspaces/$W "Bearer operator" "no scope grants it"
expect "an empty allow list" 403 GET /api/v2/workspaces/$W "Bearer nothing-allowed" "empty allow list"

# Malformed or missing credentials: never 200.
expect "no token" 401 GET /api/v2/workspaces/$W "" "no bearer token"
expect "another scheme" 401 GET /api/v2/workspaces/$W "Basic d3MtcmVhZGVyOg==" "no bearer token"
expect "an unknown token" 403 GET /api/v2/workspaces/$W "Bearer not-a-token" "unknown token"
expect "a prefix of a token" 403 GET /api/v2/workspaces/$W "Bearer ws-reade" "unknown token"
expect "secrets are case-sensitive" 403 GET /api/v2/workspaces/$W "Bearer WS-READER" "unknown token"
expect "a token with junk after it" 403 GET /api/v2/workspaces/$W "Bearer ws-reader,operator" "unknown token"
expect "an empty bearer token" "401 403" GET /api/v2/workspaces/$W "Bearer "

# Paths the gate cannot read unambiguously, and routes it does not know.
expect "a dot-dot segment" 403 GET /api/v2/workspaces/$T/../$W "Bearer ws-reader" "path refused"
expect "percent-encoding" 403 GET /api/v2/workspaces/%33${W#3} "Bearer ws-reader" "path refused"
expect "a trailing slash" 403 GET /api/v2/workspaces/$W/ "Bearer ws-reader" "path refused"
expect "an unknown route" 403 GET /api/v2/secrets/$W "Bearer coder-all-one-id" "no route"
expect "a known path, another method" 403 PUT /api/v2/workspaces/$W "Bearer operator" "no route"

# Method-override headers never reach the upstream: it runs the method the
# gate approved.
got=$(curl -s -o "$tmp/body" --max-time 5 -w '%{http_code}' -H "Authorization: Bearer ws-reader" \
    -H 'X-HTTP-Method-Override: DELETE' -H 'X-HTTP-Method: DELETE' -H 'X-Method-Override: DELETE' \
    "http://127.0.0.1:$port/api/v2/workspaces/$W")
if [ "$got" = 200 ] && grep -qxF "upstream: GET /api/v2/workspaces/$W" "$tmp/body" &&
   grep -qxF "override: []" "$tmp/body"; then pass=$((pass + 1))
else fail=$((fail + 1)); echo "FAIL: method-override headers: status $got" >&2; sed 's/^/    /' "$tmp/body" >&2; fi

# Two Authorization headers: which one would the upstream believe? nginx
# refuses the request itself (400); the gate would answer 403.
got=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' \
    -H "Authorization: Bearer nothing-allowed" -H "Authorization: Bearer ws-reader" \
    "http://127.0.0.1:$port/api/v2/workspaces/$W")
case $got in
400 | 403) pass=$((pass + 1)) ;;
*) fail=$((fail + 1)); echo "FAIL: two Authorization headers: status $got" >&2 ;;
esac

# ---- the forward-auth protocol, straight to the gate ---------------------------

# gate_expect NAME STATUS REASON HEADER...: a request to the gate itself,
# as Traefik or Caddy would send it; REASON must be in X-Authz-Reason.
gate_expect() {
    name=$1 want=$2 reason=$3
    shift 3
    set -- -s -o /dev/null -D "$tmp/head" --max-time 5 -w '%{http_code}' "$@"
    got=$(curl "$@" "http://127.0.0.1:$gate_port/")
    why=
    [ "$got" = "$want" ] || why="status $got, want $want"
    if [ -z "$why" ] && [ -n "$reason" ] &&
       ! grep -i '^X-Authz-Reason:' "$tmp/head" | grep -qF "$reason"; then
        why="X-Authz-Reason lacks \"$reason\""
    fi
    if [ -z "$why" ]; then pass=$((pass + 1))
    else fail=$((fail + 1)); echo "FAIL: gate: $name: $why" >&2; sed 's/^/    /' "$tmp/head" >&2; fi
}
RD="Authorization: Bearer ws-reader"
gate_expect "X-Forwarded-* (Traefik, Caddy)" 204 "" -H "$RD" \
    -H "X-Forwarded-Method: GET" -H "X-Forwarded-Uri: /api/v2/workspaces/$W?x=1"
gate_expect "X-Original-* (nginx)" 204 "" -H "$RD" \
    -H "X-Original-Method: POST" -H "X-Original-URI: /api/v2/workspaces/$W/start"
gate_expect "X-Forwarded-*, denied" 403 "workspace:stop: no scope grants it" -H "$RD" \
    -H "X-Forwarded-Method: POST" -H "X-Forwarded-Uri: /api/v2/workspaces/$W/stop"
gate_expect "both spellings, agreeing" 204 "" -H "$RD" \
    -H "X-Forwarded-Method: GET" -H "X-Forwarded-Uri: /api/v2/workspaces/$W" \
    -H "X-Original-Method: GET" -H "X-Original-URI: /api/v2/workspaces/$W"
gate_expect "both spellings, disagreeing" 403 "disagree" -H "$RD" \
    -H "X-Forwarded-Method: GET" -H "X-Forwarded-Uri: /api/v2/workspaces/$W" \
    -H "X-Original-Method: DELETE" -H "X-Original-URI: /api/v2/workspaces/$W"
gate_expect "no original method" 403 "no X-Forwarded-Method" -H "$RD" \
    -H "X-Forwarded-Uri: /api/v2/workspaces/$W"
gate_expect "a repeated X-Forwarded-Uri" 403 "duplicate header" -H "$RD" -H "X-Forwarded-Method: GET" \
    -H "X-Forwarded-Uri: /api/v2/workspaces/$T" -H "X-Forwarded-Uri: /api/v2/workspaces/$W"
for h in X-HTTP-Method-Override X-HTTP-Method X-Method-Override; do
    gate_expect "$h" 403 "$h refused" -H "$RD" -H "$h: DELETE" \
        -H "X-Forwarded-Method: GET" -H "X-Forwarded-Uri: /api/v2/workspaces/$W"
done
gate_expect "no token" 401 "no bearer token" \
    -H "X-Forwarded-Method: GET" -H "X-Forwarded-Uri: /api/v2/workspaces/$W"
grep -qi '^WWW-Authenticate: Bearer' "$tmp/head" && pass=$((pass + 1)) ||
    { fail=$((fail + 1)); echo "FAIL: gate: no WWW-Authenticate on a 401" >&2; }
# The head must fit the connection's memory (32 KiB): 431 beyond.
gate_expect "a 40 KB header" 431 "" -H "$RD" -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)" \
    -H "X-Forwarded-Method: GET" -H "X-Forwarded-Uri: /api/v2/workspaces/$W"
# The file holds digests: a digest is no credential.
digest=$(printf %s ws-reader | sha256sum | cut -d' ' -f1)
gate_expect "the digest as a secret" 403 "unknown token" -H "Authorization: Bearer $digest" \
    -H "X-Forwarded-Method: GET" -H "X-Forwarded-Uri: /api/v2/workspaces/$W"

# A bad line stops the gate at start, with its line and column.
printf '# ok\n%s workspace:read -\n%s workspace:bogus -\n' "$digest" \
    "$(printf x | sha256sum | cut -d' ' -f1)" > "$tmp/bad.conf"
if "$gate" -t "$tmp/bad.conf" -P "$tmp/bad.port" 2> "$tmp/bad.log"; then
    fail=$((fail + 1)); echo "FAIL: the gate started on a bad tokens file" >&2
elif grep -qF "bad.conf:3:" "$tmp/bad.log" && grep -qF "unknown action" "$tmp/bad.log"; then
    pass=$((pass + 1))
else
    fail=$((fail + 1)); echo "FAIL: the gate's message for a bad line:" >&2; sed 's/^/    /' "$tmp/bad.log" >&2
fi

# Slow clients: 50 connections dribbling a byte a second while valid checks
# keep their latency; a second gate with a 3 s deadline closes them.
$WRAP "$gate" -q -T 3000 -t "$here/tokens.conf" -P "$tmp/gate2.port" 2> "$tmp/gate2.log" &
gate2_pid=$!
if wait_file "$tmp/gate2.port" "$gate2_pid" 200 &&
   timeout -k 5 40 /usr/bin/python3 "$here/../common/dribble.py" --port "$(cat "$tmp/gate2.port")" \
       --path / --status 204 --header "$RD" --header "X-Forwarded-Method: GET" \
       --header "X-Forwarded-Uri: /api/v2/workspaces/$W" \
       --clients 50 --seconds 6 --deadline-ms 3000 > "$tmp/dribble.out" 2>&1; then
    pass=$((pass + 1))
else
    fail=$((fail + 1)); echo "FAIL: slow clients against the gate (below)" >&2
fi
sed 's/^/    /' "$tmp/dribble.out"
stop "$gate2_pid"
gate2_pid=

# The gate stops cleanly (and frees its tokens) on SIGTERM.
if stop "$gate_pid"; then
    pass=$((pass + 1))
else
    rc=$?
    fail=$((fail + 1))
    # 137: still running after 5 s, killed.
    if [ $rc -eq 137 ]; then echo "FAIL: the gate did not stop on SIGTERM" >&2
    else echo "FAIL: the gate exited with status $rc" >&2; fi
fi
gate_pid=

if [ $fail -ne 0 ]; then
    echo "--- authz_gate log" >&2; tail -40 "$tmp/gate.log" >&2
    echo "--- nginx error log" >&2; tail -20 "$tmp/error.log" >&2
fi
echo "nginx-auth: $pass passed, $fail failed"
[ $fail -eq 0 ]
