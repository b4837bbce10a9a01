import PoWCore

/// What the workers solve: one challenge, one difficulty rule, for one block.
public struct SolverWork: Sendable, Equatable {
    public let challenge: Challenge
    public let target: SealTarget
    public let blockNumber: UInt64
    /// The block's hash, when known; statistics show it.
    public let blockHash: Bytes32?

    public init(challenge: Challenge, difficulty: UInt64, rule: DifficultyRule? = nil,
                blockNumber: UInt64, blockHash: Bytes32? = nil) {
        self.challenge = challenge
        self.target = SealTarget(rule: rule ?? challenge.scheme.defaultRule, difficulty: difficulty)
        self.blockNumber = blockNumber
        self.blockHash = blockHash ?? {
            switch challenge {
            case .legacy(let c): return c.blockHash
            case .v1(let c): return c.blockHash
            }
        }()
    }

    public var difficulty: UInt64 { target.difficulty }
    public var rule: DifficultyRule { target.rule }

    /// Builds the solution for `nonce` from the independent reference path and keeps it only
    /// if it verifies: nothing a kernel returns reaches a caller unchecked.
    public func verifiedSolution(nonce: UInt64) -> PoWSolution? {
        let solution = PoWSolution(nonce: nonce, blockNumber: blockNumber, difficulty: target.difficulty,
                                   seal: challenge.referenceSeal(nonce: nonce), challenge: challenge, rule: target.rule)
        return solution.verify() ? solution : nil
    }
}

/// How workers choose nonces.
public enum NonceMode: Sendable, Equatable {
    /// bittensor's Python behaviour: each batch starts at a random nonce in [0, 2^64 - 1].
    case random
    /// Deterministic: the half-open range [start, end) in batch order; the engine returns the
    /// first solution in it whatever the number of threads.
    case range(start: UInt64, end: UInt64)
}
