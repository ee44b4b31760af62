#!/bin/sh
# bench.sh - wrk against the two example servers on loopback: requests per
# second and latency percentiles for an authorized request, and the errors
# (there must be none). Not a test: `make bench-examples` runs it.
#
#   sh examples/bench.sh API_SERVER AUTHZ_GATE
#
# BENCH_SECONDS (10), BENCH_CONNECTIONS (32) and BENCH_THREADS (2) set the
# wrk run; each server runs with its defaults (4 threads). The figures
# depend on the machine and on whatever else runs on it: the load averages
# are printed first.
set -u

api=$1
gate=$2
here=$(cd "$(dirname "$0")" && pwd)
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
W=3f2504e0-4f89-41d3-9a0c-0305e82c3301
api_pid=
gate_pid=
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authz-bench.XXXXXX") || exit 1

stop() {
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}
cleanup() {
    stop "$api_pid"
    stop "$gate_pid"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
die() { echo "bench-examples: $*" >&2; exit 1; }

command -v wrk >/dev/null 2>&1 || die "wrk is missing (apt-get install -y wrk)"

# wait_port FILE PID
wait_port() {
    i=0
    while [ ! -s "$1" ] && [ $i -lt 100 ] && kill -0 "$2" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    [ -s "$1" ] || die "a server did not start"
    cat "$1"
}

# run NAME URL HEADER...: one wrk run; prints a summary line, fails on errors.
run() {
    name=$1 target=$2
    shift 2
    set -- -t "$threads" -c "$conns" -d "${secs}s" --latency --timeout 2s "$@" "$target"
    timeout -k 5 $((secs + 30)) wrk "$@" > "$tmp/wrk.out" 2>&1 || { cat "$tmp/wrk.out" >&2; die "wrk failed"; }
    rps=$(sed -n 's/^Requests\/sec: *//p' "$tmp/wrk.out")
    p50=$(awk '$1 == "50%" { print $2 }' "$tmp/wrk.out")
    p99=$(awk '$1 == "99%" { print $2 }' "$tmp/wrk.out")
    total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$tmp/wrk.out")
    non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$tmp/wrk.out")
    sockerr=$(sed -n 's/^ *Socket errors: *//p' "$tmp/wrk.out")
    printf '%-34s %10s req/s   p50 %8s   p99 %8s   %s requests, errors: %s\n' \
        "$name" "$rps" "$p50" "$p99" "$total" "${non2xx:-0} non-2xx${sockerr:+, socket $sockerr}"
    [ -z "$non2xx" ] && [ -z "$sockerr" ] || { sed 's/^/    /' "$tmp/wrk.out" >&2; die "$name: errors"; }
}

echo "bench-examples: wrk -t$threads -c$conns -d${secs}s on loopback; $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- the API server ----
key=$("$api" -d "$tmp/api.db" mint workspace:read,workspace:create "*:*" 2> "$tmp/api.log") || die "cannot mint"
"$api" -d "$tmp/api.db" -P "$tmp/api.port" 2>> "$tmp/api.log" &
api_pid=$!
aport=$(wait_port "$tmp/api.port" "$api_pid")
curl -s -o /dev/null --max-time 5 -H "Authorization: Bearer $key" \
    -d "{\"name\": \"bench\", \"id\": \"$W\"}" "http://127.0.0.1:$aport/workspaces"
run "api_server GET /workspaces/<id>" "http://127.0.0.1:$aport/workspaces/$W" \
    -H "Authorization: Bearer $key"
stop "$api_pid"
api_pid=

# ---- the gate ----
"$gate" -q -t "$here/nginx-auth/tokens.conf" -P "$tmp/gate.port" 2> "$tmp/gate.log" &
gate_pid=$!
gport=$(wait_port "$tmp/gate.port" "$gate_pid")
run "authz_gate forward-auth GET" "http://127.0.0.1:$gport/" \
    -H "Authorization: Bearer ws-reader" -H "X-Forwarded-Method: GET" \
    -H "X-Forwarded-Uri: /api/v2/workspaces/$W"
stop "$gate_pid"
gate_pid=
echo "bench-examples: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
