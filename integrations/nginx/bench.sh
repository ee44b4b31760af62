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
# Then, under callgrind (when valgrind is installed), the user-space
# instructions per request with no authorization and with the module.
#
# Besides wrk's figures, the CPU time the nginx worker (and, for the gate,
# the gate process) spends per request, from /proc/PID/stat and nginx's
# stub_status counter over the middle of each run: less sensitive than
# requests per second to other work on the machine.
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
# random_port, pick_ports, stop, wait_file, nginx_start, nginx_main,
# nginx_temp_paths
# shellcheck source=tests/lib/servers.sh
. "$ROOT/tests/lib/servers.sh"
W=3f2504e0-4f89-41d3-9a0c-0305e82c3301

for c in nginx wrk curl; do
    command -v $c >/dev/null || { echo "bench-gateway: $c is missing (apt-get install -y $c)" >&2; exit 1; }
done

rm -rf "$DIR"
mkdir -p "$DIR/html" || exit 1
chmod 755 "$DIR"
nginx_pid=
gate_pid=
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
wait_file "$DIR/gate.port" "$gate_pid" 50 || { cat "$DIR/gate.log" >&2; echo "bench-gateway: the gate did not start" >&2; exit 1; }
GATE_PORT=$(cat "$DIR/gate.port")

# ---- nginx: three servers, one route -------------------------------------------

write_conf() { # TOKENS-FILE P_NONE P_MODULE P_GATE P_STATUS
    nginx_main "$MODULE" "$DIR/nginx.pid" "$DIR/error.log" warn 1024
    echo "worker_processes 1;"
    echo "http {"
    nginx_temp_paths "$DIR"
    cat <<EOF
    access_log off;
    keepalive_requests 1000000;
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
    server {
        listen 127.0.0.1:$5;
        location = /status { stub_status; }
    }
}
EOF
}

started=
for _ in 1 2 3 4 5; do
    pick_ports "$GATE_PORT" P0 P1 P2 P3
    write_conf "$DIR/tokens" "$P0" "$P1" "$P2" "$P3" > "$DIR/nginx.conf"
    nginx_start "$DIR" "$DIR/nginx.conf" 100 "http://127.0.0.1:$P0/" "http://127.0.0.1:$P2/"
    case $? in
    0) started=1; break ;;
    1) ;;
    *) break ;;
    esac
done
[ -n "$started" ] || { cat "$DIR/nginx.stderr" "$DIR/error.log" >&2; echo "bench-gateway: nginx did not start" >&2; exit 1; }

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

