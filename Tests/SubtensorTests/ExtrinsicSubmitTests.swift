import ChainCodec
import ChainMetadata
import Extrinsics
import Foundation
import PoWCore
import TestSupport
import XCTest
@testable import Subtensor

/// Submitting and watching extrinsics, and reading their outcome, against a MockNode over a real WebSocket.
final class ExtrinsicSubmitTests: XCTestCase {
    var node: MockNode!
    var client: SubtensorClient!

    override func setUp() async throws {
        node = MockNode()
        try node.start()
        let configuration = RPCConfiguration(requestTimeout: .seconds(3), maxReplyBytes: 4 << 20,
                                             initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200),
                                             pingInterval: nil)
        let rpc = RPCClient(endpoint: try SubtensorEndpoint(node.url), configuration: configuration, logger: quietLogger)
        client = SubtensorClient(rpc: rpc, logger: quietLogger)
    }

    override func tearDown() async throws {
        await client.close()
        try node.stop()
    }

    let extrinsic: [UInt8] = [0x10, 0x84, 1, 2, 3]
    static let blockA = Bytes32([UInt8](repeating: 0xaa, count: 32))!
    static let blockB = Bytes32([UInt8](repeating: 0xbb, count: 32))!

    // MARK: Submitting

    func testSubmitReturnsTheExtrinsicHash() async throws {
        let hash = try await client.submitExtrinsic(extrinsic)
        XCTAssertEqual(hash.bytes, blake2b256(extrinsic))
        XCTAssertEqual(node.submittedExtrinsics, [extrinsic])
    }

    func testReadyInBlockFinalized() async throws {
        node.setWatchScript(["ready", ["broadcast": ["12D3KooWA", "12D3KooWB"]], ["inBlock": .string(Self.blockA.hex)],
                             ["finalized": .string(Self.blockA.hex)]])
        let (statuses, error) = await collectStatuses(try await client.submitAndWatchExtrinsic(extrinsic))
        XCTAssertNil(error)
        XCTAssertEqual(statuses, [.ready, .broadcast(["12D3KooWA", "12D3KooWB"]), .inBlock(Self.blockA), .finalized(Self.blockA)])
        XCTAssertEqual(node.submittedExtrinsics, [extrinsic])
        XCTAssertEqual(node.log.filter { $0 == "author_submitAndWatchExtrinsic" }.count, 1)
    }

    func testRetractedThenInBlockAgain() async throws {
        node.setWatchScript(["future", "ready", ["inBlock": .string(Self.blockA.hex)], ["retracted": .string(Self.blockA.hex)],
                             "ready", ["inBlock": .string(Self.blockB.hex)], ["finalized": .string(Self.blockB.hex)]])
        let (statuses, error) = await collectStatuses(try await client.submitAndWatchExtrinsic(extrinsic))
        XCTAssertNil(error)
        XCTAssertEqual(statuses, [.future, .ready, .inBlock(Self.blockA), .retracted(Self.blockA), .ready, .inBlock(Self.blockB),
                                  .finalized(Self.blockB)])
    }

    /// Each final status ends the stream; anything the node sends after it is not read.
    func testFinalStatusesEndTheStream() async throws {
        let finals: [(JSONValue, TransactionStatus)] = [
            ("invalid", .invalid), ("dropped", .dropped),
            (["usurped": .string(Self.blockB.hex)], .usurped(Self.blockB)),
            (["finalityTimeout": .string(Self.blockA.hex)], .finalityTimeout(Self.blockA)),
        ]
        for (json, status) in finals {
            node.setWatchScript(["ready", json, "ready"])
            let (statuses, error) = await collectStatuses(try await client.submitAndWatchExtrinsic(extrinsic))
            XCTAssertNil(error, "\(status)")
            XCTAssertEqual(statuses, [.ready, status])
            XCTAssertTrue(status.isFinal)
        }
    }

    func testUnknownStatusIsAnError() async throws {
        node.setWatchScript(["ready", ["teleported": "somewhere"]])
        let (statuses, error) = await collectStatuses(try await client.submitAndWatchExtrinsic(extrinsic))
        XCTAssertEqual(statuses, [.ready])
        XCTAssertEqual(error as? ChainError, .unknownStatus(#"{"teleported":"somewhere"}"#))
    }

    func testConsumerStoppingEarlyUnwatches() async throws {
        node.setWatchScript(["ready", ["broadcast": ["p"]]])
        let stream = try await client.submitAndWatchExtrinsic(extrinsic)
        try await eventually("the node has the watch") { node.watcherCount == 1 }
        for try await status in stream {
            XCTAssertEqual(status, .ready)
            break
        }
        try await eventually("author_unwatchExtrinsic reaches the node") { node.unwatchedIDs == ["watch1"] && node.watcherCount == 0 }
    }

    func testCancellingTheConsumerUnwatches() async throws {
        node.setWatchScript(["ready"])
        let stream = try await client.submitAndWatchExtrinsic(extrinsic)
        let consumer = Task { [stream] in await collectStatuses(stream) }
        try await eventually("the node has the watch") { node.watcherCount == 1 }
        consumer.cancel()
        _ = await consumer.value
        try await eventually("author_unwatchExtrinsic reaches the node") { node.unwatchedIDs.count == 1 && node.watcherCount == 0 }
    }

    /// A lost connection ends the watch with an error instead of submitting the extrinsic again.
    func testLostConnectionEndsTheWatchWithoutResubmitting() async throws {
        node.setWatchScript(["ready"])
        let stream = try await client.submitAndWatchExtrinsic(extrinsic)
        let consumer = Task { [stream] in await collectStatuses(stream) }
        try await eventually("the node has the watch") { node.watcherCount == 1 }
        node.dropConnections()
        let (statuses, error) = await consumer.value
        XCTAssertEqual(statuses, [.ready])
        guard case .rpc(.connectionClosed(let method, _, _))? = error as? ChainError else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(method, "author_submitAndWatchExtrinsic")
        // The client reconnects for other requests, and the extrinsic went to the node once.
        _ = try await client.currentBlock()
        XCTAssertEqual(node.submittedExtrinsics.count, 1)
    }

    // MARK: Pool errors

    func testInvalidTransactionKeepsTheNodesWords() async throws {
        node.override("author_submitAndWatchExtrinsic") { _, _ in
            .errorWithData(code: 1010, message: "Invalid Transaction", data: "Transaction is outdated")
        }
        do {
            _ = try await client.submitAndWatchExtrinsic(extrinsic)
            XCTFail("expected a pool error")
        } catch {
            guard case .pool(let rejection) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(rejection.code, 1010)
            XCTAssertEqual(rejection.kind, .invalid)
            XCTAssertEqual(rejection.message, "Invalid Transaction: Transaction is outdated")
            XCTAssertEqual(rejection.reason, "Transaction is outdated")
            XCTAssertNil(rejection.customError)
            XCTAssertEqual(error.description,
                           "the transaction pool refused the extrinsic (1010): Invalid Transaction: Transaction is outdated")
        }
        XCTAssertEqual(node.watcherCount, 0)
    }

    func testPoolErrorsOfSubmit() async throws {
        let cases: [(Int64, String, JSONValue?, PoolRejection.Kind, String?, UInt8?)] = [
            (1010, "Invalid Transaction", "Transaction has a bad signature", .invalid, "Transaction has a bad signature", nil),
            (1010, "Invalid Transaction", "Custom error: 6", .invalid, "Custom error: 6", 6),
            (1011, "Unknown Transaction Validity", "Could not lookup information required to validate the transaction",
             .unknownValidity, "Could not lookup information required to validate the transaction", nil),
            (1012, "Transaction is temporarily banned", nil, .temporarilyBanned, nil, nil),
            (1013, "Transaction Already Imported", nil, .alreadyImported, nil, nil),
            (1014, "Priority is too low: (10 vs 10)", "The transaction has too low priority to replace another transaction already in the pool.",
             .priorityTooLow, nil, nil),
        ]
        for (code, message, data, kind, reason, custom) in cases {
            node.override("author_submitExtrinsic") { _, _ in
                data.map { .errorWithData(code: code, message: message, data: $0) } ?? .error(code: code, message: message)
            }
            do {
                _ = try await client.submitExtrinsic(extrinsic)
                XCTFail("expected a pool error for \(code)")
            } catch {
                guard case .pool(let rejection) = error else { XCTFail("\(error)"); continue }
                XCTAssertEqual(rejection.kind, kind, "\(code)")
                XCTAssertEqual(rejection.message, message + (data?.stringValue.map { ": " + $0 } ?? ""))
                XCTAssertEqual(rejection.reason, reason)
                XCTAssertEqual(rejection.customError, custom)
            }
        }
        // Other node errors stay RPC errors.
        node.override("author_submitExtrinsic") { _, _ in .error(code: -32602, message: "Invalid params") }
        do {
            _ = try await client.submitExtrinsic(extrinsic)
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error, .rpc(.node(method: "author_submitExtrinsic", code: -32602, message: "Invalid params")))
        }
    }

    // MARK: Chain queries

    static let metadataBytes: [UInt8] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ChainMetadataTests/Fixtures/subtensor-spec343-v14.hex")
        let text = try! String(contentsOf: url, encoding: .utf8)
        return try! Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }()
    static let metadata = try! RuntimeMetadata(bytes: metadataBytes)

    func testRuntimeQueries() async throws {
        node.setMetadata(Self.metadataBytes)
        let metadata = try await client.runtimeMetadata()
        XCTAssertEqual(metadata, Self.metadata)
        let version = try await client.runtimeVersion()
        XCTAssertEqual(version, RuntimeVersion(specName: "node-subtensor", specVersion: 343, transactionVersion: 1))
        let genesis = try await client.genesisHash()
        XCTAssertEqual(genesis, MockNode.hash(of: 0))
        let nonce = try await client.accountNextIndex("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
        XCTAssertEqual(nonce, 7)

        node.setMetadata([1, 2, 3, 4])
        do {
            _ = try await client.runtimeMetadata()
            XCTFail("expected a metadata error")
        } catch {
            XCTAssertEqual(error, .metadata(.badMagic([1, 2, 3, 4])))
        }
    }

    func testBlock() async throws {
        node.setBlock(Self.blockA, extrinsics: [[4, 1], extrinsic])
        let block = try await client.block(Self.blockA)
        XCTAssertEqual(block.extrinsics, [[4, 1], extrinsic])
        XCTAssertEqual(block.index(of: Bytes32(blake2b256(extrinsic))!), 1)
        XCTAssertEqual(block.number, 100)
        do {
            _ = try await client.block(Self.blockB)
            XCTFail("expected unknownBlock")
        } catch {
            XCTAssertEqual(error, .unknownBlock(Self.blockB))
        }
    }

    // MARK: Outcome

    /// Block A with three extrinsics: 0 succeeds, 1 (`failing`) fails with a SubtensorModule error (returned), 2 (ours)
    /// registers a neuron with UID 12 for `hotkey`; their events in `System.Events`, written by `ValueEncoder`.
    let failing: [UInt8] = [0x0c, 0x84, 9, 9]
    let hotkey = [UInt8](repeating: 0x42, count: 32)

    func installBlockA() throws -> Variant {
        let m = Self.metadata
        let ours = extrinsic
        node.setBlock(Self.blockA, extrinsics: [[0x08, 0x04, 0x00], failing, ours])

        let subtensor = try m.pallet(named: "SubtensorModule")
        let errors = try m.variants(try XCTUnwrap(subtensor.errorType), role: "errors")
        let chosen = errors[errors.count / 3]
        let systemEvents = try m.variants(try XCTUnwrap(try m.pallet(named: "System").eventType), role: "events")
        let successInfo = try XCTUnwrap(systemEvents.first { $0.name == "ExtrinsicSuccess" }?.fields.last?.type)
        let info = try XCTUnwrap(Self.zeroValue(successInfo, m.types))

        func record(_ index: UInt128, _ pallet: String, _ event: String, _ fields: [ScaleValue]) -> ScaleValue {
            .fields(["phase": .variant("ApplyExtrinsic", [.uint(index)]), "event": .variant(pallet, [.variant(event, fields)]),
                     "topics": .sequence([])])
        }
        let records: ScaleValue = .sequence([
            record(0, "System", "ExtrinsicSuccess", [info]),
            record(1, "System", "ExtrinsicFailed", [
                .variant("Module", [.fields(["index": .uint(UInt128(subtensor.index)), "error": .bytes([chosen.index, 0, 0, 0])])]),
                info,
            ]),
            record(2, "SubtensorModule", "NeuronRegistered", [.uint(1), .uint(12), .bytes(hotkey)]),
            record(2, "System", "ExtrinsicSuccess", [info]),
        ])
        let eventsType = try m.storageEntry(pallet: "System", entry: "Events").valueType
        node.setStorage(SystemEvents.storageKey, try ValueEncoder(types: m.types).encode(records, as: eventsType, path: "events"))
        return chosen
    }

    func testOutcomeFromTheBlocksEvents() async throws {
        let m = Self.metadata
        let ours = extrinsic
        let subtensor = try m.pallet(named: "SubtensorModule")
        let chosen = try installBlockA()

        let success = try await client.extrinsicOutcome(Bytes32(blake2b256(ours))!, inBlock: Self.blockA, metadata: m)
        guard case .success(let events) = success else { return XCTFail("\(success)") }
        XCTAssertEqual(events.map(\.description), ["SubtensorModule.NeuronRegistered", "System.ExtrinsicSuccess"])
        XCTAssertEqual(events[0].field(1), .uint(12))
        XCTAssertEqual(events[0].field(2), .bytes(hotkey))

        let failure = try await client.extrinsicOutcome(Bytes32(blake2b256(failing))!, inBlock: Self.blockA, metadata: m)
        guard case .failed(let dispatch, _) = failure else { return XCTFail("\(failure)") }
        let listed = try m.error(palletIndex: subtensor.index, errorIndex: chosen.index)
        XCTAssertEqual(dispatch.pallet, "SubtensorModule")
        XCTAssertEqual(dispatch.name, listed.name)
        XCTAssertEqual(dispatch.docs, listed.docs)

        let stranger = Bytes32([UInt8](repeating: 7, count: 32))!
        do {
            _ = try await client.extrinsicOutcome(stranger, inBlock: Self.blockA, metadata: m)
            XCTFail("expected extrinsicNotInBlock")
        } catch {
            XCTAssertEqual(error, .extrinsicNotInBlock(extrinsic: stranger, block: Self.blockA))
        }
        // Events that say nothing about the extrinsic.
        node.setStorage(SystemEvents.storageKey, [0])
        do {
            _ = try await client.extrinsicOutcome(Bytes32(blake2b256(ours))!, inBlock: Self.blockA, metadata: m)
            XCTFail("expected noOutcome")
        } catch {
            XCTAssertEqual(error, .noOutcome(extrinsic: Bytes32(blake2b256(ours))!, block: Self.blockA))
        }
        // Events that do not decode.
        node.setStorage(SystemEvents.storageKey, [4, 0, 0])
        do {
            _ = try await client.events(at: Self.blockA, metadata: m)
            XCTFail("expected a decoding error")
        } catch {
            guard case .decoding = error else { return XCTFail("\(error)") }
        }
    }

    func testSubmitAndWaitFollowsRetractionToFinality() async throws {
        _ = try installBlockA()
        node.setWatchScript(["ready", ["inBlock": .string(Self.blockB.hex)], ["retracted": .string(Self.blockB.hex)],
                             ["inBlock": .string(Self.blockA.hex)], ["finalized": .string(Self.blockA.hex)]])
        let seen = Box([TransactionStatus]())
        let (block, outcome) = try await client.submitAndWait(extrinsic, metadata: Self.metadata, until: .finalized) { status in
            seen.update { $0.append(status) }
        }
        XCTAssertEqual(block, Self.blockA)
        XCTAssertEqual(seen.value.count, 5)
        guard case .success(let events) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(events.first?.field(1), .uint(12))

        // Until inBlock: the first inclusion is enough.
        node.setWatchScript(["ready", ["inBlock": .string(Self.blockA.hex)]])
        let first = try await client.submitAndWait(extrinsic, metadata: Self.metadata)
        XCTAssertEqual(first.block, Self.blockA)
    }

    func testSubmitAndWaitReportsAnExtrinsicThatNeverLands() async throws {
        node.setWatchScript(["ready", "dropped"])
        do {
            _ = try await client.submitAndWait(extrinsic, metadata: Self.metadata)
            XCTFail("expected notIncluded")
        } catch {
            XCTAssertEqual(error, .notIncluded("dropped"))
            XCTAssertEqual(error.description, "the extrinsic was not included: dropped")
        }
        node.override("author_submitAndWatchExtrinsic") { _, _ in
            .errorWithData(code: 1010, message: "Invalid Transaction", data: "Custom error: 6")
        }
        do {
            _ = try await client.submitAndWait(extrinsic, metadata: Self.metadata)
            XCTFail("expected a pool error")
        } catch {
            guard case .pool(let rejection) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(rejection.customError, 6)
        }
    }

    /// The simplest value of a type that `ValueEncoder` takes (zeros, first variants, empty sequences).
    static func zeroValue(_ id: UInt32, _ types: TypeRegistry, depth: Int = 0) -> ScaleValue? {
        guard depth < 32, let type = try? types.type(id) else { return nil }
        switch type.def {
        case .primitive(.bool): return .bool(false)
        case .primitive(.str): return .string("")
        case .primitive(let p) where p.isSigned: return .int(0)
        case .primitive(let p) where p.isUnsigned: return .uint(0)
        case .primitive: return nil
        case .compact: return .uint(0)
        case .sequence: return .sequence([])
        case .array(let n, let e):
            var items = [ScaleValue]()
            for _ in 0 ..< n { guard let v = zeroValue(e, types, depth: depth + 1) else { return nil }; items.append(v) }
            return .sequence(items)
        case .tuple(let ids):
            var items = [ScaleValue]()
            for e in ids { guard let v = zeroValue(e, types, depth: depth + 1) else { return nil }; items.append(v) }
            return .sequence(items)
        case .composite(let fields):
            var items = [ScaleValue]()
            for f in fields { guard let v = zeroValue(f.type, types, depth: depth + 1) else { return nil }; items.append(v) }
            return fields.count == 1 ? items[0] : .sequence(items)
        case .variant(let variants):
            guard let v = variants.first else { return nil }
            var items = [ScaleValue]()
            for f in v.fields { guard let value = zeroValue(f.type, types, depth: depth + 1) else { return nil }; items.append(value) }
            return .variant(v.name, items)
        case .bitSequence: return nil
        }
    }
}

/// Every status until the stream ends, and the error it ended with.
func collectStatuses(_ stream: ExtrinsicWatch) async -> ([TransactionStatus], (any Error)?) {
    var statuses = [TransactionStatus]()
    do {
        for try await status in stream { statuses.append(status) }
        return (statuses, nil)
    } catch {
        return (statuses, error)
    }
}
