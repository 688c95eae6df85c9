/* Internal interface of libaiotsec-keydb: the on-disk layout, the handle, and
 * the functions the files of src/ share. Internal names carry the prefix kd_
 * (only aiotsec_keydb_* is exported, by visibility and the version script). */
#ifndef KD_INTERNAL_H
#define KD_INTERNAL_H

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/keydb.h"

/* --- on-disk layout (format 1) -------------------------------------------------
 * Three named LMDB databases:
 *   "meta": "format" u32, "custody" u8, "uuid" 16 octets, "seq" u64 (bumped by
 *           every record written), sealed: "dek_cur" u32 and one wrap per data
 *           key and KEK, under "dek" || gen u32 || KEK fingerprint (16);
 *   "dev":  Permanent Identifier -> record (byte-lexicographic keys, the shorter
 *           first: LMDB's default order is the order of filter.h);
 *   "tid":  Permanent Identifier -> has_prev u8 || T-ID 16 || previous T-ID 16.
 * Integers are big-endian. A record is a 16-octet header
 *   format 1 | custody | K_AIOT_root length | 0 | data-key generation u32 | seq u64
 * then, sealed, nonce 24 || ciphertext || tag 16 (XChaCha20-Poly1305 with the
 * associated data of kd_record_ad()); a token record is the header alone. */
#define KD_FORMAT 1u
#define KD_UUID_LEN 16u
#define KD_KEY_LEN 32u   /* KEK and data keys */
#define KD_FP_LEN 16u    /* KEK fingerprint */
#define KD_NONCE_LEN 24u
#define KD_TAG_LEN 16u
#define KD_HDR_LEN 16u
#define KD_REC_MAX (KD_HDR_LEN + KD_NONCE_LEN + AIOTSEC_KROOT_MAX + KD_TAG_LEN)
#define KD_WRAP_LEN (KD_NONCE_LEN + KD_KEY_LEN + KD_TAG_LEN)
#define KD_DEK_KEY_LEN (3u + 4u + KD_FP_LEN) /* "dek" || gen || fingerprint */
#define KD_TID_REC_LEN (1u + 2u * AIOTSEC_TID_LEN)
#define KD_AD_MAX (18u + KD_UUID_LEN + 1u + AIOTSEC_ID_MAX + KD_HDR_LEN)
#define KD_TOKEN_ID_MAX (KD_UUID_LEN + 8u + AIOTSEC_ID_MAX)
#define KD_DEFAULT_MAP_SIZE (64ull << 30)
#define KD_DEFAULT_CACHE 16384u
#define KD_MAX_DEKS 8u

/* A decoded record header; the views point into the value it was decoded from. */
typedef struct kd_rec {
    uint8_t custody, key_len;
    uint32_t dek_gen;
    uint64_t seq;
    const uint8_t *hdr;   /* the 16 header octets (associated data) */
    const uint8_t *nonce; /* sealed only */
    const uint8_t *ct;    /* ciphertext || tag, sealed only */
} kd_rec;

struct aiotsec_keydb_kek {
    uint8_t k[KD_KEY_LEN]; /* in sodium_malloc memory: locked, out of core dumps */
};

typedef struct kd_cache kd_cache;
typedef struct kd_handles kd_handles;

struct aiotsec_keydb {
    MDB_env *env;
    MDB_dbi meta, dev, tid;
    int custody, read_only;
    uint8_t uuid[KD_UUID_LEN];
    const aiotsec_ctx *ctx;
    aiotsec_keydb_kek *kek; /* own copy, or NULL */
    uint8_t kek_fp[KD_FP_LEN];
    aiotsec_keydb_token *token;
    /* Unwrapped data keys by generation (locked memory), loaded on first use. */
    pthread_rwlock_t dek_lock;
    uint8_t *dek_mem; /* KD_MAX_DEKS * KD_KEY_LEN, sodium_malloc */
    uint32_t dek_gen[KD_MAX_DEKS];
    size_t n_deks;
    kd_cache *cache;       /* sealed: NULL when cache_entries is 0 */
    kd_handles *handles;   /* token: object handles by device */
    int prepared;
    aiotsec_keydb_bad_record_fn on_bad;
    void *on_bad_arg;
    _Atomic uint64_t bad_records;
    dev_t dir_dev;
    ino_t dir_ino;
    int dir_claimed;
};

