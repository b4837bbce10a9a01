import XCTest
import PoWCore
@testable import ChainCodec
import TestSupport

final class StorageTests: XCTestCase {
    func item(named name: String) -> StorageItem? { StorageItem.all.first { $0.name == name } }

    func testStorageKeyVectors() throws {
        let vectors = Vectors.shared.storage_keys
        XCTAssertFalse(vectors.isEmpty)
        for v in vectors {
            let item = try XCTUnwrap(item(named: v.item), v.item)
            XCTAssertEqual(item.pallet, v.pallet)
            var arguments: [StorageKeyArgument] = [.netuid(v.netuid)]
            if let hotkey = v.hotkey_public_key { arguments.append(.account(try Bytes32(hex: hotkey))) }
            XCTAssertEqual(try item.hexKey(arguments), v.key, "\(v.item) \(v.netuid)")
            if let hotkey = v.hotkey_public_key {
                XCTAssertEqual(Hex.encode(item.key(netuid: v.netuid, hotkey: try Bytes32(hex: hotkey))), v.key)
            } else {
                XCTAssertEqual(Hex.encode(item.key(netuid: v.netuid)), v.key)
            }
            // And back: the key names its item and arguments.
            let parsed = try XCTUnwrap(StorageItem.parse(key: try Hex.decode(v.key)))
            XCTAssertEqual(parsed.item, item)
            XCTAssertEqual(parsed.arguments, arguments)
        }
    }

    func testItemsOfTheTable() throws {
        XCTAssertEqual(Hex.encode(StorageItem.difficulty.prefix.prefix(16)), "0x658faa385070e074c85bf6b568cf0555")
        XCTAssertEqual(Set(StorageItem.all.map(\.name)).count, StorageItem.all.count)
        XCTAssertEqual(Hex.encode(StorageItem.systemNumber.key()), "0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac")
        let hotkey = try Bytes32(hex: "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
        let key = StorageItem.lastPoWRegistrationBlock.key(hotkey: hotkey)
        XCTAssertEqual(key.count, 32 + 16 + 32)
        XCTAssertEqual(Array(key[32 ..< 48]), blake2b128(hotkey.bytes))
        XCTAssertEqual(StorageItem.parse(key: key)?.arguments, [.account(hotkey)])
        // Keys that do not check out are not parsed.
        var corrupted = StorageItem.uids.key(netuid: 1, hotkey: hotkey)
        corrupted[40] ^= 1
        XCTAssertNil(StorageItem.parse(key: corrupted))
        XCTAssertNil(StorageItem.parse(key: StorageItem.difficulty.key(netuid: 1) + [0]))
        XCTAssertNil(StorageItem.parse(key: Array(StorageItem.difficulty.key(netuid: 1).dropLast())))
        XCTAssertNil(StorageItem.parse(key: []))
        XCTAssertThrowsError(try StorageItem.uids.key([.netuid(1)])) {
            XCTAssertEqual("\($0)", "storage SubtensorModule.Uids takes keys (netuid, account), got (netuid)")
        }
    }

    func testValuesAndDefaults() throws {
        XCTAssertEqual(try StorageItem.difficulty.decodeU64(nil), 10_000_000)
        XCTAssertEqual(try StorageItem.minDifficulty.decodeU64(nil), 10_000_000)
        XCTAssertEqual(try StorageItem.maxDifficulty.decodeU64(nil), UInt64.max / 4)
        XCTAssertEqual(try StorageItem.networksAdded.decodeBool(nil), false)
        XCTAssertEqual(try StorageItem.networkPoWRegistrationAllowed.decodeBool(nil), true)
        XCTAssertEqual(try StorageItem.registrationsThisBlock.decodeU16(nil), 0)
        XCTAssertEqual(try StorageItem.maxRegistrationsPerBlock.decodeU16(nil), 1)
        XCTAssertNil(try StorageItem.uids.decodeU16(nil))
        XCTAssertNil(try StorageItem.lastPoWRegistrationBlock.decodeU64(nil))

        XCTAssertEqual(try StorageItem.difficulty.decodeU64(UInt64(123_456_789).scaleEncoded), 123_456_789)
        XCTAssertEqual(try StorageItem.uids.decodeU16([7, 1]), 263)
        XCTAssertEqual(try StorageItem.networksAdded.decodeBool([1]), true)
        XCTAssertEqual(try StorageItem.systemNumber.decodeU32([1, 0, 0, 0]), 1)
        XCTAssertEqual(try StorageItem.difficulty.encode(.u64(5)), [5, 0, 0, 0, 0, 0, 0, 0])

        XCTAssertThrowsError(try StorageItem.difficulty.decodeU64([1, 2, 3])) {
            XCTAssertEqual("\($0)", "storage SubtensorModule.Difficulty: malformed value: SCALE u64: needs 8 bytes, only 3 left")
        }
        XCTAssertThrowsError(try StorageItem.networksAdded.decodeBool([1, 0]))
        XCTAssertThrowsError(try StorageItem.networksAdded.decodeBool([5]))
        XCTAssertThrowsError(try StorageItem.difficulty.decodeBool([1])) {
            XCTAssertEqual("\($0)", "storage SubtensorModule.Difficulty holds u64, not bool")
        }
        XCTAssertThrowsError(try StorageItem.uids.encode(.u64(1)))
    }
}
