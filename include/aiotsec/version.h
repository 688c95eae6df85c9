/**
 * @file version.h
 * @brief Compile-time and run-time version of libaiotsec.
 * @ingroup version
 */
#ifndef AIOTSEC_VERSION_H
#define AIOTSEC_VERSION_H

/** @addtogroup version
 * @{ */

#include "aiotsec/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Major version; also the SONAME major (bumped only on an ABI break). */
#define AIOTSEC_VERSION_MAJOR 0
/** @brief Minor version: backwards-compatible additions. */
#define AIOTSEC_VERSION_MINOR 4
/** @brief Patch version: fixes only. */
#define AIOTSEC_VERSION_PATCH 1
/** @brief The version as a string literal. */
#define AIOTSEC_VERSION_STRING "0.4.1"
/** @brief The version as one number, MAJOR * 10000 + MINOR * 100 + PATCH. */
#define AIOTSEC_VERSION_NUMBER \
    (AIOTSEC_VERSION_MAJOR * 10000 + AIOTSEC_VERSION_MINOR * 100 + AIOTSEC_VERSION_PATCH)

/**
 * @brief Version of the library actually loaded, e.g. "0.1.0".
 * @return A static string; never NULL.
 */
AIOTSEC_API const char *aiotsec_version_string(void);

/**
 * @brief Version of the library actually loaded, as ::AIOTSEC_VERSION_NUMBER.
 * @return MAJOR * 10000 + MINOR * 100 + PATCH of the loaded library.
 */
AIOTSEC_API unsigned aiotsec_version_number(void);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_VERSION_H */
