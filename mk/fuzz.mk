# mk/fuzz.mk - fuzz targets (tests/fuzz/), included by the top Makefile.
#
#   make fuzz                       libFuzzer targets, built with clang and
#                                   ASan+UBSan: $(B)/fuzz/fuzz_<target>
#   make fuzz-smoke FUZZ_SECONDS=N  runs each for N seconds (default 10) on
#                                   a scratch copy of its corpus
#   make fuzz-replay                plain-$(CC) replay programs run over the
#                                   committed corpora (part of `make check`)
#   make fuzz-merge                 adds what fuzz-smoke found that covers
#                                   new code to the committed corpora
#   make fuzz-afl                   AFL++ builds (afl-clang-fast, ASan+UBSan):
#                                   $(B)/fuzz/afl-<target>
#   make fuzz-afl-smoke FUZZ_SECONDS=N   afl-fuzz on each for N seconds
#
# Targets: token (authz_token_new_ex on raw bytes), catalog
# (authz_catalog_parse, then a token and checks on it), check (authz_check_n
# and authz_check with arbitrary arguments on fixed tokens), explain
# (authz_explain against authz_check and the reference model), decode
# (authz_token_decode and _text on raw bytes: canonical round trips), setops
# (normalize, cover, union and intersect against tokens and the model).

FUZZ_TARGETS := token catalog check explain decode setops
FUZZ_B := $(B)/fuzz
FUZZ_CC ?= clang
AFL_CC ?= afl-clang-fast
FUZZ_SECONDS ?= 10
# Extra libFuzzer flags, e.g. FUZZ_ARGS='-jobs=2 -workers=2'.
FUZZ_ARGS ?=
FUZZ_DICT := tests/fuzz/authz.dict
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer
# The library is compiled into each target with the target's flags, so the
# sanitizers and the coverage instrumentation see every line of it.
FUZZ_SRC := $(LIB_SRC) $(B)/catalog_coder.c tests/ref_model.c
FUZZ_DEPS := tests/fuzz/fuzz.h $(FUZZ_SRC) $(HEADERS) tests/ref_model.h
FUZZ_CFLAGS := $(WARN) -Iinclude -Ilib -Itests -g -O2

.PHONY: fuzz fuzz-smoke fuzz-replay fuzz-merge fuzz-afl fuzz-afl-smoke

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	@command -v $(FUZZ_CC) >/dev/null || { echo "fuzz: $(FUZZ_CC) is missing: apt-get install -y clang libclang-rt-dev" >&2; exit 1; }
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) $< $(FUZZ_SRC) \
	    -o $@

# Each target runs on a scratch corpus seeded from the committed one, so a
# smoke run never writes into the source tree; crashes land in
# $(FUZZ_B)/artifacts/.
fuzz-smoke: fuzz
	@mkdir -p $(FUZZ_B)/artifacts
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_B)/work/$$t || exit 1; \
	    echo "fuzz-smoke: $$t for $(FUZZ_SECONDS) s"; \
	    $(FUZZ_B)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	        -dict=$(FUZZ_DICT) -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_B)/artifacts/$$t- $(FUZZ_ARGS) \
	        $(FUZZ_B)/work/$$t tests/fuzz/corpus/$$t \
	        2> $(FUZZ_B)/fuzz-$$t.log; \
	    rc=$$?; \
	    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' $(FUZZ_B)/fuzz-$$t.log; \
	    if [ $$rc -ne 0 ]; then tail -40 $(FUZZ_B)/fuzz-$$t.log; \
	        echo "fuzz-smoke: $$t FAILED (log: $(FUZZ_B)/fuzz-$$t.log)" >&2; exit 1; fi; \
	done

# Keeps the committed corpora small: only inputs that reach a new edge join
# (-use_counters=0: hit counts do not count as new coverage).
fuzz-merge: fuzz
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_B)/work/$$t || exit 1; \
	    $(FUZZ_B)/fuzz_$$t -merge=1 -use_counters=0 -dict=$(FUZZ_DICT) \
	        tests/fuzz/corpus/$$t $(FUZZ_B)/work/$$t 2>&1 | grep -E 'MERGE-OUTER: [0-9]+ new files' || exit 1; \
	done

# ---- replay (plain compiler, no libFuzzer) ----------------------------------

$(FUZZ_B)/replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h \
        tests/ref_model.c tests/ref_model.h $(B)/libauthz.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests $< tests/fuzz/replay.c tests/ref_model.c \
	    $(B)/libauthz.a -o $@ $(LDFLAGS)

fuzz-replay: $(FUZZ_TARGETS:%=$(FUZZ_B)/replay-%)
	@for t in $(FUZZ_TARGETS); do \
	    printf 'fuzz-replay: %-8s ' $$t; \
	    $(FUZZ_B)/replay-$$t tests/fuzz/corpus/$$t || exit 1; \
	done

check: fuzz-replay

# ---- AFL++ -------------------------------------------------------------------

$(FUZZ_B)/afl-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_DEPS)
	@command -v $(AFL_CC) >/dev/null || { echo "fuzz-afl: $(AFL_CC) is missing: apt-get install -y afl++" >&2; exit 1; }
	@mkdir -p $(@D)
	AFL_QUIET=1 $(AFL_CC) -Iinclude -Ilib -Itests -g -O1 $(FUZZ_SAN) \
	    $< tests/fuzz/replay.c $(FUZZ_SRC) -o $@

fuzz-afl: $(FUZZ_TARGETS:%=$(FUZZ_B)/afl-%)

fuzz-afl-smoke: fuzz-afl
	@for t in $(FUZZ_TARGETS); do \
	    rm -rf $(FUZZ_B)/afl-out/$$t; mkdir -p $(FUZZ_B)/afl-out; \
	    echo "fuzz-afl-smoke: $$t for $(FUZZ_SECONDS) s"; \
	    AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
	    AFL_NO_UI=1 AFL_BENCH_UNTIL_CRASH=1 \
	    afl-fuzz -V $(FUZZ_SECONDS) -i tests/fuzz/corpus/$$t \
	        -o $(FUZZ_B)/afl-out/$$t -x $(FUZZ_DICT) \
	        -- $(FUZZ_B)/afl-$$t > $(FUZZ_B)/afl-$$t.log 2>&1 || { tail -30 $(FUZZ_B)/afl-$$t.log; exit 1; }; \
	    grep -E '^(execs_done|saved_crashes|saved_hangs) ' $(FUZZ_B)/afl-out/$$t/default/fuzzer_stats; \
	    n=$$(ls $(FUZZ_B)/afl-out/$$t/default/crashes 2>/dev/null | grep -vc README); \
	    [ "$$n" -eq 0 ] || { echo "fuzz-afl-smoke: $$t: $$n crashes in $(FUZZ_B)/afl-out/$$t/default/crashes" >&2; exit 1; }; \
	done
