import Devnet
import Foundation
import Logging
import PoWCore
import PoWSolver
import Registration
import Subtensor
import XCTest

/// create_pow end to end over real sockets on 127.0.0.1: our client against our devnet, which
/// produces blocks only when told (block time zero), so every step is under the test's control.
final class CreatePowTests: XCTestCase {
    static let hotkey = Bytes32(w0: 0x1111, w1: 0x2222, w2: 0x3333, w3: 0x4444)
    static let coldkey = Bytes32(w0: 0x5555, w1: 0x6666, w2: 0x7777, w3: 0x8888)
    var logger: Logger { var l = Logger(label: "test"); l.logLevel = .warning; return l }

    func startDevnet(difficulty: UInt64) async throws -> (DevnetServer, SubtensorClient) {
        let server = DevnetServer(configuration: DevnetConfiguration(port: 0, blockTime: .zero, subnets: [1], difficulty: difficulty),
                                  logger: logger)
        let port = try await server.start()
        let config = RPCConfiguration(requestTimeout: .seconds(5), initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200))
        let client = SubtensorClient(rpc: RPCClient(endpoint: try SubtensorEndpoint("ws://127.0.0.1:\(port)"), configuration: config,
                                                    logger: logger), logger: logger, retryDelay: .milliseconds(100))
        return (server, client)
    }

    func creator(_ chain: any RegistrationChain, netuid: Int = 1, scheme: ChallengeScheme = .legacy) -> PowCreator {
        let searchers: [any NonceSearcher] = (0 ..< 2).map { _ in KernelSearcher(kernel: KernelCatalog.best) }
        return PowCreator(chain: chain, request: CreatePowRequest(netuid: netuid, hotkey: Self.hotkey, coldkey: Self.coldkey,
                                                                  scheme: scheme, updateInterval: 2000),
                          searchers: searchers, logger: logger)
    }

    /// Polls until `condition` holds or fails the test after `seconds`.
    func eventually(_ what: String, seconds: Double = 10, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTFail("timed out waiting for: \(what)")
    }

    func testNewBlockMidSolveSwitchesWorkersAndSolutionIsAccepted() async throws {
        let (server, client) = try await startDevnet(difficulty: .max)     // unsolvable at first
        let pow = creator(client)
        let run = Task { try await pow.run() }
        try await eventually("workers on block 0") { pow.engine.currentWork?.blockNumber == 0 && pow.engine.progress.noncesHashed > 0 }
        let b1 = await server.produceBlock()
        try await eventually("workers on block 1") { pow.engine.currentWork?.blockNumber == b1.number }
        XCTAssertEqual(pow.engine.currentWork?.blockHash, b1.hash)
        // Difficulty is refreshed with each new block.
        try await server.setDifficulty(netuid: 1, difficulty: 5000)
        let b2 = await server.produceBlock()
        guard case .solved(let solution) = try await run.value else { return XCTFail("expected a solution") }
        XCTAssertEqual(solution.blockNumber, b2.number)
        XCTAssertEqual(solution.difficulty, 5000)
        XCTAssertTrue(solution.verify())
        // The devnet checks it as the chain would and assigns a UID.
        let outcome = try await server.submit(solution, legacyNetuid: 1)
        XCTAssertEqual("\(outcome)".contains("registered"), true, "\(outcome)")
        let uid = try await client.uid(netuid: 1, hotkey: Self.hotkey)
        XCTAssertEqual(uid, 0)
        await client.close()
        await server.stop()
    }

    func testHotkeyRegisteredMidSolveStops() async throws {
        let (server, client) = try await startDevnet(difficulty: .max)
        let pow = creator(client)
        let run = Task { try await pow.run() }
        try await eventually("solving") { pow.engine.progress.noncesHashed > 0 }
        _ = try await server.registerHotkey(netuid: 1, hotkey: Self.hotkey)
        _ = await server.produceBlock()
        let outcome = try await run.value
        XCTAssertEqual(outcome, .alreadyRegistered)
        XCTAssertTrue(pow.engine.isStopped)
        // Registered before the start: nothing is solved at all.
        let again = creator(client)
        let second = try await again.run()
        XCTAssertEqual(second, .alreadyRegistered)
        XCTAssertEqual(again.engine.progress.noncesHashed, 0)
        await client.close()
        await server.stop()
    }

    func testSubnetMissing() async throws {
        let (server, client) = try await startDevnet(difficulty: 100)
        do {
            _ = try await creator(client, netuid: 7).run()
            XCTFail("expected subnetMissing")
        } catch let error as CreatePowError {
            XCTAssertEqual(error, .subnetMissing(7))
            XCTAssertEqual(error.description, "Subnet 7 does not exist")
        }
        await client.close()
        await server.stop()
    }

    /// The chain moves on by three blocks exactly when the solver checks freshness: the stale
    /// solution is dropped and the one returned is for the newest block.
    func testStaleSolutionIsNotReturned() async throws {
        let (server, client) = try await startDevnet(difficulty: 50)
        let chain = AdvancesBeforeFirstFreshnessCheck(base: client, server: server, blocks: 3)
        let pow = creator(chain)
        guard case .solved(let solution) = try await pow.run() else { return XCTFail("expected a solution") }
        let head = await server.head()
        XCTAssertEqual(chain.checks, 2, "one stale solution dropped, then a fresh one")
        XCTAssertEqual(solution.blockNumber, head.number)
        XCTAssertFalse(solution.isStale(currentBlock: head.number))
        XCTAssertTrue(solution.verify())
        await client.close()
        await server.stop()
    }

    func testDevnetRestartMidSolveClientReconnectsAndFinishes() async throws {
        let (server, client) = try await startDevnet(difficulty: .max)
        let pow = creator(client)
        let run = Task { try await pow.run() }
        try await eventually("solving") { pow.engine.progress.noncesHashed > 0 }
        let connections = client.rpc.connectionCount
        await server.stop()
        try await Task.sleep(for: .milliseconds(200))
        _ = try await server.start()                 // same port, same chain state
        try await eventually("client reconnected") { client.rpc.connectionCount > connections && client.rpc.isConnected }
        try await server.setDifficulty(netuid: 1, difficulty: 3000)
        // Heads keep coming through the restored subscription.
        var solved: CreatePowOutcome?
        let waiter = Task { try await run.value }
        for _ in 0 ..< 50 where solved == nil {
            _ = await server.produceBlock()
            try await Task.sleep(for: .milliseconds(100))
            if pow.engine.currentWork?.difficulty == 3000 { solved = try await waiter.value }
        }
        guard case .solved(let solution)? = solved else { return XCTFail("no solution after restart") }
        XCTAssertTrue(solution.verify())
        XCTAssertEqual(solution.difficulty, 3000)
        await client.close()
        await server.stop()
    }

    func testV1AgainstDevnet() async throws {
        let (server, client) = try await startDevnet(difficulty: 4000)
        // The devnet stores MinDifficulty 1, so v1 work meets the subnet's difficulty unclamped.
        let expected = try await client.v1Difficulty(netuid: 1)
        XCTAssertEqual(expected, 4000)
        let pow = creator(client, scheme: .v1)
        guard case .solved(let solution) = try await pow.run() else { return XCTFail("expected a solution") }
        XCTAssertEqual(solution.difficulty, expected)
        XCTAssertEqual(solution.rule, .chainLittleEndian)
        _ = try await server.submit(solution)
        let uid = try await client.uid(netuid: 1, hotkey: Self.hotkey)
        XCTAssertEqual(uid, 0)
        await client.close()
        await server.stop()
    }
}

