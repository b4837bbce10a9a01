import Foundation
import XCTest
import PoWCore
import PoWSolver
import TestSupport

/// Every kernel this CPU runs against the reference vectors, the Swift scalar kernel and each other.
private func b(_ byte: UInt8) -> Bytes32 { Bytes32([UInt8](repeating: byte, count: 32))! }

final class KernelConsistencyTests: XCTestCase {
    let v = Vectors.shared
    let kernels = KernelCatalog.available

    #if DEBUG
    static let consistencyNonces: UInt64 = 60_000   // the Swift reference and -O0 C are slow in debug
    #else
    static let consistencyNonces: UInt64 = 2_000_000
    #endif

    static let legacyChallenge = Challenge.legacy(LegacyChallenge(blockHash: b(0x42), hotkey: b(0x17)))
    static let v1Challenge = Challenge.v1(V1Challenge(netuid: 7, blockHash: b(0x42),
                                                      hotkey: b(0x17), coldkey: b(0x99)))

    func testCatalog() throws {
        XCTAssertEqual(KernelCatalog.all.first?.name, "swift-scalar")
        XCTAssertEqual(Set(KernelCatalog.names).count, KernelCatalog.names.count)
        XCTAssertTrue(KernelCatalog.available.contains { $0.name == KernelCatalog.best.name })
        if KernelCatalog.available.count > 1 { XCTAssertNotEqual(KernelCatalog.best.name, "swift-scalar") }
        for k in KernelCatalog.available { XCTAssertEqual(try KernelCatalog.named(k.name).name, k.name) }
        XCTAssertThrowsError(try KernelCatalog.named("nope")) { error in
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"))
            XCTAssertTrue(text.contains("nope") && text.contains("swift-scalar"), text)
        }
        for k in KernelCatalog.all where !KernelCatalog.available.contains(where: { $0.name == k.name }) {
            XCTAssertThrowsError(try KernelCatalog.named(k.name)) { XCTAssertTrue("\($0)".contains("cannot run"), "\($0)") }
        }
        #if arch(x86_64)
        XCTAssertEqual(KernelCatalog.all.count, 6)
        // Every C kernel has its place in the order of preference, once (a kernel left out could never be chosen).
        XCTAssertEqual(KernelCatalog.preference.sorted(), KernelCatalog.names.filter { $0 != "swift-scalar" }.sorted())
        XCTAssertEqual(Set(KernelCatalog.preference).count, KernelCatalog.preference.count)
        #endif
        for name in KernelCatalog.notChosenAutomatically {
            XCTAssertTrue(KernelCatalog.all.contains { $0.name == name }, name)
            XCTAssertNotEqual(KernelCatalog.best.name, name)
        }
        // What the choice timed: kernels it may take, in the order of preference, each with a rate, and the kernel
        // `choice(rates:)` picks from those rates; nothing timed where at most one kernel could be chosen.
        let timed = KernelCatalog.timedChoice.rates
        let choosable = KernelCatalog.preference.filter { name in
            KernelCatalog.available.contains { $0.name == name } && !KernelCatalog.notChosenAutomatically.contains(name)
        }
        XCTAssertEqual(timed.map(\.name), choosable.count > 1 ? choosable : [])
        XCTAssertTrue(timed.allSatisfy { $0.sealsPerSecond > 0 }, "\(timed)")
        if !timed.isEmpty {
            XCTAssertEqual(KernelCatalog.best.name, timed[KernelCatalog.choice(rates: timed.map(\.sealsPerSecond))].name)
        }
        assertRounds(KernelCatalog.timedChoice)
        print("CPU features: \(CPUFeatures.current); kernels here: \(KernelCatalog.available.map(\.name)); best: \(KernelCatalog.best.name); timed: \(timed)")
    }

    /// Two rounds each where they took the preferred (last) kernel; four each where they took another, and then
    /// the kernel taken is what all four decided.
    func assertRounds(_ timing: KernelChoiceTiming, file: StaticString = #filePath, line: UInt = #line) {
        guard let last = timing.timed.last else { return }
        let retimed = timing.firstChoice.name != last.name
        XCTAssertEqual(timing.timed.map(\.rounds.count), Array(repeating: retimed ? 4 : 2, count: timing.timed.count),
                       "\(timing.timed)", file: file, line: line)
        XCTAssertTrue(timing.timed.allSatisfy { $0.rounds.allSatisfy { $0 > 0 } }, "\(timing.timed)", file: file, line: line)
        let rates = timing.rates
        XCTAssertEqual(timing.kernel.name, rates[KernelCatalog.choice(rates: rates.map(\.sealsPerSecond))].name,
                       file: file, line: line)
    }

