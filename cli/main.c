/* aiotsec: the command line front end. Dispatches to one function per command. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#include "cmd_keys.h" /* cli_cmd_keys */

static const struct {
    const char *name;
    cli_command_fn fn;
    const char *summary;
} commands[] = {
    {"kdf", cli_cmd_kdf, "TS 33.220 generic KDF"},
    {"derive", cli_cmd_derive, "RES_AIOT, K_AIOTF or an algorithm key (prints the secret you ask for)"},
    {"nas", cli_cmd_nas, "AIOT NAS encode, decode, protect, unprotect"},
    {"demo", cli_cmd_demo, "the authentication procedure end to end, with attacks"},
    {"bench", cli_cmd_bench, "benchmark of the per-inventory hot path"},
    {"adm", cli_cmd_adm, "an ADM's Nadm_Sec operation: TS 29.369 request body in, response out"},
    {"inventory", cli_cmd_inventory, "a group inventory driven against a remote ADM over HTTP/2 (simulated tags)"},
    {"keys", cli_cmd_keys, "the key database: init, import, add, rekey, revoke, list, count, verify, rotate, retire-kek"},
    {"version", cli_cmd_version, "library version and backends"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: aiotsec COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nEvery command takes --backend NAME (`aiotsec version` lists them) and --help.\n"
                 "Exit status: 0 success, 1 a failed check, 2 bad input.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr), CLI_USAGE;
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
        return usage(stdout), CLI_OK;
    if (!strcmp(argv[1], "--version"))
        return cli_cmd_version(1, argv + 1);
    if (argc > 2 && !strcmp(argv[1], "adm") && !strcmp(argv[2], "serve")) /* the ADM over HTTP/2 */
        return cli_cmd_adm_serve(argc - 2, argv + 2);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    return cli_usage_error("unknown command '%s' (try aiotsec --help)", argv[1]);
}
