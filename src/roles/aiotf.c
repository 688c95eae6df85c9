/* The AIOTF: group procedures over an asynchronous ADM.
 *
 * Tables, all allocated at creation (nothing allocates afterwards):
 *  - procedures, found by RAND_AIOT_n through a keyed hash index, by id through
 *    the slot number the id embeds (with a generation, so stale ids miss);
 *  - reports, each in its procedure's list (arrival order), found by
 *    RAND_AIOT_n || RAND_AIOT_d through a second keyed index (duplicates);
 *  - getAuthentication requests, each holding the report numbers and the
 *    RAND_AIOT_d list it sends;
 *  - NAS security contexts for the devices of command procedures.
 * The ADM work waits in one FIFO of queue nodes: a procedure's node stands for
 * its getRand, a request's for its getAuthentication, a report's for its
 * getSessionKey. Request ids name the node and the owner's generation.
 * A procedure whose reports wait for a free request slot sits in a "want" list
 * that is served whenever a slot is freed. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "aiotsec/aiotf.h"
#include "aiotsec/filter.h"
#include "aiotsec/nas_security.h"
#include "roles/hindex.h"
#include "roles/roles_internal.h"

#define NONE UINT32_MAX
#define SLOTS_MAX (1u << 24)

enum { P_FREE = 0, P_NEED_RAND, P_PAGING };
enum { R_FREE = 0, R_WAITING, R_ASKED, R_DONE, R_SPARE };
enum { Q_IDLE = 0, Q_QUEUED, Q_OUT };     /* a node's request: none, in the FIFO, with the ADM */
enum { K_RAND = 1, K_AUTH = 2, K_SKEY = 3 }; /* what a node stands for */

typedef struct proc {
    uint32_t gen;
    uint8_t state, type, is_filter, target_len;
    uint8_t q;                       /* getRand request state */
    uint8_t flush_all, in_want;
    uint8_t target[AIOTSEC_ID_MAX];  /* Permanent Identifier or filter */
    uint8_t rand_n[AIOTSEC_RAND_LEN];
    uint64_t hash;                   /* of rand_n, for index moves */
    uint64_t report_deadline;        /* reports after it are late */
    uint64_t deadline;               /* idle deadline: requests are retried until then */
    uint32_t expected;
    uint32_t room;                   /* reports the cap still admits (expected minus those sent
                                        and not known to be forged); unused without a cap */
    uint32_t spare_head, spare_tail; /* answers held back beyond the cap, arrival order */
    uint32_t n_spares;
    uint32_t first, last, first_unsent; /* report lists */
    uint32_t back_head;              /* reports a split gave back, sent before first_unsent */
    uint32_t n_reports, n_unsent;    /* n_unsent counts both kinds */
    uint32_t want_next;
    aiotsec_aiotf_summary sum;       /* counters (proc_id, type filled on demand) */
} proc;

typedef struct rep {
    uint32_t gen;
    uint8_t state, res_len, matched, any_cands;
    uint8_t q;                       /* getSessionKey request state */
    uint8_t secured, txid, tx_outstanding;
    uint16_t outstanding;            /* getAuthentication requests still to answer for it */
    uint32_t proc, next, sess, back_next, spare_next;
    int status, err, none_status, last_cmd_status, key_status;
    uint64_t hash, cmd_deadline;
    uint8_t rand_d[AIOTSEC_RAND_LEN], res[AIOTSEC_RAND_RES_MAX];
    uint8_t perm[AIOTSEC_ID_MAX];
    uint8_t perm_len;
} rep;

typedef struct areq {
    uint32_t gen;
    uint8_t state;                   /* 0 free, else a Q_ value */
    uint8_t filter_len;              /* a narrowed filter; 0: the procedure's target */
    uint8_t base_bits;               /* narrowing: the prefix length it started from (0: none) */
    uint8_t filter[AIOTSEC_FILTER_MAX];
    uint32_t proc, attempt, n;
    uint32_t *reps;                  /* max_batch report numbers */
    uint8_t *rand_d;                 /* max_batch * 16 octets: the randDlist sent */
} areq;

typedef struct qnode {
    uint32_t prev, next;
} qnode;

struct aiotsec_aiotf {
    const aiotsec_ctx *ctx;
    aiotsec_aiotf_config cfg;
    uint8_t hash_key[16];
    proc *procs;
    rep *reps;
    areq *areqs;
    uint32_t *areq_reps;
    uint8_t *areq_rand_d;
    uint32_t *proc_free, *rep_free, *areq_free, *sess_free;
    size_t n_proc_free, n_rep_free, n_areq_free, n_sess_free;
    aiot_hix proc_ix, rep_ix;
    qnode *qn;                       /* procs, then areqs, then reps */
    uint32_t q_head, q_tail;
    size_t q_len;
    uint32_t want_head, want_tail;
    unsigned char *sec_raw, *sec_mem;
    size_t sec_stride;
    aiotsec_aiotf_stats stats;
};

/* --- ids ---------------------------------------------------------------------- */

static uint64_t make_id(uint32_t gen, uint32_t slot)
{
    return ((uint64_t)gen << 32) | (slot + 1u);
}

/* Request ids add the node kind in bits 28..29 of the low word (slots are < 2^24). */
static uint64_t make_req_id(uint32_t gen, int kind, uint32_t slot)
{
    return ((uint64_t)gen << 32) | ((uint64_t)kind << 28) | (slot + 1u);
}

static proc *proc_by_id(const aiotsec_aiotf *a, uint64_t id, uint32_t *slot)
{
    uint64_t s = id & 0x0fffffffu;
    if (s == 0 || s > a->cfg.max_procedures || (id & 0xf0000000u))
        return NULL;
    proc *p = &a->procs[s - 1];
    if (p->state == P_FREE || p->gen != (uint32_t)(id >> 32))
        return NULL;
    *slot = (uint32_t)(s - 1);
    return p;
}

static rep *rep_by_id(const aiotsec_aiotf *a, uint64_t id, uint32_t *slot)
{
    uint64_t s = id & 0x0fffffffu;
    if (s == 0 || s > a->cfg.max_reports || (id & 0xf0000000u))
        return NULL;
    rep *r = &a->reps[s - 1];
    if (r->state == R_FREE || r->gen != (uint32_t)(id >> 32))
        return NULL;
    *slot = (uint32_t)(s - 1);
    return r;
}

/* --- configuration and creation ------------------------------------------------ */

int aiotsec_aiotf_config_init(aiotsec_aiotf_config *cfg, const aiotsec_ctx *ctx)
{
    if (!cfg || !ctx)
        return AIOTSEC_E_NULL_ARG;
    memset(cfg, 0, sizeof *cfg);
    cfg->struct_size = (uint32_t)sizeof *cfg;
    cfg->timeout_ms = 5000;
    cfg->max_procedures = 1024;
    cfg->max_reports = 65536;
    cfg->max_batch = 256;
    cfg->max_requests = 1024;
    cfg->max_sessions = 256;
    cfg->spare_reports = 4;
    cfg->int_alg = ctx->profile.p.default_int_alg;
    cfg->enc_alg = ctx->profile.p.default_enc_alg;
    return AIOTSEC_OK;
}

size_t aiotsec_aiotf_config_structbytes(void) { return sizeof(aiotsec_aiotf_config); }
size_t aiotsec_aiotf_stats_structbytes(void) { return sizeof(aiotsec_aiotf_stats); }
size_t aiotsec_aiotf_summary_structbytes(void) { return sizeof(aiotsec_aiotf_summary); }
size_t aiotsec_aiotf_device_structbytes(void) { return sizeof(aiotsec_aiotf_device); }
size_t aiotsec_aiotf_report_structbytes(void) { return sizeof(aiotsec_aiotf_report); }

