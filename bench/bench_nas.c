/* NAS rows: encode and decode of a COMMAND REQUEST (READ), and its protection
 * (128-NIA2 + 128-NEA2) by the network and verification by the device. The
 * codec does not use the backend: its rows carry the backend name "codec". */
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/testing.h"
#include "bench.h"

typedef struct nas_arg {
    aiotsec_nas_msg msg;
    uint8_t plain[64];
    size_t plain_len;
    uint8_t prot[96];
    size_t prot_len;
    aiotsec_nas_sec *net, *dev;
} nas_arg;

static int run_encode(void *p, size_t iters)
{
    nas_arg *a = p;
    uint8_t out[64];
    size_t len;
    for (size_t i = 0; i < iters; i++) {
        a->msg.offset = (uint16_t)i;
        if (aiotsec_nas_encode(NULL, &a->msg, out, sizeof out, &len) != AIOTSEC_OK)
            return -1;
    }
    return 0;
}

static int run_decode(void *p, size_t iters)
{
    nas_arg *a = p;
    aiotsec_nas_msg m;
    for (size_t i = 0; i < iters; i++)
        if (aiotsec_nas_decode(NULL, a->plain, a->plain_len, &m) != AIOTSEC_OK || m.length != 16)
            return -1;
    return 0;
}

static int run_protect(void *p, size_t iters)
{
    nas_arg *a = p;
    uint8_t out[96];
    size_t len;
    for (size_t i = 0; i < iters; i++) {
        /* Rewind COUNT so a long run never exhausts it (the call is a field store). */
        if (aiotsec_nas_sec_set_tx_count(a->net, 1) != AIOTSEC_OK ||
            aiotsec_nas_protect(a->net, a->plain, a->plain_len, out, sizeof out, &len) != AIOTSEC_OK)
            return -1;
    }
    return 0;
}

static int run_unprotect(void *p, size_t iters)
{
    nas_arg *a = p;
    uint8_t out[96];
    size_t len;
    for (size_t i = 0; i < iters; i++) {
        /* The message carries COUNT 1: step the receive COUNT back so it is fresh again. */
        if (aiotsec_nas_sec_set_rx_last_count(a->dev, 0) != AIOTSEC_OK ||
            aiotsec_nas_unprotect(a->dev, a->prot, a->prot_len, out, sizeof out, &len) != AIOTSEC_OK)
            return -1;
    }
    return 0;
}

int bench_run_nas(bench_rows *rows, const char *backend, const bench_opts *o)
{
    nas_arg a;
    memset(&a, 0, sizeof a);
    a.msg.type = AIOTSEC_NAS_COMMAND_REQUEST;
    a.msg.transaction_id = 7;
    a.msg.command = AIOTSEC_CMD_READ;
    a.msg.offset = 0;
    a.msg.length = 16;
    if (aiotsec_nas_encode(NULL, &a.msg, a.plain, sizeof a.plain, &a.plain_len) != AIOTSEC_OK)
        return -1;
    if (!backend) {
        bench_add_row(rows, "nas_encode", "codec", 1, bench_measure(run_encode, &a, 1, o->target_ms, o->reps));
        bench_add_row(rows, "nas_decode", "codec", 1, bench_measure(run_decode, &a, 1, o->target_ms, o->reps));
        return 0;
    }
    aiotsec_ctx *ctx = NULL;
    if (aiotsec_ctx_new(&ctx, backend, NULL) != AIOTSEC_OK)
        return -1;
    uint8_t kaiotf[AIOTSEC_KAIOTF_LEN];
    uint64_t seed = 7;
    bench_fill(&seed, kaiotf, sizeof kaiotf);
    int rc = aiotsec_nas_sec_new(&a.net, ctx, kaiotf, sizeof kaiotf, AIOTSEC_NIA2, AIOTSEC_NEA2,
                                 AIOTSEC_NAS_ROLE_NETWORK);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_nas_sec_new(&a.dev, ctx, kaiotf, sizeof kaiotf, AIOTSEC_NIA2, AIOTSEC_NEA2,
                                 AIOTSEC_NAS_ROLE_DEVICE);
    if (rc == AIOTSEC_OK && (aiotsec_nas_sec_set_tx_count(a.net, 1) != AIOTSEC_OK ||
                             aiotsec_nas_protect(a.net, a.plain, a.plain_len, a.prot, sizeof a.prot,
                                                 &a.prot_len) != AIOTSEC_OK))
        rc = -1;
    if (rc == AIOTSEC_OK) {
        bench_add_row(rows, "nas_protect", backend, 1, bench_measure(run_protect, &a, 1, o->target_ms, o->reps));
        bench_add_row(rows, "nas_unprotect", backend, 1,
                      bench_measure(run_unprotect, &a, 1, o->target_ms, o->reps));
    }
    aiotsec_nas_sec_free(a.net);
    aiotsec_nas_sec_free(a.dev);
    aiotsec_wipe(kaiotf, sizeof kaiotf);
    aiotsec_ctx_free(ctx);
    /* A backend without AES (native) has no NIA2/NEA2: no rows, not an error. */
    return rc == AIOTSEC_OK || rc == AIOTSEC_E_UNSUPPORTED ? 0 : -1;
}
