# mk/bindings.mk - the Python and Go bindings (bindings/), included by the
# top Makefile.
#
#   make python          the `authz` Python package (a C extension linked
#                        statically against $(B)/libauthz.a), built in
#                        place under $(B)/python/lib with Debian's python3
#                        and setuptools
#   make go              go vet and go build of bindings/go (cgo, static
#                        $(B)/libauthz.a)
#   make check-bindings  both test suites (part of `make check`): Python
#                        unittest (decision and error tables row by row,
#                        API, leaks over 100,000 calls, WSGI example); Go
#                        go test, again with GODEBUG=cgocheck=2, with
#                        -race, and with -tags authz_pkgconfig against a
#                        staged install. About 40 s warm; the first -race
#                        build compiles Go's race runtime (about 90 s more,
#                        once per GOCACHE)
#   make bench-bindings  ns per check from C, Go and Python, single and
#                        batched, in one run (about 1 min)
#
# Nothing is downloaded and nothing is written to $HOME: GOCACHE and GOPATH
# live under $(B)/go, GOPROXY=off.

BND_PY ?= /usr/bin/python3
BND_B := $(abspath $(B))
BND_PY_B := $(BND_B)/python
# setup.py links this archive rather than running make itself.
BND_PY_ENV := AUTHZ_STATIC_LIB=$(BND_B)/libauthz.a AUTHZ_INCLUDE=$(CURDIR)/include \
    PYTHONPYCACHEPREFIX=$(BND_PY_B)/pycache
BND_GO_ENV := GOCACHE=$(BND_B)/go/cache GOPATH=$(BND_B)/go/path GOENV=off \
    GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=1
BND_TIMEOUT := timeout -k 5 600

.PHONY: python go check-bindings check-python check-go bench-bindings

python: $(B)/libauthz.a
	@$(BND_PY) -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' || { \
	    echo "python: Python.h is missing: apt-get install -y python3-dev python3-setuptools" >&2; exit 1; }
	cd bindings/python && $(BND_PY_ENV) $(BND_PY) setup.py -q build --build-base $(BND_PY_B) \
	    --build-lib $(BND_PY_B)/lib --build-temp $(BND_PY_B)/tmp

go: $(B)/libauthz.a
	@command -v go >/dev/null || { echo "go: the Go toolchain is missing: apt-get install -y golang-go" >&2; exit 1; }
	cd bindings/go && $(BND_GO_ENV) go vet ./... && $(BND_GO_ENV) go build ./...

check-python: python
	cd bindings/python/tests && $(BND_PY_ENV) PYTHONPATH=$(BND_PY_B)/lib AUTHZ_SOURCE_DIR=$(CURDIR) \
	    $(BND_TIMEOUT) $(BND_PY) -m unittest test_tables test_api test_leaks test_wsgi

check-go: go
	cd bindings/go && $(BND_GO_ENV) AUTHZ_SOURCE_DIR=$(CURDIR) $(BND_TIMEOUT) go test -count=1 ./...
	cd bindings/go && $(BND_GO_ENV) AUTHZ_SOURCE_DIR=$(CURDIR) GODEBUG=cgocheck=2 $(BND_TIMEOUT) go test -count=1 ./...
	cd bindings/go && $(BND_GO_ENV) AUTHZ_SOURCE_DIR=$(CURDIR) $(BND_TIMEOUT) go test -count=1 -race ./...
	@# -tags authz_pkgconfig: against a staged install, through pkg-config
	rm -rf $(BND_B)/go/stage
	$(MAKE) --no-print-directory install DESTDIR=$(BND_B)/go/stage PREFIX=/usr >/dev/null
	cd bindings/go && $(BND_GO_ENV) AUTHZ_SOURCE_DIR=$(CURDIR) PKG_CONFIG_SYSROOT_DIR=$(BND_B)/go/stage \
	    PKG_CONFIG_LIBDIR=$(BND_B)/go/stage/usr/lib/pkgconfig LD_LIBRARY_PATH=$(BND_B)/go/stage/usr/lib \
	    $(BND_TIMEOUT) go test -count=1 -tags authz_pkgconfig .

check-bindings: check-python check-go
	@echo "check-bindings: the Python and Go bindings agree with every row of tests/data/decisions.txt and errors.txt: ok"

check: check-bindings

$(B)/bench/bench_bindings_c: bindings/bench/bench_c.c include/authz.h $(B)/libauthz.a
	@mkdir -p $(@D)
	$(CC) $(filter-out -Ilib,$(ALL_CFLAGS)) -O2 $< $(B)/libauthz.a -o $@ $(LDFLAGS)

bench-bindings: $(B)/bench/bench_bindings_c python go
	$(BND_GO_ENV) sh bindings/bench/bench.sh $(B)/bench/bench_bindings_c $(BND_PY_B)/lib bindings/go
