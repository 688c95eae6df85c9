/* aiotsec nas: decode, encode, protect and unprotect AIOT NAS messages.
 *
 *   aiotsec nas decode HEX|-      -> one line of JSON (exit 2 with the reason if malformed)
 *   aiotsec nas encode < JSON     -> hex
 *   aiotsec nas protect KAIOTF --count N --dir r2d|d2r [--int-alg N] [--enc-alg N] HEX|-
 *   aiotsec nas unprotect KAIOTF --dir r2d|d2r [--int-alg N] [--enc-alg N]
 *                         [--last-count N] HEX|-
 *
 * KAIOTF is K_AIOTF from --key-file PATH, --key-env NAME, --kaiotf - (standard
 * input) or --kaiotf HEX (see cli_key_read() in cli.h); a message "-" is read
 * from standard input (hex, blanks and newlines around it ignored), so that
 * `aiotsec nas encode < m.json | aiotsec nas decode -` works.
 *
 * The JSON schema is flat (see the README): type, res, rand_d, transaction_id,
 * command, offset, length, data, status, cause; octets as lower-case hex strings,
 * numbers as JSON numbers. Command names and failure causes are TS 29.569's
 * (commandType, AIoTDevFailCause); the status is the profile's wire value.
 * Algorithm defaults and every length come from the profile. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_args.h"
#include "nas_json.h"
#include "aiotsec/testing.h"

#define HEX_CAP 65535u /* octets: any profile's largest message (nas_max_len is 16 bits; 2048 in profile 0) */
#define TEXT_CAP (2u * HEX_CAP + 256u) /* a message's hex on stdin, with blanks around it */

typedef struct nas_opts {
    const char *backend, *kaiotf, *count, *dir, *int_alg, *enc_alg, *last_count, *key_file, *key_env;
    const char *arg; /* the one positional argument */
} nas_opts;

static void usage(FILE *out)
{
    fputs("usage: aiotsec nas decode [--backend NAME] HEX|-\n"
          "       aiotsec nas encode [--backend NAME] < JSON\n"
          "       aiotsec nas protect KAIOTF --count N --dir r2d|d2r [--int-alg N] [--enc-alg N]\n"
          "                           [--backend NAME] HEX|-\n"
          "       aiotsec nas unprotect KAIOTF --dir r2d|d2r [--int-alg N] [--enc-alg N]\n"
          "                             [--last-count N] [--backend NAME] HEX|-\n"
          "KAIOTF: K_AIOTF (16 octets) as hex, from one of (safest first): --key-file PATH (a file),\n"
          "       --key-env NAME (an environment variable), --kaiotf - (standard input), or\n"
          "       --kaiotf HEX (the command line: other users can see it in ps).\n"
          "HEX|-: the message as hex, or - to read the hex from standard input (blanks and newlines\n"
          "       around it ignored): aiotsec nas encode < m.json | aiotsec nas decode -\n"
          "JSON: {\"type\": AUTHENTICATION_RESPONSE|COMMAND_REQUEST|COMMAND_RESPONSE, \"res\", \"rand_d\",\n"
          "       \"transaction_id\", \"command\": READ|WRITE|PERMANENT_DISABLE, \"offset\", \"length\",\n"
          "       \"data\", \"status\" (the wire value), \"cause\" (its TS 29.569 name; optional on input)};\n"
          "       octets as lower-case hex strings, numbers as JSON numbers. res is the profile's RES_AIOT\n"
          "       length (16 octets in profile 0), rand_d 16 octets. DISABLE is read as PERMANENT_DISABLE.\n"
          "--int-alg and --enc-alg default to the profile's defaults (AIA-HS 8 and NEA0 in profile 0).\n"
          "Exit status: 0 success, 1 a failed security check, 2 bad input.\n",
          out);
}

