import PoWCore

/// The result of one batch: a solution nonce if one was seen, and exactly how many nonces were hashed.
public struct BatchResult: Sendable, Equatable {
    public var nonce: UInt64?
    public var hashed: UInt64
    public init(nonce: UInt64?, hashed: UInt64) { self.nonce = nonce; self.hashed = hashed }
}

/// One worker's way of hashing batches. The engine gives each worker thread its own searcher,
/// so implementations may keep per-device state (a GPU context, buffers) without locks.
public protocol NonceSearcher: AnyObject {
    /// Shown in statistics and logs, e.g. "cpu:avx512-shani" or "cuda:0".
    var label: String { get }
    /// Nonces one batch covers for bittensor's `update_interval` (its Python reference's batch).
    func batchSize(updateInterval: UInt64) -> UInt64
    /// Searches `count` nonces from `start`. CPU searchers return the first solution in order.
    func search(_ challenge: PreparedChallenge, target: SealTarget, start: UInt64, count: UInt64) throws -> BatchResult
}

/// A CPU thread running a `SealKernel`.
public final class KernelSearcher: NonceSearcher {
    public let kernel: any SealKernel
    public init(kernel: any SealKernel) { self.kernel = kernel }

    public var label: String { "cpu:\(kernel.name)" }
    public func batchSize(updateInterval: UInt64) -> UInt64 { updateInterval }

    public func search(_ challenge: PreparedChallenge, target: SealTarget, start: UInt64, count: UInt64) -> BatchResult {
        if let nonce = kernel.firstSolution(challenge, target: target, start: start, count: count) {
            return BatchResult(nonce: nonce, hashed: nonce &- start &+ 1)
        }
        return BatchResult(nonce: nil, hashed: count)
    }
}
