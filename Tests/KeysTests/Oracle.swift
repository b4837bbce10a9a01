import Foundation
import TestSupport
import XCTest

/// TestSupport's `KeysOracle`, with "pip could not install it" turned into a skip that prints its reason.
enum Oracle {
    static func batch(_ ops: [[String: Any]]) throws -> [[String: Any]] {
        do { return try KeysOracle.batch(ops) } catch let unavailable as KeysOracle.Unavailable {
            print("KeysTests: skipping: \(unavailable.reason)")
            throw XCTSkip(unavailable.reason)
        }
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func unhex(_ text: String) -> [UInt8] {
    let t = text.hasPrefix("0x") ? Array(text.utf8.dropFirst(2)) : Array(text.utf8)
    return stride(from: 0, to: t.count, by: 2).map { UInt8(String(decoding: t[$0 ..< $0 + 2], as: UTF8.self), radix: 16)! }
}

func randomBytes(_ n: Int) -> [UInt8] {
    var g = SystemRandomNumberGenerator()
    return (0 ..< n).map { _ in UInt8.random(in: 0 ... 255, using: &g) }
}
