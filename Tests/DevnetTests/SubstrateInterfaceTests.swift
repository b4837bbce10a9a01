import ChainCodec
import ChainMetadata
import Devnet
import Extrinsics
import Foundation
import Keys
import PoWCore
import Subtensor
import Testing
import TestSupport

/// substrate-interface 1.8.1 (PyPI, with its scalecodec) against the devnet: btpow builds (Extrinsics), signs (Keys)
/// and submits (Subtensor) a pow_register; tools/devnet_substrate_interface.py then reads the devnet's metadata,
/// queries System.Account and SubtensorModule.Uids, decodes the block with get_block, and py-sr25519-bindings checks
/// the extrinsic's signature over a signing payload the script rebuilds from chain_getBlock's bytes and values read
/// over RPC. Skipped, saying why, only when pip cannot install the packages (tools/setup_devnet_python.sh).
@Suite struct SubstrateInterfaceTests {
    @Test(.enabled(if: BittensorClientTests.python != nil,
                   "pip could not install substrate-interface==1.8.1, bittensor==11.3.0 and py-sr25519-bindings (tools/setup_devnet_python.sh)"))
    func substrateInterfaceReadsWhatBtpowSubmitted() async throws {
        let (server, port) = try await startDevnet()
        let client = try localChainClient(port: port)
        let node = Node(server: server, port: port)
        try await node.produce(2)
        let metadata = try await client.runtimeMetadata()
        let version = try await client.runtimeVersion()
        let genesis = try await client.genesisHash()
        let cold = try SR25519.Keypair(miniSecret: SecretBytes(copying: [UInt8](repeating: 0x91, count: 32)), sodium: try Sodium.shared())
        let coldID = Bytes32(cold.publicKey.bytes)!
        let hotkey = key(0x92)
        let registration = try await node.signedPoWRegister(hotkey: hotkey, cold: cold, client: client, metadata: metadata,
                                                            version: version, genesis: genesis)
        let signed = registration.extrinsic
        let producer = Task { try await Task.sleep(for: .milliseconds(200)); try await node.produce() }
        let (block, outcome) = try await client.submitAndWait(signed, metadata: metadata, until: .finalized)
        try await producer.value
        guard case .success = outcome else { Issue.record("\(outcome)"); return }
        await client.close()

        let result = try await BittensorClientTests.run(BittensorClientTests.python!, [
            BittensorClientTests.root.appendingPathComponent("tools/devnet_substrate_interface.py").path,
            String(port), block.hex, SS58.encode(publicKey: coldID), SS58.encode(publicKey: hotkey), "1",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try parseJSON(result.stdout)
        // Connection, chain-spec properties and metadata as substrate-interface reads them.
        #expect(json["chain"] == "btpow devnet")
        #expect(json["ss58Format"] == 42)
        #expect(json["specVersion"]?.uint64Value == UInt64(version.specVersion))
        #expect(json["transactionVersion"]?.uint64Value == UInt64(version.transactionVersion))
        #expect(json["pallets"]?.arrayValue?.contains("SubtensorModule") == true)
        #expect(json["signedExtensions"]?.arrayValue == DevnetRuntime.signedExtensionNames.map { .string($0) })
        // Storage keyed and decoded by substrate-interface.
        #expect(json["uid"] == 0)
        #expect(json["account"]?["nonce"] == 1)
        // The block, decoded by substrate-interface: btpow's pow_register with its arguments and signer.
        let extrinsics = json["extrinsics"]?.arrayValue ?? []
        #expect(extrinsics.count == 1)
        let decoded = try #require(extrinsics.first)
        #expect(decoded["module"] == "SubtensorModule" && decoded["function"] == "pow_register")
        #expect(decoded["args"]?["netuid"] == 1)
        #expect(decoded["args"]?["work_block"]?.uint64Value == registration.workBlock)
        #expect(decoded["args"]?["nonce"]?.uint64Value == registration.workNonce)
        #expect(decoded["args"]?["work"] == .string(registration.seal.hex))
        #expect(decoded["args"]?["hotkey"] == .string(hotkey.hex))
        #expect(decoded["address"] == .string(coldID.hex))
        #expect(decoded["nonce"] == 0 && decoded["tip"] == 0)
        #expect(decoded["hash"] == .string(Hex.encode(blake2b256(signed.bytes))))
        #expect(json["events"] == ["SubtensorModule.NeuronRegistered", "System.ExtrinsicSuccess"])
        // The signature over the payload rebuilt in Python; one flipped bit does not verify.
        let signature = try #require(json["signature"])
        #expect(signature["signer"] == .string(coldID.hex))
        #expect(signature["eraBirth"]?.uint64Value == registration.era.birth(currentBlock: registration.workBlock))
        #expect(signature["verified"] == true)
        #expect(signature["flippedVerifies"] == false)
        await server.stop()
    }
}