WORKER=$(ps -o pid= --ppid "$nginx_pid" | tr -d ' ' | head -n 1)
[ -n "$WORKER" ] || { echo "bench-gateway: no nginx worker" >&2; exit 1; }
TCK=$(getconf CLK_TCK)
# CPU ticks (user + system) of the processes given.
ticks() {
    t=0
    for p in "$@"; do
        # shellcheck disable=SC2046
        set -- $(sed 's/^.*) //' "/proc/$p/stat")
        t=$((t + ${12} + ${13}))
    done
    echo $t
}
# Requests nginx has served (stub_status).
served() {
    curl -s --max-time 2 "http://127.0.0.1:$P3/status" | awk 'NF == 3 && $1 ~ /^[0-9]+$/ { print $3 }'
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# run NAME PORT ROUND PID...: one wrk run; appends "NAME rps p50_us p99_us
# cpu_us_per_request", the CPU time of PID... over the middle of the run.
run() {
    name=$1 port=$2 round=$3
    out=$DIR/wrk.$name.$round
    shift 3
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "$AUTH" \
        "http://127.0.0.1:$port$URL_PATH" > "$out" 2>&1 &
    wrk_pid=$!
    sleep 1
    r0=$(served) c0=$(ticks "$@")
    sleep $((DURATION - 2))
    r1=$(served) c1=$(ticks "$@")
    wait "$wrk_pid" || { cat "$out" >&2; exit 1; }
    cpu=$(awk -v c=$((c1 - c0)) -v r=$((r1 - r0 - 1)) -v t="$TCK" 'BEGIN { printf "%.1f", c * 1e6 / t / r }')
    if grep -q 'Non-2xx\|Socket errors' "$out"; then
        cat "$out" >&2
        echo "bench-gateway: $1: errors or non-2xx answers" >&2
        exit 1
    fi
    awk -v name="$name" -v cpu="$cpu" '
        function us(v) {
            if (v ~ /us$/) return v + 0
            if (v ~ /ms$/) return v * 1000
            if (v ~ /s$/) return v * 1000000
            return v
        }
        $1 == "50%" { p50 = us($2) }
        $1 == "99%" { p99 = us($2) }
        $1 == "Requests/sec:" { rps = $2 }
        END { printf "%s %s %s %s %s\n", name, rps, p50, p99, cpu }' "$out" >> "$DIR/results"
}
: > "$DIR/results"
r=1
while [ $r -le "$ROUNDS" ]; do
    run none "$P0" $r "$WORKER"
    run module "$P1" $r "$WORKER"
    run gate "$P2" $r "$WORKER" "$gate_pid"
    r=$((r + 1))
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
stop "$nginx_pid"
nginx_pid=

# ---- load time -----------------------------------------------------------------

# nginx -t on the configuration with 10,001 tokens and with one: medians of 5.
ms_now() { date +%s%N; }
nginx_t() { # TOKENS-FILE -> median ms
    write_conf "$1" 1 2 3 4 > "$DIR/t.conf"
    for _ in 1 2 3 4 5; do
        t0=$(ms_now)
        nginx -t -q -p "$DIR" -c "$DIR/t.conf" -e "$DIR/t.log" || exit 1
        t1=$(ms_now)
        echo $(((t1 - t0) / 1000000))
    done | sort -n | sed -n 3p
}
T_MANY=$(nginx_t "$DIR/tokens")
T_ONE=$(nginx_t "$DIR/one.tokens")

# ---- instructions per request (callgrind) --------------------------------------

# User-space instructions that one nginx process (master_process off)
# executes per request, with no authorization and with the module: counted
# by callgrind, so other work on the machine does not change them. Each
# setup serves N1 and then N2 keep-alive requests in two runs; the
# difference over N2 - N1 requests leaves out start-up (and the 10,001-token
# load). Kernel time (the sockets) is not counted.
CG_N1=500
CG_N2=2500
cg_conf() { # SETUP PORT
    nginx_main "$MODULE" "$DIR/cg.pid" "$DIR/cg.error.log" warn 64
    echo "master_process off;"
    echo "http {"
    nginx_temp_paths "$DIR"
    cat <<EOF
    access_log off;
    keepalive_requests 1000000;
    authz_tokens $DIR/tokens;
    server {
        listen 127.0.0.1:$2;
        location ~ ^/api/v2/workspaces/([^/]+)\$ {
EOF
    [ "$1" = module ] && echo "            authz workspace \$1 read;"
    cat <<EOF
            empty_gif;
        }
    }
}
EOF
}
cg_ir() { # SETUP N -> instructions of the whole run
    port=$(random_port)
    cg_conf "$1" "$port" > "$DIR/cg.conf"
    rm -f "$DIR/cg.pid" "$DIR/cg.out"
    valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.out" \
        nginx -p "$DIR" -c "$DIR/cg.conf" -e "$DIR/cg.error.log" 2> "$DIR/cg.stderr" &
    cg_pid=$!
    wait_file "$DIR/cg.pid" "$cg_pid" 600 || { cat "$DIR/cg.stderr" "$DIR/cg.error.log" >&2; echo "bench-gateway: nginx under callgrind did not start" >&2; exit 1; }
    awk -v n="$2" -v u="http://127.0.0.1:$port$URL_PATH" \
        'BEGIN { for (i = 0; i < n; i++) printf "url = \"%s\"\noutput = \"/dev/null\"\n", u }' > "$DIR/cg.urls"
    ok=$(curl -s --max-time 600 -H "$AUTH" -w '%{http_code}\n' -K "$DIR/cg.urls" | grep -c '^200$')
    # callgrind writes its counts at exit: give it time (60 s at most).
    stop "$cg_pid" 600
    [ "$ok" -eq "$2" ] || { echo "bench-gateway: callgrind run: $ok of $2 requests answered 200" >&2; exit 1; }
    ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$DIR/cg.out" | head -n 1)
    [ -n "$ir" ] || { echo "bench-gateway: callgrind wrote no counts ($DIR/cg.out)" >&2; exit 1; }
    echo "$ir"
}
CG=
if command -v valgrind >/dev/null; then
    for s in none module; do
        a=$(cg_ir $s $CG_N1)
        b=$(cg_ir $s $CG_N2)
        eval "CG_$s=$(( (b - a) / (CG_N2 - CG_N1) ))"
    done
    CG=1
