/**
 * @file export.h
 * @brief Symbol visibility and function attributes for the public API.
 *
 * Everything in the library is hidden by default (-fvisibility=hidden plus a
 * linker version script); only declarations marked ::AIOTSEC_API are exported.
 * @ingroup version
 */
#ifndef AIOTSEC_EXPORT_H
#define AIOTSEC_EXPORT_H

/** @addtogroup version
 * @{ */

/** @brief Marks a function as part of the exported API of libaiotsec. */
#if defined(AIOTSEC_BUILDING_LIBRARY) && defined(__GNUC__)
#define AIOTSEC_API __attribute__((visibility("default")))
#else
#define AIOTSEC_API
#endif

/** @brief The caller must look at the result (used on every verify function). */
#if defined(__GNUC__)
#define AIOTSEC_WUR __attribute__((warn_unused_result))
#else
#define AIOTSEC_WUR
#endif

/** @} */

#endif /* AIOTSEC_EXPORT_H */
