/* libaiotsec-sbi internals: the body writer, the codecs and the problem record
 * shared by the request and response code. Nothing here is exported (hidden
 * visibility and the version script sbi.map); names start with sbi_. */
#ifndef AIOTSEC_SBI_INTERNAL_H
#define AIOTSEC_SBI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/sbi.h"

/* --- the body writer ------------------------------------------------------------
 * Writes into a caller buffer and keeps counting past its end, so one pass says
 * both "done" and "this much was needed": no writer allocates. */
typedef struct sbi_out {
    char *buf;
    size_t cap;
    size_t len; /* what the body needs so far (may exceed cap) */
} sbi_out;

void sbi_out_init(sbi_out *o, char *buf, size_t cap);
void sbi_put(sbi_out *o, const char *s, size_t n);
void sbi_puts(sbi_out *o, const char *s);
/* "<lower-case hex>" */
void sbi_put_hex(sbi_out *o, const uint8_t *in, size_t n);
/* The four base64 symbols of octets i..i+2 of in (n octets in all), padded. */
void sbi_b64_quad(const uint8_t *in, size_t n, size_t i, char quad[4]);
/* "<base64>" */
void sbi_put_b64(sbi_out *o, const uint8_t *in, size_t n);
/* A JSON string: quotes, escapes, valid UTF-8 kept, invalid octets as U+FFFD. */
void sbi_put_str(sbi_out *o, const char *s, size_t n);
void sbi_put_uint(sbi_out *o, unsigned long v);
/* Ends the body: NUL, *len = its length. AIOTSEC_E_BUFFER_TOO_SMALL (and the
 * whole buffer wiped, it may hold part of a secret) when it did not fit. */
int sbi_out_end(sbi_out *o, size_t *len);

/* --- codecs -------------------------------------------------------------------- */
/* n hex digits (n even, either case) into n / 2 octets; 0 or -1 (a non-hex digit). */
int sbi_hex_decode(const char *s, size_t n, uint8_t *out);
/* Length of the base64 text of n octets. */
size_t sbi_b64_len(size_t n);

/* --- application error causes (TS 29.500 names where it has one; see docs/notes/sbi.md) */
#define SBI_CAUSE_FORMAT "INVALID_MSG_FORMAT"
#define SBI_CAUSE_MISSING "MANDATORY_IE_MISSING"
#define SBI_CAUSE_INCORRECT "MANDATORY_IE_INCORRECT"
#define SBI_CAUSE_OPT_INCORRECT "OPTIONAL_IE_INCORRECT"
#define SBI_CAUSE_NOT_FOUND "AIOT_DEVICE_NOT_FOUND"
#define SBI_CAUSE_TOO_MANY "TOO_MANY_DERIVATIONS"
#define SBI_CAUSE_TOO_LARGE "PAYLOAD_TOO_LARGE"
#define SBI_CAUSE_SYSTEM "SYSTEM_FAILURE"
#define SBI_CAUSE_RESOURCES "INSUFFICIENT_RESOURCES"

/* --- the problem record: what a ProblemDetails body says ------------------------ */
#define SBI_PARAMS_MAX 2
#define SBI_PARAM_LEN 136  /* "/" + a member name of up to 64 characters, escaped, + an index */
#define SBI_REASON_LEN 112
#define SBI_NAME_ECHO_MAX 64 /* longer member names are not echoed in a pointer */

typedef struct sbi_problem {
    int http;
    const char *cause;  /* static */
    const char *detail; /* static */
    size_t n_params;
    char param[SBI_PARAMS_MAX][SBI_PARAM_LEN];
    char reason[SBI_PARAMS_MAX][SBI_REASON_LEN];
} sbi_problem;

void sbi_problem_set(sbi_problem *pb, int http, const char *cause, const char *detail);
/* Adds an invalid parameter (param and reason are copied, truncated if needed). */
void sbi_problem_param(sbi_problem *pb, const char *param, const char *reason);
void sbi_problem_write(sbi_out *o, const sbi_problem *pb);
/* The problem record of an ADM status for a request (NULL allowed). */
void sbi_problem_of_status(sbi_problem *pb, int status, const aiotsec_adm_request *req);

#endif
