/* The devices of `aiotsec demo` and the network around them: key store, ADM
 * (behind a client table that narrates the Nadm_Sec calls) and AIOTF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

static int push(demo *d, const uint8_t *ident, size_t il, const uint8_t *perm, size_t pl,
                const uint8_t *key, size_t kl)
{
    if (d->n_devs == d->cap_devs) {
        size_t n = d->cap_devs ? 2 * d->cap_devs : 64;
        demo_dev *p = realloc(d->devs, n * sizeof *p);
        if (!p)
            return AIOTSEC_E_NO_MEMORY;
        d->devs = p;
        d->cap_devs = n;
    }
    demo_dev *v = &d->devs[d->n_devs++];
    memset(v, 0, sizeof *v);
    memcpy(v->ident, ident, il);
    memcpy(v->perm, perm, pl);
    memcpy(v->key, key, kl);
    v->ident_len = (uint8_t)il;
    v->perm_len = (uint8_t)pl;
    v->key_len = (uint8_t)kl;
    return AIOTSEC_OK;
}

int demo_roster_generate(demo *d, size_t count)
{
    int rc = aiotsec_memstore_new(&d->store, d->ctx, count);
    uint8_t keys[2048 * 16];
    for (size_t i = 0; rc == AIOTSEC_OK && i < count; i++) {
        if (i % 2048 == 0) /* fresh keys from the CSPRNG, 2048 at a time */
            rc = aiotsec_random(d->ctx, keys, sizeof keys);
        /* Identification information: 0xA1 then the device number (5 octets);
         * Permanent Identifier: printable, like a PEI. */
        uint8_t ident[5] = {0xA1, (uint8_t)((i + 1) >> 24), (uint8_t)((i + 1) >> 16),
                            (uint8_t)((i + 1) >> 8), (uint8_t)(i + 1)};
        char perm[32];
        int pl = snprintf(perm, sizeof perm, "PEI-%010zu", i + 1);
        const uint8_t *key = keys + (i % 2048) * 16;
        if (rc == AIOTSEC_OK)
            rc = push(d, ident, sizeof ident, (const uint8_t *)perm, (size_t)pl, key, 16);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_memstore_add(d->store, ident, sizeof ident, (const uint8_t *)perm, (size_t)pl, key, 16);
    }
    aiotsec_wipe(keys, sizeof keys);
    return rc;
}

static int roster_line(void *user, size_t line, const uint8_t *ident, size_t il, const uint8_t *perm,
                       size_t pl, const uint8_t *key, size_t kl)
{
    (void)line;
    return push(user, ident, il, perm, pl, key, kl);
}

int demo_roster_from_file(demo *d, const char *path)
{
    size_t line = 0;
    int rc = aiotsec_memstore_new(&d->store, d->ctx, 0);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_memstore_load_file(d->store, path, &line);
    if (rc == AIOTSEC_OK) /* the tags' side of the same file */
        rc = aiotsec_keyfile_read_file(path, roster_line, d, &line);
    if (rc != AIOTSEC_OK) {
        if (line)
            fprintf(stderr, "aiotsec: %s:%zu: %s\n", path, line, aiotsec_strerror(rc));
        else
            fprintf(stderr, "aiotsec: %s: %s\n", path, aiotsec_strerror(rc));
    }
    return rc;
}

/* --- the narrating ADM client: steps 1, 7-9 and 11 as they happen ---------- */

static int nar_rand(void *user, uint8_t *rand_n, size_t cap)
{
    demo *d = user;
    int rc = d->adm_local.rand_get(d->adm_local.user, rand_n, cap);
    if (rc == AIOTSEC_OK && d->verbose) {
        char h[80];
        demo_hex(rand_n, aiotsec_rand_n_len(d->ctx), h, sizeof h);
        demo_step(d, "1", "AIOTF -> ADM", "Nadm_SecRAND_Get: RAND_AIOT_n = %s", h);
    }
    return rc;
}

