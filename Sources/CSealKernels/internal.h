#ifndef BTPOW_INTERNAL_H
#define BTPOW_INTERNAL_H
#include <stdint.h>
#include "include/CSealKernels.h"

#if defined(__x86_64__)
#define BTPOW_X86 1
#endif

extern const uint32_t btpow_sha_k[64];

/// What one 2^32-nonce chunk (same high nonce word) shares: the per-nonce bits of the message are left zero.
typedef struct btpow_chunk {
    uint32_t w[16];    ///< block 1 words: legacy W0 = 0 (nonce low word goes there); v1 W14 low byte 0, W15 = nonce byte 4
    uint32_t st[8];    ///< state before the first nonce-dependent round: legacy IV (round 0), v1 after rounds 0...13
    uint32_t in[8];    ///< state block 1 starts from (added back at its end)
    uint32_t kw2[64];  ///< v1 block 2 (nonce bytes 5...7, padding, length): K[i] + W[i]
    // For the SHA-256 that runs across vector lanes (sha_simd.h); the SHA-NI kernels use the fields above.
    uint32_t sst[8];   ///< state after the first round a nonce reaches (legacy 0, v1 14), its W's nonce part left out
    uint32_t sw[64];   ///< block 1 schedule word i that a nonce reaches: the sum of its terms no nonce reaches
    uint32_t skw[64];  ///< block 1 schedule word i that no nonce reaches: K[i] + W[i]
} btpow_chunk;

/// Block 1 schedule words a nonce reaches (bit i: W[i]): legacy W0, v1 W14 and W15, and every word computed
/// from one of those (W[i] = W[i-16] + s0(W[i-15]) + W[i-7] + s1(W[i-2])).
#define BTPOW_LEGACY_VARYING 0xffffffffffd50001ULL   // all but W1...W15, W17, W19, W21
#define BTPOW_V1_VARYING 0xffffffffffffc000ULL       // W14...W63

void btpow_chunk_init(btpow_chunk *c, const btpow_job *job, uint32_t hi);

/// Exact check of the candidates in `mask` (bit i: nonce base + i), lowest first. Returns 1 and sets *found
/// for the first the rule accepts.
int btpow_check_candidates(const btpow_job *job, uint64_t base, uint32_t mask, uint64_t *found);

/// One chunk: nonces n0 ... n0 + len - 1, all with high word hi = n0 >> 32 (len <= 2^32 - low word).
typedef int (*btpow_chunk_fn)(const btpow_job *job, const btpow_chunk *c, uint64_t n0, uint64_t len, uint64_t *found);

int btpow_scan_chunks(btpow_chunk_fn fn, const btpow_job *job, uint64_t start, uint64_t count, uint64_t *found);

#if BTPOW_X86
int btpow_avx2_chunk(const btpow_job *, const btpow_chunk *, uint64_t, uint64_t, uint64_t *);
int btpow_avx2_shani_chunk(const btpow_job *, const btpow_chunk *, uint64_t, uint64_t, uint64_t *);
int btpow_avx2_shani_hybrid_chunk(const btpow_job *, const btpow_chunk *, uint64_t, uint64_t, uint64_t *);
int btpow_avx512_chunk(const btpow_job *, const btpow_chunk *, uint64_t, uint64_t, uint64_t *);
int btpow_avx512_shani_chunk(const btpow_job *, const btpow_chunk *, uint64_t, uint64_t, uint64_t *);
#endif

static inline uint32_t btpow_bswap32(uint32_t x) { return __builtin_bswap32(x); }

/// A batch's live lanes: bits 0...lanes - 1 (lanes <= 32), only the first `left` of them if fewer nonces are left.
static inline uint32_t btpow_valid_mask(uint64_t left, int lanes) {
    uint64_t n = left < (uint64_t)lanes ? left : (uint64_t)lanes;
    return (uint32_t)((1ULL << n) - 1);
}
static inline uint64_t btpow_bswap64(uint64_t x) { return __builtin_bswap64(x); }

#endif
