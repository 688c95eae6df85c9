/* The AIOTF: pending procedures in a fixed table (allocated once), found by
 * RAND_AIOT_n through a keyed open-addressing index, found by procedure id
 * through the slot number it embeds. Reports that match nothing, or come late,
 * are dropped before the ADM is asked anything. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "aiotsec/aiotf.h"
#include "aiotsec/nas_security.h"
#include "roles/roles_internal.h"

enum { ST_FREE = 0, ST_WAIT_REPORT = 1, ST_SECURED = 2, ST_CLAIMED = 3 };

typedef struct pend {
    uint32_t gen;        /* bumped on every reuse: stale procedure ids miss */
    uint8_t state, type, txid, tx_outstanding;
    uint64_t hash;       /* SipHash of rand_n, for index moves */
    uint64_t deadline;
    uint8_t rand_n[AIOTSEC_RAND_RES_MAX], rand_d[AIOTSEC_RAND_RES_MAX];
    uint8_t ident[AIOTSEC_ID_MAX], perm[AIOTSEC_ID_MAX];
    size_t ident_len, perm_len;
    aiotsec_nas_sec *sec; /* into the slot's security storage while SECURED */
} pend;

struct aiotsec_aiotf {
    const aiotsec_ctx *ctx;
    aiotsec_adm_client adm;
    aiotsec_aiotf_config cfg;
    uint8_t hash_key[16];
    pend *slot;
    uint32_t *free_list;      /* stack of free slot numbers */
    size_t n_free;
    uint32_t *index;          /* slot number + 1; 0 = empty */
    size_t index_slots;
    unsigned char *sec_raw;   /* allocation behind sec_mem */
    unsigned char *sec_mem;   /* max_pending * sec_stride octets, 16-aligned */
    size_t sec_stride;
    aiotsec_aiotf_stats stats;
};

int aiotsec_aiotf_config_init(aiotsec_aiotf_config *cfg, const aiotsec_ctx *ctx)
{
    if (!cfg || !ctx)
        return AIOTSEC_E_NULL_ARG;
    memset(cfg, 0, sizeof *cfg);
    cfg->struct_size = (uint32_t)sizeof *cfg;
    cfg->max_pending = 4096;
    cfg->timeout_ms = 5000;
    cfg->int_alg = ctx->profile.p.default_int_alg;
    cfg->enc_alg = ctx->profile.p.default_enc_alg;
    return AIOTSEC_OK;
}

size_t aiotsec_aiotf_config_size(void) { return sizeof(aiotsec_aiotf_config); }
size_t aiotsec_aiotf_stats_size(void) { return sizeof(aiotsec_aiotf_stats); }
size_t aiotsec_aiotf_result_size(void) { return sizeof(aiotsec_aiotf_result); }

int aiotsec_aiotf_new(aiotsec_aiotf **out, const aiotsec_ctx *ctx, const aiotsec_adm_client *adm,
                      const aiotsec_aiotf_config *cfg)
{
    if (!out || !ctx || !adm)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    aiotsec_aiotf_config def;
    if (!cfg) {
        aiotsec_aiotf_config_init(&def, ctx);
        cfg = &def;
    }
    if (adm->struct_size != sizeof *adm || !adm->rand_get || !adm->authentication_get ||
        !adm->session_key_get || cfg->struct_size != sizeof *cfg || cfg->max_pending == 0 ||
        cfg->max_pending > (1u << 24) || cfg->timeout_ms == 0)
        return AIOTSEC_E_BAD_VALUE;
    aiotsec_aiotf *a = calloc(1, sizeof *a);
    if (!a)
        return AIOTSEC_E_NO_MEMORY;
    a->ctx = ctx;
    a->adm = *adm;
    a->cfg = *cfg;
    size_t n = cfg->max_pending;
    a->index_slots = aiot_index_slots_for(n);
    a->sec_stride = (aiotsec_nas_sec_size() + 15u) & ~(size_t)15u;
    a->slot = calloc(n, sizeof *a->slot);
    a->free_list = malloc(n * sizeof *a->free_list);
    a->index = calloc(a->index_slots, sizeof *a->index);
    a->sec_raw = malloc(n * a->sec_stride + 16u);
    int rc = (a->slot && a->free_list && a->index && a->sec_raw) ? AIOTSEC_OK : AIOTSEC_E_NO_MEMORY;
    if (rc == AIOTSEC_OK)
        rc = aiotsec_random(ctx, a->hash_key, sizeof a->hash_key);
    if (rc != AIOTSEC_OK) {
        aiotsec_aiotf_free(a);
        return rc;
    }
    a->sec_mem = a->sec_raw + ((16u - ((uintptr_t)a->sec_raw & 15u)) & 15u);
    for (size_t i = 0; i < n; i++)
        a->free_list[i] = (uint32_t)(n - 1 - i);
    a->n_free = n;
    *out = a;
    return AIOTSEC_OK;
}