extension CreatePowTests {
    /// netuid -1: legacy work over the coldkey at the faucet's fixed difficulty, no subnet needed.
    func testFaucetModeHashesTheColdkeyAndTheDevnetCreditsIt() async throws {
        let (server, client) = try await startDevnet(difficulty: .max)   // subnet difficulty must not matter
        let pow = creator(client, netuid: CreatePowRequest.faucetNetuid, scheme: .legacy)
        guard case .solved(let solution) = try await pow.run() else { return XCTFail("expected a solution") }
        XCTAssertEqual(solution.difficulty, 1_000_000)
        guard case .legacy(let challenge) = solution.challenge else { return XCTFail("faucet work is legacy") }
        XCTAssertEqual(challenge.hotkey, Self.coldkey, "the faucet hashes the coldkey")
        XCTAssertTrue(solution.verify())
        let outcome = try await server.submit(solution)
        XCTAssertTrue("\(outcome)".lowercased().contains("faucet"), "\(outcome)")
        // Without a coldkey the faucet cannot build its challenge.
        let noColdkey = PowCreator(chain: client, request: CreatePowRequest(netuid: -1, hotkey: Self.hotkey, coldkey: nil, scheme: .legacy),
                                   searchers: [KernelSearcher(kernel: ScalarSwiftKernel())])
        do { _ = try await noColdkey.run(); XCTFail("expected coldkeyRequired") } catch let e as CreatePowError {
            XCTAssertTrue(e.description.contains("coldkey"))
        }
        await client.close()
        await server.stop()
    }
}

/// The real client, with the real chain advanced by `blocks` right before the first freshness check.
final class AdvancesBeforeFirstFreshnessCheck: RegistrationChain, @unchecked Sendable {
    let base: SubtensorClient
    let server: DevnetServer
    let blocks: Int
    private let lock = NSLock()
    private var _checks = 0
    var checks: Int { lock.withLock { _checks } }

    init(base: SubtensorClient, server: DevnetServer, blocks: Int) { self.base = base; self.server = server; self.blocks = blocks }

    func currentBlock() async throws -> UInt64 {
        let n = lock.withLock { _checks += 1; return _checks }
        if n == 1 { for _ in 0 ..< blocks { _ = await server.produceBlock() } }
        return try await base.currentBlock()
    }
    func blockWithRetry(netuid: UInt16) async throws -> BlockInfo { try await base.blockWithRetry(netuid: netuid) }
    func blockHash(_ number: UInt64) async throws -> Bytes32 { try await base.blockHash(number) }
    func difficulty(netuid: UInt16) async throws -> UInt64 { try await base.difficulty(netuid: netuid) }
    func subnetExists(netuid: UInt16) async throws -> Bool { try await base.subnetExists(netuid: netuid) }
    func isHotkeyRegistered(netuid: UInt16, hotkey: Bytes32) async throws -> Bool { try await base.isHotkeyRegistered(netuid: netuid, hotkey: hotkey) }
    func powRegistrationAllowed(netuid: UInt16) async throws -> Bool { try await base.powRegistrationAllowed(netuid: netuid) }
    func v1Difficulty(netuid: UInt16) async throws -> UInt64 { try await base.v1Difficulty(netuid: netuid) }
    /// No head notifications: only the freshness check can notice the chain moved.
    func newHeads() -> AsyncThrowingStream<NewHead, any Error> { AsyncThrowingStream { _ in } }
}
