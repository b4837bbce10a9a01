import ChainCodec
import Devnet
import Foundation
import Logging
import PoWCore
import PoWSolver
import Registration
import Subtensor
import XCTest
import TestSupport

/// create_pow end to end over real sockets on 127.0.0.1: our client against our devnet, which
/// produces blocks only when told (block time zero), so every step is under the test's control.
final class CreatePoWTests: XCTestCase {
    static let hotkey = Bytes32(w0: 0x1111, w1: 0x2222, w2: 0x3333, w3: 0x4444)
    static let coldkey = Bytes32(w0: 0x5555, w1: 0x6666, w2: 0x7777, w3: 0x8888)
    var logger: Logger { var l = Logger(label: "test"); l.logLevel = .warning; return l }

    func startDevnet(difficulty: UInt64) async throws -> (DevnetServer, SubtensorClient) {
        let (server, port) = try await startLocalChain(difficulty: difficulty)
        return (server, try localChainClient(port: port))
    }

    func creator(_ chain: any RegistrationChain, netuid: Int = 1, scheme: ChallengeScheme = .legacy) -> PoWCreator {
        let searchers: [any NonceSearcher] = (0 ..< 2).map { _ in KernelSearcher(kernel: KernelCatalog.best) }
        return PoWCreator(chain: chain, request: CreatePoWRequest(netuid: netuid, hotkey: Self.hotkey, coldkey: Self.coldkey,
                                                                  scheme: scheme, updateInterval: 2000),
                          searchers: searchers, logger: logger)
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
        } catch let error as CreatePoWError {
            XCTAssertEqual(error, .subnetMissing(7))
            XCTAssertEqual(error.description, "Subnet 7 does not exist")
        }
        await client.close()
        await server.stop()
    }

    /// A chain that moves on by `blocks` right before the first freshness check and sends no heads, so only
    /// that check can notice.
    func stalenessChain(_ client: SubtensorClient, _ server: DevnetServer, blocks: Int) -> HookedChain {
        let chain = HookedChain(base: client)
        chain.beforeCurrentBlock = { n in if n == 1 { for _ in 0 ..< blocks { _ = await server.produceBlock() } } }
        chain.heads = { AsyncThrowingStream { _ in } }
        return chain
    }

    /// The chain moves on by three blocks exactly when the solver checks freshness: the stale
    /// solution is dropped and the one returned is for the newest block.
    func testStaleSolutionIsNotReturned() async throws {
        let (server, client) = try await startDevnet(difficulty: 50)
        let chain = stalenessChain(client, server, blocks: 3)
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

    /// Legacy work two blocks behind the head is still fresh at the head but three blocks old in the block that
    /// would include it: dropped (the chain would answer InvalidWorkBlock), and the devnet takes the one returned.
    func testWorkThatWouldBeStaleWhenIncludedIsNotReturned() async throws {
        let (server, client) = try await startDevnet(difficulty: 50)
        let chain = stalenessChain(client, server, blocks: 2)
        let pow = creator(chain)
        guard case .solved(let solution) = try await pow.run() else { return XCTFail("expected a solution") }
        let head = await server.head()
        XCTAssertEqual(chain.checks, 2, "the solution two blocks behind was dropped")
        XCTAssertEqual(solution.blockNumber, head.number)
        XCTAssertFalse(solution.isStale(currentBlock: head.number + pow.inclusionMargin))
        let outcome = try await server.submit(solution, legacyNetuid: 1)
        XCTAssertTrue("\(outcome)".contains("registered"), "\(outcome)")
        await client.close()
        await server.stop()
    }

    /// One failed query while following a head does not end the following: the next head is picked up.
    func testFollowerSurvivesAFailedQuery() async throws {
        let (server, client) = try await startDevnet(difficulty: .max)
        let chain = HookedChain(base: client)
        chain.beforeDifficulty = { n in if n == 1 { throw InjectedFailure() } }
        let pow = creator(chain)
        let run = Task { try await pow.run() }
        try await eventually("solving") { pow.engine.progress.noncesHashed > 0 }
        _ = await server.produceBlock()                      // following it fails
        try await eventually("the failed follow") { chain.difficultyCalls >= 1 }
        try await server.setDifficulty(netuid: 1, difficulty: 3000)
        let b2 = await server.produceBlock()
        let outcome = try await finishes(within: 20) { try await run.value }
        guard case .solved(let solution) = outcome else { return XCTFail("expected a solution") }
        XCTAssertEqual(solution.blockNumber, b2.number)
        XCTAssertEqual(solution.difficulty, 3000)
        await client.close()
        await server.stop()
    }

    /// A follower that keeps failing ends the run with its error instead of hashing an old block unnoticed.
    func testFollowerGivesUpAfterRepeatedFailures() async throws {
        let (server, client) = try await startDevnet(difficulty: .max)
        let chain = HookedChain(base: client)
        chain.heads = { AsyncThrowingStream { $0.finish(throwing: InjectedFailure()) } }
        let searchers: [any NonceSearcher] = [KernelSearcher(kernel: KernelCatalog.best)]
        let pow = PoWCreator(chain: chain, request: CreatePoWRequest(netuid: 1, hotkey: Self.hotkey, coldkey: Self.coldkey,
                                                                     scheme: .legacy, updateInterval: 2000),
                             searchers: searchers, logger: logger, maxFollowFailures: 2)
        do {
            _ = try await finishes(within: 20) { try await pow.run() }
            XCTFail("expected the follower's failure")
        } catch let error as CreatePoWError {
            guard case .chain(let failure) = error else { return XCTFail("expected a chain error, got \(error)") }
            XCTAssertTrue(failure.contains("2 times"), failure)
            XCTAssertTrue(pow.engine.isStopped)
        }
        await client.close()
        await server.stop()
    }

    /// The chain cannot be read at the final check: a head seen within about a block stands in for it; with
    /// no recent head (a node gone quiet) the run ends with the error rather than returning unjudged work.
    func testUnreadableChainAtTheFinalCheck() async throws {
        let (server, client) = try await startDevnet(difficulty: 50)
        let recent = HookedChain(base: client)   // real heads: the devnet sends its head on subscribing
        recent.beforeCurrentBlock = { _ in throw InjectedFailure() }
        let pow = creator(recent)
        let run = Task { try await pow.run() }
        try await eventually("a head seen") { pow.engine.progress.noncesHashed > 0 }
        guard case .solved(let solution) = try await finishes(within: 20, { try await run.value }) else { return XCTFail("expected a solution") }
        XCTAssertTrue(solution.verify())
        XCTAssertEqual(recent.checks, 3, "three tries, then the follower's head")

        let quiet = HookedChain(base: client)
        quiet.beforeCurrentBlock = { _ in throw InjectedFailure() }
        quiet.heads = { AsyncThrowingStream { _ in } }   // no head ever arrives
        do {
            let quietCreator = creator(quiet)
            _ = try await finishes(within: 20) { try await quietCreator.run() }
            XCTFail("expected the chain's error")
        } catch let error as CreatePoWError {
            XCTAssertEqual(error, .chain("\(InjectedFailure())"), "the chain's own error, carried in a typed error")
        }
        await client.close()
        await server.stop()
    }

    /// The difficulty rises between finding a solution and returning it: a seal that misses the new
    /// difficulty is not returned; the solution returned meets what the chain holds now.
    func testSolutionMissingARaisedDifficultyIsNotReturned() async throws {
        let (server, client) = try await startDevnet(difficulty: 50)
        let chain = HookedChain(base: client)
        let raised: UInt64 = 1_000_000
        let engineBox = Box<SolverEngine?>(nil)
        chain.beforeCurrentBlock = { n in
            guard n == 1 else { return }
            try await server.setDifficulty(netuid: 1, difficulty: raised)
            _ = await server.produceBlock()
            while engineBox.value?.currentWork?.difficulty != raised { try await Task.sleep(for: .milliseconds(5)) }
        }
        let pow = creator(chain)
        engineBox.value = pow.engine
        let outcome = try await finishes(within: 30) { try await pow.run() }
        guard case .solved(let solution) = outcome else { return XCTFail("expected a solution") }
        XCTAssertTrue(SealTarget(rule: solution.rule, difficulty: raised).accepts(solution.seal))
        XCTAssertEqual(solution.blockNumber, 1)
        _ = try await server.submit(solution, legacyNetuid: 1)
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
        var solved: CreatePoWOutcome?
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

    /// The node is replaced by another chain on the same port (a new devnet, head 0) while solving block 4 of the
    /// old one: the work moves to the live chain's head, and the solution returned is for a block the live chain has.
    func testChainReplacedMidSolveWorkMovesToTheLiveChain() async throws {
        let (old, port) = try await startLocalChain(difficulty: .max)
        let client = try localChainClient(port: port)
        let pow = creator(client)
        let run = Task { try await pow.run() }
        for _ in 0 ..< 4 { _ = await old.produceBlock() }
        try await eventually("solving block 4") { pow.engine.currentWork?.blockNumber == 4 }
        let deadHash = try XCTUnwrap(pow.engine.currentWork?.blockHash)
        await old.stop()
        let (live, _) = try await startLocalChain(difficulty: 3000, port: port)
        let liveGenesis = Box<Bytes32?>(nil)
        try await eventually("the client reads the live chain") {   // once reconnected
            liveGenesis.value = try? await client.blockHash(0)
            return liveGenesis.value != nil
        }
        XCTAssertNotEqual(liveGenesis.value, deadHash)
        // A head of the live chain (number 1, not newer than 4) moves the workers to the live chain.
        _ = await live.produceBlock()
        let outcome = try await finishes(within: 30) { try await run.value }
        guard case .solved(let solution) = outcome else { return XCTFail("expected a solution") }
        XCTAssertTrue(solution.verify())
        XCTAssertLessThanOrEqual(solution.blockNumber, 1)
        let liveHash = try await client.blockHash(solution.blockNumber)
        XCTAssertEqual(solution.blockHash, liveHash, "a block the live chain has")
        XCTAssertNotEqual(solution.blockHash, deadHash)
        _ = try await live.submit(solution, legacyNetuid: 1)
        await client.close()
        await live.stop()
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

extension CreatePoWTests {
    /// netuid -1: legacy work over the coldkey at the faucet's fixed difficulty, no subnet needed.
    func testFaucetModeHashesTheColdkeyAndTheDevnetCreditsIt() async throws {
        let (server, client) = try await startDevnet(difficulty: .max)   // subnet difficulty must not matter
        let pow = creator(client, netuid: CreatePoWRequest.faucetNetuid, scheme: .legacy)
        guard case .solved(let solution) = try await pow.run() else { return XCTFail("expected a solution") }
        XCTAssertEqual(solution.difficulty, 1_000_000)
        guard case .legacy(let challenge) = solution.challenge else { return XCTFail("faucet work is legacy") }
        XCTAssertEqual(challenge.hotkey, Self.coldkey, "the faucet hashes the coldkey")
        XCTAssertTrue(solution.verify())
        let outcome = try await server.submit(solution)
        XCTAssertTrue("\(outcome)".lowercased().contains("faucet"), "\(outcome)")
        // Without a coldkey the faucet cannot build its challenge.
        let noColdkey = PoWCreator(chain: client, request: CreatePoWRequest(netuid: -1, hotkey: Self.hotkey, coldkey: nil, scheme: .legacy),
                                   searchers: [KernelSearcher(kernel: ScalarSwiftKernel())])
        do { _ = try await noColdkey.run(); XCTFail("expected coldkeyRequired") } catch let e as CreatePoWError {
            XCTAssertTrue(e.description.contains("coldkey"))
        }
        await client.close()
        await server.stop()
    }
}

/// The real client, with hooks: before each `currentBlock` (the freshness check) and `difficulty` call (made
/// when following a head), given the call's ordinal; and optionally another new-head stream.
// @unchecked: the counters are behind `lock`; the hooks are set before the chain is handed to a creator.
final class HookedChain: RegistrationChain, @unchecked Sendable {
    let base: SubtensorClient
    private let lock = NSLock()
    private var counts = (currentBlock: 0, difficulty: 0)
    var beforeCurrentBlock: @Sendable (Int) async throws -> Void = { _ in }
    var beforeDifficulty: @Sendable (Int) async throws -> Void = { _ in }
    var heads: (@Sendable () -> AsyncThrowingStream<NewHead, any Error>)?

    init(base: SubtensorClient) { self.base = base }

    var checks: Int { lock.withLock { counts.currentBlock } }
    var difficultyCalls: Int { lock.withLock { counts.difficulty } }

    func currentBlock() async throws -> UInt64 {
        let n = lock.withLock { counts.currentBlock += 1; return counts.currentBlock }
        try await beforeCurrentBlock(n)
        return try await base.currentBlock()
    }
    func difficulty(netuid: UInt16) async throws -> UInt64 {
        let n = lock.withLock { counts.difficulty += 1; return counts.difficulty }
        try await beforeDifficulty(n)
        return try await base.difficulty(netuid: netuid)
    }
    func blockWithRetry(netuid: UInt16) async throws -> BlockInfo { try await base.blockWithRetry(netuid: netuid) }
    func blockHash(_ number: UInt64) async throws -> Bytes32 { try await base.blockHash(number) }
    func subnetExists(netuid: UInt16) async throws -> Bool { try await base.subnetExists(netuid: netuid) }
    func isHotkeyRegistered(netuid: UInt16, hotkey: Bytes32) async throws -> Bool { try await base.isHotkeyRegistered(netuid: netuid, hotkey: hotkey) }
    func powRegistrationAllowed(netuid: UInt16) async throws -> Bool { try await base.powRegistrationAllowed(netuid: netuid) }
    func v1Difficulty(netuid: UInt16) async throws -> UInt64 { try await base.v1Difficulty(netuid: netuid) }
    func newHeads() -> AsyncThrowingStream<NewHead, any Error> { heads?() ?? base.newHeads() }
}

struct InjectedFailure: Error {}
