#!/bin/sh
# tests/layers.sh - no file calls into a file that calls it back, directly or
# around a loop; no private header includes one that includes it back.
#
#   sh tests/layers.sh NAME OBJECT... [-- HEADER...]
#
# Calls come from the object files: file A calls file B when A uses a symbol
# B defines (nm). Includes come from `#include "..."` lines of the headers
# given. Prints every edge with -v in LAYERS_VERBOSE, each cycle found, and
# exits 1 if there is one.
set -eu
name=$1
shift
NM=${NM:-nm}
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT

objs=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    objs="$objs $1"
    shift
done
[ $# -gt 0 ] && shift

# "defined SYMBOL FILE" and "used SYMBOL FILE", one line each.
for o in $objs; do
    f=$(basename "$o" .o)
    $NM -g --defined-only "$o" | awk -v f="$f" 'NF == 3 { print "defined", $3, f }'
    $NM -u "$o" | awk -v f="$f" 'NF == 2 { print "used", $2, f }'
done | awk '
    $1 == "defined" { def[$2] = $3; next }
    { use[NR] = $2; user[NR] = $3 }
    END {
        for (i in use)
            if ((use[i] in def) && def[use[i]] != user[i])
                print user[i] ".c", def[use[i]] ".c"
    }' | sort -u > "$edges"

for h in "$@"; do
    sed -n 's/^#include "\([^"]*\)".*/\1/p' "$h" | while read -r inc; do
        echo "$(basename "$h") $inc"
    done
done >> "$edges"

if [ -n "${LAYERS_VERBOSE:-}" ]; then
    sed 's/ / -> /' "$edges"
fi

# Depth-first search; a node met again while still on the path closes a
# cycle, which is printed along the path.
awk -v name="$name" '
    { out[$1] = out[$1] " " $2; node[$1] = 1; node[$2] = 1; n_edges++ }
    function visit(v,    k, m, i, w, list) {
        state[v] = 1
        path[++depth] = v
        m = split(out[v], list, " ")
        for (i = 1; i <= m; i++) {
            w = list[i]
            if (state[w] == 1) {
                line = w
                for (k = depth; k >= 1 && path[k] != w; k--)
                    line = path[k] " -> " line
                print name ": cycle: " w " -> " line
                cycles++
            } else if (state[w] == 0) {
                visit(w)
            }
        }
        depth--
        state[v] = 2
    }
    END {
        for (v in node)
            if (state[v] == 0)
                visit(v)
        if (cycles > 0)
            exit 1
        printf "%s: %d files, %d edges, no cycle\n", name, length(node), n_edges
    }' "$edges"