/* Parses the options every nas subcommand shares; unknown options are errors. */
static int parse_opts(int argc, char **argv, nas_opts *o)
{
    memset(o, 0, sizeof *o);
    cmd_opt opts[] = {
        {"--backend", &o->backend, 1, 0},   {"--kaiotf", &o->kaiotf, 1, 0},
        {"--count", &o->count, 1, 0},       {"--dir", &o->dir, 1, 0},
        {"--int-alg", &o->int_alg, 1, 0},   {"--enc-alg", &o->enc_alg, 1, 0},
        {"--last-count", &o->last_count, 1, 0}, {"--key-file", &o->key_file, 1, 0},
        {"--key-env", &o->key_env, 1, 0},
    };
    size_t n_pos = 0;
    int rc = cmd_parse_args(argc - 2, argv + 2, opts, sizeof opts / sizeof opts[0], &o->arg, 1, &n_pos);
    return rc == CMD_HELP ? CLI_OK : rc; /* --help was handled before */
}

/* Rejects options a subcommand does not take. */
static int only(const nas_opts *o, const char *sub, int kaiotf, int count, int dir, int algs, int last)
{
    if ((!kaiotf && (o->kaiotf || o->key_file || o->key_env)) || (!count && o->count) || (!dir && o->dir) ||
        (!algs && (o->int_alg || o->enc_alg)) || (!last && o->last_count))
        return cli_usage_error("nas %s: option not accepted by this subcommand", sub);
    return CLI_OK;
}

static void print_hex_field(const char *name, const uint8_t *v, size_t len, int *first)
{
    printf("%s\"%s\":\"", *first ? "" : ",", name);
    for (size_t i = 0; i < len; i++)
        printf("%02x", v[i]);
    putchar('"');
    *first = 0;
}

static void print_num_field(const char *name, unsigned long v, int *first)
{
    printf("%s\"%s\":%lu", *first ? "" : ",", name, v);
    *first = 0;
}

static void print_str_field(const char *name, const char *v, int *first)
{
    printf("%s\"%s\":\"%s\"", *first ? "" : ",", name, v);
    *first = 0;
}

static void print_msg_json(const aiotsec_profile *prof, const aiotsec_nas_msg *m)
{
    int first = 1;
    putchar('{');
    print_str_field("type", aiotsec_nas_type_name(m->type), &first);
    if (m->type == AIOTSEC_NAS_AUTH_RESPONSE) {
        print_hex_field("res", m->res, m->res_len, &first);
        print_hex_field("rand_d", m->rand_d, m->rand_d_len, &first);
    } else if (m->type == AIOTSEC_NAS_COMMAND_REQUEST) {
        print_num_field("transaction_id", m->transaction_id, &first);
        print_str_field("command", aiotsec_cmd_name(m->command), &first);
        if (m->command != AIOTSEC_CMD_PERMANENT_DISABLE)
            print_num_field("offset", m->offset, &first);
        if (m->command == AIOTSEC_CMD_READ)
            print_num_field("length", m->length, &first);
        if (m->command == AIOTSEC_CMD_WRITE)
            print_hex_field("data", m->data, m->data_len, &first);
    } else {
        print_num_field("transaction_id", m->transaction_id, &first);
        uint8_t wire = 0;
        if (aiotsec_cmd_status_to_wire(prof, m->status, &wire) == AIOTSEC_OK) /* decoded: always */
            print_num_field("status", wire, &first);
        const char *cause = aiotsec_cmd_status_cause(m->status);
        if (cause && *cause) /* success has no failure cause */
            print_str_field("cause", cause, &first);
        if (m->data_len)
            print_hex_field("data", m->data, m->data_len, &first);
    }
    puts("}");
}

static cli_key_src key_src(const nas_opts *o)
{
    cli_key_src src = {o->kaiotf, o->key_file, o->key_env};
    return src;
}

/* The message argument: hex, or "-" for hex on standard input (which must hold
 * some). Returns 0, or -1 after printing the reason. */
