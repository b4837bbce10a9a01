import ChainCodec
import PoWCore

/// The storage the devnet serves beyond ChainCodec's table: System.Account, System.Events and
/// SubtensorModule.Owner, under their real keys, SCALE-encoded as the devnet's metadata describes them.
enum DevnetStorage {
    static let accountPrefix = Twox.hash128("System") + Twox.hash128("Account")
    static let eventsKey = Twox.hash128("System") + Twox.hash128("Events")
    static let ownerPrefix = Twox.hash128("SubtensorModule") + Twox.hash128("Owner")
    static let blockHashPrefix = Twox.hash128("System") + Twox.hash128("BlockHash")

    /// The block number a System.BlockHash key names (Twox64Concat of a u32), or nil for another key.
    static func blockHashNumber(_ key: [UInt8]) -> UInt32? {
        guard key.count == 32 + 8 + 4, Array(key[0 ..< 32]) == blockHashPrefix else { return nil }
        let encoded = Array(key[40...])
        guard StorageHasher.twox64Concat.hash(encoded) == Array(key[32...]) else { return nil }
        return encoded.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << UInt32(8 * $1.offset) }
    }

    /// blake2_128(account) ‖ account after a prefix.
    static func accountKey(_ prefix: [UInt8], _ account: Bytes32) -> [UInt8] {
        prefix + StorageHasher.blake2_128Concat.hash(account.bytes)
    }

    /// nil: not one of these items, or nothing stored.
    static func value(_ key: [UInt8], in state: ChainState) -> [UInt8]? {
        if key == eventsKey {
            // A block without events has its Events entry killed, as a node's does.
            return state.events.isEmpty ? nil : DevnetEvents.encode(state.events)
        }
        guard key.count == 32 + 16 + 32 else { return nil }
        let prefix = Array(key[0 ..< 32])
        let account = Bytes32(Array(key[48...]))!
        guard key == accountKey(prefix, account) else { return nil }
        if prefix == accountPrefix { return state.accounts[account]?.scaleEncoded }
        if prefix == ownerPrefix { return state.owners[account]?.bytes }
        return nil
    }
}
