#define _POSIX_C_SOURCE 200809L
/* The AIOTF's client (libaiotsec-h2client, linked here from its objects) against
 * peers that never answer, on 127.0.0.1 only, each test bounded to a few seconds:
 *
 * - while its one connection is being opened (libcurl < 8.0.0, h2c: the opener goes
 *   alone, the others wait for its answer), the pump waits in curl_multi_poll: it
 *   does not spin on the CPU until the opener's timeout;
 * - a request of a batch that cannot be prepared (out of memory, injected here with
 *   -Wl,--wrap=malloc on the client's objects) is handed back only after the whole
 *   batch is copied: the AIOTF may end the procedure when it gets that failure
 *   (here the application does, from its event callback), which wipes the views
 *   the later requests of the batch point into. (h2 area) */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/h2_client.h"

/* --- malloc of the client's objects, failing on demand ------------------------------- */

void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
static int fail_mallocs; /* the next this many mallocs of the client's code fail */

void *__wrap_malloc(size_t n)
{
    if (fail_mallocs > 0) {
        fail_mallocs--;
        return NULL;
    }
    return __real_malloc(n);
}

/* --- peers ------------------------------------------------------------------------------ */

/* A socket bound to 127.0.0.1 on a free port; listening (connections complete in
 * the backlog, nobody ever accepts or answers them) or closed (connections refused). */
static int local_port(int listening, int *fd_out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    if (listening) {
        cr_assert_eq(listen(fd, 16), 0);
        *fd_out = fd;
    } else {
        close(fd);
        *fd_out = -1;
    }
    return ntohs(a.sin_port);
}

static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const uint8_t GROUP_A1[] = {8, 0xa1}; /* filter: the first 8 bits are a1 */

static aiotsec_aiotf *make_aiotf(aiotsec_ctx *ctx, size_t max_batch)
{
    aiotsec_aiotf_config cfg;
    cr_assert_eq(aiotsec_aiotf_config_init(&cfg, ctx), AIOTSEC_OK);
    cfg.max_procedures = 8;
    cfg.max_reports = 16;
    cfg.max_requests = 16;
    cfg.max_batch = max_batch;
    cfg.timeout_ms = 5000;
    cfg.spare_reports = 0;
    aiotsec_aiotf *f = NULL;
    cr_assert_eq(aiotsec_aiotf_new(&f, ctx, &cfg), AIOTSEC_OK);
    return f;
}

static aiotsec_h2c *make_client(int port, aiotsec_h2c_event_fn on_event, void *arg)
{
    char root[64];
    snprintf(root, sizeof root, "http://127.0.0.1:%d", port);
    aiotsec_h2c_config cfg;
    cr_assert_eq(aiotsec_h2c_config_init(&cfg), AIOTSEC_OK);
    cfg.api_root = root; /* copied */
    cfg.connections = 1;
    cfg.request_timeout_ms = 1500;
    cfg.connect_timeout_ms = 1000;
    cfg.on_event = on_event;
    cfg.event_arg = arg;
    aiotsec_h2c *c = NULL;
    cr_assert_eq(aiotsec_h2c_new(&c, &cfg), AIOTSEC_OK);
    return c;
}

/* Three procedures: three getRand requests at once on one connection that never
 * answers. The first opens the connection; over h2c with libcurl < 8.0.0 the
 * others wait for its answer (h2c_send.c), and over TLS or with a newer libcurl
 * they go along: either way nothing is due before the opener's timeout, and the
 * pump must sleep, not spin. */
Test(h2_client, pump_sleeps_while_its_connection_opens)
{
    aiotsec_ctx *ctx = NULL;
    cr_assert_eq(aiotsec_ctx_new(&ctx, NULL, NULL), AIOTSEC_OK);
    aiotsec_aiotf *aiotf = make_aiotf(ctx, 4);
    int lfd = -1;
    aiotsec_h2c *client = make_client(local_port(1, &lfd), NULL, NULL);
    uint64_t proc[3];
    for (int i = 0; i < 3; i++)
        cr_assert_eq(aiotsec_aiotf_start(aiotf, (uint64_t)(seconds(CLOCK_MONOTONIC) * 1e3), AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, sizeof GROUP_A1,
                                         1, &proc[i]),
                     AIOTSEC_OK);
    double cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID), wall0 = seconds(CLOCK_MONOTONIC);
    size_t answered = 99;
    cr_assert_eq(aiotsec_h2c_pump(client, aiotf, 800, &answered), AIOTSEC_OK);
    double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0, wall = seconds(CLOCK_MONOTONIC) - wall0;
    cr_assert_eq(answered, 0, "nobody answers: nothing can be handed back yet");
    cr_assert_eq(aiotsec_h2c_in_flight(client), 3);
    cr_assert(wall >= 0.7, "the pump waited its 800 ms (%.3f s)", wall);
    cr_assert(cpu < 0.25 * wall, "the pump spun: %.3f s of CPU in %.3f s", cpu, wall);
    aiotsec_h2c_free(client);
    aiotsec_aiotf_free(aiotf);
    aiotsec_ctx_free(ctx);
    close(lfd);
}

/* --- a failure inside a batch --------------------------------------------------------- */

typedef struct seen {
    aiotsec_aiotf *aiotf;
    const uint8_t *rand_n;
    int events, no_memory, auth_with_rand_n, auth_wiped;
} seen;

