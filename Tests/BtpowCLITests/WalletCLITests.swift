import Foundation
import TestSupport
import XCTest

/// `btpow wallet inspect` and `btpow wallet sign` on a wallet bittensor-wallet 4.1.1 created (encrypted
/// coldkey from a known seed, plain hotkey), checked with py-sr25519-bindings; both from the ignored venv
/// tools/setup_keys_python.sh makes (tools/keys_oracle.py).
final class WalletCLITests: XCTestCase {
    static let password = "cli-Test-password-9"
    static let root = KeysOracle.root

    struct Fixture {
        let path: String
        let created: [String: Any]
        let coldSeed: String
        var variable: String { created["env_var_name"] as! String }
        var envValue: String { created["env_value"] as! String }
        var goodEnvironment: [String: String] { [variable: envValue] }
        func flags(_ extra: [String] = []) -> [String] { ["--wallet.path", path, "--wallet.name", "cold", "--wallet.hotkey", "hot"] + extra }
    }

    nonisolated(unsafe) static var cached: Result<Fixture, Error>?
    /// Output of every failing run, checked for secrets at the end of each test.
    var failedOutputs: [String] = []

    static func shell(_ executable: String, _ arguments: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run(executable, arguments)
    }

    /// Runs operations through tools/keys_oracle.py; skips (saying why) when pip cannot install the venv.
    static func oracle(_ ops: [[String: Any]]) throws -> [[String: Any]] {
        do { return try KeysOracle.batch(ops) } catch let unavailable as KeysOracle.Unavailable {
            print("WalletCLITests: skipping: \(unavailable.reason)")
            throw XCTSkip(unavailable.reason)
        }
    }

    func fixture() throws -> Fixture {
        if let cached = Self.cached { return try cached.get() }
        let result = Result { () throws -> Fixture in
            // btpow opens libsodium at run time; without it these commands only say what to install.
            let names = ["libsodium.so.23", "libsodium.so", "libsodium.23.dylib", "libsodium.dylib"]
            guard names.contains(where: { (name: String) in dlopen(name, RTLD_NOW) != nil }) else {
                throw XCTSkip("libsodium is not installed here (apt-get install libsodium23)")
            }
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("btpow-wallet-cli-\(getpid())").path
            let seed = (0 ..< 32).map { _ in String(format: "%02x", UInt8.random(in: 0 ... 255)) }.joined()
            let created = try Self.oracle([["op": "create_wallet", "path": dir, "name": "cold", "hotkey": "hot",
                                            "password": Self.password, "cold_seed": seed]])[0]
            return Fixture(path: dir, created: created, coldSeed: seed)
        }
        Self.cached = result
        return try result.get()
    }

