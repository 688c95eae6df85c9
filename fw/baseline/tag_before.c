/* fw/tag.c as it had to be written before the device-only build (for the
 * "before" measurement only): a heap context (aiotsec_ctx_new_custom, calloc) over
 * a backend table of one's own, the device in static storage of the old size. */
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <aiotsec/context.h>
#include <aiotsec/device.h>
#include <aiotsec/status.h>

#include "board.h"

#define TAG_RADIO_MAX 48
#define TAG_MEMORY 16

extern const aiotsec_backend baseline_backend;
static _Alignas(AIOTSEC_DEVICE_ALIGN) unsigned char device_storage[BEFORE_DEVICE_SIZE];
static uint8_t user_memory[TAG_MEMORY];
static uint8_t radio[TAG_RADIO_MAX];

/* The heap newlib's calloc asks for (the context, about 200 octets). */
static _Alignas(8) unsigned char heap[512];
static size_t heap_used;
void *_sbrk(ptrdiff_t n);
void *_sbrk(ptrdiff_t n)
{
    if (n < 0 || (size_t)n > sizeof heap - heap_used)
        return (void *)-1;
    void *p = heap + heap_used;
    heap_used += (size_t)n;
    return p;
}

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
    if (aiotsec_ctx_new_custom(&ctx, &baseline_backend, NULL) != AIOTSEC_OK ||
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
        else
            rc = aiotsec_device_on_command(dev, radio, rx.nas_len, radio, sizeof radio, &out_len);
        if (rc == AIOTSEC_OK && out_len)
            board_radio_send(radio, out_len);
        aiotsec_device_state state;
        if (aiotsec_device_state_get(dev, &state) == AIOTSEC_OK && state == AIOTSEC_DEVICE_DISABLED &&
            !board_disabled())
            board_set_disabled();
    }
    aiotsec_device_clear(dev);
    return board_finish();
}
