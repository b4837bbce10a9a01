import Foundation
import TestSupport
import XCTest

/// `btpow register` and `btpow faucet` as a user runs them: the "main" fixture wallet (encrypted coldkey, made by
/// bittensor-wallet 4.1.1, password through its BT_PW_ variable) against a `btpow devnet` process.
final class RegisterCLITests: XCTestCase {
    static let password = "test-only-password"
    static let wallets = CreatePoWCLITests.wallets
    static let mainHotkey = CreatePoWCLITests.mainHotkey
    static let mainColdkeySS58 = CreatePoWCLITests.mainColdkeySS58

    var devnet: DevnetProcess?
    var network: String { devnet?.network ?? "" }

    /// Starts `btpow devnet` on a free port.
    func startDevnet(_ extra: [String] = [], difficulty: String = "2000") throws {
        devnet = try DevnetProcess(difficulty: difficulty, extra)
    }

    override func tearDown() { devnet?.stop() }

    /// The variable bittensor-wallet keeps the coldkey's password in, and the obfuscated value it stores.
    static func passwordEnvironment(_ password: String = password) -> [String: String] {
        let path = wallets + "/main/coldkey"
        let variable = "BT_PW_" + String(path.map { $0 == "/" || $0 == "." ? "_" : $0 }).uppercased()
        let key = Array(variable.utf8)
        let value = Data(Array(password.utf8).enumerated().map { $0.element ^ key[$0.offset % key.count] }).base64EncodedString()
        return [variable: value]
    }

    func walletFlags() -> [String] {
        ["--wallet.path", Self.wallets, "--wallet.name", "main", "--wallet.hotkey", "default"]
    }

    func register(_ extra: [String] = [], environment: [String: String] = passwordEnvironment()) throws -> CLIResult {
        try Self.register(network: network, extra, environment: environment)
    }

    static func register(network: String, _ extra: [String] = [], environment: [String: String] = passwordEnvironment()) throws -> CLIResult {
        try CLI.run(["register", "--netuid", "1", "--network", network, "--threads", "2", "--no-output-in-place",
                     "--wallet.path", wallets, "--wallet.name", "main", "--wallet.hotkey", "default"] + extra,
                    timeout: 180, environment: environment)
    }

    func requireSodium() throws {
        let names = ["libsodium.so.23", "libsodium.so", "libsodium.23.dylib", "libsodium.dylib"]
        guard names.contains(where: { dlopen($0, RTLD_NOW) != nil }) else { throw XCTSkip("libsodium is not installed here") }
    }

