import ChainCodec

// Subscriptions: subscribe and unsubscribe, renewal after a reconnect, the node's ids mapped to local ones.
extension RPCClient {
    struct Subscription {
        let method: String
        let params: [JSONValue]
        let unsubscribeMethod: String
        let continuation: AsyncThrowingStream<JSONValue, any Error>.Continuation
        /// Renewed after a reconnect; when false the stream ends with `connectionClosed` instead (subscribing again
        /// would repeat what the subscription did, e.g. submit an extrinsic).
        var renew = true
        var serverID: String?
        /// The `subscribe` caller, until the first confirmation.
        var waiter: CheckedContinuation<Result<Void, RPCError>, Never>?
        var waiterTimeout: Task<Void, Never>?
    }

    /// Subscribes (e.g. `chain_subscribeNewHeads`) and returns the notifications' `result` values. The subscription is
    /// renewed after each reconnect (with `renew`; without, a lost connection ends the stream with `connectionClosed`);
    /// ending the iteration unsubscribes. Throws if the node refuses the first subscription.
    public func subscribe(_ method: String, _ params: [JSONValue] = [], unsubscribe unsubscribeMethod: String,
                          renew: Bool = true,
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
                                                      continuation: continuation, renew: renew, serverID: nil, waiter: c)
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

    func sendSubscribe(local: Int) {
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

    func subscriptionReplied(local: Int, unsubscribe unsubscribeMethod: String, _ reply: Reply) {
        var waiter: CheckedContinuation<Result<Void, RPCError>, Never>?
        var finishWith: RPCError?
        var stream: AsyncThrowingStream<JSONValue, any Error>.Continuation?
        // A node-side subscription nobody will read (the local one is gone, or this one replaces it on the
        // same connection): unsubscribed at once, or the node would keep sending its notifications.
        var orphan: String?
        state.withLock { s in
            guard var sub = s.subscriptions[local] else {
                if case .success(let value) = reply, let id = SubscriptionID.normalize(value), s.connection != nil { orphan = id }
                return
            }
            switch reply {
            case .success(let value):
                guard let serverID = SubscriptionID.normalize(value) else {
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
}
