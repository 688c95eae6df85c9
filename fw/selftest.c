/* The firmware self-test: every device-relevant vector of ../shared/vectors
 * (compiled in by fw/tools/gen_vectors.py) through the device-only library on
 * the tag's core, under qemu-system-arm (or natively, tests/fw).
 *
 * Command line (semihosting, -semihosting-config enable=on,arg=...):
 *   (none)                     run the vectors; "N passed, N failed" last; exit 0 when none failed
 *   res KROOT RAND_N RAND_D    RES_AIOT (hex, on its own line) computed by the device role:
 *                              a device with K_AIOT_root = KROOT whose TRNG yields RAND_D
 *                              answers a paging with RAND_N; exit 0
 *   bench                      the instruction-count markers (fw/tools/fw_insns.py)
 *
 * What each file checks:
 *   hmac-sha256-rfc4231   aiotsec_hmac_sha256 over the portable backend
 *   kdf-ts33220           aiotsec_kdf
 *   aiot-profile0         derive_res / derive_kaiotf / derive_alg_key (AIA-HS, NIA2, NEA2 keys);
 *                         then the device role end to end: the paging's AUTHENTICATION
 *                         RESPONSE carries the row's RES_AIOT, and a READ protected by a
 *                         network context made from the row's K_AIOTF is verified, executed
 *                         and answered by the device (its K_AIOTF and K_int midstates are right)
 *   aiot-nas-profile0     the plain message decodes and re-encodes; the sender protects it
 *                         byte-exact at the row's COUNT, the receiver gets the plain message
 *                         back and refuses the copy with its last octet flipped. Rows with
 *                         NIA2/NEA2 in a build without AES: the context must refuse them
 *                         (AIOTSEC_E_UNSUPPORTED), which is what is checked there
 *   aiot-filter-profile0  aiotsec_filter_match, and a device with the row's Permanent
 *                         Identifier answers a paging with that filter exactly when it matches */
#include <string.h>

#include "aiotsec/context.h"
#include "aiotsec/derive.h"
#include "aiotsec/device.h"
#include "aiotsec/filter.h"
#include "aiotsec/kdf.h"
#include "aiotsec/nas.h"
#include "aiotsec/nas_algs.h"
#include "aiotsec/nas_security.h"
#include "aiotsec/portable.h"
#include "aiotsec/status.h"
#include "aiotsec/testing.h"
#include "fw.h"
#include "selftest_vectors.h"

void aiot_portable_sha256_compress(uint32_t h[8], const uint8_t *blocks, size_t nblocks);

static _Alignas(AIOTSEC_CTX_ALIGN) unsigned char ctx_mem[AIOTSEC_CTX_STORAGE_SIZE];
static _Alignas(AIOTSEC_DEVICE_ALIGN) unsigned char dev_mem[2048];
static _Alignas(AIOTSEC_NAS_SEC_ALIGN) unsigned char sec_a[1280], sec_b[1280];
static const aiotsec_ctx *ctx;
static unsigned passed, failed;

static int same(const uint8_t *a, size_t an, struct fw_bytes b)
{
    return an == b.n && (an == 0 || memcmp(a, b.p, an) == 0);
}

static void check(const char *file, unsigned row, const char *what, int ok)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    fw_puts("FAIL ");
    fw_puts(file);
    fw_puts(" row ");
    fw_put_uint(row + 1);
    fw_puts(": ");
    fw_puts(what);
    fw_puts("\n");
}

/* The TRNG of the test devices: it yields the vector's RAND_AIOT_d. */
static struct fw_bytes next_rand;
static int test_trng(void *user, uint8_t *out, size_t len)
{
    (void)user;
    if (len != next_rand.n)
        return AIOTSEC_E_BAD_LENGTH;
    memcpy(out, next_rand.p, len);
    return AIOTSEC_OK;
}

static uint8_t memory[32];

