/*
 * base.h - what every private header uses: the public header, fixed-width
 * integers, and the inline and branch-hint macros.
 * Private: part of internal.h.
 */
#ifndef AUTHZ_BASE_H
#define AUTHZ_BASE_H

#include "authz.h"

#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define AZ_LIKELY(x) __builtin_expect(!!(x), 1)
#define AZ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define AZ_INLINE static inline __attribute__((always_inline))
#else
#define AZ_LIKELY(x) (x)
#define AZ_UNLIKELY(x) (x)
#define AZ_INLINE static inline
#endif

#endif /* AUTHZ_BASE_H */
