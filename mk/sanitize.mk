# mk/sanitize.mk - sanitizers, valgrind and ABI hygiene, included by the top
# Makefile.
#
#   make asan          the library and the whole Check suite built with
#                      ASan+UBSan ($(B)/asan/check_authz), then run
#   make tsan          tests/tsan_stress.c under ThreadSanitizer: 8 threads
#                      check shared tokens while 2 build and free tokens
#   make valgrind      memcheck over the Check suite (CK_FORK=no), leaks
#                      and errors fail the run
#   make check-portable  the Check suite against the library built
#                      without its x86-64 SSE2 code (-U__SSE2__, and
#                      AZ_EXPECT_PORTABLE makes lib/hot.h refuse to build
#                      if the SSE2 code is still selected): the portable
#                      UUID decoder and control-byte window
#   make abi-check     the shared library exports exactly tests/abi.list
#   make header-check  include/authz.h compiles as C11 and as C++11 with
#                      all warnings as errors, and links from C++
#
# `make check` runs abi-check, header-check and check-portable. SAN_CC
# (default $(CC)) and CXX choose the compilers.

SAN_CC ?= $(CC)
SAN_B := $(B)/san
ASAN_FLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer
TSAN_FLAGS := -g -O1 -fsanitize=thread
SAN_SRC := $(LIB_SRC) $(B)/catalog_coder.c
# The differential test's case count under the slow runners: the same
# generator, a smaller sample (make check runs the full 100,000 cases).
VALGRIND_DIFF_CASES ?= 20000
VALGRIND := valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
    --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible

.PHONY: asan tsan valgrind abi-check header-check check-portable

# ---- ASan + UBSan over the Check suite --------------------------------------

$(SAN_B)/check_authz: $(TEST_SRC) tests/tests.h $(SAN_SRC) $(HEADERS)
	@test -n "$(CHECK_LIBS)" || { echo "the Check library is missing: apt-get install -y check pkg-config" >&2; exit 1; }
	@mkdir -p $(@D)
	$(SAN_CC) $(ALL_CFLAGS) $(ASAN_FLAGS) $(CHECK_CFLAGS) $(TEST_DEFS) \
	    -DAUTHZ_SOURCE_DIR='"$(CURDIR)"' $(TEST_SRC) $(SAN_SRC) -o $@ \
	    $(CHECK_LIBS) -lpthread $(LDFLAGS)

# Leaks are checked once, at the end of the unforked run.
asan: $(SAN_B)/check_authz
	CK_FORK=no ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(SAN_B)/check_authz
	@echo "asan: the Check suite is clean under ASan+UBSan"

# ---- the portable code paths -------------------------------------------------

$(SAN_B)/check_portable: $(TEST_SRC) tests/tests.h $(SAN_SRC) $(HEADERS)
	@test -n "$(CHECK_LIBS)" || { echo "the Check library is missing: apt-get install -y check pkg-config" >&2; exit 1; }
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -U__SSE2__ -DAZ_EXPECT_PORTABLE $(CHECK_CFLAGS) \
	    $(TEST_DEFS) \
	    -DAUTHZ_SOURCE_DIR='"$(CURDIR)"' $(TEST_SRC) $(SAN_SRC) -o $@ \
	    $(CHECK_LIBS) -lpthread $(LDFLAGS)

check-portable: $(SAN_B)/check_portable
	CK_FORK=no $(SAN_B)/check_portable
	@echo "check-portable: the Check suite passes without the SSE2 code"

check: check-portable

# ---- ThreadSanitizer ---------------------------------------------------------

$(SAN_B)/tsan_stress: tests/tsan_stress.c $(SAN_SRC) $(HEADERS)
	@mkdir -p $(@D)
	$(SAN_CC) $(ALL_CFLAGS) $(TSAN_FLAGS) tests/tsan_stress.c $(SAN_SRC) \
	    -o $@ -pthread $(LDFLAGS)

tsan: $(SAN_B)/tsan_stress
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 $(SAN_B)/tsan_stress
	@echo "tsan: no data race"

# ---- valgrind ----------------------------------------------------------------

valgrind: $(B)/check_authz
	@command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind" >&2; exit 1; }
	CK_FORK=no AUTHZ_DIFF_CASES=$(VALGRIND_DIFF_CASES) $(VALGRIND) \
	    $(B)/check_authz
	@echo "valgrind: no memory error, no leak"

# ---- ABI hygiene ---------------------------------------------------------------

# The dynamic symbols the library defines, without the version nodes
# (absolute symbols such as AUTHZ_0.1), against the committed list.
abi-check: $(B)/$(SONAME)
	@command -v nm >/dev/null || { echo "abi-check: nm is missing: apt-get install -y binutils" >&2; exit 1; }
	nm -D --defined-only $(B)/$(SONAME) | awk '$$2 != "A" { print $$3 }' \
	    | sed 's/@.*//' | LC_ALL=C sort > $(B)/abi.actual
	@diff -u tests/abi.list $(B)/abi.actual || { \
	    echo "abi-check: exports differ from tests/abi.list (- listed, + exported)" >&2; exit 1; }
	@echo "abi-check: $$(wc -l < tests/abi.list) exported symbols, as listed"

HEADER_CXX_TEST := $(B)/header-cxx.cc
header-check: $(B)/libauthz.a
	@command -v $(CXX) >/dev/null || { echo "header-check: $(CXX) is missing: apt-get install -y g++" >&2; exit 1; }
	$(CC) -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror \
	    -fsyntax-only -x c include/authz.h
	$(CXX) -std=c++11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only \
	    -x c++ include/authz.h
	@printf '%s\n' '#include "authz.h"' \
	    'int main() {' \
	    '    const char *scopes[] = {"workspace:read"};' \
	    '    const char *allow[] = {"*:*"};' \
	    '    authz_error err;' \
	    '    authz_token *tok = authz_token_new(authz_catalog_coder(), scopes, 1,' \
	    '                                       allow, 1, &err);' \
	    '    bool ok = tok != nullptr && authz_check(tok, "workspace", "", "read");' \
	    '    authz_token_free(tok);' \
	    '    return ok ? 0 : 1;' \
	    '}' > $(HEADER_CXX_TEST)
	$(CXX) -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iinclude \
	    $(HEADER_CXX_TEST) $(B)/libauthz.a -o $(B)/header-cxx
	$(B)/header-cxx
	@echo "header-check: include/authz.h is clean C11 and C++11, and links from C++"

check: abi-check header-check
