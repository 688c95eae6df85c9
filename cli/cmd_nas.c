/* Placeholder until the nas command lands: says so and exits 2. */
#include "cli.h"

int cli_cmd_nas(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_usage_error("'nas' is not built yet");
}
