/* The batch API (batch.h) through the exported interface: the official
 * profile 0 vectors, agreement with the single-item functions on every
 * backend, identical results for every thread count, and one verdict per item
 * for every kind of bad item. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "vectors.h"

#define N 203 /* odd and above a chunk multiple: every tail is exercised */

typedef struct fixture {
    aiotsec_ctx *ctx;
    size_t rn, rd, rl;
    uint8_t keys[N][32];
    uint8_t rand_n[N][32], rand_d[N][32], res[N][32];
    aiotsec_prepared_key *pk[N];
    aiotsec_batch_item items[N];
} fixture;

static uint64_t seed = 0x1234567;

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (uint8_t)(seed >> 56);
    }
}

static fixture *make(const char *backend)
{
    fixture *f = calloc(1, sizeof *f);
    cr_assert_not_null(f);
    cr_assert_eq(aiotsec_ctx_new(&f->ctx, backend, NULL), AIOTSEC_OK, "%s", backend);
    f->rn = aiotsec_derive_rand_n_bytes(f->ctx);
    f->rd = aiotsec_derive_rand_d_bytes(f->ctx);
    f->rl = aiotsec_derive_res_bytes(f->ctx);
    seed = 0x1234567; /* same devices on every backend */
    for (size_t i = 0; i < N; i++) {
        size_t kl = i % 3 ? 32 : 16;
        fill(f->keys[i], kl);
        fill(f->rand_n[i], f->rn);
        fill(f->rand_d[i], f->rd);
        cr_assert_eq(aiotsec_derive_res(f->ctx, f->keys[i], kl, f->rand_n[i], f->rn, f->rand_d[i], f->rd,
                                        f->res[i], sizeof f->res[i]), AIOTSEC_OK);
        cr_assert_eq(aiotsec_prepared_key_new(&f->pk[i], f->ctx, f->keys[i], kl), AIOTSEC_OK);
        f->items[i] = (aiotsec_batch_item){f->pk[i], f->rand_n[i], f->rn, f->rand_d[i], f->rd, f->res[i], f->rl};
    }
    return f;
}

static void drop(fixture *f)
{
    for (size_t i = 0; i < N; i++)
        aiotsec_prepared_key_free(f->pk[i]);
    aiotsec_ctx_free(f->ctx);
    free(f);
}

Test(batch, item_size_getter)
{
    cr_assert_eq(aiotsec_batch_item_structbytes(), sizeof(aiotsec_batch_item));
}

Test(batch, official_profile0_vectors_every_backend)
{
    tv_file v;
    tv_load(&v, "aiot-profile0.tsv");
    for (size_t b = 0; b < aiotsec_backend_count(); b++) {
        aiotsec_ctx *ctx = NULL;
        cr_assert_eq(aiotsec_ctx_new(&ctx, aiotsec_backend_name_at(b), NULL), AIOTSEC_OK);
        size_t n = v.nrows;
        cr_assert_leq(n, TV_MAX_ROWS);
        static uint8_t k[TV_MAX_ROWS][32], rn[TV_MAX_ROWS][32], rd[TV_MAX_ROWS][32], want[TV_MAX_ROWS][32];
        aiotsec_prepared_key *pk[TV_MAX_ROWS];
        aiotsec_batch_item items[TV_MAX_ROWS];
        int results[TV_MAX_ROWS];
        uint8_t xres[TV_MAX_ROWS * 32];
        size_t rl = aiotsec_derive_res_bytes(ctx);
        for (size_t r = 0; r < n; r++) {
            size_t kl = tv_hex(tv_get(&v, r, "k_root"), k[r], 32);
            size_t nl = tv_hex(tv_get(&v, r, "rand_n"), rn[r], 32);
            size_t dl = tv_hex(tv_get(&v, r, "rand_d"), rd[r], 32);
            cr_assert_eq(tv_hex(tv_get(&v, r, "res"), want[r], 32), rl);
            cr_assert_eq(aiotsec_prepared_key_new(&pk[r], ctx, k[r], kl), AIOTSEC_OK);
            items[r] = (aiotsec_batch_item){pk[r], rn[r], nl, rd[r], dl, want[r], rl};
        }
        cr_assert_eq(aiotsec_batch_derive_res(ctx, items, n, xres, sizeof xres, results, 1), AIOTSEC_OK);
        for (size_t r = 0; r < n; r++) {
            cr_assert_eq(results[r], AIOTSEC_OK);
            cr_assert_eq(memcmp(xres + r * rl, want[r], rl), 0, "%s row %zu", aiotsec_backend_name_at(b), r);
        }
        size_t n_ok = 0;
        cr_assert_eq(aiotsec_batch_verify_res(ctx, items, n, results, 2, &n_ok), AIOTSEC_OK);
        cr_assert_eq(n_ok, n);
        for (size_t r = 0; r < n; r++)
            aiotsec_prepared_key_free(pk[r]);
        aiotsec_ctx_free(ctx);
    }
    tv_free(&v);
}

