/* The TLS context: TLS 1.2 or later, the certificate chain and key given, and
 * ALPN that selects "h2" or refuses the handshake (TS 29.500 mandates HTTP/2; a
 * client that offers no ALPN at all is refused once connected, srv_conn.c). */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "srv_internal.h"

static int select_h2(SSL *ssl, const unsigned char **out, unsigned char *out_len, const unsigned char *in,
                     unsigned int in_len, void *arg)
{
    (void)ssl;
    (void)arg;
    /* in: length-prefixed protocol names, as the client offered them */
    for (unsigned i = 0; i < in_len;) {
        unsigned n = in[i];
        if (i + 1 + n > in_len)
            break;
        if (n == 2 && memcmp(in + i + 1, "h2", 2) == 0) {
            *out = in + i + 1;
            *out_len = 2;
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + n;
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

int srv_tls_new(SSL_CTX **out, const char *cert, const char *key, char *why, size_t cap)
{
    *out = NULL;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    const char *step = "TLS context";
    int ok = ctx != NULL;
    if (ok) {
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        /* RFC 9113 9.2.2: no compression, no renegotiation */
        SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
        SSL_CTX_set_alpn_select_cb(ctx, select_h2, NULL);
        step = cert;
        ok = SSL_CTX_use_certificate_chain_file(ctx, cert) == 1;
    }
    if (ok) {
        step = key;
        ok = SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1;
    }
    if (ok) {
        step = "the key does not match the certificate";
        ok = SSL_CTX_check_private_key(ctx) == 1;
    }
    if (!ok) {
        unsigned long e = ERR_get_error();
        char reason[160] = "";
        if (e)
            ERR_error_string_n(e, reason, sizeof reason);
        (void)snprintf(why, cap, "TLS: %s%s%s", step, reason[0] ? ": " : "", reason);
        ERR_clear_error();
        SSL_CTX_free(ctx);
        return AIOTSEC_E_BAD_VALUE; /* the files given do not make a TLS server: a configuration error */
    }
    *out = ctx;
    return AIOTSEC_OK;
}

int srv_tls_is_h2(SSL *ssl)
{
    const unsigned char *p = NULL;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl, &p, &len);
    return p && len == 2 && memcmp(p, "h2", 2) == 0;
}
