import ChainCodec
import ChainMetadata
import Extrinsics
import PoWCore
import XCTest

/// A hand-made runtime with `pow_register` (spec 343 predates it) and the extension list of subtensor's newer
/// runtimes: the generic encoder on fixed arrays and AccountId32, and the extension rules.
final class HandMadeRuntimeTests: XCTestCase {
    let hotkey = Bytes32((0 ..< 32).map { UInt8(0xa0 + $0 % 16) })!
    let work = [UInt8]((0 ..< 32).map { UInt8(255 - $0) })

    func powArguments() -> [String: ScaleValue] {
        ["netuid": .uint(3), "work_block": .uint(0x0102_0304_0506_0708), "nonce": .uint(9), "work": .bytes(work),
         "hotkey": .bytes(hotkey.bytes)]
    }

    func testBothVersionsDecode() throws {
        for version: UInt8 in [14, 15] {
            let m = try RuntimeMetadata(bytes: PowRuntime.bytes(version: version))
            XCTAssertEqual(m.version, version)
            XCTAssertEqual(m.addressType, 13)
            XCTAssertEqual(m.signatureType, 15)
            let call = try m.call(pallet: "SubtensorModule", name: "pow_register")
            XCTAssertEqual(call.palletIndex, 7)
            XCTAssertEqual(call.callIndex, 152)
            XCTAssertEqual(call.arguments.map { "\($0.name): \(m.types.name($0.type))" },
                           ["netuid: u16", "work_block: u64", "nonce: u64", "work: [u8; 32]", "hotkey: AccountId32"])
            XCTAssertEqual(try m.calls(pallet: "SubtensorModule").map(\.name), ["faucet", "pow_register"])
            XCTAssertEqual(try m.error(palletIndex: 7, errorIndex: 4).name, "InvalidSeal")
            let entry = try m.storageEntry(pallet: "SubtensorModule", entry: "LastPowRegistrationBlock")
            XCTAssertEqual(entry.kind, .map(hashers: [.blake2_128Concat], key: 2, value: 4))
            XCTAssertEqual(try m.storageEntry(pallet: "SubtensorModule", entry: "TotalIssuance").modifier, .default)
            XCTAssertEqual(try m.pallet(named: "SubtensorModule").constants.first?.value, [42])
            if version == 15 {
                XCTAssertEqual(m.apis.first?.methods.first?.inputs.first?.name, "version")
                XCTAssertEqual(m.custom.map { "\($0.name) \($0.type) \($0.value)" }, ["answer 24 [4, 2]"])
                XCTAssertEqual(m.outerEnums.map { [$0.call, $0.event, $0.error] }, [5, 5, 5])
                XCTAssertEqual(try m.pallet(named: "System").docs, ["The System pallet."])
            }
        }
    }

    func testPowRegisterCall() throws {
        let b = ExtrinsicBuilder(metadata: try RuntimeMetadata(bytes: PowRuntime.bytes()))
        let call = try b.encodeCall(pallet: "SubtensorModule", call: "pow_register", arguments: powArguments())
        // No length prefix on the fixed arrays: 2 + 2 + 8 + 8 + 32 + 32 bytes.
        let expected: [UInt8] = [7, 152, 3, 0, 8, 7, 6, 5, 4, 3, 2, 1, 9, 0, 0, 0, 0, 0, 0, 0] + work + hotkey.bytes
        XCTAssertEqual(call.bytes, expected)
        // A 33-byte proof or a short hotkey is an error, never other bytes.
        var args = powArguments()
        args["work"] = .bytes(work + [0])
        XCTAssertThrowsError(try b.encodeCall(pallet: "SubtensorModule", call: "pow_register", arguments: args)) {
            XCTAssertEqual($0 as? ExtrinsicError, .wrongLength(at: "pow_register.work", type: "[u8; 32]", expected: 32, given: 33))
        }
        args = powArguments()
        args["hotkey"] = .bytes([1])
        XCTAssertThrowsError(try b.encodeCall(pallet: "SubtensorModule", call: "pow_register", arguments: args)) {
            XCTAssertEqual($0 as? ExtrinsicError, .wrongLength(at: "pow_register.hotkey", type: "[u8; 32]", expected: 32, given: 1))
        }
        // The array also takes its elements one by one, through the AccountId32 struct too.
        args = powArguments()
        args["work"] = .sequence(work.map { .uint(UInt128($0)) })
        args["hotkey"] = .sequence(hotkey.bytes.map { .uint(UInt128($0)) })
        XCTAssertEqual(try b.encodeCall(pallet: "SubtensorModule", call: "pow_register", arguments: args).bytes, expected)
    }

