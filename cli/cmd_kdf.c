/* aiotsec kdf: the TS 33.220 Annex B.2 generic KDF on hex inputs.
 *
 *   aiotsec kdf (--key-file PATH | --key-env NAME | --key -|HEX) --fc HEX [--param HEX]...
 *               [--backend NAME]
 *
 * Prints the 32-octet output as 64 hex digits. Parameters are given in order
 * P0, P1, ...; each may be empty ("") and up to 65535 octets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_args.h"

/* A KDF key of any practical length is legal HMAC input; 65535 only bounds the buffer. */
#define KDF_KEY_MAX 65535u

static void help(void)
{
    printf("usage: aiotsec kdf (--key-file PATH | --key-env NAME | --key -|HEX) --fc HEX\n"
           "                   [--param HEX]... [--backend NAME]\n"
           "\n"
           "TS 33.220 Annex B.2 generic KDF:\n"
           "  S = FC || P0 || L0 || ... || Pn || Ln,  output = HMAC-SHA-256(key, S)\n"
           "Prints the 32-octet output as 64 lower-case hex digits.\n"
           "\n"
           "The key, 1..65535 octets as hex, from one of (safest first):\n"
           "  --key-file PATH  file PATH holds the hex (blanks and newlines around it ignored)\n"
           "  --key-env NAME   environment variable NAME holds the hex\n"
           "  --key -          standard input holds the hex\n"
           "  --key HEX        the hex itself (other users can see it in ps: avoid)\n"
           "\n"
           "  --fc HEX         FC: one octet 00..fe, or two octets ff00..ffff (0xFF || FC2)\n"
           "  --param HEX      the next parameter Pi, 0..65535 octets (\"\" is an empty Pi);\n"
           "                   repeat for P0, P1, ... in order; none at all is allowed\n"
           "  --backend NAME   crypto backend (see 'aiotsec version'); default: the library's\n"
           "\n"
           "Exit status: 0 success, 1 backend failure, 2 bad input (reason on stderr).\n");
}

/* FC as the library encodes it: 0x00..0xFE, or 0xFF00..0xFFFF. */
static int parse_fc(const char *hex, uint16_t *fc)
{
    uint8_t b[2];
    size_t n = 0;
    int rc = cmd_hex("--fc", hex, b, 1, 2, &n);
    if (rc != CLI_OK)
        return rc;
    if (n == 1 && b[0] == 0xFF)
        return cli_usage_error("--fc: ff alone is not an FC (two-octet FCs are ff||FC2)");
    if (n == 2 && b[0] != 0xFF)
        return cli_usage_error("--fc: a two-octet FC must start with ff");
    *fc = n == 1 ? b[0] : (uint16_t)(0xFF00u | b[1]);
    return CLI_OK;
}

/* Decodes every --param into one allocation; fills params[]. */
static int parse_params(const char **hex, size_t n, aiotsec_kdf_param *params, uint8_t **store)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += strlen(hex[i]) / 2;
    *store = malloc(total ? total : 1);
    if (!*store)
        return cli_fail("out of memory");
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "--param #%zu", i + 1);
        size_t len = 0;
        int rc = cmd_hex(name, hex[i], *store + off, 0, AIOTSEC_KDF_PARAM_MAX, &len);
        if (rc != CLI_OK)
            return rc;
        params[i].data = *store + off;
        params[i].len = len;
        off += len;
    }
    return CLI_OK;
}

static int run(const cli_key_src *ksrc, const char *fc_hex, const char **param_hex, size_t n_params,
               const char *backend, aiotsec_kdf_param *params, uint8_t **store, uint8_t *key)
{
    static const cli_key_rule rule = {"--key", "the KDF key", 1, KDF_KEY_MAX, 0};
    uint16_t fc = 0;
    int rc = parse_fc(fc_hex, &fc);
    if (rc != CLI_OK)
        return rc;
    size_t key_len = 0;
    rc = cli_key_read(ksrc, &rule, key, KDF_KEY_MAX, &key_len);
    if (rc != CLI_OK)
        return rc;
    rc = parse_params(param_hex, n_params, params, store);
    if (rc != CLI_OK)
        return rc;

    aiotsec_ctx *ctx = cli_make_ctx(backend);
    if (!ctx)
        return CLI_USAGE;
    uint8_t out[AIOTSEC_KDF_OUT_LEN];
    int st = aiotsec_kdf(ctx, key, key_len, fc, params, n_params, out, sizeof out);
    aiotsec_ctx_free(ctx);
    rc = st == AIOTSEC_OK ? cmd_print_hex(out, sizeof out) : cmd_lib_error("kdf", st);
    aiotsec_wipe(out, sizeof out); /* on every path: a failing backend may have written part of it */
    return rc;
}

int cli_cmd_kdf(int argc, char **argv)
{
    /* Every --param needs its own argv slot, so argc bounds their number. */
    size_t max_params = argc > 0 ? (size_t)argc : 1;
    const char **param_hex = calloc(max_params, sizeof *param_hex);
    aiotsec_kdf_param *params = calloc(max_params, sizeof *params);
    /* The key's buffer: the largest key, wiped whole at the end. */
    uint8_t *key = malloc(KDF_KEY_MAX);
    if (!param_hex || !params || !key) {
        free(param_hex);
        free(params);
        free(key);
        return cli_fail("out of memory");
    }
    const char *fc_hex = NULL, *backend = NULL;
    cli_key_src ksrc = {NULL, NULL, NULL};
    cmd_opt opts[] = {
        {"--fc", &fc_hex, 1, 0},
        {"--param", param_hex, max_params, 0},
        {"--key", &ksrc.hex, 1, 0},
        CLI_KEY_OPTS(ksrc),
        {"--backend", &backend, 1, 0},
    };
    int rc = cmd_parse_opts(argc - 1, argv + 1, opts, sizeof opts / sizeof opts[0]);
    uint8_t *store = NULL;
    if (rc == CMD_HELP) {
        help();
        rc = CLI_OK;
    } else if (rc == CLI_OK && !cli_key_given(&ksrc)) {
        rc = cli_usage_error("missing option --key (or --key-file PATH, --key-env NAME)");
    } else if (rc == CLI_OK && (rc = cmd_require(&opts[0])) == CLI_OK) {
        rc = run(&ksrc, fc_hex, param_hex, opts[1].count, backend, params, &store, key);
    }
    aiotsec_wipe(key, KDF_KEY_MAX);
    free(key);
    if (store) {
        /* Parameters can be secret too (RAND values, identities): wipe them all. */
        size_t total = 0;
        for (size_t i = 0; i < opts[1].count; i++)
            total += strlen(param_hex[i]) / 2;
        aiotsec_wipe(store, total);
        free(store);
    }
    free(param_hex);
    free(params);
    return rc;
}
