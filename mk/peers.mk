# mk/peers.mk - `make bench-peers`: the same authorization job on authz and
# on policy engines (casbin in Go and in Node, Cedar, Biscuit), side by side.
# Not part of `make check`. See bench/peers/README.md.
#
#   make bench-peers                       every engine, 16 and 128 entries
#   make bench-peers PEERS_SIZES="16"      other sizes
#   make bench-peers PEERS_ROUNDS=1 PEERS_RUNS=3   a shorter run
#   make bench-peers PEERS_ENGINES="casbin-go"     some engines only
#
# The Node engines' packages are installed with `npm ci` into
# bench/peers/node/node_modules when missing: the one place where something
# is downloaded, outside the test gate. An engine that cannot be built or
# loaded is skipped with its reason; an engine that disagrees with authz on
# any request fails the run.

PEERS_B := $(abspath $(B))/peers
PEERS_BIN := $(PEERS_B)/authz_peers
PEERS_ENV := $(if $(PEERS_SIZES),PEERS_SIZES="$(PEERS_SIZES)") \
    $(if $(PEERS_ROUNDS),PEERS_ROUNDS=$(PEERS_ROUNDS)) \
    $(if $(PEERS_RUNS),PEERS_RUNS=$(PEERS_RUNS)) \
    $(if $(PEERS_MIN_MS),PEERS_MIN_MS=$(PEERS_MIN_MS)) \
    $(if $(PEERS_ENGINES),PEERS_ENGINES="$(PEERS_ENGINES)")

.PHONY: bench-peers

$(PEERS_BIN): bench/peers/authz_peers.c include/authz.h $(B)/libauthz.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -O2 bench/peers/authz_peers.c $(B)/libauthz.a -o $@ $(LDFLAGS)

bench-peers: $(PEERS_BIN)
	$(PEERS_ENV) sh bench/peers/run.sh $(PEERS_BIN) $(PEERS_B)