static int nar_auth(void *user, const uint8_t *ident, size_t il, const uint8_t *rn, size_t rnl,
                    const uint8_t *rd, size_t rdl, uint8_t *xres, size_t xc, uint8_t *perm, size_t pc,
                    size_t *pl)
{
    demo *d = user;
    d->adm_auth_calls++;
    char h[140];
    if (d->verbose) {
        demo_hex(ident, il, h, sizeof h);
        demo_step(d, "7", "AIOTF -> ADM", "Nadm_SecAuthentication_Get(ident %s, RAND_AIOT_n, RAND_AIOT_d)", h);
    }
    int rc = d->adm_local.authentication_get(d->adm_local.user, ident, il, rn, rnl, rd, rdl, xres, xc, perm, pc, pl);
    if (d->verbose) {
        if (rc == AIOTSEC_OK) {
            demo_step(d, "8", "ADM", "XRES_AIOT = KDF(K_AIOT_root, FC 0xA0, RAND_AIOT_n, RAND_AIOT_d) (not shown)");
            demo_step(d, "9", "ADM -> AIOTF", "XRES_AIOT, Permanent Identifier %.*s", (int)*pl, (const char *)perm);
        } else {
            demo_step(d, "9", "ADM -> AIOTF", "error %s", aiotsec_status_name(rc));
        }
    }
    return rc;
}

static int nar_skey(void *user, const uint8_t *perm, size_t pl, const uint8_t *rn, size_t rnl,
                    const uint8_t *rd, size_t rdl, uint8_t *k, size_t kc)
{
    demo *d = user;
    /* Only called after RES_AIOT matched: step 10 comes first in the spec. */
    demo_step(d, "10", "AIOTF", "RES_AIOT == XRES_AIOT (constant time): device authenticated");
    d->step10_shown = 1;
    int rc = d->adm_local.session_key_get(d->adm_local.user, perm, pl, rn, rnl, rd, rdl, k, kc);
    demo_step(d, "11", "AIOTF -> ADM", "Nadm_SecSessionKey_Get(%.*s, RAND_AIOT_n, RAND_AIOT_d): K_AIOTF %s",
              (int)pl, (const char *)perm, rc == AIOTSEC_OK ? "derived (not shown)" : aiotsec_status_name(rc));
    return rc;
}

int demo_build_network(demo *d)
{
    aiotsec_keystore ks;
    int rc = aiotsec_memstore_keystore(d->store, &ks);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_adm_new(&d->adm, d->ctx, &ks);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_adm_client_local(d->adm, &d->adm_local);
    if (rc != AIOTSEC_OK)
        return rc;
    aiotsec_adm_client nar;
    memset(&nar, 0, sizeof nar);
    nar.struct_size = (uint32_t)sizeof nar;
    nar.user = d;
    nar.rand_get = nar_rand;
    nar.authentication_get = nar_auth;
    nar.session_key_get = nar_skey;
    aiotsec_aiotf_config cfg;
    aiotsec_aiotf_config_init(&cfg, d->ctx);
    cfg.max_pending = 4096;
    cfg.timeout_ms = 5000;
    rc = aiotsec_aiotf_new(&d->aiotf, d->ctx, &nar, &cfg);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_aiotf_new(&d->bulk, d->ctx, &d->adm_local, &cfg);
    return rc;
}

void demo_stats(const demo *d, aiotsec_aiotf_stats *out)
{
    aiotsec_aiotf_stats a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    aiotsec_aiotf_stats_get(d->aiotf, &a);
    aiotsec_aiotf_stats_get(d->bulk, &b);
    memset(out, 0, sizeof *out);
    out->started = a.started + b.started;
    out->authenticated = a.authenticated + b.authenticated;
    out->auth_failed = a.auth_failed + b.auth_failed;
    out->unsolicited = a.unsolicited + b.unsolicited;
    out->late = a.late + b.late;
    out->malformed = a.malformed + b.malformed;
    out->adm_calls = a.adm_calls + b.adm_calls;
    out->commands_sent = a.commands_sent + b.commands_sent;
    out->responses_ok = a.responses_ok + b.responses_ok;
    out->responses_rejected = a.responses_rejected + b.responses_rejected;
    out->expired = a.expired + b.expired;
}

void demo_free(demo *d)
{
    aiotsec_aiotf_free(d->bulk);
    aiotsec_aiotf_free(d->aiotf);
    aiotsec_adm_free(d->adm);
    aiotsec_memstore_free(d->store);
    if (d->devs)
        aiotsec_wipe(d->devs, d->cap_devs * sizeof *d->devs);
    free(d->devs);
    aiotsec_ctx_free(d->ctx);
}