    /// The timed choice among given candidates: the preferred (last) one kept after two rounds when nothing beats it
    /// by 10 %; when the first two rounds take a lower one, two more rounds of every candidate run and decide. The
    /// portable Swift kernel, several times slower than any vector kernel, stands in for a clearly slower preferred one.
    func testTimedChoiceRetimesBeforeTakingALowerKernel() {
        let scalar = ScalarSwiftKernel()
        let fastest = KernelCatalog.best
        guard fastest.name != scalar.name else { return }   // no vector kernel on this CPU: nothing to compare
        let kept = KernelCatalog.timeChoice(among: [scalar, fastest])
        XCTAssertEqual(kept.timed.map(\.name), [scalar.name, fastest.name])
        XCTAssertEqual(kept.kernel.name, fastest.name)
        XCTAssertEqual(kept.firstChoice.name, fastest.name)
        assertRounds(kept)
        let steppedDown = KernelCatalog.timeChoice(among: [fastest, scalar])
        XCTAssertEqual(steppedDown.kernel.name, fastest.name)
        XCTAssertEqual(steppedDown.firstChoice.name, fastest.name)
        XCTAssertEqual(steppedDown.timed.map(\.rounds.count), [4, 4], "\(steppedDown.timed)")
        assertRounds(steppedDown)
        let alone = KernelCatalog.timeChoice(among: [fastest])
        XCTAssertEqual(alone.kernel.name, fastest.name)
        XCTAssertTrue(alone.timed.isEmpty)
    }

    /// The run-time choice among timed kernels (lowest level first): the highest unless a lower one is at least
    /// 10 % faster than the one chosen so far.
    func testChoiceKeepsTheHighestLevelUnlessALowerOneIsClearlyFaster() {
        XCTAssertEqual(KernelCatalog.choice(rates: [5.0]), 0)
        XCTAssertEqual(KernelCatalog.choice(rates: [7.9, 9.3, 14.6, 15.1]), 3)
        XCTAssertEqual(KernelCatalog.choice(rates: [7.9, 9.3, 15.1, 14.6]), 3, "3 % apart: the higher level stays")
        XCTAssertEqual(KernelCatalog.choice(rates: [7.9, 9.3, 16.2, 14.6]), 2, "11 % faster: the lower level wins")
        XCTAssertEqual(KernelCatalog.choice(rates: [4.47, 1.05]), 0, "Zen 3's pipelined avx2-shani against avx2")
        XCTAssertEqual(KernelCatalog.choice(rates: [10.0, 12.0, 10.5]), 1)
        XCTAssertEqual(KernelCatalog.choice(rates: [13.0, 12.0, 10.5]), 0, "the fastest clear winner, not the first")
    }

    func testLegacyFirstSolutionVectors() throws {
        for f in v.legacy.first_solution_in_range {
            let c = Challenge.legacy(LegacyChallenge(blockHash: try Bytes32(hex: f.block_hash), hotkey: try Bytes32(hex: f.hotkey_public_key)))
            let t = SealTarget(rule: .seedBigEndian, difficulty: f.difficulty)
            for k in kernels {
                let n = k.firstSolution(c.prepared, target: t, start: f.nonce_start, count: f.nonce_end - f.nonce_start)
                XCTAssertEqual(n, f.first_nonce, "\(k.name) d=\(f.difficulty)")
            }
        }
    }

