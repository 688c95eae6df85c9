/* Reading bodies with jansson (the only file set that sees <jansson.h>): load
 * with the library's limits and error classes, decode the value forms of the
 * Nadm_Sec schemas, and free a tree after wiping the strings it held. */
#ifndef AIOTSEC_SBI_JSON_H
#define AIOTSEC_SBI_JSON_H

#include <jansson.h>

#include "sbi_internal.h"

/* Loads a body (duplicate members refused). Returns AIOTSEC_OK; AIOTSEC_E_LIMIT
 * (over AIOTSEC_SBI_BODY_MAX, 413); AIOTSEC_E_PARSE (empty or not JSON, 400);
 * AIOTSEC_E_BAD_VALUE (a duplicate member, 400); AIOTSEC_E_NO_MEMORY (500). With
 * pb non-NULL the problem is filled in on failure. */
int sbi_json_load(const char *body, size_t len, json_t **root, sbi_problem *pb);

/* Wipes every string value of the tree, then frees it (NULL is ignored). */
void sbi_json_free_wiped(json_t *root);

/* Value decoders: NULL on success, else a static reason for a ProblemDetails.
 * Hex: exactly min..max octets as 2*min..2*max hex digits, an even number. */
const char *sbi_dec_hex(const json_t *v, size_t min, size_t max, uint8_t *out, size_t *len);
/* Base64 (strict) of min..max octets. */
const char *sbi_dec_b64(const json_t *v, size_t min, size_t max, uint8_t *out, size_t *len);

/* "/name" or "/name/index" (index < 0: none) as a JSON pointer (RFC 6901 escapes);
 * 0, or -1 when it does not fit in cap (the caller names the parent instead). */
int sbi_pointer(char *out, size_t cap, const char *name, long index);

#endif
