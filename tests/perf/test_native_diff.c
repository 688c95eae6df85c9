/* The native backend against libsodium and OpenSSL: RFC 4231 vectors, then
 * >= 100,000 random HMAC inputs per SHA-256 path (random key and message
 * lengths, random update splits), plain SHA-256, and the batch fast path.
 * Every path this CPU can run is checked, each forced by its name. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#ifdef AIOTSEC_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif

#include "core/internal.h"
#include "native/native.h"
#include "vectors.h"

/* 100,000 per path in the ordinary build; sanitizer builds (ten times slower)
 * check a tenth, and a run under valgrind (AIOTSEC_TEST_REDUCED set, some fifty
 * times slower) 2,000: the full count has run in the ordinary build. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FULL_INPUTS 10000u
#else
#define FULL_INPUTS 100000u
#endif
#define REDUCED_INPUTS 2000u

static unsigned random_inputs(void)
{
    const char *r = getenv("AIOTSEC_TEST_REDUCED");
    return r && *r && strcmp(r, "0") != 0 ? REDUCED_INPUTS : FULL_INPUTS;
}

static const char *const paths[] = {"native-portable", "native-shani", "native-avx2", "native"};

static const aiotsec_backend *path_or_skip(const char *name)
{
    const aiotsec_backend *be = NULL;
    int rc = aiot_native_find(name, &be);
    if (rc == AIOTSEC_E_UNSUPPORTED)
        return NULL; /* a path this CPU cannot run: find() says so, checked below */
    cr_assert_eq(rc, AIOTSEC_OK, "%s: %d", name, rc);
    return be;
}

static void sodium_hmac(const uint8_t *key, size_t kl, const uint8_t *msg, size_t ml, uint8_t mac[32])
{
    crypto_auth_hmacsha256_state s;
    crypto_auth_hmacsha256_init(&s, key, kl);
    crypto_auth_hmacsha256_update(&s, msg, ml);
    crypto_auth_hmacsha256_final(&s, mac);
}

static void init_once(void)
{
    cr_assert_geq(sodium_init(), 0);
}

TestSuite(native_diff, .init = init_once);

Test(native_diff, paths_this_cpu_runs_are_listed)
{
    size_t n = aiot_native_count();
    cr_assert_geq(n, 2);
    cr_assert_str_eq(aiot_native_name_at(0), "native");
    cr_assert_null(aiot_native_name_at(n));
    const aiotsec_backend *be;
    cr_assert_eq(aiot_native_find("native-shani", &be),
                 aiot_sha256_shani_usable() ? AIOTSEC_OK : AIOTSEC_E_UNSUPPORTED);
    cr_assert_eq(aiot_native_find("native-avx2", &be),
                 aiot_sha256_avx2_usable() ? AIOTSEC_OK : AIOTSEC_E_UNSUPPORTED);
    cr_assert_eq(aiot_native_find("native-bogus", &be), AIOTSEC_E_UNKNOWN_BACKEND);
    cr_assert_eq(aiot_native_find(NULL, &be), AIOTSEC_E_NULL_ARG);
    /* The public registry hands "native*" names to the same lookup. */
    cr_assert_eq(aiotsec_backend_find("native-portable", &be), AIOTSEC_OK);
    cr_assert_str_eq(be->name, "native-portable");
    cr_assert_null(be->hmac_copy, "prepared keys are copied with memcpy");
    cr_assert(aiotsec_backend_caps(be) & AIOTSEC_CAP_HMAC_BATCH);
}

Test(native_diff, rfc4231_vectors_every_path)
{
    tv_file f;
    tv_load(&f, "hmac-sha256-rfc4231.tsv");
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        const aiotsec_backend *be = path_or_skip(paths[p]);
        if (!be)
            continue;
        for (size_t r = 0; r < f.nrows; r++) {
            uint8_t key[256], msg[256], want[32], mac[32];
            size_t kl = tv_hex(tv_get(&f, r, "key"), key, sizeof key);
            size_t ml = tv_hex(tv_get(&f, r, "data"), msg, sizeof msg);
            size_t wl = tv_hex(tv_get(&f, r, "mac"), want, sizeof want);
            cr_assert_eq(be->hmac_oneshot(be->user, key, kl, msg, ml, mac), 0);
            cr_assert_eq(memcmp(mac, want, wl), 0, "%s case %s", paths[p], tv_get(&f, r, "case"));
        }
    }
    tv_free(&f);
}

