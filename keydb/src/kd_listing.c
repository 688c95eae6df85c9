/* A filter listing of either custody: a read snapshot, a range scan, and pages
 * of identifiers handed to the ADM. The custody decides, record by record,
 * whether a device is listed and with which prepared key (kd_list_judge_fn). */
#include <stdlib.h>
#include <string.h>

#include "kd_internal.h"

#define PAGE 256u

typedef struct listing {
    aiotsec_ks_page_fn page;
    void *arg;
    kd_list_judge_fn judge;
    void *judge_arg;
    aiotsec_ks_entry e[PAGE];
    uint8_t ids[PAGE][AIOTSEC_ID_MAX]; /* identifiers and prepared-key pointers only: no secret */
    size_t n;
} listing;

static int flush(listing *l)
{
    if (!l->n)
        return AIOTSEC_OK;
    int rc = l->page(l->arg, l->e, l->n);
    l->n = 0;
    return rc;
}

static int list_one(void *arg, const uint8_t *perm, size_t len, const uint8_t *val, size_t val_len)
{
    listing *l = arg;
    const aiotsec_prepared_key *key = NULL;
    int rc = l->judge(l->judge_arg, perm, len, val, val_len, &key);
    if (rc == KD_LIST_SKIP)
        return AIOTSEC_OK; /* left out of the group (the judge reported why) */
    if (rc != AIOTSEC_OK)
        return rc;
    memcpy(l->ids[l->n], perm, len);
    l->e[l->n].perm_id = l->ids[l->n];
    l->e[l->n].perm_id_len = len;
    l->e[l->n].key = key;
    return ++l->n == PAGE ? flush(l) : AIOTSEC_OK;
}

int kd_list(aiotsec_keydb *db, const uint8_t *filter, size_t filter_len, aiotsec_ks_page_fn page, void *arg,
            kd_list_judge_fn judge, void *judge_arg)
{
    if (!filter || !page)
        return AIOTSEC_E_NULL_ARG;
    listing *l = malloc(sizeof *l);
    if (!l)
        return AIOTSEC_E_NO_MEMORY;
    l->page = page;
    l->arg = arg;
    l->judge = judge;
    l->judge_arg = judge_arg;
    l->n = 0;
    MDB_txn *txn = NULL;
    int rc = kd_mdb_status(mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn));
    if (rc == AIOTSEC_OK) {
        kd_snapshot saved;
        kd_snapshot_push(db, txn, &saved);
        rc = kd_scan(db, txn, filter, filter_len, list_one, l);
        if (rc == AIOTSEC_OK)
            rc = flush(l);
        kd_snapshot_pop(&saved);
        mdb_txn_abort(txn);
    }
    free(l);
    return rc;
}
