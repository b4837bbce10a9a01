import PoWCore

// The storage items this tool reads, in ONE table (`StorageItem.all`): pallet, item, key hashers, value type and the
// value a node reports when nothing is stored. Facts, with their sources: docs/chain-facts.md, "Storage items" (subtensor's
// `pallets/subtensor/src/lib.rs`). To correct an item, edit its row below; keys, decoding and the devnet follow.

/// How one key of a storage map is hashed into the storage key.
public enum StorageHasher: String, Sendable, Hashable, CaseIterable {
    /// The raw SCALE bytes.
    case identity = "Identity"
    /// blake2b-128(k) ‖ k.
    case blake2_128Concat = "Blake2_128Concat"
    /// twox64(k) ‖ k.
    case twox64Concat = "Twox64Concat"

    public func hash(_ encoded: [UInt8]) -> [UInt8] {
        switch self {
        case .identity: return encoded
        case .blake2_128Concat: return blake2b128(encoded) + encoded
        case .twox64Concat: return Twox.hash64(encoded) + encoded
        }
    }

    /// Bytes of hash in front of the encoded key (0 for Identity).
    public var prefixLength: Int {
        switch self {
        case .identity: return 0
        case .blake2_128Concat: return 16
        case .twox64Concat: return 8
        }
    }
}

/// The type of one key of a storage map.
public enum StorageKeyType: String, Sendable, Hashable {
    /// `NetUid` (u16, 2 bytes LE).
    case netuid
    /// `AccountId32` (32 bytes).
    case account

    public var encodedLength: Int { self == .netuid ? 2 : 32 }
}

/// One key given to a storage map.
public enum StorageKeyArgument: Sendable, Hashable, CustomStringConvertible {
    case netuid(UInt16)
    case account(Bytes32)

    public var type: StorageKeyType {
        switch self {
        case .netuid: return .netuid
        case .account: return .account
        }
    }

    public var scaleEncoded: [UInt8] {
        switch self {
        case .netuid(let n): return n.scaleEncoded
        case .account(let a): return a.bytes
        }
    }

    public var description: String {
        switch self {
        case .netuid(let n): return "netuid \(n)"
        case .account(let a): return SS58.encode(publicKey: a)
        }
    }
}

/// The SCALE type of a stored value.
public enum StorageValueType: String, Sendable, Hashable {
    case u16, u32, u64, bool
}

/// A decoded storage value.
public enum StorageValue: Sendable, Hashable, CustomStringConvertible {
    case u16(UInt16)
    case u32(UInt32)
    case u64(UInt64)
    case bool(Bool)

    public var type: StorageValueType {
        switch self {
        case .u16: return .u16
        case .u32: return .u32
        case .u64: return .u64
        case .bool: return .bool
        }
    }

    public var scaleEncoded: [UInt8] {
        switch self {
        case .u16(let v): return v.scaleEncoded
        case .u32(let v): return v.scaleEncoded
        case .u64(let v): return v.scaleEncoded
        case .bool(let v): return v.scaleEncoded
        }
    }

    /// The value widened to u64 (bool: 0 or 1).
    public var uint64: UInt64 {
        switch self {
        case .u16(let v): return UInt64(v)
        case .u32(let v): return UInt64(v)
        case .u64(let v): return v
        case .bool(let v): return v ? 1 : 0
        }
    }

    public var bool: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    public var description: String {
        switch self {
        case .u16(let v): return "\(v)"
        case .u32(let v): return "\(v)"
        case .u64(let v): return "\(v)"
        case .bool(let v): return "\(v)"
        }
    }

    /// Decodes exactly one value of `type` from `bytes`.
    public static func decode(_ bytes: [UInt8], as type: StorageValueType) throws(SCALEError) -> StorageValue {
        switch type {
        case .u16: return .u16(try UInt16(scaleBytes: bytes))
        case .u32: return .u32(try UInt32(scaleBytes: bytes))
        case .u64: return .u64(try UInt64(scaleBytes: bytes))
        case .bool: return .bool(try Bool(scaleBytes: bytes))
        }
    }
}

/// Why a storage key could not be built or a value decoded. Each description is one line.
public enum StorageError: Error, Equatable, CustomStringConvertible {
    case wrongKeys(item: String, expected: [StorageKeyType], got: [StorageKeyType])
    case wrongValueType(item: String, expected: StorageValueType, got: StorageValueType)
    case badValue(item: String, SCALEError)

