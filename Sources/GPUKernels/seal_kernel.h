/*
 * btpow seal search kernel: the ONE source for every GPU backend and the host test build.
 *
 *   CUDA    compiled at run time by NVRTC (__CUDACC_RTC__ / __CUDACC__ defined)
 *   OpenCL  compiled at run time by the OpenCL driver (__OPENCL_VERSION__ defined)
 *   host    compiled by the C compiler in the test-only target SealKernelHost (neither defined),
 *           so CI runs this file's own hash code on the CPU against the reference test vectors.
 *
 * The binary carries this text as a Swift string (Sources/GPUSolver/Generated/SealKernelSource.swift,
 * written by tools/gen_kernel_source.py; a test fails if the two differ).
 *
 * Seal = keccak256(sha256(input)):
 *   legacy  input = nonce u64 LE (8) || block_and_hotkey_hash (32): one SHA-256 block
 *   v1      input = 123-byte prefix || nonce u64 LE: three blocks, the first is the host's midstate,
 *           rounds 0..14 of the second are the host's too (nonce byte 0 only adds to two words), and
 *           the third's message schedule depends only on the nonce's top 24 bits (per-launch tables).
 * Everything that does not depend on the nonce is computed once, by the host (sk_params) or per thread
 * block; tools/gpu_sass_report.py counts what is left per seal.
 *
 * Search: a launch covers offsets 0 .. count-1 (nonce = start + offset, wrapping at 2^64). Every
 * thread walks offsets gid, gid + gsize, ... in increasing order. *best holds the lowest solving
 * offset seen so far (0xFFFFFFFF = none; the host resets it before every launch): it is both the
 * early-exit flag (a thread stops as soon as *best is below its next offset, since nothing it could
 * still find would be lower) and the result (atomic min), so the result of a launch is exactly its
 * lowest solving offset, whatever the grid and the scheduling. A nonce is rejected on the seal's most
 * significant 32 bits when they exceed the threshold's; the whole seal is made and compared only otherwise.
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
#define SK_TPTR __local
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
#define SK_TPTR
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
/* a ^ b ^ c as one LOP3 per 32-bit half. Written as PTX because the compiler would otherwise share Keccak's
 * d = c[x-1] ^ rot(c[x+1], 1) between its five uses and spend a separate XOR on each (two instructions per
 * 64-bit lane where one does). */
