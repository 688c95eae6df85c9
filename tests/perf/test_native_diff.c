/* The native backend against libsodium and OpenSSL: RFC 4231 vectors, then
 * >= 100,000 random HMAC inputs per SHA-256 path (random key and message
 * lengths, random update splits), plain SHA-256, and the batch fast paths (over
 * prepared states and over compact keys), each path also against the portable
 * one. Every path this CPU can run is checked, each forced by its name. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#ifdef AIOTSEC_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif

#include "core/backend_ext.h"
#include "core/internal.h"
#include "native/native.h"
#include "vectors.h"

/* 100,000 per path in the ordinary build; sanitizer builds (ten times slower)
 * check a tenth, and a run under valgrind (AIOTSEC_TEST_REDUCED set, some fifty
 * times slower) 2,000: the full count has run in the ordinary build. gcc says
 * "sanitizer" with __SANITIZE_*__, clang (14) only through __has_feature. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED_BUILD 1
#endif
#endif
#ifdef SANITIZED_BUILD
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

static const char *const paths[] = {"native-portable", "native-shani", "native-shani-vl", "native-avx2", "native"};

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

/* The same with OpenSSL when the build has it (a second independent reference). */
static void reference_hmac(const uint8_t *key, size_t kl, const uint8_t *msg, size_t ml, uint8_t mac[32])
{
    sodium_hmac(key, kl, msg, ml, mac);
#ifdef AIOTSEC_HAVE_OPENSSL
    uint8_t ossl[32];
    unsigned int ol = 0;
    static const uint8_t empty[1];
    cr_assert_not_null(HMAC(EVP_sha256(), kl ? key : empty, (int)kl, ml ? msg : empty, ml, ossl, &ol));
    cr_assert_eq(memcmp(ossl, mac, 32), 0);
#endif
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
    cr_assert_eq(aiot_native_find("native-shani-vl", &be),
                 aiot_sha256_shani_vl_usable() ? AIOTSEC_OK : AIOTSEC_E_UNSUPPORTED);
    cr_assert_eq(aiot_native_find("native-avx2", &be),
                 aiot_sha256_avx2_usable() ? AIOTSEC_OK : AIOTSEC_E_UNSUPPORTED);
    /* The listed names are exactly the ones find() accepts. */
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(aiot_native_find(aiot_native_name_at(i), &be), AIOTSEC_OK, "%s", aiot_native_name_at(i));
        cr_assert_str_eq(be->name, aiot_native_name_at(i));
        cr_assert_eq(be->hmac_compact_size, 64, "%s", be->name);
        cr_assert(be->hmac_compact && be->hmac_batch_compact, "%s", be->name);
    }
    size_t want = 2 + (size_t)aiot_sha256_shani_usable() + (size_t)aiot_sha256_shani_vl_usable() +
                  (size_t)aiot_sha256_avx2_usable();
    cr_assert_eq(n, want);
    /* Plain "native" takes the three-stream path whenever the CPU has it (unless
     * the environment forces another one). */
    const char *env = getenv("AIOTSEC_NATIVE_PATH");
    if (aiot_sha256_shani_vl_usable() && !(env && *env))
        cr_assert_str_eq(aiot_native_active_path(), "shani-vl");
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
    const aiot_sha256_impl *impls[3] = {&aiot_sha256_portable, NULL, NULL};
#ifdef AIOT_NATIVE_HAVE_SHANI
    if (aiot_sha256_shani_usable())
        impls[1] = &aiot_sha256_shani;
    if (aiot_sha256_shani_vl_usable())
        impls[2] = &aiot_sha256_shani_vl;
