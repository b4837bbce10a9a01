import ChainCodec

// Inbound messages: replies matched to pending requests, notifications to subscriptions, unreadable or oversized
// messages charged to the request they most likely answer.
extension RPCClient {
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
            guard let params = object["params"]?.objectValue, let sid = params["subscription"].flatMap(SubscriptionID.normalize),
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
}
