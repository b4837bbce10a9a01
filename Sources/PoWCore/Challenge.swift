/// Which challenge layout a seal is computed over (docs/chain-facts.md, "Legacy seal" and "v1 challenge").
public enum ChallengeScheme: String, Sendable, CaseIterable {
    /// The layout of bittensor's Python reference: keccak(block_hash ‖ hotkey), 40-byte pre-seal. Still used by the faucet.
    case legacy
    /// bittensor 11's `pow_register`: a 123-byte prefix and the nonce, 131 bytes hashed.
    case v1

    /// The rule the matching verifier applies: bittensor's Python reference checks big-endian, the v1 chain little-endian.
    public var defaultRule: DifficultyRule { self == .legacy ? .seedBigEndian : .chainLittleEndian }

    /// Blocks after which the chain refuses the work: stale when `current - block >= this`.
    public var staleAfterBlocks: UInt64 { self == .legacy ? 3 : 5 }
}

/// The legacy challenge of bittensor's Python reference: `block_and_hotkey_hash = keccak256(block_hash ‖ hotkey)`;
/// a seal is `keccak256(sha256(nonce_le ‖ block_and_hotkey_hash))`.
public struct LegacyChallenge: Hashable, Sendable {
    public let blockAndHotkeyHash: Bytes32
    /// The inputs, when known (a challenge can also be built from the hash alone).
    public let blockHash: Bytes32?
    /// The hashed key: the hotkey, or the coldkey in faucet mode.
    public let hotkey: Bytes32?

    /// bittensor's Python `_hash_block_with_hotkey`.
    public init(blockHash: Bytes32, hotkey: Bytes32) {
        self.blockHash = blockHash
        self.hotkey = hotkey
        self.blockAndHotkeyHash = Bytes32(Keccak256.hash(blockHash.bytes + hotkey.bytes))!
    }

    public init(blockAndHotkeyHash: Bytes32) {
        self.blockAndHotkeyHash = blockAndHotkeyHash
        self.blockHash = nil
        self.hotkey = nil
    }

    /// The 40 bytes bittensor's Python reference hashes for a nonce.
    public func preSeal(nonce: UInt64) -> [UInt8] {
        littleEndianBytes(nonce) + blockAndHotkeyHash.bytes
    }
}

/// The v1 challenge: prefix = "subtensor-pow-register-v1" ‖ netuid u16 LE ‖ block_hash ‖ hotkey ‖ coldkey.
public struct V1Challenge: Hashable, Sendable {
    public static let domainTag = Array("subtensor-pow-register-v1".utf8)

    public let netuid: UInt16
    public let blockHash: Bytes32
    public let hotkey: Bytes32
    public let coldkey: Bytes32

    public init(netuid: UInt16, blockHash: Bytes32, hotkey: Bytes32, coldkey: Bytes32) {
        self.netuid = netuid
        self.blockHash = blockHash
        self.hotkey = hotkey
        self.coldkey = coldkey
    }

    /// The 123 bytes in front of the nonce.
    public var prefix: [UInt8] {
        Self.domainTag + [UInt8(netuid & 0xff), UInt8(netuid >> 8)] + blockHash.bytes + hotkey.bytes + coldkey.bytes
    }
}

/// A challenge of either kind. Solvers only see its `PreparedChallenge`.
public enum Challenge: Hashable, Sendable {
    case legacy(LegacyChallenge)
    case v1(V1Challenge)

    public var scheme: ChallengeScheme {
        switch self {
        case .legacy: return .legacy
        case .v1: return .v1
        }
    }

    /// The bytes hashed by SHA-256 for this nonce (40 for legacy, 131 for v1).
    public func sealInput(nonce: UInt64) -> [UInt8] {
        switch self {
        case .legacy(let c): return c.preSeal(nonce: nonce)
        case .v1(let c): return c.prefix + littleEndianBytes(nonce)
        }
    }

    /// Seal by the general-purpose hashes: the slow, obviously-correct path.
    public func referenceSeal(nonce: UInt64) -> Bytes32 {
        Bytes32(Keccak256.hash(SHA256.hash(sealInput(nonce: nonce))))!
    }

    /// Seal by the fixed-size fast path.
    public func seal(nonce: UInt64) -> Bytes32 { prepared.seal(nonce: nonce) }

    /// Work done once per challenge so that each nonce costs only what depends on it.
    public var prepared: PreparedChallenge { PreparedChallenge(self) }
}

@usableFromInline
func littleEndianBytes(_ value: UInt64) -> [UInt8] {
    (0 ..< 8).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
}

