// AVX-512 kernels: 8-lane Keccak-f (vprolq, vpternlogq) fed by AVX-512 SHA-256, two 16-lane groups side by side
// ("avx512"), or by SHA-NI, eight nonces interleaved ("avx512-shani").
#include "internal.h"
#if BTPOW_X86
#include <immintrin.h>
#include "keccak_rounds.h"

#define AVX512_TARGET "avx512f,avx512vl,avx512bw,avx2,bmi2"
#define K512_ATTR __attribute__((always_inline, target(AVX512_TARGET)))

// ---- 8-lane Keccak, filtered on the rule's most significant seal word ----
#define V __m512i
#define XOR(a, b) _mm512_xor_si512(a, b)
#define XOR3(a, b, c) _mm512_ternarylogic_epi64(a, b, c, 0x96)
#define ROL(a, n) _mm512_rol_epi64(a, n)
#define CHI(a, b, c) _mm512_ternarylogic_epi64(a, b, c, 0xd2)
#define BCAST(x) _mm512_set1_epi64((long long)(x))

static const uint8_t bswap64_bytes[64] = {
    7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8,
    7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8,
};

/// mask = lanes whose seal's top word (big-endian rules: byte-swapped lane 0; little-endian: lane 3) is <= thr
/// (variables be, thr in scope). ROUNDS: rounds 1...22, possibly with other work hooked between them. The middle
/// rounds go row by row into a second set of lanes (e0...e24): fewer live registers, fewer copies and spills.
#define KECCAK8_FILTER(mask, in0, in1, in2, in3, ROUNDS) do { \
    V a0 = (in0), a1 = (in1), a2 = (in2), a3 = (in3); \
    V a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24; \
    V e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15, e16, e17, e18, e19, e20, e21, e22, e23, e24; \
    KECCAK_ROUND_FIRST(); \
    ROUNDS; \
    V o0, o3; \
    KECCAK_ROUND_LAST_03(); \
    V key_ = be ? _mm512_shuffle_epi8(o0, _mm512_loadu_si512(bswap64_bytes)) : o3; \
    mask = _mm512_cmple_epu64_mask(key_, thr); \
} while (0)

// ---- avx512: 16-lane SHA-256 ----
#define SV __m512i
#define S_CHAINS 2   // two 16-lane groups side by side: 13 % faster v1 SHA than one on Zen 4 (docs/kernels.md)
#define S_ATTR K512_ATTR
#define S_NAME(x) z16_##x
#define S_SET1(x) _mm512_set1_epi32((int)(x))
#define S_ADD(a, b) _mm512_add_epi32(a, b)
#define S_XOR3(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0x96)
#define S_ROR(a, n) _mm512_ror_epi32(a, n)
#define S_SHR(a, n) _mm512_srli_epi32(a, n)
#define S_CH(e, f, g) _mm512_ternarylogic_epi32(e, f, g, 0xca)
#define S_MAJ(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0xe8)
#include "sha_simd.h"

