import ChainCodec
import Devnet
import Foundation
import PoWCore
import Subtensor
import Testing

/// Finds a nonce whose seal passes (or, with `passing: false`, fails) `rule` at `difficulty`.
func findNonce(_ challenge: Challenge, rule: DifficultyRule, difficulty: UInt64, passing: Bool = true,
               also: (Bytes32) -> Bool = { _ in true }) -> (nonce: UInt64, seal: Bytes32) {
    let prepared = challenge.prepared
    for nonce in UInt64(0) ..< 5_000_000 {
        let seal = prepared.seal(nonce: nonce)
        if rule.meets(seal: seal, difficulty: difficulty) == passing, also(seal) { return (nonce, seal) }
    }
    // Fail loudly rather than spin: the conditions asked for are (nearly) unsatisfiable.
    preconditionFailure("no nonce in 5,000,000 meets the conditions")
}

func key(_ byte: UInt8) -> Bytes32 { Bytes32(Array(repeating: byte, count: 32))! }

/// The JSON `create-pow` prints: PoWSolution's Codable form, plus `netuid` for legacy work.
func solutionJSON(_ solution: PoWSolution, legacyNetuid: Int? = nil) throws -> JSONValue {
    let data = try JSONEncoder().encode(solution)
    var json = try parseJSON(data)
    if let legacyNetuid, case .object(var o) = json {
        o["netuid"] = .int(Int64(legacyNetuid))
        json = .object(o)
    }
    return json
}

struct Node {
    let server: DevnetServer
    let port: Int

    func call(_ method: String, _ params: JSONValue = []) async throws -> JSONValue {
        try await httpPost(port: port, body: rpcBody(method, params)).json ?? .null
    }

    func head() async throws -> (number: UInt64, hash: Bytes32) {
        let header = try await httpCall(port: port, "chain_getHeader")
        let hash = try await httpCall(port: port, "chain_getBlockHash")
        return (UInt64(header["number"]!.stringValue!.dropFirst(2), radix: 16)!, try Bytes32(hex: hash.stringValue!))
    }

    func hash(_ number: UInt64) async throws -> Bytes32 {
        try Bytes32(hex: try await httpCall(port: port, "chain_getBlockHash", [JSONValue(number)]).stringValue!)
    }

    func produce(_ count: Int = 1) async throws {
        _ = try await httpCall(port: port, "devnet_produceBlock", [.int(Int64(count))])
    }

    func v1(netuid: UInt16, block: UInt64, hotkey: Bytes32, coldkey: Bytes32 = key(0xc0), difficulty: UInt64,
            passing: Bool = true) async throws -> PoWSolution {
        let challenge = Challenge.v1(V1Challenge(netuid: netuid, blockHash: try await hash(block), hotkey: hotkey, coldkey: coldkey))
        let (nonce, seal) = findNonce(challenge, rule: .chainLittleEndian, difficulty: difficulty, passing: passing)
        return PoWSolution(nonce: nonce, blockNumber: block, difficulty: difficulty, seal: seal, challenge: challenge,
                           rule: .chainLittleEndian)
    }

    func legacy(block: UInt64, key hashed: Bytes32, rule: DifficultyRule, difficulty: UInt64, passing: Bool = true,
                also: (Bytes32) -> Bool = { _ in true }) async throws -> PoWSolution {
        let challenge = Challenge.legacy(LegacyChallenge(blockHash: try await hash(block), hotkey: hashed))
        let (nonce, seal) = findNonce(challenge, rule: rule, difficulty: difficulty, passing: passing, also: also)
        return PoWSolution(nonce: nonce, blockNumber: block, difficulty: difficulty, seal: seal, challenge: challenge, rule: rule)
    }

