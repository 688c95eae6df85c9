/* Operator operations over the whole database: listing identifiers, checking
 * every record, rotating the data key (and the KEK), retiring old KEKs. */
#include <sodium.h>
#include <string.h>

#include "kd_internal.h"

/* --- listing identifiers ------------------------------------------------------------ */

typedef struct id_job {
    aiotsec_keydb_id_fn fn;
    void *arg;
} id_job;

static int id_one(void *arg, const uint8_t *perm, size_t len, const uint8_t *val, size_t val_len)
{
    id_job *j = arg;
    kd_rec rec;
    size_t key_len = kd_rec_decode(val, val_len, &rec) == AIOTSEC_OK ? rec.key_len : 0;
    return j->fn(j->arg, perm, len, key_len);
}

int aiotsec_keydb_list(aiotsec_keydb *db, const uint8_t *filter, size_t filter_len, aiotsec_keydb_id_fn fn,
                       void *arg)
{
    if (!db || !fn)
        return AIOTSEC_E_NULL_ARG;
    if (filter) {
        int rc = aiotsec_filter_check(db->ctx ? aiotsec_ctx_profile(db->ctx) : NULL, filter, filter_len);
        if (rc != AIOTSEC_OK)
            return rc;
    }
    MDB_txn *txn = NULL;
    int rc = kd_mdb_status(mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn));
    if (rc != AIOTSEC_OK)
        return rc;
    id_job j = {fn, arg};
    rc = kd_scan(db, txn, filter, filter_len, id_one, &j);
    mdb_txn_abort(txn);
    return rc;
}

/* --- verify ------------------------------------------------------------------------- */

typedef struct verify_job {
    aiotsec_keydb *db;
    aiotsec_keydb_bad_record_fn bad;
    void *arg;
    uint8_t *scratch; /* locked */
    size_t checked, n_bad;
} verify_job;

static int verify_one(void *arg, const uint8_t *perm, size_t len, const uint8_t *val, size_t val_len)
{
    verify_job *j = arg;
    aiotsec_keydb *db = j->db;
    int rc;
    if (db->custody == AIOTSEC_KEYDB_CUSTODY_SEALED) {
        size_t klen = 0;
        rc = kd_unseal_value(db, perm, len, val, val_len, j->scratch, &klen);
        sodium_memzero(j->scratch, AIOTSEC_KROOT_MAX);
    } else {
        kd_rec rec;
        rc = kd_rec_decode(val, val_len, &rec);
        if (rc == AIOTSEC_OK && rec.custody != AIOTSEC_KEYDB_CUSTODY_TOKEN)
            rc = AIOTSEC_KEYDB_E_BAD_RECORD;
        if (rc == AIOTSEC_OK) {
            uint8_t id[KD_TOKEN_ID_MAX];
            unsigned long h = 0;
            rc = kd_p11_find(db->token, id, kd_token_id(db, rec.seq, perm, len, id), &h);
            if (rc == AIOTSEC_E_UNKNOWN_DEVICE)
                rc = AIOTSEC_KEYDB_E_BAD_RECORD;
        }
    }
    j->checked++;
    if (rc == AIOTSEC_KEYDB_E_BAD_RECORD || rc == AIOTSEC_KEYDB_E_WRONG_KEK) {
        j->n_bad++;
        if (j->bad)
            j->bad(j->arg, perm, len, rc);
        return AIOTSEC_OK;
    }
    return rc;
}

int aiotsec_keydb_verify(aiotsec_keydb *db, aiotsec_keydb_bad_record_fn bad, void *arg, size_t *checked,
                         size_t *n_bad)
{
    if (!db)
        return AIOTSEC_E_NULL_ARG;
    if (!db->kek && !db->token)
        return AIOTSEC_KEYDB_E_CUSTODY;
    verify_job j = {db, bad, arg, sodium_malloc(AIOTSEC_KROOT_MAX), 0, 0};
    if (!j.scratch)
        return AIOTSEC_E_NO_MEMORY;
    MDB_txn *txn = NULL;
    int rc = kd_mdb_status(mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn));
    if (rc == AIOTSEC_OK) {
        rc = kd_scan(db, txn, NULL, 0, verify_one, &j);
        mdb_txn_abort(txn);
    }
    sodium_free(j.scratch);
    if (checked)
        *checked = j.checked;
    if (n_bad)
        *n_bad = j.n_bad;
    return rc;
}

