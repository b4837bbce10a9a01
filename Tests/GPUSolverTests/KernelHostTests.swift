import XCTest
import PoWCore
import PoWSolver
import GPUSolver
import SealKernelHost
import TestSupport

/// The GPU kernel source (Sources/GPUKernels/seal_kernel.h) compiled for the host: its own SHA-256,
/// Keccak, difficulty test and search loop, against the test vectors and the Swift implementation.
final class KernelHostTests: XCTestCase {
    let v = Vectors.shared

    static func lanes(_ params: SealKernelParams, nonce: UInt64) -> Bytes32 {
        var out = [UInt64](repeating: 0, count: 4)
        params.bytes.withUnsafeBytes { skh_seal($0.baseAddress, params.scheme == .legacy ? 0 : 1, nonce, &out) }
        return Bytes32(w0: out[0], w1: out[1], w2: out[2], w3: out[3])
    }

    /// Simulated launch; returns the lowest solving offset (nil: none) and the seals computed.
    static func search(_ params: SealKernelParams, start: UInt64, count: UInt32, gsize: UInt32,
                       descending: Bool = false) -> (offset: UInt32?, seals: UInt64) {
        var seals: UInt64 = 0
        let best = params.bytes.withUnsafeBytes {
            skh_search($0.baseAddress, params.scheme == .legacy ? 0 : 1, start, count, gsize, descending ? 1 : 0, .max, &seals)
        }
        return (best == .max ? nil : best, seals)
    }

    func testParamsLayoutMatchesTheCStruct() {
        XCTAssertEqual(skh_params_size(), SealKernelParams.size)
        XCTAssertEqual(skh_params_offset(0), SealKernelParams.Offset.threshold)
        XCTAssertEqual(skh_params_offset(1), SealKernelParams.Offset.midstate)
        XCTAssertEqual(skh_params_offset(2), SealKernelParams.Offset.words)
        XCTAssertEqual(skh_params_offset(3), SealKernelParams.Offset.v1State)
        XCTAssertEqual(skh_params_offset(4), SealKernelParams.Offset.littleEndian)
        XCTAssertEqual(skh_params_offset(5), SealKernelParams.Offset.scheme)
    }

    func testLegacySealVectors() throws {
        XCTAssertFalse(v.legacy.seal.isEmpty)
        for s in v.legacy.seal {
            let c = Challenge.legacy(LegacyChallenge(blockAndHotkeyHash: try Bytes32(hex: s.block_and_hotkey_hash)))
            let params = SealKernelParams(c.prepared, target: SealTarget(rule: .seedBigEndian, difficulty: 1))
            XCTAssertEqual(Self.lanes(params, nonce: s.nonce).hex, s.seal, "nonce \(s.nonce)")
        }
    }

    func testV1SealVectors() throws {
        XCTAssertFalse(v.v1.isEmpty)
        for c in v.v1 {
            let challenge = Challenge.v1(c.challenge)
            let params = SealKernelParams(challenge.prepared, target: SealTarget(rule: .chainLittleEndian, difficulty: c.difficulty))
            for s in c.seals { XCTAssertEqual(Self.lanes(params, nonce: s.nonce).hex, s.seal, "netuid \(c.netuid) nonce \(s.nonce)") }
            if let a = c.a_solution {
                XCTAssertEqual(Self.lanes(params, nonce: a.nonce).hex, a.seal)
                let lanes = try Bytes32(hex: a.seal)
                XCTAssertEqual(params.bytes.withUnsafeBytes { b in [lanes.w0, lanes.w1, lanes.w2, lanes.w3].withUnsafeBufferPointer { skh_accepts(b.baseAddress, $0.baseAddress) } }, 1)
            }
        }
    }

