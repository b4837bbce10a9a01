import Foundation
import PoWSolver

/// Number formats of bittensor's Python status display.
enum HumanReadable {
    /// "12.35 M" style, as bittensor's `millify`.
    static func millify(_ value: UInt64) -> String {
        let names = ["", " K", " M", " B", " T"]
        var v = Double(value), i = 0
        while v >= 1000 && i < names.count - 1 { v /= 1000; i += 1 }
        return String(format: "%.2f%@", v, names[i])
    }

    /// "1.2 MH/s" style, as bittensor's `get_human_readable(num, "H")`.
    static func rate(_ perSecond: Double) -> String {
        var v = perSecond
        for unit in ["", "K", "M", "G", "T", "P", "E", "Z"] {
            if abs(v) < 1000 { return String(format: "%.1f%@H/s", v, unit) }
            v /= 1000
        }
        return String(format: "%.1fYH/s", v)
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "∞" }
        if seconds < 60 { return String(format: "%.2f s", seconds) }
        if seconds < 3600 { return String(format: "%dm %02ds", Int(seconds) / 60, Int(seconds) % 60) }
        if seconds < 86400 * 2 { return String(format: "%dh %02dm", Int(seconds) / 3600, Int(seconds) / 60 % 60) }
        return String(format: "%.1f days", seconds / 86400)
    }
}

/// bittensor's Python `RegistrationStatisticsLogger`: a status block redrawn in place on a terminal, or
/// one line per update elsewhere. Writes through `write` (stderr).
// @unchecked: `linesDrawn` is only touched by `update`, which its one caller (StatisticsTicker) serializes.
final class StatusDisplay: @unchecked Sendable {
    let outputInPlace: Bool
    private let write: @Sendable (String) -> Void
    private var linesDrawn = 0

    init(outputInPlace: Bool, write: @escaping @Sendable (String) -> Void) {
        self.outputInPlace = outputInPlace
        self.write = write
    }

    func start() { linesDrawn = 0 }

    /// Leaves the last block on screen and moves below it.
    func stop() { linesDrawn = 0 }

    /// The status block's lines (bittensor's Python `get_status_message`).
    static func statusLines(_ s: RegistrationStatistics, verbose: Bool) -> [String] {
        var lines = ["Solving", "  Time spent (total): \(HumanReadable.duration(s.timeSpentTotal))"]
        if verbose {
            lines.append("  Time spent this round: \(HumanReadable.duration(s.timeSpent))")
            lines.append("  Time spent average: \(HumanReadable.duration(s.timeAverage))")
            lines.append("  Rounds: \(s.roundsTotal)   Nonces: \(s.noncesTotal)")
        }
        lines.append("  Registration difficulty: \(HumanReadable.millify(s.difficulty))")
        lines.append("  Iters (inst/perp): \(HumanReadable.rate(s.hashRate)) / \(HumanReadable.rate(s.hashRatePerpetual))")
        lines.append("  Block number: \(s.blockNumber)")
        lines.append("  Block hash: \(s.blockHash?.hex ?? "-")")
        let expected = s.expectedSecondsToSolution.map(HumanReadable.duration) ?? "-"
        lines.append("  Expected time to solution: \(expected)   Chance found by now: \(String(format: "%.1f", s.chanceFoundByNow * 100)) %")
        return lines
    }

    /// A single-line form for logs and pipes.
    static func statusLine(_ s: RegistrationStatistics, verbose: Bool) -> String {
        var parts = ["time \(HumanReadable.duration(s.timeSpentTotal))"]
        if verbose {
            parts.append("round \(HumanReadable.duration(s.timeSpent))")
            parts.append("avg \(HumanReadable.duration(s.timeAverage))")
            parts.append("rounds \(s.roundsTotal)")
        }
        parts.append("difficulty \(HumanReadable.millify(s.difficulty))")
        parts.append("rate \(HumanReadable.rate(s.hashRate)) / \(HumanReadable.rate(s.hashRatePerpetual))")
        parts.append("block \(s.blockNumber)")
        parts.append("expected \(s.expectedSecondsToSolution.map(HumanReadable.duration) ?? "-")")
        parts.append(String(format: "chance %.1f%%", s.chanceFoundByNow * 100))
        return parts.joined(separator: " | ")
    }

    func update(_ stats: RegistrationStatistics, verbose: Bool = false) {
        if outputInPlace {
            let lines = Self.statusLines(stats, verbose: verbose)
            var out = ""
            if linesDrawn > 0 { out += "\u{1B}[\(linesDrawn)A" }     // cursor up to the block's top
            for line in lines { out += "\u{1B}[2K\r" + line + "\n" }  // clear each line, redraw
            linesDrawn = lines.count
            write(out)
        } else {
            write(Self.statusLine(stats, verbose: verbose) + "\n")
        }
    }
}