static int config_ok(const aiotsec_aiotf_config *c)
{
    return c->struct_size == sizeof *c && c->max_procedures >= 1 && c->max_procedures <= SLOTS_MAX &&
           c->max_reports >= 1 && c->max_reports <= SLOTS_MAX && c->max_batch >= 1 && c->max_batch <= 65536 &&
           c->max_requests >= 1 && c->max_requests <= (1u << 20) && c->max_sessions <= (1u << 20) &&
           c->spare_reports <= 65536;
}

static uint32_t *stack_of(size_t n)
{
    uint32_t *s = malloc((n ? n : 1) * sizeof *s);
    if (s)
        for (size_t i = 0; i < n; i++)
            s[i] = (uint32_t)(n - 1 - i); /* pops 0, 1, 2... */
    return s;
}

int aiotsec_aiotf_new(aiotsec_aiotf **out, const aiotsec_ctx *ctx, const aiotsec_aiotf_config *cfg)
{
    if (!out || !ctx)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    aiotsec_aiotf_config def;
    if (!cfg) {
        aiotsec_aiotf_config_init(&def, ctx);
        cfg = &def;
    }
    if (!config_ok(cfg))
        return AIOTSEC_E_BAD_VALUE;
    aiotsec_aiotf *a = calloc(1, sizeof *a);
    if (!a)
        return AIOTSEC_E_NO_MEMORY;
    a->ctx = ctx;
    a->cfg = *cfg;
    size_t np = cfg->max_procedures, nr = cfg->max_reports, nq = cfg->max_requests, ns = cfg->max_sessions;
    size_t nb = cfg->max_batch;
    int rc = aiotsec_random(ctx, a->hash_key, sizeof a->hash_key);
    a->procs = calloc(np, sizeof *a->procs);
    a->reps = calloc(nr, sizeof *a->reps);
    a->areqs = calloc(nq, sizeof *a->areqs);
    a->areq_reps = calloc(nq * nb, sizeof *a->areq_reps);
    a->areq_rand_d = calloc(nq * nb, AIOTSEC_RAND_LEN);
    a->qn = calloc(np + nq + nr, sizeof *a->qn);
    a->proc_free = stack_of(np);
    a->rep_free = stack_of(nr);
    a->areq_free = stack_of(nq);
    a->sess_free = stack_of(ns);
    a->n_proc_free = np;
    a->n_rep_free = nr;
    a->n_areq_free = nq;
    a->n_sess_free = ns;
    a->sec_stride = (aiotsec_nas_sec_statebytes() + 15u) & ~(size_t)15u;
    a->sec_raw = calloc(ns * a->sec_stride + 16u, 1);
    if (rc == AIOTSEC_OK && (!a->procs || !a->reps || !a->areqs || !a->areq_reps || !a->areq_rand_d || !a->qn ||
                             !a->proc_free || !a->rep_free || !a->areq_free || !a->sess_free || !a->sec_raw))
        rc = AIOTSEC_E_NO_MEMORY;
    if (rc == AIOTSEC_OK)
        rc = aiot_hix_init(&a->proc_ix, np);
    if (rc == AIOTSEC_OK)
        rc = aiot_hix_init(&a->rep_ix, nr);
    if (rc != AIOTSEC_OK) {
        aiotsec_aiotf_free(a);
        return rc;
    }
    a->sec_mem = a->sec_raw + ((16u - ((uintptr_t)a->sec_raw & 15u)) & 15u);
    for (size_t i = 0; i < nq; i++) {
        a->areqs[i].reps = a->areq_reps + i * nb;
        a->areqs[i].rand_d = a->areq_rand_d + i * nb * AIOTSEC_RAND_LEN;
    }
    a->q_head = a->q_tail = a->want_head = a->want_tail = NONE;
    *out = a;
    return AIOTSEC_OK;
}

/* --- the request FIFO ---------------------------------------------------------- */

static uint32_t node_of(const aiotsec_aiotf *a, int kind, uint32_t slot)
{
    switch (kind) {
    case K_RAND: return slot;
    case K_AUTH: return (uint32_t)a->cfg.max_procedures + slot;
    default: return (uint32_t)(a->cfg.max_procedures + a->cfg.max_requests) + slot;
    }
}

static void q_push(aiotsec_aiotf *a, uint32_t node)
{
    a->qn[node].next = NONE;
    a->qn[node].prev = a->q_tail;
    if (a->q_tail != NONE)
        a->qn[a->q_tail].next = node;
    else
        a->q_head = node;
    a->q_tail = node;
    a->q_len++;
}

static void q_unlink(aiotsec_aiotf *a, uint32_t node)
{
    qnode *n = &a->qn[node];
    if (n->prev != NONE)
        a->qn[n->prev].next = n->next;
    else
        a->q_head = n->next;
    if (n->next != NONE)
        a->qn[n->next].prev = n->prev;
    else
        a->q_tail = n->prev;
    a->q_len--;
}

/* --- indexes ------------------------------------------------------------------ */

typedef struct key_arg {
    const aiotsec_aiotf *a;
    const uint8_t *rand_n, *rand_d;
    uint32_t proc;
} key_arg;

static int proc_eq(const void *arg, uint32_t s)
{
    const key_arg *k = arg;
    return memcmp(k->a->procs[s].rand_n, k->rand_n, AIOTSEC_RAND_LEN) == 0;
}

static uint64_t proc_hash(const void *arg, uint32_t s)
{
    return ((const aiotsec_aiotf *)arg)->procs[s].hash;
}

static int rep_eq(const void *arg, uint32_t s)
{
    const key_arg *k = arg;
    const rep *r = &k->a->reps[s];
    return r->proc == k->proc && memcmp(r->rand_d, k->rand_d, AIOTSEC_RAND_LEN) == 0;
}

static uint64_t rep_hash(const void *arg, uint32_t s)
{
    return ((const aiotsec_aiotf *)arg)->reps[s].hash;
}

/* The duplicate index is keyed by RAND_AIOT_n || RAND_AIOT_d: one pair per answer. */
static uint64_t pair_hash(const aiotsec_aiotf *a, const uint8_t *rand_n, const uint8_t *rand_d)
{
    uint8_t both[2 * AIOTSEC_RAND_LEN];
    memcpy(both, rand_n, AIOTSEC_RAND_LEN);
    memcpy(both + AIOTSEC_RAND_LEN, rand_d, AIOTSEC_RAND_LEN);
    return aiot_siphash24(a->hash_key, both, sizeof both);
}

static uint32_t proc_find(const aiotsec_aiotf *a, const uint8_t *rand_n, uint64_t h)
{
    key_arg k = {a, rand_n, NULL, 0};
    size_t pos = aiot_hix_find(&a->proc_ix, h, proc_eq, &k);
    return pos == SIZE_MAX ? NONE : aiot_hix_at(&a->proc_ix, pos);
}

/* --- freeing ------------------------------------------------------------------- */

static void want_remove(aiotsec_aiotf *a, uint32_t ps)
{
    proc *p = &a->procs[ps];
    if (!p->in_want)
        return;
    uint32_t prev = NONE;
    for (uint32_t s = a->want_head; s != NONE; prev = s, s = a->procs[s].want_next) {
        if (s != ps)
            continue;
        if (prev == NONE)
            a->want_head = p->want_next;
        else
            a->procs[prev].want_next = p->want_next;
        if (a->want_tail == ps)
            a->want_tail = prev;
        break;
    }
    p->in_want = 0;
}

static void release_session(aiotsec_aiotf *a, rep *r)
{
    if (r->sess == NONE)
        return;
    aiotsec_nas_sec *sec = (aiotsec_nas_sec *)(void *)(a->sec_mem + (size_t)r->sess * a->sec_stride);
    aiotsec_nas_sec_clear(sec);
    a->sess_free[a->n_sess_free++] = r->sess;
    r->sess = NONE;
    r->secured = 0;
}

