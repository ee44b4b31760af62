#!/bin/sh
# run.sh - the peers benchmark: one job on authz and on each policy engine,
# side by side. `make bench-peers` runs it; see bench/peers/README.md.
#
#   sh bench/peers/run.sh AUTHZ_PEERS OUTDIR
#
# AUTHZ_PEERS is the built authz_peers program, OUTDIR a scratch directory
# (workloads, the Go build, results). Settable:
#   PEERS_SIZES    allow-list sizes, workspace:<uuid> entries (default "16 128")
#   PEERS_ROUNDS   rounds: every engine runs once per size per round, the
#                  engines interleaved (default 2)
#   PEERS_RUNS     timed runs per engine per round (default 5)
#   PEERS_MIN_MS   least length of a timed run (default 200)
#   PEERS_SEED     the workload's seed (default 1)
#   PEERS_ENGINES  which engines (default all: authz casbin-go casbin-node
#                  cedar biscuit; authz always runs)
#
# An engine that cannot be built or loaded is skipped with its reason, in the
# log and in the table. An engine that disagrees with authz on any request
# stops the run with status 1.
set -eu

[ $# -eq 2 ] || { echo "usage: run.sh AUTHZ_PEERS OUTDIR" >&2; exit 2; }
AUTHZ_PEERS=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
SIZES=${PEERS_SIZES:-16 128}
ROUNDS=${PEERS_ROUNDS:-2}
SEED=${PEERS_SEED:-1}
ENGINES=${PEERS_ENGINES:-authz casbin-go casbin-node cedar biscuit}
case " $ENGINES " in *" authz "*) ;; *) ENGINES="authz $ENGINES" ;; esac
export PEERS_RUNS="${PEERS_RUNS:-5}" PEERS_MIN_MS="${PEERS_MIN_MS:-200}"

mkdir -p "$OUT"
RESULTS=$OUT/results.txt
: > "$RESULTS"
SKIPS=$OUT/skips.txt
: > "$SKIPS"

skip() { # engine reason
    echo "bench-peers: skipping $1: $2" >&2
    printf '%s\t%s\n' "$1" "$2" >> "$SKIPS"
}
skipped() { grep -q "^$1	" "$SKIPS"; }
wanted() { case " $ENGINES " in *" $1 "*) return 0 ;; esac; return 1; }

machine() {
    echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $(uname -sr)"
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "busiest other processes (ps %CPU over their lifetime):"
    ps -eo pcpu=,etime=,comm= --sort=-pcpu | head -n 5 | sed 's/^/    /'
}

echo "==== bench-peers: $(date -u '+%Y-%m-%d %H:%M UTC')"
machine

# ---- engines: build or find each one --------------------------------------

# casbin (Go): Debian's golang-github-casbin-casbin-dev, GOPATH mode, offline.
# The package installs casbin v2 under .../github.com/casbin/casbin; a v2
# link in a GOPATH of our own lets `import "github.com/casbin/casbin/v2"`
# resolve there.
if wanted casbin-go; then
    CASBIN_SRC=/usr/share/gocode/src/github.com/casbin/casbin
    if ! command -v go >/dev/null 2>&1; then
        skip casbin-go "go is missing (apt-get install -y golang-go)"
    elif [ ! -f "$CASBIN_SRC/enforcer.go" ]; then
        skip casbin-go "casbin's Go sources are missing (apt-get install -y golang-github-casbin-casbin-dev)"
    else
        mkdir -p "$OUT/gopath/src/github.com/casbin/casbin"
        ln -sfn "$CASBIN_SRC" "$OUT/gopath/src/github.com/casbin/casbin/v2"
        if ! (cd "$HERE/casbin-go" && env GO111MODULE=off GOFLAGS= GOPROXY=off \
                GOPATH="$OUT/gopath:/usr/share/gocode" GOCACHE="$OUT/gocache" \
                go build -o "$OUT/casbin-go" .) > "$OUT/casbin-go.build.log" 2>&1; then
            sed 's/^/    /' "$OUT/casbin-go.build.log" >&2
            skip casbin-go "the Go program did not build (log above)"
        fi
    fi
fi

# The Node engines: npm packages pinned by node/package-lock.json, installed
# into bench/peers/node/node_modules when missing (the one download).
NODE_DIR=$HERE/node
node_ok=1
if wanted casbin-node || wanted cedar || wanted biscuit; then
    reason=
    if ! command -v node >/dev/null 2>&1; then
        reason="node is missing (apt-get install -y nodejs)"
    elif [ ! -f "$NODE_DIR/node_modules/.package-lock.json" ] ||
         ! cmp -s "$NODE_DIR/package-lock.json" "$NODE_DIR/node_modules/.peers-lock"; then
        if ! command -v npm >/dev/null 2>&1; then
            reason="npm is missing (apt-get install -y npm) and node/node_modules is not installed"
        else
            echo "bench-peers: npm ci in $NODE_DIR (versions pinned by package-lock.json)"
            if (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error) > "$OUT/npm.log" 2>&1; then
                cp "$NODE_DIR/package-lock.json" "$NODE_DIR/node_modules/.peers-lock"
            else
                sed 's/^/    /' "$OUT/npm.log" >&2
                reason="npm ci failed (log above)"
            fi
        fi
    fi
    if [ -n "$reason" ]; then
        node_ok=0
        for e in casbin-node cedar biscuit; do wanted $e && skip $e "$reason"; done
    fi
    [ "$node_ok" = 0 ] || echo "node $(node --version); $(cd "$NODE_DIR" && npm ls --depth=0 2>/dev/null | sed -n 's/^[^ ]* //p' | tr '\n' ' ')"
