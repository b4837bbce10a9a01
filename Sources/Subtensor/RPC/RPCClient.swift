#if canImport(FoundationEssentials)
import ChainCodec
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import WSClient

/// Settings of an `RPCClient`.
public struct RPCConfiguration: Sendable {
    /// Default time a request waits for its reply (including the wait for a connection).
    public var requestTimeout: Duration
    /// Largest reply (WebSocket message) accepted; a larger one drops the connection.
    public var maxReplyBytes: Int
    /// First wait before reconnecting; doubled on each failure up to `maxBackoff`, reset after a connection.
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// WebSocket ping period, to notice a dead connection; nil = no pings.
    public var pingInterval: Duration?
    /// The WebSocket layer's own limit (4 × maxReplyBytes): over it a message drops the connection
    /// (`connectionClosed`); between the two, only the request fails (`replyTooLarge`).
    public var transportLimit: Int { maxReplyBytes > Int(UInt32.max) / 4 ? Int(UInt32.max) : max(maxReplyBytes * 4, 1 << 14) }
    /// TLS settings for wss:// (nil = system trust roots).
    public var tlsConfiguration: TLSConfiguration?

    public init(requestTimeout: Duration = .seconds(10), maxReplyBytes: Int = 16 << 20,
                initialBackoff: Duration = .milliseconds(250), maxBackoff: Duration = .seconds(8),
                pingInterval: Duration? = .seconds(30), tlsConfiguration: TLSConfiguration? = nil) {
        self.requestTimeout = requestTimeout
        self.maxReplyBytes = maxReplyBytes
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.pingInterval = pingInterval
        self.tlsConfiguration = tlsConfiguration
    }
}

/// A Substrate JSON-RPC 2.0 client over one WebSocket: concurrent requests matched by id, a timeout per request,
/// subscriptions that are restored after a reconnect, and reconnection with exponential backoff.
///
/// It connects on first use (or `start()`) and keeps reconnecting until `close()`, which every owner must call: the
/// background connection keeps the client alive until then.
public final class RPCClient: Sendable {
    public let endpoint: SubtensorEndpoint
    public let configuration: RPCConfiguration
    let logger: Logger
    let state = Mutex(State())

    typealias Reply = Result<JSONValue, RPCError>

    struct Pending {
        enum Kind {
            /// A caller waits for the reply.
            case call(CheckedContinuation<Reply, Never>)
            /// (Re)subscription of a local subscription; the reply carries the node's subscription id.
            case subscribe(local: Int, unsubscribe: String)
            /// Nobody waits (unsubscribe).
            case ignore
        }
        let method: String
        let text: String
        var kind: Kind
        /// The connection generation it was written on; nil while queued.
        var sentOn: Int?
        var timeoutTask: Task<Void, Never>?
    }

    struct Subscription {
        let method: String
        let params: [JSONValue]
        let unsubscribeMethod: String
        let continuation: AsyncThrowingStream<JSONValue, any Error>.Continuation
        var serverID: String?
        /// The `subscribe` caller, until the first confirmation.
        var waiter: CheckedContinuation<Result<Void, RPCError>, Never>?
        var waiterTimeout: Task<Void, Never>?
    }

    struct Connection {
        let generation: Int
        let writer: WebSocketOutboundWriter
    }

    struct State {
        var nextID: Int64 = 1
        var nextLocalSubscription = 1
        var pending: [Int64: Pending] = [:]
        var subscriptions: [Int: Subscription] = [:]
        var serverSubscriptions: [String: Int] = [:]
        var connection: Connection?
        var generation = 0
        var started = false
        var closed = false
        var lastError = "not connected yet"
        var runTask: Task<Void, Never>?
        var connectWaiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        var nextWaiter = 0
        var connectCount = 0
    }