static void release_rep(aiotsec_aiotf *a, uint32_t rs)
{
    rep *r = &a->reps[rs];
    key_arg k = {a, a->procs[r->proc].rand_n, r->rand_d, r->proc};
    size_t pos = aiot_hix_find(&a->rep_ix, r->hash, rep_eq, &k);
    if (pos != SIZE_MAX)
        aiot_hix_remove_at(&a->rep_ix, pos, rep_hash, a);
    if (r->q == Q_QUEUED)
        q_unlink(a, node_of(a, K_SKEY, rs));
    release_session(a, r);
    uint32_t gen = r->gen;
    aiotsec_wipe(r, sizeof *r);
    r->gen = gen + 1u; /* ids handed out for this slot miss from now on */
    r->sess = NONE;
    a->rep_free[a->n_rep_free++] = rs;
}

static void release_areq(aiotsec_aiotf *a, uint32_t qs)
{
    areq *q = &a->areqs[qs];
    if (q->state == Q_QUEUED)
        q_unlink(a, node_of(a, K_AUTH, qs));
    q->state = 0;
    q->n = 0;
    q->filter_len = 0;
    q->gen++;
    a->areq_free[a->n_areq_free++] = qs;
}

static void release_proc(aiotsec_aiotf *a, uint32_t ps)
{
    proc *p = &a->procs[ps];
    for (uint32_t qs = 0; qs < a->cfg.max_requests; qs++)
        if (a->areqs[qs].state && a->areqs[qs].proc == ps)
            release_areq(a, qs);
    for (uint32_t rs = p->first; rs != NONE;) {
        uint32_t next = a->reps[rs].next;
        release_rep(a, rs);
        rs = next;
    }
    if (p->q == Q_QUEUED)
        q_unlink(a, node_of(a, K_RAND, ps));
    want_remove(a, ps);
    if (p->state == P_PAGING) {
        key_arg k = {a, p->rand_n, NULL, 0};
        size_t pos = aiot_hix_find(&a->proc_ix, p->hash, proc_eq, &k);
        if (pos != SIZE_MAX)
            aiot_hix_remove_at(&a->proc_ix, pos, proc_hash, a);
    }
    uint32_t gen = p->gen;
    aiotsec_wipe(p, sizeof *p);
    p->gen = gen + 1u;
    a->proc_free[a->n_proc_free++] = ps;
}

void aiotsec_aiotf_free(aiotsec_aiotf *a)
{
    if (!a)
        return;
    if (a->procs && a->reps && a->qn && a->areqs && a->proc_free && a->rep_free && a->areq_free && a->sess_free)
        for (uint32_t s = 0; s < a->cfg.max_procedures; s++)
            if (a->procs[s].state != P_FREE)
                release_proc(a, s);
    if (a->sec_raw)
        aiotsec_wipe(a->sec_raw, a->cfg.max_sessions * a->sec_stride + 16u);
    if (a->reps)
        aiotsec_wipe(a->reps, a->cfg.max_reports * sizeof *a->reps);
    free(a->procs);
    free(a->reps);
    free(a->areqs);
    free(a->areq_reps);
    free(a->areq_rand_d);
    free(a->qn);
    free(a->proc_free);
    free(a->rep_free);
    free(a->areq_free);
    free(a->sess_free);
    free(a->sec_raw);
    aiot_hix_free(&a->proc_ix);
    aiot_hix_free(&a->rep_ix);
    aiotsec_wipe(a->hash_key, sizeof a->hash_key);
    free(a);
}

/* --- starting a procedure -------------------------------------------------------- */

int aiotsec_aiotf_start(aiotsec_aiotf *a, uint64_t now_ms, aiotsec_proc_type type, const uint8_t *perm_id,
                        size_t perm_id_len, const uint8_t *filter, size_t filter_len, uint32_t expected,
                        uint64_t *proc_id)
{
    if (!a || !proc_id)
        return AIOTSEC_E_NULL_ARG;
    if (type != AIOTSEC_PROC_INVENTORY && type != AIOTSEC_PROC_COMMAND)
        return AIOTSEC_E_BAD_VALUE;
    if ((perm_id != NULL) == (filter != NULL))
        return AIOTSEC_E_BAD_VALUE;
    if (perm_id && (perm_id_len == 0 || perm_id_len > AIOTSEC_ID_MAX))
        return AIOTSEC_E_BAD_LENGTH;
    if (perm_id && expected > 1)
        return AIOTSEC_E_BAD_VALUE;
    if (filter) {
        int rc = aiotsec_filter_check(aiotsec_ctx_profile(a->ctx), filter, filter_len);
        if (rc != AIOTSEC_OK)
            return rc;
    }
    if (a->n_proc_free == 0)
        return AIOTSEC_E_LIMIT;
    uint32_t s = a->proc_free[--a->n_proc_free];
    proc *p = &a->procs[s];
    uint32_t gen = p->gen;
    memset(p, 0, sizeof *p);
    p->gen = gen;
    p->state = P_NEED_RAND;
    p->type = (uint8_t)type;
    p->is_filter = filter != NULL;
    p->target_len = (uint8_t)(filter ? filter_len : perm_id_len);
    memcpy(p->target, filter ? filter : perm_id, p->target_len);
    p->expected = perm_id ? 1u : expected;
    p->room = p->expected;
    p->first = p->last = p->first_unsent = p->want_next = p->back_head = NONE;
    p->spare_head = p->spare_tail = NONE;
    p->deadline = p->report_deadline = now_ms + a->cfg.timeout_ms;
    p->q = Q_QUEUED;
    q_push(a, node_of(a, K_RAND, s));
    *proc_id = make_id(p->gen, s);
    a->stats.started++;
    return AIOTSEC_OK;
}

/* --- handing requests out ---------------------------------------------------------- */

static void fill_auth_view(const aiotsec_aiotf *a, uint32_t qs, aiotsec_adm_request *out)
{
    const areq *q = &a->areqs[qs];
    const proc *p = &a->procs[q->proc];
    out->op = AIOTSEC_ADM_GET_AUTHENTICATION;
    out->id = make_req_id(q->gen, K_AUTH, qs);
    out->attempt = q->attempt;
    if (q->filter_len) {
        out->filter = q->filter;
        out->filter_len = q->filter_len;
    } else if (p->is_filter) {
        out->filter = p->target;
        out->filter_len = p->target_len;
    } else {
        out->perm_id = p->target;
        out->perm_id_len = p->target_len;
    }
    out->rand_n = p->rand_n;
    out->rand_n_len = AIOTSEC_RAND_LEN;
    out->rand_d = q->rand_d;
    out->rand_d_count = q->n;
}

static void decide(aiotsec_aiotf *a, uint32_t rs, int status);

/* Decides the reports of a getAuthentication request with `status` and frees it. */
static void fail_areq(aiotsec_aiotf *a, uint32_t qs, int status);

int aiotsec_aiotf_next_requests(aiotsec_aiotf *a, uint64_t now_ms, aiotsec_adm_request *reqs, size_t cap,
                                size_t *n)
{
    if (n)
        *n = 0;
    if (!a || !n || (!reqs && cap))
        return AIOTSEC_E_NULL_ARG;
    size_t got = 0;
    while (got < cap && a->q_head != NONE) {
        uint32_t node = a->q_head;
        q_unlink(a, node);
        aiotsec_adm_request *out = &reqs[got];
        memset(out, 0, sizeof *out);
        size_t np = a->cfg.max_procedures, nq = a->cfg.max_requests;
        if (node < np) {
            proc *p = &a->procs[node];
            if (now_ms > p->deadline) { /* nobody will page any more */
                p->q = Q_IDLE;
                release_proc(a, node);
                continue;
            }
            p->q = Q_OUT;
            out->op = AIOTSEC_ADM_GET_RAND;
            out->id = make_req_id(p->gen, K_RAND, node);
            out->proc_id = make_id(p->gen, node);
            out->deadline_ms = p->deadline;
        } else if (node < np + nq) {
            uint32_t qs = node - (uint32_t)np;
            areq *q = &a->areqs[qs];
            proc *p = &a->procs[q->proc];
            if (now_ms > p->deadline) {
                q->state = Q_OUT; /* fail_areq frees it */
                fail_areq(a, qs, AIOTSEC_E_EXPIRED);
                continue;
            }
            q->state = Q_OUT;
            fill_auth_view(a, qs, out);
            out->proc_id = make_id(p->gen, q->proc);
            out->deadline_ms = p->deadline;
        } else {
            uint32_t rs = node - (uint32_t)(np + nq);
            rep *r = &a->reps[rs];
            proc *p = &a->procs[r->proc];
            if (now_ms > p->deadline) {
                r->q = Q_IDLE;
                r->key_status = AIOTSEC_E_EXPIRED;
                continue;
            }
            r->q = Q_OUT;
            out->op = AIOTSEC_ADM_GET_SESSION_KEY;
            out->id = make_req_id(r->gen, K_SKEY, rs);
            out->attempt = 0;
            out->proc_id = make_id(p->gen, r->proc);
            out->deadline_ms = p->deadline;
            out->perm_id = r->perm;
            out->perm_id_len = r->perm_len;
            out->rand_n = p->rand_n;
            out->rand_n_len = AIOTSEC_RAND_LEN;
            out->rand_d = r->rand_d;
            out->rand_d_count = 1;
        }
        a->stats.adm_requests++;
        got++;
    }
    *n = got;
    return AIOTSEC_OK;
}