    /// A seal is what the vectors say iff the kernel accepts its nonce at threshold = its value, and not one below.
    func testVectorSealsThroughExactThreshold() throws {
        var cases: [(Challenge, UInt64, Bytes32)] = []
        for s in v.legacy.seal {
            cases.append((.legacy(LegacyChallenge(blockAndHotkeyHash: try Bytes32(hex: s.block_and_hotkey_hash))), s.nonce, try Bytes32(hex: s.seal)))
        }
        for c in v.v1 {
            for s in c.seals { cases.append((.v1(c.challenge), s.nonce, try Bytes32(hex: s.seal))) }
        }
        XCTAssertGreaterThan(cases.count, 10)
        for (challenge, nonce, seal) in cases {
            for rule in DifficultyRule.allCases {
                let value = rule.value(of: seal)
                for k in kernels {
                    let at = SealTarget(rule: rule, threshold: value)
                    XCTAssertEqual(k.firstSolution(challenge.prepared, target: at, start: nonce, count: 1), nonce, "\(k.name) \(rule)")
                    if value != .zero {
                        let below = SealTarget(rule: rule, threshold: value.subtracting(1))
                        XCTAssertNil(k.firstSolution(challenge.prepared, target: below, start: nonce, count: 1), "\(k.name) \(rule)")
                    }
                    // The same nonce in every slot of a batch (up to 32 lanes, avx512's batch; the hybrid's
                    // scalar lanes are slots 4 and 9), against the scalar kernel over the same range.
                    // Once as the range's last nonce (lanes after it masked), once with live lanes after it.
                    for slot: UInt64 in 1 ..< 32 {
                        for count in [slot + 1, 32] {
                            let expected = ScalarSwiftKernel().firstSolution(challenge.prepared, target: at, start: nonce &- slot, count: count)
                            XCTAssertEqual(k.firstSolution(challenge.prepared, target: at, start: nonce &- slot, count: count), expected,
                                           "\(k.name) \(rule) slot \(slot) count \(count)")
                        }
                    }
                }
            }
        }
    }

