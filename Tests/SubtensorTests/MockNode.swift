import ChainCodec
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import PoWCore
@testable import Subtensor

/// A small Substrate-like JSON-RPC node over WebSocket on 127.0.0.1, for tests only.
/// It answers chain_getHeader, chain_getBlockHash, chain_getFinalizedHead, state_getStorage, chain_subscribeNewHeads
/// and chain_unsubscribeNewHeads from an in-memory chain, and the author, block, metadata and nonce methods of
/// submitting extrinsics (`watchScript`, `blocks`, `metadata`); `override` replaces any method's behaviour.
// @unchecked: its chain state and overrides are behind its lock; the NIO objects it holds are thread-safe.
final class MockNode: @unchecked Sendable {
    /// What the node does with one request.
    indirect enum Action {
        case result(JSONValue)
        case error(code: Int64, message: String)
        /// A JSON-RPC error with `data` (how Substrate's pool says why it refused an extrinsic).
        case errorWithData(code: Int64, message: String, data: JSONValue)
        /// Send this text as is (malformed replies).
        case raw(String)
        /// Send nothing.
        case silence
        case delayed(TimeAmount, Action)
        /// Close the connection instead of answering.
        case closeConnection
        /// Do the default.
        case standard
    }

    typealias Override = @Sendable (_ id: JSONValue, _ params: [JSONValue]) -> Action

    let group: EventLoopGroup
    private let lock = NIOLock()
    private var serverChannel: Channel?
    private var connections: [ObjectIdentifier: Channel] = [:]
    /// subscription id → channel
    private var subscribers: [String: Channel] = [:]
    private var nextSubscription = 1
    private var overrides: [String: Override] = [:]
    private(set) var port: Int = 0

    // The chain.
    private(set) var best: UInt64 = 100
    var storage: [[UInt8]: [UInt8]] = [:]
    private(set) var requestLog: [String] = []
    /// author_submitAndWatchExtrinsic: the statuses sent after the reply, in order.
    var watchScript: [JSONValue] = []
    /// Open author_submitAndWatchExtrinsic subscriptions: id → channel.
    private var watchers: [String: Channel] = [:]
    /// Extrinsics received by either author method.
    private(set) var submitted: [[UInt8]] = []
    /// chain_getBlock: block hash → extrinsics.
    var blocks: [Bytes32: [[UInt8]]] = [:]
    /// state_getMetadata's answer.
    var metadata: [UInt8] = []
    /// Params of author_unwatchExtrinsic calls.
    private(set) var unwatched: [String] = []
    private(set) var connectionCount = 0

    init(group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) { self.group = group }

    static func hash(of block: UInt64) -> Bytes32 { Bytes32(blake2b256(block.scaleEncoded))! }

    func header(_ number: UInt64) -> JSONValue {
        ["number": .string("0x" + String(number, radix: 16)),
         "parentHash": .string(Self.hash(of: number &- 1).hex),
         "stateRoot": .string(Bytes32.zero.hex), "extrinsicsRoot": .string(Bytes32.zero.hex),
         "digest": ["logs": []]]
    }

    func override(_ method: String, _ handler: Override?) { lock.withLock { overrides[method] = handler } }
    func setStorage(_ key: [UInt8], _ value: [UInt8]?) { lock.withLock { storage[key] = value } }
    var log: [String] { lock.withLock { requestLog } }
    var subscriberCount: Int { lock.withLock { subscribers.count } }
    var watcherCount: Int { lock.withLock { watchers.count } }
    var submittedExtrinsics: [[UInt8]] { lock.withLock { submitted } }
    var unwatchedIDs: [String] { lock.withLock { unwatched } }
    func setBlock(_ hash: Bytes32, extrinsics: [[UInt8]]) { lock.withLock { blocks[hash] = extrinsics } }
    func setMetadata(_ bytes: [UInt8]) { lock.withLock { metadata = bytes } }
    func setWatchScript(_ statuses: [JSONValue]) { lock.withLock { watchScript = statuses } }

    /// Sends a status to every open watch (as a node does when the extrinsic's state changes).
    func sendWatchStatus(_ status: JSONValue) {
        let targets = lock.withLock { Array(watchers) }
        for (id, channel) in targets {
            let note: JSONValue = ["jsonrpc": "2.0", "method": "author_extrinsicUpdate",
                                   "params": ["subscription": .string(id), "result": status]]
            send(note.jsonText, on: channel)
        }
    }
    var connectionsOpened: Int { lock.withLock { connectionCount } }

    // MARK: Server

    /// Set before `start` to serve wss://.
    var tls: NIOSSLContext?

