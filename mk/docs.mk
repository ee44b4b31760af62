# mk/docs.mk - `make check-docs`: docs/SPEC.md and the code agree. Included
# by the top Makefile; part of `make check`.
#
#   make check-docs   1. the Check suite `spec` (tests/check_spec.c): the
#                        tables of docs/SPEC.md section 6 and the worked
#                        examples of section 7, row by row, against the
#                        embedded catalog and the check
#                     2. tests/docs_refs.sh: every reference to the
#                        specification says docs/SPEC.md and cites a
#                        section it has; no path leads outside the
#                        repository; the files, functions and tests of
#                        docs/SPEC.md section 12 exist

.PHONY: check-docs

check: check-docs
check-docs: $(B)/check_authz
	CK_RUN_SUITE=spec $(B)/check_authz
	sh tests/docs_refs.sh
