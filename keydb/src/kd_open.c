/* Making, opening and closing a key database: the LMDB environment (one per
 * process and directory, as LMDB requires), the meta values, the custody check
 * (a KEK must have a wrap of the current data key; a token database needs its
 * token), and the per-handle caches. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kd_internal.h"

/* --- one handle per directory and process ------------------------------------------ */

typedef struct open_dir {
    struct open_dir *next;
    dev_t dev;
    ino_t ino;
} open_dir;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static open_dir *registry;

static int claim_dir(dev_t dev, ino_t ino)
{
    pthread_mutex_lock(&registry_lock);
    int rc = AIOTSEC_OK;
    for (open_dir *d = registry; d; d = d->next)
        if (d->dev == dev && d->ino == ino)
            rc = AIOTSEC_KEYDB_E_BUSY;
    if (rc == AIOTSEC_OK) {
        open_dir *d = malloc(sizeof *d);
        if (!d) {
            rc = AIOTSEC_E_NO_MEMORY;
        } else {
            d->dev = dev;
            d->ino = ino;
            d->next = registry;
            registry = d;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

static void release_dir(dev_t dev, ino_t ino)
{
    pthread_mutex_lock(&registry_lock);
    for (open_dir **p = &registry; *p; p = &(*p)->next)
        if ((*p)->dev == dev && (*p)->ino == ino) {
            open_dir *d = *p;
            *p = d->next;
            free(d);
            break;
        }
    pthread_mutex_unlock(&registry_lock);
}

/* --- options ----------------------------------------------------------------------- */

int aiotsec_keydb_options_init(aiotsec_keydb_options *o)
{
    if (!o)
        return AIOTSEC_E_NULL_ARG;
    memset(o, 0, sizeof *o);
    o->struct_size = (uint32_t)sizeof *o;
    o->cache_entries = KD_DEFAULT_CACHE;
    return AIOTSEC_OK;
}

/* --- the environment ----------------------------------------------------------------- */

/* Opens the LMDB environment and the three databases (created when `create`). */
static int open_env(aiotsec_keydb *db, const char *dir, uint64_t map_size, int create, int read_only)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return AIOTSEC_E_IO;
    if (!create) { /* LMDB would make an empty environment: say what it is instead */
        char data[4096];
        struct stat ds;
        int n = snprintf(data, sizeof data, "%s/data.mdb", dir);
        if (n < 0 || (size_t)n >= sizeof data || stat(data, &ds) != 0)
            return AIOTSEC_KEYDB_E_FORMAT;
    }
    int rc = claim_dir(st.st_dev, st.st_ino);
    if (rc != AIOTSEC_OK)
        return rc;
    db->dir_claimed = 1;
    db->dir_dev = st.st_dev;
    db->dir_ino = st.st_ino;
    int mrc = mdb_env_create(&db->env);
    if (mrc == MDB_SUCCESS)
        mrc = mdb_env_set_maxdbs(db->env, 4);
    if (mrc == MDB_SUCCESS) /* used only when the lock file is created: room for many ADM threads */
        mrc = mdb_env_set_maxreaders(db->env, 1022);
    if (mrc == MDB_SUCCESS && map_size)
        mrc = mdb_env_set_mapsize(db->env, (size_t)map_size);
    /* MDB_NOTLS: a listing callback may look a device up in the same thread
     * (nested read transactions), and read transactions are not thread-bound. */
    if (mrc == MDB_SUCCESS)
        mrc = mdb_env_open(db->env, dir, MDB_NOTLS | (read_only ? MDB_RDONLY : 0u), 0600);
    if (mrc != MDB_SUCCESS)
        return kd_mdb_status(mrc);
    int dead = 0;
    mdb_reader_check(db->env, &dead); /* reader slots of killed processes */
    MDB_txn *txn = NULL;
    mrc = mdb_txn_begin(db->env, NULL, read_only ? MDB_RDONLY : 0u, &txn);
    unsigned flags = create ? MDB_CREATE : 0u;
    if (mrc == MDB_SUCCESS)
        mrc = mdb_dbi_open(txn, "meta", flags, &db->meta);
    if (mrc == MDB_SUCCESS)
        mrc = mdb_dbi_open(txn, "dev", flags, &db->dev);
    if (mrc == MDB_SUCCESS)
        mrc = mdb_dbi_open(txn, "tid", flags, &db->tid);
    if (mrc == MDB_SUCCESS)
        return kd_mdb_status(mdb_txn_commit(txn)); /* the handles outlive the transaction */
    if (txn)
        mdb_txn_abort(txn);
    return mrc == MDB_NOTFOUND ? AIOTSEC_KEYDB_E_FORMAT : kd_mdb_status(mrc);
}

static void close_env(aiotsec_keydb *db)
{
    if (db->env)
        mdb_env_close(db->env);
    db->env = NULL;
    if (db->dir_claimed)
        release_dir(db->dir_dev, db->dir_ino);
    db->dir_claimed = 0;
}

static aiotsec_keydb *handle_new(void)
{
    aiotsec_keydb *db = calloc(1, sizeof *db);
    if (!db)
        return NULL;
    pthread_rwlock_init(&db->dek_lock, NULL);
    atomic_init(&db->bad_records, 0);
    return db;
}

static void handle_free(aiotsec_keydb *db)
{
    kd_cache_free(db->cache);
    kd_handles_free(db->handles);
    close_env(db);
    kd_dek_free_all(db);
    aiotsec_keydb_kek_free(db->kek);
    pthread_rwlock_destroy(&db->dek_lock);
    sodium_memzero(db, sizeof *db);
    free(db);
}

static int check_opts(const aiotsec_keydb_options *o)
{
    if (o->struct_size != sizeof *o)
        return AIOTSEC_E_BAD_VALUE;
    return AIOTSEC_OK;
}

/* Sets up the KEK side of a handle: own copy, fingerprint, data-key memory. */
static int take_kek(aiotsec_keydb *db, const aiotsec_keydb_kek *kek)
{
    int rc = kd_kek_copy(kek, &db->kek);
    if (rc == AIOTSEC_OK)
        rc = kd_kek_fingerprint(db->kek, db->uuid, db->kek_fp);
    if (rc == AIOTSEC_OK && !db->dek_mem) {
        db->dek_mem = sodium_malloc(KD_MAX_DEKS * KD_KEY_LEN);
        if (!db->dek_mem)
            rc = AIOTSEC_E_NO_MEMORY;
    }
    return rc;
}

static int write_meta(aiotsec_keydb *db, MDB_txn *txn, const aiotsec_keydb_options *o)
{
    uint8_t b[8];
    kd_put32(b, KD_FORMAT);
    int rc = kd_meta_put(db, txn, "format", b, 4);
    uint8_t custody = (uint8_t)db->custody;
    if (rc == AIOTSEC_OK)
        rc = kd_meta_put(db, txn, "custody", &custody, 1);
    if (rc == AIOTSEC_OK)
        rc = kd_meta_put(db, txn, "uuid", db->uuid, KD_UUID_LEN);
    kd_put64(b, 0);
    if (rc == AIOTSEC_OK)
        rc = kd_meta_put(db, txn, "seq", b, 8);
    if (rc == AIOTSEC_OK && db->custody == AIOTSEC_KEYDB_CUSTODY_SEALED) {
        uint8_t *dek = sodium_malloc(KD_KEY_LEN);
        if (!dek)
            return AIOTSEC_E_NO_MEMORY;
        randombytes_buf(dek, KD_KEY_LEN);
        rc = kd_dek_store(db, txn, o->kek, 1, dek);
        sodium_free(dek);
        kd_put32(b, 1);
        if (rc == AIOTSEC_OK)
            rc = kd_meta_put(db, txn, "dek_cur", b, 4);
    }
    if (rc == AIOTSEC_OK && db->custody == AIOTSEC_KEYDB_CUSTODY_TOKEN) {
        const char *label = kd_p11_label(o->token);
        rc = kd_meta_put(db, txn, "token_label", label, strlen(label));
    }
    return rc;
}

int aiotsec_keydb_init(const char *dir, const aiotsec_keydb_options *o)
{
    if (!dir || !o)
        return AIOTSEC_E_NULL_ARG;
    if (check_opts(o) != AIOTSEC_OK || !o->kek == !o->token)
        return AIOTSEC_E_BAD_VALUE;
    int rc = kd_sodium_ready();
    if (rc != AIOTSEC_OK)
        return rc;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return AIOTSEC_E_IO;
    aiotsec_keydb *db = handle_new();
    if (!db)
        return AIOTSEC_E_NO_MEMORY;
    db->custody = o->kek ? AIOTSEC_KEYDB_CUSTODY_SEALED : AIOTSEC_KEYDB_CUSTODY_TOKEN;
    rc = open_env(db, dir, o->map_size ? o->map_size : KD_DEFAULT_MAP_SIZE, 1, 0);
    MDB_txn *txn = NULL;
    if (rc == AIOTSEC_OK)
        rc = kd_mdb_status(mdb_txn_begin(db->env, NULL, 0, &txn));
    if (rc == AIOTSEC_OK) {
        uint8_t b[4];
        int have = kd_meta_get(db, txn, "format", b, sizeof b);
        if (have == AIOTSEC_OK) {
            rc = AIOTSEC_KEYDB_E_EXISTS;
        } else {
            randombytes_buf(db->uuid, KD_UUID_LEN);
            rc = write_meta(db, txn, o);
        }
        if (rc == AIOTSEC_OK)
            rc = kd_mdb_status(mdb_txn_commit(txn));
        else
            mdb_txn_abort(txn);
    }
    handle_free(db);
    return rc;
}

/* Reads and checks the meta values, then the custody the options bring. */
static int load_meta(aiotsec_keydb *db, const aiotsec_keydb_options *o)
{
    MDB_txn *txn = NULL;
    int rc = kd_mdb_status(mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn));
    if (rc != AIOTSEC_OK)
        return rc;
    uint8_t b[4], custody = 0;
    rc = kd_meta_get(db, txn, "format", b, 4);
    if (rc == AIOTSEC_OK && kd_get32(b) != KD_FORMAT)
        rc = AIOTSEC_KEYDB_E_FORMAT;
    if (rc == AIOTSEC_OK)
        rc = kd_meta_get(db, txn, "custody", &custody, 1);
    if (rc == AIOTSEC_OK)
        rc = kd_meta_get(db, txn, "uuid", db->uuid, KD_UUID_LEN);
    if (rc == AIOTSEC_OK && custody != AIOTSEC_KEYDB_CUSTODY_SEALED && custody != AIOTSEC_KEYDB_CUSTODY_TOKEN)
        rc = AIOTSEC_KEYDB_E_FORMAT;
    db->custody = custody;
    if (rc == AIOTSEC_OK && ((o->kek && custody != AIOTSEC_KEYDB_CUSTODY_SEALED) ||
                             (o->token && custody != AIOTSEC_KEYDB_CUSTODY_TOKEN)))
        rc = AIOTSEC_KEYDB_E_CUSTODY;
    if (rc == AIOTSEC_OK && o->kek)
        rc = take_kek(db, o->kek);
    mdb_txn_abort(txn);
    return rc;
}

static int nothing(void *arg, const uint8_t dek[KD_KEY_LEN])
{
    (void)arg;
    (void)dek;
    return AIOTSEC_OK;
}

int aiotsec_keydb_open(aiotsec_keydb **out, const char *dir, const aiotsec_keydb_options *opts)
{
    if (!out || !dir)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    aiotsec_keydb_options def;
    aiotsec_keydb_options_init(&def);
    const aiotsec_keydb_options *o = opts ? opts : &def;
    if (check_opts(o) != AIOTSEC_OK || (o->kek && o->token))
        return AIOTSEC_E_BAD_VALUE;
    int rc = kd_sodium_ready();
    if (rc != AIOTSEC_OK)
        return rc;
    aiotsec_keydb *db = handle_new();
    if (!db)
        return AIOTSEC_E_NO_MEMORY;
    db->ctx = o->ctx;
    db->read_only = o->read_only != 0;
    db->prepared = o->prepared_keys != 0 && o->ctx;
    db->on_bad = o->on_bad_record;
    db->on_bad_arg = o->on_bad_record_arg;
    db->token = o->token;
    rc = open_env(db, dir, 0, 0, db->read_only);
    if (rc == AIOTSEC_OK)
        rc = load_meta(db, o);
    if (rc == AIOTSEC_OK && db->kek) {
        /* The KEK must open the current data key now, not at the first request. */
        MDB_txn *txn = NULL;
        uint32_t gen = 0;
        rc = kd_mdb_status(mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn));
        if (rc == AIOTSEC_OK) {
            rc = kd_dek_current(db, txn, &gen);
            if (rc == AIOTSEC_OK)
                rc = kd_dek_with(db, txn, gen, nothing, NULL);
            mdb_txn_abort(txn);
        }
        if (rc == AIOTSEC_OK && o->cache_entries)
            rc = kd_cache_new(&db->cache, o->cache_entries, o->ctx, db->prepared);
    }
    if (rc == AIOTSEC_OK && db->token)
        rc = kd_handles_new(&db->handles);
    if (rc != AIOTSEC_OK) {
        handle_free(db);
        return rc;
    }
    *out = db;
    return AIOTSEC_OK;
}

