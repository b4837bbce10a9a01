import Foundation
import PoWCore

/// bittensor's Python `RegistrationStatistics` (docs/chain-facts.md), plus what it lacks: nonces hashed, expected time to a
/// solution and the chance one would have been found by now.
public struct RegistrationStatistics: Sendable, Equatable {
    public var timeSpentTotal: Double = 0
    public var roundsTotal: UInt64 = 0
    public var timeAverage: Double = 0
    public var timeSpent: Double = 0
    public var hashRatePerpetual: Double = 0
    public var hashRate: Double = 0
    public var difficulty: UInt64
    public var blockNumber: UInt64
    public var blockHash: Bytes32?
    public var noncesTotal: UInt64 = 0

    public init(difficulty: UInt64, blockNumber: UInt64, blockHash: Bytes32?) {
        self.difficulty = difficulty
        self.blockNumber = blockNumber
        self.blockHash = blockHash
    }

    /// A nonce passes with probability ≈ 1/difficulty, so difficulty / rate seconds on average.
    public var expectedSecondsToSolution: Double? {
        hashRate > 0 ? Double(max(difficulty, 1)) / hashRate : nil
    }

    /// 1 − (1 − 1/d)^n ≈ 1 − e^(−n/d): how likely n tries would already have found a solution.
    /// A value near 1 without a solution means bad luck, not a bug.
    public var chanceFoundByNow: Double {
        guard difficulty > 1 else { return noncesTotal > 0 ? 1 : 0 }
        return -expm1(Double(noncesTotal) * log1p(-1 / Double(difficulty)))
    }
}

/// Hash rate as an exponentially weighted moving average over the last `samples` readings,
/// the newest weighted most (weight alpha^age). bittensor's Python reference weighted its oldest reading most and
/// started from a window of zeros; here only real readings count.
public struct HashRateAverage: Sendable, Equatable {
    public let capacity: Int
    public let alpha: Double
    public private(set) var readings: [Double] = []   // oldest first

    public init(samples: Int = 10, alpha: Double = 0.8) {
        precondition(samples > 0 && alpha > 0 && alpha <= 1)
        self.capacity = samples
        self.alpha = alpha
    }

    public mutating func add(_ rate: Double) {
        readings.append(rate)
        if readings.count > capacity { readings.removeFirst(readings.count - capacity) }
    }

    public var value: Double {
        var weighted = 0.0, weights = 0.0, weight = 1.0
        for rate in readings.reversed() {      // newest first, weight 1, alpha, alpha², …
            weighted += rate * weight
            weights += weight
            weight *= alpha
        }
        return weights > 0 ? weighted / weights : 0
    }
}

/// Turns the engine's growing counters into `RegistrationStatistics`, one pass at a time
/// (the arithmetic of bittensor's Python main loop).
public struct StatisticsTracker: Sendable {
    public private(set) var stats: RegistrationStatistics
    private var average: HashRateAverage
    private let startTime: Double
    private var lastTime: Double
    private var lastNonces: UInt64 = 0
    private var lastBatches: UInt64 = 0

    public init(work: SolverWork, now: Double, samples: Int = 10, alpha: Double = 0.8) {
        stats = RegistrationStatistics(difficulty: work.difficulty, blockNumber: work.blockNumber, blockHash: work.blockHash)
        average = HashRateAverage(samples: samples, alpha: alpha)
        startTime = now
        lastTime = now
    }

    /// A new block or difficulty: the numbers shown change, the rates go on.
    public mutating func newWork(_ work: SolverWork) {
        stats.difficulty = work.difficulty
        stats.blockNumber = work.blockNumber
        stats.blockHash = work.blockHash
    }

    /// One pass: `progress` is the engine's counters now, `now` in seconds.
    @discardableResult
    public mutating func update(progress: SolverEngine.Progress, now: Double) -> RegistrationStatistics {
        let batchesDone = progress.batchesFinished &- lastBatches
        let noncesDone = progress.noncesHashed &- lastNonces
        let sinceLast = now - lastTime
        if batchesDone > 0 && sinceLast > 0 {
            average.add(Double(noncesDone) / sinceLast)
            stats.hashRate = average.value
            let rounds = Double(stats.roundsTotal)
            stats.timeAverage = (stats.timeAverage * rounds + sinceLast) / (rounds + Double(batchesDone))
            stats.roundsTotal += batchesDone
            lastTime = now
            lastBatches = progress.batchesFinished
            lastNonces = progress.noncesHashed
        }
        stats.timeSpent = sinceLast
        stats.timeSpentTotal = now - startTime
        stats.noncesTotal = progress.noncesHashed
        stats.hashRatePerpetual = stats.timeSpentTotal > 0 ? Double(progress.noncesHashed) / stats.timeSpentTotal : 0
        return stats
    }
}
