/* aiotsec keys init|import|add|rekey|revoke|list|count|verify|rotate|retire-kek:
 * the ADM's key database (libaiotsec-keydb) from the command line. The key of
 * add and rekey comes from standard input, --key-file or --key-env, read by
 * cli_key_read() (read(2) into a buffer wiped after use: no stdio buffer keeps
 * it); no command prints a key. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_keys.h"
#include "keystore_open.h"

typedef struct keys_args {
    cli_keystore_args ka;
    const char *batch, *filter, *map_size, *new_kek_file, *new_kek_env, *backend;
    cli_key_src key; /* add, rekey: --key-file, --key-env (standard input when neither) */
    const char *pos[2];
    size_t n_pos;
} keys_args;

static void help(FILE *out)
{
    fprintf(out, "usage: aiotsec keys COMMAND --db DIR [CUSTODY] [OPTIONS] [ARGS]\n\n"
           "  init                    make the database; with --kek-file a new random KEK is\n"
           "                          written there (mode 0600) when the file does not exist\n"
           "  import KEYFILE|-        add every device of a key file (Permanent Identifier,\n"
           "                          K_AIOT_root, hex), committing every --batch N (10000; 0:\n"
           "                          all or nothing); prints how many were imported\n"
           "  add PERM_ID_HEX         add one device; its K_AIOT_root (hex) from KEY\n"
           "  rekey PERM_ID_HEX       a device's new K_AIOT_root (hex) from KEY\n"
           "  revoke PERM_ID_HEX      remove a device (its next request is refused at once)\n"
           "  list [--filter HEX]     Permanent Identifiers, one a line (an AiotFilteringInformation\n"
           "                          in hex selects a group); needs no custody\n"
           "  count                   number of devices; needs no custody\n"
           "  verify                  unseal every record (or find its token object); prints each\n"
           "                          refused device; exit 1 if any\n"
           "  rotate [--new-kek-file F | --new-kek-env V] [--batch N]\n"
           "                          re-seal every record under a fresh data key, also wrapped\n"
           "                          under the new KEK (created in F when missing); readers go on\n"
           "  retire-kek              (with the new KEK) remove the wraps of every other KEK\n\n"
           "CUSTODY: --kek-file F | --kek-env V |\n"
           "         --pkcs11-module SO --pkcs11-token LABEL --pkcs11-pin-env V\n"
           "KEY:     --key-file PATH (a file holds the hex), --key-env NAME (an environment\n"
           "         variable holds it) or, without either, standard input; blanks and\n"
           "         newlines around the hex are ignored.\n"
           "init also takes --map-size BYTES (the largest data file; default 64 GiB, sparse).\n"
           "Exit status: 0 success, 1 a failed check or operation, 2 bad input.\n");
}

/* Options take a value ("--name V" or "--name=V"); up to two arguments besides. */
static int parse(int argc, char **argv, keys_args *k)
{
    memset(k, 0, sizeof *k);
    cmd_opt opts[] = {
        {"--db", &k->ka.db, 1, 0},
        {"--kek-file", &k->ka.kek_file, 1, 0},
        {"--kek-env", &k->ka.kek_env, 1, 0},
        {"--pkcs11-module", &k->ka.pkcs11_module, 1, 0},
        {"--pkcs11-token", &k->ka.pkcs11_token, 1, 0},
        {"--pkcs11-pin-env", &k->ka.pkcs11_pin_env, 1, 0},
        {"--batch", &k->batch, 1, 0},
        {"--filter", &k->filter, 1, 0},
        {"--map-size", &k->map_size, 1, 0},
        {"--new-kek-file", &k->new_kek_file, 1, 0},
        {"--new-kek-env", &k->new_kek_env, 1, 0},
        {"--backend", &k->backend, 1, 0},
        {"--key-file", &k->key.file, 1, 0},
        {"--key-env", &k->key.env, 1, 0},
    };
    return cmd_parse_args(argc, argv, opts, sizeof opts / sizeof opts[0], k->pos, 2, &k->n_pos);
}