/* --- data-key wraps in "meta" ---------------------------------------------------------- */

/* Calls fn for every wrap ("dek" || gen || fingerprint) through a write cursor. */
typedef int (*wrap_fn)(void *arg, MDB_cursor *cur, uint32_t gen, const uint8_t *fp);

static int each_wrap(aiotsec_keydb *db, MDB_txn *txn, wrap_fn fn, void *arg)
{
    MDB_cursor *cur = NULL;
    int rc = kd_mdb_status(mdb_cursor_open(txn, db->meta, &cur));
    if (rc != AIOTSEC_OK)
        return rc;
    MDB_val k = {3, (void *)(uintptr_t) "dek"}, v;
    int mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; mrc == MDB_SUCCESS && rc == AIOTSEC_OK; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *kb = k.mv_data;
        if (k.mv_size < 3 || memcmp(kb, "dek", 3) != 0)
            break;
        if (k.mv_size == KD_DEK_KEY_LEN)
            rc = fn(arg, cur, kd_get32(kb + 3), kb + 7);
    }
    mdb_cursor_close(cur);
    if (rc == AIOTSEC_OK && mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND)
        rc = kd_mdb_status(mrc);
    return rc;
}

static int max_gen(void *arg, MDB_cursor *cur, uint32_t gen, const uint8_t *fp)
{
    (void)cur;
    (void)fp;
    uint32_t *m = arg;
    if (gen > *m)
        *m = gen;
    return AIOTSEC_OK;
}

typedef struct prune {
    uint32_t keep_gen;         /* drop other generations (0: keep all) */
    const uint8_t *keep_fp;    /* drop other KEKs' wraps (NULL: keep all) */
    size_t removed;
} prune;

static int prune_wrap(void *arg, MDB_cursor *cur, uint32_t gen, const uint8_t *fp)
{
    prune *p = arg;
    if ((p->keep_gen && gen != p->keep_gen) || (p->keep_fp && memcmp(fp, p->keep_fp, KD_FP_LEN) != 0)) {
        p->removed++;
        return kd_mdb_status(mdb_cursor_del(cur, 0));
    }
    return AIOTSEC_OK;
}

static int sealed_writer(aiotsec_keydb *db)
{
    if (db->custody != AIOTSEC_KEYDB_CUSTODY_SEALED || !db->kek)
        return AIOTSEC_KEYDB_E_CUSTODY;
    return db->read_only ? AIOTSEC_KEYDB_E_READ_ONLY : AIOTSEC_OK;
}

/* --- rotation ------------------------------------------------------------------------ */

/* The generations the current KEK has a wrap of (collected before any is written:
 * no put while each_wrap's cursor walks the same table). */
#define KD_GENS_MAX 64u
typedef struct kek_gens {
    uint8_t fp[KD_FP_LEN];
    uint32_t gen[KD_GENS_MAX];
    size_t n;
} kek_gens;

static int collect_gen(void *arg, MDB_cursor *cur, uint32_t gen, const uint8_t *fp)
{
    (void)cur;
    kek_gens *g = arg;
    if (memcmp(fp, g->fp, KD_FP_LEN) != 0)
        return AIOTSEC_OK;
    if (g->n == KD_GENS_MAX)
        return AIOTSEC_E_LIMIT;
    g->gen[g->n++] = gen;
    return AIOTSEC_OK;
}

typedef struct wrap_next {
    aiotsec_keydb *db;
    MDB_txn *txn;
    const aiotsec_keydb_kek *next;
    uint32_t gen;
} wrap_next;

static int store_under_next(void *arg, const uint8_t dek[KD_KEY_LEN])
{
    wrap_next *w = arg;
    return kd_dek_store(w->db, w->txn, w->next, w->gen, dek);
}

/* Every data key the current KEK opens, wrapped under the next KEK too: a reader
 * opened with the next KEK then reads records not re-sealed yet (during the
 * rotation, or after one stopped at a refused record). */
static int wrap_all_under_next(aiotsec_keydb *db, MDB_txn *txn, const aiotsec_keydb_kek *next)
{
    kek_gens g;
    memset(&g, 0, sizeof g);
    int rc = kd_kek_fingerprint(db->kek, db->uuid, g.fp);
    if (rc == AIOTSEC_OK)
        rc = each_wrap(db, txn, collect_gen, &g);
    for (size_t i = 0; i < g.n && rc == AIOTSEC_OK; i++) {
        wrap_next w = {db, txn, next, g.gen[i]};
        rc = kd_dek_with(db, txn, g.gen[i], store_under_next, &w);
    }
    return rc;
}

