import ChainCodec
import ChainMetadata
import Extrinsics
import TestSupport
import PoWCore
import XCTest

/// A value of any registry type that `ValueEncoder` accepts, varied by `seed` (which variant, which numbers), or nil
/// for types it cannot write (char, bit sequences) or nesting past `maxDepth`.
struct SampleValues {
    let types: TypeRegistry
    var maxDepth = 12

    func sample(_ id: UInt32, seed: Int, depth: Int = 0) -> ScaleValue? {
        guard depth < 64, let type = try? types.type(id) else { return nil }
        switch type.def {
        case .primitive(let p): return primitive(p, seed: seed)
        case .compact(let inner):
            guard let width = unsignedWidth(inner) else { return nil }
            let candidates: [UInt128] = [0, 63, 64, 16383, 16384, (1 << 30) - 1, 1 << 30, UInt128(UInt32.max), UInt128(UInt64.max), .max]
            let fitting = candidates.filter { width >= 16 || $0 >> (8 * width) == 0 }
            return .uint(fitting[seed % fitting.count])
        case .sequence(let element):
            if case .primitive(.u8)? = try? types.type(element).def { return .bytes((0 ..< (seed % 5) * 17).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }) }
            if depth >= maxDepth { return .sequence([]) }
            var items = [ScaleValue]()
            for i in 0 ..< 1 + seed % 2 {
                guard let v = sample(element, seed: seed + i, depth: depth + 1) else { return nil }
                items.append(v)
            }
            return .sequence(items)
        case .array(let length, let element):
            if case .primitive(.u8)? = try? types.type(element).def {
                return .bytes((0 ..< Int(length)).map { UInt8(truncatingIfNeeded: $0 &+ seed &* 7) })
            }
            guard length <= 64 else { return nil }
            var items = [ScaleValue]()
            for i in 0 ..< Int(length) {
                guard let v = sample(element, seed: seed + i, depth: depth + 1) else { return nil }
                items.append(v)
            }
            return .sequence(items)
        case .tuple(let ids):
            var items = [ScaleValue]()
            for (i, e) in ids.enumerated() {
                guard let v = sample(e, seed: seed + i, depth: depth + 1) else { return nil }
                items.append(v)
            }
            return .sequence(items)
        case .composite(let fields):
            var items = [ScaleValue]()
            for (i, f) in fields.enumerated() {
                guard let v = sample(f.type, seed: seed + i, depth: depth + 1) else { return nil }
                items.append(v)
            }
            return fields.count == 1 ? items[0] : .sequence(items)
        case .variant(let variants):
            guard !variants.isEmpty else { return nil }
            var order = Array(variants.indices.map { (seed + $0) % variants.count })
            if depth >= maxDepth { order.sort { variants[$0].fields.count < variants[$1].fields.count } }
            for position in order.prefix(4) {
                let v = variants[position]
                var items = [ScaleValue]()
                var ok = true
                for (i, f) in v.fields.enumerated() {
                    guard let value = sample(f.type, seed: seed + i, depth: depth + 1) else { ok = false; break }
                    items.append(value)
                }
                if ok { return .variant(v.name, items) }
            }
            return nil
        case .bitSequence: return nil
        }
    }

    private func primitive(_ p: Primitive, seed: Int) -> ScaleValue? {
        switch p {
        case .bool: return .bool(seed % 2 == 1)
        case .char: return nil
        case .str: return .string(["", "subtensor", "é ✓ 𝄞"][seed % 3])
        case .u8, .u16, .u32, .u64, .u128, .u256:
            let width = min(p.byteWidth!, 16)
            let mask: UInt128 = width == 16 ? .max : (1 << (8 * width)) - 1
            return .uint([0, 1, 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210, .max][seed % 4] & mask)
        case .i8, .i16, .i32, .i64, .i128, .i256:
            let width = min(p.byteWidth!, 16)
            let bound = width == 16 ? Int128.max : (Int128(1) << (8 * width - 1)) - 1
            return .int([0, -1, bound, -bound - 1][seed % 4])
        }
    }

    private func unsignedWidth(_ id: UInt32) -> Int? {
        switch (try? types.type(id))?.def {
        case .primitive(let p)? where p.isUnsigned: return p.byteWidth
        case .composite(let fields)? where fields.count == 1: return unsignedWidth(fields[0].type)
        default: return nil
        }
    }
}

