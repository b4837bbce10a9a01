import ChainCodec
import PoWCore

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

/// What a method handler gives back.
enum MethodAnswer {
    /// The result; `handle` wraps it in a reply when the call has an id.
    case result(JSONValue)
    /// The handler wrote to the connection itself (a subscription: its reply, then the first notification).
    case sent
}

/// The node's JSON-RPC methods over the chain: one table, name → handler, which both serves the calls and
/// answers `rpc_methods`, so the list a client reads is exactly what is served.
extension DevnetChain {
    /// A method that needs the whole call and the WebSocket connection it came on (nil over HTTP): the
    /// subscriptions. The chain parameter is isolated: every handler runs on the chain's actor.
    typealias ConnectionHandler = @Sendable (isolated DevnetChain, RPCCall, Connection?) throws(DevnetRPCError) -> MethodAnswer
    /// A method that reads only its parameters and answers a result.
    typealias ResultHandler = @Sendable (isolated DevnetChain, Params) throws(DevnetRPCError) -> JSONValue

    /// One served method.
    enum Method: Sendable {
        case result(ResultHandler)
        case connection(ConnectionHandler)
    }

    /// Answers one call. nil: no reply to send (a notification, or the reply was already written to `connection`).
    func handle(_ call: RPCCall, connection: Connection?) -> JSONValue? {
        let id = call.id ?? .null
        do throws(DevnetRPCError) {
            guard let method = Self.methodTable[call.method] else { throw .methodNotFound }
            switch method {
            case .result(let handler):
                let result = try handler(self, call.params)
                return call.id == nil ? nil : RPCEnvelope.result(result, id: id)
            case .connection(let handler):
                switch try handler(self, call, connection) {
                case .result(let result): return call.id == nil ? nil : RPCEnvelope.result(result, id: id)
                case .sent: return nil
                }
            }
        } catch {
            return call.id == nil ? nil : RPCEnvelope.error(error, id: id)
        }
    }

    /// Every method served, sorted as a node sorts its `rpc_methods` list; `rpc_methods` itself included.
    static let methodNames: [String] = methodTable.keys.sorted()

