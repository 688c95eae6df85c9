/* aiotsec derive: RES_AIOT (A.2), K_AIOTF (A.3) and algorithm keys on hex inputs.
 *
 *   aiotsec derive res    KEY --rand-n HEX --rand-d HEX [--json] [--backend NAME]
 *   aiotsec derive kaiotf KEY --rand-n HEX --rand-d HEX [--json] [--backend NAME]
 *   aiotsec derive algkey KAIOTF --type int|enc --alg N [--json] [--backend NAME]
 *
 * KEY is K_AIOT_root and KAIOTF is K_AIOTF, each from one of --key-file PATH,
 * --key-env NAME, "-" on standard input or hex on the command line (--key,
 * --kaiotf): see cli_key_read() in cli.h.
 *
 * Prints the value you ask for, a secret, as hex (or in a JSON object with
 * --json): this is a test-engineering tool. Lengths come from the library's
 * profile (profile 0). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_args.h"

static void help_main(void)
{
    printf("usage: aiotsec derive res|kaiotf|algkey OPTIONS   (aiotsec derive SUB --help)\n"
           "\n"
           "  res     RES_AIOT = XRES_AIOT (A.2) from K_AIOT_root, RAND_AIOT_n, RAND_AIOT_d\n"
           "  kaiotf  K_AIOTF (A.3) from K_AIOT_root, RAND_AIOT_n, RAND_AIOT_d\n"
           "  algkey  the integrity or ciphering key from K_AIOTF\n"
           "\n"
           "The key comes from a file (--key-file PATH), an environment variable\n"
           "(--key-env NAME), standard input (--key - or --kaiotf -) or, visible to\n"
           "other users in ps, the command line (--key HEX or --kaiotf HEX).\n"
           "Prints the derived secret alone as lower-case hex, or with --json in a\n"
           "JSON object: {\"res\":HEX}, {\"kaiotf\":HEX} or {\"type\":..,\"alg\":N,\"algkey\":HEX}.\n"
           "Exit status: 0 success, 1 backend failure, 2 bad input (reason on stderr).\n");
}

/* The key options of a subcommand: opt is "--key" or "--kaiotf". */
static void help_key(const char *opt, const char *what)
{
    char dash[24], hex[24];
    snprintf(dash, sizeof dash, "%s -", opt);
    snprintf(hex, sizeof hex, "%s HEX", opt);
    printf("%s, as hex, from one of (safest first):\n"
           "  --key-file PATH  file PATH holds the hex (blanks and newlines around it ignored)\n"
           "  --key-env NAME   environment variable NAME holds the hex\n"
           "  %-15s  standard input holds the hex\n"
           "  %-15s  the hex itself (other users can see it in ps: avoid)\n",
           what, dash, hex);
}

static void help_rand(const char *sub)
{
    int res = !strcmp(sub, "res");
    printf("usage: aiotsec derive %s (--key-file PATH | --key-env NAME | --key -|HEX)\n"
           "                      --rand-n HEX --rand-d HEX [--json] [--backend NAME]\n"
           "\n"
           "%s\n"
           "\n",
           sub,
           res ? "RES_AIOT = XRES_AIOT (A.2): the last RES-length octets (16 in profile 0) of\n"
                 "KDF(K_AIOT_root, FC 0xA0, RAND_AIOT_n, RAND_AIOT_d). Prints it as hex."
               : "K_AIOTF (A.3): the 128 least significant bits (the last 16 octets) of\n"
                 "KDF(K_AIOT_root, FC 0xA1, RAND_AIOT_n, RAND_AIOT_d). Prints it as 32 hex digits.");
    help_key("--key", "K_AIOT_root (16 or 32 octets)");
    printf("\n"
           "  --rand-n HEX     RAND_AIOT_n, the profile's length (16 octets in profile 0)\n"
           "  --rand-d HEX     RAND_AIOT_d, the profile's length (16 octets in profile 0)\n"
           "  --json           print {\"%s\":\"HEX\"} instead of the bare hex\n"
           "  --backend NAME   crypto backend (see 'aiotsec version'); default: the library's\n",
           sub);
}

static void help_algkey(void)
{
    printf("usage: aiotsec derive algkey (--key-file PATH | --key-env NAME | --kaiotf -|HEX)\n"
           "                             --type int|enc --alg N [--json] [--backend NAME]\n"
           "\n"
           "Algorithm key = KDF(K_AIOTF, FC 0xA2, distinguisher, algorithm identity):\n"
           "the last 16 octets for a 128-bit algorithm (e.g. 2: 128-NIA2 / 128-NEA2),\n"
           "all 32 octets for AIA-HS (integrity identity 8 in profile 0). Prints it as hex.\n"
           "\n");
    help_key("--kaiotf", "K_AIOTF (16 octets, TS 29.369 Kaiotf)");
    printf("\n"
           "  --type int|enc   integrity (distinguisher 0x02) or ciphering (0x01) key\n"
           "  --alg N          algorithm identity 1..15 (decimal or 0x hex); 0 (NIA0/NEA0)\n"
           "                   has no key\n"
           "  --json           print {\"type\":\"int|enc\",\"alg\":N,\"algkey\":\"HEX\"}\n"
           "  --backend NAME   crypto backend (see 'aiotsec version'); default: the library's\n");
}

