import XCTest
import PoWCore
import PoWSolver
import GPUSolver
import TestSupport

/// The whole GPU solver path through OpenCL. In CI PoCL runs it on the CPU; where no OpenCL
/// platform exists these tests are skipped and say why.
final class OpenCLTests: XCTestCase {
    let vectors = Vectors.shared

    /// The first device, or a skip that says why there is none.
    func firstDevice() throws -> OpenCLDeviceInfo {
        do {
            let devices = try OpenCLDiscovery.devices()
            return devices[0]
        } catch let e as GPUUnavailable {
            throw XCTSkip("no OpenCL device: \(e)")
        }
    }

    func searcher(tpb: Int = 64) throws -> OpenCLSearcher {
        let device = try firstDevice()
        return try OpenCLSearcher(deviceIndex: device.index, threadsPerBlock: tpb)
    }

    func legacy(_ f: Vectors.FirstSolution) throws -> Challenge {
        .legacy(LegacyChallenge(blockHash: try Bytes32(hex: f.block_hash), hotkey: try Bytes32(hex: f.hotkey_public_key)))
    }

    // Runs everywhere: the loader missing is one clear line.
    func testMissingLoaderSaysWhatToInstall() {
        XCTAssertThrowsError(try OpenCLAPI(candidates: ["/nonexistent/libOpenCL.so.1"])) { error in
            guard let e = error as? GPUUnavailable else { return XCTFail("\(error)") }
            XCTAssertEqual(e.backend, "OpenCL")
            XCTAssertTrue(e.description.contains("/nonexistent/libOpenCL.so.1"), e.description)
            XCTAssertTrue(e.description.contains("install"), e.description)
            XCTAssertFalse(e.description.contains("\n"), e.description)
        }
    }

    func testErrorNames() {
        XCTAssertEqual(OpenCLError(call: "clBuildProgram", code: -11).name, "CL_BUILD_PROGRAM_FAILURE")
        XCTAssertEqual(OpenCLError(call: "x", code: -1001).name, "CL_PLATFORM_NOT_FOUND_KHR")
        XCTAssertEqual(OpenCLError(call: "x", code: -12345).name, "CL_UNKNOWN_ERROR")
    }

    func testDiscovery() throws {
        let device = try firstDevice()
        XCTAssertFalse(device.name.isEmpty)
        XCTAssertTrue(device.version.hasPrefix("OpenCL"), device.version)
        XCTAssertGreaterThan(device.computeUnits, 0)
        XCTAssertGreaterThan(device.globalMemoryBytes, 0)
        XCTAssertEqual(device.index, 0)
    }

    func testUnknownDeviceIndex() throws {
        _ = try firstDevice()
        XCTAssertThrowsError(try OpenCLSearcher(deviceIndex: 9999)) { error in
            XCTAssertTrue(error is GPUDeviceNotFound, "\(error)")
        }
    }

