/* AIOT NAS codec: round-trip properties over random valid messages, and a
 * crafted input for every rejection rule of spec 5 (each with its own status). */
#include <criterion/criterion.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "nas_test_util.h"
#include "vectors.h"

#define SEED 0x5EED0A10Du

static int dec(const uint8_t *in, size_t len)
{
    aiotsec_nas_msg m;
    return aiotsec_nas_decode(NULL, in, len, &m);
}

static size_t hex(const char *h, uint8_t *out)
{
    return tv_hex(h, out, 4096);
}

Test(nas_codec, round_trip_random_messages)
{
    prng p = {SEED};
    static uint8_t store[1100], enc[2100], enc2[2100];
    for (int i = 0; i < 5000; i++) {
        aiotsec_nas_msg m, d;
        random_msg(&p, &m, store);
        size_t len = 0, len2 = 0, need = 0;
        cr_assert_eq(aiotsec_nas_encode(NULL, &m, NULL, 0, &need), AIOTSEC_E_BUFFER_TOO_SMALL);
        cr_assert_eq(aiotsec_nas_encode(NULL, &m, enc, need - 1, &len), AIOTSEC_E_BUFFER_TOO_SMALL);
        cr_assert_eq(len, need);
        cr_assert_eq(aiotsec_nas_encode(NULL, &m, enc, need, &len), AIOTSEC_OK, "case %d", i);
        cr_assert_eq(len, need);
        cr_assert_eq(aiotsec_nas_decode(NULL, enc, len, &d), AIOTSEC_OK, "case %d", i);
        cr_assert(msgs_equal(&m, &d), "case %d: decode(encode(m)) != m", i);
        /* Views point into the input, not into copies. */
        if (d.data_len)
            cr_assert(d.data >= enc && d.data + d.data_len <= enc + len);
        cr_assert_eq(aiotsec_nas_encode(NULL, &d, enc2, sizeof enc2, &len2), AIOTSEC_OK);
        cr_assert_eq(len2, len);
        cr_assert_arr_eq(enc2, enc, len);
        /* Unknown optional IEs (TLV and TLV-E) appended are skipped. */
        if (len + 9 <= sizeof enc) {
            const uint8_t extra[9] = {0x20, 0x02, 0xAA, 0xBB, 0x7E, 0x00, 0x02, 0xCC, 0xDD};
            memcpy(enc + len, extra, sizeof extra);
            cr_assert_eq(aiotsec_nas_decode(NULL, enc, len + 9, &d), AIOTSEC_OK);
            cr_assert(msgs_equal(&m, &d));
        }
    }
}

/* Every proper prefix of a message without optional IEs is rejected as
 * truncated or missing a mandatory IE; never accepted, never read past. */
Test(nas_codec, truncation_at_every_octet)
{
    prng p = {SEED + 1};
    static uint8_t store[1100], enc[2100];
    for (int i = 0; i < 400; i++) {
        aiotsec_nas_msg m;
        random_msg(&p, &m, store);
        if (m.type == AIOTSEC_NAS_COMMAND_RESPONSE)
            m.data_len = 0, m.data = NULL; /* a prefix ending before an optional IE is valid */
        size_t len = 0;
        cr_assert_eq(aiotsec_nas_encode(NULL, &m, enc, sizeof enc, &len), AIOTSEC_OK);
        for (size_t cut = 0; cut < len; cut++) {
            /* Copy the prefix to its own exact-size heap block so ASan sees any over-read. */
            uint8_t *pre = malloc(cut ? cut : 1);
            memcpy(pre, enc, cut);
            int rc = dec(pre, cut);
            free(pre);
            cr_assert(rc == AIOTSEC_E_NAS_TRUNCATED || rc == AIOTSEC_E_NAS_MISSING_IE,
                      "case %d cut %zu: %s", i, cut, aiotsec_status_name(rc));
            if (cut < AIOTSEC_NAS_PLAIN_HDR_LEN)
                cr_assert_eq(rc, AIOTSEC_E_NAS_TRUNCATED);
        }
    }
    /* A COMMAND RESPONSE cut inside its Read data IE. */
    uint8_t r[64];
    size_t n = hex("7a004307007100106e052fd1c180861936a392993a220b26", r);
    for (size_t cut = 6; cut < n; cut++)
        cr_assert_eq(dec(r, cut), AIOTSEC_E_NAS_TRUNCATED, "cut %zu", cut);
    cr_assert_eq(dec(r, 5), AIOTSEC_OK); /* without the optional IE */
}