static int read_message(const nas_opts *o, const char *sub, uint8_t *buf, size_t cap, size_t *len)
{
    if (strcmp(o->arg, "-") != 0) {
        if (cli_parse_hex(o->arg, buf, cap, len))
            return cli_usage_error("nas %s: the message is not hex (or longer than %zu octets)", sub, cap), -1;
        return 0;
    }
    cli_key_src src = key_src(o);
    if (cli_key_from_stdin(&src))
        return cli_usage_error("nas %s: standard input cannot carry both K_AIOTF (--kaiotf -) and the message",
                               sub), -1;
    static char text[TEXT_CAP];
    size_t start = 0, n = 0;
    int st = cli_read_stdin(text, sizeof text, &start, &n);
    int rc = 0;
    if (st < 0)
        rc = cli_usage_error("nas %s: cannot read the message on standard input", sub);
    else if (st > 0 || cli_parse_hex_n(text + start, n, buf, cap, len))
        rc = cli_usage_error("nas %s: the message on standard input is not hex (or longer than %zu octets)", sub,
                             cap);
    else if (n == 0)
        rc = cli_usage_error("nas %s: no message on standard input", sub);
    /* A message can be secret (a decrypted payload, data to protect). */
    aiotsec_wipe(text, sizeof text);
    return rc ? -1 : 0;
}

static int nas_decode_msg(const aiotsec_profile *prof, const uint8_t *buf, size_t len);

static int nas_decode(const nas_opts *o)
{
    static uint8_t buf[HEX_CAP];
    size_t len = 0;
    if (!o->arg)
        return cli_usage_error("nas decode: HEX argument missing (or - to read it from standard input)");
    if (read_message(o, "decode", buf, sizeof buf, &len))
        return CLI_USAGE;
    aiotsec_ctx *ctx = cli_make_ctx(o->backend);
    if (!ctx)
        return CLI_USAGE;
    int ret = nas_decode_msg(aiotsec_ctx_profile(ctx), buf, len);
    aiotsec_ctx_free(ctx);
    return ret;
}

static int nas_decode_msg(const aiotsec_profile *prof, const uint8_t *buf, size_t len)
{
    aiotsec_nas_sht sht = AIOTSEC_NAS_SHT_PLAIN;
    if (aiotsec_nas_peek_sht(prof, buf, len, &sht) == AIOTSEC_OK && sht != AIOTSEC_NAS_SHT_PLAIN) {
        aiotsec_nas_protected_hdr h;
        int rc = aiotsec_nas_parse_protected(prof, buf, len, &h);
        if (rc != AIOTSEC_OK)
            return cli_usage_error("nas decode: %s (%s)", aiotsec_strerror(rc), aiotsec_status_name(rc));
        int first = 1;
        putchar('{');
        print_num_field("security_header_type", (unsigned long)h.sht, &first);
        print_hex_field("mac", h.mac, AIOTSEC_NAS_MAC_LEN, &first);
        print_num_field("sqn", h.sqn, &first);
        print_hex_field("payload", h.payload, h.payload_len, &first);
        puts("}");
        return cmd_flush();
    }
    aiotsec_nas_msg m;
    int rc = aiotsec_nas_decode(prof, buf, len, &m);
    if (rc != AIOTSEC_OK)
        return cli_usage_error("nas decode: %s (%s)", aiotsec_strerror(rc), aiotsec_status_name(rc));
    print_msg_json(prof, &m);
    return cmd_flush();
}

