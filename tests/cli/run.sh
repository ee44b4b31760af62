#!/bin/sh
# tests/cli/run.sh AUTHZ - end-to-end tests of the `authz` command line:
# exit statuses, exact outputs (inline or in tests/cli/expected/), catalog
# files of our own, bad input at every position with the caret under it,
# JSON checked by exact comparison and by tests/cli/json_check.awk.
#
# Needs only a POSIX shell, awk, diff and cmp (python3 and man, when
# present, add a check each). `make check` runs it as
#     sh tests/cli/run.sh build/authz
set -u

[ $# -eq 1 ] || { echo "usage: $0 path/to/authz" >&2; exit 2; }
case $1 in
/*) AUTHZ=$1 ;;
*) AUTHZ=$(pwd)/$1 ;;
esac
[ -x "$AUTHZ" ] || { echo "$0: $AUTHZ is not an executable" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
EXP=$HERE/expected
LC_ALL=C
export LC_ALL
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 2

W=3f2504e0-4f89-41d3-9a0c-0305e82c3301
T=7c9e6679-7425-40de-944b-e07fc1f90ae7
DOCS=$HERE/docs.catalog
TAB=$(printf '\t')

passed=0
failed=0
skipped=0
HAVE_PYTHON=no
command -v python3 >/dev/null 2>&1 && HAVE_PYTHON=yes

# ---- harness -----------------------------------------------------------------

run() {
    "$AUTHZ" "$@" >out 2>err
    rc=$?
}

ok() {
    passed=$((passed + 1))
}

# bad DESCRIPTION: one failed case, with what it ran and what it got.
bad() {
    failed=$((failed + 1))
    echo "FAIL: $1"
    echo "  exit status $rc; stdout:"
    sed 's/^/    | /' out
    echo "  stderr:"
    sed 's/^/    | /' err
}

# same TEXT FILE: does FILE hold exactly TEXT and a newline (nothing, for
# an empty TEXT)?
same() {
    if [ -z "$1" ]; then
        [ ! -s "$2" ]
    else
        printf '%s\n' "$1" | cmp -s - "$2"
    fi
}

describe() {
    printf 'authz'
    for a in "$@"; do
        case $a in
        *[!A-Za-z0-9_:./=,*-]* | '') printf " '%s'" "$a" ;;
        *) printf ' %s' "$a" ;;
        esac
    done
}

# stderr_ok STATUS: stderr is empty unless the status is 2, when it holds a
# message.
stderr_ok() {
    if [ "$1" -eq 2 ]; then
        grep -q '^authz: ' err
    else
        [ ! -s err ]
    fi
}

# expect STATUS STDOUT ARGS...: exact stdout and status.
expect() {
    want_rc=$1 want_out=$2
    shift 2
    run "$@"
    if [ "$rc" -eq "$want_rc" ] && same "$want_out" out && stderr_ok "$want_rc"; then
        ok
    else
        bad "$(describe "$@") (want status $want_rc, stdout: $want_out)"
    fi
}

# expect_err STDERR ARGS...: status 2, nothing on stdout, exact stderr.
expect_err() {
    want_err=$1
    shift
    run "$@"
    if [ "$rc" -eq 2 ] && [ ! -s out ] && same "$want_err" err; then
        ok
    else
        bad "$(describe "$@") (want status 2, stderr: $want_err)"
    fi
}

# expect_file FILE STATUS ARGS...: stdout equals FILE, byte for byte.
expect_file() {
    want_file=$1 want_rc=$2
    shift 2
    run "$@"
    if [ "$rc" -eq "$want_rc" ] && cmp -s "$want_file" out && stderr_ok "$want_rc"; then
        ok
    else
        bad "$(describe "$@") (want status $want_rc, stdout: $want_file)"
        diff -u "$want_file" out | sed 's/^/    /'
    fi
}

# expect_golden NAME STATUS ARGS...: stdout equals tests/cli/expected/NAME.
expect_golden() {
    name=$1
    shift
    expect_file "$EXP/$name" "$@"
}

# json_valid FILE: one JSON value on one line (awk; python3 too if present).
json_valid() {
    awk -f "$HERE/json_check.awk" <"$1" || return 1
    if [ "$HAVE_PYTHON" = yes ]; then
        python3 -c 'import json, sys; json.load(sys.stdin)' <"$1" 2>/dev/null || return 1
    fi
    return 0
}

# expect_json STATUS JSON ARGS...: exact stdout, which must also parse.
expect_json() {
    want_rc=$1 want_out=$2
    shift 2
    run "$@"
    if [ "$rc" -eq "$want_rc" ] && same "$want_out" out && stderr_ok "$want_rc" && json_valid out; then
        ok
    else
        bad "$(describe "$@") (want status $want_rc, JSON: $want_out)"
    fi
}

# expect_caret OPTION INDEX OFFSET ARGS...: status 2; stderr names the
# option and the entry index and shows the entry with a caret under byte
# OFFSET; the same run with --json reports index and offset (unless
# CARET_JSON=no: covers has no --json). The entry must be printable, so
# that its bytes and columns agree.
CARET_JSON=yes
expect_caret() {
    opt=$1 index=$2 offset=$3
    shift 3
    run "$@"
    caret=$(awk -v n="$offset" 'BEGIN { s = "  "; for (i = 0; i < n; i++) s = s " "; print s "^" }')
    entry_line=$(sed -n 2p err)
    if [ "$rc" -eq 2 ] && [ ! -s out ] &&
        sed -n 1p err | grep -q "^authz: --$opt: [a-z]*\[$index\] " &&
        [ "$(sed -n 3p err)" = "$caret" ] && [ "$(wc -l <err)" -eq 3 ] &&
        [ "${#entry_line}" -ge $((offset + 2)) ]; then
        ok
    else
        bad "$(describe "$@") (want --$opt entry $index, caret at byte $offset)"
        return
    fi
    [ "$CARET_JSON" = yes ] || return
    run "$@" --json
    if [ "$rc" -eq 2 ] && json_valid out &&
        grep -q "\"list\":\"$opt\",\"index\":$index,\"entry\":\".*\",\"offset\":$offset}" out; then
        ok
    else
        bad "$(describe "$@" --json) (want index $index, offset $offset)"
    fi
}

# insert TEXT I C: TEXT with C inserted before byte I.
insert() {
    awk -v s="$1" -v i="$2" -v c="$3" 'BEGIN { print substr(s, 1, i) c substr(s, i + 1) }'
}

# replace TEXT I C: TEXT with byte I replaced by C.
replace() {
    awk -v s="$1" -v i="$2" -v c="$3" 'BEGIN { print substr(s, 1, i) c substr(s, i + 2) }'
}

# repeat N TEXT: N copies of TEXT joined by commas.
repeat() {
    awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s%s", (i ? "," : ""), s; print "" }'
}

# ---- version and help ----------------------------------------------------------

hdr() { sed -n "s/^#define AUTHZ_VERSION_$1 \\([0-9]*\\)\$/\\1/p" "$ROOT/include/authz.h"; }
expect 0 "authz $(hdr MAJOR).$(hdr MINOR).$(hdr PATCH)" --version

COMMANDS="check explain show normalize lint covers catalog encode decode"
run --help
cp out help
if [ "$rc" -eq 0 ] && [ ! -s err ] && sed -n 1p out | grep -q '^Usage: authz \[--catalog FILE\] check '; then ok; else bad "authz --help"; fi
for cmd in $COMMANDS; do
    if grep -q "^  $cmd  *[a-z]" help; then ok; else bad "authz --help lists $cmd"; fi
    run "$cmd" --help
    if [ "$rc" -eq 0 ] && [ ! -s err ] && [ "$(sed -n 1p out | awk '{ print $1, $2, $3, $4, $5 }')" = "Usage: authz [--catalog FILE] $cmd" ]; then
        ok
    else
        bad "authz $cmd --help"
    fi
    cp out cmd-help
    run "$cmd" -h
    if [ "$rc" -eq 0 ] && cmp -s cmd-help out; then ok; else bad "authz $cmd -h"; fi
done
run -h
if [ "$rc" -eq 0 ] && cmp -s help out; then ok; else bad "authz -h"; fi
# --help wins over missing operands and other options, wherever it stands.
run catalog --help
cp out cmd-help
expect_file cmd-help 0 --catalog "$DOCS" catalog -h
run check workspace --help
if [ "$rc" -eq 0 ] && grep -q '^Usage: authz \[--catalog FILE\] check' out; then ok; else bad "authz check workspace --help"; fi

# ---- usage errors: status 2, a message and a hint on stderr, nothing on stdout

expect_err "authz: no command given
Try 'authz --help'."
expect_err "authz: unknown command 'frob'
Try 'authz --help'." frob
expect_err "authz: unknown option '--frob'
Try 'authz --help'." --frob
expect_err "authz: unknown option '-x'
Try 'authz check --help'." check -x workspace - read
expect_err "authz: option --json goes after the command
Try 'authz --help'." --json check workspace - read
expect_err "authz: option --scope goes after the command
Try 'authz --help'." --scope workspace:read check workspace - read
expect_err "authz: covers does not take --scope
Try 'authz covers --help'." covers --scope workspace:read
expect_err "authz: show does not take --json
Try 'authz show --help'." show --json
expect_err "authz: catalog does not take --allow
Try 'authz catalog --help'." catalog --allow '*:*'
expect_err "authz: option --scope needs a value (S)
Try 'authz check --help'." check workspace - read --scope
expect_err "authz: option --json takes no value
Try 'authz check --help'." check --json=yes workspace - read
expect_err "authz: option --catalog given twice
Try 'authz --help'." --catalog "$DOCS" --catalog "$DOCS" catalog
expect_err "authz: option --catalog given twice
Try 'authz catalog --help'." --catalog "$DOCS" catalog --catalog "$DOCS"
expect_err "authz: check needs RESOURCE ID ACTION
Try 'authz check --help'." check workspace -
expect_err "authz: explain needs RESOURCE ID ACTION
Try 'authz explain --help'." explain
expect_err "authz: check: unexpected operand 'x'
Try 'authz check --help'." check workspace - read x
expect_err "authz: normalize: unexpected operand 'workspace:read'
Try 'authz normalize --help'." normalize workspace:read
expect_err "authz: covers needs --have and --want
Try 'authz covers --help'." covers --have workspace:read
expect_err "authz: covers needs --have and --want
Try 'authz covers --help'." covers --want workspace:read
expect_err "authz: unknown command 'version'
Try 'authz --help'." version

# ---- docs/SPEC.md section 7, the worked examples, through `check` -----------

expect 0 "allow" check --scope workspace:read --allow "workspace:$W" workspace "$W" read
expect 1 "deny: not in the allow list" check --scope workspace:read --allow "workspace:$W" workspace "$T" read
expect 1 "deny: no scope grants it" check --scope workspace:read --allow "workspace:$W" workspace "$W" update
expect 1 "deny: no scope grants it" check --scope workspace:read --allow "workspace:$W" workspace "" create
expect 1 "deny: not in the allow list" check --scope workspace:create --allow "workspace:$W" workspace "" create
expect 0 "allow" check --scope workspace:create --allow 'workspace:*' workspace "" create
expect 0 "allow" check --scope 'workspace:*' --allow '*:*' workspace "$W" ssh
expect 1 "deny: unknown resource" check --scope 'workspace:*' --allow '*:*' workspace_dormant2 "$W" read
expect 1 "deny: no scope grants it" check --scope 'workspace:*' --allow '*:*' workspace_dormant "$W" read
expect 1 "deny: not in the allow list" check --scope coder:all --allow "template:$T" workspace "$W" read
expect 0 "allow" check --scope coder:all --allow "*:$W" template "$W" read
expect 0 "allow" check --scope coder:workspaces.access --allow '*:*' workspace "$W" ssh
expect 1 "deny: no scope grants it" check --scope coder:workspaces.access --allow '*:*' workspace "$W" delete
expect 0 "allow" check --scope all --allow '*:*' user_secret "$W" delete
expect 1 "deny: unknown action for this type" check --scope coder:all --allow '*:*' workspace "$W" fly
expect 1 "deny: not in the allow list" check --scope 'api_key:*' --allow "api_key:$W" api_key abcdef1234 read
expect 0 "allow" check --scope workspace:read --allow 'workspace:{3F2504E0-4F89-41D3-9A0C-0305E82C3301}' workspace "$W" read

# ---- check: defaults, ids, option forms -------------------------------------------

# No --scope: every permission; no --allow: *:*.
expect 0 "allow" check workspace "$W" delete
expect 0 "allow" check user_secret - create
expect 1 "deny: unknown action for this type" check workspace "$W" fly
expect 1 "deny: unknown resource" check Workspace "$W" read
expect 0 "allow" check --scope workspace:read workspace "$W" read
expect 1 "deny: not in the allow list" check --allow "workspace:$W" template "$W" read
# ID "" and "-" are an object without an id; an id that is no UUID is only
# admitted by T:* and *:*.
expect 1 "deny: not in the allow list" check --allow "*:$W" workspace - create
expect 1 "deny: not in the allow list" check --allow "*:$W" workspace "" create
expect 0 "allow" check --allow 'workspace:*' workspace - create
expect 0 "allow" check --allow 'workspace:*' workspace abcdef1234 read
expect 1 "deny: not in the allow list" check --allow "workspace:$W" workspace abcdef1234 read
# Any UUID spelling of the request's id.
for id in "$W" 3F2504E0-4F89-41D3-9A0C-0305E82C3301 "{$W}" "urn:uuid:$W" "URN:UUID:$W" 3f2504e04f8941d39a0c0305e82c3301; do
    expect 0 "allow" check --scope workspace:read --allow "workspace:$W" workspace "$id" read
done
# -- lets an operand start with a dash.
expect 0 "allow" check -- workspace -5 read
expect 0 "allow" check workspace --scope workspace:read -- -x read
# --opt=value, commas, repetition, options among the operands.
expect 0 "allow" check --scope=workspace:read --allow="workspace:$W" workspace "$W" read
expect 0 "allow" check --scope template:read,workspace:ssh workspace "$W" ssh
expect 0 "allow" check --scope template:read --scope workspace:ssh workspace "$W" ssh
expect 0 "allow" check workspace --scope workspace:ssh "$W" --allow "*:$T,*:$W" ssh
expect 0 "allow" --catalog "$DOCS" check doc "$W" share
expect 0 "allow" check --catalog "$DOCS" doc "$W" share
# check accepts every scope the catalog can evaluate, public or not.
expect 0 "allow" check --scope debug_info:read debug_info "$W" read
expect 0 "allow" check --scope no_user_data workspace "$W" read
expect 1 "deny: no scope grants it" check --scope no_user_data user "$W" read

# ---- explain ----------------------------------------------------------------------

expect 0 "decision: allow
reason:   allowed
scope:    [0] workspace:read
allow:    [0] workspace:$W" explain --scope workspace:read --allow "workspace:$W" workspace "$W" read
# Indices count entries after the split on commas, across repeated options.
expect 0 "decision: allow
reason:   allowed
scope:    [2] workspace:ssh
allow:    [1] *:$W" explain --scope template:read,workspace:read --scope workspace:ssh --allow "template:$W,*:{$W}" workspace "$W" ssh
expect 0 "decision: allow
reason:   allowed
scope:    [0] all
allow:    [0] *:*" explain --scope all workspace - create
expect 0 "decision: allow
reason:   allowed
scope:    [0] coder:all
allow:    [0] *:*" explain workspace - create
expect 1 "decision: deny
reason:   no scope grants it
scope:    none
allow:    none" explain --scope workspace:read workspace "$W" delete
expect 1 "decision: deny
reason:   not in the allow list
scope:    [0] workspace:read
allow:    none" explain --scope workspace:read --allow "workspace:$T" workspace "$W" read
expect 1 "decision: deny
reason:   unknown resource
scope:    none
allow:    none" explain nothing "$W" read

# ---- show -------------------------------------------------------------------------

expect_golden show-coder-all 0 show
expect_golden show-access 0 show --scope coder:workspaces.access --allow "workspace:{3F2504E0-4F89-41D3-9A0C-0305E82C3301},template:*,workspace:$T"
expect_golden show-docs 0 --catalog "$DOCS" show --scope no_audit,docs:review --allow "page:$W"
expect 0 "scopes: nothing
allow: *:*

(no grants)" --catalog "$DOCS" show --scope nothing
# The whole Coder catalog fits in 80 columns.
run show
if [ "$(awk 'length > 80' out | wc -l)" -eq 0 ]; then ok; else bad "authz show: lines longer than 80"; fi

# ---- normalize ---------------------------------------------------------------------

expect 0 "scopes: coder:all
allow: *:*" normalize
expect 0 "scopes: coder:all coder:application_connect workspace:read
allow: *:$W workspace:*" normalize --scope all,workspace:read,application_connect,workspace:read,coder:all --allow "workspace:*,workspace:$T,*:$W,workspace:$W"
# *:* absorbs everything; every UUID spelling is one id; sorted by
# (type, id); a type that is a prefix of another sorts first.
expect 0 "scopes: template:read workspace:*
allow: *:*" normalize --scope 'workspace:*,template:read' --allow "workspace:$W,*:*,template:*"
expect 0 "scopes: workspace:read
allow: *:$T template:$W workspace:$W workspace:$T workspace_dormant:$W" normalize --scope workspace:read --allow "workspace_dormant:$W,workspace:$T,workspace:{3F2504E0-4F89-41D3-9A0C-0305E82C3301},workspace:urn:UUID:$W,template:3f2504e04f8941d39a0c0305e82c3301,*:$T"
expect_json 0 "{\"scopes\":[\"coder:all\"],\"allow\":[\"*:*\"]}" normalize --json
expect_json 0 "{\"scopes\":[\"coder:workspaces.create\",\"workspace:read\"],\"allow\":[\"workspace:$W\"]}" normalize --json --scope workspace:read,coder:workspaces.create --allow "workspace:$W"
# Custom catalog: every permission is *:*, and aliases become their scope.
expect 0 "scopes: *:*
allow: *:*" --catalog "$DOCS" normalize
expect 0 "scopes: doc:read docs:edit
allow: doc:* page:$W" --catalog "$DOCS" normalize --scope edit,docs:edit,doc:read --allow "doc:*,page:$W,doc:$W"
# A catalog whose coder:all is not everything gets *:* as the default.
expect 0 "scopes: *:*
allow: *:*" --catalog "$HERE/fake-all.catalog" normalize
# Loading Coder's catalog from its file gives coder:all again.
expect 0 "scopes: coder:all
allow: *:*" --catalog "$ROOT/catalog/coder.catalog" normalize

# ---- lint ---------------------------------------------------------------------------

expect 0 "valid" lint
expect 0 "valid" lint --scope coder:all,all,application_connect,coder:workspaces.create,workspace:read,workspace:*,template:use,inbox_notification:read --allow "workspace:$W,*:$T,template:*"
expect_json 0 '{"valid":true}' lint --json --scope workspace:read
for s in debug_info:read template:view_insights no_user_data 'inbox_notification:*' inbox_notification:create 'workspace_dormant:*' '*:*'; do
    expect_caret scope 0 0 lint --scope "$s"
done
expect_err "authz: --scope: scope[1] \"debug_info:read\": scope is not public (a token may not request it) at byte 0
  debug_info:read
  ^" lint --scope workspace:read,debug_info:read
expect_json 2 "{\"valid\":false,\"error\":{\"code\":11,\"error\":\"scope is not public\",\"message\":\"scope[0] \\\"no_user_data\\\": scope is not public (a token may not request it) at byte 0\",\"list\":\"scope\",\"index\":0,\"entry\":\"no_user_data\",\"offset\":0}}" lint --json --scope no_user_data
expect_json 2 "{\"valid\":false,\"error\":{\"code\":7,\"error\":\"invalid UUID\",\"message\":\"allow[0] \\\"workspace:3f25-zz\\\": invalid UUID at byte 10\",\"list\":\"allow\",\"index\":0,\"entry\":\"workspace:3f25-zz\",\"offset\":10}}" lint --json --allow workspace:3f25-zz
# With no --scope, the default is not held to the public names.
expect 0 "valid" --catalog "$DOCS" lint
expect 0 "valid" --catalog "$DOCS" lint --scope edit,docs:review,doc:*,page:read --allow "doc:$W"
expect_caret scope 1 0 --catalog "$DOCS" lint --scope docs:edit,no_audit,edit
expect_caret scope 0 0 --catalog "$DOCS" lint --scope nothing
expect_caret scope 0 0 --catalog "$DOCS" lint --scope page:update
# Limits: 128 allow entries, 256 scopes, 256 bytes per entry.
expect 0 "valid" lint --allow "$(repeat 128 "workspace:$W")"
expect_err "authz: --allow: allow[128]: 129 allow entries; the limit is 128" lint --allow "$(repeat 129 "workspace:$W")"
expect_json 2 '{"valid":false,"error":{"code":8,"error":"too many entries","message":"allow[128]: 129 allow entries; the limit is 128","list":"allow","index":128,"entry":null,"offset":null}}' lint --json --allow "$(repeat 100 '*:*')" --allow "$(repeat 29 '*:*')"
expect 0 "valid" lint --scope "$(repeat 256 workspace:read)"
expect_err "authz: --scope: scope[256]: 257 scope entries; the limit is 256" lint --scope "$(repeat 257 workspace:read)"
long=$(awk 'BEGIN { s = "workspace:"; while (length(s) < 256) s = s "a"; print s }')
run lint --json --scope "$long"
if [ "$rc" -eq 2 ] && json_valid out && grep -q '"code":5,' out; then ok; else bad "lint: a 256-byte scope is not too long"; fi
expect_caret scope 0 256 lint --scope "${long}a"
run lint --json --scope "${long}a"
if grep -q '"code":9,' out; then ok; else bad "lint: a 257-byte scope is too long"; fi

# ---- bad input at every position -------------------------------------------------------

# A space at each byte of a scope and of an allow entry: the caret follows.
s=workspace:read
i=0
while [ $i -le ${#s} ]; do
    expect_caret scope 0 $i lint --scope "$(insert "$s" $i ' ')"
    i=$((i + 1))
done
a=workspace:$W
i=0
while [ $i -le ${#a} ]; do
    expect_caret allow 0 $i check --allow "$(insert "$a" $i ' ')" workspace - read
    i=$((i + 1))
done
# A wrong byte at each position of the id: hex digits and dashes alike.
i=10
while [ $i -lt ${#a} ]; do
    expect_caret allow 0 $i normalize --allow "$(replace "$a" $i g)"
    i=$((i + 1))
done
# Each class of error, and where it points.
expect_caret scope 0 0 lint --scope ''
expect_caret scope 0 10 lint --scope workspace:
expect_caret scope 0 0 lint --scope :read
expect_caret scope 0 0 lint --scope unknown:read
expect_caret scope 0 10 lint --scope workspace:bogus
expect_caret scope 0 0 lint --scope Workspace:read
expect_caret scope 0 0 lint --scope coder:bogus
expect_caret scope 0 2 lint --scope '*:read'
expect_caret allow 0 0 lint --allow ''
expect_caret allow 0 9 lint --allow workspace
expect_caret allow 0 10 lint --allow workspace:
expect_caret allow 0 0 lint --allow ':*'
expect_caret allow 0 0 lint --allow 'bogus:*'
expect_caret allow 0 10 lint --allow workspace:zz
expect_caret allow 0 0 lint --allow "urn:uuid:$W"
# The entry's index: in a comma list, across repeated options, on either
# list, and in every command that reads the lists.
expect_caret scope 0 10 lint --scope workspace:bogus,workspace:read
expect_caret scope 1 10 lint --scope workspace:read,workspace:bogus
expect_caret scope 2 10 lint --scope workspace:read,workspace:ssh,workspace:bogus
expect_caret scope 3 10 lint --scope workspace:read,workspace:ssh --scope template:read --scope workspace:bogus
expect_caret scope 1 0 lint --scope workspace:read, --allow "*:*"
expect_caret scope 0 0 lint --scope ,workspace:read
expect_caret allow 2 10 lint --allow "*:*,template:*,workspace:zz"
expect_caret allow 1 10 lint --allow "*:*" --allow workspace:zz
for cmd in check explain; do
    expect_caret scope 1 10 $cmd --scope workspace:read,workspace:bogus workspace - read
    expect_caret allow 1 10 $cmd --allow "*:*,workspace:zz" workspace - read
done
expect_caret scope 1 10 normalize --scope workspace:read,workspace:bogus
expect_caret allow 1 10 normalize --allow "*:*,workspace:zz"
# show has no --json: check its stderr alone.
expect_err "authz: --allow: allow[1] \"workspace:zz\": invalid UUID at byte 10
  workspace:zz
            ^" show --allow "*:*,workspace:zz"
# The scope list is checked before the allow list.
expect_caret scope 0 0 lint --scope bogus --allow workspace:zz
CARET_JSON=no
expect_caret have 1 10 covers --have workspace:read,workspace:bogus --want workspace:read
expect_caret want 0 0 covers --have workspace:read --want bogus:read
expect_caret want 2 0 covers --have workspace:read --want 'workspace:read,template:*' --want workspace
CARET_JSON=yes
# Bytes that are not printable are shown as \xNN, and the caret counts them.
expect_err "authz: --scope: scope[0] \"work\\x09space:read\": unexpected byte in scope at byte 4
  work\\x09space:read
      ^" lint --scope "work${TAB}space:read"
expect_err "authz: --scope: scope[0] \"workspace:re\\x09ad\": unexpected byte in scope at byte 12
  workspace:re\\x09ad
              ^" lint --scope "workspace:re${TAB}ad"

# ---- JSON: check, explain, errors, escaping -----------------------------------------------

expect_json 0 '{"allowed":true,"decision":"allow","reason":"allowed","reason_code":0}' check --json workspace "$W" read
expect_json 1 '{"allowed":false,"decision":"deny","reason":"not in the allow list","reason_code":7}' check --json --allow "workspace:$T" workspace "$W" read
expect_json 1 '{"allowed":false,"decision":"deny","reason":"unknown action for this type","reason_code":3}' check --json workspace "$W" fly
expect_json 0 "{\"allowed\":true,\"decision\":\"allow\",\"reason\":\"allowed\",\"reason_code\":0,\"scope\":{\"index\":1,\"text\":\"workspace:read\"},\"allow\":{\"index\":0,\"text\":\"workspace:$W\"}}" explain --json --scope template:read,workspace:read --allow "workspace:{$W}" workspace "$W" read
expect_json 1 '{"allowed":false,"decision":"deny","reason":"no scope grants it","reason_code":5,"scope":null,"allow":null}' explain --json --scope workspace:read workspace "$W" delete
# Invalid input under --json: an error object on stdout, the message on stderr.
expect_json 2 '{"error":{"code":5,"error":"unknown action","message":"scope[0] \"workspace:bogus\": unknown action for this type at byte 10","list":"scope","index":0,"entry":"workspace:bogus","offset":10}}' check --json --scope workspace:bogus workspace - read
expect_json 2 '{"error":{"code":4,"error":"unknown resource type","message":"allow[0] \"bogus:*\": unknown type at byte 0","list":"allow","index":0,"entry":"bogus:*","offset":0}}' normalize --json --allow 'bogus:*'
# Quotes, backslashes, control bytes, DEL, broken and well-formed UTF-8.
run lint --json --allow "$(printf 'a"b\\c\td\001e\177f\377g\303\251h')"
if [ "$rc" -eq 2 ] && json_valid out &&
    grep -qF '"entry":"a\"b\\c\td\u0001e\u007ff\ufffdg'"$(printf '\303\251')"'h"' out; then
    ok
else
    bad "lint --json escapes the entry"
fi
# Each JSON command, on each outcome, prints one valid object.
for args in "check --json workspace - read" "check --json workspace - fly" \
    "check --json --scope x workspace - read" "explain --json workspace - read" \
    "explain --json --allow x workspace - read" "normalize --json" \
    "normalize --json --scope x" "lint --json" "lint --json --scope x"; do
    # shellcheck disable=SC2086
    run $args
    if json_valid out; then ok; else bad "authz $args: invalid JSON"; fi
done

# ---- covers -------------------------------------------------------------------------------

expect 0 "covered" covers --have 'workspace:*' --want workspace:ssh
expect 0 "covered" covers --have coder:all --want 'coder:workspaces.create,template:*,user:read'
expect 0 "covered" covers --have coder:workspaces.create --want template:read,template:use,workspace:create,organization_member:read
expect 0 "covered" covers --have all --want '*:*'
expect 1 "not covered: workspace:*" covers --have workspace:create,workspace:read,workspace:update,workspace:delete,workspace:start,workspace:stop,workspace:ssh,workspace:application_connect,workspace:create_agent,workspace:delete_agent,workspace:update_agent,workspace:share --want 'workspace:*'
expect 1 "not covered: template:* workspace:delete" covers --have workspace:read,workspace:ssh --want 'workspace:read,workspace:delete,template:*'
expect 1 "not covered: organization_member:read template:read workspace:application_connect" covers --have workspace:read,workspace:ssh --want coder:workspaces.access
expect 1 "not covered: *:*" covers --have 'workspace:*' --want coder:all
expect 0 "covered" --catalog "$DOCS" covers --have no_audit --want 'doc:*,page:read'
expect 1 "not covered: audit:read" --catalog "$DOCS" covers --have no_audit --want doc:read,audit:read

# ---- catalog ------------------------------------------------------------------------------

# The printed catalog parses back to a catalog that prints the same, from a
# file and from standard input; Coder's catalog file gives the embedded one.
# The embedded one is headed by the Coder commit its file names.
run catalog
commit=$(sed -n 's/^# Pinned to coder\/coder commit \([0-9a-f]*\)$/\1/p' "$ROOT/catalog/coder.catalog")
sed 1,2d out > coder.txt
if [ "$rc" -eq 0 ] && [ ${#commit} -eq 40 ] && [ "$(sed -n 1p out)" = "# Coder's catalog at coder/coder commit $commit" ] &&
    [ -z "$(sed -n 2p out)" ] && head -1 coder.txt | grep -q '^type user '; then ok; else bad "authz catalog"; fi
expect_file coder.txt 0 --catalog coder.txt catalog
# shellcheck disable=SC2094 # (expect_file only reads coder.txt)
expect_file coder.txt 0 --catalog - catalog <coder.txt
expect_file coder.txt 0 --catalog "$ROOT/catalog/coder.catalog" catalog
expect_file coder.txt 0 catalog --catalog coder.txt
expect_golden docs.catalog.out 0 --catalog "$DOCS" catalog
run --catalog "$DOCS" catalog
cp out docs.txt
expect_file docs.txt 0 --catalog docs.txt catalog
# The printed catalog means the same: a few decisions through each.
for cat in "$DOCS" docs.txt; do
    expect 0 "allow" --catalog "$cat" check --scope edit doc "$W" update
    expect 1 "deny: no scope grants it" --catalog "$cat" check --scope no_audit audit - read
done
for cat in "" coder.txt; do
    expect 0 "allow" ${cat:+--catalog "$cat"} check --scope coder:workspaces.access workspace "$W" ssh
done

# catalog --diff: one line per difference, exit 1; equal catalogs, exit 0.
expect 0 "" catalog --diff coder.txt
expect 0 "" catalog --diff "$ROOT/catalog/coder.catalog" coder.txt
expect 0 "" --catalog "$DOCS" catalog --diff docs.txt
printf 'type doc read write\ntype page read\nscope edit = doc:read doc:write\nscope view = doc:read\nalias v = view\npublic doc:read view v\n' >old.catalog
printf 'type doc read write share\ntype blob read\nscope edit = doc:read doc:write doc:share\nscope view = doc:read\nalias v = edit\npublic doc:read doc:share edit\n' >new.catalog
expect 1 "-type page
+action doc:share
+type blob
-alias v = view
+grant edit doc:share
+alias v = edit
-public view
+public doc:share
+public edit" catalog --diff old.catalog new.catalog
expect 1 "-action doc:share
-type blob
+type page
-grant edit doc:share
-alias v = edit
+alias v = view
-public doc:share
-public edit
+public view" --catalog new.catalog catalog --diff new.catalog old.catalog
expect_err "authz: catalog --diff needs OLD [NEW]
Try 'authz catalog --help'." catalog --diff
expect_err "authz: catalog: unexpected operand 'x' (operands go with --diff)
Try 'authz catalog --help'." catalog x
expect_err "authz: catalog: unexpected operand 'c'
Try 'authz catalog --help'." catalog --diff a b c
expect_err "authz: nothing.catalog: No such file or directory" catalog --diff nothing.catalog

# Catalog errors: file, line and column, the line with a caret, status 2.
printf 'type doc read write\ntype page read\nscope app:edit = doc:read doc:bogus\n' >bad.catalog
expect_err "authz: bad.catalog: line 3, column 31: unknown action for this type in \"scope app:edit = doc:read doc:bogus\"
  scope app:edit = doc:read doc:bogus
                                ^" --catalog bad.catalog catalog
printf 'type doc read\n%sfrob x\n' "$TAB" >tab.catalog
expect_err "authz: -: line 2, column 2: unknown keyword (expected type, scope, alias or public) in \"\\x09frob x\"
  \\x09frob x
      ^" --catalog - check doc - read <tab.catalog
expect_json 2 '{"error":{"code":10,"error":"invalid catalog","message":"line 3, column 31: unknown action for this type in \"scope app:edit = doc:read doc:bogus\"","list":"catalog","file":"bad.catalog","line":3,"column":31}}' --catalog bad.catalog check --json doc - read
expect_err "authz: no-such.catalog: No such file or directory" --catalog no-such.catalog catalog
mkdir adir
expect 2 "" --catalog adir catalog
if grep -q '^authz: adir: ' err; then ok; else bad "authz --catalog adir: names the file"; fi
# Past the library's 16 MiB the file is not read on: the library refuses it.
head -c 17000000 /dev/zero >big.catalog
run --catalog big.catalog normalize --json
if [ "$rc" -eq 2 ] && json_valid out && grep -q '^{"error":{"code":9,.*"list":"catalog","file":"big.catalog"}}$' out &&
    grep -q '^authz: big.catalog: ' err; then
    ok
else
    bad "authz --catalog big.catalog normalize --json"
fi
rm -f big.catalog
expect_json 2 '{"error":{"message":"no-such.catalog: No such file or directory"}}' --catalog no-such.catalog lint --json

# ---- encode, decode and --token ------------------------------------------------------------

TOK_AWK=$HERE/tok.awk
# tok_body TOKEN: its bytes (decimal) without the CRC-32; tok_seal BYTES:
# the token of BYTES and their CRC-32 (see tok.awk).
tok_body() { awk -v op=body -v text="$1" -f "$TOK_AWK"; }
tok_seal() { awk -v op=seal -v bytes="$1" -f "$TOK_AWK"; }
# prefix TEXT N: the first N bytes of TEXT.
prefix() { awk -v s="$1" -v n="$2" 'BEGIN { print substr(s, 1, n) }'; }

# roundtrip CATALOG ARGS...: for the token of ARGS (--scope, --allow) on
# CATALOG ("" for the embedded one), encode prints one line of base64url;
# decode prints byte for byte what normalize prints, as text and as JSON;
# the lists in normal form encode to the same text (one encoding per token).
roundtrip() {
    rt_cat=$1
    shift
    run ${rt_cat:+--catalog "$rt_cat"} normalize "$@"
    cp out norm.out
    run ${rt_cat:+--catalog "$rt_cat"} normalize --json "$@"
    cp out norm.json
    run ${rt_cat:+--catalog "$rt_cat"} encode "$@"
    tok=$(cat out)
    if [ "$rc" -eq 0 ] && [ ! -s err ] && [ "$(wc -l <out)" -eq 1 ] &&
        grep -q '^YXoB[A-Za-z0-9_-]*$' out; then
        ok
    else
        bad "$(describe ${rt_cat:+--catalog "$rt_cat"} encode "$@") (want one line of base64url)"
        return
    fi
    expect_file norm.out 0 ${rt_cat:+--catalog "$rt_cat"} decode "$tok"
    expect_file norm.json 0 ${rt_cat:+--catalog "$rt_cat"} decode --json "$tok"
    rt_s=$(sed -n 's/^scopes: //p' norm.out | tr ' ' ,)
    rt_a=$(sed -n 's/^allow: //p' norm.out | tr ' ' ,)
    expect 0 "$tok" ${rt_cat:+--catalog "$rt_cat"} encode --scope "$rt_s" --allow "$rt_a"
}

roundtrip ""
roundtrip "" --scope '*:*'
roundtrip "" --scope 'workspace:*,template:*' --allow 'workspace:*'
roundtrip "" --scope all
roundtrip "" --scope application_connect,coder:application_connect,all
roundtrip "" --scope coder:workspaces.create,coder:workspaces.access --scope workspace:read,workspace:read,coder:workspaces.create
roundtrip "" --scope debug_info:read,no_user_data,template:view_insights
roundtrip "" --scope workspace:ssh --allow "workspace:$W,*:$T,template:*,template:$W,*:$W"
roundtrip "" --allow "workspace:$W,*:*,template:$T"
roundtrip "" --scope 'user:*,user:read' --allow "user:$T,workspace_dormant:$W"
roundtrip "" --allow "workspace:{3F2504E0-4F89-41D3-9A0C-0305E82C3301},workspace:urn:uuid:$T,template:3f2504e04f8941d39a0c0305e82c3301,*:URN:UUID:$T"
roundtrip "" --allow "$(repeat 128 "workspace:$W")"
roundtrip "$DOCS"
roundtrip "$DOCS" --scope edit,docs:review,doc:*,page:read --allow "doc:$W,page:*,comment:$T"
roundtrip "$DOCS" --scope no_audit,nothing,docs:edit --allow "*:$W"
roundtrip "$HERE/fake-all.catalog"
roundtrip "$ROOT/catalog/coder.catalog" --scope coder:templates.author
# 128 distinct ids, 10 low-level scopes and 10 ids.
ids=$(awk 'BEGIN { for (i = 1; i <= 128; i++) printf "%sworkspace:%08x-4f89-41d3-9a0c-%012x", (i > 1 ? "," : ""), i * 7919, i * 104729; print "" }')
roundtrip "" --scope "workspace:read,template:use" --allow "$ids"
ten=$(echo "$ids" | cut -d, -f1-10)
roundtrip "" --scope workspace:read,workspace:ssh,workspace:start,workspace:stop,template:read,template:use,file:read,user:read,api_key:read,organization:read --allow "$ten"
# The library's target: 10 scopes and 10 ids in 224 bytes, 299 characters.
if [ "${#tok}" -le 299 ]; then ok; else bad "10 scopes and 10 ids encode in ${#tok} characters (want at most 299)"; fi

# Aliases become the scope they name, every spelling of a UUID its
# lower-case form: equal tokens, equal text.
tok_all=$("$AUTHZ" encode --scope coder:all)
expect 0 "$tok_all" encode --scope all
expect 0 "$tok_all" encode
expect 0 "$tok_all" encode --scope all,coder:all --allow '*:*,*:*'
expect 0 "scopes: coder:all
allow: *:*" decode "$tok_all"
expect 0 "scopes: coder:application_connect
allow: *:*" decode "$("$AUTHZ" encode --scope application_connect)"
tok_w=$("$AUTHZ" encode --scope workspace:read --allow "workspace:$W")
for id in "$W" 3F2504E0-4F89-41D3-9A0C-0305E82C3301 "{$W}" "{3F2504E0-4F89-41D3-9A0C-0305E82C3301}" "urn:uuid:$W" "URN:UUID:3F2504E0-4F89-41D3-9A0C-0305E82C3301" 3f2504e04f8941d39a0c0305e82c3301 3F2504E04F8941D39A0C0305E82C3301; do
    expect 0 "$tok_w" encode --scope workspace:read --allow "workspace:$id"
done
expect 0 "scopes: workspace:read
allow: workspace:$W" decode "$tok_w"
expect_json 0 "{\"scopes\":[\"workspace:read\"],\"allow\":[\"workspace:$W\"]}" decode --json "$tok_w"
# The options of encode read like the other commands'.
expect 0 "$tok_w" encode --allow="workspace:$W" --scope=workspace:read
expect 0 "$tok_w" --catalog "$ROOT/catalog/coder.catalog" encode --scope workspace:read --allow "workspace:{$W}"
CARET_JSON=no
expect_caret scope 1 10 encode --scope workspace:read,workspace:bogus
expect_caret allow 0 10 encode --allow workspace:zz
CARET_JSON=yes

# Empty lists, which the command line cannot give (an empty entry is an
# error, no option the default) but a token can hold: the same two lines,
# a bare label for an empty list, as normalize's formatter writes them.
body_w=$(tok_body "$tok_w")
head11=$(echo "$body_w" | cut -d' ' -f1-11)
tok_none=$(tok_seal "$head11 0 0")
expect 0 "scopes:
allow:" decode "$tok_none"
if [ "$(printf 'scopes:\nallow:\n')" = "$(cat out)" ] && [ "$(wc -c <out)" -eq 15 ]; then ok; else bad "decode: empty lists are bare labels"; fi
expect_json 0 '{"scopes":[],"allow":[]}' decode --json "$tok_none"
expect 1 "deny: empty scope list" check --token "$tok_none" workspace "$W" read
body_all=$(tok_body "$tok_all")
tok_noallow=$(tok_seal "${body_all% 1 0} 0")
expect 0 "scopes: coder:all
allow:" decode "$tok_noallow"
expect 1 "deny: empty allow list" check --token "$tok_noallow" workspace "$W" read
tok_noscope=$(tok_seal "$head11 0 ${body_w#"$head11 1 135 2 "}")
expect 0 "scopes:
allow: workspace:$W" decode "$tok_noscope"
expect 0 "scopes:
allow:

(no grants)" show --token "$tok_none"

# check, explain and show with --token: the answers of the lists, on the
# worked examples of docs/SPEC.md section 7 (above).
while IFS='|' read -r ex_s ex_a ex_r ex_i ex_act; do
    run check --scope "$ex_s" --allow "$ex_a" "$ex_r" "$ex_i" "$ex_act"
    cp out lists.out
    lists_rc=$rc
    run encode --scope "$ex_s" --allow "$ex_a"
    ex_tok=$(cat out)
    expect_file lists.out "$lists_rc" check --token "$ex_tok" "$ex_r" "$ex_i" "$ex_act"
    run check --json --scope "$ex_s" --allow "$ex_a" "$ex_r" "$ex_i" "$ex_act"
    cp out lists.out
    expect_file lists.out "$lists_rc" check --json --token "$ex_tok" "$ex_r" "$ex_i" "$ex_act"
    # explain: the same decision and reason (indices are in the token's
    # lists, which are in normal form).
    run explain --scope "$ex_s" --allow "$ex_a" "$ex_r" "$ex_i" "$ex_act"
    head -2 out >lists.out
    run explain --token "$ex_tok" "$ex_r" "$ex_i" "$ex_act"
    if [ "$rc" -eq "$lists_rc" ] && head -2 out | cmp -s lists.out - && [ "$(wc -l <out)" -eq 4 ]; then
        ok
    else
        bad "$(describe explain --token "$ex_tok" "$ex_r" "$ex_i" "$ex_act") (want the decision of --scope $ex_s --allow $ex_a)"
    fi
done <<EXAMPLES
workspace:read|workspace:$W|workspace|$W|read
workspace:read|workspace:$W|workspace|$T|read
workspace:read|workspace:$W|workspace|$W|update
workspace:read|workspace:$W|workspace||create
workspace:create|workspace:$W|workspace||create
workspace:create|workspace:*|workspace||create
workspace:*|*:*|workspace|$W|ssh
workspace:*|*:*|workspace_dormant2|$W|read
workspace:*|*:*|workspace_dormant|$W|read
coder:all|template:$T|workspace|$W|read
coder:all|*:$W|template|$W|read
coder:workspaces.access|*:*|workspace|$W|ssh
coder:workspaces.access|*:*|workspace|$W|delete
all|*:*|user_secret|$W|delete
coder:all|*:*|workspace|$W|fly
api_key:*|api_key:$W|api_key|abcdef1234|read
workspace:read|workspace:{3F2504E0-4F89-41D3-9A0C-0305E82C3301}|workspace|$W|read
EXAMPLES
# When the lists are already in normal form, explain is the same throughout.
tok_x=$("$AUTHZ" encode --scope template:read,workspace:read --allow "template:*,workspace:$W")
run explain --json --scope template:read,workspace:read --allow "template:*,workspace:$W" workspace "$W" read
cp out lists.out
expect_file lists.out 0 explain --json --token "$tok_x" workspace "$W" read
expect 0 "decision: allow
reason:   allowed
scope:    [1] workspace:read
allow:    [1] workspace:$W" explain --token "$tok_x" workspace "$W" read
# show: the golden outputs again, from the encoded tokens.
expect_golden show-coder-all 0 show --token "$tok_all"
expect_golden show-access 0 show --token "$("$AUTHZ" encode --scope coder:workspaces.access --allow "workspace:{3F2504E0-4F89-41D3-9A0C-0305E82C3301},template:*,workspace:$T")"
expect_golden show-docs 0 --catalog "$DOCS" show --token "$("$AUTHZ" --catalog "$DOCS" encode --scope no_audit,docs:review --allow "page:$W")"
# --token=VALUE, and options among the operands.
expect 0 "allow" check --token="$tok_w" workspace "$W" read
expect 1 "deny: not in the allow list" check workspace --token "$tok_w" "$T" read
expect 0 "allow" --catalog "$DOCS" check doc "$W" share --token "$("$AUTHZ" --catalog "$DOCS" encode)"

# Bad tokens: status 2, the library's message on stderr, nothing on stdout;
# a caret under the text only where the offset is in the text (a byte
# outside the base64url alphabet, a last character with unused bits set).
# tok_w is 36 bytes, 48 characters.
expect_err "authz: checksum mismatch at byte 32" decode "$(replace "$tok_w" 20 A)"
expect_err "authz: --token: checksum mismatch at byte 32" check --token "$(replace "$tok_w" 20 A)" workspace "$W" read
expect_err "authz: checksum mismatch at byte 29" decode "$(prefix "$tok_w" 44)"
expect_err "authz: truncated token at byte 15" decode "$(prefix "$tok_w" 20)"
expect_err "authz: truncated token at byte 0" decode ""
expect_err "authz: truncated base64url at byte 49" decode "${tok_w}A"
expect_err "authz: checksum mismatch at byte 35" decode "${tok_w}AAAA"
expect_err "authz: trailing bytes at byte 32" decode "$(tok_seal "$body_w 0")"
expect_err "authz: non-canonical base64url at byte 46
  $(prefix "$tok_w" 47)
                                                ^" decode "$(prefix "$tok_w" 47)"
expect_err "authz: not a base64url character at byte 10
  $(replace "$tok_w" 10 +)
            ^" decode "$(replace "$tok_w" 10 +)"
expect_err "authz: --token: not a base64url character at byte 48
  ${tok_w}==
                                                  ^" show --token "${tok_w}=="
expect_err "authz: not a base64url character at byte 2
  YX\\x09B-Av8WQoWqWYBhwIBBT8lBOBPiUHTmgwDBegsMwExnpOA
    ^" decode "$(replace "$tok_w" 2 "$TAB")"
expect_err "authz: unsupported version at byte 2" decode "$(tok_seal "97 122 2 ${head11#97 122 1 } 0 0")"
expect_err "authz: bad magic at byte 0" decode "$(tok_seal "98 ${head11#97 } 0 0")"
expect_err "authz: scopes out of canonical order at byte 14" decode "$(tok_seal "$head11 2 135 2 1 1 0")"
expect_err "authz: allow list not in normal form at byte 14" decode "$(tok_seal "$head11 1 1 2 0 0")"
tok_docs=$("$AUTHZ" --catalog "$DOCS" encode --scope docs:edit)
expect 0 "scopes: docs:edit
allow: *:*" --catalog "$DOCS" decode "$tok_docs"
expect_err "authz: token was encoded for another catalog at byte 3" decode "$tok_docs"
expect_err "authz: --token: token was encoded for another catalog at byte 3" explain --token "$tok_docs" workspace "$W" read
expect_err "authz: token was encoded for another catalog at byte 3" --catalog "$DOCS" decode "$tok_w"
expect_err "authz: token was encoded for another catalog at byte 3" --catalog "$HERE/fake-all.catalog" decode "$tok_w"
# Each byte outside the alphabet, at each of a few places: the caret follows.
for i in 0 5 23 47; do
    for ch in . + / = ' ' '~' '!'; do
        bad_tok=$(replace "$tok_w" $i "$ch")
        run decode "$bad_tok"
        caret=$(awk -v n="$i" 'BEGIN { s = "  "; for (k = 0; k < n; k++) s = s " "; print s "^" }')
        if [ "$rc" -eq 2 ] && [ ! -s out ] && [ "$(sed -n 1p err)" = "authz: not a base64url character at byte $i" ] &&
            [ "$(sed -n 2p err)" = "  $bad_tok" ] && [ "$(sed -n 3p err)" = "$caret" ] && [ "$(wc -l <err)" -eq 3 ]; then
            ok
        else
            bad "$(describe decode "$bad_tok") (want a caret at byte $i)"
        fi
    done
done
# Another character at each position, and every truncation: status 2,
# nothing on stdout, one message (with a caret only for a last character
# with unused bits set).
i=0
while [ $i -lt ${#tok_w} ]; do
    flipped=$(replace "$tok_w" $i A)
    [ "$flipped" = "$tok_w" ] && flipped=$(replace "$tok_w" $i B)
    for bad_tok in "$flipped" "$(prefix "$tok_w" $i)"; do
        run check --token "$bad_tok" workspace "$W" read
        if [ "$rc" -eq 2 ] && [ ! -s out ] && sed -n 1p err | grep -q '^authz: --token: [a-z]' &&
            { [ "$(wc -l <err)" -eq 1 ] || sed -n 1p err | grep -q 'non-canonical base64url'; }; then
            ok
        else
            bad "$(describe check --token "$bad_tok" workspace "$W" read) (want status 2 and a message)"
        fi
    done
    i=$((i + 1))
done
# JSON: the error object says where the offset is.
expect_json 2 '{"error":{"code":12,"error":"malformed encoded token","message":"not a base64url character at byte 10","list":"token","offset":10,"offset_in":"text"}}' decode --json "$(replace "$tok_w" 10 .)"
expect_json 2 '{"error":{"code":14,"error":"token encoded for another catalog","message":"token was encoded for another catalog at byte 3","list":"token","offset":3,"offset_in":"bytes"}}' check --json --token "$tok_docs" workspace - read
expect_json 2 '{"error":{"code":12,"error":"malformed encoded token","message":"truncated base64url at byte 49","list":"token","offset":49,"offset_in":"text"}}' decode --json "${tok_w}A"
expect_json 2 '{"error":{"code":12,"error":"malformed encoded token","message":"non-canonical base64url at byte 46","list":"token","offset":46,"offset_in":"text"}}' decode --json "$(prefix "$tok_w" 47)"
expect_json 2 '{"error":{"code":12,"error":"malformed encoded token","message":"truncated token at byte 15","list":"token","offset":15,"offset_in":"bytes"}}' decode --json "$(prefix "$tok_w" 20)"
expect_json 2 '{"error":{"code":15,"error":"encoded token checksum mismatch","message":"checksum mismatch at byte 32","list":"token","offset":32,"offset_in":"bytes"}}' explain --json --token "$(replace "$tok_w" 20 A)" workspace - read

# Usage: --token stands for both lists, on check, explain and show only.
expect_err "authz: check: --token and --scope exclude each other
Try 'authz check --help'." check --token "$tok_w" --scope workspace:read workspace "$W" read
expect_err "authz: explain: --token and --allow exclude each other
Try 'authz explain --help'." explain --allow '*:*' --token="$tok_w" workspace "$W" read
expect_err "authz: show: --token and --scope exclude each other
Try 'authz show --help'." show --scope workspace:read --allow '*:*' --token "$tok_w"
expect_err "authz: option --token given twice
Try 'authz check --help'." check --token "$tok_w" --token "$tok_w" workspace "$W" read
expect_err "authz: option --token needs a value (TOKEN)
Try 'authz show --help'." show --token
expect_err "authz: option --token goes after the command
Try 'authz --help'." --token "$tok_w" check workspace "$W" read
expect_err "authz: normalize does not take --token
Try 'authz normalize --help'." normalize --token "$tok_w"
expect_err "authz: encode does not take --token
Try 'authz encode --help'." encode --token "$tok_w"
expect_err "authz: decode does not take --scope
Try 'authz decode --help'." decode --scope workspace:read "$tok_w"
expect_err "authz: encode does not take --json
Try 'authz encode --help'." encode --json
expect_err "authz: decode needs TOKEN
Try 'authz decode --help'." decode
expect_err "authz: decode: unexpected operand 'x'
Try 'authz decode --help'." decode "$tok_w" x
expect_err "authz: encode: unexpected operand 'x'
Try 'authz encode --help'." encode x
# The examples of the man page are this catalog's tokens.
man_tok=$(sed -n 's/^\$ authz decode \([A-Za-z0-9_-]*\)$/\1/p' "$ROOT/man/authz.1")
expect 0 "$man_tok" encode --scope workspace:read --allow 'workspace:*'
expect_err "authz: not a base64url character at byte 4
  YXoB+Av8WQoWqWYBAQEAx-IzYQ
      ^" decode YXoB+Av8WQoWqWYBAQEAx-IzYQ
if grep -q '^  YXoB+Av8WQoWqWYBAQEAx-IzYQ$' "$ROOT/man/authz.1" && [ "$(replace "$tok_all" 4 +)" = YXoB+Av8WQoWqWYBAQEAx-IzYQ ]; then ok; else bad "man/authz.1: the example of a bad character"; fi

# ---- the man page ---------------------------------------------------------------------------

for cmd in $COMMANDS; do
    if grep -q "^\\.B $cmd\$" "$ROOT/man/authz.1"; then ok; else bad "man/authz.1 describes $cmd"; fi
done
if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
    if MANWIDTH=80 man --warnings -E UTF-8 -l "$ROOT/man/authz.1" 2>man.err >/dev/null && [ ! -s man.err ]; then
        ok
    else
        rc=1
        : >out
        cp man.err err
        bad "man/authz.1 renders without warnings"
    fi
else
    skipped=$((skipped + 1))
fi

# ---- summary ---------------------------------------------------------------------------------

total=$((passed + failed))
skip_note=
[ "$skipped" -eq 0 ] || skip_note=", $skipped skipped (man is not installed)"
echo "tests/cli: $total cases, $passed passed, $failed failed$skip_note"
[ "$failed" -eq 0 ]
