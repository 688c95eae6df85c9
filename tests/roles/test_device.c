/* The device role on its own: configuration checks, caller storage, paging by
 * Permanent Identifier and by filter, a known RES_AIOT (against an independent
 * raw-key derivation), and the answers to verified requests it cannot execute. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "roles_test_util.h"

static aiotsec_ctx *ctx;
static void *mem;
static aiotsec_device_config cfg;
static uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static uint8_t ident[3] = {0xAB, 0xCD, 0xEF}; /* its Permanent Identifier */
static uint8_t memory[64];
static uint64_t rng = 5;

static void setup(void)
{
    cr_assert_eq(aiotsec_ctx_new(&ctx, NULL, NULL), AIOTSEC_OK);
    mem = aligned_alloc(16, (aiotsec_device_statebytes() + 32 + 15) & ~(size_t)15);
    cr_assert_eq(aiotsec_device_config_init(&cfg, ctx), AIOTSEC_OK);
    cfg.perm_id = ident;
    cfg.perm_id_len = sizeof ident;
    cfg.k_root = key;
    cfg.k_root_len = sizeof key;
    cfg.memory = memory;
    cfg.memory_len = sizeof memory;
    cfg.rand = test_rand;
    cfg.rand_user = &rng;
}

static void teardown(void)
{
    free(mem);
    aiotsec_ctx_free(ctx);
}

TestSuite(device, .init = setup, .fini = teardown);

Test(device, init_checks)
{
    aiotsec_device *d;
    size_t sz = aiotsec_device_statebytes();
    cr_assert_eq(aiotsec_device_init(&d, mem, sz - 1, ctx, &cfg), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_device_init(&d, (char *)mem + 8, sz, ctx, &cfg), AIOTSEC_E_BAD_VALUE); /* misaligned */
    cr_assert_eq(aiotsec_device_init(NULL, mem, sz, ctx, &cfg), AIOTSEC_E_NULL_ARG);
    aiotsec_device_config c = cfg;
    c.rand = NULL;
    cr_assert_eq(aiotsec_device_init(&d, mem, sz, ctx, &c), AIOTSEC_E_BAD_VALUE);
    c = cfg;
    c.k_root_len = 20;
    cr_assert_eq(aiotsec_device_init(&d, mem, sz, ctx, &c), AIOTSEC_E_BAD_LENGTH);
    c = cfg;
    c.perm_id_len = 0;
    cr_assert_eq(aiotsec_device_init(&d, mem, sz, ctx, &c), AIOTSEC_E_BAD_LENGTH);
    c = cfg;
    c.wp_offset = 60;
    c.wp_len = 5;
    cr_assert_eq(aiotsec_device_init(&d, mem, sz, ctx, &c), AIOTSEC_E_BAD_VALUE);
    c.wp_len = 4;
    cr_assert_eq(aiotsec_device_init(&d, mem, sz, ctx, &c), AIOTSEC_OK);
    c = cfg;
    c.struct_size = 3;
    cr_assert_eq(aiotsec_device_init(&d, mem, sz, ctx, &c), AIOTSEC_E_BAD_VALUE);
}

Test(device, paging_answer_is_a_correct_auth_response)
{
    aiotsec_device *d;
    cr_assert_eq(aiotsec_device_init(&d, mem, aiotsec_device_statebytes(), ctx, &cfg), AIOTSEC_OK);
    cr_assert_eq(dev_state(d), AIOTSEC_DEVICE_IDLE);
    uint8_t rn[16], out[128];
    memset(rn, 0x11, sizeof rn);
    size_t n;
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, ident, 2, NULL, 0, out, sizeof out, &n), AIOTSEC_E_NOT_ADDRESSED);
    cr_assert_eq(n, 0);
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 15, ident, 3, NULL, 0, out, sizeof out, &n), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, ident, 3, NULL, 0, out, 10, &n), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(dev_state(d), AIOTSEC_DEVICE_IDLE);
    uint64_t again = rng; /* the random source's state before the answer */
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, ident, 3, NULL, 0, out, sizeof out, &n), AIOTSEC_OK);
    cr_assert_eq(dev_state(d), AIOTSEC_DEVICE_AUTHENTICATING);
    aiotsec_nas_msg m;
    cr_assert_eq(aiotsec_nas_decode(NULL, out, n, &m), AIOTSEC_OK);
    cr_assert_eq(m.type, AIOTSEC_NAS_AUTH_RESPONSE);
    cr_assert_eq(m.rand_d_len, 16);
    uint8_t want[16];
    cr_assert_eq(aiotsec_derive_res(ctx, key, 16, rn, 16, m.rand_d, 16, want, 16), AIOTSEC_OK);
    cr_assert_eq(m.res_len, 16);
    cr_assert_arr_eq(m.res, want, 16);
    /* The random source's octets are RAND_AIOT_d. */
    uint8_t rd[16];
    test_rand(&again, rd, 16);
    cr_assert_arr_eq(m.rand_d, rd, 16);
    aiotsec_device_clear(d);
}

