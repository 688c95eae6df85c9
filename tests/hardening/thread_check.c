/* Thread check: many threads share ONE context, ONE in-memory key store and ONE
 * ADM (whose group answers use ONE shared worker pool), and derive and verify at
 * the same time: named and filtered getAuthentication (each thread with its own
 * answer), batches of named devices (alone and on the pool), getSessionKey,
 * getTid (the store's T-IDs are locked), the store's MAC, raw and prepared
 * verifies (prepared keys made once, shared read-only); batch calls with their
 * own worker threads, and batch calls on the shared worker pool, run concurrently too. Built once more with -fsanitize=thread (stage 45),
 * where ThreadSanitizer reports any data race; in the ordinary build it is a
 * correctness test (every thread must get the single-threaded answers).
 *
 * Usage: thread_check [BACKEND...]  (default: every built-in backend). Exit 0 ok, 1 wrong result. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"

#define NDEV 640u /* more than two grains: pool workers take part, not just the caller */
#define NTHREADS 8u
#define ROUNDS 2u

typedef struct device {
    uint8_t perm_id[5], k_root[32];
    size_t k_root_len;
    uint8_t res[32], kaiotf[16];
} device;

typedef struct shared {
    const aiotsec_ctx *ctx;
    const aiotsec_adm *adm, *adm_alone;
    aiotsec_keystore ks;
    aiotsec_prepared_key *const *pk; /* one per device, shared */
    const device *dev;
    uint8_t rand_n[32], rand_d[32];
    size_t rn, rd, res_len;
    const aiotsec_batch_item *items;
    aiotsec_batch_pool *pool; /* one worker pool shared by every thread (calls take turns) */
    size_t n_good; /* items[0..n_good) carry the right RES, the rest a wrong one */
} shared;

