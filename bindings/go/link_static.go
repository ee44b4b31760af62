//go:build !authz_pkgconfig

package authz

// Inside the source tree: build/libauthz.a, which `make lib` builds (with
// -fPIC), linked statically; `make go` builds it first. Build with
// `-tags authz_pkgconfig` to link an installed libauthz found through
// pkg-config instead.

// #cgo CFLAGS: -I${SRCDIR}/../../include
// #cgo LDFLAGS: ${SRCDIR}/../../build/libauthz.a
import "C"
