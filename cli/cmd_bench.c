/* `aiotsec bench`: runs the benchmark program aiotsec-bench (bench/) with the same
 * arguments. The harness links libsodium and OpenSSL directly for its baselines;
 * as a program of its own it keeps both out of the CLI. It is looked for beside
 * this executable first (the build tree, an install's bin/), then on PATH. */
#define _POSIX_C_SOURCE 200809L /* readlink, execv, execvp, PATH_MAX */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define BENCH_PROGRAM "aiotsec-bench"

int cli_cmd_bench(int argc, char **argv)
{
    (void)argc; /* argv is NULL-terminated (main's own) */
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0) {
        path[n] = '\0';
        char *slash = strrchr(path, '/');
        if (slash && (size_t)(slash + 1 - path) + sizeof BENCH_PROGRAM <= sizeof path) {
            memcpy(slash + 1, BENCH_PROGRAM, sizeof BENCH_PROGRAM);
            argv[0] = path;
            execv(path, argv);
        }
    }
    argv[0] = (char *)BENCH_PROGRAM;
    execvp(BENCH_PROGRAM, argv);
    return cli_fail("bench: cannot run %s (%s): it is built and installed beside aiotsec", BENCH_PROGRAM,
                    strerror(errno));
}