/* Step 1: a fresh data key, wrapped under the current KEK and the next one, made
 * current; the older data keys wrapped under the next KEK as well. */
static int new_generation(aiotsec_keydb *db, const aiotsec_keydb_kek *next, uint32_t *gen)
{
    MDB_txn *txn = NULL;
    int rc = kd_write_begin(db, &txn);
    if (rc != AIOTSEC_OK)
        return rc;
    uint32_t m = 0;
    rc = each_wrap(db, txn, max_gen, &m);
    if (rc == AIOTSEC_OK && next)
        rc = wrap_all_under_next(db, txn, next);
    uint8_t *dek = sodium_malloc(KD_KEY_LEN);
    if (!dek)
        rc = AIOTSEC_E_NO_MEMORY;
    *gen = m + 1;
    if (rc == AIOTSEC_OK) {
        randombytes_buf(dek, KD_KEY_LEN);
        rc = kd_dek_store(db, txn, db->kek, *gen, dek);
    }
    if (rc == AIOTSEC_OK && next)
        rc = kd_dek_store(db, txn, next, *gen, dek);
    sodium_free(dek);
    uint8_t b[4];
    kd_put32(b, *gen);
    if (rc == AIOTSEC_OK)
        rc = kd_meta_put(db, txn, "dek_cur", b, 4);
    if (rc == AIOTSEC_OK)
        return kd_mdb_status(mdb_txn_commit(txn));
    mdb_txn_abort(txn);
    return rc;
}

typedef struct reseal {
    aiotsec_keydb *db;
    MDB_txn *txn;
    uint32_t gen;
    uint8_t *key; /* locked scratch */
    size_t key_len;
    const uint8_t *perm;
    size_t perm_len;
    uint64_t seq;
    uint8_t rec[KD_REC_MAX];
    size_t rec_len;
} reseal;

static int seal_new(void *arg, const uint8_t dek[KD_KEY_LEN])
{
    reseal *r = arg;
    return kd_rec_seal(r->db, dek, r->perm, r->perm_len, r->gen, r->seq, r->key, r->key_len, r->rec, &r->rec_len);
}

/* Step 2, one commit: re-seals up to `batch` records after `last` (a key of
 * last_len octets; 0: from the start). *done is set when none is left. */