typedef struct worker {
    const shared *sh;
    unsigned id;
    size_t errors, ops;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    const shared *sh = w->sh;
    aiotsec_auth_answer *ans = NULL;
    if (aiotsec_auth_answer_new(&ans, NDEV) != AIOTSEC_OK) {
        w->errors++;
        return NULL;
    }
    for (unsigned round = 0; round < ROUNDS; round++) {
        aiotsec_adm_request rq;
        memset(&rq, 0, sizeof rq);
        rq.rand_n = sh->rand_n;
        rq.rand_n_len = sh->rn;
        rq.rand_d = sh->rand_d;
        rq.rand_d_count = 1;
        for (size_t k = 0; k < NDEV; k++) {
            const device *d = &sh->dev[(k + w->id * 31u) % NDEV];
            uint8_t kaiotf[16];
            /* ADM: getAuthentication for the named device, through the shared key store. */
            rq.perm_id = d->perm_id;
            rq.perm_id_len = sizeof d->perm_id;
            int rc = aiotsec_adm_get_authentication(sh->adm, &rq, ans);
            const uint8_t *xres = NULL, *perm = NULL;
            size_t xl = 0, pl = 0;
            if (rc == AIOTSEC_OK)
                rc = aiotsec_auth_answer_entry(ans, 0, 0, &xres, &xl, &perm, &pl);
            if (rc != AIOTSEC_OK || xl != sh->res_len || memcmp(xres, d->res, sh->res_len) != 0 || perm)
                w->errors++;
            /* ADM: getSessionKey. */
            rc = aiotsec_adm_get_session_key(sh->adm, d->perm_id, sizeof d->perm_id, sh->rand_n, sh->rn,
                                             sh->rand_d, sh->rd, kaiotf, sizeof kaiotf);
            if (rc != AIOTSEC_OK || memcmp(kaiotf, d->kaiotf, sizeof kaiotf) != 0)
                w->errors++;
            /* Raw verify with the shared context, and the prepared key owned by the store. */
            if (aiotsec_verify_res(sh->ctx, d->k_root, d->k_root_len, sh->rand_n, sh->rn, sh->rand_d,
                                   sh->rd, d->res, sh->res_len) != AIOTSEC_OK)
                w->errors++;
            if (aiotsec_prepared_verify_res(sh->pk[(k + w->id * 31u) % NDEV], sh->rand_n, sh->rn, sh->rand_d, sh->rd,
                                            d->res, sh->res_len) != AIOTSEC_OK)
                w->errors++;
            /* The store's own MAC (keys that never leave it). */
            uint8_t s[64] = {0xee}, mac[32];
            if (sh->ks.mac_by_perm_id(sh->ks.user, d->perm_id, sizeof d->perm_id, s, sizeof s, mac) != AIOTSEC_OK)
                w->errors++;
            /* getTid: the one thing the key-store table writes. */
            if (k % 16 == 0) {
                aiotsec_tid_info t;
                if (aiotsec_adm_get_tid(sh->adm, d->perm_id, sizeof d->perm_id, (int)(k & 32), &t) != AIOTSEC_OK)
                    w->errors++;
            }
            w->ops += 4;
        }
        /* A group getAuthentication over the whole store (one filter), on the shared pool. */
        static const uint8_t all[] = {8, 'P'};
        rq.perm_id = NULL;
        rq.filter = all;
        rq.filter_len = sizeof all;
        int rc = aiotsec_adm_get_authentication(sh->adm, &rq, ans);
        if (rc != AIOTSEC_OK || aiotsec_auth_answer_entry_count(ans) != NDEV)
            w->errors++;
        for (size_t i = 0; i < NDEV && rc == AIOTSEC_OK; i++) {
            const uint8_t *xres = NULL, *perm = NULL;
            size_t xl = 0, pl = 0;
            if (aiotsec_auth_answer_entry(ans, 0, i, &xres, &xl, &perm, &pl) != AIOTSEC_OK || pl != 5 ||
                memcmp(xres, sh->dev[i].res, sh->res_len) != 0 || memcmp(perm, sh->dev[i].perm_id, 5) != 0)
                w->errors++;
        }
        rq.filter = NULL;
        w->ops += NDEV;
        /* Every device named in one batch, with and without the shared pool. */
        static _Thread_local aiotsec_adm_named named[NDEV];
        static _Thread_local uint8_t nx[NDEV * 32];
        static _Thread_local int nres[NDEV];
        for (size_t i = 0; i < NDEV; i++)
            named[i] = (aiotsec_adm_named){sh->dev[i].perm_id, sizeof sh->dev[i].perm_id, sh->rand_n, sh->rn,
                                           sh->rand_d, sh->rd};
        for (int pass = 0; pass < 2; pass++) {
            size_t n_named = 0;
            rc = aiotsec_adm_get_authentication_named(pass ? sh->adm : sh->adm_alone, named, NDEV, nx, sizeof nx,
                                                      nres, &n_named);
            if (rc != AIOTSEC_OK || n_named != NDEV)
                w->errors++;
            for (size_t i = 0; i < NDEV; i++)
                if (nres[i] != AIOTSEC_OK || memcmp(nx + i * sh->res_len, sh->dev[i].res, sh->res_len) != 0)
                    w->errors++;
            w->ops += NDEV;
        }
        /* A batch with its own worker threads, while the other workers run. */
        int results[NDEV];
        size_t n_ok = 0;
        rc = aiotsec_batch_verify_res(sh->ctx, sh->items, NDEV, results, 3, &n_ok);
        if (rc != AIOTSEC_OK || n_ok != sh->n_good)
            w->errors++;
        for (size_t i = 0; i < NDEV; i++)
            if ((results[i] == AIOTSEC_OK) != (i < sh->n_good))
                w->errors++;
        w->ops += NDEV;
        /* The same batch on the shared worker pool, concurrently with the other threads. */
        n_ok = 0;
        rc = aiotsec_batch_pool_verify_res(sh->ctx, sh->pool, sh->items, NDEV, results, &n_ok);
        if (rc != AIOTSEC_OK || n_ok != sh->n_good)
            w->errors++;
        uint8_t xres[NDEV * 32];
        rc = aiotsec_batch_pool_derive_res(sh->ctx, sh->pool, sh->items, NDEV, xres, sizeof xres, results);
        for (size_t i = 0; i < NDEV; i++)
            if (rc != AIOTSEC_OK || results[i] != AIOTSEC_OK ||
                memcmp(xres + i * sh->res_len, sh->dev[i].res, sh->res_len) != 0)
                w->errors++;
        w->ops += 2 * NDEV;
    }
    aiotsec_auth_answer_free(ans);
    return NULL;
}

