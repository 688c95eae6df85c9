/* Key-encryption keys: read from a file whose mode is checked, created in a new
 * file of mode 0600, or read from an environment variable. A KEK lives in
 * sodium_malloc memory (locked, guarded, excluded from core dumps); the text it
 * was read from is wiped. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kd_internal.h"

#define KEK_HEX (2u * KD_KEY_LEN)

int kd_kek_new(aiotsec_keydb_kek **out)
{
    int rc = kd_sodium_ready();
    if (rc != AIOTSEC_OK)
        return rc;
    *out = sodium_malloc(sizeof **out);
    return *out ? AIOTSEC_OK : AIOTSEC_E_NO_MEMORY;
}

void aiotsec_keydb_kek_free(aiotsec_keydb_kek *kek)
{
    sodium_free(kek); /* wipes before unmapping */
}

int kd_kek_copy(const aiotsec_keydb_kek *src, aiotsec_keydb_kek **out)
{
    int rc = kd_kek_new(out);
    if (rc == AIOTSEC_OK)
        memcpy((*out)->k, src->k, KD_KEY_LEN);
    return rc;
}

/* 64 hex digits, then nothing or one newline (LF or CR LF). */
static int parse_kek_text(const char *text, size_t len, aiotsec_keydb_kek *kek)
{
    if (len == KEK_HEX + 1 && text[KEK_HEX] == '\n')
        len--;
    else if (len == KEK_HEX + 2 && text[KEK_HEX] == '\r' && text[KEK_HEX + 1] == '\n')
        len -= 2;
    size_t bin_len = 0;
    if (len != KEK_HEX || sodium_hex2bin(kek->k, KD_KEY_LEN, text, len, NULL, &bin_len, NULL) != 0 ||
        bin_len != KD_KEY_LEN)
        return AIOTSEC_E_PARSE;
    return AIOTSEC_OK;
}

int aiotsec_keydb_kek_from_file(aiotsec_keydb_kek **out, const char *path)
{
    if (!out || !path)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (kd_sodium_ready() != AIOTSEC_OK)
        return AIOTSEC_E_BACKEND_FAILURE;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ELOOP ? AIOTSEC_KEYDB_E_KEK_FILE : AIOTSEC_E_IO;
    struct stat st;
    /* Checked on the open file, so the file checked is the file read. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        close(fd);
        return AIOTSEC_KEYDB_E_KEK_FILE;
    }
    aiotsec_keydb_kek *kek = NULL;
    char *text = sodium_malloc(KEK_HEX + 3);
    int rc = text ? kd_kek_new(&kek) : AIOTSEC_E_NO_MEMORY;
    size_t len = 0;
    while (rc == AIOTSEC_OK && len < KEK_HEX + 3) {
        ssize_t n = read(fd, text + len, KEK_HEX + 3 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = AIOTSEC_E_IO;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (rc == AIOTSEC_OK && parse_kek_text(text, len, kek) != AIOTSEC_OK)
        rc = AIOTSEC_KEYDB_E_KEK_FILE;
    sodium_free(text);
    if (rc != AIOTSEC_OK) {
        aiotsec_keydb_kek_free(kek);
        return rc;
    }
    *out = kek;
    return AIOTSEC_OK;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return AIOTSEC_E_IO;
        p += n;
        len -= (size_t)n;
    }
    return AIOTSEC_OK;
}

int aiotsec_keydb_kek_create_file(aiotsec_keydb_kek **out, const char *path)
{
    if (!out || !path)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    aiotsec_keydb_kek *kek = NULL;
    int rc = kd_kek_new(&kek);
    if (rc != AIOTSEC_OK)
        return rc;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        aiotsec_keydb_kek_free(kek);
        return errno == EEXIST ? AIOTSEC_E_DUPLICATE : AIOTSEC_E_IO;
    }
    char *text = sodium_malloc(KEK_HEX + 2);
    if (!text)
        rc = AIOTSEC_E_NO_MEMORY;
    if (rc == AIOTSEC_OK && fchmod(fd, 0600) != 0) /* whatever the umask was */
        rc = AIOTSEC_E_IO;
    if (rc == AIOTSEC_OK) {
        randombytes_buf(kek->k, KD_KEY_LEN);
        sodium_bin2hex(text, KEK_HEX + 1, kek->k, KD_KEY_LEN);
        text[KEK_HEX] = '\n';
        rc = write_all(fd, text, KEK_HEX + 1);
    }
    if (rc == AIOTSEC_OK && fsync(fd) != 0)
        rc = AIOTSEC_E_IO;
    if (close(fd) != 0 && rc == AIOTSEC_OK)
        rc = AIOTSEC_E_IO;
    sodium_free(text);
    if (rc != AIOTSEC_OK) {
        unlink(path);
        aiotsec_keydb_kek_free(kek);
        return rc;
    }
    *out = kek;
    return AIOTSEC_OK;
}

int aiotsec_keydb_kek_from_env(aiotsec_keydb_kek **out, const char *var)
{
    if (!out || !var)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    const char *v = getenv(var);
    if (!v)
        return AIOTSEC_E_IO;
    aiotsec_keydb_kek *kek = NULL;
    int rc = kd_kek_new(&kek);
    if (rc == AIOTSEC_OK)
        rc = parse_kek_text(v, strnlen(v, KEK_HEX + 3), kek);
    if (rc != AIOTSEC_OK) {
        aiotsec_keydb_kek_free(kek);
        return rc;
    }
    *out = kek;
    return AIOTSEC_OK;
}

int kd_kek_fingerprint(const aiotsec_keydb_kek *kek, const uint8_t uuid[KD_UUID_LEN], uint8_t fp[KD_FP_LEN])
{
    static const char label[] = "aiotsec-keydb-kek-fingerprint-1";
    uint8_t msg[sizeof label - 1 + KD_UUID_LEN];
    memcpy(msg, label, sizeof label - 1);
    memcpy(msg + sizeof label - 1, uuid, KD_UUID_LEN);
    /* Keyed BLAKE2b: names a KEK without revealing anything about it. */
    return crypto_generichash(fp, KD_FP_LEN, msg, sizeof msg, kek->k, KD_KEY_LEN) == 0 ? AIOTSEC_OK
                                                                                      : AIOTSEC_E_BACKEND_FAILURE;
}
