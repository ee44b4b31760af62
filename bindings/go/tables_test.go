package authz_test

// Readers for tests/data/decisions.txt and errors.txt, interpreted as
// tests/check_check.c and tests/check_token.c do: fields split on "|" and
// trimmed; lists split on "," ("(empty)" is an empty list); $W and $T are
// the two ids of docs/SPEC.md 7; \xHH is a byte; id "(none)" is "" (Go has
// no NULL string: "(null)" is "" too, which the library treats alike);
// resource "(unknown)" is "x"; entry "(blank)" is "".

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

const (
	W = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
	T = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
)

var reasons = map[string]bool{"allowed": true, "null_argument": true,
	"unknown_resource": true, "unknown_action": true, "empty_scopes": true,
	"no_grant": true, "empty_allow": true, "not_listed": true}

var escape = regexp.MustCompile(`\\x[0-9a-fA-F]{2}|\$[WT]`)

func unescape(s string) string {
	return escape.ReplaceAllStringFunc(s, func(m string) string {
		switch m {
		case "$W":
			return W
		case "$T":
			return T
		}
		b, _ := strconv.ParseUint(m[2:], 16, 8)
		return string([]byte{byte(b)})
	})
}

func dataFile(name string) string {
	top := os.Getenv("AUTHZ_SOURCE_DIR")
	if top == "" {
		top = filepath.Join("..", "..")
	}
	return filepath.Join(top, "tests", "data", name)
}

type row struct {
	line   int
	fields []string
}

func rows(name string) ([]row, error) {
	text, err := os.ReadFile(dataFile(name))
	if err != nil {
		return nil, err
	}
	var out []row
	for i, line := range strings.Split(string(text), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "|")
		for j := range f {
			f[j] = strings.Trim(f[j], " \t")
		}
		out = append(out, row{i + 1, f})
	}
	return out, nil
}

func list(field string) []string {
	if field == "(empty)" {
		return nil
	}
	parts := strings.Split(field, ",")
	for i := range parts {
		parts[i] = unescape(strings.Trim(parts[i], " \t"))
	}
	return parts
}

type decision struct {
	line                 int
	scopes, allow        []string
	resource, id, action string
	allowed              bool
	reason               string // "" when the table has no reason column
}

func decisions() ([]decision, error) {
	rs, err := rows("decisions.txt")
	if err != nil {
		return nil, err
	}
	var out []decision
	for _, r := range rs {
		f := r.fields
		if len(f) != 6 && len(f) != 7 {
			return nil, fmt.Errorf("decisions.txt:%d: %d columns, want 6 or 7", r.line, len(f))
		}
		d := decision{line: r.line, scopes: list(f[0]), allow: list(f[1]),
			resource: unescape(f[2]), id: unescape(f[3]), action: unescape(f[4])}
		if f[2] == "(unknown)" {
			d.resource = "x"
		}
		if f[3] == "(none)" || f[3] == "(null)" {
			d.id = ""
		}
		switch f[5] {
		case "allow":
			d.allowed = true
		case "deny":
		default:
			return nil, fmt.Errorf("decisions.txt:%d: expect %q", r.line, f[5])
		}
		if len(f) == 7 {
			if !reasons[f[6]] {
				return nil, fmt.Errorf("decisions.txt:%d: reason %q", r.line, f[6])
			}
			d.reason = f[6]
		}
		out = append(out, d)
	}
	return out, nil
}

type errorRow struct {
	line        int
	scope       bool
	entry, code string
	offset      int
}

func errorRows() ([]errorRow, error) {
	rs, err := rows("errors.txt")
	if err != nil {
		return nil, err
	}
	var out []errorRow
	for _, r := range rs {
		f := r.fields
		if len(f) != 4 || (f[0] != "scope" && f[0] != "allow") {
			return nil, fmt.Errorf("errors.txt:%d: malformed row", r.line)
		}
		off, err := strconv.Atoi(f[3])
		if err != nil {
			return nil, fmt.Errorf("errors.txt:%d: %v", r.line, err)
		}
		e := errorRow{line: r.line, scope: f[0] == "scope", entry: unescape(f[1]), code: f[2], offset: off}
		if f[1] == "(blank)" {
			e.entry = ""
		}
		out = append(out, e)
	}
	return out, nil
}