/* The value as bare hex, or as the last member of a JSON object whose first
 * members (prefix, possibly "") the caller formatted. */
static int print_value(int json, const char *prefix, const char *name, const uint8_t *v, size_t len)
{
    if (!json)
        return cmd_print_hex(v, len);
    static const char digits[] = "0123456789abcdef";
    printf("{%s\"%s\":\"", prefix, name);
    for (size_t i = 0; i < len; i++) {
        putchar(digits[v[i] >> 4]);
        putchar(digits[v[i] & 15]);
    }
    fputs("\"}\n", stdout);
    return cmd_flush();
}

/* res and kaiotf: same inputs, different derivation. */
static int run_rand(int is_res, const cli_key_src *ksrc, const char *rn_hex, const char *rd_hex,
                    const char *backend, int json)
{
    static const cli_key_rule rule = {"--key", "K_AIOT_root", 16, 32, 1};
    uint8_t key[AIOTSEC_KROOT_MAX], rn[AIOTSEC_RAND_RES_MAX], rd[AIOTSEC_RAND_RES_MAX];
    uint8_t out[AIOTSEC_KAIOTF_LEN > AIOTSEC_RAND_RES_MAX ? AIOTSEC_KAIOTF_LEN : AIOTSEC_RAND_RES_MAX];
    size_t key_len = 0, rn_len = 0, rd_len = 0;
    int rc = cli_key_read(ksrc, &rule, key, sizeof key, &key_len);
    if (rc == CLI_OK)
        rc = cmd_hex("--rand-n", rn_hex, rn, 0, sizeof rn, &rn_len);
    if (rc == CLI_OK)
        rc = cmd_hex("--rand-d", rd_hex, rd, 0, sizeof rd, &rd_len);
    aiotsec_ctx *ctx = NULL;
    if (rc == CLI_OK && !(ctx = cli_make_ctx(backend)))
        rc = CLI_USAGE;
    if (rc == CLI_OK && rn_len != aiotsec_derive_rand_n_bytes(ctx))
        rc = cli_usage_error("--rand-n: RAND_AIOT_n must be %zu octets, not %zu",
                             aiotsec_derive_rand_n_bytes(ctx), rn_len);
    if (rc == CLI_OK && rd_len != aiotsec_derive_rand_d_bytes(ctx))
        rc = cli_usage_error("--rand-d: RAND_AIOT_d must be %zu octets, not %zu",
                             aiotsec_derive_rand_d_bytes(ctx), rd_len);
    if (rc == CLI_OK) {
        size_t out_len = is_res ? aiotsec_derive_res_bytes(ctx) : aiotsec_derive_kaiotf_bytes();
        int st = is_res ? aiotsec_derive_res(ctx, key, key_len, rn, rn_len, rd, rd_len, out, sizeof out)
                        : aiotsec_derive_kaiotf(ctx, key, key_len, rn, rn_len, rd, rd_len, out,
                                                sizeof out);
        if (st == AIOTSEC_OK)
            rc = print_value(json, "", is_res ? "res" : "kaiotf", out, out_len);
        else
            rc = cmd_lib_error(is_res ? "derive res" : "derive kaiotf", st);
    }
    aiotsec_ctx_free(ctx);
    aiotsec_wipe(key, sizeof key);
    aiotsec_wipe(out, sizeof out);
    return rc;
}

