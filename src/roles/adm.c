/* The ADM: getRand, getAuthentication (candidate sets), getSessionKey, getTid.
 * Keys come from the key store on every call and are wiped before return; a
 * store that offers prepared keys gets the batch path (two compressions per
 * XRES_AIOT, several streams interleaved on the native backend). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "aiotsec/adm.h"
#include "aiotsec/batch.h"
#include "aiotsec/filter.h"
#include "perf/batch_internal.h"
#include "roles/memstore_internal.h"
#include "roles/roles_internal.h"

#define DERIVATIONS_MAX (1u << 24)
#define SMALL_BATCH 4 /* fewer derivations than this skip the batch API */
/* Derivations handled together on the direct paths (named batches, filters over
 * the memstore): one prefetching look-up and one backend call each. */
#define NAMED_CHUNK 256u /* = the pool grain of a named job: a thread's share is one chunk
                            (smaller grains measured slower at 10 M devices: shorter look-up pipelines) */

struct aiotsec_adm {
    const aiotsec_ctx *ctx;
    aiotsec_keystore ks;
    aiotsec_adm_config cfg;
    const aiotsec_memstore *ms; /* the in-memory store behind ks, for the direct path; or NULL */
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

size_t aiotsec_adm_config_structbytes(void)
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
    a->ms = aiot_memstore_of(ks);
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

/* A named device's prepared key, when the store has one: the memstore's directly
 * (a view in *view), else through the table's optional look-up. *key stays NULL
 * for a store without prepared keys (the raw key or the store's MAC is used). */
static int named_key(const aiotsec_adm *adm, const uint8_t *perm_id, size_t perm_id_len,
                     aiotsec_prepared_key *view, const aiotsec_prepared_key **key)
{
    *key = NULL;
    if (adm->ms) {
        uint32_t dev = aiot_memstore_find(adm->ms, perm_id, perm_id_len);
        if (dev == AIOT_MEMSTORE_NO_DEV)
            return AIOTSEC_E_UNKNOWN_DEVICE;
        *key = aiot_memstore_key(adm->ms, dev, view);
        return AIOTSEC_OK;
    }
    if (adm->ks.prepared_by_perm_id)
        return adm->ks.prepared_by_perm_id(adm->ks.user, perm_id, perm_id_len, key);
    return AIOTSEC_OK;
}

/* KDF(K_AIOT_root, fc, RAND_n, RAND_d) -> 32 octets, without a prepared key: by the
 * store itself (keys that never leave it) when it can, else from the raw key. */
static int store_kdf(const aiotsec_adm *adm, const uint8_t *perm_id, size_t perm_id_len, uint16_t fc,
                     const uint8_t *rand_n, size_t rand_n_len, const uint8_t *rand_d, uint8_t mac[32])
{
    if (adm->ks.mac_by_perm_id) {
        uint8_t s[AIOT_S_RAND_MAX];
        if (rand_n_len != aiotsec_derive_rand_n_bytes(adm->ctx))
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
        if (rand_n_len != aiotsec_derive_rand_n_bytes(adm->ctx) || (klen != 16 && klen != 32))
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
    size_t n = jb->n_items, rl = aiotsec_derive_res_bytes(jb->adm->ctx);
    if (!n)
        return AIOTSEC_OK;
    jb->n_items = 0;
    if (n < SMALL_BATCH) {
        /* A few derivations (a named device): the batch call's fixed cost would dominate. */
        int rc = AIOTSEC_OK;
        for (size_t i = 0; i < n && rc == AIOTSEC_OK; i++) {
            const aiotsec_batch_item *it = &a->items[i];
            rc = aiotsec_prepared_derive_res(it->key, it->rand_n, it->rand_n_len, it->rand_d, it->rand_d_len,
                                             a->entries[a->dest[i]].xres, AIOTSEC_RAND_RES_MAX);
        }
        return rc;
    }
    size_t cap = (size_t)AIOT_ANSWER_SCRATCH * AIOTSEC_RAND_RES_MAX;
    int rc = jb->adm->cfg.pool
                 ? aiotsec_batch_pool_derive_res(jb->adm->ctx, jb->adm->cfg.pool, a->items, n, a->xres, cap,
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
    size_t rl = aiotsec_derive_res_bytes(adm->ctx);
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
    uint8_t rl = (uint8_t)aiotsec_derive_res_bytes(jb->adm->ctx);
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
    if (req->rand_n_len != aiotsec_derive_rand_n_bytes(adm->ctx) || req->rand_d_count > SIZE_MAX / AIOTSEC_RAND_LEN)
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
    aiotsec_prepared_key view; /* the memstore's compact key, until flush() below */
    int rc = named_key(adm, req->perm_id, req->perm_id_len, &view, &key);
    if (rc != AIOTSEC_OK)
        return rc;
    jb->k = 1;
    lay_out(jb, 0);
    rc = derive_candidate(jb, 0, req->perm_id, req->perm_id_len, key);
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

/* The memstore's direct path for a filter: its candidates are a range of the
 * Permanent Identifier order, read in place (no listing, no count pass, no batch
 * items), and the |candidates| x |randDlist| derivations are one job, shared
 * with the pool when there is one: each grain derives straight from the key lines. */
typedef struct filter_job {
    const aiotsec_adm *adm;
    const aiotsec_adm_request *req;
    aiotsec_auth_answer *a;
    size_t first, k, m; /* candidates: positions [first, first + k); m RAND_AIOT_d */
    atomic_int rc;      /* the first failure, if any */
} filter_job;

static size_t filter_range(const aiot_batch_job *bj, size_t from, size_t len)
{
    filter_job *fj = (filter_job *)(uintptr_t)bj->arg;
    const aiotsec_adm *adm = fj->adm;
    const size_t rl = aiotsec_derive_res_bytes(adm->ctx);
    const void *keys[NAMED_CHUNK];
    const uint8_t *rn[NAMED_CHUNK], *rd[NAMED_CHUNK];
    uint8_t out[NAMED_CHUNK * AIOTSEC_RAND_RES_MAX];
    size_t n_ok = 0;
    /* Pair p is candidate p / m with RAND_AIOT_d p % m: a key line serves its m derivations in a row. */
    size_t i = from / fj->m, j = from % fj->m; /* the pair at `from`; then counted, not divided */
    for (size_t base = from; base < from + len; base += NAMED_CHUNK) {
        size_t cn = from + len - base < NAMED_CHUNK ? from + len - base : NAMED_CHUNK;
        size_t i0 = i, j0 = j;
        const void *line = aiot_memstore_line(adm->ms, aiot_memstore_at(adm->ms, fj->first + i));
        for (size_t x = 0; x < cn; x++) {
            keys[x] = line;
            rn[x] = fj->req->rand_n;
            rd[x] = fj->req->rand_d + j * AIOTSEC_RAND_LEN;
            if (++j == fj->m && x + 1 < cn) {
                j = 0;
                line = aiot_memstore_line(adm->ms, aiot_memstore_at(adm->ms, fj->first + ++i));
            } else if (j == fj->m) {
                j = 0;
                i++;
            }
        }
        int rc = aiot_batch_derive_compact(adm->ctx, keys, rn, rd, cn, out);
        if (rc != AIOTSEC_OK) {
            int none = AIOTSEC_OK;
            atomic_compare_exchange_strong(&fj->rc, &none, rc);
            aiotsec_wipe(out, cn * rl);
            return n_ok;
        }
        for (size_t x = 0; x < cn; x++) {
            memcpy(fj->a->entries[j0 * fj->k + i0].xres, out + x * rl, rl);
            if (++j0 == fj->m) {
                j0 = 0;
                i0++;
            }
        }
        aiotsec_wipe(out, cn * rl);
        n_ok += cn;
    }
    return n_ok;
}

static int auth_filter_direct(job *jb)
{
    const aiotsec_adm *adm = jb->adm;
    const aiotsec_adm_request *req = jb->req;
    aiotsec_auth_answer *a = jb->a;
    size_t first, end;
    aiot_memstore_range(adm->ms, req->filter, req->filter_len, &first, &end);
    size_t k = end - first;
    if (k == 0)
        return AIOTSEC_E_NO_CANDIDATE;
    if (k > adm->cfg.max_derivations / jb->m)
        return AIOTSEC_E_TOO_MANY_DERIVATIONS;
    if (k > a->cap / jb->m)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    jb->k = k;
    lay_out(jb, 1);
    for (size_t i = 0; i < k; i++) {
        size_t len;
        const uint8_t *id = aiot_memstore_id(adm->ms, aiot_memstore_at(adm->ms, first + i), &len);
        a->cands[i].len = (uint8_t)len;
        memcpy(a->cands[i].id, id, len);
    }
    a->n_cands = k;
    filter_job fj = {adm, req, a, first, k, jb->m, 0};
    atomic_init(&fj.rc, AIOTSEC_OK);
    aiot_batch_job bj = {adm->ctx, NULL, k * jb->m, NULL, NULL, 0, 0, filter_range, &fj, 0};
    if (adm->cfg.pool)
        (void)aiot_batch_pool_run(adm->cfg.pool, &bj);
    else
        (void)filter_range(&bj, 0, k * jb->m);
    return atomic_load(&fj.rc);
}

static int auth_filter(job *jb)
{
    if (jb->adm->ms && aiot_has_compact(jb->adm->ctx))
        return auth_filter_direct(jb);
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

/* --- getAuthentication for many named devices ----------------------------------------- */

size_t aiotsec_adm_named_structbytes(void)
{
    return sizeof(aiotsec_adm_named);
}


typedef struct named_job {
    const aiotsec_adm *adm;
    const aiotsec_adm_named *items;
    uint8_t *xres;
    int *results;
} named_job;

static int named_check(const aiotsec_adm *adm, const aiotsec_adm_named *it)
{
    if (!it->perm_id || !it->rand_n || !it->rand_d)
        return AIOTSEC_E_NULL_ARG;
    if (it->perm_id_len == 0 || it->perm_id_len > AIOTSEC_ID_MAX || it->rand_n_len != aiotsec_derive_rand_n_bytes(adm->ctx) ||
        it->rand_d_len != AIOTSEC_RAND_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    return AIOTSEC_OK;
}

/* One item through the generic table (stores other than the memstore). */
static int named_one(const aiotsec_adm *adm, const aiotsec_adm_named *it, uint8_t *xres)
{
    const aiotsec_prepared_key *key = NULL;
    aiotsec_prepared_key view;
    int rc = named_key(adm, it->perm_id, it->perm_id_len, &view, &key);
    if (rc != AIOTSEC_OK)
        return rc;
    if (prepared_usable(adm, key))
        return aiotsec_prepared_derive_res(key, it->rand_n, it->rand_n_len, it->rand_d, it->rand_d_len, xres,
                                           aiotsec_derive_res_bytes(adm->ctx));
    uint8_t mac[32];
    size_t rl = aiotsec_derive_res_bytes(adm->ctx);
    rc = store_kdf(adm, it->perm_id, it->perm_id_len, adm->ctx->profile.p.fc_res, it->rand_n, it->rand_n_len,
                   it->rand_d, mac);
    if (rc == AIOTSEC_OK)
        memcpy(xres, mac + sizeof mac - rl, rl);
    aiotsec_wipe(mac, sizeof mac);
    return rc;
}

/* Items [first, first + len) of a named job: returns how many succeeded. */
static size_t named_range(const aiot_batch_job *bj, size_t first, size_t len)
{
    const named_job *nj = bj->arg;
    const aiotsec_adm *adm = nj->adm;
    const size_t rl = aiotsec_derive_res_bytes(adm->ctx);
    size_t n_ok = 0;
    for (size_t base = first; base < first + len; base += NAMED_CHUNK) {
        size_t cn = first + len - base < NAMED_CHUNK ? first + len - base : NAMED_CHUNK;
        const aiotsec_adm_named *it = nj->items + base;
        int *res = nj->results + base;
        uint8_t *xr = nj->xres + base * rl;
        for (size_t j = 0; j < cn; j++) {
            res[j] = named_check(adm, &it[j]);
            memset(xr + j * rl, 0, rl);
        }
        if (!adm->ms) {
            for (size_t j = 0; j < cn; j++) {
                if (res[j] == AIOTSEC_OK && (res[j] = named_one(adm, &it[j], xr + j * rl)) != AIOTSEC_OK)
                    memset(xr + j * rl, 0, rl);
                n_ok += res[j] == AIOTSEC_OK;
            }
            continue;
        }
        const uint8_t *ids[NAMED_CHUNK];
        size_t lens[NAMED_CHUNK];
        uint32_t devs[NAMED_CHUNK];
        for (size_t j = 0; j < cn; j++) {
            ids[j] = it[j].perm_id;
            lens[j] = res[j] == AIOTSEC_OK ? it[j].perm_id_len : 0; /* 0: not looked up */
        }
        aiot_memstore_find_batch(adm->ms, ids, lens, cn, devs);
        aiotsec_prepared_key views[NAMED_CHUNK];
        const void *keys[NAMED_CHUNK];
        const uint8_t *rn[NAMED_CHUNK], *rd[NAMED_CHUNK];
        size_t where[NAMED_CHUNK], m = 0;
        const int compact = aiot_has_compact(adm->ctx);
        for (size_t j = 0; j < cn; j++) {
            if (res[j] != AIOTSEC_OK)
                continue;
            if (devs[j] == AIOT_MEMSTORE_NO_DEV) {
                res[j] = AIOTSEC_E_UNKNOWN_DEVICE;
                continue;
            }
            /* Compact keys go to the backend as the store's lines: no view, no batch item. */
            keys[m] = compact ? aiot_memstore_line(adm->ms, devs[j]) : aiot_memstore_key(adm->ms, devs[j], &views[m]);
            rn[m] = it[j].rand_n;
            rd[m] = it[j].rand_d;
            where[m++] = j;
        }
        if (m == cn && compact) {
            /* Every item found (the usual case): XRES_AIOT straight into the caller's buffer. */
            int rc = aiot_batch_derive_compact(adm->ctx, keys, rn, rd, m, xr);
            for (size_t j = 0; j < cn; j++)
                res[j] = rc;
            if (rc != AIOTSEC_OK)
                memset(xr, 0, cn * rl);
            n_ok += rc == AIOTSEC_OK ? cn : 0;
            continue;
        }
        uint8_t out[NAMED_CHUNK * AIOTSEC_RAND_RES_MAX];
        int st[NAMED_CHUNK];
        if (m && compact) {
            int rc = aiot_batch_derive_compact(adm->ctx, keys, rn, rd, m, out);
            for (size_t x = 0; x < m; x++)
                st[x] = rc;
        } else if (m) {
            aiotsec_batch_item bi[NAMED_CHUNK];
            for (size_t x = 0; x < m; x++)
                bi[x] = (aiotsec_batch_item){keys[x], rn[x], AIOTSEC_RAND_LEN, rd[x], AIOTSEC_RAND_LEN, NULL, 0};
            (void)aiot_batch_run_range(adm->ctx, bi, m, out, st);
        }
        for (size_t x = 0; x < m; x++) {
            size_t j = where[x];
            res[j] = st[x];
            if (st[x] == AIOTSEC_OK) {
                memcpy(xr + j * rl, out + x * rl, rl);
                n_ok++;
            }
        }
        aiotsec_wipe(out, m * rl);
    }
    return n_ok;
}

int aiotsec_adm_get_authentication_named(const aiotsec_adm *adm, const aiotsec_adm_named *items, size_t n,
                                         uint8_t *xres, size_t xres_cap, int *results, size_t *n_ok)
{
    if (n_ok)
        *n_ok = 0;
    if (!adm)
        return AIOTSEC_E_NULL_ARG;
    if (n == 0)
        return AIOTSEC_OK;
    if (!items || !xres || !results)
        return AIOTSEC_E_NULL_ARG;
    size_t rl = aiotsec_derive_res_bytes(adm->ctx);
    if (xres_cap / rl < n)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    named_job nj = {adm, items, xres, results};
    aiot_batch_job bj = {adm->ctx, NULL, n, NULL, NULL, 0, 0, named_range, &nj, NAMED_CHUNK};
    size_t ok = adm->cfg.pool ? aiot_batch_pool_run(adm->cfg.pool, &bj) : named_range(&bj, 0, n);
    if (n_ok)
        *n_ok = ok;
    return AIOTSEC_OK;
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
    const aiotsec_prepared_key *k = NULL;
    aiotsec_prepared_key view;
    int rc = named_key(adm, perm_id, perm_id_len, &view, &k);
    if (rc != AIOTSEC_OK)
        return rc;
    if (prepared_usable(adm, k))
        return aiotsec_prepared_derive_kaiotf(k, rand_n, rand_n_len, rand_d, rand_d_len, kaiotf, kaiotf_cap);
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