    public init(endpoint: SubtensorEndpoint, configuration: RPCConfiguration = RPCConfiguration(), logger: Logger) {
        self.endpoint = endpoint
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "endpoint"] = "\(endpoint.url)"
        self.logger = logger
    }

    deinit {
        state.withLock { $0.runTask?.cancel() }
    }

    /// Whether a WebSocket to the node is open now.
    public var isConnected: Bool { state.withLock { $0.connection != nil } }

    /// Whether `close()` was called.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// How many times a connection was opened (1 after the first, 2 after a reconnect …).
    public var connectionCount: Int { state.withLock { $0.connectCount } }

    // MARK: Lifecycle

    /// Starts connecting in the background (requests do this themselves).
    public func start() {
        state.withLock { state in
            guard !state.started, !state.closed else { return }
            state.started = true
            state.runTask = Task { [weak self] in await self?.runConnectionLoop() }
        }
    }

    /// Waits until connected; throws `notConnected` (with the last connection error) after `timeout`.
    public func waitUntilConnected(timeout: Duration? = nil) async throws(RPCError) {
        start()
        let timeout = timeout ?? configuration.requestTimeout
        let token: Int? = state.withLock { s in
            if s.connection != nil { return nil }
            s.nextWaiter += 1
            return s.nextWaiter
        }
        guard let token else { return }
        let connected = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let resumeNow: Bool? = state.withLock { s in
                if s.closed { return false }
                if s.connection != nil { return true }
                s.connectWaiters[token] = c
                return nil
            }
            if let resumeNow { c.resume(returning: resumeNow); return }
            Task {
                try? await Task.sleep(for: timeout)
                let waiter = self.state.withLock { $0.connectWaiters.removeValue(forKey: token) }
                waiter?.resume(returning: false)
            }
        }
        if !connected {
            let (closed, reason) = state.withLock { ($0.closed, $0.lastError) }
            if closed { throw .clientClosed(method: "connect") }
            throw .notConnected(method: "connect", endpoint: endpoint.url, reason: reason)
        }
    }

    /// Closes the connection for good: pending requests fail with `clientClosed`, subscriptions end.
    public func close() async {
        let (connection, pending, subscriptions, waiters, task) = state.withLock { s in
            s.closed = true
            defer {
                s.pending = [:]; s.subscriptions = [:]; s.serverSubscriptions = [:]; s.connectWaiters = [:]
                s.connection = nil
            }
            return (s.connection, s.pending, s.subscriptions, s.connectWaiters, s.runTask)
        }
        for (_, p) in pending { finish(p, .failure(.clientClosed(method: p.method))) }
        for (_, sub) in subscriptions {
            sub.waiterTimeout?.cancel()
            sub.waiter?.resume(returning: .failure(.clientClosed(method: sub.method)))
            sub.continuation.finish()
        }
        for (_, w) in waiters { w.resume(returning: false) }
        if let connection { try? await connection.writer.close(.normalClosure, reason: "client closed") }
        guard let task else { return }
        task.cancel()
        // A TLS shutdown can wait for the peer for seconds: wait at most one second, then let it finish on its own.
        let once = Once()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Task { await task.value; if once.claim() { c.resume() } }
            Task { try? await Task.sleep(for: .seconds(1)); if once.claim() { c.resume() } }
        }
    }

    // MARK: Requests

    /// Sends `method(params)` and waits for its result (`null` included).
    public func request(_ method: String, _ params: [JSONValue] = [], timeout: Duration? = nil) async throws(RPCError) -> JSONValue {
        start()
        let timeout = timeout ?? configuration.requestTimeout
        let id = state.withLock { s in defer { s.nextID += 1 }; return s.nextID }
        let text = RPCClient.encodeRequest(id: id, method: method, params: params)
        let reply: Reply = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Reply, Never>) in
                self.register(id: id, Pending(method: method, text: text, kind: .call(c)), timeout: timeout)
            }
        } onCancel: {
            self.complete(id: id, with: .failure(.cancelled(method: method)))
        }
        return try reply.get()
    }

    /// Registers a pending request and writes it now if connected (else it waits for the connection).
    private func register(id: Int64, _ pending: Pending, timeout: Duration?) {
        var pending = pending
        let outcome: (Connection?, RPCError?) = state.withLock { s in
            if s.closed { return (nil, .clientClosed(method: pending.method)) }
            if case .call = pending.kind, Task.isCancelled { return (nil, .cancelled(method: pending.method)) }
            if let timeout {
                pending.timeoutTask = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    if Task.isCancelled { return }
                    self?.timedOut(id: id, after: timeout)
                }
            }
            pending.sentOn = s.connection?.generation
            s.pending[id] = pending
            return (s.connection, nil)
        }
        if let error = outcome.1 {
            finish(pending, .failure(error))
            return
        }
        if let connection = outcome.0 {
            Task { await self.write(id: id, text: pending.text, on: connection) }
        }
    }

    private func write(id: Int64, text: String, on connection: Connection) async {
        do {
            try await connection.writer.write(.text(text))
        } catch {
            logger.debug("write failed", metadata: ["id": "\(id)", "error": "\(error)"])
            let failed: Pending? = state.withLock { s in
                guard s.pending[id]?.sentOn == connection.generation else { return nil }
                return s.pending.removeValue(forKey: id)
            }
            if let failed {
                finish(failed, .failure(.connectionClosed(method: failed.method, endpoint: endpoint.url, reason: "write failed")))
            }
        }
    }

    private func timedOut(id: Int64, after timeout: Duration) {
        let (pending, connected, reason) = state.withLock { s in
            (s.pending.removeValue(forKey: id), s.connection != nil, s.lastError)
        }
        guard var pending else { return }
        pending.timeoutTask = nil
        if pending.sentOn == nil && !connected {
            finish(pending, .failure(.notConnected(method: pending.method, endpoint: endpoint.url, reason: reason)))
        } else {
            finish(pending, .failure(.timeout(method: pending.method, seconds: timeout.seconds)))
        }
    }

    private func complete(id: Int64, with reply: Reply) {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        finish(pending, reply)
    }

    /// Delivers a reply to whoever waits for it. Call outside the lock.
    private func finish(_ pending: Pending, _ reply: Reply) {
        pending.timeoutTask?.cancel()
        switch pending.kind {
        case .call(let c): c.resume(returning: reply)
        case .ignore: break
        case .subscribe(let local, let unsubscribe): subscriptionReplied(local: local, unsubscribe: unsubscribe, reply)
        }
    }

    static func encodeRequest(id: Int64, method: String, params: [JSONValue]) -> String {
        JSONValue.object(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": .array(params)]).jsonText
    }

    // MARK: Subscriptions

    /// Subscribes (e.g. `chain_subscribeNewHeads`) and returns the notifications' `result` values. The subscription is
    /// renewed after each reconnect; ending the iteration unsubscribes. Throws if the node refuses the first subscription.
    public func subscribe(_ method: String, _ params: [JSONValue] = [], unsubscribe unsubscribeMethod: String,
                          timeout: Duration? = nil) async throws(RPCError) -> AsyncThrowingStream<JSONValue, any Error> {
        start()
        let timeout = timeout ?? configuration.requestTimeout
        let (stream, continuation) = AsyncThrowingStream<JSONValue, any Error>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let local = state.withLock { s in defer { s.nextLocalSubscription += 1 }; return s.nextLocalSubscription }
        continuation.onTermination = { [weak self] _ in self?.dropSubscription(local: local) }
        // A cancelled caller gets `.cancelled` at once instead of waiting for the reply or the timeout.
        let result: Result<Void, RPCError> = await withTaskCancellationHandler {
          await withCheckedContinuation { c in
            let connected: Bool? = state.withLock { s in
                if s.closed { return nil }
                s.subscriptions[local] = Subscription(method: method, params: params, unsubscribeMethod: unsubscribeMethod,
                                                      continuation: continuation, serverID: nil, waiter: c)
                s.subscriptions[local]?.waiterTimeout = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled { self?.subscriptionTimedOut(local: local, after: timeout) }
                }
                return s.connection != nil
            }
            guard let connected else { return c.resume(returning: .failure(.clientClosed(method: method))) }
            if Task.isCancelled { return subscriptionCancelled(local: local) }
            if connected { sendSubscribe(local: local) }
          }
        } onCancel: { [weak self] in
            self?.subscriptionCancelled(local: local)
        }
        if case .failure(let error) = result {
            continuation.finish(throwing: error)
            throw error
        }
        return stream
    }

    private func sendSubscribe(local: Int) {
        let request: (Int64, String, String, String)? = state.withLock { s in
            guard let sub = s.subscriptions[local] else { return nil }
            let id = s.nextID
            s.nextID += 1
            return (id, sub.method, sub.unsubscribeMethod, RPCClient.encodeRequest(id: id, method: sub.method, params: sub.params))
        }
        guard let (id, method, unsubscribe, text) = request else { return }
        register(id: id, Pending(method: method, text: text, kind: .subscribe(local: local, unsubscribe: unsubscribe)),
                 timeout: configuration.requestTimeout)
    }

    private func subscriptionReplied(local: Int, unsubscribe unsubscribeMethod: String, _ reply: Reply) {
        var waiter: CheckedContinuation<Result<Void, RPCError>, Never>?
        var finishWith: RPCError?
        var stream: AsyncThrowingStream<JSONValue, any Error>.Continuation?
        // A node-side subscription nobody will read (the local one is gone, or this one replaces it on the
        // same connection): unsubscribed at once, or the node would keep sending its notifications.
        var orphan: String?
        state.withLock { s in
            guard var sub = s.subscriptions[local] else {
                if case .success(let value) = reply, let id = RPCClient.subscriptionID(value), s.connection != nil { orphan = id }
                return
            }
            switch reply {
            case .success(let value):
                guard let serverID = RPCClient.subscriptionID(value) else {
                    finishWith = .malformedReply(method: sub.method, reason: "subscription id is \(value.jsonText.prefix(80)), not a string")
                    break
                }
                if let old = sub.serverID, old != serverID {
                    s.serverSubscriptions[old] = nil
                    orphan = old
                }
                sub.serverID = serverID
                s.serverSubscriptions[serverID] = local
                waiter = sub.waiter
                sub.waiter = nil
                sub.waiterTimeout?.cancel()
                sub.waiterTimeout = nil
                s.subscriptions[local] = sub
            case .failure(let error):
                // A subscription request lost with its connection is renewed on the next one.
                if case .connectionClosed = error { return }
                finishWith = error
            }
            if finishWith != nil {
                waiter = sub.waiter
                sub.waiterTimeout?.cancel()
                stream = sub.continuation
                s.subscriptions[local] = nil
                if let id = sub.serverID { s.serverSubscriptions[id] = nil }
            }
        }
        if let orphan { sendUnsubscribe(unsubscribeMethod, serverID: orphan) }
        if let finishWith {
            if let waiter { waiter.resume(returning: .failure(finishWith)) } else { stream?.finish(throwing: finishWith) }
            logger.warning("subscription ended", metadata: ["error": "\(finishWith)"])
        } else {
            waiter?.resume(returning: .success(()))
        }
    }

    private func subscriptionTimedOut(local: Int, after timeout: Duration) {
        failSubscriptionWaiter(local: local) { sub, connected, reason in
            connected ? .timeout(method: sub.method, seconds: timeout.seconds)
                : .notConnected(method: sub.method, endpoint: endpoint.url, reason: reason)
        }
    }

    private func subscriptionCancelled(local: Int) {
        failSubscriptionWaiter(local: local) { sub, _, _ in .cancelled(method: sub.method) }
    }

    /// Ends a subscription still waiting for its first confirmation (a late reply is then unsubscribed).
    private func failSubscriptionWaiter(local: Int, _ error: (Subscription, Bool, String) -> RPCError) {
        let (sub, connected, reason): (Subscription?, Bool, String) = state.withLock { s in
            guard let sub = s.subscriptions[local], sub.waiter != nil else { return (nil, false, "") }
            s.subscriptions[local] = nil
            return (sub, s.connection != nil, s.lastError)
        }
        guard let sub else { return }
        sub.waiterTimeout?.cancel()
        sub.waiter?.resume(returning: .failure(error(sub, connected, reason)))
    }

    private func dropSubscription(local: Int) {
        let unsubscribe: (String, String)? = state.withLock { s in
            guard let sub = s.subscriptions.removeValue(forKey: local) else { return nil }
            sub.waiterTimeout?.cancel()
            guard let serverID = sub.serverID else { return nil }
            s.serverSubscriptions[serverID] = nil
            guard s.connection != nil, !s.closed else { return nil }
            return (sub.unsubscribeMethod, serverID)
        }
        guard let (method, serverID) = unsubscribe else { return }
        sendUnsubscribe(method, serverID: serverID)
    }

    private func sendUnsubscribe(_ method: String, serverID: String) {
        let id = state.withLock { s in defer { s.nextID += 1 }; return s.nextID }
        register(id: id, Pending(method: method, text: RPCClient.encodeRequest(id: id, method: method, params: [.string(serverID)]),
                                 kind: .ignore), timeout: configuration.requestTimeout)
    }

    static func subscriptionID(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        default: return nil
        }
    }

    // MARK: Incoming messages

    func handleMessage(_ text: String) {
        let size = text.utf8.count
        if size > configuration.maxReplyBytes {
            return oversizedMessage(text, size: size)
        }
        guard let message = JSONValue.parse(text) else {
            return malformedMessage(text, reason: "not JSON")
        }
        guard let object = message.objectValue else {
            return malformedMessage(text, reason: "not a JSON object")
        }
        if let idValue = object["id"], !idValue.isNull {
            guard let id = RPCClient.requestID(idValue) else {
                return malformedMessage(text, reason: "id \(idValue.jsonText.prefix(40)) is not one of ours")
            }
            let method = state.withLock { $0.pending[id]?.method }
            guard let method else {
                logger.debug("reply to an unknown or expired request", metadata: ["id": "\(id)"])
                return
            }
            if let error = object["error"] {
                guard let code = error["code"]?.intValue else {
                    return complete(id: id, with: .failure(.malformedReply(method: method, reason: "error object without an integer code")))
                }
                var message = error["message"]?.stringValue ?? "(no message)"
                if let data = error["data"], !data.isNull {
                    message += ": " + (data.stringValue ?? data.jsonText)
                }
                return complete(id: id, with: .failure(.node(method: method, code: code, message: message)))
            }
            guard let result = object["result"] else {
                return complete(id: id, with: .failure(.malformedReply(method: method, reason: "neither result nor error")))
            }
            return complete(id: id, with: .success(result))
        }
        if let method = object["method"]?.stringValue {
            guard let params = object["params"]?.objectValue, let sid = params["subscription"].flatMap(RPCClient.subscriptionID),
                  let result = params["result"] else {
                logger.warning("malformed notification", metadata: ["method": "\(method)"])
                return
            }
            let continuation = state.withLock { s in s.serverSubscriptions[sid].flatMap { s.subscriptions[$0]?.continuation } }
            guard let continuation else {
                logger.debug("notification for an unknown subscription", metadata: ["subscription": "\(sid)"])
                return
            }
            continuation.yield(result)
            return
        }
        malformedMessage(text, reason: "neither a reply nor a notification")
    }

    /// A message we cannot read. If it names a pending id (or only one request is sent and waiting), that request fails
    /// with `malformedReply`; otherwise it is logged and the requests wait for their own replies or timeouts.
    private func malformedMessage(_ text: String, reason: String) {
        let victim: Int64? = state.withLock { s in
            if let id = RPCClient.scanID(text), s.pending[id] != nil { return id }
            let sent = s.pending.filter { $0.value.sentOn != nil }
            return sent.count == 1 ? sent.first!.key : nil
        }
        let preview = RPCError.oneLine(String(text.prefix(80)))
        if let victim, let method = state.withLock({ $0.pending[victim]?.method }) {
            complete(id: victim, with: .failure(.malformedReply(method: method, reason: "\(reason): \(preview)")))
        } else {
            logger.warning("unreadable message from the node", metadata: ["reason": "\(reason)", "message": "\(preview)"])
        }
    }

    /// A message over `maxReplyBytes`: the request it answers (found as for malformed messages) fails with `replyTooLarge`.
    private func oversizedMessage(_ text: String, size: Int) {
        let victim: Int64? = state.withLock { s in
            if let id = RPCClient.scanID(text), s.pending[id] != nil { return id }
            let sent = s.pending.filter { $0.value.sentOn != nil }
            return sent.count == 1 ? sent.first!.key : nil
        }
        if let victim, let method = state.withLock({ $0.pending[victim]?.method }) {
            complete(id: victim, with: .failure(.replyTooLarge(method: method, bytes: size, limit: configuration.maxReplyBytes)))
        } else {
            logger.warning("ignoring an oversized message from the node", metadata: ["bytes": "\(size)"])
        }
    }

    static func requestID(_ value: JSONValue) -> Int64? {
        if let i = value.intValue { return i }
        if let s = value.stringValue { return Int64(s) }
        return nil
    }

    /// Finds `"id": 123` near the start or the end of text that is not read as JSON.
    static func scanID(_ text: String) -> Int64? {
        let all = text.utf8
        if all.count <= 8192 { return scanID(Array(all)) }
        return scanID(Array(all.prefix(4096))) ?? scanID(Array(all.suffix(4096)))
    }

    static func scanID(_ utf8: [UInt8]) -> Int64? {
        let needle = Array("\"id\"".utf8)
        guard utf8.count >= needle.count else { return nil }
        for start in 0 ... utf8.count - needle.count where Array(utf8[start ..< start + needle.count]) == needle {
            var i = start + needle.count
            while i < utf8.count, utf8[i] == UInt8(ascii: " ") || utf8[i] == UInt8(ascii: ":") || utf8[i] == UInt8(ascii: "\"") { i += 1 }
            var digits = ""
            while i < utf8.count, utf8[i] >= UInt8(ascii: "0"), utf8[i] <= UInt8(ascii: "9"), digits.count < 18 {
                digits.append(Character(Unicode.Scalar(utf8[i])))
                i += 1
            }
            if let id = Int64(digits) { return id }
        }
        return nil
    }

    // MARK: Connection loop

    private func runConnectionLoop() async {
        var backoff = configuration.initialBackoff
        // The WebSocket layer drops a connection silently on a frame or message over its limit, so it gets a larger one
        // (`transportLimit`) and replies over `maxReplyBytes` are refused here, with an error for the request.
        let transportLimit = configuration.transportLimit
        var wsConfiguration = WebSocketClientConfiguration(maxFrameSize: transportLimit)
        if let ping = configuration.pingInterval { wsConfiguration.autoPing = .enabled(timePeriod: ping) }
        while !Task.isCancelled {
            let generation: Int? = state.withLock { s in
                if s.closed { return nil }
                s.generation += 1
                return s.generation
            }
            guard let generation else { return }
            logger.debug("connecting")
            var reason = "connection closed"
            do {
                let closeFrame = try await WebSocketClient.connect(
                    url: endpoint.url, configuration: wsConfiguration, tlsConfiguration: configuration.tlsConfiguration, logger: logger
                ) {
                    inbound, outbound, _ in
                    self.connected(Connection(generation: generation, writer: outbound))
                    for try await message in inbound.messages(maxSize: transportLimit) {
                        switch message {
                        case .text(let text): self.handleMessage(text)
                        case .binary(let buffer): self.handleMessage(String(buffer: buffer))
                        }
                    }
                }
                if let closeFrame { reason = "closed by the node (\(closeFrame.closeCode))" }
            } catch let error as WebSocketClientError where error == .serverSentMessageTooLarge {
                reason = "a message was larger than \(transportLimit) bytes"
            } catch {
                reason = RPCClient.describe(error)
            }
            let wasConnected = disconnected(generation: generation, reason: reason)
            if Task.isCancelled || state.withLock({ $0.closed }) { return }
            if wasConnected { backoff = configuration.initialBackoff }
            logger.info("connection lost; reconnecting", metadata: ["reason": "\(reason)", "in": "\(backoff)"])
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, configuration.maxBackoff)
        }
    }

    private func connected(_ connection: Connection) {
        let (queued, subscriptions, waiters) = state.withLock { s in
            s.connection = connection
            s.connectCount += 1
            var queued: [(Int64, String)] = []
            for (id, p) in s.pending where p.sentOn == nil {
                s.pending[id]?.sentOn = connection.generation
                queued.append((id, p.text))
            }
            let waiters = s.connectWaiters
            s.connectWaiters = [:]
            return (queued.sorted { $0.0 < $1.0 }, Array(s.subscriptions.keys).sorted(), waiters)
        }
        logger.info("connected", metadata: ["queued": "\(queued.count)", "subscriptions": "\(subscriptions.count)"])
        for (_, w) in waiters { w.resume(returning: true) }
        Task {
            for (id, text) in queued { await self.write(id: id, text: text, on: connection) }
        }
        for local in subscriptions { sendSubscribe(local: local) }
    }

    /// Fails the requests sent on this connection; queued ones wait for the next. Returns whether it had connected.
    private func disconnected(generation: Int, reason: String) -> Bool {
        let (wasConnected, failed) = state.withLock { s in
            let wasConnected = s.connection?.generation == generation
            if wasConnected { s.connection = nil }
            s.lastError = reason
            var failed: [Pending] = []
            for (id, p) in s.pending where p.sentOn == generation {
                failed.append(p)
                s.pending[id] = nil
            }
            for local in s.subscriptions.keys { s.subscriptions[local]?.serverID = nil }
            s.serverSubscriptions = [:]
            return (wasConnected, failed)
        }
        for p in failed {
            finish(p, .failure(.connectionClosed(method: p.method, endpoint: endpoint.url, reason: reason)))
        }
        return wasConnected
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? WebSocketClientError {
            switch e {
            case .invalidURL: return "invalid URL"
            case .webSocketUpgradeFailed: return "the server refused the WebSocket upgrade"
            case .serverProtocolError: return "WebSocket protocol error"
            case .serverSentMessageTooLarge: return "message too large"
            default: return "WebSocket error"
            }
        }
        if let e = error as? NIOConnectionError {
            if let first = e.connectionErrors.first { return "cannot connect: \(first.error)" }
            if let dns = e.dnsAAAAError ?? e.dnsAError { return "cannot resolve \(e.host): \(dns)" }
            return "cannot connect to \(e.host):\(e.port)"
        }
        if let e = error as? NIOSSLError { return "TLS error: \(e)" }
        if let e = error as? IOError { return "\(e)" }
        if let e = error as? ChannelError { return "\(e)" }
        return RPCError.oneLine(String(describing: error))
    }
}

/// True for the first caller of `claim()` only.
final class Once: Sendable {
    private let claimed = Mutex(false)
    func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}
