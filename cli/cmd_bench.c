/* `aiotsec bench`: the benchmark harness of bench/ (see bench/bench_run.c). */
#include "bench.h"
#include "cli.h"

int cli_cmd_bench(int argc, char **argv)
{
    return bench_main(argc, argv);
}
