/* Loading bodies with jansson and decoding the Nadm_Sec value forms. jansson
 * allocates through the process-wide allocator; replacing it
 * (json_set_alloc_funcs) would change every other jansson user of the process,
 * so instead the strings of every tree this library parsed are wiped before
 * the tree is freed (see sbi.h for the one copy this cannot reach). */
#include <stdio.h>
#include <string.h>

#include "sbi_json.h"

static const char *load_reason(enum json_error_code code)
{
    switch (code) {
    case json_error_invalid_utf8: return "not valid UTF-8";
    case json_error_premature_end_of_input: return "the JSON text ends too early";
    case json_error_end_of_input_expected: return "data after the JSON value";
    case json_error_null_character:
    case json_error_null_byte_in_key: return "a NUL character in a string";
    case json_error_numeric_overflow: return "a number out of range";
    case json_error_stack_overflow: return "nested too deeply";
    default: return "not valid JSON";
    }
}

int sbi_json_load(const char *body, size_t len, json_t **root, sbi_problem *pb)
{
    *root = NULL;
    if (len > AIOTSEC_SBI_BODY_MAX) {
        if (pb)
            sbi_problem_set(pb, 413, SBI_CAUSE_TOO_LARGE, "the body exceeds 16 MiB");
        return AIOTSEC_E_LIMIT;
    }
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    if (i == len) {
        if (pb) {
            sbi_problem_set(pb, 400, SBI_CAUSE_FORMAT, "malformed request");
            sbi_problem_param(pb, "", "empty body: a JSON object is required");
        }
        return AIOTSEC_E_PARSE;
    }
    json_error_t err;
    memset(&err, 0, sizeof err);
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    int rc = AIOTSEC_OK;
    if (!v) {
        enum json_error_code code = json_error_code(&err);
        if (code == json_error_out_of_memory) {
            rc = AIOTSEC_E_NO_MEMORY;
            if (pb)
                sbi_problem_set(pb, 500, SBI_CAUSE_RESOURCES, "out of memory");
        } else {
            rc = code == json_error_duplicate_key ? AIOTSEC_E_BAD_VALUE : AIOTSEC_E_PARSE;
            if (pb) {
                char reason[SBI_REASON_LEN];
                (void)snprintf(reason, sizeof reason, "%s (line %d, column %d)",
                         code == json_error_duplicate_key ? "a member given twice" : load_reason(code),
                         err.line, err.column);
                sbi_problem_set(pb, 400, SBI_CAUSE_FORMAT, "malformed request");
                sbi_problem_param(pb, "", reason);
            }
        }
    }
    /* jansson quotes the input near the error: it may be a response's secret. */
    aiotsec_wipe(&err, sizeof err);
    *root = v;
    return rc;
}

static void wipe_strings(json_t *v)
{
    if (json_is_string(v)) {
        /* The text is a heap copy owned by this tree (only const by jansson's API). */
        char *s = (char *)(uintptr_t)json_string_value(v);
        aiotsec_wipe(s, json_string_length(v));
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            wipe_strings(json_array_get(v, i));
    } else if (json_is_object(v)) {
        const char *key;
        json_t *member;
        json_object_foreach(v, key, member) {
            (void)key;
            wipe_strings(member);
        }
    }
}

void sbi_json_free_wiped(json_t *root)
{
    if (!root)
        return;
    wipe_strings(root); /* depth bounded by jansson's parser (JSON_PARSER_MAX_DEPTH) */
    json_decref(root);
}

const char *sbi_dec_hex(const json_t *v, size_t min, size_t max, uint8_t *out, size_t *len)
{
    if (!json_is_string(v))
        return "not a string";
    size_t n = json_string_length(v);
    if (n % 2 || n < 2 * min || n > 2 * max || sbi_hex_decode(json_string_value(v), n, out) != 0) {
        if (n / 2 <= max)
            aiotsec_wipe(out, n / 2);
        if (min == max)
            return min == 16 ? "must be 32 hex digits" : "wrong number of hex digits";
        return "must be an even number of 8..32 hex digits";
    }
    *len = n / 2;
    return NULL;
}

const char *sbi_dec_b64(const json_t *v, size_t min, size_t max, uint8_t *out, size_t *len)
{
    if (!json_is_string(v))
        return "not a string";
    size_t n = json_string_length(v);
    const char *shape = max == AIOTSEC_ID_MAX ? "must be base64 of 1..64 octets" : "must be base64 of 1..33 octets";
    /* Length first: a 1 MB string is refused without being decoded. */
    if (n > sbi_b64_len(max) || n < sbi_b64_len(min))
        return shape;
    size_t got = 0;
    int rc = aiotsec_sbi_base64_decode(json_string_value(v), n, out, max, &got);
    if (rc == AIOTSEC_E_BUFFER_TOO_SMALL)
        return shape; /* e.g. 65 octets: as long in base64 as 64 */
    if (rc != AIOTSEC_OK)
        return "not strict base64 (RFC 4648: standard alphabet, padding, zero trailing bits)";
    if (got < min) {
        aiotsec_wipe(out, got);
        return shape;
    }
    *len = got;
    return NULL;
}

int sbi_pointer(char *out, size_t cap, const char *name, long index)
{
    size_t w = 0;
    if (cap == 0)
        return -1;
    out[w++] = '/';
    for (const char *c = name; *c; c++) {
        const char *rep = *c == '~' ? "~0" : *c == '/' ? "~1" : NULL;
        size_t n = rep ? 2 : 1;
        if (w + n >= cap)
            return -1;
        memcpy(out + w, rep ? rep : c, n);
        w += n;
    }
    if (index >= 0) {
        int k = snprintf(out + w, cap - w, "/%ld", index);
        if (k < 0 || (size_t)k >= cap - w)
            return -1;
        w += (size_t)k;
    }
    if (w >= cap)
        return -1;
    out[w] = '\0';
    return 0;
}