    /// Every secret of the fixture wallet, as hex (with and without 0x) and base64, and the password and its
    /// environment value.
    func secrets(_ f: Fixture) throws -> [String] {
        var raw: [[UInt8]] = [hexBytes(f.coldSeed)]
        if let s = f.created["coldkey_secret"] as? String { raw.append(hexBytes(s)); raw.append(Array(hexBytes(s).prefix(32))) }
        let hotFile = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: f.path + "/cold/hotkeys/hot"))) as! [String: Any]
        for field in ["privateKey", "secretSeed"] {
            if let v = hotFile[field] as? String { raw.append(hexBytes(v)); raw.append(Array(hexBytes(v).prefix(32))) }
        }
        var out = [Self.password, f.envValue]
        if let phrase = hotFile["secretPhrase"] as? String { out.append(phrase) }
        for r in raw {
            let h = r.map { String(format: "%02x", $0) }.joined()
            out += [h, "0x" + h, Data(r).base64EncodedString()]
        }
        return out
    }

    func hexBytes(_ text: String) -> [UInt8] {
        let t = Array((text.hasPrefix("0x") ? String(text.dropFirst(2)) : text).utf8)
        return stride(from: 0, to: t.count, by: 2).map { UInt8(String(decoding: t[$0 ..< $0 + 2], as: UTF8.self), radix: 16)! }
    }

    func failing(_ r: CLIResult) -> CLIResult {
        failedOutputs.append(r.stdout + r.stderr)
        return r
    }

    override class func tearDown() {
        if let f = try? cached?.get() { try? FileManager.default.removeItem(atPath: f.path) }
        super.tearDown()
    }

    override func tearDownWithError() throws {
        guard let f = try? Self.cached?.get(), !failedOutputs.isEmpty else { return }
        for output in failedOutputs {
            for secret in try secrets(f) {
                XCTAssertFalse(output.lowercased().contains(secret.lowercased()), "a failing run printed a secret: \(output)")
            }
        }
    }

    /// The obfuscated environment value bittensor-wallet stores for `password` under `variable` (its XOR rule).
    func envValue(_ password: String, _ variable: String) -> String {
        let key = Array(variable.utf8)
        return Data(Array(password.utf8).enumerated().map { $0.element ^ key[$0.offset % key.count] }).base64EncodedString()
    }

    func testWrongOrMissingPasswordIsOneLineExitTwo() throws {
        let f = try fixture()
        let wrong = failing(try CLI.run(["wallet", "sign", "--message", "hi"] + f.flags(),
                                        environment: [f.variable: envValue("not-" + Self.password, f.variable)]))
        XCTAssertEqual(wrong.code, 2)
        XCTAssertEqual(wrong.stdout, "")
        XCTAssertEqual(wrong.stderr.split(separator: "\n").count, 1, wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("wrong password"), wrong.stderr)

        let none = failing(try CLI.run(["wallet", "inspect", "--unlock", "--json"] + f.flags()))
        XCTAssertEqual(none.code, 2)
        XCTAssertEqual(none.stderr.split(separator: "\n").count, 1, none.stderr)
        XCTAssertTrue(none.stderr.contains(f.variable), "names the variable: \(none.stderr)")

        let garbled = failing(try CLI.run(["wallet", "sign", "--message", "hi"] + f.flags(), environment: [f.variable: "%%%"]))
        XCTAssertEqual(garbled.code, 2)
        XCTAssertEqual(garbled.stderr.split(separator: "\n").count, 1, garbled.stderr)
    }

    /// With no password variable and a terminal on stdin, btpow asks without echo (tools/pty_run.py types the
    /// line on a pseudo-terminal and returns everything the terminal showed).
    func testMaskedPromptOnATerminal() throws {
        let f = try fixture()
        let binary = CLI.binary.path
        let good = try Self.shell("/usr/bin/env", ["python3", Self.root.appendingPathComponent("tools/pty_run.py").path, Self.password,
                                                   binary, "wallet", "sign", "--message", "hi", "--json"] + f.flags())
        let shown = String(decoding: good.stdout, as: UTF8.self)
        XCTAssertEqual(good.status, 0, shown + good.stderr)
        XCTAssertTrue(shown.contains("Enter password to unlock the coldkey"), shown)
        XCTAssertFalse(shown.contains(Self.password), "the password was echoed: \(shown)")
        // A terminal ends lines with "\r\n" (one Character in Swift): split on any newline.
        let last = shown.components(separatedBy: .newlines).last(where: { !$0.isEmpty }) ?? ""
        let json = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        XCTAssertEqual(json?["signer_ss58"] as? String, f.created["coldkey_ss58"] as? String)

        let wrong = try Self.shell("/usr/bin/env", ["python3", Self.root.appendingPathComponent("tools/pty_run.py").path, "not-it-" + Self.password,
                                                    binary, "wallet", "sign", "--message", "hi"] + f.flags())
        let wrongShown = String(decoding: wrong.stdout, as: UTF8.self)
        XCTAssertEqual(wrong.status, 2, wrongShown)
        XCTAssertTrue(wrongShown.contains("wrong password"), wrongShown)
        failedOutputs.append(wrongShown)

        // Ctrl-C at the prompt: exit 130, and the terminal has its echo back.
        let interrupted = try Self.shell("/usr/bin/env", ["python3", Self.root.appendingPathComponent("tools/pty_run.py").path, "^C",
                                                          binary, "wallet", "sign", "--message", "hi"] + f.flags())
        let interruptedShown = String(decoding: interrupted.stdout, as: UTF8.self)
        XCTAssertEqual(interrupted.status, 130, interruptedShown)
        XCTAssertTrue(interruptedShown.contains("terminal echo: on"), interruptedShown)
    }

    func testSignaturesVerifyInPySr25519Bindings() throws {
        let f = try fixture()
        let cold = try CLI.run(["wallet", "sign", "--message", "transfer 1 TAO", "--json"] + f.flags(), environment: f.goodEnvironment)
        XCTAssertEqual(cold.code, 0, cold.stderr)
        let coldJSON = try cold.json()
        XCTAssertEqual(coldJSON["signer_ss58"] as? String, f.created["coldkey_ss58"] as? String)
        XCTAssertEqual(coldJSON["message_hex"] as? String, "0x" + Array("transfer 1 TAO".utf8).map { String(format: "%02x", $0) }.joined())

        let hot = try CLI.run(["wallet", "sign", "--message", "0x00ff10", "--hex", "--use-hotkey", "--json"] + f.flags())
        XCTAssertEqual(hot.code, 0, hot.stderr)
        let hotJSON = try hot.json()
        XCTAssertEqual(hotJSON["signer_ss58"] as? String, f.created["hotkey_ss58"] as? String)
        XCTAssertEqual(hotJSON["message_hex"] as? String, "0x00ff10")

        let plain = try CLI.run(["wallet", "sign", "--message", "0x00ff10", "--hex", "--use-hotkey"] + f.flags())
        XCTAssertEqual(plain.code, 0, plain.stderr)
        let plainSignature = plain.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        func strip(_ s: Any?) -> String { String((s as! String).dropFirst(2)) }
        let results = try Self.oracle([
            ["op": "verify", "public": f.created["coldkey_public"]!, "message": strip(coldJSON["message_hex"]), "signature": strip(coldJSON["signature"])],
            ["op": "verify", "public": f.created["hotkey_public"]!, "message": "00ff10", "signature": strip(hotJSON["signature"])],
            ["op": "verify", "public": f.created["hotkey_public"]!, "message": "00ff10", "signature": String(plainSignature.dropFirst(2))],
            ["op": "verify", "public": f.created["coldkey_public"]!, "message": "00ff10", "signature": strip(hotJSON["signature"])],
        ])
        XCTAssertEqual(results.map { $0["valid"] as? Bool }, [true, true, true, false])
        XCTAssertNotEqual(plainSignature, hotJSON["signature"] as? String, "signatures are randomized")
    }

    func testInspect() throws {
        let f = try fixture()
        let pub = try CLI.run(["wallet", "inspect", "--json"] + f.flags())
        XCTAssertEqual(pub.code, 0, pub.stderr)
        let p = try pub.json()
        XCTAssertEqual(p["coldkey_ss58"] as? String, f.created["coldkey_ss58"] as? String)
        XCTAssertEqual(p["hotkey_ss58"] as? String, f.created["hotkey_ss58"] as? String)
        XCTAssertEqual(p["coldkey_hex"] as? String, "0x" + (f.created["coldkey_public"] as! String))
        XCTAssertEqual(p["hotkey_hex"] as? String, "0x" + (f.created["hotkey_public"] as! String))
        XCTAssertEqual(p["coldkey_encrypted"] as? Bool, true)
        XCTAssertEqual(p["unlocked"] as? Bool, false)
        XCTAssertTrue(p["secret_matches_public_key"] is NSNull)

        let unlocked = try CLI.run(["wallet", "inspect", "--unlock", "--json"] + f.flags(), environment: f.goodEnvironment)
        XCTAssertEqual(unlocked.code, 0, unlocked.stderr)
        let u = try unlocked.json()
        XCTAssertEqual(u["unlocked"] as? Bool, true)
        XCTAssertEqual(u["secret_matches_public_key"] as? Bool, true)
        XCTAssertEqual(u["coldkey_hex"] as? String, p["coldkey_hex"] as? String)

        // A hotkey pub file naming another key: reported, exit 1, one line on stderr.
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("btpow-wallet-cli-mismatch-\(getpid())").path
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: f.path, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try Data("{\"publicKey\": \"0x\(f.created["coldkey_public"] as! String)\"}".utf8)
            .write(to: URL(fileURLWithPath: copy + "/cold/hotkeys/hotpub.txt"))
        let variable = f.variable.replacingOccurrences(of: f.path.uppercased().replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ".", with: "_"),
                                                       with: copy.uppercased().replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ".", with: "_"))
        let mismatch = failing(try CLI.run(["wallet", "inspect", "--unlock", "--json", "--wallet.path", copy, "--wallet.name", "cold", "--wallet.hotkey", "hot"],
                                           environment: [variable: envValue(Self.password, variable)]))
        XCTAssertEqual(mismatch.code, 1, mismatch.stderr)
        let m = try mismatch.json()
        XCTAssertEqual(m["secret_matches_public_key"] as? Bool, false)
        XCTAssertEqual(m["unlocked"] as? Bool, false)
        XCTAssertEqual(mismatch.stderr.split(separator: "\n").count, 1, mismatch.stderr)

        // A tampered coldkey: one line, exit 2.
        var data = try Data(contentsOf: URL(fileURLWithPath: copy + "/cold/coldkey"))
        data[data.count - 5] ^= 0x40
        try data.write(to: URL(fileURLWithPath: copy + "/cold/coldkey"))
        let tampered = failing(try CLI.run(["wallet", "sign", "--message", "x", "--wallet.path", copy, "--wallet.name", "cold"],
                                           environment: [variable: envValue(Self.password, variable)]))
        XCTAssertEqual(tampered.code, 2)
        XCTAssertEqual(tampered.stderr.split(separator: "\n").count, 1, tampered.stderr)
    }
}
