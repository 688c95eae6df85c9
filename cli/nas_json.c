/* Strict flat-JSON reader for `aiotsec nas encode` (see nas_json.h). Every
 * read is bounded by len; the grammar accepted is a subset of RFC 8259:
 *   ws { ws "key" ws : ws value ws ( , ws "key" ws : ws value ws )* } ws
 * value = "printable ASCII without \" or \\" | 0 | [1-9][0-9]* (<= 2^32-1). */
#include <string.h>

#include "nas_json.h"

typedef struct cursor {
    const char *s;
    size_t len, pos;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' ||
                               c->s[c->pos] == '\n' || c->s[c->pos] == '\r'))
        c->pos++;
}

static int eat(cursor *c, char ch)
{
    skip_ws(c);
    if (c->pos < c->len && c->s[c->pos] == ch) {
        c->pos++;
        return 1;
    }
    return 0;
}

static int read_string(cursor *c, const char **out, size_t *out_len, const char **why)
{
    if (!eat(c, '"'))
        return *why = "expected a string", -1;
    size_t start = c->pos;
    while (c->pos < c->len && c->s[c->pos] != '"') {
        unsigned char ch = (unsigned char)c->s[c->pos];
        if (ch == '\\')
            return *why = "escapes are not accepted in strings", -1;
        if (ch < 0x20 || ch > 0x7E)
            return *why = "strings must be printable ASCII", -1;
        c->pos++;
    }
    if (c->pos >= c->len)
        return *why = "unterminated string", -1;
    *out = c->s + start;
    *out_len = c->pos - start;
    c->pos++; /* closing quote */
    return 0;
}

static int read_number(cursor *c, uint32_t *out, const char **why)
{
    size_t start = c->pos;
    uint64_t v = 0;
    while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
        v = v * 10 + (uint64_t)(c->s[c->pos] - '0');
        if (v > NAS_JSON_MAX_NUMBER)
            return *why = "number too large", -1;
        c->pos++;
    }
    size_t n = c->pos - start;
    if (n == 0)
        return *why = "expected a string or a non-negative integer", -1;
    if (n > 1 && c->s[start] == '0')
        return *why = "leading zeros are not accepted", -1;
    if (c->pos < c->len && (c->s[c->pos] == '.' || c->s[c->pos] == 'e' || c->s[c->pos] == 'E'))
        return *why = "only integers are accepted", -1;
    *out = (uint32_t)v;
    return 0;
}

const nas_json_member *nas_json_find(const nas_json_object *obj, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < obj->n; i++)
        if (obj->m[i].key_len == kl && !memcmp(obj->m[i].key, key, kl))
            return &obj->m[i];
    return NULL;
}

int nas_json_parse(const char *text, size_t len, nas_json_object *obj, const char **why)
{
    static const char *dummy;
    if (!why)
        why = &dummy;
    if (!text || !obj)
        return *why = "no input", -1;
    obj->n = 0;
    if (len > NAS_JSON_MAX_INPUT)
        return *why = "input too long", -1;
    cursor c = {text, len, 0};
    if (!eat(&c, '{'))
        return *why = "expected '{'", -1;
    if (!eat(&c, '}')) {
        do {
            if (obj->n == NAS_JSON_MAX_MEMBERS)
                return *why = "too many members", -1;
            nas_json_member *m = &obj->m[obj->n];
            memset(m, 0, sizeof *m);
            if (read_string(&c, &m->key, &m->key_len, why))
                return -1;
            if (m->key_len == 0 || m->key_len > NAS_JSON_MAX_KEY)
                return *why = "bad member name length", -1;
            for (size_t i = 0; i < obj->n; i++)
                if (obj->m[i].key_len == m->key_len && !memcmp(obj->m[i].key, m->key, m->key_len))
                    return *why = "duplicate member", -1;
            if (!eat(&c, ':'))
                return *why = "expected ':'", -1;
            skip_ws(&c);
            if (c.pos < c.len && c.s[c.pos] == '"') {
                m->is_string = 1;
                if (read_string(&c, &m->str, &m->str_len, why))
                    return -1;
            } else if (read_number(&c, &m->num, why)) {
                return -1;
            }
            obj->n++;
        } while (eat(&c, ','));
        if (!eat(&c, '}'))
            return *why = "expected ',' or '}'", -1;
    }
    skip_ws(&c);
    if (c.pos != c.len)
        return *why = "trailing characters after the object", -1;
    return 0;
}
