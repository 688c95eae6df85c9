/* libFuzzer: the CLI's flat JSON reader. Oracle: every view it returns lies
 * inside the input, names are unique, and the member count is bounded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nas_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    nas_json_object obj;
    const char *why = NULL;
    if (nas_json_parse(s, size, &obj, &why) != 0) {
        if (!why)
            abort();
        return 0;
    }
    if (obj.n > NAS_JSON_MAX_MEMBERS)
        abort();
    for (size_t i = 0; i < obj.n; i++) {
        const nas_json_member *m = &obj.m[i];
        if (m->key < s || m->key + m->key_len > s + size || m->key_len == 0)
            abort();
        if (m->is_string && (m->str < s || m->str + m->str_len > s + size))
            abort();
        for (size_t j = 0; j < i; j++)
            if (obj.m[j].key_len == m->key_len && !memcmp(obj.m[j].key, m->key, m->key_len))
                abort();
    }
    return 0;
}
