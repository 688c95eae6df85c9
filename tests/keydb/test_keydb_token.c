/* PKCS#11 custody on SoftHSM2 (a token of its own, in a temporary directory):
 * our function-list layout agrees with the module's exported symbols; keys are
 * created non-extractable and sensitive (C_GetAttributeValue of CKA_VALUE is
 * refused); add, re-key and revoke create and destroy token objects; a serving
 * process sees another process's revocation at its next request; bad module,
 * label and PIN are refused; neither the database nor the token directory
 * holds a key value. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kd_test_util.h"
#include "p11.h"

static char dir[256], db_dir[300];
static aiotsec_ctx *ctx;
static aiotsec_keydb_token *tok;
static uint64_t seed;

static void setup(void)
{
    kdt_mkdtemp(dir, "token");
    kdt_softhsm(dir);
    snprintf(db_dir, sizeof db_dir, "%s/db", dir);
    randombytes_buf(&seed, sizeof seed);
    cr_assert_eq(aiotsec_ctx_new(&ctx, "native", NULL), AIOTSEC_OK);
    int rc = aiotsec_keydb_token_open(&tok, kdt_softhsm_module(), KDT_LABEL, "KDT_PIN");
    cr_assert_eq(rc, AIOTSEC_OK, "%s", aiotsec_keydb_strerror(rc));
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.token = tok;
    o.map_size = KDT_MAP_SIZE;
    cr_assert_eq(aiotsec_keydb_init(db_dir, &o), AIOTSEC_OK);
}

static void teardown(void)
{
    aiotsec_keydb_token_close(tok);
    aiotsec_ctx_free(ctx);
    kdt_rmtree(dir);
}

TestSuite(token, .init = setup, .fini = teardown, .timeout = 180);

static aiotsec_keydb *open_db(void)
{
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.token = tok;
    o.ctx = ctx;
    aiotsec_keydb *h = NULL;
    int rc = aiotsec_keydb_open(&h, db_dir, &o);
    cr_assert_eq(rc, AIOTSEC_OK, "%s", aiotsec_keydb_strerror(rc));
    return h;
}

static void add_devices(aiotsec_keydb *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t perm[5], key[32];
        kdt_perm(i, perm);
        size_t kl = kdt_key(seed, i, 0, key);
        cr_assert_eq(aiotsec_keydb_add(h, perm, 5, key, kl), AIOTSEC_OK);
    }
}

/* The module's own view, through our declarations. */
typedef struct raw_token {
    void *dl;
    CK_FUNCTION_LIST *f;
    CK_SESSION_HANDLE s;
} raw_token;

static void raw_open(raw_token *r)
{
    r->dl = dlopen(kdt_softhsm_module(), RTLD_NOW);
    cr_assert_not_null(r->dl);
    CK_C_GetFunctionList get;
    *(void **)(&get) = dlsym(r->dl, "C_GetFunctionList");
    cr_assert_eq(get(&r->f), CKR_OK);
    CK_SLOT_ID slots[8];
    CK_ULONG n = 8;
    cr_assert_eq(r->f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
    cr_assert_geq(n, 1);
    cr_assert_eq(r->f->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &r->s), CKR_OK);
}

static void raw_close(raw_token *r)
{
    r->f->C_CloseSession(r->s);
    dlclose(r->dl);
}

static CK_ULONG count_keys(raw_token *r, CK_OBJECT_HANDLE *first)
{
    static const char label[] = "aiotsec K_AIOT_root";
    CK_ATTRIBUTE t[] = {{CKA_LABEL, (void *)label, sizeof label - 1}};
    CK_OBJECT_HANDLE h[512];
    CK_ULONG n = 0;
    cr_assert_eq(r->f->C_FindObjectsInit(r->s, t, 1), CKR_OK);
    cr_assert_eq(r->f->C_FindObjects(r->s, h, 512, &n), CKR_OK);
    r->f->C_FindObjectsFinal(r->s);
    if (first && n)
        *first = h[0];
    return n;
}

