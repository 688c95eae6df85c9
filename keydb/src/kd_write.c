/* Changes to the database: add, re-key, revoke, import. Each is one LMDB write
 * transaction (an import commits every `batch` devices), so a reader sees a
 * device entirely before or entirely after a change, and a crash loses at most
 * the uncommitted batch. Token custody creates the token object before the
 * record that names it is committed, and destroys an object only after the
 * record that named it is gone: a crash in between leaves an unused object,
 * never a record without its key. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "kd_internal.h"

int kd_write_begin(aiotsec_keydb *db, MDB_txn **txn)
{
    if (db->read_only)
        return AIOTSEC_KEYDB_E_READ_ONLY;
    if (!db->kek && !db->token)
        return AIOTSEC_KEYDB_E_CUSTODY;
    return kd_mdb_status(mdb_txn_begin(db->env, NULL, 0, txn));
}

typedef struct seal_job {
    aiotsec_keydb *db;
    const uint8_t *perm, *key;
    size_t perm_len, key_len;
    uint32_t gen;
    uint64_t seq;
    uint8_t rec[KD_REC_MAX];
    size_t rec_len;
} seal_job;

static int seal_with(void *arg, const uint8_t dek[KD_KEY_LEN])
{
    seal_job *j = arg;
    return kd_rec_seal(j->db, dek, j->perm, j->perm_len, j->gen, j->seq, j->key, j->key_len, j->rec, &j->rec_len);
}

/* The record value for a device's new key: sealed under the current data key,
 * or a token object created now (its handle in *obj). */
static int make_record(aiotsec_keydb *db, MDB_txn *txn, const uint8_t *perm, size_t perm_len, const uint8_t *key,
                       size_t key_len, seal_job *j, unsigned long *obj)
{
    memset(j, 0, sizeof *j);
    j->db = db;
    j->perm = perm;
    j->perm_len = perm_len;
    j->key = key;
    j->key_len = key_len;
    *obj = 0;
    int rc = kd_next_seq(db, txn, &j->seq);
    if (rc != AIOTSEC_OK)
        return rc;
    if (db->custody == AIOTSEC_KEYDB_CUSTODY_SEALED) {
        rc = kd_dek_current(db, txn, &j->gen);
        return rc == AIOTSEC_OK ? kd_dek_with(db, txn, j->gen, seal_with, j) : rc;
    }
    uint8_t id[KD_TOKEN_ID_MAX];
    size_t id_len = kd_token_id(db, j->seq, perm, perm_len, id);
    rc = kd_p11_create_secret(db->token, id, id_len, key, key_len, obj);
    kd_rec_header(j->rec, AIOTSEC_KEYDB_CUSTODY_TOKEN, key_len, 0, j->seq);
    j->rec_len = KD_HDR_LEN;
    return rc;
}

int kd_put_new(aiotsec_keydb *db, MDB_txn *txn, const uint8_t *perm, size_t perm_len, const uint8_t *key,
               size_t key_len, unsigned long *token_obj)
{
    *token_obj = 0;
    MDB_val k = {perm_len, (void *)(uintptr_t)perm}, v;
    int mrc = mdb_get(txn, db->dev, &k, &v); /* before a token object is made for nothing */
    if (mrc == MDB_SUCCESS)
        return AIOTSEC_E_DUPLICATE;
    if (mrc != MDB_NOTFOUND)
        return kd_mdb_status(mrc);
    seal_job j;
    int rc = make_record(db, txn, perm, perm_len, key, key_len, &j, token_obj);
    if (rc == AIOTSEC_OK) {
        v.mv_size = j.rec_len;
        v.mv_data = j.rec;
        rc = kd_mdb_status(mdb_put(txn, db->dev, &k, &v, MDB_NOOVERWRITE));
    }
    sodium_memzero(&j, sizeof j);
    return rc;
}

/* Destroys the token object a removed record named (best effort: an object
 * left behind names a record that no longer exists and is never used). */
static void destroy_old_object(aiotsec_keydb *db, const uint8_t *perm, size_t perm_len, uint64_t seq)
{
    uint8_t id[KD_TOKEN_ID_MAX];
    unsigned long h = 0;
    size_t id_len = kd_token_id(db, seq, perm, perm_len, id);
    if (kd_p11_find(db->token, id, id_len, &h) == AIOTSEC_OK)
        (void)kd_p11_destroy(db->token, h);
    kd_handles_forget(db->handles, perm, perm_len);
}

/* Commits, or aborts and destroys the token object made for the transaction. */
static int finish(aiotsec_keydb *db, MDB_txn *txn, int rc, unsigned long obj)
{
    if (rc == AIOTSEC_OK)
        rc = kd_mdb_status(mdb_txn_commit(txn));
    else
        mdb_txn_abort(txn);
    if (rc != AIOTSEC_OK && obj)
        (void)kd_p11_destroy(db->token, obj);
    return rc;
}

