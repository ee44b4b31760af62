#!/bin/sh
# docs_refs.sh - every reference to the specification resolves inside the
# repository. Run from the top of the source tree (make check-docs):
#
#   1. every mention of the specification names it `docs/SPEC.md`;
#   2. every section it cites after that name (`docs/SPEC.md section 4`,
#      `docs/SPEC.md 4.3`), and every `section N` inside docs/SPEC.md,
#      is a heading of docs/SPEC.md;
#   3. nothing refers to a path outside the repository: no `../` that
#      climbs above the top from where the file is, no absolute /work/
#      path, no sibling folder of the checkout;
#   4. every `file:name` and `file` cited in the table of docs/SPEC.md
#      section 12 exists, a lib/ function is defined in its file and a
#      test is a START_TEST of its suite.
#
# Exit 0 when all hold; otherwise each problem on stderr as file:line and
# exit 1.
set -u
SPEC=docs/SPEC.md
SELF=tests/docs_refs.sh

[ -f "$SPEC" ] || { echo "$SPEC is missing (run from the top of the tree)" >&2; exit 1; }
command -v perl >/dev/null || { echo "docs_refs.sh needs perl (perl-base)" >&2; exit 1; }

# The text files of the repository, tracked or new, not ignored.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    FILES=$(git ls-files -co --exclude-standard)
else
    FILES=$(find . -path ./build -prune -o -path ./.git -prune -o -type f -print | sed 's|^\./||')
fi
FILES=$(printf '%s\n' "$FILES" | grep -v -e '^tests/fuzz/corpus/' -e "^$SELF\$" | sort -u)

export SPEC
printf '%s\n' "$FILES" | perl -e '
use strict; use warnings;
my $spec = $ENV{SPEC};
my $bad = 0;
sub problem { my ($f, $l, $m) = @_; print STDERR "$f:$l: $m\n"; $bad++; }

open my $sh, "<", $spec or die "$spec: $!";
my @spec = <$sh>;
close $sh;
my %heading;
for (@spec) { $heading{$1} = 1 if /^##+ (\d+(?:\.\d+)?)\.? /; }

sub cited {
    my ($f, $l, $n) = @_;
    problem($f, $l, "cites section $n, which is no heading of $spec")
        unless $heading{$n};
}

# Line number of a byte offset in a text.
sub lineof { my ($t, $o) = @_; return 1 + (substr($t, 0, $o) =~ tr/\n//); }

while (my $f = <STDIN>) {
    chomp $f;
    next unless -f $f && -T $f;
    open my $fh, "<", $f or next;
    local $/;
    my $text = <$fh>;
    close $fh;
    my $depth = ($f =~ tr{/}{});

    if ($f eq $spec) {
        while ($text =~ /\bsections? (\d+(?:\.\d+)?)\b/g) {
            cited($f, lineof($text, $-[0]), $1);
        }
    } else {
        # 1. A mention of the specification is `docs/SPEC.md`.
        while ($text =~ /(?<![A-Za-z0-9_])SPEC(?![A-Za-z0-9_])/g) {
            my $at = $-[0];
            my $ok = $at >= 5 && substr($text, $at - 5, 5) eq "docs/" &&
                     substr($text, $at + 4, 3) eq ".md";
            problem($f, lineof($text, $at),
                    "refers to the specification without naming docs/SPEC.md")
                unless $ok;
        }
        # 2. Sections cited after the name, across comment line breaks.
        (my $flat = $text) =~ s{\n[ \t]*(?:\*|#|//|;|\.\\")?[ \t]*}{ \n}g;
        while ($flat =~ m{docs/SPEC\.md\)?,?\s+(?:sections?\s+|\x{a7}\s*)?(\d+(?:\.\d+)?)(?![\d.]*\d)}g) {
            my $at = $-[0];
            my $n = $1;
            my $line = 1 + (substr($flat, 0, $at) =~ tr/\n//);
            cited($f, $line, $n);
        }
    }

    # 3. Paths that leave the repository.
    while ($text =~ m{(?<![\w./\$\-])((?:\.\./)+)}g) {
        my $up = length($1) / 3;
        problem($f, lineof($text, $-[0]),
                "a relative path climbs $up level(s) from a file $depth deep")
            if $up > $depth;
    }
    while ($text =~ m{(?:^|[\s"\x27(`=<\[])(/work/|\.\./shared\b)}mg) {
        problem($f, lineof($text, $-[1]), "refers to $1, outside the repository");
    }
}

# 4. The table of section 12.
my $in = 0;
for my $i (0 .. $#spec) {
    my $l = $spec[$i];
    if ($l =~ /^## /) { $in = $l =~ /^## 12\. /; next; }
    next unless $in && $l =~ /^\|/;
    while ($l =~ /`([^`\s*]+)`/g) {
        my $tok = $1;
        next unless $tok =~ m{/};
        my ($path, $name) = split /:/, $tok, 2;
        if (!-f $path) { problem($spec, $i + 1, "$path does not exist"); next; }
        next unless defined $name;
        open my $fh, "<", $path or next;
        local $/;
        my $src = <$fh>;
        close $fh;
        my $found;
        if ($path =~ m{^tests/check_\w+\.c$}) {
            $found = $src =~ /START_TEST\(\Q$name\E\)/;
        } elsif ($path =~ m{\.[ch]$}) {
            $found = $src =~ /^[A-Za-z_][^;\n]*\b\Q$name\E\(/m;
        } else {
            $found = $src =~ /\b\Q$name\E\b/;
        }
        problem($spec, $i + 1, "$path has no $name") unless $found;
    }
}

exit($bad ? 1 : 0);
'
status=$?
[ $status -eq 0 ] && echo "check-docs: references to docs/SPEC.md resolve; section 12 names existing code and tests"
exit $status
