# mk/lint.mk - `make lint`: static analysis of the library (lib/) and the
# tools (tools/: the CLI and the catalog generator). Included by the top
# Makefile; CI runs it after `make check`.
#
#   make lint            cppcheck, clang-tidy and scan-build; any finding
#                        fails it
#   make lint-cppcheck   cppcheck over all of them at once
#                        (its cross-file analysis sees the whole program)
#   make lint-tidy       clang-tidy per file, with the checks in .clang-tidy
#                        (a file is re-checked when it or a header changes)
#   make lint-scan       scan-build over a fresh build of the library and
#                        the CLI (not the files it takes from integrations/);
#                        the report lands in $(B)/lint/scan-report
#
# The files are whatever lib/*.c and tools/*.c exist, with the include
# paths and command-line definitions of the build. The generated $(B)/catalog_coder.c is left out: it is
# data tables written by tools/gen_catalog.c, which is itself checked. A
# finding that cannot be fixed is suppressed at its line with a reason
# (cppcheck: `// cppcheck-suppress <id>`, clang-tidy: `// NOLINT(<check>)`).

LINT_B := $(B)/lint
# The library and every tool, with the union of their include paths (the
# CLI's, mk/cli.mk, name integrations/common/ too). The sources the CLI
# takes from integrations/ belong to the integrations and are left out here,
# from scan-build's build of the CLI too.
LINT_SRC = $(sort $(wildcard lib/*.c) $(wildcard tools/*.c))
LINT_INC = -Iinclude -Ilib $(filter -I%,$(CLI_CFLAGS))
LINT_HDR = $(wildcard include/*.h lib/*.h tools/*.h) \
    $(wildcard $(patsubst -I%,%/*.h,$(filter -I%,$(CLI_CFLAGS))))
# What the build defines on the command line (mk/cli.mk).
LINT_DEFS = -DAUTHZ_CODER_COMMIT='"$(or $(CODER_COMMIT),unknown)"'
# The configuration the build compiles on Linux with gcc; cppcheck would
# otherwise try every combination of the platform #ifs, slowly.
# _Noreturn is spelled as an attribute cppcheck 2.10 understands.
CPPCHECK_FLAGS := --std=c11 --enable=warning,performance,portability \
    --inline-suppr --error-exitcode=1 --quiet --max-ctu-depth=4 \
    -D__linux__ -D__x86_64__ -D__GNUC__=12 \
    '-D_Noreturn=__attribute__((noreturn))' \
    --suppress=missingIncludeSystem \
    --suppress=ctuuninitvar
# Suppressed above, for every file:
#   ctuuninitvar  every function writes its `authz_error *err` out-parameter
#                 and never reads it; cppcheck's cross-file analysis takes
#                 storing that pointer (as encode.c's reader does) for a
#                 read of the caller's uninitialised struct.
# Not enabled: cppcheck's style class (variable scope, shadowing: the
# compiler's -Wshadow and review cover it).

.PHONY: lint lint-cppcheck lint-tidy lint-scan

lint: lint-cppcheck lint-tidy lint-scan
	@echo "lint: cppcheck, clang-tidy and scan-build: no finding in $(words $(LINT_SRC)) files"

lint-cppcheck:
	@command -v cppcheck >/dev/null || { echo "lint: cppcheck is missing: apt-get install -y cppcheck" >&2; exit 1; }
	cppcheck $(CPPCHECK_FLAGS) $(LINT_INC) $(LINT_DEFS) $(LINT_SRC)
	@echo "lint-cppcheck: $(words $(LINT_SRC)) files, no finding"

lint-tidy: $(patsubst %.c,$(LINT_B)/tidy/%.ok,$(LINT_SRC))
	@echo "lint-tidy: $(words $(LINT_SRC)) files, no finding"

$(LINT_B)/tidy/%.ok: %.c .clang-tidy $(LINT_HDR)
	@command -v clang-tidy >/dev/null || { echo "lint: clang-tidy is missing: apt-get install -y clang-tidy" >&2; exit 1; }
	@mkdir -p $(@D)
	clang-tidy --quiet $< -- -std=c11 $(LINT_INC) $(LINT_DEFS)
	@touch $@

lint-scan:
	@command -v scan-build >/dev/null || { echo "lint: scan-build is missing: apt-get install -y clang-tools" >&2; exit 1; }
	rm -rf $(LINT_B)/scan $(LINT_B)/scan-report
	scan-build --status-bugs --exclude $(abspath $(LINT_B))/scan \
	    --exclude $(CURDIR)/integrations \
	    -o $(LINT_B)/scan-report \
	    $(MAKE) --no-print-directory B=$(LINT_B)/scan lib cli
	@echo "lint-scan: scan-build found no bug in the library and the CLI"
