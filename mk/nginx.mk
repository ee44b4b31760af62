# mk/nginx.mk - the tokens-file parser (integrations/common/) and the nginx
# module (integrations/nginx/). Included by the top Makefile.
#
#   make check-tokens-file   the parser's unit tests (Check)
#   make nginx-module        $(B)/nginx/ngx_http_authz_module.so, built
#                            against Debian's nginx (package nginx-dev)
#   make check-nginx         the module in Debian's nginx on loopback
#   make bench-gateway       wrk against nginx: no authorization, the
#                            module, the auth_request gate (never in check)

TF_DIR := integrations/common
TF_SRC := $(TF_DIR)/authz_tokens_file.c
TF_HDR := $(TF_DIR)/authz_tokens_file.h
TF_CFLAGS := $(filter-out -Ilib,$(ALL_CFLAGS)) -I$(TF_DIR)

.PHONY: check-tokens-file

$(B)/check_tokens_file: $(TF_DIR)/check_tokens_file.c $(TF_SRC) $(TF_HDR) \
    include/authz.h $(B)/libauthz.a
	@test -n "$(CHECK_LIBS)" || { echo "the Check library is missing: apt-get install -y check pkg-config" >&2; exit 1; }
	$(CC) $(TF_CFLAGS) $(CHECK_CFLAGS) $(TF_DIR)/check_tokens_file.c $(TF_SRC) \
	    $(B)/libauthz.a -o $@ $(CHECK_LIBS) $(LDFLAGS)

check-tokens-file: $(B)/check_tokens_file
	$(B)/check_tokens_file

check: check-tokens-file

# ---- the parser's fuzz target ----------------------------------------------
#
#   make fuzz-tokens-file              libFuzzer build (clang, ASan+UBSan):
#                                      $(B)/fuzz/fuzz_tokens_file
#   make fuzz-tokens-file-run FUZZ_SECONDS=N   runs it N seconds (default
#                                      10) on a scratch copy of the corpus
#   make fuzz-tokens-file-replay       plain-$(CC) replay of the committed
#                                      corpus (part of `make check`)

TF_CORPUS := $(TF_DIR)/corpus
TF_FUZZ := $(B)/fuzz/fuzz_tokens_file
TF_REPLAY := $(B)/fuzz/replay-tokens-file

.PHONY: fuzz-tokens-file fuzz-tokens-file-run fuzz-tokens-file-replay

fuzz-tokens-file: $(TF_FUZZ)

$(TF_FUZZ): $(TF_DIR)/fuzz_tokens_file.c $(TF_SRC) $(TF_HDR) $(LIB_SRC) \
    $(B)/catalog_coder.c $(HEADERS)
	@command -v $(FUZZ_CC) >/dev/null || { echo "fuzz: $(FUZZ_CC) is missing: apt-get install -y clang libclang-rt-dev" >&2; exit 1; }
	@mkdir -p $(@D)
	$(FUZZ_CC) $(WARN) -Iinclude -Ilib -I$(TF_DIR) -g -O2 -fsanitize=fuzzer \
	    $(FUZZ_SAN) $(TF_DIR)/fuzz_tokens_file.c $(TF_SRC) $(LIB_SRC) \
	    $(B)/catalog_coder.c -o $@

fuzz-tokens-file-run: $(TF_FUZZ)
	@mkdir -p $(FUZZ_B)/work/tokens_file $(FUZZ_B)/artifacts
	$(TF_FUZZ) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_B)/artifacts/tokens_file- $(FUZZ_ARGS) \
	    $(FUZZ_B)/work/tokens_file $(TF_CORPUS)

$(TF_REPLAY): $(TF_DIR)/fuzz_tokens_file.c tests/fuzz/replay.c $(TF_SRC) \
    $(TF_HDR) include/authz.h $(B)/libauthz.a
	@mkdir -p $(@D)
	$(CC) $(TF_CFLAGS) $(TF_DIR)/fuzz_tokens_file.c tests/fuzz/replay.c \
	    $(TF_SRC) $(B)/libauthz.a -o $@ $(LDFLAGS)

fuzz-tokens-file-replay: $(TF_REPLAY)
	@printf 'fuzz-replay: tokens_file '
	@$(TF_REPLAY) $(TF_CORPUS)

check: fuzz-tokens-file-replay

