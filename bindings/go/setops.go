package authz

// #include <authz.h>
import "C"

import "runtime"

// The set operations of docs/SPEC.md 5: what a server needs when one token
// mints another or a client negotiates scopes. Lists are parsed exactly as
// NewToken parses them; a bad entry of a second list reports ListScopes2 or
// ListAllow2. cat nil is the Coder catalog.

// NormalizeScopes is the canonical scope list: aliases replaced by the
// scopes they name, duplicates dropped, sorted by bytes.
func NormalizeScopes(cat *Catalog, scopes []string) ([]string, error) {
	cat = orCoder(cat)
	s := newCList(scopes)
	defer s.free()
	var e C.authz_error
	l := C.authz_scopes_normalize(cat.c, s.v, s.n, nil, &e)
	runtime.KeepAlive(cat)
	if l == nil {
		return nil, errorFrom(&e)
	}
	return goList(l), nil
}

// NormalizeAllow is the normal form of an allow list: [*:*] if it holds
// *:*; T:* absorbs T:<id>; duplicates go; ids lower-case; sorted.
func NormalizeAllow(cat *Catalog, allow []string, opts ...Option) ([]string, error) {
	cat = orCoder(cat)
	co, err := cOptions(opts)
	if err != nil {
		return nil, err
	}
	a := newCList(allow)
	defer a.free()
	var e C.authz_error
	l := C.authz_allow_normalize(cat.c, a.v, a.n, &co, &e)
	runtime.KeepAlive(cat)
	if l == nil {
		return nil, errorFrom(&e)
	}
	return goList(l), nil
}

// Covers reports whether the scope list have covers want (may a token with
// have mint one with want), and the grants of want that are not covered, as
// canonical "T:A", "T:*" or "*:*" strings (empty when covered).
func Covers(cat *Catalog, have, want []string) (bool, []string, error) {
	cat = orCoder(cat)
	h, w := newCList(have), newCList(want)
	defer h.free()
	defer w.free()
	var e C.authz_error
	var covered C.bool
	var missing *C.authz_list
	rc := C.authz_scopes_cover(cat.c, h.v, h.n, w.v, w.n, &covered, &missing, nil, &e)
	runtime.KeepAlive(cat)
	if rc != C.AUTHZ_OK {
		return false, nil, errorFrom(&e)
	}
	return bool(covered), goList(missing), nil
}

type allow2 func(*C.authz_catalog, *C.authz_str, C.size_t, *C.authz_str, C.size_t,
	*C.authz_options, *C.authz_error) *C.authz_list

func combine(cat *Catalog, a, b []string, fn allow2) ([]string, error) {
	cat = orCoder(cat)
	ca, cb := newCList(a), newCList(b)
	defer ca.free()
	defer cb.free()
	var e C.authz_error
	l := fn(cat.c, ca.v, ca.n, cb.v, cb.n, nil, &e)
	runtime.KeepAlive(cat)
	if l == nil {
		return nil, errorFrom(&e)
	}
	return goList(l), nil
}

// IntersectAllow is the objects both allow lists admit, in normal form (an
// empty list when none: in a token, that denies everything).
func IntersectAllow(cat *Catalog, a, b []string) ([]string, error) {
	return combine(cat, a, b, func(c *C.authz_catalog, x *C.authz_str, nx C.size_t,
		y *C.authz_str, ny C.size_t, o *C.authz_options, e *C.authz_error) *C.authz_list {
		return C.authz_allow_intersect(c, x, nx, y, ny, o, e)
	})
}

// UnionAllow is the objects either allow list admits, in normal form.
func UnionAllow(cat *Catalog, a, b []string) ([]string, error) {
	return combine(cat, a, b, func(c *C.authz_catalog, x *C.authz_str, nx C.size_t,
		y *C.authz_str, ny C.size_t, o *C.authz_options, e *C.authz_error) *C.authz_list {
		return C.authz_allow_union(c, x, nx, y, ny, o, e)
	})
}

// ValidateScope reports whether scope is a valid scope of the catalog and,
// with public, one a token may request at creation (else ErrNotPublic).
func ValidateScope(cat *Catalog, scope string, public bool) error {
	cat = orCoder(cat)
	var flags C.unsigned
	if public {
		flags = C.AUTHZ_PUBLIC
	}
	var e C.authz_error
	rc := C.authz_scope_validate(cat.c, strData(scope), C.size_t(len(scope)), flags, &e)
	runtime.KeepAlive(cat)
	if rc != C.AUTHZ_OK {
		return errorFrom(&e)
	}
	return nil
}
