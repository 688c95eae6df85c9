/* Placeholder until the bench command lands: says so and exits 2. */
#include "cli.h"

int cli_cmd_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_usage_error("'bench' is not built yet");
}
