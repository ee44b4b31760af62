#!/bin/sh
# test.sh - the SQLite-backed API server end to end, on loopback.
#
#   sh examples/api-server/test.sh [API_SERVER]
#
# API_SERVER is a built api_server; without it the script builds one against
# the installed library (pkg-config authz libmicrohttpd jansson libsodium
# sqlite3). It needs curl and /usr/bin/python3 (Debian's; its sqlite3 module
# locks and edits the database, and ../common/dribble.py plays the slow
# clients). Servers run on free ports with a database in a temporary
# directory: one restarted once, and a second process on the same database
# for revocation. WRAP, if set, prefixes the servers' command (e.g.
# WRAP='valgrind -q --leak-check=full --error-exitcode=9'). Every request
# and every wait has a timeout; each server is stopped by its pid. Exits
# non-zero when any check fails.
set -u

here=$(cd "$(dirname "$0")" && pwd)
W=3f2504e0-4f89-41d3-9a0c-0305e82c3301
T=7c9e6679-7425-40de-944b-e07fc1f90ae7
W2=9a4e3c8e-1d0b-4f5e-8c2a-6b7d8e9f0a1b
W3=0d7f1c2b-3a4e-4b5c-9d6e-7f8a9b0c1d2e
PY=/usr/bin/python3
WRAP=${WRAP:-}
# stop, wait_file
# shellcheck source=tests/lib/servers.sh
. "$here/../../tests/lib/servers.sh"

pass=0
fail=0
server_pid=
other_pid=
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authz-api.XXXXXX") || exit 1
db=$tmp/api.db

# Stops a server, 10 s at most before SIGKILL; returns its exit status.
stop_pid() { stop "$1" 100; }

cleanup() {
    stop_pid "$server_pid"
    stop_pid "$other_pid"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

die() {
    echo "api-server: $*" >&2
    [ -f "$tmp/server.log" ] && tail -20 "$tmp/server.log" >&2
    echo "api-server: $pass passed, $((fail + 1)) failed"
    exit 1
}

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

command -v curl >/dev/null 2>&1 || die "curl is missing (apt-get install -y curl)"
[ -x "$PY" ] || die "$PY is missing (apt-get install -y python3)"

server=${1:-}
if [ -z "$server" ]; then
    server=$tmp/api_server
    # shellcheck disable=SC2046
    ${CC:-cc} -std=c11 -O2 -I"$here/../common" "$here"/api_server.c "$here"/store.c \
        "$here"/../common/serve.c -o "$server" \
        $(pkg-config --cflags --libs authz libmicrohttpd jansson libsodium sqlite3) \
        -lpthread || die "cannot build api_server"
fi

# start PORTFILE [ARGS...]: a server on a free port; its pid in $started_pid.
start() {
    pf=$1
    shift
    rm -f "$pf"
    $WRAP "$server" -d "$db" -P "$pf" "$@" 2>> "$tmp/server.log" &
    started_pid=$!
    wait_file "$pf" "$started_pid" 100 || die "api_server did not start"
}

start_server() {
    start "$tmp/port" "$@"
    server_pid=$started_pid
    port=$(cat "$tmp/port")
    url=http://127.0.0.1:$port
}

# call METHOD PATH KEY [BODY]: the status into $status, the body into
# $tmp/body, the head into $tmp/head. KEY "" sends no Authorization header.
call() {
    p=$2 k=$3 body=${4-}
    set -- -s --path-as-is --max-time 5 -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' -X "$1"
    [ -n "$k" ] && set -- "$@" -H "Authorization: Bearer $k"
    [ -n "$body" ] && set -- "$@" -H 'Content-Type: application/json' --data-binary "$body"
    status=$(curl "$@" "${base:-$url}$p")
}

# expect NAME STATUS METHOD PATH KEY BODY [TEXT...]: the status, and each
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
        ok
    else
        bad "$name: $what: $why"
        sed 's/^/    /' "$tmp/body" >&2
    fi
}

# A field of the last JSON body.
field() {
    $PY -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(v)' "$tmp/body" "$1"
}

mint() {
    call POST /tokens "$admin" "$1"
    [ "$status" = 201 ] || { cat "$tmp/body" >&2; die "cannot make a key from $1"; }
    field key
}

# ---- the first key, on the command line --------------------------------------

admin=$($WRAP "$server" -d "$db" mint coder:all '*:*' 2>> "$tmp/server.log") ||
    die "cannot mint the first key"