    /// Submits and returns (result, error name).
    func submit(_ solution: PoWSolution, legacyNetuid: Int? = nil) async throws -> (result: JSONValue?, error: String?) {
        let reply = try await call("devnet_submitPow", [try solutionJSON(solution, legacyNetuid: legacyNetuid)])
        if let error = reply["error"] {
            #expect(error["code"] == 1010, "\(error.jsonText)")
            #expect(error["message"]?.stringValue?.hasPrefix(error["data"]?.stringValue ?? "?") == true)
            return (nil, error["data"]?.stringValue)
        }
        return (reply["result"], nil)
    }

    func storageU64(_ item: StorageItem, _ key: [UInt8]) async throws -> UInt64? {
        let result = try await httpCall(port: port, "state_getStorage", [.string(Hex.encode(key))])
        return try item.decode(result.stringValue.map { try Hex.decode($0) })?.uint64
    }
}

func startNode(subnets: [UInt16] = [1, 2], difficulty: UInt64 = 10, legacyRule: DifficultyRule = .chainLittleEndian,
               faucetDifficulty: UInt64 = 10) async throws -> Node {
    let (server, port) = try await startDevnet(subnets: subnets, difficulty: difficulty, legacyRule: legacyRule,
                                               faucetDifficulty: faucetDifficulty)
    return Node(server: server, port: port)
}

/// `devnet_submitPow` checks work as the chain would; one test per outcome.
@Suite(.serialized) struct SubmitPoWTests {
    @Test func v1Registers() async throws {
        let node = try await startNode()
        try await node.produce(3)
        let hotkey = key(0x11)
        let solution = try await node.v1(netuid: 1, block: 3, hotkey: hotkey, difficulty: 10)
        #expect(solution.verify())
        let (result, error) = try await node.submit(solution)
        #expect(error == nil)
        #expect(result == ["uid": 0, "netuid": 1, "hotkey": .string(SS58.encode(publicKey: hotkey))])
        #expect(try await node.storageU64(.uids, StorageItem.uids.key(netuid: 1, hotkey: hotkey)) == 0)
        #expect(try await node.storageU64(.registrationsThisBlock, StorageItem.registrationsThisBlock.key(netuid: 1)) == 1)
        #expect(try await node.storageU64(.lastPoWRegistrationBlock, StorageItem.lastPoWRegistrationBlock.key(hotkey: hotkey)) == 3)

        // Next in the same block: the subnet is full for this block.
        let second = try await node.v1(netuid: 1, block: 3, hotkey: key(0x12), difficulty: 10)
        #expect(try await node.submit(second).error == "TooManyRegistrationsThisBlock")
        // A new block: the counter resets and the next UID is assigned.
        try await node.produce()
        #expect(try await node.storageU64(.registrationsThisBlock, StorageItem.registrationsThisBlock.key(netuid: 1)) == 0)
        #expect(try await node.submit(second).result?["uid"] == 1)
        // The same hotkey again: already registered.
        let again = try await node.v1(netuid: 1, block: 4, hotkey: hotkey, difficulty: 10)
        #expect(try await node.submit(again).error == "HotKeyAlreadyRegisteredInSubNet")
        // Whole object as named params works too.
        let third = try await node.v1(netuid: 2, block: 4, hotkey: key(0x13), difficulty: 10)
        let named = try await node.call("devnet_submitPow", try solutionJSON(third))
        #expect(named["result"]?["uid"] == 0)
        await node.server.stop()
    }

