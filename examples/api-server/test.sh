#!/bin/sh
# test.sh - the SQLite-backed API server end to end, with curl on loopback.
#
#   sh examples/api-server/test.sh [API_SERVER]
#
# API_SERVER is a built api_server; without it the script builds one against
# the installed library (pkg-config authz sqlite3). It installs curl and
# libsqlite3-dev when missing (Debian, as root or through sudo). The server
# runs on a free port with a database in a temporary directory, and is
# restarted once on the same database. WRAP, if set, prefixes the server's
# command (e.g. WRAP='valgrind -q --leak-check=full --error-exitcode=9').
# Exits non-zero when any check fails.
set -u

here=$(cd "$(dirname "$0")" && pwd)
W=3f2504e0-4f89-41d3-9a0c-0305e82c3301
T=7c9e6679-7425-40de-944b-e07fc1f90ae7
WRAP=${WRAP:-}

pass=0
fail=0
server_pid=
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authz-api.XXXXXX") || exit 1
db=$tmp/tokens.db

# Stops the server, 10 s at most before SIGKILL; returns its exit status.
stop_server() {
    [ -n "$server_pid" ] || return 0
    kill -TERM "$server_pid" 2>/dev/null
    i=0
    while kill -0 "$server_pid" 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid"
    rc=$?
    server_pid=
    return $rc
}

