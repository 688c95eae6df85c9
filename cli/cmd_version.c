/* aiotsec version: the loaded library's version and the built-in backends.
 *
 *   aiotsec version [--backend NAME]
 *
 * Line 1: the version alone ("0.1.0"); line 2: "backends: NAME NAME ...";
 * line 3: "default: NAME"; then one "NAME: capability ..." line per backend, or
 * only for NAME with --backend (exit 2 when NAME is not built in). Scripts
 * (tests/cli/crosscheck.py) read line 2 to know which backends to test. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_args.h"

static void help(void)
{
    printf("usage: aiotsec version [--backend NAME]\n"
           "\n"
           "Prints the version of the loaded library, the built-in crypto backends\n"
           "the default one, and what each one provides:\n"
           "  0.1.0\n"
           "  backends: sodium openssl native\n"
           "  default: sodium\n"
           "  sodium: hmac-sha256 random aes128\n"
           "  ...\n"
           "  --backend NAME  show only that backend (exit 2 if it is not built in)\n");
}

static void print_caps(const char *name, uint32_t caps)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } bits[] = {
        {AIOTSEC_CAP_HMAC_SHA256, "hmac-sha256"},
        {AIOTSEC_CAP_RANDOM, "random"},
        {AIOTSEC_CAP_AES128, "aes128"},
        {AIOTSEC_CAP_HMAC_BATCH, "hmac-batch"},
    };
    printf("%s:", name);
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (caps & bits[i].bit)
            printf(" %s", bits[i].name);
    putchar('\n');
}

static int show_backend(const char *name)
{
    const aiotsec_backend *be = NULL;
    int st = aiotsec_backend_find(name, &be);
    if (st != AIOTSEC_OK)
        return cli_usage_error("backend '%s': %s", name, aiotsec_strerror(st));
    print_caps(be->name, aiotsec_backend_caps(be));
    return CLI_OK;
}

int cli_cmd_version(int argc, char **argv)
{
    const char *backend = NULL;
    cmd_opt opts[] = {{"--backend", &backend, 1, 0}};
    int rc = cmd_parse_opts(argc - 1, argv + 1, opts, 1);
    if (rc == CMD_HELP)
        return help(), CLI_OK;
    if (rc != CLI_OK)
        return rc;
    /* Check --backend before printing anything: bad input leaves stdout empty. */
    const aiotsec_backend *be = NULL;
    if (backend && (rc = aiotsec_backend_find(backend, &be)) != AIOTSEC_OK)
        return cli_usage_error("backend '%s': %s", backend, aiotsec_strerror(rc));

    printf("%s\n", aiotsec_version_string());
    size_t n = aiotsec_backend_count();
    printf("backends:");
    for (size_t i = 0; i < n; i++)
        printf(" %s", aiotsec_backend_name_at(i));
    putchar('\n');
    const aiotsec_backend *def = NULL;
    if (aiotsec_backend_find(NULL, &def) == AIOTSEC_OK)
        printf("default: %s\n", def->name);
    if (backend)
        rc = show_backend(backend);
    for (size_t i = 0; !backend && rc == CLI_OK && i < n; i++)
        rc = show_backend(aiotsec_backend_name_at(i));
    return rc == CLI_OK ? cmd_flush() : rc;
}
