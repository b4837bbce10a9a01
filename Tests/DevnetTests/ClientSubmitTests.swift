import ChainCodec
import ChainMetadata
import Devnet
import Extrinsics
import Keys
import PoWCore
import Subtensor
import Testing
import TestSupport

/// btpow's own chain client (Subtensor's submit, watch and outcome reading, Extrinsics' event decoder) against the
/// devnet: what it reads back is decoded by the devnet's metadata, independently of the devnet's encoder.
@Suite struct ClientSubmitTests {
    @Test func clientRegistersAndReadsOutcomesThroughMetadata() async throws {
        let (server, port) = try await startDevnet()
        let client = try localChainClient(port: port)
        let node = Node(server: server, port: port)
        try await node.produce(2)
        let metadata = try await client.runtimeMetadata()
        let version = try await client.runtimeVersion()
        #expect(version.specVersion == DevnetRuntime.specVersion && version.transactionVersion == DevnetRuntime.transactionVersion)
        let sodium = try Sodium.shared()
        let cold = try SR25519.Keypair(miniSecret: SecretBytes(copying: [UInt8](repeating: 0x81, count: 32)), sodium: sodium)
        let genesis = try await client.genesisHash()

        func registration(_ hotkey: Bytes32) async throws -> SignedExtrinsic {
            try await node.signedPoWRegister(hotkey: hotkey, cold: cold, client: client, metadata: metadata, version: version,
                                             genesis: genesis).extrinsic
        }

        // Success: NeuronRegistered(netuid 1, uid 0, hotkey) then ExtrinsicSuccess, read by the client.
        let first = try await registration(key(0x82))
        let producer = Task { try await Task.sleep(for: .milliseconds(200)); try await node.produce() }
        let (block, outcome) = try await client.submitAndWait(first, metadata: metadata, until: .finalized)
        try await producer.value
        guard case .success(let events) = outcome else { Issue.record("\(outcome)"); return }
        #expect(events.map(\.name) == ["NeuronRegistered", "ExtrinsicSuccess"])
        #expect(events.first?.pallet == "SubtensorModule")
        #expect(events.first?.field(0) == .uint(1) && events.first?.field(1) == .uint(0))
        #expect(try await client.block(block).extrinsics == [first.bytes])

        // A failure in the block, named through the metadata: PoW turned off after the pool admitted it.
        let second = try await registration(key(0x83))
        let producer2 = Task {
            try await Task.sleep(for: .milliseconds(200))
            _ = try await httpCall(port: port, "devnet_setPowRegistrationAllowed", [1, false])
            try await node.produce()
        }
        let (_, failed) = try await client.submitAndWait(second, metadata: metadata)
        try await producer2.value
        guard case .failed(let failure, _) = failed else { Issue.record("\(failed)"); return }
        #expect(failure.pallet == "SubtensorModule" && failure.name == "SubNetRegistrationDisabled")

        // A pool refusal: the same nonce again.
        do {
            _ = try await client.submitExtrinsic(second)
            Issue.record("a reused nonce was accepted")
        } catch {
            guard case .pool(let rejection) = error else { Issue.record("\(error)"); return }
            #expect(rejection.kind == .invalid)
            #expect(rejection.message.contains("Transaction is outdated"), "\(rejection.message)")
        }
        await client.close()
        await server.stop()
    }
}

/// A `pow_register` the tests build step by step, as btpow's registrar does: v1 work on the head, a mortal era born
/// there, the coldkey's next nonce, the call from the devnet's metadata, signed by `cold`.
struct SignedPoWRegister {
    let extrinsic: SignedExtrinsic
    let workBlock: UInt64
    let workNonce: UInt64
    let seal: Bytes32
    let era: Era
}

extension Node {
    func signedPoWRegister(hotkey: Bytes32, cold: SR25519.Keypair, client: SubtensorClient, metadata: RuntimeMetadata,
                           version: RuntimeVersion, genesis: Bytes32) async throws -> SignedPoWRegister {
        let coldID = Bytes32(cold.publicKey.bytes)!
        let head = try await head()
        let (workNonce, seal) = findNonce(.v1(V1Challenge(netuid: 1, blockHash: head.hash, hotkey: hotkey, coldkey: coldID)),
                                          rule: .chainLittleEndian, difficulty: 10)
        let era = Era.registration(currentBlock: head.number)
        let parameters = SigningParameters(specVersion: version.specVersion, transactionVersion: version.transactionVersion,
                                           genesisHash: genesis, era: era,
                                           eraBirthHash: try await hash(era.birth(currentBlock: head.number)),
                                           nonce: try await client.accountNextIndex(SS58.encode(publicKey: coldID)))
        let unsigned = try ExtrinsicBuilder(metadata: metadata).prepare(pallet: "SubtensorModule", call: "pow_register", arguments: [
            "netuid": .uint(1), "work_block": .uint(UInt128(head.number)), "nonce": .uint(UInt128(workNonce)),
            "work": .bytes(seal.bytes), "hotkey": .bytes(hotkey.bytes),
        ], parameters: parameters)
        return SignedPoWRegister(extrinsic: try unsigned.signed(signer: coldID, signature: cold.sign(unsigned.signingPayload)),
                                 workBlock: head.number, workNonce: workNonce, seal: seal, era: era)
    }
}
