import XCTest
import PoWCore
import PoWSolver
import GPUSolver
import LibraryLoading
import FakeCUDA
import TestSupport

/// The CUDA backend through a stand-in driver and NVRTC (Tests/FakeCUDA) whose device runs the
/// host-compiled kernel: every call the searcher makes, its arguments and its error paths run here,
/// without a GPU. Only the real driver's own behaviour is left for a machine with one.
final class CUDATests: XCTestCase {
    let vectors = Vectors.shared

    override func setUp() { fake_cuda_reset() }
    override func tearDown() { fake_cuda_reset() }

    func fakeDriver() throws -> CUDADriver {
        try CUDADriver(symbols: SymbolTable(path: "fake-libcuda") { fake_cuda_symbol($0) })
    }
    func fakeNVRTC() throws -> NVRTC {
        try NVRTC(symbols: SymbolTable(path: "fake-libnvrtc") { fake_cuda_symbol($0) })
    }
    func searcher(tpb: Int = 64) throws -> CUDASearcher {
        let nvrtc = try fakeNVRTC()
        return try CUDASearcher(deviceIndex: 0, threadsPerBlock: tpb, driver: try fakeDriver(),
                                compile: { try CUDAKernelBuild.image(for: $0, nvrtc: nvrtc) })
    }
    func legacy(_ f: Vectors.FirstSolution) throws -> Challenge {
        .legacy(LegacyChallenge(blockHash: try Bytes32(hex: f.block_hash), hotkey: try Bytes32(hex: f.hotkey_public_key)))
    }

    func testMissingDriverSaysWhatToInstall() {
        XCTAssertThrowsError(try CUDADriver(candidates: ["/nonexistent/libcuda.so.1"])) { error in
            guard let e = error as? GPUUnavailable else { return XCTFail("\(error)") }
            XCTAssertEqual(e.backend, "CUDA")
            XCTAssertTrue(e.description.contains("/nonexistent/libcuda.so.1"), e.description)
            XCTAssertTrue(e.description.contains("install the NVIDIA driver"), e.description)
            XCTAssertFalse(e.description.contains("\n"))
        }
    }

    /// A library that exists but does not load is named with the loader's reason.
    func testBrokenLibraryIsNamed() throws {
        let path = NSTemporaryDirectory() + "btpow-not-a-library-\(getpid()).so"
        try Data("not a library".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try CUDADriver(candidates: [path, "/nonexistent/libcuda.so.1"])) { error in
            XCTAssertTrue("\(error)".contains("\(path): "), "\(error)")
            XCTAssertFalse("\(error)".contains("No such file"), "\(error)")
        }
    }

    func testLibraryWithoutTheEntryPoints() {
        XCTAssertThrowsError(try CUDADriver(symbols: SymbolTable(path: "empty") { _ in nil })) { error in
            XCTAssertEqual("\(error)", "empty has no cuInit (too old a version?)")
        }
    }

    func testDiscovery() throws {
        let devices = try CUDADiscovery.devices(driver: try fakeDriver())
        XCTAssertEqual(devices.count, 1)
        XCTAssertEqual(devices[0].name, "Fake CUDA device 0 (host kernel)")
        XCTAssertEqual(devices[0].computeCapability, "9.0")
        XCTAssertEqual(devices[0].multiprocessors, 4)
        XCTAssertEqual(devices[0].totalMemoryBytes, 80 << 30)
        XCTAssertEqual(devices[0].clockMHz, 1980)
        XCTAssertEqual(try fakeDriver().version, 12080)
    }

    func testNoDeviceIsUnavailableNotAnError() throws {
        fake_cuda_set_device_count(0)
        XCTAssertThrowsError(try CUDADiscovery.devices(driver: try fakeDriver())) { XCTAssertTrue($0 is GPUUnavailable, "\($0)") }
        fake_cuda_reset()
        fake_cuda_fail("cuInit", 100)
        XCTAssertThrowsError(try fakeDriver()) { XCTAssertTrue("\($0)".contains("sees no CUDA device"), "\($0)") }
        fake_cuda_fail("cuInit", 34)
        XCTAssertThrowsError(try fakeDriver()) { XCTAssertTrue("\($0)".contains("stub"), "\($0)") }
        fake_cuda_reset()
        XCTAssertThrowsError(try CUDASearcher(deviceIndex: 3, driver: try fakeDriver(), compile: { _ in XCTFail(); throw CancellationError() })) {
            XCTAssertTrue($0 is GPUDeviceNotFound, "\($0)")
        }
    }