/* A JSON hex string member into buf; -1 with a message printed on error. */
static int json_hex(const nas_json_member *mem, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    if (!mem->is_string)
        return cli_usage_error("nas encode: '%s' must be a hex string", name), -1;
    for (size_t i = 0; i < mem->str_len; i++) {
        char ch = mem->str[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return cli_usage_error("nas encode: '%s' must be lower-case hex", name), -1;
    }
    if (mem->str_len % 2 || mem->str_len / 2 > cap)
        return cli_usage_error("nas encode: '%s' has an odd or too large length", name), -1;
    char tmp[3] = {0};
    for (size_t i = 0; i < mem->str_len / 2; i++) {
        tmp[0] = mem->str[2 * i];
        tmp[1] = mem->str[2 * i + 1];
        size_t one = 0;
        if (cli_parse_hex(tmp, buf + i, 1, &one))
            return cli_usage_error("nas encode: '%s' is not hex", name), -1;
    }
    *len = mem->str_len / 2;
    return 0;
}

static int json_num(const nas_json_member *mem, const char *name, uint32_t max, uint32_t *v)
{
    if (mem->is_string)
        return cli_usage_error("nas encode: '%s' must be a number", name), -1;
    if (mem->num > max)
        return cli_usage_error("nas encode: '%s' is larger than %u", name, max), -1;
    *v = mem->num;
    return 0;
}

static int json_name(const nas_json_member *mem, const char *name, const char *const *names, size_t n)
{
    if (!mem->is_string)
        return cli_usage_error("nas encode: '%s' must be a string", name), -1;
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) == mem->str_len && !memcmp(names[i], mem->str, mem->str_len))
            return (int)i;
    return cli_usage_error("nas encode: unknown %s '%.*s'", name, (int)mem->str_len, mem->str), -1;
}

/* Fills m from the JSON object; octets are decoded into the caller's buffers.
 * Every member must be one the message type uses, every required one present. */
static int msg_from_json(const aiotsec_profile *prof, const nas_json_object *obj, aiotsec_nas_msg *m,
                         uint8_t *res, uint8_t *rand_d, uint8_t *data, size_t cap)
{
    static const char *const types[] = {"AUTHENTICATION_RESPONSE", "COMMAND_REQUEST", "COMMAND_RESPONSE"};
    /* TS 29.569 commandType names; "DISABLE" is the name of version 0.1, still read. */
    static const char *const cmds[] = {"READ", "WRITE", "PERMANENT_DISABLE", "DISABLE"};
    static const int cmd_of[] = {AIOTSEC_CMD_READ, AIOTSEC_CMD_WRITE, AIOTSEC_CMD_PERMANENT_DISABLE,
                                 AIOTSEC_CMD_PERMANENT_DISABLE};
    memset(m, 0, sizeof *m);
    const nas_json_member *t = nas_json_find(obj, "type");
    if (!t)
        return cli_usage_error("nas encode: 'type' missing"), -1;
    int ti = json_name(t, "type", types, 3);
    if (ti < 0)
        return -1;
    m->type = ti + AIOTSEC_NAS_AUTH_RESPONSE;
    const char *allowed[8] = {"type"};
    const char *required[6] = {"type"};
    size_t na = 1, nr = 1;
    if (m->type == AIOTSEC_NAS_AUTH_RESPONSE) {
        allowed[na++] = required[nr++] = "res";
        allowed[na++] = required[nr++] = "rand_d";
    } else if (m->type == AIOTSEC_NAS_COMMAND_REQUEST) {
        allowed[na++] = required[nr++] = "transaction_id";
        allowed[na++] = required[nr++] = "command";
        const nas_json_member *c = nas_json_find(obj, "command");
        int ci = c ? json_name(c, "command", cmds, 4) : 0;
        if (ci < 0)
            return -1;
        m->command = cmd_of[ci];
        if (c && m->command != AIOTSEC_CMD_PERMANENT_DISABLE)
            allowed[na++] = required[nr++] = "offset";
        if (c && m->command == AIOTSEC_CMD_READ)
            allowed[na++] = required[nr++] = "length";
        if (c && m->command == AIOTSEC_CMD_WRITE)
            allowed[na++] = required[nr++] = "data";
    } else {
        allowed[na++] = required[nr++] = "transaction_id";
        allowed[na++] = required[nr++] = "status";
        allowed[na++] = "data";
        allowed[na++] = "cause";
    }
    for (size_t i = 0; i < nr; i++)
        if (!nas_json_find(obj, required[i]))
            return cli_usage_error("nas encode: '%s' missing", required[i]), -1;
    for (size_t i = 0; i < obj->n; i++) {
        size_t k = 0;
        while (k < na && !(strlen(allowed[k]) == obj->m[i].key_len &&
                           !memcmp(allowed[k], obj->m[i].key, obj->m[i].key_len)))
            k++;
        if (k == na)
            return cli_usage_error("nas encode: member '%.*s' not allowed in %s", (int)obj->m[i].key_len,
                                   obj->m[i].key, types[ti]), -1;
    }
    const nas_json_member *f;
    uint32_t v;
    aiotsec_profile_params pp;
    if (aiotsec_profile_get(prof, &pp) != AIOTSEC_OK)
        return cli_usage_error("nas encode: no profile"), -1;
    if ((f = nas_json_find(obj, "res")) && json_hex(f, "res", res, AIOTSEC_RAND_RES_MAX, &m->res_len))
        return -1;
    if (f && m->res_len != pp.res_len)
        return cli_usage_error("nas encode: 'res' must be %u octets (the profile's RES_AIOT length), not %zu",
                               (unsigned)pp.res_len, m->res_len), -1;
    if ((f = nas_json_find(obj, "rand_d")) &&
        json_hex(f, "rand_d", rand_d, AIOTSEC_RAND_RES_MAX, &m->rand_d_len))
        return -1;
    if (f && m->rand_d_len != pp.rand_d_len)
        return cli_usage_error("nas encode: 'rand_d' must be %u octets, not %zu", (unsigned)pp.rand_d_len,
                               m->rand_d_len), -1;
    if ((f = nas_json_find(obj, "data")) && json_hex(f, "data", data, cap, &m->data_len))
        return -1;
    m->res = res;
    m->rand_d = rand_d;
    m->data = data;
    if ((f = nas_json_find(obj, "transaction_id"))) {
        if (json_num(f, "transaction_id", 255, &v))
            return -1;
        m->transaction_id = (uint8_t)v;
    }
    if ((f = nas_json_find(obj, "offset"))) {
        if (json_num(f, "offset", 65535, &v))
            return -1;
        m->offset = (uint16_t)v;
    }
    if ((f = nas_json_find(obj, "length"))) {
        if (json_num(f, "length", 65535, &v))
            return -1;
        m->length = (uint16_t)v;
    }
    if ((f = nas_json_find(obj, "status"))) {
        if (json_num(f, "status", 255, &v))
            return -1;
        aiotsec_cmd_status st;
        if (aiotsec_cmd_status_from_wire(prof, (uint8_t)v, &st) != AIOTSEC_OK)
            return cli_usage_error("nas encode: unknown status %u", v), -1;
        m->status = st;
        /* The cause, when given, must be the status's (a decoded message encodes back). */
        const char *cause = aiotsec_cmd_status_cause(st);
        if ((f = nas_json_find(obj, "cause")) &&
            (!f->is_string || !cause || !*cause || strlen(cause) != f->str_len || memcmp(cause, f->str, f->str_len)))
            return cli_usage_error("nas encode: 'cause' is not the cause of status %u (%s)", v,
                                   cause && *cause ? cause : "success has none"), -1;
    }
    return 0;
}

