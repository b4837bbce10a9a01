import Foundation
import XCTest
import PoWCore
import TestSupport

final class CLITests: XCTestCase {
    let v = Vectors.shared

    func testSolveRangeGivesExactlyTheFirstSolution() throws {
        for f in v.legacy.first_solution_in_range {
            let r = try CLI.run(["solve", "--block-hash", f.block_hash, "--hotkey", f.hotkey_public_key,
                                 "--difficulty", "\(f.difficulty)", "--block-number", "\(f.block_number)",
                                 "--threads", "1", "--nonce-start", "\(f.nonce_start)", "--nonce-end", "\(f.nonce_end)",
                                 "--json", "--quiet"])
            XCTAssertEqual(r.code, 0, r.stderr)
            let json = try r.json()
            XCTAssertEqual((json["nonce"] as? NSNumber)?.uint64Value, f.first_nonce)
            XCTAssertEqual(json["seal"] as? String, f.seal)
            XCTAssertEqual((json["block_number"] as? NSNumber)?.uint64Value, f.block_number)
            XCTAssertEqual((json["difficulty"] as? NSNumber)?.uint64Value, f.difficulty)
            XCTAssertEqual(json["scheme"] as? String, "legacy")
            XCTAssertEqual(json["rule"] as? String, "seed")
        }
    }

    func testSolveEmptyRangeExitsOne() throws {
        let f = v.legacy.first_solution_in_range[2]
        let r = try CLI.run(["solve", "--block-hash", f.block_hash, "--hotkey", f.hotkey_public_key,
                             "--difficulty", "\(f.difficulty)", "--threads", "2", "--update-interval", "16",
                             "--nonce-start", "\(f.nonce_start)", "--nonce-end", "\(f.first_nonce)", "--json", "--quiet"])
        XCTAssertEqual(r.code, 1)
        XCTAssertEqual(try r.json()["found"] as? Bool, false)
    }