static int make_device(aiotsec_device **dev, const uint8_t *perm, size_t perm_len, const uint8_t *k, size_t klen)
{
    aiotsec_device_config cfg;
    int rc = aiotsec_device_config_init(&cfg, ctx);
    cfg.perm_id = perm;
    cfg.perm_id_len = perm_len;
    cfg.k_root = k;
    cfg.k_root_len = klen;
    cfg.memory = memory;
    cfg.memory_len = sizeof memory;
    cfg.rand = test_trng;
    if (rc == AIOTSEC_OK)
        rc = aiotsec_device_init(dev, dev_mem, sizeof dev_mem, ctx, &cfg);
    return rc;
}

static void run_hmac(void)
{
    for (unsigned i = 0; i < fw_hmac_count; i++) {
        const struct fw_hmac_vec *v = &fw_hmac[i];
        uint8_t mac[32];
        int rc = aiotsec_hmac_sha256(ctx, v->key.p, v->key.n, v->data.p, v->data.n, mac, sizeof mac);
        check("hmac-sha256-rfc4231", i, "HMAC", rc == AIOTSEC_OK && same(mac, sizeof mac, v->mac));
    }
}

static void run_kdf(void)
{
    for (unsigned i = 0; i < fw_kdf_count; i++) {
        const struct fw_kdf_vec *v = &fw_kdf[i];
        aiotsec_kdf_param p[2] = {{v->p0.p, v->p0.n}, {v->p1.p, v->p1.n}};
        uint8_t out[32];
        int rc = aiotsec_kdf(ctx, v->key.p, v->key.n, v->fc, p, 2, out, v->out.n);
        check("kdf-ts33220", i, "KDF", rc == AIOTSEC_OK && same(out, v->out.n, v->out));
    }
}

static const uint8_t test_perm[] = {0x46, 0x57, 0x2d, 0x54, 0x41, 0x47}; /* "FW-TAG" */

static void run_profile(void)
{
    const char *f = "aiot-profile0";
    for (unsigned i = 0; i < fw_profile_count; i++) {
        const struct fw_profile_vec *v = &fw_profile[i];
        uint8_t b[32], auth[64], req[64], resp[64], plain[64];
        size_t n = 0;
        int rc = aiotsec_derive_res(ctx, v->k_root.p, v->k_root.n, v->rand_n.p, v->rand_n.n, v->rand_d.p,
                                    v->rand_d.n, b, sizeof b);
        check(f, i, "RES_AIOT", rc == AIOTSEC_OK && same(b, aiotsec_derive_res_bytes(ctx), v->res));
        rc = aiotsec_derive_kaiotf(ctx, v->k_root.p, v->k_root.n, v->rand_n.p, v->rand_n.n, v->rand_d.p,
                                   v->rand_d.n, b, sizeof b);
        check(f, i, "K_AIOTF", rc == AIOTSEC_OK && same(b, AIOTSEC_KAIOTF_LEN, v->k_aiotf));
        rc = aiotsec_derive_alg_key(ctx, v->k_aiotf.p, v->k_aiotf.n, AIOTSEC_ALG_INT, 8, b, sizeof b, &n);
        check(f, i, "K_int AIA-HS", rc == AIOTSEC_OK && same(b, n, v->k_int_hs));
        rc = aiotsec_derive_alg_key(ctx, v->k_aiotf.p, v->k_aiotf.n, AIOTSEC_ALG_INT, AIOTSEC_NIA2, b, sizeof b, &n);
        check(f, i, "K_int 128-NIA2", rc == AIOTSEC_OK && same(b, n, v->k_int_nia2));
        rc = aiotsec_derive_alg_key(ctx, v->k_aiotf.p, v->k_aiotf.n, AIOTSEC_ALG_ENC, AIOTSEC_NEA2, b, sizeof b, &n);
        check(f, i, "K_enc 128-NEA2", rc == AIOTSEC_OK && same(b, n, v->k_enc_nea2));

        /* The device role: paging, then a READ from a network context made from K_AIOTF. */
        aiotsec_device *dev = NULL;
        next_rand = v->rand_d;
        for (unsigned k = 0; k < sizeof memory; k++)
            memory[k] = (uint8_t)(i * 32 + k);
        rc = make_device(&dev, test_perm, sizeof test_perm, v->k_root.p, v->k_root.n);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_device_on_paging(dev, v->rand_n.p, v->rand_n.n, test_perm, sizeof test_perm, NULL, 0,
                                          auth, sizeof auth, &n);
        aiotsec_nas_msg m;
        int ok = rc == AIOTSEC_OK && aiotsec_nas_decode(NULL, auth, n, &m) == AIOTSEC_OK &&
                 m.type == AIOTSEC_NAS_AUTH_RESPONSE && same(m.res, m.res_len, v->res) &&
                 same(m.rand_d, m.rand_d_len, v->rand_d);
        check(f, i, "device AUTHENTICATION RESPONSE", ok);
        aiotsec_nas_sec *net = NULL;
        memset(&m, 0, sizeof m);
        m.type = AIOTSEC_NAS_COMMAND_REQUEST;
        m.transaction_id = (uint8_t)(7 + i);
        m.command = AIOTSEC_CMD_READ;
        m.offset = 4;
        m.length = 8;
        size_t rl = 0, sl = 0;
        rc = aiotsec_nas_sec_init(&net, sec_a, sizeof sec_a, ctx, v->k_aiotf.p, v->k_aiotf.n, 8, 0,
                                  AIOTSEC_NAS_ROLE_NETWORK);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_nas_protect_msg(net, &m, req, sizeof req, &rl);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_device_on_command(dev, req, rl, resp, sizeof resp, &sl);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_nas_verify_decode(net, resp, sl, plain, sizeof plain, &m);
        ok = rc == AIOTSEC_OK && m.type == AIOTSEC_NAS_COMMAND_RESPONSE && m.transaction_id == 7 + i &&
             m.status == AIOTSEC_CMD_STATUS_SUCCESS && m.data_len == 8 && memcmp(m.data, memory + 4, 8) == 0;
        check(f, i, "device READ with K_AIOTF", ok);
        aiotsec_nas_sec_clear(net);
        aiotsec_device_clear(dev);
    }
}