Test(native_diff, random_hmac_vs_libsodium_and_openssl, .timeout = 120)
{
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        const aiotsec_backend *be = path_or_skip(paths[p]);
        if (!be)
            continue;
        uint8_t key[160], msg[320], want[32], mac[32];
        aiot_state st;
        for (unsigned it = 0, n_in = random_inputs(); it < n_in; it++) {
            size_t kl = randombytes_uniform(sizeof key + 1);
            size_t ml = randombytes_uniform(sizeof msg + 1);
            randombytes_buf(key, kl);
            randombytes_buf(msg, ml);
            sodium_hmac(key, kl, msg, ml, want);
#ifdef AIOTSEC_HAVE_OPENSSL
            {
                uint8_t ossl[32];
                unsigned int ol = 0;
                cr_assert_not_null(HMAC(EVP_sha256(), key, (int)kl, msg, ml, ossl, &ol));
                cr_assert_eq(memcmp(ossl, want, 32), 0);
            }
#endif
            /* Absorb the message in up to three pieces at random split points. */
            size_t a = ml ? randombytes_uniform((uint32_t)ml + 1) : 0;
            size_t b = a < ml ? a + randombytes_uniform((uint32_t)(ml - a) + 1) : a;
            cr_assert_eq(be->hmac_init(be->user, st.b, kl ? key : msg, kl), 0);
            cr_assert_eq(be->hmac_update(be->user, st.b, msg, a), 0);
            cr_assert_eq(be->hmac_update(be->user, st.b, msg + a, b - a), 0);
            cr_assert_eq(be->hmac_update(be->user, st.b, msg + b, ml - b), 0);
            cr_assert_eq(be->hmac_final(be->user, st.b, mac), 0);
            cr_assert_eq(memcmp(mac, want, 32), 0, "%s: key %zu msg %zu split %zu/%zu", paths[p], kl, ml, a, b);
            cr_assert_eq(be->hmac_oneshot(be->user, key, kl, msg, ml, mac), 0);
            cr_assert_eq(memcmp(mac, want, 32), 0, "%s oneshot: key %zu msg %zu", paths[p], kl, ml);
        }
    }
}

Test(native_diff, random_sha256_vs_libsodium)
{
    const aiot_sha256_impl *impls[2] = {&aiot_sha256_portable, NULL};
#ifdef AIOT_NATIVE_HAVE_SHANI
    if (aiot_sha256_shani_usable())
        impls[1] = &aiot_sha256_shani;
#endif
    for (size_t p = 0; p < 2 && impls[p]; p++) {
        uint8_t msg[600], want[32], got[32];
        for (unsigned it = 0; it < 20000; it++) {
            size_t ml = randombytes_uniform(sizeof msg + 1);
            randombytes_buf(msg, ml);
            crypto_hash_sha256(want, msg, ml);
            aiot_sha256(impls[p], msg, ml, got);
            cr_assert_eq(memcmp(got, want, 32), 0, "%s len %zu", impls[p]->name, ml);
        }
    }
}

/* The batch fast path, against libsodium item by item: random batch sizes (odd
 * ones exercise the unpaired tail, non-multiples of 8 the AVX2 group tail), message lengths on both sides of the
 * one-block limit (55 octets), 100,000 items per path. */
