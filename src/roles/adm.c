/* The ADM: getRand, getAuthentication (candidate sets), getSessionKey, getTid.
 * Keys come from the key store on every call and are wiped before return; a
 * store that offers prepared keys gets the batch path (two compressions per
 * XRES_AIOT, several streams interleaved on the native backend). */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "aiotsec/adm.h"
#include "aiotsec/batch.h"
#include "aiotsec/filter.h"
#include "roles/roles_internal.h"

#define DERIVATIONS_MAX (1u << 24)
#define SMALL_BATCH 4 /* fewer derivations than this skip the batch API */

struct aiotsec_adm {
    const aiotsec_ctx *ctx;
    aiotsec_keystore ks;
    aiotsec_adm_config cfg;
};

int aiotsec_adm_config_init(aiotsec_adm_config *cfg, const aiotsec_ctx *ctx)
{
    if (!cfg || !ctx)
        return AIOTSEC_E_NULL_ARG;
    memset(cfg, 0, sizeof *cfg);
    cfg->struct_size = (uint32_t)sizeof *cfg;
    cfg->max_derivations = ctx->profile.p.max_derivations;
    return AIOTSEC_OK;
}

size_t aiotsec_adm_config_size(void)
{
    return sizeof(aiotsec_adm_config);
}

int aiotsec_adm_new(aiotsec_adm **out, const aiotsec_ctx *ctx, const aiotsec_keystore *ks,
                    const aiotsec_adm_config *cfg)
{
    if (!out || !ctx || !ks)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (ks->struct_size != sizeof *ks || (!ks->by_perm_id && !ks->mac_by_perm_id))
        return AIOTSEC_E_BAD_VALUE;
    aiotsec_adm_config def;
    if (!cfg) {
        aiotsec_adm_config_init(&def, ctx);
        cfg = &def;
    }
    if (cfg->struct_size != sizeof *cfg || cfg->max_derivations == 0 || cfg->max_derivations > DERIVATIONS_MAX)
        return AIOTSEC_E_BAD_VALUE;
    aiotsec_adm *a = calloc(1, sizeof *a);
    if (!a)
        return AIOTSEC_E_NO_MEMORY;
    a->ctx = ctx;
    a->ks = *ks;
    a->cfg = *cfg;
    *out = a;
    return AIOTSEC_OK;
}

void aiotsec_adm_free(aiotsec_adm *adm)
{
    free(adm);
}

size_t aiotsec_adm_max_derivations(const aiotsec_adm *adm)
{
    return adm ? adm->cfg.max_derivations : 0;
}

int aiotsec_adm_get_rand(const aiotsec_adm *adm, uint8_t *rand_n, size_t rand_n_cap)
{
    if (!adm)
        return AIOTSEC_E_NULL_ARG;
    return aiotsec_gen_rand_n(adm->ctx, rand_n, rand_n_cap);
}

/* A prepared key is only usable with the context it was made with. */
static int prepared_usable(const aiotsec_adm *adm, const aiotsec_prepared_key *k)
{
    return k && k->ctx == adm->ctx;
}

/* KDF(K_AIOT_root, fc, RAND_n, RAND_d) -> 32 octets, without a prepared key: by the
 * store itself (keys that never leave it) when it can, else from the raw key. */