/* --- kd_util.c ------------------------------------------------------------------- */
int kd_sodium_ready(void);
void kd_put32(uint8_t *p, uint32_t v);
void kd_put64(uint8_t *p, uint64_t v);
uint32_t kd_get32(const uint8_t *p);
uint64_t kd_get64(const uint8_t *p);
/* Maps an LMDB return code to a status. */
int kd_mdb_status(int mdb_rc);
/* Byte-lexicographic order, the shorter first (LMDB's default key order). */
int kd_id_cmp(const uint8_t *a, size_t la, const uint8_t *b, size_t lb);
/* Reports a refused record to the handle's callback and counts it. */
void kd_report_bad(aiotsec_keydb *db, const uint8_t *perm, size_t len, int status);
int kd_check_id(const uint8_t *perm, size_t len);
/* The snapshot of the listing running on this thread: a look-up made from a
 * listing's page callback (the ADM derives a candidate without a prepared key
 * there) reads the same snapshot, so a device revoked meanwhile cannot fail the
 * group it was listed in. */
typedef struct kd_snapshot {
    const aiotsec_keydb *db;
    MDB_txn *txn;
} kd_snapshot;
void kd_snapshot_push(const aiotsec_keydb *db, MDB_txn *txn, kd_snapshot *saved);
void kd_snapshot_pop(const kd_snapshot *saved);
/* The listing's transaction if this thread is inside a listing of db, else NULL. */
MDB_txn *kd_snapshot_of(const aiotsec_keydb *db);
int kd_check_key(const uint8_t *key, size_t len);

/* --- kd_record.c: encoding, sealing, unsealing ------------------------------------ */
/* Decodes a record value, bounded: AIOTSEC_OK or AIOTSEC_KEYDB_E_BAD_RECORD. */
int kd_rec_decode(const uint8_t *val, size_t len, kd_rec *out);
void kd_rec_header(uint8_t hdr[KD_HDR_LEN], int custody, size_t key_len, uint32_t dek_gen, uint64_t seq);
/* Seals key under dek into out (KD_REC_MAX); *out_len gets the length. */
int kd_rec_seal(const aiotsec_keydb *db, const uint8_t dek[KD_KEY_LEN], const uint8_t *perm, size_t perm_len,
                uint32_t dek_gen, uint64_t seq, const uint8_t *key, size_t key_len, uint8_t *out, size_t *out_len);
/* Opens a decoded sealed record into key (AIOTSEC_KROOT_MAX): OK or BAD_RECORD. */
int kd_rec_unseal(const aiotsec_keydb *db, const uint8_t dek[KD_KEY_LEN], const uint8_t *perm, size_t perm_len,
                  const kd_rec *rec, uint8_t *key, size_t *key_len);
/* Token object CKA_ID: uuid || seq || Permanent Identifier. Returns its length. */
size_t kd_token_id(const aiotsec_keydb *db, uint64_t seq, const uint8_t *perm, size_t perm_len,
                   uint8_t out[KD_TOKEN_ID_MAX]);

/* --- kd_kek.c ---------------------------------------------------------------------- */
int kd_kek_new(aiotsec_keydb_kek **out);
/* KEK fingerprint for this database (keyed BLAKE2b): names the KEK's wraps. */
int kd_kek_fingerprint(const aiotsec_keydb_kek *kek, const uint8_t uuid[KD_UUID_LEN], uint8_t fp[KD_FP_LEN]);
int kd_kek_copy(const aiotsec_keydb_kek *src, aiotsec_keydb_kek **out);

/* --- kd_dek.c: data keys ------------------------------------------------------------ */
/* Wraps dek under kek and stores it in txn (meta). */
int kd_dek_store(aiotsec_keydb *db, MDB_txn *txn, const aiotsec_keydb_kek *kek, uint32_t gen,
                 const uint8_t dek[KD_KEY_LEN]);
/* Runs fn with the unwrapped data key of generation gen (loaded through txn, or a
 * read transaction of its own when txn is NULL); the key never leaves locked memory. */
typedef int (*kd_dek_fn)(void *arg, const uint8_t dek[KD_KEY_LEN]);
int kd_dek_with(aiotsec_keydb *db, MDB_txn *txn, uint32_t gen, kd_dek_fn fn, void *arg);
int kd_dek_current(aiotsec_keydb *db, MDB_txn *txn, uint32_t *gen);
void kd_dek_free_all(aiotsec_keydb *db);

/* --- kd_meta.c ---------------------------------------------------------------------- */
int kd_meta_get(aiotsec_keydb *db, MDB_txn *txn, const char *name, void *out, size_t len);
int kd_meta_put(aiotsec_keydb *db, MDB_txn *txn, const char *name, const void *val, size_t len);
/* Next value of the "seq" counter (in a write transaction). */
int kd_next_seq(aiotsec_keydb *db, MDB_txn *txn, uint64_t *seq);

/* --- kd_write.c ---------------------------------------------------------------------- */
int kd_write_begin(aiotsec_keydb *db, MDB_txn **txn);
/* Puts one new device in an open write transaction (sealed or on the token);
 * *token_obj receives the created token object handle (0 if none) so an
 * abandoned transaction can destroy it. */
int kd_put_new(aiotsec_keydb *db, MDB_txn *txn, const uint8_t *perm, size_t perm_len, const uint8_t *key,
               size_t key_len, unsigned long *token_obj);

