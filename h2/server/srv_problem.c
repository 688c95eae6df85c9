/* ProblemDetails bodies (TS 29.571) of the answers the server decides itself:
 * from the headers (404, 405, 411, 413, 415), from its own limits (429, 413 for
 * an answer larger than the memory budget), its memory (500) and its state (503). The causes are TS 29.500's protocol-error names (clause 5.2.7.2);
 * the bodies are fixed text: nothing of the request is echoed. */
#include <stdio.h>
#include <string.h>

#include "aiotsec/sbi.h"
#include "srv_exchange.h"

typedef struct problem_text {
    int http;
    const char *cause; /* NULL: TS 29.500 names none */
    const char *detail;
} problem_text;

static const problem_text texts[] = {
    {404, "RESOURCE_URI_STRUCTURE_NOT_FOUND", "no Nadm_Sec operation at this path (POST {apiRoot}/nadm-sec/v1/...)"},
    {405, NULL, "Nadm_Sec operations take POST only"},
    {411, "INCORRECT_LENGTH", "a request body needs a valid content-length"},
    {415, "UNSUPPORTED_MEDIA_TYPE", "Nadm_Sec request bodies are application/json"},
    {429, "NF_CONGESTION_RISK", "too many requests waiting: retry later"},
    {500, "SYSTEM_FAILURE", "the server could not answer"},
    {503, NULL, "the ADM is not serving: retry later"},
};

/* Bodies for a reason of their own (srv_exchange.h). */
static const problem_text by_reason[] = {
    {500, "INSUFFICIENT_RESOURCES", "out of memory"},
    {413, "TOO_MANY_DERIVATIONS",
     "the answer would exceed the ADM's memory limit: split the request (fewer randDlist entries or narrower "
     "filters)"},
};

size_t srv_problem_body(int http, const char *what, char *buf, size_t cap)
{
    size_t len = 0;
    const problem_text *t = NULL;
    if (http == 500 && what && !strcmp(what, SRV_WHY_NO_MEMORY))
        t = &by_reason[0];
    else if (http == 413 && what && !strcmp(what, SRV_WHY_ANSWER_TOO_LARGE))
        t = &by_reason[1];
    if (t) {
        int n = snprintf(buf, cap, "{\"status\":%d,\"cause\":\"%s\",\"detail\":\"%s\"}", http, t->cause, t->detail);
        return n > 0 && (size_t)n < cap ? (size_t)n : 0;
    }
    if (http == 413) { /* the same body as for a body found too large after reading it */
        int st = aiotsec_sbi_write_problem(AIOTSEC_E_LIMIT, NULL, buf, cap, &len, NULL);
        return st == AIOTSEC_OK ? len : 0;
    }
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i].http == http)
            t = &texts[i];
    if (!t)
        t = &texts[5]; /* 500 */
    const char *detail = t->detail;
    if (http == 503 && what && !strcmp(what, "starting"))
        detail = "the ADM is starting (its key store is loading): retry later";
    else if (http == 503 && what && !strcmp(what, "stopping"))
        detail = "the ADM is stopping: retry on another connection or instance";
    int n = t->cause ? snprintf(buf, cap, "{\"status\":%d,\"cause\":\"%s\",\"detail\":\"%s\"}", http, t->cause, detail)
                     : snprintf(buf, cap, "{\"status\":%d,\"detail\":\"%s\"}", http, detail);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}
