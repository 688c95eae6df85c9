/* Names and descriptions of this library's statuses; the core's are passed on. */
#include "kd_internal.h"

static const struct {
    int status;
    const char *name, *text;
} table[] = {
    {AIOTSEC_KEYDB_E_BAD_RECORD, "AIOTSEC_KEYDB_E_BAD_RECORD",
     "key record refused: it fails authentication or decoding (swapped, edited, or from another database)"},
    {AIOTSEC_KEYDB_E_WRONG_KEK, "AIOTSEC_KEYDB_E_WRONG_KEK", "this KEK does not open the key database"},
    {AIOTSEC_KEYDB_E_KEK_FILE, "AIOTSEC_KEYDB_E_KEK_FILE",
     "KEK file refused: it must be a regular file of yours, mode 0600 or 0400, holding 64 hex digits"},
    {AIOTSEC_KEYDB_E_DB, "AIOTSEC_KEYDB_E_DB", "key database error (LMDB)"},
    {AIOTSEC_KEYDB_E_FULL, "AIOTSEC_KEYDB_E_FULL", "key database full (map size reached)"},
    {AIOTSEC_KEYDB_E_FORMAT, "AIOTSEC_KEYDB_E_FORMAT", "not a key database, or of an unknown format"},
    {AIOTSEC_KEYDB_E_EXISTS, "AIOTSEC_KEYDB_E_EXISTS", "a key database already exists there"},
    {AIOTSEC_KEYDB_E_CUSTODY, "AIOTSEC_KEYDB_E_CUSTODY",
     "the key database needs its own custody for this (its KEK or its PKCS#11 token)"},
    {AIOTSEC_KEYDB_E_TOKEN, "AIOTSEC_KEYDB_E_TOKEN", "PKCS#11 module or token failure"},
    {AIOTSEC_KEYDB_E_BUSY, "AIOTSEC_KEYDB_E_BUSY", "the key database is already open in this process"},
    {AIOTSEC_KEYDB_E_READ_ONLY, "AIOTSEC_KEYDB_E_READ_ONLY", "the key database was opened read-only"},
};

const char *aiotsec_keydb_strerror(int status)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].status == status)
            return table[i].text;
    return aiotsec_strerror(status);
}

const char *aiotsec_keydb_status_name(int status)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].status == status)
            return table[i].name;
    return aiotsec_status_name(status);
}
