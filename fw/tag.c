/* Tag firmware example: the device half of aiotsec on a Cortex-M0+, as a tag
 * would use it. No heap, no stdio, no operating system: the context and the
 * device live in static storage, RAND_AIOT_d comes from the tag's TRNG through
 * a callback, and the radio, the TRNG, the provisioned identity and the
 * PERMANENT_DISABLE flag are the board's (board.h; fw/board_qemu.c under qemu).
 *
 * Build (device-only library, see docs/notes/firmware.md):
 *   cmake -S . -B build-fw/m0 -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake \
 *         -DAIOTSEC_DEVICE_ONLY=ON -DAIOTSEC_FW_CPU=cortex-m0plus
 *   cmake --build build-fw/m0      # -> build-fw/m0/fw/aiotsec-fw-tag.elf */
#include <aiotsec/context.h>
#include <aiotsec/device.h>
#include <aiotsec/portable.h>
#include <aiotsec/status.h>

#include "board.h"

#define TAG_RADIO_MAX 48  /* the largest frame this tag sends or accepts */
#define TAG_MEMORY 16     /* user memory; octets 0..3 (a serial number) are write-protected */

static _Alignas(AIOTSEC_CTX_ALIGN) unsigned char ctx_storage[AIOTSEC_CTX_STORAGE_SIZE];
static _Alignas(AIOTSEC_DEVICE_ALIGN) unsigned char device_storage[AIOTSEC_DEVICE_STORAGE_SIZE];
static uint8_t user_memory[TAG_MEMORY];
static uint8_t radio[TAG_RADIO_MAX];

/* The random source for RAND_AIOT_d: the tag's TRNG (never a counter or a PRNG
 * seeded with a constant: RAND_AIOT_d must not repeat). */
static int tag_trng(void *user, uint8_t *out, size_t len)
{
    (void)user;
    return board_trng(out, len);
}

int main(void)
{
    aiotsec_ctx *ctx = NULL;
    aiotsec_device *dev = NULL;
    aiotsec_device_config cfg;
    /* A context in caller storage over the portable backend, profile 0 (NULL). */
    if (aiotsec_ctx_init(&ctx, ctx_storage, sizeof ctx_storage, aiotsec_backend_portable(), NULL) != AIOTSEC_OK ||
        aiotsec_device_statebytes() > sizeof device_storage)
        return board_finish();
    aiotsec_device_config_init(&cfg, ctx);
    board_identity(&cfg.perm_id, &cfg.perm_id_len, &cfg.k_root, &cfg.k_root_len);
    cfg.memory = user_memory;
    cfg.memory_len = sizeof user_memory;
    cfg.wp_offset = 0;
    cfg.wp_len = 4;
    cfg.rand = tag_trng;
    cfg.disabled = board_disabled();
    if (aiotsec_device_init(&dev, device_storage, sizeof device_storage, ctx, &cfg) != AIOTSEC_OK)
        return board_finish();

    for (;;) {
        struct board_rx rx;
        size_t out_len = 0;
        int rc;
        board_radio_receive(radio, sizeof radio, &rx);
        if (rx.kind == BOARD_RX_NONE)
            break;
        if (rx.kind == BOARD_RX_PAGING)
            rc = aiotsec_device_on_paging(dev, rx.rand_n, rx.rand_n_len, rx.perm_id, rx.perm_id_len, rx.filter,
                                          rx.filter_len, radio, sizeof radio, &out_len);
        else /* the response is written over the request: one radio buffer */
            rc = aiotsec_device_on_command(dev, radio, rx.nas_len, radio, sizeof radio, &out_len);
        if (rc == AIOTSEC_OK && out_len)
            board_radio_send(radio, out_len);
        aiotsec_device_state state;
        if (aiotsec_device_state_get(dev, &state) == AIOTSEC_OK && state == AIOTSEC_DEVICE_DISABLED &&
            !board_disabled())
            board_set_disabled(); /* after the last transmission: the tag stays silent for good */
    }
    aiotsec_device_clear(dev);
    return board_finish();
}
