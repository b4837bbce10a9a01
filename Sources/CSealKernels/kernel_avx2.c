// AVX2 kernels: 4-lane Keccak-f (twice per batch of 8) fed by 8-lane AVX2 SHA-256 ("avx2") or by SHA-NI, eight
// nonces interleaved, in a phase of their own before the Keccaks ("avx2-shani"); and the hybrid, ten SHA-NI streams
// and two Keccaks of 4 ymm lanes plus 1 lane in general-purpose registers each ("avx2-shani-hybrid").
#include "internal.h"
#if BTPOW_X86
#include <immintrin.h>
#include "keccak_rounds.h"

#define AVX2_TARGET "avx2,bmi,bmi2"
#define K256_ATTR __attribute__((always_inline, target(AVX2_TARGET)))

// ---- one Keccak lane in general-purpose registers (the hybrid's fifth lane): the generated rounds over uint64_t ----
#define V uint64_t
#define XOR(a, b) ((a) ^ (b))
#define XOR3(a, b, c) ((a) ^ (b) ^ (c))
#define ROL(a, n) ((a) << (n) | (a) >> (64 - (n)))
#define CHI(a, b, c) ((a) ^ (~(b) & (c)))
#define BCAST(x) ((uint64_t)(x))
#define LANES_LOAD(s) V a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3], a4 = s[4], a5 = s[5], a6 = s[6], a7 = s[7], \
    a8 = s[8], a9 = s[9], a10 = s[10], a11 = s[11], a12 = s[12], a13 = s[13], a14 = s[14], a15 = s[15], a16 = s[16], \
    a17 = s[17], a18 = s[18], a19 = s[19], a20 = s[20], a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24]
#define LANES_STORE(s) do { s[0] = a0; s[1] = a1; s[2] = a2; s[3] = a3; s[4] = a4; s[5] = a5; s[6] = a6; s[7] = a7; \
    s[8] = a8; s[9] = a9; s[10] = a10; s[11] = a11; s[12] = a12; s[13] = a13; s[14] = a14; s[15] = a15; s[16] = a16; \
    s[17] = a17; s[18] = a18; s[19] = a19; s[20] = a20; s[21] = a21; s[22] = a22; s[23] = a23; s[24] = a24; } while (0)

/// Round 0 on the 32-byte message in[0...3] (padded) into the state s.
K256_ATTR static inline void keccak1_first(uint64_t s[25], const uint64_t in[4]) {
    V a0 = in[0], a1 = in[1], a2 = in[2], a3 = in[3];
    V a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24;
    KECCAK_ROUND_FIRST();
    LANES_STORE(s);
}

/// One middle round; the state lives in a 25-word array between rounds (16 general-purpose registers cannot hold
/// it), so each round loads and stores it.
K256_ATTR static inline void keccak1_round(uint64_t s[25], uint64_t rc) {
    LANES_LOAD(s);
    KECCAK_ROUND_SPLIT(rc);
    LANES_STORE(s);
}

/// Round 23's lanes 0 and 3, as the rule's most significant seal word (big-endian: byte-swapped lane 0).
K256_ATTR static inline uint64_t keccak1_key(const uint64_t s[25], int be) {
    LANES_LOAD(s);
    V o0, o3;
    KECCAK_ROUND_LAST_03();
    return be ? btpow_bswap64(o0) : o3;
}
#undef V
#undef XOR
#undef XOR3
#undef ROL
#undef CHI
#undef BCAST
#undef LANES_LOAD
#undef LANES_STORE

// ---- 4-lane Keccak ----
#define V __m256i
#define XOR(a, b) _mm256_xor_si256(a, b)
#define XOR3(a, b, c) _mm256_xor_si256(_mm256_xor_si256(a, b), c)
// Rotations by whole bytes are one byte shuffle.
#define ROL(a, n) ((n) == 8 ? _mm256_shuffle_epi8(a, rot8) : (n) == 56 ? _mm256_shuffle_epi8(a, rot56) \
                   : _mm256_or_si256(_mm256_slli_epi64(a, (n)), _mm256_srli_epi64(a, 64 - (n))))
#define CHI(a, b, c) _mm256_xor_si256(a, _mm256_andnot_si256(b, c))
#define BCAST(x) _mm256_set1_epi64x((long long)(x))

