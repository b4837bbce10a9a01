import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// `btpow devnet` and `btpow create-pow` as separate processes talking over 127.0.0.1.
final class CreatePoWCLITests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let wallets = repo.appendingPathComponent("Tests/WalletTests/Fixtures/wallets").path
    // Public keys of the "main" fixture wallet, made by bittensor-wallet 4.1.1 (expected.json there).
    static let mainHotkey = "0x66b269a3bc98e90f02260ca55b66321bb33eeb8e6c99694600ed888b2c6dce6d"
    static let mainColdkeySS58 = "5DnZAKZ6jhuFM7W66AZsQwShYNXX93zJvXScLfy4Na3vWKKW"

    var devnet: DevnetProcess?
    var port: Int { devnet?.port ?? 0 }
    var network: String { devnet?.network ?? "" }

    /// Starts `btpow devnet` (on a free port unless `port` is given).
    func startDevnet(_ extra: [String] = [], port requested: Int = 0, difficulty: String = "2000", blockTime: String = "0.5") throws {
        devnet = try DevnetProcess(port: requested, difficulty: difficulty, blockTime: blockTime, extra)
    }

    override func tearDown() {
        if let devnet, devnet.process.isRunning {
            XCTAssertEqual(devnet.stop(), 0, "SIGINT: the devnet stops cleanly")
        }
    }

    /// SIGINT stops the devnet with exit 0 every time: one dispatch source per signal judges it once (a second,
    /// fallback source once raced the handler's removal and ended some stops with 130).
    func testDevnetStopsCleanlyOnEverySIGINT() throws {
        for round in 0 ..< 8 {
            let devnet = try DevnetProcess(difficulty: "2000", blockTime: "0")
            XCTAssertEqual(devnet.stop(), 0, "round \(round)")
        }
    }

    /// One JSON-RPC call over HTTP POST to the devnet.
    func rpc(_ method: String, params: String) throws -> [String: Any] { try XCTUnwrap(devnet).rpc(method, params: params) }

    /// The node is replaced by another chain on the same port while create-pow solves a block of the old one: it
    /// says the connection was lost and restored, moves to the live chain, and returns work for a block the live
    /// chain has (never the dead chain's).
    func testDeadChainIsNeverReturned() throws {
        try startDevnet(difficulty: "18446744073709551615")   // unsolvable: the old chain never yields a solution
        let oldPort = port
        let solver = Process()
        solver.executableURL = CLI.binary
        solver.arguments = ["create-pow", "--network", network, "--netuid", "1", "--scheme", "legacy", "--hotkey", Self.mainHotkey,
                            "--coldkey", Self.mainColdkeySS58, "--threads", "1", "--json", "--no-output-in-place"]
        let out = Pipe(), err = Pipe()
        solver.standardOutput = out
        solver.standardError = err
        solver.standardInput = FileHandle.nullDevice
        try solver.run()
        Thread.sleep(forTimeInterval: 3)                     // a few blocks of the old chain
        let deadHash = try rpc("chain_getBlockHash", params: "[4]")["result"] as? String
        XCTAssertNotNil(deadHash, "the old chain reached block 4")
        devnet?.stop()
        // A new chain on the same port that stays at head 0 (a block a minute): only moving back to its head solves.
        try startDevnet(port: oldPort, difficulty: "2000", blockTime: "60")
        let deadline = Date().addingTimeInterval(60)
        while solver.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if solver.isRunning {
            solver.terminate()
            solver.waitUntilExit()
            return XCTFail("create-pow still solving a minute after the chain was replaced: "
                           + String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: errData, as: UTF8.self)
        XCTAssertEqual(solver.terminationStatus, 0, stderr)
        XCTAssertTrue(stderr.contains("connection to the node lost"), stderr)
        XCTAssertTrue(stderr.contains("connection to the node restored"), stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: outData) as? [String: Any], String(decoding: outData, as: UTF8.self))
        let block = try XCTUnwrap((json["block_number"] as? NSNumber)?.intValue)
        let hash = try XCTUnwrap(json["block_hash"] as? String)
        XCTAssertEqual(try rpc("chain_getBlockHash", params: "[\(block)]")["result"] as? String, hash,
                       "the solution's block is on the live chain")
        XCTAssertNotEqual(hash, deadHash)
    }

    func testCreatePoWWithWalletFilesSolvesAndDevnetAcceptsIt() throws {
        try startDevnet()
        let r = try CLI.run(["create-pow", "--network", network, "--netuid", "1", "--wallet.path", Self.wallets,
                             "--wallet.name", "main", "--wallet.hotkey", "default", "--threads", "2", "--json", "--no-output-in-place"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let json = try r.json()
        XCTAssertEqual(json["hotkey"] as? String, Self.mainHotkey)
        XCTAssertEqual(json["coldkey_ss58"] as? String, Self.mainColdkeySS58)
        XCTAssertEqual(json["scheme"] as? String, "v1")
        XCTAssertEqual(json["rule"] as? String, "chain")
        XCTAssertEqual(json["netuid"] as? Int, 1)
        XCTAssertEqual((json["difficulty"] as? NSNumber)?.uint64Value, 2000)
        XCTAssertNotNil(json["block_hash"] as? String)
        // Submit exactly what create-pow printed: the devnet checks it as the chain would.
        let reply = try rpc("devnet_submitPow", params: "[\(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))]")
        XCTAssertEqual((reply["result"] as? [String: Any])?["uid"] as? Int, 0, "\(reply)")
        // Now registered: a second create-pow stops with exit 3 and says so.
        let again = try CLI.run(["create-pow", "--network", network, "--netuid", "1", "--hotkey", Self.mainHotkey,
                                 "--coldkey", Self.mainColdkeySS58])
        XCTAssertEqual(again.code, 3, again.stderr)
        XCTAssertTrue(again.stderr.contains("already registered"), again.stderr)
    }

    func testSubnetMissingAndBadInput() throws {
        try startDevnet()
        let missing = try CLI.run(["create-pow", "--network", network, "--netuid", "9", "--hotkey", Self.mainHotkey,
                                   "--coldkey", Self.mainColdkeySS58])
        XCTAssertEqual(missing.code, 2)
        XCTAssertTrue(missing.stderr.contains("Subnet 9 does not exist"), missing.stderr)
        let noWallet = try CLI.run(["create-pow", "--network", network, "--netuid", "1", "--wallet.path", "/nonexistent/wallets"])
        XCTAssertEqual(noWallet.code, 2)
        XCTAssertTrue(noWallet.stderr.contains("/nonexistent/wallets/default/hotkeys/defaultpub.txt"), noWallet.stderr)
        XCTAssertEqual(noWallet.stderr.split(separator: "\n").count, 1)
        // v1 with the hotkey on the command line and no coldkey: says that v1 needs the coldkey and how to give it,
        // not which wallet file is missing.
        let noColdkey = try CLI.run(["create-pow", "--network", network, "--netuid", "1", "--hotkey", Self.mainHotkey,
                                     "--wallet.path", "/nonexistent/wallets"])
        XCTAssertEqual(noColdkey.code, 2, noColdkey.stderr)
        XCTAssertTrue(noColdkey.stderr.contains("v1 challenge includes the coldkey") && noColdkey.stderr.contains("--coldkey"),
                      noColdkey.stderr)
        XCTAssertFalse(noColdkey.stderr.contains("coldkeypub.txt"), noColdkey.stderr)
        XCTAssertEqual(noColdkey.stderr.split(separator: "\n").count, 1, noColdkey.stderr)
        let badNetwork = try CLI.run(["create-pow", "--network", "ftp://x", "--netuid", "1", "--hotkey", Self.mainHotkey,
                                      "--coldkey", Self.mainColdkeySS58])
        XCTAssertEqual(badNetwork.code, 2, badNetwork.stderr)
        XCTAssertEqual(badNetwork.stderr.split(separator: "\n").count, 1, badNetwork.stderr)
        // The root network takes no proof-of-work: refused before any connection (any --network would do).
        let root = try CLI.run(["create-pow", "--network", "ws://127.0.0.1:9", "--netuid", "0", "--hotkey", Self.mainHotkey,
                                "--coldkey", Self.mainColdkeySS58])
        XCTAssertEqual(root.code, 2, root.stderr)
        XCTAssertTrue(root.stderr.contains("root network"), root.stderr)
        XCTAssertEqual(root.stderr.split(separator: "\n").count, 1, root.stderr)
    }

    func testUnreachableNodeExitsFour() throws {
        // Port 9 (discard) is not listened on here; nothing leaves the machine.
        let r = try CLI.run(["create-pow", "--network", "ws://127.0.0.1:9", "--netuid", "1", "--hotkey", Self.mainHotkey,
                             "--coldkey", Self.mainColdkeySS58])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot reach"), r.stderr)
    }

    /// The README's first command: in-process devnet → create-pow → submit → UID.
    func testDemoRegistersAndShowsTheUID() throws {
        let r = try CLI.run(["demo", "--difficulty", "20000", "--block-time", "1", "--threads", "2", "--no-output-in-place"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("with UID 0"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Solved on block"), r.stdout)
    }
}