    func testSearcherBuildsForTheDeviceAndFillsIt() throws {
        let s = try searcher(tpb: 64)
        XCTAssertEqual(s.label, "cuda:0")
        XCTAssertEqual(s.build, "cubin sm_90 by NVRTC 12.9")
        XCTAssertEqual(String(cString: fake_nvrtc_last_options()), "--gpu-architecture=sm_90")
        XCTAssertEqual(s.threadsPerBlock, 64)
        XCTAssertEqual(s.blocks, 4 * (2048 / 64), "every multiprocessor full")
        XCTAssertEqual(s.batchSize(updateInterval: 50_000), 3_200_000, "bittensor's update_interval × tpb")
        XCTAssertEqual(try searcher(tpb: 100).threadsPerBlock, 96, "whole warps")
        XCTAssertEqual(try searcher(tpb: 4096).threadsPerBlock, 1024, "the kernel's limit")
    }

    func testDeviceNewerThanNVRTCGetsPTX() throws {
        fake_cuda_set_compute_capability(12, 0)
        let s = try searcher()
        XCTAssertEqual(s.build, "ptx compute_90 by NVRTC 12.9")
        fake_cuda_set_compute_capability(7, 0)
        XCTAssertThrowsError(try searcher()) { XCTAssertTrue("\($0)".contains("cannot compile for sm_70"), "\($0)") }
    }

    func testBatchesFindTheFirstSolutionAndCountExactly() throws {
        let s = try searcher()
        for f in vectors.legacy.first_solution_in_range {
            let c = try legacy(f)
            let target = SealTarget(rule: .seedBigEndian, difficulty: f.difficulty)
            let count = min(f.nonce_end - f.nonce_start, f.first_nonce - f.nonce_start + 3000)
            let r = try s.search(c.prepared, target: target, start: f.nonce_start, count: count)
            XCTAssertEqual(r, BatchResult(nonce: f.first_nonce, hashed: f.first_nonce - f.nonce_start + 1), "d=\(f.difficulty)")
            if f.first_nonce > f.nonce_start {
                let none = try s.search(c.prepared, target: target, start: f.nonce_start, count: f.first_nonce - f.nonce_start)
                XCTAssertEqual(none, BatchResult(nonce: nil, hashed: f.first_nonce - f.nonce_start))
            }
        }
        XCTAssertEqual(fake_cuda_constant_uploads(), UInt64(vectors.legacy.first_solution_in_range.count),
                       "constants written once per challenge, not per batch")
        XCTAssertEqual(fake_cuda_last_block(), 64)
        XCTAssertLessThanOrEqual(fake_cuda_last_grid(), UInt32(s.blocks))
    }

    func testV1AndEveryRuleAcrossLaunches() throws {
        let s = try searcher()
        s.maxLaunch = 700
        var rng = SystemRandomNumberGenerator()
        let key = { Bytes32(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next()) }
        for scheme in ChallengeScheme.allCases {
            for rule in DifficultyRule.allCases {
                let challenge: Challenge = scheme == .legacy
                    ? .legacy(LegacyChallenge(blockHash: key(), hotkey: key()))
                    : .v1(V1Challenge(netuid: 3, blockHash: key(), hotkey: key(), coldkey: key()))
                let target = SealTarget(rule: rule, difficulty: 1500)
                let start = UInt64.max - 2000
                let expected = ScalarSwiftKernel().firstSolution(challenge.prepared, target: target, start: start, count: 6000)
                let before = fake_cuda_launches()
                let r = try s.search(challenge.prepared, target: target, start: start, count: 6000)
                XCTAssertEqual(r.nonce, expected, "\(scheme) \(rule)")
                if let n = expected {
                    XCTAssertEqual(r.hashed, n &- start &+ 1)
                    XCTAssertEqual(fake_cuda_launches() - before, (n &- start) / 700 + 1, "launches stop at the first that solves")
                }
            }
        }
        for c in vectors.v1 {
            guard let a = c.a_solution else { continue }
            let challenge = Challenge.v1(c.challenge)
            let target = SealTarget(rule: .chainLittleEndian, difficulty: c.difficulty)
            let r = try s.search(challenge.prepared, target: target, start: a.nonce &- 300, count: 600)
            XCTAssertEqual(r.nonce, ScalarSwiftKernel().firstSolution(challenge.prepared, target: target, start: a.nonce &- 300, count: 600))
        }
    }

