import ChainCodec
import ChainMetadata
import Devnet
import Extrinsics
import Foundation
import Keys
import PoWCore
import Testing

/// bittensor 11.3's own codec composes and signs a faucet extrinsic from the devnet's metadata and submits it over a
/// plain Python WebSocket (tools/devnet_signed_client.py, in the venv tools/setup_devnet_python.sh makes);
/// py-sr25519-bindings verifies the signature fetched back with chain_getBlock; bittensor's own storage keys and
/// decoding of the devnet's metadata then read the effect back (System.Account, System.Events, SubtensorModule.Uids).
/// Skipped, saying why, only when pip cannot install the packages.
@Suite struct BittensorClientTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a program with output to files (no pipe to fill up); returns its status, stdout and stderr. Waits without
    /// blocking a thread: the devnet it talks to runs on the same cooperative pool.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, stdout: Data, stderr: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("btpow-devnet-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = root
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { process.terminationHandler = nil; continuation.resume(throwing: error) }
        }
        return (status, try Data(contentsOf: out), String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// The venv's python, made (once) by tools/setup_devnet_python.sh; nil when pip cannot install the packages.
    static let python: String? = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.appendingPathComponent("tools/setup_devnet_python.sh").path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// The (pallet, event) names of System.Events as bittensor's codec decoded them.
    static func eventNames(_ json: JSONValue) -> [String] {
        (json["events"]?.arrayValue ?? []).map { "\($0["module_id"]?.stringValue ?? "?").\($0["event_id"]?.stringValue ?? "?")" }
    }

    @Test(.enabled(if: python != nil, "pip could not install bittensor==11.3.0 and py-sr25519-bindings (tools/setup_devnet_python.sh)"))
    func bittensorSignsAFaucetTheDevnetAccepts() async throws {
        let (server, port) = try await startDevnet()
        let node = Node(server: server, port: port)
        try await node.produce(2)
        let seed = [UInt8](repeating: 0x5a, count: 32)
        // btpow's Keys derive the coldkey; the Python side derives it again from the same seed with schnorrkel.
        let coldkey = try SR25519.Keypair(miniSecret: SecretBytes(copying: seed), sodium: try Sodium.shared())
        let coldID = Bytes32(coldkey.publicKey.bytes)!
        let head = try await node.head()
        let (workNonce, seal) = findNonce(.legacy(LegacyChallenge(blockHash: head.hash, hotkey: coldID)),
                                          rule: .chainLittleEndian, difficulty: 10)
        let args: JSONValue = ["block_number": JSONValue(head.number), "nonce": JSONValue(workNonce), "work": .string(seal.hex)]
        let result = try await Self.run(Self.python!, [Self.root.appendingPathComponent("tools/devnet_signed_client.py").path,
                                                 String(port), Hex.encode(seed).replacingOccurrences(of: "0x", with: ""),
                                                 "faucet", args.jsonText])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try parseJSON(result.stdout)
        #expect(json["publicKey"] == .string(coldID.hex))
        let updates = json["updates"]?.arrayValue ?? []
        #expect(updates.first == .string("ready"))
        #expect(updates.count == 3 && updates[1]["inBlock"] != nil && updates[2]["finalized"] == updates[1]["inBlock"])
        #expect(json["included"] == true)
        #expect(json["verified"] == true)
        #expect(json["tamperedVerifies"] == false)
        // Read back through bittensor's decoding: 1,000,000,000,000 rao more free balance, nonce 0 -> 1, and the
        // block's events Faucet then ExtrinsicSuccess, both in the extrinsic's phase.
        #expect(json["accountBefore"]?["data"]?["free"]?.uint64Value == 0)
        #expect(json["accountAfter"]?["data"]?["free"]?.uint64Value == 1_000_000_000_000)
        #expect(json["accountBefore"]?["nonce"] == 0 && json["accountAfter"]?["nonce"] == 1)
        #expect(Self.eventNames(json) == ["SubtensorModule.Faucet", "System.ExtrinsicSuccess"], "\(json["events"] ?? .null)")
        #expect(json["events"]?.arrayValue?.allSatisfy { $0["phase"] == "ApplyExtrinsic" && $0["extrinsic_idx"] == 0 } == true)
        // The devnet applied it: 1,000 TAO on the coldkey, nonce 1.
        let account = Twox.hash128("System") + Twox.hash128("Account") + blake2b128(coldID.bytes) + coldID.bytes
        let stored = try await httpCall(port: port, "state_getStorage", [.string(Hex.encode(account))]).stringValue
        let bytes = try Hex.decode(try #require(stored))
        #expect(Array(bytes[0 ..< 4]) == [1, 0, 0, 0])
        #expect(Array(bytes[16 ..< 24]) == UInt64(1_000_000_000_000).scaleEncoded)
        await server.stop()
    }

    @Test(.enabled(if: python != nil, "pip could not install bittensor==11.3.0 and py-sr25519-bindings (tools/setup_devnet_python.sh)"))
    func bittensorSignsAPowRegisterTheDevnetAccepts() async throws {
        let (server, port) = try await startDevnet()
        let node = Node(server: server, port: port)
        try await node.produce(2)
        let seed = [UInt8](repeating: 0x5b, count: 32)
        let coldkey = try SR25519.Keypair(miniSecret: SecretBytes(copying: seed), sodium: try Sodium.shared())
        let coldID = Bytes32(coldkey.publicKey.bytes)!
        let hotkey = key(0x5c)
        let head = try await node.head()
        let (workNonce, seal) = findNonce(.v1(V1Challenge(netuid: 1, blockHash: head.hash, hotkey: hotkey, coldkey: coldID)),
                                          rule: .chainLittleEndian, difficulty: 10)
        let args: JSONValue = ["netuid": 1, "work_block": JSONValue(head.number), "nonce": JSONValue(workNonce),
                               "work": .string(seal.hex), "hotkey": .string(hotkey.hex)]
        let result = try await Self.run(Self.python!, [Self.root.appendingPathComponent("tools/devnet_signed_client.py").path,
                                                 String(port), Hex.encode(seed).replacingOccurrences(of: "0x", with: ""),
                                                 "pow_register", args.jsonText])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try parseJSON(result.stdout)
        #expect(json["included"] == true)
        #expect(json["verified"] == true)
        // Read back through bittensor's decoding: UID 0 for the hotkey on netuid 1, NeuronRegistered(1, 0, hotkey)
        // then ExtrinsicSuccess, and the coldkey's nonce 1.
        #expect(json["uid"] == 0)
        #expect(Self.eventNames(json) == ["SubtensorModule.NeuronRegistered", "System.ExtrinsicSuccess"], "\(json["events"] ?? .null)")
        #expect(json["events"]?.arrayValue?.first?["attributes"] == [1, 0, .string(SS58.encode(publicKey: hotkey))])
        #expect(json["accountAfter"]?["nonce"] == 1)
        let uid = try await httpCall(port: port, "state_getStorage", [.string(Hex.encode(StorageItem.uids.key(netuid: 1, hotkey: hotkey)))])
        #expect(uid == "0x0000")

        // Byte for byte: btpow's own builder, from the devnet's metadata, for the same call, nonce, era and signature,
        // gives bittensor 11.3's signing payload and extrinsic.
        let metadataHex = try #require(try await httpCall(port: port, "state_getMetadata").stringValue)
        let metadata = try RuntimeMetadata(bytes: try Hex.decode(metadataHex))
        let version = try await httpCall(port: port, "state_getRuntimeVersion")
        let parameters = SigningParameters(
            specVersion: UInt32(try #require(version["specVersion"]?.uint64Value)),
            transactionVersion: UInt32(try #require(version["transactionVersion"]?.uint64Value)),
            genesisHash: try await node.hash(0),
            era: .mortal(requestedPeriod: 16, currentBlock: try #require(json["eraCurrent"]?.uint64Value)),
            eraBirthHash: try Bytes32(hex: try #require(json["eraBirthHash"]?.stringValue)),
            nonce: try #require(json["accountNonce"]?.uint64Value))
        let unsigned = try ExtrinsicBuilder(metadata: metadata).prepare(
            pallet: "SubtensorModule", call: "pow_register",
            arguments: ["netuid": .uint(1), "work_block": .uint(UInt128(head.number)), "nonce": .uint(UInt128(workNonce)),
                        "work": .bytes(seal.bytes), "hotkey": .bytes(hotkey.bytes)],
            parameters: parameters)
        #expect(Hex.encode(unsigned.signingPayload) == json["payload"]?.stringValue)
        let signed = try unsigned.signed(signer: coldID, signature: try Hex.decode(try #require(json["signature"]?.stringValue)))
        #expect(Hex.encode(signed.bytes) == json["extrinsic"]?.stringValue)
        await server.stop()
    }
}
