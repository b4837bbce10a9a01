import PoWSolver
import PoWCore

/// The per-challenge constants of the GPU kernel (`sk_params` in Sources/GPUKernels/seal_kernel.h),
/// packed little-endian in the kernel's layout: 168 bytes, uploaded to constant memory when the
/// challenge or the target changes.
public struct SealKernelParams: Equatable, Sendable {
    public static let size = 168
    /// Field offsets; the host-compiled kernel checks them against the C struct.
    public enum Offset {
        public static let threshold = 0, midstate = 32, words = 64, v1State = 128, littleEndian = 160, scheme = 164
    }

    public let scheme: ChallengeScheme
    public let bytes: [UInt8]

    public init(_ challenge: PreparedChallenge, target: SealTarget) {
        scheme = challenge.scheme
        var b = [UInt8](repeating: 0, count: Self.size)
        func put64(_ v: UInt64, _ at: Int) { for i in 0 ..< 8 { b[at + i] = UInt8(truncatingIfNeeded: v >> UInt64(8 * i)) } }
        func put32(_ v: UInt32, _ at: Int) { for i in 0 ..< 4 { b[at + i] = UInt8(truncatingIfNeeded: v >> UInt32(8 * i)) } }
        let t = target.threshold
        for (i, word) in [t.hi, t.midHi, t.midLo, t.lo].enumerated() { put64(word, Offset.threshold + 8 * i) }
        let m = challenge.midstate
        for (i, word) in [m.h0, m.h1, m.h2, m.h3, m.h4, m.h5, m.h6, m.h7].enumerated() { put32(word, Offset.midstate + 4 * i) }
        for (i, word) in Self.words(challenge).enumerated() { put32(word, Offset.words + 4 * i) }
        if challenge.scheme == .v1 {
            for (i, word) in Self.roundFourteen(Self.roundsZeroToThirteen(from: m, words: challenge.words),
                                                w14: challenge.words[14]).enumerated() {
                put32(word, Offset.v1State + 4 * i)
            }
        }
        put32(target.rule.readsBigEndian ? 0 : 1, Offset.littleEndian)
        put32(challenge.scheme == .legacy ? 0 : 1, Offset.scheme)
        bytes = b
    }

    static let k: [UInt32] = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
                              0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
                              0x9bdc06a7]
    static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
    static func s0(_ x: UInt32) -> UInt32 { rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3) }
    static func s1(_ x: UInt32) -> UInt32 { rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10) }

    /// The kernel's `words`. Legacy: W2…W9, then C17…C24; v1: C16…C28, W13, W14's prefix bytes, 0. C_i is the
    /// nonce-free part of schedule word W_i = s1(W[i-2]) + W[i-7] + s0(W[i-15]) + W[i-16]: the sum of its terms
    /// whose word is a constant of the block (not a nonce word, not itself a schedule word).
    static func words(_ c: PreparedChallenge) -> [UInt32] {
        let w = c.words
        switch c.scheme {
        case .legacy:
            let block: [UInt32] = [0, 0] + (0 ..< 8).map { w[$0] } + [0x8000_0000, 0, 0, 0, 0, 320]
            return Array(block[2 ... 9]) + scheduleConstants(block, nonceWords: [0, 1], rounds: 17 ... 24)
        case .v1:
            let block = (0 ..< 14).map { w[$0] } + [w[14], 0]
            return scheduleConstants(block, nonceWords: [14, 15], rounds: 16 ... 28) + [w[13], w[14], 0]
        }
    }

    static func scheduleConstants(_ block: [UInt32], nonceWords: Set<Int>, rounds: ClosedRange<Int>) -> [UInt32] {
        func constant(_ j: Int) -> Bool { j < 16 && !nonceWords.contains(j) }
        return rounds.map { i in
            var c: UInt32 = 0
            if constant(i - 2) { c &+= s1(block[i - 2]) }
            if constant(i - 7) { c &+= block[i - 7] }
            if constant(i - 15) { c &+= s0(block[i - 15]) }
            if constant(i - 16) { c &+= block[i - 16] }
            return c
        }
    }

    /// The working variables a…h after SHA-256 rounds 0…13 of v1's block 1, whose message words
    /// 0…13 are all prefix bytes: the same for every nonce, so the host does them once.
    static func roundsZeroToThirteen(from state: SHA256State, words: SIMD16<UInt32>) -> [UInt32] {
        var (a, b, c, d, e, f, g, h) = (state.h0, state.h1, state.h2, state.h3, state.h4, state.h5, state.h6, state.h7)
        for i in 0 ..< 14 {
            let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (g ^ (e & (f ^ g))) &+ k[i] &+ words[i]
            let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) | (c & (a | b)))
            (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        return [a, b, c, d, e, f, g, h]
    }

    /// Round 14 on top of `state` with W14 = its prefix bytes (nonce byte 0 taken as 0). The nonce byte only adds
    /// to t1, so the kernel adds it to the new a and e.
    static func roundFourteen(_ state: [UInt32], w14: UInt32) -> [UInt32] {
        let (a, b, c, d, e, f, g, h) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
        let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (g ^ (e & (f ^ g))) &+ k[14] &+ w14
        let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) | (c & (a | b)))
        return [t1 &+ t2, a, b, c, d &+ t1, e, f, g]
    }
}

/// What every GPU searcher shares: nonces per launch and how a batch is split into launches.
public enum GPUBatching {
    /// A launch covers at most this many nonces (offsets are 32-bit in the kernel).
    public static let maxLaunch: UInt64 = 1 << 31
    /// The result word's "nothing found" value, written before every launch.
    public static let noSolution: UInt32 = .max

    /// bittensor's Python GPU batch: `update_interval × tpb` nonces (at least 1, saturating instead of overflowing).
    public static func batchSize(updateInterval: UInt64, threadsPerBlock tpb: Int) -> UInt64 {
        let (n, overflow) = updateInterval.multipliedReportingOverflow(by: UInt64(max(1, tpb)))
        return overflow ? .max : max(1, n)
    }

    /// Covers `count` nonces from `start` in launches of at most `maxLaunch`, in nonce order, and
    /// stops at the first launch that reports a solving offset: that nonce is the batch's lowest,
    /// and `hashed` counts exactly the nonces up to it.
    static func search(start: UInt64, count: UInt64, maxLaunch: UInt64,
                       launch: (_ start: UInt64, _ count: UInt32) throws -> UInt32?) rethrows -> BatchResult {
        var done: UInt64 = 0
        while done < count {
            let n = UInt32(min(count - done, maxLaunch))
            if let offset = try launch(start &+ done, n) {
                return BatchResult(nonce: start &+ done &+ UInt64(offset), hashed: done + UInt64(offset) + 1)
            }
            done += UInt64(n)
        }
        return BatchResult(nonce: nil, hashed: count)
    }
}
