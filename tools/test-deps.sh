#!/bin/sh
# Installs what `make check` (and the benchmarks) need on Debian, when it is
# missing. Uses sudo when not root. Nothing is started: services stay off
# while packages install.
#
#   gcc g++ make check pkg-config     the library and its Check suites (the
#                                     header is also compiled as C++)
#   clang libclang-rt-14-dev          fuzz targets, OSS-Fuzz build test
#   valgrind                          make valgrind
#   nginx nginx-dev libssl-dev curl   the nginx module and the gate example
#   libsqlite3-dev libmicrohttpd-dev  the example servers
#   libjansson-dev libsodium-dev
#   python3-dev python3-setuptools    the Python binding (Debian's python3)
#   golang-go                         the Go binding
#   debhelper dpkg-dev fakeroot       make deb, and lintian over its output
#   lintian
#   cmake meson ninja-build           the CMake and Meson consumer tests
#   cppcheck clang-tidy clang-tools   make lint (scan-build is in clang-tools)
#   wrk                               make bench-gateway, bench-examples
set -eu
pkgs="gcc g++ make check pkg-config clang libclang-rt-14-dev valgrind
      nginx nginx-dev libssl-dev curl
      libsqlite3-dev libmicrohttpd-dev libjansson-dev libsodium-dev
      python3-dev python3-setuptools golang-go
      debhelper dpkg-dev fakeroot lintian cmake meson ninja-build
      cppcheck clang-tidy clang-tools wrk"
need=""
for pkg in $pkgs; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
[ -z "$need" ] && exit 0
as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"
echo "test-deps: installing$need" >&2
# Debian starts a daemon when its package is installed, unless policy-rc.d
# says no; the tests start their own nginx on loopback ports.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $as_root tee "$policy" >/dev/null
    $as_root chmod 755 "$policy"
    made_policy=1
fi
cleanup() { [ -z "$made_policy" ] || $as_root rm -f "$policy"; }
trap cleanup EXIT
$as_root apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -q $need
