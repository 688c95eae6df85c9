/* The client object: configuration, libcurl's multi handle and the lanes, the
 * slots (allocated once: nothing grows per request but a slot's own buffers,
 * up to the largest request and response seen), counters. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "h2c_internal.h"

#define DEFAULT_CONNECTIONS 2u
#define DEFAULT_IN_FLIGHT 64u

static uint64_t monotonic_ms(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t h2c_now(aiotsec_h2c *c)
{
    return c->cfg.clock(c->cfg.clock_arg);
}

AIOTSEC_H2C_API int aiotsec_h2c_config_init(aiotsec_h2c_config *cfg)
{
    if (!cfg)
        return AIOTSEC_E_NULL_ARG;
    memset(cfg, 0, sizeof *cfg);
    cfg->struct_size = sizeof *cfg;
    cfg->connections = DEFAULT_CONNECTIONS;
    cfg->max_in_flight = DEFAULT_IN_FLIGHT;
    cfg->request_timeout_ms = 2000;
    cfg->connect_timeout_ms = 1000;
    cfg->retry_delay_ms = 50;
    cfg->retry_delay_max_ms = 1000;
    cfg->max_auth_entries = 65536;
    return AIOTSEC_OK;
}

static int check(const aiotsec_h2c_config *cfg)
{
    if (cfg->struct_size != sizeof *cfg || !cfg->api_root)
        return AIOTSEC_E_BAD_VALUE;
    if (strncmp(cfg->api_root, "http://", 7) != 0 && strncmp(cfg->api_root, "https://", 8) != 0)
        return AIOTSEC_E_BAD_VALUE;
    if (cfg->connections < 1 || cfg->connections > H2C_LANES_MAX || cfg->max_in_flight < 1 ||
        cfg->max_in_flight > 4096 || !cfg->request_timeout_ms || !cfg->connect_timeout_ms ||
        cfg->retry_delay_max_ms < cfg->retry_delay_ms || cfg->max_auth_entries < 1 ||
        cfg->max_auth_entries > (1u << 24))
        return AIOTSEC_E_BAD_VALUE;
    return AIOTSEC_OK;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    h2c_slot *s = arg;
    size_t len = size * n;
    if (len > AIOTSEC_SBI_BODY_MAX - s->resp_len) {
        s->resp_over = 1;
        return 0; /* aborts the transfer: an answer that large is not one */
    }
    if (s->resp_len + len + 1 > s->resp_cap) {
        size_t cap = s->resp_cap ? s->resp_cap : 1024;
        while (cap < s->resp_len + len + 1)
            cap *= 2;
        char *bigger = malloc(cap); /* not realloc: the old copy may hold XRES_AIOT; it is wiped */
        if (!bigger)
            return 0;
        if (s->resp) {
            memcpy(bigger, s->resp, s->resp_len);
            aiotsec_wipe(s->resp, s->resp_cap);
            free(s->resp);
        }
        s->resp = bigger;
        s->resp_cap = cap;
    }
    memcpy(s->resp + s->resp_len, data, len);
    s->resp_len += len;
    return len;
}

static int slot_init(aiotsec_h2c *c, h2c_slot *s)
{
    s->easy = curl_easy_init();
    if (!s->easy)
        return AIOTSEC_E_NO_MEMORY;
    CURL *e = s->easy;
    int https = c->https;
    CURLcode r = CURLE_OK;
    /* every transfer of this slot: the same settings; the URL, body, lane and (h2c)
     * HTTP version change, h2c_send.c */
    r |= curl_easy_setopt(e, CURLOPT_POST, 1L);
    r |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    r |= curl_easy_setopt(e, CURLOPT_USERAGENT, "AIOTF-aiotsec/" AIOTSEC_VERSION_STRING);
    r |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    r |= curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    r |= curl_easy_setopt(e, CURLOPT_PRIVATE, s);
    r |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
    r |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    r |= curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L); /* wait for the lane's connection rather than open another */
    r |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)c->cfg.connect_timeout_ms);
    r |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    r |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, https ? "https" : "http");
    if (c->ca_file)
        r |= curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
    return r == CURLE_OK ? AIOTSEC_OK : AIOTSEC_E_BAD_VALUE;
}

static char *copy(const char *s, int *ok)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *ok = 0;
    return d;
}

