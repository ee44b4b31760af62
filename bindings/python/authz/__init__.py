"""Token scopes and allow lists, compiled once and checked in nanoseconds.

A thin binding of libauthz: every decision, error and normal form is the C
library's (semantics: docs/SPEC.md in the authz source tree).

    import authz
    tok = authz.Token(["workspace:read"], ["workspace:" + wid])
    if tok.check("workspace", wid, "read"):
        ...

Tokens and catalogs are immutable and may be shared by any number of
threads. The GIL is held during every call: a check costs tens of
nanoseconds, less than releasing and re-taking the GIL would.
"""
from ._authz import (  # noqa: F401
    Catalog, Error, Explanation, Target, Token, covers, intersect_allow,
    library_version, normalize_allow, normalize_scopes, union_allow,
    validate_scope, __version__,
    EINVAL, ENOMEM, ESYNTAX, ETYPE, EACTION, ESCOPE, EUUID, ELIMIT, ETOOLONG,
    ECATALOG, ENOTPUBLIC, EFORMAT, EVERSION, EMISMATCH, ECHECKSUM, ESPACE,
    LIST_NONE, LIST_SCOPES, LIST_ALLOW, LIST_CATALOG, LIST_SCOPES2,
    LIST_ALLOW2, LIST_ENCODING, LIST_ENCODING_TEXT,
)

__all__ = [
    "Catalog", "Error", "Explanation", "Target", "Token", "covers",
    "intersect_allow", "normalize_allow", "normalize_scopes", "union_allow",
    "validate_scope",
]
