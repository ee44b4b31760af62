# ---- benchmark (issue 6) ---------------------------------------------------
#
#   make bench             builds tests/bench/bench.c at -O2 against
#                          $(B)/libauthz.a and runs it (15-30 s): ns per
#                          check, the floor, the reference model, build time,
#                          bytes, allocations, threads, authz_check_many
#                          against a loop, catalogs of names spelt alike
#                          against random ones (issue 14), PASS/MISS per
#                          target; single-threaded runs timed by the thread's
#                          CPU time (BENCH_ARGS=--wall for the wall clock)
#   make bench-callgrind   instructions (and simulated branch mispredicts)
#                          per check, per batched id, per catalog parse under
#                          callgrind, with PASS/MISS for the instruction
#                          targets: stable on a noisy machine
#   $(B)/bench/bench --profile[=mixed|wildcard|create|denied|floor|build]
#                          one case for 5 s, to run under `perf record`
#   $(B)/bench/bench --profile=many   the batch figures alone
#   make bench BENCH_ARGS=--quick   a shorter run
#
# The bench wraps malloc/calloc/realloc/free at link time (ld --wrap) to count
# the C library allocations made during checks; set BENCH_WRAP= to build
# without (a linker that lacks --wrap).

BENCH_BIN := $(B)/bench/bench
BENCH_CFLAGS := $(ALL_CFLAGS) -O2 -Itests
BENCH_WRAP ?= -DBENCH_WRAP_MALLOC -Wl,--wrap=malloc -Wl,--wrap=calloc \
    -Wl,--wrap=realloc -Wl,--wrap=free
BENCH_ARGS ?=
BENCH_CG_OUT := $(B)/bench/callgrind.out
BENCH_CG_FUNCS := authz_check authz_check_target authz_check_many floor_check \
    ref_check authz_catalog_parse \
    authz_token_new

.PHONY: bench bench-callgrind

$(BENCH_BIN): tests/bench/bench.c tests/ref_model.c tests/ref_model.h \
    include/authz.h $(B)/libauthz.a
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) tests/bench/bench.c tests/ref_model.c \
	    $(B)/libauthz.a -o $@ $(BENCH_WRAP) -lpthread $(LDFLAGS)

bench: $(BENCH_BIN)
	@echo "machine: $$(nproc) CPUs, load average $$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null), $$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $$(uname -sr), $$($(CC) --version | head -n 1)"
	$(BENCH_BIN) $(BENCH_ARGS)

bench-callgrind: $(BENCH_BIN)
	@command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind" >&2; exit 1; }
	rm -f $(BENCH_CG_OUT) $(BENCH_CG_OUT).*
	valgrind --tool=callgrind -q --branch-sim=yes --callgrind-out-file=$(BENCH_CG_OUT) \
	    --dump-before=bench_cg_mark \
	    $(addprefix --toggle-collect=,$(BENCH_CG_FUNCS)) \
	    $(BENCH_BIN) --callgrind=$(BENCH_CG_OUT)
