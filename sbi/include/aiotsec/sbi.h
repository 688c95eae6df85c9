/**
 * @file sbi.h
 * @brief libaiotsec-sbi: the Nadm_Sec JSON bodies of TS 29.369 v19.2.0 (companion library).
 *
 * The core library (libaiotsec) knows the four Nadm_Sec operations as data
 * (nadm.h) and answers them in process (adm.h); this library turns that data
 * into the normative JSON bodies and back, for an ADM behind an SBI and for
 * an AIOTF that calls one. It carries no HTTP itself: a server or client
 * hands it bodies and takes bodies back.
 *
 * ADM side:
 * - ::aiotsec_sbi_handler: one call per request, `op + body -> HTTP status +
 *   response body` (a success body, or an `application/problem+json`
 *   ProblemDetails), over an ::aiotsec_adm;
 * - ::aiotsec_sbi_request: the request parser alone, for a server that calls
 *   the ADM itself, with the response writers aiotsec_sbi_write_rand_response()
 *   and its siblings.
 *
 * AIOTF side: aiotsec_sbi_write_request() turns an ::aiotsec_adm_request (as
 * aiotsec_aiotf_next_requests() hands it out) into its body; the
 * aiotsec_sbi_parse_*_response() functions read the answers back into what
 * aiotsec_aiotf_on_rand(), aiotsec_aiotf_on_authentication(),
 * aiotsec_aiotf_on_session_key() take; aiotsec_sbi_answer_status() turns an
 * HTTP status (or a lost answer) into the status those calls expect.
 *
 * Encodings: `Rand`, `Xres`, `Kaiotf` and `Tid` are hex (either case read,
 * lower case written); `AiotDevPermId` and `AiotFilteringInformation` are
 * base64 (standard alphabet, padded; read strictly).
 *
 * Requests are read strictly: an unknown member, a missing or mistyped member
 * or a pattern violation is a 400 naming the member as a JSON pointer (e.g.
 * `/randDlist/3`). Responses are read tolerantly: unknown members are ignored,
 * known ones must be well formed. Writers put the body in a caller buffer,
 * followed by a NUL; when the buffer is too small they wipe it, return
 * ::AIOTSEC_E_BUFFER_TOO_SMALL and report the body's length (the buffer needs
 * one octet more, for the NUL).
 *
 * Secrets: XRES_AIOT and K_AIOTF pass through response bodies. Every buffer
 * this library owns that held one is wiped before it is freed or reused; the
 * strings of a parsed response are wiped before the parse tree is freed. The
 * JSON reader (jansson) also copies each token through a scratch buffer of its
 * own that is freed without wiping: that copy is outside this library's reach.
 * Nothing here logs or prints.
 *
 * Every function returns ::AIOTSEC_OK (0) or a negative ::aiotsec_status,
 * except the `_free` functions. Handlers and parse objects are not
 * thread-safe: use one per thread (the ADM itself may be shared, see adm.h).
 * @ingroup sbi
 */
#ifndef AIOTSEC_SBI_H
#define AIOTSEC_SBI_H

/** @addtogroup sbi
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/adm.h"
#include "aiotsec/nadm.h"
#include "aiotsec/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Marks a function as part of the exported API of libaiotsec-sbi. */
#if defined(AIOTSEC_SBI_BUILDING_LIBRARY) && defined(__GNUC__)
#define AIOTSEC_SBI_API __attribute__((visibility("default")))
#else
#define AIOTSEC_SBI_API
#endif

/** @brief Largest body any function of this library reads (16 MiB): longer ones are refused. */
#define AIOTSEC_SBI_BODY_MAX (16u * 1024u * 1024u)
/** @brief A handler's default limit on request bodies (4 MiB, room for 65,536 `randDlist` entries). */
#define AIOTSEC_SBI_BODY_DEFAULT (4u * 1024u * 1024u)
/** @brief Most `randDlist` entries a parse object can hold. */
#define AIOTSEC_SBI_RAND_D_MAX 65536u
/** @brief Room for the longest `cause` this library writes, with its NUL. */
#define AIOTSEC_SBI_CAUSE_MAX 64u