    @Test func v1Refusals() async throws {
        let node = try await startNode(subnets: [1, 2, 3])
        try await node.produce(10)
        let hotkey = key(0x21)

        // Subnet checks.
        let root = try await node.v1(netuid: 0, block: 10, hotkey: hotkey, difficulty: 10)
        #expect(try await node.submit(root).error == "RegistrationNotPermittedOnRootSubnet")
        let missing = try await node.v1(netuid: 9, block: 10, hotkey: hotkey, difficulty: 10)
        #expect(try await node.submit(missing).error == "SubnetNotExists")     // today's pow_register names it so
        _ = try await httpCall(port: node.port, "devnet_setPowRegistrationAllowed", [3, false])
        let disabled = try await node.v1(netuid: 3, block: 10, hotkey: hotkey, difficulty: 10)
        #expect(try await node.submit(disabled).error == "SubNetRegistrationDisabled")

        // Work block, judged in the block built on the head (11): future, stale (5 old there), fresh at 4 old.
        let future = PoWSolution(nonce: 0, blockNumber: 12, difficulty: 10, seal: .zero,
                                 challenge: .v1(V1Challenge(netuid: 1, blockHash: .zero, hotkey: hotkey, coldkey: key(0xc0))),
                                 rule: .chainLittleEndian)
        #expect(try await node.submit(future).error == "InvalidWorkBlock")
        let stale = try await node.v1(netuid: 1, block: 6, hotkey: hotkey, difficulty: 10)
        #expect(!stale.isStale(currentBlock: 10) && stale.isStale(currentBlock: 11))
        #expect(try await node.submit(stale).error == "InvalidWorkBlock")

        // Seal: a wrong nonce, or the work of another coldkey.
        let good = try await node.v1(netuid: 1, block: 7, hotkey: hotkey, difficulty: 10)
        #expect(!good.isStale(currentBlock: 11))
        let wrongNonce = PoWSolution(nonce: good.nonce &+ 1, blockNumber: 7, difficulty: 10, seal: good.seal,
                                     challenge: good.challenge, rule: good.rule)
        #expect(try await node.submit(wrongNonce).error == "InvalidSeal")
        let otherCold = PoWSolution(nonce: good.nonce, blockNumber: 7, difficulty: 10, seal: good.seal,
                                    challenge: .v1(V1Challenge(netuid: 1, blockHash: try await node.hash(7), hotkey: hotkey,
                                                               coldkey: key(0xc1))), rule: good.rule)
        #expect(try await node.submit(otherCold).error == "InvalidSeal")

        // Difficulty: a true seal that misses the subnet's (clamped) difficulty. The solution's own
        // difficulty field does not matter.
        let weak = try await node.v1(netuid: 1, block: 7, hotkey: hotkey, difficulty: 10, passing: false)
        #expect(try await node.submit(weak).error == "InvalidDifficulty")
        _ = try await httpCall(port: node.port, "devnet_setDifficulty", [1, 0])   // clamps to MinDifficulty 1
        #expect(try await node.submit(weak).result?["uid"] == 0)   // 4 blocks old: still fresh

        // LastPowRegistrationBlock: the hotkey's later work must use a later block.
        let replay = try await node.v1(netuid: 2, block: 7, hotkey: hotkey, difficulty: 10)
        #expect(try await node.submit(replay).error == "InvalidWorkBlock")
        let later = try await node.v1(netuid: 2, block: 8, hotkey: hotkey, difficulty: 10)
        #expect(try await node.submit(later).result?["netuid"] == 2)
        await node.server.stop()
    }

