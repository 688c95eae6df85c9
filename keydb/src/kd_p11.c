/* The PKCS#11 token: the module is loaded with dlopen from the path the user
 * names, initialised for OS locking, the token found by its label and logged
 * into as its user. Sessions are pooled (a session runs one operation at a
 * time). Keys are created as non-extractable, sensitive, non-modifiable
 * generic secrets that can only sign (HMAC); the HMAC is C_Sign with
 * CKM_SHA256_HMAC, on the token. */
#include <dlfcn.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "kd_internal.h"
#include "p11.h"

#define SESSIONS 4

struct aiotsec_keydb_token {
    void *dl;
    CK_FUNCTION_LIST *f;
    int initialized_here;
    CK_SLOT_ID slot;
    char label[33];
    pthread_mutex_t lock;
    pthread_cond_t freed;
    CK_SESSION_HANDLE sess[SESSIONS];
    int busy[SESSIONS];
    size_t n_sess;
};

static int take(aiotsec_keydb_token *t)
{
    pthread_mutex_lock(&t->lock);
    for (;;) {
        for (size_t i = 0; i < t->n_sess; i++)
            if (!t->busy[i]) {
                t->busy[i] = 1;
                pthread_mutex_unlock(&t->lock);
                return (int)i;
            }
        pthread_cond_wait(&t->freed, &t->lock);
    }
}

static void give(aiotsec_keydb_token *t, int i)
{
    pthread_mutex_lock(&t->lock);
    t->busy[i] = 0;
    pthread_cond_signal(&t->freed);
    pthread_mutex_unlock(&t->lock);
}

/* The slot whose token label (32 characters, blank padded) is `label`. */
static int find_slot(aiotsec_keydb_token *t, const char *label)
{
    CK_ULONG n = 0;
    if (t->f->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n == 0)
        return AIOTSEC_KEYDB_E_TOKEN;
    CK_SLOT_ID *slots = calloc(n, sizeof *slots);
    if (!slots)
        return AIOTSEC_E_NO_MEMORY;
    int rc = AIOTSEC_KEYDB_E_TOKEN;
    if (t->f->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK) {
        char want[32];
        memset(want, ' ', sizeof want);
        memcpy(want, label, strlen(label));
        for (CK_ULONG i = 0; i < n && rc != AIOTSEC_OK; i++) {
            CK_TOKEN_INFO info;
            if (t->f->C_GetTokenInfo(slots[i], &info) == CKR_OK && memcmp(info.label, want, sizeof want) == 0) {
                t->slot = slots[i];
                rc = AIOTSEC_OK;
            }
        }
    }
    free(slots);
    return rc;
}

static int login(aiotsec_keydb_token *t, const char *pin_env)
{
    const char *pin = getenv(pin_env);
    if (!pin)
        return AIOTSEC_E_BAD_VALUE;
    size_t len = strlen(pin);
    /* The PIN is copied to locked memory for the call, then wiped. */
    CK_UTF8CHAR *p = sodium_malloc(len + 1);
    if (!p)
        return AIOTSEC_E_NO_MEMORY;
    memcpy(p, pin, len);
    p[len] = 0; /* C_Login takes the length; terminated anyway */
    CK_RV rv = t->f->C_Login(t->sess[0], CKU_USER, p, (CK_ULONG)len);
    sodium_free(p);
    return rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN ? AIOTSEC_OK : AIOTSEC_KEYDB_E_TOKEN;
}

int aiotsec_keydb_token_open(aiotsec_keydb_token **out, const char *module, const char *label, const char *pin_env)
{
    if (!out || !module || !label || !pin_env)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (strlen(label) == 0 || strlen(label) > 32)
        return AIOTSEC_E_BAD_VALUE;
    int rc = kd_sodium_ready();
    if (rc != AIOTSEC_OK)
        return rc;
    aiotsec_keydb_token *t = calloc(1, sizeof *t);
    if (!t)
        return AIOTSEC_E_NO_MEMORY;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->freed, NULL);
    memcpy(t->label, label, strlen(label));
    t->dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    CK_C_GetFunctionList get = NULL;
    if (t->dl) /* dlsym returns a data pointer; copying its bits is POSIX's way to a function */
        *(void **)(&get) = dlsym(t->dl, "C_GetFunctionList");
    rc = get && get(&t->f) == CKR_OK && t->f ? AIOTSEC_OK : AIOTSEC_KEYDB_E_TOKEN;
    if (rc == AIOTSEC_OK) {
        CK_C_INITIALIZE_ARGS args;
        memset(&args, 0, sizeof args);
        args.flags = CKF_OS_LOCKING_OK; /* the handle is shared between threads */
        CK_RV rv = t->f->C_Initialize(&args);
        if (rv == CKR_OK)
            t->initialized_here = 1;
        else if (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
            rc = AIOTSEC_KEYDB_E_TOKEN;
    }
    if (rc == AIOTSEC_OK)
        rc = find_slot(t, label);
    for (size_t i = 0; i < SESSIONS && rc == AIOTSEC_OK; i++) {
        if (t->f->C_OpenSession(t->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &t->sess[i]) != CKR_OK)
            rc = AIOTSEC_KEYDB_E_TOKEN;
        else
            t->n_sess++;
    }
    if (rc == AIOTSEC_OK)
        rc = login(t, pin_env);
    if (rc != AIOTSEC_OK) {
        aiotsec_keydb_token_close(t);
        return rc;
    }
    *out = t;
    return AIOTSEC_OK;
}

