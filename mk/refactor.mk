# mk/refactor.mk - tests kept out of the default gate (check-timing), and
# the layering and assert checks (check-layers, check-asserts: part of
# make check).
# Included by the top Makefile.
#
#   make check-timing    timing-ratio tests (tests/timing_flood.c: crafted
#                        allow lists must not make a check slow). A ratio
#                        measured on a shared machine can fail by chance, so
#                        it is not part of `make check`; run it on a quiet
#                        machine.

TIMING_BIN := $(B)/check_timing

.PHONY: check-timing

$(TIMING_BIN): tests/timing_flood.c tests/testutil.c tests/tests.h \
    $(B)/libauthz.a $(HEADERS)
	@test -n "$(CHECK_LIBS)" || { echo "the Check library is missing: apt-get install -y check pkg-config" >&2; exit 1; }
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -DHAVE_SUITE_timing \
	    -DAUTHZ_SOURCE_DIR='"$(CURDIR)"' tests/timing_flood.c tests/testutil.c \
	    $(B)/libauthz.a -o $@ $(CHECK_LIBS) $(LDFLAGS)

check-timing: $(TIMING_BIN)
	$(TIMING_BIN)

# make check-layers: no file of lib/ or tools/ calls into a file that calls
# it back, directly or around a loop, and no private header of lib/
# includes one that includes it back (tests/layers.sh, from the object
# files' symbols), and each private header compiles alone. Part of `make
# check`; a few seconds.
LAYERS_B := $(B)/layers
# The tool's files (CLI_SRC, mk/cli.mk), wherever they live.
LAYERS_TOOLS_OBJ = $(CLI_SRC:%.c=$(LAYERS_B)/%.o)

.PHONY: check-layers
check: check-layers

# Compiled as mk/cli.mk compiles the tool, one object per file.
$(LAYERS_B)/%.o: %.c tools/cli.h include/authz.h
	@mkdir -p $(@D)
	$(CC) $(CLI_CFLAGS) -DAUTHZ_CODER_COMMIT='"$(CODER_COMMIT)"' -c $< -o $@

check-layers: $(LIB_OBJ) $(LAYERS_TOOLS_OBJ) tests/layers.sh
	sh tests/layers.sh lib $(LIB_OBJ) -- $(wildcard lib/*.h)
	sh tests/layers.sh tools $(LAYERS_TOOLS_OBJ)
	@# Each private header compiles alone: it includes what it uses.
	@for h in $(notdir $(wildcard lib/*.h)); do \
	    printf '#include "%s"\n' $$h | $(CC) $(LIB_CFLAGS) -fsyntax-only -x c - || { \
	        echo "check-layers: lib/$$h does not compile alone" >&2; exit 1; }; \
	done
	@echo "check-layers: every private header of lib/ compiles alone"

# make check-asserts: the library under test was built with its invariant
# asserts on (token construction; no -DNDEBUG in CFLAGS), as every
# `make check` build must be. Part of `make check`.
.PHONY: check-asserts
check: check-asserts
check-asserts: $(B)/obj/token.o
	@nm $(B)/obj/token.o | grep -q __assert_fail || { \
	    echo "check-asserts: lib/token.c was built without its asserts (NDEBUG set in CFLAGS?)" >&2; exit 1; }
	@echo "check-asserts: the token's invariant asserts are compiled in"
