package authz

// #include <authz.h>
import "C"

import "fmt"

// Code is the class of an error: one of the AUTHZ_E* codes of authz.h. Each
// code is also a sentinel error, for errors.Is:
//
//	if errors.Is(err, authz.ErrScope) { ... }
type Code int

// The library's error codes.
const (
	ErrInvalid   Code = C.AUTHZ_EINVAL     // NULL or invalid argument, unknown option
	ErrNoMem     Code = C.AUTHZ_ENOMEM     // an allocation failed
	ErrSyntax    Code = C.AUTHZ_ESYNTAX    // malformed entry
	ErrType      Code = C.AUTHZ_ETYPE      // unknown resource type
	ErrAction    Code = C.AUTHZ_EACTION    // unknown action for that type
	ErrScope     Code = C.AUTHZ_ESCOPE     // unknown named scope
	ErrUUID      Code = C.AUTHZ_EUUID      // allow-list id neither * nor a UUID
	ErrLimit     Code = C.AUTHZ_ELIMIT     // too many entries
	ErrTooLong   Code = C.AUTHZ_ETOOLONG   // an entry longer than allowed
	ErrCatalog   Code = C.AUTHZ_ECATALOG   // catalog text does not parse
	ErrNotPublic Code = C.AUTHZ_ENOTPUBLIC // a scope a token may not request
	ErrFormat    Code = C.AUTHZ_EFORMAT    // encoded token: malformed
	ErrVersion   Code = C.AUTHZ_EVERSION   // encoded token: unsupported version
	ErrMismatch  Code = C.AUTHZ_EMISMATCH  // encoded token: another catalog
	ErrChecksum  Code = C.AUTHZ_ECHECKSUM  // encoded token: integrity check failed
	ErrSpace     Code = C.AUTHZ_ESPACE     // output buffer too small
)

// Error is the library's description of the code ("invalid UUID").
func (c Code) Error() string { return C.GoString(C.authz_strerror(C.int(c))) }

// List says which input an error is about.
type List int

// The lists an error can point at.
const (
	ListNone         List = C.AUTHZ_LIST_NONE          // an argument or option
	ListScopes       List = C.AUTHZ_LIST_SCOPES        // the scope list
	ListAllow        List = C.AUTHZ_LIST_ALLOW         // the allow list
	ListCatalog      List = C.AUTHZ_LIST_CATALOG       // catalog text (Line, Column)
	ListScopes2      List = C.AUTHZ_LIST_SCOPES2       // Covers: want
	ListAllow2       List = C.AUTHZ_LIST_ALLOW2        // IntersectAllow, UnionAllow: b
	ListEncoding     List = C.AUTHZ_LIST_ENCODING      // an encoded token
	ListEncodingText List = C.AUTHZ_LIST_ENCODING_TEXT // its base64url text
)

// Error is an error reported by libauthz: what went wrong (Code), in which
// list, at which entry (Index, from 0) and at which byte of it (Offset,
// from 0); Line and Column (from 1) for catalog text. Message is the
// library's message, which quotes the entry:
//
//	allow[3] "workspace:3f25-zz": invalid UUID at byte 10
//
// Use errors.As to read the fields, errors.Is with a Code to test the class.
type Error struct {
	Code    Code
	List    List
	Index   int
	Offset  int
	Line    int
	Column  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// Unwrap gives the Code, so that errors.Is(err, authz.ErrUUID) works.
func (e *Error) Unwrap() error { return e.Code }

func errorFrom(e *C.authz_error) error {
	if e.code == C.AUTHZ_OK {
		return nil
	}
	return &Error{
		Code:    Code(e.code),
		List:    List(e.list),
		Index:   int(e.index),
		Offset:  int(e.offset),
		Line:    int(e.line),
		Column:  int(e.column),
		Message: C.GoString(&e.message[0]),
	}
}

// codeError is an error that the library reports by code alone.
func codeError(code C.int, format string, args ...interface{}) error {
	msg := Code(code).Error()
	if format != "" {
		msg += " " + fmt.Sprintf(format, args...)
	}
	return &Error{Code: Code(code), Message: msg}
}
