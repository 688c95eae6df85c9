/* Residue test of the CLI's key input (issue 14), in process: the commands'
 * own code (cli/cmd_derive.c, cmd_kdf.c, cmd_nas.c and the shared reader
 * cli/cli_secret.c) is compiled into this program and each command is called
 * as main() would call it, with its key given by --key-file, --key-env, "-"
 * (standard input) and the hex argument of old, on success and on error paths.
 * After each command: no key octets nor key hex text (either case) in any block
 * released meanwhile, nor on the stack below the caller.
 *
 * Exit 0 clean, 1 on any residue or a command that did not exit as expected,
 * 2 when the scanner's self-test fails.
 *
 * usage: residue_cli DIR   (DIR: a scratch directory for the key files) */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "residue.h"

/* Keys and their texts: static, so that the test itself leaves nothing on the
 * stack or in released blocks. */
static uint8_t root16[16], root32[32], kaiotf[16];
static char hex16[33], hex32[65], hexkf[33], rand_hex[33];
static char text[256], env_value[256];
static char dir[2048], f16[4096], f32[4096], fkf[4096], fstdin16[4096], fstdinkf[4096], fbadlen[4096],
    fbadhex[4096];
static int failures;

typedef int (*command_fn)(int argc, char **argv);

/* Runs one command as main() would (argv[0] is the command's name), stdout and
 * stderr to /dev/null, stdin from stdin_path when given; then scans the stack. */
static int run(command_fn cmd, const char *stdin_path, char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    fflush(stdout);
    fflush(stderr);
    int out = dup(1), err = dup(2), in = -1;
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (out < 0 || err < 0 || null < 0)
        abort();
    dup2(null, 1);
    dup2(null, 2);
    close(null);
    if (stdin_path) {
        in = dup(0);
        int fd = open(stdin_path, O_RDONLY | O_CLOEXEC);
        if (in < 0 || fd < 0)
            abort();
        dup2(fd, 0);
        close(fd);
    }
    residue_clear_stack();
    int rc = cmd(argc, argv);
    (void)residue_scan_stack("stack after the command");
    fflush(stdout);
    dup2(out, 1);
    dup2(err, 2);
    close(out);
    close(err);
    if (in >= 0) {
        dup2(in, 0);
        close(in);
    }
    return rc;
}

static void check(const char *what, int rc, int want)
{
    int bad = 0;
    if (rc != want) {
        fprintf(stderr, "residue: %s: exit %d, expected %d\n", what, rc, want);
        bad = 1;
    }
    if (residue_findings()) {
        residue_report(what);
        bad = 1;
    }
    if (!bad)
        printf("ok   %s\n", what);
    failures += bad;
    residue_clear_findings();
}

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})

static void write_or_die(const char *path, const char *t)
{
    if (residue_write_file(path, t, strlen(t)) != 0) {
        fprintf(stderr, "residue: cannot write %s\n", path);
        exit(2);
    }
}

static void make_inputs(void)
{
    uint64_t st = 0x7c2e91f04b5a3d86ull;
    uint8_t r[16];
    residue_random(&st, root16, sizeof root16);
    residue_random(&st, root32, sizeof root32);
    residue_random(&st, kaiotf, sizeof kaiotf);
    residue_random(&st, r, sizeof r);
    residue_hex(root16, sizeof root16, hex16, 0);
    residue_hex(root32, sizeof root32, hex32, 1); /* upper case: the CLI takes either */
    residue_hex(kaiotf, sizeof kaiotf, hexkf, 0);
    residue_hex(r, sizeof r, rand_hex, 0);

    snprintf(f16, sizeof f16, "%s/residue-cli-%ld-16.hex", dir, (long)getpid());
    snprintf(f32, sizeof f32, "%s/residue-cli-%ld-32.hex", dir, (long)getpid());
    snprintf(fkf, sizeof fkf, "%s/residue-cli-%ld-kaiotf.hex", dir, (long)getpid());
    snprintf(fstdin16, sizeof fstdin16, "%s/residue-cli-%ld-stdin16", dir, (long)getpid());
    snprintf(fstdinkf, sizeof fstdinkf, "%s/residue-cli-%ld-stdinkf", dir, (long)getpid());
    snprintf(fbadlen, sizeof fbadlen, "%s/residue-cli-%ld-badlen.hex", dir, (long)getpid());
    snprintf(fbadhex, sizeof fbadhex, "%s/residue-cli-%ld-badhex.hex", dir, (long)getpid());

    snprintf(text, sizeof text, "%s\n", hex16);
    write_or_die(f16, text);
    snprintf(text, sizeof text, "  \n%s\r\n\n", hex32);
    write_or_die(f32, text);
    snprintf(text, sizeof text, "%s", hexkf);
    write_or_die(fkf, text);
    snprintf(text, sizeof text, "%s\n", hex16);
    write_or_die(fstdin16, text);
    snprintf(text, sizeof text, "\t%s\n", hexkf);
    write_or_die(fstdinkf, text);
    snprintf(text, sizeof text, "%s01\n", hex16); /* 17 octets: refused before decoding */
    write_or_die(fbadlen, text);
    snprintf(text, sizeof text, "%s\n", hex16);
    text[31] = 'g'; /* 16 octets, the last digit not hex: refused after decoding */
    write_or_die(fbadhex, text);
    snprintf(env_value, sizeof env_value, "\n %s \n", hex32);
    aiotsec_wipe(text, sizeof text);
}

