package authz_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"authz"
)

var codes = map[string]authz.Code{
	"ESYNTAX": authz.ErrSyntax, "ETYPE": authz.ErrType, "EACTION": authz.ErrAction,
	"ESCOPE": authz.ErrScope, "EUUID": authz.ErrUUID, "ELIMIT": authz.ErrLimit,
	"ETOOLONG": authz.ErrTooLong,
}

func mustToken(t testing.TB, scopes, allow []string, opts ...authz.Option) *authz.Token {
	t.Helper()
	tok, err := authz.NewToken(nil, scopes, allow, opts...)
	if err != nil {
		t.Fatalf("NewToken(%q, %q): %v", scopes, allow, err)
	}
	return tok
}

func TestDecisionTable(t *testing.T) {
	ds, err := decisions()
	if err != nil {
		t.Fatal(err)
	}
	allows := 0
	for _, d := range ds {
		d := d
		if d.allowed {
			allows++
		}
		t.Run(fmt.Sprintf("line%d", d.line), func(t *testing.T) {
			tok := mustToken(t, d.scopes, d.allow)
			defer tok.Close()
			if got := tok.Check(d.resource, d.id, d.action); got != d.allowed {
				t.Fatalf("Check(%q, %q, %q) = %v", d.resource, d.id, d.action, got)
			}
			ex := tok.Explain(d.resource, d.id, d.action)
			if ex.Allowed != d.allowed {
				t.Fatalf("Explain allowed %v", ex.Allowed)
			}
			if d.reason != "" && ex.Reason.String() != d.reason {
				t.Fatalf("reason %v, want %s", ex.Reason, d.reason)
			}
			if d.allowed {
				if ex.Reason != authz.ReasonAllowed || ex.ScopeIndex < 0 || ex.EntryIndex < 0 {
					t.Fatalf("allow explained as %+v", ex)
				}
				alone := mustToken(t, []string{ex.Scope}, []string{ex.Entry})
				if !alone.Check(d.resource, d.id, d.action) {
					t.Fatalf("%s / %s alone does not allow", ex.Scope, ex.Entry)
				}
				alone.Close()
			} else if ex.Reason == authz.ReasonAllowed || ex.Entry != "" || ex.EntryIndex != -1 {
				t.Fatalf("deny explained as %+v", ex)
			}
			tg, err := authz.NewTarget(nil, d.resource, d.action)
			if err != nil {
				var ae *authz.Error
				if !errors.As(err, &ae) || d.allowed {
					t.Fatalf("NewTarget: %v", err)
				}
				want := map[authz.Code]authz.Reason{authz.ErrType: authz.ReasonUnknownResource,
					authz.ErrAction: authz.ReasonUnknownAction}[ae.Code]
				if ex.Reason != want {
					t.Fatalf("NewTarget: %v, but the reason is %v", err, ex.Reason)
				}
			}
			// A target that failed to resolve denies.
			if got := tok.CheckTarget(tg, d.id); got != d.allowed {
				t.Fatalf("CheckTarget = %v", got)
			}
			allowed := []bool{!d.allowed, !d.allowed, !d.allowed}
			n := tok.CheckMany(tg, []string{d.id, W, d.id}, allowed)
			if allowed[0] != d.allowed || allowed[2] != d.allowed ||
				allowed[1] != tok.CheckTarget(tg, W) || n != count(allowed) {
				t.Fatalf("CheckMany = %d %v", n, allowed)
			}
			data, err := tok.Encode()
			if err != nil {
				t.Fatal(err)
			}
			back, err := authz.Decode(nil, data)
			if err != nil {
				t.Fatal(err)
			}
			if back.Check(d.resource, d.id, d.action) != d.allowed {
				t.Fatal("decoded token decides otherwise")
			}
			back.Close()
		})
	}
	// The table must not shrink unnoticed, nor be all one answer.
	if len(ds) < 120 || allows < 40 || len(ds)-allows < 40 {
		t.Fatalf("%d rows, %d allow", len(ds), allows)
	}
}