cleanup() {
    stop_server
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

die() {
    echo "api-server: $*" >&2
    echo "api-server: $pass passed, $((fail + 1)) failed"
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif sudo -n true 2>/dev/null; then sudo "$@"
    else return 1
    fi
}

missing=
command -v curl >/dev/null 2>&1 || missing="$missing curl"
dpkg -s libsqlite3-dev >/dev/null 2>&1 || missing="$missing libsqlite3-dev"
if [ -n "$missing" ]; then
    echo "api-server: installing$missing" >&2
    # shellcheck disable=SC2086
    { as_root apt-get update -q &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing; } \
        > "$tmp/apt.log" 2>&1 || { tail -20 "$tmp/apt.log" >&2; die "cannot install$missing"; }
fi

server=${1:-}
if [ -z "$server" ]; then
    server=$tmp/api_server
    # shellcheck disable=SC2046
    ${CC:-cc} -std=c11 -O2 "$here"/api_server.c "$here"/http.c "$here"/json.c \
        "$here"/store.c -o "$server" $(pkg-config --cflags --libs authz sqlite3) ||
        die "cannot build api_server"
fi

start_server() {
    rm -f "$tmp/port"
    $WRAP "$server" -d "$db" -P "$tmp/port" 2>> "$tmp/server.log" &
    server_pid=$!
    i=0
    while [ ! -s "$tmp/port" ] && [ $i -lt 100 ] && kill -0 "$server_pid" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    [ -s "$tmp/port" ] || { cat "$tmp/server.log" >&2; die "api_server did not start"; }
    url=http://127.0.0.1:$(cat "$tmp/port")
}

# call METHOD PATH SECRET [BODY]: the status into $status, the body into
# $tmp/body. SECRET "" sends no Authorization header.
call() {
    p=$2 s=$3 body=${4-}
    set -- -s --path-as-is --max-time 5 -o "$tmp/body" -w '%{http_code}' -X "$1"
    [ -n "$s" ] && set -- "$@" -H "Authorization: Bearer $s"
    [ -n "$body" ] && set -- "$@" -H 'Content-Type: application/json' --data-binary "$body"
    status=$(curl "$@" "$url$p")
}

# expect NAME STATUS METHOD PATH SECRET BODY [TEXT...]: the status, and each
# TEXT somewhere in the response body.
expect() {
    name=$1 want=$2
    shift 2
    call "$1" "$2" "$3" "$4"
    what="$1 $2"
    shift 4
    why=
    [ "$status" = "$want" ] || why="status $status, want $want"
    for text in "$@"; do
        [ -n "$why" ] && break
        grep -qF -- "$text" "$tmp/body" || why="the body lacks $text"
    done
    if [ -z "$why" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $name: $what: $why" >&2
        sed 's/^/    /' "$tmp/body" >&2
    fi
}

# The secret in the last response body.
secret() {
    sed -n 's/.*"secret": "\(azt_[0-9a-f]*\)".*/\1/p' "$tmp/body"
}

mint() {
    call POST /tokens "$admin" "$1"
    [ "$status" = 201 ] || { cat "$tmp/body" >&2; die "cannot make a token from $1"; }
    secret
}

# ---- the first token, on the command line ------------------------------------

admin=$($WRAP "$server" -d "$db" mint coder:all '*:*' 2>> "$tmp/server.log") ||
    die "cannot mint the first token"
start_server

expect "no token" 401 GET /workspaces/$W "" "" "a bearer token is required"
expect "a malformed token" 401 GET /workspaces/$W "azt_nothex" "" "unknown token"
expect "an unknown token" 401 GET /workspaces/$W \
    "azt_0000000000000000000000000000000000000000000000000000000000000000" "" "unknown token"
expect "the admin's own lists" 200 GET /tokens/self "$admin" "" '"coder:all"' '"*:*"'

# ---- making tokens -------------------------------------------------------------

expect "make a token (UUID in braces, upper case)" 201 POST /tokens "$admin" \
    '{"scopes": ["workspace:read", "workspace:start"],
      "allow": ["workspace:{3F2504E0-4F89-41D3-9A0C-0305E82C3301}"]}' \
    '"secret": "azt_' "\"workspace:$W\""
reader=$(secret)
[ -n "$reader" ] || die "no secret in the answer"
pinned=$(mint '{"scopes": ["workspace:create", "workspace:read"], "allow": ["workspace:'$W'"]}')
minter=$(mint '{"scopes": ["api_key:create", "workspace:read"], "allow": ["api_key:*", "workspace:'$W'"]}')

expect "an unknown action" 400 POST /tokens "$admin" '{"scopes": ["workspace:read", "workspace:bogus"]}' \
    '"error": "unknown action"' '"list": "scopes", "index": 1, "offset": 10' '"entry": "workspace:bogus"' \
    '\"workspace:bogus\"'
expect "a scope that is not public" 400 POST /tokens "$admin" '{"scopes": ["debug_info:read"]}' \
    '"scope is not public"' '"entry": "debug_info:read"'
expect "a bad UUID" 400 POST /tokens "$admin" \
    '{"scopes": ["workspace:read"], "allow": ["workspace:*", "workspace:3f25-zz"]}' \
    '"error": "invalid UUID"' '"list": "allow", "index": 1, "offset": 10' '"entry": "workspace:3f25-zz"'
expect "an escaped NUL byte" 400 POST /tokens "$admin" '{"scopes": ["workspace:re\u0000d"]}' \
    '"list": "scopes", "index": 0' '"entry": "workspace:re\u0000d"'
many=$(i=0; while [ $i -lt 129 ]; do printf '"workspace:*",'; i=$((i + 1)); done)
expect "129 allow entries" 400 POST /tokens "$admin" "{\"allow\": [${many%,}]}" \
    '"list": "allow", "index": 128'
expect "escapes are decoded" 201 POST /tokens "$admin" '{"scopes": ["workspace\u003aread"], "allow": []}' \
    '"scopes": ["workspace:read"], "allow": []'
expect "a trailing comma" 400 POST /tokens "$admin" '{"scopes": ["workspace:read"],}' '"invalid JSON"' 'at byte 30'
expect "an unknown key" 400 POST /tokens "$admin" '{"scope": ["workspace:read"]}' '"invalid JSON"' 'unknown or repeated key'
expect "a repeated key" 400 POST /tokens "$admin" '{"allow": [], "allow": ["*:*"]}' 'unknown or repeated key'
expect "not an array of strings" 400 POST /tokens "$admin" '{"scopes": [1]}' 'expected a string'
expect "invalid UTF-8" 400 POST /tokens "$admin" "$(printf '{"scopes": ["\377"]}')" 'invalid UTF-8'
big=$(head -c 20000 /dev/zero | tr '\0' ' ')
expect "an oversized body" 413 POST /tokens "$admin" "{$big}"

# Minting is itself authorized, and a token never mints a stronger one.
expect "minting needs api_key:create" 403 POST /tokens "$reader" '{"scopes": ["workspace:read"]}' \
    '"needs": "api_key:create"'
expect "more scopes than the caller" 403 POST /tokens "$minter" \
    '{"scopes": ["workspace:*"], "allow": ["workspace:'$W'"]}' '"missing": ["workspace:*"]'
expect "a wider allow list than the caller" 403 POST /tokens "$minter" \
    '{"scopes": ["workspace:read"], "allow": ["*:'$W'"]}' "admits objects the caller's does not"
expect "the creation default is coder:all" 403 POST /tokens "$minter" '{"allow": ["workspace:'$W'"]}' \
    '"missing": ["*:*"]'
expect "a narrower token" 201 POST /tokens "$minter" \
    '{"scopes": ["workspace:read"], "allow": ["workspace:'$W'"]}' '"secret"'

# ---- authorizing requests --------------------------------------------------------

expect "read a listed workspace" 200 GET /workspaces/$W "$reader" "" '"action": "read"'
expect "start a listed workspace" 200 POST /workspaces/$W/start "$reader" "" '"action": "start"'
expect "out of scope" 403 POST /workspaces/$W/stop "$reader" "" '"reason": "no scope grants it"'
expect "an id outside the allow list" 403 GET /workspaces/$T "$reader" "" '"reason": "not in the allow list"'
expect "create under workspace:<uuid>" 403 POST /workspaces "$pinned" "" '"reason": "not in the allow list"'
expect "create under coder:all, *:*" 200 POST /workspaces "$admin" "" '"action": "create"'
expect "another type" 403 GET /templates/$T "$reader" "" '"reason": "no scope grants it"'
expect "a non-UUID id" 403 GET /workspaces/abcdef1234 "$reader" "" '"reason": "not in the allow list"'
expect "an unknown route" 404 GET /secrets/$W "$admin" "" 'no such route'
expect "a dot-dot segment" 404 GET /workspaces/$T/../$W "$reader" "" 'no such route'

# ---- a restart keeps the tokens --------------------------------------------------

if stop_server; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: the server did not exit cleanly on SIGTERM" >&2; fi
start_server
expect "after the restart: allowed" 200 GET /workspaces/$W "$reader" ""
expect "after the restart: denied" 403 GET /workspaces/$T "$reader" "" '"reason": "not in the allow list"'
expect "after the restart: the lists" 200 GET /tokens/self "$reader" "" \
    '"scopes": ["workspace:read", "workspace:start"], "allow": ["workspace:'$W'"]'

# ---- revoking ----------------------------------------------------------------------

expect "revoke a token" 204 DELETE /tokens/self "$reader" ""
expect "a revoked token" 401 GET /workspaces/$W "$reader" "" "unknown token"
expect "other tokens still work" 200 GET /workspaces/$W "$pinned" ""

if stop_server; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: the server did not exit cleanly on SIGTERM" >&2; fi

if [ $fail -ne 0 ]; then
    echo "--- server log" >&2
    tail -40 "$tmp/server.log" >&2
fi
echo "api-server: $pass passed, $fail failed"
[ $fail -eq 0 ]