static int nas_encode(const nas_opts *o)
{
    static char text[NAS_JSON_MAX_INPUT + 1];
    static uint8_t res[AIOTSEC_RAND_RES_MAX], rand_d[AIOTSEC_RAND_RES_MAX], data[HEX_CAP], out[HEX_CAP];
    if (o->arg)
        return cli_usage_error("nas encode: reads the JSON from stdin, takes no argument");
    size_t n = fread(text, 1, sizeof text, stdin);
    if (n > NAS_JSON_MAX_INPUT)
        return cli_usage_error("nas encode: JSON longer than %u octets", NAS_JSON_MAX_INPUT);
    nas_json_object obj;
    const char *why = NULL;
    if (nas_json_parse(text, n, &obj, &why))
        return cli_usage_error("nas encode: bad JSON: %s", why);
    aiotsec_ctx *ctx = cli_make_ctx(o->backend);
    if (!ctx)
        return CLI_USAGE;
    const aiotsec_profile *prof = aiotsec_ctx_profile(ctx);
    aiotsec_nas_msg m;
    size_t len = 0;
    int ret = CLI_OK;
    if (msg_from_json(prof, &obj, &m, res, rand_d, data, sizeof data)) {
        ret = CLI_USAGE;
    } else {
        int rc = aiotsec_nas_encode(prof, &m, out, sizeof out, &len);
        if (rc == AIOTSEC_OK)
            ret = cmd_print_hex(out, len);
        else
            ret = cli_usage_error("nas encode: %s (%s)", aiotsec_strerror(rc), aiotsec_status_name(rc));
    }
    aiotsec_ctx_free(ctx);
    return ret;
}

