import XCTest
import PoWCore

final class EffectiveDifficultyTests: XCTestCase {
    func testStoredValueHeldBetweenFloorAndCeiling() {
        XCTAssertEqual(EffectiveDifficulty.clamp(5_000, minimum: 1_000, maximum: 10_000), 5_000)
        XCTAssertEqual(EffectiveDifficulty.clamp(500, minimum: 1_000, maximum: 10_000), 1_000)
        XCTAssertEqual(EffectiveDifficulty.clamp(50_000, minimum: 1_000, maximum: 10_000), 10_000)
    }

    func testNeverBelowOne() {
        XCTAssertEqual(EffectiveDifficulty.clamp(0, minimum: 0, maximum: 0), 1)
        XCTAssertEqual(EffectiveDifficulty.clamp(0, minimum: 0, maximum: 10), 1)
    }

    /// A ceiling below the floor cannot lower the difficulty: the floor wins, whatever the stored value.
    func testCeilingBelowFloorKeepsTheFloor() {
        XCTAssertEqual(EffectiveDifficulty.clamp(5, minimum: 1_000, maximum: 100), 1_000)
        XCTAssertEqual(EffectiveDifficulty.clamp(50_000, minimum: 1_000, maximum: 100), 1_000)
        XCTAssertEqual(EffectiveDifficulty.clamp(.max, minimum: .max, maximum: 1), .max)
    }
}
