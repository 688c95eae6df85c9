/* The board of the qemu images (micro:bit for Cortex-M0+, MPS2 AN385 for
 * Cortex-M3). The radio is a file on the host, read through semihosting (its
 * name is the semihosting command line): records of kind, length, body, made by
 * fw/tools/gen_tag_frames.py. A paging record also carries the values the
 * board's "TRNG" yields for it: a stand-in so that fw/tools/tag_check.py can
 * check every answer byte for byte (a real board reads its TRNG). Every frame the
 * tag sends is printed as a "tx" line. The PERMANENT_DISABLE flag is a variable.
 * fw_mark() brackets each frame: at its reception and when the tag answers. */
#include <string.h>

#include "board.h"
#include "board_qemu_identity.h"
#include "fw.h"

enum { REC_END = 0, REC_PAGING = 1, REC_NAS = 2 };

static int radio = -1;
static uint8_t rec[80];         /* the current paging record; first, the script's name */
static const uint8_t *trng;     /* the TRNG values of the current paging */
static size_t trng_left;
static int disabled_flag;

void board_identity(const uint8_t **perm_id, size_t *perm_id_len, const uint8_t **k_root, size_t *k_root_len)
{
    *perm_id = qemu_perm_id;
    *perm_id_len = sizeof qemu_perm_id;
    *k_root = qemu_k_root;
    *k_root_len = sizeof qemu_k_root;
}

int board_trng(uint8_t *out, size_t len)
{
    if (len > trng_left)
        return -8; /* AIOTSEC_E_BACKEND_FAILURE: the record has no more values */
    memcpy(out, trng, len);
    trng += len;
    trng_left -= len;
    return 0;
}

/* Records: kind, length, body. A NAS body is the message; a paging body is
 * RAND_AIOT_n (16), 1 (Permanent Identifier) or 2 (filter), its length, it, and
 * the 16 octets the TRNG yields. Anything else ends the script. */
void board_radio_receive(uint8_t *buf, size_t cap, struct board_rx *rx)
{
    uint8_t hdr[2];
    memset(rx, 0, sizeof *rx);
    if (radio < 0 && (fw_cmdline((char *)rec, sizeof rec) != 0 || (radio = fw_open((char *)rec)) < 0))
        return;
    if (fw_read(radio, hdr, 2) != 0 || hdr[1] > (hdr[0] == REC_NAS ? cap : sizeof rec) ||
        fw_read(radio, hdr[0] == REC_NAS ? buf : rec, hdr[1]) != 0)
        return;
    if (hdr[0] == REC_NAS) {
        rx->kind = BOARD_RX_NAS;
        rx->nas_len = hdr[1];
    } else if (hdr[0] == REC_PAGING && (size_t)rec[17] + 34 == hdr[1]) {
        rx->kind = BOARD_RX_PAGING;
        rx->rand_n = rec;
        rx->rand_n_len = 16;
        if (rec[16] == 1) {
            rx->perm_id = rec + 18;
            rx->perm_id_len = rec[17];
        } else {
            rx->filter = rec + 18;
            rx->filter_len = rec[17];
        }
        trng = rec + 18 + rec[17];
        trng_left = 16;
    } else {
        return;
    }
    fw_mark(0);
}

void board_radio_send(const uint8_t *buf, size_t len)
{
    fw_mark(1);
    fw_puts("tx ");
    fw_put_hex(buf, len);
    fw_puts("\n");
}

int board_disabled(void)
{
    return disabled_flag;
}

void board_set_disabled(void)
{
    disabled_flag = 1;
}

int board_finish(void)
{
    uint8_t peak[4];
    uint32_t v = fw_stack_peak();
    for (unsigned i = 0; i < 4; i++)
        peak[i] = (uint8_t)(v >> (24 - 8 * i));
    fw_puts(disabled_flag ? "disabled\nstack_peak 0x" : "not disabled\nstack_peak 0x");
    fw_put_hex(peak, 4);
    fw_puts("\nend\n");
    return disabled_flag ? 0 : 1;
}
