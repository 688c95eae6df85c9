/* aiotsec adm: one Nadm_Sec operation of an ADM over a key file or the key
 * database, as the SBI would answer it (TS 29.369 v19.2.0 bodies, libaiotsec-sbi).
 * (`aiotsec adm serve`, the ADM over HTTP/2, is cmd_serve.c.)
 *
 *   aiotsec adm get-rand|get-authentication|get-session-key|get-tid
 *               --keys FILE | --db DIR (custody options) [--backend NAME] [--max-derivations N]
 *
 * Reads the request body on stdin (none for get-rand) and prints the response
 * body on stdout: exit 0 for a success, 1 for a ProblemDetails (its `status` is
 * the HTTP status the SBI would send), 2 for unusable input (a body that is not
 * JSON at all, an unreadable or malformed key file, bad options), with one line
 * on stderr. The getAuthentication and getSessionKey responses hold XRES_AIOT
 * and K_AIOTF: printing them is this command's job; nothing else is printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/sbi.h"
#include "cli.h"
#include "cmd_args.h"
#include "keystore_open.h"

int cli_cmd_adm(int argc, char **argv);

#define DERIVATIONS_MAX (1ul << 24) /* the ADM's own bound (adm.h) */

static void help(void)
{
    printf("usage: aiotsec adm OPERATION (--keys FILE | --db DIR ...) [--backend NAME] [--max-derivations N]\n"
           "       aiotsec adm serve ...   (the ADM over HTTP/2: aiotsec adm serve --help)\n"
           "\n"
           "Answers one Nadm_Sec request (TS 29.369 v19.2.0) the way an ADM behind the SBI does.\n"
           "The request body is read on stdin (get-rand takes none); the response body is\n"
           "printed on stdout.\n"
           "\n"
           "  OPERATION              get-rand, get-authentication, get-session-key or get-tid\n"
           CLI_KEYSTORE_HELP
           "                         (a key file: one device a line, 'PERM_ID_HEX K_AIOT_ROOT_HEX',\n"
           "                         '#' starts a comment; not '-': stdin carries the request)\n"
           "  --backend NAME         crypto backend (see 'aiotsec version'); default: the library's\n"
           "  --max-derivations N    largest |candidates| x |randDlist| (default 65536; 1..16777216)\n"
           "\n"
           "Example:\n"
           "  echo '{\"filteringInfo\":\"CKE=\",\"randN\":\"<32 hex>\",\"randDlist\":[\"<32 hex>\"]}' |\n"
           "    aiotsec adm get-authentication --keys keys.txt\n"
           "\n"
           "Exit status: 0 a success body; 1 a ProblemDetails body (its status is the HTTP\n"
           "status: 400 malformed, 404 unknown device or no candidate, 413 too many\n"
           "derivations or body too large, 500 other); 2 unusable input (the body is not\n"
           "JSON at all, the key file cannot be read or has a bad line), reason on stderr.\n");
}

/* Reads stdin up to limit octets (one more than a handler accepts is enough for it
 * to answer 413). Returns 0, or -1 when stdin cannot be read or memory runs out. */
static int read_stdin(size_t limit, char **out, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -1;
    while (n < limit) {
        if (n == cap) {
            size_t bigger = cap * 2 < limit ? cap * 2 : limit;
            char *p = realloc(buf, bigger);
            if (!p) {
                free(buf);
                return -1;
            }
            buf = p;
            cap = bigger;
        }
        size_t want = cap - n < limit - n ? cap - n : limit - n;
        size_t got = fread(buf + n, 1, want, stdin);
        n += got;
        if (got < want) {
            if (ferror(stdin)) {
                free(buf);
                return -1;
            }
            break; /* end of input */
        }
    }
    *out = buf;
    *len = n;
    return 0;
}

/* Why a body the handler refused as not JSON was refused (re-parsed: the handler keeps
 * only the response). */
static int not_json(int op, const char *body, size_t len)
{
    aiotsec_sbi_request *p = NULL;
    const aiotsec_adm_request *req = NULL;
    const char *reason = "not JSON";
    if (aiotsec_sbi_request_new(&p, 1) == AIOTSEC_OK &&
        aiotsec_sbi_request_parse(p, op, body, len, &req) == AIOTSEC_E_PARSE)
        (void)aiotsec_sbi_request_error(p, NULL, NULL, NULL, &reason);
    int rc = cli_usage_error("adm: the request body is not JSON: %s", reason);
    aiotsec_sbi_request_free(p);
    return rc;
}

