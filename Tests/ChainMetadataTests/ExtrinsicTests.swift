import ChainCodec
import ChainMetadata
import Extrinsics
import PoWCore
import XCTest

/// Calls and signed extrinsics built from the spec-343 metadata, byte for byte against bittensor 11.3's offline
/// composer (`compose_call`, `prepare_extrinsic`, `attach_signature`): the committed vectors here, a live run in
/// LiveBittensorTests.
final class ExtrinsicTests: XCTestCase {
    static func check(vectors: JSONValue, file: StaticString = #filePath, line: UInt = #line) throws {
        for key in ["v14", "v15"] {
            let builder = ExtrinsicBuilder(metadata: Fixtures.metadata(key))
            for c in vectors["metadata"]![key]!["calls"]!.array {
                let call = try builder.encodeCall(pallet: c["pallet"]!.string, call: c["call"]!.string,
                                                  arguments: c["args"]!.object.mapValues(\.scaleValue))
                XCTAssertEqual(Hex.encode(call.bytes), c["bytes"]!.string, "\(key) \(c["call"]!.string)", file: file, line: line)
            }
        }
        XCTAssertFalse(vectors["eras"]!.array.isEmpty)
        for e in vectors["eras"]!.array {
            let era = Era.mortal(requestedPeriod: e["period"]!.u64, currentBlock: e["current"]!.u64)
            XCTAssertEqual(Hex.encode(era.encoded), e["encoded"]!.string, "\(e)", file: file, line: line)
            XCTAssertEqual(era.birth(currentBlock: e["current"]!.u64), e["birth"]!.u64, "\(e)", file: file, line: line)
        }
        let signer = Bytes32(vectors["signer"]!.hexBytes)!
        let signature = vectors["signature"]!.hexBytes
        let extrinsics = vectors["extrinsics"]!.array
        XCTAssertEqual(extrinsics.count, 4)
        for x in extrinsics {
            let builder = ExtrinsicBuilder(metadata: Fixtures.metadata(x["metadata"]!.string))
            let current = x["era"]?["current"]?.u64
            let era = current.map { Era.mortal(requestedPeriod: x["era"]!["period"]!.u64, currentBlock: $0) } ?? .immortal
            let parameters = SigningParameters(
                specVersion: UInt32(vectors["specVersion"]!.u64), transactionVersion: UInt32(vectors["transactionVersion"]!.u64),
                genesisHash: Bytes32(vectors["genesisHash"]!.hexBytes)!, era: era,
                eraBirthHash: Bytes32(vectors["eraBirthHash"]!.hexBytes)!, nonce: x["nonce"]!.u64, tip: UInt128(x["tip"]!.u64))
            let unsigned = try builder.prepare(pallet: x["pallet"]!.string, call: x["call"]!.string,
                                               arguments: x["args"]!.object.mapValues(\.scaleValue), parameters: parameters)
            let label = "\(x["metadata"]!.string) \(x["call"]!.string) era \(era)"
            XCTAssertEqual(Hex.encode(unsigned.call), x["callData"]!.string, label, file: file, line: line)
            XCTAssertEqual(Hex.encode(unsigned.extra), x["extra"]!.string, label, file: file, line: line)
            XCTAssertEqual(Hex.encode(unsigned.additional), x["additional"]!.string, label, file: file, line: line)
            XCTAssertEqual(Hex.encode(unsigned.signingPayload), x["payload"]!.string, label, file: file, line: line)
            let signed = try unsigned.signed(signer: signer, signature: signature)
            XCTAssertEqual(Hex.encode(signed.bytes), x["signed"]!.string, label, file: file, line: line)
            XCTAssertEqual(Hex.encode(signed.hash.bytes), x["hash"]!.string, label, file: file, line: line)
        }
    }

    func testCommittedVectorsFromBittensor() throws {
        try Self.check(vectors: Fixtures.vectors)
        // The vectors cover both payload forms: one over 256 bytes (signed as its blake2b-256), others in full.
        let payloads = Fixtures.vectors["extrinsics"]!.array.map { $0["payload"]!.hexBytes.count }
        XCTAssertTrue(payloads.contains(32) && payloads.contains { $0 > 100 }, "\(payloads)")
    }

    func testEraEncodings() {
        XCTAssertEqual(Era.immortal.encoded, [0x00])
        XCTAssertEqual(Era.immortal.birth(currentBlock: 123), 0)
        // Period 64 at block 1000: phase 40, low bits log2(64) - 1 = 5: 0x0285.
        XCTAssertEqual(Era.mortal(requestedPeriod: 64, currentBlock: 1000), .mortal(period: 64, phase: 40))
        XCTAssertEqual(Era.mortal(requestedPeriod: 64, currentBlock: 1000).encoded, [0x85, 0x02])
        // Rounded up to a power of two, clamped to [4, 65536].
        XCTAssertEqual(Era.mortal(requestedPeriod: 17, currentBlock: 0), .mortal(period: 32, phase: 0))
        XCTAssertEqual(Era.mortal(requestedPeriod: 0, currentBlock: 9), .mortal(period: 4, phase: 1))
        XCTAssertEqual(Era.mortal(requestedPeriod: .max, currentBlock: 70000), .mortal(period: 65536, phase: 4464))
        // Above 4096 the phase is quantized to period >> 12.
        XCTAssertEqual(Era.mortal(requestedPeriod: 65536, currentBlock: 70007), .mortal(period: 65536, phase: 4464))
        XCTAssertEqual(Era.registrationPeriod, 16)
        XCTAssertEqual(Era.registration(currentBlock: 4_567_890), .mortal(period: 16, phase: 2))
        XCTAssertEqual(Era.registration(currentBlock: 4_567_890).encoded, [0x23, 0x00])
        XCTAssertEqual(Era.mortal(requestedPeriod: Era.registrationPeriod, currentBlock: 4_567_890).birth(currentBlock: 4_567_890),
                       4_567_890)
    }

