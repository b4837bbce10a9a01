/*
 * btpow seal search kernel: the ONE source for every GPU backend and the host test build.
 *
 *   CUDA    compiled at run time by NVRTC (__CUDACC_RTC__ / __CUDACC__ defined)
 *   OpenCL  compiled at run time by the OpenCL driver (__OPENCL_VERSION__ defined)
 *   host    compiled by the C compiler in the test-only target SealKernelHost (neither defined),
 *           so CI runs this file's own hash code on the CPU against the shared vectors.
 *
 * The binary carries this text as a Swift string (Sources/GPUSolver/Generated/SealKernelSource.swift,
 * written by tools/gen_kernel_source.py; a test fails if the two differ).
 *
 * Seal = keccak256(sha256(input)), REFERENCE.md sections 2 and 6:
 *   legacy  input = nonce u64 LE (8) || block_and_hotkey_hash (32): one SHA-256 block
 *   v1      input = 123-byte prefix || nonce u64 LE: three blocks, the first is the host's midstate,
 *           and rounds 0..13 of the second do not depend on the nonce (host precomputes them too).
 *
 * Search: a launch covers offsets 0 .. count-1 (nonce = start + offset, wrapping at 2^64). Every
 * thread walks offsets gid, gid + gsize, ... in increasing order. *best holds the lowest solving
 * offset seen so far (0xFFFFFFFF = none; the host resets it before every launch): it is both the
 * early-exit flag (a thread stops as soon as *best is below its next offset, since nothing it could
 * still find would be lower) and the result (atomic min), so the result of a launch is exactly its
 * lowest solving offset, whatever the grid and the scheduling.
 *
 * Keep this file to the common subset of C99, OpenCL C 1.2 and CUDA C++: no headers on the device
 * side, no recursion, no pointers to private memory across address spaces.
 */
#ifndef BTPOW_SEAL_KERNEL_H
#define BTPOW_SEAL_KERNEL_H

/* ---- platform macros ------------------------------------------------------------------------- */
#if defined(__OPENCL_VERSION__)
#define SK_OPENCL 1
typedef uint sk_u32;
typedef ulong sk_u64;
#define SK_U64C(x) x##UL
#define SK_FN
#define SK_CPTR __constant const
#define SK_GPTR __global volatile
#define SK_ROTR32(x, n) rotate((sk_u32)(x), (sk_u32)(32 - (n)))
#define SK_ROTL64(x, n) rotate((sk_u64)(x), (sk_u64)(n))
#define SK_ATOMIC_MIN(p, v) atomic_min((p), (v))

#elif defined(__CUDACC_RTC__) || defined(__CUDACC__)
#define SK_CUDA 1
typedef unsigned int sk_u32;
typedef unsigned long long sk_u64;
#define SK_U64C(x) x##ULL
#define SK_FN __device__ __forceinline__
#define SK_CPTR const
#define SK_GPTR volatile
#define SK_ROTR32(x, n) __funnelshift_r((sk_u32)(x), (sk_u32)(x), (n))
__device__ __forceinline__ sk_u64 sk_rotl64(sk_u64 x, const int n)
{
    const sk_u32 lo = (sk_u32)x, hi = (sk_u32)(x >> 32);
    sk_u32 rlo, rhi;
    if (n < 32) { rhi = __funnelshift_l(lo, hi, n); rlo = __funnelshift_l(hi, lo, n); }
    else { rhi = __funnelshift_l(hi, lo, n - 32); rlo = __funnelshift_l(lo, hi, n - 32); }
    return ((sk_u64)rhi << 32) | rlo;
}
#define SK_ROTL64(x, n) sk_rotl64((x), (n))
#define SK_ATOMIC_MIN(p, v) atomicMin((unsigned int *)(p), (v))

