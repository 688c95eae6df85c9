/* The group inventory of `aiotsec demo`: every paging of the plan, one
 * procedure each. The AIOTF asks for as many answers as the filter addresses
 * tags (1 for a tag paged by name), so it sends the reports to the ADM as soon
 * as the last one is in.
 *
 * Narrated (small rosters), every paging reaches every tag and the output
 * shows which answer and which stay silent. Otherwise a paging reaches its
 * group and the tag on each side of it in identifier order, which must stay
 * silent, and the tags are simulated one after the other in one scratch slot.
 * Checked for every procedure: the tags the plan says are addressed answer and
 * the others do not, the ADM's candidate sets are exactly the group, every
 * report identifies the tag that sent it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

typedef struct bufs {
    uint8_t (*pdu)[DEMO_PDU_MAX];
    size_t *pdu_len;
    aiotsec_aiotf_report *reps;
    int *st;
    uint64_t *rep_ids, *ids; /* per report, then per member */
    size_t *member_of;       /* report -> member */
    demo_tag scratch;
} bufs;

/* The silent tags of a narrated paging on one line. */
static void say_silent(const demo *d, const size_t *silent, size_t n, int named)
{
    char line[160];
    size_t len = 0;
    if (!n || !d->verbose)
        return;
    for (size_t k = 0; k < n && len + 16 < sizeof line; k++)
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%zu", k ? ", " : "", silent[k] + 1);
    demo_step(d, "4", n == 1 ? "tag" : "tags", "%s: %s, silent", line,
              named ? "not the name paged" : "the filter does not match");
}

/* Page the reached tags; members answer (reported at once when narrated). */
static int page_all(demo *d, const demo_group *g, const uint8_t *rand_n, bufs *b, size_t *n_reps)
{
    const demo_rec *named = g->filter_len ? NULL : &d->recs[g->first];
    size_t lo = d->verbose ? 0 : (g->first ? g->first - 1 : 0);
    size_t hi = d->verbose ? d->n_recs : (g->first + g->count < d->n_recs ? g->first + g->count + 1 : d->n_recs);
    size_t silent[DEMO_NARRATE_MAX], n_silent = 0;
    *n_reps = 0;
    for (size_t i = lo; i < hi; i++) {
        int member = i >= g->first && i < g->first + g->count;
        demo_tag *t = d->verbose ? demo_tag_of(d, i) : &b->scratch;
        int rc = t ? AIOTSEC_OK : AIOTSEC_E_NO_MEMORY;
        if (rc == AIOTSEC_OK && !d->verbose)
            rc = demo_tag_make(d, t, i, NULL);
        if (rc != AIOTSEC_OK)
            return rc;
        size_t k = *n_reps;
        rc = demo_proc_page(d, t, rand_n, named ? named->perm : NULL, named ? named->perm_len : 0,
                            named ? NULL : g->filter, g->filter_len, b->pdu[k], &b->pdu_len[k]);
        if (member && rc == AIOTSEC_OK) {
            b->member_of[k] = i - g->first;
            (*n_reps)++;
            if (d->verbose)
                (void)demo_proc_report(d, i, rand_n, b->pdu[k], b->pdu_len[k], &b->ids[i - g->first]);
        } else if (!member && rc == AIOTSEC_E_NOT_ADDRESSED) {
            if (n_silent < DEMO_NARRATE_MAX)
                silent[n_silent++] = i;
        } else {
            char h[2 * AIOTSEC_ID_MAX + 1], what[200];
            snprintf(what, sizeof what, "tag %zu (%s) %s the paging", i + 1, demo_perm_hex(d, i, h, sizeof h),
                     member ? "answers" : "ignores");
            demo_check(d, 0, what, rc);
        }
    }
    say_silent(d, silent, n_silent, named != NULL);
    return AIOTSEC_OK;
}

/* Steps 6 for the bulk path: every answer of the paging in one call. */
static void report_all(demo *d, const uint8_t *rand_n, bufs *b, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        b->reps[k].rand_n = rand_n;
        b->reps[k].rand_n_len = AIOTSEC_RAND_LEN;
        b->reps[k].nas = b->pdu[k];
        b->reps[k].nas_len = b->pdu_len[k];
    }
    if (aiotsec_aiotf_on_reports(d->aiotf, d->clock_ms, b->reps, n, b->st, b->rep_ids) != AIOTSEC_OK)
        return;
    for (size_t k = 0; k < n; k++) {
        if (b->st[k] == AIOTSEC_OK)
            b->ids[b->member_of[k]] = b->rep_ids[k];
        else
            demo_check(d, 0, "Inventory Report queued", b->st[k]);
    }
}