    /// Every driver call the backend makes can fail: each failure is a `CUDAError` carrying the
    /// driver's name and message for the code and the call, and nothing is leaked.
    func testEveryDriverCallErrorPath() throws {
        let calls = ["cuDriverGetVersion", "cuDeviceGetCount", "cuDeviceGet", "cuDeviceGetName", "cuDeviceGetAttribute",
                     "cuDeviceTotalMem_v2", "cuDevicePrimaryCtxRetain", "cuCtxSetCurrent", "cuModuleLoadDataEx",
                     "cuModuleGetFunction", "cuModuleGetGlobal_v2", "cuMemAlloc_v2", "cuFuncGetAttribute",
                     "cuOccupancyMaxActiveBlocksPerMultiprocessor", "cuMemcpyHtoD_v2", "cuMemsetD32_v2", "cuLaunchKernel",
                     "cuMemcpyDtoH_v2", "cuInit"]
        let f = vectors.legacy.first_solution_in_range[2]
        let work = try legacy(f).prepared
        let target = SealTarget(rule: .seedBigEndian, difficulty: f.difficulty)
        for call in calls {
            fake_cuda_reset()
            fake_cuda_fail(call, 700)
            var thrown: Error?
            do {
                let s = try searcher()
                _ = try s.search(work, target: target, start: f.nonce_start, count: 100)
            } catch { thrown = error }
            guard let e = thrown as? CUDAError else { XCTFail("\(call): \(String(describing: thrown))"); continue }
            XCTAssertEqual(e.code, 700, call)
            XCTAssertEqual(e.name, "CUDA_ERROR_ILLEGAL_ADDRESS", call)
            XCTAssertTrue(e.message.hasPrefix("an illegal memory access was encountered"), call)
            let base = call.replacingOccurrences(of: "_v2", with: "")
            XCTAssertTrue(e.call.hasPrefix(base), "\(call): \(e.call)")
            XCTAssertTrue(e.description.hasPrefix("CUDA error CUDA_ERROR_ILLEGAL_ADDRESS (700) in \(base)"), e.description)
            XCTAssertEqual(fake_cuda_live_allocations(), 0, "\(call): device memory freed")
            XCTAssertEqual(fake_cuda_context_refs(), 0, "\(call): context released")
            XCTAssertEqual(fake_cuda_modules_loaded(), 0, "\(call): module unloaded")
        }
        // The JIT's log comes with a module that does not load; unknown codes still read well.
        fake_cuda_reset()
        fake_cuda_fail("cuModuleLoadDataEx", 218)
        XCTAssertThrowsError(try searcher()) { XCTAssertTrue("\($0)".contains("fake JIT log: ptxas fatal"), "\($0)") }
        fake_cuda_fail("cuLaunchKernel", 12345)
        let s = try searcher()
        XCTAssertThrowsError(try s.search(work, target: target, start: 0, count: 10)) {
            XCTAssertEqual("\($0)", "CUDA error CUDA_ERROR_12345 (12345) in cuLaunchKernel: unknown error")
        }
        // Setting the scheduling flags is best effort.
        fake_cuda_reset()
        fake_cuda_fail("cuDevicePrimaryCtxSetFlags_v2", 708)
        XCTAssertEqual(try searcher().search(work, target: target, start: f.nonce_start, count: 100).nonce, f.first_nonce)
    }