static void wipe_slot(aiotsec_aiotf *a, pend *p)
{
    if (p->sec)
        aiotsec_nas_sec_clear(p->sec);
    uint32_t gen = p->gen;
    aiotsec_wipe(p, sizeof *p);
    p->gen = gen;
    (void)a;
}

void aiotsec_aiotf_free(aiotsec_aiotf *a)
{
    if (!a)
        return;
    if (a->slot)
        for (size_t i = 0; i < a->cfg.max_pending; i++)
            if (a->slot[i].state != ST_FREE)
                wipe_slot(a, &a->slot[i]);
    if (a->sec_raw)
        aiotsec_wipe(a->sec_raw, a->cfg.max_pending * a->sec_stride + 16u);
    free(a->slot);
    free(a->free_list);
    free(a->index);
    free(a->sec_raw);
    free(a);
}

/* --- the RAND_AIOT_n index (linear probing, backward-shift deletion) --------- */

static size_t ix_find(const aiotsec_aiotf *a, const uint8_t *rand_n, size_t len, uint64_t h)
{
    size_t mask = a->index_slots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        uint32_t e = a->index[i];
        if (!e)
            return SIZE_MAX;
        const pend *p = &a->slot[e - 1];
        if (p->hash == h && memcmp(p->rand_n, rand_n, len) == 0)
            return i;
    }
}

static void ix_insert(aiotsec_aiotf *a, uint32_t slot)
{
    size_t mask = a->index_slots - 1;
    size_t i = (size_t)a->slot[slot].hash & mask;
    while (a->index[i])
        i = (i + 1) & mask;
    a->index[i] = slot + 1;
}

static void ix_remove_at(aiotsec_aiotf *a, size_t i)
{
    size_t mask = a->index_slots - 1;
    for (size_t j = (i + 1) & mask; a->index[j]; j = (j + 1) & mask) {
        size_t home = (size_t)a->slot[a->index[j] - 1].hash & mask;
        /* Move j back to the hole at i unless its home lies cyclically in (i, j]. */
        int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            a->index[i] = a->index[j];
            i = j;
        }
    }
    a->index[i] = 0;
}

/* Removes a procedure: index entry, keys, slot back to the free list. */
static void release(aiotsec_aiotf *a, uint32_t slot)
{
    pend *p = &a->slot[slot];
    size_t len = aiotsec_rand_n_len(a->ctx);
    size_t i = ix_find(a, p->rand_n, len, p->hash);
    if (i != SIZE_MAX)
        ix_remove_at(a, i);
    wipe_slot(a, p);
    a->free_list[a->n_free++] = slot;
}

static pend *by_id(aiotsec_aiotf *a, uint64_t proc_id, uint32_t *slot)
{
    uint64_t s = proc_id & 0xffffffffu;
    if (s == 0 || s > a->cfg.max_pending)
        return NULL;
    pend *p = &a->slot[s - 1];
    if (p->state == ST_FREE || p->gen != (uint32_t)(proc_id >> 32))
        return NULL;
    *slot = (uint32_t)(s - 1);
    return p;
}

