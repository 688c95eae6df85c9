/* The device role on its own: configuration checks, caller storage, paging
 * behaviour and a known RES_AIOT (against an independent raw-key derivation). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "roles_test_util.h"

static aiotsec_ctx *ctx;
static void *mem;
static aiotsec_device_config cfg;
static uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static uint8_t ident[3] = {0xAB, 0xCD, 0xEF};
static uint8_t memory[64];
static uint64_t rng = 5;

static void setup(void)
{
    cr_assert_eq(aiotsec_ctx_new(&ctx, NULL, NULL), AIOTSEC_OK);
    mem = aligned_alloc(16, (aiotsec_device_size() + 32 + 15) & ~(size_t)15);
    cr_assert_eq(aiotsec_device_config_init(&cfg, ctx), AIOTSEC_OK);
    cfg.ident = ident;
    cfg.ident_len = sizeof ident;
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
    size_t sz = aiotsec_device_size();
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
    c.ident_len = 0;
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
    cr_assert_eq(aiotsec_device_init(&d, mem, aiotsec_device_size(), ctx, &cfg), AIOTSEC_OK);
    cr_assert_eq(aiotsec_device_state_get(d), AIOTSEC_DEVICE_IDLE);
    uint8_t rn[16], out[128];
    memset(rn, 0x11, sizeof rn);
    size_t n;
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, ident, 2, out, sizeof out, &n), AIOTSEC_E_NOT_ADDRESSED);
    cr_assert_eq(n, 0);
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 15, ident, 3, out, sizeof out, &n), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, ident, 3, out, 10, &n), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_device_state_get(d), AIOTSEC_DEVICE_IDLE);
    uint64_t again = rng; /* the random source's state before the answer */
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, ident, 3, out, sizeof out, &n), AIOTSEC_OK);
    cr_assert_eq(aiotsec_device_state_get(d), AIOTSEC_DEVICE_AUTHENTICATING);
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
    cr_assert_eq(aiotsec_device_init(&d, mem, aiotsec_device_size(), ctx, &cfg), AIOTSEC_OK);
    uint8_t rn[16] = {0}, out[128];
    size_t n = 5;
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, ident, 3, out, sizeof out, &n), AIOTSEC_E_BACKEND_FAILURE);
    cr_assert_eq(n, 0);
    cr_assert_eq(aiotsec_device_state_get(d), AIOTSEC_DEVICE_IDLE);
}

Test(device, starts_disabled_from_config)
{
    aiotsec_device *d;
    cfg.disabled = 1;
    cr_assert_eq(aiotsec_device_init(&d, mem, aiotsec_device_size(), ctx, &cfg), AIOTSEC_OK);
    uint8_t rn[16] = {0}, out[128];
    size_t n;
    cr_assert_eq(aiotsec_device_on_paging(d, rn, 16, ident, 3, out, sizeof out, &n), AIOTSEC_E_DEVICE_DISABLED);
    cr_assert_eq(aiotsec_device_state_get(d), AIOTSEC_DEVICE_DISABLED);
}
