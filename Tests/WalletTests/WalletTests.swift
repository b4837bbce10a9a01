import XCTest
import ChainCodec
import PoWCore
@testable import Wallet

final class WalletTests: XCTestCase {
    struct Expected: Decodable {
        struct Wallet: Decodable {
            let wallet: String, hotkey: String
            let hotkey_public_key: String, hotkey_ss58: String, coldkey_public_key: String, coldkey_ss58: String
        }
        let package: String
        let wallets: [String: Wallet]
    }

    var fixtures: String { Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("wallets").path }

    func expected() throws -> Expected {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected.json"))
        return try JSONDecoder().decode(Expected.self, from: data)
    }

    func testPublicKeysMatchWhatBittensorWalletReported() throws {
        let expected = try expected()
        XCTAssertEqual(expected.package, "bittensor-wallet==4.1.1")
        for name in ["main", "nopub"] {
            let e = try XCTUnwrap(expected.wallets[name])
            let wallet = WalletFiles(root: fixtures, name: e.wallet, hotkey: e.hotkey)
            let hotkey = try wallet.hotkeyPublicKey()
            let coldkey = try wallet.coldkeyPublicKey()
            XCTAssertEqual(hotkey.hex, e.hotkey_public_key, name)
            XCTAssertEqual(coldkey.hex, e.coldkey_public_key, name)
            XCTAssertEqual(SS58.encode(publicKey: hotkey), e.hotkey_ss58)
            XCTAssertEqual(SS58.encode(publicKey: coldkey), e.coldkey_ss58)
        }
        // The nopub wallet really has no hotkeypub.txt: its key came from the hotkey file's publicKey field.
        let nopub = WalletFiles(root: fixtures, name: "nopub", hotkey: "miner1")
        XCTAssertFalse(FileManager.default.fileExists(atPath: nopub.hotkeyPubPath))
        XCTAssertTrue(FileManager.default.fileExists(atPath: nopub.hotkeyPath))
        // The coldkey itself is encrypted (it is never read): the public key comes from coldkeypub.txt.
        let main = WalletFiles(root: fixtures, name: "main", hotkey: "default")
        XCTAssertTrue(try Data(contentsOf: URL(fileURLWithPath: main.walletDirectory + "/coldkey")).starts(with: Array("$NACL".utf8)))
    }

    func testEncryptedHotkeyWithoutPubFileNamesThePath() throws {
        let wallet = WalletFiles(root: fixtures, name: "encrypted", hotkey: "default")
        XCTAssertThrowsError(try wallet.hotkeyPublicKey()) { error in
            XCTAssertEqual(error as? WalletError, .encrypted(path: wallet.hotkeyPath))
            XCTAssertTrue("\(error)".contains(wallet.hotkeyPath))
            XCTAssertFalse("\(error)".contains("\n"))
        }
        XCTAssertEqual(try wallet.coldkeyPublicKey().hex, try expected().wallets["encrypted"]?.coldkey_public_key)
    }

    func testMissingFilesNameThePath() {
        let wallet = WalletFiles(root: fixtures, name: "main", hotkey: "nosuchhotkey")
        XCTAssertThrowsError(try wallet.hotkeyPublicKey()) {
            XCTAssertEqual($0 as? WalletError, .missing(path: wallet.hotkeyPubPath))
            XCTAssertEqual("\($0)", "wallet file \(wallet.hotkeyPubPath) does not exist")
        }
        let nowallet = WalletFiles(root: fixtures, name: "nosuchwallet")
        XCTAssertThrowsError(try nowallet.coldkeyPublicKey()) {
            XCTAssertEqual($0 as? WalletError, .missing(path: fixtures + "/nosuchwallet/coldkeypub.txt"))
        }
    }

    func testDefaultsAndTilde() {
        let wallet = WalletFiles()
        let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
        XCTAssertEqual(wallet.coldkeyPubPath, home + "/.bittensor/wallets/default/coldkeypub.txt")
        XCTAssertEqual(wallet.hotkeyPubPath, home + "/.bittensor/wallets/default/hotkeys/defaultpub.txt")
        XCTAssertEqual(WalletFiles(root: "/w/", name: "a", hotkey: "b").hotkeyPath, "/w/a/hotkeys/b")
    }

