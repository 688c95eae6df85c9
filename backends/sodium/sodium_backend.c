/* The libsodium backend (default): HMAC-SHA-256 and a CSPRNG. libsodium has no
 * AES-128, so 128-NIA2 / 128-NEA2 are "unsupported" here, never computed wrongly. */
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "core/internal.h"

/* sodium_init() must run once before anything else; it is idempotent and thread-safe,
 * but pthread_once keeps the cost to the first call. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

static void do_init(void)
{
    init_rc = sodium_init() < 0 ? -1 : 0;
}

static int ready(void)
{
    pthread_once(&once, do_init);
    return init_rc;
}

static int s_hmac_init(void *user, void *state, const uint8_t *key, size_t key_len)
{
    (void)user;
    if (ready() != 0)
        return AIOTSEC_E_BACKEND_FAILURE;
    return crypto_auth_hmacsha256_init(state, key, key_len) == 0 ? 0 : AIOTSEC_E_BACKEND_FAILURE;
}

static int s_hmac_update(void *user, void *state, const uint8_t *data, size_t len)
{
    (void)user;
    return crypto_auth_hmacsha256_update(state, data, len) == 0 ? 0 : AIOTSEC_E_BACKEND_FAILURE;
}

static int s_hmac_final(void *user, void *state, uint8_t mac[32])
{
    (void)user;
    int rc = crypto_auth_hmacsha256_final(state, mac);
    sodium_memzero(state, sizeof(crypto_auth_hmacsha256_state));
    return rc == 0 ? 0 : AIOTSEC_E_BACKEND_FAILURE;
}

static int s_random(void *user, uint8_t *out, size_t len)
{
    (void)user;
    if (ready() != 0)
        return AIOTSEC_E_BACKEND_FAILURE;
    randombytes_buf(out, len);
    return 0;
}

/* The state is plain data (two SHA-256 states), so hmac_copy may be a memory copy. */
const aiotsec_backend aiot_backend_sodium = {
    .struct_size = sizeof(aiotsec_backend),
    .abi_version = AIOTSEC_BACKEND_ABI_VERSION,
    .name = "sodium",
    .user = NULL,
    .hmac_state_size = sizeof(crypto_auth_hmacsha256_state),
    .aes_state_size = 0,
    .hmac_init = s_hmac_init,
    .hmac_update = s_hmac_update,
    .hmac_final = s_hmac_final,
    .hmac_copy = NULL,
    .hmac_release = NULL,
    .hmac_oneshot = NULL,
    .hmac_batch_prepared = NULL,
    .random_bytes = s_random,
    .aes128_init = NULL,
    .aes128_encrypt = NULL,
    .aes128_release = NULL,
};