static int run_algkey(const cli_key_src *ksrc, const char *type_s, const char *alg_s, const char *backend,
                      int json)
{
    /* Any length is checked before decoding: a 32-octet K_AIOTF of version 0.1
     * gets the reason ("must be 16 octets, not 32"), not "too long". */
    const cli_key_rule rule = {"--kaiotf", "K_AIOTF", aiotsec_derive_kaiotf_bytes(), aiotsec_derive_kaiotf_bytes(), 1};
    uint8_t kaiotf[AIOTSEC_KAIOTF_LEN], key[AIOTSEC_ALG_KEY_MAX];
    size_t kaiotf_len = 0, key_len = 0;
    unsigned long alg = 0;
    int type = 0;
    int rc = cli_key_read(ksrc, &rule, kaiotf, sizeof kaiotf, &kaiotf_len);
    if (rc == CLI_OK) {
        if (!strcmp(type_s, "int"))
            type = AIOTSEC_ALG_INT;
        else if (!strcmp(type_s, "enc"))
            type = AIOTSEC_ALG_ENC;
        else
            rc = cli_usage_error("--type: '%s' is neither int nor enc", type_s);
    }
    /* Decimal or 0x hex only: cli_parse_uint (strtoul base 0) would also read
     * "010" as octal 8 (AIA-HS) and skip leading blanks. */
    int plain = alg_s[0] >= '0' && alg_s[0] <= '9' &&
                (alg_s[0] != '0' || alg_s[1] == 0 || alg_s[1] == 'x' || alg_s[1] == 'X');
    if (rc == CLI_OK && (!plain || cli_parse_uint(alg_s, 15, &alg) != 0 || alg == 0))
        rc = cli_usage_error("--alg: '%s' is not an algorithm identity 1..15", alg_s);
    aiotsec_ctx *ctx = NULL;
    if (rc == CLI_OK && !(ctx = cli_make_ctx(backend)))
        rc = CLI_USAGE;
    if (rc == CLI_OK) {
        int st = aiotsec_derive_alg_key(ctx, kaiotf, kaiotf_len, type, (unsigned)alg, key,
                                        sizeof key, &key_len);
        char prefix[48];
        snprintf(prefix, sizeof prefix, "\"type\":\"%s\",\"alg\":%lu,", type_s, alg);
        if (st == AIOTSEC_OK)
            rc = print_value(json, prefix, "algkey", key, key_len);
        else
            rc = cmd_lib_error("derive algkey", st);
    }
    aiotsec_ctx_free(ctx);
    aiotsec_wipe(kaiotf, sizeof kaiotf);
    aiotsec_wipe(key, sizeof key);
    return rc;
}

/* The options of a command that takes a key (key_opt, or --key-file / --key-env)
 * and two required options, opts[0] and opts[1]: CLI_OK, CMD_HELP or a usage
 * error. The key is checked first (its reason names every way to give it),
 * then the two others. */
static int parse_keyed(int argc, char **argv, cmd_opt *opts, size_t n_opts, const cli_key_src *ksrc,
                       const char *key_opt)
{
    int rc = cmd_parse_opts(argc, argv, opts, n_opts);
    if (rc == CLI_OK && !cli_key_given(ksrc))
        rc = cli_usage_error("missing option %s (or --key-file PATH, --key-env NAME)", key_opt);
    for (size_t i = 0; rc == CLI_OK && i < 2; i++)
        rc = cmd_require(&opts[i]);
    return rc;
}

static int cmd_rand(int is_res, int argc, char **argv)
{
    const char *rn = NULL, *rd = NULL, *backend = NULL;
    cli_key_src ksrc = {NULL, NULL, NULL};
    cmd_opt opts[] = {
        {"--rand-n", &rn, 1, 0},
        {"--rand-d", &rd, 1, 0},
        {"--key", &ksrc.hex, 1, 0},
        CLI_KEY_OPTS(ksrc),
        {"--backend", &backend, 1, 0},
        {"--json", NULL, 1, 0},
    };
    size_t n_opts = sizeof opts / sizeof opts[0];
    int rc = parse_keyed(argc, argv, opts, n_opts, &ksrc, "--key");
    if (rc == CMD_HELP)
        return help_rand(is_res ? "res" : "kaiotf"), CLI_OK;
    return rc == CLI_OK ? run_rand(is_res, &ksrc, rn, rd, backend, opts[n_opts - 1].count != 0) : rc;
}

static int cmd_algkey(int argc, char **argv)
{
    const char *type = NULL, *alg = NULL, *backend = NULL;
    cli_key_src ksrc = {NULL, NULL, NULL};
    cmd_opt opts[] = {
        {"--type", &type, 1, 0},
        {"--alg", &alg, 1, 0},
        {"--kaiotf", &ksrc.hex, 1, 0},
        CLI_KEY_OPTS(ksrc),
        {"--backend", &backend, 1, 0},
        {"--json", NULL, 1, 0},
    };
    size_t n_opts = sizeof opts / sizeof opts[0];
    int rc = parse_keyed(argc, argv, opts, n_opts, &ksrc, "--kaiotf");
    if (rc == CMD_HELP)
        return help_algkey(), CLI_OK;
    return rc == CLI_OK ? run_algkey(&ksrc, type, alg, backend, opts[n_opts - 1].count != 0) : rc;
}

int cli_cmd_derive(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("derive: missing what to derive: res, kaiotf or algkey "
                               "(try aiotsec derive --help)");
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h"))
        return help_main(), CLI_OK;
    if (!strcmp(sub, "res"))
        return cmd_rand(1, argc - 2, argv + 2);
    if (!strcmp(sub, "kaiotf"))
        return cmd_rand(0, argc - 2, argv + 2);
    if (!strcmp(sub, "algkey"))
        return cmd_algkey(argc - 2, argv + 2);
    return cli_usage_error("derive: unknown '%s' (res, kaiotf or algkey)", sub);
}
