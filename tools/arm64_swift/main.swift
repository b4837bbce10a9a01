// PoWCore and the portable kernel (`ScalarSwiftKernel`, from Sources/PoWSolver/SealKernel.swift) on another
// architecture (tools/arm64_check.sh). Built with Embedded Swift for aarch64 and run under qemu, and built for
// this machine with the full toolchain: both must pass every vector and print the same lines.
import PoWCore

var failures = 0
func check(_ ok: Bool, _ what: @autoclosure () -> String) {
    if !ok { failures += 1; print("FAIL \(what())") }
}
func b32(_ hex: String) -> Bytes32 { try! Bytes32(hex: hex) }
func hex16(_ x: UInt64) -> String {
    let digits = String(x, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

for v in bahhVectors {
    check(LegacyChallenge(blockHash: b32(v.blockHash), hotkey: b32(v.hotkey)).blockAndHotkeyHash.hex == v.expected,
          "block_and_hotkey_hash \(v.expected)")
}
for v in legacySealVectors {
    let challenge = Challenge.legacy(LegacyChallenge(blockAndHotkeyHash: b32(v.bahh)))
    check(challenge.referenceSeal(nonce: v.nonce).hex == v.seal, "legacy reference seal nonce \(v.nonce)")
    check(challenge.seal(nonce: v.nonce).hex == v.seal, "legacy seal nonce \(v.nonce)")
}
for v in meetsVectors {
    let seal = b32(v.seal)
    check(SealTarget(rule: .seedBigEndian, difficulty: v.difficulty).accepts(seal) == v.seedBE, "seed rule \(v.seal) d=\(v.difficulty)")
    check(SealTarget(rule: .chainLittleEndian, difficulty: v.difficulty).accepts(seal) == v.chainLE, "chain rule \(v.seal) d=\(v.difficulty)")
    check(DifficultyRule.seedBigEndian.meets(seal: seal, difficulty: v.difficulty) == v.seedBE, "seed meets \(v.seal)")
    check(DifficultyRule.chainLittleEndian.meets(seal: seal, difficulty: v.difficulty) == v.chainLE, "chain meets \(v.seal)")
}
for v in packVectors {
    let packed = DifficultyPacking.pack(v.difficulty)
    check(packed.high == v.high && packed.low == v.low, "pack \(v.difficulty)")
    check(DifficultyPacking.unpack(high: v.high, low: v.low) == v.difficulty, "unpack \(v.difficulty)")
}
let kernel = ScalarSwiftKernel()
for v in firstSolutionVectors {
    let challenge = Challenge.legacy(LegacyChallenge(blockHash: b32(v.blockHash), hotkey: b32(v.hotkey)))
    let found = kernel.firstSolution(challenge.prepared, target: SealTarget(rule: .seedBigEndian, difficulty: v.difficulty),
                                     start: v.start, count: v.end - v.start)
    check(found == v.first, "first solution in [\(v.start), \(v.end))")
    check(challenge.referenceSeal(nonce: v.first).hex == v.seal, "first solution seal \(v.first)")
}
for v in v1Vectors {
    let challenge = V1Challenge(netuid: v.netuid, blockHash: b32(v.blockHash), hotkey: b32(v.hotkey), coldkey: b32(v.coldkey))
    check(Hex.encode(challenge.prefix) == v.prefix, "v1 prefix netuid \(v.netuid)")
    for s in v.seals {
        check(Challenge.v1(challenge).referenceSeal(nonce: s.nonce).hex == s.seal, "v1 reference seal nonce \(s.nonce)")
        check(Challenge.v1(challenge).seal(nonce: s.nonce).hex == s.seal, "v1 seal nonce \(s.nonce)")
    }
    if let a = v.solution {
        let solution = PoWSolution(nonce: a.nonce, blockNumber: 1, difficulty: v.difficulty, seal: b32(a.seal),
                                   challenge: .v1(challenge), rule: .chainLittleEndian)
        check(solution.verify(), "v1 solution d=\(v.difficulty)")
        let target = SealTarget(rule: .chainLittleEndian, difficulty: v.difficulty)
        check(kernel.firstSolution(Challenge.v1(challenge).prepared, target: target, start: a.nonce, count: 1) == a.nonce,
              "v1 kernel accepts solution d=\(v.difficulty)")
    }
}
let vectorCount = bahhVectors.count + legacySealVectors.count + meetsVectors.count + packVectors.count
    + firstSolutionVectors.count + v1Vectors.count
print("vectors \(vectorCount) cases, failures \(failures)")

// Lines that must be identical on both architectures: seals and rule decisions over many nonces.
let challenges: [Challenge] = [
    .legacy(LegacyChallenge(blockAndHotkeyHash: b32(legacySealVectors[0].bahh))),
    .v1(V1Challenge(netuid: v1Vectors[0].netuid, blockHash: b32(v1Vectors[0].blockHash),
                    hotkey: b32(v1Vectors[0].hotkey), coldkey: b32(v1Vectors[0].coldkey))),
]
for challenge in challenges {
    let prepared = challenge.prepared
    for rule in DifficultyRule.allCases {
        let target = SealTarget(rule: rule, difficulty: 300)
        var sum: UInt64 = 0
        var accepted = 0
        var k: UInt64 = 0
        while k < 16_384 {
            let nonce = k &* 0x9e37_79b9_7f4a_7c15
            let (l0, l1, l2, l3) = prepared.sealLanes(nonce: nonce)
            let ok = target.accepts(lane0: l0, lane1: l1, lane2: l2, lane3: l3)
            check(ok == rule.meets(seal: Bytes32(w0: l0, w1: l1, w2: l2, w3: l3), difficulty: 300), "rule \(rule.rawValue) nonce \(nonce)")
            sum = sum &* 31 &+ l0 &+ (l1 << 1) &+ (l2 << 2) &+ (l3 << 3) &+ (ok ? 1 : 0)
            if ok { accepted += 1 }
            k &+= 1
        }
        // Starts 3 nonces before 2^64, so the first solution is almost always found after the wrap.
        let first = kernel.firstSolution(prepared, target: target, start: .max - 2, count: 5000)
        print("\(challenge.scheme.rawValue) \(rule.rawValue) checksum \(hex16(sum)) accepted \(accepted) first \(first.map { hex16($0) } ?? "none")")
    }
}
print("failures \(failures)")
