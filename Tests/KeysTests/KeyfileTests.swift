import Foundation
import XCTest
import LibraryLoading
import PoWCore
@testable import Keys

final class KeyfileTests: XCTestCase {
    static let password = "correct horse ✓ battery"

    /// Secrets seen in this class's tests; no error description may contain any of them.
    nonisolated(unsafe) static var secrets: Set<String> = [password]
    nonisolated(unsafe) static var descriptions: [String] = []

    /// Checks an error's description (one line, no secret known so far) and passes the error on.
    func record(_ error: Error, file: StaticString = #filePath, line: UInt = #line) -> Error {
        let text = String(describing: error)
        Self.descriptions.append(text)
        XCTAssertFalse(text.contains("\n"), text, file: file, line: line)
        for secret in Self.secrets where secret.count >= 8 {
            XCTAssertFalse(text.lowercased().contains(secret.lowercased()), "error description contains a secret: \(text)",
                           file: file, line: line)
        }
        return error
    }

    static func sodium() throws -> Sodium { try SR25519Tests.sodium() }

    /// A plain keyfile JSON like bittensor-wallet writes, for a random mini secret.
    static func plainKeyfile(sodium: Sodium, publicKeyOverride: String? = nil) throws -> (json: [UInt8], pair: SR25519.Keypair, seed: [UInt8]) {
        let seed = randomBytes(32)
        let pair = try SR25519.Keypair(miniSecret: SecretBytes(copying: seed), sodium: sodium)
        let pub = publicKeyOverride ?? hex(pair.publicKey.bytes)
        let json = "{\"secretSeed\":\"0x\(hex(seed))\",\"publicKey\":\"0x\(pub)\",\"secretPhrase\":null,\"cryptoType\":1,"
            + "\"accountId\":\"0x\(pub)\",\"ss58Address\":\"5Dummy\"}"
        secrets.insert(hex(seed))
        secrets.insert(Data(seed).base64EncodedString())
        return (Array(json.utf8), pair, seed)
    }

    func testPlainKeyfileFromSecretSeed() throws {
        let sodium = try Self.sodium()
        let file = try Self.plainKeyfile(sodium: sodium)
        let unlocked = try Keyfile.unlock(file.json, sodium: sodium) { XCTFail("asked for a password"); return nil }
        XCTAssertEqual(unlocked.keypair.publicKey, file.pair.publicKey)
        XCTAssertEqual(unlocked.format, .json)
        XCTAssertEqual(unlocked.ss58Address, "5Dummy")
    }

