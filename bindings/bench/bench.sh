#!/bin/sh
# bench.sh C_BENCH PYTHONPATH GO_DIR - per-check cost from C, Go and Python,
# single and batched, measured one after the other in one run; prints a
# table (ns per check, median of 7 runs each; ratio to the C figure).
# Run by `make bench-bindings` with GOCACHE/GOPATH/GOFLAGS set.
set -eu
cbench=$1 pypath=$2 godir=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
"$cbench" >> "$out"
(cd "$godir" && go test -run '^$' -bench '^Benchmark(Check|CheckMany)$' -count 7 -benchtime 1s .) |
    awk '/^BenchmarkCheck-/ { s[++ns] = $3 }
         /^BenchmarkCheckMany-/ { for (i = 1; i < NF; i++) if ($(i+1) == "ns/check") b[++nb] = $i }
         function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
         END { if (ns == 0 || nb == 0) exit 1; printf "Go\tsingle\t%.1f\nGo\tbatched\t%.1f\n", med(s, ns), med(b, nb) }' >> "$out"
PYTHONPATH=$pypath /usr/bin/python3 "$(dirname "$0")/bench_py.py" >> "$out"

awk -F'\t' '{ v[$1 "," $2] = $3 }
    END {
        printf "ns per check (ratio to C)   %-20s %s\n", "single check", "batched, 64 ids"
        printf "%-27s %8.1f (%4.1fx)        %8.1f (%4.1fx)  authz_check / authz_check_target loop\n", "C", v["C,single"], 1, v["C,batched"], 1
        printf "%-27s %8s               %8.1f (%4.1fx)  authz_check_many\n", "C", "", v["C,many"], v["C,many"] / v["C,batched"]
        printf "%-27s %8.1f (%4.1fx)        %8.1f (%4.1fx)  Check / CheckMany\n", "Go", v["Go,single"], v["Go,single"] / v["C,single"], v["Go,batched"], v["Go,batched"] / v["C,batched"]
        printf "%-27s %8.1f (%4.1fx)        %8.1f (%4.1fx)  check in a loop / check_many\n", "Python", v["Python,single"], v["Python,single"] / v["C,single"], v["Python,batched"], v["Python,batched"] / v["C,batched"]
    }' "$out"