/// mask (bits 0...3) = lanes whose top seal word (rule's byte order) <= thr (variables be, thr in scope).
#define KECCAK4_FILTER(mask, in0, in1, in2, in3, ROUNDS) do { \
    const V rot8 = _mm256_set_epi8(14, 13, 12, 11, 10, 9, 8, 15, 6, 5, 4, 3, 2, 1, 0, 7, \
                                   14, 13, 12, 11, 10, 9, 8, 15, 6, 5, 4, 3, 2, 1, 0, 7); \
    const V rot56 = _mm256_set_epi8(8, 15, 14, 13, 12, 11, 10, 9, 0, 7, 6, 5, 4, 3, 2, 1, \
                                    8, 15, 14, 13, 12, 11, 10, 9, 0, 7, 6, 5, 4, 3, 2, 1); \
    V a0 = (in0), a1 = (in1), a2 = (in2), a3 = (in3); \
    V a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24; \
    V e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15, e16, e17, e18, e19, e20, e21, e22, e23, e24; \
    (void)e0; \
    KECCAK_ROUND_FIRST(); \
    ROUNDS; \
    V o0, o3; \
    KECCAK_ROUND_LAST_03(); \
    const V swap_ = _mm256_set_epi8(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, \
                                    8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7); \
    V key_ = be ? _mm256_shuffle_epi8(o0, swap_) : o3; \
    /* unsigned key > thr as a signed compare with both sign bits flipped */ \
    const V sign_ = _mm256_set1_epi64x((long long)0x8000000000000000ULL); \
    V gt_ = _mm256_cmpgt_epi64(_mm256_xor_si256(key_, sign_), _mm256_set1_epi64x((long long)(thr ^ 0x8000000000000000ULL))); \
    mask = ~(uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(gt_)) & 0xf; \
} while (0)

// Rounds 1...22 rolled into a loop: unrolled, a batch's code (SHA, two Keccaks) is 70-80 KiB, past the 32 KiB L1
// instruction cache, and the rolled loop is 26-33 % faster on Zen 4 (docs/kernels.md).
#ifndef AVX2_KECCAK_ROUNDS
#define AVX2_KECCAK_ROUNDS KECCAK_ROUNDS_1_22_LOOP
#endif

// ---- avx2: 8-lane SHA-256 ----
#define SV __m256i
#define S_CHAINS 1   // a second 8-lane group beside it spills (16 ymm registers): 2-4 % slower on Zen 4
#define S_ATTR K256_ATTR
#define S_NAME(x) y8_##x
#define S_SET1(x) _mm256_set1_epi32((int)(x))
#define S_ADD(a, b) _mm256_add_epi32(a, b)
#define S_XOR3(a, b, c) _mm256_xor_si256(_mm256_xor_si256(a, b), c)
#define S_ROR(a, n) _mm256_or_si256(_mm256_srli_epi32(a, n), _mm256_slli_epi32(a, 32 - (n)))
#define S_SHR(a, n) _mm256_srli_epi32(a, n)
#define S_CH(e, f, g) _mm256_xor_si256(_mm256_and_si256(_mm256_xor_si256(f, g), e), g)
// b ^ ((a ^ b) & (b ^ c)): the compiler reuses a ^ b as the next round's b ^ c.
#define S_MAJ(a, b, c) _mm256_xor_si256(b, _mm256_and_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(b, c)))
#include "sha_simd.h"

/// 8 digests to Keccak input lanes for nonces 0...3 (lo4) and 4...7 (hi4).
K256_ATTR static inline void y8_to_lanes(const __m256i h[8], __m256i lo4[4], __m256i hi4[4]) {
    const __m256i bswap32 = _mm256_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3,
                                            12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    for (int i = 0; i < 4; i++) {
        __m256i x = _mm256_shuffle_epi8(h[2 * i], bswap32), y = _mm256_shuffle_epi8(h[2 * i + 1], bswap32);
        __m256i l = _mm256_unpacklo_epi32(x, y), u = _mm256_unpackhi_epi32(x, y);   // nonces {0,1,4,5}, {2,3,6,7}
        lo4[i] = _mm256_permute2x128_si256(l, u, 0x20);
        hi4[i] = _mm256_permute2x128_si256(l, u, 0x31);
    }
}

_Static_assert(S_CHAINS == 1, "btpow_avx2_chunk's batch is one 8-lane SHA group and two 4-lane Keccaks");

