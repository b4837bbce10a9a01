import BigInt
import Foundation
import XCTest
import PoWCore

/// Both rules, by threshold and by multiplication, against arbitrary-precision arithmetic.
final class RulePropertyTests: XCTestCase {
    static let limit = BigUInt(1) << 256 - 1   // 2^256 - 1

    func reference(_ rule: DifficultyRule, seal: Bytes32, difficulty: UInt64) -> Bool {
        let bytes = seal.bytes
        let value = BigUInt(Data(rule.readsBigEndian ? bytes : bytes.reversed()))
        let product = value * BigUInt(difficulty)
        switch rule {
        case .seedBigEndian: return product < Self.limit
        case .chainLittleEndian, .chainBigEndian: return product <= Self.limit
        }
    }

    func randomSeal(_ rng: inout some RandomNumberGenerator) -> Bytes32 {
        Bytes32(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next())
    }

    func testRulesAgreeWithBigIntOnRandomSeals() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0 ..< 3000 {
            // Small difficulties make passing common; large ones probe the high words.
            let difficulty: UInt64 = [UInt64.random(in: 1 ... 16, using: &rng), .random(in: 1 ... .max, using: &rng),
                                      1 << UInt64.random(in: 0 ... 63, using: &rng)][Int.random(in: 0 ... 2, using: &rng)]
            let seal = randomSeal(&rng)
            for rule in DifficultyRule.allCases {
                let expected = reference(rule, seal: seal, difficulty: difficulty)
                XCTAssertEqual(SealTarget(rule: rule, difficulty: difficulty).accepts(seal), expected, "\(rule) \(seal.hex) d=\(difficulty)")
                XCTAssertEqual(rule.meets(seal: seal, difficulty: difficulty), expected)
            }
        }
    }

    /// Seals exactly at, just above and just below each threshold: the boundary cases.
    func testThresholdBoundaries() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0 ..< 500 {
            let difficulty = UInt64.random(in: 1 ... .max, using: &rng)
            for rule in DifficultyRule.allCases {
                let t = BigUInt(rule == .seedBigEndian ? Self.limit - 1 : Self.limit) / BigUInt(difficulty)
                for candidate in [t, t + 1, t == 0 ? 0 : t - 1] where candidate <= Self.limit {
                    var bytes = [UInt8](candidate.serialize())
                    bytes = [UInt8](repeating: 0, count: 32 - bytes.count) + bytes   // big-endian, 32 bytes
                    let seal = Bytes32(rule.readsBigEndian ? bytes : bytes.reversed())!
                    XCTAssertEqual(SealTarget(rule: rule, difficulty: difficulty).accepts(seal),
                                   reference(rule, seal: seal, difficulty: difficulty), "\(rule) d=\(difficulty)")
                    XCTAssertEqual(SealTarget(rule: rule, difficulty: difficulty).accepts(seal), candidate <= t)
                }
            }
        }
    }

    func testSolutionJSONRoundTripAndStaleness() throws {
        let legacy = Challenge.legacy(LegacyChallenge(blockHash: Bytes32(w0: 9, w1: 8, w2: 7, w3: 6), hotkey: .zero))
        let v1 = Challenge.v1(V1Challenge(netuid: 12, blockHash: .zero, hotkey: Bytes32(w0: 1, w1: 1, w2: 1, w3: 1), coldkey: .zero))
        for challenge in [legacy, v1] {
            let s = PoWSolution(nonce: .max, blockNumber: 100, difficulty: 1, seal: challenge.referenceSeal(nonce: .max),
                                challenge: challenge, rule: challenge.scheme.defaultRule)
            XCTAssertTrue(s.verify())
            let data = try JSONEncoder().encode(s)
            XCTAssertEqual(try JSONDecoder().decode(PoWSolution.self, from: data), s)
            let stale = challenge.scheme == .legacy ? UInt64(3) : 5
            XCTAssertFalse(s.isStale(currentBlock: 100 + stale - 1))
            XCTAssertTrue(s.isStale(currentBlock: 100 + stale))
            XCTAssertFalse(s.isStale(currentBlock: 99))
            // A tampered seal or nonce no longer verifies.
            let wrong = PoWSolution(nonce: 1, blockNumber: 100, difficulty: 1, seal: s.seal, challenge: challenge, rule: s.rule)
            XCTAssertFalse(wrong.verify())
        }
        // Legacy from block_and_hotkey_hash only.
        let json = #"{"nonce":0,"block_number":1,"difficulty":1,"scheme":"legacy","seal":"0x0222794330b884697d95d41f9d2f918002143a073b9d1c772322b6e571d3d8b8","block_and_hotkey_hash":"0x85ad9ff2932868099d7f09bd9574d7917142b4b219ab3c7c26cde1eab880b0ef"}"#
        let decoded = try JSONDecoder().decode(PoWSolution.self, from: Data(json.utf8))
        XCTAssertEqual(decoded.rule, .seedBigEndian)
        XCTAssertTrue(decoded.verify())
        XCTAssertThrowsError(try JSONDecoder().decode(PoWSolution.self, from: Data(#"{"nonce":0,"block_number":1,"difficulty":1,"scheme":"v9","seal":"0x00"}"#.utf8)))
    }

    func testHexErrors() {
        XCTAssertThrowsError(try Bytes32(hex: "0x12")) { XCTAssertEqual($0 as? HexError, .wrongLength(expected: 32, got: 1)) }
        XCTAssertThrowsError(try Bytes32(hex: "0x123")) { XCTAssertEqual($0 as? HexError, .oddLength(3)) }
        XCTAssertThrowsError(try Hex.decode("zz")) { XCTAssertEqual($0 as? HexError, .invalidCharacter("z")) }
        XCTAssertEqual(try Hex.decode("0XaBcD"), [0xab, 0xcd])
    }
}
