/// How a seal is judged against a difficulty. The rules differ in byte order and in whether
/// the product may equal 2^256 - 1 (docs/chain-facts.md, "Difficulty rules"); all are exact at the boundary.
public enum DifficultyRule: String, Sendable, CaseIterable {
    /// bittensor's Python reference, `_seal_meets_difficulty`: big-endian seal, `seal * difficulty < 2^256 - 1`.
    case seedBigEndian = "seed"
    /// Today's chain (`hash_meets_difficulty` since 2025-05-30) and bittensor 11's v1 check:
    /// little-endian seal, `seal * difficulty <= 2^256 - 1`.
    case chainLittleEndian = "chain"
    /// The chain before 2025-05-30: big-endian seal, `seal * difficulty <= 2^256 - 1`.
    case chainBigEndian = "chain-be"

    /// Whether the seal is read as a big-endian number (byte 0 most significant).
    public var readsBigEndian: Bool { self != .chainLittleEndian }

    /// The largest seal value that passes, so the per-nonce test is one compare.
    public func threshold(difficulty: UInt64) -> UInt256 {
        // difficulty 0: every product is 0, which passes both forms of the test.
        guard difficulty != 0 else { return .max }
        switch self {
        case .seedBigEndian: return UInt256.max.subtracting(1).dividedBy(difficulty)   // seal*d <= 2^256-2
        case .chainLittleEndian, .chainBigEndian: return UInt256.max.dividedBy(difficulty)
        }
    }

    /// The seal's numeric value under this rule's byte order.
    public func value(of seal: Bytes32) -> UInt256 {
        readsBigEndian ? seal.bigEndianValue : seal.littleEndianValue
    }

    /// Direct test by multiplication (the form the Python reference and the chain use); used to check thresholds.
    public func meets(seal: Bytes32, difficulty: UInt64) -> Bool {
        let (product, overflow) = value(of: seal).multipliedReportingOverflow(by: difficulty)
        if overflow { return false }
        switch self {
        case .seedBigEndian: return product != .max
        case .chainLittleEndian, .chainBigEndian: return true
        }
    }
}

/// A difficulty rule bound to one difficulty: the threshold in the form the kernels compare.
public struct SealTarget: Sendable, Equatable {
    public let rule: DifficultyRule
    public let difficulty: UInt64
    /// Largest passing value, most significant word first.
    public let threshold: UInt256

    public init(rule: DifficultyRule, difficulty: UInt64) {
        self.rule = rule
        self.difficulty = difficulty
        self.threshold = rule.threshold(difficulty: difficulty)
    }

    /// An explicit threshold (tests of the exact boundary, custom targets). `difficulty` becomes the largest
    /// difficulty whose threshold is still >= this one: every seal this target accepts also meets it.
    public init(rule: DifficultyRule, threshold: UInt256) {
        self.rule = rule
        self.threshold = threshold
        var lo: UInt64 = 0, hi: UInt64 = .max   // rule.threshold(difficulty: 0) is .max, so 0 always qualifies
        while lo < hi {
            let mid = lo + (hi - lo) / 2 + 1
            if threshold <= rule.threshold(difficulty: mid) { lo = mid } else { hi = mid - 1 }
        }
        self.difficulty = lo
    }

    /// Seal lanes are the first four Keccak lanes (little-endian words of the seal bytes).
    @inlinable @inline(__always)
    public func accepts(lane0: UInt64, lane1: UInt64, lane2: UInt64, lane3: UInt64) -> Bool {
        let m0, m1, m2, m3: UInt64
        if rule.readsBigEndian {
            m0 = lane0.byteSwapped; m1 = lane1.byteSwapped; m2 = lane2.byteSwapped; m3 = lane3.byteSwapped
        } else {
            m0 = lane3; m1 = lane2; m2 = lane1; m3 = lane0
        }
        if m0 != threshold.hi { return m0 < threshold.hi }
        if m1 != threshold.midHi { return m1 < threshold.midHi }
        if m2 != threshold.midLo { return m2 < threshold.midLo }
        return m3 <= threshold.lo
    }

    public func accepts(_ seal: Bytes32) -> Bool {
        accepts(lane0: seal.w0, lane1: seal.w1, lane2: seal.w2, lane3: seal.w3)
    }
}

/// bittensor's Python `_registration_diff_pack` / `_unpack`: a u64 difficulty as two 32-bit words
/// `[high, low]`, the form it shares between processes.
public enum DifficultyPacking {
    public static func pack(_ difficulty: UInt64) -> (high: UInt32, low: UInt32) {
        (UInt32(truncatingIfNeeded: difficulty >> 32), UInt32(truncatingIfNeeded: difficulty))
    }

    public static func unpack(high: UInt32, low: UInt32) -> UInt64 {
        UInt64(high) << 32 | UInt64(low)
    }
}

/// The difficulty v1 work must meet, from a subnet's stored Difficulty, MinDifficulty and MaxDifficulty:
/// the stored value held between the floor (never below 1) and the ceiling, where a ceiling below the floor
/// cannot lower it: the floor wins (bittensor 11.3's `effective_difficulty` documents the chain's bounds so).
public enum EffectiveDifficulty {
    public static func clamp(_ difficulty: UInt64, minimum: UInt64, maximum: UInt64) -> UInt64 {
        let floor = max(1, minimum)
        return min(max(difficulty, floor), max(maximum, floor))
    }
}
