# mk/pkg.mk - how authz ships: CMake and Meson consumers, Debian packages,
# the OSS-Fuzz build, static analysis. Included by the top Makefile.
#
#   make check-consumers  `make install` into a stage, moved elsewhere (the
#                         CMake files must not depend on where they were
#                         installed); tests/consumers/cmake built with
#                         find_package(authz 0.1 CONFIG REQUIRED) against
#                         authz::authz (shared) and authz::authz_static,
#                         tests/consumers/meson with dependency('authz')
#                         through pkg-config; each program run and its
#                         output compared; version requests the install
#                         cannot satisfy must fail
#   make check-oss-fuzz   tests/fuzz/oss-fuzz/build.sh run as OSS-Fuzz runs
#                         it (clang, ASan, LIB_FUZZING_ENGINE=-fsanitize=fuzzer,
#                         OUT and WORK under $(B)/pkg/oss-fuzz); every
#                         tests/fuzz/fuzz_*.c must come out as a target with
#                         its seed corpus zip (the same files as
#                         tests/fuzz/corpus/<t>/), dictionary and options;
#                         each target then runs OSS_FUZZ_RUNS executions
#                         (default 3000) from its unzipped seeds
#   make deb              the Debian packages (debian/), unsigned, into
#                         $(B)/deb/: dpkg-buildpackage -us -uc -b in a copy
#                         of the tree, so the source stays clean; then
#                         lintian, which must report no error
#                         (its report: $(B)/deb/lintian.log)
#   make check-deb        as root, on a system without them: installs the
#                         three packages with dpkg -i, builds minimal.c
#                         through pkg-config, CMake and Meson against them,
#                         runs it, removes and purges them and checks that
#                         nothing is left (tests/deb/check.sh)
#
# The consumers build examples/minimal.c; its output is
# tests/data/minimal.expected.

PKG_B := $(abspath $(B))/pkg
PKG_EXPECTED := $(CURDIR)/tests/data/minimal.expected
# A hang guard only: each step takes seconds.
PKG_TIMEOUT := timeout -k 5 300
MAJOR := $(call hdr_num,VERSION_MAJOR)

.PHONY: check-consumers check-oss-fuzz deb check-deb

