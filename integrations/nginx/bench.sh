#!/bin/sh
# integrations/nginx/bench.sh MODULE GATE AUTHZ BENCH_TOKENS DIR - requests
# per second and latency through Debian's nginx on loopback, in one run:
# the same route and the same small response (empty_gif, 43 bytes) with no
# authorization, with ngx_http_authz_module (a table of 10,001 tokens), and
# with the auth_request gate of examples/nginx-auth (GATE); then the time to
# load a tokens file of 10,000 tokens. Prints a table.
#
#   ROUNDS (default 3) rounds of DURATION seconds (default 5) per setup,
#   interleaved; CONNECTIONS (default 16) connections from one wrk thread.
#   Medians over the rounds.
#
# A benchmark, never a test: figures depend on what else the machine runs.
set -u

[ $# -eq 5 ] || { echo "usage: $0 MODULE GATE AUTHZ BENCH_TOKENS DIR" >&2; exit 2; }
abspath() { case $1 in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }
MODULE=$(abspath "$1")
GATE=$(abspath "$2")
AUTHZ=$(abspath "$3")
BENCH_TOKENS=$(abspath "$4")
DIR=$(abspath "$5")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-16}
PATH=$PATH:/usr/sbin:/sbin
W=3f2504e0-4f89-41d3-9a0c-0305e82c3301

for c in nginx wrk curl; do
    command -v $c >/dev/null || { echo "bench-gateway: $c is missing (apt-get install -y $c)" >&2; exit 1; }
done

rm -rf "$DIR"
mkdir -p "$DIR/html" || exit 1
chmod 755 "$DIR"
nginx_pid=
gate_pid=
stop() {
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null || return 0
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}
trap 'stop "$nginx_pid"; stop "$gate_pid"' EXIT
trap 'exit 1' INT TERM HUP

# ---- tokens: 10,000 generated, and the benchmark's own ---------------------

"$BENCH_TOKENS" 10000 "$DIR/tokens" > "$DIR/parse.txt" || { echo "bench-gateway: $BENCH_TOKENS failed" >&2; exit 1; }
printf 'ws-reader\n' > "$DIR/secret"
"$AUTHZ" token-line --scope workspace:read,workspace:start --allow "workspace:$W" "$DIR/secret" >> "$DIR/tokens" || exit 1
tail -n 1 "$DIR/tokens" > "$DIR/one.tokens"

# ---- the gate ------------------------------------------------------------------

"$GATE" -t "$ROOT/examples/nginx-auth/tokens.conf" -P "$DIR/gate.port" 2> "$DIR/gate.log" &
gate_pid=$!
i=0
while [ ! -s "$DIR/gate.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$DIR/gate.port" ] || { cat "$DIR/gate.log" >&2; echo "bench-gateway: the gate did not start" >&2; exit 1; }
GATE_PORT=$(cat "$DIR/gate.port")

# ---- nginx: three servers, one route -------------------------------------------