int aiotsec_aiotf_start(aiotsec_aiotf *a, int type, const uint8_t *ident, size_t ident_len,
                        uint64_t now_ms, uint8_t *rand_n, size_t rand_n_cap, uint64_t *proc_id)
{
    if (!a || !ident || !rand_n || !proc_id)
        return AIOTSEC_E_NULL_ARG;
    if (type != AIOTSEC_PROC_INVENTORY && type != AIOTSEC_PROC_COMMAND)
        return AIOTSEC_E_BAD_VALUE;
    if (ident_len == 0 || ident_len > AIOTSEC_ID_MAX)
        return AIOTSEC_E_BAD_LENGTH;
    size_t rn = aiotsec_rand_n_len(a->ctx);
    if (rand_n_cap < rn)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    if (a->n_free == 0)
        return AIOTSEC_E_LIMIT;
    uint32_t s = a->free_list[a->n_free - 1];
    pend *p = &a->slot[s];
    /* Step 1: a fresh RAND_AIOT_n. One already pending (a 2^-128 event, or a
     * broken ADM) is refused rather than shadowing the other procedure. */
    a->stats.adm_calls++;
    int rc = a->adm.rand_get(a->adm.user, p->rand_n, sizeof p->rand_n);
    if (rc != AIOTSEC_OK)
        return rc;
    p->hash = aiot_siphash24(a->hash_key, p->rand_n, rn);
    if (ix_find(a, p->rand_n, rn, p->hash) != SIZE_MAX) {
        aiotsec_wipe(p->rand_n, sizeof p->rand_n);
        return AIOTSEC_E_DUPLICATE;
    }
    a->n_free--;
    p->gen++;
    p->state = ST_WAIT_REPORT;
    p->type = (uint8_t)type;
    p->deadline = now_ms + a->cfg.timeout_ms;
    memcpy(p->ident, ident, ident_len);
    p->ident_len = ident_len;
    ix_insert(a, s);
    memcpy(rand_n, p->rand_n, rn);
    *proc_id = ((uint64_t)p->gen << 32) | (s + 1u);
    a->stats.started++;
    return AIOTSEC_OK;
}

/* Command case (step 11): K_AIOTF from the ADM, then the network's security context. */
static int secure(aiotsec_aiotf *a, uint32_t s, pend *p)
{
    uint8_t kaiotf[AIOTSEC_KAIOTF_LEN];
    size_t rn = aiotsec_rand_n_len(a->ctx), rd = aiotsec_rand_d_len(a->ctx);
    a->stats.adm_calls++;
    int rc = a->adm.session_key_get(a->adm.user, p->perm, p->perm_len, p->rand_n, rn, p->rand_d, rd,
                                    kaiotf, sizeof kaiotf);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_nas_sec_init(&p->sec, a->sec_mem + (size_t)s * a->sec_stride, a->sec_stride,
                                  a->ctx, kaiotf, sizeof kaiotf, a->cfg.int_alg, a->cfg.enc_alg,
                                  AIOTSEC_NAS_ROLE_NETWORK);
    aiotsec_wipe(kaiotf, sizeof kaiotf);
    if (rc != AIOTSEC_OK)
        p->sec = NULL;
    return rc;
}

/* Matching first: nothing here costs more than a hash and a decode until a
 * pending procedure for exactly this RAND_AIOT_n and device is found. On
 * success the slot is claimed (a second report in the same batch misses it). */
