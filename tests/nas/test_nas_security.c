/* The NAS security context: every rejection rule of spec 4 (replay, reorder,
 * flipped MAC bits, SQN wrap-around, COUNT exhaustion, NIA0, unknown
 * algorithms, plain messages, wrong direction, header type mismatch), the
 * order "COUNT and MAC before anything else", and key wiping. Runs on the
 * default backend with AIA-HS and, when a backend has AES, with NIA2/NEA2. */
#include <criterion/criterion.h>
#include <stdalign.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/testing.h"
#include "backends_util.h"
#include "nas_test_util.h"

static const uint8_t K[AIOTSEC_KAIOTF_LEN] = {0x69, 0x34, 0x22, 0x69, 0x68, 0xea, 0x92, 0x4b,
                                              0x40, 0x2c, 0x5c, 0xcf, 0xf1, 0x5b, 0x27, 0x2b};
/* COMMAND REQUEST READ and COMMAND RESPONSE (success), plain. */
static const uint8_t REQ[] = {0x7a, 0x00, 0x42, 0x07, 0x01, 0x00, 0x20, 0x00, 0x10};
static const uint8_t RSP[] = {0x7a, 0x00, 0x43, 0x07, 0x00};

typedef struct pair {
    aiotsec_ctx *ctx;
    aiotsec_nas_sec *net, *dev;
} pair;

