// SHA-256 across the lanes of one vector (one nonce per 32-bit lane), included once per ISA with:
//   SV (vector type), S_ATTR (function attributes), S_NAME(x) (symbol prefix), S_SET1(u32), S_ADD, S_XOR3,
//   S_ROR(v, n), S_SHR(v, n), S_CH(e, f, g) = e ? f : g, S_MAJ(a, b, c).
// Words that no nonce changes are broadcasts of chunk constants: inlined into the chunk loop, everything
// computed only from them (early schedule terms, round 0 of legacy) is hoisted out of the loop by the compiler.

#define S_BSIG0(x) S_XOR3(S_ROR(x, 2), S_ROR(x, 13), S_ROR(x, 22))
#define S_BSIG1(x) S_XOR3(S_ROR(x, 6), S_ROR(x, 11), S_ROR(x, 25))
#define S_SSIG0(x) S_XOR3(S_ROR(x, 7), S_ROR(x, 18), S_SHR(x, 3))
#define S_SSIG1(x) S_XOR3(S_ROR(x, 17), S_ROR(x, 19), S_SHR(x, 10))
#define S_ROUND(a, b, c, d, e, f, g, h, kw) do { \
    SV t1_ = S_ADD(S_ADD(S_ADD(h, S_BSIG1(e)), S_CH(e, f, g)), kw); \
    SV t2_ = S_ADD(S_BSIG0(a), S_MAJ(a, b, c)); \
    d = S_ADD(d, t1_); \
    h = S_ADD(t1_, t2_); \
} while (0)

/// Rounds [from, 64) on st (state a...h) with K + W given by kw(i).
#define S_ROUNDS(st, from, KW) do { \
    SV a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7]; \
    _Pragma("clang loop unroll(full)") \
    for (int i = (from); i < 64; i++) { \
        S_ROUND(a, b, c, d, e, f, g, h, KW(i)); \
        SV t_ = h; h = g; g = f; f = e; e = d; d = c; c = b; b = a; a = t_; \
    } \
    st[0] = a; st[1] = b; st[2] = c; st[3] = d; st[4] = e; st[5] = f; st[6] = g; st[7] = h; \
} while (0)

S_ATTR static inline void S_NAME(expand)(SV w[64]) {
    _Pragma("clang loop unroll(full)")
    for (int i = 16; i < 64; i++) w[i] = S_ADD(S_ADD(w[i - 16], S_SSIG0(w[i - 15])), S_ADD(w[i - 7], S_SSIG1(w[i - 2])));
}

/// Legacy: one block; w0 = per-lane W0 (nonce low word, byte-swapped). out = the digest words h0...h7.
S_ATTR static inline void S_NAME(sha_legacy)(const btpow_chunk *ch, SV w0, SV out[8]) {
    SV w[64], st[8];
    w[0] = w0;
    for (int i = 1; i < 16; i++) w[i] = S_SET1(ch->w[i]);
    S_NAME(expand)(w);
    for (int i = 0; i < 8; i++) st[i] = S_SET1(ch->st[i]);
#define KW_(i) S_ADD(w[i], S_SET1(btpow_sha_k[i]))
    S_ROUNDS(st, 0, KW_);
#undef KW_
    for (int i = 0; i < 8; i++) out[i] = S_ADD(st[i], S_SET1(ch->in[i]));
}

/// v1: block 1 from round 14 (rounds 0...13 are per challenge) with per-lane W14, W15, then block 2.
S_ATTR static inline void S_NAME(sha_v1)(const btpow_chunk *ch, SV w14, SV w15, SV out[8]) {
    SV w[64], st[8], mid[8];
    for (int i = 0; i < 14; i++) w[i] = S_SET1(ch->w[i]);
    w[14] = w14;
    w[15] = w15;
    S_NAME(expand)(w);
    for (int i = 0; i < 8; i++) st[i] = S_SET1(ch->st[i]);
#define KW_(i) S_ADD(w[i], S_SET1(btpow_sha_k[i]))
    S_ROUNDS(st, 14, KW_);
#undef KW_
    for (int i = 0; i < 8; i++) { mid[i] = S_ADD(st[i], S_SET1(ch->in[i])); st[i] = mid[i]; }
#define KW_(i) S_SET1(ch->kw2[i])
    S_ROUNDS(st, 0, KW_);
#undef KW_
    for (int i = 0; i < 8; i++) out[i] = S_ADD(st[i], mid[i]);
}

#undef S_BSIG0
#undef S_BSIG1
#undef S_SSIG0
#undef S_SSIG1
#undef S_ROUND
#undef S_ROUNDS
