import XCTest
import PoWCore
import PoWSolver
@testable import btpow
import TestSupport

/// The terminal display (in the CLI; the library reports statistics only).
final class StatusDisplayTests: XCTestCase {
    func testHumanReadable() {
        XCTAssertEqual(HumanReadable.millify(10_000_000), "10.00 M")
        XCTAssertEqual(HumanReadable.millify(999), "999.00")
        XCTAssertEqual(HumanReadable.rate(1_234_567), "1.2MH/s")
        XCTAssertEqual(HumanReadable.rate(12), "12.0H/s")
        XCTAssertEqual(HumanReadable.duration(5.5), "5.50 s")
        XCTAssertEqual(HumanReadable.duration(125), "2m 05s")
    }

    func testLoggerModes() {
        var stats = RegistrationStatistics(difficulty: 10_000_000, blockNumber: 42, blockHash: .zero)
        stats.hashRate = 2_000_000
        let sink = Box("")
        let inPlace = StatusDisplay(outputInPlace: true) { sink.value += $0 }
        inPlace.update(stats)
        XCTAssertFalse(sink.value.contains("\u{1B}[7A"), "first draw does not move up")
        let lines = StatusDisplay.statusLines(stats, verbose: false)
        inPlace.update(stats)
        XCTAssertTrue(sink.value.contains("\u{1B}[\(lines.count)A"), "redraw moves up over the block")
        XCTAssertTrue(sink.value.contains("Block number: 42"))
        XCTAssertTrue(sink.value.contains("Expected time to solution: 5.00 s"))
        let verboseLines = StatusDisplay.statusLines(stats, verbose: true)
        XCTAssertTrue(verboseLines.contains { $0.contains("Time spent this round") })
        XCTAssertFalse(lines.contains { $0.contains("Time spent this round") })

        let plain = Box("")
        let perLine = StatusDisplay(outputInPlace: false) { plain.value += $0 }
        perLine.update(stats)
        perLine.update(stats, verbose: true)
        let out = plain.value.split(separator: "\n")
        XCTAssertEqual(out.count, 2)
        XCTAssertFalse(plain.value.contains("\u{1B}"))
        XCTAssertTrue(out[1].contains("rounds"))
        XCTAssertFalse(out[0].contains("rounds"))
    }
}