/* --- operations, paths and statuses ------------------------------------------ */

/**
 * @brief The operation a request path names.
 *
 * Accepts the operation's path alone (`/get-rand`, `/get-authentication`,
 * `/get-session-key`, `/get-tid`) or any path that ends with
 * `/nadm-sec/v1` followed by it (an apiRoot with a path of its own). The
 * query string, if any, must have been removed.
 * @param path The path (need not be NUL-terminated).
 * @param path_len Its length.
 * @param[out] op Receives the ::aiotsec_adm_op.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_VALUE (no such operation).
 */
AIOTSEC_SBI_API int aiotsec_sbi_op_from_path(const char *path, size_t path_len, int *op);

/**
 * @brief The path of an operation below `{apiRoot}/nadm-sec/v1`, e.g. "/get-tid".
 * @param op An ::aiotsec_adm_op.
 * @param[out] path Receives a static string.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_VALUE (not an operation).
 */
AIOTSEC_SBI_API int aiotsec_sbi_op_path(int op, const char **path);

/**
 * @brief The HTTP status an ADM answers with for a library status.
 *
 * ::AIOTSEC_OK 200; ::AIOTSEC_E_UNKNOWN_DEVICE and ::AIOTSEC_E_NO_CANDIDATE 404;
 * ::AIOTSEC_E_TOO_MANY_DERIVATIONS and ::AIOTSEC_E_LIMIT (body too large) 413;
 * a malformed request (::AIOTSEC_E_BAD_VALUE, ::AIOTSEC_E_BAD_LENGTH,
 * ::AIOTSEC_E_BAD_FILTER, ::AIOTSEC_E_PARSE) 400; anything else 500.
 * @param status A status.
 * @param[out] http_status Receives the HTTP status.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_SBI_API int aiotsec_sbi_http_status(int status, int *http_status);

/**
 * @brief The Content-Type of a response with this HTTP status.
 * @param http_status The status.
 * @param[out] content_type Receives "application/json" for 2xx,
 *             "application/problem+json" otherwise (static strings).
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_SBI_API int aiotsec_sbi_content_type(int http_status, const char **content_type);

/**
 * @brief AIOTF side: the status to give the AIOTF for the HTTP outcome of a request.
 *
 * 2xx: ::AIOTSEC_OK (parse the body). 0 (no answer: timeout, connection lost),
 * 3xx, 429 and 5xx: ::AIOTSEC_E_TRANSPORT (retryable). 404:
 * ::AIOTSEC_E_NO_CANDIDATE when @p req carries a filter,
 * ::AIOTSEC_E_UNKNOWN_DEVICE when it names a device, ::AIOTSEC_E_UNSUPPORTED for
 * getRand. 413: ::AIOTSEC_E_TOO_MANY_DERIVATIONS (the AIOTF splits). Any other
 * 4xx (400 first): ::AIOTSEC_E_BAD_VALUE. Anything else: ::AIOTSEC_E_BAD_ANSWER.
 * @param req The request the answer is for; NULL reads 404 as ::AIOTSEC_E_UNKNOWN_DEVICE.
 * @param http_status The HTTP status, or 0 when no answer came.
 * @return The status (never ::AIOTSEC_E_NULL_ARG).
 */
AIOTSEC_SBI_API int aiotsec_sbi_answer_status(const aiotsec_adm_request *req, int http_status);

/* --- base64 (TS 29.571 `Bytes`) ------------------------------------------------ */

/**
 * @brief Base64 (RFC 4648 section 4, padded) of an octet string.
 * @param in The octets (may be NULL when @p len is 0).
 * @param len Their number.
 * @param[out] out Receives the text and a NUL (may be NULL when @p cap is 0).
 * @param cap Capacity of @p out: 4 * ceil(len / 3) + 1.
 * @param[out] out_len Receives the text's length (also when @p out is too small).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BUFFER_TOO_SMALL.
 */