final class ValueDecoderTests: XCTestCase {
    /// Every type of both spec-343 registries, three values each: decoding what the encoder wrote consumes every
    /// byte, and encoding the decoded value gives the same bytes back (and decodes to the same value again).
    func testRoundTripOverEverySpec343Type() throws {
        for metadata in [Fixtures.v14, Fixtures.v15] {
            let encoder = ValueEncoder(types: metadata.types)
            let decoder = ValueDecoder(types: metadata.types)
            let samples = SampleValues(types: metadata.types)
            var checked = 0
            for type in metadata.types.types {
                for seed in 0 ..< 3 {
                    guard let value = samples.sample(type.id, seed: seed) else { continue }
                    let bytes: [UInt8]
                    do { bytes = try encoder.encode(value, as: type.id, path: "t\(type.id)") } catch { continue }
                    let label = "v\(metadata.version) type \(type.id) \(metadata.types.name(type.id)) seed \(seed)"
                    let decoded = try decoder.decode(bytes, as: type.id)
                    XCTAssertEqual(try encoder.encode(decoded, as: type.id, path: "again"), bytes, label)
                    XCTAssertEqual(try decoder.decode(try encoder.encode(decoded, as: type.id, path: "again"), as: type.id), decoded, label)
                    checked += 1
                }
            }
            // Nearly every type takes part (all but char and bit sequences, none of which spec 343 uses much).
            XCTAssertGreaterThan(checked, 3 * metadata.types.count * 9 / 10, "v\(metadata.version)")
        }
    }

    func testShapesOfCommonTypes() throws {
        let m = Fixtures.v14
        let decoder = ValueDecoder(types: m.types)
        let uids = try m.storageEntry(pallet: "SubtensorModule", entry: "Uids")
        XCTAssertEqual(try decoder.decode([7, 1], as: uids.valueType), .uint(263))
        // AccountId32 (a struct around [u8; 32]) is its bytes.
        let account = try XCTUnwrap(m.types.types.first { $0.path.last == "AccountId32" })
        let key = [UInt8](repeating: 0xd4, count: 32)
        XCTAssertEqual(try decoder.decode(key, as: account.id), .bytes(key))
        // Option<u16>
        let option = try XCTUnwrap(m.types.types.first { m.types.name($0.id) == "Option<u16>" })
        XCTAssertEqual(try decoder.decode([0], as: option.id), .optionNone)
        XCTAssertEqual(try decoder.decode([1, 5, 0], as: option.id), .optionSome(.uint(5)))
    }

    /// Truncations, impossible lengths, bad tags and random bytes give errors, never a crash or a huge allocation.
    func testHostileBytes() throws {
        let m = Fixtures.v14
        let decoder = ValueDecoder(types: m.types)
        let types = m.types
        func id(_ name: String) throws -> UInt32 { try XCTUnwrap(types.types.first { types.name($0.id) == name }?.id, name) }

        let vecU8 = try id("Vec<u8>")
        XCTAssertEqual(try decoder.decode([8, 1, 2], as: vecU8), .bytes([1, 2]))
        XCTAssertThrowsError(try decoder.decode([8, 1, 2, 3], as: vecU8)) { error in
            XCTAssertEqual(error as? ExtrinsicError, .trailingBytes(at: "value", count: 1))
        }
        // A length of 2^30 with three bytes behind it.
        XCTAssertThrowsError(try decoder.decode([0x03, 0, 0, 0, 0x40, 1, 2, 3], as: vecU8)) { error in
            guard case .invalidEncoding(_, _, let detail)? = error as? ExtrinsicError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("cannot fit"), detail)
        }
        // A compact of 67 bytes, and compacts not in shortest form.
        XCTAssertThrowsError(try decoder.decode([0xff] + [UInt8](repeating: 1, count: 67), as: vecU8))
        XCTAssertThrowsError(try decoder.decode([0x01, 0x00], as: vecU8))
        XCTAssertThrowsError(try decoder.decode([0x02, 0x00, 0x00, 0x00], as: vecU8))
        XCTAssertThrowsError(try decoder.decode([0x03, 0xff, 0xff, 0xff, 0x00], as: vecU8))

