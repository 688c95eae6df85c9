/* HMAC-SHA-256 (RFC 2104) over one of the native SHA-256 paths.
 *
 * The state is plain data (no pointers): the inner running hash, the outer
 * midstate, a 64-octet buffer and a count. Right after hmac_init the running
 * hash IS the inner midstate, so a prepared key is copied with memcpy
 * (hmac_copy NULL) and the batch fast path reads both midstates directly. */
#include <string.h>

#include "aiotsec/status.h"
#include "native/native_internal.h"

/* Constant-time-irrelevant helper: wipes memory the compiler must not elide. */
void aiot_native_wipe(void *p, size_t len)
{
    if (p && len) {
        memset(p, 0, len);
        __asm__ __volatile__("" : : "r"(p) : "memory");
    }
}

static void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void aiot_native_digest_bytes(const uint32_t h[8], uint8_t out[32])
{
    for (unsigned i = 0; i < 8; i++)
        store_be32(out + 4 * i, h[i]);
}

int aiot_native_hmac_init_impl(const aiot_sha256_impl *impl, aiot_native_hmac *st,
                               const uint8_t *key, size_t key_len)
{
    uint8_t k[64];
    uint8_t pad[64];
    if (!st || (!key && key_len))
        return AIOTSEC_E_NULL_ARG;
    memset(k, 0, sizeof k);
    if (key_len > 64)
        aiot_sha256(impl, key, key_len, k); /* RFC 2104: long keys are hashed first */
    else if (key_len)
        memcpy(k, key, key_len);

    for (unsigned i = 0; i < 64; i++)
        pad[i] = (uint8_t)(k[i] ^ 0x36u);
    memcpy(st->h, aiot_sha256_iv, sizeof st->h);
    impl->compress(st->h, pad, 1);
    for (unsigned i = 0; i < 64; i++)
        pad[i] = (uint8_t)(k[i] ^ 0x5cu);
    memcpy(st->outer, aiot_sha256_iv, sizeof st->outer);
    impl->compress(st->outer, pad, 1);

    st->total = 64;
    st->buflen = 0;
    st->magic = AIOT_NATIVE_MAGIC;
    memset(st->buf, 0, sizeof st->buf);
    aiot_native_wipe(k, sizeof k);
    aiot_native_wipe(pad, sizeof pad);
    return AIOTSEC_OK;
}

int aiot_native_hmac_update_impl(const aiot_sha256_impl *impl, aiot_native_hmac *st,
                                 const uint8_t *data, size_t len)
{
    if (!st || (!data && len))
        return AIOTSEC_E_NULL_ARG;
    if (st->magic != AIOT_NATIVE_MAGIC || st->buflen >= 64)
        return AIOTSEC_E_BAD_STATE;
    st->total += len;
    if (st->buflen) {
        size_t take = 64 - st->buflen;
        if (take > len)
            take = len;
        memcpy(st->buf + st->buflen, data, take);
        st->buflen += (uint32_t)take;
        data += take;
        len -= take;
        if (st->buflen < 64)
            return AIOTSEC_OK;
        impl->compress(st->h, st->buf, 1);
        st->buflen = 0;
    }
    size_t full = len / 64;
    if (full) {
        impl->compress(st->h, data, full);
        data += full * 64;
        len -= full * 64;
    }
    if (len) {
        memcpy(st->buf, data, len);
        st->buflen = (uint32_t)len;
    }
    return AIOTSEC_OK;
}

