/* The CLI's one option parser, for every command (and aiotsec-bench).
 *
 * Options take a value, given as "--name VALUE" or "--name=VALUE", except
 * flags (values NULL), given as "--name" alone; "--help" (or "-h") asks for
 * help. The parser never allocates: values point into argv. */
#ifndef AIOTSEC_CLI_CMD_ARGS_H
#define AIOTSEC_CLI_CMD_ARGS_H

#include <stddef.h>
#include <stdint.h>

/* Returned by cmd_parse_opts when --help was seen (never an exit status). */
#define CMD_HELP (-1)

/* One option: the caller names it and gives room for its values. */
typedef struct cmd_opt {
    const char *name;    /* "--key" */
    const char **values; /* receives the values, in command-line order; NULL: a flag
                            ("--json"), which takes no value (count tells if given) */
    size_t cap;          /* 1: may be given once; more: repeatable up to cap times */
    size_t count;        /* how many times it was given (set by the parser) */
} cmd_opt;

/* Parses argv[0..argc-1] (no command names) against opts. Returns CLI_OK,
 * CMD_HELP, or CLI_USAGE after printing the reason (unknown option, missing
 * value, an option given twice, a stray argument). */
int cmd_parse_opts(int argc, char **argv, cmd_opt *opts, size_t n_opts);
/* cmd_parse_opts, for commands that also take up to pos_cap arguments (anything
 * not starting with "--", "-" for standard input included): they go to pos in
 * order, their number to *n_pos; one more is refused. */
int cmd_parse_args(int argc, char **argv, cmd_opt *opts, size_t n_opts, const char **pos, size_t pos_cap,
                   size_t *n_pos);

/* cmd_parse_opts, --help answered here: help() is called and CMD_HELP returned. */
int cmd_parse_or_help(int argc, char **argv, cmd_opt *opts, size_t n_opts, void (*help)(void));

/* CLI_USAGE with "missing <name>" unless opt was given. */
int cmd_require(const cmd_opt *opt);

/* Decodes the hex value of option `name` into out (capacity cap). Accepts
 * min_len..cap octets. Returns CLI_OK or CLI_USAGE after printing the reason
 * (odd number of digits, a non-hex digit, too short, too long). */
int cmd_hex(const char *name, const char *hex, uint8_t *out, size_t min_len, size_t cap,
            size_t *len);

/* cli_print_hex, then a flush: CLI_OK, or CLI_FAIL when stdout could not be
 * written (a full disk, a closed pipe), so a script never takes a missing
 * value for success. */
int cmd_print_hex(const uint8_t *in, size_t len);
/* Flushes stdout: CLI_OK, or CLI_FAIL (reason printed) when it could not be written. */
int cmd_flush(void);

/* Maps a library status to an exit: CLI_USAGE for an argument error (bad
 * input), CLI_FAIL for a backend or resource failure; prints "<what>: <reason>". */
int cmd_lib_error(const char *what, int status);

#endif
