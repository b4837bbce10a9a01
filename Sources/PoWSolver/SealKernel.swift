import PoWCore

/// Hashes a batch of nonces for one prepared challenge: the hot core every CPU worker runs.
/// Implementations allocate nothing per nonce and hold no per-call state, so one value can
/// serve every thread.
public protocol SealKernel: Sendable {
    /// Stable name shown by `btpow bench` and accepted by `--kernel`.
    var name: String { get }
    /// Scans `start, start + 1, …` (wrapping at 2^64) for `count` nonces in order and returns the
    /// first whose seal `target` accepts, or nil.
    func firstSolution(_ challenge: PreparedChallenge, target: SealTarget, start: UInt64, count: UInt64) -> UInt64?
}

/// Portable scalar Swift: the baseline on every architecture.
public struct ScalarSwiftKernel: SealKernel {
    public init() {}
    public var name: String { "swift-scalar" }

    public func firstSolution(_ challenge: PreparedChallenge, target: SealTarget, start: UInt64, count: UInt64) -> UInt64? {
        // One loop per scheme, so no scheme test runs per nonce.
        var i: UInt64 = 0
        switch challenge.scheme {
        case .legacy:
            while i < count {
                let nonce = start &+ i
                let (l0, l1, l2, l3) = challenge.legacySealLanes(nonce: nonce)
                if target.accepts(lane0: l0, lane1: l1, lane2: l2, lane3: l3) { return nonce }
                i &+= 1
            }
        case .v1:
            while i < count {
                let nonce = start &+ i
                let (l0, l1, l2, l3) = challenge.v1SealLanes(nonce: nonce)
                if target.accepts(lane0: l0, lane1: l1, lane2: l2, lane3: l3) { return nonce }
                i &+= 1
            }
        }
        return nil
    }
}
