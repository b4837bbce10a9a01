import Dispatch
import Synchronization
import XCTest
import PoWCore
import PoWSolver
import TestSupport

final class EngineTests: XCTestCase {
    let vectors = Vectors.shared.legacy.first_solution_in_range

    func legacyChallenge(_ f: Vectors.FirstSolution) throws -> Challenge {
        .legacy(LegacyChallenge(blockHash: try Bytes32(hex: f.block_hash), hotkey: try Bytes32(hex: f.hotkey_public_key)))
    }

    func testSolveForNonceBlockReturnsFirstSolutionInRange() throws {
        XCTAssertFalse(vectors.isEmpty)
        for f in vectors {
            let s = solveForNonceBlock(challenge: try legacyChallenge(f), difficulty: f.difficulty, blockNumber: f.block_number,
                                       nonceStart: f.nonce_start, nonceEnd: f.nonce_end, kernel: ScalarSwiftKernel())
            XCTAssertEqual(s?.nonce, f.first_nonce)
            XCTAssertEqual(s?.seal.hex, f.seal)
            XCTAssertEqual(s?.blockNumber, f.block_number)
            // A range ending just before the first solution has none.
            XCTAssertNil(solveForNonceBlock(challenge: try legacyChallenge(f), difficulty: f.difficulty, blockNumber: 0,
                                            nonceStart: f.nonce_start, nonceEnd: f.first_nonce, kernel: ScalarSwiftKernel()))
        }
    }

    /// Range mode finds the first solution whatever the thread count and batch size.
    func testRangeModeIsExactForAnyThreadCount() async throws {
        for f in vectors {
            for (threads, interval) in [(1, UInt64(50_000)), (2, 7), (3, 64)] {
                let engine = SolverEngine(kernel: ScalarSwiftKernel(), threads: threads,
                                          configuration: .init(updateInterval: interval, nonceMode: .range(start: f.nonce_start, end: f.nonce_end)))
                let work = SolverWork(challenge: try legacyChallenge(f), difficulty: f.difficulty, blockNumber: f.block_number)
                let solution = try await engine.solve(work)
                XCTAssertEqual(solution?.nonce, f.first_nonce, "threads \(threads) interval \(interval)")
                XCTAssertEqual(solution?.verify(), true)
            }
        }
    }

    func testRangeWithoutSolutionReturnsNilAndCountsEveryNonce() async throws {
        let f = vectors[2]
        let count = f.first_nonce - f.nonce_start
        let engine = SolverEngine(kernel: ScalarSwiftKernel(), threads: 2,
                                  configuration: .init(updateInterval: 10, nonceMode: .range(start: f.nonce_start, end: f.first_nonce)))
        let solution = try await engine.solve(SolverWork(challenge: try legacyChallenge(f), difficulty: f.difficulty, blockNumber: 1))
        XCTAssertNil(solution)
        XCTAssertEqual(engine.progress.noncesHashed, count)
    }

    /// A second `solve` on the same engine finds the same first solution of a range again (the engine is
    /// reusable once stopped), and a `start` while it runs is refused, not answered as "no solution".
    func testEngineIsReusableAndRefusesASecondStartWhileRunning() async throws {
        let f = vectors[2]
        let engine = SolverEngine(kernel: ScalarSwiftKernel(), threads: 2,
                                  configuration: .init(updateInterval: 10, nonceMode: .range(start: f.nonce_start, end: f.first_nonce + 50)))
        let work = SolverWork(challenge: try legacyChallenge(f), difficulty: f.difficulty, blockNumber: 1)
        let first = try await engine.solve(work)
        let second = try await engine.solve(work)
        XCTAssertEqual(first?.nonce, f.first_nonce)
        XCTAssertEqual(second?.nonce, f.first_nonce, "a reused engine searches its range again from the start")

        let running = SolverEngine(kernel: ScalarSwiftKernel(), threads: 1)
        let endless = SolverWork(challenge: .legacy(LegacyChallenge(blockHash: .zero, hotkey: .zero)), difficulty: .max, blockNumber: 0)
        try running.start(endless)
        XCTAssertThrowsError(try running.start(endless)) { XCTAssertEqual($0 as? SolverEngineError, .alreadyRunning) }
        do {
            _ = try await running.solve(endless)
            XCTFail("solve on a running engine must throw")
        } catch { XCTAssertEqual(error as? SolverEngineError, .alreadyRunning) }
        running.stop()
        try running.start(endless)   // stopped: it starts again
        running.stop()
    }

