/* libFuzzer: the key-store file parser (aiotsec_keyfile_read_buffer) and the
 * in-memory store that loads the same text (aiotsec_memstore_load_buffer).
 * Oracles: every device line the parser reports has lengths inside the spec's
 * ranges and a line number inside the text, in increasing order; a rejection
 * names a line inside the text; when the parse succeeds and no Permanent
 * Identifier repeats, the store holds exactly the reported devices and finds
 * each of them by its Permanent Identifier with the same key; when one repeats,
 * the store refuses the text as a whole. (Since 0.2 a line carries no
 * identification information: the 0.1 three-column form has its first column
 * ignored, so only Permanent Identifiers can repeat.) Leaks (ASan) and
 * out-of-bounds reads fail the run. (hardening area) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SEEN 64

typedef struct seen {
    size_t n, last_line, lines;
    int dup; /* a Permanent Identifier repeats */
    uint8_t perm[MAX_SEEN][AIOTSEC_ID_MAX], key[MAX_SEEN][32];
    size_t perm_len[MAX_SEEN], key_len[MAX_SEEN];
} seen;

static int on_device(void *user, size_t line, const uint8_t *perm_id, size_t perm_id_len, const uint8_t *k_root,
                     size_t k_root_len)
{
    seen *s = user;
    if (perm_id_len < 1 || perm_id_len > AIOTSEC_ID_MAX || (k_root_len != 16 && k_root_len != 32))
        abort();
    if (line < 1 || line > s->lines || line <= s->last_line)
        abort();
    s->last_line = line;
    if (s->n < MAX_SEEN) {
        for (size_t i = 0; i < s->n; i++)
            if (s->perm_len[i] == perm_id_len && !memcmp(s->perm[i], perm_id, perm_id_len))
                s->dup = 1;
        memcpy(s->perm[s->n], perm_id, perm_id_len);
        memcpy(s->key[s->n], k_root, k_root_len);
        s->perm_len[s->n] = perm_id_len;
        s->key_len[s->n] = k_root_len;
    }
    s->n++;
    return AIOTSEC_OK;
}

static void check_store(const char *text, size_t size, const seen *s)
{
    static aiotsec_ctx *ctx;
    if (!ctx && aiotsec_ctx_new(&ctx, "sodium", NULL) != AIOTSEC_OK)
        abort();
    aiotsec_memstore *store = NULL;
    if (aiotsec_memstore_new(&store, ctx, 0) != AIOTSEC_OK)
        abort();
    size_t err_line = 0;
    int rc = aiotsec_memstore_load_buffer(store, text, size, &err_line);
    if (rc == AIOTSEC_OK) {
        if (aiotsec_memstore_count(store) != s->n)
            abort();
        aiotsec_keystore ks;
        if (aiotsec_memstore_keystore(store, &ks) != AIOTSEC_OK)
            abort();
        if (s->dup)
            abort(); /* a repeated Permanent Identifier was loaded */
        for (size_t i = 0; i < s->n && i < MAX_SEEN; i++) {
            uint8_t key[AIOTSEC_KROOT_MAX];
            size_t key_len = 0;
            if (ks.by_perm_id(ks.user, s->perm[i], s->perm_len[i], key, &key_len) != AIOTSEC_OK ||
                key_len != s->key_len[i] || memcmp(key, s->key[i], key_len) != 0)
                abort();
        }
    } else if (!s->dup || rc != AIOTSEC_E_DUPLICATE) {
        abort(); /* the parser accepted the text: only a repeat may make the store refuse it */
    }
    aiotsec_memstore_free(store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    seen *s = calloc(1, sizeof *s);
    if (!s)
        return 0;
    s->lines = 1;
    for (size_t i = 0; i < size; i++)
        s->lines += data[i] == '\n';
    size_t err_line = 0;
    int rc = aiotsec_keyfile_read_buffer(text, size, on_device, s, &err_line);
    if (rc != AIOTSEC_OK) {
        if (rc == AIOTSEC_E_PARSE && (err_line < 1 || err_line > s->lines))
            abort();
    } else if (s->n <= MAX_SEEN) {
        check_store(text, size, s);
    }
    free(s);
    return 0;
}
