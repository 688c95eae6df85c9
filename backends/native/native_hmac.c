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

void aiot_native_digest_bytes(const uint32_t h[8], uint8_t out[32])
{
    for (unsigned i = 0; i < 8; i++)
        aiot_store_be32(out + 4 * i, h[i]);
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

/* The compact form of a prepared key: its inner and outer midstates (16 host-order
 * words, the first 64 octets of the state). */
int aiot_native_compact_impl(void *compact, const void *state)
{
    const aiot_native_hmac *st = state;
    if (!compact || !st)
        return AIOTSEC_E_NULL_ARG;
    if (st->magic != AIOT_NATIVE_MAGIC || st->total != 64 || st->buflen != 0)
        return AIOTSEC_E_BAD_STATE;
    memcpy(compact, st->h, sizeof st->h);
    memcpy((uint8_t *)compact + sizeof st->h, st->outer, sizeof st->outer);
    return AIOTSEC_OK;
}

/* Messages of at most one block (msg_len <= 55), count of them, where 64 octets
 * are readable at each: the widest kernel the path has (eight lanes, three
 * streams or two). keep/pad as for aiot_sha256_impl.hmac2. */
static void batch_kernels(const aiot_sha256_impl *impl, const void *const *key, const uint8_t *msgs,
                          size_t msg_len, size_t count, const uint8_t keep[64], const uint8_t pad[64],
                          uint8_t *macs)
{
    if (impl->hmac3) {
        impl->hmac3(key, msgs, msg_len, count, keep, pad, macs);
        return;
    }
    uint8_t spare[32];
    if (impl->hmac8) {
        for (size_t i = 0; i < count; i += 8) {
            const uint32_t *in[8], *out[8];
            const uint8_t *m[8];
            uint8_t *mac[8];
            for (size_t l = 0; l < 8; l++) {
                /* A short last group repeats its last item; those results are dropped. */
                size_t j = i + l < count ? i + l : count - 1;
                const uint32_t *k = key[j];
                in[l] = k;
                out[l] = k + 8;
                m[l] = msgs + j * msg_len;
                mac[l] = i + l < count ? macs + 32 * (i + l) : spare;
            }
            impl->hmac8(in, out, m, keep, pad, mac);
        }
    } else {
        for (size_t i = 0; i < count; i += 2) {
            /* The odd one out is paired with itself, the copy discarded. */
            size_t j = i + 1 < count ? i + 1 : i;
            const uint32_t *ka = key[i], *kb = key[j];
            impl->hmac2(ka, ka + 8, msgs + i * msg_len, kb, kb + 8, msgs + j * msg_len, keep, pad,
                        macs + 32 * i, j != i ? macs + 32 * j : spare);
        }
    }
    aiot_native_wipe(spare, sizeof spare);
}

/* One-block messages on a path with a batch kernel. The kernels form the inner
 * blocks in registers from 64 octets read at each message (keep clears what
 * follows the message, pad adds the padding). Reading past an item is fine while
 * those 64 octets stay inside msgs; the last items, whose 64 octets would not
 * (fewer than 64 + msg_len octets of them), and the few before them that would
 * not fill a whole kernel group, go through a local copy followed by 64 readable
 * octets. */
static void batch_wide(const aiot_sha256_impl *impl, const void *const *key, const uint8_t *msgs,
                       size_t msg_len, size_t n, uint8_t *macs)
{
    /* Windows of 64 octets into fixed patterns: fixed-size copies, no loop. */
    static const uint8_t ones_then_zeros[128] = {
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    };
    static const uint8_t x80_at_64[128] = {[64] = 0x80};
    uint8_t keep[64], pad[64];
    memcpy(keep, ones_then_zeros + 64 - msg_len, 64); /* 0xFF over the message */
    memcpy(pad, x80_at_64 + 64 - msg_len, 64);        /* 0x80 right after it */
    uint64_t bits = (uint64_t)(64 + msg_len) * 8u;
    pad[62] = (uint8_t)(bits >> 8);
    pad[63] = (uint8_t)bits;
    size_t unsafe = 0; /* items at the end with fewer than 64 octets from their start to the end of msgs */
    while (unsafe < n && (unsafe + 1) * msg_len < 64)
        unsafe++;
    size_t group = impl->hmac8 ? 8 : impl->hmac3 ? 3 : 2;
    size_t direct = (n - unsafe) / group * group;
    if (direct)
        batch_kernels(impl, key, msgs, msg_len, direct, keep, pad, macs);
    if (direct < n) {
        /* (n - direct) * msg_len < 64 + (group - 1) * msg_len <= 64 + 7 * 55 octets. */
        size_t rest = n - direct, len = rest * msg_len;
        uint8_t tail[64 + 7 * 55 + 64];
        if (len)
            memcpy(tail, msgs + direct * msg_len, len);
        memset(tail + len, 0, 64);
        batch_kernels(impl, key + direct, tail, msg_len, rest, keep, pad, macs + 32 * direct);
        aiot_native_wipe(tail, len + 64);
    }
}

/* One-block messages on a path without a batch kernel: two compressions per MAC
 * (inner, outer), two items at a time through compress2. */
static void batch_pairs(const aiot_sha256_impl *impl, const void *const *key, const uint8_t *msgs,
                        size_t msg_len, size_t n, uint8_t *macs)
{
    uint8_t ba[64], bb[64], da[32], db[32], oa[64], ob[64];
    uint32_t ha[8], hb[8];
    aiot_native_one_block(ba, msgs, msg_len);
    memcpy(bb, ba, sizeof bb);
    for (size_t i = 0; i < n; i += 2) {
        /* The odd one out is paired with itself. */
        size_t j = i + 1 < n ? i + 1 : i;
        const uint32_t *ka = key[i], *kb = key[j];
        memcpy(ha, ka, sizeof ha);
        memcpy(hb, kb, sizeof hb);
        memcpy(ba, msgs + i * msg_len, msg_len);
        memcpy(bb, msgs + j * msg_len, msg_len);
        impl->compress2(ha, ba, hb, bb, 1);
        aiot_native_digest_bytes(ha, da);
        aiot_native_digest_bytes(hb, db);
        memcpy(ha, ka + 8, sizeof ha);
        memcpy(hb, kb + 8, sizeof hb);
        aiot_native_one_block(oa, da, 32);
        aiot_native_one_block(ob, db, 32);
        impl->compress2(ha, oa, hb, ob, 1);
        aiot_native_digest_bytes(ha, macs + 32 * i);
        aiot_native_digest_bytes(hb, macs + 32 * j);
    }
    aiot_native_wipe(ba, sizeof ba);
    aiot_native_wipe(bb, sizeof bb);
    aiot_native_wipe(oa, sizeof oa);
    aiot_native_wipe(ob, sizeof ob);
    aiot_native_wipe(ha, sizeof ha);
    aiot_native_wipe(hb, sizeof hb);
    aiot_native_wipe(da, sizeof da);
    aiot_native_wipe(db, sizeof db);
}

/* The batch core shared by full states and compact keys: key[i] points to 16
 * host-order words (inner midstate, outer midstate), already checked non-NULL;
 * n > 0 and msgs non-NULL unless msg_len is 0. */
static int batch_core(const aiot_sha256_impl *impl, const void *const *key, const uint8_t *msgs,
                      size_t msg_len, size_t n, uint8_t *macs)
{
    static const uint8_t no_msg[1];
    if (!msg_len)
        msgs = no_msg; /* empty messages: any valid pointer (memcpy must never see NULL) */
    if (msg_len <= 55) {
        if (impl->hmac3 || impl->hmac8 || impl->hmac2)
            batch_wide(impl, key, msgs, msg_len, n, macs);
        else
            batch_pairs(impl, key, msgs, msg_len, n, macs);
        return AIOTSEC_OK;
    }
    /* Longer than one block: the general path, item by item, from a state rebuilt
     * from the midstates (as hmac_init leaves it). */
    aiot_native_hmac st;
    int rc = AIOTSEC_OK;
    for (size_t i = 0; i < n && rc == AIOTSEC_OK; i++) {
        const uint32_t *k = key[i];
        memcpy(st.h, k, sizeof st.h);
        memcpy(st.outer, k + 8, sizeof st.outer);
        st.total = 64;
        st.buflen = 0;
        st.magic = AIOT_NATIVE_MAGIC;
        rc = aiot_native_hmac_update_impl(impl, &st, msgs + i * msg_len, msg_len);
        if (rc == AIOTSEC_OK)
            rc = aiot_native_hmac_final_impl(impl, &st, macs + 32 * i);
    }
    aiot_native_wipe(&st, sizeof st);
    return rc;
}

/* Batch over full states: each must be fresh from init (its first 64 octets are
 * then the compact form the core reads). */
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
    return batch_core(impl, prepared, msgs, msg_len, n, macs);
}

/* Batch over compact keys (aiot_native_compact_impl): nothing to validate but
 * the pointers. */
int aiot_native_batch_compact_impl(const aiot_sha256_impl *impl, const void *const *compact,
                                   const uint8_t *msgs, size_t msg_len, size_t n, uint8_t *macs)
{
    if (!n)
        return AIOTSEC_OK;
    if (!compact || !macs || (!msgs && msg_len))
        return AIOTSEC_E_NULL_ARG;
    for (size_t i = 0; i < n; i++)
        if (!compact[i])
            return AIOTSEC_E_NULL_ARG;
    return batch_core(impl, compact, msgs, msg_len, n, macs);
}
