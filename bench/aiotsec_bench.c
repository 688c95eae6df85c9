/* aiotsec-bench: the benchmark harness as its own program (`aiotsec bench` runs it). */
#include "bench.h"

int main(int argc, char **argv)
{
    return bench_main(argc, argv);
}
