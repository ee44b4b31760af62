// Package authz is the Go binding of libauthz: token scopes and allow lists,
// compiled once and checked in nanoseconds.
//
// Every decision, error and normal form comes from the C library (the
// semantics are docs/SPEC.md of the authz source tree; the C API is
// include/authz.h); this package converts arguments and results.
//
//	tok, err := authz.NewToken(nil, []string{"workspace:read"},
//		[]string{"workspace:" + id})
//	if err != nil { ... }          // *authz.Error: code, list, index, offset
//	defer tok.Close()
//	if tok.Check("workspace", id, "read") { ... }
//
// Catalogs and tokens are immutable: any number of goroutines may use one at
// the same time. Check passes the Go strings' bytes to C by pointer and
// length: it allocates nothing. A Target resolves a resource and action once;
// CheckMany then decides a whole list of ids in one cgo call.
//
// A Token holds C memory. Close frees it; a finalizer frees it if Close is
// never called. Do not Close a token while another goroutine still uses it.
// A token keeps its Catalog alive.
package authz

/*
#include <stdlib.h>
#include <string.h>
#include <authz.h>

// The check path takes the token and target (C memory) as integers: for a
// pointer to an opaque or pointer-holding C type, cgo inserts a run-time
// pointer check that costs time and an allocation per call. The strings are
// passed as pointer and length.
static _Bool authz_go_check(uintptr_t tok, const char *r, size_t rl,
                            const char *id, size_t il, const char *a, size_t al)
{
    return authz_check_n((const authz_token *)tok, r, rl, id, il, a, al);
}

static _Bool authz_go_explain(uintptr_t tok, const char *r, size_t rl,
                              const char *id, size_t il, const char *a,
                              size_t al, authz_explanation *out)
{
    return authz_explain_n((const authz_token *)tok, r, rl, id, il, a, al, out);
}

static _Bool authz_go_check_target(uintptr_t tok, uintptr_t target,
                                   const char *id, size_t il)
{
    return authz_check_target((const authz_token *)tok,
                              (const authz_target *)target, id, il);
}

// One cgo call for a list of ids: the ids are packed into buf, id i being
// lens[i] bytes long (0: no id).
static size_t authz_go_check_many(uintptr_t tok, uintptr_t target,
                                  const char *buf, const size_t *lens,
                                  size_t n, _Bool *allowed)
{
    size_t i, off = 0, yes = 0;
    for (i = 0; i < n; i++) {
        allowed[i] = authz_check_target((const authz_token *)tok,
                                        (const authz_target *)target,
                                        lens[i] ? buf + off : NULL, lens[i]);
        yes += allowed[i];
        off += lens[i];
    }
    return yes;
}
*/
import "C"

