/* A small, strict, bounded reader for the flat JSON objects of `aiotsec nas
 * encode`: one object whose members are strings or non-negative integers.
 * No nesting, no escapes, no floats, no duplicates; every limit is explicit.
 * It never allocates: member names and strings are views into the input. */
#ifndef AIOTSEC_CLI_NAS_JSON_H
#define AIOTSEC_CLI_NAS_JSON_H

#include <stddef.h>
#include <stdint.h>

#define NAS_JSON_MAX_INPUT 16384u  /* octets of JSON text */
#define NAS_JSON_MAX_MEMBERS 16u
#define NAS_JSON_MAX_KEY 32u       /* characters in a member name */
#define NAS_JSON_MAX_NUMBER 4294967295u

typedef struct nas_json_member {
    const char *key;
    size_t key_len;
    int is_string;       /* 1: str/str_len; 0: num */
    const char *str;
    size_t str_len;
    uint32_t num;
} nas_json_member;

typedef struct nas_json_object {
    size_t n;
    nas_json_member m[NAS_JSON_MAX_MEMBERS];
} nas_json_object;

/* Parses text[0..len) into obj. Returns 0, or -1 with a static reason in *why. */
int nas_json_parse(const char *text, size_t len, nas_json_object *obj, const char **why);

/* The member named key, or NULL. */
const nas_json_member *nas_json_find(const nas_json_object *obj, const char *key);

#endif