static void run_nas(void)
{
    const char *f = "aiot-nas-profile0";
    for (unsigned i = 0; i < fw_nas_count; i++) {
        const struct fw_nas_vec *v = &fw_nas[i];
        aiotsec_nas_msg m;
        uint8_t buf[128], back[128];
        size_t n = 0;
        int rc = aiotsec_nas_decode(NULL, v->plain.p, v->plain.n, &m);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_nas_encode(NULL, &m, buf, sizeof buf, &n);
        check(f, i, "decode and re-encode", rc == AIOTSEC_OK && same(buf, n, v->plain));
        if (v->count < 0)
            continue;
        int sender = v->direction == 1 ? AIOTSEC_NAS_ROLE_NETWORK : AIOTSEC_NAS_ROLE_DEVICE;
        int receiver = sender == AIOTSEC_NAS_ROLE_NETWORK ? AIOTSEC_NAS_ROLE_DEVICE : AIOTSEC_NAS_ROLE_NETWORK;
        aiotsec_nas_sec *tx = NULL, *rx = NULL;
        rc = aiotsec_nas_sec_init(&tx, sec_a, sizeof sec_a, ctx, v->k_aiotf.p, v->k_aiotf.n,
                                  (unsigned)v->int_alg, (unsigned)v->enc_alg, sender);
        int aes = v->int_alg == AIOTSEC_NIA2 || v->enc_alg == AIOTSEC_NEA2;
        if (aes && !(aiotsec_ctx_caps(ctx) & AIOTSEC_CAP_AES128)) {
            check(f, i, "AES row refused without AES", rc == AIOTSEC_E_UNSUPPORTED);
            continue;
        }
        if (rc == AIOTSEC_OK)
            rc = aiotsec_nas_sec_set_tx_count(tx, (uint32_t)v->count);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_nas_protect(tx, v->plain.p, v->plain.n, buf, sizeof buf, &n);
        check(f, i, "protect", rc == AIOTSEC_OK && same(buf, n, v->prot));
        rc = aiotsec_nas_sec_init(&rx, sec_b, sizeof sec_b, ctx, v->k_aiotf.p, v->k_aiotf.n,
                                  (unsigned)v->int_alg, (unsigned)v->enc_alg, receiver);
        if (rc == AIOTSEC_OK && v->count > 0)
            rc = aiotsec_nas_sec_set_rx_last_count(rx, (uint32_t)v->count - 1);
        /* A tampered copy first: refused, and the receive COUNT does not move. */
        memcpy(buf, v->prot.p, v->prot.n);
        buf[v->prot.n - 1] ^= 1;
        int bad = rc == AIOTSEC_OK ? aiotsec_nas_unprotect(rx, buf, v->prot.n, back, sizeof back, &n) : rc;
        check(f, i, "tampered copy refused", bad == AIOTSEC_E_MAC_MISMATCH);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_nas_unprotect(rx, v->prot.p, v->prot.n, back, sizeof back, &n);
        check(f, i, "unprotect", rc == AIOTSEC_OK && same(back, n, v->plain));
        aiotsec_nas_sec_clear(tx);
        aiotsec_nas_sec_clear(rx);
    }
}