Test(nas_codec, missing_vs_truncated_exact)
{
    uint8_t b[64];
    cr_assert_eq(dec(b, hex("7a0041", b)), AIOTSEC_E_NAS_MISSING_IE);
    cr_assert_eq(dec(b, hex("7a00411000112233445566778899aabbccddee", b)), AIOTSEC_E_NAS_TRUNCATED);
    cr_assert_eq(dec(b, hex("7a00411000112233445566778899aabbccddeeff", b)), AIOTSEC_E_NAS_MISSING_IE);
    cr_assert_eq(dec(b, hex("7a0042", b)), AIOTSEC_E_NAS_MISSING_IE);
    cr_assert_eq(dec(b, hex("7a004207", b)), AIOTSEC_E_NAS_MISSING_IE);
    cr_assert_eq(dec(b, hex("7a00420701", b)), AIOTSEC_E_NAS_MISSING_IE);
    cr_assert_eq(dec(b, hex("7a0042070100", b)), AIOTSEC_E_NAS_TRUNCATED);
    cr_assert_eq(dec(b, hex("7a00420701002000", b)), AIOTSEC_E_NAS_TRUNCATED);
    cr_assert_eq(dec(b, hex("7a004208020040", b)), AIOTSEC_E_NAS_MISSING_IE);
    cr_assert_eq(dec(b, hex("7a00420802004000", b)), AIOTSEC_E_NAS_TRUNCATED);
    cr_assert_eq(dec(b, hex("7a0043", b)), AIOTSEC_E_NAS_MISSING_IE);
    cr_assert_eq(dec(b, hex("7a004307", b)), AIOTSEC_E_NAS_MISSING_IE);
    cr_assert_eq(dec(b, hex("", b)), AIOTSEC_E_NAS_TRUNCATED);
    cr_assert_eq(dec(b, hex("7a", b)), AIOTSEC_E_NAS_TRUNCATED);
    cr_assert_eq(dec(b, hex("7a00", b)), AIOTSEC_E_NAS_TRUNCATED);
}

Test(nas_codec, header_rules)
{
    uint8_t b[16];
    size_t n = hex("7a00420903", b);
    cr_assert_eq(dec(b, n), AIOTSEC_OK);
    for (unsigned epd = 0; epd < 256; epd++) {
        b[0] = (uint8_t)epd;
        cr_assert_eq(dec(b, n), epd == 0x7A ? AIOTSEC_OK : AIOTSEC_E_NAS_BAD_EPD);
        cr_assert_eq(dec(b, 1), epd == 0x7A ? AIOTSEC_E_NAS_TRUNCATED : AIOTSEC_E_NAS_BAD_EPD);
    }
    b[0] = 0x7A;
    for (unsigned o1 = 0; o1 < 256; o1++) {
        b[1] = (uint8_t)o1;
        int want = o1 & 0xF0 ? AIOTSEC_E_NAS_SPARE_BITS
                   : o1 == 0 ? AIOTSEC_OK
                   : o1 <= 2 ? AIOTSEC_E_NAS_PROTECTED
                             : AIOTSEC_E_NAS_BAD_SHT;
        cr_assert_eq(dec(b, n), want, "octet 1 = %02x", o1);
        cr_assert_eq(peek_sht(NULL, b, n), o1 <= 2 ? (int)o1 : want);
    }
    b[1] = 0;
    for (unsigned t = 0; t < 256; t++) {
        b[2] = (uint8_t)t;
        int rc = dec(b, n);
        if (t < 0x41 || t > 0x43)
            cr_assert_eq(rc, AIOTSEC_E_NAS_BAD_TYPE, "type %02x", t);
        else
            cr_assert_neq(rc, AIOTSEC_E_NAS_BAD_TYPE);
    }
}