Test(token, function_list_layout_matches_the_modules_symbols)
{
    raw_token r;
    raw_open(&r);
#define SAME(name)                                                                                      \
    do {                                                                                                \
        void *sym = dlsym(r.dl, #name);                                                                 \
        void *ours;                                                                                     \
        memcpy(&ours, &r.f->name, sizeof ours);                                                         \
        cr_assert(sym && sym == ours, #name " is not where our CK_FUNCTION_LIST says");                 \
    } while (0)
    SAME(C_Initialize);
    SAME(C_Finalize);
    SAME(C_GetInfo);
    SAME(C_GetSlotList);
    SAME(C_GetTokenInfo);
    SAME(C_OpenSession);
    SAME(C_CloseSession);
    SAME(C_Login);
    SAME(C_Logout);
    SAME(C_CreateObject);
    SAME(C_DestroyObject);
    SAME(C_GetAttributeValue);
    SAME(C_FindObjectsInit);
    SAME(C_FindObjects);
    SAME(C_FindObjectsFinal);
    SAME(C_DigestFinal);
    SAME(C_SignInit);
    SAME(C_Sign);
    SAME(C_VerifyRecover);
    SAME(C_GenerateRandom);
    SAME(C_WaitForSlotEvent);
#undef SAME
    raw_close(&r);
}

Test(token, keys_are_non_extractable_and_follow_add_rekey_revoke)
{
    aiotsec_keydb *h = open_db();
    add_devices(h, 4);
    raw_token r;
    raw_open(&r);
    CK_OBJECT_HANDLE obj = 0;
    cr_assert_eq(count_keys(&r, &obj), 4);
    CK_BBOOL extractable = 1, sensitive = 0, never = 0;
    CK_ATTRIBUTE flags[] = {{CKA_EXTRACTABLE, &extractable, 1}, {CKA_SENSITIVE, &sensitive, 1}};
    cr_assert_eq(r.f->C_GetAttributeValue(r.s, obj, flags, 2), CKR_OK);
    cr_assert_eq(extractable, CK_FALSE);
    cr_assert_eq(sensitive, CK_TRUE);
    uint8_t value[64];
    CK_ATTRIBUTE val[] = {{CKA_VALUE, value, sizeof value}};
    cr_assert_neq(r.f->C_GetAttributeValue(r.s, obj, val, 1), CKR_OK, "K_AIOT_root must not leave the token");
    (void)never;
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_keydb_keystore(h, &ks), AIOTSEC_OK);
    cr_assert_null(ks.by_perm_id);
    cr_assert_null(ks.prepared_by_perm_id);
    aiotsec_adm *adm;
    aiotsec_auth_answer *ans;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_auth_answer_new(&ans, 4), AIOTSEC_OK);
    uint8_t perm[5], key[32], rn[16], rd[16], kf[16], want[16];
    randombytes_buf(rn, 16);
    randombytes_buf(rd, 16);
    kdt_perm(1, perm);
    size_t kl = kdt_key(seed, 1, 7, key);
    cr_assert_eq(aiotsec_keydb_rekey(h, perm, 5, key, kl), AIOTSEC_OK);
    cr_assert_eq(count_keys(&r, NULL), 4, "the old object was destroyed");
    cr_assert_eq(aiotsec_adm_get_session_key(adm, perm, 5, rn, 16, rd, 16, kf, 16), AIOTSEC_OK);
    cr_assert_eq(aiotsec_derive_kaiotf(ctx, key, kl, rn, 16, rd, 16, want, 16), AIOTSEC_OK);
    cr_assert_arr_eq(kf, want, 16, "K_AIOTF from the new key, computed on the token");
    cr_assert_eq(aiotsec_keydb_revoke(h, perm, 5), AIOTSEC_OK);
    cr_assert_eq(count_keys(&r, NULL), 3);
    cr_assert_eq(aiotsec_adm_get_session_key(adm, perm, 5, rn, 16, rd, 16, kf, 16), AIOTSEC_E_UNKNOWN_DEVICE);
    kdt_perm(2, perm);
    cr_assert_eq(aiotsec_keydb_add(h, perm, 5, key, kl), AIOTSEC_E_DUPLICATE);
    cr_assert_eq(count_keys(&r, NULL), 3, "no object made for a duplicate");
    size_t checked = 0, bad = 0;
    cr_assert_eq(aiotsec_keydb_verify(h, NULL, NULL, &checked, &bad), AIOTSEC_OK);
    cr_assert_eq(checked, 3);
    cr_assert_eq(bad, 0);
    /* A record whose token object is gone is refused, naming nobody else. */
    kdt_perm(3, perm);
    CK_OBJECT_HANDLE h3[4];
    CK_ULONG n3 = 0;
    static const char label[] = "aiotsec K_AIOT_root";
    CK_ATTRIBUTE t[] = {{CKA_LABEL, (void *)label, sizeof label - 1}};
    r.f->C_FindObjectsInit(r.s, t, 1);
    r.f->C_FindObjects(r.s, h3, 4, &n3);
    r.f->C_FindObjectsFinal(r.s);
    CK_RV (*destroy)(CK_SESSION_HANDLE, CK_OBJECT_HANDLE) = r.f->C_DestroyObject;
    CK_SESSION_HANDLE rw;
    CK_SLOT_ID slots[4];
    CK_ULONG ns = 4;
    r.f->C_GetSlotList(CK_TRUE, slots, &ns);
    cr_assert_eq(r.f->C_OpenSession(slots[0], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &rw), CKR_OK);
    for (CK_ULONG i = 0; i < n3; i++)
        destroy(rw, h3[i]);
    r.f->C_CloseSession(rw);
    cr_assert_eq(aiotsec_keydb_verify(h, NULL, NULL, &checked, &bad), AIOTSEC_OK);
    cr_assert_eq(bad, 3);
    cr_assert_eq(aiotsec_adm_get_session_key(adm, perm, 5, rn, 16, rd, 16, kf, 16), AIOTSEC_KEYDB_E_BAD_RECORD);
    aiotsec_auth_answer_free(ans);
    aiotsec_adm_free(adm);
    raw_close(&r);
    aiotsec_keydb_close(h);
}

