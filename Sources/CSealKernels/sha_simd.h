// SHA-256 across the lanes of one vector (one nonce per 32-bit lane), for S_CHAINS vectors side by side, included
// once per ISA with: SV (vector type), S_CHAINS (1 or 2), S_ATTR (function attributes), S_NAME(x) (symbol prefix),
// S_SET1(u32), S_ADD, S_XOR3, S_ROR(v, n), S_SHR(v, n), S_CH(e, f, g) = e ? f : g, S_MAJ(a, b, c).
// What no nonce reaches is done once per chunk (btpow_chunk_init: sst, sw, skw, kw2); the rest here.

#define S_BSIG0(x) S_XOR3(S_ROR(x, 2), S_ROR(x, 13), S_ROR(x, 22))
#define S_BSIG1(x) S_XOR3(S_ROR(x, 6), S_ROR(x, 11), S_ROR(x, 25))
#define S_SSIG0(x) S_XOR3(S_ROR(x, 7), S_ROR(x, 18), S_SHR(x, 3))
#define S_SSIG1(x) S_XOR3(S_ROR(x, 17), S_ROR(x, 19), S_SHR(x, 10))
// One round. h + K + W first: h is known three rounds ahead, so after Σ1 the chain to the next e is two adds (three
// in the compiled code when K + W came after Σ1; avx512 on Zen 4, 2026-12-01: +1 % for both schemes).
#define S_ROUND(a, b, c, d, e, f, g, h, kw) do { \
    SV u_ = S_ADD(h, kw); \
    SV sc_ = S_ADD(S_BSIG1(e), S_CH(e, f, g)); \
    SV t1_ = S_ADD(sc_, u_); \
    SV t2_ = S_ADD(S_BSIG0(a), S_MAJ(a, b, c)); \
    d = S_ADD(sc_, S_ADD(d, u_)); \
    h = S_ADD(t1_, t2_); \
} while (0)

/// Rounds [from, 64) of S_CHAINS independent states st[j] (groups of lanes) in step, with K + W given by KW(j, i).
/// A state's rounds are one dependency chain (each round needs the last one's a and e); a second chain beside it
/// is independent work for the out-of-order core (docs/kernels.md). No copies between rounds: round n after
/// `from` finds a...h in slots (0 - n)...(7 - n) mod 8 and writes its new a and e over h and d.
#define S_ROUNDS(st, from, KW) do { \
    SV s_[S_CHAINS][8]; \
    for (int j_ = 0; j_ < S_CHAINS; j_++) { \
        for (int k_ = 0; k_ < 8; k_++) s_[j_][k_] = st[j_][k_]; \
    } \
    _Pragma("clang loop unroll(full)") \
    for (int i = (from); i < 64; i++) { \
        const int n_ = i - (from); \
        _Pragma("clang loop unroll(full)") \
        for (int j = 0; j < S_CHAINS; j++) { \
            SV *x_ = s_[j]; \
            S_ROUND(x_[(8 - n_) & 7], x_[(9 - n_) & 7], x_[(10 - n_) & 7], x_[(11 - n_) & 7], \
                    x_[(12 - n_) & 7], x_[(13 - n_) & 7], x_[(14 - n_) & 7], x_[(15 - n_) & 7], KW(j, i)); \
        } \
    } \
    for (int j_ = 0; j_ < S_CHAINS; j_++) { \
        for (int k_ = 0; k_ < 8; k_++) st[j_][k_] = s_[j_][(k_ + 8 - ((64 - (from)) & 7)) & 7]; \
    } \
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

#define KW_(j, i) (((varying >> (i)) & 1) ? S_ADD(w[j][i], S_SET1(btpow_sha_k[i])) : S_SET1(ch->skw[i]))

/// Block 1 of each lane group from round `first` + 1: ch->sst is the state after round `first` (the first a nonce
/// reaches) with the nonce's part of W[first], part[j], left out; that round adds W[first] to a and e only, so
/// part[j] goes there.
#define S_BLOCK1(ch, w, part, first, varying, st) do { \
    for (int j_ = 0; j_ < S_CHAINS; j_++) { \
        S_NAME(expand)(ch, w[j_], varying); \
        for (int i_ = 0; i_ < 8; i_++) st[j_][i_] = S_SET1(ch->sst[i_]); \
        st[j_][0] = S_ADD(st[j_][0], part[j_]); \
        st[j_][4] = S_ADD(st[j_][4], part[j_]); \
    } \
    S_ROUNDS(st, (first) + 1, KW_); \
} while (0)

/// Legacy, S_CHAINS lane groups: one block; w0[j] = group j's W0 (nonce low word, byte-swapped). out[j] = its
/// digest words h0...h7.
S_ATTR static inline void S_NAME(sha_legacy)(const btpow_chunk *ch, const SV w0[S_CHAINS], SV out[S_CHAINS][8]) {
    const uint64_t varying = BTPOW_LEGACY_VARYING;
    SV w[S_CHAINS][64], st[S_CHAINS][8];
    for (int j = 0; j < S_CHAINS; j++) w[j][0] = w0[j];
    S_BLOCK1(ch, w, w0, 0, varying, st);
    for (int j = 0; j < S_CHAINS; j++) {
        for (int i = 0; i < 8; i++) out[j][i] = S_ADD(st[j][i], S_SET1(ch->in[i]));
    }
}

/// v1, S_CHAINS lane groups: block 1 from round 14 (rounds 0...13 are per challenge), W14 = ch->w[14] + byte14[j]
/// (the nonce's low byte; the chunk's W14 has a zero low byte, so + is |) and W15 = w15[j]; then block 2, whose
/// K + W is per chunk.
S_ATTR static inline void S_NAME(sha_v1)(const btpow_chunk *ch, const SV byte14[S_CHAINS], const SV w15[S_CHAINS],
                                         SV out[S_CHAINS][8]) {
    const uint64_t varying = BTPOW_V1_VARYING;
    SV w[S_CHAINS][64], st[S_CHAINS][8], mid[S_CHAINS][8];
    for (int j = 0; j < S_CHAINS; j++) {
        w[j][14] = S_ADD(S_SET1(ch->w[14]), byte14[j]);
        w[j][15] = w15[j];
    }
    S_BLOCK1(ch, w, byte14, 14, varying, st);
    for (int j = 0; j < S_CHAINS; j++) {
        for (int i = 0; i < 8; i++) { mid[j][i] = S_ADD(st[j][i], S_SET1(ch->in[i])); st[j][i] = mid[j][i]; }
    }
#define KW2_(j, i) S_SET1(ch->kw2[i])
    S_ROUNDS(st, 0, KW2_);
#undef KW2_
    for (int j = 0; j < S_CHAINS; j++) {
        for (int i = 0; i < 8; i++) out[j][i] = S_ADD(st[j][i], mid[j][i]);
    }
}

#undef KW_
#undef S_BLOCK1
#undef S_BSIG0
#undef S_BSIG1
#undef S_SSIG0
#undef S_SSIG1
#undef S_ROUND
#undef S_ROUNDS