int aiotsec_keydb_add(aiotsec_keydb *db, const uint8_t *perm_id, size_t perm_id_len, const uint8_t *k_root,
                      size_t k_root_len)
{
    if (!db)
        return AIOTSEC_E_NULL_ARG;
    int rc = kd_check_id(perm_id, perm_id_len);
    if (rc == AIOTSEC_OK)
        rc = kd_check_key(k_root, k_root_len);
    MDB_txn *txn = NULL;
    if (rc == AIOTSEC_OK)
        rc = kd_write_begin(db, &txn);
    if (rc != AIOTSEC_OK)
        return rc;
    unsigned long obj = 0;
    rc = kd_put_new(db, txn, perm_id, perm_id_len, k_root, k_root_len, &obj);
    return finish(db, txn, rc, obj);
}

/* Reads the device's current record header in txn (for its token object). */
static int current(aiotsec_keydb *db, MDB_txn *txn, const uint8_t *perm, size_t perm_len, kd_rec *rec,
                   uint8_t copy[KD_REC_MAX])
{
    MDB_val k = {perm_len, (void *)(uintptr_t)perm}, v;
    int mrc = mdb_get(txn, db->dev, &k, &v);
    if (mrc != MDB_SUCCESS)
        return kd_mdb_status(mrc); /* MDB_NOTFOUND: AIOTSEC_E_UNKNOWN_DEVICE */
    if (v.mv_size > KD_REC_MAX)
        return AIOTSEC_KEYDB_E_BAD_RECORD;
    memcpy(copy, v.mv_data, v.mv_size);
    return kd_rec_decode(copy, v.mv_size, rec);
}

int aiotsec_keydb_rekey(aiotsec_keydb *db, const uint8_t *perm_id, size_t perm_id_len, const uint8_t *k_root,
                        size_t k_root_len)
{
    if (!db)
        return AIOTSEC_E_NULL_ARG;
    int rc = kd_check_id(perm_id, perm_id_len);
    if (rc == AIOTSEC_OK)
        rc = kd_check_key(k_root, k_root_len);
    MDB_txn *txn = NULL;
    if (rc == AIOTSEC_OK)
        rc = kd_write_begin(db, &txn);
    if (rc != AIOTSEC_OK)
        return rc;
    kd_rec old = {0}; /* read only after current() filled it, but never garbage */
    uint8_t copy[KD_REC_MAX];
    unsigned long obj = 0;
    rc = current(db, txn, perm_id, perm_id_len, &old, copy);
    if (rc == AIOTSEC_KEYDB_E_BAD_RECORD) { /* an edited record may be replaced: that is the repair */
        rc = AIOTSEC_OK;
        old.custody = 0;
    }
    seal_job j;
    if (rc == AIOTSEC_OK)
        rc = make_record(db, txn, perm_id, perm_id_len, k_root, k_root_len, &j, &obj);
    if (rc == AIOTSEC_OK) {
        MDB_val k = {perm_id_len, (void *)(uintptr_t)perm_id}, v = {j.rec_len, j.rec};
        rc = kd_mdb_status(mdb_put(txn, db->dev, &k, &v, 0));
    }
    sodium_memzero(&j, sizeof j);
    rc = finish(db, txn, rc, obj);
    if (rc == AIOTSEC_OK && db->token && old.custody == AIOTSEC_KEYDB_CUSTODY_TOKEN)
        destroy_old_object(db, perm_id, perm_id_len, old.seq);
    if (rc == AIOTSEC_OK && db->cache)
        kd_cache_forget(db->cache, perm_id, perm_id_len);
    return rc;
}

int aiotsec_keydb_revoke(aiotsec_keydb *db, const uint8_t *perm_id, size_t perm_id_len)
{
    if (!db)
        return AIOTSEC_E_NULL_ARG;
    int rc = kd_check_id(perm_id, perm_id_len);
    MDB_txn *txn = NULL;
    if (rc == AIOTSEC_OK)
        rc = db->read_only ? AIOTSEC_KEYDB_E_READ_ONLY : kd_mdb_status(mdb_txn_begin(db->env, NULL, 0, &txn));
    if (rc != AIOTSEC_OK)
        return rc;
    kd_rec old = {0}; /* read only after current() filled it, but never garbage */
    uint8_t copy[KD_REC_MAX];
    rc = current(db, txn, perm_id, perm_id_len, &old, copy);
    if (rc == AIOTSEC_KEYDB_E_BAD_RECORD) { /* a refused record can still be revoked */
        rc = AIOTSEC_OK;
        old.custody = 0;
    }
    MDB_val k = {perm_id_len, (void *)(uintptr_t)perm_id};
    if (rc == AIOTSEC_OK)
        rc = kd_mdb_status(mdb_del(txn, db->dev, &k, NULL));
    if (rc == AIOTSEC_OK) {
        int mrc = mdb_del(txn, db->tid, &k, NULL);
        rc = mrc == MDB_NOTFOUND ? AIOTSEC_OK : kd_mdb_status(mrc);
    }
    rc = finish(db, txn, rc, 0);
    if (rc == AIOTSEC_OK && db->token && old.custody == AIOTSEC_KEYDB_CUSTODY_TOKEN)
        destroy_old_object(db, perm_id, perm_id_len, old.seq);
    if (rc == AIOTSEC_OK && db->cache)
        kd_cache_forget(db->cache, perm_id, perm_id_len);
    return rc;
}

