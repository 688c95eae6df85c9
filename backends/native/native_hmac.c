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
    uint8_t k[64], ipad[64], opad[64];
    if (!st || (!key && key_len))
        return AIOTSEC_E_NULL_ARG;
    memset(k, 0, sizeof k);
    if (key_len > 64)
        aiot_sha256(impl, key, key_len, k); /* RFC 2104: long keys are hashed first */
    else if (key_len)
        memcpy(k, key, key_len);
    for (unsigned i = 0; i < 64; i++) {
        ipad[i] = (uint8_t)(k[i] ^ 0x36u);
        opad[i] = (uint8_t)(k[i] ^ 0x5cu);
    }
    /* The inner and outer key blocks are independent: one two-stream call. */
    memcpy(st->h, aiot_sha256_iv, sizeof st->h);
    memcpy(st->outer, aiot_sha256_iv, sizeof st->outer);
    impl->compress2(st->h, ipad, st->outer, opad, 1);
    st->total = 64;
    st->buflen = 0;
    st->magic = AIOT_NATIVE_MAGIC;
    aiot_native_wipe(k, sizeof k);
    aiot_native_wipe(ipad, sizeof ipad);
    aiot_native_wipe(opad, sizeof opad);
    return AIOTSEC_OK;
}

int aiot_native_hmac_update_impl(const aiot_sha256_impl *impl, aiot_native_hmac *st,
                                 const uint8_t *data, size_t len)
{
    if (!st || (!data && len))
        return AIOTSEC_E_NULL_ARG;
    if (st->magic != AIOT_NATIVE_MAGIC || st->buflen >= 64)
        return AIOTSEC_E_BAD_STATE;
    if (!len)
        return AIOTSEC_OK;
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

/* Appends the padding (total = octets hashed, key block included) to the
 * buffered tail in buf and compresses the last one or two blocks. */
static void pad_and_compress(const aiot_sha256_impl *impl, uint32_t h[8], uint8_t buf[64], size_t buflen,
                             uint64_t total)
{
    buf[buflen++] = 0x80;
    if (buflen > 56) {
        memset(buf + buflen, 0, 64 - buflen);
        impl->compress(h, buf, 1);
        buflen = 0;
    }
    memset(buf + buflen, 0, 56 - buflen);
    uint64_t bits = total * 8u;
    for (unsigned i = 0; i < 8; i++)
        buf[63 - i] = (uint8_t)(bits >> (8 * i));
    impl->compress(h, buf, 1);
}

int aiot_native_hmac_final_impl(const aiot_sha256_impl *impl, aiot_native_hmac *st, uint8_t mac[32])
{
    if (!st || !mac)
        return AIOTSEC_E_NULL_ARG;
    if (st->magic != AIOT_NATIVE_MAGIC || st->buflen >= 64) {
        aiot_native_wipe(st, sizeof *st);
        return AIOTSEC_E_BAD_STATE;
    }
    if (impl->hmac1 && st->buflen <= 55) {
        /* The tail fits the last inner block: pad it in place, then the inner
         * and outer compressions in one call (the digest stays in registers). */
        st->buf[st->buflen] = 0x80;
        memset(st->buf + st->buflen + 1, 0, 55 - st->buflen);
        uint64_t bits = st->total * 8u;
        for (unsigned i = 0; i < 8; i++)
            st->buf[63 - i] = (uint8_t)(bits >> (8 * i));
        impl->hmac1(st->h, st->outer, st->buf, mac);
        aiot_native_wipe(st, sizeof *st);
        return AIOTSEC_OK;
    }
    pad_and_compress(impl, st->h, st->buf, st->buflen, st->total);
    /* The outer message is the inner digest: built in the (now free) buffer. */
    aiot_native_digest_bytes(st->h, st->buf);
    pad_and_compress(impl, st->outer, st->buf, 32, 64 + 32);
    aiot_native_digest_bytes(st->outer, mac);
    aiot_native_wipe(st, sizeof *st);
    return AIOTSEC_OK;
}

/* One-shot HMAC. A key of at most one block and a message that fits in one
 * block (<= 55 octets: every S of A.2/A.3 in every profile) take the fused
 * path: both key blocks in one two-stream call, then inner and outer back to back. */
int aiot_native_oneshot_impl(const aiot_sha256_impl *impl, const uint8_t *key, size_t key_len,
                             const uint8_t *msg, size_t msg_len, uint8_t mac[32])
{
    if ((!key && key_len) || (!msg && msg_len) || !mac)
        return AIOTSEC_E_NULL_ARG;
    if (!impl->hmac1 || key_len > 64 || msg_len > 55) {
        aiot_native_hmac st;
        int rc = aiot_native_hmac_init_impl(impl, &st, key, key_len);
        if (rc == AIOTSEC_OK)
            rc = aiot_native_hmac_update_impl(impl, &st, msg, msg_len);
        if (rc == AIOTSEC_OK)
            rc = aiot_native_hmac_final_impl(impl, &st, mac);
        aiot_native_wipe(&st, sizeof st);
        return rc;
    }
    uint8_t ipad[64], opad[64], blk[64];
    uint32_t in[8], out[8];
    memset(ipad, 0x36, sizeof ipad);
    memset(opad, 0x5c, sizeof opad);
    for (size_t i = 0; i < key_len; i++) {
        ipad[i] = (uint8_t)(key[i] ^ 0x36u);
        opad[i] = (uint8_t)(key[i] ^ 0x5cu);
    }
    memcpy(in, aiot_sha256_iv, sizeof in);
    memcpy(out, aiot_sha256_iv, sizeof out);
    impl->compress2(in, ipad, out, opad, 1);
    aiot_native_one_block(blk, msg, msg_len);
    impl->hmac1(in, out, blk, mac);
    aiot_native_wipe(ipad, sizeof ipad);
    aiot_native_wipe(opad, sizeof opad);
    aiot_native_wipe(in, sizeof in);
    aiot_native_wipe(out, sizeof out);
    return AIOTSEC_OK;
}

/* Builds the single padded block of a message of len <= 55 octets that follows
 * one 64-octet block (the HMAC key block): msg || 0x80 || 0.. || bit length. */
void aiot_native_one_block(uint8_t blk[64], const uint8_t *msg, size_t len)
{
    if (len) /* msg may be NULL when empty: memcpy must not see it */
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
    static const uint8_t no_msg[1];
    if (!msg_len)
        msgs = no_msg; /* empty messages: any valid pointer (memcpy must never see NULL) */
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
    /* Two compressions per MAC (inner and outer), several items at a time so
     * the wide paths can interleave them (two SHA-NI streams, eight AVX2 lanes). */
    uint8_t ba[64], bb[64], da[32], db[32];
    uint32_t ha[8], hb[8];
    aiot_native_one_block(ba, msgs, msg_len);
    memcpy(bb, ba, sizeof bb);
    size_t i = 0;
    if (impl->hmac8 || impl->hmac2) {
        /* keep/pad form the inner blocks in registers from 64 octets read at
         * each message. Reading past an item is fine while the 64 octets stay
         * inside msgs; items near the end go through a local copy. */
        uint8_t keep[64], pad[64], copy[8][64], spare[32];
        memset(keep, 0, sizeof keep);
        memset(keep, 0xFF, msg_len);
        memcpy(pad, ba, sizeof pad); /* the padded block with the message cleared */
        memset(pad, 0, msg_len);
        const uint8_t *end = msgs + n * msg_len;
        if (impl->hmac8) {
            for (; i < n; i += 8) {
                const uint32_t *in[8], *out[8];
                const uint8_t *m[8];
                uint8_t *mac[8];
                for (size_t l = 0; l < 8; l++) {
                    /* A short last group repeats its last item; those results are dropped. */
                    size_t j = i + l < n ? i + l : n - 1;
                    const aiot_native_hmac *p = prepared[j];
                    in[l] = p->h;
                    out[l] = p->outer;
                    m[l] = msgs + j * msg_len;
                    if ((size_t)(end - m[l]) < 64) {
                        memcpy(copy[l], m[l], msg_len);
                        m[l] = copy[l];
                    }
                    mac[l] = i + l < n ? macs + 32 * (i + l) : spare;
                }
                impl->hmac8(in, out, m, keep, pad, mac);
            }
        } else {
            for (; i < n; i += 2) {
                /* The odd one out is paired with itself, the copy discarded. */
                size_t j = i + 1 < n ? i + 1 : i;
                const aiot_native_hmac *pa = prepared[i], *pb = prepared[j];
                const uint8_t *ma = msgs + i * msg_len, *mb = msgs + j * msg_len;
                if ((size_t)(end - mb) < 64) {
                    memcpy(copy[0], ma, msg_len);
                    memcpy(copy[1], mb, msg_len);
                    ma = copy[0];
                    mb = copy[1];
                }
                impl->hmac2(pa->h, pa->outer, ma, pb->h, pb->outer, mb, keep, pad, macs + 32 * i,
                            j != i ? macs + 32 * j : spare);
            }
        }
        aiot_native_wipe(spare, sizeof spare);
    } else {
        for (; i < n; i += 2) {
            /* The odd one out is paired with itself. */
            size_t j = i + 1 < n ? i + 1 : i;
            const aiot_native_hmac *pa = prepared[i], *pb = prepared[j];
            memcpy(ha, pa->h, sizeof ha);
            memcpy(hb, pb->h, sizeof hb);
            memcpy(ba, msgs + i * msg_len, msg_len);
            memcpy(bb, msgs + j * msg_len, msg_len);
            impl->compress2(ha, ba, hb, bb, 1);
            aiot_native_digest_bytes(ha, da);
            aiot_native_digest_bytes(hb, db);
            memcpy(ha, pa->outer, sizeof ha);
            memcpy(hb, pb->outer, sizeof hb);
            uint8_t oa[64], ob[64];
            aiot_native_one_block(oa, da, 32);
            aiot_native_one_block(ob, db, 32);
            impl->compress2(ha, oa, hb, ob, 1);
            aiot_native_digest_bytes(ha, macs + 32 * i);
            aiot_native_digest_bytes(hb, macs + 32 * j);
            aiot_native_wipe(oa, sizeof oa);
            aiot_native_wipe(ob, sizeof ob);
        }
    }
    aiot_native_wipe(ba, sizeof ba);
    aiot_native_wipe(bb, sizeof bb);
    aiot_native_wipe(ha, sizeof ha);
    aiot_native_wipe(hb, sizeof hb);
    aiot_native_wipe(da, sizeof da);
    aiot_native_wipe(db, sizeof db);
    return AIOTSEC_OK;
}
