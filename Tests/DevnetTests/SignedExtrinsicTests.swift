import ChainCodec
import ChainMetadata
import Devnet
import Extrinsics
import Keys
import PoWCore
import Testing
import TestSupport

/// Signed pow_register and faucet extrinsics, built and signed with btpow's own Extrinsics and Keys from the
/// devnet's metadata, submitted over a real WebSocket and judged as a node judges them.
@Suite struct SignedExtrinsicTests {
    /// What a client learns from the node before signing.
    struct Session {
        let node: Node
        let ws: WSTestClient
        let builder: ExtrinsicBuilder
        let genesis: Bytes32
        let sodium: Sodium

        static func open(port: Int, server: DevnetServer) async throws -> Session {
            let node = Node(server: server, port: port)
            let ws = try await WSTestClient.connect(port: port)
            let metadataHex = try await ws.call("state_getMetadata")["result"]!.stringValue!
            let metadata = try RuntimeMetadata(bytes: try Hex.decode(metadataHex))
            let genesis = try Bytes32(hex: try await ws.call("chain_getBlockHash", [0])["result"]!.stringValue!)
            return Session(node: node, ws: ws, builder: ExtrinsicBuilder(metadata: metadata), genesis: genesis,
                           sodium: try Sodium.shared())
        }

        func keypair(_ byte: UInt8) throws -> SR25519.Keypair {
            try SR25519.Keypair(miniSecret: SecretBytes(copying: [UInt8](repeating: byte, count: 32)), sodium: sodium)
        }

        func nextIndex(_ account: Bytes32) async throws -> UInt64 {
            try await ws.call("system_accountNextIndex", [.string(SS58.encode(publicKey: account))])["result"]!.uint64Value!
        }

        /// Signs `call` for `signer` with the node's versions, genesis and a registration era born at the head.
        func sign(_ pallet: String, _ call: String, _ arguments: [String: ScaleValue], signer: SR25519.Keypair,
                  nonce: UInt64? = nil, genesis: Bytes32? = nil, era: Era? = nil,
                  birthHash: Bytes32? = nil) async throws -> SignedExtrinsic {
            let version = try await ws.call("state_getRuntimeVersion")["result"]!
            let resolvedNonce: UInt64
            if let nonce { resolvedNonce = nonce } else { resolvedNonce = try await nextIndex(Bytes32(signer.publicKey.bytes)!) }
            let head = try await node.head()
            let account = Bytes32(signer.publicKey.bytes)!
            let era = era ?? Era.registration(currentBlock: head.number)
            let birth = era.birth(currentBlock: head.number)
            let birthHashValue: Bytes32
            if let birthHash { birthHashValue = birthHash } else { birthHashValue = try await node.hash(birth) }
            let parameters = SigningParameters(
                specVersion: UInt32(version["specVersion"]!.uint64Value!),
                transactionVersion: UInt32(version["transactionVersion"]!.uint64Value!),
                genesisHash: genesis ?? self.genesis, era: era, eraBirthHash: birthHashValue,
                nonce: resolvedNonce)
            let unsigned = try builder.prepare(pallet: pallet, call: call, arguments: arguments, parameters: parameters)
            return try unsigned.signed(signer: account, signature: signer.sign(unsigned.signingPayload))
        }

        /// A pow_register for `hotkey` on `netuid`, mined on the head for `coldkey`.
        func powRegister(netuid: UInt16, hotkey: Bytes32, coldkey: SR25519.Keypair, nonce: UInt64? = nil,
                         genesis: Bytes32? = nil, era: Era? = nil) async throws -> SignedExtrinsic {
            let head = try await node.head()
            let cold = Bytes32(coldkey.publicKey.bytes)!
            let (workNonce, seal) = findNonce(.v1(V1Challenge(netuid: netuid, blockHash: head.hash, hotkey: hotkey, coldkey: cold)),
                                              rule: .chainLittleEndian, difficulty: 10)
            return try await sign("SubtensorModule", "pow_register", [
                "netuid": .uint(UInt128(netuid)), "work_block": .uint(UInt128(head.number)), "nonce": .uint(UInt128(workNonce)),
                "work": .bytes(seal.bytes), "hotkey": .bytes(hotkey.bytes),
            ], signer: coldkey, nonce: nonce, genesis: genesis, era: era)
        }

