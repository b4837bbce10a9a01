// Portable parts: scalar SHA-256 / Keccak-f for per-chunk constants and candidate checks, the exact rule,
// and the chunking every vector kernel shares.
#include <string.h>
#include "internal.h"

const uint32_t btpow_sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t ssig0(uint32_t x) { return ror32(x, 7) ^ ror32(x, 18) ^ (x >> 3); }
static inline uint32_t ssig1(uint32_t x) { return ror32(x, 17) ^ ror32(x, 19) ^ (x >> 10); }

static void sha_expand(uint32_t w[64]) {
    for (int i = 16; i < 64; i++) w[i] = w[i - 16] + ssig0(w[i - 15]) + w[i - 7] + ssig1(w[i - 2]);
}

/// Rounds [from, to) on s with the expanded schedule w.
static void sha_rounds(uint32_t s[8], const uint32_t w[64], int from, int to) {
    uint32_t a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
    for (int i = from; i < to; i++) {
        uint32_t t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) + btpow_sha_k[i] + w[i];
        uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    s[0] = a; s[1] = b; s[2] = c; s[3] = d; s[4] = e; s[5] = f; s[6] = g; s[7] = h;
}

static void sha_compress(uint32_t s[8], const uint32_t block[16]) {
    uint32_t w[64], t[8];
    memcpy(w, block, 64);
    sha_expand(w);
    memcpy(t, s, 32);
    sha_rounds(t, w, 0, 64);
    for (int i = 0; i < 8; i++) s[i] += t[i];
}

static inline uint64_t rol64(uint64_t x, int n) { return n ? (x << n) | (x >> (64 - n)) : x; }

static void keccak_f(uint64_t a[25]) {
    static const uint64_t rc[24] = {
        0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808AULL, 0x8000000080008000ULL,
        0x000000000000808BULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
        0x000000000000008AULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000AULL,
        0x000000008000808BULL, 0x800000000000008BULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
        0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800AULL, 0x800000008000000AULL,
        0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
    };
    static const int rho[25] = {0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14};
    for (int r = 0; r < 24; r++) {
        uint64_t c[5], b[25];
        for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int i = 0; i < 25; i++) {
            int x = i % 5, y = i / 5;
            uint64_t d = c[(x + 4) % 5] ^ rol64(c[(x + 1) % 5], 1);
            b[y + 5 * ((2 * x + 3 * y) % 5)] = rol64(a[i] ^ d, rho[i]);
        }
        for (int i = 0; i < 25; i++) {
            int x = i % 5, y = i / 5;
            a[i] = b[i] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
        }
        a[0] ^= rc[r];
    }
}

void btpow_seal_scalar(const btpow_job *job, uint64_t nonce, uint64_t lanes[4]) {
    uint32_t s[8], w[16];
    uint32_t lo = (uint32_t)nonce, hi = (uint32_t)(nonce >> 32);
    memcpy(s, job->midstate, 32);
    if (job->scheme == BTPOW_SCHEME_LEGACY) {
        w[0] = btpow_bswap32(lo); w[1] = btpow_bswap32(hi);
        for (int i = 0; i < 8; i++) w[2 + i] = job->words[i];
        w[10] = 0x80000000u; w[11] = w[12] = w[13] = w[14] = 0; w[15] = 320;
        sha_compress(s, w);
    } else {
        for (int i = 0; i < 14; i++) w[i] = job->words[i];
        w[14] = job->words[14] | (lo & 0xff);
        w[15] = btpow_bswap32((uint32_t)(nonce >> 8));
        sha_compress(s, w);
        memset(w, 0, sizeof w);
        w[0] = btpow_bswap32((uint32_t)(nonce >> 40)) | 0x80;
        w[15] = 1048;
        sha_compress(s, w);
    }
    uint64_t a[25] = {0};
    for (int i = 0; i < 4; i++) a[i] = (uint64_t)btpow_bswap32(s[2 * i]) | (uint64_t)btpow_bswap32(s[2 * i + 1]) << 32;
    a[4] = 0x01;
    a[16] = 0x8000000000000000ULL;
    keccak_f(a);
    for (int i = 0; i < 4; i++) lanes[i] = a[i];
}