__attribute__((target(AVX2_TARGET)))
int btpow_avx2_chunk(const btpow_job *job, const btpow_chunk *chunk, uint64_t n0, uint64_t len, uint64_t *found) {
    const btpow_chunk local = *chunk, *c = &local;   // a copy the candidate check cannot write: its reads leave the loop
    const uint64_t thr = job->threshold[0];
    const int be = job->big_endian != 0, legacy = job->scheme == BTPOW_SCHEME_LEGACY;
    const __m256i iota = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    const __m256i bswap32 = _mm256_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3,
                                            12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    for (uint64_t i = 0; i < len; i += 8) {
        uint32_t lo = (uint32_t)(n0 + i);
        __m256i l = _mm256_add_epi32(_mm256_set1_epi32((int)lo), iota);   // lanes past the chunk wrap: masked
        __m256i h[1][8], a[4], b[4];
        if (legacy) {
            const __m256i w0[1] = {_mm256_shuffle_epi8(l, bswap32)};
            y8_sha_legacy(c, w0, h);
        } else {
            const __m256i byte14[1] = {_mm256_and_si256(l, _mm256_set1_epi32(0xff))};
            const __m256i w15[1] = {_mm256_or_si256(_mm256_set1_epi32((int)c->w[15]), _mm256_slli_epi32(_mm256_shuffle_epi8(l, bswap32), 8))};
            y8_sha_v1(c, byte14, w15, h);
        }
        y8_to_lanes(h[0], a, b);
        uint32_t m, m2;
        KECCAK4_FILTER(m, a[0], a[1], a[2], a[3], AVX2_KECCAK_ROUNDS());
        KECCAK4_FILTER(m2, b[0], b[1], b[2], b[3], AVX2_KECCAK_ROUNDS());
        m |= m2 << 4;
        m &= btpow_valid_mask(len - i, 8);
        if (m && btpow_check_candidates(job, n0 + i, m, found)) return 1;
    }
    return 0;
}

// ---- avx2-shani ----
#include "shani.h"

/// Four SHA-NI states to 4-lane Keccak input a0...a3.
K256_ATTR static inline void shani4_to_lanes(const __m128i abef[4], const __m128i cdgh[4], __m256i a[4]) {
    // Reversing a state register's bytes gives {lane 0, lane 2} (abef) or {lane 1, lane 3} (cdgh).
    const __m256i rev = _mm256_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m256i x0 = _mm256_shuffle_epi8(_mm256_set_m128i(abef[1], abef[0]), rev);   // {L0_0, L2_0, L0_1, L2_1}
    __m256i x1 = _mm256_shuffle_epi8(_mm256_set_m128i(abef[3], abef[2]), rev);
    __m256i y0 = _mm256_shuffle_epi8(_mm256_set_m128i(cdgh[1], cdgh[0]), rev);
    __m256i y1 = _mm256_shuffle_epi8(_mm256_set_m128i(cdgh[3], cdgh[2]), rev);
    // unpack within 128-bit halves, then put the qwords in nonce order 0, 1, 2, 3.
    a[0] = _mm256_permute4x64_epi64(_mm256_unpacklo_epi64(x0, x1), 0xd8);
    a[2] = _mm256_permute4x64_epi64(_mm256_unpackhi_epi64(x0, x1), 0xd8);
    a[1] = _mm256_permute4x64_epi64(_mm256_unpacklo_epi64(y0, y1), 0xd8);
    a[3] = _mm256_permute4x64_epi64(_mm256_unpackhi_epi64(y0, y1), 0xd8);
}

/// `vzeroupper` once the batch's masks m1 and m2 exist. The intrinsic (`_mm256_zeroupper()`) only tells the compiler
/// that upper halves are lost, so it computed the last filter's compares (ymm) after it, and the next batch's SHA-NI
/// ran with the upper halves dirty by Intel's rule (one flag, cleared only by vzeroupper; 432 / 632 instructions per
/// batch, tools/kernel_trace.py). Taking the masks as operands puts every YMM instruction of the batch before it;
/// the clobbers keep every value out of ymm0-15 across it (clobbering xmm<n> clobbers the whole register).
#define ZEROUPPER_AFTER(m1, m2) __asm__ volatile("vzeroupper" : "+r"(m1), "+r"(m2) :: "xmm0", "xmm1", "xmm2", "xmm3", \
    "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15")