        func storage(_ key: [UInt8], at: Bytes32? = nil) async throws -> [UInt8]? {
            var params: [JSONValue] = [.string(Hex.encode(key))]
            if let at { params.append(.string(at.hex)) }
            guard let text = try await ws.call("state_getStorage", .array(params))["result"]?.stringValue else { return nil }
            return try Hex.decode(text)
        }

        /// Submits and watches; returns the subscription id after "ready".
        func submitAndWatch(_ x: SignedExtrinsic, id: Int64) async throws -> String {
            let reply = try await ws.call("author_submitAndWatchExtrinsic", [.string(Hex.encode(x.bytes))], id: .int(id))
            let subscription = try #require(reply["result"]?.stringValue, "\(reply)")
            let ready = try await update(subscription)
            #expect(ready == .string("ready"))
            return subscription
        }

        func update(_ subscription: String) async throws -> JSONValue {
            let message = try await ws.messages.take(timeout: .seconds(5), "author_extrinsicUpdate") {
                $0["method"] == .string("author_extrinsicUpdate") && $0["params"]?["subscription"] == .string(subscription)
            }
            return message["params"]!["result"]!
        }

        /// The reply error to `author_submitExtrinsic` (nil when accepted).
        func rejection(_ x: SignedExtrinsic, id: Int64 = 99) async throws -> (code: Int64, data: String)? {
            let reply = try await ws.call("author_submitExtrinsic", [.string(Hex.encode(x.bytes))], id: .int(id))
            guard let error = reply["error"] else { return nil }
            return (error["code"]!.intValue!, error["data"]?.stringValue ?? "")
        }
    }

    /// System.Events records of a block, by shape: (phase, pallet, variant, fields after the variant).
    static func events(_ bytes: [UInt8]?, metadata: RuntimeMetadata) throws -> [(phase: UInt32, name: String, detail: [UInt8])] {
        guard let bytes else { return [] }
        var d = SCALEDecoder(bytes)
        let count = try SCALE.decodeCompact(&d)
        var out: [(UInt32, String, [UInt8])] = []
        for _ in 0 ..< count {
            #expect(Array(try d.read(count: 1, for: "phase")) == [0])
            let phase = try d.decode(UInt32.self)
            let pallet = try d.read(count: 1, for: "pallet").first!, variant = try d.read(count: 1, for: "variant").first!
            let dispatchInfo = 4 + 1 + 1 + 1 // Weight { compact ref_time (100,000,000: 4 bytes), compact proof_size 0 }, class, pays
            switch (pallet, variant) {
            case (0, 0):
                _ = try d.read(count: dispatchInfo, for: "info")
                out.append((phase, "ExtrinsicSuccess", []))
            case (0, 1):
                #expect(try d.read(count: 1, for: "DispatchError").first == 3)
                let index = try d.read(count: 1, for: "module").first!
                let error = Array(try d.read(count: 4, for: "error"))
                _ = try d.read(count: dispatchInfo, for: "info")
                out.append((phase, "ExtrinsicFailed:" + (try metadata.error(palletIndex: index, errorIndex: error[0]).name), []))
            case (7, 0):
                out.append((phase, "NeuronRegistered", Array(try d.read(count: 2 + 2 + 32, for: "fields"))))
            case (7, 1):
                out.append((phase, "Faucet", Array(try d.read(count: 32 + 8, for: "fields"))))
            default:
                Issue.record("unexpected event \(pallet)/\(variant)")
                return out
            }
            #expect(Array(try d.read(count: 1, for: "topics")) == [0])
        }
        try d.finish(type: "events")
        return out
    }

    static let eventsKey = Twox.hash128("System") + Twox.hash128("Events")
    static func accountKey(_ a: Bytes32) -> [UInt8] { Twox.hash128("System") + Twox.hash128("Account") + blake2b128(a.bytes) + a.bytes }