static int store_kdf(const aiotsec_adm *adm, const uint8_t *perm_id, size_t perm_id_len, uint16_t fc,
                     const uint8_t *rand_n, size_t rand_n_len, const uint8_t *rand_d, uint8_t mac[32])
{
    if (adm->ks.mac_by_perm_id) {
        uint8_t s[AIOT_S_RAND_MAX];
        if (rand_n_len != aiotsec_rand_n_len(adm->ctx))
            return AIOTSEC_E_BAD_LENGTH;
        size_t s_len = aiot_kdf_build_s_rand(fc, rand_n, rand_n_len, rand_d, AIOTSEC_RAND_LEN, s, sizeof s);
        if (!s_len)
            return AIOTSEC_E_BAD_LENGTH;
        return adm->ks.mac_by_perm_id(adm->ks.user, perm_id, perm_id_len, s, s_len, mac);
    }
    uint8_t k_root[AIOTSEC_KROOT_MAX];
    size_t klen = 0;
    int rc = adm->ks.by_perm_id(adm->ks.user, perm_id, perm_id_len, k_root, &klen);
    if (rc == AIOTSEC_OK && klen > sizeof k_root)
        rc = AIOTSEC_E_BAD_LENGTH; /* a misbehaving store */
    if (rc == AIOTSEC_OK) {
        aiotsec_kdf_param params[2] = {{rand_n, rand_n_len}, {rand_d, AIOTSEC_RAND_LEN}};
        if (rand_n_len != aiotsec_rand_n_len(adm->ctx) || (klen != 16 && klen != 32))
            rc = AIOTSEC_E_BAD_LENGTH;
        else
            rc = aiotsec_kdf(adm->ctx, k_root, klen, fc, params, 2, mac, 32);
    }
    aiotsec_wipe(k_root, sizeof k_root);
    return rc;
}

/* --- getAuthentication ---------------------------------------------------------- */

/* One getAuthentication in progress: m RAND_AIOT_d values, k candidates, the
 * answer laid out as set j = entries [j * k, j * k + k), candidate i at j * k + i. */
typedef struct job {
    const aiotsec_adm *adm;
    const aiotsec_adm_request *req;
    aiotsec_auth_answer *a;
    size_t m, k;
    size_t n_items; /* derivations waiting in the answer's scratch */
    size_t limit;   /* count pass: the most candidates allowed */
    size_t counted; /* count pass: candidates seen */
    int grew;       /* the derivation listing found more candidates than the count */
} job;

/* Derives the scratch's waiting items in one batch call and files each XRES_AIOT. */
static int flush(job *jb)
{
    aiotsec_auth_answer *a = jb->a;
    size_t n = jb->n_items, rl = aiotsec_res_len(jb->adm->ctx);
    if (!n)
        return AIOTSEC_OK;
    jb->n_items = 0;
    if (n < SMALL_BATCH) {
        /* A few derivations (a named device): the batch call's fixed cost would dominate. */
        int rc = AIOTSEC_OK;
        for (size_t i = 0; i < n && rc == AIOTSEC_OK; i++) {
            const aiotsec_batch_item *it = &a->items[i];
            rc = aiotsec_derive_res_prepared(it->key, it->rand_n, it->rand_n_len, it->rand_d, it->rand_d_len,
                                             a->entries[a->dest[i]].xres, AIOTSEC_RAND_RES_MAX);
        }
        return rc;
    }
    size_t cap = (size_t)AIOT_ANSWER_SCRATCH * AIOTSEC_RAND_RES_MAX;
    int rc = jb->adm->cfg.pool
                 ? aiotsec_batch_derive_res_pool(jb->adm->ctx, jb->adm->cfg.pool, a->items, n, a->xres, cap,
                                                 a->results)
                 : aiotsec_batch_derive_res(jb->adm->ctx, a->items, n, a->xres, cap, a->results, 0);
    for (size_t i = 0; i < n && rc == AIOTSEC_OK; i++) {
        rc = a->results[i];
        if (rc == AIOTSEC_OK)
            memcpy(a->entries[a->dest[i]].xres, a->xres + i * rl, rl);
    }
    aiotsec_wipe(a->xres, n * rl);
    return rc;
}

/* XRES_AIOT of candidate i for every RAND_AIOT_d: queued for the batch when the
 * key is prepared, else derived here from the raw key. */
