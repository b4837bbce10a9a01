import Foundation
import PoWCore
import PoWSolver
import Synchronization

/// Whether and how the status display is drawn.
struct DisplayOptions {
    var show: Bool
    var outputInPlace: Bool
    var verbose: Bool

    /// The display these options ask for, writing to stderr; nil when hidden.
    func makeDisplay() -> StatusDisplay? {
        show ? StatusDisplay(outputInPlace: outputInPlace, write: { Console.status($0) }) : nil
    }
}

/// Runs an engine to its first solution while the statistics ticker redraws the display, and turns Ctrl-C into
/// a clean stop (exit 130) instead of a killed process.
final class SolveSession: Sendable {
    let engine: SolverEngine
    private let tracker: Mutex<StatisticsTracker>
    private let options: DisplayOptions
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    init(engine: SolverEngine, work: SolverWork, display options: DisplayOptions) {
        self.engine = engine
        self.origin = clock.now
        self.tracker = Mutex(StatisticsTracker(work: work, now: 0))
        self.options = options
    }

    private var now: Double { (clock.now - origin) / .seconds(1) }

    /// Starts the engine, waits for its first solution (nil: range exhausted or stopped), stops it. Ctrl-C
    /// (`interrupt`) stops the workers within one batch and throws exit 130.
    func run(_ work: SolverWork, interrupt: Interrupt) async throws -> PoWSolution? {
        let engine = engine
        try engine.start(work)
        interrupt.whenInterrupted { DispatchQueue.global().async { engine.stop() } }
        let ticker = StatisticsTicker(display: options.makeDisplay(), verbose: options.verbose) { [self] in
            tracker.withLock { $0.update(progress: engine.progress, now: now) }
        }
        let solution = await engine.nextSolution()
        engine.stop()
        await ticker.finish()
        if interrupt.happened {
            Console.error("interrupted after \(engine.progress.noncesHashed) nonces")
            throw ExitStatus.interrupted.exit
        }
        return solution
    }
}