/* The application gives up a procedure on a hard error (aiotsec_aiotf_finish), which
 * the AIOTF allows at any time; it records what each request carried. */
static void on_event(void *arg, const aiotsec_h2c_event *ev)
{
    seen *s = arg;
    s->events++;
    if (ev->status == AIOTSEC_E_NO_MEMORY) {
        s->no_memory++;
        (void)aiotsec_aiotf_finish(s->aiotf, ev->req->proc_id);
        return;
    }
    if (ev->req->op == AIOTSEC_ADM_GET_AUTHENTICATION) {
        if (ev->req->rand_n && !memcmp(ev->req->rand_n, s->rand_n, 16))
            s->auth_with_rand_n++;
        else
            s->auth_wiped++;
    }
}

static int test_rand(void *user, uint8_t *out, size_t len)
{
    uint64_t *st = user;
    for (size_t i = 0; i < len; i++) {
        *st = *st * 6364136223846793005ull + 1442695040888963407ull;
        out[i] = (uint8_t)(*st >> 56);
    }
    return 0;
}

Test(h2_client, batch_copied_before_a_failure_is_handed_back)
{
    static const uint8_t perm[2][5] = {{0xa1, 0, 0, 0, 1}, {0xa1, 0, 0, 0, 2}};
    static const uint8_t rand_n[16] = {0x5a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    aiotsec_ctx *ctx = NULL;
    cr_assert_eq(aiotsec_ctx_new(&ctx, NULL, NULL), AIOTSEC_OK);
    /* one RAND_AIOT_d per getAuthentication: two reports, two requests of one procedure */
    aiotsec_aiotf *aiotf = make_aiotf(ctx, 1);
    uint64_t now = (uint64_t)(seconds(CLOCK_MONOTONIC) * 1e3), proc = 0;
    cr_assert_eq(aiotsec_aiotf_start(aiotf, now, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, sizeof GROUP_A1, 2, &proc),
                 AIOTSEC_OK);
    aiotsec_adm_request rq;
    size_t n = 0;
    cr_assert_eq(aiotsec_aiotf_next_requests(aiotf, now, &rq, 1, &n), AIOTSEC_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(rq.op, AIOTSEC_ADM_GET_RAND);
    cr_assert_eq(aiotsec_aiotf_on_rand(aiotf, rq.id, now, AIOTSEC_OK, rand_n, 16, NULL), AIOTSEC_OK);
    /* two tags of the group answer the paging */
    void *mem[2];
    aiotsec_device *dev[2];
    uint8_t key[32], memory[2][64];
    uint64_t rng[2] = {7, 8};
    memset(key, 0x42, sizeof key);
    for (int i = 0; i < 2; i++) {
        aiotsec_device_config dc;
        cr_assert_eq(aiotsec_device_config_init(&dc, ctx), AIOTSEC_OK);
        dc.perm_id = perm[i];
        dc.perm_id_len = sizeof perm[i];
        dc.k_root = key;
        dc.k_root_len = 32;
        memset(memory[i], 0, sizeof memory[i]);
        dc.memory = memory[i];
        dc.memory_len = sizeof memory[i];
        dc.wp_offset = 0;
        dc.wp_len = 16;
        dc.rand = test_rand;
        dc.rand_user = &rng[i];
        mem[i] = aligned_alloc(16, (aiotsec_device_statebytes() + 15) & ~(size_t)15);
        cr_assert_eq(aiotsec_device_init(&dev[i], mem[i], aiotsec_device_statebytes(), ctx, &dc), AIOTSEC_OK);
        uint8_t pdu[64];
        size_t pl = 0;
        cr_assert_eq(aiotsec_device_on_paging(dev[i], rand_n, 16, NULL, 0, GROUP_A1, sizeof GROUP_A1, pdu, sizeof pdu,
                                              &pl),
                     AIOTSEC_OK);
        cr_assert_eq(aiotsec_aiotf_on_report(aiotf, now, rand_n, 16, pdu, pl, NULL), AIOTSEC_OK);
    }
    (void)aiotsec_aiotf_flush(aiotf, proc);
    cr_assert_eq(aiotsec_aiotf_queued_requests(aiotf), 2);
    /* the ADM's port refuses connections: the second request fails fast, as no answer */
    int unused;
    seen s = {.aiotf = aiotf, .rand_n = rand_n};
    aiotsec_h2c *client = make_client(local_port(0, &unused), on_event, &s);
    fail_mallocs = 1; /* the first request's body: out of memory */
    for (int k = 0; k < 40 && (s.events < 2 || aiotsec_h2c_in_flight(client)); k++)
        cr_assert_eq(aiotsec_h2c_pump(client, aiotf, 100, NULL), AIOTSEC_OK);
    fail_mallocs = 0;
    cr_assert_eq(s.no_memory, 1);
    cr_assert_eq(s.auth_wiped, 0, "a request was copied from views its procedure's end had wiped");
    cr_assert_eq(s.auth_with_rand_n, 1, "events: %d", s.events);
    aiotsec_h2c_free(client);
    aiotsec_aiotf_free(aiotf);
    for (int i = 0; i < 2; i++) {
        aiotsec_device_clear(dev[i]);
        free(mem[i]);
    }
    aiotsec_ctx_free(ctx);
}
