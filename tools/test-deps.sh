#!/bin/sh
# Installs what the tests need on Debian, when it is missing: a C compiler,
# make, the Check unit-test library and pkg-config. Uses sudo when not root.
set -eu
need=""
for pkg in gcc make check pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
[ -z "$need" ] && exit 0
as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"
echo "test-deps: installing$need" >&2
$as_root apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -q $need