int32_t btpow_accepts(const btpow_job *job, const uint64_t l[4]) {
    uint64_t m[4];
    if (job->big_endian) {
        for (int i = 0; i < 4; i++) m[i] = btpow_bswap64(l[i]);
    } else {
        for (int i = 0; i < 4; i++) m[i] = l[3 - i];
    }
    for (int i = 0; i < 3; i++) {
        if (m[i] != job->threshold[i]) return m[i] < job->threshold[i];
    }
    return m[3] <= job->threshold[3];
}

int btpow_check_candidates(const btpow_job *job, uint64_t base, uint32_t mask, uint64_t *found) {
    while (mask) {
        int i = __builtin_ctz(mask);
        mask &= mask - 1;
        if (job->checked) *job->checked += 1;
        uint64_t lanes[4];
        btpow_seal_scalar(job, base + (uint64_t)i, lanes);
        if (btpow_accepts(job, lanes)) {
            *found = base + (uint64_t)i;
            return 1;
        }
    }
    return 0;
}

/// sst, sw and skw from w and st (the nonce's parts of c->w left zero; `first`: the first round a nonce reaches).
static void simd_block1_init(btpow_chunk *c, uint64_t varying, int first) {
    uint32_t w[64] = {0};
    memcpy(w, c->w, 64);
    for (int i = 16; i < 64; i++) {
        const int src[4] = {i - 16, i - 15, i - 7, i - 2};
        uint32_t term[4] = {w[i - 16], ssig0(w[i - 15]), w[i - 7], ssig1(w[i - 2])};
        w[i] = 0;
        for (int t = 0; t < 4; t++) {
            if (!((varying >> src[t]) & 1)) w[i] += term[t];
        }
        c->sw[i] = w[i];
    }
    for (int i = 0; i < 64; i++) c->skw[i] = btpow_sha_k[i] + w[i];
    memcpy(c->sst, c->st, 32);
    sha_rounds(c->sst, w, first, first + 1);
}

void btpow_chunk_init(btpow_chunk *c, const btpow_job *job, uint32_t hi) {
    memset(c, 0, sizeof *c);
    if (job->scheme == BTPOW_SCHEME_LEGACY) {
        c->w[0] = 0;
        c->w[1] = btpow_bswap32(hi);
        for (int i = 0; i < 8; i++) c->w[2 + i] = job->words[i];
        c->w[10] = 0x80000000u; c->w[15] = 320;
        memcpy(c->st, job->midstate, 32);
        memcpy(c->in, job->midstate, 32);
    } else {
        for (int i = 0; i < 15; i++) c->w[i] = job->words[i];
        c->w[15] = hi & 0xff;
        memcpy(c->in, job->midstate, 32);
        uint32_t w[64] = {0};
        memcpy(w, c->w, 64);   // rounds 0...13 read only words 0...13, which no nonce changes
        memcpy(c->st, job->midstate, 32);
        sha_rounds(c->st, w, 0, 14);
        uint32_t w2[64] = {0};
        w2[0] = btpow_bswap32(hi >> 8) | 0x80;
        w2[15] = 1048;
        sha_expand(w2);
        for (int i = 0; i < 64; i++) c->kw2[i] = btpow_sha_k[i] + w2[i];
    }
    simd_block1_init(c, job->scheme == BTPOW_SCHEME_LEGACY ? BTPOW_LEGACY_VARYING : BTPOW_V1_VARYING,
                     job->scheme == BTPOW_SCHEME_LEGACY ? 0 : 14);
}

int btpow_scan_chunks(btpow_chunk_fn fn, const btpow_job *job, uint64_t start, uint64_t count, uint64_t *found) {
    btpow_chunk chunk;
    uint64_t done = 0;
    while (done < count) {
        uint64_t n0 = start + done;
        uint64_t to_boundary = (uint64_t)1 << 32;
        to_boundary -= (uint32_t)n0;
        uint64_t len = count - done < to_boundary ? count - done : to_boundary;
        btpow_chunk_init(&chunk, job, (uint32_t)(n0 >> 32));
        if (fn(job, &chunk, n0, len, found)) return 1;
        done += len;
    }
    return 0;
}
