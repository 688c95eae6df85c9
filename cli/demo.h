/* The `aiotsec demo` command: state shared by its files.
 *
 *   cmd_demo.c        options, the order of the sections, the exit status
 *   demo_roster.c     the tags: built in, generated (--count) or a key file (--devices)
 *   demo_plan.c       the paging plan: the roster split into filters (spec 6.2)
 *   demo_net.c        key store, ADM, AIOTF, and the transport that carries the
 *                     AIOTF's queued requests to the in-process ADM (narrated, counted)
 *   demo_tag.c        simulated tags (the device role in demo storage)
 *   demo_proc.c       one procedure's steps 1-10 as the sections use them
 *   demo_inventory.c  the group inventory of every tag
 *   demo_commands.c   READ, WRITE, READ-back, write-protected WRITE, PERMANENT_DISABLE
 *   demo_attacks.c    the attacks, each expected to fail with its own status
 *   demo_print.c      narration, checks and verdicts (never given a secret)
 *   demo_report.c     the summary, as text or JSON
 */
#ifndef AIOTSEC_CLI_DEMO_H
#define AIOTSEC_CLI_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

#define DEMO_TAG_MEM 256     /* user memory of a simulated tag */
#define DEMO_WP_LEN 16       /* its first 16 octets (the serial number) are write-protected */
#define DEMO_NARRATE_MAX 16  /* rosters up to this size are narrated step by step */
#define DEMO_LIVE_TAGS 32    /* tags that keep their state between steps */
#define DEMO_SENT_MAX 64     /* reports remembered for step 10 (narrated procedures) */
#define DEMO_REACH_MAX 8     /* tags one attacker paging reaches at most */
#define DEMO_TIMEOUT_MS 5000 /* the AIOTF's reporting window */
#define DEMO_PDU_MAX 64      /* room for an AUTHENTICATION RESPONSE (37 octets in profile 0) */

/* One tag of the roster: the network's key-store record, which is also what the
 * demo needs to simulate the tag itself. */
typedef struct demo_rec {
    uint8_t perm[AIOTSEC_ID_MAX];
    uint8_t key[AIOTSEC_KROOT_MAX];
    uint8_t perm_len, key_len;
    uint8_t disabled; /* the tag answered PERMANENT_DISABLE with success: the network knows */
} demo_rec;

/* One paging of the inventory plan: a filter that addresses exactly the tags
 * roster[first .. first + count), or (filter_len 0) the tag roster[first] by name. */
typedef struct demo_group {
    size_t first, count;
    uint8_t filter[AIOTSEC_FILTER_MAX];
    size_t filter_len;
} demo_group;

/* A simulated tag: the device role in storage the demo owns. */
typedef struct demo_tag {
    size_t index; /* roster index; SIZE_MAX for an impostor */
    void *storage;
    aiotsec_device *dev;
    uint8_t memory[DEMO_TAG_MEM];
} demo_tag;

/* A report handed to the AIOTF in a narrated procedure: who sent it, for step 10. */
typedef struct demo_sent {
    uint64_t report_id;
    uint8_t rand_d[AIOTSEC_RAND_LEN];
    size_t tag; /* roster index; SIZE_MAX for the attacker */
} demo_sent;

/* One command exchange on the air: AIOTF -> tag -> AIOTF. */
#define DEMO_WIRE_MAX 1100 /* a COMMAND REQUEST or RESPONSE with 1024 octets of data fits */
typedef struct demo_wire {
    uint8_t req[DEMO_WIRE_MAX], resp[DEMO_WIRE_MAX], work[DEMO_WIRE_MAX];
    size_t req_len, resp_len;
    aiotsec_nas_msg msg;
} demo_wire;

/* How often a status was the outcome of a rejection. */
typedef struct demo_count {
    int status;
    unsigned long n;
} demo_count;

/* Answers beyond a procedure's cap the AIOTF holds back (in case one ahead proves forged). */
#define DEMO_SPARES 2

typedef struct demo {
    int json;                /* only the JSON summary on stdout */
    int verbose;             /* narrate the steps of the current section */
    int progress;            /* a progress line on stderr (terminal, large runs) */
    size_t group_size;       /* the most tags one filter addresses (--group) */

    demo_rec *recs;          /* the roster, sorted by Permanent Identifier */
    size_t n_recs;
    demo_group *groups;      /* the paging plan */
    size_t n_groups, cap_groups, n_filters, max_group;

    aiotsec_ctx *ctx;
    aiotsec_memstore *store;
    aiotsec_batch_pool *pool; /* the ADM's worker pool (large rosters, several CPUs) */
    unsigned threads;
    aiotsec_adm *adm;
    aiotsec_auth_answer *ans; /* scratch answer of the transport */
    aiotsec_aiotf *aiotf;
    size_t spares;            /* answers the AIOTF holds back beyond a cap */
    uint64_t clock_ms;        /* the simulated monotonic clock given to the AIOTF */

    uint64_t adm_ops[AIOTSEC_ADM_GET_TID + 1]; /* requests carried, per aiotsec_adm_op */
    uint64_t adm_derivations; /* |candidates| x |randDlist| summed over answered requests */
    size_t cand_min, cand_max; /* candidates per RAND_AIOT_d seen since the last reset */

    demo_tag tags[DEMO_LIVE_TAGS];
    size_t n_tags;
    demo_sent sent[DEMO_SENT_MAX];
    size_t n_sent;

    demo_wire wire;           /* the exchange on the air */
    uint8_t captured[DEMO_WIRE_MAX]; /* a COMMAND REQUEST recorded off the air */
    size_t captured_len;
    size_t disabled;          /* the tag the command sequence disabled, or SIZE_MAX */

    size_t authenticated;     /* roster tags identified by the group inventory */
    size_t checks, checks_failed;
    size_t attacks, attacks_rejected;
    unsigned long commands;   /* command exchanges completed */
    demo_count rejected[24];  /* rejections observed, by status */
    size_t n_rejected;
} demo;

