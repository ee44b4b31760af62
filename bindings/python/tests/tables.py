"""Readers for the project's tables, tests/data/decisions.txt and errors.txt,
interpreted as tests/check_check.c and tests/check_token.c do: fields split
on "|" and trimmed; lists split on "," ("(empty)" is an empty list); $W and
$T are the two ids of docs/SPEC.md section 7; \\xHH is a byte; id "(none)" is
"", "(null)" is None; resource "(unknown)" is "x"; entry "(blank)" is "".
"""
import os
import re

W = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
T = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

TOP = os.environ.get("AUTHZ_SOURCE_DIR") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))

REASONS = ("allowed", "null_argument", "unknown_resource", "unknown_action",
           "empty_scopes", "no_grant", "empty_allow", "not_listed")

_ESC = re.compile(rb"\\x([0-9a-fA-F]{2})|\$([WT])")


def unescape(field):
    """A field's bytes with escapes expanded, as str (UTF-8, strict)."""
    def sub(m):
        if m.group(1) is not None:
            return bytes([int(m.group(1), 16)])
        return (W if m.group(2) == b"W" else T).encode()
    return _ESC.sub(sub, field).decode("utf-8")


def _rows(name):
    with open(os.path.join(TOP, "tests", "data", name), "rb") as f:
        for lineno, line in enumerate(f.read().split(b"\n"), 1):
            if line.startswith(b"#") or line == b"":
                continue
            yield lineno, [p.strip(b" \t") for p in line.split(b"|")]


def _list(field):
    if field == b"(empty)":
        return []
    return [unescape(p.strip(b" \t")) for p in field.split(b",")]


def decisions():
    """(line, scopes, allow, resource, id, action, allowed, reason or None)."""
    for lineno, f in _rows("decisions.txt"):
        if len(f) not in (6, 7):
            raise ValueError("decisions.txt:%d: %d columns, want 6 or 7" % (lineno, len(f)))
        resource = "x" if f[2] == b"(unknown)" else unescape(f[2])
        if f[3] == b"(none)":
            oid = ""
        elif f[3] == b"(null)":
            oid = None
        else:
            oid = unescape(f[3])
        if f[5] not in (b"allow", b"deny"):
            raise ValueError("decisions.txt:%d: expect %r" % (lineno, f[5]))
        reason = None
        if len(f) == 7:
            reason = f[6].decode()
            if reason not in REASONS:
                raise ValueError("decisions.txt:%d: reason %r" % (lineno, reason))
        yield (lineno, _list(f[0]), _list(f[1]), resource, oid, unescape(f[4]),
               f[5] == b"allow", reason)


def errors():
    """(line, "scope" or "allow", entry, code name, offset)."""
    for lineno, f in _rows("errors.txt"):
        if len(f) != 4 or f[0] not in (b"scope", b"allow"):
            raise ValueError("errors.txt:%d: malformed row" % lineno)
        entry = "" if f[1] == b"(blank)" else unescape(f[1])
        yield lineno, f[0].decode(), entry, f[2].decode(), int(f[3])
