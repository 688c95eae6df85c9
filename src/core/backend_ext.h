/* What a built-in backend offers beyond its public table: fast paths for the one
 * KDF string the ADM computes millions of times (RES_AIOT / XRES_AIOT), reached
 * through aiot_backend_ext_of() and never offered by a user's table. They are not
 * in aiotsec_backend because a new field there would grow aiotsec_ctx, whose size
 * firmware fixes at build time (AIOTSEC_CTX_STORAGE_SIZE). Internal header. */
#ifndef AIOT_BACKEND_EXT_H
#define AIOT_BACKEND_EXT_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/backend.h"
#include "aiotsec/batch.h"

typedef struct aiot_backend_ext {
    /* The out_len (1..32) least significant octets of the MAC of S_i = fc || p0[i] ||
     * 0x00 0x10 || p1[i] || 0x00 0x10 (a one-octet FC, two 16-octet RANDs: TS 33.220
     * B.2 as RES_AIOT takes it) under the compact key compact[i], to out + out_len * i:
     * XRES_AIOT written in place. Only 16 octets are read at p0[i] and p1[i], so the
     * caller lays nothing out. AIOTSEC_OK or a backend status. */
    int (*kdf_rand)(void *user, const void *const *compact, uint8_t fc, const uint8_t *const *p0,
                    const uint8_t *const *p1, size_t n, uint8_t *out, size_t out_len);
    /* NULL when this path has no item kernel. The same for n batch items read in
     * place (item i's compact key is the pointer at offset compact_off of its key
     * handle), each MAC's 16 least significant octets compared with the item's RES:
     * diffs[i] is 0 exactly when they match, a secret for aiot_ct_verdicts(). The
     * caller has checked every item (pointers, lengths, res_len 16). */
    void (*verify_items)(void *user, const aiotsec_batch_item *items, size_t n, size_t compact_off, uint8_t fc,
                         uint64_t *diffs);
} aiot_backend_ext;

/* The extension of the built-in backend whose operations `be` holds (a context's
 * copy of the table will do), or NULL. */
const aiot_backend_ext *aiot_backend_ext_of(const aiotsec_backend *be);

#endif
