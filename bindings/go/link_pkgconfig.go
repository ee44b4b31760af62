//go:build authz_pkgconfig

package authz

// #cgo pkg-config: authz
import "C"
