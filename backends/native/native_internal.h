/* Internals shared by the files of the native backend. */
#ifndef AIOT_NATIVE_INTERNAL_H
#define AIOT_NATIVE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "native/native.h"

/* Marks an initialised state, so a zeroed or finalised one is refused. */
#define AIOT_NATIVE_MAGIC 0x4e415456u

/* The HMAC state: plain data, valid to copy with memcpy. Right after init,
 * h is the inner midstate (total == 64, buflen == 0). */
typedef struct aiot_native_hmac {
    uint32_t h[8];     /* running inner hash */
    uint32_t outer[8]; /* outer midstate: SHA-256 state after K ^ opad */
    uint64_t total;    /* octets absorbed by the inner hash, key block included */
    uint32_t buflen;   /* octets waiting in buf, < 64 */
    uint32_t magic;    /* AIOT_NATIVE_MAGIC while the state is live */
    uint8_t buf[64];
} aiot_native_hmac;

void aiot_native_wipe(void *p, size_t len);
void aiot_native_digest_bytes(const uint32_t h[8], uint8_t out[32]);
void aiot_native_one_block(uint8_t blk[64], const uint8_t *msg, size_t len);

int aiot_native_hmac_init_impl(const aiot_sha256_impl *impl, aiot_native_hmac *st,
                               const uint8_t *key, size_t key_len);
int aiot_native_hmac_update_impl(const aiot_sha256_impl *impl, aiot_native_hmac *st,
                                 const uint8_t *data, size_t len);
int aiot_native_hmac_final_impl(const aiot_sha256_impl *impl, aiot_native_hmac *st, uint8_t mac[32]);
int aiot_native_oneshot_impl(const aiot_sha256_impl *impl, const uint8_t *key, size_t key_len,
                             const uint8_t *msg, size_t msg_len, uint8_t mac[32]);
/* The batch over prepared states (each validated), and over compact keys: 16
 * host-order words each, the inner then the outer midstate, exactly the first 64
 * octets of a state after init (aiot_native_compact_impl writes them). Both run
 * the same core. */
int aiot_native_batch_impl(const aiot_sha256_impl *impl, const void *const *prepared,
                           const uint8_t *msgs, size_t msg_len, size_t n, uint8_t *macs);
#define AIOT_NATIVE_COMPACT_SIZE 64u
int aiot_native_compact_impl(void *compact, const void *state);
int aiot_native_batch_compact_impl(const aiot_sha256_impl *impl, const void *const *compact,
                                   const uint8_t *msgs, size_t msg_len, size_t n, uint8_t *macs);
/* The extension's kdf_rand (core/backend_ext.h) on a path with kdf3 (native_kdf.c). */
int aiot_native_kdf_rand_impl(const aiot_sha256_impl *impl, const void *const *compact, uint8_t fc,
                              const uint8_t *const *p0, const uint8_t *const *p1, size_t n, uint8_t *out,
                              size_t out_len);

#endif