static void remove_inputs(void)
{
    const char *files[] = {f16, f32, fkf, fstdin16, fstdinkf, fbadlen, fbadhex};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        (void)unlink(files[i]);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: residue_cli DIR\n");
        return 2;
    }
    if (residue_self_test() != 0)
        return 2;
    snprintf(dir, sizeof dir, "%s", argv[1]);
    make_inputs();
    if (setenv("RESIDUE_KEY", env_value, 1) != 0)
        return 2;
    (void)unsetenv("RESIDUE_UNSET");

    residue_reset();
    residue_add_key(root16, sizeof root16, "K_AIOT_root (16 octets)");
    residue_add_key(root32, sizeof root32, "K_AIOT_root (32 octets)");
    residue_add_key(kaiotf, sizeof kaiotf, "K_AIOTF");

    /* derive: every key source, every backend for the file */
    for (size_t b = 0; b < aiotsec_backend_count(); b++) {
        char *be = (char *)aiotsec_backend_name_at(b);
        char what[96];
        snprintf(what, sizeof what, "derive res --key-file (16 octets) --backend %s", be);
        check(what, run(cli_cmd_derive, NULL,
                        ARGV("derive", "res", "--key-file", f16, "--rand-n", rand_hex, "--rand-d", rand_hex,
                             "--backend", be)),
              CLI_OK);
    }
    check("derive kaiotf --key-file (32 octets, blanks around)",
          run(cli_cmd_derive, NULL, ARGV("derive", "kaiotf", "--key-file", f32, "--rand-n", rand_hex, "--rand-d", rand_hex)),
          CLI_OK);
    check("derive res --key-env (32 octets)",
          run(cli_cmd_derive, NULL,
              ARGV("derive", "res", "--key-env", "RESIDUE_KEY", "--rand-n", rand_hex, "--rand-d", rand_hex)),
          CLI_OK);
    check("derive res --key - (standard input)",
          run(cli_cmd_derive, fstdin16, ARGV("derive", "res", "--key", "-", "--rand-n", rand_hex, "--rand-d", rand_hex)),
          CLI_OK);
    check("derive res --key HEX (command line)",
          run(cli_cmd_derive, NULL, ARGV("derive", "res", "--key", hex16, "--rand-n", rand_hex, "--rand-d", rand_hex)),
          CLI_OK);
    check("derive res --json --key-file",
          run(cli_cmd_derive, NULL,
              ARGV("derive", "res", "--json", "--key-file", f16, "--rand-n", rand_hex, "--rand-d", rand_hex)),
          CLI_OK);
    check("derive algkey --key-file (K_AIOTF)",
          run(cli_cmd_derive, NULL, ARGV("derive", "algkey", "--key-file", fkf, "--type", "int", "--alg", "8")),
          CLI_OK);
    check("derive algkey --kaiotf - (standard input)",
          run(cli_cmd_derive, fstdinkf, ARGV("derive", "algkey", "--kaiotf", "-", "--type", "enc", "--alg", "2")),
          CLI_OK);

    /* error paths: the key read, then refused */
    check("derive res --key-file, 17 octets (refused)",
          run(cli_cmd_derive, NULL, ARGV("derive", "res", "--key-file", fbadlen, "--rand-n", rand_hex, "--rand-d", rand_hex)),
          CLI_USAGE);
    check("derive res --key-file, a bad last digit (refused after decoding)",
          run(cli_cmd_derive, NULL, ARGV("derive", "res", "--key-file", fbadhex, "--rand-n", rand_hex, "--rand-d", rand_hex)),
          CLI_USAGE);
    check("derive res --key-file, a bad --rand-n after the key",
          run(cli_cmd_derive, NULL, ARGV("derive", "res", "--key-file", f16, "--rand-n", "00", "--rand-d", rand_hex)),
          CLI_USAGE);
    check("derive res --key-env of an unset variable",
          run(cli_cmd_derive, NULL,
              ARGV("derive", "res", "--key-env", "RESIDUE_UNSET", "--rand-n", rand_hex, "--rand-d", rand_hex)),
          CLI_USAGE);
    check("derive res --key-file and --key-env (refused)",
          run(cli_cmd_derive, NULL, ARGV("derive", "res", "--key-file", f16, "--key-env", "RESIDUE_KEY", "--rand-n",
                                         rand_hex, "--rand-d", rand_hex)),
          CLI_USAGE);

    /* kdf and nas */
    check("kdf --key-file (32 octets)",
          run(cli_cmd_kdf, NULL, ARGV("kdf", "--key-file", f32, "--fc", "a0", "--param", rand_hex)), CLI_OK);
    check("kdf --key - (standard input)",
          run(cli_cmd_kdf, fstdin16, ARGV("kdf", "--key", "-", "--fc", "a1")), CLI_OK);
    check("kdf --key-env, a bad --fc after the key",
          run(cli_cmd_kdf, NULL, ARGV("kdf", "--key-env", "RESIDUE_KEY", "--fc", "ff")), CLI_USAGE);
    check("nas protect --key-file (K_AIOTF)",
          run(cli_cmd_nas, NULL, ARGV("nas", "protect", "--key-file", fkf, "--count", "0", "--dir", "r2d",
                                      "7a0042070100200010")),
          CLI_OK);
    check("nas unprotect --kaiotf - (standard input), a wrong MAC",
          run(cli_cmd_nas, fstdinkf, ARGV("nas", "unprotect", "--kaiotf", "-", "--dir", "r2d",
                                          "7a010000000000" "7a0042070100200010")),
          CLI_FAIL);
    check("nas protect --key-env, 32 octets (refused)",
          run(cli_cmd_nas, NULL, ARGV("nas", "protect", "--key-env", "RESIDUE_KEY", "--count", "0", "--dir", "r2d",
                                      "7a0042070100200010")),
          CLI_USAGE);

    residue_reset();
    (void)unsetenv("RESIDUE_KEY");
    remove_inputs();
    if (failures)
        fprintf(stderr, "residue: %d command(s) left key material behind or exited wrongly\n", failures);
    return failures ? 1 : 0;
}