Test(nas_codec, values_out_of_range)
{
    uint8_t b[2200];
    /* Commands: only 1..3. */
    size_t n = hex("7a00420903", b);
    for (unsigned c = 0; c < 256; c++) {
        b[4] = (uint8_t)c;
        int rc = dec(b, n);
        if (c < 1 || c > 3)
            cr_assert_eq(rc, AIOTSEC_E_NAS_BAD_COMMAND, "command %u", c);
    }
    /* Status: 0, 1, 2, 3, 4 and 0xFF only (revision 2, TS 29.569 causes). */
    n = hex("7a00430800", b);
    for (unsigned s = 0; s < 256; s++) {
        b[4] = (uint8_t)s;
        int ok = s <= 4 || s == 0xFF;
        cr_assert_eq(dec(b, n), ok ? AIOTSEC_OK : AIOTSEC_E_NAS_BAD_IE_VALUE, "status %u", s);
    }
    /* Read length 1..1024. */
    cr_assert_eq(dec(b, hex("7a0042070100200000", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a0042070100200001", b)), AIOTSEC_OK);
    cr_assert_eq(dec(b, hex("7a0042070100200400", b)), AIOTSEC_OK);
    cr_assert_eq(dec(b, hex("7a0042070100200401", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a004207010020ffff", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    /* RES / RAND_d lengths 4..32, checked before the value is looked at (oversize lengths). */
    /* RES_AIOT has exactly the profile's length (16), RAND_AIOT_d exactly 16 octets. */
    cr_assert_eq(dec(b, hex("7a004103aabbcc04aabbccdd", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a004104aabbccdd1000112233445566778899aabbccddeeff", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a00410f00112233445566778899aabbccddee", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a00411100112233445566778899aabbccddeeffff", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a004121aabb", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a0041ff", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a00411000112233445566778899aabbccddeeff00", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a00411000112233445566778899aabbccddeeff0f00112233445566778899aabbccddee", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a00411000112233445566778899aabbccddeeff1100112233445566778899aabbccddeeffff", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a00411000112233445566778899aabbccddeeff1000112233445566778899aabbccddeeff", b)), AIOTSEC_OK);
    /* Write data 1..1024, its 2-octet length never trusted. */
    cr_assert_eq(dec(b, hex("7a0042080200400000", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a004208020040ffff", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a0042080200400401", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a0042080200400400", b)), AIOTSEC_E_NAS_TRUNCATED);
    n = hex("7a0042080200400400", b);
    memset(b + n, 0x5A, 1024);
    cr_assert_eq(dec(b, n + 1024), AIOTSEC_OK);
    cr_assert_eq(dec(b, n + 1023), AIOTSEC_E_NAS_TRUNCATED);
    /* Read data 1..1024 (TLV-E). */
    cr_assert_eq(dec(b, hex("7a004307007100", b)), AIOTSEC_E_NAS_TRUNCATED);
    cr_assert_eq(dec(b, hex("7a00430700710000", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a0043070071ffff", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(dec(b, hex("7a00430700710401", b)), AIOTSEC_E_NAS_BAD_IE_VALUE);
    n = hex("7a00430700710400", b);
    memset(b + n, 0x5A, 1024);
    cr_assert_eq(dec(b, n + 1024), AIOTSEC_OK);
}

Test(nas_codec, message_size_limit)
{
    /* A COMMAND RESPONSE padded with unknown TLV-E IEs to exactly 2048, then 2049 octets. */
    static uint8_t b[2100];
    size_t n = hex("7a00430700", b);
    while (n + 3 + 255 <= 2048) {
        b[n] = 0x7F, b[n + 1] = 0, b[n + 2] = 255;
        memset(b + n + 3, 0x11, 255);
        n += 3 + 255;
    }
    size_t fill = 2048 - n - 3;
    b[n] = 0x7F, b[n + 1] = (uint8_t)(fill >> 8), b[n + 2] = (uint8_t)fill;
    memset(b + n + 3, 0x22, fill);
    cr_assert_eq(dec(b, 2048), AIOTSEC_OK);
    cr_assert_eq(dec(b, 2049), AIOTSEC_E_NAS_TOO_LONG);
    cr_assert_eq(dec(b, SIZE_MAX), AIOTSEC_E_NAS_TOO_LONG); /* checked before any read */
    cr_assert_eq(aiotsec_nas_maxbytes(NULL), 2048);
}

Test(nas_codec, optional_ies_duplicate_and_unknown)
{
    uint8_t b[128];
    aiotsec_nas_msg m;
    /* Two Read data IEs: the first is kept. */
    size_t n = hex("7a0043070071000211227100033344550a01ff", b);
    cr_assert_eq(aiotsec_nas_decode(NULL, b, n, &m), AIOTSEC_OK);
    cr_assert_eq(m.data_len, 2);
    cr_assert_eq(m.data[0], 0x11);
    /* A repeated Read data IE is not range-checked (it is ignored), but must be complete. */
    cr_assert_eq(dec(b, hex("7a00430700710001117100000a00", b)), AIOTSEC_OK);
    cr_assert_eq(dec(b, hex("7a004307007100011171000511", b)), AIOTSEC_E_NAS_TRUNCATED);
    /* Unknown TLV (1-octet length) and TLV-E (0x70..0x7F) IEs are skipped in every message. */
    cr_assert_eq(aiotsec_nas_decode(NULL, b, hex("7a0043070010020102700001ff", b), &m), AIOTSEC_OK);
    cr_assert_null(m.data);
    cr_assert_eq(dec(b, hex("7a00420903710002aabb", b)), AIOTSEC_OK); /* 0x71 is unknown in a request */
    cr_assert_eq(dec(b, hex("7a00411000112233445566778899aabbccddeeff1000112233445566778899aabbccddeeff2000", b)), AIOTSEC_OK);
    /* Unknown IEs that end early. */
    cr_assert_eq(dec(b, hex("7a0043070010", b)), AIOTSEC_E_NAS_TRUNCATED);
    cr_assert_eq(dec(b, hex("7a004307001003aabb", b)), AIOTSEC_E_NAS_TRUNCATED);
    cr_assert_eq(dec(b, hex("7a004307007f00", b)), AIOTSEC_E_NAS_TRUNCATED);
    cr_assert_eq(dec(b, hex("7a004307007f0002aa", b)), AIOTSEC_E_NAS_TRUNCATED);
}

Test(nas_codec, encoder_refuses_what_the_decoder_rejects)
{
    uint8_t out[2100], d[1100] = {0};
    size_t len = 99;
    aiotsec_nas_msg m = {0};
    m.type = 0;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, sizeof out, &len), AIOTSEC_E_NAS_BAD_TYPE);
    cr_assert_eq(len, 0);
    m.type = AIOTSEC_NAS_COMMAND_REQUEST;
    m.command = 4;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, sizeof out, &len), AIOTSEC_E_NAS_BAD_COMMAND);
    m.command = AIOTSEC_CMD_READ;
    m.length = 0;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, sizeof out, &len), AIOTSEC_E_NAS_BAD_IE_VALUE);
    m.length = 1025;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, sizeof out, &len), AIOTSEC_E_NAS_BAD_IE_VALUE);
    m.command = AIOTSEC_CMD_WRITE;
    m.data = d;
    m.data_len = 1025;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, sizeof out, &len), AIOTSEC_E_NAS_BAD_IE_VALUE);
    m.data_len = 0;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, sizeof out, &len), AIOTSEC_E_NAS_BAD_IE_VALUE);
    m.data = NULL;
    m.data_len = 5;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, sizeof out, &len), AIOTSEC_E_NULL_ARG);
    m.type = AIOTSEC_NAS_COMMAND_RESPONSE;
    m.status = 0;
    m.data_len = 0;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, sizeof out, &len), AIOTSEC_E_NAS_BAD_IE_VALUE);
    m.status = AIOTSEC_CMD_STATUS_UNSPECIFIED;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, sizeof out, &len), AIOTSEC_OK);
    cr_assert_eq(len, 5);
    cr_assert_eq(out[4], 0xFF);
    m.type = AIOTSEC_NAS_AUTH_RESPONSE;
    m.res = d;
    m.res_len = 3;
    m.rand_d = d;
    m.rand_d_len = 16;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, sizeof out, &len), AIOTSEC_E_NAS_BAD_IE_VALUE);
    m.res_len = 33;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, sizeof out, &len), AIOTSEC_E_NAS_BAD_IE_VALUE);
    m.res_len = 16;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, 0, &len), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(len, 3 + 1 + 16 + 1 + 16);
    cr_assert_eq(aiotsec_nas_encode(NULL, NULL, out, sizeof out, &len), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, NULL, 10, &len), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, out, sizeof out, NULL), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_nas_decode(NULL, NULL, 3, &m), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_nas_decode(NULL, out, 3, NULL), AIOTSEC_E_NULL_ARG);
}

