import ChainCodec
import Logging
import NIOCore
import NIOSSL
import PoWCore
import XCTest
import TestSupport
@testable import Subtensor

let quietLogger: Logger = {
    var logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

/// Every test talks to a MockNode on 127.0.0.1 only.
final class RPCClientTests: XCTestCase {
    var node: MockNode!

    override func setUp() async throws {
        node = MockNode()
        try node.start()
    }

    override func tearDown() async throws {
        try node.stop()
    }

    func makeClient(timeout: Duration = .seconds(2), maxReply: Int = 1 << 20) throws -> RPCClient {
        let configuration = RPCConfiguration(requestTimeout: timeout, maxReplyBytes: maxReply,
                                             initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200),
                                             pingInterval: nil)
        return RPCClient(endpoint: try SubtensorEndpoint(node.url), configuration: configuration, logger: quietLogger)
    }

    func expectError<T>(_ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async -> (any Error)? {
        do {
            let value = try await body()
            XCTFail("expected an error, got \(value)", file: file, line: line)
            return nil
        } catch {
            XCTAssertFalse("\(error)".contains("\n"), "\(error)", file: file, line: line)
            return error
        }
    }

    func testConcurrentRequestsMatchOutOfOrderReplies() async throws {
        // The node answers block n after (6 - n) × 40 ms: the last request is answered first.
        node.override("chain_getBlockHash") { _, params in
            let n = UInt64(params.first?.intValue ?? 0)
            return .delayed(.milliseconds(Int64(6 - n) * 40), .result(.string(MockNode.hash(of: n).hex)))
        }
        let client = try makeClient()
        let results = try await withThrowingTaskGroup(of: (UInt64, JSONValue).self) { group in
            for n: UInt64 in 1 ... 5 {
                group.addTask { (n, try await client.request("chain_getBlockHash", [.int(Int64(n))])) }
            }
            var out: [UInt64: JSONValue] = [:]
            for try await (n, value) in group { out[n] = value }
            return out
        }
        for n: UInt64 in 1 ... 5 { XCTAssertEqual(results[n], .string(MockNode.hash(of: n).hex)) }
        await client.close()
    }

    func testNodeErrorObject() async throws {
        let client = try makeClient()
        let error = await expectError { try await client.request("foo_bar", [1, "x"]) }
        XCTAssertEqual(error as? RPCError, .node(method: "foo_bar", code: -32601, message: "Method not found"))
        XCTAssertEqual("\(error!)", "foo_bar: the node answered error -32601: Method not found")
        node.override("state_getStorage") { _, _ in .error(code: 4003, message: "Client error:\nUnknown block") }
        let chain = SubtensorClient(rpc: client, logger: quietLogger)
        let chainError = await expectError { try await chain.difficulty(netuid: 1) }
        XCTAssertEqual(chainError as? ChainError, .rpc(.node(method: "state_getStorage", code: 4003, message: "Client error:\nUnknown block")))
        await client.close()
    }

    func testTimeoutAndLateReplyIgnored() async throws {
        node.override("slow_method") { _, _ in .delayed(.milliseconds(400), .result("late")) }
        let client = try makeClient()
        let started = ContinuousClock.now
        let error = await expectError { try await client.request("slow_method", timeout: .milliseconds(150)) }
        XCTAssertEqual(error as? RPCError, .timeout(method: "slow_method", seconds: 0.15))
        XCTAssertEqual("\(error!)", "slow_method: no reply from the node within 0.15 s")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1))
        node.override("never") { _, _ in .silence }
        let never = await expectError { try await client.request("never", timeout: .milliseconds(100)) }
        XCTAssertEqual(never as? RPCError, .timeout(method: "never", seconds: 0.1))
        // The late reply arrives while another request waits: it is ignored, the other one gets its own.
        try await Task.sleep(for: .milliseconds(300))
        let header = try await client.request("chain_getHeader")
        XCTAssertEqual(header["number"], "0x64")
        await client.close()
    }

    func testMalformedReplies() async throws {
        let client = try makeClient(timeout: .seconds(1))
        @Sendable func idText(_ id: JSONValue) -> String { id.jsonText }
        // Not JSON, but the id can be found: that request fails.
        node.override("broken_json") { id, _ in .raw(#"{"jsonrpc":"2.0","id":\#(idText(id)),"result":"#) }
        var error = await expectError { try await client.request("broken_json") }
        guard case .malformedReply(let method, let reason)? = error as? RPCError else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(method, "broken_json")
        XCTAssertTrue(reason.hasPrefix("not JSON"), reason)
        // Neither result nor error.
        node.override("empty_reply") { id, _ in .raw(#"{"jsonrpc":"2.0","id":\#(idText(id))}"#) }
        error = await expectError { try await client.request("empty_reply") }
        XCTAssertEqual(error as? RPCError, .malformedReply(method: "empty_reply", reason: "neither result nor error"))
        // An error object without a code.
        node.override("bad_error") { id, _ in .raw(#"{"jsonrpc":"2.0","id":\#(idText(id)),"error":{"message":"x"}}"#) }
        error = await expectError { try await client.request("bad_error") }
        XCTAssertEqual(error as? RPCError, .malformedReply(method: "bad_error", reason: "error object without an integer code"))
        // Garbage without an id while exactly one request waits: that request fails.
        node.override("garbage") { _, _ in .raw("\u{1}\u{2} garbage\nline") }
        error = await expectError { try await client.request("garbage") }
        guard case .malformedReply(_, let garbageReason)? = error as? RPCError else { return XCTFail("\(String(describing: error))") }
        XCTAssertFalse(garbageReason.contains("\n"))
        // A JSON array.
        node.override("array_reply") { _, _ in .raw("[1,2,3]") }
        error = await expectError { try await client.request("array_reply") }
        XCTAssertEqual((error as? RPCError)?.method, "array_reply")
        // Results of the wrong shape, through SubtensorClient.
        let chain = SubtensorClient(rpc: client, logger: quietLogger)
        node.override("chain_getHeader") { _, _ in .result(["number": "zz"]) }
        error = await expectError { try await chain.currentBlock() }
        XCTAssertEqual(error as? ChainError, .rpc(.malformedReply(method: "chain_getHeader", reason: "header number \"zz\" is not a hex number")))
        node.override("chain_getHeader") { _, _ in .result("0x12") }
        error = await expectError { try await chain.currentBlock() }
        XCTAssertEqual(error as? ChainError, .rpc(.malformedReply(method: "chain_getHeader", reason: "header has no number")))
        node.override("state_getStorage") { _, _ in .result(42) }
        error = await expectError { try await chain.difficulty(netuid: 1) }
        XCTAssertEqual(error as? ChainError, .rpc(.malformedReply(method: "state_getStorage", reason: "result is 42, not a hex string")))
        node.override("state_getStorage") { _, _ in .result("0x0102") }
        error = await expectError { try await chain.difficulty(netuid: 1) }
        XCTAssertEqual("\(error!)", "storage SubtensorModule.Difficulty: malformed value: SCALE u64: needs 8 bytes, only 2 left")
        node.override("chain_getBlockHash") { _, _ in .result("0x1234") }
        error = await expectError { try await chain.blockHash(5) }
        XCTAssertEqual("\(error!)", "chain_getBlockHash: malformed reply from the node: block hash: expected 32 bytes (64 hex digits), got 2")
        // And the connection still works.
        node.override("chain_getHeader", nil)
        let number = try await chain.currentBlock()
        XCTAssertEqual(number, 100)
        await client.close()
    }

    func testOversizedReplies() async throws {
        node.override("big_reply") { _, _ in .result(.string(String(repeating: "a", count: 10_000))) }
        let client = try makeClient(maxReply: 4096)
        XCTAssertEqual(client.configuration.transportLimit, 16384)
        let error = await expectError { try await client.request("big_reply") }
        guard case .replyTooLarge(let method, let bytes, let limit)? = error as? RPCError else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(method, "big_reply")
        XCTAssertGreaterThan(bytes, 10_000)
        XCTAssertEqual(limit, 4096)
        XCTAssertEqual("\(error!)", "big_reply: reply of \(bytes) bytes exceeds the 4096-byte limit")
        // Only that request failed; while others wait, the oversized reply is matched by its id.
        let header100 = node.header(100)
        node.override("chain_getHeader") { _, _ in .delayed(.milliseconds(200), .result(header100)) }
        let header = Task { try await client.request("chain_getHeader") }
        let big = Task { try await client.request("big_reply") }
        let bigError = await expectError { try await big.value }
        XCTAssertEqual((bigError as? RPCError)?.method, "big_reply")
        let headerValue = try await header.value
        XCTAssertEqual(headerValue["number"], "0x64")
        node.override("chain_getHeader", nil)
        XCTAssertEqual(client.connectionCount, 1)
        // Over the WebSocket layer's limit the connection is dropped: the request fails, the client reconnects.
        node.override("huge_reply") { _, _ in .result(.string(String(repeating: "b", count: 100_000))) }
        let huge = await expectError { try await client.request("huge_reply") }
        guard case .connectionClosed(let hugeMethod, _, _)? = huge as? RPCError else { return XCTFail("\(String(describing: huge))") }
        XCTAssertEqual(hugeMethod, "huge_reply")
        let again = try await client.request("chain_getHeader")
        XCTAssertEqual(again["number"], "0x64")
        XCTAssertEqual(client.connectionCount, 2)
        await client.close()
    }

    func testConnectionClosedBeforeReply() async throws {
        node.override("hang_up") { _, _ in .closeConnection }
        let client = try makeClient()
        let error = await expectError { try await client.request("hang_up") }
        guard case .connectionClosed(let method, let endpoint, _)? = error as? RPCError else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(method, "hang_up")
        XCTAssertEqual(endpoint, node.url)
        let header = try await client.request("chain_getHeader")
        XCTAssertEqual(header["number"], "0x64")
        await client.close()
    }

    func testNotConnectedNamesTheReason() async throws {
        try node.stop() // nothing listens on this port now
        let client = try makeClient(timeout: .milliseconds(400))
        let error = await expectError { try await client.request("chain_getHeader") }
        guard case .notConnected(let method, let endpoint, let reason)? = error as? RPCError else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(method, "chain_getHeader")
        XCTAssertEqual(endpoint, node.url)
        XCTAssertTrue(reason.contains("connect"), reason)
        let waitError = await expectError { try await client.waitUntilConnected(timeout: .milliseconds(200)) }
        XCTAssertNotNil(waitError as? RPCError)
        // The node comes up: queued and new requests go through.
        let pending = Task { try await client.request("chain_getHeader", timeout: .seconds(3)) }
        try await Task.sleep(for: .milliseconds(100))
        try node.start(port: node.port)
        let header = try await pending.value
        XCTAssertEqual(header["number"], "0x64")
        await client.close()
    }

    func testReconnectRestoresTheSubscription() async throws {
        let client = try makeClient()
        let chain = SubtensorClient(rpc: client, logger: quietLogger)
        var heads = chain.newHeads().makeAsyncIterator()
        let first = try await heads.next()
        XCTAssertEqual(first, NewHead(number: 100, hash: MockNode.hash(of: 100)))
        node.produceBlock()
        let second = try await heads.next()
        XCTAssertEqual(second?.number, 101)
        XCTAssertEqual(second?.hash, MockNode.hash(of: 101))

        // The node goes away and comes back on the same port.
        let port = node.port
        try node.stop()
        try await Task.sleep(for: .milliseconds(150))
        try node.start(port: port)
        // Wait for the renewed subscription, then a new block arrives through it.
        let deadline = ContinuousClock.now + .seconds(5)
        while node.subscriberCount == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertEqual(node.subscriberCount, 1)
        node.produceBlock()
        let third = try await heads.next()
        XCTAssertEqual(third?.number, 102) // the repeated head 101 from the new subscription was not yielded twice
        XCTAssertEqual(client.connectionCount, 2)
        // The node drops only the connection: again restored.
        node.dropConnections()
        let deadline2 = ContinuousClock.now + .seconds(5)
        while (node.subscriberCount == 0 || client.connectionCount < 3) && ContinuousClock.now < deadline2 {
            try await Task.sleep(for: .milliseconds(20))
        }
        node.produceBlock()
        let fourth = try await heads.next()
        XCTAssertEqual(fourth?.number, 103)
        node.sendStrayNotification() // ignored
        node.produceBlock()
        let fifth = try await heads.next()
        XCTAssertEqual(fifth?.number, 104)
        await client.close()
        let end = await expectError { try await heads.next() }
        XCTAssertEqual(end as? ChainError, .rpc(.clientClosed(method: "chain_subscribeNewHeads")))
    }

    func testSubscriptionRefusedAndUnsubscribe() async throws {
        let client = try makeClient()
        node.override("chain_subscribeNewHeads") { _, _ in .error(code: -32000, message: "too many subscriptions") }
        let error = await expectError { try await client.subscribe("chain_subscribeNewHeads", unsubscribe: "chain_unsubscribeNewHeads") }
        XCTAssertEqual(error as? RPCError, .node(method: "chain_subscribeNewHeads", code: -32000, message: "too many subscriptions"))
        node.override("chain_subscribeNewHeads", nil)
        var stream: AsyncThrowingStream<JSONValue, any Error>? = try await client.subscribe("chain_subscribeNewHeads", unsubscribe: "chain_unsubscribeNewHeads")
        var iterator = stream!.makeAsyncIterator()
        let header = try await iterator.next()
        XCTAssertEqual(header?["number"], "0x64")
        XCTAssertEqual(node.subscriberCount, 1)
        stream = nil
        _ = iterator // dropping the stream ends the subscription
        iterator = AsyncThrowingStream<JSONValue, any Error> { $0.finish() }.makeAsyncIterator()
        let deadline = ContinuousClock.now + .seconds(3)
        while node.subscriberCount > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertEqual(node.subscriberCount, 0)
        XCTAssertTrue(node.log.contains("chain_unsubscribeNewHeads"))
        await client.close()
    }

    /// A cancelled `subscribe` returns at once; the node's late reply is unsubscribed, not left running.
    func testCancelledSubscribeReturnsAtOnceAndALateReplyIsUnsubscribed() async throws {
        let client = try makeClient(timeout: .seconds(5))
        _ = try await client.request("chain_getHeader")   // connected
        node.override("chain_subscribeNewHeads") { _, _ in .delayed(.milliseconds(400), .result(.string("late-1"))) }
        let started = ContinuousClock.now
        let task = Task { try await client.subscribe("chain_subscribeNewHeads", unsubscribe: "chain_unsubscribeNewHeads") }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let error = await expectError { try await task.value }
        XCTAssertEqual(error as? RPCError, .cancelled(method: "chain_subscribeNewHeads"))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2), "not the 5 s request timeout")
        let deadline = ContinuousClock.now + .seconds(3)
        while !node.log.contains("chain_unsubscribeNewHeads") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertTrue(node.log.contains("chain_unsubscribeNewHeads"), "the late subscription is unsubscribed: \(node.log)")
        await client.close()
    }

    func testCancellationAndClose() async throws {
        node.override("never") { _, _ in .silence }
        let client = try makeClient(timeout: .seconds(5))
        let task = Task { try await client.request("never") }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let cancelled = await expectError { try await task.value }
        XCTAssertEqual(cancelled as? RPCError, .cancelled(method: "never"))
        let waiting = Task { try await client.request("never") }
        try await Task.sleep(for: .milliseconds(100))
        await client.close()
        let closed = await expectError { try await waiting.value }
        XCTAssertEqual(closed as? RPCError, .clientClosed(method: "never"))
        let after = await expectError { try await client.request("chain_getHeader") }
        XCTAssertEqual(after as? RPCError, .clientClosed(method: "chain_getHeader"))
    }

    func testQueriesAndDefaults() async throws {
        let hotkey = try PublicKey.parse("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
        node.setStorage(StorageItem.difficulty.key(netuid: 1), UInt64(5_000_000).scaleEncoded)
        node.setStorage(StorageItem.networksAdded.key(netuid: 1), [1])
        node.setStorage(StorageItem.uids.key(netuid: 1, hotkey: hotkey), UInt16(7).scaleEncoded)
        node.setStorage(StorageItem.minDifficulty.key(netuid: 1), UInt64(1000).scaleEncoded)
        node.setStorage(StorageItem.maxDifficulty.key(netuid: 1), UInt64(1 << 40).scaleEncoded)
        node.setStorage(StorageItem.networkPoWRegistrationAllowed.key(netuid: 1), [0])
        node.setStorage(StorageItem.registrationsThisBlock.key(netuid: 1), UInt16(2).scaleEncoded)
        node.setStorage(StorageItem.maxRegistrationsPerBlock.key(netuid: 1), UInt16(3).scaleEncoded)
        node.setStorage(StorageItem.lastPoWRegistrationBlock.key(hotkey: hotkey), UInt64(99).scaleEncoded)
        let chain = SubtensorClient(rpc: try makeClient(), logger: quietLogger)
        let block = try await chain.currentBlock()
        XCTAssertEqual(block, 100)
        let hash = try await chain.blockHash(100)
        XCTAssertEqual(hash, MockNode.hash(of: 100))
        let finalized = try await chain.finalizedHead()
        XCTAssertEqual(finalized, MockNode.hash(of: 98))
        let missing = await expectError { try await chain.blockHash(1000) }
        XCTAssertEqual(missing as? ChainError, .noBlockHash(1000))
        let values = try await (chain.difficulty(netuid: 1), chain.subnetExists(netuid: 1), chain.uid(netuid: 1, hotkey: hotkey),
                                chain.minDifficulty(netuid: 1), chain.maxDifficulty(netuid: 1), chain.powRegistrationAllowed(netuid: 1),
                                chain.registrationsThisBlock(netuid: 1), chain.maxRegistrationsPerBlock(netuid: 1),
                                chain.lastPoWRegistrationBlock(hotkey: hotkey))
        XCTAssertEqual(values.0, 5_000_000)
        XCTAssertEqual(values.1, true)
        XCTAssertEqual(values.2, 7)
        XCTAssertEqual(values.3, 1000)
        XCTAssertEqual(values.4, 1 << 40)
        XCTAssertEqual(values.5, false)
        XCTAssertEqual(values.6, 2)
        XCTAssertEqual(values.7, 3)
        XCTAssertEqual(values.8, 99)
        // Absent values: the chain's defaults.
        let defaults = try await (chain.difficulty(netuid: 2), chain.subnetExists(netuid: 2), chain.uid(netuid: 2, hotkey: hotkey),
                                  chain.minDifficulty(netuid: 2), chain.maxDifficulty(netuid: 2), chain.powRegistrationAllowed(netuid: 2),
                                  chain.registrationsThisBlock(netuid: 2), chain.maxRegistrationsPerBlock(netuid: 2),
                                  chain.lastPoWRegistrationBlock(hotkey: .zero))
        XCTAssertEqual(defaults.0, 10_000_000)
        XCTAssertEqual(defaults.1, false)
        XCTAssertNil(defaults.2)
        XCTAssertEqual(defaults.3, 10_000_000)
        XCTAssertEqual(defaults.4, UInt64.max / 4)
        XCTAssertEqual(defaults.5, true)
        XCTAssertEqual(defaults.6, 0)
        XCTAssertEqual(defaults.7, 1)
        XCTAssertNil(defaults.8)
        let registered = try await chain.isHotkeyRegistered(netuid: 1, hotkey: hotkey)
        XCTAssertTrue(registered)
        // `at` is passed through as the second parameter.
        let atParams = Box<[JSONValue]>([])
        node.override("state_getStorage") { _, params in atParams.value = params; return .result(.null) }
        _ = try await chain.difficulty(netuid: 3, at: MockNode.hash(of: 7))
        XCTAssertEqual(atParams.value, [.string(Hex.encode(StorageItem.difficulty.key(netuid: 3))), .string(MockNode.hash(of: 7).hex)])
        await chain.close()
    }

    func testBlockWithRetry() async throws {
        node.setStorage(StorageItem.difficulty.key(netuid: 3), UInt64(123_456).scaleEncoded)
        let chain = SubtensorClient(rpc: try makeClient(), logger: quietLogger, retryAttempts: 3, retryDelay: .milliseconds(50))
        let block = try await chain.blockWithRetry(netuid: 3)
        XCTAssertEqual(block, BlockInfo(number: 100, difficulty: 123_456, hash: MockNode.hash(of: 100)))

        // Fails twice, then succeeds.
        let failures = Box(0)
        node.override("chain_getBlockHash") { _, params in
            failures.update { $0 += 1; return $0 } <= 2 ? .result(.null) : .result(.string(MockNode.hash(of: UInt64(params[0].intValue!)).hex))
        }
        let started = ContinuousClock.now
        let retried = try await chain.blockWithRetry(netuid: 3)
        XCTAssertEqual(retried.number, 100)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(100))

        // Always fails: a clear error after 3 attempts.
        node.override("chain_getBlockHash") { _, _ in .result(.null) }
        let error = await expectError { try await chain.blockWithRetry(netuid: 3) }
        XCTAssertEqual(error as? ChainError, .retriesExhausted(attempts: 3, last: "network error: the node has no hash for block 100"))
        XCTAssertEqual("\(error!)", "could not read the block and difficulty after 3 attempts: network error: the node has no hash for block 100")
        XCTAssertEqual(node.log.filter { $0 == "chain_getBlockHash" }.count, 1 + 3 + 3)
        await chain.close()
    }
}

/// wss:// through NIOSSL, against the node on 127.0.0.1 ("localhost") with a throwaway self-signed certificate.
final class TLSTests: XCTestCase {
    func testSecureWebSocket() async throws {
        let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("tls")
        let cert = try XCTUnwrap(NIOSSLCertificate.fromPEMFile(dir.appendingPathComponent("cert.pem").path).first)
        let key = try NIOSSLPrivateKey(file: dir.appendingPathComponent("key.pem").path, format: .pem)
        let node = MockNode()
        node.tls = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: [.certificate(cert)], privateKey: .privateKey(key)))
        try node.start()
        defer { try? node.stop() }
        XCTAssertTrue(node.url.hasPrefix("wss://localhost:"))

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([cert])
        let configuration = RPCConfiguration(requestTimeout: .seconds(3), initialBackoff: .milliseconds(50), pingInterval: nil,
                                             tlsConfiguration: tls)
        let endpoint = try SubtensorEndpoint(node.url, environment: [:])
        XCTAssertTrue(endpoint.usesTLS)
        let chain = SubtensorClient(rpc: RPCClient(endpoint: endpoint, configuration: configuration, logger: quietLogger), logger: quietLogger)
        let number = try await chain.currentBlock()
        XCTAssertEqual(number, 100)
        var heads = chain.newHeads().makeAsyncIterator()
        let head = try await heads.next()
        XCTAssertEqual(head?.number, 100)
        let closing = ContinuousClock.now
        await chain.close()
        XCTAssertLessThan(ContinuousClock.now - closing, .seconds(2))

        // Without trusting the certificate: refused, with a one-line reason.
        let untrusted = RPCClient(endpoint: endpoint,
                                  configuration: RPCConfiguration(requestTimeout: .milliseconds(500), initialBackoff: .milliseconds(50), pingInterval: nil),
                                  logger: quietLogger)
        do {
            _ = try await untrusted.request("chain_getHeader")
            XCTFail("an untrusted certificate was accepted")
        } catch {
            guard case .notConnected(_, _, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertFalse(reason.contains("\n"))
        }
        await untrusted.close()
    }
}

final class EndpointTests: XCTestCase {
    func testNetworkNames() throws {
        XCTAssertEqual(try SubtensorEndpoint("finney", environment: [:]).url, "wss://entrypoint-finney.opentensor.ai:443")
        XCTAssertEqual(try SubtensorEndpoint("test", environment: [:]).url, "wss://test.finney.opentensor.ai:443")
        XCTAssertEqual(try SubtensorEndpoint("archive", environment: [:]).url, "wss://archive.chain.opentensor.ai:443")
        XCTAssertEqual(try SubtensorEndpoint("local", environment: [:]).url, "ws://127.0.0.1:9944")
        XCTAssertEqual(try SubtensorEndpoint("Local", environment: ["BT_SUBTENSOR_CHAIN_ENDPOINT": "ws://10.1.2.3:9000"]).url,
                       "ws://10.1.2.3:9000")
        XCTAssertEqual(try SubtensorEndpoint("finney", environment: ["BT_SUBTENSOR_CHAIN_ENDPOINT": "ws://x:1"]).network, "finney")
        let local = try SubtensorEndpoint("local", environment: [:])
        XCTAssertEqual(local.host, "127.0.0.1")
        XCTAssertEqual(local.port, 9944)
        XCTAssertFalse(local.usesTLS)
        XCTAssertTrue(try SubtensorEndpoint("finney", environment: [:]).usesTLS)
    }

    func testURLs() throws {
        let e = try SubtensorEndpoint("wss://node.example:8443/rpc?x=1", environment: [:])
        XCTAssertEqual(e.url, "wss://node.example:8443/rpc?x=1")
        XCTAssertEqual(e.host, "node.example")
        XCTAssertEqual(e.port, 8443)
        XCTAssertEqual(try SubtensorEndpoint("ws://localhost", environment: [:]).url, "ws://localhost:80")
        XCTAssertEqual(try SubtensorEndpoint("wss://host", environment: [:]).port, 443)
        XCTAssertEqual(try SubtensorEndpoint("http://127.0.0.1:9944", environment: [:]).url, "ws://127.0.0.1:9944")
        XCTAssertEqual(try SubtensorEndpoint("https://h:1", environment: [:]).url, "wss://h:1")
        XCTAssertEqual(try SubtensorEndpoint("  ws://h:2  ", environment: [:]).url, "ws://h:2")
    }

    func testBadInput() {
        func message(_ text: String) -> String {
            do { _ = try SubtensorEndpoint(text, environment: [:]); return "ok" } catch { return error.description }
        }
        XCTAssertEqual(message("mainnet"), "unknown network 'mainnet': use finney, test, archive, local or a ws:// / wss:// URL")
        XCTAssertEqual(message(""), "no network given: use finney, test, archive, local or a ws:// / wss:// URL")
        XCTAssertEqual(message("ftp://x"), "endpoint 'ftp://x' is not a ws:// or wss:// URL")
        XCTAssertEqual(message("ws://h:0"), "endpoint 'ws://h:0' has an invalid port")
        XCTAssertEqual(message("ws://h:99999"), "endpoint 'ws://h:99999' has an invalid port")
        XCTAssertEqual(message("ws://h:abc"), "endpoint 'ws://h:abc' has an invalid port")
        XCTAssertEqual(message("ws://"), "endpoint 'ws://' has no host")
        XCTAssertEqual(message("ws://:80"), "endpoint 'ws://:80' has no host")
        XCTAssertFalse(message("bad\nname").contains("\n"))
        do {
            _ = try SubtensorEndpoint("local", environment: ["BT_SUBTENSOR_CHAIN_ENDPOINT": "nonsense"])
            XCTFail()
        } catch {
            XCTAssertEqual(error.description, "BT_SUBTENSOR_CHAIN_ENDPOINT: endpoint 'nonsense' is not a ws:// or wss:// URL")
        }
    }
}