/// The per-challenge constants of the seal computation, in fixed-size storage (no heap), for kernels.
///
/// - legacy: one SHA-256 block; `words[0...7]` are message words W2…W9 (block_and_hotkey_hash);
///   the nonce fills W0, W1; padding is constant. `midstate` is the SHA-256 initial value.
/// - v1: `midstate` is the state after the first 64 prefix bytes; `words[0...13]` are block 1's
///   words 0…13, `words[14]` holds word 14's three prefix bytes (low byte left for the nonce).
///   Block 2 is three nonce bytes, padding and the length 1048 bits.
public struct PreparedChallenge: Sendable, Equatable {
    public let scheme: ChallengeScheme
    public let midstate: SHA256State
    public let words: SIMD16<UInt32>

    public init(_ challenge: Challenge) {
        scheme = challenge.scheme
        var w = SIMD16<UInt32>(repeating: 0)
        switch challenge {
        case .legacy(let c):
            let bytes = c.blockAndHotkeyHash.bytes
            for i in 0 ..< 8 { w[i] = bigEndianWord(bytes, 4 * i) }
            midstate = .initial
        case .v1(let c):
            let prefix = c.prefix
            var state = SHA256State.initial
            prefix.withUnsafeBytes { state.compress(block: UnsafeRawBufferPointer(rebasing: $0[0 ..< 64])) }
            midstate = state
            let block1 = Array(prefix[64 ..< 123]) + [0]   // 60 bytes: 59 of prefix, then the nonce's first byte
            for i in 0 ..< 15 { w[i] = bigEndianWord(block1, 4 * i) }
        }
        words = w
    }

    /// The seal's four little-endian lanes for one nonce (the hot path; no allocation).
    @inlinable @inline(__always)
    public func sealLanes(nonce: UInt64) -> (UInt64, UInt64, UInt64, UInt64) {
        scheme == .legacy ? legacySealLanes(nonce: nonce) : v1SealLanes(nonce: nonce)
    }

    /// Legacy: one compression. Nonce LE bytes n0…n7 become big-endian words W0 = n0n1n2n3, W1 = n4n5n6n7.
    @inlinable @inline(__always)
    public func legacySealLanes(nonce: UInt64) -> (UInt64, UInt64, UInt64, UInt64) {
        let lo = UInt32(truncatingIfNeeded: nonce), hi = UInt32(truncatingIfNeeded: nonce >> 32)
        var s = SHA256State.initial
        s.compress(lo.byteSwapped, hi.byteSwapped, words[0], words[1], words[2], words[3],
                   words[4], words[5], words[6], words[7], 0x8000_0000, 0, 0, 0, 0, 320)
        return Self.keccakOfDigest(s)
    }

    /// v1: two compressions from the midstate; the nonce straddles blocks 1 and 2.
    @inlinable @inline(__always)
    public func v1SealLanes(nonce n: UInt64) -> (UInt64, UInt64, UInt64, UInt64) {
        var s = midstate
        let w14 = words[14] | UInt32(truncatingIfNeeded: n & 0xff)
        let w15 = UInt32(truncatingIfNeeded: n >> 8).byteSwapped   // bytes n1 n2 n3 n4
        let b2w0 = UInt32(truncatingIfNeeded: n >> 40).byteSwapped | 0x80   // n5 n6 n7 0x80
        s.compress(words[0], words[1], words[2], words[3], words[4], words[5], words[6], words[7],
                   words[8], words[9], words[10], words[11], words[12], words[13], w14, w15)
        s.compress(b2w0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1048)
        return Self.keccakOfDigest(s)
    }

    /// keccak256 of a 32-byte SHA-256 digest: one permutation.
    @inlinable @inline(__always)
    static func keccakOfDigest(_ s: SHA256State) -> (UInt64, UInt64, UInt64, UInt64) {
        @inline(__always) func lane(_ a: UInt32, _ b: UInt32) -> UInt64 {
            UInt64(a.byteSwapped) | UInt64(b.byteSwapped) << 32
        }
        var k = KeccakState()
        k.a0 = lane(s.h0, s.h1); k.a1 = lane(s.h2, s.h3); k.a2 = lane(s.h4, s.h5); k.a3 = lane(s.h6, s.h7)
        k.a4 = 0x01                       // Keccak padding start right after 32 bytes
        k.a16 = 0x8000_0000_0000_0000     // and its end at byte 135 of the 136-byte rate
        k.permute()
        return (k.a0, k.a1, k.a2, k.a3)
    }

    public func seal(nonce: UInt64) -> Bytes32 {
        let (a, b, c, d) = sealLanes(nonce: nonce)
        return Bytes32(w0: a, w1: b, w2: c, w3: d)
    }
}

private func bigEndianWord(_ bytes: [UInt8], _ at: Int) -> UInt32 {
    UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
}
