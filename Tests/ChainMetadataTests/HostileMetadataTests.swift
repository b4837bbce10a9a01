import ChainCodec
import ChainMetadata
import Extrinsics
import TestSupport
import XCTest

/// Malformed and hostile metadata: every failure is a MetadataError, never a crash, a hang or a huge allocation.
final class HostileMetadataTests: XCTestCase {
    func decodeError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> MetadataError? {
        do {
            _ = try RuntimeMetadata(bytes: bytes)
            return nil
        } catch {
            XCTAssertFalse(error.description.contains("\n"), file: file, line: line)
            return error
        }
    }

    func testEveryTruncationOfHandMadeMetadataFails() {
        for version: UInt8 in [14, 15] {
            let bytes = PowRuntime.bytes(version: version)
            XCTAssertNil(decodeError(bytes))
            for n in 0 ..< bytes.count {
                XCTAssertNotNil(decodeError(Array(bytes[..<n])), "v\(version) prefix \(n)")
            }
        }
    }

    func testTruncationsOfTheRealBlobsFail() throws {
        // Every prefix of the first kilobyte and of the last 100 bytes, and 100 cut points between, of both blobs
        // (every prefix of the hand-made runtime is checked above; a cut near the end costs a whole decode).
        for bytes in [Fixtures.v14Bytes, try RuntimeMetadata.fromMetadataAtVersionBytes(Fixtures.v15Wrapped)] {
            let n = bytes.count
            let cuts = Array(0 ..< 1024) + Array(n - 100 ..< n) + stride(from: 1024, to: n - 100, by: (n - 1124) / 100)
            for cut in cuts {
                switch decodeError(Array(bytes[..<cut])) {
                case .truncated?, .countTooLarge?: break
                case let other: XCTFail("prefix \(cut) of \(n): \(String(describing: other))")
                }
            }
        }
        // The runtime API's wrapper, cut short, says so too.
        for cut in [0, 1, 3, 5, Fixtures.v15Wrapped.count - 1] {
            XCTAssertThrowsError(try RuntimeMetadata.fromMetadataAtVersion(Array(Fixtures.v15Wrapped[..<cut]))) {
                XCTAssertTrue($0 is MetadataError)
            }
        }
        XCTAssertNil(try RuntimeMetadata.fromMetadataAtVersion([0]))
    }

