/* The summary of `aiotsec demo`: text after the walk-through, or one JSON
 * object (--json) for scripts and tests. Counts only, never a value. */
#include <stdio.h>

#include "demo.h"

static uint64_t adm_requests(const demo *d)
{
    uint64_t n = 0;
    for (int op = AIOTSEC_ADM_GET_RAND; op <= AIOTSEC_ADM_GET_TID; op++)
        n += d->adm_ops[op];
    return n;
}

static aiotsec_aiotf_stats stats_of(const demo *d)
{
    aiotsec_aiotf_stats st = {0};
    (void)aiotsec_aiotf_stats_get(d->aiotf, &st);
    return st;
}

void demo_report_text(const demo *d, double secs, int ok)
{
    aiotsec_aiotf_stats st = stats_of(d);
    printf("\n== Summary (backend %s)\n", aiotsec_ctx_backend_name(d->ctx));
    printf("  tags:               %zu (%zu filter%s of up to %zu tags, %zu paged by name)\n", d->n_recs, d->n_filters,
           d->n_filters == 1 ? "" : "s", d->group_size, d->n_groups - d->n_filters);
    printf("  identified:         %zu of %zu\n", d->authenticated, d->n_recs);
    printf("  ADM requests:       %llu (getRand %llu, getAuthentication %llu, getSessionKey %llu)\n",
           (unsigned long long)adm_requests(d), (unsigned long long)d->adm_ops[AIOTSEC_ADM_GET_RAND],
           (unsigned long long)d->adm_ops[AIOTSEC_ADM_GET_AUTHENTICATION],
           (unsigned long long)d->adm_ops[AIOTSEC_ADM_GET_SESSION_KEY]);
    printf("  XRES_AIOT derived:  %llu (|candidates| x |randDlist|, summed over the getAuthentication answers)\n",
           (unsigned long long)d->adm_derivations);
    printf("  commands completed: %lu\n", d->commands);
    printf("  AIOTF drops:        unsolicited %llu, late %llu, duplicate %llu, over the cap %llu, malformed %llu\n",
           (unsigned long long)st.unsolicited, (unsigned long long)st.late, (unsigned long long)st.duplicate,
           (unsigned long long)st.over_cap, (unsigned long long)st.malformed);
    printf("  attacks rejected:   %zu of %zu\n", d->attacks_rejected, d->attacks);
    printf("  rejected by status:");
    for (size_t i = 0; i < d->n_rejected; i++)
        printf("%s %s %lu", i ? "," : "", aiotsec_status_name(d->rejected[i].status), d->rejected[i].n);
    printf("\n  checks passed:      %zu of %zu\n", d->checks - d->checks_failed, d->checks);
    printf("  time:               %.1f ms\n", secs * 1e3);
    printf("  result:             %s\n", ok ? "OK" : "FAILED");
}

void demo_report_json(const demo *d, double secs, int ok)
{
    aiotsec_aiotf_stats st = stats_of(d);
    printf("{\n  \"backend\": \"%s\",\n  \"devices\": %zu,\n  \"group_size\": %zu,\n  \"filters\": %zu,\n"
           "  \"named\": %zu,\n  \"authenticated\": %zu,\n",
           aiotsec_ctx_backend_name(d->ctx), d->n_recs, d->group_size, d->n_filters, d->n_groups - d->n_filters,
           d->authenticated);
    printf("  \"drops\": {\"unsolicited\": %llu, \"late\": %llu, \"duplicate\": %llu, \"over_cap\": %llu, "
           "\"malformed\": %llu},\n",
           (unsigned long long)st.unsolicited, (unsigned long long)st.late, (unsigned long long)st.duplicate,
           (unsigned long long)st.over_cap, (unsigned long long)st.malformed);
    printf("  \"rejected\": {");
    for (size_t i = 0; i < d->n_rejected; i++)
        printf("%s\"%s\": %lu", i ? ", " : "", aiotsec_status_name(d->rejected[i].status), d->rejected[i].n);
    printf("},\n  \"adm_requests\": %llu,\n  \"adm_requests_by_op\": {", (unsigned long long)adm_requests(d));
    for (int op = AIOTSEC_ADM_GET_RAND; op <= AIOTSEC_ADM_GET_SESSION_KEY; op++)
        printf("%s\"%s\": %llu", op > AIOTSEC_ADM_GET_RAND ? ", " : "", aiotsec_adm_op_name(op),
               (unsigned long long)d->adm_ops[op]);
    printf("},\n  \"adm_derivations\": %llu,\n  \"adm_threads\": %u,\n  \"commands\": %lu,\n  \"attacks\": %zu,\n"
           "  \"attacks_rejected\": %zu,\n  \"checks\": %zu,\n  \"checks_failed\": %zu,\n  \"time_s\": %.3f,\n"
           "  \"ok\": %s\n}\n",
           (unsigned long long)d->adm_derivations, d->threads, d->commands, d->attacks, d->attacks_rejected,
           d->checks, d->checks_failed, secs, ok ? "true" : "false");
}
