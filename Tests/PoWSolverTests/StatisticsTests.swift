import XCTest
import PoWCore
import PoWSolver

final class StatisticsTests: XCTestCase {
    func testEWMAWeightsNewestMost() {
        var avg = HashRateAverage(samples: 3, alpha: 0.5)
        XCTAssertEqual(avg.value, 0)
        avg.add(100)
        XCTAssertEqual(avg.value, 100, accuracy: 1e-9)      // no zeros dragging the first reading down
        avg.add(200)
        XCTAssertEqual(avg.value, (200 * 1 + 100 * 0.5) / 1.5, accuracy: 1e-9)
        avg.add(400)
        avg.add(800)                                         // window of 3: the 100 falls out
        XCTAssertEqual(avg.readings, [200, 400, 800])
        XCTAssertEqual(avg.value, (800 + 400 * 0.5 + 200 * 0.25) / 1.75, accuracy: 1e-9)
    }

    func testTrackerArithmetic() {
        let work = SolverWork(challenge: .legacy(LegacyChallenge(blockHash: .zero, hotkey: .zero)), difficulty: 1_000_000, blockNumber: 5)
        var t = StatisticsTracker(work: work, now: 0, samples: 10, alpha: 0.8)
        var s = t.update(progress: .init(noncesHashed: 100_000, batchesFinished: 2), now: 1)
        XCTAssertEqual(s.hashRate, 100_000, accuracy: 1e-6)
        XCTAssertEqual(s.roundsTotal, 2)
        XCTAssertEqual(s.timeAverage, 0.5, accuracy: 1e-9)
        XCTAssertEqual(s.hashRatePerpetual, 100_000, accuracy: 1e-6)
        s = t.update(progress: .init(noncesHashed: 400_000, batchesFinished: 8), now: 2)
        XCTAssertEqual(s.hashRate, (300_000 + 100_000 * 0.8) / 1.8, accuracy: 1e-6)
        XCTAssertEqual(s.roundsTotal, 8)
        XCTAssertEqual(s.timeAverage, (0.5 * 2 + 1) / 8, accuracy: 1e-9)
        XCTAssertEqual(s.timeSpentTotal, 2)
        XCTAssertEqual(s.hashRatePerpetual, 200_000, accuracy: 1e-6)
        XCTAssertEqual(s.expectedSecondsToSolution!, 1_000_000 / s.hashRate, accuracy: 1e-9)
        XCTAssertEqual(s.chanceFoundByNow, 1 - pow(1 - 1e-6, 400_000), accuracy: 1e-9)
        // A pass with no finished batch keeps the rate and the rounds.
        let same = t.update(progress: .init(noncesHashed: 400_000, batchesFinished: 8), now: 3)
        XCTAssertEqual(same.hashRate, s.hashRate)
        XCTAssertEqual(same.roundsTotal, 8)
        XCTAssertEqual(same.timeSpentTotal, 3)
        t.newWork(SolverWork(challenge: .legacy(LegacyChallenge(blockHash: .zero, hotkey: .zero)), difficulty: 7, blockNumber: 6))
        XCTAssertEqual(t.stats.blockNumber, 6)
        XCTAssertEqual(t.stats.difficulty, 7)
    }
}