    /// A kernel that does not compile reports the driver's build log.
    func testBuildFailureCarriesTheLog() throws {
        let device = try firstDevice()
        XCTAssertThrowsError(try OpenCLSearcher(deviceIndex: device.index, source: "__kernel void k( { }")) { error in
            guard let e = error as? OpenCLError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.name, "CL_BUILD_PROGRAM_FAILURE")
            XCTAssertFalse(e.log.isEmpty)
        }
    }

    func testBatchesFindTheFirstSolutionAndCountExactly() throws {
        let s = try searcher()
        XCTAssertEqual(s.label, "opencl:0")
        XCTAssertEqual(s.batchSize(updateInterval: 100), 6400)
        for f in vectors.legacy.first_solution_in_range {
            let c = try legacy(f)
            let target = SealTarget(rule: .seedBigEndian, difficulty: f.difficulty)
            let count = min(f.nonce_end - f.nonce_start, f.first_nonce - f.nonce_start + 3000)
            let r = try s.search(c.prepared, target: target, start: f.nonce_start, count: count)
            XCTAssertEqual(r.nonce, f.first_nonce, "d=\(f.difficulty)")
            XCTAssertEqual(r.hashed, f.first_nonce - f.nonce_start + 1)
            XCTAssertEqual(c.referenceSeal(nonce: f.first_nonce).hex, f.seal)
            if f.first_nonce > f.nonce_start {
                let none = try s.search(c.prepared, target: target, start: f.nonce_start, count: f.first_nonce - f.nonce_start)
                XCTAssertEqual(none, BatchResult(nonce: nil, hashed: f.first_nonce - f.nonce_start))
            }
        }
    }

    func testV1VectorsAndEveryRule() throws {
        let s = try searcher()
        for c in vectors.v1 {
            guard let a = c.a_solution else { continue }
            let challenge = Challenge.v1(c.challenge)
            let target = SealTarget(rule: .chainLittleEndian, difficulty: c.difficulty)
            let start = a.nonce &- 500
            let r = try s.search(challenge.prepared, target: target, start: start, count: 1000)
            let expected = ScalarSwiftKernel().firstSolution(challenge.prepared, target: target, start: start, count: 1000)
            XCTAssertEqual(r.nonce, expected)
            XCTAssertNotNil(r.nonce)
        }
        // Both schemes under every rule, and nonces that wrap past 2^64 - 1.
        var rng = SystemRandomNumberGenerator()
        let key = { Bytes32(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next()) }
        for scheme in ChallengeScheme.allCases {
            for rule in DifficultyRule.allCases {
                let challenge: Challenge = scheme == .legacy
                    ? .legacy(LegacyChallenge(blockHash: key(), hotkey: key()))
                    : .v1(V1Challenge(netuid: 3, blockHash: key(), hotkey: key(), coldkey: key()))
                let target = SealTarget(rule: rule, difficulty: 200)
                let start = UInt64.max - 1000
                let expected = ScalarSwiftKernel().firstSolution(challenge.prepared, target: target, start: start, count: 4000)
                let r = try s.search(challenge.prepared, target: target, start: start, count: 4000)
                XCTAssertEqual(r.nonce, expected, "\(scheme) \(rule)")
            }
        }
    }

    /// A batch larger than one launch is several launches in nonce order: still the lowest solution.
    func testBatchSplitIntoLaunches() throws {
        let s = try searcher()
        s.maxLaunch = 1000
        let f = vectors.legacy.first_solution_in_range[4]   // first solution ~14,500 after the start
        let target = SealTarget(rule: .seedBigEndian, difficulty: f.difficulty)
        let r = try s.search(try legacy(f).prepared, target: target, start: f.nonce_start, count: 20_000)
        XCTAssertEqual(r.nonce, f.first_nonce)
        XCTAssertEqual(r.hashed, f.first_nonce - f.nonce_start + 1)
    }

    /// Range mode through the engine: the first solution, with GPU and CPU workers together.
    func testEngineRangeModeWithOpenCLAndCPUWorkers() async throws {
        let s = try searcher(tpb: 32)
        for f in vectors.legacy.first_solution_in_range {
            let engine = SolverEngine(searchers: [s, KernelSearcher(kernel: ScalarSwiftKernel())],
                                      configuration: .init(updateInterval: 8, nonceMode: .range(start: f.nonce_start, end: f.nonce_end)))
            let solution = try await engine.solve(SolverWork(challenge: try legacy(f), difficulty: f.difficulty, blockNumber: f.block_number))
            XCTAssertEqual(solution?.nonce, f.first_nonce)
            XCTAssertEqual(solution?.seal.hex, f.seal)
            XCTAssertEqual(engine.workerLabels, ["opencl:0", "cpu:swift-scalar"])
        }
    }

    /// A new challenge reaches the OpenCL worker before its next batch; its solutions are re-verified
    /// and belong to the new challenge; its nonces are counted.
    func testEngineChallengeSwapWithOpenCLWorker() async throws {
        let s = try searcher(tpb: 64)
        let hot = Bytes32(w0: 9, w1: 8, w2: 7, w3: 6)
        let a = Challenge.legacy(LegacyChallenge(blockHash: Bytes32(w0: 1, w1: 1, w2: 1, w3: 1), hotkey: hot))
        let b = Challenge.v1(V1Challenge(netuid: 5, blockHash: Bytes32(w0: 2, w1: 2, w2: 2, w3: 2), hotkey: hot, coldkey: hot))
        let engine = SolverEngine(searchers: [s], configuration: .init(updateInterval: 64))
        // Difficulty 2^64-1 essentially never solves: the worker keeps hashing challenge A.
        try engine.start(SolverWork(challenge: a, difficulty: .max, blockNumber: 10))
        let deadline = ContinuousClock.now + .seconds(30)
        while engine.progress.batchesFinished < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertGreaterThanOrEqual(engine.progress.batchesFinished, 2)
        engine.update(SolverWork(challenge: b, difficulty: 5000, blockNumber: 11))
        let solution = await engine.nextSolution()
        engine.stop()
        XCTAssertEqual(solution?.challenge, b)
        XCTAssertEqual(solution?.blockNumber, 11)
        XCTAssertEqual(solution?.verify(), true)
        XCTAssertEqual(engine.noncesPerWorker.reduce(0, +), engine.progress.noncesHashed)
        XCTAssertTrue(engine.workerErrors.isEmpty, "\(engine.workerErrors)")
    }
}