static int derive_candidate(job *jb, size_t i, const uint8_t *perm_id, size_t perm_id_len,
                            const aiotsec_prepared_key *key)
{
    const aiotsec_adm *adm = jb->adm;
    const aiotsec_adm_request *req = jb->req;
    aiotsec_auth_answer *a = jb->a;
    if (prepared_usable(adm, key)) {
        for (size_t j = 0; j < jb->m; j++) {
            aiotsec_batch_item *it = &a->items[jb->n_items];
            memset(it, 0, sizeof *it);
            it->key = key;
            it->rand_n = req->rand_n;
            it->rand_n_len = req->rand_n_len;
            it->rand_d = req->rand_d + j * AIOTSEC_RAND_LEN;
            it->rand_d_len = AIOTSEC_RAND_LEN;
            a->dest[jb->n_items++] = (uint32_t)(j * jb->k + i);
            if (jb->n_items == AIOT_ANSWER_SCRATCH) {
                int rc = flush(jb);
                if (rc != AIOTSEC_OK)
                    return rc;
            }
        }
        return AIOTSEC_OK;
    }
    size_t rl = aiotsec_res_len(adm->ctx);
    int rc = AIOTSEC_OK;
    uint8_t mac[32];
    for (size_t j = 0; j < jb->m && rc == AIOTSEC_OK; j++) {
        rc = store_kdf(adm, perm_id, perm_id_len, adm->ctx->profile.p.fc_res, req->rand_n, req->rand_n_len,
                       req->rand_d + j * AIOTSEC_RAND_LEN, mac);
        if (rc == AIOTSEC_OK) /* RES = the least significant octets (A.2) */
            memcpy(a->entries[j * jb->k + i].xres, mac + sizeof mac - rl, rl);
    }
    aiotsec_wipe(mac, sizeof mac);
    return rc;
}

/* Sets j = 0..m-1 with k entries each, candidate numbers filled in (or none). */
static void lay_out(job *jb, int with_cands)
{
    aiotsec_auth_answer *a = jb->a;
    uint8_t rl = (uint8_t)aiotsec_res_len(jb->adm->ctx);
    for (size_t j = 0; j < jb->m; j++) {
        memcpy(a->sets[j].rand_d, jb->req->rand_d + j * AIOTSEC_RAND_LEN, AIOTSEC_RAND_LEN);
        a->sets[j].first = j * jb->k;
        a->sets[j].count = jb->k;
        for (size_t i = 0; i < jb->k; i++) {
            a->entries[j * jb->k + i].xres_len = rl;
            a->entries[j * jb->k + i].cand = with_cands ? (uint32_t)i : AIOT_NO_CAND;
        }
    }
    a->n_sets = jb->m;
    a->n_entries = jb->m * jb->k;
}

static int count_page(void *arg, const aiotsec_ks_entry *e, size_t n)
{
    (void)e;
    job *jb = arg;
    jb->counted += n;
    /* Stop as soon as the product is over the limit: a huge group costs no more than that. */
    return jb->counted > jb->limit ? AIOTSEC_E_TOO_MANY_DERIVATIONS : 0;
}

static int derive_page(void *arg, const aiotsec_ks_entry *e, size_t n)
{
    job *jb = arg;
    aiotsec_auth_answer *a = jb->a;
    for (size_t x = 0; x < n; x++) {
        if (!e[x].perm_id || e[x].perm_id_len == 0 || e[x].perm_id_len > AIOTSEC_ID_MAX)
            return AIOTSEC_E_BAD_LENGTH; /* a misbehaving store */
        if (a->n_cands >= jb->k) {
            jb->grew = 1; /* the store grew since the count: answered afresh */
            return AIOTSEC_E_BAD_STATE;
        }
        size_t i = a->n_cands++;
        a->cands[i].len = (uint8_t)e[x].perm_id_len;
        memcpy(a->cands[i].id, e[x].perm_id, e[x].perm_id_len);
        int rc = derive_candidate(jb, i, e[x].perm_id, e[x].perm_id_len, e[x].key);
        if (rc != AIOTSEC_OK)
            return rc;
    }
    /* The page's prepared keys are valid during this call only (keystore.h): a
     * store with a bounded cache may evict them once it returns. */
    return flush(jb);
}