    @Test func metadataReadsBackAndBuildsTheRegistrationCalls() async throws {
        let (server, port) = try await startDevnet()
        let s = try await Session.open(port: port, server: server)
        defer { Task { await s.ws.close(); await server.stop() } }
        let metadata = s.builder.metadata
        #expect(metadata.version == 14)
        #expect(metadata.extrinsic.signedExtensions.map(\.identifier) == [
            "CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality", "CheckNonce",
            "CheckWeight", "ChargeTransactionPayment", "SudoTransactionExtension", "CheckShieldedTxValidity",
            "SubtensorTransactionExtension", "DrandPriority", "CheckMetadataHash",
        ])
        let fee = metadata.extrinsic.signedExtensions[7]
        #expect(try metadata.types.type(fee.type).path.last == "ChargeTransactionPaymentWrapper")
        let pow = try metadata.call(pallet: "SubtensorModule", name: "pow_register")
        #expect(pow.arguments.map(\.name) == ["netuid", "work_block", "nonce", "work", "hotkey"])
        #expect(pow.arguments.map { metadata.types.name($0.type) } == ["u16", "u64", "u64", "[u8; 32]", "AccountId32"])
        let faucet = try metadata.call(pallet: "SubtensorModule", name: "faucet")
        #expect(faucet.arguments.map { metadata.types.name($0.type) } == ["u64", "u64", "Vec<u8>"])
        for entry in ["Difficulty", "MinDifficulty", "MaxDifficulty", "NetworksAdded", "Uids", "NetworkPowRegistrationAllowed",
                      "RegistrationsThisBlock", "MaxRegistrationsPerBlock", "LastPowRegistrationBlock", "Owner"] {
            _ = try metadata.storageEntry(pallet: "SubtensorModule", entry: entry)
        }
        for entry in ["Account", "Events", "Number", "BlockHash"] { _ = try metadata.storageEntry(pallet: "System", entry: entry) }
        // Every refusal a dispatch can raise is a SubtensorModule error in the metadata.
        for refusal in DevnetRegistrationRefusal.allCases where refusal != .subNetworkDoesNotExist {
            #expect(DevnetRuntime.subtensorErrors.contains(refusal.name), "\(refusal.name)")
        }
        // The same bytes encode again from the decoded value.
        #expect(try metadata.encoded() == DevnetRuntime.shared.bytes)
    }

    @Test func powRegisterAndFaucetGoReadyInBlockFinalized() async throws {
        let (server, port) = try await startDevnet()
        let s = try await Session.open(port: port, server: server)
        defer { Task { await s.ws.close(); await server.stop() } }
        try await s.node.produce(2)
        let cold = try s.keypair(0x11)
        let coldID = Bytes32(cold.publicKey.bytes)!
        let hotkey = key(0x22)

        let register = try await s.powRegister(netuid: 1, hotkey: hotkey, coldkey: cold)
        let sub = try await s.submitAndWatch(register, id: 10)
        #expect(try await s.nextIndex(coldID) == 1)     // the pool counts, as a node's accountNextIndex does
        try await s.node.produce()
        let inBlock = try await s.update(sub)
        let blockHash = try Bytes32(hex: try #require(inBlock["inBlock"]?.stringValue))
        #expect(try await s.update(sub) == ["finalized": .string(blockHash.hex)])

        let block = try await s.ws.call("chain_getBlock", [.string(blockHash.hex)])["result"]!
        #expect(block["block"]?["extrinsics"] == .array([.string(Hex.encode(register.bytes))]))
        #expect(try await s.storage(StorageItem.uids.key(netuid: 1, hotkey: hotkey)) == [0, 0])
        let events = try Self.events(try await s.storage(Self.eventsKey), metadata: s.builder.metadata)
        #expect(events.map(\.name) == ["NeuronRegistered", "ExtrinsicSuccess"])
        #expect(events.first?.detail == [1, 0, 0, 0] + hotkey.bytes)
        let account = try #require(try await s.storage(Self.accountKey(coldID)))
        #expect(Array(account[0 ..< 4]) == [1, 0, 0, 0])                   // nonce 1
        #expect(try await s.storage(DevnetStorageKeys.owner(hotkey)) == coldID.bytes)
        let blockHashKey = Twox.hash128("System") + Twox.hash128("BlockHash") + Twox.hash64(UInt32(1).scaleEncoded) + UInt32(1).scaleEncoded
        #expect(try await s.storage(blockHashKey) == (try await s.node.hash(1)).bytes)
        #expect(try await s.storage(StorageItem.lastPoWRegistrationBlock.key(hotkey: hotkey)) != nil)

        // The faucet: legacy work over the signer, 1,000 TAO minted.
        let head = try await s.node.head()
        let (workNonce, seal) = findNonce(.legacy(LegacyChallenge(blockHash: head.hash, hotkey: coldID)),
                                          rule: .chainLittleEndian, difficulty: 10)
        let faucet = try await s.sign("SubtensorModule", "faucet", [
            "block_number": .uint(UInt128(head.number)), "nonce": .uint(UInt128(workNonce)), "work": .bytes(seal.bytes),
        ], signer: cold)
        let fsub = try await s.submitAndWatch(faucet, id: 11)
        try await s.node.produce()
        #expect(try await s.update(fsub)["inBlock"] != nil)
        #expect(try Self.events(try await s.storage(Self.eventsKey), metadata: s.builder.metadata).map(\.name)
                == ["Faucet", "ExtrinsicSuccess"])
        let funded = try #require(try await s.storage(Self.accountKey(coldID)))
        #expect(Array(funded[0 ..< 4]) == [2, 0, 0, 0])
        #expect(Array(funded[16 ..< 24]) == UInt64(1_000_000_000_000).scaleEncoded)
        let accountInfoLength = 56      // 4 × u32, 3 × u64, u128
        #expect(funded.count == accountInfoLength)
    }

    @Test func nodeRejectionsLeaveTheStateUnchanged() async throws {
        let (server, port) = try await startDevnet()
        let s = try await Session.open(port: port, server: server)
        defer { Task { await s.ws.close(); await server.stop() } }
        try await s.node.produce(2)
        let cold = try s.keypair(0x33)
        let coldID = Bytes32(cold.publicKey.bytes)!
        let hotkey = key(0x44)
        let uidKey = StorageItem.uids.key(netuid: 1, hotkey: hotkey)

        // A tampered signature.
        let good = try await s.powRegister(netuid: 1, hotkey: hotkey, coldkey: cold)
        var tampered = good.bytes
        tampered[2 + 1 + 1 + 32 + 1 + 5] ^= 1          // length (2 bytes), version, address tag, signer, signature tag: inside R
        let tamperedReply = try await s.ws.call("author_submitExtrinsic", [.string(Hex.encode(tampered))], id: 20)
        #expect(tamperedReply["error"]?["code"] == 1010)
        #expect(tamperedReply["error"]?["message"] == "Invalid Transaction")
        #expect(tamperedReply["error"]?["data"] == "Transaction has a bad signature")

        // Signed for another chain (wrong genesis): the payload differs, so the signature is bad.
        let otherChain = try await s.powRegister(netuid: 1, hotkey: hotkey, coldkey: cold, genesis: key(0x99))
        #expect(try await s.rejection(otherChain)?.data == "Transaction has a bad signature")

        // Malformed bytes.
        let malformed = try await s.ws.call("author_submitExtrinsic", [.string(Hex.encode(Array(good.bytes.dropLast())))], id: 21)
        #expect(malformed["error"]?["code"] == 1001)

        // An era that has expired: its birth block (as the node computes it now) is not the one signed.
        let shortEra = Era.mortal(requestedPeriod: 4, currentBlock: try await s.node.head().number)
        let expiring = try await s.powRegister(netuid: 1, hotkey: hotkey, coldkey: cold, era: shortEra)
        try await s.node.produce(4)
        #expect(try await s.rejection(expiring)?.data == "Transaction has a bad signature")
        // A birth block the chain has not made yet (phase 63 of a 64-block era, at block 8).
        let unborn = try await s.sign("SubtensorModule", "faucet", ["block_number": .uint(1), "nonce": .uint(0), "work": .bytes([])],
                                      signer: cold, era: .mortal(period: 64, phase: 63), birthHash: key(0x77))
        #expect(try await s.rejection(unborn)?.data == "Transaction has an ancient birth block")

        #expect(try await s.storage(uidKey) == nil)
        #expect(try await s.storage(Self.accountKey(coldID)) == nil)
        #expect(try await s.ws.call("author_pendingExtrinsics")["result"] == .array([]))

        // Accepted, included; then the same nonce again is outdated.
        let accepted = try await s.powRegister(netuid: 1, hotkey: hotkey, coldkey: cold)
        #expect(try await s.rejection(accepted) == nil)
        #expect(try await s.rejection(accepted)?.code == 1013)      // already in the pool
        try await s.node.produce()
        #expect(try await s.storage(uidKey) == [0, 0])
        let reused = try await s.powRegister(netuid: 1, hotkey: key(0x45), coldkey: cold, nonce: 0)
        #expect(try await s.rejection(reused)?.data == "Transaction is outdated")
        #expect(try await s.storage(StorageItem.uids.key(netuid: 1, hotkey: key(0x45))) == nil)
        let account = try #require(try await s.storage(Self.accountKey(coldID)))
        #expect(Array(account[0 ..< 4]) == [1, 0, 0, 0])

        // A nonce ahead (2, while 1 is next) waits in the future queue: accepted, watched as "future", not included,
        // and accountNextIndex stays 1. Once 1 arrives (a faucet), both go into the next block, in nonce order.
        let ahead = try await s.powRegister(netuid: 1, hotkey: key(0x45), coldkey: cold, nonce: 2)
        let aheadSub = try await {
            let reply = try await s.ws.call("author_submitAndWatchExtrinsic", [.string(Hex.encode(ahead.bytes))], id: 50)
            return try #require(reply["result"]?.stringValue, "\(reply)")
        }()
        #expect(try await s.update(aheadSub) == .string("future"))
        #expect(try await s.nextIndex(coldID) == 1)
        try await s.node.produce()
        #expect(try await s.storage(StorageItem.uids.key(netuid: 1, hotkey: key(0x45))) == nil)
        #expect(try await s.ws.call("author_pendingExtrinsics", [], id: 51)["result"] == .array([.string(Hex.encode(ahead.bytes))]))
        let head = try await s.node.head()
        let (n, seal) = findNonce(.legacy(LegacyChallenge(blockHash: head.hash, hotkey: coldID)), rule: .chainLittleEndian, difficulty: 10)
        let filler = try await s.sign("SubtensorModule", "faucet", [
            "block_number": .uint(UInt128(head.number)), "nonce": .uint(UInt128(n)), "work": .bytes(seal.bytes),
        ], signer: cold)
        #expect(try await s.rejection(filler, id: 52) == nil)
        #expect(try await s.update(aheadSub) == .string("ready"))
        #expect(try await s.nextIndex(coldID) == 3)
        try await s.node.produce()
        #expect(try await s.update(aheadSub)["inBlock"] != nil)
        #expect(try Self.events(try await s.storage(Self.eventsKey), metadata: s.builder.metadata).map(\.name)
                == ["Faucet", "ExtrinsicSuccess", "NeuronRegistered", "ExtrinsicSuccess"])
        #expect(try await s.storage(StorageItem.uids.key(netuid: 1, hotkey: key(0x45))) == [1, 0])
        #expect(try await s.nextIndex(coldID) == 3)
    }

    @Test func dispatchErrorsArriveAsExtrinsicFailed() async throws {
        let (server, port) = try await startDevnet()
        let s = try await Session.open(port: port, server: server)
        defer { Task { await s.ws.close(); await server.stop() } }
        try await s.node.produce(2)
        let cold = try s.keypair(0x55)
        let coldID = Bytes32(cold.publicKey.bytes)!

        // PoW registration disabled after the pool admitted it: included, failed, nonce spent, nothing registered.
        let disabled = try await s.powRegister(netuid: 1, hotkey: key(0x66), coldkey: cold)
        let sub = try await s.submitAndWatch(disabled, id: 30)
        _ = try await httpCall(port: port, "devnet_setPowRegistrationAllowed", [1, false])
        try await s.node.produce()
        #expect(try await s.update(sub)["inBlock"] != nil)
        #expect(try Self.events(try await s.storage(Self.eventsKey), metadata: s.builder.metadata).map(\.name)
                == ["ExtrinsicFailed:SubNetRegistrationDisabled"])
        #expect(try await s.storage(StorageItem.uids.key(netuid: 1, hotkey: key(0x66))) == nil)
        #expect(try await s.nextIndex(coldID) == 1)
        // Disabled when it arrives: SubtensorTransactionExtension refuses it at the pool (BadRequest).
        let refused = try await s.powRegister(netuid: 1, hotkey: key(0x66), coldkey: cold)
        #expect(try await s.rejection(refused, id: 33)?.data == "Custom error: 255")

        // Stale work at the pool: InvalidWorkBlock is custom error 38 (the window is 3 blocks).
        _ = try await httpCall(port: port, "devnet_setPowRegistrationAllowed", [1, true])
        let stale = try await s.powRegister(netuid: 1, hotkey: key(0x69), coldkey: cold)
        try await s.node.produce(2)       // executing block: work block + 3
        let staleReply = try await s.ws.call("author_submitExtrinsic", [.string(Hex.encode(stale.bytes))], id: 34)
        #expect(staleReply["error"]?["code"] == 1010)
        #expect(staleReply["error"]?["data"] == "Custom error: 38")
        // Work for another coldkey than the signer: InvalidSeal, 40.
        let other = try s.keypair(0x56)
        let head = try await s.node.head()
        let (n, wrongSeal) = findNonce(.v1(V1Challenge(netuid: 1, blockHash: head.hash, hotkey: key(0x6a),
                                                       coldkey: Bytes32(other.publicKey.bytes)!)),
                                       rule: .chainLittleEndian, difficulty: 10)
        let forged = try await s.sign("SubtensorModule", "pow_register", [
            "netuid": .uint(1), "work_block": .uint(UInt128(head.number)), "nonce": .uint(UInt128(n)),
            "work": .bytes(wrongSeal.bytes), "hotkey": .bytes(key(0x6a).bytes),
        ], signer: cold)
        #expect(try await s.rejection(forged, id: 35)?.data == "Custom error: 40")
        #expect(try await s.nextIndex(coldID) == 1)

        // Two registrations in one block, MaxRegistrationsPerBlock 1: both pass the pool (each judged alone), the
        // second fails in the block.
        let first = try await s.powRegister(netuid: 1, hotkey: key(0x67), coldkey: cold)
        #expect(try await s.rejection(first, id: 31) == nil)
        let second = try await s.powRegister(netuid: 1, hotkey: key(0x68), coldkey: cold)   // nonce 2, from the pool
        #expect(try await s.rejection(second, id: 32) == nil)
        try await s.node.produce()
        #expect(try Self.events(try await s.storage(Self.eventsKey), metadata: s.builder.metadata).map(\.name)
                == ["NeuronRegistered", "ExtrinsicSuccess", "ExtrinsicFailed:TooManyRegistrationsThisBlock"])
        #expect(try await s.storage(StorageItem.uids.key(netuid: 1, hotkey: key(0x67))) == [0, 0])
        #expect(try await s.storage(StorageItem.uids.key(netuid: 1, hotkey: key(0x68))) == nil)
        #expect(try await s.nextIndex(coldID) == 3)
    }
}

