/* T-IDs for getTid (keystore.h tid_update): one write transaction each, which
 * also checks the device exists, so a T-ID never outlives a revocation. */
#include <string.h>

#include "kd_internal.h"

int kd_tid_update(void *user, const uint8_t *perm, size_t perm_len, int resync,
                  const uint8_t fresh[AIOTSEC_TID_LEN], uint8_t tid[AIOTSEC_TID_LEN], uint8_t prev[AIOTSEC_TID_LEN],
                  int *has_prev)
{
    aiotsec_keydb *db = user;
    int rc = kd_check_id(perm, perm_len);
    if (rc != AIOTSEC_OK)
        return rc;
    MDB_txn *txn = NULL;
    rc = db->read_only ? AIOTSEC_KEYDB_E_READ_ONLY : kd_mdb_status(mdb_txn_begin(db->env, NULL, 0, &txn));
    if (rc != AIOTSEC_OK)
        return rc;
    MDB_val k = {perm_len, (void *)(uintptr_t)perm}, v;
    rc = kd_mdb_status(mdb_get(txn, db->dev, &k, &v)); /* MDB_NOTFOUND: unknown device */
    uint8_t cur[KD_TID_REC_LEN];
    int have = 0;
    if (rc == AIOTSEC_OK) {
        int mrc = mdb_get(txn, db->tid, &k, &v);
        if (mrc == MDB_SUCCESS && v.mv_size == KD_TID_REC_LEN && ((const uint8_t *)v.mv_data)[0] <= 1) {
            memcpy(cur, v.mv_data, KD_TID_REC_LEN);
            have = 1;
        } else if (mrc == MDB_SUCCESS) {
            rc = AIOTSEC_KEYDB_E_BAD_RECORD;
        } else if (mrc != MDB_NOTFOUND) {
            rc = kd_mdb_status(mrc);
        }
    }
    if (rc == AIOTSEC_OK && (!resync || !have)) {
        uint8_t next[KD_TID_REC_LEN];
        next[0] = (uint8_t)have; /* the current T-ID becomes the previous one */
        memcpy(next + 1, fresh, AIOTSEC_TID_LEN);
        if (have)
            memcpy(next + 1 + AIOTSEC_TID_LEN, cur + 1, AIOTSEC_TID_LEN);
        else
            memset(next + 1 + AIOTSEC_TID_LEN, 0, AIOTSEC_TID_LEN);
        MDB_val nv = {sizeof next, next};
        rc = kd_mdb_status(mdb_put(txn, db->tid, &k, &nv, 0));
        memcpy(cur, next, sizeof next);
    }
    if (rc == AIOTSEC_OK)
        rc = kd_mdb_status(mdb_txn_commit(txn));
    else
        mdb_txn_abort(txn);
    if (rc == AIOTSEC_KEYDB_E_BAD_RECORD)
        kd_report_bad(db, perm, perm_len, rc);
    if (rc != AIOTSEC_OK)
        return rc;
    memcpy(tid, cur + 1, AIOTSEC_TID_LEN);
    *has_prev = cur[0];
    if (cur[0])
        memcpy(prev, cur + 1 + AIOTSEC_TID_LEN, AIOTSEC_TID_LEN);
    return AIOTSEC_OK;
}
