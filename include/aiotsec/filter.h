/**
 * @file filter.h
 * @brief AiotFilteringInformation (spec 6.2): the group a paging addresses.
 *
 * TS 29.571 defines AiotFilteringInformation as an octet string; its structure
 * was not available, so profile 0 encodes it as the profile's
 * @c filter_encoding ::AIOTSEC_FILTER_PREFIX_BITS says: octet 0 is a prefix
 * length in bits, 1..255; then exactly ceil(length / 8) octets of prefix, whose
 * unused low-order bits in the last octet are 0. A device matches when the
 * first @c length bits of its Permanent Identifier equal the prefix; a
 * Permanent Identifier shorter than the prefix never matches. Any other form
 * is malformed (::AIOTSEC_E_BAD_FILTER).
 *
 * In byte-lexicographic order (memcmp over the shorter length, then the
 * shorter first), the Permanent Identifiers a filter matches are contiguous:
 * aiotsec_filter_compare() tells a sorted key store where that range is, so a
 * filter costs a range scan, not a scan of the store.
 *
 * Every function here is pure: no allocation, no state, constant-size stack.
 * @ingroup filter
 */
#ifndef AIOTSEC_FILTER_H
#define AIOTSEC_FILTER_H

/** @addtogroup filter
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/export.h"
#include "aiotsec/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Largest AiotFilteringInformation in octets: the length octet and 32 octets of prefix. */
#define AIOTSEC_FILTER_MAX 33u
/** @brief Longest prefix a filter can carry, in bits. */
#define AIOTSEC_FILTER_BITS_MAX 255u

/**
 * @brief Checks that an AiotFilteringInformation is well formed.
 * @param profile The profile (its filter encoding); NULL for profile 0.
 * @param filter The encoded filter.
 * @param filter_len Its length in octets.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_FILTER.
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_filter_check(const aiotsec_profile *profile, const uint8_t *filter,
                                                 size_t filter_len);

/**
 * @brief Whether a Permanent Identifier matches a filter.
 * @param profile The profile; NULL for profile 0.
 * @param filter The encoded filter.
 * @param filter_len Its length.
 * @param perm_id The Permanent Identifier.
 * @param perm_id_len Its length (1..64; other lengths never match).
 * @param[out] match Receives 1 when it matches, 0 when not.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_FILTER (then *match is 0).
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_filter_match(const aiotsec_profile *profile, const uint8_t *filter,
                                                 size_t filter_len, const uint8_t *perm_id,
                                                 size_t perm_id_len, int *match);

/**
 * @brief Where a Permanent Identifier sorts relative to the identifiers a filter matches.
 *
 * For a key store kept in byte-lexicographic order: the matching identifiers
 * are those with @p order 0, and every identifier before them has @p order < 0,
 * every one after them @p order > 0 (two binary searches find the range).
 * @param profile The profile; NULL for profile 0.
 * @param filter The encoded filter.
 * @param filter_len Its length.
 * @param perm_id The Permanent Identifier.
 * @param perm_id_len Its length.
 * @param[out] order Receives -1, 0 (it matches) or 1.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_FILTER.
 */
AIOTSEC_API int aiotsec_filter_compare(const aiotsec_profile *profile, const uint8_t *filter,
                                       size_t filter_len, const uint8_t *perm_id,
                                       size_t perm_id_len, int *order);

/**
 * @brief Encodes the filter that matches every identifier starting with a bit prefix.
 * @param profile The profile; NULL for profile 0.
 * @param prefix The prefix octets (its first @p prefix_bits bits are used; the rest is ignored).
 * @param prefix_bits Prefix length in bits, 1..255.
 * @param[out] out Receives the filter (1 + ceil(prefix_bits / 8) octets).
 * @param cap Capacity of @p out (::AIOTSEC_FILTER_MAX is always enough).
 * @param[out] out_len Receives the length.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH (@p prefix_bits)
 *         or ::AIOTSEC_E_BUFFER_TOO_SMALL.
 */
AIOTSEC_API int aiotsec_filter_make(const aiotsec_profile *profile, const uint8_t *prefix,
                                    size_t prefix_bits, uint8_t *out, size_t cap, size_t *out_len);

/**
 * @brief The prefix length in bits of a well-formed filter.
 * @param profile The profile; NULL for profile 0.
 * @param filter The encoded filter.
 * @param filter_len Its length.
 * @param[out] bits Receives 1..255.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_FILTER.
 */
AIOTSEC_API int aiotsec_filter_bits(const aiotsec_profile *profile, const uint8_t *filter,
                                    size_t filter_len, size_t *bits);

/**
 * @brief Largest AiotFilteringInformation in octets (for bindings).
 * @return ::AIOTSEC_FILTER_MAX.
 */
AIOTSEC_API size_t aiotsec_filter_maxbytes(void);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_FILTER_H */
