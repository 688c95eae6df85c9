/* `aiotsec inventory`: state shared by its two files.
 *
 *   cmd_inventory.c   options, the AIOTF and its HTTP/2 client, the procedure, the output
 *   inventory_tags.c  the simulated tags (their keys from the key file, standing in
 *                     for the radio): loading, the default filter, answering a paging */
#ifndef AIOTSEC_CLI_INVENTORY_H
#define AIOTSEC_CLI_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

#define INV_PDU_MAX 64 /* an AUTHENTICATION RESPONSE (37 octets in profile 0) */

typedef struct inv_tag {
    uint8_t perm[AIOTSEC_ID_MAX];
    uint8_t key[AIOTSEC_KROOT_MAX];
    uint8_t perm_len, key_len;
} inv_tag;

/* A tag that answered the paging, and what became of its report. */
typedef struct inv_answer {
    size_t tag;                 /* index in the tag list */
    uint8_t pdu[INV_PDU_MAX];
    size_t pdu_len;
    int queued;                 /* the AIOTF's verdict on the report (AIOTSEC_OK: queued) */
    uint64_t report_id;
} inv_answer;

typedef struct inv_tags {
    inv_tag *tags;
    size_t n, cap;
} inv_tags;

/* Reads the key file (keystore.h format). CLI_OK, or CLI_USAGE with file:line printed. */
int inv_tags_load(inv_tags *t, const char *path);
/* Wipes the keys and frees. */
void inv_tags_free(inv_tags *t);
/* The filter of the longest bit prefix every tag shares (0 bits: AIOTSEC_E_BAD_VALUE). */
int inv_common_filter(const inv_tags *t, const aiotsec_ctx *ctx, uint8_t *filter, size_t cap, size_t *len);
/* Every tag hears the paging; those addressed answer into out (capacity t->n).
 * *n receives how many answered. AIOTSEC_OK, or the first unexpected status. */
int inv_page(const inv_tags *t, const aiotsec_ctx *ctx, const uint8_t *rand_n, const uint8_t *perm, size_t perm_len,
             const uint8_t *filter, size_t filter_len, inv_answer *out, size_t *n);

#endif