/* Batch derive = single raw-key derive, on every backend, for every thread count. */
Test(batch, equals_single_calls_every_backend_and_thread_count)
{
    static const unsigned threads[] = {0, 1, 2, 3, 7, 64};
    static uint8_t ref[N * 32];
    int have_ref = 0;
    for (size_t b = 0; b < aiotsec_backend_count(); b++) {
        fixture *f = make(aiotsec_backend_name_at(b));
        if (!have_ref) {
            for (size_t i = 0; i < N; i++)
                memcpy(ref + i * f->rl, f->res[i], f->rl);
            have_ref = 1;
        }
        for (size_t i = 0; i < N; i++)
            cr_assert_eq(memcmp(ref + i * f->rl, f->res[i], f->rl), 0, "backends disagree (single)");
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
            uint8_t xres[N * 32];
            int results[N];
            memset(xres, 0xAA, sizeof xres);
            cr_assert_eq(aiotsec_batch_derive_res(f->ctx, f->items, N, xres, sizeof xres, results, threads[t]),
                         AIOTSEC_OK);
            for (size_t i = 0; i < N; i++)
                cr_assert_eq(results[i], AIOTSEC_OK);
            cr_assert_eq(memcmp(xres, ref, N * f->rl), 0, "%s threads %u", aiotsec_backend_name_at(b), threads[t]);
            size_t n_ok = 0;
            cr_assert_eq(aiotsec_batch_verify_res(f->ctx, f->items, N, results, threads[t], &n_ok), AIOTSEC_OK);
            cr_assert_eq(n_ok, N);
            for (size_t i = 0; i < N; i++)
                cr_assert_eq(results[i], AIOTSEC_OK);
        }
        /* And the prepared single-item functions say the same. */
        for (size_t i = 0; i < N; i++) {
            uint8_t x[32];
            cr_assert_eq(aiotsec_prepared_derive_res(f->pk[i], f->rand_n[i], f->rn, f->rand_d[i], f->rd, x, sizeof x),
                         AIOTSEC_OK);
            cr_assert_eq(memcmp(x, f->res[i], f->rl), 0);
        }
        drop(f);
    }
}

/* Every octet and bit of a RES can be wrong: each such item fails, its neighbours pass. */
Test(batch, wrong_res_fails_only_that_item)
{
    for (size_t b = 0; b < aiotsec_backend_count(); b++) {
        fixture *f = make(aiotsec_backend_name_at(b));
        uint8_t bad[N][32];
        for (size_t i = 0; i < N; i++) {
            memcpy(bad[i], f->res[i], f->rl);
            if (i % 2) {
                bad[i][(i / 2) % f->rl] ^= (uint8_t)(1u << (i % 8));
                f->items[i].res = bad[i];
            }
        }
        int results[N];
        size_t n_ok = 99;
        cr_assert_eq(aiotsec_batch_verify_res(f->ctx, f->items, N, results, 2, &n_ok), AIOTSEC_OK);
        cr_assert_eq(n_ok, (N + 1) / 2);
        for (size_t i = 0; i < N; i++)
            cr_assert_eq(results[i], i % 2 ? AIOTSEC_E_AUTH_FAILED : AIOTSEC_OK, "%s item %zu",
                         aiotsec_backend_name_at(b), i);
        drop(f);
    }
}