func count(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

func TestErrorTable(t *testing.T) {
	es, err := errorRows()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range es {
		r := r
		t.Run(fmt.Sprintf("line%d", r.line), func(t *testing.T) {
			code, ok := codes[r.code]
			if !ok {
				t.Fatalf("unknown code %s", r.code)
			}
			scopes := []string{"workspace:read", "template:*"}
			allow := []string{"workspace:" + W, "template:*"}
			list, name := authz.ListAllow, "allow"
			if r.scope {
				scopes = append(scopes, r.entry)
				list, name = authz.ListScopes, "scope"
			} else {
				allow = append(allow, r.entry)
			}
			tok, err := authz.NewToken(nil, scopes, allow)
			if err == nil {
				tok.Close()
				t.Fatalf("%q was accepted", r.entry)
			}
			var e *authz.Error
			if !errors.As(err, &e) {
				t.Fatalf("not an *authz.Error: %v", err)
			}
			if e.Code != code || e.List != list || e.Index != 2 || e.Offset != r.offset {
				t.Fatalf("code %d list %d index %d offset %d, want %d %d 2 %d: %s",
					e.Code, e.List, e.Index, e.Offset, code, list, r.offset, e.Message)
			}
			if !errors.Is(err, code) || (code != authz.ErrScope && errors.Is(err, authz.ErrScope)) {
				t.Fatalf("errors.Is does not follow the code: %v", err)
			}
			if !bytes.Contains([]byte(e.Message), []byte(name+"[2] \"")) {
				t.Fatalf("message %q", e.Message)
			}
			if r.scope {
				_, err = authz.NormalizeScopes(nil, scopes)
			} else {
				_, err = authz.NormalizeAllow(nil, allow)
			}
			if !errors.As(err, &e) || e.Code != code || e.Index != 2 || e.Offset != r.offset {
				t.Fatalf("normalize: %v", err)
			}
			if r.scope {
				err = authz.ValidateScope(nil, r.entry, false)
				if !errors.As(err, &e) || e.Code != code || e.Index != 0 || e.Offset != r.offset {
					t.Fatalf("ValidateScope: %v", err)
				}
			}
		})
	}
	if len(es) < 45 {
		t.Fatalf("%d rows", len(es))
	}
}

func TestErrors(t *testing.T) {
	_, err := authz.NewToken(nil, []string{"coder:all"},
		[]string{"*:*", "template:*", "workspace:" + W, "workspace:3f25-zz"})
	var e *authz.Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	want := authz.Error{Code: authz.ErrUUID, List: authz.ListAllow, Index: 3, Offset: 10,
		Message: `allow[3] "workspace:3f25-zz": invalid UUID at byte 10`}
	if *e != want || err.Error() != want.Message || !errors.Is(err, authz.ErrUUID) {
		t.Fatalf("%+v", *e)
	}
	if _, err := authz.NewToken(nil, []string{"debug_info:read"}, nil, authz.Public()); !errors.Is(err, authz.ErrNotPublic) {
		t.Fatal(err)
	}
	if err := authz.ValidateScope(nil, "debug_info:read", true); !errors.Is(err, authz.ErrNotPublic) {
		t.Fatal(err)
	}
	if err := authz.ValidateScope(nil, "debug_info:read", false); err != nil {
		t.Fatal(err)
	}
	many := make([]string, 129)
	for i := range many {
		many[i] = "workspace:*"
	}
	if _, err := authz.NewToken(nil, []string{"coder:all"}, many); !errors.Is(err, authz.ErrLimit) {
		t.Fatal(err)
	}
	mustToken(t, []string{"coder:all"}, many, authz.MaxAllow(200)).Close()
	if _, err := authz.NewToken(nil, nil, nil, authz.MaxAllow(0)); !errors.Is(err, authz.ErrInvalid) {
		t.Fatal(err)
	}
	if _, err := authz.ParseCatalog("type widget read\nbogus line\n"); !errors.As(err, &e) ||
		e.Code != authz.ErrCatalog || e.List != authz.ListCatalog || e.Line != 2 || e.Column < 1 {
		t.Fatalf("%v %+v", err, e)
	}
	if _, err := authz.NewTarget(nil, "workspacex", "read"); !errors.Is(err, authz.ErrType) {
		t.Fatal(err)
	}
	if _, err := authz.NewTarget(nil, "workspace", "fly"); !errors.Is(err, authz.ErrAction) {
		t.Fatal(err)
	}
	// A NUL byte is a byte like any other: in an entry, the library's error;
	// in a request, an unknown name or an id that is not a UUID.
	if _, err := authz.NewToken(nil, []string{"workspace:re\x00ad"}, nil); !errors.As(err, &e) ||
		e.Code != authz.ErrSyntax || e.Offset != 12 {
		t.Fatal(err)
	}
	tok := mustToken(t, []string{"coder:all"}, []string{"workspace:" + W})
	defer tok.Close()
	if tok.Check("workspace", W+"\x00", "read") || tok.Check("work\x00space", W, "read") {
		t.Fatal("a NUL byte allowed")
	}
	if ex := tok.Explain("workspace", W+"\x00", "read"); ex.Allowed || ex.Reason != authz.ReasonNotListed {
		t.Fatal(ex)
	}
	if ex := tok.Explain("work\x00space", W, "read"); ex.Allowed || ex.Reason != authz.ReasonUnknownResource {
		t.Fatal(ex)
	}
	if tg, err := authz.NewTarget(nil, "workspace\x00", "read"); !errors.Is(err, authz.ErrType) ||
		tok.CheckTarget(tg, W) {
		t.Fatal(err)
	}
}

func TestTokenForms(t *testing.T) {
	tok := mustToken(t, []string{"all", "workspace:read", "all"},
		[]string{"workspace:3F2504E0-4F89-41D3-9A0C-0305E82C3301", "workspace:*", "template:urn:uuid:" + W})
	defer tok.Close()
	if s := tok.String(); s != "scopes: coder:all workspace:read\nallow: template:"+W+" workspace:*\n" {
		t.Fatalf("%q", s)
	}
	if s, _ := tok.Scopes(); !reflect.DeepEqual(s, []string{"coder:all", "workspace:read"}) {
		t.Fatal(s)
	}
	if a, _ := tok.Allow(); !reflect.DeepEqual(a, []string{"template:" + W, "workspace:*"}) {
		t.Fatal(a)
	}
	data, err := tok.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := authz.Decode(nil, data)
	if err != nil || back.String() != tok.String() {
		t.Fatal(err)
	}
	text, err := tok.EncodeText()
	if err != nil {
		t.Fatal(err)
	}
	if back, err := authz.DecodeText(nil, text); err != nil || back.String() != tok.String() {
		t.Fatal(err)
	}
	bad := append([]byte(nil), data...)
	bad[len(bad)-1] ^= 1
	var e *authz.Error
	if _, err := authz.Decode(nil, bad); !errors.As(err, &e) || e.Code != authz.ErrChecksum || e.List != authz.ListEncoding {
		t.Fatal(err)
	}
	if _, err := authz.Decode(nil, nil); !errors.Is(err, authz.ErrFormat) {
		t.Fatal(err)
	}
	if _, err := authz.DecodeText(nil, "!!!"); !errors.As(err, &e) || e.List != authz.ListEncodingText {
		t.Fatal(err)
	}
	// Close: idempotent; a closed token denies.
	back.Close()
	back.Close()
	if back.Check("workspace", W, "read") || back.String() != "" {
		t.Fatal("a closed token allowed")
	}
	if ex := back.Explain("workspace", W, "read"); ex.Allowed || ex.Reason != authz.ReasonNullArgument {
		t.Fatal(ex)
	}
}

func TestCatalogs(t *testing.T) {
	c := authz.Coder()
	again, err := authz.ParseCatalog(c.Text())
	if err != nil || again.Fingerprint() != c.Fingerprint() || again.Text() != c.Text() {
		t.Fatal(err)
	}
	if len(c.Actions("workspace")) == 0 || c.Actions("nope") != nil || len(c.Types()) < 10 {
		t.Fatal("introspection")
	}
	cat, err := authz.ParseCatalog("type widget create read\n")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := authz.NewToken(cat, []string{"widget:read"}, []string{"widget:*"})
	if err != nil {
		t.Fatal(err)
	}
	cat = nil
	runtime.GC() // the token keeps its catalog alive
	runtime.GC()
	if !tok.Check("widget", W, "read") || tok.Check("workspace", W, "read") {
		t.Fatal("own catalog")
	}
	tg, _ := authz.NewTarget(nil, "workspace", "read")
	if tok.CheckTarget(tg, W) {
		t.Fatal("a target of another catalog allowed")
	}
	data, _ := tok.Encode()
	if _, err := authz.Decode(nil, data); !errors.Is(err, authz.ErrMismatch) {
		t.Fatal(err)
	}
	if back, err := authz.Decode(tok.Catalog(), data); err != nil || back.String() != tok.String() {
		t.Fatal(err)
	}
}

func TestGranted(t *testing.T) {
	tok := mustToken(t, []string{"workspace:read"}, []string{"workspace:" + strings.ToUpper(W), "*:" + T, "template:*"})
	read, _ := authz.NewTarget(nil, "workspace", "read")
	which, ids, err := tok.GrantedIDs(read)
	if err != nil || which != authz.GrantedListed || !reflect.DeepEqual(ids, []string{W, T}) {
		t.Fatal(which, ids, err)
	}
	if sql, err := tok.GrantedSQL(read, "w.id"); err != nil || sql != "w.id IN ('"+W+"', '"+T+"')" {
		t.Fatal(sql, err)
	}
	for _, id := range []string{W, T, "", "x", "00000000-0000-0000-0000-000000000000"} {
		if tok.CheckTarget(read, id) != (id == W || id == T) {
			t.Fatal(id)
		}
	}
	tread, _ := authz.NewTarget(nil, "template", "read")
	if which, ids, err := tok.GrantedIDs(tread); err != nil || which != authz.GrantedNone || len(ids) != 0 {
		t.Fatal(which, ids, err)
	}
	if sql, err := tok.GrantedSQL(tread, "id"); err != nil || sql != "0" {
		t.Fatal(sql, err)
	}
	admin := mustToken(t, []string{"coder:all"}, []string{"*:*"})
	if which, _, err := admin.GrantedIDs(read); err != nil || which != authz.GrantedAll {
		t.Fatal(which, err)
	}
	if sql, err := admin.GrantedSQL(read, "id"); err != nil || sql != "1" {
		t.Fatal(sql, err)
	}
	if _, err := tok.GrantedSQL(read, "1id; drop table x"); !errors.Is(err, authz.ErrInvalid) {
		t.Fatal(err)
	}
	if _, err := tok.GrantedSQL(read, "id\x00"); !errors.Is(err, authz.ErrInvalid) {
		t.Fatal(err)
	}
	var many []string
	for i := 0; i < 100; i++ {
		many = append(many, fmt.Sprintf("workspace:%08x-4f89-41d3-9a0c-0305e82c3301", i))
	}
	if sql, err := mustToken(t, []string{"workspace:read"}, many).GrantedSQL(read, "id"); err != nil || strings.Count(sql, "'") != 200 {
		t.Fatal(len(sql), err)
	}
	if _, _, err := tok.GrantedIDs(authz.Target{}); !errors.Is(err, authz.ErrInvalid) {
		t.Fatal(err)
	}
}

func TestSetOperations(t *testing.T) {
	eq := func(got []string, err error, want ...string) {
		t.Helper()
		if err != nil || len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
			t.Fatalf("%q %v, want %q", got, err, want)
		}
	}
	s, err := authz.NormalizeScopes(nil, []string{"all", "workspace:read", "all"})
	eq(s, err, "coder:all", "workspace:read")
	s, err = authz.NormalizeAllow(nil, []string{"workspace:" + W, "*:*"})
	eq(s, err, "*:*")
	s, err = authz.IntersectAllow(nil, []string{"*:" + W}, []string{"workspace:*"})
	eq(s, err, "workspace:"+W)
	s, err = authz.IntersectAllow(nil, []string{"template:*"}, []string{"workspace:" + W})
	eq(s, err)
	s, err = authz.UnionAllow(nil, []string{"workspace:" + W}, []string{"template:*"})
	eq(s, err, "template:*", "workspace:"+W)
	ok, missing, err := authz.Covers(nil, []string{"workspace:*"}, []string{"coder:workspaces.access"})
	if ok || err != nil || !reflect.DeepEqual(missing, []string{"organization_member:read", "template:read"}) {
		t.Fatal(ok, missing, err)
	}
	if ok, missing, err := authz.Covers(nil, []string{"workspace:*"}, []string{"workspace:ssh"}); !ok || len(missing) != 0 || err != nil {
		t.Fatal(ok, missing, err)
	}
	var e *authz.Error
	if _, _, err := authz.Covers(nil, []string{"workspace:*"}, []string{"bogus"}); !errors.As(err, &e) || e.List != authz.ListScopes2 {
		t.Fatal(err)
	}
	if _, err := authz.UnionAllow(nil, []string{"workspace:*"}, []string{"workspace:zz"}); !errors.As(err, &e) ||
		e.Code != authz.ErrUUID || e.List != authz.ListAllow2 {
		t.Fatal(err)
	}
}

