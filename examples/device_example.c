/* Device example (firmware style): static storage, no allocation by the library.
 * The network side is played by an AIOTF so the example runs on its own.
 * Build: cc device_example.c $(pkg-config --cflags --libs aiotsec) */
#include <stdio.h>
#include <string.h>

#include <aiotsec/aiotsec.h>

/* Storage for the device object: size checked at run time with aiotsec_device_size(). */
static _Alignas(AIOTSEC_DEVICE_ALIGN) unsigned char device_storage[4096];
static uint8_t user_memory[128];              /* the tag's user memory */
static const uint8_t my_ident[] = {0x0A, 0x01};
static const uint8_t my_key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                   0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};

/* The tag's random source (here the library's CSPRNG through a context). */
static int tag_random(void *user, uint8_t *out, size_t len)
{
    return aiotsec_random(user, out, len);
}

int main(void)
{
    aiotsec_ctx *ctx = NULL;
    if (aiotsec_ctx_new(&ctx, NULL, NULL) != 0 || aiotsec_device_size() > sizeof device_storage)
        return 1;
    aiotsec_device_config cfg;
    aiotsec_device_config_init(&cfg, ctx);
    cfg.ident = my_ident;
    cfg.ident_len = sizeof my_ident;
    cfg.k_root = my_key;
    cfg.k_root_len = sizeof my_key;
    cfg.memory = user_memory;
    cfg.memory_len = sizeof user_memory;
    cfg.wp_offset = 0; /* octets 0..7 hold the tag's serial number: read-only */
    cfg.wp_len = 8;
    cfg.rand = tag_random;
    cfg.rand_user = ctx;
    aiotsec_device *dev = NULL;
    int rc = aiotsec_device_init(&dev, device_storage, sizeof device_storage, ctx, &cfg);

    /* The network: key store, ADM and AIOTF (on a real tag these are far away). */
    static const char keys[] = "0a01 53455249414c2d31 2b7e151628aed2a6abf7158809cf4f3c\n";
    aiotsec_memstore *store = NULL;
    aiotsec_keystore ks;
    aiotsec_adm *adm = NULL;
    aiotsec_adm_client client;
    aiotsec_aiotf *aiotf = NULL;
    if (rc == 0) rc = aiotsec_memstore_new(&store, ctx, 1);
    if (rc == 0) rc = aiotsec_memstore_load_buffer(store, keys, strlen(keys), NULL);
    if (rc == 0) rc = aiotsec_memstore_keystore(store, &ks);
    if (rc == 0) rc = aiotsec_adm_new(&adm, ctx, &ks);
    if (rc == 0) rc = aiotsec_adm_client_local(adm, &client);
    if (rc == 0) rc = aiotsec_aiotf_new(&aiotf, ctx, &client, NULL);

    /* Paging in, AUTHENTICATION RESPONSE out. */
    uint8_t rand_n[32], radio_in[1100], radio_out[1100], work[1100];
    size_t in_len = 0, out_len = 0;
    uint64_t proc = 0;
    if (rc == 0) rc = aiotsec_aiotf_start(aiotf, AIOTSEC_PROC_COMMAND, my_ident, sizeof my_ident, 0,
                                          rand_n, sizeof rand_n, &proc);
    if (rc == 0) rc = aiotsec_device_on_paging(dev, rand_n, aiotsec_rand_n_len(ctx), my_ident,
                                               sizeof my_ident, radio_out, sizeof radio_out, &out_len);
    if (rc == 0) rc = aiotsec_aiotf_on_report(aiotf, 1, rand_n, aiotsec_rand_n_len(ctx), my_ident,
                                              sizeof my_ident, radio_out, out_len, NULL);
    /* A protected WRITE arrives: the device verifies it before touching its memory. */
    const uint8_t data[] = "hello";
    if (rc == 0) rc = aiotsec_aiotf_command(aiotf, proc, 2, AIOTSEC_CMD_WRITE, 16, 0, data, 5,
                                            radio_in, sizeof radio_in, &in_len);
    if (rc == 0) rc = aiotsec_device_on_command(dev, radio_in, in_len, radio_out, sizeof radio_out, &out_len);
    aiotsec_nas_msg resp;
    if (rc == 0) rc = aiotsec_aiotf_on_command_response(aiotf, proc, 3, radio_out, out_len, work,
                                                        sizeof work, &resp);
    /* The same request again is a replay: refused, nothing is sent. */
    int replay = aiotsec_device_on_command(dev, radio_in, in_len, radio_out, sizeof radio_out, &out_len);
    printf("device: WRITE %s, memory[16..20] = \"%.5s\", replayed request: %s\n",
           rc == 0 && resp.status == AIOTSEC_CMD_STATUS_SUCCESS ? "done" : "failed",
           (const char *)user_memory + 16, aiotsec_status_name(replay));
    int ok = rc == 0 && memcmp(user_memory + 16, data, 5) == 0 && replay == AIOTSEC_E_REPLAY;
    aiotsec_device_clear(dev);
    aiotsec_aiotf_free(aiotf);
    aiotsec_adm_free(adm);
    aiotsec_memstore_free(store);
    aiotsec_ctx_free(ctx);
    return ok ? 0 : 1;
}