    func testRegisterPrintsTheUIDThenAgainExitsThree() throws {
        try requireSodium()
        try startDevnet()
        // A wrong password: one line, exit 2, nothing mined.
        let wrong = try register(environment: Self.passwordEnvironment("not-the-password"))
        XCTAssertEqual(wrong.code, 2, wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("wrong password"), wrong.stderr)
        XCTAssertEqual(wrong.stderr.split(separator: "\n").count, 1, wrong.stderr)
        XCTAssertFalse(wrong.stderr.contains(Self.password))

        let r = try register(["--json", "--wait-for", "finalized"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let json = try r.json()
        XCTAssertEqual(json["uid"] as? Int, 0, r.stdout)
        XCTAssertEqual(json["hotkey"] as? String, Self.mainHotkey)
        XCTAssertEqual(json["coldkey_ss58"] as? String, Self.mainColdkeySS58)
        let block = try XCTUnwrap(json["block_hash"] as? String)
        XCTAssertNotNil(json["extrinsic_hash"] as? String)
        XCTAssertNotNil(json["nonce"])
        XCTAssertNotEqual(json["work_block_hash"] as? String, block, "the work block precedes the including block")
        XCTAssertFalse((r.stdout + r.stderr).contains(Self.password))

        let again = try register()
        XCTAssertEqual(again.code, 3, again.stderr)
        XCTAssertTrue(again.stderr.contains("registered on subnet 1 with UID 0"), again.stderr)
    }

    /// Each run's exit code and standard error, or the error that kept it from running.
    static func describe(_ outcomes: [Result<CLIResult, any Error>?]) -> String {
        outcomes.map { outcome in
            switch outcome {
            case .success(let r)?: return "\(r.code): \(r.stderr)"
            case .failure(let error)?: return "did not run: \(error)"
            case nil: return "no outcome"
            }
        }.joined(separator: "\n---\n")
    }

    /// Two machines (here processes) for one hotkey: one registers, the other exits 3 saying the hotkey got registered.
    func testTwoProcessesForOneHotkeyOneWins() throws {
        try requireSodium()
        try startDevnet()
        // Each thread stores its outcome behind a lock (two threads writing one array unguarded lost a result once).
        let outcomes = Box<[Result<CLIResult, any Error>?]>([nil, nil])
        let group = DispatchGroup()
        for i in 0 ..< 2 {
            group.enter()
            let network = self.network
            DispatchQueue.global().async {
                let outcome = Result { try RegisterCLITests.register(network: network) }
                outcomes.update { $0[i] = outcome }
                group.leave()
            }
        }
        group.wait()
        let results = outcomes.value.map { try? $0?.get() }
        let codes = results.map { $0?.code ?? -1 }.sorted()
        XCTAssertEqual(codes, [0, 3], Self.describe(outcomes.value))
        let loser = results.first { $0?.code == 3 }??.stderr ?? ""
        XCTAssertTrue(loser.contains("registered on subnet 1"), loser)
    }

    /// Two hotkeys of two wallets registering at once on a subnet that takes one registration per block: both get a
    /// UID (the one refused with TooManyRegistrationsThisBlock mines again for a later block).
    func testTwoHotkeysAtOnceBothRegister() throws {
        try requireSodium()
        try startDevnet()
        let second = Self.wallets + "/nopub/coldkey"
        let variable = "BT_PW_" + String(second.map { $0 == "/" || $0 == "." ? "_" : $0 }).uppercased()
        let key = Array(variable.utf8)
        let value = Data(Array(Self.password.utf8).enumerated().map { $0.element ^ key[$0.offset % key.count] }).base64EncodedString()
        let runs: [(wallet: String, hotkey: String, environment: [String: String])] = [
            ("main", "default", Self.passwordEnvironment()), ("nopub", "miner1", [variable: value]),
        ]
        let outcomes = Box<[Result<CLIResult, any Error>?]>([nil, nil])
        let group = DispatchGroup()
        for (i, run) in runs.enumerated() {
            group.enter()
            let network = self.network
            DispatchQueue.global().async {
                let outcome = Result {
                    try CLI.run(["register", "--netuid", "1", "--network", network, "--threads", "1", "--no-output-in-place",
                                 "--wallet.path", Self.wallets, "--wallet.name", run.wallet, "--wallet.hotkey", run.hotkey,
                                 "--json"], timeout: 180, environment: run.environment)
                }
                outcomes.update { $0[i] = outcome }
                group.leave()
            }
        }
        group.wait()
        let results = outcomes.value.map { try? $0?.get() }
        let failures = Self.describe(outcomes.value)
        XCTAssertEqual(results.map { $0?.code ?? -1 }, [0, 0], failures)
        let uids = try results.map { try XCTUnwrap($0).json()["uid"] as? Int }
        XCTAssertEqual(Set(uids.compactMap { $0 }), [0, 1], failures)
    }

    /// Registering with an OpenCL worker (PoCL on a CPU in CI): the same result as with CPU threads.
    func testRegisterWithOpenCL() throws {
        try requireSodium()
        let devices = try CLI.run(["devices", "--json"])
        let opencl = (try? devices.json())?["opencl"] as? [String: Any]
        if opencl?["available"] as? Bool != true { throw XCTSkip("no OpenCL device: \(opencl?["reason"] as? String ?? "?")") }
        try startDevnet()
        let r = try CLI.run(["register", "--netuid", "1", "--network", network, "--opencl", "--threads", "0", "--no-output-in-place",
                             "--wallet.path", Self.wallets, "--wallet.name", "main", "--wallet.hotkey", "default", "--json"],
                            timeout: 180, environment: Self.passwordEnvironment())
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try r.json()["uid"] as? Int, 0, r.stdout)
        XCTAssertTrue(r.stderr.contains("opencl:0"), r.stderr)
    }

    func testPoWDisabledIsNamedBeforeMining() throws {
        try requireSodium()
        try startDevnet(["--pow-disabled"])
        let r = try register()
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("SubNetRegistrationDisabled"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
    }

    func testFaucetTwice() throws {
        try requireSodium()
        try startDevnet()
        let r = try CLI.run(["faucet", "--max-successes", "2", "--network", network, "--threads", "2", "--json", "--no-output-in-place",
                             "--wait-for", "included"] + walletFlags(), timeout: 300, environment: Self.passwordEnvironment())
        XCTAssertEqual(r.code, 0, r.stderr)
        let json = try r.json()
        XCTAssertEqual((json["drips"] as? [Any])?.count, 2, r.stdout)
        let before = try XCTUnwrap(UInt64(json["balance_before"] as? String ?? ""))
        let after = try XCTUnwrap(UInt64(json["balance_after"] as? String ?? ""))
        XCTAssertEqual(after - before, 2_000_000_000_000)
    }

    /// The README's first command registers for real: a fresh wallet (encrypted coldkey, password through its variable),
    /// unlocked, then solve, sign, submit, watch to finality, UID; the temporary wallet is removed afterwards.
    func testDemoRegistersWithASignedExtrinsic() throws {
        try requireSodium()
        let r = try CLI.run(["demo", "--difficulty", "20000", "--block-time", "1", "--threads", "2", "--no-output-in-place"], timeout: 120)
        XCTAssertEqual(r.code, 0, r.stderr)
        for text in ["Unlocked coldkey", "extrinsic ready", "extrinsic finalized in block", "Solved on block", "with UID 0"] {
            XCTAssertTrue(r.stdout.contains(text), "\(text): \(r.stdout)")
        }
        let folder = try XCTUnwrap(r.stdout.range(of: #"/[^ ]*btpow-demo-[0-9]+-[0-9]+"#, options: .regularExpression).map { String(r.stdout[$0]) })
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder), "the throwaway wallet is removed")
    }

    /// Ctrl-C after the extrinsic went out: exit 130 and one line saying it may still be included (and it is: the
    /// next block registers the hotkey, so the same command then exits 3).
    func testCtrlCWhileWatchingSaysTheExtrinsicMayStillLand() throws {
        try requireSodium()
        devnet = try DevnetProcess(difficulty: "2000", blockTime: "0")   // blocks only when asked: the extrinsic waits
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["register", "--netuid", "1", "--network", network, "--threads", "1", "--no-output-in-place",
                             "--wait-for", "included"] + walletFlags()
        process.environment = ProcessInfo.processInfo.environment.merging(Self.passwordEnvironment()) { _, new in new }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let text = Box("")
        err.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            text.update { $0 += String(decoding: chunk, as: UTF8.self) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while !text.value.contains("extrinsic: ready"), process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        XCTAssertTrue(text.value.contains("extrinsic: ready"), text.value)
        kill(process.processIdentifier, SIGINT)
        let stopBy = Date().addingTimeInterval(10)
        while process.isRunning, Date() < stopBy { Thread.sleep(forTimeInterval: 0.02) }
        XCTAssertFalse(process.isRunning, "register did not stop on SIGINT")
        if process.isRunning { process.terminate(); return }
        process.waitUntilExit()
        err.fileHandleForReading.readabilityHandler = nil
        text.update { $0 += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 130, text.value)
        let lines = text.value.split(separator: "\n")
        let last = String(lines.last ?? "")
        XCTAssertTrue(last.contains("interrupted while waiting for extrinsic 0x") && last.contains("may still be included"), text.value)

        _ = try devnet!.rpc("devnet_produceBlock", params: "[]")
        let again = try register()
        XCTAssertEqual(again.code, 3, again.stderr)
        XCTAssertTrue(again.stderr.contains("registered on subnet 1 with UID 0"), again.stderr)
    }

    func testPoWTimeoutEndsWithExitOne() throws {
        try requireSodium()
        try startDevnet(difficulty: "18446744073709551615")   // unsolvable
        let r = try register(["--pow-timeout", "1"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("--pow-timeout"), r.stderr)
    }

    func testBadInputIsOneLine() throws {
        for args in [["register", "--netuid", "0"], ["register", "--netuid", "1", "--max-attempts", "0"],
                     ["register", "--netuid", "1", "--pow-timeout", "0"], ["faucet", "--max-successes", "0"],
                     ["register", "--netuid", "1", "--pow-backend", "cpu", "--cuda"]] {
            let r = try CLI.run(args)
            XCTAssertEqual(r.code, 2, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): \(r.stderr)")
        }
    }
}
