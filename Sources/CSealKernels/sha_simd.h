// SHA-256 across the lanes of one vector (one nonce per 32-bit lane), included once per ISA with:
//   SV (vector type), S_ATTR (function attributes), S_NAME(x) (symbol prefix), S_SET1(u32), S_ADD, S_XOR3,
//   S_ROR(v, n), S_SHR(v, n), S_CH(e, f, g) = e ? f : g, S_MAJ(a, b, c).
// Words that no nonce changes are broadcasts of chunk constants: inlined into the chunk loop, everything
// computed only from them (early schedule terms, round 0 of legacy) is hoisted out of the loop by the compiler.

#define S_BSIG0(x) S_XOR3(S_ROR(x, 2), S_ROR(x, 13), S_ROR(x, 22))
#define S_BSIG1(x) S_XOR3(S_ROR(x, 6), S_ROR(x, 11), S_ROR(x, 25))
#define S_SSIG0(x) S_XOR3(S_ROR(x, 7), S_ROR(x, 18), S_SHR(x, 3))
#define S_SSIG1(x) S_XOR3(S_ROR(x, 17), S_ROR(x, 19), S_SHR(x, 10))
// One round. h + K + W first: h is known three rounds ahead, so the chain from e to the next e is Σ1, then two
// adds (with K + W added after Σ1 it was three; avx512 on Zen 4, 2026-12-01: +1 % for both schemes).
#define S_ROUND(a, b, c, d, e, f, g, h, kw) do { \
    SV u_ = S_ADD(h, kw); \
    SV s_ = S_ADD(S_BSIG1(e), S_CH(e, f, g)); \
    SV t1_ = S_ADD(s_, u_); \
    SV t2_ = S_ADD(S_BSIG0(a), S_MAJ(a, b, c)); \
    d = S_ADD(s_, S_ADD(d, u_)); \
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

/// The schedule words a nonce reaches (bit i of `varying`: BTPOW_LEGACY_VARYING or BTPOW_V1_VARYING, a
/// compile-time constant), each as the per-chunk sum of its unreached terms (ch->sw[i]) plus the reached ones.
/// The other words are never computed here: their K + W is ch->skw[i].
S_ATTR static inline void S_NAME(expand)(const btpow_chunk *ch, SV w[64], uint64_t varying) {
#define VAR_(j) ((varying >> (j)) & 1)
    _Pragma("clang loop unroll(full)")
    for (int i = 16; i < 64; i++) {
        if (!VAR_(i)) continue;
        SV v = S_SET1(0);
        int terms = 0;
        if (VAR_(i - 16)) { v = w[i - 16]; terms++; }
        if (VAR_(i - 15)) { v = terms++ ? S_ADD(v, S_SSIG0(w[i - 15])) : S_SSIG0(w[i - 15]); }
        if (VAR_(i - 7)) { v = terms++ ? S_ADD(v, w[i - 7]) : w[i - 7]; }
        if (VAR_(i - 2)) { v = terms++ ? S_ADD(v, S_SSIG1(w[i - 2])) : S_SSIG1(w[i - 2]); }
        w[i] = terms == 4 ? v : S_ADD(v, S_SET1(ch->sw[i]));
    }
#undef VAR_
}

#define KW_(i) (((varying >> (i)) & 1) ? S_ADD(w[i], S_SET1(btpow_sha_k[i])) : S_SET1(ch->skw[i]))

/// Block 1 from round `first` + 1: ch->sst is the state after round `first` (the first a nonce reaches) with
/// the nonce's part of W[first], `part`, left out; that round adds W[first] to a and e only, so `part` goes there.
#define S_BLOCK1(ch, w, part, first, varying, st) do { \
    S_NAME(expand)(ch, w, varying); \
    for (int i_ = 0; i_ < 8; i_++) st[i_] = S_SET1(ch->sst[i_]); \
    st[0] = S_ADD(st[0], part); \
    st[4] = S_ADD(st[4], part); \
    S_ROUNDS(st, (first) + 1, KW_); \
} while (0)

/// Legacy: one block; w0 = per-lane W0 (nonce low word, byte-swapped). out = the digest words h0...h7.
S_ATTR static inline void S_NAME(sha_legacy)(const btpow_chunk *ch, SV w0, SV out[8]) {
    const uint64_t varying = BTPOW_LEGACY_VARYING;
    SV w[64], st[8];
    w[0] = w0;
    S_BLOCK1(ch, w, w0, 0, varying, st);
    for (int i = 0; i < 8; i++) out[i] = S_ADD(st[i], S_SET1(ch->in[i]));
}

/// v1: block 1 from round 14 (rounds 0...13 are per challenge), W14 = ch->w[14] | byte14 (the nonce's low
/// byte) and per-lane W15; then block 2, whose K + W is per chunk.
S_ATTR static inline void S_NAME(sha_v1)(const btpow_chunk *ch, SV byte14, SV w15, SV out[8]) {
    const uint64_t varying = BTPOW_V1_VARYING;
    SV w[64], st[8], mid[8];
    w[14] = S_ADD(S_SET1(ch->w[14]), byte14);
    w[15] = w15;
    S_BLOCK1(ch, w, byte14, 14, varying, st);
    for (int i = 0; i < 8; i++) { mid[i] = S_ADD(st[i], S_SET1(ch->in[i])); st[i] = mid[i]; }
#define KW2_(i) S_SET1(ch->kw2[i])
    S_ROUNDS(st, 0, KW2_);
#undef KW2_
    for (int i = 0; i < 8; i++) out[i] = S_ADD(st[i], mid[i]);
}

#undef KW_
#undef S_BLOCK1
#undef S_BSIG0
#undef S_BSIG1
#undef S_SSIG0
#undef S_SSIG1
#undef S_ROUND
#undef S_ROUNDS
