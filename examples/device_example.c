/* Device example (firmware style): static storage, no allocation by the library,
 * RAND_AIOT_d from the tag's random source through the documented callback.
 * The network side (key store, ADM, AIOTF) is played in-process so the example
 * runs on its own; on a real tag it is far away, behind the radio.
 * Build: cc device_example.c $(pkg-config --cflags --libs aiotsec) */
#include <stdio.h>
#include <string.h>

#include <aiotsec/aiotsec.h>

/* The tag's state: the device object, its user memory, its identity and key. */
static _Alignas(AIOTSEC_DEVICE_ALIGN) unsigned char device_storage[2048]; /* >= aiotsec_device_statebytes() */
static uint8_t user_memory[128];
static const uint8_t my_perm_id[] = {0x0a, 0x01, 0x00, 0x2a};
static const uint8_t my_key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                   0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};

/* The tag's random source (aiotsec_device_rand_fn): on silicon, read the TRNG;
 * here a stand-in, the library's CSPRNG through the context in `user`. */
static int tag_trng(void *user, uint8_t *out, size_t len)
{
    return aiotsec_random(user, out, len);
}

int main(void)
{
    aiotsec_ctx *ctx = NULL;
    if (aiotsec_ctx_new(&ctx, NULL, NULL) != 0)
        return 1;
    memcpy(user_memory, "SN-0042", 8); /* the serial number, in the write-protected range */
    aiotsec_device_config cfg;
    aiotsec_device_config_init(&cfg, ctx);
    cfg.perm_id = my_perm_id;
    cfg.perm_id_len = sizeof my_perm_id;
    cfg.k_root = my_key;
    cfg.k_root_len = sizeof my_key;
    cfg.memory = user_memory;
    cfg.memory_len = sizeof user_memory;
    cfg.wp_offset = 0; /* octets 0..7: read-only */
    cfg.wp_len = 8;
    cfg.rand = tag_trng;
    cfg.rand_user = ctx;
    aiotsec_device *dev = NULL;
    int rc = aiotsec_device_init(&dev, device_storage, sizeof device_storage, ctx, &cfg);

    /* The network, with its ADM reached through the AIOTF's request queue. */
    static const char keys[] = "0a01002a 2b7e151628aed2a6abf7158809cf4f3c\n";
    aiotsec_memstore *store = NULL;
    aiotsec_keystore ks;
    aiotsec_adm *adm = NULL;
    aiotsec_auth_answer *ans = NULL;
    aiotsec_aiotf *aiotf = NULL;
    if (rc == 0) rc = aiotsec_memstore_new(&store, ctx, 1);
    if (rc == 0) rc = aiotsec_memstore_load_buffer(store, keys, strlen(keys), NULL);
    if (rc == 0) rc = aiotsec_memstore_keystore(store, &ks);
    if (rc == 0) rc = aiotsec_adm_new(&adm, ctx, &ks, NULL);
    if (rc == 0) rc = aiotsec_auth_answer_new(&ans, aiotsec_adm_max_derivations(adm));
    if (rc == 0) rc = aiotsec_aiotf_new(&aiotf, ctx, NULL);

    /* A command procedure names the tag: paging in, AUTHENTICATION RESPONSE out. */
    uint8_t radio_in[1100], radio_out[1100], work[1100];
    size_t in_len = 0, out_len = 0, n = 0;
    uint64_t proc = 0, report = 0;
    aiotsec_aiotf_summary sum;
    if (rc == 0) rc = aiotsec_aiotf_start(aiotf, 0, AIOTSEC_PROC_COMMAND, my_perm_id, sizeof my_perm_id, NULL, 0, 1,
                                          &proc);
    if (rc == 0) rc = aiotsec_aiotf_pump_local(aiotf, 0, adm, ans, NULL); /* getRand */
    if (rc == 0) rc = aiotsec_aiotf_summary_get(aiotf, proc, &sum);
    if (rc == 0) rc = aiotsec_device_on_paging(dev, sum.rand_n, 16, my_perm_id, sizeof my_perm_id, NULL, 0,
                                               radio_out, sizeof radio_out, &out_len);
    if (rc == 0) rc = aiotsec_aiotf_on_report(aiotf, 1, sum.rand_n, 16, radio_out, out_len, &report);
    if (rc == 0) rc = aiotsec_aiotf_pump_local(aiotf, 1, adm, ans, &n); /* getAuthentication, getSessionKey */

    /* A protected WRITE arrives: the tag checks COUNT and MAC before touching its memory. */
    const uint8_t data[] = "hello";
    aiotsec_nas_msg resp;
    if (rc == 0) rc = aiotsec_aiotf_command(aiotf, report, 2, AIOTSEC_CMD_WRITE, 16, 0, data, 5, radio_in,
                                            sizeof radio_in, &in_len);
    if (rc == 0) rc = aiotsec_device_on_command(dev, radio_in, in_len, radio_out, sizeof radio_out, &out_len);
    if (rc == 0) rc = aiotsec_aiotf_on_command_response(aiotf, report, 3, radio_out, out_len, work, sizeof work,
                                                        &resp);
    int write_status = rc == 0 ? (int)resp.status : rc;
    /* The same request again is a replay: refused, nothing is sent. */
    int replay = aiotsec_device_on_command(dev, radio_in, in_len, radio_out, sizeof radio_out, &out_len);
    /* A WRITE over the serial number is answered, not executed. */
    if (rc == 0) rc = aiotsec_aiotf_command(aiotf, report, 4, AIOTSEC_CMD_WRITE, 0, 0, data, 5, radio_in,
                                            sizeof radio_in, &in_len);
    if (rc == 0) rc = aiotsec_device_on_command(dev, radio_in, in_len, radio_out, sizeof radio_out, &out_len);
    if (rc == 0) rc = aiotsec_aiotf_on_command_response(aiotf, report, 5, radio_out, out_len, work, sizeof work,
                                                        &resp);
    int protected_status = rc == 0 ? (int)resp.status : rc;
    const char *cause = aiotsec_cmd_status_cause(protected_status); /* NULL for a library error */
    printf("tag: WRITE %s, memory[16..20] = \"%.5s\"; replayed request: %s; WRITE over the serial number: %s, "
           "serial \"%.7s\"\n",
           write_status == AIOTSEC_CMD_STATUS_SUCCESS ? "done" : "failed", (const char *)user_memory + 16,
           aiotsec_status_name(replay), cause ? cause : aiotsec_status_name(protected_status),
           (const char *)user_memory);
    int ok = rc == 0 && write_status == AIOTSEC_CMD_STATUS_SUCCESS && memcmp(user_memory + 16, data, 5) == 0 &&
             replay == AIOTSEC_E_REPLAY && protected_status == AIOTSEC_CMD_STATUS_PARAMS_INVALID &&
             memcmp(user_memory, "SN-0042", 8) == 0;
    aiotsec_device_clear(dev);
    aiotsec_aiotf_free(aiotf);
    aiotsec_auth_answer_free(ans);
    aiotsec_adm_free(adm);
    aiotsec_memstore_free(store);
    aiotsec_ctx_free(ctx);
    return ok ? 0 : 1;
}