# ---- the nginx module ------------------------------------------------------
#
# Built as Debian builds its own module packages (debhelper's nginx_mod build
# system): nginx's configure, run in $(NGINX_SRC) (package nginx-dev) with
# the flags Debian's nginx was configured with (conf_flags, which include
# --with-compat) plus --add-dynamic-module, writes only into --builddir;
# `make modules` then builds the .so there.

NGINX_SRC ?= /usr/share/nginx/src
NGX_B := $(abspath $(B))/nginx
NGX_OBJS := $(NGX_B)/objs
NGX_MODULE := $(B)/nginx/ngx_http_authz_module.so
NGX_MODULE_SRC := integrations/nginx/config integrations/nginx/ngx_http_authz_module.c \
    $(TF_SRC) $(TF_HDR) include/authz.h

.PHONY: nginx-module check-nginx bench-gateway

nginx-module: $(NGX_MODULE)

$(NGX_OBJS)/Makefile: integrations/nginx/config
	@test -x $(NGINX_SRC)/configure || { echo "nginx's build system is missing: apt-get install -y nginx-dev" >&2; exit 1; }
	rm -rf $(NGX_OBJS)
	@mkdir -p $(NGX_OBJS)
	cd $(NGINX_SRC) && bash -c '. ./conf_flags && \
	    if command -v dpkg-buildflags >/dev/null; then \
	        cflags="$$(dpkg-buildflags --get CFLAGS) -fPIC $$(dpkg-buildflags --get CPPFLAGS)"; \
	        ldflags="$$(dpkg-buildflags --get LDFLAGS) -fPIC"; \
	    else cflags="-g -O2 -fPIC"; ldflags="-fPIC"; fi; \
	    ./configure --with-cc-opt="$$cflags" --with-ld-opt="$$ldflags" \
	        "$${NGX_CONF_FLAGS[@]}" \
	        --add-dynamic-module=$(CURDIR)/integrations/nginx \
	        --builddir=$(NGX_OBJS)' > $(NGX_B)/configure.log 2>&1 || { \
	    tail -30 $(NGX_B)/configure.log >&2; echo "nginx-module: configure failed (log: $(NGX_B)/configure.log)" >&2; exit 1; }

$(NGX_MODULE): $(NGX_OBJS)/Makefile $(NGX_MODULE_SRC) $(B)/libauthz.a
	$(MAKE) --no-print-directory -f $(NGX_OBJS)/Makefile -C $(NGINX_SRC) modules
	cp $(NGX_OBJS)/ngx_http_authz_module.so $@

# ---- authz token-line (tools/token_line.c) ---------------------------------

.PHONY: check-token-line
check-token-line: $(B)/authz
	sh tests/cli/token_line.sh $(B)/authz

check: check-token-line

# ---- the module in Debian's nginx ------------------------------------------

# A hang guard only; the script takes a few seconds.
NGX_TIMEOUT := timeout -k 5 300

check-nginx: $(NGX_MODULE) $(B)/authz
	$(NGX_TIMEOUT) sh integrations/nginx/test.sh $(NGX_MODULE) $(B)/authz $(NGX_B)/test

check: check-nginx

# ---- bench-gateway -----------------------------------------------------------
#
#   make bench-gateway [ROUNDS=3 DURATION=5 CONNECTIONS=16]
# wrk against nginx on loopback (no authorization, the module, the
# auth_request gate of examples/nginx-auth, built by mk/examples.mk), the
# module's instructions per request under callgrind, and the load time of
# 10,000 tokens. About two minutes.

NGX_BENCH_TF := $(B)/bench/bench_tokens_file
# The gate as mk/examples.mk builds it from the tree.
NGX_BENCH_GATE := $(EX_GATE_BIN)

$(NGX_BENCH_TF): $(TF_DIR)/bench_tokens_file.c $(TF_SRC) $(TF_HDR) $(B)/libauthz.a
	@mkdir -p $(@D)
	$(CC) $(TF_CFLAGS) -O2 $(TF_DIR)/bench_tokens_file.c $(TF_SRC) $(B)/libauthz.a -o $@ $(LDFLAGS)

bench-gateway: $(NGX_MODULE) $(NGX_BENCH_GATE) $(NGX_BENCH_TF) $(B)/authz
	ROUNDS=$(or $(ROUNDS),3) DURATION=$(or $(DURATION),5) CONNECTIONS=$(or $(CONNECTIONS),16) \
	    sh integrations/nginx/bench.sh $(NGX_MODULE) $(NGX_BENCH_GATE) $(B)/authz \
	    $(NGX_BENCH_TF) $(NGX_B)/bench