AIOTSEC_H2C_API int aiotsec_h2c_new(aiotsec_h2c **out, const aiotsec_h2c_config *cfg)
{
    if (!out || !cfg)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    int rc = check(cfg);
    if (rc != AIOTSEC_OK)
        return rc;
    aiotsec_h2c *c = calloc(1, sizeof *c);
    if (!c)
        return AIOTSEC_E_NO_MEMORY;
    c->cfg = *cfg;
    if (!c->cfg.clock)
        c->cfg.clock = monotonic_ms;
    int ok = 1;
    c->api_root = copy(cfg->api_root, &ok);
    c->ca_file = copy(cfg->ca_file, &ok);
    rc = ok ? AIOTSEC_OK : AIOTSEC_E_NO_MEMORY;
    if (rc == AIOTSEC_OK) {
        size_t n = strlen(c->api_root);
        while (n && c->api_root[n - 1] == '/')
            c->api_root[--n] = 0; /* "http://h:1/" and "http://h:1" name the same apiRoot */
    }
    c->cfg.api_root = c->api_root;
    c->cfg.ca_file = c->ca_file;
    c->https = c->api_root && !strncmp(c->api_root, "https://", 8);
    if (rc == AIOTSEC_OK && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        rc = AIOTSEC_E_BACKEND_FAILURE;
    else if (rc == AIOTSEC_OK)
        c->curl_global = 1;
    if (rc == AIOTSEC_OK) {
        const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
        if (!v || !(v->features & CURL_VERSION_HTTP2))
            rc = AIOTSEC_E_UNSUPPORTED; /* a libcurl without nghttp2 cannot speak to an ADM */
        else
            c->reuse_workaround = !c->https && v->version_num < 0x080000;
    }
    for (int op = AIOTSEC_ADM_GET_RAND; rc == AIOTSEC_OK && op <= AIOTSEC_ADM_GET_TID; op++) {
        const char *path = NULL;
        (void)aiotsec_sbi_op_path(op, &path);
        size_t len = strlen(c->api_root) + strlen("/nadm-sec/v1") + strlen(path) + 1;
        if (!(c->url[op] = malloc(len)))
            rc = AIOTSEC_E_NO_MEMORY;
        else
            (void)snprintf(c->url[op], len, "%s/nadm-sec/v1%s", c->api_root, path);
    }
    if (rc == AIOTSEC_OK) {
        struct curl_slist *h = curl_slist_append(NULL, "content-type: application/json");
        h = h ? curl_slist_append(h, "accept: application/json, application/problem+json") : NULL;
        c->headers = h;
        c->multi = curl_multi_init();
        if (!h || !c->multi)
            rc = AIOTSEC_E_NO_MEMORY;
    }
    if (rc == AIOTSEC_OK) {
        curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
        curl_multi_setopt(c->multi, CURLMOPT_MAX_CONCURRENT_STREAMS, (long)cfg->max_in_flight);
    }
    for (unsigned i = 0; rc == AIOTSEC_OK && i < cfg->connections; i++) {
        /* a share with its own connection cache: the lane's transfers share one connection */
        c->lanes[i].share = curl_share_init();
        c->lanes[i].state = c->https ? H2C_LANE_READY : H2C_LANE_IDLE;
        if (!c->lanes[i].share || curl_share_setopt(c->lanes[i].share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT))
            rc = AIOTSEC_E_NO_MEMORY;
    }
    if (rc == AIOTSEC_OK && !(c->slots = calloc(cfg->max_in_flight, sizeof *c->slots)))
        rc = AIOTSEC_E_NO_MEMORY;
    for (size_t i = 0; rc == AIOTSEC_OK && i < cfg->max_in_flight; i++) {
        rc = slot_init(c, &c->slots[i]);
        c->n_slots = i + 1;
    }
    if (rc == AIOTSEC_OK)
        rc = aiotsec_auth_answer_new(&c->ans, cfg->max_auth_entries);
    if (rc != AIOTSEC_OK) {
        aiotsec_h2c_free(c);
        return rc;
    }
    *out = c;
    return AIOTSEC_OK;
}

AIOTSEC_H2C_API void aiotsec_h2c_free(aiotsec_h2c *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_slots; i++) {
        h2c_slot *s = &c->slots[i];
        if (s->state == H2C_ACTIVE)
            curl_multi_remove_handle(c->multi, s->easy);
        if (s->easy)
            curl_easy_cleanup(s->easy);
        if (s->resp)
            aiotsec_wipe(s->resp, s->resp_cap);
        free(s->resp);
        free(s->body);
        free(s->rand_d);
    }
    free(c->slots);
    for (unsigned i = 0; i < H2C_LANES_MAX; i++)
        if (c->lanes[i].share)
            curl_share_cleanup(c->lanes[i].share);
    if (c->multi)
        curl_multi_cleanup(c->multi);
    curl_slist_free_all(c->headers);
    for (int op = 0; op <= AIOTSEC_ADM_GET_TID; op++)
        free(c->url[op]);
    aiotsec_auth_answer_free(c->ans);
    if (c->curl_global)
        curl_global_cleanup();
    free(c->api_root);
    free(c->ca_file);
    free(c);
}

AIOTSEC_H2C_API size_t aiotsec_h2c_in_flight(const aiotsec_h2c *c)
{
    return c ? c->busy : 0;
}

AIOTSEC_H2C_API int aiotsec_h2c_stats_get(const aiotsec_h2c *c, aiotsec_h2c_stats *out)
{
    if (!c || !out)
        return AIOTSEC_E_NULL_ARG;
    *out = c->stats;
    return AIOTSEC_OK;
}