        XCTAssertThrowsError(try decoder.decode([2], as: try id("bool"))) { error in
            XCTAssertEqual(error as? ExtrinsicError, .invalidEncoding(at: "value", type: "bool", detail: "byte 2 is neither 0 nor 1"))
        }
        XCTAssertThrowsError(try decoder.decode([2, 0], as: try id("Option<u16>")))
        XCTAssertThrowsError(try decoder.decode([8, 0xc3, 0x28], as: try id("str"))) { error in
            XCTAssertEqual(error as? ExtrinsicError, .invalidEncoding(at: "value", type: "str", detail: "not UTF-8"))
        }
        XCTAssertThrowsError(try decoder.decode([1, 2, 3], as: try id("u64"))) { error in
            XCTAssertEqual(error as? ExtrinsicError, .truncated(at: "value", needed: 8, available: 3))
        }

        // Every strict prefix of a real encoding fails cleanly.
        let events = try eventBytes(m).bytes
        let eventsType = try m.storageEntry(pallet: "System", entry: "Events").valueType
        XCTAssertNoThrow(try decoder.decode(events, as: eventsType))
        for n in 0 ..< events.count {
            XCTAssertThrowsError(try decoder.decode(Array(events.prefix(n)), as: eventsType), "prefix \(n)")
        }

        // Random bytes as the biggest types there are: the events, the call enum.
        let callType = try XCTUnwrap(types.types.first { $0.path.last == "RuntimeCall" }?.id)
        var rng = SeededGenerator(seed: 343)
        for round in 0 ..< 3000 {
            let length = Int(rng.next() % 300)
            var bytes = (0 ..< length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            // Make the first bytes plausible so decoding goes deeper than the first tag.
            if round % 2 == 0, !bytes.isEmpty { bytes[0] = UInt8(rng.next() % 16) << 2 }
            _ = try? decoder.decode(bytes, as: eventsType)
            _ = try? decoder.decode(bytes, as: callType)
        }
    }

    // MARK: System.Events

    /// `System.Events` bytes written by `ValueEncoder` from the spec-343 types: a success, a registration with its
    /// success, a pallet error, a finalization event.
    struct BuiltEvents {
        let bytes: [UInt8]
        let hotkey: [UInt8]
        let errorIndex: UInt8
        let errorName: String
        let errorDocs: [String]
    }

    func eventBytes(_ m: RuntimeMetadata) throws -> BuiltEvents {
        let samples = SampleValues(types: m.types)
        let system = try m.pallet(named: "System")
        let subtensor = try m.pallet(named: "SubtensorModule")
        let systemEvents = try m.variants(try XCTUnwrap(system.eventType), role: "System events")
        func variant(_ name: String, in list: [Variant]) throws -> Variant { try XCTUnwrap(list.first { $0.name == name }, name) }
        let success = try variant("ExtrinsicSuccess", in: systemEvents)
        let failed = try variant("ExtrinsicFailed", in: systemEvents)
        let info = try XCTUnwrap(samples.sample(try XCTUnwrap(success.fields.last).type, seed: 1))
        let hotkey = [UInt8](repeating: 0x5a, count: 32)
        let subtensorErrors = try m.variants(try XCTUnwrap(subtensor.errorType), role: "SubtensorModule errors")
        let chosen = subtensorErrors[subtensorErrors.count / 2]

        func record(_ phase: ScaleValue, _ pallet: String, _ event: String, _ fields: [ScaleValue]) -> ScaleValue {
            .fields(["phase": phase, "event": .variant(pallet, [.variant(event, fields)]), "topics": .sequence([])])
        }
        let records: ScaleValue = .sequence([
            record(.variant("ApplyExtrinsic", [.uint(0)]), "System", "ExtrinsicSuccess", [info]),
            record(.variant("ApplyExtrinsic", [.uint(1)]), "SubtensorModule", "NeuronRegistered", [.uint(3), .uint(17), .bytes(hotkey)]),
            record(.variant("ApplyExtrinsic", [.uint(1)]), "System", "ExtrinsicSuccess", [info]),
            record(.variant("ApplyExtrinsic", [.uint(2)]), "System", "ExtrinsicFailed", [
                .variant("Module", [.fields(["index": .uint(UInt128(subtensor.index)), "error": .bytes([chosen.index, 0, 0, 0])])]),
                info,
            ]),
            record(.variant("Finalization", []), "System", "ExtrinsicSuccess", [info]),
        ])
        XCTAssertEqual(failed.fields.map(\.name), ["dispatch_error", "dispatch_info"])
        let type = try m.storageEntry(pallet: "System", entry: "Events").valueType
        let bytes = try ValueEncoder(types: m.types).encode(records, as: type, path: "events")
        return BuiltEvents(bytes: bytes, hotkey: hotkey, errorIndex: chosen.index, errorName: chosen.name, errorDocs: chosen.docs)
    }

