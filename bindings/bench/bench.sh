#!/bin/sh
# bench.sh C_BENCH PYTHONPATH GO_DIR - per-check cost from C, Go and Python,
# single and batched, measured one after the other in one run; prints a
# table (ns per check, median of 7 runs each, wall time and CPU time of the
# measuring thread; ratio of the CPU figures to C's).
# Run by `make bench-bindings` with GOCACHE/GOPATH/GOFLAGS set.
set -eu
cbench=$1 pypath=$2 godir=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
"$cbench" >> "$out"
(cd "$godir" && go test -run '^$' -bench '^Benchmark(Check|CheckMany)$' -count 7 -benchtime 1s .) |
    awk 'function metric(name,   i) { for (i = 2; i < NF; i++) if ($(i+1) == name) return $i; return "" }
         /^BenchmarkCheck-/ { ns++; sw[ns] = metric("ns/check"); sc[ns] = metric("cpu-ns/check") }
         /^BenchmarkCheckMany-/ { nb++; bw[nb] = metric("ns/check"); bc[nb] = metric("cpu-ns/check") }
         function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
         END { if (ns == 0 || nb == 0) exit 1
               printf "Go\tsingle\t%.1f\t%.1f\nGo\tbatched\t%.1f\t%.1f\n", med(sw, ns), med(sc, ns), med(bw, nb), med(bc, nb) }' >> "$out"
PYTHONPATH=$pypath /usr/bin/python3 "$(dirname "$0")/bench_py.py" >> "$out"

awk -F'\t' '{ w[$1 "," $2] = $3; c[$1 "," $2] = $4 }
    function row(name, s, b, what) {
        if (s == "")
            printf "%-7s %23s   %7.1f %7.1f (%4.1fx)  %s\n", name, "", w[b], c[b], c[b] / c["C,batched"], what
        else
            printf "%-7s %7.1f %7.1f (%4.1fx)   %7.1f %7.1f (%4.1fx)  %s\n", name, w[s], c[s], c[s] / c["C,single"], w[b], c[b], c[b] / c["C,batched"], what
    }
    END {
        printf "ns per check: wall, CPU (CPU ratio to C)\n"
        printf "%-7s %-23s   %s\n", "", "single check", "batched, 64 ids"
        row("C", "C,single", "C,batched", "authz_check; authz_check_target loop")
        row("C", "", "C,many", "authz_check_many")
        row("Go", "Go,single", "Go,batched", "Check; CheckMany")
        row("Python", "Python,single", "Python,batched", "check in a loop; check_many")
    }' "$out"
