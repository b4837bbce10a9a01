import Foundation
import PoWCore

/// The test vectors in Fixtures/registration-pow.json, computed by running bittensor's own code
/// (docs/chain-facts.md, "Sources").
public struct Vectors: Decodable, Sendable {
    public struct BlockAndHotkey: Decodable, Sendable {
        public let block_hash: String, hotkey_public_key: String, block_and_hotkey_hash: String
    }
    public struct Seal: Decodable, Sendable { public let block_and_hotkey_hash: String, nonce: UInt64, seal: String }
    public struct Meets: Decodable, Sendable {
        public let seal: String, difficulty: UInt64, meets_seed_big_endian: Bool, meets_chain_little_endian: Bool
    }
    public struct Pack: Decodable, Sendable { public let difficulty: UInt64, packed: [UInt32] }
    public struct FirstSolution: Decodable, Sendable {
        public let block_hash: String, hotkey_public_key: String, difficulty: UInt64, block_number: UInt64
        public let nonce_start: UInt64, nonce_end: UInt64, first_nonce: UInt64, seal: String
    }
    public struct Legacy: Decodable, Sendable {
        public let block_and_hotkey_hash: [BlockAndHotkey]
        public let seal: [Seal]
        public let meets_difficulty: [Meets]
        public let difficulty_pack: [Pack]
        public let first_solution_in_range: [FirstSolution]
    }
    public struct V1Seal: Decodable, Sendable { public let nonce: UInt64, seal: String }
    public struct V1: Decodable, Sendable {
        public let netuid: UInt16, block_hash: String, hotkey_public_key: String, coldkey_public_key: String
        public let hotkey_ss58: String, coldkey_ss58: String, prefix: String
        public let seals: [V1Seal], difficulty: UInt64, a_solution: V1Seal?

        public var challenge: V1Challenge {
            V1Challenge(netuid: netuid, blockHash: try! Bytes32(hex: block_hash),
                        hotkey: try! Bytes32(hex: hotkey_public_key), coldkey: try! Bytes32(hex: coldkey_public_key))
        }
    }
    public struct HashPair: Decodable, Sendable { public let input: String, hash: String }
    public struct StorageKey: Decodable, Sendable {
        public let pallet: String, item: String, netuid: UInt16, hotkey_public_key: String?, key: String
    }
    public struct SS58: Decodable, Sendable { public let public_key: String, format: UInt16, address: String }

    public let legacy: Legacy
    public let v1: [V1]
    public let twox128: [HashPair]
    public let blake2_128: [HashPair]
    public let storage_keys: [StorageKey]
    public let ss58: [SS58]

    public static let shared: Vectors = {
        let url = Bundle.module.url(forResource: "registration-pow", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }()
}