    /// The kernel's compare equals `SealTarget.accepts` and the reference's verdicts, at the boundaries too.
    func testDifficultyTestMatchesEveryRule() throws {
        XCTAssertFalse(v.legacy.meets_difficulty.isEmpty)
        let prepared = Challenge.legacy(LegacyChallenge(blockAndHotkeyHash: Bytes32(w0: 1, w1: 2, w2: 3, w3: 4))).prepared
        func kernelAccepts(_ seal: Bytes32, _ target: SealTarget) -> Bool {
            let params = SealKernelParams(prepared, target: target)
            return params.bytes.withUnsafeBytes { b in
                [seal.w0, seal.w1, seal.w2, seal.w3].withUnsafeBufferPointer { skh_accepts(b.baseAddress, $0.baseAddress) }
            } == 1
        }
        for m in v.legacy.meets_difficulty {
            let seal = try Bytes32(hex: m.seal)
            XCTAssertEqual(kernelAccepts(seal, SealTarget(rule: .seedBigEndian, difficulty: m.difficulty)), m.meets_seed_big_endian, m.seal)
            XCTAssertEqual(kernelAccepts(seal, SealTarget(rule: .chainLittleEndian, difficulty: m.difficulty)), m.meets_chain_little_endian, m.seal)
            for rule in DifficultyRule.allCases {
                let t = SealTarget(rule: rule, difficulty: m.difficulty)
                XCTAssertEqual(kernelAccepts(seal, t), t.accepts(seal), "\(rule) \(m.seal) d=\(m.difficulty)")
            }
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0 ..< 2000 {
            let seal = Bytes32(w0: rng.next(), w1: rng.next(), w2: rng.next() >> UInt64.random(in: 0 ... 63), w3: rng.next() >> UInt64.random(in: 0 ... 63))
            for rule in DifficultyRule.allCases {
                let t = SealTarget(rule: rule, difficulty: UInt64.random(in: 1 ... .max) >> UInt64.random(in: 0 ... 63))
                XCTAssertEqual(kernelAccepts(seal, t), t.accepts(seal))
            }
        }
    }

    /// The search rejects most nonces on the seal's most significant 32 bits alone and compares the rest only
    /// when those do not exceed the threshold's. Seals at the threshold, one above and one below it, and
    /// thresholds that differ from the seal only in the top word or only below it: every rule, both schemes,
    /// the kernel's verdict equals `SealTarget.accepts`.
    func testEarlyRejectIsExactAtTheThreshold() {
        func offset(_ v: UInt256, by delta: Int) -> UInt256 {   // v + delta (delta in -1...1), wrapping
            var w = v.words
            var i = 3
            if delta > 0 {
                while i >= 0 { w[i] &+= 1; if w[i] != 0 { break }; i -= 1 }
            } else if delta < 0 {
                while i >= 0 { w[i] &-= 1; if w[i] != .max { break }; i -= 1 }
            }
            return UInt256(w[0], w[1], w[2], w[3])
        }
        var rng = SystemRandomNumberGenerator()
        let key = { Bytes32(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next()) }
        var checked = 0
        for scheme in ChallengeScheme.allCases {
            for rule in DifficultyRule.allCases {
                for _ in 0 ..< 4 {
                    let challenge: Challenge = scheme == .legacy
                        ? .legacy(LegacyChallenge(blockHash: key(), hotkey: key()))
                        : .v1(V1Challenge(netuid: UInt16.random(in: 1 ... .max), blockHash: key(), hotkey: key(), coldkey: key()))
                    let nonce = UInt64.random(in: 0 ... .max)
                    let seal = challenge.referenceSeal(nonce: nonce)
                    let value = rule.readsBigEndian ? seal.bigEndianValue : seal.littleEndianValue
                    let top = value.hi >> 32
                    let thresholds = [
                        value, offset(value, by: -1), offset(value, by: 1),
                        UInt256(value.hi, 0, 0, 0), UInt256(value.hi, .max, .max, .max),
                        UInt256(value.hi | 0xffff_ffff, .max, .max, .max), UInt256(top << 32, 0, 0, 0),
                        UInt256((top &- 1) << 32 | 0xffff_ffff, .max, .max, .max), UInt256((top &+ 1) << 32, 0, 0, 0),
                    ]
                    for threshold in thresholds {
                        let target = SealTarget(rule: rule, threshold: threshold)
                        let params = SealKernelParams(challenge.prepared, target: target)
                        let kernelTop = params.bytes.withUnsafeBytes { skh_seal_top($0.baseAddress, scheme == .legacy ? 0 : 1, nonce) }
                        XCTAssertEqual(UInt64(kernelTop), top, "\(scheme) \(rule): the seal's top word")
                        let expected = target.accepts(seal)
                        XCTAssertEqual(expected, !(threshold < value), "the reference's own verdict")
                        let one = Self.search(params, start: nonce, count: 1, gsize: 1)
                        XCTAssertEqual(one.offset, expected ? 0 : nil, "\(scheme) \(rule) seal \(seal.hex) threshold \(threshold.words)")
                        // The same nonce among others: the first solution of a short range, as the Swift kernel finds it.
                        let start = nonce &- 3
                        let reference = ScalarSwiftKernel().firstSolution(challenge.prepared, target: target, start: start, count: 8)
                        let got = Self.search(params, start: start, count: 8, gsize: 3, descending: true).offset.map { start &+ UInt64($0) }
                        XCTAssertEqual(got, reference, "\(scheme) \(rule) range")
                        checked += 1
                    }
                }
            }
        }
        XCTAssertEqual(checked, 2 * DifficultyRule.allCases.count * 4 * 9)
    }

    /// The first solution in each reference range, for any grid size and thread order.
    func testSearchFindsTheFirstSolutionInRange() throws {
        XCTAssertFalse(v.legacy.first_solution_in_range.isEmpty)
        for f in v.legacy.first_solution_in_range {
            let c = Challenge.legacy(LegacyChallenge(blockHash: try Bytes32(hex: f.block_hash), hotkey: try Bytes32(hex: f.hotkey_public_key)))
            let params = SealKernelParams(c.prepared, target: SealTarget(rule: .seedBigEndian, difficulty: f.difficulty))
            let expected = UInt32(f.first_nonce - f.nonce_start)
            let count = UInt32(min(f.nonce_end - f.nonce_start, UInt64(expected) + 5000))
            for gsize: UInt32 in [1, 7, 64, 1000] {
                for descending in [false, true] {
                    let r = Self.search(params, start: f.nonce_start, count: count, gsize: gsize, descending: descending)
                    XCTAssertEqual(r.offset, expected, "d=\(f.difficulty) gsize \(gsize) descending \(descending)")
                    XCTAssertLessThanOrEqual(r.seals, UInt64(count))
                }
            }
            // One thread stops right at the solution: the early exit.
            XCTAssertEqual(Self.search(params, start: f.nonce_start, count: count, gsize: 1).seals, UInt64(expected) + 1)
            // Without a solution every nonce is hashed exactly once, whatever the grid.
            if expected > 0 {
                let none = Self.search(params, start: f.nonce_start, count: expected, gsize: 16)
                XCTAssertNil(none.offset, "range ending before the first solution")
                XCTAssertEqual(none.seals, UInt64(expected), "a launch without a solution hashes every nonce once")
            }
        }
    }

    /// Both schemes, every rule, random challenges, nonces wrapping past 2^64: the kernel's search
    /// equals the Swift scalar kernel's first solution.
    func testSearchEqualsTheSwiftKernelOnRandomChallenges() {
        var rng = SystemRandomNumberGenerator()
        let key = { Bytes32(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next()) }
        for scheme in ChallengeScheme.allCases {
            for rule in DifficultyRule.allCases {
                for startKind in 0 ..< 3 {
                    let challenge: Challenge = scheme == .legacy
                        ? .legacy(LegacyChallenge(blockHash: key(), hotkey: key()))
                        : .v1(V1Challenge(netuid: UInt16.random(in: 1 ... .max), blockHash: key(), hotkey: key(), coldkey: key()))
                    let target = SealTarget(rule: rule, difficulty: 300)
                    // random; wrapping past 2^64; crossing a multiple of 2^40 (v1: the nonce's top 24 bits change)
                    let start = [UInt64.random(in: 0 ... .max), UInt64.max - 100,
                                 UInt64.random(in: 1 ... 0xff_fffe) << 40 &- 1500][startKind]
                    let count: UInt32 = 3000
                    let params = SealKernelParams(challenge.prepared, target: target)
                    let expected = ScalarSwiftKernel().firstSolution(challenge.prepared, target: target, start: start, count: UInt64(count))
                    let got = Self.search(params, start: start, count: count, gsize: 97, descending: true).offset.map { start &+ UInt64($0) }
                    XCTAssertEqual(got, expected, "\(scheme) \(rule) start \(start)")
                    for i in stride(from: UInt64(0), to: 200, by: 13) {
                        XCTAssertEqual(Self.lanes(params, nonce: start &+ i), challenge.referenceSeal(nonce: start &+ i), "\(scheme) nonce \(start &+ i)")
                    }
                }
            }
        }
    }
}

final class KernelSourceTests: XCTestCase {
    /// The binary carries the kernel file verbatim; rerun tools/regenerate.sh after editing it.
    func testEmbeddedSourceIsTheKernelFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("Sources/GPUKernels/seal_kernel.h"), encoding: .utf8)
        XCTAssertEqual(SealKernelSource.text, file, "Sources/GPUSolver/Generated/SealKernelSource.swift is stale: run tools/regenerate.sh")
    }
}
