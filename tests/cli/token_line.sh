#!/bin/sh
# tests/cli/token_line.sh AUTHZ - `authz token-line`: the tokens-file line
# for a secret read from a file or standard input, or a new secret; exit
# statuses and messages for bad input. Needs sha256sum (coreutils).
set -u

[ $# -eq 1 ] || { echo "usage: $0 path/to/authz" >&2; exit 2; }
AUTHZ=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
W=3f2504e0-4f89-41d3-9a0c-0305e82c3301
# printf hunter2 | sha256sum
H=f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7
passed=0
failed=0

run() {
    "$AUTHZ" "$@" > "$TMP/out" 2> "$TMP/err"
    rc=$?
}

# expect NAME STATUS STDOUT [STDERR-SUBSTRING]
expect() {
    if [ "$rc" = "$2" ] && [ "$(cat "$TMP/out")" = "$3" ] &&
       { [ -z "${4:-}" ] || grep -qF -- "$4" "$TMP/err"; }; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $1: exit $rc (want $2)"
        sed 's/^/    out| /' "$TMP/out"
        sed 's/^/    err| /' "$TMP/err"
    fi
}

printf 'hunter2\n' > "$TMP/secret"
printf 'hunter2\r\n' > "$TMP/secret-crlf"
printf 'hunter2' > "$TMP/secret-bare"
: > "$TMP/empty"
printf '\n' > "$TMP/newline"
printf 'hunter 2\n' > "$TMP/blank"
printf 'hunter2\n\n' > "$TMP/two-newlines"

run token-line --scope workspace:read,workspace:start --allow "workspace:$W" "$TMP/secret"
expect "a secret file" 0 "$H workspace:read,workspace:start workspace:$W"
[ -s "$TMP/err" ] && { failed=$((failed + 1)); echo "FAIL: stderr not empty with a secret file"; }

run token-line --scope workspace:read --scope workspace:start --allow "workspace:$W" "$TMP/secret-crlf"
expect "CR LF, repeated --scope" 0 "$H workspace:read,workspace:start workspace:$W"

run token-line --allow '*:*' --scope coder:all "$TMP/secret-bare"
expect "no final newline; options in any order" 0 "$H coder:all *:*"

"$AUTHZ" token-line --scope 'workspace:*' --allow 'workspace:*' - < "$TMP/secret" > "$TMP/out" 2> "$TMP/err"
rc=$?
expect "standard input" 0 "$H workspace:* workspace:*"

# A new secret: printed once on stderr; the line is its hash.
run token-line --scope workspace:read --allow 'workspace:*'
secret=$(sed -n 's/^secret (shown once, keep it): //p' "$TMP/err")
want=$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)
expect "a new secret" 0 "$want workspace:read workspace:*" "secret (shown once"
case $secret in
*[!A-Za-z0-9_-]* | "") failed=$((failed + 1)); echo "FAIL: the new secret is not base64url: '$secret'" ;;
*) [ ${#secret} -eq 43 ] && passed=$((passed + 1)) ||
       { failed=$((failed + 1)); echo "FAIL: the new secret has ${#secret} characters, want 43"; } ;;
esac
run token-line --scope workspace:read --allow 'workspace:*'
secret2=$(sed -n 's/^secret (shown once, keep it): //p' "$TMP/err")
[ "$secret" != "$secret2" ] && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: two new secrets are equal"; }

# Errors: exit 2, a message, nothing on stdout.
run token-line --scope workspace:read "$TMP/secret"
expect "no --allow" 2 "" "token-line needs --scope and --allow"
run token-line --allow '*:*' "$TMP/secret"
expect "no --scope" 2 "" "token-line needs --scope and --allow"
run token-line --scope workspace:bogus --allow '*:*' "$TMP/secret"
expect "an unknown action" 2 "" 'scope[0] "workspace:bogus": unknown action for this type at byte 10'
grep -qx '            ^' "$TMP/err" && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: no caret under byte 10"; cat "$TMP/err"; }
run token-line --scope workspace:read --allow workspace:3f25-zz "$TMP/secret"
expect "a bad UUID" 2 "" "invalid UUID"
run token-line --scope debug_info:read --allow '*:*' "$TMP/secret"
expect "a scope that is not public" 2 "" "debug_info:read"
run token-line --scope workspace:read, --allow '*:*' "$TMP/secret"
expect "a stray comma" 2 "" "scope[1]"
run token-line --scope workspace:read --allow '*:*' "$TMP/empty"
expect "an empty secret" 2 "" "the secret is empty"
run token-line --scope workspace:read --allow '*:*' "$TMP/newline"
expect "a newline only" 2 "" "the secret is empty"
run token-line --scope workspace:read --allow '*:*' "$TMP/blank"
expect "a blank in the secret" 2 "" "at byte 6"
run token-line --scope workspace:read --allow '*:*' "$TMP/two-newlines"
expect "a second newline is part of the secret" 2 "" "at byte 7"
run token-line --scope workspace:read --allow '*:*' "$TMP/missing"
expect "no such file" 2 "" "No such file"
head -c 5000 /dev/zero | tr '\0' a > "$TMP/long"
run token-line --scope workspace:read --allow '*:*' "$TMP/long"
expect "a secret of 5000 bytes" 2 "" "longer than 4096 bytes"
run token-line --scope workspace:read --allow '*:*' "$TMP/secret" "$TMP/secret"
expect "two operands" 2 "" "unexpected operand"
run token-line --secret hunter2 --scope workspace:read --allow '*:*'
expect "no --secret option" 2 "" "unknown option '--secret'"

run token-line --help
if [ $rc -eq 0 ] && grep -q 'SECRET_FILE' "$TMP/out" && grep -q 'process' "$TMP/out"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); echo "FAIL: token-line --help"; cat "$TMP/out"
fi
run --help
grep -q '^  token-line ' "$TMP/out" && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: authz --help does not list token-line"; }

echo "tests/cli/token_line.sh: $((passed + failed)) cases, $passed passed, $failed failed"
[ $failed -eq 0 ]
