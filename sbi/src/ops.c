/* The operations' paths below {apiRoot}/nadm-sec/v1 (TS 29.369 v19.2.0). */
#include <string.h>

#include "sbi_internal.h"

static const struct {
    int op;
    const char *path;
} PATHS[] = {
    {AIOTSEC_ADM_GET_RAND, "/get-rand"},
    {AIOTSEC_ADM_GET_AUTHENTICATION, "/get-authentication"},
    {AIOTSEC_ADM_GET_SESSION_KEY, "/get-session-key"},
    {AIOTSEC_ADM_GET_TID, "/get-tid"},
};

#define API_PREFIX "/nadm-sec/v1"

int aiotsec_sbi_op_path(int op, const char **path)
{
    if (!path)
        return AIOTSEC_E_NULL_ARG;
    for (size_t i = 0; i < sizeof PATHS / sizeof PATHS[0]; i++) {
        if (PATHS[i].op == op) {
            *path = PATHS[i].path;
            return AIOTSEC_OK;
        }
    }
    return AIOTSEC_E_BAD_VALUE;
}

int aiotsec_sbi_op_from_path(const char *path, size_t path_len, int *op)
{
    if (!path || !op)
        return AIOTSEC_E_NULL_ARG;
    const size_t plen = sizeof API_PREFIX - 1;
    for (size_t i = 0; i < sizeof PATHS / sizeof PATHS[0]; i++) {
        size_t n = strlen(PATHS[i].path);
        if (path_len < n || memcmp(path + path_len - n, PATHS[i].path, n) != 0)
            continue;
        size_t head = path_len - n; /* what comes before the operation's own path */
        /* The prefix starts with '/': a match always begins at a segment boundary. */
        if (head == 0 || (head >= plen && memcmp(path + head - plen, API_PREFIX, plen) == 0)) {
            *op = PATHS[i].op;
            return AIOTSEC_OK;
        }
    }
    return AIOTSEC_E_BAD_VALUE;
}