extension SignedExtrinsicTests {
    @Test func powDisabledAtStartAndUnwatch() async throws {
        let server = DevnetServer(configuration: DevnetConfiguration(port: 0, blockTime: .zero, subnets: [1, 2], difficulty: 10,
                                                                     faucetDifficulty: 10, powRegistrationAllowed: false),
                                  logger: testLogger())
        let port = try await server.start()
        let s = try await Session.open(port: port, server: server)
        defer { Task { await s.ws.close(); await server.stop() } }
        try await s.node.produce(2)
        for netuid: UInt16 in [1, 2] {
            let allowed = try await s.storage(StorageItem.networkPoWRegistrationAllowed.key(netuid: netuid))
            #expect(allowed == [0], "subnet \(netuid)")
        }
        let cold = try s.keypair(0x71)
        #expect(try await s.rejection(try await s.powRegister(netuid: 1, hotkey: key(0x72), coldkey: cold))?.data == "Custom error: 255")
        _ = try await httpCall(port: port, "devnet_setPowRegistrationAllowed", [1, true])

        // Watched, then unwatched: the extrinsic stays in the pool and is included; no more notifications.
        let x = try await s.powRegister(netuid: 1, hotkey: key(0x72), coldkey: cold)
        let sub = try await s.submitAndWatch(x, id: 40)
        let pending: JSONValue = .array([.string(Hex.encode(x.bytes))])
        #expect(try await s.ws.call("author_pendingExtrinsics", [], id: 41)["result"] == pending)
        let unwatch: JSONValue = [.string(sub)]
        #expect(try await s.ws.call("author_unwatchExtrinsic", unwatch, id: 42)["result"] == .bool(true))
        #expect(try await s.ws.call("author_unwatchExtrinsic", unwatch, id: 43)["result"] == .bool(false))
        try await s.node.produce()
        #expect(try await s.storage(StorageItem.uids.key(netuid: 1, hotkey: key(0x72))) == [0, 0])
        try await Task.sleep(for: .milliseconds(100))
        #expect(await s.ws.messages.count == 0)
    }
}

/// SubtensorModule.Owner's key, built here from its parts (twox128 prefix, Blake2_128Concat of the hotkey).
enum DevnetStorageKeys {
    static func owner(_ hotkey: Bytes32) -> [UInt8] {
        Twox.hash128("SubtensorModule") + Twox.hash128("Owner") + blake2b128(hotkey.bytes) + hotkey.bytes
    }
}
