import Logging
import PoWCore
import ChainCodec

/// A WebSocket client's way back: what the chain writes to it (replies and notifications), in order.
final class Connection: Sendable {
    let id: UInt64
    let outbox: AsyncStream<String>.Continuation

    init(id: UInt64, outbox: AsyncStream<String>.Continuation) {
        self.id = id
        self.outbox = outbox
    }

    func send(_ value: JSONValue) { outbox.yield(value.jsonText) }
}

/// The chain itself: blocks, state, subscriptions and the JSON-RPC methods. Transport-free.
actor DevnetChain {
    static let chainName = "btpow devnet"
    static let nodeName = "btpow-devnet"
    static let nodeVersion = "1.0.0"
    /// Substrate's empty trie root (blake2_256 of [0]): what an empty extrinsics root looks like.
    static let emptyTrieRoot = try! Bytes32(hex: "0x03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314")

    let configuration: DevnetConfiguration
    let logger: Logger

    /// Recent blocks, oldest first; `blocks.last` is the head.
    private var blocks: [Block] = []
    private var numberByHash: [Bytes32: UInt64] = [:]
    private var subscriptions: [String: Connection] = [:]

    init(configuration: DevnetConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var state = ChainState()
        state.subnets[0] = SubnetState(difficulty: configuration.difficulty, powRegistrationAllowed: false)
        for netuid in configuration.subnets where netuid != 0 {
            state.subnets[netuid] = Self.newSubnet(configuration)
        }
        let genesis = Self.makeHeader(number: 0, parent: .zero, state: state)
        blocks = [Block(header: genesis, state: state)]
        numberByHash[genesis.hash] = 0
    }

    static func newSubnet(_ configuration: DevnetConfiguration) -> SubnetState {
        SubnetState(difficulty: configuration.difficulty, minDifficulty: 1, maxDifficulty: UInt64.max / 4,
                    powRegistrationAllowed: true, maxRegistrationsPerBlock: configuration.maxRegistrationsPerBlock)
    }

    /// Header hash as Substrate computes it: blake2b-256 of the SCALE header
    /// (parent ‖ compact number ‖ state root ‖ extrinsics root ‖ empty digest).
    static func makeHeader(number: UInt64, parent: Bytes32, state: ChainState) -> BlockHeader {
        let stateRoot = state.digest
        var encoded = parent.bytes
        encoded += SCALE.compact(number)
        encoded += stateRoot.bytes
        encoded += emptyTrieRoot.bytes
        encoded.append(0)   // digest: Vec<DigestItem> of length 0
        let hash = Bytes32(blake2b256(encoded))!
        return BlockHeader(number: number, hash: hash, parentHash: parent, stateRoot: stateRoot, extrinsicsRoot: emptyTrieRoot)
    }

    // MARK: Blocks

    var head: BlockHeader { blocks[blocks.count - 1].header }
    var headState: ChainState { blocks[blocks.count - 1].state }

    func header(number: UInt64) -> BlockHeader? { block(number: number)?.header }

    private func block(number: UInt64) -> Block? {
        guard let first = blocks.first?.header.number, number >= first else { return nil }
        let index = Int(number - first)
        return index < blocks.count ? blocks[index] : nil
    }

    private func block(hash: Bytes32) -> Block? {
        guard let n = numberByHash[hash] else { return nil }
        return block(number: n)
    }

    /// Seals the head and starts the next block: RegistrationsThisBlock resets, subscribers hear of it.
    @discardableResult
    func produceBlock() -> BlockHeader {
        var state = headState
        for netuid in state.subnets.keys { state.subnets[netuid]!.registrationsThisBlock = 0 }
        let header = Self.makeHeader(number: head.number + 1, parent: head.hash, state: state)
        blocks.append(Block(header: header, state: state))
        numberByHash[header.hash] = header.number
        let excess = blocks.count - max(configuration.historyDepth, 16)
        if excess > 0 {
            for old in blocks[0 ..< excess] { numberByHash[old.header.hash] = nil }
            blocks.removeFirst(excess)
        }
        logger.debug("devnet block", metadata: ["number": "\(header.number)", "hash": "\(header.hash.hex)"])
        let headerJSON = header.json
        for (id, connection) in subscriptions {
            connection.send(RPCEnvelope.notification(method: "chain_newHead", subscription: .string(id), result: headerJSON))
        }
        return header
    }

    // MARK: Admin (also used in process)

    private func mutateHead(_ body: (inout ChainState) throws(DevnetRPCError) -> Void) throws(DevnetRPCError) {
        try body(&blocks[blocks.count - 1].state)
    }

    func addSubnet(_ netuid: UInt16) throws(DevnetRPCError) {
        try mutateHead { state throws(DevnetRPCError) in
            if state.subnets[netuid] != nil { throw DevnetRPCError(code: 1000, message: "subnet \(netuid) already exists") }
            state.subnets[netuid] = Self.newSubnet(configuration)
        }
        logger.info("devnet subnet added", metadata: ["netuid": "\(netuid)"])
    }

    func setDifficulty(_ netuid: UInt16, _ difficulty: UInt64) throws(DevnetRPCError) {
        try mutateHead { state throws(DevnetRPCError) in
            guard state.subnets[netuid] != nil else { throw DevnetRPCError(code: 1000, message: "subnet \(netuid) does not exist") }
            state.subnets[netuid]!.difficulty = difficulty
        }
    }

    func setPowRegistrationAllowed(_ netuid: UInt16, _ allowed: Bool) throws(DevnetRPCError) {
        try mutateHead { state throws(DevnetRPCError) in
            guard state.subnets[netuid] != nil else { throw DevnetRPCError(code: 1000, message: "subnet \(netuid) does not exist") }
            state.subnets[netuid]!.powRegistrationAllowed = allowed
        }
    }

    func setMaxRegistrationsPerBlock(_ netuid: UInt16, _ max: UInt16) throws(DevnetRPCError) {
        try mutateHead { state throws(DevnetRPCError) in
            guard state.subnets[netuid] != nil else { throw DevnetRPCError(code: 1000, message: "subnet \(netuid) does not exist") }
            state.subnets[netuid]!.maxRegistrationsPerBlock = max
        }
    }

    /// Registers a hotkey without work (as a burned registration would); returns its UID.
    func registerHotkey(_ netuid: UInt16, _ hotkey: Bytes32) throws(DevnetRPCError) -> UInt16 {
        var uid: UInt16 = 0
        try mutateHead { state throws(DevnetRPCError) in
            guard var subnet = state.subnets[netuid] else { throw DevnetRPCError(code: 1000, message: "subnet \(netuid) does not exist") }
            if let existing = subnet.uids[hotkey] {
                throw DevnetRPCError(code: DevnetRPCError.registrationRefusedCode,
                               message: "HotKeyAlreadyRegisteredInSubNet: hotkey already holds uid \(existing) on subnet \(netuid)",
                               data: .string(RegistrationRefusal.hotKeyAlreadyRegisteredInSubNet.name))
            }
            uid = subnet.nextUID
            subnet.uids[hotkey] = uid
            state.subnets[netuid] = subnet
        }
        return uid
    }

    func submit(_ submission: Submission) throws(RegistrationError) -> RegistrationOutcome {
        let registrar = Registrar(legacyRule: configuration.legacyRule, faucetDifficulty: configuration.faucetDifficulty,
                                  // The extrinsic executes in the block built on the head.
                                  current: head.number + 1,
                                  blockHash: { [blocks] n in
                                      guard let first = blocks.first?.header.number, n >= first,
                                            Int(n - first) < blocks.count else { return nil }
                                      return blocks[Int(n - first)].header.hash
                                  })
        var state = headState
        let outcome = try registrar.submit(submission, state: &state)
        blocks[blocks.count - 1].state = state
        logger.info("devnet registration accepted", metadata: ["outcome": "\(outcome)"])
        return outcome
    }

    // MARK: Storage

    /// The SCALE bytes stored under `key` in `state`, or nil when nothing is stored there.
    static func storage(_ key: [UInt8], in state: ChainState, number: UInt64) -> [UInt8]? {
        guard let (item, arguments) = StorageItem.parse(key: key) else { return nil }
        let value: StorageValue?
        switch (item, arguments.first) {
        case (.systemNumber, _):
            // A node stores block N's own number in block N's state.
            value = .u32(UInt32(truncatingIfNeeded: number))
        case (.lastPowRegistrationBlock, .account(let hotkey)?):
            value = state.lastPowRegistrationBlock[hotkey].map { .u64($0) }
        case (_, .netuid(let netuid)?):
            guard let subnet = state.subnets[netuid] else { return nil }
            switch item {
            case .difficulty: value = .u64(subnet.difficulty)
            case .minDifficulty: value = .u64(subnet.minDifficulty)
            case .maxDifficulty: value = .u64(subnet.maxDifficulty)
            case .networksAdded: value = .bool(true)
            case .networkPowRegistrationAllowed: value = .bool(subnet.powRegistrationAllowed)
            case .registrationsThisBlock: value = .u16(subnet.registrationsThisBlock)
            case .maxRegistrationsPerBlock: value = .u16(subnet.maxRegistrationsPerBlock)
            case .uids:
                guard arguments.count == 2, case .account(let hotkey) = arguments[1] else { return nil }
                value = subnet.uids[hotkey].map { .u16($0) }
            default: value = nil
            }
        default:
            value = nil
        }
        guard let value else { return nil }
        return try? item.encode(value)
    }

    // MARK: JSON-RPC

    /// Answers one call. nil: no reply to send (a notification, or the reply was already written to `connection`).
    func handle(_ call: RPCCall, connection: Connection?) -> JSONValue? {
        let id = call.id ?? .null
        do throws(DevnetRPCError) {
            switch call.method {
            case "chain_subscribeNewHeads", "chain_subscribeAllHeads", "chain_subscribeFinalizedHeads",
                 "subscribe_newHead":
                guard let connection else { throw DevnetRPCError.methodNotFound }
                try call.params.expectAtMost(0)
                let subscription = Self.newSubscriptionID()
                subscriptions[subscription] = connection
                // The reply first, then (as a node does) the current head as the first notification.
                if call.id != nil { connection.send(RPCEnvelope.result(.string(subscription), id: id)) }
                connection.send(RPCEnvelope.notification(method: "chain_newHead", subscription: .string(subscription),
                                                         result: head.json))
                return nil
            case "chain_unsubscribeNewHeads", "chain_unsubscribeAllHeads", "chain_unsubscribeFinalizedHeads",
                 "unsubscribe_newHead":
                guard let connection else { throw DevnetRPCError.methodNotFound }
                try call.params.expectAtMost(1)
                let sub = try call.params.require(0, "subscription")
                let key: String
                switch sub {
                case .string(let s): key = s
                case .int(let i): key = String(i)
                case .uint(let u): key = String(u)
                default: throw DevnetRPCError.invalidParams("subscription id must be a string")
                }
                if let owner = subscriptions[key], owner.id == connection.id {
                    subscriptions[key] = nil
                    return call.id == nil ? nil : RPCEnvelope.result(true, id: id)
                }
                return call.id == nil ? nil : RPCEnvelope.result(false, id: id)
            default:
                let result = try dispatch(call)
                return call.id == nil ? nil : RPCEnvelope.result(result, id: id)
            }
        } catch {
            return call.id == nil ? nil : RPCEnvelope.error(error, id: id)
        }
    }

    /// Drops every subscription of a closed connection.
    func disconnected(_ connection: Connection) {
        subscriptions = subscriptions.filter { $0.value.id != connection.id }
    }

    /// Forgets all subscriptions (the server stopped; its connections are gone).
    func dropAllSubscriptions() { subscriptions.removeAll() }

    var subscriptionCount: Int { subscriptions.count }

    static func newSubscriptionID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0 ..< 16).map { _ in alphabet.randomElement()! })
    }

    static let methods: [String] = [
        "chain_getBlockHash", "chain_getFinalizedHead", "chain_getHead", "chain_getHeader",
        "chain_subscribeAllHeads", "chain_subscribeFinalizedHeads", "chain_subscribeNewHeads",
        "chain_unsubscribeAllHeads", "chain_unsubscribeFinalizedHeads", "chain_unsubscribeNewHeads",
        "devnet_addSubnet", "devnet_produceBlock", "devnet_registerHotkey", "devnet_setDifficulty",
        "devnet_setMaxRegistrationsPerBlock", "devnet_setPowRegistrationAllowed", "devnet_submitPow",
        "rpc_methods", "state_getStorage", "state_getStorageAt",
        "system_chain", "system_health", "system_name", "system_version",
    ]

    private func dispatch(_ call: RPCCall) throws(DevnetRPCError) -> JSONValue {
        let p = call.params
        switch call.method {
        case "system_chain":
            try p.expectAtMost(0)
            return .string(Self.chainName)
        case "system_name":
            try p.expectAtMost(0)
            return .string(Self.nodeName)
        case "system_version":
            try p.expectAtMost(0)
            return .string(Self.nodeVersion)
        case "system_health":
            try p.expectAtMost(0)
            return ["peers": 0, "isSyncing": false, "shouldHavePeers": false]
        case "rpc_methods":
            try p.expectAtMost(0)
            return ["version": 1, "methods": .array(Self.methods.map { .string($0) })]

        case "chain_getBlockHash", "chain_getHead":
            try p.expectAtMost(1)
            guard let arg = p.value(0, "hash", "n") else { return .string(head.hash.hex) }
            if case .array(let list) = arg {
                return .array(try list.map { v throws(DevnetRPCError) in try blockHashJSON(v) })
            }
            return try blockHashJSON(arg)
        case "chain_getFinalizedHead":
            try p.expectAtMost(0)
            return .string(head.hash.hex)
        case "chain_getHeader":
            try p.expectAtMost(1)
            guard let arg = p.value(0, "hash") else { return head.json }
            return block(hash: try Self.hash(arg))?.header.json ?? .null
        case "state_getStorage", "state_getStorageAt":
            try p.expectAtMost(2)
            let keyBytes: [UInt8]
            guard case .string(let keyText) = try p.require(0, "key") else { throw .invalidParams("key must be a hex string") }
            do { keyBytes = try Hex.decode(keyText) } catch { throw .invalidParams("key: \(error)") }
            let block: Block
            if let at = p.value(1, "at", "hash") {
                let hash = try Self.hash(at)
                guard let found = self.block(hash: hash) else {
                    throw DevnetRPCError(code: 4003, message: "Client error: UnknownBlock: State already discarded for \(hash.hex)")
                }
                block = found
            } else {
                block = blocks[blocks.count - 1]
            }
            return Self.storage(keyBytes, in: block.state, number: block.header.number).map { .string(Hex.encode($0)) } ?? .null

        case "devnet_addSubnet":
            try p.expectAtMost(1)
            try addSubnet(try Self.netuid(p.require(0, "netuid")))
            return true
        case "devnet_setDifficulty":
            try p.expectAtMost(2)
            let netuid = try Self.netuid(p.require(0, "netuid"))
            guard let difficulty = try p.require(1, "difficulty").uint64Value else {
                throw .invalidParams("difficulty must be an integer in 0...2^64-1")
            }
            try setDifficulty(netuid, difficulty)
            return true
        case "devnet_setPowRegistrationAllowed":
            try p.expectAtMost(2)
            let netuid = try Self.netuid(p.require(0, "netuid"))
            guard let allowed = try p.require(1, "allowed").boolValue else { throw .invalidParams("allowed must be true or false") }
            try setPowRegistrationAllowed(netuid, allowed)
            return true
        case "devnet_setMaxRegistrationsPerBlock":
            try p.expectAtMost(2)
            let netuid = try Self.netuid(p.require(0, "netuid"))
            guard let max = try p.require(1, "max").uint64Value, max <= UInt64(UInt16.max) else {
                throw .invalidParams("max must be an integer in 0...65535")
            }
            try setMaxRegistrationsPerBlock(netuid, UInt16(max))
            return true
        case "devnet_registerHotkey":
            try p.expectAtMost(2)
            let netuid = try Self.netuid(p.require(0, "netuid"))
            guard case .string(let text) = try p.require(1, "hotkey") else { throw .invalidParams("hotkey must be an SS58 address or 0x hex") }
            let hotkey: Bytes32
            do { hotkey = try PublicKey.parse(text) } catch { throw .invalidParams("\(error)") }
            let uid = try registerHotkey(netuid, hotkey)
            return ["uid": .int(Int64(uid)), "netuid": .int(Int64(netuid)), "hotkey": .string(SS58.encode(publicKey: hotkey))]
        case "devnet_produceBlock":
            try p.expectAtMost(1)
            let count = try p.value(0, "count").map { v throws(DevnetRPCError) -> UInt64 in
                guard let n = v.uint64Value, n >= 1, n <= 1000 else { throw .invalidParams("count must be 1...1000") }
                return n
            } ?? 1
            for _ in 0 ..< count { produceBlock() }
            return head.json
        case "devnet_submitPow":
            // [solution], [solution, netuid] (netuid for legacy work), or the solution object as named params.
            var value: JSONValue
            if case .object(let o)? = p.raw, o["nonce"] != nil { value = p.raw! } else {
                try p.expectAtMost(2)
                value = try p.require(0, "solution")
                if let netuid = p.value(1, "netuid"), case .object(var fields) = value {
                    fields["netuid"] = netuid
                    value = .object(fields)
                }
            }
            let submission = try Submission.parse(value)
            do { return try submit(submission).json } catch { throw error.rpcError }
        default:
            throw .methodNotFound
        }
    }

    private func blockHashJSON(_ value: JSONValue) throws(DevnetRPCError) -> JSONValue {
        guard let n = try Self.blockNumber(value) else { return .string(head.hash.hex) }
        return header(number: n).map { .string($0.hash.hex) } ?? .null
    }

    /// A block number given as a JSON number or a `0x` hex string (Substrate's NumberOrHex).
    static func blockNumber(_ value: JSONValue) throws(DevnetRPCError) -> UInt64? {
        switch value {
        case .null: return nil
        case .int, .uint:
            guard let n = value.uint64Value else { throw .invalidParams("block number must not be negative") }
            return n
        case .string(let s):
            guard s.hasPrefix("0x"), let n = UInt64(s.dropFirst(2), radix: 16) else {
                throw .invalidParams("block number must be a number or a 0x-prefixed hex string")
            }
            return n
        default:
            throw .invalidParams("block number must be a number or a 0x-prefixed hex string")
        }
    }

    static func hash(_ value: JSONValue) throws(DevnetRPCError) -> Bytes32 {
        guard case .string(let text) = value else { throw .invalidParams("block hash must be a 0x-prefixed hex string") }
        do { return try Bytes32(hex: text) } catch { throw .invalidParams("block hash: \(error)") }
    }

    static func netuid(_ value: JSONValue) throws(DevnetRPCError) -> UInt16 {
        guard let n = value.uint64Value, n <= UInt64(UInt16.max) else { throw .invalidParams("netuid must be an integer in 0...65535") }
        return UInt16(n)
    }
}
