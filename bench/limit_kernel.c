// Plain SHA-NI seal kernels, measured beside btpow's kernels in the same benchmark run (bench/kernels.sh) as
// independent references for the limit of each design: SHA-256 with SHA-NI, 4 nonces interleaved, then
// Keccak-f[1600] for 8 nonces in AVX-512 lanes (built with AVX-512: "plain-shani-avx512") or for 4 nonces at a
// time in AVX2 lanes (built without: "plain-shani-avx2"), every seal compared with a threshold. It is written
// independently of Sources/CSealKernels (no code or generator shared) in the plain textbook form: full message
// schedule, all 24 Keccak rounds, no per-challenge precomputation.
//
//   clang -O3 -march=native bench/limit_kernel.c -o limit_kernel                   # AVX-512 where the CPU has it
//   clang -O3 -march=native -mno-avx512f bench/limit_kernel.c -o limit_kernel_avx2  # the AVX2 design
//   limit_kernel [--part all|sha|keccak|keccak-hybrid] SECONDS BAHH:NONCE:SEAL...
// Checks each legacy seal vector (hex block_and_hotkey_hash, decimal nonce, hex seal) through the vector path,
// then hashes consecutive nonces under the first one's challenge on one thread for SECONDS and prints one JSON
// object. `--part sha` times the SHA-NI half alone, `--part keccak` the vector Keccak half alone (nonces per second
// each, so 1 / (1/sha + 1/keccak) bounds the whole). `--part keccak-hybrid` (AVX2 build only) times the hybrid Keccak
// design: 4 nonces in ymm lanes and a fifth in general-purpose registers, their rounds in one loop body, after
// checking its lanes against the vector path; it wins if it beats `--part keccak`. Exit 1 if a vector fails, 2 on bad arguments or a CPU without
// what the build needs.
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if !defined(__SHA__) || !defined(__AVX2__)
#error "build with -march=native on a CPU with SHA-NI and AVX2 (or -msha -mavx2)"
#endif
#if defined(__AVX512F__) && defined(__AVX512BW__)
#define WIDE 1
#define KERNEL_NAME "plain-shani-avx512"
#else
#define WIDE 0
#define KERNEL_NAME "plain-shani-avx2"
#endif

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
static const uint32_t IV[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
static const uint64_t RC[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};
// Rotation of lane x + 5y, and the lane rho-pi brings to position i: B[y + 5((2x + 3y) mod 5)] = rot(A[x + 5y]).
static const int RHO[25] = {0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14};
static const int PI_SOURCE[25] = {0, 6, 12, 18, 24, 3, 9, 10, 16, 22, 1, 7, 13, 19, 20, 4, 5, 11, 17, 23, 2, 8, 14, 15, 21};

// The 40-byte legacy pre-seal (nonce LE ‖ block_and_hotkey_hash) as one padded SHA-256 block: words 2..9 and the
// padding are fixed by the challenge, words 0 and 1 are the nonce's bytes read big-endian.
typedef struct { uint32_t w[16]; } block_t;

static block_t block_for(const uint8_t bahh[32]) {
    block_t b;
    memset(&b, 0, sizeof b);
    for (int i = 0; i < 8; i++)
        b.w[2 + i] = (uint32_t)bahh[4 * i] << 24 | (uint32_t)bahh[4 * i + 1] << 16 | (uint32_t)bahh[4 * i + 2] << 8 | bahh[4 * i + 3];
    b.w[10] = 0x80000000u;
    b.w[15] = 40 * 8;
    return b;
}

// SHA-256 of 4 nonces, interleaved: each stream's rounds are long dependency chains, so the four fill each other's
// latency. Writes the digests as Keccak input lanes: lanes[k][j] = digest bytes 8k..8k+7 of nonce j, little-endian.
static inline void sha256x4(const block_t *b, uint64_t nonce0, uint64_t lanes[4][8], int slot) {
    __m128i abef[4], cdgh[4], m[4][4];
    const __m128i iv_abef = _mm_set_epi32((int)IV[0], (int)IV[1], (int)IV[4], (int)IV[5]);
    const __m128i iv_cdgh = _mm_set_epi32((int)IV[2], (int)IV[3], (int)IV[6], (int)IV[7]);
    for (int j = 0; j < 4; j++) {
        uint64_t n = nonce0 + (uint64_t)j;
        abef[j] = iv_abef;
        cdgh[j] = iv_cdgh;
        m[j][0] = _mm_set_epi32((int)b->w[3], (int)b->w[2], (int)__builtin_bswap32((uint32_t)(n >> 32)),
                                (int)__builtin_bswap32((uint32_t)n));
        m[j][1] = _mm_loadu_si128((const __m128i *)&b->w[4]);
        m[j][2] = _mm_loadu_si128((const __m128i *)&b->w[8]);
        m[j][3] = _mm_loadu_si128((const __m128i *)&b->w[12]);
    }
#pragma clang loop unroll(full)
    for (int g = 0; g < 16; g++) {
        const __m128i k = _mm_loadu_si128((const __m128i *)&K256[4 * g]);
#pragma clang loop unroll(full)
        for (int j = 0; j < 4; j++) {
            __m128i w = m[j][g & 3];
            if (g >= 4) {
                __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(m[j][g & 3], m[j][(g + 1) & 3]),
                                          _mm_alignr_epi8(m[j][(g + 3) & 3], m[j][(g + 2) & 3], 4));
                w = _mm_sha256msg2_epu32(t, m[j][(g + 3) & 3]);
                m[j][g & 3] = w;
            }
            __m128i wk = _mm_add_epi32(w, k);
            cdgh[j] = _mm_sha256rnds2_epu32(cdgh[j], abef[j], wk);
            abef[j] = _mm_sha256rnds2_epu32(abef[j], cdgh[j], _mm_shuffle_epi32(wk, 0x0E));
        }
    }
    for (int j = 0; j < 4; j++) {
        uint32_t x[4], y[4], h[8];
        _mm_storeu_si128((__m128i *)x, _mm_add_epi32(abef[j], iv_abef));   // F E B A
        _mm_storeu_si128((__m128i *)y, _mm_add_epi32(cdgh[j], iv_cdgh));   // H G D C
        h[0] = x[3], h[1] = x[2], h[2] = y[3], h[3] = y[2], h[4] = x[1], h[5] = x[0], h[6] = y[1], h[7] = y[0];
        for (int k = 0; k < 4; k++)
            lanes[k][slot + j] = (uint64_t)__builtin_bswap32(h[2 * k]) | (uint64_t)__builtin_bswap32(h[2 * k + 1]) << 32;
    }
}