/* A Permanent Identifier argument. */
static int perm_arg(const keys_args *k, uint8_t perm[AIOTSEC_ID_MAX], size_t *len)
{
    if (k->n_pos != 1)
        return cli_usage_error("give one Permanent Identifier (hex)");
    return cmd_hex("Permanent Identifier", k->pos[0], perm, 1, AIOTSEC_ID_MAX, len);
}

/* K_AIOT_root of add and rekey: --key-file, --key-env or (neither) standard input. */
static int read_key(const keys_args *k, uint8_t key[AIOTSEC_KROOT_MAX], size_t *len)
{
    static const cli_key_rule rule = {"standard input", "K_AIOT_root", 16, 32, 1};
    cli_key_src src = k->key;
    if (!src.file && !src.env)
        src.hex = "-";
    return cli_key_read(&src, &rule, key, AIOTSEC_KROOT_MAX, len);
}

static int print_id(void *arg, const uint8_t *perm, size_t len, size_t key_len)
{
    (void)arg;
    (void)key_len;
    cli_print_hex(perm, len);
    return 0;
}

static void print_bad(void *arg, const uint8_t *perm, size_t len, int status)
{
    char hex[2 * AIOTSEC_ID_MAX + 1];
    cli_to_hex(perm, len, hex);
    fprintf(stderr, "aiotsec: device %s: %s\n", hex, aiotsec_keydb_strerror(status));
    printf("%s\n", hex);
    (*(size_t *)arg)++;
}

static int number(const char *opt, const char *v, unsigned long max, unsigned long def, unsigned long *out)
{
    *out = def;
    if (v && cli_parse_uint(v, max, out) != 0)
        return cli_usage_error("%s: a number up to %lu", opt, max);
    return CLI_OK;
}

static int do_init(const keys_args *k)
{
    aiotsec_keydb_kek *kek = NULL;
    aiotsec_keydb_token *tok = NULL;
    int created = 0;
    unsigned long map = 0;
    int rc = number("--map-size", k->map_size, (unsigned long)-1, 0, &map);
    if (rc == CLI_OK)
        rc = cli_keydb_custody(&k->ka, 1, &kek, &tok, &created);
    if (rc == CLI_OK && !kek && !tok)
        rc = cli_usage_error("init needs a custody: --kek-file, --kek-env or the --pkcs11-* options");
    if (rc == CLI_OK) {
        aiotsec_keydb_options o;
        aiotsec_keydb_options_init(&o);
        o.kek = kek;
        o.token = tok;
        o.map_size = map;
        int lrc = aiotsec_keydb_init(k->ka.db, &o);
        if (lrc != AIOTSEC_OK)
            rc = cli_keydb_error(k->ka.db, lrc);
        else if (created)
            fprintf(stderr, "aiotsec: new KEK written to %s (mode 0600): keep a copy somewhere safe\n",
                    k->ka.kek_file);
    }
    aiotsec_keydb_kek_free(kek);
    aiotsec_keydb_token_close(tok);
    return rc;
}

/* Opens the database with the custody options (required unless `optional`). */
static int open_db(const keys_args *k, const aiotsec_ctx *ctx, int optional, aiotsec_keydb **db,
                   aiotsec_keydb_token **tok)
{
    aiotsec_keydb_kek *kek = NULL;
    int rc = cli_keydb_custody(&k->ka, 0, &kek, tok, NULL);
    if (rc == CLI_OK && !optional && !kek && !*tok)
        rc = cli_usage_error("this needs the database's custody: --kek-file, --kek-env or the --pkcs11-* options");
    if (rc == CLI_OK) {
        aiotsec_keydb_options o;
        aiotsec_keydb_options_init(&o);
        o.kek = kek;
        o.token = *tok;
        o.ctx = ctx;
        o.cache_entries = 0; /* one-shot commands: nothing worth caching */
        int lrc = aiotsec_keydb_open(db, k->ka.db, &o);
        if (lrc != AIOTSEC_OK)
            rc = cli_keydb_error(k->ka.db, lrc);
    }
    aiotsec_keydb_kek_free(kek);
    return rc;
}

