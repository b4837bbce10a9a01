import ChainCodec
import ChainMetadata
import Extrinsics
import PoWCore
import XCTest

/// The spec-343 blobs decoded by our reader, checked against what bittensor 11.3's own decoder reports about them
/// (Fixtures/extrinsic-vectors.json, made by tools/extrinsic_vectors.py).
final class MetadataTests: XCTestCase {
    func testBothBlobsDecodeCompletely() throws {
        XCTAssertEqual(Fixtures.v14.version, 14)
        XCTAssertEqual(Fixtures.v15.version, 15)
        XCTAssertTrue(Fixtures.v14.apis.isEmpty)
        XCTAssertNil(Fixtures.v14.outerEnums)
        XCTAssertFalse(Fixtures.v15.apis.isEmpty)
        XCTAssertNotNil(Fixtures.v15.outerEnums)
        // The V15 outer call enum is the V15 extrinsic's call type, the enum of every pallet's calls.
        let call = try XCTUnwrap(Fixtures.v15.outerEnums?.call)
        XCTAssertEqual(Fixtures.v15.extrinsic.callType, call)
        let pallets = try Fixtures.v15.variants(call, role: "call").map(\.name)
        XCTAssertTrue(pallets.contains("SubtensorModule"))
    }

    func testRuntimeAPIsOfV15() throws {
        let names = Fixtures.v15.apis.map(\.name)
        XCTAssertTrue(names.contains("Metadata"), "\(names)")
        let metadataAPI = try XCTUnwrap(Fixtures.v15.apis.first { $0.name == "Metadata" })
        let atVersion = try XCTUnwrap(metadataAPI.methods.first { $0.name == "metadata_at_version" })
        XCTAssertEqual(atVersion.inputs.map(\.name), ["version"])
        XCTAssertEqual(Fixtures.v15.types.name(atVersion.inputs[0].type), "u32")
        XCTAssertEqual(Fixtures.v15.types.name(atVersion.output), "Option<OpaqueMetadata>")
    }

    func testFactsMatchBittensor() throws {
        for key in ["v14", "v15"] {
            let m = Fixtures.metadata(key)
            let facts = Fixtures.vectors["metadata"]![key]!
            XCTAssertEqual(m.extrinsic.version, UInt8(facts["extrinsicVersion"]!.u64), key)
            XCTAssertEqual(m.extrinsic.signedExtensions.map(\.identifier), facts["signedExtensions"]!.array.map(\.string), key)
            XCTAssertEqual(m.extrinsic.signedExtensions.count, 11, key)
            XCTAssertEqual(m.pallets.map { [$0.name, String($0.index)] },
                           facts["pallets"]!.array.map { [$0.array[0].string, String($0.array[1].u64)] }, key)
            XCTAssertEqual(try m.pallet(named: "SubtensorModule").index, 7, key)

            // The whole registry, type by type (ids, paths, parameters, definitions, field and variant names).
            let (count, digest) = registryDigest(m.types)
            XCTAssertEqual(count, Int(facts["typeCount"]!.u64), key)
            XCTAssertEqual(digest, facts["registryDigest"]!.string, key)

            let subtensorCalls = try m.calls(pallet: "SubtensorModule")
            XCTAssertEqual(Set(subtensorCalls.map(\.name)), Set(facts["subtensorCallNames"]!.array.map(\.string)), key)

            for (pallet, expected) in [("SubtensorModule", facts["subtensorErrors"]!), ("System", facts["systemErrors"]!)] {
                let index = try m.pallet(named: pallet).index
                for e in expected.array {
                    let found = try m.error(palletIndex: index, errorIndex: UInt8(e.array[0].u64))
                    XCTAssertEqual(found.name, e.array[1].string, "\(key) \(pallet) error \(e.array[0].u64)")
                    XCTAssertEqual(found.pallet, pallet)
                }
            }

            for c in facts["calls"]!.array {
                let info = try m.call(pallet: c["pallet"]!.string, name: c["call"]!.string)
                XCTAssertEqual(info.palletIndex, UInt8(c["palletIndex"]!.u64), "\(key) \(info.name)")
                XCTAssertEqual(info.callIndex, UInt8(c["callIndex"]!.u64), "\(key) \(info.name)")
                let expected = c["argTypes"]!.array.map { [$0.array[0].string, $0.array[1].string] }
                XCTAssertEqual(info.arguments.map { [$0.name, m.types.name($0.type)] }, expected, "\(key) \(info.name)")
            }

            // Every call's arguments and every storage entry's value type, named as bittensor names them.
            for (pallet, calls) in facts["callArgumentTypes"]!.object {
                for (call, args) in calls.object {
                    let info = try m.call(pallet: pallet, name: call)
                    XCTAssertEqual(info.arguments.map { [$0.name, m.types.name($0.type)] },
                                   args.array.map { [$0.array[0].string, $0.array[1].string] }, "\(key) \(pallet).\(call)")
                }
                XCTAssertEqual(try m.calls(pallet: pallet).count, calls.object.count, "\(key) \(pallet)")
            }
            for (pallet, entries) in facts["storageValueTypes"]!.object {
                for (entry, type) in entries.object {
                    XCTAssertEqual(m.types.name(try m.storageEntry(pallet: pallet, entry: entry).valueType), type.string,
                                   "\(key) \(pallet).\(entry)")
                }
                XCTAssertEqual(try m.pallet(named: pallet).storage?.entries.count, entries.object.count, "\(key) \(pallet)")
            }

            let uids = try m.storageEntry(pallet: "SubtensorModule", entry: "Uids")
            let u = facts["uids"]!
            XCTAssertEqual(uids.modifier, .optional)
            XCTAssertEqual(Hex.encode(uids.defaultValue), u["default"]!.string)
            guard case .map(let hashers, let keyType, let valueType) = uids.kind else { return XCTFail("Uids is not a map") }
            XCTAssertEqual(hashers, [.identity, .blake2_128Concat])
            XCTAssertEqual(u["hashers"]!.array.map(\.string), ["Identity", "Blake2_128Concat"])
            XCTAssertEqual("scale_info::\(valueType)", u["valueType"]!.string)
            XCTAssertEqual(m.types.name(valueType), "u16")
            guard case .tuple(let parts) = try m.types.type(keyType).def else { return XCTFail("Uids key is not a tuple") }
            XCTAssertEqual(parts.map { "scale_info::\($0)" }, u["keyTypes"]!.array.map(\.string))
            XCTAssertEqual(parts.map { m.types.name($0) }, ["u16", "AccountId32"])
        }
    }