/* Code points come from the profile: a profile with other values speaks only its own dialect. */
Test(nas_codec, profile_code_points)
{
    aiotsec_profile_params pp;
    cr_assert_eq(aiotsec_profile_params_init(&pp), AIOTSEC_OK);
    pp.nas_epd = 0x55;
    pp.mt_command_request = 0x10;
    pp.cmd_read = 0x09;
    pp.status_low_energy = 0x33;
    pp.iei_read_data = 0x7C;
    pp.nas_max_len = 64;
    pp.nas_max_data_len = 32;
    aiotsec_profile *prof = NULL;
    cr_assert_eq(aiotsec_profile_new(&prof, &pp), AIOTSEC_OK);
    uint8_t out[128], d[40] = {0};
    size_t len;
    aiotsec_nas_msg m = {0}, back;
    m.type = AIOTSEC_NAS_COMMAND_REQUEST;
    m.command = AIOTSEC_CMD_READ;
    m.transaction_id = 1;
    m.length = 32;
    cr_assert_eq(aiotsec_nas_encode(prof, &m, out, sizeof out, &len), AIOTSEC_OK);
    cr_assert_eq(len, 9);
    cr_assert_eq(out[0], 0x55);
    cr_assert_eq(out[2], 0x10);
    cr_assert_eq(out[4], 0x09);
    cr_assert_eq(aiotsec_nas_decode(prof, out, len, &back), AIOTSEC_OK);
    cr_assert(msgs_equal(&m, &back));
    cr_assert_eq(aiotsec_nas_decode(NULL, out, len, &back), AIOTSEC_E_NAS_BAD_EPD);
    m.length = 33;
    cr_assert_eq(aiotsec_nas_encode(prof, &m, out, sizeof out, &len), AIOTSEC_E_NAS_BAD_IE_VALUE);
    memset(&m, 0, sizeof m); /* fields a type does not use come back zeroed */
    m.type = AIOTSEC_NAS_COMMAND_RESPONSE;
    m.status = AIOTSEC_CMD_STATUS_LOW_ENERGY;
    m.data = d;
    m.data_len = 32;
    cr_assert_eq(aiotsec_nas_encode(prof, &m, out, sizeof out, &len), AIOTSEC_OK);
    cr_assert_eq(out[4], 0x33);
    cr_assert_eq(out[5], 0x7C);
    cr_assert_eq(aiotsec_nas_decode(prof, out, len, &back), AIOTSEC_OK);
    cr_assert(msgs_equal(&m, &back));
    uint8_t wire = 0;
    aiotsec_cmd_status st = AIOTSEC_CMD_STATUS_SUCCESS;
    cr_assert_eq(aiotsec_cmd_status_to_wire(prof, AIOTSEC_CMD_STATUS_LOW_ENERGY, &wire), AIOTSEC_OK);
    cr_assert_eq(wire, 0x33);
    cr_assert_eq(aiotsec_cmd_status_to_wire(prof, (aiotsec_cmd_status)99, &wire), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_cmd_status_to_wire(prof, AIOTSEC_CMD_STATUS_LOW_ENERGY, NULL), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_cmd_status_from_wire(prof, 0x03, &st), AIOTSEC_E_NAS_BAD_IE_VALUE);
    cr_assert_eq(aiotsec_cmd_status_from_wire(prof, 0x33, &st), AIOTSEC_OK);
    cr_assert_eq(st, AIOTSEC_CMD_STATUS_LOW_ENERGY);
    cr_assert_eq(aiotsec_cmd_status_from_wire(prof, 0x33, NULL), AIOTSEC_E_NULL_ARG);
    /* 3 + 2 + 3 + 32 = 40 octets; padding past 64 is too long for this profile. */
    memset(out + len, 0, 64 - len);
    out[len] = 0x20;
    out[len + 1] = (uint8_t)(64 - len - 2);
    cr_assert_eq(aiotsec_nas_decode(prof, out, 64, &back), AIOTSEC_OK);
    cr_assert_eq(aiotsec_nas_decode(prof, out, 65, &back), AIOTSEC_E_NAS_TOO_LONG);
    aiotsec_profile_free(prof);
}