AIOTSEC_SBI_API int aiotsec_sbi_base64_encode(const uint8_t *in, size_t len, char *out, size_t cap,
                                              size_t *out_len);

/**
 * @brief Strict base64 decoding: standard alphabet, length a multiple of 4,
 *        `=` only as the final padding, unused bits of the last symbol zero,
 *        no blanks.
 * @param in The text (need not be NUL-terminated).
 * @param len Its length.
 * @param[out] out Receives the octets.
 * @param cap Capacity of @p out.
 * @param[out] out_len Receives their number.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (not strict
 *         base64) or ::AIOTSEC_E_BUFFER_TOO_SMALL.
 */
AIOTSEC_SBI_API int aiotsec_sbi_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap,
                                              size_t *out_len);

/* --- ADM side: request parsing -------------------------------------------------- */

/** @brief A request parser with storage for the octets of one request (opaque). */
typedef struct aiotsec_sbi_request aiotsec_sbi_request;

/**
 * @brief Makes a parser able to hold @p max_rand_d `randDlist` entries (allocated here, once).
 * @param[out] out Receives the parser; free with aiotsec_sbi_request_free().
 * @param max_rand_d 1..::AIOTSEC_SBI_RAND_D_MAX; a longer `randDlist` is refused
 *        with ::AIOTSEC_E_TOO_MANY_DERIVATIONS (413) before any entry is read.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_SBI_API int aiotsec_sbi_request_new(aiotsec_sbi_request **out, size_t max_rand_d);

/**
 * @brief Frees a parser. NULL is ignored.
 * @param p The parser.
 */
AIOTSEC_SBI_API void aiotsec_sbi_request_free(aiotsec_sbi_request *p);

/**
 * @brief Parses the body of a request to the ADM.
 *
 * getRand takes no body: an empty one (blanks allowed) or `{}`. The others take
 * their TS 29.369 object, read strictly (see the file description); for
 * getAuthentication exactly one of `aiotDevPermId` and `filteringInfo`. The
 * structure of a filter beyond its length (1..33 octets) is the ADM's to
 * judge (its profile). On failure the problem is kept for
 * aiotsec_sbi_request_error() and aiotsec_sbi_request_problem().
 * @param p The parser.
 * @param op An ::aiotsec_adm_op.
 * @param body The body (need not be NUL-terminated; may be NULL when @p len is 0).
 * @param len Its length.
 * @param[out] req Receives a view of the request (its octets are @p p's),
 *             valid until the next parse or the free; NULL on failure.
 * @return ::AIOTSEC_OK; ::AIOTSEC_E_PARSE (400: the body is not JSON at all, or
 *         empty), ::AIOTSEC_E_BAD_VALUE (400: JSON that breaks the schema),
 *         ::AIOTSEC_E_TOO_MANY_DERIVATIONS (413: more `randDlist` entries than
 *         the parser holds), ::AIOTSEC_E_LIMIT (413: a body over
 *         ::AIOTSEC_SBI_BODY_MAX), ::AIOTSEC_E_NO_MEMORY (500), or, with no
 *         problem kept, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_VALUE (@p op).
 */
AIOTSEC_SBI_API int aiotsec_sbi_request_parse(aiotsec_sbi_request *p, int op, const char *body, size_t len,
                                              const aiotsec_adm_request **req);

/**
 * @brief The problem of the last failed parse (views valid until the next parse).
 * @param p The parser.
 * @param[out] http_status Receives its HTTP status (400, 413 or 500); may be NULL.
 * @param[out] cause Receives its `cause`, e.g. "MANDATORY_IE_INCORRECT"; may be NULL.
 * @param[out] param Receives the JSON pointer of the first invalid parameter
 *             ("" for the body as a whole, or when there is none); may be NULL.
 * @param[out] reason Receives why, in words (never a copy of the input); may be NULL.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_STATE (no parse failed last).
 */
