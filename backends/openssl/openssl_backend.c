/* The OpenSSL backend (>= 3.0.3, checked at build time): HMAC-SHA-256 through EVP_MAC,
 * AES-128 through EVP (ECB, one block at a time, for CMAC and CTR built above it),
 * and RAND_bytes. OpenSSL keeps its contexts on the heap: a state here holds the
 * pointer, hmac_copy duplicates it, and release frees it. The HMAC and cipher
 * implementations are fetched once and shared read-only. */
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

#include "core/internal.h"

#if OPENSSL_VERSION_NUMBER < 0x30000030L
#error "OpenSSL 3.0.3 or newer is required (older 3.0.x mis-compute re-keyed HMACs)"
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static EVP_MAC *hmac_impl;
static EVP_CIPHER *aes_impl;
static const EVP_MD *sha256_md;

static void do_init(void)
{
    hmac_impl = EVP_MAC_fetch(NULL, "HMAC", NULL);
    aes_impl = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
    sha256_md = EVP_sha256();
}

static int ready(void)
{
    pthread_once(&once, do_init);
    return hmac_impl && aes_impl && sha256_md ? 0 : -1;
}

typedef struct {
    EVP_MAC_CTX *mac;
} ossl_hmac_state;

typedef struct {
    EVP_CIPHER_CTX *cipher;
} ossl_aes_state;

static int o_hmac_init(void *user, void *state, const uint8_t *key, size_t key_len)
{
    (void)user;
    ossl_hmac_state *s = state;
    s->mac = NULL;
    if (ready() != 0)
        return AIOTSEC_E_BACKEND_FAILURE;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    s->mac = EVP_MAC_CTX_new(hmac_impl);
    if (!s->mac || EVP_MAC_init(s->mac, key, key_len, params) != 1) {
        EVP_MAC_CTX_free(s->mac);
        s->mac = NULL;
        return AIOTSEC_E_BACKEND_FAILURE;
    }
    return 0;
}

static int o_hmac_update(void *user, void *state, const uint8_t *data, size_t len)
{
    (void)user;
    ossl_hmac_state *s = state;
    return EVP_MAC_update(s->mac, data, len) == 1 ? 0 : AIOTSEC_E_BACKEND_FAILURE;
}

static int o_hmac_final(void *user, void *state, uint8_t mac[32])
{
    (void)user;
    ossl_hmac_state *s = state;
    size_t n = 0;
    int ok = EVP_MAC_final(s->mac, mac, &n, 32) == 1 && n == 32;
    EVP_MAC_CTX_free(s->mac);
    s->mac = NULL;
    return ok ? 0 : AIOTSEC_E_BACKEND_FAILURE;
}

static int o_hmac_copy(void *user, void *dst, const void *src)
{
    (void)user;
    ossl_hmac_state *d = dst;
    const ossl_hmac_state *s = src;
    d->mac = EVP_MAC_CTX_dup(s->mac);
    return d->mac ? 0 : AIOTSEC_E_BACKEND_FAILURE;
}

static void o_hmac_release(void *user, void *state)
{
    (void)user;
    ossl_hmac_state *s = state;
    EVP_MAC_CTX_free(s->mac);
    s->mac = NULL;
}

static int o_hmac_oneshot(void *user, const uint8_t *key, size_t key_len, const uint8_t *msg,
                          size_t msg_len, uint8_t mac[32])
{
    (void)user;
    unsigned n = 0;
    if (ready() != 0 || key_len > (size_t)0x7FFFFFFF)
        return AIOTSEC_E_BACKEND_FAILURE;
    return HMAC(sha256_md, key, (int)key_len, msg, msg_len, mac, &n) && n == 32
               ? 0 : AIOTSEC_E_BACKEND_FAILURE;
}

static int o_random(void *user, uint8_t *out, size_t len)
{
    (void)user;
    if (len > (size_t)0x7FFFFFFF)
        return AIOTSEC_E_BACKEND_FAILURE;
    return RAND_bytes(out, (int)len) == 1 ? 0 : AIOTSEC_E_BACKEND_FAILURE;
}

static int o_aes_init(void *user, void *state, const uint8_t key[16])
{
    (void)user;
    ossl_aes_state *s = state;
    s->cipher = NULL;
    if (ready() != 0)
        return AIOTSEC_E_BACKEND_FAILURE;
    s->cipher = EVP_CIPHER_CTX_new();
    if (!s->cipher || EVP_EncryptInit_ex2(s->cipher, aes_impl, key, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(s->cipher, 0) != 1) {
        EVP_CIPHER_CTX_free(s->cipher);
        s->cipher = NULL;
        return AIOTSEC_E_BACKEND_FAILURE;
    }
    return 0;
}

static int o_aes_encrypt(void *user, const void *state, const uint8_t in[16], uint8_t out[16])
{
    (void)user;
    const ossl_aes_state *s = state;
    int n = 0;
    /* ECB without padding keeps no data between calls: one block in, one block out. */
    return EVP_EncryptUpdate(s->cipher, out, &n, in, 16) == 1 && n == 16 ? 0 : AIOTSEC_E_BACKEND_FAILURE;
}

static void o_aes_release(void *user, void *state)
{
    (void)user;
    ossl_aes_state *s = state;
    EVP_CIPHER_CTX_free(s->cipher); /* frees and cleanses the key schedule */
    s->cipher = NULL;
}

const aiotsec_backend aiot_backend_openssl = {
    .struct_size = sizeof(aiotsec_backend),
    .abi_version = AIOTSEC_BACKEND_ABI_VERSION,
    .name = "openssl",
    .user = NULL,
    .hmac_state_size = sizeof(ossl_hmac_state),
    .aes_state_size = sizeof(ossl_aes_state),
    .hmac_init = o_hmac_init,
    .hmac_update = o_hmac_update,
    .hmac_final = o_hmac_final,
    .hmac_copy = o_hmac_copy,
    .hmac_release = o_hmac_release,
    .hmac_oneshot = o_hmac_oneshot,
    .hmac_batch_prepared = NULL,
    .random_bytes = o_random,
    .aes128_init = o_aes_init,
    .aes128_encrypt = o_aes_encrypt,
    .aes128_release = o_aes_release,
};