case $admin in
[A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9]-*)
    [ ${#admin} -eq 33 ] && ok || bad "the key $admin is not <10>-<22> characters" ;;
*) bad "the key $admin is not <id>-<secret>" ;;
esac
mode=$(stat -c %a "$db")
[ "$mode" = 600 ] && ok || bad "the database file is mode $mode, want 600"
# An existing file with wider permissions is narrowed.
: > "$tmp/wide.db"
chmod 644 "$tmp/wide.db"
$WRAP "$server" -d "$tmp/wide.db" mint - - > /dev/null 2>> "$tmp/server.log" || bad "cannot mint into wide.db"
mode=$(stat -c %a "$tmp/wide.db")
[ "$mode" = 600 ] && ok || bad "a 644 database file stayed mode $mode"
start_server

expect "no token" 401 GET /workspaces/$W "" "" "a bearer token is required"
grep -qi '^WWW-Authenticate: Bearer' "$tmp/head" && ok || bad "no WWW-Authenticate on a 401"
expect "a malformed token" 401 GET /workspaces/$W "azt_nothex" "" "unknown token"
expect "an unknown id" 401 GET /workspaces/$W "AAAAAAAAAA-AAAAAAAAAAAAAAAAAAAAAA" "" "unknown token"
expect "the right id, a wrong secret" 401 GET /workspaces/$W "${admin%%-*}-AAAAAAAAAAAAAAAAAAAAAA" "" "unknown token"
expect "the right id, the secret cut short" 401 GET /workspaces/$W "${admin%?}" "" "unknown token"
expect "the admin's own key" 200 GET /tokens/self "$admin" "" '"coder:all"' '"*:*"' "\"id\": \"${admin%%-*}\""

# ---- workspaces to work on -------------------------------------------------------

expect "create a workspace with its id" 201 POST /workspaces "$admin" "{\"name\": \"alpha\", \"id\": \"$W\"}" "\"id\": \"$W\""
expect "an id in braces, upper case" 201 POST /workspaces "$admin" \
    '{"name": "tango", "id": "{7C9E6679-7425-40DE-944B-E07FC1F90AE7}"}' "\"id\": \"$T\""
expect "the same id again" 409 POST /workspaces "$admin" "{\"name\": \"again\", \"id\": \"$W\"}" "exists"
expect "a third" 201 POST /workspaces "$admin" "{\"name\": \"w2\", \"id\": \"$W2\"}"
expect "a fourth" 201 POST /workspaces "$admin" "{\"name\": \"w3\", \"id\": \"$W3\"}"
expect "a random id" 201 POST /workspaces "$admin" '{"name": "random"}' '"name": "random"'
expect "a name with a control byte" 400 POST /workspaces "$admin" '{"name": "a\u0001b"}' 'no control characters'
expect "an id that is no UUID" 400 POST /workspaces "$admin" '{"name": "x", "id": "12"}' 'expected a UUID'

# ---- making keys ---------------------------------------------------------------

expect "make a key (UUID in braces, upper case)" 201 POST /tokens "$admin" \
    '{"scopes": ["workspace:read", "workspace:start"],
      "allow": ["workspace:{3F2504E0-4F89-41D3-9A0C-0305E82C3301}"]}' \
    '"key": "' "\"workspace:$W\""
reader=$(field key)
[ -n "$reader" ] || die "no key in the answer"
pinned=$(mint '{"scopes": ["workspace:create", "workspace:read"], "allow": ["workspace:'$W'"]}')
minter=$(mint '{"scopes": ["api_key:create", "workspace:read"], "allow": ["api_key:*", "workspace:'$W'"]}')
selfish=$(mint '{"scopes": ["api_key:read", "api_key:delete"], "allow": ["api_key:*"]}')
pinned_key=$(mint '{"scopes": ["api_key:read"], "allow": ["api_key:'$W'"]}')

expect "an unknown action" 400 POST /tokens "$admin" '{"scopes": ["workspace:read", "workspace:bogus"]}' \
    '"error": "unknown action"' '"list": "scopes", "index": 1, "offset": 10' '"entry": "workspace:bogus"'
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
expect "a trailing comma" 400 POST /tokens "$admin" '{"scopes": ["workspace:read"],}' '"invalid JSON"' 'at byte 3'
expect "an unknown key" 400 POST /tokens "$admin" '{"scope": ["workspace:read"]}' '"invalid JSON"' 'unknown key \"scope\"'
expect "a repeated key" 400 POST /tokens "$admin" '{"allow": [], "allow": ["*:*"]}' '"invalid JSON"' 'duplicate'
expect "not an array of strings" 400 POST /tokens "$admin" '{"scopes": [1]}' 'scopes[0]: expected a string'
expect "not an object" 400 POST /tokens "$admin" '["workspace:read"]' 'expected an object'
expect "invalid UTF-8" 400 POST /tokens "$admin" "$(printf '{"scopes": ["\377"]}')" '"invalid JSON"'
expect "a lifetime of 0" 400 POST /tokens "$admin" '{"lifetime_seconds": 0}' 'lifetime_seconds'
big=$(head -c 20000 /dev/zero | tr '\0' ' ')
expect "an oversized body" 413 POST /tokens "$admin" "{$big}" 'too large'
# The head must fit the connection's memory (32 KiB): 431 beyond.
status=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)" \
    -H "Authorization: Bearer $admin" "$url/tokens/self")
