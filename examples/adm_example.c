/* ADM example: a key store loaded from text, and the Nadm_Sec operations of
 * TS 29.369: getRand, getAuthentication (for a filter and for a named device),
 * getSessionKey and getTid.
 * Build: cc adm_example.c $(pkg-config --cflags --libs aiotsec) */
#include <stdio.h>
#include <string.h>

#include <aiotsec/aiotsec.h>

int main(void)
{
    /* Permanent Identifier, K_AIOT_root (hex): three tags share the prefix a1. */
    static const char keys[] =
        "# perm-id    K_AIOT_root\n"
        "a100000001   000102030405060708090a0b0c0d0e0f\n"
        "a100000002   101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f\n"
        "a100000003   303132333435363738393a3b3c3d3e3f\n"
        "b200000004   404142434445464748494a4b4c4d4e4f\n";
    static const uint8_t group_a1[] = {8, 0xa1}; /* AiotFilteringInformation: the 8-bit prefix a1 */
    static const uint8_t tag1[] = {0xa1, 0x00, 0x00, 0x00, 0x01}, stranger[] = {0x09};
    aiotsec_ctx *ctx = NULL;
    aiotsec_memstore *store = NULL;
    aiotsec_adm *adm = NULL;
    aiotsec_auth_answer *ans = NULL;
    aiotsec_keystore ks;
    size_t line = 0;
    int rc = aiotsec_ctx_new(&ctx, NULL, NULL);
    if (rc == 0) rc = aiotsec_memstore_new(&store, ctx, 4);
    if (rc == 0) rc = aiotsec_memstore_load_buffer(store, keys, strlen(keys), &line);
    if (rc == 0) rc = aiotsec_memstore_keystore(store, &ks); /* or an aiotsec_keystore of your own */
    if (rc == 0) rc = aiotsec_adm_new(&adm, ctx, &ks, NULL);
    if (rc == 0) rc = aiotsec_auth_answer_new(&ans, aiotsec_adm_max_derivations(adm));
    if (rc != 0) {
        fprintf(stderr, "setup: %s (line %zu)\n", aiotsec_strerror(rc), line);
        return 1;
    }

    /* getRand: RAND_AIOT_n for a paging. */
    uint8_t rand_n[16], rand_d[2 * 16], kaiotf[16];
    rc = aiotsec_adm_get_rand(adm, rand_n, sizeof rand_n);
    /* ... two tags of the group answer; here two fixed RAND_AIOT_d ... */
    memset(rand_d, 0x42, 16);
    memset(rand_d + 16, 0x43, 16);

    /* getAuthentication for the filter: per RAND_AIOT_d, one {XRES_AIOT, Permanent
     * Identifier} per tag the filter matches. The AIOTF compares each RES_AIOT with
     * every XRES_AIOT of its set in constant time; nobody logs them. */
    aiotsec_adm_request req;
    memset(&req, 0, sizeof req);
    req.op = AIOTSEC_ADM_GET_AUTHENTICATION;
    req.filter = group_a1;
    req.filter_len = sizeof group_a1;
    req.rand_n = rand_n;
    req.rand_n_len = sizeof rand_n;
    req.rand_d = rand_d;
    req.rand_d_count = 2;
    if (rc == 0) rc = aiotsec_adm_get_authentication(adm, &req, ans);
    size_t sets = aiotsec_auth_answer_set_count(ans), per_set = 0;
    for (size_t s = 0; s < sets; s++) {
        const uint8_t *rd, *xres, *perm;
        size_t n = 0, xres_len, perm_len;
        aiotsec_auth_answer_set(ans, s, &rd, &n);
        printf("getAuthentication(filter a1/8): set %zu (RAND_AIOT_d %02x..): %zu candidates:", s + 1, rd[0], n);
        for (size_t e = 0; e < n; e++) {
            aiotsec_auth_answer_entry(ans, s, e, &xres, &xres_len, &perm, &perm_len);
            printf(" %02x%02x%02x%02x%02x", perm[0], perm[1], perm[2], perm[3], perm[4]);
        }
        printf("\n");
        per_set = n;
    }

    /* getAuthentication for a named device: one entry per set, no identifier. */
    req.filter = NULL;
    req.filter_len = 0;
    req.perm_id = tag1;
    req.perm_id_len = sizeof tag1;
    req.rand_d_count = 1;
    int named = aiotsec_adm_get_authentication(adm, &req, ans);
    printf("getAuthentication(a100000001): %s, %zu entry\n", aiotsec_status_name(named),
           aiotsec_auth_answer_entry_count(ans));
    aiotsec_auth_answer_reset(ans); /* wipes the XRES_AIOT values */

    /* getSessionKey: K_AIOTF (16 octets) for a command procedure; getTid: a T-ID. */
    if (rc == 0) rc = aiotsec_adm_get_session_key(adm, tag1, sizeof tag1, rand_n, sizeof rand_n, rand_d, 16,
                                                  kaiotf, sizeof kaiotf);
    aiotsec_tid_info tid;
    if (rc == 0) rc = aiotsec_adm_get_tid(adm, tag1, sizeof tag1, 0, &tid);
    printf("getSessionKey: K_AIOTF %s; getTid: %s\n", rc == 0 ? "derived" : "failed",
           rc == 0 && tid.tid_type == AIOTSEC_TID_STORED ? "a stored T-ID" : "failed");

    /* Errors of their own (an SBI 404 each): an unknown device, a filter nobody matches. */
    req.perm_id = stranger;
    req.perm_id_len = sizeof stranger;
    int unknown = aiotsec_adm_get_authentication(adm, &req, ans);
    static const uint8_t nobody[] = {8, 0xc3};
    req.perm_id = NULL;
    req.filter = nobody;
    req.filter_len = sizeof nobody;
    int none = aiotsec_adm_get_authentication(adm, &req, ans);
    printf("unknown device: %s; filter c3/8: %s\n", aiotsec_status_name(unknown), aiotsec_status_name(none));

    aiotsec_wipe(kaiotf, sizeof kaiotf);
    aiotsec_auth_answer_free(ans);
    aiotsec_adm_free(adm);
    aiotsec_memstore_free(store);
    aiotsec_ctx_free(ctx);
    return rc == 0 && sets == 2 && per_set == 3 && named == 0 && unknown == AIOTSEC_E_UNKNOWN_DEVICE &&
                   none == AIOTSEC_E_NO_CANDIDATE
               ? 0
               : 1;
}
