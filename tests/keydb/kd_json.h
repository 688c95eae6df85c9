/* A small strict JSON reader for the shared vector files (tests only): objects,
 * arrays, strings (escapes \" \\ \/ \b \f \n \r \t), numbers, true, false, null. */
#ifndef KD_JSON_H
#define KD_JSON_H

#include <stddef.h>

typedef enum { KJ_NULL, KJ_BOOL, KJ_NUM, KJ_STR, KJ_ARR, KJ_OBJ } kj_type;

typedef struct kj {
    kj_type t;
    char *s;          /* KJ_STR */
    double num;       /* KJ_NUM, KJ_BOOL */
    struct kj **item; /* KJ_ARR, KJ_OBJ: values */
    char **key;       /* KJ_OBJ: names */
    size_t n;
} kj;

/* Parses text; NULL on any error. */
kj *kj_parse(const char *text);
/* Reads AIOTSEC_VECTORS_DIR/name; aborts when missing or malformed (a broken setup, not a skip). */
kj *kj_load_vector(const char *name);
void kj_free(kj *v);
/* Member of an object, or NULL. */
const kj *kj_get(const kj *obj, const char *key);
/* String member, or NULL. */
const char *kj_str(const kj *obj, const char *key);

#endif
