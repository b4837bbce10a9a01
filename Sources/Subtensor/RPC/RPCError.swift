import ChainCodec

/// Why a JSON-RPC call failed. Each description is one line.
public enum RPCError: Error, Equatable, CustomStringConvertible {
    /// The node answered with a JSON-RPC error object.
    case node(method: String, code: Int64, message: String)
    /// No reply within the request's timeout.
    case timeout(method: String, seconds: Double)
    /// The request could not even be sent: no connection to the node within the timeout.
    case notConnected(method: String, endpoint: String, reason: String)
    /// The connection closed after the request was sent and before its reply came.
    case connectionClosed(method: String, endpoint: String, reason: String)
    /// The reply was not valid JSON-RPC, or its result had the wrong shape.
    case malformedReply(method: String, reason: String)
    /// The reply exceeded `RPCConfiguration.maxReplyBytes` and was refused.
    case replyTooLarge(method: String, bytes: Int, limit: Int)
    /// The client was shut down.
    case clientClosed(method: String)
    /// The calling task was cancelled.
    case cancelled(method: String)

    public var method: String {
        switch self {
        case .node(let m, _, _), .timeout(let m, _), .notConnected(let m, _, _), .connectionClosed(let m, _, _),
             .malformedReply(let m, _), .replyTooLarge(let m, _, _), .clientClosed(let m), .cancelled(let m):
            return m
        }
    }

    public var description: String {
        switch self {
        case .node(let method, let code, let message):
            return "\(method): the node answered error \(code): \(RPCError.oneLine(message))"
        case .timeout(let method, let seconds):
            return "\(method): no reply from the node within \(RPCError.format(seconds)) s"
        case .notConnected(let method, let endpoint, let reason):
            return "\(method): not connected to \(endpoint): \(RPCError.oneLine(reason))"
        case .connectionClosed(let method, let endpoint, let reason):
            return "\(method): connection to \(endpoint) closed before the reply: \(RPCError.oneLine(reason))"
        case .malformedReply(let method, let reason):
            return "\(method): malformed reply from the node: \(RPCError.oneLine(reason))"
        case .replyTooLarge(let method, let bytes, let limit):
            return "\(method): reply of \(bytes) bytes exceeds the \(limit)-byte limit"
        case .clientClosed(let method): return "\(method): the chain client was closed"
        case .cancelled(let method): return "\(method): cancelled"
        }
    }

    /// Text from the network, on one line and at most 200 characters.
    static func oneLine(_ text: String) -> String {
        let flat = String(text.map { $0.isNewline || SS58Error.show($0).hasPrefix("U+") ? " " : $0 })
        return flat.count > 200 ? String(flat.prefix(197)) + "..." : flat
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String((seconds * 1000).rounded() / 1000)
    }
}

extension Duration {
    var seconds: Double {
        let (s, attos) = components
        return Double(s) + Double(attos) / 1e18
    }
}
