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
    /// System.Account: nonce and free balance (the faucet mints here), per account.
    public var accounts: [Bytes32: DevnetAccount] = [:]
    /// SubtensorModule.Owner(hotkey): the coldkey that registered it.
    public var owners: [Bytes32: Bytes32] = [:]
    /// System.Events of this block: the SCALE `Vec<EventRecord>` (a count and the records), reset every block.
    public var events: [[UInt8]] = []

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
        for (account, info) in accounts.sorted(by: { $0.key.hex < $1.key.hex }) {
            bytes += account.bytes; u64(UInt64(info.nonce)); u64(info.free)
        }
        for (hotkey, coldkey) in owners.sorted(by: { $0.key.hex < $1.key.hex }) { bytes += hotkey.bytes + coldkey.bytes }
        for record in events { bytes += record }
        return Bytes32(Keccak256.hash(bytes))!
    }
}

/// One account's System.Account entry, as far as the devnet keeps it.
public struct DevnetAccount: Sendable, Equatable {
    public var nonce: UInt32 = 0
    public var free: UInt64 = 0

    public init(nonce: UInt32 = 0, free: UInt64 = 0) { self.nonce = nonce; self.free = free }

    /// frame_system's `AccountInfo<u32, AccountData<u64>>`: nonce, consumers, providers, sufficients, then free,
    /// reserved, frozen (u64 each) and flags (u128).
    public var scaleEncoded: [UInt8] {
        var out = nonce.scaleEncoded
        out += UInt32(0).scaleEncoded                                   // consumers
        out += UInt32(nonce > 0 || free > 0 ? 1 : 0).scaleEncoded       // providers: 1 once the account exists
        out += UInt32(0).scaleEncoded                                   // sufficients
        out += free.scaleEncoded + UInt64(0).scaleEncoded + UInt64(0).scaleEncoded
        out += [UInt8](repeating: 0, count: 16)                         // flags
        return out
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
    /// The extrinsics included, as submitted.
    var extrinsics: [[UInt8]] = []
}
