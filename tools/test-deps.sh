#!/bin/sh
# Installs what `make check` needs on Debian, when it is missing: C and C++
# compilers (the header is also compiled as C++) and make, the Check
# unit-test library, pkg-config, and for the
# integration examples nginx, curl and SQLite's headers. Uses sudo when not
# root. Nothing is started: services stay off while packages install.
set -eu
need=""
for pkg in gcc g++ make check pkg-config nginx curl libsqlite3-dev; do
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
