/* The "meta" database: fixed-size values by name, and the sequence counter that
 * numbers every record written (token objects are named by it). */
#include <string.h>

#include "kd_internal.h"

int kd_meta_get(aiotsec_keydb *db, MDB_txn *txn, const char *name, void *out, size_t len)
{
    MDB_val k = {strlen(name), (void *)(uintptr_t)name}, v;
    int rc = mdb_get(txn, db->meta, &k, &v);
    if (rc == MDB_NOTFOUND)
        return AIOTSEC_KEYDB_E_FORMAT;
    if (rc != MDB_SUCCESS)
        return kd_mdb_status(rc);
    if (v.mv_size != len) /* never trust a length on disk */
        return AIOTSEC_KEYDB_E_FORMAT;
    memcpy(out, v.mv_data, len);
    return AIOTSEC_OK;
}

int kd_meta_put(aiotsec_keydb *db, MDB_txn *txn, const char *name, const void *val, size_t len)
{
    MDB_val k = {strlen(name), (void *)(uintptr_t)name}, v = {len, (void *)(uintptr_t)val};
    return kd_mdb_status(mdb_put(txn, db->meta, &k, &v, 0));
}

int kd_next_seq(aiotsec_keydb *db, MDB_txn *txn, uint64_t *seq)
{
    uint8_t b[8];
    int rc = kd_meta_get(db, txn, "seq", b, sizeof b);
    if (rc != AIOTSEC_OK)
        return rc;
    *seq = kd_get64(b) + 1;
    kd_put64(b, *seq);
    return kd_meta_put(db, txn, "seq", b, sizeof b);
}
