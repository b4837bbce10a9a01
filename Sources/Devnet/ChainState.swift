import PoWCore
import ChainCodec

/// One subnet's registration parameters and members, as the SubtensorModule storage holds them.
public struct SubnetState: Sendable, Equatable {
    public var difficulty: UInt64
    public var minDifficulty: UInt64
    public var maxDifficulty: UInt64
    public var powRegistrationAllowed: Bool
    public var maxRegistrationsPerBlock: UInt16
    public var registrationsThisBlock: UInt16
    /// Uids(netuid, hotkey).
    public var uids: [Bytes32: UInt16]

    init(difficulty: UInt64, minDifficulty: UInt64 = 1, maxDifficulty: UInt64 = UInt64.max / 4,
                powRegistrationAllowed: Bool = true, maxRegistrationsPerBlock: UInt16 = 1) {
        self.difficulty = difficulty
        self.minDifficulty = minDifficulty
        self.maxDifficulty = maxDifficulty
        self.powRegistrationAllowed = powRegistrationAllowed
        self.maxRegistrationsPerBlock = maxRegistrationsPerBlock
        self.registrationsThisBlock = 0
        self.uids = [:]
    }

    /// The difficulty v1 work must meet here (`EffectiveDifficulty`).
    public var clampedDifficulty: UInt64 {
        EffectiveDifficulty.clamp(difficulty, minimum: minDifficulty, maximum: maxDifficulty)
    }

    /// The next UID: members are appended (the devnet never prunes).
    var nextUID: UInt16 { UInt16(truncatingIfNeeded: uids.count) }
}

/// Everything the devnet stores, snapshotted per block (copy-on-write, so cheap to keep).
public struct ChainState: Sendable, Equatable {
    /// NetworksAdded and the per-subnet items. Root (0) is always present, without PoW registration.
    public var subnets: [UInt16: SubnetState] = [:]
    /// LastPowRegistrationBlock(hotkey), set by v1 registrations to the work block.
    public var lastPoWRegistrationBlock: [Bytes32: UInt64] = [:]
    /// UsedWork: seals already accepted (legacy path and faucet).
    public var usedWork: Set<Bytes32> = []
    /// Balance credited by the faucet, per coldkey (not served as storage).
    public var faucetCredits: [Bytes32: UInt64] = [:]

    init() {}

    /// A deterministic digest of the state, for the header's stateRoot.
    var digest: Bytes32 {
        var bytes: [UInt8] = Array("btpow-devnet-state".utf8)
        func u64(_ v: UInt64) { for i in 0 ..< 8 { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) } }
        for netuid in subnets.keys.sorted() {
            let s = subnets[netuid]!
            u64(UInt64(netuid)); u64(s.difficulty); u64(s.minDifficulty); u64(s.maxDifficulty)
            u64(s.powRegistrationAllowed ? 1 : 0); u64(UInt64(s.maxRegistrationsPerBlock)); u64(UInt64(s.registrationsThisBlock))
            for (hotkey, uid) in s.uids.sorted(by: { $0.value < $1.value }) { bytes += hotkey.bytes; u64(UInt64(uid)) }
        }
        for (hotkey, block) in lastPoWRegistrationBlock.sorted(by: { $0.key.hex < $1.key.hex }) { bytes += hotkey.bytes; u64(block) }
        for seal in usedWork.sorted(by: { $0.hex < $1.hex }) { bytes += seal.bytes }
        return Bytes32(Keccak256.hash(bytes))!
    }
}

/// A block header with the fields a Substrate node returns for `chain_getHeader`.
public struct BlockHeader: Sendable, Equatable {
    public let number: UInt64
    public let hash: Bytes32
    public let parentHash: Bytes32
    public let stateRoot: Bytes32
    public let extrinsicsRoot: Bytes32

    /// Substrate's header JSON: the number as a `0x` hex string without leading zeros, an empty digest.
    public var json: JSONValue {
        .object([
            "parentHash": .string(parentHash.hex),
            "number": .string("0x" + String(number, radix: 16)),
            "stateRoot": .string(stateRoot.hex),
            "extrinsicsRoot": .string(extrinsicsRoot.hex),
            "digest": .object(["logs": .array([])]),
        ])
    }
}

struct Block: Sendable {
    let header: BlockHeader
    /// The state after this block; registrations submitted while it is the head land here.
    var state: ChainState
}
