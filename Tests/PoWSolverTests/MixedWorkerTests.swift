import XCTest
import PoWCore
import PoWSolver
import TestSupport

/// A CPU searcher whose batches are `factor` times the update interval, like a GPU worker's.
private final class WideSearcher: NonceSearcher {
    let inner = KernelSearcher(kernel: ScalarSwiftKernel())
    let factor: UInt64
    init(factor: UInt64) { self.factor = factor }
    var label: String { "wide:\(factor)" }
    func batchSize(updateInterval: UInt64) -> UInt64 { updateInterval * factor }
    func search(_ c: PreparedChallenge, target: SealTarget, start: UInt64, count: UInt64) throws -> BatchResult {
        inner.search(c, target: target, start: start, count: count)
    }
}

final class MixedWorkerTests: XCTestCase {
    /// Range mode stays exact when workers take batches of different sizes (GPU and CPU together):
    /// every nonce of the range is covered once, and the first solution wins.
    func testRangeModeIsExactWithDifferentBatchSizes() async throws {
        for f in Vectors.shared.legacy.first_solution_in_range {
            let challenge = Challenge.legacy(LegacyChallenge(blockHash: try Bytes32(hex: f.block_hash), hotkey: try Bytes32(hex: f.hotkey_public_key)))
            let engine = SolverEngine(searchers: [WideSearcher(factor: 32), KernelSearcher(kernel: ScalarSwiftKernel()), WideSearcher(factor: 5)],
                                      configuration: .init(updateInterval: 7, nonceMode: .range(start: f.nonce_start, end: f.nonce_end)))
            let solution = try await engine.solve(SolverWork(challenge: challenge, difficulty: f.difficulty, blockNumber: 1))
            XCTAssertEqual(solution?.nonce, f.first_nonce, "d=\(f.difficulty)")
        }
        let f = Vectors.shared.legacy.first_solution_in_range[3]
        let challenge = Challenge.legacy(LegacyChallenge(blockHash: try Bytes32(hex: f.block_hash), hotkey: try Bytes32(hex: f.hotkey_public_key)))
        let engine = SolverEngine(searchers: [WideSearcher(factor: 32), KernelSearcher(kernel: ScalarSwiftKernel())],
                                  configuration: .init(updateInterval: 7, nonceMode: .range(start: f.nonce_start, end: f.first_nonce)))
        let none = try await engine.solve(SolverWork(challenge: challenge, difficulty: f.difficulty, blockNumber: 1))
        XCTAssertNil(none)
        XCTAssertEqual(engine.progress.noncesHashed, f.first_nonce - f.nonce_start)
    }
}
