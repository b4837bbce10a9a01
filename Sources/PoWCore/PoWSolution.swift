/// A nonce that solves a challenge, with everything needed to re-check and submit it
/// (bittensor's Python `POWSolution`, plus the challenge and rule it was solved under).
public struct PoWSolution: Sendable, Equatable {
    public let nonce: UInt64
    /// The block whose hash built the challenge ("work block").
    public let blockNumber: UInt64
    public let difficulty: UInt64
    public let seal: Bytes32
    public let challenge: Challenge
    public let rule: DifficultyRule

    public init(nonce: UInt64, blockNumber: UInt64, difficulty: UInt64, seal: Bytes32,
                challenge: Challenge, rule: DifficultyRule) {
        self.nonce = nonce
        self.blockNumber = blockNumber
        self.difficulty = difficulty
        self.seal = seal
        self.challenge = challenge
        self.rule = rule
    }

    public var scheme: ChallengeScheme { challenge.scheme }

    /// The hash of the block the work was done on, when the challenge was built from it.
    public var blockHash: Bytes32? {
        switch challenge {
        case .legacy(let l): return l.blockHash
        case .v1(let v): return v.blockHash
        }
    }

    /// Recomputes the seal with the general-purpose hashes and applies the rule by multiplication:
    /// an independent path from the kernels that found it.
    public func verify() -> Bool {
        challenge.referenceSeal(nonce: nonce) == seal && rule.meets(seal: seal, difficulty: difficulty)
    }

    /// Whether the chain would refuse this work at `currentBlock`: `current - block >= 3` for
    /// legacy and `>= 5` for v1. (bittensor's Python reference used `block < current - 3`, calling
    /// work exactly three blocks old fresh although the chain refused it: docs/chain-facts.md, "Stale work".)
    public func isStale(currentBlock: UInt64) -> Bool {
        guard currentBlock > blockNumber else { return false }
        return currentBlock - blockNumber >= scheme.staleAfterBlocks
    }
}

// Codable is not part of Embedded Swift; everything else in PoWCore builds there too (tools/arm64_check.sh).
#if !hasFeature(Embedded)
extension ChallengeScheme: Codable {}
extension DifficultyRule: Codable {}

extension PoWSolution: Codable {
    enum CodingKeys: String, CodingKey {
        case nonce, seal, difficulty, scheme, rule, netuid, hotkey, coldkey
        case blockNumber = "block_number"
        case blockHash = "block_hash"
        case blockAndHotkeyHash = "block_and_hotkey_hash"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(nonce, forKey: .nonce)
        try c.encode(blockNumber, forKey: .blockNumber)
        try c.encode(difficulty, forKey: .difficulty)
        try c.encode(seal.hex, forKey: .seal)
        try c.encode(scheme, forKey: .scheme)
        try c.encode(rule, forKey: .rule)
        switch challenge {
        case .legacy(let l):
            try c.encode(l.blockAndHotkeyHash.hex, forKey: .blockAndHotkeyHash)
            try c.encodeIfPresent(l.blockHash?.hex, forKey: .blockHash)
            try c.encodeIfPresent(l.hotkey?.hex, forKey: .hotkey)
        case .v1(let v):
            try c.encode(v.netuid, forKey: .netuid)
            try c.encode(v.blockHash.hex, forKey: .blockHash)
            try c.encode(v.hotkey.hex, forKey: .hotkey)
            try c.encode(v.coldkey.hex, forKey: .coldkey)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func bytes32(_ key: CodingKeys) throws -> Bytes32 {
            let text = try c.decode(String.self, forKey: key)
            do { return try Bytes32(hex: text) } catch {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(key.stringValue): \(error)")
            }
        }
        nonce = try c.decode(UInt64.self, forKey: .nonce)
        blockNumber = try c.decode(UInt64.self, forKey: .blockNumber)
        difficulty = try c.decode(UInt64.self, forKey: .difficulty)
        seal = try bytes32(.seal)
        let scheme = try c.decode(ChallengeScheme.self, forKey: .scheme)
        rule = try c.decodeIfPresent(DifficultyRule.self, forKey: .rule) ?? scheme.defaultRule
        switch scheme {
        case .legacy:
            if c.contains(.blockHash) && c.contains(.hotkey) {
                challenge = .legacy(LegacyChallenge(blockHash: try bytes32(.blockHash), hotkey: try bytes32(.hotkey)))
            } else {
                challenge = .legacy(LegacyChallenge(blockAndHotkeyHash: try bytes32(.blockAndHotkeyHash)))
            }
        case .v1:
            challenge = .v1(V1Challenge(netuid: try c.decode(UInt16.self, forKey: .netuid),
                                        blockHash: try bytes32(.blockHash), hotkey: try bytes32(.hotkey),
                                        coldkey: try bytes32(.coldkey)))
        }
    }
}
#endif