#if WIDE
static inline __m512i rol(__m512i x, int n) { return _mm512_rolv_epi64(x, _mm512_set1_epi64(n)); }

// Keccak-f[1600] on 8 states, one per 64-bit lane of each zmm register.
static inline void keccak_f8(__m512i a[25]) {
    for (int round = 0; round < 24; round++) {
        __m512i c[5];
#pragma clang loop unroll(full)
        for (int x = 0; x < 5; x++)
            c[x] = _mm512_ternarylogic_epi64(_mm512_ternarylogic_epi64(a[x], a[x + 5], a[x + 10], 0x96), a[x + 15], a[x + 20], 0x96);
        __m512i out[25];
#pragma clang loop unroll(full)
        for (int row = 0; row < 25; row += 5) {   // one row of B at a time, then chi on it: few live registers
            __m512i b[5];
#pragma clang loop unroll(full)
            for (int x = 0; x < 5; x++) {
                int src = PI_SOURCE[row + x], sx = src % 5;   // theta folded in: a ^ c[x-1] ^ rol(c[x+1], 1)
                __m512i t = _mm512_ternarylogic_epi64(a[src], c[(sx + 4) % 5], rol(c[(sx + 1) % 5], 1), 0x96);
                b[x] = RHO[src] ? rol(t, RHO[src]) : t;
            }
#pragma clang loop unroll(full)
            for (int x = 0; x < 5; x++)   // chi: b ^ (~b[x+1] & b[x+2])
                out[row + x] = _mm512_ternarylogic_epi64(b[x], b[(x + 1) % 5], b[(x + 2) % 5], 0xD2);
        }
        for (int i = 0; i < 25; i++) a[i] = out[i];
        a[0] = _mm512_xor_si512(a[0], _mm512_set1_epi64((long long)RC[round]));
    }
}