[ "$status" = 431 ] && ok || bad "a 40 KB header: status $status, want 431"
# Refused before the body is read: no key, no upload.
expect "a body without a key" 401 POST /tokens "" "{$big}" 'a bearer token is required'

# Minting is itself authorized, and a key never mints a stronger one.
expect "minting needs api_key:create" 403 POST /tokens "$reader" '{"scopes": ["workspace:read"]}' \
    '"needs": "api_key:create"' '"reason": "no scope grants it"'
expect "more scopes than the caller" 403 POST /tokens "$minter" \
    '{"scopes": ["workspace:*"], "allow": ["workspace:'$W'"]}' '"missing": ["workspace:*"]'
expect "a wider allow list than the caller" 403 POST /tokens "$minter" \
    '{"scopes": ["workspace:read"], "allow": ["*:'$W'"]}' "admits objects the caller's does not"
expect "the creation default is coder:all" 403 POST /tokens "$minter" '{"allow": ["workspace:'$W'"]}' \
    '"missing": ["*:*"]'
expect "a narrower key" 201 POST /tokens "$minter" \
    '{"scopes": ["workspace:read"], "allow": ["workspace:'$W'"]}' '"key"'

# A key never outlives the key that made it.
short_minter=$(mint '{"scopes": ["api_key:create", "workspace:read"], "allow": ["*:*"], "lifetime_seconds": 3600}')
expect "a key for a year from an hour-long key" 201 POST /tokens "$short_minter" \
    '{"scopes": ["workspace:read"], "allow": ["*:*"], "lifetime_seconds": 31536000}'
child_exp=$(field expires_at)
# The minter's expiry is at most an hour from now, so the child's is too.
now=$(date +%s)
if [ "$child_exp" -le $((now + 3600)) ] && [ "$child_exp" -gt $((now + 3500)) ]; then ok
else bad "the child key expires at $child_exp, more than an hour after $now"; fi

# ---- authorizing requests --------------------------------------------------------

expect "read a listed workspace" 200 GET /workspaces/$W "$reader" "" '"action": "read"' '"name": "alpha"'
expect "another spelling of its id" 200 GET /workspaces/3F2504E04F8941D39A0C0305E82C3301 "$reader" "" "\"id\": \"$W\""
expect "start a listed workspace" 200 POST /workspaces/$W/start "$reader" "" '"action": "start"'
expect "out of scope" 403 POST /workspaces/$W/stop "$reader" "" '"reason": "no scope grants it"'
expect "an id outside the allow list" 403 GET /workspaces/$T "$reader" "" '"reason": "not in the allow list"'
expect "create under workspace:<uuid>" 403 POST /workspaces "$pinned" '{"name": "x"}' '"reason": "not in the allow list"'
expect "create under coder:all, *:*" 201 POST /workspaces "$admin" "" '"action": "create"'
expect "another type" 403 GET /templates/$T "$reader" "" '"reason": "no scope grants it"'
expect "a non-UUID id" 403 GET /workspaces/abcdef1234 "$reader" "" '"reason": "not in the allow list"'
expect "a non-UUID id under *:*" 404 GET /workspaces/abcdef1234 "$admin" "" 'no such workspace'
expect "a missing workspace" 404 GET /workspaces/11111111-2222-4333-8444-555555555555 "$admin" "" 'no such workspace'
expect "rename" 200 PATCH /workspaces/$W2 "$admin" '{"name": "renamed"}' '"name": "renamed"'
expect "rename without the scope" 403 PATCH /workspaces/$W "$reader" '{"name": "no"}' '"reason": "no scope grants it"'
expect "an unknown route" 404 GET /secrets/$W "$admin" "" 'no such route'
expect "a dot-dot segment" 404 GET /workspaces/$T/../$W "$reader" "" 'no such route'
expect "template read, check only" 200 GET /templates/$T "$admin" "" '"resource": "template"'