/* Pads the buffered tail (the total count is in octets, including the key block). */
static void finish_hash(const aiot_sha256_impl *impl, uint32_t h[8], uint8_t *buf, size_t buflen,
                        uint64_t total)
{
    uint8_t last[128];
    memset(last, 0, sizeof last);
    if (buflen)
        memcpy(last, buf, buflen);
    last[buflen] = 0x80;
    size_t tail = buflen < 56 ? 64 : 128;
    uint64_t bits = total * 8u;
    for (unsigned i = 0; i < 8; i++)
        last[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
    impl->compress(h, last, tail / 64);
    aiot_native_wipe(last, sizeof last);
}

int aiot_native_hmac_final_impl(const aiot_sha256_impl *impl, aiot_native_hmac *st, uint8_t mac[32])
{
    uint8_t inner[32];
    if (!st || !mac)
        return AIOTSEC_E_NULL_ARG;
    if (st->magic != AIOT_NATIVE_MAGIC || st->buflen >= 64) {
        aiot_native_wipe(st, sizeof *st);
        return AIOTSEC_E_BAD_STATE;
    }
    finish_hash(impl, st->h, st->buf, st->buflen, st->total);
    aiot_native_digest_bytes(st->h, inner);
    finish_hash(impl, st->outer, inner, sizeof inner, 64 + 32);
    aiot_native_digest_bytes(st->outer, mac);
    aiot_native_wipe(inner, sizeof inner);
    aiot_native_wipe(st, sizeof *st);
    return AIOTSEC_OK;
}

/* Builds the single padded block of a message of len <= 55 octets that follows
 * one 64-octet block (the HMAC key block): msg || 0x80 || 0.. || bit length. */
void aiot_native_one_block(uint8_t blk[64], const uint8_t *msg, size_t len)
{
    memcpy(blk, msg, len);
    blk[len] = 0x80;
    memset(blk + len + 1, 0, 64 - len - 1 - 8);
    uint64_t bits = (uint64_t)(64 + len) * 8u;
    for (unsigned i = 0; i < 8; i++)
        blk[63 - i] = (uint8_t)(bits >> (8 * i));
}

int aiot_native_batch_impl(const aiot_sha256_impl *impl, const void *const *prepared,
                           const uint8_t *msgs, size_t msg_len, size_t n, uint8_t *macs)
{
    if (!n)
        return AIOTSEC_OK;
    if (!prepared || !macs || (!msgs && msg_len))
        return AIOTSEC_E_NULL_ARG;
    for (size_t i = 0; i < n; i++) {
        const aiot_native_hmac *p = prepared[i];
        if (!p)
            return AIOTSEC_E_NULL_ARG;
        if (p->magic != AIOT_NATIVE_MAGIC || p->total != 64 || p->buflen != 0)
            return AIOTSEC_E_BAD_STATE;
    }
    if (msg_len > 55) {
        /* Longer than one block: the general path, item by item. */
        aiot_native_hmac st;
        for (size_t i = 0; i < n; i++) {
            memcpy(&st, prepared[i], sizeof st);
            int rc = aiot_native_hmac_update_impl(impl, &st, msgs + i * msg_len, msg_len);
            if (rc == AIOTSEC_OK)
                rc = aiot_native_hmac_final_impl(impl, &st, macs + 32 * i);
            if (rc != AIOTSEC_OK) {
                aiot_native_wipe(&st, sizeof st);
                return rc;
            }
        }
        return AIOTSEC_OK;
    }
    /* Two compressions per MAC (inner and outer), two items at a time so the
     * two-stream path can interleave them. */
    uint8_t ba[64], bb[64], da[32], db[32];
    uint32_t ha[8], hb[8];
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        const aiot_native_hmac *pa = prepared[i], *pb = prepared[i + 1];
        memcpy(ha, pa->h, sizeof ha);
        memcpy(hb, pb->h, sizeof hb);
        aiot_native_one_block(ba, msgs + i * msg_len, msg_len);
        aiot_native_one_block(bb, msgs + (i + 1) * msg_len, msg_len);
        impl->compress2(ha, ba, hb, bb, 1);
        aiot_native_digest_bytes(ha, da);
        aiot_native_digest_bytes(hb, db);
        memcpy(ha, pa->outer, sizeof ha);
        memcpy(hb, pb->outer, sizeof hb);
        aiot_native_one_block(ba, da, 32);
        aiot_native_one_block(bb, db, 32);
        impl->compress2(ha, ba, hb, bb, 1);
        aiot_native_digest_bytes(ha, macs + 32 * i);
        aiot_native_digest_bytes(hb, macs + 32 * (i + 1));
    }
    if (i < n) {
        const aiot_native_hmac *pa = prepared[i];
        memcpy(ha, pa->h, sizeof ha);
        aiot_native_one_block(ba, msgs + i * msg_len, msg_len);
        impl->compress(ha, ba, 1);
        aiot_native_digest_bytes(ha, da);
        memcpy(ha, pa->outer, sizeof ha);
        aiot_native_one_block(ba, da, 32);
        impl->compress(ha, ba, 1);
        aiot_native_digest_bytes(ha, macs + 32 * i);
    }
    aiot_native_wipe(ba, sizeof ba);
    aiot_native_wipe(bb, sizeof bb);
    aiot_native_wipe(ha, sizeof ha);
    aiot_native_wipe(hb, sizeof hb);
    aiot_native_wipe(da, sizeof da);
    aiot_native_wipe(db, sizeof db);
    return AIOTSEC_OK;
}