void aiotsec_keydb_close(aiotsec_keydb *db)
{
    if (db)
        handle_free(db);
}

int aiotsec_keydb_custody_of(const aiotsec_keydb *db)
{
    if (!db || (!db->kek && !db->token))
        return AIOTSEC_KEYDB_CUSTODY_NONE;
    return db->custody;
}

int aiotsec_keydb_count(aiotsec_keydb *db, size_t *count)
{
    if (!db || !count)
        return AIOTSEC_E_NULL_ARG;
    MDB_txn *txn = NULL;
    MDB_stat st;
    int rc = kd_mdb_status(mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn));
    if (rc != AIOTSEC_OK)
        return rc;
    rc = kd_mdb_status(mdb_stat(txn, db->dev, &st));
    mdb_txn_abort(txn);
    if (rc == AIOTSEC_OK)
        *count = st.ms_entries;
    return rc;
}

int aiotsec_keydb_stats_get(aiotsec_keydb *db, aiotsec_keydb_stats *st)
{
    if (!db || !st)
        return AIOTSEC_E_NULL_ARG;
    memset(st, 0, sizeof *st);
    st->struct_size = (uint32_t)sizeof *st;
    if (db->cache)
        kd_cache_stats(db->cache, st);
    st->bad_records = atomic_load(&db->bad_records);
    return AIOTSEC_OK;
}

int aiotsec_keydb_keystore(aiotsec_keydb *db, aiotsec_keystore *out)
{
    if (!db || !out)
        return AIOTSEC_E_NULL_ARG;
    memset(out, 0, sizeof *out);
    if (!db->ctx || (db->custody == AIOTSEC_KEYDB_CUSTODY_SEALED && !db->kek) ||
        (db->custody == AIOTSEC_KEYDB_CUSTODY_TOKEN && !db->token))
        return AIOTSEC_KEYDB_E_CUSTODY;
    if (db->custody == AIOTSEC_KEYDB_CUSTODY_SEALED)
        kd_sealed_table(db, out);
    else
        kd_token_table(db, out);
    return AIOTSEC_OK;
}

void aiotsec_keydb_quiescent(aiotsec_keydb *db)
{
    if (db)
        kd_cache_quiescent(db->cache);
}