#endif
    for (size_t p = 0; p < 3; p++) {
        if (!impls[p])
            continue;
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

/* Both batch entry points (prepared states, compact keys) of every path against
 * libsodium/OpenSSL and against the portable path: every message length 0..200
 * (one block or more: the kernels stop at 55 octets), batch sizes 1..17 (every
 * remainder of the 2-, 3- and 8-wide kernels), random keys of 0..100 octets (long
 * ones are hashed first). Messages sit in a buffer of exactly n * msg_len octets
 * and compact forms at 8-aligned addresses, so a sanitizer build sees any read
 * past either. */
Test(native_diff, batch_and_compact_all_lengths_vs_references, .timeout = 120)
{
    enum { NMAX = 17, LMAX = 200, KMAX = 100 };
    const aiotsec_backend *portable = path_or_skip("native-portable");
    static aiot_state sts[NMAX];
    const void *pp[NMAX], *cp[NMAX];
    uint8_t keys[NMAX][KMAX], want[NMAX][32], ref[NMAX * 32], macs[NMAX * 32], cmacs[NMAX * 32];
    size_t kls[NMAX];
    /* 8 octets in, so the compact forms are 8- but not 16-aligned. */
    uint8_t *cbuf = malloc(8 + 64 * NMAX);
    cr_assert_not_null(cbuf);
    unsigned rounds = random_inputs() >= FULL_INPUTS ? 10 : 2;
    for (unsigned r = 0; r < rounds; r++) {
        for (size_t ml = 0; ml <= LMAX; ml++) {
            size_t n = 1 + (ml + r * 5) % NMAX;
            if (r == rounds - 1)
                n = 1 + randombytes_uniform(NMAX);
            uint8_t *msgs = malloc(ml ? n * ml : 1);
            cr_assert_not_null(msgs);
            randombytes_buf(msgs, n * ml);
            for (size_t i = 0; i < n; i++) {
                kls[i] = randombytes_uniform(KMAX + 1);
                randombytes_buf(keys[i], kls[i]);
                reference_hmac(keys[i], kls[i], msgs + i * ml, ml, want[i]);
            }
            /* The portable path's answer, item by item through its batch. */
            for (size_t i = 0; i < n; i++) {
                cr_assert_eq(portable->hmac_init(portable->user, sts[i].b, keys[i], kls[i]), 0);
                pp[i] = sts[i].b;
            }
            cr_assert_eq(portable->hmac_batch_prepared(portable->user, pp, msgs, ml, n, ref), 0);
            for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
                const aiotsec_backend *be = path_or_skip(paths[p]);
                if (!be)
                    continue;
                for (size_t i = 0; i < n; i++) {
                    cr_assert_eq(be->hmac_init(be->user, sts[i].b, keys[i], kls[i]), 0);
                    pp[i] = sts[i].b;
                    cp[i] = cbuf + 8 + 64 * i;
                    cr_assert_eq(be->hmac_compact(be->user, cbuf + 8 + 64 * i, sts[i].b), 0);
                    /* Exactly the first 64 octets of the state: h[8], then outer[8]. */
                    cr_assert_eq(memcmp(cbuf + 8 + 64 * i, sts[i].b, 64), 0);
                }
                memset(macs, 0, sizeof macs);
                memset(cmacs, 0, sizeof cmacs);
                cr_assert_eq(be->hmac_batch_prepared(be->user, pp, ml ? msgs : NULL, ml, n, macs), 0);
                cr_assert_eq(be->hmac_batch_compact(be->user, cp, ml ? msgs : NULL, ml, n, cmacs), 0);
                for (size_t i = 0; i < n; i++) {
                    cr_assert_eq(memcmp(macs + 32 * i, want[i], 32), 0, "%s prepared: n %zu len %zu item %zu key %zu",
                                 paths[p], n, ml, i, kls[i]);
                    cr_assert_eq(memcmp(cmacs + 32 * i, want[i], 32), 0, "%s compact: n %zu len %zu item %zu key %zu",
                                 paths[p], n, ml, i, kls[i]);
                }
                cr_assert_eq(memcmp(macs, ref, 32 * n), 0, "%s vs portable: n %zu len %zu", paths[p], n, ml);
                /* The states are left as they were: still usable as prepared keys. */
                cr_assert_eq(be->hmac_batch_prepared(be->user, pp, msgs, ml, n, macs), 0);
                cr_assert_eq(memcmp(macs, ref, 32 * n), 0);
            }
            free(msgs);
        }
    }
    free(cbuf);
}