/* --- import -------------------------------------------------------------------------- */

typedef struct import {
    aiotsec_keydb *db;
    MDB_txn *txn;
    size_t batch, in_batch, committed;
    aiotsec_keydb_progress_fn progress;
    void *arg;
    unsigned long *objs; /* token objects made in the open batch */
    size_t n_objs, cap_objs;
} import;

static int commit_batch(import *im)
{
    int rc = kd_mdb_status(mdb_txn_commit(im->txn));
    im->txn = NULL;
    if (rc != AIOTSEC_OK) {
        for (size_t i = 0; i < im->n_objs; i++)
            (void)kd_p11_destroy(im->db->token, im->objs[i]);
    } else {
        im->committed += im->in_batch;
        if (im->progress)
            im->progress(im->arg, im->committed);
    }
    im->in_batch = 0;
    im->n_objs = 0;
    return rc;
}

static int import_line(void *user, size_t line, const uint8_t *perm, size_t perm_len, const uint8_t *key,
                       size_t key_len)
{
    (void)line;
    import *im = user;
    int rc = AIOTSEC_OK;
    if (!im->txn)
        rc = kd_write_begin(im->db, &im->txn);
    if (rc == AIOTSEC_OK && im->db->token && im->n_objs == im->cap_objs) {
        size_t cap = im->cap_objs ? 2 * im->cap_objs : 256;
        unsigned long *p = realloc(im->objs, cap * sizeof *p);
        if (!p)
            return AIOTSEC_E_NO_MEMORY;
        im->objs = p;
        im->cap_objs = cap;
    }
    unsigned long obj = 0;
    if (rc == AIOTSEC_OK)
        rc = kd_put_new(im->db, im->txn, perm, perm_len, key, key_len, &obj);
    if (obj)
        im->objs[im->n_objs++] = obj;
    if (rc != AIOTSEC_OK)
        return rc;
    if (++im->in_batch == im->batch)
        rc = commit_batch(im);
    return rc;
}

typedef int (*reader_fn)(const void *src, size_t len, import *im, size_t *err_line);

static int read_file(const void *src, size_t len, import *im, size_t *err_line)
{
    (void)len;
    return aiotsec_keyfile_read_file(src, import_line, im, err_line);
}

static int read_buffer(const void *src, size_t len, import *im, size_t *err_line)
{
    return aiotsec_keyfile_read_buffer(src, len, import_line, im, err_line);
}

static int import_run(aiotsec_keydb *db, reader_fn reader, const void *src, size_t len, size_t batch,
                      aiotsec_keydb_progress_fn progress, void *arg, size_t *imported, size_t *err_line)
{
    if (imported)
        *imported = 0;
    if (err_line)
        *err_line = 0;
    if (!db || !src)
        return AIOTSEC_E_NULL_ARG;
    import im = {db, NULL, batch, 0, 0, progress, arg, NULL, 0, 0};
    int rc = reader(src, len, &im, err_line);
    if (im.txn) {
        if (rc == AIOTSEC_OK) {
            rc = commit_batch(&im);
        } else {
            mdb_txn_abort(im.txn);
            for (size_t i = 0; i < im.n_objs; i++)
                (void)kd_p11_destroy(db->token, im.objs[i]);
        }
    }
    free(im.objs);
    if (imported)
        *imported = im.committed;
    return rc;
}

int aiotsec_keydb_import_file(aiotsec_keydb *db, const char *path, size_t batch, aiotsec_keydb_progress_fn progress,
                              void *arg, size_t *imported, size_t *err_line)
{
    return import_run(db, read_file, path, 0, batch, progress, arg, imported, err_line);
}

int aiotsec_keydb_import_buffer(aiotsec_keydb *db, const char *text, size_t len, size_t batch,
                                aiotsec_keydb_progress_fn progress, void *arg, size_t *imported, size_t *err_line)
{
    return import_run(db, read_buffer, text, len, batch, progress, arg, imported, err_line);
}