static void run_filter(void)
{
    const char *f = "aiot-filter-profile0";
    static const uint8_t k[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t rn[16] = {0xA1};
    static const uint8_t rd[16] = {0xD1};
    for (unsigned i = 0; i < fw_filter_count; i++) {
        const struct fw_filter_vec *v = &fw_filter[i];
        int match = -1;
        int rc = aiotsec_filter_match(NULL, v->filter.p, v->filter.n, v->perm_id.p, v->perm_id.n, &match);
        check(f, i, "filter match", rc == AIOTSEC_OK && match == v->match);
        aiotsec_device *dev = NULL;
        uint8_t out[64];
        size_t n = 0;
        next_rand.p = rd;
        next_rand.n = sizeof rd;
        rc = make_device(&dev, v->perm_id.p, v->perm_id.n, k, sizeof k);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_device_on_paging(dev, rn, sizeof rn, NULL, 0, v->filter.p, v->filter.n, out, sizeof out, &n);
        int ok = v->match ? rc == AIOTSEC_OK && n > 0 : rc == AIOTSEC_E_NOT_ADDRESSED && n == 0;
        check(f, i, "device paged by filter", ok);
        aiotsec_device_clear(dev);
    }
}

static void report(const char *name, unsigned before_pass, unsigned before_fail)
{
    fw_puts(name);
    fw_puts(": ");
    fw_put_uint(passed - before_pass);
    fw_puts(" checks passed, ");
    fw_put_uint(failed - before_fail);
    fw_puts(" failed\n");
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_hex(const char *s, size_t slen, uint8_t *out, size_t cap, size_t *out_len)
{
    if (slen % 2 || slen / 2 > cap)
        return -1;
    for (size_t i = 0; i < slen / 2; i++) {
        int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = slen / 2;
    return 0;
}

/* RES_AIOT through the device role, for `res KROOT RAND_N RAND_D`. */
static int cmd_res(const char *line)
{
    const char *tok[3];
    size_t len[3];
    for (unsigned t = 0; t < 3; t++) {
        while (*line == ' ')
            line++;
        tok[t] = line;
        while (*line && *line != ' ')
            line++;
        len[t] = (size_t)(line - tok[t]);
    }
    while (*line == ' ')
        line++;
    uint8_t k[32], rn[16], rd[16], out[64];
    size_t kl = 0, rnl = 0, rdl = 0, n = 0;
    if (*line || parse_hex(tok[0], len[0], k, sizeof k, &kl) || parse_hex(tok[1], len[1], rn, sizeof rn, &rnl) ||
        parse_hex(tok[2], len[2], rd, sizeof rd, &rdl)) {
        fw_puts("usage: res KROOT_HEX RAND_N_HEX RAND_D_HEX\n");
        return 2;
    }
    next_rand.p = rd;
    next_rand.n = (uint16_t)rdl;
    aiotsec_device *dev = NULL;
    int rc = make_device(&dev, test_perm, sizeof test_perm, k, kl);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_device_on_paging(dev, rn, rnl, test_perm, sizeof test_perm, NULL, 0, out, sizeof out, &n);
    aiotsec_nas_msg m;
    if (rc == AIOTSEC_OK)
        rc = aiotsec_nas_decode(NULL, out, n, &m);
    aiotsec_device_clear(dev);
    aiotsec_wipe(k, sizeof k);
    if (rc != AIOTSEC_OK) {
        fw_puts("res: ");
        fw_puts(aiotsec_status_name(rc));
        fw_puts("\n");
        return 1;
    }
    fw_put_hex(m.res, m.res_len);
    fw_puts("\n");
    return 0;
}

/* Markers for the instruction counter: one SHA-256 block, then eight; with AES,
 * one AES-128 key expansion, then one block. */
static int cmd_bench(void)
{
    static uint8_t blocks[8 * 64];
    uint32_t h[8] = {0};
    fw_puts("bench: marks 1-2 one block, 2-3 eight blocks, 3-4 AES key, 4-5 AES block\n");
    fw_mark(1);
    aiot_portable_sha256_compress(h, blocks, 1);
    fw_mark(2);
    aiot_portable_sha256_compress(h, blocks, 8);
    fw_mark(3);
    const aiotsec_backend *be = aiotsec_backend_portable();
    if (be->aes128_init) {
        static _Alignas(16) unsigned char st[AIOTSEC_PORTABLE_AES_STATE_SIZE];
        be->aes128_init(NULL, st, blocks);
        fw_mark(4);
        be->aes128_encrypt(NULL, st, blocks, blocks);
        fw_mark(5);
    }
    return h[0] == 0x12345678u; /* keeps the work; 0 whatever the value (almost surely) */
}

int main(void); /* (fw_selftest_main in the host build, tests/fw/host_fw.c) */
int main(void)
{
    static char line[256];
    aiotsec_ctx *c = NULL;
    if (aiotsec_ctx_init(&c, ctx_mem, sizeof ctx_mem, aiotsec_backend_portable(), NULL) != AIOTSEC_OK ||
        aiotsec_device_statebytes() > sizeof dev_mem || aiotsec_nas_sec_statebytes() > sizeof sec_a) {
        fw_puts("selftest: setup failed\n");
        return 1;
    }
    ctx = c;
    if (fw_cmdline(line, sizeof line) == 0) {
        if (strncmp(line, "res ", 4) == 0)
            return cmd_res(line + 4);
        if (strcmp(line, "bench") == 0)
            return cmd_bench();
    }
    fw_puts("selftest: backend ");
    fw_puts(aiotsec_ctx_backend_name(ctx));
    fw_puts(aiotsec_ctx_caps(ctx) & AIOTSEC_CAP_AES128 ? " with AES" : " without AES");
    fw_puts(", device storage ");
    fw_put_uint((uint32_t)aiotsec_device_statebytes());
    fw_puts(" octets\n");
    unsigned p = passed, q = failed;
    run_hmac();
    report("hmac-sha256-rfc4231.tsv", p, q);
    p = passed, q = failed;
    run_kdf();
    report("kdf-ts33220.tsv", p, q);
    p = passed, q = failed;
    run_profile();
    report("aiot-profile0.tsv", p, q);
    p = passed, q = failed;
    run_nas();
    report("aiot-nas-profile0.tsv", p, q);
    p = passed, q = failed;
    run_filter();
    report("aiot-filter-profile0.tsv", p, q);
    fw_puts("stack peak ");
    fw_put_uint(fw_stack_peak());
    fw_puts(" octets\n");
    fw_put_uint(passed);
    fw_puts(" passed, ");
    fw_put_uint(failed);
    fw_puts(" failed\n");
    return failed || !passed;
}
