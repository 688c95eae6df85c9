/* The CLI's one option parser, for every command and aiotsec-bench (see cmd_args.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_args.h"

static cmd_opt *find_opt(cmd_opt *opts, size_t n, const char *name, size_t name_len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i].name) == name_len && !strncmp(opts[i].name, name, name_len))
            return &opts[i];
    return NULL;
}

int cmd_parse_opts(int argc, char **argv, cmd_opt *opts, size_t n_opts)
{
    return cmd_parse_args(argc, argv, opts, n_opts, NULL, 0, NULL);
}

int cmd_parse_args(int argc, char **argv, cmd_opt *opts, size_t n_opts, const char **pos, size_t pos_cap,
                   size_t *n_pos)
{
    for (size_t i = 0; i < n_opts; i++)
        opts[i].count = 0;
    if (n_pos)
        *n_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
            return CMD_HELP;
        if (strncmp(arg, "--", 2) != 0) {
            if (n_pos && *n_pos < pos_cap) {
                pos[(*n_pos)++] = arg;
                continue;
            }
            /* A stray argument may be a key whose option was forgotten: show only its start. */
            const char *what = pos_cap == 0 ? "unexpected argument" : pos_cap == 1 ? "more than one argument"
                                                                                   : "too many arguments";
            return strlen(arg) > 12 ? cli_usage_error("%s ('%.8s...')", what, arg)
                                    : cli_usage_error("%s ('%s')", what, arg);
        }
        /* "--name=value" or "--name value" */
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        cmd_opt *o = find_opt(opts, n_opts, arg, name_len);
        if (!o)
            return cli_usage_error("unknown option '%.*s'", (int)name_len, arg);
        if (!o->values) { /* a flag: no value */
            if (eq)
                return cli_usage_error("option %s takes no value", o->name);
            if (o->count)
                return cli_usage_error("option %s given more than once", o->name);
            o->count = 1;
            continue;
        }
        const char *value;
        if (eq) {
            value = eq + 1;
        } else {
            if (i + 1 >= argc)
                return cli_usage_error("option %s needs a value", o->name);
            value = argv[++i];
        }
        if (o->count == o->cap)
            return o->cap == 1 ? cli_usage_error("option %s given more than once", o->name)
                               : cli_usage_error("option %s given more than %zu times", o->name,
                                                 o->cap);
        o->values[o->count++] = value;
    }
    return CLI_OK;
}

int cmd_parse_or_help(int argc, char **argv, cmd_opt *opts, size_t n_opts, void (*help)(void))
{
    int rc = cmd_parse_opts(argc, argv, opts, n_opts);
    if (rc == CMD_HELP)
        help();
    return rc;
}

int cmd_require(const cmd_opt *opt)
{
    return opt->count ? CLI_OK : cli_usage_error("missing option %s", opt->name);
}

int cmd_hex(const char *name, const char *hex, uint8_t *out, size_t min_len, size_t cap,
            size_t *len)
{
    size_t digits = strlen(hex);
    if (digits % 2)
        return cli_usage_error("%s: odd number of hex digits (%zu)", name, digits);
    if (digits / 2 > cap)
        return cli_usage_error("%s: %zu octets, at most %zu allowed", name, digits / 2, cap);
    if (digits / 2 < min_len)
        return cli_usage_error("%s: %zu octets, at least %zu needed", name, digits / 2, min_len);
    if (cli_parse_hex(hex, out, cap, len) != 0)
        return cli_usage_error("%s: not a hex string", name);
    return CLI_OK;
}

int cmd_lib_error(const char *what, int status)
{
    switch (status) {
    case AIOTSEC_E_BACKEND_FAILURE:
    case AIOTSEC_E_NO_MEMORY:
    case AIOTSEC_E_UNSUPPORTED:
        return cli_fail("%s: %s", what, aiotsec_strerror(status));
    default:
        return cli_usage_error("%s: %s", what, aiotsec_strerror(status));
    }
}

int cmd_flush(void)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_fail("cannot write to stdout");
    return CLI_OK;
}

int cmd_print_hex(const uint8_t *in, size_t len)
{
    cli_print_hex(in, len);
    return cmd_flush();
}