__device__ __forceinline__ sk_u64 sk_xor3(sk_u64 a, sk_u64 b, sk_u64 c)
{
    sk_u32 lo, hi;
    asm("lop3.b32 %0, %1, %2, %3, 0x96;" : "=r"(lo) : "r"((sk_u32)a), "r"((sk_u32)b), "r"((sk_u32)c));
    asm("lop3.b32 %0, %1, %2, %3, 0x96;" : "=r"(hi) : "r"((sk_u32)(a >> 32)), "r"((sk_u32)(b >> 32)), "r"((sk_u32)(c >> 32)));
    return ((sk_u64)hi << 32) | lo;
}
#define SK_XOR3(a, b, c) sk_xor3((a), (b), (c))
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
#define SK_TPTR
#define SK_ROTR32(x, n) ((sk_u32)(((sk_u32)(x) >> (n)) | ((sk_u32)(x) << (32 - (n)))))
#define SK_ROTL64(x, n) ((sk_u64)(((sk_u64)(x) << (n)) | ((sk_u64)(x) >> (64 - (n)))))
static inline void sk_host_atomic_min(volatile sk_u32 *p, sk_u32 v)
{
    sk_u32 old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (v < old && !__atomic_compare_exchange_n(p, &old, v, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
}
#define SK_ATOMIC_MIN(p, v) sk_host_atomic_min((p), (v))
#endif

#ifndef SK_XOR3
#define SK_XOR3(a, b, c) ((a) ^ (b) ^ (c))
#endif
#define SK_XOR3_PLAIN(a, b, c) ((a) ^ (b) ^ (c))

#if defined(SK_CUDA)
#define SK_BSWAP32(x) __byte_perm((sk_u32)(x), 0u, 0x0123u)
#else
#define SK_BSWAP32(x) ((SK_ROTR32((x), 8) & 0xFF00FF00u) | (SK_ROTR32((x), 24) & 0x00FF00FFu))
#endif
#define SK_BSWAP64(x) (((sk_u64)SK_BSWAP32((sk_u32)(x)) << 32) | (sk_u64)SK_BSWAP32((sk_u32)((x) >> 32)))

/* ---- per-challenge constants (constant memory) ------------------------------------------------
 * 168 bytes, the same layout on every platform; the host packs it (GPUSolver/KernelParams.swift). Everything
 * here that does not depend on the nonce is computed once per challenge by the host.
 *   words    legacy: [0..7] W2..W9; [8..15] C17..C24
 *            v1:     [0..12] C16..C28; [13] W13; [14] W14 with its three prefix bytes (low byte: nonce byte 0)
 *            C_i is the nonce-free part of block 1's schedule word W_i = s1(W[i-2]) + W[i-7] + s0(W[i-15])
 *            + W[i-16]: the sum of the terms whose word is a message constant (not a nonce word: W0, W1 in
 *            legacy, W14, W15 in v1; not itself a schedule word, i >= 16); the kernel adds the other terms.
 *   v1_state v1: working variables a..h after rounds 0..14 of block 1 with nonce byte 0 taken as 0 (W14
 *            enters round 14 only through t1, so the byte adds to a and e and nothing else). */
typedef struct {
    sk_u64 threshold[4];  /*   0: largest passing value, most significant word first          */
    sk_u32 midstate[8];   /*  32: SHA-256 state the nonce's block starts from (legacy: the IV)  */
    sk_u32 words[16];     /*  64: message words and schedule constants, see above             */
    sk_u32 v1_state[8];   /* 128: v1: a..h after round 14, see above                          */
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
#define SK_K14 0x9bdc06a7u
#define SK_K15 0xc19bf174u
/* X(i, K[i]) for rounds 16..24, 25..28 and 29..63 (split where the schemes' host schedule constants end) */
#define SK_K_16_24(X) \
    X(16, 0xe49b69c1u) X(17, 0xefbe4786u) X(18, 0x0fc19dc6u) X(19, 0x240ca1ccu) X(20, 0x2de92c6fu) \
    X(21, 0x4a7484aau) X(22, 0x5cb0a9dcu) X(23, 0x76f988dau) X(24, 0x983e5152u)
#define SK_K_25_28(X) X(25, 0xa831c66du) X(26, 0xb00327c8u) X(27, 0xbf597fc7u) X(28, 0xc6e00bf3u)
#define SK_K_29_63(X) \
    X(29, 0xd5a79147u) X(30, 0x06ca6351u) X(31, 0x14292967u) \
    X(32, 0x27b70a85u) X(33, 0x2e1b2138u) X(34, 0x4d2c6dfcu) X(35, 0x53380d13u) \
    X(36, 0x650a7354u) X(37, 0x766a0abbu) X(38, 0x81c2c92eu) X(39, 0x92722c85u) \
    X(40, 0xa2bfe8a1u) X(41, 0xa81a664bu) X(42, 0xc24b8b70u) X(43, 0xc76c51a3u) \
    X(44, 0xd192e819u) X(45, 0xd6990624u) X(46, 0xf40e3585u) X(47, 0x106aa070u) \
    X(48, 0x19a4c116u) X(49, 0x1e376c08u) X(50, 0x2748774cu) X(51, 0x34b0bcb5u) \
    X(52, 0x391c0cb3u) X(53, 0x4ed8aa4au) X(54, 0x5b9cca4fu) X(55, 0x682e6ff3u) \
    X(56, 0x748f82eeu) X(57, 0x78a5636fu) X(58, 0x84c87814u) X(59, 0x8cc70208u) \
    X(60, 0x90befffau) X(61, 0xa4506cebu) X(62, 0xbef9a3f7u) X(63, 0xc67178f2u)
#define SK_RS_X(i, k) SK_RS(i, k);
#define SK_ROUNDS_14_15 SK_R(14, SK_K14); SK_R(15, SK_K15);
#define SK_ROUNDS_16_63 SK_K_16_24(SK_RS_X) SK_K_25_28(SK_RS_X) SK_K_29_63(SK_RS_X)
/* Round i with W_i = s1(W[i-2]) + rest: the schedule word written from a host constant plus nonce words. */
#define SK_RC(i, k, rest) SK_RND(i, k, (w[(i) & 15] = SK_SS1(w[((i) - 2) & 15]) + (rest)))

/* ---- Keccak-f[1600] --------------------------------------------------------------------------- */
/* Theta and rho for lanes a0..a24 (lane i is x + 5y) into b0..b24, with temporaries c0..c4 (column parities)
 * and r0..r4 (r[x] = rot(c[x], 1)): theta adds d[x] = c[x-1] ^ r[x+1] to each lane of column x, as one
 * three-input XOR X3(lane, c[x-1], r[x+1]). */
#define SK_KTHETA_RHO(X3) do { \
        c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20; c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21; c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22; \
        c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23; c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24; \
        r0 = SK_ROTL64(c0, 1); r1 = SK_ROTL64(c1, 1); r2 = SK_ROTL64(c2, 1); r3 = SK_ROTL64(c3, 1); r4 = SK_ROTL64(c4, 1); \
        b0 = X3(a0, c4, r1);                     b1 = SK_ROTL64(X3(a6, c0, r2), 44);   b2 = SK_ROTL64(X3(a12, c1, r3), 43); \
        b3 = SK_ROTL64(X3(a18, c2, r4), 21);     b4 = SK_ROTL64(X3(a24, c3, r0), 14);  b5 = SK_ROTL64(X3(a3, c2, r4), 28); \
        b6 = SK_ROTL64(X3(a9, c3, r0), 20);      b7 = SK_ROTL64(X3(a10, c4, r1), 3);   b8 = SK_ROTL64(X3(a16, c0, r2), 45); \
        b9 = SK_ROTL64(X3(a22, c1, r3), 61);     b10 = SK_ROTL64(X3(a1, c0, r2), 1);   b11 = SK_ROTL64(X3(a7, c1, r3), 6); \
        b12 = SK_ROTL64(X3(a13, c2, r4), 25);    b13 = SK_ROTL64(X3(a19, c3, r0), 8);  b14 = SK_ROTL64(X3(a20, c4, r1), 18); \
        b15 = SK_ROTL64(X3(a4, c3, r0), 27);     b16 = SK_ROTL64(X3(a5, c4, r1), 36);  b17 = SK_ROTL64(X3(a11, c0, r2), 10); \
        b18 = SK_ROTL64(X3(a17, c1, r3), 15);    b19 = SK_ROTL64(X3(a23, c2, r4), 56); b20 = SK_ROTL64(X3(a2, c1, r3), 62); \
        b21 = SK_ROTL64(X3(a8, c2, r4), 55);     b22 = SK_ROTL64(X3(a14, c3, r0), 39); b23 = SK_ROTL64(X3(a15, c4, r1), 41); \
        b24 = SK_ROTL64(X3(a21, c0, r2), 2); \
    } while (0)
/* One round: theta, rho and pi (SK_KTHETA_RHO), chi and iota. */
#define SK_KROUND_X(rc, X3) do { \
        SK_KTHETA_RHO(X3); \
        a0 = b0 ^ (~b1 & b2) ^ (rc); a1 = b1 ^ (~b2 & b3); a2 = b2 ^ (~b3 & b4); a3 = b3 ^ (~b4 & b0); a4 = b4 ^ (~b0 & b1); \
        a5 = b5 ^ (~b6 & b7); a6 = b6 ^ (~b7 & b8); a7 = b7 ^ (~b8 & b9); a8 = b8 ^ (~b9 & b5); a9 = b9 ^ (~b5 & b6); \
        a10 = b10 ^ (~b11 & b12); a11 = b11 ^ (~b12 & b13); a12 = b12 ^ (~b13 & b14); a13 = b13 ^ (~b14 & b10); a14 = b14 ^ (~b10 & b11); \
        a15 = b15 ^ (~b16 & b17); a16 = b16 ^ (~b17 & b18); a17 = b17 ^ (~b18 & b19); a18 = b18 ^ (~b19 & b15); a19 = b19 ^ (~b15 & b16); \
        a20 = b20 ^ (~b21 & b22); a21 = b21 ^ (~b22 & b23); a22 = b22 ^ (~b23 & b24); a23 = b23 ^ (~b24 & b20); a24 = b24 ^ (~b20 & b21); \
    } while (0)
#define SK_KROUND(rc) SK_KROUND_X(rc, SK_XOR3)

/* The last round's rotations of lanes 0, 6, 12, 18, 24 (which become b0..b4 and so the seal's lanes 0..3). */
#define SK_KLAST_ROT1 44
#define SK_KLAST_ROT2 43
#define SK_KLAST_ROT3 21
#define SK_KLAST_ROT4 14
#define SK_KLAST_RC SK_U64C(0x8000000080008008)

/* keccak256 of the 32-byte digest h[0..7] (big-endian words), one permutation, up to the last round's theta:
 * x[0..4] get lanes 0, 6, 12, 18, 24 after that theta (the only lanes the seal's four lanes depend on). Returns
 * the seal's most significant 32 bits under the rule's byte order (little_endian: the top half of lane 3;
 * big-endian: lane 0's first four bytes), computed from x alone, so that most nonces are rejected on that
 * word; sk_keccak_finish makes the four lanes from x when it is not enough. */
SK_FN sk_u32 sk_keccak_digest_top(const sk_u32 h[8], sk_u32 little_endian, sk_u64 x[5])
{
    sk_u64 a0 = (sk_u64)SK_BSWAP32(h[0]) | ((sk_u64)SK_BSWAP32(h[1]) << 32);
    sk_u64 a1 = (sk_u64)SK_BSWAP32(h[2]) | ((sk_u64)SK_BSWAP32(h[3]) << 32);
    sk_u64 a2 = (sk_u64)SK_BSWAP32(h[4]) | ((sk_u64)SK_BSWAP32(h[5]) << 32);
    sk_u64 a3 = (sk_u64)SK_BSWAP32(h[6]) | ((sk_u64)SK_BSWAP32(h[7]) << 32);
    sk_u64 a4 = 1, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0;
    sk_u64 a15 = 0, a16 = SK_U64C(0x8000000000000000), a17 = 0, a18 = 0, a19 = 0;
    sk_u64 a20 = 0, a21 = 0, a22 = 0, a23 = 0, a24 = 0;
    sk_u64 c0, c1, c2, c3, c4, r0, r1, r2, r3, r4;
    sk_u64 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19;
    sk_u64 b20, b21, b22, b23, b24, lane0, lane3;
    /* round 0 in plain C: 21 of its input lanes are constants the compiler folds */
    SK_KROUND_X(SK_U64C(0x0000000000000001), SK_XOR3_PLAIN); SK_KROUND(SK_U64C(0x0000000000008082));
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
    SK_KROUND(SK_U64C(0x0000000080000001));
    /* round 23, theta only, for the five lanes that reach the seal */
    c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20; c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21; c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
    c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23; c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
    r0 = SK_ROTL64(c0, 1); r1 = SK_ROTL64(c1, 1); r2 = SK_ROTL64(c2, 1); r3 = SK_ROTL64(c3, 1); r4 = SK_ROTL64(c4, 1);
    x[0] = SK_XOR3(a0, c4, r1); x[1] = SK_XOR3(a6, c0, r2); x[2] = SK_XOR3(a12, c1, r3);
    x[3] = SK_XOR3(a18, c2, r4); x[4] = SK_XOR3(a24, c3, r0);
    /* the compiler keeps only the halves each rule's word needs */
    b0 = x[0]; b1 = SK_ROTL64(x[1], SK_KLAST_ROT1); b2 = SK_ROTL64(x[2], SK_KLAST_ROT2);
    b3 = SK_ROTL64(x[3], SK_KLAST_ROT3); b4 = SK_ROTL64(x[4], SK_KLAST_ROT4);
    lane0 = b0 ^ (~b1 & b2) ^ SK_KLAST_RC;
    lane3 = b3 ^ (~b4 & b0);
    return little_endian ? (sk_u32)(lane3 >> 32) : SK_BSWAP32((sk_u32)lane0);
}

/* The seal's four little-endian lanes from sk_keccak_digest_top's x: the last round's rho, chi and iota. */
SK_FN void sk_keccak_finish(const sk_u64 x[5], sk_u64 out[4])
{
    const sk_u64 b0 = x[0], b1 = SK_ROTL64(x[1], SK_KLAST_ROT1), b2 = SK_ROTL64(x[2], SK_KLAST_ROT2);
    const sk_u64 b3 = SK_ROTL64(x[3], SK_KLAST_ROT3), b4 = SK_ROTL64(x[4], SK_KLAST_ROT4);
    out[0] = b0 ^ (~b1 & b2) ^ SK_KLAST_RC; out[1] = b1 ^ (~b2 & b3); out[2] = b2 ^ (~b3 & b4); out[3] = b3 ^ (~b4 & b0);
}

/* ---- seals ------------------------------------------------------------------------------------ */
/* Legacy: one compression from the IV; W0, W1 = the nonce's LE bytes as big-endian words. */
SK_FN void sk_sha_legacy(SK_CPTR sk_params *p, sk_u64 n, sk_u32 h[8])
{
    sk_u32 w[16], s[8];
    w[0] = SK_BSWAP32((sk_u32)n); w[1] = SK_BSWAP32((sk_u32)(n >> 32));
    w[2] = p->words[0]; w[3] = p->words[1]; w[4] = p->words[2]; w[5] = p->words[3];
    w[6] = p->words[4]; w[7] = p->words[5]; w[8] = p->words[6]; w[9] = p->words[7];
    w[10] = 0x80000000u; w[11] = 0; w[12] = 0; w[13] = 0; w[14] = 0; w[15] = 320u;
    s[0] = 0x6a09e667u; s[1] = 0xbb67ae85u; s[2] = 0x3c6ef372u; s[3] = 0xa54ff53au;
    s[4] = 0x510e527fu; s[5] = 0x9b05688cu; s[6] = 0x1f83d9abu; s[7] = 0x5be0cd19u;
    SK_ROUNDS_0_13 SK_ROUNDS_14_15
    SK_RS(16, 0xe49b69c1u);   /* W9 + s0(W1) + W0: W14 = 0 */
    SK_RND(17, 0xefbe4786u, (w[1] += p->words[8]));
    SK_RC(18, 0x0fc19dc6u, p->words[9]); SK_RC(19, 0x240ca1ccu, p->words[10]);
    SK_RC(20, 0x2de92c6fu, p->words[11]); SK_RC(21, 0x4a7484aau, p->words[12]);
    SK_RC(22, 0x5cb0a9dcu, p->words[13]); SK_RC(23, 0x76f988dau, w[0] + p->words[14]);
    SK_RC(24, 0x983e5152u, w[1] + p->words[15]);
    SK_K_25_28(SK_RS_X) SK_K_29_63(SK_RS_X)
    h[0] = s[0] + 0x6a09e667u; h[1] = s[1] + 0xbb67ae85u; h[2] = s[2] + 0x3c6ef372u; h[3] = s[3] + 0xa54ff53au;
    h[4] = s[4] + 0x510e527fu; h[5] = s[5] + 0x9b05688cu; h[6] = s[6] + 0x1f83d9abu; h[7] = s[7] + 0x5be0cd19u;
}

/* v1, block 2: nonce bytes 5..7, 0x80, zeros, length 1048 bits. Its message words depend only on the nonce's top
 * 24 bits, which one launch (< 2^31 nonces) changes at most once: each block of threads makes t[i] = K[i] + W_i
 * for rounds 0 and 16..63 once for the top bits of its first and last nonce (sk_v1_tables), and every seal
 * reads them (rounds 1..15 add constants). */
#define SK_V1_TABLE 64
#define SK_RT_X(i, k) SK_RND(i, 0u, t[i]);
#define SK_TFILL_X(i, k) t[i] = (k) + SK_SCHED(i);
SK_FN void sk_v1_table(sk_u32 top24, SK_TPTR sk_u32 *t)
{
    sk_u32 w[16];
    w[0] = SK_BSWAP32(top24) | 0x80u;
    w[1] = 0; w[2] = 0; w[3] = 0; w[4] = 0; w[5] = 0; w[6] = 0; w[7] = 0;
    w[8] = 0; w[9] = 0; w[10] = 0; w[11] = 0; w[12] = 0; w[13] = 0; w[14] = 0; w[15] = 1048u;
    t[0] = 0x428a2f98u + w[0];
    SK_K_16_24(SK_TFILL_X) SK_K_25_28(SK_TFILL_X) SK_K_29_63(SK_TFILL_X)
}

/* The two tables for a launch from `start` over `count` nonces: t[0..63] for start's top bits (top24 returned),
 * t[64..127] for the last nonce's. */
SK_FN sk_u32 sk_v1_tables(sk_u64 start, sk_u32 count, SK_TPTR sk_u32 *t)
{
    sk_v1_table((sk_u32)(start >> 40), t);
    sk_v1_table((sk_u32)((start + (sk_u64)count - 1) >> 40), t + SK_V1_TABLE);
    return (sk_u32)(start >> 40);
}

/* v1: block 1 resumes at round 15 from v1_state (nonce byte 0 in W14 and added to a and e, bytes 1..4 in W15),
 * then block 2 from the table for the nonce's top bits (t: the launch's two tables, top24: the first's). */
SK_FN void sk_sha_v1(SK_CPTR sk_params *p, sk_u64 n, SK_TPTR const sk_u32 *tabs, sk_u32 top24, sk_u32 h[8])
{
    sk_u32 w[16], s[8];
    const sk_u32 byte0 = (sk_u32)(n & 0xffu);
    /* an index, not a choice of pointers, so that one table is read (not both, then a select per word) */
    SK_TPTR const sk_u32 *t = tabs + ((sk_u32)((sk_u32)(n >> 40) != top24) * SK_V1_TABLE);
    w[13] = p->words[13];
    w[14] = p->words[14] | byte0;
    w[15] = SK_BSWAP32((sk_u32)(n >> 8));
    /* round 14 is done but for the byte: place a..h where round 15 expects them (a = s[(0-15)&7] = s[1]) */
    s[1] = p->v1_state[0] + byte0; s[2] = p->v1_state[1]; s[3] = p->v1_state[2]; s[4] = p->v1_state[3];
    s[5] = p->v1_state[4] + byte0; s[6] = p->v1_state[5]; s[7] = p->v1_state[6]; s[0] = p->v1_state[7];
    SK_R(15, SK_K15);
    SK_RC(16, 0xe49b69c1u, p->words[0]); SK_RC(17, 0xefbe4786u, p->words[1]);
    SK_RC(18, 0x0fc19dc6u, p->words[2]); SK_RC(19, 0x240ca1ccu, p->words[3]);
    SK_RC(20, 0x2de92c6fu, p->words[4]); SK_RC(21, 0x4a7484aau, w[14] + p->words[5]);
    SK_RC(22, 0x5cb0a9dcu, w[15] + p->words[6]); SK_RC(23, 0x76f988dau, w[0] + p->words[7]);
    SK_RC(24, 0x983e5152u, w[1] + p->words[8]); SK_RC(25, 0xa831c66du, w[2] + p->words[9]);
    SK_RC(26, 0xb00327c8u, w[3] + p->words[10]); SK_RC(27, 0xbf597fc7u, w[4] + p->words[11]);
    SK_RC(28, 0xc6e00bf3u, w[5] + p->words[12]);
    SK_K_29_63(SK_RS_X)
    h[0] = s[0] + p->midstate[0]; h[1] = s[1] + p->midstate[1]; h[2] = s[2] + p->midstate[2];
    h[3] = s[3] + p->midstate[3]; h[4] = s[4] + p->midstate[4]; h[5] = s[5] + p->midstate[5];
    h[6] = s[6] + p->midstate[6]; h[7] = s[7] + p->midstate[7];
    s[0] = h[0]; s[1] = h[1]; s[2] = h[2]; s[3] = h[3]; s[4] = h[4]; s[5] = h[5]; s[6] = h[6]; s[7] = h[7];
    SK_RND(0, 0u, t[0]);
    SK_RND(1, 0x71374491u, 0u); SK_RND(2, 0xb5c0fbcfu, 0u); SK_RND(3, 0xe9b5dba5u, 0u); SK_RND(4, 0x3956c25bu, 0u);
    SK_RND(5, 0x59f111f1u, 0u); SK_RND(6, 0x923f82a4u, 0u); SK_RND(7, 0xab1c5ed5u, 0u); SK_RND(8, 0xd807aa98u, 0u);
    SK_RND(9, 0x12835b01u, 0u); SK_RND(10, 0x243185beu, 0u); SK_RND(11, 0x550c7dc3u, 0u); SK_RND(12, 0x72be5d74u, 0u);
    SK_RND(13, 0x80deb1feu, 0u); SK_RND(14, SK_K14, 0u); SK_RND(15, SK_K15, 1048u);
    SK_K_16_24(SK_RT_X) SK_K_25_28(SK_RT_X) SK_K_29_63(SK_RT_X)
    h[0] += s[0]; h[1] += s[1]; h[2] += s[2]; h[3] += s[3]; h[4] += s[4]; h[5] += s[5]; h[6] += s[6]; h[7] += s[7];
}

/* A seal's most significant 32 bits under the rule's byte order, and x for sk_keccak_finish. */
SK_FN sk_u32 sk_seal_legacy_top(SK_CPTR sk_params *p, sk_u64 n, sk_u64 x[5])
{
    sk_u32 h[8];
    sk_sha_legacy(p, n, h);
    return sk_keccak_digest_top(h, p->little_endian, x);
}

SK_FN sk_u32 sk_seal_v1_top(SK_CPTR sk_params *p, sk_u64 n, SK_TPTR const sk_u32 *tabs, sk_u32 top24, sk_u64 x[5])
{
    sk_u32 h[8];
    sk_sha_v1(p, n, tabs, top24, h);
    return sk_keccak_digest_top(h, p->little_endian, x);
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
/* Per nonce only the seal's most significant 32 bits are made and compared with the threshold's: a larger
 * word rejects the nonce exactly (the seal is then above the threshold whatever its other bits). Otherwise
 * (a candidate, rare at real difficulties) the inner loop is left, the four lanes are finished from x and
 * compared in full, and the scan resumes. The inner loop is the per-nonce work (tools/gpu_sass_report.py). */
#define SK_SEARCH_BODY(TOP) do { \
        const sk_u32 top_max = (sk_u32)(p->threshold[0] >> 32); \
        sk_u32 off = gid; \
        sk_u64 x[5], lanes[4]; \
        if (off >= count) return; \
        for (;;) { \
            for (;;) { \
                if (*best < off) return;        /* a lower solution exists: stop early */ \
                SK_HOST_COUNT_SEAL(); \
                if (TOP(p, start + (sk_u64)off, x) <= top_max) break; \
                if (count - off <= gsize) return;   /* next offset would be past the end */ \
                off += gsize; \
            } \
            sk_keccak_finish(x, lanes); \
            if (sk_accepts(p, lanes)) { SK_ATOMIC_MIN(best, off); return; } \
            if (count - off <= gsize) return; \
            off += gsize; \
        } \
    } while (0)

SK_FN void sk_search_legacy_body(SK_CPTR sk_params *p, sk_u64 start, sk_u32 count, SK_GPTR sk_u32 *best,
                                 sk_u32 gid, sk_u32 gsize)
{
    SK_SEARCH_BODY(sk_seal_legacy_top);
}

/* tabs: the launch's two block-2 tables (sk_v1_tables), top24: start's top 24 bits */
#define SK_V1_TOP(p, n, x) sk_seal_v1_top((p), (n), tabs, top24, (x))
SK_FN void sk_search_v1_tables(SK_CPTR sk_params *p, sk_u64 start, sk_u32 count, SK_GPTR sk_u32 *best,
                               sk_u32 gid, sk_u32 gsize, SK_TPTR const sk_u32 *tabs, sk_u32 top24)
{
    SK_SEARCH_BODY(SK_V1_TOP);
}

#if defined(SK_HOST)
/* Host build (tests, the test CUDA driver): the whole seal, and a thread's search with the launch's tables made
 * here, since it runs one thread at a time. */
static inline void sk_seal_legacy(SK_CPTR sk_params *p, sk_u64 n, sk_u64 out[4])
{
    sk_u64 x[5];
    (void)sk_seal_legacy_top(p, n, x);
    sk_keccak_finish(x, out);
}

static inline void sk_seal_v1(SK_CPTR sk_params *p, sk_u64 n, sk_u64 out[4])
{
    sk_u32 tabs[2 * SK_V1_TABLE];
    sk_u64 x[5];
    const sk_u32 top24 = sk_v1_tables(n, 1, tabs);
    (void)sk_seal_v1_top(p, n, tabs, top24, x);
    sk_keccak_finish(x, out);
}

/* The seal's most significant 32 bits as the search computes them (to test the early reject on its own). */
static inline sk_u32 sk_seal_top(SK_CPTR sk_params *p, int scheme, sk_u64 n)
{
    sk_u32 tabs[2 * SK_V1_TABLE];
    sk_u64 x[5];
    if (scheme == 0) return sk_seal_legacy_top(p, n, x);
    return sk_seal_v1_top(p, n, tabs, sk_v1_tables(n, 1, tabs), x);
}

static inline void sk_search_v1_body(SK_CPTR sk_params *p, sk_u64 start, sk_u32 count, SK_GPTR sk_u32 *best,
                                     sk_u32 gid, sk_u32 gsize)
{
    sk_u32 tabs[2 * SK_V1_TABLE];
    const sk_u32 top24 = sk_v1_tables(start, count, tabs);
    sk_search_v1_tables(p, start, count, best, gid, gsize, tabs, top24);
}
#endif

/* ---- entry points ----------------------------------------------------------------------------- */
#if defined(SK_OPENCL)
__kernel void sk_search_legacy(__constant const sk_params *p, ulong start, uint count, __global volatile uint *best)
{
    sk_search_legacy_body(p, start, count, best, (uint)get_global_id(0), (uint)get_global_size(0));
}
__kernel void sk_search_v1(__constant const sk_params *p, ulong start, uint count, __global volatile uint *best)
{
    __local uint tabs[2 * SK_V1_TABLE];
    if (get_local_id(0) == 0) (void)sk_v1_tables(start, count, tabs);
    barrier(CLK_LOCAL_MEM_FENCE);
    sk_search_v1_tables(p, start, count, best, (uint)get_global_id(0), (uint)get_global_size(0), tabs, (uint)(start >> 40));
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
    __shared__ sk_u32 tabs[2 * SK_V1_TABLE];
    if (threadIdx.x == 0) (void)sk_v1_tables(start, count, tabs);
    __syncthreads();
    sk_search_v1_tables(&sk_const, start, count, best, blockIdx.x * blockDim.x + threadIdx.x, gridDim.x * blockDim.x,
                        tabs, (sk_u32)(start >> 40));
}
#endif

#endif /* BTPOW_SEAL_KERNEL_H */