static int failing_rand(void *u, uint8_t *o, size_t n)
{
    (void)u, (void)o, (void)n;
    return AIOTSEC_E_BACKEND_FAILURE;
}

Test(device, random_failure_sends_nothing)
{
    aiotsec_device *d;
    cfg.rand = failing_rand;
    cr_assert_eq(aiotsec_device_init(&d, mem, aiotsec_device_statebytes(), ctx, &cfg), AIOTSEC_OK);
    uint8_t rn[16] = {0}, out[128];
    size_t n = 5;
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, ident, 3, NULL, 0, out, sizeof out, &n), AIOTSEC_E_BACKEND_FAILURE);
    cr_assert_eq(n, 0);
    cr_assert_eq(dev_state(d), AIOTSEC_DEVICE_IDLE);
}

Test(device, starts_disabled_from_config)
{
    aiotsec_device *d;
    cfg.disabled = 1;
    cr_assert_eq(aiotsec_device_init(&d, mem, aiotsec_device_statebytes(), ctx, &cfg), AIOTSEC_OK);
    uint8_t rn[16] = {0}, out[128];
    size_t n;
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, ident, 3, NULL, 0, out, sizeof out, &n), AIOTSEC_E_DEVICE_DISABLED);
    cr_assert_eq(dev_state(d), AIOTSEC_DEVICE_DISABLED);
}

Test(device, paging_by_filter)
{
    aiotsec_device *d;
    cr_assert_eq(aiotsec_device_init(&d, mem, aiotsec_device_statebytes(), ctx, &cfg), AIOTSEC_OK);
    uint8_t rn[16] = {3}, out[64];
    size_t n = 9;
    static const uint8_t hit[] = {12, 0xab, 0xc0}, miss[] = {12, 0xab, 0xd0}, longer[] = {25, 0xab, 0xcd, 0xef, 0x00};
    static const uint8_t broken[] = {12, 0xab, 0xc1}; /* unused low bits set */
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, NULL, 0, miss, 3, out, sizeof out, &n), AIOTSEC_E_NOT_ADDRESSED);
    cr_assert_eq(n, 0);
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, NULL, 0, longer, 5, out, sizeof out, &n),
                 AIOTSEC_E_NOT_ADDRESSED); /* a prefix longer than the identifier never matches */
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, NULL, 0, broken, 3, out, sizeof out, &n), AIOTSEC_E_BAD_FILTER);
    cr_assert_eq(n, 0);
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, NULL, 0, hit, 3, out, sizeof out, &n), AIOTSEC_OK);
    cr_assert_eq(n, 3 + 1 + 16 + 1 + 16);
    aiotsec_device_stats st;
    cr_assert_eq(aiotsec_device_stats_get(d, &st), AIOTSEC_OK);
    cr_assert_eq(st.pagings, 4);
    cr_assert_eq(st.not_addressed, 2);
    cr_assert_eq(st.answered, 1);
    aiotsec_device_clear(d);
}

/* The network side of a command procedure, built from the public derivations,
 * to send messages that are authentic but not executable. */
typedef struct net {
    uint8_t k_int[32];
    uint32_t count;
} net;

static void net_from_paging(net *nw, const uint8_t rn[16], const uint8_t *auth, size_t auth_len)
{
    aiotsec_nas_msg m;
    cr_assert_eq(aiotsec_nas_decode(NULL, auth, auth_len, &m), AIOTSEC_OK);
    uint8_t kf[16];
    size_t kl = 0;
    cr_assert_eq(aiotsec_derive_kaiotf(ctx, key, 16, rn, 16, m.rand_d, 16, kf, sizeof kf), AIOTSEC_OK);
    cr_assert_eq(aiotsec_derive_alg_key(ctx, kf, 16, AIOTSEC_ALG_INT, 8, nw->k_int, 32, &kl), AIOTSEC_OK);
    nw->count = 0;
}