    func testNVRTCErrorPaths() throws {
        let nvrtc = try fakeNVRTC()
        XCTAssertThrowsError(try nvrtc.compile(source: "#error broken", name: "seal_kernel.h", arch: 90, cubin: true)) { error in
            guard let e = error as? NVRTCError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.message, "NVRTC_ERROR_COMPILATION")
            XCTAssertEqual(e.log, "seal_kernel.h(1): error: fake failure")
        }
        for call in ["nvrtcCreateProgram", "nvrtcCompileProgram", "nvrtcGetCUBINSize", "nvrtcGetCUBIN"] {
            fake_cuda_reset()
            fake_cuda_fail(call, 5)
            XCTAssertThrowsError(try nvrtc.compile(source: "", name: "k", arch: 90, cubin: true)) { error in
                XCTAssertEqual((error as? NVRTCError)?.message, "NVRTC_ERROR_INVALID_OPTION", call)
                XCTAssertTrue((error as? NVRTCError)?.call.hasPrefix(call) ?? false, "\(call): \(error)")
            }
        }
        for call in ["nvrtcGetPTXSize", "nvrtcGetPTX"] {
            fake_cuda_reset()
            fake_cuda_fail(call, 5)
            XCTAssertThrowsError(try nvrtc.compile(source: "", name: "k", arch: 90, cubin: false)) {
                XCTAssertTrue(($0 as? NVRTCError)?.call.hasPrefix(call) ?? false, "\(call): \($0)")
            }
        }
        fake_cuda_reset()
        let ptx = try nvrtc.compile(source: "", name: "k", arch: 86, cubin: false)
        XCTAssertEqual(ptx.kind, .ptx)
        XCTAssertEqual(ptx.bytes.last, 0, "PTX handed to the driver is NUL-terminated")
        XCTAssertEqual(String(cString: fake_nvrtc_last_options()), "--gpu-architecture=compute_86")
    }

    /// Range mode and a challenge swap through the engine with a CUDA worker beside a CPU worker.
    func testEngineWithCUDAWorker() async throws {
        weak var released: CUDASearcher?
        try await engineRuns { released = $0 }
        // Worker threads drop their reference a moment after the engine stops: wait, so the
        // searcher's clean-up does not land in the next test's counters.
        let deadline = ContinuousClock.now + .seconds(10)
        while released != nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertNil(released, "the searcher is freed once the engine is done with it")
        XCTAssertEqual(fake_cuda_live_allocations(), 0)
        XCTAssertEqual(fake_cuda_context_refs(), 0)
    }

    private func engineRuns(_ track: (CUDASearcher) -> Void) async throws {
        let s = try searcher(tpb: 32)
        track(s)
        for f in vectors.legacy.first_solution_in_range {
            let engine = SolverEngine(searchers: [s, KernelSearcher(kernel: ScalarSwiftKernel())],
                                      configuration: .init(updateInterval: 8, nonceMode: .range(start: f.nonce_start, end: f.nonce_end)))
            let solution = try await engine.solve(SolverWork(challenge: try legacy(f), difficulty: f.difficulty, blockNumber: f.block_number))
            XCTAssertEqual(solution?.nonce, f.first_nonce)
            XCTAssertEqual(solution?.seal.hex, f.seal)
        }
        let hot = Bytes32(w0: 4, w1: 3, w2: 2, w3: 1)
        let a = Challenge.legacy(LegacyChallenge(blockHash: Bytes32(w0: 1, w1: 1, w2: 1, w3: 1), hotkey: hot))
        let b = Challenge.v1(V1Challenge(netuid: 9, blockHash: Bytes32(w0: 3, w1: 3, w2: 3, w3: 3), hotkey: hot, coldkey: hot))
        let engine = SolverEngine(searchers: [s], configuration: .init(updateInterval: 16))
        try engine.start(SolverWork(challenge: a, difficulty: .max, blockNumber: 20))
        let deadline = ContinuousClock.now + .seconds(30)
        while engine.progress.batchesFinished < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        engine.update(SolverWork(challenge: b, difficulty: 2000, blockNumber: 21))
        let solution = await engine.nextSolution()
        engine.stop()
        XCTAssertEqual(solution?.challenge, b)
        XCTAssertEqual(solution?.verify(), true)
        XCTAssertEqual(engine.noncesPerWorker, [engine.progress.noncesHashed])
    }
}