    @Test func legacyRegisterAndFaucet() async throws {
        let node = try await startNode()
        try await node.produce(5)
        let hotkey = key(0x31)
        let solution = try await node.legacy(block: 5, key: hotkey, rule: .chainLittleEndian, difficulty: 10)
        // Without a netuid legacy work is faucet work, so this registers only with netuid 1.
        let (result, error) = try await node.submit(solution, legacyNetuid: 1)
        #expect(error == nil)
        #expect(result?["uid"] == 0)
        #expect(try await node.storageU64(.uids, StorageItem.uids.key(netuid: 1, hotkey: hotkey)) == 0)
        #expect(try await node.storageU64(.lastPoWRegistrationBlock, StorageItem.lastPoWRegistrationBlock.key(hotkey: hotkey)) == nil)

        // Legacy freshness is 3 blocks, counted in the block built on the head (7): work 3 old there is
        // refused (v1 would take it).
        try await node.produce()
        let three = try await node.legacy(block: 4, key: key(0x32), rule: .chainLittleEndian, difficulty: 10)
        #expect(try await node.submit(three, legacyNetuid: 1).error == "InvalidWorkBlock")
        let two = try await node.legacy(block: 5, key: key(0x32), rule: .chainLittleEndian, difficulty: 10)
        #expect(try await node.submit(two, legacyNetuid: 1).result?["uid"] == 1)

        // Faucet (netuid -1, or absent): the hashed key is the coldkey; the same work twice is WorkRepeated.
        let coldkey = key(0x41)
        let faucet = try await node.legacy(block: 6, key: coldkey, rule: .chainLittleEndian, difficulty: 10)
        let paid = try await node.submit(faucet, legacyNetuid: -1)
        #expect(paid.result?["faucet"] == true)
        #expect(paid.result?["coldkey"] == .string(SS58.encode(publicKey: coldkey)))
        #expect(try await node.submit(faucet).error == "WorkRepeated")
        // [solution, netuid]: the netuid as a second parameter.
        let asParam = try await node.call("devnet_submitPow", [try solutionJSON(faucet), -1])
        #expect(asParam["error"]?["data"] == "WorkRepeated")

        // Legacy order: difficulty before seal (a new block, so subnet 1 has room again).
        try await node.produce()
        let weak = try await node.legacy(block: 6, key: key(0x33), rule: .chainLittleEndian, difficulty: 10, passing: false)
        #expect(try await node.submit(weak, legacyNetuid: 1).error == "InvalidDifficulty")
        let wrong = PoWSolution(nonce: faucet.nonce &+ 1, blockNumber: 6, difficulty: 10, seal: faucet.seal,
                                challenge: faucet.challenge, rule: faucet.rule)
        #expect(try await node.submit(wrong, legacyNetuid: 1).error == "InvalidSeal")

        // A legacy solution with only block_and_hotkey_hash cannot be checked.
        let bare = PoWSolution(nonce: 1, blockNumber: 6, difficulty: 10, seal: .zero,
                               challenge: .legacy(LegacyChallenge(blockAndHotkeyHash: .zero)), rule: .chainLittleEndian)
        #expect(try await node.submit(bare, legacyNetuid: 1).error == "InvalidSeal")
        await node.server.stop()
    }

    @Test func legacyRuleIsConfigurable() async throws {
        // The chain before 2025-05-30 read seals big-endian: a seal passing little-endian only is refused.
        let node = try await startNode(legacyRule: .chainBigEndian)
        try await node.produce(2)
        let leOnly = try await node.legacy(block: 2, key: key(0x51), rule: .chainLittleEndian, difficulty: 10,
                                           also: { !DifficultyRule.chainBigEndian.meets(seal: $0, difficulty: 10) })
        #expect(try await node.submit(leOnly, legacyNetuid: 1).error == "InvalidDifficulty")
        let beToo = try await node.legacy(block: 2, key: key(0x51), rule: .chainBigEndian, difficulty: 10)
        #expect(try await node.submit(beToo, legacyNetuid: 1).result?["uid"] == 0)
        await node.server.stop()
    }

    @Test func registerHotkeyAdminMethod() async throws {
        let node = try await startNode()
        let hotkey = key(0x61)
        let first = try await httpCall(port: node.port, "devnet_registerHotkey", [1, .string(SS58.encode(publicKey: hotkey))])
        #expect(first == ["uid": 0, "netuid": 1, "hotkey": .string(SS58.encode(publicKey: hotkey))])
        let again = try await node.call("devnet_registerHotkey", [1, .string(SS58.encode(publicKey: hotkey))])
        #expect(again["error"]?["data"] == "HotKeyAlreadyRegisteredInSubNet")
        let noSubnet = try await node.call("devnet_registerHotkey", [5, .string(SS58.encode(publicKey: hotkey))])
        #expect(noSubnet["error"] != nil)
        await node.server.stop()
    }
}
