/* The ADM: Nadm_SecRAND_Get, Nadm_SecAuthentication_Get, Nadm_SecSessionKey_Get.
 * Keys come from the key store on every call and are wiped before return; a
 * store that offers prepared keys gets the two-compression fast path. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "aiotsec/adm.h"
#include "aiotsec/batch.h"
#include "roles/roles_internal.h"

struct aiotsec_adm {
    const aiotsec_ctx *ctx;
    aiotsec_keystore ks;
};

int aiotsec_adm_new(aiotsec_adm **out, const aiotsec_ctx *ctx, const aiotsec_keystore *ks)
{
    if (!out || !ctx || !ks)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (ks->struct_size != sizeof *ks || !ks->by_ident || !ks->by_perm_id)
        return AIOTSEC_E_BAD_VALUE;
    aiotsec_adm *a = calloc(1, sizeof *a);
    if (!a)
        return AIOTSEC_E_NO_MEMORY;
    a->ctx = ctx;
    a->ks = *ks;
    *out = a;
    return AIOTSEC_OK;
}

void aiotsec_adm_free(aiotsec_adm *adm)
{
    free(adm);
}

int aiotsec_adm_sec_rand_get(const aiotsec_adm *adm, uint8_t *rand_n, size_t rand_n_cap)
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

int aiotsec_adm_sec_authentication_get(const aiotsec_adm *adm, const uint8_t *ident,
                                       size_t ident_len, const uint8_t *rand_n, size_t rand_n_len,
                                       const uint8_t *rand_d, size_t rand_d_len, uint8_t *xres,
                                       size_t xres_cap, uint8_t *perm_id, size_t perm_id_cap,
                                       size_t *perm_id_len)
{
    if (!adm || !ident || !rand_n || !rand_d || !xres || (perm_id && !perm_id_len))
        return AIOTSEC_E_NULL_ARG;
    if (ident_len == 0 || ident_len > AIOTSEC_ID_MAX)
        return AIOTSEC_E_BAD_LENGTH;
    if (xres_cap < aiotsec_res_len(adm->ctx))
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    int rc;
    if (adm->ks.prepared_by_ident) {
        const aiotsec_prepared_key *k = NULL;
        const uint8_t *p = NULL;
        size_t plen = 0;
        rc = adm->ks.prepared_by_ident(adm->ks.user, ident, ident_len, &k, &p, &plen);
        if (rc == AIOTSEC_OK && prepared_usable(adm, k) && p && plen >= 1 && plen <= AIOTSEC_ID_MAX) {
            if (perm_id && perm_id_cap < plen)
                return AIOTSEC_E_BUFFER_TOO_SMALL;
            rc = aiotsec_derive_res_prepared(k, rand_n, rand_n_len, rand_d, rand_d_len, xres, xres_cap);
            if (rc == AIOTSEC_OK && perm_id) {
                memcpy(perm_id, p, plen);
                *perm_id_len = plen;
            }
            return rc;
        }
        if (rc != AIOTSEC_OK)
            return rc;
        /* A key from another context: fall through to the raw look-up. */
    }
    uint8_t key[AIOTSEC_KROOT_MAX], p[AIOTSEC_ID_MAX];
    size_t klen = 0, plen = 0;
    rc = adm->ks.by_ident(adm->ks.user, ident, ident_len, key, &klen, p, &plen);
    if (rc == AIOTSEC_OK && (klen > sizeof key || plen == 0 || plen > sizeof p))
        rc = AIOTSEC_E_BAD_LENGTH; /* a misbehaving store */
    if (rc == AIOTSEC_OK && perm_id && perm_id_cap < plen)
        rc = AIOTSEC_E_BUFFER_TOO_SMALL;
    if (rc == AIOTSEC_OK)
        rc = aiotsec_derive_res(adm->ctx, key, klen, rand_n, rand_n_len, rand_d, rand_d_len, xres,
                                xres_cap);
    if (rc == AIOTSEC_OK && perm_id) {
        memcpy(perm_id, p, plen);
        *perm_id_len = plen;
    }
    aiotsec_wipe(key, sizeof key);
    return rc;
}

int aiotsec_adm_sec_session_key_get(const aiotsec_adm *adm, const uint8_t *perm_id,
                                    size_t perm_id_len, const uint8_t *rand_n, size_t rand_n_len,
                                    const uint8_t *rand_d, size_t rand_d_len, uint8_t *kaiotf,
                                    size_t kaiotf_cap)
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
    uint8_t key[AIOTSEC_KROOT_MAX];
    size_t klen = 0;
    rc = adm->ks.by_perm_id(adm->ks.user, perm_id, perm_id_len, key, &klen);
    if (rc == AIOTSEC_OK && klen > sizeof key)
        rc = AIOTSEC_E_BAD_LENGTH;
    if (rc == AIOTSEC_OK)
        rc = aiotsec_derive_kaiotf(adm->ctx, key, klen, rand_n, rand_n_len, rand_d, rand_d_len,
                                   kaiotf, kaiotf_cap);
    aiotsec_wipe(key, sizeof key);
    return rc;
}

/* --- batches ------------------------------------------------------------------ */

#define ADM_CHUNK 64 /* items per batch call: bounded stack, no allocation */

