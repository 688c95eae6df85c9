/* The key-store table over a token database: the store computes the HMAC under
 * K_AIOT_root on the token (mac_by_perm_id), so no raw or prepared key exists
 * outside it. A look-up reads the latest commit (revocation), finds the token
 * object named by the record (uuid || sequence number || identifier, so a
 * record can only ever name its own device's objects) and signs with it. */
#include <stdlib.h>
#include <string.h>

#include "kd_internal.h"


/* The device's current record header, from a snapshot of its own. */
static int read_header(aiotsec_keydb *db, const uint8_t *perm, size_t len, kd_rec *rec, uint8_t copy[KD_HDR_LEN])
{
    MDB_txn *listing = kd_snapshot_of(db), *txn = listing;
    int rc = listing ? AIOTSEC_OK : kd_mdb_status(mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn));
    if (rc != AIOTSEC_OK)
        return rc;
    MDB_val k = {len, (void *)(uintptr_t)perm}, v;
    int mrc = mdb_get(txn, db->dev, &k, &v);
    if (mrc == MDB_SUCCESS && v.mv_size == KD_HDR_LEN)
        memcpy(copy, v.mv_data, KD_HDR_LEN);
    rc = mrc == MDB_SUCCESS ? (v.mv_size == KD_HDR_LEN ? AIOTSEC_OK : AIOTSEC_KEYDB_E_BAD_RECORD)
                            : kd_mdb_status(mrc);
    if (!listing)
        mdb_txn_abort(txn);
    if (rc == AIOTSEC_OK)
        rc = kd_rec_decode(copy, KD_HDR_LEN, rec);
    if (rc == AIOTSEC_OK && rec->custody != AIOTSEC_KEYDB_CUSTODY_TOKEN)
        rc = AIOTSEC_KEYDB_E_BAD_RECORD;
    return rc;
}

static int t_mac(void *user, const uint8_t *perm, size_t len, const uint8_t *msg, size_t msg_len, uint8_t mac[32])
{
    aiotsec_keydb *db = user;
    int rc = kd_check_id(perm, len);
    if (rc != AIOTSEC_OK)
        return rc;
    /* Twice at most: a handle can go stale when another process re-keys or
     * revokes between our read and our sign; the second read sees why. */
    for (int attempt = 0; attempt < 2; attempt++) {
        kd_rec rec;
        uint8_t hdr[KD_HDR_LEN];
        rc = read_header(db, perm, len, &rec, hdr);
        if (rc == AIOTSEC_E_UNKNOWN_DEVICE)
            kd_handles_forget(db->handles, perm, len);
        if (rc != AIOTSEC_OK)
            break;
        unsigned long h = 0;
        if (!kd_handles_get(db->handles, perm, len, rec.seq, &h)) {
            uint8_t id[KD_TOKEN_ID_MAX];
            size_t id_len = kd_token_id(db, rec.seq, perm, len, id);
            rc = kd_p11_find(db->token, id, id_len, &h);
            if (rc == AIOTSEC_E_UNKNOWN_DEVICE) /* a record whose key is not on the token */
                rc = AIOTSEC_KEYDB_E_BAD_RECORD;
            if (rc != AIOTSEC_OK)
                break;
            kd_handles_put(db->handles, perm, len, rec.seq, h);
        }
        rc = kd_p11_hmac(db->token, h, msg, msg_len, mac);
        if (rc != AIOTSEC_E_UNKNOWN_DEVICE)
            break;
        kd_handles_forget(db->handles, perm, len);
    }
    if (rc == AIOTSEC_KEYDB_E_BAD_RECORD)
        kd_report_bad(db, perm, len, rc);
    return rc;
}

/* A token record in a listing: its header must name the token custody; the ADM
 * then asks mac_by_perm_id, so no key is listed. */
static int judge_token(void *arg, const uint8_t *perm, size_t len, const uint8_t *val, size_t val_len,
                       const aiotsec_prepared_key **key)
{
    aiotsec_keydb *db = arg;
    kd_rec rec;
    *key = NULL;
    if (kd_rec_decode(val, val_len, &rec) != AIOTSEC_OK || rec.custody != AIOTSEC_KEYDB_CUSTODY_TOKEN) {
        kd_report_bad(db, perm, len, AIOTSEC_KEYDB_E_BAD_RECORD);
        return KD_LIST_SKIP;
    }
    return AIOTSEC_OK;
}

static int t_list(void *user, const uint8_t *filter, size_t filter_len, aiotsec_ks_page_fn page, void *arg)
{
    return kd_list(user, filter, filter_len, page, arg, judge_token, user);
}

void kd_token_table(aiotsec_keydb *db, aiotsec_keystore *t)
{
    t->struct_size = (uint32_t)sizeof *t;
    t->user = db;
    t->mac_by_perm_id = t_mac;
    t->list_matching = t_list;
    t->tid_update = db->read_only ? NULL : kd_tid_update;
}