fi

# ---- the table -----------------------------------------------------------------

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$DIR/results" | median; }
# The ratio to "none" in each round (neighbouring runs), then its median.
ratio() {
    awk -v n="$1" -v c="$2" '$1 == "none" { base[++i] = $c } $1 == n { v[++j] = $c }
        END { for (k = 1; k <= j; k++) print (v[k] / base[k] - 1) * 100 }' "$DIR/results" | median
}
echo
echo "bench-gateway: $(nginx -v 2>&1 | sed 's/^nginx version: //'), 1 worker; wrk -t1 -c$CONNECTIONS, GET $URL_PATH (200, 43 bytes)"
echo "$ROUNDS rounds of ${DURATION} s per setup, interleaved; medians over the rounds; \"vs none\": the median of the per-round ratios"
echo "CPU/req: the nginx worker's user+system time (plus the gate's, for the gate) over the middle of each run, per request served"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1); load average $LOAD_BEFORE before, $LOAD_AFTER after"
echo
printf '| %-40s | %7s | %8s | %7s | %7s | %10s | %8s |\n' "setup" "req/s" "vs none" "p50 us" "p99 us" "CPU us/req" "vs none"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "------------------------------------------" "--------:" "---------:" "--------:" "--------:" "-----------:" "---------:"
for s in none module gate; do
    case $s in
    none) label="no authorization" ;;
    module) label="ngx_http_authz_module (10,001 tokens)" ;;
    gate) label="auth_request + examples/nginx-auth gate" ;;
    esac
    printf '| %-40s | %7.0f | %+7.1f%% | %7.0f | %7.0f | %10.1f | %+7.1f%% |\n' "$label" \
        "$(col $s 2)" "$(ratio $s 2)" "$(col $s 3)" "$(col $s 4)" "$(col $s 5)" "$(ratio $s 5)"
done
echo
echo "per round: req/s (CPU us/req)"
for s in none module gate; do
    printf '  %-7s %s\n' "$s" "$(awk -v n=$s '$1 == n { printf "%.0f (%s)  ", $2, $5 }' "$DIR/results")"
done
if [ -n "$CG" ]; then
    echo
    echo "user-space instructions per request (callgrind, one nginx process, requests $CG_N1 to $CG_N2):"
    echo "  no authorization: $CG_none; ngx_http_authz_module: $CG_module ($(awk -v a="$CG_module" -v b="$CG_none" 'BEGIN { printf "%+d, %+.1f%%", a - b, (a / b - 1) * 100 }'))"
    echo "  (valgrind's CPU has no SHA extensions: SHA-256 counts as OpenSSL's portable code, about 2,000 instructions a block)"
fi
echo
echo "tokens file of 10,000 tokens:"
echo "  $(cat "$DIR/parse.txt")"
echo "  nginx -t with 10,001 tokens: $T_MANY ms; with 1 token: $T_ONE ms (medians of 5)"