// Keccak of the 32-byte inputs in[k][0..7] (nonces 0..7 of a batch) into seal[k][0..7].
static inline void keccak_batch(uint64_t in[4][8], uint64_t seal[4][8]) {
    __m512i a[25];
    for (int k = 0; k < 4; k++) a[k] = _mm512_loadu_si512(in[k]);
    for (int k = 4; k < 25; k++) a[k] = _mm512_setzero_si512();
    a[4] = _mm512_set1_epi64(0x01);                               // Keccak padding after 32 bytes
    a[16] = _mm512_set1_epi64((long long)0x8000000000000000ULL);  // and at the end of the 136-byte rate
    keccak_f8(a);
    for (int k = 0; k < 4; k++) _mm512_storeu_si512(seal[k], a[k]);
}
#else
static inline __m256i rol(__m256i x, int n) { return _mm256_or_si256(_mm256_slli_epi64(x, n), _mm256_srli_epi64(x, 64 - n)); }

// One Keccak-f[1600] round on 4 states (a[25], one per 64-bit lane of each ymm register), as a macro: keccak_f4
// below and the hybrid's keccak_round4 expand the same text (keccak_f4 calling keccak_round4 instead made the
// vector reference ~20 % slower here).
#define KECCAK_F4_ROUND(a, round) do { \
    __m256i c[5]; \
    _Pragma("clang loop unroll(full)") \
    for (int x = 0; x < 5; x++) \
        c[x] = _mm256_xor_si256(_mm256_xor_si256(_mm256_xor_si256(a[x], a[x + 5]), _mm256_xor_si256(a[x + 10], a[x + 15])), a[x + 20]); \
    __m256i d[5]; \
    _Pragma("clang loop unroll(full)") \
    for (int x = 0; x < 5; x++) d[x] = _mm256_xor_si256(c[(x + 4) % 5], rol(c[(x + 1) % 5], 1)); \
    __m256i out[25]; \
    _Pragma("clang loop unroll(full)") \
    for (int row = 0; row < 25; row += 5) {   /* one plane of B at a time, then chi on it */ \
        __m256i b[5]; \
        _Pragma("clang loop unroll(full)") \
        for (int x = 0; x < 5; x++) { \
            int src = PI_SOURCE[row + x]; \
            __m256i t = _mm256_xor_si256(a[src], d[src % 5]); \
            b[x] = RHO[src] ? rol(t, RHO[src]) : t; \
        } \
        _Pragma("clang loop unroll(full)") \
        for (int x = 0; x < 5; x++)   /* chi: b ^ (~b[x+1] & b[x+2]) */ \
            out[row + x] = _mm256_xor_si256(b[x], _mm256_andnot_si256(b[(x + 1) % 5], b[(x + 2) % 5])); \
    } \
    for (int i = 0; i < 25; i++) a[i] = out[i]; \
    a[0] = _mm256_xor_si256(a[0], _mm256_set1_epi64x((long long)RC[round])); \
} while (0)

// Keccak-f[1600] on 4 states, one per 64-bit lane of each ymm register.
static inline void keccak_f4(__m256i a[25]) {
    for (int round = 0; round < 24; round++) KECCAK_F4_ROUND(a, round);
}

// Keccak of the 32-byte inputs in[k][0..7] (nonces 0..7 of a batch) into seal[k][0..7], four at a time.
static inline void keccak_batch(uint64_t in[4][8], uint64_t seal[4][8]) {
    for (int half = 0; half < 8; half += 4) {
        __m256i a[25];
        for (int k = 0; k < 4; k++) a[k] = _mm256_loadu_si256((const __m256i *)&in[k][half]);
        for (int k = 4; k < 25; k++) a[k] = _mm256_setzero_si256();
        a[4] = _mm256_set1_epi64x(0x01);
        a[16] = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
        keccak_f4(a);
        for (int k = 0; k < 4; k++) _mm256_storeu_si256((__m256i *)&seal[k][half], a[k]);
    }
}

// The hybrid design: one Keccak-f[1600] round on 4 states in ymm lanes and, in the same loop body, on a fifth state in
// general-purpose registers, so the scalar lane runs on the integer units beside the vector pipes.
static inline uint64_t rol1(uint64_t x, int n) { return n ? x << n | x >> (64 - n) : x; }

