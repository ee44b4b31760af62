#!/bin/bash -eu
# build.sh - builds every fuzz target in tests/fuzz/ the way OSS-Fuzz and
# ClusterFuzzLite build a project: run from the top of the source tree with
#
#   CC CFLAGS            compile every C file (the library is compiled into
#                        each target, so the sanitizers and the coverage
#                        instrumentation see all of it)
#   CXX CXXFLAGS         link (the fuzzing engine may be C++); default to
#                        CC and CFLAGS when unset
#   LIB_FUZZING_ENGINE   the engine, e.g. -fsanitize=fuzzer
#   OUT                  where the targets go, with for each target
#                        fuzz_<t>_seed_corpus.zip (tests/fuzz/corpus/<t>/),
#                        fuzz_<t>.dict (tests/fuzz/authz.dict) and
#                        fuzz_<t>.options
#   WORK                 scratch space (default: a temporary directory)
#
# `make check-oss-fuzz` (mk/pkg.mk) runs it with clang and libFuzzer.

: "${CC:?CC is not set}"
: "${OUT:?OUT is not set}"
: "${LIB_FUZZING_ENGINE:?LIB_FUZZING_ENGINE is not set}"
CFLAGS=${CFLAGS-}
CXX=${CXX:-$CC}
CXXFLAGS=${CXXFLAGS-$CFLAGS}
if [ -z "${WORK:-}" ]; then
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
fi

if [ ! -f include/authz.h ] || [ ! -f tests/fuzz/fuzz.h ]; then
    echo "build.sh: run from the top of the authz source tree" >&2
    exit 1
fi
mkdir -p "$OUT" "$WORK/obj"

# The embedded catalog is C generated from catalog/coder.catalog by the
# library's own parser. The generator runs here, at build time, so it is
# built plainly: no sanitizer, no coverage, nothing the engine must provide.
"$CC" -std=c11 -O1 -Iinclude -Ilib tools/gen_catalog.c lib/*.c \
    -o "$WORK/gen-catalog"
"$WORK/gen-catalog" catalog/coder.catalog "$WORK/catalog_coder.c"

# The library, the generated catalog and the reference model, once.
objs=()
for src in lib/*.c "$WORK/catalog_coder.c" tests/ref_model.c; do
    obj="$WORK/obj/$(basename "$src" .c).o"
    # shellcheck disable=SC2086  # CFLAGS is a list of flags
    "$CC" -std=c11 $CFLAGS -Iinclude -Ilib -Itests -c "$src" -o "$obj"
    objs+=("$obj")
done

# libFuzzer's default max_len follows the largest seed; a fixed one keeps
# runs comparable and leaves room for the line framing's caps (300 scopes,
# 300 allow entries) with entries of a few dozen bytes.
max_len=16384

n=0
for src in tests/fuzz/fuzz_*.c; do
    target=$(basename "$src" .c)
    name=${target#fuzz_}
    # shellcheck disable=SC2086
    "$CC" -std=c11 $CFLAGS -Iinclude -Ilib -Itests -c "$src" \
        -o "$WORK/obj/$target.o"
    # shellcheck disable=SC2086
    "$CXX" $CXXFLAGS "$WORK/obj/$target.o" "${objs[@]}" \
        $LIB_FUZZING_ENGINE -o "$OUT/$target"

    corpus=tests/fuzz/corpus/$name
    largest=0
    if [ -d "$corpus" ]; then
        rm -f "$OUT/${target}_seed_corpus.zip"
        if command -v zip >/dev/null; then
            (cd "$corpus" && zip -q -X -j "$OUT/${target}_seed_corpus.zip" ./*)
        else
            /usr/bin/python3 -c 'import sys, os, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(os.listdir(sys.argv[2])):
        z.write(os.path.join(sys.argv[2], f), f)' \
                "$OUT/${target}_seed_corpus.zip" "$corpus"
        fi
        largest=$(find "$corpus" -type f -printf '%s\n' | sort -n | tail -1)
    fi
    len=$max_len
    while [ "$len" -lt "${largest:-0}" ]; do len=$((len * 2)); done

    cp tests/fuzz/authz.dict "$OUT/$target.dict"
    printf '[libfuzzer]\nmax_len = %s\ndict = %s.dict\n' "$len" "$target" \
        > "$OUT/$target.options"
    n=$((n + 1))
done
echo "build.sh: $n fuzz targets in $OUT"
