// SHA-256 with the SHA extensions, n nonces interleaved (8 or 10; each round chain is latency-bound).
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

/// Up to SHANI_STREAMS_MAX nonces' SHA-256 in flight (the first n used; n is a compile-time constant at every call),
/// advanced one step (a 4-round group of every stream) at a time so that the steps can be spread between the
/// rounds of the previous batch's Keccak.
enum { SHANI_STREAMS_MAX = 10 };
typedef struct {
    __m128i s0[SHANI_STREAMS_MAX], s1[SHANI_STREAMS_MAX];   ///< (ABEF, CDGH) per stream
    __m128i w[SHANI_STREAMS_MAX][4];                        ///< message schedule window per stream
    __m128i m0[SHANI_STREAMS_MAX], m1[SHANI_STREAMS_MAX];   ///< v1: block 1's output, added back after block 2
} shani_streams;

enum { SHANI_LEGACY_STEPS = 16, SHANI_V1_STEPS = 28 };

/// Legacy: nonces with low words lo ... lo + n - 1 (one block: groups 0...15).
SHANI_ATTR static inline void shani_legacy_begin(const shani_consts *k, uint32_t lo, shani_streams *t, int n) {
    for (int j = 0; j < n; j++) {
        t->w[j][0] = _mm_insert_epi32(k->m[0], (int)btpow_bswap32(lo + (uint32_t)j), 0);
        t->w[j][1] = k->m[1]; t->w[j][2] = k->m[2]; t->w[j][3] = k->m[3];
        t->s0[j] = k->abef; t->s1[j] = k->cdgh;
    }
}

SHANI_ATTR static inline void shani_schedule(shani_streams *t, int j, int g) {
    __m128i x = _mm_sha256msg1_epu32(t->w[j][g & 3], t->w[j][(g + 1) & 3]);
    x = _mm_add_epi32(x, _mm_alignr_epi8(t->w[j][(g + 3) & 3], t->w[j][(g + 2) & 3], 4));
    t->w[j][g & 3] = _mm_sha256msg2_epu32(x, t->w[j][(g + 3) & 3]);
}

SHANI_ATTR static inline void shani_legacy_step(const shani_consts *k, shani_streams *t, int g, int n) {
    (void)k;
    for (int j = 0; j < n; j++) {
        if (g >= 4) shani_schedule(t, j, g);
        SHANI_4ROUNDS(t->s0[j], t->s1[j], _mm_add_epi32(t->w[j][g & 3], shani_k(g)));
    }
}

SHANI_ATTR static inline void shani_legacy_finish(const shani_consts *k, shani_streams *t, __m128i *abef, __m128i *cdgh, int n) {
    for (int j = 0; j < n; j++) {
        abef[j] = _mm_add_epi32(t->s0[j], k->in_abef);
        cdgh[j] = _mm_add_epi32(t->s1[j], k->in_cdgh);
    }
}

/// v1: block 1 from round 14 (rounds 0...13 are per challenge), steps 0...11 = its groups 4...15,
/// steps 12...27 = block 2's groups 0...15.
SHANI_ATTR static inline void shani_v1_begin(const shani_consts *k, uint32_t lo, shani_streams *t, int n) {
    for (int j = 0; j < n; j++) {
        uint32_t l = lo + (uint32_t)j;
        // W14 low byte = nonce byte 0; W15 = nonce bytes 1...3, then byte 4 (already in the chunk's W15).
        t->w[j][3] = _mm_or_si128(k->m[3], _mm_set_epi32((int)(btpow_bswap32(l) << 8), (int)(l & 0xff), 0, 0));
        t->w[j][0] = k->m[0]; t->w[j][1] = k->m[1]; t->w[j][2] = k->m[2];
        __m128i mk = _mm_add_epi32(t->w[j][3], shani_k(3));
        // Rounds 14 and 15 (the high half of group 3) from the per-challenge state after round 13.
        t->s0[j] = _mm_sha256rnds2_epu32(k->cdgh, k->abef, _mm_shuffle_epi32(mk, 0x0e));
        t->s1[j] = k->abef;
    }
}

SHANI_ATTR static inline void shani_v1_step(const shani_consts *k, shani_streams *t, int s, int n) {
    for (int j = 0; j < n; j++) {
        if (s < 12) {
            shani_schedule(t, j, s + 4);
            SHANI_4ROUNDS(t->s0[j], t->s1[j], _mm_add_epi32(t->w[j][s & 3], shani_k(s + 4)));
        } else {
            if (s == 12) {
                t->m0[j] = t->s0[j] = _mm_add_epi32(t->s0[j], k->in_abef);
                t->m1[j] = t->s1[j] = _mm_add_epi32(t->s1[j], k->in_cdgh);
            }
            SHANI_4ROUNDS(t->s0[j], t->s1[j], k->kw2[s - 12]);
        }
    }
}

SHANI_ATTR static inline void shani_v1_finish(const shani_consts *k, shani_streams *t, __m128i *abef, __m128i *cdgh, int n) {
    (void)k;
    for (int j = 0; j < n; j++) {
        abef[j] = _mm_add_epi32(t->s0[j], t->m0[j]);
        cdgh[j] = _mm_add_epi32(t->s1[j], t->m1[j]);
    }
}

/// Steps lo ... hi - 1 of a scheme (compile-time bounds after the hook's expansion).
#define SHANI_STEPS(STEP, k, t, from, to, n) do { \
    _Pragma("clang loop unroll(full)") \
    for (int s_ = (from); s_ < (to); s_++) STEP(k, t, s_, n); \
} while (0)

/// The same as a loop (not unrolled): a step's code once. The hybrid's ten streams run faster this way in the
/// package's build (kernel_avx2.c, SHANI_HYBRID_PHASE).
#define SHANI_STEPS_ROLLED(STEP, k, t, from, to, n) do { \
    _Pragma("clang loop unroll(disable)") \
    for (int s_ = (from); s_ < (to); s_++) STEP(k, t, s_, n); \
} while (0)