    func testSignedExtensionTypes() throws {
        for m in [Fixtures.v14, Fixtures.v15] {
            let exts = Dictionary(uniqueKeysWithValues: m.extrinsic.signedExtensions.map { ($0.identifier, $0) })
            func empty(_ id: UInt32) throws -> Bool { try m.types.encodesNothing(id) }
            XCTAssertEqual(m.types.name(exts["CheckSpecVersion"]!.additionalSigned), "u32")
            XCTAssertEqual(m.types.name(exts["CheckGenesis"]!.additionalSigned), "H256")
            XCTAssertEqual(m.types.name(exts["CheckMortality"]!.additionalSigned), "H256")
            XCTAssertEqual(m.types.name(exts["CheckMetadataHash"]!.additionalSigned), "Option<[u8; 32]>")
            // CheckNonce(#[codec(compact)] Nonce) with a u32 nonce; ChargeTransactionPayment(#[codec(compact)] u64).
            guard case .composite(let nonce) = try m.types.type(exts["CheckNonce"]!.type).def else { return XCTFail() }
            XCTAssertEqual(nonce.map { m.types.name($0.type) }, ["Compact<u32>"])
            guard case .composite(let tip) = try m.types.type(exts["ChargeTransactionPayment"]!.type).def else { return XCTFail() }
            XCTAssertEqual(tip.map { m.types.name($0.type) }, ["Compact<u64>"])
            for name in ["CheckNonZeroSender", "CheckWeight", "SubtensorTransactionExtension", "DrandPriority"] {
                XCTAssertTrue(try empty(exts[name]!.type), name)
                XCTAssertTrue(try empty(exts[name]!.additionalSigned), name)
            }
            XCTAssertFalse(try empty(exts["CheckNonce"]!.type))
            XCTAssertTrue(try empty(exts["CheckNonce"]!.additionalSigned))
            // The address and signature types the extrinsic uses.
            XCTAssertEqual(m.addressType.map { m.types.name($0) }, "MultiAddress")
            XCTAssertEqual(m.signatureType.map { m.types.name($0) }, "MultiSignature")
        }
    }

    func testRegistrationCallsOfSpec343() throws {
        for m in [Fixtures.v14, Fixtures.v15] {
            let faucet = try m.call(pallet: "SubtensorModule", name: "faucet")
            XCTAssertEqual([faucet.palletIndex, faucet.callIndex], [7, 60])
            XCTAssertEqual(faucet.arguments.map { "\($0.name): \(m.types.name($0.type))" },
                           ["block_number: u64", "nonce: u64", "work: Vec<u8>"])
            XCTAssertEqual(try m.call(pallet: "SubtensorModule", name: "register").callIndex, 6)
            let burned = try m.call(pallet: "SubtensorModule", name: "burned_register")
            XCTAssertEqual(burned.callIndex, 7)
            XCTAssertEqual(burned.arguments.map(\.typeName), ["NetUid", "T::AccountId"])
            XCTAssertEqual(try m.error(palletIndex: 7, errorIndex: 0).name, "RootNetworkDoesNotExist")
            XCTAssertEqual(try m.error(palletIndex: 0, errorIndex: 5).name, "CallFiltered")
        }
    }

    func testLookupErrorsAreTyped() {
        let m = Fixtures.v14
        XCTAssertThrowsError(try m.pallet(named: "Nope")) { XCTAssertEqual($0 as? MetadataError, .palletNotFound("Nope")) }
        XCTAssertThrowsError(try m.call(pallet: "SubtensorModule", name: "pow_register")) {
            XCTAssertEqual($0 as? MetadataError, .callNotFound(pallet: "SubtensorModule", call: "pow_register"))
        }
        XCTAssertThrowsError(try m.error(palletIndex: 7, errorIndex: 250)) {
            XCTAssertEqual($0 as? MetadataError, .errorNotFound(pallet: "SubtensorModule", index: 250))
        }
        XCTAssertThrowsError(try m.error(palletIndex: 99, errorIndex: 0)) { XCTAssertEqual($0 as? MetadataError, .palletIndexNotFound(99)) }
        XCTAssertThrowsError(try m.storageEntry(pallet: "SubtensorModule", entry: "Nope")) {
            XCTAssertEqual($0 as? MetadataError, .storageNotFound(pallet: "SubtensorModule", entry: "Nope"))
        }
    }
}
