/* The aiotsec command line: shared helpers and the command table.
 *
 * Conventions every command follows: the value alone on stdout; on bad input a
 * one-line reason on stderr and exit 2 (CLI_USAGE); a failed check exits 1
 * (CLI_FAIL); `--backend NAME` picks the crypto backend; `--help` prints help. */
#ifndef AIOTSEC_CLI_H
#define AIOTSEC_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/aiotsec.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* A top-level command: argv[0] is the command name itself. */
typedef int (*cli_command_fn)(int argc, char **argv);

/* Commands, one file each (cmd_<name>.c). */
int cli_cmd_kdf(int argc, char **argv);
int cli_cmd_derive(int argc, char **argv);
int cli_cmd_version(int argc, char **argv);
int cli_cmd_nas(int argc, char **argv);
int cli_cmd_demo(int argc, char **argv);
int cli_cmd_bench(int argc, char **argv);
int cli_cmd_adm(int argc, char **argv);
int cli_cmd_adm_serve(int argc, char **argv); /* `aiotsec adm serve` (cmd_serve.c) */
int cli_cmd_inventory(int argc, char **argv);

/* Prints "aiotsec: <fmt>" and a newline on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "aiotsec: <fmt>" and a newline on stderr; returns CLI_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses hex (upper or lower case, even length, no separators) into out.
 * Returns 0 and sets *len, or -1 (bad digit, odd length, longer than cap). */
int cli_parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *len);
/* Prints len octets as lower-case hex and a newline on stdout. */
void cli_print_hex(const uint8_t *in, size_t len);
/* Lower-case hex into out (capacity >= 2*len+1). */
void cli_to_hex(const uint8_t *in, size_t len, char *out);
/* Parses an unsigned decimal (or 0x-prefixed hex) number <= max; no sign, no blanks,
 * no octal. Returns 0 or -1. */
int cli_parse_uint(const char *s, unsigned long max, unsigned long *out);
/* Makes a context for --backend NAME (NULL: default); on failure prints the reason
 * and returns NULL. */
aiotsec_ctx *cli_make_ctx(const char *backend);

#endif