static int reseal_batch(reseal *r, uint8_t last[AIOTSEC_ID_MAX], size_t *last_len, size_t batch, size_t *count,
                        int *done)
{
    aiotsec_keydb *db = r->db;
    int rc = kd_write_begin(db, &r->txn);
    if (rc != AIOTSEC_OK)
        return rc;
    MDB_cursor *cur = NULL;
    rc = kd_mdb_status(mdb_cursor_open(r->txn, db->dev, &cur));
    MDB_val k = {*last_len, last}, v;
    int mrc = MDB_NOTFOUND;
    if (rc == AIOTSEC_OK) {
        mrc = *last_len ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
        if (mrc == MDB_SUCCESS && *last_len && kd_id_cmp(k.mv_data, k.mv_size, last, *last_len) == 0)
            mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    size_t n = 0;
    for (; rc == AIOTSEC_OK && mrc == MDB_SUCCESS && n < batch; n++) {
        if (k.mv_size == 0 || k.mv_size > AIOTSEC_ID_MAX) {
            rc = AIOTSEC_KEYDB_E_BAD_RECORD;
            break;
        }
        memcpy(last, k.mv_data, k.mv_size);
        *last_len = k.mv_size;
        kd_rec rec;
        rc = kd_rec_decode(v.mv_data, v.mv_size, &rec);
        if (rc == AIOTSEC_OK && rec.dek_gen != r->gen) {
            r->perm = last;
            r->perm_len = *last_len;
            rc = kd_unseal_value(db, last, *last_len, v.mv_data, v.mv_size, r->key, &r->key_len);
            if (rc == AIOTSEC_OK)
                rc = kd_next_seq(db, r->txn, &r->seq);
            if (rc == AIOTSEC_OK)
                rc = kd_dek_with(db, r->txn, r->gen, seal_new, r);
            sodium_memzero(r->key, AIOTSEC_KROOT_MAX);
            if (rc == AIOTSEC_OK) {
                MDB_val nv = {r->rec_len, r->rec};
                rc = kd_mdb_status(mdb_cursor_put(cur, &k, &nv, MDB_CURRENT));
                (*count)++;
            }
            if (rc == AIOTSEC_KEYDB_E_BAD_RECORD)
                kd_report_bad(db, last, *last_len, rc);
        }
        if (rc == AIOTSEC_OK)
            mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (cur)
        mdb_cursor_close(cur);
    if (rc == AIOTSEC_OK && mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND)
        rc = kd_mdb_status(mrc);
    *done = rc == AIOTSEC_OK && mrc == MDB_NOTFOUND;
    if (rc == AIOTSEC_OK)
        rc = kd_mdb_status(mdb_txn_commit(r->txn));
    else
        mdb_txn_abort(r->txn);
    r->txn = NULL;
    return rc;
}

int aiotsec_keydb_rotate(aiotsec_keydb *db, const aiotsec_keydb_kek *new_kek, size_t batch,
                         aiotsec_keydb_progress_fn progress, void *arg, size_t *resealed)
{
    if (resealed)
        *resealed = 0;
    if (!db)
        return AIOTSEC_E_NULL_ARG;
    int rc = sealed_writer(db);
    uint32_t gen = 0;
    if (rc == AIOTSEC_OK)
        rc = new_generation(db, new_kek, &gen);
    if (rc != AIOTSEC_OK)
        return rc;
    reseal r;
    memset(&r, 0, sizeof r);
    r.db = db;
    r.gen = gen;
    r.key = sodium_malloc(AIOTSEC_KROOT_MAX);
    if (!r.key)
        return AIOTSEC_E_NO_MEMORY;
    uint8_t last[AIOTSEC_ID_MAX];
    size_t last_len = 0, count = 0;
    int done = 0;
    while (rc == AIOTSEC_OK && !done) {
        rc = reseal_batch(&r, last, &last_len, batch ? batch : 1000, &count, &done);
        if (rc == AIOTSEC_OK && progress)
            progress(arg, count);
    }
    sodium_free(r.key);
    sodium_memzero(r.rec, sizeof r.rec);
    if (resealed)
        *resealed = count;
    if (rc != AIOTSEC_OK)
        return rc;
    /* Step 3: every record is under the new generation; the old data keys go. */
    MDB_txn *txn = NULL;
    rc = kd_write_begin(db, &txn);
    if (rc != AIOTSEC_OK)
        return rc;
    prune p = {gen, NULL, 0};
    rc = each_wrap(db, txn, prune_wrap, &p);
    if (rc == AIOTSEC_OK)
        return kd_mdb_status(mdb_txn_commit(txn));
    mdb_txn_abort(txn);
    return rc;
}

typedef struct has_own {
    uint32_t gen;
    const uint8_t *fp;
    int found;
} has_own;

static int find_own(void *arg, MDB_cursor *cur, uint32_t gen, const uint8_t *fp)
{
    (void)cur;
    has_own *h = arg;
    if (gen == h->gen && memcmp(fp, h->fp, KD_FP_LEN) == 0)
        h->found = 1;
    return AIOTSEC_OK;
}

int aiotsec_keydb_retire_keks(aiotsec_keydb *db, size_t *removed)
{
    if (removed)
        *removed = 0;
    if (!db)
        return AIOTSEC_E_NULL_ARG;
    int rc = sealed_writer(db);
    MDB_txn *txn = NULL;
    if (rc == AIOTSEC_OK)
        rc = kd_write_begin(db, &txn);
    if (rc != AIOTSEC_OK)
        return rc;
    has_own own = {0, db->kek_fp, 0};
    rc = kd_dek_current(db, txn, &own.gen);
    if (rc == AIOTSEC_OK)
        rc = each_wrap(db, txn, find_own, &own);
    if (rc == AIOTSEC_OK && !own.found) /* never lock every KEK out */
        rc = AIOTSEC_KEYDB_E_WRONG_KEK;
    prune p = {0, db->kek_fp, 0};
    if (rc == AIOTSEC_OK)
        rc = each_wrap(db, txn, prune_wrap, &p);
    if (rc == AIOTSEC_OK)
        rc = kd_mdb_status(mdb_txn_commit(txn));
    else
        mdb_txn_abort(txn);
    if (rc == AIOTSEC_OK && removed)
        *removed = p.removed;
    return rc;
}