    public var description: String {
        switch self {
        case .wrongKeys(let item, let expected, let got):
            let e = expected.map(\.rawValue).joined(separator: ", "), g = got.map(\.rawValue).joined(separator: ", ")
            return "storage \(item) takes keys (\(e)), got (\(g))"
        case .wrongValueType(let item, let expected, let got):
            return "storage \(item) holds \(expected.rawValue), not \(got.rawValue)"
        case .badValue(let item, let error):
            return "storage \(item): malformed value: \(error)"
        }
    }
}

/// A storage item: how to build its keys and read its values.
public struct StorageItem: Sendable, Hashable, CustomStringConvertible {
    public struct Key: Sendable, Hashable {
        public let type: StorageKeyType
        public let hasher: StorageHasher
        public init(_ type: StorageKeyType, _ hasher: StorageHasher) { self.type = type; self.hasher = hasher }
    }

    public let pallet: String
    public let name: String
    public let keys: [Key]
    public let valueType: StorageValueType
    /// What the node reports when nothing is stored (`ValueQuery` default); nil for `OptionQuery` items.
    public let defaultValue: StorageValue?

    public init(pallet: String, name: String, keys: [Key], value: StorageValueType, default defaultValue: StorageValue?) {
        self.pallet = pallet
        self.name = name
        self.keys = keys
        self.valueType = value
        self.defaultValue = defaultValue
    }

    public var description: String { "\(pallet).\(name)" }

    // MARK: The table

    static let subtensor = "SubtensorModule"
    static let netuidKey = Key(.netuid, .identity)
    static let hotkeyKey = Key(.account, .blake2_128Concat)

    /// `Difficulty(netuid) -> u64`, default 10,000,000.
    public static let difficulty = StorageItem(
        pallet: subtensor, name: "Difficulty", keys: [netuidKey], value: .u64, default: .u64(10_000_000))
    /// `MinDifficulty(netuid) -> u64`, default 10,000,000.
    public static let minDifficulty = StorageItem(
        pallet: subtensor, name: "MinDifficulty", keys: [netuidKey], value: .u64, default: .u64(10_000_000))
    /// `MaxDifficulty(netuid) -> u64`, default u64::MAX / 4.
    public static let maxDifficulty = StorageItem(
        pallet: subtensor, name: "MaxDifficulty", keys: [netuidKey], value: .u64, default: .u64(UInt64.max / 4))
    /// `NetworksAdded(netuid) -> bool` (the subnet exists), default false.
    public static let networksAdded = StorageItem(
        pallet: subtensor, name: "NetworksAdded", keys: [netuidKey], value: .bool, default: .bool(false))
    /// `Uids(netuid, hotkey) -> u16`, absent when the hotkey is not registered on the subnet.
    public static let uids = StorageItem(
        pallet: subtensor, name: "Uids", keys: [netuidKey, hotkeyKey], value: .u16, default: nil)
    /// `NetworkPowRegistrationAllowed(netuid) -> bool`; default `DefaultRegistrationAllowed` = true in current
    /// subtensor (it was false in releases before the NetUid type, 2025).
    public static let networkPoWRegistrationAllowed = StorageItem(
        pallet: subtensor, name: "NetworkPowRegistrationAllowed", keys: [netuidKey], value: .bool, default: .bool(true))
    /// `RegistrationsThisBlock(netuid) -> u16`, default 0.
    public static let registrationsThisBlock = StorageItem(
        pallet: subtensor, name: "RegistrationsThisBlock", keys: [netuidKey], value: .u16, default: .u16(0))
    /// `MaxRegistrationsPerBlock(netuid) -> u16`, default 1.
    public static let maxRegistrationsPerBlock = StorageItem(
        pallet: subtensor, name: "MaxRegistrationsPerBlock", keys: [netuidKey], value: .u16, default: .u16(1))
    /// `LastPowRegistrationBlock(hotkey) -> u64` (v1 runtime: AccountId Blake2_128Concat, OptionQuery).
    public static let lastPoWRegistrationBlock = StorageItem(
        pallet: subtensor, name: "LastPowRegistrationBlock", keys: [hotkeyKey], value: .u64, default: nil)
    /// `System.Number -> u32`: in block N's state, N (a plain value).
    public static let systemNumber = StorageItem(
        pallet: "System", name: "Number", keys: [], value: .u32, default: .u32(0))

    /// Every item above.
    public static let all: [StorageItem] = [
        difficulty, minDifficulty, maxDifficulty, networksAdded, uids, networkPoWRegistrationAllowed,
        registrationsThisBlock, maxRegistrationsPerBlock, lastPoWRegistrationBlock, systemNumber,
    ]

    // MARK: Keys

    /// twox128(pallet) ‖ twox128(item): the prefix shared by all keys of this item.
    public var prefix: [UInt8] { Twox.hash128(pallet) + Twox.hash128(name) }

