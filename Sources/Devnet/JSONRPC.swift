import ChainCodec


/// A JSON-RPC 2.0 error object, with the codes and messages jsonrpsee (the Substrate node's RPC server) sends.
public struct DevnetRPCError: Error, Sendable, Equatable {
    public let code: Int
    public let message: String
    public let data: JSONValue?

    init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    static let parseError = DevnetRPCError(code: -32700, message: "Parse error")
    static let invalidRequest = DevnetRPCError(code: -32600, message: "Invalid request")
    static let methodNotFound = DevnetRPCError(code: -32601, message: "Method not found")
    static func invalidParams(_ why: String) -> DevnetRPCError {
        DevnetRPCError(code: -32602, message: "Invalid params", data: .string(why))
    }
    static func internalError(_ why: String) -> DevnetRPCError {
        DevnetRPCError(code: -32603, message: "Internal error", data: .string(why))
    }
    /// jsonrpsee's answer to a request over its size limit.
    static func oversized(limit: Int) -> DevnetRPCError {
        DevnetRPCError(code: -32007, message: "Request is too big", data: .string("Exceeded max limit of \(limit)"))
    }

    /// Code of errors raised by `devnet_submitPow` when the chain would refuse the work
    /// (Substrate's "Invalid Transaction" code). `data` is the pallet error name, e.g. `"InvalidSeal"`,
    /// and the message starts with it.
    public static let registrationRefusedCode = 1010

    var json: JSONValue {
        var o: [String: JSONValue] = ["code": .int(Int64(code)), "message": .string(message)]
        if let data { o["data"] = data }
        return .object(o)
    }
}

/// One JSON-RPC call taken apart. `id == nil` means a notification (no reply).
struct RPCCall: Sendable {
    let id: JSONValue?
    let method: String
    let params: Params
}

/// Positional (array) or named (object) parameters.
struct Params: Sendable {
    let raw: JSONValue?

    var count: Int {
        switch raw {
        case .array(let a)?: return a.count
        case .object(let o)?: return o.count
        default: return 0
        }
    }

    /// The parameter at `index` (positional) or under one of `names` (named). Explicit null counts as absent.
    func value(_ index: Int, _ names: String...) -> JSONValue? {
        switch raw {
        case .array(let a)?:
            guard index < a.count, a[index] != .null else { return nil }
            return a[index]
        case .object(let o)?:
            for name in names { if let v = o[name], v != .null { return v } }
            return nil
        default:
            return nil
        }
    }

    func require(_ index: Int, _ name: String) throws(DevnetRPCError) -> JSONValue {
        guard let v = value(index, name) else { throw .invalidParams("missing parameter \(index) (\(name))") }
        return v
    }

    /// Refuses more positional parameters than a method takes (jsonrpsee does the same).
    func expectAtMost(_ n: Int) throws(DevnetRPCError) {
        if case .array(let a)? = raw, a.count > n {
            throw .invalidParams("expected at most \(n) parameters, got \(a.count)")
        }
    }
}

enum RPCEnvelope {
    /// A reply object: `{"jsonrpc":"2.0","result":…,"id":…}`.
    static func result(_ result: JSONValue, id: JSONValue) -> JSONValue {
        .object(["jsonrpc": "2.0", "result": result, "id": id])
    }

    static func error(_ error: DevnetRPCError, id: JSONValue) -> JSONValue {
        .object(["jsonrpc": "2.0", "error": error.json, "id": id])
    }

    static func notification(method: String, subscription: JSONValue, result: JSONValue) -> JSONValue {
        .object(["jsonrpc": "2.0", "method": .string(method),
                 "params": .object(["subscription": subscription, "result": result])])
    }

    /// Validates one request object. On failure returns the error and the id to answer with
    /// (the request's own id when it is usable, else null).
    struct Refusal: Error {
        let error: DevnetRPCError
        let id: JSONValue
        init(_ error: DevnetRPCError, _ id: JSONValue) { self.error = error; self.id = id }
    }

    static func parseCall(_ value: JSONValue) -> Result<RPCCall, Refusal> {
        guard case .object(let o) = value else { return .failure(Refusal(.invalidRequest, .null)) }
        let id = o["id"]
        let replyID: JSONValue
        switch id {
        case nil, .null?: replyID = .null
        case .int?, .uint?, .string?: replyID = id!
        default: return .failure(Refusal(.invalidRequest, .null))   // ids must be numbers, strings or null
        }
        guard o["jsonrpc"] == .string("2.0") else { return .failure(Refusal(.invalidRequest, replyID)) }
        guard case .string(let method)? = o["method"] else { return .failure(Refusal(.invalidRequest, replyID)) }
        let params = o["params"]
        switch params {
        case nil, .null?, .array?, .object?: break
        default: return .failure(Refusal(.invalidParams("params must be an array or an object"), replyID))
        }
        return .success(RPCCall(id: id, method: method, params: Params(raw: params == .null ? nil : params)))
    }
}
