/* Host tests of the device-only build (the library a tag links, compiled for the
 * host): what the firmware self-test does not reach.
 *   - the built-in profile passes the profile check (it is not checked at run time)
 *   - aiotsec_ctx_init in caller storage, its refusals; storage bounds
 *   - the backend registry of the device-only build, no random source
 *   - the device's own COMMAND REQUEST parser against aiotsec_nas_decode on
 *     truncated, mutated and random messages (same verdict, same fields)
 *   - the device's midstate path against the one-shot derivations (random keys),
 *     commands end to end with the request and response in one buffer
 *   - the portable HMAC fed in every split against one-shot (buffer boundaries)
 * Prints "N passed, N failed" last; exit 0 when none failed.
 * With --hmac-list, prints "key msg mac" hex lines for tests/fw/check_hmac.py. */
#include <stdio.h>
#include <string.h>

#include "aiotsec/context.h"
#include "aiotsec/derive.h"
#include "aiotsec/device.h"
#include "aiotsec/nas.h"
#include "aiotsec/nas_security.h"
#include "aiotsec/portable.h"
#include "aiotsec/status.h"
#include "core/internal.h"
#include "nas/nas_internal.h"

static unsigned passed, failed;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (cond) {                                                                 \
            passed++;                                                               \
        } else {                                                                    \
            failed++;                                                               \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                  \
        }                                                                           \
    } while (0)

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

static _Alignas(AIOTSEC_CTX_ALIGN) unsigned char ctx_mem[AIOTSEC_CTX_STORAGE_SIZE + 16];
static const aiotsec_ctx *ctx;

static void test_profile_and_context(void)
{
    /* The built-in profile: what aiotsec_ctx_init no longer checks at run time. */
    CHECK(aiot_profile_check(&aiot_profile0.p) == AIOTSEC_OK);
    CHECK(aiotsec_ctx_statebytes() <= AIOTSEC_CTX_STORAGE_SIZE);
    aiotsec_ctx *c = NULL;
    CHECK(aiotsec_ctx_init(NULL, ctx_mem, sizeof ctx_mem, aiotsec_backend_portable(), NULL) == AIOTSEC_E_NULL_ARG);
    CHECK(aiotsec_ctx_init(&c, NULL, sizeof ctx_mem, aiotsec_backend_portable(), NULL) == AIOTSEC_E_NULL_ARG);
    CHECK(aiotsec_ctx_init(&c, ctx_mem, sizeof ctx_mem, NULL, NULL) == AIOTSEC_E_NULL_ARG);
    CHECK(aiotsec_ctx_init(&c, ctx_mem, aiotsec_ctx_statebytes() - 1, aiotsec_backend_portable(), NULL) ==
          AIOTSEC_E_BUFFER_TOO_SMALL);
    CHECK(aiotsec_ctx_init(&c, ctx_mem + 4, sizeof ctx_mem - 4, aiotsec_backend_portable(), NULL) ==
          AIOTSEC_E_BAD_VALUE);
    aiotsec_backend bad = *aiotsec_backend_portable();
    bad.abi_version = 0;
    CHECK(aiotsec_ctx_init(&c, ctx_mem, sizeof ctx_mem, &bad, NULL) == AIOTSEC_E_BAD_BACKEND && c == NULL);
    struct aiotsec_profile other = aiot_profile0;
    other.p.res_len = 8;
    CHECK(aiotsec_ctx_init(&c, ctx_mem, sizeof ctx_mem, aiotsec_backend_portable(), &other) == AIOTSEC_E_BAD_PROFILE);
    CHECK(aiotsec_ctx_init(&c, ctx_mem, sizeof ctx_mem, aiotsec_backend_portable(), aiotsec_profile_default()) ==
          AIOTSEC_OK);
    CHECK(aiotsec_ctx_init(&c, ctx_mem, sizeof ctx_mem, aiotsec_backend_portable(), NULL) == AIOTSEC_OK &&
          c == (aiotsec_ctx *)ctx_mem);
    ctx = c;
    CHECK(strcmp(aiotsec_ctx_backend_name(ctx), "portable") == 0);
    uint8_t r[16];
    CHECK(aiotsec_random(ctx, r, sizeof r) == AIOTSEC_E_UNSUPPORTED);
    /* The registry of the device-only build: the portable backend only, also the default. */
    const aiotsec_backend *be = NULL;
    CHECK(aiotsec_backend_count() == 1 && strcmp(aiotsec_backend_name_at(0), "portable") == 0);
    CHECK(aiotsec_backend_name_at(1) == NULL);
    CHECK(aiotsec_backend_find(NULL, &be) == AIOTSEC_OK && be == aiotsec_backend_portable());
    CHECK(aiotsec_backend_find("portable", &be) == AIOTSEC_OK && be == aiotsec_backend_portable());
    CHECK(aiotsec_backend_find("sodium", &be) == AIOTSEC_E_UNKNOWN_BACKEND);
    CHECK(aiotsec_backend_portable()->hmac_state_size == AIOTSEC_PORTABLE_HMAC_STATE_SIZE);
    CHECK(aiotsec_device_statebytes() <= AIOTSEC_DEVICE_STORAGE_SIZE);
    printf("sizes: ctx %zu (bound %zu), device %zu (bound %zu), nas_sec %zu\n", aiotsec_ctx_statebytes(),
           (size_t)AIOTSEC_CTX_STORAGE_SIZE, aiotsec_device_statebytes(), (size_t)AIOTSEC_DEVICE_STORAGE_SIZE,
           aiotsec_nas_sec_statebytes());
}

