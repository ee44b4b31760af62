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