Test(token, refusals)
{
    aiotsec_keydb_token *t = NULL;
    cr_assert_eq(aiotsec_keydb_token_open(&t, "/nonexistent/module.so", KDT_LABEL, "KDT_PIN"), AIOTSEC_KEYDB_E_TOKEN);
    cr_assert_eq(aiotsec_keydb_token_open(&t, kdt_softhsm_module(), "no such token", "KDT_PIN"),
                 AIOTSEC_KEYDB_E_TOKEN);
    cr_assert_eq(aiotsec_keydb_token_open(&t, kdt_softhsm_module(), "0123456789012345678901234567890123", "KDT_PIN"),
                 AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_keydb_token_open(&t, kdt_softhsm_module(), KDT_LABEL, "KDT_NO_SUCH_VARIABLE"),
                 AIOTSEC_E_BAD_VALUE);
    cr_assert_null(t);
    /* A KEK for a token database is the wrong custody. */
    aiotsec_keydb_kek *kek = NULL;
    char p[512];
    kdt_kek_file(dir, "kek", p, &kek);
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = kek;
    aiotsec_keydb *h = NULL;
    cr_assert_eq(aiotsec_keydb_open(&h, db_dir, &o), AIOTSEC_KEYDB_E_CUSTODY);
    aiotsec_keydb_kek_free(kek);
    h = open_db();
    cr_assert_eq(aiotsec_keydb_rotate(h, NULL, 0, NULL, NULL, NULL), AIOTSEC_KEYDB_E_CUSTODY);
    aiotsec_keydb_close(h);
}

