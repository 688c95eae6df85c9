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
 * Returns 0 and sets *len, or -1 (bad digit, odd length, longer than cap).
 * Constant time in the digits' values (keys go through it): no branch and no
 * table look-up depends on a digit; only the length is public. */
int cli_parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *len);
/* The same on exactly `digits` characters (no terminator needed). */
int cli_parse_hex_n(const char *hex, size_t digits, uint8_t *out, size_t cap, size_t *len);
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

/* --- secret keys on the command line (cli_secret.c) --------------------------
 *
 * A command's secret key (K_AIOT_root, K_AIOTF, a KDF key) comes from exactly
 * one of, safest first:
 *   --key-file PATH   hex text in a file (surrounding blanks and newlines ignored)
 *   --key-env NAME    hex in environment variable NAME (the same)
 *   --OPT -           hex on standard input (the same), e.g. --key - or --kaiotf -
 *   --OPT HEX         hex on the command line (visible in ps: kept for scripts)
 * Files and standard input are read with read(2) (no stdio buffer holds the
 * text) into one fixed buffer; every buffer that held key text is wiped before
 * the reader returns, on every path, and no message shows the key. */
typedef struct cli_key_src {
    const char *hex;  /* --OPT value: hex, or "-" for standard input; NULL if not given */
    const char *file; /* --key-file PATH, or NULL */
    const char *env;  /* --key-env NAME, or NULL */
} cli_key_src;

/* What the key is and which lengths it may have. */
typedef struct cli_key_rule {
    const char *opt;   /* the hex option, named in messages: "--key", "--kaiotf" (or, for a
                          command that reads standard input by default, "standard input") */
    const char *name;  /* the key, named in messages: "K_AIOT_root" */
    size_t min, max;   /* octets */
    int either;        /* 1: exactly min or max octets; 0: any of min..max */
} cli_key_rule;

/* The cmd_opt rows of --key-file and --key-env for a command's option table. */
#define CLI_KEY_OPTS(src) {"--key-file", &(src).file, 1, 0}, {"--key-env", &(src).env, 1, 0}

/* How many of the sources are given (0..3). */
int cli_key_given(const cli_key_src *src);
/* 1 when the key is to be read from standard input (--OPT -). */
int cli_key_from_stdin(const cli_key_src *src);

/* Reads the key from the one source given into out (capacity cap >= rule->max):
 * CLI_OK and *len, or CLI_USAGE / CLI_FAIL after printing the reason (no source
 * or more than one, not set, unreadable, odd, bad length, not hex). out is
 * wiped on failure; the caller wipes it after use. */
int cli_key_read(const cli_key_src *src, const cli_key_rule *rule, uint8_t *out, size_t cap, size_t *len);

/* Reads all of standard input (read(2), no stdio buffer) into buf (capacity
 * cap) and trims surrounding blanks and newlines: *start and *len give the
 * text. Returns 0, 1 when the input is longer than cap, -1 on a read error.
 * The caller wipes buf when the text is secret. */
int cli_read_stdin(char *buf, size_t cap, size_t *start, size_t *len);

#endif