    func testSystemEventsOfSpec343() throws {
        for m in [Fixtures.v14, Fixtures.v15] {
            let built = try eventBytes(m)
            let records = try SystemEvents.decode(built.bytes, metadata: m)
            XCTAssertEqual(records.map(\.description), ["System.ExtrinsicSuccess", "SubtensorModule.NeuronRegistered",
                                                        "System.ExtrinsicSuccess", "System.ExtrinsicFailed", "System.ExtrinsicSuccess"])
            XCTAssertEqual(records.map(\.phase), [.applyExtrinsic(0), .applyExtrinsic(1), .applyExtrinsic(1), .applyExtrinsic(2), .finalization])
            XCTAssertEqual(records[1].palletIndex, try m.pallet(named: "SubtensorModule").index)

            guard case .success(let events)? = try SystemEvents.outcome(extrinsicIndex: 1, records: records, metadata: m) else {
                return XCTFail("extrinsic 1 should have succeeded")
            }
            XCTAssertEqual(events.map(\.name), ["NeuronRegistered", "ExtrinsicSuccess"])
            XCTAssertEqual(events[0].field(0), .uint(3))
            XCTAssertEqual(events[0].field(1), .uint(17))
            XCTAssertEqual(events[0].field(2), .bytes(built.hotkey))

            guard case .failed(let failure, let failedEvents)? = try SystemEvents.outcome(extrinsicIndex: 2, records: records, metadata: m) else {
                return XCTFail("extrinsic 2 should have failed")
            }
            let listed = try m.error(palletIndex: try m.pallet(named: "SubtensorModule").index, errorIndex: built.errorIndex)
            XCTAssertEqual(failure.name, listed.name)
            XCTAssertEqual(failure.name, built.errorName)
            XCTAssertEqual(failure.pallet, "SubtensorModule")
            XCTAssertEqual(failure.docs, built.errorDocs)
            XCTAssertEqual(failedEvents.map(\.name), ["ExtrinsicFailed"])

            XCTAssertNil(try SystemEvents.outcome(extrinsicIndex: 9, records: records, metadata: m))
        }
    }

    func testDispatchErrorsOtherThanModule() throws {
        let m = Fixtures.v14
        XCTAssertEqual(try SystemEvents.dispatchFailure(.variant("BadOrigin", []), metadata: m).description, "BadOrigin")
        XCTAssertEqual(try SystemEvents.dispatchFailure(.variant("Token", [.variant("FundsUnavailable", [])]), metadata: m).name,
                       "Token.FundsUnavailable")
        XCTAssertThrowsError(try SystemEvents.dispatchFailure(
            .variant("Module", [.fields(["index": .uint(250), "error": .bytes([0, 0, 0, 0])])]), metadata: m)) { error in
            XCTAssertEqual(error as? ExtrinsicError, .metadata(.palletIndexNotFound(250)))
        }
    }

    func testSystemEventsKey() {
        XCTAssertEqual(Hex.encode(SystemEvents.storageKey), "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7")
    }
}
