/* What the tag firmware example (fw/tag.c) needs from its board: the provisioned
 * identity, the TRNG, the radio, and one non-volatile flag. fw/board_qemu.c is
 * the board of the qemu images; a real tag implements the same five functions. */
#ifndef AIOT_FW_BOARD_H
#define AIOT_FW_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* The tag's Permanent Identifier and K_AIOT_root, as provisioned (OTP, protected flash). */
void board_identity(const uint8_t **perm_id, size_t *perm_id_len, const uint8_t **k_root, size_t *k_root_len);

/* The TRNG: len octets of fresh randomness; 0, or a negative status on failure. */
int board_trng(uint8_t *out, size_t len);

/* What the radio received. A paging carries RAND_AIOT_n and the identification
 * (a Permanent Identifier or a filter); a downlink carries an AIOT NAS message,
 * copied into the caller's buffer. */
enum board_rx_kind { BOARD_RX_NONE = 0, BOARD_RX_PAGING = 1, BOARD_RX_NAS = 2 };
struct board_rx {
    int kind;
    const uint8_t *rand_n, *perm_id, *filter;
    size_t rand_n_len, perm_id_len, filter_len;
    size_t nas_len;
};

/* Waits for the next frame (BOARD_RX_NONE: the board has nothing more, e.g. the qemu script ended). */
void board_radio_receive(uint8_t *buf, size_t cap, struct board_rx *rx);
/* Sends an uplink AIOT NAS message. */
void board_radio_send(const uint8_t *buf, size_t len);

/* The PERMANENT_DISABLE flag, in non-volatile memory. */
int board_disabled(void);
void board_set_disabled(void);

/* The end of the run (qemu: the verdict and the measurements); returns the exit status. */
int board_finish(void);

#endif