/* demo_roster.c: fills d->recs (sorted) and loads the same tags into d->store. */
int demo_roster_builtin(demo *d);
int demo_roster_generate(demo *d, size_t count, size_t group);
int demo_roster_from_file(demo *d, const char *path); /* prints file:line on error */
const char *demo_perm_hex(const demo *d, size_t i, char *buf, size_t cap);

/* demo_plan.c: the roster split into filters of at most d->group_size tags. */
int demo_plan_make(demo *d);
/* Bits roster[i] and roster[j] share from the start. */
size_t demo_common_bits(const demo *d, size_t i, size_t j);
/* The tightest filter around roster[i] and roster[i + 1]; *first and *count
 * receive the roster range it addresses. */
void demo_plan_pair(const demo *d, size_t i, uint8_t *filter, size_t *filter_len, size_t *first,
                    size_t *count);
/* The filter of the first `bits` bits of a Permanent Identifier. */
size_t demo_prefix_filter(const demo *d, const uint8_t *perm, size_t bits, uint8_t *filter);
/* Whether roster[i] is addressed by a filter (per the spec's rule, computed here). */
int demo_addressed(const demo *d, size_t i, const uint8_t *filter, size_t filter_len);
const char *demo_filter_text(const uint8_t *filter, size_t filter_len, char *buf, size_t cap);

/* demo_net.c */
int demo_net_build(demo *d);
void demo_net_free(demo *d);
/* Carries every request the AIOTF has queued to the ADM and the answers back. */
void demo_adm_pump(demo *d);

/* demo_tag.c */
demo_tag *demo_tag_of(demo *d, size_t i);      /* the live tag of roster[i] (NULL: no memory) */
int demo_tag_make(demo *d, demo_tag *t, size_t i, const uint8_t *key); /* key: an impostor's, or NULL */
void demo_tag_free(demo_tag *t);
void demo_tags_free(demo *d);

/* demo_proc.c: the steps of one procedure. */
int demo_proc_start(demo *d, int type, const uint8_t *perm, size_t perm_len, const uint8_t *filter,
                    size_t filter_len, uint32_t expected, uint64_t *proc, uint8_t rand_n[AIOTSEC_RAND_LEN]);
/* pdu: DEMO_PDU_MAX octets. */
int demo_proc_page(demo *d, demo_tag *t, const uint8_t *rand_n, const uint8_t *perm, size_t perm_len,
                   const uint8_t *filter, size_t filter_len, uint8_t *pdu, size_t *pdu_len);
int demo_proc_report(demo *d, size_t tag, const uint8_t *rand_n, const uint8_t *pdu, size_t pdu_len,
                     uint64_t *report_id);
/* Step 10 for the reports whose RAND_AIOT_d the transport just had answered. */
void demo_proc_verdicts(demo *d, const uint8_t *rand_d, size_t count, const aiotsec_auth_answer *ans);
int demo_proc_result(demo *d, uint64_t proc, const char *what);
/* How many of roster[first .. first + count) their reports identified as themselves
 * (report_ids[j]: the report of roster[first + j], 0 if none). */
size_t demo_proc_identified(demo *d, size_t first, size_t count, const uint64_t *report_ids);

/* demo_commands.c: one exchange (C1-C4): the response's ::aiotsec_cmd_status, or a negative status. */
int demo_cmd_send(demo *d, uint64_t report, demo_wire *w, int cmd, uint16_t off, uint16_t len,
                  const uint8_t *data, size_t data_len);
int demo_cmd_deliver(demo *d, demo_tag *t, demo_wire *w, const uint8_t *req, size_t req_len);
int demo_cmd_exchange(demo *d, demo_tag *t, uint64_t report, demo_wire *w, int cmd, uint16_t off, uint16_t len,
                      const uint8_t *data, size_t data_len);
/* A command procedure that pages roster[first .. first + count) (by name when count is 1 and
 * no filter is given) and secures every tag that answers: their reports in ids[]. */
int demo_secure(demo *d, const uint8_t *filter, size_t filter_len, size_t first, size_t count, uint64_t *proc,
                uint64_t *ids);

/* demo_inventory.c, demo_commands.c, demo_attacks.c: the sections. */
int demo_inventory(demo *d);
void demo_command_sequence(demo *d);
void demo_attacks(demo *d);

/* demo_print.c */
void demo_hex(const uint8_t *p, size_t n, char *out, size_t cap);
void demo_say(const demo *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void demo_step(const demo *d, const char *num, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void demo_check(demo *d, int ok, const char *what, int rc);
void demo_attack(demo *d, const char *what, int got, int want);
void demo_rejected(demo *d, int status);

/* demo_report.c */
void demo_report_text(const demo *d, double secs, int ok);
void demo_report_json(const demo *d, double secs, int ok);

#endif
