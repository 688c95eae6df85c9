/* The portable backend: HMAC-SHA-256 (RFC 2104 over FIPS 180-4) on the small
 * SHA-256 of sha256_small.c, AES-128 (aes128_small.c) when built in, no random
 * source. Plain C11: no operating system call, no allocation, no global state.
 *
 * The HMAC state is plain data (no pointer): the running inner hash, the outer
 * midstate, a 64-octet buffer and a 32-bit count. Right after hmac_init the
 * running hash IS the inner midstate, so a prepared key is copied with memcpy
 * (hmac_copy NULL). The key blocks are built in the state's own buffer, so the
 * stack holds no key pad. */
#include <string.h>

#include "aiotsec/status.h"
#include "portable/portable_internal.h"

_Static_assert(sizeof(aiot_portable_hmac) == AIOTSEC_PORTABLE_HMAC_STATE_SIZE,
               "AIOTSEC_PORTABLE_HMAC_STATE_SIZE is the size of the HMAC state");
_Static_assert(sizeof(aiot_portable_hmac) <= AIOTSEC_BACKEND_STATE_MAX,
               "AIOTSEC_BACKEND_STATE_MAX must hold the portable HMAC state");
#if AIOT_PORTABLE_HAVE_AES
_Static_assert(sizeof(aiot_portable_aes) == AIOTSEC_PORTABLE_AES_STATE_SIZE,
               "AIOTSEC_PORTABLE_AES_STATE_SIZE is the size of the AES state");
_Static_assert(sizeof(aiot_portable_aes) <= AIOTSEC_BACKEND_STATE_MAX,
               "AIOTSEC_BACKEND_STATE_MAX must hold the portable AES state (-DAIOTSEC_WITH_AES)");
#endif

static void wipe(void *p, size_t len)
{
    memset(p, 0, len);
    __asm__ __volatile__("" : : "r"(p) : "memory");
}

static void digest_bytes(const uint32_t h[8], uint8_t out[32])
{
    for (unsigned i = 0; i < 8; i++)
        aiot_store_be32(out + 4 * i, h[i]);
}

/* Pads the n octets waiting in buf (n < 64) for a message of total octets and
 * compresses the last one or two blocks into h. */
static void finish(uint32_t h[8], uint8_t buf[64], uint32_t n, uint32_t total)
{
    n %= 64; /* already so: says it to the reader and to the analysers */
    memset(buf + n, 0, 64 - n);
    buf[n] = 0x80;
    if (n >= 56) { /* no room for the length: one more block */
        aiot_portable_sha256_compress(h, buf, 1);
        memset(buf, 0, 56);
    }
    aiot_store_be32(buf + 56, total >> 29); /* the length in bits, 64 bits big-endian */
    aiot_store_be32(buf + 60, total << 3);
    aiot_portable_sha256_compress(h, buf, 1);
}

/* Absorbs len octets into the running hash h (total counts them; octets that do
 * not fill a block wait in buf). */
static void absorb(aiot_portable_hmac *st, const uint8_t *data, size_t len)
{
    while (len) {
        uint32_t have = st->total % 64;
        if (!have && len >= 64) { /* whole blocks straight from the input */
            size_t n = len / 64;
            aiot_portable_sha256_compress(st->h, data, n);
            st->total += (uint32_t)(n * 64);
            data += n * 64;
            len -= n * 64;
            continue;
        }
        size_t take = 64 - have < len ? 64 - have : len;
        memcpy(st->buf + have, data, take);
        st->total += (uint32_t)take;
        data += take;
        len -= take;
        if (st->total % 64 == 0)
            aiot_portable_sha256_compress(st->h, st->buf, 1);
    }
}

