/* Data keys: the keys records are sealed under. Each generation is stored in
 * "meta" once per KEK, sealed under that KEK (associated data: the database and
 * the generation), and named by the KEK's fingerprint, so a handle opened with
 * any of the KEKs finds its own wrap. Unwrapped data keys stay in one locked
 * block (sodium_malloc) for the life of the handle; callers use them inside
 * kd_dek_with() and never copy them out. */
#include <sodium.h>
#include <string.h>

#include "kd_internal.h"

static const char DEK_AD_LABEL[18] = {'a', 'i', 'o', 't', 's', 'e', 'c', '-', 'k',
                                      'e', 'y', 'd', 'b', '-', 'd', 'e', 'k', '1'};

static void dek_ad(const aiotsec_keydb *db, uint32_t gen, uint8_t ad[sizeof DEK_AD_LABEL + KD_UUID_LEN + 4])
{
    memcpy(ad, DEK_AD_LABEL, sizeof DEK_AD_LABEL);
    memcpy(ad + sizeof DEK_AD_LABEL, db->uuid, KD_UUID_LEN);
    kd_put32(ad + sizeof DEK_AD_LABEL + KD_UUID_LEN, gen);
}

static void dek_name(uint32_t gen, const uint8_t fp[KD_FP_LEN], uint8_t name[KD_DEK_KEY_LEN])
{
    static const uint8_t prefix[3] = {'d', 'e', 'k'}; /* a binary key, not a string */
    memcpy(name, prefix, sizeof prefix);
    kd_put32(name + 3, gen);
    memcpy(name + 7, fp, KD_FP_LEN);
}

int kd_dek_store(aiotsec_keydb *db, MDB_txn *txn, const aiotsec_keydb_kek *kek, uint32_t gen,
                 const uint8_t dek[KD_KEY_LEN])
{
    uint8_t fp[KD_FP_LEN], name[KD_DEK_KEY_LEN], wrap[KD_WRAP_LEN], ad[sizeof DEK_AD_LABEL + KD_UUID_LEN + 4];
    int rc = kd_kek_fingerprint(kek, db->uuid, fp);
    if (rc != AIOTSEC_OK)
        return rc;
    dek_name(gen, fp, name);
    dek_ad(db, gen, ad);
    randombytes_buf(wrap, KD_NONCE_LEN);
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(wrap + KD_NONCE_LEN, NULL, dek, KD_KEY_LEN, ad, sizeof ad, NULL,
                                                   wrap, kek->k) != 0)
        return AIOTSEC_E_BACKEND_FAILURE;
    MDB_val k = {sizeof name, name}, v = {sizeof wrap, wrap};
    return kd_mdb_status(mdb_put(txn, db->meta, &k, &v, 0));
}

int kd_dek_current(aiotsec_keydb *db, MDB_txn *txn, uint32_t *gen)
{
    uint8_t b[4];
    int rc = kd_meta_get(db, txn, "dek_cur", b, sizeof b);
    if (rc == AIOTSEC_OK)
        *gen = kd_get32(b);
    return rc == AIOTSEC_OK && *gen == 0 ? AIOTSEC_KEYDB_E_FORMAT : rc;
}

/* Index of generation gen among the loaded keys, or -1 (caller holds dek_lock). */
static int find_loaded(const aiotsec_keydb *db, uint32_t gen)
{
    for (size_t i = 0; i < db->n_deks; i++)
        if (db->dek_gen[i] == gen)
            return (int)i;
    return -1;
}

/* Whether any KEK has a wrap of generation gen. */
static int generation_exists(aiotsec_keydb *db, MDB_txn *txn, uint32_t gen)
{
    uint8_t prefix[7];
    memcpy(prefix, "dek", 3);
    kd_put32(prefix + 3, gen);
    MDB_cursor *cur = NULL;
    if (mdb_cursor_open(txn, db->meta, &cur) != MDB_SUCCESS)
        return 0;
    MDB_val k = {sizeof prefix, prefix}, v;
    int found = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) == MDB_SUCCESS && k.mv_size == KD_DEK_KEY_LEN &&
                memcmp(k.mv_data, prefix, sizeof prefix) == 0;
    mdb_cursor_close(cur);
    return found;
}

