/* aiotsec keys: the key database from the command line (cmd_keys.c). */
#ifndef AIOTSEC_CLI_CMD_KEYS_H
#define AIOTSEC_CLI_CMD_KEYS_H

int cli_cmd_keys(int argc, char **argv);

#endif