    /// Every method served, by name (aliases included, as a node serves and lists them).
    static let methodTable: [String: Method] = {
        var table: [String: Method] = [:]
        func add(_ names: [String], _ method: Method) {
            for name in names {
                precondition(table[name] == nil, "\(name) is served twice")
                table[name] = method
            }
        }
        func serve(_ names: String..., result: @escaping ResultHandler) { add(names, .result(result)) }
        func serveOnConnection(_ names: String..., handler: @escaping ConnectionHandler) { add(names, .connection(handler)) }

        // MARK: system_*, rpc_methods

        serve("system_chain") { _, p throws(DevnetRPCError) in
            try p.expectAtMost(0)
            return .string(DevnetChain.chainName)
        }
        serve("system_name") { _, p throws(DevnetRPCError) in
            try p.expectAtMost(0)
            return .string(DevnetChain.nodeName)
        }
        serve("system_version") { _, p throws(DevnetRPCError) in
            try p.expectAtMost(0)
            return .string(DevnetChain.nodeVersion)
        }
        serve("system_health") { _, p throws(DevnetRPCError) in
            try p.expectAtMost(0)
            return ["peers": 0, "isSyncing": false, "shouldHavePeers": false]
        }
        // The chain spec's properties, as a Subtensor node serves them (clients such as substrate-interface read the
        // SS58 format and token from here before anything else).
        serve("system_properties") { _, p throws(DevnetRPCError) in
            try p.expectAtMost(0)
            return ["ss58Format": 42, "tokenDecimals": 9, "tokenSymbol": "TAO"]
        }
        serve("rpc_methods") { _, p throws(DevnetRPCError) in
            try p.expectAtMost(0)
            return ["version": 1, "methods": .array(DevnetChain.methodNames.map { .string($0) })]
        }

        // MARK: chain_*, state_*

        serve("chain_getBlockHash", "chain_getHead") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(1)
            guard let arg = p.value(0, "hash", "n") else { return .string(chain.head.hash.hex) }
            if case .array(let list) = arg {
                return .array(try list.map { v throws(DevnetRPCError) in try chain.blockHashJSON(v) })
            }
            return try chain.blockHashJSON(arg)
        }
        serve("chain_getFinalizedHead") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(0)
            return .string(chain.head.hash.hex)
        }
        serve("chain_getHeader") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(1)
            guard let arg = p.value(0, "hash") else { return chain.head.json }
            return chain.block(hash: try DevnetChain.hash(arg))?.header.json ?? .null
        }
        serve("state_getStorage", "state_getStorageAt") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(2)
            let keyBytes: [UInt8]
            guard case .string(let keyText) = try p.require(0, "key") else { throw .invalidParams("key must be a hex string") }
            do { keyBytes = try Hex.decode(keyText) } catch { throw .invalidParams("key: \(error)") }
            let block: Block
            if let at = p.value(1, "at", "hash") {
                let hash = try DevnetChain.hash(at)
                guard let found = chain.block(hash: hash) else {
                    throw DevnetRPCError(code: 4003, message: "Client error: UnknownBlock: State already discarded for \(hash.hex)")
                }
                block = found
            } else {
                block = chain.blocks[chain.blocks.count - 1]
            }
            if let n = DevnetStorage.blockHashNumber(keyBytes) {
                // System.BlockHash(n): the hashes of the blocks before this one that the chain still holds.
                guard UInt64(n) < block.header.number, let h = chain.header(number: UInt64(n)) else { return .null }
                return .string(h.hash.hex)
            }
            return DevnetChain.storage(keyBytes, in: block.state, number: block.header.number).map { .string(Hex.encode($0)) } ?? .null
        }
        serveOnConnection("chain_subscribeNewHeads", "chain_subscribeAllHeads", "chain_subscribeFinalizedHeads",
                          "subscribe_newHead") { chain, call, connection throws(DevnetRPCError) in
            guard let connection else { throw .methodNotFound }
            try call.params.expectAtMost(0)
            let subscription = chain.subscribeHeads(connection)
            // The reply first, then (as a node does) the current head as the first notification.
            if let id = call.id { connection.send(RPCEnvelope.result(.string(subscription), id: id)) }
            connection.send(RPCEnvelope.notification(method: "chain_newHead", subscription: .string(subscription),
                                                     result: chain.head.json))
            return .sent
        }
        serveOnConnection("chain_unsubscribeNewHeads", "chain_unsubscribeAllHeads", "chain_unsubscribeFinalizedHeads",
                          "unsubscribe_newHead") { chain, call, connection throws(DevnetRPCError) in
            guard let connection else { throw .methodNotFound }
            try call.params.expectAtMost(1)
            guard let key = SubscriptionID.normalize(try call.params.require(0, "subscription")) else {
                throw .invalidParams("subscription id must be a string")
            }
            return .result(.bool(chain.unsubscribeHeads(key, connection)))
        }

        // MARK: runtime, accounts, blocks

        serve("state_getMetadata") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(1)
            if let at = p.value(0, "at", "hash"), at != .null { _ = try chain.knownBlock(at) }
            return .string(Hex.encode(DevnetRuntime.shared.bytes))
        }
        serve("state_getRuntimeVersion", "chain_getRuntimeVersion") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(1)
            if let at = p.value(0, "at", "hash"), at != .null { _ = try chain.knownBlock(at) }
            return DevnetRuntime.versionJSON
        }
        serve("system_accountNextIndex", "account_nextIndex") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(1)
            guard case .string(let text) = try p.require(0, "account") else { throw .invalidParams("account must be an SS58 address") }
            let account: Bytes32
            do { account = try PublicKey.parse(text) } catch { throw .invalidParams("\(error)") }
            return .int(Int64(chain.nextIndex(account)))
        }
        serve("chain_getBlock") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(1)
            let block: Block
            if let at = p.value(0, "hash"), at != .null {
                guard let found = chain.block(hash: try DevnetChain.hash(at)) else { return .null }
                block = found
            } else {
                block = chain.blocks[chain.blocks.count - 1]
            }
            return ["block": ["header": block.header.json, "extrinsics": .array(block.extrinsics.map { .string(Hex.encode($0)) })],
                    "justifications": .null]
        }
        serve("author_submitExtrinsic") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(1)
            return .string(try chain.submitExtrinsic(try DevnetChain.extrinsicBytes(p), watcher: nil).hex)
        }
        serve("author_pendingExtrinsics") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(0)
            return .array(chain.pool.map { .string(Hex.encode($0.extrinsic.bytes)) })
        }
        serveOnConnection("author_submitAndWatchExtrinsic") { chain, call, connection throws(DevnetRPCError) in
            guard let connection else { throw .methodNotFound }
            try call.params.expectAtMost(1)
            let bytes = try DevnetChain.extrinsicBytes(call.params)
            let subscription = DevnetChain.newSubscriptionID()
            // Judged first: a rejected extrinsic gets the error as the reply, and no subscription.
            let extrinsic = try chain.admit(bytes)
            if let id = call.id { connection.send(RPCEnvelope.result(.string(subscription), id: id)) }
            chain.enqueue(extrinsic, watcher: (subscription, connection))
            return .sent
        }
        serveOnConnection("author_unwatchExtrinsic") { chain, call, connection throws(DevnetRPCError) in
            guard let connection else { throw .methodNotFound }
            try call.params.expectAtMost(1)
            guard let key = SubscriptionID.normalize(try call.params.require(0, "subscription")) else {
                throw .invalidParams("subscription id must be a string")
            }
            return .result(.bool(chain.unwatchExtrinsic(key, connection)))
        }

        // MARK: devnet_* (administration)

        serve("devnet_addSubnet") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(1)
            try chain.addSubnet(try DevnetChain.netuid(p.require(0, "netuid")))
            return true
        }
        serve("devnet_setDifficulty") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(2)
            let netuid = try DevnetChain.netuid(p.require(0, "netuid"))
            guard let difficulty = try p.require(1, "difficulty").uint64Value else {
                throw .invalidParams("difficulty must be an integer in 0...2^64-1")
            }
            try chain.setDifficulty(netuid, difficulty)
            return true
        }
        serve("devnet_setPowRegistrationAllowed") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(2)
            let netuid = try DevnetChain.netuid(p.require(0, "netuid"))
            guard let allowed = try p.require(1, "allowed").boolValue else { throw .invalidParams("allowed must be true or false") }
            try chain.setPoWRegistrationAllowed(netuid, allowed)
            return true
        }
        serve("devnet_setMaxRegistrationsPerBlock") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(2)
            let netuid = try DevnetChain.netuid(p.require(0, "netuid"))
            guard let max = try p.require(1, "max").uint64Value, max <= UInt64(UInt16.max) else {
                throw .invalidParams("max must be an integer in 0...65535")
            }
            try chain.setMaxRegistrationsPerBlock(netuid, UInt16(max))
            return true
        }
        serve("devnet_registerHotkey") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(2)
            let netuid = try DevnetChain.netuid(p.require(0, "netuid"))
            guard case .string(let text) = try p.require(1, "hotkey") else { throw .invalidParams("hotkey must be an SS58 address or 0x hex") }
            let hotkey: Bytes32
            do { hotkey = try PublicKey.parse(text) } catch { throw .invalidParams("\(error)") }
            let uid = try chain.registerHotkey(netuid, hotkey)
            return ["uid": .int(Int64(uid)), "netuid": .int(Int64(netuid)), "hotkey": .string(SS58.encode(publicKey: hotkey))]
        }
        serve("devnet_produceBlock") { chain, p throws(DevnetRPCError) in
            try p.expectAtMost(1)
            let count = try p.value(0, "count").map { v throws(DevnetRPCError) -> UInt64 in
                guard let n = v.uint64Value, n >= 1, n <= 1000 else { throw .invalidParams("count must be 1...1000") }
                return n
            } ?? 1
            for _ in 0 ..< count { chain.produceBlock() }
            return chain.head.json
        }
        serve("devnet_submitPow") { chain, p throws(DevnetRPCError) in
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
            let submission = try DevnetSubmission.parse(value)
            do throws(DevnetRegistrationError) { return try chain.submit(submission).json } catch { throw error.rpcError }
        }
        return table
    }()

    // MARK: Parameters

    func blockHashJSON(_ value: JSONValue) throws(DevnetRPCError) -> JSONValue {
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

    /// The block a hash names; error 4003 as a node's for one it does not know.
    func knownBlock(_ value: JSONValue) throws(DevnetRPCError) -> Block {
        let hash = try Self.hash(value)
        guard let found = block(hash: hash) else {
            throw DevnetRPCError(code: 4003, message: "Client error: UnknownBlock: State already discarded for \(hash.hex)")
        }
        return found
    }

    /// The extrinsic of `author_submit*`: hex bytes.
    static func extrinsicBytes(_ p: Params) throws(DevnetRPCError) -> [UInt8] {
        guard case .string(let text) = try p.require(0, "extrinsic") else { throw .invalidParams("extrinsic must be a 0x hex string") }
        do { return try Hex.decode(text) } catch { throw .invalidParams("extrinsic: \(error)") }
    }

    static func netuid(_ value: JSONValue) throws(DevnetRPCError) -> UInt16 {
        guard let n = value.uint64Value, n <= UInt64(UInt16.max) else { throw .invalidParams("netuid must be an integer in 0...65535") }
        return UInt16(n)
    }
}