AIOTSEC_SBI_API int aiotsec_sbi_request_error(const aiotsec_sbi_request *p, int *http_status, const char **cause,
                                              const char **param, const char **reason);

/**
 * @brief Writes the ProblemDetails body of the last failed parse.
 * @param p The parser.
 * @param[out] buf Receives the body and a NUL (may be NULL when @p cap is 0: asks for the length).
 * @param cap Capacity of @p buf.
 * @param[out] len Receives the body's length (also when @p buf is too small).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_STATE (no parse
 *         failed last) or ::AIOTSEC_E_BUFFER_TOO_SMALL.
 */
AIOTSEC_SBI_API int aiotsec_sbi_request_problem(const aiotsec_sbi_request *p, char *buf, size_t cap, size_t *len);

/* --- ADM side: response bodies -------------------------------------------------- */

/**
 * @brief `GetRandResponse`: `{"randN": ...}`.
 * @param rand_n RAND_AIOT_n.
 * @param rand_n_len 16.
 * @param[out] buf Receives the body and a NUL (may be NULL when @p cap is 0: asks for the length).
 * @param cap Capacity of @p buf.
 * @param[out] len Receives the body's length (also when @p buf is too small).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH or ::AIOTSEC_E_BUFFER_TOO_SMALL.
 */
AIOTSEC_SBI_API int aiotsec_sbi_write_rand_response(const uint8_t *rand_n, size_t rand_n_len, char *buf,
                                                    size_t cap, size_t *len);

/**
 * @brief `GetAuthenticationResponse`: one `AuthDataSet` per set of @p ans, in order.
 * @param ans A filled answer (aiotsec_adm_get_authentication()).
 * @param[out] buf Receives the body and a NUL (may be NULL when @p cap is 0: asks for the length).
 * @param cap Capacity of @p buf.
 * @param[out] len Receives the body's length (also when @p buf is too small).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (an empty
 *         answer, or a set without entries: the schema needs at least one) or
 *         ::AIOTSEC_E_BUFFER_TOO_SMALL.
 */
AIOTSEC_SBI_API int aiotsec_sbi_write_auth_response(const aiotsec_auth_answer *ans, char *buf, size_t cap,
                                                    size_t *len);

/**
 * @brief `GetSessionKeyResponse`: `{"kAiotf": ...}` (a secret: wipe @p buf after use).
 * @param kaiotf K_AIOTF.
 * @param kaiotf_len 16.
 * @param[out] buf Receives the body and a NUL (may be NULL when @p cap is 0: asks for the length).
 * @param cap Capacity of @p buf.
 * @param[out] len Receives the body's length (also when @p buf is too small).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH or ::AIOTSEC_E_BUFFER_TOO_SMALL.
 */
AIOTSEC_SBI_API int aiotsec_sbi_write_session_key_response(const uint8_t *kaiotf, size_t kaiotf_len, char *buf,
                                                           size_t cap, size_t *len);

/**
 * @brief `GetTidResponse`: `tid`, `tidHandInfo.tidType` and, when present, `tidPrevious`.
 * @param tid The T-ID information (aiotsec_adm_get_tid()).
 * @param[out] buf Receives the body and a NUL (may be NULL when @p cap is 0: asks for the length).
 * @param cap Capacity of @p buf.
 * @param[out] len Receives the body's length (also when @p buf is too small).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (a T-ID type
 *         other than ::AIOTSEC_TID_STORED or ::AIOTSEC_TID_CONCEALED) or
 *         ::AIOTSEC_E_BUFFER_TOO_SMALL.
 */
AIOTSEC_SBI_API int aiotsec_sbi_write_tid_response(const aiotsec_tid_info *tid, char *buf, size_t cap,
                                                   size_t *len);

