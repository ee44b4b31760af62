#!/bin/sh
# tests/deb/check.sh DEBDIR VERSION - `make check-deb`: the Debian packages
# built by `make deb` (in DEBDIR) installed into this system and removed
# again. As root, on a system where none of them is installed:
#
#   1. debian/changelog's version is the header's (VERSION)
#   2. the symbols file catches a dropped symbol: dpkg-gensymbols -c4 over
#      the built library fails when the file lists one symbol more
#   3. dpkg -i libauthz0 libauthz-dev authz-tools; each package's files
#      (dpkg -L) are the files of its .deb, and none was there before
#   4. examples/minimal.c built through pkg-config, CMake
#      (tests/consumers/cmake: authz::authz and authz::authz_static) and
#      Meson (tests/consumers/meson) against the installed packages, run,
#      output compared with tests/data/minimal.expected; the CLI answers
#   5. dpkg -r, then dpkg --purge: no package is left, and no file or
#      directory that the packages brought is left behind
#
# If the test fails between 3 and 5, it removes the packages before exiting.
set -eu
DEBS=$1
VERSION=$2
PKGS="libauthz0 libauthz-dev authz-tools"
T=$DEBS/check
EXPECTED=$(pwd)/tests/data/minimal.expected

fail() { echo "check-deb: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root: it installs the packages into this system (CI runs as root)"
for p in $PKGS; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    case $st in
        ""|not-installed) ;;
        *) fail "$p is already on this system ($st): remove it first (dpkg --purge $PKGS)" ;;
    esac
done
rm -rf "$T"
mkdir -p "$T"

# ---- 1. versions
DEBVER=$(cd "$DEBS/authz-$VERSION" && dpkg-parsechangelog -S Version)
[ "${DEBVER%-*}" = "$VERSION" ] || fail "debian/changelog is at $DEBVER, include/authz.h at $VERSION"
ARCH=$(dpkg --print-architecture)
deb() { echo "$DEBS/${1}_${DEBVER}_$ARCH.deb"; }
for p in $PKGS; do
    [ -f "$(deb "$p")" ] || fail "$(deb "$p") is missing"
    [ "$(dpkg-deb -f "$(deb "$p")" Version)" = "$DEBVER" ] || fail "$(deb "$p") is not version $DEBVER"
done
echo "check-deb: debian/changelog ($DEBVER), the packages and include/authz.h ($VERSION) agree"

# ---- 2. a dropped symbol fails the build
(
    cd "$DEBS/authz-$VERSION"
    lib=debian/libauthz0
    [ -f debian/libauthz0.symbols ] || fail "the build left no debian/libauthz0.symbols"
    n=$(grep -c '^ ' debian/libauthz0.symbols)
    dpkg-gensymbols -plibauthz0 -P$lib -c4 -Idebian/libauthz0.symbols -O"$T/symbols.same" \
        > "$T/gensymbols-same.log" 2>&1 || { cat "$T/gensymbols-same.log" >&2; fail "dpkg-gensymbols -c4 fails on the unchanged symbols file"; }
    sed -n '3{s/^ [^@]*@\([^ ]*\) \(.*\)$/ authz_dropped_for_the_test@\1 \2/p}' debian/libauthz0.symbols > "$T/symbols.extra"
    grep -q '^ authz_dropped_for_the_test@' "$T/symbols.extra" || fail "debian/libauthz0.symbols: unexpected shape"
    cat debian/libauthz0.symbols "$T/symbols.extra" > "$T/symbols.more"
    if dpkg-gensymbols -plibauthz0 -P$lib -c4 -I"$T/symbols.more" -O"$T/symbols.out" \
        > "$T/gensymbols-more.log" 2>&1; then
        fail "dpkg-gensymbols -c4 accepted a library without a listed symbol"
    fi
    grep -q '^-.*authz_dropped_for_the_test@' "$T/gensymbols-more.log" || {
        cat "$T/gensymbols-more.log" >&2; fail "dpkg-gensymbols failed, but not on the dropped symbol"; }
    echo "check-deb: the symbols file lists $n symbols; one dropped from the library fails dpkg-gensymbols -c4"
)

# ---- 3. install
: > "$T/paths"
for p in $PKGS; do
    dpkg-deb --fsys-tarfile "$(deb "$p")" | tar -tf - \
        | sed -e 's|^\./|/|' -e 's|/$||' | grep -v '^$' | grep -v '^\.$' | LC_ALL=C sort > "$T/$p.deb-files"
    cat "$T/$p.deb-files" >> "$T/paths"
done
LC_ALL=C sort -u -o "$T/paths" "$T/paths"
# What exists before: directories may (/usr/lib, ...); files may not.
: > "$T/existed"
while read -r path; do
    if [ -e "$path" ] || [ -L "$path" ]; then
        [ -d "$path" ] && [ ! -L "$path" ] || fail "$path is already on this system"
        echo "$path" >> "$T/existed"
    fi
done < "$T/paths"

installed=""
cleanup() {
    [ -z "$installed" ] || dpkg --purge $PKGS > "$T/cleanup.log" 2>&1 || true
}
trap cleanup EXIT
installed=1
dpkg -i "$(deb libauthz0)" "$(deb libauthz-dev)" "$(deb authz-tools)" > "$T/install.log" 2>&1 || {
    cat "$T/install.log" >&2; fail "dpkg -i failed"; }