/* Random batches through the compact path, as many items as the prepared-state
 * test above, compact forms side by side (one 64-octet line each). */
Test(native_diff, random_batch_compact_vs_libsodium, .timeout = 120)
{
    enum { NMAX = 27 };
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        const aiotsec_backend *be = path_or_skip(paths[p]);
        if (!be)
            continue;
        aiot_state st;
        _Alignas(64) static uint8_t compact[NMAX][64];
        const void *cp[NMAX];
        uint8_t keys[NMAX][32], msgs[NMAX * 80], macs[NMAX * 32], want[32];
        unsigned items = 0;
        while (items < random_inputs() / 4) {
            size_t n = 1 + randombytes_uniform(NMAX);
            size_t ml = randombytes_uniform(81);
            randombytes_buf(msgs, n * ml);
            for (size_t i = 0; i < n; i++) {
                randombytes_buf(keys[i], 32);
                cr_assert_eq(be->hmac_init(be->user, st.b, keys[i], 32), 0);
                cr_assert_eq(be->hmac_compact(be->user, compact[i], st.b), 0);
                be->hmac_release(be->user, st.b);
                cp[i] = compact[i];
            }
            cr_assert_eq(be->hmac_batch_compact(be->user, cp, msgs, ml, n, macs), 0);
            for (size_t i = 0; i < n; i++) {
                sodium_hmac(keys[i], 32, msgs + i * ml, ml, want);
                cr_assert_eq(memcmp(macs + 32 * i, want, 32), 0, "%s: n %zu len %zu item %zu", paths[p], n, ml, i);
            }
            items += (unsigned)n;
        }
    }
}

/* The extension (core/backend_ext.h) on the path that has it (shani-vl; the others
 * must not): kdf_rand against libsodium's HMAC of the laid-out KDF string, for every
 * count up to NMAX, every output length and FCs at both ends; verify_items reading
 * batch items in place, with every octet and bit of a RES wrong in turn. Sodium,
 * OpenSSL and user tables have no extension. */