/// The SHA-NI digests of the n nonces with low words lo ... lo + n - 1 of scheme S (NSTEPS steps, run by STEPS:
/// unrolled or rolled; constants kp) into abef[0...n-1], cdgh[0...n-1].
#define SHANI_DIGESTS(S, NSTEPS, n, STEPS, kp, lo, abef, cdgh) do { \
    shani_streams t_; \
    shani_##S##_begin(kp, lo, &t_, n); \
    STEPS(shani_##S##_step, kp, &t_, 0, NSTEPS, n); \
    shani_##S##_finish(kp, &t_, abef, cdgh, n); \
} while (0)

// Phases one after another: batch i's SHA-NI steps, then its two 4-lane Keccaks, then `vzeroupper`
// (ZEROUPPER_AFTER), so that no SHA-NI instruction (which has only a legacy-SSE encoding) runs while upper YMM
// halves hold data: AMD's Zen 2 guide puts a fault of ~100 cycles on each switch between legacy-SSE and VEX code in
// that state, and this is the likely cause of the software-pipelined kernel (the next batch's SHA steps between this
// batch's Keccak rounds, as avx512-shani does) running 4.3x slower than avx2 legacy on Zen 3 (docs/kernels.md). The
// SHA state and the Keccak state never compete for the 16 registers either. The phase is inlined: as a call of its
// own (the hybrid's, below) it ran 9 % slower legacy and 15 % v1 on Zen 4 (tools/kbench.c, package flags,
// 2026-12-01). tools/kernel_trace.py --check (in CI) traces both kernels for SHA-NI among dirty halves.
#define SHANI_PHASES_2X4(S, NSTEPS) do { \
    for (uint64_t i = 0; i < len; i += 8) { \
        __m128i abef[8], cdgh[8]; \
        SHANI_DIGESTS(S, NSTEPS, 8, SHANI_STEPS, &k, (uint32_t)(n0 + i), abef, cdgh); \
        __m256i a[4], b[4]; \
        shani4_to_lanes(abef, cdgh, a); \
        shani4_to_lanes(abef + 4, cdgh + 4, b); \
        uint32_t m, m2; \
        KECCAK4_FILTER(m, a[0], a[1], a[2], a[3], AVX2_KECCAK_ROUNDS()); \
        KECCAK4_FILTER(m2, b[0], b[1], b[2], b[3], AVX2_KECCAK_ROUNDS()); \
        ZEROUPPER_AFTER(m, m2); \
        m = (m | m2 << 4) & btpow_valid_mask(len - i, 8); \
        if (m && btpow_check_candidates(job, n0 + i, m, found)) return 1; \
    } \
} while (0)

/// One SHA-NI state to the 4 Keccak input lanes of its nonce (general-purpose registers).
K256_ATTR static inline void shani1_to_lane(__m128i abef, __m128i cdgh, uint64_t lane[4]) {
    const __m128i rev = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m128i x = _mm_shuffle_epi8(abef, rev), y = _mm_shuffle_epi8(cdgh, rev);   // {lane 0, lane 2}, {lane 1, lane 3}
    lane[0] = (uint64_t)_mm_cvtsi128_si64(x);
    lane[2] = (uint64_t)_mm_extract_epi64(x, 1);
    lane[1] = (uint64_t)_mm_cvtsi128_si64(y);
    lane[3] = (uint64_t)_mm_extract_epi64(y, 1);
}

/// mask (bits 0...4) = lanes whose top seal word is <= thr: 4 in ymm lanes (in0...in3) and a fifth (lane[0...3])
/// in general-purpose registers, its rounds in the body of the vector rounds' loop.
#define HYBRID_LANE_ROUND(rc) keccak1_round(s1_, rc)
#define KECCAK4P1_FILTER(mask, in0, in1, in2, in3, lane) do { \
    uint64_t s1_[25]; \
    keccak1_first(s1_, lane); \
    uint32_t m4_; \
    KECCAK4_FILTER(m4_, in0, in1, in2, in3, KECCAK_ROUNDS_1_22_LOOP_WITH(HYBRID_LANE_ROUND)); \
    mask = m4_ | (uint32_t)(keccak1_key(s1_, be) <= thr) << 4; \
} while (0)