random_port() {
    echo $((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
}

write_conf() { # TOKENS-FILE P_NONE P_MODULE P_GATE
    cat <<EOF
load_module $MODULE;
daemon off;
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $DIR/client_body;
    proxy_temp_path $DIR/proxy;
    fastcgi_temp_path $DIR/fastcgi;
    uwsgi_temp_path $DIR/uwsgi;
    scgi_temp_path $DIR/scgi;
    authz_tokens $1;
    server {
        listen 127.0.0.1:$2;
        location ~ ^/api/v2/workspaces/([^/]+)\$ { empty_gif; }
    }
    server {
        listen 127.0.0.1:$3;
        location ~ ^/api/v2/workspaces/([^/]+)\$ {
            authz workspace \$1 read;
            empty_gif;
        }
    }
    server {
        listen 127.0.0.1:$4;
        location ~ ^/api/v2/workspaces/([^/]+)\$ {
            auth_request /_authz;
            empty_gif;
        }
        location = /_authz {
            internal;
            proxy_pass http://127.0.0.1:$GATE_PORT;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-Method \$request_method;
            proxy_set_header X-Original-URI \$request_uri;
            proxy_connect_timeout 2s;
            proxy_read_timeout 5s;
        }
    }
}
EOF
}

started=
for _ in 1 2 3 4 5; do
    P0=$(random_port) P1=$(random_port) P2=$(random_port)
    [ "$P0" = "$P1" ] || [ "$P0" = "$P2" ] || [ "$P1" = "$P2" ] && continue
    write_conf "$DIR/tokens" "$P0" "$P1" "$P2" > "$DIR/nginx.conf"
    : > "$DIR/error.log"
    nginx -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/error.log" 2> "$DIR/stderr" &
    nginx_pid=$!
    i=0
    while [ $i -lt 100 ] && kill -0 "$nginx_pid" 2>/dev/null; do
        if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$P0/" &&
           curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$P2/"; then
            started=1
            break
        fi
        sleep 0.1
        i=$((i + 1))
    done
    [ -n "$started" ] && break
    stop "$nginx_pid"
    grep -q 'Address already in use' "$DIR/error.log" "$DIR/stderr" || break
done
[ -n "$started" ] || { cat "$DIR/stderr" "$DIR/error.log" >&2; echo "bench-gateway: nginx did not start" >&2; exit 1; }

URL_PATH=/api/v2/workspaces/$W
AUTH="Authorization: Bearer ws-reader"
# Each setup answers 200 with the token, and the gated ones 401 without.
for p in "$P0" "$P1" "$P2"; do
    got=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' -H "$AUTH" "http://127.0.0.1:$p$URL_PATH")
    [ "$got" = 200 ] || { echo "bench-gateway: port $p answered $got, not 200" >&2; exit 1; }
done
for p in "$P1" "$P2"; do
    got=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://127.0.0.1:$p$URL_PATH")
    [ "$got" = 401 ] || { echo "bench-gateway: port $p answered $got without a token, not 401" >&2; exit 1; }
done

# ---- wrk ---------------------------------------------------------------------

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# run NAME PORT ROUND: one wrk run; appends "NAME rps p50_us p99_us".
run() {
    out=$DIR/wrk.$1.$3
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "$AUTH" \
        "http://127.0.0.1:$2$URL_PATH" > "$out" 2>&1 || { cat "$out" >&2; exit 1; }
    if grep -q 'Non-2xx\|Socket errors' "$out"; then
        cat "$out" >&2
        echo "bench-gateway: $1: errors or non-2xx answers" >&2
        exit 1
    fi
    awk -v name="$1" '
        function us(v) {
            if (v ~ /us$/) return v + 0
            if (v ~ /ms$/) return v * 1000
            if (v ~ /s$/) return v * 1000000
            return v
        }
        $1 == "50%" { p50 = us($2) }
        $1 == "99%" { p99 = us($2) }
        $1 == "Requests/sec:" { rps = $2 }
        END { printf "%s %s %s %s\n", name, rps, p50, p99 }' "$out" >> "$DIR/results"
}
: > "$DIR/results"
r=1
while [ $r -le "$ROUNDS" ]; do
    run none "$P0" $r
    run module "$P1" $r
    run gate "$P2" $r
    r=$((r + 1))
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
stop "$nginx_pid"
nginx_pid=

# ---- load time -----------------------------------------------------------------

# nginx -t on the configuration with 10,001 tokens and with one: medians of 5.
ms_now() { date +%s%N; }
nginx_t() { # TOKENS-FILE -> median ms
    write_conf "$1" 1 2 3 > "$DIR/t.conf"
    for _ in 1 2 3 4 5; do
        t0=$(ms_now)
        nginx -t -q -p "$DIR" -c "$DIR/t.conf" -e "$DIR/t.log" || exit 1
        t1=$(ms_now)
        echo $(((t1 - t0) / 1000000))
    done | sort -n | sed -n 3p
}
T_MANY=$(nginx_t "$DIR/tokens")
T_ONE=$(nginx_t "$DIR/one.tokens")

# ---- the table -----------------------------------------------------------------

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$DIR/results" | median; }
RPS0=$(col none 2)
echo
echo "bench-gateway: $(nginx -v 2>&1 | sed 's/^nginx version: //'), 1 worker; wrk -t1 -c$CONNECTIONS, $ROUNDS rounds of ${DURATION} s per setup, interleaved; medians"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1); load average $LOAD_BEFORE before, $LOAD_AFTER after"
echo
printf '| %-36s | %9s | %8s | %8s | %9s |\n' "setup (GET $URL_PATH... 200)" "req/s" "p50 us" "p99 us" "vs none"
printf '|%s|%s|%s|%s|%s|\n' "--------------------------------------" "-----------:" "---------:" "---------:" "----------:"
for s in none module gate; do
    case $s in
    none) label="no authorization" ;;
    module) label="ngx_http_authz_module (10,001 tokens)" ;;
    gate) label="auth_request + examples/nginx-auth gate" ;;
    esac
    rps=$(col $s 2)
    p50=$(col $s 3)
    p99=$(col $s 4)
    rel=$(awk -v a="$rps" -v b="$RPS0" 'BEGIN { printf "%+.1f%%", (a / b - 1) * 100 }')
    printf '| %-36s | %9.0f | %8.0f | %8.0f | %9s |\n' "$label" "$rps" "$p50" "$p99" "$rel"
done
echo
echo "per round (req/s):"
for s in none module gate; do
    printf '  %-7s %s\n' "$s" "$(awk -v n=$s '$1 == n { printf "%.0f ", $2 }' "$DIR/results")"
done
echo
echo "tokens file of 10,000 tokens:"
echo "  $(cat "$DIR/parse.txt")"
echo "  nginx -t with 10,001 tokens: $T_MANY ms; with 1 token: $T_ONE ms (medians of 5)"
