import XCTest
import PoWCore
import PoWSolver

final class KernelTests: XCTestCase {
    func testScalarFindsSameAsReference() {
        let c = Challenge.legacy(LegacyChallenge(blockHash: .zero, hotkey: .zero))
        let t = SealTarget(rule: .seedBigEndian, difficulty: 1000)
        let n = ScalarSwiftKernel().firstSolution(c.prepared, target: t, start: 0, count: 100_000)
        XCTAssertNotNil(n)
    }
}