    func testRandomCorruptionOfTheRealBlobNeverCrashes() {
        var rng = SeededGenerator(seed: 343)
        let original = Fixtures.v14Bytes
        var failures = 0
        for _ in 0 ..< 150 {
            var bytes = original
            for _ in 0 ..< 1 + Int(rng.next() % 4) {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            if decodeError(bytes) != nil { failures += 1 }
        }
        // Most single-byte changes hit a length, tag or id, but a change inside a docs string is harmless.
        XCTAssertGreaterThan(failures, 0)
    }

    func testBadMagicVersionTagsAndTrailingBytes() {
        let good = PowRuntime.bytes()
        XCTAssertEqual(decodeError([0x6d, 0x65, 0x74, 0x62, 14]), .badMagic([0x6d, 0x65, 0x74, 0x62]))
        XCTAssertEqual(decodeError(Array("meta".utf8) + [13]), .unsupportedVersion(13))
        XCTAssertEqual(decodeError(Array("meta".utf8) + [16]), .unsupportedVersion(16))
        XCTAssertEqual(decodeError(good + [0]), .trailingBytes(1))
        // Type 0's definition tag (after id 0, empty path, no parameters) set to 8.
        var bad = good
        XCTAssertEqual(Array(bad[6 ..< 10]), [0, 0, 0, 5])
        bad[9] = 8
        XCTAssertEqual(decodeError(bad), .invalidTag(what: "type 0 definition", tag: 8))
        bad = good
        bad[10] = 15 // primitive 15 does not exist
        XCTAssertEqual(decodeError(bad), .invalidTag(what: "type 0 primitive", tag: 15))
    }

    func testHugeLengthPrefixes() {
        // A registry that claims 2^30 types in a few bytes, a type path of 2^32 - 1 strings, a compact over 32 bits.
        XCTAssertEqual(decodeError(Array("meta".utf8) + [14, 0x03, 0, 0, 0, 0x40, 0, 0]),
                       .countTooLarge(what: "type registry", count: 1 << 30, remaining: 2))
        XCTAssertEqual(decodeError(Array("meta".utf8) + [14, 0x04, 0x00, 0x03, 0xff, 0xff, 0xff, 0xff]),
                       .countTooLarge(what: "type 0 path", count: 0xffff_ffff, remaining: 0))
        XCTAssertEqual(decodeError(Array("meta".utf8) + [14, 0x07, 1, 2, 3, 4, 5]), .invalidCompact(what: "type registry"))
        // Not in shortest form.
        XCTAssertEqual(decodeError(Array("meta".utf8) + [14, 0x01, 0x00]), .invalidCompact(what: "type registry"))
        // A huge string length inside the real blob's first type path.
        var bytes = Fixtures.v14Bytes
        XCTAssertEqual(bytes[8], 0x0c) // three path segments
        bytes[9] = 0xfe; bytes.insert(contentsOf: [0xff, 0xff, 0xff], at: 10) // "sp_core" now claims 2^30 - 1 bytes
        XCTAssertEqual(decodeError(bytes), .countTooLarge(what: "type 0 path", count: (1 << 30) - 1, remaining: bytes.count - 13))
    }

    func testCyclicTypesAreRefused() {
        // 30 is a struct holding 31, a tuple holding 30: no finite encoding.
        var w = PowRuntime.writer(extraTypes: [
            PortableType(id: 30, def: .composite([Field(name: "next", type: 31)])),
            PortableType(id: 31, def: .tuple([0, 30])),
        ])
        XCTAssertEqual(decodeError(w.bytes()), .cyclicType(30))
        // A type holding itself directly, through an array, or through a compact.
        for def in [TypeDef.composite([Field(name: nil, type: 30)]), .array(length: 2, element: 30), .compact(30)] {
            w = PowRuntime.writer(extraTypes: [PortableType(id: 30, def: def)])
            XCTAssertEqual(decodeError(w.bytes()), .cyclicType(30), "\(def)")
        }
        // Recursion through an enum or a sequence is how real call enums nest: accepted, and still encodable.
        w = PowRuntime.writer(extraTypes: [
            PortableType(id: 30, path: ["Tree"], def: .variant([Variant(name: "Leaf", index: 0),
                                                               Variant(name: "Node", fields: [Field(name: nil, type: 31)], index: 1)])),
            PortableType(id: 31, def: .sequence(30)),
        ])
        let m: RuntimeMetadata
        do { m = try RuntimeMetadata(bytes: w.bytes()) } catch { return XCTFail("\(error)") }
        let tree: ScaleValue = .variant("Node", [.sequence([.variant("Leaf", []), .variant("Node", [.sequence([])])])])
        XCTAssertEqual(try ValueEncoder(types: m.types).encode(tree, as: 30, path: "tree"), [1, 8, 0, 1, 0])
        XCTAssertEqual(m.types.name(31), "Vec<Tree>")
    }

    func testUnknownAndDuplicateTypeIDs() {
        var w = PowRuntime.writer(extraTypes: [PortableType(id: 30, def: .sequence(999))])
        XCTAssertEqual(decodeError(w.bytes()), .unknownTypeID(999, referencedBy: "type 30 sequence element"))
        w = PowRuntime.writer(extraTypes: [PortableType(id: 3, def: .primitive(.u8))])
        XCTAssertEqual(decodeError(w.bytes()), .duplicateTypeID(3))
        w = PowRuntime.writer()
        w.pallets[1].calls = 777
        XCTAssertEqual(decodeError(w.bytes()), .unknownTypeID(777, referencedBy: "pallet SubtensorModule calls"))
        w = PowRuntime.writer(extensions: [SignedExtension(identifier: "CheckNonce", type: 10, additionalSigned: 500)])
        XCTAssertEqual(decodeError(w.bytes()), .unknownTypeID(500, referencedBy: "extrinsic extension CheckNonce additional"))
        // Calls that are not an enum.
        w = PowRuntime.writer()
        w.pallets[1].calls = 4
        XCTAssertThrowsError(try RuntimeMetadata(bytes: w.bytes()).call(pallet: "SubtensorModule", name: "faucet")) {
            XCTAssertEqual($0 as? MetadataError, .notAVariant(4, role: "SubtensorModule calls"))
        }
    }

    func testDeepNestingIsBoundedNotRecursive() throws {
        // 20,000 structs each wrapping the next: decoding and the cycle check use no deep recursion; walks
        // that recurse stop at the depth bound with an error.
        let depth: UInt32 = 20_000
        let chain = (0 ..< depth).map { i in
            PortableType(id: 100 + i, def: i == depth - 1 ? .composite([]) : .composite([Field(name: nil, type: 101 + i)]))
        }
        var w = PowRuntime.writer(extraTypes: chain)
        let m = try RuntimeMetadata(bytes: w.bytes())
        XCTAssertThrowsError(try m.types.encodesNothing(100)) { XCTAssertEqual($0 as? MetadataError, .tooDeep(100 + UInt32(TypeRegistry.maximumDepth))) }
        XCTAssertThrowsError(try ValueEncoder(types: m.types).encode(.unit, as: 100, path: "deep")) {
            XCTAssertEqual($0 as? ExtrinsicError, .tooDeep(at: "deep"))
        }
        XCTAssertEqual(m.types.name(100), "#100")
        XCTAssertTrue(try m.types.encodesNothing(100 + depth - 10))
    }
}


extension RuntimeMetadata {
    /// The prefixed metadata inside the runtime API's `Option<OpaqueMetadata>` (tag, 4-byte compact length).
    static func fromMetadataAtVersionBytes(_ wrapped: [UInt8]) throws -> [UInt8] {
        XCTAssertEqual(wrapped[0], 1)
        XCTAssertEqual(wrapped[1] & 0b11, 0b10)
        return Array(wrapped[5...])
    }
}
