/* The key-store table over a sealed database (keystore.h): look-ups read the
 * latest commit, then take the key from the locked cache, unsealing on a miss;
 * listings are range scans in identifier order. Records that do not unseal are
 * refused and reported with the device they are stored under. */
#include <stdlib.h>
#include <string.h>

#include "kd_internal.h"


/* --- scans ------------------------------------------------------------------------ */

/* The smallest identifier a filter can match is its prefix octets (unused low
 * bits 0), so the range starts there; filter_compare() says where it ends. */
int kd_scan(aiotsec_keydb *db, MDB_txn *txn, const uint8_t *filter, size_t filter_len, kd_scan_fn fn, void *arg)
{
    MDB_cursor *cur = NULL;
    int rc = kd_mdb_status(mdb_cursor_open(txn, db->dev, &cur));
    if (rc != AIOTSEC_OK)
        return rc;
    const aiotsec_profile *prof = db->ctx ? aiotsec_ctx_profile(db->ctx) : NULL;
    MDB_val k, v;
    int mrc;
    if (filter && filter_len > 1) {
        k.mv_size = filter_len - 1;
        k.mv_data = (void *)(uintptr_t)(filter + 1);
        mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    } else {
        mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }
    for (; mrc == MDB_SUCCESS; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size == 0 || k.mv_size > AIOTSEC_ID_MAX)
            continue; /* not a key this library writes */
        if (filter) {
            int order = 0;
            rc = aiotsec_filter_compare(prof, filter, filter_len, k.mv_data, k.mv_size, &order);
            if (rc != AIOTSEC_OK || order > 0)
                break;
            if (order < 0)
                continue;
        }
        rc = fn(arg, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
        if (rc != AIOTSEC_OK)
            break;
    }
    mdb_cursor_close(cur);
    if (rc == AIOTSEC_OK && mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND)
        rc = kd_mdb_status(mrc);
    return rc;
}

/* --- unsealing ---------------------------------------------------------------------- */

typedef struct unseal_job {
    aiotsec_keydb *db;
    const uint8_t *perm;
    size_t perm_len;
    kd_rec rec;
    uint8_t *key;
    size_t *key_len;
} unseal_job;

static int unseal_with(void *arg, const uint8_t dek[KD_KEY_LEN])
{
    unseal_job *j = arg;
    return kd_rec_unseal(j->db, dek, j->perm, j->perm_len, &j->rec, j->key, j->key_len);
}

/* kd_unseal_fn for the cache: the data key of the record's generation. */
static int unseal_into(void *arg, uint8_t *key, size_t *key_len)
{
    unseal_job *j = arg;
    j->key = key;
    j->key_len = key_len;
    return kd_dek_with(j->db, NULL, j->rec.dek_gen, unseal_with, j);
}

int kd_unseal_value(aiotsec_keydb *db, const uint8_t *perm, size_t perm_len, const uint8_t *val, size_t val_len,
                    uint8_t *key, size_t *key_len)
{
    unseal_job j = {db, perm, perm_len, {0}, NULL, NULL};
    int rc = kd_rec_decode(val, val_len, &j.rec);
    if (rc == AIOTSEC_OK && j.rec.custody != AIOTSEC_KEYDB_CUSTODY_SEALED)
        rc = AIOTSEC_KEYDB_E_BAD_RECORD;
    return rc == AIOTSEC_OK ? unseal_into(&j, key, key_len) : rc;
}