    /// The full storage key for `arguments`, which must match `keys` in number and type.
    public func key(_ arguments: [StorageKeyArgument]) throws(StorageError) -> [UInt8] {
        guard arguments.map(\.type) == keys.map(\.type) else {
            throw .wrongKeys(item: description, expected: keys.map(\.type), got: arguments.map(\.type))
        }
        var out = prefix
        for (key, argument) in zip(keys, arguments) { out += key.hasher.hash(argument.scaleEncoded) }
        return out
    }

    /// Key of a plain value (no map keys).
    public func key() -> [UInt8] { checkedKey([]) }
    /// Key of a map keyed by netuid (Difficulty, NetworksAdded, …).
    public func key(netuid: UInt16) -> [UInt8] { checkedKey([.netuid(netuid)]) }
    /// Key of a map keyed by netuid and hotkey (Uids).
    public func key(netuid: UInt16, hotkey: Bytes32) -> [UInt8] { checkedKey([.netuid(netuid), .account(hotkey)]) }
    /// Key of a map keyed by hotkey (LastPowRegistrationBlock).
    public func key(hotkey: Bytes32) -> [UInt8] { checkedKey([.account(hotkey)]) }

    /// The key as `0x…` hex, as `state_getStorage` takes it.
    public func hexKey(_ arguments: [StorageKeyArgument]) throws(StorageError) -> String { Hex.encode(try key(arguments)) }

    private func checkedKey(_ arguments: [StorageKeyArgument]) -> [UInt8] {
        do { return try key(arguments) } catch {
            // Calling a key builder of the wrong shape is a programming error in this package, never bad input.
            preconditionFailure("\(error)")
        }
    }

    /// Splits a full storage key into an item of `items` and its key arguments; nil when no item matches
    /// or the hashed parts do not check out. (For a node, e.g. the devnet, answering `state_getStorage`.)
    public static func parse(key bytes: [UInt8], in items: [StorageItem] = all) -> (item: StorageItem, arguments: [StorageKeyArgument])? {
        for item in items {
            let prefix = item.prefix
            guard bytes.count >= 32, Array(bytes[0 ..< 32]) == prefix else { continue }
            var offset = 32
            var arguments = [StorageKeyArgument]()
            var ok = true
            for key in item.keys {
                let length = key.hasher.prefixLength + key.type.encodedLength
                guard bytes.count - offset >= length else { ok = false; break }
                let part = Array(bytes[offset ..< offset + length])
                let encoded = Array(part[key.hasher.prefixLength...])
                guard key.hasher.hash(encoded) == part else { ok = false; break }
                switch key.type {
                case .netuid: arguments.append(.netuid(UInt16(encoded[0]) | UInt16(encoded[1]) << 8))
                case .account: arguments.append(.account(Bytes32(encoded)!))
                }
                offset += length
            }
            if ok && offset == bytes.count { return (item, arguments) }
        }
        return nil
    }

    // MARK: Values

    /// Decodes what `state_getStorage` returned: nil bytes (nothing stored) give the default, or nil when the
    /// item has none; bytes must be exactly one value of `valueType`.
    public func decode(_ bytes: [UInt8]?) throws(StorageError) -> StorageValue? {
        guard let bytes else { return defaultValue }
        do { return try StorageValue.decode(bytes, as: valueType) } catch { throw .badValue(item: description, error) }
    }

    /// `decode` for a u64 item.
    public func decodeU64(_ bytes: [UInt8]?) throws(StorageError) -> UInt64? {
        try checkType(.u64)
        return try decode(bytes)?.uint64
    }

    /// `decode` for a u16 item.
    public func decodeU16(_ bytes: [UInt8]?) throws(StorageError) -> UInt16? {
        try checkType(.u16)
        return try decode(bytes).map { UInt16(truncatingIfNeeded: $0.uint64) }
    }

    /// `decode` for a u32 item.
    public func decodeU32(_ bytes: [UInt8]?) throws(StorageError) -> UInt32? {
        try checkType(.u32)
        return try decode(bytes).map { UInt32(truncatingIfNeeded: $0.uint64) }
    }

    /// `decode` for a bool item.
    public func decodeBool(_ bytes: [UInt8]?) throws(StorageError) -> Bool? {
        try checkType(.bool)
        return try decode(bytes)?.bool
    }

    /// The SCALE bytes to store for `value` (for a node such as the devnet).
    public func encode(_ value: StorageValue) throws(StorageError) -> [UInt8] {
        try checkType(value.type)
        return value.scaleEncoded
    }

    private func checkType(_ type: StorageValueType) throws(StorageError) {
        guard type == valueType else { throw .wrongValueType(item: description, expected: valueType, got: type) }
    }
}
