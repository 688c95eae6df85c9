/* The getAuthentication answer (nadm.h): sets in RAND_AIOT_d order, entries per
 * set, and a table of the candidates' Permanent Identifiers that the entries
 * point into (the candidates of every set are usually the same devices, so each
 * is stored once). Allocated once; filling never allocates. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "aiotsec/nadm.h"
#include "roles/roles_internal.h"

#define ANSWER_MAX (1u << 24)

int aiotsec_auth_answer_new(aiotsec_auth_answer **out, size_t max_entries)
{
    if (!out)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (max_entries == 0 || max_entries > ANSWER_MAX)
        return AIOTSEC_E_BAD_VALUE;
    aiotsec_auth_answer *a = calloc(1, sizeof *a);
    if (!a)
        return AIOTSEC_E_NO_MEMORY;
    a->cap = max_entries;
    a->sets = calloc(max_entries, sizeof *a->sets);
    a->entries = calloc(max_entries, sizeof *a->entries);
    a->cands = calloc(max_entries, sizeof *a->cands);
    a->items = calloc(AIOT_ANSWER_SCRATCH, sizeof *a->items);
    a->dest = calloc(AIOT_ANSWER_SCRATCH, sizeof *a->dest);
    a->results = calloc(AIOT_ANSWER_SCRATCH, sizeof *a->results);
    a->xres = calloc(AIOT_ANSWER_SCRATCH, AIOTSEC_RAND_RES_MAX);
    if (!a->sets || !a->entries || !a->cands || !a->items || !a->dest || !a->results || !a->xres) {
        aiotsec_auth_answer_free(a);
        return AIOTSEC_E_NO_MEMORY;
    }
    *out = a;
    return AIOTSEC_OK;
}

void aiotsec_auth_answer_reset(aiotsec_auth_answer *a)
{
    if (!a)
        return;
    /* Only the entries in use hold XRES values; the ADM's batch scratch is wiped
     * by the ADM right after each batch, so a reset costs what the answer held. */
    if (a->entries)
        aiotsec_wipe(a->entries, a->n_entries * sizeof *a->entries);
    a->n_sets = a->n_entries = a->n_cands = 0;
}

void aiotsec_auth_answer_free(aiotsec_auth_answer *a)
{
    if (!a)
        return;
    aiotsec_auth_answer_reset(a);
    if (a->xres)
        aiotsec_wipe(a->xres, (size_t)AIOT_ANSWER_SCRATCH * AIOTSEC_RAND_RES_MAX);
    free(a->sets);
    free(a->entries);
    free(a->cands);
    free(a->items);
    free(a->dest);
    free(a->results);
    free(a->xres);
    free(a);
}

size_t aiotsec_auth_answer_capacity(const aiotsec_auth_answer *a)
{
    return a ? a->cap : 0;
}

size_t aiotsec_auth_answer_set_count(const aiotsec_auth_answer *a)
{
    return a ? a->n_sets : 0;
}

size_t aiotsec_auth_answer_entry_count(const aiotsec_auth_answer *a)
{
    return a ? a->n_entries : 0;
}

int aiotsec_auth_answer_set(const aiotsec_auth_answer *a, size_t set, const uint8_t **rand_d, size_t *entries)
{
    if (!a || !rand_d || !entries)
        return AIOTSEC_E_NULL_ARG;
    if (set >= a->n_sets)
        return AIOTSEC_E_BAD_VALUE;
    *rand_d = a->sets[set].rand_d;
    *entries = a->sets[set].count;
    return AIOTSEC_OK;
}

