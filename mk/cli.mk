# The `authz` command-line tool (tools/), its man page and its end-to-end
# tests. Included by the top Makefile.
#
#   make                  also builds $(B)/authz
#   make check            also runs tests/cli/run.sh against $(B)/authz
#   make install          also installs $(BINDIR)/authz and authz.1

MANDIR ?= $(PREFIX)/share/man

CLI_SRC := tools/authz.c tools/args.c tools/commands.c tools/diag.c tools/json.c \
    tools/token_line.c integrations/common/authz_tokens_file.c
# The tool uses the public header only: lib/ is not on its include path.
CLI_CFLAGS := $(filter-out -Ilib,$(ALL_CFLAGS)) -Iintegrations/common
# token-line hashes with OpenSSL's SHA-256 (libssl-dev).
CLI_LIBS := -lcrypto
# The Coder commit the embedded catalog matches, from its header comment.
CODER_COMMIT := $(shell sed -n 's/^\# Pinned to coder\/coder commit \([0-9a-f]*\)$$/\1/p' catalog/coder.catalog)

.PHONY: cli check-cli install-cli uninstall-cli

all: $(B)/authz
cli: $(B)/authz

$(B)/authz: $(CLI_SRC) tools/cli.h include/authz.h integrations/common/authz_tokens_file.h \
    $(B)/libauthz.a catalog/coder.catalog
	@test -n "$(CODER_COMMIT)" || { echo "catalog/coder.catalog names no Coder commit" >&2; exit 1; }
	$(CC) $(CLI_CFLAGS) -DAUTHZ_CODER_COMMIT='"$(CODER_COMMIT)"' $(CLI_SRC) \
	    $(B)/libauthz.a -o $@ $(CLI_LIBS) $(LDFLAGS)

check: check-cli
check-cli: $(B)/authz
	sh tests/cli/run.sh $(B)/authz

install: install-cli
install-cli: $(B)/authz
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(B)/authz $(DESTDIR)$(BINDIR)/authz
	install -m 644 man/authz.1 $(DESTDIR)$(MANDIR)/man1/authz.1

uninstall: uninstall-cli
uninstall-cli:
	rm -f $(DESTDIR)$(BINDIR)/authz $(DESTDIR)$(MANDIR)/man1/authz.1
