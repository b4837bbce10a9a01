import XCTest
import PoWCore
import TestSupport

final class VectorTests: XCTestCase {
    let v = Vectors.shared

    func testBlockAndHotkeyHash() throws {
        XCTAssertFalse(v.legacy.block_and_hotkey_hash.isEmpty)
        for c in v.legacy.block_and_hotkey_hash {
            let challenge = LegacyChallenge(blockHash: try Bytes32(hex: c.block_hash), hotkey: try Bytes32(hex: c.hotkey_public_key))
            XCTAssertEqual(challenge.blockAndHotkeyHash.hex, c.block_and_hotkey_hash)
        }
    }

    func testLegacySeals() throws {
        XCTAssertFalse(v.legacy.seal.isEmpty)
        for s in v.legacy.seal {
            let challenge = Challenge.legacy(LegacyChallenge(blockAndHotkeyHash: try Bytes32(hex: s.block_and_hotkey_hash)))
            XCTAssertEqual(challenge.referenceSeal(nonce: s.nonce).hex, s.seal, "reference path, nonce \(s.nonce)")
            XCTAssertEqual(challenge.seal(nonce: s.nonce).hex, s.seal, "fast path, nonce \(s.nonce)")
        }
    }

    func testMeetsDifficultyBothRules() throws {
        XCTAssertFalse(v.legacy.meets_difficulty.isEmpty)
        for m in v.legacy.meets_difficulty {
            let seal = try Bytes32(hex: m.seal)
            let seed = SealTarget(rule: .seedBigEndian, difficulty: m.difficulty)
            let chain = SealTarget(rule: .chainLittleEndian, difficulty: m.difficulty)
            XCTAssertEqual(seed.accepts(seal), m.meets_seed_big_endian, "seed rule \(m.seal) d=\(m.difficulty)")
            XCTAssertEqual(chain.accepts(seal), m.meets_chain_little_endian, "chain rule \(m.seal) d=\(m.difficulty)")
            XCTAssertEqual(DifficultyRule.seedBigEndian.meets(seal: seal, difficulty: m.difficulty), m.meets_seed_big_endian)
            XCTAssertEqual(DifficultyRule.chainLittleEndian.meets(seal: seal, difficulty: m.difficulty), m.meets_chain_little_endian)
        }
    }

    func testDifficultyPack() {
        XCTAssertFalse(v.legacy.difficulty_pack.isEmpty)
        for p in v.legacy.difficulty_pack {
            let packed = DifficultyPacking.pack(p.difficulty)
            XCTAssertEqual([packed.high, packed.low], p.packed)
            XCTAssertEqual(DifficultyPacking.unpack(high: p.packed[0], low: p.packed[1]), p.difficulty)
        }
    }

    /// Linear scan with the reference seal path; the solver's version is tested in PoWSolverTests.
    func testFirstSolutionInRangeByReferenceScan() throws {
        XCTAssertFalse(v.legacy.first_solution_in_range.isEmpty)
        for f in v.legacy.first_solution_in_range {
            let challenge = Challenge.legacy(LegacyChallenge(blockHash: try Bytes32(hex: f.block_hash), hotkey: try Bytes32(hex: f.hotkey_public_key)))
            let target = SealTarget(rule: .seedBigEndian, difficulty: f.difficulty)
            let prepared = challenge.prepared
            var found: UInt64?
            var n = f.nonce_start
            while n < f.nonce_end {
                if target.accepts(prepared.seal(nonce: n)) { found = n; break }
                n += 1
            }
            XCTAssertEqual(found, f.first_nonce)
            XCTAssertEqual(challenge.referenceSeal(nonce: f.first_nonce).hex, f.seal)
        }
    }

    func testV1PrefixAndSeals() throws {
        XCTAssertFalse(v.v1.isEmpty)
        for c in v.v1 {
            let challenge = c.challenge
            XCTAssertEqual(Hex.encode(challenge.prefix), c.prefix)
            XCTAssertEqual(challenge.prefix.count, 123)
            for s in c.seals {
                XCTAssertEqual(Challenge.v1(challenge).referenceSeal(nonce: s.nonce).hex, s.seal)
                XCTAssertEqual(Challenge.v1(challenge).seal(nonce: s.nonce).hex, s.seal, "fast path nonce \(s.nonce)")
            }
            guard let a = c.a_solution else { continue }   // the hardest vector carries no solution
            let sol = PoWSolution(nonce: a.nonce, blockNumber: 1, difficulty: c.difficulty,
                                  seal: try Bytes32(hex: a.seal), challenge: .v1(challenge), rule: .chainLittleEndian)
            XCTAssertTrue(sol.verify(), "v1 solution d=\(c.difficulty)")
            XCTAssertEqual(Challenge.v1(challenge).seal(nonce: a.nonce).hex, a.seal)
        }
    }
}
