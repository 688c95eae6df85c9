/* Placeholder until the demo command lands: says so and exits 2. */
#include "cli.h"

int cli_cmd_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_usage_error("'demo' is not built yet");
}