for p in $PKGS; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p")" = installed ] || fail "$p is not installed after dpkg -i"
    dpkg -L "$p" | grep -v '^/\.$' | LC_ALL=C sort > "$T/$p.dpkg-L"
    diff -u "$T/$p.deb-files" "$T/$p.dpkg-L" || fail "dpkg -L $p differs from the files in its .deb"
done
echo "check-deb: dpkg -i $PKGS: $(wc -l < "$T/paths") paths, none of the files there before"

# ---- 4. build and run against the installed packages
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=/usr/lib/$multiarch
# ld.so may find it as /lib/<multiarch>/... on a merged-/usr system.
uses_lib() {
    found=$(ldd "$1" | sed -n 's/^[[:space:]]*libauthz\.so\.0 => \(\/[^ ]*\) .*/\1/p')
    [ -n "$found" ] && [ "$(realpath "$found")" = "$(realpath "$libdir/libauthz.so.0")" ]
}
env -u PKG_CONFIG_PATH -u PKG_CONFIG_LIBDIR -u PKG_CONFIG_SYSROOT_DIR sh -c '
    [ "$(pkg-config --modversion authz)" = "$1" ] || { echo "check-deb: pkg-config says authz $(pkg-config --modversion authz)" >&2; exit 1; }
    cc -std=c11 -Wall -Wextra -Wpedantic -Werror examples/minimal.c -o "$2/minimal-pc" $(pkg-config --cflags --libs authz)
' sh "$VERSION" "$T" || fail "examples/minimal.c did not build through pkg-config"
uses_lib "$T/minimal-pc" || fail "minimal (pkg-config) does not use $libdir/libauthz.so.0"
"$T/minimal-pc" > "$T/minimal-pc.out"
diff -u "$EXPECTED" "$T/minimal-pc.out" || fail "minimal (pkg-config): wrong output"

cmake -S tests/consumers/cmake -B "$T/cmake" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    > "$T/cmake.log" 2>&1 || { cat "$T/cmake.log" >&2; fail "CMake did not find the installed authz"; }
grep -qx "authz_DIR:PATH=$libdir/cmake/authz" "$T/cmake/CMakeCache.txt" || {
    grep authz_DIR "$T/cmake/CMakeCache.txt" >&2; fail "CMake found authz elsewhere than $libdir/cmake/authz"; }
cmake --build "$T/cmake" -j2 >> "$T/cmake.log" 2>&1 || { cat "$T/cmake.log" >&2; fail "the CMake project did not build"; }
uses_lib "$T/cmake/minimal" || fail "minimal (CMake, authz::authz) does not use $libdir/libauthz.so.0"
! readelf -d "$T/cmake/minimal_static" | grep -q libauthz || fail "minimal_static (authz::authz_static) needs the shared library"
for p in minimal minimal_static; do
    "$T/cmake/$p" > "$T/cmake-$p.out"
    diff -u "$EXPECTED" "$T/cmake-$p.out" || fail "$p (CMake): wrong output"
done

env -u PKG_CONFIG_PATH -u PKG_CONFIG_LIBDIR -u PKG_CONFIG_SYSROOT_DIR \
    meson setup "$T/meson" tests/consumers/meson > "$T/meson.log" 2>&1 || { cat "$T/meson.log" >&2; fail "Meson did not find the installed authz"; }
ninja -C "$T/meson" >> "$T/meson.log" 2>&1 || { cat "$T/meson.log" >&2; fail "the Meson project did not build"; }
uses_lib "$T/meson/minimal" || fail "minimal (Meson) does not use $libdir/libauthz.so.0"
"$T/meson/minimal" > "$T/meson-minimal.out"
diff -u "$EXPECTED" "$T/meson-minimal.out" || fail "minimal (Meson): wrong output"

out=$(/usr/bin/authz check --scope workspace:read --allow workspace:3f2504e0-4f89-41d3-9a0c-0305e82c3301 \
    workspace 3f2504e0-4f89-41d3-9a0c-0305e82c3301 read) || fail "authz check: exit status $?"
[ "$out" = allow ] || fail "authz check said '$out', not allow"
rc=0; out=$(/usr/bin/authz check --scope workspace:read workspace 3f2504e0-4f89-41d3-9a0c-0305e82c3301 update) || rc=$?
[ "$rc" -eq 1 ] && [ "$out" = "deny: no scope grants it" ] || fail "authz check (update): '$out', exit $rc"
echo "check-deb: minimal.c built through pkg-config, CMake (shared and static) and Meson against the packages: output as expected; /usr/bin/authz answers allow and deny"

# ---- 5. remove, purge, nothing left
dpkg -r authz-tools libauthz-dev libauthz0 > "$T/remove.log" 2>&1 || { cat "$T/remove.log" >&2; fail "dpkg -r failed"; }
dpkg --purge $PKGS > "$T/purge.log" 2>&1 || { cat "$T/purge.log" >&2; fail "dpkg --purge failed"; }
installed=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    case $st in ""|not-installed) ;; *) fail "$p is still known to dpkg after --purge ($st)" ;; esac
done
left=""
while read -r path; do
    if [ -e "$path" ] || [ -L "$path" ]; then
        grep -qxF "$path" "$T/existed" || left="$left $path"
    fi
done < "$T/paths"
[ -z "$left" ] || fail "left behind after dpkg --purge:$left"
! ldconfig -p | grep -q 'libauthz\.so' || fail "ld.so's cache still lists libauthz after --purge"
echo "check-deb: dpkg -r and --purge: no package, file or directory of theirs left: ok"