static inline void keccak_round1(uint64_t a[25], int round) {
    uint64_t c[5], d[5], out[25];
#pragma clang loop unroll(full)
    for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
#pragma clang loop unroll(full)
    for (int x = 0; x < 5; x++) d[x] = c[(x + 4) % 5] ^ rol1(c[(x + 1) % 5], 1);
#pragma clang loop unroll(full)
    for (int row = 0; row < 25; row += 5) {
        uint64_t b[5];
#pragma clang loop unroll(full)
        for (int x = 0; x < 5; x++) b[x] = rol1(a[PI_SOURCE[row + x]] ^ d[PI_SOURCE[row + x] % 5], RHO[PI_SOURCE[row + x]]);
#pragma clang loop unroll(full)
        for (int x = 0; x < 5; x++) out[row + x] = b[x] ^ (~b[(x + 1) % 5] & b[(x + 2) % 5]);
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < 25; i++) a[i] = out[i];
    a[0] ^= RC[round];
}

// keccak_f4's round as a function, for the hybrid's loop.
static inline void keccak_round4(__m256i a[25], int round) { KECCAK_F4_ROUND(a, round); }

// Keccak of 5 inputs: in4[k][0..3] in ymm lanes, in1[0..3] in general-purpose registers, rounds side by side.
static inline void keccak_hybrid5(uint64_t in4[4][4], const uint64_t in1[4], uint64_t seal4[4][4], uint64_t seal1[4]) {
    __m256i a[25];
    uint64_t s[25] = {in1[0], in1[1], in1[2], in1[3], 0x01};
    s[16] = 0x8000000000000000ULL;
    for (int k = 0; k < 4; k++) a[k] = _mm256_loadu_si256((const __m256i *)in4[k]);
    for (int k = 4; k < 25; k++) a[k] = _mm256_setzero_si256();
    a[4] = _mm256_set1_epi64x(0x01);
    a[16] = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
#pragma clang loop unroll(disable)
    for (int round = 0; round < 24; round++) {
        keccak_round4(a, round);
        keccak_round1(s, round);
    }
    for (int k = 0; k < 4; k++) _mm256_storeu_si256((__m256i *)seal4[k], a[k]);
    for (int k = 0; k < 4; k++) seal1[k] = s[k];
}

// The hybrid against the vector path: each of its 5 lanes equals keccak_batch's seal for the same input.
static int hybrid_agrees(void) {
    uint64_t in[4][8], seal[4][8], in4[4][4], in1[4], seal4[4][4], seal1[4];
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 8; j++) in[k][j] = 0x9e3779b97f4a7c15ULL * (uint64_t)(8 * k + j + 1);
    keccak_batch(in, seal);
    for (int k = 0; k < 4; k++) {
        for (int j = 0; j < 4; j++) in4[k][j] = in[k][j];
        in1[k] = in[k][4];
    }
    keccak_hybrid5(in4, in1, seal4, seal1);
    for (int k = 0; k < 4; k++) {
        if (seal1[k] != seal[k][4]) return 0;
        for (int j = 0; j < 4; j++)
            if (seal4[k][j] != seal[k][j]) return 0;
    }
    return 1;
}

#endif

// Seals of nonces n0 .. n0+7 as lanes[k][j] (the seal's little-endian words).
static inline void seals8(const block_t *b, uint64_t n0, uint64_t seal[4][8]) {
    uint64_t in[4][8];
    sha256x4(b, n0, in, 0);
    sha256x4(b, n0 + 4, in, 4);
    keccak_batch(in, seal);
}

// Seals whose most significant word (big-endian seed rule) is at most the threshold.
static inline uint64_t candidates(uint64_t seal[4][8], uint64_t threshold_hi) {
    uint64_t hits = 0;
    for (int j = 0; j < 8; j++) hits += __builtin_bswap64(seal[0][j]) <= threshold_hi;
    return hits;
}

