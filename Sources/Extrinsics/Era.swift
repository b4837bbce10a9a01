/// A transaction's lifetime (Substrate's `Era`): immortal, or valid for `period` blocks from its birth block.
/// Rules and encoding: docs/extrinsics.md, "Mortal era".
public enum Era: Sendable, Equatable {
    case immortal
    /// `period` is a power of two in 4...65536; `phase` is below it and a multiple of `period >> 12` (at least 1).
    case mortal(period: UInt64, phase: UInt64)

    /// The era period btpow uses for registration extrinsics (`faucet`, `pow_register`): 16 blocks.
    ///
    /// The chain accepts a proof only while its work block is a few blocks old (3 in subtensor's source, 5 in
    /// bittensor 11.3), so a registration that is not in a block by then fails anyway. 16 outlives that window
    /// with room for a slow pool, a retry and the era's birth block being the head a block or two before
    /// submission, and little more: a stale proof leaves the pool within about three minutes (12-second blocks)
    /// instead of the 128 blocks bittensor uses. It is also a power of two, so it is exactly the period encoded.
    public static let registrationPeriod: UInt64 = 16

    /// The era for a registration extrinsic whose era starts at block `current` (the head whose hash it signs).
    public static func registration(currentBlock current: UInt64) -> Era {
        mortal(requestedPeriod: registrationPeriod, currentBlock: current)
    }

    /// The mortal era Substrate's `Era::mortal(period, current)` makes: `period` rounded up to a power of two and
    /// clamped to 4...65536, phase `current % period` rounded down to the quantum `period >> 12` (at least 1).
    public static func mortal(requestedPeriod: UInt64, currentBlock current: UInt64) -> Era {
        let maximum: UInt64 = 1 << 16
        // The next power of two at or above the request (requests above the maximum need not be rounded).
        let rounded: UInt64 = requestedPeriod >= maximum ? maximum
            : requestedPeriod <= 1 ? 1 : 1 << UInt64(64 - (requestedPeriod - 1).leadingZeroBitCount)
        let period = min(max(rounded, 4), maximum)
        let quantum = max(period >> 12, 1)
        return .mortal(period: period, phase: current % period / quantum * quantum)
    }

    /// The SCALE bytes: `00` for immortal; two bytes little-endian for mortal, the low 4 bits
    /// `clamp(log2(period) - 1, 1, 15)` and the rest `phase / quantum`.
    public var encoded: [UInt8] {
        switch self {
        case .immortal:
            return [0]
        case .mortal(let period, let phase):
            let quantum = max(period >> 12, 1)
            let low = UInt64(min(max(period.trailingZeroBitCount - 1, 1), 15))
            let value = UInt16(truncatingIfNeeded: low | (phase / quantum) << 4)
            return [UInt8(value & 0xff), UInt8(value >> 8)]
        }
    }

    /// The first block of the era that contains block `current`: the block whose hash the signature commits to
    /// (for an immortal era, the genesis block, 0).
    public func birth(currentBlock current: UInt64) -> UInt64 {
        switch self {
        case .immortal: return 0
        case .mortal(let period, let phase): return (max(current, phase) - phase) / period * period + phase
        }
    }
}
