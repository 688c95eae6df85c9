/* bench/aiotsec-bench: the same benchmark as `aiotsec bench`, as its own program. */
#include "bench.h"

int main(int argc, char **argv)
{
    return bench_main(argc, argv);
}
