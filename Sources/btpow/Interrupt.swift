import Dispatch
import Foundation
import Synchronization

/// Ctrl-C while a command runs: instead of killing the process it runs the command's action (stop the engine,
/// cancel the task), so the command ends cleanly and exits 130. One handler for every command. Installed as early
/// as a command can (before its workers are built); the action can be given later, and runs at once if Ctrl-C came
/// first. `remove` restores the default.
// @unchecked: `source` is set once in init and DispatchSource's cancel is thread-safe; the rest is atomic or locked.
final class Interrupt: @unchecked Sendable {
    private let source: any DispatchSourceSignal
    private let flag = Atomic<Bool>(false)
    private let action = Mutex<(@Sendable () -> Void)?>(nil)

    /// Whether Ctrl-C was pressed while installed.
    var happened: Bool { flag.load(ordering: .acquiring) }

    init(_ action: (@Sendable () -> Void)? = nil) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        self.action.withLock { $0 = action }
        source.setEventHandler { [weak self] in
            guard let self else { return }
            self.flag.store(true, ordering: .releasing)
            self.action.withLock { $0 }?()
        }
        source.resume()
    }

    /// What Ctrl-C does from now on; runs it at once if Ctrl-C was already pressed.
    func whenInterrupted(_ action: @escaping @Sendable () -> Void) {
        self.action.withLock { $0 = action }
        if happened { action() }
    }

    func remove() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
