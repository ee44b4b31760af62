# authz - plain Makefile. Settable: CC CFLAGS LDFLAGS PREFIX DESTDIR LIBDIR
# INCLUDEDIR BINDIR PKGCONFIGDIR WERROR.
#
#   make                 libraries (static and shared) and examples
#   make test            the unit suites, quickly (a shorter differential run)
#   make check           the unit suites in full, then a staged install used
#                        through pkg-config, and the fragments' checks
#   make demo            a few decisions on the embedded Coder catalog
#   make install / uninstall

# The version lives in include/authz.h alone.
hdr_num = $(shell sed -n 's/^\#define AUTHZ_$(1) \([0-9][0-9]*\)$$/\1/p' include/authz.h)
VERSION := $(call hdr_num,VERSION_MAJOR).$(call hdr_num,VERSION_MINOR).$(call hdr_num,VERSION_PATCH)
ABI := $(call hdr_num,ABI_VERSION)

PREFIX ?= /usr/local
EXEC_PREFIX ?= $(PREFIX)
LIBDIR ?= $(EXEC_PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(EXEC_PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
AR ?= ar
CFLAGS ?= -O2 -g
LDFLAGS ?=
# Warnings are errors here and in CI; `make WERROR=` to relax a local build.
WERROR ?= -Werror
WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion $(WERROR)
ALL_CFLAGS := $(WARN) -Iinclude -Ilib $(CFLAGS)
LIB_CFLAGS := $(ALL_CFLAGS) -fPIC -fvisibility=hidden

B := build
SONAME := libauthz.so.$(ABI)
LIB_SRC := $(sort $(wildcard lib/*.c))
LIB_OBJ := $(LIB_SRC:lib/%.c=$(B)/obj/%.o)
GEN_OBJ := $(B)/obj/catalog_coder.o
ALL_OBJ := $(LIB_OBJ) $(GEN_OBJ)
HEADERS := include/authz.h $(sort $(wildcard lib/*.h))

CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)
TEST_SRC := $(sort $(wildcard tests/check_*.c)) tests/testutil.c $(wildcard tests/ref_model.c)
# Each tests/check_<name>.c that exists joins the runner (HAVE_SUITE_<name>).
TEST_DEFS := $(patsubst tests/check_%.c,-DHAVE_SUITE_%,$(wildcard tests/check_*.c))
EXAMPLES := $(B)/examples/minimal $(B)/examples/demo

.PHONY: all lib examples check check-unit test demo FORCE install uninstall clean check-install
.DELETE_ON_ERROR:

all: lib examples

lib: $(B)/libauthz.a $(B)/$(SONAME) $(B)/libauthz.so

$(B)/obj/%.o: lib/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(B)/obj/catalog_coder.o: $(B)/catalog_coder.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

# The embedded catalog is compiled from its text by the library's own parser.
$(B)/gen-catalog: tools/gen_catalog.c $(LIB_OBJ) $(HEADERS)
	$(CC) $(ALL_CFLAGS) tools/gen_catalog.c $(LIB_OBJ) -o $@ $(LDFLAGS)

$(B)/catalog_coder.c: catalog/coder.catalog $(B)/gen-catalog
	$(B)/gen-catalog catalog/coder.catalog $@

$(B)/libauthz.a: $(ALL_OBJ)
	rm -f $@
	$(AR) rcs $@ $(ALL_OBJ)

$(B)/$(SONAME): $(ALL_OBJ) lib/authz.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=lib/authz.map \
	    -Wl,-z,defs $(ALL_OBJ) -o $@ $(LDFLAGS)

$(B)/libauthz.so: $(B)/$(SONAME)
	ln -sf $(SONAME) $@

examples: $(EXAMPLES)

$(B)/examples/%: examples/%.c include/authz.h $(B)/libauthz.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< $(B)/libauthz.a -o $@ $(LDFLAGS)

demo: $(B)/examples/demo
	$(B)/examples/demo

# ---- tests -----------------------------------------------------------------

# Suites compile one object each, so a change to the library relinks the
# runner without recompiling them. The runner's list of suites (TEST_DEFS)
# is kept in a file that changes only when the list does, so a new suite
# rebuilds testutil.o and is never left out.
TEST_OBJ := $(TEST_SRC:tests/%.c=$(B)/tests/%.o)

$(B)/tests/suites.defs: FORCE
	@mkdir -p $(@D)
	@echo '$(TEST_DEFS)' | cmp -s - $@ || echo '$(TEST_DEFS)' > $@

$(B)/tests/testutil.o: $(B)/tests/suites.defs

$(B)/tests/%.o: tests/%.c tests/tests.h $(wildcard tests/ref_model.h) $(HEADERS)
	@test -n "$(CHECK_LIBS)" || { echo "the Check library is missing: apt-get install -y check pkg-config" >&2; exit 1; }
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) $(TEST_DEFS) -DAUTHZ_SOURCE_DIR='"$(CURDIR)"' \
	    -c $< -o $@

$(B)/check_authz: $(TEST_OBJ) $(B)/libauthz.a
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) $(TEST_OBJ) $(B)/libauthz.a -o $@ \
	    $(CHECK_LIBS) -lpthread $(LDFLAGS)

# `make test` is the quick loop: the unit suites with a shorter differential
# run (TEST_DIFF_CASES cases; AUTHZ_DIFF_CASES in the environment wins);
# `make check` runs them with the full count, then everything else.
TEST_DIFF_CASES ?= 20000
test: $(B)/check_authz
	AUTHZ_DIFF_CASES=$${AUTHZ_DIFF_CASES:-$(TEST_DIFF_CASES)} $(B)/check_authz

check-unit: $(B)/check_authz
	$(B)/check_authz

check: check-unit check-install

# Installs into a staging directory and builds examples/minimal.c the way a
# user would: through pkg-config, against the installed shared library.
STAGE := $(abspath $(B))/stage
check-install: lib
	rm -rf $(STAGE)
	$(MAKE) --no-print-directory install DESTDIR=$(STAGE) PREFIX=/usr/local >/dev/null
	PKG_CONFIG_SYSROOT_DIR=$(STAGE) PKG_CONFIG_LIBDIR=$(STAGE)/usr/local/lib/pkgconfig \
	    sh -c '$(CC) $(WARN) examples/minimal.c -o $(B)/minimal-installed \
	        $$(pkg-config --cflags authz) $$(pkg-config --libs authz)'
	LD_LIBRARY_PATH=$(STAGE)/usr/local/lib $(B)/minimal-installed > $(B)/minimal-installed.out
	diff -u tests/data/minimal.expected $(B)/minimal-installed.out
	@echo "check-install: examples/minimal.c built through pkg-config against a staged install: ok"

# Further targets (bench, fuzz, sanitizers, integrations) live in fragments,
# one per concern.
include $(sort $(wildcard mk/*.mk))

# ---- install ---------------------------------------------------------------

MAN3 := $(sort $(wildcard man/*.3))

install: lib
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	    $(DESTDIR)$(MANDIR)/man3
	install -m 644 include/authz.h $(DESTDIR)$(INCLUDEDIR)/authz.h
	install -m 644 $(B)/libauthz.a $(DESTDIR)$(LIBDIR)/libauthz.a
	install -m 755 $(B)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libauthz.so
	@# Written here, not at build time, so it always names the paths of
	@# this install.
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    pkgconfig/authz.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/authz.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/authz.pc
	install -m 644 $(MAN3) $(DESTDIR)$(MANDIR)/man3/

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/authz.h $(DESTDIR)$(LIBDIR)/libauthz.a \
	    $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libauthz.so \
	    $(DESTDIR)$(PKGCONFIGDIR)/authz.pc \
	    $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(MAN3)))

clean:
	rm -rf $(B)