static int match_report(aiotsec_aiotf *a, uint64_t now_ms, const uint8_t *rand_n, size_t rand_n_len,
                        const uint8_t *ident, size_t ident_len, const uint8_t *nas, size_t nas_len,
                        uint32_t *slot, aiotsec_nas_msg *m)
{
    if (!rand_n || !ident || !nas)
        return AIOTSEC_E_NULL_ARG;
    size_t rn = aiotsec_rand_n_len(a->ctx), rd = aiotsec_rand_d_len(a->ctx);
    size_t i = SIZE_MAX;
    if (rand_n_len == rn)
        i = ix_find(a, rand_n, rn, aiot_siphash24(a->hash_key, rand_n, rn));
    pend *p = i == SIZE_MAX ? NULL : &a->slot[a->index[i] - 1];
    if (!p || p->state != ST_WAIT_REPORT || p->ident_len != ident_len ||
        memcmp(p->ident, ident, ident_len) != 0) {
        a->stats.unsolicited++;
        return AIOTSEC_E_NO_PENDING;
    }
    uint32_t s = a->index[i] - 1;
    if (now_ms > p->deadline) {
        a->stats.late++;
        release(a, s);
        return AIOTSEC_E_EXPIRED;
    }
    int rc = aiotsec_nas_decode(aiotsec_ctx_profile(a->ctx), nas, nas_len, m);
    if (rc == AIOTSEC_OK && m->type != AIOTSEC_NAS_AUTH_RESPONSE)
        rc = AIOTSEC_E_NAS_BAD_TYPE;
    if (rc == AIOTSEC_OK && (m->rand_d_len != rd || m->res_len != aiotsec_res_len(a->ctx)))
        rc = AIOTSEC_E_BAD_LENGTH;
    if (rc != AIOTSEC_OK) {
        a->stats.malformed++; /* garbage does not end the procedure: it costs no ADM call */
        return rc;
    }
    p->state = ST_CLAIMED;
    *slot = s;
    return AIOTSEC_OK;
}

/* Step 10 and what follows, once the ADM answered (adm_rc, xres, p->perm). */
static int finish_report(aiotsec_aiotf *a, uint32_t s, uint64_t now_ms, int adm_rc, const uint8_t *xres,
                         const aiotsec_nas_msg *m, aiotsec_aiotf_result *result)
{
    pend *p = &a->slot[s];
    int rc = adm_rc;
    if (rc == AIOTSEC_OK && (p->perm_len == 0 || p->perm_len > sizeof p->perm))
        rc = AIOTSEC_E_BAD_LENGTH;
    if (rc == AIOTSEC_OK && !aiotsec_ct_equal(xres, m->res, m->res_len))
        rc = AIOTSEC_E_AUTH_FAILED;
    if (rc != AIOTSEC_OK) {
        if (rc == AIOTSEC_E_AUTH_FAILED)
            a->stats.auth_failed++;
        release(a, s); /* one attempt per RAND_AIOT_n */
        return rc;
    }
    a->stats.authenticated++;
    uint64_t id = ((uint64_t)p->gen << 32) | (s + 1u);
    if (result) {
        memset(result, 0, sizeof *result);
        result->proc_id = id;
        result->type = p->type;
        memcpy(result->perm_id, p->perm, p->perm_len);
        result->perm_id_len = p->perm_len;
    }
    if (p->type == AIOTSEC_PROC_INVENTORY) {
        release(a, s);
        return AIOTSEC_OK;
    }
    memcpy(p->rand_d, m->rand_d, m->rand_d_len);
    rc = secure(a, s, p);
    if (rc != AIOTSEC_OK) {
        release(a, s);
        return rc;
    }
    p->state = ST_SECURED;
    p->deadline = now_ms + a->cfg.timeout_ms;
    return AIOTSEC_OK;
}