// Goroutines share tokens and a target; run under -race.
func TestShared(t *testing.T) {
	tok := mustToken(t, []string{"workspace:read", "template:*"}, []string{"workspace:" + W, "template:*"})
	defer tok.Close()
	tg, err := authz.NewTarget(nil, "workspace", "read")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		r, id, a string
		want     bool
	}{{"workspace", W, "read", true}, {"workspace", T, "read", false},
		{"template", T, "update", true}, {"workspace", W, "ssh", false}, {"template", "", "create", true}}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			allowed := make([]bool, 3)
			for i := 0; i < 2000; i++ {
				for _, c := range cases {
					if tok.Check(c.r, c.id, c.a) != c.want {
						errs <- "Check " + c.r + " " + c.a
						return
					}
				}
				if n := tok.CheckMany(tg, []string{W, T, ""}, allowed); n != 1 || !allowed[0] || allowed[1] || allowed[2] {
					errs <- "CheckMany"
					return
				}
				if i%100 == 0 {
					if ex := tok.Explain("workspace", T, "read"); ex.Reason != authz.ReasonNotListed {
						errs <- "Explain"
						return
					}
					own := mustToken(t, []string{"workspace:read"}, []string{"workspace:" + W})
					if !own.Check("workspace", W, "read") {
						errs <- "own token"
					}
					own.Close()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// Tokens left to the finalizer are freed; nothing crashes when the GC runs
// them while other tokens are checked.
func TestFinalizer(t *testing.T) {
	keep := mustToken(t, []string{"coder:all"}, []string{"*:*"})
	for i := 0; i < 1000; i++ {
		tok := mustToken(t, []string{"workspace:read"}, []string{"workspace:" + W})
		if !tok.Check("workspace", W, "read") {
			t.Fatal("deny")
		}
	}
	runtime.GC()
	runtime.GC()
	if !keep.Check("workspace", W, "delete") {
		t.Fatal("deny")
	}
}

// CheckMany agrees with CheckTarget id by id, on lists long enough to grow
// its buffers and on ids with NUL bytes, spellings and no id.
func TestCheckManyAgrees(t *testing.T) {
	tok := mustToken(t, []string{"workspace:read"}, []string{"workspace:" + W, "*:" + T})
	tg, _ := authz.NewTarget(nil, "workspace", "read")
	var ids []string
	for i := 0; i < 300; i++ {
		ids = append(ids, W, T, "", W+"\x00", strings.ToUpper(W), "{"+T+"}", fmt.Sprint(i))
	}
	for _, n := range []int{1, 7, 64, len(ids)} {
		allowed := make([]bool, n+1)
		allowed[n] = true // past the ids: untouched
		got := tok.CheckMany(tg, ids[:n], allowed)
		want := 0
		for i, id := range ids[:n] {
			if allowed[i] != tok.CheckTarget(tg, id) {
				t.Fatalf("n=%d: id %q: %v", n, id, allowed[i])
			}
			if allowed[i] {
				want++
			}
		}
		if got != want || !allowed[n] {
			t.Fatalf("n=%d: %d allowed, want %d", n, got, want)
		}
	}
	if tok.CheckMany(authz.Target{}, ids[:3], make([]bool, 3)) != 0 {
		t.Fatal("the zero Target allowed")
	}
}

func TestCheckManyShortSlice(t *testing.T) {
	tok := mustToken(t, []string{"coder:all"}, []string{"*:*"})
	tg, _ := authz.NewTarget(nil, "workspace", "read")
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	tok.CheckMany(tg, []string{W, W}, make([]bool, 1))
}

func TestNoAllocations(t *testing.T) {
	tok := mustToken(t, []string{"workspace:read"}, []string{"workspace:" + W})
	tg, _ := authz.NewTarget(nil, "workspace", "read")
	ids := []string{W, T, W, ""}
	allowed := make([]bool, len(ids))
	r, id, a := "workspace", W, "read"
	if n := testing.AllocsPerRun(1000, func() { tok.Check(r, id, a) }); n != 0 {
		t.Errorf("Check: %v allocations", n)
	}
	if n := testing.AllocsPerRun(1000, func() { tok.CheckTarget(tg, id) }); n != 0 {
		t.Errorf("CheckTarget: %v allocations", n)
	}
	if n := testing.AllocsPerRun(1000, func() { tok.CheckMany(tg, ids, allowed) }); n != 0 {
		t.Errorf("CheckMany: %v allocations", n)
	}
}