/// The hybrid's SHA-NI phase, a function of its own that is never inlined: the digests of the 10 nonces with low
/// words lo ... lo + 9 of scheme S into abef[0...9], cdgh[0...9]. Inlined, the compiler kept a Keccak value in a ymm
/// register across the SHA loop, so every SHA-NI instruction ran among dirty upper halves (560 per batch legacy, 810
/// v1, tools/kernel_trace.py). Across a call no YMM value stays in a register (the ABI saves none) and the compiler
/// clears the upper halves before it (`vzeroupper`). Speed on Zen 4, which does not charge for the switches
/// (tools/port_probe.c): unchanged in btpow's build (bench/kernels.sh 7.01 / 6.29 -> 7.34 / 6.49 M/s), 6.9 / 4.5 ->
/// 7.35 / 6.6 in tools/kbench.c's.
// Its SHA steps run as a loop: while the phase was inlined, unrolled steps for ten streams ran v1 (28 steps) at 4.7 M/s
// in the package's build (-O2, frame pointer kept) against 6.1 M/s rolled (Zen 4, 2026-12-01; not measured again
// since the phase became a call).
#define SHANI_HYBRID_PHASE(S, NSTEPS) \
__attribute__((noinline, target(AVX2_TARGET ",sha"))) \
static void shani10_##S(const shani_consts *k, uint32_t lo, __m128i abef[10], __m128i cdgh[10]) { \
    SHANI_DIGESTS(S, NSTEPS, 10, SHANI_STEPS_ROLLED, k, lo, abef, cdgh); \
}
SHANI_HYBRID_PHASE(legacy, SHANI_LEGACY_STEPS)
SHANI_HYBRID_PHASE(v1, SHANI_V1_STEPS)

// The hybrid: a batch of 10, SHA-NI for all (ten streams, its phase above), then two Keccaks of 4 ymm
// lanes (nonces 0...3, 5...8) with a scalar lane each (nonces 4, 9) on the integer units beside the vector pipes.
#define SHANI_HYBRID_2X5(S) do { \
    for (uint64_t i = 0; i < len; i += 10) { \
        __m128i abef[10], cdgh[10]; \
        shani10_##S(&k, (uint32_t)(n0 + i), abef, cdgh); \
        __m256i a[4], b[4]; \
        uint64_t la[4], lb[4]; \
        shani4_to_lanes(abef, cdgh, a); \
        shani1_to_lane(abef[4], cdgh[4], la); \
        shani4_to_lanes(abef + 5, cdgh + 5, b); \
        shani1_to_lane(abef[9], cdgh[9], lb); \
        uint32_t m, m2; \
        KECCAK4P1_FILTER(m, a[0], a[1], a[2], a[3], la); \
        KECCAK4P1_FILTER(m2, b[0], b[1], b[2], b[3], lb); \
        ZEROUPPER_AFTER(m, m2); \
        m = (m | m2 << 5) & btpow_valid_mask(len - i, 10); \
        if (m && btpow_check_candidates(job, n0 + i, m, found)) return 1; \
    } \
} while (0)

__attribute__((target(AVX2_TARGET ",sha")))
int btpow_avx2_shani_hybrid_chunk(const btpow_job *job, const btpow_chunk *c, uint64_t n0, uint64_t len, uint64_t *found) {
    shani_consts k;
    shani_consts_init(&k, c);
    const uint64_t thr = job->threshold[0];
    const int be = job->big_endian != 0;
    if (job->scheme == BTPOW_SCHEME_LEGACY) {
        SHANI_HYBRID_2X5(legacy);
    } else {
        SHANI_HYBRID_2X5(v1);
    }
    return 0;
}

__attribute__((target(AVX2_TARGET ",sha")))
int btpow_avx2_shani_chunk(const btpow_job *job, const btpow_chunk *c, uint64_t n0, uint64_t len, uint64_t *found) {
    shani_consts k;
    shani_consts_init(&k, c);
    const uint64_t thr = job->threshold[0];
    const int be = job->big_endian != 0;
    if (job->scheme == BTPOW_SCHEME_LEGACY) {
        SHANI_PHASES_2X4(legacy, SHANI_LEGACY_STEPS);
    } else {
        SHANI_PHASES_2X4(v1, SHANI_V1_STEPS);
    }
    return 0;
}

#endif