    /// Any solution the engine hands out verifies, for both schemes and every rule.
    func testRandomModeSolutionsVerify() async throws {
        for scheme in ChallengeScheme.allCases {
            for rule in DifficultyRule.allCases {
                var rng = SystemRandomNumberGenerator()
                let key = { Bytes32(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next()) }
                let challenge: Challenge = scheme == .legacy
                    ? .legacy(LegacyChallenge(blockHash: key(), hotkey: key()))
                    : .v1(V1Challenge(netuid: 7, blockHash: key(), hotkey: key(), coldkey: key()))
                let engine = SolverEngine(kernel: ScalarSwiftKernel(), threads: 2, configuration: .init(updateInterval: 1000))
                let work = SolverWork(challenge: challenge, difficulty: 500, rule: rule, blockNumber: 99)
                try engine.start(work)
                for _ in 0 ..< 3 {
                    let s = await engine.nextSolution()
                    XCTAssertNotNil(s)
                    XCTAssertEqual(s?.verify(), true)
                    XCTAssertEqual(s?.rule, rule)
                    XCTAssertEqual(s?.challenge, challenge)
                    XCTAssertEqual(s?.blockNumber, 99)
                }
                engine.stop()
            }
        }
    }

    func testChallengeSwapMidRun() async throws {
        let a = Challenge.legacy(LegacyChallenge(blockHash: Bytes32(w0: 1, w1: 0, w2: 0, w3: 0), hotkey: .zero))
        let b = Challenge.v1(V1Challenge(netuid: 3, blockHash: Bytes32(w0: 2, w1: 0, w2: 0, w3: 0), hotkey: .zero, coldkey: .zero))
        let engine = SolverEngine(kernel: ScalarSwiftKernel(), threads: 2, configuration: .init(updateInterval: 2000))
        try engine.start(SolverWork(challenge: a, difficulty: .max, blockNumber: 10))   // effectively unsolvable
        try await Task.sleep(for: .milliseconds(50))
        let before = engine.progress.noncesHashed
        XCTAssertGreaterThan(before, 0)
        engine.update(SolverWork(challenge: b, difficulty: 300, blockNumber: 11))
        let deadline = Date().addingTimeInterval(5)
        while !engine.allWorkersOnLatestWork && Date() < deadline { try await Task.sleep(for: .milliseconds(1)) }
        XCTAssertTrue(engine.allWorkersOnLatestWork, "every worker moves to the new work within a batch")
        let s = await engine.nextSolution()
        engine.stop()
        XCTAssertEqual(s?.challenge, b)
        XCTAssertEqual(s?.blockNumber, 11)
        XCTAssertEqual(s?.difficulty, 300)
        XCTAssertEqual(s?.verify(), true)
        XCTAssertEqual(engine.currentWork?.challenge, b)
    }

    /// Two callers racing with different heads: the older one never replaces the newer work.
    func testUpdateIfNewerNeverMovesBack() throws {
        let engine = SolverEngine(kernel: ScalarSwiftKernel(), threads: 1)
        @Sendable func work(_ n: UInt64) -> SolverWork {
            SolverWork(challenge: .legacy(LegacyChallenge(blockHash: Bytes32(w0: n, w1: 0, w2: 0, w3: 0), hotkey: .zero)),
                       difficulty: .max, blockNumber: n)
        }
        try engine.start(work(10))
        XCTAssertTrue(engine.updateIfNewer(work(12)))
        XCTAssertFalse(engine.updateIfNewer(work(11)))
        XCTAssertFalse(engine.updateIfNewer(work(12)))
        XCTAssertEqual(engine.currentWork?.blockNumber, 12)
        DispatchQueue.concurrentPerform(iterations: 200) { i in engine.updateIfNewer(work(UInt64(13 + (i * 37) % 200))) }
        XCTAssertEqual(engine.currentWork?.blockNumber, 212)
        engine.stop()
    }

    func testStopEndsEveryWorkerAndReleasesWaiters() async throws {
        let engine = SolverEngine(kernel: ScalarSwiftKernel(), threads: 3, configuration: .init(updateInterval: 5000))
        try engine.start(SolverWork(challenge: .legacy(LegacyChallenge(blockHash: .zero, hotkey: .zero)), difficulty: .max, blockNumber: 0))
        let waiter = Task { await engine.nextSolution() }
        try await Task.sleep(for: .milliseconds(100))
        engine.stop()                     // returns only after every worker thread has exited
        let afterStop = engine.progress.noncesHashed
        let released = await waiter.value
        XCTAssertNil(released)
        try await Task.sleep(for: .milliseconds(50))
        XCTAssertEqual(engine.progress.noncesHashed, afterStop, "no worker hashes after stop returns")
        XCTAssertTrue(engine.isStopped)
        // Per-worker counts add up exactly, and every worker did work.
        XCTAssertEqual(engine.noncesPerWorker.reduce(0, +), afterStop)
        XCTAssertEqual(engine.noncesPerWorker.count, 3)
        XCTAssertTrue(engine.noncesPerWorker.allSatisfy { $0 > 0 })
        XCTAssertEqual(engine.progress.noncesHashed % 5000, 0, "whole batches only: no nonce found")
    }