    func testSolveV1RandomAndVerifyIt() throws {
        let c = v.v1[0]
        let r = try CLI.run(["solve", "--scheme", "v1", "--block-hash", c.block_hash, "--hotkey", c.hotkey_ss58,
                             "--coldkey", c.coldkey_ss58, "--netuid", "\(c.netuid)", "--difficulty", "1000",
                             "--block-number", "77", "--json", "--no-output-in-place"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let json = try r.json()
        XCTAssertEqual(json["rule"] as? String, "chain")
        XCTAssertEqual((json["netuid"] as? NSNumber)?.intValue, Int(c.netuid))
        let nonce = (json["nonce"] as! NSNumber).uint64Value
        let check = try CLI.run(["verify", "--scheme", "v1", "--block-hash", c.block_hash, "--hotkey", c.hotkey_public_key,
                                 "--coldkey", c.coldkey_public_key, "--netuid", "\(c.netuid)", "--nonce", "\(nonce)",
                                 "--difficulty", "1000", "--json"])
        XCTAssertEqual(check.code, 0, check.stderr)
        let report = try check.json()
        XCTAssertEqual(report["seal"] as? String, json["seal"] as? String)
        XCTAssertEqual(report["meets_chain_rule"] as? Bool, true)
    }

    func testVerifyAgainstVectors() throws {
        for m in v.legacy.meets_difficulty.prefix(40) {
            let r = try CLI.run(["verify", "--seal", m.seal, "--difficulty", "\(m.difficulty)", "--json"])
            let json = try r.json()
            XCTAssertEqual(json["meets_seed_rule"] as? Bool, m.meets_seed_big_endian, m.seal)
            XCTAssertEqual(json["meets_chain_rule"] as? Bool, m.meets_chain_little_endian, m.seal)
            XCTAssertEqual(r.code, m.meets_seed_big_endian ? 0 : 1, "legacy default rule is seed")
            let chain = try CLI.run(["verify", "--seal", m.seal, "--difficulty", "\(m.difficulty)", "--rule", "chain"])
            XCTAssertEqual(chain.code, m.meets_chain_little_endian ? 0 : 1)
        }
        let s = v.legacy.seal[0]
        let r = try CLI.run(["verify", "--block-and-hotkey-hash", s.block_and_hotkey_hash, "--nonce", "\(s.nonce)",
                             "--difficulty", "1", "--json"])
        XCTAssertEqual(try r.json()["seal"] as? String, s.seal)
        let b = v.legacy.block_and_hotkey_hash[0]
        let viaKeys = try CLI.run(["verify", "--block-hash", b.block_hash, "--hotkey", b.hotkey_public_key, "--nonce", "5",
                                   "--difficulty", "1", "--json"])
        let expected = Challenge.legacy(LegacyChallenge(blockAndHotkeyHash: try Bytes32(hex: b.block_and_hotkey_hash))).referenceSeal(nonce: 5)
        XCTAssertEqual(try viaKeys.json()["seal"] as? String, expected.hex)
    }

    func testBenchJSON() throws {
        let r = try CLI.run(["bench", "--threads", "1", "--seconds", "0.3", "--scheme", "v1", "--update-interval", "500", "--json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let json = try r.json()
        XCTAssertGreaterThan((json["hashes_per_second"] as? NSNumber)?.doubleValue ?? 0, 0)
        XCTAssertEqual(json["threads"] as? Int, 1)
        XCTAssertEqual(json["scheme"] as? String, "v1")
        XCTAssertNotNil(json["kernel"] as? String)
        let list = try CLI.run(["bench", "--list-kernels", "--json"])
        let listed = try list.json()
        let kernels = listed["kernels"] as? [[String: Any]]
        XCTAssertTrue(kernels?.contains { $0["name"] as? String == "swift-scalar" } ?? false)
        // The run-time choice's timing: every timed kernel is available here with a rate, and the default is one of
        // them wherever any was timed.
        let timed = try XCTUnwrap(listed["choice_timing"] as? [[String: Any]])
        let available = Set(kernels?.filter { $0["available"] as? Bool == true }.compactMap { $0["name"] as? String } ?? [])
        for entry in timed {
            XCTAssertTrue(available.contains(entry["name"] as? String ?? ""), "\(entry)")
            XCTAssertGreaterThan((entry["legacy_seals_per_second"] as? NSNumber)?.doubleValue ?? 0, 0, "\(entry)")
        }
        if !timed.isEmpty { XCTAssertTrue(timed.contains { $0["name"] as? String == listed["best"] as? String }) }
        for entry in timed {
            let rounds = try XCTUnwrap(entry["rounds"] as? [Double], "\(entry)")
            XCTAssertEqual(rounds.max(), (entry["legacy_seals_per_second"] as? NSNumber)?.doubleValue, "\(entry)")
        }
        // The choice among two named kernels, as on a CPU that runs only those: both timed, in the order of
        // preference whatever the order given, and one of them taken.
        let pair = ["avx2", "avx2-shani"]
        if pair.allSatisfy(available.contains) {
            let among = try CLI.run(["bench", "--list-kernels", "--json", "--choose-among", "avx2-shani, avx2"])
            XCTAssertEqual(among.code, 0, among.stderr)
            let chosen = try among.json()
            let amongTimed = try XCTUnwrap(chosen["choice_timing"] as? [[String: Any]])
            XCTAssertEqual(amongTimed.compactMap { $0["name"] as? String }, pair)
            XCTAssertTrue(pair.contains(chosen["best"] as? String ?? ""), "\(chosen)")
            XCTAssertTrue(pair.contains(chosen["first_choice"] as? String ?? ""), "\(chosen)")
        }
    }

    /// Bad input: one line on stderr naming the problem, exit 2, no stack trace.
    func testBadInputGivesOneLineAndExitTwo() throws {
        let key = "0x" + String(repeating: "ab", count: 32)
        let cases: [([String], String)] = [
            (["solve", "--block-hash", "0x1234", "--hotkey", key, "--difficulty", "5"], "--block-hash"),
            (["solve", "--block-hash", key, "--hotkey", "0xzz" + String(repeating: "0", count: 62), "--difficulty", "5"], "--hotkey"),
            (["solve", "--block-hash", key, "--hotkey", key, "--difficulty", "0"], "difficulty"),
            (["solve", "--block-hash", key, "--hotkey", key, "--difficulty", "18446744073709551616"], "difficulty"),
            (["solve", "--block-hash", key, "--hotkey", key, "--difficulty", "5", "--nonce-start", "9", "--nonce-end", "3"], "nonce-start"),
            (["solve", "--block-hash", key, "--hotkey", key, "--difficulty", "5", "--scheme", "v7"], "scheme"),
            (["solve", "--block-hash", key, "--hotkey", key, "--difficulty", "5", "--kernel", "nope"], "kernel"),
            (["solve", "--scheme", "v1", "--block-hash", key, "--hotkey", key, "--difficulty", "5"], "v1"),
            (["verify", "--seal", "0x00", "--difficulty", "5"], "--seal"),
            // Alice's address with its last character changed: the checksum no longer matches.
            (["solve", "--block-hash", key, "--hotkey", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ", "--difficulty", "5"], "checksum"),
            (["verify", "--difficulty", "5"], "--nonce"),
            (["bench", "--threads", "0"], "threads"),
            (["bench", "--list-kernels", "--choose-among", "avx2,nope"], "'nope'"),
            (["bench", "--list-kernels", "--choose-among", "avx2"], "at least two"),
            (["bench", "--list-kernels", "--choose-among", "swift-scalar,avx2"], "swift-scalar"),
            (["bench", "--choose-among", "avx2,avx2-shani"], "--list-kernels"),
            (["frobnicate"], "frobnicate"),
        ]
        for (args, mention) in cases {
            let r = try CLI.run(args)
            XCTAssertEqual(r.code, 2, "\(args): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.lowercased().contains(mention.lowercased()), "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Backtrace"))
        }
    }

    func testHelpForEveryCommand() throws {
        for command in [[], ["solve"], ["verify"], ["bench"], ["demo"]] {
            let r = try CLI.run(command + ["--help"])
            XCTAssertEqual(r.code, 0)
            XCTAssertTrue(r.stdout.contains("USAGE"), r.stdout)
        }
    }
}

final class InterruptTests: XCTestCase {
    /// Ctrl-C stops every worker and exits 130 with one line, not a killed process.
    func testSigintStopsSolveCleanly() throws {
        let key = "0x" + String(repeating: "ab", count: 32)
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["solve", "--block-hash", key, "--hotkey", key, "--difficulty", "18446744073709551615",
                             "--threads", "2", "--update-interval", "1000", "--quiet"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertTrue(process.isRunning)
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        XCTAssertFalse(process.isRunning, "solve did not stop on SIGINT")
        if process.isRunning { process.terminate(); return }
        XCTAssertEqual(process.terminationStatus, 130)
        XCTAssertEqual(process.terminationReason, .exit)
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(text.contains("interrupted"), text)
        XCTAssertEqual(text.split(separator: "\n").count, 1, text)
    }
}