/**
 * @brief The ProblemDetails body for an ADM error status (aiotsec_sbi_http_status() gives its status).
 * @param status A negative status returned by the ADM for @p req.
 * @param req The request, to name the member a 400 is about where it can; may be NULL.
 * @param[out] buf Receives the body and a NUL (may be NULL when @p cap is 0: asks for the length).
 * @param cap Capacity of @p buf.
 * @param[out] len Receives the body's length (also when @p buf is too small).
 * @param[out] http_status Receives the HTTP status; may be NULL.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (@p status is
 *         not an error) or ::AIOTSEC_E_BUFFER_TOO_SMALL.
 */
AIOTSEC_SBI_API int aiotsec_sbi_write_problem(int status, const aiotsec_adm_request *req, char *buf, size_t cap,
                                              size_t *len, int *http_status);

/* --- ADM side: the handler ------------------------------------------------------ */

/** @brief An ADM behind the SBI: parser, answer and response buffer for one thread (opaque). */
typedef struct aiotsec_sbi_handler aiotsec_sbi_handler;

/**
 * @brief Makes a handler over an ADM.
 *
 * Allocates once a parser for min(ADM limit, ::AIOTSEC_SBI_RAND_D_MAX)
 * `randDlist` entries and an answer of the ADM's limit; the response buffer
 * grows with the largest response, never beyond what that answer needs.
 * @param[out] out Receives the handler; free with aiotsec_sbi_handler_free().
 * @param adm The ADM (must outlive the handler; may be shared by handlers of other threads).
 * @param max_body Largest request body accepted, 1..::AIOTSEC_SBI_BODY_MAX;
 *        0 for ::AIOTSEC_SBI_BODY_DEFAULT. Longer bodies are answered 413.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_SBI_API int aiotsec_sbi_handler_new(aiotsec_sbi_handler **out, const aiotsec_adm *adm, size_t max_body);

/**
 * @brief Wipes and frees a handler. NULL is ignored.
 * @param h The handler.
 */
AIOTSEC_SBI_API void aiotsec_sbi_handler_free(aiotsec_sbi_handler *h);

/**
 * @brief Answers one request: parse, ADM call, response body.
 *
 * The response is a success body (`application/json`) or a ProblemDetails
 * (`application/problem+json`, aiotsec_sbi_content_type()): 400 for a
 * malformed body (with `invalidParams`), 404, 413, or 500 (see
 * aiotsec_sbi_http_status()). The body stays valid, and holds XRES_AIOT or
 * K_AIOTF for those operations, until the next call, aiotsec_sbi_handler_clear()
 * or the free, each of which wipes it.
 * @param h The handler.
 * @param op An ::aiotsec_adm_op (aiotsec_sbi_op_from_path() maps a path).
 * @param body The request body (may be NULL when @p len is 0).
 * @param len Its length.
 * @param[out] http_status Receives the HTTP status.
 * @param[out] resp Receives a view of the response body (NUL-terminated).
 * @param[out] resp_len Receives its length.
 * @return ::AIOTSEC_OK whenever a response was produced (whatever its status;
 *         when memory runs out it is a fixed 500 body), ::AIOTSEC_E_NULL_ARG or
 *         ::AIOTSEC_E_BAD_VALUE (@p op is not an operation).
 */
AIOTSEC_SBI_API int aiotsec_sbi_handle(aiotsec_sbi_handler *h, int op, const char *body, size_t len,
                                       int *http_status, const char **resp, size_t *resp_len);

/**
 * @brief The library status behind the last response (for logs and metrics).
 * @param h The handler.
 * @param[out] status Receives ::AIOTSEC_OK after a 2xx; after a problem, the
 *             parser's status (::AIOTSEC_E_PARSE: the body is not JSON at all)
 *             or the ADM's.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_STATE (no response yet).
 */
AIOTSEC_SBI_API int aiotsec_sbi_handler_last_status(const aiotsec_sbi_handler *h, int *status);

/**
 * @brief Wipes the last response now (e.g. as soon as it is sent).
 * @param h The handler.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_SBI_API int aiotsec_sbi_handler_clear(aiotsec_sbi_handler *h);

/* --- AIOTF side ---------------------------------------------------------------- */

