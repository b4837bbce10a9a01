import Dispatch
import Foundation
import Synchronization

/// Ctrl-C (and, for servers, SIGTERM) while a command runs: instead of killing the process it runs the command's
/// action once (stop the engine, cancel the task, stop the server), so the command ends cleanly (a solve exits 130).
/// One handler for every command. Installed as early as a command can (before its workers are built); the action
/// can be given later, and runs at once if the signal came first. `remove` restores the default.
// @unchecked: `sources` is set once in init and DispatchSource's cancel is thread-safe; the rest is atomic or locked.
final class Interrupt: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let signals: [Int32]
    private let flag = Atomic<Bool>(false)
    /// The action, taken out when it runs, so it runs at most once.
    private let action = Mutex<(@Sendable () -> Void)?>(nil)

    /// Whether a signal came while installed.
    var happened: Bool { flag.load(ordering: .acquiring) }

    init(signals: [Int32] = [SIGINT], _ action: (@Sendable () -> Void)? = nil) {
        self.signals = signals
        self.action.withLock { $0 = action }
        sources = signals.map { sig in
            signal(sig, SIG_IGN)
            return DispatchSource.makeSignalSource(signal: sig, queue: .global())
        }
        for source in sources {
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.flag.store(true, ordering: .releasing)
                self.fire()
            }
            source.resume()
        }
    }

    private func fire() {
        action.withLock { taken in
            defer { taken = nil }
            return taken
        }?()
    }

    /// What the signal does from now on; runs it at once if the signal already came.
    func whenInterrupted(_ action: @escaping @Sendable () -> Void) {
        self.action.withLock { $0 = action }
        if happened { fire() }
    }

    /// Waits for the signal.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            whenInterrupted { continuation.resume() }
        }
    }

    func remove() {
        sources.forEach { $0.cancel() }
        signals.forEach { signal($0, SIG_DFL) }
    }
}