static int run_backend(const char *be)
{
    aiotsec_ctx *ctx = NULL;
    if (aiotsec_ctx_new(&ctx, be, NULL) != AIOTSEC_OK) {
        fprintf(stderr, "thread_check: no backend %s\n", be);
        return 1;
    }
    static device dev[NDEV];
    shared sh;
    memset(&sh, 0, sizeof sh);
    sh.ctx = ctx;
    sh.dev = dev;
    sh.rn = aiotsec_derive_rand_n_bytes(ctx);
    sh.rd = aiotsec_derive_rand_d_bytes(ctx);
    sh.res_len = aiotsec_derive_res_bytes(ctx);
    int bad = aiotsec_gen_rand_n(ctx, sh.rand_n, sizeof sh.rand_n) != AIOTSEC_OK ||
              aiotsec_gen_rand_d(ctx, sh.rand_d, sizeof sh.rand_d) != AIOTSEC_OK;

    aiotsec_memstore *store = NULL;
    bad |= aiotsec_memstore_new(&store, ctx, NDEV) != AIOTSEC_OK;
    for (size_t i = 0; i < NDEV && !bad; i++) {
        device *d = &dev[i];
        /* 'P' || i big-endian: the store's sorted order is the index order. */
        d->perm_id[0] = 'P';
        d->perm_id[1] = 0xA0;
        d->perm_id[2] = (uint8_t)(i >> 16);
        d->perm_id[3] = (uint8_t)(i >> 8);
        d->perm_id[4] = (uint8_t)i;
        d->k_root_len = (i & 1) ? 32 : 16;
        bad |= aiotsec_random(ctx, d->k_root, d->k_root_len) != AIOTSEC_OK;
        bad |= aiotsec_memstore_add(store, d->perm_id, sizeof d->perm_id, d->k_root, d->k_root_len) != AIOTSEC_OK;
        /* Single-threaded reference answers. */
        bad |= aiotsec_derive_res(ctx, d->k_root, d->k_root_len, sh.rand_n, sh.rn, sh.rand_d, sh.rd,
                                  d->res, sizeof d->res) != AIOTSEC_OK;
        bad |= aiotsec_derive_kaiotf(ctx, d->k_root, d->k_root_len, sh.rand_n, sh.rn, sh.rand_d,
                                     sh.rd, d->kaiotf, sizeof d->kaiotf) != AIOTSEC_OK;
    }
    bad |= !store || aiotsec_memstore_keystore(store, &sh.ks) != AIOTSEC_OK;
    bad |= aiotsec_batch_pool_new(&sh.pool, 3) != AIOTSEC_OK;
    aiotsec_adm *adm = NULL;
    aiotsec_adm_config cfg;
    bad |= aiotsec_adm_config_init(&cfg, ctx) != AIOTSEC_OK;
    cfg.pool = sh.pool; /* the group answers share the pool with the batch calls below */
    bad |= bad || aiotsec_adm_new(&adm, ctx, &sh.ks, &cfg) != AIOTSEC_OK;
    sh.adm = adm;
    aiotsec_adm *adm_alone = NULL; /* no pool: the named batches in the calling thread */
    bad |= bad || aiotsec_adm_new(&adm_alone, ctx, &sh.ks, NULL) != AIOTSEC_OK;
    sh.adm_alone = adm_alone;

    /* Batch items from prepared keys made once and shared; the second half carries a wrong RES. */
    static aiotsec_batch_item items[NDEV];
    static aiotsec_prepared_key *pks[NDEV];
    static uint8_t wrong[NDEV][32];
    sh.n_good = NDEV / 2;
    sh.pk = pks;
    for (size_t i = 0; i < NDEV && !bad; i++) {
        aiotsec_prepared_key *pk = NULL;
        bad |= aiotsec_prepared_key_new(&pk, ctx, dev[i].k_root, dev[i].k_root_len) != AIOTSEC_OK;
        pks[i] = pk;
        memcpy(wrong[i], dev[i].res, sh.res_len);
        wrong[i][i % sh.res_len] ^= 0x01;
        items[i] = (aiotsec_batch_item){pk, sh.rand_n, sh.rn, sh.rand_d, sh.rd,
                                        i < sh.n_good ? dev[i].res : wrong[i], sh.res_len};
    }
    sh.items = items;

    worker w[NTHREADS];
    pthread_t t[NTHREADS];
    size_t started = 0, errors = 0, ops = 0;
    for (unsigned i = 0; i < NTHREADS && !bad; i++) {
        w[i] = (worker){&sh, i, 0, 0};
        if (pthread_create(&t[i], NULL, work, &w[i]) != 0)
            break;
        started++;
    }
    for (size_t i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        errors += w[i].errors;
        ops += w[i].ops;
    }
    bad |= started != NTHREADS;
    aiotsec_adm_free(adm);
    aiotsec_adm_free(adm_alone);
    for (size_t i = 0; i < NDEV; i++) {
        aiotsec_prepared_key_free(pks[i]);
        pks[i] = NULL;
    }
    aiotsec_batch_pool_free(sh.pool);
    aiotsec_memstore_free(store);
    aiotsec_ctx_free(ctx);
    printf("thread_check: backend %s: %zu threads, %zu operations, %zu wrong results%s\n", be,
           started, ops, errors, bad ? ", SETUP FAILED" : "");
    return bad || errors ? 1 : 0;
}

int main(int argc, char **argv)
{
    int fail = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            fail |= run_backend(argv[i]);
    } else {
        for (size_t i = 0; i < aiotsec_backend_count(); i++)
            fail |= run_backend(aiotsec_backend_name_at(i));
    }
    return fail;
}
