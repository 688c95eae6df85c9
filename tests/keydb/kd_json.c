/* A small strict JSON reader for the shared vector files (see kd_json.h). */
#include "kd_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kd_test_util.h"

typedef struct parser {
    const char *p;
    int depth;
} parser;

static void skip_ws(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t')
        ps->p++;
}

static kj *node(kj_type t)
{
    kj *v = calloc(1, sizeof *v);
    if (v)
        v->t = t;
    return v;
}

static char *string(parser *ps)
{
    if (*ps->p != '"')
        return NULL;
    ps->p++;
    size_t cap = 64, n = 0;
    char *s = malloc(cap);
    while (s && *ps->p && *ps->p != '"') {
        char c = *ps->p++;
        if ((unsigned char)c < 0x20) {
            free(s);
            return NULL;
        }
        if (c == '\\') {
            const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
            const char *e = *ps->p ? strchr(from, *ps->p) : NULL;
            if (!e) {
                free(s);
                return NULL;
            }
            c = to[e - from];
            ps->p++;
        }
        if (n + 2 > cap) {
            char *t = realloc(s, cap *= 2);
            if (!t) {
                free(s);
                return NULL;
            }
            s = t;
        }
        s[n++] = c;
    }
    if (!s || *ps->p != '"') {
        free(s);
        return NULL;
    }
    ps->p++;
    s[n] = 0;
    return s;
}

static kj *value(parser *ps);

static int push(kj *v, kj *item, char *key)
{
    kj **ni = realloc(v->item, (v->n + 1) * sizeof *ni);
    if (!ni)
        return -1;
    v->item = ni;
    if (v->t == KJ_OBJ) {
        char **nk = realloc(v->key, (v->n + 1) * sizeof *nk);
        if (!nk)
            return -1;
        v->key = nk;
        v->key[v->n] = key;
    }
    v->item[v->n++] = item;
    return 0;
}

static kj *container(parser *ps, char close, kj_type t)
{
    ps->p++;
    kj *v = node(t);
    skip_ws(ps);
    if (v && *ps->p == close) {
        ps->p++;
        return v;
    }
    while (v) {
        char *key = NULL;
        if (t == KJ_OBJ) {
            skip_ws(ps);
            key = string(ps);
            skip_ws(ps);
            if (!key || *ps->p++ != ':') {
                free(key);
                break;
            }
        }
        kj *item = value(ps);
        if (!item || push(v, item, key) != 0) {
            kj_free(item);
            free(key);
            break;
        }
        skip_ws(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == close) {
            ps->p++;
            return v;
        }
        break;
    }
    kj_free(v);
    return NULL;
}

static kj *value(parser *ps)
{
    if (++ps->depth > 64)
        return NULL;
    skip_ws(ps);
    kj *v = NULL;
    if (*ps->p == '{') {
        v = container(ps, '}', KJ_OBJ);
    } else if (*ps->p == '[') {
        v = container(ps, ']', KJ_ARR);
    } else if (*ps->p == '"') {
        char *s = string(ps);
        if (s && (v = node(KJ_STR)) != NULL)
            v->s = s;
        else
            free(s);
    } else if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
        v = node(KJ_BOOL);
        if (v)
            v->num = *ps->p == 't';
        ps->p += *ps->p == 't' ? 4 : 5;
    } else if (!strncmp(ps->p, "null", 4)) {
        v = node(KJ_NULL);
        ps->p += 4;
    } else {
        char *end;
        double d = strtod(ps->p, &end);
        if (end != ps->p && (v = node(KJ_NUM)) != NULL) {
            v->num = d;
            ps->p = end;
        }
    }
    ps->depth--;
    return v;
}

kj *kj_parse(const char *text)
{
    parser ps = {text, 0};
    kj *v = value(&ps);
    skip_ws(&ps);
    if (v && *ps.p) {
        kj_free(v);
        return NULL;
    }
    return v;
}

kj *kj_load_vector(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", AIOTSEC_VECTORS_DIR, name);
    size_t len = 0;
    uint8_t *b = kdt_read_file(path, &len);
    if (!b) {
        fprintf(stderr, "vector file missing: %s\n", path);
        abort();
    }
    char *t = malloc(len + 1);
    memcpy(t, b, len);
    t[len] = 0;
    free(b);
    kj *v = kj_parse(t);
    free(t);
    if (!v) {
        fprintf(stderr, "vector file malformed: %s\n", path);
        abort();
    }
    return v;
}

void kj_free(kj *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        kj_free(v->item[i]);
        if (v->key)
            free(v->key[i]);
    }
    free(v->item);
    free(v->key);
    free(v->s);
    free(v);
}

const kj *kj_get(const kj *obj, const char *key)
{
    if (!obj || obj->t != KJ_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (!strcmp(obj->key[i], key))
            return obj->item[i];
    return NULL;
}

const char *kj_str(const kj *obj, const char *key)
{
    const kj *v = kj_get(obj, key);
    return v && v->t == KJ_STR ? v->s : NULL;
}
