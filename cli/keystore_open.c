/* Opening the key store a command serves from: --keys FILE or --db DIR with
 * its custody (see keystore_open.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "keystore_open.h"

int cli_keydb_error(const char *what, int rc)
{
    switch (rc) {
    case AIOTSEC_E_NO_MEMORY:
    case AIOTSEC_E_BACKEND_FAILURE:
    case AIOTSEC_KEYDB_E_DB:
    case AIOTSEC_KEYDB_E_TOKEN:
    case AIOTSEC_KEYDB_E_FULL:
    case AIOTSEC_KEYDB_E_BAD_RECORD:
        return cli_fail("%s: %s", what, aiotsec_keydb_strerror(rc));
    default:
        return cli_usage_error("%s: %s", what, aiotsec_keydb_strerror(rc));
    }
}

int cli_keydb_custody(const cli_keystore_args *a, int create_kek, aiotsec_keydb_kek **kek,
                      aiotsec_keydb_token **token, int *created)
{
    *kek = NULL;
    *token = NULL;
    if (created)
        *created = 0;
    int p11 = a->pkcs11_module || a->pkcs11_token || a->pkcs11_pin_env;
    if ((a->kek_file != NULL) + (a->kek_env != NULL) + (p11 != 0) > 1)
        return cli_usage_error("give one of --kek-file, --kek-env and the --pkcs11-* options");
    if (p11 && !(a->pkcs11_module && a->pkcs11_token && a->pkcs11_pin_env))
        return cli_usage_error("PKCS#11 needs --pkcs11-module, --pkcs11-token and --pkcs11-pin-env");
    int rc = AIOTSEC_OK;
    if (a->kek_file) {
        rc = aiotsec_keydb_kek_from_file(kek, a->kek_file);
        if (rc == AIOTSEC_E_IO && create_kek) {
            rc = aiotsec_keydb_kek_create_file(kek, a->kek_file);
            if (rc == AIOTSEC_OK && created)
                *created = 1;
        }
        if (rc != AIOTSEC_OK)
            return cli_keydb_error(a->kek_file, rc);
    } else if (a->kek_env) {
        rc = aiotsec_keydb_kek_from_env(kek, a->kek_env);
        if (rc != AIOTSEC_OK)
            return rc == AIOTSEC_E_IO ? cli_usage_error("--kek-env %s: not set", a->kek_env)
                                      : cli_usage_error("--kek-env %s: not 64 hex digits", a->kek_env);
    } else if (p11) {
        rc = aiotsec_keydb_token_open(token, a->pkcs11_module, a->pkcs11_token, a->pkcs11_pin_env);
        if (rc != AIOTSEC_OK)
            return cli_keydb_error("PKCS#11 token", rc);
    }
    return CLI_OK;
}

/* A refused record is logged with its device (the request itself gets the status). */
static void report_bad(void *arg, const uint8_t *perm, size_t len, int status)
{
    (void)arg;
    char hex[2 * AIOTSEC_ID_MAX + 1];
    cli_to_hex(perm, len, hex);
    fprintf(stderr, "aiotsec: key record of device %s refused: %s\n", hex, aiotsec_keydb_strerror(status));
}

static int open_keys_file(cli_keystore *ks, const aiotsec_ctx *ctx, const char *path)
{
    int rc = aiotsec_memstore_new(&ks->mem, ctx, 0);
    size_t line = 0;
    if (rc == AIOTSEC_OK)
        rc = aiotsec_memstore_load_file(ks->mem, strcmp(path, "-") ? path : "/dev/stdin", &line);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_memstore_keystore(ks->mem, &ks->table);
    if (rc == AIOTSEC_OK)
        return CLI_OK;
    return line ? cli_usage_error("%s:%zu: %s", path, line, aiotsec_strerror(rc))
                : cmd_lib_error(path, rc);
}

static int open_db(cli_keystore *ks, const aiotsec_ctx *ctx, const cli_keystore_args *a)
{
    aiotsec_keydb_kek *kek = NULL;
    int rc = cli_keydb_custody(a, 0, &kek, &ks->token, NULL);
    if (rc != CLI_OK)
        return rc;
    if (!kek && !ks->token)
        return cli_usage_error("--db needs --kek-file, --kek-env or the --pkcs11-* options");
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = kek;
    o.token = ks->token;
    o.ctx = ctx;
    o.on_bad_record = report_bad;
    unsigned long n = 0;
    if (a->key_cache) {
        if (cli_parse_uint(a->key_cache, 1ul << 28, &n) != 0)
            rc = cli_usage_error("--key-cache: a number of entries, at most 2^28");
        o.cache_entries = n;
    }
    if (rc == CLI_OK && a->prepared_keys) {
        if (strcmp(a->prepared_keys, "yes") && strcmp(a->prepared_keys, "no"))
            rc = cli_usage_error("--prepared-keys: yes or no");
        o.prepared_keys = !strcmp(a->prepared_keys, "yes");
    }
    if (rc == CLI_OK) {
        int lrc = aiotsec_keydb_open(&ks->db, a->db, &o);
        if (lrc == AIOTSEC_OK)
            lrc = aiotsec_keydb_keystore(ks->db, &ks->table);
        if (lrc != AIOTSEC_OK)
            rc = cli_keydb_error(a->db, lrc);
    }
    aiotsec_keydb_kek_free(kek); /* the handle keeps its own copy in locked memory */
    return rc;
}

int cli_keystore_open(cli_keystore *ks, const aiotsec_ctx *ctx, const cli_keystore_args *a)
{
    memset(ks, 0, sizeof *ks);
    if (!a->keys == !a->db)
        return cli_usage_error("give one of --keys FILE and --db DIR");
    int custody = a->kek_file || a->kek_env || a->pkcs11_module || a->pkcs11_token || a->pkcs11_pin_env ||
                  a->key_cache || a->prepared_keys;
    if (a->keys && custody)
        return cli_usage_error("--keys takes no KEK, PKCS#11 or cache option (they go with --db)");
    int rc = a->keys ? open_keys_file(ks, ctx, a->keys) : open_db(ks, ctx, a);
    if (rc != CLI_OK)
        cli_keystore_close(ks);
    return rc;
}

void cli_keystore_idle(cli_keystore *ks)
{
    aiotsec_keydb_quiescent(ks->db);
}

void cli_keystore_close(cli_keystore *ks)
{
    aiotsec_memstore_free(ks->mem);
    aiotsec_keydb_close(ks->db);
    aiotsec_keydb_token_close(ks->token);
    memset(ks, 0, sizeof *ks);
}