size_t aiotsec_aiotf_queued_requests(const aiotsec_aiotf *a)
{
    return a ? a->q_len : 0;
}

/* The outstanding request an id names: its node kind and slot, or 0. */
static int out_request(const aiotsec_aiotf *a, uint64_t id, uint32_t *slot)
{
    uint32_t lo = (uint32_t)id, gen = (uint32_t)(id >> 32);
    int kind = (int)(lo >> 28);
    uint32_t s = lo & 0x0fffffffu;
    if (s == 0)
        return 0;
    s--;
    switch (kind) {
    case K_RAND:
        if (s >= a->cfg.max_procedures || a->procs[s].state != P_NEED_RAND || a->procs[s].gen != gen ||
            a->procs[s].q != Q_OUT)
            return 0;
        break;
    case K_AUTH:
        if (s >= a->cfg.max_requests || a->areqs[s].state != Q_OUT || a->areqs[s].gen != gen)
            return 0;
        break;
    case K_SKEY:
        if (s >= a->cfg.max_reports || a->reps[s].state != R_DONE || a->reps[s].gen != gen ||
            a->reps[s].q != Q_OUT)
            return 0;
        break;
    default:
        return 0;
    }
    *slot = s;
    return kind;
}

/* --- getRand answers ------------------------------------------------------------- */