/* --- kd_cache.c: unsealed keys in locked memory ---------------------------------------- */
/* Unseals the record the lookup was given into key (capacity AIOTSEC_KROOT_MAX). */
typedef int (*kd_unseal_fn)(void *arg, uint8_t *key, size_t *key_len);
int kd_cache_new(kd_cache **out, size_t entries, const aiotsec_ctx *ctx, int prepared);
void kd_cache_free(kd_cache *c);
/* Finds the device's entry whose record equals rec (else unseals into a new or
 * refreshed entry) and copies the key into raw (if raw) and/or gives its prepared
 * key (if prep; NULL when none can be made). */
int kd_cache_get(kd_cache *c, const uint8_t *perm, size_t perm_len, const uint8_t *rec, size_t rec_len,
                 kd_unseal_fn unseal, void *arg, uint8_t *raw, size_t *raw_len, const aiotsec_prepared_key **prep);
/* Drops the device's entry (revoked or refused). */
void kd_cache_forget(kd_cache *c, const uint8_t *perm, size_t perm_len);
/* Thread bookkeeping for prepared keys (see kd_qsbr.c): calls into the table enter and leave. */
void *kd_cache_enter(kd_cache *c);
void kd_cache_leave(kd_cache *c, void *slot);
void kd_cache_quiescent(kd_cache *c);
void kd_cache_stats(kd_cache *c, aiotsec_keydb_stats *st);

/* --- kd_table.c / kd_token_table.c ----------------------------------------------------- */
int kd_tid_update(void *user, const uint8_t *perm_id, size_t perm_id_len, int resync,
                  const uint8_t fresh[AIOTSEC_TID_LEN], uint8_t tid[AIOTSEC_TID_LEN], uint8_t prev[AIOTSEC_TID_LEN],
                  int *has_prev);
void kd_sealed_table(aiotsec_keydb *db, aiotsec_keystore *t);
void kd_token_table(aiotsec_keydb *db, aiotsec_keystore *t);
/* Range of the "dev" database a filter selects: calls fn for each key/value whose
 * identifier matches (filter NULL: every device), in order, within txn. */
typedef int (*kd_scan_fn)(void *arg, const uint8_t *perm, size_t perm_len, const uint8_t *val, size_t val_len);
int kd_scan(aiotsec_keydb *db, MDB_txn *txn, const uint8_t *filter, size_t filter_len, kd_scan_fn fn, void *arg);

/* A filter listing (kd_listing.c): judge says for each record in range whether the
 * device is listed (AIOTSEC_OK, with its prepared key or NULL), left out
 * (KD_LIST_SKIP, after reporting it), or stops the listing (another status). */
#define KD_LIST_SKIP 1
typedef int (*kd_list_judge_fn)(void *arg, const uint8_t *perm, size_t perm_len, const uint8_t *val,
                                size_t val_len, const aiotsec_prepared_key **key);
int kd_list(aiotsec_keydb *db, const uint8_t *filter, size_t filter_len, aiotsec_ks_page_fn page, void *arg,
            kd_list_judge_fn judge, void *judge_arg);
/* Unseals a sealed record value for perm into key (a read transaction of its own for the data key). */
int kd_unseal_value(aiotsec_keydb *db, const uint8_t *perm, size_t perm_len, const uint8_t *val, size_t val_len,
                    uint8_t *key, size_t *key_len);

/* --- kd_handles.c: token object handles by device (no secret) ----------------------------- */
int kd_handles_new(kd_handles **out);
void kd_handles_free(kd_handles *h);
int kd_handles_get(kd_handles *h, const uint8_t *perm, size_t len, uint64_t seq, unsigned long *handle);
void kd_handles_put(kd_handles *h, const uint8_t *perm, size_t len, uint64_t seq, unsigned long handle);
void kd_handles_forget(kd_handles *h, const uint8_t *perm, size_t len);

/* --- kd_p11.c: the token ---------------------------------------------------------------- */
int kd_p11_create_secret(aiotsec_keydb_token *t, const uint8_t *id, size_t id_len, const uint8_t *key,
                         size_t key_len, unsigned long *handle);
/* AIOTSEC_OK with the one object of that CKA_ID, AIOTSEC_E_UNKNOWN_DEVICE when none. */
int kd_p11_find(aiotsec_keydb_token *t, const uint8_t *id, size_t id_len, unsigned long *handle);
int kd_p11_destroy(aiotsec_keydb_token *t, unsigned long handle);
/* HMAC-SHA-256 on the token; AIOTSEC_E_UNKNOWN_DEVICE when the handle is gone. */
int kd_p11_hmac(aiotsec_keydb_token *t, unsigned long handle, const uint8_t *msg, size_t len, uint8_t mac[32]);
const char *kd_p11_label(const aiotsec_keydb_token *t);

#endif