Test(nas_codec, protected_header_parse)
{
    uint8_t b[64];
    aiotsec_nas_protected_hdr h;
    size_t n = hex("7a01f69f028a007a0042070100200010", b);
    cr_assert_eq(aiotsec_nas_parse_protected(NULL, b, n, &h), AIOTSEC_OK);
    cr_assert_eq(h.sht, 1);
    cr_assert_eq(h.mac, b + 2);
    cr_assert_eq(h.sqn, 0);
    cr_assert_eq(h.payload, b + 7);
    cr_assert_eq(h.payload_len, n - 7);
    for (size_t cut = 0; cut <= 7; cut++)
        cr_assert_eq(aiotsec_nas_parse_protected(NULL, b, cut, &h), AIOTSEC_E_NAS_TRUNCATED, "cut %zu", cut);
    aiotsec_nas_msg m;
    cr_assert_eq(aiotsec_nas_decode(NULL, b, n, &m), AIOTSEC_E_NAS_PROTECTED);
    b[1] = 0;
    cr_assert_eq(aiotsec_nas_parse_protected(NULL, b, n, &h), AIOTSEC_E_NAS_PLAIN_FORBIDDEN);
    b[1] = 3;
    cr_assert_eq(aiotsec_nas_parse_protected(NULL, b, n, &h), AIOTSEC_E_NAS_BAD_SHT);
    b[1] = 0x81;
    cr_assert_eq(aiotsec_nas_parse_protected(NULL, b, n, &h), AIOTSEC_E_NAS_SPARE_BITS);
    b[1] = 1;
    b[0] = 0x7B;
    cr_assert_eq(aiotsec_nas_parse_protected(NULL, b, n, &h), AIOTSEC_E_NAS_BAD_EPD);
    cr_assert_eq(aiotsec_nas_parse_protected(NULL, b, 2049, &h), AIOTSEC_E_NAS_TOO_LONG);
    cr_assert_eq(aiotsec_nas_msg_structbytes(), sizeof(aiotsec_nas_msg));
    cr_assert_eq(aiotsec_nas_protected_hdr_structbytes(), sizeof(aiotsec_nas_protected_hdr));
}