    func testMalformedFilesNameThePath() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("btpow-wallet-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let hotkeys = root + "/w/hotkeys"
        try FileManager.default.createDirectory(atPath: hotkeys, withIntermediateDirectories: true)
        let wallet = WalletFiles(root: root, name: "w", hotkey: "h")
        func write(_ path: String, _ text: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
        func check(_ read: () throws -> Bytes32, _ path: String, _ contains: String, line: UInt = #line) {
            XCTAssertThrowsError(try read(), line: line) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(path), text, line: line)
                XCTAssertTrue(text.contains(contains), text, line: line)
                XCTAssertFalse(text.contains("\n"), text, line: line)
                XCTAssertFalse(text.contains("secret"), text, line: line)
                XCTAssertEqual((error as? WalletError)?.path, path, line: line)
            }
        }
        let alice = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        let bob = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"

        try write(wallet.coldkeyPubPath, "not json")
        check(wallet.coldkeyPublicKey, wallet.coldkeyPubPath, "not a JSON object")
        try write(wallet.coldkeyPubPath, "{}")
        check(wallet.coldkeyPublicKey, wallet.coldkeyPubPath, "no publicKey field")
        try write(wallet.coldkeyPubPath, #"{"publicKey": "0x1234"}"#)
        check(wallet.coldkeyPublicKey, wallet.coldkeyPubPath, "publicKey is not 0x + 64 hex digits")
        try write(wallet.coldkeyPubPath, #"{"publicKey": 5}"#)
        check(wallet.coldkeyPublicKey, wallet.coldkeyPubPath, "not a JSON object")
        try write(wallet.coldkeyPubPath, "{\"publicKey\": \"\(alice)\", \"ss58Address\": \"\(bob)\"}")
        check(wallet.coldkeyPublicKey, wallet.coldkeyPubPath, "name different keys")
        try write(wallet.coldkeyPubPath, "{\"ss58Address\": \"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ\"}")
        check(wallet.coldkeyPublicKey, wallet.coldkeyPubPath, "checksum")
        try write(wallet.coldkeyPubPath, "$NACL\u{1}\u{2}")
        check(wallet.coldkeyPublicKey, wallet.coldkeyPubPath, "encrypted")
        try write(wallet.coldkeyPubPath, "{\"publicKey\": \"\(alice)\"}")
        XCTAssertEqual(try wallet.coldkeyPublicKey().hex, alice)
        try write(wallet.coldkeyPubPath, "{\"ss58Address\": \"\(bob)\"}")
        XCTAssertEqual(SS58.encode(publicKey: try wallet.coldkeyPublicKey()), bob)

        // The private hotkey file: only publicKey is read, and nothing else from it appears in errors.
        try write(wallet.hotkeyPath, #"{"secretPhrase": "secret words", "privateKey": "0xsecret"}"#)
        check(wallet.hotkeyPublicKey, wallet.hotkeyPath, "no publicKey field")
        try write(wallet.hotkeyPath, #"{"secretPhrase": "secret words", "publicKey": "0xsecret"}"#)
        check(wallet.hotkeyPublicKey, wallet.hotkeyPath, "publicKey is not")
        try write(wallet.hotkeyPath, "{\"secretPhrase\": \"secret words\", \"publicKey\": \"\(alice)\"}")
        XCTAssertEqual(try wallet.hotkeyPublicKey().hex, alice)
        // pub.txt wins over the hotkey file when present, even if it is broken.
        try write(wallet.hotkeyPubPath, "[]")
        check(wallet.hotkeyPublicKey, wallet.hotkeyPubPath, "not a JSON object")
        // A file far too large for a key file.
        try Data(count: 2 << 20).write(to: URL(fileURLWithPath: wallet.hotkeyPubPath))
        check(wallet.hotkeyPublicKey, wallet.hotkeyPubPath, "too large")
        // A directory where a file should be.
        try FileManager.default.removeItem(atPath: wallet.hotkeyPubPath)
        try FileManager.default.createDirectory(atPath: wallet.hotkeyPubPath, withIntermediateDirectories: true)
        check(wallet.hotkeyPublicKey, wallet.hotkeyPubPath, "directory")
    }
}