    func testV1SolutionVectors() throws {
        var checked = 0
        for c in v.v1 {
            guard let a = c.a_solution else { continue }
            let p = Challenge.v1(c.challenge).prepared
            let t = SealTarget(rule: .chainLittleEndian, difficulty: c.difficulty)
            let start = a.nonce &- 99
            let expected = ScalarSwiftKernel().firstSolution(p, target: t, start: start, count: 100)
            XCTAssertNotNil(expected)
            XCTAssertLessThanOrEqual(expected!, a.nonce)
            for k in kernels {
                XCTAssertEqual(k.firstSolution(p, target: t, start: start, count: 100), expected, k.name)
                XCTAssertEqual(k.firstSolution(p, target: t, start: a.nonce, count: 1), a.nonce, k.name)
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 0)
    }

    /// Every nonce a kernel accepts over a range at a loose difficulty, found by restarting after each hit.
    private func acceptedList(_ k: any SealKernel, _ p: PreparedChallenge, _ t: SealTarget, start: UInt64, count: UInt64) -> [UInt64] {
        var out: [UInt64] = []
        var next = start, left = count
        while left > 0, let n = k.firstSolution(p, target: t, start: next, count: left) {
            out.append(n)
            let used = n &- next &+ 1
            left -= used
            next = n &+ 1
        }
        return out
    }

    private func checksum(_ list: [UInt64]) -> UInt64 {
        list.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ $1) &* 0x100_0000_01b3 }
    }

    func testKernelsAgreeOverManyNonces() throws {
        // Starts that cross a 2^32 boundary (a new chunk: high nonce word) and the 2^64 wrap.
        let n = Self.consistencyNonces
        let starts: [UInt64] = [0x1234_5678_0000_0000 &- n / 2, UInt64.max &- n / 3]
        for (challenge, rule) in [(Self.legacyChallenge, DifficultyRule.seedBigEndian), (Self.v1Challenge, .chainLittleEndian),
                                  (Self.legacyChallenge, .chainLittleEndian), (Self.v1Challenge, .chainBigEndian)] {
            let p = challenge.prepared
            let t = SealTarget(rule: rule, difficulty: 64)
            for start in starts {
                let count = start == starts[0] ? n : n / 2
                let reference = acceptedList(ScalarSwiftKernel(), p, t, start: start, count: count)
                XCTAssertGreaterThan(reference.count, Int(count / 128))
                for k in kernels where k.name != "swift-scalar" {
                    let list = acceptedList(k, p, t, start: start, count: count)
                    XCTAssertEqual(list.count, reference.count, "\(k.name) \(challenge.scheme) \(rule)")
                    XCTAssertEqual(checksum(list), checksum(reference), "\(k.name) \(challenge.scheme) \(rule)")
                }
            }
        }
    }

    /// The vector filter passes exactly the nonces whose top word is <= the threshold's top word, and
    /// the exact compare decides among them: a threshold equal to the smallest value in a range finds
    /// that nonce, one less finds nothing (the top word is equal to the threshold's there).
    func testExactRuleOnEveryCandidate() throws {
        let count: UInt64 = 3000
        for challenge in [Self.legacyChallenge, Self.v1Challenge] {
            let p = challenge.prepared
            for rule in DifficultyRule.allCases {
                for start: UInt64 in [77, 0xffff_ffff - 1000, UInt64.max - 1500] {
                    var best: (UInt64, UInt256)? = nil
                    var values: [UInt256] = []
                    for i in 0 ..< count {
                        let nonce = start &+ i
                        let value = rule.value(of: p.seal(nonce: nonce))
                        values.append(value)
                        if best == nil || value < best!.1 { best = (nonce, value) }
                    }
                    let (minNonce, minValue) = best!
                    // A loose threshold whose top word is shared by many seals decides on the lower words.
                    let loose = UInt256(values[Int(count / 2)].hi, 0x8000_0000_0000_0000, 0, 0)
                    for k in kernels {
                        let at = SealTarget(rule: rule, threshold: minValue)
                        XCTAssertEqual(k.firstSolution(p, target: at, start: start, count: count), minNonce, "\(k.name) \(rule)")
                        let below = SealTarget(rule: rule, threshold: minValue.subtracting(1))
                        XCTAssertNil(k.firstSolution(p, target: below, start: start, count: count), "\(k.name) \(rule)")
                        let looseTarget = SealTarget(rule: rule, threshold: loose)
                        let expected = ScalarSwiftKernel().firstSolution(p, target: looseTarget, start: start, count: count)
                        XCTAssertEqual(k.firstSolution(p, target: looseTarget, start: start, count: count), expected, k.name)
                        if let ck = k as? CSealKernel {
                            // With nothing accepted, every candidate is checked: their number is exact.
                            var checked: UInt64 = 0
                            XCTAssertNil(ck.firstSolution(p, target: below, start: start, count: count, candidatesChecked: &checked))
                            let passing = values.filter { $0.hi <= below.threshold.hi }.count
                            XCTAssertEqual(Int(checked), passing, "\(k.name) \(rule) filter")
                        }
                    }
                }
            }
        }
    }

    func testExplicitThresholdKeepsDifficultyMeaningful() {
        for rule in DifficultyRule.allCases {
            for d: UInt64 in [1, 2, 64, 1_000_000, 10_000_000, .max / 4] {
                XCTAssertEqual(SealTarget(rule: rule, threshold: rule.threshold(difficulty: d)).difficulty, d, "\(rule) \(d)")
            }
        }
    }

    /// CPU time of this thread: other load on the machine does not count against the kernel.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Speed per kernel and scheme, one thread (thread CPU time): `BTPOW_KERNEL_SPEED=1 swift test -c release --filter kernelSpeed`.
    func testKernelSpeed() throws {
        guard ProcessInfo.processInfo.environment["BTPOW_KERNEL_SPEED"] == "1" else { throw XCTSkip("set BTPOW_KERNEL_SPEED=1") }
        let seconds = Double(ProcessInfo.processInfo.environment["BTPOW_KERNEL_SPEED_SECONDS"] ?? "") ?? 1.0
        for k in kernels {
            for challenge in [Self.legacyChallenge, Self.v1Challenge] {
                let p = challenge.prepared
                let t = SealTarget(rule: challenge.scheme.defaultRule, threshold: .zero)   // nothing passes
                var batch: UInt64 = 1 << 16
                var done: UInt64 = 0
                var start: UInt64 = 0x0123_4567_89ab_cdef
                if k.name == "swift-scalar" { batch = 1 << 14 }
                let t0 = Self.threadCPUSeconds()
                var elapsed = 0.0
                while elapsed < seconds {
                    _ = k.firstSolution(p, target: t, start: start, count: batch)
                    start &+= batch; done += batch
                    elapsed = Self.threadCPUSeconds() - t0
                }
                print(String(format: "kernel-speed %-13@ %-6@ %7.2f M seals/s", k.name, challenge.scheme.rawValue, Double(done) / elapsed / 1e6))
            }
        }
    }
}
