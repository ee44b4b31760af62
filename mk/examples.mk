# mk/examples.mk - `make check-examples`: the examples built the way users
# build them, against an installed library, and their tests. Included by the
# top Makefile.
#
#   make check-examples   1. make install DESTDIR=$(EX_STAGE) PREFIX=/usr
#                         2. the staged files are exactly $(EX_INSTALLED),
#                            and authz.pc describes the prefix installed to
#                         3. each example compiled with
#                            `pkg-config --cflags --libs authz` against the
#                            stage (PKG_CONFIG_SYSROOT_DIR/_LIBDIR) and run
#                            on its shared library: minimal (output
#                            compared), demo, fuzz_host (built-in inputs;
#                            under libFuzzer too when clang has it),
#                            nginx-auth/test.sh, api-server/test.sh
#                         4. make uninstall: no file is left in the stage
#
#   EX_FUZZ_RUNS=N        libFuzzer executions of fuzz_host (default 5000;
#                         0 skips the libFuzzer build)
#
#   make bench-examples   wrk against the API server and the gate (below);
#                         not part of make check
#
# The servers are built on libmicrohttpd, jansson, libsodium and SQLite
# (Debian's -dev packages, found through pkg-config). The nginx test installs
# nginx and curl when they are missing; CI installs everything beforehand
# (tools/test-deps.sh).

EX_B := $(abspath $(B))/ex
EX_STAGE := $(EX_B)/stage
EX_LIBDIR := $(EX_STAGE)/usr/lib
EX_BIN := $(EX_B)/bin
# How a user's build finds the staged library, and how it runs.
EX_PKG := PKG_CONFIG_SYSROOT_DIR=$(EX_STAGE) PKG_CONFIG_LIBDIR=$(EX_LIBDIR)/pkgconfig
EX_RUN := LD_LIBRARY_PATH=$(EX_LIBDIR)
EX_CFLAGS := $(WARN) $(CFLAGS)
EX_FUZZ_CC ?= clang
EX_FUZZ_RUNS ?= 5000
# A hang guard only; each script takes seconds (plus an apt-get install the
# first time).
EX_TIMEOUT := timeout -k 5 300

