import ChainCodec

// Requests: ids, the table of pending requests, timeouts, and delivery of each reply to its caller.
extension RPCClient {
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
    func register(id: Int64, _ pending: Pending, timeout: Duration?) {
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

    func write(id: Int64, text: String, on connection: Connection) async {
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

    func complete(id: Int64, with reply: Reply) {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        finish(pending, reply)
    }

    /// Delivers a reply to whoever waits for it. Call outside the lock.
    func finish(_ pending: Pending, _ reply: Reply) {
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
}