/* Builds the context from the checked options and K_AIOTF (k, klen). */
static int make_sec_with(const nas_opts *o, const char *sub, int sender, const uint8_t *k, size_t klen,
                         aiotsec_ctx **ctx, aiotsec_nas_sec **sec)
{
    unsigned long int_alg, enc_alg;
    aiotsec_profile_params pp;
    int r2d = !strcmp(o->dir, "r2d");
    if (!r2d && strcmp(o->dir, "d2r"))
        return cli_usage_error("nas %s: --dir must be r2d or d2r", sub);
    if (!(*ctx = cli_make_ctx(o->backend)))
        return CLI_USAGE;
    if (aiotsec_profile_get(aiotsec_ctx_profile(*ctx), &pp) != AIOTSEC_OK)
        return cli_usage_error("nas %s: no profile", sub);
    int_alg = pp.default_int_alg;
    enc_alg = pp.default_enc_alg;
    if ((o->int_alg && cli_parse_uint(o->int_alg, 15, &int_alg)) ||
        (o->enc_alg && cli_parse_uint(o->enc_alg, 15, &enc_alg)))
        return cli_usage_error("nas %s: --int-alg and --enc-alg take 0..15", sub);
    /* The sender of an R2D message is the network; its receiver is the device. */
    int role = (r2d == sender) ? AIOTSEC_NAS_ROLE_NETWORK : AIOTSEC_NAS_ROLE_DEVICE;
    int rc = aiotsec_nas_sec_new(sec, *ctx, k, klen, (unsigned)int_alg, (unsigned)enc_alg, role);
    if (rc != AIOTSEC_OK)
        return cli_usage_error("nas %s: %s (%s)", sub, aiotsec_strerror(rc), aiotsec_status_name(rc));
    return CLI_OK;
}

/* Builds the security context of protect/unprotect. sender: 1 for protect.
 * K_AIOTF is wiped on every path. */
static int make_sec(const nas_opts *o, const char *sub, int sender, aiotsec_ctx **ctx, aiotsec_nas_sec **sec)
{
    const cli_key_rule rule = {"--kaiotf", "K_AIOTF", aiotsec_derive_kaiotf_bytes(), aiotsec_derive_kaiotf_bytes(), 1};
    cli_key_src src = key_src(o);
    uint8_t k[AIOTSEC_KAIOTF_LEN];
    size_t klen = 0;
    int rc;
    if (!cli_key_given(&src) || !o->dir)
        rc = cli_usage_error("nas %s: K_AIOTF (--key-file, --key-env or --kaiotf) and --dir are required", sub);
    else if ((rc = cli_key_read(&src, &rule, k, sizeof k, &klen)) == CLI_OK)
        rc = make_sec_with(o, sub, sender, k, klen, ctx, sec);
    aiotsec_wipe(k, sizeof k);
    return rc;
}