check-consumers: lib
	@for t in cmake meson ninja pkg-config; do command -v $$t >/dev/null || { \
	    echo "check-consumers: $$t is missing: apt-get install -y cmake meson ninja-build pkg-config" >&2; exit 1; }; done
	rm -rf $(PKG_B)/consumers
	mkdir -p $(PKG_B)/consumers
	$(MAKE) --no-print-directory install DESTDIR=$(PKG_B)/consumers/stage PREFIX=/usr/local \
	    > $(PKG_B)/consumers/install.log
	mv $(PKG_B)/consumers/stage $(PKG_B)/consumers/moved
	@# ---- CMake: find_package, shared and static
	$(PKG_TIMEOUT) cmake -S tests/consumers/cmake -B $(PKG_B)/consumers/cmake \
	    -DCMAKE_C_COMPILER=$(CC) -DCMAKE_PREFIX_PATH=$(PKG_B)/consumers/moved/usr/local \
	    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF > $(PKG_B)/consumers/cmake.log
	grep -qx 'authz_DIR:PATH=$(PKG_B)/consumers/moved/usr/local/lib/cmake/authz' \
	    $(PKG_B)/consumers/cmake/CMakeCache.txt
	$(PKG_TIMEOUT) cmake --build $(PKG_B)/consumers/cmake -j2 >> $(PKG_B)/consumers/cmake.log
	$(PKG_B)/consumers/cmake/minimal > $(PKG_B)/consumers/cmake-minimal.out
	diff -u $(PKG_EXPECTED) $(PKG_B)/consumers/cmake-minimal.out
	ldd $(PKG_B)/consumers/cmake/minimal | grep -qF '$(PKG_B)/consumers/moved/usr/local/lib/$(SONAME)'
	$(PKG_B)/consumers/cmake/minimal_static > $(PKG_B)/consumers/cmake-static.out
	diff -u $(PKG_EXPECTED) $(PKG_B)/consumers/cmake-static.out
	! readelf -d $(PKG_B)/consumers/cmake/minimal_static | grep -F libauthz
	@# ---- CMake: versions this install must refuse
	@for want in $$(($(MAJOR) + 1)).0 $(MAJOR).99; do \
	    rm -rf $(PKG_B)/consumers/cmake-refuse; \
	    if cmake -S tests/consumers/cmake -B $(PKG_B)/consumers/cmake-refuse \
	        -DAUTHZ_REQUEST=$$want -DCMAKE_PREFIX_PATH=$(PKG_B)/consumers/moved/usr/local \
	        > $(PKG_B)/consumers/cmake-refuse.log 2>&1; then \
	        echo "check-consumers: find_package(authz $$want) accepted version $(VERSION)" >&2; exit 1; fi; \
	    grep -q 'version: $(VERSION)' $(PKG_B)/consumers/cmake-refuse.log || { \
	        cat $(PKG_B)/consumers/cmake-refuse.log >&2; exit 1; }; \
	done
	@# ---- Meson: dependency('authz') through pkg-config
	PKG_CONFIG_SYSROOT_DIR=$(PKG_B)/consumers/moved \
	PKG_CONFIG_LIBDIR=$(PKG_B)/consumers/moved/usr/local/lib/pkgconfig CC=$(CC) \
	    $(PKG_TIMEOUT) meson setup $(PKG_B)/consumers/meson tests/consumers/meson \
	    > $(PKG_B)/consumers/meson.log
	$(PKG_TIMEOUT) ninja -C $(PKG_B)/consumers/meson -j2 >> $(PKG_B)/consumers/meson.log
	LD_LIBRARY_PATH=$(PKG_B)/consumers/moved/usr/local/lib $(PKG_B)/consumers/meson/minimal \
	    > $(PKG_B)/consumers/meson-minimal.out
	diff -u $(PKG_EXPECTED) $(PKG_B)/consumers/meson-minimal.out
	LD_LIBRARY_PATH=$(PKG_B)/consumers/moved/usr/local/lib ldd $(PKG_B)/consumers/meson/minimal \
	    | grep -qF '$(PKG_B)/consumers/moved/usr/local/lib/$(SONAME)'
	@echo "check-consumers: CMake (authz::authz, authz::authz_static) and Meson (dependency('authz')) built examples/minimal.c against a moved install; outputs as expected; versions $$(($(MAJOR) + 1)).0 and $(MAJOR).99 refused: ok"

check: check-consumers

# ---- OSS-Fuzz ------------------------------------------------------------------

OSS_FUZZ_RUNS ?= 3000
OSS_FUZZ_B := $(PKG_B)/oss-fuzz
# What OSS-Fuzz's base-builder sets for a libFuzzer + ASan build.
OSS_FUZZ_CFLAGS := -O1 -fno-omit-frame-pointer -gline-tables-only \
    -fsanitize=address -fsanitize-address-use-after-scope \
    -fsanitize=fuzzer-no-link
OSS_FUZZ_NAMES = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

