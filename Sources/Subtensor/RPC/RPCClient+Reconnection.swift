import NIOCore
import NIOPosix
import NIOSSL
import WSClient

// The connection loop: connect, reconnect with exponential backoff, send what was queued, fail what was lost.
extension RPCClient {
    struct Connection {
        let generation: Int
        let writer: WebSocketOutboundWriter
    }

    func runConnectionLoop() async {
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
            // Said once per loss (a user should see that the node went away and is being reached again); each retry after.
            if wasConnected {
                logger.warning("connection to the node lost; reconnecting", metadata: ["reason": "\(reason)"])
            } else {
                logger.info("reconnecting", metadata: ["reason": "\(reason)", "in": "\(backoff)"])
            }
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
        let restored = state.withLock { $0.connectCount } > 1
        if restored {
            logger.warning("connection to the node restored", metadata: ["subscriptions": "\(subscriptions.count)"])
        } else {
            logger.info("connected", metadata: ["queued": "\(queued.count)", "subscriptions": "\(subscriptions.count)"])
        }
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