/* Unwraps generation gen with the handle's KEK into a slot (caller holds dek_lock for writing). */
static int load(aiotsec_keydb *db, MDB_txn *txn, uint32_t gen, int *slot)
{
    uint8_t name[KD_DEK_KEY_LEN], ad[sizeof DEK_AD_LABEL + KD_UUID_LEN + 4];
    dek_name(gen, db->kek_fp, name);
    MDB_val k = {sizeof name, name}, v;
    int mrc = mdb_get(txn, db->meta, &k, &v);
    if (mrc == MDB_NOTFOUND)
        return generation_exists(db, txn, gen) ? AIOTSEC_KEYDB_E_WRONG_KEK /* wrapped for other KEKs only */
                                               : AIOTSEC_KEYDB_E_BAD_RECORD; /* names no data key: edited */
    if (mrc != MDB_SUCCESS)
        return kd_mdb_status(mrc);
    if (v.mv_size != KD_WRAP_LEN)
        return AIOTSEC_KEYDB_E_BAD_RECORD;
    size_t i = db->n_deks;
    if (i == KD_MAX_DEKS) { /* the oldest generation goes: rotations leave one or two in use */
        memmove(db->dek_gen, db->dek_gen + 1, (KD_MAX_DEKS - 1) * sizeof db->dek_gen[0]);
        memmove(db->dek_mem, db->dek_mem + KD_KEY_LEN, (KD_MAX_DEKS - 1) * KD_KEY_LEN);
        i = KD_MAX_DEKS - 1;
    }
    dek_ad(db, gen, ad);
    const uint8_t *w = v.mv_data;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(db->dek_mem + i * KD_KEY_LEN, NULL, NULL, w + KD_NONCE_LEN,
                                                   KD_KEY_LEN + KD_TAG_LEN, ad, sizeof ad, w, db->kek->k) != 0) {
        sodium_memzero(db->dek_mem + i * KD_KEY_LEN, KD_KEY_LEN);
        if (db->n_deks == KD_MAX_DEKS)
            db->n_deks--;
        return AIOTSEC_KEYDB_E_BAD_RECORD; /* the wrap was edited */
    }
    db->dek_gen[i] = gen;
    if (i == db->n_deks)
        db->n_deks++;
    *slot = (int)i;
    return AIOTSEC_OK;
}

int kd_dek_with(aiotsec_keydb *db, MDB_txn *txn, uint32_t gen, kd_dek_fn fn, void *arg)
{
    if (!db->kek)
        return AIOTSEC_KEYDB_E_CUSTODY;
    pthread_rwlock_rdlock(&db->dek_lock);
    int i = find_loaded(db, gen);
    if (i >= 0) {
        int rc = fn(arg, db->dek_mem + (size_t)i * KD_KEY_LEN);
        pthread_rwlock_unlock(&db->dek_lock);
        return rc;
    }
    pthread_rwlock_unlock(&db->dek_lock);
    MDB_txn *own = NULL;
    if (!txn) {
        int mrc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &own);
        if (mrc != MDB_SUCCESS)
            return kd_mdb_status(mrc);
        txn = own;
    }
    pthread_rwlock_wrlock(&db->dek_lock);
    i = find_loaded(db, gen);
    int rc = i >= 0 ? AIOTSEC_OK : load(db, txn, gen, &i);
    if (rc == AIOTSEC_OK)
        rc = fn(arg, db->dek_mem + (size_t)i * KD_KEY_LEN);
    pthread_rwlock_unlock(&db->dek_lock);
    if (own)
        mdb_txn_abort(own);
    return rc;
}

void kd_dek_free_all(aiotsec_keydb *db)
{
    sodium_free(db->dek_mem);
    db->dek_mem = NULL;
    db->n_deks = 0;
}
