/*
 * version.c - the version of the library actually linked.
 */
#include "internal.h"

const char *authz_version(void)
{
    return AUTHZ_VERSION_STRING;
}

unsigned authz_version_number(void)
{
    return AUTHZ_VERSION_NUMBER;
}
