import ChainCodec
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Synchronization
import WSClient

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
    package var connectionCount: Int { state.withLock { $0.connectCount } }

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