static int nas_protect(const nas_opts *o)
{
    static uint8_t in[HEX_CAP], out[HEX_CAP + AIOTSEC_NAS_PROTECTED_HDR_LEN];
    size_t len = 0, out_len = 0;
    unsigned long count;
    if (!o->arg || !o->count)
        return cli_usage_error("nas protect: --count and the HEX message are required");
    if (cli_parse_uint(o->count, AIOTSEC_NAS_COUNT_MAX, &count))
        return cli_usage_error("nas protect: --count must be 0..%u", AIOTSEC_NAS_COUNT_MAX);
    if (read_message(o, "protect", in, sizeof in, &len))
        return CLI_USAGE;
    aiotsec_ctx *ctx = NULL;
    aiotsec_nas_sec *sec = NULL;
    int ret = make_sec(o, "protect", 1, &ctx, &sec);
    if (ret == CLI_OK) {
        int rc = aiotsec_nas_sec_set_tx_count(sec, (uint32_t)count);
        if (rc == AIOTSEC_OK)
            rc = aiotsec_nas_protect(sec, in, len, out, sizeof out, &out_len);
        if (rc == AIOTSEC_OK)
            ret = cmd_print_hex(out, out_len);
        else
            ret = cli_usage_error("nas protect: %s (%s)", aiotsec_strerror(rc), aiotsec_status_name(rc));
    }
    aiotsec_nas_sec_free(sec);
    aiotsec_ctx_free(ctx);
    return ret;
}

/* Security failures (MAC, COUNT, direction, plain where protection is required)
 * are failed checks (exit 1); anything malformed is bad input (exit 2). */
static int is_check_failure(int rc)
{
    return (rc <= AIOTSEC_E_MAC_MISMATCH && rc > AIOTSEC_E_NO_PENDING) || rc == AIOTSEC_E_NAS_PLAIN_FORBIDDEN;
}

static int nas_unprotect(const nas_opts *o)
{
    static uint8_t in[HEX_CAP], work[HEX_CAP];
    size_t len = 0;
    unsigned long last = 0;
    if (!o->arg)
        return cli_usage_error("nas unprotect: the HEX message is required");
    if (o->last_count && cli_parse_uint(o->last_count, AIOTSEC_NAS_COUNT_MAX, &last))
        return cli_usage_error("nas unprotect: --last-count must be 0..%u", AIOTSEC_NAS_COUNT_MAX);
    if (read_message(o, "unprotect", in, sizeof in, &len))
        return CLI_USAGE;
    aiotsec_ctx *ctx = NULL;
    aiotsec_nas_sec *sec = NULL;
    int ret = make_sec(o, "unprotect", 0, &ctx, &sec);
    if (ret == CLI_OK && o->last_count &&
        aiotsec_nas_sec_set_rx_last_count(sec, (uint32_t)last) != AIOTSEC_OK)
        ret = cli_usage_error("nas unprotect: bad --last-count");
    if (ret == CLI_OK) {
        aiotsec_nas_msg m;
        int rc = aiotsec_nas_verify_decode(sec, in, len, work, sizeof work, &m);
        if (rc == AIOTSEC_OK)
            ret = cmd_print_hex(work, len - AIOTSEC_NAS_PROTECTED_HDR_LEN);
        else if (is_check_failure(rc))
            ret = cli_fail("nas unprotect: %s (%s)", aiotsec_strerror(rc), aiotsec_status_name(rc));
        else
            ret = cli_usage_error("nas unprotect: %s (%s)", aiotsec_strerror(rc), aiotsec_status_name(rc));
    }
    aiotsec_nas_sec_free(sec);
    aiotsec_ctx_free(ctx);
    return ret;
}

int cli_cmd_nas(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr), CLI_USAGE;
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help"))
        return usage(stdout), CLI_OK;
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage(stdout), CLI_OK;
    nas_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    if (!strcmp(sub, "decode"))
        return (rc = only(&o, sub, 0, 0, 0, 0, 0)) != CLI_OK ? rc : nas_decode(&o);
    if (!strcmp(sub, "encode"))
        return (rc = only(&o, sub, 0, 0, 0, 0, 0)) != CLI_OK ? rc : nas_encode(&o);
    if (!strcmp(sub, "protect"))
        return (rc = only(&o, sub, 1, 1, 1, 1, 0)) != CLI_OK ? rc : nas_protect(&o);
    if (!strcmp(sub, "unprotect"))
        return (rc = only(&o, sub, 1, 0, 1, 1, 1)) != CLI_OK ? rc : nas_unprotect(&o);
    return cli_usage_error("nas: unknown subcommand '%s' (decode, encode, protect, unprotect)", sub);
}
