# mk/refactor.mk - tests kept out of the default gate, and the layering check.
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