# The method authorized is the method run: override headers are not read.
status=$(curl -s --max-time 5 -o "$tmp/body" -w '%{http_code}' -X GET \
    -H "Authorization: Bearer $reader" -H 'X-HTTP-Method-Override: DELETE' \
    -H 'X-HTTP-Method: DELETE' -H 'X-Method-Override: DELETE' "$url/workspaces/$W")
if [ "$status" = 200 ] && grep -qF '"action": "read"' "$tmp/body"; then ok
else bad "a GET with method-override headers: status $status"; fi

# /tokens/self is authorized like every other route: key ids are no UUIDs,
# so only api_key:* (or *:*) admits them.
expect "self without api_key:read" 403 GET /tokens/self "$reader" "" '"reason": "no scope grants it"' '"needs": "api_key:read"'
expect "self with api_key:<uuid> only" 403 GET /tokens/self "$pinned_key" "" '"reason": "not in the allow list"'
expect "self with api_key:*" 200 GET /tokens/self "$selfish" "" '"scopes": ["api_key:delete", "api_key:read"]'
expect "revoke without api_key:delete" 403 DELETE /tokens/self "$reader" "" '"needs": "api_key:delete"'
expect "still there" 200 GET /workspaces/$W "$reader" ""

# ---- the list: the SQL predicate against a check per row ------------------------