#else
#define SK_HOST 1
#include <stdint.h>
typedef uint32_t sk_u32;
typedef uint64_t sk_u64;
#define SK_U64C(x) x##ULL
#define SK_FN static inline
#define SK_CPTR const
#define SK_GPTR volatile
#define SK_ROTR32(x, n) ((sk_u32)(((sk_u32)(x) >> (n)) | ((sk_u32)(x) << (32 - (n)))))
#define SK_ROTL64(x, n) ((sk_u64)(((sk_u64)(x) << (n)) | ((sk_u64)(x) >> (64 - (n)))))
static inline void sk_host_atomic_min(volatile sk_u32 *p, sk_u32 v)
{
    sk_u32 old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (v < old && !__atomic_compare_exchange_n(p, &old, v, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
}
#define SK_ATOMIC_MIN(p, v) sk_host_atomic_min((p), (v))
#endif

#if defined(SK_CUDA)
#define SK_BSWAP32(x) __byte_perm((sk_u32)(x), 0u, 0x0123u)
#else
#define SK_BSWAP32(x) ((SK_ROTR32((x), 8) & 0xFF00FF00u) | (SK_ROTR32((x), 24) & 0x00FF00FFu))
#endif
#define SK_BSWAP64(x) (((sk_u64)SK_BSWAP32((sk_u32)(x)) << 32) | (sk_u64)SK_BSWAP32((sk_u32)((x) >> 32)))

/* ---- per-challenge constants (constant memory) ------------------------------------------------
 * 168 bytes, the same layout on every platform; the host packs it (GPUSolver/KernelParams.swift). */
typedef struct {
    sk_u64 threshold[4];  /*   0: largest passing value, most significant word first          */
    sk_u32 midstate[8];   /*  32: SHA-256 state the nonce's block starts from (legacy: the IV)  */
    sk_u32 words[16];     /*  64: legacy: W2..W9 in [0..7]; v1: block-1 words 0..13, and 14
                                  with its three prefix bytes (low byte: nonce byte 0)         */
    sk_u32 v1_state[8];   /* 128: v1: working variables a..h after rounds 0..13 of block 1     */
    sk_u32 little_endian; /* 160: 1: the seal is read little-endian (chain rule), 0: big-endian */
    sk_u32 scheme;        /* 164: 0 legacy, 1 v1 (informational; each scheme has its kernel)    */
} sk_params;

/* ---- SHA-256 ---------------------------------------------------------------------------------- */
#define SK_BS0(x) (SK_ROTR32((x), 2) ^ SK_ROTR32((x), 13) ^ SK_ROTR32((x), 22))
#define SK_BS1(x) (SK_ROTR32((x), 6) ^ SK_ROTR32((x), 11) ^ SK_ROTR32((x), 25))
#define SK_SS0(x) (SK_ROTR32((x), 7) ^ SK_ROTR32((x), 18) ^ ((x) >> 3))
#define SK_SS1(x) (SK_ROTR32((x), 17) ^ SK_ROTR32((x), 19) ^ ((x) >> 10))
#define SK_CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define SK_MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))

/* Round i over the state array s[8] with rotating names: at round i, a = s[(0-i)&7] ... h = s[(7-i)&7].
 * w[16] is the rolling message schedule; rounds >= 16 extend it in place. */
#define SK_SCHED(i) (w[(i) & 15] += SK_SS1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] + SK_SS0(w[((i) - 15) & 15]))
#define SK_RND(i, k, wi) do { \
        sk_u32 t1_ = s[(7 - (i)) & 7] + SK_BS1(s[(4 - (i)) & 7]) \
                   + SK_CH(s[(4 - (i)) & 7], s[(5 - (i)) & 7], s[(6 - (i)) & 7]) + (k) + (wi); \
        sk_u32 t2_ = SK_BS0(s[(0 - (i)) & 7]) + SK_MAJ(s[(0 - (i)) & 7], s[(1 - (i)) & 7], s[(2 - (i)) & 7]); \
        s[(3 - (i)) & 7] += t1_; \
        s[(7 - (i)) & 7] = t1_ + t2_; \
    } while (0)
#define SK_R(i, k) SK_RND(i, k, w[(i) & 15])
#define SK_RS(i, k) SK_RND(i, k, SK_SCHED(i))

#define SK_ROUNDS_0_13 \
    SK_R(0, 0x428a2f98u); SK_R(1, 0x71374491u); SK_R(2, 0xb5c0fbcfu); SK_R(3, 0xe9b5dba5u); \
    SK_R(4, 0x3956c25bu); SK_R(5, 0x59f111f1u); SK_R(6, 0x923f82a4u); SK_R(7, 0xab1c5ed5u); \
    SK_R(8, 0xd807aa98u); SK_R(9, 0x12835b01u); SK_R(10, 0x243185beu); SK_R(11, 0x550c7dc3u); \
    SK_R(12, 0x72be5d74u); SK_R(13, 0x80deb1feu);
#define SK_ROUNDS_14_15 SK_R(14, 0x9bdc06a7u); SK_R(15, 0xc19bf174u);
#define SK_ROUNDS_16_63 \
    SK_RS(16, 0xe49b69c1u); SK_RS(17, 0xefbe4786u); SK_RS(18, 0x0fc19dc6u); SK_RS(19, 0x240ca1ccu); \
    SK_RS(20, 0x2de92c6fu); SK_RS(21, 0x4a7484aau); SK_RS(22, 0x5cb0a9dcu); SK_RS(23, 0x76f988dau); \
    SK_RS(24, 0x983e5152u); SK_RS(25, 0xa831c66du); SK_RS(26, 0xb00327c8u); SK_RS(27, 0xbf597fc7u); \
    SK_RS(28, 0xc6e00bf3u); SK_RS(29, 0xd5a79147u); SK_RS(30, 0x06ca6351u); SK_RS(31, 0x14292967u); \
    SK_RS(32, 0x27b70a85u); SK_RS(33, 0x2e1b2138u); SK_RS(34, 0x4d2c6dfcu); SK_RS(35, 0x53380d13u); \
    SK_RS(36, 0x650a7354u); SK_RS(37, 0x766a0abbu); SK_RS(38, 0x81c2c92eu); SK_RS(39, 0x92722c85u); \
    SK_RS(40, 0xa2bfe8a1u); SK_RS(41, 0xa81a664bu); SK_RS(42, 0xc24b8b70u); SK_RS(43, 0xc76c51a3u); \
    SK_RS(44, 0xd192e819u); SK_RS(45, 0xd6990624u); SK_RS(46, 0xf40e3585u); SK_RS(47, 0x106aa070u); \
    SK_RS(48, 0x19a4c116u); SK_RS(49, 0x1e376c08u); SK_RS(50, 0x2748774cu); SK_RS(51, 0x34b0bcb5u); \
    SK_RS(52, 0x391c0cb3u); SK_RS(53, 0x4ed8aa4au); SK_RS(54, 0x5b9cca4fu); SK_RS(55, 0x682e6ff3u); \
    SK_RS(56, 0x748f82eeu); SK_RS(57, 0x78a5636fu); SK_RS(58, 0x84c87814u); SK_RS(59, 0x8cc70208u); \
    SK_RS(60, 0x90befffau); SK_RS(61, 0xa4506cebu); SK_RS(62, 0xbef9a3f7u); SK_RS(63, 0xc67178f2u);

/* ---- Keccak-f[1600] --------------------------------------------------------------------------- */
/* One round over lanes a0..a24 (lane i is x + 5y), with temporaries c0..c4, d0..d4, b0..b24. */
#define SK_KROUND(rc) do { \
        c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20; c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21; c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22; \
        c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23; c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24; \
        d0 = c4 ^ SK_ROTL64(c1, 1); d1 = c0 ^ SK_ROTL64(c2, 1); d2 = c1 ^ SK_ROTL64(c3, 1); \
        d3 = c2 ^ SK_ROTL64(c4, 1); d4 = c3 ^ SK_ROTL64(c0, 1); \
        b0 = a0 ^ d0;                    b1 = SK_ROTL64(a6 ^ d1, 44);  b2 = SK_ROTL64(a12 ^ d2, 43); \
        b3 = SK_ROTL64(a18 ^ d3, 21);    b4 = SK_ROTL64(a24 ^ d4, 14); b5 = SK_ROTL64(a3 ^ d3, 28); \
        b6 = SK_ROTL64(a9 ^ d4, 20);     b7 = SK_ROTL64(a10 ^ d0, 3);  b8 = SK_ROTL64(a16 ^ d1, 45); \
        b9 = SK_ROTL64(a22 ^ d2, 61);    b10 = SK_ROTL64(a1 ^ d1, 1);  b11 = SK_ROTL64(a7 ^ d2, 6); \
        b12 = SK_ROTL64(a13 ^ d3, 25);   b13 = SK_ROTL64(a19 ^ d4, 8); b14 = SK_ROTL64(a20 ^ d0, 18); \
        b15 = SK_ROTL64(a4 ^ d4, 27);    b16 = SK_ROTL64(a5 ^ d0, 36); b17 = SK_ROTL64(a11 ^ d1, 10); \
        b18 = SK_ROTL64(a17 ^ d2, 15);   b19 = SK_ROTL64(a23 ^ d3, 56); b20 = SK_ROTL64(a2 ^ d2, 62); \
        b21 = SK_ROTL64(a8 ^ d3, 55);    b22 = SK_ROTL64(a14 ^ d4, 39); b23 = SK_ROTL64(a15 ^ d0, 41); \
        b24 = SK_ROTL64(a21 ^ d1, 2); \
        a0 = b0 ^ (~b1 & b2) ^ (rc); a1 = b1 ^ (~b2 & b3); a2 = b2 ^ (~b3 & b4); a3 = b3 ^ (~b4 & b0); a4 = b4 ^ (~b0 & b1); \
        a5 = b5 ^ (~b6 & b7); a6 = b6 ^ (~b7 & b8); a7 = b7 ^ (~b8 & b9); a8 = b8 ^ (~b9 & b5); a9 = b9 ^ (~b5 & b6); \
        a10 = b10 ^ (~b11 & b12); a11 = b11 ^ (~b12 & b13); a12 = b12 ^ (~b13 & b14); a13 = b13 ^ (~b14 & b10); a14 = b14 ^ (~b10 & b11); \
        a15 = b15 ^ (~b16 & b17); a16 = b16 ^ (~b17 & b18); a17 = b17 ^ (~b18 & b19); a18 = b18 ^ (~b19 & b15); a19 = b19 ^ (~b15 & b16); \
        a20 = b20 ^ (~b21 & b22); a21 = b21 ^ (~b22 & b23); a22 = b22 ^ (~b23 & b24); a23 = b23 ^ (~b24 & b20); a24 = b24 ^ (~b20 & b21); \
    } while (0)