    func testSignedPowRegisterWithEveryExtension() throws {
        let b = ExtrinsicBuilder(metadata: try RuntimeMetadata(bytes: PowRuntime.bytes(version: 15)))
        let genesis = Bytes32([UInt8](repeating: 0x11, count: 32))!
        let birth = Bytes32([UInt8](repeating: 0x22, count: 32))!
        let era = Era.mortal(requestedPeriod: Era.registrationPeriod, currentBlock: 1_000_003)
        let p = SigningParameters(specVersion: 475, transactionVersion: 2, genesisHash: genesis, era: era,
                                  eraBirthHash: birth, nonce: 70, tip: 0)
        let u = try b.prepare(pallet: "SubtensorModule", call: "pow_register", arguments: powArguments(), parameters: p)
        // Extra: era (period 16, phase 3: 3 | 3 << 4 = 0x33), Compact nonce 70 (0x1901), Compact tip 0, mode Disabled.
        XCTAssertEqual(u.extra, [0x33, 0x00, 0x19, 0x01, 0x00, 0x00])
        // Additional: spec, tx version, genesis, birth block hash, metadata hash None.
        XCTAssertEqual(u.additional, [0xdb, 0x01, 0, 0, 2, 0, 0, 0] + genesis.bytes + birth.bytes + [0x00])
        XCTAssertEqual(u.signingPayload, u.call + u.extra + u.additional)
        let signature = [UInt8](repeating: 0x5a, count: 64)
        let signer = Bytes32([UInt8](repeating: 0x33, count: 32))!
        let x = try u.signed(signer: signer, signature: signature).bytes
        let body: [UInt8] = [0x84, 0x00] + signer.bytes + [0x01] + signature + u.extra + u.call
        XCTAssertEqual(x, SCALE.compact(UInt64(body.count)) + body)
    }

    func testUnknownExtensionsNeedEmptyTypes() throws {
        // An unknown extension whose types encode nothing (here a struct of a PhantomData tuple) is fine.
        let quiet = PowRuntime.extensions + [SignedExtension(identifier: "DrandPriority", type: 25, additionalSigned: 26)]
        var w = PowRuntime.writer(extensions: quiet)
        let p = SigningParameters(specVersion: 1, transactionVersion: 1, genesisHash: .zero, era: .immortal, eraBirthHash: .zero, nonce: 0)
        let b = ExtrinsicBuilder(metadata: try RuntimeMetadata(bytes: w.bytes()))
        XCTAssertEqual(try b.signedExtensionData(p).extra, [0x00, 0x00, 0x00, 0x00])
        // One that carries data is refused by name.
        let loud = PowRuntime.extensions + [SignedExtension(identifier: "CheckShieldedTxValidity", type: 7, additionalSigned: 8)]
        w = PowRuntime.writer(extensions: loud)
        let refused = ExtrinsicBuilder(metadata: try RuntimeMetadata(bytes: w.bytes()))
        XCTAssertThrowsError(try refused.prepare(pallet: "SubtensorModule", call: "pow_register", arguments: powArguments(), parameters: p)) {
            XCTAssertEqual($0 as? ExtrinsicError, .unsupportedSignedExtension(name: "CheckShieldedTxValidity", extraType: "u32", additionalType: "()"))
            XCTAssertTrue("\($0)".contains("CheckShieldedTxValidity"))
        }
        // Values beyond their metadata types: a nonce over u32, a tip over the u64 balance.
        var big = p
        big.nonce = 1 << 32
        XCTAssertThrowsError(try b.signedExtensionData(big)) {
            XCTAssertEqual($0 as? ExtrinsicError, .outOfRange(at: "CheckNonce extra", value: "4294967296", type: "Compact<u32>"))
        }
        big = p
        big.tip = UInt128(UInt64.max) + 1
        XCTAssertThrowsError(try b.signedExtensionData(big)) {
            XCTAssertEqual($0 as? ExtrinsicError, .outOfRange(at: "ChargeTransactionPaymentWrapper extra", value: "18446744073709551616", type: "Compact<u64>"))
        }
        // A known extension whose type is not what it should be is an error too, not a guess.
        let odd = [SignedExtension(identifier: "CheckNonce", type: 1, additionalSigned: 8)]
        w = PowRuntime.writer(extensions: odd)
        let oddBuilder = ExtrinsicBuilder(metadata: try RuntimeMetadata(bytes: w.bytes()))
        XCTAssertThrowsError(try oddBuilder.signedExtensionData(p)) {
            XCTAssertEqual($0 as? ExtrinsicError, .typeMismatch(at: "CheckNonce extra", expected: "[u8; 32]", given: "unsigned 0"))
        }
    }

    func testOnlyExtrinsicVersion4() throws {
        var bytes = PowRuntime.bytes()
        // The V14 extrinsic version byte follows the extrinsic type id (19) at the end of the pallets.
        let marker: [UInt8] = [19 << 2, 4, UInt8(PowRuntime.extensions.count << 2)]
        let at = try XCTUnwrap((0 ..< bytes.count - 2).last { Array(bytes[$0 ..< $0 + 3]) == marker })
        bytes[at + 1] = 5
        let b = ExtrinsicBuilder(metadata: try RuntimeMetadata(bytes: bytes))
        let p = SigningParameters(specVersion: 1, transactionVersion: 1, genesisHash: .zero, era: .immortal, eraBirthHash: .zero, nonce: 0)
        XCTAssertThrowsError(try b.prepare(pallet: "SubtensorModule", call: "pow_register", arguments: powArguments(), parameters: p)) {
            XCTAssertEqual($0 as? ExtrinsicError, .unsupportedExtrinsicVersion(5))
        }
    }
}