    @discardableResult
    func start(port: Int = 0) throws -> Int {
        let tls = self.tls
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 24,
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in
                channel.pipeline.addHandler(FrameHandler(node: self))
            })
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                if let tls {
                    do { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) } catch {
                        return channel.eventLoop.makeFailedFuture(error)
                    }
                }
                return channel.pipeline.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
            }
        let channel = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
        let bound = channel.localAddress!.port!
        lock.withLock { serverChannel = channel; self.port = bound }
        return bound
    }

    var url: String { tls == nil ? "ws://127.0.0.1:\(port)" : "wss://localhost:\(port)" }

    /// Stops listening and drops every connection.
    func stop() throws {
        let (server, open) = lock.withLock { () -> (Channel?, [Channel]) in
            defer { serverChannel = nil; connections = [:]; subscribers = [:] }
            return (serverChannel, Array(connections.values))
        }
        try server?.close().wait()
        for c in open { try? c.close().wait() }
    }

    /// Drops every connection but keeps listening.
    func dropConnections() {
        let open = lock.withLock { () -> [Channel] in
            defer { connections = [:]; subscribers = [:]; watchers = [:] }
            return Array(connections.values)
        }
        for c in open { try? c.close().wait() }
    }

    /// A new best block, announced to every subscriber.
    func produceBlock() {
        let (number, targets) = lock.withLock { () -> (UInt64, [(String, Channel)]) in
            best += 1
            return (best, Array(subscribers))
        }
        for (id, channel) in targets {
            let note: JSONValue = ["jsonrpc": "2.0", "method": "chain_newHead",
                                   "params": ["subscription": .string(id), "result": header(number)]]
            send(note.jsonText, on: channel)
        }
    }

    /// Sends a notification for a subscription id that nobody has (clients must ignore it).
    func sendStrayNotification() {
        let open = lock.withLock { Array(connections.values) }
        for c in open {
            send(#"{"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":"nobody","result":{"number":"0x1"}}}"#, on: c)
        }
    }

    func send(_ text: String, on channel: Channel) {
        channel.eventLoop.execute {
            let buffer = channel.allocator.buffer(string: text)
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: buffer), promise: nil)
        }
    }

    // MARK: Requests

    fileprivate func opened(_ channel: Channel) {
        lock.withLock { connections[ObjectIdentifier(channel)] = channel; connectionCount += 1 }
    }

    fileprivate func closed(_ channel: Channel) {
        lock.withLock {
            connections[ObjectIdentifier(channel)] = nil
            subscribers = subscribers.filter { $0.value !== channel }
            watchers = watchers.filter { $0.value !== channel }
        }
    }

    fileprivate func received(_ text: String, on channel: Channel) {
        guard let request = JSONValue.parse(text), let method = request["method"]?.stringValue else { return }
        let id = request["id"] ?? .null
        let params = request["params"]?.arrayValue ?? []
        let override = lock.withLock { () -> Override? in
            requestLog.append(method)
            return overrides[method]
        }
        var action = override?(id, params) ?? .standard
        if case .standard = action { action = standard(method, params, channel) }
        perform(action, id: id, on: channel)
    }

    private func perform(_ action: Action, id: JSONValue, on channel: Channel) {
        switch action {
        case .result(let value):
            send(JSONValue.object(["jsonrpc": "2.0", "id": id, "result": value]).jsonText, on: channel)
        case .error(let code, let message):
            send(JSONValue.object(["jsonrpc": "2.0", "id": id, "error": ["code": .int(code), "message": .string(message)]]).jsonText,
                 on: channel)
        case .errorWithData(let code, let message, let data):
            let error: JSONValue = ["code": .int(code), "message": .string(message), "data": data]
            send(JSONValue.object(["jsonrpc": "2.0", "id": id, "error": error]).jsonText, on: channel)
        case .raw(let text):
            send(text, on: channel)
        case .silence, .standard:
            break
        case .delayed(let delay, let next):
            channel.eventLoop.scheduleTask(in: delay) { self.perform(next, id: id, on: channel) }
        case .closeConnection:
            channel.close(promise: nil)
        }
    }

    private func standard(_ method: String, _ params: [JSONValue], _ channel: Channel) -> Action {
        switch method {
        case "chain_getHeader":
            return .result(header(lock.withLock { best }))
        case "chain_getBlockHash":
            guard let n = params.first?.intValue, n >= 0 else { return .result(Self.hash(of: lock.withLock { best }).hex.json) }
            return UInt64(n) <= lock.withLock({ best }) ? .result(Self.hash(of: UInt64(n)).hex.json) : .result(.null)
        case "chain_getFinalizedHead":
            return .result(Self.hash(of: lock.withLock { best } - 2).hex.json)
        case "state_getStorage":
            guard let keyText = params.first?.stringValue, let key = try? Hex.decode(keyText) else {
                return .error(code: -32602, message: "Invalid params")
            }
            let value = lock.withLock { storage[key] }
            return .result(value.map { .string(Hex.encode($0)) } ?? .null)
        case "chain_subscribeNewHeads":
            let (id, number) = lock.withLock { () -> (String, UInt64) in
                let id = "sub\(nextSubscription)"
                nextSubscription += 1
                subscribers[id] = channel
                return (id, best)
            }
            // Like Substrate: the reply, then the current best head at once.
            let note: JSONValue = ["jsonrpc": "2.0", "method": "chain_newHead",
                                   "params": ["subscription": .string(id), "result": header(number)]]
            channel.eventLoop.execute { self.send(note.jsonText, on: channel) }
            return .result(.string(id))
        case "chain_unsubscribeNewHeads":
            let id = params.first?.stringValue ?? ""
            return .result(.bool(lock.withLock { subscribers.removeValue(forKey: id) != nil }))
        case "author_submitExtrinsic":
            guard let text = params.first?.stringValue, let bytes = try? Hex.decode(text) else {
                return .error(code: -32602, message: "Invalid params")
            }
            lock.withLock { submitted.append(bytes) }
            return .result(.string(Hex.encode(blake2b256(bytes))))
        case "author_submitAndWatchExtrinsic":
            guard let text = params.first?.stringValue, let bytes = try? Hex.decode(text) else {
                return .error(code: -32602, message: "Invalid params")
            }
            let (id, script) = lock.withLock { () -> (String, [JSONValue]) in
                let id = "watch\(nextSubscription)"
                nextSubscription += 1
                watchers[id] = channel
                submitted.append(bytes)
                return (id, watchScript)
            }
            // Like Substrate: the reply, then each status as the pool reports it.
            channel.eventLoop.execute {
                for status in script {
                    let note: JSONValue = ["jsonrpc": "2.0", "method": "author_extrinsicUpdate",
                                           "params": ["subscription": .string(id), "result": status]]
                    self.send(note.jsonText, on: channel)
                }
            }
            return .result(.string(id))
        case "author_unwatchExtrinsic":
            let id = params.first?.stringValue ?? ""
            return .result(.bool(lock.withLock { () -> Bool in
                unwatched.append(id)
                return watchers.removeValue(forKey: id) != nil
            }))
        case "chain_getBlock":
            guard let text = params.first?.stringValue, let hash = try? Bytes32(hex: text) else {
                return .error(code: -32602, message: "Invalid params")
            }
            guard let extrinsics = lock.withLock({ blocks[hash] }) else { return .result(.null) }
            var h = header(lock.withLock { best })
            if case .object(var o) = h { o["parentHash"] = .string(Bytes32.zero.hex); h = .object(o) }
            return .result(["block": ["header": h, "extrinsics": .array(extrinsics.map { .string(Hex.encode($0)) })],
                            "justifications": .null])
        case "state_getMetadata":
            return .result(.string(Hex.encode(lock.withLock { metadata })))
        case "state_getRuntimeVersion":
            return .result(["specName": "node-subtensor", "implName": "node-subtensor", "authoringVersion": 1,
                            "specVersion": 343, "implVersion": 1, "apis": [], "transactionVersion": 1, "stateVersion": 1])
        case "system_accountNextIndex":
            guard params.first?.stringValue != nil else { return .error(code: -32602, message: "Invalid params") }
            return .result(.int(7))
        default:
            return .error(code: -32601, message: "Method not found")
        }
    }
}

private extension String {
    var json: JSONValue { .string(self) }
}

/// Reassembles text messages, answers pings, hands messages to the node.
// @unchecked: a channel handler runs only on its channel's event loop.
private final class FrameHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame
    let node: MockNode
    var buffer: ByteBuffer?

    init(node: MockNode) { self.node = node }

    func handlerAdded(context: ChannelHandlerContext) { node.opened(context.channel) }
    func channelInactive(context: ChannelHandlerContext) {
        node.closed(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .continuation:
            var data = frame.unmaskedData
            if frame.opcode == .text { buffer = context.channel.allocator.buffer(capacity: data.readableBytes) }
            buffer?.writeBuffer(&data)
            if frame.fin, let complete = buffer {
                buffer = nil
                node.received(String(buffer: complete), on: context.channel)
            }
        case .ping:
            var data = frame.unmaskedData
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: data.readSlice(length: data.readableBytes)!)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: context.channel.allocator.buffer(capacity: 0))
            context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
