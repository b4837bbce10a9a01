import Foundation
import PoWCore

/// The shared vectors, computed by the real reference code (shared/vectors/registration-pow.json).
struct Vectors: Decodable {
    struct BlockAndHotkey: Decodable {
        let block_hash: String, hotkey_public_key: String, block_and_hotkey_hash: String
    }
    struct Seal: Decodable { let block_and_hotkey_hash: String, nonce: UInt64, seal: String }
    struct Meets: Decodable {
        let seal: String, difficulty: UInt64, meets_seed_big_endian: Bool, meets_chain_little_endian: Bool
    }
    struct Pack: Decodable { let difficulty: UInt64, packed: [UInt32] }
    struct FirstSolution: Decodable {
        let block_hash: String, hotkey_public_key: String, difficulty: UInt64, block_number: UInt64
        let nonce_start: UInt64, nonce_end: UInt64, first_nonce: UInt64, seal: String
    }
    struct Legacy: Decodable {
        let block_and_hotkey_hash: [BlockAndHotkey]
        let seal: [Seal]
        let meets_difficulty: [Meets]
        let difficulty_pack: [Pack]
        let first_solution_in_range: [FirstSolution]
    }
    struct V1Seal: Decodable { let nonce: UInt64, seal: String }
    struct V1: Decodable {
        let netuid: UInt16, block_hash: String, hotkey_public_key: String, coldkey_public_key: String
        let hotkey_ss58: String, coldkey_ss58: String, prefix: String
        let seals: [V1Seal], difficulty: UInt64, a_solution: V1Seal?

        var challenge: V1Challenge {
            V1Challenge(netuid: netuid, blockHash: try! Bytes32(hex: block_hash),
                        hotkey: try! Bytes32(hex: hotkey_public_key), coldkey: try! Bytes32(hex: coldkey_public_key))
        }
    }
    struct HashPair: Decodable { let input: String, hash: String }
    struct StorageKey: Decodable {
        let pallet: String, item: String, netuid: UInt16, hotkey_public_key: String?, key: String
    }
    struct SS58: Decodable { let public_key: String, format: UInt16, address: String }

    let legacy: Legacy
    let v1: [V1]
    let twox128: [HashPair]
    let blake2_128: [HashPair]
    let storage_keys: [StorageKey]
    let ss58: [SS58]

    static let shared: Vectors = {
        let url = Bundle.module.url(forResource: "registration-pow", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }()
}