check-oss-fuzz:
	@command -v clang >/dev/null || { echo "check-oss-fuzz: clang is missing: apt-get install -y clang libclang-rt-14-dev" >&2; exit 1; }
	rm -rf $(OSS_FUZZ_B)
	mkdir -p $(OSS_FUZZ_B)/out $(OSS_FUZZ_B)/work $(OSS_FUZZ_B)/seeds
	CC=clang CXX=clang++ CFLAGS='$(OSS_FUZZ_CFLAGS)' CXXFLAGS='$(OSS_FUZZ_CFLAGS)' \
	    LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=$(OSS_FUZZ_B)/out \
	    WORK=$(OSS_FUZZ_B)/work SRC=$(CURDIR)/.. \
	    $(PKG_TIMEOUT) bash tests/fuzz/oss-fuzz/build.sh > $(OSS_FUZZ_B)/build.log 2>&1 || { \
	    tail -30 $(OSS_FUZZ_B)/build.log >&2; exit 1; }
	@out=$(OSS_FUZZ_B)/out; \
	for t in $(OSS_FUZZ_NAMES); do \
	    f=$$out/fuzz_$$t; \
	    [ -x $$f ] || { echo "check-oss-fuzz: $$f was not built" >&2; exit 1; }; \
	    cmp tests/fuzz/authz.dict $$f.dict || exit 1; \
	    grep -qx '\[libfuzzer\]' $$f.options || { echo "check-oss-fuzz: $$f.options has no [libfuzzer] section" >&2; exit 1; }; \
	    len=$$(sed -n 's/^max_len = \([0-9][0-9]*\)$$/\1/p' $$f.options); \
	    [ -n "$$len" ] || { echo "check-oss-fuzz: $$f.options sets no max_len" >&2; exit 1; }; \
	    /usr/bin/python3 -m zipfile -e $${f}_seed_corpus.zip $(OSS_FUZZ_B)/seeds/$$t || exit 1; \
	    diff -r tests/fuzz/corpus/$$t $(OSS_FUZZ_B)/seeds/$$t || { \
	        echo "check-oss-fuzz: $${f}_seed_corpus.zip differs from tests/fuzz/corpus/$$t" >&2; exit 1; }; \
	    $(PKG_TIMEOUT) $$f -runs=$(OSS_FUZZ_RUNS) -seed=1 -max_len=$$len -dict=$$f.dict \
	        $(OSS_FUZZ_B)/seeds/$$t > $(OSS_FUZZ_B)/fuzz_$$t.log 2>&1 || { \
	        tail -30 $(OSS_FUZZ_B)/fuzz_$$t.log >&2; echo "check-oss-fuzz: fuzz_$$t failed" >&2; exit 1; }; \
	    runs=$$(sed -n 's/^Done \([0-9][0-9]*\) runs.*/\1/p' $(OSS_FUZZ_B)/fuzz_$$t.log); \
	    [ -n "$$runs" ] && [ "$$runs" -ge $(OSS_FUZZ_RUNS) ] || { \
	        tail -5 $(OSS_FUZZ_B)/fuzz_$$t.log >&2; echo "check-oss-fuzz: fuzz_$$t did not run $(OSS_FUZZ_RUNS) times" >&2; exit 1; }; \
	    printf 'check-oss-fuzz: fuzz_%-8s %4d seeds, %d runs: ok\n' $$t $$(ls tests/fuzz/corpus/$$t | wc -l) $$runs; \
	done
	@echo "check-oss-fuzz: build.sh built $(words $(OSS_FUZZ_NAMES)) targets with seed corpora, dictionaries and options; each ran at least $(OSS_FUZZ_RUNS) executions: ok"

check: check-oss-fuzz

# ---- Debian packages -----------------------------------------------------------

DEB_B := $(abspath $(B))/deb
DEB_SRC := $(DEB_B)/authz-$(VERSION)

deb:
	@for t in dpkg-buildpackage dh lintian fakeroot; do command -v $$t >/dev/null || { \
	    echo "deb: $$t is missing: apt-get install -y debhelper dpkg-dev fakeroot lintian" >&2; exit 1; }; done
	rm -rf $(DEB_B)
	mkdir -p $(DEB_SRC)
	@# The tree as it is, without build outputs or the repository.
	tar -cf - --exclude=./build --exclude='./build-*' --exclude=./.git . | tar -xf - -C $(DEB_SRC)
	cd $(DEB_SRC) && $(PKG_TIMEOUT) dpkg-buildpackage -us -uc -b > $(DEB_B)/build.log 2>&1 || { \
	    tail -40 $(DEB_B)/build.log >&2; echo "deb: dpkg-buildpackage failed (log: $(DEB_B)/build.log)" >&2; exit 1; }
	@ls $(DEB_B)/*.deb
	$(PKG_TIMEOUT) lintian --fail-on error --display-info --pedantic $(DEB_B)/*.changes \
	    > $(DEB_B)/lintian.log 2>&1 || { cat $(DEB_B)/lintian.log >&2; \
	    echo "deb: lintian reports errors" >&2; exit 1; }
	@echo "deb: lintian: $$(grep -c '^E:' $(DEB_B)/lintian.log) errors, $$(grep -c '^W:' $(DEB_B)/lintian.log) warnings, $$(grep -c '^[IP]:' $(DEB_B)/lintian.log) info/pedantic notes ($(DEB_B)/lintian.log)"
	@grep '^[WE]:' $(DEB_B)/lintian.log || true

check-deb: deb
	$(PKG_TIMEOUT) sh tests/deb/check.sh $(DEB_B) $(VERSION)

check: check-deb
