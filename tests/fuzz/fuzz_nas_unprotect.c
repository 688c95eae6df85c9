/* libFuzzer: the receiving side of a security context. The first octet picks the
 * role, the algorithms (NIA2/NEA2 only when a backend has AES) and whether a
 * receive COUNT is already set; the rest is the received message.
 * Oracles: (1) a fuzzed message is never accepted unless it is what an honest
 * sender with the same key produces (checked by re-protecting the decoded plain
 * message with the rebuilt COUNT); (2) a fuzzed input that decodes as a plain
 * message travelling the right way survives protect -> verify_decode intact. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/testing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t K[AIOTSEC_KAIOTF_LEN] = {0x69, 0x34, 0x22, 0x69, 0x68, 0xea, 0x92, 0x4b,
                                              0x40, 0x2c, 0x5c, 0xcf, 0xf1, 0x5b, 0x27, 0x2b};

static aiotsec_ctx *ctx_hs, *ctx_aes;

static void init(void)
{
    if (ctx_hs)
        return;
    if (aiotsec_ctx_new(&ctx_hs, "sodium", NULL) != AIOTSEC_OK)
        abort();
    if (aiotsec_ctx_new(&ctx_aes, "openssl", NULL) != AIOTSEC_OK)
        ctx_aes = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t work[4096], prot[4096], work2[4096];
    init();
    if (size < 1)
        return 0;
    uint8_t cfg = data[0];
    data++, size--;
    int rx_role = cfg & 1 ? AIOTSEC_NAS_ROLE_DEVICE : AIOTSEC_NAS_ROLE_NETWORK;
    int tx_role = rx_role == AIOTSEC_NAS_ROLE_DEVICE ? AIOTSEC_NAS_ROLE_NETWORK : AIOTSEC_NAS_ROLE_DEVICE;
    unsigned ia = cfg & 2 ? 2 : 8, ea = cfg & 4 ? 2 : 0;
    const aiotsec_ctx *ctx = (ia == 2 || ea == 2) ? ctx_aes : ctx_hs;
    if (!ctx)
        return 0;
    aiotsec_nas_sec *rx, *tx;
    if (aiotsec_nas_sec_new(&rx, ctx, K, sizeof K, ia, ea, rx_role) != AIOTSEC_OK ||
        aiotsec_nas_sec_new(&tx, ctx, K, sizeof K, ia, ea, tx_role) != AIOTSEC_OK)
        abort();
    if (cfg & 8)
        (void)aiotsec_nas_sec_set_rx_last_count(rx, (uint32_t)(cfg >> 4) << 8 | 0x80);

    aiotsec_nas_msg m;
    int rc = aiotsec_nas_verify_decode(rx, data, size, work, sizeof work, &m);
    if (rc == AIOTSEC_OK) {
        /* Accepted: an honest sender must produce exactly these octets. */
        uint32_t count;
        size_t ol;
        if (aiotsec_nas_sec_rx_last_count(rx, &count) != AIOTSEC_OK ||
            aiotsec_nas_sec_set_tx_count(tx, count) != AIOTSEC_OK ||
            aiotsec_nas_protect(tx, work, size - 7, prot, sizeof prot, &ol) != AIOTSEC_OK ||
            ol != size || memcmp(prot, data, size))
            abort();
    }

    /* Round trip of the input read as a plain message. */
    aiotsec_nas_msg pm;
    if (aiotsec_nas_decode(NULL, data, size, &pm) == AIOTSEC_OK) {
        aiotsec_nas_sec *tx2, *rx2;
        if (aiotsec_nas_sec_new(&tx2, ctx, K, sizeof K, ia, ea, tx_role) != AIOTSEC_OK ||
            aiotsec_nas_sec_new(&rx2, ctx, K, sizeof K, ia, ea, rx_role) != AIOTSEC_OK)
            abort();
        size_t ol = 0;
        rc = aiotsec_nas_protect(tx2, data, size, prot, sizeof prot, &ol);
        if (rc == AIOTSEC_OK) {
            aiotsec_nas_msg back;
            if (aiotsec_nas_verify_decode(rx2, prot, ol, work2, sizeof work2, &back) != AIOTSEC_OK ||
                back.type != pm.type || memcmp(work2, data, size))
                abort();
        } else if (rc != AIOTSEC_E_WRONG_DIRECTION && rc != AIOTSEC_E_NAS_TOO_LONG) {
            abort();
        }
        aiotsec_nas_sec_free(tx2);
        aiotsec_nas_sec_free(rx2);
    }
    aiotsec_nas_sec_free(rx);
    aiotsec_nas_sec_free(tx);
    return 0;
}