/* The wrong PIN, in a process of its own (SoftHSM counts failed logins per token). */
Test(token, wrong_pin_refused)
{
    setenv("KDT_WRONG_PIN", "000000", 1);
    aiotsec_keydb_token *t = NULL;
    aiotsec_keydb_token_close(tok); /* one login state per process: start from none */
    tok = NULL;
    cr_assert_eq(aiotsec_keydb_token_open(&t, kdt_softhsm_module(), KDT_LABEL, "KDT_WRONG_PIN"),
                 AIOTSEC_KEYDB_E_TOKEN);
    cr_assert_eq(aiotsec_keydb_token_open(&tok, kdt_softhsm_module(), KDT_LABEL, "KDT_PIN"), AIOTSEC_OK);
}

Test(token, another_process_revokes_and_adds_while_one_serves)
{
    aiotsec_keydb *h = open_db();
    add_devices(h, 6);
    char seed_s[32];
    snprintf(seed_s, sizeof seed_s, "%llu", (unsigned long long)seed);
    char *args[] = {"serve", db_dir, seed_s, "6", "token", NULL};
    int to, from;
    aiotsec_keydb_close(h); /* the server is another process; we write from this one */
    pid_t pid = kdt_helper_start(args, &to, &from);
    char line[256];
    cr_assert_eq(kdt_read_line(from, line, sizeof line), 0);
    cr_assert_eq(strncmp(line, "ready", 5), 0, "%s", line);
    kdt_write_line(to, "all 0");
    cr_assert_eq(kdt_read_line(from, line, sizeof line), 0);
    cr_assert_str_eq(line, "6 0");
    h = open_db();
    uint8_t perm[5], key[32];
    kdt_perm(4, perm);
    cr_assert_eq(aiotsec_keydb_revoke(h, perm, 5), AIOTSEC_OK);
    kdt_write_line(to, "check 4 0");
    cr_assert_eq(kdt_read_line(from, line, sizeof line), 0);
    cr_assert_str_eq(line, "bad AIOTSEC_E_UNKNOWN_DEVICE");
    kdt_perm(6, perm); /* a new device, known to the server only through the database */
    size_t kl = kdt_key(seed, 6, 0, key);
    cr_assert_eq(aiotsec_keydb_add(h, perm, 5, key, kl), AIOTSEC_OK);
    kdt_write_line(to, "check 6 0");
    cr_assert_eq(kdt_read_line(from, line, sizeof line), 0);
    cr_assert_str_eq(line, "ok");
    kdt_write_line(to, "quit");
    close(to);
    close(from);
    cr_assert_eq(kdt_wait(pid), 0);
    aiotsec_keydb_close(h);
    /* No key value in the database file or anywhere in the token directory. */
    const char *files[] = {"db/data.mdb"};
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, files[0]);
    size_t len = 0;
    uint8_t *b = kdt_read_file(p, &len);
    cr_assert_not_null(b);
    for (size_t i = 0; i <= 6; i++) {
        kl = kdt_key(seed, i, 0, key);
        cr_assert_eq(kdt_count(b, len, key, kl), 0);
    }
    free(b);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "%s/tokens", dir);
    /* every file of the token directory */
    FILE *ls;
    snprintf(cmd, sizeof cmd, "find %s/tokens -type f", dir);
    ls = popen(cmd, "r");
    cr_assert_not_null(ls);
    size_t files_seen = 0;
    while (fgets(p, sizeof p, ls)) {
        p[strcspn(p, "\n")] = 0;
        b = kdt_read_file(p, &len);
        if (!b)
            continue;
        files_seen++;
        for (size_t i = 0; i <= 6; i++) {
            kl = kdt_key(seed, i, 0, key);
            cr_assert_eq(kdt_count(b, len, key, kl), 0, "key %zu in clear in %s", i, p);
        }
        free(b);
    }
    pclose(ls);
    cr_assert_gt(files_seen, 0);
}