    /// `requestStop` returns while a worker is still inside its batch; a second engine given the same searcher does
    /// not call it until that batch is over (a searcher serves one worker at a time); `start` on the first engine
    /// after `requestStop` waits for its workers instead of refusing.
    func testRequestStopDoesNotWaitAndASharedSearcherServesOneWorkerAtATime() async throws {
        let gated = GatedSearcher()
        let work = SolverWork(challenge: .legacy(LegacyChallenge(blockHash: .zero, hotkey: .zero)), difficulty: .max, blockNumber: 0)
        let first = SolverEngine(searchers: [gated], configuration: .init(updateInterval: 10))
        try first.start(work)
        gated.entered.wait()                       // the worker is inside its first batch, held by the gate
        first.requestStop()                        // returns although the batch is not over
        XCTAssertTrue(first.isStopped)
        XCTAssertEqual(gated.state.withLock { $0.inside }, 1)

        let second = SolverEngine(searchers: [gated], configuration: .init(updateInterval: 10))
        try second.start(work)
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(gated.state.withLock { $0.calls }, 1, "the second engine's worker waits for the first's batch")
        gated.release.signal()                     // the first engine's batch ends; its worker sees the stop and exits
        gated.entered.wait()                       // now the second engine's worker is inside
        XCTAssertEqual(gated.state.withLock { $0.calls }, 2)
        XCTAssertEqual(gated.state.withLock { $0.maxInside }, 1, "never two workers in one searcher")
        second.requestStop()
        gated.release.signal()
        second.stop()                              // joins: its worker has left the searcher
        XCTAssertEqual(gated.state.withLock { $0.inside }, 0)

        try first.start(work)                      // stop was requested, not waited for: start waits, then runs again
        gated.entered.wait()
        XCTAssertEqual(gated.state.withLock { $0.calls }, 3)
        first.requestStop()
        gated.release.signal()
        first.stop()
        XCTAssertEqual(gated.state.withLock { $0.maxInside }, 1)
    }

    func testTaskCancellationStopsTheSolver() async throws {
        let engine = SolverEngine(kernel: ScalarSwiftKernel(), threads: 2, configuration: .init(updateInterval: 5000))
        let work = SolverWork(challenge: .legacy(LegacyChallenge(blockHash: .zero, hotkey: .zero)), difficulty: .max, blockNumber: 0)
        let task = Task { try await engine.solve(work) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("expected CancellationError")
        } catch is CancellationError {}
        XCTAssertTrue(engine.isStopped)
        let n = engine.progress.noncesHashed
        try await Task.sleep(for: .milliseconds(50))
        XCTAssertEqual(engine.progress.noncesHashed, n)
    }

    func testAffinityMaskParsing() {
        XCTAssertEqual(CPUInfo.affinityCount(procStatus: "Name:\tx\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n"), 2)
        XCTAssertEqual(CPUInfo.affinityCount(procStatus: "Cpus_allowed:\tff,ffffffff\n"), 40)
        XCTAssertNil(CPUInfo.affinityCount(procStatus: "Name:\tx\n"))
        XCTAssertGreaterThanOrEqual(CPUInfo.availableCPUs, 1)
    }
}

/// A searcher that holds every batch until the test releases it, counting who is inside.
final class GatedSearcher: NonceSearcher, @unchecked Sendable {
    struct State { var inside = 0; var maxInside = 0; var calls = 0 }
    let state = Mutex(State())
    let entered = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    var label: String { "gated" }
    func batchSize(updateInterval: UInt64) -> UInt64 { updateInterval }
    func search(_ challenge: PreparedChallenge, target: SealTarget, start: UInt64, count: UInt64) throws -> BatchResult {
        state.withLock { $0.inside += 1; $0.calls += 1; $0.maxInside = max($0.maxInside, $0.inside) }
        entered.signal()
        release.wait()
        state.withLock { $0.inside -= 1 }
        return BatchResult(nonce: nil, hashed: count)
    }
}
