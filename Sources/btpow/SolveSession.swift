import Dispatch
import Foundation
import PoWCore
import PoWSolver
import Synchronization

/// Runs an engine to its first solution while redrawing the statistics display, and turns
/// Ctrl-C into a clean stop (exit 130) instead of a killed process.
struct DisplayOptions {
    var show: Bool
    var outputInPlace: Bool
    var verbose: Bool
}

final class SolveSession: @unchecked Sendable {
    let engine: SolverEngine
    /// The display task and the caller both update it: one lock.
    private let tracker: Mutex<StatisticsTracker>
    private let display: RegistrationStatisticsLogger?
    private let verbose: Bool
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private var interrupt: DispatchSourceSignal?
    private let interruptFlag = Atomic<Bool>(false)
    var interrupted: Bool { interruptFlag.load(ordering: .acquiring) }

    init(engine: SolverEngine, work: SolverWork, display options: DisplayOptions) {
        self.engine = engine
        self.origin = clock.now
        self.tracker = Mutex(StatisticsTracker(work: work, now: 0))
        self.verbose = options.verbose
        self.display = options.show
            ? RegistrationStatisticsLogger(outputInPlace: options.outputInPlace, write: { Console.status($0) })
            : nil
    }

    var now: Double {
        let d = clock.now - origin
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Ctrl-C stops the workers within one batch; the caller sees `interrupted`.
    func installInterruptHandler() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            self.interruptFlag.store(true, ordering: .releasing)
            DispatchQueue.global().async { self.engine.stop() }
        }
        source.resume()
        interrupt = source
    }

    func newWork(_ work: SolverWork) {
        engine.update(work)
        tracker.withLock { $0.newWork(work) }
    }

    /// Redraws the display every `interval` until cancelled.
    func displayLoop(interval: Duration) async {
        display?.start()
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            refresh()
        }
    }

    func refresh() {
        tracker.withLock { t in
            let stats = t.update(progress: engine.progress, now: now)
            display?.update(stats, verbose: verbose)
        }
    }

    /// Starts the engine, waits for its first solution (nil: range exhausted or stopped), stops it.
    func run(_ work: SolverWork) async -> POWSolution? {
        installInterruptHandler()
        engine.start(work)
        let interval: Duration = (display?.outputInPlace ?? false) ? .milliseconds(250) : .seconds(1)
        let ticker = Task { await displayLoop(interval: interval) }
        let solution = await engine.nextSolution()
        ticker.cancel()
        await ticker.value   // its last redraw is done before the final one
        engine.stop()
        refresh()
        interrupt?.cancel()
        signal(SIGINT, SIG_DFL)
        return solution
    }
}