Test(native_diff, random_batch_prepared_vs_libsodium, .timeout = 120)
{
    enum { NMAX = 27 };
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        const aiotsec_backend *be = path_or_skip(paths[p]);
        if (!be)
            continue;
        static aiot_state sts[NMAX];
        const void *pp[NMAX];
        uint8_t keys[NMAX][32], msgs[NMAX * 80], macs[NMAX * 32], want[32];
        unsigned items = 0;
        while (items < random_inputs()) {
            size_t n = 1 + randombytes_uniform(NMAX);
            size_t ml = randombytes_uniform(81);
            size_t kl = randombytes_uniform(2) ? 32 : 16;
            randombytes_buf(msgs, n * ml);
            for (size_t i = 0; i < n; i++) {
                randombytes_buf(keys[i], kl);
                cr_assert_eq(be->hmac_init(be->user, sts[i].b, keys[i], kl), 0);
                pp[i] = sts[i].b;
            }
            cr_assert_eq(be->hmac_batch_prepared(be->user, pp, msgs, ml, n, macs), 0);
            for (size_t i = 0; i < n; i++) {
                sodium_hmac(keys[i], kl, msgs + i * ml, ml, want);
                cr_assert_eq(memcmp(macs + 32 * i, want, 32), 0, "%s: n %zu len %zu item %zu", paths[p], n, ml, i);
                /* The prepared states are left as they were: reuse one. */
                cr_assert_eq(be->hmac_update(be->user, sts[i].b, msgs + i * ml, ml), 0);
                cr_assert_eq(be->hmac_final(be->user, sts[i].b, macs + 32 * i), 0);
                cr_assert_eq(memcmp(macs + 32 * i, want, 32), 0);
            }
            items += (unsigned)n;
        }
    }
}

Test(native_diff, bad_states_are_refused)
{
    const aiotsec_backend *be = path_or_skip("native");
    aiot_state st, fresh;
    uint8_t mac[32], key[32] = {1};
    memset(st.b, 0, sizeof st.b);
    cr_assert_eq(be->hmac_update(be->user, st.b, key, 1), AIOTSEC_E_BAD_STATE);
    cr_assert_eq(be->hmac_final(be->user, st.b, mac), AIOTSEC_E_BAD_STATE);
    /* A finalised state is wiped and refused afterwards. */
    cr_assert_eq(be->hmac_init(be->user, st.b, key, sizeof key), 0);
    cr_assert_eq(be->hmac_final(be->user, st.b, mac), 0);
    cr_assert_eq(be->hmac_final(be->user, st.b, mac), AIOTSEC_E_BAD_STATE);
    /* The batch path refuses a state that is not fresh from init. */
    cr_assert_eq(be->hmac_init(be->user, fresh.b, key, sizeof key), 0);
    cr_assert_eq(be->hmac_init(be->user, st.b, key, sizeof key), 0);
    cr_assert_eq(be->hmac_update(be->user, st.b, key, 3), 0);
    const void *pp[2] = {fresh.b, st.b};
    uint8_t macs[64];
    cr_assert_eq(be->hmac_batch_prepared(be->user, pp, key, 8, 2, macs), AIOTSEC_E_BAD_STATE);
    pp[1] = NULL;
    cr_assert_eq(be->hmac_batch_prepared(be->user, pp, key, 8, 2, macs), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(be->hmac_batch_prepared(be->user, pp, key, 8, 0, macs), AIOTSEC_OK);
}

/* Empty messages may come with a NULL pointer, on every entry point. */
Test(native_diff, empty_message_with_null_pointer)
{
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        const aiotsec_backend *be = path_or_skip(paths[p]);
        if (!be)
            continue;
        uint8_t key[32] = {5}, want[32], mac[32], macs[3 * 32];
        sodium_hmac(key, sizeof key, key, 0, want);
        cr_assert_eq(be->hmac_oneshot(be->user, key, sizeof key, NULL, 0, mac), 0);
        cr_assert_eq(memcmp(mac, want, 32), 0, "%s oneshot", paths[p]);
        aiot_state st[3];
        const void *pp[3];
        for (int i = 0; i < 3; i++) {
            cr_assert_eq(be->hmac_init(be->user, st[i].b, key, sizeof key), 0);
            pp[i] = st[i].b;
        }
        cr_assert_eq(be->hmac_batch_prepared(be->user, pp, NULL, 0, 3, macs), 0);
        for (int i = 0; i < 3; i++)
            cr_assert_eq(memcmp(macs + 32 * i, want, 32), 0, "%s batch %d", paths[p], i);
        cr_assert_eq(be->hmac_update(be->user, st[0].b, NULL, 0), 0);
        cr_assert_eq(be->hmac_final(be->user, st[0].b, mac), 0);
        cr_assert_eq(memcmp(mac, want, 32), 0, "%s update/final", paths[p]);
    }
}