Test(native_diff, extension_kdf_and_items_vs_libsodium)
{
    enum { NMAX = 11 };
    const aiotsec_backend *sodium = NULL;
    cr_assert_eq(aiotsec_backend_find("sodium", &sodium), AIOTSEC_OK);
    cr_assert_null(aiot_backend_ext_of(sodium));
    aiotsec_backend copy = *sodium;
    cr_assert_null(aiot_backend_ext_of(&copy));
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        const aiotsec_backend *be = path_or_skip(paths[p]);
        if (!be)
            continue;
        const aiot_backend_ext *ext = aiot_backend_ext_of(be);
        copy = *be; /* a context's copy of the table finds the same */
        cr_assert_eq(aiot_backend_ext_of(&copy), ext);
        /* Only the three-stream path has the kernels; the others use the library's layout of S. */
        const int vl = strcmp(paths[p], "native-shani-vl") == 0 ||
                       (strcmp(paths[p], "native") == 0 && strcmp(aiot_native_active_path(), "shani-vl") == 0);
        cr_assert_eq(ext != NULL, vl, "%s", paths[p]);
        if (!ext)
            continue;
        cr_assert_not_null(ext->verify_items, "%s", paths[p]);
        aiot_state st;
        /* A handle whose compact pointer sits where the items say, as a prepared key's does. */
        struct handle {
            const void *ctx;
            const void *compact;
        } handles[NMAX];
        _Alignas(64) static uint8_t compact[NMAX][64];
        const void *cp[NMAX];
        const uint8_t *p0[NMAX], *p1[NMAX];
        uint8_t keys[NMAX][32], rn[NMAX][16], rd[NMAX][16], out[NMAX * 32 + 1], s[37], want[NMAX][32];
        static const uint8_t fcs[] = {0x00, 0xA0, 0xFE};
        for (size_t f = 0; f < sizeof fcs; f++) {
            for (size_t n = 1; n <= NMAX; n++) {
                for (size_t i = 0; i < n; i++) {
                    randombytes_buf(keys[i], 32);
                    randombytes_buf(rn[i], 16);
                    randombytes_buf(rd[i], 16);
                    cr_assert_eq(be->hmac_init(be->user, st.b, keys[i], 32), 0);
                    cr_assert_eq(be->hmac_compact(be->user, compact[i], st.b), 0);
                    be->hmac_release(be->user, st.b);
                    cp[i] = compact[i];
                    p0[i] = rn[i];
                    p1[i] = rd[i];
                    s[0] = fcs[f];
                    memcpy(s + 1, rn[i], 16);
                    s[17] = 0;
                    s[18] = 16;
                    memcpy(s + 19, rd[i], 16);
                    s[35] = 0;
                    s[36] = 16;
                    sodium_hmac(keys[i], 32, s, sizeof s, want[i]);
                }
                for (size_t ol = 1; ol <= 32; ol++) {
                    memset(out, 0xAA, sizeof out);
                    cr_assert_eq(ext->kdf_rand(be->user, cp, fcs[f], p0, p1, n, out, ol), AIOTSEC_OK);
                    for (size_t i = 0; i < n; i++)
                        cr_assert_eq(memcmp(out + i * ol, want[i] + 32 - ol, ol), 0, "%s fc %02x n %zu len %zu item %zu",
                                     paths[p], fcs[f], n, ol, i);
                    cr_assert_eq(out[n * ol], 0xAA, "%s fc %02x n %zu len %zu: wrote past its output", paths[p], fcs[f], n, ol);
                }
                aiotsec_batch_item items[NMAX];
                uint8_t res[NMAX][16];
                uint64_t diffs[NMAX];
                for (size_t i = 0; i < n; i++) {
                    handles[i] = (struct handle){NULL, compact[i]};
                    memcpy(res[i], want[i] + 16, 16);
                    items[i] = (aiotsec_batch_item){(const aiotsec_prepared_key *)(const void *)&handles[i], rn[i], 16,
                                                    rd[i], 16, res[i], 16};
                }
                ext->verify_items(be->user, items, n, offsetof(struct handle, compact), fcs[f], diffs);
                for (size_t i = 0; i < n; i++)
                    cr_assert_eq(diffs[i], 0, "%s n %zu item %zu", paths[p], n, i);
                for (size_t bit = 0; bit < 128; bit++) {
                    size_t i = bit % n;
                    res[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
                    ext->verify_items(be->user, items, n, offsetof(struct handle, compact), fcs[f], diffs);
                    for (size_t j = 0; j < n; j++)
                        cr_assert_eq(diffs[j] != 0, j == i, "%s bit %zu item %zu", paths[p], bit, j);
                    res[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
                }
            }
        }
    }
}

/* The three-stream kernel straight, on every count and message length it takes
 * (the batch code above reaches it through its own grouping). */
Test(native_diff, three_stream_kernel_direct)
{
#ifdef AIOT_NATIVE_HAVE_SHANI
    if (!aiot_sha256_shani_vl_usable())
        return;
    enum { NMAX = 10 };
    const aiotsec_backend *be = path_or_skip("native-portable");
    aiot_state sts[NMAX];
    const void *kp[NMAX];
    uint8_t keys[NMAX][32], msgs[NMAX * 55 + 64], macs[NMAX * 32], want[32];
    for (size_t ml = 0; ml <= 55; ml++) {
        uint8_t keep[64], pad[64];
        memset(keep, 0, sizeof keep);
        memset(keep, 0xFF, ml);
        memset(pad, 0, sizeof pad);
        pad[ml] = 0x80;
        pad[62] = (uint8_t)(((64 + ml) * 8) >> 8);
        pad[63] = (uint8_t)((64 + ml) * 8);
        for (size_t n = 1; n <= NMAX; n++) {
            randombytes_buf(msgs, sizeof msgs); /* what follows each message must not matter */
            for (size_t i = 0; i < n; i++) {
                randombytes_buf(keys[i], sizeof keys[i]);
                cr_assert_eq(be->hmac_init(be->user, sts[i].b, keys[i], sizeof keys[i]), 0);
                kp[i] = sts[i].b;
            }
            aiot_sha256_shani_vl.hmac3(kp, msgs, ml, n, keep, pad, macs);
            for (size_t i = 0; i < n; i++) {
                sodium_hmac(keys[i], sizeof keys[i], msgs + i * ml, ml, want);
                cr_assert_eq(memcmp(macs + 32 * i, want, 32), 0, "n %zu len %zu item %zu", n, ml, i);
            }
        }
    }
#endif
}

Test(native_diff, compact_refuses_what_is_not_a_fresh_state)
{
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        const aiotsec_backend *be = path_or_skip(paths[p]);
        if (!be)
            continue;
        aiot_state st;
        uint8_t compact[64], key[32] = {3}, mac[32];
        memset(st.b, 0, sizeof st.b);
        cr_assert_eq(be->hmac_compact(be->user, compact, st.b), AIOTSEC_E_BAD_STATE, "%s zeroed", paths[p]);
        cr_assert_eq(be->hmac_init(be->user, st.b, key, sizeof key), 0);
        cr_assert_eq(be->hmac_compact(be->user, NULL, st.b), AIOTSEC_E_NULL_ARG);
        cr_assert_eq(be->hmac_compact(be->user, compact, NULL), AIOTSEC_E_NULL_ARG);
        /* Absorbed data (buffered, or a whole block): no longer a prepared key. */
        cr_assert_eq(be->hmac_update(be->user, st.b, key, 3), 0);
        cr_assert_eq(be->hmac_compact(be->user, compact, st.b), AIOTSEC_E_BAD_STATE, "%s buffered", paths[p]);
        uint8_t block[61] = {0};
        cr_assert_eq(be->hmac_update(be->user, st.b, block, sizeof block), 0);
        cr_assert_eq(be->hmac_compact(be->user, compact, st.b), AIOTSEC_E_BAD_STATE, "%s one block", paths[p]);
        cr_assert_eq(be->hmac_final(be->user, st.b, mac), 0);
        cr_assert_eq(be->hmac_compact(be->user, compact, st.b), AIOTSEC_E_BAD_STATE, "%s finalised", paths[p]);
        /* The batch over compact forms checks its pointers (not the contents). */
        cr_assert_eq(be->hmac_init(be->user, st.b, key, sizeof key), 0);
        cr_assert_eq(be->hmac_compact(be->user, compact, st.b), 0);
        const void *cp[2] = {compact, NULL};
        uint8_t macs[64];
        cr_assert_eq(be->hmac_batch_compact(be->user, cp, key, 8, 2, macs), AIOTSEC_E_NULL_ARG);
        cr_assert_eq(be->hmac_batch_compact(be->user, NULL, key, 8, 1, macs), AIOTSEC_E_NULL_ARG);
        cr_assert_eq(be->hmac_batch_compact(be->user, cp, key, 8, 1, NULL), AIOTSEC_E_NULL_ARG);
        cr_assert_eq(be->hmac_batch_compact(be->user, cp, NULL, 8, 1, macs), AIOTSEC_E_NULL_ARG);
        cr_assert_eq(be->hmac_batch_compact(be->user, cp, key, 8, 0, macs), AIOTSEC_OK);
        cr_assert_eq(be->hmac_batch_compact(be->user, cp, NULL, 0, 1, macs), AIOTSEC_OK);
        sodium_hmac(key, sizeof key, key, 0, mac);
        cr_assert_eq(memcmp(macs, mac, 32), 0);
        be->hmac_release(be->user, st.b);
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