/* The device's key, from the cache or unsealed: raw copy and/or prepared key. */
static int lookup(aiotsec_keydb *db, const uint8_t *perm, size_t len, uint8_t *raw, size_t *raw_len,
                  const aiotsec_prepared_key **prep)
{
    int rc = kd_check_id(perm, len);
    if (rc != AIOTSEC_OK)
        return rc;
    uint8_t val[KD_REC_MAX];
    size_t val_len = 0;
    MDB_txn *listing = kd_snapshot_of(db), *txn = listing;
    if (!txn) {
        rc = kd_mdb_status(mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn));
        if (rc != AIOTSEC_OK)
            return rc;
    }
    MDB_val k = {len, (void *)(uintptr_t)perm}, v;
    int mrc = mdb_get(txn, db->dev, &k, &v);
    if (mrc == MDB_SUCCESS && v.mv_size <= sizeof val) {
        memcpy(val, v.mv_data, v.mv_size);
        val_len = v.mv_size;
    } else if (mrc == MDB_SUCCESS) {
        rc = AIOTSEC_KEYDB_E_BAD_RECORD;
    } else {
        rc = kd_mdb_status(mrc);
    }
    if (!listing)
        mdb_txn_abort(txn); /* a snapshot per look-up: the next one sees the next commit */
    if (rc == AIOTSEC_E_UNKNOWN_DEVICE) {
        if (db->cache) /* revoked: its key leaves memory now */
            kd_cache_forget(db->cache, perm, len);
        return rc;
    }
    unseal_job j = {db, perm, len, {0}, NULL, NULL};
    if (rc == AIOTSEC_OK)
        rc = kd_rec_decode(val, val_len, &j.rec);
    if (rc == AIOTSEC_OK && j.rec.custody != AIOTSEC_KEYDB_CUSTODY_SEALED)
        rc = AIOTSEC_KEYDB_E_BAD_RECORD;
    if (rc == AIOTSEC_OK && db->cache)
        rc = kd_cache_get(db->cache, perm, len, val, val_len, unseal_into, &j, raw, raw_len, prep);
    else if (rc == AIOTSEC_OK && raw) /* no cache: unseal straight into the caller's buffer */
        rc = unseal_into(&j, raw, raw_len);
    if (rc == AIOTSEC_KEYDB_E_BAD_RECORD) {
        if (db->cache)
            kd_cache_forget(db->cache, perm, len);
        kd_report_bad(db, perm, len, rc);
    }
    return rc;
}

static int t_by_perm(void *user, const uint8_t *perm, size_t len, uint8_t *k_root, size_t *k_root_len)
{
    aiotsec_keydb *db = user;
    void *slot = kd_cache_enter(db->cache);
    int rc = lookup(db, perm, len, k_root, k_root_len, NULL);
    kd_cache_leave(db->cache, slot);
    return rc;
}

static int t_prepared(void *user, const uint8_t *perm, size_t len, const aiotsec_prepared_key **key)
{
    aiotsec_keydb *db = user;
    *key = NULL;
    void *slot = kd_cache_enter(db->cache);
    /* Without a thread slot no prepared key may leave: the answer is then "none",
     * and the ADM uses by_perm_id. */
    const aiotsec_prepared_key *k = NULL;
    int rc = lookup(db, perm, len, NULL, NULL, slot ? &k : NULL);
    if (rc == AIOTSEC_OK)
        *key = k;
    kd_cache_leave(db->cache, slot);
    return rc;
}

/* --- listings ----------------------------------------------------------------------- */

/* A sealed record in a listing: unsealed into the cache on a miss, so a refused
 * record is left out of the group here rather than failing it later. */
typedef struct sealed_judge {
    aiotsec_keydb *db;
    int give_keys;
} sealed_judge;

static int judge_sealed(void *arg, const uint8_t *perm, size_t len, const uint8_t *val, size_t val_len,
                        const aiotsec_prepared_key **key)
{
    sealed_judge *sj = arg;
    aiotsec_keydb *db = sj->db;
    unseal_job j = {db, perm, len, {0}, NULL, NULL};
    int rc = kd_rec_decode(val, val_len, &j.rec);
    if (rc == AIOTSEC_OK && j.rec.custody != AIOTSEC_KEYDB_CUSTODY_SEALED)
        rc = AIOTSEC_KEYDB_E_BAD_RECORD;
    if (rc == AIOTSEC_OK && db->cache)
        rc = kd_cache_get(db->cache, perm, len, val, val_len, unseal_into, &j, NULL, NULL,
                          sj->give_keys ? key : NULL);
    if (rc == AIOTSEC_KEYDB_E_BAD_RECORD) {
        if (db->cache)
            kd_cache_forget(db->cache, perm, len);
        kd_report_bad(db, perm, len, rc);
        return KD_LIST_SKIP;
    }
    return rc;
}

static int t_list(void *user, const uint8_t *filter, size_t filter_len, aiotsec_ks_page_fn page, void *arg)
{
    aiotsec_keydb *db = user;
    /* The thread slot keeps the listed prepared keys alive for the listing. */
    void *slot = kd_cache_enter(db->cache);
    sealed_judge sj = {db, db->prepared && slot};
    int rc = kd_list(db, filter, filter_len, page, arg, judge_sealed, &sj);
    kd_cache_leave(db->cache, slot);
    return rc;
}

void kd_sealed_table(aiotsec_keydb *db, aiotsec_keystore *t)
{
    t->struct_size = (uint32_t)sizeof *t;
    t->user = db;
    t->by_perm_id = t_by_perm;
    t->prepared_by_perm_id = db->prepared && db->cache ? t_prepared : NULL;
    t->list_matching = t_list;
    t->tid_update = db->read_only ? NULL : kd_tid_update;
}