Test(batch, bad_items_get_their_own_status)
{
    fixture *f = make("native");
    aiotsec_ctx *other = NULL;
    cr_assert_eq(aiotsec_ctx_new(&other, "native", NULL), AIOTSEC_OK);
    aiotsec_prepared_key *foreign = NULL;
    cr_assert_eq(aiotsec_prepared_key_new(&foreign, other, f->keys[5], 32), AIOTSEC_OK);
    f->items[1].key = NULL;
    f->items[2].rand_n = NULL;
    f->items[3].rand_d_len = f->rd + 1;
    f->items[4].res_len = f->rl - 1;
    f->items[5].key = foreign;
    f->items[6].res = NULL;
    int results[N];
    size_t n_ok = 0;
    cr_assert_eq(aiotsec_batch_verify_res(f->ctx, f->items, N, results, 1, &n_ok), AIOTSEC_OK);
    cr_assert_eq(n_ok, N - 6);
    cr_assert_eq(results[0], AIOTSEC_OK);
    cr_assert_eq(results[1], AIOTSEC_E_NULL_ARG);
    cr_assert_eq(results[2], AIOTSEC_E_NULL_ARG);
    cr_assert_eq(results[3], AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(results[4], AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(results[5], AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(results[6], AIOTSEC_E_NULL_ARG);
    cr_assert_eq(results[7], AIOTSEC_OK);
    /* Derive ignores res/res_len; failed items are zero-filled. */
    uint8_t xres[N * 32];
    memset(xres, 0xAA, sizeof xres);
    cr_assert_eq(aiotsec_batch_derive_res(f->ctx, f->items, N, xres, sizeof xres, results, 2), AIOTSEC_OK);
    cr_assert_eq(results[4], AIOTSEC_OK);
    cr_assert_eq(results[6], AIOTSEC_OK);
    cr_assert_eq(results[3], AIOTSEC_E_BAD_LENGTH);
    for (size_t j = 0; j < f->rl; j++)
        cr_assert_eq(xres[3 * f->rl + j], 0);
    cr_assert_eq(memcmp(xres + 4 * f->rl, f->res[4], f->rl), 0);
    aiotsec_prepared_key_free(foreign);
    aiotsec_ctx_free(other);
    drop(f);
}

Test(batch, argument_errors)
{
    fixture *f = make("sodium");
    int results[N];
    uint8_t xres[N * 32];
    size_t n_ok = 5;
    cr_assert_eq(aiotsec_batch_verify_res(NULL, f->items, N, results, 1, &n_ok), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(n_ok, 0);
    cr_assert_eq(aiotsec_batch_verify_res(f->ctx, NULL, N, results, 1, NULL), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_batch_verify_res(f->ctx, f->items, N, NULL, 1, NULL), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_batch_verify_res(f->ctx, f->items, N, results, AIOTSEC_BATCH_MAX_THREADS + 1, NULL),
                 AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_batch_verify_res(f->ctx, NULL, 0, NULL, 1, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_batch_derive_res(f->ctx, f->items, N, xres, N * f->rl - 1, results, 1),
                 AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_batch_derive_res(f->ctx, f->items, N, NULL, sizeof xres, results, 1), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_batch_derive_res(f->ctx, f->items, N, xres, sizeof xres, NULL, 1), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_batch_derive_res(f->ctx, f->items, N, xres, sizeof xres, results, 65), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_batch_derive_res(NULL, f->items, N, xres, sizeof xres, results, 1), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_batch_derive_res(f->ctx, NULL, 0, NULL, 0, NULL, 1), AIOTSEC_OK);
    drop(f);
}

/* Other profiles: one- and two-octet FCs (S of 37 or 38 octets) and every RES
 * length class TS 29.503 allows (4..16); RANDs are 16 octets in every profile. */
Test(batch, other_profiles_every_backend)
{
    static const struct {
        uint8_t rn, rd, rl;
        uint16_t fc;
    } shapes[] = {{16, 16, 8, 0xFF05}, {16, 16, 16, 0x00}, {16, 16, 4, 0xA0}, {16, 16, 16, 0xFF00}, {16, 16, 12, 0x7E}};
    for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
        aiotsec_profile_params pp;
        cr_assert_eq(aiotsec_profile_params_init(&pp), AIOTSEC_OK);
        pp.rand_n_len = shapes[sh].rn;
        pp.rand_d_len = shapes[sh].rd;
        pp.res_len = shapes[sh].rl;
        pp.fc_res = shapes[sh].fc;
        aiotsec_profile *prof = NULL;
        cr_assert_eq(aiotsec_profile_new(&prof, &pp), AIOTSEC_OK, "shape %zu", sh);
        for (size_t b = 0; b < aiotsec_backend_count(); b++) {
            enum { M = 37 };
            aiotsec_ctx *ctx = NULL;
            cr_assert_eq(aiotsec_ctx_new(&ctx, aiotsec_backend_name_at(b), prof), AIOTSEC_OK);
            static uint8_t key[M][32], rn[M][32], rd[M][32], want[M][32];
            aiotsec_prepared_key *pk[M];
            aiotsec_batch_item items[M];
            int results[M];
            uint8_t xres[M * 32];
            seed = 99 + sh;
            for (size_t i = 0; i < M; i++) {
                fill(key[i], 32);
                fill(rn[i], pp.rand_n_len);
                fill(rd[i], pp.rand_d_len);
                cr_assert_eq(aiotsec_derive_res(ctx, key[i], 32, rn[i], pp.rand_n_len, rd[i], pp.rand_d_len,
                                                want[i], sizeof want[i]), AIOTSEC_OK);
                cr_assert_eq(aiotsec_prepared_key_new(&pk[i], ctx, key[i], 32), AIOTSEC_OK);
                items[i] = (aiotsec_batch_item){pk[i], rn[i], pp.rand_n_len, rd[i], pp.rand_d_len, want[i], pp.res_len};
            }
            cr_assert_eq(aiotsec_batch_derive_res(ctx, items, M, xres, sizeof xres, results, 2), AIOTSEC_OK);
            for (size_t i = 0; i < M; i++) {
                cr_assert_eq(results[i], AIOTSEC_OK);
                cr_assert_eq(memcmp(xres + i * pp.res_len, want[i], pp.res_len), 0, "shape %zu %s item %zu", sh,
                             aiotsec_backend_name_at(b), i);
            }
            size_t n_ok = 0;
            cr_assert_eq(aiotsec_batch_verify_res(ctx, items, M, results, 1, &n_ok), AIOTSEC_OK);
            cr_assert_eq(n_ok, M);
            /* A profile-0-sized RAND on a profile that wants another length is refused. */
            if (pp.rand_n_len != 16) {
                items[0].rand_n_len = 16;
                cr_assert_eq(aiotsec_batch_verify_res(ctx, items, 1, results, 1, NULL), AIOTSEC_OK);
                cr_assert_eq(results[0], AIOTSEC_E_BAD_LENGTH);
            }
            for (size_t i = 0; i < M; i++)
                aiotsec_prepared_key_free(pk[i]);
            aiotsec_ctx_free(ctx);
        }
        aiotsec_profile_free(prof);
    }
}