fi

# ---- workloads ------------------------------------------------------------

for n in $SIZES; do
    "$AUTHZ_PEERS" gen "$n" "$SEED" "$OUT/work-$n.txt"
done

# run ENGINE N: one process, its result line appended to RESULTS.
run() {
    e=$1
    w=$OUT/work-$2.txt
    case $e in
    authz) set -- "$AUTHZ_PEERS" run "$w" ;;
    casbin-go) set -- "$OUT/casbin-go" "$HERE/casbin/model.conf" "$w" ;;
    casbin-node) set -- node "$NODE_DIR/peers.mjs" casbin-node "$w" "$HERE/casbin/model.conf" ;;
    cedar) set -- node "$NODE_DIR/peers.mjs" cedar "$w" ;;
    # biscuit-wasm imports its .wasm file as an ES module: node 20 needs
    # the flag its README names.
    biscuit) set -- node --experimental-wasm-modules --disable-warning=ExperimentalWarning \
        "$NODE_DIR/peers.mjs" biscuit "$w" ;;
    esac
    status=0
    "$@" > "$OUT/last.out" 2> "$OUT/last.err" || status=$?
    if [ "$status" = 3 ] && grep -q '^skip ' "$OUT/last.out"; then
        skip "$e" "$(sed -n 's/^skip engine=[^ ]* reason=//p' "$OUT/last.out")"
        return 0
    fi
    if [ "$status" != 0 ] || ! grep -q '^result ' "$OUT/last.out"; then
        cat "$OUT/last.out" "$OUT/last.err" >&2
        echo "bench-peers: $e failed on $w (status $status): stopping" >&2
        exit 1
    fi
    grep '^result ' "$OUT/last.out" | tee -a "$RESULTS"
}

round=1
while [ "$round" -le "$ROUNDS" ]; do
    echo "---- round $round of $ROUNDS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    for n in $SIZES; do
        for e in $ENGINES; do
            skipped "$e" || run "$e" "$n"
        done
    done
    round=$((round + 1))
done

# ---- the table ------------------------------------------------------------

echo
echo "==== ns per decision: medians over $ROUNDS rounds x $PEERS_RUNS runs, every decision equal to authz's"
echo "     (CPU time of the engine's process per decision; wall clock beside it)"
awk -v sizes="$SIZES" -v engines="$ENGINES" -v skips="$SKIPS" '
function median(list,    v, m, i, j, t) {
    m = split(list, v, ",")
    for (i = 2; i <= m; i++) {
        t = v[i] + 0
        for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]
        v[j + 1] = t
    }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
function fmt(x) {
    return x >= 100 ? sprintf("%.0f", x) : sprintf("%.1f", x)
}
BEGIN {
    while ((getline line < skips) > 0) {
        split(line, f, "\t"); why[f[1]] = f[2]
    }
}
/^result / {
    e = ""; n = ""
    for (i = 2; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "engine") e = kv[2]
        else if (kv[1] == "n") n = kv[2]
        else if (kv[1] == "wall_ns") wall[e, n] = wall[e, n] (wall[e, n] == "" ? "" : ",") kv[2]
        else if (kv[1] == "cpu_ns") cpu[e, n] = cpu[e, n] (cpu[e, n] == "" ? "" : ",") kv[2]
    }
}
END {
    ns = split(sizes, S, " "); ne = split(engines, E, " ")
    hdr = "| engine |"; sep = "|---|"
    for (s = 1; s <= ns; s++) {
        hdr = hdr sprintf(" %s entries: ns | x authz | wall ns |", S[s])
        sep = sep "---:|---:|---:|"
    }
    print hdr; print sep
    for (s = 1; s <= ns; s++) base[s] = ((("authz", S[s]) in cpu) ? median(cpu["authz", S[s]]) : 0)
    for (k = 1; k <= ne; k++) {
        e = E[k]; row = "| " e " |"
        if (e in why) { print row " skipped: " why[e] " |"; continue }
        for (s = 1; s <= ns; s++) {
            if (!((e, S[s]) in cpu)) { row = row " - | - | - |"; continue }
            c = median(cpu[e, S[s]]); w = median(wall[e, S[s]])
            r = base[s] > 0 ? c / base[s] : 0
            row = row sprintf(" %s | %s | %s |", fmt(c), (e == "authz" ? "1" : (r >= 100 ? sprintf("%.0f", r) : sprintf("%.1f", r))), fmt(w))
        }
        print row
    }
}' "$RESULTS" | tee "$OUT/table.md"
echo
echo "after the run:"
machine
