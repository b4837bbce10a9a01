import Logging
import PoWCore
import ChainCodec

/// The chain itself: blocks, state and their mutations, and the subscribers to new heads. Transport-free; the
/// JSON-RPC methods over it are in DevnetRPCMethods.swift.
actor DevnetChain {
    static let chainName = "btpow devnet"
    static let nodeName = "btpow-devnet"
    static let nodeVersion = "1.0.0"
    /// Substrate's empty trie root (blake2_256 of [0]): what an empty extrinsics root looks like.
    static let emptyTrieRoot = try! Bytes32(hex: "0x03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314")

    let configuration: DevnetConfiguration
    let logger: Logger

    /// Recent blocks, oldest first; `blocks.last` is the head.
    private(set) var blocks: [Block] = []
    private var numberByHash: [Bytes32: UInt64] = [:]
    private var subscriptions: [String: Connection] = [:]
    /// The genesis block's hash (kept when history is trimmed).
    let genesis: Bytes32
    /// Signed extrinsics admitted and waiting for the next block, in arrival order.
    var pool: [PoolEntry] = []
    /// `author_submitAndWatchExtrinsic` subscriptions still open: id → connection id.
    var extrinsicWatchers: [String: UInt64] = [:]
    let signatureVerifier: SignatureVerifier

    init(configuration: DevnetConfiguration, logger: Logger, signatureVerifier: SignatureVerifier = .sr25519) {
        self.configuration = configuration
        self.logger = logger
        self.signatureVerifier = signatureVerifier
        var state = ChainState()
        state.subnets[0] = SubnetState(difficulty: configuration.difficulty, powRegistrationAllowed: false)
        for netuid in configuration.subnets where netuid != 0 {
            state.subnets[netuid] = Self.newSubnet(configuration)
        }
        let genesis = Self.makeHeader(number: 0, parent: .zero, state: state, extrinsics: [])
        blocks = [Block(header: genesis, state: state)]
        numberByHash[genesis.hash] = 0
        self.genesis = genesis.hash
    }

    static func newSubnet(_ configuration: DevnetConfiguration) -> SubnetState {
        SubnetState(difficulty: configuration.difficulty, minDifficulty: 1, maxDifficulty: UInt64.max / 4,
                    powRegistrationAllowed: configuration.powRegistrationAllowed, maxRegistrationsPerBlock: configuration.maxRegistrationsPerBlock)
    }

    /// Header hash as Substrate computes it: blake2b-256 of the SCALE header
    /// (parent ‖ compact number ‖ state root ‖ extrinsics root ‖ empty digest). The extrinsics root of a block with
    /// extrinsics is blake2b-256 of their SCALE `Vec<Vec<u8>>` (a digest, not Substrate's trie root).
    static func makeHeader(number: UInt64, parent: Bytes32, state: ChainState, extrinsics: [[UInt8]]) -> BlockHeader {
        let stateRoot = state.digest
        let extrinsicsRoot = extrinsics.isEmpty ? emptyTrieRoot
            : Bytes32(blake2b256(SCALE.compact(UInt64(extrinsics.count)) + extrinsics.flatMap { SCALE.compact(UInt64($0.count)) + $0 }))!
        var encoded = parent.bytes
        encoded += SCALE.compact(number)
        encoded += stateRoot.bytes
        encoded += extrinsicsRoot.bytes
        encoded.append(0)   // digest: Vec<DigestItem> of length 0
        let hash = Bytes32(blake2b256(encoded))!
        return BlockHeader(number: number, hash: hash, parentHash: parent, stateRoot: stateRoot, extrinsicsRoot: extrinsicsRoot)
    }

    // MARK: Blocks

    var head: BlockHeader { blocks[blocks.count - 1].header }
    var headState: ChainState { blocks[blocks.count - 1].state }

    func header(number: UInt64) -> BlockHeader? { block(number: number)?.header }

    func block(number: UInt64) -> Block? {
        guard let first = blocks.first?.header.number, number >= first else { return nil }
        let index = Int(number - first)
        return index < blocks.count ? blocks[index] : nil
    }

    func block(hash: Bytes32) -> Block? {
        guard let n = numberByHash[hash] else { return nil }
        return block(number: n)
    }

    /// Seals the head and starts the next block: RegistrationsThisBlock and System.Events reset, the pool's
    /// extrinsics are applied in arrival order, subscribers and watchers hear of it (finality is instant).
    @discardableResult
    func produceBlock() -> BlockHeader {
        var state = headState
        for netuid in state.subnets.keys { state.subnets[netuid]!.registrationsThisBlock = 0 }
        state.events = []
        let (included, watchers, dropped) = applyPool(to: &state, number: head.number + 1)
        let header = Self.makeHeader(number: head.number + 1, parent: head.hash, state: state, extrinsics: included)
        blocks.append(Block(header: header, state: state, extrinsics: included))
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
        for (subscription, connection) in dropped { notifyExtrinsic(subscription, connection, .string("invalid"), final: true) }
        for (subscription, connection) in watchers {
            notifyExtrinsic(subscription, connection, ["inBlock": .string(header.hash.hex)], final: false)
            notifyExtrinsic(subscription, connection, ["finalized": .string(header.hash.hex)], final: true)
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

    func setPoWRegistrationAllowed(_ netuid: UInt16, _ allowed: Bool) throws(DevnetRPCError) {
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
                               data: .string(DevnetRegistrationRefusal.hotKeyAlreadyRegisteredInSubNet.name))
            }
            uid = subnet.nextUID
            subnet.uids[hotkey] = uid
            state.subnets[netuid] = subnet
        }
        return uid
    }

    func submit(_ submission: DevnetSubmission) throws(DevnetRegistrationError) -> DevnetRegistrationOutcome {
        // The extrinsic executes in the block built on the head.
        let registrar = makeRegistrar(current: head.number + 1)
        var state = headState
        let outcome = try registrar.submit(submission, state: &state)
        blocks[blocks.count - 1].state = state
        logger.info("devnet registration accepted", metadata: ["outcome": "\(outcome)"])
        return outcome
    }

    // MARK: Storage

    /// The SCALE bytes stored under `key` in `state`, or nil when nothing is stored there.
    static func storage(_ key: [UInt8], in state: ChainState, number: UInt64) -> [UInt8]? {
        if let value = DevnetStorage.value(key, in: state) { return value }
        guard let (item, arguments) = StorageItem.parse(key: key) else { return nil }
        let value: StorageValue?
        switch (item, arguments.first) {
        case (.systemNumber, _):
            // A node stores block N's own number in block N's state.
            value = .u32(UInt32(truncatingIfNeeded: number))
        case (.lastPoWRegistrationBlock, .account(let hotkey)?):
            value = state.lastPoWRegistrationBlock[hotkey].map { .u64($0) }
        case (_, .netuid(let netuid)?):
            guard let subnet = state.subnets[netuid] else { return nil }
            switch item {
            case .difficulty: value = .u64(subnet.difficulty)
            case .minDifficulty: value = .u64(subnet.minDifficulty)
            case .maxDifficulty: value = .u64(subnet.maxDifficulty)
            case .networksAdded: value = .bool(true)
            case .networkPoWRegistrationAllowed: value = .bool(subnet.powRegistrationAllowed)
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

    // MARK: Subscribers

    /// Adds a new-heads subscriber; returns its subscription id.
    func subscribeHeads(_ connection: Connection) -> String {
        let subscription = Self.newSubscriptionID()
        subscriptions[subscription] = connection
        return subscription
    }

    /// Removes a subscription of `connection`; false when it has none with that id.
    func unsubscribeHeads(_ subscription: String, _ connection: Connection) -> Bool {
        guard let owner = subscriptions[subscription], owner.id == connection.id else { return false }
        subscriptions[subscription] = nil
        return true
    }

    /// Drops every subscription of a closed connection.
    func disconnected(_ connection: Connection) {
        subscriptions = subscriptions.filter { $0.value.id != connection.id }
        extrinsicWatchers = extrinsicWatchers.filter { $0.value != connection.id }
        for i in pool.indices where pool[i].watcher?.connection.id == connection.id { pool[i].watcher = nil }
    }

    /// Forgets all subscriptions (the server stopped; its connections are gone).
    func dropAllSubscriptions() {
        subscriptions.removeAll()
        extrinsicWatchers.removeAll()
        for i in pool.indices { pool[i].watcher = nil }
    }

    var subscriptionCount: Int { subscriptions.count }

    static func newSubscriptionID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0 ..< 16).map { _ in alphabet.randomElement()! })
    }
}
