import PoWSolver

/// Redraws the status display from `sample` every `interval` while a solve runs, for `solve` and `create-pow`
/// alike. `finish` waits for the last periodic draw before drawing once more, so the final numbers are drawn last.
final class StatisticsTicker: Sendable {
    private let task: Task<Void, Never>
    private let draw: @Sendable () -> Void

    init(display: StatusDisplay?, verbose: Bool, sample: @escaping @Sendable () -> RegistrationStatistics?) {
        draw = { if let display, let stats = sample() { display.update(stats, verbose: verbose) } }
        let interval: Duration = (display?.outputInPlace ?? false) ? .milliseconds(250) : .seconds(1)
        task = Task { [draw] in
            display?.start()
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { break }
                draw()
            }
        }
    }

    func finish() async {
        task.cancel()
        await task.value
        draw()
    }
}