int aiotsec_aiotf_on_rand(aiotsec_aiotf *a, uint64_t req_id, uint64_t now_ms, int status, const uint8_t *rand_n,
                          size_t rand_n_len, uint64_t *proc_id)
{
    if (!a)
        return AIOTSEC_E_NULL_ARG;
    uint32_t s;
    if (out_request(a, req_id, &s) != K_RAND)
        return AIOTSEC_E_NO_PENDING;
    proc *p = &a->procs[s];
    if (proc_id)
        *proc_id = make_id(p->gen, s);
    if (status == AIOTSEC_E_TRANSPORT) {
        if (now_ms > p->deadline) {
            release_proc(a, s);
            return AIOTSEC_E_EXPIRED;
        }
        a->stats.adm_retries++;
        p->q = Q_QUEUED;
        q_push(a, node_of(a, K_RAND, s));
        return AIOTSEC_OK;
    }
    if (status != AIOTSEC_OK) {
        a->stats.adm_errors++;
        release_proc(a, s);
        return status;
    }
    if (!rand_n)
        return AIOTSEC_E_NULL_ARG;
    if (rand_n_len != AIOTSEC_RAND_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    uint64_t h = aiot_siphash24(a->hash_key, rand_n, AIOTSEC_RAND_LEN);
    if (proc_find(a, rand_n, h) != NONE) {
        /* Another procedure pages with it (a 2^-128 event, or a broken ADM): ask again
         * rather than shadow it. */
        p->q = Q_QUEUED;
        q_push(a, node_of(a, K_RAND, s));
        return AIOTSEC_E_DUPLICATE;
    }
    memcpy(p->rand_n, rand_n, AIOTSEC_RAND_LEN);
    p->hash = h;
    p->q = Q_IDLE;
    p->state = P_PAGING;
    p->report_deadline = p->deadline = now_ms + a->cfg.timeout_ms;
    aiot_hix_insert(&a->proc_ix, h, s);
    return AIOTSEC_OK;
}

/* --- reports ------------------------------------------------------------------------ */

/* Makes getAuthentication requests from a procedure's unsent reports: whole
 * batches, and the rest too when flush_all. Returns 0 when it ran out of request slots. */
static int form_requests(aiotsec_aiotf *a, uint32_t ps)
{
    proc *p = &a->procs[ps];
    size_t nb = a->cfg.max_batch;
    while (p->n_unsent && (p->flush_all || p->n_unsent >= nb)) {
        if (a->n_areq_free == 0)
            return 0;
        uint32_t qs = a->areq_free[--a->n_areq_free];
        areq *q = &a->areqs[qs];
        q->proc = ps;
        q->attempt = 0;
        q->filter_len = 0;
        q->base_bits = 0;
        q->n = 0;
        uint32_t rs = p->first_unsent;
        while ((p->back_head != NONE || rs != NONE) && q->n < nb) {
            uint32_t x;
            if (p->back_head != NONE) { /* given back by a split: first */
                x = p->back_head;
                p->back_head = a->reps[x].back_next;
            } else {
                x = rs;
                rs = a->reps[rs].next;
                if (a->reps[x].state != R_WAITING)
                    continue; /* a spare held back, or one a split already gave back */
            }
            rep *r = &a->reps[x];
            r->state = R_ASKED;
            r->outstanding = 1;
            q->reps[q->n] = x;
            memcpy(q->rand_d + (size_t)q->n * AIOTSEC_RAND_LEN, r->rand_d, AIOTSEC_RAND_LEN);
            q->n++;
        }
        p->first_unsent = rs;
        p->n_unsent -= q->n;
        q->state = Q_QUEUED;
        q_push(a, node_of(a, K_AUTH, qs));
    }
    if (!p->n_unsent)
        p->flush_all = 0;
    return 1;
}

/* Serves procedures waiting for request slots, oldest first. */
static void serve_wants(aiotsec_aiotf *a)
{
    while (a->want_head != NONE) {
        uint32_t ps = a->want_head;
        if (!form_requests(a, ps))
            return;
        a->want_head = a->procs[ps].want_next;
        if (a->want_head == NONE)
            a->want_tail = NONE;
        a->procs[ps].in_want = 0;
    }
}

/* Forms what can be formed now; a procedure left waiting joins the want list. */
static int send_ready(aiotsec_aiotf *a, uint32_t ps)
{
    proc *p = &a->procs[ps];
    if (p->in_want || form_requests(a, ps))
        return p->in_want ? AIOTSEC_E_LIMIT : AIOTSEC_OK;
    p->in_want = 1;
    p->want_next = NONE;
    if (a->want_tail != NONE)
        a->procs[a->want_tail].want_next = ps;
    else
        a->want_head = ps;
    a->want_tail = ps;
    return AIOTSEC_E_LIMIT;
}

int aiotsec_aiotf_on_report(aiotsec_aiotf *a, uint64_t now_ms, const uint8_t *rand_n, size_t rand_n_len,
                            const uint8_t *nas, size_t nas_len, uint64_t *report_id)
{
    if (report_id)
        *report_id = 0;
    if (!a || !rand_n || !nas)
        return AIOTSEC_E_NULL_ARG;
    a->stats.reports++;
    /* Matching first: nothing here costs more than a hash and a decode until a
     * pending procedure for this RAND_AIOT_n is found (NOTE 2). */
    uint32_t ps = NONE;
    if (rand_n_len == AIOTSEC_RAND_LEN)
        ps = proc_find(a, rand_n, aiot_siphash24(a->hash_key, rand_n, AIOTSEC_RAND_LEN));
    if (ps == NONE) {
        a->stats.unsolicited++;
        return AIOTSEC_E_NO_PENDING;
    }
    proc *p = &a->procs[ps];
    if (now_ms > p->report_deadline) {
        a->stats.late++;
        p->sum.late++;
        return AIOTSEC_E_EXPIRED;
    }
    aiotsec_nas_msg m;
    int rc = aiotsec_nas_decode(aiotsec_ctx_profile(a->ctx), nas, nas_len, &m);
    if (rc == AIOTSEC_OK && m.type != AIOTSEC_NAS_AUTH_RESPONSE)
        rc = AIOTSEC_E_NAS_BAD_TYPE;
    if (rc == AIOTSEC_OK && (m.rand_d_len != AIOTSEC_RAND_LEN || m.res_len != aiotsec_derive_res_bytes(a->ctx)))
        rc = AIOTSEC_E_BAD_LENGTH;
    if (rc != AIOTSEC_OK) {
        a->stats.malformed++;
        p->sum.malformed++;
        return rc;
    }
    uint64_t h = pair_hash(a, p->rand_n, m.rand_d);
    key_arg k = {a, p->rand_n, m.rand_d, ps};
    if (aiot_hix_find(&a->rep_ix, h, rep_eq, &k) != SIZE_MAX) {
        a->stats.duplicate++;
        p->sum.duplicate++;
        return AIOTSEC_E_DUPLICATE_REPORT;
    }
    /* Beyond the cap an answer is held back as a spare (no ADM call) while there is
     * room for one: if a report ahead of it proves forged, the spare takes its place,
     * so a forgery that arrives first cannot push the genuine tag out. */
    int spare = p->expected && p->room == 0;
    if (spare && p->n_spares >= a->cfg.spare_reports) {
        a->stats.over_cap++;
        p->sum.over_cap++;
        return AIOTSEC_E_OVER_CAP;
    }
    if (a->n_rep_free == 0)
        return AIOTSEC_E_LIMIT;
    uint32_t rs = a->rep_free[--a->n_rep_free];
    rep *r = &a->reps[rs];
    uint32_t gen = r->gen;
    memset(r, 0, sizeof *r);
    r->gen = gen;
    r->state = R_WAITING;
    r->proc = ps;
    r->next = r->back_next = NONE;
    r->sess = NONE;
    r->status = AIOTSEC_E_IN_PROGRESS;
    r->hash = h;
    r->res_len = (uint8_t)m.res_len;
    memcpy(r->rand_d, m.rand_d, AIOTSEC_RAND_LEN);
    memcpy(r->res, m.res, m.res_len);
    aiot_hix_insert(&a->rep_ix, h, rs);
    if (p->last != NONE)
        a->reps[p->last].next = rs;
    else
        p->first = rs;
    p->last = rs;
    p->n_reports++;
    p->sum.waiting++;
    p->deadline = p->deadline > now_ms + a->cfg.timeout_ms ? p->deadline : now_ms + a->cfg.timeout_ms;
    if (report_id)
        *report_id = make_id(r->gen, rs);
    if (spare) {
        r->state = R_SPARE;
        r->spare_next = NONE;
        if (p->spare_tail != NONE)
            a->reps[p->spare_tail].spare_next = rs;
        else
            p->spare_head = rs;
        p->spare_tail = rs;
        p->n_spares++;
        p->sum.spares++;
        return AIOTSEC_OK;
    }
    if (p->first_unsent == NONE)
        p->first_unsent = rs;
    p->n_unsent++;
    p->sum.accepted++;
    a->stats.accepted++;
    if (p->expected)
        p->room--;
    /* Everything expected is in: send it now. A full batch goes anyway. */
    if (p->expected && p->room == 0)
        p->flush_all = 1;
    if (p->flush_all || p->n_unsent >= a->cfg.max_batch)
        (void)send_ready(a, ps); /* no slot now: it waits in the want list */
    return AIOTSEC_OK;
}

int aiotsec_aiotf_on_reports(aiotsec_aiotf *a, uint64_t now_ms, const aiotsec_aiotf_report *reports, size_t n,
                             int *statuses, uint64_t *report_ids)
{
    if (!a || ((!reports || !statuses) && n))
        return AIOTSEC_E_NULL_ARG;
    for (size_t i = 0; i < n; i++)
        statuses[i] = aiotsec_aiotf_on_report(a, now_ms, reports[i].rand_n, reports[i].rand_n_len, reports[i].nas,
                                              reports[i].nas_len, report_ids ? &report_ids[i] : NULL);
    return AIOTSEC_OK;
}

int aiotsec_aiotf_flush(aiotsec_aiotf *a, uint64_t proc_id)
{
    if (!a)
        return AIOTSEC_E_NULL_ARG;
    uint32_t ps;
    proc *p = proc_by_id(a, proc_id, &ps);
    if (!p)
        return AIOTSEC_E_NO_PENDING;
    if (!p->n_unsent)
        return AIOTSEC_OK;
    p->flush_all = 1;
    return send_ready(a, ps);
}

/* --- deciding reports ------------------------------------------------------------- */

/* Held-back answers: one takes the place of a report that proved forged (sent
 * first, before anything not yet sent); all are dropped once the procedure has
 * identified as many devices as it expects. */
static void promote_spare(aiotsec_aiotf *a, uint32_t ps)
{
    proc *p = &a->procs[ps];
    uint32_t rs = p->spare_head;
    rep *r = &a->reps[rs];
    p->spare_head = r->spare_next;
    if (p->spare_head == NONE)
        p->spare_tail = NONE;
    p->n_spares--;
    r->state = R_WAITING;
    r->back_next = p->back_head;
    p->back_head = rs;
    p->n_unsent++;
    p->sum.accepted++;
    a->stats.accepted++;
    p->flush_all = 1;
    (void)send_ready(a, ps); /* no slot now: the procedure waits in the want list */
}

/* Closes a report: its verdict, one report less to wait for. */
static void close_report(aiotsec_aiotf *a, uint32_t rs, int status)
{
    rep *r = &a->reps[rs];
    r->state = R_DONE;
    r->status = status;
    r->outstanding = 0;
    a->procs[r->proc].sum.waiting--;
}

/* A report that found no place under the cap: it frees none either. */
static void decide_over_cap(aiotsec_aiotf *a, uint32_t rs)
{
    close_report(a, rs, AIOTSEC_E_OVER_CAP);
    a->procs[a->reps[rs].proc].sum.over_cap++;
    a->stats.over_cap++;
}

/* The cap is reached: the held-back answers will not be needed. */
static void drop_spares(aiotsec_aiotf *a, uint32_t ps)
{
    proc *p = &a->procs[ps];
    while (p->spare_head != NONE) {
        uint32_t rs = p->spare_head;
        p->spare_head = a->reps[rs].spare_next;
        p->n_spares--;
        decide_over_cap(a, rs);
    }
    p->spare_tail = NONE;
}

/* A report's verdict is final: counters; for a command procedure its getSessionKey;
 * under a cap, the room it frees or the spare that replaces it. */
static void decide(aiotsec_aiotf *a, uint32_t rs, int status)
{
    if (status == AIOTSEC_E_OVER_CAP) {
        decide_over_cap(a, rs);
        return;
    }
    rep *r = &a->reps[rs];
    uint32_t ps = r->proc;
    proc *p = &a->procs[ps];
    close_report(a, rs, status);
    if (status == AIOTSEC_OK) {
        p->sum.authenticated++;
        a->stats.authenticated++;
        if (p->type == AIOTSEC_PROC_COMMAND) {
            r->q = Q_QUEUED;
            r->key_status = AIOTSEC_E_IN_PROGRESS;
            q_push(a, node_of(a, K_SKEY, rs));
        }
        if (p->expected && p->sum.authenticated >= p->expected)
            drop_spares(a, ps);
    } else if (status == AIOTSEC_E_AUTH_FAILED || status == AIOTSEC_E_AMBIGUOUS) {
        p->sum.auth_failed++;
        a->stats.auth_failed++;
    } else {
        p->sum.errors++;
    }
    /* A report that identified nobody (forged, or not decided by the ADM): its
     * place under the cap goes to a spare, or back to the cap. */
    if (status != AIOTSEC_OK && p->expected) {
        if (p->spare_head != NONE)
            promote_spare(a, ps);
        else
            p->room++;
    }
}

/* One getAuthentication request less for the report: decided when none is left. */
static void settle(aiotsec_aiotf *a, uint32_t rs)
{
    rep *r = &a->reps[rs];
    if (r->outstanding && --r->outstanding)
        return;
    int status;
    if (r->matched == 1)
        status = AIOTSEC_OK;
    else if (r->matched > 1)
        status = AIOTSEC_E_AMBIGUOUS;
    else if (r->err)
        status = r->err;
    else if (r->any_cands)
        status = AIOTSEC_E_AUTH_FAILED;
    else
        status = r->none_status ? r->none_status : AIOTSEC_E_NO_CANDIDATE;
    if (status != AIOTSEC_OK)
        r->perm_len = 0;
    decide(a, rs, status);
}

/* Records what one answer (or failure) of a getAuthentication says about its
 * reports, short of a verdict: a 404 means "no candidate in this part". */
static void note_failure(aiotsec_aiotf *a, const areq *q, int status)
{
    for (uint32_t i = 0; i < q->n; i++) {
        rep *r = &a->reps[q->reps[i]];
        if (status == AIOTSEC_E_NO_CANDIDATE || status == AIOTSEC_E_UNKNOWN_DEVICE)
            r->none_status = status; /* no candidate in this part: not an error of the report */
        else if (!r->err)
            r->err = status;
    }
}

/* The next filter of a depth-first walk below the prefix length the narrowing
 * started from: "...0" is followed by "...1", and a finished "...1" by its
 * parent's next. Returns 0 when the walk is over. The walk needs no state but
 * the current filter, so one request slot carries all of it. */
static int next_narrow(aiotsec_aiotf *a, areq *q)
{
    size_t bits = 0, len = 0;
    if (!q->base_bits ||
        aiotsec_filter_bits(aiotsec_ctx_profile(a->ctx), q->filter, q->filter_len, &bits) != AIOTSEC_OK)
        return 0;
    uint8_t prefix[AIOTSEC_FILTER_MAX] = {0};
    memcpy(prefix, q->filter + 1, (size_t)q->filter_len - 1);
    while (bits > q->base_bits) {
        size_t i = bits - 1;
        uint8_t mask = (uint8_t)(0x80u >> (i % 8));
        if (!(prefix[i / 8] & mask)) {
            prefix[i / 8] |= mask;
            (void)aiotsec_filter_make(aiotsec_ctx_profile(a->ctx), prefix, bits, q->filter, sizeof q->filter, &len);
            q->filter_len = (uint8_t)len;
            return 1;
        }
        prefix[i / 8] &= (uint8_t)~mask;
        bits--;
    }
    return 0;
}

/* One answer of a request has been taken into account: the next part of a
 * narrowing walk goes out, or the reports are decided and the slot is freed. */
static void part_done(aiotsec_aiotf *a, uint32_t qs)
{
    areq *q = &a->areqs[qs];
    if (next_narrow(a, q)) {
        q->attempt = 0;
        q->state = Q_QUEUED;
        q_push(a, node_of(a, K_AUTH, qs));
        return;
    }
    for (uint32_t i = 0; i < q->n; i++)
        settle(a, q->reps[i]);
    release_areq(a, qs);
    serve_wants(a);
}

static void fail_areq(aiotsec_aiotf *a, uint32_t qs, int status)
{
    areq *q = &a->areqs[qs];
    note_failure(a, q, status);
    q->base_bits = 0; /* no further part: decide now */
    part_done(a, qs);
}

/* A request the ADM refused as too large (|candidates| x |randDlist|): several
 * reports are halved (the second half goes back to the procedure, to be sent in
 * a request of its own when a slot is free: a split never waits for a slot, so
 * splits cannot deadlock the table); one report walks the filter's subtree one
 * bit narrower at a time, in the same slot. Returns 0 when it cannot be split (a
 * named device, or a filter of the longest prefix). */
static int split(aiotsec_aiotf *a, uint32_t qs)
{
    areq *q = &a->areqs[qs];
    uint32_t ps = q->proc;
    proc *p = &a->procs[ps];
    if (q->n > 1) {
        uint32_t keep = q->n / 2;
        for (uint32_t i = keep; i < q->n; i++) {
            rep *r = &a->reps[q->reps[i]];
            r->state = R_WAITING;
            r->outstanding = 0;
            r->back_next = p->back_head;
            p->back_head = q->reps[i];
            p->n_unsent++;
        }
        q->n = keep;
        q->attempt = 0;
        q->state = Q_QUEUED;
        q_push(a, node_of(a, K_AUTH, qs));
        p->flush_all = 1;
        (void)send_ready(a, ps); /* no slot now: the procedure waits in the want list */
        a->stats.adm_splits++;
        return 1;
    }
    const uint8_t *f = q->filter_len ? q->filter : p->target;
    size_t flen = q->filter_len ? q->filter_len : p->target_len, bits = 0, len = 0;
    if (!(q->filter_len || p->is_filter) ||
        aiotsec_filter_bits(aiotsec_ctx_profile(a->ctx), f, flen, &bits) != AIOTSEC_OK ||
        bits >= AIOTSEC_FILTER_BITS_MAX)
        return 0;
    if (!q->base_bits)
        q->base_bits = (uint8_t)bits;
    uint8_t prefix[AIOTSEC_FILTER_MAX] = {0};
    memcpy(prefix, f + 1, flen - 1);
    (void)aiotsec_filter_make(aiotsec_ctx_profile(a->ctx), prefix, bits + 1, q->filter, sizeof q->filter, &len);
    q->filter_len = (uint8_t)len; /* "...0" first */
    q->attempt = 0;
    q->state = Q_QUEUED;
    q_push(a, node_of(a, K_AUTH, qs));
    a->stats.adm_splits++;
    return 1;
}

/* An answer the reports may be decided from: one set per RAND_AIOT_d of the
 * request, in order, none empty; every XRES_AIOT of the profile's length; for a
 * filter, every candidate with a Permanent Identifier the filter addresses. The
 * answer's layout (roles_internal.h) lets each distinct candidate be checked once,
 * however many sets it appears in. */
static int answer_fits(const aiotsec_aiotf *a, const areq *q, const aiotsec_auth_answer *ans, int named,
                       const uint8_t *filter, size_t filter_len)
{
    if (ans->n_sets != q->n)
        return 0;
    if (!named)
        for (size_t c = 0; c < ans->n_cands; c++) {
            int ok = 0;
            if (aiotsec_filter_match(aiotsec_ctx_profile(a->ctx), filter, filter_len, ans->cands[c].id,
                                     ans->cands[c].len, &ok) != AIOTSEC_OK || !ok)
                return 0;
        }
    size_t res_len = aiotsec_derive_res_bytes(a->ctx);
    for (uint32_t s = 0; s < q->n; s++) {
        const aiot_answer_set *set = &ans->sets[s];
        if (set->count == 0 || memcmp(set->rand_d, q->rand_d + (size_t)s * AIOTSEC_RAND_LEN, AIOTSEC_RAND_LEN) != 0)
            return 0;
        for (size_t i = set->first; i < set->first + set->count; i++)
            if (ans->entries[i].xres_len != res_len || (!named && ans->entries[i].cand == AIOT_NO_CAND))
                return 0;
    }
    return 1;
}

/* Step 10 for one report: RES_AIOT against every entry of its set, in constant
 * time (no early exit, no branch on a comparison; the entries' lengths were
 * checked by answer_fits). */
static void match_set(aiotsec_aiotf *a, uint32_t rs, const aiotsec_auth_answer *ans, size_t set, int named)
{
    rep *r = &a->reps[rs];
    const aiot_answer_set *st = &ans->sets[set];
    const aiot_answer_entry *e = ans->entries + st->first;
    uint32_t matches = 0;
    size_t which = 0;
    for (size_t i = 0; i < st->count; i++) {
        uint32_t eq = (uint32_t)aiot_ct_eq(e[i].xres, r->res, r->res_len);
        size_t mask = (size_t)0 - (size_t)eq;
        which = (which & ~mask) | (i & mask);
        matches += eq;
    }
    r->any_cands = 1;
    if (matches == 1 && r->matched == 0) {
        const uint8_t *perm;
        size_t perm_len;
        if (named || e[which].cand == AIOT_NO_CAND) {
            const proc *p = &a->procs[r->proc];
            perm = p->target;
            perm_len = p->target_len;
        } else {
            perm = ans->cands[e[which].cand].id;
            perm_len = ans->cands[e[which].cand].len;
        }
        memcpy(r->perm, perm, perm_len);
        r->perm_len = (uint8_t)perm_len;
    }
    uint32_t total = r->matched + matches;
    r->matched = (uint8_t)(total > 2 ? 2 : total);
}

int aiotsec_aiotf_on_authentication(aiotsec_aiotf *a, uint64_t req_id, uint64_t now_ms, int status,
                                    const aiotsec_auth_answer *ans, size_t *decided)
{
    if (decided)
        *decided = 0;
    if (!a)
        return AIOTSEC_E_NULL_ARG;
    uint32_t qs;
    if (out_request(a, req_id, &qs) != K_AUTH)
        return AIOTSEC_E_NO_PENDING;
    areq *q = &a->areqs[qs];
    proc *p = &a->procs[q->proc];
    uint32_t before = p->sum.waiting;
    if (status == AIOTSEC_OK && !ans)
        return AIOTSEC_E_NULL_ARG;
    if (status == AIOTSEC_E_TRANSPORT && now_ms <= p->deadline) {
        a->stats.adm_retries++;
        q->attempt++;
        q->state = Q_QUEUED;
        q_push(a, node_of(a, K_AUTH, qs));
        return AIOTSEC_OK;
    }
    if (status == AIOTSEC_E_TOO_MANY_DERIVATIONS && split(a, qs))
        return AIOTSEC_OK;
    int rc = AIOTSEC_OK;
    if (status == AIOTSEC_OK) {
        p->deadline = p->deadline > now_ms + a->cfg.timeout_ms ? p->deadline : now_ms + a->cfg.timeout_ms;
        int named = !q->filter_len && !p->is_filter;
        const uint8_t *f = q->filter_len ? q->filter : p->target;
        size_t flen = q->filter_len ? q->filter_len : p->target_len;
        /* The whole answer is checked before any report takes a verdict from it. */
        if (answer_fits(a, q, ans, named, f, flen)) {
            for (uint32_t i = 0; i < q->n; i++)
                match_set(a, q->reps[i], ans, i, named);
        } else {
            rc = AIOTSEC_E_BAD_ANSWER;
            a->stats.adm_errors++;
            note_failure(a, q, rc);
        }
    } else {
        if (status != AIOTSEC_E_NO_CANDIDATE && status != AIOTSEC_E_UNKNOWN_DEVICE)
            a->stats.adm_errors++;
        note_failure(a, q, status);
    }
    part_done(a, qs);
    if (decided)
        *decided = before - p->sum.waiting;
    return rc;
}

/* --- getSessionKey answers and commands --------------------------------------------- */

int aiotsec_aiotf_on_session_key(aiotsec_aiotf *a, uint64_t req_id, uint64_t now_ms, int status,
                                 const uint8_t *kaiotf, size_t kaiotf_len, uint64_t *report_id)
{
    if (!a)
        return AIOTSEC_E_NULL_ARG;
    uint32_t rs;
    if (out_request(a, req_id, &rs) != K_SKEY)
        return AIOTSEC_E_NO_PENDING;
    rep *r = &a->reps[rs];
    proc *p = &a->procs[r->proc];
    if (report_id)
        *report_id = make_id(r->gen, rs);
    if (status == AIOTSEC_E_TRANSPORT && now_ms <= p->deadline) {
        a->stats.adm_retries++;
        r->q = Q_QUEUED;
        q_push(a, node_of(a, K_SKEY, rs));
        return AIOTSEC_OK;
    }
    r->q = Q_IDLE;
    int rc = status;
    if (rc == AIOTSEC_OK && !kaiotf)
        rc = AIOTSEC_E_NULL_ARG;
    if (rc == AIOTSEC_OK && kaiotf_len != AIOTSEC_KAIOTF_LEN)
        rc = AIOTSEC_E_BAD_LENGTH;
    if (rc == AIOTSEC_OK && a->n_sess_free == 0)
        rc = AIOTSEC_E_LIMIT;
    if (rc == AIOTSEC_OK) {
        uint32_t ss = a->sess_free[--a->n_sess_free];
        aiotsec_nas_sec *sec = NULL;
        rc = aiotsec_nas_sec_init(&sec, a->sec_mem + (size_t)ss * a->sec_stride, a->sec_stride, a->ctx, kaiotf,
                                  kaiotf_len, a->cfg.int_alg, a->cfg.enc_alg, AIOTSEC_NAS_ROLE_NETWORK);
        if (rc == AIOTSEC_OK) {
            r->sess = ss;
            r->secured = 1;
            p->deadline = p->deadline > now_ms + a->cfg.timeout_ms ? p->deadline : now_ms + a->cfg.timeout_ms;
        } else {
            a->sess_free[a->n_sess_free++] = ss;
        }
    }
    if (status != AIOTSEC_OK)
        a->stats.adm_errors++;
    r->key_status = rc;
    return rc;
}

static aiotsec_nas_sec *session_of(const aiotsec_aiotf *a, const rep *r)
{
    return (aiotsec_nas_sec *)(void *)(a->sec_mem + (size_t)r->sess * a->sec_stride);
}

int aiotsec_aiotf_command(aiotsec_aiotf *a, uint64_t report_id, uint64_t now_ms, aiotsec_cmd command,
                          uint16_t offset, uint16_t length, const uint8_t *data, size_t data_len, uint8_t *out,
                          size_t cap, size_t *out_len)
{
    if (!a || !out || !out_len)
        return AIOTSEC_E_NULL_ARG;
    uint32_t rs;
    rep *r = rep_by_id(a, report_id, &rs);
    if (!r)
        return AIOTSEC_E_NO_PENDING;
    if (!r->secured || r->sess == NONE)
        return AIOTSEC_E_BAD_STATE;
    aiotsec_nas_msg m;
    memset(&m, 0, sizeof m);
    m.type = AIOTSEC_NAS_COMMAND_REQUEST;
    m.transaction_id = (uint8_t)(r->txid + 1u);
    m.command = command;
    m.offset = offset;
    m.length = length;
    m.data = data;
    m.data_len = data_len;
    int rc = aiotsec_nas_protect_msg(session_of(a, r), &m, out, cap, out_len);
    if (rc != AIOTSEC_OK)
        return rc;
    proc *p = &a->procs[r->proc];
    r->txid = m.transaction_id;
    r->tx_outstanding = 1;
    r->cmd_deadline = now_ms + a->cfg.timeout_ms;
    p->deadline = p->deadline > r->cmd_deadline ? p->deadline : r->cmd_deadline;
    a->stats.commands_sent++;
    return AIOTSEC_OK;
}

int aiotsec_aiotf_on_command_response(aiotsec_aiotf *a, uint64_t report_id, uint64_t now_ms, const uint8_t *in,
                                      size_t len, uint8_t *work, size_t work_cap, aiotsec_nas_msg *msg)
{
    if (!a || !in || !work || !msg)
        return AIOTSEC_E_NULL_ARG;
    uint32_t rs;
    rep *r = rep_by_id(a, report_id, &rs);
    if (!r)
        return AIOTSEC_E_NO_PENDING;
    if (!r->secured || !r->tx_outstanding)
        return AIOTSEC_E_BAD_STATE;
    if (now_ms > r->cmd_deadline) {
        a->stats.late++;
        return AIOTSEC_E_EXPIRED;
    }
    int rc = aiotsec_nas_verify_decode(session_of(a, r), in, len, work, work_cap, msg);
    if (rc == AIOTSEC_OK && msg->transaction_id != r->txid)
        rc = AIOTSEC_E_BAD_VALUE;
    if (rc != AIOTSEC_OK) {
        a->stats.responses_rejected++;
        return rc;
    }
    r->tx_outstanding = 0;
    r->last_cmd_status = msg->status;
    a->stats.responses_ok++;
    return AIOTSEC_OK;
}

/* --- the in-process ADM as a transport ----------------------------------------------- */

#define PUMP_BATCH 16

int aiotsec_aiotf_pump_local(aiotsec_aiotf *a, uint64_t now_ms, const aiotsec_adm *adm, aiotsec_auth_answer *ans,
                             size_t *handled)
{
    if (handled)
        *handled = 0;
    if (!a || !adm || !ans)
        return AIOTSEC_E_NULL_ARG;
    /* Bounded: an ADM that keeps answering with a RAND_AIOT_n already in use
     * would otherwise keep the loop going. */
    size_t budget = 4 * (a->cfg.max_procedures + a->cfg.max_requests + a->cfg.max_reports), done = 0;
    aiotsec_adm_request reqs[PUMP_BATCH];
    size_t n = 0;
    while (done < budget && aiotsec_aiotf_next_requests(a, now_ms, reqs, PUMP_BATCH, &n) == AIOTSEC_OK && n) {
        for (size_t i = 0; i < n; i++, done++) {
            const aiotsec_adm_request *rq = &reqs[i];
            if (rq->op == AIOTSEC_ADM_GET_RAND) {
                uint8_t rand_n[AIOTSEC_RAND_LEN];
                int rc = aiotsec_adm_get_rand(adm, rand_n, sizeof rand_n);
                (void)aiotsec_aiotf_on_rand(a, rq->id, now_ms, rc, rand_n, sizeof rand_n, NULL);
            } else if (rq->op == AIOTSEC_ADM_GET_AUTHENTICATION) {
                int rc = aiotsec_adm_get_authentication(adm, rq, ans);
                (void)aiotsec_aiotf_on_authentication(a, rq->id, now_ms, rc, ans, NULL);
                aiotsec_auth_answer_reset(ans);
            } else {
                uint8_t kaiotf[AIOTSEC_KAIOTF_LEN];
                int rc = aiotsec_adm_get_session_key(adm, rq->perm_id, rq->perm_id_len, rq->rand_n, rq->rand_n_len,
                                                     rq->rand_d, AIOTSEC_RAND_LEN, kaiotf, sizeof kaiotf);
                (void)aiotsec_aiotf_on_session_key(a, rq->id, now_ms, rc, kaiotf, sizeof kaiotf, NULL);
                aiotsec_wipe(kaiotf, sizeof kaiotf);
            }
        }
    }
    if (handled)
        *handled = done;
    return AIOTSEC_OK;
}

/* --- reading results ------------------------------------------------------------------ */

static void device_of(const aiotsec_aiotf *a, uint32_t rs, aiotsec_aiotf_device *out)
{
    const rep *r = &a->reps[rs];
    memset(out, 0, sizeof *out);
    out->report_id = make_id(r->gen, rs);
    out->proc_id = make_id(a->procs[r->proc].gen, r->proc);
    out->status = r->status;
    if (r->status == AIOTSEC_OK) {
        memcpy(out->perm_id, r->perm, r->perm_len);
        out->perm_id_len = r->perm_len;
    }
    out->held_back = r->state == R_SPARE;
    out->secured = r->secured;
    out->last_cmd_status = (aiotsec_cmd_status)r->last_cmd_status;
}

int aiotsec_aiotf_device_get(const aiotsec_aiotf *a, uint64_t report_id, aiotsec_aiotf_device *out)
{
    if (!a || !out)
        return AIOTSEC_E_NULL_ARG;
    uint32_t rs;
    if (!rep_by_id(a, report_id, &rs))
        return AIOTSEC_E_NO_PENDING;
    device_of(a, rs, out);
    return AIOTSEC_OK;
}

int aiotsec_aiotf_devices(const aiotsec_aiotf *a, uint64_t proc_id, aiotsec_aiotf_device *out, size_t cap,
                          size_t *n)
{
    if (n)
        *n = 0;
    if (!a || !n || (!out && cap))
        return AIOTSEC_E_NULL_ARG;
    uint32_t ps;
    const proc *p = proc_by_id(a, proc_id, &ps);
    if (!p)
        return AIOTSEC_E_NO_PENDING;
    size_t i = 0;
    for (uint32_t rs = p->first; rs != NONE; rs = a->reps[rs].next, i++)
        if (i < cap)
            device_of(a, rs, &out[i]);
    *n = i;
    return AIOTSEC_OK;
}

int aiotsec_aiotf_summary_get(const aiotsec_aiotf *a, uint64_t proc_id, aiotsec_aiotf_summary *out)
{
    if (!a || !out)
        return AIOTSEC_E_NULL_ARG;
    uint32_t ps;
    const proc *p = proc_by_id(a, proc_id, &ps);
    if (!p)
        return AIOTSEC_E_NO_PENDING;
    *out = p->sum;
    out->proc_id = proc_id;
    out->type = p->type;
    out->paging = p->state == P_PAGING;
    if (out->paging)
        memcpy(out->rand_n, p->rand_n, sizeof out->rand_n);
    out->expected = p->expected;
    if (out->authenticated || out->waiting)
        out->failure_cause = AIOTSEC_FAILURE_NONE;
    else
        out->failure_cause = out->auth_failed ? AIOTSEC_FAILURE_AUTH_FAILURE : AIOTSEC_FAILURE_NO_SUCC_INV_RESP;
    return AIOTSEC_OK;
}

const char *aiotsec_failure_cause_name(aiotsec_failure_cause cause)
{
    switch (cause) {
    case AIOTSEC_FAILURE_NONE: return "";
    case AIOTSEC_FAILURE_NO_SUCC_INV_RESP: return "NO_SUCC_INV_RESP";
    case AIOTSEC_FAILURE_AUTH_FAILURE: return "AUTH_FAILURE";
    default: return NULL;
    }
}

int aiotsec_aiotf_finish(aiotsec_aiotf *a, uint64_t proc_id)
{
    if (!a)
        return AIOTSEC_E_NULL_ARG;
    uint32_t ps;
    if (!proc_by_id(a, proc_id, &ps))
        return AIOTSEC_E_NO_PENDING;
    release_proc(a, ps);
    serve_wants(a);
    return AIOTSEC_OK;
}

size_t aiotsec_aiotf_expire(aiotsec_aiotf *a, uint64_t now_ms)
{
    if (!a)
        return 0;
    size_t n = 0;
    for (uint32_t s = 0; s < a->cfg.max_procedures; s++)
        if (a->procs[s].state != P_FREE && now_ms > a->procs[s].deadline) {
            release_proc(a, s);
            n++;
        }
    a->stats.expired += n;
    if (n)
        serve_wants(a);
    return n;
}

size_t aiotsec_aiotf_pending(const aiotsec_aiotf *a)
{
    return a ? a->cfg.max_procedures - a->n_proc_free : 0;
}

int aiotsec_aiotf_stats_get(const aiotsec_aiotf *a, aiotsec_aiotf_stats *out)
{
    if (!a || !out)
        return AIOTSEC_E_NULL_ARG;
    *out = a->stats;
    return AIOTSEC_OK;
}
