import Dispatch
import Foundation
import Synchronization

/// Ctrl-C (and, for servers, SIGTERM) while a command runs: instead of killing the process it runs the command's
/// action once (stop the engine, cancel the task, stop the server), so the command ends cleanly (a solve exits 130).
/// One handler for every command. Installed as early as a command can (before its workers are built); the action
/// can be given later, and runs at once if the signal came first. Handlers may be installed inside one another (a
/// solve inside a registration): a signal runs every installed one. With none installed (after `remove`), the signal
/// ends the process, as its default action would.
// @unchecked: `signals` is set once in init; the rest is atomic or locked.
final class Interrupt: @unchecked Sendable {
    private let signals: [Int32]
    private let flag = Atomic<Bool>(false)
    /// The action, taken out when it runs, so it runs at most once.
    private let action = Mutex<(@Sendable () -> Void)?>(nil)

    /// Per signal: the installed handlers, and the one dispatch source that hears it, made with the first handler
    /// and kept for the process's life. One source per signal, so that a signal is judged once: either some
    /// handler takes it or the process ends.
    private struct Registry {
        var handlers: [Int32: [Interrupt]] = [:]
        var sources: [Int32: any DispatchSourceSignal] = [:]
    }
    private static let registry = Mutex(Registry())

    /// Whether a signal came while installed.
    var happened: Bool { flag.load(ordering: .acquiring) }

    init(signals: [Int32] = [SIGINT], _ action: (@Sendable () -> Void)? = nil) {
        self.signals = signals
        self.action.withLock { $0 = action }
        Self.registry.withLock { registry in
            for sig in signals {
                registry.handlers[sig, default: []].append(self)
                guard registry.sources[sig] == nil else { continue }
                // Once per signal, before its source: the default action off (kqueue needs that). Never again: on
                // Linux, dispatch then installs its own handler (it routes the signal to its signalfd), which a later
                // `signal()` call would replace, and the source would hear nothing any more.
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { Interrupt.deliver(sig) }
                source.resume()
                registry.sources[sig] = source
            }
        }
    }

    private static func deliver(_ sig: Int32) {
        let handlers = registry.withLock { $0.handlers[sig] ?? [] }
        if handlers.isEmpty { exit(128 + sig) }
        for handler in handlers {
            handler.flag.store(true, ordering: .releasing)
            handler.fire()
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
        Self.registry.withLock { registry in
            for sig in signals { registry.handlers[sig]?.removeAll { $0 === self } }
        }
    }
}