/* keccak256 of the 32-byte digest h[0..7] (big-endian words): one permutation; the seal's four
 * little-endian lanes go to out[0..3]. */
SK_FN void sk_keccak_digest(const sk_u32 h[8], sk_u64 out[4])
{
    sk_u64 a0 = (sk_u64)SK_BSWAP32(h[0]) | ((sk_u64)SK_BSWAP32(h[1]) << 32);
    sk_u64 a1 = (sk_u64)SK_BSWAP32(h[2]) | ((sk_u64)SK_BSWAP32(h[3]) << 32);
    sk_u64 a2 = (sk_u64)SK_BSWAP32(h[4]) | ((sk_u64)SK_BSWAP32(h[5]) << 32);
    sk_u64 a3 = (sk_u64)SK_BSWAP32(h[6]) | ((sk_u64)SK_BSWAP32(h[7]) << 32);
    sk_u64 a4 = 1, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0;
    sk_u64 a15 = 0, a16 = SK_U64C(0x8000000000000000), a17 = 0, a18 = 0, a19 = 0;
    sk_u64 a20 = 0, a21 = 0, a22 = 0, a23 = 0, a24 = 0;
    sk_u64 c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    sk_u64 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19;
    sk_u64 b20, b21, b22, b23, b24;
    SK_KROUND(SK_U64C(0x0000000000000001)); SK_KROUND(SK_U64C(0x0000000000008082));
    SK_KROUND(SK_U64C(0x800000000000808A)); SK_KROUND(SK_U64C(0x8000000080008000));
    SK_KROUND(SK_U64C(0x000000000000808B)); SK_KROUND(SK_U64C(0x0000000080000001));
    SK_KROUND(SK_U64C(0x8000000080008081)); SK_KROUND(SK_U64C(0x8000000000008009));
    SK_KROUND(SK_U64C(0x000000000000008A)); SK_KROUND(SK_U64C(0x0000000000000088));
    SK_KROUND(SK_U64C(0x0000000080008009)); SK_KROUND(SK_U64C(0x000000008000000A));
    SK_KROUND(SK_U64C(0x000000008000808B)); SK_KROUND(SK_U64C(0x800000000000008B));
    SK_KROUND(SK_U64C(0x8000000000008089)); SK_KROUND(SK_U64C(0x8000000000008003));
    SK_KROUND(SK_U64C(0x8000000000008002)); SK_KROUND(SK_U64C(0x8000000000000080));
    SK_KROUND(SK_U64C(0x000000000000800A)); SK_KROUND(SK_U64C(0x800000008000000A));
    SK_KROUND(SK_U64C(0x8000000080008081)); SK_KROUND(SK_U64C(0x8000000000008080));
    SK_KROUND(SK_U64C(0x0000000080000001)); SK_KROUND(SK_U64C(0x8000000080008008));
    out[0] = a0; out[1] = a1; out[2] = a2; out[3] = a3;
}

