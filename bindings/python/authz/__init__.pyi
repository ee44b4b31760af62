# Type stub for the authz package (the extension module authz._authz).
from typing import Iterable, NamedTuple, Optional, Tuple, final

__version__: str
library_version: str

EINVAL: int
ENOMEM: int
ESYNTAX: int
ETYPE: int
EACTION: int
ESCOPE: int
EUUID: int
ELIMIT: int
ETOOLONG: int
ECATALOG: int
ENOTPUBLIC: int
EFORMAT: int
EVERSION: int
EMISMATCH: int
ECHECKSUM: int
ESPACE: int

LIST_NONE: int
LIST_SCOPES: int
LIST_ALLOW: int
LIST_CATALOG: int
LIST_SCOPES2: int
LIST_ALLOW2: int
LIST_ENCODING: int
LIST_ENCODING_TEXT: int

class Error(Exception):
    """An error reported by libauthz; str(e) is the library's message."""
    code: int
    list: int
    index: int
    offset: int
    line: int
    column: int

@final
class Catalog:
    @classmethod
    def coder(cls) -> Catalog: ...
    @classmethod
    def parse(cls, text: str) -> Catalog: ...
    @property
    def text(self) -> str: ...
    @property
    def fingerprint(self) -> int: ...
    @property
    def types(self) -> dict[str, Tuple[str, ...]]: ...

class Explanation(NamedTuple):
    allowed: bool
    reason: str  # allowed, null_argument, unknown_resource, unknown_action,
                 # empty_scopes, no_grant, empty_allow, not_listed
    scope: Optional[str]
    scope_index: Optional[int]
    entry: Optional[str]
    entry_index: Optional[int]
    description: str

@final
class Target:
    def __init__(self, resource: str, action: str,
                 catalog: Optional[Catalog] = None) -> None: ...
    @property
    def resource(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def catalog(self) -> Catalog: ...

@final
class Token:
    def __init__(self, scopes: Iterable[str], allow: Iterable[str],
                 catalog: Optional[Catalog] = None, *, public: bool = False,
                 max_allow: int = 128) -> None: ...
    def check(self, resource: str, id: Optional[str], action: str, /) -> bool: ...
    def explain(self, resource: str, id: Optional[str], action: str, /) -> Explanation: ...
    def check_target(self, target: Target, id: Optional[str], /) -> bool: ...
    def check_many(self, target: Target, ids: Iterable[Optional[str]], /) -> list[bool]: ...
    def granted_ids(self, target: Target, /) -> Tuple[str, list[str]]: ...
    def granted_sql(self, target: Target, column: str, /) -> str: ...
    def encode(self) -> bytes: ...
    def encode_text(self) -> str: ...
    @classmethod
    def decode(cls, data: bytes | bytearray | memoryview,
               catalog: Optional[Catalog] = None, *, public: bool = False,
               max_allow: int = 128) -> Token: ...
    @classmethod
    def decode_text(cls, text: str, catalog: Optional[Catalog] = None, *,
                    public: bool = False, max_allow: int = 128) -> Token: ...
    @property
    def text(self) -> str: ...
    @property
    def scopes(self) -> Tuple[str, ...]: ...
    @property
    def allow(self) -> Tuple[str, ...]: ...
    @property
    def catalog(self) -> Catalog: ...

def normalize_scopes(scopes: Iterable[str], *,
                     catalog: Optional[Catalog] = None) -> list[str]: ...
def normalize_allow(allow: Iterable[str], *, catalog: Optional[Catalog] = None,
                    max_allow: int = 128) -> list[str]: ...
def covers(have: Iterable[str], want: Iterable[str], *,
           catalog: Optional[Catalog] = None) -> Tuple[bool, list[str]]: ...
def intersect_allow(a: Iterable[str], b: Iterable[str], *,
                    catalog: Optional[Catalog] = None) -> list[str]: ...
def union_allow(a: Iterable[str], b: Iterable[str], *,
                catalog: Optional[Catalog] = None) -> list[str]: ...
def validate_scope(scope: str, public: bool = False, *,
                   catalog: Optional[Catalog] = None) -> None: ...
