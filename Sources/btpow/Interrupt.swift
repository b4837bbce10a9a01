import Dispatch
import Foundation
import Synchronization

/// Ctrl-C (and, for servers, SIGTERM) while a command runs: instead of killing the process it runs the command's
/// action once (stop the engine, cancel the task, stop the server), so the command ends cleanly (a solve exits 130).
/// One handler for every command. Installed as early as a command can (before its workers are built); the action
/// can be given later, and runs at once if the signal came first. After `remove` (of every handler), the signal ends
/// the process.
// @unchecked: `sources` is set once in init and DispatchSource's cancel is thread-safe; the rest is atomic or locked.
final class Interrupt: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let signals: [Int32]
    private let flag = Atomic<Bool>(false)
    /// The action, taken out when it runs, so it runs at most once.
    private let action = Mutex<(@Sendable () -> Void)?>(nil)
    /// Per signal: how many handlers are installed (one may be installed inside another: a solve inside a
    /// registration), and a fallback source, made with the first, that ends the process (128 + the signal) when a
    /// signal comes while none is installed, as the default action would have.
    private struct Registry {
        var installed: [Int32: Int] = [:]
        var fallbacks: [Int32: any DispatchSourceSignal] = [:]
    }
    private static let registry = Mutex(Registry())

    /// Whether a signal came while installed.
    var happened: Bool { flag.load(ordering: .acquiring) }

    init(signals: [Int32] = [SIGINT], _ action: (@Sendable () -> Void)? = nil) {
        self.signals = signals
        self.action.withLock { $0 = action }
        sources = signals.map { sig in
            Self.registry.withLock { registry in
                registry.installed[sig, default: 0] += 1
                guard registry.fallbacks[sig] == nil else { return }
                // Once per signal, before the first source: the default action off (kqueue needs that). Never again:
                // on Linux, dispatch then installs its own handler (it routes the signal to its signalfd), which a
                // later `signal()` call would replace, and no source would hear the signal any more.
                signal(sig, SIG_IGN)
                let fallback = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                fallback.setEventHandler {
                    if Self.registry.withLock({ $0.installed[sig, default: 0] }) == 0 { exit(128 + sig) }
                }
                fallback.resume()
                registry.fallbacks[sig] = fallback
            }
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

    /// Stops handling; with no handler left, the signal ends the process again.
    func remove() {
        sources.forEach { $0.cancel() }
        Self.registry.withLock { registry in
            for sig in signals { registry.installed[sig, default: 1] -= 1 }
        }
    }
}