/* ---- seals ------------------------------------------------------------------------------------ */
/* Legacy: one compression from the IV; W0, W1 = the nonce's LE bytes as big-endian words. */
SK_FN void sk_seal_legacy(SK_CPTR sk_params *p, sk_u64 n, sk_u64 out[4])
{
    sk_u32 w[16], s[8], h[8];
    w[0] = SK_BSWAP32((sk_u32)n); w[1] = SK_BSWAP32((sk_u32)(n >> 32));
    w[2] = p->words[0]; w[3] = p->words[1]; w[4] = p->words[2]; w[5] = p->words[3];
    w[6] = p->words[4]; w[7] = p->words[5]; w[8] = p->words[6]; w[9] = p->words[7];
    w[10] = 0x80000000u; w[11] = 0; w[12] = 0; w[13] = 0; w[14] = 0; w[15] = 320u;
    s[0] = 0x6a09e667u; s[1] = 0xbb67ae85u; s[2] = 0x3c6ef372u; s[3] = 0xa54ff53au;
    s[4] = 0x510e527fu; s[5] = 0x9b05688cu; s[6] = 0x1f83d9abu; s[7] = 0x5be0cd19u;
    SK_ROUNDS_0_13 SK_ROUNDS_14_15 SK_ROUNDS_16_63
    h[0] = s[0] + 0x6a09e667u; h[1] = s[1] + 0xbb67ae85u; h[2] = s[2] + 0x3c6ef372u; h[3] = s[3] + 0xa54ff53au;
    h[4] = s[4] + 0x510e527fu; h[5] = s[5] + 0x9b05688cu; h[6] = s[6] + 0x1f83d9abu; h[7] = s[7] + 0x5be0cd19u;
    sk_keccak_digest(h, out);
}