int aiotsec_auth_answer_entry(const aiotsec_auth_answer *a, size_t set, size_t entry, const uint8_t **xres,
                              size_t *xres_len, const uint8_t **perm_id, size_t *perm_id_len)
{
    if (!a || !xres || !xres_len || !perm_id || !perm_id_len)
        return AIOTSEC_E_NULL_ARG;
    if (set >= a->n_sets || entry >= a->sets[set].count)
        return AIOTSEC_E_BAD_VALUE;
    const aiot_answer_entry *e = &a->entries[a->sets[set].first + entry];
    *xres = e->xres;
    *xres_len = e->xres_len;
    if (e->cand == AIOT_NO_CAND) {
        *perm_id = NULL;
        *perm_id_len = 0;
    } else {
        *perm_id = a->cands[e->cand].id;
        *perm_id_len = a->cands[e->cand].len;
    }
    return AIOTSEC_OK;
}

int aiotsec_auth_answer_add_set(aiotsec_auth_answer *a, const uint8_t *rand_d, size_t rand_d_len)
{
    if (!a || !rand_d)
        return AIOTSEC_E_NULL_ARG;
    if (rand_d_len != AIOTSEC_RAND_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    if (a->n_sets >= a->cap)
        return AIOTSEC_E_LIMIT;
    aiot_answer_set *s = &a->sets[a->n_sets++];
    memcpy(s->rand_d, rand_d, AIOTSEC_RAND_LEN);
    s->first = a->n_entries;
    s->count = 0;
    return AIOTSEC_OK;
}

/* The candidate number for a Permanent Identifier: the one at the same place of
 * the first set when it is the same device (the usual layout), else a new one. */
static int cand_for(aiotsec_auth_answer *a, size_t pos, const uint8_t *id, size_t len, uint32_t *cand)
{
    if (a->n_sets > 1 && pos < a->sets[0].count) {
        uint32_t c = a->entries[a->sets[0].first + pos].cand;
        if (c != AIOT_NO_CAND && a->cands[c].len == len && memcmp(a->cands[c].id, id, len) == 0) {
            *cand = c;
            return AIOTSEC_OK;
        }
    }
    if (a->n_cands >= a->cap)
        return AIOTSEC_E_LIMIT;
    a->cands[a->n_cands].len = (uint8_t)len;
    memcpy(a->cands[a->n_cands].id, id, len);
    *cand = (uint32_t)a->n_cands++;
    return AIOTSEC_OK;
}

int aiotsec_auth_answer_add_entry(aiotsec_auth_answer *a, const uint8_t *xres, size_t xres_len,
                                  const uint8_t *perm_id, size_t perm_id_len)
{
    if (!a || !xres || (!perm_id && perm_id_len))
        return AIOTSEC_E_NULL_ARG;
    if (xres_len < 4 || xres_len > AIOTSEC_RAND_RES_MAX || (perm_id && (perm_id_len == 0 || perm_id_len > AIOTSEC_ID_MAX)))
        return AIOTSEC_E_BAD_LENGTH;
    if (a->n_sets == 0)
        return AIOTSEC_E_BAD_STATE;
    if (a->n_entries >= a->cap)
        return AIOTSEC_E_LIMIT;
    aiot_answer_set *s = &a->sets[a->n_sets - 1];
    uint32_t cand = AIOT_NO_CAND;
    if (perm_id) {
        int rc = cand_for(a, s->count, perm_id, perm_id_len, &cand);
        if (rc != AIOTSEC_OK)
            return rc;
    }
    aiot_answer_entry *e = &a->entries[a->n_entries++];
    memcpy(e->xres, xres, xres_len);
    e->xres_len = (uint8_t)xres_len;
    e->cand = cand;
    s->count++;
    return AIOTSEC_OK;
}

size_t aiotsec_adm_request_structbytes(void)
{
    return sizeof(aiotsec_adm_request);
}

size_t aiotsec_tid_info_structbytes(void)
{
    return sizeof(aiotsec_tid_info);
}

const char *aiotsec_adm_op_name(aiotsec_adm_op op)
{
    switch (op) {
    case AIOTSEC_ADM_GET_RAND: return "getRand";
    case AIOTSEC_ADM_GET_AUTHENTICATION: return "getAuthentication";
    case AIOTSEC_ADM_GET_SESSION_KEY: return "getSessionKey";
    case AIOTSEC_ADM_GET_TID: return "getTid";
    default: return NULL;
    }
}