/* One verdict of each parser: equal statuses, and equal fields on success. */
static int same_verdict(const uint8_t *in, size_t len)
{
    aiotsec_nas_msg a, b;
    int ra = aiotsec_nas_decode(NULL, in, len, &a);
    int rb = aiot_device_parse_request(aiotsec_profile_default(), in, len, &b);
    if (ra == AIOTSEC_OK && a.type != AIOTSEC_NAS_COMMAND_REQUEST)
        return rb == AIOTSEC_E_WRONG_DIRECTION;
    if (ra != AIOTSEC_OK && len >= 3 && len <= 2048 && (in[2] == 0x41 || in[2] == 0x43) && in[0] == 0x7a &&
        in[1] == 0)
        return rb == AIOTSEC_E_WRONG_DIRECTION; /* the device-only build does not decode D2R types */
    if (ra != rb)
        return 0;
    if (ra != AIOTSEC_OK)
        return b.type == 0 && b.data == NULL;
    return a.type == b.type && a.transaction_id == b.transaction_id && a.command == b.command &&
           a.offset == b.offset && a.length == b.length && a.data == b.data && a.data_len == b.data_len;
}

static void test_parser(void)
{
    static const uint8_t base[][24] = {
        {0x7a, 0x00, 0x42, 0x07, 0x01, 0x00, 0x20, 0x00, 0x10},
        {0x7a, 0x00, 0x42, 0x08, 0x02, 0x00, 0x40, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'},
        {0x7a, 0x00, 0x42, 0x09, 0x03},
        {0x7a, 0x00, 0x42, 0x0a, 0x01, 0x00, 0x00, 0x00, 0x01, 0x21, 0x02, 0xaa, 0xbb, 0x71, 0x00, 0x01, 0xcc},
        {0x7a, 0x00, 0x42, 0x0b, 0x03, 0x75, 0x00, 0x00},
        {0x7a, 0x00, 0x43, 0x0b, 0x00, 0x71, 0x00, 0x01, 0x00},
    };
    static const size_t blen[] = {9, 14, 5, 17, 8, 9};
    static const uint8_t values[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x40, 0x41, 0x42, 0x43, 0x70, 0x71, 0x7a, 0x7f, 0x80, 0xff};
    unsigned bad = 0, runs = 0;
    uint8_t m[64];
    for (size_t b = 0; b < sizeof blen / sizeof blen[0]; b++) {
        for (size_t len = 0; len <= blen[b]; len++, runs++) /* every truncation */
            bad += !same_verdict(base[b], len);
        for (size_t i = 0; i < blen[b]; i++) /* every octet set to each interesting value */
            for (size_t v = 0; v < sizeof values; v++, runs++) {
                memcpy(m, base[b], blen[b]);
                m[i] = values[v];
                bad += !same_verdict(m, blen[b]);
            }
    }
    for (unsigned k = 0; k < 200000; k++, runs++) { /* random messages around the base ones */
        size_t b = rnd() % (sizeof blen / sizeof blen[0]);
        size_t len = blen[b] + rnd() % 8;
        memcpy(m, base[b], blen[b]);
        fill(m + blen[b], len - blen[b]);
        for (unsigned f = rnd() % 4; f; f--)
            m[rnd() % len] = (uint8_t)(rnd() % 3 ? values[rnd() % sizeof values] : rnd());
        bad += !same_verdict(m, len - rnd() % 3);
    }
    printf("parser: %u inputs, %u verdicts differ from aiotsec_nas_decode\n", runs, bad);
    CHECK(bad == 0);
}

static uint8_t next_rand_d[16];
static int trng(void *user, uint8_t *out, size_t len)
{
    (void)user;
    if (len != sizeof next_rand_d)
        return AIOTSEC_E_BAD_LENGTH;
    memcpy(out, next_rand_d, len);
    return AIOTSEC_OK;
}

static void test_device(void)
{
    static _Alignas(AIOTSEC_DEVICE_ALIGN) unsigned char dev_mem[AIOTSEC_DEVICE_STORAGE_SIZE];
    static _Alignas(AIOTSEC_NAS_SEC_ALIGN) unsigned char net_mem[2048];
    static uint8_t memory[64];
    static const uint8_t perm[] = {0xa1, 0xb2, 0xc3};
    unsigned bad = 0;
    for (unsigned it = 0; it < 300; it++) {
        uint8_t k[32], rn[16], res[16], kaiotf[16], buf[128], plain[128];
        size_t klen = it % 2 ? 32 : 16, n = 0;
        fill(k, klen);
        fill(rn, sizeof rn);
        fill(next_rand_d, sizeof next_rand_d);
        aiotsec_device_config cfg;
        aiotsec_device *dev = NULL;
        aiotsec_device_config_init(&cfg, ctx);
        cfg.perm_id = perm;
        cfg.perm_id_len = sizeof perm;
        cfg.k_root = k;
        cfg.k_root_len = klen;
        cfg.memory = memory;
        cfg.memory_len = sizeof memory;
        cfg.rand = trng;
        int rc = aiotsec_device_init(&dev, dev_mem, sizeof dev_mem, ctx, &cfg);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_device_on_paging(dev, rn, sizeof rn, perm, sizeof perm, NULL, 0, buf, sizeof buf, &n);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_derive_res(ctx, k, klen, rn, sizeof rn, next_rand_d, 16, res, sizeof res);
        if (rc != AIOTSEC_OK || n != 37 || memcmp(buf + 4, res, 16) != 0 || memcmp(buf + 21, next_rand_d, 16) != 0) {
            bad++;
            continue;
        }
        /* WRITE then READ back, each request and its response in one buffer. */
        aiotsec_nas_sec *net = NULL;
        rc = aiotsec_derive_kaiotf(ctx, k, klen, rn, sizeof rn, next_rand_d, 16, kaiotf, sizeof kaiotf);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_nas_sec_init(&net, net_mem, sizeof net_mem, ctx, kaiotf, sizeof kaiotf, 8, 0,
                                      AIOTSEC_NAS_ROLE_NETWORK);
        uint8_t data[20];
        fill(data, sizeof data);
        uint16_t off = (uint16_t)(rnd() % (sizeof memory - sizeof data));
        for (int cmd = 0; cmd < 2 && rc == AIOTSEC_OK; cmd++) {
            aiotsec_nas_msg m;
            memset(&m, 0, sizeof m);
            m.type = AIOTSEC_NAS_COMMAND_REQUEST;
            m.transaction_id = (uint8_t)cmd;
            m.command = cmd ? AIOTSEC_CMD_READ : AIOTSEC_CMD_WRITE;
            m.offset = off;
            m.length = sizeof data;
            m.data = cmd ? NULL : data;
            m.data_len = cmd ? 0 : sizeof data;
            size_t len = 0;
            rc = aiotsec_nas_protect_msg(net, &m, buf, sizeof buf, &len);
            if (rc == AIOTSEC_OK)
                rc = aiotsec_device_on_command(dev, buf, len, buf, sizeof buf, &len);
            if (rc == AIOTSEC_OK)
                rc = aiotsec_nas_verify_decode(net, buf, len, plain, sizeof plain, &m);
            if (rc == AIOTSEC_OK && (m.status != AIOTSEC_CMD_STATUS_SUCCESS ||
                                     (cmd && (m.data_len != sizeof data || memcmp(m.data, data, sizeof data)))))
                rc = AIOTSEC_E_BAD_VALUE;
        }
        aiotsec_device_stats st;
        if (rc == AIOTSEC_OK && (aiotsec_device_stats_get(dev, &st) != AIOTSEC_OK || st.pagings != 1 ||
                                 st.answered != 1 || st.commands_executed != 2))
            rc = AIOTSEC_E_BAD_VALUE;
        bad += rc != AIOTSEC_OK;
        aiotsec_nas_sec_clear(net);
        aiotsec_device_clear(dev);
    }
    printf("device: 300 random keys, %u disagreements with the one-shot derivations\n", bad);
    CHECK(bad == 0);
}

/* The portable HMAC fed in three pieces (every split) equals its one-shot value. */
static void test_hmac_splits(void)
{
    uint8_t key[150], msg[200], one[32], mac[32];
    unsigned bad = 0;
    fill(key, sizeof key);
    fill(msg, sizeof msg);
    for (size_t klen = 0; klen <= 140; klen += 35) {
        for (size_t len = 0; len <= 200; len += len < 70 ? 1 : 13) {
            if (aiotsec_hmac_sha256(ctx, key, klen, msg, len, one, sizeof one) != AIOTSEC_OK) {
                bad++;
                continue;
            }
            for (size_t a = 0; a <= len; a += 7)
                for (size_t b = a; b <= len; b += 11) {
                    aiot_state st;
                    int rc = aiot_hmac_init(ctx, &st, key, klen);
                    if (rc == AIOTSEC_OK)
                        rc = aiot_hmac_update(ctx, &st, msg, a);
                    if (rc == AIOTSEC_OK)
                        rc = aiot_hmac_update(ctx, &st, msg + a, b - a);
                    if (rc == AIOTSEC_OK)
                        rc = aiot_hmac_update(ctx, &st, msg + b, len - b);
                    if (rc == AIOTSEC_OK)
                        rc = aiot_hmac_final(ctx, &st, mac);
                    bad += rc != AIOTSEC_OK || memcmp(mac, one, 32) != 0;
                }
        }
    }
    CHECK(bad == 0);
}

static void hmac_list(void)
{
    uint8_t key[150], msg[200], mac[32];
    fill(key, sizeof key);
    fill(msg, sizeof msg);
    for (size_t klen = 0; klen <= 140; klen += 7)
        for (size_t len = 0; len <= 200; len += len < 130 ? 1 : 17) {
            if (aiotsec_hmac_sha256(ctx, key, klen, msg, len, mac, sizeof mac) != AIOTSEC_OK)
                return;
            for (size_t i = 0; i < klen; i++)
                printf("%02x", key[i]);
            printf(" ");
            for (size_t i = 0; i < len; i++)
                printf("%02x", msg[i]);
            printf(" ");
            for (size_t i = 0; i < 32; i++)
                printf("%02x", mac[i]);
            printf("\n");
        }
}

int main(int argc, char **argv)
{
    test_profile_and_context();
    if (argc > 1 && strcmp(argv[1], "--hmac-list") == 0) {
        hmac_list();
        return failed != 0;
    }
    test_parser();
    test_device();
    test_hmac_splits();
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0 || passed == 0;
}
