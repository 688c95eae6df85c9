/* Records of the "dev" database: the header, the sealing of K_AIOT_root under
 * a data key, and a bounded decoder that trusts no length on disk.
 *
 * The associated data binds a sealed key to everything that says whose key it
 * is: the database (uuid), the device (its Permanent Identifier, length first)
 * and the header (key length, data-key generation, sequence number). A record
 * copied under another identifier, into another database, or with any header
 * octet edited fails the AEAD tag. */
#include <sodium.h>
#include <string.h>

#include "kd_internal.h"

static const char AD_LABEL[18] = {'a', 'i', 'o', 't', 's', 'e', 'c', '-', 'k',
                                  'e', 'y', 'd', 'b', '-', 'r', 'e', 'c', '1'};

int kd_rec_decode(const uint8_t *val, size_t len, kd_rec *out)
{
    memset(out, 0, sizeof *out);
    if (!val || len < KD_HDR_LEN)
        return AIOTSEC_KEYDB_E_BAD_RECORD;
    if (val[0] != KD_FORMAT || val[3] != 0 || (val[2] != 16 && val[2] != 32))
        return AIOTSEC_KEYDB_E_BAD_RECORD;
    out->custody = val[1];
    out->key_len = val[2];
    out->dek_gen = kd_get32(val + 4);
    out->seq = kd_get64(val + 8);
    out->hdr = val;
    if (out->custody == AIOTSEC_KEYDB_CUSTODY_SEALED) {
        if (len != KD_HDR_LEN + KD_NONCE_LEN + out->key_len + KD_TAG_LEN || out->dek_gen == 0)
            return AIOTSEC_KEYDB_E_BAD_RECORD;
        out->nonce = val + KD_HDR_LEN;
        out->ct = val + KD_HDR_LEN + KD_NONCE_LEN;
        return AIOTSEC_OK;
    }
    if (out->custody == AIOTSEC_KEYDB_CUSTODY_TOKEN && len == KD_HDR_LEN && out->dek_gen == 0)
        return AIOTSEC_OK;
    return AIOTSEC_KEYDB_E_BAD_RECORD;
}

void kd_rec_header(uint8_t hdr[KD_HDR_LEN], int custody, size_t key_len, uint32_t dek_gen, uint64_t seq)
{
    hdr[0] = KD_FORMAT;
    hdr[1] = (uint8_t)custody;
    hdr[2] = (uint8_t)key_len;
    hdr[3] = 0;
    kd_put32(hdr + 4, dek_gen);
    kd_put64(hdr + 8, seq);
}

static size_t record_ad(const aiotsec_keydb *db, const uint8_t *perm, size_t perm_len, const uint8_t *hdr,
                        uint8_t ad[KD_AD_MAX])
{
    size_t n = 0;
    memcpy(ad, AD_LABEL, sizeof AD_LABEL);
    n += sizeof AD_LABEL;
    memcpy(ad + n, db->uuid, KD_UUID_LEN);
    n += KD_UUID_LEN;
    ad[n++] = (uint8_t)perm_len;
    memcpy(ad + n, perm, perm_len);
    n += perm_len;
    memcpy(ad + n, hdr, KD_HDR_LEN);
    return n + KD_HDR_LEN;
}

int kd_rec_seal(const aiotsec_keydb *db, const uint8_t dek[KD_KEY_LEN], const uint8_t *perm, size_t perm_len,
                uint32_t dek_gen, uint64_t seq, const uint8_t *key, size_t key_len, uint8_t *out, size_t *out_len)
{
    uint8_t ad[KD_AD_MAX];
    kd_rec_header(out, AIOTSEC_KEYDB_CUSTODY_SEALED, key_len, dek_gen, seq);
    randombytes_buf(out + KD_HDR_LEN, KD_NONCE_LEN); /* 192-bit random nonces: no counter to keep */
    size_t ad_len = record_ad(db, perm, perm_len, out, ad);
    unsigned long long clen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + KD_HDR_LEN + KD_NONCE_LEN, &clen, key, key_len, ad,
                                                   ad_len, NULL, out + KD_HDR_LEN, dek) != 0)
        return AIOTSEC_E_BACKEND_FAILURE;
    *out_len = KD_HDR_LEN + KD_NONCE_LEN + (size_t)clen;
    return AIOTSEC_OK;
}

int kd_rec_unseal(const aiotsec_keydb *db, const uint8_t dek[KD_KEY_LEN], const uint8_t *perm, size_t perm_len,
                  const kd_rec *rec, uint8_t *key, size_t *key_len)
{
    uint8_t ad[KD_AD_MAX];
    size_t ad_len = record_ad(db, perm, perm_len, rec->hdr, ad);
    unsigned long long mlen = 0;
    /* libsodium checks the tag in constant time and writes nothing on failure. */
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, &mlen, NULL, rec->ct, (size_t)rec->key_len + KD_TAG_LEN,
                                                   ad, ad_len, rec->nonce, dek) != 0 ||
        mlen != rec->key_len) {
        sodium_memzero(key, AIOTSEC_KROOT_MAX);
        return AIOTSEC_KEYDB_E_BAD_RECORD;
    }
    *key_len = (size_t)mlen;
    return AIOTSEC_OK;
}

size_t kd_token_id(const aiotsec_keydb *db, uint64_t seq, const uint8_t *perm, size_t perm_len,
                   uint8_t out[KD_TOKEN_ID_MAX])
{
    memcpy(out, db->uuid, KD_UUID_LEN);
    kd_put64(out + KD_UUID_LEN, seq);
    memcpy(out + KD_UUID_LEN + 8, perm, perm_len);
    return KD_UUID_LEN + 8 + perm_len;
}