int aiotsec_aiotf_on_report(aiotsec_aiotf *a, uint64_t now_ms, const uint8_t *rand_n,
                            size_t rand_n_len, const uint8_t *ident, size_t ident_len,
                            const uint8_t *nas, size_t nas_len, aiotsec_aiotf_result *result)
{
    if (!a)
        return AIOTSEC_E_NULL_ARG;
    uint32_t s;
    aiotsec_nas_msg m;
    int rc = match_report(a, now_ms, rand_n, rand_n_len, ident, ident_len, nas, nas_len, &s, &m);
    if (rc != AIOTSEC_OK)
        return rc;
    /* Steps 7 to 9. */
    pend *p = &a->slot[s];
    uint8_t xres[AIOTSEC_RAND_RES_MAX];
    a->stats.adm_calls++;
    rc = a->adm.authentication_get(a->adm.user, p->ident, p->ident_len, p->rand_n, rand_n_len, m.rand_d,
                                   m.rand_d_len, xres, sizeof xres, p->perm, sizeof p->perm, &p->perm_len);
    rc = finish_report(a, s, now_ms, rc, xres, &m, result);
    aiotsec_wipe(xres, sizeof xres);
    return rc;
}

size_t aiotsec_aiotf_report_size(void) { return sizeof(aiotsec_aiotf_report); }

#define REPORT_CHUNK 64

int aiotsec_aiotf_on_reports(aiotsec_aiotf *a, uint64_t now_ms, const aiotsec_aiotf_report *reports,
                             size_t n, int *statuses, aiotsec_aiotf_result *results)
{
    if (!a || ((!reports || !statuses) && n))
        return AIOTSEC_E_NULL_ARG;
    int local = aiot_adm_client_is_local(&a->adm);
    size_t rn = aiotsec_rand_n_len(a->ctx);
    for (size_t base = 0; base < n; base += REPORT_CHUNK) {
        size_t cnt = n - base < REPORT_CHUNK ? n - base : REPORT_CHUNK, k = 0;
        aiotsec_nas_msg m[REPORT_CHUNK];
        uint32_t slot[REPORT_CHUNK];
        size_t which[REPORT_CHUNK];
        aiotsec_adm_auth_item items[REPORT_CHUNK];
        uint8_t xres[REPORT_CHUNK][AIOTSEC_RAND_RES_MAX];
        for (size_t j = 0; j < cnt; j++) {
            const aiotsec_aiotf_report *r = &reports[base + j];
            statuses[base + j] = match_report(a, now_ms, r->rand_n, r->rand_n_len, r->ident, r->ident_len,
                                              r->nas, r->nas_len, &slot[k], &m[k]);
            if (statuses[base + j] != AIOTSEC_OK)
                continue;
            pend *p = &a->slot[slot[k]];
            memset(&items[k], 0, sizeof items[k]);
            items[k].ident = p->ident;
            items[k].ident_len = p->ident_len;
            items[k].rand_n = p->rand_n;
            items[k].rand_n_len = rn;
            items[k].rand_d = m[k].rand_d;
            items[k].rand_d_len = m[k].rand_d_len;
            items[k].xres = xres[k];
            items[k].perm_id = p->perm;
            which[k++] = base + j;
        }
        /* Steps 7 to 9 for the whole chunk: one batch when the ADM is in-process. */
        a->stats.adm_calls += k;
        if (local && k) {
            aiotsec_adm_sec_authentication_get_batch(a->adm.user, items, k);
        } else {
            for (size_t j = 0; j < k; j++)
                items[j].status = a->adm.authentication_get(a->adm.user, items[j].ident, items[j].ident_len,
                                                            items[j].rand_n, rn, items[j].rand_d,
                                                            items[j].rand_d_len, xres[j], sizeof xres[j],
                                                            items[j].perm_id, AIOTSEC_ID_MAX,
                                                            &items[j].perm_id_len);
        }
        for (size_t j = 0; j < k; j++) {
            a->slot[slot[j]].perm_len = items[j].status == AIOTSEC_OK ? items[j].perm_id_len : 0;
            statuses[which[j]] = finish_report(a, slot[j], now_ms, items[j].status, xres[j], &m[j],
                                               results ? &results[which[j]] : NULL);
        }
        aiotsec_wipe(xres, sizeof xres);
    }
    return AIOTSEC_OK;
}

