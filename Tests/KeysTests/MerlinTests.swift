import XCTest
import PoWCore
@testable import Keys

final class MerlinTests: XCTestCase {
    /// The published Merlin test transcript (merlin's `equivalence_simple`, with the expected challenge the
    /// Go and C ports of merlin check): "test protocol" / "some label" / "some data" → 32 challenge bytes.
    func testPublishedTranscript() {
        var t = MerlinTranscript(label: "test protocol")
        t.appendMessage(label: Array("some label".utf8), message: Array("some data".utf8))
        XCTAssertEqual(Hex.encode(t.challengeBytes(label: Array("challenge".utf8), count: 32)),
                       "0xd5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615")
    }

    /// Messages longer than the STROBE rate (166 bytes) cross permutation boundaries; a copy taken before an
    /// append continues independently.
    func testLongMessagesAndCopies() {
        var a = MerlinTranscript(label: "p")
        let copy = a
        a.appendMessage(label: Array("big".utf8), message: [UInt8](repeating: 0x63, count: 1024))
        var b = copy
        b.appendMessage(label: Array("big".utf8), message: [UInt8](repeating: 0x63, count: 1024))
        XCTAssertEqual(a.challengeBytes(label: Array("c".utf8), count: 200), b.challengeBytes(label: Array("c".utf8), count: 200))
        var c = copy
        c.appendMessage(label: Array("big".utf8), message: [UInt8](repeating: 0x64, count: 1024))
        XCTAssertNotEqual(a.challengeBytes(label: Array("c".utf8), count: 32), c.challengeBytes(label: Array("c".utf8), count: 32))
    }
}
