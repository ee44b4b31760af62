/*
 * internal.h - private structures shared by the library's modules.
 *
 * Data flows one way: catalog text -> catalog (catalog_parse.c, catalog.c);
 * scope and allow strings -> token (scope.c, allow.c, token.c); token ->
 * decision (check.c). Nothing here is API.
 */
#ifndef AUTHZ_INTERNAL_H
#define AUTHZ_INTERNAL_H

/* One private header per subsystem; the check path's inline code is in
 * hot.h. */
#include "base.h"
#include "catalog.h"
#include "uuid.h"
#include "errors.h"
#include "token.h"
#include "hot.h"
#include "list.h"
#include "canon.h"

#endif /* AUTHZ_INTERNAL_H */
