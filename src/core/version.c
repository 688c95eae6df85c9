/* The run-time version: what the loaded library is, whatever the caller compiled against. */
#include "aiotsec/version.h"

const char *aiotsec_version_string(void)
{
    return AIOTSEC_VERSION_STRING;
}

unsigned aiotsec_version_number(void)
{
    return AIOTSEC_VERSION_NUMBER;
}