void aiotsec_keydb_token_close(aiotsec_keydb_token *t)
{
    if (!t)
        return;
    if (t->f) {
        if (t->n_sess)
            t->f->C_Logout(t->sess[0]);
        for (size_t i = 0; i < t->n_sess; i++)
            t->f->C_CloseSession(t->sess[i]);
        if (t->initialized_here)
            t->f->C_Finalize(NULL);
    }
    if (t->dl)
        dlclose(t->dl);
    pthread_cond_destroy(&t->freed);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

const char *kd_p11_label(const aiotsec_keydb_token *t)
{
    return t->label;
}

int kd_p11_create_secret(aiotsec_keydb_token *t, const uint8_t *id, size_t id_len, const uint8_t *key,
                         size_t key_len, unsigned long *handle)
{
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    static const char label[] = "aiotsec K_AIOT_root";
    /* Tokens may refuse HMAC keys shorter than the hash (SoftHSM2 does, with
     * CKR_KEY_SIZE_RANGE below 32 octets). HMAC pads a short key with zero octets
     * to the block size (RFC 2104), so K || 0^(32 - len) gives exactly the HMAC
     * of K: a 16-octet K_AIOT_root is stored that way. */
    uint8_t *value = sodium_malloc(32);
    if (!value)
        return AIOTSEC_E_NO_MEMORY;
    memset(value, 0, 32);
    memcpy(value, key, key_len);
    key_len = key_len < 32 ? 32 : key_len;
    key = value;
    /* CKA_VALUE_LEN is not given: PKCS#11 forbids it when CKA_VALUE is. */
    CK_ATTRIBUTE tmpl[] = {
        {CKA_CLASS, &cls, sizeof cls},          {CKA_KEY_TYPE, &kt, sizeof kt},
        {CKA_TOKEN, &yes, 1},                   {CKA_PRIVATE, &yes, 1},
        {CKA_SENSITIVE, &yes, 1},               {CKA_EXTRACTABLE, &no, 1},
        {CKA_MODIFIABLE, &no, 1},               {CKA_SIGN, &yes, 1},
        {CKA_VERIFY, &no, 1},                   {CKA_ENCRYPT, &no, 1},
        {CKA_DECRYPT, &no, 1},                  {CKA_WRAP, &no, 1},
        {CKA_UNWRAP, &no, 1},                   {CKA_DERIVE, &no, 1},
        {CKA_ID, (void *)(uintptr_t)id, id_len}, {CKA_LABEL, (void *)(uintptr_t)label, sizeof label - 1},
        {CKA_VALUE, (void *)(uintptr_t)key, key_len},
    };
    int s = take(t);
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    CK_RV rv = t->f->C_CreateObject(t->sess[s], tmpl, sizeof tmpl / sizeof tmpl[0], &h);
    give(t, s);
    sodium_free(value);
    if (rv != CKR_OK)
        return AIOTSEC_KEYDB_E_TOKEN;
    *handle = h;
    return AIOTSEC_OK;
}

int kd_p11_find(aiotsec_keydb_token *t, const uint8_t *id, size_t id_len, unsigned long *handle)
{
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls},
                           {CKA_TOKEN, &yes, 1},
                           {CKA_ID, (void *)(uintptr_t)id, id_len}};
    CK_OBJECT_HANDLE found[2];
    CK_ULONG n = 0;
    int s = take(t);
    CK_RV rv = t->f->C_FindObjectsInit(t->sess[s], tmpl, 3);
    if (rv == CKR_OK) {
        rv = t->f->C_FindObjects(t->sess[s], found, 2, &n);
        t->f->C_FindObjectsFinal(t->sess[s]);
    }
    give(t, s);
    if (rv != CKR_OK)
        return AIOTSEC_KEYDB_E_TOKEN;
    if (n != 1) /* none, or two objects claiming one device: neither is trusted */
        return n == 0 ? AIOTSEC_E_UNKNOWN_DEVICE : AIOTSEC_KEYDB_E_BAD_RECORD;
    *handle = found[0];
    return AIOTSEC_OK;
}

int kd_p11_destroy(aiotsec_keydb_token *t, unsigned long handle)
{
    int s = take(t);
    CK_RV rv = t->f->C_DestroyObject(t->sess[s], handle);
    give(t, s);
    return rv == CKR_OK || rv == CKR_OBJECT_HANDLE_INVALID ? AIOTSEC_OK : AIOTSEC_KEYDB_E_TOKEN;
}

int kd_p11_hmac(aiotsec_keydb_token *t, unsigned long handle, const uint8_t *msg, size_t len, uint8_t mac[32])
{
    CK_MECHANISM mech = {CKM_SHA256_HMAC, NULL, 0};
    CK_ULONG mac_len = 32;
    int s = take(t);
    CK_RV rv = t->f->C_SignInit(t->sess[s], &mech, handle);
    if (rv == CKR_OK)
        rv = t->f->C_Sign(t->sess[s], (CK_BYTE *)(uintptr_t)msg, (CK_ULONG)len, mac, &mac_len);
    give(t, s);
    if (rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID)
        return AIOTSEC_E_UNKNOWN_DEVICE;
    return rv == CKR_OK && mac_len == 32 ? AIOTSEC_OK : AIOTSEC_KEYDB_E_TOKEN;
}