import (
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// Version is the version of the linked library, e.g. "0.1.0".
func Version() string { return C.GoString(C.authz_version()) }

// strData is a pointer to the bytes of s, for C calls that take a pointer
// and a length (nil for ""). The bytes hold no Go pointers, so the cgo rules
// allow passing them; C never keeps them past the call.
func strData(s string) *C.char {
	if len(s) == 0 {
		return nil
	}
	return (*C.char)(*(*unsafe.Pointer)(unsafe.Pointer(&s)))
}

// ---- catalogs ---------------------------------------------------------------

// Catalog names the resource types, the actions of each type and the named
// scopes. Immutable.
type Catalog struct {
	c *C.authz_catalog
}

var coder = &Catalog{c: C.authz_catalog_coder()}

// Coder is the embedded Coder catalog (docs/SPEC.md section 6).
func Coder() *Catalog { return coder }

func orCoder(c *Catalog) *Catalog {
	if c == nil {
		return coder
	}
	return c
}

// ParseCatalog parses a catalog from its text format (the format of
// catalog/coder.catalog). The error is an *Error with code ErrCatalog, Line
// and Column. The catalog is freed by a finalizer once no token uses it.
func ParseCatalog(text string) (*Catalog, error) {
	var e C.authz_error
	p := C.authz_catalog_parse(strData(text), C.size_t(len(text)), &e)
	if p == nil {
		return nil, errorFrom(&e)
	}
	cat := &Catalog{c: p}
	runtime.SetFinalizer(cat, func(c *Catalog) { C.authz_catalog_free(c.c) })
	return cat, nil
}

// Text is the catalog in its text format; ParseCatalog(c.Text()) gives an
// identical catalog.
func (c *Catalog) Text() string {
	c = orCoder(c)
	n := C.authz_catalog_text(c.c, nil, 0)
	buf := make([]byte, int(n)+1)
	C.authz_catalog_text(c.c, (*C.char)(unsafe.Pointer(&buf[0])), n+1)
	runtime.KeepAlive(c)
	return string(buf[:n])
}

// Fingerprint is a 64-bit hash of everything an encoded token refers to;
// tokens decode only against a catalog with the same fingerprint.
func (c *Catalog) Fingerprint() uint64 {
	c = orCoder(c)
	f := C.authz_catalog_fingerprint(c.c)
	runtime.KeepAlive(c)
	return uint64(f)
}

// Types lists the resource types, in declaration order.
func (c *Catalog) Types() []string {
	c = orCoder(c)
	n := int(C.authz_catalog_type_count(c.c))
	out := make([]string, n)
	for i := range out {
		out[i] = C.GoString(C.authz_catalog_type_name(c.c, C.size_t(i)))
	}
	runtime.KeepAlive(c)
	return out
}

// Actions lists the actions of a type, in declaration order (nil for a type
// the catalog does not have).
func (c *Catalog) Actions(resource string) []string {
	c = orCoder(c)
	defer runtime.KeepAlive(c)
	n := int(C.authz_catalog_type_count(c.c))
	for t := 0; t < n; t++ {
		if C.GoString(C.authz_catalog_type_name(c.c, C.size_t(t))) != resource {
			continue
		}
		m := int(C.authz_catalog_action_count(c.c, C.size_t(t)))
		out := make([]string, m)
		for a := range out {
			out[a] = C.GoString(C.authz_catalog_action_name(c.c, C.size_t(t), C.size_t(a)))
		}
		return out
	}
	return nil
}

// ---- lists passed to C ------------------------------------------------------

// cList is a list of strings copied into one block of C memory (the cgo
// rules forbid handing C an array of Go string pointers).
type cList struct {
	mem unsafe.Pointer
	v   *C.authz_str
	n   C.size_t
}

func newCList(ss []string) cList {
	total := 0
	for _, s := range ss {
		total += len(s)
	}
	size := C.size_t(len(ss))*C.size_t(unsafe.Sizeof(C.authz_str{})) + C.size_t(total) + 1
	mem := C.malloc(size)
	if mem == nil {
		panic("authz: out of memory")
	}
	l := cList{mem: mem, n: C.size_t(len(ss))}
	if len(ss) == 0 {
		return l
	}
	arr := unsafe.Slice((*C.authz_str)(mem), len(ss))
	data := unsafe.Slice((*byte)(unsafe.Add(mem, len(ss)*int(unsafe.Sizeof(C.authz_str{})))), total+1)
	off := 0
	for i, s := range ss {
		copy(data[off:], s)
		arr[i].ptr = (*C.char)(unsafe.Pointer(&data[off]))
		arr[i].len = C.size_t(len(s))
		off += len(s)
	}
	l.v = &arr[0]
	return l
}

func (l cList) free() { C.free(l.mem) }

func goList(l *C.authz_list) []string {
	n := int(C.authz_list_count(l))
	out := make([]string, n)
	for i := range out {
		out[i] = C.GoString(C.authz_list_get(l, C.size_t(i)))
	}
	C.authz_list_free(l)
	return out
}

// ---- tokens -----------------------------------------------------------------

// Token is a compiled, immutable list of scopes and allow list.
type Token struct {
	c   *C.authz_token
	cat *Catalog // kept alive while the token lives
}

type options struct {
	public   bool
	maxAllow int
}

// Option adjusts NewToken, Decode and DecodeText.
type Option func(*options)

// Public accepts only the scopes a token may request at creation (the
// catalog's public names); others are refused with ErrNotPublic. Use it
// where tokens are created; leave it off where stored tokens are loaded.
func Public() Option { return func(o *options) { o.public = true } }

// MaxAllow sets the most allow entries accepted (default 128, Coder's
// limit), counted before duplicates are removed.
func MaxAllow(n int) Option { return func(o *options) { o.maxAllow = n } }

func cOptions(opts []Option) (C.authz_options, error) {
	o := options{maxAllow: C.AUTHZ_DEFAULT_MAX_ALLOW}
	for _, f := range opts {
		f(&o)
	}
	var co C.authz_options
	C.authz_options_init(&co)
	if o.maxAllow < 1 {
		return co, &Error{Code: ErrInvalid, Message: "MaxAllow must be at least 1"}
	}
	co.max_allow = C.size_t(o.maxAllow)
	if o.public {
		co.flags = C.AUTHZ_PUBLIC
	}
	return co, nil
}

func newToken(c *C.authz_token, cat *Catalog) *Token {
	t := &Token{c: c, cat: cat}
	runtime.SetFinalizer(t, (*Token).Close)
	return t
}

// NewToken compiles a token. cat nil is the Coder catalog. Empty lists are
// not errors: such a token denies everything. A bad entry gives an *Error
// with its Code, List, Index and Offset.
func NewToken(cat *Catalog, scopes, allow []string, opts ...Option) (*Token, error) {
	cat = orCoder(cat)
	co, err := cOptions(opts)
	if err != nil {
		return nil, err
	}
	s, a := newCList(scopes), newCList(allow)
	defer s.free()
	defer a.free()
	var e C.authz_error
	c := C.authz_token_new_ex(cat.c, s.v, s.n, a.v, a.n, &co, &e)
	if c == nil {
		return nil, errorFrom(&e)
	}
	return newToken(c, cat), nil
}

// Close frees the token; later checks deny. Close is idempotent, but must not
// run while another goroutine still uses the token.
func (t *Token) Close() error {
	if t != nil && t.c != nil {
		C.authz_token_free(t.c)
		t.c = nil
		runtime.SetFinalizer(t, nil)
	}
	return nil
}

func (t *Token) ptr() *C.authz_token {
	if t == nil {
		return nil
	}
	return t.c
}

func (t *Token) handle() C.uintptr_t {
	if t == nil {
		return 0
	}
	return C.uintptr_t(uintptr(unsafe.Pointer(t.c)))
}

// Check reports whether the token may perform action on the object of type
// resource whose id is id ("" for an object without an id, as in a create).
// Unknown names deny. Allocates nothing; safe from many goroutines.
func (t *Token) Check(resource, id, action string) bool {
	ok := C.authz_go_check(t.handle(), strData(resource), C.size_t(len(resource)),
		strData(id), C.size_t(len(id)), strData(action), C.size_t(len(action)))
	runtime.KeepAlive(t)
	return bool(ok)
}

// Reason says why a check allowed or denied.
type Reason int

// The reasons, in the order a check tests them.
const (
	ReasonAllowed         Reason = C.AUTHZ_REASON_ALLOWED
	ReasonNullArgument    Reason = C.AUTHZ_REASON_NULL_ARGUMENT
	ReasonUnknownResource Reason = C.AUTHZ_REASON_UNKNOWN_RESOURCE
	ReasonUnknownAction   Reason = C.AUTHZ_REASON_UNKNOWN_ACTION
	ReasonEmptyScopes     Reason = C.AUTHZ_REASON_EMPTY_SCOPES
	ReasonNoGrant         Reason = C.AUTHZ_REASON_NO_GRANT
	ReasonEmptyAllow      Reason = C.AUTHZ_REASON_EMPTY_ALLOW
	ReasonNotListed       Reason = C.AUTHZ_REASON_NOT_LISTED
)

var reasonNames = [...]string{"allowed", "null_argument", "unknown_resource",
	"unknown_action", "empty_scopes", "no_grant", "empty_allow", "not_listed"}

// String is the reason's name: "allowed", "no_grant", "not_listed", ...
func (r Reason) String() string {
	if r >= 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "unknown"
}

// Description is the library's phrase for the reason ("no scope grants it").
func (r Reason) Description() string {
	return C.GoString(C.authz_reason_str(C.authz_reason(r)))
}

// Explanation is a decision with its reason, the first scope that grants the
// request and the allow entry (normal form) that admits the object, each
// with its index in the list given (-1 and "" when there is none).
type Explanation struct {
	Allowed    bool
	Reason     Reason
	Scope      string
	ScopeIndex int
	Entry      string
	EntryIndex int
}

func index(i C.size_t) int {
	if i == ^C.size_t(0) {
		return -1
	}
	return int(i)
}

// Explain is Check with its reason, for logs and debugging (it costs more
// than Check). Like Check it passes the strings by pointer and length.
func (t *Token) Explain(resource, id, action string) Explanation {
	var ex C.authz_explanation
	C.authz_go_explain(t.handle(), strData(resource), C.size_t(len(resource)),
		strData(id), C.size_t(len(id)), strData(action), C.size_t(len(action)), &ex)
	runtime.KeepAlive(t)
	return Explanation{
		Allowed:    bool(ex.allowed),
		Reason:     Reason(ex.reason),
		Scope:      C.GoString(&ex.scope[0]),
		ScopeIndex: index(ex.scope_index),
		Entry:      C.GoString(&ex.allow[0]),
		EntryIndex: index(ex.allow_index),
	}
}

// ---- pre-resolved targets ---------------------------------------------------

// Target is a resource type and action resolved once against a catalog, for
// CheckTarget and CheckMany. The zero Target denies every check.
type Target struct {
	p *target
}

type target struct {
	c   *C.authz_target // C memory, freed by a finalizer
	cat *Catalog
}

// NewTarget resolves resource and action. For a name the catalog does not
// have it returns an error (ErrType, ErrAction) and a Target that denies.
func NewTarget(cat *Catalog, resource, action string) (Target, error) {
	cat = orCoder(cat)
	c := (*C.authz_target)(C.calloc(1, C.size_t(unsafe.Sizeof(C.authz_target{}))))
	if c == nil {
		panic("authz: out of memory")
	}
	tg := &target{c: c, cat: cat}
	runtime.SetFinalizer(tg, func(t *target) { C.free(unsafe.Pointer(t.c)) })
	rc := C.authz_target_resolve_n(cat.c, strData(resource), C.size_t(len(resource)),
		strData(action), C.size_t(len(action)), c)
	runtime.KeepAlive(cat)
	if rc != C.AUTHZ_OK {
		name := resource
		if rc == C.AUTHZ_EACTION {
			name = action
		}
		return Target{tg}, codeError(rc, "%q", name)
	}
	return Target{tg}, nil
}

func (tg Target) handle() C.uintptr_t {
	if tg.p == nil {
		return 0
	}
	return C.uintptr_t(uintptr(unsafe.Pointer(tg.p.c)))
}

// CheckTarget is Check for a resolved target: only the id is looked at. A
// target of another catalog than the token's denies.
func (t *Token) CheckTarget(tg Target, id string) bool {
	ok := C.authz_go_check_target(t.handle(), tg.handle(), strData(id), C.size_t(len(id)))
	runtime.KeepAlive(t)
	runtime.KeepAlive(tg.p)
	return bool(ok)
}

// batch is the scratch space of one CheckMany call, reused through a pool.
type batch struct {
	buf  []byte
	lens []C.size_t
}

var batches = sync.Pool{New: func() interface{} { return new(batch) }}

// CheckMany decides each id of a list endpoint in one cgo call: allowed[i]
// is CheckTarget(tg, ids[i]), "" being an object without an id. It returns
// how many are allowed; allowed must be at least as long as ids.
//
// The ids are packed into one reused Go buffer with their lengths (the cgo
// rules forbid handing C the Go pointers a []string holds) and a C loop
// calls authz_check_target on each: no allocation in the steady state, and
// an id is its exact bytes. authz_check_many would need the ids as
// NUL-terminated C strings, so a copy into C memory, an array of pointers
// and a scan for NUL bytes; run in alternation with this loop it was slower
// (bindings/go/README.md).
func (t *Token) CheckMany(tg Target, ids []string, allowed []bool) int {
	if len(allowed) < len(ids) {
		panic("authz: CheckMany: allowed is shorter than ids")
	}
	if len(ids) == 0 {
		return 0
	}
	b := batches.Get().(*batch)
	total := 0
	for _, id := range ids {
		total += len(id)
	}
	if cap(b.buf) < total+1 {
		b.buf = make([]byte, total+1+total/2)
	}
	if cap(b.lens) < len(ids) {
		b.lens = make([]C.size_t, len(ids)+len(ids)/2)
	}
	buf, lens := b.buf[:total+1], b.lens[:len(ids)]
	off := 0
	for i, id := range ids {
		off += copy(buf[off:], id)
		lens[i] = C.size_t(len(id))
	}
	n := C.authz_go_check_many(t.handle(), tg.handle(), (*C.char)(unsafe.Pointer(&buf[0])),
		&lens[0], C.size_t(len(ids)), (*C._Bool)(unsafe.Pointer(&allowed[0])))
	runtime.KeepAlive(t)
	runtime.KeepAlive(tg.p)
	batches.Put(b)
	return int(n)
}

// Granted says which objects a token may act on for one type and action.
type Granted int

// What GrantedIDs finds.
const (
	GrantedNone   Granted = C.AUTHZ_GRANTED_NONE   // no object
	GrantedAll    Granted = C.AUTHZ_GRANTED_ALL    // every object, with or without an id
	GrantedListed Granted = C.AUTHZ_GRANTED_LISTED // exactly the ids returned
)

// GrantedIDs is what a list endpoint asks before it queries: which objects
// of the target's type may the token act on? GrantedListed comes with the
// ids (canonical lower-case UUIDs, sorted); an id is listed exactly when
// CheckTarget allows it. One pass over the token's ids, not a check per row.
// A target of another catalog is an error (ErrInvalid).
func (t *Token) GrantedIDs(tg Target) (Granted, []string, error) {
	var which C.authz_granted
	var ids *C.authz_list
	var e C.authz_error
	var c *C.authz_target
	if tg.p != nil {
		c = tg.p.c
	}
	rc := C.authz_token_granted_ids(t.ptr(), c, &which, &ids, &e)
	runtime.KeepAlive(t)
	runtime.KeepAlive(tg.p)
	if rc != C.AUTHZ_OK {
		return GrantedNone, nil, errorFrom(&e)
	}
	return Granted(which), goList(ids), nil
}

// GrantedSQL is the same answer as an SQL predicate over column, for a
// list endpoint's WHERE clause: "1", "0" or "column IN ('<uuid>', ...)".
// column must be a plain identifier, optionally qualified once ("id",
// "w.id"); anything else is an error (ErrInvalid). The ids need no quoting.
func (t *Token) GrantedSQL(tg Target, column string) (string, error) {
	if strings.IndexByte(column, 0) >= 0 {
		return "", &Error{Code: ErrInvalid, Message: "granted SQL: the column holds a NUL byte"}
	}
	var c *C.authz_target
	if tg.p != nil {
		c = tg.p.c
	}
	col := C.CString(column)
	defer C.free(unsafe.Pointer(col))
	b, err := writeAll(t, 1, func(buf unsafe.Pointer, cap C.size_t, n *C.size_t) C.int {
		rc := C.authz_token_granted_sql(t.ptr(), c, col, (*C.char)(buf), cap, n)
		runtime.KeepAlive(tg.p)
		return rc
	})
	return string(b), err
}

// ---- forms ------------------------------------------------------------------

// writeAll calls a writer that reports ErrSpace with the length needed.
func writeAll(t *Token, extra int, w func(buf unsafe.Pointer, cap C.size_t, n *C.size_t) C.int) ([]byte, error) {
	buf := make([]byte, 512)
	for i := 0; i < 2; i++ {
		var n C.size_t
		rc := w(unsafe.Pointer(&buf[0]), C.size_t(len(buf)), &n)
		runtime.KeepAlive(t)
		if rc == C.AUTHZ_OK {
			return buf[:n], nil
		}
		if rc != C.AUTHZ_ESPACE {
			return nil, codeError(rc, "")
		}
		buf = make([]byte, int(n)+extra)
	}
	return nil, codeError(C.AUTHZ_ESPACE, "")
}

// String is the token's canonical text, the two lines `authz normalize`
// prints ("scopes: ...\nallow: ...\n"); "" for a closed token.
func (t *Token) String() string {
	b, err := writeAll(t, 1, func(buf unsafe.Pointer, cap C.size_t, n *C.size_t) C.int {
		return C.authz_token_text(t.ptr(), (*C.char)(buf), cap, n)
	})
	if err != nil {
		return ""
	}
	return string(b)
}

// Encode is the binary form (docs/FORMAT.md): versioned, canonical, tied to
// the catalog's fingerprint, checksummed.
func (t *Token) Encode() ([]byte, error) {
	return writeAll(t, 0, func(buf unsafe.Pointer, cap C.size_t, n *C.size_t) C.int {
		return C.authz_token_encode(t.ptr(), buf, cap, n)
	})
}

// EncodeText is the binary form as unpadded base64url text.
func (t *Token) EncodeText() (string, error) {
	b, err := writeAll(t, 1, func(buf unsafe.Pointer, cap C.size_t, n *C.size_t) C.int {
		return C.authz_token_encode_text(t.ptr(), (*C.char)(buf), cap, n)
	})
	return string(b), err
}

// Decode builds a token from its binary form, treating every byte as
// hostile; errors carry the byte offset (List ListEncoding).
func Decode(cat *Catalog, data []byte, opts ...Option) (*Token, error) {
	cat = orCoder(cat)
	co, err := cOptions(opts)
	if err != nil {
		return nil, err
	}
	var p unsafe.Pointer
	if len(data) > 0 {
		p = unsafe.Pointer(&data[0])
	}
	var e C.authz_error
	c := C.authz_token_decode_ex(cat.c, p, C.size_t(len(data)), &co, &e)
	if c == nil {
		return nil, errorFrom(&e)
	}
	return newToken(c, cat), nil
}

// DecodeText builds a token from the text EncodeText gives.
func DecodeText(cat *Catalog, text string, opts ...Option) (*Token, error) {
	cat = orCoder(cat)
	co, err := cOptions(opts)
	if err != nil {
		return nil, err
	}
	var e C.authz_error
	c := C.authz_token_decode_text(cat.c, strData(text), C.size_t(len(text)), &co, &e)
	if c == nil {
		return nil, errorFrom(&e)
	}
	return newToken(c, cat), nil
}

// Scopes are the token's scopes in normal form.
func (t *Token) Scopes() ([]string, error) {
	var e C.authz_error
	l := C.authz_token_scopes(t.ptr(), &e)
	runtime.KeepAlive(t)
	if l == nil {
		return nil, errorFrom(&e)
	}
	return goList(l), nil
}

// Allow is the token's allow list in normal form.
func (t *Token) Allow() ([]string, error) {
	var e C.authz_error
	l := C.authz_token_allow(t.ptr(), &e)
	runtime.KeepAlive(t)
	if l == nil {
		return nil, errorFrom(&e)
	}
	return goList(l), nil
}

// Catalog is the catalog the token was built from.
func (t *Token) Catalog() *Catalog { return t.cat }