static int parse_hex32(const char *s, uint8_t out[32]) {
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    if (strlen(s) < 64) return -1;
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    const char *part = "all";
    if (argc > 2 && strcmp(argv[1], "--part") == 0) {
        part = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc < 3 || (strcmp(part, "all") && strcmp(part, "sha") && strcmp(part, "keccak") &&
                     (WIDE || strcmp(part, "keccak-hybrid")))) {
        fprintf(stderr, "usage: limit_kernel [--part all|sha|keccak%s] SECONDS BAHH:NONCE:SEAL...\n",
                WIDE ? "" : "|keccak-hybrid");
        return 2;
    }
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("sha") || !__builtin_cpu_supports("avx2") ||
        (WIDE && (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw")))) {
        fprintf(stderr, "limit_kernel: this CPU lacks SHA-NI or %s\n", WIDE ? "AVX-512 F/BW" : "AVX2");
        return 2;
    }
    double seconds = atof(argv[1]);
    block_t first;
    for (int v = 2; v < argc; v++) {
        char hash_hex[80], seal_hex[80];
        unsigned long long nonce;
        uint8_t bahh[32], want[32];
        if (sscanf(argv[v], "%79[^:]:%llu:%79s", hash_hex, &nonce, seal_hex) != 3 || parse_hex32(hash_hex, bahh) ||
            parse_hex32(seal_hex, want)) {
            fprintf(stderr, "limit_kernel: bad vector argument '%s' (want BAHH:NONCE:SEAL)\n", argv[v]);
            return 2;
        }
        block_t b = block_for(bahh);
        if (v == 2) first = b;
        for (int slot = 0; slot < 8; slot++) {   // the vector's nonce in every slot of a batch
            uint64_t seal[4][8];
            seals8(&b, nonce - (uint64_t)slot, seal);
            for (int i = 0; i < 32; i++)
                if ((uint8_t)(seal[i / 8][slot] >> (8 * (i % 8))) != want[i]) {
                    fprintf(stderr, "limit_kernel: wrong seal for nonce %llu in slot %d\n", nonce, slot);
                    return 1;
                }
        }
    }
    // A threshold no seal reaches in practice (difficulty ~2^40 under the big-endian seed rule): every seal is
    // still computed and compared, as a solver must. The parts alone fold their output into `sink` instead.
    const uint64_t threshold_hi = 0x0000000000ffffffULL;
    uint64_t n = 0x0123456789abcdefULL, done = 0, hits = 0, sink = 0;
    const int mode = part[0] == 'a' ? 0 : part[0] == 's' ? 1 : strcmp(part, "keccak") == 0 ? 2 : 3;
#if !WIDE
    if (mode == 3 && !hybrid_agrees()) {
        fprintf(stderr, "limit_kernel: the hybrid's scalar lane disagrees with its vector lanes\n");
        return 1;
    }
#endif
    const int per_round = mode == 3 ? 5 : 8;
    double t0 = now(), t;
    do {
        for (int r = 0; r < 4096; r++, n += (uint64_t)per_round) {
            uint64_t seal[4][8];
            if (mode == 0) {
                seals8(&first, n, seal);
                hits += candidates(seal, threshold_hi);
            } else if (mode == 1) {
                sha256x4(&first, n, seal, 0);
                sha256x4(&first, n + 4, seal, 4);
                sink ^= seal[0][r & 7];
            } else if (mode == 3) {
#if !WIDE
                uint64_t in4[4][4], in1[4], seal4[4][4], seal1[4];
                for (int k = 0; k < 4; k++) {
                    for (int j = 0; j < 4; j++) in4[k][j] = n + (uint64_t)(8 * k + j);
                    in1[k] = n + (uint64_t)(8 * k + 4);
                }
                keccak_hybrid5(in4, in1, seal4, seal1);
                sink ^= seal4[0][r & 3] ^ seal1[r & 3];
#endif
            } else {
                uint64_t in[4][8];
                for (int k = 0; k < 4; k++)
                    for (int j = 0; j < 8; j++) in[k][j] = n + (uint64_t)(8 * k + j);
                keccak_batch(in, seal);
                sink ^= seal[0][r & 7];
            }
        }
        done += 4096 * (uint64_t)per_round;
        t = now() - t0;
    } while (t < seconds);
    printf("{\"kernel\": \"%s\", \"part\": \"%s\", \"scheme\": \"legacy\", \"threads\": 1, \"seals\": %llu, "
           "\"seconds\": %.3f, \"hashes_per_second\": %.0f, \"candidates\": %llu, \"sink\": %llu, \"vectors_checked\": %d}\n",
           KERNEL_NAME, part, (unsigned long long)done, t, (double)done / t, (unsigned long long)hits,
           (unsigned long long)(sink & 1), argc - 2);
    return 0;
}
