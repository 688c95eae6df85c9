/* Small helpers every file of the key database shares: libsodium start-up,
 * big-endian integers, LMDB codes to statuses, identifier order and checks,
 * and the report of a refused record. */
#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "kd_internal.h"

int kd_sodium_ready(void)
{
    /* sodium_init() is idempotent and thread-safe; 1 means "already done". */
    return sodium_init() < 0 ? AIOTSEC_E_BACKEND_FAILURE : AIOTSEC_OK;
}

void kd_put32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

void kd_put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

uint32_t kd_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t kd_get64(const uint8_t *p)
{
    return (uint64_t)kd_get32(p) << 32 | kd_get32(p + 4);
}

int kd_mdb_status(int rc)
{
    switch (rc) {
    case MDB_SUCCESS:
        return AIOTSEC_OK;
    case MDB_NOTFOUND:
        return AIOTSEC_E_UNKNOWN_DEVICE;
    case MDB_KEYEXIST:
        return AIOTSEC_E_DUPLICATE;
    case MDB_MAP_FULL:
        return AIOTSEC_KEYDB_E_FULL;
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
        return AIOTSEC_KEYDB_E_FORMAT;
    case ENOMEM:
        return AIOTSEC_E_NO_MEMORY;
    case EACCES:
    case ENOENT:
        return AIOTSEC_E_IO;
    default:
        return AIOTSEC_KEYDB_E_DB;
    }
}

int kd_id_cmp(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

void kd_report_bad(aiotsec_keydb *db, const uint8_t *perm, size_t len, int status)
{
    atomic_fetch_add(&db->bad_records, 1);
    if (db->on_bad)
        db->on_bad(db->on_bad_arg, perm, len, status);
}

int kd_check_id(const uint8_t *perm, size_t len)
{
    if (!perm)
        return AIOTSEC_E_NULL_ARG;
    return len == 0 || len > AIOTSEC_ID_MAX ? AIOTSEC_E_BAD_LENGTH : AIOTSEC_OK;
}

int kd_check_key(const uint8_t *key, size_t len)
{
    if (!key)
        return AIOTSEC_E_NULL_ARG;
    return len == 16 || len == 32 ? AIOTSEC_OK : AIOTSEC_E_BAD_LENGTH;
}

static _Thread_local kd_snapshot current;

void kd_snapshot_push(const aiotsec_keydb *db, MDB_txn *txn, kd_snapshot *saved)
{
    *saved = current;
    current.db = db;
    current.txn = txn;
}

void kd_snapshot_pop(const kd_snapshot *saved)
{
    current = *saved;
}

MDB_txn *kd_snapshot_of(const aiotsec_keydb *db)
{
    return current.db == db ? current.txn : NULL;
}