static int run(int op, const cli_keystore_args *ka, const char *backend, const char *max_s)
{
    unsigned long max = 0;
    if (max_s && (cli_parse_uint(max_s, DERIVATIONS_MAX, &max) != 0 || max == 0))
        return cli_usage_error("--max-derivations: '%s' is not a number 1..%lu", max_s, DERIVATIONS_MAX);
    aiotsec_ctx *ctx = cli_make_ctx(backend);
    if (!ctx)
        return CLI_USAGE;
    cli_keystore ks;
    memset(&ks, 0, sizeof ks);
    aiotsec_adm *adm = NULL;
    aiotsec_sbi_handler *h = NULL;
    char *body = NULL;
    size_t len = 0;
    int opened = cli_keystore_open(&ks, ctx, ka); /* prints its reason */
    int rc = opened;
    if (rc == CLI_OK) {
        aiotsec_adm_config cfg;
        int st = aiotsec_adm_config_init(&cfg, ctx);
        if (st == AIOTSEC_OK && max)
            cfg.max_derivations = (uint32_t)max;
        if (st == AIOTSEC_OK)
            st = aiotsec_adm_new(&adm, ctx, &ks.table, &cfg);
        if (st == AIOTSEC_OK)
            st = aiotsec_sbi_handler_new(&h, adm, 0);
        if (st != AIOTSEC_OK)
            rc = cmd_lib_error("adm", st);
    }
    if (rc == CLI_OK && op != AIOTSEC_ADM_GET_RAND && read_stdin(AIOTSEC_SBI_BODY_DEFAULT + 1u, &body, &len) != 0)
        rc = cli_usage_error("adm: cannot read the request body on stdin");
    if (rc == CLI_OK) {
        int http = 0, status = AIOTSEC_OK;
        const char *resp = NULL;
        size_t resp_len = 0;
        int st = aiotsec_sbi_handle(h, op, body, len, &http, &resp, &resp_len);
        if (st == AIOTSEC_OK)
            st = aiotsec_sbi_handler_last_status(h, &status);
        if (st != AIOTSEC_OK) {
            rc = cmd_lib_error("adm", st);
        } else if (status == AIOTSEC_E_PARSE) {
            rc = not_json(op, body, len);
        } else {
            fwrite(resp, 1, resp_len, stdout);
            putchar('\n');
            rc = cmd_flush();
            if (rc == CLI_OK && (http < 200 || http > 299))
                rc = CLI_FAIL;
        }
    }
    free(body);
    aiotsec_sbi_handler_free(h); /* wipes the response (XRES_AIOT, K_AIOTF) */
    aiotsec_adm_free(adm);
    if (opened == CLI_OK)
        cli_keystore_close(&ks);
    aiotsec_ctx_free(ctx);
    return rc;
}

int cli_cmd_adm(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("adm: missing the operation: get-rand, get-authentication, get-session-key "
                               "or get-tid (try aiotsec adm --help)");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return help(), CLI_OK;
    char path[32];
    int op = 0;
    int n = snprintf(path, sizeof path, "/%s", argv[1]);
    if (n < 0 || (size_t)n >= sizeof path || aiotsec_sbi_op_from_path(path, (size_t)n, &op) != AIOTSEC_OK ||
        strchr(argv[1], '/'))
        return cli_usage_error("adm: unknown operation '%.40s' (get-rand, get-authentication, get-session-key "
                               "or get-tid)",
                               argv[1]);
    const char *backend = NULL, *max = NULL;
    cli_keystore_args ka;
    memset(&ka, 0, sizeof ka);
    cmd_opt opts[] = {
        CLI_KEYSTORE_OPTS(ka),
        {"--backend", &backend, 1, 0},
        {"--max-derivations", &max, 1, 0},
    };
    int rc = cmd_parse_opts(argc - 2, argv + 2, opts, sizeof opts / sizeof opts[0]);
    if (rc == CMD_HELP)
        return help(), CLI_OK;
    if (rc == CLI_OK && ka.keys && !strcmp(ka.keys, "-"))
        rc = cli_usage_error("adm: --keys - is not possible here: stdin carries the request body");
    return rc == CLI_OK ? run(op, &ka, backend, max) : rc;
}