static int do_import(const keys_args *k, aiotsec_keydb *db)
{
    if (k->n_pos != 1)
        return cli_usage_error("give one key file, or - for standard input");
    unsigned long batch = 0;
    int rc = number("--batch", k->batch, 1ul << 30, 10000, &batch);
    if (rc != CLI_OK)
        return rc;
    const char *path = strcmp(k->pos[0], "-") ? k->pos[0] : "/dev/stdin";
    size_t imported = 0, line = 0;
    int lrc = aiotsec_keydb_import_file(db, path, batch, NULL, NULL, &imported, &line);
    if (lrc == AIOTSEC_OK) {
        printf("%zu\n", imported);
        return cmd_flush();
    }
    fprintf(stderr, "aiotsec: %zu devices were imported before the error\n", imported);
    if (line)
        return cli_usage_error("%s:%zu: %s", k->pos[0], line, aiotsec_keydb_strerror(lrc));
    return cli_keydb_error(k->pos[0], lrc);
}

static int do_change(const keys_args *k, aiotsec_keydb *db, const char *cmd)
{
    uint8_t perm[AIOTSEC_ID_MAX], key[AIOTSEC_KROOT_MAX];
    size_t pl = 0, kl = 0;
    int rc = perm_arg(k, perm, &pl);
    if (rc != CLI_OK)
        return rc;
    if (!strcmp(cmd, "revoke")) {
        int lrc = aiotsec_keydb_revoke(db, perm, pl);
        return lrc == AIOTSEC_OK ? CLI_OK : cli_keydb_error(k->pos[0], lrc);
    }
    rc = read_key(k, key, &kl);
    if (rc == CLI_OK) {
        int lrc = !strcmp(cmd, "add") ? aiotsec_keydb_add(db, perm, pl, key, kl)
                                      : aiotsec_keydb_rekey(db, perm, pl, key, kl);
        if (lrc != AIOTSEC_OK)
            rc = cli_keydb_error(k->pos[0], lrc);
    }
    aiotsec_wipe(key, sizeof key);
    return rc;
}

static int do_list(const keys_args *k, aiotsec_keydb *db)
{
    uint8_t filter[AIOTSEC_FILTER_MAX];
    size_t fl = 0;
    if (k->filter) {
        int rc = cmd_hex("--filter", k->filter, filter, 1, sizeof filter, &fl);
        if (rc != CLI_OK)
            return rc;
    }
    int lrc = aiotsec_keydb_list(db, k->filter ? filter : NULL, fl, print_id, NULL);
    return lrc == AIOTSEC_OK ? cmd_flush() : cli_keydb_error("list", lrc);
}

static int do_verify(aiotsec_keydb *db)
{
    size_t checked = 0, bad = 0, named = 0;
    int lrc = aiotsec_keydb_verify(db, print_bad, &named, &checked, &bad);
    if (lrc != AIOTSEC_OK)
        return cli_keydb_error("verify", lrc);
    fprintf(stderr, "aiotsec: %zu records checked, %zu refused\n", checked, bad);
    int rc = cmd_flush();
    return rc != CLI_OK ? rc : bad ? CLI_FAIL : CLI_OK;
}