/// 16 digests (dword lanes) to two groups of Keccak input lanes a0...a3 (nonces 0...7 and 8...15).
K512_ATTR static inline void z16_to_lanes(const __m512i h[8], __m512i lo8[4], __m512i hi8[4]) {
    const __m512i bswap32 = _mm512_set_epi8(
        12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3,
        12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    const __m512i first = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
    const __m512i second = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
    for (int i = 0; i < 4; i++) {
        __m512i x = _mm512_shuffle_epi8(h[2 * i], bswap32), y = _mm512_shuffle_epi8(h[2 * i + 1], bswap32);
        __m512i l = _mm512_unpacklo_epi32(x, y), u = _mm512_unpackhi_epi32(x, y);
        lo8[i] = _mm512_permutex2var_epi64(l, first, u);
        hi8[i] = _mm512_permutex2var_epi64(l, second, u);
    }
}

__attribute__((target(AVX512_TARGET)))
int btpow_avx512_chunk(const btpow_job *job, const btpow_chunk *chunk, uint64_t n0, uint64_t len, uint64_t *found) {
    const btpow_chunk local = *chunk, *c = &local;   // a copy the candidate check cannot write: its reads leave the loop
    const __m512i thr = _mm512_set1_epi64((long long)job->threshold[0]);
    const int be = job->big_endian != 0, legacy = job->scheme == BTPOW_SCHEME_LEGACY;
    const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i bswap32 = _mm512_set_epi8(
        12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3,
        12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    // A batch is 16 * S_CHAINS nonces: SHA-256 for S_CHAINS groups of 16 side by side, then 2 * S_CHAINS 8-lane
    // Keccaks (one copy of their code, run as a loop).
    enum { BATCH = 16 * S_CHAINS };
    for (uint64_t i = 0; i < len; i += BATCH) {
        uint32_t lo = (uint32_t)(n0 + i);
        __m512i l[S_CHAINS], h[S_CHAINS][8], a[2 * S_CHAINS][4];
        for (int j = 0; j < S_CHAINS; j++) {   // lanes past the chunk wrap: masked
            l[j] = _mm512_add_epi32(_mm512_set1_epi32((int)(lo + 16 * (uint32_t)j)), iota);
        }
        if (legacy) {
            __m512i w0[S_CHAINS];
            for (int j = 0; j < S_CHAINS; j++) w0[j] = _mm512_shuffle_epi8(l[j], bswap32);
            z16_sha_legacy(c, w0, h);
        } else {
            __m512i byte14[S_CHAINS], w15[S_CHAINS];
            for (int j = 0; j < S_CHAINS; j++) {
                byte14[j] = _mm512_and_si512(l[j], _mm512_set1_epi32(0xff));
                w15[j] = _mm512_or_si512(_mm512_set1_epi32((int)c->w[15]), _mm512_slli_epi32(_mm512_shuffle_epi8(l[j], bswap32), 8));
            }
            z16_sha_v1(c, byte14, w15, h);
        }
        for (int j = 0; j < S_CHAINS; j++) z16_to_lanes(h[j], a[2 * j], a[2 * j + 1]);
        uint32_t m = 0;
        _Pragma("clang loop unroll(disable)")
        for (int q = 0; q < 2 * S_CHAINS; q++) {
            uint32_t mq;
            KECCAK8_FILTER(mq, a[q][0], a[q][1], a[q][2], a[q][3], KECCAK_ROUNDS_1_22_ROWS_SPLIT());
            m |= mq << (8 * q);
        }
        m &= btpow_valid_mask(len - i, BATCH);
        if (m && btpow_check_candidates(job, n0 + i, m, found)) return 1;
    }
    return 0;
}

// ---- avx512-shani ----
#include "shani.h"

/// Eight SHA-NI states (nonces 0...7) to Keccak input lanes a0...a3.
K512_ATTR static inline void shani8_to_lanes(const __m128i abef[8], const __m128i cdgh[8], __m512i a[4]) {
    // Reversing a state register's 16 bytes gives {lane 0, lane 2} (abef) or {lane 1, lane 3} (cdgh).
    const __m512i rev = _mm512_set_epi8(
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i even = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0), odd = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);
#define CAT4(v, o) _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_set_m128i(v[(o) + 1], v[(o) + 0])), \
                                      _mm256_set_m128i(v[(o) + 3], v[(o) + 2]), 1)
    __m512i x0 = _mm512_shuffle_epi8(CAT4(abef, 0), rev), x1 = _mm512_shuffle_epi8(CAT4(abef, 4), rev);
    __m512i y0 = _mm512_shuffle_epi8(CAT4(cdgh, 0), rev), y1 = _mm512_shuffle_epi8(CAT4(cdgh, 4), rev);
#undef CAT4
    a[0] = _mm512_permutex2var_epi64(x0, even, x1);
    a[2] = _mm512_permutex2var_epi64(x0, odd, x1);
    a[1] = _mm512_permutex2var_epi64(y0, even, y1);
    a[3] = _mm512_permutex2var_epi64(y0, odd, y1);
}

#define HOOK_LEGACY(r, lane_unused) SHANI_STEPS(shani_legacy_step, &k, &t, ((r) - 1) * SHANI_LEGACY_STEPS / 22, (r) * SHANI_LEGACY_STEPS / 22, 8)
#define HOOK_V1(r, lane_unused) SHANI_STEPS(shani_v1_step, &k, &t, ((r) - 1) * SHANI_V1_STEPS / 22, (r) * SHANI_V1_STEPS / 22, 8)

// Software pipeline: batch i's Keccak runs with batch i + 8's SHA-NI steps hooked between its rounds, so the
// SHA units' long dependency chains overlap the vector work instead of stalling it.
#define SHANI_PIPELINE(S, NSTEPS, HOOK, KECCAK_FILTER, TO_LANES, VEC) do { \
    shani_streams t; \
    __m128i abef[8], cdgh[8]; \
    shani_##S##_begin(&k, (uint32_t)n0, &t, 8); \
    SHANI_STEPS(shani_##S##_step, &k, &t, 0, NSTEPS, 8); \
    shani_##S##_finish(&k, &t, abef, cdgh, 8); \
    for (uint64_t i = 0; i < len; i += 8) { \
        VEC a[8]; \
        TO_LANES(abef, cdgh, a); \
        shani_##S##_begin(&k, (uint32_t)(n0 + i + 8), &t, 8); \
        uint32_t m; \
        KECCAK_FILTER(m, a, HOOK); \
        shani_##S##_finish(&k, &t, abef, cdgh, 8); \
        m &= btpow_valid_mask(len - i, 8); \
        if (m && btpow_check_candidates(job, n0 + i, m, found)) return 1; \
    } \
} while (0)

#define FILTER8_HOOKED(m, a, HOOK) KECCAK8_FILTER(m, a[0], a[1], a[2], a[3], KECCAK_ROUNDS_1_22_ROWS_SPLIT_HOOKED(HOOK))

__attribute__((target(AVX512_TARGET ",sha")))
int btpow_avx512_shani_chunk(const btpow_job *job, const btpow_chunk *c, uint64_t n0, uint64_t len, uint64_t *found) {
    shani_consts k;
    shani_consts_init(&k, c);
    const __m512i thr = _mm512_set1_epi64((long long)job->threshold[0]);
    const int be = job->big_endian != 0;
    if (job->scheme == BTPOW_SCHEME_LEGACY) {
        SHANI_PIPELINE(legacy, SHANI_LEGACY_STEPS, HOOK_LEGACY, FILTER8_HOOKED, shani8_to_lanes, __m512i);
    } else {
        SHANI_PIPELINE(v1, SHANI_V1_STEPS, HOOK_V1, FILTER8_HOOKED, shani8_to_lanes, __m512i);
    }
    return 0;
}
#endif