static int p_hmac_init(void *user, void *state, const uint8_t *key, size_t key_len)
{
    (void)user;
    aiot_portable_hmac *st = state;
    if (!st || (!key && key_len))
        return AIOTSEC_E_NULL_ARG;
    if (key_len > 0xFFFFFFFFu - 64u)
        return AIOTSEC_E_BAD_LENGTH;
    memcpy(st->h, aiot_sha256_iv, sizeof st->h);
    memset(st->buf, 0, 64);
    st->total = 0;
    if (key_len > 64) {
        /* RFC 2104: a key longer than the block is hashed first (into buf). */
        absorb(st, key, key_len);
        finish(st->h, st->buf, st->total % 64, st->total);
        digest_bytes(st->h, st->buf);
        memset(st->buf + 32, 0, 32);
        memcpy(st->h, aiot_sha256_iv, sizeof st->h);
        key_len = 0;
    }
    if (key_len)
        memcpy(st->buf, key, key_len);
    /* K ^ ipad into the inner hash, then K ^ opad (= K ^ ipad ^ 0x6a) into the outer. */
    memcpy(st->outer, aiot_sha256_iv, sizeof st->outer);
    for (unsigned pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < 64; i++)
            st->buf[i] ^= pass ? 0x36u ^ 0x5cu : 0x36u;
        aiot_portable_sha256_compress(pass ? st->outer : st->h, st->buf, 1);
    }
    wipe(st->buf, sizeof st->buf);
    st->total = 64;
    st->magic = AIOT_PORTABLE_MAGIC;
    return AIOTSEC_OK;
}

static int p_hmac_update(void *user, void *state, const uint8_t *data, size_t len)
{
    (void)user;
    aiot_portable_hmac *st = state;
    if (!st || (!data && len))
        return AIOTSEC_E_NULL_ARG;
    if (st->magic != AIOT_PORTABLE_MAGIC)
        return AIOTSEC_E_BAD_STATE;
    if (len > 0xFFFFFFFFu - st->total)
        return AIOTSEC_E_BAD_LENGTH;
    absorb(st, data, len);
    return AIOTSEC_OK;
}

static int p_hmac_final(void *user, void *state, uint8_t mac[32])
{
    (void)user;
    aiot_portable_hmac *st = state;
    if (!st || !mac)
        return AIOTSEC_E_NULL_ARG;
    int rc = AIOTSEC_E_BAD_STATE;
    if (st->magic == AIOT_PORTABLE_MAGIC) {
        finish(st->h, st->buf, st->total % 64, st->total);
        /* The outer message is the inner digest, after the 64-octet key block. */
        digest_bytes(st->h, st->buf);
        finish(st->outer, st->buf, 32, 64 + 32);
        digest_bytes(st->outer, mac);
        rc = AIOTSEC_OK;
    }
    wipe(st, sizeof *st);
    return rc;
}

#if AIOT_PORTABLE_HAVE_AES
static int p_aes_init(void *user, void *state, const uint8_t key[16])
{
    (void)user;
    if (!state || !key)
        return AIOTSEC_E_NULL_ARG;
    aiot_portable_aes128_expand(state, key);
    return AIOTSEC_OK;
}

static int p_aes_encrypt(void *user, const void *state, const uint8_t in[16], uint8_t out[16])
{
    (void)user;
    if (!state || !in || !out)
        return AIOTSEC_E_NULL_ARG;
    aiot_portable_aes128_encrypt(state, in, out);
    return AIOTSEC_OK;
}
#endif

static const aiotsec_backend portable_table = {
    .struct_size = sizeof(aiotsec_backend),
    .abi_version = AIOTSEC_BACKEND_ABI_VERSION,
    .name = "portable",
    .user = NULL,
    .hmac_state_size = sizeof(aiot_portable_hmac),
    .hmac_init = p_hmac_init,
    .hmac_update = p_hmac_update,
    .hmac_final = p_hmac_final,
    .hmac_copy = NULL,    /* plain data: memcpy copies a state */
    .hmac_release = NULL, /* plain data: the library wipes it */
    .hmac_oneshot = NULL,
    .hmac_batch_prepared = NULL,
    .random_bytes = NULL, /* the tag's TRNG is the device's rand callback */
#if AIOT_PORTABLE_HAVE_AES
    .aes_state_size = sizeof(aiot_portable_aes),
    .aes128_init = p_aes_init,
    .aes128_encrypt = p_aes_encrypt,
    .aes128_release = NULL, /* plain data: the library wipes it */
#endif
};

const aiotsec_backend *aiotsec_backend_portable(void)
{
    return &portable_table;
}