static void make_pair(pair *p, const char *backend, unsigned ia, unsigned ea)
{
    cr_assert_eq(aiotsec_ctx_new(&p->ctx, backend, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_nas_sec_new(&p->net, p->ctx, K, sizeof K, ia, ea, AIOTSEC_NAS_ROLE_NETWORK), AIOTSEC_OK);
    cr_assert_eq(aiotsec_nas_sec_new(&p->dev, p->ctx, K, sizeof K, ia, ea, AIOTSEC_NAS_ROLE_DEVICE), AIOTSEC_OK);
}

static void free_pair(pair *p)
{
    aiotsec_nas_sec_free(p->net);
    aiotsec_nas_sec_free(p->dev);
    aiotsec_ctx_free(p->ctx);
}

static size_t protect(aiotsec_nas_sec *s, const uint8_t *m, size_t n, uint8_t *out)
{
    size_t ol = 0;
    cr_assert_eq(aiotsec_nas_protect(s, m, n, out, 2100, &ol), AIOTSEC_OK);
    return ol;
}

static int unprot(aiotsec_nas_sec *s, const uint8_t *in, size_t n)
{
    uint8_t plain[2100];
    size_t pl;
    return aiotsec_nas_unprotect(s, in, n, plain, sizeof plain, &pl);
}

/* The algorithm combinations to run: AIA-HS everywhere; NIA2/NEA2 on a backend with AES. */
typedef struct combo {
    const char *backend;
    unsigned ia, ea;
} combo;

static size_t combos(combo out[4])
{
    size_t n = 0;
    out[n++] = (combo){"sodium", 8, 0};
    const aiotsec_backend *be;
    if (aiotsec_backend_find("openssl", &be) == AIOTSEC_OK && (aiotsec_backend_caps(be) & AIOTSEC_CAP_AES128)) {
        out[n++] = (combo){"openssl", 2, 0};
        out[n++] = (combo){"openssl", 2, 2};
        out[n++] = (combo){"openssl", 8, 2};
    }
    return n;
}

Test(nas_security, round_trip_random_both_directions)
{
    combo c[4];
    size_t nc = combos(c);
    prng r = {0xC0FFEEu};
    static uint8_t store[1100], plain[2100], prot[2100], back[2100];
    for (size_t k = 0; k < nc; k++) {
        pair p;
        make_pair(&p, c[k].backend, c[k].ia, c[k].ea);
        for (int i = 0; i < 600; i++) {
            aiotsec_nas_msg m, d;
            random_msg(&r, &m, store);
            if (m.type == AIOTSEC_NAS_AUTH_RESPONSE)
                continue;
            aiotsec_nas_sec *tx = m.type == AIOTSEC_NAS_COMMAND_REQUEST ? p.net : p.dev;
            aiotsec_nas_sec *rx = tx == p.net ? p.dev : p.net;
            size_t pl, ol;
            cr_assert_eq(aiotsec_nas_encode(NULL, &m, plain, sizeof plain, &pl), AIOTSEC_OK);
            cr_assert_eq(aiotsec_nas_protect_msg(tx, &m, prot, sizeof prot, &ol), AIOTSEC_OK);
            cr_assert_eq(ol, pl + 7);
            cr_assert_eq(prot[1], c[k].ea ? 2 : 1);
            if (c[k].ea == 0)
                cr_assert_arr_eq(prot + 7, plain, pl); /* NEA0: the message travels in clear */
            cr_assert_eq(aiotsec_nas_verify_decode(rx, prot, ol, back, sizeof back, &d), AIOTSEC_OK,
                         "%s %u/%u case %d", c[k].backend, c[k].ia, c[k].ea, i);
            cr_assert(msgs_equal(&m, &d));
        }
        free_pair(&p);
    }
}

Test(nas_security, replay_and_reorder)
{
    combo c[4];
    size_t nc = combos(c);
    for (size_t k = 0; k < nc; k++) {
        pair p;
        make_pair(&p, c[k].backend, c[k].ia, c[k].ea);
        uint8_t m0[64], m1[64], m2[64];
        size_t l0 = protect(p.net, REQ, sizeof REQ, m0);
        size_t l1 = protect(p.net, REQ, sizeof REQ, m1);
        size_t l2 = protect(p.net, REQ, sizeof REQ, m2);
        uint32_t last;
        cr_assert_eq(aiotsec_nas_sec_rx_last_count(p.dev, &last), AIOTSEC_E_BAD_STATE);
        cr_assert_eq(unprot(p.dev, m1, l1), AIOTSEC_OK); /* COUNT 1 first: a gap is fine */
        cr_assert_eq(unprot(p.dev, m1, l1), AIOTSEC_E_REPLAY);
        /* COUNT 0 after 1: its SQN reads as the next overflow, so the MAC cannot match. */
        cr_assert_eq(unprot(p.dev, m0, l0), AIOTSEC_E_MAC_MISMATCH);
        cr_assert_eq(aiotsec_nas_sec_rx_last_count(p.dev, &last), AIOTSEC_OK);
        cr_assert_eq(last, 1); /* failures do not move the receive COUNT */
        cr_assert_eq(unprot(p.dev, m2, l2), AIOTSEC_OK);
        cr_assert_eq(unprot(p.dev, m2, l2), AIOTSEC_E_REPLAY);
        cr_assert_eq(unprot(p.dev, m1, l1), AIOTSEC_E_MAC_MISMATCH);
        free_pair(&p);
    }
}

Test(nas_security, flipped_bits_every_position)
{
    combo c[4];
    size_t nc = combos(c);
    for (size_t k = 0; k < nc; k++) {
        pair p;
        make_pair(&p, c[k].backend, c[k].ia, c[k].ea);
        uint8_t m[64];
        size_t l = protect(p.net, REQ, sizeof REQ, m);
        for (size_t bit = 0; bit < l * 8; bit++) {
            m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            int rc = unprot(p.dev, m, l);
            cr_assert_neq(rc, AIOTSEC_OK, "bit %zu accepted", bit);
            /* MAC, SQN and the (ciphered) message are all covered by the MAC. */
            if (bit >= 16)
                cr_assert_eq(rc, AIOTSEC_E_MAC_MISMATCH, "bit %zu: %s", bit, aiotsec_status_name(rc));
            else
                cr_assert(rc == AIOTSEC_E_NAS_BAD_EPD || rc == AIOTSEC_E_NAS_SPARE_BITS ||
                          rc == AIOTSEC_E_NAS_BAD_SHT || rc == AIOTSEC_E_NAS_PLAIN_FORBIDDEN);
            m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        cr_assert_eq(unprot(p.dev, m, l), AIOTSEC_OK); /* nothing above moved the COUNT */
        free_pair(&p);
    }
}

/* SQN is 8 bits: 254, 255, then 0 and 1 are read as OVERFLOW + 1. */
Test(nas_security, sqn_wrap_around)
{
    combo c[4];
    size_t nc = combos(c);
    for (size_t k = 0; k < nc; k++) {
        pair p;
        make_pair(&p, c[k].backend, c[k].ia, c[k].ea);
        cr_assert_eq(aiotsec_nas_sec_set_tx_count(p.dev, 0x1FE), AIOTSEC_OK);
        uint8_t m[6][64];
        size_t l[6];
        for (int i = 0; i < 6; i++)
            l[i] = protect(p.dev, RSP, sizeof RSP, m[i]); /* COUNT 0x1FE .. 0x203 */
        cr_assert_eq(m[0][6], 0xFE);
        cr_assert_eq(m[2][6], 0x00);
        cr_assert_eq(aiotsec_nas_sec_set_rx_last_count(p.net, 0x1FD), AIOTSEC_OK);
        uint32_t last;
        for (int i = 0; i < 6; i++) {
            cr_assert_eq(unprot(p.net, m[i], l[i]), AIOTSEC_OK, "message %d", i);
            cr_assert_eq(aiotsec_nas_sec_rx_last_count(p.net, &last), AIOTSEC_OK);
            cr_assert_eq(last, 0x1FEu + (uint32_t)i);
        }
        /* Skipping SQN values is fine as long as COUNT grows. */
        cr_assert_eq(aiotsec_nas_sec_set_tx_count(p.dev, 0x2F0), AIOTSEC_OK);
        l[0] = protect(p.dev, RSP, sizeof RSP, m[0]);
        cr_assert_eq(unprot(p.net, m[0], l[0]), AIOTSEC_OK);
        free_pair(&p);
    }
}

Test(nas_security, count_exhausted)
{
    pair p;
    make_pair(&p, "sodium", 8, 0);
    uint8_t m[64];
    cr_assert_eq(aiotsec_nas_sec_set_tx_count(p.net, AIOTSEC_NAS_COUNT_MAX + 1), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_nas_sec_set_tx_count(p.net, AIOTSEC_NAS_COUNT_MAX), AIOTSEC_OK);
    size_t l = protect(p.net, REQ, sizeof REQ, m);
    size_t ol;
    uint8_t m2[64];
    cr_assert_eq(aiotsec_nas_protect(p.net, REQ, sizeof REQ, m2, sizeof m2, &ol), AIOTSEC_E_COUNT_EXHAUSTED);
    /* The receiver accepts COUNT 2^24-1, then nothing more (OVERFLOW cannot grow). */
    cr_assert_eq(aiotsec_nas_sec_set_rx_last_count(p.dev, AIOTSEC_NAS_COUNT_MAX - 1), AIOTSEC_OK);
    cr_assert_eq(unprot(p.dev, m, l), AIOTSEC_OK);
    cr_assert_eq(unprot(p.dev, m, l), AIOTSEC_E_REPLAY);
    m[6] = 0x00; /* SQN below the last: would need OVERFLOW + 1 */
    cr_assert_eq(unprot(p.dev, m, l), AIOTSEC_E_COUNT_EXHAUSTED);
    free_pair(&p);
}

Test(nas_security, algorithms_refused)
{
    aiotsec_ctx *ctx;
    cr_assert_eq(aiotsec_ctx_new(&ctx, NULL, NULL), AIOTSEC_OK);
    aiotsec_nas_sec *s = (aiotsec_nas_sec *)1;
    cr_assert_eq(aiotsec_nas_sec_new(&s, ctx, K, sizeof K, 0, 0, AIOTSEC_NAS_ROLE_DEVICE), AIOTSEC_E_NIA0_REJECTED);
    cr_assert_null(s);
    for (unsigned ia = 1; ia < 300; ia++)
        if (ia != 2 && ia != 8)
            cr_assert_eq(aiotsec_nas_sec_new(&s, ctx, K, sizeof K, ia, 0, AIOTSEC_NAS_ROLE_DEVICE),
                         AIOTSEC_E_UNKNOWN_ALG, "int alg %u", ia);
    for (unsigned ea = 1; ea < 300; ea++)
        if (ea != 2)
            cr_assert_eq(aiotsec_nas_sec_new(&s, ctx, K, sizeof K, 8, ea, AIOTSEC_NAS_ROLE_DEVICE),
                         AIOTSEC_E_UNKNOWN_ALG, "enc alg %u", ea);
    cr_assert_eq(aiotsec_nas_sec_new(&s, ctx, K, 15, 8, 0, AIOTSEC_NAS_ROLE_DEVICE), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_nas_sec_new(&s, ctx, K, 32, 8, 0, AIOTSEC_NAS_ROLE_DEVICE), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_nas_sec_new(&s, ctx, K, sizeof K, 8, 0, 0), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_nas_sec_new(&s, ctx, K, sizeof K, 8, 0, 3), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_nas_sec_new(&s, NULL, K, sizeof K, 8, 0, 1), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_nas_sec_new(&s, ctx, NULL, sizeof K, 8, 0, 1), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_nas_sec_new(NULL, ctx, K, sizeof K, 8, 0, 1), AIOTSEC_E_NULL_ARG);
    aiotsec_ctx_free(ctx);
}

Test(nas_security, plain_and_wrong_direction)
{
    combo c[4];
    size_t nc = combos(c);
    for (size_t k = 0; k < nc; k++) {
        pair p;
        make_pair(&p, c[k].backend, c[k].ia, c[k].ea);
        uint8_t out[64], work[64];
        size_t ol;
        aiotsec_nas_msg m;
        /* Plain COMMAND REQUEST / RESPONSE are refused by a security context. */
        cr_assert_eq(aiotsec_nas_verify_decode(p.dev, REQ, sizeof REQ, work, sizeof work, &m),
                     AIOTSEC_E_NAS_PLAIN_FORBIDDEN);
        cr_assert_eq(aiotsec_nas_verify_decode(p.net, RSP, sizeof RSP, work, sizeof work, &m),
                     AIOTSEC_E_NAS_PLAIN_FORBIDDEN);
        /* A device does not send COMMAND REQUEST; the network does not send COMMAND RESPONSE. */
        cr_assert_eq(aiotsec_nas_protect(p.dev, REQ, sizeof REQ, out, sizeof out, &ol), AIOTSEC_E_WRONG_DIRECTION);
        cr_assert_eq(aiotsec_nas_protect(p.net, RSP, sizeof RSP, out, sizeof out, &ol), AIOTSEC_E_WRONG_DIRECTION);
        uint32_t tx;
        cr_assert_eq(aiotsec_nas_sec_tx_count(p.dev, &tx), AIOTSEC_OK);
        cr_assert_eq(tx, 0);
        /* A message reflected back to its sender fails (DIRECTION is in the MAC). */
        size_t l = protect(p.net, REQ, sizeof REQ, out);
        cr_assert_eq(aiotsec_nas_verify_decode(p.net, out, l, work, sizeof work, &m), AIOTSEC_E_MAC_MISMATCH);
        /* Security header type must be the context's: flipping it is refused before the MAC. */
        l = protect(p.net, REQ, sizeof REQ, out);
        out[1] = c[k].ea ? 1 : 2;
        cr_assert_eq(unprot(p.dev, out, l), AIOTSEC_E_NAS_BAD_SHT);
        out[1] = c[k].ea ? 2 : 1;
        cr_assert_eq(unprot(p.dev, out, l), AIOTSEC_OK);
        free_pair(&p);
    }
}

/* A protected message whose MAC is right but whose plain message travels the other way:
 * built with the receiver's own key material and the sender's DIRECTION by hand. */
Test(nas_security, wrong_direction_after_mac)
{
    aiotsec_ctx *ctx;
    cr_assert_eq(aiotsec_ctx_new(&ctx, "sodium", NULL), AIOTSEC_OK);
    aiotsec_nas_sec *dev;
    cr_assert_eq(aiotsec_nas_sec_new(&dev, ctx, K, sizeof K, 8, 0, AIOTSEC_NAS_ROLE_DEVICE), AIOTSEC_OK);
    uint8_t key[32], msg[64], work[64];
    size_t kl;
    cr_assert_eq(aiotsec_derive_alg_key(ctx, K, sizeof K, AIOTSEC_ALG_INT, 8, key, sizeof key, &kl), AIOTSEC_OK);
    /* COMMAND RESPONSE (a D2R type) protected with DIRECTION 1 (R2D), COUNT 0. */
    memcpy(msg, "\x7a\x01\x00\x00\x00\x00\x00", 7);
    memcpy(msg + 7, RSP, sizeof RSP);
    cr_assert_eq(aiotsec_alg_aia_hs(ctx, key, 32, 0, 0, 1, msg + 6, 1 + sizeof RSP, msg + 2, 4), AIOTSEC_OK);
    aiotsec_nas_msg m;
    cr_assert_eq(aiotsec_nas_verify_decode(dev, msg, 7 + sizeof RSP, work, sizeof work, &m),
                 AIOTSEC_E_WRONG_DIRECTION);
    cr_assert_eq(m.type, 0);
    aiotsec_wipe(key, sizeof key);
    aiotsec_nas_sec_free(dev);
    aiotsec_ctx_free(ctx);
}

Test(nas_security, malformed_protected_and_buffers)
{
    pair p;
    make_pair(&p, "sodium", 8, 0);
    uint8_t m[64], plain[64];
    size_t l = protect(p.net, REQ, sizeof REQ, m), pl = 0;
    for (size_t cut = 0; cut <= 7; cut++)
        cr_assert_eq(unprot(p.dev, m, cut), AIOTSEC_E_NAS_TRUNCATED);
    /* Truncated inside the message: the MAC fails first (nothing is decoded before). */
    cr_assert_eq(unprot(p.dev, m, l - 1), AIOTSEC_E_MAC_MISMATCH);
    cr_assert_eq(aiotsec_nas_unprotect(p.dev, m, l, plain, l - 8, &pl), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(pl, l - 7);
    cr_assert_eq(aiotsec_nas_unprotect(p.dev, m, l, plain, l - 7, &pl), AIOTSEC_OK);
    cr_assert_arr_eq(plain, REQ, sizeof REQ);
    size_t ol = 0;
    cr_assert_eq(aiotsec_nas_protect(p.net, REQ, sizeof REQ, m, sizeof REQ + 6, &ol), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(ol, sizeof REQ + 7);
    /* Protect refuses what does not decode, and messages that would exceed 2048 octets. */
    uint8_t bad[] = {0x7a, 0x00, 0x42, 0x07, 0x09};
    cr_assert_eq(aiotsec_nas_protect(p.net, bad, sizeof bad, m, sizeof m, &ol), AIOTSEC_E_NAS_BAD_COMMAND);
    static uint8_t big[2048], bigout[2100];
    memcpy(big, "\x7a\x00\x42\x09\x03", 5);
    big[5] = 0x7F;
    big[6] = (uint8_t)((2048 - 8) >> 8);
    big[7] = (uint8_t)(2048 - 8);
    cr_assert_eq(aiotsec_nas_protect(p.net, big, 2048, bigout, sizeof bigout, &ol), AIOTSEC_E_NAS_TOO_LONG);
    big[6] = (uint8_t)((2041 - 8) >> 8);
    big[7] = (uint8_t)(2041 - 8);
    cr_assert_eq(aiotsec_nas_protect(p.net, big, 2041, bigout, sizeof bigout, &ol), AIOTSEC_OK);
    cr_assert_eq(ol, 2048);
    cr_assert_eq(aiotsec_nas_unprotect(p.dev, NULL, 8, plain, 64, &pl), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_nas_unprotect(NULL, m, 8, plain, 64, &pl), AIOTSEC_E_NULL_ARG);
    free_pair(&p);
}

Test(nas_security, caller_storage_and_wipe)
{
    aiotsec_ctx *ctx;
    cr_assert_eq(aiotsec_ctx_new(&ctx, "sodium", NULL), AIOTSEC_OK);
    size_t sz = aiotsec_nas_sec_statebytes();
    cr_assert_gt(sz, 32);
    unsigned char *raw = malloc(sz + 32);
    unsigned char *mem = raw + (16 - (uintptr_t)raw % 16) % 16;
    aiotsec_nas_sec *s = NULL;
    cr_assert_eq(aiotsec_nas_sec_init(&s, mem, sz - 1, ctx, K, sizeof K, 8, 0, 1), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_nas_sec_init(&s, mem + 1, sz, ctx, K, sizeof K, 8, 0, 1), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_nas_sec_init(&s, mem, sz, ctx, K, sizeof K, 8, 0, AIOTSEC_NAS_ROLE_NETWORK), AIOTSEC_OK);
    cr_assert_eq((void *)s, (void *)mem);
    /* The AIA-HS key (32 octets of KDF output) is somewhere in the storage. */
    uint8_t key[32];
    size_t kl;
    cr_assert_eq(aiotsec_derive_alg_key(ctx, K, sizeof K, AIOTSEC_ALG_INT, 8, key, 32, &kl), AIOTSEC_OK);
    int found = 0;
    for (size_t i = 0; i + 32 <= sz; i++)
        found |= !memcmp(mem + i, key, 32);
    cr_assert(found);
    uint8_t out[64];
    size_t ol;
    cr_assert_eq(aiotsec_nas_protect(s, REQ, sizeof REQ, out, sizeof out, &ol), AIOTSEC_OK);
    aiotsec_nas_sec_clear(s);
    for (size_t i = 0; i < sz; i++)
        cr_assert_eq(mem[i], 0, "octet %zu not wiped", i);
    /* A cleared context is refused, not used. */
    cr_assert_eq(aiotsec_nas_protect(s, REQ, sizeof REQ, out, sizeof out, &ol), AIOTSEC_E_NULL_ARG);
    aiotsec_nas_sec_free(s); /* ignored: no longer live */
    free(raw);
    aiotsec_wipe(key, sizeof key);
    aiotsec_ctx_free(ctx);
}