int aiotsec_aiotf_command(aiotsec_aiotf *a, uint64_t proc_id, uint64_t now_ms, int command,
                          uint16_t offset, uint16_t length, const uint8_t *data, size_t data_len,
                          uint8_t *out, size_t cap, size_t *out_len)
{
    if (!a || !out || !out_len)
        return AIOTSEC_E_NULL_ARG;
    uint32_t s;
    pend *p = by_id(a, proc_id, &s);
    if (!p)
        return AIOTSEC_E_NO_PENDING;
    if (p->state != ST_SECURED)
        return AIOTSEC_E_BAD_STATE;
    aiotsec_nas_msg m;
    memset(&m, 0, sizeof m);
    m.type = AIOTSEC_NAS_COMMAND_REQUEST;
    m.transaction_id = (uint8_t)(p->txid + 1u);
    m.command = command;
    m.offset = offset;
    m.length = length;
    m.data = data;
    m.data_len = data_len;
    int rc = aiotsec_nas_protect_msg(p->sec, &m, out, cap, out_len);
    if (rc != AIOTSEC_OK)
        return rc;
    p->txid = m.transaction_id;
    p->tx_outstanding = 1;
    p->deadline = now_ms + a->cfg.timeout_ms;
    a->stats.commands_sent++;
    return AIOTSEC_OK;
}

int aiotsec_aiotf_on_command_response(aiotsec_aiotf *a, uint64_t proc_id, uint64_t now_ms,
                                      const uint8_t *in, size_t len, uint8_t *work,
                                      size_t work_cap, aiotsec_nas_msg *msg)
{
    if (!a || !in || !work || !msg)
        return AIOTSEC_E_NULL_ARG;
    uint32_t s;
    pend *p = by_id(a, proc_id, &s);
    if (!p)
        return AIOTSEC_E_NO_PENDING;
    if (p->state != ST_SECURED || !p->tx_outstanding)
        return AIOTSEC_E_BAD_STATE;
    if (now_ms > p->deadline) {
        a->stats.late++;
        return AIOTSEC_E_EXPIRED;
    }
    int rc = aiotsec_nas_verify_decode(p->sec, in, len, work, work_cap, msg);
    if (rc == AIOTSEC_OK && msg->transaction_id != p->txid)
        rc = AIOTSEC_E_BAD_VALUE;
    if (rc != AIOTSEC_OK) {
        a->stats.responses_rejected++;
        return rc;
    }
    p->tx_outstanding = 0;
    a->stats.responses_ok++;
    return AIOTSEC_OK;
}

int aiotsec_aiotf_finish(aiotsec_aiotf *a, uint64_t proc_id)
{
    if (!a)
        return AIOTSEC_E_NULL_ARG;
    uint32_t s;
    if (!by_id(a, proc_id, &s))
        return AIOTSEC_E_NO_PENDING;
    release(a, s);
    return AIOTSEC_OK;
}

size_t aiotsec_aiotf_expire(aiotsec_aiotf *a, uint64_t now_ms)
{
    if (!a)
        return 0;
    size_t n = 0;
    for (uint32_t s = 0; s < a->cfg.max_pending; s++)
        if (a->slot[s].state != ST_FREE && now_ms > a->slot[s].deadline) {
            release(a, s);
            n++;
        }
    a->stats.expired += n;
    return n;
}

size_t aiotsec_aiotf_pending(const aiotsec_aiotf *a)
{
    return a ? a->cfg.max_pending - a->n_free : 0;
}

int aiotsec_aiotf_stats_get(const aiotsec_aiotf *a, aiotsec_aiotf_stats *out)
{
    if (!a || !out)
        return AIOTSEC_E_NULL_ARG;
    *out = a->stats;
    return AIOTSEC_OK;
}