    func testFormatsAreNamed() throws {
        let sodium = try Self.sodium()
        let cases: [(String, KeysError)] = [
            ("$ANSIBLE_VAULT;1.1;AES256\n6162636465", .unsupportedEncryption(format: "Ansible Vault")),
            ("gAAAAABkZXRhaWxz", .unsupportedEncryption(format: "legacy Fernet")),
            ("not a keyfile", .unknownKeyfileFormat),
            ("$NACL" + String(repeating: "x", count: 20), .truncatedKeyfile(length: 25, minimum: 45)),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try Keyfile.unlock(Array(text.utf8), sodium: sodium) { SecretBytes(copying: Array("pw".utf8)) }) {
                XCTAssertEqual(self.record($0) as? KeysError, expected)
            }
        }
        XCTAssertEqual(Keyfile.format(of: Array("$NACL".utf8)), .nacl)
        XCTAssertTrue(Keyfile.format(of: Array("gAAAAA".utf8)).isEncrypted)
        XCTAssertEqual(Keyfile.format(of: Array(" {}".utf8)), .json)
    }

    /// Non-JSON plaintext, a public key mismatch, a tampered and a cut ciphertext, each with a key that was
    /// not derived from a password (Argon2i at SENSITIVE costs runs only where a password is the point).
    func testEncryptedKeyfileErrors() throws {
        let sodium = try Self.sodium()
        let key = SecretBytes(copying: randomBytes(32))
        let good = try Self.plainKeyfile(sodium: sodium)
        let sealed = Keyfile.encrypt(SecretBytes(copying: good.json), key: key, sodium: sodium)
        XCTAssertEqual(Array(sealed.prefix(5)), Array("$NACL".utf8))
        XCTAssertEqual(try Keyfile.unlock(SecretBytes(copying: sealed), key: key, sodium: sodium).keypair.publicKey, good.pair.publicKey)

        func expect(_ data: [UInt8], _ expected: KeysError, _ what: String) {
            XCTAssertThrowsError(try Keyfile.unlock(SecretBytes(copying: data), key: key, sodium: sodium), what) {
                XCTAssertEqual(self.record($0) as? KeysError, expected, what)
            }
        }
        expect(Keyfile.encrypt(SecretBytes(copying: Array("hello, not json".utf8)), key: key, sodium: sodium),
               .malformedKeyfile(reason: "the decrypted data is not a JSON keyfile"), "non-JSON plaintext")
        let other = try SR25519.Keypair(miniSecret: SecretBytes(copying: randomBytes(32)), sodium: sodium)
        let mismatched = try Self.plainKeyfile(sodium: sodium, publicKeyOverride: hex(other.publicKey.bytes))
        expect(Keyfile.encrypt(SecretBytes(copying: mismatched.json), key: key, sodium: sodium),
               .publicKeyMismatch(derived: mismatched.pair.publicKey.hex, stated: other.publicKey.hex), "mismatch")
        var tampered = sealed
        tampered[tampered.count / 2] ^= 0x01
        expect(tampered, .decryptionFailed, "tampered ciphertext")
        expect(Array(sealed.dropLast(7)), .decryptionFailed, "cut ciphertext")
        expect(Array(sealed.prefix(40)), .truncatedKeyfile(length: 40, minimum: 45), "truncated")

        // The same checks on a plain file: mismatch, secrets of the wrong shape.
        XCTAssertThrowsError(try Keyfile.unlock(mismatched.json, sodium: sodium) { nil }) {
            XCTAssertEqual(self.record($0) as? KeysError, .publicKeyMismatch(derived: mismatched.pair.publicKey.hex, stated: other.publicKey.hex))
        }
        let shortSeed = "{\"secretSeed\":\"0x\(hex(good.seed).prefix(60))\"}"
        XCTAssertThrowsError(try Keyfile.unlock(Array(shortSeed.utf8), sodium: sodium) { nil }) {
            XCTAssertEqual(self.record($0) as? KeysError, .invalidSecret(field: "secretSeed", reason: "30 bytes, 32 expected"))
        }
        let notHex = "{\"privateKey\":\"0x\(String(repeating: "zz", count: 64))\"}"
        XCTAssertThrowsError(try Keyfile.unlock(Array(notHex.utf8), sodium: sodium) { nil }) {
            XCTAssertEqual(self.record($0) as? KeysError, .invalidSecret(field: "privateKey", reason: "not hex"))
        }
        XCTAssertThrowsError(try Keyfile.unlock(Array("{\"publicKey\":\"0x00\"".utf8), sodium: sodium) { nil }) { _ = self.record($0) }
        XCTAssertThrowsError(try Keyfile.unlock(Array("{\"ss58Address\":\"5Dummy\"}".utf8), sodium: sodium) { nil }) {
            XCTAssertEqual(self.record($0) as? KeysError, .noSecretInKeyfile)
        }
        // Encrypted, and no password given.
        XCTAssertThrowsError(try Keyfile.unlock(sealed, sodium: sodium) { nil }) {
            XCTAssertEqual(self.record($0) as? KeysError, .passwordRequired)
        }
    }

    func testMissingLibsodiumIsAClearError() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("btpow-no-sodium-\(getpid())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        XCTAssertThrowsError(try Sodium.load(searchDirectories: [empty.path])) { error in
            guard case .libsodiumNotFound(let tried, _)? = self.record(error) as? KeysError else { return XCTFail("\(error)") }
            XCTAssertTrue(tried.allSatisfy { $0.hasPrefix(empty.path) }, "\(tried)")
            let text = String(describing: error)
            XCTAssertTrue(text.contains("libsodium23") && text.contains("brew install libsodium"), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }

    /// A libsodium without one of the functions btpow binds (as 1.0.17 lacks ristretto255) is named as too old.
    func testLibsodiumMissingAFunctionIsNamed() throws {
        guard let real = try? DynamicLibrary(candidates: Sodium.libraryNames) else { throw XCTSkip("libsodium is not installed here") }
        let hiding = SymbolTable(path: "old-libsodium") { $0 == "crypto_core_ristretto255_sub" ? nil : real.symbol($0) }
        XCTAssertThrowsError(try Sodium(symbols: hiding)) {
            XCTAssertEqual(self.record($0) as? KeysError, .libsodiumTooOld(library: "old-libsodium", missing: "crypto_core_ristretto255_sub"))
        }
        XCTAssertNoThrow(try Sodium(symbols: real))
    }

    func testPasswordEnvironment() throws {
        // The name and value bittensor-wallet 4.1.1 gave for /tmp/kw/w1/coldkey and the password "pässword1!".
        XCTAssertEqual(PasswordEnvironment.variableName(keyfilePath: "/tmp/kw/w1/coldkey"), "BT_PW__TMP_KW_W1_COLDKEY")
        XCTAssertEqual(PasswordEnvironment.variableName(keyfilePath: "/home/a.b/.bittensor/wallets/default/coldkey"),
                       "BT_PW__HOME_A_B__BITTENSOR_WALLETS_DEFAULT_COLDKEY")
        let pw = try PasswordEnvironment.password(fromValue: "Mpf7IyQoMCYpYX4=", variableName: "BT_PW__TMP_KW_W1_COLDKEY")
        XCTAssertEqual(pw.withUnsafeBytes { Array($0) }, Array("pässword1!".utf8))
        XCTAssertEqual(PasswordEnvironment.obfuscatedValue(password: pw, variableName: "BT_PW__TMP_KW_W1_COLDKEY"), "Mpf7IyQoMCYpYX4=")
        for length in 0 ..< 40 {
            let p = SecretBytes(copying: Array(String(repeating: "é", count: length).utf8.prefix(length)))
            guard p.withUnsafeBytes({ Base64.isValidUTF8($0) }) else { continue }
            let v = PasswordEnvironment.obfuscatedValue(password: p, variableName: "BT_PW_X")
            XCTAssertTrue(try PasswordEnvironment.password(fromValue: v, variableName: "BT_PW_X").constantTimeEquals(p))
        }
        XCTAssertThrowsError(try PasswordEnvironment.password(fromValue: "not base64!", variableName: "BT_PW_X")) {
            let text = String(describing: self.record($0))
            XCTAssertTrue(text.contains("BT_PW_X"), text)
            XCTAssertFalse(text.contains("not base64!"), text)
        }
    }

    func testSecretsDoNotPrint() throws {
        let secret = SecretBytes(copying: Array("hunter2-hunter2".utf8))
        for text in [String(describing: secret), String(reflecting: secret), { var s = ""; dump(secret, to: &s); return s }()] {
            XCTAssertFalse(text.contains("hunter2"), text)
            XCTAssertFalse(text.contains(hex(Array("hunter2".utf8))), text)
        }
        let sodium = try Self.sodium()
        let pair = try SR25519.Keypair(miniSecret: SecretBytes(copying: Array(0 ..< 32)), sodium: sodium)
        var dumped = ""
        dump(pair, to: &dumped)
        XCTAssertFalse(dumped.contains("87d29d94"), dumped)
        XCTAssertFalse(String(describing: pair).contains("87d29d94"))
    }

    /// A wallet bittensor-wallet 4.1.1 created (encrypted coldkey, plain hotkey): the password comes from the
    /// environment value bittensor-wallet produced, de-obfuscated here; the public keys match; signatures by
    /// both keys verify under bittensor-wallet's `Keypair.verify`; a wrong password is refused.
    func testBittensorWalletRoundTrip() throws {
        let sodium = try Self.sodium()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("btpow-keys-wallet-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let created = try Oracle.batch([["op": "create_wallet", "path": dir.path, "name": "cold", "hotkey": "hot",
                                         "password": Self.password]])[0]
        let coldkeyPath = created["coldkey_path"] as! String
        let variable = PasswordEnvironment.variableName(keyfilePath: coldkeyPath)
        XCTAssertEqual(variable, created["env_var_name"] as? String)
        let envValue = created["env_value"] as! String
        Self.secrets.insert(envValue)

        let coldData = try Array(Data(contentsOf: URL(fileURLWithPath: coldkeyPath)))
        XCTAssertEqual(Keyfile.format(of: coldData), .nacl)
        var asked = 0
        let cold = try Keyfile.unlock(coldData, sodium: sodium) {
            asked += 1
            return try PasswordEnvironment.password(fromValue: envValue, variableName: variable)
        }
        XCTAssertEqual(asked, 1)
        XCTAssertEqual(hex(cold.keypair.publicKey.bytes), created["coldkey_public"] as? String)
        XCTAssertEqual(cold.format, .nacl)

        let hotPath = dir.appendingPathComponent("cold/hotkeys/hot")
        let hot = try Keyfile.unlock(Array(Data(contentsOf: hotPath)), sodium: sodium) { XCTFail("hotkey is plain"); return nil }
        XCTAssertEqual(hex(hot.keypair.publicKey.bytes), created["hotkey_public"] as? String)
        // The plain hotkey's secrets must never show up in errors either.
        let hotJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: hotPath)) as! [String: Any]
        for field in ["privateKey", "secretSeed"] {
            if let v = hotJSON[field] as? String {
                Self.secrets.insert(String(v.dropFirst(2)))
                Self.secrets.insert(Data(unhex(v)).base64EncodedString())
            }
        }

        var ops: [[String: Any]] = []
        for pair in [cold.keypair, hot.keypair] {
            for message in [[], Array("transfer 1 TAO".utf8), randomBytes(300)] as [[UInt8]] {
                ops.append(["op": "wallet_verify", "public": "0x" + hex(pair.publicKey.bytes), "message": hex(message),
                            "signature": hex(pair.sign(message))])
            }
        }
        for (i, r) in try Oracle.batch(ops).enumerated() {
            XCTAssertEqual(r["valid"] as? Bool, true, "bittensor-wallet rejects signature \(i)")
        }

        // A wrong password: its own error, and no crash.
        Self.secrets.insert("not-the-password-42")
        XCTAssertThrowsError(try Keyfile.unlock(coldData, sodium: sodium) { SecretBytes(copying: Array("not-the-password-42".utf8)) }) {
            XCTAssertEqual(self.record($0) as? KeysError, .decryptionFailed)
        }
    }
}