/**
 * @brief The body of a request to the ADM (empty for getRand).
 * @param req A request (as aiotsec_aiotf_next_requests() hands it out).
 * @param[out] buf Receives the body and a NUL (may be NULL when @p cap is 0: asks for the length).
 * @param cap Capacity of @p buf.
 * @param[out] len Receives the body's length (also when @p buf is too small).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (unknown
 *         operation; getAuthentication without exactly one of device and
 *         filter, or without RAND_AIOT_d), ::AIOTSEC_E_BAD_LENGTH or
 *         ::AIOTSEC_E_BUFFER_TOO_SMALL.
 */
AIOTSEC_SBI_API int aiotsec_sbi_write_request(const aiotsec_adm_request *req, char *buf, size_t cap, size_t *len);

/**
 * @brief Reads a `GetRandResponse`.
 * @param body The body.
 * @param len Its length.
 * @param[out] rand_n Receives RAND_AIOT_n.
 * @param cap Capacity of @p rand_n (16).
 * @param[out] rand_n_len Receives 16.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_ANSWER (malformed),
 *         ::AIOTSEC_E_LIMIT (over ::AIOTSEC_SBI_BODY_MAX), ::AIOTSEC_E_BUFFER_TOO_SMALL
 *         or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_SBI_API int aiotsec_sbi_parse_rand_response(const char *body, size_t len, uint8_t *rand_n, size_t cap,
                                                    size_t *rand_n_len);

/**
 * @brief Reads a `GetAuthenticationResponse` into an answer (reset first; left empty on failure).
 * @param body The body.
 * @param len Its length.
 * @param ans The answer (aiotsec_auth_answer_add_set() / aiotsec_auth_answer_add_entry()).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_ANSWER (malformed),
 *         ::AIOTSEC_E_LIMIT (more entries than @p ans holds, or a body over
 *         ::AIOTSEC_SBI_BODY_MAX) or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_SBI_API int aiotsec_sbi_parse_auth_response(const char *body, size_t len, aiotsec_auth_answer *ans);

/**
 * @brief Reads a `GetSessionKeyResponse`: K_AIOTF.
 * @param body The body (a secret: the caller wipes it).
 * @param len Its length.
 * @param[out] kaiotf Receives K_AIOTF (wiped on failure).
 * @param cap Capacity of @p kaiotf (16).
 * @param[out] kaiotf_len Receives 16.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_ANSWER,
 *         ::AIOTSEC_E_LIMIT, ::AIOTSEC_E_BUFFER_TOO_SMALL or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_SBI_API int aiotsec_sbi_parse_session_key_response(const char *body, size_t len, uint8_t *kaiotf,
                                                           size_t cap, size_t *kaiotf_len);

/**
 * @brief Reads a `GetTidResponse`.
 * @param body The body.
 * @param len Its length.
 * @param[out] out Receives the T-ID information; @c tid_type is 0 for a
 *             `tidType` this library does not know (the enumeration is extensible).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_ANSWER,
 *         ::AIOTSEC_E_LIMIT or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_SBI_API int aiotsec_sbi_parse_tid_response(const char *body, size_t len, aiotsec_tid_info *out);

/**
 * @brief Reads a ProblemDetails body (every member optional, as TS 29.571 has it).
 * @param body The body.
 * @param len Its length.
 * @param[out] status Receives its `status`, 0 when absent; may be NULL.
 * @param[out] cause Receives its `cause` (truncated to @p cause_cap - 1
 *             characters), "" when absent; may be NULL.
 * @param cause_cap Capacity of @p cause (::AIOTSEC_SBI_CAUSE_MAX is enough for
 *        the causes this library writes).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG (@p body), ::AIOTSEC_E_BAD_ANSWER
 *         (not a JSON object, or a member of the wrong type), ::AIOTSEC_E_LIMIT
 *         or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_SBI_API int aiotsec_sbi_parse_problem(const char *body, size_t len, int *status, char *cause,
                                              size_t cause_cap);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_SBI_H */