/* EPD, header type 1, MAC over SQN || plain (AIA-HS, R2D), SQN, plain. */
static size_t protect_raw(net *nw, const uint8_t *plain, size_t len, uint8_t *out)
{
    out[0] = 0x7a;
    out[1] = 0x01;
    out[6] = (uint8_t)nw->count;
    memcpy(out + 7, plain, len);
    cr_assert_eq(aiotsec_alg_aia_hs(ctx, nw->k_int, 32, nw->count, 0, 1, out + 6, len + 1, out + 2, 4), AIOTSEC_OK);
    nw->count++;
    return len + 7;
}

Test(device, verified_but_unexecutable_requests_are_answered_with_the_cause)
{
    aiotsec_device *d;
    cr_assert_eq(aiotsec_device_init(&d, mem, aiotsec_device_statebytes(), ctx, &cfg), AIOTSEC_OK);
    uint8_t rn[16] = {0x42}, auth[64], in[64], out[128];
    size_t al, ol;
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, ident, 3, NULL, 0, auth, sizeof auth, &al), AIOTSEC_OK);
    net nw;
    net_from_paging(&nw, rn, auth, al);
    static const struct {
        uint8_t plain[8];
        size_t len;
        int status; /* expected COMMAND RESPONSE status, or the return code when negative */
    } cases[] = {
        {{0x7a, 0x00, 0x42, 0x05, 0x09}, 5, AIOTSEC_CMD_STATUS_MSG_TYPE_UNKNOWN},       /* unknown command code */
        {{0x7a, 0x00, 0x42, 0x06, 0x01, 0x00}, 6, AIOTSEC_CMD_STATUS_INVALID_MANDATORY}, /* READ without offset */
        {{0x7a, 0x00, 0x42, 0x07, 0x01, 0x00, 0x00, 0x00}, 8, AIOTSEC_CMD_STATUS_INVALID_MANDATORY}, /* length 0 */
        {{0x7a, 0x00, 0x4f, 0x08}, 4, AIOTSEC_CMD_STATUS_MSG_TYPE_UNKNOWN},             /* unknown message type */
        {{0x7a, 0x00, 0x42}, 3, AIOTSEC_E_NAS_MISSING_IE},                             /* no transaction ID */
        {{0x7a, 0x00, 0x43, 0x09, 0x00}, 5, AIOTSEC_E_WRONG_DIRECTION},                /* a COMMAND RESPONSE */
        {{0x7b, 0x00, 0x42, 0x0a, 0x03}, 5, AIOTSEC_E_NAS_BAD_EPD},                    /* broken header */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t il = protect_raw(&nw, cases[i].plain, cases[i].len, in);
        int rc = aiotsec_device_on_command(d, in, il, out, sizeof out, &ol);
        if (cases[i].status < 0) {
            cr_assert_eq(rc, cases[i].status, "case %zu: %s", i, aiotsec_status_name(rc));
            cr_assert_eq(ol, 0);
            continue;
        }
        cr_assert_eq(rc, AIOTSEC_OK, "case %zu: %s", i, aiotsec_status_name(rc));
        /* The answer is a protected COMMAND RESPONSE echoing the transaction ID. */
        cr_assert_eq(ol, 7 + 5);
        cr_assert_eq(out[7 + 2], 0x43);
        cr_assert_eq(out[7 + 3], cases[i].plain[3]);
        cr_assert_eq(status_from_wire(NULL, out[7 + 4]), cases[i].status, "case %zu", i);
        uint8_t mac[4];
        cr_assert_eq(aiotsec_alg_aia_hs(ctx, nw.k_int, 32, out[6], 0, 0, out + 6, ol - 6, mac, 4), AIOTSEC_OK);
        cr_assert_arr_eq(mac, out + 2, 4, "case %zu: the answer verifies", i);
    }
    /* Still usable: a good READ succeeds. */
    uint8_t read[] = {0x7a, 0x00, 0x42, 0x20, 0x01, 0x00, 0x00, 0x00, 0x04};
    size_t il = protect_raw(&nw, read, sizeof read, in);
    cr_assert_eq(aiotsec_device_on_command(d, in, il, out, sizeof out, &ol), AIOTSEC_OK);
    cr_assert_eq(status_from_wire(NULL, out[7 + 4]), AIOTSEC_CMD_STATUS_SUCCESS);
    aiotsec_device_clear(d);
}