/* v1: block 1 resumes at round 14 from v1_state (nonce byte 0 in W14, bytes 1..4 in W15), then
 * block 2 = nonce bytes 5..7, 0x80, zeros, length 1048 bits. */
SK_FN void sk_seal_v1(SK_CPTR sk_params *p, sk_u64 n, sk_u64 out[4])
{
    sk_u32 w[16], s[8], h[8];
    /* written out, not looped, so that every array index is a constant and stays in a register */
    w[0] = p->words[0]; w[1] = p->words[1]; w[2] = p->words[2]; w[3] = p->words[3];
    w[4] = p->words[4]; w[5] = p->words[5]; w[6] = p->words[6]; w[7] = p->words[7];
    w[8] = p->words[8]; w[9] = p->words[9]; w[10] = p->words[10]; w[11] = p->words[11];
    w[12] = p->words[12]; w[13] = p->words[13];
    w[14] = p->words[14] | (sk_u32)(n & 0xffu);
    w[15] = SK_BSWAP32((sk_u32)(n >> 8));
    /* rounds 0..13 are done: place a..h where round 14 expects them (a = s[(0-14)&7] = s[2]) */
    s[2] = p->v1_state[0]; s[3] = p->v1_state[1]; s[4] = p->v1_state[2]; s[5] = p->v1_state[3];
    s[6] = p->v1_state[4]; s[7] = p->v1_state[5]; s[0] = p->v1_state[6]; s[1] = p->v1_state[7];
    SK_ROUNDS_14_15 SK_ROUNDS_16_63
    h[0] = s[0] + p->midstate[0]; h[1] = s[1] + p->midstate[1]; h[2] = s[2] + p->midstate[2];
    h[3] = s[3] + p->midstate[3]; h[4] = s[4] + p->midstate[4]; h[5] = s[5] + p->midstate[5];
    h[6] = s[6] + p->midstate[6]; h[7] = s[7] + p->midstate[7];
    w[0] = SK_BSWAP32((sk_u32)(n >> 40)) | 0x80u;
    w[1] = 0; w[2] = 0; w[3] = 0; w[4] = 0; w[5] = 0; w[6] = 0; w[7] = 0;
    w[8] = 0; w[9] = 0; w[10] = 0; w[11] = 0; w[12] = 0; w[13] = 0; w[14] = 0; w[15] = 1048u;
    s[0] = h[0]; s[1] = h[1]; s[2] = h[2]; s[3] = h[3]; s[4] = h[4]; s[5] = h[5]; s[6] = h[6]; s[7] = h[7];
    SK_ROUNDS_0_13 SK_ROUNDS_14_15 SK_ROUNDS_16_63
    h[0] += s[0]; h[1] += s[1]; h[2] += s[2]; h[3] += s[3]; h[4] += s[4]; h[5] += s[5]; h[6] += s[6]; h[7] += s[7];
    sk_keccak_digest(h, out);
}