# Keys with every kind of allow list; GET /workspaces must answer exactly
# the rows GET /workspaces/{id} (one authz_check each) allows.
k_wild=$(mint '{"scopes": ["workspace:read"], "allow": ["workspace:*"]}')
k_two=$(mint '{"scopes": ["workspace:read"], "allow": ["workspace:'$W'", "*:'$T'", "template:'$W2'"]}')
k_none=$(mint '{"scopes": ["workspace:read"], "allow": []}')
k_noscope=$(mint '{"scopes": ["template:read"], "allow": ["*:*"]}')
k_action=$(mint '{"scopes": ["workspace:start"], "allow": ["workspace:'$W'"]}')
call GET /workspaces "$admin"
all_ids=$($PY -c 'import json,sys; print(" ".join(w["id"] for w in json.load(open(sys.argv[1]))["workspaces"]))' "$tmp/body")
n_all=$(echo "$all_ids" | wc -w)
[ "$n_all" -eq 6 ] && ok || bad "the admin lists $n_all workspaces, want the 6 made"
for spec in "admin:$n_all" "reader:1" "k_wild:$n_all" "k_two:2" "k_none:0" "k_noscope:0" "k_action:0"; do
    name=${spec%%:*} want_n=${spec#*:}
    eval "k=\$$name"
    call GET /workspaces "$k"
    [ "$status" = 200 ] || { bad "list as $name: status $status"; continue; }
    listed=$($PY -c 'import json,sys; print(" ".join(w["id"] for w in json.load(open(sys.argv[1]))["workspaces"]))' "$tmp/body")
    checked=
    for id in $all_ids; do
        call GET "/workspaces/$id" "$k"
        case $status in
        200) checked="$checked $id" ;;
        403) ;;
        *) bad "GET /workspaces/$id as $name: status $status" ;;
        esac
    done
    checked=${checked# }
    n=$(echo "$listed" | wc -w)
    if [ "$listed" = "$checked" ] && [ "$n" -eq "$want_n" ]; then ok
    else bad "list as $name: [$listed] ($n), per-row checks: [$checked], want $want_n rows"; fi
done

# ---- hashed storage -------------------------------------------------------------------

for k in "$admin" "$reader" "$pinned" "$minter" "$k_wild"; do
    if grep -qaF -- "${k#*-}" "$db"; then bad "the secret of ${k%%-*} is in the database file"
    elif ! grep -qaF -- "${k%%-*}" "$db"; then bad "the id ${k%%-*} is not in the database file (is this the file?)"
    else ok; fi
done

# ---- expiry ------------------------------------------------------------------------------

# Lifetimes are whole seconds, counted from the second a key was made: a
# 4 s key is valid for 3 to 4 s. Each is used at once after it is made.
old=$($WRAP "$server" -d "$db" mint workspace:read '*:*' 4 2>> "$tmp/server.log") || die "cannot mint"
expect "a 4 s key minted on the command line, at once" 200 GET /workspaces/$W "$old" ""
brief=$(mint '{"scopes": ["workspace:read"], "allow": ["*:*"], "lifetime_seconds": 4}')
expect "a 4 s key, at once" 200 GET /workspaces/$W "$brief" ""
sleep 4.2
expect "the key after its lifetime" 401 GET /workspaces/$W "$brief" "" "expired token"
expect "the minted key after its lifetime" 401 GET /workspaces/$W "$old" "" "expired token"

# ---- a restart keeps the keys --------------------------------------------------

if stop_pid "$server_pid"; then ok; else bad "the server did not exit cleanly on SIGTERM"; fi
server_pid=
start_server
expect "after the restart: allowed" 200 GET /workspaces/$W "$reader" ""
expect "after the restart: denied" 403 GET /workspaces/$T "$reader" "" '"reason": "not in the allow list"'
expect "after the restart: the lists" 200 GET /tokens/self "$selfish" "" \
    '"scopes": ["api_key:delete", "api_key:read"], "allow": ["api_key:*"]'

# ---- two processes on one database ---------------------------------------------------

start "$tmp/port2"
other_pid=$started_pid
url2=http://127.0.0.1:$(cat "$tmp/port2")
victim=$(mint '{"scopes": ["workspace:read", "api_key:delete"], "allow": ["workspace:'$W'", "api_key:*"]}')
# Both processes compile and cache the key...
expect "A allows" 200 GET /workspaces/$W "$victim" ""
base=$url2 expect "B allows" 200 GET /workspaces/$W "$victim" ""
base=$url2 expect "B allows again (cached)" 200 GET /workspaces/$W "$victim" ""
# ...one revokes it, and the other refuses it on the very next request.
expect "revoke through A" 204 DELETE /tokens/self "$victim" ""
base=$url2 expect "B after the revocation" 401 GET /workspaces/$W "$victim" "" "unknown token"
expect "A after the revocation" 401 GET /workspaces/$W "$victim" "" "unknown token"
# A row changed behind both (here by hand) takes effect at once too.
base=$url2 expect "B allows the reader" 200 GET /workspaces/$W "$reader" ""
$PY -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE api_keys SET allow = ? WHERE id = ?", ("", sys.argv[2])); c.commit()' \
    "$db" "${reader%%-*}" || die "cannot edit the database"
base=$url2 expect "B after the row changed" 403 GET /workspaces/$W "$reader" "" "empty allow list"
expect "A after the row changed" 403 GET /workspaces/$W "$reader" "" "empty allow list"

# ---- a locked database: 503, never 401, never an allow ------------------------------

$PY -c 'import sqlite3,sys,time
c=sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(3)
c.execute("ROLLBACK")' "$db" "$tmp/locked" &
locker=$!
i=0
while [ ! -e "$tmp/locked" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -e "$tmp/locked" ] || die "cannot lock the database"
expect "a read while locked" 503 GET /workspaces/$W "$pinned" "" "busy"
grep -qi '^Retry-After: 1' "$tmp/head" && ok || bad "no Retry-After on a 503"
expect "an unknown key while locked" 503 GET /workspaces/$W "AAAAAAAAAA-AAAAAAAAAAAAAAAAAAAAAA" "" "busy"
expect "the list while locked" 503 GET /workspaces "$admin" "" "busy"
expect "a mint while locked" 503 POST /tokens "$admin" '{"scopes": ["workspace:read"]}' "busy"
wait "$locker"
expect "after the lock" 200 GET /workspaces/$W "$pinned" ""

# ---- slow clients -------------------------------------------------------------------------

stop_pid "$other_pid" || bad "the second server did not exit cleanly"
other_pid=
start "$tmp/port3" -T 3000
other_pid=$started_pid
if timeout -k 5 40 $PY "$here/../common/dribble.py" --port "$(cat "$tmp/port3")" \
        --path "/workspaces/$W" --header "Authorization: Bearer $pinned" \
        --clients 50 --seconds 6 --deadline-ms 3000 > "$tmp/dribble.out" 2>&1; then ok
else bad "slow clients (see below)"; fi
sed 's/^/    /' "$tmp/dribble.out"

# ---- revoking --------------------------------------------------------------------------

expect "revoke a key" 204 DELETE /tokens/self "$selfish" ""
expect "a revoked key" 401 GET /tokens/self "$selfish" "" "unknown token"
expect "other keys still work" 200 GET /workspaces/$W "$pinned" ""

if stop_pid "$other_pid"; then ok; else bad "the third server did not exit cleanly on SIGTERM"; fi
other_pid=
if stop_pid "$server_pid"; then ok; else bad "the server did not exit cleanly on SIGTERM"; fi
server_pid=

if [ $fail -ne 0 ]; then
    echo "--- server log" >&2
    tail -40 "$tmp/server.log" >&2
fi
echo "api-server: $pass passed, $fail failed"
[ $fail -eq 0 ]
