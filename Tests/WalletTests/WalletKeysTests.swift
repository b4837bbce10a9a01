import XCTest
import ChainCodec
import Keys
import PoWCore
import Wallet

/// Secret keys from the fixture wallets bittensor-wallet 4.1.1 wrote (tools/make_wallet_fixtures.py; the
/// coldkeys are encrypted with its test-only password).
final class WalletKeysTests: XCTestCase {
    static let password = "test-only-password"

    var fixtures: String { Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("wallets").path }

    func sodium() throws -> Sodium {
        do { return try Sodium.shared() } catch { throw XCTSkip("libsodium is not installed here: \(error)") }
    }

    func expected(_ name: String) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected.json"))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return (object["wallets"] as! [String: Any])[name] as! [String: String]
    }

    /// A copy of a fixture wallet in a temporary folder, to change files in.
    func copy(_ name: String) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("btpow-walletkeys-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixtures + "/" + name, toPath: root + "/" + name)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        return root
    }

    func testUnlockBothKeysOfAWallet() throws {
        let sodium = try sodium()
        let e = try expected("main")
        let wallet = WalletFiles(root: fixtures, name: "main", hotkey: "default")
        XCTAssertEqual(try wallet.keyfileFormat(.coldkey), .nacl)
        XCTAssertEqual(try wallet.keyfileFormat(.hotkey), .json)
        var asked: [String] = []
        let cold = try wallet.loadSecretKey(.coldkey, sodium: sodium) { name in
            asked.append(name)
            return SecretBytes(copying: Array(Self.password.utf8))
        }
        XCTAssertEqual(asked, [PasswordEnvironment.variableName(keyfilePath: wallet.coldkeyPath)])
        XCTAssertTrue(asked[0].hasPrefix("BT_PW_") && asked[0].hasSuffix("_MAIN_COLDKEY"), asked[0])
        XCTAssertEqual(cold.publicKey.hex, e["coldkey_public_key"])
        XCTAssertTrue(cold.wasEncrypted)
        XCTAssertEqual(cold.checkedAgainst, wallet.coldkeyPubPath)

        let hot = try wallet.loadSecretKey(.hotkey, sodium: sodium) { _ in XCTFail("the hotkey is not encrypted"); return nil }
        XCTAssertEqual(hot.publicKey.hex, e["hotkey_public_key"])
        XCTAssertFalse(hot.wasEncrypted)
        let message = Array("hello".utf8)
        XCTAssertTrue(SR25519.verify(signature: hot.keypair.sign(message), message: message, publicKey: hot.keypair.publicKey.bytes, sodium: sodium))
    }

    func testWrongAndMissingPassword() throws {
        let sodium = try sodium()
        let wallet = WalletFiles(root: fixtures, name: "nopub", hotkey: "miner1")
        XCTAssertThrowsError(try wallet.loadSecretKey(.coldkey, sodium: sodium) { _ in nil }) {
            XCTAssertEqual($0 as? WalletKeyError, .key(path: wallet.coldkeyPath, .passwordRequired))
        }
        XCTAssertThrowsError(try wallet.loadSecretKey(.coldkey, sodium: sodium) { _ in SecretBytes(copying: Array("Not-The-Password-7".utf8)) }) {
            let error = $0 as? WalletKeyError
            XCTAssertEqual(error?.isWrongPassword, true, "\($0)")
            let text = "\($0)"
            XCTAssertTrue(text.contains(wallet.coldkeyPath) && text.contains("wrong password"), text)
            XCTAssertFalse(text.contains("Not-The-Password-7") || text.contains("\n"), text)
        }
        // The hotkey of this wallet has no pub file: loaded all the same, checked against its own publicKey only.
        let hot = try wallet.loadSecretKey(.hotkey, sodium: sodium) { _ in nil }
        XCTAssertNil(hot.checkedAgainst)
        XCTAssertEqual(hot.publicKey.hex, try expected("nopub")["hotkey_public_key"])
    }

    func testSecretMustMatchThePublicFile() throws {
        let sodium = try sodium()
        let root = try copy("main")
        let other = try expected("nopub")
        let pub = root + "/main/hotkeys/defaultpub.txt"
        try Data("{\"publicKey\": \"\(other["coldkey_public_key"]!)\"}".utf8).write(to: URL(fileURLWithPath: pub))
        let wallet = WalletFiles(root: root, name: "main", hotkey: "default")
        XCTAssertThrowsError(try wallet.loadSecretKey(.hotkey, sodium: sodium) { _ in nil }) {
            let error = $0 as? WalletKeyError
            XCTAssertEqual(error?.isPublicKeyMismatch, true, "\($0)")
            XCTAssertTrue("\($0)".contains(pub), "\($0)")
            // The hotkey file's secrets never appear in the message.
            let file = try! JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: wallet.hotkeyPath))) as! [String: Any]
            for field in ["privateKey", "secretSeed", "secretPhrase"] {
                if let v = file[field] as? String { XCTAssertFalse("\($0)".contains(String(v.dropFirst(2)))) }
            }
        }
    }

    /// Reading public keys never touches the private files: with the coldkey replaced by a folder, the
    /// public keys still load, and only loading the secret fails (naming the file).
    func testPublicKeysNeverOpenPrivateFiles() throws {
        let sodium = try sodium()
        let root = try copy("main")
        try FileManager.default.removeItem(atPath: root + "/main/coldkey")
        try FileManager.default.createDirectory(atPath: root + "/main/coldkey", withIntermediateDirectories: false)
        let wallet = WalletFiles(root: root, name: "main", hotkey: "default")
        XCTAssertEqual(try wallet.coldkeyPublicKey().hex, try expected("main")["coldkey_public_key"])
        XCTAssertThrowsError(try wallet.loadSecretKey(.coldkey, sodium: sodium) { _ in XCTFail("asked for a password"); return nil }) {
            XCTAssertEqual($0 as? WalletKeyError, .file(.unreadable(path: wallet.coldkeyPath, reason: "it is not a regular file")))
        }
        XCTAssertThrowsError(try WalletFiles(root: root, name: "none", hotkey: "x").loadSecretKey(.coldkey, sodium: sodium) { _ in nil }) {
            XCTAssertEqual($0 as? WalletKeyError, .file(.missing(path: root + "/none/coldkey")))
        }
    }
}