size_t aiotsec_adm_auth_item_size(void)
{
    return sizeof(aiotsec_adm_auth_item);
}

static void one_by_one(const aiotsec_adm *adm, aiotsec_adm_auth_item *it)
{
    it->perm_id_len = 0;
    it->status = aiotsec_adm_sec_authentication_get(adm, it->ident, it->ident_len, it->rand_n,
                                                    it->rand_n_len, it->rand_d, it->rand_d_len,
                                                    it->xres, it->xres ? AIOTSEC_RAND_RES_MAX : 0,
                                                    it->perm_id, AIOTSEC_ID_MAX,
                                                    it->perm_id ? &it->perm_id_len : NULL);
}

int aiotsec_adm_sec_authentication_get_batch(const aiotsec_adm *adm, aiotsec_adm_auth_item *items, size_t n)
{
    if (!adm || (!items && n))
        return AIOTSEC_E_NULL_ARG;
    size_t res_len = aiotsec_res_len(adm->ctx);
    for (size_t base = 0; base < n; base += ADM_CHUNK) {
        size_t m = n - base < ADM_CHUNK ? n - base : ADM_CHUNK;
        aiotsec_batch_item b[ADM_CHUNK];
        size_t which[ADM_CHUNK], k = 0;
        for (size_t j = 0; j < m; j++) {
            aiotsec_adm_auth_item *it = &items[base + j];
            const aiotsec_prepared_key *key = NULL;
            const uint8_t *p = NULL;
            size_t plen = 0;
            /* Only well-formed requests with a usable prepared key join the batch;
             * everything else takes the single path, which reports the error. */
            if (!adm->ks.prepared_by_ident || !it->ident || !it->rand_n || !it->rand_d || !it->xres ||
                it->ident_len == 0 || it->ident_len > AIOTSEC_ID_MAX ||
                adm->ks.prepared_by_ident(adm->ks.user, it->ident, it->ident_len, &key, &p, &plen) != AIOTSEC_OK ||
                !prepared_usable(adm, key) || !p || plen == 0 || plen > AIOTSEC_ID_MAX) {
                one_by_one(adm, it);
                continue;
            }
            if (it->perm_id) {
                memcpy(it->perm_id, p, plen);
                it->perm_id_len = plen;
            }
            b[k].key = key;
            b[k].rand_n = it->rand_n;
            b[k].rand_n_len = it->rand_n_len;
            b[k].rand_d = it->rand_d;
            b[k].rand_d_len = it->rand_d_len;
            b[k].res = NULL;
            b[k].res_len = 0;
            which[k++] = base + j;
        }
        if (!k)
            continue;
        uint8_t xres[ADM_CHUNK * AIOTSEC_RAND_RES_MAX];
        int results[ADM_CHUNK];
        int rc = aiotsec_batch_derive_res(adm->ctx, b, k, xres, sizeof xres, results, 0);
        for (size_t j = 0; j < k; j++) {
            aiotsec_adm_auth_item *it = &items[which[j]];
            it->status = rc != AIOTSEC_OK ? rc : results[j];
            if (it->status == AIOTSEC_OK)
                memcpy(it->xres, xres + j * res_len, res_len);
            else
                it->perm_id_len = 0;
        }
        aiotsec_wipe(xres, sizeof xres);
    }
    return AIOTSEC_OK;
}

/* --- the local client table ------------------------------------------------ */

static int lc_rand(void *user, uint8_t *rand_n, size_t cap)
{
    return aiotsec_adm_sec_rand_get(user, rand_n, cap);
}

static int lc_auth(void *user, const uint8_t *ident, size_t ident_len, const uint8_t *rand_n,
                   size_t rand_n_len, const uint8_t *rand_d, size_t rand_d_len, uint8_t *xres,
                   size_t xres_cap, uint8_t *perm_id, size_t perm_id_cap, size_t *perm_id_len)
{
    return aiotsec_adm_sec_authentication_get(user, ident, ident_len, rand_n, rand_n_len, rand_d,
                                              rand_d_len, xres, xres_cap, perm_id, perm_id_cap,
                                              perm_id_len);
}

int aiot_adm_client_is_local(const aiotsec_adm_client *c)
{
    return c->authentication_get == lc_auth;
}

static int lc_skey(void *user, const uint8_t *perm_id, size_t perm_id_len, const uint8_t *rand_n,
                   size_t rand_n_len, const uint8_t *rand_d, size_t rand_d_len, uint8_t *kaiotf,
                   size_t kaiotf_cap)
{
    return aiotsec_adm_sec_session_key_get(user, perm_id, perm_id_len, rand_n, rand_n_len, rand_d,
                                           rand_d_len, kaiotf, kaiotf_cap);
}

int aiotsec_adm_client_local(const aiotsec_adm *adm, aiotsec_adm_client *out)
{
    if (!adm || !out)
        return AIOTSEC_E_NULL_ARG;
    memset(out, 0, sizeof *out);
    out->struct_size = (uint32_t)sizeof *out;
    out->user = (void *)(uintptr_t)adm; /* the operations only read it */
    out->rand_get = lc_rand;
    out->authentication_get = lc_auth;
    out->session_key_get = lc_skey;
    return AIOTSEC_OK;
}

size_t aiotsec_adm_client_struct_size(void)
{
    return sizeof(aiotsec_adm_client);
}
