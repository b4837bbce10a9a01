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
        for i in 0 ..< 16 { put32(challenge.words[i], Offset.words + 4 * i) }
        if challenge.scheme == .v1 {
            for (i, word) in Self.roundsZeroToThirteen(from: m, words: challenge.words).enumerated() {
                put32(word, Offset.v1State + 4 * i)
            }
        }
        put32(target.rule.readsBigEndian ? 0 : 1, Offset.littleEndian)
        put32(challenge.scheme == .legacy ? 0 : 1, Offset.scheme)
        bytes = b
    }

    /// The working variables a…h after SHA-256 rounds 0…13 of v1's block 1, whose message words
    /// 0…13 are all prefix bytes: the same for every nonce, so the host does them once.
    static func roundsZeroToThirteen(from state: SHA256State, words: SIMD16<UInt32>) -> [UInt32] {
        let k: [UInt32] = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
                           0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe]
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var (a, b, c, d, e, f, g, h) = (state.h0, state.h1, state.h2, state.h3, state.h4, state.h5, state.h6, state.h7)
        for i in 0 ..< 14 {
            let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (g ^ (e & (f ^ g))) &+ k[i] &+ words[i]
            let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) | (c & (a | b)))
            (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        return [a, b, c, d, e, f, g, h]
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