# Everything `make install DESTDIR=... PREFIX=/usr` must install, and
# nothing more: the library, its header and .pc, the CLI, every man page
# in man/.
EX_INSTALLED := usr/include/authz.h usr/lib/libauthz.a usr/lib/libauthz.so \
    usr/lib/$(SONAME) usr/lib/pkgconfig/authz.pc usr/bin/authz \
    $(patsubst man/%,usr/share/man/man1/%,$(wildcard man/*.1)) \
    $(patsubst man/%,usr/share/man/man3/%,$(wildcard man/*.3))

EX_API_SRC := examples/api-server/api_server.c examples/api-server/store.c \
    examples/common/serve.c
# The gate reads the tokens file through the parser the nginx module uses.
EX_GATE_SRC := examples/nginx-auth/authz_gate.c examples/common/serve.c \
    integrations/common/authz_tokens_file.c
# The Debian libraries the two servers are built on.
EX_SERVER_PKGS := libmicrohttpd jansson libsodium sqlite3
EX_GATE_PKGS := libmicrohttpd libsodium
EX_SERVER_CFLAGS := -Iexamples/common -Iintegrations/common -pthread

.PHONY: check-examples

check-examples: lib
	@command -v pkg-config >/dev/null || { echo "check-examples: pkg-config is missing: apt-get install -y pkg-config" >&2; exit 1; }
	rm -rf $(EX_B)
	mkdir -p $(EX_BIN)
	@# ---- 1, 2: install, and what it installed
	$(MAKE) --no-print-directory install DESTDIR=$(EX_STAGE) PREFIX=/usr > $(EX_B)/install.log
	@grep -qx 'prefix=/usr' $(EX_LIBDIR)/pkgconfig/authz.pc || { \
	    echo "check-examples: the installed authz.pc was made for another prefix than the one installed to (/usr):" >&2; \
	    sed 's/^/    /' $(EX_LIBDIR)/pkgconfig/authz.pc >&2; exit 1; }
	printf '%s\n' $(EX_INSTALLED) | LC_ALL=C sort > $(EX_B)/files.expected
	cd $(EX_STAGE) && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort > $(EX_B)/files.installed
	diff -u $(EX_B)/files.expected $(EX_B)/files.installed
	test "$$(readlink $(EX_LIBDIR)/libauthz.so)" = $(SONAME)
	@# ---- 3: build as a user would, run on the staged shared library
	$(EX_PKG) sh -c '$(CC) $(EX_CFLAGS) examples/minimal.c -o $(EX_BIN)/minimal $$(pkg-config --cflags --libs authz)'
	$(EX_PKG) sh -c '$(CC) $(EX_CFLAGS) examples/demo.c -o $(EX_BIN)/demo $$(pkg-config --cflags --libs authz)'
	$(EX_PKG) sh -c '$(CC) $(EX_CFLAGS) examples/fuzz_host.c -o $(EX_BIN)/fuzz_host $$(pkg-config --cflags --libs authz)'
	@pkg-config --exists $(EX_SERVER_PKGS) || { echo "check-examples: missing: apt-get install -y libmicrohttpd-dev libjansson-dev libsodium-dev libsqlite3-dev" >&2; exit 1; }
	sh -c '$(CC) $(EX_CFLAGS) $(EX_SERVER_CFLAGS) $(EX_GATE_SRC) -o $(EX_BIN)/authz_gate $$($(EX_PKG) pkg-config --cflags --libs authz) $$(pkg-config --cflags --libs $(EX_GATE_PKGS))'
	sh -c '$(CC) $(EX_CFLAGS) $(EX_SERVER_CFLAGS) $(EX_API_SRC) -o $(EX_BIN)/api_server $$($(EX_PKG) pkg-config --cflags --libs authz) $$(pkg-config --cflags --libs $(EX_SERVER_PKGS))'
	@for p in minimal demo fuzz_host authz_gate api_server; do \
	    $(EX_RUN) ldd $(EX_BIN)/$$p | grep -qF '$(EX_LIBDIR)/$(SONAME)' || { \
	        echo "check-examples: $$p does not use the staged $(SONAME)" >&2; exit 1; }; \
	done
	$(EX_RUN) $(EX_BIN)/minimal > $(EX_B)/minimal.out
	diff -u tests/data/minimal.expected $(EX_B)/minimal.out
	$(EX_RUN) $(EX_BIN)/demo > $(EX_B)/demo.out
	$(EX_RUN) $(EX_BIN)/fuzz_host
	@if [ "$(EX_FUZZ_RUNS)" = 0 ]; then :; \
	elif printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	        > $(EX_B)/probe.c && $(EX_FUZZ_CC) -fsanitize=fuzzer $(EX_B)/probe.c -o $(EX_B)/probe 2>/dev/null; then \
	    echo "$(EX_FUZZ_CC) ... -DFUZZING -fsanitize=fuzzer,address,undefined examples/fuzz_host.c \$$(pkg-config --cflags --libs authz)"; \
	    $(EX_PKG) sh -c '$(EX_FUZZ_CC) $(WARN) -g -O1 -DFUZZING -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all examples/fuzz_host.c -o $(EX_BIN)/fuzz_host_libfuzzer $$(pkg-config --cflags --libs authz)' || exit 1; \
	    $(EX_RUN) $(EX_BIN)/fuzz_host_libfuzzer -runs=$(EX_FUZZ_RUNS) -seed=1 > $(EX_B)/fuzz_host.log 2>&1 || { \
	        tail -30 $(EX_B)/fuzz_host.log >&2; echo "check-examples: fuzz_host failed under libFuzzer" >&2; exit 1; }; \
	    echo "fuzz_host: $(EX_FUZZ_RUNS) libFuzzer runs, every invariant held"; \
	else \
	    echo "check-examples: $(EX_FUZZ_CC) has no libFuzzer (apt-get install -y clang libclang-rt-dev): fuzz_host ran without it only"; \
	fi
	$(EX_RUN) $(EX_TIMEOUT) sh examples/nginx-auth/test.sh $(EX_BIN)/authz_gate
	$(EX_RUN) $(EX_TIMEOUT) sh examples/api-server/test.sh $(EX_BIN)/api_server
	@# ---- 4: uninstall leaves no file behind
	$(MAKE) --no-print-directory uninstall DESTDIR=$(EX_STAGE) PREFIX=/usr > $(EX_B)/uninstall.log
	@left=$$(cd $(EX_STAGE) && find . ! -type d | sed 's|^\./||'); \
	[ -z "$$left" ] || { echo "check-examples: make uninstall left these files behind:" >&2; \
	    echo "$$left" | sed 's/^/    /' >&2; exit 1; }
	@echo "check-examples: $(words $(EX_INSTALLED)) files installed as expected and uninstalled; every example built through pkg-config against them: ok"

# The README's test command runs these too.
check: check-examples

# ---- make bench-examples: wrk against both servers (not a test) ------------
# The servers built against the tree's static library, at -O2, then
# examples/bench.sh: requests per second and p50/p99 for an authorized
# request, failing on any error. BENCH_SECONDS, BENCH_CONNECTIONS and
# BENCH_THREADS tune the wrk run.
# $(EX_GATE_BIN) is a file target other fragments may depend on for a gate
# built from the tree (it needs the sources and libraries named here).
EX_BENCH_B := $(abspath $(B))/ex-bench
EX_BENCH_CFLAGS := $(WARN) -O2 -Iinclude $(EX_SERVER_CFLAGS)
EX_API_BIN := $(EX_BENCH_B)/api_server
EX_GATE_BIN := $(EX_BENCH_B)/authz_gate

$(EX_API_BIN): $(EX_API_SRC) examples/api-server/api.h examples/common/serve.h include/authz.h $(B)/libauthz.a
	@mkdir -p $(dir $@)
	$(CC) $(EX_BENCH_CFLAGS) $(EX_API_SRC) -o $@ $(B)/libauthz.a $$(pkg-config --cflags --libs $(EX_SERVER_PKGS))

$(EX_GATE_BIN): $(EX_GATE_SRC) integrations/common/authz_tokens_file.h examples/common/serve.h include/authz.h $(B)/libauthz.a
	@mkdir -p $(dir $@)
	$(CC) $(EX_BENCH_CFLAGS) $(EX_GATE_SRC) -o $@ $(B)/libauthz.a $$(pkg-config --cflags --libs $(EX_GATE_PKGS))

.PHONY: bench-examples

bench-examples: $(EX_API_BIN) $(EX_GATE_BIN)
	sh examples/bench.sh $(EX_API_BIN) $(EX_GATE_BIN)