/* The difficulty test: the seal as a 256-bit number under the rule's byte order, <= threshold. */
SK_FN int sk_accepts(SK_CPTR sk_params *p, const sk_u64 lanes[4])
{
    sk_u64 m0, m1, m2, m3;
    if (p->little_endian) { m0 = lanes[3]; m1 = lanes[2]; m2 = lanes[1]; m3 = lanes[0]; }
    else { m0 = SK_BSWAP64(lanes[0]); m1 = SK_BSWAP64(lanes[1]); m2 = SK_BSWAP64(lanes[2]); m3 = SK_BSWAP64(lanes[3]); }
    if (m0 != p->threshold[0]) return m0 < p->threshold[0];
    if (m1 != p->threshold[1]) return m1 < p->threshold[1];
    if (m2 != p->threshold[2]) return m2 < p->threshold[2];
    return m3 <= p->threshold[3];
}

/* ---- the search, shared by every entry point ------------------------------------------------- */
#ifndef SK_HOST_COUNT_SEAL
#define SK_HOST_COUNT_SEAL() ((void)0)   /* the host test build counts seals to observe the early exit */
#endif
#define SK_SEARCH_BODY(SEAL) do { \
        sk_u32 off = gid; \
        sk_u64 lanes[4]; \
        while (off < count) { \
            if (*best < off) return;            /* a lower solution exists: stop early */ \
            SEAL(p, start + (sk_u64)off, lanes); \
            SK_HOST_COUNT_SEAL(); \
            if (sk_accepts(p, lanes)) { SK_ATOMIC_MIN(best, off); return; } \
            if (count - off <= gsize) return;   /* next offset would be past the end */ \
            off += gsize; \
        } \
    } while (0)

SK_FN void sk_search_legacy_body(SK_CPTR sk_params *p, sk_u64 start, sk_u32 count, SK_GPTR sk_u32 *best,
                                 sk_u32 gid, sk_u32 gsize)
{
    SK_SEARCH_BODY(sk_seal_legacy);
}

SK_FN void sk_search_v1_body(SK_CPTR sk_params *p, sk_u64 start, sk_u32 count, SK_GPTR sk_u32 *best,
                             sk_u32 gid, sk_u32 gsize)
{
    SK_SEARCH_BODY(sk_seal_v1);
}

/* ---- entry points ----------------------------------------------------------------------------- */
#if defined(SK_OPENCL)
__kernel void sk_search_legacy(__constant const sk_params *p, ulong start, uint count, __global volatile uint *best)
{
    sk_search_legacy_body(p, start, count, best, (uint)get_global_id(0), (uint)get_global_size(0));
}
__kernel void sk_search_v1(__constant const sk_params *p, ulong start, uint count, __global volatile uint *best)
{
    sk_search_v1_body(p, start, count, best, (uint)get_global_id(0), (uint)get_global_size(0));
}
#elif defined(SK_CUDA)
/* The per-challenge constants: the host writes this symbol when the challenge changes. */
__constant__ sk_params sk_const;
extern "C" __global__ void sk_search_legacy(sk_u64 start, sk_u32 count, sk_u32 *best)
{
    sk_search_legacy_body(&sk_const, start, count, best, blockIdx.x * blockDim.x + threadIdx.x, gridDim.x * blockDim.x);
}
extern "C" __global__ void sk_search_v1(sk_u64 start, sk_u32 count, sk_u32 *best)
{
    sk_search_v1_body(&sk_const, start, count, best, blockIdx.x * blockDim.x + threadIdx.x, gridDim.x * blockDim.x);
}
#endif

#endif /* BTPOW_SEAL_KERNEL_H */