    func testCompactEncodingUpTo128Bits() {
        XCTAssertEqual(ValueEncoder.compact(0), [0x00])
        XCTAssertEqual(ValueEncoder.compact(63), [0xfc])
        XCTAssertEqual(ValueEncoder.compact(64), [0x01, 0x01])
        XCTAssertEqual(ValueEncoder.compact(16383), [0xfd, 0xff])
        XCTAssertEqual(ValueEncoder.compact(16384), [0x02, 0x00, 0x01, 0x00])
        XCTAssertEqual(ValueEncoder.compact(1 << 30), [0x03, 0x00, 0x00, 0x00, 0x40])
        XCTAssertEqual(ValueEncoder.compact(UInt128.max), [0x33] + [UInt8](repeating: 0xff, count: 16))
        for v: UInt64 in [0, 1, 63, 64, 16383, 16384, (1 << 30) - 1, 1 << 30, UInt64(UInt32.max), .max] {
            XCTAssertEqual(ValueEncoder.compact(UInt128(v)), SCALE.compact(v), "\(v)")
        }
    }

    func testArgumentMismatchesAreErrors() throws {
        let b = ExtrinsicBuilder(metadata: Fixtures.v14)
        let work: ScaleValue = .bytes([UInt8](repeating: 1, count: 32))
        func expect(_ args: [String: ScaleValue], pallet: String = "SubtensorModule", call: String = "faucet",
                    _ error: ExtrinsicError, line: UInt = #line) {
            XCTAssertThrowsError(try b.encodeCall(pallet: pallet, call: call, arguments: args), line: line) {
                XCTAssertEqual($0 as? ExtrinsicError, error, line: line)
                XCTAssertFalse("\($0)".contains("\n"), line: line)
            }
        }
        expect(["block_number": .uint(1), "nonce": .uint(2)], .missingArgument(call: "SubtensorModule.faucet", argument: "work"))
        expect(["block_number": .uint(1), "nonce": .uint(2), "work": work, "coldkey": work],
               .unexpectedArgument(call: "SubtensorModule.faucet", argument: "coldkey"))
        expect(["block_number": .uint(UInt128(UInt64.max) + 1), "nonce": .uint(2), "work": work],
               .outOfRange(at: "faucet.block_number", value: "18446744073709551616", type: "u64"))
        expect(["block_number": .int(1), "nonce": .uint(2), "work": work],
               .typeMismatch(at: "faucet.block_number", expected: "u64", given: "signed 1"))
        expect(["block_number": .uint(1), "nonce": .uint(2), "work": .string("x")],
               .typeMismatch(at: "faucet.work", expected: "Vec<u8>", given: "a string"))
        expect(["netuid": .uint(70000), "hotkey": work], call: "burned_register",
               .outOfRange(at: "burned_register.netuid", value: "70000", type: "u16"))
        // AccountId32 wraps [u8; 32]: 31 bytes is the wrong length, never a short key.
        expect(["netuid": .uint(1), "hotkey": .bytes([UInt8](repeating: 1, count: 31))], call: "burned_register",
               .wrongLength(at: "burned_register.hotkey", type: "[u8; 32]", expected: 32, given: 31))
        expect(["id": .bytes([1, 2, 3])], pallet: "Scheduler", call: "cancel_named",
               .wrongLength(at: "cancel_named.id", type: "[u8; 32]", expected: 32, given: 3))
        expect(["hotkey": work, "new_hotkey": work, "netuid": .variant("Maybe", [])], call: "swap_hotkey",
               .unknownVariant(at: "swap_hotkey.netuid", type: "Option<u16>", variant: "Maybe"))
        let timepoint: ScaleValue = .optionSome(.fields(["height": .uint(1)]))
        expect(["threshold": .uint(2), "other_signatories": .sequence([]), "maybe_timepoint": timepoint,
                "call_hash": work, "max_weight": .fields(["ref_time": .uint(1), "proof_size": .uint(2)])],
               pallet: "Multisig", call: "approve_as_multi",
               .fieldMismatch(at: "approve_as_multi.maybe_timepoint.Some.0", type: "Timepoint", detail: "field index is missing"))
        expect([:], pallet: "SubtensorModule", call: "pow_register",
               .metadata(.callNotFound(pallet: "SubtensorModule", call: "pow_register")))
    }

    func testSignatureMustBe64Bytes() throws {
        let b = ExtrinsicBuilder(metadata: Fixtures.v14)
        let p = SigningParameters(specVersion: 343, transactionVersion: 1, genesisHash: .zero, era: .immortal,
                                  eraBirthHash: .zero, nonce: 0)
        let u = try b.prepare(pallet: "SubtensorModule", call: "burned_register",
                              arguments: ["netuid": .uint(1), "hotkey": .bytes([UInt8](repeating: 2, count: 32))], parameters: p)
        XCTAssertThrowsError(try u.signed(signer: .zero, signature: [UInt8](repeating: 0, count: 65))) {
            XCTAssertEqual($0 as? ExtrinsicError, .badSignatureLength(65))
        }
        // Immortal: the era is one byte and the mortality check signs the genesis hash.
        XCTAssertEqual(u.extra.first, 0x00)
    }
}