static int one_group(demo *d, const demo_group *g, bufs *b)
{
    const demo_rec *named = g->filter_len ? NULL : &d->recs[g->first];
    char f[2 * AIOTSEC_FILTER_MAX + 8], h[2 * AIOTSEC_ID_MAX + 1];
    if (named)
        demo_say(d, "\n-- tag %zu (%s), paged by name", g->first + 1, demo_perm_hex(d, g->first, h, sizeof h));
    else
        demo_say(d, "\n-- group of tags %zu-%zu, paged with the filter %s", g->first + 1, g->first + g->count,
                 demo_filter_text(g->filter, g->filter_len, f, sizeof f));
    uint64_t proc = 0;
    uint8_t rand_n[AIOTSEC_RAND_LEN];
    memset(b->ids, 0, g->count * sizeof *b->ids);
    d->cand_min = SIZE_MAX;
    d->cand_max = 0;
    int rc = demo_proc_start(d, AIOTSEC_PROC_INVENTORY, named ? named->perm : NULL, named ? named->perm_len : 0,
                             named ? NULL : g->filter, g->filter_len, (uint32_t)g->count, &proc, rand_n);
    size_t n = 0;
    if (rc == AIOTSEC_OK)
        rc = page_all(d, g, rand_n, b, &n);
    if (rc != AIOTSEC_OK) {
        fprintf(stderr, "aiotsec demo: inventory stopped: %s\n", aiotsec_strerror(rc));
        return rc;
    }
    d->clock_ms++;
    if (!d->verbose)
        report_all(d, rand_n, b, n);
    demo_adm_pump(d); /* the last answer completed the group: steps 7-10 */
    size_t ok = demo_proc_identified(d, g->first, g->count, b->ids);
    d->authenticated += ok;
    if (d->verbose)
        demo_proc_result(d, proc, named ? "named inventory" : "group inventory");
    demo_check(d, ok == g->count, named ? "the tag is identified" : "every tag of the group is identified as itself",
               AIOTSEC_E_AUTH_FAILED);
    demo_check(d, d->cand_min == g->count && d->cand_max == g->count,
               named ? "the ADM's set has the one named device" : "the ADM's candidate sets are exactly the group",
               AIOTSEC_E_BAD_ANSWER);
    (void)aiotsec_aiotf_finish(d->aiotf, proc);
    return AIOTSEC_OK;
}

int demo_inventory(demo *d)
{
    bufs b;
    memset(&b, 0, sizeof b);
    size_t m = d->max_group + 2;
    b.pdu = malloc(m * sizeof *b.pdu);
    b.pdu_len = malloc(m * sizeof *b.pdu_len);
    b.reps = malloc(m * sizeof *b.reps);
    b.st = malloc(m * sizeof *b.st);
    b.rep_ids = malloc(m * sizeof *b.rep_ids);
    b.ids = malloc(m * sizeof *b.ids);
    b.member_of = malloc(m * sizeof *b.member_of);
    int rc = b.pdu && b.pdu_len && b.reps && b.st && b.rep_ids && b.ids && b.member_of ? AIOTSEC_OK
                                                                                       : AIOTSEC_E_NO_MEMORY;
    if (!d->json)
        printf("\n== Group inventory: %zu tags, %zu filter%s of up to %zu tags and %zu tag%s paged by name%s\n",
               d->n_recs, d->n_filters, d->n_filters == 1 ? "" : "s", d->group_size, d->n_groups - d->n_filters,
               d->n_groups - d->n_filters == 1 ? "" : "s", d->verbose ? "" : " (steps not shown)");
    size_t step = d->n_groups / 100 + 1;
    for (size_t i = 0; rc == AIOTSEC_OK && i < d->n_groups; i++) {
        rc = one_group(d, &d->groups[i], &b);
        if (d->progress && (i % step == 0 || i + 1 == d->n_groups))
            fprintf(stderr, "\rinventory: %zu/%zu tags", d->groups[i].first + d->groups[i].count, d->n_recs);
    }
    if (d->progress)
        fputc('\n', stderr);
    if (!d->json)
        printf("== Group inventory: %zu of %zu tags identified; %llu getAuthentication request(s), %llu XRES_AIOT "
               "derived by the ADM\n",
               d->authenticated, d->n_recs, (unsigned long long)d->adm_ops[AIOTSEC_ADM_GET_AUTHENTICATION],
               (unsigned long long)d->adm_derivations);
    demo_tag_free(&b.scratch);
    free(b.pdu);
    free(b.pdu_len);
    free(b.reps);
    free(b.st);
    free(b.rep_ids);
    free(b.ids);
    free(b.member_of);
    return rc;
}