/* The store shrank between the count and the derivation: close the gaps of the layout. */
static void compact(job *jb)
{
    aiotsec_auth_answer *a = jb->a;
    size_t k2 = a->n_cands;
    for (size_t j = 0; j < jb->m; j++) {
        for (size_t i = 0; i < k2; i++)
            a->entries[j * k2 + i] = a->entries[j * jb->k + i];
        a->sets[j].first = j * k2;
        a->sets[j].count = k2;
    }
    /* The tail held XRES_AIOT copies that reset() would no longer reach. */
    aiotsec_wipe(a->entries + jb->m * k2, jb->m * (jb->k - k2) * sizeof *a->entries);
    a->n_entries = jb->m * k2;
    jb->k = k2;
}

static int check_request(const aiotsec_adm *adm, const aiotsec_adm_request *req)
{
    if (!req->rand_n || !req->rand_d)
        return AIOTSEC_E_NULL_ARG;
    if ((req->perm_id != NULL) == (req->filter != NULL))
        return AIOTSEC_E_BAD_VALUE; /* exactly one of the two (spec 6.1) */
    if (req->rand_d_count == 0)
        return AIOTSEC_E_BAD_VALUE;
    if (req->rand_n_len != aiotsec_rand_n_len(adm->ctx) || req->rand_d_count > SIZE_MAX / AIOTSEC_RAND_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    if (req->perm_id && (req->perm_id_len == 0 || req->perm_id_len > AIOTSEC_ID_MAX))
        return AIOTSEC_E_BAD_LENGTH;
    if (req->filter)
        return aiotsec_filter_check(&adm->ctx->profile, req->filter, req->filter_len);
    return AIOTSEC_OK;
}

static int auth_named(job *jb)
{
    const aiotsec_adm *adm = jb->adm;
    const aiotsec_adm_request *req = jb->req;
    if (jb->m > adm->cfg.max_derivations)
        return AIOTSEC_E_TOO_MANY_DERIVATIONS;
    if (jb->m > jb->a->cap)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    const aiotsec_prepared_key *key = NULL;
    if (adm->ks.prepared_by_perm_id) {
        int rc = adm->ks.prepared_by_perm_id(adm->ks.user, req->perm_id, req->perm_id_len, &key);
        if (rc != AIOTSEC_OK)
            return rc;
    }
    jb->k = 1;
    lay_out(jb, 0);
    int rc = derive_candidate(jb, 0, req->perm_id, req->perm_id_len, key);
    return rc == AIOTSEC_OK ? flush(jb) : rc;
}

/* The count and the derivation are two listings: a device added in between
 * fails the second with BAD_STATE, and the request is answered afresh, a few times at
 * most (a store that keeps growing under one filter gets the status). */
#define FILTER_ATTEMPTS 3

static int auth_filter_once(job *jb)
{
    const aiotsec_adm *adm = jb->adm;
    const aiotsec_adm_request *req = jb->req;
    /* Count first: nothing is derived for a request over the limit. */
    jb->limit = adm->cfg.max_derivations / jb->m;
    int rc = adm->ks.list_matching(adm->ks.user, req->filter, req->filter_len, count_page, jb);
    if (rc != AIOTSEC_OK)
        return rc;
    if (jb->counted == 0)
        return AIOTSEC_E_NO_CANDIDATE;
    if (jb->counted > jb->a->cap / jb->m)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    jb->k = jb->counted;
    lay_out(jb, 1);
    rc = adm->ks.list_matching(adm->ks.user, req->filter, req->filter_len, derive_page, jb);
    if (rc == AIOTSEC_OK)
        rc = flush(jb);
    if (rc == AIOTSEC_OK && jb->a->n_cands < jb->k) {
        compact(jb);
        if (jb->k == 0)
            rc = AIOTSEC_E_NO_CANDIDATE;
    }
    return rc;
}

static int auth_filter(job *jb)
{
    if (!jb->adm->ks.list_matching)
        return AIOTSEC_E_UNSUPPORTED;
    int rc = AIOTSEC_OK;
    jb->grew = 1;
    /* Only the growth is retried: a BAD_STATE from a backend or a store is final. */
    for (int attempt = 0; attempt < FILTER_ATTEMPTS && jb->grew; attempt++) {
        aiotsec_auth_answer_reset(jb->a);
        jb->k = jb->n_items = jb->counted = 0;
        jb->grew = 0;
        rc = auth_filter_once(jb);
    }
    return rc;
}

int aiotsec_adm_get_authentication(const aiotsec_adm *adm, const aiotsec_adm_request *req,
                                   aiotsec_auth_answer *ans)
{
    if (!adm || !req || !ans)
        return AIOTSEC_E_NULL_ARG;
    aiotsec_auth_answer_reset(ans);
    int rc = check_request(adm, req);
    if (rc != AIOTSEC_OK)
        return rc;
    job jb;
    memset(&jb, 0, sizeof jb);
    jb.adm = adm;
    jb.req = req;
    jb.a = ans;
    jb.m = req->rand_d_count;
    rc = req->perm_id ? auth_named(&jb) : auth_filter(&jb);
    if (rc != AIOTSEC_OK)
        aiotsec_auth_answer_reset(ans); /* never a half answer */
    return rc;
}

/* --- getSessionKey, getTid --------------------------------------------------------- */

int aiotsec_adm_get_session_key(const aiotsec_adm *adm, const uint8_t *perm_id, size_t perm_id_len,
                                const uint8_t *rand_n, size_t rand_n_len, const uint8_t *rand_d,
                                size_t rand_d_len, uint8_t *kaiotf, size_t kaiotf_cap)
{
    if (!adm || !perm_id || !rand_n || !rand_d || !kaiotf)
        return AIOTSEC_E_NULL_ARG;
    if (perm_id_len == 0 || perm_id_len > AIOTSEC_ID_MAX)
        return AIOTSEC_E_BAD_LENGTH;
    int rc;
    if (adm->ks.prepared_by_perm_id) {
        const aiotsec_prepared_key *k = NULL;
        rc = adm->ks.prepared_by_perm_id(adm->ks.user, perm_id, perm_id_len, &k);
        if (rc != AIOTSEC_OK)
            return rc;
        if (prepared_usable(adm, k))
            return aiotsec_derive_kaiotf_prepared(k, rand_n, rand_n_len, rand_d, rand_d_len, kaiotf,
                                                  kaiotf_cap);
    }
    if (kaiotf_cap < AIOTSEC_KAIOTF_LEN)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    if (rand_d_len != AIOTSEC_RAND_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    uint8_t mac[32];
    rc = store_kdf(adm, perm_id, perm_id_len, adm->ctx->profile.p.fc_kaiotf, rand_n, rand_n_len, rand_d, mac);
    if (rc == AIOTSEC_OK) /* A.3: the profile's half of the KDF output */
        memcpy(kaiotf, mac + adm->ctx->profile.p.kaiotf_offset, AIOTSEC_KAIOTF_LEN);
    aiotsec_wipe(mac, sizeof mac);
    return rc;
}

int aiotsec_adm_get_tid(const aiotsec_adm *adm, const uint8_t *perm_id, size_t perm_id_len, int resync,
                        aiotsec_tid_info *out)
{
    if (!adm || !perm_id || !out)
        return AIOTSEC_E_NULL_ARG;
    memset(out, 0, sizeof *out);
    if (perm_id_len == 0 || perm_id_len > AIOTSEC_ID_MAX)
        return AIOTSEC_E_BAD_LENGTH;
    if (!adm->ks.tid_update)
        return AIOTSEC_E_UNSUPPORTED;
    uint8_t fresh[AIOTSEC_TID_LEN];
    int rc = aiotsec_random(adm->ctx, fresh, sizeof fresh);
    if (rc == AIOTSEC_OK)
        rc = adm->ks.tid_update(adm->ks.user, perm_id, perm_id_len, resync != 0, fresh, out->tid,
                                out->tid_previous, &out->has_previous);
    if (rc != AIOTSEC_OK) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    out->has_previous = out->has_previous != 0;
    out->tid_type = adm->ctx->profile.p.tid_type;
    return AIOTSEC_OK;
}
