// SHA-256 with the SHA extensions, four nonces interleaved (their round chains are latency-bound).
// State in the instructions' layout: abef = {F, E, B, A} and cdgh = {H, G, D, C} (dword 0 first).
#include <immintrin.h>

#define SHANI_ATTR __attribute__((always_inline, target("sha,sse4.1,ssse3")))

typedef struct {
    __m128i abef, cdgh;         ///< state before the first nonce-dependent round
    __m128i in_abef, in_cdgh;   ///< block 1's input state
    __m128i m[4];               ///< block 1 message groups, nonce bits zero
    __m128i kw2[16];            ///< v1 block 2: K + W
} shani_consts;

SHANI_ATTR static inline __m128i shani_pack_abef(const uint32_t s[8]) { return _mm_set_epi32((int)s[0], (int)s[1], (int)s[4], (int)s[5]); }
SHANI_ATTR static inline __m128i shani_pack_cdgh(const uint32_t s[8]) { return _mm_set_epi32((int)s[2], (int)s[3], (int)s[6], (int)s[7]); }
SHANI_ATTR static inline __m128i shani_k(int g) { return _mm_loadu_si128((const __m128i *)&btpow_sha_k[4 * g]); }

SHANI_ATTR static inline void shani_consts_init(shani_consts *k, const btpow_chunk *c) {
    k->abef = shani_pack_abef(c->st);
    k->cdgh = shani_pack_cdgh(c->st);
    k->in_abef = shani_pack_abef(c->in);
    k->in_cdgh = shani_pack_cdgh(c->in);
    for (int g = 0; g < 4; g++) k->m[g] = _mm_loadu_si128((const __m128i *)&c->w[4 * g]);
    for (int g = 0; g < 16; g++) k->kw2[g] = _mm_loadu_si128((const __m128i *)&c->kw2[4 * g]);
}

// Four rounds: (s0, s1) = (ABEF, CDGH) before and after.
#define SHANI_4ROUNDS(s0, s1, mk) do { \
    s1 = _mm_sha256rnds2_epu32(s1, s0, mk); \
    s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(mk, 0x0e)); \
} while (0)

// Groups 4...15 of block 1: message schedule plus rounds, for all four streams.
#define SHANI_SCHEDULED_GROUPS(s0, s1, w) do { \
    _Pragma("clang loop unroll(full)") \
    for (int g = 4; g < 16; g++) { \
        _Pragma("clang loop unroll(full)") \
        for (int j = 0; j < 4; j++) { \
            __m128i t_ = _mm_sha256msg1_epu32(w[j][g & 3], w[j][(g + 1) & 3]); \
            t_ = _mm_add_epi32(t_, _mm_alignr_epi8(w[j][(g + 3) & 3], w[j][(g + 2) & 3], 4)); \
            w[j][g & 3] = _mm_sha256msg2_epu32(t_, w[j][(g + 3) & 3]); \
            SHANI_4ROUNDS(s0[j], s1[j], _mm_add_epi32(w[j][g & 3], shani_k(g))); \
        } \
    } \
} while (0)

/// Legacy seals' SHA-256 for nonces with low words lo, lo + 1, lo + 2, lo + 3.
SHANI_ATTR static inline void shani_legacy_x4(const shani_consts *k, uint32_t lo, __m128i abef[4], __m128i cdgh[4]) {
    __m128i s0[4], s1[4], w[4][4];
    for (int j = 0; j < 4; j++) {
        w[j][0] = _mm_insert_epi32(k->m[0], (int)btpow_bswap32(lo + (uint32_t)j), 0);
        w[j][1] = k->m[1]; w[j][2] = k->m[2]; w[j][3] = k->m[3];
        s0[j] = k->abef; s1[j] = k->cdgh;
    }
    for (int g = 0; g < 4; g++)
        for (int j = 0; j < 4; j++) SHANI_4ROUNDS(s0[j], s1[j], _mm_add_epi32(w[j][g], shani_k(g)));
    SHANI_SCHEDULED_GROUPS(s0, s1, w);
    for (int j = 0; j < 4; j++) {
        abef[j] = _mm_add_epi32(s0[j], k->in_abef);
        cdgh[j] = _mm_add_epi32(s1[j], k->in_cdgh);
    }
}

/// v1 seals' SHA-256 (block 1 from round 14, then block 2) for low words lo ... lo + 3 of one chunk.
SHANI_ATTR static inline void shani_v1_x4(const shani_consts *k, uint32_t lo, __m128i abef[4], __m128i cdgh[4]) {
    __m128i s0[4], s1[4], w[4][4];
    for (int j = 0; j < 4; j++) {
        uint32_t l = lo + (uint32_t)j;
        // W14 low byte = nonce byte 0, W15 = nonce bytes 1...3 then byte 4 (already in the chunk's W15).
        w[j][3] = _mm_or_si128(k->m[3], _mm_set_epi32((int)(btpow_bswap32(l) << 8), (int)(l & 0xff), 0, 0));
        w[j][0] = k->m[0]; w[j][1] = k->m[1]; w[j][2] = k->m[2];
        __m128i mk = _mm_add_epi32(w[j][3], shani_k(3));
        // Rounds 14 and 15 (the high half of group 3) from the per-challenge state after round 13.
        s0[j] = _mm_sha256rnds2_epu32(k->cdgh, k->abef, _mm_shuffle_epi32(mk, 0x0e));
        s1[j] = k->abef;
    }
    SHANI_SCHEDULED_GROUPS(s0, s1, w);
    __m128i m0[4], m1[4];
    for (int j = 0; j < 4; j++) {
        m0[j] = s0[j] = _mm_add_epi32(s0[j], k->in_abef);
        m1[j] = s1[j] = _mm_add_epi32(s1[j], k->in_cdgh);
    }
    for (int g = 0; g < 16; g++)
        for (int j = 0; j < 4; j++) SHANI_4ROUNDS(s0[j], s1[j], k->kw2[g]);
    for (int j = 0; j < 4; j++) {
        abef[j] = _mm_add_epi32(s0[j], m0[j]);
        cdgh[j] = _mm_add_epi32(s1[j], m1[j]);
    }
}
