/* The key store a serving command works from, chosen on its command line:
 *
 *   --keys FILE                          the in-memory store (aiotsec_memstore), loaded
 *                                        from a key file (keystore.h format; "-" for stdin)
 *   --db DIR  with one custody:          the key database (libaiotsec-keydb)
 *     --kek-file F | --kek-env V         sealed records, KEK from a file (mode 0600) or a variable
 *     --pkcs11-module SO --pkcs11-token LABEL --pkcs11-pin-env V
 *                                        keys on a PKCS#11 token (HMAC computed there)
 *   --key-cache N                        --db: unsealed keys kept in locked memory (default 16384)
 *   (a refused record, swapped or edited on disk, is logged on stderr with its device)
 *   --prepared-keys yes|no               --db sealed: hand prepared keys to the ADM (faster; see
 *                                        keydb.h for where they live); default no
 *
 * Usage from a command (aiotsec adm, aiotsec adm serve):
 *
 *     cli_keystore_args ka = {0};
 *     cmd_opt opts[] = {..., CLI_KEYSTORE_OPTS(ka)};
 *     ... cmd_parse_opts(argc - 1, argv + 1, opts, n) ...
 *     cli_keystore ks;
 *     int rc = cli_keystore_open(&ks, ctx, &ka);   // reason printed; CLI_USAGE or CLI_FAIL
 *     if (rc != CLI_OK) return rc;
 *     aiotsec_adm_new(&adm, ctx, &ks.table, &cfg);
 *     ...                                          // a serving thread going idle: cli_keystore_idle(&ks)
 *     aiotsec_adm_free(adm);
 *     cli_keystore_close(&ks);
 */
#ifndef AIOTSEC_CLI_KEYSTORE_OPEN_H
#define AIOTSEC_CLI_KEYSTORE_OPEN_H

#include "aiotsec/aiotsec.h"
#include "aiotsec/keydb.h"
#include "cmd_args.h"

/* Option values (views into argv), filled by cmd_parse_opts through CLI_KEYSTORE_OPTS. */
typedef struct cli_keystore_args {
    const char *keys, *db;
    const char *kek_file, *kek_env;
    const char *pkcs11_module, *pkcs11_token, *pkcs11_pin_env;
    const char *key_cache, *prepared_keys;
} cli_keystore_args;

/* The cmd_opt rows of those options, for a command's option table. */
#define CLI_KEYSTORE_OPTS(a)                                                                                   \
    {"--keys", &(a).keys, 1, 0}, {"--db", &(a).db, 1, 0}, {"--kek-file", &(a).kek_file, 1, 0},                 \
        {"--kek-env", &(a).kek_env, 1, 0}, {"--pkcs11-module", &(a).pkcs11_module, 1, 0},                      \
        {"--pkcs11-token", &(a).pkcs11_token, 1, 0}, {"--pkcs11-pin-env", &(a).pkcs11_pin_env, 1, 0},          \
        {"--key-cache", &(a).key_cache, 1, 0}, {"--prepared-keys", &(a).prepared_keys, 1, 0}

/* One help paragraph for those options. */
#define CLI_KEYSTORE_HELP                                                                                      \
    "  --keys FILE            key file (Permanent Identifier, K_AIOT_root, hex; '-' stdin)\n"                  \
    "  --db DIR               key database (aiotsec keys init), with one of:\n"                               \
    "    --kek-file F         KEK file (64 hex digits, mode 0600)\n"                                          \
    "    --kek-env V          KEK in environment variable V\n"                                                \
    "    --pkcs11-module SO --pkcs11-token LABEL --pkcs11-pin-env V\n"                                        \
    "                         keys on a PKCS#11 token (never leave it)\n"                                    \
    "  --key-cache N          --db: keys kept unsealed in locked memory (default 16384)\n"                    \
    "  --prepared-keys yes|no --db: prepared keys for the ADM's fast path (default no)\n"

/* An open key store. */
typedef struct cli_keystore {
    aiotsec_keystore table;     /* give this to aiotsec_adm_new() */
    aiotsec_memstore *mem;      /* --keys */
    aiotsec_keydb *db;          /* --db */
    aiotsec_keydb_token *token; /* --db with PKCS#11 */
} cli_keystore;

/* The custody options alone (for `aiotsec keys`): a KEK (file, created when
 * `create_kek` and missing, reported through *created) or a token; neither when
 * none was given. Prints the reason; CLI_OK, CLI_USAGE or CLI_FAIL. */
int cli_keydb_custody(const cli_keystore_args *a, int create_kek, aiotsec_keydb_kek **kek,
                      aiotsec_keydb_token **token, int *created);

/* A key-database status as the CLI reports it: CLI_FAIL for the database, the
 * token, memory or a refused record, CLI_USAGE otherwise; the reason printed. */
int cli_keydb_error(const char *what, int rc);

/* Opens what the arguments name (exactly one of --keys and --db), keys prepared
 * with ctx (the ADM's context, which must outlive the store). Prints the reason
 * on failure; CLI_OK, CLI_USAGE (bad options, a file or database that is not
 * there, a wrong KEK) or CLI_FAIL. */
int cli_keystore_open(cli_keystore *ks, const aiotsec_ctx *ctx, const cli_keystore_args *a);

/* A serving thread that goes idle: lets retired prepared keys be freed (--db). */
void cli_keystore_idle(cli_keystore *ks);

/* Wipes and frees everything; the ADM over the table must be freed first. */
void cli_keystore_close(cli_keystore *ks);

#endif