static int do_rotate(const keys_args *k, aiotsec_keydb *db)
{
    unsigned long batch = 0;
    int rc = number("--batch", k->batch, 1ul << 30, 1000, &batch);
    if (rc != CLI_OK)
        return rc;
    if (k->new_kek_file && k->new_kek_env)
        return cli_usage_error("give one of --new-kek-file and --new-kek-env");
    aiotsec_keydb_kek *next = NULL;
    int lrc = AIOTSEC_OK;
    if (k->new_kek_file) {
        lrc = aiotsec_keydb_kek_from_file(&next, k->new_kek_file);
        if (lrc == AIOTSEC_E_IO) {
            lrc = aiotsec_keydb_kek_create_file(&next, k->new_kek_file);
            if (lrc == AIOTSEC_OK)
                fprintf(stderr, "aiotsec: new KEK written to %s (mode 0600)\n", k->new_kek_file);
        }
    } else if (k->new_kek_env) {
        lrc = aiotsec_keydb_kek_from_env(&next, k->new_kek_env);
    }
    if (lrc != AIOTSEC_OK)
        return cli_keydb_error(k->new_kek_file ? k->new_kek_file : k->new_kek_env, lrc);
    size_t resealed = 0;
    lrc = aiotsec_keydb_rotate(db, next, batch, NULL, NULL, &resealed);
    aiotsec_keydb_kek_free(next);
    if (lrc != AIOTSEC_OK) {
        fprintf(stderr, "aiotsec: %zu records re-sealed before the error; run rotate again to finish\n",
                resealed);
        return cli_keydb_error("rotate", lrc);
    }
    printf("%zu\n", resealed);
    return cmd_flush();
}

int cli_cmd_keys(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
        return argc < 2 ? (help(stderr), CLI_USAGE) : (help(stdout), CLI_OK);
    const char *cmd = argv[1];
    static const char *const known[] = {"init",  "import", "add",    "rekey",  "revoke",    "list",
                                        "count", "verify", "rotate", "retire-kek"};
    size_t which = 0;
    while (which < sizeof known / sizeof known[0] && strcmp(cmd, known[which]))
        which++;
    if (which == sizeof known / sizeof known[0])
        return cli_usage_error("keys: unknown command '%s' (try aiotsec keys --help)", cmd);
    keys_args k;
    int rc = parse(argc - 2, argv + 2, &k);
    if (rc == CMD_HELP)
        return help(stdout), CLI_OK;
    if (rc != CLI_OK)
        return rc;
    if (!k.ka.db)
        return cli_usage_error("missing option --db");
    if ((k.key.file || k.key.env) && strcmp(cmd, "add") && strcmp(cmd, "rekey"))
        return cli_usage_error("keys %s: --key-file and --key-env go with add and rekey", cmd);
    if (!strcmp(cmd, "init"))
        return k.n_pos ? cli_usage_error("init takes no argument") : do_init(&k);
    aiotsec_ctx *ctx = cli_make_ctx(k.backend);
    if (!ctx)
        return CLI_USAGE;
    int ids_only = !strcmp(cmd, "list") || !strcmp(cmd, "count");
    aiotsec_keydb *db = NULL;
    aiotsec_keydb_token *tok = NULL;
    rc = open_db(&k, ctx, ids_only, &db, &tok);
    if (rc == CLI_OK) {
        if (!strcmp(cmd, "import")) {
            rc = do_import(&k, db);
        } else if (!strcmp(cmd, "add") || !strcmp(cmd, "rekey") || !strcmp(cmd, "revoke")) {
            rc = do_change(&k, db, cmd);
        } else if (!strcmp(cmd, "list")) {
            rc = do_list(&k, db);
        } else if (!strcmp(cmd, "count")) {
            size_t n = 0;
            int lrc = aiotsec_keydb_count(db, &n);
            rc = lrc != AIOTSEC_OK ? cli_keydb_error("count", lrc) : (printf("%zu\n", n), cmd_flush());
        } else if (!strcmp(cmd, "verify")) {
            rc = do_verify(db);
        } else if (!strcmp(cmd, "rotate")) {
            rc = do_rotate(&k, db);
        } else {
            size_t removed = 0;
            int lrc = aiotsec_keydb_retire_keks(db, &removed);
            rc = lrc != AIOTSEC_OK ? cli_keydb_error("retire-kek", lrc) : (printf("%zu\n", removed), cmd_flush());
        }
    }
    aiotsec_keydb_close(db);
    aiotsec_keydb_token_close(tok);
    aiotsec_ctx_free(ctx);
    return rc;
}
